"""Node2Vec's spectral bias on a path-star (paper §4, claims C10, C11; chapter 06).

How much of a 1-hop Node2Vec's energy lands in the Fiedler-like eigenspace of −L (dimension d − 1 on
G_{d,ℓ}) over training, on a path-star too big for a dense eigensolver.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..config import check_int
from ..graphs import path_star
from ..history import log_spaced_steps
from ..node2vec import train_node2vec
from ..spectral import effective_rank, spectral_concentration, spectrum


@dataclass(frozen=True)
class StarSpectralBias:
    """Node2Vec (width ``dim``, ``steps`` full-batch steps at ``lr``) on G_{d,l}; ``compute()`` returns the
    Fiedler-like share of ‖V‖² (trivial direction removed) at log-spaced steps and the final
    concentration, with the eigensolver's and the trainer's times."""

    name: ClassVar[str] = "06_node2vec_path_star"
    d: int = 500
    l: int = 5
    steps: int = 10_000
    dim: int = 100
    lr: float = 0.01
    seed: int = 0

    def __post_init__(self):
        check_int("d", self.d, minimum=2)

    def compute(self) -> dict:
        d, g = self.d, path_star(self.d, self.l, seed=self.seed)
        t0 = time.time()
        s = spectrum(g, k=d + 6, method="sparse")
        t_eig = time.time() - t0
        run = train_node2vec(g, dim=self.dim, lr=self.lr, steps=self.steps, seed=self.seed, track=s.vectors,
                             eval_steps=log_spaced_steps(self.steps, 4))
        steps, norm2 = run.series("norm2")
        proj = run.series("proj")[1]
        share = proj[:, 1:d] ** 2 / (norm2 - proj[:, 0] ** 2)[:, None]   # Fiedler-like share at each logged step
        return dict(nodes=g.n, eig_seconds=t_eig, train_seconds=run.wall_time, steps=steps,
                    fiedler_share=share.sum(1), baseline=(d - 1) / (g.n - 1),
                    concentration=spectral_concentration(run.V, g, spectrum_=s)["concentration"])


# ---------------------------------------------------------------- chapter 06's tables
HEADROOM_ORDER = ("Node2Vec", "neural net", "transformer", "associative")


def headroom(memory: dict, node2vec: dict, graphs: dict, spectra: dict) -> tuple[dict, dict]:
    """Claim C11 (paper §4): the spectral concentration of Node2Vec's embedding and of each of chapter
    05's memorizers on each tiny graph. ``memory`` is a ``tiny_memory_study`` result (``{graph:
    {memorizer: [E per seed]}}``), ``node2vec`` ``{graph: V}``, ``spectra`` ``{graph: spectrum}``.
    Returns ``({graph: {"Node2Vec": [c], memorizer: [c per seed]}}, {graph: random baseline})``."""
    missing = sorted(set(graphs) - set(memory) | set(graphs) - set(node2vec) | set(graphs) - set(spectra))
    if missing:
        raise ValueError(f"memory, node2vec and spectra need every graph; missing for {missing}")
    conc, baseline = {}, {}
    for name, g in graphs.items():
        n2v = spectral_concentration(node2vec[name], g, spectrum_=spectra[name])
        conc[name] = {"Node2Vec": [n2v["concentration"]]}
        baseline[name] = n2v["baseline"]
        for m, Es in memory[name].items():
            conc[name][m] = [spectral_concentration(E, g, spectrum_=spectra[name])["concentration"] for E in Es]
    return conc, baseline


def headroom_order(conc: dict) -> dict:
    """``{graph: memorizers from most to least spectral}`` (mean over seeds) from ``headroom``'s result."""
    return {name: sorted(cells, key=lambda m: -float(np.mean(cells[m]))) for name, cells in conc.items()}


def graph_bias(graph, steps: int = 10_000, seed: int = 0) -> dict:
    """Node2Vec's spectral bias on any graph (paper §4, beyond its tiny graphs; chapter 06 §5a): train the
    paper's Node2Vec (m = 100, lr 0.01, ``steps`` full-batch steps), then the concentration on the first
    and on the first three non-trivial eigenspaces of −L, each with its random baseline, the Fiedler-like
    dimension, the effective rank of V and the training seconds."""
    check_int("steps", steps, minimum=1)
    s = spectrum(graph)
    t0 = time.perf_counter()
    V = train_node2vec(graph, steps=steps, seed=seed).V
    seconds = time.perf_counter() - t0
    c1, c3 = spectral_concentration(V, graph, 1, s), spectral_concentration(V, graph, 3, s)
    return dict(nodes=graph.n, edges=graph.num_edges, fiedler_dim=c1["dimension"], one_space=c1["concentration"],
                one_space_random=c1["baseline"], three_spaces=c3["concentration"], three_spaces_random=c3["baseline"],
                effective_rank=effective_rank(V), seconds=seconds)


def star_bias_row(bias: StarSpectralBias, result: dict) -> list:
    """One table row of ``bias.compute()``'s ``result`` (computed or loaded): graph, nodes, eigenpairs
    asked of the sparse solver, its seconds, training steps and seconds, the final Fiedler-like share and
    its random level."""
    if not isinstance(bias, StarSpectralBias):
        raise ValueError(f"bias must be a StarSpectralBias, got {type(bias).__name__}")
    return [f"G_({bias.d},{bias.l})", int(result["nodes"]), bias.d + 6, float(result["eig_seconds"]), bias.steps,
            float(result["train_seconds"]), float(result["concentration"]), float(result["baseline"])]


# ---------------------------------------------------------------- chapter 06's verdicts, from the measurements
def c10_holds(summary: dict, c0_tol: float = 1e-3, null_tol: float = 1e-3, rest_tol: float = 1e-2) -> dict:
    """Claim C10 per graph from ``node2vec.dynamics_summary`` rows (``{graph: summary}``): ``c0``, C(0) ≈ −L
    (relative error below ``c0_tol``); ``null``, C(t) ends with the Fiedler-like eigenvectors in its null
    space and no other (‖C e‖ below ``null_tol`` on them, above ``rest_tol`` on every other)."""
    return {name: dict(c0=bool(s["c0_error"] < c0_tol),
                       null=bool(s["fiedler_c"] < null_tol and s["rest_c"] > rest_tol)) for name, s in summary.items()}


def c10_verdict(summary: dict, **tolerances) -> str:
    """"reproduces" when ``c10_holds`` holds on every graph, "partly" when C(0) ≈ −L everywhere and the
    null space forms on some graphs, else "does not reproduce in the grid" (the searches' words)."""
    holds = c10_holds(summary, **tolerances)
    if all(h["c0"] and h["null"] for h in holds.values()):
        return "reproduces"
    if all(h["c0"] for h in holds.values()) and any(h["null"] for h in holds.values()):
        return "partly"
    return "does not reproduce in the grid"


def c11_verdict(conc: dict, equal_tol: float = 0.05) -> str:
    """Claim C11 from ``headroom``'s concentrations: the paper's order Node2Vec > neural net ≈ transformer >
    associative. "reproduces" when on every graph Node2Vec is the most spectral, the associative model
    the least, and the two sequence models' means lie within ``equal_tol`` of each other; "partly" when
    only the two ends hold; else "does not reproduce in the grid"."""
    order = headroom_order(conc)
    ends = all(o[0] == "Node2Vec" and o[-1] == "associative" for o in order.values())
    equal = all(abs(np.mean(c["transformer"]) - np.mean(c["neural net"])) <= equal_tol for c in conc.values())
    return "reproduces" if ends and equal else "partly" if ends else "does not reproduce in the grid"
