"""The `digest` format: who gets one (from the view), what it lists, the email rules it keeps, its
`.eml` twin parsed back with Python's `email` package, and links from --link and --base-url."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from mapgen.audience import Audience
from mapgen.load import load_plan
from mapgen.renderers.base import RenderOptions
from mapgen.renderers.email import GMAIL_CLIP_BYTES
from mapgen.spec import Side
from mapgen.tokens import feed_scope, make_token, read_secret
from mapgen.view import State, build_view, digests
from tests.conftest import ROOT, render_sample
from tests.test_serve import run_mapgen

PLAN_FILE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
PLAN = "northwind-acme"


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    options = RenderOptions(
        link="https://plans.example.com/p/x/", person_links=(("raj", "https://plans.example.com/p/raj/"),)
    )
    return {name: a.data for name, a in render_sample(PLAN_FILE, ["digest"], options=options).items()}


def test_view_selects_each_persons_due_actions_and_nobody_gets_an_empty_digest() -> None:
    view = build_view(load_plan(PLAN_FILE).plan)
    found = digests(view)
    assert found and all(d.count > 0 for d in found)
    by_person = {d.stakeholder.id: d for d in found}
    for person in view.stakeholders:
        mine = [a for a in view.next_actions if a.owner_id == person.id]
        due = [
            a
            for a in mine
            if a.state in (State.STALLED, State.OVERDUE, State.BLOCKED)
            or (a.days_left is not None and 0 <= a.days_left <= 7)
        ]
        assert (person.id in by_person) == bool(due), person.id
        if due:
            listed = [a.id for _, group in by_person[person.id].groups for a in group]
            assert sorted(listed) == sorted(a.id for a in due)
    for digest in found:
        assert all(a.state is State.STALLED for a in digest.stalled)
        assert all(a.state is State.BLOCKED for a in digest.blocked)
        assert [a.due_day for a in digest.due_soon] == sorted(a.due_day for a in digest.due_soon)


def test_contributors_get_the_actions_they_work_on(tmp_path: Path) -> None:
    text = PLAN_FILE.read_text(encoding="utf-8").replace(
        "        owner: raj\n        due: 2027-01-08\n",
        "        owner: raj\n        due: 2027-01-08\n        contributors: [jane]\n",
        1,
    )
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(PLAN_FILE.parent / "logos", tmp_path / "logos")
    view = build_view(load_plan(tmp_path / "plan.yaml").plan)
    jane = next(d for d in digests(view) if d.stakeholder.id == "jane")
    assert [a.id for a in jane.overdue] == ["poc-build"] and "poc-build" not in jane.owned
    raj = next(d for d in digests(view) if d.stakeholder.id == "raj")
    assert "poc-build" in raj.owned
    html = render_sample(tmp_path / "plan.yaml", ["digest"])[f"{PLAN}.jane.digest.txt"].data.decode()
    assert "Build 3 of the 12 weekly reports" in html and "Owner: Raj Patel" in html


def test_window_and_as_of_change_the_selection() -> None:
    plan = load_plan(PLAN_FILE).plan
    view = build_view(plan)
    wide = {d.stakeholder.id: d.count for d in digests(view, 60)}
    narrow = {d.stakeholder.id: d.count for d in digests(view, 0)}
    assert sum(wide.values()) > sum(narrow.values())
    assert set(narrow) <= set(wide)
    later = build_view(plan, as_of=plan.updated + timedelta(days=21))
    assert sum(d.count for d in digests(later)) != sum(d.count for d in digests(view))
    with pytest.raises(ValueError):
        digests(view, -1)


def test_internal_digests_go_to_the_sellers_only() -> None:
    view = build_view(load_plan(PLAN_FILE).plan, Audience.INTERNAL)
    assert all(d.stakeholder.side is Side.SELLER for d in digests(view))


def test_files_follow_the_naming_contract(rendered: dict[str, bytes]) -> None:
    people = {d.stakeholder.id for d in digests(build_view(load_plan(PLAN_FILE).plan))}
    expected = {f"{PLAN}.{p}.digest.{ext}" for p in people for ext in ("html", "txt", "eml")}
    assert set(rendered) == expected


def test_html_keeps_the_email_rules(rendered: dict[str, bytes]) -> None:
    for name, data in rendered.items():
        if not name.endswith(".html"):
            continue
        html = data.decode()
        assert len(data) < GMAIL_CLIP_BYTES
        assert "<style" not in html.split("</head>")[1]  # every rule inlined in the body
        assert "<img" not in html and "<script" not in html.lower()
        assert 'role="presentation"' in html and 'width="600"' in html
        assert 'style="' in html
        assert "https://plans.example.com/p/x/" in html


def test_text_lists_groups_with_dates_and_links(rendered: dict[str, bytes], snapshot_text) -> None:  # type: ignore[no-untyped-def]
    text = rendered[f"{PLAN}.raj.digest.txt"].decode()
    assert "Hello Raj Patel" in text
    assert "STALLED (1)" in text and "OVERDUE (1)" in text
    assert "Your actions and calendar: https://plans.example.com/p/raj/" in text
    assert "Open the full plan: https://plans.example.com/p/x/" in text
    assert text == snapshot_text("txt")


def test_eml_is_a_message_to_the_person(rendered: dict[str, bytes]) -> None:
    data = rendered[f"{PLAN}.raj.digest.eml"]
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    message = message_from_bytes(data, policy=default)
    assert message["To"].addresses[0].addr_spec == "raj.patel@northwind.example"
    assert message["From"].addresses[0].display_name == "Sam Whitaker"  # the seller's account executive
    assert message["Subject"] == "Acme x Northwind: Mutual Action Plan: 2 actions need your attention"
    assert message["X-Unsent"] == "1"
    assert message["Date"].datetime.date() == date(2027, 1, 12)
    assert re.fullmatch(
        r"<[0-9a-f]{32}\.northwind-acme\.raj\.digest\.r4\.2027-01-12@mapgen\.invalid>", message["Message-ID"]
    )
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert plain == rendered[f"{PLAN}.raj.digest.txt"].decode()
    assert html == rendered[f"{PLAN}.raj.digest.html"].decode()
    assert not message.defects and all(not part.defects for part in message.walk())


def test_bytes_are_deterministic_and_follow_as_of() -> None:
    first = render_sample(PLAN_FILE, ["digest"])
    second = render_sample(PLAN_FILE, ["digest"])
    assert {n: a.data for n, a in first.items()} == {n: a.data for n, a in second.items()}
    options = RenderOptions(digest_days=30)
    wider = render_sample(PLAN_FILE, ["digest"], options=options)
    assert len(wider) >= len(first)


def test_cli_links_each_person_to_their_landing_page(tmp_path: Path) -> None:
    folder = tmp_path / "plans" / PLAN
    folder.mkdir(parents=True)
    (folder / "plan.yaml").write_text(PLAN_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    for logo in (PLAN_FILE.parent / "logos").iterdir():
        (folder / "logos").mkdir(exist_ok=True)
        (folder / "logos" / logo.name).write_bytes(logo.read_bytes())
    missing = run_mapgen("render", str(folder / "plan.yaml"), "-f", "digest", "-o", str(tmp_path / "out"),
                         "--base-url", "https://plans.example.com")  # fmt: skip
    assert missing.returncode == 2 and "--secret-file" in missing.stderr and "Traceback" not in missing.stderr
    assert run_mapgen("feeds", str(tmp_path / "plans")).returncode == 0  # creates plans/.mapgen-secret
    secret = read_secret(tmp_path / "plans" / ".mapgen-secret")
    done = run_mapgen("render", str(folder / "plan.yaml"), "-f", "digest", "-o", str(tmp_path / "out"),
                      "--base-url", "https://plans.example.com/", "--digest-days", "14")  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / f"{PLAN}.jane.digest.txt").read_text(encoding="utf-8")
    assert f"https://plans.example.com/p/{make_token(secret, PLAN, feed_scope('jane'))}/" in text
    assert f"https://plans.example.com/p/{make_token(secret, PLAN)}/" in text
    assert "Due within 14 days" in (tmp_path / "out" / f"{PLAN}.jane.digest.html").read_text(encoding="utf-8")


def test_text_parts_share_one_public_tidy_helper() -> None:
    """Email and digest text parts go through `presentation.tidy_text`; no renderer borrows a private
    name from another module (the digest once imported email's `_tidy_text`)."""
    import ast

    from mapgen.presentation import tidy_text

    assert tidy_text("\n\nHello  \n\n\n\nWorld\t\n\n") == "Hello\n\nWorld\n"
    for module in sorted((ROOT / "mapgen" / "renderers").glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mapgen"):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.endswith("__")]
                assert not private, f"{module.name} imports {private} from {node.module}"
