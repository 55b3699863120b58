"""Interactive panels of chapters 05–07 (ipywidgets 8), each a thin shell around a pure, tested helper.

``memory_explorer``                        chapter 05: pick graph and memorizer, see its 3-D embedding and
                                           readout numbers (paper §3, C7, C8).
``succinctness_calculator``                chapter 05: bits and ℓ2 costs of associative vs geometric
                                           storage for any size (paper §3, C9).
``node2vec_summary`` / ``node2vec_panel``  chapter 06: train Node2Vec on a graph family and size of your
                                           choice, watch its spectral dynamics (§4, C10).
``knob_explorer`` / ``knob_panel``         chapter 07: pick a knob (cached) or set your own and train:
                                           the spectral bars and the verdict (C16, C17).
``middle_matrix_panel``                    chapter 12: start the neural net's middle matrix W as you like
                                           (Gaussian or identity, trainable or frozen), tied or untied,
                                           train, see the spectral bars and the verdict (C18, C21).
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from .config import check_int
from .experiments.analyses import W_STARTS, started, variant_report
from .experiments.knobs import knob_run
from .graphs import cycle, grid, path_star, tiny_graphs
from .history import log_spaced_steps
from .memory_plots import plot_embedding_3d, plot_spectral_bars, plot_spectral_dynamics
from .node2vec import dynamics_summary, train_node2vec
from .spectral import spectrum
from .succinctness import cycle_costs, path_star_costs
from .widgets import _show


# ---------------------------------------------------------------- chapter 05: which store?
REPORT_COLUMNS = {"edge_recovery": "edge recovery", "margin": "margin", "skewed_margin": "skewed margin",
                  "skewed_top1": "skewed top-1", "geometric_level": "geometric level"}


def format_report(report: dict) -> str:
    """One line per readout number of a ``geometry.memory_report``."""
    return "\n".join(f"{label:>16}: {report[key]:+.3f}" for key, label in REPORT_COLUMNS.items())


def _memory_view(results: dict, graph_name: str, model_name: str) -> dict:
    E, graph, report = results[graph_name][model_name]
    fig = Figure(figsize=(4.0, 3.6), dpi=80)
    plot_embedding_3d(E, graph, fig.add_subplot(projection="3d"), title=f"{model_name} on {graph.name}: 3-D PCA")
    _show(fig)
    print(format_report(report))
    return report


def memory_explorer(results: dict) -> W.interactive:
    """Chapter 05 panel: ``results[graph][model] = (embeddings, Graph, memory_report)``; dropdowns pick
    the graph and the memorizer; ``.result`` is the shown report."""
    graphs = list(results)
    models = list(results[graphs[0]])
    return W.interactive(_memory_view, results=W.fixed(results),
                         graph_name=W.Dropdown(options=graphs, value=graphs[0], description="graph"),
                         model_name=W.Dropdown(options=models, value=models[0], description="memorizer"))


def _succinctness(family: str, d: int, l: int, n: int) -> dict:
    costs = path_star_costs(d, l) if family == "path-star" else cycle_costs(n)
    fig = Figure(figsize=(6.4, 2.8), dpi=80)
    ax = fig.add_subplot()
    sizes = np.unique(np.geomspace(1, 2000, 60).astype(int))
    sweeps = {"path-star": [path_star_costs(k, l) for k in sizes],
              "cycle": [cycle_costs(k) for k in sizes[sizes >= 3]]}
    for fam, rows in sweeps.items():
        nodes = [r["nodes"] for r in rows]
        ls = "-" if fam == family else ":"
        ax.plot(nodes, [r["bits_ratio"] for r in rows], ls, color="tab:blue", label=f"{fam}: bits ratio")
        ax.plot(nodes, [r["l2_ratio"] for r in rows], ls, color="tab:orange", label=f"{fam}: ℓ2 ratio")
    ax.plot([costs["nodes"]] * 2, [costs["bits_ratio"], costs["l2_ratio"]], "ko", label="your graph")
    ax.axhspan(1, 2, color="0.92", zorder=0)
    ax.set_xscale("log")
    ax.set_ylim(0.8, 2.2)
    ax.set_xlabel(f"number of nodes |V| (path-star: d varies at ℓ = {l})")
    ax.set_ylabel("geometric / associative cost")
    ax.legend(fontsize=7, ncol=3, loc="upper center")
    _show(fig)
    print(f"|V| = {costs['nodes']}, |E| = {costs['edges']}\n"
          f"bits: associative {costs['bits_associative']:,.0f}, geometric {costs['bits_geometric']:,.0f}, "
          f"ratio {costs['bits_ratio']:.3f}\n"
          f"ℓ2:   associative {costs['l2_associative']:.2f}, geometric ≥ {costs['l2_geometric']:.2f}, "
          f"ratio {costs['l2_ratio']:.3f}")
    return costs


def succinctness_calculator(family: str = "path-star", d: int = 4, l: int = 5, n: int = 15) -> W.interactive:
    """Chapter 05 panel (C9): family and size sliders; the figure shows both cost ratios against graph
    size with the [1, 2] band shaded; ``.result`` is the ``storage_costs`` dict of the chosen graph."""
    slider = dict(continuous_update=False, style={"description_width": "initial"})
    return W.interactive(
        _succinctness,
        family=W.Dropdown(options=["path-star", "cycle"], value=family, description="family"),
        d=W.IntSlider(value=d, min=1, max=2000, description="d (path-star arms)", **slider),
        l=W.IntSlider(value=l, min=2, max=12, description="ℓ (path-star nodes per arm)", **slider),
        n=W.IntSlider(value=n, min=3, max=2000, description="n (cycle length)", **slider),
    )


# ---------------------------------------------------------------- chapter 06: Node2Vec dynamics
NODE2VEC_FAMILIES = ("cycle", "grid", "path-star", "karate club")


def node2vec_graph(family: str, size: int):
    """The panel's graphs: ``cycle(size)``, ``grid(size, size)``, ``path_star(size, 5)`` (size arms), or
    the karate club (size ignored)."""
    import networkx as nx
    from .graphs import from_networkx
    if family == "karate club":
        return from_networkx(nx.karate_club_graph(), "karate club")
    size = check_int("size", size, minimum=2)
    if family == "cycle":
        return cycle(max(size, 3))
    if family == "grid":
        return grid(size, size)
    if family == "path-star":
        return path_star(size, 5, seed=0)
    raise ValueError(f"family must be one of {NODE2VEC_FAMILIES}, got {family!r}")


def node2vec_summary(family: str = "cycle", size: int = 15, dim: int = 100, lr: float = 0.01,
                     steps: int = 10_000, seed: int = 0) -> dict:
    """Train Node2Vec (``train_node2vec``) tracking every eigenvector of −L, and return the run, the
    spectrum and ``dynamics_summary``'s numbers (C10)."""
    g = node2vec_graph(family, size)
    if g.n > 400:
        raise ValueError(f"size gives {g.n} nodes; the panel tracks the full spectrum and is limited to 400")
    s = spectrum(g)
    run = train_node2vec(g, dim=dim, lr=lr, steps=steps, seed=seed, track=s.vectors, eval_steps=log_spaced_steps(steps, 8))
    return dict(graph=g, spectrum=s, run=run, **dynamics_summary(run, g, s))


def format_node2vec(res: dict) -> str:
    return (f"{res['graph'].name}: {res['graph'].n} nodes, {res['run'].settings['steps']} steps in "
            f"{res['run'].wall_time:.1f} s\n"
            f"(a) C(0) vs -L, relative error {res['c0_error']:.1e}\n"
            f"(b) ‖Vᵀe‖ end/start: Fiedler-like (dim {res['fiedler_dim']}) ≥ {res['fiedler_kept']:.2f}, "
            f"others ≤ {res['rest_kept']:.2g}; surviving directions: {res['survivors']}\n"
            f"(c) ‖C e‖ at the end: Fiedler-like ≤ {res['fiedler_c']:.2g}, others ≥ {res['rest_c']:.2g}")


def _node2vec(family, size, dim, lr, steps, seed) -> dict:
    res = node2vec_summary(family, size, dim, lr, steps, seed)
    fig = Figure(figsize=(10, 2.8), dpi=80)
    axes = fig.subplots(1, 3)
    plot_spectral_dynamics(res["run"], res["graph"], res["spectrum"], axes[:2])
    plot_spectral_bars(res["run"].V, res["graph"], res["spectrum"], axes[2], title="at the end")
    fig.tight_layout()
    _show(fig)
    print(format_node2vec(res))
    return res


def node2vec_panel(family: str = "cycle", size: int = 15, dim: int = 100, lr: float = 0.01,
                   steps: int = 10_000, seed: int = 0) -> W.interactive:
    """Chapter 06 panel: graph family and size, embedding width, learning rate, steps and seed; press
    "Train" to run Node2Vec and redraw its spectral dynamics (``interact_manual``: it trains)."""
    kw = dict(continuous_update=False, style={"description_width": "initial"})
    return W.interactive(
        _node2vec, {"manual": True, "manual_name": "Train"},
        family=W.Dropdown(options=NODE2VEC_FAMILIES, value=family, description="graph"),
        size=W.IntSlider(value=size, min=3, max=60, description="size (cycle n, grid side, star arms)", **kw),
        dim=W.IntSlider(value=dim, min=2, max=200, description="embedding width m", **kw),
        lr=W.FloatLogSlider(value=lr, base=10, min=-4, max=-0.5, step=0.1, readout_format=".1e",
                            description="learning rate", **kw),
        steps=W.IntSlider(value=steps, min=100, max=30_000, step=100, description="steps", **kw),
        seed=W.IntSlider(value=seed, min=0, max=20, description="seed", **kw),
    )


# ---------------------------------------------------------------- chapter 07: knobs
def format_knob(res: dict) -> str:
    return (f"verdict: {res['verdict']}   (skewed margin {res['skewed_margin']:+.2f}, skewed top-1 "
            f"{res['skewed_top1']:.2f}, geometric level {res['geometric_level']:+.2f}, edge recovery "
            f"{res['edge_recovery']:.2f}, zigzag share {res['zigzag']:.2f})")


def _knob_figure(res: dict, graph, title: str) -> None:
    s = spectrum(graph)
    fig = Figure(figsize=(5.0, 2.6), dpi=80)
    plot_spectral_bars(None, graph, s, fig.add_subplot(), title=title, proj=res["proj"])
    fig.tight_layout()
    _show(fig)
    print(format_knob(res))


def _knob_view(results: dict, graph, knob: str) -> dict:
    _knob_figure(results[knob], graph, knob)
    return results[knob]


def knob_explorer(results: dict, graph) -> W.interactive:
    """Chapter 07 panel (paper §5, C16): ``results[knob]`` is a ``knob_report`` — or the one-report list
    that ``load_or_compute(knobs.knob_study())`` holds per knob (the first report is shown); the dropdown
    shows each knob's spectral bars and verdict; ``.result`` is the shown dict."""
    if not results:
        raise ValueError("results must hold at least one knob report")
    results = {k: (v[0] if isinstance(v, (list, tuple)) else v) for k, v in results.items()}
    knobs = list(results)
    return W.interactive(_knob_view, results=W.fixed(results), graph=W.fixed(graph),
                         knob=W.Dropdown(options=knobs, value=knobs[0], description="knob"))


def _knob_train(memorizer, emb_init_std, lr, weight_decay, dropout, width, steps, self_edges) -> dict:
    g = cycle(15)
    res = knob_run(g, memorizer, width=width, steps=steps, self_edges=self_edges, emb_init_std=emb_init_std,
                   lr=lr, weight_decay=weight_decay, dropout=dropout)
    _knob_figure(res, g, f"{memorizer}, width {width}, {steps} steps")
    return res


def knob_panel(memorizer: str = "neural net", emb_init_std: float = 1.0, lr: float = 1e-3, weight_decay: float = 0.01,
               dropout: float = 0.0, width: int = 128, steps: int = 2000, self_edges: bool = False) -> W.interactive:
    """Chapter 07 panel: set the knobs of C16 (init scale, learning rate, weight decay, dropout) and
    C17 (self-edges) for a memorizer on the 15-cycle, press "Train", see the spectral bars and verdict."""
    kw = dict(continuous_update=False, style={"description_width": "initial"})
    return W.interactive(
        _knob_train, {"manual": True, "manual_name": "Train"},
        memorizer=W.Dropdown(options=["neural net", "transformer"], value=memorizer, description="memorizer"),
        emb_init_std=W.FloatLogSlider(value=emb_init_std, base=10, min=-2, max=0.5, step=0.1, readout_format=".2g",
                                      description="embedding init std", **kw),
        lr=W.FloatLogSlider(value=lr, base=10, min=-4, max=-0.5, step=0.1, readout_format=".1e",
                            description="learning rate", **kw),
        weight_decay=W.FloatLogSlider(value=weight_decay, base=10, min=-3, max=1.5, step=0.1, readout_format=".2g",
                                      description="weight decay (all parameters)", **kw),
        dropout=W.FloatSlider(value=dropout, min=0.0, max=0.8, step=0.05, description="dropout", **kw),
        width=W.IntSlider(value=width, min=16, max=512, step=16, description="width", **kw),
        steps=W.IntSlider(value=steps, min=100, max=10_000, step=100, description="steps", **kw),
        self_edges=W.Checkbox(value=self_edges, description="self-edges (u, u) (C17)"),
    )


# ---------------------------------------------------------------- chapter 12: what picks the store
def format_variant(res: dict) -> str:
    if "verdict" in res:
        head = (f"verdict: {res['verdict']}   (skewed margin {res['skewed_margin']:+.2f}, skewed top-1 "
                f"{res['skewed_top1']:.2f}, ")
    else:
        head = f"untied: corr cos(E_i, V_j)~A {res['cos_EV']:+.2f}, V concentration {res['V_concentration']:.2f}, ("
    d = res["directions"]
    return (head + f"edge recovery {res['edge_recovery']:.2f}, E concentration {res['concentration']:.2f}, "
            f"zigzag {res['zigzag']:.2f}, 90% of E in {d['directions']} eigendirections, isotropic {d['chance']})")


def _middle_train(graph, w_start, w_trainable, tied, emb_init_std, lr, steps) -> dict:
    g = tiny_graphs()[graph]
    res = variant_report(started(g, w_start, w_trainable, tied, emb_init_std=emb_init_std, lr=lr, steps=steps).run())
    fig = Figure(figsize=(5.0, 2.6), dpi=80)
    plot_spectral_bars(None, g, spectrum(g), fig.add_subplot(), proj=res["proj"],
                       title=f"{graph}: {w_start} ({'trainable' if w_trainable else 'frozen'}), "
                             f"{'tied' if tied else 'untied'}")
    fig.tight_layout()
    _show(fig)
    print(format_variant(res))
    return res


def middle_matrix_panel(graph: str = "cycle", w_start: str = "W = I", w_trainable: bool = False, tied: bool = True,
                        emb_init_std: float = 1.0, lr: float = 1e-2, steps: int = 1000) -> W.interactive:
    """Chapter 12 panel (C18, C21): chapter 05's neural net on a tiny graph with the middle matrix W
    started from one of ``analyses.W_STARTS``, trainable or frozen, the readout tied or untied, and
    the embedding init and learning rate of your choice; press "Train" for the spectral bars of E and
    the verdict (a width-512 cycle takes a few seconds)."""
    kw = dict(continuous_update=False, style={"description_width": "initial"})
    return W.interactive(
        _middle_train, {"manual": True, "manual_name": "Train"},
        graph=W.Dropdown(options=list(tiny_graphs()), value=graph, description="graph"),
        w_start=W.Dropdown(options=list(W_STARTS), value=w_start, description="W starts as"),
        w_trainable=W.Checkbox(value=w_trainable, description="W trainable"),
        tied=W.Checkbox(value=tied, description="tied readout (Eᵀ)"),
        emb_init_std=W.FloatLogSlider(value=emb_init_std, base=10, min=-2, max=0.5, step=0.1, readout_format=".2g",
                                      description="embedding init std", **kw),
        lr=W.FloatLogSlider(value=lr, base=10, min=-4, max=-0.5, step=0.1, readout_format=".1e",
                            description="learning rate", **kw),
        steps=W.IntSlider(value=steps, min=50, max=5000, step=50, description="steps", **kw),
    )
