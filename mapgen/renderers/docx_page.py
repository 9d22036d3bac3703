"""The DOCX document before its sections: Word styles and embedded fonts from the theme, the page,
the running header and footer with logos and "Page X of Y", and the core properties."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Inches, Length, Mm

from mapgen import __version__
from mapgen.audience import Audience
from mapgen.branding import still_valid
from mapgen.errors import UsageError
from mapgen.i18n import Localizer, localizer
from mapgen.renderers import docx_xml, docx_xml_fields, docx_xml_fonts, docx_xml_styles
from mapgen.renderers.base import RenderContext
from mapgen.renderers.docx_fonts import font_entries
from mapgen.renderers.docx_theme import east_asian_family, first_family, length, look_of
from mapgen.rules import check_asset
from mapgen.view import PlanView

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.text.paragraph import Paragraph

    from mapgen.themes import Tokens

PAGE_SIZES = {"A4": (Mm(210), Mm(297)), "Letter": (Inches(8.5), Inches(11))}
FULL_COVER_SECTIONS = ("actions", "signoff")
"""A layout with any of these sections is a full document: the cover gets its own page and a TOC."""
TOC_MIN_ACTIONS = 20
"""Below this many actions the plan is short enough to read without a contents page."""


class DocxPage:
    """One document being built: its state, page, header, footer and properties."""

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
        docx_xml_styles.install_styles_and_numbering(
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
            if party.logo is None and brand is not None:
                if brand.suffix.lower() != ".svg" and still_valid(brand):
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
        internal = (
            f" \u00b7 {self._('Internal copy · not for the buyer')}"
            if self.view.audience is Audience.INTERNAL
            else ""
        )
        running = f"{self.plan.title} \u00b7 {self._('Revision')} {self.plan.revision}{internal}"
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
            cover_footer.add_run(f"{self.plan.title} \u00b7 {self.view.short_fingerprint}{internal}")

    def _page_x_of_y(self, paragraph: Paragraph) -> None:
        """ "Page X of Y" with PAGE and NUMPAGES fields, worded by the plan's locale."""
        template = self._("Page %(page)s of %(pages)s")
        before, _, rest = template.partition("%(page)s")
        middle, _, after = rest.partition("%(pages)s")
        paragraph.add_run(before)
        docx_xml_fields.add_field(paragraph, "PAGE", "1")
        paragraph.add_run(middle)
        docx_xml_fields.add_field(paragraph, "NUMPAGES", "1")
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
