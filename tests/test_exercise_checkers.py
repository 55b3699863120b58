"""Every coding exercise's checker (geomem_utils.exercises): the reference passes, at least two plausible
wrong implementations fail with a message naming the failing case, the untouched stub is recognised, and
the solution folded in each notebook passes its checker (so a solution cannot drift from its checker)."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from geomem_utils import exercises
from geomem_utils.exercises import EXERCISES, Case, Exercise, check, is_stub

ROOT = Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))
NAMES = sorted(EXERCISES)


def _stub_raise(*args):
    """Docstring."""
    # your code here
    raise NotImplementedError


def _stub_ellipsis(*args):
    """Docstring."""
    ...


def test_there_are_enough_exercises_and_each_is_complete():
    assert len(EXERCISES) >= 12
    for name, ex in EXERCISES.items():
        assert len(ex.wrong) >= 2, f"{name}: give at least two plausible wrong implementations"
        assert callable(getattr(exercises, f"check_{name}")), f"exercises.check_{name} is missing"


@pytest.mark.parametrize("name", NAMES)
def test_reference_passes(name, capsys):
    ex = EXERCISES[name]
    for seed in (0, 1, 2):
        assert check(ex, ex.reference, seed=seed), capsys.readouterr().out
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize("name", NAMES)
def test_wrong_implementations_fail_naming_the_case(name, capsys):
    ex = EXERCISES[name]
    for i, wrong in enumerate(ex.wrong):
        # a wrong answer must be caught on fixed cases (the seeds a student's run could draw)
        results = [check(ex, wrong, seed=seed) for seed in (0, 1, 2)]
        out = capsys.readouterr().out
        assert not any(results), f"{name}: wrong implementation {i} ({wrong.__name__}) passed"
        assert re.search(r"✗ .*: case .+: (expected .+, got |your function raised )", out), out
        assert "Traceback" not in out


@pytest.mark.parametrize("name", NAMES)
def test_the_stub_is_recognised(name, capsys):
    ex = EXERCISES[name]
    for stub in (_stub_raise, _stub_ellipsis):
        assert not check(ex, stub, seed=0)
        assert "not written yet" in capsys.readouterr().out


def test_is_stub_tells_a_stub_from_a_one_liner():
    assert is_stub(_stub_raise) and is_stub(_stub_ellipsis)
    assert not is_stub(lambda x: x + 1) and not is_stub(len)


def test_a_toy_checker_reports_the_first_failing_case(capsys):
    toy = Exercise("toy", "00", 1, "double a number", lambda x: 2 * x,
                   lambda rng: [Case(f"x={v}", (int(v),)) for v in rng.integers(1, 9, 3)], hint="multiply by two")
    assert check(toy, lambda x: x * 2, seed=0)
    assert not check(toy, lambda x: x + 2, seed=0)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✓") and out[1].startswith("✗ double a number: case x=") and "multiply by two" in out[1]
    assert not check(toy, lambda x: 1 / 0, seed=0)
    assert "raised ZeroDivisionError" in capsys.readouterr().out
    assert not check(toy, 3, seed=0)
    assert "pass the function itself" in capsys.readouterr().out


def notebook_exercises(path: Path):
    """``(checker name, function name, solution code)`` for each ``check_<name>(fn)`` cell of a notebook,
    with the python block of the next ``<details>`` markdown cell."""
    cells = json.loads(path.read_text())["cells"]
    for i, cell in enumerate(cells):
        src = "".join(cell["source"]).strip()
        m = re.fullmatch(r"check_(\w+)\((\w+)\)", src) if cell["cell_type"] == "code" else None
        if not m:
            continue
        later = ("".join(c["source"]) for c in cells[i + 1:] if c["cell_type"] == "markdown")
        details = next(t for t in later if "<details>" in t)
        code = re.search(r"```python\n(.*?)```", details, re.S)
        assert code, f"{path.name} cell {i}: the folded solution has no ```python block"
        yield m.group(1), m.group(2), code.group(1)


SOLUTIONS = [(p.stem, *e) for p in COURSE for e in notebook_exercises(p)]


def test_every_course_chapter_has_a_coding_exercise():
    chapters = {stem for stem, *_ in SOLUTIONS}
    assert chapters == {p.stem for p in COURSE}, f"no coding exercise in {sorted({p.stem for p in COURSE} - chapters)}"


@pytest.mark.parametrize("stem, name, fn, code", SOLUTIONS, ids=[f"{s}-{n}" for s, n, *_ in SOLUTIONS])
def test_the_folded_solution_passes_its_checker(stem, name, fn, code, capsys):
    assert name in EXERCISES, f"{stem}: check_{name} is not a registered exercise"
    namespace: dict = {}
    exec(compile(code, f"{stem}:{name}", "exec"), namespace)
    for seed in (0, 1):
        assert check(EXERCISES[name], namespace[fn], seed=seed), capsys.readouterr().out
