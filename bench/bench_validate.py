"""Cold start of `mapgen validate` on the enterprise sample, as a ratio to importing its floor.

The floor is `python -c "import pydantic, yaml"`: the two libraries validation cannot avoid
(FLOORS.md). Both commands run alternately in fresh processes in the same run, so machine noise
hits both. Also checks that `validate` and `render -f json` import no rendering library.

    python bench/bench_validate.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
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


def cold(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


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

    validate = [sys.executable, "-m", "mapgen", "validate", str(SAMPLE)]
    floor = [sys.executable, "-c", "import pydantic, yaml"]
    cold(validate)
    cold(floor)
    ours, base = [], []
    for _ in range(args.runs):
        ours.append(cold(validate))
        base.append(cold(floor))
    ratio = statistics.median(ours) / statistics.median(base)

    with tempfile.TemporaryDirectory() as out:
        imports = {
            "validate": heavy_imports(["validate", str(SAMPLE)]),
            "render -f json": heavy_imports(["render", str(SAMPLE), "-f", "json", "-o", out, "-q"]),
        }
    result = {
        "validate_median_s": round(statistics.median(ours), 4),
        "floor_median_s": round(statistics.median(base), 4),
        "ratio": round(ratio, 2),
        "target": TARGET,
        "heavy_imports": imports,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"mapgen validate (cold, median of {args.runs}): {result['validate_median_s'] * 1000:7.1f} ms")
    print(f"python -c 'import pydantic, yaml':          {result['floor_median_s'] * 1000:7.1f} ms")
    verdict = "ok" if ratio <= TARGET else "ABOVE TARGET"
    print(f"ratio: {ratio:.2f} (target <= {TARGET}) {verdict}")
    for command, modules in imports.items():
        print(f"{command}: imports {', '.join(modules) if modules else 'no rendering library'}")


if __name__ == "__main__":
    main()
