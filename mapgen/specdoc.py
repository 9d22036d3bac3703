"""The plan's JSON Schema and Markdown field reference, generated from the models so they cannot drift.

Field docs are the docstrings under each field in mapgen/spec.py. They are read here, with `ast`,
only when a schema or reference is asked for: pydantic's own `use_attribute_docstrings` would parse
the source on every import and slow down every command.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import types
import typing
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from mapgen import spec

_INTRO = """# Plan spec reference

Generated from `mapgen/spec.py` by `mapgen schema --format markdown`; a test keeps it in sync.
Every mapping rejects unknown keys. Ids are lowercase letters, digits and hyphens. Text fields
lose control characters. For editor autocompletion, write `mapgen schema > plan.schema.json`
and put this first line in a plan file:

```yaml
# yaml-language-server: $schema=plan.schema.json
```

**Dates** are `YYYY-MM-DD`; a due date may also be `YYYY-MM-DD HH:MM` (in the plan's `timezone`)
or relative: `ANCHOR`, `ANCHOR + N<unit>` or `ANCHOR - N<unit>`, where ANCHOR is `start`,
`target_close`, `go_live` or an action id, and the unit is `d` (calendar days), `bd` (business
days: weekends and the holidays of `calendar` skipped) or `w` (weeks). Relative dates are resolved
when the plan is loaded.

"""


@cache
def field_docs(model: type[BaseModel]) -> dict[str, str]:
    """Docstrings written under the fields of `model`, by field name."""
    tree = ast.parse(inspect.getsource(model))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def json_schema() -> dict[str, Any]:
    """The plan's JSON Schema (draft 2020-12) with every field's description, for editors."""
    schema = spec.Plan.model_json_schema(mode="validation")
    definitions = schema.get("$defs", {})
    for model in _models():
        target = schema if model is spec.Plan else definitions.get(model.__name__, {})
        for name, doc in field_docs(model).items():
            target.get("properties", {}).get(name, {}).setdefault("description", doc)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://mapgen.dev/schema/plan-v1.json",
        **schema,
    }


def _doc_type(metadata: typing.Iterable[object]) -> str | None:
    return next((m.label for m in metadata if isinstance(m, spec.DocType)), None)


def _type_name(annotation: object) -> str:
    alias = getattr(annotation, "__name__", None)
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return _doc_type(getattr(annotation, "__metadata__", ())) or _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is typing.Literal:
        return " or ".join(repr(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(f"`{m.value}`" for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {"str": "text", "int": "whole number", "float": "number", "bool": "true or false"}.get(
        alias or "", alias or str(annotation)
    )


def _models() -> list[type[BaseModel]]:
    ordered: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in ordered:
            return
        ordered.append(model)
        for field in model.model_fields.values():
            for arg in _flatten(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    visit(arg)

    visit(spec.Plan)
    return ordered


def _flatten(annotation: object) -> list[object]:
    out = [annotation]
    for arg in typing.get_args(annotation):
        out.extend(_flatten(arg))
    return out


def spec_reference() -> str:
    parts = [_INTRO]
    for model in _models():
        parts.append(f"## {model.__name__}\n\n")
        if model.__doc__:
            parts.append(model.__doc__.strip().splitlines()[0] + "\n\n")
        parts.append("| field | type | required | default | description |\n|---|---|---|---|---|\n")
        for name, field in model.model_fields.items():
            required = "yes" if field.is_required() else ""
            default = "" if field.is_required() else _default(field)
            description = field_docs(model).get(name, "").replace("\n", " ").replace("|", "\\|")
            parts.append(
                f"| `{name}` | {_doc_type(field.metadata) or _type_name(field.annotation)} | {required} | {default} | {description} |\n"
            )
        parts.append("\n")
    return "".join(parts).rstrip() + "\n"


def _default(field: FieldInfo) -> str:
    value = field.default
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    return f"`{value}`" if value not in ([], "") else ""
