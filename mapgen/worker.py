"""What a worker does with one plan: load it, render the formats asked for, send the bytes back.

Runs in a process of `mapgen render --jobs N`, in a Dask worker (`--scheduler`), or in the main
process for one plan. It never raises: a failure comes back as data, so one plan cannot stop a batch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mapgen.cache import plan_assets, run_digest
from mapgen.errors import InvalidInput, MapgenError, Problem, UsageError
from mapgen.pipeline import RenderRequest
from mapgen.renderers.base import Artifact


@dataclass(frozen=True, slots=True)
class Bundle:
    """A plan file and its assets as bytes, for a worker on another machine."""

    name: str
    plan: bytes
    assets: dict[str, bytes]

    def unpack(self, folder: Path) -> Path:
        for relative, data in self.assets.items():
            target = (folder / relative).resolve()
            if not target.is_relative_to(folder.resolve()):
                raise ValueError(f"asset {relative!r} is outside the plan's folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        path = folder / Path(self.name).name
        path.write_bytes(self.plan)
        return path


@dataclass(frozen=True, slots=True)
class Job:
    """One plan for a worker: where it is (or its bytes), its display name and the formats to render."""

    display: str
    path: str
    formats: tuple[str, ...]
    bundle: Bundle | None = None
    ready: str | None = None
    """`--ready`: check the plan is ready to send, with this theme's colours, before rendering."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """What a worker sends back: artifacts by format, or the problems (or the bug) that stopped it."""

    plan_id: str | None = None
    revision: int | None = None
    fingerprint: str | None = None
    assets: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    by_format: dict[str, list[Artifact]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    not_ready: bool = False
    """The problems are readiness checks (`--ready`), not validation."""
    bug: str | None = None
    plan_digest: str | None = None
    """SHA-256 of the plan file as it was after loading: the cache stores only what was hashed."""


def warm(formats: Sequence[str], theme: str, layout: str) -> None:
    """Worker start: import the renderers and load the theme, layout and fonts once."""
    from mapgen.renderers import get_renderer

    renderers = [get_renderer(name) for name in formats]
    if any(getattr(r, "uses_layout", False) for r in renderers):
        from mapgen.layouts import load_layout
        from mapgen.themes import load_theme

        load_theme(theme)
        load_layout(layout).environment  # noqa: B018 - builds the Jinja environment once


def work(
    job: Job,
    request: RenderRequest,
    expected_run: str | None = None,
    *,
    raise_bugs: bool = False,
    progress: Callable[[str, str], None] | None = None,
) -> Rendered:
    """Load one plan and render the formats asked for; never raises (a failure comes back as data).

    `expected_run` is the client's `run_digest`: a remote worker whose mapgen, libraries, theme or
    layout differ would write other bytes, so it refuses instead.
    """
    path = Path(job.path)
    try:
        if job.bundle is None:
            return _work(job, path, request, expected_run, progress)
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mapgen-") as folder:
            path = job.bundle.unpack(Path(folder))
            return _work(job, path, request, expected_run)
    except MapgenError as exc:
        problems = exc.problems if isinstance(exc, InvalidInput) else [Problem(str(exc), file=str(path))]
        return Rendered(problems=tuple(_named(p, path, job) for p in problems))
    except Exception as exc:
        if raise_bugs:  # in this process, with nothing else to finish: the CLI reports it (--debug)
            raise
        return Rendered(bug=f"{type(exc).__name__}: {exc}")


def _work(
    job: Job,
    path: Path,
    request: RenderRequest,
    expected_run: str | None,
    progress: Callable[[str, str], None] | None = None,
) -> Rendered:
    import hashlib

    from mapgen.load import load_plan
    from mapgen.pipeline import render_by_format

    if expected_run is not None and _run_digest(request) != expected_run:
        raise UsageError(
            "this worker's mapgen, rendering libraries, theme or layout differ from the client's: "
            "install the same versions everywhere"
        )
    loaded = load_plan(path, strict=request.strict, limits=request.limits)
    if job.ready is not None:
        from mapgen.readiness import check_ready
        from mapgen.themes import load_theme

        problems = check_ready(loaded, load_theme(job.ready))
        if problems:
            return Rendered(problems=tuple(_named(p, path, job) for p in problems), not_ready=True)
    identity, by_format = render_by_format(
        loaded, dataclasses.replace(request, formats=list(job.formats)), progress
    )
    return Rendered(
        plan_id=loaded.plan.id,
        revision=loaded.plan.revision,
        fingerprint=identity.fingerprint,
        assets=tuple(plan_assets(loaded.plan)),
        warnings=tuple(_named(w, path, job) for w in loaded.warnings),
        by_format=by_format,
        plan_digest=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


_RUN_DIGESTS: dict[str, str] = {}


def _run_digest(request: RenderRequest) -> str:
    """`run_digest`, computed once per worker process for each kind of request."""
    key = repr(request)
    if key not in _RUN_DIGESTS:
        _RUN_DIGESTS[key] = run_digest(request)
    return _RUN_DIGESTS[key]


def _named(problem: Problem, path: Path, job: Job) -> Problem:
    """A problem found in the worker's copy or absolute path, named after the file the user gave."""
    if problem.file in ("", str(path)):
        return dataclasses.replace(problem, file=job.display)
    return problem


@dataclass(frozen=True, slots=True)
class Peek:
    plan_id: str | None = None
    revision: int | None = None
    assets: tuple[str, ...] = ()


def peek(path: Path) -> Peek:
    """A plan's id, revision and logos from its raw data, without validating it (a few ms)."""
    from mapgen.source import read_plan_data

    try:
        data, _ = read_plan_data(path)
    except (InvalidInput, OSError):
        return Peek()
    if not isinstance(data, dict):
        return Peek()
    plan_id, revision = data.get("id"), data.get("revision")
    logos = [side.get("logo") for side in (data.get("seller"), data.get("buyer")) if isinstance(side, dict)]
    return Peek(
        plan_id if isinstance(plan_id, str) else None,
        revision if isinstance(revision, int) and not isinstance(revision, bool) else None,
        tuple(sorted({logo for logo in logos if isinstance(logo, str) and logo})),
    )
