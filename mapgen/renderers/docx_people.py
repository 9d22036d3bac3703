"""The DOCX's people and results: who owns what by phase, the stakeholders of each side, the
success metrics, and the sign-off table with signature and date lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Mm

from mapgen.renderers import docx_markdown, docx_xml
from mapgen.renderers.docx_blocks import DocxBlocks, link_tokens
from mapgen.renderers.docx_theme import hex6, tint
from mapgen.spec import Side
from mapgen.view import Share

if TYPE_CHECKING:
    from docx.table import _Cell


class PeopleSections(DocxBlocks):
    """Responsibilities, stakeholders, metrics and sign-off."""

    def _section_responsibilities(self) -> None:
        view = self.view
        if not view.phases:
            return
        self.section_heading("responsibilities")
        legend = "; ".join(f"{i} = {p.name}" for i, p in enumerate(view.phases, 1))
        caption = f"{self._('Actions each person owns, by phase')} ({legend})"
        if any(s.contributed for s in view.stakeholders):
            caption += f". {self._('+N: actions the person works on as a contributor.')}"
        self.caption(caption)
        primary = self.tokens.colors.primary

        def count(share: Share | None) -> Callable[[_Cell], None]:
            owned, contributed = (share.owned, share.contributed) if share else (0, 0)
            shading = tint(primary, 0.18) if owned else None
            text = self._share(owned, contributed)
            return lambda cell: docx_xml.fill_cell(cell, text, "TableText", fill=shading, center=True)

        rows = []
        for person in view.stakeholders:
            shares = [view.responsibilities.get((person.id, p.id)) for p in view.phases]
            label = f"{person.name} ({self.loc.side_label(person.side)})"
            rows.append([label, *[count(s) for s in shares], count(Share(person.owned, person.contributed))])
        self.table(
            [self._("Stakeholder"), *[str(i) for i in range(1, len(view.phases) + 1)], self._("Total")],
            [max(4.0, len(view.phases) * 0.6), *[1.0] * len(view.phases), 1.2],
            rows,
            banded=False,
        )

    def _section_stakeholders(self) -> None:
        self.section_heading("stakeholders")
        for side, organisation in ((Side.BUYER, self.plan.buyer.name), (Side.SELLER, self.plan.seller.name)):
            people = self.view.side(side)
            if not people:
                continue
            self.heading(f"{organisation} ({self.loc.side_label(side)})", 2)
            self.table(
                [self._("Name"), self._("Title"), self._("Role"), self._("Email"), self._("Actions")],
                [4, 4.4, 3.2, 6.4, 1.6],
                [
                    (
                        p.name,
                        p.title or "",
                        self.loc.role_label(p.role),
                        self._email(p.email),
                        self._share(p.owned, p.contributed, spelled=True) or self.loc.format_number(0),
                    )
                    for p in people
                ],
            )

    def _email(self, email: str | None) -> Callable[[_Cell], None]:
        def fill(cell: _Cell) -> None:
            p = cell.paragraphs[0]
            docx_xml.set_style(p, "TableText")
            if email:
                docx_markdown.add_inline(p, link_tokens(email, f"mailto:{email}"))

        return fill

    def _value(self, value: float | None, unit: str) -> str:
        if value is None:
            return "\u2014"
        if len(unit) == 3 and unit.isalpha() and unit.isupper():
            return self.loc.format_money(value, unit)
        number = self.loc.format_number(value)
        return f"{number}%" if unit == "%" else f"{number} {unit}".strip()

    def _section_metrics(self) -> None:
        if not self._has("metrics"):
            return
        self.section_heading("metrics")
        self.table(
            [
                self._("Metric"),
                self._("Baseline"),
                self._("Target"),
                self._("Actual"),
                self._("Measure by"),
                self._("Owner"),
            ],
            [5, 2.4, 2.4, 2.4, 2.6, 3.2],
            [
                (
                    m.name,
                    self._value(m.baseline, m.unit),
                    self._value(m.target, m.unit),
                    self._value(m.actual, m.unit)
                    + (
                        f" ({self.loc.format_percent(m.progress_percent)})"
                        if m.progress_percent is not None
                        else ""
                    ),
                    self.loc.format_due(m.measure_by),
                    m.owner.name,
                )
                for m in self.view.metrics
            ],
        )

    def _section_signoff(self) -> None:
        if not self._has("signoff"):
            return
        heading = self.section_heading("signoff")
        heading.paragraph_format.page_break_before = True
        for paragraph in self.loc.signoff_text(self.view):
            self.para(paragraph)
        rule = hex6(self.tokens.colors.text)
        table = self.table(
            [self._("Name"), self._("Title"), self._("Organization"), self._("Signature"), self._("Date")],
            [3.6, 3.6, 3, 4.4, 2.4],
            [(s.name, s.title or "", s.organisation, "", "") for s in self.view.signatories],
            banded=False,
        )
        for row in table.rows[1:]:
            row.height = Mm(18)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            for cell in row.cells[3:]:
                docx_xml.signature_line(cell, rule)
