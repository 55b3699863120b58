"""Notebook hygiene and course structure (issue 10), checked on the stored notebooks.

Output policy: notebooks are committed **with** their outputs, from one top-to-bottom quick-mode run.
Why: nbval compares the cells marked ``# NBVAL_CHECK_OUTPUT`` against those stored outputs (a stripped
cell is never compared), and the static reader (``scripts/site.sh --no-execute``) and GitHub show them
to someone who has not run anything yet. The price is size and noise, so the outputs are held small and
clean here: counts 1..n in order (one clean run), no errors or stderr, no machine paths, small figures.
"""
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))
RECORD = sorted((ROOT / "notebooks" / "record").glob("*.ipynb"))
NOTEBOOKS = COURSE + RECORD
MAX_NOTEBOOK_KB = 1024       # a whole .ipynb file
MAX_OUTPUT_KB = 300          # one output (a figure is a ~20-200 KB PNG at the style's dpi)
MAX_WIDGET_STATE_KB = 150    # saved widget snapshots in the metadata


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 10


def test_outputs_come_from_one_clean_run(notebook):
    path, nb = notebook
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: re-run top to bottom (counts {counts})"
    for c in code:
        for o in c.outputs:
            assert o.output_type != "error", f"{path.name}: a stored error output"
            assert not (o.output_type == "stream" and o.name == "stderr"), f"{path.name}: stored stderr"


def test_notebooks_stay_small(notebook):
    path, nb = notebook
    assert path.stat().st_size <= MAX_NOTEBOOK_KB * 1024, f"{path.name} is {path.stat().st_size // 1024} KB"
    for i, c in enumerate(nb.cells):
        for o in c.get("outputs", []):
            size = len(json.dumps(o))
            assert size <= MAX_OUTPUT_KB * 1024, f"{path.name} cell {i}: an output of {size // 1024} KB"
    widgets = len(json.dumps(nb.metadata.get("widgets", {})))
    assert widgets <= MAX_WIDGET_STATE_KB * 1024, f"{path.name}: widget state {widgets // 1024} KB"


def test_no_machine_paths_in_outputs(notebook):
    path, nb = notebook
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert not re.search(r"/(root|home|Users|tmp|work)/[\w.-]+", text), f"{path.name}: a local path in an output"


@pytest.mark.parametrize("path", COURSE, ids=[p.stem for p in COURSE])
def test_every_chapter_has_goals_paper_sections_and_exercises(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source
    assert first.startswith("# "), f"{path.name}: the first cell is the chapter title"
    assert "**Learning goals.**" in first, f"{path.name}: learning goals in the opening cell"
    assert re.search(r"\*Paper sections?:\*", first), f"{path.name}: the paper section in the opening cell"
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    exercises = [m for m in markdown if "### Exercises" in m]
    assert exercises, f"{path.name}: no exercises"
    items = re.findall(r"(?m)^(\d)\. ", exercises[-1].split("### Exercises", 1)[1].split("<details>")[0])
    assert 2 <= len(items) <= 4, f"{path.name}: 2-3 exercises expected, found {len(items)}"


def test_kernelspec_is_the_installed_one(notebook):
    """JupyterLab writes the running kernel's display name into a notebook whose name differs, so a stored
    chapter would turn "modified" the moment it is opened."""
    from jupyter_client.kernelspec import KernelSpecManager
    path, nb = notebook
    installed = KernelSpecManager().get_kernel_spec("python3").display_name
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.kernelspec.display_name == installed, f"{path.name}: kernelspec {nb.metadata.kernelspec.display_name!r}"
