"""`mapgen import`: a MAP spreadsheet (CSV or XLSX) -> a commented plan file that passes validation.

Stages: read the file within bounds (read.py), find the header and map its columns (headers.py),
keep the action rows (rows.py), decide each date column's reading (dates.py), read the people and
their sides (people.py, owners.py), then build the actions and the plan (document.py). Every problem the
sheet has is reported by row and column, so the user fixes the sheet once.

Who owns a row: the first person the row names, reading its owner columns left to right (so in a
sheet with "Owner (Customer)" before "Owner (Us)", the customer's person); everyone else the row
names, and its Contributors column, works on it as a contributor.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mapgen.errors import InvalidInput, Problem, Severity, did_you_mean
from mapgen.sheets import dates as sheet_dates
from mapgen.sheets.document import Source, build_plan, check, slug, to_yaml, unique
from mapgen.sheets.headers import HEADER_SCAN_ROWS, Column, find_header, parse_columns
from mapgen.sheets.options import ImportOptions, ImportResult
from mapgen.sheets.owners import EMAIL, Owners
from mapgen.sheets.people import parties_of, side_of
from mapgen.sheets.rows import SheetRow, data_rows, text_of
from mapgen.sheets.vocabulary import Field, cell_key, key, not_people, parse_flag, parse_status
from mapgen.spec import ID_PATTERN, Status

_SPLIT_DEPS = re.compile(r"\s*[,;\n]\s*")


def _parse_sets(assignments: tuple[str, ...]) -> list[tuple[list[str | int], Any, str]]:
    from mapgen.instantiate import parse_assignment

    return [(*parse_assignment(text), text) for text in assignments]


class SheetImport:
    """One import run: collects every problem before giving up."""

    def __init__(self, path: Path, rows: list[list[Any]], options: ImportOptions) -> None:
        self.rows = rows
        self.options = options
        self.source = Source(path.name, path.stem, path.resolve().parent, _parse_sets(options.assignments),
                             options.today)  # fmt: skip
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.fmt = sheet_dates.date_format(options.date_format)
        self.parties = parties_of(str(self.source.value("buyer", "name") or ""),
                                  str(self.source.value("seller", "name") or ""))  # fmt: skip
        self.contacts_are_people = False

    def error(self, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(Problem(message, file=self.where(line, column)))

    def warn(self, line: int | None, column: str | None, message: str) -> None:
        self.warnings.append(Problem(message, file=self.where(line, column), severity=Severity.WARNING))

    def where(self, line: int | None, column: str | None) -> str:
        place = self.source.name
        if line is not None:
            place += f":row {line}"
            if column:
                place += f", column '{column}'"
        return place

    # -- columns ---------------------------------------------------------------------------------

    def _columns(self) -> tuple[int, list[Column]]:
        texts = [[text_of(v) for v in row] for row in self.rows[:HEADER_SCAN_ROWS]]
        index, columns = find_header(
            texts, parse_columns(self.options.columns), self.parties, self.source.name
        )
        values = {
            c.index: [text_of(r[c.index]) for r in self.rows[index + 1 :] if c.index < len(r)]
            for c in columns
            if c.field in (Field.OWNER, Field.CONTACT)
        }
        has_side = any(c.field is Field.SIDE for c in columns)
        owners = [c for c in columns if c.field is Field.OWNER]
        contact = [c for c in columns if c.field is Field.CONTACT]
        for column in owners:
            filled = [v for v in values[column.index] if v]
            sides = [v for v in filled if side_of(v, self.parties) is not None or key(v) in not_people()]
            if filled and contact and not has_side and len(sides) >= 0.6 * len(filled):
                columns = [Column(c.index, c.header, Field.SIDE) if c is column else c for c in columns]
                has_side = True
        owners = [c for c in columns if c.field is Field.OWNER]
        emails = all(EMAIL.fullmatch(v) for c in contact for v in values[c.index] if v)
        if contact and emails:
            columns = [Column(c.index, c.header, Field.EMAIL) if c in contact else c for c in columns]
        self.contacts_are_people = bool(contact) and not owners and not emails
        headers = texts[index] if index < len(texts) else []
        mapped = {c.index for c in columns}
        unknown = [h for i, h in enumerate(headers) if h and i not in mapped]
        if unknown:
            self.warn(index + 1, None, "columns not imported: " + ", ".join(repr(h) for h in unknown)
                      + ' (map them with --columns "Header=field")')  # fmt: skip
        return index, columns

    # -- dates -----------------------------------------------------------------------------------

    def _date(self, row: SheetRow, f: Field, order: str | None) -> date | datetime | None:
        value = row.cells.get(f)
        if not text_of(value):
            return None
        try:
            return sheet_dates.parse_date(value, self.fmt, order)
        except ValueError as exc:
            message = str(exc) if "'" in str(exc) else f"'{text_of(value)}' is not a date: {exc}"
            if "is not a date" not in message:
                message = f"'{text_of(value)}' is not a date (use YYYY-MM-DD, MM/DD/YYYY, 5-Mar-2027 or --date-format)"
            self.error(row.line, row.headers[f], message)
            return None

    # -- the plan --------------------------------------------------------------------------------

    def run(self) -> ImportResult:
        self.readings: tuple[str, ...] = ()
        index, columns = self._columns()
        rows = data_rows(self.rows, index, columns, self.error)
        if not rows and not self.errors:
            self.error(None, None, "no actions found below the header row")
        dates = sheet_dates.ColumnReadings(
            self.fmt, self.options.date_format, self.source.value("locale"), self.error
        )
        readings = dates.decide(rows, columns)
        self.readings = dates.readings
        owners = Owners(self.parties, self.contacts_are_people, self.error, self.warn)
        people, per_row = owners.read(rows)
        ids = {k: p.id for k, p in people.items()}
        action_ids: set[str] = set()
        phases: dict[str, dict[str, Any]] = {}
        phase_ids: set[str] = set()
        actions: list[tuple[SheetRow, dict[str, Any]]] = []
        for row, (owner, contributors) in zip(rows, per_row, strict=True):
            phase_title = row.phase or "Plan"
            if phase_title not in phases:
                phases[phase_title] = {"id": unique(slug(phase_title, 40), phase_ids, f"phase-{len(phases) + 1}"),
                                       "name": phase_title, "actions": []}  # fmt: skip
            action = self._action(
                row, ids[owner], [ids[c] for c in contributors], readings, action_ids, len(actions)
            )
            phases[phase_title]["actions"].append(action)
            actions.append((row, action))
        _dependencies(actions, self.error)
        stakeholders = owners.stakeholders(people)
        if self.errors:
            raise InvalidInput(sorted(self.errors, key=_row_of))
        data, notes = build_plan(self.source, stakeholders, list(phases.values()), actions)
        located = check(self.source, data, actions, self.where)
        return ImportResult(
            text=to_yaml(data, notes, self.source.name, len(rows)),
            warnings=tuple(self.warnings + located),
            actions=len(actions),
            stakeholders=len(stakeholders),
            phases=len(phases),
            readings=self.readings,
        )

    def _action(
        self,
        row: SheetRow,
        owner: str,
        contributors: list[str],
        readings: dict[Field, str | None],
        taken: set[str],
        count: int,
    ) -> dict[str, Any]:
        title = row.text(Field.ACTION)
        given_id = row.text(Field.ID)
        base = given_id if re.fullmatch(ID_PATTERN, given_id) and not given_id.isdigit() else slug(title)
        action: dict[str, Any] = {
            "id": unique(base, taken, f"action-{count + 1}"),
            "title": title,
            "owner": owner,
        }
        due = self._date(row, Field.DUE, readings.get(Field.DUE))
        if due is not None:
            action["due"] = due
        completed = self._date(row, Field.COMPLETED, readings.get(Field.COMPLETED))
        if isinstance(completed, datetime):
            completed = completed.date()
        status_text = row.text(Field.STATUS)
        status = parse_status(status_text) if status_text else None
        if status_text and status is None:
            self.error(row.line, row.headers[Field.STATUS], f"unknown status '{status_text}': use Not Started, "
                       "In Progress, Done or Blocked (To Do, WIP, Complete, ✓, At Risk... also work)")  # fmt: skip
        if status is None and completed is not None:
            status = Status.DONE
        if completed is not None and status is not Status.DONE and status is not None:
            self.error(row.line, row.headers[Field.COMPLETED], f"a completed date on an action whose status "
                       f"is '{status_text}': mark it done or clear the date")  # fmt: skip
        if status is not None and status is not Status.NOT_STARTED:
            action["status"] = status.value
        if completed is not None and status is Status.DONE:
            action["completed"] = completed
        if self._flag(row, Field.MILESTONE):
            action["milestone"] = True
        if self._visibility(row) is False:
            action["visibility"] = "internal"
        for f, name in ((Field.OUTCOME, "outcome"), (Field.NOTES, "notes")):
            if row.text(f):
                action[name] = row.text(f)
        if contributors:
            action["contributors"] = contributors
        return action

    def _flag(self, row: SheetRow, f: Field) -> bool | None:
        if f not in row.cells:
            return None
        try:
            return parse_flag(row.text(f))
        except ValueError as exc:
            if f is Field.MILESTONE and row.headers.get(Field.MILESTONE) == row.headers.get(Field.ACTION):
                return None
            self.error(row.line, row.headers[f], str(exc))
            return None

    def _visibility(self, row: SheetRow) -> bool | None:
        for f, invert in ((Field.CLIENT_FACING, False), (Field.VISIBILITY, False), (Field.INTERNAL, True)):
            value = self._flag(row, f)
            if value is not None:
                return not value if invert else value
        return None


def _dependencies(actions: list[tuple[SheetRow, dict[str, Any]]], error: Any) -> None:
    """`Depends On` cells by row number (#), id or title -> action ids."""
    by_number: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for ordinal, (row, action) in enumerate(actions, start=1):
        number = row.text(Field.NUMBER) or row.text(Field.ID)
        by_number.setdefault(number.lstrip("#").strip() if number else str(ordinal), action["id"])
        if Field.NUMBER not in row.cells:
            by_number.setdefault(str(ordinal), action["id"])
        for name in (row.text(Field.ID), action["id"], cell_key(action["title"])):
            if name:
                by_key.setdefault(name.casefold(), action["id"])
    for row, action in actions:
        text = row.text(Field.DEPENDS_ON)
        if not text or text.lower() in ("-", "n/a", "na", "none"):
            continue
        deps: list[str] = []
        for token in (t.strip() for t in _SPLIT_DEPS.split(text) if t.strip()):
            ref = re.sub(r"^(#|step|row|item|no\.?)\s*", "", token, flags=re.I).strip()
            found = by_number.get(ref) if re.fullmatch(r"\d+(\.\d+)?", ref) else None
            found = found or by_key.get(cell_key(token)) or by_key.get(slug(token))
            if found is None:
                hint = did_you_mean(token, [a["title"] for _, a in actions])
                error(row.line, row.headers[Field.DEPENDS_ON], f"depends on '{token}', which is neither "
                      f"a row number (#) nor an action title{hint}")  # fmt: skip
            elif found == action["id"]:
                error(row.line, row.headers[Field.DEPENDS_ON], "an action cannot depend on itself")
            elif found not in deps:
                deps.append(found)
        if deps:
            action["depends_on"] = deps


def _row_of(problem: Problem) -> int:
    match = re.search(r":row (\d+)", problem.file)
    return int(match.group(1)) if match else 0
