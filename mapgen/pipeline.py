"""plan files -> views -> artifacts in memory -> one consistent write (mapgen.output).

Everything is rendered before anything is written; mapgen.output then writes each plan's set under a
folder lock, through a staging folder, with a manifest last, so a failed, killed or concurrent run
never leaves a set that a reader cannot tell apart from a complete one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mapgen.audience import Audience
from mapgen.errors import InvalidInput, Problem
from mapgen.limits import DEFAULT_LIMITS, Limits
from mapgen.load import LoadedPlan, load_plan
from mapgen.output import ArtifactSet, write_sets
from mapgen.renderers import format_names, get_renderer
from mapgen.renderers.base import Artifact, RenderContext, RenderOptions
from mapgen.view import build_view


@dataclass(frozen=True, slots=True)
class RenderRequest:
    formats: Sequence[str] = field(default_factory=format_names)
    audience: Audience = Audience.BUYER
    as_of: date | None = None
    layout: str = "standard"
    theme: str = "default"
    strict: bool = False
    options: RenderOptions = field(default_factory=RenderOptions)
    limits: Limits = DEFAULT_LIMITS


def parse_formats(values: Iterable[str]) -> list[str]:
    """`-f pdf,docx -f ics` -> ['pdf', 'docx', 'ics']; every name checked, order kept, no repeats."""
    names: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if name and name not in names:
                get_renderer(name)
                names.append(name)
    return names or format_names()


def load_all(paths: Sequence[Path], *, strict: bool, limits: Limits = DEFAULT_LIMITS) -> list[LoadedPlan]:
    """Load every plan; raise one InvalidInput with the problems of all invalid plans."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_plan(path, strict=strict, limits=limits))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    ids: dict[str, Path] = {}
    for item in loaded:
        if item.plan.id in ids:
            raise InvalidInput(
                [Problem(f"same plan id '{item.plan.id}' as {ids[item.plan.id]}", "id", str(item.path))]
            )
        ids[item.plan.id] = item.path
    return loaded


def render_plan(
    item: LoadedPlan, request: RenderRequest, progress: Callable[[str, str], None] | None = None
) -> list[Artifact]:
    """Every artifact of one plan, in memory; `progress(plan id, format)` before each format."""
    return list(render_set(item, request, progress).artifacts)


def render_set(
    item: LoadedPlan, request: RenderRequest, progress: Callable[[str, str], None] | None = None
) -> ArtifactSet:
    """Every artifact of one plan, with what identifies the render (for the manifest)."""
    identity, by_format = render_by_format(item, request, progress)
    artifacts = tuple(a for name in request.formats for a in by_format[name])
    return dataclasses.replace(identity, artifacts=artifacts)


def render_by_format(
    item: LoadedPlan, request: RenderRequest, progress: Callable[[str, str], None] | None = None
) -> tuple[ArtifactSet, dict[str, list[Artifact]]]:
    """The artifacts of each format (the render cache stores formats apart), and the render's
    identity as an ArtifactSet without artifacts."""
    view = build_view(item.plan, request.audience, request.as_of)
    renderers = [get_renderer(name) for name in request.formats]
    theme = layout = None
    if any(r.uses_layout for r in renderers):
        from mapgen.layouts import load_layout
        from mapgen.themes import load_theme

        theme = load_theme(request.theme).for_locale(item.plan.locale)
        layout = load_layout(request.layout)
    seller_logo = None
    if theme is not None and item.plan.seller.logo is None:
        from mapgen.branding import brand_for

        brand = brand_for(theme)
        seller_logo = brand.logo if brand is not None else None
    options = request.options
    if options.max_pdf_pages != request.limits.pdf_pages:
        options = dataclasses.replace(options, max_pdf_pages=request.limits.pdf_pages)
    ctx = RenderContext(view, options, theme, layout, item.base_dir, seller_logo=seller_logo)
    order = format_names()
    # In the registry's order, whatever the request's: a format that embeds others (eml: the PDF,
    # the email, the calendar) comes after them and takes them from ctx.rendered.
    for renderer in sorted(renderers, key=lambda r: order.index(r.name)):
        if progress is not None:
            progress(item.plan.id, renderer.name)
        ctx.rendered[renderer.name] = renderer.render(ctx)
    identity = ArtifactSet(view.plan.id, view.plan.revision, view.fingerprint, str(request.audience), ())
    return identity, ctx.rendered


def render_files(
    paths: Sequence[Path],
    out_dir: Path,
    request: RenderRequest,
    progress: Callable[[str], None] = lambda _name: None,
) -> list[Path]:
    """Load, render and write every plan; return the paths written."""
    loaded = load_all(paths, strict=request.strict, limits=request.limits)
    sets: list[ArtifactSet] = []
    for item in loaded:
        sets.append(render_set(item, request))
        progress(item.plan.id)
    return write_sets(out_dir, sets)
