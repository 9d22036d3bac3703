"""Loader: every invalid fixture's complete error output is snapshotted, and the rules are pinned."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from mapgen.errors import InvalidInput, Severity
from mapgen.limits import Limits
from mapgen.load import load_plan
from tests.conftest import SAMPLE_IDS, SAMPLES, TEMPLATES

INVALID = Path(__file__).parent / "fixtures" / "invalid"
INVALID_FILES = sorted(
    p for p in INVALID.iterdir() if p.suffix in (".yaml", ".json") and p.stem != "warnings"
)


def problems_text(path: Path, strict: bool = False) -> str:
    with pytest.raises(InvalidInput) as caught:
        load_plan(path, strict=strict)
    root = str(INVALID) + "/"
    return "\n".join(str(p).replace(root, "") for p in caught.value.problems) + "\n"


@pytest.mark.parametrize("path", INVALID_FILES, ids=[p.name for p in INVALID_FILES])
def test_invalid_plan_errors(path: Path, snapshot_text) -> None:
    assert problems_text(path) == snapshot_text("txt")


@pytest.mark.parametrize("path", SAMPLES + TEMPLATES, ids=SAMPLE_IDS + [p.stem for p in TEMPLATES])
def test_samples_and_templates_are_valid_without_warnings(path: Path) -> None:
    assert load_plan(path, strict=True).warnings == ()


def test_every_problem_has_file_line_and_path() -> None:
    with pytest.raises(InvalidInput) as caught:
        load_plan(INVALID / "bad-references.yaml")
    for problem in caught.value.problems:
        assert problem.file.endswith("bad-references.yaml")
        assert problem.line is not None
        assert problem.path


def test_warnings_are_not_fatal_unless_strict() -> None:
    loaded = load_plan(INVALID / "warnings.yaml")
    assert [w.severity for w in loaded.warnings] == [Severity.WARNING] * 3
    assert problems_text(INVALID / "warnings.yaml", strict=True).count("warning:") == 3


def test_relative_dates_resolve_in_business_days_around_holidays(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        """mapgen: 1
id: rel
title: Relative
revision: 1
updated: 2026-11-01
timezone: America/New_York
calendar: {country: US, subdivision: NY}
seller: {name: S}
buyer: {name: B}
deal: {name: D, start: target_close - 10bd, target_close: 2027-01-04, go_live: target_close + 2w}
stakeholders: [{id: a, name: A, side: buyer}]
phases:
  - id: p
    name: P
    actions:
      - {id: sign, title: Sign, owner: a, due: target_close, milestone: true}
      - {id: prep, title: Prep, owner: a, due: sign - 1bd}
      - {id: review, title: Review, owner: a, due: prep - 3d}
      - {id: follow, title: Follow, owner: a, due: "2027-01-05 09:30"}
metrics:
  - {id: m, name: M, baseline: 1, target: 2, measure_by: go_live + 1d, owner: a}
""",
        encoding="utf-8",
    )
    resolved = load_plan(plan).plan
    actions = {a.id: a for _, a in resolved.actions()}
    # 2027-01-01 (New Year) and the weekend are skipped going back from Monday 2027-01-04.
    assert str(actions["prep"].due) == "2026-12-31"
    assert str(actions["review"].due) == "2026-12-28"
    # Ten business days back skips Christmas (Fri 2026-12-25) and New Year's Day.
    assert str(resolved.deal.start) == "2026-12-17"
    assert str(resolved.deal.go_live) == "2027-01-18"
    assert str(resolved.metrics[0].measure_by) == "2027-01-19"
    assert actions["follow"].due.isoformat() == "2027-01-05T09:30:00-05:00"


def _minimal() -> str:
    return (INVALID.parents[2] / "samples" / "minimal" / "plan.yaml").read_text(encoding="utf-8")


def test_unknown_subdivision_is_reported_when_business_days_need_it(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    calendar = "calendar: {country: US, subdivision: ZZ}\n"
    plan.write_text(_minimal() + calendar, encoding="utf-8")
    load_plan(plan)
    plan.write_text(
        _minimal().replace("due: 2027-01-22", "due: target_close - 2bd") + calendar, encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match="no public holidays known"):
        load_plan(plan)


def test_unknown_country_is_an_error_when_business_days_need_it(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    text = _minimal().replace("due: 2027-01-22", "due: target_close - 2bd")
    plan.write_text(text + "calendar: {country: QQ}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"no public holidays known .*QQ"):
        load_plan(plan)


def test_symlinked_logo_leaving_the_plan_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "logo.png").symlink_to(outside)
    text = _minimal().replace("  name: Acme Corp", "  name: Acme Corp\n  logo: logo.png")
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match="outside the plan's folder"):
        load_plan(folder / "plan.yaml")


def test_control_characters_are_stripped(tmp_path: Path) -> None:
    text = _minimal()
    plan = tmp_path / "plan.json"
    import json

    import yaml

    data = yaml.safe_load(text)
    data["title"] = "Plan\x00 with\x07 bells\ufffe"
    plan.write_text(json.dumps(data, default=str), encoding="utf-8")
    assert load_plan(plan).plan.title == "Plan with bells"


def test_long_chains_of_relative_dates_and_dependencies_load(tmp_path: Path) -> None:
    """Thousands of chained actions, listed last-first: no recursion limit, no quadratic blow-up."""
    import yaml

    from mapgen.view import build_view

    actions = [{"id": "a0", "title": "A0", "owner": "jane", "due": "start + 1d"}]
    for i in range(1, 3000):
        actions.append(
            {
                "id": f"a{i}",
                "title": f"A{i}",
                "owner": "jane",
                "due": f"a{i - 1} + 1d",
                "depends_on": [f"a{i - 1}"],
            }
        )
    data = yaml.safe_load(_minimal())
    data["deal"]["start"] = "2019-01-01"
    data["phases"] = [{"id": "p", "name": "P", "actions": actions[::-1]}]
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(data), encoding="utf-8")
    loaded = load_plan(plan, limits=Limits(actions=3000)).plan
    last = next(a for _, a in loaded.actions() if a.id == "a2999")
    assert last.due == date(2019, 1, 2) + timedelta(days=2999)
    assert len(build_view(loaded).critical_path) > 2000
