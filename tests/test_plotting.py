"""Figures of chapters 01-02 (geomem_utils.plotting): real properties of the drawn axes."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from geomem_utils import History, PathStarTask, cycle, path_star, tree_star  # noqa: E402
from geomem_utils.plotting import TRAINING_METRICS, arm_colours, draw_star, plot_training, set_style  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_set_style_fixes_size_and_low_dpi():
    set_style()
    assert tuple(matplotlib.rcParams["figure.figsize"]) == (6.0, 3.6)
    assert matplotlib.rcParams["figure.dpi"] <= 90
    assert matplotlib.rcParams["savefig.dpi"] <= 90


def _legend_texts(ax):
    leg = ax.get_legend()
    return [t.get_text() for t in leg.get_texts()] if leg else []


def test_draw_star_small_path_star_marks_root_heldout_and_path():
    g = path_star(6, 5, seed=0)
    task = PathStarTask(g)
    path = g.paths[task.train_paths[0]]
    ax = draw_star(g, highlight=path, held_out=g.leaves[task.test_paths])
    assert ax.get_title().startswith("path-star G")
    assert "25 nodes" in ax.get_title() and "showing" not in ax.get_title()
    assert _legend_texts(ax) == ["root", "held-out leaf", "highlighted path"]
    # every drawn node appears in exactly one scatter collection (inner, training leaves, held-out, root)
    n_drawn = sum(len(c.get_offsets()) for c in ax.collections if type(c).__name__ == "PathCollection")
    assert n_drawn == g.n
    # node labels for a small graph: one text per node
    assert len(ax.texts) == g.n


def test_draw_star_large_d_draws_subset_and_says_so():
    g = path_star(100, 5, seed=1)
    ax = draw_star(g, max_arms=12)
    assert "showing 12 of 100 arms" in ax.get_title()
    n_drawn = sum(len(c.get_offsets()) for c in ax.collections if type(c).__name__ == "PathCollection")
    assert n_drawn == 1 + 12 * 4
    assert len(ax.texts) == 0  # no labels when crowded


def test_draw_star_subset_keeps_highlighted_arm():
    g = path_star(50, 4, seed=0)
    path = g.paths[37]
    ax = draw_star(g, highlight=path, max_arms=5)
    # the highlighted path's 3 edges are drawn as one thick black LineCollection
    thick = [c for c in ax.collections if type(c).__name__ == "LineCollection" and max(c.get_linewidths()) >= 3]
    assert len(thick) == 1 and len(thick[0].get_segments()) == 3


def test_draw_star_tree_star_and_plain_graph():
    ax = draw_star(tree_star(3, 4, seed=0))
    assert ax.get_title().startswith("tree-star T") and "22 nodes" in ax.get_title()
    ax = draw_star(cycle(15))
    assert ax.get_title() == "cycle(15)"


def test_draw_star_rejects_bad_input():
    with pytest.raises(ValueError, match="Graph"):
        draw_star("not a graph")
    with pytest.raises(ValueError, match="layout"):
        draw_star(path_star(3, 3), layout="circle")


def test_arm_colours_distinct():
    for n in (3, 15, 30):
        c = arm_colours(n)
        assert c.shape == (n, 4)
        assert len({tuple(np.round(x, 4)) for x in c}) == n


def _fake_history(steps=100, every=25):
    h = History(loss=list(np.linspace(3.0, 0.05, steps)))
    for s in range(every, steps + 1, every):
        f = s / steps
        h.evals.append(dict(step=s, time=0.0, test_exact=0.5 * f, test_first_hop=0.6 * f, train_exact=f,
                            edge_recovery=min(1.0, 2 * f)))
    return h


def test_plot_training_axes_lines_and_chance():
    fig, (ax_loss, ax_acc) = plot_training(_fake_history(), chance=1 / 8)
    assert len(fig.axes) == 2
    assert ax_loss.get_yscale() == "log"
    assert ax_loss.get_xlabel() == "step" and ax_acc.get_xlabel() == "step"
    assert "loss" in ax_loss.get_title() and ax_acc.get_ylabel() == "accuracy"
    assert len(ax_loss.lines) == 1 and len(ax_loss.lines[0].get_xdata()) == 100
    assert len(ax_acc.lines) == 5  # four metrics + chance
    labels = _legend_texts(ax_acc)
    assert labels[:4] == [v[0] for v in TRAINING_METRICS.values()]
    chance = ax_acc.lines[-1]
    assert chance.get_linestyle() == "--" and np.allclose(chance.get_ydata(), 1 / 8)
    assert "1/d" in labels[-1]
    np.testing.assert_array_equal(ax_acc.lines[0].get_xdata(), [25, 50, 75, 100])


def test_plot_training_into_given_axes_and_missing_metrics():
    fig, axes = plt.subplots(1, 2)
    h = History(loss=[1.0, 0.5], evals=[dict(step=2, time=0.0, edge_recovery=0.4)])
    out_fig, (a, b) = plot_training(h, chance=0.25, ax=axes)
    assert out_fig is fig and a is axes[0] and b is axes[1]
    assert len(b.lines) == 2  # edge recovery + chance
    with pytest.raises(ValueError, match="History"):
        plot_training({"loss": []}, chance=0.5)


def test_plot_positions_and_contrast_draw_what_they_are_given():
    from geomem_utils.plotting import plot_contrast, plot_positions
    ax = plot_positions([10, 20, 30], np.array([[0.1, 0.2], [0.5, 0.9], [1.0, 1.0]]), labels=["v1", "v2"], chance=0.5)
    assert len(ax.lines) == 3 and ax.get_xlabel() == "step"
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.2, 0.9, 1.0])
    ax = plot_contrast({"trainable": dict(a=1.0, b=0.9), "frozen": dict(a=1.0, b=0.0)},
                       dict(a="edges", b="held-out"), chance=0.01)
    heights = sorted(round(p.get_height(), 2) for p in ax.patches)
    assert heights == [0.0, 0.9, 1.0, 1.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["edges", "held-out"]
    plt.close("all")


def test_plot_attention_rows_are_distributions_over_earlier_tokens():
    from geomem_utils.models import ModelConfig, build_model
    from geomem_utils.plotting import plot_attention
    from geomem_utils.tasks import InContextTask
    task = InContextTask(d=2, l=3, n_labels=12)
    ex = task.sample(1, np.random.default_rng(0)).tokens[0]
    model = build_model(ModelConfig(vocab_size=len(task.vocab), block_size=len(ex), depth=1, heads=2, width=16))
    q = list(range(task.prompt_len - 1, len(ex) - 1))
    ax = plot_attention(model, ex, task.vocab, q)
    att = ax.images[0].get_array()
    np.testing.assert_allclose(np.asarray(att).sum(1), 1.0, rtol=1e-5)
    assert att.shape == (len(q), len(ex) - 1)
    plt.close("all")


def test_chapter05_figures_draw_edges_heatmaps_and_dynamics():
    from geomem_utils.graphs import grid
    from geomem_utils.memory_plots import plot_embedding_3d, plot_memory_dynamics, plot_similarity_vs_adjacency
    from geomem_utils.history import History
    g = grid(3, 3)
    E = np.random.default_rng(0).standard_normal((g.n + 2, 6))
    ax = plt.figure().add_subplot(projection="3d")
    plot_embedding_3d(E, g, ax, title="t")
    assert len(ax.lines) == len(g.edges) and ax.get_title() == "t"
    ax2 = plt.figure().add_subplot(projection="3d")
    plot_embedding_3d(E[:, :2], g, ax2)  # fewer than 3 components still draws
    assert len(ax2.lines) == len(g.edges)
    _, axes = plt.subplots(1, 3)
    plot_similarity_vs_adjacency({"a": E, "b": -E}, g, axes)
    np.testing.assert_array_equal(axes[2].images[0].get_array(), g.adjacency())
    assert np.allclose(np.diag(axes[0].images[0].get_array()), 1.0)
    np.testing.assert_allclose(axes[0].images[0].get_array(), axes[1].images[0].get_array())
    h = History()
    h.evals = [dict(step=s, edge_recovery=min(1.0, s / 10), skewed_top1=s / 100) for s in (0, 1, 10, 100)]
    _, axes = plt.subplots(1, 2)
    plot_memory_dynamics({"a": h, "b": h}, axes, metrics=("edge_recovery", "skewed_top1"))
    assert len(axes[0].lines) == 2 and axes[1].get_xscale() == "symlog"
    np.testing.assert_array_equal(axes[1].lines[0].get_ydata(), [0, 0.01, 0.1, 1])


def test_chapter06_spectral_figures():
    from geomem_utils.graphs import cycle
    from geomem_utils.node2vec import train_node2vec
    from geomem_utils.memory_plots import plot_eigenspace_energy, plot_spectral_bars, plot_spectral_dynamics
    from geomem_utils.spectral import eigenspace_energy, spectrum
    g = cycle(7)
    s = spectrum(g)
    run = train_node2vec(g, steps=20, track=s.vectors, eval_steps=[10, 20])
    _, axes = plt.subplots(1, 3)
    plot_spectral_dynamics(run, g, s, axes[:2])
    assert len(axes[0].lines) == g.n and [c.get_color() for c in axes[0].lines[1:3]] == ["tab:red"] * 2
    plot_spectral_bars(run.V, g, s, axes[2])
    heights = [p.get_height() for p in axes[2].patches]
    assert len(heights) == g.n - 1 and max(heights) == pytest.approx(1.0)
    _, ax = plt.subplots()
    rows = {"a": eigenspace_energy(run.V, g, s), "b": eigenspace_energy(np.eye(7), g, s)}
    plot_eigenspace_energy(rows, ax, n_spaces=3)
    assert len(ax.patches) == 6


def test_plot_phase_diagram_places_each_result():
    from geomem_utils.scaling_plots import plot_phase_diagram
    cfg = lambda d, l, w, depth: dict(graph=dict(d=d, l=l), model=dict(width=w, depth=depth))  # noqa: E731
    res = [dict(config=cfg(d, l, 64, 1), final=dict(test_exact=d / 100 + l / 10))
           for d in (10, 50) for l in (4, 5)] + [dict(config=cfg(10, 4, 128, 2), final=dict(test_exact=0.0))]
    _, ax = plt.subplots()
    plot_phase_diagram(res, ax, 64, 1)
    M = ax.images[0].get_array()
    assert M.shape == (2, 2) and M[1, 0] == pytest.approx(0.6) and M[0, 1] == pytest.approx(0.9)
    assert len(ax.texts) == 4


def test_plot_erosion_draws_each_recipe_and_checks_its_axes():
    from geomem_utils.scaling_plots import plot_erosion
    ev = [dict(step=s, test_exact=a, test_positions=[1.0, a, 1.0, 1.0, 1.0], nearest_own=1.0,
               margin_test=m, margin_train=5.0) for s, a, m in ((100, 1.0, 1.0), (200, 0.5, -1.0))]
    probe = {"no dropout": dict(evals=ev), "dropout 0.2": dict(evals=ev)}
    fig, axes = plt.subplots(1, 3)
    plot_erosion(probe, axes, chance=0.01)
    assert len(axes[0].lines) == 3 and len(axes[1].lines) == 6 and len(axes[2].lines) == 5  # + chance / zero lines
    assert axes[1].lines[1].get_linewidth() > axes[1].lines[0].get_linewidth()  # v1 is drawn bold
    with pytest.raises(ValueError, match="axes"):
        plot_erosion(probe, axes[:2])
    plt.close(fig)


def test_plot_budget_diagram_shows_the_seed_mean_and_spread():
    from geomem_utils.cache import cache_key
    from geomem_utils.experiments.longer import BUDGET_DS, BUDGET_LS, budget_experiment
    from geomem_utils.scaling_plots import plot_budget_diagram
    res = [dict(config=cache_key(budget_experiment(200, 5, "paper", seed)), final=dict(test_exact=v))
           for seed, v in ((0, 0.6), (1, 1.0))]
    fig, ax = plt.subplots()
    plot_budget_diagram(res, ax, "paper")
    M = ax.images[0].get_array()
    assert M.shape == (len(BUDGET_LS), len(BUDGET_DS))
    assert M[BUDGET_LS.index(5), BUDGET_DS.index(200)] == pytest.approx(0.8)
    assert [t.get_text() for t in ax.texts] == ["0.80", "0.60–1.00"]
    plt.close(fig)


def test_seed_lines_draw_one_panel_per_cell_and_one_line_per_seed():
    from geomem_utils.plotting import plot_seed_lines
    steps = np.arange(0, 50, 10)
    curves = {"a": (steps, np.zeros((3, 5))), "b": (steps, np.ones((2, 5))), "c": (steps, np.eye(5)[:3])}
    fig = plot_seed_lines(curves, ncols=2, chance=0.1)
    panels = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in panels] == ["a", "b", "c"]
    assert [len(ax.lines) for ax in panels] == [4, 3, 4]          # seeds + the chance line
    assert panels[0].get_ylabel() and panels[0].get_xlabel() == "step"
    assert len(fig.axes) == 4 and not fig.axes[3].axison          # the spare panel is blank
    plt.close(fig)
    with pytest.raises(ValueError, match="curves"):
        plot_seed_lines({})
