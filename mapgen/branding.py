"""The seller's brand carried by a theme or the user's config, so deal folders need no copies.

A theme's `theme.yaml` may hold a `seller:` block (name, website, logo), and so may
`$MAPGEN_HOME/seller.yaml` (default ~/.config/mapgen/seller.yaml). `mapgen new` fills a template's
seller from it; when rendering, a plan without a seller logo gets the brand's logo. The theme's
brand wins over the user's (a team theme is the more specific choice). A brand logo is read only
from the folder that declares it, checked like a plan's logo, so assets still come only from the
plan's folder, the theme or the user's own mapgen folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from mapgen.errors import InvalidInput, Problem, UsageError
from mapgen.spec import URL_PATTERN, Line

if TYPE_CHECKING:
    from mapgen.themes import Theme

BRAND_FILE = "seller.yaml"


class SellerDefaults(BaseModel):
    """The `seller:` block of a theme.yaml, or the whole of $MAPGEN_HOME/seller.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Line | None = None
    """The seller's organisation name, written into new plans."""
    website: Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=500)] | None = None
    """https:// or http:// address, written into new plans."""
    logo: Annotated[str, StringConstraints(max_length=300)] | None = None
    """PNG, JPEG or SVG file relative to the file that names it; used by plans without a seller logo."""


@dataclass(frozen=True, slots=True)
class Brand:
    """Resolved seller defaults: the logo is a checked file path."""

    name: str | None = None
    website: str | None = None
    logo: Path | None = None


def resolve(defaults: SellerDefaults, folder: Path, source: Path) -> Brand:
    """Check the brand's logo inside `folder` with the plan-logo checks (confinement, format from the
    bytes, size, SVG sanitising); `source` (the file naming it) and its line are named in errors."""
    from mapgen.rules import check_asset

    logo = None
    if defaults.logo is not None:
        problem = check_asset(defaults.logo, folder)
        if problem:
            message = problem.replace("plan's folder", "folder of " + source.name)
            raise InvalidInput([Problem(message, "seller.logo", str(source), _logo_line(source))])
        logo = (folder / defaults.logo).resolve()
    return Brand(defaults.name, defaults.website, logo)


def _logo_line(source: Path) -> int | None:
    """The line of the logo field in `source` (a theme's `seller.logo`, the brand file's `logo`)."""
    from mapgen.source import read_plan_data

    try:
        lines = read_plan_data(source)[1]
    except InvalidInput:
        return None
    return lines.get("logo" if source.name == BRAND_FILE else "seller.logo")


def still_valid(logo: Path) -> bool:
    """Whether a resolved brand logo still passes the checks when a renderer reads it (the file may
    have been replaced since the theme was loaded: `mapgen serve` renders long after)."""
    from mapgen.rules import check_asset

    return check_asset(logo.name, logo.parent) is None


def user_brand() -> Brand | None:
    """The brand in $MAPGEN_HOME/seller.yaml, or None when there is none."""
    from mapgen.resources import read_folder_file, user_home

    home = user_home()
    if not (home / BRAND_FILE).is_file():
        return None
    try:
        defaults = read_folder_file(home, BRAND_FILE, SellerDefaults, "mapgen home")
    except UsageError:
        return None
    return resolve(defaults, home, home / BRAND_FILE)


def brand_for(theme: Theme | None) -> Brand | None:
    """The seller brand of `theme`, else of the user's config; None when neither has one."""
    if theme is not None and theme.seller is not None:
        return theme.seller
    return user_brand()
