"""Coding exercises of chapters 04 and 05 (see ``exercises.core``): where the memory of a graph lives.

* 04 — ``navigate``: the one-step navigator, the first hop read off the embeddings alone (paper §3).
* 05 — ``topk_edge_recovery``: did a memorizer store every edge? (top-k recovery, k = degree).
* 05 — ``skewed_margin``: is the memory in the geometry? (the skewed low-rank readout's edge margin).

Each reference is checked in tests/ against the package function the chapters use
(``geometry.navigate_first_hop``, ``evaluation.topk_recovery``, ``readouts.readout_scores``).
"""
from __future__ import annotations

import numpy as np

from .core import Case, Exercise, checker

__all__: list[str] = []


# ---------------------------------------------------------------- 04: one-step navigation
def navigate(E, leaves, first_hops):
    """Paper §3 (chapter 04): for each leaf, the first hop whose embedding is nearest to the leaf's in
    cosine similarity. ``E`` (n, width) holds one row per node; ``leaves`` and ``first_hops`` are node
    ids. Returns one node id (taken from ``first_hops``) per leaf — no forward pass, only geometry."""
    E = np.asarray(E, dtype=np.float64)
    En = E / np.linalg.norm(E, axis=1, keepdims=True)
    similarity = En[leaves] @ En[first_hops].T          # (leaves, first hops)
    return np.asarray(first_hops)[similarity.argmax(axis=1)]


def _wrong_no_normalisation(E, leaves, first_hops):
    """Dot product instead of cosine: a first hop with a long embedding wins for every leaf."""
    E = np.asarray(E, dtype=np.float64)
    return np.asarray(first_hops)[(E[leaves] @ E[first_hops].T).argmax(axis=1)]


def _wrong_position(E, leaves, first_hops):
    """Returns the position in ``first_hops`` instead of the node id found there."""
    E = np.asarray(E, dtype=np.float64)
    En = E / np.linalg.norm(E, axis=1, keepdims=True)
    return (En[leaves] @ En[first_hops].T).argmax(axis=1)


def _wrong_axis(E, leaves, first_hops):
    """Arg-max over the wrong axis (the transposed similarity): for each first hop, its nearest leaf."""
    E = np.asarray(E, dtype=np.float64)
    En = E / np.linalg.norm(E, axis=1, keepdims=True)
    return np.asarray(leaves)[(En[leaves] @ En[first_hops].T).argmax(axis=0)]


def _navigate_cases(rng):
    """Arms with a direction each; a leaf and its arm's first hop point along it (plus noise), with norms
    that vary a lot between nodes, and node ids shuffled so ids are not positions."""
    cases = []
    for d, width in [(4, 8), (7, 16), (12, 32)]:
        n = 3 * d + 1
        ids = rng.permutation(n)
        hops, leaves = ids[:d], ids[d:2 * d]
        direction = rng.standard_normal((d, width))
        E = rng.standard_normal((n, width)) * 0.3
        E[hops] += direction
        E[leaves] += direction
        E *= np.exp(rng.uniform(-1.5, 1.5, size=(n, 1)))      # norms from ~0.2x to ~4.5x
        leaves = np.r_[rng.permutation(leaves), leaves[:1]]   # one leaf asked twice: more leaves than hops
        cases.append(Case(f"{d} arms, width {width}", (E, leaves, hops)))
    return cases


check_navigate = checker(Exercise(
    "navigate", "04", 2, "one-step navigator from the embeddings alone", navigate, _navigate_cases,
    hint="divide every row of E by its norm before the dot products, take each leaf's row's arg-max, and "
         "return the node id from first_hops at that position",
    wrong=(_wrong_no_normalisation, _wrong_position, _wrong_axis)))


# ---------------------------------------------------------------- 05: top-k edge recovery
def topk_edge_recovery(Z, A):
    """Paper §3 (chapter 05): top-k edge recovery of a logit matrix. Row u of ``Z`` (n, n) scores every
    node as the answer to ``[EDGE] u``; ``A`` is the 0/1 adjacency. For each node with k = deg(u) ≥ 1
    neighbours, the share of them among its k highest logits; the mean over those nodes."""
    Z, A = np.asarray(Z, dtype=np.float64), np.asarray(A) > 0
    shares = []
    for u in np.flatnonzero(A.any(axis=1)):
        k = int(A[u].sum())
        top = np.argsort(-Z[u])[:k]
        shares.append(A[u, top].sum() / k)
    return float(np.mean(shares))


def _wrong_k_plus_one(Z, A):
    """Off by one: the k + 1 highest logits, so a missed neighbour one place down still counts."""
    Z, A = np.asarray(Z, dtype=np.float64), np.asarray(A) > 0
    return float(np.mean([A[u, np.argsort(-Z[u])[:int(A[u].sum()) + 1]].sum() / A[u].sum()
                          for u in np.flatnonzero(A.any(axis=1))]))


def _wrong_ascending(Z, A):
    """``np.argsort`` sorts ascending: the k *lowest* logits."""
    Z, A = np.asarray(Z, dtype=np.float64), np.asarray(A) > 0
    return float(np.mean([A[u, np.argsort(Z[u])[:int(A[u].sum())]].sum() / A[u].sum()
                          for u in np.flatnonzero(A.any(axis=1))]))


def _wrong_columns(Z, A):
    """The transposed matrix: reads column u (who scores u) instead of row u (what u scores)."""
    return topk_edge_recovery(np.asarray(Z).T, A)


def _random_graph(rng, n, p):
    """A symmetric 0/1 adjacency without self-loops in which every node has a neighbour and a non-neighbour."""
    A = np.triu(rng.random((n, n)) < p, 1)
    ring = np.roll(np.eye(n, dtype=bool), 1, axis=1)           # a ring keeps every degree ≥ 2
    A = A | A.T | ring | ring.T
    return A.astype(float)


def _recovery_cases(rng):
    cases = []
    for n, p, noise in [(10, 0.2, 1.0), (16, 0.15, 1.2), (24, 0.1, 0.8)]:
        A = _random_graph(rng, n, p)
        Z = A + noise * rng.standard_normal((n, n))           # a memorizer part way through training
        cases.append(Case(f"{n} nodes, noise {noise}", (Z, A)))
    return cases


check_topk_edge_recovery = checker(Exercise(
    "topk_edge_recovery", "05", 1, "top-k edge recovery of a logit matrix", topk_edge_recovery, _recovery_cases,
    hint="row u holds the scores after [EDGE] u; take its deg(u) largest (np.argsort(-Z[u])[:k]) and count "
         "the neighbours among them",
    wrong=(_wrong_k_plus_one, _wrong_ascending, _wrong_columns)))


# ---------------------------------------------------------------- 05: the skewed low-rank margin
def _margin(Z, A):
    """Mean over nodes of (best neighbour logit − best non-neighbour logit), the node itself excluded."""
    A = np.asarray(A) > 0
    negatives = ~A & ~np.eye(len(A), dtype=bool)
    return float(np.mean(np.where(A, Z, -np.inf).max(1) - np.where(negatives, Z, -np.inf).max(1)))


def skewed_margin(E, W, A):
    """Paper §3 and appendix (chapter 05): the edge margin of the skewed low-rank readout. With the SVD
    E = U S Vh, keep only the part of W that scales E's own principal directions,
    W' = Vhᵀ diag(diag(Vh W Vhᵀ)) Vh, score Z = E W' Eᵀ, and return the mean over nodes of (largest logit
    on a neighbour − largest logit on a non-neighbour other than the node itself). ``A``: 0/1 adjacency;
    every node has a neighbour and a non-neighbour."""
    E, W = np.asarray(E, dtype=np.float64), np.asarray(W, dtype=np.float64)
    _, _, Vh = np.linalg.svd(E, full_matrices=False)
    W_skewed = Vh.T @ np.diag(np.diag(Vh @ W @ Vh.T)) @ Vh
    return _margin(E @ W_skewed @ E.T, A)


def _wrong_full_readout(E, W, A):
    """The margin of the full readout E W Eᵀ: the lookup's off-diagonal part is kept."""
    E = np.asarray(E, dtype=np.float64)
    return _margin(E @ np.asarray(W, dtype=np.float64) @ E.T, A)


def _wrong_transposed_basis(E, W, A):
    """Vh used the wrong way round (Vhᵀ W Vh): the columns of Vh are not E's principal directions."""
    E, W = np.asarray(E, dtype=np.float64), np.asarray(W, dtype=np.float64)
    _, _, Vh = np.linalg.svd(E, full_matrices=False)
    return _margin(E @ (Vh @ np.diag(np.diag(Vh.T @ W @ Vh)) @ Vh.T) @ E.T, A)


def _wrong_self_counted(E, W, A):
    """The node itself counted among the non-neighbours: its own (large) logit drags every margin down."""
    E, W = np.asarray(E, dtype=np.float64), np.asarray(W, dtype=np.float64)
    _, _, Vh = np.linalg.svd(E, full_matrices=False)
    Z = E @ (Vh.T @ np.diag(np.diag(Vh @ W @ Vh.T)) @ Vh) @ E.T
    A = np.asarray(A) > 0
    return float(np.mean(np.where(A, Z, -np.inf).max(1) - np.where(~A, Z, -np.inf).max(1)))


def _skewed_cases(rng):
    """A random graph, embeddings with a graph-shaped part, and a W that is half scaling, half lookup."""
    cases = []
    for n, width in [(10, 4), (14, 6), (20, 8)]:
        A = _random_graph(rng, n, 0.2)
        E = rng.standard_normal((n, width))
        E += 0.5 * A @ E / A.sum(1, keepdims=True)            # neighbours lean towards each other
        W = np.diag(rng.uniform(0.5, 2.0, width)) + rng.standard_normal((width, width))
        cases.append(Case(f"{n} nodes, width {width}", (E, W, A)))
    return cases


check_skewed_margin = checker(Exercise(
    "skewed_margin", "05", 3, "the skewed low-rank readout's edge margin", skewed_margin, _skewed_cases,
    hint="np.linalg.svd(E, full_matrices=False) returns Vh with E's principal directions as rows; keep "
         "diag(Vh W Vhᵀ), rebuild W' = Vhᵀ diag(...) Vh, and leave the node itself out of the non-neighbours",
    wrong=(_wrong_full_readout, _wrong_transposed_basis, _wrong_self_counted)))

__all__ += ["check_navigate", "navigate", "check_topk_edge_recovery", "topk_edge_recovery",
            "check_skewed_margin", "skewed_margin"]
