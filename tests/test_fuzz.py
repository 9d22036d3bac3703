"""No input makes the loader raise anything but its own InvalidInput (property-based)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapgen.errors import InvalidInput, Severity
from mapgen.load import load_data, load_plan
from tests.conftest import SAMPLES_DIR

BASE = yaml.safe_load((SAMPLES_DIR / "northwind-acme" / "plan.yaml").read_text(encoding="utf-8"))
FOLDER = SAMPLES_DIR / "northwind-acme"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
    st.sampled_from(["2027-02-30", "target_close - 3bd", "x + 1w", "../../etc/passwd", "jane", "done", ""]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


ALL_PATHS = [p for p in _paths(BASE) if p]


def _replace(data: object, path: tuple, value: object) -> object:
    copy = json.loads(json.dumps(data, default=str))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(ALL_PATHS), value=values)
def test_mutated_plan_loads_or_raises_invalid_input(path: tuple, value: object) -> None:
    with contextlib.suppress(InvalidInput):
        load_data(_replace(BASE, path, value), FOLDER)


@settings(max_examples=200, deadline=None)
@given(data=values)
def test_arbitrary_data_is_rejected_cleanly(data: object) -> None:
    with contextlib.suppress(InvalidInput):
        load_data(data, FOLDER)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_arbitrary_file_text_is_rejected_cleanly(tmp_path: Path, text: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8", errors="surrogateescape")
    with contextlib.suppress(InvalidInput):
        load_plan(plan)


def test_deeply_nested_yaml_is_rejected_cleanly(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("a: " + "[" * 5000 + "]" * 5000, encoding="utf-8")
    with contextlib.suppress(InvalidInput):
        load_plan(plan)


def test_nesting_that_would_crash_the_yaml_composer_is_refused(tmp_path: Path) -> None:
    """libyaml composes recursively in C: 100,000 levels used to kill the process (and mapgen serve).
    Newer libyaml builds refuse such depth themselves; either way it is a clean error."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("mapgen: 1\nsummary: " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InvalidInput, match="nesting"):
        load_plan(plan)


def test_alias_bombs_are_refused_before_they_expand(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    plan = tmp_path / "plan.yaml"
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="expands to more than"):
        load_plan(plan)


def _leaves(node: object, prefix: tuple = ()) -> list[tuple[tuple, object]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*prefix, key))]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in _leaves(value, (*prefix, i))]
    return [(prefix, node)]


NUMBER_PATHS = [p for p, v in _leaves(BASE) if isinstance(v, int | float) and not isinstance(v, bool)]
DATE_PATHS = [p for p, v in _leaves(BASE) if isinstance(v, str) and v[:4].isdigit() and v[4:5] == "-"]
DATE_PATHS += [p for p, v in _leaves(BASE) if hasattr(v, "isoformat")]


def _refused(data: object) -> list[str]:
    """The errors found in `data`: it must be refused, and only with problems (never an exception)."""
    try:
        _, problems = load_data(data, FOLDER)
    except InvalidInput as exc:
        problems = exc.problems
    errors = [str(p) for p in problems if p.severity is Severity.ERROR]
    assert errors, "accepted"
    return errors


def test_every_number_and_date_field_is_covered() -> None:
    """New numeric or date fields in the sample are picked up by the tests below automatically."""
    assert {p[-1] for p in NUMBER_PATHS} >= {"revision", "amount", "baseline", "target", "probability"}
    assert {p[-1] for p in DATE_PATHS} >= {"updated", "target_close", "due", "measure_by"}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 1e300, 10**25])
@pytest.mark.parametrize("path", NUMBER_PATHS, ids=lambda p: ".".join(map(str, p)))
def test_no_number_field_accepts_nan_infinity_or_huge_values(path: tuple, value: float) -> None:
    assert _refused(_replace(BASE, path, value))


@pytest.mark.parametrize(
    "value", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "target_close + 9999w", "start - 9999w"]
)
@pytest.mark.parametrize("path", DATE_PATHS, ids=lambda p: ".".join(map(str, p)))
def test_no_date_field_reaches_outside_the_date_range(path: tuple, value: str) -> None:
    data = _replace(BASE, path, value)
    if path[-1] == "target_close" and " " in value:
        data = _replace(data, path, "2199-12-01")
        data = _replace(data, ("deal", "go_live"), value)
    expected = ("outside the years", "expected a date", "cycle")
    assert any(word in p for p in _refused(data) for word in expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("revision: " + "9" * 5000, "revision: a number with 5,000 digits"),
        ("metric: " + "9" * 4001, "a number with 4,001 digits"),
        ("title: !!binary aGVsbG8=", "title: YAML tag 'tag:yaml.org,2002:binary' is not allowed"),
        ("title: !!set {a: null}", "is not allowed"),
        ("updated: !!timestamp 2027-01-01", "is not allowed"),
    ],
)
def test_hostile_scalars_are_refused_with_path_and_line(tmp_path: Path, text: str, message: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("mapgen: 1\n" + text + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_plan(plan)
    assert any(str(p).startswith(f"{plan}:2: ") and message in str(p) for p in caught.value.problems)


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity", "1" * 5000])
def test_json_refuses_non_numbers_and_huge_numbers(tmp_path: Path, word: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"mapgen": 1, "revision": ' + word + "}", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"is not a number a plan can hold|digits"):
        load_plan(plan)
