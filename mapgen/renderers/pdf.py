"""`pdf` format: the layout's print template through WeasyPrint, tagged, with signature fields.

The only module that imports WeasyPrint. Everything WeasyPrint may read goes through
`ConfinedFetcher` (theme, layout and plan folders, and `data:` URIs); signature fields and
header/footer artifacts are added on the object graph by `mapgen.pdf_finish` before WeasyPrint
serialises it, so the bytes depend only on the plan, the theme, the layout and the versions.
"""

from __future__ import annotations

import math
import re
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit

from mapgen import fontlang  # noqa: F401  (pins fontconfig's language before WeasyPrint loads it)

# isort: split
from weasyprint import HTML, Attachment
from weasyprint.pdf import VARIANTS
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse, path2url

from mapgen.errors import UsageError
from mapgen.pdf_budget import page_budget
from mapgen.pdf_finish import finish
from mapgen.renderers.base import Artifact, RenderContext

if TYPE_CHECKING:
    from weasyprint import Document


PDF_VARIANTS: tuple[str, ...] = tuple(sorted(VARIANTS))
"""Every variant this WeasyPrint offers (`debug` included: it only adds debugging data)."""

_ATTACHMENT_FORBIDDEN = ("pdf/a-1", "pdf/a-2", "pdf/a-4u", "pdf/a-4e", "pdf/x-")
"""Variants whose standard forbids embedding a non-PDF file: the plan JSON is left out there."""


class RefusedAsset(FatalURLFetchingError):
    """An asset outside the allowed folders, a missing one, or a non-local URL: stops rendering."""


class ConfinedFetcher(URLFetcher):
    """Serves files inside `roots` (after resolving links and `..`) and `data:` URIs; nothing else.

    No network, no redirects, no `file://` elsewhere. Every refusal is fatal, so a plan or theme
    that asks for something else fails with a message naming it instead of rendering without it.
    """

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True)
        self.roots = tuple(dict.fromkeys(root.resolve() for root in roots))

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            with urllib.request.DataHandler().data_open(urllib.request.Request(url)) as response:
                body = response.read()
                content_type = response.headers.get("Content-Type", "text/plain")
            return URLFetcherResponse(url, body, {"Content-Type": content_type})
        if scheme != "file":
            raise RefusedAsset(f"refused asset {_shorten(url)}: only theme, layout and plan files are used")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise RefusedAsset(f"refused asset {path}: outside the theme, layout and plan folders")
        if not path.is_file():
            raise RefusedAsset(f"missing asset {path}")
        return URLFetcherResponse(path2url(path), path.read_bytes(), {})


def _shorten(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


def check_variant(variant: str | None) -> str | None:
    """The variant unchanged, or a UsageError listing the variants WeasyPrint offers."""
    if variant is not None and variant not in VARIANTS:
        raise UsageError(f"unknown PDF variant '{variant}'; known variants: {', '.join(PDF_VARIANTS)}")
    return variant


def embeds_plan(variant: str | None) -> bool:
    """Whether the plan JSON is attached: always, except where the variant's standard forbids it."""
    return variant is None or not variant.startswith(_ATTACHMENT_FORBIDDEN)


FIT_SCALES = (1.0, 0.94, 0.88, 0.82, 0.76, 0.7)
"""Type scales tried, in order, for a print template that asks to fit a number of pages."""
MIN_TYPE_PT = 7.0
"""No text is set smaller, whatever a layout asks to fit: fitting stops at this size."""

_FIT_PAGES = re.compile(r'<body[^>]*\sdata-fit-pages="(\d+)"')


def print_html(ctx: RenderContext, fit_scale: float = 1.0) -> str:
    """The layout's print template rendered for this view: the exact HTML WeasyPrint lays out."""
    from mapgen.print_context import print_context

    template = ctx.layout.environment.get_template("print.j2")
    return str(template.render(**print_context(ctx, fit_scale)))


def fitted_document(ctx: RenderContext, roots: list[Path]) -> tuple[str, Document]:
    """Lay out the print HTML; when the template's <body data-fit-pages="N"> is exceeded, again
    with smaller type until it fits (the smallest scale is kept if nothing fits)."""
    for scale in fit_scales(ctx):
        html = print_html(ctx, scale)
        document = layout_document(html, roots)
        limit = _FIT_PAGES.search(html)
        if limit is None or len(document.pages) <= int(limit.group(1)):
            break
    return html, document


def fit_scales(ctx: RenderContext) -> tuple[float, ...]:
    """FIT_SCALES down to the one that sets the theme's smallest size at MIN_TYPE_PT."""
    from mapgen.print_context import size_pt

    smallest = min(size_pt(size) for size in ctx.theme.tokens.sizes.model_dump().values())
    floor = math.ceil(1000 * MIN_TYPE_PT / smallest) / 1000
    kept = tuple(scale for scale in FIT_SCALES if scale >= floor)
    return kept if kept and kept[-1] == floor else (*kept, floor)


def asset_roots(ctx: RenderContext) -> list[Path]:
    """Folders assets may come from: the theme chain, the layout chain and the plan's folder."""
    roots = [*ctx.theme.dirs, *ctx.layout.dirs]
    if ctx.assets_dir is not None:
        roots.append(Path(ctx.assets_dir))
    return roots


def layout_document(html: str, roots: list[Path]) -> Document:
    """WeasyPrint's layout of the print HTML, reading assets only through `ConfinedFetcher`."""
    try:
        return HTML(string=html, base_url=path2url(roots[0]), url_fetcher=ConfinedFetcher(roots)).render(
            presentational_hints=False
        )
    except RefusedAsset as exc:
        raise UsageError(str(exc)) from None


_FONT_TIMESTAMP_LOCK = threading.Lock()
"""The patch below is process-wide: two PDFs written at once (mapgen serve) take turns."""


@contextmanager
def _font_timestamps(day: date) -> Iterator[None]:
    """Font tables WeasyPrint re-saves (emoji, variable fonts) get `day` as their 'head' modified
    time instead of the clock's (fontTools stamps the current time), so the bytes stay stable."""
    from fontTools.misc.timeTools import epoch_diff
    from fontTools.ttLib.tables import _h_e_a_d

    stamp = int(datetime.combine(day, datetime.min.time(), tzinfo=UTC).timestamp()) - epoch_diff
    with _FONT_TIMESTAMP_LOCK:
        original = _h_e_a_d.timestampNow
        _h_e_a_d.timestampNow = lambda: stamp
        try:
            yield
        finally:
            _h_e_a_d.timestampNow = original


def write_pdf(document: Document, ctx: RenderContext, variant: str | None, roots: list[Path]) -> bytes:
    """Serialise a laid-out document: tags, variant, plan attachment, signature fields."""
    options: dict[str, Any] = {"pdf_tags": True, "pdf_identifier": True, "pdf_version": "1.7"}
    if variant is not None:
        options["pdf_variant"] = variant
        options.pop("pdf_version")
    if embeds_plan(variant):
        options["attachments"] = [plan_attachment(ctx, roots)]
    try:
        with _font_timestamps(ctx.view.plan.updated):
            return document.write_pdf(finisher=partial(finish, stamp=plan_stamp(ctx)), **options)  # type: ignore[no-any-return]
    except RefusedAsset as exc:
        raise UsageError(str(exc)) from None


def plan_stamp(ctx: RenderContext) -> dict[str, str]:
    """What identifies the plan revision in the PDF's document information (see pdf_finish)."""
    view = ctx.view
    return {
        "plan": view.plan.id,
        "revision": str(view.plan.revision),
        "fingerprint": view.fingerprint,
        "audience": str(view.audience),
    }


def plan_attachment(ctx: RenderContext, roots: list[Path]) -> Attachment:
    """The `json` format's output for this audience (with `--since` changes when given), as a
    PDF/A-3 'Data' attachment."""
    from mapgen.renderers import get_renderer

    (artifact,) = get_renderer("json").render(RenderContext(ctx.view, ctx.options))
    stamp = datetime.combine(ctx.view.plan.updated, datetime.min.time(), tzinfo=UTC)
    return Attachment(
        string=artifact.data,
        url_fetcher=ConfinedFetcher(roots),
        name=artifact.name,
        description="The normalised plan and its derived status (mapgen json format)",
        created=stamp,
        modified=stamp,
        relationship="Data",
    )


class PdfRenderer:
    name: ClassVar[str] = "pdf"
    suffix: ClassVar[str] = ".pdf"
    media_type: ClassVar[str] = "application/pdf"
    uses_layout: ClassVar[bool] = True

    def render(self, ctx: RenderContext) -> list[Artifact]:
        variant = check_variant(ctx.options.pdf_variant)
        roots = asset_roots(ctx)
        with page_budget(ctx.options.max_pdf_pages, f"{ctx.view.plan.id}.pdf", ctx.view.plan):
            _, document = fitted_document(ctx, roots)
        data = write_pdf(document, ctx, variant, roots)
        return [Artifact(f"{ctx.view.plan.id}{self.suffix}", data, self.media_type)]


RENDERER = PdfRenderer()
