"""What `mapgen import` is asked for and what it gives back, and the entry point.

Kept apart from the stages so that a sheet refused by `read` (too big, a zip bomb, an unknown
encoding) is refused before the rest of mapgen (pydantic, the plan models) is even imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mapgen.errors import Problem


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the command line adds to the sheet."""

    columns: str | None = None
    """`--columns "Task Name=action,Owner (Us)=owner:seller,Notes=ignore"`, by full header text."""
    date_format: str | None = None
    """strptime format (`%d.%m.%Y`) or a pattern such as `DD.MM.YYYY` or `d.m.Y`."""
    sheet: str | None = None
    """Worksheet name of an xlsx file (default: the first)."""
    assignments: tuple[str, ...] = ()
    """`--set key.path=value`, as for `mapgen new`."""
    today: date | None = None
    """Default `updated` (the command passes today's date)."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The plan file's text and what the user should know about it."""

    text: str
    warnings: tuple[Problem, ...]
    actions: int
    stakeholders: int
    phases: int
    readings: tuple[str, ...] = ()
    """How each date column was read, for the summary."""


def import_sheet(path: Path, options: ImportOptions) -> ImportResult:
    """Read `path` and return the text of a valid plan; InvalidInput lists every problem by row."""
    from mapgen.sheets.read import read_rows

    rows = read_rows(path, options.sheet)
    from mapgen.sheets.plan import SheetImport

    return SheetImport(path, rows, options).run()
