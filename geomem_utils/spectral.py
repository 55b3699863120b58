"""Spectral analysis of the paper §4 (spec "Laplacian", "Spectral facts").

``laplacian`` is the paper's L = (I - D^-1 A) + (I - D^-1 A)^T. Its negative, -L, has a top
(near-)constant eigenvector; the eigenvectors right after it are the "Fiedler-like" vectors onto which
Node2Vec embeddings fall (claim C10). Eigenvalues of stars and cycles are degenerate, so everything
here works with whole *eigenspaces* (groups of equal eigenvalues), never single eigenvectors.
"""
from __future__ import annotations

from dataclasses import dataclass

import warnings

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from .config import as_numpy, check_choice, check_float, check_int
from .graphs import Graph

MAX_DENSE = 6000  # dense eigh: ~1 s at 2,000 nodes, ~40 s at 6,000
AUTO_SPARSE = 2000  # method="auto" switches to the sparse block solver above this many nodes


def adjacency_sparse(graph: Graph) -> sp.csr_matrix:
    e = graph.edges
    data = np.ones(2 * len(e))
    A = sp.coo_matrix((data, (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(graph.n, graph.n))
    return A.tocsr()


def random_walk_matrix(graph: Graph) -> sp.csr_matrix:
    """D⁻¹A, the one-step random walk: row i spreads weight 1/deg(i) over i's neighbours (isolated
    nodes get a zero row). The Laplacian and every Node2Vec target are built from it."""
    A = adjacency_sparse(graph)
    deg = np.asarray(A.sum(1)).ravel()
    return (sp.diags(np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)) @ A).tocsr()


def laplacian(graph: Graph, sparse: bool = False):
    """L = (I - D^-1 A) + (I - D^-1 A)^T, the symmetrised random-walk Laplacian of the paper.

    Isolated nodes (degree 0) get a zero row in D^-1 A.
    """
    if graph.n == 0:
        raise ValueError("graph is empty: the Laplacian needs at least one node")
    P = random_walk_matrix(graph)
    M = sp.identity(graph.n) - P
    L = (M + M.T).tocsr()
    return L if sparse else L.toarray()


@dataclass
class Spectrum:
    """Eigenpairs of -L sorted by decreasing eigenvalue, grouped into eigenspaces."""

    values: np.ndarray        # (k,) decreasing
    vectors: np.ndarray       # (n, k) orthonormal columns
    groups: list              # list of index arrays, one per eigenspace, in order
    partial: bool = False     # True when the last group is only part of its eigenspace (sparse, cut k)

    def space(self, g: int) -> np.ndarray:
        """Orthonormal basis (n, dim) of eigenspace number ``g`` (0 = the top, near-constant one)."""
        return self.vectors[:, self.groups[g]]


def _group(values: np.ndarray, tol: float) -> list:
    groups, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or abs(values[i] - values[start]) > tol:
            groups.append(np.arange(start, i))
            start = i
    return groups


def spectrum(graph: Graph, k: int | None = None, tol: float = 1e-6, method: str = "auto",
             seed: int = 0) -> Spectrum:
    """Eigenpairs of -L, largest first, grouped into eigenspaces (spec "Spectral facts", "Cost").

    ``method``: ``"dense"`` (numpy ``eigh`` of the full matrix: about a second at 2,000 nodes, ~40 s at
    6,000) or ``"sparse"`` (scipy's LOBPCG block solver on the sparse -L, needs ``k``: well under a second
    for the top 10 of a 20,001-node path-star) or ``"auto"`` (sparse when ``k`` is given, the graph has
    more than 2,000 nodes and ``k`` is under a fifth of them).

    ``k`` keeps the top ones. Dense: rounded up to complete the last eigenspace. Sparse: exactly ``k``;
    when ``k`` cuts a degenerate eigenspace (a path-star's first one has dimension d-1) the kept part is
    a random subspace of it, set by ``seed`` (``Spectrum.partial`` is then True). A block solver is used
    because Krylov solvers (``eigsh``) silently miss copies of a repeated eigenvalue.
    """
    method = check_choice("method", method, ("auto", "dense", "sparse"))
    if graph.n == 0:
        raise ValueError("graph is empty: the spectrum needs at least one node")
    if k is not None:
        k = check_int("k (number of eigenpairs)", k, minimum=1, maximum=graph.n)
    if method == "sparse" and k is None:
        raise ValueError("method='sparse' needs k (the number of top eigenpairs)")
    if method == "auto":
        method = "sparse" if k is not None and graph.n > AUTO_SPARSE and 5 * k < graph.n else "dense"
    if method == "sparse":
        return _sparse_spectrum(graph, k, tol, seed)
    if graph.n > MAX_DENSE:
        raise ValueError(f"graph has {graph.n} nodes; the dense eigensolver is limited to {MAX_DENSE} "
                         f"(give k to use the sparse solver)")
    w, V = np.linalg.eigh(-laplacian(graph))
    order = np.argsort(-w, kind="stable")
    w, V = w[order], V[:, order]
    groups = _group(w, tol)
    if k is not None:
        groups = [g for g in groups if g[0] < k]
        keep = np.concatenate(groups)
        w, V = w[keep], V[:, keep]
    return Spectrum(w, V, groups)


def _sparse_spectrum(graph: Graph, k: int, tol: float, seed: int) -> Spectrum:
    """Top-k eigenpairs of the sparse -L by LOBPCG (a few extra block vectors speed convergence)."""
    if 3 * k >= graph.n:
        raise ValueError(f"k={k} is too large for the sparse solver on {graph.n} nodes; use method='dense'")
    negL = -laplacian(graph, sparse=True)
    m = min(graph.n // 3, k + max(4, k // 2))
    X = np.random.default_rng(seed).standard_normal((graph.n, m))
    with warnings.catch_warnings():  # convergence is checked below, by the residual
        warnings.simplefilter("ignore")
        w, V = sla.lobpcg(negL, X, largest=True, tol=1e-9, maxiter=3000)
    order = np.argsort(-w, kind="stable")
    w, V = w[order], V[:, order]
    resid = np.linalg.norm(negL @ V[:, :k] - V[:, :k] * w[:k], axis=0).max()
    if resid > 1e-4:
        raise RuntimeError(f"LOBPCG did not converge (residual {resid:.1e}); use method='dense'")
    groups = _group(w, tol)
    # the k-th pair's eigenspace is partial if the cut at k, or the block's edge, falls inside it
    last = next(g for g in groups if g[0] <= k - 1 <= g[-1])
    partial = bool(last[-1] > k - 1 or last[-1] == m - 1)
    w, V = w[:k], V[:, :k]
    return Spectrum(w, V, _group(w, tol), partial)


def fiedler_vectors(graph: Graph, spectrum_: Spectrum | None = None, n_spaces: int = 1) -> np.ndarray:
    """Basis of the top ``n_spaces`` eigenspaces of -L after the trivial (near-constant) one.

    For a path-star G_{d,l} the first such space has dimension d-1; for a cycle it is a cos/sin pair.
    For a disconnected graph the trivial space holds one near-constant vector per component.
    """
    n_spaces = check_int("n_spaces", n_spaces, minimum=1)
    s = spectrum_ or spectrum(graph)
    trivial = n_components(graph)
    # the trivial eigenspace may be split across groups (e.g. two components with slightly different values)
    idx = np.arange(trivial, len(s.values))
    groups = _group(s.values[idx], 1e-6)
    cols = np.concatenate([idx[g] for g in groups[:n_spaces]])
    return s.vectors[:, cols]


def n_components(graph: Graph) -> int:
    """Number of connected components (= number of near-constant top eigenvectors of -L)."""
    return sp.csgraph.connected_components(adjacency_sparse(graph), directed=False)[0]


def spectral_energy(E, graph: Graph, spectrum_: Spectrum | None = None) -> np.ndarray:
    """‖Eᵀ e_i‖² for every eigenvector e_i of -L (in the spectrum's order): how much of the node
    embeddings ``E`` (rows ``0..n-1``; extra rows such as special tokens are ignored) lies along each
    eigenvector (spec "Spectral projection")."""
    E = as_numpy(E)
    if E.ndim != 2 or E.shape[0] < graph.n:
        raise ValueError(f"embeddings need one row per node ({graph.n}), got shape {E.shape}")
    s = spectrum_ or spectrum(graph)
    return ((s.vectors.T @ E[:graph.n].astype(np.float64)) ** 2).sum(axis=1)


def spectral_concentration(E, graph: Graph, n_spaces: int = 1, spectrum_: Spectrum | None = None) -> dict:
    """Share of the embeddings' spectral energy on the Fiedler-like eigenspaces, the trivial (near-
    constant) one removed (claims C10, C11): 1 = perfectly spectral geometry. ``baseline`` is the share a
    random (isotropic) embedding would get, the dimension ratio. The total is ‖E‖²_F, so a top-k spectrum
    (sparse solver) works as long as it holds the trivial and Fiedler-like eigenspaces completely."""
    E = as_numpy(E)
    s = spectrum_ or spectrum(graph)
    t = n_components(graph)
    F = fiedler_vectors(graph, s, n_spaces).shape[1]
    if len(s.values) < graph.n and (s.partial and t + F >= len(s.values) or t + F > len(s.values)):
        raise ValueError(f"the spectrum holds {len(s.values)} eigenpairs, not all of the first {n_spaces} "
                         f"Fiedler-like eigenspace(s); compute more (k > {t + F})")
    energy = spectral_energy(E, graph, s)
    rest = float((E[:graph.n].astype(np.float64) ** 2).sum() - energy[:t].sum())
    return dict(concentration=float(energy[t:t + F].sum() / max(rest, 1e-300)), baseline=F / (graph.n - t),
                dimension=F)


# ---------------------------------------------------------------- alignment with whole eigenspaces
def eigenspace_energy(E, graph: Graph, spectrum_: Spectrum | None = None) -> list[dict]:
    """One row per eigenspace of -L (largest eigenvalue first): its eigenvalue, dimension, the fraction
    ‖Bᵀ E‖²_F / ‖E‖²_F of the embeddings' energy in it, and the chance level dim/n of an isotropic
    embedding (spec "Spectral facts": alignment is measured against whole eigenspaces)."""
    s = spectrum_ or spectrum(graph)
    energy = spectral_energy(E, graph, s)
    total = max(float(energy.sum()), 1e-300)
    return [dict(value=float(s.values[g[0]]), dim=len(g), fraction=float(energy[g].sum() / total),
                 chance=len(g) / graph.n) for g in s.groups]


def energy_directions(E, graph: Graph, share: float = 0.9, spectrum_: Spectrum | None = None) -> dict:
    """How few eigendirections of −L carry the embeddings (claim C21, "a minimal set of eigendirections"):
    the trivial eigenspace removed, eigenspaces ranked by their share of the rest of ‖E‖²_F, the number of
    eigen*spaces* and of eigen*directions* (their summed dimensions) that reach ``share`` of it, and what an
    isotropic embedding (equal energy on every eigenvector) needs by the same count (``chance``)."""
    share = check_float("share", share, minimum=0.0, maximum=1.0, strict_min=True)
    s = spectrum_ or spectrum(graph)
    if len(s.values) < graph.n:
        raise ValueError("energy_directions needs the full spectrum (call spectrum(graph) without k)")
    t = n_components(graph)
    groups = [g for g in s.groups if g[0] >= t]
    dims = np.array([len(g) for g in groups])

    def needed(mass):
        order = np.argsort(-mass, kind="stable")
        k = int(np.argmax(np.cumsum(mass[order]) >= share * max(float(mass.sum()), 1e-300) * (1 - 1e-12))) + 1
        return k, int(dims[order[:k]].sum()), float(mass[order[0]] / max(mass.sum(), 1e-300))

    energy = spectral_energy(E, graph, s)
    spaces, directions, top = needed(np.array([energy[g].sum() for g in groups]))
    return dict(spaces=spaces, directions=directions, top_space=top, chance=needed(dims.astype(float))[1])


def principal_angles(E, basis, r: int | None = None) -> np.ndarray:
    """Principal angles (degrees, smallest first) between the span of E's top-``r`` left singular vectors
    (r = basis dimension by default) and the span of ``basis`` (e.g. ``fiedler_vectors``). Taken on the
    singular vectors, not on raw E: when rank E = n the angles would be trivially 0."""
    from scipy.linalg import subspace_angles
    E = as_numpy(E)
    basis = np.asarray(basis, dtype=np.float64)
    r = check_int("r (singular vectors)", r if r is not None else basis.shape[1], minimum=1, maximum=min(E.shape))
    U = np.linalg.svd(E, full_matrices=False)[0][:, :r]
    return np.sort(np.degrees(subspace_angles(U, basis)))


def effective_rank(E) -> float:
    """exp(entropy of the normalised singular values) (Roy & Vetterli 2007): 1 for a rank-1 embedding,
    min(n, m) for an isotropic one."""
    E = as_numpy(E)
    s = np.linalg.svd(E, compute_uv=False)
    p = s / s.sum()
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))


def linear_cka(X, Y) -> float:
    """Linear CKA (Kornblith et al. 2019) between two representations of the same n nodes (rows):
    1 = the same geometry up to rotation and scale. Compare with ``linear_cka`` of a random embedding."""
    X, Y = as_numpy(X), as_numpy(Y)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must describe the same nodes (rows): {X.shape[0]} vs {Y.shape[0]}")
    X, Y = X - X.mean(0), Y - Y.mean(0)
    return float(np.linalg.norm(Y.T @ X) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y)))


def zigzag_share(E, graph: Graph, spectrum_: Spectrum | None = None, n_spaces: int = 1) -> float:
    """Share of the embeddings' non-trivial energy on the bottom ``n_spaces`` eigenspaces of −L (its most
    negative eigenvalues: neighbours with opposite signs, the "zigzag" of claim C17)."""
    E = as_numpy(E)
    s = spectrum_ or spectrum(graph)
    if len(s.values) < graph.n:
        raise ValueError("zigzag_share needs the full spectrum (call spectrum(graph) without k)")
    energy = spectral_energy(E, graph, s)
    t = n_components(graph)
    bottom = np.concatenate(s.groups[-n_spaces:])
    return float(energy[bottom].sum() / max(energy[t:].sum(), 1e-300))


def zigzag_chance(graph: Graph, spectrum_: Spectrum | None = None, n_spaces: int = 1) -> float:
    """The zigzag share of an isotropic embedding (equal energy on every non-trivial eigenvector): the
    dimension of the bottom ``n_spaces`` eigenspaces over the non-trivial ones (``zigzag_share``'s chance)."""
    s = spectrum_ or spectrum(graph)
    if len(s.values) < graph.n:
        raise ValueError("zigzag_chance needs the full spectrum (call spectrum(graph) without k)")
    return float(sum(len(g) for g in s.groups[-n_spaces:]) / (graph.n - n_components(graph)))


# ---------------------------------------------------------------- alignment of two symmetric matrices (C19)
def top_eigenvectors(S, k: int) -> np.ndarray:
    """The ``k`` eigenvectors of the symmetric matrix ``S`` with the largest eigenvalues, (n, k)."""
    S = np.asarray(S, dtype=np.float64)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"S must be a square matrix, got shape {S.shape}")
    k = check_int("k (eigenvectors)", k, minimum=1, maximum=S.shape[0])
    w, X = np.linalg.eigh((S + S.T) / 2)
    return X[:, np.argsort(-w, kind="stable")[:k]]


def eigenspace_angle(A, B, k: int) -> float:
    """Largest principal angle (degrees) between the top-``k`` eigenspaces of the symmetric matrices A
    and B: 0 when they span the same space, 90 when some direction of one is orthogonal to the other
    (Appendix F's assumption that the eigenvectors of P + Pᵀ and of V Vᵀ stay aligned, claim C19).
    Meaningful when both matrices have a gap after their k-th eigenvalue."""
    from scipy.linalg import subspace_angles
    return float(np.degrees(subspace_angles(top_eigenvectors(A, k), top_eigenvectors(B, k)).max()))
