"""Dates in sheet cells, and whether a column writes day or month first.

`01/03/2027` is 1 March or 3 January depending on who typed it, so the reading is decided for a
whole column: a first number above 12 anywhere means day first, a second number above 12 means
month first. A column where every day is 12 or less cannot tell: then `--date-format`, a hint in
the header ("Due (DD/MM/YYYY)"), the plan's locale (`--set locale=en-GB`) or another date column
of the same sheet decides, and if nothing does, the import stops and says so. Text months (in
English, German, French, Spanish, Italian, Dutch and Portuguese), ISO dates, dotted day-first
dates and Excel serial numbers need no decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from mapgen.sheets.headers import Column
from mapgen.sheets.rows import SheetRow
from mapgen.sheets.vocabulary import Field, key

DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
READING_LABELS = {DAY_FIRST: "day first (DD/MM/YYYY)", MONTH_FIRST: "month first (MM/DD/YYYY)"}
_EXCEL_EPOCH = date(1899, 12, 30)
_WEEKDAY = re.compile(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$")
_MONTH_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")


@dataclass(frozen=True, slots=True)
class Reading:
    """How a column's slashed dates are read, and what decided it (for the summary)."""

    order: str
    reason: str

    def describe(self, column: str) -> str:
        return f"dates in '{column}' read {READING_LABELS[self.order]}: {self.reason}"


def date_format(pattern: str | None) -> str | None:
    """A strptime format from `%d.%m.%Y`, `DD.MM.YYYY` or `d.m.Y`."""
    if not pattern or "%" in pattern:
        return pattern
    tokens = {"YYYY": "%Y", "yyyy": "%Y", "YY": "%y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "Mon": "%b",
              "MM": "%m", "DD": "%d", "dd": "%d", "M": "%m", "m": "%m", "D": "%d", "d": "%d", "Y": "%Y",
              "y": "%y"}  # fmt: skip
    return re.sub("|".join(sorted(tokens, key=len, reverse=True)), lambda m: tokens[m.group(0)], pattern)


def order_of_format(fmt: str | None) -> str | None:
    """Day or month first, from a strptime format that has both."""
    if not fmt or "%d" not in fmt or "%m" not in fmt:
        return None
    return DAY_FIRST if fmt.index("%d") < fmt.index("%m") else MONTH_FIRST


def order_of_header(header: str) -> str | None:
    """ "Target Date (MM/DD/YYYY)" -> month first; "Due (dd.mm.)" -> day first."""
    found = re.search(r"\b(dd|d|mm|m)\s*[/.\-]\s*(dd|d|mm|m)\b", header, re.I)
    if not found:
        return None
    first = found.group(1).lower()
    return DAY_FIRST if first.startswith("d") else MONTH_FIRST


def order_of_locale(locale: str | None) -> str | None:
    """Day or month first in a locale's short date format (en-US month first, en-GB day first)."""
    if not locale:
        return None
    from babel import Locale, UnknownLocaleError

    try:
        pattern = Locale.parse(locale.replace("-", "_")).date_formats["short"].pattern
    except (UnknownLocaleError, ValueError, KeyError):
        return None
    day, month = pattern.find("d"), pattern.find("M")
    if day < 0 or month < 0 or pattern.find("y") < min(day, month):
        return None
    return DAY_FIRST if day < month else MONTH_FIRST


def evidence(texts: list[tuple[int, str]]) -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
    """The first cell proving day first, and the first proving month first, of a column."""
    day_first = month_first = None
    for line, text in texts:
        match = SLASHED.match(text)
        if not match:
            continue
        if int(match.group(1)) > 12 and day_first is None:
            day_first = (line, text)
        if int(match.group(2)) > 12 and month_first is None:
            month_first = (line, text)
    return day_first, month_first


def has_slashed(texts: list[tuple[int, str]]) -> bool:
    return any(SLASHED.match(text) for _, text in texts)


def parse_date(value: Any, fmt: str | None, order: str | None) -> date | datetime:
    """A date from a date cell, an Excel serial number or any common written form; ValueError
    says why not. `order` is the column's reading of slashed dates."""
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value.replace(second=0, microsecond=0)
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return serial(value)
    text = _WEEKDAY.sub("", str(value).strip()).strip().rstrip(".")
    if fmt:
        try:
            parsed = datetime.strptime(text, fmt)
            return parsed.date() if parsed.time() == time(0) else parsed
        except ValueError:
            pass
    if re.fullmatch(r"\d{4,5}(\.\d+)?", text):
        return serial(float(text))
    for pattern, form in (
        (r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d"),
        (r"\d{4}/\d{1,2}/\d{1,2}", "%Y/%m/%d"),
        (r"\d{4}\.\d{1,2}\.\d{1,2}", "%Y.%m.%d"),
        (r"\d{1,2}\.\d{1,2}\.\d{4}", "%d.%m.%Y"),
        (r"\d{1,2}\.\d{1,2}\.\d{2}", "%d.%m.%y"),
    ):
        if re.fullmatch(pattern, text):
            return datetime.strptime(text, form).date()
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2})(:\d{2})?", text)
    if match:
        return datetime.strptime(f"{match.group(1)} {match.group(2)}", "%Y-%m-%d %H:%M")
    match = SLASHED.match(text)
    if match:
        a, b, y = (int(g) for g in match.groups())
        year = y + 2000 if y < 100 else y
        month, day = (b, a) if order == DAY_FIRST else (a, b)
        if month > 12:
            hint = "%d/%m/%Y" if order != DAY_FIRST else "%m/%d/%Y"
            raise ValueError(f"'{text}' is not a date read {READING_LABELS[order or MONTH_FIRST]}; "
                             f"if the sheet writes dates the other way, use --date-format {hint}")  # fmt: skip
        return date(year, month, day)
    return named_month_date(text)


def serial(value: float) -> date | datetime:
    """An Excel serial day number (1900 date system) as a date; plausible years only."""
    if not 20_000 <= value <= 80_000:
        raise ValueError(f"'{value:g}' is not a date (as an Excel serial number it is outside 1954-2119)")
    day = _EXCEL_EPOCH + timedelta(days=int(value))
    minutes = round((value - int(value)) * 24 * 60)
    if minutes:
        return datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return day


@cache
def month_names() -> dict[str, int]:
    """Normalised month names and abbreviations in several languages (Babel's data) -> 1..12."""
    from babel import Locale

    found: dict[str, int] = {"sept": 9, "maerz": 3}
    for language in _MONTH_LANGUAGES:
        months = Locale.parse(language).months["format"]
        for width in ("wide", "abbreviated"):
            for number, name in months[width].items():
                found.setdefault(key(name), number)
    return found


def named_month_date(text: str) -> date:
    """`5-Mar-2027`, `15 März 2027`, `Mar 5, 2027`, `March 5 2027`, `5-Mar-27`, `5. Mai 2027`."""
    words = [w for w in re.split(r"[\s,/.\-]+", text.lower()) if w]
    if len(words) == 3:
        names = month_names()
        numbers = [w for w in words if w.isdigit()]
        months = [key(w) for w in words if not w.isdigit() and key(w) in names]
        if len(numbers) == 2 and len(months) == 1:
            day_text, year_text = (
                (numbers[0], numbers[1]) if len(numbers[1]) >= len(numbers[0]) else numbers[::-1]
            )
            if len(year_text) in (2, 4):
                year = int(year_text) + (2000 if len(year_text) == 2 else 0)
                return date(year, names[months[0]], int(day_text))
    raise ValueError(f"'{text}' is not a date (use YYYY-MM-DD, MM/DD/YYYY, 5-Mar-2027 or --date-format)")


class ColumnReadings:
    """Decides how each date column reads slashed dates, reporting columns that cannot tell."""

    def __init__(self, fmt: str | None, format_text: str | None, locale: Any, error: Any) -> None:
        self.fmt = fmt
        self.format_text = format_text
        self.locale = locale
        self.error = error
        self.readings: tuple[str, ...] = ()
        """What decided each column, for the summary."""

    def decide(self, rows: list[SheetRow], columns: list[Column]) -> dict[Field, str | None]:
        """Each date column's reading of slashed dates; an ambiguous column is an error."""
        headers = {c.field: c.header for c in columns}
        decided: dict[Field, Reading | None] = {}
        open_columns: list[tuple[Field, int, str]] = []
        for f in (Field.DUE, Field.COMPLETED):
            texts = [(r.line, r.text(f)) for r in rows if isinstance(r.cells.get(f), str)]
            day_first, month_first = evidence(texts)
            if day_first and month_first:
                self.error(month_first[0], headers[f], f"'{month_first[1]}' is month first but '{day_first[1]}' "
                           f"(row {day_first[0]}) is day first: write the column one way, or use --date-format")  # fmt: skip
            elif day_first or month_first:
                line, text = day_first or month_first  # type: ignore[misc]
                order = DAY_FIRST if day_first else MONTH_FIRST
                decided[f] = Reading(order, f"row {line} has {text}")
            elif has_slashed(texts):
                line, text = next((ln, t) for ln, t in texts if SLASHED.match(t))
                open_columns.append((f, line, text))
        locale = self.locale
        for f, line, text in open_columns:
            reading = self._decide(headers[f], locale, decided)
            if reading is None:
                self.error(line, headers[f], f"'{text}' could be day or month first, and no date in the column "
                           "tells (every day is 12 or less): say which with --date-format DD/MM/YYYY or "
                           "--date-format MM/DD/YYYY, or give the plan's locale (--set locale=en-GB)")  # fmt: skip
            decided[f] = reading
        self.readings = tuple(r.describe(headers[f]) for f, r in decided.items() if r is not None)
        return {f: r.order if r else None for f, r in decided.items()}

    def _decide(self, header: str, locale: Any, decided: dict[Field, Reading | None]) -> Reading | None:
        by_format = order_of_format(self.fmt)
        if by_format:
            return Reading(by_format, f"--date-format {self.format_text}")
        by_header = order_of_header(header)
        if by_header:
            return Reading(by_header, "its header says so")
        by_locale = order_of_locale(str(locale)) if locale else None
        if by_locale:
            return Reading(by_locale, f"the plan's locale {locale}")
        other = next((r for r in decided.values() if r is not None), None)
        if other:
            return Reading(other.order, f"as the sheet's other date column ({other.reason})")
        return None
