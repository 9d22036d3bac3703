"""Column widths for the print tables, measured from the plan's own text with the theme's fonts.

The print stylesheet lays every table out with `table-layout: fixed`: WeasyPrint then skips
measuring the min/max content width of every cell (about half the layout time of a long plan with
automatic tables), and the columns come out the same from one phase table to the next. The widths
are chosen here, for the content: a column of names is as wide as the widest name, so no name is
ever broken across lines, and the text column takes what is left. Widths are in millimetres; None
leaves a column to share the rest of the table with the other None columns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mapgen.i18n import Localizer
    from mapgen.themes import Theme
    from mapgen.view import PlanView

PT_PER_MM = 72 / 25.4
PAGE_WIDTH_MM = {"A4": 210.0, "Letter": 215.9}
CELL_PADDING_MM = 3.2 + 0.8
"""Both side paddings of a cell (print.css: 1.6mm each) and a little air for rounding and kerning."""
BADGE_DOT_MM = 2.5
"""The status dot before a badge's label and its gap."""
Widths = tuple[float | None, ...]
Spec = float | tuple[float, float] | None
"""A column before fitting: None shares the rest of the table; a width; or (width, least width) for
a column whose header may wrap while its values still fit (`_fit`)."""
NAME_SHARE = 0.3
"""The widest a column of names may measure. A name that fits it is kept on one line (`name_fits`);
a longer one (a template's placeholder, a rare double-barrelled name) wraps between its words."""
TEXT_MIN_MM = 9.0
"""The least width of each text column (the matrix has one per phase), whatever else must give."""
HEADER_SHARE = 0.75
"""How narrow a column may get against a header word long enough to hyphenate: it then takes two
lines (Ausgangs-wert), not three."""
HYPHENATE_MIN_CHARS = 10
"""print.css: `hyphenate-limit-chars: 10 3 3`, so shorter words are never hyphenated."""
MAX_TEXT_SHARE = 0.6
"""What the text columns together may claim at most (a matrix of many phases cannot have 9mm each)."""


@lru_cache(maxsize=16)
def _advances(path: Path) -> tuple[dict[int, int], int]:
    """Advance widths by code point, and units per em, of one font file."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    metrics = font["hmtx"].metrics
    widths = {code: metrics[name][0] for code, name in font.getBestCmap().items() if name in metrics}
    return widths, int(font["head"].unitsPerEm)


class TextMeasure:
    """Widths of text set in the theme's body font; characters the font lacks (CJK names, set in a
    fallback font) count as wide or narrow by their East Asian width."""

    def __init__(self, theme: Theme, size_pt: float) -> None:
        from mapgen.presentation import font_families

        self.size_pt = size_pt
        family = font_families(theme.tokens.fonts.body)[0]
        faces = [f for f in theme.fonts if f.family == family and f.style == "normal"]
        regular = min(faces, key=lambda f: abs(f.weight - 400), default=None)
        bold = min(faces, key=lambda f: abs(f.weight - 650), default=None)
        self._regular = _advances(regular.path) if regular else None
        self._bold = _advances(bold.path) if bold else self._regular

    def mm(self, text: str, bold: bool = False, size_pt: float | None = None) -> float:
        """Width of `text` on one line, in millimetres."""
        font = self._bold if bold else self._regular
        widths, per_em = font if font else ({}, 1000)
        units = 0.0
        for char in text:
            advance = widths.get(ord(char))
            if advance is None:
                wide = unicodedata.east_asian_width(char) in ("W", "F")
                advance = per_em if wide else round(per_em * (0.62 if bold else 0.58))
            units += advance
        return units / per_em * (size_pt or self.size_pt) / PT_PER_MM

    def column(self, texts: Iterable[str], bold: bool = False, extra_mm: float = 0.0) -> float:
        """A column as wide as its widest text, with cell padding."""
        return max((self.mm(t, bold) for t in texts), default=0.0) + extra_mm + CELL_PADDING_MM


@dataclass(frozen=True, slots=True)
class Columns:
    """The `<colgroup>` widths of each kind of print table (see print/macros.j2 `colgroup`)."""

    actions: Widths
    attention: Widths
    phases: Widths
    matrix: Widths
    people: Widths
    metrics: Widths
    milestones: Widths
    key_dates: Widths
    phase_bars: Widths


def content_width_mm(theme: Theme, side_margin_mm: float) -> float:
    """Width of the text block: the page's width less both side margins."""
    return PAGE_WIDTH_MM[theme.tokens.page.size] - 2 * side_margin_mm


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(value, high))


def name_fits(measure: TextMeasure, name: str, width_mm: float) -> bool:
    """Whether `name`, set bold in a table cell, fits the widest column of names: then it never breaks."""
    return measure.mm(name, bold=True) + CELL_PADDING_MM <= width_mm * NAME_SHARE


def _header_least(measure: TextMeasure, headers: list[str]) -> float:
    """The narrowest a column may get for its headers: each word whole, or about three quarters of a
    word long enough to hyphenate."""
    words = " ".join(headers).split()
    return CELL_PADDING_MM + max(
        (measure.mm(w, bold=True) * (HEADER_SHARE if len(w) >= HYPHENATE_MIN_CHARS else 1.0) for w in words),
        default=0.0,
    )


def _fit(columns: tuple[Spec, ...], width_mm: float, share: float) -> Widths:
    """Widths that leave the text columns (None) at least `share` of the table.

    Long headers (German ones) and long names can measure wider than the page: the text column
    was then squeezed to a letter a line. The columns with a least width give up their slack first,
    in proportion (their headers wrap, hyphenated); names and dates, which must not break, shrink
    only when the text columns would otherwise get less than TEXT_MIN_MM each.
    """
    wanted = [c[0] if isinstance(c, tuple) else c for c in columns]
    least = [min(c) if isinstance(c, tuple) else c for c in columns]
    texts = wanted.count(None)
    least_text = min(TEXT_MIN_MM * texts, width_mm * MAX_TEXT_SHARE)
    room = width_mm - max(width_mm * share, least_text)
    excess = sum(w for w in wanted if w is not None) - room
    if not texts or excess <= 0:
        return tuple(wanted)
    slack = sum(w - low for w, low in zip(wanted, least, strict=True) if w is not None and low is not None)
    take = min(1.0, excess / slack) if slack > 0 else 0.0
    widths = [
        None if w is None or low is None else w - (w - low) * take
        for w, low in zip(wanted, least, strict=True)
    ]
    fixed = sum(w for w in widths if w is not None)
    floor = width_mm - least_text
    if fixed > floor:
        widths = [None if w is None else w * floor / fixed for w in widths]
    return tuple(widths)


def print_columns(view: PlanView, l10n: Localizer, measure: TextMeasure, width_mm: float) -> Columns:
    """Every print table's column widths for this plan, its language and the theme's fonts."""
    _ = l10n.gettext
    actions = view.actions
    states = [l10n.state_label(s) for s in {a.state for a in actions}] or [_("Status")]
    sides = [l10n.side_label(a.side) for a in actions]
    numbers = [f"{len(view.phases)}.{max((len(p.actions) for p in view.phases), default=1)}"]
    owner = _clamp(
        max(
            measure.column([a.owner_name for a in actions], bold=True),
            measure.column([*sides, _("Owner")], bold=True),
        ),
        16,
        width_mm * NAME_SHARE,
    )
    dues = [l10n.format_due(a.due_day) for a in actions]
    done = [_("done %(date)s") % {"date": l10n.format_date(a.completed)} for a in actions if a.completed]
    due = measure.column([*dues, *done, _("Due")], bold=True)
    status = max(
        measure.column(states, bold=True, extra_mm=BADGE_DOT_MM), measure.column([_("Status")], True)
    )
    number = measure.column([*numbers, "#"])
    late = [l10n.ngettext("%(n)s day late", "%(n)s days late", a.days_late) for a in view.needs_attention]
    phase_dates = [l10n.format_due(d) for p in view.phases for d in (p.first_due, p.last_due)]
    dates = measure.column([*phase_dates, _("Dates")], bold=True, extra_mm=2)
    phase_names = measure.column([p.name for p in view.phases], extra_mm=0)
    people = view.stakeholders
    person = _clamp(
        measure.column([s.name for s in people] + [_("Stakeholder")], bold=True), 18, width_mm * NAME_SHARE
    )
    total = measure.column([_("Total"), _("Actions")], bold=True)
    titles = measure.column([s.title or "" for s in people])
    percent = measure.column([l10n.format_percent(100), _("Progress")], bold=True)
    organisation = _clamp(
        measure.column([s.organisation for s in people] + [_("Organization")], bold=True), 15, width_mm * 0.22
    )
    side = measure.column([l10n.side_label(s.side) for s in people] + [_("Side")], bold=True)
    emails = _clamp(measure.column([s.email or "" for s in people] + [_("Email")]), 20, width_mm * 0.38)
    metric_numbers = [
        l10n.format_number(v) for m in view.metrics for v in (m.baseline, m.target, m.actual) if v is not None
    ]
    metric_number = tuple(
        (
            measure.column([*metric_numbers, header], bold=True),
            max(measure.column([*metric_numbers, "—"], bold=True), _header_least(measure, [header])),
        )
        for header in (_("Baseline"), _("Target"), _("Actual"))
    )
    metric_owner = _clamp(
        measure.column([m.owner.name for m in view.metrics] + [_("Owner")], bold=True),
        16,
        width_mm * NAME_SHARE,
    )
    metric_dates = [l10n.format_due(m.measure_by) for m in view.metrics]
    measure_by = (
        measure.column([*metric_dates, _("Measure by")], bold=True),
        max(measure.column(metric_dates), _header_least(measure, [_("Measure by")])),
    )
    progress_words = " ".join(
        (_("%(percent)s of the way from baseline to target") % {"percent": "100%"}, _("not measured yet"))
    ).split()
    progress = (
        width_mm * 0.2,
        max(measure.column(progress_words, bold=True), _header_least(measure, [_("Progress to target")])),
    )
    key_dates = measure.column([l10n.format_due(k.day) for k in view.key_dates] + [_("Date")], bold=True)
    relative = measure.column([_("When"), l10n.ngettext("in %(n)s day", "in %(n)s days", 999)], bold=True)
    total_header = (
        total,
        max(measure.column(["9999"], bold=True), _header_least(measure, [_("Total"), _("Actions")])),
    )
    return Columns(
        actions=_fit(
            (
                number,
                None,
                owner,
                (due, max(measure.column([*dues, *done]), _header_least(measure, [_("Due")]))),
                status,
            ),
            width_mm,
            0.4,
        ),
        attention=_fit((None, owner, max(due, measure.column(late)), status), width_mm, 0.4),
        phases=_fit((number, _clamp(phase_names, 25, width_mm * 0.3), dates, percent, None), width_mm, 0.2),
        matrix=_fit((person, side, *([None] * len(view.phases)), total_header), width_mm, 0.0),
        people=_fit(
            (
                max(person, _clamp(titles, 35, width_mm * 0.3)),
                (organisation, max(15.0, _header_least(measure, [_("Organization")]))),
                None,
                emails,
                total_header,
            ),
            width_mm,
            0.15,
        ),
        metrics=_fit((None, *metric_number, progress, measure_by, metric_owner), width_mm, 0.3),
        milestones=_fit((None, owner, due, status), width_mm, 0.4),
        key_dates=_fit((key_dates, None, relative), width_mm, 0.3),
        phase_bars=_fit(
            (_clamp(phase_names, 25, width_mm * 0.42), None, measure.column(["100% (99/99)"])), width_mm, 0.2
        ),
    )
