"""Raw WordprocessingML for paragraphs, tables and the package: style ids, table rows and cells
built straight in lxml, fixed column widths, signature lines, app properties and a reproducible
zip. Styles and numbering are in `docx_xml_styles`, links and fields in `docx_xml_fields`, fonts
in `docx_xml_fonts`: the renderer only calls these modules. Nothing here knows about plans.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run
    from lxml.etree import _Element

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every zip entry gets this time: python-docx stamps the current time, which breaks reproducibility."""


def set_style(paragraph: Paragraph, style_id: str) -> Paragraph:
    """Apply a paragraph style by id: python-docx's lookup by name scans every style each time."""
    paragraph._p.style = style_id
    return paragraph


def set_run_style(run: Run, style_id: str) -> None:
    run._r.style = style_id


def set_table_style(table: Table, style_id: str) -> None:
    table._tbl.tblPr.style = style_id


def _twips(value: int):  # type: ignore[no-untyped-def]
    from docx.shared import Twips

    return Twips(value)


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
