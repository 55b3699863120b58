"""Property-based tests (hypothesis): valid inputs always give consistent objects; invalid inputs always
give one ValueError that names the offending parameter (never a TypeError or a deep traceback)."""
import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geomem_utils.graphs import MAX_NODES, path_star, tree_star
from geomem_utils.models import ModelConfig
from geomem_utils.tasks import EDGE_DIRECTIONS, PATH_MODES, PathStarTask

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.one_of(st.none(), st.integers(0, 2**32))


def check_star(g, d, l, n, n_paths):
    assert g.n == n
    assert g.num_edges == n - 1
    G = g.to_networkx()
    assert nx.is_connected(G) and nx.is_tree(G)
    deg = g.degrees()
    assert deg.sum() == 2 * g.num_edges
    assert deg[g.root] == d
    assert sorted(np.unique(g.edges).tolist()) == list(range(n))  # ids are exactly 0..n-1
    assert g.paths.shape == (n_paths, l)
    assert np.all(g.paths[:, 0] == g.root)
    for p in g.paths.tolist():
        assert all(G.has_edge(u, v) for u, v in zip(p[:-1], p[1:]))
    assert np.all(deg[g.leaves] == 1) and len(set(g.leaves.tolist())) == n_paths


@FAST
@given(d=st.integers(1, 30), l=st.integers(2, 8), seed=seeds)
def test_path_star_valid(d, l, seed):
    g = path_star(d, l, seed=seed)
    check_star(g, d, l, d * (l - 1) + 1, d)
    # arms are disjoint
    assert len(set(g.paths[:, 1:].ravel().tolist())) == d * (l - 1)


@FAST
@given(d=st.integers(1, 6), l=st.integers(2, 7), seed=seeds)
def test_tree_star_valid(d, l, seed):
    g = tree_star(d, l, seed=seed)
    check_star(g, d, l, 1 + d * (2 ** (l - 1) - 1), d * 2 ** (l - 2))


# ------------------------------------------------------------------ invalid graph parameters
not_an_int = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=5),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.integers(1, 10).map(float),          # 3.0 is not an integer count
)
bad_d = st.one_of(not_an_int, st.integers(max_value=0))
bad_l = st.one_of(not_an_int, st.integers(max_value=1))


@FAST
@given(builder=st.sampled_from([path_star, tree_star]), d=bad_d, l=st.integers(2, 5))
def test_star_invalid_d(builder, d, l):
    with pytest.raises(ValueError, match=r"^d \(number of arms\)"):
        builder(d, l)


@FAST
@given(builder=st.sampled_from([path_star, tree_star]), d=st.integers(1, 5), l=bad_l)
def test_star_invalid_l(builder, d, l):
    with pytest.raises(ValueError, match=r"^l \(nodes per"):
        builder(d, l)


@FAST
@given(d=st.integers(1, 10**6), l=st.integers(17, 10**18))
def test_tree_star_huge_l(d, l):
    with pytest.raises(ValueError, match=r"^l \(nodes per path"):
        tree_star(d, l)


@FAST
@given(d=st.integers(1, 10**15), l=st.integers(2, 10**15))
def test_star_too_many_nodes_refused(d, l):
    assume(d * (l - 1) + 1 > MAX_NODES)
    with pytest.raises(ValueError, match=r"d \(number of arms\)") as err:
        path_star(d, l)
    assert "l" in str(err.value)


# ------------------------------------------------------------------ invalid task parameters
GRAPH = path_star(4, 3, seed=0)
not_a_choice = st.one_of(st.text(max_size=8), st.integers(), st.none(), st.booleans(), st.floats())


@FAST
@given(value=not_a_choice)
def test_task_invalid_edge_direction(value):
    assume(value not in EDGE_DIRECTIONS)
    with pytest.raises(ValueError, match="^edge_direction"):
        PathStarTask(GRAPH, edge_direction=value)


@FAST
@given(value=not_a_choice)
def test_task_invalid_path_mode(value):
    assume(value not in PATH_MODES)
    with pytest.raises(ValueError, match="^path_mode"):
        PathStarTask(GRAPH, path_mode=value)


@FAST
@given(value=st.one_of(not_an_int, st.integers(max_value=-1), st.integers(min_value=65)))
def test_task_invalid_n_pause(value):
    with pytest.raises(ValueError, match="^n_pause"):
        PathStarTask(GRAPH, n_pause=value)


@FAST
@given(value=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), st.just(float("nan")),
                       st.booleans(), st.text(max_size=4), st.none(), st.integers(max_value=0),
                       st.integers(min_value=1)))
def test_task_invalid_train_fraction(value):
    with pytest.raises(ValueError, match="train_fraction"):
        PathStarTask(GRAPH, train_fraction=value)


@FAST
@given(value=st.floats(0.01, 0.99), d=st.integers(2, 12))
def test_task_valid_train_fraction_gives_nonempty_disjoint_split(value, d):
    t = PathStarTask(path_star(d, 3, seed=0), train_fraction=value)
    assert len(t.train_paths) >= 1 and len(t.test_paths) >= 1
    assert sorted(t.train_paths.tolist() + t.test_paths.tolist()) == list(range(d))


# ------------------------------------------------------------------ model config
@FAST
@given(width=st.integers(1, 256), heads=st.integers(1, 32))
def test_model_config_width_heads(width, heads):
    if width % heads:
        with pytest.raises(ValueError, match="heads"):
            ModelConfig(vocab_size=10, width=width, heads=heads)
    else:
        c = ModelConfig(vocab_size=10, width=width, heads=heads)
        assert c.width // c.heads * c.heads == width


@FAST
@given(width=st.one_of(not_an_int, st.integers(max_value=0)))
def test_model_config_invalid_width(width):
    with pytest.raises(ValueError, match="^width"):
        ModelConfig(vocab_size=10, width=width, heads=1)
