"""The email as its readers see it: on a phone (media queries honoured or ignored), on a desktop at
600 px, and in Outlook's Word engine, which ignores max-width and only sees the conditional table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from htmlcheck import browser

from mapgen.renderers.base import RenderOptions
from tests.conftest import ROOT
from tests.test_email import LINK, big_plan, email_of

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
JAPANESE = ROOT / "samples" / "sakura-northwind" / "plan.yaml"
CLIPPED = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width && (r.right > width + 0.5 || r.left < -0.5)) out.push(e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """The full document, the same without its <style> (clients that drop media queries) and the
    fragment, for the enterprise and the Japanese sample."""
    folder = tmp_path_factory.mktemp("email")
    out = {}
    for name, plan in (("enterprise", ENTERPRISE), ("japanese", JAPANESE)):
        parts = email_of(plan, options=RenderOptions(link=LINK))
        document = parts["email.html"]
        stripped = re.sub(r"<style>.*?</style>", "", document, flags=re.S)
        assert stripped != document
        fragment = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
            + parts["email-fragment.html"]
            + "</body></html>"
        )
        for kind, html in (("document", document), ("no-media-queries", stripped), ("fragment", fragment)):
            path = folder / f"{name}-{kind}.html"
            path.write_text(html, encoding="utf-8")
            out[f"{name}-{kind}"] = path
    return out


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    playwright, chromium = browser()
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.mark.parametrize("width", [375, 320])
def test_nothing_is_cut_off_on_a_phone(chromium, pages: dict[str, Path], width: int) -> None:  # type: ignore[no-untyped-def]
    for name, path in pages.items():
        page = chromium.new_page(viewport={"width": width, "height": 800})
        try:
            page.goto(path.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, name
            assert page.evaluate(CLIPPED) == [], f"{name} at {width}px"
            container = page.locator("table.container").bounding_box()
            assert container is not None and container["width"] <= width, name
        finally:
            page.close()


def test_phone_rules_apply_where_media_queries_are_honoured(chromium, pages: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    def title_padding(path: Path) -> float:
        page = chromium.new_page(viewport={"width": 375, "height": 800})
        try:
            page.goto(path.as_uri())
            return page.evaluate("parseFloat(getComputedStyle(document.querySelector('.title')).paddingLeft)")
        finally:
            page.close()

    assert title_padding(pages["enterprise-document"]) == 16
    assert title_padding(pages["enterprise-no-media-queries"]) == 24


def test_desktop_width_is_600(chromium, pages: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page(viewport={"width": 1024, "height": 800})
    try:
        page.goto(pages["enterprise-document"].as_uri())
        box = page.locator("table.container").bounding_box()
        assert box is not None and box["width"] == 600
    finally:
        page.close()


def test_outlook_gets_a_fixed_600px_table_and_no_layout_it_cannot_do() -> None:
    for part in ("email.html", "email-fragment.html"):
        html = email_of(ENTERPRISE, options=RenderOptions(link=LINK))[part]
        opening = '<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" align="center"><tr><td><![endif]-->'
        assert html.count(opening) == 1 and html.count("<!--[if mso]></td></tr></table><![endif]-->") == 1
        container = re.search(r'<table class="container"[^>]*>', html)
        assert container is not None and 'width="100%"' in container.group(0)
        assert "max-width: 600px" in container.group(0)
        styles = " ".join(re.findall(r'style="([^"]*)"', html))
        for banned in ("display: flex", "display: grid", "border-radius", "background-image"):
            assert banned not in styles, banned


def test_big_plan_reads_on_a_phone(chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from mapgen.renderers.email import GMAIL_CLIP_BYTES

    parts = email_of(big_plan(tmp_path), options=RenderOptions(link=LINK))
    assert len(parts["email.html"].encode()) < GMAIL_CLIP_BYTES
    path = tmp_path / "big.html"
    path.write_text(parts["email.html"], encoding="utf-8")
    page = chromium.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto(path.as_uri())
        assert page.evaluate(CLIPPED) == []
    finally:
        page.close()
