"""Rows under the header: action rows with their cells by field, phase rows, blank rows.

Real MAP sheets put phase names on rows of their own ("PHASE 1 - DISCOVERY"), merge phase cells,
leave blank rows and carry totals. This stage keeps the action rows and the phase each is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mapgen.sheets.formulas import restore
from mapgen.sheets.headers import Column
from mapgen.sheets.vocabulary import Field

_BLANKS = " \t\r\n"
"""Trimmed from cells; a no-break space is kept (it may be content, such as before a formula sign)."""


@dataclass(slots=True)
class SheetRow:
    """One action row: its sheet row number, cells by field, and the columns naming people."""

    line: int
    cells: dict[Field, Any]
    headers: dict[Field, str]
    phase: str
    people: list[tuple[Column, str]] = field(default_factory=list)
    """(column, text) of every owner and contact column, left to right."""

    def text(self, f: Field) -> str:
        return text_of(self.cells.get(f))


def text_of(value: Any) -> str:
    """A cell as text: whole numbers without ".0", date-times to the minute, export's apostrophe off."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return restore(str(value).strip(_BLANKS))


def phase_name(text: str) -> str:
    """ "PHASE 1 - DISCOVERY" -> "Discovery": numbering dropped, shouting lowered."""
    name = (
        re.sub(r"^(phase|stage|step|part)\s*\d+\s*[-:–—.)]\s*", "", text.strip(), flags=re.I) or text.strip()
    )
    return name.title() if name.isupper() else name


def data_rows(rows: list[list[Any]], index: int, columns: list[Column], error: Any) -> list[SheetRow]:
    """The action rows below the header at `index`; `error(line, header, message)` for bad rows."""
    singles: dict[Field, Column] = {}
    for column in columns:
        if column.field not in (Field.OWNER, Field.CONTACT, Field.IGNORE):
            singles.setdefault(column.field, column)
    people_columns = [c for c in columns if c.field in (Field.OWNER, Field.CONTACT)]
    names = {f: c.header for f, c in singles.items()}
    for column in people_columns:
        names.setdefault(column.field, column.header)
    result: list[SheetRow] = []
    phase = ""
    for offset, row in enumerate(rows[index + 1 :]):
        line = index + offset + 2
        cells = {f: row[c.index] for f, c in singles.items() if c.index < len(row)}
        people = [(c, text_of(row[c.index])) for c in people_columns if c.index < len(row)]
        filled = [t for t in map(text_of, row) if t]
        if not filled:
            continue
        title = text_of(cells.get(Field.ACTION))
        phase_cell = text_of(cells.get(Field.PHASE))
        if not title:
            if len(filled) == 1 and not filled[0].isdigit():
                phase = phase_name(filled[0])
                continue
            values = [*cells.values(), *(text for _, text in people)]
            if phase_cell and all(t in (phase_cell, "") or t.isdigit() for t in map(text_of, values)):
                phase = phase_name(phase_cell)
                continue
            if len(filled) == 1:
                continue
            error(line, names.get(Field.ACTION), "the row has no action title")
            continue
        phase = phase_name(phase_cell) or phase
        result.append(SheetRow(line, cells, names, phase, [(c, t) for c, t in people if t]))
    return result
