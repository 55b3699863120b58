"""One source of verdicts (geomem_utils.claims): the chapters' own summary tables, the README's chapter
table and the site's index must say what it says."""
import json
import re
from pathlib import Path

import pytest

from geomem_utils.claims import CLAIMS, VERDICTS, Claim, claims_of, verdict_of

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {p.name.split("_")[0]: p for p in (ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")}
RECORDS = sorted((ROOT / "notebooks" / "record").glob("*.ipynb"))


def sources(chapter: str) -> list[Path]:
    """A chapter and its reproduction record (``notebooks/record/<chapter>_*.ipynb``): where its searches,
    verdict tables and checked verdicts are printed."""
    return [NOTEBOOKS[chapter]] + [p for p in RECORDS if p.name.split("_")[0] == chapter]


def cells_of(chapter: str) -> list[dict]:
    return [cell for p in sources(chapter) for cell in json.loads(p.read_text())["cells"]]


def test_every_claim_names_a_chapter_and_a_known_verdict():
    assert [c.claim for c in CLAIMS][:17] == [f"C{i}" for i in range(1, 18)]
    for c in CLAIMS:
        assert c.chapter in NOTEBOOKS, c
        assert c.verdict in VERDICTS
    with pytest.raises(ValueError, match="verdict"):
        Claim("C0", "02", "x", "maybe", "y")
    with pytest.raises(ValueError, match="chapter"):
        claims_of("99")
    assert verdict_of("C2") == "agree"


def summary_rows(chapter: str) -> dict[str, list[str]]:
    """``{claim: [verdict, …]}`` from the verdict tables a chapter's stored outputs print (lines that start
    with a claim id and end in a verdict column)."""
    rows: dict[str, list[str]] = {}
    for cell in cells_of(chapter):
        for out in cell.get("outputs", []):
            for line in "".join(out.get("text", "")).splitlines():
                m = re.match(r"\s*(C\d+|Mamba)\s", line)
                last = re.split(r"\s{2,}", line.strip())[-1]
                word = re.match(r"(agree|partly|disagree|not searched)\b", last)
                if m and word:
                    rows.setdefault(m.group(1), []).append(word.group(1))
    return rows


def combined(verdicts: list[str]) -> str:
    """A claim tested by several rows: their common verdict, or "partly" when they differ."""
    return verdicts[0] if len(set(verdicts)) == 1 else "partly"


CHAPTER_ROWS = {(c.claim, c.chapter): rows for c in CLAIMS
                for rows in [summary_rows(c.chapter).get(c.claim)] if rows}


def test_some_chapters_print_verdict_tables():
    assert {"C1", "C3", "C4", "C5"} <= {claim for claim, _ in CHAPTER_ROWS}


@pytest.mark.parametrize("claim, chapter", list(CHAPTER_ROWS), ids=[c for c, _ in CHAPTER_ROWS])
def test_chapter_summary_table_agrees_with_the_registry(claim, chapter):
    rows = CHAPTER_ROWS[(claim, chapter)]
    assert combined(rows) == verdict_of(claim), \
        f"chapter {chapter}'s table says {rows} for {claim}, the registry {verdict_of(claim)!r}"


def test_readme_chapter_table_shows_the_registry_verdicts():
    readme = (ROOT / "README.md").read_text()
    for chapter in sorted({c.chapter for c in CLAIMS}):
        row = next((l for l in readme.splitlines() if l.startswith(f"| {chapter} | `")), None)
        assert row is not None, f"README chapter table has no row for {chapter}"
        expected = ", ".join(f"{c.claim} {c.verdict}" for c in claims_of(chapter))
        assert f"| {expected} |" in row, f"README row {chapter}: expected verdicts {expected!r}"


def checked_verdicts(chapter: str) -> dict[str, list[str]]:
    """``{claim: [verdict, …]}`` from the lines "<claim> verdict: <search verdict>" that a chapter's
    checked cells (``# NBVAL_CHECK_OUTPUT``) print, in the registry's words (``searches.REGISTRY_WORD``)."""
    from geomem_utils.experiments.searches import REGISTRY_WORD
    found: dict[str, list[str]] = {}
    for cell in cells_of(chapter):
        if cell["cell_type"] != "code" or not "".join(cell["source"]).startswith("# NBVAL_CHECK_OUTPUT"):
            continue
        for out in cell.get("outputs", []):
            for line in "".join(out.get("text", "")).splitlines():
                m = re.match(r"(C\d+|Mamba)( \w+[ .\d]*)? verdict: (.+)$", line.strip())
                if m:
                    found.setdefault(m.group(1), []).append(REGISTRY_WORD[m.group(3).strip()])
    return found


CHECKED = {(claim, chapter): v for chapter in sorted({c.chapter for c in CLAIMS})
           for claim, v in checked_verdicts(chapter).items()}


def test_searched_claims_print_their_verdict_in_a_checked_cell():
    assert {"C3", "C13"} <= {claim for claim, _ in CHECKED}


@pytest.mark.parametrize("claim, chapter", list(CHECKED), ids=[c for c, _ in CHECKED])
def test_checked_cell_verdict_agrees_with_the_summary_table_and_registry(claim, chapter):
    checked = combined(CHECKED[(claim, chapter)])
    assert checked == verdict_of(claim), \
        f"chapter {chapter}'s checked cell says {checked!r} for {claim}, the registry {verdict_of(claim)!r}"
    if (claim, chapter) in CHAPTER_ROWS:
        assert combined(CHAPTER_ROWS[(claim, chapter)]) == checked, \
            f"chapter {chapter}: summary table {CHAPTER_ROWS[(claim, chapter)]} vs checked cell {checked!r} for {claim}"
