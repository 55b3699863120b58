"""Interactive panels of the notebooks (ipywidgets 8), each a thin shell around a pure, tested helper.

``describe_path_star`` / ``path_star_explorer``  chapter 01: what the in-weights path-star task
                                                  looks like for any G_{d,l} (paper §2).
``retrain_summary`` / ``retrain_panel``           chapter 02: retrain the in-weights path-star
                                                  experiment with your own knobs (paper §2, claim C2).
``embedding_explorer``                            chapter 04: switch objective and projection of the
                                                  embedding scatter (paper §3, claim C6).

The panels of chapters 05–07 (tiny graphs, Node2Vec, knobs) are in ``memory_widgets``.

The panels return ``ipywidgets.interactive`` objects: the notebook displays them, tests set their
slider values and read ``.result`` (the helper's return value) without a browser.
"""
from __future__ import annotations

import io
import time

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import numpy as np
import ipywidgets as W
from IPython.display import Image, display

from .config import check_int
from .graphs import path_star
from .plotting import draw_star, plot_embedding_2d, plot_positions, plot_training
from .tasks import PathStarTask, Vocab
from .experiments.in_context import run_in_context
from .experiments.path_star import PATH_STAR_DEFAULTS as _D, run_path_star

ARROW = " → "
PANEL_HEADS = 4  # retrain_panel's fixed number of attention heads; its width slider steps by 16


# ---------------------------------------------------------------- chapter 01: the task
def format_example(vocab: Vocab, tokens, is_target, arrow: str = ARROW) -> str:
    """One example as ``'prompt → targets'`` text, padding dropped: ``'[PATH] 5 [PAUSE] → 7 3 2 5'``."""
    tokens, is_target = np.asarray(tokens), np.asarray(is_target, dtype=bool)
    return vocab.decode(tokens[~is_target]) + arrow + vocab.decode(tokens[is_target])


def describe_path_star(d: int = 6, l: int = 5, n_pause: int = 1, seed: int = 0) -> dict:
    """The in-weights path-star task on G_{d,l} in numbers and example sequences (paper §2).

    All examples come from the real task builders (``PathStarTask``) and follow one training leaf's
    arm: the forward edge out of the root (the first hop), the backward edge out of the leaf, and the
    forward, reverse and first-hop path examples of that leaf. Returns a dict of numbers and strings.
    """
    d = check_int("d (number of arms)", d, minimum=2)
    l = check_int("l (nodes per arm, root included)", l, minimum=2)
    g = path_star(d, l, seed=seed)
    tasks = {m: PathStarTask(g, path_mode=m, n_pause=n_pause, split_seed=seed)
             for m in ("forward", "reverse", "first_hop")}
    task = tasks["forward"]
    v = task.vocab
    path = g.paths[task.train_paths[0]]           # root, v1, ..., leaf of one training leaf
    edges = task.edge_examples()

    def edge(u, w):
        row = np.flatnonzero((edges.tokens[:, 1] == u) & (edges.tokens[:, 2] == w))[0]
        return format_example(v, edges.tokens[row], edges.is_target[row])

    def path_example(mode):
        ex = tasks[mode].path_examples("train")   # row 0 is train_paths[0]
        return format_example(v, ex.tokens[0], ex.is_target[0])

    held = g.paths[task.test_paths[0]]
    return dict(
        graph=g.name, d=d, l=l, n_pause=task.n_pause, seed=seed,
        n_nodes=g.n, n_edges=g.num_edges, n_edge_examples=len(edges), vocab_size=len(v),
        root=int(g.root), example_path=[int(x) for x in path],
        edge_forward=edge(path[0], path[1]), edge_backward=edge(path[-1], path[-2]),
        path_forward=path_example("forward"), path_reverse=path_example("reverse"),
        path_first_hop=path_example("first_hop"),
        held_out_prompt=v.decode(task.prompt_of(held)) + ARROW + "?",
        n_train_leaves=len(task.train_paths), n_held_out_leaves=len(task.test_paths),
        chance=task.chance,
    )


def format_description(desc: dict) -> str:
    """The text block the path-star explorer prints under its figure."""
    return "\n".join([
        f"G_{{{desc['d']},{desc['l']}}}: {desc['n_nodes']} nodes (root {desc['root']}), "
        f"{desc['n_edges']} edges -> {desc['n_edge_examples']} edge examples (both directions); "
        f"vocabulary {desc['vocab_size']} tokens",
        f"  edge, forward (away from the root) : {desc['edge_forward']}",
        f"  edge, backward (toward the root)   : {desc['edge_backward']}",
        f"  path, forward                      : {desc['path_forward']}",
        f"  path, reverse                      : {desc['path_reverse']}",
        f"  path, first hop v1 only (C4)       : {desc['path_first_hop']}",
        f"  held-out leaf, prompt only         : {desc['held_out_prompt']}",
        f"leaf split: {desc['n_train_leaves']} training leaves, {desc['n_held_out_leaves']} held-out "
        f"(chance of the first hop 1/d = {desc['chance']:.3f})",
    ])


def _show(fig) -> None:
    """Display exactly this figure as a PNG rendered here, then close it.

    Callbacks that a button click runs build their figures with ``matplotlib.figure.Figure`` rather
    than pyplot: in JupyterLab the first click of the retrain panel showed an all-white pyplot figure
    (through ``plt.show()``, ``display(fig)`` and ``savefig`` alike), a pyplot-free figure did not
    (checked in headless Chromium).
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    display(Image(data=buf.getvalue(), format="png"))


def _explore(d: int, l: int, n_pause: int) -> dict:
    desc = describe_path_star(d, l, n_pause, seed=0)
    g = path_star(d, l, seed=0)
    task = PathStarTask(g, n_pause=n_pause, split_seed=0)
    fig, ax = plt.subplots(figsize=(4.4, 4.4))
    draw_star(g, ax=ax, highlight=desc["example_path"], held_out=g.leaves[task.test_paths],
              highlight_label="the example training path")
    _show(fig)
    print(format_description(desc))
    return desc


def path_star_explorer(d: int = 6, l: int = 5, n_pause: int = 1) -> W.interactive:
    """Chapter 01 panel: sliders for d, l and the number of pauses redraw G_{d,l} (training path in
    black, held-out leaves as squares) and print its example sequences (``describe_path_star``)."""
    slider = dict(continuous_update=False, style={"description_width": "initial"})
    return W.interactive(
        _explore,
        d=W.IntSlider(value=d, min=2, max=30, description="d (arms)", **slider),
        l=W.IntSlider(value=l, min=2, max=8, description="ℓ (nodes per arm)", **slider),
        n_pause=W.IntSlider(value=n_pause, min=0, max=6, description="pauses", **slider),
    )


# ---------------------------------------------------------------- chapter 02: retraining
def retrain_summary(eval_every: int | None = None, **settings) -> dict:
    """Train the in-weights path-star model once (``run_path_star``, paper §2, claim C2) and summarise.

    ``settings`` are ``PathStarExperiment`` settings (``d``, ``l``, ``width``, ``depth``, ``n_pause``,
    ``steps``, ``lr``, ``seed``, ``freeze_embeddings``, ``path_mode`` …) on top of chapter 02's recipe,
    with the panel's 4 heads. Returns held-out exact match, held-out first-hop (v1) accuracy, its chance
    1/d, training-leaf exact match, edge recovery, the wall time in seconds, the parameter count and the
    ``History`` (for ``plot_training``). ``eval_every`` defaults to about ten evaluations per run.
    Raises ValueError (naming the parameter) for settings the model cannot take, e.g. a width that the
    number of heads does not divide.
    """
    settings = {"heads": PANEL_HEADS, **settings}
    steps = settings["steps"] = check_int("steps", settings.get("steps", _D["steps"]), minimum=1)
    every = eval_every or max(1, steps // 10)
    t0 = time.perf_counter()
    run = run_path_star(**settings, eval_every=every, progress=False)
    wall = time.perf_counter() - t0
    h = run.history
    return dict(test_exact=float(h.last("test_exact")), test_first_hop=float(h.last("test_first_hop")),
                chance=float(run.task.chance), train_exact=float(h.last("train_exact")),
                edge_recovery=float(h.last("edge_recovery")), wall_time=wall,
                n_params=run.model.num_params(), history=h, settings=run.settings)


def format_summary(s: dict) -> str:
    """The text block the retrain panel prints above its figure."""
    return "\n".join([
        f"held-out leaves : exact match {s['test_exact']:.2f}, first hop {s['test_first_hop']:.2f} "
        f"(chance {s['chance']:.3f})",
        f"training leaves : exact match {s['train_exact']:.2f};  edge recovery {s['edge_recovery']:.2f}",
        f"model           : {s['n_params']:,} parameters; trained in {s['wall_time']:.1f} s",
    ])


def _retrain(d, l, width, depth, n_pause, steps, lr, seed, freeze_embeddings=False, path_mode="forward") -> dict:
    try:
        s = retrain_summary(d=d, l=l, width=width, depth=depth, n_pause=n_pause, steps=steps, lr=lr, seed=seed,
                            freeze_embeddings=freeze_embeddings, path_mode=path_mode)
    except ValueError as e:  # a clear message in the output area instead of a traceback
        print(f"Cannot train with these settings: {e}")
        return {"error": str(e)}
    print(format_summary(s))
    fig = Figure(figsize=(8.5, 3.2), dpi=plt.rcParams["figure.dpi"])  # no pyplot: see _show
    plot_training(s["history"], s["chance"], ax=fig.subplots(1, 2))
    _show(fig)
    return s


def retrain_panel(d: int = _D["d"], l: int = _D["l"], width: int = _D["width"], depth: int = _D["depth"],
                  n_pause: int = _D["n_pause"], steps: int = _D["steps"], lr: float = _D["lr"], seed: int = 0,
                  freeze_embeddings: bool = False, path_mode: str = "forward") -> W.interactive:
    """Chapter 02 panel: pick G_{d,l}, model size, pauses, steps, learning rate and seed, press
    "Train", and get ``retrain_summary``'s numbers plus ``plot_training``'s curves.

    Sliders start at chapter 02's setting (``PATH_STAR_DEFAULTS``).
    Nothing trains until the button is pressed (``interact_manual``). Heads are fixed at 4 and the
    width slider moves in steps of 16, so every width it offers is divisible by the heads.
    """
    kw = dict(continuous_update=False, style={"description_width": "initial"})
    return W.interactive(
        _retrain, {"manual": True, "manual_name": "Train"},
        d=W.IntSlider(value=d, min=2, max=400, step=2, description="d (arms)", **kw),
        l=W.IntSlider(value=l, min=2, max=8, description="ℓ (nodes per arm)", **kw),
        width=W.IntSlider(value=width, min=16, max=256, step=16, description="width", **kw),
        depth=W.IntSlider(value=depth, min=1, max=6, description="depth (layers)", **kw),
        n_pause=W.IntSlider(value=n_pause, min=0, max=6, description="pauses", **kw),
        steps=W.IntSlider(value=steps, min=20, max=5000, step=20, description="steps", **kw),
        lr=W.FloatLogSlider(value=lr, base=10, min=-4, max=-1, step=0.1, readout_format=".1e",
                            description="learning rate", **kw),
        seed=W.IntSlider(value=seed, min=0, max=20, description="seed", **kw),
        freeze_embeddings=W.Checkbox(value=freeze_embeddings, description="freeze embeddings (C5)"),
        path_mode=W.Dropdown(value=path_mode, options=[("full path", "forward"), ("first hop v1 only (C4)", "first_hop"),
                                                       ("reverse path", "reverse")], description="objective"),
    )


def in_context_summary(d: int = 2, l: int = 5, steps: int = 1000, reverse: bool = False, seed: int = 0,
                       width: int = 64, depth: int = 2, lr: float = 1e-3) -> dict:
    """Train the in-context path-star once (claim C1, ``run_in_context``) and summarise: greedy exact
    match, v1 accuracy (forward only), per-position teacher-forced accuracy, chance 1/d (v1's),
    ``node_guess`` 1/(prompt nodes) (the reference of a one-lookup target, e.g. every reverse one), wall time."""
    run = run_in_context(d=d, l=l, steps=steps, reverse=reverse, seed=seed, width=width, depth=depth, lr=lr,
                         eval_every=max(1, steps // 10), progress=False)
    h = run.history
    return dict(exact_match=float(h.last("exact_match")), chance=run.task.chance, node_guess=run.task.node_guess,
                first_hop=float(h.last("first_hop")) if not reverse else None,
                teacher_forced=np.asarray(h.last("teacher_forced")), wall_time=h.wall_time, history=h,
                settings=run.settings)


def _in_context(d, l, steps, reverse, seed) -> dict:
    try:
        s = in_context_summary(d=d, l=l, steps=steps, reverse=reverse, seed=seed)
    except ValueError as e:
        print(f"Cannot train with these settings: {e}")
        return {"error": str(e)}
    v1 = "" if s["first_hop"] is None else f", v1 accuracy {s['first_hop']:.2f}"
    # reverse targets are parent lookups, not a choice among d children: their reference is a node guess
    ref = f"a guess among the prompt's nodes: {s['node_guess']:.2f}" if reverse else f"chance of v1 1/d = {s['chance']:.2f}"
    print(f"exact match {s['exact_match']:.2f}{v1} ({ref}); "
          f"teacher-forced by position {np.round(s['teacher_forced'], 2).tolist()}; {s['wall_time']:.0f} s")
    steps_, tf = s["history"].series("teacher_forced")
    fig = Figure(figsize=plt.rcParams["figure.figsize"], dpi=plt.rcParams["figure.dpi"])  # no pyplot: see _show
    plot_positions(steps_, tf, chance=s["node_guess"] if reverse else s["chance"], ax=fig.subplots(),
                   title=("reverse" if reverse else "forward") + f" targets, G_({d},{l}) in context")
    _show(fig)
    return s


def in_context_panel(d: int = 2, l: int = 5, steps: int = 1000, reverse: bool = False, seed: int = 0):
    """Chapter 03a panel: retrain the in-context task with other d, l, steps, target order and seed."""
    kw = dict(continuous_update=False, style={"description_width": "initial"})
    return W.interactive(
        _in_context, {"manual": True, "manual_name": "Train"},
        d=W.IntSlider(value=d, min=2, max=5, description="d (arms)", **kw),
        l=W.IntSlider(value=l, min=3, max=7, description="ℓ (nodes per arm)", **kw),
        steps=W.IntSlider(value=steps, min=100, max=6000, step=100, description="steps", **kw),
        reverse=W.Checkbox(value=reverse, description="reverse targets (goal → start)"),
        seed=W.IntSlider(value=seed, min=0, max=20, description="seed", **kw),
    )


# ---------------------------------------------------------------- chapter 04: embedding scatter
def _embedding_view(views: dict, arm, held_out, objective: str, projection: str) -> str:
    coords, name = views[objective][projection]
    fig = Figure(figsize=(4.4, 3.8), dpi=80)
    plot_embedding_2d(coords, arm, ax=fig.add_subplot(), held_out=held_out, title=f"{objective}: {name}",
                      xlabel=f"{name} 1", ylabel=f"{name} 2")
    _show(fig)
    return name


def embedding_explorer(views: dict, arm, held_out=None) -> W.interactive:
    """Chapter 04 panel: dropdowns pick the training objective and the projection of precomputed 2-D
    embeddings ``views[objective][projection] = (coords, method name)``; ``.result`` is the method used."""
    objectives = list(views)
    projections = list(views[objectives[0]])
    return W.interactive(_embedding_view, views=W.fixed(views), arm=W.fixed(np.asarray(arm)),
                         held_out=W.fixed(held_out),
                         objective=W.Dropdown(options=objectives, value=objectives[0], description="objective"),
                         projection=W.Dropdown(options=projections, value=projections[0], description="projection"))
