"""The theme in Word's units: lengths, font families for Word's font slots, colours and the
`Look` the styles part is built from (mapgen/renderers/docx_xml_styles.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.shared import Inches, Length, Mm, Pt

from mapgen.errors import UsageError
from mapgen.renderers.docx_xml_styles import Look

if TYPE_CHECKING:
    from mapgen.themes import Tokens


def length(token: str) -> Length:
    """A theme length (10pt, 18mm, 0.75in, 1.5cm, 12px) in python-docx units."""
    for unit, convert in (
        ("pt", Pt),
        ("mm", Mm),
        ("cm", lambda v: Mm(v * 10)),
        ("in", Inches),
        ("px", lambda v: Pt(v * 0.75)),
    ):
        if token.endswith(unit):
            return Length(int(convert(float(token[: -len(unit)]))))
    raise UsageError(f"unknown length '{token}'")


def first_family(stack: str) -> str:
    """The first family of a CSS font stack: Word takes one name."""
    return stack.split(",")[0].strip().strip("'\"")


def east_asian_family(stack: str) -> str:
    """The stack's CJK family (Word's separate East Asian font slot), else its first family."""
    families = [f.strip().strip("'\"") for f in stack.split(",")]
    return next((f for f in families if "CJK" in f), families[0])


def hex6(colour: str) -> str:
    return colour.lstrip("#").upper()


def tint(colour: str, amount: float) -> str:
    """`colour` mixed with white: amount 0.15 keeps 15% of the colour, for readable cell shading."""
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * amount):02X}" for c in rgb)


def half_points(token: str) -> int:
    return round(length(token).pt * 2)


def look_of(tokens: Tokens, language: str, text_width: int, *, compact: bool = False) -> Look:
    """Word units for the theme; a compact (one-page) layout gets a title smaller than Heading 1."""
    c, f, s = tokens.colors, tokens.fonts, tokens.sizes
    return Look(
        body_font=first_family(f.body),
        heading_font=first_family(f.heading),
        mono_font=first_family(f.mono),
        east_asian_font=east_asian_family(f.body),
        language=language,
        text=hex6(c.text),
        muted=hex6(c.muted),
        primary=hex6(c.primary),
        on_primary=hex6(c.on_primary),
        accent=hex6(c.accent),
        surface=hex6(c.surface),
        border=hex6(c.border),
        base=half_points(s.base),
        small=half_points(s.small),
        h1=half_points(s.h1),
        h2=half_points(s.h2),
        h3=half_points(s.h3),
        title=round(half_points(s.h1) * 0.85) if compact else round(half_points(s.h1) * 1.35),
        text_width=text_width,
        compact=compact,
    )
