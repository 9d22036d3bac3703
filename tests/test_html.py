"""The html format: readable snapshots, self-contained output, hostile input, Nu checker and axe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from htmlcheck import assert_inert, axe_violations, browser, hostile_plan_text, nu_errors, plan_text, readable

from mapgen.audience import Audience
from mapgen.load import load_plan
from mapgen.pipeline import RenderRequest, render_plan
from tests.conftest import DISTINCT_ENVIRONMENTS, ROOT, SAMPLE_IDS, SAMPLES, render_sample, require_tool

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
COMBINATIONS = [
    ("standard", "default"),
    ("standard", "executive"),
    ("one-page", "default"),
    ("one-page", "executive"),
]


def html_of(path: Path, layout: str = "standard", theme: str = "default", **kwargs: object) -> str:
    artifacts = render_sample(path, ["html"], layout=layout, theme=theme, **kwargs)  # type: ignore[arg-type]
    (artifact,) = artifacts.values()
    return artifact.data.decode("utf-8")


def write_plan(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_every_sample_snapshot(plan: Path, snapshot_text) -> None:  # type: ignore[no-untyped-def]
    assert readable(html_of(plan)) == snapshot_text("html")


@pytest.mark.parametrize(("layout", "theme"), COMBINATIONS[1:], ids=["-".join(c) for c in COMBINATIONS[1:]])
def test_layout_theme_snapshot(layout: str, theme: str, snapshot_text) -> None:  # type: ignore[no-untyped-def]
    assert readable(html_of(ENTERPRISE, layout, theme)) == snapshot_text("html")


def test_self_contained_and_script_free() -> None:
    html = html_of(ENTERPRISE)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert 'src="http' not in html and "url(http" not in html
    assert "@font-face" in html and "data:font/woff2;base64," in html
    assert html.count('src="data:image/png;base64,') == 2, "both logos embedded"


def test_structure_and_accessibility_basics() -> None:
    html = html_of(ENTERPRISE)
    assert '<html lang="en-US" dir="ltr">' in html
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    assert html.count("<h1") == 1
    assert 'role="img" aria-labelledby="timeline-title timeline-desc"' in html
    assert '<th scope="col">' in html and '<th scope="row"' in html
    assert 'class="badge badge--overdue"><svg' in html, "badges carry an icon shape and text"
    assert "@media print" in html and "@page { size: Letter;" in html, "en-US prints on Letter"


def test_buyer_html_has_no_internal_actions() -> None:
    plan = load_plan(ENTERPRISE).plan
    internal = [a.title for _, a in plan.actions() if a.visibility.value == "internal"]
    assert internal, "the enterprise sample has internal actions"
    buyer = html_of(ENTERPRISE)
    seller = html_of(ENTERPRISE, audience=Audience.INTERNAL)
    for title in internal:
        escaped = title.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;")
        assert escaped not in buyer
        assert escaped in seller


def test_hostile_field_values_are_inert(tmp_path: Path) -> None:
    html = html_of(write_plan(tmp_path, hostile_plan_text()))
    assert_inert(html)
    assert 'href="https://ok.example"' in html


def test_german_plan_uses_german_labels_and_formats(tmp_path: Path) -> None:
    html = html_of(
        write_plan(
            tmp_path,
            plan_text(
                locale="de-DE",
                deal={
                    "name": "Plattform",
                    "value": {"amount": 180000, "currency": "EUR"},
                    "start": "2027-01-04",
                    "target_close": "2027-02-26",
                },
            ),
        )
    )
    assert '<html lang="de-DE"' in html
    for text in ("Zeitplan", "Maßnahmen", "Freigabe", "26.02.2027", "180.000\xa0€", "Verantwortlich"):
        assert text in html


def test_changes_section_only_with_changes(tmp_path: Path) -> None:
    from dataclasses import replace

    from mapgen.diff import compare
    from mapgen.renderers.base import RenderOptions

    path = write_plan(tmp_path, plan_text())
    assert 'id="changes"' not in html_of(path)
    old = load_plan(path).plan
    new_path = tmp_path / "new.yaml"
    new_path.write_text(plan_text(revision=3).replace('"2027-01-15"', '"2027-01-22"'), encoding="utf-8")
    item = load_plan(new_path)
    changes = compare(old, item.plan, Audience.BUYER)
    request = RenderRequest(formats=["html"], options=replace(RenderOptions(), changes=changes))
    (artifact,) = render_plan(item, request)
    html = artifact.data.decode()
    assert 'id="changes"' in html and "since revision 2" in html


def test_user_layout_path_and_missing_section_are_clean_errors(tmp_path: Path) -> None:
    from mapgen.errors import UsageError

    with pytest.raises(UsageError):
        html_of(ENTERPRISE, layout=str(tmp_path / "nope"))


def test_deterministic_across_processes(tmp_path: Path) -> None:
    outputs = []
    for n, env in enumerate(DISTINCT_ENVIRONMENTS):
        out = tmp_path / f"out{n}"
        subprocess.run(
            [sys.executable, "-m", "mapgen", "render", str(ENTERPRISE), "-f", "html,email", "-o", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 4 + 1  # and the manifest


@pytest.fixture(scope="module")
def rendered_pages(tmp_path_factory) -> list[Path]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("pages")
    pages = []
    for plan in SAMPLES:
        for layout, theme in COMBINATIONS if plan == ENTERPRISE else COMBINATIONS[:1]:
            page = folder / f"{plan.parent.name}-{layout}-{theme}.html"
            page.write_text(html_of(plan, layout, theme), encoding="utf-8")
            pages.append(page)
    return pages


def test_nu_html_checker_finds_no_errors(rendered_pages: list[Path]) -> None:
    assert nu_errors(*rendered_pages) == ""


def test_axe_and_phone_width_in_chromium(rendered_pages: list[Path]) -> None:
    axe_js = Path(require_tool("MAPGEN_AXE_JS")).read_text(encoding="utf-8")
    playwright, chromium = browser()
    try:
        problems = []
        requests: list[str] = []
        for page_path in rendered_pages:
            for width in (1280, 375):
                page = chromium.new_page(viewport={"width": width, "height": 800})
                page.on(
                    "request",
                    lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
                )
                page.goto(page_path.as_uri())
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    problems.append(f"{page_path.name} at {width}px scrolls sideways by {overflow}px")
                problems += [f"{page_path.name} at {width}px: {v}" for v in axe_violations(page, axe_js)]
                page.close()
        assert problems == []
        assert requests == [], "the page made network requests"
    finally:
        chromium.close()
        playwright.stop()
