"""`email` format: a full email document, a fragment to paste into an email, and plain text.

Email clients drop <style> (Gmail for non-Google accounts, every client once a fragment is pasted),
so css-inline writes every rule into `style` attributes. Remote and file: stylesheets are never
loaded. The layout is fluid up to 600 px (a fixed 600 px table only for Outlook's Word engine, in
conditional comments), so it reads on a phone even where the full document's phone rules (the one
<style> left, for media queries) are ignored. Images are left out entirely: base64 images do not show in Gmail or Outlook and a remote
image would be a tracking pixel, so organisations appear by name.
"""

from __future__ import annotations

from typing import ClassVar

from mapgen.errors import UsageError
from mapgen.presentation import render_template, template_context, tidy_text
from mapgen.renderers.base import Artifact, RenderContext

GMAIL_CLIP_BYTES = 102 * 1024

DOCUMENT = """<!DOCTYPE html>
<html lang="{lang}" dir="{dir}" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>{title}</title>
<!--[if mso]><style>table, td, p, a, span {{ font-family: Arial, sans-serif !important; }}</style><![endif]-->
<style>
{phone_css}
</style>
</head>
<body class="email" style="margin: 0; padding: 0;">
{body}
</body>
</html>
"""


def check_link(link: str | None) -> str | None:
    """The `--link` URL, which must be an http(s) address (it becomes a button's href)."""
    if link is None:
        return None
    if not link.lower().startswith(("https://", "http://")) or any(ch <= " " for ch in link):
        raise UsageError(f"--link must be an http:// or https:// URL, got {link!r}")
    return link


def render_email(ctx: RenderContext) -> tuple[str, str, str]:
    """(full document, fragment, plain text), every style inlined in the two HTML parts."""
    import css_inline
    from markupsafe import escape

    check_link(ctx.options.link)
    context = template_context(ctx)
    css = render_template(ctx.layout, "email.css.j2", context)
    phone_css = render_template(ctx.layout, "email.phone.css.j2", context).strip()
    body = render_template(ctx.layout, "email.j2", context)
    text = render_template(ctx.layout, "email.txt.j2", context)
    inliner = css_inline.CSSInliner(
        load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False, extra_css=None
    )
    fragment = inliner.inline_fragment(body, css)
    l10n = context["l10n"]
    document = DOCUMENT.format(
        lang=l10n.locale,
        dir=l10n.direction,
        title=escape(ctx.view.plan.title),
        phone_css=phone_css,
        body=fragment.strip(),
    )
    return document, fragment.strip() + "\n", tidy_text(text)


class EmailRenderer:
    name: ClassVar[str] = "email"
    suffix: ClassVar[str] = ".email.html"
    media_type: ClassVar[str] = "text/html; charset=utf-8"
    uses_layout: ClassVar[bool] = True

    def render(self, ctx: RenderContext) -> list[Artifact]:
        document, fragment, text = render_email(ctx)
        plan_id = ctx.view.plan.id
        return [
            Artifact(f"{plan_id}.email.html", document.encode("utf-8"), self.media_type),
            Artifact(f"{plan_id}.email-fragment.html", fragment.encode("utf-8"), self.media_type),
            Artifact(f"{plan_id}.email.txt", text.encode("utf-8"), "text/plain; charset=utf-8"),
        ]


RENDERER = EmailRenderer()
