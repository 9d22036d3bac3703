"""Hyperlinks, bookmarks and fields (PAGE, NUMPAGES, TOC) in WordprocessingML: python-docx has no
API for any of them. Nothing here knows about plans."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph
    from lxml.etree import _Element


def add_hyperlink(paragraph: Paragraph, url: str) -> _Element:
    """An external hyperlink (a real relationship, TargetMode External) to put runs in."""
    rel_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_run_to(parent: _Element) -> _Element:
    """A new, empty w:r inside `parent` (a hyperlink): wrap it in docx.text.run.Run to fill it."""
    run = OxmlElement("w:r")
    parent.append(run)
    return run


def add_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES...) with `shown` as its last computed result."""
    field_runs(paragraph._p, instruction, shown)


def bookmark(paragraph: Paragraph, bookmark_id: int, name: str) -> None:
    """Wrap the paragraph's content in a bookmark (a TOC entry's PAGEREF and link target)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    p = paragraph._p
    ppr = p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def add_internal_link(paragraph: Paragraph, anchor: str) -> _Element:
    """A hyperlink to a bookmark in this document (TOC entries)."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def field_runs(parent: _Element, instruction: str, shown: str) -> None:
    """A complex field appended to any run container (a paragraph or a hyperlink)."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", shown),
        ("end", None),
    ):
        parent.append(_field_run(kind, text))


def field_start(paragraph: Paragraph, instruction: str) -> None:
    """Open a field that spans several paragraphs (a TOC): begin, instruction, separate."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        paragraph._p.append(_field_run(kind, text))


def field_end(paragraph: Paragraph) -> None:
    paragraph._p.append(_field_run("end"))


def _field_run(kind: str, text: str | None = None) -> _Element:
    """One run of a complex field: a field character, the instruction, or the text shown."""
    r = OxmlElement("w:r")
    if kind == "instr":
        el = OxmlElement("w:instrText")
        el.set(qn("xml:space"), "preserve")
        el.text = f" {text} "
    elif kind == "text":
        el = OxmlElement("w:t")
        el.set(qn("xml:space"), "preserve")
        el.text = text
    else:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
    r.append(el)
    return r
