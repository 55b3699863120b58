"""Throughput of the training loss with and without length bucketing, on one machine in one run.

    .venv/bin/python benchmarks/loss_bucketing.py --d 1000 --steps 100

"padded" runs every row at the full padded length (the plain way); "bucketed" is
training.loss_on_targets. Both form logits only at target positions. Prints steps/s and the loss
difference of the first batch (they are mathematically equal).
"""
import argparse
import time

import torch
import torch.nn.functional as F

from geomem_utils import PathStarTask, path_star, set_seed
from geomem_utils.tasks import IGNORE
from geomem_utils.models import model_for
from geomem_utils.train import loss_on_targets


def padded_loss(model, x, y):
    h = model(x)
    m = y != IGNORE
    return F.cross_entropy(model.readout(h[m]), y[m])


def throughput(loss_fn, task, steps, batch):
    set_seed(0)
    model = model_for(task, depth=2, heads=4, width=128)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = task.training_set().inputs_targets()
    g = torch.Generator().manual_seed(0)
    idx = [torch.randint(len(x), (batch,), generator=g) for _ in range(steps)]
    first = loss_fn(model, x[idx[0]], y[idx[0]]).item()
    t0 = time.perf_counter()
    for i in idx:
        loss = loss_fn(model, x[i], y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return steps / (time.perf_counter() - t0), first


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--d", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--batch", type=int, default=512)
    a = ap.parse_args()
    task = PathStarTask(path_star(a.d, 5, seed=0))
    p, lp = throughput(padded_loss, task, a.steps, a.batch)
    b, lb = throughput(loss_on_targets, task, a.steps, a.batch)
    print(f"G_({a.d},5), batch {a.batch}, {torch.get_num_threads()} threads: padded {p:.1f} steps/s, "
          f"bucketed {b:.1f} steps/s, speed-up {b / p:.2f}x; first-batch loss difference {abs(lp - lb):.1e}")
