"""What the predecessor's own in-context run would cost here (claim C1, chapter 03a's search).

Bachmann & Nagarajan's public command for the in-context path-star G_(2,5) over 50 labels trains a GPT
with 6 layers, width 384, 6 heads on 200,000 fixed examples for 100 epochs at batch 256 and lr 1e-4
(782 batches × 100 epochs = 78,200 steps). This times training steps of that model and of chapter 03a's
(width 64, 2 layers, 4 heads, batch 64) on the same task, in one run, with the machine's default torch
threads, and projects the predecessor's step count. Results go to benchmarks/results/predecessor_cost.json.

    .venv/bin/python benchmarks/predecessor_cost.py            # ~2 minutes on 2 idle cores
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from geomem_utils.cache import provenance
from geomem_utils.experiments.in_context import CHAPTER_03A, InContextExperiment
from geomem_utils.train import loss_on_targets

PREDECESSOR = dict(width=384, depth=6, heads=6, batch_size=256, lr=1e-4)
PREDECESSOR_STEPS = -(-200_000 // 256) * 100   # 782 batches an epoch (the last one partial) x 100 epochs


def seconds_per_step(settings: dict, steps: int) -> float:
    """Median wall time of ``steps`` AdamW steps (after 2 untimed ones) on fresh in-context batches."""
    e = InContextExperiment.from_settings(**settings)
    task = e.make_task()
    model = e.model.build(len(task.vocab), task.prompt_len + task.l)
    opt = torch.optim.AdamW(model.parameters(), lr=settings["lr"])
    rng = np.random.default_rng(0)
    times = []
    for i in range(steps + 2):
        x, y = task.sample(settings["batch_size"], rng).inputs_targets("cpu")
        t = time.perf_counter()
        loss = loss_on_targets(model, x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i >= 2:
            times.append(time.perf_counter() - t)
    return float(np.median(times))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=8, help="timed steps per model")
    a = ap.parse_args()
    ours = {**CHAPTER_03A, "reverse": True}
    theirs = {**ours, **PREDECESSOR}
    s_ours = seconds_per_step(ours, 10 * a.steps)
    s_theirs = seconds_per_step(theirs, a.steps)
    out = dict(ours=dict(settings={k: ours[k] for k in PREDECESSOR}, seconds_per_step=s_ours),
               predecessor=dict(settings=PREDECESSOR, seconds_per_step=s_theirs, steps=PREDECESSOR_STEPS,
                                projected_hours=s_theirs * PREDECESSOR_STEPS / 3600),
               ratio=s_theirs / s_ours, provenance=provenance())
    print(json.dumps(out, indent=1))
    path = Path(__file__).parent / "results" / "predecessor_cost.json"
    path.write_text(json.dumps(out, indent=1))
