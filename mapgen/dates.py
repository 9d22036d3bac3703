"""Relative dates (`target_close - 10bd`, `demo + 3bd`, `start + 2w`) and business days.

Resolved once at load time, so moving `target_close` moves every date written relative to it.
Business days skip weekends and the public holidays of the plan's `calendar`, taken from the
maintained `holidays` library (imported only when a plan actually counts business days).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from mapgen.spec import DEAL_ANCHORS, RelativeDate


class BusinessCalendar:
    """Weekends plus, when a country is given, that country's (and subdivision's) public holidays."""

    def __init__(self, country: str | None = None, subdivision: str | None = None) -> None:
        self.country = country
        self.subdivision = subdivision

    @cached_property
    def _holidays(self) -> Any:
        """Imported on first use: the library loads every country, which only business days need."""
        if self.country is None:
            return {}
        import holidays

        try:
            return holidays.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError as exc:
            raise ValueError(
                f"calendar: no public holidays known for this country or subdivision ({exc})"
            ) from None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def add_business_days(self, day: date, count: int) -> date:
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_business_day(day):
                remaining -= 1
        return day


def shift(anchor: date, relative: RelativeDate, calendar: BusinessCalendar) -> date:
    """Apply a relative date's offset to its anchor's date."""
    if relative.unit == "bd":
        return calendar.add_business_days(anchor, relative.offset)
    days = relative.offset * (7 if relative.unit == "w" else 1)
    return anchor + timedelta(days=days)


class DateCycle(ValueError):
    """Relative dates that refer to each other in a loop."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("relative dates form a cycle: " + " -> ".join(cycle))
        self.cycle = cycle


class UnknownAnchor(ValueError):
    """A relative date whose anchor is neither a deal date nor an action id."""


def resolve_all(
    values: dict[str, date | datetime | RelativeDate | None],
    calendar: BusinessCalendar,
    on_error: Callable[[str, ValueError], None],
) -> dict[str, date | datetime | None]:
    """Resolve every named value; names are the deal anchors and action ids.

    Errors (an unknown anchor, a cycle, an anchor without a date) are passed to `on_error` with the
    name of the value they concern, and that value resolves to None so the rest still resolves.
    """
    resolved: dict[str, date | datetime | None] = {}
    visiting: list[str] = []

    def resolve(name: str) -> date | datetime | None:
        if name in resolved:
            return resolved[name]
        value = values.get(name)
        if not isinstance(value, RelativeDate):
            resolved[name] = value
            return value
        if name in visiting:
            cycle = [*visiting[visiting.index(name) :], name]
            raise DateCycle(cycle)
        if value.anchor not in values:
            kinds = "start, target_close, go_live or an action id"
            raise UnknownAnchor(f"unknown anchor '{value.anchor}' in '{value}' (use {kinds})")
        visiting.append(name)
        try:
            anchor = resolve(value.anchor)
        finally:
            visiting.pop()
        if anchor is None:
            raise UnknownAnchor(f"'{value.anchor}' has no date to count from")
        day = anchor.date() if isinstance(anchor, datetime) else anchor
        resolved[name] = shift(day, value, calendar)
        return resolved[name]

    for name in values:
        if name in resolved:
            continue
        try:
            resolve(name)
        except ValueError as exc:
            on_error(name, exc)
            if isinstance(exc, DateCycle):
                for member in exc.cycle:
                    resolved.setdefault(member, None)
            resolved.setdefault(name, None)
    return resolved


def anchor_names(action_ids: list[str]) -> list[str]:
    """Every name a relative date may refer to, deal anchors first."""
    return [*DEAL_ANCHORS, *action_ids]
