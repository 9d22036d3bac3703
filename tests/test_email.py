"""The email format: inlined, table-based, summarised, under Gmail's clip, with a plain-text part."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from htmlcheck import assert_inert, hostile_plan_text

from mapgen.audience import Audience
from mapgen.errors import UsageError
from mapgen.renderers.base import RenderOptions
from mapgen.renderers.email import GMAIL_CLIP_BYTES
from tests.conftest import ROOT, SAMPLE_IDS, SAMPLES, render_sample

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
LINK = "https://deals.example/p/0f3c"


def email_of(path: Path, **kwargs: object) -> dict[str, str]:
    artifacts = render_sample(path, ["email"], **kwargs)  # type: ignore[arg-type]
    return {name.split(".", 1)[1]: a.data.decode("utf-8") for name, a in artifacts.items()}


def big_plan(tmp_path: Path, actions: int = 500) -> Path:
    """A plan with `actions` actions over 10 phases and 20 stakeholders, for size limits."""
    people = [
        {
            "id": f"p{i}",
            "name": f"Person Number {i}",
            "title": "Director of Things",
            "side": "buyer" if i % 2 else "seller",
        }
        for i in range(20)
    ]
    phases = [
        {
            "id": f"phase-{p}",
            "name": f"Phase {p}: a reasonably long phase name",
            "actions": [
                {
                    "id": f"a{p}-{i}",
                    "title": f"Action {i} of phase {p}: do something specific and measurable",
                    "owner": f"p{(p * 7 + i) % 20}",
                    "due": f"2027-{1 + (p + i) % 12:02d}-{1 + i % 28:02d}",
                    "status": ["not_started", "in_progress", "blocked"][i % 3],
                    "milestone": i % 10 == 0,
                    "notes": "Notes with **Markdown** and a [link](https://example.com).",
                }
                for i in range(actions // 10)
            ],
        }
        for p in range(10)
    ]
    plan = {
        "mapgen": 1,
        "id": "big-plan",
        "title": "A very large plan",
        "revision": 1,
        "updated": "2027-03-01",
        "seller": {"name": "Seller"},
        "buyer": {"name": "Buyer"},
        "deal": {"name": "Big deal", "start": "2027-01-01", "target_close": "2027-12-20"},
        "stakeholders": people,
        "phases": phases,
    }
    path = tmp_path / "big.yaml"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_every_sample_snapshot(plan: Path, snapshot_text) -> None:  # type: ignore[no-untyped-def]
    parts = email_of(plan, options=RenderOptions(link=LINK))
    assert parts["email.html"] == snapshot_text("html")
    assert parts["email.txt"] == snapshot_text("txt")


def test_executive_theme_snapshot(snapshot_text) -> None:  # type: ignore[no-untyped-def]
    assert email_of(ENTERPRISE, theme="executive")["email-fragment.html"] == snapshot_text("html")


def test_three_parts_and_fragment_is_the_document_body() -> None:
    parts = email_of(ENTERPRISE)
    assert set(parts) == {"email.html", "email-fragment.html", "email.txt"}
    assert parts["email.html"].startswith("<!DOCTYPE html>")
    assert parts["email-fragment.html"].strip() in parts["email.html"]
    assert "<html" not in parts["email-fragment.html"]


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_nothing_email_clients_drop(plan: Path) -> None:
    for name, html in email_of(plan, options=RenderOptions(link=LINK)).items():
        if name == "email.txt":
            continue
        lowered = html.lower()
        body = lowered.split("<body", 1)[-1]
        for banned in (
            "<style",
            "<link",
            "<script",
            "<form",
            "<svg",
            "<img",
            "base64",
            "display: flex",
            "display: grid",
            "border-radius",
            "background-image",
            'class="cover',
            "var(--",
        ):
            assert banned not in body, (name, banned)
        assert re.search(r'<table[^>]*role="presentation"[^>]*width="600"', html)
        for tag in re.findall(r"<(?:p|div|span|a)\b[^>]*>", html):
            assert "padding" not in tag, tag
        assert "style=" in html


def test_button_only_with_link() -> None:
    assert LINK not in email_of(ENTERPRISE)["email.html"]
    parts = email_of(ENTERPRISE, options=RenderOptions(link=LINK))
    assert f'href="{LINK}"' in parts["email.html"]
    assert f"Open the full plan: {LINK}" in parts["email.txt"]


@pytest.mark.parametrize("link", ["javascript:alert(1)", "file:///etc/passwd", "https://a.example/x y"])
def test_unsafe_link_is_a_usage_error(link: str) -> None:
    with pytest.raises(UsageError):
        email_of(ENTERPRISE, options=RenderOptions(link=link))


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_under_gmail_clip_for_samples(plan: Path) -> None:
    for name, text in email_of(plan, options=RenderOptions(link=LINK)).items():
        assert len(text.encode("utf-8")) < GMAIL_CLIP_BYTES, name


def test_under_gmail_clip_for_500_actions(tmp_path: Path) -> None:
    for name, text in email_of(big_plan(tmp_path), options=RenderOptions(link=LINK)).items():
        assert len(text.encode("utf-8")) < GMAIL_CLIP_BYTES, name


def test_summarises_next_actions_per_side() -> None:
    text = email_of(ENTERPRISE)["email.txt"]
    assert "Acme Corp (Buyer)" in text and "Northwind Analytics (Seller)" in text
    assert "NEXT MILESTONES" in text and "TIMELINE" in text and "25% · 11 of 44 actions done" in text


def test_buyer_email_has_no_internal_actions() -> None:
    from mapgen.load import load_plan

    plan = load_plan(ENTERPRISE).plan
    internal = [a.title for _, a in plan.actions() if a.visibility.value == "internal"]
    buyer = email_of(ENTERPRISE)
    for title in internal:
        assert title not in buyer["email.txt"]
    assert buyer["email.txt"] != email_of(ENTERPRISE, audience=Audience.INTERNAL)["email.txt"]


def test_hostile_values_are_inert(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(hostile_plan_text(), encoding="utf-8")
    parts = email_of(path)
    assert_inert(parts["email.html"])
    assert_inert(parts["email-fragment.html"])
