"""`ics` format: snapshots of every feed kind, UID stability across revisions, two independent
parsers, all-day and timed events, audience filtering, determinism and a light import."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import vobject
from babel.dates import format_date
from icalendar import Calendar

from mapgen import i18n
from mapgen.audience import Audience
from mapgen.errors import InvalidInput, UsageError
from mapgen.i18n import STATE_LABELS
from mapgen.load import LoadedPlan, load_plan
from mapgen.pipeline import RenderRequest, render_plan
from mapgen.renderers.base import Artifact, RenderOptions
from mapgen.renderers.ics import build_calendar, build_feed
from mapgen.spec import Visibility
from mapgen.view import State, build_view
from tests.conftest import DISTINCT_ENVIRONMENTS, ROOT, SAMPLE_IDS, SAMPLES, render_sample

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
FEED_KINDS = ["plan", "buyer", "seller", "stakeholder"]


@cache
def feeds(plan: Path, audience: Audience = Audience.BUYER, link: str | None = None) -> dict[str, Artifact]:
    return render_sample(plan, ["ics"], audience=audience, options=RenderOptions(link=link))


def feed_name(plan: Path, kind: str) -> str:
    loaded = load_plan(plan)
    plan_id = loaded.plan.id
    if kind == "plan":
        return f"{plan_id}.ics"
    if kind == "stakeholder":
        return f"{plan_id}.{loaded.plan.stakeholders[0].id}.ics"
    return f"{plan_id}.{kind}.ics"


def readable(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n")


def events(data: bytes) -> list[Any]:
    return Calendar.from_ical(data).walk("VEVENT")


def uids(data: bytes) -> set[str]:
    return {str(e["UID"]) for e in events(data)}


def write_plan(folder: Path, name: str, text: str) -> LoadedPlan:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_plan(path)


def render_loaded(
    loaded: LoadedPlan, feed: str = "all", audience: Audience = Audience.BUYER
) -> dict[str, bytes]:
    request = RenderRequest(formats=["ics"], audience=audience, options=RenderOptions(feed=feed))
    return {a.name: a.data for a in render_plan(loaded, request)}


# ---------------------------------------------------------------------------- snapshots


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
@pytest.mark.parametrize("kind", FEED_KINDS)
def test_ics_snapshot(plan: Path, kind: str, snapshot_text) -> None:
    artifact = feeds(plan)[feed_name(plan, kind)]
    assert artifact.media_type == "text/calendar; charset=utf-8"
    assert readable(artifact.data) == snapshot_text("ics")


def test_internal_plan_feed_snapshot(snapshot_text) -> None:
    artifact = feeds(ENTERPRISE, Audience.INTERNAL)["northwind-acme.ics"]
    assert readable(artifact.data) == snapshot_text("ics")


def test_feed_all_writes_plan_sides_and_every_stakeholder() -> None:
    plan = load_plan(ENTERPRISE).plan
    names = list(feeds(ENTERPRISE))
    expected = ["plan", "buyer", "seller", *(s.id for s in plan.stakeholders)]
    assert names == [f"northwind-acme.{k}.ics".replace(".plan", "") for k in expected]


# ---------------------------------------------------------------------------- correctness


def all_feeds() -> list[tuple[str, bytes]]:
    found = []
    for plan in SAMPLES:
        for audience in Audience:
            found += [(f"{audience.value}/{name}", a.data) for name, a in feeds(plan, audience).items()]
    return found


@pytest.mark.parametrize(("name", "data"), all_feeds(), ids=[n for n, _ in all_feeds()])
def test_parses_without_errors_in_icalendar_and_vobject(name: str, data: bytes) -> None:
    calendar = Calendar.from_ical(data)
    assert [(c.name, e) for c in calendar.walk() for e in c.errors] == []
    parsed = vobject.readOne(data.decode("utf-8"), validate=True)
    assert len(parsed.contents.get("vevent", [])) == len(calendar.walk("VEVENT"))
    assert {e.uid.value for e in parsed.contents.get("vevent", [])} == uids(data)
    # RFC 5545 framing: CRLF line ends, lines folded to 75 octets, no bare LF.
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75


@pytest.mark.parametrize(("name", "data"), all_feeds(), ids=[n for n, _ in all_feeds()])
def test_calendar_properties(name: str, data: bytes) -> None:
    text = readable(data)
    assert "BEGIN:VTODO" not in text and "BEGIN:VALARM" not in text
    assert text.count("\nNAME:") == 1 and text.count("\nX-WR-CALNAME:") == 1
    assert "\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\n" in text
    assert "\nX-PUBLISHED-TTL:PT12H\n" in text
    assert "\nMETHOD:PUBLISH\n" in text
    assert "1970" not in text  # VTIMEZONE data covers the plan's window only


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_events_follow_the_plan(plan: Path) -> None:
    loaded = load_plan(plan)
    view = build_view(loaded.plan)
    stamp = datetime(view.plan.updated.year, view.plan.updated.month, view.plan.updated.day)
    for event in events(feeds(plan)[f"{loaded.plan.id}.ics"].data):
        item, plan_id = str(event["UID"]).removesuffix("@mapgen").split(".")
        action = view.by_id[item]
        assert plan_id == loaded.plan.id
        assert event["SEQUENCE"] == loaded.plan.revision
        assert event["DTSTAMP"].dt.replace(tzinfo=None) == stamp
        assert event["TRANSP"] == "TRANSPARENT"
        assert action.phase_name in [str(c) for c in event["CATEGORIES"].cats]
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        if isinstance(action.due, datetime):
            assert start == action.due and end == start + timedelta(minutes=30)
            if loaded.plan.timezone != "UTC":
                assert event["DTSTART"].params["TZID"] == loaded.plan.timezone
        else:
            assert not isinstance(start, datetime) and event["DTSTART"].params["VALUE"] == "DATE"
            assert end == start + timedelta(days=1)  # exclusive end: the next day
        if loaded.plan.locale.startswith("en"):
            prefix = {
                State.DONE: "✓ Done: ",
                State.OVERDUE: "Overdue: ",
                State.STALLED: "Stalled: ",
                State.BLOCKED: "Blocked: ",
            }.get(action.state, "")
            assert str(event["SUMMARY"]) == f"{prefix}{'◆ ' * action.milestone}{action.title}"
            status = str(event["DESCRIPTION"]).splitlines()[1]
            if action.state is State.DONE and action.completed:
                assert status.endswith(": Done " + format_date(action.completed, "medium", locale="en_US"))
            else:
                assert f": {STATE_LABELS[action.state]}" in status
            assert f"Owner: {action.owner_name}, " in str(event["DESCRIPTION"])


def test_status_words_come_from_the_view() -> None:
    """Rendered as of another day, the same action changes its words, not its UID."""
    loaded = load_plan(ENTERPRISE)
    before = {str(e["UID"]): str(e["SUMMARY"]) for e in events(render_loaded(loaded)["northwind-acme.ics"])}
    request = RenderRequest(formats=["ics"], as_of=date(2027, 3, 1), options=RenderOptions(feed="plan"))
    (later,) = render_plan(loaded, request)
    after = {str(e["UID"]): str(e["SUMMARY"]) for e in events(later.data)}
    view = build_view(loaded.plan, as_of=date(2027, 3, 1))
    assert before.keys() == after.keys()
    stalled = [a for a in view.actions if a.state is State.STALLED and a.due]
    assert stalled
    for action in stalled:
        assert (
            after[f"{action.id}.northwind-acme@mapgen"] == f"Stalled: {'◆ ' * action.milestone}{action.title}"
        )
    blocked = next(a for a in view.actions if a.state is State.BLOCKED)
    assert after[f"{blocked.id}.northwind-acme@mapgen"].startswith("Blocked: ")


def test_timed_events_use_the_plan_zone_with_window_only_vtimezone() -> None:
    data = feeds(ENTERPRISE)["northwind-acme.ics"].data
    calendar = Calendar.from_ical(data)
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "America/New_York"
    assert "DTSTART;TZID=America/New_York:20270119T140000" in readable(data)
    assert "DTEND;TZID=America/New_York:20270119T143000" in readable(data)
    transitions = sorted(c["DTSTART"].dt for c in zone.walk() if c.name in ("STANDARD", "DAYLIGHT"))
    assert transitions[0].year == 2026 and transitions[-1].year == 2027
    assert len(data) < 60_000
    # Exactly the feeds with timed events carry the zone.
    for name, artifact in feeds(ENTERPRISE).items():
        parsed = Calendar.from_ical(artifact.data)
        timed = any(isinstance(e["DTSTART"].dt, datetime) for e in parsed.walk("VEVENT"))
        assert len(parsed.walk("VTIMEZONE")) == int(timed), name


def test_description_and_link() -> None:
    link = "https://plans.example.com/p/token/northwind-acme.html"
    data = feeds(ENTERPRISE, Audience.BUYER, link)["northwind-acme.ics"].data
    event = next(e for e in events(data) if str(e["UID"]) == "poc-review.northwind-acme@mapgen")
    description = str(event["DESCRIPTION"])
    assert description.splitlines() == [
        "Owner: Jane Doe, Acme Corp (VP Operations) <jane@acme.example>",
        "Status as of Jan 12, 2027: Due soon · Due in 7 days",
        "Phase: Technical evaluation",
        "Due: Jan 19, 2027, 2:00\u202fPM EST (America/New_York)",
        "Done when: Go or no-go on the technical evaluation",
        "After: Build 3 of the 12 weekly reports in the proof of concept (Overdue); "
        "Test single sign-on with Acme's Okta tenant (Blocked)",
        "Needed for: Technical evaluation passed (On track)",
        "Acme x Northwind: Mutual Action Plan · Revision 4 · Jan 12, 2027",
        f"Open the full plan: {link}",
    ]
    assert str(event["URL"]) == link
    assert "Open the full plan" not in readable(feeds(ENTERPRISE)["northwind-acme.ics"].data)


def test_side_and_stakeholder_feeds_hold_their_actions_and_every_milestone() -> None:
    view = build_view(load_plan(ENTERPRISE).plan)
    milestones = {f"{a.id}.northwind-acme@mapgen" for a in view.actions if a.milestone and a.due}
    all_feeds_ = feeds(ENTERPRISE)
    for key in ("buyer", "seller", *(s.id for s in view.stakeholders)):
        got = uids(all_feeds_[f"northwind-acme.{key}.ics"].data)
        owned = {
            f"{a.id}.northwind-acme@mapgen"
            for a in view.actions
            if a.due and (a.side.value == key if key in ("buyer", "seller") else a.owner_id == key)
        }
        assert got == owned | milestones, key
    plan_uids = uids(all_feeds_["northwind-acme.ics"].data)
    assert plan_uids == {f"{a.id}.northwind-acme@mapgen" for a in view.actions if a.due}


def test_japanese_plan_uses_japanese_words() -> None:
    plan = ROOT / "samples" / "sakura-northwind" / "plan.yaml"
    text = readable(feeds(plan)["sakura-northwind.ics"].data)
    assert "SUMMARY:✓ 完了: " in text
    assert "Owner:" not in text and "DESCRIPTION:担当者: " in text


_GETTEXT = re.compile(r"""gettext\(\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*[,)]""")


@pytest.mark.parametrize("lang", ["en", "de", "ja"])
def test_every_feed_label_is_in_the_catalogs(lang: str) -> None:
    from babel.messages.pofile import read_po

    source = (ROOT / "mapgen" / "renderers" / "ics.py").read_text(encoding="utf-8")
    used = {a or b for a, b in _GETTEXT.findall(source)}
    assert {"Needed for", "Owner", "Every milestone and every dated action."} <= used
    with (i18n.LOCALES_DIR / lang / "LC_MESSAGES" / "mapgen.po").open("rb") as handle:
        translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(handle) if m.id}
    assert sorted(m for m in used if not translated.get(m)) == []


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_shared_events_give_the_same_bytes_as_one_calendar_per_feed(plan: Path) -> None:
    """render_feeds writes each VEVENT once and reuses its bytes; nothing may differ from icalendar."""
    link = "https://plans.example.com/p/t/plan.html"
    for audience in Audience:
        view = build_view(load_plan(plan).plan, audience)
        for name, artifact in feeds(plan, audience, link).items():
            key = name.removesuffix(".ics").removeprefix(view.plan.id).lstrip(".") or "plan"
            assert artifact.data == build_calendar(view, build_feed(view, key), link).to_ical(), name


# ---------------------------------------------------------------------------- revisions and UIDs

REVISION_1 = """\
    mapgen: 1
    id: uid-test
    title: "UIDs, revision 1"
    revision: 1
    updated: 2027-01-10
    seller: {name: Seller Co}
    buyer: {name: Buyer Inc}
    deal: {name: Platform, start: 2027-01-04, target_close: 2027-03-01}
    stakeholders:
      - {id: ann, name: Ann Buyer, side: buyer}
      - {id: sam, name: Sam Seller, side: seller}
    phases:
      - id: evaluate
        name: Evaluation
        actions:
          - {id: demo, title: Demo, owner: sam, due: 2027-01-20}
          - {id: trial, title: Trial, owner: ann, due: 2027-01-27}
          - {id: dropped, title: Dropped step, owner: ann, due: 2027-02-01}
      - id: close
        name: Close
        actions:
          - {id: contract, title: Contract signed, owner: ann, due: 2027-03-01, milestone: true}
    """

REVISION_2 = """\
    mapgen: 1
    id: uid-test
    title: "UIDs, revision 2"
    revision: 2
    updated: 2027-01-24
    seller: {name: Seller Co}
    buyer: {name: Buyer Inc}
    deal: {name: Platform, start: 2027-01-04, target_close: 2027-03-08}
    stakeholders:
      - {id: ann, name: Ann Buyer, side: buyer}
      - {id: sam, name: Sam Seller, side: seller}
    phases:
      - id: evaluate
        name: Evaluation
        actions:
          - {id: demo, title: Tailored demo for the ops team, owner: sam, due: 2027-01-21, status: done,
             completed: 2027-01-21}
      - id: close
        name: Closing
        actions:
          - {id: trial, title: Trial, owner: ann, due: 2027-01-28}
          - {id: contract, title: Contract signed, owner: ann, due: 2027-03-08, milestone: true}
          - {id: security, title: Security review, owner: sam, due: 2027-02-15}
    """


def test_uids_survive_renames_moves_and_deletions(tmp_path: Path) -> None:
    first = render_loaded(write_plan(tmp_path, "rev1.yaml", REVISION_1))
    second = render_loaded(write_plan(tmp_path, "rev2.yaml", REVISION_2))
    assert first.keys() == second.keys()
    for name in first:
        old = {str(e["UID"]): e for e in events(first[name])}
        new = {str(e["UID"]): e for e in events(second[name])}
        # Renamed (demo), moved to another phase (trial) and renamed phase (contract) keep their UID;
        # the deleted action is gone; the new one is new.
        kept = old.keys() - {"dropped.uid-test@mapgen"}
        assert kept <= new.keys(), name
        assert "dropped.uid-test@mapgen" not in new
        for uid in kept:
            assert new[uid]["SEQUENCE"] == 2 and old[uid]["SEQUENCE"] == 1
    plan_old = {str(e["UID"]): e for e in events(first["uid-test.ics"])}
    plan_new = {str(e["UID"]): e for e in events(second["uid-test.ics"])}
    assert set(plan_old) == {f"{i}.uid-test@mapgen" for i in ("demo", "trial", "dropped", "contract")}
    assert set(plan_new) == {f"{i}.uid-test@mapgen" for i in ("demo", "trial", "contract", "security")}
    assert str(plan_old["demo.uid-test@mapgen"]["SUMMARY"]) == "Demo"
    assert str(plan_new["demo.uid-test@mapgen"]["SUMMARY"]) == "✓ Done: Tailored demo for the ops team"
    assert [str(c) for c in plan_new["trial.uid-test@mapgen"]["CATEGORIES"].cats] == ["Closing"]
    assert plan_new["contract.uid-test@mapgen"]["DTSTART"].dt == date(2027, 3, 8)
    assert plan_new["contract.uid-test@mapgen"]["DTSTAMP"].dt.date() == date(2027, 1, 24)


# ---------------------------------------------------------------------------- audiences


def test_internal_actions_are_never_in_buyer_feeds() -> None:
    plan = load_plan(ENTERPRISE).plan
    internal = [a for _, a in plan.actions() if a.visibility is Visibility.INTERNAL]
    assert internal
    for name, artifact in feeds(ENTERPRISE).items():
        text = readable(artifact.data)
        for action in internal:
            assert f"{action.id}.northwind-acme@mapgen" not in text, name
            assert action.title not in text, name
        assert "Internal" not in text and "forecast" not in text.lower()
        if plan.internal and plan.internal.notes:
            assert plan.internal.notes.splitlines()[0][:30] not in text
    seen = readable(feeds(ENTERPRISE, Audience.INTERNAL)["northwind-acme.ics"].data)
    for action in internal:
        if action.due:
            assert f"{action.id}.northwind-acme@mapgen" in seen


# ---------------------------------------------------------------------------- feeds and edge cases


def test_feed_option_selects_one_feed() -> None:
    loaded = load_plan(ENTERPRISE)
    assert list(render_loaded(loaded, "buyer")) == ["northwind-acme.buyer.ics"]
    assert list(render_loaded(loaded, "jane")) == ["northwind-acme.jane.ics"]
    assert list(render_loaded(loaded, "plan")) == ["northwind-acme.ics"]


def test_unknown_stakeholder_is_a_usage_error_naming_the_ids() -> None:
    with pytest.raises(UsageError) as caught:
        render_loaded(load_plan(ENTERPRISE), "jnae")
    message = str(caught.value)
    assert "'jnae'" in message and "did you mean 'jane'" in message
    for stakeholder in load_plan(ENTERPRISE).plan.stakeholders:
        assert stakeholder.id in message


def test_cli_unknown_feed_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mapgen",
            "render",
            str(ENTERPRISE),
            "-f",
            "ics",
            "--feed",
            "nobody",
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "unknown stakeholder 'nobody'" in result.stderr and "jane" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_reserved_stakeholder_id_is_reported(tmp_path: Path) -> None:
    loaded = write_plan(
        tmp_path,
        "plan.yaml",
        REVISION_1.replace("{id: ann,", "{id: buyer,").replace("owner: ann", "owner: buyer"),
    )
    with pytest.raises(InvalidInput) as caught:
        render_loaded(loaded)
    assert "reserved" in str(caught.value)


def test_plan_without_dated_items_is_a_valid_feed(tmp_path: Path) -> None:
    loaded = write_plan(
        tmp_path,
        "empty.yaml",
        """\
        mapgen: 1
        id: nothing-dated
        title: Nothing dated yet
        revision: 1
        updated: 2027-01-10
        timezone: Europe/Berlin
        seller: {name: Seller Co}
        buyer: {name: Buyer Inc}
        deal: {name: Platform, start: 2027-01-04, target_close: 2027-03-01}
        stakeholders:
          - {id: ann, name: Ann Buyer, side: buyer}
        phases:
          - id: evaluate
            name: Evaluation
            actions:
              - {id: demo, title: Demo, owner: ann}
        """,
    )
    for name, data in render_loaded(loaded).items():
        calendar = Calendar.from_ical(data)
        assert calendar.walk("VEVENT") == []
        assert [e for c in calendar.walk() for e in c.errors] == []
        calendar.validate()  # PRODID, VERSION and at least one component (the zone)
        assert [z["TZID"] for z in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"], name
        vobject.readOne(data.decode(), validate=True)


def test_utc_plan_writes_utc_times_without_vtimezone(tmp_path: Path) -> None:
    text = REVISION_1.replace("due: 2027-01-20}", 'due: "2027-01-20 15:30"}')
    data = render_loaded(write_plan(tmp_path, "utc.yaml", text))["uid-test.ics"]
    assert b"DTSTART:20270120T153000Z" in data and b"DTEND:20270120T160000Z" in data
    assert b"VTIMEZONE" not in data


def test_text_is_escaped_and_control_characters_are_gone(tmp_path: Path) -> None:
    text = REVISION_1.replace(
        'title: "UIDs, revision 1"', 'title: "Acme, Inc.; Plan \\\\ \\u0007bell"'
    ).replace("title: Demo,", 'title: "Demo, \\u0001with; \\"quotes\\"",')
    data = render_loaded(write_plan(tmp_path, "escape.yaml", text))["uid-test.ics"]
    assert b"\x07" not in data and b"\x01" not in data
    parsed = vobject.readOne(data.decode(), validate=True)
    assert parsed.contents["name"][0].value == "Acme, Inc.; Plan \\ bell"
    assert parsed.contents["x-wr-calname"][0].value == "Acme, Inc.; Plan \\ bell"
    summaries = [e.summary.value for e in parsed.contents["vevent"]]
    assert 'Demo, with; "quotes"' in summaries


# ---------------------------------------------------------------------------- processes


def test_byte_identical_across_processes(tmp_path: Path) -> None:
    outputs = []
    for n, env in enumerate(DISTINCT_ENVIRONMENTS):
        out = tmp_path / str(n)
        for audience in ("buyer", "internal"):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "mapgen",
                    "render",
                    *map(str, SAMPLES),
                    "-f",
                    "ics",
                    "--audience",
                    audience,
                    "-o",
                    str(out / audience),
                    "-q",
                ],
                check=True,
                env=env,
            )
        outputs.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.ics"))})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 2 * len(SAMPLES)


def test_render_ics_imports_no_pdf_or_docx_library(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from mapgen.cli import main
        try:
            main(["render", {str(ENTERPRISE)!r}, "-f", "ics", "-o", {str(tmp_path)!r}, "-q"])
        except SystemExit as exc:
            assert exc.code == 0, exc.code
        heavy = [m for m in ("weasyprint", "docx", "starlette", "uvicorn", "pyhanko") if m in sys.modules]
        print(",".join(heavy) or "none")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "none"
    assert (tmp_path / "northwind-acme.ics").is_file()


def test_german_plan_uses_the_german_catalog(tmp_path: Path) -> None:
    text = REVISION_2.replace("updated: 2027-01-24", "updated: 2027-01-24\n    locale: de-DE")
    data = render_loaded(write_plan(tmp_path, "de.yaml", text))["uid-test.ics"]
    plan_feed = readable(data).replace("\n ", "")
    assert "SUMMARY:✓ Erledigt: Tailored demo for the ops team" in plan_feed
    assert "Verantwortlich: Sam Seller" in plan_feed and "Stand 24.01.2027" in plan_feed
    assert "Alle Meilensteine und alle terminierten Maßnahmen." in plan_feed
