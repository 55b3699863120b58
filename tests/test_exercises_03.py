"""Chapters 03a and 03b: the references of their coding exercises (``exercises.surprise``) against the
package's own measurements, and the exercise solutions stated in the chapters (every solution that states
a measured number or outcome has a test here).

Each test names the chapter and exercise whose <details> solution it checks; if a solution's number
changes, the chapter's text must change with it. A solution that asserts a failure also asserts what
shows the trainer works (edges or training paths memorized).
"""
import json

import numpy as np
import pytest

from geomem_utils import PathStarTask, cycle, path_star, tiny_graphs
from geomem_utils.cache import cache_key, cache_path, train_or_load
from geomem_utils.evaluation import path_accuracy, teacher_forced_accuracy
from geomem_utils.exercises import position_accuracy, read_learning_order
from geomem_utils.experiments import ablations, knobs, sweeps
from geomem_utils.experiments.in_context import chapter_03a, run_in_context, teacher_forced_logits
from geomem_utils.experiments.path_star import PATH_STAR_DEFAULTS, final_metrics, run_path_star
from geomem_utils.experiments.sweeps import load_results, phase_configs
from geomem_utils.experiments.tiny import run_tiny
from geomem_utils.geometry import heatmap_scores, leaf_hop_distances, spectral_navigator
from geomem_utils.history import first_passage, log_spaced_steps
from geomem_utils.memory_widgets import node2vec_summary
from geomem_utils.node2vec import train_node2vec, walk_target
from geomem_utils.readouts import memory_report
from geomem_utils.spectral import eigenspace_energy, spectral_concentration, spectrum
from geomem_utils.succinctness import path_star_costs


@pytest.fixture(scope="module")
def forward_03a():
    exp = chapter_03a(reverse=False)
    if not cache_path(exp).exists():
        pytest.skip("chapter 03a's cache is missing (python scripts/regenerate_caches.py --only 03a_forward)")
    return train_or_load(exp, verbose=False)[0]


# ---------------------------------------------------------------- the coding exercises' references
def test_position_accuracy_equals_the_packages_teacher_forced_accuracy():
    """03a's exercise reference, on a small untrained GPT's logits, is evaluation.teacher_forced_accuracy."""
    run = run_in_context(d=2, l=4, steps=1, eval_every=0, n_test=5, width=32, progress=False)
    examples = run.task.sample(40, np.random.default_rng(0))
    logits, targets = teacher_forced_logits(run.model, examples)
    assert logits.shape[:2] == targets.shape and (targets != -1).sum(1).tolist() == [run.task.l] * 40
    assert np.allclose(position_accuracy(logits, targets), teacher_forced_accuracy(run.model, examples))


def test_position_accuracy_reads_each_rows_own_columns():
    logits = np.zeros((2, 4, 3))
    logits[0, 1, 2] = logits[0, 2, 0] = logits[1, 2, 1] = logits[1, 3, 1] = 1.0  # argmax: [0,2,0,0], [0,0,1,1]
    targets = np.array([[-1, 2, 1, -1], [-1, -1, 1, 0]])                         # row 1 padded by one column
    assert position_accuracy(logits, targets).tolist() == [1.0, 0.0]


def test_read_learning_order_agrees_with_first_passage_and_the_c3_criterion():
    steps = np.array([5, 10, 15, 20])
    acc = np.array([[0.1, 0.5, 0.2], [0.2, 0.9, 0.95], [0.95, 0.9, 1.0], [1.0, 1.0, 1.0]])   # v1, v2, leaf
    reach, cascade = read_learning_order(steps, acc, 0.9)
    assert reach == [first_passage(steps, acc[:, i], 0.9) for i in range(3)] == [15, 10, 10]
    assert not cascade                                    # v2 and the leaf tie: learned together
    assert read_learning_order(steps, acc[:, [0, 1]], 0.9) == ([15, 10], True)
    assert read_learning_order(steps, acc * 0.5, 0.9) == ([None, None, None], False)


def test_ch03a_ex1_v1_at_chance_and_later_positions_copied(forward_03a):
    h = forward_03a.history
    tf = h.last("teacher_forced")  # 500 unseen graphs, fixed by the experiment
    assert abs(h.last("first_hop") - 0.5) <= 0.1  # chance 1/d = 1/2
    assert min(tf[2:]) >= 0.95  # v2, v3, goal: copied from the edge list


def test_ch03a_ex2_four_arms_at_the_panels_budget_learn_only_the_given_tokens():
    run = run_in_context(d=4, l=5, steps=1000, eval_every=1000, n_test=200, progress=False)  # the panel's run
    h = run.history
    tf = h.last("teacher_forced")
    assert tf[0] >= 0.95 and tf[-1] >= 0.95  # start and goal (both in the prompt): the trainer works
    assert h.last("first_hop") < 0.25 and max(tf[1:-1]) < 0.25  # v1 below chance 1/4, and no copy yet
    assert h.last("exact_match") <= 0.05


def test_ch03b_ex2_a_wider_frozen_model_still_memorizes_and_still_fails():
    chance = 1 / 40
    for width in (64, 128):  # doubling the width
        m = final_metrics(run_path_star(d=40, width=width, depth=1, steps=150, eval_every=150,
                                        freeze_embeddings=True, progress=False))
        assert m["train_exact"] >= 0.95 and m["edge_recovery"] >= 0.95, width  # the lookup table is learned
        assert m["test_first_hop"] <= 3 * chance, width                          # held-out first hop is not


def test_ch03b_ex3_at_length_three_even_frozen_embeddings_find_the_first_hop():
    frozen = final_metrics(run_path_star(d=40, l=3, depth=1, steps=60, eval_every=60, path_mode="first_hop",
                                         freeze_embeddings=True, progress=False))
    assert frozen["test_first_hop"] >= 0.9 and frozen["train_exact"] >= 0.95
