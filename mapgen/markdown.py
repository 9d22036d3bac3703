"""The one Markdown renderer every format uses: no raw HTML, safe links, images as their alt text.

markdown-it-py's default preset passes raw HTML through and its link check allows any scheme but
a few, so the parser here starts from `commonmark` with HTML off, keeps only https, http and mailto
links, and turns images (a tracking and SSRF vector) into their alt text. HTML renderers call
`to_html`; DOCX walks the same token stream from `parse`.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

SAFE_SCHEMES = ("https:", "http:", "mailto:")


def is_safe_link(url: str) -> bool:
    """True for https, http and mailto URLs only (after trimming what browsers ignore)."""
    cleaned = "".join(ch for ch in url if ch > " ").lower()
    return cleaned.startswith(SAFE_SCHEMES)


@cache
def parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("strikethrough")
    md.validateLink = is_safe_link  # type: ignore[method-assign]

    def image_as_alt(_self, tokens, idx, _options, _env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        return str(escape("".join(child.content for child in token.children or []) or token.content))

    def link_open(_self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("rel", "noopener noreferrer")
        return md.renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("image", image_as_alt)
    md.add_render_rule("link_open", link_open)
    return md


def parse(text: str) -> list[Token]:
    """Block-level tokens of `text` (links already restricted to safe schemes)."""
    return parser().parse(text)


@lru_cache(maxsize=4096)
def to_html(text: str) -> Markup:
    """Safe HTML for a Markdown field: raw HTML is shown as text, unsafe links are plain text."""
    return Markup(parser().render(text))


def to_plain(text: str) -> str:
    """The text of a Markdown field without markup (links as `text (url)`), for plain-text outputs."""
    lines: list[str] = []
    bullet = ""
    for token in parse(text):
        if token.type == "list_item_open":
            bullet = "  " * (token.level // 2) + "- "
        elif token.type == "inline":
            lines.append(bullet + _inline_plain(token.children or []))
            bullet = ""
    return "\n".join(lines).strip()


def _inline_plain(children: list[Token]) -> str:
    parts: list[str] = []
    href = ""
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append("".join(c.content for c in child.children or []))
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
        elif child.type == "link_close" and href:
            parts.append(f" ({href.removeprefix('mailto:')})")
            href = ""
    return "".join(parts)
