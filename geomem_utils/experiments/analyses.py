"""The paper's later analyses of Node2Vec (v2/v3; chapter 10): weight tying (§4.4, claim C18), the
eigenvector-alignment assumption behind the convergence argument (Appendix F, C19) and training past
convergence (Remark 5, C20).

All three run the paper's Node2Vec (m = 100, N(0,1), plain full-batch gradient descent, lr 0.01) on
small graphs through ``node2vec.node2vec_trajectory``, which keeps U (input side) and V (output side)
at chosen steps; tied, U = V. The measures are the chapter 06 ones (``spectral``), applied to each
side and to the readout U Vᵀ.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import networkx as nx
import numpy as np
import scipy.sparse as sp

from ..config import check_float, check_int
from ..graphs import Graph, from_networkx, path_star, tiny_graphs
from ..history import log_spaced_steps
from ..node2vec import c_matrix, node2vec_trajectory, one_hop_target
from ..spectral import (eigenspace_angle, fiedler_vectors, n_components, principal_angles, spectral_concentration,
                        spectrum, zigzag_share)


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


def adjacency_correlation(X, Y, graph: Graph) -> float:
    """Pearson correlation, over node pairs i ≠ j, between cos(X_i, Y_j) and the adjacency A_ij: how
    much the cosine matrix looks like the graph (1 = neighbours exactly the most similar)."""
    def unit(Z):
        return Z / np.linalg.norm(Z, axis=1, keepdims=True)
    Cs = unit(np.asarray(X)) @ unit(np.asarray(Y)).T
    off = ~np.eye(graph.n, dtype=bool)
    return float(np.corrcoef(Cs[off], graph.adjacency()[off] > 0)[0, 1])


@dataclass(frozen=True)
class Node2VecAnalysis:
    """The paper's Node2Vec settings for every analysis of chapter 10 (spec "Models")."""

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
