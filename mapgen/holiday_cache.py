"""Public holidays per country, subdivision and year, computed once by the `holidays` library and
kept in a small JSON file per year in the user's cache.

Importing `holidays` loads every country it knows (about a tenth of a second) and computing a year
takes as long again; a plan counts business days on every load. The cache is keyed by the library's
version, so an upgrade recomputes; a cache that cannot be written (read-only home) only costs time.
Each year's file holds the holidays that fall in that year, whichever year's rules produced them
(an observed New Year's Day can fall on 31 December), so lookups do not depend on query order.
"""

from __future__ import annotations

import json
import os
from datetime import date
from functools import cache
from pathlib import Path

FORMAT = 1


def cache_root() -> Path:
    """$MAPGEN_CACHE, else $XDG_CACHE_HOME/mapgen, else ~/.cache/mapgen."""
    explicit = os.environ.get("MAPGEN_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mapgen"


@cache
def library_version() -> str:
    """The installed `holidays` version, from its dist-info folder name (no import needed)."""
    from importlib.util import find_spec

    spec = find_spec("holidays")
    if spec is None or spec.origin is None:
        return "missing"
    site = Path(spec.origin).parent.parent
    found = sorted(p.name for p in site.glob("holidays-*.dist-info"))
    return found[-1].removeprefix("holidays-").removesuffix(".dist-info") if found else "unknown"


@cache
def holidays_in(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    """Every public holiday of `country` (and `subdivision`) that falls in `year`, with its name.

    Raises ValueError for a country or subdivision the library does not know.
    """
    region = country + (f"-{subdivision}" if subdivision else "")
    try:
        path = cache_root() / "holidays" / f"v{FORMAT}-{library_version()}" / f"{region}-{year}.json"
    except RuntimeError:  # no home folder (Path.home) and no $MAPGEN_CACHE: compute, keep nothing
        return _compute(country, subdivision, year)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return {date.fromisoformat(day): name for day, name in stored.items()}
    except (OSError, ValueError):
        pass
    computed = _compute(country, subdivision, year)
    _store(path, {day.isoformat(): name for day, name in sorted(computed.items())})
    return computed


def _compute(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    import holidays

    try:
        table = holidays.country_holidays(country, subdiv=subdivision, years=range(year - 1, year + 2))
    except NotImplementedError as exc:
        raise ValueError(
            f"calendar: no public holidays known for this country or subdivision ({exc})"
        ) from None
    return {day: str(name) for day, name in table.items() if day.year == year}


def _store(path: Path, data: dict[str, str]) -> None:
    """Write atomically; a cache that cannot be written is skipped."""
    import secrets  # here, not at the top: only a miss writes, and it costs every start a few ms

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return
