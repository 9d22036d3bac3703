"""The styles and numbering parts of the DOCX, built from the theme's `Look`, and the list
numbering paragraphs use: python-docx can neither define styles from scratch nor restart a
numbered list. Nothing here knows about plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Twips

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph
    from lxml.etree import _Element

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
    paragraph.paragraph_format.left_indent = Twips(_LIST_INDENT * (level + 1))
