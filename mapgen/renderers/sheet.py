"""The rows both spreadsheet formats write: one per action, in plan order, with the headers that
`mapgen import` reads back (mapgen/sheets/vocabulary.py), so an exported sheet imports to the same plan.

The words a reader picks from a fixed list (status, tracking, side, role, yes/no) are msgids: the
xlsx, which people read and edit, writes them in the plan's language; the csv, which integrations
read, keeps the English words whatever the plan's language. Import reads both."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mapgen.i18n import ROLE_LABELS, SIDE_LABELS, STATE_LABELS
from mapgen.sheets.vocabulary import EXPORT_HEADERS, FLAG_LABELS, STATUS_LABELS
from mapgen.spec import Visibility
from mapgen.view import ActionView, PlanView

if TYPE_CHECKING:
    from mapgen.i18n import Localizer

HEADERS: tuple[str, ...] = tuple(header for _, header in EXPORT_HEADERS)
DATE_COLUMNS = frozenset({"Due", "Completed"})


def rows(view: PlanView, loc: Localizer | None = None) -> list[tuple[ActionView, list[Any]]]:
    """Each action with its cells; dates stay `date`/naive `datetime` for the format to write.
    With `loc`, the fixed-list words are in its language; without, they stay English."""
    say = loc.gettext if loc is not None else _english
    numbers = {a.id: str(n) for n, a in enumerate(view.actions, start=1)}
    people = {s.id: s for s in view.stakeholders}
    out = []
    for n, action in enumerate(view.actions, start=1):
        person = people[action.owner_id]
        cells: dict[str, Any] = {
            "#": n,
            "ID": action.id,
            "Phase": action.phase_name,
            "Action": action.title,
            "Owner": action.owner_name,
            "Owner ID": action.owner_id,
            "Side": say(SIDE_LABELS[action.side]),
            "Role": say(ROLE_LABELS[person.role]),
            "Title": person.title or "",
            "Email": person.email or "",
            "Contributors": "; ".join(f"{c.name} ({say(SIDE_LABELS[c.side])})" for c in action.contributors),
            "Contributor IDs": ", ".join(c.id for c in action.contributors),
            "Due": _naive(action.due),
            "Completed": action.completed,
            "Status": say(STATUS_LABELS[action.status]),
            "Tracking": say(STATE_LABELS[action.state]),
            "Depends On": ", ".join(numbers[d] for d in action.depends_on if d in numbers),
            "Milestone": say(FLAG_LABELS[bool(action.milestone)]),
            "Client-Facing": say(FLAG_LABELS[action.visibility is Visibility.SHARED]),
            "Outcome": action.outcome or "",
            "Notes": action.notes or "",
        }
        out.append((action, [cells[h] for h in HEADERS]))
    return out


def _english(msgid: str) -> str:
    """The csv's words: the msgids themselves."""
    return msgid


def _naive(value: date | datetime | None) -> date | datetime | None:
    """Spreadsheets have no time zones: a due time is written as the plan's local wall time."""
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value
