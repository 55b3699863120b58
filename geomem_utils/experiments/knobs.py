"""What picks the store (paper §5, claims C16, C17) and how much headroom the geometry has (chapter 07).

* C16's knobs: one setting changed at a time from an associative base on the 15-cycle neural net,
  each judged by its readouts (``readouts.memory_verdict``) and its spectrum.
* The headroom interventions: five ways of pushing the in-weights path-star's embeddings towards the
  graph's spectral geometry, at a fixed budget, against the plain recipe.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..evaluation import path_accuracy
from ..geometry import heatmap_scores, leaf_hop_distances
from ..graphs import Graph, cycle
from ..readouts import memory_report, memory_verdict
from ..spectral import spectral_concentration, spectrum, zigzag_share
from .base import Study
from .path_star import path_star_experiment
from .tiny import TinyExperiment

# C16's knobs, each changed alone from an associative base (N(0,1) embedding init, lr 1e-4), on the
# 15-cycle neural net at width 512 with 10,000 full-batch AdamW steps; the authors' verdicts alongside.
KNOBS = {
    "base: N(0,1) init, lr 1e-4": (dict(emb_init_std=1.0, lr=1e-4), "associative"),
    "init N(0, 0.02²)": (dict(emb_init_std=0.02, lr=1e-4), "geometric"),
    "lr 0.1": (dict(emb_init_std=1.0, lr=0.1), "geometric"),
    "weight decay 10": (dict(emb_init_std=1.0, lr=1e-4, weight_decay=10.0), "geometric"),
    "dropout 0.4": (dict(emb_init_std=1.0, lr=1e-4, dropout=0.4), "geometric"),
}


def knob_experiment(graph: Graph, memorizer: str = "neural net", width: int = 512, steps: int = 10_000,
                    seed: int = 0, self_edges: bool = False, **knob) -> TinyExperiment:
    """One knob setting as a tiny-graph experiment: weight decay on every parameter, embeddings
    included (as plain AdamW does), ``knob`` on top (``emb_init_std``, ``lr``, ``weight_decay``, ``dropout``)."""
    return TinyExperiment.of(graph, memorizer, width=width, steps=steps, seed=seed, self_edges=self_edges,
                             decay_embeddings=True, **knob)


def spectral_report(E, graph: Graph, spectrum_) -> dict:
    """The spectral projection ‖Eᵀe_i‖ of node embeddings E (the spectral bars), their zigzag share and
    their Fiedler-like concentration (C10, C16, C17)."""
    return dict(proj=np.linalg.norm(spectrum_.vectors.T @ E, axis=1), zigzag=zigzag_share(E, graph, spectrum_),
                concentration=spectral_concentration(E, graph, spectrum_=spectrum_)["concentration"])


def knob_report(run) -> dict:
    """``memory_report`` of a trained memorizer, plus the spectral projection ‖Eᵀe_i‖ of its node
    embeddings, the zigzag share, the spectral concentration and the verdict (paper §5, C16, C17)."""
    graph = run.task.graph
    E = run.model.embeddings()[:graph.n].double().numpy()
    report = memory_report(run.model, run.task)
    return dict(report, **spectral_report(E, graph, spectrum(graph)), verdict=memory_verdict(report),
                seconds=run.history.wall_time)


def knob_run(graph: Graph, memorizer: str = "neural net", **settings) -> dict:
    """Train one knob setting (``knob_experiment``) and return its ``knob_report``."""
    return knob_report(knob_experiment(graph, memorizer, **settings).run())


@dataclass(frozen=True)
class KnobReports(Study):
    def summarize(self, run) -> dict:
        return knob_report(run)


def knob_study(graph: Graph | None = None) -> KnobReports:
    """C16's five knobs on the 15-cycle (about 3 minutes on 2 cores)."""
    graph = graph if graph is not None else cycle(15)
    return KnobReports.of("07_knobs", {k: knob_experiment(graph, **kw) for k, (kw, _) in KNOBS.items()})


# The headroom comparison: chapter 02's model on G_(100,5) at a fixed budget of 120 steps, where the
# plain recipe is still far from done, so a head start in geometry can show.
HEADROOM = dict(d=100, l=5, width=128, depth=2, heads=4, n_pause=1, steps=120, lr=2e-3, batch_size=256, eval_every=0)
INTERVENTIONS = {"baseline": {}, "self-edges": dict(self_edges=True),
                 "weight decay 1": dict(weight_decay=1.0, decay_embeddings=True),
                 "Node2Vec loss": dict(node2vec_weight=1.0),
                 "Laplacian init": dict(init_embeddings="laplacian"),
                 "Node2Vec init": dict(init_embeddings="node2vec"),
                 # the same 16 eigenvectors, undiluted: the rows' whole norm, every other dimension 0
                 "spectral start (undiluted)": dict(init_embeddings="spectral_undiluted")}


def headroom_report(run) -> dict:
    """Spectral concentration, leaf ↔ first-hop gap and nearest-own, held-out exact match and first hop."""
    g, E = run.task.graph, run.model.embeddings()
    acc = path_accuracy(run.model, run.task, "test")
    scores = heatmap_scores(leaf_hop_distances(E, g, run.task.test_paths))
    return dict(concentration=spectral_concentration(E, g)["concentration"], gap=scores["gap"],
                nearest_own=scores["nearest_own"], exact=acc["exact_match"], first_hop=acc["first_hop"],
                seconds=run.history.wall_time)


@dataclass(frozen=True)
class HeadroomReports(Study):
    def summarize(self, run) -> dict:
        return headroom_report(run)


def headroom_study(seeds=(0,), **overrides) -> HeadroomReports:
    """The six interventions of ``INTERVENTIONS`` over ``seeds`` (about 20 s per seed on 2 cores), at the
    ``HEADROOM`` setting with ``overrides`` on top (e.g. ``steps=200``: another budget, another cache
    file). Paper §5-§6 (what shapes the memory; the headroom it leaves)."""
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    unknown = sorted(set(overrides) & {k for kw in INTERVENTIONS.values() for k in kw})
    if unknown:
        raise ValueError(f"overrides {unknown} are what the interventions set; change HEADROOM settings only")
    setting = dict(HEADROOM, **overrides)
    return HeadroomReports.of("07_headroom", {k: [path_star_experiment(**setting, **kw, seed=s) for s in seeds]
                                              for k, kw in INTERVENTIONS.items()})


HEADROOM_COLUMNS = ("concentration", "gap", "nearest_own", "exact", "first_hop")


def headroom_deltas(result: dict, keys=HEADROOM_COLUMNS, baseline: str = "baseline") -> dict:
    """``{intervention: {key: mean over seeds − the baseline's mean}}`` for every row of a
    ``headroom_study`` result but the baseline (chapter 07's "vs baseline" table)."""
    if baseline not in result:
        raise ValueError(f"baseline {baseline!r} is not a row of the result (rows: {list(result)})")
    mean = {k: {c: float(np.mean([float(r[c]) for r in rows])) for c in keys} for k, rows in result.items()}
    return {k: {c: m[c] - mean[baseline][c] for c in keys} for k, m in mean.items() if k != baseline}
