"""JupyterLab in a real browser (issue 10): chapter 01's slider panel must render and redraw.

Starts a JupyterLab server on localhost with a copy of chapter 01, opens it in headless Chromium
(Debian's ``chromium``, driven by Playwright's Python API pointed at that executable: no browser
download), runs all cells, checks that the ``path_star_explorer`` widget rendered (no "model not
found" / "Error displaying widget") and that moving the d slider redraws the figure.

The second test shows that the check can fail: the same notebook with a callback that ignores the d
slider must be reported as "the figure did not change".

Needs ``playwright`` (the ``browser`` extra) and ``/usr/bin/chromium`` (``apt-get install chromium``,
done by ``scripts/test.sh`` where it can). Without them the tests skip, except under CI (``CI`` set),
where they fail: the browser test is part of CI. Every wait is explicit, with a timeout; no sleeps.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "notebooks" / "01_path_star_task.ipynb"
CHROMIUM = os.environ.get("GEOMEM_CHROMIUM", "/usr/bin/chromium")
TOKEN = "geomem-browser-test"
WIDGET = ".widget-interact"
# A callback that ignores the d slider: the panel renders, but moving d redraws the same picture.
BROKEN = ("import geomem_utils.widgets as _gw\n"
          "_gw._explore = (lambda f: lambda d, l, n_pause: f(6, l, n_pause))(_gw._explore)\n")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401  (only: is it installed?)
    except ImportError:
        return "playwright is not installed (pip install -e '.[browser]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set GEOMEM_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser():
    why = _missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # polling interval of an explicit, deadline-bounded wait
    raise TimeoutError(f"jupyter lab did not answer at {url} within {timeout:.0f} s")


def _wait_for_kernel(url: str, timeout: float = 90.0) -> None:
    """Until the page's kernel is started, connected to the page and idle. (The page's own status
    indicator reads "idle" before any kernel exists, and a Run All issued then is dropped.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{url}/api/kernels?token={TOKEN}", timeout=5) as r:
            kernels = json.loads(r.read())
        if any(k.get("connections", 0) >= 1 and k.get("execution_state") == "idle" for k in kernels):
            return
        time.sleep(0.2)  # polling interval of an explicit, deadline-bounded wait
    raise TimeoutError(f"no kernel connected and idle within {timeout:.0f} s")


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server whose root is ``tmp_path / "root"``, with fresh settings and workspaces."""
    root = tmp_path / "root"
    root.mkdir()
    settings = tmp_path / "settings" / "@jupyterlab"
    for ext, values in (("notebook-extension/tracker", {"autoStartDefaultKernel": True}),
                        ("apputils-extension/notification", {"fetchNews": "false", "checkForUpdates": False})):
        (settings / ext).parent.mkdir(parents=True, exist_ok=True)
        (settings / f"{ext}.jupyterlab-settings").write_text(json.dumps(values))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel needs the inline backend
    env.update(GEOMEM_QUICK="1", JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), PYTHONPATH=str(ROOT))
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}", "--allow-root",
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(url, proc)
        yield url, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _copy_chapter(root: Path, prefix: str = "") -> str:
    nb = nbformat.read(CHAPTER, as_version=4)
    for cell in nb.cells:  # start clean: the browser must produce every output itself
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if prefix:
        nb.cells.insert(1, nbformat.v4.new_code_cell(prefix))
    name = CHAPTER.name
    nbformat.write(nb, root / name)
    return name


def slider_redraws(page, url: str, name: str, shots: Path) -> dict:
    """Run the notebook in JupyterLab, move the panel's d slider one step, and report what happened:
    ``rendered`` (the panel and its figure appeared, no widget error) and ``changed`` (the figure after
    the move differs from the one before)."""
    page.goto(f"{url}/lab/tree/{name}?token={TOKEN}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
    _wait_for_kernel(url)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=30_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    panel = page.locator(WIDGET).first
    figure = panel.locator("img").first
    figure.wait_for(state="visible", timeout=int(os.environ.get("GEOMEM_BROWSER_TIMEOUT", 120)) * 1000)
    page.screenshot(path=str(shots / "before.png"))
    text = page.locator("body").inner_text()
    rendered = "model not found" not in text and "Error displaying widget" not in text
    before = figure.get_attribute("src")
    handle = panel.locator(".widget-slider .noUi-handle").first  # the first slider is d
    handle.focus()
    page.keyboard.press("ArrowRight")
    try:
        page.wait_for_function(
            """([sel, old]) => { const img = document.querySelector(sel + ' img');
                                 return img !== null && img.getAttribute('src') !== old; }""",
            arg=[WIDGET, before], timeout=30_000)
        changed = True
    except Exception:  # playwright's TimeoutError: the figure never changed
        changed = False
    page.screenshot(path=str(shots / "after.png"))
    readout = panel.locator(".widget-readout").first.inner_text()
    return dict(rendered=rendered, changed=changed, d_readout=readout)


def _run(browser, lab, tmp_path, prefix: str = "") -> dict:
    url, root = lab
    name = _copy_chapter(root, prefix)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        return slider_redraws(page, url, name, tmp_path)
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)  # for the person debugging
        raise
    finally:
        page.close()


def test_chapter01_slider_redraws_in_jupyterlab(browser, lab, tmp_path):
    result = _run(browser, lab, tmp_path)
    assert result["rendered"], "the widget did not render (model not found / error displaying widget)"
    assert result["d_readout"].strip() == "7", f"the d slider did not move: {result}"
    assert result["changed"], "moving the d slider did not redraw the figure"


def test_browser_check_catches_a_broken_callback(browser, lab, tmp_path):
    """The same check, on a panel whose callback ignores d: it must report 'not changed'."""
    result = _run(browser, lab, tmp_path, prefix=BROKEN)
    assert result["rendered"] and result["d_readout"].strip() == "7"
    assert not result["changed"], "the check did not notice a callback that ignores the slider"
