"""The plans a server publishes: found in a folder, loaded, rendered on demand and cached.

A plan is re-rendered only when something it is rendered from changed: its file and logos
(checked with `stat` on every request for it), the theme and layout (checked with the folder
listing, every `rescan_seconds`), or the secret (its tokens are inside calendar links). A plan
file that becomes invalid keeps serving its last good version; the problem goes to the log and
to `health()`. The plan id always comes from the loaded plan, never from a request path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mapgen.audience import Audience
from mapgen.cache import Cache
from mapgen.errors import InvalidInput, MapgenError, Problem, UsageError
from mapgen.load import LoadedPlan, load_plan
from mapgen.renderers import format_names, get_renderer
from mapgen.serve.config import ServeConfig
from mapgen.source import PLAN_SUFFIXES, is_plan_file
from mapgen.spec import Plan
from mapgen.tokens import (
    Grant,
    grants_for,
    load_or_create_secret,
    make_token,
    read_secret,
)

log = logging.getLogger("mapgen.serve")

Signature = tuple[tuple[int, int, int] | None, ...]


@dataclass(frozen=True, slots=True)
class Resource:
    """One published file: its bytes and what the HTTP response says about them."""

    name: str
    data: bytes
    media_type: str
    etag: str
    last_modified: int
    """Seconds since the epoch: the newest input it was rendered from."""


@dataclass(frozen=True, slots=True)
class _Good:
    """The last version of a plan file that loaded: replaced whole, so readers need no lock."""

    loaded: LoadedPlan
    generation: int
    modified: int
    stat: tuple[int, int, int] | None = None
    """The plan file's `stat` when it was loaded: the render cache is used only while it holds."""


@dataclass(slots=True)
class _Entry:
    path: Path
    name: str
    """The path relative to the served folder: what the log and the health report show."""
    signature: Signature | None = None
    good: _Good | None = None
    errors: list[str] = field(default_factory=list)
    render_errors: dict[str, str] = field(default_factory=dict)
    cache: dict[tuple[str, str], tuple[tuple[int, int, int], dict[str, Resource]]] = field(
        default_factory=dict
    )
    """(audience, format) -> (validity stamp, resources by file name)."""


@dataclass(frozen=True, slots=True)
class PlanVersions:
    """A served plan, its previous revision if one is kept beside it, and the served secret."""

    current: LoadedPlan
    previous: LoadedPlan | None
    stamp: tuple[object, ...]
    modified: int
    secret: bytes


class RenderFailed(Exception):
    """A format failed to render and no earlier version of it is cached."""


def etag_of(data: bytes) -> str:
    """A strong ETag for a response body."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _signature(path: Path, loaded: LoadedPlan | None) -> Signature:
    """`stat` of a plan file and of the logos it names."""
    paths = [path]
    if loaded is not None:
        plan = loaded.plan
        paths += [path.parent / logo for logo in (plan.seller.logo, plan.buyer.logo) if logo]
    return tuple(_stat(p) for p in paths)


T = TypeVar("T")


def _open_cache(config: ServeConfig) -> Cache | None:
    """The render cache shared with `mapgen render`, so a restart does not render unchanged plans."""
    from mapgen.cache import open_cache

    try:
        return open_cache(Path(config.cache_dir) if config.cache_dir else None, enabled=config.cache)
    except MapgenError as exc:
        log.warning("%s: rendering without a cache", exc)
        return None


def newest_revisions(items: list[T], plan_of: Callable[[T], Plan]) -> tuple[dict[str, T], list[tuple[T, T]]]:
    """The item with the highest revision of each plan id, and each (hidden item, winner) pair.

    Earlier revisions kept beside the current one (plan-r4.yaml, for --since and diff) are normal;
    among equal revisions the first item wins and the caller reports the others.
    """
    winners: dict[str, T] = {}
    hidden: list[tuple[T, T]] = []
    for item in items:
        plan = plan_of(item)
        current = winners.get(plan.id)
        if current is None:
            winners[plan.id] = item
        elif plan.revision > plan_of(current).revision:
            hidden.append((current, item))
            winners[plan.id] = item
        else:
            hidden.append((item, current))
    return winners, hidden


def find_plan_files(directory: Path) -> list[Path]:
    """Plan files directly in `directory` or one folder down; hidden names and non-plans are skipped."""
    return [path for path in candidate_files(directory) if is_plan_file(path)]


def candidate_files(directory: Path) -> list[Path]:
    """YAML and JSON files directly in `directory` or one folder down, hidden names skipped."""
    found: list[Path] = []
    try:
        top = sorted(directory.iterdir())
    except OSError:
        return []
    for entry in top:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            try:
                found += sorted(
                    p
                    for p in entry.iterdir()
                    if p.suffix.lower() in PLAN_SUFFIXES and not p.name.startswith(".") and p.is_file()
                )
            except OSError:
                continue
        elif entry.suffix.lower() in PLAN_SUFFIXES and entry.is_file():
            found.append(entry)
    return found


class PlanStore:
    """Plans, tokens and rendered bytes for one served folder. Safe to use from many threads."""

    def __init__(self, config: ServeConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.directory = config.directory.resolve()
        self._clock = clock
        self._lock = threading.RLock()
        self._render_lock = threading.Lock()
        self._entries: dict[Path, _Entry] = {}
        self._kinds: dict[Path, tuple[tuple[int, int, int] | None, bool]] = {}
        """Whether each candidate file is a plan, by its stat: a rescan reads only changed files."""
        self._by_plan: dict[str, _Entry] = {}
        self._grants: dict[str, Grant] = {}
        self._previous: dict[str, _Entry] = {}
        self._secret: bytes | None = None
        self._secret_signature: tuple[int, int, int] | None = None
        self._secret_generation = 0
        self._secret_error: str | None = None
        self._revocations = 0
        """How often the secret was replaced or removed while serving (each revokes every URL)."""
        self._assets_signature: Signature | None = None
        self._assets_generation = 0
        self._assets_modified = 0
        self._assets_error: str | None = None
        self._last_scan = float("-inf")
        self._cache = _open_cache(config)
        self.refresh(force=True)

    # ------------------------------------------------------------------ freshness

    def refresh(self, *, force: bool = False) -> None:
        """Check the secret; list the folder and check theme and layout when due (or forced)."""
        secret_changed = _stat(self.config.secret_path) != self._secret_signature
        scan_due = force or self._clock() - self._last_scan >= self.config.rescan_seconds
        if not (secret_changed or scan_due):
            return
        with self._lock:
            changed = self._check_secret()
            if scan_due:
                self._last_scan = self._clock()
                changed |= self._scan()
                self._check_assets()
            if changed:
                self._rebuild_grants()

    def _check_secret(self) -> bool:
        """Read the secret; create it only when the server starts. A secret that disappears while
        serving is a revocation (someone removed it): it is reported, never silently recreated."""
        path = self.config.secret_path
        signature = _stat(path)
        if signature == self._secret_signature and signature is not None:
            return False
        starting = self._secret_generation == 0 and self._secret_error is None
        try:
            if starting:
                secret = load_or_create_secret(path)
            elif signature is None:
                raise UsageError(
                    f"secret file {path} was removed: every URL is revoked; serving nothing until a "
                    "secret is back (restart mapgen serve to create a new one)"
                )
            else:
                secret = read_secret(path)
        except MapgenError as exc:
            if self._secret_error != str(exc):
                log.error("%s: serving nothing until it is fixed", exc)
            self._secret, self._secret_error = None, str(exc)
            self._secret_signature = _stat(path)
            return True
        self._secret_signature = _stat(path)
        self._secret_error = None
        if secret != self._secret:
            if self._secret_generation > 0:
                log.warning("secret file %s changed: every earlier URL is revoked", path)
                self._revocations += 1
            self._secret = secret
            self._secret_generation += 1
        return True

    def _scan(self) -> bool:
        candidates = candidate_files(self.directory)
        for gone in self._kinds.keys() - set(candidates):
            del self._kinds[gone]
        paths = [p for p in candidates if self._is_plan(p)]
        changed = False
        for path in [p for p in self._entries if p not in paths]:
            log.info("%s: removed, no longer served", self._entries.pop(path).name)
            changed = True
        for path in paths:
            entry = self._entries.get(path)
            if entry is None:
                entry = self._entries[path] = _Entry(path, path.relative_to(self.directory).as_posix())
                changed = True
            changed |= self._check_entry(entry)
        return changed

    def _is_plan(self, path: Path) -> bool:
        stat = _stat(path)
        known = self._kinds.get(path)
        if known is None or known[0] != stat:
            known = self._kinds[path] = (stat, is_plan_file(path))
        return known[1]

    def _signature(self, entry: _Entry) -> Signature:
        """The plan file and the logos of its last good version."""
        return _signature(entry.path, entry.good.loaded if entry.good else None)

    def _check_entry(self, entry: _Entry) -> bool:
        """Reload the entry if its files changed; True when its plan id or stakeholders changed."""
        signature = self._signature(entry)
        if signature == entry.signature:
            return False
        entry.signature = signature
        before = self._identity(entry)
        try:
            loaded = load_plan(entry.path)
        except InvalidInput as exc:
            entry.errors = [self._describe(p, entry) for p in exc.problems]
            kept = f"still serving revision {entry.good.loaded.plan.revision}" if entry.good else "not served"
            log.error("%s: invalid, %s: %s", entry.name, kept, "; ".join(entry.errors))
        except Exception as exc:  # unreadable, or a loader bug: keep serving, report it
            entry.errors = [f"{entry.name}: cannot be read: {exc}"]
            log.error(
                "%s: cannot be read: %s", entry.name, exc, exc_info=not isinstance(exc, MapgenError | OSError)
            )
        else:
            # Stat taken before loading: a change while loading is seen on the next request.
            entry.signature = signature[:1] + _signature(entry.path, loaded)[1:]
            modified = max((s[0] for s in entry.signature if s), default=0) // 1_000_000_000
            entry.good = _Good(loaded, entry.good.generation + 1 if entry.good else 1, modified, signature[0])
            entry.errors = []
            entry.render_errors = {}
            for warning in loaded.warnings:
                log.warning("%s", self._describe(warning, entry))
            log.info("%s: loaded plan %s revision %d", entry.name, loaded.plan.id, loaded.plan.revision)
        return self._identity(entry) != before

    @staticmethod
    def _identity(entry: _Entry) -> tuple[str, tuple[str, ...]] | None:
        if entry.good is None:
            return None
        plan = entry.good.loaded.plan
        return plan.id, tuple(s.id for s in plan.stakeholders)

    def _describe(self, problem: Problem, entry: _Entry) -> str:
        """A problem with the file named relative to the folder (no absolute paths in reports)."""
        return str(dataclasses.replace(problem, file=entry.name))

    def _check_assets(self) -> None:
        """Theme and layout folders: a change re-renders the formats that use them."""
        try:
            from mapgen.layouts import load_layout
            from mapgen.themes import load_theme

            folders = [*load_theme(self.config.theme).dirs, *load_layout(self.config.layout).dirs]
        except (MapgenError, OSError) as exc:
            if self._assets_error != str(exc):
                log.error("theme or layout: %s", exc)
            self._assets_error = str(exc)
            return
        self._assets_error = None
        files = sorted({p for folder in folders for p in Path(folder).rglob("*") if p.is_file()})
        signature = tuple(_stat(p) for p in files)
        if signature != self._assets_signature:
            if self._assets_signature is not None:
                log.info("theme or layout changed: documents will be rendered again")
            self._assets_signature = signature
            self._assets_generation += 1
            self._assets_modified = max((s[0] for s in signature if s), default=0) // 1_000_000_000

    def _rebuild_grants(self) -> None:
        entries = [e for e in sorted(self._entries.values(), key=lambda e: e.name) if e.good is not None]
        by_plan, hidden = newest_revisions(entries, lambda e: e.good.loaded.plan)  # type: ignore[union-attr]
        for entry in entries:
            entry.errors = [e for e in entry.errors if "same plan id" not in e]
        for entry, winner in hidden:
            plan = entry.good.loaded.plan  # type: ignore[union-attr]
            if plan.revision == winner.good.loaded.plan.revision:  # type: ignore[union-attr]
                duplicate = (
                    f"{entry.name}: same plan id '{plan.id}' and revision as {winner.name}; not served"
                )
                entry.errors.append(duplicate)
                log.error("%s", duplicate)
            else:
                log.info(
                    "%s: revision %s of '%s', older than %s; not served",
                    entry.name,
                    plan.revision,
                    plan.id,
                    winner.name,
                )
        previous: dict[str, _Entry] = {}
        for entry, winner in hidden:
            plan = entry.good.loaded.plan  # type: ignore[union-attr]
            kept = previous.get(plan.id)
            if plan.revision < winner.good.loaded.plan.revision and (  # type: ignore[union-attr]
                kept is None or plan.revision > kept.good.loaded.plan.revision  # type: ignore[union-attr]
            ):
                previous[plan.id] = entry
        grants: dict[str, Grant] = {}
        if self._secret is not None:
            for plan_id, entry in by_plan.items():
                people = [s.id for s in entry.good.loaded.plan.stakeholders]  # type: ignore[union-attr]
                grants.update(grants_for(self._secret, plan_id, people))
        self._by_plan, self._grants, self._previous = by_plan, grants, previous

    # ------------------------------------------------------------------ lookups

    def grant(self, token: str) -> Grant | None:
        """What a token opens, with the plan's file checked first (it may have changed)."""
        self.refresh()
        grant = self._grants.get(token)
        if grant is None:
            return None
        entry = self._by_plan.get(grant.plan_id)
        if entry is not None and self._signature(entry) != entry.signature:
            with self._lock:
                if self._check_entry(entry):
                    self._rebuild_grants()
            grant = self._grants.get(token)
        return grant

    def cached(self, token: str, name: str) -> Resource | None:
        """The file if it is already rendered and nothing it depends on changed: no loading, no
        rendering, a few `stat` calls. None means "ask `lookup`" (which may also find nothing)."""
        if self._clock() - self._last_scan >= self.config.rescan_seconds:
            return None
        if _stat(self.config.secret_path) != self._secret_signature:
            return None
        grant = self._grants.get(token)
        entry = self._by_plan.get(grant.plan_id) if grant else None
        good = entry.good if entry else None
        if grant is None or entry is None or good is None or self._signature(entry) != entry.signature:
            return None
        if grant.feed is not None:
            from mapgen.renderers.ics import feed_file_name

            if name != feed_file_name(grant.plan_id, grant.feed):
                return None
        for (audience, fmt), (stamp, files) in list(entry.cache.items()):
            if audience == grant.audience and name in files and stamp == self._stamp(good, fmt):
                return files[name]
        return None

    def lookup(self, token: str, name: str) -> Resource | None:
        """The file `name` that `token` opens, loading and rendering what is needed."""
        grant = self.grant(token)
        return None if grant is None else self.resource(grant, name)

    def resource(self, grant: Grant, name: str) -> Resource | None:
        """The file `name` as `grant` may see it, rendered if needed; None if there is no such file.

        A token for one feed opens only that feed's file. The format is found from the name
        through the registry (the format named like the extension, then formats whose suffix
        ends or starts the same way), so a format registered later is served with no change here.
        """
        entry = self._by_plan.get(grant.plan_id)
        good = entry.good if entry else None
        if entry is None or good is None or good.loaded.plan.id != grant.plan_id:
            return None
        plan_id = grant.plan_id
        if not name.startswith(plan_id + "."):
            return None
        if grant.feed is not None:
            from mapgen.renderers.ics import feed_file_name

            if name != feed_file_name(plan_id, grant.feed):
                return None
            return self._rendered(entry, good, grant.audience, "ics").get(name)
        for (audience, fmt), (_, files) in list(entry.cache.items()):
            if audience == grant.audience and name in files:
                return self._rendered(entry, good, audience, fmt).get(name)
        extension = name.rsplit(".", 1)[-1]
        for fmt in self._candidates(name[len(plan_id) :]):
            try:
                found = self._rendered(entry, good, grant.audience, fmt).get(name)
            except RenderFailed:
                if fmt == extension:
                    raise
                continue
            if found is not None:
                return found
        return None

    def _candidates(self, rest: str) -> list[str]:
        """Formats that may write a file whose name ends in `rest` (`.pdf`, `.jane.ics`...)."""
        extension = rest.rsplit(".", 1)[-1]
        first, same_ending, same_start = [], [], []
        for fmt in format_names():
            if fmt == extension:
                first.append(fmt)
                continue
            try:
                suffix = get_renderer(fmt).suffix.lower()
            except Exception as exc:  # a registered format that cannot be imported: report, go on
                log.error("format %s cannot be loaded: %s", fmt, exc)
                continue
            if suffix.endswith("." + extension):
                same_ending.append(fmt)
            elif suffix.count(".") > 1 and rest.startswith("." + suffix.split(".")[1] + "."):
                same_start.append(fmt)  # another file of a format that writes several (.email.txt)
        return first + same_ending + same_start

    def _stamp(self, good: _Good, fmt: str) -> tuple[int, int, int]:
        uses_layout = bool(getattr(get_renderer(fmt), "uses_layout", False))
        return (
            good.generation,
            self._assets_generation if uses_layout else 0,
            self._secret_generation if self.config.base_url else 0,
        )

    def _rendered(self, entry: _Entry, good: _Good, audience: str, fmt: str) -> dict[str, Resource]:
        """Every file of one format for one audience, from the cache when nothing changed."""
        key = (audience, fmt)
        stamp = self._stamp(good, fmt)
        cached = entry.cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with self._render_lock:
            cached = entry.cache.get(key)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            try:
                resources = self._render(good, audience, fmt)
            except Exception as exc:
                message = f"{entry.name}: {fmt} failed to render: {exc}"
                if entry.render_errors.get(fmt) != message:
                    log.error("%s%s", message, "; serving the last good version" if cached else "")
                entry.render_errors[fmt] = message
                if cached is not None:
                    return cached[1]
                raise RenderFailed(message) from exc
            entry.render_errors.pop(fmt, None)
            entry.cache[key] = (stamp, resources)
            return resources

    def _render(self, good: _Good, audience: str, fmt: str) -> dict[str, Resource]:
        from mapgen.cache import render_through
        from mapgen.pipeline import RenderRequest
        from mapgen.renderers.base import RenderOptions

        renderer = get_renderer(fmt)
        request = RenderRequest(
            formats=[fmt],
            audience=Audience(audience),
            layout=self.config.layout,
            theme=self.config.theme,
            options=RenderOptions(link=self._plan_link(good.loaded.plan.id, audience), feed="all"),
        )
        modified = good.modified
        if getattr(renderer, "uses_layout", False):
            modified = max(modified, self._assets_modified)
        resources = {}
        for artifact in render_through(self._cache, good.loaded, request, good.stat):
            etag = etag_of(artifact.data)
            resources[artifact.name] = Resource(
                artifact.name, artifact.data, artifact.media_type, etag, modified
            )
        return resources

    def _plan_link(self, plan_id: str, audience: str) -> str | None:
        """The HTML page of the plan on this server, for calendar descriptions (needs --base-url)."""
        if not self.config.base_url or self._secret is None or "html" not in format_names():
            return None
        token = make_token(self._secret, plan_id, audience=audience)
        return f"{self.config.base_url}/p/{token}/{plan_id}.html"

    def versions(self, plan_id: str) -> PlanVersions | None:
        """What a landing page is made from: the served plan and the newest earlier revision kept
        beside it (for "what changed"), with a stamp that changes whenever either of them, the
        theme and layout, or the secret changes."""
        entry = self._by_plan.get(plan_id)
        if entry is None or entry.good is None or self._secret is None:
            return None
        older = self._previous.get(plan_id)
        previous = older.good if older is not None else None
        stamp = (
            entry.good.generation,
            older.name if older is not None else "",
            previous.generation if previous is not None else 0,
            self._assets_generation,
            self._secret_generation,
        )
        modified = max(entry.good.modified, self._assets_modified)
        return PlanVersions(
            entry.good.loaded, previous.loaded if previous else None, stamp, modified, self._secret
        )

    # ------------------------------------------------------------------ reports

    def plans(self) -> list[LoadedPlan]:
        """The plans being served, by plan id."""
        return [self._by_plan[i].good.loaded for i in sorted(self._by_plan)]  # type: ignore[union-attr]

    def health(self) -> dict[str, Any]:
        """ok and errors per plan file; never a token, a secret or a plan's content."""
        self.refresh()
        with self._lock:
            files = []
            for entry in sorted(self._entries.values(), key=lambda e: e.name):
                errors = [*entry.errors, *entry.render_errors.values()]
                served = entry.good is not None and self._by_plan.get(entry.good.loaded.plan.id) is entry
                report: dict[str, Any] = {"file": entry.name, "ok": not errors, "served": served}
                if entry.good is not None:
                    report["plan"] = entry.good.loaded.plan.id
                    report["revision"] = entry.good.loaded.plan.revision
                if errors:
                    report["errors"] = errors
                files.append(report)
            problems = [e for e in (self._secret_error, self._assets_error) if e]
            ok = not problems and all(f["ok"] for f in files)
            if self._secret_error:
                secret = "missing or unreadable: every URL is revoked"
            elif self._revocations:
                secret = f"replaced {self._revocations} time(s) while serving: earlier URLs are revoked"
            else:
                secret = "ok"
            return {
                "status": "ok" if ok else "degraded",
                "plans": len(self._by_plan),
                "errors": sum(len(f.get("errors", [])) for f in files) + len(problems),
                "secret": secret,
                "server": problems,
                "files": files,
            }
