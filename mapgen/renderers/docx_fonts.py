"""Which fonts a DOCX names and embeds: the theme's families, their fallbacks and their faces.

Word takes one family per slot, so each CSS stack gives its first family; the theme's
`office.fallbacks` names the font a reader without it should see instead (one with close metrics,
so a one-page layout stays one page), and the theme's bundled OFL files are embedded as TrueType
subsets (mapgen.wordfonts) so Word and LibreOffice lay the text out with the real font.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from mapgen.renderers.docx_xml_fonts import FontEntry
from mapgen.wordfonts import word_font

if TYPE_CHECKING:
    from mapgen.themes import BundledFont, Theme

GENERIC = {"serif": "roman", "monospace": "modern", "sans-serif": "swiss"}


def families(stack: str) -> list[str]:
    return [f.strip().strip("'\"") for f in stack.split(",") if f.strip()]


def generic_of(stack: str) -> str:
    """Word's generic family for a CSS stack, from its generic keyword (sans-serif when none)."""
    return next((GENERIC[f] for f in reversed(families(stack)) if f in GENERIC), "swiss")


def face_of(font: BundledFont) -> str | None:
    """Word's embedding slot for a face: regular, bold, italic or bold italic; other weights none."""
    weight = {400: "", 700: "Bold"}.get(font.weight)
    if weight is None:
        return None
    italic = "Italic" if font.style == "italic" else ""
    return (weight + italic) or "Regular"


def font_entries(theme: Theme, slots: dict[str, str]) -> list[FontEntry]:
    """One entry per family Word uses (`slots`: family -> the CSS stack it came from), in order."""
    fallbacks = theme.tokens.office.fallbacks
    entries = []
    for family, stack in slots.items():
        faces: dict[str, bytes] = {}
        for font in theme.fonts:
            face = face_of(font)
            if font.family == family and face and face not in faces:
                faces[face] = word_font(font.path)
        panose = _panose(faces["Regular"]) if "Regular" in faces else None
        entries.append(FontEntry(family, fallbacks.get(family), generic_of(stack), panose, faces))
    return entries


def _panose(data: bytes) -> str:
    from fontTools.ttLib import TTFont

    p = TTFont(BytesIO(data), lazy=True)["OS/2"].panose
    fields = (
        "bFamilyType",
        "bSerifStyle",
        "bWeight",
        "bProportion",
        "bContrast",
        "bStrokeVariation",
        "bArmStyle",
        "bLetterForm",
        "bMidline",
        "bXHeight",
    )
    return "".join(f"{getattr(p, name):02X}" for name in fields)
