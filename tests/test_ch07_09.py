"""The package functions chapters 07-09 call (knobs and headroom, ablations, sweeps): cheap unit tests on
synthetic inputs or toy-sized runs."""
import numpy as np
import pytest

from geomem_utils.cache import cache_key
from geomem_utils.experiments import ablations, knobs, sweeps
from geomem_utils.experiments.path_star import path_star_experiment

TINY = path_star_experiment(d=6, l=4, width=32, depth=1, heads=4, n_pause=1, steps=20, lr=2e-3, batch_size=64, seed=0)


# ---------------------------------------------------------------- chapter 07: knobs and headroom
def test_headroom_study_overrides_keep_the_default_cache_key_and_change_it_when_set():
    base = knobs.headroom_study((0,))
    assert cache_key(knobs.headroom_study([0], steps=120)) == cache_key(base)
    longer = knobs.headroom_study((0,), steps=200)
    assert cache_key(longer) != cache_key(base)
    assert all(e.train.steps == 200 for _, exps in longer.cells for e in exps)
    assert [label for label, _ in base.cells] == list(knobs.INTERVENTIONS)
    with pytest.raises(ValueError, match="seeds"):
        knobs.headroom_study(())
    with pytest.raises(ValueError, match="self_edges"):
        knobs.headroom_study((0,), self_edges=True)


def test_headroom_deltas_are_differences_of_seed_means():
    row = lambda **v: dict(concentration=0.0, gap=0.0, nearest_own=1.0, exact=0.0, first_hop=0.0, **v)  # noqa: E731
    result = {"baseline": [row(), dict(row(), exact=0.2)], "x": [dict(row(), exact=0.5, gap=0.1)]}
    d = knobs.headroom_deltas(result)
    assert list(d) == ["x"] and d["x"]["exact"] == pytest.approx(0.4) and d["x"]["gap"] == pytest.approx(0.1)
    assert d["x"]["nearest_own"] == 0
    with pytest.raises(ValueError, match="baseline"):
        knobs.headroom_deltas({"x": result["x"]})


# ---------------------------------------------------------------- chapter 08: ablations
def test_steps_to_reads_the_first_step_at_the_threshold():
    curve = dict(steps=np.array([30, 60, 90]), test_exact=np.array([0.1, 0.6, 0.4]), test_first_hop=[0.5, 0.9, 1.0])
    assert ablations.steps_to(curve, 0.5) == 60 and isinstance(ablations.steps_to(curve, 0.5), int)
    assert ablations.steps_to(curve, 0.5, "test_first_hop") == 30
    assert ablations.steps_to(curve, 0.7) is None
    with pytest.raises(ValueError, match="edge_recovery"):
        ablations.steps_to(curve, 0.5, "edge_recovery")


def test_study_labels_and_the_mamba_override():
    assert [k for k, _ in ablations.directions_study().cells][1] == "both edges / reverse path"
    assert [k for k, _ in ablations.pauses_study().cells] == ["0 pauses", "2 pauses", "4 pauses", "6 pauses"]
    assert [k for k, _ in ablations.tree_study().cells] == ["split at leaf", "split at first_hop"]
    staged = dict(ablations.staged_study().cells)["staged"][0]
    assert staged.train.recipe == "staged" and staged.train.stage_steps == ablations.STEPS // 3
    base, longer = ablations.mamba_study(), ablations.mamba_study(steps=3000)
    assert cache_key(base) != cache_key(longer)
    assert {e.train.steps for _, exps in longer.cells for e in exps} == {3000}
    assert [k for k, _ in base.cells] == ["gpt / forward", "gpt / none", "mamba / forward", "mamba / none"]
    with pytest.raises(ValueError, match="arch"):
        ablations.mamba_study(arch="gpt")


# ---------------------------------------------------------------- chapter 09: sweeps
def test_phase_experiment_is_the_phase_diagrams_cell():
    configs = sweeps.phase_configs()
    assert len(configs) == len(sweeps.PHASE_DS) * len(sweeps.PHASE_LS) * len(sweeps.PHASE_MODELS) == 48
    assert sweeps.phase_experiment(100, 5, 64, 1) in configs
    assert cache_key(sweeps.phase_experiment(100, 5, 64, 1)) == cache_key(
        next(c for c in configs if (c.graph.d, c.graph.l, c.model.width) == (100, 5, 64)))
    longer = sweeps.phase_experiment(20, 5, steps=2000)
    assert longer.train.steps == 2000 and longer.train.warmup == 100 and longer.model.width == 128


def _result(d, l, width, depth, value):
    return dict(config=dict(graph=dict(d=d, l=l), model=dict(width=width, depth=depth)),
                final=dict(test_exact=value, train_exact=1.0))


def test_phase_grid_and_cell_value():
    results = [_result(d, l, 64, 1, d / 100 + l / 10) for d in (10, 50) for l in (4, 5)] + [_result(10, 4, 128, 2, 0.0)]
    grid = sweeps.phase_grid(results, 64, 1)
    assert grid["d"] == [10, 50] and grid["l"] == [4, 5] and grid["values"].shape == (2, 2)
    assert sweeps.cell_value(grid, 10, 5) == pytest.approx(0.6) and sweeps.cell_value(grid, 50, 4) == pytest.approx(0.9)
    assert sweeps.phase_grid(results, 64, 1, "train_exact")["values"].min() == 1.0
    sparse = sweeps.phase_grid(results[:3], 64, 1)
    assert np.isnan(sparse["values"][1, 1])
    with pytest.raises(ValueError, match="width=256"):
        sweeps.phase_grid(results, 256, 1)
    with pytest.raises(ValueError, match="d=20"):
        sweeps.cell_value(grid, 20, 4)


def test_plot_phase_diagram_rejects_a_model_size_without_results():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from geomem_utils.scaling_plots import plot_phase_diagram
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="width=32"):
        plot_phase_diagram([_result(10, 4, 64, 1, 0.5)], ax, 32, 1)
    plt.close("all")


def test_power_law_recovers_an_exponent_and_skips_missing_points():
    x = np.array([100, 200, 400, 800, 1600.0])
    a, c = sweeps.power_law(x, 3.0 * x ** 0.5)
    assert a == pytest.approx(0.5) and c == pytest.approx(3.0)
    a, _ = sweeps.power_law(x, [10, 20, np.nan, 80, np.nan])
    assert a == pytest.approx(1.0)
    with pytest.raises(ValueError, match="two"):
        sweeps.power_law([1, 2], [1, np.nan])


def _cost_run(nodes, exact, rate):
    steps = [25 * (i + 1) for i in range(len(exact))]
    return dict(nodes=nodes, steps_per_s=rate, curve=dict(steps=steps, seconds=[s / rate for s in steps], test_exact=exact))


def test_cost_fits_reads_first_passages_and_fits_them():
    runs = [_cost_run(100, [0.5, 0.8, 0.95], 40.0), _cost_run(400, [0.2, 0.75, 0.9], 20.0),
            _cost_run(1600, [0.1, 0.3, 0.72, 0.8], 10.0)]
    f = sweeps.cost_fits(runs, (0.7, 0.9))
    assert f[0.7]["first_step"] == [50, 50, 75] and list(f[0.7]["reached"]) == [True, True, True]
    assert f[0.9]["first_step"] == [75, 75, None] and np.isnan(f[0.9]["steps"][2])
    assert f[0.9]["seconds"][1] == pytest.approx(75 / 20.0)
    assert f["steps_per_s"][0] == pytest.approx(-0.5)
    assert f[0.9]["steps_fit"][0] == pytest.approx(0.0)
    assert sweeps.cost_fits(runs, (0.95,))[0.95]["steps_fit"] is None  # one size reaches it: no fit
    with pytest.raises(ValueError, match="runs"):
        sweeps.cost_fits([])


def test_memory_fits_are_linear_per_softmax():
    rows = [dict(nodes=n, sampled_softmax=k, training_mb=(150 + n * (0.005 if k == 0 else 0.003)))
            for n in (1000, 5000, 20000) for k in (0, 4096)]
    fits = sweeps.memory_fits(rows)
    assert fits[0] == pytest.approx((150, 0.005)) and fits[4096] == pytest.approx((150, 0.003))
    with pytest.raises(ValueError, match="two rows"):
        sweeps.memory_fits(rows[:3])


def test_epochs_counts_passes_over_the_training_set():
    n = len(TINY.make_task().training_set())
    assert sweeps.epochs(TINY, 10) == pytest.approx(10 * 64 / n)
    assert sweeps.epochs(TINY, 0) == 0
    with pytest.raises(ValueError, match="steps"):
        sweeps.epochs(TINY, -1)


def test_stored_result_and_missing_results_train_nothing(tmp_path):
    other = TINY.replace(seed=1)
    assert sweeps.stored_result(TINY, tmp_path) is None
    assert sweeps.missing_results([TINY, other], tmp_path) == [TINY, other]
    done = sweeps.run_config(TINY, tmp_path, device="cpu")
    assert sweeps.stored_result(TINY, tmp_path)["final"] == done["final"]
    assert sweeps.missing_results([TINY, other], tmp_path) == [other]
    assert not list(tmp_path.glob(f"{sweeps.result_path(other, tmp_path).name}"))


def test_paper_footprint_hours_are_arithmetic_on_the_assumed_rate():
    c = sweeps.PAPER_CONFIGS["G5000"]
    f = sweeps.paper_footprint(c)
    assert f["hours"] == pytest.approx(c["steps"] * f["tflop_per_step"] / 100 / 3600)
    assert sweeps.paper_footprint(c, assumed_tflop_s=50)["hours"] == pytest.approx(2 * f["hours"])
    assert sweeps.paper_footprint({k: v for k, v in c.items() if k != "steps"})["hours"] is None
    with pytest.raises(ValueError, match="assumed_tflop_s"):
        sweeps.paper_footprint(c, assumed_tflop_s=0)
