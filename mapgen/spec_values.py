"""The values of a plan's fields, without pydantic: text cleaning, numbers, dates, enums and patterns.

`mapgen.spec` builds its models from these; `mapgen.plan_check` validates with a cached
pydantic-core validator that refers only to them, so `mapgen validate` needs neither the models
nor `pydantic.BaseModel` at start-up. Field validators raise ValueError with the message a plan's
author reads.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

SPEC_VERSION = 1

_UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]"
)
"""Control characters, bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069:
they make a calendar title or a name read differently from what it says), non-characters, lone
surrogates. Right-to-left text itself, and the LRM/RLM marks, are kept."""


def clean_text(value: str) -> str:
    """Drop control characters, bidi overrides, non-characters and lone surrogates; normalise to NFC.

    Every format chokes on them differently (python-docx raises, iCalendar passes them through),
    so they are removed once, here, before any renderer sees the text.
    """
    return unicodedata.normalize("NFC", _UNSAFE_CHARS.sub("", value.replace("\r\n", "\n")))


@dataclass(frozen=True, slots=True)
class DocType:
    """How docs/spec.md names a field type (pydantic ignores this marker)."""

    label: str


ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
EMAIL_PATTERN = r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$"
URL_PATTERN = r"^https?://[^\s<>\"]+$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
PATTERN_HINTS = {
    ID_PATTERN: "ids use lowercase letters, digits and inner hyphens, up to 64 characters",
    EMAIL_PATTERN: "not an email address",
    URL_PATTERN: "must be an https:// or http:// address",
    CURRENCY_PATTERN: "must be a three-letter ISO 4217 currency code such as USD",
    COUNTRY_PATTERN: "must be a two-letter ISO 3166 country code such as US",
}
"""Messages for pattern mismatches: a regular expression is no help to the person who wrote the plan."""


def one_line(value: str) -> str:
    """A name or title on one line: line breaks and runs of spaces become single spaces (a break in
    a deal name would split a PDF subject or a calendar summary)."""
    return " ".join(clean_text(value).split())


MAX_NUMBER = 10**15
"""Largest magnitude of a number in a plan (docs/limits.md): every value up to it is exact as a JSON
double and formats as money in any currency; beyond it lies only overflow (Babel's decimals fail)."""
MAX_REVISION = 999_999
MAX_LIST = 50
"""Items in a list inside one entry (dependencies, contributors, success criteria): a step waits on a
handful of others; 900 actions each depending on all before took 13 s to load (docs/limits.md)."""
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)
"""Every date of a plan, written or computed (`target_close + 9999w`), lies in this range, so no date
arithmetic (timelines, calendar end dates, business days) can leave Python's years 1 to 9999."""


def parse_number(value: Any) -> Any:
    """Accept finite ints and floats within ±MAX_NUMBER, not booleans; keep whole numbers as ints."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"numbers in a plan are at most {MAX_NUMBER:.0e} in size (got {value:.3g})")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_RELATIVE = re.compile(r"^\s*([a-z0-9_-]+)(?:\s+([+-])\s*(\d{1,4})\s*(bd|d|w))?\s*$")
DEAL_ANCHORS = ("start", "target_close", "go_live")


@dataclass(frozen=True, slots=True)
class RelativeDate:
    """A date written relative to a deal date or an action, such as `target_close - 10bd`."""

    anchor: str
    offset: int
    unit: Literal["d", "bd", "w"]

    def __str__(self) -> str:
        if not self.offset:
            return self.anchor
        sign = "+" if self.offset > 0 else "-"
        return f"{self.anchor} {sign} {abs(self.offset)}{self.unit}"

    @classmethod
    def parse(cls, text: str) -> RelativeDate | None:
        match = _RELATIVE.match(text)
        if not match:
            return None
        anchor, sign, count, unit = match.groups()
        offset = int(count or 0) * (-1 if sign == "-" else 1)
        return cls(anchor=anchor, offset=offset, unit=unit or "d")  # type: ignore[arg-type]


def in_date_range(value: date, written: str | None = None) -> date:
    """`value`, or a ValueError saying the range every plan date must lie in."""
    day = value.date() if isinstance(value, datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        what = f"'{written}' gives {day.isoformat()}" if written else f"date {day.isoformat()}"
        raise ValueError(
            f"{what}, outside the years {MIN_DATE.year} to {MAX_DATE.year} that plan dates must lie in"
        )
    return value


def parse_when(value: Any) -> date | datetime | RelativeDate:
    """Parse a date, a date-time or a relative date, with one clear message for all three."""
    if isinstance(value, datetime | date):
        return in_date_range(value)
    if isinstance(value, RelativeDate):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                parsed: date | None = date.fromisoformat(text)
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?", text):
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            else:
                parsed = None
        except ValueError as exc:
            raise ValueError(f"not a real date: '{text}' ({exc})") from None
        if parsed is not None:
            return in_date_range(parsed)
        readings = written_date_readings(text)
        if readings:
            raise ValueError(readings)
        relative = RelativeDate.parse(text)
        if relative is not None:
            return relative
    raise ValueError(EXPECTED_WHEN)


EXPECTED_WHEN = "expected a date (YYYY-MM-DD), a date-time (YYYY-MM-DD HH:MM) or a relative date such as 'target_close - 10bd'"
"""parse_when's one message for a value that is none of the three; its others name a real problem."""


_WRITTEN_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")


def written_date_readings(text: str) -> str | None:
    """For `12/03/2027` or `03.12.27`, a message giving every date it can mean, as YYYY-MM-DD."""
    match = _WRITTEN_DATE.fullmatch(text)
    if match is None:
        return None
    first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    year += 2000 if year < 100 else 0
    readings: list[tuple[date, str]] = []
    for month, day, order in ((first, second, "month/day"), (second, first, "day/month")):
        try:
            readings.append((date(year, month, day), order))
        except ValueError:
            continue
    if not readings:
        return f"'{text}' is not a real date; write dates as YYYY-MM-DD"
    if len({d for d, _ in readings}) == 1:
        return f"'{text}' is not in YYYY-MM-DD form: write {readings[0][0].isoformat()}"
    options = " or ".join(f"{d.isoformat()} ({order})" for d, order in readings)
    return f"'{text}' is ambiguous: write {options}, as YYYY-MM-DD"


def when_json(value: date | datetime | RelativeDate) -> str:
    return str(value) if isinstance(value, RelativeDate) else value.isoformat()


def parse_plain_date(value: Any) -> date:
    try:
        result = parse_when(value)
    except ValueError as exc:
        if str(exc) != EXPECTED_WHEN:
            raise
        result = None
    if isinstance(result, datetime) or not isinstance(result, date):
        raise ValueError("expected a date (YYYY-MM-DD)")
    return result


def parse_moment(value: Any) -> date | datetime:
    result = parse_when(value)
    if isinstance(result, RelativeDate):
        raise ValueError("expected a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM:SSZ)")
    return result


def check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", value):
            raise ValueError
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder (`US`), a name too long
        raise ValueError(f"unknown IANA timezone '{value}' (for example America/New_York)") from None
    return value


def check_locale(value: str) -> str:
    """A BCP 47 tag Babel has data for; a file lookup, not a load of the locale data."""
    from babel.localedata import exists

    if not re.fullmatch(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?", value) or not exists(
        value.replace("-", "_")
    ):
        raise ValueError(f"unknown locale '{value}' (for example en-US or de-DE)")
    return value


class Side(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


class Role(StrEnum):
    CHAMPION = "champion"
    ECONOMIC_BUYER = "economic_buyer"
    DECISION_MAKER = "decision_maker"
    TECHNICAL_EVALUATOR = "technical_evaluator"
    LEGAL = "legal"
    PROCUREMENT = "procurement"
    SECURITY = "security"
    END_USER = "end_user"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    ACCOUNT_EXECUTIVE = "account_executive"
    SALES_ENGINEER = "sales_engineer"
    CUSTOMER_SUCCESS = "customer_success"
    OTHER = "other"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class Visibility(StrEnum):
    SHARED = "shared"
    INTERNAL = "internal"


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"
