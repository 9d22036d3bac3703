"""Typesetting of the PDF, measured on WeasyPrint's laid-out pages (`HTML.render()`: pages and boxes).

Structure checks (tags, text, qpdf) do not see typesetting: names ran into titles and headings sat
alone at page feet while they all passed. These checks walk the boxes of every page, for every
sample x layout x theme, the internal copy, and generated plans of 5, 50 and 200 actions, and fail
on what a CFO or their counsel would see on paper:

- a heading, caption, table header or progress bar that ends a page (its content is on the next);
- a stakeholder's name broken over two lines;
- text set smaller than 7 pt, the timeline drawing included;
- more pages than the limits: the enterprise sample's standard layout in 7, a plan of up to 5
  actions in 2, the one-page layout in 1; and a page other than the last that is less than
  about half full.

Each plan is laid out once per module (WeasyPrint's layout, without writing a PDF) and shared by
every check; the 200-action plan is marked `slow` (it still runs in CI and in `scripts/test`).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from mapgen.audience import Audience
from mapgen.instantiate import instantiate
from mapgen.layouts import load_layout
from mapgen.load import load_plan
from mapgen.print_columns import TextMeasure, content_width_mm, name_fits
from mapgen.print_context import length_mm, size_pt
from mapgen.renderers.base import RenderContext
from mapgen.themes import load_theme
from mapgen.view import build_view
from tests.conftest import ROOT, SAMPLE_IDS, SAMPLES, TEMPLATES

PX_PER_PT = 96 / 72
MIN_PT = 7.0
HALF_FULL = 0.45
"""A page other than the last must be filled at least this far down its text block ("about half")."""
LONELY_LINES = 2
"""A last page with no more lines than this holds the tail of something the page before should keep."""
STICKY_TAGS = frozenset({"h1", "h2", "h3", "h4", "caption", "thead"})
STICKY_CLASSES = frozenset({"phase-head", "phase-progress", "signoff-text", "glance__as-of", "table-title"})
"""What must never be the last thing on a page: its content would be on the next one."""

GENERATED = (5, 50, 200)
ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"


@dataclass(frozen=True)
class Case:
    """One plan laid out with one layout and theme for one audience."""

    plan: Path
    layout: str = "standard"
    theme: str = "default"
    audience: Audience = Audience.BUYER
    paper: str | None = None
    """A4 or Letter; None prints on the paper the renderer picks (the plan's locale, or the theme's)."""

    @property
    def id(self) -> str:
        return f"{self.plan.parent.name}-{self.layout}-{self.theme}-{self.audience.value}"


@dataclass(frozen=True)
class Line:
    """One line of text on a page, where it is, and the elements it sits in."""

    text: str
    top: float
    bottom: float
    parent: int
    ancestors: tuple[Any, ...]


@dataclass(frozen=True)
class Laid:
    pages: list[Any]
    names: tuple[str, ...]
    actions: int


# ------------------------------------------------------------------------------------ plans


FIRST = (
    "Raj",
    "Sam",
    "Jane",
    "Kevin",
    "Aisha",
    "Marcus",
    "Sofía",
    "Chloe",
    "Tom",
    "Elena",
    "Wolfgang",
    "Mei",
)
LAST = ("Patel", "Whitaker", "Doe", "O'Brien", "Karim", "Webb", "Álvarez", "Martin", "Becker", "Rossi")
TITLES = ("VP Operations", "Enterprise Account Executive", "Head of Information Security", "Procurement Lead")
WORDS = (
    "review",
    "agree",
    "confirm",
    "share",
    "the",
    "draft",
    "budget",
    "contract",
    "security",
    "with",
    "legal",
)


def generated_plan(actions: int, locale: str = "en-US") -> dict[str, Any]:
    """A valid plan of `actions` actions shaped like real ones: people with first and last names
    and titles, phases of 2 to 9 actions, outcomes, dependencies, notes, milestones, a datetime."""
    start = date(2027, 1, 4)
    people = [
        {
            "id": f"p{i}",
            "name": f"{FIRST[i % len(FIRST)]} {LAST[(i * 3) % len(LAST)]}",
            "title": TITLES[i % len(TITLES)],
            "side": "buyer" if i % 2 == 0 else "seller",
            "email": f"p{i}@example.com",
        }
        for i in range(min(12, 2 + actions // 4))
    ]
    phases: list[dict[str, Any]] = []
    n = 0
    sizes = (2, 5, 9, 3, 7, 4, 8, 6)
    while n < actions:
        size = min(sizes[len(phases) % len(sizes)], actions - n)
        items = []
        for i in range(size):
            words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(4 + n % 7))
            item: dict[str, Any] = {
                "id": f"a{n}",
                "title": f"{words.capitalize()} for step {n}",
                "owner": people[n % len(people)]["id"],
                "due": (start + timedelta(days=2 * n)).isoformat(),
                "milestone": i == size - 1,
            }
            if n % 2 == 0:
                item["outcome"] = f"Both sides confirm {words} in writing"
            if n % 3 == 0 and n:
                item["depends_on"] = [f"a{n - 1}"] + ([f"a{n - 3}"] if n >= 3 else [])
            if n % 5 == 0:
                item["notes"] = f"Context: {words}. Ask **{people[(n + 1) % len(people)]['name']}** first."
            if n % 4 == 1:
                item["status"] = "done"
                item["completed"] = "2027-01-04"
            items.append(item)
            n += 1
        phases.append(
            {"id": f"ph{len(phases)}", "name": f"Phase {len(phases) + 1} of the rollout", "actions": items}
        )
    phases[0]["actions"][0]["due"] = f"{start.isoformat()}T14:00:00"
    return {
        "mapgen": 1,
        "id": f"generated-{actions}",
        "title": f"Generated plan with {actions} actions",
        "revision": 2,
        "updated": (start + timedelta(days=actions // 2)).isoformat(),
        "timezone": "Europe/Berlin",
        "locale": locale,
        "seller": {"name": "Northwind Analytics"},
        "buyer": {"name": "Acme Corp"},
        "deal": {
            "name": "Generated rollout",
            "start": start.isoformat(),
            "target_close": (start + timedelta(days=2 * actions + 7)).isoformat(),
            "compelling_event": f"Board meeting on {(start + timedelta(days=2 * actions + 20)).isoformat()}",
        },
        "summary": "A generated plan to check how pages are set.",
        "stakeholders": people,
        "phases": phases,
        "signoff": [people[0]["id"], people[1]["id"]],
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("generated")
    plans = {}
    for size in GENERATED:
        plans[f"generated-{size}"] = _write(folder / f"g{size}", generated_plan(size))
    plans["generated-de-5"] = _write(folder / "de5", generated_plan(5, "de-DE"))
    return plans


def _write(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True)
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------ layout


@cache
def laid_out(case: Case) -> Laid:
    """WeasyPrint's pages for one case, as the renderer lays them out (one-page fitting included)."""
    from mapgen.renderers.pdf import asset_roots, fitted_document

    loaded = load_plan(case.plan)
    view = build_view(loaded.plan, case.audience)
    theme = load_theme(case.theme).for_locale(loaded.plan.locale)
    if case.paper is not None:
        theme = dataclasses.replace(
            theme,
            tokens=theme.tokens.model_copy(
                update={"page": theme.tokens.page.model_copy(update={"size": case.paper})}
            ),
        )
    ctx = RenderContext(view, theme=theme, layout=load_layout(case.layout), assets_dir=loaded.base_dir)
    _, document = fitted_document(ctx, asset_roots(ctx))
    tokens = theme.tokens
    measure = TextMeasure(theme, size_pt(tokens.sizes.small))
    width_mm = content_width_mm(theme, length_mm(tokens.page.margin))
    names = tuple(s.name for s in view.stakeholders if name_fits(measure, s.name, width_mm))
    return Laid(document.pages, names, len(view.actions))


def walk(box: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    yield box, ancestors
    for child in getattr(box, "children", ()):
        yield from walk(child, (*ancestors, box))


def is_margin(ancestors: tuple[Any, ...]) -> bool:
    return any(type(a).__name__ == "MarginBox" for a in ancestors)


def text_of(line: Any) -> str:
    """The text of one line box, without the lines of inline blocks sitting on it."""
    parts = []
    for child in getattr(line, "children", ()):
        if isinstance(getattr(child, "text", None), str):
            parts.append(child.text)
        elif type(child).__name__ not in ("InlineBlockBox", "InlineReplacedBox"):
            parts.append(text_of(child))
    return "".join(parts)


def body_lines(page: Any) -> list[Line]:
    """Every line of the page's body (running header and footer left out), top to bottom."""
    lines = []
    for box, ancestors in walk(page._page_box):
        if type(box).__name__ == "LineBox" and not is_margin(ancestors):
            text = text_of(box).replace("\u00a0", " ").strip()
            if text:
                lines.append(
                    Line(text, box.position_y, box.position_y + box.height, id(ancestors[-1]), ancestors)
                )
    return sorted(lines, key=lambda line: (line.top, line.bottom))


def classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def sticky(line: Line) -> str | None:
    """Why this line must not end a page, or None."""
    for box in line.ancestors:
        tag = getattr(box, "element_tag", None)
        if tag in STICKY_TAGS:
            return tag
        found = classes(box) & STICKY_CLASSES
        if found:
            return sorted(found)[0]
    return None


def content_bottom(page: Any) -> float:
    """How far down the text block the body's content reaches (lines and pictures)."""
    bottoms = [line.bottom for line in body_lines(page)]
    for box, ancestors in walk(page._page_box):
        if "Replaced" in type(box).__name__ and not is_margin(ancestors):
            bottoms.append(box.position_y + box.height)
    return max(bottoms, default=0.0)


def text_block(page: Any) -> tuple[float, float]:
    box = page._page_box
    return box.content_box_y(), box.content_box_y() + box.height


def split_name(before: str, after: str, names: tuple[str, ...]) -> str | None:
    """The name that `before` ends and `after` continues, if a line break fell inside one."""
    for name in names:
        words = name.split()
        for k in range(1, len(words)):
            head, tail = " ".join(words[:k]), " ".join(words[k:])
            if (before == head or before.endswith((" " + head, "(" + head))) and after.startswith(tail):
                return name
    return None


def squeezed(text: str) -> bool:
    """A line of one letter of an alphabet that breaks between words: a word set a letter a line."""
    return len(text) == 1 and text.isalpha() and unicodedata.east_asian_width(text) not in ("W", "F")


def svg_font_sizes_pt(page: Any) -> list[float]:
    """Font sizes of the page's SVG drawings as printed: the size in SVG units times the scale at
    which the drawing is laid out (its box width over its viewBox width)."""
    sizes = []
    for box, _ in walk(page._page_box):
        element = getattr(box, "element", None)
        if "Replaced" not in type(box).__name__ or element is None or element.tag.rsplit("}", 1)[-1] != "svg":
            continue
        view_box = [float(v) for v in re.split(r"[\s,]+", element.get("viewBox", "").strip()) if v]
        if len(view_box) != 4 or not view_box[2]:
            continue
        scale = box.width / view_box[2] / PX_PER_PT
        for node in element.iter():
            if node.get("font-size"):
                sizes.append(float(node.get("font-size")) * scale)
    return sizes


# ------------------------------------------------------------------------------------ cases


SAMPLE_CASES = [
    Case(plan, layout, theme)
    for plan in SAMPLES
    for layout in ("standard", "one-page")
    for theme in ("default", "executive")
]
EXTRA_CASES = [
    Case(ENTERPRISE, audience=Audience.INTERNAL),
    Case(ENTERPRISE, "one-page", audience=Audience.INTERNAL),
]
GENERATED_CASES = [
    pytest.param(
        name, layout, marks=[pytest.mark.slow] if name == "generated-200" else [], id=f"{name}-{layout}"
    )
    for name in ("generated-5", "generated-de-5", "generated-50", "generated-200")
    for layout in ("standard", "one-page")
    if not (name == "generated-200" and layout == "one-page")
]


def check_page_rules(laid: Laid, one_page: bool) -> list[str]:
    """Every rule but the page-count limits; one message per problem."""
    problems = []
    last = len(laid.pages) - 1
    for number, page in enumerate(laid.pages):
        lines = body_lines(page)
        if number < last and lines:
            end = max(lines, key=lambda line: line.bottom)
            why = sticky(end)
            if why:
                problems.append(f"page {number + 1} ends with a {why}: {end.text!r}")
            top, bottom = text_block(page)
            filled = (content_bottom(page) - top) / (bottom - top)
            if filled < HALF_FULL:
                problems.append(f"page {number + 1} is only {filled:.0%} full")
        by_parent: dict[int, list[Line]] = {}
        for line in lines:
            by_parent.setdefault(line.parent, []).append(line)
            if squeezed(line.text):
                problems.append(f"page {number + 1}: a column squeezed to a letter a line ({line.text!r})")
        for group in by_parent.values():
            for before, after in itertools.pairwise(group):
                name = split_name(before.text, after.text, laid.names)
                if name:
                    problems.append(f"page {number + 1}: {name!r} broken over two lines")
        for box, _ in walk(page._page_box):
            if type(box).__name__ == "TextBox" and box.text.strip():
                size = box.style["font_size"] / PX_PER_PT
                if size < MIN_PT - 0.01:
                    problems.append(f"page {number + 1}: {box.text.strip()[:40]!r} set at {size:.1f} pt")
        problems += [
            f"page {number + 1}: timeline text at {s:.1f} pt"
            for s in svg_font_sizes_pt(page)
            if s < MIN_PT - 0.01
        ]
    if last and len(body_lines(laid.pages[last])) <= LONELY_LINES:
        problems.append(f"the last page holds only {len(body_lines(laid.pages[last]))} lines")
    if one_page and len(laid.pages) != 1:
        problems.append(f"one-page layout takes {len(laid.pages)} pages")
    return problems


@pytest.mark.parametrize("case", SAMPLE_CASES + EXTRA_CASES, ids=lambda c: c.id)
def test_samples_are_set_for_print(case: Case) -> None:
    assert check_page_rules(laid_out(case), case.layout == "one-page") == []


@pytest.mark.parametrize(("name", "layout"), GENERATED_CASES)
def test_generated_plans_are_set_for_print(generated: dict[str, Path], name: str, layout: str) -> None:
    laid = laid_out(Case(generated[name], layout))
    assert check_page_rules(laid, layout == "one-page") == []
    if layout == "standard" and laid.actions <= 5:
        assert len(laid.pages) <= 2


GERMAN_NAMES = (
    "Maximiliane Schwarzenberger-Lüdenscheid",
    "Jürgen Weiß",
    "Dr. Friederike von Hohenstein",
    "Ömer Yılmaz",
    "Anna Schmidt",
    "Lukas Bauer",
    "Kerstin Vogel",
    "Sam Whitaker",
    "Raj Patel",
    "Chloe Martin",
)


@pytest.mark.parametrize("named", [False, True], ids=["placeholders", "named"])
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_templates_in_german_internal_copies_are_set_for_print(
    template: Path, named: bool, tmp_path: Path
) -> None:
    """A fresh plan from each template, in German, as the seller's internal copy, with its
    placeholder names or with long real ones: long German headers and names once squeezed the
    metrics table's text column to a letter a line, and left the last signatory alone on a page."""
    text = instantiate(
        template, ["locale=de-DE", "deal.target_close=2027-04-16", "buyer.name=Bäckerei Müller GmbH"],
        today=date(2026, 12, 3),
    )  # fmt: skip
    if named:
        placeholders = list(dict.fromkeys(re.findall(r"<<[^<>]*'s name>>", text)))
        for placeholder, name in zip(placeholders, GERMAN_NAMES, strict=False):
            text = text.replace(placeholder, name)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    laid = laid_out(Case(plan, audience=Audience.INTERNAL))
    assert check_page_rules(laid, one_page=False) == []


@pytest.mark.parametrize("theme", ["default", "executive"])
@pytest.mark.parametrize("paper", ["A4", None])
def test_enterprise_sample_fits_seven_pages(theme: str, paper: str | None) -> None:
    """At most 7 pages on A4, and on the paper it is rendered on (Letter: en-US or the theme's)."""
    laid = laid_out(Case(ENTERPRISE, "standard", theme, paper=paper))
    assert len(laid.pages) <= 7
    if paper == "A4":
        assert check_page_rules(laid, one_page=False) == []


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
def test_small_samples_fit_two_pages(plan: Path) -> None:
    laid = laid_out(Case(plan))
    if laid.actions <= 5:
        assert len(laid.pages) <= 2


def test_the_checks_see_what_they_guard(tmp_path: Path) -> None:
    """The rules fail on the faults they describe: a stranded heading, a broken name, tiny type."""
    from weasyprint import HTML

    html = """<html><head><style>@page { size: A4; margin: 20mm } body { font-size: 10pt; margin: 0 }
      h2 { margin: 0; font-size: 12pt; break-after: auto } .narrow { width: 14mm } .tiny { font-size: 5pt }
      .block { height: 120mm; break-inside: avoid; border: 1px solid }</style></head>
      <body><div style="height: 240mm"></div><h2>Stranded heading</h2><div class="block">Under it</div>
      <p class="narrow">Owner Raj Patel</p><p class="tiny">tiny</p>
      <table style="table-layout: fixed; width: 100mm"><col style="width: 2mm"><col>
      <tr><td style="overflow-wrap: break-word">Kennzahl</td><td>value</td></tr></table></body></html>"""
    pages = HTML(string=html).render().pages
    problems = check_page_rules(Laid(pages, ("Raj Patel",), 0), one_page=False)
    assert any("ends with a h2" in p for p in problems), problems
    assert any("'Raj Patel' broken" in p for p in problems), problems
    assert any("set at 5.0 pt" in p for p in problems), problems
    assert any("squeezed to a letter a line" in p for p in problems), problems
    tail = HTML(
        string='<body style="margin: 0"><div style="height: 250mm"></div><p>Alone</p></body>'
    ).render()
    assert check_page_rules(Laid(tail.pages, (), 0), one_page=False)[-1] == "the last page holds only 1 lines"


def test_names_run_into_no_titles() -> None:
    """Each stakeholder's name is a line of its own in the stakeholder tables: never "Jane DoeVP"."""
    laid = laid_out(Case(ENTERPRISE))
    view = build_view(load_plan(ENTERPRISE).plan)
    texts = {line.text for page in laid.pages for line in body_lines(page)}
    for person in view.stakeholders:
        assert person.name in texts
        if person.title:
            joined = f"{person.name}{person.title}".replace(" ", "")
            assert not [t for t in texts if joined in t.replace(" ", "")]
