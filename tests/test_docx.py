"""The editable DOCX: snapshots, read-back, audience, links, lists, determinism, LibreOffice."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from mapgen.audience import Audience
from mapgen.load import load_plan
from mapgen.renderers.base import RenderOptions
from tests.conftest import DISTINCT_ENVIRONMENTS, ROOT, SAMPLE_IDS, SAMPLES, render_sample, require_tool

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def render_docx(plan: Path, **kwargs) -> bytes:  # type: ignore[no-untyped-def]
    artifacts = render_sample(plan, ["docx"], **kwargs)
    (artifact,) = artifacts.values()
    return artifact.data


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name)


def pretty(xml: bytes) -> str:
    root = etree.fromstring(xml, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def all_text(data: bytes) -> str:
    """Every text of the package's XML parts and relationships (for leak checks)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "\n".join(
            package.read(n).decode("utf-8") for n in package.namelist() if n.endswith((".xml", ".rels"))
        )


def document_text(data: bytes) -> str:
    """Body text as an editor reads it: paragraphs and table cells, via python-docx."""
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def write_plan(tmp_path: Path, extra: str = "", *, replace: tuple[str, str] | None = None) -> Path:
    text = (ROOT / "samples" / "minimal" / "plan.yaml").read_text(encoding="utf-8")
    if replace:
        text = text.replace(*replace)
    path = tmp_path / "plan.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_sample_snapshots(plan: Path, snapshot_text, snapshot_bytes) -> None:  # type: ignore[no-untyped-def]
    data = render_docx(plan)
    assert pretty(part(data, "word/document.xml")) == snapshot_text("xml")(name="document")
    assert pretty(part(data, "word/styles.xml")) == snapshot_text("xml")(name="styles")
    assert data == snapshot_bytes("docx")


COMBOS = [
    (layout, theme)
    for layout in ("standard", "one-page")
    for theme in ("default", "executive")
    if (layout, theme) != ("standard", "default")
]
"""Each layout x theme on the enterprise sample; standard x default is its sample snapshot."""


@pytest.mark.parametrize(("layout", "theme"), COMBOS, ids=[f"{lay}-{th}" for lay, th in COMBOS])
def test_layout_theme_snapshots(layout: str, theme: str, snapshot_text, snapshot_bytes) -> None:  # type: ignore[no-untyped-def]
    data = render_docx(ENTERPRISE, layout=layout, theme=theme)
    assert pretty(part(data, "word/document.xml")) == snapshot_text("xml")(name="document")
    assert pretty(part(data, "word/styles.xml")) == snapshot_text("xml")(name="styles")
    assert data == snapshot_bytes("docx")


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_every_shared_action_and_milestone_is_read_back(plan: Path) -> None:
    loaded = load_plan(plan).plan
    text = document_text(render_docx(plan))
    for _, action in loaded.actions():
        if action.visibility == "shared":
            assert action.title in text, action.id
    assert loaded.title in text


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_internal_data_only_in_the_internal_copy(plan: Path) -> None:
    loaded = load_plan(plan).plan
    hidden = [a.title for _, a in loaded.actions() if a.visibility == "internal"]
    buyer = all_text(render_docx(plan))
    internal = document_text(render_docx(plan, audience=Audience.INTERNAL))
    for title in hidden:
        assert title not in buyer
        assert title in internal
    if loaded.internal and loaded.internal.notes:
        assert loaded.internal.notes.split("\n")[0] not in buyer
    core = part(render_docx(plan), "docProps/core.xml").decode()
    assert "buyer" in core and "internal" not in core.lower()


def test_styles_come_from_the_theme() -> None:
    styles = pretty(part(render_docx(ENTERPRISE, theme="executive"), "word/styles.xml"))
    assert 'w:styleId="Heading1"' in styles and '<w:outlineLvl w:val="0"/>' in styles
    assert 'w:ascii="Noto Serif"' in styles  # heading font: first family of the stack
    assert 'w:ascii="Noto Sans"' in styles
    assert "14213D" in styles  # executive primary
    assert "Theme" not in styles  # no theme-font indirection that would override the names
    for name in ("Title", "heading 1", "heading 2", "heading 3", "List Bullet", "List Number", "caption"):
        assert f'<w:name w:val="{name}"/>' in styles


def test_document_structure() -> None:
    data = render_docx(ENTERPRISE)
    document = part(data, "word/document.xml").decode()
    assert "<w:tblHeader/>" in document and "<w:cantSplit/>" in document
    assert 'w:fill="' in document  # status shading
    assert "TOC \\o" in document  # contents field, standard layout
    footer = "".join(
        part(data, n).decode() for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if "footer" in n
    )
    assert " PAGE " in footer and " NUMPAGES " in footer
    header = "".join(
        part(data, n).decode() for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if "header" in n
    )
    assert "<a:blip" in header  # logos
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "docProps/thumbnail.jpeg" not in names and "word/stylesWithEffects.xml" not in names


def test_toc_switch() -> None:
    off = render_docx(ENTERPRISE, options=RenderOptions(extra={"docx_toc": False}))
    assert "TOC \\o" not in part(off, "word/document.xml").decode()
    one_page = render_docx(ENTERPRISE, layout="one-page")
    assert "TOC \\o" not in part(one_page, "word/document.xml").decode()


def test_core_properties_from_the_plan() -> None:
    import docx

    props = docx.Document(io.BytesIO(render_docx(ENTERPRISE))).core_properties
    assert props.title == "Acme x Northwind: Mutual Action Plan"
    assert props.author == "Northwind Analytics" and props.last_modified_by == "Northwind Analytics"
    assert props.subject == "Analytics platform rollout"
    assert props.revision == 4
    assert props.created.isoformat().startswith("2027-01-12") and props.modified == props.created
    assert "Acme Corp" in props.keywords


def test_hyperlinks_are_external_relationships(tmp_path: Path) -> None:
    plan = write_plan(
        tmp_path,
        "summary: |\n  See [docs](https://docs.example/a?b=1&c=2), [bad](javascript:alert(1)) "
        "and [mail](mailto:x@example.com).\n",
    )
    data = render_docx(plan)
    rels = part(data, "word/_rels/document.xml.rels").decode()
    assert 'Target="https://docs.example/a?b=1&amp;c=2" TargetMode="External"' in rels
    assert 'Target="mailto:x@example.com" TargetMode="External"' in rels
    assert "javascript" not in all_text(data).lower().replace("javascript:alert(1)", "")
    assert "javascript:" not in rels
    document = part(data, "word/document.xml").decode()
    assert document.count("<w:hyperlink r:id=") == 2


def test_markdown_maps_to_word_formatting(tmp_path: Path) -> None:
    summary = (
        "summary: |\n"
        "  **bold** *italic* ~~gone~~ `code` line  \n  break\n\n"
        "  1. one\n  2. two\n     - nested\n\n"
        "  Between.\n\n"
        "  1. again\n  2. twice\n\n"
        "  # Heading in a field\n\n  > quoted\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n"
    )
    data = render_docx(write_plan(tmp_path, summary))
    document = part(data, "word/document.xml").decode()
    assert "<w:b/>" in document and "<w:i/>" in document and "<w:strike/>" in document
    assert '<w:rStyle w:val="Code"/>' in document and "<w:br/>" in document
    numbering = part(data, "word/numbering.xml").decode()
    assert numbering.count("<w:startOverride") == 2  # each ordered list restarts
    body = etree.fromstring(part(data, "word/document.xml"))
    num_ids = {
        p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
        for p in body.iter(f"{W}p")
        if p.find(f"{W}pPr/{W}pStyle") is not None
        and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "ListNumber"
    }
    assert len(num_ids) == 2
    assert '<w:ilvl w:val="1"/>' in document  # the nested bullet
    assert (
        "Heading in a field" in document
        and 'w:val="Heading1">' not in document.split("Heading in a field")[0][-300:]
    )


def test_hostile_text_never_crashes(tmp_path: Path) -> None:
    weird = (
        "Emoji \U0001f680 RTL \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 CJK \u65e5\u672c\u8a9e"
        " \\x01\\x0b\\uFFFE\\t zero\u200bwidth <w:t>&amp;"
    )
    plan = write_plan(tmp_path, replace=("title: Send the proposal", f'title: "{weird}"'))
    data = render_docx(plan)
    text = document_text(data)
    assert "\U0001f680" in text and "\u05e9\u05dc\u05d5\u05dd" in text and "<w:t>&amp;" in text


def test_svg_logo_is_left_out_and_the_loader_warns(tmp_path: Path) -> None:
    """Word cannot show SVG: the DOCX renders without that logo instead of failing every format."""
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    plan = write_plan(
        tmp_path, replace=("  name: Northwind Analytics\n", "  name: Northwind Analytics\n  logo: logo.svg\n")
    )
    assert any("leaves out SVG logos" in w.message for w in load_plan(plan).warnings)
    with zipfile.ZipFile(io.BytesIO(render_docx(plan))) as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]


def test_byte_identical_across_processes() -> None:
    script = (
        "import sys; from tests.conftest import render_sample; from pathlib import Path; "
        "sys.stdout.buffer.write(next(iter(render_sample(Path(sys.argv[1]), ['docx']).values())).data)"
    )
    outputs = []
    for env in DISTINCT_ENVIRONMENTS:
        done = subprocess.run(
            [sys.executable, "-c", script, str(ENTERPRISE)],
            capture_output=True,
            env=env,
            cwd=ROOT,
            check=True,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(io.BytesIO(outputs[0])) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert package.namelist()[0] == "[Content_Types].xml"


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_libreoffice_converts_it(plan: Path, tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    source = tmp_path / "plan.docx"
    source.write_bytes(render_docx(plan))
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "plan.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    first = load_plan(plan).plan.title.split(":")[0]
    assert first in "".join(page.extract_text() for page in reader.pages)


def test_what_changed_since_an_earlier_revision() -> None:
    from mapgen.diff import compare

    new = load_plan(ENTERPRISE).plan
    earlier = new.deal.target_close.replace(day=1)
    old = new.model_copy(
        update={"revision": 3, "deal": new.deal.model_copy(update={"target_close": earlier})}
    )
    changes = compare(old, new, Audience.BUYER)
    assert changes
    text = document_text(render_docx(ENTERPRISE, options=RenderOptions(changes=changes)))
    assert "What changed" in text
    assert all(change.summary in text for change in changes.changes)
    assert "What changed" not in document_text(render_docx(ENTERPRISE))
