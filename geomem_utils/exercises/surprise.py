"""Coding exercises of chapters 03a and 03b (see ``exercises.core``).

03a: teacher-forced accuracy per target position, read from a model's logits — the measurement that
shows the Clever Hans signature (v1 at chance, every later target copied). 03b: reading a learning order
off per-position accuracy curves — when each position first reaches a threshold, and whether the
positions are learned last-to-first (the reverse cascade that claim C3 rules out).
"""
from __future__ import annotations

import numpy as np

from .core import Case, Exercise, checker

__all__: list[str] = []
IGNORE = -1   # a column that is not a target (``tasks.Examples.inputs_targets``)


# ---------------------------------------------------------------- 03a: accuracy per target position
def position_accuracy(logits, targets):
    """Teacher-forced accuracy per target position (paper §2; Bachmann & Nagarajan 2024's Clever Hans).

    ``logits``: (N, T, V), the model's scores at every column given the true prefix; ``targets``: (N, T)
    ints, the token due at each column or -1 where the column is not a target. Every row has the same
    number of targets, though not necessarily in the same columns. Returns, for the k-th target of each
    row, the fraction of rows whose argmax equals it: an array of that number of entries.
    """
    pred = np.asarray(logits).argmax(-1)
    targets = np.asarray(targets)
    mask = targets != IGNORE
    correct = (pred == targets)[mask].reshape(len(targets), -1)   # row-major: each row's targets in order
    return correct.mean(0)


def _wrong_shifted(logits, targets):
    """Off by one: shifts once more, scoring the logits at column t against the target at t + 1."""
    pred, targets = np.asarray(logits).argmax(-1), np.asarray(targets)
    mask = targets[:, 1:] != IGNORE
    return (pred[:, :-1] == targets[:, 1:])[mask].reshape(len(targets), -1).mean(0)


def _wrong_axis(logits, targets):
    """Averages over the positions of each row (one accuracy per example) instead of over the rows."""
    pred, targets = np.asarray(logits).argmax(-1), np.asarray(targets)
    mask = targets != IGNORE
    return (pred == targets)[mask].reshape(len(targets), -1).mean(1)


def _wrong_last_columns(logits, targets):
    """Assumes the targets fill the last columns of every row (true of one task, not of padded batches)."""
    pred, targets = np.asarray(logits).argmax(-1), np.asarray(targets)
    k = int((targets[0] != IGNORE).sum())
    return (pred[:, -k:] == targets[:, -k:]).mean(0)


def _logits_for(targets, p_right, rng, vocab):
    """Random logits whose argmax hits each target with its position's probability ``p_right``."""
    n, t = targets.shape
    logits = rng.normal(size=(n, t, vocab))
    rows, cols = np.nonzero(targets != IGNORE)
    k = np.tile(np.arange(len(p_right)), n)                  # which target of its row each hit is
    right = rng.random(len(rows)) < np.asarray(p_right)[k]
    wrong = (targets[rows, cols] + rng.integers(1, vocab, len(rows))) % vocab
    tok = np.where(right, targets[rows, cols], wrong)
    logits[rows, cols, tok] = logits[rows, cols].max(-1) + 1.0
    return logits


def _position_cases(rng):
    cases = []
    for label, n_targets, shifted in (("v1 a coin flip, 5 targets", 5, False), ("3 targets", 3, False),
                                      ("padded rows (targets in different columns)", 4, True)):
        n, vocab, prompt = int(rng.integers(20, 40)), 12, int(rng.integers(5, 9))
        pad = rng.integers(0, 3, n) if shifted else np.zeros(n, int)
        pad[0] = 0 if not shifted else 2                      # padded cases always hold a shifted row
        targets = np.full((n, prompt + n_targets + 2), IGNORE)
        for i in range(n):
            start = prompt + pad[i]
            targets[i, start:start + n_targets] = rng.integers(0, vocab, n_targets)
        p_right = [1.0, 0.5] + [float(x) for x in rng.uniform(0.6, 1.0, n_targets - 2)]
        cases.append(Case(f"{label}, {n} rows", (_logits_for(targets, p_right, rng, vocab), targets)))
    return cases


check_position_accuracy = checker(Exercise(
    "position_accuracy", "03a", 2, "teacher-forced accuracy per target position", position_accuracy,
    _position_cases, wrong=(_wrong_shifted, _wrong_axis, _wrong_last_columns),
    hint="take the argmax over the last axis, keep the columns where targets != -1 (each row's own "
         "columns), and average over the rows for each target in turn"))
__all__ += ["check_position_accuracy", "position_accuracy"]


# ---------------------------------------------------------------- 03b: reading a learning order
def read_learning_order(steps, accuracy, threshold=0.9):
    """Learning order of the target positions (paper §2, claim C3's reverse cascade).

    ``steps``: the evaluated steps (E,); ``accuracy``: (E, P), one column per target position in path
    order (v1 first, the leaf last). Returns ``(reach, last_to_first)``: ``reach[p]`` is the first
    evaluated step at which position p's accuracy is >= ``threshold`` (None if it never is), and
    ``last_to_first`` is True when every position gets there and strictly in reverse order — the last
    position first, v1 last — the order a cascade of one-hop lookups back from the leaf would produce.
    """
    accuracy = np.asarray(accuracy)
    reach = []
    for column in accuracy.T:
        hit = np.flatnonzero(column >= threshold)
        reach.append(int(steps[hit[0]]) if len(hit) else None)
    last_to_first = None not in reach and all(a > b for a, b in zip(reach, reach[1:]))
    return reach, last_to_first


def _wrong_strict(steps, accuracy, threshold=0.9):
    """``>`` instead of ``>=``: a curve that lands exactly on the threshold is counted a step later."""
    reach = []
    for column in np.asarray(accuracy).T:
        hit = np.flatnonzero(column > threshold)
        reach.append(int(steps[hit[0]]) if len(hit) else None)
    return reach, None not in reach and all(a > b for a, b in zip(reach, reach[1:]))


def _wrong_index(steps, accuracy, threshold=0.9):
    """Returns the evaluation's index instead of its step."""
    return read_learning_order(np.arange(len(steps)), accuracy, threshold)


def _wrong_ties(steps, accuracy, threshold=0.9):
    """Counts two positions reached at the same evaluation as being in cascade order (>= for >)."""
    reach, _ = read_learning_order(steps, accuracy, threshold)
    return reach, None not in reach and all(a >= b for a, b in zip(reach, reach[1:]))


def _curve(rng, n_eval, at, threshold, exact):
    """An accuracy curve on the 1/20 grid: below ``threshold`` before evaluation ``at``, then above it
    (landing on it exactly when ``exact``); ``at`` = n_eval: never."""
    below = rng.integers(0, round(20 * threshold), n_eval) / 20          # < threshold
    above = rng.integers(round(20 * threshold), 21, n_eval) / 20          # >= threshold
    curve = np.where(np.arange(n_eval) < at, below, above)
    if exact and at < n_eval:
        curve[at] = threshold
    return curve


def _order_cases(rng):
    cases = []
    n_eval, every = int(rng.integers(10, 16)), int(rng.choice([5, 10, 20]))
    steps = every * np.arange(1, n_eval + 1)
    kinds = {"a last-to-first cascade": [7, 5, 3, 1], "v1 last, inner positions first": [6, 2, 1, 4],
             "a tie between v3 and the leaf": [6, 4, 2, 2], "v1 never reaches it": [n_eval, 3, 2, 5]}
    for label, at in kinds.items():
        acc = np.stack([_curve(rng, n_eval, a, 0.9, exact=(p == 1)) for p, a in enumerate(at)], 1)
        cases.append(Case(f"{label} (steps every {every})", (steps, acc, 0.9)))
    return cases


check_read_learning_order = checker(Exercise(
    "read_learning_order", "03b", 2, "read a learning order: first step at the threshold per position",
    read_learning_order, _order_cases, wrong=(_wrong_strict, _wrong_index, _wrong_ties),
    hint="for each column take the step (not the index) of the first evaluation with accuracy >= threshold "
         "(None if none); last-to-first needs every position reached, each strictly after the next one"))
__all__ += ["check_read_learning_order", "read_learning_order"]
