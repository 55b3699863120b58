"""Edge memorization on tiny graphs (paper §3, Figure 1; claims C7, C8; chapters 05–07).

The paper's memorizers (the Laplacian reference needs no training: ``readouts.laplacian_reference``)
learn ``[EDGE] u → v`` for every edge of a small graph, full batch. ``TinyExperiment`` is one such run;
its graph is stored by its edge list, so any graph (the four tiny ones, a networkx graph) has a key.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..config import check_choice, check_int, set_seed
from ..evaluation import edge_metrics
from ..geometry import spectral_embedding
from ..graphs import Graph, tiny_graphs
from ..history import History, log_spaced_steps
from ..readouts import memory_report
from ..tasks import EdgeTask
from ..train import Run, TrainConfig, train
from .base import Experiment, Study
from .path_star import Architecture

# The memorizers of Figure 1. Widths and learning rates follow the authors' tiny-graph runs (associative
# D32 lr 0.2 as their star/grid; their cycle rate 10 diverges under our AdamW, so one rate for all graphs,
# and 1000 steps so every seed reaches 100% recovery). Full batch throughout.
MEMORIZERS = {
    "associative": dict(arch="neural_net", freeze_embeddings=True, width=32, lr=0.2, steps=1000),
    "neural net": dict(arch="neural_net", freeze_embeddings=False, width=32, lr=1e-2, steps=1000),
    "transformer": dict(arch="gpt", freeze_embeddings=False, width=32, lr=1e-2, steps=1000),
}
# per-graph widths of the authors' neural net (cycle 512, irregular 16)
MEMORIZER_WIDTHS = {("neural net", "cycle"): 512, ("neural net", "irregular"): 16}
METRICS = {"edge": edge_metrics, "memory": memory_report}


@dataclass(frozen=True)
class EdgeGraph:
    """Any graph, by its edge list (so it can be part of a cache key)."""

    name: str = "cycle(15)"
    family: str = "cycle"
    n: int = 15
    edges: tuple = tuple((i, (i + 1) % 15) for i in range(15))

    @classmethod
    def of(cls, graph: Graph) -> "EdgeGraph":
        if not isinstance(graph, Graph):
            raise ValueError(f"graph must be a geomem Graph (use from_networkx for a networkx graph), "
                             f"got {type(graph).__name__}")
        return cls(graph.name, graph.params.get("family", ""), graph.n, tuple(map(tuple, graph.edges.tolist())))

    def build(self) -> Graph:
        return Graph(self.name, self.n, np.asarray(self.edges, dtype=np.int64).reshape(-1, 2),
                     params=dict(family=self.family))


@dataclass(frozen=True)
class TinyEval:
    """Edge recovery and geometric level (``metrics="memory"``: plus the readout margins of
    ``readouts.memory_report``) at step 0, every ``eval_every`` steps and at each of ``eval_steps``
    (e.g. ``log_spaced_steps``); with neither, only once, at the end."""

    eval_every: int = 0
    eval_steps: tuple = ()
    metrics: str = "edge"

    def __post_init__(self):
        check_int("eval_every", self.eval_every, minimum=0)
        check_choice("metrics", self.metrics, tuple(METRICS))


@dataclass(frozen=True)
class TinyExperiment(Experiment):
    name: ClassVar[str] = "tiny"
    graph: EdgeGraph = EdgeGraph()
    memorizer: str = "neural net"
    model: Architecture = Architecture(arch="neural_net", width=512, depth=1, heads=1)
    train: TrainConfig = TrainConfig(steps=1000, batch_size=0, lr=1e-2, warmup=0)
    self_edges: bool = False
    eval: TinyEval = TinyEval()
    seed: int = 0

    def __post_init__(self):
        super().__post_init__()
        check_choice("memorizer", self.memorizer, tuple(MEMORIZERS))

    @classmethod
    def of(cls, graph: Graph, memorizer: str = "neural net", **settings) -> "TinyExperiment":
        """The memorizer's recipe on ``graph`` (widths per graph as the authors'; a lookup over frozen
        random embeddings needs them near-orthogonal, so the associative width is at least n), then
        ``settings`` on top (``width``, ``lr``, ``steps``, ``emb_init_std``, ``dropout``, ``weight_decay`` …)."""
        check_choice("memorizer", memorizer, tuple(MEMORIZERS))
        spec = dict(MEMORIZERS[memorizer])
        spec["width"] = MEMORIZER_WIDTHS.get((memorizer, graph.params.get("family", "")), spec["width"])
        if spec["freeze_embeddings"]:
            spec["width"] = max(spec["width"], 1 << (graph.n - 1).bit_length())
        if "eval_steps" in settings:
            settings["eval_steps"] = tuple(int(s) for s in settings["eval_steps"])
        return dataclasses.replace(cls.from_settings(**{**spec, **settings}), graph=EdgeGraph.of(graph),
                                   memorizer=memorizer)

    def make_task(self) -> EdgeTask:
        return EdgeTask(self.graph.build(), self_edges=self.self_edges)

    def run(self, progress: bool = False, device=None) -> Run:
        """Train on the CPU (tiny models: a GPU only adds overhead)."""
        set_seed(self.seed)
        task = self.make_task()
        model = self.model.build(len(task.vocab), 2)
        metrics = METRICS[self.eval.metrics]
        evaluate = lambda m: metrics(m, task)  # noqa: E731
        first = [dict(step=0, time=0.0, **evaluate(model))] if self.eval.eval_every or self.eval.eval_steps else []
        hist = train(model, task, self.train, seed=self.seed, eval_every=self.eval.eval_every,
                     eval_steps=self.eval.eval_steps, evaluate=evaluate, progress=progress, device="cpu")
        hist.evals = first + hist.evals
        return Run(task, model, hist, self.settings())


def run_tiny(graph: Graph, memorizer: str = "neural net", **settings) -> Run:
    """Memorize the edges of ``graph`` with one of ``MEMORIZERS`` (``TinyExperiment.of``), full batch."""
    progress = settings.pop("progress", False)
    return TinyExperiment.of(graph, memorizer, **settings).run(progress=progress)


@dataclass(frozen=True)
class NodeEmbeddings(Study):
    """A study that keeps each run's node embeddings (rows = nodes only)."""

    def summarize(self, run) -> np.ndarray:
        return run.model.embeddings()[:run.task.graph.n].numpy()


def _memorizer_cells(seeds, memorizers) -> dict:
    """``{(graph name, memorizer): [TinyExperiment per seed]}`` on the four tiny graphs."""
    seeds = tuple(check_int("seeds (each seed)", s, minimum=0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    for m in memorizers:
        check_choice("memorizers (each memorizer)", m, tuple(MEMORIZERS))
    return {(name, m): [TinyExperiment.of(g, m, seed=s) for s in seeds]
            for name, g in tiny_graphs().items() for m in memorizers}


def tiny_memory_study(seeds=(0,), memorizers=("associative", "neural net", "transformer")) -> NodeEmbeddings:
    """Chapter 05's memorizers on the four tiny graphs, one run per seed: ``{graph: {memorizer: [E per
    seed]}}`` once computed, so later chapters reuse the same models (chapter 06's headroom table)."""
    return NodeEmbeddings.of("tiny_memory_embeddings", _memorizer_cells(seeds, memorizers))


@dataclass(frozen=True)
class MemoryReports(Study):
    """A study that keeps each run's ``readouts.memory_report`` (edge recovery, margins, geometric level)."""

    def summarize(self, run) -> dict:
        return memory_report(run.model, run.task)


def tiny_report_study(seeds=(0,), memorizers=("associative", "neural net", "transformer")) -> MemoryReports:
    """The same runs as ``tiny_memory_study`` (same experiments, same seeds), summarized by their
    which-store readouts (paper §3, Figure 1, claims C7, C8): ``{graph: {memorizer: [report per seed]}}``."""
    return MemoryReports.of("tiny_memory_reports", _memorizer_cells(seeds, memorizers))


def figure1_embeddings(memory: dict, graphs: dict, seed_index: int = 0, k: int = 3) -> dict:
    """The Figure-1 grid's cells (paper §3, Figure 1): ``{graph: {memorizer: E of one seed, ...,
    "Laplacian (top 3 eigenvectors)": the top-k non-trivial eigenvectors of −L}}`` from a
    ``tiny_memory_study`` result ``memory[graph][memorizer] = [E per seed]``."""
    missing = sorted(set(graphs) - set(memory))
    if missing:
        raise ValueError(f"memory has no embeddings for graph(s) {missing}")
    out = {}
    for g, graph in graphs.items():
        cells = {}
        for m, Es in memory[g].items():
            if not -len(Es) <= seed_index < len(Es):
                raise ValueError(f"seed_index {seed_index} is out of range: {m} on {g} has {len(Es)} seed(s)")
            cells[m] = np.asarray(Es[seed_index])
        cells[f"Laplacian (top {k} eigenvectors)"] = spectral_embedding(graph, k)
        out[g] = cells
    return out


# ---------------------------------------------------------------- chapter 05, section 5: two time scales
# The four runs on the 15-cycle whose memorization and geometry are logged at log-spaced steps.
DYNAMICS = {"associative (width 32)": dict(memorizer="associative"),
            "wide associative (width 512, lr 0.1)": dict(memorizer="associative", width=512, lr=0.1),
            "neural net (width 32)": dict(memorizer="neural net", width=32),
            "transformer (width 32)": dict(memorizer="transformer")}


def dynamics_experiments(steps: int = 1000) -> dict:
    """``{label: TinyExperiment}`` of ``DYNAMICS`` on the 15-cycle, ``memory_report`` at
    ``log_spaced_steps(steps)`` (paper §3, C7: one-step lookup vs slow geometry)."""
    steps = check_int("steps", steps, minimum=1)
    g = tiny_graphs()["cycle"]
    return {label: TinyExperiment.of(g, kw["memorizer"], steps=steps, eval_steps=log_spaced_steps(steps),
                                     metrics="memory", **{k: v for k, v in kw.items() if k != "memorizer"})
            for label, kw in DYNAMICS.items()}


@dataclass(frozen=True)
class Histories(Study):
    """A study that keeps each run's evaluations over training (``History.evals``) and its wall time
    (chapter 05's two time scales, paper §3)."""

    def summarize(self, run) -> dict:
        return dict(evals=run.history.evals, wall_time=run.history.wall_time)


def dynamics_study(steps: int = 1000) -> Histories:
    """Chapter 05's dynamics runs (``dynamics_experiments``) as one cached study: ``{label: [{"evals":
    [...], "wall_time": s}]}``; ``dynamics_histories`` turns it back into ``History`` objects."""
    return Histories.of("05_memory_dynamics", dynamics_experiments(steps))


def dynamics_histories(result: dict) -> dict:
    """``{label: History}`` from a computed or loaded ``dynamics_study`` result (one run per label)."""
    out = {}
    for label, runs in result.items():
        if not runs or "evals" not in runs[0]:
            raise ValueError(f"result[{label!r}] is not a dynamics_study entry (a list of {{'evals': ...}})")
        out[label] = History(evals=list(runs[0]["evals"]), wall_time=float(runs[0].get("wall_time", 0.0)))
    return out


def dynamics_rows(histories: dict, metric: str = "skewed_margin", at=(1, 10, 100, 1000)) -> list:
    """One row per run of chapter 05's dynamics (paper §3, C7/C8: memorization fast, geometry slow):
    label, the first step with 100% edge recovery (None if never), ``metric`` at each step of ``at``
    (None where not logged) and the final skewed top-1."""
    rows = []
    for label, h in histories.items():
        logged = dict(zip(*(v.tolist() for v in h.series(metric))))
        if not logged:
            raise ValueError(f"metric {metric!r} was not logged in the run {label!r}")
        rows.append([label, h.first_step("edge_recovery", 1.0), *[logged.get(s) for s in at],
                     float(h.last("skewed_top1"))])
    return rows
