"""`csv` and `xlsx` formats: readable, deterministic spreadsheets of the actions that `mapgen import`
reads back to the same actions, owners, dates, statuses, dependencies, milestones and visibility."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mapgen.audience import Audience
from mapgen.load import load_plan
from mapgen.sheets.options import ImportOptions, import_sheet
from mapgen.spec import Visibility
from mapgen.view import build_view
from tests.conftest import DISTINCT_ENVIRONMENTS, SAMPLE_IDS, SAMPLES, render_sample

ENTERPRISE = next(p for p in SAMPLES if p.parent.name == "northwind-acme")


def _signature(plan, audience: Audience):  # type: ignore[no-untyped-def]
    """What a spreadsheet carries, per action and per owner, for comparing two plans (a Markdown
    block's trailing newline is not content)."""
    view = build_view(plan, audience)
    actions = [
        (a.id, a.title, a.phase_name, a.owner_id, a.owner_name, a.side, a.due, a.status, a.completed, a.depends_on,
         a.milestone, a.visibility, (a.outcome or "").strip(), (a.notes or "").strip(),
         tuple(c.id for c in a.contributors))
        for a in view.actions
    ]  # fmt: skip
    owners = {a.owner_id for a in view.actions}
    people = sorted(
        (s.id, s.name, s.side, s.role, s.email, s.title) for s in view.stakeholders if s.id in owners
    )
    return actions, people


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("audience", [Audience.BUYER, Audience.INTERNAL])
@pytest.mark.parametrize("sample", SAMPLES, ids=SAMPLE_IDS)
def test_export_imports_back_to_the_same_plan(
    sample: Path, audience: Audience, fmt: str, tmp_path: Path
) -> None:
    original = load_plan(sample).plan
    artifact = render_sample(sample, [fmt], audience=audience)[f"{original.id}.{fmt}"]
    sheet = tmp_path / f"export.{fmt}"
    sheet.write_bytes(artifact.data)
    result = import_sheet(
        sheet,
        ImportOptions(today=original.updated, assignments=(f"timezone={original.timezone}",)),
    )
    out = tmp_path / "plan.yaml"
    out.write_text(result.text, encoding="utf-8")
    imported = load_plan(out).plan
    assert _signature(imported, Audience.INTERNAL) == _signature(original, audience)


def test_buyer_export_leaves_out_internal_actions() -> None:
    plan = load_plan(ENTERPRISE).plan
    internal = {a.id for _, a in plan.actions() if a.visibility is Visibility.INTERNAL}
    assert internal, "the sample must have internal actions for this test to mean something"
    artifacts = render_sample(ENTERPRISE, ["csv", "xlsx"])
    text = artifacts["northwind-acme.csv"].data.decode("utf-8-sig")
    ids = {row["ID"] for row in csv.DictReader(io.StringIO(text))}
    assert ids and not ids & internal
    assert all(row["Client-Facing"] == "Y" for row in csv.DictReader(io.StringIO(text)))
    book = load_workbook(io.BytesIO(artifacts["northwind-acme.xlsx"].data))
    assert not {row[1] for row in book.active.iter_rows(min_row=2, values_only=True)} & internal
    for term in internal:
        assert term.encode() not in artifacts["northwind-acme.csv"].data


def test_xlsx_as_a_reader_opens_it() -> None:
    """Action title first and frozen with the header row only; labelled status columns; colours
    as conditional formats; printable; the internal ids last and hidden."""
    data = render_sample(ENTERPRISE, ["xlsx"], audience=Audience.INTERNAL)["northwind-acme.xlsx"].data
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Action", "#", "Phase"]
    assert sheet.freeze_panes == "B2", "only the header row and the action title stay put"
    assert header[-3:] == ["ID", "Owner ID", "Contributor IDs"]
    assert [sheet.column_dimensions[c].hidden for c in ("S", "T", "U")] == [True, True, True]
    assert not any(sheet.column_dimensions[c].hidden for c in "ABCDEFGHIJKLMNOPQR")
    assert "Status (set by the owner)" in header
    assert "Tracking (computed as of Jan 12, 2027)" in header
    assert sheet.auto_filter.ref == f"A1:U{sheet.max_row}"
    due = header.index("Due") + 1
    assert isinstance(sheet.cell(row=2, column=due).value, datetime)
    assert sheet.cell(row=2, column=due).number_format == "yyyy-mm-dd"
    tracking = header.index("Tracking (computed as of Jan 12, 2027)") + 1
    assert all(sheet.cell(row=r, column=tracking).fill.fill_type is None for r in range(2, sheet.max_row + 1))
    rules = {
        (str(cf.sqref), rule.formula[0]): rule.dxf.fill.fgColor.rgb
        for cf in sheet.conditional_formatting
        for rule in cf.rules
    }
    column = sheet.cell(row=1, column=tracking).column_letter
    assert rules[(f"{column}2:{column}{sheet.max_row}", '"Done"')].endswith("1A7F37")
    assert rules[(f"{column}2:{column}{sheet.max_row}", '"Blocked"')].endswith("6E40C9")
    status = sheet.cell(row=1, column=header.index("Status (set by the owner)") + 1).column_letter
    assert rules[(f"{status}2:{status}{sheet.max_row}", '"Done"')].endswith("1A7F37")
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width
    props = book.properties
    assert props.created == datetime(2027, 1, 12) and props.modified == datetime(2027, 1, 12)


@pytest.mark.parametrize(
    ("locale", "headers", "title"),
    [
        ("de-DE", ["Maßnahme", "#", "Phase", "Verantwortlich"], "Maßnahmen"),
        ("ja-JP", ["アクション", "#", "フェーズ", "担当者"], "アクション"),
    ],
)
def test_xlsx_speaks_the_plans_language_and_imports_back(
    locale: str, headers: list[str], title: str, tmp_path: Path
) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    for item in ENTERPRISE.parent.rglob("*"):
        if item.is_file():
            target = folder / item.relative_to(ENTERPRISE.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    plan = folder / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("locale: en-US", f"locale: {locale}"), encoding="utf-8"
    )
    original = load_plan(plan).plan
    data = render_sample(plan, ["xlsx"])[f"{original.id}.xlsx"].data
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == title
    assert [c.value for c in sheet[1]][:4] == headers
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    result = import_sheet(
        path, ImportOptions(today=original.updated, assignments=(f"timezone={original.timezone}",))
    )
    out = tmp_path / "back.yaml"
    out.write_text(result.text, encoding="utf-8")
    assert _signature(load_plan(out).plan, Audience.INTERNAL) == _signature(original, Audience.BUYER)


def test_xlsx_is_byte_identical_across_processes(tmp_path: Path) -> None:
    outputs = []
    for n, env in enumerate(DISTINCT_ENVIRONMENTS):
        out = tmp_path / str(n)
        done = subprocess.run(
            [sys.executable, "-m", "mapgen", "render", str(ENTERPRISE), "-f", "csv,xlsx", "-o", str(out), "-q"],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outputs[0] == outputs[1]


def test_formulas_are_never_run(tmp_path: Path) -> None:
    plan = (Path(__file__).parent.parent / "samples" / "minimal" / "plan.yaml").read_text(encoding="utf-8")
    first = next(
        line for line in plan.splitlines() if line.strip().startswith("title:") and line.startswith(" ")
    )
    evil = plan.replace(
        first, first.split("title:")[0] + 'title: "=HYPERLINK(\\"https://evil.example\\")"', 1
    )
    path = tmp_path / "plan.yaml"
    path.write_text(evil, encoding="utf-8")
    artifacts = render_sample(path, ["csv", "xlsx"])
    text = next(a for n, a in artifacts.items() if n.endswith(".csv")).data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    book = load_workbook(io.BytesIO(next(a for n, a in artifacts.items() if n.endswith(".xlsx")).data))
    cell = next(c for row in book.active.iter_rows() for c in row if str(c.value).startswith("'=HYPERLINK"))
    assert cell.data_type == "s" and cell.quotePrefix
    sheet = tmp_path / "x.csv"
    sheet.write_text(text, encoding="utf-8")
    result = import_sheet(sheet, ImportOptions(today=date(2027, 1, 12)))
    assert "title: =HYPERLINK" in result.text or "title: '=HYPERLINK" in result.text


def test_csv_snapshot(snapshot_text) -> None:  # type: ignore[no-untyped-def]
    data = render_sample(ENTERPRISE, ["csv"])["northwind-acme.csv"].data
    assert data.decode("utf-8-sig").replace("\r\n", "\n") == snapshot_text("csv")
