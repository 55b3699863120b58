"""Coding exercises of chapter 08 (see ``exercises.core``): the path-star ablations.

    08  tree_split   hold out leaves, or whole first-hop subtrees, of a tree-star (paper appendix, C15)
"""
from __future__ import annotations

import numpy as np

from ..graphs import tree_star
from .core import Case, Exercise, checker

__all__: list[str] = []


# ---------------------------------------------------------------- 08: the tree-star's two splits
def tree_split(paths, train_fraction, seed, by):
    """Paper appendix (tree-stars, C15): split the root-to-leaf paths (rows of ``paths``: root, v1, …,
    leaf) into sorted (train, held-out) row indices. ``by="leaf"``: a seeded permutation of the rows, the
    first k = round(train_fraction · rows) train. ``by="first_hop"``: the same over the distinct first
    hops (``np.unique`` of column 1), so every leaf below a first hop lands on that hop's side. k stays
    between 1 and the number of units minus 1."""
    paths = np.asarray(paths)
    units = np.unique(paths[:, 1]) if by == "first_hop" else np.arange(len(paths))
    order = np.random.default_rng(seed).permutation(len(units))
    k = min(max(int(round(train_fraction * len(units))), 1), len(units) - 1)
    if by == "first_hop":
        train = np.isin(paths[:, 1], units[order[:k]])
    else:
        train = np.isin(np.arange(len(paths)), order[:k])
    return np.flatnonzero(train), np.flatnonzero(~train)


def _wrong_always_by_leaf(paths, train_fraction, seed, by):
    return tree_split(paths, train_fraction, seed, "leaf")        # siblings end up on both sides


def _wrong_groups_by_v2(paths, train_fraction, seed, by):
    if by == "leaf":
        return tree_split(paths, train_fraction, seed, by)
    shifted = np.asarray(paths)[:, 1:]                              # column 1 is now v2: smaller subtrees
    return tree_split(shifted, train_fraction, seed, by)


def _wrong_floor(paths, train_fraction, seed, by):
    paths = np.asarray(paths)
    units = np.unique(paths[:, 1]) if by == "first_hop" else np.arange(len(paths))
    order = np.random.default_rng(seed).permutation(len(units))
    k = max(int(train_fraction * len(units)), 1)                   # rounds down
    keys = paths[:, 1] if by == "first_hop" else np.arange(len(paths))
    train = np.isin(keys, units[order[:k]])
    return np.flatnonzero(train), np.flatnonzero(~train)


def _split_cases(rng):
    cases = []
    # (d, ℓ, fraction): 10 leaves and 5 first hops at 0.75 make rounding matter (7.5 → 8, 3.75 → 4)
    for d, l, frac in ((5, 3, 0.75), (16, 4, 0.75), (int(rng.integers(3, 7)), int(rng.integers(3, 6)), 0.5)):
        g, seed = tree_star(d, l, seed=int(rng.integers(100))), int(rng.integers(100))
        for by in ("leaf", "first_hop"):
            cases.append(Case(f"T_({d},{l}), {by}, train_fraction {frac}, seed {seed}", (g.paths, frac, seed, by)))
    return cases


check_tree_split = checker(Exercise(
    "tree_split", "08", 2, "the tree-star's two splits: hold out leaves, or whole first-hop subtrees",
    tree_split, _split_cases,
    hint="permute the units (rows for 'leaf', np.unique(paths[:, 1]) for 'first_hop') with "
         "np.random.default_rng(seed), train the first round(fraction · units), return sorted row indices",
    wrong=(_wrong_always_by_leaf, _wrong_groups_by_v2, _wrong_floor)))
__all__ += ["check_tree_split", "tree_split"]
