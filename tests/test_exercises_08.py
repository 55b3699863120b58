"""Chapter 08: the exercise solutions stated in the chapter, checked (issues 10 and 17: every solution that states a
measured number or outcome has a test here).

Each test names the chapter and exercise whose <details> solution it checks; if a solution's number
changes, the chapter's text must change with it. A solution that asserts a failure also asserts what
shows the trainer works (edges or training paths memorized).
"""
import json

import numpy as np
import pytest

from geomem_utils import PathStarTask, cycle, path_star, tiny_graphs
from geomem_utils.cache import cache_key, cache_path, train_or_load
from geomem_utils.evaluation import path_accuracy
from geomem_utils.experiments import ablations, knobs, sweeps
from geomem_utils.experiments.in_context import chapter_03a, run_in_context
from geomem_utils.experiments.path_star import PATH_STAR_DEFAULTS, final_metrics, run_path_star
from geomem_utils.experiments.sweeps import load_results, phase_configs
from geomem_utils.experiments.tiny import run_tiny
from geomem_utils.geometry import heatmap_scores, leaf_hop_distances, spectral_navigator
from geomem_utils.history import log_spaced_steps
from geomem_utils.memory_widgets import node2vec_summary
from geomem_utils.node2vec import train_node2vec, walk_target
from geomem_utils.readouts import memory_report
from geomem_utils.spectral import eigenspace_energy, spectral_concentration, spectrum
from geomem_utils.succinctness import path_star_costs


def test_ch08_ex1_backward_edges_alone_do_not_give_forward_paths():
    """Backward-only edges, forward paths (section 1's cell): every training path memorized, held-out
    exact match and first hop 0."""
    run = ablations.ablation(edge_direction="backward", path_mode="forward", eval_every=0).run(progress=False)
    train, test = path_accuracy(run.model, run.task, "train"), path_accuracy(run.model, run.task, "test")
    assert train["exact_match"] == 1.0
    assert test["exact_match"] == 0.0 and test["first_hop"] <= 0.04


def test_ch08_ex2_the_first_hop_never_lags_the_exact_match():
    """0 pauses: at every evaluation the held-out first-hop accuracy is at least the exact match (an
    exact decode has its first hop right), and the first hop gets to 50% no later."""
    run = ablations.ablation(n_pause=0, steps=200, eval_every=20).run(progress=False)
    c = run.history.curves()
    assert all(h >= e for h, e in zip(c["test_first_hop"], c["test_exact"]))
    assert max(c["test_exact"]) >= 0.5  # the trainer works: paths are found within the budget
    assert ablations.steps_to(c, 0.5, "test_first_hop") <= ablations.steps_to(c, 0.5)


def test_ch08_ex3_backward_edges_never_teach_the_held_out_leaf():
    """Backward-only edges, reverse paths, lr 5e-3: training paths memorized, held-out exact 0, and for
    almost every held-out leaf the decode skips the echo and walks on correctly from the leaf's parent."""
    run = ablations.ablation(edge_direction="backward", path_mode="reverse", lr=5e-3, eval_every=0).run(progress=False)
    train, test = path_accuracy(run.model, run.task, "train"), path_accuracy(run.model, run.task, "test")
    assert train["exact_match"] == 1.0 and test["exact_match"] == 0.0
    pred, ans = np.asarray(test["predictions"]), np.asarray(test["answers"])
    skipped = (pred[:, :-2] == ans[:, 1:-1]).all(axis=1)   # the walk from the parent on, echo left out
    assert skipped.mean() >= 0.8
    assert not np.isin(pred, ans[:, 0]).any()               # no held-out leaf is ever emitted


def test_ch08_coding_exercise_reference_is_the_package_split():
    """check_tree_split's reference is graphs.leaf_split on the same paths (what the chapter's runs use)."""
    from geomem_utils.exercises.ablations import tree_split
    from geomem_utils.graphs import leaf_split, tree_star
    for d, l in ((16, 4), (5, 3), (3, 5)):
        g = tree_star(d, l, seed=1)
        for by in ("leaf", "first_hop"):
            for seed in range(3):
                assert all((a == b).all() for a, b in zip(tree_split(g.paths, 0.75, seed, by), leaf_split(g, 0.75, seed, by)))
