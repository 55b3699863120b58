"""The succinctness calculator of chapter 05 (paper §3, claim C9)."""
import math

import pytest
from hypothesis import given, strategies as st

from geomem_utils.succinctness import cycle_costs, path_star_costs, storage_costs


def test_known_values():
    c = path_star_costs(4, 5)  # the tiny star: 17 nodes, 16 edges
    assert (c["nodes"], c["edges"]) == (17, 16)
    assert c["bits_associative"] == pytest.approx(16 * math.log2(17))
    assert c["bits_geometric"] == pytest.approx(17 * (2 + math.log2(5)))
    assert c["l2_ratio"] == pytest.approx(math.sqrt(17 / 16))
    c = cycle_costs(15)
    assert c["bits_ratio"] == pytest.approx(2.0) and c["l2_ratio"] == pytest.approx(1.0)
    assert path_star_costs(1, 2)["bits_ratio"] == pytest.approx(2.0)  # one edge: the worst case


@given(d=st.integers(1, 100_000), l=st.integers(2, 50))
def test_path_star_ratios_stay_in_one_to_two(d, l):
    c = path_star_costs(d, l)
    assert 1.0 <= c["bits_ratio"] <= 2.0 and 1.0 <= c["l2_ratio"] <= 2.0
    assert c["bits_ratio"] >= c["nodes"] / c["edges"] - 1e-12  # the lower bound of the docstring


@given(n=st.integers(3, 10 ** 7))
def test_cycle_ratios_stay_in_one_to_two(n):
    c = cycle_costs(n)
    assert c["bits_ratio"] == pytest.approx(2.0) and c["l2_ratio"] == pytest.approx(1.0)


def test_bad_sizes_name_the_parameter():
    with pytest.raises(ValueError, match="d \\(arms\\)"):
        path_star_costs(0, 5)
    with pytest.raises(ValueError, match="l \\(nodes per arm"):
        path_star_costs(3, 1)
    with pytest.raises(ValueError, match="n \\(cycle length\\)"):
        cycle_costs(2)
    with pytest.raises(ValueError, match="n_edges"):
        storage_costs(5, 0, 1.0)
