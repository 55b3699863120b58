"""The checker behind every coding exercise.

An ``Exercise`` names the reference implementation, how to draw fresh random cases, and how to compare
an answer with the reference's. ``check(exercise, fn)`` runs the student's ``fn`` on those cases and
prints one line:

    ✓ <title>: passed 6 cases
    ✗ <title>: case <label>: expected <…>, got <…> — <hint>
    … <title>: not written yet — the solution is folded below the checker.

It returns True or False and never raises for a wrong answer (an exception inside the student's function
is reported as that case's answer). ``checker(exercise)`` registers the exercise and returns the
``check_<name>`` function the notebooks call (it prints the line and returns nothing).
"""
from __future__ import annotations

import copy
import dis
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch

EXERCISES: dict[str, "Exercise"] = {}
STUB = "not written yet — the solution is folded below the checker"
# bytecode a stub can consist of: a docstring, ``...``, ``pass`` or ``raise NotImplementedError``
_STUB_OPS = {"RESUME", "NOP", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST", "LOAD_GLOBAL", "PUSH_NULL",
             "PRECALL", "CALL", "RAISE_VARARGS", "POP_TOP", "CACHE", "LOAD_NAME"}


@dataclass(frozen=True)
class Case:
    """One call of the student's function: ``fn(*args)``; ``label`` says which case it is in the message."""
    label: str
    args: tuple


@dataclass(frozen=True)
class Exercise:
    name: str                                   # check_<name> in the notebooks
    chapter: str                                # "01", "03a", …
    stars: int                                  # 1 ★, 2 ★★, 3 ★★★
    title: str                                  # one line, as in the README's course guide
    reference: Callable                         # the solution
    cases: Callable[[np.random.Generator], list[Case]]   # fresh random cases from a generator
    hint: str                                   # said after a failing case
    compare: Callable[[Any, Any], str | None] = None     # None when equal, else what differs
    wrong: tuple[Callable, ...] = field(default=(), repr=False)  # plausible wrong answers (tests)

    def __post_init__(self):
        if self.stars not in (1, 2, 3):
            raise ValueError(f"stars: 1, 2 or 3, got {self.stars!r}")


def is_stub(fn: Callable) -> bool:
    """True for an untouched stub: a body of only a docstring, ``...``, ``pass`` or ``raise
    NotImplementedError`` (read from the bytecode, so it works for functions defined in a notebook)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    names = set(code.co_names) - {"NotImplementedError"}
    return not names and all(i.opname in _STUB_OPS for i in dis.get_instructions(code))


def show(value: Any, limit: int = 90) -> str:
    """A short, readable form of a value for the one-line message."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=3, threshold=8, edgeitems=3, separator=", ")
        text = f"array{list(value.shape)} {text}" if value.ndim > 1 else text
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def same(expected: Any, got: Any, tol: float = 1e-6) -> str | None:
    """The default comparison: equal structure and values (floats and arrays to ``tol``, relative)."""
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().cpu().numpy()
    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().numpy()
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        try:
            e, g = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return f"expected an array, got {type(got).__name__}"
        if e.shape != g.shape:
            return f"shape {g.shape} instead of {e.shape}"
        return None if np.allclose(e, g, rtol=tol, atol=tol) else "values differ"
    if isinstance(expected, (float, np.floating)) and not isinstance(expected, bool):
        if not isinstance(got, (int, float, np.number)) or isinstance(got, bool):
            return f"expected a number, got {type(got).__name__}"
        return None if abs(float(got) - float(expected)) <= tol * max(1.0, abs(float(expected))) else "values differ"
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        if len(expected) != len(got):
            return f"length {len(got)} instead of {len(expected)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            why = same(e, g, tol)
            if why:
                return f"item {i}: {why}"
        return None
    if isinstance(expected, dict) and isinstance(got, dict):
        if set(expected) != set(got):
            return f"keys {sorted(got)} instead of {sorted(expected)}"
        for k in expected:
            why = same(expected[k], got[k], tol)
            if why:
                return f"key {k!r}: {why}"
        return None
    return None if expected == got else "values differ"


def check(exercise: Exercise, fn: Callable, seed: int | None = None, quiet: bool = False) -> bool:
    """Run ``fn`` on ``exercise``'s fresh random cases (``seed``: repeatable cases; None: new ones each
    call), print one line and return whether every case matched the reference."""
    def say(line: str) -> None:
        if not quiet:
            print(line)

    head = f"{exercise.title}"
    if not callable(fn):
        say(f"✗ {head}: pass the function itself, e.g. check_{exercise.name}(my_function), not {show(fn)}")
        return False
    if is_stub(fn):
        say(f"… {head}: {STUB}.")
        return False
    compare = exercise.compare or same
    cases = exercise.cases(np.random.default_rng(seed))
    for case in cases:
        expected = exercise.reference(*copy.deepcopy(case.args))
        try:
            got = fn(*copy.deepcopy(case.args))
        except NotImplementedError:
            say(f"… {head}: {STUB}.")
            return False
        except Exception as e:  # the student's error is this case's answer, not a traceback
            say(f"✗ {head}: case {case.label}: your function raised {type(e).__name__}: {e} — {exercise.hint}")
            return False
        why = compare(expected, got)
        if why:
            say(f"✗ {head}: case {case.label}: expected {show(expected)}, got {show(got)} ({why}) — {exercise.hint}")
            return False
    say(f"✓ {head}: passed {len(cases)} cases.")
    return True


def checker(exercise: Exercise) -> Callable[[Callable], None]:
    """Register ``exercise`` and return its ``check_<name>(fn)``."""
    if exercise.name in EXERCISES:
        raise ValueError(f"name: an exercise {exercise.name!r} is registered already")
    EXERCISES[exercise.name] = exercise

    def check_fn(fn: Callable, seed: int | None = None) -> None:
        check(exercise, fn, seed=seed)  # prints its one line; a notebook cell shows no extra "False"

    check_fn.__name__ = check_fn.__qualname__ = f"check_{exercise.name}"
    check_fn.__doc__ = (f"Chapter {exercise.chapter}, {'★' * exercise.stars}: {exercise.title}. Runs your "
                        f"function on fresh random cases against the reference; prints one line.")
    return check_fn
