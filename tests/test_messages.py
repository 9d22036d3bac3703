"""Error and warning messages a new user meets: dates, anchors, --set, diff."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from mapgen.cli import main
from mapgen.errors import InvalidInput
from mapgen.instantiate import instantiate
from mapgen.spec import written_date_readings
from tests.conftest import SAMPLES_DIR

MID_MARKET = SAMPLES_DIR / "templates" / "mid-market.yaml"
ENTERPRISE = SAMPLES_DIR / "northwind-acme"


def problems(template: Path, *assignments: str) -> list[str]:
    with pytest.raises(InvalidInput) as raised:
        instantiate(template, list(assignments), today=date(2027, 1, 4))
    return [str(p) for p in raised.value.problems]


def test_slash_dates_give_every_reading() -> None:
    assert written_date_readings("12/03/2027") == (
        "'12/03/2027' is ambiguous: write 2027-12-03 (month/day) or 2027-03-12 (day/month), as YYYY-MM-DD"
    )
    assert written_date_readings("06/30/2027") == "'06/30/2027' is not in YYYY-MM-DD form: write 2027-06-30"
    assert written_date_readings("31.12.27") == "'31.12.27' is not in YYYY-MM-DD form: write 2027-12-31"
    assert written_date_readings("target_close") is None


def test_set_problems_name_the_set_argument() -> None:
    assert problems(MID_MARKET, "deal.target_close=12/03/2027") == [
        "--set deal.target_close=12/03/2027: deal.target_close: '12/03/2027' is ambiguous: "
        "write 2027-12-03 (month/day) or 2027-03-12 (day/month), as YYYY-MM-DD"
    ]
    assert problems(MID_MARKET, "buyer=Acme") == [
        "--set buyer=Acme: buyer: expected a mapping of fields (name, logo, website), got 'Acme': "
        "set one field, such as --set buyer.name=Acme"
    ]


def test_text_lengths_are_told_in_characters_not_items() -> None:
    assert problems(MID_MARKET, "seller.name=") == ["--set seller.name=: seller.name: must not be empty"]
    assert problems(MID_MARKET, "title=" + "x" * 301) == [
        f"--set title={'x' * 301}: title: at most 300 characters, got 301"
    ]


def test_usual_yaml_slips_are_told_in_plain_words(tmp_path: Path) -> None:
    from mapgen.load import check_plan_file

    text = (SAMPLES_DIR / "minimal" / "plan.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    tabbed = tmp_path / "tabbed.yaml"
    tabbed.write_text(text.replace("  - id: jane", "\t- id: jane"), encoding="utf-8")
    two_owners = tmp_path / "owners.yaml"
    two_owners.write_text(text.replace("owner: sam", "owner: [sam, jane]", 1), encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        check_plan_file(tabbed)
    row = lines.index("  - id: jane") + 1
    assert [str(p) for p in raised.value.problems] == [
        f"{tabbed}:{row}: invalid YAML: a tab in the indentation (YAML indents with spaces only)"
    ]
    with pytest.raises(InvalidInput) as raised:
        check_plan_file(two_owners)
    row = lines.index("        owner: sam") + 1
    assert [str(p) for p in raised.value.problems] == [
        f"{two_owners}:{row}: phases[0].actions[0].owner: one stakeholder id, not a list: "
        "exactly one person owns it (the others go in `contributors`)"
    ]


def test_a_typo_in_an_anchor_is_reported_once_on_its_line(tmp_path: Path) -> None:
    text = MID_MARKET.read_text(encoding="utf-8")
    text = text.replace("due: discovery-call + 5bd", "due: discovry-call + 5bd")
    text = text.replace("measure_by: go_live + 60bd", "measure_by: demo + 60bd")
    template = tmp_path / "typo.yaml"
    template.write_text(text, encoding="utf-8")
    line = text.splitlines().index("        due: discovry-call + 5bd") + 1
    assert problems(template, "deal.target_close=2027-06-30") == [
        f"{template}:{line}: phases[0].actions[1].due: unknown anchor 'discovry-call' in "
        "'discovry-call + 5bd' (did you mean 'discovery-call'?)"
    ]


def test_diff_warns_about_what_it_compares(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "plans"
    shutil.copytree(ENTERPRISE, folder)
    old = folder / "plan.yaml"
    text = old.read_text(encoding="utf-8").replace("id: northwind-acme", "id: other", 1)
    text = text.replace(
        "        status: in_progress\n        depends_on: [current-cost]\n"
        '        notes: "Draft model: [Acme ROI v2](https://northwind.example/share/acme-roi-v2)"',
        "        status: blocked\n        depends_on: [current-cost]\n"
        '        notes: "Blocked: waiting for **Acme finance** to share the cost baseline."',
    )
    new = folder / "new.yaml"
    new.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["diff", str(old), str(new)])
    assert done.value.code == 0
    out, err = capsys.readouterr()
    assert "warning: plan id 'other' differs from 'northwind-acme'" in err
    assert "warning: same revision 4 as" in err
    assert (
        '"Build the ROI model with Acme\'s cost baseline" is now blocked (was in progress): '
        "Waiting for Acme finance to share the cost baseline." in out
    )


def test_theme_errors_in_mapgen_words_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theme = tmp_path / "brand"
    theme.mkdir()
    (theme / "theme.yaml").write_text(
        'extends: default\ntokens:\n  colors:\n    primary: "#ffcc0"\n  page:\n    size: A5\n  logo:\n    file: x.png\n'
    )
    with pytest.raises(SystemExit) as done:
        main(["render", str(SAMPLES_DIR / "minimal" / "plan.yaml"), "-f", "html", "--theme", str(theme)])
    assert done.value.code == 2
    err = capsys.readouterr().err.splitlines()
    name = theme / "theme.yaml"
    assert err[0] == f"{name}:4: tokens.colors.primary: a colour is written #rrggbb, such as #1f3a93"
    assert err[1] == f"{name}:6: tokens.page.size: unknown value 'A5'; expected one of: A4, Letter"
    assert err[2].startswith(f"{name}:8: tokens.logo.file: unknown field 'file'")
    assert "Extra inputs" not in "\n".join(err)


def test_layout_template_errors_name_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = tmp_path / "mine"
    (layout / "sections").mkdir(parents=True)
    (layout / "layout.yaml").write_text("extends: standard\n")
    (layout / "sections" / "summary.j2").write_text("<h2>Summary</h2>\n{{ nosuch.thing }}\n")
    with pytest.raises(SystemExit):
        main(
            [
                "render",
                str(SAMPLES_DIR / "minimal" / "plan.yaml"),
                "-f",
                "html",
                "--layout",
                str(layout),
                "-o",
                str(tmp_path / "o"),
            ]
        )
    assert f"{layout / 'sections' / 'summary.j2'}:2: 'nosuch' is undefined" in capsys.readouterr().err


def test_holidays_are_cached_per_country_and_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mapgen import holiday_cache
    from mapgen.dates import BusinessCalendar

    monkeypatch.setenv("MAPGEN_CACHE", str(tmp_path))
    holiday_cache.holidays_in.cache_clear()
    assert BusinessCalendar("US", "NY").holiday(date(2027, 7, 5)) == "Independence Day (observed)"
    (stored,) = tmp_path.glob("holidays/*/US-NY-2027.json")
    assert '"2027-07-05": "Independence Day (observed)"' in stored.read_text(encoding="utf-8")
    stored.write_text('{"2027-07-06": "Cached day"}', encoding="utf-8")
    holiday_cache.holidays_in.cache_clear()
    assert BusinessCalendar("US", "NY").holiday(date(2027, 7, 6)) == "Cached day", "read from the cache"
    assert not BusinessCalendar("US", "NY").is_business_day(date(2027, 7, 6))
    with pytest.raises(ValueError, match="no public holidays known"):
        BusinessCalendar("ZZ").holiday(date(2027, 1, 4))
    holiday_cache.holidays_in.cache_clear()


def test_time_units_take_the_plural_of_the_plans_language() -> None:
    from mapgen.diff import _number
    from mapgen.i18n import localizer

    english, german = localizer("en-US", "UTC"), localizer("de-DE", "UTC")
    assert [_number(english, n, "days") for n in (1, 3)] == ["1 day", "3 days"]
    assert [_number(german, n, "weeks") for n in (1, 2)] == ["1 Woche", "2 Wochen"]
    assert _number(english, 1.5, "days") == "1.5 days"
