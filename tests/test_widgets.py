"""Widget callbacks of chapters 01-02 (geomem_utils.widgets), driven without a browser.

``interactive`` swallows exceptions raised by its callback outside IPython, so every test asserts on
``.result`` (the helper's return value), never on a raise from the widget.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from geomem_utils import path_star  # noqa: E402
from geomem_utils.widgets import (describe_path_star, format_description, format_summary,  # noqa: E402
                                  path_star_explorer, retrain_panel, retrain_summary)


@pytest.fixture(autouse=True)
def _one_thread_and_close_figures():
    # the tiny models train far faster on one thread (and do not fight a busy machine for cores)
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
    plt.close("all")


def _targets(example: str) -> list[int]:
    return [int(t) for t in example.split(" → ")[1].split()]


def _prompt(example: str) -> list[str]:
    return example.split(" → ")[0].split()


# ---------------------------------------------------------------- describe_path_star (chapter 01)
def test_describe_counts_for_G34():
    desc = describe_path_star(d=3, l=4, n_pause=1, seed=0)
    assert desc["n_nodes"] == 10 and desc["n_edges"] == 9
    assert desc["n_edge_examples"] == 18
    assert desc["vocab_size"] == 10 + 4
    assert desc["n_train_leaves"] + desc["n_held_out_leaves"] == 3
    assert desc["n_held_out_leaves"] >= 1
    assert desc["chance"] == pytest.approx(1 / 3)


def test_describe_paths_follow_one_real_arm():
    desc = describe_path_star(d=5, l=6, n_pause=2, seed=3)
    g = path_star(5, 6, seed=3)
    path = desc["example_path"]
    assert path[0] == desc["root"] == g.root
    assert any((row == path).all() for row in g.paths)
    leaf = path[-1]
    fwd = _targets(desc["path_forward"])
    assert fwd[0] == g.root and fwd[-1] == leaf and fwd == path
    assert _targets(desc["path_reverse"]) == path[::-1]
    assert _targets(desc["path_first_hop"]) == [path[1]]  # the first hop v1
    for key in ("path_forward", "path_reverse", "path_first_hop"):
        assert _prompt(desc[key]) == ["[PATH]", str(leaf), "[PAUSE]", "[PAUSE]"]
    # forward edge leaves the root along the arm; backward edge leaves the leaf toward the root
    assert _prompt(desc["edge_forward"]) == ["[EDGE]", str(g.root)] and _targets(desc["edge_forward"]) == [path[1]]
    assert _prompt(desc["edge_backward"]) == ["[EDGE]", str(leaf)] and _targets(desc["edge_backward"]) == [path[-2]]
    # the held-out prompt asks about a leaf that is not the training leaf
    held = int(_prompt(desc["held_out_prompt"])[1])
    assert held in g.leaves and held != leaf


def test_describe_no_pauses_and_validation():
    desc = describe_path_star(d=4, l=3, n_pause=0)
    assert "[PAUSE]" not in desc["path_forward"]
    with pytest.raises(ValueError, match="d"):
        describe_path_star(d=1, l=4)
    text = format_description(describe_path_star(3, 4))
    assert "18 edge examples" in text and "held-out" in text


# ---------------------------------------------------------------- path_star_explorer
def _child(w, name):
    return next(c for c in w.kwargs_widgets if c._kwarg == name)


def test_explorer_initial_call_and_slider_moves():
    w = path_star_explorer()
    assert w.result["d"] == 6 and w.result["n_nodes"] == 25
    _child(w, "d").value = 3
    _child(w, "l").value = 4
    assert w.result["n_nodes"] == 10 and w.result["n_edge_examples"] == 18
    _child(w, "n_pause").value = 0
    assert "[PAUSE]" not in w.result["path_forward"]
    # slider ranges of the brief: d 2..30, l 2..8, never continuous updates
    assert (_child(w, "d").min, _child(w, "d").max) == (2, 30)
    assert (_child(w, "l").min, _child(w, "l").max) == (2, 8)
    assert not any(c.continuous_update for c in w.kwargs_widgets)


def test_explorer_extremes():
    w = path_star_explorer(d=30, l=8)
    assert w.result["n_nodes"] == 30 * 7 + 1
    _child(w, "l").value = 2
    assert w.result["n_nodes"] == 31 and len(_targets(w.result["path_forward"])) == 2


# ---------------------------------------------------------------- retrain_summary / retrain_panel (chapter 02)
def test_retrain_summary_tiny():
    s = retrain_summary(d=8, l=4, width=32, depth=1, steps=60, seed=0)
    for key in ("test_exact", "test_first_hop", "train_exact", "edge_recovery"):
        assert 0.0 <= s[key] <= 1.0, key
    assert s["chance"] == pytest.approx(1 / 8)
    assert s["test_exact"] <= s["test_first_hop"]  # an exact match needs the first hop
    assert s["wall_time"] > 0 and s["n_params"] > 0
    assert len(s["history"].loss) == 60
    steps, _ = s["history"].series("test_exact")
    assert steps[-1] == 60 and len(steps) == 10
    assert "chance 0.125" in format_summary(s)


def test_retrain_summary_rejects_width_not_divisible_by_heads():
    with pytest.raises(ValueError, match="divisible"):
        retrain_summary(d=8, width=30, heads=4, steps=5)


def test_retrain_panel_is_manual_and_trains_on_click():
    w = retrain_panel()
    assert w.result is None  # interact_manual: nothing runs until the button is pressed
    assert w.manual_button.description == "Train"
    width = _child(w, "width")
    assert all(v % 4 == 0 for v in range(width.min, width.max + 1, width.step))
    assert type(_child(w, "lr")).__name__ == "FloatLogSlider"
    for name, value in dict(d=8, l=3, width=32, depth=1, n_pause=0, steps=40, seed=1).items():
        _child(w, name).value = value
    assert w.result is None
    w.manual_button.click()
    r = w.result
    assert r["chance"] == pytest.approx(1 / 8) and len(r["history"].loss) == 40
    assert all(0.0 <= r[k] <= 1.0 for k in ("test_exact", "test_first_hop", "train_exact", "edge_recovery"))
    assert r["settings"]["seed"] == 1 and r["settings"]["n_pause"] == 0


def test_retrain_panel_reports_bad_width_without_traceback():
    from geomem_utils.widgets import _retrain
    out = _retrain(d=8, l=3, width=30, depth=1, n_pause=0, steps=5, lr=1e-3, seed=0)
    assert "divisible" in out["error"]


def test_retrain_panel_frozen_first_hop_option_reaches_the_trainer():
    w = retrain_panel()
    for name, value in dict(d=8, l=4, width=32, depth=1, steps=60).items():
        _child(w, name).value = value
    _child(w, "freeze_embeddings").value = True
    _child(w, "path_mode").value = "first_hop"
    w.manual_button.click()
    r = w.result
    assert r["settings"]["freeze_embeddings"] is True and r["settings"]["path_mode"] == "first_hop"
    assert r["test_exact"] == r["test_first_hop"]  # a single target: exact match is the v1 accuracy


def test_in_context_panel_is_manual_and_reports_positions():
    from geomem_utils.widgets import in_context_panel
    w = in_context_panel()
    assert w.result is None and w.manual_button.description == "Train"
    for name, value in dict(d=2, l=3, steps=100).items():
        _child(w, name).value = value
    w.manual_button.click()
    r = w.result
    assert r["chance"] == 0.5 and r["node_guess"] == pytest.approx(1 / 5) and r["teacher_forced"].shape == (3,)
    assert 0 <= r["exact_match"] <= r["first_hop"] <= 1
    _child(w, "reverse").value = True
    w.manual_button.click()
    assert w.result["first_hop"] is None and w.result["settings"]["reverse"] is True


def test_retrain_callback_displays_a_drawn_png(monkeypatch):
    """The panel's figure is rendered to a PNG with real content (the blank-first-figure regression)."""
    import io

    import matplotlib.image as mpimg

    import geomem_utils.widgets as wmod
    shown = []
    monkeypatch.setattr(wmod, "display", shown.append)
    r = wmod._retrain(d=8, l=4, width=32, depth=1, n_pause=1, steps=40, lr=3e-3, seed=0)
    assert "error" not in r and len(shown) == 1
    img = mpimg.imread(io.BytesIO(shown[0].data), format="png")
    assert (img[..., :3] < 0.9).any(-1).sum() > 2000  # curves, axes and text, not a white page


def test_embedding_explorer_switches_objective_and_projection():
    import numpy as np
    from geomem_utils.widgets import embedding_explorer
    rng = np.random.default_rng(0)
    views = {obj: {"UMAP": (rng.standard_normal((12, 2)), "UMAP"), "PCA": (rng.standard_normal((12, 2)), "PCA")}
             for obj in ("edges only", "edges + full paths")}
    w = embedding_explorer(views, np.repeat(np.arange(4), 3), held_out=np.arange(12) >= 9)
    assert w.result == "UMAP"
    _child(w, "projection").value = "PCA"
    assert w.result == "PCA"
    _child(w, "objective").value = "edges + full paths"
    assert w.result == "PCA" and _child(w, "objective").options == ("edges only", "edges + full paths")


def test_memory_explorer_switches_graph_and_model():
    import numpy as np
    from geomem_utils.graphs import cycle, grid
    from geomem_utils.memory_widgets import format_report, memory_explorer
    rep = dict(edge_recovery=1.0, margin=2.0, skewed_margin=-0.5, skewed_top1=0.25, geometric_level=0.0)
    rng = np.random.default_rng(0)
    results = {g.name: {m: (rng.standard_normal((g.n + 2, 8)), g, dict(rep, margin=float(i)))
                        for i, m in enumerate(["associative", "neural net"])} for g in (cycle(5), grid(2, 3))}
    w = memory_explorer(results)
    assert w.result["margin"] == 0.0
    _child(w, "model_name").value = "neural net"
    assert w.result["margin"] == 1.0
    _child(w, "graph_name").value = grid(2, 3).name
    assert w.result is results[grid(2, 3).name]["neural net"][2]
    assert "skewed margin: -0.500" in format_report(rep)


def test_succinctness_calculator_follows_family_and_sliders():
    from geomem_utils.memory_widgets import succinctness_calculator
    w = succinctness_calculator()
    assert (w.result["nodes"], w.result["edges"]) == (17, 16)
    _child(w, "d").value = 100
    assert w.result["nodes"] == 401
    _child(w, "family").value = "cycle"
    _child(w, "n").value = 40
    assert w.result["nodes"] == 40 and abs(w.result["bits_ratio"] - 2) < 1e-12


def test_node2vec_panel_is_manual_and_reports_the_three_statements():
    from geomem_utils.memory_widgets import format_node2vec, node2vec_graph, node2vec_panel, node2vec_summary
    w = node2vec_panel()
    assert w.result is None and w.manual_button.description == "Train"
    _child(w, "size").value = 9
    _child(w, "steps").value = 3000
    w.manual_button.click()
    r = w.result
    assert r["graph"].n == 9 and r["c0_error"] < 1e-6 and r["survivors"] == 2
    assert "surviving directions: 2" in format_node2vec(r)
    assert node2vec_graph("grid", 3).n == 9 and node2vec_graph("path-star", 3).n == 13
    assert node2vec_graph("karate club", 0).n == 34
    with pytest.raises(ValueError, match="family"):
        node2vec_graph("torus", 5)
    with pytest.raises(ValueError, match="limited to 400"):
        node2vec_summary("grid", 30)


def test_middle_matrix_panel_is_manual_and_reports_the_store():
    from geomem_utils.memory_widgets import format_variant, middle_matrix_panel
    w = middle_matrix_panel()
    assert w.result is None and w.manual_button.description == "Train"
    for name, value in dict(graph="star", w_start="W = I", w_trainable=False, steps=50).items():
        _child(w, name).value = value
    w.manual_button.click()
    r = w.result
    assert r["verdict"] in ("geometric", "mixed", "associative") and len(r["proj"]) == 17
    assert "verdict" in format_variant(r)
    _child(w, "tied").value = False
    w.manual_button.click()
    assert "cos_EV" in w.result and "untied" in format_variant(w.result)
