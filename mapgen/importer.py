"""`mapgen import`: a MAP spreadsheet (CSV or XLSX) -> a commented plan file that passes validation.

Real MAP sheets have a title row above the header, blank rows, merged phase cells, phase header
rows, owners typed three ways and dates in four formats. This module finds the header, maps each
column to a plan field by its synonyms, reads every row it can, and reports every problem it
cannot read by sheet row and column header, so the user fixes the sheet once. Plan-level values a
sheet never has (title, parties, close date) come from `--set` or get a marked TODO default.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from mapgen.columns import Field, assign_fields, field_for, normalise, parse_flag, parse_role, parse_status
from mapgen.errors import InvalidInput, Problem, Severity, UsageError, did_you_mean
from mapgen.spec import ID_PATTERN, Side, Status

MAX_ROWS = 5_000
HEADER_SCAN_ROWS = 20
UNASSIGNED = "Unassigned"
_EXCEL_EPOCH = date(1899, 12, 30)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ]
    )
    for m in names
}  # fmt: skip
_WEEKDAY = re.compile(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$")
_SIDE_WORDS = {
    Side.BUYER: {"buyer", "client", "customer", "prospect", "buyerside", "clientside", "customerside",
                 "purchaser", "them", "account"},
    Side.SELLER: {"seller", "vendor", "provider", "supplier", "sellerside", "vendorside", "us", "we",
                  "ours", "sales", "internal", "serviceprovider", "partner"},
}  # fmt: skip
_JOINT = {"joint", "both", "mutual", "shared", "all", "together", "buyerseller", "sellerbuyer",
          "clientvendor", "vendorclient", "customervendor", "clientprovider", "providerclient", "everyone"}  # fmt: skip
_CLOSE_WORDS = re.compile(
    r"\b(sign|signs|signed|signature|signing|close|closed|contract|order form|po)\b", re.I
)
_GO_LIVE_WORDS = re.compile(r"\b(go[- ]?live|live|launch|launched)\b", re.I)
_SPLIT_OWNERS = re.compile(r"\s*(?:/|,|;|&|\+|\n|\band\b)\s*", re.I)
_SPLIT_DEPS = re.compile(r"\s*[,;\n]\s*")


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the command line adds to the sheet."""

    columns: str | None = None
    """`--columns "Task Name=action,Resp.=owner"`."""
    date_format: str | None = None
    """strptime format (`%d.%m.%Y`) or a pattern such as `DD.MM.YYYY` or `d.m.Y`."""
    sheet: str | None = None
    """Worksheet name of an xlsx file (default: the first)."""
    assignments: tuple[str, ...] = ()
    """`--set key.path=value`, as for `mapgen new`."""
    today: date | None = None
    """Default `updated` (the command passes today's date)."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The plan file's text and what the user should know about it."""

    text: str
    warnings: tuple[Problem, ...]
    actions: int
    stakeholders: int
    phases: int


@dataclass(slots=True)
class _Row:
    line: int
    cells: dict[Field, Any]
    headers: dict[Field, str]
    phase: str


@dataclass(slots=True)
class _Person:
    name: str
    id: str
    sides: list[Side] = field(default_factory=list)
    joint_rows: list[int] = field(default_factory=list)
    role: str | None = None
    title: str | None = None
    email: str | None = None
    first_row: int = 0


def import_sheet(path: Path, options: ImportOptions) -> ImportResult:
    """Read `path` and return the text of a valid plan; InvalidInput lists every problem by row."""
    rows = read_rows(path, options.sheet)
    return _Importer(path, rows, options).run()


def read_rows(path: Path, sheet: str | None = None) -> list[list[Any]]:
    """Every row of a CSV (any common delimiter and encoding) or of one XLSX worksheet."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UsageError(f"cannot read {path}: no such file")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise UsageError(f"{path}: the old .xls format is not supported; save it as .xlsx or .csv")
    if sheet is not None:
        raise UsageError("--sheet only applies to .xlsx files")
    return _read_csv(path)


def _read_csv(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = "\n".join(line for line in text.splitlines()[:30] if line.strip())
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    if len(rows) > MAX_ROWS:
        raise UsageError(f"{path}: more than {MAX_ROWS:,} rows")
    return rows


def _read_xlsx(path: Path, sheet: str | None) -> list[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path} as an xlsx workbook: {exc}") from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            names = ", ".join(book.sheetnames)
            raise UsageError(
                f"{path} has no sheet '{sheet}'{did_you_mean(sheet, book.sheetnames)}; sheets: {names}"
            )
        rows = []
        for row in worksheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS:
                raise UsageError(f"{path}: more than {MAX_ROWS:,} rows")
    finally:
        book.close()
    return rows


def parse_columns(mapping: str | None) -> dict[str, Field]:
    """`"Task Name=action,Resp.=owner"` -> {normalised header: field}."""
    if not mapping:
        return {}
    result: dict[str, Field] = {}
    for item in mapping.split(","):
        header, sep, target = item.partition("=")
        if not item.strip():
            continue
        wanted = field_for(target) if sep else None
        if not sep or not header.strip() or wanted is None:
            names = ", ".join(f.value for f in Field)
            raise UsageError(
                f'--columns takes HEADER=FIELD pairs, such as "Task Name=action" (got {item.strip()!r}); fields: {names}'
            )
        result[normalise(header)] = wanted
    return result


def date_format(pattern: str | None) -> str | None:
    """A strptime format from `%d.%m.%Y`, `DD.MM.YYYY` or `d.m.Y`."""
    if not pattern or "%" in pattern:
        return pattern
    tokens = {"YYYY": "%Y", "yyyy": "%Y", "YY": "%y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "Mon": "%b",
              "MM": "%m", "DD": "%d", "dd": "%d", "M": "%m", "m": "%m", "D": "%d", "d": "%d", "Y": "%Y",
              "y": "%y"}  # fmt: skip
    return re.sub("|".join(sorted(tokens, key=len, reverse=True)), lambda m: tokens[m.group(0)], pattern)


def slug(text: str, limit: int = 48) -> str:
    """An id from a name or title: ASCII letters, digits and hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0] if "-" in words[:limit] else words[:limit]
    return words.strip("-")


def _unique(base: str, taken: set[str], fallback: str) -> str:
    base = base or fallback
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base[:60]}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    text = str(value).strip()
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


class _Importer:
    """One import run: collects every problem before giving up."""

    def __init__(self, path: Path, rows: list[list[Any]], options: ImportOptions) -> None:
        self.path = path
        self.name = path.name
        self.rows = rows
        self.options = options
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.fmt = date_format(options.date_format)
        self.sets = self._parse_sets()

    def _parse_sets(self) -> list[tuple[list[str | int], Any, str]]:
        from mapgen.instantiate import parse_assignment

        return [(*parse_assignment(text), text) for text in self.options.assignments]

    def _set_value(self, *path: str) -> Any:
        for parts, value, _ in self.sets:
            if parts == list(path):
                return value
        return None

    def error(self, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(Problem(message, file=self._where(line, column)))

    def warn(self, line: int | None, column: str | None, message: str) -> None:
        self.warnings.append(Problem(message, file=self._where(line, column), severity=Severity.WARNING))

    def _where(self, line: int | None, column: str | None) -> str:
        where = self.name
        if line is not None:
            where += f":row {line}"
            if column:
                where += f", column '{column}'"
        return where

    # -- header and rows ---------------------------------------------------------------------

    def _header(self) -> tuple[int, dict[int, Field], list[str]]:
        overrides = parse_columns(self.options.columns)
        best: tuple[int, int, dict[int, Field], list[str]] | None = None
        for index, row in enumerate(self.rows[:HEADER_SCAN_ROWS]):
            headers = [_text(v) for v in row]
            fields = assign_fields(headers)
            for col, header in enumerate(headers):
                if normalise(header) in overrides:
                    wanted = overrides[normalise(header)]
                    for other in [c for c, f in fields.items() if f is wanted and wanted is not Field.IGNORE]:
                        del fields[other]
                    fields[col] = wanted
            score = sum(1 for f in fields.values() if f is not Field.IGNORE)
            if Field.ACTION in fields.values() and score >= 2 and (best is None or score > best[0]):
                best = (score, index, fields, headers)
        seen = {normalise(_text(v)) for row in self.rows[:HEADER_SCAN_ROWS] for v in row}
        missing = [h for h in overrides if h not in seen]
        if missing:
            raise UsageError(f"--columns names a header the sheet does not have: {', '.join(missing)}")
        if best is None:
            raise InvalidInput(
                [
                    Problem(
                        "no header row found in the first 20 rows: one column must be named Action, "
                        'Step or Task (or map yours with --columns "Your Header=action")',
                        file=self.name,
                    )
                ]
            )
        _, index, fields, headers = best
        return index, fields, headers

    def _data_rows(self) -> list[_Row]:
        index, fields, headers = self._header()
        ignored = [headers[c] for c, f in fields.items() if f is Field.IGNORE]
        unknown = [h for c, h in enumerate(headers) if h and c not in fields and h not in ignored]
        if unknown:
            self.warn(index + 1, None, "columns not imported: " + ", ".join(repr(h) for h in unknown)
                      + ' (map them with --columns "Header=field")')  # fmt: skip
        names = {f: headers[c] for c, f in fields.items()}
        rows: list[_Row] = []
        phase = ""
        for offset, row in enumerate(self.rows[index + 1 :]):
            line = index + offset + 2
            cells = {f: row[c] for c, f in fields.items() if c < len(row) and f is not Field.IGNORE}
            filled = [_text(v) for v in row if _text(v)]
            if not filled:
                continue
            title = _text(cells.get(Field.ACTION))
            phase_cell = _text(cells.get(Field.PHASE))
            if not title:
                if len(filled) == 1 and not filled[0].isdigit():
                    phase = _phase_name(filled[0])
                    continue
                if phase_cell and all(
                    _text(v) in (phase_cell, "") or _text(v).isdigit() for v in cells.values()
                ):
                    phase = _phase_name(phase_cell)
                    continue
                if len(filled) == 1:
                    continue
                self.error(line, names[Field.ACTION], "the row has no action title")
                continue
            phase = _phase_name(phase_cell) or phase
            rows.append(_Row(line, cells, names, phase))
        if not rows and not self.errors:
            self.error(None, None, "no actions found below the header row")
        return rows

    # -- values --------------------------------------------------------------------------------

    def _day_first(self, rows: list[_Row]) -> bool:
        """Whether slashed dates are d/m/y: some have a first part above 12 and none a second."""
        firsts = seconds = False
        for row in rows:
            for f in (Field.DUE, Field.COMPLETED):
                match = _SLASHED.match(_text(row.cells.get(f)))
                if match:
                    firsts |= int(match.group(1)) > 12
                    seconds |= int(match.group(2)) > 12
        return firsts and not seconds

    def parse_date(self, value: Any, day_first: bool) -> date | datetime:
        """A date from a date cell, an Excel serial number or any common written form."""
        if isinstance(value, datetime):
            return value.date() if value.time() == time(0) else value.replace(second=0, microsecond=0)
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _serial(value)
        text = _WEEKDAY.sub("", _text(value)).strip().rstrip(".")
        if self.fmt:
            try:
                parsed = datetime.strptime(text, self.fmt)
                return parsed.date() if parsed.time() == time(0) else parsed
            except ValueError:
                pass
        if re.fullmatch(r"\d{4,5}(\.\d+)?", text):
            return _serial(float(text))
        for pattern, fmt in (
            (r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d"),
            (r"\d{4}/\d{1,2}/\d{1,2}", "%Y/%m/%d"),
            (r"\d{4}\.\d{1,2}\.\d{1,2}", "%Y.%m.%d"),
            (r"\d{1,2}\.\d{1,2}\.\d{4}", "%d.%m.%Y"),
            (r"\d{1,2}\.\d{1,2}\.\d{2}", "%d.%m.%y"),
        ):
            if re.fullmatch(pattern, text):
                return datetime.strptime(text, fmt).date()
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2})(:\d{2})?", text)
        if match:
            return datetime.strptime(f"{match.group(1)} {match.group(2)}", "%Y-%m-%d %H:%M")
        match = _SLASHED.match(text)
        if match:
            a, b, y = (int(g) for g in match.groups())
            year = y + 2000 if y < 100 else y
            month, day = (b, a) if day_first else (a, b)
            if month > 12:
                hint = "%d/%m/%Y" if not day_first else "%m/%d/%Y"
                raise ValueError(f"'{text}' is not a date read as {'d/m/Y' if day_first else 'm/d/Y'}; "
                                 f"if the sheet writes dates the other way, use --date-format {hint}")  # fmt: skip
            return date(year, month, day)
        return _named_month_date(text)

    def _date(self, row: _Row, f: Field, day_first: bool) -> date | datetime | None:
        value = row.cells.get(f)
        if not _text(value):
            return None
        try:
            return self.parse_date(value, day_first)
        except ValueError as exc:
            message = str(exc) if "'" in str(exc) else f"'{_text(value)}' is not a date: {exc}"
            if "is not a date" not in message:
                message = f"'{_text(value)}' is not a date (use YYYY-MM-DD, MM/DD/YYYY, 5-Mar-2027 or --date-format)"
            self.error(row.line, row.headers[f], message)
            return None

    def _flag(self, row: _Row, f: Field) -> bool | None:
        try:
            return parse_flag(_text(row.cells.get(f)))
        except ValueError as exc:
            self.error(row.line, row.headers[f], str(exc))
            return None

    def _side(self, row: _Row, buyer: str, seller: str) -> Side | str | None:
        text = _text(row.cells.get(Field.SIDE))
        if not text:
            return None
        side = side_of(text, buyer, seller)
        if side is None:
            self.error(row.line, row.headers[Field.SIDE], f"'{text}' is not a side: use Buyer, Seller (or Client, "
                       "Customer, Vendor, Provider) or Joint, or the party name given with --set buyer.name=...")  # fmt: skip
        return side

    # -- the plan ------------------------------------------------------------------------------

    def run(self) -> ImportResult:
        rows = self._data_rows()
        day_first = self._day_first(rows)
        buyer = str(self._set_value("buyer", "name") or "")
        seller = str(self._set_value("seller", "name") or "")
        people: dict[str, _Person] = {}
        person_ids: set[str] = set()
        action_ids: set[str] = set()
        phases: dict[str, dict[str, Any]] = {}
        phase_ids: set[str] = set()
        actions: list[tuple[_Row, dict[str, Any]]] = []

        parsed = [_parse_owner(_text(row.cells.get(Field.OWNER))) for row in rows]
        full_names = _full_names_by_first_name(names for names, _, _ in parsed)
        for row, (names, email, company) in zip(rows, parsed, strict=True):
            hint = side_of(company, buyer, seller) if company else None
            names = [full_names.get(n.casefold(), n) for n in names]
            if len(names) > 1:
                self.warn(row.line, row.headers[Field.OWNER], f"one owner per action: '{names[0]}' owns it, "
                          f"{', '.join(names[1:])} noted in its notes")  # fmt: skip
            owner = names[0] if names else UNASSIGNED
            if not names:
                self.warn(
                    row.line, row.headers.get(Field.OWNER, "Owner"), f"no owner: assigned to '{UNASSIGNED}'"
                )
            key = " ".join(owner.casefold().split())
            person = people.get(key)
            if person is not None and person.name.islower() and not owner.islower():
                person.name = owner
            if person is None:
                given_id = _text(row.cells.get(Field.OWNER_ID))
                wanted = given_id if re.fullmatch(ID_PATTERN, given_id) else slug(owner, 40)
                person = _Person(owner, _unique(wanted, person_ids, f"person-{len(people) + 1}"))
                person.first_row = row.line
                people[key] = person
            side = self._side(row, buyer, seller) if Field.SIDE in row.cells else None
            if side is None and email and not company:
                side = side_of(email.split("@")[1].split(".")[0], buyer, seller)
            side = side or hint
            if side == "joint":
                person.joint_rows.append(row.line)
            elif isinstance(side, Side):
                person.sides.append(side)
            role_text = _text(row.cells.get(Field.ROLE))
            if role_text and person.role is None:
                role = parse_role(role_text)
                if role is not None:
                    person.role = role.value
                elif person.title is None:
                    person.title = role_text
            person.title = person.title or _text(row.cells.get(Field.TITLE)) or None
            contact = _text(row.cells.get(Field.EMAIL))
            if contact and re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", contact):
                person.email = person.email or contact
            elif contact:
                self.warn(
                    row.line, row.headers[Field.EMAIL], f"'{contact}' is not an email address; not imported"
                )
            person.email = person.email or email

            title = _text(row.cells[Field.ACTION])
            phase_name = row.phase or "Plan"
            if phase_name not in phases:
                phases[phase_name] = {"id": _unique(slug(phase_name, 40), phase_ids, f"phase-{len(phases) + 1}"),
                                      "name": phase_name, "actions": []}  # fmt: skip
            given_id = _text(row.cells.get(Field.ID))
            base = (
                given_id
                if re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?", given_id) and not given_id.isdigit()
                else slug(title)
            )
            action: dict[str, Any] = {"id": _unique(base, action_ids, f"action-{len(actions) + 1}"), "title": title,
                                      "owner": person.id}  # fmt: skip
            due = self._date(row, Field.DUE, day_first)
            if due is not None:
                action["due"] = due
            completed = self._date(row, Field.COMPLETED, day_first)
            if isinstance(completed, datetime):
                completed = completed.date()
            status_text = _text(row.cells.get(Field.STATUS))
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
            milestone = self._flag(row, Field.MILESTONE)
            if milestone:
                action["milestone"] = True
            visible = self._visibility(row)
            if visible is False:
                action["visibility"] = "internal"
            for f, name in ((Field.OUTCOME, "outcome"), (Field.NOTES, "notes")):
                if _text(row.cells.get(f)):
                    action[name] = _text(row.cells.get(f))
            if len(names) > 1:
                also = "Also: " + ", ".join(n.strip() for n in names[1:])
                action["notes"] = f"{action['notes']}\n\n{also}" if "notes" in action else also
            phases[phase_name]["actions"].append(action)
            actions.append((row, action))

        self._dependencies(actions)
        stakeholders = self._stakeholders(people)
        if self.errors:
            raise InvalidInput(sorted(self.errors, key=_row_of))
        return self._finish(stakeholders, list(phases.values()), actions, rows)

    def _visibility(self, row: _Row) -> bool | None:
        for f, invert in ((Field.CLIENT_FACING, False), (Field.VISIBILITY, False), (Field.INTERNAL, True)):
            if f in row.cells:
                value = self._flag(row, f)
                if value is not None:
                    return not value if invert else value
        return None

    def _dependencies(self, actions: list[tuple[_Row, dict[str, Any]]]) -> None:
        by_number: dict[str, str] = {}
        by_key: dict[str, str] = {}
        for ordinal, (row, action) in enumerate(actions, start=1):
            number = _text(row.cells.get(Field.NUMBER)) or _text(row.cells.get(Field.ID))
            by_number.setdefault(number.lstrip("#").strip() if number else str(ordinal), action["id"])
            if Field.NUMBER not in row.cells:
                by_number.setdefault(str(ordinal), action["id"])
            given = _text(row.cells.get(Field.ID))
            for key in (given, action["id"], " ".join(action["title"].casefold().split())):
                if key:
                    by_key.setdefault(key.casefold(), action["id"])
        for row, action in actions:
            text = _text(row.cells.get(Field.DEPENDS_ON))
            if not text or text.lower() in ("-", "n/a", "na", "none"):
                continue
            deps: list[str] = []
            for token in (t.strip() for t in _SPLIT_DEPS.split(text) if t.strip()):
                ref = re.sub(r"^(#|step|row|item|no\.?)\s*", "", token, flags=re.I).strip()
                found = by_number.get(ref) if re.fullmatch(r"\d+(\.\d+)?", ref) else None
                found = found or by_key.get(" ".join(token.casefold().split())) or by_key.get(slug(token))
                if found is None:
                    hint = did_you_mean(token, [a["title"] for _, a in actions])
                    self.error(row.line, row.headers[Field.DEPENDS_ON], f"depends on '{token}', which is neither "
                               f"a row number (#) nor an action title{hint}")  # fmt: skip
                elif found == action["id"]:
                    self.error(row.line, row.headers[Field.DEPENDS_ON], "an action cannot depend on itself")
                elif found not in deps:
                    deps.append(found)
            if deps:
                action["depends_on"] = deps

    def _stakeholders(self, people: dict[str, _Person]) -> list[dict[str, Any]]:
        """Stakeholders, sides decided: the side most of a person's rows give; for someone who only
        owns Joint rows (or rows without a side), the seller side, which runs joint meetings."""
        result = []
        for person in people.values():
            if person.sides:
                side = max((Side.BUYER, Side.SELLER), key=person.sides.count)
                if len(set(person.sides)) > 1:
                    self.warn(person.first_row, None, f"'{person.name}' is on both sides in the sheet; "
                              f"imported as {side.value}")  # fmt: skip
            else:
                side = Side.SELLER
                why = "only owns Joint actions" if person.joint_rows else "has no Side"
                if person.name != UNASSIGNED:
                    self.warn(person.first_row, None, f"'{person.name}' {why}: imported on the seller side; "
                              "change stakeholders[].side if they are the buyer's")  # fmt: skip
            entry: dict[str, Any] = {"id": person.id, "name": person.name}
            if person.title:
                entry["title"] = person.title
            entry["side"] = side.value
            if person.role:
                entry["role"] = person.role
            if person.email:
                entry["email"] = person.email
            result.append(entry)
        return result

    def _finish(
        self,
        stakeholders: list[dict[str, Any]],
        phases: list[dict[str, Any]],
        actions: list[tuple[_Row, dict[str, Any]]],
        rows: list[_Row],
    ) -> ImportResult:
        from mapgen.instantiate import assign
        from mapgen.load import load_data

        completed = [a["completed"] for _, a in actions if "completed" in a]
        today = max([self.options.today or date(2000, 1, 1), *completed])
        dues = [(row, a) for row, a in actions if "due" in a]
        days = sorted(_day(a["due"]) for _, a in dues)
        todo: dict[str, str] = {}
        close_rows = [(row, a) for row, a in dues if _CLOSE_WORDS.search(a["title"])]
        milestone_rows = [(row, a) for row, a in dues if a.get("milestone")]
        pick = max(close_rows or milestone_rows or dues, key=lambda p: _day(p[1]["due"]), default=None)
        if pick is not None:
            target_close = _day(pick[1]["due"])
            todo["target_close"] = f"TODO: check; taken from row {pick[0].line} ('{pick[1]['title'][:40]}')"
            if close_rows and Field.MILESTONE not in pick[0].headers:
                pick[1]["milestone"] = True
        else:
            target_close = today + timedelta(days=30)
            todo["target_close"] = "TODO: the sheet has no dates; set the real close date"
        live = [
            (row, a)
            for row, a in dues
            if _GO_LIVE_WORDS.search(a["title"]) and _day(a["due"]) >= target_close
        ]
        buyer = self._set_value("buyer", "name")
        seller = self._set_value("seller", "name")
        stem = (
            re.sub(r"-(\d{4}-\d{2}-\d{2}|\d{8}|(v|rev|revision|r)?-?\d+)$", "", slug(self.path.stem))
            or "plan"
        )
        deal: dict[str, Any] = {
            "name": f"{buyer} deal" if buyer else "Deal name",
            "start": min([*days[:1], target_close]),
            "target_close": target_close,
        }
        if live:
            deal["go_live"] = _day(min(live, key=lambda p: _day(p[1]["due"]))[1]["due"])
        data: dict[str, Any] = {
            "mapgen": 1,
            "id": slug(f"{buyer} {seller}".strip(), 60) or stem if buyer else stem,
            "title": f"{buyer} x {seller}: Mutual Action Plan" if buyer and seller else "Mutual Action Plan",
            "revision": 1,
            "updated": today,
            "timezone": "UTC",
            "locale": "en-US",
            "seller": {"name": "Seller"},
            "buyer": {"name": "Buyer"},
            "deal": deal,
            "stakeholders": stakeholders,
            "phases": phases,
            "signoff": [],
        }
        for parts, value, text in self.sets:
            assign(data, parts, value, text)
        try:
            problems = load_data(data, self.path.resolve().parent)[1]
        except InvalidInput as exc:
            problems = exc.problems
        located = [self._locate(p, phases, actions) for p in problems]
        errors = [p for p in located if p.severity is Severity.ERROR]
        if errors:
            raise InvalidInput(errors)
        text = _to_yaml(data, self._comments(todo), self.name, len(rows))
        return ImportResult(
            text=text,
            warnings=tuple(self.warnings + [p for p in located if p.severity is Severity.WARNING]),
            actions=len(actions),
            stakeholders=len(stakeholders),
            phases=len(phases),
        )

    def _comments(self, todo: dict[str, str]) -> dict[str, str]:
        given = {".".join(str(p) for p in parts) for parts, _, _ in self.sets}
        notes = {
            "id": "TODO: stable id for the life of the deal (calendar links use it)",
            "title": "TODO: such as 'Acme x Northwind: Mutual Action Plan'",
            "updated": "date of this revision; status is computed as of it",
            "timezone": "TODO: your IANA zone, such as America/New_York",
            "seller.name": "TODO: your company (--set seller.name=...)",
            "buyer.name": "TODO: the buyer's company (--set buyer.name=...)",
            "deal.name": "TODO: what is being bought",
            "deal.start": "the earliest date in the sheet",
            "deal.target_close": todo["target_close"],
            "deal.go_live": "taken from the go-live row",
            "signoff": "TODO: ids of the people who sign the plan, such as one per side",
        }
        if {"buyer.name", "seller.name"} <= given:
            given.add("title")
        return {k: v for k, v in notes.items() if k not in given}

    def _locate(
        self, problem: Problem, phases: list[dict[str, Any]], actions: list[tuple[_Row, dict[str, Any]]]
    ) -> Problem:
        """A loader problem with the sheet row of the action it concerns, or `--set` as the place."""
        match = re.match(r"phases\[(\d+)\]\.actions\[(\d+)\]", problem.path)
        if match:
            action = phases[int(match.group(1))]["actions"][int(match.group(2))]
            row = next(r for r, a in actions if a is action)
            field_name = problem.path[match.end() :].lstrip(".").split("[")[0]
            column = _COLUMN_OF.get(field_name)
            where = self._where(row.line, row.headers.get(column) if column else None)
            return Problem(problem.message, "", where, None, problem.severity)
        return Problem(
            problem.message, problem.path, f"{self.name} (plan values and --set)", None, problem.severity
        )


_COLUMN_OF = {
    "title": Field.ACTION, "owner": Field.OWNER, "due": Field.DUE, "completed": Field.COMPLETED,
    "status": Field.STATUS, "depends_on": Field.DEPENDS_ON, "outcome": Field.OUTCOME, "notes": Field.NOTES,
}  # fmt: skip


def side_of(text: str, buyer: str, seller: str) -> Side | str | None:
    """Buyer, seller or "joint" from a side word or a party name (`Acme Corp` when it is the buyer)."""
    key = re.sub(r"[^a-z0-9]+", "", text.lower())
    if key in _JOINT:
        return "joint"
    for side, words in _SIDE_WORDS.items():
        if key in words:
            return side
    for side, name in ((Side.BUYER, buyer), (Side.SELLER, seller)):
        party = re.sub(r"[^a-z0-9]+", "", name.lower())
        if (
            party
            and key
            and (key == party or (len(key) >= 3 and (party.startswith(key) or key.startswith(party))))
        ):
            return side
    return None


def _row_of(problem: Problem) -> int:
    match = re.search(r":row (\d+)", problem.file)
    return int(match.group(1)) if match else 0


def _phase_name(text: str) -> str:
    """ "PHASE 1 - DISCOVERY" -> "Discovery": numbering dropped, shouting lowered."""
    name = (
        re.sub(r"^(phase|stage|step|part)\s*\d+\s*[-:–—.)]\s*", "", text.strip(), flags=re.I) or text.strip()
    )
    return name.title() if name.isupper() else name


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _serial(value: float) -> date | datetime:
    """An Excel serial day number (1900 date system) as a date; plausible years only."""
    if not 20_000 <= value <= 80_000:
        raise ValueError(f"'{value:g}' is not a date (as an Excel serial number it is outside 1954-2119)")
    day = _EXCEL_EPOCH + timedelta(days=int(value))
    minutes = round((value - int(value)) * 24 * 60)
    if minutes:
        return datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return day


def _named_month_date(text: str) -> date:
    """`5-Mar-2027`, `5 March 2027`, `Mar 5, 2027`, `March 5 2027`, `5-Mar-27`."""
    words = [w for w in re.split(r"[\s,/.-]+", text.lower()) if w]
    if len(words) == 3:
        numbers = [w for w in words if w.isdigit()]
        months = [w for w in words if w in _MONTHS]
        if len(numbers) == 2 and len(months) == 1:
            day_text, year_text = (
                (numbers[0], numbers[1]) if len(numbers[1]) >= len(numbers[0]) else numbers[::-1]
            )
            if len(year_text) in (2, 4):
                year = int(year_text) + (2000 if len(year_text) == 2 else 0)
                return date(year, _MONTHS[months[0]], int(day_text))
    raise ValueError(f"'{text}' is not a date (use YYYY-MM-DD, MM/DD/YYYY, 5-Mar-2027 or --date-format)")


def _to_yaml(data: dict[str, Any], comments: dict[str, str], source: str, rows: int) -> str:
    """The plan as commented YAML: block style, dependency lists inline, TODOs beside defaults."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def build(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            node = CommentedMap()
            for key, item in value.items():
                node[key] = build(item, f"{path}.{key}".lstrip("."))
                if f"{path}.{key}".lstrip(".") in comments:
                    node.yaml_add_eol_comment(comments[f"{path}.{key}".lstrip(".")], key)
            return node
        if isinstance(value, list):
            seq = CommentedSeq(build(item, path) for item in value)
            if path.endswith("depends_on"):
                seq.fa.set_flow_style()
            return seq
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return value

    document = build(data, "")
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.representer.ignore_aliases = lambda _data: True
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(document, out)
    header = (
        f"# Imported from {source} by mapgen import ({rows} rows).\n"
        "# Check the lines marked TODO, then: mapgen validate, mapgen render. Each time you re-share,\n"
        "# bump `revision` and `updated`; `mapgen diff` shows what changed between two revisions.\n"
    )
    return header + out.getvalue()


__all__ = [
    "ImportOptions",
    "ImportResult",
    "date_format",
    "import_sheet",
    "parse_columns",
    "read_rows",
    "slug",
]


_EMAIL_IN_OWNER = re.compile(r"<?([^\s<>@,;]+@[^\s<>@,;]+\.[A-Za-z]{2,})>?")


def _parse_owner(text: str) -> tuple[list[str], str | None, str | None]:
    """An owner cell's names, email and company: `Jane Doe (Acme)`, `Tom <tom@x.com>`, `Raj / Sam`."""
    match = _EMAIL_IN_OWNER.search(text)
    email = match.group(1) if match else None
    if match:
        text = (text[: match.start()] + text[match.end() :]).strip(" ()") or email.split("@")[0]  # type: ignore[union-attr]
    company = None
    in_parentheses = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", text)
    if in_parentheses:
        text, company = in_parentheses.group(1), in_parentheses.group(2)
    names = [n.strip() for n in _SPLIT_OWNERS.split(text) if n.strip()] if text else []
    return names, email, company


def _full_names_by_first_name(all_names: Any) -> dict[str, str]:
    """`raj` -> `Raj Patel` when exactly one full name in the sheet starts with that first name, so a
    cell saying "Raj / Sam" reaches the same person as the rows that spell the name out."""
    candidates: dict[str, set[str]] = {}
    for names in all_names:
        for name in names:
            first, _, rest = name.partition(" ")
            if rest:
                candidates.setdefault(first.casefold(), set()).add(name)
    return {first: next(iter(full)) for first, full in candidates.items() if len(full) == 1}
