"""spectral.py: the paper's Laplacian, the spec's sanity eigenvalues, and closed-form path-star oracles."""
import numpy as np
import pytest

from geomem_utils.graphs import cycle, from_networkx, grid, irregular, path_star, tiny_star
from geomem_utils.geometry import spectral_embedding
from geomem_utils.spectral import fiedler_vectors, laplacian, n_components, spectrum

TOL = 1e-3


def paper_L(g):
    """L = (I - D^-1 A) + (I - D^-1 A)^T, built directly with numpy."""
    A = g.adjacency()
    P = A / A.sum(1, keepdims=True)
    M = np.eye(g.n) - P
    return M + M.T


def projector(B):
    Q, _ = np.linalg.qr(B)
    return Q @ Q.T


# ------------------------------------------------------------------ Laplacian
@pytest.mark.parametrize("g", [tiny_star(), grid(4, 4), cycle(15), irregular(), path_star(6, 4, seed=2)])
def test_laplacian_matches_definition(g):
    L = laplacian(g)
    np.testing.assert_allclose(L, paper_L(g), atol=1e-12)
    np.testing.assert_allclose(L, L.T)
    np.testing.assert_allclose(laplacian(g, sparse=True).toarray(), L)


def test_laplacian_isolated_node_gets_zero_row():
    import networkx as nx
    G = nx.Graph()
    G.add_nodes_from(range(3))
    G.add_edge(0, 1)
    L = laplacian(from_networkx(G))
    np.testing.assert_allclose(L[2], [0, 0, 2])  # only the identity part remains
    assert np.isfinite(L).all()


def test_regular_graph_constant_vector_has_eigenvalue_zero():
    # on a regular graph P is symmetric and doubly stochastic, so -L 1 = 0 and -L = 2(P - I) <= 0
    s = spectrum(cycle(15))
    assert s.values[0] == pytest.approx(0, abs=1e-10)
    np.testing.assert_allclose(np.abs(s.vectors[:, 0]), 1 / np.sqrt(15), atol=1e-8)


# ------------------------------------------------------------------ the spec's sanity values
def test_sanity_values_tiny_star():
    w = spectrum(tiny_star()).values
    assert w[0] == pytest.approx(0.062, abs=TOL)
    np.testing.assert_allclose(w[1:4], -0.095, atol=TOL)
    assert w[4] == pytest.approx(-0.5, abs=TOL)
    assert w[3] - w[4] > 0.1  # the triple is complete


def test_sanity_values_cycle():
    w = spectrum(cycle(15)).values
    assert w[0] == pytest.approx(0.0, abs=TOL)
    np.testing.assert_allclose(w[1:3], -0.173, atol=TOL)
    # closed form for a cycle: -L = 2(cos(2 pi k / n) - 1)
    assert w[1] == pytest.approx(2 * (np.cos(2 * np.pi / 15) - 1), abs=1e-10)
    assert w[3] < w[2] - 0.1


def test_sanity_values_grid():
    w = spectrum(grid(4, 4)).values
    assert w[0] == pytest.approx(0.021, abs=TOL)
    np.testing.assert_allclose(w[1:3], -0.414, atol=TOL)
    assert w[3] < w[2] - 0.1


def test_sanity_values_irregular():
    w = spectrum(irregular()).values
    # Two components, each with a near-constant top eigenvector. The 4-clique is regular, so its value is
    # exactly 0; the 12-ring with two chords is not regular, so its top value is slightly positive
    # (0.024: the spec's "approximately 0").
    assert np.sort(w[:2]) == pytest.approx([0.0, 0.024], abs=TOL)
    assert w[2] == pytest.approx(-0.224, abs=TOL)
    assert w[2] < w[1] - 0.1
    assert n_components(irregular()) == 2


def test_top_eigenvalue_of_minus_L_is_nonnegative_with_near_constant_vector():
    for g in (tiny_star(), grid(4, 4), path_star(7, 4, seed=1)):
        s = spectrum(g)
        assert s.values[0] >= -1e-12
        v = s.vectors[:, 0]
        assert np.all(v > 0) or np.all(v < 0)  # Perron-like: one sign


# ------------------------------------------------------------------ spectrum object
def test_spectrum_sorted_grouped_orthonormal():
    s = spectrum(tiny_star())
    assert np.all(np.diff(s.values) <= 1e-12)
    np.testing.assert_allclose(s.vectors.T @ s.vectors, np.eye(17), atol=1e-10)
    np.testing.assert_allclose(-laplacian(tiny_star()) @ s.vectors, s.vectors * s.values, atol=1e-10)
    assert [len(g) for g in s.groups[:3]] == [1, 3, 1]
    assert s.space(1).shape == (17, 3)


def test_spectrum_k_completes_the_last_eigenspace():
    s = spectrum(tiny_star(), k=2)  # a cut through the 3-fold space keeps all of it
    assert len(s.values) == 4 and s.vectors.shape == (17, 4)
    assert len(spectrum(tiny_star(), k=1).values) == 1
    for bad in (0, 18, 2.5, "3", True):
        with pytest.raises(ValueError, match=r"^k \(number of eigenpairs\)"):
            spectrum(tiny_star(), k=bad)
    with pytest.raises(ValueError, match="^n_spaces"):
        fiedler_vectors(tiny_star(), n_spaces=0)


# ------------------------------------------------------------------ Fiedler-like vectors
@pytest.mark.parametrize("g,shape", [(tiny_star(), (17, 3)), (cycle(15), (15, 2)), (grid(4, 4), (16, 2)),
                                     (irregular(), (16, 1))])
def test_fiedler_vector_shapes(g, shape):
    F = fiedler_vectors(g)
    assert F.shape == shape
    np.testing.assert_allclose(F.T @ F, np.eye(shape[1]), atol=1e-10)


def test_fiedler_vectors_of_irregular_skip_both_component_vectors():
    F = fiedler_vectors(irregular())
    w = F[:, 0] @ (-laplacian(irregular())) @ F[:, 0]
    assert w == pytest.approx(-0.224, abs=TOL)


def test_fiedler_vectors_multiple_spaces():
    F = fiedler_vectors(tiny_star(), n_spaces=2)
    assert F.shape == (17, 4)  # the 3-fold space then the -0.5 one


def test_cycle_fiedler_space_is_cos_sin_pair():
    n = 15
    F = fiedler_vectors(cycle(n))
    j = np.arange(n)
    B = np.stack([np.cos(2 * np.pi * j / n), np.sin(2 * np.pi * j / n)], 1)
    np.testing.assert_allclose(projector(F), projector(B), atol=1e-8)


@pytest.mark.parametrize("d", [2, 3, 5, 8, 13])
def test_path_star_fiedler_value_multiplicity_d_minus_1(d):
    g = path_star(d, 5, seed=d)
    s = spectrum(g)
    # the near-constant top value, then -0.0947 repeated d-1 times
    assert s.values[0] > 0
    assert len(s.groups[1]) == d - 1
    np.testing.assert_allclose(s.values[s.groups[1]], -0.0947, atol=1e-4)
    F = fiedler_vectors(g)
    assert F.shape == (g.n, d - 1)
    np.testing.assert_allclose(F[g.root], 0, atol=1e-10)  # vanishes at the root
    along = F[g.paths[:, 1:]]  # (arm, position, vector)
    np.testing.assert_allclose(along.sum(0), 0, atol=1e-10)  # arm weights sum to zero
    for k in range(d - 1):  # each vector is (arm weight) x (one common profile along the arm)
        sv = np.linalg.svd(along[:, :, k], compute_uv=False)
        assert sv[1] < 1e-8 * sv[0]


def test_path_star_fiedler_space_is_the_antisymmetric_arm_space():
    g = path_star(4, 5, seed=7)
    F = fiedler_vectors(g)
    profile = F[g.paths[:, 1:], 0]
    profile = profile[np.argmax(np.abs(profile).sum(1))]  # one arm's (non-zero) profile
    B = np.zeros((g.n, 3))
    for a in range(1, 4):  # arm a minus arm 0, same profile
        B[g.paths[a, 1:], a - 1] = profile
        B[g.paths[0, 1:], a - 1] = -profile
    np.testing.assert_allclose(projector(F), projector(B), atol=1e-8)


# ------------------------------------------------------------------ closed form for L = D - A
@pytest.mark.parametrize("d,l", [(2, 3), (3, 4), (4, 5), (6, 6)])
def test_combinatorial_laplacian_closed_form(d, l):
    g = path_star(d, l, seed=1)
    A = g.adjacency()
    L = np.diag(A.sum(1)) - A
    w, V = np.linalg.eigh(L)
    m = l - 1
    j = np.arange(1, m + 1)
    for k in range(1, m + 1):
        lam = 2 - 2 * np.cos((2 * k - 1) * np.pi / (2 * m + 1))
        close = np.abs(w - lam) < 1e-8
        assert close.sum() == d - 1
        # the oracle eigenvectors: sin profile along arm a minus the same along arm 0, zero at the root
        prof = np.sin((2 * k - 1) * np.pi * j / (2 * m + 1))
        B = np.zeros((g.n, d - 1))
        for a in range(1, d):
            B[g.paths[a, 1:], a - 1] = prof
            B[g.paths[0, 1:], a - 1] = -prof
        np.testing.assert_allclose(L @ B, lam * B, atol=1e-10)
        np.testing.assert_allclose(projector(V[:, close]), projector(B), atol=1e-8)
        np.testing.assert_allclose(V[g.root, close], 0, atol=1e-8)


# ------------------------------------------------------------------ misc
def test_n_components_and_spectral_embedding():
    assert n_components(tiny_star()) == 1 and n_components(irregular()) == 2
    X = spectral_embedding(cycle(15), 2)
    assert X.shape == (15, 2)
    np.testing.assert_allclose(projector(X), projector(fiedler_vectors(cycle(15))), atol=1e-8)


def test_zigzag_chance_is_the_share_of_an_isotropic_embedding():
    from geomem_utils.spectral import zigzag_chance, zigzag_share
    g = cycle(15)
    s = spectrum(g)
    assert zigzag_chance(g, s) == pytest.approx(2 / 14)   # the odd cycle's bottom eigenspace is a pair
    # an orthonormal basis of R^n has equal energy on every eigenvector: its share is exactly the chance
    assert zigzag_share(np.eye(g.n), g, s) == pytest.approx(zigzag_chance(g, s))
    # the bottom pair itself is all zigzag
    assert zigzag_share(s.vectors[:, s.groups[-1]], g, s) == pytest.approx(1.0)
