"""`xlsx` format: the actions as an Excel workbook people filter and sort, which imports back.

A header row, frozen panes (header and the first four columns), an autofilter, real date cells,
the derived state in the "Tracking" column coloured with the theme's status colours, and widths
that fit the text. openpyxl stamps the current time into docProps/core.xml and every zip entry;
both are fixed to the plan's `updated` date so the same plan gives the same bytes. Text that a
spreadsheet could run as a formula gets the same apostrophe as in the CSV (it survives a copy into
another tool) and Excel's quote prefix (it stays text when edited); import removes the apostrophe.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from typing import Any, ClassVar

from mapgen.renderers.base import Artifact, RenderContext
from mapgen.renderers.sheet import DATE_COLUMNS, HEADERS, rows
from mapgen.sheets.formulas import is_formula_like, neutralise
from mapgen.view import PlanView, State

DEFAULT_STATUS = {
    State.DONE: "1A7F37",
    State.ON_TRACK: "0969DA",
    State.DUE_SOON: "9A6700",
    State.OVERDUE: "CF222E",
    State.STALLED: "82071E",
    State.BLOCKED: "6E40C9",
}
DEFAULT_HEADER = ("1F3A93", "FFFFFF")
WRAPPED = frozenset({"Action", "Outcome", "Notes"})
MAX_WIDTH = 60
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def palette(theme: Any) -> tuple[dict[State, str], tuple[str, str]]:
    """Status colours and header colours (fill, text) from the theme's tokens, or the defaults."""
    tokens = getattr(theme, "tokens", None)
    if tokens is None:
        return DEFAULT_STATUS, DEFAULT_HEADER
    status = {state: getattr(tokens.status, state.value).lstrip("#").upper() for state in State}
    return status, (tokens.colors.primary.lstrip("#").upper(), tokens.colors.on_primary.lstrip("#").upper())


def workbook_bytes(view: PlanView, theme: Any = None) -> bytes:
    """The workbook for `view`, byte-identical for the same view and theme."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    status_colours, (header_fill, header_text) = palette(theme)
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color=header_text)
        cell.fill = PatternFill("solid", fgColor=header_fill)
        cell.alignment = Alignment(vertical="center")
    widths = [len(h) + 4 for h in HEADERS]
    tracking = HEADERS.index("Tracking")
    for r, (action, cells) in enumerate(rows(view), start=2):
        for c, value in enumerate(cells):
            header = HEADERS[c]
            risky = isinstance(value, str) and is_formula_like(value)
            cell = sheet.cell(row=r, column=c + 1, value=neutralise(value) if risky else value)
            if isinstance(value, str):
                cell.data_type = "s"
                if risky:
                    cell.quotePrefix = True
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif header in DATE_COLUMNS and isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if header in WRAPPED:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                cell.alignment = Alignment(vertical="top")
            text = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value or "")
            widths[c] = max(
                widths[c], min(MAX_WIDTH, max((len(line) for line in text.splitlines()), default=0) + 2)
            )
        state_cell = sheet.cell(row=r, column=tracking + 1)
        state_cell.fill = PatternFill("solid", fgColor=status_colours[action.state])
        state_cell.font = Font(bold=True, color="FFFFFF")
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(2, sheet.max_row)}"
    sheet.sheet_view.zoomScale = 100

    stamp = datetime.combine(view.plan.updated, time(0))
    props = book.properties
    props.creator = props.lastModifiedBy = view.plan.seller.name
    props.title = view.plan.title
    props.created = props.modified = stamp
    props.revision = str(view.plan.revision)
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue(), stamp)


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The same zip with every entry dated `stamp` and the modified time openpyxl stamps on save
    replaced by `stamp` too."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _MODIFIED.sub(
                    rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\2", content
                )
            target.writestr(info, content, compresslevel=6)
    return out.getvalue()


class XlsxRenderer:
    name: ClassVar[str] = "xlsx"
    suffix: ClassVar[str] = ".xlsx"
    media_type: ClassVar[str] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    uses_layout: ClassVar[bool] = True
    """Only for the theme's status colours; without a theme the default palette is used."""

    def render(self, ctx: RenderContext) -> list[Artifact]:
        data = workbook_bytes(ctx.view, ctx.theme)
        return [Artifact(f"{ctx.view.plan.id}{self.suffix}", data, self.media_type)]


RENDERER = XlsxRenderer()
