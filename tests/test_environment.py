"""The pip packaging (pyproject + constraints) and environment.yml describe the same environment,
and the running environment is the pinned one the notebooks were executed with."""
from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
ENV = yaml.safe_load((ROOT / "environment.yml").read_text())


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements/constraints.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, ver = line.partition("==")
            assert ver, f"constraint {line!r} is not an exact pin"
            out[canonicalize_name(name)] = ver
    return out


def env_pip_lines() -> list[str]:
    pip = [d for d in ENV["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip) == 1, "environment.yml needs one pip: section"
    return pip[0]["pip"]


def direct_requirements() -> list[Requirement]:
    p = PYPROJECT["project"]
    reqs = list(p["dependencies"])
    for extra in p["optional-dependencies"].values():
        reqs += extra
    return [Requirement(r) for r in reqs]


def test_environment_yml_installs_the_pip_package_with_the_same_pins():
    lines = env_pip_lines()
    assert "-c requirements/constraints.txt" in lines
    editable = [ln for ln in lines if ln.startswith("-e ")]
    assert len(editable) == 1
    extras = set(editable[0].split("[", 1)[1].rstrip("]").split(","))
    assert extras == set(PYPROJECT["project"]["optional-dependencies"]), "environment.yml must install every extra"
    # nothing installed by conda besides python and pip, so conda cannot drift from the pins
    conda = [d for d in ENV["dependencies"] if isinstance(d, str)]
    assert sorted(d.split("=")[0] for d in conda) == ["pip", "python"]


def test_environment_python_satisfies_requires_python():
    py = next(d for d in ENV["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert Version(py.split("=")[1]) in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_every_direct_dependency_is_pinned_and_the_pin_satisfies_pyproject():
    p = pins()
    for req in direct_requirements():
        name = canonicalize_name(req.name)
        assert name in p, f"{req.name} is a dependency in pyproject.toml but not pinned in constraints.txt"
        assert Version(p[name]) in req.specifier, f"pin {name}=={p[name]} violates pyproject's {req}"
    assert p["torch"] == "2.13.0"


def test_installed_versions_match_the_pins():
    mismatched = []
    for req in direct_requirements():
        name = canonicalize_name(req.name)
        try:
            got = Version(version(req.name)).public  # 2.13.0+cpu -> 2.13.0
        except PackageNotFoundError:
            pytest.fail(f"{req.name} is not installed: run scripts/setup.sh")
        if got != pins()[name]:
            mismatched.append(f"{name}: installed {got}, pinned {pins()[name]}")
    assert not mismatched, "environment differs from requirements/constraints.txt: " + "; ".join(mismatched)


# ------------------------------------------------------------------ a kernel without the collection
def _first_code_cell(notebook: Path) -> str:
    import json
    cells = json.loads(notebook.read_text())["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


FIRST_CELL = (
    "try:  # a kernel without the collection gets one sentence with the command, not a traceback\n"
    "    from geomem_utils.course import start\n"
    "except ModuleNotFoundError:\n"
    "    raise SystemExit(\"geomem_utils is not installed in this kernel: run `bash scripts/setup.sh` in the repository \"\n"
    "                     \"root (or `%pip install -e ..` in a hosted Jupyter), then restart the kernel.\") from None\n"
    "start()")


def test_every_notebook_opens_with_the_same_short_first_cell():
    """Course and record notebooks alike: at most 6 lines, the install hint, then ``start()``."""
    assert len(FIRST_CELL.splitlines()) <= 6
    for nb in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb.parts:
            continue
        assert _first_code_cell(nb).rstrip() == FIRST_CELL, f"{nb.name}: first code cell is not the shared one"


def test_first_cell_in_a_bare_environment_prints_the_command(tmp_path):
    """Chapter 00's first cell, run by a Python with nothing installed (a fresh venv without pip) from a
    folder where the package is not importable: one sentence naming the command, exit code 1, no
    traceback."""
    import subprocess
    import sys
    import venv
    venv.EnvBuilder(with_pip=False).create(tmp_path / "bare")
    python = tmp_path / "bare" / "bin" / "python"
    out = subprocess.run([str(python), "-c", _first_code_cell(ROOT / "notebooks/00_welcome.ipynb")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "ModuleNotFoundError" not in out.stderr
    assert "geomem_utils is not installed" in out.stderr and "bash scripts/setup.sh" in out.stderr
    assert sys.prefix not in str(python)


def test_the_collections_jupyterlab_asks_no_news_question():
    """scripts/setup.sh writes JupyterLab's overrides into .venv (no "get notified about Jupyter news?"
    pop-up, no update check) and scripts/lab.sh starts it without a news feed."""
    import json
    import sys
    overrides = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    if not overrides.exists():
        pytest.skip("not the .venv that scripts/setup.sh made")
    notes = json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]
    assert notes == {"fetchNews": "false", "checkForUpdates": False}
    assert "--LabApp.news_url=" in (ROOT / "scripts" / "lab.sh").read_text()
