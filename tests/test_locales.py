"""Byte-identical output whatever the machine's locale: every sample, every format, four locales.

The process locale used to leak into the PDF through fontconfig's language matching (the Japanese
sample was 655,060 bytes under ja_JP.UTF-8 and 536,001 under C); mapgen.fontlang pins it.
scripts/test generates the locales when they are missing (CI is a fresh Debian machine).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, SAMPLES

LOCALES = ("C", "C.UTF-8", "ja_JP.UTF-8", "de_DE.UTF-8")


def _missing_locales() -> list[str]:
    found = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.lower()
    names = {line.replace("utf-8", "utf8") for line in found.split()}
    return [name for name in LOCALES if name.lower().replace("utf-8", "utf8") not in names]


def test_every_format_is_byte_identical_under_every_locale(tmp_path: Path) -> None:
    missing = _missing_locales()
    if missing:
        message = f"locales {', '.join(missing)} are not generated (scripts/test generates them)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    runs = []
    for name in LOCALES:
        env = {**os.environ, "LC_ALL": name, "LANG": name, "LANGUAGE": name.split(".")[0]}
        env.pop("FC_LANG", None)
        out = tmp_path / name
        command = [sys.executable, "-m", "mapgen", "render", *map(str, SAMPLES), "-o", str(out), "-q"]
        runs.append((out, subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)))
    outputs = []
    for out, process in runs:
        _, errors = process.communicate()
        assert process.returncode == 0, errors
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    suffixes = {name.rsplit(".", 1)[-1] for name in outputs[0]}
    assert suffixes >= {"pdf", "docx", "html", "json", "ics", "csv", "xlsx", "txt"}
    for name, output in zip(LOCALES[1:], outputs[1:], strict=True):
        different = sorted(f for f in outputs[0] if output.get(f) != outputs[0][f])
        assert not different, f"under LC_ALL={name}: {different}"
