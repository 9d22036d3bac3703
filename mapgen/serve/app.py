"""The Starlette application of `mapgen serve`.

Routes:
- `GET /p/{token}/{file}`: a plan's file (`<id>.html`, `<id>.pdf`, `<id>.ics`, `<id>.jane.ics`...)
  if the token opens it. Any other path, an unknown or malformed token, a file the token does not
  open and a format that is not registered all get the same 404, so a response never tells a
  valid token from an invalid one.
- `GET /p/{token}/`: the landing page of a plan's token or a stakeholder's (see `landing`).
- `GET /healthz`: status and counts, as JSON; a client on this machine (loopback) also gets each
  plan file's errors, which quote the plan, so they never leave the host. No tokens in either.
- `GET /robots.txt`: disallows everything.

Files are served with their media type, Content-Disposition, a strong ETag (a hash of the bytes,
so every worker gives the same one) and Last-Modified (the newest input), and answer conditional
requests with 304. The access log shows only the first characters of a token, and escapes every
value it writes (mapgen.serve.logs).
"""

from __future__ import annotations

import logging
import re
import time
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mapgen.serve.config import ServeConfig
from mapgen.serve.landing import LandingPages
from mapgen.serve.logs import loggable
from mapgen.serve.store import PlanStore, RenderFailed, Resource
from mapgen.tokens import looks_like_token

access_log = logging.getLogger("mapgen.serve.access")
log = logging.getLogger("mapgen.serve")

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # The token is the credential: never send it to a site the plan links to.
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow, noarchive",
}
FILE_CACHE_CONTROL = "private, no-cache"
"""Clients keep a copy but revalidate it (cheap, with the ETag); shared caches keep nothing."""
HTML_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Self-contained pages need nothing else; no script may run even if a plan smuggled one in."""
INLINE_TYPES = ("text/html", "application/pdf", "application/json", "text/plain")
NOT_FOUND_BODY = b"Not found\n"
ERROR_BODY = b"Internal server error\n"


def not_found() -> Response:
    """The one 404 every unknown path, token or file gets."""
    return Response(
        NOT_FOUND_BODY,
        status_code=404,
        media_type="text/plain; charset=utf-8",
        headers={**COMMON_HEADERS, "Cache-Control": "no-store"},
    )


def server_error() -> Response:
    return Response(
        ERROR_BODY,
        status_code=500,
        media_type="text/plain; charset=utf-8",
        headers={**COMMON_HEADERS, "Cache-Control": "no-store"},
    )


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2)."""
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


def _not_modified_since(header: str, last_modified: int) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return last_modified <= since.timestamp()


def file_response(request: Request, resource: Resource) -> Response:
    headers = {
        **COMMON_HEADERS,
        "ETag": resource.etag,
        "Last-Modified": formatdate(resource.last_modified, usegmt=True),
        "Cache-Control": FILE_CACHE_CONTROL,
    }
    if_none_match = request.headers.get("if-none-match")
    if_modified_since = request.headers.get("if-modified-since")
    if (if_none_match is not None and _etag_matches(if_none_match, resource.etag)) or (
        if_none_match is None
        and if_modified_since is not None
        and _not_modified_since(if_modified_since, resource.last_modified)
    ):
        return Response(status_code=304, headers=headers)
    base_type = resource.media_type.split(";", 1)[0].strip().lower()
    disposition = "inline" if base_type in INLINE_TYPES else "attachment"
    headers["Content-Disposition"] = f'{disposition}; filename="{resource.name}"'
    if base_type == "text/html":
        headers["Content-Security-Policy"] = HTML_POLICY
    return Response(resource.data, media_type=resource.media_type, headers=headers)


def create_app(config: ServeConfig, store: PlanStore | None = None) -> Starlette:
    """The application for one served folder (the store is built now: a bad secret fails early)."""
    store = store or PlanStore(config)

    async def published(request: Request) -> Response:
        token = request.path_params["token"]
        name = request.path_params["name"]
        if not looks_like_token(token):
            return not_found()
        # Already rendered and unchanged: answered on the event loop. Anything else (a changed
        # file, a first render, an unknown token) goes to a worker thread.
        resource = store.cached(token, name)
        if resource is None:
            try:
                resource = await run_in_threadpool(store.lookup, token, name)
            except RenderFailed:
                return server_error()
        return not_found() if resource is None else file_response(request, resource)

    pages = LandingPages(store, config)

    async def landing(request: Request) -> Response:
        token = request.path_params["token"]
        if not looks_like_token(token):
            return not_found()
        base_url = str(request.base_url).rstrip("/")
        try:
            resource = await run_in_threadpool(pages.lookup, token, base_url)
        except Exception:
            log.exception("landing page failed to render")
            return server_error()
        return not_found() if resource is None else file_response(request, resource)

    def healthz(request: Request) -> Response:
        report = store.health()
        if not _is_local(request):
            report = {key: report[key] for key in ("status", "plans", "errors")}
        return JSONResponse(report, headers={**COMMON_HEADERS, "Cache-Control": "no-store"})

    def robots(_request: Request) -> Response:
        return Response(
            b"User-agent: *\nDisallow: /\n", media_type="text/plain; charset=utf-8", headers=COMMON_HEADERS
        )

    async def http_error(_request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return Response(
                b"Method not allowed\n",
                status_code=405,
                media_type="text/plain; charset=utf-8",
                headers={**COMMON_HEADERS, **(exc.headers or {})},
            )
        return not_found()

    async def internal_error(_request: Request, _exc: Exception) -> Response:
        return server_error()

    app = Starlette(
        routes=[
            Route("/p/{token}/", landing, methods=["GET", "HEAD"]),
            Route("/p/{token}/{name}", published, methods=["GET", "HEAD"]),
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/robots.txt", robots, methods=["GET", "HEAD"]),
        ],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
    )
    app.router.redirect_slashes = False
    app.state.store = store
    return AccessLog(app)  # type: ignore[return-value]


_TOKEN_IN_PATH = re.compile(r"^/p/([^/]{0,4})[^/]*")


def redact(path: str) -> str:
    """A request path for the log: a token is cut to its first 4 characters."""
    return _TOKEN_IN_PATH.sub(lambda m: f"/p/{m.group(1)}…", path)


class AccessLog:
    """One log line per request, without the token (uvicorn's own access log would show it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            client = scope.get("client")
            access_log.info(
                '%s "%s %s" %d %.1fms',
                loggable(client[0] if client else "-"),
                loggable(scope.get("method", "-")),
                loggable(redact(scope.get("path", ""))),
                status,
                (time.perf_counter() - started) * 1000,
            )


_LOCAL_CLIENTS = ("127.", "::1", "testclient")
"""Loopback addresses, and Starlette's test client."""


def _is_local(request: Request) -> bool:
    """True when the client is this machine. Behind a proxy this holds only when the proxy's
    X-Forwarded-For is not trusted (see docs/serve.md: trust it with --forwarded-allow-ips)."""
    host = request.client.host if request.client else ""
    return host.startswith(_LOCAL_CLIENTS)
