"""TrueType subsets of a theme's fonts, for embedding in a DOCX.

Word embeds only TrueType outlines, and LibreOffice reads what Word writes, so a CFF font (Inter
ships as .otf) is converted to quadratic outlines first. The subset covers the same Latin ranges
as the web fonts plus the few symbols the DOCX draws (milestone diamond, arrows); other scripts
use Word's East Asian font slot or the reader's fallback. Converting takes seconds per face, so
built-in themes ship the result (made by `scripts/wordfonts` into `fonts/word/<stem>.ttf`) and only
a theme without them pays it, once per process.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from mapgen.webfonts import EMBEDDED_RANGES, subset_font

WORD_RANGES = (*EMBEDDED_RANGES, (0x2190, 0x2193), (0x25C6, 0x25C6), (0x2713, 0x2713))
WORD_DIR = "word"
"""Prebuilt subsets live in `<font folder>/word/<stem>.ttf` beside the theme's font files."""


def prebuilt_path(font_path: Path) -> Path:
    return font_path.parent / WORD_DIR / f"{font_path.stem}.ttf"


def word_font(font_path: Path) -> bytes:
    """The TrueType subset to embed for one theme font file: prebuilt when the theme ships it."""
    ready = prebuilt_path(font_path)
    if ready.is_file():
        return ready.read_bytes()
    stat = font_path.stat()
    return _build(font_path, stat.st_size, stat.st_mtime_ns)


def build(font_path: Path) -> bytes:
    """Subset and, for CFF fonts, convert to TrueType outlines; deterministic."""
    font = subset_font(font_path, WORD_RANGES, name_IDs=["*"], notdef_outline=True)
    if "CFF " in font:
        _cff_to_truetype(font)
    buffer = BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=16)
def _build(font_path: Path, _size: int, _mtime_ns: int) -> bytes:
    return build(font_path)


def _cff_to_truetype(font) -> None:  # type: ignore[no-untyped-def]
    """Replace CFF outlines with quadratic glyf outlines (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        width, _lsb = hmtx.metrics[name]
        hmtx.metrics[name] = (width, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].indexToLocFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
