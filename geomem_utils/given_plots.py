"""Figures of chapter 11's undiluted start (``experiments.given_geometry``): held-out accuracy and the
live geometry over training per start, and where the held-out first hops land at the end."""
from __future__ import annotations

import numpy as np

from .experiments.given_geometry import GIVEN_DIR, cell_results

COLOURS = {"spectral k=16": "tab:blue", "spectral k=2": "tab:cyan", "spectral k=64": "tab:purple",
           "random k=16 (control)": "tab:grey", "Node2Vec k=16": "tab:orange", "today's start (diluted)": "tab:red"}


def plot_given_curves(configs, d: int, l: int, ax, metric: str = "test_exact", labels=None, out_dir=GIVEN_DIR):
    """``metric`` over training steps on G_(d,ℓ), one colour per start and one line per seed (stored runs
    only; nothing is trained). A chance line at 1/d for the path metrics."""
    cells = {label: rs for (dd, ll, label), rs in cell_results(configs, out_dir).items() if (dd, ll) == (d, l)}
    for label, rs in cells.items():
        if labels is not None and label not in labels:
            continue
        for i, r in enumerate(r for r in rs if r is not None):
            ax.plot([0] + r["curve"]["steps"], [r["at_start"][metric]] + r["curve"][metric],
                    color=COLOURS.get(label, "k"), lw=1.4, alpha=0.8, label=label if i == 0 else None)
    if metric.startswith("test_") or metric == "navigation":
        ax.axhline(1 / d, color="k", ls=":", lw=0.8, label=f"chance 1/d = {1 / d:.3f}")
    names = {"test_exact": "held-out exact match", "navigation": "one-step navigation (live embeddings)",
             "test_first_hop": "held-out first hop"}
    ax.set(xlabel="training step", ylabel=names.get(metric, metric), ylim=(-0.03, 1.03), title=f"G_({d},{l})")
    ax.legend(fontsize=6, loc="center right")
    return ax


def first_hop_landing(results: list[dict]) -> tuple[float, float, float]:
    """Seed means at the end of training: (first hop right, wrong and another arm's first hop, wrong
    and elsewhere) for one cell's stored runs."""
    right = np.mean([r["final"]["test_first_hop"] for r in results])
    other = np.mean([(1 - r["final"]["test_first_hop"]) * (r["final"]["wrong_to_other_first_hop"] or 0.0)
                     for r in results])
    return float(right), float(other), float(1 - right - other)


def plot_first_hop_landing(configs, d: int, l: int, ax, out_dir=GIVEN_DIR):
    """Stacked bars per start on G_(d,ℓ): the share of held-out leaves whose decoded first hop is right,
    wrong but another arm's first hop (the lookup "answer some first hop"), or wrong elsewhere."""
    cells = {label: [r for r in rs if r is not None] for (dd, ll, label), rs in cell_results(configs, out_dir).items()
             if (dd, ll) == (d, l)}
    cells = {k: v for k, v in cells.items() if v}
    shares = np.array([first_hop_landing(rs) for rs in cells.values()])
    x = np.arange(len(cells))
    bottom = np.zeros(len(cells))
    for j, (name, colour) in enumerate((("right first hop", "tab:green"), ("another arm's first hop", "tab:red"),
                                        ("elsewhere", "tab:grey"))):
        ax.bar(x, shares[:, j], bottom=bottom, color=colour, label=name)
        bottom += shares[:, j]
    ax.set_xticks(x, [k.replace(" (control)", "\n(control)").replace(" (diluted)", "\n(diluted)") for k in cells],
                  fontsize=6)
    ax.set(ylabel="share of held-out leaves", ylim=(0, 1.02), title=f"G_({d},{l}): where the decoded first hop lands")
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
