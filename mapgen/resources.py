"""Where built-in and user layouts, themes and templates live, found by name, user dirs first.

Built-ins ship inside the wheel (mapgen/_builtin/); in a source checkout they are the top-level
folders. User folders: $MAPGEN_HOME/<kind>/ (default ~/.config/mapgen/<kind>/). Resolved by the
CLI and pipeline, never by renderers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mapgen.errors import InvalidInput, Problem, UsageError, did_you_mean

if TYPE_CHECKING:
    from pydantic import BaseModel

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(kind: str) -> Path:
    """The built-in folder for `kind` (layouts, themes, samples, templates)."""
    if kind == "templates":
        return builtin_dir("samples") / "templates"
    installed = _PACKAGE / "_builtin" / kind
    return installed if installed.is_dir() else _PACKAGE.parent / kind


def user_home() -> Path:
    """The user's mapgen folder: $MAPGEN_HOME, default ~/.config/mapgen.

    Without a home folder (no $HOME and no passwd entry: a service account, `env -i`) there is no
    user folder, only the built-ins: a path under the null device, which never exists.
    """
    explicit = os.environ.get("MAPGEN_HOME")
    if explicit:
        return Path(explicit)
    try:
        return Path.home() / ".config" / "mapgen"
    except RuntimeError:
        return Path(os.devnull) / "mapgen"


def user_dir(kind: str) -> Path:
    return user_home() / kind


def search_dirs(kind: str) -> list[Path]:
    """Folders searched for `kind`, first match wins."""
    return [user_dir(kind), builtin_dir(kind)]


def available(kind: str, *, pattern: str = "*") -> dict[str, Path]:
    """Every name of `kind` that can be found, mapped to its path (user entries hide built-ins).

    With the default pattern only folders count (layouts, themes); a README beside them is not one.
    """
    found: dict[str, Path] = {}
    for folder in reversed(search_dirs(kind)):
        if folder.is_dir():
            for entry in sorted(folder.glob(pattern)):
                if not entry.name.startswith((".", "_")) and (pattern != "*" or entry.is_dir()):
                    found[entry.name.removesuffix(entry.suffix) if entry.is_file() else entry.name] = entry
    return dict(sorted(found.items()))


def find(kind: str, name_or_path: str, *, pattern: str = "*") -> Path:
    """A path given explicitly, or the named entry of `kind`; a UsageError lists what exists."""
    candidate = Path(name_or_path)
    if os.sep in name_or_path or "/" in name_or_path or candidate.suffix or candidate.exists():
        if candidate.exists():
            return candidate
        raise UsageError(f"{kind[:-1]} not found: {name_or_path}")
    entries = available(kind, pattern=pattern)
    if name_or_path in entries:
        return entries[name_or_path]
    names = ", ".join(entries) or "none"
    raise UsageError(
        f"unknown {kind[:-1]} '{name_or_path}'{did_you_mean(name_or_path, entries)}; available: {names}"
    )


Model = TypeVar("Model", bound="BaseModel")


def read_folder_file(folder: Path, name: str, model: type[Model], kind: str) -> Model:
    """The `name` file (layout.yaml, theme.yaml) of a layout or theme folder, validated by `model`."""
    import yaml
    from pydantic import ValidationError

    path = folder / name
    if not path.is_file():
        raise UsageError(f"{folder} is not a {kind}: it has no {name}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise InvalidInput([Problem(f"not valid YAML: {reason}", file=str(path), line=line)]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(located_problems(exc, data, model, [path])) from None


def located_problems(exc: Any, data: Any, model: Any, files: list[Path], prefix: str = "") -> list[Problem]:
    """A layout's or theme's validation errors in mapgen's words, each at the line of the first file
    in `files` (a child before its parents) that writes the field; `prefix` roots the paths."""
    from mapgen.load import _locate, pydantic_problems
    from mapgen.source import read_plan_data

    sources = []
    for file in files:
        try:
            sources.append((file, read_plan_data(file)[1]))
        except InvalidInput:
            sources.append((file, {}))
    located = []
    for problem in pydantic_problems(exc, data, model):
        path = f"{prefix}.{problem.path}".strip(".") if problem.path else prefix
        file, lines = next(((f, lines) for f, lines in sources if path in lines), sources[0])
        located.append(_locate(Problem(problem.message, path), str(file), lines))
    return sorted(located, key=lambda p: (p.file, p.line or 0))


def extends_chain(
    kind: str, name_or_path: str, file_name: str, model: type[Model]
) -> list[tuple[Path, Model]]:
    """A layout's or theme's folder and file, then its parent's, up the `extends` chain.

    A user folder may shadow a built-in of the same name and extend it (`extends: standard` in
    ~/.config/mapgen/layouts/standard): the parent is then the built-in, not the folder itself.
    """
    chain: list[tuple[Path, Model]] = []
    folder = find(kind, name_or_path)
    while True:
        if any(folder.resolve() == seen.resolve() for seen, _ in chain):
            raise UsageError(f"{kind[:-1]} {folder} extends itself in a loop")
        entry = read_folder_file(folder, file_name, model, kind[:-1])
        chain.append((folder, entry))
        parent = getattr(entry, "extends", None)
        if parent is None:
            return chain
        builtin = builtin_dir(kind) / parent
        shadowed = parent == folder.name and builtin.is_dir() and builtin.resolve() != folder.resolve()
        folder = builtin if shadowed else find(kind, parent)
