"""What changed between two revisions of a plan, for a human reader and for templates.

Both revisions are filtered for the audience first, so a buyer-facing summary cannot mention an
internal action or the internal block: they are simply not there to compare. Every change carries a
ready sentence (`summary`), and changes are ordered by what a reader must know first: key dates
that moved, then slips and blockers, then progress, then housekeeping.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapgen.audience import Audience, for_audience
from mapgen.rules import day_of
from mapgen.spec import Action, Plan, Status, Visibility

if TYPE_CHECKING:
    from mapgen.i18n import Localizer
    from mapgen.load import LoadedPlan

_STATUS_WORDS = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.DONE: "done",
    Status.BLOCKED: "blocked",
}
"""Statuses as words inside a sentence; translated through the catalogs like every label."""


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
    CONTRIBUTORS = "contributors"
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
    plan_id: str
    """The id of the older revision (a re-imported sheet may carry another one)."""
    since_revision: int
    since_updated: date
    revision: int
    updated: date
    changes: tuple[Change, ...]
    headline: str
    """`What changed since revision 4`, in the plan's language."""
    span: str
    """`Revision 4 (Jan 12, 2027) to revision 5 (Jan 26, 2027): 18 changes`, in the plan's language."""

    @property
    def summaries(self) -> tuple[str, ...]:
        """Each change's sentence, in order: what a template lists."""
        return tuple(c.summary for c in self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)


def _span_dates(
    t: Localizer, before: date | datetime | None, after: date | datetime | None
) -> dict[str, str]:
    return {"before": t.format_due(before), "after": t.format_due(after)}


def _days(t: Localizer, n: int) -> str:
    if n > 0:
        return t.ngettext("%(n)s day later", "%(n)s days later", n)
    return t.ngettext("%(n)s day earlier", "%(n)s days earlier", -n)


def _number(t: Localizer, value: float | None, unit: str = "") -> str:
    if value is None:
        return t.gettext("none")
    text = t.format_number(value)
    if unit == "%":
        return text + "%"
    if unit.lower() in _TIME_UNITS and float(value).is_integer():
        return _time_quantity(t, unit.lower().rstrip("s"), int(value))
    return f"{text} {unit}".strip()


_TIME_UNITS = frozenset({"day", "days", "week", "weeks", "hour", "hours", "month", "months"})
"""Metric units written in English that get the plural form of the plan's language ("1 day")."""


def _time_quantity(t: Localizer, unit: str, n: int) -> str:
    if unit == "day":
        return t.ngettext("%(n)s day", "%(n)s days", n)
    if unit == "week":
        return t.ngettext("%(n)s week", "%(n)s weeks", n)
    if unit == "hour":
        return t.ngettext("%(n)s hour", "%(n)s hours", n)
    return t.ngettext("%(n)s month", "%(n)s months", n)


def _quote(t: Localizer, title: str) -> str:
    return t.gettext('"%(title)s"') % {"title": title}


def compare(old: Plan, new: Plan, audience: Audience = Audience.BUYER) -> Changes:
    """The changes from `old` to `new` that `audience` may see.

    For the buyer every change is simply shared: an action made internal since the old revision
    reads as removed, and nothing says that it still exists or why.
    """
    from mapgen.i18n import localizer

    t = localizer(new.locale, new.timezone)
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

    for position, change in enumerate(_deal_changes(t, seen_old, seen_new)):
        add(position, change)

    old_actions = {a.id: (p.name, a) for p, a in seen_old.actions()}
    new_actions = {a.id: (p.name, a) for p, a in seen_new.actions()}
    titles = {i: a.title for i, (_, a) in (old_actions | new_actions).items()}
    buyer = audience is Audience.BUYER
    for action_id, (phase, action) in new_actions.items():
        shared = buyer or action_id not in internal_ids
        if action_id not in old_actions:
            words = {
                "title": _quote(t, action.title),
                "phase": phase,
                "owner": names_new.get(action.owner, action.owner),
            }
            if action.due:
                template = "New milestone %(title)s in %(phase)s, owned by %(owner)s, due %(date)s."
                if not action.milestone:
                    template = "New action %(title)s in %(phase)s, owned by %(owner)s, due %(date)s."
                words["date"] = t.format_due(action.due)
            else:
                template = "New milestone %(title)s in %(phase)s, owned by %(owner)s."
                if not action.milestone:
                    template = "New action %(title)s in %(phase)s, owned by %(owner)s."
            add(order[action_id], Change(Kind.ADDED, action_id, action.title, t.gettext(template) % words,
                after=_iso(action.due), milestone=action.milestone, shared=shared))  # fmt: skip
            continue
        before = old_actions[action_id][1]
        old_phase = old_actions[action_id][0]
        for change in _action_changes(t, before, action, old_phase, phase, names_old, names_new, titles):
            add(order[action_id], _with(change, shared=shared))
    for action_id, (phase, action) in old_actions.items():
        if action_id not in new_actions:
            template = "Milestone %(title)s was removed from %(phase)s."
            if not action.milestone:
                template = "Action %(title)s was removed from %(phase)s."
            summary = t.gettext(template) % {"title": _quote(t, action.title), "phase": phase}
            add(len(order), Change(Kind.REMOVED, action_id, action.title, summary, before=_iso(action.due),
                milestone=action.milestone, shared=buyer or action_id not in internal_ids))  # fmt: skip

    for position, change in enumerate(_metric_changes(t, seen_old, seen_new)):
        add(position, change)
    for position, change in enumerate(_people_changes(t, seen_old, seen_new)):
        add(position, change)
    if audience is Audience.INTERNAL:
        for position, change in enumerate(_internal_changes(t, old, new)):
            add(position, change)

    ranked = sorted(
        changes,
        key=lambda pair: (pair[1].importance, -abs(pair[1].days or 0) if pair[1].later else 0, pair[0]),
    )
    return Changes(
        audience=audience,
        plan_id=old.id,
        since_revision=old.revision,
        since_updated=old.updated,
        revision=new.revision,
        updated=new.updated,
        changes=tuple(change for _, change in ranked),
        headline=t.gettext("What changed since revision %(revision)s") % {"revision": old.revision},
        span=t.gettext("Revision %(old)s (%(old_date)s) to revision %(new)s (%(new_date)s): %(count)s")
        % {
            "old": old.revision,
            "old_date": t.format_date(old.updated),
            "new": new.revision,
            "new_date": t.format_date(new.updated),
            "count": t.ngettext("%(n)s change", "%(n)s changes", len(ranked)),
        },
    )


def comparison_warnings(old: LoadedPlan, new: LoadedPlan) -> list[str]:
    """What makes a comparison suspect: two different plans, or a re-share without a new revision."""
    warnings = []
    if old.plan.id != new.plan.id:
        warnings.append(
            f"{new.path}: warning: plan id '{new.plan.id}' differs from '{old.plan.id}' in {old.path}; "
            "check that they are two revisions of the same plan"
        )
    if old.plan.revision == new.plan.revision:
        warnings.append(
            f"{new.path}: warning: same revision {new.plan.revision} as {old.path}; "
            "bump `revision` in the newer plan before re-sharing it"
        )
    elif old.plan.revision > new.plan.revision:
        warnings.append(
            f"{old.path}: warning: revision {old.plan.revision} is later than {new.plan.revision} "
            f"in {new.path}; give the older plan first"
        )
    return warnings


def changes_since(old_path: Path, plans: list[Plan], audience: Audience) -> Changes:
    """For `render --since`: the changes from the plan file `old_path` to the one plan rendered.

    Plan ids may differ (a plan imported twice from differently named sheets may have two); the
    command line warns when they do.
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


def _with(change: Change, *, shared: bool) -> Change:
    return Change(change.kind, change.subject, change.title, change.summary, change.before, change.after,
                  change.days, change.milestone, shared)  # fmt: skip


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()


def _deal_changes(t: Localizer, old: Plan, new: Plan) -> list[Change]:
    labels = {"target_close": "Target close", "go_live": "Go-live", "start": "Plan start"}
    out = []
    for name in ("target_close", "go_live", "start"):
        before, after = day_of(getattr(old.deal, name)), day_of(getattr(new.deal, name))
        if before == after:
            continue
        label = t.gettext(labels[name])
        days = (after - before).days if before and after else None
        if days is not None:
            words = {"label": label, "days": _days(t, days), **_span_dates(t, before, after)}
            summary = t.gettext("%(label)s moved %(days)s, from %(before)s to %(after)s.") % words
        elif after:
            summary = t.gettext("%(label)s set to %(date)s.") % {"label": label, "date": t.format_due(after)}
        else:
            summary = t.gettext("%(label)s removed.") % {"label": label}
        out.append(Change(Kind.DEAL_DATE, name, label, summary, _iso(before), _iso(after), days, True))
    if old.deal.value != new.deal.value and new.deal.value is not None:
        value = new.deal.value
        money = t.format_money(value.amount, value.currency)
        out.append(Change(Kind.DEAL, "value", t.gettext("Deal value"),
                          t.gettext("Deal value is now %(value)s.") % {"value": money},
                          after=f"{value.amount} {value.currency}"))  # fmt: skip
    if old.deal.compelling_event != new.deal.compelling_event and new.deal.compelling_event:
        text = t.gettext("Compelling event updated: %(text)s") % {"text": new.deal.compelling_event}
        out.append(Change(Kind.DEAL, "compelling_event", t.gettext("Compelling event"), text))
    return out


def _action_changes(
    t: Localizer,
    old: Action,
    new: Action,
    old_phase: str,
    phase: str,
    names_old: dict[str, str],
    names_new: dict[str, str],
    titles: dict[str, str],
) -> list[Change]:
    out: list[Change] = []
    name = _quote(t, new.title)
    was_milestone = old.milestone and new.milestone
    label = t.gettext("Milestone %(title)s") % {"title": name} if was_milestone else name

    def change(
        kind: Kind, template: str, was_value: str | None = None, now_value: str | None = None, **words: Any
    ) -> None:
        """`words` fill the template (`before` and `after` among them); the values are the record's."""
        summary = t.gettext(template) % {"label": label, "name": name, **words}
        out.append(Change(kind, new.id, new.title, summary, was_value, now_value, milestone=new.milestone))

    before_day, after_day = day_of(old.due), day_of(new.due)
    if old.due != new.due:
        if before_day and after_day and before_day != after_day:
            days = (after_day - before_day).days
            kind = Kind.MILESTONE_MOVED if was_milestone else Kind.RESCHEDULED
            words = {"label": label, "days": _days(t, days), **_span_dates(t, old.due, new.due)}
            summary = t.gettext("%(label)s moved %(days)s, from %(before)s to %(after)s.") % words
            out.append(
                Change(kind, new.id, new.title, summary, _iso(old.due), _iso(new.due), days, new.milestone)
            )
        else:
            if new.due is None:
                template = "%(label)s no longer has a due date (was %(before)s)."
            elif old.due is None:
                template = "%(label)s is now due %(after)s (it had no due date)."
            else:
                template = "%(label)s is now due %(after)s (was %(before)s)."
            change(
                Kind.RESCHEDULED, template, _iso(old.due), _iso(new.due), **_span_dates(t, old.due, new.due)
            )
    if old.status != new.status:
        out.append(_status_change(t, old, new, label))
    if old.owner != new.owner:
        was, now = names_old.get(old.owner, old.owner), names_new.get(new.owner, new.owner)
        change(Kind.REASSIGNED, "%(label)s reassigned from %(was)s to %(now)s.", was, now, was=was, now=now)
    if set(old.contributors) != set(new.contributors):
        joined = ", ".join(names_new.get(c, c) for c in new.contributors if c not in old.contributors)
        left = ", ".join(names_old.get(c, c) for c in old.contributors if c not in new.contributors)
        if joined and left:
            template = "Contributors on %(label)s: added %(added)s, removed %(dropped)s."
        elif joined:
            template = "Contributors on %(label)s: added %(added)s."
        else:
            template = "Contributors on %(label)s: removed %(dropped)s."
        change(Kind.CONTRIBUTORS, template, ", ".join(old.contributors), ", ".join(new.contributors),
               added=joined, dropped=left)  # fmt: skip
    if old.title != new.title:
        change(Kind.RENAMED, "%(old)s renamed to %(name)s.", old.title, new.title, old=_quote(t, old.title))
    if old_phase != phase:
        change(Kind.RENAMED, "%(label)s moved from phase %(was)s to %(now)s.", old_phase, phase,
               was=old_phase, now=phase)  # fmt: skip
    if old.milestone != new.milestone:
        template = "%(name)s is now a milestone." if new.milestone else "%(name)s is no longer a milestone."
        change(Kind.STATUS, template)
    if set(old.depends_on) != set(new.depends_on):
        added = _quoted(t, [d for d in new.depends_on if d not in old.depends_on], titles)
        dropped = _quoted(t, [d for d in old.depends_on if d not in new.depends_on], titles)
        if added and dropped:
            template = "%(label)s now waits for %(added)s and no longer waits for %(dropped)s."
        elif added:
            template = "%(label)s now waits for %(added)s."
        else:
            template = "%(label)s no longer waits for %(dropped)s."
        change(Kind.DEPENDENCIES, template, ", ".join(old.depends_on), ", ".join(new.depends_on),
               added=added, dropped=dropped)  # fmt: skip
    if old.visibility != new.visibility:
        change(Kind.VISIBILITY, "%(label)s is now %(visibility)s.", old.visibility.value, new.visibility.value,
               visibility=t.gettext(new.visibility.value))  # fmt: skip
    return out


def _quoted(t: Localizer, ids: list[str], titles: dict[str, str]) -> str:
    """Actions named by their titles, as a reader knows them."""
    return ", ".join(_quote(t, titles.get(i, i)) for i in ids)


def _status_change(t: Localizer, old: Action, new: Action, label: str) -> Change:
    before, after = t.gettext(_STATUS_WORDS[old.status]), t.gettext(_STATUS_WORDS[new.status])
    words = {"label": label, "was": before, "now": after}
    kind = Kind.STATUS
    if new.status is Status.DONE:
        kind = Kind.COMPLETED
        when, due = (day_of(new.completed) if new.completed else None), day_of(new.due)
        if when is None:
            summary = t.gettext("%(label)s was completed.") % words
        elif due and when > due:
            late = (when - due).days
            days_late = t.ngettext("%(n)s day after its due date", "%(n)s days after its due date", late)
            words = {**words, "date": t.format_due(when), "late": days_late}
            summary = t.gettext("%(label)s was completed on %(date)s, %(late)s.") % words
        else:
            summary = t.gettext("%(label)s was completed on %(date)s.") % {
                **words,
                "date": t.format_due(when),
            }
    elif old.status is Status.DONE:
        kind, summary = Kind.REOPENED, t.gettext("%(label)s was reopened: now %(now)s.") % words
    elif new.status is Status.BLOCKED:
        kind, reason = Kind.BLOCKED, blocked_reason(new)
        if reason:
            summary = t.gettext("%(label)s is now blocked (was %(was)s): %(reason)s") % {
                **words,
                "reason": reason,
            }
        else:
            summary = t.gettext("%(label)s is now blocked (was %(was)s).") % words
    elif old.status is Status.BLOCKED:
        summary = t.gettext("%(label)s is no longer blocked: now %(now)s.") % words
    else:
        summary = t.gettext("%(label)s is now %(now)s (was %(was)s).") % words
    return Change(kind, new.id, new.title, summary, _STATUS_WORDS[old.status], _STATUS_WORDS[new.status],
                  milestone=new.milestone)  # fmt: skip


def blocked_reason(action: Action, limit: int = 200) -> str:
    """The first paragraph of a blocked action's notes, as plain text: why it is blocked."""
    if not action.notes:
        return ""
    paragraph = action.notes.strip().split("\n\n", 1)[0]
    text = " ".join(re.sub(r"[*_`<>]", "", paragraph).split())
    text = re.sub(r"^blocked\s*:\s*", "", text, flags=re.IGNORECASE)
    text = text[:1].upper() + text[1:]
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text if text.endswith((".", "…", "!", "?")) else text + "."


def _metric_changes(t: Localizer, old: Plan, new: Plan) -> list[Change]:
    out = []
    before = {m.id: m for m in old.metrics}
    for metric in new.metrics:
        was = before.get(metric.id)
        name = _quote(t, metric.name)
        if was is None:
            words = {
                "name": name,
                "baseline": _number(t, metric.baseline, metric.unit),
                "target": _number(t, metric.target, metric.unit),
                "date": t.format_due(metric.measure_by),
            }
            summary = t.gettext("New metric %(name)s: from %(baseline)s to %(target)s by %(date)s.") % words
            out.append(Change(Kind.METRIC, metric.id, metric.name, summary))
            continue
        parts = []
        for field, template in (
            ("actual", "actual now %(now)s (was %(was)s)"),
            ("target", "target now %(now)s (was %(was)s)"),
            ("baseline", "baseline now %(now)s (was %(was)s)"),
        ):
            if getattr(was, field) != getattr(metric, field):
                now, then = (
                    _number(t, getattr(metric, field), metric.unit),
                    _number(t, getattr(was, field), metric.unit),
                )
                parts.append(t.gettext(template) % {"now": now, "was": then})
        if was.measure_by != metric.measure_by:
            dates = {"now": t.format_due(metric.measure_by), "was": t.format_due(was.measure_by)}
            parts.append(t.gettext("measured by %(now)s (was %(was)s)") % dates)
        if parts:
            words = {
                "name": name,
                "parts": ", ".join(parts),
                "target": _number(t, metric.target, metric.unit),
            }
            template = (
                "%(name)s: %(parts)s; target %(target)s."
                if was.target == metric.target
                else "%(name)s: %(parts)s."
            )
            out.append(Change(Kind.METRIC, metric.id, metric.name, t.gettext(template) % words,
                              _number(t, was.actual), _number(t, metric.actual)))  # fmt: skip
    for metric_id, metric in before.items():
        if metric_id not in {m.id for m in new.metrics}:
            summary = t.gettext("Metric %(name)s was removed.") % {"name": _quote(t, metric.name)}
            out.append(Change(Kind.METRIC, metric_id, metric.name, summary))
    return out


def _people_changes(t: Localizer, old: Plan, new: Plan) -> list[Change]:
    before = {s.id: s for s in old.stakeholders}
    after = {s.id: s for s in new.stakeholders}
    out = []
    for person in new.stakeholders:
        if person.id not in before:
            org = new.buyer.name if person.side == "buyer" else new.seller.name
            words = {"name": person.name, "title": person.title or "", "org": org}
            template = (
                "%(name)s, %(title)s (%(org)s) joined the plan."
                if person.title
                else "%(name)s (%(org)s) joined the plan."
            )
            out.append(Change(Kind.STAKEHOLDER, person.id, person.name, t.gettext(template) % words))
    for person in old.stakeholders:
        if person.id not in after:
            summary = t.gettext("%(name)s left the plan.") % {"name": person.name}
            out.append(Change(Kind.STAKEHOLDER, person.id, person.name, summary))
    if old.signoff != new.signoff:
        names = ", ".join(after[i].name for i in new.signoff if i in after) or t.gettext("nobody")
        summary = t.gettext("Signatories are now %(names)s.") % {"names": names}
        out.append(Change(Kind.STAKEHOLDER, "signoff", t.gettext("Sign-off"), summary))
    return out


def _internal_changes(t: Localizer, old: Plan, new: Plan) -> list[Change]:
    before, after = old.internal, new.internal
    out = []
    for name, label in (("forecast_category", "Forecast category"), ("probability", "Win probability")):
        was = getattr(before, name, None) if before else None
        now = getattr(after, name, None) if after else None
        if was != now:
            words = {
                "label": t.gettext(label),
                "was": _internal_value(t, was),
                "now": _internal_value(t, now),
            }
            text = t.gettext("%(label)s moved from %(was)s to %(now)s.") % words
            out.append(Change(Kind.INTERNAL, name, t.gettext(label), text, None if was is None else str(was),
                              None if now is None else str(now), shared=False))  # fmt: skip
    return out


def _internal_value(t: Localizer, value: Any) -> str:
    if value is None:
        return t.gettext("unset")
    if isinstance(value, float):
        return t.format_percent(round(value * 100))
    return str(value).replace("_", " ")


def as_text(changes: Changes) -> str:
    """Plain text: a headline and one line per change."""
    lines = [_title(changes)]
    lines += [f"- {c.summary}{'' if c.shared else ' [internal]'}" for c in changes.changes]
    return "\n".join(lines) + "\n"


def as_markdown(changes: Changes) -> str:
    """Markdown: a heading, the revisions compared, one bullet per change."""
    lines = [f"## {changes.headline}", "", f"_{changes.span}_", ""]
    lines += [f"- {c.summary}{'' if c.shared else ' _(internal)_'}" for c in changes.changes]
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


def _title(changes: Changes) -> str:
    return f"{changes.headline}\n{changes.span}\n"


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
]
