#!/usr/bin/env python3
"""Minutes each course chapter takes to run top to bottom, in quick mode and in the default mode, on
this machine (the README's course guide quotes them). Executes copies in memory with nbclient, so the
stored notebooks are not touched; run it on quiet cores (another heavy job halves the speed).

    .venv/bin/python scripts/time_chapters.py [--quick-only] [NN ...]
writes benchmarks/results/chapter_minutes.json (with provenance).
"""
import argparse
import json
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def minutes(path: Path, quick: bool) -> float:
    nb = nbformat.read(path, as_version=4)
    os.environ["GEOMEM_QUICK"] = "1" if quick else "0"
    os.environ["MPLBACKEND"] = "Agg"
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return round((time.perf_counter() - t0) / 60, 2)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("chapters", nargs="*", help="chapter prefixes (default: every course chapter)")
    p.add_argument("--quick-only", action="store_true")
    a = p.parse_args()
    out_path = ROOT / "benchmarks" / "results" / "chapter_minutes.json"
    out = json.loads(out_path.read_text()) if out_path.exists() else {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")):
        if a.chapters and path.name.split("_")[0] not in a.chapters:
            continue
        row = {"quick": minutes(path, True)}
        if not a.quick_only:
            row["default"] = minutes(path, False)
        out[path.stem] = dict(out.get(path.stem, {}), **row)
        print(path.stem, row, flush=True)
        from geomem_utils.cache import provenance
        out["provenance"] = provenance()
        out_path.write_text(json.dumps(out, indent=1))  # after every chapter: a long run keeps what it measured


if __name__ == "__main__":
    main()
