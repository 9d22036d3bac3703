"""Render on a Dask distributed cluster (`mapgen render --scheduler ADDRESS`).

Workers need mapgen installed (the same version, with the same theme and layout: each job
checks) but not the plans: a plan and the logos it names travel as bytes, artifacts come back as
bytes, and the client writes them, so the output is identical to a local run.
Needs the optional extra: `pip install 'mapgen[cluster]'`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from mapgen.errors import UsageError
from mapgen.pipeline import RenderRequest
from mapgen.worker import Bundle, peek, warm

CONNECT_TIMEOUT = "20s"


def connect(address: str, request: RenderRequest) -> tuple[Executor, Callable[[], None]]:
    """A concurrent.futures executor on the cluster at `address`, its workers warmed up, and a close."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask distributed: pip install 'mapgen[cluster]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        client.run(warm, tuple(request.formats), request.theme, request.layout)
    except ImportError as exc:
        client.close()
        raise UsageError(f"the Dask workers at {address} cannot import mapgen: {exc}") from None
    return client.get_executor(pure=False), client.close


def make_bundle(path: Path) -> Bundle:
    """The plan file and the logos it names, as bytes (OSError when the plan cannot be read).

    A logo that is missing or outside the plan's folder is not sent: the worker then reports
    the plan as a local run would.
    """
    plan = path.read_bytes()
    assets = {}
    base = path.parent.resolve()
    for name in peek(path).assets:
        asset = (base / name).resolve()
        if asset.is_relative_to(base) and asset.is_file():
            with contextlib.suppress(OSError):
                assets[name] = asset.read_bytes()
    return Bundle(path.name, plan, assets)


def worker_memory(address: str) -> dict[str, int]:
    """Peak resident memory of each worker process in bytes (Linux), for benchmarks."""
    from distributed import Client

    with Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False) as client:
        return client.run(_peak_rss)  # type: ignore[no-any-return]


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
