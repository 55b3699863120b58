"""What every chapter's first cell calls: the figure style, one seed, and which mode is on.

A chapter opens with five lines: import ``start`` (or print the one install command when the kernel lacks
the collection) and call it. Keeping the set-up here means a student's first cell never grows.
"""
from __future__ import annotations

from . import __version__
from .config import quick_mode, set_seed
from .plotting import set_style


def start(seed: int = 0) -> None:
    """Set the shared figure style, seed python, numpy and torch with ``seed``, and say which mode is on
    (quick mode: ``GEOMEM_QUICK=1``, small graphs and few steps; default: the learner's sizes)."""
    set_style()
    set_seed(seed)
    mode = "quick mode (small graphs, few steps)" if quick_mode() else "default mode (the learner's sizes)"
    print(f"geomem {__version__} · {mode} · seed {seed}")
