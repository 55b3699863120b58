"""The exercise solutions stated in the chapters, checked (issues 10 and 17: every solution that states a
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


def test_ch12_ex1_a_looser_rule_stops_where_1_degree_does_a_tighter_one_never_stops_the_star():
    """The cached 10^5-step runs: 2 deg stops where 1 deg does (2,154 / 2,154 / 4,642 / 1,000); at 0.5 deg
    the star runs to the end and finishes at 0.906."""
    from geomem_utils.cache import load_or_compute
    from geomem_utils.experiments.analyses import PastConvergence, stopping_step
    past, _ = load_or_compute(PastConvergence(), verbose=False)
    one = [stopping_step(c, tol_degrees=1.0) for c in past.values()]
    assert one == [2154, 2154, 4642, 1000]
    assert [stopping_step(c, tol_degrees=2.0) for c in past.values()] == one
    assert stopping_step(past["star"], tol_degrees=0.5) == 100_000
    assert past["star"]["concentration"][-1] == pytest.approx(0.906, abs=0.001)


def test_ch12_ex2_a_random_regular_graph_breaks_the_alignment():
    """Regular degrees (spread 1) but no symmetry: the angle ends near 7.7 deg, ||Ce_i||/||C|| ~ 0.027."""
    import networkx as nx
    from geomem_utils import from_networkx
    from geomem_utils.experiments.analyses import alignment_curve
    a = alignment_curve(from_networkx(nx.random_regular_graph(4, 20, seed=0)))
    assert a["degree_spread"] == 1.0
    assert a["rows"][-1]["angle"] == pytest.approx(7.7, abs=0.5) and a["c_fiedler"] == pytest.approx(0.027, abs=0.005)


def test_ch12_ex3_untying_a_frozen_identity_recovers_every_edge_and_loses_the_picture():
    """E ~ N(0,1), W = I frozen on the 15-cycle, seed 0: tied recovery 0.50, concentration 1.00, 2
    directions; untied recovery 1.00, concentration 0.15, 14 of 14 directions."""
    from geomem_utils.experiments.analyses import started, variant_report
    tied = variant_report(started(cycle(15), "W = I", False, emb_init_std=1.0).run())
    untied = variant_report(started(cycle(15), "W = I", False, tied=False, emb_init_std=1.0).run())
    assert tied["edge_recovery"] == pytest.approx(0.5) and tied["concentration"] > 0.99
    assert tied["directions"]["directions"] == 2
    assert untied["edge_recovery"] == 1.0 and untied["concentration"] == pytest.approx(0.15, abs=0.03)
    assert untied["directions"]["directions"] == untied["directions"]["chance"] == 14


# ---------------------------------------------------------------- the coding exercises against the package
def test_principal_angles_reference_agrees_with_spectral():
    """The exercise's reference (QR, then the singular values of Q_Aᵀ Q_B) against spectral.principal_angles
    (scipy's subspace_angles on E's top singular vectors) on random skewed bases, and known answers."""
    from geomem_utils.exercises.analyses import _angle_cases, principal_angles
    from geomem_utils.spectral import principal_angles as spectral_angles
    for seed in range(5):
        for case in _angle_cases(np.random.default_rng(seed)):
            A, B = case.args
            small, big = (A, B) if A.shape[1] <= B.shape[1] else (B, A)
            np.testing.assert_allclose(principal_angles(A, B), spectral_angles(small, big, r=small.shape[1]), atol=1e-4)
    e = np.eye(4)
    np.testing.assert_allclose(principal_angles(e[:, :2], e[:, 2:]), [90.0, 90.0])
    np.testing.assert_allclose(principal_angles(e[:, :1], (e[:, :1] + e[:, 1:2]) * 3), [45.0])


def test_effective_rank_reference_agrees_with_spectral():
    from geomem_utils.exercises.analyses import _rank_cases, effective_rank
    from geomem_utils.spectral import effective_rank as spectral_rank
    for seed in range(5):
        for case in _rank_cases(np.random.default_rng(seed)):
            assert effective_rank(*case.args) == pytest.approx(spectral_rank(*case.args), rel=1e-12)
    assert effective_rank(np.outer(np.arange(1, 5), np.ones(3))) == pytest.approx(1.0)
    assert effective_rank(np.eye(6)[:, :4] * 2.5) == pytest.approx(4.0)


def test_ch12_effective_rank_tied_collapses_untied_stays_at_its_start():
    """Section 1's checked cell: on the 15-cycle, tied Node2Vec goes from 14.7 effective directions to 3.0
    (trivial + Fiedler pair); the untied input matrix stays at its random start's 14.7."""
    from geomem_utils.experiments.analyses import Node2VecAnalysis
    from geomem_utils.spectral import effective_rank
    a = Node2VecAnalysis()
    tied, untied = a.trajectory(cycle(15)), a.trajectory(cycle(15), tied=False)
    assert effective_rank(tied.U[-1]) == pytest.approx(3.0, abs=0.05)
    assert effective_rank(untied.U[0]) == pytest.approx(effective_rank(untied.U[-1]), abs=0.05)
    assert effective_rank(untied.U[-1]) == pytest.approx(14.7, abs=0.05)
