"""One-off migration (geomem 0.1 -> 0.2) of the stored sweep results in data/sweeps, data/cost and
data/stretch: the configs become PathStarExperiment (and MemoryTable) cache keys (file names follow), ``test_hardest``
becomes ``test_first_hop``. The measured numbers are not touched; each result records the migration in
its provenance. Kept so the step can be audited; rerunning it on migrated files changes nothing.

    .venv/bin/python scripts/migrate_sweep_results.py
"""
import json
from pathlib import Path

from geomem_utils.cache import cache_key
from geomem_utils.experiments.path_star import path_star_experiment
from geomem_utils.experiments.sweeps import result_path

DATA = Path(__file__).resolve().parents[1] / "data"
EVAL_EVERY = {"sweeps": 50, "cost": 25, "stretch": 2500}  # what run_config was called with in 0.1


def rename(x):
    if isinstance(x, dict):
        return {("test_first_hop" if k == "test_hardest" else k): rename(v) for k, v in x.items()}
    return x


def migrate(path: Path, eval_every: int) -> Path | None:
    blob = json.loads(path.read_text())
    old = blob["config"]
    if "experiment" in old:
        return None  # already migrated
    flat = {k: v for k, v in old.items() if k != "train_options"}
    flat.update(old.get("train_options", {}))
    experiment = path_star_experiment(**flat, eval_every=eval_every)
    new = rename(dict(blob, config=cache_key(experiment)))
    new["provenance"] = dict(new["provenance"], migrated_from=dict(file=path.name, config=old, eval_every=eval_every))
    target = result_path(experiment, path.parent)
    target.write_text(json.dumps(new, indent=1))
    if target != path:
        path.unlink()
    return target


def migrate_memory_table() -> str:
    """data/cost/memory-*.pt (``cache.train_or_load_arrays`` in 0.1) -> the ``MemoryTable`` cache key."""
    import torch
    from geomem_utils.cache import cache_path
    from geomem_utils.experiments.sweeps import MemoryTable
    table = MemoryTable()
    target = cache_path(table, DATA / "cost")
    for p in sorted((DATA / "cost").glob("memory-*.pt")):
        blob = torch.load(p, weights_only=True)
        if blob["config"].get("experiment"):
            continue
        fields = {k: v for k, v in cache_key(table).items() if k != "experiment"}
        assert blob["config"] == fields, (blob["config"], fields)  # the same settings, only the key's form changes
        blob["provenance"] = dict(blob["provenance"], migrated_from=p.name)
        torch.save(dict(blob, config=cache_key(table)), target)
        if target != p:
            p.unlink()
    return target.name


if __name__ == "__main__":
    print("cost/memory ->", migrate_memory_table())
    for folder, every in EVAL_EVERY.items():
        for p in sorted((DATA / folder).glob("run-*.json")):
            t = migrate(p, every)
            print(f"{folder}/{p.name} -> {t.name if t else 'already migrated'}")
