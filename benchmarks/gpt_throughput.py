"""Training throughput of our GPT against a plain nanoGPT-style reference of the same size, and the
fraction of the machine's matmul peak a training step reaches (chapter 09, "speed against references").

    .venv/bin/python benchmarks/gpt_throughput.py                 # G_(1000,5), width 128, depth 2, ~2 min
    .venv/bin/python benchmarks/gpt_throughput.py --d 200 --steps 20

Both models see the same batches of the in-weights path-star (edges and paths mixed, batch 512) and
take full AdamW steps. The reference is written here the plain way: explicit masked attention, logits
at every position of the padded batch, cross-entropy with ignore_index. Ours: scaled_dot_product_attention,
logits only at target positions, rows cut at their last target (``training.loss_on_targets``).
Throughput counts non-padding input tokens per second. FLOPs of one training step are counted by
``torch.utils.flop_counter.FlopCounterMode``; the peak is a timed 2048×2048 float32 matmul, taken before
and after the timed steps and averaged (a shared machine's peak drifts between runs).

Two variants of ours look for the rest of the peak (issue 18 §4): AdamW's fused CPU kernel, and a 4×
bigger batch. ``op_shares`` then profiles ours and splits a step's time into matrix products (mm,
addmm, bmm) and the rest: the step's FLOP rate divided by the products' share of its time is the rate
of the products themselves, so what caps the step (slow products, or the time outside them) is read off.
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


def square_peak():
    A = torch.randn(2048, 2048)
    A @ A
    t = time.perf_counter()
    for _ in range(10):
        A @ A
    return 10 * 2 * 2048 ** 3 / (time.perf_counter() - t)


MATMULS = ("aten::mm", "aten::addmm", "aten::bmm")


def op_shares(step, data):
    """Share of a step's self CPU time in matrix products vs everything else (torch.profiler)."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for xb, yb in data:
            step(xb, yb)
    ops = {e.key: e.self_cpu_time_total for e in prof.key_averages()}
    total = sum(ops.values())
    mm = sum(ops.get(k, 0.0) for k in MATMULS)
    rest = sorted(((k, v / total) for k, v in ops.items() if k not in MATMULS), key=lambda kv: -kv[1])
    return dict(matmul_share=mm / total, top_other=[(k, round(v, 3)) for k, v in rest[:6]])


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
    ours = model_for(task, depth=a.depth, heads=a.heads, width=a.width)
    ref = RefGPT(len(task.vocab), x.shape[1], a.width, a.depth, a.heads)
    big = batches(x, y, 4 * a.batch, a.steps // 4 + 3, seed=1)
    ours_loss = lambda m, xb, yb: loss_on_targets(m, xb, yb)  # noqa: E731
    rows, shares = {}, None
    variants = [("ours", ours, ours_loss, {}, data), ("reference", ref, lambda m, xb, yb: m.loss(xb, yb), {}, data),
                ("ours, fused AdamW", model_for(task, depth=a.depth, heads=a.heads, width=a.width), ours_loss,
                 dict(fused=True), data),
                (f"ours, fused AdamW, batch {4 * a.batch}", model_for(task, depth=a.depth, heads=a.heads,
                                                                       width=a.width), ours_loss, dict(fused=True), big)]
    for name, model, loss_fn, opt_kw, stream in variants:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, **opt_kw)

        def step(xb, yb):
            loss = loss_fn(model, xb, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        n = len(stream) - 3
        n_tokens = sum(int((xb != task.vocab["[PAD]"]).sum()) for xb, _ in stream[3:])
        before = square_peak()
        seconds = timed(step, stream)
        peak = (before + square_peak()) / 2
        with FlopCounterMode(display=False) as fc:
            step(*stream[3])
        flops = fc.get_total_flops()
        rows[name] = dict(seconds=seconds, tokens_per_s=n_tokens / seconds, flops_per_step=flops,
                          achieved_flops=flops * n / seconds, matmul_peak_flops=peak,
                          share_of_peak=flops * n / seconds / peak)
        if name == "ours":
            shares = op_shares(step, stream[3:13])
            shares["products_share_of_peak"] = rows[name]["share_of_peak"] / shares["matmul_share"]
    meta = provenance(args=vars(a))
    Path(a.out).parent.mkdir(exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(meta=meta, rows=rows, ours_op_shares=shares), indent=1))
    print(f"G_({a.d},5), width {a.width}, depth {a.depth}, batch {a.batch}, {a.steps} steps, {torch.get_num_threads()} threads")
    for name, o in rows.items():
        print(f"{name:32s} {o['tokens_per_s']:>10,.0f} tokens/s  {o['flops_per_step'] / 1e9:6.2f} GFLOP/step  "
              f"{o['achieved_flops'] / 1e9:6.1f} GFLOP/s = {o['share_of_peak']:.0%} of the matmul peak "
              f"({o['matmul_peak_flops'] / 1e9:.0f})")
    print(f"speed-up {rows['ours']['tokens_per_s'] / rows['reference']['tokens_per_s']:.2f}x over the reference; "
          f"ours: {shares['matmul_share']:.0%} of a step's time in matrix products, "
          f"which run at {shares['products_share_of_peak']:.0%} of the peak; the rest: {shares['top_other']}")


if __name__ == "__main__":
    main()
