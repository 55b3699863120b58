"""The course track stays a course: every chapter within the limits of scripts/course_stats.py (words of
markdown, code cells, lines per code cell, a short first cell), and every chapter points to its record."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("course_stats", ROOT / "scripts" / "course_stats.py")
course_stats = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_stats)
COURSE = course_stats.course_notebooks()


@pytest.mark.parametrize("path", COURSE, ids=[p.stem for p in COURSE])
def test_course_chapter_within_limits(path):
    s = course_stats.stats(path)
    assert s["words"] <= course_stats.MAX_WORDS, f"{path.name}: {s['words']} words of markdown"
    assert s["code_cells"] <= course_stats.MAX_CODE_CELLS, f"{path.name}: {s['code_cells']} code cells"
    assert s["longest_cell"] <= course_stats.MAX_CELL_LINES, f"{path.name}: a code cell of {s['longest_cell']} lines"
    assert s["first_cell"] <= course_stats.MAX_FIRST_CELL_LINES, f"{path.name}: first cell {s['first_cell']} lines"


def test_the_limits_catch_a_long_chapter(tmp_path):
    """Negative control: a notebook over every limit is measured as such."""
    import json
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "word " * 3000}]
    cells += [{"cell_type": "code", "metadata": {}, "source": "x = 1\n" * 20, "outputs": [], "execution_count": None}] * 30
    p = tmp_path / "99_long.ipynb"
    p.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    s = course_stats.stats(p)
    assert s["words"] > course_stats.MAX_WORDS and s["code_cells"] > course_stats.MAX_CODE_CELLS
    assert s["longest_cell"] > course_stats.MAX_CELL_LINES


def test_course_and_record_are_separate_rooms():
    names = {p.name for p in (ROOT / "notebooks").iterdir()}
    assert not {"conftest.py", "sanitize.cfg"} & names, "nbval's settings live with the tests"
    assert course_stats.record_notebooks(), "the reproduction record is in notebooks/record/"
