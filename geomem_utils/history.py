"""What a training run records, and the one helper that reads "when did it get there" off a curve.

``History`` holds the loss of every step and the evaluations made along the way. ``first_passage`` is
the only steps-to-threshold rule in the package (claim C3's learning order, P1's time-to-90%, chapter
08's steps-to-50%, chapter 09's cost fits all use it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import check_int

# The path-star metrics every chapter reads (``evaluation.path_star_metrics``); ``test_first_hop`` is
# the accuracy of v1, the first hop from the root (the paper's "hardest token").
CURVE_METRICS = ("test_exact", "test_first_hop", "train_exact", "edge_recovery")


def first_passage(steps, values, threshold: float):
    """Index-free steps-to-threshold: the first entry of ``steps`` whose value is >= ``threshold``
    (None if none is). ``steps`` may hold steps, seconds, or (step, seconds) pairs."""
    values = np.asarray(values, dtype=float)
    hit = np.flatnonzero(values >= threshold)
    if not len(hit):
        return None
    s = steps[int(hit[0])]
    return tuple(s) if isinstance(s, (tuple, list)) else s.item() if hasattr(s, "item") else s


def log_spaced_steps(steps: int, per_decade: int = 10) -> list[int]:
    """Step counts 1 … ``steps`` spaced evenly on a log axis (every step at first): evaluation points
    for dynamics with one fast and one slow time scale."""
    steps = check_int("steps", steps, minimum=1)
    return sorted(set(np.unique(np.geomspace(1, steps, per_decade * max(1, int(np.log10(steps))) + 1)
                                .round().astype(int)).tolist()))


@dataclass
class History:
    """Metrics over training: ``loss`` every step, evaluation dicts every ``eval_every`` steps."""

    loss: list = field(default_factory=list)
    evals: list = field(default_factory=list)   # [{"step": s, "time": t, metric: value, ...}]
    wall_time: float = 0.0

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of one evaluated metric."""
        rows = [e for e in self.evals if name in e]
        return np.array([e["step"] for e in rows]), np.array([e[name] for e in rows])

    def curves(self, names=CURVE_METRICS) -> dict:
        """Plain learning curves for storage: ``steps`` and one list per metric in ``names`` (a
        per-position metric gives one list of floats per evaluation)."""
        plain = lambda v: [float(x) for x in v] if np.ndim(v) else float(v)  # noqa: E731
        return dict(steps=[int(e["step"]) for e in self.evals], **{n: [plain(e[n]) for e in self.evals] for n in names})

    def last(self, name: str):
        return self.series(name)[1][-1]

    def first_step(self, name: str, threshold: float, position: int | None = None) -> int | None:
        """The first evaluated step at which metric ``name`` (column ``position`` of a per-position
        metric) is >= ``threshold``; None if it never is (``first_passage``)."""
        steps, values = self.series(name)
        if position is not None:
            values = values[:, position] if len(values) else values
        hit = first_passage(steps, values, threshold)
        return None if hit is None else int(hit)
