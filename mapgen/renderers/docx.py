"""`docx` format: the editable plan for legal, procurement and the buyer's project lead.

Follows the layout's sections like the HTML and PDF, with Word's own styles defined from the
theme (so restyling a heading in Word restyles them all), real lists, hyperlinks, fields and
tables whose header row repeats on every page. Raw OOXML lives in `docx_xml`, Markdown mapping in
`docx_markdown`; this module decides what goes where. Output is byte-identical for the same
inputs: no clock, no random ids, a zip rewritten with fixed entry times.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.shared import Inches, Length, Mm, Pt
from docx.text.run import Run

from mapgen import __version__
from mapgen.dates import first_of_month_after, month_starts
from mapgen.errors import UsageError
from mapgen.i18n import Localizer, localizer
from mapgen.renderers import docx_markdown, docx_xml, docx_xml_fonts
from mapgen.renderers.base import Artifact, RenderContext
from mapgen.renderers.docx_fonts import font_entries
from mapgen.rules import check_asset
from mapgen.spec import Side, Visibility
from mapgen.view import ActionView, PlanView, Share, State

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    from mapgen.themes import Tokens

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGE_SIZES = {"A4": (Mm(210), Mm(297)), "Letter": (Inches(8.5), Inches(11))}
FULL_COVER_SECTIONS = ("actions", "signoff")
"""A layout with any of these sections is a full document: the cover gets its own page and a TOC."""
TOC_MIN_ACTIONS = 20
"""Below this many actions the plan is short enough to read without a contents page."""
MAX_TIMELINE_MONTHS = 18
"""Beyond this many months the timeline counts in quarters, so columns stay readable."""
MILESTONE = "\u25c6"
CELL_MARGINS_TWIPS = 200
"""Left plus right cell margin of the Plan Table style (docx_xml.styles_xml)."""


def length(token: str) -> Length:
    """A theme length (10pt, 18mm, 0.75in, 1.5cm, 12px) in python-docx units."""
    for unit, convert in (
        ("pt", Pt),
        ("mm", Mm),
        ("cm", lambda v: Mm(v * 10)),
        ("in", Inches),
        ("px", lambda v: Pt(v * 0.75)),
    ):
        if token.endswith(unit):
            return Length(int(convert(float(token[: -len(unit)]))))
    raise UsageError(f"unknown length '{token}'")


def first_family(stack: str) -> str:
    """The first family of a CSS font stack: Word takes one name."""
    return stack.split(",")[0].strip().strip("'\"")


def east_asian_family(stack: str) -> str:
    """The stack's CJK family (Word's separate East Asian font slot), else its first family."""
    families = [f.strip().strip("'\"") for f in stack.split(",")]
    return next((f for f in families if "CJK" in f), families[0])


def hex6(colour: str) -> str:
    return colour.lstrip("#").upper()


def tint(colour: str, amount: float) -> str:
    """`colour` mixed with white: amount 0.15 keeps 15% of the colour, for readable cell shading."""
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * amount):02X}" for c in rgb)


def half_points(token: str) -> int:
    return round(length(token).pt * 2)


def look_of(tokens: Tokens, language: str, text_width: int, *, compact: bool = False) -> docx_xml.Look:
    """Word units for the theme; a compact (one-page) layout gets a title smaller than Heading 1."""
    c, f, s = tokens.colors, tokens.fonts, tokens.sizes
    return docx_xml.Look(
        body_font=first_family(f.body),
        heading_font=first_family(f.heading),
        mono_font=first_family(f.mono),
        east_asian_font=east_asian_family(f.body),
        language=language,
        text=hex6(c.text),
        muted=hex6(c.muted),
        primary=hex6(c.primary),
        on_primary=hex6(c.on_primary),
        accent=hex6(c.accent),
        surface=hex6(c.surface),
        border=hex6(c.border),
        base=half_points(s.base),
        small=half_points(s.small),
        h1=half_points(s.h1),
        h2=half_points(s.h2),
        h3=half_points(s.h3),
        title=round(half_points(s.h1) * 0.85) if compact else round(half_points(s.h1) * 1.35),
        text_width=text_width,
        compact=compact,
    )


class _Builder:
    """Builds one document; each `_section_<name>` draws one layout section."""

    def __init__(self, ctx: RenderContext) -> None:
        self.ctx = ctx
        self.view: PlanView = ctx.view
        self.plan = ctx.view.plan
        self.tokens: Tokens = ctx.theme.tokens
        self.loc: Localizer = localizer(self.plan.locale, self.plan.timezone)
        self._ = self.loc.gettext
        self.doc: DocumentObject = Document()
        self.sections: tuple[str, ...] = tuple(ctx.layout.sections)
        self.full_cover = any(s in self.sections for s in FULL_COVER_SECTIONS)
        self.toc = bool(
            ctx.options.extra.get("docx_toc", self.full_cover and len(self.view.actions) >= TOC_MIN_ACTIONS)
        )
        self.toc_anchor: Paragraph | None = None
        self.numbers = {
            a.id: f"{p}.{i}"
            for p, phase in enumerate(self.view.phases, 1)
            for i, a in enumerate(phase.actions, 1)
        }
        self.text_width = self._text_width()
        self.small_pt = length(self.tokens.sizes.small).pt
        docx_xml.install_styles_and_numbering(
            self.doc,
            look_of(self.tokens, self.plan.locale, self.text_width.twips, compact=not self.full_cover),
        )
        docx_xml_fonts.install_fonts(self.doc, font_entries(ctx.theme, self._font_slots()))
        docx_xml.remove_rsids(self.doc)
        self._page_setup()

    def _font_slots(self) -> dict[str, str]:
        """Each family Word is told to use (body, heading, East Asian, mono) with its CSS stack."""
        f = self.tokens.fonts
        slots: dict[str, str] = {}
        for family, stack in (
            (first_family(f.body), f.body),
            (first_family(f.heading), f.heading),
            (east_asian_family(f.body), f.body),
            (east_asian_family(f.heading), f.heading),
            (first_family(f.mono), f.mono),
        ):
            slots.setdefault(family, stack)
        return slots

    # -- page, header, footer, properties ---------------------------------------------------------

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        width, height = PAGE_SIZES[self.tokens.page.size]
        margin = length(self.tokens.page.margin)
        section.page_width, section.page_height = width, height
        section.left_margin = section.right_margin = margin
        section.top_margin = Length(margin + (Mm(8) if self.full_cover else Mm(2)))
        section.bottom_margin = Length(margin + (Mm(4) if self.full_cover else Mm(0)))
        section.header_distance = section.footer_distance = Mm(8)
        section.start_type = WD_SECTION_START.NEW_PAGE

    def _text_width(self) -> Length:
        width, _height = PAGE_SIZES[self.tokens.page.size]
        return Length(width - 2 * length(self.tokens.page.margin))

    def logos(self) -> list[Path]:
        """Logo files, seller first, each checked like the loader does. Word cannot show SVG, so an
        SVG logo is left out (the loader warns); the organisation's name is on the cover anyway."""
        found = []
        for party_name, party in (("seller", self.plan.seller), ("buyer", self.plan.buyer)):
            brand = self.ctx.seller_logo if party_name == "seller" else None
            if party.logo is None and brand is not None and brand.suffix.lower() != ".svg":
                found.append(brand)
                continue
            if party.logo is None or self.ctx.assets_dir is None:
                continue
            base = Path(self.ctx.assets_dir)
            problem = check_asset(party.logo, base)
            if problem:
                raise UsageError(f"{party_name}.logo: {problem}")
            if Path(party.logo).suffix.lower() == ".svg":
                continue
            found.append((base / party.logo).resolve())
        return found

    def _header_footer(self) -> None:
        section = self.doc.sections[0]
        logo_height = length(self.tokens.logo.height)
        running = f"{self.plan.title} \u00b7 {self._('Revision')} {self.plan.revision}"
        header = section.header
        placement = self.tokens.logo.placement
        first = header.paragraphs[0]
        docx_xml.set_style(first, "Header")
        logos = self.logos()
        if placement == "center" or not logos:
            first.alignment = WD_ALIGN_PARAGRAPH.CENTER if placement == "center" else WD_ALIGN_PARAGRAPH.RIGHT
            self._add_logos(first, logos, Length(int(logo_height * 0.7)))
            line = header.add_paragraph(running) if logos else first
            docx_xml.set_style(line, "Header")
            if line is first:
                first.add_run(running)
            line.alignment = first.alignment
        else:
            tab = first.paragraph_format.tab_stops
            tab.add_tab_stop(self.text_width, WD_TAB_ALIGNMENT.RIGHT)
            if placement == "left":
                self._add_logos(first, logos, Length(int(logo_height * 0.7)))
                first.add_run("\t" + running)
            else:
                first.add_run(running + "\t")
                self._add_logos(first, logos, Length(int(logo_height * 0.7)))

        footer = section.footer.paragraphs[0]
        docx_xml.set_style(footer, "Footer")
        footer.paragraph_format.tab_stops.add_tab_stop(self.text_width, WD_TAB_ALIGNMENT.RIGHT)
        footer.add_run(
            f"{self._('Updated')} {self.loc.format_date(self.plan.updated)} \u00b7 "
            f"{self.view.short_fingerprint}\t"
        )
        self._page_x_of_y(footer)
        if self.full_cover:
            section.different_first_page_header_footer = True
            cover_footer = section.first_page_footer.paragraphs[0]
            docx_xml.set_style(cover_footer, "Footer")
            cover_footer.add_run(f"{self.plan.title} \u00b7 {self.view.short_fingerprint}")

    def _page_x_of_y(self, paragraph: Paragraph) -> None:
        """ "Page X of Y" with PAGE and NUMPAGES fields, worded by the plan's locale."""
        template = self._("Page %(page)s of %(pages)s")
        before, _, rest = template.partition("%(page)s")
        middle, _, after = rest.partition("%(pages)s")
        paragraph.add_run(before)
        docx_xml.add_field(paragraph, "PAGE", "1")
        paragraph.add_run(middle)
        docx_xml.add_field(paragraph, "NUMPAGES", "1")
        paragraph.add_run(after)

    def _add_logos(self, paragraph: Paragraph, logos: Sequence[Path], height: Length) -> None:
        for i, logo in enumerate(logos):
            if i:
                paragraph.add_run("   ")
            paragraph.add_run().add_picture(str(logo), height=height)

    def _properties(self) -> None:
        plan, props = self.plan, self.doc.core_properties
        stamp = datetime(plan.updated.year, plan.updated.month, plan.updated.day, tzinfo=UTC)
        props.title = plan.title
        props.author = plan.seller.name
        props.last_modified_by = plan.seller.name
        props.subject = plan.deal.name
        props.keywords = ", ".join([self._("Mutual Action Plan"), plan.buyer.name, plan.seller.name])
        props.category = self._("Mutual Action Plan")
        props.comments = (
            f"{self._('Revision')} {plan.revision}; {self.view.audience.value}; "
            f"fingerprint {self.view.fingerprint}; mapgen {__version__}"
        )
        props.identifier = plan.id
        props.language = plan.locale
        props.version = str(plan.revision)
        props.revision = plan.revision
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        docx_xml.set_app_properties(self.doc, f"mapgen {__version__}", plan.seller.name)

    # -- building blocks -------------------------------------------------------------------------

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

    # -- sections --------------------------------------------------------------------------------

    def build(self) -> bytes:
        self._header_footer()
        self._properties()
        for name in self.sections:
            draw = getattr(self, f"_section_{name}", None)
            if draw is not None:
                draw()
        self._fill_toc()
        body = self.doc.element.body
        if len(body) > 1 and body[-2].tag.endswith("}p") and not body[-2].xpath("string(.)"):
            docx_xml.collapse_paragraph(body[-2])
        raw = io.BytesIO()
        self.doc.save(raw)
        return docx_xml.reproducible_zip(raw.getvalue())

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
            docx_xml.bookmark(heading, number, name)
            entry = self.para(style=levels[heading._p.style])
            anchor._p.addprevious(entry._p)
            if number == 1:
                docx_xml.field_start(entry, 'TOC \\o "1-2" \\h \\z \\u')
            link = docx_xml.add_internal_link(entry, name)
            Run(docx_xml.add_run_to(link), entry).text = heading.text
            entries.append(entry)
        if entries:
            docx_xml.field_end(entries[-1])
        anchor._p.getparent().remove(anchor._p)

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

    def _months(self) -> list[tuple[str, date, date]]:
        """Timeline columns: (label, first day, last day), months or quarters."""
        plan, view = self.plan, self.view
        days = [d for d in (a.due_day for a in view.actions) if d]
        days.append(plan.deal.target_close)
        start = _day(plan.deal.start) or min(days)
        first, last = min([start, *days]), max(days)
        months = month_starts(first, last)
        step = 3 if len(months) > MAX_TIMELINE_MONTHS else 1
        if step == 3:
            months = [m for m in months if m.month in (1, 4, 7, 10) or m == months[0]]
        columns = []
        for i, m in enumerate(months):
            end = (
                _day_before(months[i + 1])
                if i + 1 < len(months)
                else _day_before(first_of_month_after(m, step))
            )
            label = self.loc.format_date(m, "MMM") if step == 1 else f"Q{(m.month - 1) // 3 + 1}"
            columns.append((label, m, end))
        return columns

    def _section_timeline(self) -> None:
        if not self._has("timeline"):
            return
        view = self.view
        self.section_heading("timeline")
        columns = self._months()
        span = f"{self.loc.format_date(columns[0][1], 'yMMM')} \u2013 {self.loc.format_date(columns[-1][2], 'yMMM')}"
        self.caption(f"{self._('Phases by month')} ({span}); {MILESTONE} = {self._('milestone')}")
        primary = self.tokens.colors.primary

        def mark(
            phase_actions: Sequence[ActionView], first: date | None, last: date | None, lo: date, hi: date
        ):
            active = first is not None and last is not None and first <= hi and last >= lo
            milestones = [a for a in phase_actions if a.milestone and a.due_day and lo <= a.due_day <= hi]

            marks = MILESTONE * min(len(milestones), 3)
            shading = tint(primary, 0.35) if active else None
            return lambda cell: docx_xml.fill_cell(cell, marks, "TableText", fill=shading, center=True)

        rows = []
        for phase in view.phases:
            cells: list[Any] = [phase.name]
            for _label, lo, hi in columns:
                cells.append(mark(phase.actions, phase.first_due, phase.last_due, lo, hi))
            rows.append(cells)
        name_share = max(3.0, len(columns) * 0.35)
        self.table(
            [self._("Phase"), *[c[0] for c in columns]],
            [name_share, *[1.0] * len(columns)],
            rows,
            banded=False,
        )
        if view.milestones:
            self.heading(self._("Milestones"), 2)
            self.table(
                [self._("Date"), self._("Milestone"), self._("Owner"), self._("Status")],
                [2, 5, 3, 1.6],
                [
                    (self.loc.format_due(a.due), a.title, self.person(a.owner_id), self.status_cell(a.state))
                    for a in view.milestones
                ],
            )

    def _section_actions(self) -> None:
        if not self._has("actions"):
            return
        self.section_heading("actions")
        columns = [
            (self._("Action"), 25, True),
            (self._("Owner"), 13, True),
            (self._("Side"), 8, True),
            (self._("Due"), 12, True),
            (self._("Status"), 11, True),
            (self._("Depends on"), 12, any(a.depends_on for a in self.view.actions)),
            (self._("Outcome"), 19, any(a.outcome for a in self.view.actions)),
        ]
        """A column no action fills is left out (the same columns in every phase)."""
        kept = [i for i, (_h, _w, shown) in enumerate(columns) if shown]
        headers = [columns[i][0] for i in kept]
        widths = [columns[i][1] for i in kept]
        for number, phase in enumerate(self.view.phases, 1):
            done = f"{phase.progress.done}/{phase.progress.total}"
            self.heading(f"{number}. {phase.name}", 2)
            for paragraph in self.markdown(phase.description):
                paragraph.paragraph_format.keep_with_next = True
            self.caption(f"{self._('Done')}: {done} \u00b7 {self.loc.format_percent(phase.progress.percent)}")
            rows = [[row[i] for i in kept] for row in (self._action_row(a) for a in phase.actions)]
            self.table(headers, widths, rows)

    def _action_row(self, action: ActionView) -> list[Any]:
        def title(cell: _Cell) -> None:
            p = cell.paragraphs[0]
            docx_xml.set_style(p, "TableText")
            p.add_run(f"{self.numbers[action.id]}  ").bold = True
            if action.milestone:
                p.add_run(f"{MILESTONE} ").bold = True
            run = p.add_run(action.title)
            run.bold = action.milestone
            if action.visibility is Visibility.INTERNAL:
                p.add_run(f" [{self._('Internal')}]").italic = True
            if action.notes:
                docx_markdown.write(
                    self.doc,
                    action.notes,
                    lambda style: docx_xml.set_style(cell.add_paragraph(), style),
                    body_style="TableText",
                )

        return [
            title,
            self._owner(action),
            self.loc.side_label(action.side),
            self.loc.format_due(action.due),
            self.status_cell(action.state),
            ", ".join(self.numbers.get(d, d) for d in action.depends_on),
            action.outcome or "",
        ]

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
                docx_markdown.add_inline(p, _link_tokens(email, f"mailto:{email}"))

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

    def _section_progress(self) -> None:
        view = self.view
        self.section_heading("progress")
        self.para(
            f"{view.progress.done} / {view.progress.total} \u00b7 {self.loc.format_percent(view.progress.percent)}"
            f" \u00b7 {self._('Days to close')}: {self.loc.format_number(view.days_to_close)}"
        )
        states = [s for s in State if view.state_counts.get(s)]
        if states:
            self.table(
                [self.loc.state_label(s) for s in states],
                [1.0] * len(states),
                [[self.count_cell(s, view.state_counts[s]) for s in states]],
                banded=False,
            )

    def count_cell(self, state: State, count: int) -> Callable[[_Cell], None]:
        colour = getattr(self.tokens.status, state.value)

        text = self.loc.format_number(count)
        return lambda cell: docx_xml.fill_cell(
            cell, text, "TableText", bold=True, colour=hex6(colour), fill=tint(colour, 0.16), center=True
        )

    def _section_next_milestones(self) -> None:
        if not self._has("next_milestones"):
            return
        self.section_heading("next_milestones")
        upcoming = [a for a in self.view.milestones if a.is_open][: 5 if self.full_cover else 4]
        self.table(
            [self._("Date"), self._("Milestone"), self._("Owner"), self._("Status")],
            [2, 5, 3, 1.6],
            [
                (self.loc.format_due(a.due), a.title, self._owner(a), self.status_cell(a.state))
                for a in upcoming
            ],
        )

    def _section_next_actions(self) -> None:
        if not self._has("next_actions"):
            return
        self.section_heading("next_actions")
        self.table(
            [self._("Due"), self._("Action"), self._("Owner"), self._("Status")],
            [2, 5, 3, 1.6],
            [
                (self.loc.format_due(a.due), a.title, self._owner(a), self.status_cell(a.state))
                for a in self.view.next_actions[: 8 if self.full_cover else 4]
            ],
        )

    def _key_dates_on_cover(self) -> bool:
        """In a one-page layout the key dates (start, close, go-live) join the cover's facts when
        that is all they would show, so the page is not spent on a second copy of them."""
        return not self.full_cover and "key_dates" in self.sections and "next_milestones" in self.sections

    def _section_key_dates(self) -> None:
        if self._key_dates_on_cover():
            return
        deal = self.plan.deal
        self.section_heading("key_dates")
        rows = [(self._("Start"), self.loc.format_due(deal.start))]
        rows.append((self._("Target close"), self.loc.format_date(deal.target_close)))
        if deal.go_live is not None:
            rows.append((self._("Go-live"), self.loc.format_due(deal.go_live)))
        if deal.compelling_event and self.full_cover:
            rows.append((deal.compelling_event, ""))
        if "next_milestones" not in self.sections:
            rows.extend((a.title, self.loc.format_due(a.due)) for a in self.view.milestones if a.is_open)
        if self.full_cover:
            self.table([self._("Event"), self._("Date")], [5, 2], rows)
        else:
            self.table([r[0] for r in rows], [1.0] * len(rows), [[r[1] for r in rows]], banded=False)


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


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _day_before(next_first: date) -> date:
    return date.fromordinal(next_first.toordinal() - 1)


def _link_tokens(text: str, href: str) -> list[Any]:
    from markdown_it.token import Token

    return [
        Token("link_open", "a", 1, attrs={"href": href}),
        Token("text", "", 0, content=text),
        Token("link_close", "a", -1),
    ]


class DocxRenderer:
    name: ClassVar[str] = "docx"
    suffix: ClassVar[str] = ".docx"
    media_type: ClassVar[str] = MEDIA_TYPE
    uses_layout: ClassVar[bool] = True

    def render(self, ctx: RenderContext) -> list[Artifact]:
        data = _Builder(ctx).build()
        return [Artifact(f"{ctx.view.plan.id}{self.suffix}", data, self.media_type)]


RENDERER = DocxRenderer()
