"""training.py and evaluation.py: memorization of a tiny graph, decoding and metrics on hand-built models,
the learning-rate schedule, and run-to-run determinism."""
import math

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from geomem_utils.config import set_seed
from geomem_utils.evaluation import (edge_recovery, geometric_level, greedy_decode, path_accuracy,
                                     teacher_forced_accuracy)
from geomem_utils.graphs import path_star
from geomem_utils.models import ModelConfig, NeuralNet
from geomem_utils.tasks import IGNORE, PathStarTask
from geomem_utils.experiments.path_star import run_path_star
from geomem_utils.history import History
from geomem_utils.models import model_for
from geomem_utils.train import TrainConfig, loss_on_targets, train


# ------------------------------------------------------------------ hand-built models
def lookup_net(vocab_size, next_of):
    """A NeuralNet whose greedy next token after token t is ``next_of[t]`` (one-hot embeddings)."""
    m = NeuralNet(ModelConfig(vocab_size=vocab_size, width=vocab_size, arch="neural_net", depth=0))
    with torch.no_grad():
        m.token_embedding.weight.copy_(torch.eye(vocab_size))
        m.W.weight.zero_()
        m.W.bias.zero_()
        for t, nxt in next_of.items():
            m.W.weight[nxt, t] = 1.0
    return m


class Oracle(nn.Module):
    """A sequence model that answers from a table {prefix tuple: next token}, else token 0.

    It has the interface the evaluators use: ``token_embedding`` (one-hot) and ``readout``."""

    def __init__(self, vocab_size, table):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, vocab_size)
        nn.init.eye_(self.token_embedding.weight)
        self.table, self.V = table, vocab_size

    def forward(self, idx):
        B, T = idx.shape
        out = torch.zeros(B, T, self.V)
        for b in range(B):
            for t in range(T):
                out[b, t, self.table.get(tuple(idx[b, :t + 1].tolist()), 0)] = 1.0
        return out

    def readout(self, h):
        return h @ self.token_embedding.weight.T


def oracle_for(task, wrong_v1=()):
    """Answers every path of ``task`` given the true prefix; for path indices in ``wrong_v1`` it gets
    the v1 token (only) wrong."""
    table = {}
    h = {"forward": 1, "reverse": task.graph.paths.shape[1] - 2, "first_hop": 0}[task.path_mode]
    for split in ("train", "test"):
        prompts, answers = task.eval_prompts(split)
        for i, (p, a) in zip(task.split_indices(split), zip(prompts, answers)):
            seq = [int(t) for t in p]
            for pos, tok in enumerate(a.tolist()):
                wrong = task.graph.root if tok != task.graph.root else int(task.graph.leaves[0])
                table[tuple(seq)] = wrong if (i in wrong_v1 and pos == h) else tok
                seq.append(tok)
    return Oracle(len(task.vocab), table)


# ------------------------------------------------------------------ greedy decoding
def test_greedy_decode_follows_the_deterministic_successor():
    V = 7
    m = lookup_net(V, {t: (t + 1) % V for t in range(V)})
    out = greedy_decode(m, [[0], [3], [6]], n_tokens=4)
    np.testing.assert_array_equal(out, [[1, 2, 3, 4], [4, 5, 6, 0], [0, 1, 2, 3]])
    # batching does not change the result; prompts longer than one token continue from the last one
    np.testing.assert_array_equal(greedy_decode(m, [[0], [3], [6]], 4, batch_size=1), out)
    np.testing.assert_array_equal(greedy_decode(m, [[5, 5, 2]], 2), [[3, 4]])


def test_greedy_decode_restores_training_mode_and_handles_empty():
    m = lookup_net(4, {0: 1})
    m.train()
    greedy_decode(m, [[0]], 1)
    assert m.training
    assert greedy_decode(m, np.zeros((0, 2), np.int64), 3).shape == (0, 3)


# ------------------------------------------------------------------ path accuracy
@pytest.mark.parametrize("mode", ["forward", "reverse", "first_hop"])
def test_path_accuracy_of_perfect_and_partly_wrong_oracle(mode):
    task = PathStarTask(path_star(8, 4, seed=0), path_mode=mode, n_pause=2)
    perfect = path_accuracy(oracle_for(task), task, "test")
    assert perfect["exact_match"] == 1.0 and perfect["first_hop"] == 1.0
    np.testing.assert_array_equal(perfect["predictions"], perfect["answers"])
    wrong = [int(task.test_paths[0])]  # 1 of the 2 held-out paths has a wrong v1
    res = path_accuracy(oracle_for(task, wrong_v1=wrong), task, "test")
    assert res["exact_match"] == 0.5 and res["first_hop"] == 0.5
    train_res = path_accuracy(oracle_for(task, wrong_v1=wrong), task, "train")
    assert train_res["exact_match"] == 1.0


def test_teacher_forced_accuracy_per_position():
    task = PathStarTask(path_star(8, 4, seed=0), n_pause=1)
    ex = task.path_examples("train")
    np.testing.assert_array_equal(teacher_forced_accuracy(oracle_for(task), ex), np.ones(4))
    wrong = [int(i) for i in task.train_paths[:3]]  # 3 of 6 training paths wrong at v1 (position 1)
    acc = teacher_forced_accuracy(oracle_for(task, wrong_v1=wrong), ex)
    np.testing.assert_allclose(acc, [1.0, 0.5, 1.0, 1.0])
    with pytest.raises(ValueError, match="same number of targets"):
        teacher_forced_accuracy(oracle_for(task), task.training_set())


# ------------------------------------------------------------------ edge recovery
def test_edge_recovery_perfect_and_imperfect():
    task = PathStarTask(path_star(3, 4, seed=5))
    g, V = task.graph, len(task.vocab)
    nb = g.neighbours("both")
    m = NeuralNet(ModelConfig(vocab_size=V, width=V, arch="neural_net", depth=0))
    with torch.no_grad():
        m.token_embedding.weight.copy_(torch.eye(V))
        m.W.weight.zero_()
        m.W.bias.zero_()
        for u in range(g.n):
            m.W.weight[nb[u], u] = 1.0
    assert edge_recovery(m, task) == 1.0
    assert edge_recovery(m, neighbours=nb, prefix=[task.vocab["[EDGE]"]]) == 1.0
    # push one neighbour of the root and one neighbour of every degree-2 node out of the top-k
    expected = []
    with torch.no_grad():
        for u in range(g.n):
            if len(nb[u]) >= 2:
                m.W.weight[nb[u][0], u] = -1.0
                expected.append((len(nb[u]) - 1) / len(nb[u]))
            else:
                expected.append(1.0)
    assert edge_recovery(m, task) == pytest.approx(np.mean(expected))
    # a forward-only task asks only for children; leaves (no children) are skipped
    fwd = PathStarTask(g, edge_direction="forward")
    kids = g.neighbours("forward")
    score = [(len(kids[u]) - (1 if len(nb[u]) >= 2 and nb[u][0] in kids[u] else 0)) / len(kids[u])
             for u in range(g.n) if len(kids[u])]
    assert edge_recovery(m, fwd) == pytest.approx(np.mean(score))


def test_edge_recovery_in_row_blocks_is_the_same_score(monkeypatch):
    """Rows are scored in blocks of EVAL_LOGITS // vocabulary; a block of 1-3 rows must give the
    score of one block of all rows (the paper's G_(10^4,10) needs 32 GB of logits at once)."""
    import geomem_utils.evaluation as ev
    run = run_path_star(d=6, l=4, steps=5, seed=3, progress=False)
    whole = edge_recovery(run.model, run.task)
    V = run.model.token_embedding.weight.shape[0]
    for rows in (1, 3):
        monkeypatch.setattr(ev, "EVAL_LOGITS", rows * V)
        assert edge_recovery(run.model, run.task) == pytest.approx(whole, abs=1e-12)
    assert 0.0 < whole < 1.0   # a partly trained model: the blocks must agree on a non-trivial score


def test_edge_recovery_needs_a_neighbour():
    m = lookup_net(3, {})
    with pytest.raises(ValueError, match="no node has a neighbour"):
        edge_recovery(m, neighbours=[[], []], prefix=[2])


# ------------------------------------------------------------------ geometric level
def test_geometric_level_known_embeddings():
    edges = np.array([[0, 1], [1, 2], [2, 0]])
    assert geometric_level(np.ones((3, 4)), edges) == pytest.approx(1.0)
    assert geometric_level(np.eye(3), edges) == pytest.approx(0.0)
    E = np.array([[1.0, 0.0], [-2.0, 0.0]])
    assert geometric_level(E, [[0, 1]]) == pytest.approx(-1.0)
    E = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 3.0]])
    assert geometric_level(E, [[0, 1], [1, 2]]) == pytest.approx(np.cos(np.pi / 4))
    assert geometric_level(torch.tensor(E), [[0, 2]]) == pytest.approx(0.0)


# ------------------------------------------------------------------ schedule and config
def test_lr_schedule_warmup_and_cosine_endpoints():
    c = TrainConfig(steps=100, warmup=10, lr=1e-3, min_lr_frac=0.1)
    assert c.lr_at(0) == pytest.approx(1e-4)
    assert c.lr_at(4) == pytest.approx(5e-4)
    assert c.lr_at(9) == pytest.approx(1e-3)
    assert c.lr_at(10) == pytest.approx(1e-3)  # cosine starts at the peak
    assert c.lr_at(55) == pytest.approx(1e-3 * (0.1 + 0.9 * 0.5))  # half way: midpoint
    assert c.lr_at(100) == pytest.approx(1e-4)  # ends at lr * min_lr_frac
    assert c.lr_at(10**6) == pytest.approx(1e-4)  # and stays there
    lrs = [c.lr_at(s) for s in range(101)]
    assert all(a < b for a, b in zip(lrs[:9], lrs[1:10]))
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:]))
    assert min(lrs) >= 1e-4 - 1e-12 and max(lrs) <= 1e-3 + 1e-12


def test_lr_schedule_without_warmup():
    c = TrainConfig(steps=10, warmup=0, lr=2.0, min_lr_frac=0.0)
    assert c.lr_at(0) == pytest.approx(2.0)
    assert c.lr_at(5) == pytest.approx(1.0)
    assert c.lr_at(10) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("field,value", [("steps", 0), ("batch_size", -1), ("lr", 0.0), ("min_lr_frac", 1.5),
                                         ("warmup", -1), ("recipe", "both"), ("max_seconds", 0.0), ("lr", "fast")])
def test_train_config_validation(field, value):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**{field: value})


def test_history_series_and_last():
    h = History(loss=[3.0, 2.0], evals=[dict(step=1, a=0.1), dict(step=2, a=0.5, b=1.0)])
    steps, vals = h.series("a")
    np.testing.assert_array_equal(steps, [1, 2])
    np.testing.assert_array_equal(vals, [0.1, 0.5])
    assert h.last("b") == 1.0


def test_loss_on_targets_matches_manual_cross_entropy():
    task = PathStarTask(path_star(3, 3, seed=0))
    set_seed(0)
    m = model_for(task, depth=1, heads=2, width=16)
    x, y = task.training_set().inputs_targets()
    logits = m.readout(m(x))
    mask = y != IGNORE
    manual = F.cross_entropy(logits[mask], y[mask])
    torch.testing.assert_close(loss_on_targets(m, x, y), manual)
    assert mask.sum() == 2 * task.graph.num_edges + len(task.train_paths) * 3


def test_sampled_softmax_is_a_lower_bound_and_exact_when_it_covers_the_vocabulary():
    """Chapter 09's sampled softmax: a softmax over a subset that contains every target has a smaller
    normaliser, so its loss is <= the full one; asking for the whole vocabulary gives the full loss."""
    task = PathStarTask(path_star(20, 4, seed=0))
    set_seed(0)
    m = model_for(task, depth=1, heads=2, width=16)
    x, y = task.training_set().inputs_targets()
    full = loss_on_targets(m, x, y)
    torch.manual_seed(0)
    sampled = loss_on_targets(m, x, y, sampled=8)
    assert sampled < full
    torch.testing.assert_close(loss_on_targets(m, x, y, sampled=len(task.vocab)), full)
    sampled.backward()
    assert m.token_embedding.weight.grad.abs().sum() > 0


def test_training_with_a_sampled_softmax_still_memorizes():
    set_seed(0)
    task = PathStarTask(path_star(6, 4, seed=0))
    model = model_for(task, depth=1, heads=1, width=32)
    train(model, task, TrainConfig(steps=300, batch_size=0, lr=1e-2, warmup=20, sampled_softmax=8),
          progress=False, device="cpu", evaluate=lambda m: {})
    assert edge_recovery(model, task) == 1.0
    with pytest.raises(ValueError, match="sampled_softmax"):
        TrainConfig(sampled_softmax=-1)


# ------------------------------------------------------------------ training
def test_tiny_gpt_memorizes_tiny_graph():
    """The spec's sanity check: a tiny model memorizes a tiny graph to 100% edge recovery."""
    set_seed(0)
    task = PathStarTask(path_star(6, 4, seed=0))
    model = model_for(task, depth=1, heads=1, width=32)
    before = edge_recovery(model, task)
    hist = train(model, task, TrainConfig(steps=300, batch_size=0, lr=1e-2, warmup=20), eval_every=100,
                 progress=False, device="cpu")
    assert before < 0.5
    assert edge_recovery(model, task) == 1.0
    assert hist.last("edge_recovery") == 1.0
    assert path_accuracy(model, task, "train")["exact_match"] == 1.0
    # full batch: the loss approaches its floor, the entropy of the ambiguous "[EDGE] u" targets
    # (a node with k neighbours has k equally right answers); path targets are deterministic
    deg = task.graph.degrees()
    n_targets = 2 * task.graph.num_edges + len(task.train_paths) * task.graph.paths.shape[1]
    floor = float((deg * np.log(deg)).sum()) / n_targets
    assert len(hist.loss) == 300 and floor < hist.loss[-1] < floor + 0.05 < hist.loss[0]
    np.testing.assert_array_equal(hist.series("edge_recovery")[0], [100, 200, 300])
    assert not model.training


def test_train_on_examples_and_staged_needs_task():
    task = PathStarTask(path_star(3, 3, seed=0))
    set_seed(0)
    m = model_for(task, depth=1, heads=1, width=8)
    hist = train(m, task.edge_examples(), TrainConfig(steps=5, batch_size=4, warmup=0), progress=False,
                 device="cpu")
    assert len(hist.loss) == 5 and hist.evals == []
    with pytest.raises(ValueError, match="staged"):
        train(m, task.edge_examples(), TrainConfig(steps=2, recipe="staged"), progress=False, device="cpu")


def test_max_seconds_stops_early():
    task = PathStarTask(path_star(3, 3, seed=0))
    set_seed(0)
    m = model_for(task, depth=1, heads=1, width=8)
    hist = train(m, task, TrainConfig(steps=1000, max_seconds=1e-9), progress=False, device="cpu")
    assert len(hist.loss) == 1 and len(hist.evals) == 1 and hist.evals[0]["step"] == 1


def _tiny_run(seed):
    return run_path_star(d=8, l=4, width=32, depth=1, heads=2, steps=60, batch_size=16, eval_every=30,
                         seed=seed, progress=False)


def _metrics(run):
    return [{k: v for k, v in e.items() if k != "time"} for e in run.history.evals]


def test_run_path_star_is_deterministic():
    a, b, c = _tiny_run(0), _tiny_run(0), _tiny_run(1)
    assert len(a.history.loss) == 60
    assert a.history.loss == b.history.loss
    assert _metrics(a) == _metrics(b)
    assert [e["step"] for e in _metrics(a)] == [30, 60]
    assert all(torch.equal(p, q) for p, q in zip(a.model.state_dict().values(), b.model.state_dict().values()))
    np.testing.assert_array_equal(a.task.graph.edges, b.task.graph.edges)
    # another seed: another labelling, split, init and batch order
    assert a.history.loss != c.history.loss
    assert not np.array_equal(a.task.graph.edges, c.task.graph.edges)
    assert a.settings["seed"] == 0 and c.settings["seed"] == 1
    assert not math.isnan(a.history.loss[-1])


# ------------------------------------------------------------------ data streams and in-context metrics
def test_batch_stream_staged_gives_edges_first_then_mixed():
    from geomem_utils.train import batch_stream
    task = PathStarTask(path_star(4, 4, seed=0))
    edge, path = task.vocab["[EDGE]"], task.vocab["[PATH]"]
    stream = batch_stream(task, TrainConfig(steps=50, batch_size=8, recipe="staged", stage_steps=3), "cpu")
    first = [next(stream)[0] for _ in range(3)]
    assert all((x[:, 0] == edge).all() for x in first)
    later = torch.cat([next(stream)[0][:, 0] for _ in range(20)])
    assert (later == path).any() and (later == edge).any()


def test_batch_stream_incontext_is_fresh_and_seeded():
    from geomem_utils.tasks import InContextTask
    from geomem_utils.train import batch_stream
    task = InContextTask(d=2, l=4, n_labels=20)
    cfg = TrainConfig(steps=10, batch_size=5)
    a, b = batch_stream(task, cfg, "cpu", seed=3), batch_stream(task, cfg, "cpu", seed=3)
    x1, y1 = next(a)
    x2, _ = next(a)
    torch.testing.assert_close(x1, next(b)[0])          # same seed, same data
    assert not torch.equal(x1, x2)                       # a fresh sample every step
    assert not torch.equal(x1, next(batch_stream(task, cfg, "cpu", seed=4))[0])  # the seed decides
    assert x1.shape == (5, task.prompt_len + task.l - 1)
    assert ((y1 != IGNORE).sum(1) == task.l).all()       # loss on the path tokens only
    with pytest.raises(ValueError, match="batch_size"):
        next(batch_stream(task, TrainConfig(batch_size=0), "cpu"))
    with pytest.raises(ValueError, match="task"):
        next(batch_stream("not a task", cfg, "cpu"))


def test_incontext_accuracy_of_oracles():
    from geomem_utils.evaluation import incontext_accuracy
    from geomem_utils.tasks import InContextTask
    task = InContextTask(d=3, l=4, n_labels=20)
    ex = task.sample(6, np.random.default_rng(0))
    p = task.prompt_len

    def oracle(wrong_v1):
        table = {}
        for row in ex.tokens:
            for t in range(p, len(row)):
                tok = int(row[t])
                table[tuple(row[:t].tolist())] = (tok + 1) % task.n_labels if wrong_v1 and t == p + 1 else tok
        return Oracle(len(task.vocab), table)

    good = incontext_accuracy(oracle(False), task, ex)
    assert good["exact_match"] == 1.0 and good["first_hop"] == 1.0
    np.testing.assert_array_equal(good["teacher_forced"], np.ones(task.l))
    bad = incontext_accuracy(oracle(True), task, ex)
    assert bad["exact_match"] == 0.0 and bad["first_hop"] == 0.0
    # teacher forcing feeds the true v1, so only that one position is wrong
    np.testing.assert_array_equal(bad["teacher_forced"], [1, 0, 1, 1])


def test_run_in_context_records_clever_hans_metrics():
    from geomem_utils.experiments.in_context import run_in_context
    r = run_in_context(d=2, l=3, n_labels=12, width=16, depth=1, heads=2, steps=20, eval_every=10, n_test=40,
                       progress=False)
    steps, tf = r.history.series("teacher_forced")
    assert steps.tolist() == [10, 20] and tf.shape == (2, 3) and ((0 <= tf) & (tf <= 1)).all()
    assert 0 <= r.history.last("exact_match") <= r.history.last("first_hop") <= 1
    again = run_in_context(d=2, l=3, n_labels=12, width=16, depth=1, heads=2, steps=20, eval_every=10, n_test=40,
                           progress=False)
    assert again.history.loss == r.history.loss  # one seed, same numbers


def test_history_first_step_scalar_and_per_position():
    h = History(evals=[dict(step=10, a=0.2, p=[0.1, 1.0]), dict(step=20, a=0.95, p=[0.5, 1.0]),
                       dict(step=30, a=0.9, p=[0.9, 1.0])])
    assert h.first_step("a", 0.9) == 20
    assert h.first_step("a", 0.99) is None
    assert h.first_step("p", 0.9, position=0) == 30 and h.first_step("p", 0.9, position=1) == 10


def test_staged_paths_alone_at_a_lower_rate():
    from geomem_utils.train import batch_stream
    task = PathStarTask(path_star(4, 4, seed=0))
    edge, path = task.vocab["[EDGE]"], task.vocab["[PATH]"]
    cfg = TrainConfig(steps=50, batch_size=4, recipe="staged", stage_steps=3, stage_two="paths", stage_lr_frac=0.1,
                      warmup=0)
    stream = batch_stream(task, cfg, "cpu")
    assert all((next(stream)[0][:, 0] == edge).all() for _ in range(3))
    assert all((next(stream)[0][:, 0] == path).all() for _ in range(10))     # paths alone after the stage
    mixed = TrainConfig(steps=50, recipe="staged", stage_steps=3, warmup=0)
    assert cfg.lr_at(2) == mixed.lr_at(2) and cfg.lr_at(10) == pytest.approx(0.1 * mixed.lr_at(10))
    with pytest.raises(ValueError, match="stage_two"):
        TrainConfig(stage_two="edges")


def test_run_path_star_on_a_tree_star_split_by_first_hop():
    from geomem_utils.experiments.path_star import run_path_star
    r = run_path_star(d=4, l=4, width=32, depth=1, steps=5, eval_every=0, progress=False, family="tree_star",
                      split_by="first_hop")
    g = r.task.graph
    assert g.n == 1 + 4 * 7 and r.settings["family"] == "tree_star"
    assert set(g.paths[r.task.train_paths, 1]).isdisjoint(g.paths[r.task.test_paths, 1])
    with pytest.raises(ValueError, match="family"):
        run_path_star(d=4, l=4, steps=1, progress=False, family="torus")


def test_history_curves_are_plain_lists():
    from geomem_utils.history import History
    h = History(evals=[dict(step=10, test_exact=np.float64(0.5), x=1), dict(step=20, test_exact=1.0, x=2)])
    c = h.curves(("test_exact", "x"))
    assert c == dict(steps=[10, 20], test_exact=[0.5, 1.0], x=[1.0, 2.0]) and type(c["test_exact"][0]) is float


class _TableModel(torch.nn.Module):
    """Predicts, at every position of example i, the token ``table[i, position + 1]``: an oracle when the
    table is the examples themselves."""

    def __init__(self, table, vocab_size):
        super().__init__()
        self.token_embedding = torch.nn.Embedding(1, 1)   # where evaluation looks up the device
        self.table, self.vocab_size = torch.as_tensor(table), vocab_size

    def forward(self, x):
        return self.table[: len(x), 1: x.shape[1] + 1]

    def readout(self, h):
        return torch.nn.functional.one_hot(h, self.vocab_size).float()


@pytest.mark.parametrize("reverse, l", [(False, 5), (True, 5), (True, 3)])
def test_root_child_share_counts_children_of_the_root_at_v1(reverse, l):
    from geomem_utils.evaluation import root_child_share
    from geomem_utils.tasks import InContextTask
    task = InContextTask(d=2, l=l, reverse=reverse)
    ex = task.sample(64, np.random.default_rng(0))
    p = task.prompt_len
    v1_at = l - 2 if reverse else 1
    assert root_child_share(_TableModel(ex.tokens, len(task.vocab)), task, ex) == 1.0     # the true v1
    # the other arm's child of the root: still a child, never the right one
    wrong = ex.tokens.copy()
    E = ex.tokens[:, : 4 * task.n_edges].reshape(len(ex), task.n_edges, 4)
    for i in range(len(ex)):
        root, v1 = ex.tokens[i, p - 4], ex.tokens[i, p + v1_at]
        others = [v for u, _, v, _ in E[i] if u == root and v != v1]
        wrong[i, p + v1_at] = others[0]
    assert root_child_share(_TableModel(wrong, len(task.vocab)), task, ex) == 1.0
    # the goal (a leaf, never next to the root for l >= 3)
    goal = ex.tokens.copy()
    goal[:, p + v1_at] = ex.tokens[:, p - 2]
    assert root_child_share(_TableModel(goal, len(task.vocab)), task, ex) == 0.0
