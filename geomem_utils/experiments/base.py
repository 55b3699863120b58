"""What every experiment shares: a frozen dataclass of nested configs with flat settings.

An experiment (``PathStarExperiment``, ``TinyExperiment``, ...) is a frozen dataclass whose fields are
configs (graph, task, model, training, evaluation) and a seed. Three views of one object:

* ``cache_key(experiment)`` (``geomem_utils.cache``): class name + ``asdict`` — the cache key;
* ``experiment.settings()``: the same values, flat (``{"d": 200, "width": 128, ...}``) — the record a
  notebook prints and a ``Run`` carries;
* ``Experiment.from_settings(**flat)``: the inverse — every leaf name is unique within an experiment, so a
  flat keyword finds its config (``steps=600`` goes to ``train``, ``n_pause=2`` to ``task``).

A ``Study`` is a named set of labelled experiments whose *summaries* (not models) are cached together by
``cache.load_or_compute``; its key holds every experiment's full config.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from ..config import check_int



def _leaves(cls) -> dict[str, tuple[str, ...]]:
    """Flat name -> path of field names, for a dataclass type whose dataclass-typed fields nest."""
    out = {}
    for f in dataclasses.fields(cls):
        sub = f.default if f.default is not dataclasses.MISSING else None
        if dataclasses.is_dataclass(sub):
            for name, path in _leaves(type(sub)).items():
                if name in out:
                    raise TypeError(f"{cls.__name__}: setting {name!r} appears twice")
                out[name] = (f.name, *path)
        else:
            if f.name in out:
                raise TypeError(f"{cls.__name__}: setting {f.name!r} appears twice")
            out[f.name] = (f.name,)
    return out


class Experiment:
    """Mixin for experiment dataclasses: flat settings in and out (see the module docstring)."""

    name: ClassVar[str] = "experiment"   # the cache file's prefix: data/<name>-<hash>.pt

    def __post_init__(self):
        check_int("seed", getattr(self, "seed", 0), minimum=0)

    @classmethod
    def setting_names(cls) -> list[str]:
        return list(_leaves(cls))

    @classmethod
    def derived(cls, flat: dict) -> dict:
        """Hook: settings that follow from others unless given (e.g. warm-up from the step count)."""
        return flat

    @classmethod
    def from_settings(cls, **flat):
        """The experiment with these flat settings; every other setting keeps its default."""
        paths = _leaves(cls)
        unknown = sorted(set(flat) - set(paths))
        if unknown:
            raise ValueError(f"unknown setting(s) {unknown} for {cls.__name__}; known: {sorted(paths)}")
        return cls().replace(**cls.derived(dict(flat)))

    def replace(self, **flat):
        """A copy with some flat settings changed (``derived`` settings are not re-derived)."""
        paths = _leaves(type(self))
        unknown = sorted(set(flat) - set(paths))
        if unknown:
            raise ValueError(f"unknown setting(s) {unknown} for {type(self).__name__}; known: {sorted(paths)}")
        nested: dict = {}
        for name, value in flat.items():
            node = nested
            *head, leaf = paths[name]
            for part in head:
                node = node.setdefault(part, {})
            node[leaf] = value
        return _apply(self, nested)

    def settings(self) -> dict:
        """Every leaf setting, flat."""
        out = {}
        for name, path in _leaves(type(self)).items():
            value = self
            for part in path:
                value = getattr(value, part)
            out[name] = value
        return out


def _apply(obj, nested: dict):
    changes = {}
    for field_name, value in nested.items():
        changes[field_name] = _apply(getattr(obj, field_name), value) if isinstance(value, dict) else value
    return dataclasses.replace(obj, **changes)


def warmup_rule(flat: dict) -> dict:
    """The chapters' warm-up: ``min(100, steps // 10)`` when a step count is given without a warm-up."""
    if "steps" in flat and "warmup" not in flat:
        flat["warmup"] = min(100, check_int("steps", flat["steps"], minimum=1) // 10)
    return flat


class WarmupExperiment(Experiment):
    """An experiment whose warm-up follows its step count (``warmup_rule``) unless given."""

    @classmethod
    def derived(cls, flat: dict) -> dict:
        return warmup_rule(flat)


@dataclass(frozen=True)
class Study:
    """Labelled groups of experiments whose summaries are computed and cached together.

    ``cells`` is a tuple of ``(label, experiments)``; ``compute()`` returns ``{label: [summary of each
    experiment]}`` (one entry per seed). A label that is a tuple of strings nests: ``("star", "neural
    net")`` → ``result["star"]["neural net"]``. Subclasses say what a summary keeps (``summarize``).
    """

    name: str
    cells: tuple = ()

    def summarize(self, run) -> dict:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def compute(self) -> dict:
        out: dict = {}
        for label, experiments in self.cells:
            *head, leaf = (label,) if isinstance(label, str) else label
            node = out
            for part in head:
                node = node.setdefault(part, {})
            node[leaf] = [self.summarize(e.run(progress=False)) for e in experiments]
        return out

    @classmethod
    def of(cls, name: str, cells: dict, **fields):
        """Build from ``{label: experiment or [experiments]}``."""
        return cls(name=name, cells=tuple((k, tuple(v) if isinstance(v, (list, tuple)) else (v,))
                                          for k, v in cells.items()), **fields)


