"""Is geometry a more succinct memory than lookup? (paper §3, claim C9) — a cost calculator.

Two ways to store a graph's edges so that ``[EDGE] u`` can be answered:

* **associative**: one lookup entry per edge, naming its other end: |E|·log2|V| bits; as a matrix W over
  orthonormal (one-hot-like) node embeddings, one unit entry per edge, so ‖W‖_F = √|E|.
* **geometric**: each node stores m coordinates at Δ levels each (|V|·m·log2 Δ bits) and the readout is
  a fixed similarity (W = I); a unit margin needs every embedding to have norm ≥ 1, so ‖E‖_F ≥ √|V|.

Our codes for the two families the paper discusses (the derivations are in chapter 05):

* path-star G_{d,l}: a node's coordinates are (arm, depth): log2 d + log2 l bits;
* cycle C_n: a point on the circle (cos θ, sin θ): m = 2 coordinates, Δ = n levels each (neighbours sit
  2π/n apart).

Both ratios (geometric / associative) stay in [1, 2]: geometry is never cheaper, so succinctness cannot
be why models prefer it. Counting each undirected edge once (a symmetric store); counting both
directions doubles the associative cost and halves the ratios, still within a factor 2.
"""
from __future__ import annotations

import math

from .config import check_int


def storage_costs(n_nodes: int, n_edges: int, geometric_bits_per_node: float) -> dict:
    """Bits and ℓ2 costs of both stores, and the ratios geometric / associative."""
    n_nodes = check_int("n_nodes", n_nodes, minimum=2)
    n_edges = check_int("n_edges", n_edges, minimum=1)
    bits_a = n_edges * math.log2(n_nodes)
    bits_g = n_nodes * geometric_bits_per_node
    l2_a, l2_g = math.sqrt(n_edges), math.sqrt(n_nodes)
    return dict(nodes=n_nodes, edges=n_edges, bits_associative=bits_a, bits_geometric=bits_g,
                bits_ratio=bits_g / bits_a, l2_associative=l2_a, l2_geometric=l2_g, l2_ratio=l2_g / l2_a)


def path_star_costs(d: int, l: int) -> dict:
    """G_{d,l}: |V| = d(l-1)+1, |E| = d(l-1); geometric code (arm, depth) = log2 d + log2 l bits a node.
    Since |V| ≤ d·l ≤ 2|V|, the bits ratio lies in [|V|/|E|, (|V|/|E|)(1 + 1/log2|V|)] ⊂ [1, 2]."""
    d = check_int("d (arms)", d, minimum=1)
    l = check_int("l (nodes per arm, root included)", l, minimum=2)
    return storage_costs(d * (l - 1) + 1, d * (l - 1), math.log2(d) + math.log2(l))


def cycle_costs(n: int) -> dict:
    """C_n: |V| = |E| = n; geometric code (cos θ, sin θ) at n levels each = 2·log2 n bits a node, so the
    bits ratio is exactly 2 and the ℓ2 ratio exactly 1."""
    n = check_int("n (cycle length)", n, minimum=3)
    return storage_costs(n, n, 2 * math.log2(n))


def both_directions(costs: dict) -> dict:
    """``costs`` (from ``path_star_costs`` / ``cycle_costs``) with every undirected edge stored twice, u → v
    and v → u, as the memorizers are trained: the lookup's cost doubles, so the bits ratio halves and the
    ℓ2 ratio drops by 1/√2 (‖W‖_F = √(2|E|))."""
    return storage_costs(costs["nodes"], 2 * costs["edges"], costs["bits_geometric"] / costs["nodes"])
