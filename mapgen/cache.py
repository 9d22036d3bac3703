"""A content cache of rendered artifacts, so an unchanged plan costs a hash and a copy, not a render.

An entry holds the files of one format of one plan, under a key that hashes everything that
affects their bytes: the plan file, the logos it names, every file of the theme and layout
(the whole `extends` chain), the render options, the format, and mapgen itself (its version, a
digest of its own files and the versions of the libraries that write the bytes).

Which logos a plan names is only known once it is loaded, so lookups go in two steps, like
ccache's direct mode: `index/` maps the hash of a plan file's bytes to the assets it names,
then those assets are hashed into the entry key. An entry is staged in `tmp/` and renamed into
`entries/` whole, so a killed or concurrent run never leaves a half entry that is reused; every
file is checked against its recorded SHA-256 when read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapgen.errors import Problem, Severity, UsageError
from mapgen.holiday_cache import store_file
from mapgen.renderers.base import Artifact

if TYPE_CHECKING:
    from mapgen.load import LoadedPlan
    from mapgen.pipeline import RenderRequest

LAYOUT_VERSION = "mapgen-cache-1"
STALE_TMP_SECONDS = 3600
"""A staging folder older than this belongs to a run that was killed: prune removes it."""

_LIBRARIES = (
    "weasyprint",
    "pydyf",
    "fonttools",
    "python-docx",
    "icalendar",
    "openpyxl",
    "css-inline",
    "jinja2",
    "markdown-it-py",
    "babel",
    "holidays",
    "pydantic",
    "PyYAML",
)


def default_cache_dir() -> Path:
    """The user's cache folder for mapgen ($XDG_CACHE_HOME/mapgen on Linux)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mapgen", appauthor=False))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def code_fingerprint() -> str:
    """mapgen's version, a digest of its own files, and the versions of the libraries it renders with.

    Hashing the package's files (not only its version) keeps a development checkout from reusing
    renders made by older code.
    """
    from importlib import metadata

    from mapgen import __version__

    digest = hashlib.sha256(f"{LAYOUT_VERSION}\0{__version__}\0".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and not {"__pycache__", "_builtin"} & set(path.relative_to(package).parts):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def folders_digest(folders: Iterable[Path]) -> str:
    """Every file's relative name and bytes in each folder (a theme's or layout's chain)."""
    digest = hashlib.sha256()
    for folder in folders:
        folder = Path(folder)
        digest.update(str(folder.name).encode() + b"\0\0")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(_sha(path.read_bytes()).encode())
    return digest.hexdigest()


def run_digest(request: RenderRequest) -> str:
    """Everything of a run that affects bytes, besides the plan and its assets and the format."""
    from mapgen.layouts import load_layout
    from mapgen.themes import load_theme

    if request.options.changes is not None:
        raise ValueError("renders with --since changes are not cached")
    # Every field of the request and its options but the formats (each format is its own entry):
    # an option added later is part of the key without a change here.
    settings = {f.name: getattr(request, f.name) for f in dataclasses.fields(request)}
    settings.pop("formats")
    settings["options"] = {
        f.name: getattr(request.options, f.name) for f in dataclasses.fields(request.options)
    }
    parts = [
        code_fingerprint(),
        folders_digest(load_theme(request.theme).dirs),
        folders_digest(load_layout(request.layout).dirs),
        _user_brand_digest(),
        json.dumps(settings, sort_keys=True, default=repr),
    ]
    return _sha("\0".join(parts).encode())


def _user_brand_digest() -> str:
    """$MAPGEN_HOME/seller.yaml and the logo it names: plans without a seller logo render it."""
    from mapgen.branding import BRAND_FILE, user_brand
    from mapgen.resources import user_home

    digest = hashlib.sha256()
    brand_file = user_home() / BRAND_FILE
    with contextlib.suppress(OSError):
        digest.update(brand_file.read_bytes())
        brand = user_brand()
        if brand is not None and brand.logo is not None:
            digest.update(b"\0" + brand.logo.read_bytes())
    return digest.hexdigest()


def plan_assets(plan: Any) -> list[str]:
    """The files a plan names, relative to its folder: the logos."""
    return sorted({logo for logo in (plan.seller.logo, plan.buyer.logo) if logo})


@dataclass(frozen=True, slots=True)
class Hit:
    """One format's files from the cache, with what is needed to report the plan without loading it."""

    artifacts: list[Artifact]
    plan_id: str
    revision: int
    fingerprint: str
    warnings: list[Problem]


@dataclass(frozen=True, slots=True)
class PlanKey:
    """A plan file's digest (the index key) and, when its assets are known, the entry key."""

    plan_digest: str
    key: str | None
    plan_id: str | None = None
    revision: int | None = None


class Cache:
    """One cache folder. Safe for concurrent use by several processes and runs."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ------------------------------------------------------------------ keys

    def plan_key(self, plan_bytes: bytes, plan_dir: Path, run_digest: str) -> PlanKey:
        """The keys of a plan file's bytes; `key` is None when its assets are unknown or unreadable."""
        plan_digest = _sha(plan_bytes)
        index = self._read_json(self._index_path(plan_digest))
        if not isinstance(index, dict) or not isinstance(index.get("assets"), list):
            return PlanKey(plan_digest, None)
        assets = asset_digests(plan_dir, index["assets"])
        if assets is None:
            return PlanKey(plan_digest, None)
        return PlanKey(
            plan_digest,
            entry_key(run_digest, plan_digest, assets),
            index.get("id") if isinstance(index.get("id"), str) else None,
            index.get("revision") if isinstance(index.get("revision"), int) else None,
        )

    def remember(self, plan_digest: str, assets: Sequence[str], plan_id: str, revision: int) -> None:
        """Record which assets a plan file names (and its id), for the next lookup."""
        data = {"assets": list(assets), "id": plan_id, "revision": revision}
        path = self._index_path(plan_digest)
        if self._read_json(path) == data:
            return
        store_file(path, json.dumps(data, sort_keys=True).encode("utf-8"))  # unwritable: costs renders

    # ------------------------------------------------------------------ entries

    def get(self, key: str, fmt: str, plan_file: str) -> Hit | None:
        """The files of `fmt` stored under `key`, or None; a damaged entry is removed and missed."""
        folder = self._entry_path(key, fmt)
        meta = self._read_json(folder / "meta.json")
        if not isinstance(meta, dict):
            return None
        try:
            artifacts = []
            for number, item in enumerate(meta["files"]):
                data = (folder / str(number)).read_bytes()
                if _sha(data) != item["sha256"]:
                    raise ValueError(f"{folder / str(number)} does not match its digest")
                artifacts.append(Artifact(item["name"], data, item["media_type"]))
            warnings = [
                Problem(w["message"], w["path"], plan_file, w["line"], Severity(w["severity"]))
                for w in meta["warnings"]
            ]
            hit = Hit(artifacts, meta["plan_id"], meta["revision"], meta["fingerprint"], warnings)
        except (OSError, KeyError, TypeError, ValueError):
            self._discard(folder)
            return None
        with contextlib.suppress(OSError):  # last use, for `prune --older-than` and `--max-size`
            os.utime(folder / "meta.json")
        return hit

    def store(
        self,
        run: str,
        plan_digest: str,
        plan_dir: Path,
        assets: Sequence[str],
        by_format: dict[str, list[Artifact]],
        *,
        plan_id: str,
        revision: int,
        fingerprint: str,
        warnings: Sequence[Problem],
    ) -> None:
        """Remember the plan's assets and store each format it was rendered into, under the key
        of the run, the plan file and its assets as they are now (not stored if one is gone)."""
        self.remember(plan_digest, assets, plan_id, revision)
        found = asset_digests(plan_dir, assets)
        if found is None:
            return
        key = entry_key(run, plan_digest, found)
        for fmt, artifacts in by_format.items():
            self.put(
                key,
                fmt,
                artifacts,
                plan_id=plan_id,
                revision=revision,
                fingerprint=fingerprint,
                warnings=warnings,
            )

    def put(
        self,
        key: str,
        fmt: str,
        artifacts: Sequence[Artifact],
        *,
        plan_id: str,
        revision: int,
        fingerprint: str,
        warnings: Sequence[Problem],
    ) -> None:
        """Store one format's files: staged in tmp/, then renamed into place whole."""
        folder = self._entry_path(key, fmt)
        if folder.is_dir():
            return
        meta = {
            "format": fmt,
            "plan_id": plan_id,
            "revision": revision,
            "fingerprint": fingerprint,
            "warnings": [
                {"message": w.message, "path": w.path, "line": w.line, "severity": str(w.severity)}
                for w in warnings
            ],
            "files": [
                {"name": a.name, "media_type": a.media_type, "sha256": _sha(a.data), "size": len(a.data)}
                for a in artifacts
            ],
        }
        staging = self.root / "tmp" / f"{key[:16]}-{fmt}-{secrets.token_hex(6)}"
        try:
            staging.mkdir(parents=True)
            for number, artifact in enumerate(artifacts):
                (staging / str(number)).write_bytes(artifact.data)
            (staging / "meta.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.rename(staging, folder)  # fails if another run stored the same entry first
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)

    # ------------------------------------------------------------------ pruning

    def prune(
        self, *, older_than: float | None = None, max_size: int | None = None
    ) -> tuple[int, int, int, int]:
        """Remove entries unused for `older_than` seconds, then the least recently used past
        `max_size` bytes, and staging folders left by killed runs.

        Returns (entries removed, bytes freed, entries kept, bytes kept).
        """
        now = time.time()
        for staging in self._children(self.root / "tmp"):
            try:
                if now - staging.stat().st_mtime > STALE_TMP_SECONDS:
                    shutil.rmtree(staging, ignore_errors=True)
            except OSError:
                continue
        entries = []
        for shard in self._children(self.root / "entries"):
            for folder in self._children(shard):
                try:
                    used = (folder / "meta.json").stat().st_mtime
                except OSError:
                    used = 0.0
                size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
                entries.append((used, size, folder))
        entries.sort(key=lambda e: e[0], reverse=True)
        kept, removed, kept_size, freed = [], 0, 0, 0
        for used, size, folder in entries:
            too_old = older_than is not None and now - used > older_than
            too_big = max_size is not None and kept_size + size > max_size
            if too_old or too_big:
                self._discard(folder)
                removed, freed = removed + 1, freed + size
            else:
                kept.append(folder)
                kept_size += size
        if older_than is not None:
            for shard in self._children(self.root / "index"):
                for path in self._children(shard):
                    try:
                        if now - path.stat().st_mtime > older_than:
                            path.unlink(missing_ok=True)
                    except OSError:
                        continue
        return removed, freed, len(kept), kept_size

    # ------------------------------------------------------------------ helpers

    def _index_path(self, plan_digest: str) -> Path:
        return self.root / "index" / plan_digest[:2] / f"{plan_digest}.json"

    def _entry_path(self, key: str, fmt: str) -> Path:
        return self.root / "entries" / key[:2] / f"{key}-{fmt}"

    @staticmethod
    def _read_json(path: Path) -> Any:
        try:
            return json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None

    @staticmethod
    def _children(folder: Path) -> list[Path]:
        try:
            return sorted(folder.iterdir())
        except OSError:
            return []

    def _discard(self, folder: Path) -> None:
        """Move an entry out of `entries/` in one rename (readers then miss it), then delete it."""
        trash = self.root / "tmp" / f"discard-{secrets.token_hex(8)}"
        try:
            trash.parent.mkdir(parents=True, exist_ok=True)
            os.rename(folder, trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)


def asset_digests(plan_dir: Path, assets: Iterable[str]) -> list[tuple[str, str]] | None:
    """(name, SHA-256) of each asset, or None when one is missing or resolves outside the folder."""
    base = plan_dir.resolve()
    found = []
    for name in assets:
        path = (base / name).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return None
        try:
            found.append((name, _sha(path.read_bytes())))
        except OSError:
            return None
    return found


def entry_key(run_digest: str, plan_digest: str, assets: Sequence[tuple[str, str]]) -> str:
    """The entry key: the run's digest, the plan file's and each asset's."""
    digest = hashlib.sha256(f"{run_digest}\0{plan_digest}\0".encode())
    for name, sha in assets:
        digest.update(f"{name}\0{sha}\0".encode())
    return digest.hexdigest()


def open_cache(directory: Path | None, *, enabled: bool) -> Cache | None:
    """The cache to use: `directory`, or the default folder; None when turned off."""
    if not enabled:
        return None
    try:
        root = directory or default_cache_dir()
    except RuntimeError as exc:  # platformdirs without a home folder (no $HOME, no passwd entry)
        raise UsageError(f"no cache folder: {exc}") from None
    try:
        root.mkdir(parents=True, exist_ok=True)
        tag = root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# mapgen's render cache: safe to delete, see `mapgen cache prune`.\n",
                encoding="utf-8",
            )
    except OSError as exc:
        raise UsageError(f"cannot use cache folder {root}: {exc.strerror or exc}") from None
    return Cache(root)


def parse_duration(text: str) -> float:
    """'30d', '12h', '90m', '45s' or '2w' -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    value, unit = text[:-1], text[-1:].lower()
    if unit not in units or not value.replace(".", "", 1).isdigit():
        raise UsageError(f"'{text}' is not a duration such as 30d, 12h or 90m")
    return float(value) * units[unit]


def parse_size(text: str) -> int:
    """'500M', '2G', '800K' or a number of bytes -> bytes."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
    cleaned = text.strip().lower().removesuffix("b").removesuffix("i")
    scale = units.get(cleaned[-1:], 1)
    number = cleaned[:-1] if cleaned[-1:] in units else cleaned
    if not number.replace(".", "", 1).isdigit():
        raise UsageError(f"'{text}' is not a size such as 500M or 2G")
    return int(float(number) * scale)


def file_stat(path: Path) -> tuple[int, int, int] | None:
    """(mtime in ns, size, inode): what tells that a file is still the version that was loaded."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def render_through(
    cache: Cache | None, loaded: LoadedPlan, request: RenderRequest, loaded_stat: tuple[int, int, int] | None
) -> list[Artifact]:
    """`render_plan` format by format through the cache, for a plan loaded earlier (`mapgen serve`).

    The key hashes the file as it is now, so the cache is used only while the file still has the
    `stat` it had when it was loaded (`loaded_stat`); otherwise the plan is rendered as loaded.
    """
    from mapgen.pipeline import render_by_format, render_plan

    if cache is None or loaded_stat is None or file_stat(loaded.path) != loaded_stat:
        return render_plan(loaded, request)
    try:
        plan_bytes = loaded.path.read_bytes()
        digest = run_digest(request)
    except OSError:
        return render_plan(loaded, request)
    assets = plan_assets(loaded.plan)
    found = asset_digests(loaded.base_dir, assets)
    if found is None or file_stat(loaded.path) != loaded_stat:
        return render_plan(loaded, request)
    plan_digest = _sha(plan_bytes)
    key = entry_key(digest, plan_digest, found)
    by_format: dict[str, list[Artifact]] = {}
    for fmt in request.formats:
        hit = cache.get(key, fmt, str(loaded.path))
        if hit is not None:
            by_format[fmt] = list(hit.artifacts)
    missing = [fmt for fmt in request.formats if fmt not in by_format]
    if missing:
        # One render for every missing format, so eml finds the PDF and email of the same run.
        identity, rendered = render_by_format(loaded, dataclasses.replace(request, formats=missing))
        cache.store(
            digest,
            plan_digest,
            loaded.base_dir,
            assets,
            rendered,
            plan_id=loaded.plan.id,
            revision=loaded.plan.revision,
            fingerprint=identity.fingerprint,
            warnings=loaded.warnings,
        )
        by_format.update(rendered)
    return [a for fmt in request.formats for a in by_format[fmt]]
