"""graphs.py: sizes, degree sequences and structure of every graph family, seeded ids, leaf split."""
from collections import Counter

import networkx as nx
import numpy as np
import pytest

from geomem_utils.graphs import (IRREGULAR_EDGES, Graph, cycle, from_networkx, grid, irregular, leaf_split,
                                 path_star, tiny_graphs, tiny_star, tree_star)


def assert_simple_undirected(g: Graph):
    """Ids are 0..n-1, no self-loops, no repeated undirected edge."""
    assert g.edges.shape == (g.num_edges, 2)
    assert g.edges.dtype == np.int64
    assert g.edges.min() >= 0 and g.edges.max() < g.n
    assert np.all(g.edges[:, 0] != g.edges[:, 1])
    assert len({frozenset(e) for e in g.edges.tolist()}) == g.num_edges


def assert_paths_are_paths(g: Graph):
    """Every stored path starts at the root, walks along edges, and ends at a distinct degree-1 leaf."""
    und = {frozenset(e) for e in g.edges.tolist()}
    fwd = {tuple(e) for e in g.edges.tolist()}
    assert np.all(g.paths[:, 0] == g.root)
    for p in g.paths.tolist():
        assert len(set(p)) == len(p)
        for u, v in zip(p[:-1], p[1:]):
            assert frozenset((u, v)) in und
            assert (u, v) in fwd  # stored edges are oriented away from the root
    assert len(set(g.leaves.tolist())) == len(g.paths)
    assert np.all(g.degrees()[g.leaves] == 1)


# ------------------------------------------------------------------ path-star
@pytest.mark.parametrize("d,l", [(1, 2), (2, 3), (4, 5), (7, 4), (50, 6)])
def test_path_star_counts_and_degrees(d, l):
    g = path_star(d, l, seed=3)
    n = d * (l - 1) + 1
    assert g.n == n and g.num_edges == n - 1
    assert_simple_undirected(g)
    deg = g.degrees()
    assert deg[g.root] == d
    assert deg.sum() == 2 * g.num_edges
    others = np.delete(deg, g.root)
    # non-root nodes: d leaves of degree 1, the rest are interior arm nodes of degree 2
    assert Counter(others.tolist()) == Counter({1: d, 2: d * (l - 2)} if l > 2 else {1: d})
    assert g.paths.shape == (d, l)
    assert_paths_are_paths(g)
    assert nx.is_tree(g.to_networkx())


def test_path_star_paths_cover_every_node_once():
    g = path_star(6, 5, seed=1)
    nonroot = g.paths[:, 1:].ravel()
    assert sorted(nonroot.tolist() + [g.root]) == list(range(g.n))


def test_path_star_ids_are_a_permutation():
    g = path_star(9, 4, seed=11)
    assert sorted(np.unique(g.edges).tolist()) == list(range(g.n))
    canon = path_star(9, 4, seed=None)
    assert canon.root == 0
    np.testing.assert_array_equal(canon.paths[:, 1:].ravel(), np.arange(1, canon.n))
    # a permuted labelling is isomorphic to the canonical one
    assert nx.is_isomorphic(g.to_networkx(), canon.to_networkx())


def test_path_star_seeded_relabelling_reproducible_and_seed_dependent():
    a, b, c = path_star(8, 5, seed=4), path_star(8, 5, seed=4), path_star(8, 5, seed=5)
    np.testing.assert_array_equal(a.edges, b.edges)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert a.root == b.root
    assert not np.array_equal(a.paths, c.paths)
    assert not np.array_equal(a.edges, c.edges)


def test_star_helpers_leaves_first_hops_arm_of():
    g = path_star(5, 4, seed=2)
    np.testing.assert_array_equal(g.leaves, g.paths[:, -1])
    np.testing.assert_array_equal(g.first_hops, g.paths[:, 1])
    arm = g.arm_of()
    assert arm[g.root] == -1
    for p in g.paths:
        assert len(set(arm[p[1:]].tolist())) == 1
    assert sorted(set(arm.tolist()) - {-1}) == list(range(5))


def test_non_star_has_no_leaves():
    with pytest.raises(ValueError, match="not a star"):
        cycle(5).leaves


# ------------------------------------------------------------------ tree-star
@pytest.mark.parametrize("d,l", [(1, 2), (2, 3), (3, 4), (2, 6)])
def test_tree_star_counts_and_degrees(d, l):
    g = tree_star(d, l, seed=0)
    n = 1 + d * (2 ** (l - 1) - 1)
    assert g.n == n and g.num_edges == n - 1
    assert_simple_undirected(g)
    assert nx.is_tree(g.to_networkx())
    n_paths = d * 2 ** (l - 2)
    assert g.paths.shape == (n_paths, l)
    assert_paths_are_paths(g)
    deg = g.degrees()
    assert deg[g.root] == d
    others = np.delete(deg, g.root)
    # leaves have degree 1, every other non-root node has one parent and two children
    assert Counter(others.tolist()) == Counter({1: n_paths, 3: n - 1 - n_paths} if l > 2 else {1: n_paths})
    # each root child heads 2^(l-2) paths
    assert set(Counter(g.first_hops.tolist()).values()) == {2 ** (l - 2)}


def test_tree_star_seeded():
    a, b = tree_star(3, 4, seed=1), tree_star(3, 4, seed=1)
    np.testing.assert_array_equal(a.edges, b.edges)
    assert not np.array_equal(a.edges, tree_star(3, 4, seed=2).edges)


# ------------------------------------------------------------------ tiny graphs
def test_cycle():
    g = cycle(15)
    assert g.n == 15 and g.num_edges == 15
    assert_simple_undirected(g)
    assert np.all(g.degrees() == 2)
    assert nx.is_connected(g.to_networkx())
    assert cycle(3).num_edges == 3
    with pytest.raises(ValueError, match="n"):
        cycle(2)


def test_grid_4x4():
    g = grid(4, 4)
    assert g.n == 16 and g.num_edges == 24
    assert_simple_undirected(g)
    assert Counter(g.degrees().tolist()) == Counter({2: 4, 3: 8, 4: 4})
    assert nx.is_isomorphic(g.to_networkx(), nx.grid_2d_graph(4, 4))
    # node id = r * cols + c: 0 and 1 are horizontal neighbours, 0 and 4 vertical ones
    A = g.adjacency()
    assert A[0, 1] == A[0, 4] == 1 and A[0, 5] == 0 and A[3, 4] == 0


def test_grid_rectangular_and_invalid():
    g = grid(2, 3)
    assert g.n == 6 and g.num_edges == 7
    with pytest.raises(ValueError, match="at least 2 nodes"):
        grid(1, 1)
    with pytest.raises(ValueError, match="rows"):
        grid(0, 3)


def test_irregular():
    g = irregular()
    assert g.n == 16 and g.num_edges == 20
    assert_simple_undirected(g)
    G = g.to_networkx()
    comps = sorted(map(sorted, nx.connected_components(G)), key=len)
    assert comps == [[12, 13, 14, 15], list(range(12))]
    # a 4-clique, and a 12-ring with chords 1-3 and 5-8
    assert G.subgraph([12, 13, 14, 15]).number_of_edges() == 6
    assert all(G.has_edge(i, (i + 1) % 12) for i in range(12))
    assert G.has_edge(1, 3) and G.has_edge(5, 8)
    assert {frozenset(e) for e in g.edges.tolist()} == {frozenset(e) for e in IRREGULAR_EDGES}


def test_tiny_star():
    g = tiny_star()
    assert g.n == 17 and g.num_edges == 16
    assert g.root == 0 and g.paths.shape == (4, 5)
    assert g.degrees()[0] == 4
    assert_paths_are_paths(g)


def test_tiny_graphs_dict():
    gs = tiny_graphs()
    assert set(gs) == {"star", "grid", "cycle", "irregular"}
    assert {k: (g.n, g.num_edges) for k, g in gs.items()} == {
        "star": (17, 16), "grid": (16, 24), "cycle": (15, 15), "irregular": (16, 20)}


# ------------------------------------------------------------------ adjacency / directions
def test_adjacency_degrees_neighbours_consistent():
    g = path_star(3, 4, seed=0)
    A = g.adjacency()
    np.testing.assert_array_equal(A, A.T)
    np.testing.assert_array_equal(A.sum(1), g.degrees())
    nb = g.neighbours("both")
    for u in range(g.n):
        np.testing.assert_array_equal(nb[u], np.flatnonzero(A[u]))
    fwd = g.neighbours("forward")
    assert len(fwd[g.root]) == 3 and all(len(fwd[v]) == 0 for v in g.leaves)
    bwd = g.neighbours("backward")
    assert len(bwd[g.root]) == 0 and all(len(bwd[v]) == 1 for v in range(g.n) if v != g.root)


def test_directed_edges_variants():
    g = grid(2, 2)
    np.testing.assert_array_equal(g.directed_edges("backward"), g.edges[:, ::-1])
    both = g.directed_edges("both")
    assert len(both) == 2 * g.num_edges
    assert {tuple(e) for e in both.tolist()} == {(u, v) for u, v in g.edges.tolist()} | {
        (v, u) for u, v in g.edges.tolist()}
    with pytest.raises(ValueError, match="direction"):
        g.directed_edges("sideways")


# ------------------------------------------------------------------ networkx
def test_from_networkx_karate():
    g = from_networkx(nx.karate_club_graph())
    assert g.n == 34 and g.num_edges == 78
    assert_simple_undirected(g)
    assert nx.is_isomorphic(g.to_networkx(), nx.karate_club_graph())


def test_from_networkx_relabels_and_drops_self_loops():
    G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "c")])
    with pytest.raises(ValueError, match=r"directed.*G\.to_undirected\(\)"):
        from_networkx(G)            # refused, with the one call that converts it
    g = from_networkx(G.to_undirected(), name="toy")
    assert g.name == "toy" and g.n == 3
    assert {frozenset(e) for e in g.edges.tolist()} == {frozenset((0, 1)), frozenset((1, 2))}
    # isolated nodes keep their id
    H = nx.Graph()
    H.add_nodes_from(range(4))
    H.add_edge(0, 1)
    h = from_networkx(H)
    assert h.n == 4 and h.num_edges == 1 and list(h.degrees()) == [1, 1, 0, 0]


def test_from_networkx_empty_graph_errors():
    with pytest.raises(ValueError, match="empty"):
        from_networkx(nx.Graph())


# ------------------------------------------------------------------ leaf split
@pytest.mark.parametrize("d,n_train", [(4, 3), (8, 6), (20, 15), (100, 75), (2, 1)])
def test_leaf_split_sizes_disjoint_covering(d, n_train):
    g = path_star(d, 3, seed=0)
    tr, te = leaf_split(g, 0.75, seed=1)
    assert len(tr) == n_train and len(te) == d - n_train
    assert set(tr.tolist()).isdisjoint(te.tolist())
    assert sorted(tr.tolist() + te.tolist()) == list(range(d))
    assert np.all(np.diff(tr) > 0) and np.all(np.diff(te) > 0)


def test_leaf_split_seeded():
    g = path_star(40, 3, seed=0)
    a, b, c = leaf_split(g, seed=3), leaf_split(g, seed=3), leaf_split(g, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_leaf_split_both_sides_non_empty_at_extreme_fractions():
    g = path_star(10, 3, seed=0)
    assert len(leaf_split(g, 0.01)[0]) == 1
    assert len(leaf_split(g, 0.99)[1]) == 1


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.5, 2.0, float("nan"), "0.5", None, True])
def test_leaf_split_invalid_fraction(bad):
    with pytest.raises(ValueError, match="train_fraction"):
        leaf_split(path_star(4, 3), bad)


def test_leaf_split_needs_star_and_two_leaves():
    with pytest.raises(ValueError, match="not a star"):
        leaf_split(cycle(5))
    with pytest.raises(ValueError, match="at least 2 leaves"):
        leaf_split(path_star(1, 4))
    with pytest.raises(ValueError, match="seed"):
        leaf_split(path_star(4, 3), 0.75, seed=-1)


# ------------------------------------------------------------------ invalid sizes
@pytest.mark.parametrize("builder", [path_star, tree_star])
def test_star_builders_reject_bad_sizes(builder):
    with pytest.raises(ValueError, match=r"^d \(number of arms\)"):
        builder(0, 3)
    with pytest.raises(ValueError, match=r"^l \(nodes per"):
        builder(3, 1)
    with pytest.raises(ValueError, match=r"^d \(number of arms\) must be an integer"):
        builder(2.0, 3)
    with pytest.raises(ValueError, match="number of arms"):
        builder(10**9, 5)  # refused before any memory is allocated


def test_tree_star_rejects_huge_depth():
    with pytest.raises(ValueError, match=r"^l \(nodes per path"):
        tree_star(1, 17)


def test_split_by_first_hop_keeps_subtrees_together():
    from geomem_utils.graphs import leaf_split, tree_star
    g = tree_star(6, 4, seed=0)
    train, test = leaf_split(g, 0.75, seed=0, by="first_hop")
    hop = g.paths[:, 1]
    assert set(hop[train]).isdisjoint(hop[test])                  # no held-out v1 starts a training path
    assert len(set(hop[test])) == 2 and len(train) + len(test) == len(g.paths) == 6 * 4
    tr_leaf, te_leaf = leaf_split(g, 0.75, seed=0)                 # by leaf: subtrees are cut
    assert not set(hop[tr_leaf]).isdisjoint(hop[te_leaf])
    with pytest.raises(ValueError, match="split unit"):
        leaf_split(g, by="arm")
    from geomem_utils.graphs import path_star
    with pytest.raises(ValueError, match="2 first hops"):
        leaf_split(tree_star(1, 4), by="first_hop")
    assert len(leaf_split(path_star(8, 4), by="first_hop")[1]) == 2  # path-star: one leaf per first hop
