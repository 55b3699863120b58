"""Our recipe on the paper's exact data: the authors' own G_(5000,5) files instead of our G_(5000,5).

Our G_(5000,5) (``graphs.path_star(5000, 5, seed=0)``) and the authors' (their
``star_deg_5000_deg_tree_1_path_5_nodes_20001_sd_00_fb_11`` files) are the same family with other ids and
another 3,750 / 1,250 leaf split. The run here is the recipe that reached ≥ 0.95 held-out exact on ours
(``longer.G5000_RUNS["batch 1024, 20 min"]``: 5 pauses, the full softmax, batch 1,024, a cosine over 2,400
steps cut at 20 minutes of training on 2 cores, evaluated every 400 steps), with the graph, split and
edge examples taken from the authors' files (``path_star.on_authors_files``). Its curve (held-out
exact and first hop by step and by training minute) is stored under ``data/authors/`` with the files'
name and sha256 in its config, never the files.

Regenerate: ``python -m geomem_utils.experiments.authors_runs --g5000 PATH`` where PATH is a clone of
the authors' repository (or any folder below which their G_(5000,5) files lie, or the files' common
prefix), about 20 minutes on 2 cores; ``--minutes``, ``--steps``, ``--eval-every`` and ``--out`` shorten it for a check.
``--export DIR`` writes our G_(5000,5) task in the authors' format instead.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..authors_data import PAPER_STEMS, export_authors_files, from_authors_files
from ..config import check_float, check_int
from .erosion import g5000_experiment
from .longer import G5000_RUNS, G5000_RUNS_DIR, g5000_runs
from .path_star import PathStarExperiment, on_authors_files
from .sweeps import RESULTS_DIR, load_results, run_config, stored_result

AUTHORS_DIR = RESULTS_DIR.parent / "authors"
RECIPE = "batch 1024, 20 min"     # the G5000_RUNS entry that reached >= 0.95 on our G_(5000,5)


def authors_g5000_experiment(files, minutes: float | None = None, steps: int | None = None,
                             eval_every: int | None = None) -> PathStarExperiment:
    """``RECIPE`` (``erosion.g5000_experiment`` with ``G5000_RUNS[RECIPE]``) on the authors' files at
    ``files`` (a path or an ``AuthorsData``); ``minutes``, ``steps``, ``eval_every`` override the
    recipe's training time, cosine length and evaluation period (e.g. a short check)."""
    kw = dict(G5000_RUNS[RECIPE])
    if minutes is not None:
        kw["minutes"] = check_float("minutes", minutes, minimum=0.0, strict_min=True)
    if steps is not None:
        kw["steps"] = check_int("steps", steps, minimum=1)
    if eval_every is not None:
        kw["eval_every"] = check_int("eval_every", eval_every, minimum=1)
    return on_authors_files(g5000_experiment(**kw), files)


def curve_rows(result: dict) -> list[dict]:
    """One row per evaluation of a stored ``run_config`` result: step, training minutes, held-out exact
    and first hop, training exact."""
    c = result["curve"]
    return [dict(step=int(s), minutes=round(t / 60, 2), test_exact=float(e), test_first_hop=float(f),
                 train_exact=float(r))
            for s, t, e, f, r in zip(c["steps"], c["seconds"], c["test_exact"], c["test_first_hop"], c["train_exact"])]


def authors_result(out_dir=AUTHORS_DIR) -> dict | None:
    """The stored run of the full recipe on the authors' files under ``out_dir`` (the one with the most
    training time when several are stored, e.g. a shortened check beside it), or None; nothing is trained."""
    runs = load_results(out_dir)      # a missing folder globs to nothing
    return max(runs, key=lambda r: (r["config"]["train"]["max_seconds"] or 0, r["curve"]["steps"][-1]), default=None)


def ours_g5000() -> dict | None:
    """The stored run of ``RECIPE`` on our own G_(5000,5) (``data/g5000``), or None; nothing is trained."""
    return stored_result(g5000_runs()[RECIPE], G5000_RUNS_DIR)


def _print_curves(result: dict, ours: dict | None) -> None:
    mine = {r["step"]: r for r in curve_rows(ours)} if ours else {}
    print(f"{'step':>6} {'minutes':>7}  held-out exact  first hop   (our G_(5000,5): exact, first hop)")
    for r in curve_rows(result):
        o = mine.get(r["step"])
        ref = f"   ({o['test_exact']:.2f}, {o['test_first_hop']:.2f})" if o else ""
        print(f"{r['step']:>6} {r['minutes']:>7.1f}  {r['test_exact']:>14.2f}  {r['test_first_hop']:>9.2f}{ref}")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m geomem_utils.experiments.authors_runs",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--g5000", metavar="PATH", help="the authors' G_(5000,5) files: a folder above them "
                    "(e.g. a clone of their repository) or their common prefix")
    recipe = G5000_RUNS[RECIPE]
    ap.add_argument("--minutes", type=float, default=None, help=f"training time (recipe: {recipe['minutes']})")
    ap.add_argument("--steps", type=int, default=None, help=f"cosine length (recipe: {recipe['steps']})")
    ap.add_argument("--eval-every", type=int, default=None,
                    help=f"evaluation period (recipe: {recipe['eval_every']})")
    ap.add_argument("--out", default=str(AUTHORS_DIR), help="result folder (default data/authors)")
    ap.add_argument("--export", metavar="DIR", help="write our G_(5000,5) task in the authors' format to DIR")
    a = ap.parse_args(argv)
    if a.export:
        task = g5000_experiment().make_task()
        out = export_authors_files(task, a.export)
        print("\n".join(str(p) for p in out["files"].values()))
        print("train_in_weights.py " + " ".join(out["args"]))
        return out
    if not a.g5000:
        ap.error("give --g5000 PATH (the authors' files) or --export DIR")
    try:  # a bad file is one line naming file and line, not a traceback
        data = from_authors_files(a.g5000, PAPER_STEMS["G_(5000,5)"] if Path(a.g5000).is_dir() else None)
    except ValueError as err:
        ap.error(str(err))
    print(data)
    experiment = authors_g5000_experiment(data, a.minutes, a.steps, a.eval_every)
    result = run_config(experiment, Path(a.out), verbose=True)
    _print_curves(result, ours_g5000())
    return result


if __name__ == "__main__":
    main()
