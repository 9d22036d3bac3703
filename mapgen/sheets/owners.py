"""Owners and contributors of each row, and the stakeholders they become.

Reads the people cells of every row (owner columns, a contact column when the owner column holds
sides, the Contributors column), keeps one stakeholder per person across the sheet, and decides
each person's side (people.decide_sides). The first person a row names owns it; the others are
its contributors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mapgen.sheets.document import slug, unique
from mapgen.sheets.people import (
    Named,
    Person,
    decide_sides,
    full_names_by_first_name,
    parse_people,
    side_of,
)
from mapgen.sheets.rows import SheetRow
from mapgen.sheets.vocabulary import JOINT, Field, cell_key, key, not_people, parse_role
from mapgen.spec import ID_PATTERN, Side
from mapgen.spec_values import EMAIL_PATTERN

UNASSIGNED = "Unassigned"
EMAIL = re.compile(EMAIL_PATTERN)
_WHY = {
    "partner": "has no side in the sheet: imported as {side}, the other side of the people on joint row {row}",
    "role": "has no side in the sheet: imported as {side} from the role {role}",
}
Report = Callable[[int | None, str | None, str], None]


class Owners:
    """The people of one sheet: who owns and who contributes to each row, and on which side."""

    def __init__(
        self, parties: dict[str, Side], contacts_are_people: bool, error: Report, warn: Report
    ) -> None:
        self.parties = parties
        self.contacts_are_people = contacts_are_people
        self.error = error
        self.warn = warn
        self.sides: dict[str, Side] = {}
        self.side_reasons: dict[str, str] = {}

    def _side_cell(self, row: SheetRow) -> Side | str | None:
        text = row.text(Field.SIDE)
        side = side_of(text, self.parties) if text else None
        if side is None and key(text) in not_people():
            return None
        if side is None and text:
            self.error(row.line, row.headers[Field.SIDE], f"'{text}' is not a side: use Buyer, Seller (or Client, "
                       "Customer, Vendor, Provider) or Joint, or the party name given with --set buyer.name=...")  # fmt: skip
        return side

    def _named(self, row: SheetRow, side_cell: Side | str | None) -> list[tuple[Named, Side | None, bool]]:
        """(person, side the sheet states for them, contributor only) for every person on the row."""
        row_side = side_cell if isinstance(side_cell, Side) else None
        found: list[tuple[Named, Side | None, bool]] = []
        for column, text in row.people:
            if column.field is Field.CONTACT and not self.contacts_are_people:
                continue
            for named in parse_people(text, self.parties):
                found.append((named, named.side or column.side or row_side, False))
        for named in parse_people(row.text(Field.CONTRIBUTORS), self.parties):
            found.append((named, named.side, True))
        return found

    def read(self, rows: list[SheetRow]) -> tuple[dict[str, Person], list[tuple[str, list[str]]]]:
        """Everyone the sheet names, and per row its owner's key and its contributors' keys."""
        side_cells = [self._side_cell(row) if Field.SIDE in row.cells else None for row in rows]
        named_rows = [self._named(row, side_cell) for row, side_cell in zip(rows, side_cells, strict=True)]
        full = full_names_by_first_name([[n.name for n, _, _ in found] for found in named_rows])
        people: dict[str, Person] = {}
        taken: set[str] = set()
        per_row: list[tuple[str, list[str]]] = []
        joint_rows: list[list[str]] = []
        for row, found, side_cell in zip(rows, named_rows, side_cells, strict=True):
            keys: list[str] = []
            if not [n for n, _, contributor in found if not contributor]:
                owner_column = row.headers.get(Field.OWNER) or row.headers.get(Field.CONTACT, "Owner")
                self.warn(row.line, owner_column, f"no owner: assigned to '{UNASSIGNED}'")
                column_side = next((c.side for c, _ in row.people if c.side), None)
                side = side_cell if isinstance(side_cell, Side) else column_side
                found = [(Named(UNASSIGNED), side, False), *found]
            ids = [i.strip() for i in row.text(Field.CONTRIBUTOR_IDS).split(",") if i.strip()]
            contributor_number = 0
            for named, side, contributor in found:
                name = full.get(named.name.casefold(), named.name)
                person_key = cell_key(name)
                person = people.get(person_key)
                if person is None:
                    wanted = slug(name, 40)
                    if not keys and re.fullmatch(ID_PATTERN, row.text(Field.OWNER_ID)):
                        wanted = row.text(Field.OWNER_ID)
                    if (
                        contributor
                        and contributor_number < len(ids)
                        and re.fullmatch(ID_PATTERN, ids[contributor_number])
                    ):
                        wanted = ids[contributor_number]
                    person = Person(name, unique(wanted, taken, f"person-{len(people) + 1}"), row.line)
                    people[person_key] = person
                elif person.name.islower() and not name.islower():
                    person.name = name
                contributor_number += contributor
                if side is not None:
                    person.strong.append(side)
                person.role = person.role or (named.role.value if named.role else None)
                person.title = person.title or named.title
                person.email = person.email or named.email
                if side_cell == JOINT:
                    person.joint_rows.append(row.line)
                if person_key not in keys:
                    keys.append(person_key)
            self._owner_details(row, people[keys[0]])
            per_row.append((keys[0], keys[1:]))
            if side_cell == JOINT:
                joint_rows.append(keys)
        self.sides, self.side_reasons = decide_sides(people, joint_rows)
        return people, per_row

    def _owner_details(self, row: SheetRow, person: Person) -> None:
        """Role, title, email and contact columns describe the row's owner; an email's domain that
        names a party says the owner's side."""
        contacts = [t for c, t in row.people if c.field is Field.CONTACT and not self.contacts_are_people]
        emails = [t for t in contacts if EMAIL.fullmatch(t)]
        for role_text in [row.text(Field.ROLE), *(t for t in contacts if t not in emails)]:
            if role_text and person.role is None:
                role = parse_role(role_text)
                if role is not None:
                    person.role = role.value
                elif person.title is None:
                    person.title = role_text
        person.title = person.title or row.text(Field.TITLE) or None
        contact = row.text(Field.EMAIL)
        if contact and not EMAIL.fullmatch(contact):
            self.warn(
                row.line, row.headers[Field.EMAIL], f"'{contact}' is not an email address; not imported"
            )
        elif contact:
            emails.append(contact)
        for email in emails:
            person.email = person.email or email
            side = side_of(email.split("@")[1].split(".")[0], self.parties)
            if isinstance(side, Side):
                person.strong.append(side)

    def stakeholders(self, people: dict[str, Person]) -> list[dict[str, Any]]:
        result = []
        for person_key, person in people.items():
            side, why = self.sides[person_key], self.side_reasons.get(person_key)
            if why == "both":
                self.warn(person.first_row, None, f"'{person.name}' is on both sides in the sheet; "
                          f"imported as {side.value}")  # fmt: skip
            elif why == "default" and person.name != UNASSIGNED:
                reason = "only owns Joint actions" if person.joint_rows else "has no Side"
                self.warn(person.first_row, None, f"'{person.name}' {reason}: imported on the seller side; "
                          "change stakeholders[].side if they are the buyer's")  # fmt: skip
            elif why in _WHY:
                row = person.joint_rows[0] if person.joint_rows else person.first_row
                self.warn(person.first_row, None, f"'{person.name}' " + _WHY[why].format(
                    side=side.value, row=row, role=(person.role or "").replace("_", " ")))  # fmt: skip
            entry: dict[str, Any] = {"id": person.id, "name": person.name}
            if person.title:
                entry["title"] = person.title
            entry["side"] = side.value
            if person.role:
                entry["role"] = person.role
            if person.email:
                entry["email"] = person.email
            result.append(entry)
        return result
