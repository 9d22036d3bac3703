"""WOFF2 subsets of a theme's fonts, for embedding in a self-contained HTML page.

A full font is 250-600 KB; the subset (Latin, Latin-1, Latin Extended-A, punctuation and
currency signs) is about a tenth of that, and other scripts fall back to the reader's fonts.
Subsetting takes most of a second per face, so built-in themes ship the subsets (made by
`scripts/webfonts`, listed as `web:` in theme.yaml) and only a theme without them pays it, once
per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

EMBEDDED_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x2010, 0x2027),
    (0x2030, 0x203A),
    (0x20A0, 0x20BF),
    (0x2212, 0x2212),
)
LAYOUT_FEATURES = ["kern", "liga", "calt", "tnum", "case", "ccmp", "mark", "mkmk"]


def woff2_subset(path: Path) -> bytes:
    """The subset of one font file as WOFF2; deterministic (no timestamp is recalculated).

    Cached by path, size and modification time, so a theme font replaced under a running
    `mapgen serve` is subset again."""
    stat = path.stat()
    return _subset(path, stat.st_size, stat.st_mtime_ns)


SUBSET_CONFIG = {"fontTools.ttLib.tables.otBase:USE_HARFBUZZ_REPACKER": False}
"""fontTools writes layout tables with HarfBuzz's repacker when uharfbuzz is installed (pyHanko's
OpenType support brings it) and with its own otherwise, byte for byte different: always its own,
so the subsets do not depend on what else is installed."""


@lru_cache(maxsize=32)
def _subset(path: Path, _size: int, _mtime_ns: int) -> bytes:
    font = subset_font(path, EMBEDDED_RANGES, flavor="woff2")
    font.flavor = "woff2"
    buffer = BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def subset_font(path: Path, ranges: Sequence[tuple[int, int]], **options: Any) -> Any:
    """The font at `path` cut to the code points of `ranges` and LAYOUT_FEATURES, as a fontTools
    TTFont (for the web's WOFF2 and Word's TrueType); `options` set other subsetter options."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    settings = subset.Options()
    settings.layout_features = LAYOUT_FEATURES
    for name, value in options.items():
        setattr(settings, name, value)
    font = TTFont(str(path), recalcTimestamp=False, cfg=SUBSET_CONFIG)
    subsetter = subset.Subsetter(settings)
    subsetter.populate(unicodes=[c for low, high in ranges for c in range(low, high + 1)])
    subsetter.subset(font)
    return font
