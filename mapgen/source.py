"""Read a plan file (YAML or JSON) into plain Python data plus a map of field paths to line numbers.

YAML is read with a safe loader that follows YAML 1.2 for booleans and numbers (`no` stays a string,
`012` is twelve), leaves dates to the models, rejects duplicate keys, and records the line of every key and item so that errors
can point at it. JSON is read with the standard library and its duplicate keys are rejected too.
Which files are plans (a top-level `mapgen:` key) is decided here too, for `validate`, `render`
and `serve` alike.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from mapgen.errors import InvalidInput, Problem, UsageError

MAX_FILE_BYTES = 5_000_000

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with YAML 1.2 core-schema booleans and integers, and dates left as text.

    Dates stay strings so that the plan models parse them field by field: an impossible date such as
    2027-02-30 is then reported at its field and line instead of failing the whole file.
    """


_DROPPED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$|^0x[0-9a-fA-F]+$"), list("-+0123456789")
)


MAX_DIGITS = 20
"""Longest whole number read from a file: past it a number is only an attack on int() (Python
refuses 4,300 digits) or on the number formatting later; the plan's own limits are far smaller."""


def _int_12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    digits = text.lstrip("+-").removeprefix("0x")
    if len(digits) > MAX_DIGITS:
        raise ValueError(f"a number with {len(digits):,} digits (at most {MAX_DIGITS})")
    return int(text, 16) if text.startswith("0x") else int(text, 10)


_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
"""Tags a plan may use: text, numbers, booleans, null, mappings and lists (no !!binary bytes,
!!set, !!omap or !!timestamp, which would reach the models as types no field expects)."""


_Loader.add_constructor("tag:yaml.org,2002:int", _int_12)

Lines = dict[str, int]


def join_path(parent: str, key: str | int) -> str:
    """Field path in the form used in messages: `phases[1].actions[3].owner`."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def read_plan_data(path: Path) -> tuple[Any, Lines]:
    """Parse `path`; raise InvalidInput naming the file and line on any syntax problem."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([Problem(f"cannot read file: {exc.strerror or exc}", file=name)]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInput([Problem(f"file is larger than {MAX_FILE_BYTES:,} bytes", file=name)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput([Problem(f"not UTF-8 text (byte {exc.start})", file=name)]) from None
    if path.suffix.lower() == ".json":
        return _read_json(text, name), {}
    return _read_yaml(text, name)


def _read_json(text: str, name: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f"duplicate key '{key}'")
            out[key] = value
        return out

    def whole(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_DIGITS:
            raise ValueError(f"a number with {len(digits.lstrip('-')):,} digits (at most {MAX_DIGITS})")
        return int(digits)

    def no_constant(word: str) -> None:
        raise ValueError(f"{word} is not a number a plan can hold")

    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_int=whole, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno)]) from None
    except (ValueError, RecursionError) as exc:
        raise InvalidInput([Problem(f"invalid JSON: {exc}", file=name)]) from None


def _check_shape(text: str, name: str) -> None:
    """Refuse nesting deeper than _MAX_DEPTH and alias expansions past _MAX_NODES, from the event
    stream alone: libyaml's composer recurses in C (a deep file crashes the process) and aliases
    expand exponentially (a few hundred bytes of `&a [*a, *a, ...]` take minutes and gigabytes)."""
    sizes: dict[str, int] = {}
    open_nodes: list[list[Any]] = []
    total = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_nodes) >= _MAX_DEPTH:
                line = event.start_mark.line + 1
                raise InvalidInput(
                    [Problem(f"nesting deeper than {_MAX_DEPTH} levels", file=name, line=line)]
                )
            open_nodes.append([event.anchor, 1])
            total += 1
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_nodes.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
            total += 1
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, sizes.get(event.anchor, 1)
            total += size
        else:
            continue
        if anchor:
            sizes[anchor] = size
        if open_nodes:
            open_nodes[-1][1] += size
        if total > _MAX_NODES:
            line = event.start_mark.line + 1
            raise InvalidInput(
                [Problem(f"the file expands to more than {_MAX_NODES:,} values", file=name, line=line)]
            )


def _read_yaml(text: str, name: str) -> tuple[Any, Lines]:
    try:
        _check_shape(text, name)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, {}
            lines: Lines = {}
            problems: list[Problem] = []
            data = _construct(loader, node, "", lines, problems, name, 0)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = exc.problem or exc.context or "invalid YAML"
        if mark is not None and "\t" in _indent(text, mark.line):
            message = "a tab in the indentation (YAML indents with spaces only)"
        raise InvalidInput([Problem(f"invalid YAML: {message}", file=name, line=line)]) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise InvalidInput([Problem(f"invalid YAML: {exc}", file=name)]) from None
    if problems:
        raise InvalidInput(problems)
    return data, lines


def _indent(text: str, line: int) -> str:
    """The leading white space of line `line` (0-based) of `text`."""
    lines = text.splitlines()
    row = lines[line] if 0 <= line < len(lines) else ""
    return row[: len(row) - len(row.lstrip())]


_MAX_DEPTH = 64
_MAX_NODES = 500_000
"""About what the 5 MB file cap allows; a plan with thousands of actions has ~100,000 values."""


def _construct(
    loader: Any, node: yaml.Node, path: str, lines: Lines, problems: list[Problem], name: str, depth: int
) -> Any:
    """Build Python data from a node tree, recording lines and refusing duplicate keys."""
    lines.setdefault(path, node.start_mark.line + 1)
    if depth > _MAX_DEPTH:
        raise ValueError(f"nesting deeper than {_MAX_DEPTH} levels")
    if node.tag not in _TAGS:
        problems.append(
            Problem(f"YAML tag {node.tag!r} is not allowed in a plan", path, name, node.start_mark.line + 1)
        )
        return None
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            child = join_path(path, key)
            if key in out:
                problems.append(
                    Problem(
                        f"duplicate key '{key}'", path=child, file=name, line=key_node.start_mark.line + 1
                    )
                )
                continue
            lines[child] = key_node.start_mark.line + 1
            out[key] = _construct(loader, value_node, child, lines, problems, name, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, join_path(path, i), lines, problems, name, depth + 1)
            for i, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:
        problems.append(Problem(str(exc), path=path, file=name, line=node.start_mark.line + 1))
        return None


PLAN_SUFFIXES = (".yaml", ".yml", ".json")
_PLAN_KEY = re.compile(rb'^(?:mapgen|"mapgen"|\'mapgen\')[ \t]*:', re.MULTILINE)
_JSON_PLAN_KEY = re.compile(rb'^\s*\{\s*"mapgen"\s*:|^ {0,2}"mapgen"\s*:', re.MULTILINE)


def is_plan_file(path: Path) -> bool:
    """A top-level `mapgen:` key is what makes a plan: a JSON Schema, a CI file or notes beside the
    plans are not plans, and are neither served nor reported as broken."""
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_FILE_BYTES)
    except OSError:
        return False
    if path.suffix.lower() == ".json":
        return _JSON_PLAN_KEY.search(head) is not None or _json_top_key(head)
    return _PLAN_KEY.search(head) is not None


def _json_top_key(data: bytes) -> bool:
    try:
        return isinstance(document := json.loads(data), dict) and "mapgen" in document
    except ValueError:
        return False


def find_plans(arguments: Sequence[Path], skip: Sequence[Path] = ()) -> tuple[list[Path], bool]:
    """Plan files named or found (recursively) in folders, in a stable order; and whether a folder
    was given. Hidden files and folders and the `skip` folders (output, cache) are left out."""
    skipped = {p.resolve() for p in skip}
    found: list[Path] = []
    folders = False
    for argument in arguments:
        if not argument.is_dir():
            found.append(argument)
            continue
        folders = True
        matches = []
        for root, dirs, files in os.walk(argument):
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and Path(root, d).resolve() not in skipped
            )
            for name in files:
                path = Path(root, name)
                if not name.startswith(".") and path.suffix.lower() in PLAN_SUFFIXES and is_plan_file(path):
                    matches.append(path)
        if not matches:
            raise UsageError(
                f"no plan files in {argument} (YAML or JSON files with a top-level 'mapgen:' key)"
            )
        found += sorted(matches)
    unique, seen = [], set()
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, folders
