"""`mapgen import` of the header styles published MAP templates use: owners by side, a side column
with people in a contact column, day-first dates, and contributors through a CSV/XLSX round trip."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, render_sample
from openpyxl import Workbook

from mapgen.errors import InvalidInput, UsageError
from mapgen.load import load_plan
from mapgen.sheets.options import ImportOptions, ImportResult, import_sheet
from mapgen.spec import Plan

TODAY = date(2027, 1, 12)
NAMES = ("buyer.name=Acme Corp", "seller.name=Northwind Analytics")
NOT_PEOPLE = {"joint", "client", "provider", "tbd", "both", "us", "customer", "vendor", "unassigned"}


def _run(tmp_path: Path, sheet: Path, **options) -> tuple[Plan, ImportResult]:  # type: ignore[no-untyped-def]
    options.setdefault("assignments", NAMES)
    result = import_sheet(sheet, ImportOptions(today=TODAY, **options))
    out = tmp_path / "plan.yaml"
    out.write_text(result.text, encoding="utf-8")
    return load_plan(out).plan, result


def _csv(tmp_path: Path, text: str, name: str = "sheet.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "sheet.xlsx") -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _sides(plan: Plan) -> dict[str, str]:
    return {s.name: s.side.value for s in plan.stakeholders}


def _who(plan: Plan) -> dict[str, tuple[str, list[str]]]:
    return {a.title: (a.owner, list(a.contributors)) for _, a in plan.actions()}


CUSTOMER_US = (
    "Step,Owner (Customer),Owner (Us),Target Date,Status,Dependencies,Notes\n"
    "Kickoff call,Jane Doe,Sam Ortiz,2027-01-05,Done,,\n"
    "Security review,Dana White,,2027-01-20,In progress,Kickoff call,\n"
    "Send the proposal,,Sam Ortiz,2027-01-25,Not started,,\n"
    "Pilot environment,,Lee Chen,2027-02-01,,Security review,\n"
    "Contract signed,Marcus Webb,Sam Ortiz,2027-03-05,,Send the proposal,\n"
)


def test_owner_columns_named_by_side(tmp_path: Path) -> None:
    plan, result = _run(tmp_path, _csv(tmp_path, CUSTOMER_US))
    assert _sides(plan) == {
        "Jane Doe": "buyer",
        "Sam Ortiz": "seller",
        "Dana White": "buyer",
        "Lee Chen": "seller",
        "Marcus Webb": "buyer",
    }
    who = _who(plan)
    assert who["Kickoff call"] == ("jane-doe", ["sam-ortiz"]), (
        "the first owner column owns, the other contributes"
    )
    assert who["Send the proposal"] == ("sam-ortiz", [])
    assert who["Pilot environment"] == ("lee-chen", [])
    assert who["Contract signed"] == ("marcus-webb", ["sam-ortiz"])
    assert not [str(w) for w in result.warnings if "not imported" in str(w) or "Unassigned" in str(w)]


def test_columns_addresses_one_column_by_its_full_header(tmp_path: Path) -> None:
    sheet = _csv(tmp_path, CUSTOMER_US)
    plan, _ = _run(tmp_path, sheet, columns="Owner (Us)=ignore")
    assert "Jane Doe" in _sides(plan) and "Sam Ortiz" not in _sides(plan)
    assert "Marcus Webb" in _sides(plan) and "Dana White" in _sides(plan)
    flipped, _ = _run(tmp_path, sheet, columns="Owner (Us)=owner:buyer")
    assert _sides(flipped)["Sam Ortiz"] == "buyer" and _sides(flipped)["Jane Doe"] == "buyer"
    with pytest.raises(UsageError, match="does not have"):
        _run(tmp_path, sheet, columns="Owner (Them)=ignore")


def test_side_column_with_people_in_a_contact_column(tmp_path: Path) -> None:
    header = ["#", "Phase", "Action Item", "Owner (Provider/Client/Joint)", "Role/Contact", "Target Date",
              "Completed Date", "Status", "Depends On", "Success Criteria/Notes", "Client-Facing (Y/N)"]  # fmt: skip
    rows = [
        [1, "Discovery", "Kickoff workshop", "Joint", "Sam Ortiz (AE) / Dana White (Director IT)",
         date(2027, 1, 5), date(2027, 1, 5), "Complete", None, "Agenda agreed", "Y"],
        [2, "Discovery", "Share current reports", "Client", "Dana White (Director IT)", date(2027, 1, 8),
         None, "In Progress", 1, None, "Y"],
        [3, "Evaluation", "Tailored demo", "Provider", "Sam Ortiz (AE)", date(2027, 1, 20), None,
         "Not Started", 2, None, "Y"],
        [4, "Evaluation", "Security questionnaire", "Client", "Priya Nair - Security Lead", date(2027, 1, 25),
         None, "Not Started", 3, None, "Y"],
        [5, "Decision", "Pricing review", "Joint", "Lee Chen (SE) & Marcus Webb (CFO)", date(2027, 2, 10),
         None, "Not Started", "3, 4", None, "N"],
        [6, "Decision", "Contract signed", "Client", "Marcus Webb (CFO)", date(2027, 3, 5), None,
         "Not Started", 5, "Signed order form", "Y"],
        [7, "Launch", "Onboarding plan", "Provider", "TBD", date(2027, 3, 20), None, "Not Started", 6,
         None, "Y"],
    ]  # fmt: skip
    plan, result = _run(tmp_path, _xlsx(tmp_path, [["Acme x Northwind MAP"], [], header, *rows]))
    sides = _sides(plan)
    assert not {name.casefold() for name in sides} & (NOT_PEOPLE - {"unassigned"})
    assert {k: v for k, v in sides.items() if k != "Unassigned"} == {
        "Sam Ortiz": "seller",
        "Dana White": "buyer",
        "Priya Nair": "buyer",
        "Lee Chen": "seller",
        "Marcus Webb": "buyer",
    }
    people = {s.name: s for s in plan.stakeholders}
    assert people["Dana White"].title == "Director IT" and people["Sam Ortiz"].role == "account_executive"
    assert people["Priya Nair"].title == "Security Lead" and people["Marcus Webb"].title == "CFO"
    assert people["Unassigned"].side == "seller", "a TBD row on the provider side stays on that side"
    who = _who(plan)
    assert who["Kickoff workshop"] == ("sam-ortiz", ["dana-white"])
    assert who["Pricing review"] == ("lee-chen", ["marcus-webb"])
    assert who["Contract signed"] == ("marcus-webb", [])
    actions = {a.title: a for _, a in plan.actions()}
    assert actions["Pricing review"].visibility == "internal"
    assert actions["Contract signed"].outcome == "Signed order form"
    assert any("row 10" in str(w) and "Unassigned" in str(w) for w in result.warnings)


def test_an_owner_column_of_sides_takes_its_people_from_the_contact_column(tmp_path: Path) -> None:
    sheet = _csv(
        tmp_path,
        "Step,Owner,Contact,Due\n"
        "Kickoff,Joint,Sam Ortiz (AE) / Dana White,2027-01-05\n"
        "Demo,Provider,Sam Ortiz,2027-01-20\n"
        "Security review,Client,Dana White - CISO,2027-01-25\n"
        "Order form signed,Both,Sam Ortiz & Kim Lee (Legal - Acme),2027-03-05\n",
    )
    plan, _ = _run(tmp_path, sheet)
    assert _sides(plan) == {"Sam Ortiz": "seller", "Dana White": "buyer", "Kim Lee": "buyer"}
    people = {s.name: s for s in plan.stakeholders}
    assert people["Dana White"].title == "CISO" and people["Kim Lee"].role == "legal"
    assert _who(plan)["Order form signed"] == ("sam-ortiz", ["kim-lee"])


def test_a_contact_column_beside_owners_gives_roles_and_emails(tmp_path: Path) -> None:
    sheet = _csv(
        tmp_path,
        "Step,Owner,Role/Contact,Due\nKickoff,Sam Ortiz,AE,2027-01-05\nDemo,Dana White,dana@acme.example,2027-01-20\n",
    )
    plan, _ = _run(tmp_path, sheet)
    people = {s.name: s for s in plan.stakeholders}
    assert (people["Sam Ortiz"].side, people["Sam Ortiz"].role) == ("seller", "account_executive")
    assert (people["Dana White"].side, people["Dana White"].email) == ("buyer", "dana@acme.example")


def test_milestone_column_is_the_step_when_there_is_no_action_column(tmp_path: Path) -> None:
    sheet = _csv(
        tmp_path,
        "Milestone,Owner (Customer),Owner (Vendor),Due,Dependencies,Status\n"
        "Discovery call,Jane Doe,Sam Ortiz,2027-01-05,,Done\n"
        "Technical validation,Dana White,,2027-01-28,Discovery call,In progress\n"
        "Order form signed,Marcus Webb,,2027-03-05,Technical validation,\n"
        "Go-live,,Lee Chen,2027-04-15,Order form signed,\n",
    )
    plan, _ = _run(tmp_path, sheet)
    assert [a.title for _, a in plan.actions()] == [
        "Discovery call",
        "Technical validation",
        "Order form signed",
        "Go-live",
    ]
    assert _sides(plan) == {
        "Jane Doe": "buyer",
        "Sam Ortiz": "seller",
        "Dana White": "buyer",
        "Marcus Webb": "buyer",
        "Lee Chen": "seller",
    }
    assert plan.deal.target_close == date(2027, 3, 5) and plan.deal.go_live == date(2027, 4, 15)


AMBIGUOUS = (
    "Task,Owner,Side,Due\n"
    "Kickoff,Jane Doe,Buyer,01/02/2027\n"
    "Demo,Sam Ortiz,Seller,05/02/2027\n"
    "Contract signed,Jane Doe,Buyer,01/03/2027\n"
)


def test_ambiguous_dates_are_refused_naming_date_format(tmp_path: Path) -> None:
    sheet = _csv(tmp_path, AMBIGUOUS)
    with pytest.raises(InvalidInput) as caught:
        _run(tmp_path, sheet)
    (problem,) = caught.value.problems
    assert "row 2, column 'Due'" in str(problem) and "--date-format" in str(problem)
    day_first, result = _run(tmp_path, sheet, date_format="DD/MM/YYYY")
    assert [a.due for _, a in day_first.actions()] == [date(2027, 2, 1), date(2027, 2, 5), date(2027, 3, 1)]
    assert result.readings == ("dates in 'Due' read day first (DD/MM/YYYY): --date-format DD/MM/YYYY",)
    british, result = _run(tmp_path, sheet, assignments=(*NAMES, "locale=en-GB"))
    assert [a.due for _, a in british.actions()][2] == date(2027, 3, 1)
    assert "the plan's locale en-GB" in result.readings[0]
    american, _ = _run(tmp_path, sheet, assignments=(*NAMES, "locale=en-US"))
    assert [a.due for _, a in american.actions()][2] == date(2027, 1, 3)


def test_day_first_is_detected_from_the_whole_column(tmp_path: Path) -> None:
    sheet = _csv(tmp_path, AMBIGUOUS + "Go-live,Sam Ortiz,Seller,25/03/2027\n")
    plan, result = _run(tmp_path, sheet)
    assert [a.due for _, a in plan.actions()] == [
        date(2027, 2, 1),
        date(2027, 2, 5),
        date(2027, 3, 1),
        date(2027, 3, 25),
    ]
    assert result.readings == ("dates in 'Due' read day first (DD/MM/YYYY): row 5 has 25/03/2027",)
    mixed = _csv(tmp_path, AMBIGUOUS + "Go-live,Sam Ortiz,Seller,25/03/2027\nROI,Jane Doe,Buyer,03/25/2027\n")
    with pytest.raises(InvalidInput, match="is month first but '25/03/2027'"):
        _run(tmp_path, mixed)


def test_a_header_hint_decides_the_reading(tmp_path: Path) -> None:
    sheet = _csv(tmp_path, AMBIGUOUS.replace("Due", "Target Date (MM/DD/YYYY)"))
    plan, result = _run(tmp_path, sheet)
    assert [a.due for _, a in plan.actions()][2] == date(2027, 1, 3)
    assert "its header says so" in result.readings[0]


def test_text_months_and_excel_serials(tmp_path: Path) -> None:
    sheet = _csv(
        tmp_path,
        "Task,Owner,Side,Due\n"
        "Kickoff,Jane Doe,Buyer,15 Mar 2027\n"
        "Workshop,Jane Doe,Buyer,3. März 2027\n"
        "Demo,Sam Ortiz,Seller,46452\n"
        'Review,Sam Ortiz,Seller,"Mar 20, 2027"\n'
        "Contract signed,Jane Doe,Buyer,1 avril 2027\n",
    )
    plan, result = _run(tmp_path, sheet)
    assert [a.due for _, a in plan.actions()] == [
        date(2027, 3, 15),
        date(2027, 3, 3),
        date(2027, 3, 6),
        date(2027, 3, 20),
        date(2027, 4, 1),
    ]
    assert result.readings == ()
    book = _xlsx(tmp_path, [["Task", "Owner", "Side", "Due"], ["Kickoff", "Jane Doe", "Buyer", 46452]])
    xlsx_plan, _ = _run(tmp_path, book)
    assert next(a.due for _, a in xlsx_plan.actions()) == date(2027, 3, 6)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contributors_survive_a_csv_and_xlsx_round_trip(tmp_path: Path, fmt: str) -> None:
    source = ROOT / "tests" / "fixtures" / "contributors" / "plan.yaml"
    original = load_plan(source).plan
    sheet = tmp_path / f"export.{fmt}"
    sheet.write_bytes(render_sample(source, [fmt])[f"joint-steps.{fmt}"].data)
    imported, result = _run(tmp_path, sheet, assignments=())
    assert [(a.id, a.title, a.owner, a.contributors, a.notes, a.outcome) for _, a in imported.actions()] == [
        (a.id, a.title, a.owner, a.contributors, a.notes, a.outcome) for _, a in original.actions()
    ]
    assert {(s.id, s.name, s.side) for s in imported.stakeholders} == {
        (s.id, s.name, s.side) for s in original.stakeholders
    }
    assert not [w for w in result.warnings if "side" in str(w)]


def test_utf16_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    sheet = tmp_path / "utf16.csv"
    sheet.write_bytes("Tâche,Owner,Side,Due\nRéunion,Zoë Müller,Buyer,2027-02-01\n".encode("utf-16"))
    plan, _ = _run(tmp_path, sheet, columns="Tâche=action")
    assert [a.title for _, a in plan.actions()] == ["Réunion"]
    assert _sides(plan) == {"Zoë Müller": "buyer"}
    cp1252 = tmp_path / "cp1252.csv"
    cp1252.write_bytes("Task,Owner,Side,Due\nRéunion,Zoë Müller,Buyer,2027-02-01\n".encode("cp1252"))
    plan, _ = _run(tmp_path, cp1252)
    assert _sides(plan) == {"Zoë Müller": "buyer"}


def test_synonyms_are_data_shipped_in_the_package() -> None:
    from mapgen.sheets.vocabulary import TABLES, Field, header_lookup

    assert TABLES.name == "columns.toml" and TABLES.parent.name == "sheets"
    assert header_lookup()["targetdate"] is Field.DUE
    assert io.StringIO(TABLES.read_text(encoding="utf-8")).readline().startswith("#")


def test_cli_refuses_ambiguous_dates_and_says_which_reading_it_used(tmp_path: Path) -> None:
    import subprocess
    import sys

    sheet, out = _csv(tmp_path, AMBIGUOUS), tmp_path / "plan.yaml"
    command = [sys.executable, "-m", "mapgen", "import", str(sheet), "-o", str(out)]
    refused = subprocess.run(command, capture_output=True, text=True, check=False)
    assert refused.returncode == 2 and not out.exists() and "Traceback" not in refused.stderr
    assert "--date-format DD/MM/YYYY" in refused.stderr
    done = subprocess.run(
        [*command, "--date-format", "DD/MM/YYYY"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "dates in 'Due' read day first (DD/MM/YYYY): --date-format DD/MM/YYYY" in done.stdout
