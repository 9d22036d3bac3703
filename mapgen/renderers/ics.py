"""`ics` format: iCalendar feeds per plan, per side and per stakeholder (RFC 5545, RFC 7986).

Feeds are for subscribing: a client re-fetches the same URL and replaces each event by UID, so
everything here is a pure function of the view. UIDs derive from the plan and item ids, SEQUENCE is
the plan's revision and DTSTAMP its `updated` date, never the clock. icalendar's `new()`
constructors fill in a random UID and the current time when those are not given, so they are
always given.

No VTODO and no VALARM: Google Calendar ignores VTODO and ignores VALARM in subscribed feeds, and
Apple Calendar offers to strip alerts on subscribing, so actions are all-day (or timed) VEVENTs and
reminders stay the subscriber's choice. docs/calendar.md explains the rules for users.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from mapgen.errors import InvalidInput, Problem, UsageError, did_you_mean
from mapgen.i18n import localizer
from mapgen.renderers.base import Artifact, RenderContext
from mapgen.rules import day_of
from mapgen.spec import Side, Visibility
from mapgen.view import ActionView, PlanView, State

if TYPE_CHECKING:
    from icalendar import Calendar, Event, Timezone

    from mapgen.i18n import Localizer

PRODID = "-//mapgen//Mutual Action Plan feed//EN"
REFRESH = timedelta(hours=12)
PUBLISHED_TTL = "PT12H"
"""X-PUBLISHED-TTL as RFC 5545 DURATION text: icalendar would write a timedelta as `12:00:00`."""
TIMED_EVENT_LENGTH = timedelta(minutes=30)
"""A due date-time is a deadline, not a meeting: a short block that shows the time of day."""
RESERVED_FEEDS = ("all", "plan", "buyer", "seller")
"""`--feed` keywords; a stakeholder with one of these ids could not be told apart from them."""

MILESTONE_MARK = "◆ "


DONE_MARK = "✓ "
PREFIXED = (State.DONE, State.OVERDUE, State.STALLED, State.BLOCKED)
"""States that SUMMARY spells out, so the status never depends on colour. Due-soon and on-track
events need none: the calendar already shows when they are due."""
SEPARATOR = " · "


@dataclass(frozen=True, slots=True)
class Feed:
    """One calendar: which items it holds and what it is called."""

    key: str
    """`plan`, `buyer`, `seller` or a stakeholder id."""
    file_name: str
    calendar_name: str
    description: str
    actions: tuple[ActionView, ...]


def feed_keys(view: PlanView) -> list[str]:
    """Every feed of a plan, in the order `--feed all` writes them."""
    return ["plan", Side.BUYER.value, Side.SELLER.value, *(s.id for s in view.stakeholders)]


def feed_file_name(plan_id: str, key: str) -> str:
    return f"{plan_id}.ics" if key == "plan" else f"{plan_id}.{key}.ics"


def select_feeds(view: PlanView, feed: str) -> list[str]:
    """The feed keys that `--feed` asks for; a UsageError names the known ones otherwise."""
    people = [s.id for s in view.stakeholders]
    clash = sorted(set(people) & set(RESERVED_FEEDS))
    if clash:
        index = people.index(clash[0])
        raise InvalidInput(
            [
                Problem(
                    f"stakeholder id '{clash[0]}' is reserved for calendar feeds "
                    f"({', '.join(RESERVED_FEEDS)}); rename the stakeholder",
                    path=f"stakeholders[{index}].id",
                )
            ]
        )
    if feed == "all":
        return feed_keys(view)
    if feed in ("plan", Side.BUYER.value, Side.SELLER.value) or feed in people:
        return [feed]
    hint = did_you_mean(feed, [*RESERVED_FEEDS, *people])
    raise UsageError(
        f"unknown stakeholder '{feed}' for --feed{hint}; use {', '.join(RESERVED_FEEDS)} "
        f"or a stakeholder id: {', '.join(people)}"
    )


def build_feed(view: PlanView, key: str) -> Feed:
    """The items and names of one feed: the plan's, a side's or a stakeholder's."""
    plan = view.plan
    loc = localizer(plan.locale, plan.timezone)
    dated = [a for a in view.actions if a.due is not None]
    if key == "plan":
        items = dated
        name = plan.title
        scope = loc.gettext("Every milestone and every dated action.")
    else:
        if key in (Side.BUYER.value, Side.SELLER.value):
            side = Side(key)
            who = plan.buyer.name if side is Side.BUYER else plan.seller.name
            items = [
                a
                for a in dated
                if a.side is side or a.milestone or any(c.side is side for c in a.contributors)
            ]
        else:
            who = next(s.name for s in view.stakeholders if s.id == key)
            items = [
                a
                for a in dated
                if a.owner_id == key or a.milestone or any(c.id == key for c in a.contributors)
            ]
        name = f"{plan.title} ({who})"
        scope = loc.gettext("Every milestone, and the actions of %(who)s.") % {"who": who}
    revision = loc.gettext("Revision %(n)s") % {"n": plan.revision}
    as_of = loc.gettext("Status as of %(date)s.") % {"date": loc.format_date(view.as_of)}
    description = f"{plan.buyer.name} × {plan.seller.name}. {scope} {revision}{SEPARATOR}{as_of}"
    return Feed(key, feed_file_name(plan.id, key), name, description, tuple(_in_calendar_order(items)))


def _in_calendar_order(actions: Iterable[ActionView]) -> list[ActionView]:
    """By day, all-day events before timed ones, then by time, then in plan order."""
    indexed = list(enumerate(actions))

    def key(pair: tuple[int, ActionView]) -> tuple[date, int, time, int]:
        index, action = pair
        due = action.due
        if isinstance(due, datetime):
            return (due.date(), 1, due.timetz().replace(tzinfo=None), index)
        return (due, 0, time.min, index)  # type: ignore[return-value]

    return [a for _, a in sorted(indexed, key=key)]


def uid(plan_id: str, item_id: str) -> str:
    """Stable across revisions: a renamed or moved item keeps it; ids contain no dot, so it is unique."""
    return f"{item_id}.{plan_id}@mapgen"


def calendar_uid(plan_id: str, key: str) -> str:
    """RFC 7986 calendar UID; the extra dot keeps it apart from every event UID."""
    return f"{plan_id}@mapgen" if key == "plan" else f"{key}.feed.{plan_id}@mapgen"


def summary(action: ActionView, loc: Localizer) -> str:
    """The title, led by the state in words where it needs attention and a diamond for milestones."""
    prefix = ""
    if action.state in PREFIXED:
        prefix = f"{DONE_MARK if action.state is State.DONE else ''}{loc.state_label(action.state)}: "
    return f"{prefix}{MILESTONE_MARK if action.milestone else ''}{action.title}"


def status_text(action: ActionView, loc: Localizer) -> str:
    """The view's state in words, with the detail a reader needs to act on it."""
    if action.state is State.DONE and action.completed:
        done = loc.gettext("done %(date)s") % {"date": loc.format_date(action.completed)}
        return done[:1].upper() + done[1:]
    text = loc.state_label(action.state)
    days = action.days_left
    if days is None or action.state in (State.DONE, State.BLOCKED):
        return text
    if days == 0:
        when = loc.gettext("today")
    elif days > 0:
        when = loc.ngettext("in %(n)s day", "in %(n)s days", days)
    else:
        when = loc.ngettext("%(n)s day ago", "%(n)s days ago", -days)
    return f"{text}{SEPARATOR}{loc.gettext('Due')} {when}"


def description(view: PlanView, action: ActionView, link: str | None) -> str:
    """Plain text: who, what state, what done looks like, what it waits for and unblocks."""
    plan = view.plan
    loc = localizer(plan.locale, plan.timezone)
    owner = next(s for s in view.stakeholders if s.id == action.owner_id)
    who = f"{owner.name}, {owner.organisation}"
    if owner.title:
        who += f" ({owner.title})"
    if owner.email:
        who += f" <{owner.email}>"
    as_of = loc.format_date(view.as_of)
    lines = [
        f"{loc.gettext('Owner')}: {who}",
        *contributor_lines(view, action, loc),
        f"{loc.gettext('Status as of')} {as_of}: {status_text(action, loc)}",
        f"{loc.gettext('Phase')}: {action.phase_name}",
    ]
    if action.milestone:
        lines.append(f"{MILESTONE_MARK}{loc.gettext('Milestone')}")
    if isinstance(action.due, datetime):
        due = action.due
        lines.append(f"{loc.gettext('Due')}: {loc.format_datetime(due)} {due.tzname()} ({plan.timezone})")
    if action.outcome:
        lines.append(f"{loc.gettext('Done when')}: {action.outcome}")
    if action.depends_on:
        lines.append(f"{loc.gettext('After')}: " + "; ".join(_ref(view, i, loc) for i in action.depends_on))
    if action.dependents:
        needed = "; ".join(_ref(view, i, loc) for i in action.dependents)
        lines.append(f"{loc.gettext('Needed for')}: {needed}")
    if action.visibility is Visibility.INTERNAL:
        lines.append(loc.gettext("Internal: never shown to the buyer"))
    revision = loc.gettext("Revision %(n)s") % {"n": plan.revision}
    lines.append(f"{plan.title}{SEPARATOR}{revision}{SEPARATOR}{loc.format_date(plan.updated)}")
    if link:
        lines.append(f"{loc.gettext('Open the full plan')}: {link}")
    return "\n".join(lines)


def contributor_lines(view: PlanView, action: ActionView, loc: Localizer) -> list[str]:
    """One line naming the people who work on the action with its owner, if any."""
    if not action.contributors:
        return []
    people = {s.id: s for s in view.stakeholders}
    names = "; ".join(f"{c.name}, {people[c.id].organisation}" for c in action.contributors)
    return [f"{loc.gettext('Contributors')}: {names}"]


def _ref(view: PlanView, action_id: str, loc: Localizer) -> str:
    other = view.by_id[action_id]
    return f"{other.title} ({loc.state_label(other.state)})"


def plan_window(view: PlanView) -> tuple[date, date]:
    """The days the plan spans (as this audience sees it), for VTIMEZONE data of that span only."""
    deal = view.plan.deal
    days = [d for d in (day_of(deal.start), deal.target_close, day_of(deal.go_live)) if d is not None]
    days += [a.due_day for a in view.actions if a.due_day is not None]
    return min(days) - timedelta(days=1), max(days) + timedelta(days=2)


@lru_cache(maxsize=32)
def _timezone(tzid: str, first: date, last: date) -> Timezone:
    """VTIMEZONE for one zone and window; cached because every feed of a plan needs the same one."""
    from icalendar import Timezone

    return Timezone.from_tzid(tzid, first_date=first, last_date=last)


def event(view: PlanView, action: ActionView, link: str | None, stamp: datetime) -> Event:
    from icalendar import Event

    due = action.due
    if isinstance(due, datetime):
        start: date | datetime = due
        end: date | datetime = due + TIMED_EVENT_LENGTH
    else:
        start, end = due, due + timedelta(days=1)  # type: ignore[operator]
    loc = localizer(view.plan.locale, view.plan.timezone)
    categories = [action.phase_name]
    if action.milestone:
        categories.append(loc.gettext("Milestone"))
    if action.visibility is Visibility.INTERNAL:
        categories.append(loc.gettext("Internal"))
    ev = Event.new(
        uid=uid(view.plan.id, action.id),
        stamp=stamp,
        sequence=view.plan.revision,
        start=start,
        end=end,
        summary=summary(action, loc),
        description=description(view, action, link),
        categories=categories,
        url=link,
    )
    # A feed item is information, not a meeting: it must not make anyone look busy.
    ev.add("TRANSP", "TRANSPARENT")
    return ev


def build_calendar(
    view: PlanView, feed: Feed, link: str | None = None, events: dict[str, Event] | None = None
) -> Calendar:
    """One feed as an icalendar object; `events` shares VEVENTs between the feeds of one render."""
    from icalendar import Calendar, vText

    plan = view.plan
    cal = Calendar.new(
        prodid=PRODID,
        uid=calendar_uid(plan.id, feed.key),
        name=feed.calendar_name,
        description=feed.description,
        method="PUBLISH",
        calscale="GREGORIAN",
    )
    # icalendar 7 types NAME, X-WR-CALNAME and X-WR-CALDESC as unknown and writes them unescaped, so a
    # title with a comma or semicolon would be misread: write them as TEXT (RFC 5545 3.3.11).
    for prop in ("NAME", "X-WR-CALNAME", "X-WR-CALDESC"):
        cal[prop] = vText(str(cal[prop]))
    # RFC 7986 wants VALUE=DURATION on REFRESH-INTERVAL; icalendar leaves the parameter out.
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", PUBLISHED_TTL)
    stamp = datetime.combine(plan.updated, time.min, tzinfo=UTC)
    events = {} if events is None else events
    for action in feed.actions:
        if action.id not in events:
            events[action.id] = event(view, action, link, stamp)
        cal.add_component(events[action.id])
    # VTIMEZONE data for the zones the events use, over the plan's window only (the default
    # 1970-2038 span costs kilobytes per zone). A VCALENDAR needs at least one component, so a
    # feed with nothing dated carries the plan's zone.
    zones = sorted(cal.get_missing_tzids()) or ([] if feed.actions else [plan.timezone])
    if zones:
        first, last = plan_window(view)
        cal.subcomponents[:0] = [_timezone(tzid, first, last) for tzid in zones]
    return cal


_END = b"END:VCALENDAR\r\n"


def render_feeds(view: PlanView, keys: Sequence[str], link: str | None = None) -> list[Artifact]:
    """Every feed asked for. An action is in up to 13 feeds of a plan (a milestone in all of them),
    so each VEVENT is built and serialised once and its bytes are placed in every feed that has it;
    the result is byte for byte `build_calendar(...).to_ical()` (a test checks it)."""
    events: dict[str, Event] = {}
    serialised: dict[str, bytes] = {}
    artifacts = []
    for key in keys:
        feed = build_feed(view, key)
        cal = build_calendar(view, feed, link, events)
        body = []
        for action in feed.actions:
            if action.id not in serialised:
                serialised[action.id] = events[action.id].to_ical()
            body.append(serialised[action.id])
        cal.subcomponents = [c for c in cal.subcomponents if c.name != "VEVENT"]
        head = cal.to_ical()
        data = head[: -len(_END)] + b"".join(body) + _END
        artifacts.append(Artifact(feed.file_name, data, IcsRenderer.media_type))
    return artifacts


class IcsRenderer:
    name: ClassVar[str] = "ics"
    suffix: ClassVar[str] = ".ics"
    media_type: ClassVar[str] = "text/calendar; charset=utf-8"
    uses_layout: ClassVar[bool] = False

    def render(self, ctx: RenderContext) -> list[Artifact]:
        keys = select_feeds(ctx.view, ctx.options.feed)
        return render_feeds(ctx.view, keys, ctx.options.link)


RENDERER = IcsRenderer()
