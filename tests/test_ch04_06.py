"""The package code behind chapters 04–06 (issue 17: logic out of the notebooks, each piece tested).

Chapter 04: ``geometry.first_hop_report``. Chapter 05: ``tiny.tiny_report_study``, ``figure1_embeddings``,
the dynamics study and its rows, ``readouts.paper_comparison_rows`` / ``skewed_verdict_rows``.
Chapter 06: ``spectral_bias.headroom`` / ``headroom_order`` / ``graph_bias`` / ``star_bias_row``.
And the cache list: the experiments ``scripts/regenerate_caches.py`` makes are the ones the chapters load.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from geomem_utils.cache import cache_key
from geomem_utils.experiments.path_star import PATH_STAR_DEFAULTS, path_star_experiment
from geomem_utils.experiments.spectral_bias import (HEADROOM_ORDER, StarSpectralBias, graph_bias, headroom,
                                                    headroom_order, star_bias_row)
from geomem_utils.experiments.tiny import (DYNAMICS, Histories, MemoryReports, NodeEmbeddings, TinyExperiment,
                                           dynamics_experiments, dynamics_histories, dynamics_rows, dynamics_study,
                                           figure1_embeddings, tiny_memory_study, tiny_report_study)
from geomem_utils.geometry import first_hop_report, navigate_first_hop, spectral_embedding
from geomem_utils.graphs import cycle, tiny_graphs
from geomem_utils.history import History, log_spaced_steps
from geomem_utils.readouts import (PAPER_MARGINS, paper_comparison_rows, reference_report, report_values,
                                   skewed_verdict_rows)
from geomem_utils.spectral import spectrum

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- chapter 04
def test_first_hop_report_reads_the_model_and_skips_paths_for_edges_only():
    for mode in ("forward", "first_hop"):
        e = path_star_experiment(d=6, l=4, width=16, depth=1, heads=1, path_mode=mode)
        task = e.make_task()
        rep = first_hop_report(e.make_model(task), task)
        assert set(rep) == {"edge_recovery", "exact_match", "first_hop", "decoded"}
        assert 0 <= rep["edge_recovery"] <= 1 and 0 <= rep["first_hop"] <= 1
        assert rep["decoded"].shape == (len(task.test_paths),)
        # first-hop accuracy is the decoded v1 compared with the true one
        assert rep["first_hop"] == pytest.approx(np.mean(rep["decoded"] == task.graph.paths[task.test_paths, 1]))
    e = path_star_experiment(d=6, l=4, width=16, depth=1, heads=1, path_mode="none")
    task = e.make_task()
    rep = first_hop_report(e.make_model(task), task)
    assert rep["exact_match"] is rep["first_hop"] is rep["decoded"] is None and 0 <= rep["edge_recovery"] <= 1
    with pytest.raises(ValueError, match="PathStarTask"):
        first_hop_report(e.make_model(task), object())


def test_a_trained_path_model_agrees_with_the_navigator_format():
    """``decoded`` and ``navigate_first_hop`` speak the same language: node ids of first hops."""
    run = path_star_experiment(d=8, l=4, width=32, depth=1, heads=2, steps=150, eval_every=150).run(progress=False)
    rep = first_hop_report(run.model, run.task)
    nav = navigate_first_hop(run.model.embeddings()[:run.task.graph.n], run.task.graph, run.task.test_paths)
    assert nav.shape == rep["decoded"].shape and set(nav) <= set(run.task.graph.first_hops.tolist())


# ---------------------------------------------------------------- chapter 05: studies
def test_the_report_study_holds_the_same_runs_as_the_embedding_study():
    emb, rep = tiny_memory_study((0, 1)), tiny_report_study((0, 1))
    assert isinstance(emb, NodeEmbeddings) and isinstance(rep, MemoryReports)
    assert emb.name == "tiny_memory_embeddings" and rep.name == "tiny_memory_reports"
    assert emb.cells == rep.cells                       # same experiments, labels and seeds
    assert cache_key(emb) != cache_key(rep)             # but two files
    labels = [label for label, _ in rep.cells]
    assert len(labels) == 12
    assert labels[:3] == [("star", "associative"), ("star", "neural net"), ("star", "transformer")]
    assert all(len(exps) == 2 and {e.seed for e in exps} == {0, 1} for _, exps in rep.cells)
    assert rep.cells[0][1][0] == TinyExperiment.of(tiny_graphs()["star"], "associative", seed=0)
    for bad, match in [(dict(seeds=()), "seeds"), (dict(seeds=(-1,)), "seeds"),
                       (dict(memorizers=("lstm",)), "memorizer")]:
        with pytest.raises(ValueError, match=match):
            tiny_report_study(**bad)


def test_memory_reports_summarize_a_run_by_its_readouts():
    run = TinyExperiment.of(cycle(6), "neural net", width=16, steps=30).run()
    rep = MemoryReports(name="x").summarize(run)
    assert {"edge_recovery", "geometric_level", "margin", "skewed_margin", "skewed_top1"} <= set(rep)


def test_figure1_embeddings_take_one_seed_and_add_the_laplacian():
    graphs = {k: v for k, v in tiny_graphs().items() if k in ("star", "cycle")}
    rng = np.random.default_rng(0)
    memory = {g: {m: [rng.standard_normal((graphs[g].n, 4)) for _ in range(2)] for m in ("associative", "neural net")}
              for g in graphs}
    cells = figure1_embeddings(memory, graphs, seed_index=1)
    assert list(cells) == ["star", "cycle"]
    assert list(cells["cycle"]) == ["associative", "neural net", "Laplacian (top 3 eigenvectors)"]
    np.testing.assert_array_equal(cells["star"]["neural net"], memory["star"]["neural net"][1])
    np.testing.assert_allclose(cells["cycle"]["Laplacian (top 3 eigenvectors)"], spectral_embedding(graphs["cycle"], 3))
    with pytest.raises(ValueError, match="seed_index"):
        figure1_embeddings(memory, graphs, seed_index=2)
    with pytest.raises(ValueError, match="grid"):
        figure1_embeddings(memory, tiny_graphs())


def test_dynamics_experiments_are_chapter_05s_four_runs():
    ex = dynamics_experiments()
    assert list(ex) == list(DYNAMICS)
    wide = ex["wide associative (width 512, lr 0.1)"]
    assert (wide.model.width, wide.train.lr, wide.model.freeze_embeddings) == (512, 0.1, True)
    assert ex["neural net (width 32)"].model.width == 32       # not the cycle's default 512
    assert ex["associative (width 32)"].model.width == 32 and ex["transformer (width 32)"].model.arch == "gpt"
    assert all(e.eval.metrics == "memory" and e.eval.eval_steps == tuple(log_spaced_steps(1000)) and
               e.graph.name == tiny_graphs()["cycle"].name for e in ex.values())
    assert isinstance(dynamics_study(), Histories) and dynamics_study().name == "05_memory_dynamics"
    with pytest.raises(ValueError, match="steps"):
        dynamics_experiments(0)


def test_dynamics_round_trip_through_the_study_result():
    result = dynamics_study(steps=20).compute()
    assert list(result) == list(DYNAMICS) and all(len(v) == 1 for v in result.values())
    hist = dynamics_histories(result)
    assert all(isinstance(h, History) and h.series("skewed_margin")[0][0] == 0 for h in hist.values())
    rows = dynamics_rows(hist, at=(1, 20, 100))
    assert [r[0] for r in rows] == list(DYNAMICS)
    wide = rows[1]
    assert wide[1] == 1                                   # the wide frozen model: every edge at step 1
    assert wide[4] is None and all(isinstance(v, float) for v in wide[2:4])  # step 100 was never logged
    with pytest.raises(ValueError, match="dynamics_study"):
        dynamics_histories({"x": [{"loss": 1}]})
    with pytest.raises(ValueError, match="not logged"):
        dynamics_rows({"x": History(evals=[dict(step=0, edge_recovery=1.0)])})


# ---------------------------------------------------------------- chapter 05: tables
def _rep(margin, skewed):
    return dict(edge_recovery=1.0, margin=margin, skewed_margin=skewed, skewed_top1=0.5, geometric_level=0.1)


def _fake_reports():
    rep = _rep
    return {"star": {"associative": [rep(2.0, -0.2), rep(2.2, 0.0)], "transformer": [rep(9.0, 1.0)]},
            "cycle": {"associative": [rep(1.0, 0.05)], "transformer": [rep(8.0, 3.0)]}}


def test_paper_comparison_rows_pair_ours_with_the_authors():
    rows = paper_comparison_rows(_fake_reports())
    assert [r[0] for r in rows] == ["associative / star", "associative / cycle",
                                    "transformer / star", "transformer / cycle"]
    assert rows[0][1] == [2.0, 2.2] and rows[0][2] == PAPER_MARGINS[("associative", "star")][0]
    assert rows[0][3] == [-0.2, 0.0] and rows[0][6] == PAPER_MARGINS[("associative", "star")][2]
    assert rows[2][2] is None and rows[2][4] is None and rows[2][7] == [0.1]   # no authors' numbers
    assert PAPER_MARGINS[("neural net", "cycle")] == (8.82, 7.87, 1.00)
    with pytest.raises(ValueError, match="reports"):
        paper_comparison_rows({})


def test_skewed_verdicts_name_the_geometric_graphs():
    rows = skewed_verdict_rows(_fake_reports())
    assert rows[0][0] == "associative" and rows[0][1] == pytest.approx(-0.1) and rows[0][-1].startswith("no geometry")
    assert rows[1] == ["transformer", 1.0, 3.0, "geometry on star, cycle"]
    assert skewed_verdict_rows(_fake_reports(), ["transformer"], threshold=2.0)[0][-1] == "geometry on cycle"
    assert report_values(reference_report(cycle(5)), "skewed_top1") == [1.0]
    with pytest.raises(ValueError, match="skewed_margin"):
        report_values([dict(margin=1.0)], "skewed_margin")
    with pytest.raises(ValueError, match="at least one"):
        report_values([], "margin")


# ---------------------------------------------------------------- chapter 06
def test_headroom_ranks_a_spectral_embedding_above_a_random_one():
    graphs = {k: v for k, v in tiny_graphs().items() if k in ("star", "cycle")}
    spectra = {k: spectrum(g) for k, g in graphs.items()}
    rng = np.random.default_rng(0)
    memory = {k: {"associative": [rng.standard_normal((g.n, 32)) for _ in range(3)]} for k, g in graphs.items()}
    fiedler = {"star": 3, "cycle": 2}
    n2v = {k: spectral_embedding(g, fiedler[k]) for k, g in graphs.items()}  # exactly the Fiedler-like space
    conc, base = headroom(memory, n2v, graphs, spectra)
    assert conc["cycle"]["Node2Vec"] == [pytest.approx(1.0)] and len(conc["star"]["associative"]) == 3
    assert base == {"star": pytest.approx(3 / 16), "cycle": pytest.approx(2 / 14)}
    assert headroom_order(conc) == {"star": ["Node2Vec", "associative"], "cycle": ["Node2Vec", "associative"]}
    assert HEADROOM_ORDER[0] == "Node2Vec" and HEADROOM_ORDER[-1] == "associative"
    with pytest.raises(ValueError, match="grid"):
        headroom(memory, n2v, tiny_graphs(), spectra)


def test_graph_bias_reports_concentrations_with_their_baselines():
    b = graph_bias(cycle(12), steps=300)
    assert (b["nodes"], b["edges"], b["fiedler_dim"]) == (12, 12, 2)
    assert b["one_space_random"] == pytest.approx(2 / 11) and b["one_space"] > 2 * b["one_space_random"]
    assert b["three_spaces"] >= b["one_space"] and b["effective_rank"] > 1 and b["seconds"] >= 0
    with pytest.raises(ValueError, match="steps"):
        graph_bias(cycle(12), steps=0)


def test_star_bias_row_reads_a_result():
    bias = StarSpectralBias(d=20, steps=50)  # the smallest d the sparse solver takes (3 (d + 6) < 4d + 1)
    r = bias.compute()
    row = star_bias_row(bias, r)
    assert row[:3] == ["G_(20,5)", 81, 26] and row[4] == 50
    assert 0 < row[6] <= 1 and row[7] == pytest.approx(19 / 80)
    with pytest.raises(ValueError, match="StarSpectralBias"):
        star_bias_row(object(), r)


# ---------------------------------------------------------------- the cache list
def _regenerate_caches():
    spec = importlib.util.spec_from_file_location("regenerate_caches", ROOT / "scripts" / "regenerate_caches.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.CACHES


def test_the_cache_list_makes_what_chapters_04_and_05_load():
    caches = _regenerate_caches()
    # chapter 04 builds path_star_experiment(**SETTINGS, path_mode=..., seed=0, eval_every=steps)
    for label, settings in [(" (quick mode)", dict(d=200, steps=400)), ("", dict(d=300, steps=600))]:
        SETTINGS = dict(PATH_STAR_DEFAULTS, **settings)
        for mode in ("forward", "first_hop", "none"):
            made = caches[f"04_{mode}{label}"][1]()
            assert made == path_star_experiment(**SETTINGS, path_mode=mode, seed=0, eval_every=SETTINGS["steps"])
    assert caches["tiny_memory_reports (1 seed, quick mode)"][1]() == tiny_report_study((0,))
    assert caches["tiny_memory_reports (3 seeds)"][1]() == tiny_report_study((0, 1, 2))
    assert caches["05_memory_dynamics"][1]() == dynamics_study()
    assert caches["06_node2vec_path_star"][1]() == StarSpectralBias()
