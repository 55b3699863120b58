"""Given the geometry: path-star runs whose node embeddings start from coordinates that carry the graph's
geometry, undiluted (chapter 11, paper §3–4: "memorizing geometrically" turns an ℓ-fold composition
into a one-step lookup; at ℓ = 8 plain training never finds that geometry).

A ``GivenGeometry`` run is a ``PathStarExperiment`` (graph, task, model, optimiser, seed) plus a
``start``: the node-token embeddings become k coordinates (``models.carry_embeddings``: rows at mean
norm ``norm``, every other dimension 0), or today's diluted start (``models.set_embeddings``: 16
spectral columns at the init std beside random ones), or nothing (the plain recipe). Each evaluation
also measures the geometry of the live embeddings: one-step navigation and nearest-own on the held-out
leaves, the spectral concentration (share of energy on −L's Fiedler-like eigenspace; graphs up to
``MAX_SPECTRUM_NODES`` nodes) and where wrong held-out first hops land.

Starts (``STARTS``):
  spectral          k eigenvectors of −L (``geometry.spectral_embedding``)
  random            k Gaussian coordinates (the control: same norm, no geometry)
  node2vec          a k-dim 1-hop Node2Vec trained for ``node2vec_steps`` from the edges alone
  node2vec_fiedler  the same Node2Vec projected onto the Fiedler-like eigenspace of −L
  diluted           today's ``init_embeddings="laplacian"`` start (16 spectral columns among random ones)
  none              the plain recipe (random init)
  spectral_kept     the spectral start with its k columns frozen (their gradient zeroed) while every
                    other parameter, the embeddings' other dimensions included, trains: does keeping
                    the geometry in place keep it useful on more arms?
``mix`` < 1 blends the start with k random coordinates, ``mix`` of the energy from the start (rows
normalised first): the concentration curve of section 4 of the search.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..cache import cache_key, provenance
from ..config import check_choice, check_float, check_int, set_seed
from ..evaluation import first_hop_index, path_accuracy
from ..geometry import heatmap_scores, leaf_hop_distances, navigation_accuracy, spectral_embedding
from ..models import carry_embeddings, set_embeddings
from ..node2vec import node2vec_init
from ..spectral import fiedler_vectors, spectral_concentration, spectrum
from ..train import Run, train
from .longer import PAPER_GRAPH_DIR, paper_graph_big_batch_runs, paper_graph_experiment, paper_graph_runs
from .path_star import PathStarExperiment, path_star_experiment
from .sweeps import RESULTS_DIR, _store, _stored, stored_result

STARTS = ("spectral", "random", "node2vec", "node2vec_fiedler", "diluted", "none", "spectral_kept")
MAX_SPECTRUM_NODES = 3000       # a dense eigendecomposition of −L per run; larger graphs skip concentration
GIVEN_DIR = RESULTS_DIR.parent / "given_geometry"


@dataclass(frozen=True)
class GivenGeometry:
    """One path-star run from a geometry-carrying start (see the module docstring)."""

    name: ClassVar[str] = "given_geometry"
    base: PathStarExperiment
    start: str = "spectral"
    k: int = 16
    norm: float = 1.0
    mix: float = 1.0
    node2vec_steps: int = 3000

    def __post_init__(self):
        check_choice("start", self.start, STARTS)
        check_int("k", self.k, minimum=1, maximum=self.base.model.width)
        check_float("norm", self.norm, minimum=0.0, strict_min=True)
        check_float("mix", self.mix, minimum=0.0, maximum=1.0)
        check_int("node2vec_steps", self.node2vec_steps, minimum=1)

    def coordinates(self, graph) -> np.ndarray | None:
        """The start's (n × k) coordinates, blended with random ones when ``mix`` < 1 (None: no carry)."""
        rng = np.random.default_rng(self.base.seed + 10_007)
        if self.start in ("diluted", "none"):
            return None
        if self.start in ("spectral", "spectral_kept"):
            X = spectral_embedding(graph, self.k, seed=self.base.seed)
        elif self.start == "random":
            X = rng.standard_normal((graph.n, self.k))
        else:
            X = node2vec_init(graph, dim=self.k, steps=self.node2vec_steps, seed=self.base.seed)
            if self.start == "node2vec_fiedler":
                F = fiedler_vectors(graph, spectrum(graph))
                X = F @ (F.T @ X)
        if self.mix < 1.0:
            unit = lambda M: M / np.maximum(np.linalg.norm(M, axis=1, keepdims=True), 1e-12)  # noqa: E731
            X = np.sqrt(self.mix) * unit(X) + np.sqrt(1 - self.mix) * unit(rng.standard_normal(X.shape))
        return X

    def initial(self):
        """``(task, model)`` with the start written in, before any training step."""
        if self.base.interventions.init_embeddings != "random":
            raise ValueError("base: give the start here, not through base.interventions.init_embeddings")
        task, model = self.base.initial()
        X = self.coordinates(task.graph)
        if X is not None:
            carry_embeddings(model, X, self.norm)
        if self.start == "spectral_kept":
            n, k = task.graph.n, self.k

            def keep(grad):  # no gradient, so AdamW (no decay on embeddings) never moves these entries
                grad = grad.clone()
                grad[:n, :k] = 0
                return grad
            model.token_embedding.weight.register_hook(keep)
        elif self.start == "diluted":
            set_seed(self.base.seed)
            set_embeddings(model, spectral_embedding(task.graph, 16))
        return task, model

    def run(self, progress: bool = False, device=None) -> Run:
        """Train; the Run's settings hold the start and, under ``at_start``, the measures before step 1."""
        task, model = self.initial()
        measure = live_geometry(task)
        at_start = measure(model)
        hist = train(model, task, self.base.train, seed=self.base.seed, eval_every=self.base.eval.eval_every,
                     evaluate=measure, progress=progress, device=device)
        return Run(task, model, hist, dict(self.base.settings(), start=self.start, k=self.k, mix=self.mix,
                                           at_start=at_start))


def live_geometry(task):
    """The evaluation of every ``GivenGeometry`` run: held-out exact / first hop, training exact, where
    wrong held-out first hops land, and the live embeddings' navigation, nearest-own and concentration."""
    g, test = task.graph, task.split_indices("test")
    s = spectrum(g) if g.n <= MAX_SPECTRUM_NODES else None
    hops, at = set(np.unique(g.first_hops).tolist()), first_hop_index(task)

    def evaluate(model) -> dict:
        acc, train_acc = path_accuracy(model, task, "test"), path_accuracy(model, task, "train")
        v1 = np.asarray(acc["predictions"])[:, at]
        wrong = v1 != g.paths[test, 1]
        E = model.token_embedding.weight.detach().cpu().numpy()[:g.n]
        out = dict(test_exact=acc["exact_match"], test_first_hop=acc["first_hop"], train_exact=train_acc["exact_match"],
                   wrong_to_other_first_hop=float(np.mean([int(v) in hops for v in v1[wrong]])) if wrong.any() else None,
                   navigation=navigation_accuracy(E, g, test),
                   nearest_own=heatmap_scores(leaf_hop_distances(E, g, test))["nearest_own"])
        out["concentration"] = spectral_concentration(E, g, spectrum_=s)["concentration"] if s is not None else None
        return out
    return evaluate


CURVE = ("test_exact", "test_first_hop", "train_exact", "navigation", "nearest_own", "concentration",
         "wrong_to_other_first_hop")


def run_given(experiment: GivenGeometry, out_dir=GIVEN_DIR, verbose: bool = False) -> dict:
    """Train ``experiment`` unless its result file under ``out_dir`` holds it; return the stored result:
    the curve of every ``CURVE`` metric by step and second, steps to 0.9 held-out exact, provenance."""
    key, path, done = _stored(experiment, out_dir, verbose)
    if done is not None:
        return done
    t0 = time.perf_counter()
    run = experiment.run(progress=verbose)
    h = run.history
    curve = {m: [e.get(m) for e in h.evals] for m in CURVE}
    curve.update(steps=[int(e["step"]) for e in h.evals], seconds=[round(e["time"], 1) for e in h.evals])
    reach = [s for s, v in zip(curve["steps"], curve["test_exact"]) if v >= 0.9]
    return _store(path, dict(config=key, curve=curve, at_start=run.settings["at_start"], steps_to_90=reach[0] if reach else None,
                             final={m: curve[m][-1] for m in CURVE}, nodes=run.task.graph.n,
                             train_seconds=h.wall_time, provenance=provenance(wall_time_s=round(time.perf_counter() - t0, 1))))


def given(d: int, l: int, start: str, k: int = 16, seed: int = 0, steps: int = 2000, eval_every: int = 250,
          **options) -> GivenGeometry:
    """G_(d,ℓ) with ℓ pauses and chapter 02's model and optimiser (a cosine over ``steps``) from ``start``;
    ``options``: ``GivenGeometry`` fields (``mix``, ``norm``, ``node2vec_steps``) or flat settings of the
    base recipe (``lr``, ``node2vec_weight``, ``max_seconds`` …)."""
    own = {f: options.pop(f) for f in ("norm", "mix", "node2vec_steps") if f in options}
    base = path_star_experiment(d=d, l=l, n_pause=l, steps=steps, eval_every=eval_every, seed=seed, **options)
    return GivenGeometry(base, start=start, k=k, **own)


def load_given(out_dir=GIVEN_DIR) -> list[dict]:
    """Every stored ``run_given`` result under ``out_dir`` (nothing is trained)."""
    from .sweeps import load_results
    return load_results(out_dir)


def result_of(experiment: GivenGeometry, out_dir=GIVEN_DIR) -> dict | None:
    """The stored result of ``experiment``, or None (nothing is trained)."""
    from .sweeps import _load_result, result_path
    return _load_result(result_path(experiment, out_dir), cache_key(experiment))


# ---------------------------------------------------------------- the pre-registered search (record 11)
# Written before any run. Question: does a start that carries the geometry, undiluted, make held-out
# paths of length 8 and 10 learnable on a laptop, and is it the geometry (not the norm, not any fixed
# start) that does it? Grid: ℓ ∈ {8, 10} × start × 3 seeds on G_(200,ℓ) (and G_(2000,8) for the
# spectral start, its control and today's start), chapter 02's model and optimiser with ℓ pauses, a
# cosine over a fixed budget of 1,500 steps, evaluated every 250. Per cell: "learned" when held-out
# exact reaches 0.9 within the budget on every seed, "partly" on some, "not learned" on none. The
# geometry is credited only if the random-coordinate control of the same ℓ and d is "not learned".
SEARCH_STEPS, SEARCH_SEEDS, SEARCH_EVERY = 1500, (0, 1, 2), 250
SEARCH_STARTS = {"spectral k=2": dict(start="spectral", k=2), "spectral k=16": dict(start="spectral", k=16),
                 "spectral k=64": dict(start="spectral", k=64), "random k=16 (control)": dict(start="random", k=16),
                 "Node2Vec k=16": dict(start="node2vec", k=16), "today's start (diluted)": dict(start="diluted")}
SEARCH_GRAPHS = {(200, 8): tuple(SEARCH_STARTS), (200, 10): tuple(SEARCH_STARTS),
                 (2000, 8): ("spectral k=16", "random k=16 (control)", "today's start (diluted)")}


# Follow-ups, written before their runs (3 seeds, same budget): (a) the concentration a start needs —
# the spectral k=16 start blended with random coordinates (mix = share of its energy); (b) a start
# learned from the edges alone — Node2Vec 64-d trained 10,000 steps, as is and projected on the
# Fiedler-like eigenspace; (c) keeping the geometry on ten times the arms — the spectral start with its
# columns frozen on G_(2000,8).
FOLLOWUPS = {(200, 8): {"spectral k=16, mix 0.5": dict(start="spectral", k=16, mix=0.5),
                        "spectral k=16, mix 0.8": dict(start="spectral", k=16, mix=0.8),
                        "Node2Vec k=64, 10,000 steps": dict(start="node2vec", k=64, node2vec_steps=10_000),
                        "the same, Fiedler-projected": dict(start="node2vec_fiedler", k=64, node2vec_steps=10_000)},
             (2000, 8): {"spectral k=16, kept": dict(start="spectral_kept", k=16),
                         # added after the kept start's first seed, before their runs: the two
                         # other ways to keep the geometry (edge-prediction loss beside the paths; a
                         # quarter of the learning rate)
                         "spectral k=16 + Node2Vec loss": dict(start="spectral", k=16, node2vec_weight=1.0),
                         "spectral k=16, lr / 4": dict(start="spectral", k=16, lr=5e-4)}}


def followup_configs() -> list[tuple[tuple, GivenGeometry]]:
    """``[((d, ℓ, label, seed), experiment)]`` of ``FOLLOWUPS``, every label's seed 0 first."""
    return [((d, l, label, seed), given(d, l, steps=SEARCH_STEPS, eval_every=SEARCH_EVERY, seed=seed, **opts))
            for seed in SEARCH_SEEDS for (d, l), cells in FOLLOWUPS.items() for label, opts in cells.items()]


# The paper's graphs from the search's winning start, written before the runs: the spectral k = 16 start
# (eigenvectors from the sparse solver, ``spectral.spectrum``) on G_(10^4,6) (50,001 nodes) and
# G_(10^4,10) (90,001), with the exact recipe of the plain runs in data/paper_graphs
# (``longer.paper_graph_experiment``: ℓ pauses, full softmax, batch 512) — only the start differs, and
# the time: PAPER_MINUTES of training on one core each (the two side by side on the 2 cores), a cosine
# over the steps that fit at the speed of a short check side by side (0.85 and 0.33 steps/s; the runs then
# went at 1.07 and 0.61, so both cosines ended before the cap, at 28 and 19 minutes), evaluated 4 times
# (an evaluation of every path costs 1–2 minutes of one core at 50k–90k nodes), one seed.
PAPER_MINUTES = 35
PAPER_GIVEN = {"G_(10^4,6)": 1800, "G_(10^4,10)": 700}     # cosine steps per graph


def paper_given_configs() -> list[tuple[tuple, GivenGeometry]]:
    """``[((d, ℓ, "spectral k=16", 0), experiment)]`` of ``PAPER_GIVEN``."""
    out = []
    for graph, steps in PAPER_GIVEN.items():
        base = paper_graph_experiment(graph, minutes=PAPER_MINUTES, steps=steps, eval_every=steps // 4)
        out.append(((base.graph.d, base.graph.l, "spectral k=16", 0), GivenGeometry(base, "spectral", k=16)))
    return out


def paper_bests(out_dir=GIVEN_DIR, plain_dir=PAPER_GRAPH_DIR) -> dict:
    """``{graph: (best held-out exact of the stored plain runs, of the spectral start)}`` for ``PAPER_GIVEN``'s
    graphs: the better of ``longer``'s batch-512 and batch-1,024 runs; None where nothing is stored."""
    given_runs = {graph: result_of(e, out_dir) for graph, (_, e) in zip(PAPER_GIVEN, paper_given_configs())}
    best = lambda r: None if r is None else max(r["curve"]["test_exact"])  # noqa: E731
    out = {}
    for graph in PAPER_GIVEN:
        plain = [best(stored_result(runs[graph], plain_dir)) for runs in (paper_graph_runs(), paper_graph_big_batch_runs())
                 if graph in runs]
        plain = [b for b in plain if b is not None]
        out[graph] = (max(plain) if plain else None, best(given_runs[graph]))
    return out


def search_configs() -> list[tuple[tuple, GivenGeometry]]:
    """``[((d, ℓ, start label, seed), experiment)]`` of the pre-registered search, cheapest graphs first."""
    return [((d, l, label, seed), given(d, l, steps=SEARCH_STEPS, eval_every=SEARCH_EVERY, seed=seed,
                                        **SEARCH_STARTS[label]))
            for (d, l), labels in SEARCH_GRAPHS.items() for seed in SEARCH_SEEDS for label in labels]


def cell_verdict(results: list[dict | None], goal: float = 0.9) -> str:
    """The search's rule on one cell's seeds: learned / partly / not learned (None: a seed not run)."""
    if not results or any(r is None for r in results):
        return "not run"
    hits = [r["steps_to_90"] is not None and max(r["curve"]["test_exact"]) >= goal for r in results]
    return "learned" if all(hits) else "partly" if any(hits) else "not learned"


def run_order(cell: tuple) -> tuple:
    """The order the CLI runs cells in (the grid is unchanged): what answers "is it the geometry?" on
    every seed first — the spectral k=16 start and its random control, ℓ = 8 then ℓ = 10 — then ten
    times the arms, then the other starts."""
    d, l, label, seed = cell
    key = label in ("spectral k=16", "random k=16 (control)")
    return (d != 200 or not key, seed > 0 and not key, seed, d, l)


def _work(experiment: GivenGeometry) -> str:
    import torch
    torch.set_num_threads(1)
    r = run_given(experiment)
    return f"{'skip' if r['skipped'] else 'done'} {r['config']['start']} k={r['config']['k']} d={r['nodes']} -> {r['final']['test_exact']:.2f}"


def main(argv=None):
    """``python -m geomem_utils.experiments.given_geometry [--jobs 2] [--only D,L] [--followups | --paper]``: run the search's
    missing cells (resumable: a stored result is skipped), one torch thread per job."""
    import argparse
    from concurrent.futures import ProcessPoolExecutor
    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--only", default=None, help="one graph, e.g. 200,8")
    p.add_argument("--followups", action="store_true", help="the follow-ups instead of the search")
    p.add_argument("--paper", action="store_true", help="the paper's graphs (PAPER_GIVEN) instead of the search")
    a = p.parse_args(argv)
    configs = (paper_given_configs() if a.paper else followup_configs() if a.followups
               else sorted(search_configs(), key=lambda c: run_order(c[0])))
    todo = [e for (d, l, *_), e in configs if a.only is None or a.only == f"{d},{l}"]
    with ProcessPoolExecutor(a.jobs) as pool:
        for line in pool.map(_work, todo):
            print(line, flush=True)


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------- reading the stored runs
def cell_results(configs, out_dir=GIVEN_DIR) -> dict:
    """``{(d, ℓ, label): [stored result or None per seed]}`` for ``search_configs()`` or
    ``followup_configs()`` (nothing is trained)."""
    out: dict = {}
    for (d, l, label, _), e in configs:
        out.setdefault((d, l, label), []).append(result_of(e, out_dir))
    return out


def search_rows(configs=None, out_dir=GIVEN_DIR) -> list[dict]:
    """One row per cell: the seeds' steps to 0.9 held-out exact, best and final held-out exact (min–max
    over seeds), final first hop, navigation of the live embeddings at the start and the end (seed mean)
    and the cell's verdict (``cell_verdict``)."""
    rows = []
    for (d, l, label), rs in cell_results(configs or search_configs(), out_dir).items():
        done = [r for r in rs if r is not None]
        row = dict(d=d, l=l, start=label, seeds=len(done), verdict=cell_verdict(rs))
        if done:
            ex = [r["curve"]["test_exact"] for r in done]
            row.update(steps_to_90=[r["steps_to_90"] for r in done],
                       best=(min(max(c) for c in ex), max(max(c) for c in ex)),
                       final=(min(c[-1] for c in ex), max(c[-1] for c in ex)),
                       first_hop=float(np.mean([r["final"]["test_first_hop"] for r in done])),
                       nav_start=float(np.mean([r["at_start"]["navigation"] for r in done])),
                       nav_end=float(np.mean([r["final"]["navigation"] for r in done])),
                       concentration_start=_mean_or_none([r["at_start"]["concentration"] for r in done]),
                       concentration_end=_mean_or_none([r["final"]["concentration"] for r in done]),
                       wrong_to_other=_mean_or_none([r["final"]["wrong_to_other_first_hop"] for r in done]))
        rows.append(row)
    return rows


def _mean_or_none(values):
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


TABLE_HEADER = ("graph", "start", "seeds", "steps to 0.9", "final exact", "nav start→end", "conc.", "cell")


def table_rows(rows: list[dict]) -> list[list]:
    """``search_rows`` as printable rows under ``TABLE_HEADER`` (min–max over seeds; "-": not measured)."""
    f = lambda x: "-" if x is None else f"{x:.2f}"  # noqa: E731
    return [[f"G_({r['d']},{r['l']})", r["start"], r["seeds"],
             " ".join("-" if s is None else str(s) for s in r.get("steps_to_90", [])) or "-",
             f"{f(r['final'][0])}–{f(r['final'][1])}" if "final" in r else "-",
             f"{f(r.get('nav_start'))}→{f(r.get('nav_end'))}", f(r.get("concentration_start")), r["verdict"]]
            for r in rows]


def drift_rows(rows: list[dict]) -> list[list]:
    """Does training move a start toward or away from concentration? ``search_rows`` where it was measured,
    as [graph, start, concentration at the start → at the end (seed means), final held-out exact]."""
    return [[f"G_({r['d']},{r['l']})", r["start"], f"{r['concentration_start']:.2f} → {r['concentration_end']:.2f}",
             f"{r['final'][0]:.2f}–{r['final'][1]:.2f}"]
            for r in rows if r.get("concentration_start") is not None and r.get("concentration_end") is not None]


def start_geometry(d: int, l: int, labels=("spectral k=16", "random k=16 (control)", "today's start (diluted)"),
                   seed: int = 0) -> list[dict]:
    """Before any training step: one-step navigation on the held-out leaves and spectral concentration of
    the node embeddings each start writes (``SEARCH_STARTS`` labels), on G_(d,ℓ) — seconds, no training."""
    rows, s = [], None
    for label in labels:
        task, model = given(d, l, seed=seed, **SEARCH_STARTS[label]).initial()
        g, E = task.graph, model.token_embedding.weight.detach().numpy()[:task.graph.n]
        s = s or (spectrum(g) if g.n <= MAX_SPECTRUM_NODES else None)   # one eigendecomposition for all starts
        rows.append(dict(start=label, navigation=navigation_accuracy(E, g, task.split_indices("test")),
                         concentration=spectral_concentration(E, g, spectrum_=s)["concentration"] if s else None))
    return rows


def verdict_lines(configs=None, out_dir=GIVEN_DIR, labels=None) -> list[str]:
    """One line per cell: "G_(d,ℓ) <start>: <cell verdict> (<seeds reaching 0.9>/<seeds> seeds ≥ 0.9 within
    the budget)" — the chapter's checked summary of the stored search."""
    out = []
    for r in search_rows(configs, out_dir):
        if labels is not None and r["start"] not in labels:
            continue
        hits = sum(s is not None for s in r.get("steps_to_90", []))
        out.append(f"G_({r['d']},{r['l']}) {r['start']}: {r['verdict']} ({hits}/{r['seeds']} seeds ≥ 0.9 "
                   f"within {SEARCH_STEPS} steps)")
    return out
