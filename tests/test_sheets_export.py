"""`csv` and `xlsx` formats: readable, deterministic spreadsheets of the actions that `mapgen import`
reads back to the same actions, owners, dates, statuses, dependencies, milestones and visibility."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mapgen.audience import Audience
from mapgen.i18n import localizer
from mapgen.load import load_plan
from mapgen.sheets.options import ImportOptions, import_sheet
from mapgen.sheets.people import side_of
from mapgen.sheets.vocabulary import parse_flag, parse_role, parse_status
from mapgen.spec import Role, Side, Status, Visibility
from mapgen.view import State, build_view
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


LOCALISED = {
    "en-US": {
        "Status": ["Not Started", "In Progress", "Done", "Blocked"],
        "Side": ["Buyer", "Seller"],
        "Milestone": ["Y", "N"],
    },
    "de-DE": {
        "Status": ["Nicht begonnen", "In Arbeit", "Erledigt", "Blockiert"],
        "Side": ["Käufer", "Anbieter"],
        "Milestone": ["Ja", "Nein"],
    },
    "ja-JP": {
        "Status": ["未着手", "進行中", "完了", "ブロック中"],
        "Side": ["買い手", "売り手"],
        "Milestone": ["はい", "いいえ"],
    },
}
"""The words the xlsx writes in each fixed-list column, in the order of the drop-down."""


@pytest.fixture(scope="module")
def enterprise_in(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Path, bytes]]:
    """The enterprise sample copied with another locale and contributors from both sides on its
    first action, and its internal xlsx (rendered once per locale)."""
    made: dict[str, tuple[Path, bytes]] = {}

    def make(locale: str) -> tuple[Path, bytes]:
        if locale not in made:
            folder = tmp_path_factory.mktemp(locale)
            for item in ENTERPRISE.parent.rglob("*"):
                if item.is_file():
                    target = folder / item.relative_to(ENTERPRISE.parent)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(item.read_bytes())
            plan = folder / "plan.yaml"
            text = plan.read_text(encoding="utf-8").replace("locale: en-US", f"locale: {locale}")
            kickoff = "        owner: sam\n        due: 2026-12-02\n"
            assert kickoff in text
            text = text.replace(kickoff, kickoff + "        contributors: [jane, raj]\n", 1)
            plan.write_text(text, encoding="utf-8")
            data = render_sample(plan, ["xlsx"], audience=Audience.INTERNAL)["northwind-acme.xlsx"].data
            made[locale] = (plan, data)
        return made[locale]

    return make


def _column(sheet, header: str) -> str:  # type: ignore[no-untyped-def]
    """The letter of the column whose header starts with `header`."""
    return next(c.column_letter for c in sheet[1] if str(c.value).startswith(header))


@pytest.mark.parametrize(
    ("locale", "headers", "title"),
    [
        ("de-DE", ["Maßnahme", "#", "Phase", "Verantwortlich"], "Maßnahmen"),
        ("ja-JP", ["アクション", "#", "フェーズ", "担当者"], "アクション"),
    ],
)
def test_xlsx_speaks_the_plans_language(
    locale: str, headers: list[str], title: str, enterprise_in: Callable[[str], tuple[Path, bytes]]
) -> None:
    """Headers, and every word a reader picks from a list (status, side, role, yes/no, tracking),
    in the plan's language: no English left in those columns."""
    plan, data = enterprise_in(locale)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == title
    assert [c.value for c in sheet[1]][:4] == headers
    loc = localizer(locale, "UTC")
    words = LOCALISED[locale]
    english = {w.casefold() for values in LOCALISED["en-US"].values() for w in values}
    view = build_view(load_plan(plan).plan, Audience.INTERNAL)
    columns = {
        h: _column(sheet, loc.gettext(h)) for h in ("Status", "Side", "Role", "Milestone", "Client-Facing")
    }
    cells = {h: [sheet[f"{c}{r}"].value for r in range(2, sheet.max_row + 1)] for h, c in columns.items()}
    assert cells["Status"] == [words["Status"][list(Status).index(a.status)] for a in view.actions]
    assert cells["Side"] == [words["Side"][a.side is Side.SELLER] for a in view.actions]
    assert cells["Milestone"] == [words["Milestone"][not a.milestone] for a in view.actions]
    shared = [words["Milestone"][a.visibility is not Visibility.SHARED] for a in view.actions]
    assert cells["Client-Facing"] == shared and set(shared) == set(words["Milestone"])
    people = {s.id: s for s in view.stakeholders}
    assert cells["Role"] == [loc.role_label(people[a.owner_id].role) for a in view.actions]
    tracking = _column(sheet, loc.gettext("Tracking"))
    assert {sheet[f"{tracking}{r}"].value for r in range(2, sheet.max_row + 1)} <= {
        loc.state_label(s) for s in State
    }
    contributors = " ".join(
        str(sheet[f"{_column(sheet, loc.gettext('Contributors'))}{r}"].value)
        for r in range(2, sheet.max_row + 1)
    )
    assert f"({words['Side'][0]})" in contributors and f"({words['Side'][1]})" in contributors
    assert "(Buyer)" not in contributors and "(Seller)" not in contributors
    for header in ("Status", "Side", "Milestone", "Client-Facing"):
        assert not {str(v).casefold() for v in cells[header]} & english, header


@pytest.mark.parametrize("locale", ["de-DE", "ja-JP"])
def test_xlsx_drop_downs_and_colours_use_the_plans_words(
    locale: str, enterprise_in: Callable[[str], tuple[Path, bytes]]
) -> None:
    """Each fixed-list column offers its words in the plan's language, and the status colours are
    conditional formats on those words, so a German or Japanese edit is still coloured."""
    _, data = enterprise_in(locale)
    sheet = load_workbook(io.BytesIO(data)).active
    loc = localizer(locale, "UTC")
    words = LOCALISED[locale]
    lists = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
        for dv in sheet.data_validations.dataValidation
    }

    def offered(header: str) -> list[str]:
        return lists[_column(sheet, loc.gettext(header))].strip('"').split(",")

    assert offered("Status") == words["Status"]
    assert offered("Side") == words["Side"]
    assert offered("Milestone") == offered("Client-Facing") == words["Milestone"]
    assert offered("Role") == [loc.role_label(r) for r in Role]
    assert all(len(f) <= 255 for f in lists.values()), "Excel refuses longer list formulas"
    rules = {
        (str(cf.sqref).split(":")[0].rstrip("0123456789"), rule.formula[0]): rule.dxf.fill.fgColor.rgb
        for cf in sheet.conditional_formatting
        for rule in cf.rules
    }
    status = _column(sheet, loc.gettext("Status"))
    _, in_progress, done, blocked = words["Status"]
    assert rules[(status, f'"{done}"')].endswith("1A7F37")
    assert rules[(status, f'"{in_progress}"')].endswith("0969DA")
    assert rules[(status, f'"{blocked}"')].endswith("6E40C9")
    assert not any(column == status and f.strip('"') in LOCALISED["en-US"]["Status"] for column, f in rules)
    tracking = _column(sheet, loc.gettext("Tracking"))
    assert rules[(tracking, f'"{loc.state_label(State.OVERDUE)}"')].endswith("CF222E")


@pytest.mark.parametrize("locale", list(LOCALISED))
def test_xlsx_round_trip_through_mapgen_import(
    locale: str, enterprise_in: Callable[[str], tuple[Path, bytes]], tmp_path: Path
) -> None:
    """render xlsx -> `mapgen import` (the command) -> the same actions, with the same statuses,
    sides, milestones, visibility, contributors and owners' roles, in every shipped language."""
    plan, data = enterprise_in(locale)
    original = load_plan(plan).plan
    sheet = tmp_path / "export.xlsx"
    sheet.write_bytes(data)
    out = tmp_path / "back.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "mapgen", "import", str(sheet), "-o", str(out),
         "--set", f"timezone={original.timezone}", "--set", f"updated={original.updated}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    back = load_plan(out).plan
    assert _signature(back, Audience.INTERNAL) == _signature(original, Audience.INTERNAL)
    statuses = [a.status for _, a in back.actions()]
    assert set(statuses) == set(Status), "the sample must use every status for this to mean something"


def test_import_reads_every_languages_words_whatever_the_sheet() -> None:
    """A German word in a Japanese workbook, any case: the catalogs are the vocabulary."""
    for words in LOCALISED.values():
        for status, word in zip(Status, words["Status"], strict=True):
            assert parse_status(word.upper()) is status and parse_status(f" {word.lower()} ") is status
        assert [side_of(w.upper(), {}) for w in words["Side"]] == [Side.BUYER, Side.SELLER]
        assert [parse_flag(w.lower()) for w in words["Milestone"]] == [True, False]
    assert (
        parse_role("BUDGETVERANTWORTUNG") is Role.ECONOMIC_BUYER
        and parse_role("予算決裁者") is Role.ECONOMIC_BUYER
    )


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
