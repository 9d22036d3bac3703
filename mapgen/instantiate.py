"""`mapgen new`: a template plus `--set key.path=value` -> a plan file with absolute dates.

ruamel.yaml's round-trip mode keeps the template's comments (the hints that help a user fill it
in); the values set are parsed as YAML scalars, then the whole plan is validated by the loader
and every relative date is replaced by the date it resolves to.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mapgen.branding import Brand
from mapgen.errors import InvalidInput, Problem, UsageError
from mapgen.load import load_data
from mapgen.source import Lines, read_plan_data
from mapgen.spec import DEAL_ANCHORS

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]")


def parse_assignment(text: str) -> tuple[list[str | int], Any]:
    """`deal.target_close=2027-03-05` -> (['deal', 'target_close'], date(2027, 3, 5))."""
    import yaml

    from mapgen.source import _Loader

    key, sep, raw = text.partition("=")
    parts: list[str | int] = []
    for segment in key.strip().split("."):
        for match in _KEY.finditer(segment):
            parts.append(match.group(1) if match.group(1) else int(match.group(2)))
    rebuilt = "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in parts).lstrip(".")
    if not sep or not parts or rebuilt != key.strip():
        raise UsageError(f"--set takes key.path=value, such as deal.target_close=2027-03-05 (got {text!r})")
    try:
        value = yaml.load(raw, Loader=_Loader) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    if isinstance(value, dict | list) or value is None:
        value = raw
    return parts, value


def instantiate(
    template: Path, assignments: list[str], *, today: date | None = None, brand: Brand | None = None
) -> str:
    """The text of a ready plan made from `template` with `assignments` applied.

    `updated` becomes `today` unless it is set explicitly: a new plan's status is as of the day it
    was made, not the day the template was written. The seller's name and website come from
    `brand` (a theme's or $MAPGEN_HOME's) where the template leaves a placeholder or nothing.
    """
    from ruamel.yaml import YAML

    yaml_rt = YAML(typ="rt")
    yaml_rt.preserve_quotes = True
    yaml_rt.width = 4096
    yaml_rt.indent(mapping=2, sequence=4, offset=2)
    data, lines = read_plan_data(template)
    try:
        document = yaml_rt.load(template.read_text(encoding="utf-8-sig"))
    except Exception as exc:
        raise InvalidInput([Problem(f"cannot read template: {exc}", file=str(template))]) from None
    if not isinstance(document, dict):
        raise InvalidInput([Problem("a template must be a mapping of fields", file=str(template))])
    parsed = [(*parse_assignment(text), text) for text in assignments]
    if today is not None and not any(parts == ["updated"] for parts, _, _ in parsed):
        parsed.insert(0, (["updated"], today, "updated"))
    parsed = _brand_assignments(brand, data, parsed) + parsed
    for parts, value, text in parsed:
        assign(document, parts, value, text)
        assign(data, parts, value, text)

    try:
        plan, problems = load_data(data, template.resolve().parent)
    except InvalidInput as exc:
        raise InvalidInput(_blame(exc.problems, parsed, template, lines)) from None
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InvalidInput(_blame(errors, parsed, template, lines))

    for name in DEAL_ANCHORS:
        if name in document.get("deal", {}):
            document["deal"][name] = getattr(plan.deal, name)
    for phase_doc, phase in zip(document.get("phases", []), plan.phases, strict=True):
        for action_doc, action in zip(phase_doc.get("actions", []), phase.actions, strict=True):
            if "due" in action_doc and action.due is not None:
                due = action.due
                action_doc["due"] = due.strftime("%Y-%m-%d %H:%M") if isinstance(due, datetime) else due
    for metric_doc, metric in zip(document.get("metrics", []), plan.metrics, strict=True):
        metric_doc["measure_by"] = metric.measure_by

    out = io.StringIO()
    yaml_rt.dump(document, out)
    return _without_header(out.getvalue(), template)


def _brand_assignments(
    brand: Brand | None, data: Any, parsed: list[tuple[list[str | int], Any, str]]
) -> list[tuple[list[str | int], Any, str]]:
    """`seller.name` and `seller.website` from the brand, where the template has only a placeholder
    or nothing and no --set gives them."""
    from mapgen.readiness import PLACEHOLDER

    if brand is None:
        return []
    seller = data.get("seller") if isinstance(data, dict) else None
    seller = seller if isinstance(seller, dict) else {}
    given = {tuple(parts) for parts, _, _ in parsed}
    out: list[tuple[list[str | int], Any, str]] = []
    for field in ("name", "website"):
        value = getattr(brand, field)
        current = seller.get(field)
        empty = current is None or (isinstance(current, str) and PLACEHOLDER.fullmatch(current.strip()))
        if value and empty and ("seller", field) not in given and ("seller",) not in given:
            out.append((["seller", field], value, f"seller.{field}={value}"))
    return out


def _blame(
    problems: list[Problem], parsed: list[tuple[list[str | int], Any, str]], template: Path, lines: Lines
) -> list[Problem]:
    """Each problem where the user can fix it: the `--set` that wrote the field, else the template's line."""
    from mapgen.load import _locate
    from mapgen.source import join_path

    assigned = []
    for parts, _value, text in parsed:
        path = ""
        for part in parts:
            path = join_path(path, part)
        assigned.append((path, text))
    blamed = []
    for problem in problems:
        setter = next(
            (text for path, text in assigned if _within(problem.path, path) or _within(path, problem.path)),
            None,
        )
        if setter is not None and setter != "updated":
            message = problem.message
            if (
                message.startswith("expected a mapping of fields (")
                and problem.path == setter.partition("=")[0]
            ):
                first = message.partition("(")[2].split(",")[0].rstrip(")")
                message += f": set one field, such as --set {problem.path}.{first}={setter.partition('=')[2]}"
            blamed.append(Problem(message, problem.path, f"--set {setter}", None, problem.severity))
        else:
            blamed.append(_locate(problem, str(template), lines))
    return sorted(blamed, key=lambda p: (p.file.startswith("--set"), p.line or 0))


def _within(path: str, ancestor: str) -> bool:
    """True when `path` is `ancestor` or a field inside it."""
    return path == ancestor or path.startswith((ancestor + ".", ancestor + "["))


def _without_header(text: str, template: Path) -> str:
    """Swap the template's leading comment block (its description and how to instantiate it) for
    one line saying where the plan came from; comments inside the plan stay."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1
    origin = f"# Made from the template '{template.stem}' by mapgen new. Dates are absolute now:\n"
    advice = "# edit them here, bump `revision` and re-share; `mapgen diff` shows what changed.\n"
    return origin + advice + "".join(lines[start:])


def assign(document: Any, parts: list[str | int], value: Any, text: str) -> None:
    """Set `parts` in a nested mapping, creating mappings on the way; `text` names the --set in errors."""
    node = document
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise UsageError(f"--set {text}: no item [{part}] there")
        elif not isinstance(node, dict):
            raise UsageError(f"--set {text}: '{part}' is not inside a mapping")
        if last:
            node[part] = value
        else:
            if isinstance(part, str) and part not in node:
                node[part] = {}
            node = node[part]


def template_description(path: Path) -> str:
    """The `# description:` line of a template, or ''."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("# description:"):
                return line.partition(":")[2].strip()
            if not line.startswith("#"):
                break
    return ""


__all__ = ["assign", "instantiate", "parse_assignment", "template_description"]
