"""`mapgen serve`: publish every plan of a folder over HTTP at unguessable, revocable URLs.

- `config` (this light module's `ServeConfig`) holds the command's options;
- `store` finds, loads and renders plans, caches the bytes and keeps the last good version of a
  plan whose file became invalid (no web framework imported there, so it is easy to test);
- `app` is the Starlette application: routes, headers, conditional requests, the access log;
- `run` starts uvicorn.

Importing this package imports neither Starlette nor uvicorn: the CLI stays fast.
"""

from __future__ import annotations

from mapgen.serve.config import ServeConfig

__all__ = ["ServeConfig"]
