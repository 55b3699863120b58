"""Node2Vec (chapter 06) steps per second: the package's vectorised trainer against a straightforward
per-node-loop implementation of the same objective (the shape of the authors' code: one softmax row and
one loss term per node, summed, autograd, then a gradient step). One run, one machine, same threads.

    .venv/bin/python benchmarks/node2vec_speed.py                  # 17, 1k, 5k, 20k nodes, ~4 min on 2 cores
    .venv/bin/python benchmarks/node2vec_speed.py --sizes 17 1001

Both do exactly one full-batch gradient step of J(V) = Σ_i (1/deg i) Σ_{j∈nbr(i)} −log softmax(V_i Vᵀ)_j
per iteration (checked: the same V after the timed steps, to float tolerance). Results with settings,
versions and machine go to benchmarks/results/node2vec.json; a Markdown table is printed.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from geomem_utils.cache import provenance
from geomem_utils.graphs import path_star, tiny_star
from geomem_utils.node2vec import train_node2vec


def per_node_loop(graph, V0: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    """The reference: a python loop over nodes, each with its own softmax row and loss term."""
    V = V0.clone().requires_grad_()
    nbrs = [torch.tensor(a, dtype=torch.long) for a in graph.neighbours("both")]
    for _ in range(steps):
        loss = 0.0
        for i, nb in enumerate(nbrs):
            if len(nb):
                logp = torch.log_softmax(V[i] @ V.T, dim=0)
                loss = loss - logp[nb].sum() / len(nb)
        V.grad = None
        loss.backward()
        with torch.no_grad():
            V -= lr * V.grad
    return V.detach()


def time_it(fn, min_seconds: float, max_steps: int) -> tuple[float, int]:
    """Steps/s of ``fn(steps)``: doubles the step count until a run takes ``min_seconds``."""
    steps = 1
    while True:
        t = time.perf_counter()
        fn(steps)
        dt = time.perf_counter() - t
        if dt >= min_seconds or steps >= max_steps:
            return steps / dt, steps
        steps *= 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[17, 1001, 5001, 20001])
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=3.0, help="minimum timed seconds per measurement")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "node2vec.json"))
    a = ap.parse_args()
    rows = []
    for n in a.sizes:
        g = tiny_star() if n == 17 else path_star((n - 1) // 4, 5, seed=0)
        V0 = torch.randn(g.n, a.dim, generator=torch.Generator().manual_seed(0), dtype=torch.float64)  # = our init
        agree = None
        if g.n <= 1001:  # the same two steps from the same init, in float64
            ours = train_node2vec(g, dim=a.dim, steps=2, seed=0, dtype=torch.float64).V
            agree = float(np.abs(ours - per_node_loop(g, V0, 0.01, 2).numpy()).max())
        V0 = V0.float()
        vec, vec_steps = time_it(lambda s: train_node2vec(g, dim=a.dim, steps=s, seed=0), a.seconds, 10_000)
        loop, loop_steps = time_it(lambda s: per_node_loop(g, V0, 0.01, s), a.seconds, 10_000)
        rows.append(dict(nodes=g.n, vectorised_steps_per_s=vec, vectorised_steps=vec_steps,
                         loop_steps_per_s=loop, loop_steps=loop_steps, speedup=vec / loop,
                         seconds_for_10k_steps=10_000 / vec, steps_per_min=60 * vec, max_abs_diff_after_2_steps=agree))
        print(f"n={g.n}: vectorised {vec:.1f} steps/s, per-node loop {loop:.2f} steps/s, {vec / loop:.0f}x", flush=True)
    meta = provenance(dim=a.dim)
    Path(a.out).parent.mkdir(exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(meta=meta, rows=rows), indent=1))
    print("\n| nodes | vectorised steps/s | per-node loop steps/s | speed-up | 10k steps | steps/min |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['nodes']:,} | {r['vectorised_steps_per_s']:.1f} | {r['loop_steps_per_s']:.2f} | "
              f"{r['speedup']:.0f}× | {r['seconds_for_10k_steps']:.1f} s | {r['steps_per_min']:,.0f} |")


if __name__ == "__main__":
    main()
