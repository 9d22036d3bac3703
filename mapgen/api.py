"""The Python API: what `import mapgen` offers a web app, a notebook or a script.

The `mapgen` command is built on these functions, so a program gets exactly what the CLI does:
`load_plan` -> `validate` / `check_ready` -> `render` (bytes in memory) -> `write` (atomic files).
Input problems raise `InvalidInput` (its `.problems` list each with file, line and field path);
nothing here prints, exits, reads the clock or writes a file except `write`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapgen.errors import InvalidInput, Problem, UsageError
from mapgen.load import LoadedPlan

if TYPE_CHECKING:
    from mapgen.output import ArtifactSet
    from mapgen.renderers.base import Artifact

PlanSource = LoadedPlan | str | os.PathLike[str] | Mapping[str, Any]
"""A plan file's path, already-parsed plan data (a dict as read from YAML or JSON), or a loaded plan."""

Progress = Callable[[str, str], None]
"""Called with (plan id, format name) before each format of each plan is rendered."""


def load_plan(
    source: PlanSource, *, base_dir: str | os.PathLike[str] | None = None, strict: bool = False
) -> LoadedPlan:
    """Load and check a plan from a file path or from parsed data; raise `InvalidInput` if it is invalid.

    Data (a mapping) has no file: its logos are looked up in `base_dir` (default: the current
    folder). With `strict`, warnings are errors too. Warnings of a valid plan are in `.warnings`.
    """
    if isinstance(source, LoadedPlan):
        return source
    if isinstance(source, Mapping):
        from mapgen.load import load_data, raise_errors

        folder = Path(base_dir or ".").resolve()
        plan, problems = load_data(dict(source), folder)
        named = [Problem(p.message, p.path, "<data>", None, p.severity) for p in problems]
        raise_errors(named, strict)
        return LoadedPlan(plan=plan, path=folder / "<data>", warnings=tuple(named))
    from mapgen.load import load_plan as load_file

    return load_file(Path(source), strict=strict)


def validate(
    source: PlanSource, *, strict: bool = False, ready: bool = False, theme: str = "default"
) -> list[Problem]:
    """Every problem of a plan (errors and warnings), or [] when it is clean; never raises for bad input.

    With `ready`, also every reason it is not ready to send (see `check_ready`), checked with `theme`.
    """
    try:
        loaded = load_plan(source, strict=strict)
    except InvalidInput as exc:
        return list(exc.problems)
    problems = list(loaded.warnings)
    if ready:
        try:
            problems += check_ready(loaded, theme=theme)
        except InvalidInput as exc:
            problems += exc.problems
    return problems


def check_ready(plan: PlanSource, *, theme: str | None = "default") -> list[Problem]:
    """Why a valid plan is not ready to send to a buyer (placeholders, past or closed-day dates,
    go-live before close, signatories without email, empty objectives or metrics, theme contrast)."""
    from mapgen.readiness import check_ready as readiness

    loaded = load_plan(plan)
    resolved = None
    if theme is not None:
        from mapgen.themes import load_theme

        resolved = load_theme(theme)
    return readiness(loaded, resolved)


def render(
    plan: PlanSource,
    formats: str | Iterable[str] | None = None,
    *,
    audience: str = "buyer",
    as_of: date | None = None,
    layout: str = "standard",
    theme: str = "default",
    link: str | None = None,
    feed: str = "all",
    pdf_variant: str | None = None,
    since: PlanSource | None = None,
    ready: bool = False,
    progress: Progress | None = None,
) -> list[Artifact]:
    """Render one plan into every format asked for (all when None), in memory.

    Each `Artifact` has the file `name` mapgen would write, the `data` bytes and the `media_type`:
    serve them from a web app, or pass them to `write`. `since` (an older revision) adds "What
    changed". With `ready`, a plan that is not ready raises `InvalidInput` and nothing is rendered.
    """
    options = dict(audience=audience, as_of=as_of, layout=layout, theme=theme, link=link, feed=feed)
    rendered = render_set(plan, formats, **options, pdf_variant=pdf_variant, since=since, ready=ready,
                          progress=progress)  # fmt: skip
    return list(rendered.artifacts)


def render_set(
    plan: PlanSource,
    formats: str | Iterable[str] | None = None,
    *,
    audience: str = "buyer",
    as_of: date | None = None,
    layout: str = "standard",
    theme: str = "default",
    link: str | None = None,
    feed: str = "all",
    pdf_variant: str | None = None,
    since: PlanSource | None = None,
    ready: bool = False,
    progress: Progress | None = None,
) -> ArtifactSet:
    """Like `render`, with what identifies the render (plan id, revision, fingerprint, audience):
    what `write` records in the folder's `<id>.manifest.json`, as `mapgen render` does."""
    from dataclasses import replace

    from mapgen.audience import Audience
    from mapgen.pipeline import RenderRequest, parse_formats
    from mapgen.pipeline import render_set as render_one
    from mapgen.renderers.base import RenderOptions

    loaded = load_plan(plan)
    names = parse_formats([formats] if isinstance(formats, str) else formats or [])
    request = RenderRequest(
        formats=names,
        audience=Audience(audience),
        as_of=as_of,
        layout=layout,
        theme=theme,
        options=RenderOptions(link=link, feed=feed, pdf_variant=pdf_variant),
    )
    if ready:
        problems = check_ready(loaded, theme=theme)
        if problems:
            raise InvalidInput(problems)
    if since is not None:
        from mapgen.diff import compare

        old = load_plan(since).plan
        if old.revision > loaded.plan.revision:
            raise UsageError(f"the older plan is revision {old.revision}, later than {loaded.plan.revision}")
        changes = compare(old, loaded.plan, request.audience)
        request = replace(request, options=replace(request.options, changes=changes))
    return render_one(loaded, request, progress=progress)


def write(
    rendered: ArtifactSet | Sequence[ArtifactSet] | Sequence[Artifact],
    out_dir: str | os.PathLike[str],
    *,
    wait: float = 600.0,
) -> list[Path]:
    """Write rendered files into `out_dir` (created if needed); return the paths written.

    Artifact sets (`render_set`) are written as `mapgen render` writes them: under a folder lock
    (waiting up to `wait` seconds for another writer), staged, with `<id>.manifest.json` last.
    A plain list of artifacts (`render`) is written the same way without a manifest.
    """
    from mapgen.output import ArtifactSet, write_files, write_sets

    items = [rendered] if isinstance(rendered, ArtifactSet) else list(rendered)
    if items and all(isinstance(item, ArtifactSet) for item in items):
        return write_sets(Path(out_dir), items, wait=wait)  # type: ignore[arg-type]
    return write_files(Path(out_dir), items, wait=wait)  # type: ignore[arg-type]


def formats() -> list[str]:
    """Names of the output formats, in the order `render` writes them."""
    from mapgen.renderers import format_names

    return format_names()
