"""Plan -> frozen view: every derived value the renderers show, computed here and nowhere else.

Status is as of one date (the plan's `updated` or `--as-of`). Templates and renderers only read
these objects; if a number or a state appears in an artifact, it was computed in this module.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from mapgen.audience import Audience, for_audience
from mapgen.rules import day_of
from mapgen.spec import Plan, Role, Side, Status, Visibility

DUE_SOON_DAYS = 7
STALLED_DAYS = 7


class State(StrEnum):
    """An action's status as of the view's date."""

    DONE = "done"
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    STALLED = "stalled"
    BLOCKED = "blocked"


def action_state(status: Status, due: date | None, as_of: date) -> State:
    """done and blocked as declared; otherwise from the due date: due_soon within 7 days,
    overdue 1 to 6 days late, stalled 7 or more days late."""
    if status is Status.DONE:
        return State.DONE
    if status is Status.BLOCKED:
        return State.BLOCKED
    if due is None:
        return State.ON_TRACK
    days = (due - as_of).days
    if days < 0:
        return State.STALLED if -days >= STALLED_DAYS else State.OVERDUE
    return State.DUE_SOON if days <= DUE_SOON_DAYS else State.ON_TRACK


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    percent: int

    @classmethod
    def of(cls, states: list[State]) -> Progress:
        done = sum(1 for s in states if s is State.DONE)
        total = len(states)
        return cls(done, total, round(100 * done / total) if total else 0)


@dataclass(frozen=True, slots=True)
class Contributor:
    """Someone who works on an action with its owner: shown beside the owner in every format."""

    id: str
    name: str
    side: Side


@dataclass(frozen=True, slots=True)
class Share:
    """How many actions a person owns and how many more they contribute to (in a phase or overall)."""

    owned: int
    contributed: int


@dataclass(frozen=True, slots=True)
class ActionView:
    id: str
    title: str
    phase_id: str
    phase_name: str
    owner_id: str
    owner_name: str
    side: Side
    due: date | datetime | None
    due_day: date | None
    status: Status
    state: State
    days_left: int | None
    """Days from the as-of date to the due date; negative when late."""
    completed: date | None
    depends_on: tuple[str, ...]
    dependents: tuple[str, ...]
    milestone: bool
    outcome: str | None
    notes: str | None
    visibility: Visibility
    critical: bool
    contributors: tuple[Contributor, ...] = ()
    """People from either side who work on it with the owner; the owner stays accountable."""

    @property
    def is_open(self) -> bool:
        return self.state is not State.DONE

    @property
    def days_late(self) -> int:
        return max(0, -(self.days_left or 0))


@dataclass(frozen=True, slots=True)
class PhaseView:
    id: str
    name: str
    description: str | None
    actions: tuple[ActionView, ...]
    progress: Progress
    first_due: date | None
    last_due: date | None


@dataclass(frozen=True, slots=True)
class StakeholderView:
    id: str
    name: str
    title: str | None
    side: Side
    role: Role
    email: str | None
    organisation: str
    signatory: bool
    owned: int
    next_actions: tuple[ActionView, ...]
    """Open actions owned by this person, soonest first."""
    contributed: int = 0
    """Actions this person works on as a contributor (counted apart from `owned`)."""
    contributing: tuple[ActionView, ...] = ()
    """Open actions this person contributes to, soonest first."""


@dataclass(frozen=True, slots=True)
class ObjectiveView:
    id: str
    title: str
    description: str | None
    success_criteria: tuple[str, ...]
    owner: StakeholderView


@dataclass(frozen=True, slots=True)
class MetricView:
    id: str
    name: str
    unit: str
    baseline: float
    target: float
    actual: float | None
    measure_by: date
    owner: StakeholderView
    progress_percent: int | None
    """Share of the way from baseline to target that `actual` has covered, if measured."""


@dataclass(frozen=True, slots=True)
class KeyDate:
    """A date of the deal: `start`, `target_close`, `go_live`, or `compelling_event` (whose date is
    the first ISO date its text names, if any; `text` is the event's own words)."""

    kind: str
    day: date | None
    days_left: int | None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class SignatureView:
    """One recorded signature (the plan's `signatures:`): who signed which revision, and when."""

    signatory: StakeholderView
    when: date | datetime
    """A day, or an aware date-time (a time without zone is taken in the plan's timezone)."""
    revision: int
    current: bool
    """Signed this very revision."""


@dataclass(frozen=True, slots=True)
class SignoffRecord:
    """Who signed which revision, and which signed revision this one replaces."""

    signatures: tuple[SignatureView, ...]
    """Newest revision first; within a revision, in signing order."""
    superseded_revision: int | None
    """The latest signed revision before this one, if any: this revision supersedes it."""
    superseded_signers: tuple[StakeholderView, ...]

    @property
    def current(self) -> tuple[SignatureView, ...]:
        return tuple(s for s in self.signatures if s.current)


def signoff_record(plan: Plan, people: dict[str, StakeholderView]) -> SignoffRecord:
    """The plan's signature record as the view shows it (the loader checked every who and revision)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(plan.timezone)

    def moment(value: date | datetime) -> date | datetime:
        if isinstance(value, datetime):
            return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
        return value

    def order(record: Any) -> tuple[int, datetime]:
        when = moment(record.when)
        if not isinstance(when, datetime):
            when = datetime.combine(when, datetime.min.time(), tzinfo=zone)
        return (-record.revision, when)

    records = sorted((r for r in plan.signatures if r.who in people), key=order)
    signatures = tuple(
        SignatureView(people[r.who], moment(r.when), r.revision, r.revision == plan.revision) for r in records
    )
    earlier = [s.revision for s in signatures if s.revision < plan.revision]
    superseded = max(earlier, default=None)
    signers = tuple(dict.fromkeys(s.signatory for s in signatures if s.revision == superseded))
    return SignoffRecord(signatures, superseded, signers)


@dataclass(frozen=True, slots=True)
class PlanView:
    """Everything a renderer needs, for one audience, as of one date."""

    plan: Plan
    audience: Audience
    as_of: date
    fingerprint: str
    """SHA-256 of the normalised plan as this audience sees it: two copies compare by this."""
    progress: Progress
    state_counts: MappingProxyType[State, int]
    days_to_close: int
    days_to_go_live: int | None
    phases: tuple[PhaseView, ...]
    actions: tuple[ActionView, ...]
    milestones: tuple[ActionView, ...]
    """Milestones by date."""
    next_actions: tuple[ActionView, ...]
    """Every open action, soonest first."""
    critical_path: tuple[ActionView, ...]
    """The longest dependency chain ending at the last milestone due by target_close."""
    stakeholders: tuple[StakeholderView, ...]
    objectives: tuple[ObjectiveView, ...]
    metrics: tuple[MetricView, ...]
    signatories: tuple[StakeholderView, ...]
    needs_attention: tuple[ActionView, ...]
    """Stalled, overdue and blocked actions, most urgent first: most days late, then soonest due."""
    key_dates: tuple[KeyDate, ...]
    """The deal's dates in date order (undated compelling event last)."""
    signoff_record: SignoffRecord
    by_id: MappingProxyType[str, ActionView] = field(repr=False)
    responsibilities: MappingProxyType[tuple[str, str], Share] = field(
        repr=False, default_factory=lambda: MappingProxyType({})
    )
    """(stakeholder id, phase id) -> actions owned and contributed to there; only non-zero pairs."""

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:12]

    def side(self, side: Side) -> tuple[StakeholderView, ...]:
        return tuple(s for s in self.stakeholders if s.side is side)


def fingerprint(plan: Plan) -> str:
    """Content hash of the normalised plan, independent of key order and formatting in the file.

    The signature record is left out: recording who signed a revision does not make it another
    revision, so a signed PDF still matches its plan after the record is added."""
    canonical = json.dumps(
        plan.model_dump(mode="json", exclude={"signatures"}),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def build_view(plan: Plan, audience: Audience = Audience.BUYER, as_of: date | None = None) -> PlanView:
    """Filter the plan for the audience and derive every status, as of `as_of` (default `updated`)."""
    plan = for_audience(plan, audience)
    as_of = as_of or plan.updated
    people = {s.id: s for s in plan.stakeholders}
    party = {Side.BUYER: plan.buyer.name, Side.SELLER: plan.seller.name}
    pairs = plan.actions()
    dependents: dict[str, list[str]] = {a.id: [] for _, a in pairs}
    for _, action in pairs:
        for dep in action.depends_on:
            dependents[dep].append(action.id)
    critical = _critical_path(plan)

    actions: list[ActionView] = []
    for phase, a in pairs:
        owner = people[a.owner]
        due_day = day_of(a.due)
        actions.append(
            ActionView(
                id=a.id,
                title=a.title,
                phase_id=phase.id,
                phase_name=phase.name,
                owner_id=owner.id,
                owner_name=owner.name,
                side=owner.side,
                due=a.due,
                due_day=due_day,
                status=a.status,
                state=action_state(a.status, due_day, as_of),
                days_left=(due_day - as_of).days if due_day else None,
                completed=a.completed,
                depends_on=tuple(a.depends_on),
                dependents=tuple(dependents[a.id]),
                milestone=a.milestone,
                outcome=a.outcome,
                notes=a.notes,
                visibility=a.visibility,
                critical=a.id in critical,
                contributors=tuple(
                    Contributor(people[c].id, people[c].name, people[c].side) for c in a.contributors
                ),
            )
        )
    by_id = {a.id: a for a in actions}
    soonest = sorted(
        (a for a in actions if a.is_open), key=lambda a: (a.due_day or date.max, a.milestone is False)
    )

    phases = []
    for phase in plan.phases:
        views = tuple(by_id[a.id] for a in phase.actions)
        dues = [v.due_day for v in views if v.due_day]
        phases.append(
            PhaseView(
                id=phase.id,
                name=phase.name,
                description=phase.description,
                actions=views,
                progress=Progress.of([v.state for v in views]),
                first_due=min(dues, default=None),
                last_due=max(dues, default=None),
            )
        )

    signers = set(plan.signoff)
    stakeholders = {
        s.id: StakeholderView(
            id=s.id,
            name=s.name,
            title=s.title,
            side=s.side,
            role=s.role,
            email=s.email,
            organisation=party[s.side],
            signatory=s.id in signers,
            owned=sum(1 for a in actions if a.owner_id == s.id),
            next_actions=tuple(a for a in soonest if a.owner_id == s.id),
            contributed=sum(1 for a in actions if _contributes(a, s.id)),
            contributing=tuple(a for a in soonest if _contributes(a, s.id)),
        )
        for s in plan.stakeholders
    }
    go_live = day_of(plan.deal.go_live)
    return PlanView(
        plan=plan,
        audience=audience,
        as_of=as_of,
        fingerprint=fingerprint(plan),
        progress=Progress.of([a.state for a in actions]),
        state_counts=MappingProxyType({s: c for s, c in Counter(a.state for a in actions).items()}),
        days_to_close=(plan.deal.target_close - as_of).days,
        days_to_go_live=(go_live - as_of).days if go_live else None,
        phases=tuple(phases),
        actions=tuple(actions),
        milestones=tuple(sorted((a for a in actions if a.milestone), key=lambda a: a.due_day or date.max)),
        next_actions=tuple(soonest),
        critical_path=tuple(by_id[i] for i in critical),
        stakeholders=tuple(stakeholders.values()),
        objectives=tuple(
            ObjectiveView(o.id, o.title, o.description, tuple(o.success_criteria), stakeholders[o.owner])
            for o in plan.objectives
        ),
        metrics=tuple(
            MetricView(
                m.id,
                m.name,
                m.unit,
                m.baseline,
                m.target,
                m.actual,
                m.measure_by,
                stakeholders[m.owner],
                _metric_progress(m.baseline, m.target, m.actual),
            )
            for m in plan.metrics
        ),
        signatories=tuple(stakeholders[i] for i in plan.signoff),
        needs_attention=tuple(
            sorted(
                (a for a in actions if a.state in ATTENTION_STATES),
                key=lambda a: (-a.days_late, a.due_day or date.max),
            )
        ),
        key_dates=_key_dates(plan, as_of),
        signoff_record=signoff_record(plan, stakeholders),
        by_id=MappingProxyType(by_id),
        responsibilities=MappingProxyType(_responsibilities(actions)),
    )


ATTENTION_STATES = frozenset({State.OVERDUE, State.STALLED, State.BLOCKED})
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _key_dates(plan: Plan, as_of: date) -> tuple[KeyDate, ...]:
    deal = plan.deal
    days = [
        ("start", day_of(deal.start)),
        ("target_close", deal.target_close),
        ("go_live", day_of(deal.go_live)),
    ]
    found = [KeyDate(kind, day, (day - as_of).days) for kind, day in days if day is not None]
    if deal.compelling_event:
        day = _first_date(deal.compelling_event)
        found.append(
            KeyDate("compelling_event", day, (day - as_of).days if day else None, deal.compelling_event)
        )
    return tuple(sorted(found, key=lambda k: k.day or date.max))


def _first_date(text: str) -> date | None:
    """The first real ISO date (2027-03-15) written in a free-text field, or None."""
    for match in _ISO_DATE.finditer(text):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    return None


def _contributes(action: ActionView, person_id: str) -> bool:
    return any(c.id == person_id for c in action.contributors)


def _responsibilities(actions: list[ActionView]) -> dict[tuple[str, str], Share]:
    """Per person and phase: actions owned, and actions contributed to, counted apart."""
    owned: Counter[tuple[str, str]] = Counter()
    contributed: Counter[tuple[str, str]] = Counter()
    for action in actions:
        owned[(action.owner_id, action.phase_id)] += 1
        for contributor in action.contributors:
            contributed[(contributor.id, action.phase_id)] += 1
    return {key: Share(owned[key], contributed[key]) for key in sorted(owned.keys() | contributed.keys())}


def _metric_progress(baseline: float, target: float, actual: float | None) -> int | None:
    if actual is None or target == baseline:
        return None
    return round(100 * (actual - baseline) / (target - baseline))


def _critical_path(plan: Plan) -> list[str]:
    """Ids on the longest dependency chain that ends at the last milestone due by target_close.

    Without durations, "critical" means the chain with the most steps that must happen in order
    before the close; ties go to the chain whose steps are due later (less slack). Computed in
    dependency order, without recursion, so plans with long chains stay cheap.
    """
    actions = {a.id: a for _, a in plan.actions()}
    close = plan.deal.target_close
    before_close = [a for a in actions.values() if (d := day_of(a.due)) is not None and d <= close]
    if not before_close:
        return []
    milestones = [a for a in before_close if a.milestone] or before_close
    end = max(milestones, key=lambda a: day_of(a.due) or date.min)

    best: dict[str, tuple[int, date]] = {}
    previous: dict[str, str | None] = {}
    for action_id in _dependency_order(actions):
        action = actions[action_id]
        chosen: tuple[int, date] = (0, date.min)
        chosen_id: str | None = None
        for dep in action.depends_on:
            if dep in best and best[dep] > chosen:
                chosen, chosen_id = best[dep], dep
        best[action_id] = (chosen[0] + 1, day_of(action.due) or date.min)
        previous[action_id] = chosen_id
    path: list[str] = []
    current: str | None = end.id
    while current is not None:
        path.append(current)
        current = previous.get(current)
    return path[::-1]


def _dependency_order(actions: dict[str, Any]) -> list[str]:
    """Action ids with every dependency before its dependents (the loader rejects cycles)."""
    waiting = {i: sum(1 for d in a.depends_on if d in actions) for i, a in actions.items()}
    dependents: dict[str, list[str]] = {i: [] for i in actions}
    for i, action in actions.items():
        for dep in action.depends_on:
            if dep in actions:
                dependents[dep].append(i)
    ready = [i for i, count in waiting.items() if count == 0]
    order: list[str] = []
    while ready:
        current = ready.pop()
        order.append(current)
        for child in dependents[current]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return order


@dataclass(frozen=True, slots=True)
class DigestView:
    """What one person must act on, as of the view's date: the body of their reminder email."""

    stakeholder: StakeholderView
    window_days: int
    """Actions due within this many days of the as-of date count as due soon."""
    stalled: tuple[ActionView, ...]
    """Seven or more days late, latest first."""
    overdue: tuple[ActionView, ...]
    blocked: tuple[ActionView, ...]
    due_soon: tuple[ActionView, ...]
    """Not late, due within the window, soonest first."""
    owned: frozenset[str]
    """Ids of the listed actions this person owns (the others they contribute to)."""

    @property
    def count(self) -> int:
        return len(self.stalled) + len(self.overdue) + len(self.blocked) + len(self.due_soon)

    @property
    def groups(self) -> tuple[tuple[State, tuple[ActionView, ...]], ...]:
        """Non-empty groups in reading order: the most urgent first."""
        pairs = (
            (State.STALLED, self.stalled),
            (State.OVERDUE, self.overdue),
            (State.BLOCKED, self.blocked),
            (State.DUE_SOON, self.due_soon),
        )
        return tuple((state, actions) for state, actions in pairs if actions)


def people_of(action: ActionView) -> tuple[str, ...]:
    """Who works on an action: its owner, then its contributors."""
    return (action.owner_id, *(c.id for c in action.contributors))


def digests(view: PlanView, window_days: int = DUE_SOON_DAYS) -> tuple[DigestView, ...]:
    """One digest per person with something stalled, overdue, blocked or due within the window.

    Nobody gets an empty digest. In the internal audience only the seller's people get one, so a
    digest that lists internal actions can never be addressed to the buyer.
    """
    if window_days < 0:
        raise ValueError("window_days must be 0 or more")
    result = []
    for person in view.stakeholders:
        if view.audience is Audience.INTERNAL and person.side is Side.BUYER:
            continue
        mine = open_actions_of(view, person.id)
        late = sorted(
            (a for a in mine if a.state in (State.STALLED, State.OVERDUE)), key=lambda a: a.days_left or 0
        )
        stalled = tuple(a for a in late if a.state is State.STALLED)
        overdue = tuple(a for a in late if a.state is State.OVERDUE)
        blocked = tuple(a for a in mine if a.state is State.BLOCKED)
        due_soon = tuple(
            a
            for a in mine
            if a.state not in (State.STALLED, State.OVERDUE, State.BLOCKED)
            and a.days_left is not None
            and 0 <= a.days_left <= window_days
        )
        listed = (*stalled, *overdue, *blocked, *due_soon)
        if listed:
            owned = frozenset(a.id for a in listed if a.owner_id == person.id)
            result.append(DigestView(person, window_days, stalled, overdue, blocked, due_soon, owned))
    return tuple(result)


def draft_recipients(view: PlanView) -> tuple[StakeholderView, ...]:
    """Who a plan draft is addressed to: the buyer's people, or the seller's team for an internal
    copy (so an internal draft is never addressed to the buyer)."""
    side = Side.SELLER if view.audience is Audience.INTERNAL else Side.BUYER
    return tuple(s for s in view.side(side) if s.email)


def plan_sender(view: PlanView) -> StakeholderView | None:
    """Who plan emails come from: the seller's account executive, else the first seller with an email."""
    sellers = [s for s in view.side(Side.SELLER) if s.email]
    executives = [s for s in sellers if s.role is Role.ACCOUNT_EXECUTIVE]
    return (executives or sellers or [None])[0]


def open_actions_of(view: PlanView, person_id: str) -> tuple[ActionView, ...]:
    """The open actions a person owns or works on, soonest first."""
    return tuple(a for a in view.next_actions if person_id in people_of(a))
