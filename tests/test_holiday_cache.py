"""The holiday cache is read once per country, subdivision and year in a process, however many
days a plan checks (business-day arithmetic asks about every day it steps over)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from mapgen import holiday_cache
from mapgen.dates import BusinessCalendar


@pytest.fixture
def reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Names of the cache files read (and years computed) while the test runs, in a fresh cache."""
    monkeypatch.setenv("MAPGEN_CACHE", str(tmp_path))
    counted: Counter[str] = Counter()
    read_text = Path.read_text
    compute = holiday_cache._compute

    def counting_read(path: Path, *args: object, **kwargs: object) -> str:
        if path.is_relative_to(tmp_path):
            counted[path.name] += 1
        return read_text(path, *args, **kwargs)  # type: ignore[arg-type]

    def counting_compute(country: str, subdivision: str | None, year: int) -> dict[date, str]:
        counted[f"computed {country}-{subdivision}-{year}"] += 1
        return compute(country, subdivision, year)

    monkeypatch.setattr(Path, "read_text", counting_read)
    monkeypatch.setattr(holiday_cache, "_compute", counting_compute)
    holiday_cache.holidays_in.cache_clear()
    yield counted
    holiday_cache.holidays_in.cache_clear()


def every_day(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def test_a_year_of_days_reads_each_year_file_once(reads: Counter[str]) -> None:
    calendar = BusinessCalendar("US", "NY")
    assert sum(calendar.is_business_day(day) for day in every_day(2027)) == 247
    assert calendar.add_business_days(date(2027, 12, 20), 10) == date(2028, 1, 5)
    assert calendar.add_business_days(date(2028, 1, 5), -10) == date(2027, 12, 20)
    assert reads == {
        "US-NY-2027.json": 1,
        "computed US-NY-2027": 1,
        "US-NY-2028.json": 1,
        "computed US-NY-2028": 1,
    }


def test_a_stored_year_is_read_once_then_served_from_memory(reads: Counter[str]) -> None:
    BusinessCalendar("DE", "BY").holiday(date(2027, 1, 6))  # computes and stores 2027
    holiday_cache.holidays_in.cache_clear()  # as a new process would start
    reads.clear()
    for _ in range(3):  # three plans in one process, each checking every day
        calendar = BusinessCalendar("DE", "BY")
        assert [d for d in every_day(2027) if calendar.holiday(d)][:2] == [date(2027, 1, 1), date(2027, 1, 6)]
    assert BusinessCalendar("DE").holiday(date(2027, 1, 6)) is None, "another subdivision, another file"
    assert reads == {"DE-BY-2027.json": 1, "DE-2027.json": 1, "computed DE-None-2027": 1}
