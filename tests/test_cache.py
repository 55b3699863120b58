"""Train-or-load: computes once, loads the same model and history, refuses corrupt or foreign files."""
import pytest
import torch

from geomem_utils.cache import cache_path, load_run, train_or_load
from geomem_utils.config import set_seed
from geomem_utils.evaluation import path_accuracy
from geomem_utils.graphs import path_star
from geomem_utils.tasks import PathStarTask
from geomem_utils.training import TrainConfig, model_for, train


def _trainer(calls):
    def fn():
        calls.append(1)
        set_seed(0)
        task = PathStarTask(path_star(4, 4, seed=0))
        m = model_for(task, n_layer=1, n_head=1, n_embd=16)
        h = train(m, task, TrainConfig(steps=20, batch_size=0, lr=1e-2, warmup=0), eval_every=10, progress=False,
                  device="cpu")
        return m, h
    return fn


def test_train_then_load_gives_the_same_model_and_history(tmp_path):
    calls, cfg = [], dict(d=4, l=4, steps=20, note="tiny")
    m1, h1, _ = train_or_load("tiny", cfg, _trainer(calls), data_dir=tmp_path, verbose=False)
    m2, h2, prov = train_or_load("tiny", cfg, _trainer(calls), data_dir=tmp_path, verbose=False)
    assert calls == [1]                                   # second call loaded, did not train
    assert h2.loss == h1.loss and h2.series("test_exact")[1].tolist() == h1.series("test_exact")[1].tolist()
    for (k, a), b in zip(m1.state_dict().items(), m2.state_dict().values()):
        torch.testing.assert_close(a, b, msg=k)
    task = PathStarTask(path_star(4, 4, seed=0))
    assert path_accuracy(m1, task, "train")["exact_match"] == path_accuracy(m2, task, "train")["exact_match"]
    assert prov["torch"] == torch.__version__
    # another config never loads this file
    assert cache_path("tiny", dict(cfg, steps=21), tmp_path) != cache_path("tiny", cfg, tmp_path)


def test_corrupt_cache_gives_one_clear_error(tmp_path):
    cfg = dict(a=1)
    path = cache_path("x", cfg, tmp_path)
    path.write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match="corrupt"):
        train_or_load("x", cfg, _trainer([]), data_dir=tmp_path, verbose=False)


def test_cache_made_by_another_config_is_refused(tmp_path):
    calls = []
    train_or_load("y", dict(a=1), _trainer(calls), data_dir=tmp_path, verbose=False)
    with pytest.raises(ValueError, match="different config"):
        load_run(cache_path("y", dict(a=1), tmp_path), dict(a=2))


def test_train_or_load_arrays_round_trip_and_refusals(tmp_path):
    import numpy as np
    from geomem_utils.cache import train_or_load_arrays
    calls = []

    def compute():
        calls.append(1)
        return dict(x=np.arange(6.0).reshape(2, 3), seeds=[0, 1], nested=dict(name="a", v=[np.ones(2), np.zeros(2)]))
    cfg = dict(d=3, steps=10)
    a, prov = train_or_load_arrays("t", cfg, compute, data_dir=tmp_path, verbose=False)
    b, prov2 = train_or_load_arrays("t", cfg, compute, data_dir=tmp_path, verbose=False)
    assert calls == [1] and prov == prov2 and "wall_time_s" in prov
    np.testing.assert_array_equal(b["x"], np.arange(6.0).reshape(2, 3))
    assert b["seeds"].tolist() == [0, 1] and b["seeds"].dtype.kind == "i" and b["nested"]["name"] == "a"
    np.testing.assert_array_equal(b["nested"]["v"], a["nested"]["v"])
    path = cache_path("t", cfg, tmp_path)
    torch.save(dict(config=dict(d=4, steps=10), result={}, provenance={}), path)  # a foreign file under our name
    with pytest.raises(ValueError, match="different config"):
        train_or_load_arrays("t", cfg, compute, data_dir=tmp_path, verbose=False)
    path.write_bytes(b"not a cache")
    with pytest.raises(ValueError, match="corrupt"):
        train_or_load_arrays("t", cfg, compute, data_dir=tmp_path, verbose=False)
