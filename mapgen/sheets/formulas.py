"""Spreadsheet formula injection: text that Excel, LibreOffice or Sheets would run as a formula.

A cell whose text starts with `=`, `+`, `-` or `@` (also after spaces or no-break spaces, which
spreadsheets skip, and in full-width forms), or with a tab or carriage return, is written with a
leading apostrophe: spreadsheets show the text and never evaluate it. Import removes the apostrophe
again, so a round trip keeps the text.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""Characters that start a formula once leading blanks are skipped (ASCII and full-width)."""
BLANKS = " \u00a0\u2007\u202f\u3000"
"""Leading characters spreadsheets skip before deciding a cell is a formula."""
CONTROL_STARTS = ("\t", "\r", "\n")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (or a DDE command)."""
    return text.startswith(CONTROL_STARTS) or text.lstrip(BLANKS).startswith(TRIGGERS)


def neutralise(text: str) -> str:
    """`text` with a leading apostrophe when a spreadsheet could run it."""
    return "'" + text if is_formula_like(text) else text


def restore(text: str) -> str:
    """The text export neutralised, apostrophe removed; other text unchanged."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text
