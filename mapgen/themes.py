"""Themes: a folder with validated design tokens, CSS and bundled fonts; a theme can extend another.

`theme.yaml` holds the description, an optional `extends`, the tokens (colours, status colours,
fonts, sizes, page, logo placement), the font files and the CSS files. A child's tokens are merged
over its parent's, its CSS comes after its parent's, and its files hide its parent's files of the
same name, so a user copies only what they change. The same tokens drive HTML, email, PDF and DOCX.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from mapgen.branding import Brand, SellerDefaults
from mapgen.branding import resolve as resolve_brand
from mapgen.errors import InvalidInput, Problem, UsageError
from mapgen.resources import extends_chain, located_problems

Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Length = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)?(pt|mm|cm|in|px)$")]
FontStack = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 ,'\"-]+$", max_length=200)]


class _Tokens(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Colours(_Tokens):
    primary: Colour
    """Brand colour: headings, rules, the timeline."""
    on_primary: Colour
    """Text on the primary colour."""
    accent: Colour
    """Highlights: milestones, links, the as-of marker."""
    text: Colour
    muted: Colour
    """Secondary text."""
    background: Colour
    surface: Colour
    """Table stripes, cards."""
    border: Colour


class StatusColours(_Tokens):
    """One colour per derived state; every format also shows the state as text."""

    done: Colour
    on_track: Colour
    due_soon: Colour
    overdue: Colour
    stalled: Colour
    blocked: Colour


FontName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 -]+$", max_length=60)]


class Fonts(_Tokens):
    body: FontStack
    heading: FontStack
    mono: FontStack


class Office(_Tokens):
    """What Word and LibreOffice need beyond the CSS tokens."""

    fallbacks: dict[FontName, FontName] = {}
    """The font a reader without a family sees instead, chosen for close metrics (`Inter: Arial`).
    The DOCX names it in its font table beside the embedded theme font."""


class Sizes(_Tokens):
    base: Length
    small: Length
    h1: Length
    h2: Length
    h3: Length


class Page(_Tokens):
    size: Literal["A4", "Letter"] | None = None
    """A4 or Letter; when left out, each plan prints on its locale's paper (see `page_size_for`)."""
    margin: Length


class Logo(_Tokens):
    placement: Literal["left", "right", "center"]
    height: Length


class Tokens(_Tokens):
    colors: Colours
    status: StatusColours
    fonts: Fonts
    sizes: Sizes
    page: Page
    logo: Logo
    office: Office = Office()


class FontFile(_Tokens):
    family: FontStack
    file: str
    weight: Literal[100, 200, 300, 400, 500, 600, 700, 800, 900] = 400
    style: Literal["normal", "italic"] = "normal"
    web: str | None = None
    """A WOFF2 subset of `file` for HTML pages (scripts/webfonts makes it); made on the fly if absent."""


class ThemeFile(BaseModel):
    """The contents of one theme.yaml; tokens may be partial when the theme extends another."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    extends: str | None = None
    tokens: dict[str, Any] = {}
    fonts: list[FontFile] = []
    css: list[str] = []
    seller: SellerDefaults | None = None
    """The seller's brand (name, website, logo) for plans rendered with this theme."""


@dataclass(frozen=True, slots=True)
class BundledFont:
    family: str
    path: Path
    weight: int
    style: str
    web: Path | None = None

    @property
    def format(self) -> str:
        return {".otf": "opentype", ".ttf": "truetype", ".woff2": "woff2", ".woff": "woff"}.get(
            self.path.suffix.lower(), "truetype"
        )


@dataclass(frozen=True, slots=True)
class Theme:
    """A resolved theme: merged tokens, CSS in cascade order, fonts, and the folders it came from."""

    name: str
    description: str
    tokens: Tokens
    css: str
    fonts: tuple[BundledFont, ...]
    dirs: tuple[Path, ...]
    """This theme's folder first, then its ancestors': where its assets may come from."""
    page_size_set: bool = True
    """False when no theme in the chain names a page size: then the plan's locale decides."""
    seller: Brand | None = None
    """The seller's brand from the nearest theme in the chain that declares one."""

    def for_locale(self, locale: str) -> Theme:
        """This theme on the paper of `locale` (Letter in the Americas' Letter countries, A4
        elsewhere), unless the theme names a page size itself."""
        size = page_size_for(locale)
        if self.page_size_set or size == self.tokens.page.size:
            return self
        page = self.tokens.page.model_copy(update={"size": size})
        return dataclasses.replace(self, tokens=self.tokens.model_copy(update={"page": page}))

    def asset(self, relative: str) -> Path:
        """A file of the theme (child first), refused if it resolves outside the theme folders."""
        for folder in self.dirs:
            candidate = (folder / relative).resolve()
            if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
                return candidate
        raise UsageError(f"theme '{self.name}' has no file {relative}")


def load_theme(name_or_path: str) -> Theme:
    """Find a theme by name (user folder first) or path, resolve `extends`, validate tokens."""
    chain = extends_chain("themes", name_or_path, "theme.yaml", ThemeFile)

    merged: dict[str, Any] = {}
    for _, theme_file in reversed(chain):
        merged = _deep_merge(merged, theme_file.tokens)
    try:
        tokens = Tokens.model_validate(merged)
    except ValidationError as exc:
        files = [folder / "theme.yaml" for folder, _ in chain]
        problems = located_problems(exc, merged, Tokens, files, prefix="tokens")
        raise InvalidInput([_with_hint(p) for p in problems]) from None

    page_size_set = tokens.page.size is not None
    if not page_size_set:
        tokens = tokens.model_copy(update={"page": tokens.page.model_copy(update={"size": "A4"})})
    dirs = tuple(folder for folder, _ in chain)
    css_parts: list[str] = []
    fonts: dict[tuple[str, int, str], BundledFont] = {}
    for folder, theme_file in reversed(chain):
        for css in theme_file.css:
            css_parts.append(_confined(folder, css).read_text(encoding="utf-8"))
        for font in theme_file.fonts:
            web = _confined(folder, font.web) if font.web else None
            fonts[(font.family, font.weight, font.style)] = BundledFont(
                font.family, _confined(folder, font.file), font.weight, font.style, web
            )
    return Theme(
        name=chain[0][0].name,
        description=chain[0][1].description,
        tokens=tokens,
        css="\n".join(css_parts),
        fonts=tuple(fonts.values()),
        dirs=dirs,
        page_size_set=page_size_set,
        seller=next(
            (resolve_brand(f.seller, d, d / "theme.yaml") for d, f in chain if f.seller is not None), None
        ),
    )


_HINTS = {
    "^#[0-9a-fA-F]{6}$": "a colour is written #rrggbb, such as #1f3a93",
    r"^\d+(\.\d+)?(pt|mm|cm|in|px)$": "a length is a number and a unit (pt, mm, cm, in or px), such as 10pt",
    "^[A-Za-z0-9 ,'\"-]+$": "a font stack is family names separated by commas, such as Inter, sans-serif",
}


def _with_hint(problem: Problem) -> Problem:
    """Theme patterns in words: a regular expression is no help to whoever edits theme.yaml."""
    if problem.path.startswith("tokens.logo.") and problem.message.startswith("unknown field"):
        message = (
            problem.message + "; the seller's logo file goes in the theme's seller: block (docs/themes.md)"
        )
        return Problem(message, problem.path, problem.file, problem.line, problem.severity)
    for pattern, hint in _HINTS.items():
        if pattern in problem.message:
            got = problem.message.rpartition(" (got ")[2].rstrip(")") if " (got " in problem.message else ""
            message = f"{hint}" + (f" (got {got})" if got else "")
            return Problem(message, problem.path, problem.file, problem.line, problem.severity)
    return problem


LETTER_REGIONS = frozenset(
    {"US", "CA", "MX", "PR", "PH", "CL", "CO", "VE", "CR", "GT", "PA", "DO", "SV", "NI", "HN", "BZ"}
)
"""Countries whose offices print on US Letter; everywhere else uses A4 (ISO 216)."""


def page_size_for(locale: str) -> Literal["A4", "Letter"]:
    """The paper a plan in `locale` prints on: `en-US`, `en-CA`, `fr-CA`, `es-US`, `es-MX` -> Letter."""
    region = next((part for part in reversed(locale.split("-")) if len(part) == 2 and part.isupper()), "")
    return "Letter" if region in LETTER_REGIONS else "A4"


def _confined(folder: Path, relative: str) -> Path:
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder.resolve()) or not target.is_file():
        raise UsageError(f"theme file not found inside {folder}: {relative}")
    return target


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
