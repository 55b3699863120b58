"""Chapter 11's undiluted start (models.carry_embeddings, experiments.given_geometry)."""
from dataclasses import replace

import numpy as np
import pytest

from geomem_utils import path_star
from geomem_utils.experiments.longer import paper_graph_runs
from geomem_utils.experiments.given_geometry import (PAPER_MINUTES, GivenGeometry, cell_verdict, followup_configs,
                                                     given, live_geometry, paper_given_configs, run_given,
                                                     search_configs)
from geomem_utils.geometry import navigation_accuracy, spectral_embedding
from geomem_utils.models import carry_embeddings


def _start(start, **kw):
    return given(12, 6, start, steps=4, eval_every=2, **kw)


def test_navigation_from_the_start_equals_navigation_on_the_coordinates_alone():
    e = _start("spectral", k=8)
    task, model = e.initial()
    X = e.coordinates(task.graph)
    E = model.token_embedding.weight.detach().numpy()[:task.graph.n]
    test = task.split_indices("test")
    assert navigation_accuracy(E, task.graph, test) == navigation_accuracy(X, task.graph, test) == 1.0
    assert np.all(E[:, 8:] == 0)                                         # nothing beside the coordinates
    assert np.isclose(np.linalg.norm(E, axis=1).mean(), 1.0)


def test_the_diluted_start_does_not_navigate_like_its_coordinates():
    """Negative control: today's start writes the same kind of spectral columns among random ones."""
    task, model = _start("diluted").initial()
    E = model.token_embedding.weight.detach().numpy()[:task.graph.n]
    X = spectral_embedding(task.graph, 11)
    test = task.split_indices("test")
    assert navigation_accuracy(X, task.graph, test) == 1.0
    assert navigation_accuracy(E, task.graph, test) < 1.0


def test_the_random_control_has_the_same_norm_and_no_geometry():
    task, model = _start("random", k=8).initial()
    E = model.token_embedding.weight.detach().numpy()[:task.graph.n]
    assert np.isclose(np.linalg.norm(E, axis=1).mean(), 1.0)
    assert live_geometry(task)(model)["navigation"] < 0.5


def test_mix_blends_toward_random_coordinates():
    full, half = _start("spectral", k=8), _start("spectral", k=8, mix=0.3)
    g = path_star(12, 6, seed=0)
    c_full = live_geometry(full.initial()[0])(full.initial()[1])["concentration"]
    c_half = live_geometry(half.initial()[0])(half.initial()[1])["concentration"]
    assert c_full > 0.95 and c_half < c_full


def test_a_run_is_stored_and_loaded_again(tmp_path):
    e = _start("spectral", k=8)
    first = run_given(e, out_dir=tmp_path)
    again = run_given(e, out_dir=tmp_path)
    assert not first["skipped"] and again["skipped"]
    assert again["at_start"]["navigation"] == 1.0 and len(again["curve"]["steps"]) == 2


def test_bad_starts_and_coordinates_get_one_clear_error():
    with pytest.raises(ValueError, match="start"):
        _start("laplace")
    with pytest.raises(ValueError, match="k"):
        _start("spectral", k=1000)
    with pytest.raises(ValueError, match="mix"):
        _start("spectral", mix=1.5)
    task, model = _start("none").initial()
    with pytest.raises(ValueError, match="coords"):
        carry_embeddings(model, np.ones(5))
    with pytest.raises(ValueError, match="norm"):
        carry_embeddings(model, np.ones((3, 2)), norm=0)


def test_cell_verdict_reads_the_rule():
    hit = dict(steps_to_90=500, curve=dict(test_exact=[0.2, 0.95]))
    miss = dict(steps_to_90=None, curve=dict(test_exact=[0.0, 0.3]))
    assert cell_verdict([hit, hit, hit]) == "learned"
    assert cell_verdict([hit, miss, hit]) == "partly"
    assert cell_verdict([miss] * 3) == "not learned"
    assert cell_verdict([hit, None, hit]) == "not run"


def test_the_search_has_three_seeds_per_cell_and_the_control():
    cells = {}
    for (d, l, label, seed), _ in search_configs():
        cells.setdefault((d, l, label), []).append(seed)
    assert all(len(s) == 3 for s in cells.values())
    for d, l in {(d, l) for d, l, _ in cells}:
        assert (d, l, "random k=16 (control)") in cells and (d, l, "spectral k=16") in cells


def test_given_passes_start_fields_and_recipe_settings_to_their_owners():
    e = given(12, 6, "spectral", mix=0.5, lr=5e-4, node2vec_weight=1.0, max_seconds=60)
    assert e.mix == 0.5 and e.base.train.lr == 5e-4 and e.base.train.max_seconds == 60
    assert e.base.interventions.node2vec_weight == 1.0
    assert given(12, 6, "spectral").base.train.lr != 5e-4        # the default recipe is left alone
    with pytest.raises(ValueError, match="lr"):
        given(12, 6, "spectral", lr=-1.0)


def test_followups_and_paper_runs_name_what_they_change():
    keys = {(d, l, label): e for (d, l, label, _), e in followup_configs()}
    assert keys[(2000, 8, "spectral k=16 + Node2Vec loss")].base.interventions.node2vec_weight == 1.0
    assert keys[(2000, 8, "spectral k=16, lr / 4")].base.train.lr == keys[(2000, 8, "spectral k=16, kept")].base.train.lr / 4
    paper = {(d, l): e for (d, l, _, _), e in paper_given_configs()}
    assert set(paper) == {(10_000, 6), (10_000, 10)}
    plain = {(10_000, 6): paper_graph_runs()["G_(10^4,6)"], (10_000, 10): paper_graph_runs()["G_(10^4,10)"]}
    for (d, l), e in paper.items():   # the plain run's recipe; only the start and the time differ
        assert (e.start, e.k) == ("spectral", 16) and e.base.train.max_seconds == 60 * PAPER_MINUTES
        assert e.base.task == plain[(d, l)].task and e.base.model == plain[(d, l)].model
        assert replace(e.base.train, steps=1, max_seconds=1, warmup=1) == replace(plain[(d, l)].train, steps=1, max_seconds=1, warmup=1)


def test_the_kept_start_keeps_its_columns_through_training():
    e = _start("spectral_kept", k=8)
    task, model = e.initial()
    before = model.token_embedding.weight.detach().clone()
    run = e.run()
    after = run.model.token_embedding.weight.detach()
    n = task.graph.n
    assert np.array_equal(before[:n, :8].numpy(), after[:n, :8].numpy())
    assert not np.array_equal(before[:n, 8:].numpy(), after[:n, 8:].numpy())


def test_first_hop_landing_adds_up_and_the_plots_draw_stored_runs(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from geomem_utils.given_plots import first_hop_landing, plot_first_hop_landing, plot_given_curves
    r = dict(final=dict(test_first_hop=0.4, wrong_to_other_first_hop=0.5))
    assert np.allclose(first_hop_landing([r]), (0.4, 0.3, 0.3))
    configs = [((12, 6, "spectral k=16", 0), _start("spectral", k=8)), ((12, 6, "random k=16 (control)", 0), _start("random", k=8))]
    for _, e in configs:
        run_given(e, out_dir=tmp_path)
    fig, (a, b) = plt.subplots(1, 2)
    plot_given_curves(configs, 12, 6, a, out_dir=tmp_path)
    plot_first_hop_landing(configs, 12, 6, b, out_dir=tmp_path)
    assert len(a.lines) == 3 and len(b.patches) == 6
    plt.close(fig)


def test_the_exercise_reference_is_what_the_model_gets():
    from geomem_utils.exercises.scaling import carry_start
    task, model = _start("spectral", k=8).initial()
    X = _start("spectral", k=8).coordinates(task.graph)
    E = model.token_embedding.weight.detach().numpy()[:task.graph.n]
    assert np.allclose(carry_start(X, E.shape[1]), E, atol=1e-6)


def test_start_geometry_and_verdict_lines_read_the_starts_and_the_store(tmp_path):
    from geomem_utils.experiments import given_geometry as gg
    rows = gg.start_geometry(20, 6)   # k = 16 fits inside the Fiedler-like space (dimension d - 1)
    assert rows[0]["navigation"] == 1.0 and rows[0]["concentration"] > 0.99
    assert rows[1]["navigation"] < 0.5
    assert all(line.endswith("(0/0 seeds ≥ 0.9 within 1500 steps)") and "not run" in line
               for line in gg.verdict_lines(out_dir=tmp_path))


def test_drift_rows_read_the_concentration_at_the_start_and_the_end(tmp_path):
    from geomem_utils.experiments import given_geometry as gg
    configs = [((12, 6, "spectral k=16", 0), _start("spectral", k=8))]
    r = run_given(configs[0][1], out_dir=tmp_path)
    (row,) = gg.drift_rows(gg.search_rows(configs, out_dir=tmp_path))
    assert row[:2] == ["G_(12,6)", "spectral k=16"]
    assert row[2] == f"{r['at_start']['concentration']:.2f} → {r['final']['concentration']:.2f}"
    assert gg.drift_rows([dict(d=1, l=2, start="x", concentration_start=None)]) == []   # not measured: no row


def test_paper_bests_compare_the_stored_plain_runs_with_the_spectral_start(tmp_path):
    from geomem_utils.experiments import given_geometry as gg
    from geomem_utils.experiments.longer import PAPER_GRAPH_DIR, paper_graph_big_batch_runs
    from geomem_utils.experiments.sweeps import stored_result
    bests = gg.paper_bests()
    big = stored_result(paper_graph_big_batch_runs()["G_(10^4,6)"], PAPER_GRAPH_DIR)
    plain6, given6 = bests["G_(10^4,6)"]
    assert plain6 == max(big["curve"]["test_exact"])          # the batch-1,024 run is the better plain one
    assert given6 == max(gg.result_of(gg.paper_given_configs()[0][1])["curve"]["test_exact"])
    assert gg.paper_bests(out_dir=tmp_path, plain_dir=tmp_path) == {g: (None, None) for g in gg.PAPER_GIVEN}
