"""How big a plan, a logo and a render may get, in one place (docs/limits.md gives the reasons).

Each limit is checked before memory is spent on what it limits: plan counts on the parsed data
before the models are built, logo size and pixel dimensions from the file's header before any
decoder sees it, the PDF's page count while WeasyPrint lays pages out. The plan limits and the
PDF page budget can be lifted for the rare big plan (`mapgen render --limit actions=5000`); the
logo limits cannot (a bigger logo is never needed).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from mapgen.errors import Problem, UsageError

MAX_LOGO_BYTES = 1_000_000
"""A logo travels into every artifact (base64 in the HTML page and email, the PDF, the DOCX)."""
MAX_LOGO_SIDE = 4096
"""Pixels per side: a decoder allocates width x height x 4 bytes (64 MB at this size)."""
MAX_SVG_ELEMENTS = 5_000
"""Elements in an SVG logo: a logo needs tens; thousands only slow every renderer down."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits a user may lift with `--limit NAME=N`."""

    actions: int = 1_000
    """Actions per plan: a real plan has 20 to 150; a PDF of 1,000 takes about 25 s and 400 MB."""
    stakeholders: int = 200
    """Stakeholders per plan: each gets a calendar feed, and a row in several tables."""
    phases: int = 100
    """Phases per plan: each is a heading, a table and a timeline band."""
    objectives: int = 100
    """Objectives per plan: a plan states a handful."""
    metrics: int = 200
    """Metrics per plan: each is a table row in every format (20,000 took 11 s just to load)."""
    pdf_pages: int = 300
    """Pages of one PDF: layout time grows with pages (5 MB of notes would make thousands)."""

    @classmethod
    def parse(cls, assignments: tuple[str, ...] | list[str]) -> Limits:
        """`["actions=5000", "pdf-pages=800"]` -> Limits; a UsageError names what is wrong."""
        limits = cls()
        names = {f.name.replace("_", "-"): f.name for f in fields(cls)}
        for text in assignments:
            key, sep, value = text.partition("=")
            name = names.get(key.strip().lower().replace("_", "-"))
            if not sep or name is None or not value.strip().isdigit() or int(value) < 1:
                raise UsageError(
                    f"--limit {text!r}: expected NAME=N with N >= 1, NAME one of {', '.join(names)}"
                )
            limits = replace(limits, **{name: int(value)})
        return limits


DEFAULT_LIMITS = Limits()


def lift_hint(name: str, needed: int) -> str:
    """How to lift limit `name` for a run that needs `needed`."""
    return f"lift it with --limit {name.replace('_', '-')}={needed}"


def check_plan_size(data: dict[str, Any], limits: Limits) -> list[Problem]:
    """Count actions, stakeholders, phases, objectives and metrics in the parsed data, before any
    model is built."""
    problems = []
    phases = data.get("phases")
    phases = phases if isinstance(phases, list) else []

    def count(key: str) -> int:
        value = data.get(key)
        return len(value) if isinstance(value, list) else 0

    counts = {
        "phases": ("phases", len(phases)),
        "stakeholders": ("stakeholders", count("stakeholders")),
        "objectives": ("objectives", count("objectives")),
        "metrics": ("metrics", count("metrics")),
        "actions": (
            "phases",
            sum(
                len(p["actions"])
                for p in phases
                if isinstance(p, dict) and isinstance(p.get("actions"), list)
            ),
        ),
    }
    for name, (path, count) in counts.items():
        limit = getattr(limits, name)
        if count > limit:
            problems.append(
                Problem(f"{count:,} {name}, more than the limit of {limit:,}; {lift_hint(name, count)}", path)
            )
    return problems
