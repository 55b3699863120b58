"""The core of the pre-registered searches (the reproduction record of chapters 03a, 03b, 05, 07, 08).

A disagreement is a finding only after a search. Each ``Search`` states, before anything runs, the
hypothesis, the grid (learning rate × steps × ≥ 3 seeds, plus the paper's or the authors' settings where
they are known) and what would count as reproducing the claim. Its runs are ``PathStarExperiment``s
stored by ``sweeps.run_config`` (one resumable JSON file per run, config + provenance) under
``data/searches/<name>/``; the steps axis is read off each run's evaluated curve. ``verdict`` applies
the pre-registered criterion to the stored runs.

This module holds what every search shares: the ``Search`` dataclasses, the registry ``SEARCHES`` (with
each search's criterion, ``register``), the stored results, the per-cell tables and curves, the live
check and ``verdict``. The searches themselves are registered by ``record_path_star`` (C3, C12, C13,
C15, Mamba) and ``record_in_context`` (C1); ``searches`` imports them all, with the CLI.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..config import check_choice, check_float
from . import ablations
from .ablations import BASE
from .in_context import CHAPTER_03A, InContextExperiment
from .path_star import PathStarExperiment, path_star_experiment
from .sweeps import run_config, run_in_context_config, stored_result

SEARCH_DIR = Path(__file__).resolve().parents[2] / "data" / "searches"
SEEDS = (0, 1, 2)


@dataclass(frozen=True)
class Search:
    """One claim's pre-registered search: ``cells`` maps a label to the settings that differ from
    ``base`` (chapter 08's G_(100,5) model unless ``base`` says otherwise); every cell runs on ``seeds``."""

    claim: str
    chapter: str
    hypothesis: str
    reproduces: str                  # the criterion, in words, written before the runs
    cells: dict
    base: dict = field(default_factory=dict)
    seeds: tuple = SEEDS

    def experiment(self, label: str, seed: int) -> PathStarExperiment:
        check_choice("label", label, tuple(self.cells))
        return path_star_experiment(**{**BASE, **self.base, **self.cells[label], "seed": seed})

    def experiments(self) -> list[PathStarExperiment]:
        return [self.experiment(label, s) for label in self.cells for s in self.seeds]

    def base_settings(self) -> dict:
        return {**BASE, **self.base}


@dataclass(frozen=True)
class InContextSearch(Search):
    """A search whose runs are chapter 03a's in-context experiments (``CHAPTER_03A`` with reverse targets
    unless ``base`` says otherwise), stored by ``sweeps.run_in_context_config``."""

    def experiment(self, label: str, seed: int) -> InContextExperiment:
        check_choice("label", label, tuple(self.cells))
        return InContextExperiment.from_settings(**{**self.base_settings(), **self.cells[label], "seed": seed})

    def base_settings(self) -> dict:
        return {**CHAPTER_03A, "reverse": True, **self.base}



# A search's verdict in the claims registry's words (``claims.VERDICTS``).
REGISTRY_WORD = {"reproduces": "agree", "partly": "partly", "does not reproduce in the grid": "disagree"}
LRS = (5e-4, 2e-3, 5e-3)

SEARCHES: dict[str, Search] = {}      # name -> its pre-registration (filled by ``register``)
# name -> its criterion: ``criterion(search, results, rows, done)`` returns ``(verdict, under, extra)``;
# ``rows`` is ``{cell: cell_rows row}``, ``done(cell)`` the cell's stored runs ([] unless every seed is stored)
CRITERIA: dict[str, Callable] = {}


def register(name: str, search: Search, criterion: Callable) -> Search:
    """Add search ``name`` and its pre-registered criterion to ``SEARCHES`` (once)."""
    if name in SEARCHES:
        raise ValueError(f"search: {name!r} is registered already")
    SEARCHES[name], CRITERIA[name] = search, criterion
    return search


def search_of(name: str) -> Search:
    check_choice("search", name, tuple(SEARCHES))
    return SEARCHES[name]


def search_results(name: str, out_dir: Path | str | None = None) -> dict:
    """``{label: [stored result per seed, None where missing]}``: nothing is trained."""
    s = search_of(name)
    out = Path(out_dir) if out_dir is not None else SEARCH_DIR / name
    return {label: [stored_result(s.experiment(label, seed), out) for seed in s.seeds] for label in s.cells}


def search_provenance(name: str, results: dict | None = None) -> str:
    """One provenance line for the stored runs of search ``name``: how many, when, with which torch, and
    their training time summed over runs (each on one torch thread: core-minutes)."""
    results = search_results(name) if results is None else results
    prov = [r.get("provenance", {}) for runs in results.values() for r in runs if r is not None]
    if not prov:
        return f"{name}: no stored runs"
    dates = sorted(p.get("date", "?") for p in prov)
    versions = ", ".join(sorted({str(p.get("torch", "?")) for p in prov}))
    minutes = sum(p.get("wall_time_s", 0.0) for p in prov) / 60
    return (f"{name}: {len(prov)} runs stored, computed {dates[0]} to {dates[-1]} (torch {versions}), "
            f"{minutes:,.0f} core-minutes of training")


def steps_to(result: dict, threshold: float, metric: str = "test_exact"):
    """First evaluated step of a stored run at which ``metric`` >= ``threshold`` (None: never)."""
    return ablations.steps_to(result["curve"], threshold, metric)


def best(result: dict, metric: str = "test_exact") -> float:
    return float(max(result["curve"][metric]))


def cell_rows(name: str, threshold: float = 0.5, results: dict | None = None) -> list[dict]:
    """One row per cell: seeds present, held-out exact (final and best: mean, min, max over seeds),
    steps to ``threshold`` per seed, and the final teacher-forced / greedy accuracy by position (seed mean)
    where tracked."""
    check_float("threshold", threshold, minimum=0.0, maximum=1.0)
    results = search_results(name) if results is None else results
    rows = []
    for label, runs in results.items():
        done = [r for r in runs if r is not None]
        row = dict(cell=label, seeds=len(done))
        if done:
            final = [r["final"]["test_exact"] for r in done]
            peak = [best(r) for r in done]
            row.update(final=float(np.mean(final)), final_min=float(min(final)), final_max=float(max(final)),
                       best=float(np.mean(peak)), best_min=float(min(peak)), best_max=float(max(peak)),
                       # an in-context run has neither (no fixed graph: no training paths, and v1 has no
                       # held-out split of its own)
                       first_hop=float(np.mean([r["final"].get("test_first_hop", np.nan) for r in done])),
                       train=float(np.mean([r["final"].get("train_exact", np.nan) for r in done])),
                       steps_to=[steps_to(r, threshold) for r in done],
                       steps=done[0]["curve"]["steps"][-1])
            for key in ("test_positions", "test_greedy_positions"):
                if key in done[0]["curve"]:
                    row[key] = np.mean([r["curve"][key][-1] for r in done], axis=0).round(3).tolist()
        rows.append(row)
    return rows


def search_table(name: str, threshold: float = 0.5, results: dict | None = None) -> tuple[list, list]:
    """``(headers, rows)`` for ``tables.table``: per cell the seeds stored, held-out exact (best and final:
    mean [min–max] over seeds), held-out first hop and training exact (final, mean), and the steps to
    ``threshold`` held-out exact per seed ("—": not within the run)."""
    rows = []
    for r in cell_rows(name, threshold, results):
        if not r["seeds"]:
            rows.append([r["cell"], 0, "not run", "", "", "", ""])
            continue
        steps = " / ".join("—" if t is None else str(t) for t in r["steps_to"])
        rows.append([r["cell"], r["seeds"], f"{r['best']:.2f} [{r['best_min']:.2f}–{r['best_max']:.2f}]",
                     f"{r['final']:.2f} [{r['final_min']:.2f}–{r['final_max']:.2f}]", _num(r["first_hop"]),
                     _num(r["train"]), steps])
    headers = ["cell", "seeds", "held-out exact: best", "final", "first hop", "train exact",
               f"steps to {threshold:.0%} per seed"]
    return headers, rows


def _num(x: float) -> str:
    return "—" if np.isnan(x) else f"{x:.2f}"


def describe(name: str) -> str:
    """The pre-registration of search ``name`` as the chapters print it before the results: hypothesis,
    grid (cells × seeds, with the base steps and evaluation period) and the criterion."""
    s = search_of(name)
    base = s.base_settings()
    cells = "\n".join(f"  - {label}" for label in s.cells)
    if isinstance(s, InContextSearch):
        return (f"{s.claim} search '{name}' (chapter {s.chapter})\n"
                f"hypothesis: {s.hypothesis}\n"
                f"grid: {len(s.cells)} cells x seeds {list(s.seeds)} = {len(s.experiments())} runs; base: in-context "
                f"G_({base['d']},{base['l']}) over {base['n_labels']} labels, {'reverse' if base['reverse'] else 'forward'} "
                f"targets, width {base['width']}, depth {base['depth']}, {base['heads']} heads, batch "
                f"{base['batch_size']}, {base['steps']} steps evaluated every {base['eval_every']} on "
                f"{base['n_test']} unseen graphs (cells may override):\n{cells}\n"
                f"reproduces if: {s.reproduces}")
    return (f"{s.claim} search '{name}' (chapter {s.chapter})\n"
            f"hypothesis: {s.hypothesis}\n"
            f"grid: {len(s.cells)} cells x seeds {list(s.seeds)} = {len(s.experiments())} runs; base "
            f"G_({base['d']},{base['l']}) {base.get('family', 'path_star')}, width {base['width']}, depth "
            f"{base['depth']}, batch {base['batch_size']}, {base['steps']} steps evaluated every "
            f"{base['eval_every']} (cells may override):\n{cells}\n"
            f"reproduces if: {s.reproduces}")


def cell_curves(name: str, metric: str = "test_exact", results: dict | None = None) -> dict:
    """``{label: (steps, values)}``: ``values`` is (seeds, evaluations[, positions]) of ``metric`` for the
    stored seeds of each cell (cells with no stored run are left out)."""
    results = search_results(name) if results is None else results
    out = {}
    for label, runs in results.items():
        done = [r for r in runs if r is not None]
        if done:
            n = min(len(r["curve"]["steps"]) for r in done)
            out[label] = (np.asarray(done[0]["curve"]["steps"][:n]), np.asarray([r["curve"][metric][:n] for r in done]))
    return out


def live_check(name: str, label: str, seed: int = 0, tolerance: float = 0.04, progress: bool = False) -> dict:
    """Retrain one run of a search now and compare its held-out exact-match curve with the stored one:
    ``max_diff`` over evaluations and ``matches`` (<= ``tolerance``; the default is one held-out path in 25:
    the stored runs used one torch thread, a notebook may use more, and float sums then round differently)."""
    check_float("tolerance", tolerance, minimum=0.0, maximum=1.0)
    s = search_of(name)
    stored = stored_result(s.experiment(label, seed), SEARCH_DIR / name)
    if stored is None:
        raise ValueError(f"search {name!r} has no stored run for cell {label!r}, seed {seed}: run "
                         f"`python -m geomem_utils.experiments.searches {name}` first")
    run = s.experiment(label, seed).run(progress=progress)
    if isinstance(s, InContextSearch):  # stored under the path-star results' name
        live = dict(steps=[int(e["step"]) for e in run.history.evals],
                    test_exact=[float(e["exact_match"]) for e in run.history.evals])
    else:
        live = run.history.curves(("test_exact",))
    diff = float(np.max(np.abs(np.asarray(live["test_exact"]) - np.asarray(stored["curve"]["test_exact"]))))
    return dict(max_diff=diff, matches=diff <= tolerance and live["steps"] == stored["curve"]["steps"],
                final_live=live["test_exact"][-1], final_stored=stored["final"]["test_exact"], run=run)


def verdict(name: str, results: dict | None = None) -> dict:
    """The pre-registered criterion of search ``name`` applied to its stored runs: ``verdict`` is
    "reproduces", "partly" or "does not reproduce in the grid", with ``under`` (the cells that meet it)
    and ``complete`` (every run of the grid is stored)."""
    s = search_of(name)
    results = search_results(name) if results is None else results
    complete = all(r is not None for runs in results.values() for r in runs)
    rows = {r["cell"]: r for r in cell_rows(name, results=results)}
    # a cell counts only with every seed stored: an incomplete cell can neither meet nor miss the criterion
    done = lambda label: results[label] if all(r is not None for r in results[label]) else []  # noqa: E731
    v, under, extra = CRITERIA[name](s, results, rows, done)
    return dict(verdict=v, under=under, complete=complete, **extra)


def store_run(experiment, out_dir, verbose: bool = False) -> dict:
    """Train ``experiment`` unless ``out_dir`` holds its result (path-star: ``sweeps.run_config``; in
    context: ``sweeps.run_in_context_config``)."""
    if isinstance(experiment, InContextExperiment):
        return run_in_context_config(experiment, out_dir, verbose=verbose)
    return run_config(experiment, out_dir, verbose=verbose)

