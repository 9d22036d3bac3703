"""The DOCX's opening: the cover with the deal's facts, the table of contents, what changed since
an earlier revision, the summary and the objectives."""

from __future__ import annotations

from docx.enum.text import WD_BREAK
from docx.shared import Pt, RGBColor
from docx.text.run import Run

from mapgen.audience import Audience
from mapgen.renderers import docx_xml, docx_xml_fields
from mapgen.renderers.docx_blocks import DocxBlocks
from mapgen.renderers.docx_theme import hex6, length


class CoverSections(DocxBlocks):
    """Cover, contents, changes, summary and objectives."""

    def _section_cover(self) -> None:
        plan, view, loc = self.plan, self.view, self.loc
        if self.full_cover:
            logos = self.logos()
            if logos:
                p = self.para()
                self._add_logos(p, logos, length(self.tokens.logo.height))
                p.paragraph_format.space_after = Pt(48)
        self.para(plan.title, "Title")
        self.para(f"{plan.deal.name} \u00b7 {plan.buyer.name} \u00d7 {plan.seller.name}", "Subtitle")
        if self.view.audience is Audience.INTERNAL:
            note = self.para()
            run = note.add_run(
                self._("Internal copy: includes seller-only actions and notes. Do not share with the buyer.")
            )
            run.bold = True
            run.font.color.rgb = RGBColor.from_string(hex6(self.tokens.status.overdue))
        facts: list[tuple[str, str]] = []
        if self.full_cover:
            facts += [(self._("Buyer"), plan.buyer.name), (self._("Seller"), plan.seller.name)]
        elif self._key_dates_on_cover():
            facts.append((self._("Start"), loc.format_due(plan.deal.start)))
        if plan.deal.value is not None:
            facts.append(
                (self._("Deal value"), loc.format_money(plan.deal.value.amount, plan.deal.value.currency))
            )
        facts.append((self._("Target close"), loc.format_date(plan.deal.target_close)))
        if plan.deal.go_live is not None:
            facts.append((self._("Go-live"), loc.format_due(plan.deal.go_live)))
        if plan.deal.compelling_event:
            facts.append((self._("Compelling event"), plan.deal.compelling_event))
        facts.append(
            (
                self._("Progress"),
                f"{view.progress.done} / {view.progress.total} \u00b7 {loc.format_percent(view.progress.percent)}",
            )
        )
        facts.append((self._("Revision"), f"{plan.revision} \u00b7 {loc.format_date(plan.updated)}"))
        if view.as_of != plan.updated:
            facts.append((self._("Status as of"), loc.format_date(view.as_of)))
        pairs = 1 if self.full_cover else 2
        table = self.doc.add_table(rows=0, cols=2 * pairs)
        docx_xml.set_table_style(table, "PlanTable")
        docx_xml.table_look(table, header=False, banded=False)
        width = self.text_width.twips
        shares = [0.3, 0.7] if pairs == 1 else [0.19, 0.31, 0.19, 0.31]
        twips = [int(width * share) for share in shares]
        docx_xml.fixed_layout(table, twips)
        for start in range(0, len(facts), pairs):
            cells = docx_xml.add_row(table, twips)
            for i, (label, value) in enumerate(facts[start : start + pairs]):
                docx_xml.fill_cell(cells[2 * i], label, "TableText", bold=True)
                docx_xml.fill_cell(cells[2 * i + 1], value, "TableText")
        if self.full_cover:
            self.para().add_run().add_break(WD_BREAK.PAGE)
            if self.toc:
                self._toc()
        else:
            self.spacer()

    def _toc(self) -> None:
        """A TOC field: Word rebuilds it on open; its cached entries link to bookmarked headings."""
        self.para(self._("Contents"), "TOCHeading")
        self.caption(
            self._(
                "Page numbers appear once the table is updated: in Word, right-click it and choose "
                "Update Field; in LibreOffice, choose Tools > Update > Update All. Each entry links to its section."
            )
        )
        self.toc_anchor = self.para()
        self.para().add_run().add_break(WD_BREAK.PAGE)

    def _fill_toc(self) -> None:
        anchor = self.toc_anchor
        if anchor is None:
            return
        levels = {"Heading1": "TOC1", "Heading2": "TOC2"}
        headings = [p for p in self.doc.paragraphs if p._p.style in levels]
        entries = []
        for number, heading in enumerate(headings, 1):
            name = f"_Toc{number:08d}"
            docx_xml_fields.bookmark(heading, number, name)
            entry = self.para(style=levels[heading._p.style])
            anchor._p.addprevious(entry._p)
            if number == 1:
                docx_xml_fields.field_start(entry, 'TOC \\o "1-2" \\h \\z \\u')
            link = docx_xml_fields.add_internal_link(entry, name)
            Run(docx_xml_fields.add_run_to(link), entry).text = heading.text
            entries.append(entry)
        if entries:
            docx_xml_fields.field_end(entries[-1])
        anchor._p.getparent().remove(anchor._p)

    def _section_changes(self) -> None:
        if not self._has("changes"):
            return
        changes = self.ctx.options.changes
        self.section_heading("changes")
        self.caption(
            f"{self._('Revision')} {changes.since_revision} ({self.loc.format_date(changes.since_updated)})"
            f" \u2192 {changes.revision} ({self.loc.format_date(changes.updated)})"
        )
        for change in self.changes():
            self.para(change.summary, "ListBullet")

    def _section_summary(self) -> None:
        if not self._has("summary"):
            return
        self.section_heading("summary")
        self.markdown(self.plan.summary)

    def _section_objectives(self) -> None:
        if not self._has("objectives"):
            return
        self.section_heading("objectives")
        if not self.full_cover:
            self.table(
                [self._("Objective"), self._("Success criteria"), self._("Owner")],
                [3.6, 7, 2],
                [(o.title, "; ".join(o.success_criteria), o.owner.name) for o in self.view.objectives],
            )
            return
        for objective in self.view.objectives:
            self.heading(objective.title, 2)
            owner = objective.owner
            self.para(f"{self._('Owner')}: {owner.name} ({owner.organisation})", "Caption")
            self.markdown(objective.description)
            if objective.success_criteria:
                label = self.para(style="Normal")
                label.add_run(self._("Success criteria")).bold = True
                label.paragraph_format.keep_with_next = True
                label.paragraph_format.space_after = Pt(2)
                for criterion in objective.success_criteria:
                    self.para(criterion, "ListBullet")
