"""`html` and `email` render time as a ratio to a bare Jinja2 render of the same view.

The floor renders the layout's own template (`html.j2`, `email.j2`) from a cached environment
with a context built once: the cost Jinja2 itself cannot avoid. The measured side is the whole
renderer: building the context (labels, logos, timeline geometry, theme CSS) and, for email,
rendering the CSS and plain-text templates and inlining every style with css-inline. Both run
alternately in one warm process; medians are reported, so machine noise hits both. The first
render of a process also subsets the theme fonts to WOFF2 (cached afterwards): reported apart.

    python bench/bench_html.py [--runs 30] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapgen.layouts import load_layout  # noqa: E402
from mapgen.load import load_plan  # noqa: E402
from mapgen.presentation import environment, template_context, theme_style  # noqa: E402
from mapgen.renderers.base import RenderContext, RenderOptions  # noqa: E402
from mapgen.renderers.email import RENDERER as EMAIL  # noqa: E402
from mapgen.renderers.html import RENDERER as HTML  # noqa: E402
from mapgen.themes import load_theme  # noqa: E402
from mapgen.view import build_view  # noqa: E402

SAMPLE = ROOT / "samples" / "northwind-acme" / "plan.yaml"


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    item = load_plan(SAMPLE)
    ctx = RenderContext(
        build_view(item.plan),
        RenderOptions(link="https://deals.example/p/1"),
        load_theme("default"),
        load_layout("standard"),
        item.base_dir,
    )
    first_render = timed(lambda: HTML.render(ctx))
    env = environment(ctx.layout)
    context = template_context(ctx)
    context["style"] = theme_style(ctx.theme)
    html_template, email_template = env.get_template("html.j2"), env.get_template("email.j2")
    cases = {
        "html": (lambda: HTML.render(ctx), lambda: html_template.render(context)),
        "email": (lambda: EMAIL.render(ctx), lambda: email_template.render(context)),
    }
    for full, bare in cases.values():  # warm-up
        for _ in range(3):
            full()
            bare()
    results = {}
    for name, (full, bare) in cases.items():
        full_times, bare_times = [], []
        for _ in range(args.runs):
            full_times.append(timed(full))
            bare_times.append(timed(bare))
        full_ms, bare_ms = statistics.median(full_times) * 1000, statistics.median(bare_times) * 1000
        results[name] = {"render_ms": round(full_ms, 2), "bare_jinja_ms": round(bare_ms, 2),
                         "ratio": round(full_ms / bare_ms, 2)}  # fmt: skip
    results["first_render_ms_with_font_subsetting"] = round(first_render * 1000)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"sample: {SAMPLE.relative_to(ROOT)}, {args.runs} warm runs, medians")
    for name in cases:
        r = results[name]
        print(
            f"{name:6} {r['render_ms']:8.2f} ms   bare Jinja2 {r['bare_jinja_ms']:7.2f} ms   ratio {r['ratio']:.2f}x"
        )
    print(
        f"first html render in a process (WOFF2 font subsetting, then cached): {results['first_render_ms_with_font_subsetting']} ms"
    )


if __name__ == "__main__":
    main()
