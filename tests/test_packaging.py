"""`pip install .` ships the built-in layouts, themes and samples inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_contains_builtins_and_entry_point(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("mapgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for required in (
        "mapgen/cli.py",
        "mapgen/_builtin/layouts/standard/layout.yaml",
        "mapgen/_builtin/themes/default/theme.yaml",
        "mapgen/_builtin/themes/default/fonts/Inter-Regular.otf",
        "mapgen/_builtin/samples/northwind-acme/plan.yaml",
        "mapgen/_builtin/samples/templates/enterprise-software.yaml",
    ):
        assert required in names, required
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "mapgen = mapgen.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
