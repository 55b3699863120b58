"""The package functions chapters 00-03b call (issue 17: notebooks hold prose and short calls).

``position_labels``, ``final_metrics`` and ``learning_order`` (claim C3's reading of the per-position
curves) from ``experiments.path_star``; chapter 03a's cached experiments from ``experiments.in_context``.
"""
import numpy as np
import pytest

from geomem_utils.experiments.in_context import CHAPTER_03A, InContextExperiment, chapter_03a
from geomem_utils.experiments.path_star import (PATH_STAR_DEFAULTS, final_metrics, learning_order,
                                                position_labels, run_path_star)
from geomem_utils.history import History
from geomem_utils.train import Run


def _run(curves, eval_every=10, l=5, **settings):
    """A Run whose History holds ``test_positions`` rows (one list per evaluation), no model needed."""
    evals = [dict(step=eval_every * (i + 1), time=0.0, test_positions=list(row), edge_recovery=1.0,
                  train_exact=0.5 + 0.1 * i, test_exact=0.1 * i, test_first_hop=0.2 * i)
             for i, row in enumerate(curves)]
    s = dict(l=l, eval_every=eval_every, path_mode="forward", track_positions=True)
    s.update(settings)
    return Run(task=None, model=None, history=History(loss=[1.0], evals=evals), settings=s)


# ---------------------------------------------------------------- position_labels
def test_position_labels_name_every_target_position():
    assert position_labels(5) == ["root", "v1 (first hop)", "v2", "v3", "leaf"]
    assert position_labels(3) == ["root", "v1 (first hop)", "leaf"]
    assert position_labels(2) == ["root", "leaf (= v1, first hop)"]
    assert len(position_labels(8)) == 8 and position_labels(8)[-2] == "v6"
    with pytest.raises(ValueError, match="l"):
        position_labels(1)


# ---------------------------------------------------------------- learning_order (C3)
def test_learning_order_reads_a_last_first_cascade():
    #            root  v1   v2   v3   leaf
    curves = [[1.0, 0.0, 0.0, 0.0, 0.95],
              [1.0, 0.0, 0.0, 0.95, 1.0],
              [1.0, 0.0, 0.95, 1.0, 1.0],
              [1.0, 0.95, 1.0, 1.0, 1.0]]
    o = learning_order(_run(curves))
    assert o["reach"] == {"root": 10, "v1 (first hop)": 40, "v2": 30, "v3": 20, "leaf": 10}
    assert o["all_reached"] and o["leaf_first"] and not o["v1_with_leaf"]  # v1 three evaluations after the leaf


def test_learning_order_reads_positions_rising_together_and_a_miss():
    curves = [[1.0, 0.2, 0.95, 0.95, 0.3],
              [1.0, 0.92, 1.0, 1.0, 0.91]]
    o = learning_order(_run(curves))
    assert o["reach"]["v1 (first hop)"] == o["reach"]["leaf"] == 20
    assert o["all_reached"] and not o["leaf_first"] and o["v1_with_leaf"]
    never = learning_order(_run([[1.0, 0.5, 1.0, 1.0, 1.0]]))
    assert never["reach"]["v1 (first hop)"] is None
    assert not never["all_reached"] and not never["leaf_first"] and not never["v1_with_leaf"]
    assert learning_order(_run(curves), threshold=0.99)["reach"]["v2"] == 20


def test_learning_order_rejects_runs_without_positions():
    with pytest.raises(ValueError, match="track_positions"):
        learning_order(_run([[1.0] * 5], track_positions=False))
    with pytest.raises(ValueError, match="track_positions"):
        learning_order(_run([[1.0] * 5], path_mode="first_hop"))
    with pytest.raises(ValueError, match="threshold"):
        learning_order(_run([[1.0] * 5]), threshold=1.5)


def test_learning_order_on_a_real_tiny_run():
    run = run_path_star(d=8, l=4, width=32, depth=1, steps=30, eval_every=10, track_positions=True, progress=False)
    o = learning_order(run, threshold=0.0)  # every position is >= 0 at the first evaluation
    assert list(o["reach"]) == position_labels(4) and set(o["reach"].values()) == {10}
    assert o["all_reached"] and not o["leaf_first"] and o["v1_with_leaf"]
    m = final_metrics(run)
    assert list(m) == ["edge_recovery", "train_exact", "test_exact", "test_first_hop"]
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in m.values())
    assert m["test_exact"] <= m["test_first_hop"]


# ---------------------------------------------------------------- final_metrics
def test_final_metrics_takes_the_last_evaluation_in_the_order_asked():
    run = _run([[1.0] * 5, [1.0] * 5, [1.0] * 5])
    assert final_metrics(run, ["test_first_hop", "edge_recovery"]) == {"test_first_hop": pytest.approx(0.4),
                                                                        "edge_recovery": 1.0}
    assert final_metrics(run, {"train_exact": "label", "test_exact": "label"}) == pytest.approx(
        {"train_exact": 0.7, "test_exact": 0.2})
    with pytest.raises(ValueError, match="names"):
        final_metrics(run, ["exact_match"])


# ---------------------------------------------------------------- chapter settings
def test_path_star_defaults_are_chapter_02s_recipe():
    assert PATH_STAR_DEFAULTS == dict(d=200, l=5, n_pause=1, width=128, depth=2, heads=4, steps=400,
                                      batch_size=256, lr=2e-3)


def test_chapter_03a_experiments_differ_only_in_the_target_order():
    f, r = chapter_03a(reverse=False), chapter_03a(reverse=True)
    assert isinstance(f, InContextExperiment)
    sf, sr = f.settings(), r.settings()
    assert sf["reverse"] is False and sr["reverse"] is True
    assert {k for k in sf if sf[k] != sr[k]} == {"reverse"}
    assert all(sf[k] == v for k, v in CHAPTER_03A.items())
    assert (sf["steps"], sf["warmup"], f.task.d, f.task.l) == (3000, 100, 2, 5)
    assert f.make_task().chance == 0.5 and not f.make_task().reverse and r.make_task().reverse
    # the evaluation stream never overlaps the training stream's seed
    ex = f.test_examples(f.make_task())
    assert len(ex) == CHAPTER_03A["n_test"]
    np.testing.assert_array_equal(ex.tokens, f.test_examples(f.make_task()).tokens)
