"""Relative dates (`target_close - 10bd`, `demo + 3bd`, `start + 2w`) and business days.

Resolved once at load time, so moving `target_close` moves every date written relative to it.
Business days skip weekends and the public holidays of the plan's `calendar`, taken from the
maintained `holidays` library (imported only when a plan actually counts business days).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from mapgen.errors import did_you_mean
from mapgen.spec_values import DEAL_ANCHORS, MAX_DATE, MIN_DATE, RelativeDate, in_date_range


class BusinessCalendar:
    """Weekends plus, when a country is given, that country's (and subdivision's) public holidays."""

    def __init__(self, country: str | None = None, subdivision: str | None = None) -> None:
        self.country = country
        self.subdivision = subdivision

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on `day`, or None (always None without a country)."""
        if self.country is None:
            return None
        from mapgen.holiday_cache import holidays_in

        return holidays_in(self.country, self.subdivision, day.year).get(day)

    def _weekday_holidays(self, day: date, target: date) -> int:
        """Holidays on weekdays after `day` up to and including `target` (either direction)."""
        if self.country is None:
            return 0
        from mapgen.holiday_cache import holidays_in

        low, high = (day + timedelta(days=1), target) if target > day else (target, day - timedelta(days=1))
        return sum(
            1
            for year in range(low.year, high.year + 1)
            for h in holidays_in(self.country, self.subdivision, year)
            if low <= h <= high and h.weekday() < 5
        )

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday(day) is None

    def closed_reason(self, day: date) -> str | None:
        """Why nobody works on `day` ("a Saturday", "a public holiday in US-NY (Juneteenth)"), or None."""
        if day.weekday() >= 5:
            return "a Saturday" if day.weekday() == 5 else "a Sunday"
        name = self.holiday(day)
        if name:
            region = (self.country or "") + (f"-{self.subdivision}" if self.subdivision else "")
            return f"a public holiday in {region} ({name})"
        return None

    def add_business_days(self, day: date, count: int) -> date:
        """`day` moved by `count` business days. Far moves jump whole weeks (5 weekdays each, less
        the holidays on weekdays in between), so `+ 9999bd` costs a few steps, not 14,000."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        while remaining > 10:
            weeks = (remaining - 5) // 5
            target = day + timedelta(weeks=weeks * step)
            if not MIN_DATE <= target <= MAX_DATE:
                return target  # past the plan date range: the caller reports it
            gained = weeks * 5 - self._weekday_holidays(day, target)
            if gained <= 0:
                break
            day, remaining = target, remaining - gained
        while remaining:
            if not MIN_DATE <= day <= MAX_DATE:
                return day  # past the plan date range: the caller reports it
            day += timedelta(days=step)
            if self.is_business_day(day):
                remaining -= 1
        return day


def shift(anchor: date, relative: RelativeDate, calendar: BusinessCalendar) -> date:
    """Apply a relative date's offset to its anchor's date; the result stays in the plan date range."""
    if relative.unit == "bd":
        day = calendar.add_business_days(anchor, relative.offset)
    else:
        days = relative.offset * (7 if relative.unit == "w" else 1)
        # Clamped to what `date` holds, so the range check (not an OverflowError) reports it.
        ordinal = min(max(anchor.toordinal() + days, date.min.toordinal()), date.max.toordinal())
        day = date.fromordinal(ordinal)
    return in_date_range(day, str(relative))


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

    Walks anchors with an explicit stack, so a chain of thousands of relative dates cannot
    exhaust Python's recursion limit. Errors (an unknown anchor, a cycle, an anchor without a
    date) are passed to `on_error` with the name they concern; that value, and every value
    counted from it, resolves to None so the rest still resolves.
    """
    resolved: dict[str, date | datetime | None] = {}
    for root in values:
        stack = [root]
        while stack:
            name = stack[-1]
            if name in resolved:
                stack.pop()
                continue
            value = values.get(name)
            if not isinstance(value, RelativeDate):
                resolved[name] = value
                stack.pop()
                continue
            try:
                if value.anchor not in values:
                    kinds = "start, target_close, go_live or an action id"
                    hint = did_you_mean(value.anchor, [n for n in values if not n.startswith("__")])
                    if hint:
                        raise UnknownAnchor(f"unknown anchor '{value.anchor}' in '{value}'{hint}")
                    raise UnknownAnchor(f"unknown anchor '{value.anchor}' in '{value}' (use {kinds})")
                if value.anchor in stack:
                    raise DateCycle([*stack[stack.index(value.anchor) :], value.anchor])
                if value.anchor not in resolved:
                    stack.append(value.anchor)
                    continue
                anchor = resolved[value.anchor]
                if anchor is None:
                    if isinstance(values[value.anchor], RelativeDate):
                        resolved[name] = None
                        stack.pop()
                        continue
                    raise UnknownAnchor(f"'{value.anchor}' has no date to count from")
                day = anchor.date() if isinstance(anchor, datetime) else anchor
                resolved[name] = shift(day, value, calendar)
                stack.pop()
            except ValueError as exc:
                members = exc.cycle if isinstance(exc, DateCycle) else [name]
                on_error(members[0], exc)
                for member in members:
                    resolved.setdefault(member, None)
                stack.pop()
    return resolved


def anchor_names(action_ids: list[str]) -> list[str]:
    """Every name a relative date may refer to, deal anchors first."""
    return [*DEAL_ANCHORS, *action_ids]


def first_of_month_after(day: date, months: int = 1) -> date:
    """The first day of the month `months` months after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s month through `last`'s: timeline columns and ticks."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = first_of_month_after(current)
    return months
