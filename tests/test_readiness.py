"""`--ready`: placeholders, past and closed-day dates, deal order, signatories, empty sections, contrast."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from mapgen.cli import main
from mapgen.instantiate import instantiate
from mapgen.load import load_plan
from mapgen.readiness import PLACEHOLDER, check_ready, contrast_problems, contrast_ratio
from mapgen.themes import load_theme
from tests.conftest import SAMPLES_DIR, TEMPLATES

ENTERPRISE = SAMPLES_DIR / "northwind-acme" / "plan.yaml"
MINIMAL = {
    "mapgen": 1,
    "id": "acme",
    "title": "Acme plan",
    "revision": 1,
    "updated": "2027-01-04",
    "seller": {"name": "Northwind"},
    "buyer": {"name": "Acme"},
    "deal": {"name": "Rollout", "start": "2027-01-04", "target_close": "2027-03-05", "go_live": "2027-04-15"},
    "stakeholders": [
        {"id": "jane", "name": "Jane Doe", "side": "buyer", "email": "jane@acme.example"},
        {"id": "raj", "name": "Raj Patel", "side": "seller", "email": "raj@northwind.example"},
    ],
    "objectives": [
        {"id": "o", "title": "Cut cost", "success_criteria": ["Reports automated"], "owner": "jane"}
    ],
    "phases": [
        {
            "id": "p",
            "name": "Evaluate",
            "actions": [{"id": "demo", "title": "Demo", "owner": "raj", "due": "2027-01-20"}],
        }
    ],
    "metrics": [
        {"id": "m", "name": "Cost", "baseline": 10, "target": 5, "measure_by": "2027-06-01", "owner": "jane"}
    ],
    "signoff": ["jane", "raj"],
    "calendar": {"country": "US", "subdivision": "NY"},
}


def problems_of(tmp_path: Path, **changes: object) -> list[str]:
    data = {**MINIMAL, **changes}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return [str(p) for p in check_ready(load_plan(path))]


def test_a_complete_plan_is_ready(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == []
    assert check_ready(load_plan(ENTERPRISE), load_theme("default")) == []


def test_placeholders_are_found_with_their_line(tmp_path: Path) -> None:
    buyer = {"name": "<<Buyer company>>"}
    found = problems_of(tmp_path, buyer=buyer, summary="Why:\n<<the buyer's\nwords>>\n")
    assert any(":9: buyer.name: placeholder <<Buyer company>>" in p for p in found), found
    assert any("summary: placeholder <<the buyer's words>>" in p for p in found), found


def test_dates_on_weekends_and_public_holidays(tmp_path: Path) -> None:
    deal = {**MINIMAL["deal"], "target_close": "2027-03-06", "go_live": "2027-07-05"}
    found = problems_of(tmp_path, deal=deal)
    assert any("deal.target_close: 2027-03-06 is a Saturday" in p for p in found), found
    assert any(
        "deal.go_live: 2027-07-05 is a public holiday in US-NY (Independence Day (observed))" in p
        for p in found
    )


def test_go_live_before_close_and_past_dates_in_a_new_plan(tmp_path: Path) -> None:
    deal = {**MINIMAL["deal"], "go_live": "2027-03-01"}
    phases = [
        {"id": "p", "name": "E", "actions": [{"id": "a", "title": "A", "owner": "raj", "due": "2026-12-29"}]}
    ]
    found = problems_of(tmp_path, deal=deal, phases=phases)
    assert any("deal.go_live: go-live 2027-03-01 is before target_close 2027-03-05" in p for p in found)
    assert any("phases[0].actions[0].due: due 2026-12-29, before the plan's updated date" in p for p in found)
    assert not any("before the plan's updated" in p for p in problems_of(tmp_path, phases=phases, revision=2))


def test_signatory_without_email_and_empty_sections(tmp_path: Path) -> None:
    people = [{**MINIMAL["stakeholders"][0], "email": None}, MINIMAL["stakeholders"][1]]
    people[0] = {k: v for k, v in people[0].items() if v is not None}
    found = problems_of(tmp_path, stakeholders=people, objectives=[], metrics=[])
    assert any("stakeholders[0].email: Jane Doe signs the plan but has no email" in p for p in found)
    assert any("objectives: no objectives" in p for p in found)
    assert any("metrics: no metrics" in p for p in found)


def test_contrast_follows_wcag() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48
    assert contrast_problems(load_theme("default")) == []
    assert contrast_problems(load_theme("executive")) == []


def test_a_yellow_brand_colour_is_refused(tmp_path: Path) -> None:
    theme = tmp_path / "yellow"
    theme.mkdir()
    (theme / "theme.yaml").write_text("extends: default\ntokens:\n  colors:\n    primary: '#ffcc00'\n")
    found = [str(p) for p in contrast_problems(load_theme(str(theme)))]
    assert any(
        "theme.yaml: tokens.colors.on_primary: #ffffff on colors.primary #ffcc00" in p for p in found
    ), found
    assert any(
        "tokens.colors.primary: #ffcc00 on colors.background #ffffff has contrast 1.5" in p for p in found
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.stem for t in TEMPLATES])
def test_templates_use_one_marker_and_land_on_working_days(template: Path, tmp_path: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"\(name\)|Your Company|Replace with|Name,", text)
    plan_text = instantiate(
        template, ["deal.target_close=2027-06-30", "updated=2027-01-04"], today=date(2027, 1, 4)
    )
    path = tmp_path / "plan.yaml"
    path.write_text(plan_text, encoding="utf-8")
    kinds = {p.message.split(" ")[0] for p in check_ready(load_plan(path))}
    assert "placeholder" in kinds
    filled = PLACEHOLDER.sub("Filled in", plan_text)
    filled = re.sub(r"( +)(side: \w+)", r"\1\2", filled)
    path.write_text(filled, encoding="utf-8")
    left = [str(p) for p in check_ready(load_plan(path)) if "has no email" not in p.message]
    assert left == []


def test_validate_and_render_refuse_when_not_ready(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({**MINIMAL, "buyer": {"name": "<<Buyer>>"}}), encoding="utf-8")
    for args in (
        ["validate", "--ready", str(path)],
        ["render", "--ready", "-f", "json", "-o", str(tmp_path / "out"), str(path)],
    ):
        with pytest.raises(SystemExit) as done:
            main(args)
        assert done.value.code == 2
    assert not (tmp_path / "out").exists()
    err = capsys.readouterr().err
    assert "buyer.name: placeholder <<Buyer>>" in err
    assert "not ready to send" in err
    with pytest.raises(SystemExit) as done:
        main(["validate", "--ready", str(ENTERPRISE)])
    assert done.value.code == 0
    assert "valid and ready to send (48 actions, 0 warnings)" in capsys.readouterr().out
