"""The geometry of memory (paper §3, claim C6; spec "Measurements"): what the token embeddings store.

Everything here reads an embedding matrix ``E`` (one row per node id; extra rows such as special tokens
are ignored) and a star graph, and answers one question: do embeddings place a leaf near the first hop
of its own arm — a relation no training example states for held-out paths? If so, the model can read
the hardest token off the geometry in one step, with no multi-hop search (``navigate_first_hop``).

The *spectral navigator* (beyond the paper, spec §4) does the same with no training at all: it embeds
the graph by the top eigenvectors of -L and navigates by cosine — pure geometric memory.
"""
from __future__ import annotations

import warnings

import numpy as np

from .config import as_numpy, check_int
from .evaluation import edge_recovery, first_hop_index, path_accuracy
from .graphs import Graph
from .spectral import n_components, spectrum


def cosine_distances(X, Y) -> np.ndarray:
    """Matrix of 1 - cos(x_i, y_j)."""
    X, Y = as_numpy(X), as_numpy(Y)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"embeddings must be 2-D with equal width, got {X.shape} and {Y.shape}")
    Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    Yn = Y / np.maximum(np.linalg.norm(Y, axis=1, keepdims=True), 1e-12)
    return 1.0 - Xn @ Yn.T


def _paths(graph: Graph, path_index) -> np.ndarray:
    graph._need_star()
    idx = np.arange(len(graph.paths)) if path_index is None else np.asarray(path_index, dtype=np.int64)
    if idx.ndim != 1 or len(idx) == 0:
        raise ValueError("path_index must be a non-empty 1-D list of path numbers")
    return graph.paths[idx]


def leaf_hop_distances(E, graph: Graph, path_index=None) -> np.ndarray:
    """The paper's leaf <-> first-hop heatmap: entry (i, j) is the cosine distance between the leaf of
    path i and the first hop v1 of path j (same order), so a dark diagonal means geometry."""
    P = _paths(graph, path_index)
    E = as_numpy(E)
    return cosine_distances(E[P[:, -1]], E[P[:, 1]])


def path_distance_matrix(E, graph: Graph, path_index=None) -> np.ndarray:
    """Path-by-path mean cosine distance: entry (i, j) averages the distance between every non-root
    node of path i and every non-root node of path j (diagonal: the spread within one path)."""
    P = _paths(graph, path_index)[:, 1:]
    E = as_numpy(E)
    D = cosine_distances(E[P.ravel()], E[P.ravel()])
    k, m = P.shape
    return D.reshape(k, m, k, m).mean(axis=(1, 3))


def heatmap_scores(D: np.ndarray) -> dict:
    """One-number summaries of a square distance heatmap whose diagonal pairs belong together:
    ``nearest_own`` = fraction of rows whose smallest entry is on the diagonal (chance 1/rows);
    ``diagonal`` / ``off_diagonal`` = mean distances; ``gap`` = off_diagonal - diagonal (> 0: geometry)."""
    D = np.asarray(D)
    if D.ndim != 2 or D.shape[0] != D.shape[1] or len(D) < 2:
        raise ValueError(f"heatmap must be square with at least 2 rows, got shape {D.shape}")
    k = len(D)
    off = ~np.eye(k, dtype=bool)
    diag, offd = float(np.diag(D).mean()), float(D[off].mean())
    return dict(nearest_own=float(np.mean(D.argmin(axis=1) == np.arange(k))), diagonal=diag,
                off_diagonal=offd, gap=offd - diag, chance=1.0 / k)


def navigate_first_hop(E, graph: Graph, path_index=None) -> np.ndarray:
    """1-step navigation: for each path's leaf, the root neighbour whose embedding is nearest in cosine
    distance. No forward pass through any network — only the stored geometry (paper §3)."""
    P = _paths(graph, path_index)
    E = as_numpy(E)
    hops = np.unique(graph.first_hops)
    D = cosine_distances(E[P[:, -1]], E[hops])
    return hops[D.argmin(axis=1)]


def navigation_accuracy(E, graph: Graph, path_index=None) -> float:
    """Fraction of paths whose first hop ``navigate_first_hop`` gets right (chance 1/#root neighbours)."""
    P = _paths(graph, path_index)
    return float(np.mean(navigate_first_hop(E, graph, path_index) == P[:, 1]))


def first_hop_report(model, task) -> dict:
    """The model's own side of chapter 04's comparison (paper §3, C6): top-k edge recovery and, when
    the task trains on paths, held-out exact match, first-hop accuracy (the paper's "hardest token") and
    the decoded first hop of every held-out path (``navigate_first_hop`` is the embedding-only
    counterpart). For an edges-only task (``path_mode="none"``) the path numbers are None: the model was
    never asked for a path."""
    if not hasattr(task, "path_mode"):
        raise ValueError(f"task must be a PathStarTask, got {type(task).__name__}")
    out = dict(edge_recovery=float(edge_recovery(model, task)), exact_match=None, first_hop=None, decoded=None)
    if task.path_mode != "none":
        acc = path_accuracy(model, task, "test")
        out.update(exact_match=float(acc["exact_match"]), first_hop=float(acc["first_hop"]),
                   decoded=np.asarray(acc["predictions"])[:, first_hop_index(task)])
    return out


def spectral_embedding(graph: Graph, k: int, seed: int = 0, method: str = "auto", spectrum_=None) -> np.ndarray:
    """Node coordinates (n, k) from the top-k non-trivial eigenvectors of -L: the zero-training geometry.

    When k cuts through a degenerate eigenspace (a path-star's first one has dimension d-1), the solver's
    basis of that space is arbitrary; a seeded random rotation inside it is used instead, so the result
    depends on k and ``seed`` only, not on the eigensolver. ``spectrum_`` reuses a precomputed
    ``spectrum(graph, k=...)`` that holds at least k + #components eigenpairs.
    """
    k = check_int("k (number of eigenvectors)", k, minimum=1, maximum=graph.n - 1)
    t = n_components(graph)
    s = spectrum_ if spectrum_ is not None else spectrum(graph, k=min(graph.n, k + t), method=method, seed=seed)
    if len(s.values) < k + t:
        raise ValueError(f"the given spectrum has {len(s.values)} eigenpairs; k={k} needs {k + t}")
    cols, rng = [], np.random.default_rng(seed)
    for g in s.groups:
        g = g[g >= t]
        if len(g) == 0:
            continue
        need = k - sum(c.shape[1] for c in cols)
        B = s.vectors[:, g]
        if need < len(g):  # partial eigenspace: random orthonormal directions inside it
            Q, _ = np.linalg.qr(rng.standard_normal((len(g), need)))
            B = B @ Q
        cols.append(B)
        if need <= len(g):
            break
    return np.concatenate(cols, axis=1)


def spectral_navigator(graph: Graph, ks, path_index=None, seeds=(0, 1, 2), method: str = "auto") -> dict:
    """Accuracy of 1-step navigation on the spectral embedding, for each k in ``ks``, averaged over the
    random bases of ``seeds`` (spec §4, "spectral navigator"). One eigen-decomposition serves every k.
    Returns {k: accuracy}."""
    ks = [check_int("k (number of eigenvectors)", k, minimum=1, maximum=graph.n - 1) for k in ks]
    if not ks:
        raise ValueError("ks must list at least one number of eigenvectors")
    s = spectrum(graph, k=min(graph.n, max(ks) + n_components(graph)), method=method, seed=seeds[0])
    return {k: float(np.mean([navigation_accuracy(spectral_embedding(graph, k, seed, spectrum_=s), graph, path_index)
                              for seed in seeds])) for k in ks}


# ---------------------------------------------------------------- 2-D projections for scatter plots
def pca(X, k: int = 2) -> np.ndarray:
    """Project rows of X on their top-k principal components."""
    X = as_numpy(X)
    X = X - X.mean(axis=0)
    U, S, _ = np.linalg.svd(X, full_matrices=False)
    return U[:, :k] * S[:k]


def project_2d(X, method: str = "umap", seed: int = 0) -> tuple[np.ndarray, str]:
    """2-D coordinates of the rows of X by UMAP (n_neighbors 15, min_dist 0.1, as in the paper) or PCA.

    umap-learn is optional: without it the PCA projection is returned and the name says so.
    Returns ``(coordinates, name of the method used)``.
    """
    if method == "pca":
        return pca(X), "PCA"
    if method != "umap":
        raise ValueError(f"method must be 'umap' or 'pca', got {method!r}")
    try:
        import umap
    except ImportError:
        return pca(X), "PCA (umap-learn is not installed)"
    with warnings.catch_warnings():  # "n_jobs overridden by random_state": expected, seeded runs are serial
        warnings.simplefilter("ignore")
        Y = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=seed).fit_transform(as_numpy(X))
    return Y, "UMAP"


def heatmap_study(E, graph: Graph, path_index=None) -> dict:
    """Chapter 04's two heatmaps of one embedding matrix, summarised: ``{"leaf_hop": heatmap_scores of
    leaf_hop_distances, "paths": heatmap_scores of path_distance_matrix}`` over the given paths (C6)."""
    return dict(leaf_hop=heatmap_scores(leaf_hop_distances(E, graph, path_index)),
                paths=heatmap_scores(path_distance_matrix(E, graph, path_index)))
