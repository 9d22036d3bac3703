"""`mapgen diff` and `render --since`: what changed between two revisions, most important first,
with nothing internal in what the buyer sees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mapgen.audience import Audience
from mapgen.diff import Kind, as_json, as_markdown, as_text, changes_since, compare
from mapgen.errors import UsageError
from mapgen.load import load_plan
from tests.conftest import SAMPLES_DIR

REV4 = SAMPLES_DIR / "northwind-acme" / "plan.yaml"
REV5 = Path(__file__).parent / "fixtures" / "northwind-acme-rev5" / "plan.yaml"
INTERNAL_WORDS = (
    "Deal desk",
    "discount",
    "Competitive review",
    "Forecast",
    "probability",
    "competitor-review",
)


@pytest.fixture(scope="module")
def plans():  # type: ignore[no-untyped-def]
    return load_plan(REV4).plan, load_plan(REV5).plan


def _by_kind(changes) -> dict[Kind, list[str]]:  # type: ignore[no-untyped-def]
    found: dict[Kind, list[str]] = {}
    for change in changes.changes:
        found.setdefault(change.kind, []).append(change.summary)
    return found


def test_every_kind_of_change_is_found(plans) -> None:  # type: ignore[no-untyped-def]
    changes = compare(*plans, Audience.BUYER)
    kinds = _by_kind(changes)
    assert kinds[Kind.DEAL_DATE] == ["Target close moved 7 days later, from Mar 5, 2027 to Mar 12, 2027."]
    assert (
        'Milestone "Contract signed" moved 7 days later, from Mar 5, 2027 to Mar 12, 2027.'
        in kinds[Kind.MILESTONE_MOVED]
    )
    assert kinds[Kind.REMOVED] == [
        'Action "Countersignature and welcome pack" was removed from Procurement & close.'
    ]
    assert kinds[Kind.ADDED] == [
        'New action "Pricing workshop with Acme procurement" in Business case and approval, owned by '
        "Kevin O'Brien, due Feb 2, 2027."
    ]
    assert kinds[Kind.REASSIGNED] == [
        '"Reference call with a Northwind retail customer" reassigned from Sam Whitaker to Chloe Martin.'
    ]
    assert (
        '"Reference call with a Northwind retail customer" moved 18 days later, from Jan 11, 2027 to Jan 29, 2027.'
        in kinds[Kind.RESCHEDULED]
    )
    assert (
        '"Build 3 of the 12 weekly reports in the proof of concept" was completed on Jan 20, 2027, '
        "12 days after its due date." in kinds[Kind.COMPLETED]
    )
    assert kinds[Kind.RENAMED] == [
        '"Business case for the CFO" renamed to "Business case for the CFO and the COO".'
    ]
    assert kinds[Kind.METRIC] == [
        '"Time to produce the weekly operations pack": actual now 2.5 hours (was 3.5 hours); target 2 hours.'
    ]
    assert (
        'Milestone "Technical evaluation passed" is now in progress (was not started).' in kinds[Kind.STATUS]
    )
    move = next(c for c in changes.changes if c.subject == "tech-win" and c.kind is Kind.MILESTONE_MOVED)
    assert (move.days, move.before, move.after, move.milestone) == (5, "2027-01-22", "2027-01-27", True)


def test_ordered_by_importance(plans) -> None:  # type: ignore[no-untyped-def]
    kinds = [c.kind for c in compare(*plans, Audience.BUYER).changes]
    assert kinds[0] is Kind.DEAL_DATE
    assert kinds.index(Kind.MILESTONE_MOVED) < kinds.index(Kind.RESCHEDULED) < kinds.index(Kind.COMPLETED)
    assert kinds.index(Kind.REMOVED) < kinds.index(Kind.ADDED) < kinds.index(Kind.METRIC)
    assert kinds == sorted(kinds, key=list(Kind).index)
    slips = [c.days for c in compare(*plans, Audience.BUYER).changes if c.kind is Kind.RESCHEDULED]
    assert slips == sorted(slips, reverse=True), "the biggest slip first"


def test_buyer_never_sees_internal_changes(plans) -> None:  # type: ignore[no-untyped-def]
    buyer = compare(*plans, Audience.BUYER)
    assert all(c.shared for c in buyer.changes)
    for output in (as_text(buyer), as_markdown(buyer), as_json(buyer)):
        for word in INTERNAL_WORDS:
            assert word not in output
    internal = compare(*plans, Audience.INTERNAL)
    hidden = [c for c in internal.changes if not c.shared]
    assert {c.subject for c in hidden} == {
        "discount-approval",
        "competitor-review",
        "forecast_category",
        "probability",
    }
    assert "Forecast category moved from best case to commit. [internal]" in as_text(internal)
    assert len(internal) == len(buyer) + len(hidden)


def test_no_changes(plans) -> None:  # type: ignore[no-untyped-def]
    same = compare(plans[0], plans[0])
    assert not same and ": 0 changes" in as_text(same)


def test_text_snapshot(plans, snapshot_text) -> None:  # type: ignore[no-untyped-def]
    assert as_text(compare(*plans, Audience.BUYER)) == snapshot_text("txt")


def test_internal_text_snapshot(plans, snapshot_text) -> None:  # type: ignore[no-untyped-def]
    assert as_text(compare(*plans, Audience.INTERNAL)) == snapshot_text("txt")


def test_markdown_snapshot(plans, snapshot_text) -> None:  # type: ignore[no-untyped-def]
    assert as_markdown(compare(*plans, Audience.BUYER)) == snapshot_text("md")


def test_json_snapshot(plans, snapshot_text) -> None:  # type: ignore[no-untyped-def]
    text = as_json(compare(*plans, Audience.BUYER))
    document = json.loads(text)
    assert document["from"] == {"revision": 4, "updated": "2027-01-12"} and document["to"]["revision"] == 5
    assert text == snapshot_text("json")


def test_since_checks_the_revisions(plans) -> None:  # type: ignore[no-untyped-def]
    changes = changes_since(REV4, [plans[1]], Audience.BUYER)
    assert changes.since_revision == 4 and changes.headline == "What changed since revision 4"
    with pytest.raises(UsageError, match="later than"):
        changes_since(REV5, [plans[0]], Audience.BUYER)
    with pytest.raises(UsageError, match="one plan at a time"):
        changes_since(REV4, list(plans), Audience.BUYER)


def test_cli(tmp_path: Path) -> None:
    def mapgen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mapgen", *args], capture_output=True, text=True, check=False
        )

    text = mapgen("diff", str(REV4), str(REV5))
    assert text.returncode == 0 and text.stdout.startswith("What changed since revision 4")
    assert "Deal desk" not in text.stdout
    internal = mapgen("diff", str(REV4), str(REV5), "--audience", "internal", "--format", "json")
    assert any(not c["shared"] for c in json.loads(internal.stdout)["changes"])
    missing = mapgen("diff", str(REV4), str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    render = mapgen("render", str(REV5), "-f", "json", "-o", str(tmp_path), "--since", str(REV4), "-q")
    assert render.returncode == 0, render.stderr
    wrong = mapgen("render", str(REV4), "-f", "json", "-o", str(tmp_path), "--since", str(REV5))
    assert wrong.returncode == 2 and "later than" in wrong.stderr


@pytest.mark.parametrize("fmt", ["html", "email"])
def test_since_section_in_documents_lists_only_shared_changes(plans, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from conftest import render_sample

    from mapgen.renderers import format_names
    from mapgen.renderers.base import RenderOptions

    if fmt not in format_names():
        pytest.skip(f"{fmt} format not registered yet")
    changes = changes_since(REV4, [plans[1]], Audience.BUYER)
    artifacts = render_sample(REV5, [fmt], options=RenderOptions(changes=changes))
    text = "\n".join(a.data.decode() for a in artifacts.values() if a.name.endswith((".html", ".txt")))
    assert "since revision 4" in text
    assert "Target close moved 7 days later" in text
    for word in INTERNAL_WORDS:
        assert word not in text


def test_an_action_made_internal_reads_as_removed_for_the_buyer() -> None:
    """Nothing in the buyer's changes says the action still exists, is internal, or by which id."""
    from mapgen.audience import Audience
    from mapgen.diff import as_json, as_text, compare
    from mapgen.load import load_plan
    from mapgen.spec import Visibility
    from tests.conftest import SAMPLES_DIR

    old = load_plan(SAMPLES_DIR / "minimal" / "plan.yaml").plan
    phase = old.phases[0]
    proposal = phase.actions[0].model_copy(update={"id": "secret-prep", "title": "Prepare the proposal"})
    signed = phase.actions[1].model_copy(update={"depends_on": ["secret-prep"]})
    old = old.model_copy(update={"phases": [phase.model_copy(update={"actions": [proposal, signed]})]})
    hidden = proposal.model_copy(update={"visibility": Visibility.INTERNAL})
    new = old.model_copy(
        update={"revision": 2, "phases": [phase.model_copy(update={"actions": [hidden, signed]})]}
    )
    changes = compare(old, new, Audience.BUYER)
    text, document = as_text(changes), as_json(changes)
    assert 'Action "Prepare the proposal" was removed' in text
    assert 'no longer waits for "Prepare the proposal"' in text
    assert "secret-prep" not in text and "internal" not in text.lower()
    assert '"shared": false' not in document


def test_a_due_date_added_removed_or_given_a_time_is_a_change_not_a_crash() -> None:
    """`is now due ... (was ...)`: the case where the day alone cannot say how far it moved."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    old = load_plan(SAMPLES_DIR / "minimal" / "plan.yaml").plan
    phase = old.phases[0]
    proposal = phase.actions[0]
    at_three = datetime.combine(proposal.due, datetime.min.time(), ZoneInfo(old.timezone)).replace(hour=15)
    summaries: list[str] = []
    for due in (None, at_three):
        moved = proposal.model_copy(update={"due": due})
        new = old.model_copy(
            update={
                "revision": 2,
                "phases": [phase.model_copy(update={"actions": [moved, *phase.actions[1:]]})],
            }
        )
        for before, after in (
            (old, new),
            (new.model_copy(update={"revision": 1}), old.model_copy(update={"revision": 2})),
        ):
            [change] = compare(before, after, Audience.BUYER).changes
            assert change.kind is Kind.RESCHEDULED and change.subject == "proposal"
            summaries.append(change.summary)
            due_before, due_after = before.phases[0].actions[0].due, after.phases[0].actions[0].due
            assert (change.before is None, change.after is None) == (due_before is None, due_after is None)
    assert summaries == [
        '"Send the proposal" no longer has a due date (was Jan 22, 2027).',
        '"Send the proposal" is now due Jan 22, 2027 (it had no due date).',
        '"Send the proposal" is now due Jan 22, 2027, 3:00\u202fPM (was Jan 22, 2027).',
        '"Send the proposal" is now due Jan 22, 2027 (was Jan 22, 2027, 3:00\u202fPM).',
    ]
    german = old.model_copy(update={"locale": "de-DE"})
    gone = german.model_copy(
        update={
            "revision": 2,
            "phases": [
                phase.model_copy(
                    update={"actions": [proposal.model_copy(update={"due": None}), *phase.actions[1:]]}
                )
            ],
        }
    )
    [change] = compare(german, gone, Audience.BUYER).changes
    assert "hat kein Fälligkeitsdatum mehr" in change.summary


def test_changes_are_written_in_the_plan_language(plans) -> None:  # type: ignore[no-untyped-def]
    german = [p.model_copy(update={"locale": "de-DE"}) for p in plans]
    changes = compare(*german, Audience.BUYER)
    assert changes.headline == "Was sich seit Revision 4 geändert hat"
    assert "Geplanter Abschluss ist jetzt 7 Tage später: 12.03.2027 statt 05.03.2027." in changes.summaries
    japanese = compare(*[p.model_copy(update={"locale": "ja-JP"}) for p in plans], Audience.BUYER)
    assert japanese.headline == "改訂 4からの変更点"
