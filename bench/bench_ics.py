"""ICS render time as a ratio to a bare icalendar build, and a bounded load test of `mapgen serve`.

(a) mapgen's whole `ics` render of the enterprise sample with `--feed all` (the plan, both sides
and every stakeholder: 13 calendars) against a bare icalendar build of the same calendars from the
same view: the same events in each calendar (UID, DTSTAMP, DTSTART, DTEND, SUMMARY, SEQUENCE,
CATEGORIES and a one-line DESCRIPTION through `Component.add`) and the same VTIMEZONE window.
All run alternately in this warm process; the figure is the ratio of medians. mapgen builds and
serialises each VEVENT once per render and reuses the bytes in every feed that has it; the
straightforward path (one icalendar object per feed, every event written again, same bytes) is
measured beside it, so the ratio shows what that sharing saves and what mapgen's longer text costs.

(b) `mapgen serve` started as a subprocess on 127.0.0.1 (a free port, a temporary copy of the
sample), then a fixed number of GET requests (default 5,000) at a fixed concurrency (default 50
keep-alive connections) to the plan's feed route: requests per second, p50 and p99
latency and the error count, which must be zero. The requests go over keep-alive connections
through a minimal asyncio HTTP/1.1 client (httpx's client needs several times the server's CPU
per request, and on two cores it would measure itself). The run is bounded in count and in time
(it stops by itself after --timeout seconds), and the server is stopped with SIGTERM.

    python bench/bench_ics.py [--runs 15] [--requests 5000] [--concurrency 50] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapgen.load import load_plan  # noqa: E402
from mapgen.renderers.base import RenderContext, RenderOptions  # noqa: E402
from mapgen.renderers.ics import RENDERER, build_calendar, build_feed, feed_keys, plan_window  # noqa: E402
from mapgen.tokens import load_or_create_secret, make_token  # noqa: E402
from mapgen.view import PlanView, build_view  # noqa: E402

SAMPLE = ROOT / "samples" / "northwind-acme" / "plan.yaml"


def bare(view: PlanView) -> list[bytes]:
    """The same calendars with icalendar's plain API: what the library costs on its own."""
    from icalendar import Calendar, Event

    plan = view.plan
    stamp = datetime.combine(plan.updated, clock_time.min, tzinfo=UTC)
    first, last = plan_window(view)
    dated = [a for a in view.actions if a.due is not None]
    selections = {"plan": dated}
    for side in ("buyer", "seller"):
        selections[side] = [a for a in dated if a.side.value == side or a.milestone]
    for person in view.stakeholders:
        selections[person.id] = [a for a in dated if a.owner_id == person.id or a.milestone]
    out = []
    for key, actions in selections.items():
        cal = Calendar()
        cal.add("PRODID", "-//bare//EN")
        cal.add("VERSION", "2.0")
        cal.add("NAME", f"{plan.title} {key}")
        for action in actions:
            event = Event()
            event.add("UID", f"{action.id}.{plan.id}@mapgen")
            event.add("DTSTAMP", stamp)
            if isinstance(action.due, datetime):
                event.add("DTSTART", action.due)
                event.add("DTEND", action.due + timedelta(minutes=30))
            else:
                event.add("DTSTART", action.due)
                event.add("DTEND", action.due + timedelta(days=1))
            event.add("SUMMARY", action.title)
            event.add("SEQUENCE", plan.revision)
            event.add("CATEGORIES", [action.phase_name])
            event.add("DESCRIPTION", f"Owner: {action.owner_name}")
            cal.add_component(event)
        cal.add_missing_timezones(first, last)
        out.append(cal.to_ical())
    return out


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def render_ratio(runs: int) -> dict[str, Any]:
    view = build_view(load_plan(SAMPLE).plan)
    ctx = RenderContext(view, RenderOptions(feed="all"))
    mapgen_files = RENDERER.render(ctx)
    bare_files = bare(view)
    events = sum(len(build_feed(view, k).actions) for k in feed_keys(view))
    assert len(mapgen_files) == len(bare_files) == len(feed_keys(view))
    assert sum(f.data.count(b"BEGIN:VEVENT") for f in mapgen_files) == events
    assert sum(b.count(b"BEGIN:VEVENT") for b in bare_files) == events
    for _ in range(3):  # warm-up: imports, VTIMEZONE cache of both sides
        RENDERER.render(ctx)
        bare(view)
    feeds = [build_feed(view, k) for k in feed_keys(view)]

    def unshared() -> list[bytes]:
        return [build_calendar(view, feed).to_ical() for feed in feeds]

    ours, theirs, plain = [], [], []
    for _ in range(runs):
        ours.append(timed(lambda: RENDERER.render(ctx)))
        theirs.append(timed(lambda: bare(view)))
        plain.append(timed(unshared))
    mapgen_ms = statistics.median(ours) * 1000
    bare_ms = statistics.median(theirs) * 1000
    unshared_ms = statistics.median(plain) * 1000
    return {
        "calendars": len(mapgen_files),
        "events": events,
        "bytes": sum(len(f.data) for f in mapgen_files),
        "runs": runs,
        "mapgen_ms": round(mapgen_ms, 2),
        "bare_ms": round(bare_ms, 2),
        "ratio": round(mapgen_ms / bare_ms, 2),
        "unshared_ms": round(unshared_ms, 2),
        "unshared_ratio": round(unshared_ms / bare_ms, 2),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def hammer(
    host: str, port: int, path: str, requests: int, concurrency: int, deadline: float
) -> tuple[list[float], int, float]:
    """`requests` GETs over `concurrency` keep-alive connections; latencies, errors, wall time.

    A minimal HTTP/1.1 client on asyncio streams: httpx's client costs several times the
    server's CPU per request, and on a 2-core machine it would measure itself, not the server.
    """
    latencies: list[float] = []
    errors = 0
    remaining = requests
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()

    async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(request)
        await writer.drain()
        status = (await reader.readline()).split()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length)
        return len(status) > 1 and status[1] == b"200" and body.startswith(b"BEGIN:VCALENDAR")

    async def connection() -> None:
        nonlocal remaining, errors
        streams = None
        while remaining > 0 and time.monotonic() < deadline:
            remaining -= 1
            start = time.perf_counter()
            try:
                if streams is None:
                    streams = await asyncio.open_connection(host, port)
                ok = await asyncio.wait_for(exchange(*streams), timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                ok, streams = False, None
            latencies.append(time.perf_counter() - start)
            errors += not ok
        if streams is not None:
            streams[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    errors += remaining  # requests never sent before the deadline count as errors
    return latencies, errors, wall


def load_test(requests: int, concurrency: int, timeout: float) -> dict[str, Any]:
    import httpx

    with tempfile.TemporaryDirectory() as folder:
        plans = Path(folder) / "plans"
        shutil.copytree(SAMPLE.parent, plans / SAMPLE.parent.name)
        secret = load_or_create_secret(plans / ".mapgen-secret")
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mapgen",
                "serve",
                str(plans),
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.monotonic()
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() - started > 30:
                    raise SystemExit(f"server did not start: {server.communicate()[1]}")
                time.sleep(0.1)
            path = f"/p/{make_token(secret, 'northwind-acme')}/northwind-acme.ics"
            size = len(httpx.get(base + path, timeout=30).content)  # renders; the rest hit the cache
            deadline = time.monotonic() + timeout
            latencies, errors, wall = asyncio.run(
                hammer("127.0.0.1", port, path, requests, concurrency, deadline)
            )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
    latencies.sort()
    return {
        "requests": requests,
        "concurrency": concurrency,
        "response_bytes": size,
        "completed": len(latencies),
        "seconds": round(wall, 2),
        "requests_per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
        "errors": errors,
        "server_exit_code": server.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="warm runs of each side of the ratio")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=120, help="seconds before the load test stops")
    parser.add_argument("--skip-load", action="store_true", help="only the render ratio")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    results: dict[str, Any] = {"render": render_ratio(args.runs)}
    if not args.skip_load:
        results["load"] = load_test(args.requests, args.concurrency, args.timeout)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        r = results["render"]
        rows = [
            (
                f"mapgen ics, {r['calendars']} feeds, {r['events']} events (median of {r['runs']})",
                f"{r['mapgen_ms']} ms",
            ),
            ("bare icalendar, same calendars and events", f"{r['bare_ms']} ms"),
            ("ratio", f"{r['ratio']}x"),
            ("mapgen, each feed's events built and written again", f"{r['unshared_ms']} ms"),
            ("ratio without sharing events between feeds", f"{r['unshared_ratio']}x"),
        ]
        if "load" in results:
            load = results["load"]
            rows += [
                (
                    f"load: {load['requests']} GETs of the plan feed ({load['response_bytes']} bytes)",
                    f"{load['seconds']} s",
                ),
                ("concurrent connections", str(load["concurrency"])),
                ("requests per second", str(load["requests_per_second"])),
                ("latency p50 / p99", f"{load['p50_ms']} ms / {load['p99_ms']} ms"),
                ("errors", str(load["errors"])),
            ]
        width = max(len(label) for label, _ in rows)
        print(f"| {'measure'.ljust(width)} | value |")
        print(f"|{'-' * (width + 2)}|---:|")
        for label, value in rows:
            print(f"| {label.ljust(width)} | {value} |")
    if results.get("load", {}).get("errors"):
        sys.exit(1)


if __name__ == "__main__":
    main()
