"""The in-weights path-star experiment (paper §2, claims C2–C6, C12–C15; chapters 02–04, 07–09).

``PathStarExperiment`` is the whole recipe as one frozen config: the graph G_{d,ℓ} (or a tree-star),
the task (edge directions, path targets, pauses, leaf split), the model, the optimiser, what to
evaluate, chapter 07's interventions and one seed (graph ids, split, init and batch order).
``run_path_star(**settings)`` is the one-line convenience: flat settings in, a trained ``Run`` out.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from ..authors_data import AuthorsData, from_authors_files, locate
from ..config import check_choice, check_float, check_int, set_seed
from ..evaluation import path_star_metrics
from ..graphs import Graph, path_star, tree_star
from ..models import ARCHS, ModelConfig, build_model, carry_embeddings, set_embeddings
from ..node2vec import node2vec_init, node2vec_loss
from ..geometry import spectral_embedding
from ..tasks import PathStarTask
from ..train import Run, TrainConfig, train
from .base import WarmupExperiment

FAMILIES = {"path_star": path_star, "tree_star": tree_star}


@dataclass(frozen=True)
class StarGraph:
    """G_{d,ℓ}: ``d`` arms of ``l`` nodes counting the root (``family="tree_star"``: T_{d,ℓ}, claim C15)."""

    family: str = "path_star"
    d: int = 200
    l: int = 5

    def __post_init__(self):
        check_choice("family", self.family, tuple(FAMILIES))

    def build(self, seed: int) -> Graph:
        return FAMILIES[self.family](self.d, self.l, seed=seed)


@dataclass(frozen=True)
class AuthorsGraph:
    """A star graph read from the authors' three files (``authors_data``), named in the cache key by the
    files' stem and content hash, never by where they lie: a changed file names another result, a moved
    one the same. ``d`` and ``l`` repeat what the files hold, for the flat settings and the records.
    Build with ``authors_graph(path)``; the seed does not touch it (ids and split come with the files)."""

    family: str = "authors"
    files: str = ""
    sha256: str = ""
    d: int = 0
    l: int = 0

    def build(self, seed: int) -> Graph:
        where = locate(self.files, self.sha256)
        data = from_authors_files(where)
        if data.sha256 != self.sha256:   # changed on disk since they were read in this process
            raise ValueError(f"files: {where} changed since this config was made (sha256 {data.sha256[:12]}…, "
                             f"the config says {self.sha256[:12]}…): rebuild the config to train on them")
        d, l = len(set(data.graph.first_hops.tolist())), data.paths.shape[1]
        if (d, l) != (self.d, self.l):
            raise ValueError(f"d, l: the files {self.files} hold d={d}, l={l}, the config says "
                             f"d={self.d}, l={self.l}")
        return data.graph


def authors_graph(files) -> AuthorsGraph:
    """The graph config of the authors' files at ``files`` (a path, see ``authors_data.authors_files``, or
    an ``AuthorsData`` already read); refuses files that are not a star."""
    data = files if isinstance(files, AuthorsData) else from_authors_files(files)
    if not data.is_star:
        raise ValueError(f"files: {data.name} is not a star graph (the path-star experiment needs one)")
    return AuthorsGraph(files=data.name, sha256=data.sha256, d=len(set(data.graph.first_hops.tolist())),
                        l=data.paths.shape[1])


def on_authors_files(experiment: "PathStarExperiment", files) -> "PathStarExperiment":
    """``experiment`` with its graph swapped for the authors' files (``authors_graph``): their ids, their
    split (``split_by="given"``) and the edge examples their edge file holds (directions, self-edges);
    model, optimiser, pauses and path targets stay the experiment's."""
    data = files if isinstance(files, AuthorsData) else from_authors_files(files)
    task = dataclasses.replace(experiment.task, split_by="given", edge_direction=data.edge_direction,
                               self_edges=data.self_edges)
    return dataclasses.replace(experiment, graph=authors_graph(data), task=task)


@dataclass(frozen=True)
class StarTask:
    """The examples (``tasks.PathStarTask``): edge directions, path targets, pauses, the leaf split."""

    edge_direction: str = "both"
    self_edges: bool = False
    path_mode: str = "forward"       # forward / reverse / first_hop (v1 alone, C4) / none (edges only, C6)
    n_pause: int = 1
    train_fraction: float = 0.75
    split_by: str = "leaf"           # or "first_hop" (tree-stars: whole subtrees held out, C15), "given" (authors' files)

    def build(self, graph: Graph, seed: int) -> PathStarTask:
        return PathStarTask(graph, edge_direction=self.edge_direction, self_edges=self.self_edges,
                            path_mode=self.path_mode, n_pause=self.n_pause, train_fraction=self.train_fraction,
                            split_seed=seed, split_by=self.split_by)


@dataclass(frozen=True)
class Architecture:
    """The model (``models.ModelConfig`` without the sizes a task decides: vocabulary, block size)."""

    arch: str = "gpt"                # gpt / neural_net / mamba
    width: int = 128
    depth: int = 2
    heads: int = 4
    dropout: float = 0.0
    emb_init_std: float = 0.02
    freeze_embeddings: bool = False  # C5 / C7: embeddings (and the tied unembedding) stay at init

    def __post_init__(self):
        check_choice("arch", self.arch, ARCHS)

    def build(self, vocab_size: int, block_size: int):
        return build_model(ModelConfig(vocab_size=vocab_size, block_size=block_size, depth=self.depth,
                                       heads=self.heads, width=self.width, dropout=self.dropout,
                                       emb_init_std=self.emb_init_std, freeze_embeddings=self.freeze_embeddings,
                                       arch=self.arch))


INITS = ("random", "laplacian", "node2vec", "spectral_undiluted")  # the last: models.carry_embeddings (chapter 11)


@dataclass(frozen=True)
class Interventions:
    """Chapter 07's headroom interventions that are not plain optimiser settings: an auxiliary 1-hop
    Node2Vec loss on the node embeddings, and the embeddings' starting point (16 Laplacian eigenvectors
    of −L, or a 16-dim Node2Vec, written into the first 16 dimensions)."""

    node2vec_weight: float = 0.0
    init_embeddings: str = "random"

    def __post_init__(self):
        check_float("node2vec_weight", self.node2vec_weight, minimum=0.0)
        check_choice("init_embeddings", self.init_embeddings, INITS)


@dataclass(frozen=True)
class PathStarEval:
    """What the History records: ``path_star_metrics`` every ``eval_every`` steps (0: at the end only),
    with per-position teacher-forced accuracy on held-out paths if ``track_positions`` (C3)."""

    eval_every: int = 50
    track_positions: bool = False

    def __post_init__(self):
        check_int("eval_every", self.eval_every, minimum=0)


@dataclass(frozen=True)
class PathStarExperiment(WarmupExperiment):
    """One in-weights path-star run. The defaults are chapter 02's recipe on G_{200,5}: found by the sweep
    in ``benchmarks/p1_time_to_threshold.py``, ≥ 90% held-out exact match in a few hundred steps on 2 cores."""

    name: ClassVar[str] = "path_star"
    graph: StarGraph = StarGraph()
    task: StarTask = StarTask()
    model: Architecture = Architecture()
    train: TrainConfig = TrainConfig(steps=400, batch_size=256, lr=2e-3, warmup=40)
    eval: PathStarEval = PathStarEval()
    interventions: Interventions = Interventions()
    seed: int = 0

    def make_task(self) -> PathStarTask:
        return self.task.build(self.graph.build(self.seed), self.seed)

    def make_model(self, task: PathStarTask):
        T = task.training_set().tokens.shape[1]
        return self.model.build(len(task.vocab), T)

    def initial(self):
        """``(task, model)`` exactly as ``run`` builds them from the seed, before any training step: the
        untrained control of chapter 04's heatmaps (the same model at initialisation)."""
        set_seed(self.seed)
        task = self.make_task()
        model = self.make_model(task)
        inits = {"laplacian": lambda g: spectral_embedding(g, 16), "node2vec": node2vec_init}
        if self.interventions.init_embeddings == "spectral_undiluted":
            carry_embeddings(model, spectral_embedding(task.graph, 16))
        elif self.interventions.init_embeddings != "random":
            set_embeddings(model, inits[self.interventions.init_embeddings](task.graph))
        return task, model

    def run(self, progress: bool = True, device=None) -> Run:
        """Build graph, task and model from the seed (``initial``), train, and return the Run."""
        task, model = self.initial()
        aux, w = None, self.interventions.node2vec_weight
        if w:
            loss = node2vec_loss(task.graph)
            aux = lambda m: w * loss(m.token_embedding.weight)  # noqa: E731
        e = self.eval
        evaluate = None
        if task.path_mode != "none":
            evaluate = lambda m: path_star_metrics(m, task, positions=e.track_positions)  # noqa: E731
        hist = train(model, task, self.train, seed=self.seed, eval_every=e.eval_every, evaluate=evaluate,
                     aux_loss=aux, progress=progress, device=device)
        return Run(task, model, hist, self.settings())


# Chapter 02's setting, flat (notebooks print it and override a few entries).
PATH_STAR_DEFAULTS = {k: v for k, v in PathStarExperiment().settings().items()
                      if k in ("d", "l", "width", "depth", "heads", "n_pause", "steps", "lr", "batch_size")}


def path_star_experiment(**settings) -> PathStarExperiment:
    """``PathStarExperiment.from_settings``: flat settings (``d``, ``l``, ``width``, ``steps``, ``n_pause``,
    ``path_mode`` …), warm-up ``min(100, steps // 10)`` unless given."""
    return PathStarExperiment.from_settings(**settings)


def run_path_star(progress: bool = True, device=None, **settings) -> Run:
    """Train one in-weights path-star experiment (paper §2, claim C2) from flat settings — see
    ``PathStarExperiment.setting_names()``; ``device`` defaults to CUDA when present, else the CPU."""
    return path_star_experiment(**settings).run(progress=progress, device=device)


# ---------------------------------------------------------------- chapter 03b: learning order and contrasts
def position_labels(l: int) -> list[str]:
    """Names of the ℓ target positions of a forward path on G_{d,ℓ} (paper §2): ``root``, ``v1 (first
    hop)``, ``v2`` …, ``leaf``; on ℓ = 2 the leaf is itself the first hop."""
    l = check_int("l (nodes per arm, root included)", l, minimum=2)
    if l == 2:
        return ["root", "leaf (= v1, first hop)"]
    return ["root", "v1 (first hop)", *[f"v{i}" for i in range(2, l - 1)], "leaf"]


def final_metrics(run: Run, names=("edge_recovery", "train_exact", "test_exact", "test_first_hop")) -> dict:
    """The last evaluated value of each metric in ``names`` of a path-star run, as floats (the
    contrasts of chapter 03b, claims C4–C5)."""
    evaluated = {k for e in run.history.evals for k in e}
    missing = [n for n in names if n not in evaluated]
    if missing:
        raise ValueError(f"names: {missing} were never evaluated in this run (it has {sorted(evaluated - {'step', 'time'})})")
    return {n: float(run.history.last(n)) for n in names}


def learning_order(run: Run, threshold: float = 0.9) -> dict:
    """Claim C3 (paper §2, "no reverse cascade"): when each target position of the held-out paths first
    reaches ``threshold`` teacher-forced accuracy, read off a forward-path run trained with
    ``track_positions=True``.

    Returns ``reach`` ({position label: first evaluated step, or None}), ``all_reached``, ``leaf_first``
    (every position reached and the leaf strictly before v1 … v_{ℓ-2}: what a last-first cascade of
    one-hop lookups needs) and ``v1_with_leaf`` (v1 reached within two evaluations of the leaf).
    """
    check_float("threshold", threshold, minimum=0.0, maximum=1.0)
    s = run.settings
    if not s.get("track_positions") or s.get("path_mode") != "forward":
        raise ValueError("run: learning_order needs a forward-path run made with track_positions=True")
    labels = position_labels(s["l"])
    reach = {lab: run.history.first_step("test_positions", threshold, position=i) for i, lab in enumerate(labels)}
    steps = list(reach.values())
    all_reached = None not in steps
    inner = steps[1:-1]
    leaf_first = all_reached and bool(inner) and steps[-1] < min(inner)
    v1_with_leaf = all_reached and abs(steps[1] - steps[-1]) <= 2 * s["eval_every"]
    return dict(reach=reach, all_reached=all_reached, leaf_first=leaf_first, v1_with_leaf=v1_with_leaf)
