"""Shared fixtures: the bundled samples, readable single-file snapshots, and real-client checks.

Conventions for every test module:
- `sample_plans` / `SAMPLES` are the plans under samples/ (templates excluded); tests that cover
  "every sample" parametrize over `SAMPLES` with `ids=SAMPLE_IDS`.
- `snapshot_text(ext)` stores one readable file per snapshot (`.html`, `.ics`, `.xml`, `.txt`,
  `.json`) next to the test module, so a reviewer reads the diff; `snapshot_bytes(ext)` stores a
  binary (`.pdf`, `.docx`) beside it. Update with `pytest --snapshot-update` only after reading
  the diff.
- `require_tool(name)` skips a real-client check when the tool is missing, except under CI,
  where it fails: CI must run every real client.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from mapgen.audience import Audience
from mapgen.load import load_plan
from mapgen.pipeline import RenderRequest, render_plan
from mapgen.renderers.base import Artifact, RenderOptions

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "samples"
SAMPLES = sorted(p for p in SAMPLES_DIR.glob("*/plan.yaml"))
SAMPLE_IDS = [p.parent.name for p in SAMPLES]
TEMPLATES = sorted((SAMPLES_DIR / "templates").glob("*.yaml"))
IN_CI = bool(os.environ.get("CI"))
os.environ.setdefault("MAPGEN_NO_CACHE", "1")
"""Renders in tests (and their subprocesses) skip the render cache: a cache hit would make every
determinism test trivial. tests/test_batch.py turns it on with a folder of its own."""
DISTINCT_ENVIRONMENTS: tuple[dict[str, str], ...] = tuple(
    {**os.environ, "TZ": tz, "LANG": lang, "LC_ALL": lang, "PYTHONHASHSEED": seed}
    for tz, lang, seed in (("UTC", "C.UTF-8", "1"), ("Pacific/Auckland", "de_DE.UTF-8", "4242"))
)
"""Two process environments that differ in everything a renderer must ignore: determinism tests
render in both and compare bytes."""


def _extension(ext: str, mode: WriteMode) -> type[SingleFileSnapshotExtension]:
    return type(
        f"Snapshot_{ext}_{mode.name}",
        (SingleFileSnapshotExtension,),
        {"file_extension": ext, "_write_mode": mode},
    )


@pytest.fixture
def snapshot_text(snapshot):  # type: ignore[no-untyped-def]
    """`snapshot_text("html") == text`: one readable text file per snapshot."""
    return lambda ext: snapshot.use_extension(_extension(ext, WriteMode.TEXT))


@pytest.fixture
def snapshot_bytes(snapshot):  # type: ignore[no-untyped-def]
    """`snapshot_bytes("pdf") == data`: one binary file per snapshot."""
    return lambda ext: snapshot.use_extension(_extension(ext, WriteMode.BINARY))


def render_sample(
    plan_path: Path,
    formats: list[str],
    *,
    audience: Audience = Audience.BUYER,
    layout: str = "standard",
    theme: str = "default",
    options: RenderOptions | None = None,
) -> dict[str, Artifact]:
    """Render one plan in memory; artifacts by file name."""
    request = RenderRequest(
        formats=formats,
        audience=audience,
        layout=layout,
        theme=theme,
        options=options or RenderOptions(),
    )
    return {a.name: a for a in render_plan(load_plan(plan_path), request)}


@pytest.fixture
def render() -> Callable[..., dict[str, Artifact]]:
    return render_sample


def require_tool(name: str, *candidates: str) -> str:
    """Path of an external tool (or file from an env var); skip without it, fail under CI."""
    for candidate in (name, *candidates):
        found = os.environ.get(candidate) if candidate.isupper() else shutil.which(candidate)
        if found and (not candidate.isupper() or Path(found).exists()):
            return found
    message = f"{name} is not installed (scripts/test installs it)"
    if IN_CI:
        pytest.fail(f"{message}; CI must run every real-client check")
    pytest.skip(message)
