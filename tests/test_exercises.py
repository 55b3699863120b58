"""The exercise solutions stated in the chapters, checked (issue 10: solutions tested where possible).

Each test names the chapter and exercise whose <details> solution it checks; if a solution's number
changes, the chapter's text must change with it.
"""
import numpy as np

from geomem_utils import PathStarTask, path_star
from geomem_utils.experiments.path_star import run_path_star


def test_ch00_ex1_the_papers_smallest_graph():
    g = path_star(5000, 5, seed=0)
    assert (g.n, g.num_edges) == (20_001, 20_000)
    leaf, first_hop = g.paths.shape[1] - 1, 1  # positions on an arm v0 (root) … v4 (leaf)
    assert leaf - first_hop == 3  # leaf → v3 → v2 → v1: ℓ-2 = 3 composed lookups


def test_ch00_ex2_at_length_three_the_first_hop_is_the_leafs_predecessor():
    g = path_star(7, 3, seed=1)
    np.testing.assert_array_equal(g.paths[:, -2], g.paths[:, 1])
    assert not np.array_equal(path_star(7, 4, seed=1).paths[:, -2], path_star(7, 4, seed=1).paths[:, 1])


def test_ch01_ex1_sizes_of_g_10_4():
    task = PathStarTask(path_star(10, 4, seed=0))
    assert task.graph.n == 31
    assert len(task.edge_examples()) == 60
    assert (len(task.train_paths), len(task.test_paths)) == (8, 2)


def test_ch01_ex2_lengths_and_targets_with_three_pauses():
    g = path_star(6, 5, seed=0)
    fwd = PathStarTask(g, n_pause=3).path_examples("train")
    hard = PathStarTask(g, n_pause=3, path_mode="first_hop").path_examples("train")
    assert fwd.tokens.shape[1] == 10 and set(fwd.is_target.sum(1)) == {5}
    assert hard.tokens.shape[1] == 6 and set(hard.is_target.sum(1)) == {1}


def test_ch02_ex1_long_arms_fail_at_a_short_budget():
    """ℓ = 8 at chapter 02's budget: training paths start to be memorized, held-out ones are not found."""
    run = run_path_star(d=100, l=8, steps=300, eval_every=300, progress=False)
    assert run.history.last("test_exact") <= 0.05
