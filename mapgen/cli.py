"""The `mapgen` command.

Exit codes: 0 success; 2 invalid input or usage (one line per problem, no traceback);
1 an internal error, which is a bug in mapgen (`--debug` shows the traceback).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mapgen import __version__
from mapgen.cli_signoff import sign, verify
from mapgen.errors import InvalidInput, MapgenError, Problem, UsageError

if TYPE_CHECKING:
    from mapgen.pipeline import RenderRequest

EXIT_OK, EXIT_BUG, EXIT_INVALID = 0, 1, 2


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    from mapgen.spec import in_date_range

    try:
        return in_date_range(date.fromisoformat(value))
    except ValueError as exc:
        message = str(exc) if "plan dates" in str(exc) else f"'{value}' is not a date (YYYY-MM-DD)"
        raise click.BadParameter(message) from None


def _counted(singular: str, plural: str, n: int) -> str:
    """`1 action`, `2 actions`: the English plural rule of gettext (the CLI speaks English)."""
    import gettext

    return gettext.NullTranslations().ngettext(singular, plural, n) % {"n": n}


def complete_names(kind: str) -> Callable[[click.Context, click.Parameter, str], list[str]]:
    """Shell completion for a theme, layout, template or format name (user folder and built-in)."""

    def complete(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
        if kind == "formats":
            from mapgen.renderers import format_names

            names = format_names()
        else:
            from mapgen.resources import available

            names = list(available(kind, pattern="*.yaml" if kind == "templates" else "*"))
        return [name for name in names if name.startswith(incomplete)]

    return complete


def complete_feeds(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    """Feed names: all, plan, the sides, and the stakeholder ids of the plans on the command line."""
    names = ["all", "plan", "buyer", "seller"]
    for path in ctx.params.get("plans") or ctx.args:  # completion leaves the plans unparsed in args
        try:
            from mapgen.load import load_plan

            names += [s.id for s in load_plan(path).plan.stakeholders]
        except (MapgenError, OSError):
            continue
    return [name for name in names if name.startswith(incomplete)]


def _report(problems: list[Problem] | tuple[Problem, ...]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


PDF_VARIANTS = (
    "debug", "pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u", "pdf/a-3a", "pdf/a-3b", "pdf/a-3u",
    "pdf/a-4e", "pdf/a-4f", "pdf/a-4u", "pdf/ua-1", "pdf/ua-2", "pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g",
)  # fmt: skip
"""WeasyPrint's variants, listed here so `--help` needs no WeasyPrint import (a test keeps them equal)."""


def _check_pdf_variant(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and value not in PDF_VARIANTS:
        known = ", ".join(PDF_VARIANTS)
        raise click.BadParameter(f"unknown PDF variant '{value}'; known variants: {known}")
    return value


layout_option = click.option(
    "--layout",
    default="standard",
    show_default=True,
    metavar="NAME|PATH",
    shell_complete=complete_names("layouts"),
    help="Layout to use.",
)
theme_option = click.option(
    "--theme",
    default="default",
    show_default=True,
    metavar="NAME|PATH",
    shell_complete=complete_names("themes"),
    help="Theme to use.",
)
plan_paths = click.argument(
    "plans", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PLAN|DIR..."
)
no_cache_option = click.option(
    "--no-cache", is_flag=True, envvar="MAPGEN_NO_CACHE", help="Render everything; read and write no cache."
)
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
limit_option = click.option(
    "--limit",
    "limit_values",
    multiple=True,
    metavar="NAME=N",
    help="Lift a limit for a big plan: actions, stakeholders, phases, objectives, metrics, pdf-pages (see docs/limits.md).",
)
plan_file_output = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Plan file to write.",
)
set_option = click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY.PATH=VALUE",
    help="Set a plan field, such as deal.target_close=2027-03-05 or buyer.name=Acme Corp (repeatable).",
)
force_option = click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")


def _refuse_overwrite(output: Path, force: bool) -> None:
    if output.exists() and not force:
        raise UsageError(f"{output} exists; use --force to overwrite it")


def _write_plan_file(output: Path, text: str) -> Path:
    """Write a plan made by `new` or `import` atomically; return its absolute path."""
    from mapgen.output import write_files
    from mapgen.renderers.base import Artifact

    output = output.resolve()
    write_files(output.parent, [Artifact(output.name, text.encode(), "application/yaml")])
    return output


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="mapgen")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Render Mutual Action Plans into PDF, DOCX, HTML, email, iCalendar and JSON.

    Exit codes: 0 success, 2 invalid input or usage, 1 internal error (a bug).
    """
    ctx.obj = {"debug": debug}


ready_option = click.option(
    "--ready",
    is_flag=True,
    help="Also check the plan is ready to send: no <<placeholders>>, no past or weekend/holiday dates, "
    "go-live after close, signatories with email, objectives and metrics, theme contrast (docs/ready.md).",
)


@cli.command()
@plan_paths
@strict_option
@ready_option
@click.option(
    "--theme",
    default="default",
    show_default=True,
    metavar="NAME|PATH",
    shell_complete=complete_names("themes"),
    help="Theme whose colours --ready checks.",
)
@limit_option
def validate(
    plans: tuple[Path, ...], strict: bool, ready: bool, theme: str, limit_values: tuple[str, ...]
) -> None:
    """Check plans, or every plan in folders: every error and warning, one line each.

    Folders are searched recursively for files with a top-level 'mapgen:' key, as `render` does.
    """
    import mapgen
    from mapgen.limits import Limits
    from mapgen.load import check_plan_file, load_plan

    limits = Limits.parse(limit_values)
    if any(path.is_dir() for path in plans):
        from mapgen.source import find_plans

        plans = tuple(find_plans(plans)[0])
    failed = False
    for path in plans:
        try:
            # Without --ready nothing needs the models: the cached validator starts much faster.
            loaded = (load_plan if ready else check_plan_file)(path, strict=strict, limits=limits)
        except InvalidInput as exc:
            _report(exc.problems)
            failed = True
            continue
        _report(loaded.warnings)
        count = len(loaded.plan.actions()) if ready else loaded.action_count
        summary = _counted("%(n)s action", "%(n)s actions", count) + ", "
        summary += _counted("%(n)s warning", "%(n)s warnings", len(loaded.warnings))
        if ready:
            problems = mapgen.check_ready(loaded, theme=theme)
            if problems:
                _report(problems)
                click.echo(f"{path}: valid ({summary}) but not ready to send", err=True)
                failed = True
                continue
            click.echo(f"{path}: valid and ready to send ({summary})")
            continue
        click.echo(f"{path}: valid ({summary})")
    if failed:
        sys.exit(EXIT_INVALID)


@cli.command()
@plan_paths
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    metavar="FMT[,FMT]",
    shell_complete=complete_names("formats"),
    help="Formats to write (repeatable, comma-separated); all when omitted.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder.",
)
@layout_option
@theme_option
@click.option(
    "--audience",
    type=click.Choice(["buyer", "internal"]),
    default="buyer",
    show_default=True,
    help="buyer leaves out internal actions and data.",
)
@click.option(
    "--as-of", callback=_parse_date, metavar="DATE", help="Status date (default: the plan's updated)."
)
@click.option("--link", metavar="URL", help="URL of the full plan, for buttons and calendar descriptions.")
@click.option(
    "--feed",
    default="all",
    show_default=True,
    metavar="all|plan|buyer|seller|STAKEHOLDER",
    shell_complete=complete_feeds,
    help="Which calendar feeds the ics format writes: all, the plan's, a side's or a stakeholder's.",
)
@click.option(
    "--pdf-variant",
    metavar="VARIANT",
    callback=_check_pdf_variant,
    shell_complete=lambda _ctx, _param, incomplete: [v for v in PDF_VARIANTS if v.startswith(incomplete)],
    help=f"PDF variant, one of: {', '.join(PDF_VARIANTS)}. pdf/a-3b attaches the plan JSON; "
    "pdf/ua-1 declares accessibility conformance.",
)
@click.option(
    "--digest-days",
    type=click.IntRange(0, 366),
    default=7,
    show_default=True,
    metavar="N",
    help="Digests list open actions due within N days (besides stalled, overdue and blocked ones).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="The public URL of `mapgen serve` for this plan's folder: digests and drafts then link to "
    "the plan's and each person's landing page (tokens from the folder's secret).",
)
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --base-url: the served folder's secret. [default: .mapgen-secret beside the plan or one folder up]",
)
@click.option(
    "--since",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OLD_PLAN",
    help='An earlier revision: adds "What changed since revision N" (shared changes only for the buyer).',
)
@strict_option
@limit_option
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another render into the same output folder to finish.",
)
@ready_option
@click.option("-q", "--quiet", is_flag=True, help="Do not list the files written; no progress line.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1),
    metavar="N",
    help="Worker processes for plans that are not cached [default: the usable CPUs].",
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="Write every plan that renders even if others fail (always so for folders); exit 4 if some failed.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MAPGEN_CACHE_DIR",
    metavar="DIR",
    help="Render cache folder [default: the user's cache folder, e.g. ~/.cache/mapgen].",
)
@no_cache_option
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Render on a Dask cluster, e.g. tcp://scheduler:8786 (needs pip install 'mapgen[cluster]').",
)
def render(
    plans: tuple[Path, ...],
    formats: tuple[str, ...],
    out_dir: Path,
    layout: str,
    theme: str,
    audience: str,
    as_of: date | None,
    link: str | None,
    feed: str,
    pdf_variant: str | None,
    digest_days: int,
    base_url: str | None,
    secret_file: Path | None,
    since: Path | None,
    strict: bool,
    limit_values: tuple[str, ...],
    wait: float,
    ready: bool,
    quiet: bool,
    jobs: int | None,
    keep_going: bool,
    cache_dir: Path | None,
    no_cache: bool,
    scheduler: str | None,
) -> None:
    """Render plans, or every plan in folders, into OUT/<id>.<format>.

    Plan files named one by one are all or nothing: nothing is written unless every plan renders
    (exit 2). Folders (searched recursively for files with a top-level 'mapgen:' key) and
    --keep-going write each plan that renders; exit 4 says some failed. Unchanged plans are
    copied from the render cache; see docs/batch.md. Each plan's files are listed, with their
    SHA-256, in OUT/<id>.manifest.json, written last. With --ready, a plan that is not ready to send
    fails like an invalid one (see validate --ready).
    """
    from mapgen.audience import Audience
    from mapgen.limits import Limits
    from mapgen.output import write_sets
    from mapgen.pipeline import RenderRequest, load_all, parse_formats, render_set
    from mapgen.renderers.base import RenderOptions

    if link is not None and not link.startswith(("https://", "http://")):
        raise UsageError(f"--link must be an http(s) URL, got {link!r}")
    request = RenderRequest(
        formats=parse_formats(formats),
        audience=Audience(audience),
        as_of=as_of,
        layout=layout,
        theme=theme,
        strict=strict,
        options=RenderOptions(link=link, feed=feed, pdf_variant=pdf_variant, digest_days=digest_days),
        limits=Limits.parse(limit_values),
    )
    if since is None and base_url is None and secret_file is None:
        options = BatchOptions(quiet, jobs, keep_going, cache_dir, no_cache, scheduler, wait, ready)
        _render_batch(request, plans, out_dir, options)
        return
    if any(path.is_dir() for path in plans):
        raise UsageError("--since and --base-url take plan files, not folders")
    loaded = load_all(list(plans), strict=strict, limits=request.limits)
    if base_url is not None:
        from dataclasses import replace

        from mapgen.serve.config import normalise_base_url
        from mapgen.serve.urls import served_links

        if len(loaded) != 1:
            raise UsageError("--base-url links one plan to its landing pages: render one plan at a time")
        plan_link, person_links = served_links(
            loaded[0],
            normalise_base_url(base_url),
            secret_file,
            internal=request.audience.value == "internal",
        )
        options = replace(request.options, link=link or plan_link, person_links=person_links)
        request = replace(request, options=options)
    elif secret_file is not None:
        raise UsageError("--secret-file goes with --base-url")
    if since is not None:
        from dataclasses import replace

        from mapgen.diff import changes_since

        changes = changes_since(since, [item.plan for item in loaded], request.audience)
        request = replace(request, options=replace(request.options, changes=changes))
        if changes.plan_id != loaded[0].plan.id:
            click.echo(
                f"{since}: warning: plan id '{changes.plan_id}' differs from '{loaded[0].plan.id}'; "
                "check that it is an earlier revision of the same plan",
                err=True,
            )
    for item in loaded:
        _report(item.warnings)
    if ready:
        import mapgen

        problems = [p for item in loaded for p in mapgen.check_ready(item, theme=theme)]
        if problems:
            _report(problems)
            raise UsageError("not ready to send: nothing written (see the problems above; docs/ready.md)")
    from mapgen.progress import Progress

    sets = []
    total = len(loaded) * len(request.formats)
    with Progress(sys.stderr, total, enabled=not quiet and sys.stderr.isatty()) as progress:
        for item in loaded:
            sets.append(render_set(item, request, progress=progress.step))
    notice = lambda message: click.echo(f"{message} (up to {wait:g} s)", err=True)  # noqa: E731
    for path in write_sets(out_dir, sets, wait=wait, on_wait=notice):
        if not quiet:
            click.echo(str(path))


@dataclass(frozen=True, slots=True)
class BatchOptions:
    quiet: bool
    jobs: int | None
    keep_going: bool
    cache_dir: Path | None
    no_cache: bool
    scheduler: str | None
    wait: float
    ready: bool


def _render_batch(
    request: RenderRequest, plans: tuple[Path, ...], out_dir: Path, options: BatchOptions
) -> None:
    """`render` without --since: through the cache and worker processes (mapgen.batch)."""
    from mapgen.batch import Batch, NotReady, PlanResult, usable_cpus
    from mapgen.cache import open_cache
    from mapgen.progress import Progress
    from mapgen.source import find_plans

    quiet = options.quiet
    try:
        store = open_cache(options.cache_dir, enabled=not options.no_cache)
    except UsageError as exc:
        if options.cache_dir is not None:
            raise
        # The default folder is only a speed-up: a read-only or missing home still renders.
        click.echo(f"mapgen: {exc}; rendering without the cache (--no-cache skips it)", err=True)
        store = None
    paths, folders = find_plans(plans, skip=[out_dir, *([store.root] if store else [])])
    many = folders or len(paths) > 1
    keep_going = options.keep_going or folders
    show_bar = not quiet and sys.stderr.isatty()
    deferred: list[tuple[str, bool]] = []

    def say(text: str, err: bool = False) -> None:
        if show_bar:
            deferred.append((text, err))
        else:
            click.echo(text, err=err)

    total = len(paths) * len(request.formats)
    with Progress(sys.stderr, total, enabled=show_bar) as progress:

        def on_plan(result: PlanResult) -> None:
            for warning in result.warnings:
                say(str(warning), True)
            for problem in result.problems if keep_going else ():  # else raised at the end, once
                say(str(problem), True)
            if result.bug and keep_going:
                say(f"{result.path}: internal error: {result.bug} (a bug in mapgen)", True)
            if result.status == "skipped":
                say(f"{result.path}: skipped: {result.note}", True)
            if not quiet:
                for path in result.written:
                    say(str(path))

        batch = Batch(
            request,
            out_dir,
            cache=store,
            jobs=options.jobs or usable_cpus(),
            scheduler=options.scheduler,
            keep_going=keep_going,
            on_plan=on_plan,
            ready=options.ready,
            on_format=progress.step,
            wait=options.wait,
            on_wait=lambda message: click.echo(f"{message} (up to {options.wait:g} s)", err=True),
        )
        try:
            summary = batch.run(paths)
        except NotReady as exc:
            _report(exc.problems)
            raise UsageError(
                "not ready to send: nothing written (see the problems above; docs/ready.md)"
            ) from None
    for text, err in deferred:
        click.echo(text, err=err)
    if not keep_going and not quiet:
        for path in summary.written:
            click.echo(str(path))
    if many and not quiet:
        click.echo(summary.line(), err=True)
    for result in summary.results:
        if result.status == "failed":
            first = (
                str(result.problems[0]) if result.problems else f"{result.path}: internal error: {result.bug}"
            )
            more = len(result.problems) - 1
            click.echo(f"  failed: {first}{f' (and {more} more)' if more > 0 else ''}", err=True)
    if summary.exit_code:
        sys.exit(summary.exit_code)


@cli.group("cache")
def cache_group() -> None:
    """The render cache: unchanged plans are copied from it instead of rendered again."""


cache_dir_option = click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MAPGEN_CACHE_DIR",
    metavar="DIR",
    help="Cache folder [default: the user's cache folder].",
)


@cache_group.command("dir")
@cache_dir_option
def cache_dir_command(cache_dir: Path | None) -> None:
    """Print the cache folder."""
    from mapgen.cache import default_cache_dir

    click.echo(str(cache_dir or default_cache_dir()))


@cache_group.command()
@cache_dir_option
@click.option(
    "--older-than",
    default="30d",
    show_default=True,
    metavar="AGE",
    help="Remove entries not used for this long: 45s, 90m, 12h, 30d, 2w.",
)
@click.option(
    "--max-size", metavar="SIZE", help="Then remove the least recently used past this size: 500M, 2G."
)
@click.option("--all", "everything", is_flag=True, help="Remove every entry.")
def prune(cache_dir: Path | None, older_than: str, max_size: str | None, everything: bool) -> None:
    """Remove cache entries unused for a while (and those left by killed runs)."""
    from mapgen.cache import Cache, default_cache_dir, parse_duration, parse_size

    root = cache_dir or default_cache_dir()
    age = 0.0 if everything else parse_duration(older_than)
    size = 0 if everything else (parse_size(max_size) if max_size else None)
    removed, freed, kept, kept_size = Cache(root).prune(older_than=age, max_size=size)
    click.echo(
        f"{root}: removed {removed} entries ({freed / 1e6:.1f} MB); {kept} entries ({kept_size / 1e6:.1f} MB) kept"
    )


@cli.command()
@click.option(
    "--template",
    "-t",
    required=True,
    metavar="NAME|PATH",
    shell_complete=complete_names("templates"),
    help="Template name or file.",
)
@plan_file_output
@set_option
@force_option
@click.option(
    "--theme",
    metavar="NAME|PATH",
    shell_complete=complete_names("themes"),
    help="Theme whose seller: block gives the seller's name and website [default: $MAPGEN_HOME/seller.yaml].",
)
def new(template: str, output: Path, assignments: tuple[str, ...], force: bool, theme: str | None) -> None:
    """Make a plan from a template: values set, every date made absolute.

    The seller's name and website come from --theme's seller: block or $MAPGEN_HOME/seller.yaml
    when the template has only a placeholder for them (docs/themes.md).
    """
    from mapgen.branding import brand_for
    from mapgen.instantiate import instantiate
    from mapgen.resources import find

    _refuse_overwrite(output, force)
    brand = None
    if theme is not None:
        from mapgen.themes import load_theme

        brand = brand_for(load_theme(theme))
    else:
        brand = brand_for(None)
    text = instantiate(
        find("templates", template, pattern="*.yaml"), list(assignments), today=date.today(), brand=brand
    )
    click.echo(str(_write_plan_file(output, text)))


@cli.command("import")
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
@plan_file_output
@click.option(
    "--columns",
    metavar="MAPPING",
    help='Full header text to field, such as "Task Name=action,Owner (Us)=owner:seller,Notes 2=ignore".',
)
@click.option(
    "--date-format",
    metavar="FMT",
    help="The sheet's date format, such as DD/MM/YYYY or %d.%m.%Y; needed when dates could be day or month first.",
)
@click.option("--sheet", "sheet_name", metavar="NAME", help="Worksheet of an xlsx file (default: the first).")
@set_option
@force_option
def import_(
    sheet: Path,
    output: Path,
    columns: str | None,
    date_format: str | None,
    sheet_name: str | None,
    assignments: tuple[str, ...],
    force: bool,
) -> None:
    """Make a plan from a MAP spreadsheet (CSV or XLSX); problems are listed by row and column."""
    from mapgen.sheets.options import ImportOptions, import_sheet

    _refuse_overwrite(output, force)
    options = ImportOptions(columns, date_format, sheet_name, assignments, date.today())
    result = import_sheet(sheet, options)
    _report(result.warnings)
    written = _write_plan_file(output, result.text)
    click.echo(
        f"{written}: "
        + ", ".join(
            (
                _counted("%(n)s action", "%(n)s actions", result.actions),
                _counted("%(n)s stakeholder", "%(n)s stakeholders", result.stakeholders),
                _counted("%(n)s phase", "%(n)s phases", result.phases),
            )
        )
    )
    for reading in result.readings:
        click.echo(f"  {reading}")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="JSON Schema, or the Markdown field reference (docs/spec.md).",
)
def schema(fmt: str) -> None:
    """Print the plan's JSON Schema (or the field reference)."""
    from mapgen.specdoc import json_schema, spec_reference

    if fmt == "markdown":
        click.echo(spec_reference(), nl=False)
    else:
        click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path), metavar="OLD_PLAN")
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path), metavar="NEW_PLAN")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="How to print the changes.",
)
@click.option(
    "--audience",
    type=click.Choice(["buyer", "internal"]),
    default="buyer",
    show_default=True,
    help="buyer (safe to paste to the buyer) lists only shared changes; internal lists every change.",
)
def diff(old: Path, new: Path, fmt: str, audience: str) -> None:
    """Summarise what changed between two revisions of a plan, most important first."""
    from mapgen.audience import Audience
    from mapgen.diff import as_json, as_markdown, as_text, compare, comparison_warnings
    from mapgen.load import load_plan

    before, after = load_plan(old), load_plan(new)
    for warning in comparison_warnings(before, after):
        click.echo(warning, err=True)
    changes = compare(before.plan, after.plan, Audience(audience))
    click.echo({"text": as_text, "markdown": as_markdown, "json": as_json}[fmt](changes), nl=False)


@cli.command()
def formats() -> None:
    """List output formats."""
    from mapgen.renderers import FORMATS

    for info in FORMATS:
        click.echo(f"{info.name}\t{info.summary}")


def _list_dirs(kind: str, describe_file: str) -> None:
    import yaml

    from mapgen.resources import available

    for name, path in available(kind).items():
        if not path.is_dir():
            continue
        description = ""
        meta = path / describe_file
        if meta.is_file():
            data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
            description = str(data.get("description", "")) if isinstance(data, dict) else ""
        click.echo(f"{name}\t{description}".rstrip())


@cli.command()
def layouts() -> None:
    """List layouts (user folder first, then built-in)."""
    _list_dirs("layouts", "layout.yaml")


@cli.command()
def themes() -> None:
    """List themes (user folder first, then built-in)."""
    _list_dirs("themes", "theme.yaml")


@cli.command()
def templates() -> None:
    """List plan templates for `mapgen new`."""
    from mapgen.instantiate import template_description
    from mapgen.resources import available

    for name, path in available("templates", pattern="*.yaml").items():
        click.echo(f"{name}\t{template_description(path)}".rstrip())


served_folder = click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="DIR"
)
secret_option = click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Secret the URL tokens derive from; created (mode 0600) when missing. Replacing it "
    "revokes every URL. [default: DIR/.mapgen-secret]",
)


def _note_non_plans(directory: Path) -> None:
    """Say once which YAML/JSON files in a served folder are not plans (no top-level `mapgen:`)."""
    from mapgen.serve.store import candidate_files
    from mapgen.source import is_plan_file

    skipped = [path for path in candidate_files(directory) if not is_plan_file(path)]
    if skipped:
        names = ", ".join(str(path.relative_to(directory)) for path in skipped)
        click.echo(f"note: not plans (no top-level 'mapgen:' key), ignored: {names}", err=True)


@cli.command()
@served_folder
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@secret_option
@click.option(
    "--base-url", metavar="URL", help="The server's public URL; calendar events then link to the plan."
)
@layout_option
@theme_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1), help="Worker processes.")
@cache_dir_option
@no_cache_option
@click.option(
    "--forwarded-allow-ips",
    metavar="IPS",
    help="Trust X-Forwarded-* headers from these proxy addresses (comma-separated, or *).",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve(
    directory: Path,
    host: str,
    port: int,
    secret_file: Path | None,
    base_url: str | None,
    layout: str,
    theme: str,
    workers: int,
    cache_dir: Path | None,
    no_cache: bool,
    forwarded_allow_ips: str | None,
    log_level: str,
) -> None:
    """Publish every plan in DIR (and one folder down) at unguessable URLs; see `mapgen feeds`."""
    from mapgen.serve.config import ServeConfig, normalise_base_url
    from mapgen.tokens import load_or_create_secret, secret_is_private

    config = ServeConfig(
        directory=directory,
        secret_file=secret_file,
        base_url=normalise_base_url(base_url) if base_url else None,
        layout=layout,
        theme=theme,
        cache_dir=str(cache_dir.resolve()) if cache_dir else None,
        cache=not no_cache,
    )
    load_or_create_secret(config.secret_path)
    if not secret_is_private(config.secret_path):
        click.echo(f"warning: {config.secret_path} is readable by other users: chmod 600 it", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: serve it to others only behind an https proxy", err=True)
    from mapgen.serve.store import find_plan_files

    _note_non_plans(directory)
    if not find_plan_files(directory):
        click.echo(f"note: no plan files in {directory} yet; new ones are served as they appear", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"URLs: mapgen feeds {directory} --base-url {base_url or f'http://{shown}:{port}'}", err=True)
    from mapgen.serve.run import run

    run(
        config,
        host=host,
        port=port,
        workers=workers,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level=log_level,
    )


@cli.command()
@served_folder
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    metavar="URL",
    help="The server's public URL, as subscribers reach it.",
)
@secret_option
@click.option("--internal", is_flag=True, help="The internal URLs (seller team only) instead of the buyer's.")
@click.option(
    "--documents",
    is_flag=True,
    help="Also the URL of each plan's page, PDF, DOCX, email and JSON (text only).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
    help="text: tab-separated lines; csv and json: with a header / keys, for mail merge or a CRM.",
)
def feeds(
    directory: Path, base_url: str, secret_file: Path | None, internal: bool, documents: bool, fmt: str
) -> None:
    """Print one row per feed: file, https URL, webcal URL, landing page, name, email, side, role.

    Plan and side feeds carry the plan's title or the side's organisation as the name, and the
    plan's landing page; a stakeholder's feed carries their own landing page.
    """
    from mapgen.load import load_plan
    from mapgen.serve.config import normalise_base_url
    from mapgen.serve.store import find_plan_files, newest_revisions
    from mapgen.serve.urls import FEED_COLUMNS, document_urls, feed_rows
    from mapgen.tokens import default_secret_path, load_or_create_secret

    base = normalise_base_url(base_url)
    if documents and fmt != "text":
        raise UsageError(
            "--documents lists document URLs as text; csv and json give each plan's landing page"
        )
    found, failed = [], False
    _note_non_plans(directory)
    for path in find_plan_files(directory):
        try:
            found.append(load_plan(path))
        except InvalidInput as exc:
            _report(exc.problems)
            failed = True
    newest, hidden = newest_revisions(found, lambda loaded: loaded.plan)
    for older, winner in hidden:
        if older.plan.revision == winner.plan.revision:
            click.echo(
                f"{older.path}: same plan id '{older.plan.id}' and revision as {winner.path}; skipped",
                err=True,
            )
            failed = True
    plans = sorted(newest.values(), key=lambda p: p.plan.id)
    if not plans and not failed:
        click.echo(
            f"note: no plan files in {directory} (*.yaml, *.yml, *.json, or one folder down)", err=True
        )
    secret = load_or_create_secret(secret_file or default_secret_path(directory))
    rows = feed_rows(secret, plans, base, internal=internal)
    if fmt == "json":
        click.echo(json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(FEED_COLUMNS)
        writer.writerows([getattr(row, column) for column in FEED_COLUMNS] for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        for row in rows:
            fields = (row.file, row.url, row.webcal, row.landing, row.name, row.email, row.side, row.role)
            click.echo("\t".join(fields))
        if documents:
            for name, url in document_urls(secret, plans, base, internal=internal):
                click.echo(f"{name}\t{url}")
    if not base.startswith("https://"):
        click.echo(
            "note: Google Calendar and Outlook.com fetch feeds from the internet over https: "
            "pass --base-url with the server's public https URL",
            err=True,
        )
    if failed:
        sys.exit(EXIT_INVALID)


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="OUT_DIR")
@click.option("--dry-run", is_flag=True, help="Print who would get what; connect to nothing.")
@click.option("--drafts", is_flag=True, help="Also send the plan drafts (<id>.eml), not only the digests.")
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="Retries of a temporary failure (4xx, dropped connection), with growing pauses.",
)
def send(out_dir: Path, dry_run: bool, drafts: bool, retries: int) -> None:
    """Deliver the digests (<id>.<person>.digest.eml) in OUT_DIR over SMTP.

    The server comes from MAPGEN_SMTP_HOST, _PORT, _SECURITY (starttls, tls, none), _USER,
    _PASSWORD and _FROM. Digests of people without an email address are left out with a note.
    Exit 2 when a message could not be delivered to every recipient or a file could not be read.
    """
    from mapgen.send import Mailer, NoRecipient, Result, SmtpSettings, collect, prepare, stale_digests

    settings = None if dry_run else SmtpSettings.from_environment()
    files = collect(out_dir, drafts=drafts)
    if not files:
        click.echo(f"note: no {'.eml' if drafts else '.digest.eml'} files in {out_dir}", err=True)
    stale = stale_digests(files)
    counts = dict.fromkeys(Result, 0)
    skipped = unaddressed = 0
    mailer = None if settings is None else Mailer(settings, retries=retries)
    try:
        for path in files:
            if path in stale:
                click.echo(f"left out {path.name}: {stale[path]}", err=True)
                continue
            try:
                outgoing = prepare(path, settings.sender if settings else None)
            except NoRecipient as exc:
                click.echo(f"left out {exc}", err=True)
                unaddressed += 1
                continue
            except UsageError as exc:
                click.echo(f"skipped {exc}", err=True)
                skipped += 1
                continue
            if mailer is None:
                click.echo(
                    f"would send {path.name}: {outgoing.subject!r} to {', '.join(outgoing.recipients)}"
                )
                counts[Result.SENT] += len(outgoing.recipients)
                continue
            for outcome in mailer.deliver(outgoing):
                counts[outcome.result] += 1
                detail = f": {outcome.detail}" if outcome.detail else ""
                line = f"{outcome.result.value} {path.name} to {outcome.recipient}{detail}"
                click.echo(line, err=outcome.result in (Result.REFUSED, Result.GAVE_UP))
    finally:
        if mailer is not None:
            mailer.close()
    verb = "would send" if dry_run else "sent"
    click.echo(
        f"{len(files)} file(s): {verb} {counts[Result.SENT]}, refused {counts[Result.REFUSED]}, "
        f"gave up {counts[Result.GAVE_UP]}, already sent {counts[Result.DUPLICATE]}, skipped {skipped}, "
        f"older digests left out {len(stale)}, without an address {unaddressed}",
        err=True,
    )
    if counts[Result.REFUSED] or counts[Result.GAVE_UP] or skipped:
        sys.exit(EXIT_INVALID)


cli.add_command(verify)
cli.add_command(sign)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the command and turns every failure into its documented exit code."""
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    # mapgen uses no pydantic plugins: skip pydantic's scan of every installed package's entry points.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        cli.main(args=argv, prog_name="mapgen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_INVALID)
    except InvalidInput as exc:
        _report(exc.problems)
        sys.exit(exc.exit_code)
    except MapgenError as exc:
        click.echo(f"mapgen: {exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if debug:
            raise
        click.echo(f"mapgen: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("This is a bug in mapgen; run again with --debug for the traceback.", err=True)
        sys.exit(EXIT_BUG)
    sys.exit(EXIT_OK)
