"""The words of MAP spreadsheets: column fields, export headers, statuses, flags, roles and sides.

The synonym tables are data (columns.toml beside this module), read once; this module owns the
field names and the normalisation that makes "Client-Facing (Y/N)?" and "clientfacing" one key.
Export (mapgen/renderers/sheet.py) writes `EXPORT_HEADERS`, and import reads them back.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from mapgen.spec import Role, Side, Status

TABLES = Path(__file__).resolve().parent / "columns.toml"


class Field(StrEnum):
    """What a column holds."""

    NUMBER = "number"
    ID = "id"
    PHASE = "phase"
    ACTION = "action"
    OWNER = "owner"
    OWNER_ID = "owner_id"
    SIDE = "side"
    ROLE = "role"
    TITLE = "title"
    EMAIL = "email"
    CONTACT = "contact"
    CONTRIBUTORS = "contributors"
    CONTRIBUTOR_IDS = "contributor_ids"
    DUE = "due"
    COMPLETED = "completed"
    STATUS = "status"
    DEPENDS_ON = "depends_on"
    MILESTONE = "milestone"
    CLIENT_FACING = "client_facing"
    INTERNAL = "internal"
    VISIBILITY = "visibility"
    OUTCOME = "outcome"
    NOTES = "notes"
    IGNORE = "ignore"


EXPORT_HEADERS: tuple[tuple[Field, str], ...] = (
    (Field.NUMBER, "#"),
    (Field.ID, "ID"),
    (Field.PHASE, "Phase"),
    (Field.ACTION, "Action"),
    (Field.OWNER, "Owner"),
    (Field.OWNER_ID, "Owner ID"),
    (Field.SIDE, "Side"),
    (Field.ROLE, "Role"),
    (Field.TITLE, "Title"),
    (Field.EMAIL, "Email"),
    (Field.CONTRIBUTORS, "Contributors"),
    (Field.CONTRIBUTOR_IDS, "Contributor IDs"),
    (Field.DUE, "Due"),
    (Field.COMPLETED, "Completed"),
    (Field.STATUS, "Status"),
    (Field.IGNORE, "Tracking"),
    (Field.DEPENDS_ON, "Depends On"),
    (Field.MILESTONE, "Milestone"),
    (Field.CLIENT_FACING, "Client-Facing"),
    (Field.OUTCOME, "Outcome"),
    (Field.NOTES, "Notes"),
)
"""Export's columns in order; "Tracking" is the derived state (on track, overdue...), not imported."""

STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "Not Started",
    Status.IN_PROGRESS: "In Progress",
    Status.DONE: "Done",
    Status.BLOCKED: "Blocked",
}

FLAG_LABELS: dict[bool, str] = {True: "Y", False: "N"}
"""How export writes yes/no cells (Milestone, Client-Facing). Like `STATUS_LABELS`, these are
msgids: the xlsx writes them in the plan's language ("Ja", "はい"), the csv keeps them as they are."""

JOINT = "joint"
"""A side cell or hint that names both sides ("Joint", "Both", "Client/Provider")."""


@cache
def tables() -> dict[str, Any]:
    """columns.toml, parsed once per process."""
    with TABLES.open("rb") as handle:
        return tomllib.load(handle)


def cell_key(text: str) -> str:
    """How a cell is compared with a localised word: case folded, runs of spaces as one (any script)."""
    return " ".join(text.casefold().split())


def in_every_language(msgid: str) -> list[str]:
    """`msgid` and its translation in every shipped catalog, in catalog order."""
    from mapgen.i18n import available_languages, localizer

    return [msgid, *(localizer(language, "UTC").gettext(msgid) for language in available_languages())]


@cache
def localised_words() -> dict[str, dict[str, Any]]:
    """Status, side, role and yes/no words as every shipped catalog writes them -> their value, by
    `cell_key`: a cell of an xlsx written for a German or Japanese plan ("In Arbeit", "買い手",
    "Ja") imports back, whatever the language of the workbook it sits in. The catalogs are the
    data: a new catalog brings its words with it."""
    from mapgen.i18n import ROLE_LABELS, SIDE_LABELS

    labels: dict[str, dict[Any, str]] = {
        "status": STATUS_LABELS,
        "side": SIDE_LABELS,
        "role": ROLE_LABELS,
        "flag": FLAG_LABELS,
    }
    found: dict[str, dict[str, Any]] = {kind: {} for kind in labels}
    for kind, table in labels.items():
        for value, msgid in table.items():
            for word in in_every_language(msgid):
                found[kind].setdefault(cell_key(word), value)
    return found


def fold(text: str) -> str:
    """Lowercase ASCII: accents dropped (Müller -> muller), other scripts removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def key(text: str) -> str:
    """Lowercase ASCII letters and digits only: how cells and headers are compared."""
    return re.sub(r"[^a-z0-9]+", "", fold(text))


@cache
def header_lookup() -> dict[str, Field]:
    """Normalised header -> field, from the table and the field names themselves."""
    found = {word: Field(name) for name, words in tables()["headers"].items() for word in words}
    return found | {f.value.replace("_", ""): f for f in Field}


@cache
def secondary_headers() -> dict[str, Field]:
    return {word: Field(name) for word, name in tables()["secondary_headers"].items()}


@cache
def side_words() -> dict[str, Side | str]:
    """Normalised side word -> Side, or JOINT."""
    sides = tables()["sides"]
    found: dict[str, Side | str] = {w: JOINT for w in sides["joint"]}
    for side in Side:
        found.update(dict.fromkeys(sides[side.value], side))
    return found


@cache
def not_people() -> frozenset[str]:
    """Normalised words that are never a person: "TBD", "Joint", and every side word."""
    return frozenset(tables()["not_people"]["words"]) | frozenset(side_words())


@cache
def _status_words() -> dict[str, Status]:
    return {word: Status(name) for name, words in tables()["statuses"].items() for word in words}


def parse_status(text: str) -> Status | None:
    """A status from any common spreadsheet wording or a shipped language's label, or None."""
    localised = localised_words()["status"].get(cell_key(text))
    if localised is not None:
        return localised
    words = _status_words()
    compact = re.sub(r"[^a-z0-9%✓✔☑✅]+", "", text.strip().lower())
    if compact in words:
        return words[compact]
    plain = re.sub(r"[^a-z0-9%]+", "", compact)
    if plain in words:
        return words[plain]
    if compact[:1] in ("✓", "✔", "☑", "✅"):
        return Status.DONE
    match = re.fullmatch(r"(\d{1,3})%", compact)
    if match:
        return Status.IN_PROGRESS if 0 < int(match.group(1)) < 100 else None
    return None


def parse_flag(text: str) -> bool | None:
    """Y/N, yes/no, x, ✓, true/false, 1/0, a shipped language's yes or no (Ja, はい) -> bool;
    '' -> None; anything else -> ValueError."""
    localised = localised_words()["flag"].get(cell_key(text))
    if localised is not None:
        return localised
    flags = tables()["flags"]
    word = text.strip().lower().replace(" ", "")
    if not word:
        return None
    if word in flags["yes"]:
        return True
    if word in flags["no"]:
        return False
    raise ValueError(f"'{text}' is not yes or no (use Y/N, Yes/No, X or ✓)")


@cache
def _role_words() -> dict[str, Role]:
    return {role.value.replace("_", ""): role for role in Role} | {
        word: Role(name) for word, name in tables()["roles"].items()
    }


def parse_role(text: str) -> Role | None:
    """A stakeholder role from its name in a shipped language or a common abbreviation (EB, AE,
    CSM...), or None."""
    localised = localised_words()["role"].get(cell_key(text))
    if localised is not None:
        return localised
    return _role_words().get(re.sub(r"[^a-z]+", "", text.lower()))


SELLER_ROLES = frozenset({Role.ACCOUNT_EXECUTIVE, Role.SALES_ENGINEER, Role.CUSTOMER_SUCCESS})
BUYER_ROLES = frozenset(
    {Role.CHAMPION, Role.ECONOMIC_BUYER, Role.DECISION_MAKER, Role.TECHNICAL_EVALUATOR, Role.PROCUREMENT}
)
"""Roles that only one side has: they tell a person's side when nothing else does."""
