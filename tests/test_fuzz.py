"""No input makes the loader raise anything but its own InvalidInput (property-based)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapgen.errors import InvalidInput
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
