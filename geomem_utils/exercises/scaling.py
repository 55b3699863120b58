"""Coding exercises of the scaling chapters (see ``exercises.core``): 09 fits how the steps to a held-out
accuracy grow with the graph, 10 reads a learning curve (when it first reaches a level, how much of its
peak it keeps later), 11 sorts the wrong first hops of held-out leaves."""
from __future__ import annotations

import numpy as np

from .core import Case, Exercise, checker

__all__: list[str] = []


# ---------------------------------------------------------------- 09: steps ~ c · n^a
def power_law_exponent(nodes, steps):
    """The exponent a of the least-squares fit steps ≈ c·nodes^a on log–log axes (paper §2's task at
    growing size), over the sizes that reached the level: entries of ``steps`` that are None or NaN are
    skipped. Returns a float."""
    x = np.array([n for n, s in zip(nodes, steps) if s is not None and np.isfinite(s)], dtype=float)
    y = np.array([s for s in steps if s is not None and np.isfinite(s)], dtype=float)
    slope, _ = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope)


def _wrong_linear_axes(nodes, steps):
    ok = [(n, s) for n, s in zip(nodes, steps) if s is not None and np.isfinite(s)]
    x, y = np.array(ok, dtype=float).T
    return float(np.polyfit(x, y, 1)[0])            # a straight line, not a power law


def _wrong_swapped(nodes, steps):
    ok = [(n, s) for n, s in zip(nodes, steps) if s is not None and np.isfinite(s)]
    x, y = np.array(ok, dtype=float).T
    return float(1 / np.polyfit(np.log(y), np.log(x), 1)[0])   # regresses nodes on steps, then inverts


def _wrong_log_y_only(nodes, steps):
    ok = [(n, s) for n, s in zip(nodes, steps) if s is not None and np.isfinite(s)]
    x, y = np.array(ok, dtype=float).T
    return float(np.polyfit(x, np.log(y), 1)[0])     # semi-log: an exponential in n, not a power


def _power_cases(rng):
    cases = []
    for k in range(4):
        nodes = np.round(np.geomspace(200, 8000, 6) * rng.uniform(0.9, 1.1, 6)).astype(int).tolist()
        a = rng.uniform(0.2, 0.9)
        steps = [float(round(rng.uniform(10, 40) * n ** a * rng.uniform(0.7, 1.4))) for n in nodes]
        if k % 2:   # the largest sizes never reached the level
            steps[-1] = None
            steps[-2] = float("nan") if k == 3 else None
        cases.append(Case(f"{len(nodes)} sizes, exponent near {a:.2f}{', some never reached' if k % 2 else ''}",
                          (nodes, steps)))
    return cases


check_power_law_exponent = checker(Exercise(
    "power_law_exponent", "09", 1, "the exponent of steps ~ nodes^a", power_law_exponent, _power_cases,
    hint="drop the sizes that never reached the level, take the log of both axes and fit a line; its slope is a",
    wrong=(_wrong_linear_axes, _wrong_swapped, _wrong_log_y_only)))
__all__ += ["check_power_law_exponent", "power_law_exponent"]


# ---------------------------------------------------------------- 10: reading a learning curve
def first_step_at(steps, values, threshold):
    """The first evaluated step at which ``values`` is at or above ``threshold`` (paper §2's accuracies
    over training); None if it never is."""
    for step, value in zip(steps, values):
        if value >= threshold:
            return int(step)
    return None


def _wrong_strictly_above(steps, values, threshold):
    for step, value in zip(steps, values):
        if value > threshold:                        # misses a curve that lands exactly on the level
            return int(step)
    return None


def _wrong_index(steps, values, threshold):
    hit = np.flatnonzero(np.asarray(values) >= threshold)
    return int(hit[0]) if len(hit) else None         # the evaluation's index, not its step


def _wrong_last_crossing(steps, values, threshold):
    hit = np.flatnonzero(np.asarray(values) >= threshold)
    return int(np.asarray(steps)[hit[-1]]) if len(hit) else None   # the last time at the level


def _curve(rng, n):
    """An evaluated curve that rises, peaks and erodes (values on a 1/20 grid, as 20 held-out leaves give)."""
    every = int(rng.choice([25, 50, 100]))
    steps = [every * (i + 1) for i in range(n)]
    rise = np.minimum(1.0, np.arange(1, n + 1) / rng.integers(2, 5))
    fall = np.clip(1 - 0.08 * np.maximum(0, np.arange(n) - rng.integers(3, 6)), 0.2, 1)
    values = np.round(20 * rise * fall * rng.uniform(0.9, 1.0, n)) / 20
    return steps, [float(v) for v in values]


def _first_cases(rng):
    cases = []
    for k in range(4):
        steps, values = _curve(rng, int(rng.integers(10, 16)))
        threshold = float(sorted(set(values))[-2]) if k < 3 else 1.01   # a level the curve lands on; one it never reaches
        cases.append(Case(f"{len(steps)} evaluations every {steps[0]} steps, threshold {threshold:.2f}",
                          (steps, values, threshold)))
    return cases


check_first_step_at = checker(Exercise(
    "first_step_at", "10", 1, "the first step at which a metric reaches a threshold", first_step_at, _first_cases,
    hint="walk the evaluations in order and return the step (not the index) of the first value >= the threshold",
    wrong=(_wrong_strictly_above, _wrong_index, _wrong_last_crossing)))
__all__ += ["check_first_step_at", "first_step_at"]


def peak_share_kept(steps, values, factor=10):
    """How much of its peak a curve keeps at ``factor`` × the step of the peak: the value at the last
    evaluation at or before that step, divided by the peak (the first evaluation holding the maximum).
    None when the run ends before ``factor`` × the peak step."""
    steps, values = np.asarray(steps), np.asarray(values, dtype=float)
    i = int(np.argmax(values))
    target = factor * steps[i]
    if steps[-1] < target:
        return None
    later = values[np.flatnonzero(steps <= target)[-1]]
    return float(later / values[i])


def _wrong_first_after(steps, values, factor=10):
    steps, values = np.asarray(steps), np.asarray(values, dtype=float)
    i = int(np.argmax(values))
    target = factor * steps[i]
    if steps[-1] < target:
        return None
    return float(values[np.flatnonzero(steps >= target)[0]] / values[i])   # the evaluation after, not before


def _wrong_final(steps, values, factor=10):
    steps, values = np.asarray(steps), np.asarray(values, dtype=float)
    i = int(np.argmax(values))
    if steps[-1] < factor * steps[i]:
        return None
    return float(values[-1] / values[i])             # the end of the run, wherever 10x falls


def _wrong_worst(steps, values, factor=10):
    steps, values = np.asarray(steps), np.asarray(values, dtype=float)
    i = int(np.argmax(values))
    target = factor * steps[i]
    if steps[-1] < target:
        return None
    return float(values[i:][steps[i:] <= target].min() / values[i])   # the lowest point, not the value at 10x


def _share_cases(rng):
    cases = []
    for k in range(4):
        n = 40 if k < 3 else 6
        every = int(rng.choice([25, 50]))
        steps = [every * (i + 1) for i in range(n)]
        peak_at = int(rng.integers(1, 3))
        wiggle = rng.uniform(0, 0.3, n)
        values = [float(round(min(1.0, (i + 1) / (peak_at + 1)) * (1 - 0.4 * (i > peak_at) * wiggle[i]), 2))
                  for i in range(n)]
        if k == 1:                                   # 10x the peak step falls between two evaluations
            steps = [s + (7 if i > 4 * peak_at else 0) for i, s in enumerate(steps)]
        cases.append(Case(f"{n} evaluations, peak near step {steps[peak_at]}{', run too short' if k == 3 else ''}",
                          (steps, values)))
    return cases


check_peak_share_kept = checker(Exercise(
    "peak_share_kept", "10", 2, "share of the peak kept at 10× its step", peak_share_kept, _share_cases,
    hint="find the peak and its step; take the last evaluation at or before 10× that step (None if the run "
         "ends sooner) and divide its value by the peak",
    wrong=(_wrong_first_after, _wrong_final, _wrong_worst)))
__all__ += ["check_peak_share_kept", "peak_share_kept"]


# ---------------------------------------------------------------- 11: where wrong first hops land
def wrong_first_hops(paths, held_out, predicted):
    """Sort the wrong first-hop answers of held-out leaves. ``paths``: (d, ℓ) root → leaf node ids, column
    1 the first hop; ``held_out``: the held-out path indices; ``predicted``: the node predicted as v1 for
    each. Returns (share of the wrong answers that are another arm's first hop, share that are a node of
    the leaf's own arm); (0.0, 0.0) when none is wrong."""
    first_hops = set(paths[:, 1].tolist())
    other_v1 = own_arm = wrong = 0
    for i, p in zip(held_out, predicted):
        if p == paths[i, 1]:
            continue
        wrong += 1
        own_arm += int(p in paths[i])
        other_v1 += int(p in first_hops)
    return (other_v1 / wrong, own_arm / wrong) if wrong else (0.0, 0.0)


def _wrong_over_all(paths, held_out, predicted):
    first_hops = set(paths[:, 1].tolist())
    wrong = [(i, p) for i, p in zip(held_out, predicted) if p != paths[i, 1]]
    n = len(held_out)                                # shares of all held-out leaves, not of the wrong ones
    return (sum(p in first_hops for _, p in wrong) / n, sum(p in paths[i] for i, p in wrong) / n) if wrong else (0.0, 0.0)


def _wrong_keeps_correct(paths, held_out, predicted):
    first_hops = set(paths[:, 1].tolist())
    pairs = list(zip(held_out, predicted))           # the right answers are counted too
    other = sum(p in first_hops and p != paths[i, 1] for i, p in pairs)
    own = sum(p in paths[i] for i, p in pairs)
    return other / len(pairs), own / len(pairs)


def _wrong_first_hops_cases(rng):
    cases = []
    for k in range(4):
        d, l = int(rng.integers(6, 15)), int(rng.integers(4, 8))
        paths = rng.permutation(1 + d * (l - 1))[1:].reshape(d, l - 1)
        paths = np.concatenate([np.zeros((d, 1), dtype=int), paths], axis=1)
        held_out = np.sort(rng.choice(d, size=max(3, d // 2), replace=False))
        predicted = []
        for i in held_out:
            kind = rng.choice(["right", "other v1", "own arm", "elsewhere"], p=[0.3, 0.3, 0.25, 0.15])
            other = int(rng.choice([j for j in range(d) if j != i]))
            predicted.append(int(paths[i, 1] if kind == "right" else paths[other, 1] if kind == "other v1"
                                 else rng.choice(paths[i, 2:]) if kind == "own arm" else paths[other, -1]))
        if k == 3:
            predicted = [int(paths[i, 1]) for i in held_out]   # every answer right
        cases.append(Case(f"d={d}, ℓ={l}, {len(held_out)} held-out leaves{', all right' if k == 3 else ''}",
                          (paths, held_out, predicted)))
    return cases


check_wrong_first_hops = checker(Exercise(
    "wrong_first_hops", "11", 2, "where wrong first hops land", wrong_first_hops, _wrong_first_hops_cases,
    hint="skip the right answers; of the wrong ones, count those that are some arm's first hop and those "
         "that lie on the leaf's own path, and divide both by the number of wrong answers",
    wrong=(_wrong_over_all, _wrong_keeps_correct)))
__all__ += ["check_wrong_first_hops", "wrong_first_hops"]


# ---------------------------------------------------------------- 11: a start that carries the geometry
def carry_start(coords, width):
    """Chapter 11's undiluted start: an (n × width) embedding whose first k columns are ``coords``
    (n × k) rescaled so the rows' mean norm is 1, and whose other columns are exactly 0 — so the cosine
    geometry of the start is that of the coordinates alone (``models.carry_embeddings``)."""
    coords = np.asarray(coords, dtype=float)
    E = np.zeros((coords.shape[0], width))
    E[:, :coords.shape[1]] = coords / np.linalg.norm(coords, axis=1).mean()
    return E


def _wrong_std_scaled(coords, width):
    coords = np.asarray(coords, dtype=float)
    E = np.zeros((coords.shape[0], width))
    E[:, :coords.shape[1]] = coords * (0.02 / coords.std())    # the init std: the diluted start's scale
    return E


def _wrong_random_rest(coords, width):
    coords = np.asarray(coords, dtype=float)
    E = np.random.default_rng(0).normal(0, 0.02, (coords.shape[0], width))  # the other columns left random
    E[:, :coords.shape[1]] = coords / np.linalg.norm(coords, axis=1).mean()
    return E


def _wrong_each_row(coords, width):
    coords = np.asarray(coords, dtype=float)
    E = np.zeros((coords.shape[0], width))
    E[:, :coords.shape[1]] = coords / np.linalg.norm(coords, axis=1, keepdims=True)  # every row to norm 1
    return E


def _carry_cases(rng):
    cases = []
    for n, k, width in ((9, 2, 6), (40, 16, 32), (25, 5, 5)):
        scale = rng.uniform(0.5, 3.0, size=(n, 1))              # rows of different norms
        cases.append(Case(f"{n} nodes, k={k}, width {width}", (rng.standard_normal((n, k)) * scale, width)))
    return cases


check_carry_start = checker(Exercise(
    "carry_start", "11", 1, "a start that carries the geometry, undiluted", carry_start, _carry_cases,
    hint="put the coordinates in the first k columns, divide them all by one number (the mean of the rows' "
         "norms), and leave every other entry exactly 0",
    wrong=(_wrong_std_scaled, _wrong_random_rest, _wrong_each_row)))
__all__ += ["check_carry_start", "carry_start"]
