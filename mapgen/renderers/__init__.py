"""The renderer registry: one module per format, imported only when that format is asked for.

Lazy imports keep `mapgen render -f ics` or `-f json` from paying for WeasyPrint or python-docx.
To add a format: write a module with a `RENDERER` object (see `base.Renderer`) and add a line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from mapgen.errors import UsageError
from mapgen.renderers.base import Renderer


@dataclass(frozen=True, slots=True)
class FormatInfo:
    name: str
    module: str
    summary: str


FORMATS: tuple[FormatInfo, ...] = (
    FormatInfo(
        "pdf", "mapgen.renderers.pdf", "branded, tagged PDF with sign-off fields; PDF/A-3b on request"
    ),
    FormatInfo(
        "docx", "mapgen.renderers.docx", "editable Word document with real styles, lists, links and fields"
    ),
    FormatInfo(
        "html", "mapgen.renderers.html", "one self-contained, responsive, accessible page; no JavaScript"
    ),
    FormatInfo(
        "email",
        "mapgen.renderers.email",
        "email HTML (full document and fragment, inlined CSS) and plain text",
    ),
    FormatInfo("json", "mapgen.renderers.json", "the normalised plan plus derived status, for integrations"),
    FormatInfo(
        "ics", "mapgen.renderers.ics", "calendar feeds per plan, side and stakeholder, with stable UIDs"
    ),
    FormatInfo("csv", "mapgen.renderers.csv", "the actions as a spreadsheet that mapgen import reads back"),
    FormatInfo(
        "xlsx", "mapgen.renderers.xlsx", "the actions as an Excel workbook: filters, dates, status colours"
    ),
    FormatInfo(
        "digest",
        "mapgen.renderers.digest",
        "per person, an email (HTML, text, .eml) of their stalled, overdue, blocked and due-soon actions",
    ),
    FormatInfo(
        "eml", "mapgen.renderers.eml", "a ready-to-send MIME draft: text and HTML, PDF and calendar attached"
    ),
)


def format_names() -> list[str]:
    return [f.name for f in FORMATS]


def get_renderer(name: str) -> Renderer:
    """The renderer registered under `name`; a UsageError names the known formats otherwise."""
    for info in FORMATS:
        if info.name == name:
            return importlib.import_module(info.module).RENDERER  # type: ignore[no-any-return]
    from mapgen.errors import did_you_mean

    known = ", ".join(format_names())
    raise UsageError(f"unknown format '{name}'{did_you_mean(name, format_names())}; known formats: {known}")
