"""What changed between two revisions of a plan, for a human reader and for templates.

Both revisions are filtered for the audience first, so a buyer-facing summary cannot mention an
internal action or the internal block: they are simply not there to compare. Every change carries a
ready sentence (`summary`), and changes are ordered by what a reader must know first: key dates
that moved, then slips and blockers, then progress, then housekeeping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from mapgen.audience import Audience, for_audience
from mapgen.rules import day_of
from mapgen.spec import Action, Plan, Status, Visibility

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STATUS_WORDS = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.DONE: "done",
    Status.BLOCKED: "blocked",
}


class Kind(StrEnum):
    """What happened to one thing in the plan."""

    DEAL_DATE = "deal_date"
    MILESTONE_MOVED = "milestone_moved"
    BLOCKED = "blocked"
    REOPENED = "reopened"
    REMOVED = "removed"
    RESCHEDULED = "rescheduled"
    ADDED = "added"
    REASSIGNED = "reassigned"
    COMPLETED = "completed"
    STATUS = "status"
    METRIC = "metric"
    RENAMED = "renamed"
    DEPENDENCIES = "dependencies"
    VISIBILITY = "visibility"
    DEAL = "deal"
    STAKEHOLDER = "stakeholder"
    INTERNAL = "internal"


_IMPORTANCE = {kind: rank for rank, kind in enumerate(Kind)}


@dataclass(frozen=True, slots=True)
class Change:
    """One change, with the sentence a reader sees and the facts a template or script may use."""

    kind: Kind
    subject: str
    """The id of what changed: an action, a metric, a stakeholder, or a deal field name."""
    title: str
    """Its display name."""
    summary: str
    """A ready sentence: `Milestone "Contract signed" moved 7 days later, to Mar 12, 2027.`"""
    before: str | None = None
    after: str | None = None
    days: int | None = None
    """For moves: calendar days, positive when later."""
    milestone: bool = False
    shared: bool = True
    """False for a change the buyer never sees (only in the internal audience)."""

    @property
    def importance(self) -> int:
        """Lower comes first."""
        return _IMPORTANCE[self.kind]

    @property
    def later(self) -> bool:
        return (self.days or 0) > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "title": self.title,
            "summary": self.summary,
            "before": self.before,
            "after": self.after,
            "days": self.days,
            "milestone": self.milestone,
            "shared": self.shared,
        }


@dataclass(frozen=True, slots=True)
class Changes:
    """Every change from one revision to another, most important first."""

    audience: Audience
    since_revision: int
    since_updated: date
    revision: int
    updated: date
    changes: tuple[Change, ...]

    @property
    def summaries(self) -> tuple[str, ...]:
        """Each change's sentence, in order: what a template lists."""
        return tuple(c.summary for c in self.changes)

    @property
    def headline(self) -> str:
        return f"What changed since revision {self.since_revision}"

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)


def fmt_date(value: date | datetime | None) -> str:
    """`Mar 5, 2027` (`Mar 5, 2027 14:00` for a time): the same on every machine."""
    if value is None:
        return "no date"
    text = f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"
    if isinstance(value, datetime):
        text += f" {value:%H:%M}"
    return text


def _span_dates(before: date | datetime, after: date | datetime) -> str:
    """`from Mar 5 to Mar 12, 2027`: the year once when both dates share it."""
    first = fmt_date(before)
    if before.year == after.year:
        first = first.replace(f", {before.year}", "")
    return f"from {first} to {fmt_date(after)}"


def _days(n: int) -> str:
    return f"{abs(n)} day{'s' if abs(n) != 1 else ''} {'later' if n > 0 else 'earlier'}"


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "none"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip() if unit and unit != "%" else text + ("%" if unit == "%" else "")


def compare(old: Plan, new: Plan, audience: Audience = Audience.BUYER) -> Changes:
    """The changes from `old` to `new` that `audience` may see.

    For the buyer every change is simply shared: an action made internal since the old revision
    reads as removed, and nothing says that it still exists or why.
    """
    seen_old, seen_new = for_audience(old, audience), for_audience(new, audience)
    internal_ids = {a.id for _, a in new.actions() if a.visibility is Visibility.INTERNAL} | {
        a.id for _, a in old.actions() if a.visibility is Visibility.INTERNAL
    }
    changes: list[tuple[int, Change]] = []
    order = {a.id: i for i, (_, a) in enumerate(seen_new.actions())}
    names_old = {s.id: s.name for s in seen_old.stakeholders}
    names_new = {s.id: s.name for s in seen_new.stakeholders}

    def add(position: int, change: Change) -> None:
        changes.append((position, change))

    for position, change in enumerate(_deal_changes(seen_old, seen_new)):
        add(position, change)

    old_actions = {a.id: (p.name, a) for p, a in seen_old.actions()}
    new_actions = {a.id: (p.name, a) for p, a in seen_new.actions()}
    titles = {i: a.title for i, (_, a) in (old_actions | new_actions).items()}
    buyer = audience is Audience.BUYER
    for action_id, (phase, action) in new_actions.items():
        shared = buyer or action_id not in internal_ids
        if action_id not in old_actions:
            owner = names_new.get(action.owner, action.owner)
            due = f", due {fmt_date(action.due)}" if action.due else ""
            kind_word = "milestone" if action.milestone else "action"
            add(order[action_id], Change(Kind.ADDED, action_id, action.title,
                f'New {kind_word} "{action.title}" in {phase}, owned by {owner}{due}.',
                after=_iso(action.due), milestone=action.milestone, shared=shared))  # fmt: skip
            continue
        before = old_actions[action_id][1]
        old_phase = old_actions[action_id][0]
        for change in _action_changes(before, action, old_phase, phase, names_old, names_new, titles):
            add(order[action_id], _with(change, shared=shared))
    for action_id, (phase, action) in old_actions.items():
        if action_id not in new_actions:
            kind_word = "Milestone" if action.milestone else "Action"
            add(len(order), Change(Kind.REMOVED, action_id, action.title,
                f'{kind_word} "{action.title}" was removed from {phase}.', before=_iso(action.due),
                milestone=action.milestone, shared=buyer or action_id not in internal_ids))  # fmt: skip

    for position, change in enumerate(_metric_changes(seen_old, seen_new, names_new)):
        add(position, change)
    for position, change in enumerate(_people_changes(seen_old, seen_new)):
        add(position, change)
    if audience is Audience.INTERNAL:
        for position, change in enumerate(_internal_changes(old, new)):
            add(position, change)

    ranked = sorted(
        changes,
        key=lambda pair: (pair[1].importance, -abs(pair[1].days or 0) if pair[1].later else 0, pair[0]),
    )
    return Changes(
        audience=audience,
        since_revision=old.revision,
        since_updated=old.updated,
        revision=new.revision,
        updated=new.updated,
        changes=tuple(change for _, change in ranked),
    )


def changes_since(old_path: Path, plans: list[Plan], audience: Audience) -> Changes:
    """For `render --since`: the changes from the plan file `old_path` to the one plan rendered.

    Plan ids are not compared: a plan imported twice from differently named sheets may have two.
    """
    from mapgen.errors import UsageError
    from mapgen.load import load_plan

    if len(plans) != 1:
        raise UsageError("--since compares two revisions of one plan: render one plan at a time")
    old = load_plan(old_path).plan
    if old.revision > plans[0].revision:
        raise UsageError(
            f"--since {old_path} is revision {old.revision}, later than the plan's {plans[0].revision}"
        )
    return compare(old, plans[0], audience)


def _quoted(ids: list[str], titles: dict[str, str]) -> str:
    """Actions named by their titles, as a reader knows them."""
    return ", ".join(f'"{titles.get(i, i)}"' for i in ids)


def _with(change: Change, *, shared: bool) -> Change:
    return Change(change.kind, change.subject, change.title, change.summary, change.before, change.after,
                  change.days, change.milestone, shared)  # fmt: skip


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()


def _deal_changes(old: Plan, new: Plan) -> list[Change]:
    labels = {"target_close": "Target close", "go_live": "Go-live", "start": "Plan start"}
    out = []
    for name in ("target_close", "go_live", "start"):
        before, after = day_of(getattr(old.deal, name)), day_of(getattr(new.deal, name))
        if before == after:
            continue
        if before and after:
            days = (after - before).days
            summary = f"{labels[name]} moved {_days(days)}, {_span_dates(before, after)}."
        else:
            days = None
            summary = f"{labels[name]} {'set to ' + fmt_date(after) if after else 'removed'}."
        out.append(Change(Kind.DEAL_DATE, name, labels[name], summary, _iso(before), _iso(after), days, True))
    if old.deal.value != new.deal.value and new.deal.value is not None:
        value = new.deal.value
        out.append(Change(Kind.DEAL, "value", "Deal value",
                          f"Deal value is now {_number(value.amount)} {value.currency}.",
                          after=f"{value.amount} {value.currency}"))  # fmt: skip
    if old.deal.compelling_event != new.deal.compelling_event and new.deal.compelling_event:
        out.append(Change(Kind.DEAL, "compelling_event", "Compelling event",
                          f"Compelling event updated: {new.deal.compelling_event}"))  # fmt: skip
    return out


def _action_changes(
    old: Action,
    new: Action,
    old_phase: str,
    phase: str,
    names_old: dict[str, str],
    names_new: dict[str, str],
    titles: dict[str, str],
) -> list[Change]:
    out: list[Change] = []
    name = f'"{new.title}"'
    was_milestone = old.milestone and new.milestone
    label = ("Milestone " if was_milestone else "") + name
    before_day, after_day = day_of(old.due), day_of(new.due)
    if old.due != new.due:
        if before_day and after_day and before_day != after_day:
            days = (after_day - before_day).days
            kind = Kind.MILESTONE_MOVED if was_milestone else Kind.RESCHEDULED
            summary = f"{label} moved {_days(days)}, {_span_dates(old.due, new.due)}."
            out.append(
                Change(kind, new.id, new.title, summary, _iso(old.due), _iso(new.due), days, new.milestone)
            )
        else:
            summary = f"{label} is now due {fmt_date(new.due)} (was {fmt_date(old.due)})."
            out.append(Change(Kind.RESCHEDULED, new.id, new.title, summary, _iso(old.due), _iso(new.due),
                              None, new.milestone))  # fmt: skip
    if old.status != new.status:
        out.append(_status_change(old, new, label))
    if old.owner != new.owner:
        was, now = names_old.get(old.owner, old.owner), names_new.get(new.owner, new.owner)
        out.append(Change(Kind.REASSIGNED, new.id, new.title, f"{label} reassigned from {was} to {now}.",
                          was, now, milestone=new.milestone))  # fmt: skip
    if old.title != new.title:
        out.append(Change(Kind.RENAMED, new.id, new.title, f'"{old.title}" renamed to {name}.',
                          old.title, new.title, milestone=new.milestone))  # fmt: skip
    if old_phase != phase:
        out.append(Change(Kind.RENAMED, new.id, new.title, f"{label} moved from {old_phase} to {phase}.",
                          old_phase, phase, milestone=new.milestone))  # fmt: skip
    if old.milestone != new.milestone:
        what = "is now a milestone" if new.milestone else "is no longer a milestone"
        out.append(Change(Kind.STATUS, new.id, new.title, f"{name} {what}.", milestone=new.milestone))
    if set(old.depends_on) != set(new.depends_on):
        added = [d for d in new.depends_on if d not in old.depends_on]
        dropped = [d for d in old.depends_on if d not in new.depends_on]
        parts = ([f"now waits for {_quoted(added, titles)}"] if added else []) + (
            [f"no longer waits for {_quoted(dropped, titles)}"] if dropped else []
        )
        out.append(Change(Kind.DEPENDENCIES, new.id, new.title, f"{label} {' and '.join(parts)}.",
                          ", ".join(old.depends_on), ", ".join(new.depends_on), milestone=new.milestone))  # fmt: skip
    if old.visibility != new.visibility:
        out.append(Change(Kind.VISIBILITY, new.id, new.title, f"{label} is now {new.visibility.value}.",
                          old.visibility.value, new.visibility.value, milestone=new.milestone))  # fmt: skip
    return out


def _status_change(old: Action, new: Action, label: str) -> Change:
    before, after = _STATUS_WORDS[old.status], _STATUS_WORDS[new.status]
    if new.status is Status.DONE:
        when = day_of(new.completed) if new.completed else None
        late = ""
        due = day_of(new.due)
        if when and due and when > due:
            late = f", {(when - due).days} day{'s' * ((when - due).days != 1)} after its due date"
        on = f" on {fmt_date(when)}" if when else ""
        return Change(Kind.COMPLETED, new.id, new.title, f"{label} was completed{on}{late}.", before, after,
                      milestone=new.milestone)  # fmt: skip
    if old.status is Status.DONE:
        return Change(Kind.REOPENED, new.id, new.title, f"{label} was reopened: now {after}.", before, after,
                      milestone=new.milestone)  # fmt: skip
    if new.status is Status.BLOCKED:
        return Change(Kind.BLOCKED, new.id, new.title, f"{label} is now blocked (was {before}).", before, after,
                      milestone=new.milestone)  # fmt: skip
    if old.status is Status.BLOCKED:
        return Change(Kind.STATUS, new.id, new.title, f"{label} is no longer blocked: now {after}.", before,
                      after, milestone=new.milestone)  # fmt: skip
    return Change(Kind.STATUS, new.id, new.title, f"{label} is now {after} (was {before}).", before, after,
                  milestone=new.milestone)  # fmt: skip


def _metric_changes(old: Plan, new: Plan, names: dict[str, str]) -> list[Change]:
    out = []
    before = {m.id: m for m in old.metrics}
    for metric in new.metrics:
        was = before.get(metric.id)
        if was is None:
            out.append(Change(Kind.METRIC, metric.id, metric.name,
                              f'New metric "{metric.name}": from {_number(metric.baseline, metric.unit)} to '
                              f"{_number(metric.target, metric.unit)} by {fmt_date(metric.measure_by)}."))  # fmt: skip
            continue
        parts = []
        if was.actual != metric.actual:
            parts.append(
                f"actual now {_number(metric.actual, metric.unit)} (was {_number(was.actual, metric.unit)})"
            )
        if was.target != metric.target:
            parts.append(
                f"target now {_number(metric.target, metric.unit)} (was {_number(was.target, metric.unit)})"
            )
        if was.baseline != metric.baseline:
            parts.append(
                f"baseline now {_number(metric.baseline, metric.unit)} (was {_number(was.baseline, metric.unit)})"
            )
        if was.measure_by != metric.measure_by:
            parts.append(f"measured by {fmt_date(metric.measure_by)} (was {fmt_date(was.measure_by)})")
        if parts:
            target = f"; target {_number(metric.target, metric.unit)}" if was.target == metric.target else ""
            out.append(Change(Kind.METRIC, metric.id, metric.name, f'"{metric.name}": {", ".join(parts)}{target}.',
                              _number(was.actual), _number(metric.actual)))  # fmt: skip
    for metric_id, metric in before.items():
        if metric_id not in {m.id for m in new.metrics}:
            out.append(Change(Kind.METRIC, metric_id, metric.name, f'Metric "{metric.name}" was removed.'))
    return out


def _people_changes(old: Plan, new: Plan) -> list[Change]:
    before = {s.id: s for s in old.stakeholders}
    after = {s.id: s for s in new.stakeholders}
    out = []
    for person in new.stakeholders:
        if person.id not in before:
            org = new.buyer.name if person.side == "buyer" else new.seller.name
            title = f", {person.title}" if person.title else ""
            out.append(
                Change(
                    Kind.STAKEHOLDER, person.id, person.name, f"{person.name}{title} ({org}) joined the plan."
                )
            )
    for person in old.stakeholders:
        if person.id not in after:
            out.append(Change(Kind.STAKEHOLDER, person.id, person.name, f"{person.name} left the plan."))
    if old.signoff != new.signoff:
        names = ", ".join(after[i].name for i in new.signoff if i in after) or "nobody"
        out.append(Change(Kind.STAKEHOLDER, "signoff", "Sign-off", f"Signatories are now {names}."))
    return out


def _internal_changes(old: Plan, new: Plan) -> list[Change]:
    before, after = old.internal, new.internal
    out = []
    for name, label in (("forecast_category", "Forecast category"), ("probability", "Win probability")):
        was = getattr(before, name, None) if before else None
        now = getattr(after, name, None) if after else None
        if was != now:
            text = f"{label} moved from {_internal_value(was)} to {_internal_value(now)}."
            out.append(Change(Kind.INTERNAL, name, label, text, None if was is None else str(was),
                              None if now is None else str(now), shared=False))  # fmt: skip
    return out


def _internal_value(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, float):
        return f"{value:.0%}"
    return str(value).replace("_", " ")


def as_text(changes: Changes) -> str:
    """Plain text: a headline and one line per change."""
    lines = [_title(changes)]
    lines += [f"- {c.summary}{'' if c.shared else ' [internal]'}" for c in changes.changes] or ["No changes."]
    return "\n".join(lines) + "\n"


def as_markdown(changes: Changes) -> str:
    """Markdown: a heading, the revisions compared, one bullet per change."""
    lines = [f"## {changes.headline}", "", f"_{_span(changes)}_", ""]
    lines += [f"- {c.summary}{'' if c.shared else ' _(internal)_'}" for c in changes.changes] or [
        "No changes."
    ]
    return "\n".join(lines) + "\n"


def as_document(changes: Changes) -> dict[str, Any]:
    """The changes as plain JSON data: `mapgen diff --format json` and the json format's `changes`."""
    return {
        "audience": changes.audience.value,
        "from": {"revision": changes.since_revision, "updated": changes.since_updated.isoformat()},
        "to": {"revision": changes.revision, "updated": changes.updated.isoformat()},
        "changes": [c.as_dict() for c in changes.changes],
    }


def as_json(changes: Changes) -> str:
    return json.dumps(as_document(changes), indent=2, ensure_ascii=False) + "\n"


def _span(changes: Changes) -> str:
    count = len(changes)
    return (
        f"Revision {changes.since_revision} ({fmt_date(changes.since_updated)}) to revision "
        f"{changes.revision} ({fmt_date(changes.updated)}): {count} change{'s' * (count != 1)}"
    )


def _title(changes: Changes) -> str:
    return f"{changes.headline}\n{_span(changes)}\n"


__all__ = [
    "Change",
    "Changes",
    "Kind",
    "as_document",
    "as_json",
    "as_markdown",
    "as_text",
    "changes_since",
    "compare",
    "fmt_date",
]
