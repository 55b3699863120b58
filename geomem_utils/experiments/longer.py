"""Longer paths and a budget axis: chapter 09's phase diagram redone with the pause count and the
training time as axes instead of fixed (paper §2 and Table 1: 5 / 6 / 10 pauses for ℓ = 5 / 6 / 10).

Chapter 09's first diagram trained every cell for 600 steps with one pause and read "ℓ = 8 fails
everywhere". Here every cell — ℓ ∈ {4, 5, 6, 8, 10}, d ∈ {20, 200, 2000}, one pause or the paper's ℓ,
two seeds — trains under the same stated budget of ``BUDGET_SECONDS`` of training time on one core
(two cells run side by side on a 2-core laptop), with chapter 02's optimiser and a cosine schedule over
``BUDGET_STEPS``; its curve records steps and seconds, so steps- and time-to-threshold are read off it
rather than only the accuracy at the end. ``long_path_experiment`` is the 30-minute attempt at ℓ = 8
and ℓ = 10 on d = 200.

Regenerate: ``python -m geomem_utils.experiments.longer --jobs 2`` (60 cells, about 37 minutes on 2
cores), ``... --long L --minutes 30`` for one long run, ``... --g5000-ablation --jobs 2`` for the
one-knob ablation on G_(5000,5) (4 runs of 10 minutes, about 25 minutes; resumable: a stored run is
skipped).
"""
from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

from ..config import check_choice, check_float, check_int
from .path_star import PathStarExperiment, path_star_experiment
from .sweeps import RESULTS_DIR, load_results, result_passage, run_config

BUDGET_DIR = RESULTS_DIR.parent / "budget"
LONG_DIR = RESULTS_DIR.parent / "long_paths"
BUDGET_LS, BUDGET_DS, BUDGET_SEEDS = (4, 5, 6, 8, 10), (20, 200, 2000), (0, 1)
PAUSES = ("one", "paper")    # one pause token, or ℓ of them (the paper's 5 / 6 / 10 for ℓ = 5 / 6 / 10)
BUDGET_SECONDS, BUDGET_STEPS = 60, 2000


def n_pause_of(l: int, pauses: str) -> int:
    """The pause count of a cell: 1, or ℓ (the paper's Table 1 count)."""
    check_choice("pauses", pauses, PAUSES)
    return 1 if pauses == "one" else check_int("l", l, minimum=2)


def budget_experiment(d: int, l: int, pauses: str = "one", seed: int = 0,
                      seconds: float = BUDGET_SECONDS) -> PathStarExperiment:
    """One cell of the budget phase diagram: G_{d,ℓ}, chapter 02's model and optimiser (width 128, 2
    layers, lr 2e-3, batch 256), ``n_pause_of(l, pauses)`` pauses, cosine over ``BUDGET_STEPS`` cut at
    ``seconds`` of training time, evaluated every 100 steps."""
    check_float("seconds", seconds, minimum=0.0, strict_min=True)
    return path_star_experiment(d=d, l=l, n_pause=n_pause_of(l, pauses), steps=BUDGET_STEPS,
                                max_seconds=seconds, eval_every=100, seed=seed)


def budget_configs(seeds=BUDGET_SEEDS) -> list[PathStarExperiment]:
    """The 60 cells: ℓ × d × pauses × seeds (largest graphs first, so the slowest cells start early)."""
    return [budget_experiment(d, l, p, s) for d in sorted(BUDGET_DS, reverse=True) for l in BUDGET_LS
            for p in PAUSES for s in seeds]


def _cell_of(result: dict) -> tuple[int, int, str]:
    c = result["config"]
    l, n_pause = c["graph"]["l"], c["task"]["n_pause"]
    return c["graph"]["d"], l, "one" if n_pause == 1 else "paper"


def budget_grid(results: list[dict], pauses: str, metric: str = "test_exact", reduce: str = "mean") -> dict:
    """``{"d", "l", "values"}`` of the final ``metric`` per (ℓ, d) cell for one pause setting, reduced
    over seeds by ``reduce`` ("mean", "min" or "max"; NaN where no seed is stored). Only results made by
    ``budget_experiment`` (chapter 02's model, ``BUDGET_STEPS``) are read."""
    check_choice("pauses", pauses, PAUSES)
    fn = {"mean": np.mean, "min": np.min, "max": np.max}[check_choice("reduce", reduce, ("mean", "min", "max"))]
    cells: dict = {}
    for r in results:
        if r["config"]["train"]["steps"] != BUDGET_STEPS:
            continue
        d, l, p = _cell_of(r)
        if p == pauses:
            cells.setdefault((l, d), []).append(r["final"][metric])
    values = np.full((len(BUDGET_LS), len(BUDGET_DS)), np.nan)
    for (l, d), v in cells.items():
        if l in BUDGET_LS and d in BUDGET_DS:
            values[BUDGET_LS.index(l), BUDGET_DS.index(d)] = fn(v)
    return dict(d=list(BUDGET_DS), l=list(BUDGET_LS), values=values)


def budget_rows(results: list[dict], threshold: float = 0.9) -> list[dict]:
    """One row per stored cell and seed: graph, pauses, seed, final held-out exact and first hop,
    training paths, steps and seconds to ``threshold`` held-out exact (None: not within the budget),
    steps trained and steps/s."""
    rows = []
    for r in results:
        if r["config"]["train"]["steps"] != BUDGET_STEPS:
            continue
        d, l, p = _cell_of(r)
        hit = result_passage(r, threshold)
        rows.append(dict(d=d, l=l, pauses=p, seed=r["config"]["seed"], nodes=r["nodes"],
                         test_exact=r["final"]["test_exact"], test_first_hop=r["final"]["test_first_hop"],
                         train_exact=r["final"]["train_exact"], steps_to=None if hit is None else hit[0],
                         seconds_to=None if hit is None else hit[1], steps=r["curve"]["steps"][-1],
                         steps_per_s=r["steps_per_s"]))
    return sorted(rows, key=lambda x: (x["l"], x["d"], x["pauses"], x["seed"]))


# Cosine length of the long runs, matched to 30 minutes at the speed measured in the budget sweep on
# G_(200,8) and G_(200,10) (one thread, two runs side by side: 15-18 and 14-17 steps/s).
LONG_STEPS = {8: 30_000, 10: 25_000}


def long_path_experiment(l: int, minutes: float = 30.0, d: int = 200, seed: int = 0) -> PathStarExperiment:
    """The long attempt at ℓ = 8 / 10 (goal: ≥ 0.9 / ≥ 0.5 held-out exact on a graph with d ≥ 200 within
    30 minutes of training): G_{d,ℓ}, ℓ pauses, chapter 02's model and optimiser, a cosine over
    ``LONG_STEPS[l]`` (20,000 for other ℓ) cut at ``minutes`` of training time, evaluated every 1,000 steps."""
    check_float("minutes", minutes, minimum=0.0, strict_min=True)
    return path_star_experiment(d=d, l=l, n_pause=l, steps=LONG_STEPS.get(l, 20_000),
                                max_seconds=round(60 * minutes), eval_every=1000, seed=seed)


# Which knob made G_(5000,5) learn? Chapter 09's 60-minute stretch run (sampled softmax, 1 pause, batch
# 512) peaked at 0.22; the paper's 5 pauses with the full softmax and batch 256 reached 0.72 in 15
# minutes. One knob at a time from the latter, each run 10 minutes on one core, two side by side.
G5000_DIR = RESULTS_DIR.parent / "g5000_ablation"
G5000_BASE = dict(d=5000, l=5, n_pause=5, batch_size=256, sampled_softmax=0, steps=4000, eval_every=1000)
G5000_ABLATION = {
    "5 pauses, full softmax, batch 256": {},
    "1 pause": dict(n_pause=1),
    "sampled softmax (4,096 negatives)": dict(sampled_softmax=4096),
    "batch 512": dict(batch_size=512),
}


def g5000_ablation(minutes: float = 10.0) -> dict:
    """``{label: experiment}``: G_(5000,5) with one knob of ``G5000_ABLATION`` changed, a cosine over
    4,000 steps cut at ``minutes`` of training time."""
    check_float("minutes", minutes, minimum=0.0, strict_min=True)
    return {label: path_star_experiment(**dict(G5000_BASE, **knob, max_seconds=round(60 * minutes)))
            for label, knob in G5000_ABLATION.items()}


def _run(experiment, out_dir):
    return run_config(experiment, out_dir)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m geomem_utils.experiments.longer", description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=1, help="parallel worker processes (one torch thread each)")
    ap.add_argument("--long", type=int, metavar="L", help="one long run on G_(200,L) instead of the diagram")
    ap.add_argument("--minutes", type=float, default=30.0, help="training time of the long run")
    ap.add_argument("--g5000-ablation", action="store_true", help="the one-knob ablation on G_(5000,5)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    if a.g5000_ablation:
        out = a.out or str(G5000_DIR)
        configs = list(g5000_ablation().values())
        with ProcessPoolExecutor(max(1, a.jobs), initializer=torch.set_num_threads, initargs=(1,)) as pool:
            results = list(pool.map(_run, configs, [out] * len(configs)))
        for label, r in zip(G5000_ABLATION, results):
            c = r["curve"]
            print(f"{label}: best held-out exact {max(c['test_exact']):.2f}, final {c['test_exact'][-1]:.2f} "
                  f"at step {c['steps'][-1]} ({r['steps_per_s']:.1f} steps/s)")
        return
    if a.long:
        r = run_config(long_path_experiment(a.long, a.minutes), a.out or str(LONG_DIR), verbose=False)
        c = r["curve"]
        for s_, t, e, f in zip(c["steps"], c["seconds"], c["test_exact"], c["test_first_hop"]):
            print(f"step {s_:>6} ({t / 60:5.1f} min): held-out exact {e:.2f}, first hop {f:.2f}")
        return
    out = a.out or str(BUDGET_DIR)
    configs = budget_configs()
    if a.jobs > 1:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // a.jobs))
        with ProcessPoolExecutor(a.jobs, initializer=torch.set_num_threads, initargs=(1,)) as pool:
            list(pool.map(_run, configs, [out] * len(configs)))
    else:
        for c in configs:
            run_config(c, out, verbose=True)
    for row in budget_rows(load_results(Path(out))):
        print(row)


if __name__ == "__main__":
    main()
