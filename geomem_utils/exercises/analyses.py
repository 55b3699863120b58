"""Coding exercises of chapter 12 (the paper's later analyses; see ``exercises.core``).

``principal_angles``: how far apart two subspaces are — the measure behind Appendix F's alignment
assumption (are the top eigenspaces of P + Pᵀ and of V Vᵀ the same space?). ``effective_rank``: how many
directions an embedding uses, without reference to the graph (the untied input matrix keeps its random
start's count; the tied one collapses onto the trivial and Fiedler directions).
"""
from __future__ import annotations

import numpy as np

from .core import Case, Exercise, checker, same

__all__: list[str] = []


# ---------------------------------------------------------------- principal angles (Appendix F)
def principal_angles(A, B):
    """Principal angles, in degrees and smallest first, between the column spans of A (n × a) and
    B (n × b), both of full column rank (Appendix F, chapter 12 section 2). Orthonormalise each basis;
    the singular values of Q_Aᵀ Q_B are the cosines of the min(a, b) angles."""
    Qa, _ = np.linalg.qr(np.asarray(A, dtype=float))
    Qb, _ = np.linalg.qr(np.asarray(B, dtype=float))
    cosines = np.linalg.svd(Qa.T @ Qb, compute_uv=False)
    return np.sort(np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0))))


def _wrong_not_orthonormalised(A, B):
    cosines = np.linalg.svd(np.asarray(A).T @ np.asarray(B), compute_uv=False)   # A, B used as they come
    return np.sort(np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0))))


def _wrong_cosines(A, B):
    Qa, Qb = np.linalg.qr(A)[0], np.linalg.qr(B)[0]
    return np.sort(np.linalg.svd(Qa.T @ Qb, compute_uv=False))                   # cosines, not angles


def _wrong_side_of_the_svd(A, B):
    Qa = np.linalg.svd(A, full_matrices=False)[2].T                              # right singular vectors
    Qb = np.linalg.svd(B, full_matrices=False)[2].T
    cosines = np.linalg.svd(Qa.T @ Qb, compute_uv=False)
    return np.sort(np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0))))


def _skewed_basis(rng, n: int, k: int) -> np.ndarray:
    """k random directions in R^n, stretched and mixed, so the basis is far from orthonormal."""
    return rng.standard_normal((n, k)) @ (np.diag(rng.uniform(0.3, 3.0, k)) + rng.uniform(-1, 1, (k, k)) * 0.5)


def _angle_cases(rng):
    n = int(rng.integers(6, 11))
    A2, A3 = _skewed_basis(rng, n, 2), _skewed_basis(rng, n, 3)
    mix = rng.standard_normal((2, 2)) + 2 * np.eye(2)
    shared = np.column_stack([3 * A2[:, 0], rng.standard_normal(n)])
    return [Case(f"two random planes in R^{n}", (A2, _skewed_basis(rng, n, 2))),
            Case(f"one plane in two bases (R^{n})", (A2, A2 @ mix)),
            Case(f"a line against a 3-d space (R^{n})", (_skewed_basis(rng, n, 1), A3)),
            Case(f"two planes sharing a line (R^{n})", (A2, shared))]


check_principal_angles = checker(Exercise(
    "principal_angles", "12", 2, "principal angles between two subspaces", principal_angles, _angle_cases,
    hint="orthonormalise both bases (np.linalg.qr), take the singular values of Q_Aᵀ Q_B (the cosines) and "
         "return np.degrees(np.arccos(...)), sorted smallest first",
    compare=lambda expected, got: same(expected, got, tol=1e-4),   # arccos near 1 loses ~1e-6 degrees
    wrong=(_wrong_not_orthonormalised, _wrong_cosines, _wrong_side_of_the_svd)))


# ---------------------------------------------------------------- effective rank (how many directions)
def effective_rank(E):
    """exp(entropy) of E's singular values normalised to sum 1 (Roy & Vetterli 2007): 1 for a rank-1
    embedding, min(n, m) for one with equal singular values (chapter 12 section 1: the untied input
    matrix keeps its start's effective rank; the tied one falls to the trivial + Fiedler count)."""
    s = np.linalg.svd(np.asarray(E, dtype=float), compute_uv=False)
    p = s / s.sum()
    p = p[p > 0]                                   # 0 · log 0 = 0
    return float(np.exp(-(p * np.log(p)).sum()))


def _wrong_squared(E):
    s2 = np.linalg.svd(E, compute_uv=False) ** 2   # energy shares instead of singular-value shares
    p = s2 / s2.sum()
    return float(np.exp(-(p * np.log(p)).sum()))


def _wrong_entropy_only(E):
    s = np.linalg.svd(E, compute_uv=False)
    p = s / s.sum()
    return float(-(p * np.log(p)).sum())           # the entropy, not its exponential


def _wrong_max_normalised(E):
    s = np.linalg.svd(E, compute_uv=False)
    p = s / s.max()                                # normalised to the largest, not to the sum
    return float(np.exp(-(p * np.log(p)).sum()))


def _spectrum_case(rng, n: int, m: int, values) -> np.ndarray:
    """An n × m matrix with the given singular values (random orthonormal directions on both sides)."""
    k = len(values)
    left = np.linalg.qr(rng.standard_normal((n, k)))[0]
    right = np.linalg.qr(rng.standard_normal((m, k)))[0]
    return left @ np.diag(values) @ right.T


def _rank_cases(rng):
    n, m = int(rng.integers(8, 16)), int(rng.integers(20, 40))
    decay = 2.0 ** -np.arange(n)
    return [Case(f"random {n} × {m} embedding", (rng.standard_normal((n, m)),)),
            Case(f"{n} × {m}, singular values halving", (_spectrum_case(rng, n, m, 5 * decay),)),
            Case(f"{n} × {m}, two equal directions", (_spectrum_case(rng, n, m, [4.0, 4.0]),)),
            Case(f"{n} × {m}, 3, 2, 1 and a small fourth", (_spectrum_case(rng, n, m, [3.0, 2.0, 1.0, 0.1]),))]


check_effective_rank = checker(Exercise(
    "effective_rank", "12", 1, "effective rank of an embedding", effective_rank, _rank_cases,
    hint="normalise the singular values to sum 1 (p = s / s.sum()), drop zeros, and return exp(-Σ p log p)",
    compare=lambda expected, got: same(expected, got, tol=1e-6),
    wrong=(_wrong_squared, _wrong_entropy_only, _wrong_max_normalised)))

__all__ += ["check_principal_angles", "principal_angles", "check_effective_rank", "effective_rank"]
