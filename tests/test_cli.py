"""The command as a user runs it: exit codes, messages without tracebacks, atomic output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mapgen.cli import main
from tests.conftest import ROOT, SAMPLES_DIR

ENTERPRISE = SAMPLES_DIR / "northwind-acme" / "plan.yaml"
MINIMAL = SAMPLES_DIR / "minimal" / "plan.yaml"
INVALID = Path(__file__).parent / "fixtures" / "invalid"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAPGEN_HOME": str(cwd or ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mapgen", *args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


def call(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return int(done.value.code or 0)


def test_validate_valid_plan_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert call("validate", str(MINIMAL)) == 0
    assert "valid (2 actions, 0 warnings)" in capsys.readouterr().out


def test_invalid_plan_exits_2_with_one_line_per_problem() -> None:
    result = run("validate", str(INVALID / "bad-references.yaml"))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 9
    assert all(line.startswith(str(INVALID / "bad-references.yaml") + ":") for line in lines)
    assert "Traceback" not in result.stderr


def test_strict_turns_warnings_into_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert call("validate", str(INVALID / "warnings.yaml")) == 0
    assert call("validate", "--strict", str(INVALID / "warnings.yaml")) == 2


def test_validate_checks_every_plan_in_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As `render DIR` does: plan files found recursively, other YAML left alone, one line each."""
    (tmp_path / "deals" / "acme").mkdir(parents=True)
    (tmp_path / "deals" / "acme" / "plan.yaml").write_text(
        MINIMAL.read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "deals" / "broken.yaml").write_text(
        (INVALID / "bad-references.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "deals" / "settings.yaml").write_text("colour: blue\n", encoding="utf-8")
    assert call("validate", str(tmp_path / "deals")) == 2
    out, err = capsys.readouterr()
    assert "acme/plan.yaml: valid (2 actions, 0 warnings)" in out
    assert "broken.yaml:" in err and "settings.yaml" not in out + err
    (tmp_path / "empty").mkdir()
    assert call("validate", str(tmp_path / "empty")) == 2
    assert "no plan files in" in capsys.readouterr().err


def test_missing_file_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert call("validate", "does-not-exist.yaml") == 2
    assert "cannot read file" in capsys.readouterr().err


def test_render_json_writes_predictable_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call("render", str(MINIMAL), str(ENTERPRISE), "-f", "json", "-o", str(tmp_path)) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "minimal.json",
        "minimal.manifest.json",
        "northwind-acme.json",
        "northwind-acme.manifest.json",
    ]
    assert capsys.readouterr().out.splitlines() == [
        str(tmp_path / "minimal.json"),
        str(tmp_path / "northwind-acme.json"),
    ]


def test_format_list_is_comma_separated_and_repeatable(tmp_path: Path) -> None:
    assert call("render", str(MINIMAL), "-f", "json,json", "-f", "JSON", "-o", str(tmp_path), "-q") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minimal.json", "minimal.manifest.json"]


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert call("render", str(MINIMAL), "-f", "jsno") == 2
    assert "unknown format 'jsno' (did you mean 'json'?)" in capsys.readouterr().err


def test_bad_option_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert call("render", str(MINIMAL), "--as-of", "yesterday") == 2
    assert call("render", str(MINIMAL), "--audience", "everyone") == 2


def test_failed_render_leaves_previous_outputs_untouched(tmp_path: Path) -> None:
    assert call("render", str(MINIMAL), "-f", "json", "-o", str(tmp_path), "-q") == 0
    before = (tmp_path / "minimal.json").read_bytes()
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        MINIMAL.read_text(encoding="utf-8").replace("id: minimal", "id: Minimal!"), encoding="utf-8"
    )
    assert call("render", str(MINIMAL), str(broken), "-f", "json", "-o", str(tmp_path), "-q") == 2
    assert (tmp_path / "minimal.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "broken.yaml",
        "minimal.json",
        "minimal.manifest.json",
    ]


def test_internal_error_exits_1_without_traceback(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("mapgen.pipeline.build_view", explode)
    assert call("render", str(MINIMAL), "-f", "json", "-o", "/tmp/mapgen-never") == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "--debug" in err
    assert "Traceback" not in err
    with pytest.raises(RuntimeError):
        main(["--debug", "render", str(MINIMAL), "-f", "json", "-o", "/tmp/mapgen-never"])


def test_as_of_changes_the_status(tmp_path: Path) -> None:
    assert call("render", str(MINIMAL), "-f", "json", "-o", str(tmp_path), "-q", "--as-of", "2027-03-31") == 0
    status = json.loads((tmp_path / "minimal.json").read_text(encoding="utf-8"))["status"]
    assert status["as_of"] == "2027-03-31"
    assert status["states"] == {"stalled": 2}


def test_new_from_template_gives_a_valid_plan_with_absolute_dates(tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    result = run(
        "new", "--template", "enterprise-software", "-o", str(out),
        "--set", "id=globex", "--set", "deal.target_close=2027-06-30", "--set", "buyer.name=Globex Corp",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "target_close - " not in text and "bd\n" not in text
    assert "Globex Corp" in text and "#" in text
    assert run("validate", str(out)).returncode == 0
    assert run("new", "--template", "enterprise-software", "-o", str(out)).returncode == 2


def test_new_with_unknown_template_lists_the_available_ones() -> None:
    result = run("new", "--template", "enterprise-sofware", "-o", "/tmp/never.yaml")
    assert result.returncode == 2
    assert "did you mean 'enterprise-software'" in result.stderr


def test_listings_are_one_per_line_name_first() -> None:
    for command, expected in [("formats", "json"), ("layouts", "standard"), ("themes", "default"),
                              ("templates", "enterprise-software")]:  # fmt: skip
        result = run(command)
        assert result.returncode == 0
        names = [line.split("\t")[0] for line in result.stdout.splitlines()]
        assert expected in names, (command, names)


def test_schema_is_json_schema_with_descriptions() -> None:
    schema = json.loads(run("schema").stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["properties"]["revision"]["description"]
    assert "Action" in schema["$defs"]


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("mapgen, version")
    help_text = run("--help").stdout
    assert "Exit codes: 0 success, 2 invalid input or usage, 1 internal error" in help_text


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        assert call("render", str(MINIMAL), "-f", "json", "-o", str(tmp_path), "-q") == 0
    finally:
        os.umask(umask)
    assert (tmp_path / "minimal.json").stat().st_mode & 0o777 == 0o644


def test_since_with_another_plan_id_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(MINIMAL.read_text(encoding="utf-8").replace("id: minimal", "id: other-deal"), "utf-8")
    assert call("render", str(MINIMAL), "--since", str(other), "-f", "json", "-o", str(tmp_path), "-q") == 0
    assert "plan id 'other-deal' differs from 'minimal'" in capsys.readouterr().err
