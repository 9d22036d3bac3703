"""`html` format: one self-contained page (CSS, fonts and logos inline, no scripts, no requests).

The layout's `html.j2` lays out the sections listed in its layout.yaml; the theme's tokens become
CSS custom properties, so the same templates serve every theme.
"""

from __future__ import annotations

from typing import ClassVar

from mapgen.presentation import render_template, template_context, theme_style
from mapgen.renderers.base import Artifact, RenderContext


def render_page(ctx: RenderContext, template: str = "html.j2") -> str:
    """The page as text; also what the benchmark compares with a bare Jinja2 render."""
    context = template_context(ctx)
    context["style"] = theme_style(ctx.theme)
    return render_template(ctx.layout, template, context)


class HtmlRenderer:
    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = ".html"
    media_type: ClassVar[str] = "text/html; charset=utf-8"
    uses_layout: ClassVar[bool] = True

    def render(self, ctx: RenderContext) -> list[Artifact]:
        page = render_page(ctx)
        return [Artifact(f"{ctx.view.plan.id}{self.suffix}", page.encode("utf-8"), self.media_type)]


RENDERER = HtmlRenderer()
