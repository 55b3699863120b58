"""Train-or-load: expensive runs are computed once, cached under ``data/`` with the config that made
them, and verified against that config when loaded.

A cache file ``data/<name>-<hash>.pt`` holds the model's config and weights, its training History,
the exact run config, and provenance (package and torch versions, date, wall time). The hash is of the
config, so a changed setting never loads a stale result; the stored config is compared again on load.
Regenerate a result by deleting its file (or ``retrain=True``) and rerunning the notebook.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .models import ModelConfig, SequenceModel, build_model
from .training import History

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def provenance(**extra) -> dict:
    """Where and with what a result was made: package and torch versions, date, machine, cores and torch
    threads, plus ``extra`` (wall time, device, ...). Stored with every cached result and benchmark."""
    from . import __version__
    return dict(geomem=__version__, torch=str(torch.__version__), date=time.strftime("%Y-%m-%d %H:%M"),
                machine=platform.processor() or platform.machine(), cpus=os.cpu_count(),
                threads=torch.get_num_threads(), **extra)


def _plain(x):
    """JSON-able / torch.load(weights_only)-able copy: numpy arrays and scalars become lists and floats."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


def config_hash(config: dict) -> str:
    return hashlib.sha256(json.dumps(_plain(config), sort_keys=True).encode()).hexdigest()[:10]


def cache_path(name: str, config: dict, data_dir: Path | str = DATA_DIR) -> Path:
    return Path(data_dir) / f"{name}-{config_hash(config)}.pt"


def save_run(path: Path, config: dict, model: SequenceModel, history: History) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(dict(config=_plain(config), model_config=model.config.to_dict(),
                    state_dict={k: v.detach().cpu() for k, v in model.state_dict().items()},
                    history=dict(loss=_plain(history.loss), evals=_plain(history.evals), wall_time=history.wall_time),
                    provenance=provenance(wall_time_s=round(history.wall_time, 1))), path)


def load_run(path: Path, config: dict) -> tuple[SequenceModel, History, dict]:
    """Load a cached run and check that it was made by ``config``; one clear error otherwise."""
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        model = build_model(ModelConfig(**blob["model_config"]))
        model.load_state_dict(blob["state_dict"])
        h = blob["history"]
        history = History(loss=list(h["loss"]), evals=[dict(e) for e in h["evals"]], wall_time=h["wall_time"])
    except Exception as err:  # any unreadable / truncated / foreign file
        raise ValueError(f"cache file {path} is corrupt or not a geomem cache ({type(err).__name__}: {err}); "
                         f"delete it to recompute") from None
    if blob["config"] != _plain(config):
        raise ValueError(f"cache file {path} was made by a different config: stored {blob['config']}, "
                         f"requested {_plain(config)}; delete it to recompute")
    model.eval()
    return model, history, blob["provenance"]


def train_or_load_arrays(name: str, config: dict, compute_fn: Callable[[], dict], *,
                         data_dir: Path | str = DATA_DIR, retrain: bool = False, verbose: bool = True):
    """Train-or-load for results that are not one model: ``compute_fn() -> dict`` of numpy arrays and
    plain values (nested dicts allowed), cached as ``data/<name>-<hash>.pt`` with its config and
    provenance, verified on load. Returns ``(result, provenance)``."""
    path = cache_path(name, config, data_dir)
    if path.exists() and not retrain:
        try:
            blob = torch.load(path, map_location="cpu", weights_only=True)
            result, stored, prov = blob["result"], blob["config"], blob["provenance"]
        except Exception as err:
            raise ValueError(f"cache file {path} is corrupt or not a geomem cache ({type(err).__name__}: {err}); "
                             f"delete it to recompute") from None
        if stored != _plain(config):
            raise ValueError(f"cache file {path} was made by a different config: stored {stored}, "
                             f"requested {_plain(config)}; delete it to recompute")
        if verbose:
            print(f"loaded {path.name} (computed {prov['date']} in {prov['wall_time_s']:.0f} s, torch {prov['torch']})")
        return _arrays(result), prov
    t0 = time.perf_counter()
    result = compute_fn()
    prov = provenance(wall_time_s=round(time.perf_counter() - t0, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(dict(config=_plain(config), result=_plain(result), provenance=prov), path)
    if verbose:
        print(f"computed in {prov['wall_time_s']:.0f} s and cached as data/{path.name}")
    return _arrays(_plain(result)), prov


def _arrays(x):
    """Lists of numbers back to numpy arrays (the inverse of ``_plain`` for cached results)."""
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


def train_or_load(name: str, config: dict, train_fn: Callable[[], tuple[SequenceModel, History]], *,
                  data_dir: Path | str = DATA_DIR, retrain: bool = False, verbose: bool = True):
    """Return ``(model, history, provenance)`` for ``config``: loaded from ``data/`` when cached,
    else computed by ``train_fn()`` and cached. ``config`` must determine the run completely."""
    path = cache_path(name, config, data_dir)
    if path.exists() and not retrain:
        model, history, prov = load_run(path, config)
        if verbose:
            print(f"loaded {path.name} (trained {prov['date']} in {prov['wall_time_s']:.0f} s, torch {prov['torch']})")
        return model, history, prov
    model, history = train_fn()
    save_run(path, config, model, history)
    if verbose:
        print(f"trained in {history.wall_time:.0f} s and cached as data/{path.name}")
    return model, history, load_run(path, config)[2]
