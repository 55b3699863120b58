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
skipped), ``... --screen 8 --jobs 2`` for the one-knob screen on G_(200,8) (10 runs of 4,000 steps),
``... --probe 8`` for the mechanism probe of the ℓ = 8 race (about a minute), and ``... --paper-graph
"G_(10^4,6)"`` (or ``"G_(10^4,10)"``) for one of the paper's graphs with ``PAPER_GRAPH_RUNS``' budget.
"""
from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

from ..cache import load_or_compute
from ..config import check_choice, check_float, check_int
from ..tasks import IGNORE
from .erosion import ErosionProbe, g5000_experiment
from .path_star import PathStarExperiment, path_star_experiment
from .sweeps import RESULTS_DIR, load_results, result_passage, run_config, stored_result

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


def long_path_experiment(l: int, minutes: float = 30.0, d: int = 200, seed: int = 0,
                         steps: int | None = None) -> PathStarExperiment:
    """The long attempt at ℓ = 8 / 10 (goal: ≥ 0.9 / ≥ 0.5 held-out exact on a graph with d ≥ 200 within
    30 minutes of training): G_{d,ℓ}, ℓ pauses, chapter 02's model and optimiser, a cosine over ``steps``
    (default ``LONG_STEPS[l]``, 20,000 for other ℓ) cut at ``minutes`` of training time, evaluated every
    1,000 steps."""
    check_float("minutes", minutes, minimum=0.0, strict_min=True)
    steps = LONG_STEPS.get(l, 20_000) if steps is None else check_int("steps", steps, minimum=1)
    return path_star_experiment(d=d, l=l, n_pause=l, steps=steps, max_seconds=round(60 * minutes),
                                eval_every=1000, seed=seed)


# More arms per rule: the paper's ℓ = 10 graph has 10^4 arms, ours 200, so a leaf -> v1 lookup has 50x
# fewer leaves to cover here. G_(2000,8) (14,001 nodes) for 30 minutes on one core, its cosine matched to
# the speed of the budget sweep's d = 2,000 cells (3.5-11.6 steps/s).
MORE_ARMS = dict(l=8, d=2000, minutes=30.0, steps=8000)


def more_arms_experiment() -> PathStarExperiment:
    return long_path_experiment(**MORE_ARMS)


# Why does ℓ = 8 fail? On G_(200,8) with chapter 02's recipe every training path is memorized by step
# 500 while the held-out leaves' nearest first hop is their own for only 10% of them, and 49 of 50 wrong
# v1s are another arm's first hop: the path loss is paid by an associative leaf -> v1 lookup before
# the edge loss has made the geometry that would carry v1 to unseen leaves. The screen changes one knob
# at a time, each aimed at that race (slow the lookup down, or build the geometry first), on seed 0,
# 4,000 steps, one core each; a screen, not a verdict.
LONG_SCREEN_DIR = RESULTS_DIR.parent / "long_screen"
LONG_SCREEN_BASE = dict(d=200, l=8, n_pause=8, steps=4000, eval_every=250, seed=0)
LONG_SCREEN = {
    "chapter 02 recipe": {},
    "dropout 0.2": dict(dropout=0.2),
    "staged: edges alone for 2,000 steps": dict(recipe="staged", stage_steps=2000),
    "auxiliary Node2Vec loss 1.0": dict(node2vec_weight=1.0),
    "Laplacian init": dict(init_embeddings="laplacian"),
    "weight decay 1, embeddings too": dict(weight_decay=1.0, decay_embeddings=True),
    "lr 5e-4": dict(lr=5e-4),
    "width 256": dict(width=256),
    "depth 4": dict(depth=4),
    "depth 6": dict(depth=6),
    # what won on G_(5000,5) (section 5b), cut at 15 minutes of training (batch 1,024 is ~4x slower a step)
    "batch 1,024 (15 min)": dict(batch_size=1024, max_seconds=900),
}


def long_screen_configs(l: int = 8) -> dict:
    """``{label: experiment}``: G_(200,ℓ) with ℓ pauses and one knob of ``LONG_SCREEN`` changed."""
    check_int("l", l, minimum=3)
    return {label: path_star_experiment(**dict(LONG_SCREEN_BASE, l=l, n_pause=l, **knob))
            for label, knob in LONG_SCREEN.items()}


def long_screen_rows(l: int = 8, out_dir: Path | str = LONG_SCREEN_DIR) -> list[dict]:
    """One row per screened knob with a stored result: best held-out exact and first hop (over the
    curve), final training exact, steps/s and the evaluation step of the best first hop."""
    rows = []
    for label, experiment in long_screen_configs(l).items():
        r = stored_result(experiment, out_dir)
        if r is None:
            continue
        c = r["curve"]
        i = int(np.argmax(c["test_first_hop"]))
        rows.append(dict(knob=label, best_exact=max(c["test_exact"]), best_first_hop=c["test_first_hop"][i],
                         at_step=c["steps"][i], train_exact=r["final"]["train_exact"], steps=c["steps"][-1],
                         steps_per_s=r["steps_per_s"]))
    return rows


def long_path_probe(l: int = 8, steps: int = 1000, d: int = 200, seed: int = 0) -> ErosionProbe:
    """The race on G_(d,ℓ), ℓ pauses, chapter 02's recipe: ``erosion_measures`` every 250 steps (which
    target position fails, whether held-out leaves sit next to their own first hop, the v1 margin on
    held-out vs training leaves and where the wrong v1s go); cached under data/09_long_path_probe."""
    check_int("l", l, minimum=3)
    return ErosionProbe.of("09_long_path_probe", {"chapter 02 recipe": path_star_experiment(
        d=d, l=l, n_pause=l, steps=steps, eval_every=250, seed=seed)})


@torch.no_grad()
def first_hop_answers(model, task, split: str = "test") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the model answers for v1 (the first hop) under teacher forcing on ``split``'s paths, as
    ``(paths, indices, predicted)``: the graph's root → leaf paths, the split's path indices and the
    predicted node per path (chapter 11 sorts the wrong ones; ``erosion.v1_readout`` counts them)."""
    check_choice("split", split, ("train", "test"))
    was = model.training
    model.eval()
    x, y = task.path_examples(split).inputs_targets(model.token_embedding.weight.device)
    rows = torch.arange(len(x))
    at = (y != IGNORE).float().argmax(1) + 1   # the target after the root is v1
    predicted = model.readout(model(x))[rows, at].argmax(1).cpu().numpy()
    model.train(was)
    return task.graph.paths, np.asarray(task.split_indices(split)), predicted


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


# The 2-core G_(5000,5) runs toward the goal (>= 0.95 held-out exact within 20 minutes, no erosion after):
# the 5-pause full-softmax recipe at batch 256, then the ablation's winner (batch 512), then twice that
# batch, each cosine matched to the time at the speed measured. Stored in data/g5000 by
# ``python -m geomem_utils.experiments.erosion --g5000 MIN --batch B --steps S --eval-every E --out data/g5000``.
G5000_RUNS = {"batch 256, 15 min": dict(minutes=15),
              "batch 512, 20 min": dict(minutes=20, batch_size=512, steps=5000, eval_every=500),
              "batch 1024, 20 min": dict(minutes=20, batch_size=1024, steps=2400, eval_every=400)}
# Not run yet: what comes after the goal. The same recipe with twice the schedule (about 35 minutes on 2
# cores) would say whether held-out accuracy holds past 0.95: ``g5000_experiment(40, batch_size=1024,
# steps=4800, eval_every=400)``.
G5000_RUNS_DIR = RESULTS_DIR.parent / "g5000"


def goal_and_after(result: dict, goal: float = 0.95, metric: str = "test_exact") -> dict:
    """Read "reach ``goal`` within the time, with no erosion after it" off one stored curve: the first
    evaluation at or above ``goal`` (its step and training minutes; None if never), the best value, and
    ``after``: the lowest value from that evaluation to the end as a share of ``goal``'s first value
    (None if never reached)."""
    check_float("goal", goal, minimum=0.0, maximum=1.0)
    c = result["curve"]
    values = np.asarray(c[metric], dtype=float)
    hit = np.flatnonzero(values >= goal)
    out = dict(best=float(values.max()), final=float(values[-1]), steps=int(c["steps"][-1]),
               minutes=float(c["seconds"][-1]) / 60)
    if not len(hit):
        return dict(out, step=None, at_minutes=None, after=None)
    i = int(hit[0])
    return dict(out, step=int(c["steps"][i]), at_minutes=float(c["seconds"][i]) / 60,
                after=float(values[i:].min() / values[i]))


def g5000_runs() -> dict:
    """``{label: experiment}`` of ``G5000_RUNS`` (``erosion.g5000_experiment``, 2 cores each)."""
    return {label: g5000_experiment(**kw) for label, kw in G5000_RUNS.items()}


# The paper's own graphs on a laptop (paper Table 1: 5 / 6 / 10 pauses for G_(5000,5) / G_(10^4,6) /
# G_(10^4,10)): chapter 02's model and optimiser with what won on G_(5000,5) (the full softmax, batch
# 512), the paper's pause count, a cosine over ``steps`` cut at ``minutes`` of training time on one core.
PAPER_GRAPH_DIR = RESULTS_DIR.parent / "paper_graphs"
PAPER_GRAPHS = {"G_(5000,5)": (5000, 5), "G_(10^4,6)": (10_000, 6), "G_(10^4,10)": (10_000, 10)}


def paper_graph_experiment(graph: str, minutes: float = 60.0, steps: int = 4000, batch_size: int = 512,
                           eval_every: int = 500, **knob) -> PathStarExperiment:
    """One of ``PAPER_GRAPHS`` with ℓ pauses, the full softmax, ``batch_size``, a cosine over ``steps``
    cut at ``minutes`` of training time, evaluated every ``eval_every`` steps; ``knob``: flat settings on
    top (e.g. ``dropout=0.2``)."""
    check_choice("graph", graph, tuple(PAPER_GRAPHS))
    check_float("minutes", minutes, minimum=0.0, strict_min=True)
    d, l = PAPER_GRAPHS[graph]
    return path_star_experiment(**dict(dict(d=d, l=l, n_pause=l, batch_size=batch_size, sampled_softmax=0,
                                            steps=steps, max_seconds=round(60 * minutes), eval_every=eval_every),
                                       **knob))


# Chapter 09's stored runs (section 5c): (minutes, cosine steps) per graph, one core each; the cosine is
# matched to the time at the speed measured (1.2 steps/s on G_(10^4,6), ~0.6 on G_(10^4,10)).
PAPER_GRAPH_RUNS = {"G_(10^4,6)": (60, 4000), "G_(10^4,10)": (45, 1500)}


def paper_graph_runs() -> dict:
    """``{graph: experiment}`` of the stored paper-graph runs (``PAPER_GRAPH_RUNS``)."""
    return {graph: paper_graph_experiment(graph, minutes, steps) for graph, (minutes, steps) in PAPER_GRAPH_RUNS.items()}


# What won on G_(5000,5) after the first paper-graph runs (batch 1,024: 0.97 where batch 512 reached 0.86),
# on G_(10^4,6) with both cores for the goal's 60 minutes, a cosine matched to the time (~1 step/s).
PAPER_GRAPH_BIG_BATCH = {"G_(10^4,6)": dict(minutes=60, steps=3600, batch_size=1024)}


def paper_graph_big_batch_runs() -> dict:
    """``{graph: experiment}`` of ``PAPER_GRAPH_BIG_BATCH`` (2 cores; stored beside the one-core runs)."""
    return {graph: paper_graph_experiment(graph, **kw) for graph, kw in PAPER_GRAPH_BIG_BATCH.items()}


def _run(experiment, out_dir):
    return run_config(experiment, out_dir)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m geomem_utils.experiments.longer", description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=1, help="parallel worker processes (one torch thread each)")
    ap.add_argument("--long", type=int, metavar="L", help="one long run on G_(200,L) instead of the diagram")
    ap.add_argument("--minutes", type=float, default=None,
                    help="training time of the long run (30) or the paper-graph run (PAPER_GRAPH_RUNS)")
    ap.add_argument("--more-arms", action="store_true", help="G_(2000,8) for 30 minutes (MORE_ARMS) instead")
    ap.add_argument("--g5000-ablation", action="store_true", help="the one-knob ablation on G_(5000,5)")
    ap.add_argument("--screen", type=int, metavar="L", help="the one-knob screen on G_(200,L)")
    ap.add_argument("--probe", type=int, metavar="L", help="the mechanism probe on G_(200,L) (data/09_long_path_probe)")
    ap.add_argument("--paper-graph", choices=sorted(PAPER_GRAPHS), help="one of the paper's graphs (--minutes, --steps)")
    ap.add_argument("--steps", type=int, default=None, help="cosine length of the --paper-graph run (PAPER_GRAPH_RUNS)")
    ap.add_argument("--big-batch", action="store_true",
                    help="with --paper-graph: the batch-1,024 run of PAPER_GRAPH_BIG_BATCH (run alone, 2 cores)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    if a.probe:
        probe, _ = load_or_compute(long_path_probe(a.probe))
        for e in probe["chapter 02 recipe"]["evals"]:
            print({k: e[k] for k in ("step", "test_exact", "train_exact", "nearest_own", "margin_test",
                                     "margin_train", "wrong_test") if k in e})
        return
    if a.paper_graph:
        minutes, steps = PAPER_GRAPH_RUNS.get(a.paper_graph, (60, 4000))
        experiment = (paper_graph_big_batch_runs()[a.paper_graph] if a.big_batch else
                      paper_graph_experiment(a.paper_graph, a.minutes or minutes, a.steps or steps))
        r = run_config(experiment, a.out or str(PAPER_GRAPH_DIR),
                       verbose=True)
        c = r["curve"]
        for s_, t, e, f in zip(c["steps"], c["seconds"], c["test_exact"], c["test_first_hop"]):
            print(f"step {s_:>6} ({t / 60:5.1f} min): held-out exact {e:.2f}, first hop {f:.2f}")
        return
    if a.screen:
        out = a.out or str(LONG_SCREEN_DIR)
        screen = long_screen_configs(a.screen)
        with ProcessPoolExecutor(max(1, a.jobs), initializer=torch.set_num_threads, initargs=(1,)) as pool:
            results = list(pool.map(_run, screen.values(), [out] * len(screen)))
        for label, r in zip(screen, results):
            c = r["curve"]
            print(f"{label}: best held-out exact {max(c['test_exact']):.2f} (first hop {max(c['test_first_hop']):.2f}),"
                  f" final {c['test_exact'][-1]:.2f}, training paths {r['final']['train_exact']:.2f}")
        return
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
    if a.more_arms:
        r = run_config(more_arms_experiment(), a.out or str(LONG_DIR), verbose=True)
        print({k: round(v, 3) for k, v in r["final"].items()})
        return
    if a.long:
        r = run_config(long_path_experiment(a.long, a.minutes or 30.0), a.out or str(LONG_DIR), verbose=False)
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
