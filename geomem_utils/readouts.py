"""Which store? Readouts of a trained edge memorizer (paper §3, Figure 1; claims C7, C8).

A memorizer's logits after ``[EDGE] u`` are (for the neural net, exactly) a bilinear readout
E_u W E_vᵀ. The *skewed* readout keeps only the part of W that scales E's own principal directions: it
works only if the geometry of E carries the edges. Its margin and top-1 decide "geometric" vs
"associative" (``memory_verdict``); the Laplacian reference E = V|Λ|^½, W = sign(Λ) is the pure
geometric memory they are compared with.
"""
from __future__ import annotations

import numpy as np

from .config import as_numpy
from .evaluation import edge_metrics, geometric_level, topk_recovery
from .graphs import Graph
from .spectral import spectrum


def node_logits(model, task) -> np.ndarray:
    """The model's n x n node-to-node logits: row u = its scores after ``[EDGE] u`` (node tokens only)."""
    import torch
    n = task.graph.n
    x = torch.tensor([[task.vocab["[EDGE]"], u] for u in range(n)])
    was_training = model.training
    model.eval()
    with torch.no_grad():
        Z = model.readout(model(x.to(next(model.parameters()).device))[:, -1]).cpu().double().numpy()
    model.train(was_training)
    return Z[:, :n]


def bilinear_weight(model, task=None) -> np.ndarray:
    """W with logits(u, v) ≈ E_u W E_vᵀ. The neural net (and associative model) *is* bilinear: W is its
    Linear map (the bias, a per-target offset, is left out as in the spec). For other models (the
    Transformer) W is the least-squares fit to the real logits, pinv(E) Z pinv(E)ᵀ — our choice, stated."""
    if hasattr(model, "W"):
        return model.W.weight.detach().cpu().double().numpy().T
    if task is None:
        raise ValueError("a model without a single linear map needs `task` to fit its bilinear readout")
    E = as_numpy(model.embeddings()[:task.graph.n])
    P = np.linalg.pinv(E)
    return P @ node_logits(model, task) @ P.T


def _neighbour_mask(graph: Graph) -> np.ndarray:
    return graph.adjacency() > 0


def edge_margin(Z, graph: Graph) -> float:
    """Mean over nodes of (largest logit on a true neighbour − largest logit on a non-neighbour), self
    excluded (spec "Edge margin"): > 0 means every node ranks one of its neighbours first."""
    Z, A = np.asarray(Z, dtype=np.float64), _neighbour_mask(graph)
    eye = np.eye(graph.n, dtype=bool)
    rows = A.any(1) & (~A & ~eye).any(1)
    pos = np.where(A, Z, -np.inf).max(1)
    neg = np.where(~A & ~eye, Z, -np.inf).max(1)
    return float(np.mean((pos - neg)[rows]))


def top1_accuracy(Z, graph: Graph) -> float:
    """Fraction of nodes (with a neighbour) whose highest logit, self excluded, is a true neighbour."""
    Z, A = np.array(Z, dtype=np.float64), _neighbour_mask(graph)
    np.fill_diagonal(Z, -np.inf)
    rows = A.any(1)
    return float(np.mean(A[np.arange(graph.n), Z.argmax(1)][rows]))


def skewed_readout(E, W) -> np.ndarray:
    """The geometric part of a bilinear readout (spec "Skewed low-rank readout"): with the SVD
    E = U S Vh, keep only W' = Vhᵀ diag(diag(Vh W Vhᵀ)) Vh — a readout that can only *scale* the
    embeddings' own principal directions, so E W' Eᵀ works only if the geometry of E carries the edges."""
    E, W = as_numpy(E), np.asarray(W, dtype=np.float64)
    _, _, Vh = np.linalg.svd(E, full_matrices=False)
    return Vh.T @ np.diag(np.diag(Vh @ W @ Vh.T)) @ Vh


def readout_scores(E, W, graph: Graph) -> dict:
    """Margin of the full readout E W Eᵀ, and margin and top-1 of the skewed (geometric) one."""
    E = as_numpy(E)[:graph.n]
    Ws = skewed_readout(E, W)
    return dict(margin=edge_margin(E @ W @ E.T, graph), skewed_margin=edge_margin(E @ Ws @ E.T, graph),
                skewed_top1=top1_accuracy(E @ Ws @ E.T, graph))


def laplacian_reference(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """The reference geometric memory: E = V |Λ|^½ (V: eigenvectors of -L, Λ: eigenvalues) and
    W = sign(Λ), so E W Eᵀ = -L — positive exactly on edges, zero elsewhere, -2 on the diagonal. W only
    scales E's own principal directions, so the skewed readout keeps all of it (skewed margin = margin)."""
    s = spectrum(graph, method="dense")
    return s.vectors * np.sqrt(np.abs(s.values)), np.diag(np.sign(s.values))


def reference_edge_recovery(Z, graph: Graph) -> float:
    """Top-k edge recovery of a logit matrix (the models' ``edge_recovery``, for a matrix)."""
    A = _neighbour_mask(graph)
    nodes = np.flatnonzero(A.any(1))
    return topk_recovery(np.asarray(Z)[nodes], [np.flatnonzero(A[u]) for u in nodes])


def memory_report(model, task) -> dict:
    """Everything chapter 05 asks of a trained memorizer, in one dict: top-k edge recovery and geometric
    level (``evaluation.edge_metrics``) plus the margin of the full bilinear readout and the margin and
    top-1 of its skewed (geometric) part (paper §3, Figure 1). Cheap enough to log during training."""
    E = model.embeddings()[:task.graph.n]
    return dict(edge_metrics(model, task), **readout_scores(E, bilinear_weight(model, task), task.graph))


def reference_report(graph: Graph) -> dict:
    """``memory_report`` for the Laplacian reference (no training): E = V|Λ|^½, W = sign(Λ)."""
    E, W = laplacian_reference(graph)
    return dict(edge_recovery=reference_edge_recovery(E @ W @ E.T, graph),
                geometric_level=geometric_level(E, graph.directed_edges("both")), **readout_scores(E, W, graph))


def memory_verdict(report: dict) -> str:
    """"geometric" when the skewed (geometric) readout alone ranks neighbours first for most nodes
    (skewed margin > 0 and skewed top-1 ≥ 0.5), "associative" when its margin is ≤ 0, else "mixed"."""
    if report["skewed_margin"] > 0 and report["skewed_top1"] >= 0.5:
        return "geometric"
    return "associative" if report["skewed_margin"] <= 0 else "mixed"


# ---------------------------------------------------------------- chapter 05's tables
# The authors' readout numbers (paper appendix, spec "Edge margin"): (margin, skewed margin, skewed top-1)
# of their neural net and associative model on the four tiny graphs; none for the transformer.
PAPER_MARGINS = {
    ("neural net", "star"): (9.13, 4.08, 0.82), ("neural net", "grid"): (10.45, 2.51, 0.56),
    ("neural net", "cycle"): (8.82, 7.87, 1.00), ("neural net", "irregular"): (9.33, 8.13, 0.88),
    ("associative", "star"): (1.35, -0.24, 0.12), ("associative", "grid"): (0.96, -0.15, 0.19),
    ("associative", "cycle"): (-0.17, -1.15, 0.13), ("associative", "irregular"): (1.20, -0.10, 0.31),
}
PAPER_KEYS = ("margin", "skewed_margin", "skewed_top1")


def _reports(reports: dict) -> dict:
    if not isinstance(reports, dict) or not reports or not all(isinstance(v, dict) and v for v in reports.values()):
        raise ValueError("reports must be {graph: {memorizer: [memory_report per seed]}} (non-empty)")
    return reports


def report_values(reps, key: str) -> list[float]:
    """The values of one readout ``key`` over a list of reports (one per seed)."""
    if isinstance(reps, dict):
        reps = [reps]
    if not reps:
        raise ValueError("reps must hold at least one report")
    missing = [i for i, r in enumerate(reps) if key not in r]
    if missing:
        raise ValueError(f"key {key!r} is not in report(s) {missing} (they have {sorted(reps[missing[0]])})")
    return [float(r[key]) for r in reps]


def paper_comparison_rows(reports: dict, paper: dict = PAPER_MARGINS) -> list:
    """Chapter 05's table of readouts next to the authors' (paper §3 and appendix): one row per
    memorizer / graph, ``[label, ours margin, paper, ours skewed margin, paper, ours skewed top-1, paper,
    ours geometric level]`` where "ours" is the list of per-seed values (format them with
    ``tables.mean_std``) and "paper" a number or None where the paper gives none."""
    reports = _reports(reports)
    graphs = list(reports)
    rows = []
    for m in reports[graphs[0]]:
        for g in graphs:
            theirs = paper.get((m, g), (None,) * len(PAPER_KEYS))
            row = [f"{m} / {g}"]
            for key, p in zip(PAPER_KEYS, theirs):
                row += [report_values(reports[g][m], key), p]
            rows.append(row + [report_values(reports[g][m], "geometric_level")])
    return rows


def skewed_verdict_rows(reports: dict, memorizers=None, threshold: float = 0.1) -> list:
    """Per memorizer: its mean skewed margin on each graph and a verdict — the graphs where it exceeds
    ``threshold`` hold part of the memory in the geometry (paper §3, C7 vs C8). Rows are
    ``[memorizer, mean skewed margin per graph ..., verdict]``."""
    reports = _reports(reports)
    graphs = list(reports)
    memorizers = list(reports[graphs[0]]) if memorizers is None else list(memorizers)
    rows = []
    for m in memorizers:
        means = [float(np.mean(report_values(reports[g][m], "skewed_margin"))) for g in graphs]
        positive = [g for g, v in zip(graphs, means) if v > threshold]
        verdict = f"geometry on {', '.join(positive)}" if positive else f"no geometry (≤ {threshold} on every graph)"
        rows.append([m, *means, verdict])
    return rows
