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
    """Chapter 10's erosion probe and chapter 11's ℓ = 8 probe (an ``experiments.erosion.ErosionProbe``
    result) on three axes: held-out exact match of each recipe over training; teacher-forced accuracy per
    target position on held-out paths for the first recipe (only v1 erodes); the v1 readout margin (true
    logit − best other) on held-out and training leaves, with the leaf ↔ first-hop nearest-own score of
    the embeddings."""
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


# ---------------------------------------------------------------- learning curves and cost (chapter 09)
def plot_learning_curves(results: list, ax, d: int = 1000, width: int = 128, depth: int = 2):
    """Held-out exact match over training steps of the phase diagram's runs on G_(d,ℓ) for every ℓ, one
    model size (chapter 09). A (d, model size) with no stored run is a ValueError."""
    runs = sorted((r for r in results if r["config"]["graph"]["d"] == d and r["config"]["model"]["width"] == width
                   and r["config"]["model"]["depth"] == depth), key=lambda r: r["config"]["graph"]["l"])
    if not runs:
        raise ValueError(f"d: no stored phase-diagram run with d={d}, width {width}, depth {depth}")
    for r in runs:
        ax.plot(r["curve"]["steps"], r["curve"]["test_exact"], label=f"ℓ = {r['config']['graph']['l']} ({r['nodes']:,} nodes)")
    ax.axhline(1 / d, color="grey", ls="--", lw=0.8, label="chance of the first hop (1/d)")
    ax.set(xlabel="training step", ylabel="held-out exact match", ylim=(-0.03, 1.03),
           title=f"d = {d}, width {width}, depth {depth}")
    ax.legend(fontsize=7)
    return ax


def plot_cost(fits: dict, memory_rows: list, mem_fits: dict, axes):
    """Chapter 09's cost figure on 3 axes, from ``sweeps.cost_fits`` and ``sweeps.memory_fits``: steps and
    training seconds to 70% and 90% held-out exact over node count (log–log, with their power laws), and
    the extra training memory over node count per softmax (with its linear fit)."""
    if len(axes) != 3:
        raise ValueError(f"axes: plot_cost draws on 3 axes, got {len(axes)}")
    nodes = fits["nodes"]
    grid = np.geomspace(nodes.min(), nodes.max(), 50)
    for thr, colour in ((0.7, "tab:orange"), (0.9, "tab:red")):
        for ax, key in ((axes[0], "steps"), (axes[1], "seconds")):
            a, c = fits[thr][f"{key}_fit"]
            ax.loglog(nodes, fits[thr][key], "o", color=colour, label=f"to {thr:.0%}: n^{a:.2f}")
            ax.loglog(grid, c * grid ** a, "--", color=colour, lw=1)
    axes[0].set(xlabel="nodes", ylabel="steps", title="steps to held-out exact match")
    axes[1].set(xlabel="nodes", ylabel="training seconds", title="wall time to it")
    for k, colour in ((0, "tab:purple"), (4096, "tab:green")):
        rows = [r for r in memory_rows if r["sampled_softmax"] == k]
        x, y = np.array([r["nodes"] for r in rows]), np.array([r["training_mb"] for r in rows])
        base, per_node = mem_fits[k]
        axes[2].plot(x, y, "o", color=colour, label=f"{'sampled' if k else 'full'} softmax: +{1000 * per_node:.1f} MB / 1k nodes")
        axes[2].plot(x, base + per_node * x, "--", color=colour, lw=1)
    axes[2].set(xlabel="nodes (= vocabulary size)", ylabel="extra MB to train", title="memory")
    ticks = [t for t in (200, 500, 1000, 2000, 4000, 8000) if 0.9 * nodes.min() <= t <= 1.1 * nodes.max()]
    for ax in axes[:2]:
        ax.minorticks_off()  # log axes: label a few round sizes, not every minor tick
        ax.set_xticks(ticks, [f"{t:,}" for t in ticks])
    for ax in axes:
        ax.legend(fontsize=7)
    return axes


# ---------------------------------------------------------------- stored runs over time (chapters 10-11)
_STYLE = {"test_exact": ("o-", "held-out exact"), "test_first_hop": ("s--", "held-out first hop"),
          "train_exact": ("^:", "training paths exact")}


def plot_runs(runs: dict, ax, metrics=("test_exact",), chance: float | None = None, title: str = "",
              x: str = "minutes"):
    """Curves of stored ``sweeps.run_config`` results (``{label: result}``; None entries are skipped) over
    training minutes (``x="minutes"``) or steps (``x="steps"``), one colour per run and one line style per
    metric, with the chance of the first hop as a dashed line when given."""
    if x not in ("minutes", "steps"):
        raise ValueError(f"x: 'minutes' or 'steps', got {x!r}")
    for (label, r), colour in zip(runs.items(), ("tab:red", "tab:purple", "tab:green", "tab:blue", "tab:olive")):
        if r is None:
            continue
        c = r["curve"]
        xs = np.array(c["seconds"]) / 60 if x == "minutes" else c["steps"]
        for m in (m for m in metrics if m in c):   # a metric a run did not record is left out
            style, name = _STYLE.get(m, ("-", m))
            ax.plot(xs, c[m], style, color=colour, ms=3, label=f"{label}: {name}")
    if chance is not None:
        ax.axhline(chance, color="black", ls="--", lw=0.8, label="chance of the first hop (1/d)")
    ax.set(xlabel="training minutes" if x == "minutes" else "training step", ylabel="accuracy",
           ylim=(-0.03, 1.03), title=title)
    ax.legend(fontsize=6)
    return ax
