"""The one Markdown renderer: hostile input comes out as inert text, safe links stay links."""

from __future__ import annotations

import pytest

from mapgen.markdown import is_safe_link, to_html, to_plain

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_raw_html_is_shown_as_text(source: str) -> None:
    html = to_html(source)
    assert "<" + source[1:4] not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
    ],
)
def test_unsafe_link_schemes_are_not_links(link: str) -> None:
    html = to_html(f"[click]({link}) and <{link}>")
    assert "href" not in html
    assert not is_safe_link(link)


@pytest.mark.parametrize(
    "link", ["https://ok.example/a?b=1", "http://ok.example", "mailto:jane@acme.example"]
)
def test_safe_links_stay_links_without_referrer(link: str) -> None:
    html = to_html(f"[ok]({link})")
    assert f'href="{link}"' in html.replace("&amp;", "&")
    assert 'rel="noopener noreferrer"' in html


def test_images_become_their_alt_text() -> None:
    html = to_html("![quarterly chart](https://evil.example/pixel.png) ![](https://evil.example/2.png)")
    assert "<img" not in html
    assert "evil.example" not in html
    assert "quarterly chart" in html


def test_image_alt_text_is_escaped() -> None:
    html = to_html("![<script>alert(1)</script>](https://evil.example/p.png)")
    assert "<script" not in html


def test_link_text_and_titles_are_escaped() -> None:
    html = to_html('[<b>x</b>](https://ok.example "t\\"onmouseover=alert(1)")')
    assert "<b>" not in html
    assert 'title="t&quot;onmouseover=alert(1)"' in html


def test_ordinary_markdown_renders() -> None:
    html = to_html("**bold**, *em*, ~~gone~~\n\n- one\n- two\n\n`code`")
    for fragment in (
        "<strong>bold</strong>",
        "<em>em</em>",
        "<s>gone</s>",
        "<li>one</li>",
        "<code>code</code>",
    ):
        assert fragment in html


def test_plain_text_keeps_link_targets() -> None:
    assert to_plain("See [docs](https://ok.example) and [mail](mailto:a@b.example)") == (
        "See docs (https://ok.example) and mail (a@b.example)"
    )
    assert to_plain("[bad](javascript:alert(1))") == "[bad](javascript:alert(1))"
