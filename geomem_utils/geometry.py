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

from .cache import train_or_load_arrays
from .config import as_numpy, check_int
from .evaluation import geometric_level, topk_recovery
from .graphs import Graph, tiny_graphs
from .spectral import n_components, spectrum
from .training import MEMORIZER_WIDTHS, MEMORIZERS, run_tiny, tiny_metrics


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


# ---------------------------------------------------------------- which store? readouts (paper §3, C7-C8)
def node_logits(model, task) -> np.ndarray:
    """The model's n x n node-to-node logits: row u = its scores after ``[EDGE] u`` (node tokens only)."""
    import torch
    n = task.graph.n
    x = torch.tensor([[task.vocab["[EDGE]"], u] for u in range(n)])
    was_training = model.training
    model.eval()
    with torch.no_grad():
        Z = model.readout(model(x.to(next(model.parameters()).device))[:, -1]).cpu().double().numpy()
    model.train(was_training)
    return Z[:, :n]


def bilinear_weight(model, task=None) -> np.ndarray:
    """W with logits(u, v) ≈ E_u W E_vᵀ. The neural net (and associative model) *is* bilinear: W is its
    Linear map (the bias, a per-target offset, is left out as in the spec). For other models (the
    Transformer) W is the least-squares fit to the real logits, pinv(E) Z pinv(E)ᵀ — our choice, stated."""
    if hasattr(model, "W"):
        return model.W.weight.detach().cpu().double().numpy().T
    if task is None:
        raise ValueError("a model without a single linear map needs `task` to fit its bilinear readout")
    E = as_numpy(model.embeddings()[:task.graph.n])
    P = np.linalg.pinv(E)
    return P @ node_logits(model, task) @ P.T


def _neighbour_mask(graph: Graph) -> np.ndarray:
    return graph.adjacency() > 0


def edge_margin(Z, graph: Graph) -> float:
    """Mean over nodes of (largest logit on a true neighbour − largest logit on a non-neighbour), self
    excluded (spec "Edge margin"): > 0 means every node ranks one of its neighbours first."""
    Z, A = np.asarray(Z, dtype=np.float64), _neighbour_mask(graph)
    eye = np.eye(graph.n, dtype=bool)
    rows = A.any(1) & (~A & ~eye).any(1)
    pos = np.where(A, Z, -np.inf).max(1)
    neg = np.where(~A & ~eye, Z, -np.inf).max(1)
    return float(np.mean((pos - neg)[rows]))


def top1_accuracy(Z, graph: Graph) -> float:
    """Fraction of nodes (with a neighbour) whose highest logit, self excluded, is a true neighbour."""
    Z, A = np.array(Z, dtype=np.float64), _neighbour_mask(graph)
    np.fill_diagonal(Z, -np.inf)
    rows = A.any(1)
    return float(np.mean(A[np.arange(graph.n), Z.argmax(1)][rows]))


def skewed_readout(E, W) -> np.ndarray:
    """The geometric part of a bilinear readout (spec "Skewed low-rank readout"): with the SVD
    E = U S Vh, keep only W' = Vhᵀ diag(diag(Vh W Vhᵀ)) Vh — a readout that can only *scale* the
    embeddings' own principal directions, so E W' Eᵀ works only if the geometry of E carries the edges."""
    E, W = as_numpy(E), np.asarray(W, dtype=np.float64)
    _, _, Vh = np.linalg.svd(E, full_matrices=False)
    return Vh.T @ np.diag(np.diag(Vh @ W @ Vh.T)) @ Vh


def readout_scores(E, W, graph: Graph) -> dict:
    """Margin of the full readout E W Eᵀ, and margin and top-1 of the skewed (geometric) one."""
    E = as_numpy(E)[:graph.n]
    Ws = skewed_readout(E, W)
    return dict(margin=edge_margin(E @ W @ E.T, graph), skewed_margin=edge_margin(E @ Ws @ E.T, graph),
                skewed_top1=top1_accuracy(E @ Ws @ E.T, graph))


def laplacian_reference(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """The reference geometric memory: E = V |Λ|^½ (V: eigenvectors of -L, Λ: eigenvalues) and
    W = sign(Λ), so E W Eᵀ = -L — positive exactly on edges, zero elsewhere, -2 on the diagonal. W only
    scales E's own principal directions, so the skewed readout keeps all of it (skewed margin = margin)."""
    s = spectrum(graph, method="dense")
    return s.vectors * np.sqrt(np.abs(s.values)), np.diag(np.sign(s.values))


def reference_edge_recovery(Z, graph: Graph) -> float:
    """Top-k edge recovery of a logit matrix (the models' ``edge_recovery``, for a matrix)."""
    A = _neighbour_mask(graph)
    nodes = np.flatnonzero(A.any(1))
    return topk_recovery(np.asarray(Z)[nodes], [np.flatnonzero(A[u]) for u in nodes])


def memory_report(model, task) -> dict:
    """Everything chapter 05 asks of a trained memorizer, in one dict: top-k edge recovery and geometric
    level (``training.tiny_metrics``) plus the margin of the full bilinear readout and the margin and
    top-1 of its skewed (geometric) part (paper §3, Figure 1). Cheap enough to log during training."""
    E = model.embeddings()[:task.graph.n]
    return dict(tiny_metrics(model, task), **readout_scores(E, bilinear_weight(model, task), task.graph))


def reference_report(graph: Graph) -> dict:
    """``memory_report`` for the Laplacian reference (no training): E = V|Λ|^½, W = sign(Λ)."""
    E, W = laplacian_reference(graph)
    return dict(edge_recovery=reference_edge_recovery(E @ W @ E.T, graph),
                geometric_level=geometric_level(E, graph.directed_edges("both")), **readout_scores(E, W, graph))


def tiny_memory_embeddings(seeds=(0,), memorizers=("associative", "neural net", "transformer"),
                           retrain: bool = False, verbose: bool = True) -> tuple[dict, dict]:
    """Node embeddings of chapter 05's memorizers on the four tiny graphs, ``{graph: {memorizer: [E per
    seed]}}`` (rows = nodes only), train-or-load: cached under ``data/`` with the settings that made them
    (``run_tiny`` defaults, one run per seed), so later chapters reuse the same models (C11 headroom)."""
    config = dict(seeds=list(seeds), memorizers={m: MEMORIZERS[m] for m in memorizers},
                  widths={f"{m}/{g}": w for (m, g), w in MEMORIZER_WIDTHS.items()})

    def compute():
        return {name: {m: [run_tiny(g, m, seed=s).model.embeddings()[:g.n].detach().numpy() for s in seeds]
                       for m in memorizers} for name, g in tiny_graphs().items()}
    return train_or_load_arrays("tiny_memory_embeddings", config, compute, retrain=retrain, verbose=verbose)


# ---------------------------------------------------------------- knobs and headroom (chapter 07)
def memory_verdict(report: dict) -> str:
    """"geometric" when the skewed (geometric) readout alone ranks neighbours first for most nodes
    (skewed margin > 0 and skewed top-1 ≥ 0.5), "associative" when its margin is ≤ 0, else "mixed"."""
    if report["skewed_margin"] > 0 and report["skewed_top1"] >= 0.5:
        return "geometric"
    return "associative" if report["skewed_margin"] <= 0 else "mixed"


# C16's knobs, each changed alone from an associative base (N(0,1) embedding init, lr 1e-4), on the
# 15-cycle neural net at width 512 with 10,000 full-batch AdamW steps; the authors' verdicts alongside.
KNOBS = {
    "base: N(0,1) init, lr 1e-4": (dict(emb_init_std=1.0, lr=1e-4), "associative"),
    "init N(0, 0.02²)": (dict(emb_init_std=0.02, lr=1e-4), "geometric"),
    "lr 0.1": (dict(emb_init_std=1.0, lr=0.1), "geometric"),
    "weight decay 10": (dict(emb_init_std=1.0, lr=1e-4, weight_decay=10.0), "geometric"),
    "dropout 0.4": (dict(emb_init_std=1.0, lr=1e-4, dropout=0.4), "geometric"),
}


def knob_run(graph: Graph, memorizer: str = "neural net", width: int = 512, steps: int = 10_000, seed: int = 0,
             self_edges: bool = False, **knob) -> dict:
    """Train one knob setting with ``run_tiny`` (weight decay on every parameter, embeddings included,
    as plain AdamW does) and return its ``memory_report``, the spectral projection ‖Eᵀe_i‖ of the node
    embeddings, the zigzag share, the spectral concentration and the verdict (paper §5, C16, C17)."""
    from .spectral import spectral_concentration, zigzag_share
    knob = dict(knob)
    lr = knob.pop("lr", None)
    r = run_tiny(graph, memorizer, width=width, steps=steps, seed=seed, lr=lr, self_edges=self_edges,
                 decay_embeddings=True, **knob)
    E = r.model.embeddings()[:graph.n].double().numpy()
    s = spectrum(graph)
    report = memory_report(r.model, r.task)
    return dict(report, proj=np.linalg.norm(s.vectors.T @ E, axis=1), zigzag=zigzag_share(E, graph, s),
                concentration=spectral_concentration(E, graph, spectrum_=s)["concentration"],
                verdict=memory_verdict(report), seconds=r.history.wall_time)


def laplacian_init(graph: Graph, k: int = 16) -> np.ndarray:
    """Initial node embeddings from the top-k non-trivial eigenvectors of −L (chapter 07's headroom)."""
    return spectral_embedding(graph, k)
