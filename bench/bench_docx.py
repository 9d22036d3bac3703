"""DOCX render time as a ratio to a bare python-docx build of the same content, in one run.

The bare build writes the same headings, paragraphs and tables (same rows and columns) with
python-docx's plain API and no styling extras: no theme styles, no shading, no fields, no
hyperlinks, no zip rewrite. Both run alternately in this process after a warm-up, so machine
noise hits both; the figure is the ratio of medians (target: at most 1.3). Then the render time
of generated plans of 40, 400 and 2,000 actions, with the bare build beside each.

    python bench/bench_docx.py [--runs 9] [--json]
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapgen.layouts import load_layout  # noqa: E402
from mapgen.load import load_data, load_plan  # noqa: E402
from mapgen.renderers.base import RenderContext  # noqa: E402
from mapgen.renderers.docx import RENDERER  # noqa: E402
from mapgen.themes import load_theme  # noqa: E402
from mapgen.view import PlanView, build_view  # noqa: E402

SAMPLE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
TARGET = 1.3
SIZES = (40, 400, 2000)


def bare(view: PlanView) -> bytes:
    """The same content with python-docx's plain API: what the library costs on its own."""
    import docx

    plan = view.plan
    document = docx.Document()

    def table(headers: list[str], rows: list[list[str]]) -> None:
        t = document.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            cell.text = text
        for values in rows:
            cells = t.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                cell.text = text

    document.add_paragraph(plan.title, style="Title")
    table(["", ""], [[k, str(v)] for k, v in (("Buyer", plan.buyer.name), ("Seller", plan.seller.name))] * 4)
    document.add_heading("Summary", 1)
    document.add_paragraph(plan.summary or "")
    document.add_heading("Objectives", 1)
    for o in view.objectives:
        document.add_heading(o.title, 2)
        document.add_paragraph(o.description or "")
        for c in o.success_criteria:
            document.add_paragraph(c, style="List Bullet")
    document.add_heading("Timeline", 1)
    table(["Phase", *[str(m) for m in range(11)]], [[p.name, *[""] * 11] for p in view.phases])
    table(
        ["Date", "Milestone", "Owner", "Status"],
        [[str(a.due), a.title, a.owner_name, a.state] for a in view.milestones],
    )
    document.add_heading("Actions", 1)
    for phase in view.phases:
        document.add_heading(phase.name, 2)
        table(
            ["Action", "Owner", "Side", "Due", "Status", "Depends on", "Outcome"],
            [
                [a.title, a.owner_name, a.side, str(a.due), a.state, ", ".join(a.depends_on), a.outcome or ""]
                for a in phase.actions
            ],
        )
    document.add_heading("Responsibilities", 1)
    table(
        ["Stakeholder", *[p.name for p in view.phases], "Total"],
        [[s.name, *["1"] * len(view.phases), "1"] for s in view.stakeholders],
    )
    document.add_heading("Stakeholders", 1)
    table(
        ["Name", "Title", "Role", "Email", "Actions"],
        [[s.name, s.title or "", s.role, s.email or "", str(s.owned)] for s in view.stakeholders],
    )
    document.add_heading("Metrics", 1)
    table(
        ["Metric", "Baseline", "Target", "Actual", "Measure by", "Owner"],
        [
            [m.name, str(m.baseline), str(m.target), str(m.actual), str(m.measure_by), m.owner.name]
            for m in view.metrics
        ],
    )
    document.add_heading("Sign-off", 1)
    table(
        ["Name", "Title", "Organisation", "Signature", "Date"],
        [[s.name, s.title or "", s.organisation, "", ""] for s in view.signatories],
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def generated(size: int) -> PlanView:
    """The enterprise sample with its actions repeated to `size`, spread over its phases."""
    import yaml

    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    actions = [a for phase in data["phases"] for a in phase["actions"]]
    phases = data["phases"]
    for phase in phases:
        phase["actions"] = []
    for i in range(size):
        action = copy.deepcopy(actions[i % len(actions)])
        action["id"] = f"a{i}"
        action["depends_on"] = [f"a{i - 1}"] if i and i % 5 else []
        action.pop("completed", None)
        action["status"] = (
            "in_progress" if action.get("status") == "done" else action.get("status", "not_started")
        )
        phases[i * len(phases) // size]["actions"].append(action)
    plan, problems = load_data(data, SAMPLE.parent)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SystemExit("\n".join(str(p) for p in errors))
    return build_view(plan)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(view: PlanView, runs: int) -> tuple[float, float]:
    """Median seconds of mapgen's render and of the bare build, run alternately."""
    ctx = RenderContext(
        view, theme=load_theme("default"), layout=load_layout("standard"), assets_dir=SAMPLE.parent
    )
    RENDERER.render(ctx)
    bare(view)
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(timed(lambda: RENDERER.render(ctx)))
        theirs.append(timed(lambda: bare(view)))
    return statistics.median(ours), statistics.median(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    view = build_view(load_plan(SAMPLE).plan)
    ours, theirs = compare(view, args.runs)
    results = {
        "sample": {
            "actions": len(view.actions),
            "docx_ms": ours * 1000,
            "bare_ms": theirs * 1000,
            "ratio": ours / theirs,
        },
        "sizes": {},
    }
    for size in SIZES:
        big = generated(size)
        runs = max(3, args.runs // (1 + size // 400))
        o, t = compare(big, runs)
        results["sizes"][size] = {"docx_ms": o * 1000, "bare_ms": t * 1000, "ratio": o / t}

    if args.json:
        print(json.dumps(results, indent=2))
        return
    s = results["sample"]
    verdict = "ok" if s["ratio"] <= TARGET else f"over the {TARGET} target"
    print(
        f"enterprise sample ({s['actions']} shared actions): docx {s['docx_ms']:.0f} ms, "
        f"bare python-docx {s['bare_ms']:.0f} ms, ratio {s['ratio']:.2f} ({verdict})"
    )
    for size, r in results["sizes"].items():
        print(
            f"{size:>5} actions: docx {r['docx_ms']:.0f} ms, bare {r['bare_ms']:.0f} ms, ratio {r['ratio']:.2f}"
        )


if __name__ == "__main__":
    main()
