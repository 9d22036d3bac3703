"""Writing a plan's artifact set into an output folder so that readers can always tell what they have.

The write is a small journal, done under an exclusive lock on the output folder:

1. lock the folder (a second render into it waits, then fails clearly after `wait` seconds);
2. empty the staging folder `.mapgen-staging/` (whatever a killed run left there);
3. write every file of every set into staging, each flushed to disk;
4. per plan: remove the old `<id>.manifest.json`, rename the files into place, then rename the new
   manifest into place last; finally remove the empty staging folder.

So at any moment, for each plan, either `<id>.manifest.json` exists and lists exactly the files of
one render (name, size, SHA-256, the plan's id, revision, fingerprint and audience), or it is absent
and the set is incomplete. `verify_set` checks a folder against its manifest. No step leaves a
temporary file that the next run does not remove. Single files (`write_files`: `mapgen new`,
`import`, `signoff sign`) take the same path without a manifest. docs/limits.md lists the guarantees.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mapgen import __version__
from mapgen.errors import UsageError
from mapgen.renderers.base import Artifact

STAGING = ".mapgen-staging"
MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = 1
DEFAULT_WAIT = 600.0
"""Seconds a render waits for another render into the same folder before giving up."""

_fault: Callable[[str], None] | None = None
"""Test-only hook called with the name of each write step (tests kill the process there)."""


@dataclass(frozen=True, slots=True)
class ArtifactSet:
    """Every file one render of one plan produced, and what identifies that render."""

    plan_id: str
    revision: int
    fingerprint: str
    audience: str
    artifacts: tuple[Artifact, ...]

    @property
    def manifest_name(self) -> str:
        return self.plan_id + MANIFEST_SUFFIX


def manifest_bytes(item: ArtifactSet, extra: Sequence[dict[str, object]] = ()) -> bytes:
    """The manifest of one set: deterministic (no clock), written last."""
    files = [
        {
            "name": a.name,
            "size": len(a.data),
            "sha256": hashlib.sha256(a.data).hexdigest(),
            "media_type": a.media_type,
        }
        for a in item.artifacts
    ]
    files += [dict(entry) for entry in extra]
    body = {
        "mapgen_manifest": MANIFEST_FORMAT,
        "generator": f"mapgen {__version__}",
        "plan": {
            "id": item.plan_id,
            "revision": item.revision,
            "fingerprint": item.fingerprint,
            "audience": item.audience,
        },
        "files": sorted(files, key=lambda f: str(f["name"])),
    }
    return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode()


def write_sets(
    out_dir: Path,
    sets: Sequence[ArtifactSet],
    *,
    wait: float = DEFAULT_WAIT,
    on_wait: Callable[[str], None] = lambda _message: None,
) -> list[Path]:
    """Write every set into `out_dir` (see the module docstring); return the artifact paths written."""
    names = [a.name for s in sets for a in s.artifacts] + [s.manifest_name for s in sets]
    written: list[Path] = []
    with _journal(out_dir, names, wait, on_wait) as staging:
        carried = {s.plan_id: _carry_over(out_dir, s) for s in sets}
        for item in sets:
            for artifact in item.artifacts:
                _write_file(staging / artifact.name, artifact.data)
                _step(f"staged {artifact.name}")
            manifest = manifest_bytes(item, carried[item.plan_id])
            _write_file(staging / item.manifest_name, manifest)
            _step(f"staged {item.manifest_name}")
        _sync_folder(staging)
        for item in sets:
            (out_dir / item.manifest_name).unlink(missing_ok=True)
            _step(f"removed old {item.manifest_name}")
            for artifact in item.artifacts:
                os.replace(staging / artifact.name, out_dir / artifact.name)
                written.append(out_dir / artifact.name)
                _step(f"renamed {artifact.name}")
            _sync_folder(out_dir)
            os.replace(staging / item.manifest_name, out_dir / item.manifest_name)
            _step(f"renamed {item.manifest_name}")
    return written


def write_files(
    out_dir: Path,
    artifacts: Sequence[Artifact],
    *,
    wait: float = DEFAULT_WAIT,
    on_wait: Callable[[str], None] = lambda _message: None,
) -> list[Path]:
    """Write single files (a plan made by `mapgen new` or `import`, a signed PDF, `mapgen.write` of
    a plain artifact list) the way sets are written, without a manifest: under the folder lock,
    staged in `.mapgen-staging/` (which the next write removes if this one is killed), then each
    renamed over its target, so a reader sees the old file or the new one, never part of either."""
    names = [a.name for a in artifacts]
    for name in names:
        if name.startswith("."):  # a name the user chose (-o): a clear refusal, not a bug
            raise UsageError(
                f"cannot write {out_dir / name}: mapgen does not write files named with a leading '.'"
            )
    with _journal(out_dir, names, wait, on_wait) as staging:
        for artifact in artifacts:
            _write_file(staging / artifact.name, artifact.data)
            _step(f"staged {artifact.name}")
        _sync_folder(staging)
        for artifact in artifacts:
            os.replace(staging / artifact.name, out_dir / artifact.name)
            _step(f"renamed {artifact.name}")
    return [out_dir / name for name in names]


@contextmanager
def _journal(
    out_dir: Path, names: Sequence[str], wait: float, on_wait: Callable[[str], None]
) -> Iterator[Path]:
    """Lock `out_dir` and hand out an empty staging folder for files `names`; afterwards make the
    renames durable and remove staging, or, on any failure, remove staging and name the file."""
    _make_folder(out_dir)
    for name in names:
        if "/" in name or "\\" in name or name.startswith(".") or name in ("", ".."):
            raise ValueError(f"refusing to write artifact named {name!r}")
    if len(set(names)) != len(names):
        raise ValueError("two artifacts of one render have the same name")
    with _FolderLock(out_dir, wait, on_wait):
        staging = out_dir / STAGING
        try:
            _step("locked")
            _clean_staging(staging)
            for name in names:
                target = out_dir / name
                if target.is_dir() and not target.is_symlink():
                    raise UsageError(f"cannot write {target}: a folder of that name is in the way")
            os.mkdir(staging)
            yield staging
            _sync_folder(out_dir)
            os.rmdir(staging)
            _step("done")
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            where = exc.filename if exc.filename else out_dir
            if isinstance(where, str) and STAGING in where:
                where = out_dir / Path(where).name
            raise UsageError(f"cannot write {where}: {exc.strerror or exc}") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def verify_set(out_dir: Path, plan_id: str) -> list[str]:
    """Problems with the set of `plan_id` in `out_dir`: [] when every file matches its manifest."""
    path = out_dir / (plan_id + MANIFEST_SUFFIX)
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError:
        return [f"{path}: no manifest: the set is incomplete or was never written"]
    except (OSError, ValueError) as exc:
        return [f"{path}: unreadable manifest: {exc}"]
    problems = []
    for entry in manifest.get("files", []):
        file = out_dir / entry["name"]
        try:
            data = file.read_bytes()
        except OSError as exc:
            problems.append(f"{file}: {exc.strerror or exc}")
            continue
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{file}: does not match {path.name} (changed or from another render)")
    return problems


def _carry_over(out_dir: Path, item: ArtifactSet) -> list[dict[str, object]]:
    """Entries of the old manifest to keep: files this run does not rewrite, from a render of the
    same plan content for the same audience, and unchanged since. Anything else drops out."""
    try:
        old = json.loads((out_dir / item.manifest_name).read_bytes())
        plan = old["plan"]
        if (plan["fingerprint"], plan["audience"], plan["revision"]) != (
            item.fingerprint,
            item.audience,
            item.revision,
        ):
            return []
        rewritten = {a.name for a in item.artifacts}
        return [
            entry
            for entry in old["files"]
            if entry["name"] not in rewritten and _matches(out_dir / entry["name"], entry)
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _matches(path: Path, entry: dict[str, object]) -> bool:
    name = entry.get("name")
    if not isinstance(name, str) or "/" in name or name.startswith("."):
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return len(data) == entry.get("size") and hashlib.sha256(data).hexdigest() == entry.get("sha256")


def _make_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(
            f"cannot use {out_dir} as output folder: a file of that name is in the way"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot create output folder {out_dir}: {exc.strerror or exc}") from None


def _clean_staging(staging: Path) -> None:
    """Remove what a killed run left behind (safe: only a lock holder touches staging)."""
    if staging.is_symlink() or staging.is_file():
        staging.unlink()
    elif staging.exists():
        shutil.rmtree(staging)


def _write_file(path: Path, data: bytes) -> None:
    """A new file with the usual permissions (0666 less the umask), flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Make renames in `folder` durable (a power cut after this keeps them)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def _step(name: str) -> None:
    if _fault is not None:
        _fault(name)


class _FolderLock:
    """An exclusive advisory lock (flock) on the output folder itself, so no lock file is left behind.

    The kernel releases it when the process ends, however it ends, so a killed render never leaves a
    stale lock. Polls so that the waiting process can say why it waits and give up after `wait` s.
    """

    def __init__(self, folder: Path, wait: float, on_wait: Callable[[str], None]) -> None:
        self.folder, self.wait, self.on_wait = folder, wait, on_wait
        self.fd = -1

    def __enter__(self) -> _FolderLock:
        import fcntl

        self.fd = os.open(self.folder, os.O_RDONLY)
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                pass
            if time.monotonic() >= deadline:
                os.close(self.fd)
                raise UsageError(
                    f"another mapgen render is writing into {self.folder}; gave up after "
                    f"{self.wait:g} s (use another --output folder, or --wait SECONDS to wait longer)"
                )
            if not told:
                self.on_wait(f"waiting for another mapgen render into {self.folder} to finish")
                told = True
            time.sleep(0.05)

    def __exit__(self, *_exc: object) -> None:
        os.close(self.fd)
