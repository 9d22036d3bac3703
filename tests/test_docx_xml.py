"""The raw OOXML helpers (docx_xml, docx_xml_styles, docx_xml_fields): each one checked on a bare
python-docx document."""

from __future__ import annotations

import io
import time
import zipfile

import docx
from docx.oxml.ns import qn

from mapgen.renderers import docx_xml, docx_xml_fields, docx_xml_styles

LOOK = docx_xml_styles.Look(
    body_font="Inter",
    heading_font="Noto Serif",
    mono_font="DejaVu Sans Mono",
    east_asian_font="Noto Sans CJK JP",
    language="en-US",
    text="1B1F24",
    muted="57606A",
    primary="1F3A93",
    on_primary="FFFFFF",
    accent="0E7C86",
    surface="F3F5F9",
    border="D0D7DE",
    base=20,
    small=17,
    h1=44,
    h2=30,
    h3=24,
    title=60,
    text_width=9865,
)


def fresh() -> docx.document.Document:
    document = docx.Document()
    docx_xml_styles.install_styles_and_numbering(document, LOOK)
    return document


def saved(document: docx.document.Document) -> bytes:
    raw = io.BytesIO()
    document.save(raw)
    return raw.getvalue()


def test_styles_are_ours_and_complete() -> None:
    document = fresh()
    names = {s.name for s in document.styles}
    assert {"Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Number"} <= names
    assert {"Caption", "Table Text", "Plan Table", "Hyperlink", "Code", "toc 1"} <= names
    assert "Medium Shading 1 Accent 1" not in names
    heading = document.styles["Heading 1"]
    assert heading.font.name == "Noto Serif" and str(heading.font.color.rgb) == "1F3A93"


def test_numbering_restarts_with_a_new_instance() -> None:
    document = fresh()
    first = docx_xml_styles.restart_numbering(document, 0, 1)
    second = docx_xml_styles.restart_numbering(document, 1, 3)
    assert first != second and docx_xml_styles.NUMBER_NUM_ID not in (first, second)
    paragraph = document.add_paragraph("x", style="List Number")
    docx_xml_styles.set_numbering(paragraph, second, 1)
    xml = paragraph._p.xml
    assert f'<w:numId w:val="{second}"/>' in xml and '<w:ilvl w:val="1"/>' in xml
    numbering = document.part.numbering_part.element.xml
    assert '<w:lvlOverride w:ilvl="1">' in numbering and '<w:startOverride w:val="3"/>' in numbering


def test_hyperlink_is_an_external_relationship() -> None:
    document = fresh()
    paragraph = document.add_paragraph()
    link = docx_xml_fields.add_hyperlink(paragraph, "https://example.com/x")
    rel = document.part.rels[link.get(qn("r:id"))]
    assert rel.is_external and rel.target_ref == "https://example.com/x"


def test_fields_bookmarks_and_table_flags() -> None:
    document = fresh()
    paragraph = document.add_paragraph("Heading", style="Heading 1")
    docx_xml_fields.add_field(paragraph, "PAGE", "1")
    docx_xml_fields.bookmark(paragraph, 7, "_Toc00000007")
    xml = paragraph._p.xml
    assert xml.index('w:fldCharType="begin"') < xml.index(" PAGE ") < xml.index('w:fldCharType="end"')
    assert '<w:bookmarkStart w:id="7" w:name="_Toc00000007"/>' in xml
    table = document.add_table(rows=0, cols=2)
    docx_xml.table_look(table, header=True, banded=False)
    docx_xml.fixed_layout(table, [1000, 2000])
    docx_xml.add_row(table, [1000, 2000], header=True)
    cells = docx_xml.add_row(table, [1000, 2000])
    docx_xml.fill_cell(
        cells[1], " two\nlines\tand a tab", "TableText", bold=True, colour="123456", fill="ABCDEF"
    )
    xml = table._tbl.xml
    assert "<w:tblHeader/>" in xml and xml.count("<w:cantSplit/>") == 2 and 'w:fill="ABCDEF"' in xml
    assert 'w:val="0620"' in xml and '<w:tblLayout w:type="fixed"/>' in xml
    assert "<w:br/>" in xml and "<w:tab/>" in xml and '<w:t xml:space="preserve"> two</w:t>' in xml
    assert table.cell(1, 1).text == " two\nlines\tand a tab"


def test_template_rsids_are_removed() -> None:
    document = fresh()
    assert document.settings.element.find(qn("w:rsids")) is not None
    docx_xml.remove_rsids(document)
    assert document.settings.element.find(qn("w:rsids")) is None


def test_reproducible_zip_fixes_times_and_order() -> None:
    document = fresh()
    document.add_paragraph("same")
    first = docx_xml.reproducible_zip(saved(document))
    time.sleep(1.1)
    second = docx_xml.reproducible_zip(saved(document))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        names = package.namelist()
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"] and names[2:] == sorted(names[2:])
        assert {i.date_time for i in package.infolist()} == {docx_xml.ZIP_TIME}
    assert docx.Document(io.BytesIO(first)).paragraphs[-1].text == "same"
