"""People in sheet cells, and the side each person is on.

A people cell names one or more people: `Sam Ortiz (AE) / Dana White (Director IT)`,
`Jane Doe - Champion`, `Tom <tom@acme.example>`, `Raj & Sam`. What is in brackets or after a dash
is a role, a job title, a company or a side. Words such as "Joint", "TBD" or "Client" are never
people. Sides are decided for the whole sheet: what a person's own columns, side cells, brackets
and email domain say, then the partner on a joint row, then a role only one side has.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from mapgen.sheets.vocabulary import (
    BUYER_ROLES,
    JOINT,
    SELLER_ROLES,
    cell_key,
    key,
    localised_words,
    not_people,
    parse_role,
    side_words,
)
from mapgen.spec import Role, Side

_EMAIL = re.compile(r"<?([^\s<>@,;/()]+@[^\s<>@,;/()]+\.[A-Za-z]{2,})>?")
_SEPARATORS = ("/", ",", ";", "&", "+", "\n", "|")
_AND = re.compile(r"\s+(?:and|und|et|y)\s+", re.I)
_DASH = re.compile(r"\s+[-–—:]\s+")


@dataclass(slots=True)
class Named:
    """One person as a cell names them."""

    name: str
    role: Role | None = None
    title: str | None = None
    email: str | None = None
    side: Side | None = None
    """What the cell itself says about the side (brackets, company, email domain)."""


@dataclass(slots=True)
class Person:
    """A stakeholder being built from every row that names them."""

    name: str
    id: str
    first_row: int
    strong: list[Side] = field(default_factory=list)
    """Sides the sheet states for them: side columns and cells, brackets, email domains."""
    role: str | None = None
    title: str | None = None
    email: str | None = None
    joint_rows: list[int] = field(default_factory=list)


def parties_of(buyer: str, seller: str) -> dict[str, Side]:
    """Words that name a party (`acme`, `acmecorp` for "Acme Corp"), so brackets can say a company."""
    found: dict[str, Side] = {}
    for side, name in ((Side.BUYER, buyer), (Side.SELLER, seller)):
        words = [key(w) for w in name.split() if len(key(w)) >= 3]
        for word in [key(name), *words[:1]]:
            if word and word not in side_words():
                found[word] = side
    return found


def side_of(text: str, parties: dict[str, Side]) -> Side | str | None:
    """Buyer, seller or JOINT from a side word, a shipped language's side label ("Käufer", "買い手")
    or a party name (`Acme Corp` when it is the buyer)."""
    localised = localised_words()["side"].get(cell_key(text))
    if localised is not None:
        return localised
    word = key(text)
    if not word:
        return None
    named = side_words().get(word)
    if named is not None:
        return named
    for party, side in parties.items():
        if word == party or (len(word) >= 3 and (party.startswith(word) or word.startswith(party))):
            return side
    return None


def split_cell(text: str) -> list[str]:
    """A people cell's parts: split at `/ , ; & + |`, line breaks and "and", never inside brackets."""
    parts: list[str] = []
    depth, current = 0, ""
    for char in _AND.sub("/", text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        if depth == 0 and char in _SEPARATORS:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def parse_people(text: str, parties: dict[str, Side]) -> list[Named]:
    """The people a cell names, in order; side words, "TBD" and the like are left out."""
    people: list[Named] = []
    for part in split_cell(text):
        person = _parse_one(part, parties)
        if person is not None:
            people.append(person)
    return people


def _parse_one(part: str, parties: dict[str, Side]) -> Named | None:
    email = None
    match = _EMAIL.search(part)
    if match:
        email = match.group(1)
        part = (part[: match.start()] + part[match.end() :]).strip(" ()") or email.split("@")[0]
    notes: list[str] = []
    bracket = re.fullmatch(r"(.+?)\s*[(\[]([^()\[\]]*)[)\]]\s*(.*)", part)
    if bracket:
        part = (bracket.group(1) + " " + bracket.group(3)).strip()
        notes.extend(re.split(r"\s*[,;/]\s*|\s+[-–—]\s+", bracket.group(2).strip()))
    dash = _DASH.split(part, maxsplit=1)
    if len(dash) == 2:
        part = dash[0].strip()
        notes.append(dash[1].strip())
    name = " ".join(part.split())
    if not re.search(r"[^\W\d_]", name) or key(name) in not_people() or side_of(name, parties) is not None:
        return None
    person = Named(name, email=email)
    for note in (n for n in notes if n):
        side = side_of(note, parties)
        role = parse_role(note)
        if isinstance(side, Side):
            person.side = side
        elif side == JOINT:
            continue
        elif role is not None and person.role is None:
            person.role = role
        elif person.title is None:
            person.title = note
    if person.side is None and email:
        domain_side = side_of(email.split("@")[1].split(".")[0], parties)
        person.side = domain_side if isinstance(domain_side, Side) else None
    return person


def full_names_by_first_name(all_names: list[list[str]]) -> dict[str, str]:
    """`raj` -> `Raj Patel` when exactly one full name in the sheet starts with that first name, so a
    cell saying "Raj / Sam" reaches the same person as the rows that spell the name out."""
    candidates: dict[str, set[str]] = {}
    for names in all_names:
        for name in names:
            first, _, rest = name.partition(" ")
            if rest:
                candidates.setdefault(first.casefold(), set()).add(name)
    return {first: next(iter(full)) for first, full in candidates.items() if len(full) == 1}


def decide_sides(
    people: dict[str, Person], joint_rows: list[list[str]]
) -> tuple[dict[str, Side], dict[str, str]]:
    """Each person's side, and for those decided by something weaker than the sheet's word, why.

    `joint_rows` lists, per row marked Joint, the keys of the people it names. Order of evidence:
    1. what the sheet states for the person (most often, when rows disagree);
    2. on a joint row whose other people are all on one side, the other side;
    3. a role that only one side has (an AE is the seller's, a champion the buyer's), then 2 again;
    4. otherwise the seller's side, with a warning.
    """
    sides: dict[str, Side] = {}
    why: dict[str, str] = {}
    for person_key, person in people.items():
        if person.strong:
            counts = Counter(person.strong)
            sides[person_key] = max((Side.BUYER, Side.SELLER), key=lambda s: counts[s])
            if len(counts) > 1:
                why[person_key] = "both"
    _partners(joint_rows, sides, why)
    for person_key, person in people.items():
        role = Role(person.role) if person.role else None
        if person_key not in sides and (role in SELLER_ROLES or role in BUYER_ROLES):
            sides[person_key] = Side.SELLER if role in SELLER_ROLES else Side.BUYER
            why[person_key] = "role"
    _partners(joint_rows, sides, why)
    for person_key in people:
        if person_key not in sides:
            sides[person_key] = Side.SELLER
            why[person_key] = "default"
    return sides, why


def _partners(joint_rows: list[list[str]], sides: dict[str, Side], why: dict[str, str]) -> None:
    """On joint rows whose decided people are all on one side, the others are on the other side."""
    for _ in range(len(joint_rows) + 1):
        changed = False
        for keys in joint_rows:
            known = {sides[k] for k in keys if k in sides}
            if len(known) != 1:
                continue
            other = Side.SELLER if known == {Side.BUYER} else Side.BUYER
            for person_key in keys:
                if person_key not in sides:
                    sides[person_key], why[person_key], changed = other, "partner", True
        if not changed:
            return
