"""Pin the language fontconfig matches fonts for, before WeasyPrint loads fontconfig.

Fontconfig takes its default language from FC_LANG, else LC_ALL, LC_CTYPE or LANG, and prefers fonts
that cover that language when it picks a fallback: the same plan's PDF was 655,060 bytes under
`LC_ALL=ja_JP.UTF-8` and 536,001 under `LC_ALL=C` (other glyphs, other embedded fonts). The pages
say which language their text is in (`<html lang>`), so the machine's locale has no say: the default
is pinned to what fontconfig uses under the C locale. Imported by the PDF renderer first thing.
"""

from __future__ import annotations

import os

FONT_LANGUAGE = "en"
"""Fontconfig's own default when no locale is set."""

os.environ["FC_LANG"] = FONT_LANGUAGE
