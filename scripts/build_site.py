"""Build the static reader: every chapter as an HTML page, an index following the chapter map, and a
"how to run this yourself" page (issue 10).

    bash scripts/site.sh                  # execute every notebook (default mode) and export to site/
    bash scripts/site.sh --quick          # execute in quick mode (small graphs, ~3 minutes in all)
    bash scripts/site.sh --no-execute     # export the stored outputs as they are (seconds)

Notebooks are executed in memory (the files in notebooks/ are never rewritten) with nbclient, exported
with nbconvert's "lab" template (figures inline as PNG, widgets as their saved snapshot), and linked
with a small navigation bar. The run page is rendered from the README's own sections, so it cannot
drift from it. Open ``site/index.html`` in any browser; no server is needed.
"""
from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import time
from pathlib import Path

import mistune
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RUN_SECTIONS = ("Two commands", "Troubleshooting")  # README sections that make up the run page
# Formulas are typeset offline by MathJax 2.7 from Debian's ``libjs-mathjax`` (the nbconvert template's
# own MathJax 2 configuration, so it renders exactly as the CDN copy would): a packaged, security-
# maintained build instead of a CDN fetch. Only the parts the TeX → CommonHTML path loads are copied
# (about 1.5 MB). GEOMEM_MATHJAX names another MathJax 2 folder.
MATHJAX = Path(os.environ.get("GEOMEM_MATHJAX", "/usr/share/javascript/mathjax"))
MATHJAX_PARTS = ("MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions", "jax/input/TeX",
                 "jax/output/CommonHTML", "jax/element", "fonts/HTML-CSS/TeX/woff")
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"


def bundle_mathjax(out: Path, source: Path = MATHJAX) -> None:
    """Copy the MathJax parts the pages load into ``out/mathjax`` (one clear error if it is missing)."""
    if not (source / "MathJax.js").exists():
        raise FileNotFoundError(f"no MathJax 2 at {source}: install Debian's libjs-mathjax "
                                f"(apt-get install libjs-mathjax) or set GEOMEM_MATHJAX to a MathJax 2 folder")
    for part in MATHJAX_PARTS:
        src, dst = source / part, out / "mathjax" / part
        if not src.exists():
            continue  # Safe.js ships inside extensions/ in some builds
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)

STYLE = """<style>
.geomem-nav{position:sticky;top:0;z-index:10;background:#f6f8fa;border-bottom:1px solid #d0d7de;
 padding:8px 16px;font:14px system-ui,sans-serif;display:flex;gap:18px}
.geomem-nav a{color:#0b5cad;text-decoration:none}.geomem-page{max-width:980px;margin:24px auto;
 font:16px/1.5 system-ui,sans-serif;padding:0 16px}.geomem-page td{padding:6px 10px;vertical-align:top}
.geomem-page code,.geomem-page pre{background:#f6f8fa}
.geomem-toc{max-width:980px;margin:12px auto;font:14px system-ui,sans-serif;padding:0 16px}
.geomem-toc ul{margin:4px 0;padding-left:20px}.geomem-toc .toc-h3{margin-left:18px;font-size:13px}.geomem-page pre{padding:10px;overflow:auto}
</style>"""


def chapters(notebooks_dir: Path = NOTEBOOKS) -> list[Path]:
    """The chapter notebooks in map order (00, 01, 02, 03a, 03b, 04, …)."""
    return sorted(p for p in notebooks_dir.glob("[0-9][0-9]*.ipynb"))


def records(notebooks_dir: Path = NOTEBOOKS) -> list[Path]:
    """The reproduction record: searches, verdict tables and provenance behind the chapters."""
    return sorted((notebooks_dir / "record").glob("*.ipynb"))


def title_and_claim(nb) -> tuple[str, str]:
    """The chapter's title (its first heading) and its paper sections (the "*Paper sections:*" line of
    the opening cell), for the index."""
    first = nb.cells[0].source
    title = first.splitlines()[0].lstrip("# ").strip()
    found = re.search(r"\*Paper sections?:\*\s*(.+?)(?:\n\n|$)", first, re.S)
    return title, " ".join(found.group(1).split()) if found else ""


def execute(nb, quick: bool, timeout: int = 1800):
    """Run a notebook in memory, in notebooks/ (so its data/ paths resolve), in quick or default mode."""
    saved = {k: os.environ.get(k) for k in ("GEOMEM_QUICK", "MPLBACKEND", "GEOMEM_FIGURE_FORMAT")}
    os.environ["GEOMEM_QUICK"] = "1" if quick else ""
    # figures for high-density screens: twice the pixels, shown at the usual size (plotting.set_style);
    # the notebooks' own stored outputs stay small
    os.environ["GEOMEM_FIGURE_FORMAT"] = "retina"
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend draws the figures (test.sh sets Agg)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def table_of_contents(body: str) -> str:
    """A list of links to the page's section headings (``h2``, with ``h3`` nested), from the anchors
    nbconvert gives every heading."""
    items = []
    for level, anchor, text in re.findall(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', body, re.S):
        label = html.escape(html.unescape(re.sub(r"<[^>]+>", "", text)).strip())
        items.append(f'<li class="toc-h{level}"><a href="#{anchor}">{label}</a></li>')
    if not items:
        return ""
    return f'<details class="geomem-toc" open><summary>Contents</summary><ul>{"".join(items)}</ul></details>'


VERDICT_COLOURS = {"agree": "#1a7f37", "partly": "#9a6700", "disagree": "#cf222e", "not searched": "#57606a"}


def verdict_cell(chapter: str) -> str:
    """A chapter's claims with their verdicts, from ``geomem_utils.claims`` (the source the README's
    chapter table and the chapters' summary tables are tested against)."""
    from geomem_utils.claims import CLAIMS
    return "<br>".join(f'<span title="{html.escape(c.evidence)}">{html.escape(c.claim)}: '
                       f'<b style="color:{VERDICT_COLOURS[c.verdict]}">{c.verdict}</b></span>'
                       for c in CLAIMS if c.chapter == chapter) or "—"


def nav(pages: list[tuple[str, str]], i: int | None) -> str:
    """The bar on top of every page: index, run page, previous and next chapter."""
    links = ['<a href="index.html">Chapters</a>', '<a href="run.html">Run it yourself</a>']
    if i is not None:
        if i > 0:
            links.append(f'<a href="{pages[i - 1][0]}">← {html.escape(pages[i - 1][1])}</a>')
        if i + 1 < len(pages):
            links.append(f'<a href="{pages[i + 1][0]}">{html.escape(pages[i + 1][1])} →</a>')
    return f'<nav class="geomem-nav">{"".join(links)}</nav>'


def page(title: str, body: str, bar: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>{STYLE}"
            f"</head><body>{bar}<main class='geomem-page'>{body}</main></body></html>")


def readme_sections(names=RUN_SECTIONS, readme: Path = ROOT / "README.md") -> str:
    """The named ``## `` sections of the README, as markdown."""
    parts = re.split(r"(?m)^## ", readme.read_text())
    keep = [p for p in parts[1:] if p.splitlines()[0].strip() in names]
    missing = set(names) - {p.splitlines()[0].strip() for p in keep}
    if missing:
        raise ValueError(f"README.md lacks the section(s) {sorted(missing)} that the run page is built from")
    return "\n".join("## " + p for p in keep)


def build_site(out: Path, run: bool = True, quick: bool = False, only: list[str] | None = None,
               log=print) -> dict:
    """Export the chapters (executed first when ``run``) to ``out``; return {"pages": [...], "seconds": …}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bundle_mathjax(out)
    exporter = HTMLExporter(template_name="lab", mathjax_url=MATHJAX_URL)
    paths = [p for p in chapters() if only is None or p.stem in only]
    if not paths:
        raise ValueError(f"no chapter notebooks selected (only={only})")
    notebooks = [nbformat.read(p, as_version=4) for p in paths]
    pages = [(p.stem + ".html", title_and_claim(nb)[0]) for p, nb in zip(paths, notebooks)]
    t0 = time.perf_counter()
    for i, (path, nb) in enumerate(zip(paths, notebooks)):
        t = time.perf_counter()
        if run:
            execute(nb, quick)
        body, _ = exporter.from_notebook_node(nb)
        toc = table_of_contents(body)
        body = re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>{STYLE}{nav(pages, i)}{toc}", body, count=1)
        (out / pages[i][0]).write_text(body)
        log(f"{pages[i][0]:<40} {'executed and ' if run else ''}exported in {time.perf_counter() - t:5.1f} s")
    # the record's pages, from their stored outputs (their searches are cached runs, not re-run here)
    record_pages = {}
    for path in records() if only is None else []:
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb)
        body = re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>{STYLE}{nav(pages, None)}", body, count=1)
        href = f"record_{path.stem}.html"
        (out / href).write_text(body)
        record_pages.setdefault(path.stem.split("_")[0], []).append((href, title_and_claim(nb)[0]))
    rows = "".join(
        f"<tr><td><a href='{href}'>{html.escape(title)}</a></td><td>{html.escape(title_and_claim(nb)[1])}</td>"
        f"<td>{verdict_cell(href.split('_')[0])}</td><td>"
        + "<br>".join(f"<a href='{r}'>{html.escape(t)}</a>" for r, t in record_pages.get(href.split("_")[0], [])) + "</td></tr>"
        for (href, title), nb in zip(pages, notebooks))
    mode = ("executed in quick mode" if quick else "executed in default mode") if run else "stored outputs"
    index = (f"<h1>geomem — the chapters</h1><p>A static reading copy of the collection ({mode}, built "
             f"{time.strftime('%Y-%m-%d')}). Sliders and buttons need a live kernel: see "
             f"<a href='run.html'>run it yourself</a>.</p><table><tr><th>chapter</th><th>paper sections</th><th>claims and today's verdict</th><th>how we checked it (the record)</th></tr>{rows}</table>")
    (out / "index.html").write_text(page("geomem — chapters", index, nav(pages, None)))
    run_md = "# Run it yourself\n\nThis page is the README's set-up and troubleshooting sections.\n\n" + readme_sections()
    (out / "run.html").write_text(page("geomem — run it yourself", mistune.html(run_md), nav(pages, None)))
    return dict(pages=[p for p, _ in pages], records=[r for rs in record_pages.values() for r, _ in rs],
                seconds=time.perf_counter() - t0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "site"))
    ap.add_argument("--quick", action="store_true", help="execute in quick mode (GEOMEM_QUICK=1)")
    ap.add_argument("--no-execute", action="store_true", help="export the stored outputs without running")
    ap.add_argument("--only", nargs="*", help="chapter stems to build (default: all)")
    a = ap.parse_args(argv)
    r = build_site(Path(a.out), run=not a.no_execute, quick=a.quick, only=a.only)
    print(f"{len(r['pages'])} chapters in {r['seconds']:.0f} s -> {Path(a.out) / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
