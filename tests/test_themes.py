"""Themes drive the HTML and email through tokens only: CSS variables, fonts, page size, logos."""

from __future__ import annotations

import re
from pathlib import Path

from mapgen.presentation import font_face_css, logo_data_uri, tokens_css
from mapgen.spec import Party
from mapgen.themes import load_theme
from tests.conftest import ROOT, render_sample

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"


def page(theme: str) -> str:
    (artifact,) = render_sample(ENTERPRISE, ["html"], theme=theme).values()
    return artifact.data.decode("utf-8")


def test_tokens_become_css_custom_properties() -> None:
    css = tokens_css(load_theme("default").tokens)
    assert "--color-primary:#1f3a93;" in css
    assert "--status-due-soon:#9a6700;" in css
    assert "--font-heading:Inter," in css
    assert "--size-h1:22pt;" in css


def test_executive_differs_by_tokens_only() -> None:
    default, executive = load_theme("default"), load_theme("executive")
    assert executive.css == default.css, "the executive theme adds no CSS: tokens drive everything"
    html_default, html_executive = page("default"), page("executive")
    assert "--color-primary:#14213d;" in html_executive and "--color-primary:#1f3a93;" in html_default
    assert executive.page_size_set and not default.page_size_set, "default prints on the locale's paper"
    assert "@page { size: Letter;" in html_executive and "@page { size: Letter;" in html_default  # en-US
    assert "cover__brand--right" in html_executive and "cover__brand--left" in html_default
    assert 'font-family:"Noto Serif"' in html_executive and 'font-family:"Noto Serif"' not in html_default


def test_only_fonts_the_tokens_use_are_embedded(tmp_path: Path) -> None:
    css = font_face_css(load_theme("executive"))
    families = set(re.findall(r'font-family:"([^"]+)"', css))
    assert families == {"Noto Sans", "Noto Serif"}, "Inter from the parent theme is not used"
    assert 'format("woff2")' in css
    linked = font_face_css(load_theme("default"), embed=False)
    assert "file://" in linked and "Inter-Regular.otf" in linked


def test_user_theme_extends_a_builtin(tmp_path: Path) -> None:
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "theme.yaml").write_text(
        'extends: default\ntokens:\n  colors:\n    primary: "#7a1f5c"\n', encoding="utf-8"
    )
    (artifact,) = render_sample(ENTERPRISE, ["html"], theme=str(folder)).values()
    html = artifact.data.decode()
    assert "--color-primary:#7a1f5c;" in html
    assert "--color-accent:#0e7c86;" in html, "other tokens inherited"


def test_logos_come_only_from_the_plan_folder(tmp_path: Path) -> None:
    folder = ROOT / "samples" / "northwind-acme"
    assert logo_data_uri(Party(name="A", logo="logos/acme.png"), folder).startswith("data:image/png;base64,")
    assert logo_data_uri(Party(name="A", logo="../minimal/plan.yaml"), folder) is None
    assert logo_data_uri(Party(name="A", logo="/etc/passwd"), folder) is None
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    link = tmp_path / "plan" / "logo.png"
    link.parent.mkdir()
    link.symlink_to(outside)
    assert logo_data_uri(Party(name="A", logo="logo.png"), link.parent) is None
    assert logo_data_uri(Party(name="A"), folder) is None
