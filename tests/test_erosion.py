"""Chapter 09's erosion study: the holding rule, the recipes, and the v1 readout probe."""
import numpy as np
import pytest

from geomem_utils.cache import cache_key
from geomem_utils.evaluation import teacher_forced_accuracy
from geomem_utils.experiments.erosion import (BETA2, HOLDING, RECIPES, beta2_configs, erosion_cells, erosion_configs,
                                              erosion_experiment, erosion_long_configs, erosion_measures, erosion_table,
                                              holding, recipe_of, v1_readout)
from geomem_utils.experiments.path_star import run_path_star


def _result(steps, values, dropout=0.0, d=50, seed=0):
    return dict(curve=dict(steps=list(steps), test_exact=list(values)),
                config=dict(graph=dict(d=d), model=dict(dropout=dropout), seed=seed))


def test_holding_reads_the_value_at_ten_times_the_peak_step():
    steps = np.arange(50, 2001, 50)
    values = np.where(steps < 100, 0.5, 1.0) * np.where(steps > 700, 0.6, 1.0)
    values[steps == 100] = 1.0
    h = holding(_result(steps, values))
    assert h["peak"] == 1.0 and h["peak_step"] == 100
    assert h["later"] == pytest.approx(0.6) and h["held"] == pytest.approx(0.6)   # step 1000 is eroded
    assert holding(_result(steps, values), factor=5)["held"] == pytest.approx(1.0)  # step 500 is not
    assert h["final"] == pytest.approx(0.6) and h["worst"] == pytest.approx(0.6) and h["span"] == 20


def test_holding_says_when_a_run_is_too_short_and_rejects_a_bad_factor():
    h = holding(_result([100, 200, 300], [0.2, 0.9, 0.8]))
    assert h["peak_step"] == 200 and h["later"] is None and h["held"] is None
    assert h["span"] == 1.5 and h["worst"] == pytest.approx(0.8 / 0.9)
    with pytest.raises(ValueError, match="factor"):
        holding(_result([100], [1.0]), factor=0)


def test_recipes_are_distinct_configs_and_every_graph_runs_ten_times_its_peak():
    a, b = (erosion_experiment(50, r) for r in RECIPES)
    assert cache_key(a) != cache_key(b) and b.model.dropout == 0.2 and a.model.dropout == 0.0
    assert len(erosion_configs()) == 4 * 3
    # chapter 09's cost sweep (data/cost) has the chapter 02 recipe peaking at step 150 (d = 50, 100), 650 (d = 500)
    for d, peak in ((50, 150), (100, 150), (500, 650)):
        assert erosion_experiment(d, HOLDING).train.steps >= 10 * peak
    with pytest.raises(ValueError, match="recipe"):
        erosion_experiment(50, "label smoothing")


def test_erosion_table_labels_recipes_by_dropout():
    rows = erosion_table([_result([50, 500], [1.0, 0.5], dropout=0.0), _result([50, 500], [1.0, 1.0], dropout=0.2)])
    assert [r["recipe"] for r in rows] == [HOLDING, "no dropout (chapter 02)"]
    assert [r["held"] for r in rows] == [1.0, 0.5]
    assert recipe_of(dict(model=dict(dropout=0.3))) == "dropout 0.3"


def test_beta2_follow_up_changes_only_adams_beta2_and_is_labelled_by_it():
    configs = beta2_configs()
    assert len(configs) == 3 and len({str(cache_key(c)) for c in configs}) == 3
    for c in configs:
        base = erosion_experiment(c.graph.d, "no dropout (chapter 02)", c.seed, steps=c.train.steps)
        assert c.train.betas == (0.9, 0.999) and c.replace(betas=base.train.betas) == base
        assert recipe_of(cache_key(c)) == BETA2
        assert c.train.steps >= 10 * {50: 150, 100: 150, 500: 650}[c.graph.d]
    assert recipe_of(cache_key(erosion_experiment(50, "no dropout (chapter 02)"))) == "no dropout (chapter 02)"


def test_v1_readout_agrees_with_teacher_forced_accuracy():
    """Oracle: the wrong-argmax counts add up to the teacher-forced misses at v1, and the training
    leaves (fitted) have a positive margin."""
    run = run_path_star(d=20, l=5, steps=150, seed=1, progress=False)
    task, model = run.task, run.model
    held = v1_readout(model, task, "test")
    n_test = len(task.split_indices("test"))
    v1_acc = teacher_forced_accuracy(model, task.path_examples("test"))[1]
    assert sum(held["wrong"].values()) == round((1 - v1_acc) * n_test)
    assert v1_readout(model, task, "train")["margin"] > 0
    m = erosion_measures(model, task)
    assert 0.0 <= m["nearest_own"] <= 1.0 and m["norm_leaf"] > 0 and len(m["test_positions"]) == 5
    with pytest.raises(ValueError, match="split"):
        v1_readout(model, task, "validation")


def test_screen_changes_one_knob_at_a_time():
    from geomem_utils.experiments.erosion import SCREEN, screen_configs, screen_rows
    configs = screen_configs()
    base = configs["chapter 02 recipe"].settings()
    for label, experiment in configs.items():
        changed = {k for k, v in experiment.settings().items() if v != base[k]}
        assert changed == set(SCREEN[label]), label
    assert len({str(cache_key(e)) for e in configs.values()}) == len(SCREEN)
    assert screen_rows("/nonexistent") == []


def test_erosion_cells_add_baselines_only_where_missing_and_goal_met_judges_short_runs_at_their_end():
    from geomem_utils.experiments.erosion import erosion_cells, goal_met
    ours = [_result([50, 500], [1.0, 0.5], d=50), _result([50, 500], [1.0, 1.0], dropout=0.2, d=100)]
    cost = [_result([150, 1500], [1.0, 0.84], d=100), _result([150, 1500], [1.0, 0.5], d=50),
            _result([150, 1500], [1.0, 1.0], d=200)]
    cells = erosion_cells(ours, cost)
    assert list(cells) == [(50, "no dropout (chapter 02)"), (100, HOLDING), (100, "no dropout (chapter 02), cost run")]
    assert goal_met(cells[(50, "no dropout (chapter 02)")]) == (False, [])
    assert goal_met(cells[(100, "no dropout (chapter 02), cost run")], share=0.8) == (True, [])
    short = holding(_result([100, 200, 300], [0.9, 0.9, 0.9]))   # 3x its peak step, judged at its end
    assert goal_met([short]) == (True, [3.0])
    with pytest.raises(ValueError, match="share"):
        goal_met([short], share=2)


def test_follow_up_runs_reach_ten_times_the_peak_and_get_their_own_label():
    configs = erosion_long_configs()
    assert [(c.graph.d, c.model.dropout, c.train.steps, c.seed) for c in configs] == \
        [(500, 0.0, 12_000, 0), (500, 0.0, 12_000, 1), (500, 0.0, 12_000, 2), (100, 0.2, 21_000, 0)]
    long_ = dict(curve=dict(steps=[50, 12_000], test_exact=[1.0, 1.0]), config=cache_key(configs[0]))
    short = dict(curve=dict(steps=[50, 2000], test_exact=[1.0, 0.9]),
                 config=cache_key(erosion_experiment(500, "no dropout (chapter 02)", steps=2000)))
    assert [r["recipe"] for r in erosion_table([long_])] == ["no dropout (chapter 02), 12,000 steps"]
    # a stored 3-seed cell of chapter 02's recipe replaces the one-seed cost-run baseline of the same graph
    assert list(erosion_cells([long_], baselines=[short])) == [(500, "no dropout (chapter 02), 12,000 steps")]
    assert list(erosion_cells([], baselines=[short])) == [(500, "no dropout (chapter 02), cost run")]


def test_carve_validation_takes_a_seeded_share_of_the_training_leaves_only():
    from geomem_utils.experiments.erosion import carve_validation
    train_paths = np.arange(10, 40)
    kept, val = carve_validation(train_paths, 0.2, seed=3)
    assert len(val) == 6 and len(kept) == 24
    assert set(kept) | set(val) == set(train_paths) and not set(kept) & set(val)
    again = carve_validation(train_paths, 0.2, seed=3)
    assert np.array_equal(again[1], val)                        # one seed, one split
    assert not np.array_equal(carve_validation(train_paths, 0.2, seed=4)[1], val)
    assert len(carve_validation(np.arange(3), 1.0, seed=0)[0]) == 1   # at least one leaf left to train on
    with pytest.raises(ValueError, match="fraction"):
        carve_validation(train_paths, 0.0, seed=0)
    with pytest.raises(ValueError, match="train_paths"):
        carve_validation(np.arange(1), 0.5, seed=0)


def test_early_stopped_never_trains_on_validation_or_held_out_leaves_and_returns_the_best_validation_weights():
    from geomem_utils.evaluation import path_star_metrics
    from geomem_utils.experiments.erosion import EarlyStopped, carve_validation
    from geomem_utils.experiments.path_star import path_star_experiment
    # a seed whose held-out exact match is 0.5 at step 20 (best validation) and 0.0 by the end
    base = path_star_experiment(d=16, l=4, steps=100, eval_every=20, seed=3, lr=5e-3)
    e = EarlyStopped(base, val_fraction=0.3)
    run = e.run(progress=False)
    full = base.make_task()
    kept, val = carve_validation(full.train_paths, 0.3, seed=3)
    assert np.array_equal(run.task.train_paths, kept) and np.array_equal(run.task.test_paths, full.test_paths)
    trained = {tuple(r) for r in run.task.path_examples("train").tokens.tolist()}
    for i in list(val) + list(full.test_paths):   # no validation or held-out leaf is in the training set
        assert int(full.graph.paths[i][-1]) not in {r[1] for r in trained}
    evals = run.history.evals
    best = max(range(len(evals)), key=lambda i: (evals[i]["val_exact"], -i))   # first step at the best score
    assert all(ev["kept_test_exact"] == evals[best]["test_exact"] for ev in evals[best:])
    assert evals[-1]["test_exact"] != evals[best]["test_exact"]   # the live weights moved on: not a vacuous check
    # the returned model is the kept checkpoint: its held-out exact match is the one recorded at that step
    assert path_star_metrics(run.model, run.task)["test_exact"] == pytest.approx(evals[best]["test_exact"])
    assert e.settings()["val_fraction"] == 0.3
    with pytest.raises(ValueError, match="val_fraction"):
        EarlyStopped(base, val_fraction=0.0)
    with pytest.raises(ValueError, match="node2vec_weight"):
        EarlyStopped(base.replace(node2vec_weight=0.1))


def test_no_decay_follow_up_changes_only_the_weight_decay_and_is_labelled_by_it():
    from geomem_utils.experiments.erosion import NO_DECAY, no_decay_configs
    for c in no_decay_configs():
        assert c.train.weight_decay == 0.0 and c.model.dropout == 0.0 and c.train.betas == (0.9, 0.98)
        assert c.replace(weight_decay=0.01) == erosion_experiment(c.graph.d, "no dropout (chapter 02)", c.seed, c.train.steps)
        assert recipe_of(cache_key(c)) == NO_DECAY
