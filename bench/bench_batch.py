"""Batch rendering: plans per second at one and two jobs, the cache, and a Dask LocalCluster.

Generated plans (default 40 plans of 50 actions, 10 stakeholders, both logos), each measure a
whole `mapgen render DIR` process (wall time):

(a) `--jobs 1` and `--jobs 2`, no cache: plans per second, and the speed-up (target >= 1.7 on 2 cores);
(b) with a fresh cache: the first run, then a second run with nothing changed (target <= 5% of the
    first), then a run after changing one plan (target: about one plan's render time), shown
    against the `--jobs 1` time divided by the number of plans and against a whole
    `mapgen render` process of one plan (which pays the same start-up and imports);
(c) `--scheduler` on a LocalCluster of 2 single-threaded worker processes against `--jobs 2`
    (the cluster is started before the clock starts; the run includes warming its workers);
(d) peak memory (VmHWM) of each `--jobs 2` worker process, and of each cluster worker.

    python bench/bench_batch.py [--plans 40] [--actions 50] [--formats pdf,docx,...] [--no-cluster] [--json]

The machine may be shared: every figure comes from one run, so compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGOS = ROOT / "samples" / "northwind-acme" / "logos"
ROLES = ["champion", "economic_buyer", "technical_evaluator", "legal", "procurement"]
SELLER_ROLES = ["account_executive", "sales_engineer", "customer_success", "executive_sponsor", "other"]


def plan_text(number: int, actions: int) -> str:
    """A valid plan: 10 stakeholders, `actions` actions in phases of 10 with dependencies, both logos."""
    import yaml

    start = date(2027, 1, 4)
    people = [
        {"id": f"b{i}", "name": f"Buyer Person {i}", "side": "buyer", "role": ROLES[i], "title": "Director"}
        for i in range(5)
    ] + [
        {"id": f"s{i}", "name": f"Seller Person {i}", "side": "seller", "role": SELLER_ROLES[i]}
        for i in range(5)
    ]
    phases = []
    for p in range((actions + 9) // 10):
        items = []
        for i in range(min(10, actions - 10 * p)):
            n = 10 * p + i
            item = {
                "id": f"a{n}",
                "title": f"Step {n} of deal {number}: agree the deliverable with the owning team",
                "owner": people[n % 10]["id"],
                "due": (start + timedelta(days=2 * n)).isoformat(),
                "status": "done" if n < actions // 3 else ("in_progress" if n % 5 == 0 else "not_started"),
                "outcome": "Both sides confirm the result in writing",
            }
            if item["status"] == "done":
                item["completed"] = (start + timedelta(days=2 * n)).isoformat()
            if n:
                item["depends_on"] = [f"a{n - 1}"]
            if i == 9:
                item["milestone"] = True
            items.append(item)
        phases.append({"id": f"phase-{p}", "name": f"Phase {p + 1}", "actions": items})
    plan = {
        "mapgen": 1,
        "id": f"deal-{number:04d}",
        "title": f"Deal {number}: Mutual Action Plan",
        "revision": 1,
        "updated": (start + timedelta(days=2 * (actions // 3))).isoformat(),  # after the last completion
        "timezone": "America/New_York",
        "locale": "en-US",
        "seller": {"name": "Northwind Analytics", "logo": "logos/northwind.png"},
        "buyer": {"name": f"Customer {number} Inc.", "logo": "logos/acme.png"},
        "deal": {
            "name": f"Analytics rollout {number}",
            "value": {"amount": 50000 + number * 1000, "currency": "USD"},
            "start": start.isoformat(),
            "target_close": (start + timedelta(days=2 * actions)).isoformat(),
        },
        "summary": f"Customer {number} wants reporting that runs itself.",
        "stakeholders": people,
        "phases": phases,
        "signoff": ["b0", "s0"],
    }
    return yaml.safe_dump(plan, sort_keys=False, allow_unicode=True)


def make_plans(folder: Path, plans: int, actions: int) -> None:
    for number in range(plans):
        sub = folder / f"deal-{number:04d}"
        (sub / "logos").mkdir(parents=True)
        for logo in ("northwind.png", "acme.png"):
            shutil.copy(LOGOS / logo, sub / "logos" / logo)
        (sub / "plan.yaml").write_text(plan_text(number, actions), encoding="utf-8")


def _descendants(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    found = [int(c) for c in children]
    for child in list(found):
        found += _descendants(child)
    return found


def _peak_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def render(plans: Path, out: Path, *args: str) -> tuple[float, dict[int, int]]:
    """Wall time of one `mapgen render` process, and the peak memory (kB) of each process under it."""
    command = [sys.executable, "-m", "mapgen", "render", str(plans), "-o", str(out), "-q", *args]
    env = {k: v for k, v in os.environ.items() if k != "MAPGEN_NO_CACHE"}
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    while process.poll() is None:
        for pid in _descendants(process.pid):
            peak = _peak_kb(pid)
            if peak is not None:
                peaks[pid] = max(peaks.get(pid, 0), peak)
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"mapgen render failed ({process.returncode}): {process.stderr.read()[-2000:]}")
    return seconds, peaks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plans", type=int, default=40)
    parser.add_argument("--actions", type=int, default=50)
    parser.add_argument("--formats", default="", help="comma-separated formats (default: all)")
    parser.add_argument("--no-cluster", action="store_true", help="skip the Dask LocalCluster measure")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    formats = ["-f", options.formats] if options.formats else []
    with tempfile.TemporaryDirectory(prefix="mapgen-bench-batch-") as tmp:
        root = Path(tmp)
        plans, cache = root / "plans", root / "cache"
        make_plans(plans, options.plans, options.actions)
        figures: dict[str, float] = {"plans": options.plans, "actions": options.actions}

        one, _ = render(plans, root / "one", "--jobs", "1", "--no-cache", *formats)
        two, peaks = render(plans, root / "two", "--jobs", "2", "--no-cache", *formats)
        figures |= {"jobs1_s": one, "jobs2_s": two, "jobs1_plans_per_s": options.plans / one}
        figures |= {"jobs2_plans_per_s": options.plans / two, "speedup": one / two}
        workers = sorted(peaks.values(), reverse=True)[:2]
        figures["worker_peak_mb"] = max(workers, default=0) / 1024

        first, _ = render(plans, root / "cached", "--jobs", "2", "--cache", str(cache), *formats)
        second, _ = render(plans, root / "cached", "--jobs", "2", "--cache", str(cache), *formats)
        changed_plan = plans / "deal-0000" / "plan.yaml"
        changed_plan.write_text(changed_plan.read_text().replace("Deal 0:", "Deal 0 (renamed):", 1))
        changed, _ = render(plans, root / "cached", "--jobs", "2", "--cache", str(cache), *formats)
        figures |= {"cached_first_s": first, "unchanged_s": second, "unchanged_ratio": second / first}
        single, _ = render(plans / "deal-0001" / "plan.yaml", root / "single", "--no-cache", *formats)
        figures |= {"one_changed_s": changed, "one_plan_s": one / options.plans, "single_process_s": single}
        figures["one_changed_ratio"] = changed / (one / options.plans)
        figures["one_changed_vs_single_process"] = changed / single

        if not options.no_cluster:
            from distributed import LocalCluster

            from mapgen.cluster import worker_memory

            with LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, memory_limit="2GiB", dashboard_address=None
            ) as cluster:
                remote, _ = render(
                    plans, root / "remote", "--no-cache", "--scheduler", cluster.scheduler_address, *formats
                )
                memory = worker_memory(cluster.scheduler_address)
            figures |= {"cluster_s": remote, "cluster_overhead": remote / two}
            figures["cluster_worker_peak_mb"] = max(memory.values()) / 1e6 if memory else 0

        same = all(
            (root / "one" / p.name).read_bytes() == p.read_bytes()
            for p in (root / "two").iterdir()
            if p.is_file()
        )
        figures["jobs2_identical_to_jobs1"] = float(same)
    if options.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{options.plans} plans of {options.actions} actions, formats: {options.formats or 'all'}")
    print(f"--jobs 1: {one:7.1f} s  {figures['jobs1_plans_per_s']:.2f} plans/s")
    print(
        f"--jobs 2: {two:7.1f} s  {figures['jobs2_plans_per_s']:.2f} plans/s  speed-up {one / two:.2f}x (target >= 1.7)"
    )
    print(
        f"  byte-identical to --jobs 1: {'yes' if same else 'NO'}; worker peak memory {figures['worker_peak_mb']:.0f} MB"
    )
    print(f"cache, first run:  {first:7.1f} s")
    print(f"  nothing changed: {second:7.1f} s  = {second / first:.1%} of the first (target <= 5%)")
    print(
        f"  one plan changed: {changed:6.1f} s  = {figures['one_changed_ratio']:.1f}x one plan's share of the "
        f"--jobs 1 run ({figures['one_plan_s']:.2f} s), {figures['one_changed_vs_single_process']:.2f}x a whole "
        f"`mapgen render` of one plan ({single:.1f} s); target about 1x"
    )
    if not options.no_cluster:
        print(
            f"LocalCluster (2 workers): {remote:.1f} s = {figures['cluster_overhead']:.2f}x --jobs 2; "
            f"worker peak memory {figures['cluster_worker_peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
