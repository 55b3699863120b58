"""Sweeps: independent configs, idempotent result files, the paper-scale configs (chapter 09)."""
import json

import pytest
import torch

from geomem_utils.graphs import path_star
from geomem_utils.models import ModelConfig
from geomem_utils.cache import cache_key
from geomem_utils.experiments.path_star import path_star_experiment
from geomem_utils.experiments.sweeps import (PAPER_CONFIGS, cost_configs, load_results, main,
                                             paper_experiment, paper_footprint, phase_configs, result_passage,
                                             result_path, run_config, stretch_experiment, training_memory)

TINY = path_star_experiment(d=6, l=4, width=32, depth=1, heads=4, n_pause=1, steps=20, lr=2e-3, batch_size=64, seed=0)


def test_phase_configs_are_many_distinct_and_valid():
    cs = phase_configs()
    assert len(cs) >= 30 and len({json.dumps(cache_key(c), sort_keys=True) for c in cs}) == len(cs)
    for c in cs:
        ModelConfig(vocab_size=10, width=c.model.width, heads=c.model.heads, depth=c.model.depth)
        assert c.train.steps == 600 and c.train.warmup == 60 and c.eval.eval_every == 50


def test_paper_configs_match_the_paper():
    nodes = {k: path_star(c["d"], c["l"], seed=0).n for k, c in PAPER_CONFIGS.items() if c["d"] <= 5000}
    assert nodes == {"G5000": 20_001}
    assert [(c["d"] * (c["l"] - 1) + 1) for c in PAPER_CONFIGS.values()] == [20_001, 50_001, 90_001]
    for c in PAPER_CONFIGS.values():
        assert c["depth"] == 12 and c["heads"] == 8 and c["width"] in (384, 784)
        ModelConfig(vocab_size=10, width=c["width"], heads=c["heads"], depth=c["depth"])


def test_run_config_is_idempotent_and_recovers_from_corrupt_files(tmp_path):
    a = run_config(TINY, tmp_path, device="cpu")
    b = run_config(TINY, tmp_path, device="cpu")
    assert not a["skipped"] and b["skipped"] and a["final"] == b["final"]
    assert b["provenance"]["device"] == "cpu" and b["nodes"] == 19 and b["curve"]["steps"][-1] == 20
    result_path(TINY, tmp_path).write_text("{not json")
    assert not run_config(TINY, tmp_path, device="cpu")["skipped"]  # corrupt: recomputed
    assert [r["config"] for r in load_results(tmp_path)] == [cache_key(TINY)]


def test_device_generic_path_with_bfloat16_autocast_on_cpu(tmp_path):
    r = run_config(TINY.replace(amp=True), tmp_path, device="cpu")
    assert r["config"]["train"]["amp"] is True and r["steps_per_s"] > 0
    assert 0.0 <= r["final"]["edge_recovery"] <= 1.0 and r["provenance"]["peak_cuda_mb"] is None
    assert torch.get_default_dtype() == torch.float32


def test_cli_lists_the_phase_configs(capsys):
    main(["phase", "--list"])
    assert len(capsys.readouterr().out.strip().splitlines()) == len(phase_configs())
    with pytest.raises(SystemExit):
        main(["paper", "G1"])


def test_stretch_config_runs_with_its_time_budget_and_sampled_softmax(tmp_path):
    """The stretch config at toy size: the time budget stops training, the curve records seconds."""
    cfg = stretch_experiment(60).replace(d=4, l=3, width=16, depth=1, heads=2, batch_size=8, steps=10_000,
                                         max_seconds=0.5, sampled_softmax=4, eval_every=10_000)
    assert stretch_experiment(60).train.max_seconds == 3600 and stretch_experiment(60).train.sampled_softmax == 4096
    r = run_config(cfg, tmp_path, device="cpu")
    assert r["curve"]["steps"][-1] < 10_000 and r["train_seconds"] < 5
    assert len(r["curve"]["seconds"]) == len(r["curve"]["steps"]) and r["curve"]["seconds"][-1] >= 0.5


def test_training_memory_grows_with_the_vocabulary_and_the_sampled_softmax_saves_some():
    """Measured in fresh processes: 20k tokens cost tens of MB more than 40 (embedding, its Adam state,
    logits over the vocabulary); the sampled softmax needs less at that size."""
    small = training_memory(10, steps=2)
    big = training_memory(5000, steps=2)
    big_sampled = training_memory(5000, steps=2, sampled_softmax=512)
    assert big["vocab"] > 400 * small["vocab"] and big["params"] > small["params"]
    assert big["training_mb"] > small["training_mb"] + 20
    assert big_sampled["training_mb"] < big["training_mb"]


def test_cost_configs_span_sizes_with_one_recipe():
    configs = cost_configs()
    assert len({c.graph.d for c in configs}) == len(configs) >= 5
    assert len({c.replace(d=0 + 1) for c in configs}) == 1 and configs[0].eval.eval_every == 25


def test_paper_footprint_counts_the_same_parameters_as_a_real_model():
    from geomem_utils.models import model_for
    from geomem_utils.tasks import PathStarTask
    small = dict(d=7, l=4, width=24, depth=2, heads=4, n_pause=3, batch_size=8)
    task = PathStarTask(path_star(7, 4, seed=0), n_pause=3)
    real = model_for(task, depth=2, heads=4, width=24)
    f = paper_footprint(small)
    assert f["nodes"] == 22 and f["params"] == real.num_params()
    big = paper_footprint(PAPER_CONFIGS["G10k10"])
    assert big["nodes"] == 90_001 and 1e8 < big["params"] < 3e8  # 90k x 784 embedding + 12 wide layers


def test_first_passage_reads_steps_and_seconds_off_a_stored_curve():
    result = dict(curve=dict(steps=[25, 50, 75], seconds=[1.0, 2.5, 4.0], test_exact=[0.2, 0.91, 0.5]))
    assert result_passage(result, 0.9) == (50, 2.5)
    assert result_passage(result, 0.1) == (25, 1.0)
    assert result_passage(result, 0.95) is None
    assert paper_experiment("G5000", steps=100).eval.eval_every == 10


# ---------------------------------------------------------------- the scaling chapters' figures
def _plot_axes(n):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt.subplots(1, n)


def test_plot_learning_curves_draws_one_line_per_l_and_rejects_a_missing_d():
    import matplotlib.pyplot as plt
    from geomem_utils.scaling_plots import plot_learning_curves
    runs = [dict(config=dict(graph=dict(d=100, l=l), model=dict(width=128, depth=2)), nodes=100 * (l - 1) + 1,
                 curve=dict(steps=[10, 20], test_exact=[0.1, 0.5])) for l in (6, 4, 5)]
    _, ax = _plot_axes(1)
    plot_learning_curves(runs, ax, d=100)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:3] == ["ℓ = 4 (301 nodes)", "ℓ = 5 (401 nodes)", "ℓ = 6 (501 nodes)"] and len(labels) == 4  # + chance
    with pytest.raises(ValueError, match="d=200"):
        plot_learning_curves(runs, ax, d=200)
    plt.close("all")


def test_plot_cost_draws_the_stored_fits_and_needs_three_axes():
    import matplotlib.pyplot as plt
    from geomem_utils.experiments.sweeps import cost_fits, cost_results, memory_fits
    from geomem_utils.scaling_plots import plot_cost
    runs, memory = cost_results()
    fits, mem = cost_fits(runs), memory_fits(memory["rows"])
    _, axes = _plot_axes(3)
    plot_cost(fits, memory["rows"], mem, axes)
    assert all(ax.get_legend() is not None for ax in axes)
    assert axes[0].get_xscale() == "log" and axes[2].get_xscale() == "linear"
    with pytest.raises(ValueError, match="axes"):
        plot_cost(fits, memory["rows"], mem, axes[:2])
    plt.close("all")


def test_plot_runs_skips_missing_runs_and_metrics_and_rejects_a_bad_x():
    import matplotlib.pyplot as plt
    from geomem_utils.scaling_plots import plot_runs
    run = dict(curve=dict(steps=[100, 200], seconds=[60.0, 120.0], test_exact=[0.2, 0.4]))
    _, ax = _plot_axes(1)
    plot_runs({"a": run, "b": None}, ax, metrics=("test_exact", "train_exact"), chance=0.01)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["a: held-out exact", "chance of the first hop (1/d)"]
    assert list(lines[0].get_xdata()) == [1.0, 2.0]     # minutes
    _, ax = _plot_axes(1)
    plot_runs({"a": run}, ax, x="steps")
    assert list(ax.get_lines()[0].get_xdata()) == [100, 200]
    with pytest.raises(ValueError, match="x"):
        plot_runs({"a": run}, ax, x="epochs")
    plt.close("all")
