"""The plan's record of signatures: validation, the view, the fingerprint, and the sentences the
sign-off page and the HTML page show."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from mapgen.errors import InvalidInput
from mapgen.i18n import localizer
from mapgen.load import load_plan
from mapgen.presentation import Changes
from mapgen.signoff_record import record_text
from mapgen.view import build_view
from tests.conftest import ROOT

MINIMAL = (ROOT / "samples" / "minimal" / "plan.yaml").read_text(encoding="utf-8")


def plan_text(revision: int = 4, record: str = "", locale: str = "en-US") -> str:
    text = MINIMAL.replace(
        "revision: 1", f"revision: {revision}\nlocale: {locale}\ntimezone: America/New_York"
    )
    return text.replace("stakeholders:\n", f"signoff: [jane, sam]\n{record}stakeholders:\n", 1)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


RECORD = """signatures:
  - who: sam
    when: 2027-01-05
    revision: 3
  - who: jane
    when: 2027-01-08T14:30:00Z
    revision: 3
  - who: jane
    when: 2027-01-13 09:15
    revision: 4
"""


def test_record_for_a_non_signatory_or_a_future_revision_is_refused_with_path_and_line(
    tmp_path: Path,
) -> None:
    record = "signatures:\n  - who: raj\n    when: 2027-01-05\n    revision: 2\n  - who: jane\n    when: 2027-01-05\n    revision: 5\n"
    with pytest.raises(InvalidInput) as caught:
        load_plan(write(tmp_path, plan_text(4, record)))
    lines = [str(p) for p in caught.value.problems]
    assert any(
        ":23: signatures[0].who: 'raj' is not a signatory (signoff: jane, sam)" in line for line in lines
    )
    assert any(
        ":28: signatures[1].revision: revision 5 is after this plan's revision 4" in line for line in lines
    )


def test_record_refuses_relative_dates(tmp_path: Path) -> None:
    record = "signatures:\n  - who: jane\n    when: start + 2d\n    revision: 1\n"
    with pytest.raises(InvalidInput) as caught:
        load_plan(write(tmp_path, plan_text(4, record)))
    assert "signatures[0].when: expected a date" in str(caught.value.problems[0])


def test_recording_signatures_keeps_the_fingerprint(tmp_path: Path) -> None:
    plain = build_view(load_plan(write(tmp_path, plan_text())).plan)
    recorded = build_view(load_plan(write(tmp_path, plan_text(record=RECORD))).plan)
    assert plain.fingerprint == recorded.fingerprint


def test_view_orders_the_record_and_names_the_superseded_revision(tmp_path: Path) -> None:
    view = build_view(load_plan(write(tmp_path, plan_text(record=RECORD))).plan)
    record = view.signoff_record
    assert [(s.signatory.id, s.revision, s.current) for s in record.signatures] == [
        ("jane", 4, True),
        ("sam", 3, False),
        ("jane", 3, False),
    ]
    assert record.superseded_revision == 3
    assert [p.id for p in record.superseded_signers] == ["sam", "jane"]
    when = record.signatures[0].when
    assert isinstance(when, datetime) and str(when.tzinfo) == "America/New_York" and when.hour == 9
    assert record.signatures[1].when == date(2027, 1, 5)


def test_sentences_in_english_and_german_with_changes_since_the_signed_revision(tmp_path: Path) -> None:
    view = build_view(load_plan(write(tmp_path, plan_text(record=RECORD))).plan)
    changes = Changes(3, ("Target close is now 7 days later.",))
    text = record_text(view, localizer("en-US", "America/New_York"), changes)
    assert text is not None
    assert text.signed[0] == "Jane Doe signed revision 4 on Jan 13, 2027, 9:15\u202fAM."
    assert text.signed[2] == "Jane Doe signed revision 3 on Jan 8, 2027, 9:30\u202fAM."
    assert text.superseded == (
        "This revision supersedes revision 3, signed by Sam Whitaker and Jane Doe; "
        "those signatures apply to revision 3 only."
    )
    assert text.changes_heading == "Changed since revision 3:" and text.changes == changes.summaries
    other = record_text(view, localizer("en-US", "America/New_York"), Changes(2, ("x",)))
    assert other is not None and other.changes == () and other.changes_heading is None
    german = record_text(view, localizer("de-DE", "America/New_York"), None)
    assert (
        german is not None and german.signed[1] == "Sam Whitaker hat Revision 3 am 05.01.2027 unterschrieben."
    )


def test_no_record_no_sentences(tmp_path: Path) -> None:
    view = build_view(load_plan(write(tmp_path, plan_text())).plan)
    assert record_text(view, localizer("en-US", "UTC"), None) is None


def test_pdf_and_html_show_the_record_and_what_the_new_revision_supersedes(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from mapgen.cli import main

    old = tmp_path / "old"
    old.mkdir()
    write(old, plan_text(3).replace("due: 2027-01-22", "due: 2027-01-20"))
    write(tmp_path, plan_text(4, RECORD))
    args = ["render", str(tmp_path / "plan.yaml"), "-f", "pdf,html", "--since", str(old / "plan.yaml")]
    with pytest.raises(SystemExit) as done:
        main([*args, "-o", str(tmp_path / "out"), "-q"])
    assert done.value.code == 0
    html = (tmp_path / "out" / "minimal.html").read_text(encoding="utf-8")
    pdf = " ".join(page.extract_text() for page in PdfReader(tmp_path / "out" / "minimal.pdf").pages)
    pdf = " ".join(pdf.split())
    for text in (html, pdf):
        assert "Signatures recorded" in text
        assert "Sam Whitaker signed revision 3 on Jan 5, 2027." in text
        assert "This revision supersedes revision 3, signed by Sam Whitaker and Jane Doe" in text
        assert "Changed since revision 3:" in text
        assert "moved 2 days later" in text
