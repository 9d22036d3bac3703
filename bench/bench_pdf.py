"""PDF rendering cost: mapgen against WeasyPrint alone, pages per second, growth with plan size, and
the print layout against the reference print HTML kept from before it was reworked.

(a) In one warm process, alternately: mapgen's whole `pdf` render of the enterprise sample
    (template, confined fetcher, layout, tags, attachment, signature fields) and WeasyPrint alone
    on the same print HTML (`HTML(string=...).write_pdf(pdf_tags=True)`). Reports the median
    ratio; the target is at most 1.10.
(b) Pages per second of mapgen's render in that run.
(c) WeasyPrint alone on today's print HTML of the enterprise sample against WeasyPrint alone on
    bench/reference-print-enterprise.html (the print HTML before fixed table layouts, measured
    column widths and denser pages), alternating in the same process: the median ratio, target at
    most 0.50, with the pages of each, and the ratio of the least CPU time of each (steadier on a
    shared machine).
(d) Generated plans of 40, 400 and 2,000 actions, each rendered in a fresh process: time, pages
    and peak RSS, with time per action to show the growth is linear.

    python bench/bench_pdf.py [--runs 7] [--sizes 40,400,2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
TARGET = 1.10
REFERENCE = ROOT / "bench" / "reference-print-enterprise.html"
"""The enterprise sample's print HTML before the print layout was reworked (fonts by relative URL)."""
REFERENCE_TARGET = 0.50

CHILD = """
import json, resource, sys, time
from mapgen.limits import Limits
from mapgen.load import load_plan
from mapgen.pipeline import RenderRequest, render_plan
import mapgen.renderers.pdf  # imports are not part of the render time
# The biggest generated plans are past the default limits, as `--limit` would lift them.
limits = Limits(actions=10_000, pdf_pages=2_000)
start = time.perf_counter()
(artifact,) = render_plan(load_plan(sys.argv[1], limits=limits), RenderRequest(formats=["pdf"], limits=limits))
seconds = time.perf_counter() - start
import io, pypdf
pages = len(pypdf.PdfReader(io.BytesIO(artifact.data)).pages)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "pages": pages, "peak_rss_mb": rss, "bytes": len(artifact.data)}))
"""


def generated_plan(actions: int) -> str:
    """A valid plan with `actions` actions in phases of 20, four owners, a milestone per phase."""
    import yaml

    start = date(2027, 1, 4)
    people = [("ana", "buyer"), ("ben", "buyer"), ("cy", "seller"), ("dee", "seller")]
    phases = []
    for p in range((actions + 19) // 20):
        items = []
        for i in range(min(20, actions - 20 * p)):
            n = 20 * p + i
            items.append(
                {
                    "id": f"a{n}",
                    "title": f"Action {n}: review the deliverable with the owning team",
                    "owner": people[n % 4][0],
                    "due": (start + timedelta(days=n // 4)).isoformat(),
                    "milestone": i == 19,
                }
            )
        phases.append({"id": f"p{p}", "name": f"Phase {p + 1}", "actions": items})
    plan = {
        "mapgen": 1,
        "id": f"bench-{actions}",
        "title": f"Benchmark plan with {actions} actions",
        "revision": 1,
        "updated": "2027-01-04",
        "seller": {"name": "Northwind Analytics"},
        "buyer": {"name": "Acme Corp"},
        "deal": {
            "name": "Benchmark",
            "start": "2027-01-04",
            "target_close": (start + timedelta(days=actions // 4 + 1)).isoformat(),
        },
        "stakeholders": [{"id": i, "name": i.title(), "side": side} for i, side in people],
        "phases": phases,
        "signoff": ["ana", "cy"],
    }
    return yaml.safe_dump(plan, sort_keys=False)


def ratio_run(runs: int) -> dict[str, float]:
    from weasyprint import HTML

    from mapgen.layouts import load_layout
    from mapgen.load import load_plan
    from mapgen.renderers.base import RenderContext
    from mapgen.renderers.pdf import RENDERER, asset_roots, print_html
    from mapgen.themes import load_theme
    from mapgen.view import build_view

    loaded = load_plan(SAMPLE)
    ctx = RenderContext(
        build_view(loaded.plan),
        theme=load_theme("default"),
        layout=load_layout("standard"),
        assets_dir=loaded.base_dir,
    )
    html = print_html(ctx)
    base = asset_roots(ctx)[0].as_uri() + "/"
    RENDERER.render(ctx)
    HTML(string=html, base_url=base).write_pdf(pdf_tags=True)
    ours, alone, pages = [], [], 0
    for _ in range(runs):
        start = time.perf_counter()
        RENDERER.render(ctx)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        document = HTML(string=html, base_url=base).render()
        document.write_pdf(pdf_tags=True)
        alone.append(time.perf_counter() - start)
        pages = len(document.pages)
    ratios = [a / b for a, b in zip(ours, alone, strict=True)]
    return {
        "mapgen_median_s": statistics.median(ours),
        "weasyprint_median_s": statistics.median(alone),
        "ratio_median": statistics.median(ratios),
        "pages": pages,
        "pages_per_second": pages / statistics.median(ours),
    }


def reference_run(runs: int) -> dict[str, float]:
    """WeasyPrint alone (layout and write) on the current print HTML and on the reference one."""
    from weasyprint import HTML

    from mapgen.layouts import load_layout
    from mapgen.load import load_plan
    from mapgen.renderers.base import RenderContext
    from mapgen.renderers.pdf import asset_roots, print_html
    from mapgen.themes import load_theme
    from mapgen.view import build_view

    loaded = load_plan(SAMPLE)
    ctx = RenderContext(
        build_view(loaded.plan),
        theme=load_theme("default"),
        layout=load_layout("standard"),
        assets_dir=loaded.base_dir,
    )
    current = {"string": print_html(ctx), "base_url": asset_roots(ctx)[0].as_uri() + "/"}
    reference = {"filename": str(REFERENCE)}

    def once(source: dict[str, str]) -> tuple[float, float, int]:
        start, cpu = time.perf_counter(), time.process_time()
        document = HTML(**source).render()
        document.write_pdf(pdf_tags=True)
        return time.perf_counter() - start, time.process_time() - cpu, len(document.pages)

    once(current), once(reference)
    new_times, old_times, new_cpu, old_cpu, new_pages, old_pages = [], [], [], [], 0, 0
    for _ in range(runs):
        seconds, cpu, new_pages = once(current)
        new_times.append(seconds)
        new_cpu.append(cpu)
        seconds, cpu, old_pages = once(reference)
        old_times.append(seconds)
        old_cpu.append(cpu)
    ratios = [a / b for a, b in zip(new_times, old_times, strict=True)]
    return {
        "current_median_s": statistics.median(new_times),
        "reference_median_s": statistics.median(old_times),
        "ratio_median": statistics.median(ratios),
        "cpu_ratio_least": min(new_cpu) / min(old_cpu),
        "current_pages": new_pages,
        "reference_pages": old_pages,
    }


def size_run(sizes: list[int]) -> list[dict[str, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"plan-{size}.yaml"
            path.write_text(generated_plan(size), encoding="utf-8")
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True, cwd=ROOT
            )
            row = {"actions": size, **json.loads(out.stdout)}
            row["ms_per_action"] = 1000 * row["seconds"] / size
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="40,400,2000")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ratio = ratio_run(args.runs)
    reference = reference_run(args.runs)
    sizes = size_run([int(s) for s in args.sizes.split(",")])
    if args.json:
        print(json.dumps({"ratio": ratio, "reference": reference, "sizes": sizes}, indent=2))
        return
    verdict = "within" if ratio["ratio_median"] <= TARGET else "ABOVE"
    print(f"enterprise sample, {ratio['pages']} pages, median of {args.runs} alternating runs")
    print(f"  mapgen pdf render   {ratio['mapgen_median_s'] * 1000:8.0f} ms")
    print(f"  WeasyPrint alone    {ratio['weasyprint_median_s'] * 1000:8.0f} ms")
    print(f"  ratio               {ratio['ratio_median']:8.2f}  ({verdict} target {TARGET})")
    print(f"  pages per second    {ratio['pages_per_second']:8.1f}")
    verdict = "within" if reference["ratio_median"] <= REFERENCE_TARGET else "ABOVE"
    print(f"WeasyPrint alone, current print HTML against {REFERENCE.name}, median of {args.runs}")
    print(
        f"  current             {reference['current_median_s'] * 1000:8.0f} ms  ({reference['current_pages']} pages)"
    )
    print(
        f"  reference           {reference['reference_median_s'] * 1000:8.0f} ms  ({reference['reference_pages']} pages)"
    )
    print(f"  ratio               {reference['ratio_median']:8.2f}  ({verdict} target {REFERENCE_TARGET})")
    print(f"  CPU ratio (least)   {reference['cpu_ratio_least']:8.2f}")
    print("generated plans, one fresh process each (render only, imports excluded)")
    print(f"  {'actions':>7} {'pages':>6} {'seconds':>8} {'ms/action':>10} {'peak RSS MB':>12}")
    for row in sizes:
        print(
            f"  {row['actions']:>7} {row['pages']:>6} {row['seconds']:>8.2f} {row['ms_per_action']:>10.2f} "
            f"{row['peak_rss_mb']:>12.0f}"
        )


if __name__ == "__main__":
    main()
