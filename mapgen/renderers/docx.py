"""`docx` format: the editable plan for legal, procurement and the buyer's project lead.

Follows the layout's sections like the HTML and PDF, with Word's own styles defined from the
theme (so restyling a heading in Word restyles them all), real lists, hyperlinks, fields and
tables whose header row repeats on every page. Built by stage: the page, header, footer and
properties (`docx_page`), the building blocks every section uses (`docx_blocks`), then the
sections of the cover (`docx_cover`), the plan of work (`docx_actions`), people, metrics and
sign-off (`docx_people`) and the one-page status at a glance (`docx_glance`); this module puts
them together and registers the renderer. Raw OOXML lives in the `docx_xml*` modules, Markdown
mapping in `docx_markdown`. Output is byte-identical for the same
inputs: no clock, no random ids, a zip rewritten with fixed entry times.
"""

from __future__ import annotations

import io
from typing import ClassVar

from mapgen.renderers import docx_xml
from mapgen.renderers.base import Artifact, RenderContext
from mapgen.renderers.docx_actions import ActionSections
from mapgen.renderers.docx_cover import CoverSections
from mapgen.renderers.docx_glance import GlanceSections
from mapgen.renderers.docx_people import PeopleSections

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class _Builder(CoverSections, ActionSections, PeopleSections, GlanceSections):
    """Builds one document; each `_section_<name>` draws one layout section, in the stage module
    that owns it (cover, actions, people, glance)."""

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


class DocxRenderer:
    name: ClassVar[str] = "docx"
    suffix: ClassVar[str] = ".docx"
    media_type: ClassVar[str] = MEDIA_TYPE
    uses_layout: ClassVar[bool] = True

    def render(self, ctx: RenderContext) -> list[Artifact]:
        data = _Builder(ctx).build()
        return [Artifact(f"{ctx.view.plan.id}{self.suffix}", data, self.media_type)]


RENDERER = DocxRenderer()
