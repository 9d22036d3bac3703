"""Built-in templates: valid as written, relative throughout, and instantiated by `mapgen new` into
plans with absolute, correctly back-planned dates and the template's helpful comments."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import holidays
import pytest
import yaml

from mapgen.instantiate import instantiate, template_description
from mapgen.load import load_plan
from mapgen.spec import RelativeDate
from tests.conftest import TEMPLATES

TEMPLATE_IDS = [p.stem for p in TEMPLATES]
NY = holidays.country_holidays("US", subdiv="NY", years=range(2026, 2029))


def _mapgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mapgen", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def _relative_dues(template: Path) -> dict[str, RelativeDate]:
    raw = yaml.safe_load(template.read_text(encoding="utf-8"))
    found = {}
    for phase in raw["phases"]:
        for action in phase["actions"]:
            rel = RelativeDate.parse(str(action.get("due", "")))
            if rel is not None:
                found[action["id"]] = rel
    return found


def test_the_four_kinds_of_sale_are_there() -> None:
    assert {"enterprise-software", "mid-market", "renewal-expansion", "onboarding-success"} <= set(
        TEMPLATE_IDS
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
def test_template_is_valid_described_and_relative(template: Path) -> None:
    loaded = load_plan(template, strict=True)
    assert template.read_text(encoding="utf-8").startswith("# description: ")
    assert template_description(template)
    assert len(_relative_dues(template)) >= len(loaded.plan.actions()) - 1, "dates must be relative"


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
@pytest.mark.parametrize(
    "close",
    [date(2027, 1, 19), date(2027, 1, 4), date(2027, 7, 6), date(2027, 11, 26)],
    ids=["after-mlk-day", "after-new-year", "after-july-4-observed", "after-thanksgiving"],
)
def test_new_back_plans_around_weekends_and_holidays(template: Path, close: date, tmp_path: Path) -> None:
    text = instantiate(
        template,
        [f"deal.target_close={close}", "buyer.name=Acme Corp", "id=acme-deal"],
        today=date(2026, 11, 2),
    )
    out = tmp_path / "plan.yaml"
    out.write_text(text, encoding="utf-8")
    plan = load_plan(out, strict=True).plan
    raw = yaml.safe_load(text)
    assert raw["updated"] == date(2026, 11, 2) and raw["buyer"]["name"] == "Acme Corp"
    assert plan.deal.target_close == close
    for phase in raw["phases"]:
        for action in phase["actions"]:
            assert "due" not in action or isinstance(action["due"], date), action["id"]
    dues = {a.id: a.due for _, a in plan.actions()}
    for action_id, rel in _relative_dues(template).items():
        if rel.unit == "bd" and rel.offset:
            due = dues[action_id]
            assert due.weekday() < 5 and due not in NY, f"{action_id} falls on {due:%a %Y-%m-%d}"


def test_mid_market_dates_count_business_days_past_mlk_day(tmp_path: Path) -> None:
    template = next(p for p in TEMPLATES if p.stem == "mid-market")
    text = instantiate(template, ["deal.target_close=2027-01-19"], today=date(2026, 11, 2))
    dues = {a.id: a.due for _, a in _load(text, tmp_path).actions()}
    assert dues["signature"] == date(2027, 1, 19)
    assert dues["business-case"] == date(2027, 1, 11)  # 5 bd back, Monday the 18th is a holiday
    assert dues["kickoff"] == date(2027, 1, 22)


def _load(text: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return load_plan(path).plan


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
def test_new_keeps_the_comments_that_help_fill_the_plan_in(template: Path) -> None:
    source = template.read_text(encoding="utf-8")
    text = instantiate(template, ["deal.target_close=2027-03-05"], today=date(2026, 11, 2))
    body_comments = [
        line.split("#", 1)[1].strip()
        for line in source.splitlines()
        if "#" in line and not line.startswith("#") and "due:" not in line and "start:" not in line
    ]
    kept = [c for c in body_comments if c in text]
    assert len(kept) >= len(body_comments) * 0.8
    assert "# description:" not in text
    assert text.startswith(f"# Made from the template '{template.stem}'")


def test_new_output_snapshot(snapshot_text) -> None:  # type: ignore[no-untyped-def]
    template = next(p for p in TEMPLATES if p.stem == "onboarding-success")
    text = instantiate(
        template,
        ["deal.target_close=2027-03-05", "buyer.name=Acme Corp", "seller.name=Northwind Analytics"],
        today=date(2027, 2, 1),
    )
    assert text == snapshot_text("yaml")


def test_cli_new_and_templates(tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    done = _mapgen(
        "new", "--template", "renewal-expansion", "-o", str(out),
        "--set", "deal.target_close=2027-03-05", "--set", "buyer.name=Acme Corp",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _mapgen("validate", str(out)).returncode == 0
    assert _mapgen("new", "--template", "mid-market", "-o", str(out)).returncode == 2  # exists
    unknown = _mapgen("new", "--template", "mid-markt", "-o", str(tmp_path / "x.yaml"))
    assert unknown.returncode == 2 and "did you mean 'mid-market'" in unknown.stderr
    listed = _mapgen("templates").stdout.splitlines()
    names = dict(line.split("\t", 1) for line in listed)
    assert set(TEMPLATE_IDS) <= set(names) and all(names[n] for n in TEMPLATE_IDS)
