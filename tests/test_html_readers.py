"""The HTML page as its readers see it in Chromium: a phone at 375 px, a laptop at 1280 px, print.

Each test measures what a reader would notice: labels too small to read, a grid with empty slots,
signature lines at different heights, a separator left dangling at the end of a line, a heading
alone at the foot of a printed page.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from htmlcheck import browser, plan_text

from tests.conftest import ROOT, render_sample, require_tool

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("readers")
    (artifact,) = render_sample(ENTERPRISE, ["html"]).values()
    path = folder / "plan.html"
    path.write_bytes(artifact.data)
    return path


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    playwright, chromium = browser()
    yield chromium
    chromium.close()
    playwright.stop()


def open_page(chromium, path: Path, width: int):  # type: ignore[no-untyped-def]
    page = chromium.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    return page


def test_phone_timeline_is_readable(chromium, page_file: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(chromium, page_file, 375)
    try:
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert not page.locator(".timeline__svg").is_visible(), "the tiny SVG is replaced on phones"
        bars = page.locator(".timeline__table .span-bar")
        assert bars.count() == 7
        for i in range(bars.count()):
            box = bars.nth(i).bounding_box()
            assert box is not None and box["width"] > 250, "each phase's bar spans the card"
        smallest = page.evaluate(
            "Math.min(...[...document.querySelectorAll('#timeline th, #timeline td, #timeline .milestone-line')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        assert smallest >= 12, f"timeline text at {smallest}px"
        assert page.locator(".timeline__phone-note").is_visible()
    finally:
        page.close()


def test_wide_timeline_keeps_the_svg(chromium, page_file: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(chromium, page_file, 1280)
    try:
        assert page.locator(".timeline__svg").is_visible()
        assert not page.locator(".span-bar").first.is_visible()
        assert not page.locator(".timeline__phone-note").is_visible()
    finally:
        page.close()


def test_phone_responsibilities_are_cards_without_scrolling(chromium, page_file: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(chromium, page_file, 375)
    try:
        wrap = page.locator("#responsibilities .table-wrap")
        assert wrap.evaluate("e => e.scrollWidth - e.clientWidth") <= 0
        first = page.locator("#responsibilities tbody tr").first
        shown = first.locator("td:visible")
        labels = [shown.nth(i).evaluate("e => e.dataset.label") for i in range(shown.count())]
        assert labels == [
            "Discovery",
            "Technical evaluation",
            "Business case and approval",
            "Onboarding and go-live",
            "Total",
        ], "only the phases the person owns actions in"
    finally:
        page.close()


def test_no_dangling_separators(chromium, page_file: Path) -> None:  # type: ignore[no-untyped-def]
    for width in (375, 1280):
        page = open_page(chromium, page_file, width)
        try:
            texts = page.evaluate(
                "[...document.querySelectorAll('.milestone-line, .next-list__meta')].map(e => e.innerText)"
            )
            assert texts
            for text in texts:
                for line in text.splitlines():
                    assert not line.strip().endswith("·") and not line.strip().startswith("·"), line
        finally:
            page.close()


@pytest.mark.parametrize("count", [3, 4, 5])
def test_objective_grid_has_no_empty_slots(chromium, tmp_path: Path, count: int) -> None:  # type: ignore[no-untyped-def]
    objectives = [
        {"id": f"o{i}", "title": f"Objective {i}", "owner": "ann", "success_criteria": ["Measured"]}
        for i in range(count)
    ]
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text(objectives=objectives), encoding="utf-8")
    (artifact,) = render_sample(plan, ["html"]).values()
    path = tmp_path / "plan.html"
    path.write_bytes(artifact.data)
    page = open_page(chromium, path, 1280)
    try:
        rows = page.evaluate(
            """() => {
              const list = document.querySelector('.cards').getBoundingClientRect();
              const rows = {};
              for (const c of document.querySelectorAll('.card')) {
                const r = c.getBoundingClientRect();
                (rows[Math.round(r.top)] ||= []).push(r);
              }
              return Object.values(rows).map(cards => [list.right - Math.max(...cards.map(r => r.right)),
                                                       cards.length]);
            }"""
        )
        for gap, _cards in rows:
            assert abs(gap) < 2, f"a row of cards stops {gap}px short of the grid's edge"
        if count == 4:
            assert [n for _gap, n in rows] == [2, 2]
    finally:
        page.close()


def test_signature_lines_align(chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stakeholders = [
        {
            "id": "ann",
            "name": "Ann Buyer",
            "side": "buyer",
            "role": "champion",
            "title": "Senior Vice President, Global Operations and Shared Services Transformation",
        },
        {"id": "sam", "name": "Sam Seller", "side": "seller", "role": "account_executive"},
    ]
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text(stakeholders=stakeholders), encoding="utf-8")
    (artifact,) = render_sample(plan, ["html"]).values()
    path = tmp_path / "plan.html"
    path.write_bytes(artifact.data)
    page = open_page(chromium, path, 1280)
    try:
        tops = page.evaluate(
            "[...document.querySelectorAll('.signature')].map(s => "
            "[...s.querySelectorAll('.signature__line')].map(l => Math.round(l.getBoundingClientRect().top)))"
        )
        assert len(tops) == 2 and tops[0] == tops[1], tops
    finally:
        page.close()


def test_print_keeps_legend_and_headings_with_what_follows(chromium, page_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdftotext = require_tool("pdftotext")
    page = open_page(chromium, page_file, 1280)
    try:
        pdf = tmp_path / "print.pdf"
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), format="A4")
    finally:
        page.close()
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = text.stdout.split("\f")
    timeline = next(p for p in pages if "Timeline" in p and "Phase, filled as actions are done" in p)
    assert timeline.index("Timeline") < timeline.index("Phase, filled as actions are done")
    for number, body in enumerate(pages, 1):
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        for i, line in enumerate(lines):
            if "actions done" in line and not line.startswith("25%"):
                after = lines[i + 1 :]
                header = next((k for k, rest in enumerate(after) if rest.startswith("ACTION")), None)
                assert header is not None and len(after) > header + 1, (
                    f"page {number}: the phase heading {line[:40]!r} has no action under it"
                )
        if lines:
            assert lines[-1] not in ("Sign-off", "Responsibilities", "Stakeholders"), f"page {number}"
