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
from ..graphs import Graph, tiny_graphs
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
        check_choice("memorizer", self.memorizer, tuple(MEMORIZERS))
        check_int("seed", self.seed, minimum=0)

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


def tiny_memory_study(seeds=(0,), memorizers=("associative", "neural net", "transformer")) -> NodeEmbeddings:
    """Chapter 05's memorizers on the four tiny graphs, one run per seed: ``{graph: {memorizer: [E per
    seed]}}`` once computed, so later chapters reuse the same models (chapter 06's headroom table)."""
    return NodeEmbeddings.of("tiny_memory_embeddings", {
        (name, m): [TinyExperiment.of(g, m, seed=s) for s in seeds]
        for name, g in tiny_graphs().items() for m in memorizers})
