"""`pip install .` ships the built-in layouts, themes and samples inside the wheel."""

from __future__ import annotations

import email
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
    assert "mapgen/py.typed" in names
    license_file = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert "MIT License" in zipfile.ZipFile(wheel).read(license_file).decode()
    metadata = email.message_from_bytes(
        zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    )
    assert metadata["License-Expression"] == "MIT"
    classifiers = metadata.get_all("Classifier")
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert not any(c.startswith("License ::") for c in classifiers), "the SPDX expression replaces them"
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Source", "Issues"} <= urls.keys()
    assert all(url.startswith("https://") for url in urls.values())
    assert metadata["Requires-Python"] == ">=3.11"
