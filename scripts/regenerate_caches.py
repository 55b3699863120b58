"""Recompute every cached result under data/ that a chapter loads (train-or-load keyed by the experiment).

    .venv/bin/python scripts/regenerate_caches.py            # what is missing (about 25 minutes if all are)
    .venv/bin/python scripts/regenerate_caches.py --retrain  # everything, overwriting
    .venv/bin/python scripts/regenerate_caches.py --only 08_mamba 07_knobs

The chapters build the same experiment objects (the functions below), so the files written here are the
files they load. The sweeps of chapter 09 have their own command: ``python -m geomem_utils.experiments.sweeps``.
Run nothing else heavy meanwhile: training times are stored as provenance.
"""
import argparse

from geomem_utils.cache import load_or_compute, train_or_load
from geomem_utils.experiments import ablations, analyses, erosion, knobs, longer, record_tiny
from geomem_utils.experiments.in_context import chapter_03a
from geomem_utils.experiments.path_star import PATH_STAR_DEFAULTS, path_star_experiment
from geomem_utils.experiments.spectral_bias import StarSpectralBias
from geomem_utils.experiments.tiny import dynamics_study, tiny_memory_study, tiny_report_study

# chapter 04's three objectives: quick mode at chapter 02's defaults, default mode on G_(300,5) at 600 steps
CH04_QUICK = dict(PATH_STAR_DEFAULTS, d=200, steps=400)
CH04 = dict(PATH_STAR_DEFAULTS, d=300, steps=600)


def ch04(mode: str, settings: dict):
    """Chapter 04's run of one objective, as its first code cells build it."""
    return path_star_experiment(**settings, path_mode=mode, seed=0, eval_every=settings["steps"])


# name -> (how it is cached, what makes it); ordered by chapter
CACHES = {
    "03a_forward": (train_or_load, lambda: chapter_03a(reverse=False)),
    "03a_reverse": (train_or_load, lambda: chapter_03a(reverse=True)),
    "04_forward (quick mode)": (train_or_load, lambda: ch04("forward", CH04_QUICK)),
    "04_first_hop (quick mode)": (train_or_load, lambda: ch04("first_hop", CH04_QUICK)),
    "04_none (quick mode)": (train_or_load, lambda: ch04("none", CH04_QUICK)),
    "04_forward": (train_or_load, lambda: ch04("forward", CH04)),
    "04_first_hop": (train_or_load, lambda: ch04("first_hop", CH04)),
    "04_none": (train_or_load, lambda: ch04("none", CH04)),
    "tiny_memory_embeddings (1 seed, quick mode)": (load_or_compute, lambda: tiny_memory_study((0,))),
    "tiny_memory_embeddings (3 seeds)": (load_or_compute, lambda: tiny_memory_study((0, 1, 2))),
    "tiny_memory_reports (1 seed, quick mode)": (load_or_compute, lambda: tiny_report_study((0,))),
    "tiny_memory_reports (3 seeds)": (load_or_compute, lambda: tiny_report_study((0, 1, 2))),
    "05_memory_dynamics": (load_or_compute, dynamics_study),
    "05_nn_search": (load_or_compute, record_tiny.nn_search_study),
    "06_node2vec_path_star": (load_or_compute, StarSpectralBias),
    "07_knobs": (load_or_compute, knobs.knob_study),
    **{f"07_knob_search ({k})": (load_or_compute, lambda k=k: record_tiny.knob_search_study(k)) for k in record_tiny.KNOB_CELLS},
    "07_headroom (3 seeds)": (load_or_compute, lambda: knobs.headroom_study((0, 1, 2))),
    "08_directions": (load_or_compute, ablations.directions_study),
    "08_pauses": (load_or_compute, ablations.pauses_study),
    "08_staged": (load_or_compute, ablations.staged_study),
    "08_tree_star": (load_or_compute, ablations.tree_study),
    "08_mamba": (load_or_compute, ablations.mamba_study),
    "09_erosion_probe": (load_or_compute, erosion.erosion_probe),
    "09_long_path_probe": (load_or_compute, lambda: longer.long_path_probe(8)),
    "10_past_convergence": (load_or_compute, analyses.PastConvergence),
    "10_nn_tying": (load_or_compute, analyses.nn_tying_study),
    "10_middle_matrix": (load_or_compute, analyses.middle_matrix_study),
    "10_step_counts": (load_or_compute, analyses.step_count_study),
    "10_directions_search": (load_or_compute, analyses.directions_search_study),
}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--retrain", action="store_true", help="recompute even when a matching file exists")
    ap.add_argument("--only", nargs="*", help="names (prefixes) of the caches to make")
    a = ap.parse_args()
    for name, (cached, make) in CACHES.items():
        if a.only and not any(name.startswith(o) for o in a.only):
            continue
        print(f"== {name}", flush=True)
        kw = dict(retrain=a.retrain)
        if cached is train_or_load:
            kw["progress"] = False
        cached(make(), **kw)
