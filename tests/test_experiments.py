"""The experiments layer: flat settings in and out of nested frozen configs, one seed, clear errors."""
import dataclasses

import pytest

from geomem_utils.cache import cache_key
from geomem_utils.experiments.base import Experiment, _leaves
from geomem_utils.experiments.in_context import InContextExperiment, chapter_03a
from geomem_utils.experiments.path_star import PATH_STAR_DEFAULTS, PathStarExperiment, path_star_experiment
from geomem_utils.experiments.tiny import TinyExperiment
from geomem_utils.graphs import cycle, irregular
from geomem_utils.train import TrainConfig

CLASSES = [PathStarExperiment, InContextExperiment, TinyExperiment]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_settings_round_trip_through_from_settings(cls):
    e = cls()
    flat = e.settings()
    assert cls.from_settings(**flat) == e
    assert set(flat) == set(cls.setting_names()) and len(flat) >= 15
    assert dataclasses.replace(e) == e and hash(e) == hash(cls())  # frozen, hashable


def test_flat_settings_reach_their_nested_config():
    e = path_star_experiment(d=50, n_pause=3, width=64, steps=600, eval_every=20, node2vec_weight=0.5, seed=4)
    assert (e.graph.d, e.task.n_pause, e.model.width, e.train.steps, e.eval.eval_every) == (50, 3, 64, 600, 20)
    assert e.interventions.node2vec_weight == 0.5 and e.seed == 4
    assert e.train.warmup == 60                     # the chapters' rule, min(100, steps // 10), visible in the key
    assert path_star_experiment(steps=600, warmup=0).train.warmup == 0   # an explicit warm-up wins (was a TypeError)
    assert cache_key(e)["train"]["warmup"] == 60 and cache_key(e)["eval"]["eval_every"] == 20
    assert e.replace(steps=700).train.warmup == 60  # replace() changes only what it is told


def test_the_defaults_are_chapter_02s_recipe():
    s = PathStarExperiment().settings()
    assert {k: s[k] for k in PATH_STAR_DEFAULTS} == PATH_STAR_DEFAULTS
    assert PATH_STAR_DEFAULTS == dict(d=200, l=5, width=128, depth=2, heads=4, n_pause=1, steps=400, lr=2e-3,
                                      batch_size=256)
    assert s["warmup"] == 40 and s["eval_every"] == 50 and s["seed"] == 0
    c = chapter_03a(reverse=True)
    assert c.task.reverse and c.train.steps == 3000 and c.train.warmup == 100 and c.model.width == 64


@pytest.mark.parametrize("bad,match", [(dict(widht=3), "unknown setting"), (dict(d=1), "d"),
                                       (dict(seed=-1), "seed"), (dict(family="ring"), "family"),
                                       (dict(arch="rnn"), "arch"), (dict(eval_every=-1), "eval_every"),
                                       (dict(init_embeddings="pca"), "init_embeddings"), (dict(lr=0.0), "lr")])
def test_bad_settings_give_one_clear_error(bad, match):
    with pytest.raises(ValueError, match=match):
        path_star_experiment(**bad).run(progress=False) if "d" in bad else path_star_experiment(**bad)


def test_a_repeated_setting_name_is_refused_when_the_class_is_used():
    @dataclasses.dataclass(frozen=True)
    class Twice(Experiment):
        train: TrainConfig = TrainConfig()
        steps: int = 3
    with pytest.raises(TypeError, match="steps"):
        _leaves(Twice)


def test_tiny_experiments_key_the_graph_by_its_edges():
    a, b = TinyExperiment.of(cycle(15), "neural net"), TinyExperiment.of(irregular(), "neural net")
    assert a.model.width == 512 and b.model.width == 16        # the authors' per-graph widths
    assert TinyExperiment.of(cycle(15), "associative").model.width == 32 and \
        TinyExperiment.of(cycle(40), "associative").model.width == 64  # frozen lookup: width >= n
    assert cache_key(a) != cache_key(b) and a.graph.build().num_edges == 15
    assert TinyExperiment.of(cycle(15), "neural net", width=8).model.width == 8
    with pytest.raises(ValueError, match="memorizer"):
        TinyExperiment.of(cycle(5), "lookup table")


def test_initial_is_the_model_run_starts_from():
    """``initial()`` builds the run's task and model before any step: with frozen embeddings (which
    training never moves) the trained run's embeddings equal the initial ones; a second call is identical."""
    import torch
    e = path_star_experiment(d=6, l=4, width=16, depth=1, heads=2, steps=3, eval_every=0, freeze_embeddings=True, seed=3)
    task, model = e.initial()
    assert task.graph.n == 19 and task.test_paths.tolist() == e.make_task().test_paths.tolist()
    run = e.run(progress=False)
    assert torch.equal(run.model.embeddings(), model.embeddings())
    assert torch.equal(e.initial()[1].embeddings(), model.embeddings())
    trainable = e.replace(freeze_embeddings=False)
    assert not torch.equal(trainable.run(progress=False).model.embeddings(), trainable.initial()[1].embeddings())
