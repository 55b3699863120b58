"""Train-or-load: an experiment is computed once, cached under ``data/`` with the config that made it,
and checked against that config when loaded.

An experiment is a frozen dataclass (``geomem_utils.experiments``). Its ``cache_key`` — the class name
and ``dataclasses.asdict`` of every nested config — is both the settings record and the cache key:
the file is ``data/<experiment.name>-<hash of the key>.pt`` and the key is stored inside and compared
again on load. So a changed setting, or a changed default, names another file and is recomputed; a
cached result can never disagree with the config that would recompute it.

* ``train_or_load(experiment)``: one trained model (weights, History, key, provenance) → a ``Run``.
* ``load_or_compute(study)``: a result that is not one model (``study.compute()`` → a dict of arrays
  and plain values, e.g. a sweep's learning curves) → ``(result, provenance)``.

Regenerate a result by deleting its file (or ``retrain=True``) and rerunning the notebook.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from .history import History
from .models import ModelConfig, build_model
from .train import Run

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def provenance(**extra) -> dict:
    """Where and with what a result was made: package and torch versions, date, machine, cores and torch
    threads, plus ``extra`` (wall time, device, ...). Stored with every cached result and benchmark."""
    from . import __version__
    return dict(geomem=__version__, torch=str(torch.__version__), date=time.strftime("%Y-%m-%d %H:%M"),
                machine=platform.processor() or platform.machine(), cpus=os.cpu_count(),
                threads=torch.get_num_threads(), **extra)


def plain(x):
    """JSON-able / torch.load(weights_only)-able copy: numpy arrays and scalars become lists and floats,
    tuples become lists, dict keys become strings."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


def cache_key(experiment) -> dict:
    """The settings record of an experiment: its class name and every field of its (nested) configs."""
    if not (dataclasses.is_dataclass(experiment) and not isinstance(experiment, type)):
        raise ValueError(f"experiment must be a dataclass instance (geomem_utils.experiments), "
                         f"got {type(experiment).__name__}")
    return plain(dict(experiment=type(experiment).__name__, **dataclasses.asdict(experiment)))


def key_hash(key: dict) -> str:
    return hashlib.sha256(json.dumps(plain(key), sort_keys=True).encode()).hexdigest()[:10]


def cache_path(experiment, data_dir: Path | str = DATA_DIR) -> Path:
    return Path(data_dir) / f"{experiment.name}-{key_hash(cache_key(experiment))}.pt"


def _read(path: Path) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # any unreadable / truncated / foreign file
        raise ValueError(f"cache file {path} is corrupt or not a geomem cache ({type(err).__name__}: {err}); "
                         f"delete it to recompute") from None


def _stored(path: Path, key: dict, retrain: bool, verbose: bool) -> dict | None:
    """The blob at ``path`` if it exists and was made by ``key``; None means: compute (and say why)."""
    if retrain or not path.exists():
        return None
    blob = _read(path)
    if blob.get("config") != key:
        if verbose:
            print(f"{path.name} was made by another config: recomputing")
        return None
    return blob


def _arrays(x):
    """Lists of numbers back to numpy arrays (the inverse of ``plain`` for cached results)."""
    if isinstance(x, dict):
        return {k: _arrays(v) for k, v in x.items()}
    if isinstance(x, list) and x and all(isinstance(v, (int, float, list)) for v in x):
        try:
            arr = np.asarray(x)
        except ValueError:  # ragged
            arr = None
        if arr is not None and arr.dtype != object:
            return arr
    if isinstance(x, list):
        return [_arrays(v) for v in x]
    return x


def load_or_compute(study, *, data_dir: Path | str = DATA_DIR, retrain: bool = False, verbose: bool = True):
    """``(result, provenance)`` of ``study.compute()`` (a dict of numpy arrays and plain values, nested
    dicts allowed): loaded from ``data/`` when cached by the same key, else computed and cached."""
    key, path = cache_key(study), cache_path(study, data_dir)
    blob = _stored(path, key, retrain, verbose)
    if blob is not None:
        prov = blob["provenance"]
        if verbose:
            print(f"loaded {path.name} (computed {prov['date']} in {prov['wall_time_s']:.0f} s, torch {prov['torch']})")
        return _arrays(blob["result"]), prov
    t0 = time.perf_counter()
    result = plain(study.compute())
    prov = provenance(wall_time_s=round(time.perf_counter() - t0, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(dict(config=key, result=result, provenance=prov), path)
    if verbose:
        print(f"computed in {prov['wall_time_s']:.0f} s and cached as data/{path.name}")
    return _arrays(result), prov


def train_or_load(experiment, *, data_dir: Path | str = DATA_DIR, retrain: bool = False, verbose: bool = True,
                  progress: bool = True) -> tuple[Run, dict]:
    """``(run, provenance)`` for ``experiment``: its model and History loaded from ``data/`` when cached
    by the same key (the task is rebuilt from the experiment, which is cheap), else trained by
    ``experiment.run()`` and cached."""
    key, path = cache_key(experiment), cache_path(experiment, data_dir)
    blob = _stored(path, key, retrain, verbose)
    if blob is None:
        run = experiment.run(progress=progress)
        prov = provenance(wall_time_s=round(run.history.wall_time, 1))
        path.parent.mkdir(parents=True, exist_ok=True)
        h = run.history
        torch.save(dict(config=key, model_config=dataclasses.asdict(run.model.config),
                        state_dict={k: v.detach().cpu() for k, v in run.model.state_dict().items()},
                        history=dict(loss=plain(h.loss), evals=plain(h.evals), wall_time=h.wall_time),
                        provenance=prov), path)
        if verbose:
            print(f"trained in {h.wall_time:.0f} s and cached as data/{path.name}")
        blob = _read(path)  # what a later session will load, so both sessions see the same numbers
    elif verbose:
        prov = blob["provenance"]
        print(f"loaded {path.name} (trained {prov['date']} in {prov['wall_time_s']:.0f} s, torch {prov['torch']})")
    try:
        model = build_model(ModelConfig(**blob["model_config"]))
        model.load_state_dict(blob["state_dict"])
        h = blob["history"]
        history = History(loss=list(h["loss"]), evals=[dict(e) for e in h["evals"]], wall_time=h["wall_time"])
    except Exception as err:
        raise ValueError(f"cache file {path} is corrupt or not a geomem cache ({type(err).__name__}: {err}); "
                         f"delete it to recompute") from None
    model.eval()
    return Run(experiment.make_task(), model, history, experiment.settings()), blob["provenance"]
