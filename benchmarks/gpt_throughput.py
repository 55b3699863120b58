"""Training throughput of our GPT against a plain nanoGPT-style reference of the same size, and the
fraction of the machine's matmul peak a training step reaches (chapter 09, "speed against references").

    .venv/bin/python benchmarks/gpt_throughput.py                 # G_(1000,5), width 128, depth 2, ~2 min
    .venv/bin/python benchmarks/gpt_throughput.py --d 200 --steps 20

Both models see the same batches of the in-weights path-star (edges and paths mixed, batch 512) and
take full AdamW steps. The reference is written here the plain way: explicit masked attention, logits
at every position of the padded batch, cross-entropy with ignore_index. Ours: scaled_dot_product_attention,
logits only at target positions, rows cut at their last target (``training.loss_on_targets``).
Throughput counts non-padding input tokens per second. FLOPs of one training step are counted by
``torch.utils.flop_counter.FlopCounterMode``; the peak is a timed 2048×2048 float32 matmul.
Results go to benchmarks/results/gpt_throughput.json.
"""
import argparse
import json
import math
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from geomem_utils.cache import provenance
from geomem_utils.graphs import path_star
from geomem_utils.tasks import IGNORE, PathStarTask
from geomem_utils.models import model_for
from geomem_utils.train import loss_on_targets


class RefBlock(nn.Module):
    def __init__(self, D, H):
        super().__init__()
        self.H, self.ln1, self.ln2 = H, nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.mlp = nn.Sequential(nn.Linear(D, 4 * D), nn.GELU(), nn.Linear(4 * D, D))

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = (t.view(B, T, self.H, D // self.H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(D // self.H)
        att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(B, T, D))
        return x + self.mlp(self.ln2(x))


class RefGPT(nn.Module):
    """nanoGPT-style: token + position embeddings, blocks, final LayerNorm, tied head over all positions."""

    def __init__(self, V, T, D, L, H):
        super().__init__()
        self.tok, self.pos = nn.Embedding(V, D), nn.Embedding(T, D)
        self.blocks = nn.ModuleList(RefBlock(D, H) for _ in range(L))
        self.ln = nn.LayerNorm(D)

    def loss(self, x, y):
        h = self.tok(x) + self.pos.weight[:x.shape[1]]
        for b in self.blocks:
            h = b(h)
        logits = self.ln(h) @ self.tok.weight.T
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1), ignore_index=IGNORE)


def batches(x, y, bs, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [(x[i], y[i]) for i in (torch.randint(len(x), (bs,), generator=g) for _ in range(n))]


def timed(step, data, warmup=3):
    for xb, yb in data[:warmup]:
        step(xb, yb)
    t = time.perf_counter()
    for xb, yb in data[warmup:]:
        step(xb, yb)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--d", type=int, default=1000)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "gpt_throughput.json"))
    a = ap.parse_args()
    torch.manual_seed(0)
    task = PathStarTask(path_star(a.d, 5, seed=0))
    x, y = task.training_set().inputs_targets()
    data = batches(x, y, a.batch, a.steps + 3)
    tokens = sum(int((xb != task.vocab["[PAD]"]).sum()) for xb, _ in data[3:])
    ours = model_for(task, depth=a.depth, heads=a.heads, width=a.width)
    ref = RefGPT(len(task.vocab), x.shape[1], a.width, a.depth, a.heads)
    rows = {}
    for name, model, loss_fn in [("ours", ours, lambda m, xb, yb: loss_on_targets(m, xb, yb)),
                                 ("reference", ref, lambda m, xb, yb: m.loss(xb, yb))]:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)

        def step(xb, yb):
            loss = loss_fn(model, xb, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        seconds = timed(step, data)
        with FlopCounterMode(display=False) as fc:
            step(*data[3])
        flops = fc.get_total_flops()
        rows[name] = dict(seconds=seconds, tokens_per_s=tokens / seconds, flops_per_step=flops,
                          achieved_flops=flops * a.steps / seconds)
    A = torch.randn(2048, 2048)
    A @ A
    t = time.perf_counter()
    for _ in range(10):
        A @ A
    peak = 10 * 2 * 2048 ** 3 / (time.perf_counter() - t)
    meta = provenance(args=vars(a), matmul_peak_flops=peak)
    Path(a.out).parent.mkdir(exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(meta=meta, rows=rows), indent=1))
    o, r = rows["ours"], rows["reference"]
    print(f"G_({a.d},5), width {a.width}, depth {a.depth}, batch {a.batch}, {a.steps} steps, {torch.get_num_threads()} threads")
    print(f"ours      {o['tokens_per_s']:>10,.0f} tokens/s   {o['flops_per_step'] / 1e9:6.2f} GFLOP/step   "
          f"{o['achieved_flops'] / 1e9:6.1f} GFLOP/s = {o['achieved_flops'] / peak:.0%} of the matmul peak")
    print(f"reference {r['tokens_per_s']:>10,.0f} tokens/s   {r['flops_per_step'] / 1e9:6.2f} GFLOP/step   "
          f"{r['achieved_flops'] / 1e9:6.1f} GFLOP/s = {r['achieved_flops'] / peak:.0%} of the matmul peak")
    print(f"speed-up {o['tokens_per_s'] / r['tokens_per_s']:.2f}x; matmul peak {peak / 1e9:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
