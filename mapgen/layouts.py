"""Layouts: a folder with a layout.yaml naming the sections in order, and Jinja2 templates.

A layout may extend another: its templates are searched first and the parent's fill in the rest,
so a user layout can override a single section. The Jinja2 environment autoescapes everything and
makes an undefined variable an error. DOCX follows the same section list without templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from mapgen.errors import InvalidInput, Problem, UsageError
from mapgen.resources import extends_chain

if TYPE_CHECKING:
    import jinja2

SECTIONS = (
    "cover",
    "summary",
    "objectives",
    "timeline",
    "actions",
    "responsibilities",
    "stakeholders",
    "metrics",
    "signoff",
    "progress",
    "next_milestones",
    "next_actions",
    "key_dates",
    "changes",
)
"""Every section name a layout may list; renderers know how to draw each of them."""

SectionName = Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]


class LayoutFile(BaseModel):
    """The contents of one layout.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    extends: str | None = None
    sections: list[SectionName] | None = None
    """Sections in order; inherited from the parent layout when absent."""


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    sections: tuple[str, ...]
    dirs: tuple[Path, ...]
    """This layout's folder first, then its ancestors': the template search path."""

    @cached_property
    def environment(self) -> jinja2.Environment:
        """Jinja2 environment over the layout chain: autoescape on, undefined is an error."""
        import jinja2

        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def has_template(self, name: str) -> bool:
        return any((folder / name).is_file() for folder in self.dirs)


def load_layout(name_or_path: str) -> Layout:
    """Find a layout by name (user folder first) or path and resolve `extends`."""
    chain = extends_chain("layouts", name_or_path, "layout.yaml", LayoutFile)
    sections = next((f.sections for _, f in chain if f.sections is not None), None)
    if not sections:
        raise UsageError(f"layout {chain[0][0]} lists no sections")
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise InvalidInput(
            [
                Problem(
                    f"unknown section '{s}'; known: {', '.join(SECTIONS)}",
                    "sections",
                    str(chain[0][0] / "layout.yaml"),
                )
                for s in unknown
            ]
        )
    return Layout(
        name=chain[0][0].name,
        description=chain[0][1].description,
        sections=tuple(sections),
        dirs=tuple(folder for folder, _ in chain),
    )
