"""Sweeps as lists of independent configs: the laptop phase diagram and the paper-scale runs (chapter 09).

Every config is a plain dict of ``run_path_star`` arguments. ``run_config`` trains one and writes one
JSON result file named by the config's hash, holding the config, the measurements, the learning curve
and provenance (package, torch, machine, device, wall time). It is **idempotent and resumable**: a
config whose result file exists and holds the same config is skipped, so an interrupted sweep is
resumed by running the same command again, and any number of workers can share one output folder.

Fan-out uses existing tools, never a home-made scheduler:

* one machine: ``python -m geomem_utils.sweeps phase --jobs 4`` (a ``concurrent.futures`` process pool);
* a cluster job array: ``python -m geomem_utils.sweeps phase --index $SLURM_ARRAY_TASK_ID`` runs config
  number ``index`` only (``--list`` prints how many there are), e.g. ``sbatch --array=0-47 ...``;
* the paper's graphs on a GPU: ``python -m geomem_utils.sweeps paper G5000 --steps 2000``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

from .cache import _plain, config_hash
from .training import run_path_star

RESULTS_DIR = Path(__file__).resolve().parents[1] / "data" / "sweeps"

# The paper's three in-weights graphs with its model (12 layers, 8 heads, width 384 / 784; spec
# "Optimisation": AdamW, pauses 5/6/10). Learning rate and batch are the authors' code defaults; the
# paper's table lists 5e-5 with batches up to 1024 and "up to 50,000 epochs" — a full run is days of GPU.
PAPER_CONFIGS = {
    "G5000": dict(d=5000, l=5, width=384, depth=12, heads=8, n_pause=5, lr=5e-4, batch_size=1024, steps=20_000),
    "G10k6": dict(d=10_000, l=6, width=384, depth=12, heads=8, n_pause=6, lr=5e-4, batch_size=1024, steps=40_000),
    "G10k10": dict(d=10_000, l=10, width=784, depth=12, heads=8, n_pause=10, lr=5e-4, batch_size=1024, steps=60_000),
}

# Chapter 09's stretch: the paper's smallest graph (G_{5000,5}, 20,001 nodes) on a 2-core laptop in 60
# minutes. Measured before choosing (40 steps each, width 128): full softmax, batch 256: 4.2 epochs/min;
# sampled softmax (4,096 shared negatives), batch 256: 9.5; batch 512: 11.6; width 256: 4.8. The step
# count sets the cosine schedule to end near the time budget (~15 steps/s with evaluations).
STRETCH_CONFIG = dict(d=5000, l=5, width=128, depth=2, heads=4, n_pause=1, steps=50_000, lr=2e-3, batch_size=512,
                      max_seconds=3600, train_options=dict(sampled_softmax=4096))
STRETCH_DIR = RESULTS_DIR.parent / "stretch"


def phase_configs(seed: int = 0) -> list[dict]:
    """The laptop phase diagram: 48 configs over graph size d, path length l and model size, each at a
    fixed budget of 600 steps (chapter 02's optimiser settings)."""
    out = []
    for d in (20, 50, 100, 200, 500, 1000):
        for l in (4, 5, 6, 8):
            for width, depth in ((64, 1), (128, 2)):
                out.append(dict(d=d, l=l, width=width, depth=depth, heads=4, n_pause=1, steps=600, lr=2e-3,
                                batch_size=256, seed=seed))
    return out


def result_path(config: dict, out_dir: Path | str = RESULTS_DIR) -> Path:
    return Path(out_dir) / f"run-{config_hash(config)}.json"


def _load_result(path: Path, config: dict) -> dict | None:
    try:
        blob = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # missing or corrupt: recompute
    return blob if blob.get("config") == _plain(config) else None


def run_config(config: dict, out_dir: Path | str = RESULTS_DIR, device=None, eval_every: int = 50,
               verbose: bool = False) -> dict:
    """Train one config (``run_path_star`` arguments) unless its result file already holds it; return
    the stored result. Peak CUDA memory and steps/s are recorded for the paper-scale runs."""
    path = result_path(config, out_dir)
    done = _load_result(path, config)
    if done is not None:
        if verbose:
            print(f"skip {path.name}: already done")
        return dict(done, skipped=True)
    from . import __version__
    dev = torch.device(device) if device is not None else None
    if dev is not None and dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    t0 = time.perf_counter()
    run = run_path_star(**config, eval_every=eval_every, progress=verbose, device=dev)
    wall = time.perf_counter() - t0
    h = run.history
    last = h.evals[-1]
    result = dict(
        config=_plain(config),
        final={k: last[k] for k in ("test_exact", "test_hardest", "train_exact", "edge_recovery")},
        steps_to_90=h.first_step("test_exact", 0.9),
        curve=dict(h.curves(("test_exact", "test_hardest")), seconds=[round(e["time"], 1) for e in h.evals]),
        nodes=run.task.graph.n, params=run.model.num_params(), train_seconds=h.wall_time,
        steps_per_s=len(h.loss) / max(h.wall_time, 1e-9),
        provenance=dict(geomem=__version__, torch=str(torch.__version__), date=time.strftime("%Y-%m-%d %H:%M"),
                        machine=platform.processor() or platform.machine(), cpus=os.cpu_count(),
                        threads=torch.get_num_threads(), device=str(next(run.model.parameters()).device),
                        wall_time_s=round(wall, 1),
                        peak_cuda_mb=(torch.cuda.max_memory_allocated(dev) / 2 ** 20
                                      if dev is not None and dev.type == "cuda" else None)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(_plain(result), indent=1))
    tmp.replace(path)  # atomic: a killed worker never leaves a half-written result
    return dict(result, skipped=False)


def load_results(out_dir: Path | str = RESULTS_DIR) -> list[dict]:
    """Every result file in ``out_dir`` (sorted by config)."""
    rows = [json.loads(p.read_text()) for p in sorted(Path(out_dir).glob("run-*.json"))]
    return sorted(rows, key=lambda r: json.dumps(r["config"], sort_keys=True))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m geomem_utils.sweeps", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    ph = sub.add_parser("phase", help="the laptop phase diagram (48 configs)")
    ph.add_argument("--index", type=int, help="run only config number INDEX (job arrays)")
    ph.add_argument("--jobs", type=int, default=1, help="parallel worker processes on this machine")
    ph.add_argument("--list", action="store_true", help="print the configs and exit")
    pa = sub.add_parser("paper", help="one of the paper's graphs with the paper's model")
    pa.add_argument("name", choices=sorted(PAPER_CONFIGS))
    pa.add_argument("--steps", type=int, help="override the step count (e.g. a short speed check)")
    pa.add_argument("--amp", action="store_true", help="bfloat16 autocast (CUDA)")
    pa.add_argument("--device", default=None, help="cuda / cpu (default: cuda when present)")
    st = sub.add_parser("stretch", help="G_{5000,5} on this machine within a time budget (chapter 09)")
    st.add_argument("--minutes", type=float, default=60.0)
    for p in (ph, pa, st):
        p.add_argument("--out", default=str(RESULTS_DIR))
    a = ap.parse_args(argv)
    if a.cmd == "phase":
        configs = phase_configs()
        if a.list:
            for i, c in enumerate(configs):
                print(i, json.dumps(c))
            return
        if a.index is not None:
            configs = [configs[a.index]]
        if a.jobs > 1:
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // a.jobs))
            with ProcessPoolExecutor(a.jobs) as pool:
                results = list(pool.map(run_config, configs, [a.out] * len(configs)))
        else:
            results = [run_config(c, a.out, verbose=True) for c in configs]
        for c, r in zip(configs, results):
            print(f"d={c['d']:>5} l={c['l']} w={c['width']:>3} depth={c['depth']}: held-out exact "
                  f"{r['final']['test_exact']:.2f}, first hop {r['final']['test_hardest']:.2f}"
                  f"{' (cached)' if r['skipped'] else ''}")
    elif a.cmd == "stretch":
        config = dict(STRETCH_CONFIG, max_seconds=round(60 * a.minutes), seed=0)
        out = a.out if a.out != str(RESULTS_DIR) else STRETCH_DIR
        r = run_config(config, out, eval_every=2500, verbose=False)
        for s_, t, e, f in zip(r["curve"]["steps"], r["curve"]["seconds"], r["curve"]["test_exact"], r["curve"]["test_hardest"]):
            print(f"step {s_:>6} ({t / 60:5.1f} min): held-out exact {e:.2f}, first hop {f:.2f}")
    else:
        config = dict(PAPER_CONFIGS[a.name], seed=0)
        if a.steps:
            config["steps"] = a.steps
        if a.amp:
            config["train_options"] = dict(amp=True)
        r = run_config(config, a.out, device=a.device, eval_every=max(1, config["steps"] // 10), verbose=True)
        print(json.dumps({k: r[k] for k in ("final", "nodes", "params", "steps_per_s", "train_seconds")}, indent=1))
        print("peak CUDA memory (MB):", r["provenance"]["peak_cuda_mb"])


if __name__ == "__main__":
    main()
