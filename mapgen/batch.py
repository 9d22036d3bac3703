"""Many plans at once: found in folders, taken from the cache or rendered by worker processes.

The main process finds plan files, hashes them and takes what it can from the cache; plans that
are not cached go to workers (this process for one job, a process pool, or a Dask cluster), which
load and render them and send the artifacts back as bytes. Writing stays here, one plan at a
time, through the pipeline's atomic write, so every file is exactly what a single render writes.

Folders (or `--keep-going`) render each plan on its own: an invalid plan fails only itself and
the exit code is EXIT_SOME_FAILED. Plans named one by one keep the all-or-nothing rule: nothing
is written unless every plan renders.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from mapgen.cache import Cache, PlanKey, run_digest
from mapgen.errors import InvalidInput, MapgenError, Problem
from mapgen.output import DEFAULT_WAIT, ArtifactSet, write_sets
from mapgen.pipeline import RenderRequest
from mapgen.renderers.base import Artifact
from mapgen.worker import Bundle, Job, Rendered, peek, warm, work

EXIT_SOME_FAILED = 4
"""Some plans of a batch failed; every other plan was written."""

# ---------------------------------------------------------------------- finding plans


# ---------------------------------------------------------------------- the batch


class NotReady(InvalidInput):
    """`--ready` and plans named one by one: some plan is not ready to send, nothing was written."""


@dataclass(slots=True)
class PlanResult:
    """How one plan file ended: rendered, reused (all from the cache), failed or skipped."""

    path: Path
    status: str = "pending"
    plan_id: str | None = None
    revision: int | None = None
    fingerprint: str | None = None
    artifacts: list[Artifact] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    bug: str | None = None
    not_ready: bool = False
    note: str = ""
    written: list[Path] = field(default_factory=list)
    inline_formats: tuple[str, ...] = ()
    """Formats rendered in this process (their progress steps were already shown)."""


@dataclass(slots=True)
class Summary:
    results: list[PlanResult]
    written: list[Path]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def exit_code(self) -> int:
        if any(r.bug for r in self.results):
            return 1
        return EXIT_SOME_FAILED if self.count("failed") else 0

    def line(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("rendered", "reused", "failed", "skipped")]
        total = len(self.results)
        return f"mapgen: {total} plan{'s' * (total != 1)}: " + ", ".join(parts)


@dataclass(slots=True)
class Batch:
    """One `mapgen render` run over many plans."""

    request: RenderRequest
    out_dir: Path
    cache: Cache | None = None
    jobs: int = 1
    scheduler: str | None = None
    keep_going: bool = True
    on_plan: Callable[[PlanResult], None] = lambda _r: None
    ready: bool = False
    """`--ready`: a plan that is not ready to send fails like an invalid one (never from the cache)."""
    on_format: Callable[[str, str], None] | None = None
    """Progress: called with (plan, format) once for every format of every plan."""
    wait: float = DEFAULT_WAIT
    """Seconds to wait for another render into the same output folder (see mapgen.output)."""
    on_wait: Callable[[str], None] = lambda _message: None

    def run(self, paths: Sequence[Path]) -> Summary:
        digest = run_digest(self.request) if self.cache is not None or self.scheduler else None
        results = [PlanResult(p) for p in paths]
        keys: dict[int, PlanKey] = {}
        pending: list[tuple[int, tuple[str, ...]]] = []
        hits: dict[int, dict[str, list[Artifact]]] = {}
        for index, result in enumerate(results):
            missing, found = self._lookup(result, digest, keys, index)
            hits[index] = found
            if missing:
                pending.append((index, missing))
            else:
                result.status = "reused"
        if self.keep_going:
            self._skip_duplicates(results, {i for i, _ in pending})
            pending = [(i, f) for i, f in pending if results[i].status == "pending"]
        written: list[Path] = []
        for index in range(len(results)):  # reused, and failed or skipped as duplicates
            if results[index].status != "pending":
                self._finish(results[index], hits[index], written)
        for index, rendered in self._render(results, pending, digest):
            self._collect(results[index], rendered, keys.get(index), digest)
            self._finish(results[index], hits[index] | rendered.by_format, written)
        if not self.keep_going:
            written = self._write_all(results)
        return Summary(results, written)

    # ------------------------------------------------------------------ steps

    def _lookup(
        self, result: PlanResult, digest: str | None, keys: dict[int, PlanKey], index: int
    ) -> tuple[tuple[str, ...], dict[str, list[Artifact]]]:
        """Formats still to render, and the cached ones."""
        formats = tuple(self.request.formats)
        if self.cache is None or digest is None:
            return formats, {}
        try:
            data = result.path.read_bytes()
        except OSError:
            return formats, {}
        key = keys[index] = self.cache.plan_key(data, result.path.parent, digest)
        result.plan_id, result.revision = key.plan_id, key.revision
        if key.key is None or self.ready:  # readiness depends on today's date: check every time
            return formats, {}
        found: dict[str, list[Artifact]] = {}
        for fmt in formats:
            hit = self.cache.get(key.key, fmt, str(result.path))
            if hit is not None:
                found[fmt] = hit.artifacts
                result.plan_id, result.revision, result.warnings = hit.plan_id, hit.revision, hit.warnings
                result.fingerprint = hit.fingerprint
        return tuple(f for f in formats if f not in found), found

    def _skip_duplicates(self, results: list[PlanResult], unknown: set[int]) -> None:
        """Same plan id in several files: the highest revision is rendered, older ones are skipped
        (earlier revisions kept for --since are normal); equal revisions all fail."""
        for index in unknown:
            if results[index].plan_id is None:
                found = peek(results[index].path)
                results[index].plan_id, results[index].revision = found.plan_id, found.revision
        groups: dict[str, list[PlanResult]] = {}
        for result in results:
            if result.plan_id is not None:
                groups.setdefault(result.plan_id, []).append(result)
        for plan_id, group in groups.items():
            if len(group) < 2:
                continue
            top = max(r.revision or 0 for r in group)
            winners = [r for r in group if (r.revision or 0) == top]
            for result in group:
                if len(winners) > 1 and result in winners:
                    others = ", ".join(str(r.path) for r in winners if r is not result)
                    result.status = "failed"
                    result.problems = [
                        Problem(
                            f"same plan id '{plan_id}' and revision {top} as {others}", "id", str(result.path)
                        )
                    ]
                elif result not in winners:
                    result.status = "skipped"
                    result.note = f"revision {result.revision} of '{plan_id}', older than {winners[0].path}"

    def _render(
        self, results: list[PlanResult], pending: list[tuple[int, tuple[str, ...]]], digest: str | None
    ) -> Iterator[tuple[int, Rendered]]:
        """(index, worker result) in the order they finish."""
        if not pending:
            return
        if self.scheduler is not None:
            from mapgen.cluster import connect, make_bundle

            executor, close = connect(self.scheduler, self.request)
            try:
                futures = {}
                for i, formats in pending:
                    try:
                        bundle = make_bundle(results[i].path)
                    except OSError as exc:
                        problem = Problem(
                            f"cannot read the plan: {exc.strerror or exc}", file=str(results[i].path)
                        )
                        yield i, Rendered(problems=(problem,))
                        continue
                    job = self._job(results[i], formats, bundle)
                    futures[executor.submit(work, job, self.request, digest)] = i
                yield from _completed(futures)
            finally:
                close()
            return
        workers = min(self.jobs, len(pending))
        if workers <= 1:
            for i, f in pending:
                results[i].inline_formats = f
                job = self._job(results[i], f)
                yield i, work(job, self.request, raise_bugs=not self.keep_going, progress=self.on_format)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # forkserver: workers start clean (no threads or locks copied from this process).
        context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
        with ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=warm,
            initargs=(tuple(self.request.formats), self.request.theme, self.request.layout),
        ) as pool:
            futures = {pool.submit(work, self._job(results[i], f), self.request): i for i, f in pending}
            try:
                yield from _completed(futures)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def _job(self, result: PlanResult, formats: tuple[str, ...], bundle: Bundle | None = None) -> Job:
        ready = self.request.theme if self.ready else None
        return Job(str(result.path), str(result.path.resolve()), formats, bundle, ready)

    def _collect(
        self, result: PlanResult, rendered: Rendered, key: PlanKey | None, digest: str | None
    ) -> None:
        """Take a worker's result into `result`, and store what it rendered in the cache."""
        if rendered.bug is not None or rendered.problems:
            result.status, result.bug, result.problems = "failed", rendered.bug, list(rendered.problems)
            result.not_ready = rendered.not_ready
            return
        result.status = "rendered"
        result.plan_id, result.revision = rendered.plan_id, rendered.revision
        result.fingerprint = rendered.fingerprint
        result.warnings = list(rendered.warnings)
        if self.cache is None or key is None or digest is None or rendered.plan_digest != key.plan_digest:
            return
        assert rendered.plan_id is not None and rendered.revision is not None
        assert rendered.fingerprint is not None
        self.cache.store(
            digest,
            key.plan_digest,
            result.path.parent,
            rendered.assets,
            rendered.by_format,
            plan_id=rendered.plan_id,
            revision=rendered.revision,
            fingerprint=rendered.fingerprint,
            warnings=rendered.warnings,
        )

    def _finish(self, result: PlanResult, by_format: dict[str, list[Artifact]], written: list[Path]) -> None:
        """Order a finished plan's artifacts as a single render does; write it now in keep-going mode."""
        if self.on_format is not None:
            for fmt in self.request.formats:
                if fmt not in result.inline_formats:
                    self.on_format(result.plan_id or result.path.name, fmt)
        if result.status in ("rendered", "reused"):
            result.artifacts = [a for fmt in self.request.formats for a in by_format[fmt]]
            if self.keep_going:
                try:
                    result.written = self._write([result])
                    written += result.written
                except MapgenError as exc:
                    result.status, result.problems = "failed", [Problem(str(exc), file=str(result.path))]
                result.artifacts = []
        self.on_plan(result)

    def _write_all(self, results: list[PlanResult]) -> list[Path]:
        """All-or-nothing: every plan must have rendered, with distinct ids; then one write."""
        problems = [p for r in results for p in r.problems]
        bugs = [r for r in results if r.bug]
        if bugs:
            raise RuntimeError(f"{bugs[0].bug} (rendering {bugs[0].path})")
        ids: dict[str, Path] = {}
        for result in results:
            if result.plan_id in ids:
                problems.append(
                    Problem(
                        f"same plan id '{result.plan_id}' as {ids[result.plan_id]}", "id", str(result.path)
                    )
                )
            elif result.plan_id is not None:
                ids[result.plan_id] = result.path
        if problems:
            raise (NotReady if any(r.not_ready for r in results) else InvalidInput)(problems)
        return self._write(results)

    def _write(self, results: Sequence[PlanResult]) -> list[Path]:
        """The plans' sets through the pipeline's writer: the same files and manifest as a single render."""
        sets = [
            ArtifactSet(
                r.plan_id or "",
                r.revision or 0,
                r.fingerprint or "",
                str(self.request.audience),
                tuple(r.artifacts),
            )
            for r in results
        ]
        return write_sets(self.out_dir, sets, wait=self.wait, on_wait=self.on_wait)


def _completed(futures: dict[Future[Rendered], int]) -> Iterator[tuple[int, Rendered]]:
    for future in as_completed(futures):
        try:
            rendered = future.result()
        except Exception as exc:  # the worker process died (killed, out of memory)
            rendered = Rendered(bug=f"worker failed: {type(exc).__name__}: {exc}")
        yield futures[future], rendered


def usable_cpus() -> int:
    """CPUs this process may run on (cgroup and affinity limits included where the OS tells)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1
