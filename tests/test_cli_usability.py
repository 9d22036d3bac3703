"""What a new user meets at the command line: completion, choices, progress, non-plan files."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mapgen import progress as progress_module
from mapgen.cli import PDF_VARIANTS, main
from mapgen.progress import Progress
from tests.conftest import ROOT, SAMPLES_DIR

MINIMAL = SAMPLES_DIR / "minimal" / "plan.yaml"


def complete(*words: str) -> list[str]:
    env = {
        **os.environ,
        "_MAPGEN_COMPLETE": "bash_complete",
        "COMP_WORDS": " ".join(["mapgen", *words]),
        "COMP_CWORD": str(len(words)),
        "MAPGEN_HOME": str(ROOT / "no-such-home"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "mapgen"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    return [line.split(",", 1)[1] for line in result.stdout.splitlines()]


def test_completion_knows_names() -> None:
    assert complete("render", "--theme", "") == ["default", "executive"]
    assert complete("render", "--layout", "o") == ["one-page"]
    assert complete("new", "-t", "") == [
        "enterprise-software",
        "mid-market",
        "onboarding-success",
        "renewal-expansion",
    ]
    assert complete("render", "-f", "x") == ["xlsx"]
    assert complete("render", str(MINIMAL), "--feed", "") == ["all", "plan", "buyer", "seller", "jane", "sam"]


def test_pdf_variant_choices_are_weasyprints() -> None:
    from mapgen.renderers.pdf import PDF_VARIANTS as WEASYPRINT_VARIANTS

    assert tuple(sorted(PDF_VARIANTS)) == WEASYPRINT_VARIANTS


def test_pdf_variant_help_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    assert "pdf/a-3b,pdf/a-3u" in capsys.readouterr().out.replace("\n", "").replace(" ", "")


def test_feeds_skips_files_that_are_not_plans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(MINIMAL, tmp_path / "plan.yaml")
    (tmp_path / "plan.schema.json").write_text('{"$schema": "x", "properties": {"mapgen": {}}}')
    (tmp_path / "ci.yml").write_text("jobs: {}\n")
    with pytest.raises(SystemExit) as done:
        main(["feeds", str(tmp_path)])
    assert done.value.code == 0
    captured = capsys.readouterr()
    assert "minimal.ics" in captured.out
    notes = [line for line in captured.err.splitlines() if "not plans" in line]
    assert notes == ["note: not plans (no top-level 'mapgen:' key), ignored: ci.yml, plan.schema.json"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_shows_plan_and_format_then_is_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    stream = Terminal()
    with Progress(stream, 2, enabled=True) as progress:
        progress.step("acme", "pdf")
        while "acme" not in stream.getvalue():
            progress._stop.wait(0.01)
    text = stream.getvalue()
    assert "Rendering acme: pdf (1/2, " in text
    assert text.endswith("\r\x1b[K")


def test_no_progress_when_disabled() -> None:
    stream = Terminal()
    with Progress(stream, 1, enabled=False) as progress:
        progress.step("acme", "pdf")
    assert stream.getvalue() == ""


def test_every_exit_code_is_in_the_cli_docs() -> None:
    """docs/cli.md's table lists each code a command can end with, and each command that uses it."""
    import re

    from mapgen.batch import EXIT_SOME_FAILED
    from mapgen.cli import EXIT_BUG, EXIT_INVALID, EXIT_OK
    from mapgen.verify import Outcome

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    rows = {int(code): meaning for code, meaning in re.findall(r"^\| (\d+) \| (.*) \|$", text, re.M)}
    used = {EXIT_OK, EXIT_BUG, EXIT_INVALID, EXIT_SOME_FAILED, 130, *(int(o) for o in Outcome)}
    assert used <= set(rows)
    assert "mapgen verify" in rows[int(Outcome.INCOMPLETE)] and "mapgen serve" in rows[3]
    assert "render" in rows[EXIT_SOME_FAILED]
