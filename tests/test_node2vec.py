"""Node2Vec and its spectral diagnostics (paper §4, claims C10, C11)."""
import networkx as nx
import numpy as np
import pytest
import torch

from geomem_utils.graphs import cycle, from_networkx, grid, path_star, tiny_star
from geomem_utils.node2vec import (c_matrix, init_c_error, netmf_embedding, netmf_matrix, one_hop_target,
                                   sampled_walk_target, train_negative_sampling, train_node2vec, walk_target)
from geomem_utils.spectral import (eigenspace_energy, effective_rank, fiedler_vectors, laplacian, linear_cka,
                                   principal_angles, spectral_concentration, spectrum)


def autograd_gradient(V, Q):
    V = torch.tensor(V, requires_grad=True)
    Qd = torch.tensor(Q.toarray())
    J = -(Qd * torch.log_softmax(V @ V.T, dim=1)).sum()
    J.backward()
    return float(J.detach()), V.grad.numpy()


@pytest.mark.parametrize("row_batch", [2048, 5])  # one block, and several (both code paths)
def test_closed_form_gradient_and_loss_match_autograd(row_batch):
    from geomem_utils.node2vec import _Objective
    g = grid(3, 4)
    for Q in (one_hop_target(g), walk_target(g, 3)):
        V = np.random.default_rng(0).standard_normal((g.n, 7))
        loss, grad = _Objective(Q, row_batch, torch.float64).apply(torch.tensor(V), torch.tensor(V))
        J, G = autograd_gradient(V, Q)
        assert loss == pytest.approx(J, rel=1e-10)
        np.testing.assert_allclose(grad.numpy(), G, atol=1e-10)
        # and the gradient is -C V (the paper's ΔV = η C V)
        np.testing.assert_allclose(-c_matrix(V, Q) @ V, G, atol=1e-10)


def test_training_is_independent_of_the_row_blocks():
    g = tiny_star()
    a = train_node2vec(g, steps=50, row_batch=4, dtype=torch.float64).V
    b = train_node2vec(g, steps=50, dtype=torch.float64).V
    np.testing.assert_allclose(a, b, atol=1e-9)


@pytest.mark.parametrize("g", [tiny_star(), grid(4, 4), cycle(15)])
def test_C0_is_minus_L_at_a_wide_near_orthogonal_init(g):
    assert init_c_error(g, dim=100) < 1e-6        # P(0) ≈ I: self logit ~100, others ~±10
    assert init_c_error(g, dim=4, init_std=0.3) > 0.1  # a narrow, small init is not near-orthogonal
    np.testing.assert_allclose(c_matrix(np.zeros((g.n, 3)), one_hop_target(g)).sum(), 0.0, atol=1e-9)


def test_on_the_cycle_exactly_the_top_pair_survives():
    g = cycle(15)
    s = spectrum(g)
    r = train_node2vec(g, track=s.vectors, eval_steps=[10_000])
    proj, c_proj = r.log[-1]["proj"], r.log[-1]["c_proj"]
    survivors = np.flatnonzero(proj[1:] / proj[1:].max() > 0.05) + 1  # trivial vector dropped
    assert survivors.tolist() == [1, 2]                               # the cos/sin pair, eigenvalue -0.173
    assert c_proj[1:3].max() < 1e-2 < c_proj[3:].min()                # C(t) e_i -> 0 exactly there
    assert r.log[0]["c_proj"][1:3].min() > 0.17                       # ... which at init was ‖L e_i‖
    assert spectral_concentration(r.V, g, spectrum_=s)["concentration"] > 0.999


def test_walk_targets():
    g = grid(3, 3)
    np.testing.assert_allclose(walk_target(g, 1).toarray(), one_hop_target(g).toarray())
    Q = walk_target(g, 4).toarray()
    np.testing.assert_allclose(Q.sum(1), 1.0)
    S = sampled_walk_target(g, 4, walks_per_node=400, walk_length=60, seed=0).toarray()
    np.testing.assert_allclose(S.sum(1), 1.0)
    assert np.abs(S - Q).max() < 0.05  # sampled walks estimate the expected-walk target


def test_netmf_matrix_closed_form_on_a_cycle():
    n = 10
    M = netmf_matrix(cycle(n), T=1, b=1.0)
    A = nx.to_numpy_array(nx.cycle_graph(n)) > 0
    np.testing.assert_allclose(M[A], np.log(2 * n / 4))  # log(vol · (1/d) / d) on edges
    assert np.isneginf(M[~A]).all()


def test_negative_sampling_approaches_netmf():
    g = from_networkx(nx.karate_club_graph())
    ref = netmf_embedding(g, 8, T=2)
    r = train_negative_sampling(g, dim=8, T=2, steps=1500, eval_steps=[0, 1500], reference=ref)
    cka0, cka1 = r.log[0]["cka"], r.log[-1]["cka"]
    assert r.log[-1]["loss"] < r.log[0]["loss"] and cka1 > cka0 + 0.2 and cka1 > 0.7


def test_bad_input_names_the_parameter():
    g = cycle(5)
    for kwargs, word in [(dict(dim=0), "dim"), (dict(lr=-1.0), "lr"), (dict(steps=-1), "steps"),
                         (dict(row_batch=0), "row_batch"), (dict(track=np.ones((4, 2))), "track"),
                         (dict(target=np.ones((4, 4))), "target")]:
        with pytest.raises(ValueError, match=word):
            train_node2vec(g, **kwargs)
    with pytest.raises(ValueError, match="no edges"):
        train_node2vec(from_networkx(nx.empty_graph(3)))
    with pytest.raises(ValueError, match="T \\(walk window\\)"):
        walk_target(g, 0)


# ---------------------------------------------------------------- alignment with whole eigenspaces
def test_eigenspace_energy_on_path_star_oracle():
    d, l = 5, 4
    g = path_star(d, l, seed=0)
    s = spectrum(g)
    F = fiedler_vectors(g, s)
    assert F.shape[1] == d - 1                         # multiplicity d-1 (spec "Spectral facts")
    rows = eigenspace_energy(F, g, s)
    assert [r["dim"] for r in rows][:2] == [1, d - 1]
    assert rows[1]["fraction"] == pytest.approx(1.0) and rows[1]["chance"] == pytest.approx((d - 1) / g.n)
    assert sum(r["fraction"] for r in rows) == pytest.approx(1.0)
    R = np.random.default_rng(0).standard_normal((g.n, 500))
    assert eigenspace_energy(R, g, s)[1]["fraction"] == pytest.approx((d - 1) / g.n, abs=0.05)


def test_principal_angles_rank_and_cka():
    g = grid(4, 4)
    F = fiedler_vectors(g)
    np.testing.assert_allclose(principal_angles(F @ np.diag([3.0, 1.0]), F), 0, atol=1e-6)
    R = np.random.default_rng(0).standard_normal((g.n, 40))
    assert principal_angles(R, F).max() > 30
    assert effective_rank(np.eye(6)) == pytest.approx(6.0) and effective_rank(np.ones((6, 3))) == pytest.approx(1.0)
    Q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((40, 40)))
    assert linear_cka(R, 2.5 * R @ Q) == pytest.approx(1.0)     # rotation and scale invariant
    assert linear_cka(R, np.random.default_rng(2).standard_normal((g.n, 40))) < 0.9
    with pytest.raises(ValueError, match="same nodes"):
        linear_cka(R, R[:5])
    assert np.allclose(laplacian(g), laplacian(g).T)
