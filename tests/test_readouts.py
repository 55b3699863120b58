"""Edge memorization on any graph and the 'which store?' readouts (paper §3, claims C7, C8)."""
import networkx as nx
import numpy as np
import pytest

from geomem_utils.readouts import (edge_margin, laplacian_reference, readout_scores, reference_edge_recovery,
                                   skewed_readout, top1_accuracy)
from geomem_utils.graphs import cycle, from_networkx, grid, irregular, tiny_star
from geomem_utils.tasks import EdgeTask
from geomem_utils.experiments.tiny import run_tiny


def test_edge_task_on_any_graph():
    t = EdgeTask(grid(4, 4))
    ex = t.edge_examples()
    assert ex.tokens.shape == (48, 3) and ex.is_target[:, 2].all() and not ex.is_target[:, :2].any()
    assert len(EdgeTask(cycle(15), self_edges=True).edge_examples().tokens) == 45
    assert EdgeTask(from_networkx(nx.karate_club_graph())).edge_examples().tokens.shape == (156, 3)
    with pytest.raises(ValueError, match="no edges"):
        EdgeTask(from_networkx(nx.empty_graph(3)))
    with pytest.raises(ValueError, match="Graph"):
        EdgeTask(nx.path_graph(3))


def test_margin_and_top1_on_adjacency():
    g = cycle(6)
    A = np.zeros((6, 6))
    A[g.edges[:, 0], g.edges[:, 1]] = A[g.edges[:, 1], g.edges[:, 0]] = 1.0
    assert edge_margin(A, g) == 1.0 and top1_accuracy(A, g) == 1.0
    assert edge_margin(-A, g) == -1.0 and top1_accuracy(-A, g) == 0.0


def test_skewed_readout_keeps_a_diagonal_readout_and_drops_a_rotation():
    rng = np.random.default_rng(0)
    E = rng.standard_normal((10, 4)) @ np.diag([4.0, 3, 2, 1])
    _, _, Vh = np.linalg.svd(E, full_matrices=False)
    D = Vh.T @ np.diag([1.0, -2, 3, 0.5]) @ Vh
    np.testing.assert_allclose(skewed_readout(E, D), D, atol=1e-10)
    R = Vh.T @ np.array([[0, 1.0, 0, 0], [-1, 0, 0, 0], [0, 0, 0, 1], [0, 0, -1, 0]]) @ Vh  # pure rotation
    np.testing.assert_allclose(skewed_readout(E, R), 0, atol=1e-10)


@pytest.mark.parametrize("g", [tiny_star(), grid(4, 4), cycle(15), irregular()])
def test_laplacian_reference_is_an_exact_geometric_memory(g):
    E, W = laplacian_reference(g)
    assert reference_edge_recovery(E @ W @ E.T, g) == 1.0
    s = readout_scores(E, W, g)
    assert s["margin"] > 0 and s["skewed_top1"] == 1.0
    assert s["skewed_margin"] == pytest.approx(s["margin"], abs=1e-9)


def test_tiny_neural_net_memorizes_the_grid_with_geometry():
    r = run_tiny(grid(4, 4), "neural net", eval_every=250)
    assert r.history.last("edge_recovery") == 1.0
    steps, _ = r.history.series("geometric_level")
    assert steps[0] == 0 and steps[-1] == 1000
    with pytest.raises(ValueError, match="memorizer"):
        run_tiny(grid(4, 4), "lookup table")


def test_memory_report_tells_the_two_stores_apart():
    """C7 vs C8 on the 15-cycle: both memorize every edge; only the trainable embeddings carry it in
    their geometry (the skewed readout alone ranks a neighbour first), the frozen ones do not."""
    from geomem_utils.readouts import memory_report, reference_report
    g = cycle(15)
    assoc = run_tiny(g, "associative", eval_every=500, metrics="memory")
    net = run_tiny(g, "neural net", steps=300)
    a, n = assoc.history.evals[-1], memory_report(net.model, net.task)
    assert a["edge_recovery"] == 1.0 and n["edge_recovery"] == 1.0
    assert a["skewed_margin"] < 0 < n["skewed_margin"]
    assert a["skewed_top1"] < 0.6 < 0.9 < n["skewed_top1"]
    assert assoc.history.series("skewed_top1")[0].tolist() == [0, 500, 1000]
    ref = reference_report(g)
    assert ref["edge_recovery"] == 1.0 and ref["skewed_top1"] == 1.0
    assert ref["geometric_level"] == pytest.approx(-0.5)  # E W Eᵀ = -L, dominated by the zigzag modes
