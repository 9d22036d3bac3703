"""Rules that span fields: references, uniqueness, cycles, dates, assets; and the warnings.

Each check appends `Problem`s with a field path; the loader adds file and line. Run on a plan whose
relative dates are already resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mapgen.errors import Problem, Severity, did_you_mean
from mapgen.spec_values import DEAL_ANCHORS, Status

if TYPE_CHECKING:
    from mapgen.spec import Plan

LOGO_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".svg": (b"<svg", b"<?xml"),
}


def day_of(value: date | datetime | None) -> date | None:
    """The calendar day of a date or date-time (date-times are already in the plan's zone)."""
    return value.date() if isinstance(value, datetime) else value


def check_plan(plan: Plan, base_dir: Path) -> list[Problem]:
    """Every cross-field error and warning of `plan`, in file order."""
    problems: list[Problem] = []
    stakeholders = [s.id for s in plan.stakeholders]
    action_paths = {
        f"phases[{p}].actions[{a}]": action
        for p, phase in enumerate(plan.phases)
        for a, action in enumerate(phase.actions)
    }
    actions = {a.id: a for a in action_paths.values()}

    def error(path: str, message: str) -> None:
        problems.append(Problem(message, path=path))

    def warn(path: str, message: str) -> None:
        problems.append(Problem(message, path=path, severity=Severity.WARNING))

    _unique("stakeholder", ((f"stakeholders[{i}].id", s.id) for i, s in enumerate(plan.stakeholders)), error)
    _unique("objective", ((f"objectives[{i}].id", o.id) for i, o in enumerate(plan.objectives)), error)
    _unique("phase", ((f"phases[{i}].id", p.id) for i, p in enumerate(plan.phases)), error)
    _unique("action", ((f"{path}.id", a.id) for path, a in action_paths.items()), error)
    _unique("metric", ((f"metrics[{i}].id", m.id) for i, m in enumerate(plan.metrics)), error)

    def known_stakeholder(path: str, ref: str) -> None:
        if ref not in stakeholders:
            error(path, f"unknown stakeholder '{ref}'{did_you_mean(ref, stakeholders)}")

    for i, objective in enumerate(plan.objectives):
        known_stakeholder(f"objectives[{i}].owner", objective.owner)
    for i, metric in enumerate(plan.metrics):
        known_stakeholder(f"metrics[{i}].owner", metric.owner)
    for i, ref in enumerate(plan.signoff):
        known_stakeholder(f"signoff[{i}]", ref)
    if len(set(plan.signoff)) != len(plan.signoff):
        error("signoff", "a signatory is listed twice")
    for i, record in enumerate(plan.signatures):
        if record.who not in plan.signoff:
            signatories = ", ".join(plan.signoff) or "none"
            error(
                f"signatures[{i}].who",
                f"'{record.who}' is not a signatory (signoff: {signatories}){did_you_mean(record.who, plan.signoff)}",
            )
        if record.revision > plan.revision:
            error(
                f"signatures[{i}].revision",
                f"revision {record.revision} is after this plan's revision {plan.revision}",
            )

    for path, action in action_paths.items():
        known_stakeholder(f"{path}.owner", action.owner)
        seen_contributors: set[str] = set()
        for j, ref in enumerate(action.contributors):
            where = f"{path}.contributors[{j}]"
            if ref == action.owner:
                error(where, f"'{ref}' owns the action; contributors are the other people who work on it")
            elif ref in seen_contributors:
                error(where, f"contributor '{ref}' is listed twice")
            else:
                known_stakeholder(where, ref)
            seen_contributors.add(ref)
        if action.id in DEAL_ANCHORS:
            error(f"{path}.id", f"'{action.id}' is reserved for the deal date of that name")
        for j, dep in enumerate(action.depends_on):
            if dep == action.id:
                error(f"{path}.depends_on[{j}]", "an action cannot depend on itself")
            elif dep not in actions:
                error(f"{path}.depends_on[{j}]", f"unknown action '{dep}'{did_you_mean(dep, actions)}")
        if action.completed is not None:
            if action.status is not Status.DONE:
                error(
                    f"{path}.completed",
                    f"only done actions have a completion date (status is {action.status})",
                )
            elif action.completed > plan.updated:
                error(
                    f"{path}.completed", f"{action.completed} is after the plan's updated date {plan.updated}"
                )

    cycle = find_cycle({a.id: [d for d in a.depends_on if d in actions] for a in actions.values()})
    if cycle:
        first = next(path for path, a in action_paths.items() if a.id == cycle[0])
        error(f"{first}.depends_on", "dependencies form a cycle: " + " -> ".join(cycle))

    start, close = day_of(plan.deal.start), plan.deal.target_close
    if start and close < start:
        error("deal.target_close", f"{close} is before deal.start {start}")
    for party in ("seller", "buyer"):
        logo = getattr(plan, party).logo
        if logo is not None:
            message = check_asset(logo, base_dir)
            if message:
                error(f"{party}.logo", message)
            elif logo.lower().endswith(".svg"):
                warn(
                    f"{party}.logo",
                    "the DOCX leaves out SVG logos (Word cannot show them): give a PNG or JPEG",
                )

    for i, phase in enumerate(plan.phases):
        if not phase.actions:
            warn(f"phases[{i}].actions", f"phase '{phase.id}' has no actions")
    for path, action in action_paths.items():
        due = day_of(action.due)
        if due is None:
            continue
        if start and due < start:
            warn(f"{path}.due", f"due {due}, before deal.start {start}")
        for dep in action.depends_on:
            dep_due = day_of(actions[dep].due) if dep in actions else None
            if dep_due and due < dep_due:
                warn(f"{path}.due", f"due {due}, before its dependency '{dep}' (due {dep_due})")
    return problems


def _unique(kind: str, items: Iterable[tuple[str, str]], error) -> None:  # type: ignore[no-untyped-def]
    seen: set[str] = set()
    for path, value in items:
        if value in seen:
            error(path, f"duplicate {kind} id '{value}'")
        seen.add(value)


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle in a dependency graph, as a closed list of ids, or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    stack: list[str] = []
    for root in graph:
        if colour[root] != WHITE:
            continue
        work = [(root, iter(graph[root]))]
        colour[root] = GREY
        stack.append(root)
        while work:
            node, children = work[-1]
            for child in children:
                if colour.get(child) == GREY:
                    return [*stack[stack.index(child) :], child]
                if colour.get(child) == WHITE:
                    colour[child] = GREY
                    stack.append(child)
                    work.append((child, iter(graph[child])))
                    break
            else:
                colour[node] = BLACK
                stack.pop()
                work.pop()
    return None


def check_asset(ref: str, base_dir: Path) -> str | None:
    """Why a logo reference is refused, or None: it must be a PNG, JPEG or SVG inside base_dir."""
    if "://" in ref or ref.startswith(("data:", "//")):
        return "must be a file in the plan's folder, not a URL"
    relative = Path(ref)
    if relative.is_absolute() or ".." in relative.parts:
        return "must be a relative path inside the plan's folder"
    suffix = relative.suffix.lower()
    if suffix not in LOGO_SIGNATURES:
        return f"'{ref}' must be a .png, .jpg, .jpeg or .svg file"
    base = base_dir.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base):
        return f"'{ref}' resolves outside the plan's folder"
    if not target.is_file():
        return f"file not found: {ref}"
    with target.open("rb") as handle:
        head = handle.read(512).lstrip()
    if suffix == ".svg":
        if b"<svg" not in head and not head.startswith(b"<?xml"):
            return f"'{ref}' is not an SVG file"
    elif not head.startswith(LOGO_SIGNATURES[suffix]):
        return f"'{ref}' is not a {suffix[1:].upper()} file"
    from mapgen.images import image_problem

    return image_problem(target, ref)
