"""Plan file -> validated `Plan` with every relative date resolved, or every problem at once.

The order is fixed: read (syntax), validate the shape with pydantic, resolve relative dates, then
check the cross-field rules. Each stage reports all its problems with path and line before stopping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic_core import ValidationError

from mapgen.dates import BusinessCalendar, resolve_all
from mapgen.errors import InvalidInput, Problem, Severity, did_you_mean
from mapgen.limits import DEFAULT_LIMITS, Limits, check_plan_size
from mapgen.rules import check_plan, day_of
from mapgen.source import Lines, join_path, read_plan_data
from mapgen.spec_values import DEAL_ANCHORS, PATTERN_HINTS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mapgen.plan_check import FieldTree, PlanChecker
    from mapgen.spec import Plan


@dataclass(frozen=True, slots=True)
class LoadedPlan:
    """A valid plan, where it came from, and the warnings found while loading it."""

    plan: Plan
    path: Path
    warnings: tuple[Problem, ...]

    @property
    def base_dir(self) -> Path:
        """The plan's folder: the only place its own assets may come from."""
        return self.path.resolve().parent


@dataclass(frozen=True, slots=True)
class CheckedPlan:
    """A plan file that passed every check, without its models: what `mapgen validate` reports."""

    path: Path
    action_count: int
    warnings: tuple[Problem, ...]


def load_plan(path: Path | str, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> LoadedPlan:
    """Load and check one plan file; raise InvalidInput listing every problem."""
    path = Path(path)
    plan, warnings = _load_file(path, strict, limits, check_only=False)
    return LoadedPlan(plan=plan, path=path, warnings=warnings)


def check_plan_file(
    path: Path | str, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS
) -> CheckedPlan:
    """Check one plan file as `load_plan` does, with the same problems, but through the cached
    validator of `mapgen.plan_check` instead of the models (a fast start for `mapgen validate`)."""
    path = Path(path)
    plan, warnings = _load_file(path, strict, limits, check_only=True)
    return CheckedPlan(path, sum(len(phase.actions) for phase in plan.phases), warnings)


def _load_file(
    path: Path, strict: bool, limits: Limits, *, check_only: bool
) -> tuple[Any, tuple[Problem, ...]]:
    data, lines = read_plan_data(path)
    name = str(path)
    try:
        plan = load_data(data, path.resolve().parent, limits, check_only=check_only)
    except InvalidInput as exc:
        located = sorted((_locate(p, name, lines) for p in exc.problems), key=lambda p: p.line or 0)
        raise InvalidInput(located) from None
    problems = sorted((_locate(p, name, lines) for p in plan[1]), key=lambda p: p.line or 0)
    raise_errors(problems, strict)
    return plan[0], tuple(problems)


def raise_errors(problems: Sequence[Problem], strict: bool) -> None:
    """InvalidInput with every problem when one is an error (with `strict`, a warning too)."""
    if any(p.severity is Severity.ERROR or strict for p in problems):
        raise InvalidInput(list(problems))


def load_data(
    data: Any, base_dir: Path, limits: Limits = DEFAULT_LIMITS, *, check_only: bool = False
) -> tuple[Plan, list[Problem]]:
    """Validate already-parsed data; return the resolved plan and its warnings and rule errors.

    With `check_only`, the plan is made of `mapgen.plan_check.Record`s, not models: enough for
    the rules, and much quicker to start.
    """
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise InvalidInput([Problem(f"a plan must be a mapping of fields, this file is {kind}")])
    too_big = check_plan_size(data, limits)
    if too_big:
        raise InvalidInput(too_big)
    checker = _plan_checker() if check_only else None
    if checker is not None:
        validate, fields = checker.validator.validate_python, checker.fields
    else:
        from mapgen.spec import Plan

        validate, fields = Plan.model_validate, None
    try:
        raw = validate(data)
    except ValidationError as exc:
        raise InvalidInput(pydantic_problems(exc, data, fields)) from None
    problems: list[Problem] = []
    plan = resolve_dates(raw, problems)
    problems += check_plan(plan, base_dir)
    return plan, problems


def _plan_checker() -> PlanChecker | None:
    """The fast checker, or None when it cannot be derived from the models (a pydantic whose core
    schema or pickling mapgen does not know yet): the models then check, only more slowly."""
    from mapgen.plan_check import plan_checker

    try:
        return plan_checker()
    except Exception:
        return None


def resolve_dates(plan: Plan, problems: list[Problem]) -> Plan:
    """The plan with every relative date made absolute and every date-time in the plan's zone."""
    zone = ZoneInfo(plan.timezone)
    calendar = BusinessCalendar(
        plan.calendar.country if plan.calendar else None,
        plan.calendar.subdivision if plan.calendar else None,
    )
    paths = {
        "start": "deal.start",
        "target_close": "deal.target_close",
        "go_live": "deal.go_live",
    }
    values: dict[str, Any] = {name: getattr(plan.deal, name) for name in DEAL_ANCHORS}
    for p, phase in enumerate(plan.phases):
        for a, action in enumerate(phase.actions):
            if action.id in values:
                continue
            values[action.id] = _in_zone(action.due, zone)
            paths[action.id] = f"phases[{p}].actions[{a}].due"

    # Metrics resolve in the same pass, under names no anchor can be ("__" keeps them out of
    # did-you-mean): a broken anchor is reported once, at its own line, not again at each metric.
    for i, metric in enumerate(plan.metrics):
        values[f"__metrics[{i}]"] = metric.measure_by
        paths[f"__metrics[{i}]"] = f"metrics[{i}].measure_by"

    def on_error(name: str, exc: ValueError) -> None:
        problems.append(Problem(str(exc), path=paths.get(name, name)))

    resolved = resolve_all(values, calendar, on_error)
    metric_dates = {m.id: day_of(resolved[f"__metrics[{i}]"]) for i, m in enumerate(plan.metrics)}
    deal = plan.deal.model_copy(update={n: resolved[n] for n in DEAL_ANCHORS})
    phases = [
        phase.model_copy(
            update={
                "actions": [a.model_copy(update={"due": resolved.get(a.id, a.due)}) for a in phase.actions]
            }
        )
        for phase in plan.phases
    ]
    metrics = [m.model_copy(update={"measure_by": metric_dates[m.id]}) for m in plan.metrics]
    return plan.model_copy(update={"deal": deal, "phases": phases, "metrics": metrics})


def _in_zone(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
    return value


def pydantic_problems(exc: ValidationError, data: Any, model: Any = None) -> list[Problem]:
    """One problem per pydantic error of `model` (a plan unless said; a model class or its
    `field_tree`), in mapgen's words, with the path as the user wrote it (no union tags)."""
    fields = _field_tree(model)
    problems: list[Problem] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        path, node = "", data
        loc = list(err["loc"])
        kind = err["type"]
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            if (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            ):
                path, node = join_path(path, part), node[part]
            elif last and kind in ("missing", "extra_forbidden") and isinstance(part, str):
                path = join_path(path, part)
        if path in seen:
            continue
        seen.add(path)
        problems.append(Problem(_message(err, path, fields), path=path))
    return problems


def _message(err: Any, path: str, fields: FieldTree) -> str:
    kind = err["type"]
    field = path.rsplit(".", 1)[-1].split("[")[0]
    if kind == "extra_forbidden":
        allowed = _fields_at(path.rsplit(".", 1)[0] if "." in path else "", fields)
        return f"unknown field '{field}'{did_you_mean(field, allowed)}"
    if kind == "missing":
        return "required field is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        names = _fields_at(path, fields)
        listed = f" ({', '.join(names)})" if names else ""
        return f"expected a mapping of fields{listed}, got {_shown(err.get('input'))}"
    if kind == "list_type":
        return f"expected a list, got {_shown(err.get('input'))}"
    if field == "owner" and isinstance(err.get("input"), list):
        others = " (the others go in `contributors`)" if ".actions[" in path else ""
        return f"one stakeholder id, not a list: exactly one person owns it{others}"
    if kind in ("too_short", "too_long") and isinstance(err.get("input"), str):
        # pydantic counts "items" when a length limit follows a text-cleaning validator
        ctx = err.get("ctx", {})
        if kind == "too_short":
            return (
                "must not be empty"
                if ctx.get("min_length") == 1
                else f"at least {ctx.get('min_length')} characters"
            )
        return f"at most {ctx.get('max_length'):,} characters, got {len(err['input']):,}"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        hint = PATTERN_HINTS.get(pattern)
        if hint:
            return f"{hint} (got {err['input']!r})"
    message = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind == "literal_error" and field == "mapgen":
        return "unsupported spec version: this mapgen reads `mapgen: 1`"
    if kind in ("enum", "literal_error") and isinstance(err.get("input"), str):
        expected = err.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        hint = did_you_mean(err["input"], choices)
        return f"unknown value '{err['input']}'{hint}; expected one of: {', '.join(choices)}"
    return message[:1].lower() + message[1:]


def _shown(value: Any) -> str:
    """A value as the user wrote it, short."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_tree(model: Any) -> FieldTree:
    from mapgen.plan_check import field_tree

    if isinstance(model, dict):
        return model
    if model is None:
        from mapgen.spec import Plan

        model = Plan
    return field_tree(model)


def _fields_at(path: str, fields: FieldTree) -> list[str]:
    """Field names the model at `path` accepts, for "did you mean" suggestions."""
    import re

    tree: FieldTree | None = fields
    for part in filter(None, re.split(r"\.|\[\d+\]", path)):
        tree = tree.get(part) if tree else None
    return list(tree or {})


def _locate(problem: Problem, file: str, lines: Lines) -> Problem:
    """Add the file name and the line of the field (or its nearest written ancestor)."""
    path = problem.path
    line = None
    while True:
        if path in lines:
            line = lines[path]
            break
        if not path:
            break
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return Problem(problem.message, problem.path, file, line, problem.severity)


def day(value: date | datetime | None) -> date | None:
    """The calendar day of a resolved due date."""
    return value.date() if isinstance(value, datetime) else value
