"""What the print template (layouts/<layout>/print.j2) sees on top of the shared template context.

The PDF needs a few things the screen formats do not: the page size and running header and footer
(CSS paged media, with plan text escaped as CSS strings), the theme's print stylesheets, document
metadata for the PDF info dictionary and XMP, and the names of the signature fields. An internal
copy gets no signature fields and a mark on every page (`internal`, `internal_mark`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from mapgen import __version__
from mapgen.errors import UsageError
from mapgen.pdf_finish import SIGNATURE_PREFIX
from mapgen.presentation import STATE_ORDER, Timeline, TimelinePoint
from mapgen.print_columns import TextMeasure, name_fits
from mapgen.view import State

if TYPE_CHECKING:
    from mapgen.i18n import Localizer
    from mapgen.renderers.base import RenderContext
    from mapgen.themes import Theme
    from mapgen.view import PlanView

PRINT_CSS = "print.css"
"""The file each theme in the chain may provide for print; parents' first, the child's last."""

_PLACEHOLDER = re.compile(r"%\((page|pages)\)s")


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string in which every character but letters, digits and spaces is a
    hex escape: no plan text can close the string, the rule or the <style> element.

    Each escape ends with a space, which CSS consumes as its terminator; without it the space
    after an escaped character (the one in "Acme: Plan") would be eaten instead.
    """
    escaped = "".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):06x} " for c in text)
    return Markup(f'"{escaped}"')


def page_counter_content(template: str) -> Markup:
    """A translated 'Page %(page)s of %(pages)s' as CSS `content`: strings and page counters."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            parts.append(css_string(template[position : match.start()]))
        parts.append(f"counter({match.group(1)})")
        position = match.end()
    if position < len(template):
        parts.append(css_string(template[position:]))
    return Markup(" ".join(parts))


_MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}


def length_mm(length: str) -> float:
    """A theme length token ('18mm', '0.75in') in millimetres, for page margin arithmetic."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(mm|cm|in|pt|px)", length)
    if match is None:
        raise UsageError(f"not a length: {length!r}")
    return float(match.group(1)) * _MM_PER_UNIT[match.group(2)]


def print_fonts(theme: Theme) -> dict[str, str]:
    """The theme's font stacks without emoji families: with an emoji font named in `font-family`,
    Pango draws ASCII digits from it (WeasyPrint issues #1848, #2291). Fontconfig still falls back
    to the installed emoji font for real emoji."""
    return {
        key: ",".join(part.strip() for part in stack.split(",") if "emoji" not in part.lower())
        for key, stack in theme.tokens.fonts.model_dump().items()
    }


def print_font_stacks(theme: Theme) -> dict[str, str]:
    """`print_fonts` as custom property values for print, for the stacks that lost a family."""
    from mapgen.presentation import font_families

    stacks = theme.tokens.fonts.model_dump()
    return {
        f"--font-{key}": kept
        for key, kept in print_fonts(theme).items()
        if len(font_families(kept)) != len(font_families(stacks[key]))
    }


def print_font_faces(theme: Theme) -> str:
    """@font-face rules for paper: per family the regular, the italic and one bold face (the one
    nearest semibold). Every face declared is loaded and embedded by WeasyPrint, and print.css asks
    for no other weight; a bolder request falls back to the nearest face."""
    from dataclasses import replace

    from mapgen.presentation import font_face_css

    kept = []
    for family in sorted({f.family for f in theme.fonts}):
        faces = [f for f in theme.fonts if f.family == family]
        upright = [f for f in faces if f.style == "normal"]
        regular = min(upright, key=lambda f: abs(f.weight - 400), default=None)
        bold = min((f for f in upright if f.weight >= 600), key=lambda f: abs(f.weight - 600), default=None)
        italic = min(
            (f for f in faces if f.style != "normal"), key=lambda f: abs(f.weight - 400), default=None
        )
        kept += [f for f in (regular, bold, italic) if f is not None]
    return font_face_css(replace(theme, fonts=tuple(kept)), embed=False)


def print_stylesheets(theme: Theme) -> Markup:
    """Every print.css of the theme chain, ancestors first, confined to the theme folders."""
    parts = []
    for folder in reversed(theme.dirs):
        path = (folder / PRINT_CSS).resolve()
        if path.is_file() and path.is_relative_to(folder.resolve()):
            css = path.read_text(encoding="utf-8")
            if "</" in css:
                raise UsageError(f"{path}: '</' is not allowed in a print stylesheet")
            parts.append(css)
    return Markup("\n".join(parts))


@dataclass(frozen=True, slots=True)
class Signature:
    """One signatory's block and the name of its empty signature field."""

    field: str
    label: str
    stakeholder: Any


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What becomes the PDF's info dictionary and XMP metadata (nothing internal goes here)."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    date: str
    generator: str


def document_meta(view: PlanView, l10n: Localizer) -> DocumentMeta:
    plan = view.plan
    subject = l10n.gettext("Mutual action plan for %(deal)s between %(buyer)s and %(seller)s") % {
        "deal": plan.deal.name,
        "buyer": plan.buyer.name,
        "seller": plan.seller.name,
    }
    keywords = (l10n.gettext("Mutual action plan"), plan.deal.name, plan.buyer.name, plan.seller.name)
    return DocumentMeta(
        title=plan.title,
        author=plan.seller.name,
        subject=subject,
        keywords=tuple(k.replace(",", " ") for k in keywords),
        date=f"{plan.updated.isoformat()}T00:00:00Z",
        generator=f"mapgen {__version__}",
    )


def scaled_sizes(theme: Theme, scale: float) -> dict[str, str]:
    """The theme's type sizes times `scale`, as custom property values: how a layout that must fit
    a number of pages shrinks its text when the first layout overflowed."""
    if scale == 1:
        return {}
    sizes = {}
    for key, length in theme.tokens.sizes.model_dump().items():
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([a-z]+)", length)
        if match:
            sizes[f"--size-{key}"] = f"{float(match.group(1)) * scale:.2f}{match.group(2)}"
    return sizes


_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*\)")
_DECLARED = re.compile(r"(--[\w-]+)\s*:")


def inline_custom_properties(css: str, values: dict[str, str]) -> str:
    """`var(--name)` replaced by its value, for the names in `values` that `css` does not declare
    itself. WeasyPrint resolves custom properties again for every element it styles (about a
    twentieth of an enterprise PDF's render); the values are known here, so paper gets constants.
    A var() with a fallback or a name the stylesheet sets (a theme's own) is left to the cascade."""
    declared = set(_DECLARED.findall(css))
    return _VAR.sub(
        lambda m: values[m.group(1)] if m.group(1) in values and m.group(1) not in declared else m.group(0),
        css,
    )


def size_pt(length: str) -> float:
    """A theme size token ('8.5pt', '11px') in points."""
    return length_mm(length) * 72 / 25.4


def print_context(ctx: RenderContext, fit_scale: float = 1.0) -> dict[str, Any]:
    """The shared context plus the print-only values; `fit_scale` shrinks type (see scaled_sizes)."""
    from mapgen.presentation import environment, root_css, template_context, token_values
    from mapgen.print_columns import content_width_mm, print_columns

    environment(ctx.layout)
    context = template_context(ctx)
    view: PlanView = context["view"]
    l10n: Localizer = context["l10n"]
    tokens = ctx.theme.tokens
    internal: bool = context["internal"]
    width_mm = content_width_mm(ctx.theme, length_mm(tokens.page.margin))
    measure = TextMeasure(ctx.theme, size_pt(tokens.sizes.small) * fit_scale)
    custom = token_values(tokens) | print_font_stacks(ctx.theme) | scaled_sizes(ctx.theme, fit_scale)
    context.update(
        theme_style=Markup(print_font_faces(ctx.theme) + "\n" + root_css(custom)),
        print_style=Markup(inline_custom_properties(print_stylesheets(ctx.theme), custom)),
        fit_scale=fit_scale,
        page_size=tokens.page.size,
        page_margin_mm=length_mm(tokens.page.margin),
        css_string=css_string,
        page_counter=page_counter_content(l10n.gettext("Page %(page)s of %(pages)s")),
        running_title=css_string(view.plan.title),
        running_revision=css_string(
            l10n.gettext("Revision %(revision)s") % {"revision": l10n.format_number(view.plan.revision)}
        ),
        running_fingerprint=css_string(
            l10n.gettext("Fingerprint %(fingerprint)s") % {"fingerprint": view.short_fingerprint}
        ),
        internal_mark=css_string(l10n.gettext("Internal copy · not for the buyer")),
        meta=document_meta(view, l10n),
        signatures=()
        if internal
        else tuple(
            Signature(
                field=f"{SIGNATURE_PREFIX}{s.id}",
                label=l10n.gettext("Signature of %(name)s") % {"name": s.name},
                stakeholder=s,
            )
            for s in view.signatories
        ),
        timeline_alt=timeline_alt(view, l10n),
        print_timeline=print_timeline(view, l10n, width_mm),
        timeline_font_pt=TIMELINE_FONT_PT,
        timeline_label_chars=TIMELINE_LABEL_CHARS,
        timeline_states=tuple(s for s in STATE_ORDER if any(m.state is s for m in view.milestones)),
        print_fonts=print_fonts(ctx.theme),
        glance_states=GLANCE_STATES,
        numbers=action_numbers(view),
        keep_names=name_keeper(view),
        bind_name=partial(bind_name, measure=measure, width_mm=width_mm),
        columns=print_columns(view, l10n, measure, width_mm),
        keep_whole_rows=KEEP_WHOLE_ROWS,
        lead_rows=LEAD_ROWS,
    )
    return context


KEEP_WHOLE_ROWS = 3
"""An action table of at most this many rows is never split across pages."""
LEAD_ROWS = 2
"""Rows of a long table that stay with its header: a table never starts with fewer at a page foot."""
GLANCE_STATES = (State.OVERDUE, State.STALLED, State.BLOCKED)
"""The counts the status at a glance shows beside progress and days to close."""
TIMELINE_FONT_PT = 8.0
TIMELINE_LABEL_CHARS = 26
PT_PER_MM = 72 / 25.4


def name_keeper(view: PlanView) -> Callable[[str], Markup]:
    """A function that joins the words of every stakeholder's name with no-break spaces in a text
    (plain or already-escaped Markup), so that a name in a title or a note never breaks over lines."""
    names = sorted({s.name for s in view.stakeholders if " " in s.name}, key=len, reverse=True)
    pairs = [
        (written, written.replace(" ", "\u00a0"))
        for name in names
        for written in dict.fromkeys(
            (
                str(escape(name)),
                name.replace("'", "&#x27;"),
                name.replace("'", "&#39;"),
                name.replace("'", "’"),
                name,
            )
        )
    ]

    def keep(text: str) -> Markup:
        result = str(text if isinstance(text, Markup) else escape(text))
        for name, joined in pairs:
            result = result.replace(name, joined)
        return Markup(result)

    return keep


def bind_name(name: str, *, measure: TextMeasure, width_mm: float) -> Markup:
    """A name for a table cell: its words joined by no-break spaces when it fits a column of names,
    so it never breaks; a longer one keeps its spaces and wraps between words rather than running
    into the next column."""
    text = str(escape(name))
    return Markup(text.replace(" ", "\u00a0") if name_fits(measure, name, width_mm) else text)


def action_numbers(view: PlanView) -> dict[str, str]:
    """'2.3' for the third action of the second phase: how print rows and dependencies refer to
    actions, so a row names its dependencies without repeating their titles."""
    return {
        action.id: f"{phase_index}.{action_index}"
        for phase_index, phase in enumerate(view.phases, 1)
        for action_index, action in enumerate(phase.actions, 1)
    }


def print_timeline(view: PlanView, l10n: Localizer, width_mm: float) -> Timeline:
    """The timeline drawn in points on a viewBox as wide as the text block, so that its text is set
    at TIMELINE_FONT_PT on paper; milestones on one row that would touch are staggered, and the
    target close label sits left of its line, go-live's right of its own."""
    from mapgen.presentation import timeline_geometry

    width = round(width_mm * PT_PER_MM)
    label = round(width * 0.24)
    timeline = timeline_geometry(
        view,
        l10n,
        width=width,
        label_width=label,
        row_height=15,
        axis_height=12,
        marker_height=13,
        foot_height=13,
    )
    staggered: list[TimelinePoint] = []
    cluster: list[TimelinePoint] = []
    for point in [*sorted(timeline.milestones, key=lambda p: (p.y, p.x)), None]:
        if point is not None and cluster and point.y == cluster[-1].y and point.x - cluster[-1].x < 9:
            cluster.append(point)
            continue
        offsets = (0.0,) if len(cluster) == 1 else (-3.5, 3.5)
        staggered += [replace(p, y=p.y + offsets[k % len(offsets)]) for k, p in enumerate(cluster)]
        cluster = [point] if point is not None else []
    markers = []
    for marker in timeline.markers:
        if marker.kind == "close" and marker.x - label > 70:
            marker = replace(marker, anchor="end")
        elif marker.kind == "go-live" and marker.x < width - 70:
            marker = replace(marker, anchor="start")
        markers.append(marker)
    return replace(timeline, milestones=tuple(staggered), markers=tuple(markers))


def timeline_alt(view: PlanView, l10n: Localizer) -> str:
    """A sentence that says what the timeline drawing shows, for the figure's text alternative."""
    milestones = "; ".join(f"{m.title}: {l10n.format_due(m.due)}" for m in view.milestones)
    text = l10n.gettext("Timeline of %(phases)s from %(start)s to %(end)s.") % {
        "phases": l10n.ngettext("%(n)s phase", "%(n)s phases", len(view.phases)),
        "start": l10n.format_due(view.plan.deal.start),
        "end": l10n.format_due(view.plan.deal.go_live or view.plan.deal.target_close),
    }
    if milestones:
        text += " " + l10n.gettext("Milestones: %(list)s.") % {"list": milestones}
    return text
