"""`mapgen import`: MAP spreadsheets laid out the ways teams lay them out, read into valid plans;
what cannot be read is reported by sheet row and column, and nothing is written."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from mapgen.errors import InvalidInput, UsageError
from mapgen.load import load_plan
from mapgen.sheets.dates import date_format
from mapgen.sheets.options import ImportOptions, import_sheet
from mapgen.spec import Plan

SHEETS = Path(__file__).parent / "fixtures" / "sheets"
TODAY = date(2027, 1, 12)
NAMES = ("buyer.name=Acme Corp", "seller.name=Northwind Analytics")


def _import(tmp_path: Path, sheet: Path, **options) -> tuple[Plan, str, list[str]]:  # type: ignore[no-untyped-def]
    options.setdefault("assignments", NAMES)
    result = import_sheet(sheet, ImportOptions(today=TODAY, **options))
    out = tmp_path / "plan.yaml"
    out.write_text(result.text, encoding="utf-8")
    loaded = load_plan(out, strict=True)
    return loaded.plan, result.text, [str(w) for w in result.warnings]


def _actions(plan: Plan) -> dict[str, object]:
    return {a.id: a for _, a in plan.actions()}


def test_clean_csv(tmp_path: Path) -> None:
    plan, text, warnings = _import(tmp_path, SHEETS / "clean.csv")
    assert warnings == []
    assert [p.name for p in plan.phases] == ["Discovery", "Evaluation", "Decision", "Launch"]
    people = {s.name: s for s in plan.stakeholders}
    assert people["Jane Doe"].id == "jane-doe" and people["Jane Doe"].side == "buyer"
    assert people["Jane Doe"].role == "champion" and people["Raj Patel"].role == "sales_engineer"
    assert people["Sam Whitaker"].side == "seller"
    actions = _actions(plan)
    assert actions["discovery-call-with-operations"].completed == date(2027, 1, 5)
    assert actions["share-current-reporting-workbook"].status == "done"
    assert actions["tailored-demo-for-the-operations-team"].milestone
    assert actions["internal-deal-review"].visibility == "internal"
    assert actions["security-questionnaire"].status == "blocked"
    assert actions["business-case-approved"].depends_on == [
        "tailored-demo-for-the-operations-team",
        "security-questionnaire",
    ]
    assert actions["business-case-approved"].outcome == "CFO approves"
    assert plan.deal.target_close == date(2027, 3, 5)  # the "Contract signed" row
    assert plan.deal.go_live == date(2027, 4, 15)
    assert plan.deal.start == date(2027, 1, 5)
    assert plan.updated == TODAY and plan.title == "Acme Corp x Northwind Analytics: Mutual Action Plan"
    assert "# TODO" in text and "deal.target_close" not in text


def test_messy_csv_with_title_row_phase_rows_and_mixed_dates(tmp_path: Path) -> None:
    plan, _, warnings = _import(tmp_path, SHEETS / "messy.csv", assignments=(*NAMES, "locale=en-US"))
    assert [p.name for p in plan.phases] == ["Discovery", "Evaluation"]
    actions = _actions(plan)
    dues = {a.title: a.due for a in actions.values()}
    assert dues == {
        "Kick-off call": date(2027, 1, 5),  # 1/5/2027
        "Send current reports": date(2027, 1, 6),  # 06-Jan-2027
        "Demo to ops team": date(2027, 1, 20),  # Excel serial 46407
        "Pricing sign-off": date(2027, 2, 1),  # Feb 1, 2027
        "Security review": date(2027, 2, 5),  # 2027/02/05
        "Joint workshop": date(2027, 2, 10),  # 02/10/27
        "Contract signature": date(2027, 3, 5),  # 5 March 2027
    }
    statuses = {a.title: a.status for a in actions.values()}
    assert statuses["Kick-off call"] == "done" and statuses["Send current reports"] == "done"
    assert statuses["Demo to ops team"] == "in_progress"
    assert statuses["Security review"] == "blocked"  # At Risk
    assert statuses["Joint workshop"] == "not_started" and statuses["Contract signature"] == "not_started"
    assert actions["pricing-sign-off"].visibility == "internal"
    assert actions["send-current-reports"].depends_on == ["kick-off-call"]  # by title
    assert actions["joint-workshop"].depends_on == ["demo-to-ops-team", "security-review"]  # "3; 5"
    people = {s.id: s for s in plan.stakeholders}
    assert people["sam-whitaker"].email == "sam@northwind.example"
    assert people["jane-doe"].name == "jane doe" and people["jane-doe"].side == "buyer"
    assert people["chloe-martin"].side == "seller"
    assert actions["demo-to-ops-team"].owner == "raj-patel"
    assert actions["demo-to-ops-team"].contributors == ["sam-whitaker"], "the second person contributes"
    assert any("Chloe Martin" in w and "Joint" in w for w in warnings)


def test_xlsx_with_title_rows_merged_phases_and_date_cells(tmp_path: Path) -> None:
    plan, _, warnings = _import(
        tmp_path, SHEETS / "title-row.xlsx", assignments=("buyer.name=Globex", "seller.name=Northwind")
    )
    assert [(p.name, len(p.actions)) for p in plan.phases] == [("Evaluate", 3), ("Decide", 2)]
    actions = _actions(plan)
    assert actions["discovery-workshop"].completed == date(2027, 2, 1)
    assert actions["sandbox-with-globex-data"].status == "in_progress"  # 50%
    assert actions["sandbox-with-globex-data"].milestone
    assert actions["reference-call"].due == date(2027, 2, 22)  # a plain number cell: Excel serial
    assert actions["reference-call"].visibility == "internal"
    assert actions["procurement-onboarding-of-northwind"].due.replace(tzinfo=None) == datetime(
        2027, 3, 1, 14, 30
    )
    assert actions["procurement-onboarding-of-northwind"].depends_on == [
        "sandbox-with-globex-data",
        "reference-call",
    ]
    assert plan.updated == date(2027, 2, 1), "updated moves to the latest completed date"
    sides = {s.name: s.side for s in plan.stakeholders}
    assert sides == {
        "Priya Nair": "buyer",
        "Raj Patel": "seller",
        "Sam Whitaker": "seller",
        "Li Wei": "buyer",
    }
    assert {s.title for s in plan.stakeholders} >= {"Head of Finance Ops", "Procurement"}
    assert not any("RAG" in w for w in warnings), "a RAG column is derived data, ignored quietly"


def test_semicolon_european_sheet(tmp_path: Path) -> None:
    plan, _, _ = _import(tmp_path, SHEETS / "european.csv", assignments=("buyer.name=Kunde GmbH",))
    assert plan.id == "kunde-gmbh", "named after the buyer alone when the seller is not given"
    actions = _actions(plan)
    assert [a.due for a in actions.values()] == [date(2027, 1, 12), date(2027, 1, 19), date(2027, 2, 5)]
    assert actions["workshop-mit-fachbereich"].status == "done"
    assert actions["angebot-freigeben"].milestone
    assert {s.name: s.side for s in plan.stakeholders} == {"Lukas Meier": "seller", "Anna Schmidt": "buyer"}


def test_date_format_option_and_day_first_detection(tmp_path: Path) -> None:
    sheet = tmp_path / "dates.csv"
    sheet.write_text("Task,Owner,Side,Due\nA,Jo,Buyer,03/02/2027\nB,Jo,Buyer,04/02/2027\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="--date-format"):
        _import(tmp_path, sheet)
    us, _, _ = _import(tmp_path, sheet, date_format="MM/DD/YYYY")
    assert [a.due for _, a in us.actions()] == [date(2027, 3, 2), date(2027, 4, 2)]
    eu, _, _ = _import(tmp_path, sheet, date_format="DD/MM/YYYY")
    assert [a.due for _, a in eu.actions()] == [date(2027, 2, 3), date(2027, 2, 4)]
    sheet.write_text("Task,Owner,Side,Due\nA,Jo,Buyer,13/02/2027\nB,Jo,Buyer,04/02/2027\n", encoding="utf-8")
    detected, _, _ = _import(tmp_path, sheet)
    assert [a.due for _, a in detected.actions()] == [date(2027, 2, 13), date(2027, 2, 4)]
    assert date_format("d.m.Y") == "%d.%m.%Y" and date_format("%d.%m.%Y") == "%d.%m.%Y"


def test_columns_option_maps_unknown_headers(tmp_path: Path) -> None:
    sheet = tmp_path / "odd.csv"
    sheet.write_text(
        "Deliverable Title,Accountable Human,Camp,Finish By\nPilot,Jo Park,Customer,2027-02-01\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="no header row"):
        _import(tmp_path, sheet)
    plan, _, _ = _import(
        tmp_path, sheet, columns="Deliverable Title=action, Accountable Human=owner, Camp=side, Finish By=Due"
    )
    action = plan.phases[0].actions[0]
    assert (action.title, action.owner, action.due) == ("Pilot", "jo-park", date(2027, 2, 1))
    assert plan.stakeholders[0].side == "buyer"
    with pytest.raises(UsageError, match="HEADER=FIELD"):
        _import(tmp_path, sheet, columns="Deliverable Title=colour")
    with pytest.raises(UsageError, match="does not have"):
        _import(tmp_path, sheet, columns="Nope=action")


def test_problems_are_reported_by_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_sheet(SHEETS / "errors.csv", ImportOptions(today=TODAY))
    assert [str(p) for p in caught.value.problems] == [
        "errors.csv:row 3, column 'Due': '31/02/2027' is not a date: day is out of range for month",
        "errors.csv:row 4, column 'Status': unknown status 'Half way': use Not Started, In Progress, "
        "Done or Blocked (To Do, WIP, Complete, ✓, At Risk... also work)",
        "errors.csv:row 5, column 'Completed': a completed date on an action whose status is "
        "'In Progress': mark it done or clear the date",
        "errors.csv:row 5, column 'Depends On': depends on 'Pentest report', which is neither a row "
        "number (#) nor an action title",
        "errors.csv:row 6, column 'Due': 'soon' is not a date (use YYYY-MM-DD, MM/DD/YYYY, 5-Mar-2027 "
        "or --date-format)",
    ]


def test_loader_rules_are_reported_by_row(tmp_path: Path) -> None:
    sheet = tmp_path / "cycle.csv"
    sheet.write_text("#,Task,Owner,Side,Depends On\n1,A,Jo,Buyer,2\n2,B,Jo,Buyer,1\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        _import(tmp_path, sheet)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "cycle.csv:row 2, column 'Depends On':" in text and "cycle" in text


def test_imported_plan_snapshot(snapshot_text) -> None:  # type: ignore[no-untyped-def]
    result = import_sheet(
        SHEETS / "messy.csv", ImportOptions(today=TODAY, assignments=(*NAMES, "locale=en-US"))
    )
    assert result.text == snapshot_text("yaml")


def test_cli_import_writes_nothing_on_error(tmp_path: Path) -> None:
    def mapgen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mapgen", *args], capture_output=True, text=True, check=False
        )

    out = tmp_path / "plan.yaml"
    bad = mapgen("import", str(SHEETS / "errors.csv"), "-o", str(out))
    assert bad.returncode == 2 and not out.exists() and "Traceback" not in bad.stderr
    assert "errors.csv:row 3, column 'Due'" in bad.stderr
    good = mapgen("import", str(SHEETS / "clean.csv"), "-o", str(out), "--set", "buyer.name=Acme Corp")
    assert good.returncode == 0, good.stderr
    assert "8 actions, 5 stakeholders, 4 phases" in good.stdout
    assert mapgen("validate", str(out)).returncode == 0
    assert mapgen("import", str(SHEETS / "clean.csv"), "-o", str(out)).returncode == 2  # exists
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["buyer"]["name"] == "Acme Corp"


def test_google_sheets_style_with_emoji_statuses_and_companies_in_owner(tmp_path: Path) -> None:
    sheet = tmp_path / "shared-map-v3.csv"
    sheet.write_text(
        "Milestone / Task,Owner (Company),Target Date (MM/DD/YYYY),Status\n"
        "Intro call,Sam Whitaker (Northwind),01/05/2027,✅ Complete\n"
        "Security review,Aisha Karim (Acme),01/20/2027,🔴 Blocked\n"
        "Pricing,Sam Whitaker (Northwind),01/25/2027,🟡 In progress\n",
        encoding="utf-8",
    )
    plan, _, warnings = _import(tmp_path, sheet)
    assert [a.status for _, a in plan.actions()] == ["done", "blocked", "in_progress"]
    assert {s.name: s.side for s in plan.stakeholders} == {"Sam Whitaker": "seller", "Aisha Karim": "buyer"}
    assert warnings == []
    bare = import_sheet(sheet, ImportOptions(today=TODAY))
    assert "id: shared-map  #" in bare.text, "a version suffix is not part of the plan id"


def test_a_first_name_reaches_the_person_the_sheet_names_in_full(tmp_path: Path) -> None:
    """ "Raj / Sam" is the Raj Patel and Sam Whitaker of other rows, not two new people."""
    sheet = tmp_path / "map.csv"
    sheet.write_text(
        "Step,Owner,Buyer/Seller,Due Date,Status\n"
        "Tailored demo,Raj Patel,Seller,2027-01-20,Done\n"
        "Proposal,Sam Whitaker,Seller,2027-01-25,Not started\n"
        "Pricing review,Raj / Sam,Seller,2027-01-28,Not started\n"
        "Contract signed,Jane Doe,Buyer,2027-03-05,Not started\n",
        encoding="utf-8",
    )
    plan, _text, warnings = _import(tmp_path, sheet)
    assert sorted(s.name for s in plan.stakeholders) == ["Jane Doe", "Raj Patel", "Sam Whitaker"]
    assert _actions(plan)["pricing-review"].owner == "raj-patel"
    assert _actions(plan)["pricing-review"].contributors == ["sam-whitaker"]
    assert warnings == []
