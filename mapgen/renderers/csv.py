"""`csv` format: the plan's actions as a spreadsheet any tool opens, and `mapgen import` reads back.

UTF-8 with a byte-order mark (so Excel shows accents), ISO dates, CRLF rows. Text that a
spreadsheet would run as a formula (`=`, `+`, `-`, `@` first, also after spaces or no-break spaces)
is prefixed with an apostrophe, which import removes again (mapgen.sheets.formulas).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any, ClassVar

from mapgen.renderers.base import Artifact, RenderContext
from mapgen.renderers.sheet import HEADERS, rows
from mapgen.sheets.formulas import neutralise


def cell_text(value: Any) -> str:
    """One value as CSV text: ISO dates, 'YYYY-MM-DD HH:MM' times, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


class CsvRenderer:
    name: ClassVar[str] = "csv"
    suffix: ClassVar[str] = ".csv"
    media_type: ClassVar[str] = "text/csv; charset=utf-8"
    uses_layout: ClassVar[bool] = False

    def render(self, ctx: RenderContext) -> list[Artifact]:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADERS)
        for _, cells in rows(ctx.view):
            writer.writerow([cell_text(v) for v in cells])
        data = ("\ufeff" + out.getvalue()).encode("utf-8")
        return [Artifact(f"{ctx.view.plan.id}{self.suffix}", data, self.media_type)]


RENDERER = CsvRenderer()
