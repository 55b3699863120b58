"""The static HTML reader (``bash scripts/site.sh``, issue 10): every chapter page exists, holds its
figures and links to its neighbours; the index follows the chapter map; the run page is the README's."""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
build_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_site)


def png_outputs(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = build_site.build_site(out, run=False, log=lambda *_: None)
    return out, result


def test_every_chapter_page_exists_with_its_figures(site):
    out, result = site
    chapters = build_site.chapters()
    assert result["pages"] == [p.stem + ".html" for p in chapters]
    for path in chapters:
        page = (out / (path.stem + ".html")).read_text()
        nb = nbformat.read(path, as_version=4)
        title = nb.cells[0].source.splitlines()[0].lstrip("# ").strip()
        assert title.split(" ·")[0] in page and "Learning goals" in page
        n_png = png_outputs(nb)
        assert n_png >= 1, f"{path.name} has no figure"
        assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) >= n_png, path.name


def test_index_follows_the_chapter_map_and_pages_link_to_neighbours(site):
    out, result = site
    index = (out / "index.html").read_text()
    links = re.findall(r"href='(\d\d\w*\.html)'", index)
    assert links == result["pages"]
    second = (out / result["pages"][1]).read_text()
    assert f'href="{result["pages"][0]}"' in second and f'href="{result["pages"][2]}"' in second
    from geomem_utils.claims import CLAIMS
    for c in CLAIMS:  # the index shows every claim's verdict, read from the registry
        assert re.search(rf"{re.escape(c.claim)}: <b[^>]*>{re.escape(c.verdict)}</b>", index), c.claim
    run = (out / "run.html").read_text()
    assert "scripts/lab.sh" in run and "Troubleshooting" in run


def test_execute_mode_runs_a_chapter_in_memory(tmp_path):
    """The default command executes the notebooks; checked on the shortest chapter (quick mode)."""
    source = (ROOT / "notebooks" / "00_welcome.ipynb").read_bytes()
    result = build_site.build_site(tmp_path, run=True, quick=True, only=["00_welcome"], log=lambda *_: None)
    page = (tmp_path / "00_welcome.html").read_text()
    assert result["pages"] == ["00_welcome.html"] and "quick mode    on" in page
    assert (ROOT / "notebooks" / "00_welcome.ipynb").read_bytes() == source  # never rewritten
    # figures at twice the pixels for high-density screens: the <img> is shown at half its pixel width
    import base64
    import struct
    imgs = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"[^>]*width="(\d+)"', page)
    assert imgs, "no sized (retina) figure on the executed page"
    for data, shown in imgs:
        pixel_width = struct.unpack(">I", base64.b64decode(data[:48])[16:20])[0]  # the PNG header's width
        assert pixel_width >= 2 * int(shown) - 2


def test_every_chapter_page_has_a_table_of_contents(site):
    out, result = site
    for name in result["pages"]:
        page = (out / name).read_text()
        toc = re.search(r'<details class="geomem-toc".*?</details>', page, re.S)
        assert toc, f"{name}: no table of contents"
        anchors = re.findall(r'href="#([^"]+)"', toc.group(0))
        assert len(anchors) >= 2, name
        for a in anchors:
            assert f'id="{a}"' in page, f"{name}: contents link #{a} has no heading"


def test_missing_readme_section_is_a_clear_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## Two commands\n\nrun it\n")
    with pytest.raises(ValueError, match="Troubleshooting"):
        build_site.readme_sections(readme=readme)


# ------------------------------------------------------------------ formulas typeset with the network off
CHROMIUM = Path(__import__("os").environ.get("GEOMEM_CHROMIUM", "/usr/bin/chromium"))


def offline_visible_text(page_file: Path) -> tuple[str, list[str]]:
    """Open ``page_file`` in headless Chromium with every network request refused; wait (up to 30 s)
    for MathJax to finish, and return the visible text outside code (MathJax's own TeX sources and
    hidden copies removed) and the refused requests."""
    import os
    from playwright.sync_api import sync_playwright
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: the offline site test is part of CI")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    refused = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        context = browser.new_context(offline=True)
        context.route(re.compile(r"^https?://"), lambda route: (refused.append(route.request.url), route.abort()))
        page = context.new_page()
        page.goto(page_file.resolve().as_uri())
        try:
            page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
                                   " && document.querySelector('.MathJax_CHTML') !== null", timeout=30_000)
        except Exception:  # playwright's TimeoutError: no MathJax ran (the text then shows raw TeX)
            pass
        text = page.evaluate("""() => { const c = document.body.cloneNode(true);
            c.querySelectorAll('code, pre, script, style, .MJX_Assistive_MathML').forEach(e => e.remove());
            document.body.appendChild(c); const t = c.innerText; c.remove(); return t; }""")
        browser.close()
    return text, refused


def raw_tex(text: str) -> list[str]:
    return re.findall(r"\\ell|\\mathbb|\\frac|\$[^$\n]{1,60}\$", text)


def test_formulas_are_typeset_offline(site):
    out, _ = site
    assert (out / "mathjax" / "MathJax.js").exists()
    text, refused = offline_visible_text(out / "00_welcome.html")
    assert "ℓ" in text and not raw_tex(text), f"raw TeX left on the page: {raw_tex(text)[:5]}"
    assert not any("mathjax" in u.lower() for u in refused), refused


def test_offline_check_sees_raw_tex_from_a_cdn_page(tmp_path):
    """Negative control: the same page exported with nbconvert's default (CDN) MathJax shows raw TeX offline."""
    from nbconvert import HTMLExporter
    nb = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4)
    (tmp_path / "cdn.html").write_text(HTMLExporter(template_name="lab").from_notebook_node(nb)[0])
    text, refused = offline_visible_text(tmp_path / "cdn.html")
    assert raw_tex(text) and any("mathjax" in u.lower() for u in refused)


def test_the_index_links_each_chapter_to_its_record(site):
    out, result = site
    index = (out / "index.html").read_text()
    records = build_site.records()
    assert records and result["records"] == [f"record_{p.stem}.html" for p in records]
    for path in records:
        assert (out / f"record_{path.stem}.html").exists()
        row = next(r for r in index.split("<tr>") if f"href='record_{path.stem}.html'" in r)
        assert f"href='{path.stem.split('_')[0]}_" in row, f"{path.name} is not in its chapter's row"
