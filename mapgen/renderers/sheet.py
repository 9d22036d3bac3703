"""The rows both spreadsheet formats write: one per action, in plan order, with the headers that
`mapgen import` reads back (mapgen/sheets/vocabulary.py), so an exported sheet imports to the same plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mapgen.i18n import ROLE_LABELS, STATE_LABELS
from mapgen.sheets.vocabulary import EXPORT_HEADERS, STATUS_LABELS
from mapgen.spec import Visibility
from mapgen.view import ActionView, PlanView

HEADERS: tuple[str, ...] = tuple(header for _, header in EXPORT_HEADERS)
DATE_COLUMNS = frozenset({"Due", "Completed"})


def rows(view: PlanView) -> list[tuple[ActionView, list[Any]]]:
    """Each action with its cells; dates stay `date`/naive `datetime` for the format to write."""
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
            "Side": action.side.value.title(),
            "Role": ROLE_LABELS[person.role],
            "Title": person.title or "",
            "Email": person.email or "",
            "Contributors": "; ".join(f"{c.name} ({c.side.value.title()})" for c in action.contributors),
            "Contributor IDs": ", ".join(c.id for c in action.contributors),
            "Due": _naive(action.due),
            "Completed": action.completed,
            "Status": STATUS_LABELS[action.status],
            "Tracking": STATE_LABELS[action.state],
            "Depends On": ", ".join(numbers[d] for d in action.depends_on if d in numbers),
            "Milestone": "Y" if action.milestone else "N",
            "Client-Facing": "Y" if action.visibility is Visibility.SHARED else "N",
            "Outcome": action.outcome or "",
            "Notes": action.notes or "",
        }
        out.append((action, [cells[h] for h in HEADERS]))
    return out


def _naive(value: date | datetime | None) -> date | datetime | None:
    """Spreadsheets have no time zones: a due time is written as the plan's local wall time."""
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value
