"""Plan validation without the models: pydantic-core's validator for `Plan`, cached on disk.

Importing `pydantic.BaseModel` and building the 13 plan models costs a cold `mapgen validate` more
than pydantic and YAML themselves. The check needs neither: it runs the very core schema pydantic
builds for `Plan`, with each model's class swapped for `Record` (attribute access and
`model_copy`, all the date resolution and rules use), so errors are the same and the rules see the
same values. Only the schema's serializers and JSON-schema hooks are dropped; every validator
function it keeps lives in `mapgen.spec_values` or pydantic's own validators, which import
cheaply.

The validator is pickled (pydantic-core pickles a validator as its schema) into
`$MAPGEN_CACHE/spec/plan-check.pickle` (default `~/.cache/mapgen/spec/`) with its key: mapgen's
version, pydantic's and pydantic-core's, Python's, and the source of the SPEC_MODULES, compared
whole (hashing would import hashlib, a few milliseconds of a 100 ms start). A missing, stale,
unreadable, corrupt or foreign file is rebuilt from the models and replaced; `MAPGEN_NO_CACHE`
skips the file entirely. Loading a plan for rendering still validates with the models.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import SchemaValidator

CACHE_FORMAT = 1
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
    key = cache_key()
    path = None
    if not _cache_disabled():
        try:
            path = cache_dir() / "plan-check.pickle"
        except RuntimeError:  # no home folder (Path.home) and no $MAPGEN_CACHE: no cache
            path = None
    stored = _read(path, key) if path else None
    if stored is not None:
        return stored
    built = build_checker()
    if path:
        _write(path, key, built)
    return built


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


def _read(path: Path, key: tuple[Any, ...]) -> PlanChecker | None:
    """The stored checker if the file holds one under `key`; None for anything else.

    Unpickling runs code named in the file, so only a file this user owns and no one else can write
    is read (a `$MAPGEN_CACHE` shared with other users is not trusted).
    """
    try:
        with path.open("rb") as file:
            if not _private(os.fstat(file.fileno())):
                return None
            stored_key, validator, fields = pickle.load(file)
    except Exception:  # a corrupt or foreign file is rebuilt, whatever unpickling it raises
        return None
    if stored_key != key or not isinstance(validator, SchemaValidator) or not isinstance(fields, dict):
        return None
    return PlanChecker(validator, fields)


def _private(stat: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (always true where there are no owners)."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or (stat.st_uid == getuid() and not stat.st_mode & 0o022)


def _write(path: Path, key: tuple[Any, ...], checker: PlanChecker) -> None:
    """Store atomically (a concurrent run reads the old file or the new one, never half of one);
    a cache that cannot be written is skipped."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        data = pickle.dumps((key, checker.validator, checker.fields), protocol=5)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)  # left by a killed run: a new file gets the mode below
        # At most 0o644 whatever the umask: a file that others can write is never read (_private).
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb") as file:
            file.write(data)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, AttributeError, TypeError):  # unwritable, or unpicklable
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
