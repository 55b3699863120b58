"""Spectral analysis of the paper §4 (spec "Laplacian", "Spectral facts").

``laplacian`` is the paper's L = (I - D^-1 A) + (I - D^-1 A)^T. Its negative, -L, has a top
(near-)constant eigenvector; the eigenvectors right after it are the "Fiedler-like" vectors onto which
Node2Vec embeddings fall (claim C10). Eigenvalues of stars and cycles are degenerate, so everything
here works with whole *eigenspaces* (groups of equal eigenvalues), never single eigenvectors.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .config import check_int
from .graphs import Graph

MAX_DENSE = 6000  # dense eigh: ~1 s at 2,000 nodes, ~40 s at 6,000


def adjacency_sparse(graph: Graph) -> sp.csr_matrix:
    e = graph.edges
    data = np.ones(2 * len(e))
    A = sp.coo_matrix((data, (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(graph.n, graph.n))
    return A.tocsr()


def laplacian(graph: Graph, sparse: bool = False):
    """L = (I - D^-1 A) + (I - D^-1 A)^T, the symmetrised random-walk Laplacian of the paper.

    Isolated nodes (degree 0) get a zero row in D^-1 A.
    """
    if graph.n == 0:
        raise ValueError("graph is empty: the Laplacian needs at least one node")
    A = adjacency_sparse(graph)
    deg = np.asarray(A.sum(1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    P = sp.diags(inv) @ A
    M = sp.identity(graph.n) - P
    L = (M + M.T).tocsr()
    return L if sparse else L.toarray()


@dataclass
class Spectrum:
    """Eigenpairs of -L sorted by decreasing eigenvalue, grouped into eigenspaces."""

    values: np.ndarray        # (k,) decreasing
    vectors: np.ndarray       # (n, k) orthonormal columns
    groups: list              # list of index arrays, one per eigenspace, in order

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


def spectrum(graph: Graph, k: int | None = None, tol: float = 1e-6) -> Spectrum:
    """Eigenpairs of -L, largest first, grouped into eigenspaces; ``k`` keeps only the top ones
    (rounded up to complete the last eigenspace, since a cut through a degenerate eigenspace would keep
    an arbitrary basis of it).

    Dense ``eigh``: about a second at 2,000 nodes. Krylov solvers (``eigsh``) return only part of a
    degenerate eigenspace (a path-star's has dimension d-1), so they are not used here.
    """
    if graph.n > MAX_DENSE:
        raise ValueError(f"graph has {graph.n} nodes; the dense eigensolver is limited to {MAX_DENSE}")
    w, V = np.linalg.eigh(-laplacian(graph))
    order = np.argsort(-w, kind="stable")
    w, V = w[order], V[:, order]
    groups = _group(w, tol)
    if k is not None:
        k = check_int("k (number of eigenpairs)", k, minimum=1, maximum=graph.n)
        groups = [g for g in groups if g[0] < k]
        keep = np.concatenate(groups)
        w, V = w[keep], V[:, keep]
    return Spectrum(w, V, groups)


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


def spectral_embedding(graph: Graph, k: int) -> np.ndarray:
    """Node coordinates from the top-k non-trivial eigenvectors of -L (the zero-training geometry)."""
    s, t = spectrum(graph), n_components(graph)
    return s.vectors[:, t:t + k]
