"""Chapters 09-11's exercises: the coding exercises' references agree with the package functions the
chapters use (so a student who passes the checker has written what the chapter relies on), and the
predict-then-run solutions that state a measured number or outcome are checked against the stored runs.

Each solution test names the chapter and exercise whose <details> solution it checks; if a solution's
number changes, the chapter's text must change with it."""
import numpy as np
import pytest

from geomem_utils.exercises import scaling
from geomem_utils.experiments import longer, sweeps
from geomem_utils.experiments.erosion import holding, v1_readout
from geomem_utils.experiments.path_star import run_path_star
from geomem_utils.history import first_passage


# ---------------------------------------------------------------- the coding exercises' references
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_power_law_exponent_is_the_packages_fit(seed):
    for case in scaling._power_cases(np.random.default_rng(seed)):
        nodes, steps = case.args
        expected, _ = sweeps.power_law(nodes, [np.nan if s is None else s for s in steps])
        assert scaling.power_law_exponent(nodes, steps) == pytest.approx(expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_step_at_is_first_passage(seed):
    for case in scaling._first_cases(np.random.default_rng(seed)):
        steps, values, threshold = case.args
        assert scaling.first_step_at(steps, values, threshold) == first_passage(steps, values, threshold)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_peak_share_kept_is_holdings_held_share(seed):
    for case in scaling._share_cases(np.random.default_rng(seed)):
        steps, values = case.args
        expected = holding(dict(curve=dict(steps=steps, test_exact=values)))["held"]
        got = scaling.peak_share_kept(steps, values)
        assert got == pytest.approx(expected) if expected is not None else got is None


def test_the_stored_cost_curves_read_the_same_with_both():
    for r in sweeps.cost_results()[0]:
        c = r["curve"]
        assert scaling.first_step_at(c["steps"], c["test_exact"], 0.9) == first_passage(c["steps"], c["test_exact"], 0.9)
        h = holding(r)["held"]
        got = scaling.peak_share_kept(c["steps"], c["test_exact"])
        assert got == pytest.approx(h) if h is not None else got is None


def test_wrong_first_hops_sorts_as_the_erosion_probe_counts():
    """Oracle: on a trained toy model, the reference's shares times the number of wrong answers are the
    probe's counts of 'another v1' and 'own arm' (erosion.v1_readout), from longer.first_hop_answers."""
    run = run_path_star(d=20, l=5, steps=60, seed=1, progress=False)
    paths, held_out, predicted = longer.first_hop_answers(run.model, run.task)
    counts = v1_readout(run.model, run.task, "test")["wrong"]
    wrong = sum(counts.values())
    assert wrong == sum(p != paths[i, 1] for i, p in zip(held_out, predicted))
    other_v1, own_arm = scaling.wrong_first_hops(paths, held_out, predicted)
    assert wrong > 0 and round(other_v1 * wrong) == counts["another v1"] and round(own_arm * wrong) == counts["own arm"]
    with pytest.raises(ValueError, match="split"):
        longer.first_hop_answers(run.model, run.task, "validation")


# ---------------------------------------------------------------- the predict-then-run solutions
def test_ch09_ex1_small_graphs_lose_held_out_accuracy_with_more_steps():
    """The stored cost run on G_(50,5) (201 nodes, 2,000 steps): 1.00 held-out exact at its peak, 0.50 at
    the end, while the training paths stay memorized."""
    r = sweeps.stored_result(sweeps.cost_configs()[0], sweeps.COST_DIR)
    assert r is not None and r["nodes"] == 201
    assert max(r["curve"]["test_exact"]) == 1.0 and r["curve"]["test_exact"][-1] == pytest.approx(0.50, abs=0.005)
    assert r["final"]["train_exact"] == 1.0


def test_ch09_ex3_the_memory_fit_predicts_about_640_mb_at_90001_nodes():
    """The stored memory table's full-softmax fit, extrapolated to G_(10^4,10) (90,001 nodes): about
    153 + 5.4 x 90 = 640 MB (the measurement itself is tests/test_sweeps.py's memory test at a smaller
    size; a fresh 90k-node process takes ~15-30 s)."""
    _, memory = sweeps.cost_results()
    base, per_node = sweeps.memory_fits(memory["rows"])[0]
    assert base == pytest.approx(153, abs=1) and 1000 * per_node == pytest.approx(5.4, abs=0.05)
    assert base + per_node * 90_001 == pytest.approx(640, abs=10)


def test_ch11_ex2_batch_1024_saw_more_examples_than_batch_256_in_fewer_steps():
    """G_(5000,5) on 2 cores: batch 1,024 ends at 2,400 steps (about 2.5M examples), batch 256 at
    7,898 (about 2.0M)."""
    runs = {label: sweeps.stored_result(e, longer.G5000_RUNS_DIR) for label, e in longer.g5000_runs().items()}
    seen = {label: r["curve"]["steps"][-1] * r["config"]["train"]["batch_size"] for label, r in runs.items()}
    big, small = runs["batch 1024, 20 min"], runs["batch 256, 15 min"]
    assert big["curve"]["steps"][-1] < small["curve"]["steps"][-1]
    assert seen["batch 1024, 20 min"] / 1e6 == pytest.approx(2.5, abs=0.05)
    assert seen["batch 256, 15 min"] / 1e6 == pytest.approx(2.0, abs=0.05)
