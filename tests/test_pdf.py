"""The `pdf` format: snapshots (print HTML, page text, PDF bytes), structure, fields, attachment,
audience, safety and determinism. Read by pypdf, pdftotext and qpdf, never by mapgen itself."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pypdf
import pytest

from mapgen.audience import Audience
from mapgen.errors import UsageError
from mapgen.i18n import localizer
from mapgen.layouts import load_layout
from mapgen.load import load_plan
from mapgen.pipeline import RenderRequest, render_plan
from mapgen.renderers.base import RenderContext, RenderOptions
from mapgen.themes import load_theme
from mapgen.view import build_view
from tests.conftest import DISTINCT_ENVIRONMENTS, ROOT, SAMPLE_IDS, SAMPLES, require_tool

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
JAPANESE = ROOT / "samples" / "sakura-northwind" / "plan.yaml"
COMBOS = [
    (layout, theme)
    for layout in ("standard", "one-page")
    for theme in ("default", "executive")
    if (layout, theme) != ("standard", "default")
]
"""Each layout x theme on the enterprise sample; standard x default is its sample snapshot."""


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: bytes
    warnings: tuple[str, ...]

    @property
    def reader(self) -> pypdf.PdfReader:
        return pypdf.PdfReader(io.BytesIO(self.pdf))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@cache
def rendered(
    plan: Path,
    layout: str = "standard",
    theme: str = "default",
    audience: Audience = Audience.BUYER,
    variant: str | None = None,
) -> Rendered:
    """One render as the renderer does it, with every WeasyPrint warning it logged."""
    from mapgen.renderers.pdf import asset_roots, check_variant, fitted_document, write_pdf

    loaded = load_plan(plan)
    ctx = RenderContext(
        build_view(loaded.plan, audience),
        RenderOptions(pdf_variant=variant),
        load_theme(theme).for_locale(loaded.plan.locale),
        load_layout(layout),
        loaded.base_dir,
    )
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        roots = asset_roots(ctx)
        html, document = fitted_document(ctx, roots)
        pdf = write_pdf(document, ctx, check_variant(variant), roots)
    finally:
        logger.removeHandler(handler)
    return Rendered(html.replace(ROOT.as_uri(), "file://<root>"), pdf, tuple(handler.messages))


def page_texts(pdf: bytes) -> list[str]:
    """The text of every page as `pdftotext -layout` reads it."""
    tool = require_tool("pdftotext")
    out = subprocess.run(
        [tool, "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode().split("\f")[:-1]


def readable(pdf: bytes) -> str:
    """Page text for a snapshot: trailing spaces trimmed, one header per page."""
    pages = page_texts(pdf)
    return "".join(
        f"=== page {n} of {len(pages)} ===\n"
        + "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")
        + "\n"
        for n, text in enumerate(pages, 1)
    )


def squeezed(text: str) -> str:
    """Text without whitespace, so a title wrapped in a table cell still matches."""
    return re.sub(r"\s+", "", text)


def check_qpdf(pdf: bytes, tmp_path: Path) -> None:
    tool = require_tool("qpdf")
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([tool, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def resolve(obj: object) -> object:
    return obj.get_object() if isinstance(obj, pypdf.generic.IndirectObject) else obj


# ------------------------------------------------------------------------------------ snapshots


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_sample_snapshots(plan: Path, snapshot_text, snapshot_bytes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = rendered(plan)
    assert result.warnings == ()
    check_qpdf(result.pdf, tmp_path)
    assert snapshot_text("html") == result.html
    assert snapshot_text("txt") == readable(result.pdf)
    assert snapshot_bytes("pdf") == result.pdf


@pytest.mark.parametrize(("layout", "theme"), COMBOS, ids=[f"{lay}-{th}" for lay, th in COMBOS])
def test_layout_theme_snapshots(
    layout: str, theme: str, snapshot_text, snapshot_bytes, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = rendered(ENTERPRISE, layout, theme)
    assert result.warnings == ()
    check_qpdf(result.pdf, tmp_path)
    assert snapshot_text("html") == result.html
    assert snapshot_text("txt") == readable(result.pdf)
    assert snapshot_bytes("pdf") == result.pdf


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
@pytest.mark.parametrize("theme", ["default", "executive"])
def test_one_page_fits_one_page(plan: Path, theme: str) -> None:
    result = rendered(plan, "one-page", theme)
    assert len(result.reader.pages) == 1
    assert result.warnings == ()


def test_page_size_comes_from_the_theme_else_the_locale() -> None:
    a4 = rendered(JAPANESE, "standard", "default").reader.pages[0].mediabox
    letter = rendered(JAPANESE, "standard", "executive").reader.pages[0].mediabox
    us = rendered(ENTERPRISE, "standard", "default").reader.pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842), "ja-JP prints on A4"
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792), "the theme says Letter"
    assert (round(float(us.width)), round(float(us.height))) == (612, 792), "en-US prints on Letter"


# ------------------------------------------------------------------------------------ content


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_every_shared_action_and_milestone_is_printed(plan: Path) -> None:
    view = build_view(load_plan(plan).plan)
    # Content-stream order (cell by cell), not -layout: a title wrapped in its cell would
    # interleave with the owner and due lines beside it.
    text = squeezed("".join(page.extract_text() for page in rendered(plan).reader.pages))
    for action in view.actions:
        assert squeezed(action.title) in text, action.title
    for milestone in view.milestones:
        assert squeezed(milestone.title) in text, milestone.title


def test_cover_running_header_and_footer() -> None:
    view = build_view(load_plan(ENTERPRISE).plan)
    pages = page_texts(rendered(ENTERPRISE).pdf)
    cover = squeezed(pages[0])
    for expected in ("Acme x Northwind", "Analytics platform rollout", "Revision", "January 12, 2027"):
        assert squeezed(expected) in cover
    assert len(rendered(ENTERPRISE).reader.pages[0].images) == 2
    for number, page in enumerate(pages, 1):
        assert squeezed(f"Page {number} of {len(pages)}") in squeezed(page)
        assert view.short_fingerprint in page
    for page in pages[1:]:
        assert squeezed(view.plan.title) in squeezed(page)
        assert "Revision 4" in page


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_internal_data_only_in_the_internal_copy(plan: Path) -> None:
    full = load_plan(plan).plan
    secrets = [a.title for _, a in full.actions() if a.visibility.value == "internal"]
    if full.internal and full.internal.notes:
        secrets += [line.strip("-* ").split("**")[-1].strip() for line in full.internal.notes.splitlines()]
    secrets = [s for s in secrets if len(s) > 6 and "[" not in s]
    buyer = rendered(plan)
    internal = rendered(plan, audience=Audience.INTERNAL)
    buyer_text, internal_text = (
        squeezed("".join(page_texts(buyer.pdf)) + "".join(p.extract_text() for p in buyer.reader.pages)),
        squeezed("".join(p.extract_text() for p in internal.reader.pages)),
    )
    for secret in secrets:
        assert squeezed(secret) not in buyer_text, secret
        assert squeezed(secret) not in squeezed(buyer.html), secret
    if full.internal and full.internal.forecast_category:
        label = squeezed(localizer(full.locale, full.timezone).gettext("Forecast category"))
        assert label in internal_text
        assert label not in buyer_text
    missing = [s for s in secrets if squeezed(s) not in internal_text]
    assert not missing
    attached = json.loads(attachment(buyer.reader))
    assert attached["audience"] == "buyer"
    assert attached["plan"].get("internal") is None
    metadata = " ".join(str(v) for v in (buyer.reader.metadata or {}).values())
    assert all(squeezed(s) not in squeezed(metadata) for s in secrets)


def test_japanese_plan_has_every_glyph() -> None:
    result = rendered(JAPANESE)
    assert result.warnings == ()
    text = "".join(page_texts(result.pdf))
    view = build_view(load_plan(JAPANESE).plan)
    for title in [view.plan.title, *(a.title for a in view.actions)]:
        assert squeezed(title) in squeezed(text), title
    fonts = subprocess.run(
        [require_tool("pdffonts"), "-"], input=result.pdf, capture_output=True, check=False
    )
    listing = fonts.stdout.decode()
    assert "CJK" in listing


# ------------------------------------------------------------------------------------ structure


def test_tagged_structure_language_and_title() -> None:
    reader = rendered(ENTERPRISE).reader
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert root["/Lang"] == "en-US"
    assert reader.metadata.title == "Acme x Northwind: Mutual Action Plan"
    kinds = structure_kinds(root["/StructTreeRoot"])
    for kind in ("/H1", "/H2", "/Table", "/TH", "/TD", "/Figure", "/Form"):
        assert kind in kinds, kind


def structure_kinds(node: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    stack = [resolve(node)]
    seen: set[int] = set()
    while stack:
        item = resolve(stack.pop())
        if isinstance(item, pypdf.generic.ArrayObject):
            stack.extend(item)
            continue
        if not isinstance(item, pypdf.generic.DictionaryObject) or id(item) in seen:
            continue
        seen.add(id(item))
        if "/S" in item:
            counts[str(item["/S"])] = counts.get(str(item["/S"]), 0) + 1
            if item["/S"] == "/Figure":
                assert item.get("/Alt"), "a figure without a text alternative"
        if "/K" in item:
            stack.append(item["/K"])
    return counts


def test_table_headers_are_scoped() -> None:
    html = rendered(ENTERPRISE).html
    headers = re.findall(r"<th\b[^>]*>", html)
    assert headers
    assert all("scope=" in th for th in headers), [th for th in headers if "scope=" not in th]


def test_running_header_and_footer_are_artifacts() -> None:
    reader = rendered(ENTERPRISE).reader
    content = reader.pages[1].get_contents().get_data()
    assert b"/Artifact" in content and b"/Pagination" in content
    assert b"/Span" in content


def test_metadata_from_the_plan() -> None:
    meta = rendered(ENTERPRISE).reader.metadata
    assert meta.author == "Northwind Analytics"
    assert "Analytics platform rollout" in meta.subject
    assert "Acme Corp" in meta["/Keywords"]
    assert meta["/CreationDate"] == "D:20270112000000Z"
    assert meta["/ModDate"] == "D:20270112000000Z"


def test_signature_fields_are_empty_and_signable() -> None:
    reader = rendered(ENTERPRISE).reader
    view = build_view(load_plan(ENTERPRISE).plan)
    fields = reader.get_fields()
    signatures = {name: f for name, f in fields.items() if f.get("/FT") == "/Sig"}
    assert sorted(signatures) == sorted(f"signature-{s.id}" for s in view.signatories)
    assert all("/V" not in f for f in signatures.values())
    form = reader.trailer["/Root"]["/AcroForm"]
    assert form["/SigFlags"] == 1 and "/NeedAppearances" not in form
    last = reader.pages[-1]
    widgets = [resolve(a) for a in last.get("/Annots", []) if resolve(a).get("/Subtype") == "/Widget"]
    assert len(widgets) == len(view.signatories)
    for widget in widgets:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        assert abs(x2 - x1) > 100 and abs(y2 - y1) > 20
        assert "/TU" in widget and "/AP" in widget


def attachment(reader: pypdf.PdfReader) -> bytes:
    (name, contents), *_ = reader.attachments.items()
    assert name == "northwind-acme.json" or name.endswith(".json")
    return contents[0]


def test_pdf_a_3b_embeds_the_plan(tmp_path: Path) -> None:
    result = rendered(ENTERPRISE, variant="pdf/a-3b")
    assert result.warnings == ()
    check_qpdf(result.pdf, tmp_path)
    reader = result.reader
    root = reader.trailer["/Root"]
    assert len(root["/AF"]) == 1
    spec = resolve(root["/AF"][0])
    assert spec["/AFRelationship"] == "/Data"
    assert json.loads(attachment(reader))["plan"]["id"] == "northwind-acme"
    xmp = resolve(root["/Metadata"]).get_data()
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp
    assert "/StructTreeRoot" in root and "/OutputIntents" in root
    assert any(f.get("/FT") == "/Sig" for f in reader.get_fields().values())


@pytest.mark.parametrize("variant", ["pdf/a-1b", "pdf/a-2b"])
def test_older_pdf_a_has_no_attachment(variant: str) -> None:
    reader = rendered(ENTERPRISE, variant=variant).reader
    assert not reader.attachments


def test_unknown_variant_lists_the_known_ones() -> None:
    loaded = load_plan(ENTERPRISE)
    request = RenderRequest(formats=["pdf"], options=RenderOptions(pdf_variant="pdf/a-9z"))
    with pytest.raises(
        UsageError, match=r"unknown PDF variant 'pdf/a-9z'; known variants: .*pdf/a-3b.*pdf/ua-1"
    ):
        render_plan(loaded, request)


# ------------------------------------------------------------------------------------ safety

HOSTILE = """\
mapgen: 1
id: hostile
title: "Plan <link rel=attachment href=file:///etc/passwd> <img src=http://evil.example/x.png>"
revision: 1
updated: 2027-01-12
seller: {name: "Seller</style><style>body{display:none}</style>"}
buyer: {name: "Buyer\\"; } @page { size: 1mm } x { content: \\""}
deal: {name: "<script>alert(1)</script>", start: 2027-01-11, target_close: 2027-02-26}
summary: |
  <link rel=attachment href="file:///etc/passwd">
  ![tracker](http://evil.example/pixel.png) <img src="http://evil.example/y.png">
stakeholders:
  - {id: jane, name: "Jane <link rel=stylesheet href=http://evil.example/x.css>", side: buyer}
  - {id: sam, name: "Sam'); background: url(http://evil.example/z.png", side: seller}
phases:
  - id: close
    name: "<style>*{color:red}</style>"
    actions:
      - {id: a, title: "<a href='file:///etc/passwd'>x</a>", owner: sam, due: 2027-01-22, milestone: true}
signoff: [jane, sam]
"""


def test_hostile_plan_cannot_inject_html_or_css(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(HOSTILE, encoding="utf-8")
    result = rendered(plan)
    assert result.warnings == ()
    for raw in (
        "<link rel=attachment",
        "<img src=http",
        "<script>",
        "</style><style>",
        "<style>*{",
        "<a href='file",
    ):
        assert raw not in result.html
    reader = result.reader
    assert list(reader.attachments) == ["hostile.json"]
    assert len(reader.pages[0].images) == 0
    text = squeezed("".join(page_texts(result.pdf)))
    assert squeezed("Plan <link rel=attachment href=file:///etc/passwd>") in text
    assert squeezed("@page { size: 1mm }") in text
    assert round(float(reader.pages[0].mediabox.width)) == 612


def _ctx_roots(tmp_path: Path) -> list[Path]:
    theme, layout = load_theme("default"), load_layout("standard")
    return [*theme.dirs, *layout.dirs, tmp_path]


def test_fetcher_serves_only_allowed_files(tmp_path: Path) -> None:
    from mapgen.renderers.pdf import ConfinedFetcher, RefusedAsset

    (tmp_path / "logo.png").write_bytes(b"png")
    (tmp_path / "escape.png").symlink_to("/etc/passwd")
    fetcher = ConfinedFetcher(_ctx_roots(tmp_path))
    assert fetcher.fetch((tmp_path / "logo.png").as_uri()).read() == b"png"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    refused = {
        "file:///etc/passwd": "outside",
        (tmp_path / "escape.png").as_uri(): "outside",
        (tmp_path / "sub" / ".." / ".." / "x").as_uri(): "outside",
        (tmp_path / "missing.png").as_uri(): "missing asset",
        "http://evil.example/x.png": "refused asset",
        "https://evil.example/x.png": "refused asset",
        "ftp://evil.example/x": "refused asset",
    }
    for url, message in refused.items():
        with pytest.raises(RefusedAsset, match=message):
            fetcher.fetch(url)


def test_refused_asset_is_a_usage_error(tmp_path: Path) -> None:
    from mapgen.renderers.pdf import layout_document

    html = '<html lang="en"><title>t</title><body><img src="file:///etc/passwd" alt="x"></body></html>'
    with pytest.raises(UsageError, match=r"refused asset /etc/passwd"):
        layout_document(html, _ctx_roots(tmp_path))
    remote = (
        '<html lang="en"><title>t</title><body><img src="http://127.0.0.1:9/x.png" alt="x"></body></html>'
    )
    with pytest.raises(UsageError, match=r"refused asset http://127.0.0.1:9/x.png"):
        layout_document(remote, _ctx_roots(tmp_path))


# ------------------------------------------------------------------------------------ determinism

_RENDER = textwrap.dedent(
    """
    import sys
    from mapgen.load import load_plan
    from mapgen.pipeline import RenderRequest, render_plan
    (artifact,) = render_plan(load_plan(sys.argv[1]), RenderRequest(formats=["pdf"]))
    sys.stdout.buffer.write(artifact.data)
    """
)


def test_byte_identical_across_processes() -> None:
    outputs = []
    for env in DISTINCT_ENVIRONMENTS:
        done = subprocess.run(
            [sys.executable, "-c", _RENDER, str(JAPANESE)], env=env, capture_output=True, check=True, cwd=ROOT
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] == rendered(JAPANESE).pdf


def test_cli_renders_the_enterprise_sample(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mapgen", "render", str(ENTERPRISE), "-f", "pdf", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "northwind-acme.pdf").read_bytes() == rendered(ENTERPRISE).pdf
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "mapgen",
            "render",
            str(ENTERPRISE),
            "-f",
            "pdf",
            "--pdf-variant",
            "x",
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "known variants" in bad.stderr and "Traceback" not in bad.stderr
