"""How many steps does the in-context path-star (claim C1) need? Prints per-position teacher-forced
accuracy on 500 unseen graphs over training, for forward or reverse targets.

    .venv/bin/python benchmarks/in_context_budget.py --steps 10000 --reverse      # ~5 min on 2 cores
    .venv/bin/python benchmarks/in_context_budget.py --steps 3000 --lr 3e-3 --reverse
"""
import argparse

import numpy as np

from geomem_utils.experiments.in_context import run_in_context

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--reverse", action="store_true")
    a = ap.parse_args()
    r = run_in_context(steps=a.steps, lr=a.lr, width=a.width, depth=a.depth, reverse=a.reverse,
                       eval_every=max(1, a.steps // 10), progress=False)
    for e in r.history.evals:
        print(f"step {e['step']:>6}  exact {e['exact_match']:.2f}  teacher-forced by position "
              f"{np.round(e['teacher_forced'], 2).tolist()}  ({e['time']:.0f} s)")
