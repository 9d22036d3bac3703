"""The WOFF2 subsets shipped with the built-in themes are what the subsetter makes today."""

from __future__ import annotations

import pytest

from mapgen.themes import load_theme
from mapgen.webfonts import woff2_subset

FONTS = [font for name in ("default", "executive") for font in load_theme(name).fonts]


@pytest.mark.parametrize("font", FONTS, ids=[f.path.name for f in FONTS])
def test_shipped_subset_is_up_to_date(font) -> None:  # type: ignore[no-untyped-def]
    assert font.web is not None, f"{font.path.name}: add `web:` to theme.yaml and run scripts/webfonts"
    assert font.web.read_bytes() == woff2_subset(font.path), "run scripts/webfonts and commit the result"
