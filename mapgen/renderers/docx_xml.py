"""Every piece of raw WordprocessingML the DOCX renderer needs, kept in one place.

python-docx has no API for styles built from scratch, hyperlinks, numbering that restarts, fields
(PAGE, NUMPAGES, TOC), repeated table headers, cell shading or a reproducible zip, so those are
built here from OOXML and the renderer only calls these functions. Nothing here knows about plans.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run
    from lxml.etree import _Element

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every zip entry gets this time: python-docx stamps the current time, which breaks reproducibility."""

BULLET_NUM_ID = 1
NUMBER_NUM_ID = 2
_BULLET_ABSTRACT = 1
_NUMBER_ABSTRACT = 2
_LIST_INDENT = 360
"""Twips each list level indents by (a quarter inch)."""


@dataclass(frozen=True, slots=True)
class Look:
    """The theme, in Word's units: fonts by family name, colours as RRGGBB, sizes in half-points."""

    body_font: str
    heading_font: str
    mono_font: str
    east_asian_font: str
    language: str
    text: str
    muted: str
    primary: str
    on_primary: str
    accent: str
    surface: str
    border: str
    base: int
    small: int
    h1: int
    h2: int
    h3: int
    title: int
    text_width: int
    """Twips between the margins: where right-aligned tabs (TOC page numbers) sit."""
    compact: bool = False
    """Tighter cell padding and heading spacing, for a layout that must fit one page."""


def _fonts(latin: str, east_asian: str) -> str:
    return (
        f"<w:rFonts w:ascii={quoteattr(latin)} w:hAnsi={quoteattr(latin)} "
        f"w:eastAsia={quoteattr(east_asian)} w:cs={quoteattr(latin)}/>"
    )


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def styles_xml(look: Look) -> str:
    """The whole styles part: a small, named set of Word's built-in styles, defined from the theme.

    Only built-in names are used (Heading 1, List Bullet, Caption, ...), so Word's navigation pane,
    TOC and style gallery treat them as usual, and changing one restyles the whole document.
    """
    heading = _fonts(look.heading_font, look.east_asian_font)
    body = _fonts(look.body_font, look.east_asian_font)
    mono = _fonts(look.mono_font, look.mono_font)
    pad = 30 if look.compact else 60
    cell_margins = (
        f'<w:tblCellMar><w:top w:w="{pad}" w:type="dxa"/><w:left w:w="100" w:type="dxa"/>'
        f'<w:bottom w:w="{pad}" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar>'
    )
    h2_before, h2_after = (120, 60) if look.compact else (220, 80)
    subtitle_after = 120 if look.compact else 240
    rule = f'w:val="single" w:sz="4" w:space="0" w:color="{look.border}"'
    return f"""<w:styles {nsdecls("w")}>
<w:docDefaults>
 <w:rPrDefault><w:rPr>{body}{_size(look.base)}<w:lang w:val="{look.language}" w:eastAsia="{look.language}" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
 <w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>
 <w:rPr><w:color w:val="{look.text}"/></w:rPr></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>
 <w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Subtitle"/><w:uiPriority w:val="10"/><w:qFormat/>
 <w:pPr><w:spacing w:before="0" w:after="160" w:line="240" w:lineRule="auto"/><w:contextualSpacing/></w:pPr>
 <w:rPr>{heading}<w:b/><w:bCs/><w:color w:val="{look.primary}"/><w:kern w:val="28"/>{_size(look.title)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="11"/><w:qFormat/>
 <w:pPr><w:spacing w:after="{subtitle_after}"/></w:pPr>
 <w:rPr>{heading}<w:color w:val="{look.muted}"/>{_size(look.h2)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>
 <w:pPr><w:keepNext/><w:keepLines/><w:pBdr><w:bottom w:val="single" w:sz="8" w:space="2" w:color="{look.primary}"/></w:pBdr><w:spacing w:before="360" w:after="160"/><w:outlineLvl w:val="0"/></w:pPr>
 <w:rPr>{heading}<w:b/><w:bCs/><w:color w:val="{look.primary}"/>{_size(look.h1)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>
 <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{h2_before}" w:after="{h2_after}"/><w:outlineLvl w:val="1"/></w:pPr>
 <w:rPr>{heading}<w:b/><w:bCs/><w:color w:val="{look.primary}"/>{_size(look.h2)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>
 <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="60"/><w:outlineLvl w:val="2"/></w:pPr>
 <w:rPr>{heading}<w:b/><w:bCs/><w:color w:val="{look.text}"/>{_size(look.h3)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:qFormat/>
 <w:pPr><w:numPr><w:numId w:val="{BULLET_NUM_ID}"/></w:numPr><w:spacing w:after="60"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListNumber"><w:name w:val="List Number"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:qFormat/>
 <w:pPr><w:numPr><w:numId w:val="{NUMBER_NUM_ID}"/></w:numPr><w:spacing w:after="60"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListContinue"><w:name w:val="List Continue"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
 <w:pPr><w:spacing w:after="60"/><w:ind w:left="{_LIST_INDENT}"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="29"/><w:qFormat/>
 <w:pPr><w:pBdr><w:left w:val="single" w:sz="12" w:space="8" w:color="{look.border}"/></w:pBdr><w:ind w:left="240"/></w:pPr>
 <w:rPr><w:i/><w:iCs/><w:color w:val="{look.muted}"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="35"/><w:unhideWhenUsed/><w:qFormat/>
 <w:pPr><w:keepNext/><w:spacing w:before="120" w:after="80"/></w:pPr>
 <w:rPr><w:i/><w:iCs/><w:color w:val="{look.muted}"/>{_size(look.small)}</w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="39"/><w:qFormat/>
 <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
 <w:rPr>{_size(look.small)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
 <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
 <w:rPr><w:color w:val="{look.muted}"/>{_size(look.small)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
 <w:pPr><w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="{look.border}"/></w:pBdr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
 <w:rPr><w:color w:val="{look.muted}"/>{_size(look.small)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Heading1"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:qFormat/>
 <w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>
 <w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{look.text_width}"/></w:tabs><w:spacing w:after="60"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC2"><w:name w:val="toc 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>
 <w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{look.text_width}"/></w:tabs><w:spacing w:after="40"/><w:ind w:left="240"/></w:pPr></w:style>
<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
 <w:rPr><w:color w:val="{look.accent}"/><w:u w:val="single"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="22"/><w:qFormat/>
 <w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="character" w:customStyle="1" w:styleId="Code"><w:name w:val="Code"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:qFormat/>
 <w:rPr>{mono}<w:shd w:val="clear" w:color="auto" w:fill="{look.surface}"/></w:rPr></w:style>
<w:style w:type="table" w:customStyle="1" w:styleId="PlanTable"><w:name w:val="Plan Table"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>
 <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
 <w:tblPr><w:tblStyleRowBandSize w:val="1"/><w:tblBorders><w:top {rule}/><w:bottom {rule}/><w:insideH {rule}/></w:tblBorders>{cell_margins}</w:tblPr>
 <w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/><w:color w:val="{look.on_primary}"/></w:rPr>
  <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{look.primary}"/></w:tcPr></w:tblStylePr>
 <w:tblStylePr w:type="band2Horz"><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{look.surface}"/></w:tcPr></w:tblStylePr>
</w:style>
</w:styles>"""


def _levels(bullet: bool) -> str:
    marks = ("\u2022", "\u25e6", "\u25aa")
    formats = ("decimal", "lowerLetter", "lowerRoman")
    out = []
    for level in range(9):
        left = _LIST_INDENT * (level + 1)
        if bullet:
            mark = marks[level % 3]
            text, fmt = mark, "bullet"
        else:
            fmt = formats[level % 3]
            text = f"%{level + 1}."
        out.append(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="{_LIST_INDENT}"/></w:pPr></w:lvl>'
        )
    return "".join(out)


def numbering_xml() -> str:
    """One bullet and one numbered list definition (9 levels each), with fixed nsids."""
    return (
        f"<w:numbering {nsdecls('w')}>"
        f'<w:abstractNum w:abstractNumId="{_BULLET_ABSTRACT}"><w:nsid w:val="4D415031"/>'
        f'<w:multiLevelType w:val="hybridMultilevel"/>{_levels(True)}</w:abstractNum>'
        f'<w:abstractNum w:abstractNumId="{_NUMBER_ABSTRACT}"><w:nsid w:val="4D415032"/>'
        f'<w:multiLevelType w:val="hybridMultilevel"/>{_levels(False)}</w:abstractNum>'
        f'<w:num w:numId="{BULLET_NUM_ID}"><w:abstractNumId w:val="{_BULLET_ABSTRACT}"/></w:num>'
        f'<w:num w:numId="{NUMBER_NUM_ID}"><w:abstractNumId w:val="{_NUMBER_ABSTRACT}"/></w:num>'
        "</w:numbering>"
    )


def install_styles_and_numbering(document: Document, look: Look) -> None:
    """Replace the template's styles and numbering with ours; drop its leftovers.

    The python-docx template carries 160 styles in Word 2010 theme colours, a stylesWithEffects
    copy and a thumbnail of an empty page: an editor would meet styles that match nothing here.
    """
    _replace_children(document.styles.element, parse_xml(styles_xml(look)))
    _replace_children(document.part.numbering_part.element, parse_xml(numbering_xml()))
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects") or rel.reltype == RT.CUSTOM_XML:
            del document.part.rels[rel_id]
    package_rels = document.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rel_id]


def _replace_children(target: _Element, source: _Element) -> None:
    for child in list(target):
        target.remove(child)
    for child in list(source):
        target.append(child)


def set_style(paragraph: Paragraph, style_id: str) -> Paragraph:
    """Apply a paragraph style by id: python-docx's lookup by name scans every style each time."""
    paragraph._p.style = style_id
    return paragraph


def set_run_style(run: Run, style_id: str) -> None:
    run._r.style = style_id


def set_table_style(table: Table, style_id: str) -> None:
    table._tbl.tblPr.style = style_id


def restart_numbering(document: Document, level: int, start: int) -> int:
    """A new numbered list instance that starts at `start` on `level`: the id for its paragraphs."""
    numbering = document.part.numbering_part.element
    num = numbering.add_num(_NUMBER_ABSTRACT)
    override = num.add_lvlOverride(ilvl=level)
    override.add_startOverride(start)
    return int(num.numId)


def set_numbering(paragraph: Paragraph, num_id: int, level: int) -> None:
    """Put a paragraph in list instance `num_id` at nesting `level`."""
    ppr = paragraph._p.get_or_add_pPr()
    numpr = ppr.get_or_add_numPr()
    numpr.get_or_add_ilvl().val = level
    numpr.get_or_add_numId().val = num_id


def indent(paragraph: Paragraph, level: int) -> None:
    """Indent a continuation paragraph to the text of list level `level`."""
    paragraph.paragraph_format.left_indent = _twips(_LIST_INDENT * (level + 1))


def _twips(value: int):  # type: ignore[no-untyped-def]
    from docx.shared import Twips

    return Twips(value)


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
        parent.append(r)


def field_start(paragraph: Paragraph, instruction: str) -> None:
    """Open a field that spans several paragraphs (a TOC): begin, instruction, separate."""
    p = paragraph._p
    for kind in ("begin", "instr", "separate"):
        r = OxmlElement("w:r")
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        r.append(el)
        p.append(r)


def field_end(paragraph: Paragraph) -> None:
    r = OxmlElement("w:r")
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), "end")
    r.append(el)
    paragraph._p.append(r)


def update_fields_on_open(document: Document) -> None:
    """Ask Word to refresh fields (the TOC) when the file is opened; schema order puts it before compat."""
    settings = document.settings.element
    flag = OxmlElement("w:updateFields")
    flag.set(qn("w:val"), "true")
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(flag)
    else:
        settings.append(flag)


def remove_rsids(document: Document) -> None:
    """The template's revision-session ids belong to someone else's editing history."""
    rsids = document.settings.element.find(qn("w:rsids"))
    if rsids is not None:
        document.settings.element.remove(rsids)


def table_look(table: Table, *, header: bool = True, banded: bool = True) -> None:
    """Which conditional parts of the table style apply (header row, banded rows)."""
    flags = (0x0020 if header else 0) | (0 if banded else 0x0200) | 0x0400
    look = OxmlElement("w:tblLook")
    look.set(qn("w:val"), f"{flags:04X}")
    look.set(qn("w:firstRow"), "1" if header else "0")
    look.set(qn("w:lastRow"), "0")
    look.set(qn("w:firstColumn"), "0")
    look.set(qn("w:lastColumn"), "0")
    look.set(qn("w:noHBand"), "0" if banded else "1")
    look.set(qn("w:noVBand"), "1")
    tblpr = table._tbl.tblPr
    existing = tblpr.find(qn("w:tblLook"))
    if existing is not None:
        tblpr.remove(existing)
    tblpr.append(look)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def add_row(table: Table, widths_twips: list[int], *, header: bool = False) -> list[_Cell]:
    """A row kept on one page (and repeated on each page if `header`), built straight in lxml.

    python-docx's `add_row` recomputes the grid for every row, which dominated render time.
    """
    from docx.table import _Cell

    tr = etree.SubElement(table._tbl, f"{_W}tr")
    tr_pr = etree.SubElement(tr, f"{_W}trPr")
    etree.SubElement(tr_pr, f"{_W}cantSplit")
    if header:
        etree.SubElement(tr_pr, f"{_W}tblHeader")
    cells = []
    for width in widths_twips:
        tc = etree.SubElement(tr, f"{_W}tc")
        tc_pr = etree.SubElement(tc, f"{_W}tcPr")
        etree.SubElement(tc_pr, f"{_W}tcW", {f"{_W}w": str(width), f"{_W}type": "dxa"})
        etree.SubElement(tc, f"{_W}p")
        cells.append(_Cell(tc, table))
    return cells


def fill_cell(
    cell: _Cell,
    text: str,
    style_id: str,
    *,
    bold: bool = False,
    colour: str | None = None,
    fill: str | None = None,
    center: bool = False,
) -> None:
    """Text in a cell's first paragraph, in one run; line breaks and tabs become w:br / w:tab."""
    tc = cell._tc
    if fill:
        etree.SubElement(tc.tcPr, f"{_W}shd", {f"{_W}val": "clear", f"{_W}color": "auto", f"{_W}fill": fill})
    p = tc.find(f"{_W}p")
    p_pr = etree.SubElement(p, f"{_W}pPr")
    etree.SubElement(p_pr, f"{_W}pStyle", {f"{_W}val": style_id})
    if center:
        etree.SubElement(p_pr, f"{_W}jc", {f"{_W}val": "center"})
    if not text:
        return
    r = etree.SubElement(p, f"{_W}r")
    if bold or colour:
        r_pr = etree.SubElement(r, f"{_W}rPr")
        if bold:
            etree.SubElement(r_pr, f"{_W}b")
        if colour:
            etree.SubElement(r_pr, f"{_W}color", {f"{_W}val": colour})
    for i, line in enumerate(text.split("\n")):
        if i:
            etree.SubElement(r, f"{_W}br")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                etree.SubElement(r, f"{_W}tab")
            if chunk:
                t = etree.SubElement(r, f"{_W}t")
                t.text = chunk
                if chunk != chunk.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def collapse_paragraph(p: _Element) -> None:
    """Shrink an empty paragraph to a hairline: a document cannot end with a table, and a
    full-height last paragraph is what pushes a one-page layout onto a second page."""
    p_pr = p.find(f"{_W}pPr")
    if p_pr is None:
        p_pr = etree.Element(f"{_W}pPr")
        p.insert(0, p_pr)
    for child in list(p_pr):
        if child.tag in (f"{_W}spacing", f"{_W}rPr"):
            p_pr.remove(child)
    etree.SubElement(
        p_pr,
        f"{_W}spacing",
        {f"{_W}before": "0", f"{_W}after": "0", f"{_W}line": "20", f"{_W}lineRule": "exact"},
    )
    r_pr = etree.SubElement(p_pr, f"{_W}rPr")
    etree.SubElement(r_pr, f"{_W}sz", {f"{_W}val": "2"})


def signature_line(cell: _Cell, colour: str) -> None:
    """A rule to sign or date on at the foot of the cell: a paragraph border, so the cell margins
    leave a gap between the signature line and the date line beside it."""
    tc = cell._tc
    etree.SubElement(tc.tcPr, f"{_W}vAlign", {f"{_W}val": "bottom"})
    p_pr = tc.find(f"{_W}p").find(f"{_W}pPr")
    borders = etree.Element(f"{_W}pBdr")
    etree.SubElement(
        borders,
        f"{_W}bottom",
        {f"{_W}val": "single", f"{_W}sz": "8", f"{_W}space": "1", f"{_W}color": colour},
    )
    p_pr.find(f"{_W}pStyle").addnext(borders)


def fixed_layout(table: Table, widths_twips: list[int]) -> None:
    """Fixed column widths, so Word and LibreOffice lay the table out the same way."""
    tblpr = table._tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tblpr.append(width)
    width.set(qn("w:w"), str(sum(widths_twips)))
    width.set(qn("w:type"), "dxa")
    tblpr.get_or_add_tblLayout().set(qn("w:type"), "fixed")
    for col, w in zip(table._tbl.tblGrid.gridCol_lst, widths_twips, strict=True):
        col.w = _twips(w)
    for tr in table._tbl.tr_lst:
        for tc, w in zip(tr.tc_lst, widths_twips, strict=False):
            tc.width = _twips(w)


def set_app_properties(document: Document, application: str, company: str) -> None:
    """docProps/app.xml: the template claims "Microsoft Macintosh Word" wrote the file."""
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = (
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
                'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                f"<Application>{_escape(application)}</Application><DocSecurity>0</DocSecurity>"
                f"<Company>{_escape(company)}</Company><LinksUpToDate>false</LinksUpToDate>"
                "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
                "</Properties>"
            ).encode()


def _escape(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a saved package with fixed entry times, attributes and order.

    [Content_Types].xml and the package relationships come first (some readers expect that),
    then every other entry in name order.
    """
    first = ("[Content_Types].xml", "_rels/.rels")
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        ordered = [n for n in first if n in names] + sorted(n for n in names if n not in first)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in ordered:
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0
                info.external_attr = 0
                target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()
