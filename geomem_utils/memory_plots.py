"""Figures of the tiny-graph and spectral chapters (05–07): where embeddings sit in the Laplacian's
spectrum, and how they get there.

``plot_embedding_3d``, ``plot_similarity_vs_adjacency``, ``plot_memory_dynamics``  chapter 05: the
                   Figure-1 cells, cosine similarity next to the adjacency, memorization vs geometry
                   over training (paper §3, claims C7, C8).
``plot_spectral_bars``, ``plot_spectral_dynamics``, ``plot_eigenspace_energy``  chapters 06–07: the
                   energy per eigenvector of −L and its dynamics (paper §4–5, C10, C11, C16);
                   ``plot_headroom_bars`` the concentration of each memorizer against chance (C11).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from .config import as_numpy
from .geometry import cosine_distances, pca
from .graphs import Graph
from .spectral import fiedler_vectors, n_components

# ---------------------------------------------------------------- tiny graphs (chapter 05)
def plot_embedding_3d(E, graph: Graph, ax, title: str | None = None):
    """The paper's Figure-1 cell: a 3-D PCA of the node embeddings (rows ``0..n-1`` of ``E``) with the
    graph's edges drawn. Nodes are coloured by id: on the cycle and grid ids follow the layout, so a
    smooth colour ramp along the drawn ring / sheet means neighbours sit together."""
    E = as_numpy(E)
    X = pca(E[:graph.n], k=3)
    X = np.pad(X, ((0, 0), (0, 3 - X.shape[1])))  # fewer than 3 components: flat in the missing axes
    for u, v in graph.edges:
        ax.plot(*X[[u, v]].T, color="0.55", lw=0.8)
    ax.scatter(*X.T, c=np.arange(graph.n), cmap="viridis", s=14, depthshade=False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_zticks([])
    if title:
        ax.set_title(title, fontsize=8)
    return ax


def plot_similarity_vs_adjacency(embeddings: dict, graph: Graph, axes):
    """One cosine-similarity matrix of node embeddings per ``embeddings[label]``, then the adjacency
    matrix in the last axis. A geometric memory copies the adjacency pattern into the similarity (up to
    sign: a readout that flips sign makes neighbours anti-aligned, a blue band where the adjacency is dark)."""
    for ax, (label, E) in zip(axes, embeddings.items()):
        E = as_numpy(E)
        im = ax.imshow(1.0 - cosine_distances(E[:graph.n], E[:graph.n]), cmap="RdBu_r", vmin=-1, vmax=1,
                       interpolation="nearest")
        ax.set_title(label, fontsize=8)
    axes[-1].imshow(graph.adjacency(), cmap="Greys", interpolation="nearest")
    axes[-1].set_title(f"adjacency of {graph.name}", fontsize=8)
    axes[0].figure.colorbar(im, ax=list(axes), fraction=0.02, pad=0.02, label="cosine similarity")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].set_ylabel("node")
    return axes


def plot_memory_dynamics(histories: dict, axes, metrics=("edge_recovery", "geometric_level", "skewed_top1")):
    """Two time scales side by side (paper §3, C7/C8): top-k edge recovery (memorization) and geometry
    measures over training steps, one axis per metric, one line per ``histories[label]``; the step axis
    is logarithmic past step 1 so a memorization in one step and a geometry in hundreds both show."""
    names = {"edge_recovery": "top-k edge recovery (memorization)",
             "geometric_level": "geometric level (mean cos on edges)",
             "skewed_top1": "skewed (geometric) readout: top-1", "skewed_margin": "skewed readout: margin"}
    for (label, hist), colour in zip(histories.items(), plt.cm.tab10.colors):
        for ax, metric in zip(axes, metrics):
            steps, values = hist.series(metric)
            ax.plot(steps, values, color=colour, lw=1.6, label=label)
    for ax, metric in zip(axes, metrics):
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlabel("training step (log scale after 1)")
        ax.set_ylabel(names.get(metric, metric))
    axes[0].legend(loc="lower right")
    return axes


# ---------------------------------------------------------------- spectra (chapter 06)
def _fiedler_slice(graph: Graph, spectrum_, n_spaces: int = 1) -> tuple[int, int]:
    t = n_components(graph)
    return t, t + fiedler_vectors(graph, spectrum_, n_spaces).shape[1]


def plot_spectral_bars(E, graph: Graph, spectrum_, ax, title: str | None = None, proj=None):
    """The paper's spectral projection: ‖Eᵀe_i‖ for every non-trivial eigenvector e_i of −L, normalised
    by the largest, in order of decreasing eigenvalue; the Fiedler-like eigenspace in colour. ``proj``
    (all ‖Eᵀe_i‖, e.g. from a cache) replaces ``E``."""
    t, f = _fiedler_slice(graph, spectrum_)
    if proj is None:
        E = as_numpy(E)
        proj = np.linalg.norm(spectrum_.vectors.T @ E[:graph.n].astype(np.float64), axis=1)
    proj = np.asarray(proj, dtype=np.float64)[t:]
    proj = proj / max(proj.max(), 1e-300)
    colours = ["tab:red" if i < f - t else "0.6" for i in range(len(proj))]
    ax.bar(np.arange(len(proj)), proj, color=colours)
    ax.set_xticks(np.arange(len(proj)), [f"{v:.2f}" for v in spectrum_.values[t:]], rotation=90, fontsize=6)
    ax.set_xlabel("eigenvalue of −L (Fiedler-like in red)")
    ax.set_ylabel("‖Vᵀeᵢ‖ / max")
    ax.set_ylim(0, 1.05)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_spectral_dynamics(run, graph: Graph, spectrum_, axes, title: str | None = None):
    """Left: ‖Vᵀe_i‖ over training, one line per eigenvector of −L; right: ‖C(t) e_i‖. Fiedler-like
    eigenvectors in red, the trivial one dashed, the rest grey (paper §4, Figure 7)."""
    t, f = _fiedler_slice(graph, spectrum_)
    steps = np.array([e["step"] for e in run.log])
    for ax, key, ylabel in zip(axes, ["proj", "c_proj"], ["‖Vᵀeᵢ‖", "‖C(t) eᵢ‖"]):
        Y = np.array([e[key] for e in run.log])
        for i in range(Y.shape[1]):
            style = (dict(color="tab:red", lw=1.8, zorder=3) if t <= i < f else
                     dict(color="k", ls="--", lw=1.0) if i < t else dict(color="0.65", lw=0.8))
            ax.plot(steps, Y[:, i], **style)
        ax.set_xscale("symlog", linthresh=1)
        ax.set_yscale("symlog", linthresh=1e-2)
        ax.set_xlabel("gradient step (log scale after 1)")
        ax.set_ylabel(ylabel)
    axes[0].legend(handles=[Line2D([], [], color="tab:red", lw=1.8, label="Fiedler-like"),
                            Line2D([], [], color="k", ls="--", label="trivial"),
                            Line2D([], [], color="0.65", label="other eigenvectors")], fontsize=7, loc="lower left")
    if title:
        axes[0].set_title(title, fontsize=9)
    return axes


def plot_eigenspace_energy(rows: dict, ax, n_spaces: int = 8, title: str | None = None):
    """Grouped bars: for each label, the fraction of the embeddings' energy in each of the top
    ``n_spaces`` eigenspaces of −L (``spectral.eigenspace_energy`` rows); black ticks = chance dim/n."""
    labels = list(rows)
    width = 0.8 / len(labels)
    first = next(iter(rows.values()))[:n_spaces]
    x = np.arange(len(first))
    for k, (label, rs) in enumerate(rows.items()):
        ax.bar(x + (k - (len(labels) - 1) / 2) * width, [r["fraction"] for r in rs[:n_spaces]], width, label=label)
    ax.scatter(x, [r["chance"] for r in first], marker="_", s=200, color="k", zorder=4, label="chance (dim/n)")
    ax.set_xticks(x, [f"{r['value']:.2f}\n×{r['dim']}" for r in first], fontsize=7)
    ax.set_xlabel("eigenspace of −L (eigenvalue, multiplicity)")
    ax.set_ylabel("share of ‖V‖²_F")
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_headroom_bars(conc: dict, baseline: dict, ax, order=("Node2Vec", "neural net", "transformer", "associative")):
    """Chapter 06's headroom figure (claim C11): the spectral concentration of each memorizer (mean over
    seeds) on each graph as grouped bars, with each graph's random baseline (the dimension ratio) as a
    black tick. ``conc`` and ``baseline`` are ``experiments.spectral_bias.headroom``'s result."""
    graphs = list(conc)
    x, w = np.arange(len(graphs)), 0.8 / len(order)
    for k, m in enumerate(order):
        ax.bar(x + (k - (len(order) - 1) / 2) * w, [np.mean(conc[g][m]) for g in graphs], w, label=m)
    ax.scatter(x, [baseline[g] for g in graphs], marker="_", s=300, color="k", zorder=4, label="random (chance)")
    ax.set_xticks(x, graphs)
    ax.set_ylabel("spectral concentration")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7, ncol=3)
    return ax
