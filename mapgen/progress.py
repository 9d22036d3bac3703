"""A progress line on stderr for renders that take longer than a second.

Shown only on a terminal (a log or a pipe gets nothing) and only once a render has run for
`DELAY` seconds, so quick renders stay silent. A daemon thread redraws one line with the plan
and format being rendered and the time so far; `close` erases it.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

DELAY = 1.0
"""Seconds before the line appears."""


class Progress:
    """`step(plan_id, fmt)` before each format; use as a context manager around the render."""

    def __init__(self, stream: TextIO, total: int, *, enabled: bool) -> None:
        self._stream = stream
        self._total = total
        self._enabled = enabled
        self._done = -1
        self._label = ""
        self._started = time.monotonic()
        self._shown = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="mapgen-progress", daemon=True)

    def __enter__(self) -> Progress:
        if self._enabled:
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def step(self, plan_id: str, fmt: str) -> None:
        with self._lock:
            self._done += 1
            self._label = f"{plan_id}: {fmt}"

    def _line(self) -> str:
        elapsed = time.monotonic() - self._started
        return f"Rendering {self._label} ({self._done + 1}/{self._total}, {elapsed:.0f} s)"

    def _run(self) -> None:
        if self._stop.wait(DELAY):
            return
        while not self._stop.is_set():
            with self._lock:
                if self._label:
                    self._stream.write("\r\x1b[K" + self._line())
                    self._stream.flush()
                    self._shown = True
            self._stop.wait(0.25)

    def close(self) -> None:
        """Stop redrawing and erase the line."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False
