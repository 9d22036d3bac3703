"""Plan validation without the models: pydantic-core's validator for `Plan`, cached on disk.

Importing `pydantic.BaseModel` and building the 13 plan models costs a cold `mapgen validate` more
than pydantic and YAML themselves. The check needs neither: it runs the very core schema pydantic
builds for `Plan`, with each model's class swapped for `Record` (attribute access and
`model_copy`, all the date resolution and rules use), so errors are the same and the rules see the
same values. Only the schema's serializers and JSON-schema hooks are dropped; every validator
function it keeps lives in `mapgen.spec_values` or pydantic's own validators, which import
cheaply.

The validator is pickled (pydantic-core pickles a validator as its schema) into
`$MAPGEN_CACHE/spec/plan-check-CRC.pickle` (default `~/.cache/mapgen/spec/`) after its key: mapgen's
version, pydantic's and pydantic-core's, Python's, and the source of the SPEC_MODULES, compared
whole (hashing would import hashlib, a few milliseconds of a 100 ms start). CRC is the key's
CRC-32, so two installs (a checkout and a release, two virtual environments) keep a file each
instead of rebuilding over each other's on every run. The key is a pickle of
its own, read first: a file written by another version is never unpickled further. Unpickling can
only name the few classes and functions a plan's schema uses (ALLOWED), so even a hostile file
cannot run code, and only a regular file that this user (or root) owns and no one else can write
is opened at all. A missing, stale, unreadable, corrupt or foreign file is rebuilt from the models
and replaced; `MAPGEN_NO_CACHE` skips the file entirely. Loading a plan for rendering still
validates with the models.
"""

from __future__ import annotations

import io
import os
import pickle
import stat
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import SchemaValidator

CACHE_FORMAT = 2
SPEC_MODULES = ("spec.py", "spec_values.py", "plan_check.py")
"""The files that define the schema and how it is derived: a change to any makes a new cache key."""

FieldTree = dict[str, "FieldTree | None"]
"""Field names of a model, each mapped to the fields of the model it holds (or None): for
"did you mean" hints on unknown fields without the models."""


class Record:
    """One validated mapping of a plan (a `Plan`, a `Phase`, an `Action`...) read by attribute.

    pydantic-core fills `__dict__` and the three pydantic slots exactly as it does for a model.
    """

    __slots__ = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")

    def model_copy(self, *, update: dict[str, Any]) -> Record:
        """A copy with some fields replaced, as `BaseModel.model_copy(update=...)`."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, **update)
        return copy


@dataclass(frozen=True, slots=True)
class PlanChecker:
    """The plan's validator (it returns `Record`s) and the field names of every model in it."""

    validator: SchemaValidator
    fields: FieldTree


@cache
def plan_checker() -> PlanChecker:
    """The cached checker, or one built from the models (and stored) when the cache cannot serve."""
    if _cache_disabled():
        return build_checker()
    try:
        key = cache_key()
        path = cache_file(key)
    except (RuntimeError, OSError):
        # No home folder (Path.home) and no $MAPGEN_CACHE, or no source to key on (an install
        # that ships only byte code): no cache, rather than a stale one.
        return build_checker()
    stored = _read(path, key)
    if stored is not None:
        return stored
    built = build_checker()
    _write(path, key, built)
    return built


def cache_file(key: tuple[Any, ...]) -> Path:
    """The file that holds the checker for `key`."""
    import zlib

    return cache_dir() / f"plan-check-{zlib.crc32(pickle.dumps(key, protocol=5)):08x}.pickle"


def cache_dir() -> Path:
    """Where the checker is kept: `spec/` in mapgen's cache folder."""
    from mapgen.holiday_cache import cache_root

    return cache_root() / "spec"


def _cache_disabled() -> bool:
    return os.environ.get("MAPGEN_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no", "off")


def cache_key() -> tuple[Any, ...]:
    """Everything the pickled validator depends on: a different value means rebuild."""
    import pydantic.version
    import pydantic_core

    from mapgen import __version__

    here = Path(__file__).parent
    sources = tuple((here / name).read_bytes() for name in SPEC_MODULES)
    return (
        CACHE_FORMAT,
        __version__,
        pydantic.version.VERSION,
        pydantic_core.__version__,
        sys.version,
        sources,
    )


def build_checker() -> PlanChecker:
    """Derive the checker from the `Plan` model (imports pydantic's models and builds them)."""
    from mapgen.spec import Plan

    _, (schema, config, *_rest) = Plan.__pydantic_validator__.__reduce__()
    return PlanChecker(SchemaValidator(_for_checking(schema), config), field_tree(Plan))


def field_tree(model: Any) -> FieldTree:
    """The field names of `model` and, for each field holding models (directly, in a list or
    optional), the names of theirs."""
    import typing

    tree: FieldTree = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        for _ in range(3):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if hasattr(annotation, "model_fields") or not args:
                break
            annotation = args[0]
        tree[name] = field_tree(annotation) if hasattr(annotation, "model_fields") else None
    return tree


def _for_checking(node: Any) -> Any:
    """The core schema with `Record` for every model class, without serializers and JSON-schema
    metadata (they hold functions of the models), and without pydantic's wrapper that turns a type
    error of a constraint into a TypeError (a local function, so unpicklable; its inner schema
    validates the same)."""
    if isinstance(node, list):
        return [_for_checking(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "function-wrap" and _is_incompatibility_wrapper(node["function"]["function"]):
        return _for_checking(node["schema"])
    result = {
        key: _for_checking(value) for key, value in node.items() if key not in ("metadata", "serialization")
    }
    if result.get("type") == "model":
        result["cls"] = Record
    return result


def _is_incompatibility_wrapper(function: Any) -> bool:
    return getattr(function, "__qualname__", "").endswith("._apply_constraint_with_incompatibility_info")


ALLOWED = {
    "functools": frozenset({"partial"}),
    "pydantic_core._pydantic_core": frozenset({"SchemaValidator"}),
    "mapgen.plan_check": frozenset({"Record"}),
    "pydantic._internal._validators": frozenset(
        {
            "greater_than_validator",
            "greater_than_or_equal_validator",
            "less_than_validator",
            "less_than_or_equal_validator",
            "multiple_of_validator",
            "min_length_validator",
            "max_length_validator",
        }
    ),
}
"""What a cached validator may name, by module: pydantic's constraint checks and the validator
itself; every function and class of `mapgen.spec_values` is allowed too (`_allowed`). Each is
harmless whatever a file passes it, so unpickling runs no code that mapgen did not mean to run
(pickle's own advice, "Restricting Globals"). A schema that needs more is not served from the
cache: it is rebuilt on every run, which the cache tests notice."""

MAX_FILE = 1_000_000
"""Larger than any checker (about 40 KB): a bigger file is not ours."""


def _allowed(module: str, name: str) -> bool:
    if name in ALLOWED.get(module, ()):
        return True
    if module != "mapgen.spec_values":
        return False
    from mapgen import spec_values

    value = getattr(spec_values, name, None)
    return callable(value) and getattr(value, "__module__", None) == module


class _Unpickler(pickle.Unpickler):
    """Builds only what ALLOWED names; `allow_names=False` for the key, which names nothing."""

    def __init__(self, file: io.BytesIO, *, allow_names: bool) -> None:
        super().__init__(file)
        self.allow_names = allow_names

    def find_class(self, module: str, name: str) -> Any:
        if self.allow_names and _allowed(module, name):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a plan checker")


def _read(path: Path, key: tuple[Any, ...]) -> PlanChecker | None:
    """The stored checker if the file holds one under `key`; None for anything else.

    Only a regular file this user (or root) owns and no one else can write is read; it is opened
    without following a link and without waiting on a pipe, and checked on the open descriptor, so
    nothing can be swapped in between.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not _private(info) or info.st_size > MAX_FILE:
                return None
            data = io.BytesIO(file.read(MAX_FILE))
        if _Unpickler(data, allow_names=False).load() != key:
            return None  # another version's file: its validator is never built
        validator, fields = _Unpickler(data, allow_names=True).load()
    except Exception:  # a corrupt or foreign file is rebuilt, whatever unpickling it raises
        return None
    if not isinstance(validator, SchemaValidator) or not isinstance(fields, dict):
        return None
    return PlanChecker(validator, fields)


def _private(info: os.stat_result) -> bool:
    """A regular file owned by this user or root and writable by no one else (ownership always
    passes where there are no owners)."""
    getuid = getattr(os, "getuid", None)
    owner_ok = getuid is None or info.st_uid in (getuid(), 0)
    return stat.S_ISREG(info.st_mode) and owner_ok and not info.st_mode & 0o022


def _write(path: Path, key: tuple[Any, ...], checker: PlanChecker) -> None:
    """Store the key and the checker; at most 0o644 (store_file): a file that others can write is
    never read (_private). A checker that cannot be pickled is not stored."""
    from mapgen.holiday_cache import store_file

    try:
        data = pickle.dumps(key, protocol=5) + pickle.dumps((checker.validator, checker.fields), protocol=5)
    except (pickle.PicklingError, AttributeError, TypeError):
        return
    store_file(path, data)
