"""Figures shared by the notebooks: one style, the star drawing, training curves, heatmaps, scatters.

``set_style``      every notebook's first cell (small PNG figures, fixed size: nbval compares the
                   ``<Figure size ...>`` text and large figures bloat the stored notebooks).
``draw_star``      chapter 01: a path-star / tree-star with coloured arms, its root and held-out leaves
                   (paper §2, Fig. 2).
``plot_training``, ``plot_positions``, ``plot_contrast``, ``plot_attention``  chapters 02–03: loss and
                   accuracies over training, learning order, controls, attention maps (claims C1–C5).
``plot_score_heatmaps``  chapter 00: the score of every first hop for every leaf under each kind of memory.
``plot_seed_bands``  chapters 03b, 08: a search's cells, mean over seeds with the min–max band (issue 19).
``plot_distance_heatmap``, ``plot_embedding_2d``  chapter 04: the leaf <-> first-hop heatmap and the
                   embedding scatter coloured by arm (paper §3, claim C6).
The phase diagrams and the erosion probe of chapters 09–11 are in ``scaling_plots``.

The tiny-graph and spectral figures of chapters 05–07 are in ``memory_plots``. Every function returns
its figure / axes and prints nothing, so a cell never ends on a repr.
"""
from __future__ import annotations

import os

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.lines import Line2D

from .graphs import Graph
from .history import History

FIGSIZE = (6.0, 3.6)
DPI = 80

# metric name in History -> (legend label, colour, marker, line width)
TRAINING_METRICS = {
# (exact match is drawn thick underneath: on held-out leaves it often equals the first-hop accuracy)
    "test_exact": ("held-out leaves: exact match", "tab:red", "o", 2.8),
    "test_first_hop": ("held-out leaves: first hop v1", "tab:orange", "^", 1.2),
    "train_exact": ("training leaves: exact match", "tab:blue", "s", 2.8),
    "edge_recovery": ("edge recovery (top-k)", "tab:green", "D", 1.2),
}


def set_style(figsize: tuple = FIGSIZE, dpi: int = DPI) -> None:
    """Fix figure size, a low dpi and inline PNG output (every notebook's first cell).

    PNG rather than SVG because nbval ignores images but would compare SVG text; the low dpi keeps
    each stored notebook small. ``GEOMEM_FIGURE_FORMAT=retina`` (set by the site build) emits the same
    figures at twice the pixels for high-density screens.
    """
    mpl.rcParams.update({
        "figure.figsize": tuple(figsize), "figure.dpi": dpi, "savefig.dpi": dpi,
        "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
        "axes.spines.top": False, "axes.spines.right": False, "figure.autolayout": False,
    })
    try:  # only inside IPython / Jupyter
        from IPython import get_ipython
        if get_ipython() is not None:
            from matplotlib_inline.backend_inline import set_matplotlib_formats
            set_matplotlib_formats("retina" if os.environ.get("GEOMEM_FIGURE_FORMAT") == "retina" else "png")
    except ImportError:  # pragma: no cover - matplotlib-inline ships with ipykernel
        pass


# ---------------------------------------------------------------- graph drawing (chapter 01)
def arm_colours(n_arms: int) -> np.ndarray:
    """One RGBA colour per arm: tab10 / tab20 for few arms, well-spread hues beyond."""
    if n_arms <= 10:
        return plt.get_cmap("tab10")(np.arange(n_arms))
    if n_arms <= 20:
        return plt.get_cmap("tab20")(np.arange(n_arms))
    # golden-ratio hue steps: neighbouring arms (drawn side by side) get clearly different colours
    return plt.get_cmap("hsv")((np.arange(n_arms) * 0.618034) % 1.0)


def _radial_positions(graph: Graph, arms: np.ndarray) -> dict:
    """Arms as rays around the root (depth = radius); tree-star branches fan out inside their wedge."""
    pos = {graph.root: np.zeros(2)}
    arm = graph.arm_of()
    keep = np.isin(arm[graph.paths[:, 1]], arms)
    paths = graph.paths[keep]
    n_paths = len(paths)
    # every root-to-leaf path gets its own angle; a node sits at the mean angle of the paths through it
    offset = max(0.0, (len(arms) - 8) / 8)  # push crowded inner rings outwards when there are many arms
    angles: dict[int, list[float]] = {}
    for i, p in enumerate(paths):
        a = 2 * np.pi * i / n_paths
        for j, v in enumerate(p[1:], start=1):
            angles.setdefault(int(v), []).append(a)
            pos.setdefault(int(v), j + offset)
    for v, a in angles.items():
        mean = np.angle(np.mean(np.exp(1j * np.asarray(a))))
        pos[v] = pos[v] * np.array([np.cos(mean), np.sin(mean)])
    return pos


def draw_star(graph: Graph, ax=None, highlight=None, held_out=None, max_arms: int = 30,
              labels: bool | None = None, seed: int = 0, layout: str = "auto",
              highlight_label: str = "highlighted path"):
    """Draw a path-star G_{d,l} or tree-star T_{d,l} (paper §2, Fig. 2); returns the axes.

    Parameters
    ----------
    graph : a star ``Graph`` (other graphs are drawn in one colour with a seeded spring layout).
    highlight : node ids of a path to emphasise (e.g. ``graph.paths[i]``), drawn as thick black edges
        and named ``highlight_label`` in the legend.
    held_out : node ids of the held-out leaves (e.g. ``graph.leaves[task.test_paths]``): drawn as squares.
    max_arms : for larger d only this many arms are drawn (the highlighted ones first); the title says so.
    labels : print node ids on the nodes (default: when at most 40 nodes are drawn).
    layout : ``"radial"`` (arms as rays, depth = radius), ``"spring"`` (networkx spring layout, seeded,
        started from the radial one) or ``"auto"``: radial for path-stars, spring for tree-stars.
    """
    if not isinstance(graph, Graph):
        raise ValueError(f"graph must be a geomem_utils Graph, got {type(graph).__name__}")
    if layout not in ("auto", "spring", "radial"):
        raise ValueError(f"layout must be 'auto', 'spring' or 'radial', got {layout!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.6))
    G = graph.to_networkx()
    highlight = [] if highlight is None else [int(v) for v in np.asarray(highlight).ravel()]
    held = set() if held_out is None else {int(v) for v in np.asarray(held_out).ravel()}

    if graph.paths is None:  # not a star: plain drawing
        pos = nx.spring_layout(G, seed=seed)
        nx.draw_networkx(G, pos, ax=ax, node_size=120, node_color="tab:gray", font_size=7,
                         with_labels=graph.n <= 40 if labels is None else labels)
        ax.set_title(graph.name)
        ax.set_axis_off()
        return ax

    arm = graph.arm_of()
    d = int(arm.max()) + 1
    arms = np.arange(d)
    if d > max_arms:  # highlighted arms first, then evenly spaced others
        first = sorted({int(arm[v]) for v in highlight if arm[v] >= 0})
        rest = [a for a in np.linspace(0, d - 1, max_arms).round().astype(int) if a not in first]
        arms = np.array(sorted(set(first + rest[: max_arms - len(first)])))
    nodes = [graph.root] + np.flatnonzero(np.isin(arm, arms)).tolist()
    H = G.subgraph(nodes)
    pos = _radial_positions(graph, arms)
    if layout == "auto":
        layout = "radial" if graph.params.get("family") in ("path_star", "tiny_star") else "spring"
    if layout == "spring":
        pos = nx.spring_layout(H, pos=pos, seed=seed, iterations=30)
    colours = arm_colours(d)
    leaves = set(graph.leaves.tolist())

    nx.draw_networkx_edges(H, pos, ax=ax, edge_color="0.75", width=1.0)
    if len(highlight) > 1:
        hl_edges = [(u, v) for u, v in zip(highlight[:-1], highlight[1:]) if H.has_edge(u, v)]
        nx.draw_networkx_edges(H, pos, edgelist=hl_edges, ax=ax, edge_color="k", width=3.0)
    small = len(nodes) <= 40
    size = 170 if small else max(25, 2500 // len(nodes))
    inner = [v for v in nodes if v != graph.root and v not in leaves]
    for group, marker in ((inner, "o"), ([v for v in nodes if v in leaves and v not in held], "o"),
                          ([v for v in nodes if v in held], "s")):
        if group:
            nx.draw_networkx_nodes(H, pos, nodelist=group, ax=ax, node_shape=marker, node_size=size,
                                   node_color=[colours[arm[v]] for v in group],
                                   edgecolors=["k" if v in held else "w" for v in group],
                                   linewidths=[2.0 if v in held else 0.5 for v in group])
    nx.draw_networkx_nodes(H, pos, nodelist=[graph.root], ax=ax, node_shape="*", node_size=size * 2,
                           node_color="gold", edgecolors="k", linewidths=1.0)
    if labels if labels is not None else small:
        nx.draw_networkx_labels(H, pos, ax=ax, font_size=7)

    p = graph.params
    families = {"path_star": "path-star G", "tiny_star": "path-star G", "tree_star": "tree-star T"}
    name = families.get(p.get("family"), graph.name)
    title = f"{name}$_{{{p.get('d', d)},{p.get('l', '')}}}$: {graph.n} nodes" if "d" in p else graph.name
    if len(arms) < d:
        title += f" (showing {len(arms)} of {d} arms)"
    ax.set_title(title)
    handles = [Line2D([], [], marker="*", ls="", color="gold", mec="k", ms=12, label="root")]
    if held:
        handles.append(Line2D([], [], marker="s", ls="", color="0.7", mec="k", mew=2, ms=8,
                              label="held-out leaf"))
    if len(highlight) > 1:
        handles.append(Line2D([], [], color="k", lw=3, label=highlight_label))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles), frameon=False)
    ax.set_axis_off()
    ax.margins(0.08)
    return ax


# ---------------------------------------------------------------- training curves (chapter 02)
def plot_training(history: History, chance: float, ax=None):
    """Loss and path accuracies over training (paper §2, claim C2); returns ``(fig, (ax_loss, ax_acc))``.

    Left: training loss per step (log scale). Right: held-out exact match, held-out first-hop
    (v1) accuracy, training-leaf exact match and edge recovery at each evaluation, with the
    first-hop chance level 1/d dashed. ``ax`` may be a pair of axes to draw into.
    """
    if not isinstance(history, History):
        raise ValueError(f"history must be a geomem_utils History, got {type(history).__name__}")
    if ax is None:
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8.5, 3.2))
    else:
        ax_loss, ax_acc = ax
        fig = ax_loss.figure
    loss = np.asarray(history.loss, dtype=float)
    if len(loss):
        ax_loss.plot(np.arange(1, len(loss) + 1), loss, color="0.3", lw=1.0, label="training loss")
        if np.all(loss > 0):
            ax_loss.set_yscale("log")
            plain = mpl.ticker.FuncFormatter(lambda y, _: f"{y:g}")
            ax_loss.yaxis.set_major_formatter(plain)
            if loss.max() / loss.min() < 30:  # under ~1.5 decades: label the minor ticks too
                ax_loss.yaxis.set_minor_formatter(plain)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("cross-entropy on targets")
    ax_loss.set_title("training loss")
    ax_loss.legend(loc="upper right")

    for name, (label, colour, marker, lw) in TRAINING_METRICS.items():
        steps, values = history.series(name)
        if len(steps):
            ax_acc.plot(steps, values, color=colour, marker=marker, ms=3, lw=lw, label=label)
    ax_acc.axhline(chance, color="k", ls="--", lw=1.0, label=f"chance of the first hop (1/d = {chance:.3g})")
    ax_acc.set_ylim(-0.03, 1.03)
    ax_acc.set_xlabel("step")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_title("path-finding and edge memorization")
    ax_acc.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig, (ax_loss, ax_acc)


def plot_positions(steps, accuracy, labels=None, ax=None, chance=None, title=None):
    """Per-position accuracy over training (learning order, claims C1 and C3): one line per target
    position. ``accuracy`` is (evaluations, positions)."""
    accuracy = np.asarray(accuracy)
    if ax is None:
        _, ax = plt.subplots()
    labels = labels or [f"target {i}" for i in range(accuracy.shape[1])]
    colours = plt.cm.viridis(np.linspace(0, 0.9, accuracy.shape[1]))
    for i, (lab, c) in enumerate(zip(labels, colours)):
        ax.plot(steps, accuracy[:, i], marker=".", color=c, label=lab)
    if chance is not None:
        ax.axhline(chance, ls="--", color="k", lw=1, label=f"chance ({chance:.2g})")
    ax.set_xlabel("step")
    ax.set_ylabel("teacher-forced accuracy")
    ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title)
    return ax


def plot_seed_bands(curves: dict, ax=None, chance: float | None = None, ylabel: str = "held-out exact match",
                    title=None, colours=None):
    """One line per cell of a search (the mean over seeds) with the seeds' min–max as a band (issue 19's
    searches). ``curves`` is ``{label: (steps, values (seeds, evaluations))}``."""
    if ax is None:
        _, ax = plt.subplots()
    colours = colours or plt.cm.tab10(np.arange(len(curves)) % 10)
    for (label, (steps, values)), c in zip(curves.items(), colours):
        values = np.asarray(values, dtype=float)
        ax.plot(steps, values.mean(0), color=c, lw=1.6, label=f"{label} ({len(values)} seeds)")
        ax.fill_between(steps, values.min(0), values.max(0), color=c, alpha=0.18, lw=0)
    if chance is not None:
        ax.axhline(chance, ls="--", color="k", lw=1, label=f"chance ({chance:.2g})")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=7, loc="best")
    if title:
        ax.set_title(title)
    return ax


def plot_seed_lines(curves: dict, ncols: int = 4, chance: float | None = None, chance_label: str = "chance",
                    ylabel: str = "held-out exact match", title=None):
    """Small multiples, one panel per cell of a search and one line per seed: for curves that jump at a
    seed-dependent step, where a mean and a band would draw a slope no seed has. ``curves`` is
    ``{label: (steps, values (seeds, evaluations))}``; returns the figure."""
    n = len(curves)
    if n == 0:
        raise ValueError("curves is empty: no cell of the search has a stored run")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.2 * nrows), sharey=True, squeeze=False)
    for ax, (label, (steps, values)) in zip(axes.flat, curves.items()):
        for i, v in enumerate(np.asarray(values, dtype=float)):
            ax.plot(steps, v, lw=1.3, label=f"seed {i}")
        if chance is not None:
            ax.axhline(chance, ls="--", color="k", lw=0.8, label=chance_label)
        ax.set_title(label, fontsize=8)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("step", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6, loc="upper left")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_contrast(results: dict, metrics: dict, chance: float | None = None, ax=None, title=None):
    """Grouped bars: one group per metric, one bar per run (e.g. trainable vs frozen embeddings, C5).

    ``results`` maps a run name to a dict of metric values; ``metrics`` maps metric keys to labels.
    """
    if ax is None:
        _, ax = plt.subplots()
    names = list(results)
    x = np.arange(len(metrics))
    width = 0.8 / len(names)
    for j, name in enumerate(names):
        vals = [results[name][k] for k in metrics]
        bars = ax.bar(x + (j - (len(names) - 1) / 2) * width, vals, width, label=name)
        for b, val in zip(bars, vals):
            ax.text(b.get_x() + b.get_width() / 2, val + 0.02, f"{val:.2f}", ha="center", fontsize=7)
    if chance is not None:
        ax.axhline(chance, ls="--", color="k", lw=1, label=f"chance of the first hop ({chance:.2g})")
    ax.set_xticks(x, list(metrics.values()), fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=8, loc="upper right")
    if title:
        ax.set_title(title)
    return ax


def plot_attention(model, tokens, vocab, query_positions, layer: int = -1, ax=None, title=None):
    """Attention of one example (averaged over heads) from ``query_positions`` to every earlier token:
    the picture of the Clever Hans copy in the in-context task (claim C1)."""
    import torch
    x = torch.as_tensor(np.asarray(tokens)[None, :-1])
    with torch.no_grad():
        _, maps = model(x, return_attention=True)
    att = maps[layer][0].mean(0).numpy()[list(query_positions)]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 2.6))
    ax.imshow(att, aspect="auto", cmap="Greys", vmin=0)
    words = [vocab.token(t) for t in np.asarray(tokens)[:-1]]
    ax.set_xticks(range(len(words)), words, fontsize=6, rotation=90)
    ax.set_yticks(range(len(query_positions)),
                  [f"in: {words[q]} → next" for q in query_positions], fontsize=7)
    ax.set_xlabel("attended token (the prompt: edge list, then / start , goal =, then the path so far)")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_distance_heatmap(D: np.ndarray, ax=None, title: str | None = None, label: str = "cosine distance",
                          xlabel: str = "first hop v1 of held-out path j", ylabel: str = "leaf of held-out path i"):
    """A square distance matrix whose diagonal pairs belong together (dark diagonal = geometry)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 3.2))
    im = ax.imshow(D, cmap="viridis", vmin=0.0, vmax=max(1.3, float(np.max(D))), interpolation="nearest")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_embedding_2d(coords: np.ndarray, arm: np.ndarray, ax=None, title: str | None = None, held_out=None,
                      xlabel: str = "component 1", ylabel: str = "component 2"):
    """2-D projection of node embeddings, one colour per arm; ``held_out`` (a boolean mask over the
    points) draws those nodes as crosses, so one sees whether unseen arms cluster like seen ones."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.0, 3.6))
    colours = arm_colours(int(arm.max()) + 1)[arm]
    held_out = np.zeros(len(arm), bool) if held_out is None else np.asarray(held_out, bool)
    ax.scatter(*coords[~held_out].T, c=colours[~held_out], s=9, marker="o", lw=0)
    ax.scatter(*coords[held_out].T, c=colours[held_out], s=16, marker="x", lw=0.9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks([])
    ax.set_yticks([])
    grey = dict(color="0.3", ls="none")
    ax.legend(handles=[Line2D([], [], marker="o", ms=4, **grey, label="arms with a training path"),
                       Line2D([], [], marker="x", ms=5, **grey, label="held-out arms")], loc="best", fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_score_heatmaps(scores: dict, xlabel: str = "first hop c (child of the root)", ylabel: str = "leaf"):
    """Chapter 00 (paper §1): one heatmap per memory of the score of each first hop (columns) for each
    leaf (rows), each on its own diverging scale centred at 0 with a colour bar; a red diagonal means the
    right first hop scores highest. ``scores`` maps a title to a (first hops, leaves) matrix, as
    ``Phi[children] @ W @ Phi[leaves].T`` gives it; returns the figure."""
    if not isinstance(scores, dict) or not scores:
        raise ValueError("scores must be a non-empty {title: (first hops, leaves) matrix} dict")
    fig, axes = plt.subplots(1, len(scores), figsize=(3.0 * len(scores), 2.8), squeeze=False)
    for ax, (title, S) in zip(axes[0], scores.items()):
        S = np.round(np.asarray(S, dtype=float).T, 9)   # float noise around the exact zeros of one lookup
        lim = float(np.abs(S).max()) or 1.0
        im = ax.imshow(S, cmap="RdBu_r", vmin=-lim, vmax=lim)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="score")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_xticks(range(S.shape[1]))
        ax.set_yticks(range(S.shape[0]))
    axes[0, 0].set_ylabel(ylabel)
    fig.tight_layout()
    return fig
