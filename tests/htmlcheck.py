"""Helpers for the HTML, email and layout tests: readable snapshots, real-browser checks, test plans."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import require_tool

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_DATA_URI = re.compile(r"data:([a-z0-9/+.-]+);base64,([A-Za-z0-9+/=]+)")


def readable(html: str) -> str:
    """The HTML with embedded fonts and images replaced by their media type and a short hash."""
    return _DATA_URI.sub(
        lambda m: f"data:{m.group(1)};sha256={hashlib.sha256(m.group(2).encode()).hexdigest()[:12]}", html
    )


def nu_errors(*paths: Path) -> str:
    """The Nu HTML checker's errors for the files (empty when valid)."""
    jar = require_tool("MAPGEN_VNU_JAR")
    result = subprocess.run(
        ["java", "-jar", jar, "--errors-only", *map(str, paths)], capture_output=True, text=True, check=False
    )
    return (result.stdout + result.stderr).strip()


def browser():  # type: ignore[no-untyped-def]
    """A started Playwright and a headless Chromium (the caller closes both)."""
    require_tool("chromium")
    pytest_playwright = __import__("playwright.sync_api", fromlist=["sync_playwright"])
    playwright = pytest_playwright.sync_playwright().start()
    return playwright, playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def axe_violations(page, axe_js: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """Serious and critical axe-core violations on the loaded page."""
    page.add_script_tag(content=axe_js)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def plan_text(**overrides: object) -> str:
    """A small valid plan as JSON (which is YAML), with top-level fields replaced."""
    plan: dict[str, object] = {
        "mapgen": 1,
        "id": "test-plan",
        "title": "Test plan",
        "revision": 2,
        "updated": "2027-01-12",
        "timezone": "Europe/Berlin",
        "locale": "en-US",
        "seller": {"name": "Seller GmbH"},
        "buyer": {"name": "Buyer AG"},
        "deal": {"name": "Platform", "start": "2027-01-04", "target_close": "2027-02-26"},
        "stakeholders": [
            {"id": "ann", "name": "Ann Buyer", "side": "buyer", "role": "champion"},
            {"id": "sam", "name": "Sam Seller", "side": "seller", "role": "account_executive"},
        ],
        "phases": [
            {
                "id": "close",
                "name": "Close",
                "actions": [
                    {"id": "proposal", "title": "Send the proposal", "owner": "sam", "due": "2027-01-15"},
                    {
                        "id": "signed",
                        "title": "Contract signed",
                        "owner": "ann",
                        "due": "2027-02-26",
                        "milestone": True,
                    },
                ],
            }
        ],
        "signoff": ["ann", "sam"],
    }
    plan.update(overrides)
    return json.dumps(plan, ensure_ascii=False, indent=1)


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def hostile_plan_text() -> str:
    """Script tags, event handlers, javascript: and data: links and remote images in every kind of field."""
    md = (
        "Hi <script>alert(3)</script> <b onclick=alert(4)>bold</b>\n\n"
        "[click](javascript:alert(5)) [data](data:text/html,<script>alert(6)</script>) "
        "![tracker](https://evil.example/pixel.png) [ok](https://ok.example)"
    )
    return plan_text(
        title=f"Plan {HOSTILE}",
        summary=md,
        seller={"name": f"Seller {HOSTILE}", "website": "https://seller.example"},
        buyer={"name": 'Buyer "><svg onload=alert(7)>'},
        deal={
            "name": f"Deal {HOSTILE}",
            "start": "2027-01-04",
            "target_close": "2027-02-26",
            "compelling_event": f"Event {HOSTILE}",
        },
        stakeholders=[
            {"id": "ann", "name": f"Ann {HOSTILE}", "title": "</td></tr></table>", "side": "buyer"},
            {"id": "sam", "name": "Sam", "side": "seller", "email": "sam@seller.example"},
        ],
        objectives=[
            {
                "id": "o",
                "title": f"Goal {HOSTILE}",
                "description": md,
                "success_criteria": [HOSTILE],
                "owner": "ann",
            }
        ],
        phases=[
            {
                "id": "close",
                "name": f"Phase {HOSTILE}",
                "description": md,
                "actions": [
                    {
                        "id": "a1",
                        "title": f"Act {HOSTILE}",
                        "owner": "ann",
                        "due": "2027-01-15",
                        "notes": md,
                        "outcome": HOSTILE,
                        "milestone": True,
                    }
                ],
            }
        ],
        metrics=[
            {
                "id": "m",
                "name": f"Metric {HOSTILE}",
                "unit": "<b>",
                "baseline": 1,
                "target": 2,
                "measure_by": "2027-06-01",
                "owner": "ann",
            }
        ],
    )


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def assert_inert(html: str) -> None:
    """No markup from the plan survived as markup: no scripts, handlers, unsafe links or remote images."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        assert tag not in ("script", "iframe", "object", "embed", "form", "b"), tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src", "xlink:href"):
            value = attrs.get(name, "").strip().lower()
            assert not value.startswith(("javascript:", "vbscript:", "http://evil", "https://evil")), value
            if name == "href":
                assert not value.startswith("data:"), value
        if tag == "img":
            assert attrs["src"].startswith("data:image/"), attrs["src"][:40]
    assert "&lt;script&gt;" in html
