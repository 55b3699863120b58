"""Figures of the scaling chapters (09–11): the phase diagrams over d × ℓ (with a colour bar) and the
erosion probe. Split from ``plotting`` (one concern a module); the style and shared curves stay there."""
from __future__ import annotations

import numpy as np


# ---------------------------------------------------------------- phase diagram (chapter 09)
def plot_phase_diagram(results: list, ax, width: int, depth: int, metric: str = "test_exact", title: str | None = None):
    """Held-out accuracy over graph size d (columns) and path length l (rows) for one model size, from
    ``sweeps.load_results`` rows (``sweeps.phase_grid``); each cell is annotated with its value (chapter
    09, paper §2's in-weights task at laptop scale). A model size with no stored result is a ValueError."""
    from .experiments.sweeps import phase_grid
    grid = phase_grid(results, width, depth, metric)
    return _draw_grid(grid, ax, title or f"width {width}, depth {depth}: held-out exact match")


def _draw_grid(grid: dict, ax, title: str, spread: tuple | None = None):
    """An ℓ × d grid of accuracies as an annotated image (``spread``: (low, high) grids shown under
    each value, e.g. the seeds' min and max)."""
    ds, ls, M = grid["d"], grid["l"], grid["values"]
    im = ax.imshow(M, cmap="viridis", vmin=0, vmax=1, origin="lower", aspect="auto")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="held-out exact match")
    for i in range(len(ls)):
        for j in range(len(ds)):
            if not np.isnan(M[i, j]):
                colour = "k" if M[i, j] > 0.5 else "w"
                ax.text(j, i, f"{M[i, j]:.2f}", ha="center", va="center", fontsize=7, color=colour)
                if spread is not None:
                    lo, hi = spread[0]["values"][i, j], spread[1]["values"][i, j]
                    ax.text(j, i - 0.3, f"{lo:.2f}–{hi:.2f}", ha="center", va="center", fontsize=5, color=colour)
    ax.set_xticks(range(len(ds)), ds)
    ax.set_yticks(range(len(ls)), ls)
    ax.set_xlabel("d (arms)")
    ax.set_ylabel("ℓ (nodes per arm)")
    ax.set_title(title, fontsize=9)
    return ax


def plot_budget_diagram(results: list, ax, pauses: str, metric: str = "test_exact"):
    """Chapter 09's budget phase diagram (``experiments.longer``) for one pause setting ("one" or
    "paper": ℓ pauses): the seeds' mean of the final ``metric`` per (ℓ, d) cell, their min–max below."""
    from .experiments.longer import BUDGET_SECONDS, budget_grid
    grids = [budget_grid(results, pauses, metric, reduce) for reduce in ("mean", "min", "max")]
    name = "1 pause" if pauses == "one" else "ℓ pauses (the paper's count)"
    return _draw_grid(grids[0], ax, f"{name}, {BUDGET_SECONDS} s per run: held-out exact (seed mean)",
                      spread=(grids[1], grids[2]))


def plot_erosion(probe: dict, axes, chance: float | None = None):
    """Chapter 09's erosion probe (``experiments.erosion.ErosionProbe`` result) on three axes: held-out
    exact match of each recipe over training; teacher-forced accuracy per target position on held-out
    paths for the first recipe (only v1 erodes); the v1 readout margin (true logit − best other) on
    held-out and training leaves, with the leaf ↔ first-hop nearest-own score of the embeddings."""
    if len(axes) != 3:
        raise ValueError(f"axes: plot_erosion draws on 3 axes, got {len(axes)}")
    labels = list(probe)
    colours = dict(zip(labels, ("tab:red", "tab:blue", "tab:green")))
    for label in labels:
        ev = probe[label]["evals"]
        steps = [e["step"] for e in ev]
        axes[0].plot(steps, [e["test_exact"] for e in ev], color=colours[label], label=label)
        axes[2].plot(steps, [e["margin_test"] for e in ev], color=colours[label], label=f"{label}: held-out leaves")
        axes[2].plot(steps, [e["margin_train"] for e in ev], color=colours[label], ls=":",
                     label=f"{label}: training leaves")
    if chance is not None:
        axes[0].axhline(chance, color="grey", ls="--", lw=0.8, label="chance")
    axes[0].set(xlabel="step", ylabel="held-out exact match", ylim=(-0.03, 1.03), title="held-out paths")
    axes[0].legend(fontsize=7)
    ev = probe[labels[0]]["evals"]
    pos = np.array([e["test_positions"] for e in ev])
    names = ["root", "v1 (first hop)", *[f"v{i}" for i in range(2, pos.shape[1] - 1)], "leaf"]
    for j in range(pos.shape[1]):
        axes[1].plot([e["step"] for e in ev], pos[:, j], label=names[j], lw=2.2 if j == 1 else 1.0)
    axes[1].plot([e["step"] for e in ev], [e["nearest_own"] for e in ev], color="k", ls="--", lw=1,
                 label="embeddings: leaf's nearest v1 is its own")
    axes[1].set(xlabel="step", ylabel="teacher-forced accuracy", ylim=(-0.03, 1.03), title=f"{labels[0]}: by position")
    axes[1].legend(fontsize=7)
    axes[2].axhline(0, color="grey", lw=0.8)
    axes[2].set(xlabel="step", ylabel="v1 logit margin", title="readout of v1 (teacher-forced)")
    axes[2].legend(fontsize=6)
