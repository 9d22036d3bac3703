"""Print column widths: what each table keeps for its text columns, whatever the others measure."""

from __future__ import annotations

import pytest

from mapgen.print_columns import TEXT_MIN_MM, _fit

WIDTH = 174.0


def _text_width(widths: tuple[float | None, ...]) -> float:
    return WIDTH - sum(w for w in widths if w is not None)


def test_widths_that_fit_are_kept() -> None:
    assert _fit((8.0, None, 24.0, (31.0, 20.0), 20.0), WIDTH, 0.4) == (8.0, None, 24.0, 31.0, 20.0)


def test_columns_with_slack_give_way_to_the_text_column() -> None:
    """German headers once took 169 of 174 mm: the metric name was set a letter a line."""
    widths = _fit(
        (None, (25.2, 13.0), (25.2, 13.0), (25.2, 13.0), (34.8, 18.0), (20.9, 18.0), 37.9), WIDTH, 0.3
    )
    assert _text_width(widths) == pytest.approx(WIDTH * 0.3)
    assert widths[-1] == 37.9
    assert all(w is None or w >= 13.0 for w in widths)


def test_names_and_dates_shrink_only_to_leave_the_least_text_width() -> None:
    assert _fit((None, 80.0, 80.0), WIDTH, 0.3) == (None, 80.0, 80.0)
    widths = _fit((None, 85.0, 85.0), WIDTH, 0.3)
    assert _text_width(widths) == pytest.approx(TEXT_MIN_MM)
    assert widths[1] == widths[2]


def test_a_matrix_of_many_phases_gets_no_negative_width() -> None:
    widths = _fit((40.0, 15.0, *([None] * 24), 12.0), WIDTH, 0.0)
    assert all(w is None or w > 0 for w in widths)
    assert widths[0] == 40.0
