"""The paper's later analyses (v2/v3; chapter 12 and its record, whose caches keep the names ``10_*``):
weight tying (§4.4, claim C18), the eigenvector-alignment assumption behind the Node2Vec convergence
argument (Appendix F, C19), training past convergence (Remark 5, C20), and what picks the store (v3, C21).

Sections 1–3 run the paper's Node2Vec (m = 100, N(0,1), plain full-batch gradient descent, lr 0.01) on
small graphs through ``node2vec.node2vec_trajectory``, which keeps U (input side) and V (output side)
at chosen steps; tied, U = V. The measures are the chapter 06 ones (``spectral``), applied to each
side and to the readout U Vᵀ. Sections 1b and 4 train chapter 05's neural net with its middle matrix W
and its readout chosen (``NeuralNetVariant``), the associative model's lookup against the clock
(``step_count_study``) and count the eigendirections each memorizer uses (``direction_counts``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import networkx as nx
import numpy as np
import torch

from ..config import check_choice, check_float, check_int, set_seed
from ..evaluation import edge_metrics
from ..graphs import Graph, from_networkx, path_star, tiny_graphs
from ..history import log_spaced_steps
from ..models import UntiedNeuralNet
from ..node2vec import c_matrix, node2vec_trajectory, one_hop_target
from ..readouts import memory_report, memory_verdict, node_logits, report_values
from ..spectral import (eigenspace_angle, energy_directions, fiedler_vectors, n_components, principal_angles,
                        spectral_concentration, spectrum, zigzag_share)
from ..train import Run, train
from .base import Experiment, Study
from .knobs import spectral_report
from .tiny import TinyExperiment


def analysis_graphs() -> dict[str, Graph]:
    """The four tiny graphs, one real networkx graph (Zachary's karate club, 34 nodes) and two graphs
    far from the paper's uniform degrees: a path-star G_{8,3} (root degree 8, leaves 1) and a
    Barabási–Albert power-law tree on 40 nodes (seed 0)."""
    out = dict(tiny_graphs())
    out["karate"] = from_networkx(nx.karate_club_graph(), "karate club(34)")
    out["path-star G(8,3)"] = path_star(8, 3, seed=0)
    out["power law (BA, 40)"] = from_networkx(nx.barabasi_albert_graph(40, 1, seed=0), "barabasi_albert(40, 1)")
    return out


def readout_share(S, graph: Graph, spectrum_, n_spaces: int = 1) -> dict:
    """How a readout matrix S (n × n; the logits U Vᵀ) acts on the eigenvectors of −L: the Rayleigh
    quotients r_i = e_iᵀ S e_i (trivial ones removed), as shares of Σ|r_i| on the Fiedler-like set
    (``fiedler``, positive when the readout rewards the graph's smooth directions) and on the bottom
    eigenspace (``zigzag``, the most negative eigenvalues of −L)."""
    s = spectrum_
    t = n_components(graph)
    F = fiedler_vectors(graph, s, n_spaces).shape[1]
    r = np.einsum("ij,ik,kj->j", s.vectors, np.asarray(S, dtype=np.float64), s.vectors)[t:]
    total = max(float(np.abs(r).sum()), 1e-300)
    bottom = len(s.groups[-1])
    return dict(fiedler=float(r[:F].sum() / total), zigzag=float(r[-bottom:].sum() / total))


def cosines(X, Y) -> np.ndarray:
    """The matrix of cos(X_i, Y_j) between the rows of X and of Y (chapter 12's heatmaps)."""
    def unit(Z):
        Z = np.asarray(Z, dtype=np.float64)
        return Z / np.linalg.norm(Z, axis=1, keepdims=True)
    return unit(X) @ unit(Y).T


def adjacency_correlation(X, Y, graph: Graph) -> float:
    """Pearson correlation, over node pairs i ≠ j, between cos(X_i, Y_j) and the adjacency A_ij: how
    much the cosine matrix looks like the graph (1 = neighbours exactly the most similar)."""
    Cs = cosines(X, Y)
    off = ~np.eye(graph.n, dtype=bool)
    return float(np.corrcoef(Cs[off], graph.adjacency()[off] > 0)[0, 1])


@dataclass(frozen=True)
class Node2VecAnalysis:
    """The paper's Node2Vec settings for every analysis of chapter 12 (the paper's "Models")."""

    dim: int = 100
    lr: float = 0.01
    steps: int = 10_000
    init_std: float = 1.0
    seed: int = 0

    def __post_init__(self):
        check_int("dim (embedding width)", self.dim, minimum=1)
        check_int("steps", self.steps, minimum=1)
        check_float("lr", self.lr, minimum=0.0, strict_min=True)

    def trajectory(self, graph: Graph, tied: bool = True, eval_steps=()):
        return node2vec_trajectory(graph, tied=tied, dim=self.dim, lr=self.lr, steps=self.steps,
                                   init_std=self.init_std, seed=self.seed, eval_steps=eval_steps)


# ---------------------------------------------------------------- 1. weight tying (§4.4, C18)
def tying_report(graph: Graph, analysis: Node2VecAnalysis = Node2VecAnalysis()) -> dict:
    """Tied vs untied Node2Vec on one graph, at the end of training: for each side (``U`` input, ``V``
    output) the Fiedler-like concentration and zigzag share of its energy; for the readout U Vᵀ the
    Fiedler / zigzag shares of its Rayleigh quotients; the cosine-vs-adjacency correlation of U with U
    (what a picture of the input embedding shows) and of U with V (what the readout uses); and the
    largest principal angle between U's top singular space and the trivial + Fiedler-like space.
    Chance levels: an isotropic embedding's shares (``baseline``, ``zigzag_chance``)."""
    s = spectrum(graph)
    t, F = n_components(graph), fiedler_vectors(graph, s).shape[1]
    out = dict(baseline=F / (graph.n - t), zigzag_chance=len(s.groups[-1]) / (graph.n - t))
    for tied in (True, False):
        tr = analysis.trajectory(graph, tied=tied)
        U, V = tr.U[-1], tr.V[-1]
        row = dict(loss=float(tr.loss[-1]))
        for side, E in (("U", U), ("V", V)):
            row[f"{side}_concentration"] = spectral_concentration(E, graph, spectrum_=s)["concentration"]
            row[f"{side}_zigzag"] = zigzag_share(E, graph, s)
        rs = readout_share(U @ V.T, graph, s)
        row.update(readout_fiedler=rs["fiedler"], readout_zigzag=rs["zigzag"],
                   cos_UU=adjacency_correlation(U, U, graph), cos_UV=adjacency_correlation(U, V, graph),
                   angle=float(principal_angles(U, s.vectors[:, :t + F]).max()))
        out["tied" if tied else "untied"] = row
    return out


def tying_study(graphs: dict, analysis: Node2VecAnalysis = Node2VecAnalysis()) -> dict:
    """``{graph name: tying_report}``."""
    return {name: tying_report(g, analysis) for name, g in graphs.items()}


# ---------------------------------------------------------------- 2. Appendix F's alignment (C19)
def alignment_curve(graph: Graph, analysis: Node2VecAnalysis = Node2VecAnalysis(), per_decade: int = 4) -> dict:
    """Over tied training: the largest principal angle between the top-k eigenspaces of P(t) + P(t)ᵀ
    (P = row_softmax(V Vᵀ)) and of V(t) V(t)ᵀ, k = trivial + Fiedler-like dimension of −L (Appendix F
    assumes they stay aligned); also each one's angle to the −L eigenspace itself and, at the end,
    ‖C eᵢ‖ on the Fiedler-like set relative to ‖C‖₂ (the paper's "Fiedler vectors enter C's null space").
    Step 0 is left out: there V Vᵀ ≈ m·I has no top-k space."""
    s = spectrum(graph)
    t, F = n_components(graph), fiedler_vectors(graph, s).shape[1]
    k = t + F
    steps = [x for x in log_spaced_steps(analysis.steps, per_decade) if x > 0]
    tr = analysis.trajectory(graph, eval_steps=steps)
    Lk = s.vectors[:, :k] @ s.vectors[:, :k].T
    rows = []
    for step, V in zip(tr.steps, tr.U):
        if step == 0:
            continue
        G = V @ V.T
        Z = G - G.max(1, keepdims=True)
        P = np.exp(Z) / np.exp(Z).sum(1, keepdims=True)
        rows.append(dict(step=int(step), angle=eigenspace_angle(P + P.T, G, k),
                         angle_P_L=eigenspace_angle(P + P.T, Lk, k), angle_V_L=eigenspace_angle(G, Lk, k)))
    C = c_matrix(tr.U[-1], one_hop_target(graph))
    c_fiedler = float(np.linalg.norm(C @ s.vectors[:, t:k], axis=0).max() / np.linalg.norm(C, 2))
    degrees = graph.degrees()
    return dict(rows=rows, k=k, c_fiedler=c_fiedler, degree_spread=float(degrees.max() / max(degrees.min(), 1)))


# ---------------------------------------------------------------- 3. training past convergence (Remark 5)
@dataclass(frozen=True)
class PastConvergence:
    """Tied Node2Vec on the tiny graphs for ``steps`` (10⁵ by default, 10× the paper's), snapshots at
    log-spaced steps; ``compute()`` records per graph the loss, ‖V‖², the Fiedler-like concentration,
    the angle of V's top singular space to the trivial + Fiedler-like space, and the drift: the largest
    principal angle between V's top-k singular space at a snapshot and at the one before."""

    name: ClassVar[str] = "10_past_convergence"
    steps: int = 100_000
    per_decade: int = 6
    dim: int = 100
    lr: float = 0.01
    seed: int = 0

    def compute(self) -> dict:
        from scipy.linalg import subspace_angles
        a = Node2VecAnalysis(dim=self.dim, lr=self.lr, steps=self.steps, seed=self.seed)
        steps = log_spaced_steps(self.steps, self.per_decade)
        out = {}
        for name, g in tiny_graphs().items():
            s = spectrum(g)
            t, F = n_components(g), fiedler_vectors(g, s).shape[1]
            tr = a.trajectory(g, eval_steps=steps)
            tops = [np.linalg.svd(V, full_matrices=False)[0][:, :t + F] for V in tr.U]
            drift = [np.nan] + [float(np.degrees(subspace_angles(x, y).max())) for x, y in zip(tops[:-1], tops[1:])]
            out[name] = dict(steps=tr.steps.tolist(), loss=tr.loss.tolist(), drift=drift,
                             norm2=[float((V ** 2).sum()) for V in tr.U],
                             concentration=[spectral_concentration(V, g, spectrum_=s)["concentration"] for V in tr.U],
                             angle=[float(principal_angles(V, s.vectors[:, :t + F]).max()) for V in tr.U])
        return out


def stopping_step(curve: dict, tol_degrees: float = 1.0, tol_loss: float = 1e-3) -> int:
    """A stated stopping rule for Remark 5: the first logged step after which V's top singular space
    moved by less than ``tol_degrees`` since the previous snapshot and the loss changed by less than
    ``tol_loss`` (relative). The last step when the rule never fires."""
    steps, loss, drift = curve["steps"], curve["loss"], curve["drift"]
    for i in range(1, len(steps)):
        if drift[i] < tol_degrees and abs(loss[i] - loss[i - 1]) <= tol_loss * abs(loss[i - 1]):
            return int(steps[i])
    return int(steps[-1])


# ---------------------------------------------------------------- 4. what picks the store (C21) and the
# neural net's tying (C18): chapter 05's neural net with its middle matrix W and its readout chosen
W_INITS = ("gaussian", "identity")


@dataclass(frozen=True)
class NeuralNetVariant(Experiment):
    """Chapter 05's neural net (``tiny``: E → W → readout, full batch) with the two choices the paper's
    later analyses vary: the middle matrix W's start — N(0, w_scale²) entries (``gaussian``; the
    package's default is 0.02) or w_scale · I (``identity``), trainable or frozen (its bias with it) —
    and the readout: tied Eᵀ, or a separate output matrix V (``tied=False``, ``models.UntiedNeuralNet``)."""

    name: ClassVar[str] = "nn_variant"
    tiny: TinyExperiment = TinyExperiment()
    w_init: str = "gaussian"
    w_scale: float = 0.02
    w_trainable: bool = True
    tied: bool = True

    def __post_init__(self):
        check_choice("w_init", self.w_init, W_INITS)
        object.__setattr__(self, "w_scale", check_float("w_scale", self.w_scale, minimum=0.0))  # 1 and 1.0: one key
        if self.tiny.model.arch != "neural_net":
            raise ValueError(f"tiny must be a neural-net experiment (arch 'neural_net'), got {self.tiny.model.arch!r}")

    def run(self, progress: bool = False, device=None) -> Run:
        t = self.tiny
        set_seed(t.seed)
        task = t.make_task()
        model = t.model.build(len(task.vocab), 2)
        if not self.tied:
            model = UntiedNeuralNet(model.config)
        with torch.no_grad():
            if self.w_init == "identity":
                model.W.weight.copy_(self.w_scale * torch.eye(model.config.width))
            else:
                model.W.weight.normal_(0.0, self.w_scale)
            model.W.bias.zero_()
        model.W.requires_grad_(self.w_trainable)
        hist = train(model, task, t.train, seed=t.seed, progress=progress, device="cpu")
        return Run(task, model, hist, self.settings())


def variant(graph: Graph, w_init: str = "gaussian", w_scale: float | None = None, w_trainable: bool = True,
            tied: bool = True, **settings) -> NeuralNetVariant:
    """The neural-net recipe of chapter 05 on ``graph`` (``TinyExperiment.of``, ``settings`` on top:
    ``seed``, ``emb_init_std``, ``lr`` …) with W and the readout chosen; ``w_scale`` defaults to the
    package's 0.02 for a Gaussian W and 1 for the identity."""
    scale = (1.0 if w_init == "identity" else 0.02) if w_scale is None else w_scale
    return NeuralNetVariant(tiny=TinyExperiment.of(graph, "neural net", **settings), w_init=w_init,
                            w_scale=scale, w_trainable=w_trainable, tied=tied)


def variant_report(run) -> dict:
    """What a trained variant stores. Always: edge recovery, the spectral bars ‖Eᵀeᵢ‖, E's Fiedler-like
    concentration and zigzag share, the Fiedler / zigzag shares of the node-to-node logits (``readout_share``)
    and the cosine-vs-adjacency correlation of E with E. Tied: plus chapter 05's readouts (skewed margin,
    skewed top-1, geometric level) and the verdict. Untied: plus V's concentration and zigzag share and
    the correlation of cos(E_i, V_j) with the adjacency."""
    graph, model = run.task.graph, run.model
    s = spectrum(graph)
    E = model.embeddings()[:graph.n].double().numpy()
    Z = node_logits(model, run.task)
    rs = readout_share(Z, graph, s)
    out = dict(edge_recovery=edge_metrics(model, run.task)["edge_recovery"], **spectral_report(E, graph, s),
               readout_fiedler=rs["fiedler"], readout_zigzag=rs["zigzag"],
               cos_EE=adjacency_correlation(E, E, graph), directions=energy_directions(E, graph, spectrum_=s))
    if isinstance(model, UntiedNeuralNet):
        V = model.output_embeddings()[:graph.n].double().numpy()
        out.update(V_concentration=spectral_concentration(V, graph, spectrum_=s)["concentration"],
                   V_zigzag=zigzag_share(V, graph, s), cos_EV=adjacency_correlation(E, V, graph))
    else:
        report = memory_report(model, run.task)
        out.update({k: report[k] for k in ("skewed_margin", "skewed_top1", "geometric_level", "margin")},
                   verdict=memory_verdict(report))
    return out


@dataclass(frozen=True)
class VariantReports(Study):
    def summarize(self, run) -> dict:
        return variant_report(run)


def nn_tying_study(seeds=(0, 1, 2)) -> VariantReports:
    """The neural net tied vs untied (C18) on the four tiny graphs and the karate club, W at the package's
    default: ``{graph: {"tied" | "untied": [variant_report per seed]}}``."""
    graphs = {k: g for k, g in analysis_graphs().items() if k in (*tiny_graphs(), "karate")}
    return VariantReports.of("10_nn_tying", {(name, "tied" if tied else "untied"):
                                             [variant(g, tied=tied, seed=s) for s in seeds]
                                             for name, g in graphs.items() for tied in (True, False)})


# W's starts (label → (init, scale as a function of the width D)) and the embedding inits they meet:
# chapter 05's N(0, 0.02²) and C16's associative-prone N(0, 1).
W_STARTS = {"W ~ N(0, 0.02²)": ("gaussian", lambda D: 0.02), "W ~ N(0, 1/D)": ("gaussian", lambda D: D ** -0.5),
            "W = I": ("identity", lambda D: 1.0)}
EMB_STARTS = {"E ~ N(0, 0.02²)": 0.02, "E ~ N(0, 1)": 1.0}


def middle_matrix_study(seeds=(0, 1, 2)) -> VariantReports:
    """What W's initialisation does to the store (C21): every ``W_STARTS`` × ``EMB_STARTS`` × W trainable
    or frozen on the four tiny graphs, tied readout, chapter 05's recipe otherwise:
    ``{graph: {emb label: {W label: {"trainable" | "frozen": [variant_report per seed]}}}}``."""
    return VariantReports.of("10_middle_matrix", {
        (name, e_label, w_start, "trainable" if trainable else "frozen"):
            [started(g, w_start, trainable, seed=s, emb_init_std=e_std) for s in seeds]
        for name, g in tiny_graphs().items() for e_label, e_std in EMB_STARTS.items()
        for w_start in W_STARTS for trainable in (True, False)})


def started(graph: Graph, w_start: str, w_trainable: bool = True, tied: bool = True, **settings) -> NeuralNetVariant:
    """``variant`` with W started as the ``W_STARTS`` entry named ``w_start`` (its scale from the width)."""
    check_choice("w_start", w_start, tuple(W_STARTS))
    init, scale = W_STARTS[w_start]
    v = variant(graph, init, 0.0, w_trainable, tied, **settings)
    return dataclasses.replace(v, w_scale=float(scale(v.tiny.model.width)))


# ---------------------------------------------------------------- the associative solution's step count
@dataclass(frozen=True)
class StepCounts(Study):
    """Per run: the first evaluated step with 100% edge recovery (``full``) and, when the readouts were
    logged (``metrics="memory"``), the first with chapter 05's geometric verdict (``geometric``) and the
    first with both (``geometric_full``); None: never in the run."""

    def summarize(self, run) -> dict:
        evals = run.history.evals
        geo = [e for e in evals if "skewed_margin" in e and memory_verdict(e) == "geometric"]
        return dict(full=next((e["step"] for e in evals if e["edge_recovery"] >= 1.0), None),
                    geometric=geo[0]["step"] if geo else None,
                    geometric_full=next((e["step"] for e in geo if e["edge_recovery"] >= 1.0), None),
                    final_recovery=float(evals[-1]["edge_recovery"]))


ASSOC_WIDTHS = (16, 32, 64, 128, 512)
ASSOC_INITS = (0.02, 0.1, 1.0)
ASSOC_LRS = (0.1, 0.2)


def step_count_study(seeds=(0, 1, 2), steps: int = 300) -> StepCounts:
    """How many steps the associative solution takes on the 15-cycle as a function of the learning rate
    (the paper's 0.1 and chapter 05's 0.2), the (frozen) embedding init scale and the width, evaluated
    every step; against how many the neural net needs for geometry at the same init scales (width 32,
    lr 1e-2, readouts at log-spaced steps to 1000): ``{"associative": {lr: {init std: {width: [counts per
    seed]}}}, "neural net": {init std: [counts per seed]}}``."""
    g = tiny_graphs()["cycle"]
    cells = {("associative", lr, std, w): [TinyExperiment.of(g, "associative", width=w, emb_init_std=std, lr=lr,
                                                             steps=steps, eval_every=1, seed=s) for s in seeds]
             for lr in ASSOC_LRS for std in ASSOC_INITS for w in ASSOC_WIDTHS}
    cells.update({("neural net", std): [TinyExperiment.of(g, "neural net", width=32, emb_init_std=std,
                                                          eval_steps=log_spaced_steps(1000, 8), metrics="memory",
                                                          seed=s) for s in seeds]
                  for std in ASSOC_INITS})
    return StepCounts.of("10_step_counts", cells)


# ---------------------------------------------------------------- "a minimal set of eigendirections" (C21)
def direction_counts(memory: dict, analysis: Node2VecAnalysis = Node2VecAnalysis(), share: float = 0.9) -> dict:
    """How many eigendirections of −L carry 90% of each memorizer's node embeddings on the four tiny
    graphs (``spectral.energy_directions``): chapter 05's memorizers from a ``tiny_memory_study`` result
    (``memory[graph][memorizer] = [E per seed]``), tied Node2Vec at ``analysis``'s settings, and the
    Laplacian reference E = V|Λ|^½ (every eigenvector, weighted by |λ|):
    ``{graph: {model: [energy_directions per seed], ..., "chance": isotropic count}}``."""
    from ..readouts import laplacian_reference
    out = {}
    for name, g in tiny_graphs().items():
        if name not in memory:
            raise ValueError(f"memory has no embeddings for graph {name!r}")
        s = spectrum(g)
        row = {m: [energy_directions(np.asarray(E), g, share, s) for E in Es] for m, Es in memory[name].items()}
        row["Node2Vec (tied)"] = [energy_directions(analysis.trajectory(g).U[-1], g, share, s)]
        row["Laplacian reference"] = [energy_directions(laplacian_reference(g)[0], g, share, s)]
        row["chance"] = row["Laplacian reference"][0]["chance"]
        out[name] = row
    return out


def directions_search_study(seeds=(0, 1, 2), lrs=(1e-3, 1e-2, 1e-1), steps=(1000, 10_000)) -> VariantReports:
    """The search behind C21's "2 eigendirections on the cycle" for the wide neural net (width 512, the
    authors' cycle width; 10,000 steps are the authors' C16 budget): learning rate × steps × seeds on the
    15-cycle, chapter 05's recipe otherwise: ``{lr: {steps: [variant_report per seed]}}``."""
    g = tiny_graphs()["cycle"]
    return VariantReports.of("10_directions_search", {(str(lr), str(n)): [variant(g, seed=s, lr=lr, steps=n) for s in seeds]
                                                      for lr in lrs for n in steps})


# ---------------------------------------------------------------- chapter 12's tables and verdicts
def seed_mean(runs, key: str) -> float:
    """Mean of ``key`` over a cell's runs (one summary per seed)."""
    return float(np.mean(report_values(runs, key)))


def geometric_share(runs) -> float:
    """Share of a cell's tied runs with chapter 05's geometric verdict."""
    return float(np.mean([r["verdict"] == "geometric" for r in runs]))


def middle_matrix_cells(result: dict):
    """``(E start, W start, trainable/frozen, {graph: runs})`` per setting of a ``middle_matrix_study``
    result, in the study's order."""
    graphs = list(result)
    first = result[graphs[0]]
    return [(e, w, t, {g: result[g][e][w][t] for g in graphs})
            for e in first for w in first[e] for t in first[e][w]]


def settings_where(result: dict, verdict: str) -> list[str]:
    """The settings of a ``middle_matrix_study`` result whose every seed on every graph has ``verdict``."""
    return [f"{e}, {w} {t}" for e, w, t, by_graph in middle_matrix_cells(result)
            if all(r["verdict"] == verdict for runs in by_graph.values() for r in runs)]


def zigzag_folds(result: dict, zigzag_chance: dict, factor: float = 2.0) -> list[str]:
    """The graphs of an ``nn_tying_study`` result where untying folds the memory into a zigzag (C18's
    pre-registered criterion): an untied matrix (E or V) above ``factor`` × its zigzag chance level on
    the seed mean, while the tied E is not."""
    def above(name, kind, key):
        return seed_mean(result[name][kind], key) > factor * zigzag_chance[name]
    return sorted(n for n in result if not above(n, "tied", "zigzag")
                  and (above(n, "untied", "zigzag") or above(n, "untied", "V_zigzag")))


def claim_verdict(parts: dict) -> str:
    """The record's verdict on a claim measured in parts (``{part: held?}``): "reproduces" when every
    part held, "partly" when some did, "does not reproduce in the grid" when none did."""
    if not parts:
        raise ValueError("parts: name at least one measured part of the claim")
    held = [bool(v) for v in parts.values()]
    return "reproduces" if all(held) else "partly" if any(held) else "does not reproduce in the grid"
