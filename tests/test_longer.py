"""The budget phase diagram and the long-path runs (experiments.longer, chapter 09)."""
import numpy as np
import pytest

from geomem_utils.cache import cache_key
from geomem_utils.experiments.longer import (BUDGET_DS, BUDGET_LS, BUDGET_SECONDS, BUDGET_STEPS, budget_configs,
                                             budget_experiment, budget_grid, budget_rows, long_path_experiment,
                                             n_pause_of)


def test_pause_counts_follow_the_paper():
    assert [n_pause_of(l, "paper") for l in (5, 6, 10)] == [5, 6, 10]   # Table 1: 5 / 6 / 10 pauses
    assert n_pause_of(8, "one") == 1
    with pytest.raises(ValueError, match="pauses"):
        n_pause_of(5, "many")


def test_budget_configs_cover_the_grid_with_distinct_keys():
    cs = budget_configs()
    assert len(cs) == len(BUDGET_LS) * len(BUDGET_DS) * 2 * 2
    assert len({str(cache_key(c)) for c in cs}) == len(cs)
    s = cs[0].settings()
    assert s["max_seconds"] == BUDGET_SECONDS and s["steps"] == BUDGET_STEPS and s["lr"] == 2e-3
    cells = {(c.settings()["d"], c.settings()["l"], c.settings()["n_pause"]) for c in cs}
    assert (2000, 10, 10) in cells and (20, 4, 1) in cells
    with pytest.raises(ValueError, match="seconds"):
        budget_experiment(200, 5, seconds=0)


def _result(d, l, n_pause, seed, exact, curve=None):
    e = budget_experiment(d, l, "one" if n_pause == 1 else "paper", seed)
    curve = curve or dict(steps=[100, 200], seconds=[5.0, 10.0], test_exact=[0.0, exact], test_first_hop=[0.0, exact])
    return dict(config=cache_key(e), final=dict(test_exact=exact, test_first_hop=exact, train_exact=1.0),
                curve=curve, nodes=d * (l - 1) + 1, steps_per_s=20.0)


def test_budget_grid_reduces_over_seeds_and_leaves_gaps_nan():
    rs = [_result(200, 5, 5, 0, 0.8), _result(200, 5, 5, 1, 1.0), _result(200, 5, 1, 0, 0.1)]
    mean, lo, hi = (budget_grid(rs, "paper", reduce=r)["values"] for r in ("mean", "min", "max"))
    i, j = BUDGET_LS.index(5), BUDGET_DS.index(200)
    assert mean[i, j] == pytest.approx(0.9) and lo[i, j] == 0.8 and hi[i, j] == 1.0
    assert budget_grid(rs, "one")["values"][i, j] == pytest.approx(0.1)
    assert np.isnan(mean).sum() == mean.size - 1
    with pytest.raises(ValueError, match="reduce"):
        budget_grid(rs, "one", reduce="median")


def test_budget_rows_read_time_to_threshold_off_the_curve():
    curve = dict(steps=[100, 200, 300], seconds=[5.0, 10.0, 15.0], test_exact=[0.2, 0.95, 0.9],
                 test_first_hop=[0.2, 0.95, 0.9])
    (row,) = budget_rows([_result(200, 4, 4, 0, 0.9, curve)], threshold=0.9)
    assert (row["steps_to"], row["seconds_to"], row["pauses"]) == (200, 10.0, "paper")
    (never,) = budget_rows([_result(200, 4, 1, 0, 0.5)], threshold=0.9)
    assert never["steps_to"] is None and never["seconds_to"] is None


def test_long_path_experiment_uses_the_paper_pauses_and_a_time_budget():
    s = long_path_experiment(8, minutes=30).settings()
    assert (s["d"], s["l"], s["n_pause"], s["max_seconds"], s["steps"]) == (200, 8, 8, 1800, 30_000)
    with pytest.raises(ValueError, match="minutes"):
        long_path_experiment(8, minutes=-1)


def test_g5000_ablation_changes_one_knob_at_a_time():
    from geomem_utils.experiments.longer import G5000_ABLATION, g5000_ablation
    runs = {k: e.settings() for k, e in g5000_ablation(10).items()}
    base = runs["5 pauses, full softmax, batch 256"]
    assert (base["d"], base["l"], base["n_pause"], base["sampled_softmax"], base["max_seconds"]) == (5000, 5, 5, 0, 600)
    for label, knob in G5000_ABLATION.items():
        differs = {k for k in base if runs[label][k] != base[k]}
        assert differs == set(knob), label


def test_long_screen_changes_one_knob_at_a_time_and_follows_l():
    from geomem_utils.experiments.longer import LONG_SCREEN, long_screen_configs
    runs = {k: e.settings() for k, e in long_screen_configs(8).items()}
    base = runs["chapter 02 recipe"]
    assert (base["d"], base["l"], base["n_pause"], base["steps"]) == (200, 8, 8, 4000)
    for label, knob in LONG_SCREEN.items():
        assert {k for k in base if runs[label][k] != base[k]} == set(knob), label
    assert long_screen_configs(10)["chapter 02 recipe"].settings()["n_pause"] == 10
    with pytest.raises(ValueError, match="l"):
        long_screen_configs(1)


def test_paper_graph_experiment_uses_the_paper_pauses_and_the_full_softmax():
    from geomem_utils.experiments.longer import PAPER_GRAPHS, paper_graph_experiment
    for name, (d, l) in PAPER_GRAPHS.items():
        s = paper_graph_experiment(name, minutes=60).settings()
        assert (s["d"], s["l"], s["n_pause"], s["sampled_softmax"], s["batch_size"], s["max_seconds"]) == \
            (d, l, l, 0, 512, 3600)
    assert paper_graph_experiment("G_(10^4,6)", dropout=0.2).settings()["dropout"] == 0.2
    with pytest.raises(ValueError, match="graph"):
        paper_graph_experiment("G_(10^5,6)")
    with pytest.raises(ValueError, match="minutes"):
        paper_graph_experiment("G_(5000,5)", minutes=0)


def test_long_screen_rows_read_the_best_first_hop_off_stored_curves(tmp_path):
    import json

    from geomem_utils.experiments.longer import long_screen_configs, long_screen_rows
    from geomem_utils.experiments.sweeps import cache_key, result_path
    e = long_screen_configs(8)["depth 4"]
    curve = dict(steps=[250, 500, 750], test_exact=[0.0, 0.1, 0.0], test_first_hop=[0.02, 0.3, 0.1],
                 train_exact=[0.5, 1.0, 1.0], seconds=[1, 2, 3])
    result_path(e, tmp_path).write_text(json.dumps(dict(config=cache_key(e), curve=curve, steps_per_s=9.0,
                                                        final=dict(train_exact=1.0))))
    rows = long_screen_rows(8, tmp_path)
    assert [r["knob"] for r in rows] == ["depth 4"]    # the unstored knobs are left out, not zero
    assert (rows[0]["best_first_hop"], rows[0]["at_step"], rows[0]["best_exact"], rows[0]["steps"]) == (0.3, 500, 0.1, 750)


def test_long_path_probe_is_chapter_02_recipe_with_l_pauses():
    from geomem_utils.experiments.longer import long_path_probe
    (label, (e,)), = long_path_probe(10).cells
    s = e.settings()
    assert (label, s["d"], s["l"], s["n_pause"], s["eval_every"]) == ("chapter 02 recipe", 200, 10, 10, 250)
    assert long_path_probe().name == "09_long_path_probe"
    with pytest.raises(ValueError, match="l"):
        long_path_probe(2)


def test_paper_graph_runs_are_the_stored_budgets_on_the_papers_graphs():
    from geomem_utils.experiments.longer import PAPER_GRAPH_RUNS, PAPER_GRAPHS, paper_graph_runs
    runs = paper_graph_runs()
    assert set(runs) == set(PAPER_GRAPH_RUNS) <= set(PAPER_GRAPHS)
    for graph, e in runs.items():
        minutes, steps = PAPER_GRAPH_RUNS[graph]
        assert (e.graph.d, e.graph.l) == PAPER_GRAPHS[graph] and e.task.n_pause == e.graph.l
        assert e.train.max_seconds == 60 * minutes and e.train.steps == steps and e.train.sampled_softmax == 0


def test_g5000_runs_differ_only_in_batch_and_budget():
    from geomem_utils.experiments.longer import g5000_runs
    runs = g5000_runs()
    assert [e.train.batch_size for e in runs.values()] == [256, 512, 1024]
    for e in runs.values():
        assert (e.graph.d, e.graph.l, e.task.n_pause, e.train.sampled_softmax, e.model.dropout) == (5000, 5, 5, 0, 0.0)
        assert e.train.max_seconds in (900, 1200)


def test_more_arms_is_the_long_run_on_ten_times_the_arms():
    from geomem_utils.experiments.longer import long_path_experiment, more_arms_experiment
    e = more_arms_experiment()
    assert (e.graph.d, e.graph.l, e.task.n_pause, e.train.steps, e.train.max_seconds) == (2000, 8, 8, 8000, 1800)
    assert long_path_experiment(8).train.steps == 30_000   # the stored G_(200,8) run's key is unchanged
    with pytest.raises(ValueError, match="steps"):
        long_path_experiment(8, steps=0)


def test_goal_and_after_reads_the_first_time_at_the_goal_and_the_worst_share_after_it():
    from geomem_utils.experiments.longer import goal_and_after
    r = dict(curve=dict(steps=[400, 800, 1200, 1600], seconds=[300, 600, 900, 1200],
                        test_exact=[0.5, 0.96, 0.912, 0.97]))
    g = goal_and_after(r)
    assert (g["step"], g["at_minutes"], g["best"], g["final"]) == (800, 10.0, 0.97, 0.97)
    assert g["after"] == pytest.approx(0.95)      # 0.912 / 0.96: the dip after the goal
    assert goal_and_after(r, goal=0.98)["step"] is None and goal_and_after(r, goal=0.98)["after"] is None
    with pytest.raises(ValueError, match="goal"):
        goal_and_after(r, goal=1.5)
