"""Cold start of `mapgen validate`, as a ratio to importing its floor, for two plans: the enterprise
sample, and the enterprise template (business-day dates counted over a US-NY holiday calendar).

The floor is `python -c "import pydantic, yaml"`: the two libraries validation cannot avoid
(FLOORS.md). The commands run alternately in fresh processes in the same run, so machine noise
hits all of them. Reported: the median wall-clock ratio and the ratio of the least CPU time (user
plus system) each took, which a busy shared machine disturbs far less. mapgen's modules are
byte-compiled first, as an installed wheel is (PYTHONDONTWRITEBYTECODE would otherwise make every
run compile them); the holiday and validator caches are warmed by the first, untimed run, as any
second use is.
Also checks that `validate` and `render -f json` import no rendering library.

    python bench/bench_validate.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
CALENDAR_PLAN = ROOT / "samples" / "templates" / "enterprise-software.yaml"
TARGET = 2.0
HEAVY = ("weasyprint", "docx", "icalendar", "jinja2", "css_inline", "openpyxl")

PROBE = """
import sys
from mapgen.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print(",".join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def cold(cmd: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def heavy_imports(argv: list[str]) -> list[str]:
    """Rendering libraries present in sys.modules after running the CLI with `argv` in-process."""
    code = PROBE.format(argv=argv, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    return [m for m in last.split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "mapgen")], check=True)
    floor = [sys.executable, "-c", "import pydantic, yaml"]
    commands = {
        "enterprise sample": [sys.executable, "-m", "mapgen", "validate", str(SAMPLE)],
        "business days + US-NY calendar": [sys.executable, "-m", "mapgen", "validate", str(CALENDAR_PLAN)],
    }
    for command in (*commands.values(), floor):
        cold(command)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in (*commands, "floor")}
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(cold(command))
        times["floor"].append(cold(floor))
    floor_wall = statistics.median(w for w, _ in times["floor"])
    floor_cpu = min(c for _, c in times["floor"])
    plans = {
        name: {
            "wall_median_s": round(statistics.median(w for w, _ in times[name]), 4),
            "wall_ratio": round(statistics.median(w for w, _ in times[name]) / floor_wall, 2),
            "cpu_min_s": round(min(c for _, c in times[name]), 4),
            "cpu_ratio": round(min(c for _, c in times[name]) / floor_cpu, 2),
        }
        for name in commands
    }

    with tempfile.TemporaryDirectory() as out:
        imports = {
            "validate": heavy_imports(["validate", str(SAMPLE)]),
            "render -f json": heavy_imports(["render", str(SAMPLE), "-f", "json", "-o", out, "-q"]),
        }
    result = {
        "floor_wall_median_s": round(floor_wall, 4),
        "floor_cpu_min_s": round(floor_cpu, 4),
        "plans": plans,
        "target": TARGET,
        "heavy_imports": imports,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"python -c 'import pydantic, yaml': wall {floor_wall * 1000:6.1f} ms, cpu {floor_cpu * 1000:6.1f} ms"
    )
    for name, figures in plans.items():
        worst = max(figures["wall_ratio"], figures["cpu_ratio"])
        verdict = "ok" if worst <= TARGET else "ABOVE TARGET"
        print(
            f"mapgen validate, {name}: wall {figures['wall_median_s'] * 1000:6.1f} ms "
            f"({figures['wall_ratio']:.2f}x), cpu {figures['cpu_min_s'] * 1000:6.1f} ms "
            f"({figures['cpu_ratio']:.2f}x); target <= {TARGET} {verdict}"
        )
    for command, modules in imports.items():
        print(f"{command}: imports {', '.join(modules) if modules else 'no rendering library'}")


if __name__ == "__main__":
    main()
