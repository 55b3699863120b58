#!/usr/bin/env python3
"""Size of every course chapter and record notebook: words of markdown, code cells, the longest code
cell, figures. tests/test_course.py holds the course chapters to the limits below.

    python3 scripts/course_stats.py            # a table of every notebook
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_WORDS, MAX_CODE_CELLS, MAX_CELL_LINES, MAX_FIRST_CELL_LINES = 2500, 25, 15, 6


def course_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))


def record_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks" / "record").glob("*.ipynb"))


def stats(path: Path) -> dict:
    cells = json.loads(path.read_text())["cells"]
    md = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    figures = sum(1 for c in cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    # every word of markdown, folded solutions and link targets included (the stricter count)
    return {"words": sum(len(m.split()) for m in md), "code_cells": len(code),
            "longest_cell": max((len(c.strip().splitlines()) for c in code), default=0),
            "first_cell": len(code[0].strip().splitlines()) if code else 0, "figures": figures}


if __name__ == "__main__":
    rows = [(p, stats(p)) for p in course_notebooks() + record_notebooks()]
    print(f"{'notebook':48s} {'words':>6s} {'code':>5s} {'longest':>8s} {'first':>6s} {'figures':>8s}")
    for p, s in rows:
        print(f"{str(p.relative_to(ROOT / 'notebooks')):48s} {s['words']:6d} {s['code_cells']:5d} "
              f"{s['longest_cell']:8d} {s['first_cell']:6d} {s['figures']:8d}")
    sys.exit(0)
