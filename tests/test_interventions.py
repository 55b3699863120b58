"""Chapter 07's interventions are trainer / model options (paper §5 "headroom", claims C16, C17)."""
import numpy as np
import pytest
import torch

from geomem_utils.experiments.path_star import run_path_star
from geomem_utils.experiments.tiny import run_tiny
from geomem_utils.graphs import cycle, path_star
from geomem_utils.models import model_for, set_embeddings
from geomem_utils.node2vec import _Objective, node2vec_loss, one_hop_target
from geomem_utils.tasks import EdgeTask, PathStarTask
from geomem_utils.train import TrainConfig, train


def test_node2vec_loss_is_the_node2vec_objective_per_node():
    task = PathStarTask(path_star(5, 4, seed=0))
    g = task.graph
    E = torch.randn(len(task.vocab), 8, dtype=torch.float64)
    pen = node2vec_loss(g)(E.float())
    J, _ = _Objective(one_hop_target(g), 4096, torch.float64).apply(E[:g.n], E[:g.n])
    assert float(pen) == pytest.approx(J / g.n, rel=1e-5)
    with pytest.raises(ValueError, match="graph"):
        node2vec_loss(object())


def _one_step(task, weight=None):
    torch.manual_seed(0)
    m = model_for(task, depth=1, heads=1, width=16)
    aux = None if weight is None else (lambda model: weight * node2vec_loss(task.graph)(model.token_embedding.weight))
    train(m, task, TrainConfig(steps=3, batch_size=0, lr=1e-2, warmup=0), aux_loss=aux, progress=False, device="cpu")
    return m.embeddings()


def test_auxiliary_loss_changes_nothing_when_disabled_and_pulls_neighbours_when_on():
    task = PathStarTask(path_star(6, 4, seed=0))
    base = _one_step(task)
    assert torch.equal(_one_step(task, 0.0), base)  # weight 0 = no gradient at all
    on = _one_step(task, 5.0)
    assert not torch.allclose(on, base)
    r = run_path_star(d=6, l=4, width=16, depth=1, steps=3, eval_every=0, progress=False, node2vec_weight=5.0)
    assert r.settings["node2vec_weight"] == 5.0
    # optimising the penalty alone raises the cosine of neighbours
    pen = node2vec_loss(task.graph)
    E = torch.randn(len(task.vocab), 16) * 0.02
    E.requires_grad_()
    opt = torch.optim.Adam([E], lr=1e-2)
    e = task.graph.directed_edges("both")
    cos = lambda: float(torch.nn.functional.cosine_similarity(E[e[:, 0]], E[e[:, 1]]).mean().detach())  # noqa: E731
    before = cos()
    for _ in range(200):
        opt.zero_grad()
        pen(E).backward()
        opt.step()
    assert cos() > before + 0.3


def test_set_embeddings_puts_the_eigenvectors_in_the_embedding():
    from geomem_utils.geometry import spectral_embedding
    task = PathStarTask(path_star(8, 4, seed=1))
    m = model_for(task, depth=1, heads=1, width=32)
    B = spectral_embedding(task.graph, 5)
    set_embeddings(m, B)
    W = m.embeddings().double().numpy()
    g = task.graph
    Q, _ = np.linalg.qr(B)
    np.testing.assert_allclose(Q @ (Q.T @ W[:g.n, :5]), W[:g.n, :5], atol=1e-6)  # first 5 dims = span(B)
    assert W[:g.n, :5].std() == pytest.approx(m.config.emb_init_std, rel=1e-4)
    with pytest.raises(ValueError, match="k ≤ width"):
        set_embeddings(m, np.ones((g.n, 64)))
    r = run_path_star(d=8, l=4, width=32, depth=1, steps=1, seed=1, eval_every=0, progress=False,
                      init_embeddings="laplacian")
    assert r.settings["init_embeddings"] == "laplacian"
    with pytest.raises(ValueError, match="init_embeddings"):
        run_path_star(d=8, l=4, steps=1, init_embeddings="pca")


def test_decay_embeddings_shrinks_the_embeddings():
    g = cycle(9)
    norm = {}
    for flag in (False, True):
        r = run_tiny(g, "neural net", steps=50, width=16, lr=0.05, weight_decay=10.0, decay_embeddings=flag)
        norm[flag] = float(r.model.embeddings()[:g.n].norm())
        assert r.settings["decay_embeddings"] is flag
    assert norm[True] < 0.5 * norm[False]
    with pytest.raises(ValueError, match="node2vec_weight"):
        run_path_star(d=4, l=3, steps=1, node2vec_weight=-1.0)
    assert len(EdgeTask(g, self_edges=True).edge_examples().tokens) == 2 * g.num_edges + g.n


def test_memory_verdict_and_zigzag_share():
    from geomem_utils.readouts import memory_verdict
    from geomem_utils.spectral import spectrum, zigzag_share
    assert memory_verdict(dict(skewed_margin=2.0, skewed_top1=0.9)) == "geometric"
    assert memory_verdict(dict(skewed_margin=-0.1, skewed_top1=0.9)) == "associative"
    assert memory_verdict(dict(skewed_margin=0.3, skewed_top1=0.4)) == "mixed"
    g = cycle(15)
    s = spectrum(g)
    assert zigzag_share(s.vectors[:, -2:], g, s) == pytest.approx(1.0)  # the bottom (most alternating) pair
    assert zigzag_share(s.vectors[:, 1:3], g, s) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="full spectrum"):
        zigzag_share(s.vectors, g, spectrum(g, k=3))


def test_knob_panel_trains_on_click_and_explorer_switches():
    import matplotlib
    matplotlib.use("Agg")
    from geomem_utils.memory_widgets import knob_explorer, knob_panel
    w = knob_panel(width=16, steps=200)
    assert w.result is None
    w.manual_button.click()
    r = w.result
    assert r["edge_recovery"] <= 1.0 and r["verdict"] in ("geometric", "associative", "mixed") and len(r["proj"]) == 15
    ex = knob_explorer({"a": r, "b": dict(r, verdict="x")}, cycle(15))
    assert ex.result["verdict"] == r["verdict"]
    ex.children[0].value = "b"
    assert ex.result["verdict"] == "x"
    # a knob_study result holds one report per knob in a list (load_or_compute): the explorer unwraps it
    cached = knob_explorer({"a": [r], "b": [dict(r, verdict="y")]}, cycle(15))
    cached.children[0].value = "b"
    assert cached.result["verdict"] == "y"
    with pytest.raises(ValueError, match="results"):
        knob_explorer({}, cycle(15))
