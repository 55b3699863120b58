"""Coding exercises of chapters 06 and 07 (see ``exercises.core``): Node2Vec's gradient in closed form,
the energy of an embedding on each eigenspace of −L, and the zigzag share with its chance level.

Every function takes plain arrays: ``V`` the node embeddings (n, m), ``A`` a symmetric 0/1 adjacency
matrix (n, n) of a connected graph. The package's own versions (``node2vec``, ``spectral``) are what the
chapters use; the unit tests hold these references to them.
"""
from __future__ import annotations

import numpy as np

from ..graphs import cycle, grid, path_star
from .core import Case, Exercise, checker

__all__: list[str] = []
TOL = 1e-6  # eigenvalues closer than this belong to one eigenspace (stars and cycles are degenerate)


# ---------------------------------------------------------------- shared pieces
def _walk(A):
    return A / A.sum(1, keepdims=True)                               # D⁻¹A


def _minus_laplacian(A):
    M = np.eye(len(A)) - _walk(A)
    return -(M + M.T)


def _groups(values):
    """Index arrays of equal eigenvalues (values sorted), one per eigenspace."""
    cuts = np.flatnonzero(np.abs(np.diff(values)) > TOL) + 1
    return np.split(np.arange(len(values)), cuts)


def _eig_desc(S):
    w, U = np.linalg.eigh(S)
    return w[::-1], U[:, ::-1]


def _softmax(S):
    S = S - S.max(1, keepdims=True)
    P = np.exp(S)
    return P / P.sum(1, keepdims=True)


def _graph_cases(rng, n_cases=3, scale=(0.3, 1.0)):
    """Small connected graphs (odd cycle, grid, path-star) with random embeddings of a random scale,
    small enough that the softmax is far from the identity (so every term of the gradient shows)."""
    n = int(rng.choice([7, 9, 11]))
    graphs = [cycle(n), grid(3, int(rng.integers(3, 5))), path_star(int(rng.integers(3, 5)), 3, seed=int(rng.integers(100)))]
    cases = []
    for g in graphs[:n_cases]:
        m = int(rng.integers(3, 9))
        V = rng.standard_normal((g.n, m)) * rng.uniform(*scale)
        cases.append(Case(f"{g.name}, width {m}", (V, g.adjacency().astype(float))))
    return cases


# ---------------------------------------------------------------- 06 ★★: Node2Vec's gradient
def node2vec_gradient(V, A):
    """∇J(V) of the paper's 1-hop Node2Vec (§4): J = Σ_i Σ_j Q_ij (−log P_ij) with Q = D⁻¹A and
    P = row_softmax(V Vᵀ). With M = P − Q (each row of Q sums to 1), ∂J/∂(VVᵀ) = M, and V sits on both
    sides of V Vᵀ, so ∇J = (M + Mᵀ) V = −C V."""
    M = _softmax(V @ V.T) - _walk(A)
    return (M + M.T) @ V


def _wrong_one_side(V, A):
    M = _softmax(V @ V.T) - _walk(A)
    return M @ V                                                      # forgot the Mᵀ V of the key side


def _wrong_unnormalised(V, A):
    M = np.exp(V @ V.T) - _walk(A)                                    # no softmax denominator
    return (M + M.T) @ V


def _wrong_adjacency_target(V, A):
    M = _softmax(V @ V.T) - A                                         # A instead of D⁻¹A
    return (M + M.T) @ V


def _wrong_sign(V, A):
    M = _walk(A) - _softmax(V @ V.T)                                  # C V: the update, not the gradient
    return (M + M.T) @ V


check_node2vec_gradient = checker(Exercise(
    "node2vec_gradient", "06", 2, "Node2Vec's gradient in closed form", node2vec_gradient, _graph_cases,
    hint="P is the row softmax of V Vᵀ (rows sum to 1), Q = D⁻¹A, and V appears on both sides of V Vᵀ: "
         "∇J = (M + Mᵀ) V with M = P − Q",
    wrong=(_wrong_one_side, _wrong_unnormalised, _wrong_adjacency_target, _wrong_sign)))


# ---------------------------------------------------------------- 06 ★: energy per eigenspace of −L
def energy_per_eigenspace(V, A):
    """The share ‖Bᵀ V‖²_F / ‖V‖²_F of the embeddings' energy on each eigenspace B of −L (paper §4, the
    spectral projection), largest eigenvalue first; eigenvalues within 1e-6 form one eigenspace."""
    w, U = _eig_desc(_minus_laplacian(A))
    energy = ((U.T @ V) ** 2).sum(1)                                  # per eigenvector
    return np.array([energy[g].sum() for g in _groups(w)]) / energy.sum()


def _wrong_not_squared(V, A):
    w, U = _eig_desc(_minus_laplacian(A))
    norms = np.linalg.norm(U.T @ V, axis=1)                           # norms, not energies
    return np.array([norms[g].sum() for g in _groups(w)]) / norms.sum()


def _wrong_laplacian_order(V, A):
    w, U = np.linalg.eigh(_minus_laplacian(A))                        # ascending: the zigzag end first
    energy = ((U.T @ V) ** 2).sum(1)
    return np.array([energy[g].sum() for g in _groups(w)]) / energy.sum()


def _wrong_one_vector_per_space(V, A):
    w, U = _eig_desc(_minus_laplacian(A))
    energy = ((U.T @ V) ** 2).sum(1)
    return np.array([energy[g[0]] for g in _groups(w)]) / energy.sum()   # one basis vector only


def _energy_cases(rng):
    return _graph_cases(rng, scale=(0.5, 2.0))


check_energy_per_eigenspace = checker(Exercise(
    "energy_per_eigenspace", "06", 1, "energy of V on each eigenspace of −L", energy_per_eigenspace, _energy_cases,
    hint="sort the eigenvalues of −L largest first, sum the squared projections ‖e_iᵀ V‖² over every "
         "eigenvector of an eigenspace, and divide by the total",
    wrong=(_wrong_not_squared, _wrong_laplacian_order, _wrong_one_vector_per_space)))


# ---------------------------------------------------------------- 07 ★★: the zigzag share and its chance
def zigzag(V, A):
    """(zigzag share, its chance level) of claim C17 (paper §5): the share of V's non-trivial energy (the
    near-constant top eigenvector of −L removed) on the bottom eigenspace of −L, and the share an
    isotropic embedding would get there: that eigenspace's dimension over n − 1."""
    w, U = _eig_desc(_minus_laplacian(A))
    energy = ((U.T @ V) ** 2).sum(1)
    bottom = _groups(w)[-1]
    return float(energy[bottom].sum() / energy[1:].sum()), len(bottom) / (len(A) - 1)


def _wrong_with_trivial(V, A):
    w, U = _eig_desc(_minus_laplacian(A))
    energy = ((U.T @ V) ** 2).sum(1)
    bottom = _groups(w)[-1]
    return float(energy[bottom].sum() / energy.sum()), len(bottom) / len(A)   # kept the trivial direction


def _wrong_last_vector(V, A):
    w, U = _eig_desc(_minus_laplacian(A))
    energy = ((U.T @ V) ** 2).sum(1)
    return float(energy[-1] / energy[1:].sum()), 1 / (len(A) - 1)      # the last eigenvector, not its space


def _wrong_top_end(V, A):
    w, U = _eig_desc(_minus_laplacian(A))
    energy = ((U.T @ V) ** 2).sum(1)
    top = _groups(w)[1]                                               # the Fiedler end: smooth, not zigzag
    return float(energy[top].sum() / energy[1:].sum()), len(top) / (len(A) - 1)


def _zigzag_cases(rng):
    cases = _graph_cases(rng, scale=(0.5, 2.0))
    g = cycle(int(rng.choice([9, 13])))                                # a zigzag-heavy embedding: alternating signs
    x = np.cos(np.pi * np.arange(g.n) * (g.n - 1) / g.n)
    V = np.outer(x, rng.standard_normal(4)) + 0.1 * rng.standard_normal((g.n, 4)) + 0.5
    return cases + [Case(f"a near-alternating embedding of the {g.n}-cycle", (V, g.adjacency().astype(float)))]


def _compare_pair(expected, got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return a pair (share, chance)"
    for name, e, g in zip(("share", "chance"), expected, got):
        try:
            ok = abs(float(g) - e) <= 1e-6 * max(1.0, abs(e))
        except (TypeError, ValueError):
            return f"the {name} is not a number"
        if not ok:
            return f"the {name} differs"
    return None


check_zigzag = checker(Exercise(
    "zigzag", "07", 2, "the zigzag share and its chance level", zigzag, _zigzag_cases, compare=_compare_pair,
    hint="remove the trivial (top) eigenvector of −L from the total, take the whole bottom eigenspace "
         "(an odd cycle's is a pair), and the chance is its dimension over n − 1",
    wrong=(_wrong_with_trivial, _wrong_last_vector, _wrong_top_end)))

__all__ += ["check_node2vec_gradient", "node2vec_gradient", "check_energy_per_eigenspace", "energy_per_eigenspace",
            "check_zigzag", "zigzag"]
