"""`contributors`: people from either side who work on an action with its owner, in every format."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, render_sample

from mapgen.audience import Audience
from mapgen.diff import compare
from mapgen.errors import InvalidInput
from mapgen.load import load_plan
from mapgen.view import Share, build_view

PLAN = ROOT / "tests" / "fixtures" / "contributors" / "plan.yaml"
FORMATS = ["html", "email", "docx", "csv", "xlsx", "ics", "json"]


@pytest.fixture(scope="module")
def artifacts() -> dict[str, bytes]:
    return {name: a.data for name, a in render_sample(PLAN, FORMATS).items()}


def _plan_with(tmp_path: Path, contributors: str) -> Path:
    text = PLAN.read_text(encoding="utf-8").replace("contributors: [lee]", f"contributors: {contributors}")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("contributors", "message"),
    [
        ("[leo]", "unknown stakeholder 'leo' (did you mean 'lee'?)"),
        ("[dana]", "'dana' owns the action"),
        ("[lee, lee]", "contributor 'lee' is listed twice"),
    ],
)
def test_contributors_are_checked_with_path_and_line(tmp_path: Path, contributors: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_plan(_plan_with(tmp_path, contributors))
    text = str(caught.value)
    assert "phases[0].actions[0].contributors[" in text
    assert "plan.yaml:28" in text
    assert message in text


def test_view_counts_contributions_apart_from_ownership() -> None:
    view = build_view(load_plan(PLAN).plan)
    people = {s.id: s for s in view.stakeholders}
    assert (people["dana"].owned, people["dana"].contributed) == (1, 1)
    assert (people["lee"].owned, people["lee"].contributed) == (0, 1)
    assert [a.id for a in people["jane"].contributing] == ["pilot"]
    assert [a.id for a in people["jane"].next_actions] == ["contract-signed"]
    assert view.responsibilities[("lee", "evaluate")] == Share(0, 1)
    assert view.responsibilities[("dana", "evaluate")] == Share(1, 1)
    assert ("lee", "close") not in view.responsibilities
    pilot = view.by_id["pilot"]
    assert pilot.owner_id == "sam"
    assert [(c.id, c.side.value) for c in pilot.contributors] == [("jane", "buyer"), ("dana", "buyer")]


def test_every_format_names_contributors_next_to_the_owner(artifacts: dict[str, bytes]) -> None:
    html = artifacts["joint-steps.html"].decode()
    assert "Sam Ortiz</span>" in html
    assert "with Jane Doe (Buyer), Dana White (Buyer)" in html
    assert '+1<span class="visually-hidden"> as contributor</span>' in html  # the matrix, with its legend
    assert "+1<span> as contributor</span>" in html  # the stakeholder list spells it out
    for name in ("joint-steps.email.html", "joint-steps.email.txt"):
        assert "with Jane Doe (Buyer), Dana White (Buyer)" in artifacts[name].decode(), name
    with zipfile.ZipFile(io.BytesIO(artifacts["joint-steps.docx"])) as docx:
        document = docx.read("word/document.xml").decode()
    assert "Dana White with Lee Chen (Seller)" in document
    assert "+N: actions the person works on as a contributor." in document
    assert "+1 as contributor" in document
    rows = list(csv.DictReader(io.StringIO(artifacts["joint-steps.csv"].decode("utf-8-sig"))))
    pilot = next(r for r in rows if r["ID"] == "pilot")
    assert pilot["Contributors"] == "Jane Doe (Buyer); Dana White (Buyer)"
    assert pilot["Contributor IDs"] == "jane, dana"
    plan = json.loads(artifacts["joint-steps.json"])["plan"]
    assert plan["phases"][0]["actions"][1]["contributors"] == ["jane", "dana"]
    assert "contributors" not in plan["phases"][1]["actions"][0]


def test_pdf_names_contributors(render) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    pdf = render(PLAN, ["pdf"])["joint-steps.pdf"].data
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "with Jane Doe (Buyer), Dana" in " ".join(text.split())


def test_a_contributor_s_feed_carries_the_action(artifacts: dict[str, bytes]) -> None:
    lee = artifacts["joint-steps.lee.ics"].decode()
    assert "UID:security-review.joint-steps@mapgen" in lee
    assert "UID:pilot.joint-steps@mapgen" not in lee
    buyer = artifacts["joint-steps.buyer.ics"].decode()
    assert "UID:pilot.joint-steps@mapgen" in buyer
    assert "Contributors: Jane Doe\\, Acme Corp\\; Dana White\\, Acme Corp" in artifacts[
        "joint-steps.ics"
    ].decode().replace("\r\n ", "")


def test_diff_reports_contributors_joining_and_leaving() -> None:
    old = load_plan(PLAN).plan
    phases = list(old.phases)
    pilot = phases[0].actions[1].model_copy(update={"contributors": ["dana", "lee"]})
    phases[0] = phases[0].model_copy(update={"actions": [phases[0].actions[0], pilot]})
    new = old.model_copy(update={"phases": phases})
    changes = compare(old, new, Audience.BUYER)
    summaries = [c.summary for c in changes.changes if c.kind.value == "contributors"]
    assert summaries == ['Contributors on "Run the pilot together": added Lee Chen, removed Jane Doe.']


def test_plans_without_contributors_keep_their_fingerprint() -> None:
    """The field is left out of the normalised plan when empty: signed copies still match."""
    plan = load_plan(ROOT / "samples" / "minimal" / "plan.yaml").plan
    dumped = json.dumps(plan.model_dump(mode="json"))
    assert "contributors" not in dumped
    assert build_view(plan).fingerprint == "646933683d22ee65d57ef0953291007c6e342e36f3677d1365ccf22a0de694e7"


def test_export_neutralises_formulas_after_blanks(artifacts: dict[str, bytes]) -> None:
    rows = list(csv.DictReader(io.StringIO(artifacts["joint-steps.csv"].decode("utf-8-sig"))))
    by_id = {r["ID"]: r for r in rows}
    assert by_id["proposal"]["Action"] == "'=1+2 proposal"
    assert by_id["proposal"]["Outcome"] == "'\u00a0@SUM(A1)"
    assert by_id["pilot"]["Notes"].startswith("'=HYPERLINK")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(artifacts["joint-steps.xlsx"])).active
    headers = [c.value for c in sheet[1]]
    risky = []
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(headers, row, strict=True))
        for name in ("Action", "Outcome", "Notes"):
            cell = cells[name]
            text = str(cell.value or "")
            assert not text.lstrip(" \u00a0").startswith(("=", "@", "+", "-")), (name, text)
            if text.startswith("'"):
                assert cell.data_type == "s" and cell.quotePrefix, (name, text)
                risky.append(text)
    assert sorted(risky) == ["'=1+2 proposal", '\'=HYPERLINK("http://evil.example")', "'\u00a0@SUM(A1)"]
