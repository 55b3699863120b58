"""Result tables for the chapters: one fixed-width formatter and one mean ± std, instead of hand-made
f-strings in every notebook.

    print(table(["graph", "nodes", "exact"], [["G_(100,5)", 401, 0.98], ...], formats=[None, ",", ".2f"]))
"""
from __future__ import annotations

from numbers import Integral, Real

import numpy as np


def mean_std(values, fmt: str = ".2f", sign: bool = False) -> str:
    """``"0.83 ± 0.04"`` over seeds (population std, as numpy); a single value prints alone."""
    v = np.asarray([float(x) for x in np.ravel(np.asarray(values, dtype=object))], dtype=float)
    if len(v) == 0:
        raise ValueError("mean_std needs at least one value")
    lead = f"{v.mean():{'+' if sign else ''}{fmt}}"
    return lead if len(v) == 1 else f"{lead} ± {v.std():{fmt}}"


def _cell(value, fmt) -> str:
    if callable(fmt):
        return fmt(value)
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, Integral):
        return f"{value:{fmt or ''}}"
    if isinstance(value, Real):
        return f"{float(value):{fmt or '.2f'}}"
    return str(value)


def table(header, rows, formats=None, gap: int = 2) -> str:
    """A fixed-width text table: the first column left-aligned, the others right-aligned, each as wide as
    its widest cell. ``formats``: one format spec (``".2f"``, ``"+.2f"``, ``","``) or callable per column,
    or one for all; None cells print as "—"."""
    header = [str(h) for h in header]
    rows = [list(r) for r in rows]
    if any(len(r) != len(header) for r in rows):
        raise ValueError(f"every row needs {len(header)} cells (one per header entry)")
    if formats is None or isinstance(formats, str) or callable(formats):
        formats = [formats] * len(header)
    if len(formats) != len(header):
        raise ValueError(f"formats needs {len(header)} entries (one per column), got {len(formats)}")
    cells = [header] + [[_cell(v, f) for v, f in zip(r, formats)] for r in rows]
    widths = [max(len(c[j]) for c in cells) for j in range(len(header))]
    pad = " " * gap
    lines = [pad.join(c[0].ljust(widths[0]) if j == 0 else c[j].rjust(widths[j]) for j in range(len(c))).rstrip()
             for c in cells]
    return "\n".join(lines)
