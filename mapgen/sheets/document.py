"""The imported actions and people -> a whole plan file: plan-level values, checks, commented YAML.

Plan-level values a sheet never has (title, parties, close date) come from `--set` or get a
marked TODO default; the close date and go-live come from the rows that name them. The plan is
then checked by the loader, and its problems are reported at the sheet row they come from.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from mapgen.errors import InvalidInput, Problem, Severity
from mapgen.rules import day_of
from mapgen.sheets.rows import SheetRow
from mapgen.sheets.vocabulary import Field, fold

_CLOSE_WORDS = re.compile(
    r"\b(sign|signs|signed|signature|signing|close|closed|contract|order form|po)\b", re.I
)
_GO_LIVE_WORDS = re.compile(r"\b(go[- ]?live|live|launch|launched)\b", re.I)
COLUMN_OF = {
    "title": Field.ACTION, "owner": Field.OWNER, "due": Field.DUE, "completed": Field.COMPLETED,
    "status": Field.STATUS, "depends_on": Field.DEPENDS_ON, "outcome": Field.OUTCOME, "notes": Field.NOTES,
    "contributors": Field.CONTRIBUTORS,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    """Where the plan comes from: the sheet's name and stem, `--set` values, today's date."""

    name: str
    stem: str
    base_dir: Path
    sets: list[tuple[list[str | int], Any, str]]
    today: date | None

    def value(self, *path: str) -> Any:
        for parts, value, _ in self.sets:
            if parts == list(path):
                return value
        return None


def slug(text: str, limit: int = 48) -> str:
    """An id from a name or title: ASCII letters, digits and hyphens, cut at a word boundary."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0] if "-" in words[:limit] else words[:limit]
    return words.strip("-")


def unique(base: str, taken: set[str], fallback: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free; `fallback` when base is empty."""
    base = base or fallback
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base[:60]}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def build_plan(
    source: Source,
    stakeholders: list[dict[str, Any]],
    phases: list[dict[str, Any]],
    actions: list[tuple[SheetRow, dict[str, Any]]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The plan's data and the TODO comments for values the sheet did not give."""
    from mapgen.instantiate import assign

    completed = [a["completed"] for _, a in actions if "completed" in a]
    today = max([source.today or date(2000, 1, 1), *completed])
    dues = [(row, a) for row, a in actions if "due" in a]
    days = sorted(day_of(a["due"]) for _, a in dues)
    todo: dict[str, str] = {}
    close_rows = [(row, a) for row, a in dues if _CLOSE_WORDS.search(a["title"])]
    milestone_rows = [(row, a) for row, a in dues if a.get("milestone")]
    pick = max(close_rows or milestone_rows or dues, key=lambda p: day_of(p[1]["due"]), default=None)
    if pick is not None:
        target_close = day_of(pick[1]["due"])
        todo["target_close"] = f"TODO: check; taken from row {pick[0].line} ('{pick[1]['title'][:40]}')"
        if close_rows and Field.MILESTONE not in pick[0].headers:
            pick[1]["milestone"] = True
    else:
        target_close = today + timedelta(days=30)
        todo["target_close"] = "TODO: the sheet has no dates; set the real close date"
    live = [
        (row, a) for row, a in dues if _GO_LIVE_WORDS.search(a["title"]) and day_of(a["due"]) >= target_close
    ]
    buyer, seller = source.value("buyer", "name"), source.value("seller", "name")
    stem = re.sub(r"-(\d{4}-\d{2}-\d{2}|\d{8}|(v|rev|revision|r)?-?\d+)$", "", slug(source.stem)) or "plan"
    deal: dict[str, Any] = {
        "name": f"{buyer} deal" if buyer else "Deal name",
        "start": min([*days[:1], target_close]),
        "target_close": target_close,
    }
    if live:
        deal["go_live"] = day_of(min(live, key=lambda p: day_of(p[1]["due"]))[1]["due"])
    data: dict[str, Any] = {
        "mapgen": 1,
        "id": slug(" ".join(n for n in (buyer, seller) if n), 60) or stem if buyer else stem,
        "title": f"{buyer} x {seller}: Mutual Action Plan" if buyer and seller else "Mutual Action Plan",
        "revision": 1,
        "updated": today,
        "timezone": "UTC",
        "locale": "en-US",
        "seller": {"name": "Seller"},
        "buyer": {"name": "Buyer"},
        "deal": deal,
        "stakeholders": stakeholders,
        "phases": phases,
        "signoff": [],
    }
    for parts, value, text in source.sets:
        assign(data, parts, value, text)
    return data, comments(source, todo)


def comments(source: Source, todo: dict[str, str]) -> dict[str, str]:
    given = {".".join(str(p) for p in parts) for parts, _, _ in source.sets}
    notes = {
        "id": "TODO: stable id for the life of the deal (calendar links use it)",
        "title": "TODO: such as 'Acme x Northwind: Mutual Action Plan'",
        "updated": "date of this revision; status is computed as of it",
        "timezone": "TODO: your IANA zone, such as America/New_York",
        "seller.name": "TODO: your company (--set seller.name=...)",
        "buyer.name": "TODO: the buyer's company (--set buyer.name=...)",
        "deal.name": "TODO: what is being bought",
        "deal.start": "the earliest date in the sheet",
        "deal.target_close": todo["target_close"],
        "deal.go_live": "taken from the go-live row",
        "signoff": "TODO: ids of the people who sign the plan, such as one per side",
    }
    if {"buyer.name", "seller.name"} <= given:
        given.add("title")
    return {k: v for k, v in notes.items() if k not in given}


def check(
    source: Source, data: dict[str, Any], actions: list[tuple[SheetRow, dict[str, Any]]], where: Any
) -> list[Problem]:
    """The loader's warnings for the plan; its errors raised as InvalidInput, located in the sheet."""
    from mapgen.load import load_data

    try:
        problems = load_data(data, source.base_dir)[1]
    except InvalidInput as exc:
        problems = exc.problems
    located = [_locate(source, p, data["phases"], actions, where) for p in problems]
    errors = [p for p in located if p.severity is Severity.ERROR]
    if errors:
        raise InvalidInput(errors)
    return located


def _locate(
    source: Source,
    problem: Problem,
    phases: list[dict[str, Any]],
    actions: list[tuple[SheetRow, dict[str, Any]]],
    where: Any,
) -> Problem:
    """A loader problem with the sheet row of the action it concerns, or `--set` as the place."""
    match = re.match(r"phases\[(\d+)\]\.actions\[(\d+)\]", problem.path)
    if match:
        action = phases[int(match.group(1))]["actions"][int(match.group(2))]
        row = next(r for r, a in actions if a is action)
        field_name = problem.path[match.end() :].lstrip(".").split("[")[0]
        column = COLUMN_OF.get(field_name)
        place = where(row.line, row.headers.get(column) if column else None)
        return Problem(problem.message, "", place, None, problem.severity)
    return Problem(
        problem.message, problem.path, f"{source.name} (plan values and --set)", None, problem.severity
    )


def to_yaml(data: dict[str, Any], notes: dict[str, str], source: str, rows: int) -> str:
    """The plan as commented YAML: block style, id lists inline, TODOs beside defaults."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def build(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            node = CommentedMap()
            for key, item in value.items():
                node[key] = build(item, f"{path}.{key}".lstrip("."))
                if f"{path}.{key}".lstrip(".") in notes:
                    node.yaml_add_eol_comment(notes[f"{path}.{key}".lstrip(".")], key)
            return node
        if isinstance(value, list):
            seq = CommentedSeq(build(item, path) for item in value)
            if path.endswith(("depends_on", "contributors")):
                seq.fa.set_flow_style()
            return seq
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return value

    document = build(data, "")
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.representer.ignore_aliases = lambda _data: True
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(document, out)
    header = (
        f"# Imported from {source} by mapgen import ({rows} rows).\n"
        "# Check the lines marked TODO, then: mapgen validate, mapgen render. Each time you re-share,\n"
        "# bump `revision` and `updated`; `mapgen diff` shows what changed between two revisions.\n"
    )
    return header + out.getvalue()
