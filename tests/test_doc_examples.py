"""Every whole-plan YAML example in the docs validates as written, so a new user who copies one gets
no error and the docs cannot drift from the spec.

A whole plan is a ```yaml (or ```yml) block with top-level `title:` and `phases:` lines; fragments
(a theme, a layout, a signatures list) are left alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mapgen

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md")])
FENCE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def plan_examples(text: str) -> list[tuple[int, str]]:
    """(line of the opening fence, block) for each fenced YAML block that is a whole plan."""
    found = []
    for match in FENCE.finditer(text):
        block = match.group(1)
        if re.search(r"^title:", block, re.MULTILINE) and re.search(r"^phases:", block, re.MULTILINE):
            found.append((text.count("\n", 0, match.start()) + 1, block))
    return found


EXAMPLES = [
    pytest.param(doc, line, block, id=f"{doc.relative_to(ROOT)}:{line}")
    for doc in DOCS
    for line, block in plan_examples(doc.read_text(encoding="utf-8"))
]


def test_readme_has_a_plan_example() -> None:
    assert any(param.id.startswith("README.md:") for param in EXAMPLES)


def test_marker_finds_whole_plans_only() -> None:
    text = "```yaml\ntitle: T\nphases: []\n```\n\n```yaml\n# theme.yaml\nextends: default\n```\n"
    assert plan_examples(text) == [(1, "title: T\nphases: []\n")]


@pytest.mark.parametrize(("doc", "line", "block"), EXAMPLES)
def test_plan_example_validates(doc: Path, line: int, block: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(block, encoding="utf-8")
    problems = mapgen.validate(str(plan), strict=True)
    assert problems == [], f"{doc.name}:{line}: " + "; ".join(map(str, problems))
