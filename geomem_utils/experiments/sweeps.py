"""Sweeps as lists of independent configs: the laptop phase diagram and the paper-scale runs (chapter 09).

Every config is a ``PathStarExperiment``. ``run_config`` trains one and writes one JSON result file
named by the hash of its cache key (``cache.cache_key``), holding the config, the measurements, the learning curve
and provenance (package, torch, machine, device, wall time). It is **idempotent and resumable**: a
config whose result file exists and holds the same config is skipped, so an interrupted sweep is
resumed by running the same command again, and any number of workers can share one output folder.

Fan-out uses existing tools, never a home-made scheduler:

* one machine: ``python -m geomem_utils.experiments.sweeps phase --jobs 4`` (a ``concurrent.futures`` process pool);
* a cluster job array: ``python -m geomem_utils.experiments.sweeps phase --index $SLURM_ARRAY_TASK_ID`` runs config
  number ``index`` only (``--list`` prints how many there are), e.g. ``sbatch --array=0-47 ...``;
* the paper's graphs on a GPU: ``python -m geomem_utils.experiments.sweeps paper G5000 --steps 2000``.

Chapter 09 also uses ``cost`` (steps-to-90% over graph sizes, and training memory measured in fresh
processes up to 80,001 nodes) and ``stretch`` (G_{5000,5} on this machine within a time budget).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from ..cache import cache_key, key_hash, load_or_compute, plain, provenance
from ..config import check_float, check_int
from ..history import CURVE_METRICS, first_passage
from .in_context import InContextExperiment
from .path_star import PathStarExperiment, path_star_experiment

RESULTS_DIR = Path(__file__).resolve().parents[2] / "data" / "sweeps"
# What a result file keeps of each evaluation (the per-position curves only where they were tracked).
TRACKED = ("test_exact", "test_first_hop", "train_exact", "test_positions", "test_greedy_positions",
           "val_exact", "kept_test_exact", "kept_first_hop")

# The paper's three in-weights graphs with its model (12 layers, 8 heads, width 384 / 784; spec
# "Optimisation": AdamW, pauses 5/6/10). Learning rate and batch are the authors' code defaults; the
# paper's table lists 5e-5 with batches up to 1024 and "up to 50,000 epochs" — a full run is days of GPU.
PAPER_CONFIGS = {
    "G5000": dict(d=5000, l=5, width=384, depth=12, heads=8, n_pause=5, lr=5e-4, batch_size=1024, steps=20_000),
    "G10k6": dict(d=10_000, l=6, width=384, depth=12, heads=8, n_pause=6, lr=5e-4, batch_size=1024, steps=40_000),
    "G10k10": dict(d=10_000, l=10, width=784, depth=12, heads=8, n_pause=10, lr=5e-4, batch_size=1024, steps=60_000),
}


def paper_footprint(config: dict, assumed_tflop_s: float = 100.0) -> dict:
    """Size of a paper-scale run without building it for real (the model is made on torch's "meta"
    device: shapes only, no memory): parameters; the fp32 training state (weights, gradients and
    AdamW's two moments: 16 bytes per parameter), the least accelerator memory before activations; and
    an estimate of the training FLOPs per step (6 per parameter per token for the layers, 6 per
    embedding entry per target for the tied output layer; attention's T^2 terms ignored at T <= 22),
    from the mix of edge and path examples in one batch. ``hours``: the config's ``steps`` at an
    *assumed* ``assumed_tflop_s`` TFLOP/s sustained — arithmetic, not a measurement (None without
    ``steps``). Paper §2 and appendix (the in-weights graphs and their model)."""
    check_float("assumed_tflop_s", assumed_tflop_s, minimum=0.0, strict_min=True)
    from ..models import ModelConfig, build_model
    from ..tasks import SPECIALS
    d, l, width, batch = config["d"], config["l"], config["width"], config["batch_size"]
    nodes = d * (l - 1) + 1
    path_len = 2 + config["n_pause"] + l
    cfg = ModelConfig(vocab_size=nodes + len(SPECIALS), block_size=path_len,
                      depth=config["depth"], heads=config["heads"], width=width)
    with torch.device("meta"):
        params = build_model(cfg).num_params()
    n_edges, n_paths = 2 * (nodes - 1), round(0.75 * d)  # both directions; the 75% training leaves
    share = n_paths / (n_edges + n_paths)
    tokens = batch * ((1 - share) * 3 + share * path_len)
    targets = batch * ((1 - share) * 1 + share * l)
    layer_params = params - cfg.vocab_size * width - path_len * width
    flops = 6 * layer_params * tokens + 6 * cfg.vocab_size * width * targets
    tflop = flops / 1e12
    hours = config["steps"] * tflop / assumed_tflop_s / 3600 if "steps" in config else None
    return dict(nodes=nodes, params=params, train_state_gb=16 * params / 2 ** 30, tflop_per_step=tflop, hours=hours)


# Chapter 09's stretch: the paper's smallest graph (G_{5000,5}, 20,001 nodes) on a 2-core laptop in 60
# minutes. Epochs/min measured before choosing (benchmarks/sampled_softmax.py, width 128): full softmax,
# batch 256: 3.6-4.2; sampled softmax (4,096 shared negatives), batch 256: 6.9-9.5; batch 512: 9.3-11.6;
# width 256: 4.5-4.8. The step count sets the cosine schedule to end near the time budget (~15 steps/s).
STRETCH_CONFIG = dict(d=5000, l=5, width=128, depth=2, heads=4, n_pause=1, steps=50_000, lr=2e-3, batch_size=512,
                      max_seconds=3600, sampled_softmax=4096, eval_every=2500)
STRETCH_DIR = RESULTS_DIR.parent / "stretch"


def stretch_experiment(minutes: float = 60.0) -> PathStarExperiment:
    """Chapter 09's stretch run with a training-time budget of ``minutes``."""
    return path_star_experiment(**dict(STRETCH_CONFIG, max_seconds=round(60 * minutes)))


def paper_experiment(name: str, steps: int | None = None, amp: bool = False) -> PathStarExperiment:
    """One of ``PAPER_CONFIGS`` (optionally shortened, or with bfloat16 autocast on CUDA)."""
    c = dict(PAPER_CONFIGS[name], amp=amp)
    c["steps"] = steps or c["steps"]
    return path_star_experiment(**c, eval_every=max(1, c["steps"] // 10))


PHASE_DS, PHASE_LS, PHASE_MODELS = (20, 50, 100, 200, 500, 1000), (4, 5, 6, 8), ((64, 1), (128, 2))


def phase_experiment(d: int, l: int, width: int = 128, depth: int = 2, steps: int = 600,
                     seed: int = 0) -> PathStarExperiment:
    """One cell of the laptop phase diagram (paper §2's in-weights task on G_{d,l}, spec C2's small
    regime): chapter 02's optimiser (AdamW, lr 2e-3, batch 256, one pause), 4 heads, a budget of
    ``steps`` (600 in the diagram; warm-up ``min(100, steps // 10)``)."""
    return path_star_experiment(d=d, l=l, width=width, depth=depth, heads=4, n_pause=1, steps=steps,
                                lr=2e-3, batch_size=256, seed=seed)


def phase_configs(seed: int = 0) -> list[PathStarExperiment]:
    """The laptop phase diagram: 48 configs over graph size d, path length l and model size, each at a
    fixed budget of 600 steps (chapter 02's optimiser settings)."""
    return [phase_experiment(d, l, width, depth, seed=seed)
            for d in PHASE_DS for l in PHASE_LS for width, depth in PHASE_MODELS]


def phase_grid(results: list, width: int, depth: int, metric: str = "test_exact") -> dict:
    """The phase diagram of one model size as a grid: ``{"d": [...], "l": [...], "values": array
    (len(l), len(d))}`` of the final ``metric`` (NaN where no result is stored), from ``load_results``
    rows. Raises a ValueError naming ``width`` if no stored result has that model size."""
    rows = [r for r in results if r["config"]["model"]["width"] == width and r["config"]["model"]["depth"] == depth]
    if not rows:
        sizes = sorted({(r["config"]["model"]["width"], r["config"]["model"]["depth"]) for r in results})
        raise ValueError(f"no stored result with width={width}, depth={depth}; stored (width, depth): {sizes}")
    ds = sorted({r["config"]["graph"]["d"] for r in rows})
    ls = sorted({r["config"]["graph"]["l"] for r in rows})
    values = np.full((len(ls), len(ds)), np.nan)
    for r in rows:
        values[ls.index(r["config"]["graph"]["l"]), ds.index(r["config"]["graph"]["d"])] = r["final"][metric]
    return dict(d=ds, l=ls, values=values)


def cell_value(grid: dict, d: int, l: int) -> float:
    """One cell of a ``phase_grid``."""
    if d not in grid["d"] or l not in grid["l"]:
        raise ValueError(f"no cell d={d}, l={l} in the grid (d: {grid['d']}, l: {grid['l']})")
    return float(grid["values"][grid["l"].index(l), grid["d"].index(d)])


# Chapter 09's "how the cost grows": one model and recipe, G_{d,5} from 201 to 8,001 nodes, trained long
# enough for every size to pass 90% held-out exact match; steps-to-90% and training time are read off
# the curves. Memory is measured separately (``training_memory``) up to 80,001 nodes.
COST_DIR = RESULTS_DIR.parent / "cost"
COST_SIZES = (50, 100, 200, 500, 1000, 2000)
MEMORY_SIZES = (250, 1000, 2500, 5000, 10_000, 20_000)


def cost_configs(seed: int = 0) -> list[PathStarExperiment]:
    """One recipe (chapter 02's optimiser, width 128, 2 layers, 2,000 steps, evaluated every 25) over six
    graph sizes."""
    return [path_star_experiment(d=d, l=5, width=128, depth=2, heads=4, n_pause=1, steps=2000, lr=2e-3,
                                 batch_size=256, seed=seed, eval_every=25) for d in COST_SIZES]


def _memory_probe(d: int, l: int, width: int, depth: int, batch_size: int, sampled_softmax: int, steps: int) -> dict:
    """Run in a fresh process by ``training_memory``: peak resident memory before and after training."""
    from ..graphs import path_star
    from ..tasks import PathStarTask
    from ..train import TrainConfig, train
    from .path_star import Architecture

    def peak_mb():
        # VmHWM belongs to this process's own memory map; ru_maxrss would carry over the peak of the
        # parent that started us (it survives fork + exec on Linux)
        try:
            status = Path("/proc/self/status").read_text()
            return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
        except (OSError, AttributeError):  # not Linux
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    torch.set_num_threads(1)
    task = PathStarTask(path_star(d, l, seed=0), n_pause=1, split_seed=0)
    task.training_set()
    before = peak_mb()
    model = Architecture(width=width, depth=depth, heads=4).build(len(task.vocab), task.training_set().tokens.shape[1])
    train(model, task, TrainConfig(steps=steps, batch_size=batch_size, warmup=1, sampled_softmax=sampled_softmax),
          evaluate=lambda m: {}, progress=False, device="cpu")
    return dict(d=d, l=l, nodes=task.graph.n, vocab=len(task.vocab), params=model.num_params(),
                before_mb=round(before, 1), peak_mb=round(peak_mb(), 1), training_mb=round(peak_mb() - before, 1))


def training_memory(d: int, l: int = 5, width: int = 128, depth: int = 2, batch_size: int = 256,
                    sampled_softmax: int = 0, steps: int = 5) -> dict:
    """Extra peak memory (MB) that training a GPT on G_{d,l} takes on top of the task's data, measured in
    a fresh Python process (peak RSS never goes down, so each size needs its own process)."""
    args = dict(d=d, l=l, width=width, depth=depth, batch_size=batch_size, sampled_softmax=sampled_softmax, steps=steps)
    code = f"import json; from geomem_utils.experiments.sweeps import _memory_probe; print(json.dumps(_memory_probe(**{args!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"memory probe for d={d} failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory_table(sizes=MEMORY_SIZES, **options) -> list[dict]:
    """``training_memory`` for each size, with the full and the sampled (4,096) softmax."""
    return [dict(training_memory(d, sampled_softmax=k, **options), sampled_softmax=k)
            for d in sizes for k in (0, 4096)]


@dataclass(frozen=True)
class MemoryTable:
    """``training_memory`` for each size, with the full and the sampled (4,096) softmax (fresh processes)."""

    name: ClassVar[str] = "memory"
    sizes: tuple = MEMORY_SIZES
    l: int = 5
    width: int = 128
    depth: int = 2
    batch_size: int = 256
    steps: int = 5
    probe: str = "VmHWM"

    def compute(self) -> dict:
        return dict(rows=memory_table(self.sizes, l=self.l, width=self.width, depth=self.depth,
                                      batch_size=self.batch_size, steps=self.steps))


def cost_results(out_dir: Path | str = COST_DIR, verbose: bool = False) -> tuple[list[dict], dict]:
    """Chapter 09's cost data, train-or-load: the ``cost_configs`` runs (each skipped when its result
    exists) and the ``MemoryTable`` (``cache.load_or_compute`` under ``out_dir``).
    Returns (runs, {"rows": [...], "provenance": {...}})."""
    runs = [run_config(c, out_dir, verbose=verbose) for c in cost_configs()]
    memory, prov = load_or_compute(MemoryTable(), data_dir=out_dir, verbose=verbose)
    return runs, dict(memory, provenance=prov)


def result_passage(result: dict, threshold: float, metric: str = "test_exact") -> tuple[int, float] | None:
    """(step, training seconds) of the first stored evaluation of a ``run_config`` result whose
    ``metric`` is >= ``threshold``; None if it never is (chapter 09's steps- and time-to-threshold)."""
    c = result["curve"]
    return first_passage(list(zip(c["steps"], c["seconds"])), c[metric], threshold)


def power_law(x, y) -> tuple[float, float]:
    """(exponent a, prefactor c) of the least-squares fit y ≈ c·x^a on log–log axes, over the entries
    where both are finite and positive (at least two needed)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 2:
        raise ValueError(f"power_law needs at least two finite positive (x, y) pairs, got {int(ok.sum())}")
    a, log_c = np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)
    return float(a), float(np.exp(log_c))


def cost_fits(runs: list, thresholds=(0.7, 0.9)) -> dict:
    """Chapter 09's "how the cost grows" from ``cost_results`` runs (paper §2's in-weights task, spec
    C2). Per threshold: the first step and training second at which held-out exact match reaches it
    (``result_passage``; NaN: never; ``first_step`` as ints, None: never), which sizes reach it, and the
    power laws steps ≈ c·n^a and seconds ≈ c·n^a over those sizes (None under two); plus the node
    counts and the fit of steps/s over all sizes."""
    if not runs:
        raise ValueError("runs must hold at least one cost result (sweeps.cost_results)")
    nodes = np.array([r["nodes"] for r in runs], dtype=float)
    out = dict(nodes=nodes, steps_per_s=power_law(nodes, [r["steps_per_s"] for r in runs]))
    for thr in thresholds:
        steps, secs = np.array([result_passage(r, thr) or (np.nan, np.nan) for r in runs], dtype=float).T
        reached = ~np.isnan(steps)
        out[thr] = dict(steps=steps, seconds=secs, reached=reached,
                        first_step=[int(x) if ok else None for x, ok in zip(steps, reached)],
                        steps_fit=power_law(nodes, steps) if reached.sum() >= 2 else None,
                        seconds_fit=power_law(nodes, secs) if reached.sum() >= 2 else None)
    return out


def memory_fits(rows: list) -> dict:
    """Linear fits of the extra training memory over node count, per softmax (``MemoryTable`` rows):
    ``{sampled_softmax: (base MB, MB per node)}``."""
    out = {}
    for k in sorted({r["sampled_softmax"] for r in rows}):
        sel = [r for r in rows if r["sampled_softmax"] == k]
        if len(sel) < 2:
            raise ValueError(f"memory_fits needs at least two rows per softmax; sampled_softmax={k} has {len(sel)}")
        per_node, base = np.polyfit([r["nodes"] for r in sel], [r["training_mb"] for r in sel], 1)
        out[k] = (float(base), float(per_node))
    return out


def epochs(experiment: PathStarExperiment, steps: int) -> float:
    """How many passes over the training set (edges and training paths) ``steps`` batches of the
    experiment's batch size are."""
    check_int("steps", steps, minimum=0)
    return steps * experiment.train.batch_size / len(experiment.make_task().training_set())


def result_path(experiment: PathStarExperiment, out_dir: Path | str = RESULTS_DIR) -> Path:
    return Path(out_dir) / f"run-{key_hash(cache_key(experiment))}.json"


def _load_result(path: Path, key: dict) -> dict | None:
    try:
        blob = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # missing or corrupt: recompute
    return blob if blob.get("config") == key else None


def stored_result(experiment: PathStarExperiment, out_dir: Path | str = RESULTS_DIR) -> dict | None:
    """The stored ``run_config`` result of ``experiment`` under ``out_dir``, or None when there is none
    (or it is corrupt, or holds another config): nothing is trained."""
    return _load_result(result_path(experiment, out_dir), cache_key(experiment))


def missing_results(experiments, out_dir: Path | str = RESULTS_DIR) -> list:
    """The experiments that have no stored result under ``out_dir``."""
    return [e for e in experiments if stored_result(e, out_dir) is None]


def _stored(experiment, out_dir, verbose: bool) -> tuple[dict, Path, dict | None]:
    """(key, result path, the stored result marked ``skipped`` or None): the resumable half of a run."""
    key, path = cache_key(experiment), result_path(experiment, out_dir)
    done = _load_result(path, key)
    if done is not None and verbose:
        print(f"skip {path.name}: already done")
    return key, path, None if done is None else dict(done, skipped=True)


def _store(path: Path, result: dict) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(plain(result), indent=1))
    tmp.replace(path)  # atomic: a killed worker never leaves a half-written result
    return dict(result, skipped=False)


def run_config(experiment: PathStarExperiment, out_dir: Path | str = RESULTS_DIR, device=None,
               verbose: bool = False) -> dict:
    """Train one experiment unless its result file already holds it; return the stored result. Peak
    CUDA memory and steps/s are recorded for the paper-scale runs."""
    key, path, done = _stored(experiment, out_dir, verbose)
    if done is not None:
        return done
    dev = torch.device(device) if device is not None else None
    if dev is not None and dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    t0 = time.perf_counter()
    run = experiment.run(progress=verbose, device=dev)
    wall = time.perf_counter() - t0
    h = run.history
    last = h.evals[-1]
    return _store(path, dict(
        config=key,
        final={k: last[k] for k in CURVE_METRICS},
        steps_to_90=h.first_step("test_exact", 0.9),
        curve=dict(h.curves(tuple(k for k in TRACKED if k in last)), seconds=[round(e["time"], 1) for e in h.evals]),
        nodes=run.task.graph.n, params=run.model.num_params(), train_seconds=h.wall_time,
        steps_per_s=len(h.loss) / max(h.wall_time, 1e-9),
        provenance=provenance(device=str(next(run.model.parameters()).device), wall_time_s=round(wall, 1),
                              peak_cuda_mb=(torch.cuda.max_memory_allocated(dev) / 2 ** 20
                                            if dev is not None and dev.type == "cuda" else None))))


def run_in_context_config(experiment: InContextExperiment, out_dir: Path | str = RESULTS_DIR,
                          verbose: bool = False) -> dict:
    """``run_config`` for chapter 03a's in-context experiments: the stored curve holds greedy exact match
    (``test_exact``) and teacher-forced accuracy by target position (``test_positions``) on the fixed
    unseen graphs, under the names the path-star results use."""
    key, path, done = _stored(experiment, out_dir, verbose)
    if done is not None:
        return done
    t0 = time.perf_counter()
    run = experiment.run(progress=verbose)
    wall = time.perf_counter() - t0
    h = run.history
    curve = dict(steps=[int(e["step"]) for e in h.evals], test_exact=[float(e["exact_match"]) for e in h.evals],
                 test_positions=[[float(x) for x in e["teacher_forced"]] for e in h.evals],
                 seconds=[round(e["time"], 1) for e in h.evals])
    return _store(path, dict(
        config=key, final=dict(test_exact=curve["test_exact"][-1], test_positions=curve["test_positions"][-1]),
        curve=curve, node_guess=run.task.node_guess, params=run.model.num_params(),
        train_seconds=h.wall_time, steps_per_s=len(h.loss) / max(h.wall_time, 1e-9),
        provenance=provenance(device="cpu", wall_time_s=round(wall, 1))))


def load_results(out_dir: Path | str = RESULTS_DIR) -> list[dict]:
    """Every result file in ``out_dir`` (sorted by config)."""
    rows = [json.loads(p.read_text()) for p in sorted(Path(out_dir).glob("run-*.json"))]
    return sorted(rows, key=lambda r: json.dumps(r["config"], sort_keys=True))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m geomem_utils.experiments.sweeps", description=__doc__.split("\n")[0])
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
    co = sub.add_parser("cost", help="steps-to-90%% and memory vs graph size (chapter 09)")
    st = sub.add_parser("stretch", help="G_{5000,5} on this machine within a time budget (chapter 09)")
    st.add_argument("--minutes", type=float, default=60.0)
    for p in (ph, pa, st, co):
        p.add_argument("--out", default=str(RESULTS_DIR))
    a = ap.parse_args(argv)
    if a.cmd == "phase":
        configs = phase_configs()
        if a.list:
            for i, c in enumerate(configs):
                print(i, json.dumps(plain(cache_key(c))))
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
            s_ = c.settings()
            print(f"d={s_['d']:>5} l={s_['l']} w={s_['width']:>3} depth={s_['depth']}: held-out exact "
                  f"{r['final']['test_exact']:.2f}, first hop {r['final']['test_first_hop']:.2f}"
                  f"{' (cached)' if r['skipped'] else ''}")
    elif a.cmd == "cost":
        runs, memory = cost_results(Path(a.out if a.out != str(RESULTS_DIR) else COST_DIR), verbose=True)
        for r in runs:
            print(f"d={r['config']['graph']['d']:>5}: {r['nodes']} nodes, 90% held-out exact at step "
                  f"{r['steps_to_90']}, {r['steps_per_s']:.1f} steps/s")
        for r in memory["rows"]:
            print(f"{r['nodes']:>6} nodes, softmax {'sampled' if r['sampled_softmax'] else 'full':>7}: "
                  f"+{r['training_mb']:.0f} MB to train")
    elif a.cmd == "stretch":
        out = a.out if a.out != str(RESULTS_DIR) else STRETCH_DIR
        r = run_config(stretch_experiment(a.minutes), out, verbose=False)
        for s_, t, e, f in zip(r["curve"]["steps"], r["curve"]["seconds"], r["curve"]["test_exact"],
                               r["curve"]["test_first_hop"]):
            print(f"step {s_:>6} ({t / 60:5.1f} min): held-out exact {e:.2f}, first hop {f:.2f}")
    else:
        r = run_config(paper_experiment(a.name, a.steps, a.amp), a.out, device=a.device, verbose=True)
        print(json.dumps({k: r[k] for k in ("final", "nodes", "params", "steps_per_s", "train_seconds")}, indent=1))
        print("peak CUDA memory (MB):", r["provenance"]["peak_cuda_mb"])


if __name__ == "__main__":
    main()
