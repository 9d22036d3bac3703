"""The plan spec: pydantic models for every field of a plan file (DESIGN.md section 3).

Field names are a contract with users, docs and tests. Every model rejects unknown keys, every text
field is cleaned of control characters and capped in length, and the docstring under each field is
its documentation (it feeds `mapgen schema` and docs/spec.md).
"""

from __future__ import annotations

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

from mapgen.spec_values import (
    COUNTRY_PATTERN,
    CURRENCY_PATTERN,
    DEAL_ANCHORS,
    EMAIL_PATTERN,
    ID_PATTERN,
    MAX_DATE,
    MAX_LIST,
    MAX_NUMBER,
    MAX_REVISION,
    MIN_DATE,
    PATTERN_HINTS,
    SPEC_VERSION,
    URL_PATTERN,
    DocType,
    ForecastCategory,
    RelativeDate,
    Role,
    Side,
    Status,
    Visibility,
    check_locale,
    check_timezone,
    clean_text,
    in_date_range,
    one_line,
    parse_moment,
    parse_number,
    parse_plain_date,
    parse_when,
    when_json,
    written_date_readings,
)

Id = Annotated[
    str,
    DocType("id"),
    StringConstraints(pattern=ID_PATTERN),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN}),
]


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


Number = Annotated[
    float | int, DocType("number"), BeforeValidator(parse_number), WithJsonSchema({"type": "number"})
]

_WHEN_SCHEMA = {
    "type": "string",
    "description": "YYYY-MM-DD, 'YYYY-MM-DD HH:MM' in the plan's timezone, or ANCHOR [+|- N(d|bd|w)]",
    "pattern": r"^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?|[a-z0-9_-]+(\s+[+-]\s*\d+\s*(bd|d|w))?)$",
}

When = Annotated[
    Any,
    DocType("date, date-time or relative date"),
    BeforeValidator(parse_when),
    PlainSerializer(when_json, return_type=str, when_used="json"),
    WithJsonSchema(_WHEN_SCHEMA),
]
"""A due date: resolved to a `date` or an aware `datetime` by the loader."""


Moment = Annotated[
    Any,
    DocType("date or date-time"),
    BeforeValidator(parse_moment),
    PlainSerializer(when_json, return_type=str, when_used="json"),
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
    BeforeValidator(parse_plain_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date"}),
]


class _Model(BaseModel):
    """Field docstrings are the field docs; `mapgen.specdoc` reads them (not at import, for speed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
    timezone: Annotated[str, AfterValidator(check_timezone)] = "UTC"
    """IANA zone; times of day are in this zone."""
    locale: Annotated[str, AfterValidator(check_locale)] = "en-US"
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
    "MAX_DATE",
    "MAX_NUMBER",
    "MIN_DATE",
    "PATTERN_HINTS",
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
    "in_date_range",
    "written_date_readings",
]
