"""The path-star ablations of chapter 08 (paper §2 and appendix; claims C12–C15, Mamba).

Each ablation is a ``Study`` of ``PathStarExperiment``s that differ from chapter 02's model on G_(100,5)
in one setting (edge directions × path direction, pauses, staged vs mixed, tree-star splits, the
architecture); what is cached is each run's learning curves (``Curves``) or, for the architecture
comparison, its accuracies and leaf ↔ first-hop heatmap (``ArchReports``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..evaluation import path_accuracy
from ..geometry import heatmap_scores, leaf_hop_distances
from ..history import first_passage
from .base import Study
from .path_star import path_star_experiment

BASE = dict(d=100, l=5, width=128, depth=2, heads=4, batch_size=256, lr=2e-3)  # chapter 02's model on G_(100,5)
STEPS, EVAL = 600, 30


@dataclass(frozen=True)
class Curves(Study):
    """Keeps each run's learning curves and its training time."""

    def summarize(self, run) -> dict:
        return dict(run.history.curves(), seconds=run.history.wall_time)


def steps_to(curve: dict, threshold: float, metric: str = "test_exact"):
    """First evaluated step of a stored curve at which ``metric`` ≥ ``threshold`` (None: never); chapter
    08's "steps to 50%" (paper §2: reverse paths and pauses are claimed to learn faster)."""
    if metric not in curve or "steps" not in curve:
        raise ValueError(f"curve has no {metric!r} (or no 'steps'); it has {sorted(curve)}")
    return first_passage(curve["steps"], curve[metric], threshold)


def ablation(**settings):
    """Chapter 08's base experiment with ``settings`` changed."""
    return path_star_experiment(**{**BASE, "steps": STEPS, "eval_every": EVAL, **settings})


DIRECTIONS = [(e, p) for e in ("both", "forward", "backward") for p in ("forward", "reverse")]
PAUSES = (0, 2, 4, 6)
STAGED = dict(recipe="staged", stage_steps=STEPS // 3, stage_two="paths", stage_lr_frac=0.3)
TREE = dict(family="tree_star", d=16, l=4, steps=800)
MAMBA = dict(d=100, l=5, width=128, depth=2, heads=4, batch_size=256, lr=5e-3, steps=1200, eval_every=0)


def directions_study() -> Curves:
    """C12 (paper §2 ablations): edge directions (both / forward / backward) × path direction (forward /
    reverse), six runs."""
    return Curves.of("08_directions", {f"{e} edges / {p} path": ablation(edge_direction=e, path_mode=p)
                                       for e, p in DIRECTIONS})


def pauses_study() -> Curves:
    """C13 (paper §2 ablations): 0, 2, 4 and 6 pause tokens after the leaf."""
    return Curves.of("08_pauses", {f"{k} pauses": ablation(n_pause=k) for k in PAUSES})


def staged_study() -> Curves:
    """C14 (paper §2 ablations): the mixed recipe vs staged (edges first, then paths at 0.3× the lr)."""
    return Curves.of("08_staged", {"mixed": ablation(), "staged": ablation(**STAGED)})


def tree_study() -> Curves:
    """C15 (paper appendix): the tree-star T_(16,4), held-out leaves split at the leaf vs at the first hop."""
    return Curves.of("08_tree_star", {f"split at {s}": ablation(**TREE, split_by=s) for s in ("leaf", "first_hop")})


def arch_report(run) -> dict:
    """Held-out and training accuracies (when there are paths), the leaf ↔ first-hop heatmap and its
    scores, parameters and training time."""
    E, g = run.model.embeddings(), run.task.graph
    D = leaf_hop_distances(E, g, run.task.test_paths)
    out = dict(heatmap=D, seconds=run.history.wall_time, params=run.model.num_params(), **heatmap_scores(D))
    if run.task.path_mode != "none":
        train_acc, test_acc = path_accuracy(run.model, run.task, "train"), path_accuracy(run.model, run.task, "test")
        out.update(train_exact=train_acc["exact_match"], test_exact=test_acc["exact_match"],
                   test_first_hop=test_acc["first_hop"])
    return out


@dataclass(frozen=True)
class ArchReports(Study):
    def summarize(self, run) -> dict:
        return arch_report(run)


def mamba_study(**overrides) -> ArchReports:
    """GPT and Mamba on G_(100,5), full objective and edges only (about 5 minutes on 2 cores); the paper's
    Mamba runs (appendix). ``overrides`` change ``MAMBA`` settings (e.g. ``steps=3000``: another cache file)."""
    fixed = sorted(set(overrides) & {"arch", "path_mode"})
    if fixed:
        raise ValueError(f"overrides {fixed} are what the study varies; change MAMBA settings only")
    setting = {**MAMBA, **overrides}
    return ArchReports.of("08_mamba", {f"{arch} / {mode}": path_star_experiment(**setting, arch=arch, path_mode=mode)
                                       for arch in ("gpt", "mamba") for mode in ("forward", "none")})
