"""tasks.py: vocabulary, edge and path examples, the target mask and shift, the split, in-context task."""
import networkx as nx
import numpy as np
import pytest

from geomem_utils.graphs import cycle, path_star, tree_star
from geomem_utils.tasks import IGNORE, Examples, InContextTask, PathStarTask, Vocab, concat


@pytest.fixture
def star():
    return path_star(5, 4, seed=2)  # 16 nodes, 15 edges, 5 leaves


def depth_of(g):
    depth = np.zeros(g.n, dtype=int)
    for p in g.paths:
        depth[p] = np.arange(len(p))
    return depth


# ------------------------------------------------------------------ vocab
def test_vocab_size_ids_and_decode():
    v = Vocab(10)
    assert len(v) == 14
    ids = {s: v[s] for s in ("[PAD]", "[EDGE]", "[PATH]", "[PAUSE]")}
    assert sorted(ids.values()) == [10, 11, 12, 13]
    assert v.token(3) == "3" and v.token(v["[EDGE]"]) == "[EDGE]"
    row = [v["[PATH]"], 7, v["[PAUSE]"], 0, 4, v["[PAD]"], v["[PAD]"]]
    assert v.decode(row) == "[PATH] 7 [PAUSE] 0 4"
    assert v.decode(np.array([[v["[EDGE]"], 9, 2]])) == "[EDGE] 9 2"


def test_vocab_rejects_bad_size():
    with pytest.raises(ValueError, match="n_nodes"):
        Vocab(0)


def test_task_vocab_is_nodes_plus_four_specials(star):
    t = PathStarTask(star)
    assert len(t.vocab) == star.n + 4
    assert t.vocab["[EDGE]"] >= star.n


# ------------------------------------------------------------------ edge examples
@pytest.mark.parametrize("direction,factor", [("both", 2), ("forward", 1), ("backward", 1)])
@pytest.mark.parametrize("self_edges", [False, True])
def test_edge_example_counts_and_format(star, direction, factor, self_edges):
    t = PathStarTask(star, edge_direction=direction, self_edges=self_edges)
    ex = t.edge_examples()
    E = star.num_edges
    assert len(ex) == factor * E + (star.n if self_edges else 0)
    assert ex.tokens.shape[1] == 3
    assert np.all(ex.tokens[:, 0] == t.vocab["[EDGE]"])
    assert np.all(ex.tokens[:, 1:] < star.n)
    # only the last position is a target
    np.testing.assert_array_equal(ex.is_target, np.tile([False, False, True], (len(ex), 1)))
    assert set(ex.kind.tolist()) == {"edge"}
    pairs = [tuple(p) for p in ex.tokens[:, 1:].tolist()]
    assert len(set(pairs)) == len(pairs)
    loops = [p for p in pairs if p[0] == p[1]]
    assert len(loops) == (star.n if self_edges else 0)
    depth = depth_of(star)
    real = [p for p in pairs if p[0] != p[1]]
    step = {depth[v] - depth[u] for u, v in real}
    assert step == {"both": {1, -1}, "forward": {1}, "backward": {-1}}[direction]
    und = {frozenset(e) for e in star.edges.tolist()}
    assert {frozenset(p) for p in real} == und  # every edge (held-out arms too) is present


# ------------------------------------------------------------------ path examples
@pytest.mark.parametrize("n_pause", [0, 1, 3])
def test_forward_path_examples(star, n_pause):
    t = PathStarTask(star, n_pause=n_pause)
    v = t.vocab
    ex = t.path_examples("train")
    assert len(ex) == len(t.train_paths)
    k = n_pause
    assert ex.tokens.shape[1] == 2 + k + star.paths.shape[1]
    for row, mask, p in zip(ex.tokens, ex.is_target, star.paths[t.train_paths]):
        assert row[0] == v["[PATH]"] and row[1] == p[-1]
        assert np.all(row[2:2 + k] == v["[PAUSE]"])
        np.testing.assert_array_equal(row[2 + k:], p)  # root, v1, ..., leaf
        assert row[2 + k] == star.root and row[-1] == row[1]  # the leaf is repeated at the end
        np.testing.assert_array_equal(mask, [False] * (2 + k) + [True] * len(p))
    assert set(ex.kind.tolist()) == {"path"}


def test_reverse_and_first_hop_path_examples(star):
    rev = PathStarTask(star, path_mode="reverse", n_pause=2)
    ex = rev.path_examples("test")
    for row, p in zip(ex.tokens, star.paths[rev.test_paths]):
        np.testing.assert_array_equal(row[4:], p[::-1])  # leaf .. root
        assert row[-1] == star.root
    hard = PathStarTask(star, path_mode="first_hop", n_pause=1)
    ex = hard.path_examples("train")
    assert ex.tokens.shape[1] == 4
    np.testing.assert_array_equal(ex.tokens[:, 3], star.paths[hard.train_paths, 1])
    np.testing.assert_array_equal(ex.is_target, np.tile([False, False, False, True], (len(ex), 1)))


def test_path_mode_none(star):
    t = PathStarTask(star, path_mode="none")
    assert len(t.path_examples("train")) == 0
    ts = t.training_set()
    assert len(ts) == 2 * star.num_edges and set(ts.kind.tolist()) == {"edge"}
    with pytest.raises(ValueError, match="none"):
        t.eval_prompts()


def test_split_name_validated(star):
    with pytest.raises(ValueError, match="split"):
        PathStarTask(star).path_examples("valid")


# ------------------------------------------------------------------ shift
def test_inputs_targets_shift():
    tok = np.array([[5, 1, 2, 3], [6, 7, 8, 0]])
    tgt = np.array([[False, False, True, True], [False, True, False, False]])
    x, y = Examples(tok, tgt, np.array(["a", "b"])).inputs_targets()
    np.testing.assert_array_equal(x.numpy(), tok[:, :-1])
    np.testing.assert_array_equal(y.numpy(), [[IGNORE, 2, 3], [7, IGNORE, IGNORE]])


def test_inputs_targets_on_task(star):
    t = PathStarTask(star, n_pause=1)
    x, y = t.training_set().inputs_targets()
    ts = t.training_set()
    for i in range(len(ts)):
        for j in range(x.shape[1]):
            expected = ts.tokens[i, j + 1] if ts.is_target[i, j + 1] else IGNORE
            assert y[i, j] == expected
    # each edge example has exactly 1 target, each forward path example l targets
    n_t = (y != IGNORE).sum(1).numpy()
    assert sorted(set(n_t[ts.kind == "edge"].tolist())) == [1]
    assert sorted(set(n_t[ts.kind == "path"].tolist())) == [star.paths.shape[1]]


# ------------------------------------------------------------------ training set / held-out
@pytest.mark.parametrize("graph", [path_star(12, 4, seed=1), tree_star(3, 4, seed=1)])
def test_training_set_has_edges_and_train_paths_only(graph):
    t = PathStarTask(graph)
    ts = t.training_set()
    n_edge, n_path = (ts.kind == "edge").sum(), (ts.kind == "path").sum()
    assert n_edge == 2 * graph.num_edges
    assert n_path == len(t.train_paths)
    assert len(ts) == n_edge + n_path
    path_rows = ts.tokens[ts.kind == "path"]
    assert np.all(path_rows[:, 0] == t.vocab["[PATH]"])
    prompted = set(path_rows[:, 1].tolist())
    held_out = set(graph.leaves[t.test_paths].tolist())
    assert prompted == set(graph.leaves[t.train_paths].tolist())
    assert prompted.isdisjoint(held_out) and len(held_out) > 0
    # no "[PATH] leaf" of a held-out leaf anywhere in the training set
    for leaf in held_out:
        assert not np.any((ts.tokens[:, 0] == t.vocab["[PATH]"]) & (ts.tokens[:, 1] == leaf))
    # edge rows are padded with [PAD] and the padding is never a target
    edge_rows = ts.tokens[ts.kind == "edge"]
    assert np.all(edge_rows[:, 3:] == t.vocab["[PAD]"])
    assert not ts.is_target[ts.kind == "edge"][:, 3:].any()


def test_split_sizes_follow_train_fraction():
    g = path_star(20, 3, seed=0)
    t = PathStarTask(g, train_fraction=0.5, split_seed=3)
    assert len(t.train_paths) == 10 and len(t.test_paths) == 10
    assert PathStarTask(g).train_paths.size == 15


@pytest.mark.parametrize("mode,n_targets", [("forward", 4), ("reverse", 4), ("first_hop", 1)])
def test_eval_prompts_shapes_and_answers(star, mode, n_targets):
    t = PathStarTask(star, path_mode=mode, n_pause=2)
    prompts, answers = t.eval_prompts("test")
    P = len(t.test_paths)
    assert prompts.shape == (P, 4) and answers.shape == (P, n_targets)
    paths = star.paths[t.test_paths]
    np.testing.assert_array_equal(prompts[:, 1], paths[:, -1])
    np.testing.assert_array_equal(answers, t.path_examples("test").tokens[:, 4:])
    tr_prompts, _ = t.eval_prompts("train")
    assert tr_prompts.shape == (len(t.train_paths), 4)
    some = t.train_paths[:3]   # any index set (a validation split): the rows of those paths
    np.testing.assert_array_equal(t.prompts_of(some)[0], tr_prompts[:3])


def test_task_config_and_chance(star):
    t = PathStarTask(star, edge_direction="forward", n_pause=3)
    c = t.config()
    assert c["edge_direction"] == "forward" and c["n_pause"] == 3 and c["graph"]["d"] == 5
    assert t.chance == pytest.approx(1 / 5)
    assert PathStarTask(tree_star(3, 4)).chance == pytest.approx(1 / 3)


def test_task_rejects_non_star():
    with pytest.raises(ValueError, match="star"):
        PathStarTask(cycle(6))
    with pytest.raises(ValueError, match="star"):
        PathStarTask("not a graph")


def test_concat_pads():
    a = Examples(np.ones((2, 3), np.int64), np.ones((2, 3), bool), np.array(["x", "x"]))
    b = Examples(np.full((1, 5), 2), np.zeros((1, 5), bool), np.array(["y"]))
    c = concat(a, b, pad=9)
    assert c.tokens.shape == (3, 5)
    np.testing.assert_array_equal(c.tokens[:2, 3:], 9)
    assert not c.is_target[:2, 3:].any()
    assert c.kind.tolist() == ["x", "x", "y"]


# ------------------------------------------------------------------ in-context task
@pytest.mark.parametrize("reverse", [False, True])
def test_in_context_sample_format(reverse):
    d, l = 3, 4
    task = InContextTask(d=d, l=l, n_labels=30, reverse=reverse)
    n_nodes, n_edges = d * (l - 1) + 1, d * (l - 1)
    assert task.prompt_len == 4 * n_edges + 5
    v = task.vocab
    assert len(v) == 30 + 5
    ex = task.sample(6, np.random.default_rng(0))
    assert ex.tokens.shape == (6, task.prompt_len + l)
    np.testing.assert_array_equal(ex.is_target, np.tile([False] * task.prompt_len + [True] * l, (6, 1)))
    for row in ex.tokens:
        edge_part = row[:4 * n_edges].reshape(n_edges, 4)
        assert np.all(edge_part[:, 1] == v[","]) and np.all(edge_part[:, 3] == v["|"])
        edges = [tuple(e) for e in edge_part[:, [0, 2]].tolist()]
        assert all(0 <= x < 30 for e in edges for x in e)
        G = nx.DiGraph(edges)
        assert G.number_of_nodes() == n_nodes and nx.is_tree(G.to_undirected())
        q = row[4 * n_edges:task.prompt_len]
        assert q[0] == v["/"] and q[2] == v[","] and q[4] == v["="]
        start, goal = q[1], q[3]
        assert G.out_degree(start) == d and G.in_degree(start) == 0  # start is the root
        assert G.out_degree(goal) == 0  # goal is a leaf
        target = row[task.prompt_len:].tolist()
        assert len(set(target)) == l
        fwd = target[::-1] if reverse else target
        assert fwd[0] == start and fwd[-1] == goal
        assert all((a, b) in G.edges for a, b in zip(fwd[:-1], fwd[1:]))  # edges of the prompt


def test_in_context_reproducible_and_fresh_labels():
    task = InContextTask(d=2, l=5, n_labels=50)
    a = task.sample(4, np.random.default_rng(1))
    b = task.sample(4, np.random.default_rng(1))
    np.testing.assert_array_equal(a.tokens, b.tokens)
    # each example draws its own labelling
    assert len({tuple(sorted(set(r[:task.prompt_len].tolist()))) for r in a.tokens}) > 1
    assert task.chance == 0.5


def test_in_context_references_v1_chance_and_a_node_guess():
    """1/d is v1's chance (a choice among the root's d children); a one-lookup target (reverse targets,
    forward targets after v1) is referenced against a guess among the prompt's d(l-1)+1 nodes."""
    task = InContextTask(d=2, l=5, n_labels=50, reverse=True)
    assert task.n_nodes == 9 and task.node_guess == pytest.approx(1 / 9) and task.chance == 0.5
    ex = task.sample(3, np.random.default_rng(0))
    for row in ex.tokens:   # the prompt names exactly n_nodes distinct node labels
        assert len(set(row[:4 * task.n_edges].reshape(-1, 4)[:, [0, 2]].ravel().tolist())) == task.n_nodes
    assert InContextTask(d=4, l=3, n_labels=20).node_guess == pytest.approx(1 / 9)


def test_in_context_invalid():
    with pytest.raises(ValueError, match="d "):
        InContextTask(d=1)
    with pytest.raises(ValueError, match="n_labels"):
        InContextTask(d=3, l=5, n_labels=12)  # needs 13 labels
    with pytest.raises(ValueError, match="^n "):
        InContextTask().sample(0, np.random.default_rng(0))
