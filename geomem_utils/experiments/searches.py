"""Pre-registered searches for the claims where one setting disagreed with the paper (chapters 03a, 03b, 05, 07, 08).

Every search's name is importable from here; the pieces live in the modules of the reproduction record:

* ``record_search`` — the ``Search`` core: pre-registrations, stored results (``data/searches/<name>/``),
  per-cell tables and curves, the live check and ``verdict``;
* ``record_path_star`` — C3's learning order and chapter 08's C12, C13, C15 and Mamba searches;
* ``record_in_context`` — C1's reverse targets in context (chapter 03a);
* ``record_tiny`` — the tiny-graph searches, C16's knobs and C8's neural net (``Study``s cached under
  ``data/``: ``scripts/regenerate_caches.py``).

Regenerate the path-star and in-context searches (about 165 minutes on 2 cores in all, resumable)::

    python -m geomem_utils.experiments.searches --jobs 2            # every search
    python -m geomem_utils.experiments.searches C12_reverse --jobs 2
"""
from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import torch

from .record_search import (CRITERIA, LRS, REGISTRY_WORD, SEARCH_DIR, SEARCHES, SEEDS, InContextSearch,  # noqa: F401
                            Search, best, cell_curves, cell_rows, describe, live_check, register, search_of,
                            search_provenance, search_results, search_table, steps_to, store_run, verdict)
from .record_path_star import c3_order, c12_reverse, c13_pauses, c15_tree, mamba  # noqa: F401
from .record_in_context import c1_reverse  # noqa: F401
from .record_tiny import (AUTHORS, KNOB_CELLS, KNOB_SEARCH, NN_AUTHORS, NN_CELLS, NN_SEARCH, NN_SEEDS,  # noqa: F401
                          TINY_SEARCHES, KnobRun, KnobSearchReports, NNSearchReports, describe_tiny,
                          knob_search_experiment, knob_search_results, knob_search_study, knob_search_verdict,
                          nn_search_experiment, nn_search_study, nn_search_verdict)


def _run(experiment, out_dir):
    torch.set_num_threads(1)
    return store_run(experiment, out_dir)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m geomem_utils.experiments.searches", description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help=f"searches to run (default: all of {list(SEARCHES)})")
    ap.add_argument("--jobs", type=int, default=1, help="parallel worker processes (one torch thread each)")
    a = ap.parse_args(argv)
    names = a.names or ["C3_order", "C1_reverse", "C13_pauses", "C12_reverse", "C15_tree", "Mamba"]  # cheap first
    for n in names:
        search_of(n)
    jobs = [(e, str(SEARCH_DIR / n)) for n in names for e in search_of(n).experiments()]
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as pool:
            for r in pool.map(_run, *zip(*jobs)):
                print(("skip " if r.get("skipped") else "done ") + str(r["config"]["seed"]), r["final"], flush=True)
    else:
        for e, out in jobs:
            store_run(e, out, verbose=True)
    for n in names:
        print(n, verdict(n))


if __name__ == "__main__":
    main()
