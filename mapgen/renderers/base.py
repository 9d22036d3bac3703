"""The one interface every format implements, and what a renderer is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from mapgen.limits import DEFAULT_LIMITS

if TYPE_CHECKING:
    from mapgen.view import PlanView


@dataclass(frozen=True, slots=True)
class Artifact:
    """One output file: its name in the output folder, its bytes and its media type."""

    name: str
    data: bytes
    media_type: str


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Per-run choices that are not part of the plan (all explicit: renderers read no environment)."""

    link: str | None = None
    """URL of the full plan, for buttons and calendar descriptions."""
    feed: str = "all"
    """Which calendar feeds: all, buyer, seller, or one stakeholder id."""
    pdf_variant: str | None = None
    max_pdf_pages: int = DEFAULT_LIMITS.pdf_pages
    """The PDF's page budget (`--limit pdf-pages=N`)."""
    changes: Any = None
    """`mapgen.diff.Changes` since an earlier revision (`--since`), already filtered for the audience."""
    digest_days: int = 7
    """Digests list open actions due within this many days of the as-of date."""
    person_links: tuple[tuple[str, str], ...] = ()
    """(stakeholder id, URL of their landing page): digests link each person to their own page."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What a renderer sees: the view, the options, and (for formats that use them) theme and layout."""

    view: PlanView
    options: RenderOptions = field(default_factory=RenderOptions)
    theme: Any = None
    layout: Any = None
    assets_dir: Any = None
    """The plan's folder: the only place plan assets (logos) may come from."""
    seller_logo: Any = None
    """The brand logo (a checked file of the theme or $MAPGEN_HOME) for a plan without a seller logo."""
    rendered: dict[str, list[Artifact]] = field(default_factory=dict, compare=False, repr=False)
    """Artifacts already rendered in this run, by format: a format that embeds another (the eml
    draft attaches the PDF) takes them from here instead of rendering them twice."""


class Renderer(Protocol):
    """Turns a view into bytes. Never reads the clock, the environment or the network."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    media_type: ClassVar[str]
    uses_layout: ClassVar[bool]
    """True when the renderer needs a theme and a layout (the pipeline loads them only then)."""

    def render(self, ctx: RenderContext) -> list[Artifact]: ...
