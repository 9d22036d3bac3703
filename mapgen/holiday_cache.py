"""Public holidays per country, subdivision and year, computed once by the `holidays` library and
kept in a small JSON file per year in the user's cache.

Importing `holidays` loads every country it knows (about a tenth of a second) and computing a year
takes as long again; a plan counts business days on every load. The cache is keyed by the library's
version, so an upgrade recomputes; a cache that cannot be written (read-only home) only costs time.
Each year's file holds the holidays that fall in that year, whichever year's rules produced them
(an observed New Year's Day can fall on 31 December), so lookups do not depend on query order.
The user's cache folder (`cache_root`) and the one safe way to write a file into it (`store_file`)
live here, the lightest module on the start path; the validator and render caches use them too.
"""

from __future__ import annotations

import contextlib
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
    store_file(path, json.dumps(data, ensure_ascii=False, indent=0).encode("utf-8"))


def store_file(path: Path, data: bytes) -> None:
    """Write a cache file atomically (a concurrent run reads the old file or the new one, never
    half of one), at most 0o644 whatever the umask; a cache that cannot be written is skipped."""
    import threading

    # Unique per process and thread: two first runs at once each write their own file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)  # left by a killed run: a new file gets the mode below
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb") as file:
            file.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
