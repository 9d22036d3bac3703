"""`xlsx` format: the actions as an Excel workbook people filter, sort, edit and print, which imports back.

What a reader meets: headers in the plan's language; the action title in the first column, frozen
with the header row (nothing else, so a laptop screen keeps room to scroll); the owner's declared
status and the computed tracking state side by side, each labelled as what it is; the words a
reader picks (status, side, role, yes/no) in the plan's language too, offered as drop-downs;
colours as conditional formats on those words, so they follow when someone edits a status; landscape pages fitted to the
width with the header row repeated; the internal ids that `mapgen import` uses moved to the end and
hidden. openpyxl stamps the current time into docProps/core.xml and every zip entry; both are fixed
to the plan's `updated` date so the same plan gives the same bytes. Text that a
spreadsheet could run as a formula gets the same apostrophe as in the CSV (it survives a copy into
another tool) and Excel's quote prefix (it stays text when edited); import removes the apostrophe.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from typing import Any, ClassVar

from mapgen.i18n import ROLE_LABELS, SIDE_LABELS, Localizer, localizer
from mapgen.renderers.base import Artifact, RenderContext
from mapgen.renderers.sheet import DATE_COLUMNS, HEADERS, rows
from mapgen.sheets.formulas import is_formula_like, neutralise
from mapgen.sheets.vocabulary import FLAG_LABELS, STATUS_LABELS
from mapgen.spec import Status
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
WRAPPED = frozenset({"Action", "Outcome", "Notes", "Contributors"})
HIDDEN = ("ID", "Owner ID", "Contributor IDs")
"""Ids `mapgen import` needs to read the sheet back; a buyer does not, so they sit hidden at the end."""
MAX_WIDTH = 60
PAPER = {"A4": 9, "Letter": 1}
DECLARED_STATE = {
    Status.DONE: State.DONE,
    Status.IN_PROGRESS: State.ON_TRACK,
    Status.BLOCKED: State.BLOCKED,
}
"""Which status colour a declared status takes (not started stays uncoloured)."""
CHOICES: dict[str, dict[Any, str]] = {
    "Status": STATUS_LABELS,
    "Side": SIDE_LABELS,
    "Role": ROLE_LABELS,
    "Milestone": FLAG_LABELS,
    "Client-Facing": FLAG_LABELS,
}
"""Columns whose cells come from a fixed list: a drop-down of the list in the plan's language."""
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def palette(theme: Any) -> tuple[dict[State, str], tuple[str, str]]:
    """Status colours and header colours (fill, text) from the theme's tokens, or the defaults."""
    tokens = getattr(theme, "tokens", None)
    if tokens is None:
        return DEFAULT_STATUS, DEFAULT_HEADER
    status = {state: getattr(tokens.status, state.value).lstrip("#").upper() for state in State}
    return status, (tokens.colors.primary.lstrip("#").upper(), tokens.colors.on_primary.lstrip("#").upper())


def column_order() -> list[str]:
    """Export headers as the workbook shows them: the action title first, the hidden ids last."""
    shown = [h for h in HEADERS if h not in HIDDEN]
    shown.remove("Action")
    return ["Action", *shown, *[h for h in HIDDEN if h in HEADERS]]


def header_label(header: str, loc: Localizer, as_of: date) -> str:
    """A header in the plan's language. Status and Tracking say what they are in parentheses,
    which `mapgen import` ignores when it matches headers."""
    base = loc.gettext(header)
    if header == "Status":
        return f"{base} ({loc.gettext('set by the owner')})"
    if header == "Tracking":
        return f"{base} ({loc.gettext('computed as of %(date)s') % {'date': loc.format_date(as_of)}})"
    return base


def workbook_bytes(view: PlanView, theme: Any = None) -> bytes:
    """The workbook for `view`, byte-identical for the same view and theme."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    status_colours, (header_fill, header_text) = palette(theme)
    loc = localizer(view.plan.locale, view.plan.timezone)
    order = column_order()
    index = {h: HEADERS.index(h) for h in order}
    book = Workbook()
    sheet = book.active
    sheet.title = loc.gettext("Actions")[:31]
    sheet.append([header_label(h, loc, view.as_of) for h in order])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color=header_text)
        cell.fill = PatternFill("solid", fgColor=header_fill)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    widths = [min(MAX_WIDTH, max(len(w) for w in str(cell.value).split()) + 4) for cell in sheet[1]]
    for r, (_, values) in enumerate(rows(view, loc), start=2):
        cells = [values[index[h]] for h in order]
        for c, value in enumerate(cells):
            header = order[c]
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
    last_row = max(2, sheet.max_row)
    for c, width in enumerate(widths, start=1):
        dimension = sheet.column_dimensions[get_column_letter(c)]
        dimension.width = width
        dimension.hidden = order[c - 1] in HIDDEN
    _status_formats(sheet, order, last_row, status_colours, loc)
    _choices(sheet, order, last_row, loc)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(order))}{last_row}"
    sheet.sheet_view.zoomScale = 100
    _page_setup(sheet, theme)

    stamp = datetime.combine(view.plan.updated, time(0))
    props = book.properties
    props.creator = props.lastModifiedBy = view.plan.seller.name
    props.title = view.plan.title
    props.created = props.modified = stamp
    props.revision = str(view.plan.revision)
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue(), stamp)


def _status_formats(
    sheet, order: list[str], last_row: int, colours: dict[State, str], loc: Localizer
) -> None:  # type: ignore[no-untyped-def]
    """Colour the tracking and status cells by their text, as conditional formats that follow edits."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    def rule(text: str, colour: str):  # type: ignore[no-untyped-def]
        quoted = '"' + text.replace('"', '""') + '"'
        return CellIsRule(
            operator="equal",
            formula=[quoted],
            fill=PatternFill(start_color=colour, end_color=colour, fill_type="solid"),
            font=Font(bold=True, color="FFFFFF"),
        )

    tracking = get_column_letter(order.index("Tracking") + 1)
    for state in State:
        sheet.conditional_formatting.add(
            f"{tracking}2:{tracking}{last_row}", rule(loc.state_label(state), colours[state])
        )
    status = get_column_letter(order.index("Status") + 1)
    for declared, state in DECLARED_STATE.items():
        sheet.conditional_formatting.add(
            f"{status}2:{status}{last_row}", rule(loc.gettext(STATUS_LABELS[declared]), colours[state])
        )


def _choices(sheet, order: list[str], last_row: int, loc: Localizer) -> None:  # type: ignore[no-untyped-def]
    """A drop-down of the words `mapgen import` reads in each fixed-list column, in the plan's
    language, so an edit stays importable (other text is still allowed: import knows synonyms)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for header, labels in CHOICES.items():
        if header not in order:
            continue
        column = get_column_letter(order.index(header) + 1)
        words = list(dict.fromkeys(loc.gettext(label) for label in labels.values()))
        choices = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
        choices.add(f"{column}2:{column}{max(last_row, 200)}")
        sheet.add_data_validation(choices)


def _page_setup(sheet, theme: Any) -> None:  # type: ignore[no-untyped-def]
    """Landscape, fitted to one page wide, the header row repeated on every printed page."""
    tokens = getattr(theme, "tokens", None)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER.get(tokens.page.size if tokens else "A4", 9)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5


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
