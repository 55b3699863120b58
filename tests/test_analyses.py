"""Chapter 12's analyses (geomem_utils.experiments.analyses and the measures under it): the untied
gradient against autograd, the snapshot trainer against train_node2vec, the eigenspace-alignment
measure on cases with a known answer, the readout shares on -L, the stopping rule, and the record's
verdict helpers (the zigzag fold, a claim measured in parts)."""
import numpy as np
import pytest
import torch

from geomem_utils.experiments.analyses import (Node2VecAnalysis, adjacency_correlation, readout_share,
                                               stopping_step, tying_report)
from geomem_utils.graphs import cycle, grid, path_star, tiny_star
from geomem_utils.node2vec import (node2vec_loss_value, node2vec_trajectory, one_hop_target, train_node2vec,
                                   untied_gradient)
from geomem_utils.spectral import eigenspace_angle, laplacian, spectrum, top_eigenvectors


@pytest.mark.parametrize("graph", [cycle(9), tiny_star()], ids=["cycle", "star"])
def test_untied_gradient_matches_autograd(graph):
    Q = one_hop_target(graph)
    gen = torch.Generator().manual_seed(1)
    U = torch.randn(graph.n, 7, generator=gen, dtype=torch.float64, requires_grad=True)
    V = torch.randn(graph.n, 7, generator=gen, dtype=torch.float64, requires_grad=True)
    Qd = torch.tensor(Q.toarray())
    (-(Qd * torch.log_softmax(U @ V.T, dim=1)).sum()).backward()
    gU, gV = untied_gradient(U.detach(), V.detach(), Q)
    assert torch.allclose(gU, U.grad, atol=1e-10) and torch.allclose(gV, V.grad, atol=1e-10)
    # tied: the two sides add up to the gradient of J(V, V)
    W = V.detach().clone().requires_grad_()
    (-(Qd * torch.log_softmax(W @ W.T, dim=1)).sum()).backward()
    a, b = untied_gradient(W.detach(), W.detach(), Q)
    assert torch.allclose(a + b, W.grad, atol=1e-10)


def test_tied_trajectory_is_train_node2vec():
    g = grid(3, 3)
    tr = node2vec_trajectory(g, tied=True, steps=300, eval_steps=[100])
    run = train_node2vec(g, steps=300, dtype=torch.float64)
    assert list(tr.steps) == [0, 100, 300]
    np.testing.assert_allclose(tr.U[-1], run.V, atol=1e-12)
    assert tr.U is not tr.V and np.array_equal(tr.U, tr.V)
    assert tr.loss[-1] == pytest.approx(node2vec_loss_value(tr.U[-1], tr.V[-1], one_hop_target(g)))
    assert tr.loss[-1] < tr.loss[0]


def test_untied_trajectory_descends_on_both_sides():
    g = cycle(8)
    tr = node2vec_trajectory(g, tied=False, steps=200, dim=10)
    assert not np.allclose(tr.U[-1], tr.V[-1]) and tr.loss[-1] < 0.5 * tr.loss[0]
    assert not np.allclose(tr.V[0], tr.V[-1])


def test_eigenspace_angle_known_answers():
    rng = np.random.default_rng(0)
    X, _ = np.linalg.qr(rng.standard_normal((10, 10)))
    A = X @ np.diag(np.arange(10, 0, -1.0)) @ X.T
    B = X @ np.diag([5, 4.5, 4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]) @ X.T  # same top-3 eigenvectors
    assert eigenspace_angle(A, B, 3) < 1e-6
    C = X @ np.diag([0.1, 0.1, 0.1, 3, 2, 1, 0, 0, 0, 0.]) @ X.T            # top-3 orthogonal to A's
    assert eigenspace_angle(A, C, 3) == pytest.approx(90.0, abs=1e-6)
    V = X[:, :3] * [3.0, 2.0, 1.0]                                          # V built from the eigenvectors
    assert eigenspace_angle(A, V @ V.T, 3) < 1e-6
    np.testing.assert_allclose(np.abs(top_eigenvectors(A, 1)[:, 0]), np.abs(X[:, 0]), atol=1e-10)
    with pytest.raises(ValueError, match="k"):
        eigenspace_angle(A, B, 11)


def test_readout_share_of_minus_laplacian():
    g = cycle(10)
    s = spectrum(g)
    r = readout_share(2 * np.eye(g.n) - laplacian(g), g, s)  # 2I - L rewards smooth directions, punishes the zigzag
    assert r["fiedler"] > 0 and r["zigzag"] < 0
    F = s.vectors[:, 1:3]
    assert readout_share(F @ F.T, g, s) == pytest.approx(dict(fiedler=1.0, zigzag=0.0), abs=1e-10)


def test_cosines_of_rows():
    from geomem_utils.experiments.analyses import cosines
    X = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    np.testing.assert_allclose(cosines(X, X), [[1, 0, 2 ** -0.5], [0, 1, 2 ** -0.5], [2 ** -0.5, 2 ** -0.5, 1]])
    assert cosines(X, X[:2]).shape == (3, 2)


def test_adjacency_correlation_of_the_graph_itself():
    g = path_star(3, 3)
    A = g.adjacency().astype(float) + np.eye(g.n)
    assert adjacency_correlation(A, A, g) > 0.3
    rng = np.random.default_rng(0)
    assert abs(adjacency_correlation(rng.standard_normal((g.n, 500)), rng.standard_normal((g.n, 500)), g)) < 0.3


def test_untying_hides_the_geometry_on_the_cycle():
    """C18's measured form on one graph (the chapter's checked cell covers all): tied Node2Vec puts its
    energy on the Fiedler pair; the untied input side is at chance while U·V still sees the edges."""
    r = tying_report(cycle(15), Node2VecAnalysis(steps=3000))
    assert r["tied"]["U_concentration"] > 0.9 and r["untied"]["U_concentration"] < 2 * r["baseline"]
    assert r["untied"]["cos_UV"] > 0.5 and abs(r["untied"]["cos_UU"]) < 0.2


def test_stopping_step_rule():
    curve = dict(steps=[0, 10, 100, 1000, 10000], loss=[10.0, 5.0, 4.0, 4.0, 4.0], drift=[np.nan, 30, 5, 0.5, 0.1])
    assert stopping_step(curve) == 1000
    assert stopping_step(dict(curve, drift=[np.nan, 30, 5, 5, 5])) == 10000


def test_trajectory_bad_input():
    with pytest.raises(ValueError, match="dense"):
        node2vec_trajectory(path_star(1000, 4), steps=1)
    with pytest.raises(ValueError, match="dim"):
        node2vec_trajectory(cycle(5), dim=0)
    with pytest.raises(ValueError, match="graph"):
        node2vec_trajectory("cycle", steps=1)


# ---------------------------------------------------------------- section 4 (C21) and the neural net's tying
def test_energy_directions_known_answers():
    from geomem_utils.readouts import laplacian_reference
    from geomem_utils.spectral import energy_directions, fiedler_vectors
    g = cycle(15)
    s = spectrum(g)
    # all of E on the 2-dimensional Fiedler eigenspace: one space, two directions
    r = energy_directions(fiedler_vectors(g, s) @ np.random.default_rng(0).normal(size=(2, 5)), g, spectrum_=s)
    assert (r["spaces"], r["directions"], r["top_space"]) == (1, 2, pytest.approx(1.0))
    # an isotropic embedding (every eigenvector once) needs exactly the chance count
    iso = energy_directions(np.eye(g.n), g, spectrum_=s)
    assert iso["directions"] == iso["chance"] == 14          # 7 two-dimensional spaces: 12 directions hold 86%
    # the trivial eigenspace never counts: adding a constant changes nothing
    E = laplacian_reference(g)[0]
    shifted, plain = energy_directions(E + 5.0, g, spectrum_=s), energy_directions(E, g, spectrum_=s)
    assert shifted["directions"] == plain["directions"] and shifted["top_space"] == pytest.approx(plain["top_space"])
    with pytest.raises(ValueError, match="share"):
        energy_directions(E, g, share=0.0)


def test_untied_neural_net_reads_out_through_its_own_matrix():
    from geomem_utils.models import ModelConfig, NeuralNet, UntiedNeuralNet
    torch.manual_seed(0)
    m = UntiedNeuralNet(ModelConfig(vocab_size=12, width=8, arch="neural_net"))
    h = torch.randn(3, 8)
    assert torch.allclose(m.readout(h), h @ m.unembedding.weight.T)
    assert not torch.allclose(m.readout(h), NeuralNet.readout(m, h))          # not Eᵀ
    assert m.output_embeddings().shape == (12, 8)


def test_variant_sets_and_freezes_the_middle_matrix():
    from geomem_utils.experiments.analyses import variant
    g = cycle(6)
    run = variant(g, "identity", 0.5, w_trainable=False, steps=20, width=8).run()
    W = run.model.W
    assert torch.equal(W.weight, 0.5 * torch.eye(8)) and torch.equal(W.bias, torch.zeros(8))   # frozen: untouched
    assert not W.weight.requires_grad
    moved = variant(g, "identity", 0.5, steps=20, width=8).run().model.W.weight
    assert not torch.allclose(moved, 0.5 * torch.eye(8))                                       # trainable: learns
    # untied: the output matrix is a separate, trained table
    u = variant(g, tied=False, steps=20, width=8).run().model
    assert not torch.allclose(u.output_embeddings(), u.embeddings())
    with pytest.raises(ValueError, match="w_init"):
        variant(g, w_init="orthogonal")
    with pytest.raises(ValueError, match="tiny"):
        from geomem_utils.experiments.analyses import NeuralNetVariant
        from geomem_utils.experiments.tiny import TinyExperiment
        NeuralNetVariant(tiny=TinyExperiment.of(g, "transformer"))


def test_variant_report_tied_vs_untied_keys_and_the_reference():
    from geomem_utils.experiments.analyses import variant, variant_report
    g = cycle(8)
    tied = variant_report(variant(g, steps=50, width=16).run())
    untied = variant_report(variant(g, tied=False, steps=50, width=16).run())
    assert {"verdict", "skewed_margin"} <= set(tied) and "cos_EV" not in tied
    assert {"V_concentration", "cos_EV"} <= set(untied) and "verdict" not in untied
    assert len(tied["proj"]) == g.n and 0 <= tied["concentration"] <= 1


def test_step_counts_read_the_history():
    from types import SimpleNamespace
    from geomem_utils.experiments.analyses import StepCounts
    geo = dict(skewed_margin=1.0, skewed_top1=0.9)
    evals = [dict(step=0, edge_recovery=0.1, skewed_margin=-1.0, skewed_top1=0.0),
             dict(step=2, edge_recovery=0.5, **geo), dict(step=5, edge_recovery=1.0, skewed_margin=-0.5, skewed_top1=0.1),
             dict(step=9, edge_recovery=1.0, **geo)]
    r = StepCounts("x").summarize(SimpleNamespace(history=SimpleNamespace(evals=evals)))
    assert r == dict(full=5, geometric=2, geometric_full=9, final_recovery=1.0)
    never = StepCounts("x").summarize(SimpleNamespace(history=SimpleNamespace(evals=[dict(step=0, edge_recovery=0.3)])))
    assert never["full"] is None and never["geometric"] is None


def test_node2vec_on_the_cycle_is_two_directions_even_at_99_percent():
    """Section 4c's minimal model: the Fiedler pair holds all but ~1e-6 of tied Node2Vec's energy."""
    from geomem_utils.experiments.analyses import Node2VecAnalysis
    from geomem_utils.spectral import energy_directions
    g = cycle(15)
    r = energy_directions(Node2VecAnalysis().trajectory(g).U[-1], g, share=0.99)
    assert r["directions"] == 2 and 1 - r["top_space"] < 1e-5


def test_zigzag_folds_reads_the_pre_registered_criterion():
    """A fold: an untied matrix (E or V) above 2x its zigzag chance on the seed mean while the tied E is not."""
    def cell(tied_e, untied_e, untied_v):
        return dict(tied=[dict(zigzag=tied_e)], untied=[dict(zigzag=untied_e, V_zigzag=untied_v)])
    result = {"folds in V": cell(0.1, 0.1, 0.5), "folds in E": cell(0.1, 0.5, 0.1),
              "tied already": cell(0.5, 0.5, 0.5), "never": cell(0.1, 0.1, 0.1)}
    chance = dict.fromkeys(result, 0.1)
    from geomem_utils.experiments.analyses import zigzag_folds
    assert zigzag_folds(result, chance) == ["folds in E", "folds in V"]
    assert zigzag_folds(result, chance, factor=6.0) == []


def test_claim_verdict_words():
    from geomem_utils.experiments.analyses import claim_verdict
    from geomem_utils.experiments.searches import REGISTRY_WORD
    assert claim_verdict({"a": True, "b": np.True_}) == "reproduces"
    assert claim_verdict({"a": True, "b": False}) == "partly"
    assert claim_verdict({"a": False}) == "does not reproduce in the grid"
    assert {claim_verdict({"a": x}) for x in (True, False)} <= set(REGISTRY_WORD)
    with pytest.raises(ValueError, match="parts"):
        claim_verdict({})
