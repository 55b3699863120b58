"""Train-or-load keyed by the experiment itself: computes once, loads the same model and history, never
loads a result made by another config (a changed setting or a changed default), refuses corrupt files."""
import dataclasses

import numpy as np
import pytest
import torch

from geomem_utils.cache import cache_key, cache_path, load_or_compute, train_or_load
from geomem_utils.evaluation import path_accuracy
from geomem_utils.experiments import ablations, knobs, sweeps
from geomem_utils.experiments.base import Study
from geomem_utils.experiments.in_context import InContextExperiment
from geomem_utils.experiments.path_star import PathStarExperiment, path_star_experiment
from geomem_utils.experiments.spectral_bias import StarSpectralBias
from geomem_utils.experiments.tiny import TinyExperiment, tiny_memory_study

TINY = dict(d=4, l=4, width=16, depth=1, heads=1, steps=20, batch_size=0, lr=1e-2, warmup=0, eval_every=10)
EXPERIMENTS = [PathStarExperiment(), InContextExperiment(), TinyExperiment(), StarSpectralBias(), sweeps.MemoryTable()]


def _leaf_paths(obj, prefix=()):
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from _leaf_paths(value, prefix + (f.name,))
        else:
            yield prefix + (f.name,), value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return value + (value[-1],) if value else (1,)
    if value is None:
        return 1.0
    raise AssertionError(f"no change rule for {value!r}")


def _with(obj, path, value):
    if len(path) == 1:
        return dataclasses.replace(obj, **{path[0]: value})
    return dataclasses.replace(obj, **{path[0]: _with(getattr(obj, path[0]), path[1:], value)})


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=lambda e: type(e).__name__)
def test_changing_any_field_changes_the_key(experiment):
    base = cache_key(experiment)
    paths = list(_leaf_paths(experiment))
    assert len(paths) >= 6
    for path, value in paths:
        try:
            changed = _with(experiment, path, _changed(value))
        except ValueError:  # a value the config refuses (e.g. an unknown family): the key cannot be made at all
            continue
        assert cache_key(changed) != base, f"{'.'.join(path)} is not in the key"
        assert cache_path(changed) != cache_path(experiment)


def test_a_changed_default_names_another_file(monkeypatch):
    """Change a package default (as a later edit of the code would): the same call names another file."""
    before = cache_path(path_star_experiment(d=10))
    fields = {f.name: f for f in dataclasses.fields(PathStarExperiment)}
    new_train = dataclasses.replace(fields["train"].default, weight_decay=0.02)
    monkeypatch.setattr(fields["train"], "default", new_train)
    monkeypatch.setattr(PathStarExperiment.__init__, "__defaults__",
                        tuple(new_train if d is fields["train"].default or isinstance(d, type(new_train)) else d
                              for d in PathStarExperiment.__init__.__defaults__))
    after = cache_path(path_star_experiment(d=10))
    assert path_star_experiment(d=10).train.weight_decay == 0.02 and after != before


def test_train_then_load_gives_the_same_model_and_history(tmp_path):
    e = path_star_experiment(**TINY)
    r1, _ = train_or_load(e, data_dir=tmp_path, verbose=False, progress=False)
    path = cache_path(e, tmp_path)
    stamp = path.stat().st_mtime_ns
    r2, prov = train_or_load(e, data_dir=tmp_path, verbose=False, progress=False)
    assert path.stat().st_mtime_ns == stamp                 # second call loaded, did not train
    assert r2.history.loss == r1.history.loss
    assert r2.history.series("test_exact")[1].tolist() == r1.history.series("test_exact")[1].tolist()
    for (k, a), b in zip(r1.model.state_dict().items(), r2.model.state_dict().values()):
        torch.testing.assert_close(a, b, msg=k)
    assert path_accuracy(r1.model, r2.task, "train")["exact_match"] == path_accuracy(r2.model, r2.task, "train")["exact_match"]
    assert prov["torch"] == torch.__version__ and r2.settings == e.settings()
    assert torch.load(path, weights_only=True)["config"] == cache_key(e)


def test_a_stale_file_under_the_name_is_recomputed_never_loaded(tmp_path, capsys):
    e = path_star_experiment(**TINY)
    path = cache_path(e, tmp_path)
    tmp_path.mkdir(exist_ok=True)
    foreign = cache_key(e.replace(steps=21))
    torch.save(dict(config=foreign, model_config={}, state_dict={}, history={}, provenance={}), path)
    run, _ = train_or_load(e, data_dir=tmp_path, progress=False)
    assert "made by another config: recomputing" in capsys.readouterr().out
    assert len(run.history.loss) == 20 and torch.load(path, weights_only=True)["config"] == cache_key(e)


def test_corrupt_cache_gives_one_clear_error(tmp_path):
    e = path_star_experiment(**TINY)
    cache_path(e, tmp_path).write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match="corrupt"):
        train_or_load(e, data_dir=tmp_path, verbose=False)


@dataclasses.dataclass(frozen=True)
class _Arrays:
    name = "t"
    d: int = 3
    calls: tuple = ()

    def compute(self):
        _CALLS.append(1)
        return dict(x=np.arange(6.0).reshape(2, 3), seeds=[0, 1], nested=dict(name="a", v=[np.ones(2), np.zeros(2)]))


_CALLS = []


def test_load_or_compute_round_trip_stale_and_corrupt(tmp_path):
    _CALLS.clear()
    study = _Arrays()
    a, prov = load_or_compute(study, data_dir=tmp_path, verbose=False)
    b, prov2 = load_or_compute(study, data_dir=tmp_path, verbose=False)
    assert _CALLS == [1] and prov == prov2 and "wall_time_s" in prov
    np.testing.assert_array_equal(b["x"], np.arange(6.0).reshape(2, 3))
    assert b["seeds"].tolist() == [0, 1] and b["seeds"].dtype.kind == "i" and b["nested"]["name"] == "a"
    np.testing.assert_array_equal(b["nested"]["v"], a["nested"]["v"])
    load_or_compute(_Arrays(d=4), data_dir=tmp_path, verbose=False)
    assert _CALLS == [1, 1]                                   # another config: computed, not loaded
    path = cache_path(study, tmp_path)
    torch.save(dict(config=cache_key(_Arrays(d=5)), result={}, provenance={}), path)  # stale, under our name
    load_or_compute(study, data_dir=tmp_path, verbose=False)
    assert _CALLS == [1, 1, 1]
    path.write_bytes(b"not a cache")
    with pytest.raises(ValueError, match="corrupt"):
        load_or_compute(study, data_dir=tmp_path, verbose=False)


def test_studies_key_every_experiment_they_hold():
    for make in (ablations.directions_study, ablations.pauses_study, ablations.staged_study, ablations.tree_study,
                 ablations.mamba_study, knobs.knob_study, lambda: knobs.headroom_study((0, 1)), tiny_memory_study):
        study = make()
        assert isinstance(study, Study) and study.cells
        first_label, first = study.cells[0]
        changed = dataclasses.replace(study, cells=((first_label, tuple(e.replace(seed=e.seed + 1) for e in first)),)
                                      + study.cells[1:])
        assert cache_key(changed) != cache_key(study)


def test_a_study_computes_one_summary_per_experiment():
    cells = {"a": [path_star_experiment(**TINY, seed=s) for s in (0, 1)], ("b", "c"): path_star_experiment(**TINY)}
    out = ablations.Curves.of("x", cells).compute()
    assert len(out["a"]) == 2 and len(out["b"]["c"]) == 1 and out["a"][0]["steps"] == [10, 20]
