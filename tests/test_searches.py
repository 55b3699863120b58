"""The pre-registered searches (issue 19): grids as stated, criteria that can come out either way."""
import pytest

from geomem_utils.cache import cache_key
from geomem_utils.experiments.searches import SEARCHES, cell_rows, search_of, search_results, verdict


def fake(steps, exact, positions=None, first_hop=None):
    curve = dict(steps=list(steps), test_exact=list(exact), test_first_hop=list(first_hop or exact))
    if positions is not None:
        curve["test_positions"] = [list(p) for p in positions]
    return dict(final=dict(test_exact=exact[-1], test_first_hop=curve["test_first_hop"][-1], train_exact=1.0),
                curve=curve)


def reaching(at, steps=range(10, 210, 10)):
    """A curve that jumps from 0 to 1 at step ``at`` (None: never)."""
    return fake(steps, [float(at is not None and s >= at) for s in steps])


def results_of(name, by_cell):
    s = search_of(name)
    return {label: by_cell.get(label, [None] * len(s.seeds)) for label in s.cells}


def test_every_search_is_pre_registered_with_three_seeds_and_distinct_runs():
    for name, s in SEARCHES.items():
        assert len(s.seeds) >= 3 and s.hypothesis and s.reproduces, name
        keys = [repr(cache_key(e)) for e in s.experiments()]
        assert len(set(keys)) == len(keys) == len(s.cells) * len(s.seeds), name
    # the cells change what their labels say, and nothing else
    c12 = search_of("C12_reverse")
    e = c12.experiment("backward edges / reverse, lr 0.002", 1).settings()
    assert (e["edge_direction"], e["path_mode"], e["lr"], e["seed"], e["d"]) == ("backward", "reverse", 2e-3, 1, 100)
    assert search_of("C15_tree").experiment("path-star G_(16,4), lr 0.002", 0).settings()["family"] == "path_star"
    assert search_of("Mamba").experiment("mamba, lr 0.01", 0).settings()["arch"] == "mamba"
    with pytest.raises(ValueError, match="search"):
        search_of("C99")
    with pytest.raises(ValueError, match="label"):
        c12.experiment("sideways", 0)


def test_every_search_is_registered_once_with_its_criterion():
    """The searches live in the record's modules; ``searches`` re-exports them, each with a criterion."""
    from geomem_utils.experiments import record_search, searches
    assert set(searches.SEARCHES) == set(record_search.CRITERIA) == \
        {"C1_reverse", "C3_order", "C12_reverse", "C13_pauses", "C15_tree", "Mamba"}
    with pytest.raises(ValueError, match="search"):
        record_search.register("Mamba", search_of("Mamba"), searches.mamba)


def test_missing_runs_are_none_and_the_verdict_says_incomplete(tmp_path):
    res = search_results("Mamba", tmp_path)
    assert all(r is None for runs in res.values() for r in runs)
    v = verdict("Mamba", res)
    assert v["verdict"] == "does not reproduce in the grid" and not v["complete"]


def test_provenance_line_counts_the_stored_runs(tmp_path):
    from geomem_utils.experiments.searches import search_provenance
    assert search_provenance("Mamba", search_results("Mamba", tmp_path)) == "Mamba: no stored runs"
    run = dict(reaching(100), provenance=dict(date="2026-12-01 10:00", torch="2.0", wall_time_s=90.0))
    later = dict(run, provenance=dict(run["provenance"], date="2026-12-02 09:00"))
    line = search_provenance("Mamba", results_of("Mamba", {"mamba, lr 0.01": [run, later, None]}))
    assert line == "Mamba: 2 runs stored, computed 2026-12-01 10:00 to 2026-12-02 09:00 (torch 2.0), 3 core-minutes of training"


def test_pauses_criterion_needs_a_clear_speed_up():
    fast = [reaching(50), reaching(60), reaching(70)]
    slow = [reaching(100), reaching(110), reaching(120)]
    res = results_of("C13_pauses", {"l=5, 0 pauses, lr 0.002": slow, "l=5, 2 pauses, lr 0.002": fast})
    assert verdict("C13_pauses", res)["under"] == ["l=5, 2 pauses, lr 0.002"]
    overlap = [reaching(50), reaching(60), reaching(110)]
    res = results_of("C13_pauses", {"l=5, 0 pauses, lr 0.002": slow, "l=5, 2 pauses, lr 0.002": overlap})
    assert verdict("C13_pauses", res)["verdict"] == "does not reproduce in the grid"
    # a 0-pause run that never reaches 50% makes any pause run that does a speed-up
    res = results_of("C13_pauses", {"l=5, 0 pauses, lr 0.002": [reaching(None)] * 3, "l=5, 6 pauses, lr 0.002": fast})
    assert verdict("C13_pauses", res)["verdict"] == "reproduces"


def test_reverse_criterion_separates_works_from_faster():
    rev = [reaching(100)] * 3
    res = results_of("C12_reverse", {"reverse, lr 0.002": rev, "forward, lr 0.002": [reaching(150)] * 3})
    v = verdict("C12_reverse", res)
    assert v["verdict"] == "reproduces" and v["faster"] == ["reverse, lr 0.002"]
    res = results_of("C12_reverse", {"reverse, lr 0.002": rev, "forward, lr 0.002": [reaching(50)] * 3})
    assert verdict("C12_reverse", res)["verdict"] == "partly"
    res = results_of("C12_reverse", {"reverse, lr 0.002": [reaching(100), reaching(100), reaching(None)]})
    assert verdict("C12_reverse", res)["verdict"] == "does not reproduce in the grid"


def test_learning_order_criterion_detects_a_cascade():
    steps = [5, 10, 15, 20]
    # positions root, v1, v2, v3, leaf: the leaf first, then v3, v2, v1 — a last-first cascade
    cascade = fake(steps, [0, 0, 0, 1], positions=[[1, 0, 0, 0, 1], [1, 0, 0, 1, 1], [1, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    together = fake(steps, [0, 1, 1, 1], positions=[[1, 0, 0, 0, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]])
    assert verdict("C3_order", results_of("C3_order", {"lr 0.002": [cascade] * 3}))["verdict"] == \
        "does not reproduce in the grid"
    assert verdict("C3_order", results_of("C3_order", {"lr 0.002": [together] * 3}))["verdict"] == "reproduces"


def test_mamba_and_tree_criteria():
    res = results_of("Mamba", {"mamba, lr 0.01": [reaching(100), reaching(150), reaching(None)]})
    assert verdict("Mamba", res)["verdict"] == "reproduces"
    half = [fake([10, 20], [0.3, 0.6])] * 3
    assert verdict("Mamba", results_of("Mamba", {"mamba, lr 0.01": half}))["verdict"] == "partly"
    tree = {"split at leaf, lr 0.002": [fake([10], [0.2])] * 3, "path-star G_(16,4), lr 0.002": [fake([10], [1.0])] * 3}
    v = verdict("C15_tree", results_of("C15_tree", tree))
    assert v["verdict"] == "reproduces" and v["harder"]
    low = {"split at leaf, lr 0.002": [fake([10], [0.05])] * 3}
    assert verdict("C15_tree", results_of("C15_tree", low))["verdict"] == "does not reproduce in the grid"


def test_cell_rows_summarise_seeds():
    res = results_of("Mamba", {"mamba, lr 0.01": [fake([10, 20], [0.2, 0.6]), fake([10, 20], [0.4, 0.2])]})
    row = cell_rows("Mamba", results=res)[0]
    assert row["seeds"] == 2 and row["final"] == pytest.approx(0.4) and row["best"] == pytest.approx(0.5)
    assert row["final_min"] == 0.2 and row["best_max"] == 0.6 and row["steps_to"] == [20, None]


def test_knob_search_criterion():
    from geomem_utils.experiments.searches import KNOB_CELLS, knob_search_experiment, knob_search_verdict
    geo, assoc = dict(verdict="geometric"), dict(verdict="associative")
    result = {k: [assoc] * 3 for k in KNOB_CELLS}
    assert knob_search_verdict(result)["verdict"] == "does not reproduce in the grid"
    result["lr 0.1: authors' (cosine)"] = [geo] * 3
    result["dropout 0.4, lr 1e-3: authors' (after W)"] = [geo, geo, assoc]
    v = knob_search_verdict(result)
    assert v["knobs"]["lr 0.1"]["under"] == ["lr 0.1: authors' (cosine)"]
    assert v["knobs"]["dropout 0.4"]["verdict"] == "partly" and v["verdict"] == "partly"
    result["dropout 0.4, lr 1e-3: authors' (after W)"] = [geo] * 3
    assert knob_search_verdict(result)["verdict"] == "reproduces"
    # the authors' dropout cell really drops after W, at their lr, with no weight decay and a constant lr
    e = knob_search_experiment("dropout 0.4, lr 1e-3: authors' (after W)", 1)
    t = e.tiny.settings()
    assert e.dropout_after_w and (t["lr"], t["dropout"], t["weight_decay"], t["min_lr_frac"], t["seed"]) == (1e-3, 0.4, 0.0, 1.0, 1)
    assert t["emb_init_std"] == 1.0 and t["width"] == 512 and t["steps"] == 10_000


def test_output_dropout_net_drops_after_w():
    import torch
    from geomem_utils.models import ModelConfig, NeuralNet, OutputDropoutNeuralNet
    cfg = ModelConfig(arch="neural_net", vocab_size=10, block_size=2, width=8, depth=1, heads=1, dropout=0.5)
    net = OutputDropoutNeuralNet(cfg)
    net.train()
    with torch.no_grad():
        net.W.weight.copy_(torch.eye(8))
        net.W.bias.fill_(1.0)   # dropout after W zeroes whole outputs, bias included; before W the bias survives
        out = net(torch.tensor([[1, 2]]))
    assert (out == 0).any()
    plain = NeuralNet(cfg)
    plain.train()
    with torch.no_grad():
        plain.W.weight.copy_(torch.eye(8))
        plain.W.bias.fill_(1.0)
        assert not (plain(torch.tensor([[1, 2]])) == 0).any()


def test_nn_search_criterion():
    from geomem_utils.experiments.searches import nn_search_verdict
    margins = {"star": 4.0, "grid": 2.5, "cycle": 7.9, "irregular": 8.1}   # the authors' order
    rows = lambda m: {g: [dict(skewed_margin=v)] * 5 for g, v in m.items()}  # noqa: E731
    assert nn_search_verdict({"authors'": rows(margins)})["verdict"] == "reproduces"
    swapped = dict(margins, star=9.0)
    v = nn_search_verdict({"authors'": rows(swapped)})
    assert v["verdict"] == "partly" and v["geometric"] == ["authors'"] and not v["ordered"]
    negative = dict(margins, grid=-1.0)
    assert nn_search_verdict({"authors'": rows(negative)})["verdict"] == "does not reproduce in the grid"


def test_an_incomplete_cell_neither_meets_nor_misses_the_criterion():
    good = fake([10, 20], [0.95, 0.95])
    res = results_of("Mamba", {"mamba, lr 0.01": [good, good, None]})
    v = verdict("Mamba", res)
    assert v["under"] == [] and v["verdict"] == "does not reproduce in the grid" and not v["complete"]


def in_context_fake(exact, lookups):
    """A stored in-context run: greedy exact ``exact`` and teacher-forced ``lookups`` at v3, v2, v1."""
    steps = [250, 500]
    pos = [[1.0, 0.2, 0.2, 0.2, 1.0], [1.0, *lookups, 1.0]]
    return dict(final=dict(test_exact=exact, test_positions=pos[-1]), node_guess=1 / 9,
                curve=dict(steps=steps, test_exact=[0.0, exact], test_positions=pos))


def test_in_context_search_runs_chapter_03a_with_reverse_targets():
    s = search_of("C1_reverse")
    e = s.experiment("d=3, lr 0.001", 2).settings()
    assert (e["reverse"], e["d"], e["l"], e["lr"], e["width"], e["seed"], e["steps"]) == (True, 3, 5, 1e-3, 64, 2, 6000)
    e = s.experiment("width 128, lr 0.001", 0).settings()
    assert (e["width"], e["depth"], e["steps"], e["d"]) == (128, 2, 6000, 2)
    assert s.experiment("lr 0.0003", 0).settings()["lr"] == 3e-4


def test_reverse_in_context_criterion():
    name, cell = "C1_reverse", "lr 0.001"
    solved = [in_context_fake(0.95, [1.0, 1.0, 1.0])] * 3
    assert verdict(name, results_of(name, {cell: solved}))["verdict"] == "reproduces"
    one_lookup = [in_context_fake(0.3, [0.95, 0.4, 0.3])] * 3
    v = verdict(name, results_of(name, {cell: one_lookup}))
    assert v["verdict"] == "partly" and v["under"] == [cell]
    stuck = [in_context_fake(0.0, [0.2, 0.18, 0.17])] * 3
    assert verdict(name, results_of(name, {cell: stuck}))["verdict"] == "does not reproduce in the grid"
    # two seeds solved and one stuck is not "all 3 seeds"
    v = verdict(name, results_of(name, {cell: solved[:2] + stuck[:1]}))
    assert v["verdict"] == "does not reproduce in the grid"


def test_in_context_runs_are_stored_and_reloaded(tmp_path):
    from geomem_utils.experiments.in_context import InContextExperiment
    from geomem_utils.experiments.sweeps import run_in_context_config, stored_result
    e = InContextExperiment.from_settings(reverse=True, width=16, heads=2, steps=20, eval_every=10, n_test=20)
    first = run_in_context_config(e, tmp_path)
    assert not first["skipped"] and first["curve"]["steps"] == [10, 20]
    again = run_in_context_config(e, tmp_path)
    assert again["skipped"] and again["curve"] == stored_result(e, tmp_path)["curve"]
    assert len(again["final"]["test_positions"]) == 5 and 0 <= again["final"]["test_exact"] <= 1
    other = InContextExperiment.from_settings(reverse=True, width=16, heads=2, steps=20, eval_every=10, n_test=20, seed=1)
    assert stored_result(other, tmp_path) is None
