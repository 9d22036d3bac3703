"""Which column holds which field: the header row found, each header mapped by its synonyms.

A header may name a side as well as a field ("Owner (Customer)", "Vendor Lead", "Owner - Us"):
its people are on that side. A header that lists several sides ("Owner (Provider/Client/Joint)")
is a side column. `--columns` addresses a column by its full header text, so two headers that
differ only in their brackets can be told apart, and `ignore` drops only the column it names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from mapgen.errors import InvalidInput, Problem, UsageError
from mapgen.sheets.vocabulary import (
    EXPORT_HEADERS,
    JOINT,
    Field,
    cell_key,
    fold,
    header_lookup,
    in_every_language,
    key,
    secondary_headers,
    side_words,
)
from mapgen.spec import Side

HEADER_SCAN_ROWS = 20
SIDED_FIELDS = frozenset({Field.OWNER, Field.CONTACT})
"""Fields whose header may say which side their people are on."""


@dataclass(frozen=True, slots=True)
class Column:
    """One mapped column of the header row."""

    index: int
    header: str
    field: Field
    side: Side | None = None
    """For owner and contact columns whose header names a side: the side of their people."""


@dataclass(frozen=True, slots=True)
class Override:
    """One `--columns` entry: a header (full text) and the field, and side, it holds."""

    header: str
    field: Field
    side: Side | None = None


def normalise(header: str) -> str:
    """ "Client-Facing (Y/N)?" -> "clientfacing": case, accents, brackets and punctuation ignored."""
    text = fold(header)
    text = re.sub(r"[(\[{].*?[)\]}]", "", text).replace("#", " no ")
    text = re.sub(r"[^a-z0-9]+", "", text)
    for suffix in ("yn", "yesno", "tf"):
        if text.endswith(suffix) and len(text) > len(suffix) + 2:
            text = text.removesuffix(suffix)
    return text


def _plain(header: str) -> str:
    """A header as written, without a bracketed note, case and spacing ignored (any script)."""
    return cell_key(re.sub(r"[(\[{（].*?[)\]}）]", "", header))


@lru_cache(maxsize=1)
def _localised_headers() -> dict[str, Field]:
    """The export headers in every shipped language (as the xlsx writes them for a German or
    Japanese plan), so such a sheet imports back."""
    found: dict[str, Field] = {}
    for field, header in EXPORT_HEADERS:
        for word in in_every_language(header):
            found.setdefault(_plain(word), field)
    return found


def field_for(header: str) -> Field | None:
    """The field a header names, or None; secondary meanings are resolved by `assign_fields`."""
    localised = _localised_headers().get(_plain(header))
    if localised is not None:
        return localised
    lookup = header_lookup()
    found = normalise(header)
    if not found:
        return None
    if found in lookup:
        return lookup[found]
    for prefix in ("owner", "action", "task", "step", "item"):
        if found.startswith(prefix) and found.removeprefix(prefix) in lookup:
            return lookup[found.removeprefix(prefix)]
    parts = [p for p in re.split(r"[/|&]", header) if p.strip()]
    if len(parts) > 1:
        fields = [f for f in (field_for(part) for part in parts) if f is not None]
        for preferred in (Field.ACTION, Field.CONTACT):
            if preferred in fields:
                return preferred
        return fields[0] if fields else None
    return None


def sides_named(header: str, parties: dict[str, Side]) -> list[Side | str]:
    """The sides a header's words name ("Owner (Customer)" -> [buyer]), in order, no repeats."""
    words = side_words()
    found: list[Side | str] = []
    for word in re.split(r"[^a-z0-9]+", unicodedata.normalize("NFKD", header).lower()):
        side = words.get(word) or parties.get(word)
        if side is not None and side not in found:
            found.append(side)
    return found


def column_for(index: int, header: str, parties: dict[str, Side]) -> Column | None:
    """A header's field and side, or None when it names nothing mapgen reads."""
    field = field_for(header)
    if field not in (None, *SIDED_FIELDS):
        return Column(index, header, field)
    sides = sides_named(header, parties)
    if len(sides) > 1:
        return Column(index, header, Field.SIDE)
    if field is None and sides:
        words = [w for w in re.split(r"[^A-Za-z0-9]+", header) if w and not sides_named(w, parties)]
        field = field_for(" ".join(words)) if words else Field.OWNER
        field = field or next((f for f in map(field_for, words) if f in SIDED_FIELDS), None)
        if field not in SIDED_FIELDS:
            return Column(index, header, field) if field else None
    if field is None:
        return None
    side = sides[0] if sides and sides[0] != JOINT else None
    return Column(index, header, field, side)  # type: ignore[arg-type]


def assign_fields(
    headers: list[str], overrides: list[Override] | None = None, parties: dict[str, Side] | None = None
) -> list[Column]:
    """The mapped columns of one header row: the first column of each field wins, except that
    owner and contact columns whose header names a side all count; `--columns` entries come first."""
    parties = parties or {}
    chosen: dict[int, Column] = {}
    for override in overrides or []:
        for index in _columns_named(headers, override.header):
            chosen[index] = Column(index, headers[index], override.field, override.side)
    taken = {(c.field, c.side) for c in chosen.values()}
    for index, header in enumerate(headers):
        if index in chosen:
            continue
        column = column_for(index, header, parties)
        repeatable = column is not None and (column.field is Field.IGNORE or column.side is not None)
        if column is None or ((column.field, column.side) in taken and not repeatable):
            continue
        chosen[index] = column
        taken.add((column.field, column.side))
    fields = {c.field for c in chosen.values()}
    for index, header in enumerate(headers):
        secondary = secondary_headers().get(normalise(header))
        if index in chosen or secondary is None:
            continue
        field = secondary if secondary not in fields else Field.NOTES
        if field not in fields:
            chosen[index] = Column(index, header, field)
            fields.add(field)
    if Field.ACTION not in fields:
        milestone = next((c for c in chosen.values() if c.field is Field.MILESTONE), None)
        if milestone is not None:
            chosen[milestone.index] = Column(milestone.index, milestone.header, Field.ACTION)
    return [chosen[i] for i in sorted(chosen)]


def _columns_named(headers: list[str], wanted: str) -> list[int]:
    """The columns a `--columns` header names: those with exactly that text, or when none has it,
    the one column equal once brackets and punctuation are ignored ("finish by" for "Finish By:");
    never several that only look alike ("Owner (Them)" is neither "Owner (Us)" nor "Owner (Customer)")."""
    exact = [i for i, h in enumerate(headers) if cell_key(h) == cell_key(wanted)]
    loose = [i for i, h in enumerate(headers) if h and normalise(h) == normalise(wanted)]
    return exact or (loose if len(loose) == 1 else [])


def parse_columns(mapping: str | None) -> list[Override]:
    """`"Task Name=action,Owner (Us)=owner:seller,Notes (internal)=ignore"` -> overrides."""
    if not mapping:
        return []
    result: list[Override] = []
    for item in mapping.split(","):
        if not item.strip():
            continue
        header, sep, target = item.rpartition("=")
        name, _, side_name = target.strip().partition(":")
        wanted = header_lookup().get(key(name)) if sep else None
        side = {s.value: s for s in Side}.get(side_name.strip().lower()) if side_name else None
        if not sep or not header.strip() or wanted is None or (side_name and side is None):
            names = ", ".join(f.value for f in Field)
            raise UsageError(
                f'--columns takes HEADER=FIELD pairs, such as "Task Name=action" or "Owner (Us)=owner:seller" '
                f"(got {item.strip()!r}); fields: {names}"
            )
        result.append(Override(header.strip(), wanted, side))
    return result


def find_header(
    rows: list[list[str]], overrides: list[Override], parties: dict[str, Side], name: str
) -> tuple[int, list[Column]]:
    """The header row among the first rows: the one mapping the most fields, with an action column."""
    best: tuple[int, int, list[Column]] | None = None
    for index, headers in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns = assign_fields(headers, overrides, parties)
        score = sum(1 for c in columns if c.field is not Field.IGNORE)
        has_action = any(c.field is Field.ACTION for c in columns)
        if has_action and score >= 2 and (best is None or score > best[0]):
            best = (score, index, columns)
    missing = [
        o.header
        for o in overrides
        if not any(_columns_named(row, o.header) for row in rows[:HEADER_SCAN_ROWS])
    ]
    if missing:
        raise UsageError(f"--columns names a header the sheet does not have: {', '.join(missing)}")
    if best is None:
        raise InvalidInput(
            [
                Problem(
                    "no header row found in the first 20 rows: one column must be named Action, "
                    'Step, Task or Milestone (or map yours with --columns "Your Header=action")',
                    file=name,
                )
            ]
        )
    return best[1], best[2]
