"""Geometry metrics of chapter 04 (paper §3, claim C6) and the spectral navigator (spec §4)."""
import numpy as np
import pytest

from geomem_utils.graphs import cycle, grid, path_star, tree_star
from geomem_utils.geometry import (cosine_distances, heatmap_scores, leaf_hop_distances, navigate_first_hop,
                                   navigation_accuracy, path_distance_matrix, pca, project_2d,
                                   spectral_embedding, spectral_navigator)
from geomem_utils.spectral import fiedler_vectors, spectrum


def projector(B):
    Q, _ = np.linalg.qr(B)
    return Q @ Q.T


def arm_embedding(g, noise=0.0, seed=0):
    """A perfectly geometric store: every node sits on its arm's own axis (root at the origin)."""
    rng = np.random.default_rng(seed)
    E = np.zeros((g.n + 3, len(g.paths)))  # 3 extra rows stand for special tokens
    for i, p in enumerate(g.paths):
        E[p[1:], i] = 1.0
    return E + noise * rng.standard_normal(E.shape)


def test_cosine_distances_known_values():
    D = cosine_distances(np.array([[1.0, 0], [0, 2]]), np.array([[3.0, 0], [1, 1], [-1, 0]]))
    np.testing.assert_allclose(D, [[0, 1 - 2 ** -0.5, 2], [1, 1 - 2 ** -0.5, 1]], atol=1e-12)
    with pytest.raises(ValueError, match="equal width"):
        cosine_distances(np.ones((2, 3)), np.ones((2, 4)))


def test_heatmap_scores_on_constructed_matrices():
    D = 1.0 - np.eye(4)
    s = heatmap_scores(D)
    assert s["nearest_own"] == 1.0 and s["diagonal"] == 0.0 and s["off_diagonal"] == 1.0 and s["chance"] == 0.25
    s = heatmap_scores(np.roll(1.0 - np.eye(4), 1, axis=1))  # every row's nearest is someone else's
    assert s["nearest_own"] == 0.0 and s["gap"] < 0
    with pytest.raises(ValueError, match="square"):
        heatmap_scores(np.ones((2, 3)))


def test_geometric_store_gives_a_dark_diagonal_and_exact_navigation():
    g = path_star(12, 5, seed=3)
    E = arm_embedding(g, noise=0.05)
    H = leaf_hop_distances(E, g)
    assert H.shape == (12, 12) and heatmap_scores(H)["nearest_own"] == 1.0
    P = path_distance_matrix(E, g, path_index=[0, 4, 7])
    assert P.shape == (3, 3) and np.all(np.diag(P) < P[~np.eye(3, dtype=bool)].min())
    assert np.array_equal(navigate_first_hop(E, g), g.paths[:, 1])
    assert navigation_accuracy(E, g, path_index=[1, 2]) == 1.0


def test_random_store_navigates_near_chance():
    g = path_star(200, 5)
    E = np.random.default_rng(0).standard_normal((g.n, 64))
    assert navigation_accuracy(E, g) < 0.05  # chance 1/200


def test_star_helpers_refuse_non_stars_and_empty_paths():
    with pytest.raises(ValueError):
        leaf_hop_distances(np.ones((15, 2)), cycle(15))
    with pytest.raises(ValueError, match="path_index"):
        navigation_accuracy(np.ones((21, 2)), path_star(4, 5), path_index=[])


def test_spectral_embedding_spans_the_fiedler_space():
    X = spectral_embedding(cycle(15), 2)
    assert X.shape == (15, 2)
    np.testing.assert_allclose(projector(X), projector(fiedler_vectors(cycle(15))), atol=1e-8)
    g = path_star(8, 4)
    X = spectral_embedding(g, 3, seed=1)  # a cut through the 7-dim space: a random 3-dim subspace of it
    F = projector(fiedler_vectors(g))
    np.testing.assert_allclose(F @ X, X, atol=1e-8)
    np.testing.assert_allclose(X.T @ X, np.eye(3), atol=1e-8)
    assert not np.allclose(X, spectral_embedding(g, 3, seed=2))
    with pytest.raises(ValueError, match="k"):
        spectral_embedding(g, 0)


@pytest.mark.parametrize("d,l", [(6, 4), (20, 5), (50, 5)])
def test_spectral_navigator_exact_once_k_reaches_the_arms(d, l):
    g = path_star(d, l)
    acc = spectral_navigator(g, [d - 1, d])
    assert acc == {d - 1: 1.0, d: 1.0}
    # even two generic directions of the Fiedler space suffice: each arm's profile has one sign
    assert spectral_navigator(g, [2])[2] == 1.0


def test_spectral_navigator_on_a_tree_star():
    g = tree_star(4, 3)
    assert spectral_navigator(g, [len(g.paths)])[len(g.paths)] >= 0.99


def test_sparse_and_dense_spectra_agree():
    for g, k in [(grid(30, 30), 6), (path_star(300, 5), 12)]:
        s = spectrum(g, k=k, method="sparse", seed=0)
        d = spectrum(g, method="dense")
        np.testing.assert_allclose(s.values, d.values[:k], atol=1e-6)
        # compare subspaces of the complete eigenspaces; the partial last one must lie inside its own
        whole = s.groups[:-1] if s.partial else s.groups
        cols = np.concatenate(whole)
        np.testing.assert_allclose(projector(s.vectors[:, cols]), projector(d.vectors[:, cols]), atol=1e-5)
        full = d.vectors[:, np.abs(d.values - s.values[-1]) < 1e-6]
        np.testing.assert_allclose(projector(full) @ s.vectors[:, -1], s.vectors[:, -1], atol=1e-5)
    assert spectrum(path_star(300, 5), k=12, method="sparse").partial


def test_sparse_spectrum_bad_input():
    with pytest.raises(ValueError, match="needs k"):
        spectrum(cycle(30), method="sparse")
    with pytest.raises(ValueError, match="too large"):
        spectrum(cycle(30), k=20, method="sparse")
    with pytest.raises(ValueError, match="method"):
        spectrum(cycle(30), method="fast")


def test_projections_and_umap_fallback(monkeypatch):
    X = np.random.default_rng(0).standard_normal((40, 5)) * np.array([5, 3, 1, 0.1, 0.1])
    Y = pca(X)
    assert Y.shape == (40, 2) and Y[:, 0].var() > Y[:, 1].var() > 0
    monkeypatch.setitem(__import__("sys").modules, "umap", None)  # as if umap-learn were missing
    Y2, name = project_2d(X, "umap")
    assert "PCA" in name and "not installed" in name and np.allclose(Y2, Y)
    with pytest.raises(ValueError, match="method"):
        project_2d(X, "tsne")


def test_spectral_concentration_of_pure_and_random_embeddings():
    from geomem_utils.spectral import spectral_concentration
    g = path_star(10, 4)
    F = fiedler_vectors(g)
    assert spectral_concentration(F @ np.random.default_rng(0).standard_normal((9, 5)), g)["concentration"] > 1 - 1e-9
    E = np.random.default_rng(1).standard_normal((g.n, 4000))
    c = spectral_concentration(E, g)
    assert c["dimension"] == 9 and c["baseline"] == 9 / (g.n - 1)
    assert abs(c["concentration"] - c["baseline"]) < 0.03
    # a top-k spectrum works when it holds the Fiedler-like space completely, and says so when it does not
    assert spectral_concentration(E, g, spectrum_=spectrum(g, k=3))["concentration"] == pytest.approx(c["concentration"])
    with pytest.raises(ValueError, match="Fiedler-like eigenspace"):
        spectral_concentration(E, g, spectrum_=spectrum(g, k=3, method="sparse"))
    with pytest.raises(ValueError, match="one row per node"):
        spectral_concentration(E[:5], g)


def test_spectral_navigator_bad_input_and_reused_spectrum():
    g = path_star(6, 4)
    with pytest.raises(ValueError, match="at least one"):
        spectral_navigator(g, [])
    with pytest.raises(ValueError, match="k"):
        spectral_navigator(g, [0])
    with pytest.raises(ValueError, match="eigenpairs"):
        spectral_embedding(g, 5, spectrum_=spectrum(g, k=1, method="dense"))
    s = spectrum(g)
    np.testing.assert_allclose(spectral_embedding(g, 3, seed=4, spectrum_=s), spectral_embedding(g, 3, seed=4))
