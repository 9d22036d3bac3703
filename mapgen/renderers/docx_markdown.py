"""Markdown fields -> real Word paragraphs, runs, lists and hyperlinks.

Walks the token stream of `mapgen.markdown.parse` (HTML off, unsafe links already dropped) and
maps each construct to Word's own formatting: Strong/emphasis/strike as run properties, inline
code in the Code character style, links as external hyperlink relationships, lists as List
Bullet / List Number paragraphs whose numbering restarts per list. Anything else becomes plain
text in a body paragraph, so no input can crash the renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from docx.text.run import Run

from mapgen.markdown import is_safe_link, parse
from mapgen.renderers import docx_xml, docx_xml_fields, docx_xml_styles

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph
    from markdown_it.token import Token


@dataclass
class _List:
    ordered: bool
    num_id: int
    item_paragraphs: int = 0


@dataclass
class _Writer:
    document: Document
    new_paragraph: Callable[[str], Paragraph]
    body_style: str
    lists: list[_List] = field(default_factory=list)
    quote: int = 0

    def paragraph(self) -> Paragraph:
        if not self.lists:
            return self.new_paragraph("Quote" if self.quote else self.body_style)
        current = self.lists[-1]
        level = len(self.lists) - 1
        current.item_paragraphs += 1
        if current.item_paragraphs > 1:
            p = self.new_paragraph("ListContinue")
            docx_xml_styles.indent(p, level)
            return p
        p = self.new_paragraph("ListNumber" if current.ordered else "ListBullet")
        docx_xml_styles.set_numbering(p, current.num_id, level)
        return p


def write(
    document: Document,
    text: str,
    new_paragraph: Callable[[str], Paragraph],
    *,
    body_style: str = "Normal",
) -> list[Paragraph]:
    """Append `text` (Markdown) through `new_paragraph(style_id)`; return the paragraphs made."""
    writer = _Writer(document, new_paragraph, body_style)
    made: list[Paragraph] = []
    heading = False
    for token in parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            level = len(writer.lists)
            if ordered:
                start = _start(token)
                num_id = docx_xml_styles.restart_numbering(document, level, start)
            else:
                num_id = docx_xml_styles.BULLET_NUM_ID
            writer.lists.append(_List(ordered, num_id))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            writer.lists.pop()
        elif kind == "list_item_open" and writer.lists:
            writer.lists[-1].item_paragraphs = 0
        elif kind == "blockquote_open":
            writer.quote += 1
        elif kind == "blockquote_close":
            writer.quote -= 1
        elif kind in ("heading_open", "heading_close"):
            heading = kind == "heading_open"
        elif kind == "inline":
            paragraph = writer.paragraph()
            add_inline(paragraph, token.children or [], bold=heading)
            made.append(paragraph)
        elif kind in ("code_block", "fence"):
            paragraph = writer.paragraph()
            run = paragraph.add_run(token.content.rstrip("\n"))
            docx_xml.set_run_style(run, "Code")
            made.append(paragraph)
    return made


def _start(token: Token) -> int:
    try:
        return max(0, min(int(token.attrGet("start") or 1), 32767))
    except ValueError:
        return 1


def add_inline(paragraph: Paragraph, children: list[Token], *, bold: bool = False) -> None:
    """Inline tokens -> runs: bold, italic, strikethrough, code, hyperlinks and line breaks."""
    strong = 1 if bold else 0
    emphasis = strike = 0
    link = None
    for child in children:
        kind = child.type
        if kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            emphasis += 1
        elif kind == "em_close":
            emphasis -= 1
        elif kind == "s_open":
            strike += 1
        elif kind == "s_close":
            strike -= 1
        elif kind == "link_open":
            href = str(child.attrGet("href") or "")
            link = docx_xml_fields.add_hyperlink(paragraph, href) if is_safe_link(href) else None
        elif kind == "link_close":
            link = None
        elif kind in ("text", "code_inline", "image", "html_inline"):
            text = child.content
            if kind == "image":
                text = "".join(c.content for c in child.children or []) or child.content
            if not text:
                continue
            run = (
                Run(docx_xml_fields.add_run_to(link), paragraph) if link is not None else paragraph.add_run()
            )
            run.text = text
            if kind == "code_inline":
                docx_xml.set_run_style(run, "Code")
            elif link is not None:
                docx_xml.set_run_style(run, "Hyperlink")
            if strong:
                run.bold = True
            if emphasis:
                run.italic = True
            if strike:
                run.font.strike = True
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break()
