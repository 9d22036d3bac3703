"""What every DOCX section is drawn with: headings, paragraphs, Markdown, Plan Tables whose
columns never break inside a word, status and count cells, and the facts sections share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Pt

from mapgen.renderers import docx_markdown, docx_xml
from mapgen.renderers.docx_page import DocxPage
from mapgen.renderers.docx_theme import hex6, tint
from mapgen.view import ActionView, State

if TYPE_CHECKING:
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

MILESTONE = "\u25c6"
CELL_MARGINS_TWIPS = 200
"""Left plus right cell margin of the Plan Table style (docx_xml_styles.styles_xml)."""


class DocxBlocks(DocxPage):
    """Building blocks on top of the page; each stage module adds the sections it draws."""

    def heading(self, text: str, level: int = 1) -> Paragraph:
        return self.para(text, f"Heading{level}")

    def section_heading(self, section: str) -> Paragraph:
        """Heading 1 in the full document; Heading 2 in a compact (one-page) layout, to save space."""
        return self.heading(self.loc.section_title(section), 1 if self.full_cover else 2)

    def para(self, text: str = "", style: str = "Normal") -> Paragraph:
        """A body paragraph in the style with id `style` (ids, not names: name lookups are slow)."""
        paragraph = self.doc.add_paragraph(text)
        if style != "Normal":
            docx_xml.set_style(paragraph, style)
        return paragraph

    def markdown(self, text: str | None, body_style: str = "Normal") -> list[Paragraph]:
        if not text:
            return []
        return docx_markdown.write(
            self.doc, text, lambda style: self.para(style=style), body_style=body_style
        )

    def caption(self, text: str) -> Paragraph:
        return self.para(text, "Caption")

    def table(
        self,
        headers: Sequence[str],
        widths: Sequence[float],
        rows: Iterable[Sequence[str | Callable[[_Cell], None]]],
        *,
        banded: bool = True,
    ) -> Table:
        """A Plan Table: header row repeated on each page, rows kept whole, fixed column widths.

        A row value is text, or a function that fills the cell itself (shading, links, Markdown).
        No column is narrower than its longest header word or single-word value (a status, a
        side), so neither breaks inside a word, in German or Japanese either.
        """
        rows = [list(values) for values in rows]
        minimums = [header_twips(h, self.small_pt) for h in headers]
        for values in rows:
            for i, value in enumerate(values):
                text = value if isinstance(value, str) else getattr(value, "text", "")
                if text and " " not in text.strip():
                    minimums[i] = max(minimums[i], header_twips(text, self.small_pt))
        table = self.doc.add_table(rows=0, cols=len(headers))
        docx_xml.set_table_style(table, "PlanTable")
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        docx_xml.table_look(table, banded=banded)
        twips = fit_widths(widths, minimums, self.text_width.twips)
        docx_xml.fixed_layout(table, twips)
        primary, on_primary = hex6(self.tokens.colors.primary), hex6(self.tokens.colors.on_primary)
        for cell, text in zip(docx_xml.add_row(table, twips, header=True), headers, strict=True):
            docx_xml.fill_cell(cell, text, "TableText", bold=True, colour=on_primary, fill=primary)
        for values in rows:
            for cell, value in zip(docx_xml.add_row(table, twips), values, strict=True):
                if callable(value):
                    value(cell)
                else:
                    docx_xml.fill_cell(cell, value, "TableText")
        self.spacer()
        return table

    def spacer(self) -> None:
        """A thin empty paragraph after a table: keeps the next table separate in Word."""
        spacing = self.para().paragraph_format
        spacing.space_after = Pt(0)
        spacing.line_spacing = Pt(6)

    def status_cell(self, state: State) -> Callable[[_Cell], None]:
        colour = getattr(self.tokens.status, state.value)
        label = self.loc.state_label(state)

        def fill(cell: _Cell) -> None:
            docx_xml.fill_cell(
                cell, label, "TableText", bold=True, colour=hex6(colour), fill=tint(colour, 0.16)
            )

        fill.text = label  # type: ignore[attr-defined]
        return fill

    def person(self, stakeholder_id: str) -> str:
        person = next(s for s in self.view.stakeholders if s.id == stakeholder_id)
        return f"{person.name} ({person.organisation})"

    def count_cell(self, state: State, count: int) -> Callable[[_Cell], None]:
        colour = getattr(self.tokens.status, state.value)

        text = self.loc.format_number(count)
        return lambda cell: docx_xml.fill_cell(
            cell, text, "TableText", bold=True, colour=hex6(colour), fill=tint(colour, 0.16), center=True
        )

    def _owner(self, action: ActionView) -> str:
        """The owner's name, then the people who work on it with them."""
        return " ".join(filter(None, (action.owner_name, self.loc.with_contributors(action))))

    def _share(self, owned: int, contributed: int, spelled: bool = False) -> str:
        """ "3 +1": actions owned, then those contributed to (as the HTML shows them); `spelled`
        adds "as contributor" where no legend explains the +N."""
        parts = [self.loc.format_number(owned)] if owned else []
        if contributed:
            parts.append(f"+{self.loc.format_number(contributed)}")
            if spelled:
                parts.append(self._("as contributor"))
        return " ".join(parts)

    def _has(self, section: str) -> bool:
        """Whether a section has anything to show (empty sections are left out, headings too)."""
        view = self.view
        return {
            "changes": bool(self.changes()),
            "summary": bool(self.plan.summary),
            "objectives": bool(view.objectives),
            "metrics": bool(view.metrics),
            "signoff": bool(view.signatories),
            "timeline": bool(view.phases),
            "actions": bool(view.actions),
            "next_milestones": any(a.is_open for a in view.milestones),
            "next_actions": bool(view.next_actions),
        }.get(section, True)

    def changes(self) -> list[Any]:
        """Change records from `--since` (mapgen.diff), already filtered for the audience."""
        changes = self.ctx.options.changes
        return list(changes.changes) if changes else []

    def _key_dates_on_cover(self) -> bool:
        """In a one-page layout the key dates (start, close, go-live) join the cover's facts when
        that is all they would show, so the page is not spent on a second copy of them."""
        return not self.full_cover and "key_dates" in self.sections and "next_milestones" in self.sections


def header_twips(text: str, size_pt: float) -> int:
    """Room the longest word of a bold header needs on one line, margins included.

    An upper estimate from character classes (wide CJK, capitals, the rest), so a German header
    never breaks inside "Verantwortlich"; a header without spaces (Japanese) counts as one word.
    """
    longest = 0.0
    for word in text.split():
        em = sum(1.0 if ord(ch) >= 0x2E80 else 0.74 if ch.isupper() or ch in "mwMW" else 0.62 for ch in word)
        longest = max(longest, em)
    return int(longest * size_pt * 20) + CELL_MARGINS_TWIPS + 40


def fit_widths(shares: Sequence[float], minimums: Sequence[int], total: int) -> list[int]:
    """Column widths in twips: `shares` of `total`, but never below a column's minimum; the room
    that costs is taken from the other columns in proportion. When even the minimums do not fit,
    the minimums are scaled down together."""
    if sum(minimums) >= total:
        return [int(total * m / sum(minimums)) for m in minimums]
    fixed: dict[int, int] = {}
    while True:
        free = total - sum(fixed.values())
        rest = [i for i in range(len(shares)) if i not in fixed]
        weight = sum(shares[i] for i in rest)
        widths = {i: free * shares[i] / weight for i in rest}
        short = [i for i in rest if widths[i] < minimums[i]]
        if not short:
            break
        for i in short:
            fixed[i] = minimums[i]
    out = [fixed.get(i, int(widths.get(i, 0))) for i in range(len(shares))]
    return out


def link_tokens(text: str, href: str) -> list[Any]:
    from markdown_it.token import Token

    return [
        Token("link_open", "a", 1, attrs={"href": href}),
        Token("text", "", 0, content=text),
        Token("link_close", "a", -1),
    ]
