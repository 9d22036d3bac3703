"""The template context that HTML, email and PDF share: view, labels, theme CSS, logos, timeline.

Everything here is presentation: turning view values into CSS, data: URIs and SVG coordinates.
Status and progress are read from the view (mapgen/view.py), never worked out again here or in a
template. Assets come only from the plan's folder (logos) and the theme's folders (fonts).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from mapgen.audience import Audience
from mapgen.dates import first_of_month_after, month_starts
from mapgen.errors import UsageError
from mapgen.i18n import Localizer, localizer
from mapgen.markdown import to_html, to_plain
from mapgen.rules import check_asset, day_of
from mapgen.spec import Party, Side
from mapgen.view import PlanView, Share, State
from mapgen.webfonts import woff2_subset

if TYPE_CHECKING:
    import jinja2

    from mapgen.layouts import Layout
    from mapgen.renderers.base import RenderContext
    from mapgen.themes import BundledFont, Theme, Tokens

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
FONT_MEDIA_TYPES = {
    "opentype": "font/otf",
    "truetype": "font/ttf",
    "woff2": "font/woff2",
    "woff": "font/woff",
}
STATE_ORDER = (State.DONE, State.ON_TRACK, State.DUE_SOON, State.OVERDUE, State.STALLED, State.BLOCKED)


def template_context(ctx: RenderContext) -> dict[str, Any]:
    """The variables every layout template sees (HTML page, email and PDF print template)."""
    from mapgen.signoff_record import record_text

    view = ctx.view
    plan = view.plan
    l10n = localizer(plan.locale, plan.timezone)
    theme: Theme = ctx.theme
    return {
        "view": view,
        "plan": plan,
        "internal": view.audience is Audience.INTERNAL,
        "l10n": l10n,
        "_": l10n.gettext,
        "ngettext": l10n.ngettext,
        "theme": theme,
        "tokens": theme.tokens,
        "layout": ctx.layout,
        "sections": ctx.layout.sections,
        "contents": visible_sections(view, ctx.layout.sections, changes_of(ctx) is not None),
        "options": ctx.options,
        "link": ctx.options.link,
        "logos": {
            side: logo_data_uri(
                party_of(view, side), ctx.assets_dir, ctx.seller_logo if side is Side.SELLER else None
            )
            for side in Side
        },
        "timeline": timeline_geometry(view, l10n),
        "changes": changes_of(ctx),
        "signoff_record": record_text(view, l10n, changes_of(ctx)),
        "responsibilities": responsibilities(view),
        "next_by_side": next_actions_by_side(view),
        "open_milestones": tuple(m for m in view.milestones if m.is_open),
        "states": STATE_ORDER,
        "Side": Side,
        "State": State,
    }


def environment(layout: Layout) -> jinja2.Environment:
    """The layout's Jinja2 environment with mapgen's filters added (idempotent)."""
    env = layout.environment
    env.filters.setdefault("markdown", to_html)
    env.filters.setdefault("plain", to_plain)
    return env


def render_template(layout: Layout, name: str, context: dict[str, Any]) -> str:
    """Render one layout template; a broken user template is a clean error naming it, not a traceback."""
    import jinja2

    try:
        return environment(layout).get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise UsageError(f"layout '{layout.name}' has no template {exc.name}") from None
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}"
            if isinstance(exc, jinja2.TemplateSyntaxError)
            else _template_line(exc, name)
        )
        raise UsageError(f"layout '{layout.name}', {where}: {exc.message}") from None


def tidy_text(text: str) -> str:
    """A rendered plain-text template (email, digest) as mail clients show it best: at most one blank
    line in a row (Jinja blocks leave runs of them), no trailing spaces, one final newline."""
    out: list[str] = []
    for line in (line.rstrip() for line in text.splitlines()):
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def _template_line(exc: BaseException, name: str) -> str:
    """`file:line` of the innermost template frame of a render error (Jinja rewrites tracebacks so
    that template frames carry the template's file name and line), or the template's name."""
    where, frame = name, exc.__traceback__
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".txt")):
            where = f"{filename}:{frame.tb_lineno}"
        frame = frame.tb_next
    return where


def party_of(view: PlanView, side: Side) -> Party:
    return view.plan.buyer if side is Side.BUYER else view.plan.seller


def logo_data_uri(party: Party, assets_dir: Path | None, brand_logo: Path | None = None) -> str | None:
    """The party's logo as a data: URI, or None when it has none or it is refused.

    The loader already checked the file; it is checked again here because a renderer must never
    read outside the plan's folder, whatever plan object it is handed. A party without a logo gets
    `brand_logo` (the seller's, from the theme or $MAPGEN_HOME, confined when it was resolved),
    whose bytes are checked again here for the same reason.
    """
    if party.logo is None and brand_logo is not None:
        from mapgen.branding import still_valid

        return (
            _data_uri(brand_logo, MEDIA_TYPES[brand_logo.suffix.lower()]) if still_valid(brand_logo) else None
        )
    if party.logo is None or assets_dir is None:
        return None
    if check_asset(party.logo, Path(assets_dir)) is not None:
        return None
    path = (Path(assets_dir) / party.logo).resolve()
    return _data_uri(path, MEDIA_TYPES[path.suffix.lower()])


def _data_uri(path: Path, media_type: str) -> str:
    """A file as a data: URI, cached by path, size and modification time: `mapgen serve` renders
    again when a logo is replaced, and must then see the new bytes."""
    stat = path.stat()
    return _encoded(path, media_type, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _encoded(path: Path, media_type: str, _size: int, _mtime_ns: int) -> str:
    data = path.read_bytes()
    if media_type.startswith("image/svg"):
        from mapgen.svg import sanitise_svg

        data = sanitise_svg(data)  # drawing only: no scripts, event handlers or outside references
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def font_families(stack: str) -> list[str]:
    """Family names of a CSS font stack, unquoted: "Inter, 'Noto Sans', sans-serif" -> [...]."""
    return [part.strip().strip("'\"") for part in stack.split(",") if part.strip()]


def font_face_css(theme: Theme, embed: bool = True) -> str:
    """@font-face rules for the bundled fonts that the theme's tokens actually use.

    `embed=True` inlines them as data: URIs of WOFF2 subsets (see mapgen.webfonts), so a
    self-contained HTML file stays small; other scripts fall back to the reader's fonts. `embed=False` points at the
    theme's full files by file: URI, for a print engine whose URL fetcher serves theme files.
    """
    used = {name for stack in theme.tokens.fonts.model_dump().values() for name in font_families(stack)}
    rules = []
    for font in sorted(theme.fonts, key=lambda f: (f.family, f.weight, f.style)):
        if font.family not in used:
            continue
        if embed:
            src, fmt = _woff2_data_uri(font), "woff2"
        else:
            src, fmt = font.path.as_uri(), font.format
        rules.append(
            f'@font-face{{font-family:"{font.family}";src:url("{src}") format("{fmt}");'
            f"font-weight:{font.weight};font-style:{font.style};font-display:swap}}"
        )
    return "\n".join(rules)


def _woff2_data_uri(font: BundledFont) -> str:
    """The theme's shipped WOFF2 subset, or one made now when the theme has none."""
    if font.web is not None:
        return _data_uri(font.web, "font/woff2")
    data = woff2_subset(font.path)
    return f"data:font/woff2;base64,{base64.b64encode(data).decode('ascii')}"


def token_values(tokens: Tokens) -> dict[str, str]:
    """The theme tokens by custom property name (--color-primary, --status-done, ...)."""
    values = {}
    groups = {"color": tokens.colors, "status": tokens.status, "font": tokens.fonts, "size": tokens.sizes}
    for prefix, group in groups.items():
        for key, value in group.model_dump().items():
            values[f"--{prefix}-{key.replace('_', '-')}"] = str(value)
    values |= {
        "--page-margin": tokens.page.margin,
        "--logo-height": tokens.logo.height,
        "--logo-align": tokens.logo.placement,
    }
    return values


def root_css(values: dict[str, str]) -> str:
    """Custom properties on :root, from their values by name."""
    return ":root{" + "".join(f"{name}:{value};" for name, value in values.items()) + "}"


def tokens_css(tokens: Tokens) -> str:
    """The theme tokens as CSS custom properties on :root (--color-primary, --status-done, ...)."""
    return root_css(token_values(tokens))


def theme_style(theme: Theme, embed_fonts: bool = True) -> Markup:
    """Fonts, tokens and the theme's CSS, in cascade order, for one <style> element."""
    css = "\n".join(
        part for part in (font_face_css(theme, embed_fonts), tokens_css(theme.tokens), theme.css) if part
    )
    return Markup(css.replace("</", "<\\/"))


def next_actions_by_side(view: PlanView, limit: int = 5) -> dict[Side, tuple[Any, ...]]:
    """The soonest open actions of each side (the view already sorted them)."""
    return {side: tuple(a for a in view.next_actions if a.side is side)[:limit] for side in Side}


def visible_sections(view: PlanView, sections: tuple[str, ...], has_changes: bool) -> tuple[str, ...]:
    """The sections that have something to show, for the table of contents (cover excluded)."""
    plan = view.plan
    empty = {
        "cover": True,
        "changes": not has_changes,
        "summary": not (plan.summary or plan.deal.compelling_event),
        "objectives": not view.objectives,
        "metrics": not view.metrics,
        "signoff": not view.signatories,
    }
    return tuple(s for s in sections if not empty.get(s, False))


def responsibilities(view: PlanView) -> Mapping[tuple[str, str], Share]:
    """Actions each stakeholder owns and contributes to in each phase, as the view counted them."""
    return view.responsibilities


@dataclass(frozen=True, slots=True)
class Changes:
    since_revision: int | None
    summaries: tuple[str, ...]


def changes_of(ctx: RenderContext) -> Changes | None:
    """What changed since an earlier revision (`--since`, mapgen.diff), or None to render nothing."""
    changes = ctx.options.changes
    if not changes:
        return None
    return Changes(changes.since_revision, tuple(change.summary for change in changes.changes))


# --------------------------------------------------------------------------- timeline geometry

TIMELINE_WIDTH = 960
LABEL_WIDTH = 210
ROW_HEIGHT = 30
AXIS_HEIGHT = 22
MARKER_HEIGHT = 22
FOOT_HEIGHT = 26


@dataclass(frozen=True, slots=True)
class TimelineRow:
    y: float
    name: str
    x: float
    width: float
    done_width: float
    """The done share of the bar, from the phase's progress in the view."""
    progress: Any
    first: date | None
    last: date | None
    left_percent: float = 0.0
    """Where the bar starts within the whole plan window, for the phone's per-phase bar."""
    width_percent: float = 0.0


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    x: float
    y: float
    title: str
    when: str
    state: State


@dataclass(frozen=True, slots=True)
class TimelineMarker:
    x: float
    label: str
    kind: str
    """as-of, close or go-live."""
    anchor: str
    """SVG text-anchor that keeps the label inside the drawing."""


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: int
    label_width: int
    top: int
    bottom: float
    start: date
    end: date
    ticks: tuple[tuple[float, str], ...]
    rows: tuple[TimelineRow, ...]
    milestones: tuple[TimelinePoint, ...]
    markers: tuple[TimelineMarker, ...]
    row_height: int = ROW_HEIGHT
    as_of_percent: float | None = None
    """The as-of date within the plan window (None outside it), for the phone's per-phase bars."""


def timeline_geometry(
    view: PlanView,
    l10n: Localizer,
    *,
    width: int = TIMELINE_WIDTH,
    label_width: int = LABEL_WIDTH,
    row_height: int = ROW_HEIGHT,
    axis_height: int = AXIS_HEIGHT,
    marker_height: int = MARKER_HEIGHT,
    foot_height: int = FOOT_HEIGHT,
) -> Timeline:
    """SVG coordinates: one bar per phase (first to last due date), milestones as points on their
    phase's row, month ticks, and markers for the as-of date, target close and go-live. The sizes
    default to the HTML page's drawing; print draws the same in points (mapgen.print_context)."""
    deal = view.plan.deal
    days = [d for d in (day_of(deal.start), deal.target_close, day_of(deal.go_live), view.as_of) if d]
    days += [a.due_day for a in view.actions if a.due_day]
    start = min(days).replace(day=1)
    end = first_of_month_after(max(days))
    span = max((end - start).days, 1)
    plot = width - label_width - 12

    def x(day: date) -> float:
        return round(label_width + plot * (day - start).days / span, 1)

    def marker(day: date, label: str, kind: str) -> TimelineMarker:
        at = x(day)
        return TimelineMarker(at, label, kind, "end" if at > width - 140 else "start")

    top = axis_height + marker_height
    rows, points, row_of = [], [], {}
    for index, phase in enumerate(view.phases):
        y = top + index * row_height
        row_of[phase.id] = y
        left = x(phase.first_due) if phase.first_due else label_width
        bar = max(x(phase.last_due) - left, 6) if phase.first_due and phase.last_due else 0
        done = round(bar * phase.progress.percent / 100, 1)
        left_percent = round(100 * (left - label_width) / plot, 1)
        width_percent = min(round(100 * bar / plot, 1), round(100 - left_percent, 1))
        rows.append(
            TimelineRow(
                y,
                phase.name,
                left,
                bar,
                done,
                phase.progress,
                phase.first_due,
                phase.last_due,
                left_percent,
                width_percent,
            )
        )
    for m in view.milestones:
        if m.due_day:
            y = row_of[m.phase_id] + row_height / 2
            points.append(TimelinePoint(x(m.due_day), y, m.title, l10n.format_due(m.due), m.state))
    bottom = top + len(rows) * row_height
    months = month_starts(start, max(days))
    step = 1 if len(months) <= 9 else 2 if len(months) <= 18 else 3
    ticks = tuple(
        (x(m), l10n.format_date(m, "MMMyy" if i == 0 or m.month <= step else "MMM"))
        for i, m in enumerate(months[::step])
    )
    markers = [marker(deal.target_close, l10n.gettext("Target close"), "close")]
    go_live = day_of(deal.go_live)
    if go_live:
        markers.append(marker(go_live, l10n.gettext("Go-live"), "go-live"))
    as_of = l10n.gettext("As of %(date)s") % {"date": l10n.format_date(view.as_of, "MMMd")}
    markers.append(marker(view.as_of, as_of, "as-of"))
    return Timeline(
        width=width,
        height=int(bottom + foot_height),
        label_width=label_width,
        top=top,
        bottom=bottom,
        start=start,
        end=end,
        ticks=ticks,
        rows=tuple(rows),
        milestones=tuple(points),
        markers=tuple(markers),
        row_height=row_height,
        as_of_percent=round(100 * (view.as_of - start).days / span, 1)
        if start <= view.as_of <= end
        else None,
    )
