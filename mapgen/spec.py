"""The plan spec: pydantic models for every field of a plan file (DESIGN.md section 3).

Field names are a contract with users, docs and tests. Every model rejects unknown keys, every text
field is cleaned of control characters and capped in length, and the docstring under each field is
its documentation (it feeds `mapgen schema` and docs/spec.md).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    StringConstraints,
    WithJsonSchema,
    model_serializer,
)

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

Id = Annotated[
    str,
    DocType("id"),
    StringConstraints(pattern=ID_PATTERN),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN}),
]


def one_line(value: str) -> str:
    """A name or title on one line: line breaks and runs of spaces become single spaces (a break in
    a deal name would split a PDF subject or a calendar summary)."""
    return " ".join(clean_text(value).split())


Line = Annotated[
    str,
    DocType("text"),
    AfterValidator(one_line),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
]
Text = Annotated[str, DocType("text"), AfterValidator(clean_text), StringConstraints(max_length=2_000)]
Markdown = Annotated[
    str, DocType("Markdown"), AfterValidator(clean_text), StringConstraints(max_length=20_000)
]


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


def _number(value: Any) -> Any:
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


Number = Annotated[
    float | int, DocType("number"), BeforeValidator(_number), WithJsonSchema({"type": "number"})
]

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


def _when(value: Any) -> date | datetime | RelativeDate:
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
    raise ValueError(
        "expected a date (YYYY-MM-DD), a date-time (YYYY-MM-DD HH:MM) "
        "or a relative date such as 'target_close - 10bd'"
    )


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


def _when_json(value: date | datetime | RelativeDate) -> str:
    return str(value) if isinstance(value, RelativeDate) else value.isoformat()


_WHEN_SCHEMA = {
    "type": "string",
    "description": "YYYY-MM-DD, 'YYYY-MM-DD HH:MM' in the plan's timezone, or ANCHOR [+|- N(d|bd|w)]",
    "pattern": r"^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?|[a-z0-9_-]+(\s+[+-]\s*\d+\s*(bd|d|w))?)$",
}

When = Annotated[
    Any,
    DocType("date, date-time or relative date"),
    BeforeValidator(_when),
    PlainSerializer(_when_json, return_type=str, when_used="json"),
    WithJsonSchema(_WHEN_SCHEMA),
]
"""A due date: resolved to a `date` or an aware `datetime` by the loader."""


def _plain_date(value: Any) -> date:
    try:
        result = _when(value)
    except ValueError as exc:
        if str(exc).startswith("not a real date") or "that plan dates must lie in" in str(exc):
            raise
        if isinstance(value, str) and written_date_readings(value.strip()):
            raise
        result = None
    if isinstance(result, datetime) or not isinstance(result, date):
        raise ValueError("expected a date (YYYY-MM-DD)")
    return result


def _moment(value: Any) -> date | datetime:
    result = _when(value)
    if isinstance(result, RelativeDate):
        raise ValueError("expected a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM:SSZ)")
    return result


Moment = Annotated[
    Any,
    DocType("date or date-time"),
    BeforeValidator(_moment),
    PlainSerializer(_when_json, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "description": "YYYY-MM-DD, or a date-time such as 2027-01-20T14:03:00Z (no zone: the plan's timezone)",
            "pattern": r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?$",
        }
    ),
]
"""A day or a moment that has happened: no relative dates."""


PlainDate = Annotated[
    Any,
    DocType("date"),
    BeforeValidator(_plain_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", value):
            raise ValueError
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone '{value}' (for example America/New_York)") from None
    return value


def _locale(value: str) -> str:
    """A BCP 47 tag Babel has data for; a file lookup, not a load of the locale data."""
    from babel.localedata import exists

    if not re.fullmatch(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?", value) or not exists(
        value.replace("-", "_")
    ):
        raise ValueError(f"unknown locale '{value}' (for example en-US or de-DE)")
    return value


class _Model(BaseModel):
    """Field docstrings are the field docs; `mapgen.specdoc` reads them (not at import, for speed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Party(_Model):
    """One side of the deal."""

    name: Line
    """Organisation name as it should appear on the cover and in every artifact."""
    logo: Annotated[str, StringConstraints(max_length=300)] | None = None
    """PNG, JPEG or SVG file, relative to the plan file and inside its folder (no URLs)."""
    website: Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=500)] | None = None
    """https:// or http:// address of the organisation."""


class Money(_Model):
    amount: Annotated[Number, Field(ge=0)]
    """Amount in the currency's main unit."""
    currency: Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)]
    """ISO 4217 code, such as USD or EUR."""


class Deal(_Model):
    name: Line
    """What is being bought."""
    value: Money | None = None
    """Deal value."""
    start: When
    """When the plan starts: a date, or relative to target_close or go_live."""
    target_close: PlainDate
    """The date both sides aim to sign the contract."""
    go_live: When | None = None
    """When the buyer starts using what they bought: a date or relative to start or target_close."""
    compelling_event: Text | None = None
    """The buyer's reason to act by a date (a board review, a contract expiring)."""


class Stakeholder(_Model):
    id: Id
    """Unique among stakeholders; used as the owner of actions and in feed names."""
    name: Line
    """Full name."""
    title: Line | None = None
    """Job title."""
    side: Side
    """buyer or seller."""
    role: Role = Role.OTHER
    """The person's part in the deal."""
    email: Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254)] | None = None
    """Email address, used as the calendar attendee and in contact tables."""


class Objective(_Model):
    id: Id
    """Unique among objectives."""
    title: Line
    """What the buyer wants to achieve."""
    description: Markdown | None = None
    """Markdown."""
    success_criteria: Annotated[list[Line], Field(max_length=MAX_LIST)] = []
    """How both sides will know the objective is met."""
    owner: Id
    """Stakeholder id of the one person who owns the objective."""


class Action(_Model):
    id: Id
    """Unique among all actions of the plan; other actions depend on it by this id."""
    title: Line
    """The step to take, as a short imperative sentence."""
    owner: Id
    """Stakeholder id of the one person accountable for it."""
    due: When | None = None
    """Deadline: a date, a date-time in the plan's timezone, or relative (`target_close - 10bd`)."""
    status: Status = Status.NOT_STARTED
    """not_started, in_progress, done or blocked."""
    completed: PlainDate | None = None
    """When a done action was completed; never after `updated`."""
    depends_on: Annotated[list[Id], Field(max_length=MAX_LIST)] = []
    """Action ids (from any phase) that must be done first."""
    milestone: bool = False
    """A key date: shown on the timeline and in every calendar feed."""
    outcome: Text | None = None
    """What done looks like."""
    notes: Markdown | None = None
    """Markdown."""
    visibility: Visibility = Visibility.SHARED
    """`internal` keeps the action out of every buyer-facing artifact."""
    contributors: Annotated[list[Id], Field(max_length=MAX_LIST)] = []
    """Stakeholder ids, from either side, of people who work on it with the owner (the owner stays the one person accountable)."""

    @model_serializer(mode="wrap")
    def _without_empty_contributors(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave `contributors` out when empty, so plans written before the field existed keep
        their JSON and their fingerprint (a signed copy must still match its plan)."""
        data = handler(self)
        if not self.contributors:
            data.pop("contributors", None)
        return data


class Phase(_Model):
    id: Id
    """Unique among phases."""
    name: Line
    """Phase name, such as Evaluation."""
    description: Markdown | None = None
    """Markdown."""
    actions: list[Action] = []
    """The phase's actions, in order."""


class Metric(_Model):
    id: Id
    """Unique among metrics."""
    name: Line
    """What is measured."""
    unit: Annotated[str, AfterValidator(clean_text), StringConstraints(max_length=40)] = ""
    """Unit of the values: a currency code, %, hours, reports..."""
    baseline: Number
    """The value today."""
    target: Number
    """The value that proves success."""
    actual: Number | None = None
    """The latest measured value, if any."""
    measure_by: When
    """When the target should be reached: a date or relative (`go_live + 26w`)."""
    owner: Id
    """Stakeholder id of the person who measures it."""


class Calendar(_Model):
    country: Annotated[str, StringConstraints(pattern=COUNTRY_PATTERN)]
    """ISO 3166 country code whose public holidays business days skip (checked when a date counts business days)."""
    subdivision: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$")] | None = None
    """State or region code, such as NY."""


class Internal(_Model):
    """Seller-only data: never in a buyer-facing artifact."""

    forecast_category: ForecastCategory | None = None
    """pipeline, best_case, commit, closed or omitted."""
    probability: Annotated[float, Field(ge=0, le=1)] | None = None
    """Win probability from 0 to 1."""
    notes: Markdown | None = None
    """Markdown."""


class SignatureRecord(_Model):
    """One signatory's signature on one revision of the plan (`mapgen verify --plan` prints these)."""

    who: Id
    """Stakeholder id of the signatory (one of `signoff`)."""
    when: Moment
    """When they signed: a date or a date-time."""
    revision: Annotated[int, Field(ge=1, le=MAX_REVISION)]
    """The revision they signed (this one or an earlier one)."""


class Plan(_Model):
    """A Mutual Action Plan."""

    mapgen: Literal[1]
    """Spec format version: 1."""
    id: Id
    """Stable for the life of the deal: calendar UIDs and output file names derive from it."""
    title: Line
    """The plan's title."""
    revision: Annotated[int, Field(ge=1, le=MAX_REVISION)]
    """Whole number from 1 to 999,999, bumped whenever the plan is re-shared."""
    updated: PlainDate
    """Date of this revision; the default "as of" date for status."""
    timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    """IANA zone; times of day are in this zone."""
    locale: Annotated[str, AfterValidator(_locale)] = "en-US"
    """Locale for dates, numbers, currency and built-in labels, such as en-US or de-DE."""
    seller: Party
    """The selling organisation."""
    buyer: Party
    """The buying organisation."""
    deal: Deal
    """The deal and its key dates."""
    summary: Markdown | None = None
    """Markdown: why the buyer is doing this, in their words."""
    stakeholders: list[Stakeholder]
    """Everyone involved, on both sides."""
    objectives: list[Objective] = []
    """What the buyer wants to achieve."""
    phases: list[Phase]
    """The plan's phases in order, each with its actions."""
    metrics: list[Metric] = []
    """KPIs that prove success."""
    signoff: list[Id] = []
    """Stakeholder ids of the people who sign the plan."""
    signatures: list[SignatureRecord] = []
    """Who signed which revision and when; not part of the fingerprint, so recording a signature does not change the revision's identity."""
    calendar: Calendar | None = None
    """Holidays that business-day dates skip; weekends only when absent."""
    internal: Internal | None = None
    """Seller-only data."""

    def actions(self) -> list[tuple[Phase, Action]]:
        """Every action with its phase, in plan order."""
        return [(phase, action) for phase in self.phases for action in phase.actions]


__all__ = [
    "DEAL_ANCHORS",
    "SPEC_VERSION",
    "Action",
    "Calendar",
    "Deal",
    "ForecastCategory",
    "Internal",
    "Metric",
    "Money",
    "Objective",
    "Party",
    "Phase",
    "Plan",
    "RelativeDate",
    "Role",
    "Side",
    "Stakeholder",
    "Status",
    "Visibility",
    "clean_text",
]
