"""The DOCX as legal and procurement open it: in LibreOffice (as a PDF of its layout) and as XML.

One LibreOffice run converts every document the tests need; the checks then read page counts,
the fonts LibreOffice actually used, and the laid-out text (a header broken inside a word shows
up as two fragments on two lines).
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from htmlcheck import plan_text

from mapgen.renderers.docx_xml_fonts import obfuscate
from tests.conftest import ROOT, require_tool
from tests.test_docx import document_text, part, render_docx

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
JAPANESE = ROOT / "samples" / "sakura-northwind" / "plan.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def german_plan(folder: Path) -> Path:
    """The enterprise sample in German (logos beside it, as the plan expects)."""
    target = folder / "de"
    target.mkdir()
    for item in ENTERPRISE.parent.iterdir():
        if item.is_dir():
            (target / item.name).mkdir()
            for f in item.iterdir():
                (target / item.name / f.name).write_bytes(f.read_bytes())
    text = ENTERPRISE.read_text(encoding="utf-8").replace("locale: en-US", "locale: de-DE")
    (target / "plan.yaml").write_text(text, encoding="utf-8")
    return target / "plan.yaml"


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, tuple[bytes, Path]]:  # type: ignore[no-untyped-def]
    """name -> (docx bytes, LibreOffice's PDF of it), all converted in one soffice run."""
    soffice = require_tool("soffice")
    folder = tmp_path_factory.mktemp("docx-readers")
    german = german_plan(folder)
    docs = {
        "one-page-default": render_docx(ENTERPRISE, layout="one-page"),
        "one-page-executive": render_docx(ENTERPRISE, layout="one-page", theme="executive"),
        "one-page-german-executive": render_docx(german, layout="one-page", theme="executive"),
        "one-page-japanese": render_docx(JAPANESE, layout="one-page"),
        "german": render_docx(german),
        "japanese": render_docx(JAPANESE),
    }
    for name, data in docs.items():
        (folder / f"{name}.docx").write_bytes(data)
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{name}.docx") for name in docs),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return {name: (data, folder / f"{name}.pdf") for name, data in docs.items()}


def pdf_pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def laid_out_text(pdf: Path) -> str:
    pdftotext = require_tool("pdftotext")
    return subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    "name", ["one-page-default", "one-page-executive", "one-page-german-executive", "one-page-japanese"]
)
def test_one_page_layout_is_one_page_in_libreoffice(converted, name: str) -> None:  # type: ignore[no-untyped-def]
    _data, pdf = converted[name]
    assert pdf_pages(pdf) == 1


def test_libreoffice_uses_the_embedded_theme_font(converted) -> None:  # type: ignore[no-untyped-def]
    pdffonts = require_tool("pdffonts")
    for name in ("one-page-default", "german"):
        fonts = subprocess.run([pdffonts, str(converted[name][1])], capture_output=True, text=True).stdout
        assert "Inter-Regular" in fonts and "Inter-Bold" in fonts, fonts
        assert "DejaVu" not in fonts, "LibreOffice substituted the theme's font"
    fonts = subprocess.run(
        [pdffonts, str(converted["one-page-executive"][1])], capture_output=True, text=True
    ).stdout
    assert "NotoSerif-Bold" in fonts and "NotoSans-Regular" in fonts


def test_fonts_are_named_with_fallbacks_and_embedded() -> None:
    from fontTools.ttLib import TTFont

    data = render_docx(ENTERPRISE)
    table = part(data, "word/fontTable.xml").decode()
    inter = re.search(r'<w:font w:name="Inter">.*?</w:font>', table).group(0)  # type: ignore[union-attr]
    assert '<w:altName w:val="Arial"/>' in inter and '<w:family w:val="swiss"/>' in inter
    assert "<w:embedRegular" in inter and "<w:embedBold" in inter and "<w:embedItalic" in inter
    assert "<w:embedTrueTypeFonts/>" in part(data, "word/settings.xml").decode()
    rels = part(data, "word/_rels/fontTable.xml.rels").decode()
    key = re.search(r'<w:embedRegular r:id="(\w+)" w:fontKey="(\{[0-9A-F-]+\})"', inter)
    assert key is not None
    target = re.search(
        rf'Id="{key.group(1)}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{key.group(1)}"', rels
    )
    assert target is not None
    name = "word/" + (target.group(1) or target.group(2))
    font = TTFont(io.BytesIO(obfuscate(part(data, name), key.group(2))))
    assert font["name"].getDebugName(1) == "Inter" and "glyf" in font
    content_types = part(data, "[Content_Types].xml").decode()
    assert "application/vnd.openxmlformats-officedocument.obfuscatedFont" in content_types


def test_toc_opens_without_a_prompt_and_says_how_to_get_page_numbers() -> None:
    data = render_docx(ENTERPRISE)
    assert b"updateFields" not in part(data, "word/settings.xml")
    text = document_text(data)
    assert "Page numbers appear once the table is updated" in text


def test_german_and_japanese_headers_do_not_break_inside_words(converted) -> None:  # type: ignore[no-untyped-def]
    german = laid_out_text(converted["german"][1])
    for word in ("Verantwortlich", "Maßnahme", "Ausgangswert", "Erfolgskennzahlen", "Anbieter", "Überfällig"):
        assert re.search(rf"\b{word}\b", german), word
    for fragment in ("Verantwor\n", "Maßn\n", "Ausgangsw\n", "Anbiet\n"):
        assert fragment not in german.replace(" ", ""), fragment
    japanese = laid_out_text(converted["japanese"][1])
    for word in ("担当者", "アクション", "状態", "期限"):
        assert word in japanese, word


def test_one_term_per_thing_in_german(converted) -> None:  # type: ignore[no-untyped-def]
    text = document_text(converted["german"][0])
    assert "Maßnahmen" in text
    assert not re.search(r"Aktion(?!splan)", text), "actions are Maßnahmen throughout"


def test_empty_columns_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(plan_text(), encoding="utf-8")
    text = document_text(render_docx(path))
    assert "Outcome" not in text and "Depends on" not in text
    assert "Outcome" in document_text(render_docx(ENTERPRISE))


def test_signoff_has_signature_lines_and_us_spelling() -> None:
    from lxml import etree

    data = render_docx(ENTERPRISE)
    body = etree.fromstring(part(data, "word/document.xml"))
    signoff = [t for t in body.iter(f"{W}tbl") if "Signature" in "".join(t.itertext())][-1]
    rows = signoff.findall(f"{W}tr")[1:]
    assert len(rows) == 3
    for row in rows:
        lines = row.findall(f".//{W}pBdr/{W}bottom")
        assert len(lines) == 2, "a signature line and a date line"
    assert "Organization" in "".join(signoff.itertext())
    assert "Organisation" not in document_text(data)


def test_zip_has_fonts_only_from_the_theme() -> None:
    with zipfile.ZipFile(io.BytesIO(render_docx(ENTERPRISE))) as package:
        fonts = [n for n in package.namelist() if n.startswith("word/fonts/")]
    assert len(fonts) == 3, fonts
