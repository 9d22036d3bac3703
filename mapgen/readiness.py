"""`--ready`: is a valid plan fit to send to a buyer?

Validation says a plan can be rendered; readiness says it should be. It looks for what a plan made
from a template still carries (placeholders written `<<like this>>`, dates left in the past), dates
nobody works on (weekends and the public holidays of the plan's calendar), a go-live before the
close, signatories who cannot receive the document, empty objectives or metrics, and theme colours
that fail WCAG AA contrast. Each finding is a `Problem` with a field path, located in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mapgen.dates import BusinessCalendar
from mapgen.errors import Problem
from mapgen.spec import Plan, Status

if TYPE_CHECKING:
    from mapgen.load import LoadedPlan
    from mapgen.themes import Theme

PLACEHOLDER = re.compile(r"<<[^<>]{1,500}>>")
"""The one placeholder marker of every template: `<<What to write here>>`."""

AA_TEXT = 4.5
"""WCAG 2.x AA minimum contrast for body text."""
AA_LARGE = 3.0
"""WCAG 2.x AA minimum for large text (headings) and for graphics."""


def check_ready(loaded: LoadedPlan, theme: Theme | None = None) -> list[Problem]:
    """Every reason the plan is not ready to send, located in its file; [] when it is ready."""
    from mapgen.load import _locate
    from mapgen.source import read_plan_data

    plan = loaded.plan
    problems = [
        *placeholders(plan),
        *past_dates(plan),
        *closed_days(plan),
        *deal_order(plan),
        *unreachable_signatories(plan),
        *empty_sections(plan),
    ]
    lines: dict[str, int] = {}
    if loaded.path.is_file():
        _, lines = read_plan_data(loaded.path)
    located = sorted((_locate(p, str(loaded.path), lines) for p in problems), key=lambda p: p.line or 0)
    if theme is not None:
        located += contrast_problems(theme)
    return located


def placeholders(plan: Plan) -> Iterator[Problem]:
    """Every text still holding a template placeholder."""
    for path, text in _strings(plan.model_dump(mode="json", exclude_none=True), ""):
        match = PLACEHOLDER.search(text)
        if match:
            shown = " ".join(match.group(0).split())
            yield Problem(f"placeholder {shown} is still there: replace it", path)


def _strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    from mapgen.source import join_path

    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, join_path(path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, join_path(path, i))


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _actions(plan: Plan) -> Iterator[tuple[str, Any]]:
    for p, phase in enumerate(plan.phases):
        for a, action in enumerate(phase.actions):
            yield f"phases[{p}].actions[{a}]", action


def past_dates(plan: Plan) -> Iterator[Problem]:
    """In a first revision nothing has happened yet: an open action due before `updated` means the
    plan was back-planned into the past (a close date too near for the template)."""
    if plan.revision != 1:
        return
    for path, action in _actions(plan):
        due = _day(action.due)
        if due is not None and due < plan.updated and action.status is Status.NOT_STARTED:
            yield Problem(
                f"due {due}, before the plan's updated date {plan.updated}: a new plan would start "
                "with it late (move target_close later or drop the action)",
                f"{path}.due",
            )


def closed_days(plan: Plan) -> Iterator[Problem]:
    """Key dates and due dates that fall on a weekend or a public holiday of the plan's calendar."""
    calendar = BusinessCalendar(
        plan.calendar.country if plan.calendar else None,
        plan.calendar.subdivision if plan.calendar else None,
    )
    dates: list[tuple[str, date | None]] = [
        ("deal.target_close", plan.deal.target_close),
        ("deal.go_live", _day(plan.deal.go_live)),
    ]
    dates += [(f"{path}.due", _day(a.due)) for path, a in _actions(plan) if a.status is not Status.DONE]
    dates += [(f"metrics[{i}].measure_by", _day(m.measure_by)) for i, m in enumerate(plan.metrics)]
    for path, day in dates:
        if day is None:
            continue
        reason = calendar.closed_reason(day)
        if reason:
            yield Problem(f"{day} is {reason}: choose a working day", path)


def deal_order(plan: Plan) -> Iterator[Problem]:
    """Going live before signing is a typo or a plan nobody can follow."""
    go_live = _day(plan.deal.go_live)
    if go_live is not None and go_live < plan.deal.target_close:
        yield Problem(f"go-live {go_live} is before target_close {plan.deal.target_close}", "deal.go_live")


def unreachable_signatories(plan: Plan) -> Iterator[Problem]:
    """A signatory without an email cannot be sent the plan to sign."""
    people = {s.id: (i, s) for i, s in enumerate(plan.stakeholders)}
    for ref in plan.signoff:
        if ref in people and not people[ref][1].email:
            i, person = people[ref]
            yield Problem(f"{person.name} signs the plan but has no email", f"stakeholders[{i}].email")


def empty_sections(plan: Plan) -> Iterator[Problem]:
    """A plan without objectives or metrics gives the buyer nothing to agree to or measure."""
    if not plan.objectives:
        yield Problem("no objectives: say what the buyer wants to achieve", "objectives")
    for i, objective in enumerate(plan.objectives):
        if not objective.success_criteria:
            yield Problem(
                "no success criteria: say how success is judged", f"objectives[{i}].success_criteria"
            )
    if not plan.metrics:
        yield Problem("no metrics: give at least one KPI with a baseline and a target", "metrics")
    if not plan.signoff:
        yield Problem("nobody signs the plan: list the signatories in signoff", "signoff")


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a `#rrggbb` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio between two `#rrggbb` colours, from 1 to 21."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def contrast_problems(theme: Theme) -> list[Problem]:
    """Theme colour pairs that readers see together and that fall below WCAG AA."""
    colours, status = theme.tokens.colors, theme.tokens.status
    pairs: list[tuple[str, str, str, str, float]] = [
        ("colors.text", colours.text, "colors.background", colours.background, AA_TEXT),
        ("colors.text", colours.text, "colors.surface", colours.surface, AA_TEXT),
        ("colors.muted", colours.muted, "colors.background", colours.background, AA_TEXT),
        ("colors.accent", colours.accent, "colors.background", colours.background, AA_TEXT),
        ("colors.on_primary", colours.on_primary, "colors.primary", colours.primary, AA_TEXT),
        ("colors.primary", colours.primary, "colors.background", colours.background, AA_LARGE),
    ]
    for state, value in status.model_dump().items():
        pairs.append((f"status.{state}", value, "colors.background", colours.background, AA_TEXT))
    problems = []
    for name, colour, other_name, other, minimum in pairs:
        ratio = contrast_ratio(colour, other)
        if ratio < minimum:
            problems.append(
                Problem(
                    f"{colour} on {other_name} {other} has contrast {ratio:.2f}:1, "
                    f"below WCAG AA {minimum:g}:1",
                    f"tokens.{name}",
                    str(theme.dirs[0] / "theme.yaml"),
                )
            )
    return problems


__all__ = ["PLACEHOLDER", "check_ready", "contrast_problems", "contrast_ratio"]
