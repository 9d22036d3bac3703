"""`mapgen serve` and `mapgen feeds`: every route through Starlette's TestClient (tokens, forged
and hostile URLs, audiences, conditional requests, media types, last-good plans, the secret file),
then the real command on a loopback port, fetched with httpx and stopped with a signal."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx is what the project installs
    warnings.filterwarnings("ignore", message=".*httpx2", category=UserWarning)
    from starlette.testclient import TestClient

import mapgen.renderers
from mapgen.errors import UsageError
from mapgen.renderers import FORMATS, format_names, get_renderer
from mapgen.serve.app import create_app, redact
from mapgen.serve.config import ServeConfig
from mapgen.serve.store import PlanStore
from mapgen.tokens import (
    INTERNAL,
    TOKEN_LENGTH,
    feed_scope,
    load_or_create_secret,
    make_token,
    read_secret,
)
from tests.conftest import ROOT, render_sample

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx2")

SAMPLES_DIR = ROOT / "samples"
PLAN = "northwind-acme"


@dataclass
class Server:
    directory: Path
    client: TestClient
    store: PlanStore

    @property
    def secret(self) -> bytes:
        return read_secret(self.directory / ".mapgen-secret")

    def url(self, name: str, scope: str = "plan", *, plan: str = PLAN, audience: str = "buyer") -> str:
        return f"/p/{make_token(self.secret, plan, scope, audience=audience)}/{name}"

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, **kwargs)

    @property
    def plan_file(self) -> Path:
        return self.directory / PLAN / "plan.yaml"


def make_server(directory: Path, **options: Any) -> Server:
    config = ServeConfig(directory, rescan_seconds=0, **options)
    app = create_app(config)
    return Server(directory, TestClient(app), app.state.store)


@pytest.fixture
def plans_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "plans"
    directory.mkdir()
    for name in ("northwind-acme", "minimal"):
        shutil.copytree(SAMPLES_DIR / name, directory / name)
    return directory


@pytest.fixture
def server(plans_dir: Path) -> Server:
    return make_server(plans_dir)


def assert_not_found(response: httpx.Response) -> None:
    """Every 404 is the same: status, body and content type."""
    assert response.status_code == 404
    assert response.content == b"Not found\n"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


# ---------------------------------------------------------------------------- feeds and formats


def test_plan_feed_is_served_with_headers(server: Server) -> None:
    response = server.get(server.url(f"{PLAN}.ics"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{PLAN}.ics"'
    assert response.headers["etag"].startswith('"') and len(response.headers["etag"]) == 34
    assert response.headers["last-modified"].endswith(" GMT")
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    expected = render_sample(SAMPLES_DIR / PLAN / "plan.yaml", ["ics"])[f"{PLAN}.ics"].data
    assert response.content == expected  # the same bytes `mapgen render -f ics` writes


def test_side_and_stakeholder_tokens_open_only_their_feed(server: Server) -> None:
    for feed in ("buyer", "seller", "jane", "raj"):
        own = server.get(server.url(f"{PLAN}.{feed}.ics", feed_scope(feed)))
        assert own.status_code == 200, feed
        assert own.headers["content-type"] == "text/calendar; charset=utf-8"
        for other in (f"{PLAN}.ics", f"{PLAN}.json", f"{PLAN}.tom.ics", f"{PLAN}.pdf"):
            assert_not_found(server.get(server.url(other, feed_scope(feed))))
    # The plan token opens every buyer feed.
    for feed in ("buyer", "seller", "jane"):
        assert server.get(server.url(f"{PLAN}.{feed}.ics")).status_code == 200
    # A side's token is not a stakeholder's token, even for a stakeholder named like a side.
    assert make_token(server.secret, PLAN, feed_scope("buyer")) != make_token(server.secret, PLAN, "plan")


def test_every_registered_format_is_served(server: Server) -> None:
    for fmt in format_names():
        renderer = get_renderer(fmt)
        plan, name = "minimal", f"minimal{renderer.suffix}"
        if getattr(renderer, "per_person", False):  # <id>.<person>.digest.html: the first person's
            plan, name = PLAN, next(iter(render_sample(SAMPLES_DIR / PLAN / "plan.yaml", [fmt])))
        response = server.get(server.url(name, plan=plan))
        assert response.status_code == 200, fmt
        assert response.headers["content-type"] == renderer.media_type, fmt
        assert response.headers["content-disposition"].endswith(f'filename="{name}"')
        kind = renderer.media_type.split(";")[0]
        inline = kind in ("text/html", "application/pdf", "application/json", "text/plain")
        assert response.headers["content-disposition"].startswith("inline" if inline else "attachment")
        if kind == "text/html":
            assert "default-src 'none'" in response.headers["content-security-policy"]


def test_a_format_appears_when_registered(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    without_json = tuple(f for f in FORMATS if f.name != "json")
    monkeypatch.setattr(mapgen.renderers, "FORMATS", without_json)
    assert_not_found(server.get(server.url("minimal.json", plan="minimal")))
    monkeypatch.setattr(mapgen.renderers, "FORMATS", FORMATS)
    assert server.get(server.url("minimal.json", plan="minimal")).status_code == 200
    assert_not_found(server.get(server.url("minimal.nosuchformat", plan="minimal")))


# ---------------------------------------------------------------------------- tokens and hostile URLs


def test_forged_and_malformed_tokens_get_the_same_404(server: Server) -> None:
    real = make_token(server.secret, PLAN)
    other_secret = make_token(b"x" * 64, PLAN)
    flipped = ("A" if real[0] != "A" else "B") + real[1:]
    random = base64.urlsafe_b64encode(os.urandom(18)).decode()
    for token in (other_secret, flipped, random, real[:-1], real + "A", real.upper(), "", "a" * 24, "é" * 24):
        assert_not_found(server.get(f"/p/{token}/{PLAN}.ics"))
    # A real token with another plan's file, or a file name the plan does not have.
    assert_not_found(server.get(f"/p/{real}/minimal.ics"))
    assert_not_found(server.get(f"/p/{real}/{PLAN}.nobody.ics"))
    assert_not_found(server.get(f"/p/{real}/{PLAN}"))
    assert server.get(f"/p/{real}/").status_code == 200  # the plan's landing page (test_landing.py)
    assert_not_found(server.get(f"/p/{real}"))
    for path in ("/", "/p", "/p/", "/healthz/x", "/index.html", f"/{real}/{PLAN}.ics"):
        assert_not_found(server.get(path))


def test_tokens_are_hmacs_of_the_secret(server: Server) -> None:
    tokens = {
        make_token(server.secret, PLAN),
        make_token(server.secret, PLAN, audience=INTERNAL),
        make_token(server.secret, "minimal"),
        *(make_token(server.secret, PLAN, feed_scope(f)) for f in ("buyer", "seller", "jane", "raj")),
    }
    assert len(tokens) == 7
    assert all(len(t) == TOKEN_LENGTH and "=" not in t for t in tokens)
    message = b"mapgen-url-token/v1\0buyer\0northwind-acme\0stakeholder:jane"
    digest = hmac.new(server.secret, message, hashlib.sha256).digest()[:18]
    assert make_token(server.secret, PLAN, feed_scope("jane")) == base64.urlsafe_b64encode(digest).decode()


def raw_get(app: Any, raw_path: bytes) -> tuple[int, bytes]:
    """Send a path exactly as written, the way uvicorn passes it (percent-decoded, dots kept)."""
    from urllib.parse import unquote_to_bytes

    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
        "raw_path": raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body


def test_path_traversal_is_impossible(server: Server) -> None:
    token = make_token(server.secret, PLAN).encode()
    secret = server.secret
    hostile = [
        b"/p/" + token + b"/../../plan.yaml",
        b"/p/" + token + b"/%2e%2e/%2e%2e/etc/passwd",
        b"/p/" + token + b"/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        b"/p/" + token + b"/..%2f.mapgen-secret",
        b"/p/" + token + b"/northwind-acme%2fplan.yaml",
        b"/p/" + token + b"/northwind-acme/plan.yaml",
        b"/p/" + token + b"/.mapgen-secret",
        b"/p/" + token + b"/..",
        b"/p/" + token + b"/%2e%2e",
        b"/p/" + token + b"/northwind-acme.ics%00.yaml",
        b"/p/../.mapgen-secret",
        b"/p/%2e%2e/northwind-acme/plan.yaml",
        b"/.mapgen-secret",
        b"/northwind-acme/plan.yaml",
        b"/p/" + token + b"/" + b"a" * 5000,
    ]
    app = server.client.app
    for path in hostile:
        status, body = raw_get(app, path)
        assert (status, body) == (404, b"Not found\n"), path
        assert secret not in body
    # The same through a real HTTP client, which keeps percent-encoded dots.
    for path in ("/p/{t}/%2e%2e%2f%2e%2e%2f.mapgen-secret", "/p/{t}/..%2Fnorthwind-acme%2Fplan.yaml"):
        assert_not_found(server.get(path.format(t=token.decode())))


def test_only_the_buyer_audience_without_the_internal_token(server: Server) -> None:
    buyer = json.loads(server.get(server.url(f"{PLAN}.json")).content)
    internal = json.loads(server.get(server.url(f"{PLAN}.json", audience=INTERNAL)).content)
    assert buyer["audience"] == "buyer" and buyer["plan"]["internal"] is None
    assert internal["audience"] == "internal" and internal["plan"]["internal"] is not None
    buyer_ics = server.get(server.url(f"{PLAN}.ics")).text
    internal_ics = server.get(server.url(f"{PLAN}.ics", audience=INTERNAL)).text
    assert "discount-approval.northwind-acme@mapgen" not in buyer_ics
    assert "discount-approval.northwind-acme@mapgen" in internal_ics
    for feed in ("buyer", "seller", "sam"):
        text = server.get(server.url(f"{PLAN}.{feed}.ics", feed_scope(feed))).text
        assert "discount-approval" not in text and "Internal" not in text
    # The internal token is its own: no buyer scope maps to it, and it opens internal feeds too.
    internal_token = make_token(server.secret, PLAN, audience=INTERNAL)
    assert internal_token not in {make_token(server.secret, PLAN, s) for s in ("plan", "internal")}
    assert "discount-approval" in server.get(f"/p/{internal_token}/{PLAN}.sam.ics").text
    # An "internal" stakeholder scope under the buyer audience is not the internal token.
    assert_not_found(server.get(f"/p/{make_token(server.secret, PLAN, 'internal')}/{PLAN}.json"))


# ---------------------------------------------------------------------------- conditional requests


def test_conditional_requests(server: Server) -> None:
    url = server.url(f"{PLAN}.ics")
    first = server.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f"W/{etag}"},
        {"If-None-Match": f'"nope", {etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": formatdate(time.time() + 3600, usegmt=True)},
    ):
        response = server.get(url, headers=headers)
        assert response.status_code == 304, headers
        assert response.content == b""
        assert response.headers["etag"] == etag and response.headers["last-modified"] == modified
    for headers in (
        {"If-None-Match": '"other"'},
        {"If-None-Match": '"other"', "If-Modified-Since": modified},  # If-None-Match wins
        {"If-Modified-Since": formatdate(0, usegmt=True)},
        {"If-Modified-Since": "not a date"},
    ):
        response = server.get(url, headers=headers)
        assert response.status_code == 200, headers
        assert response.content == first.content
    head = server.client.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag


def test_etag_is_the_same_in_another_worker(plans_dir: Path) -> None:
    one, two = make_server(plans_dir), make_server(plans_dir)
    for name in (f"{PLAN}.ics", f"{PLAN}.json"):
        a, b = one.get(one.url(name)), two.get(two.url(name))
        assert (a.headers["etag"], a.headers["last-modified"]) == (
            b.headers["etag"],
            b.headers["last-modified"],
        )


# ---------------------------------------------------------------------------- reloading


def count_renders(server: Server, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = server.store._render

    def counting(good: Any, audience: str, fmt: str) -> Any:
        calls.append(fmt)
        return original(good, audience, fmt)

    monkeypatch.setattr(server.store, "_render", counting)
    return calls


def bump(path: Path, text: str) -> None:
    """Rewrite a file with a later modification time (file systems may round mtimes)."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def test_rendered_once_until_the_file_changes(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_renders(server, monkeypatch)
    url = server.url(f"{PLAN}.jane.ics", feed_scope("jane"))
    first = [server.get(url) for _ in range(5)]
    server.get(server.url(f"{PLAN}.seller.ics", feed_scope("seller")))
    assert calls == ["ics"]  # one render gave every feed of the plan
    assert server.get(server.url("minimal.ics", plan="minimal")).status_code == 200
    assert calls == ["ics", "ics"]
    text = server.plan_file.read_text(encoding="utf-8").replace("revision: 4", "revision: 5")
    bump(server.plan_file, text)
    second = server.get(url)
    assert calls == ["ics", "ics", "ics"]
    assert second.headers["etag"] != first[0].headers["etag"]
    assert "SEQUENCE:5" in second.text
    assert second.headers["last-modified"] != first[0].headers["last-modified"]


def test_invalid_plan_keeps_its_last_good_version(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    url = server.url(f"{PLAN}.ics")
    good = server.get(url)
    assert server.get("/healthz").json()["status"] == "ok"
    original = server.plan_file.read_text(encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="mapgen.serve"):
        bump(server.plan_file, original.replace("owner: raj", "owner: jon", 1))
        still = server.get(url)
    assert still.status_code == 200 and still.content == good.content
    assert any(
        "northwind-acme/plan.yaml" in r.getMessage() and "jon" in r.getMessage() for r in caplog.records
    )
    health = server.get("/healthz").json()
    assert health["status"] == "degraded" and health["errors"] == 1
    report = next(f for f in health["files"] if f["file"] == "northwind-acme/plan.yaml")
    assert report["ok"] is False and report["served"] is True and report["revision"] == 4
    assert "unknown stakeholder 'jon'" in report["errors"][0]
    assert report["errors"][0].startswith("northwind-acme/plan.yaml:")  # relative, with its line
    # Broken YAML too, then fixed: the new version is served and the health is ok again.
    bump(server.plan_file, "mapgen: 1\nid: [unclosed\n")
    assert server.get(url).content == good.content
    bump(server.plan_file, original.replace("revision: 4", "revision: 6"))
    assert "SEQUENCE:6" in server.get(url).text
    assert server.get("/healthz").json()["status"] == "ok"


def test_plans_come_and_go(server: Server) -> None:
    shutil.copytree(SAMPLES_DIR / "sakura-northwind", server.directory / "sakura")
    assert server.get(server.url("sakura-northwind.ics", plan="sakura-northwind")).status_code == 200
    # A plan file straight in the folder, and a copy with the same plan id (reported, not served).
    shutil.copy(SAMPLES_DIR / "minimal" / "plan.yaml", server.directory / "zz-copy.yaml")
    health = server.get("/healthz").json()
    copy = next(f for f in health["files"] if f["file"] == "zz-copy.yaml")
    assert copy["served"] is False and "same plan id 'minimal'" in copy["errors"][0]
    shutil.rmtree(server.directory / "sakura")
    assert_not_found(server.get(server.url("sakura-northwind.ics", plan="sakura-northwind")))
    # Deeper than one folder down, and hidden files, are not plans.
    (server.directory / "a" / "b").mkdir(parents=True)
    shutil.copy(SAMPLES_DIR / "minimal" / "plan.yaml", server.directory / "a" / "b" / "plan.yaml")
    shutil.copy(SAMPLES_DIR / "minimal" / "plan.yaml", server.directory / ".hidden.yaml")
    names = [f["file"] for f in server.get("/healthz").json()["files"]]
    assert "a/b/plan.yaml" not in names and ".hidden.yaml" not in names
    # A broken plan is reported, never fatal; a file that is not a plan (no top-level mapgen:) is ignored.
    (server.directory / "garbage.yaml").write_bytes(b"mapgen: 1\n\xff\xfe\x00\x01 not yaml: [")
    (server.directory / "list.json").write_text("[1, 2]")
    files = {f["file"]: f for f in server.get("/healthz").json()["files"]}
    assert files["garbage.yaml"]["ok"] is False and "list.json" not in files
    assert server.get(server.url(f"{PLAN}.ics")).status_code == 200


def test_health_reveals_no_tokens_or_plan_content(server: Server) -> None:
    server.get(server.url(f"{PLAN}.ics"))
    response = server.get("/healthz")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    secret = server.secret.decode()
    assert secret not in text
    for plan in ("minimal", PLAN):
        assert make_token(server.secret, plan) not in text
        assert make_token(server.secret, plan, audience=INTERNAL) not in text
    for leak in ("forecast", "probability", "discount", "Jane", str(server.directory)):
        assert leak not in text
    document = response.json()
    assert set(document) == {"status", "plans", "errors", "secret", "server", "files"}
    assert document["plans"] == 2


def test_robots_and_methods(server: Server) -> None:
    robots = server.get("/robots.txt")
    assert robots.status_code == 200 and robots.text == "User-agent: *\nDisallow: /\n"
    response = server.client.post(server.url(f"{PLAN}.ics"))
    assert response.status_code == 405


def test_access_log_redacts_tokens(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    token = make_token(server.secret, PLAN)
    with caplog.at_level(logging.INFO, logger="mapgen.serve.access"):
        server.get(f"/p/{token}/{PLAN}.ics")
    lines = [r.getMessage() for r in caplog.records if r.name == "mapgen.serve.access"]
    assert lines and token not in "\n".join(lines)
    assert f"/p/{token[:4]}…/{PLAN}.ics" in lines[-1] and " 200 " in lines[-1]
    assert redact("/healthz") == "/healthz"


def test_link_to_the_plan_page_needs_a_base_url(plans_dir: Path) -> None:
    plain = make_server(plans_dir)
    assert "Open the full plan" not in plain.get(plain.url(f"{PLAN}.ics")).text
    linked = make_server(plans_dir, base_url="https://plans.example.com")
    text = linked.get(linked.url(f"{PLAN}.ics")).text.replace("\r\n ", "")
    if "html" in format_names():
        assert f"Open the full plan: https://plans.example.com{linked.url(f'{PLAN}.html')}" in text
    else:
        assert "Open the full plan" not in text


# ---------------------------------------------------------------------------- the secret


def test_secret_file_is_created_private(tmp_path: Path) -> None:
    old = os.umask(0)  # even with a permissive umask: the mode is given to os.open, not set later
    try:
        path = tmp_path / "deep" / "secret"
        first = load_or_create_secret(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64 and load_or_create_secret(path) == first
    assert not list(path.parent.glob("*.tmp"))


def test_server_creates_the_default_secret(plans_dir: Path) -> None:
    assert not (plans_dir / ".mapgen-secret").exists()
    make_server(plans_dir)
    assert stat.S_IMODE((plans_dir / ".mapgen-secret").stat().st_mode) == 0o600


def test_replacing_the_secret_revokes_every_url(server: Server) -> None:
    old_urls = [server.url(f"{PLAN}.ics"), server.url(f"{PLAN}.jane.ics", feed_scope("jane"))]
    assert all(server.get(u).status_code == 200 for u in old_urls)
    secret_path = server.directory / ".mapgen-secret"
    replacement = secret_path.with_name("new-secret")
    replacement.write_text(os.urandom(32).hex() + "\n")
    os.replace(replacement, secret_path)
    for url in old_urls:
        assert_not_found(server.get(url))
    assert server.get(server.url(f"{PLAN}.ics")).status_code == 200  # new token, new secret


def test_a_bad_secret_serves_nothing(server: Server) -> None:
    url = server.url(f"{PLAN}.ics")
    (server.directory / ".mapgen-secret").write_text("short\n")
    assert_not_found(server.get(url))
    health = server.get("/healthz").json()
    assert health["status"] == "degraded" and "fewer than 32" in health["server"][0]
    with pytest.raises(UsageError):
        read_secret(server.directory / ".mapgen-secret")


# ---------------------------------------------------------------------------- commands


def run_mapgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mapgen", *args], capture_output=True, text=True, timeout=120
    )


def test_feeds_prints_https_and_webcal_urls(plans_dir: Path) -> None:
    result = run_mapgen("feeds", str(plans_dir), "--base-url", "https://plans.example.com/")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((plans_dir / ".mapgen-secret").stat().st_mode) == 0o600
    secret = read_secret(plans_dir / ".mapgen-secret")
    rows = [line.split("\t")[:3] for line in result.stdout.splitlines()]
    names = [r[0] for r in rows]
    assert names[:3] == ["minimal.ics", "minimal.buyer.ics", "minimal.seller.ics"]
    assert "northwind-acme.jane.ics" in names and len(names) == 5 + 13
    for name, https, webcal in rows:
        assert https.startswith("https://plans.example.com/p/") and https.endswith("/" + name)
        assert webcal == "webcal://" + https.removeprefix("https://")
    jane = dict((r[0], r[1]) for r in rows)["northwind-acme.jane.ics"]
    assert (
        jane == f"https://plans.example.com/p/{make_token(secret, PLAN, feed_scope('jane'))}/{PLAN}.jane.ics"
    )
    assert "note:" not in result.stderr
    # Every printed URL works against the server.
    app = create_app(ServeConfig(plans_dir, rescan_seconds=0))
    client = TestClient(app)
    for _, https, _ in rows:
        assert client.get(https.removeprefix("https://plans.example.com")).status_code == 200


def test_feeds_as_csv_and_json_for_mail_merge(plans_dir: Path) -> None:
    import csv
    import io

    base = "https://plans.example.com"
    as_json = run_mapgen("feeds", str(plans_dir), "--base-url", base, "--format", "json")
    as_csv = run_mapgen("feeds", str(plans_dir), "--base-url", base, "--format", "csv")
    as_text = run_mapgen("feeds", str(plans_dir), "--base-url", base)
    assert as_json.returncode == as_csv.returncode == as_text.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert list(csv.DictReader(io.StringIO(as_csv.stdout))) == rows
    assert [line.split("\t") for line in as_text.stdout.splitlines()] == [
        [r["file"], r["url"], r["webcal"], r["landing"], r["name"], r["email"], r["side"], r["role"]]
        for r in rows
    ]
    secret = read_secret(plans_dir / ".mapgen-secret")
    by_feed = {(r["plan"], r["feed"]): r for r in rows}
    jane = by_feed[(PLAN, "jane")]
    assert (jane["name"], jane["email"], jane["side"], jane["role"]) == (
        "Jane Doe",
        "jane@acme.example",
        "buyer",
        "champion",
    )
    assert jane["landing"] == f"{base}/p/{make_token(secret, PLAN, feed_scope('jane'))}/"
    assert jane["webcal"] == "webcal://" + jane["url"].removeprefix("https://")
    plan_row = by_feed[(PLAN, "plan")]
    assert plan_row["landing"] == f"{base}/p/{make_token(secret, PLAN)}/" and plan_row["email"] == ""
    assert by_feed[(PLAN, "seller")]["name"] == "Northwind Analytics"
    # Every URL opens on the server, landing pages included.
    client = TestClient(create_app(ServeConfig(plans_dir, rescan_seconds=0)))
    for row in rows:
        for key in ("url", "landing"):
            assert client.get(row[key].removeprefix(base)).status_code == 200, (row["feed"], key)
    both = run_mapgen("feeds", str(plans_dir), "--format", "csv", "--documents")
    assert both.returncode == 2 and "--documents" in both.stderr


def test_feeds_options_and_errors(plans_dir: Path) -> None:
    internal = run_mapgen("feeds", str(plans_dir), "--internal", "--documents")
    assert internal.returncode == 0
    secret = read_secret(plans_dir / ".mapgen-secret")
    assert f"/p/{make_token(secret, PLAN, audience=INTERNAL)}/{PLAN}.jane.ics" in internal.stdout
    assert (
        f"{PLAN}.json\thttp://127.0.0.1:8000/p/{make_token(secret, PLAN, audience=INTERNAL)}/"
        in internal.stdout
    )
    assert "https URL" in internal.stderr  # http base: a note that Google needs https
    (plans_dir / "broken.yaml").write_text("mapgen: 1\nid: broken\n")
    broken = run_mapgen("feeds", str(plans_dir))
    assert broken.returncode == 2 and "broken.yaml" in broken.stderr and "Traceback" not in broken.stderr
    assert "northwind-acme.ics" in broken.stdout  # the valid plans are still listed
    bad_url = run_mapgen("feeds", str(plans_dir), "--base-url", "ftp://x")
    assert bad_url.returncode == 2 and "--base-url" in bad_url.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(plans_dir: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mapgen", "serve", str(plans_dir), "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {process.communicate()[1]}")
            time.sleep(0.1)
        yield base, process, plans_dir
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def live_server(plans_dir: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    yield from start_server(plans_dir)


def test_real_server_on_loopback(live_server: tuple[str, subprocess.Popen[str], Path]) -> None:
    base, process, plans_dir = live_server
    secret = read_secret(plans_dir / ".mapgen-secret")
    token = make_token(secret, PLAN, feed_scope("jane"))
    with httpx.Client(base_url=base, timeout=10) as client:
        response = client.get(f"/p/{token}/{PLAN}.jane.ics")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "server" not in response.headers
        assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
        again = client.get(f"/p/{token}/{PLAN}.jane.ics", headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
        assert_not_found(client.get(f"/p/{'A' * 24}/{PLAN}.jane.ics"))
        assert client.get("/healthz").json()["status"] == "ok"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert "Shutting down" in stderr and "Finished server process" in stderr
    assert token not in stderr and secret.decode() not in stderr  # tokens never reach the log
    assert f"/p/{token[:4]}…/{PLAN}.jane.ics" in stderr


def test_serve_rejects_a_bad_secret_file(plans_dir: Path) -> None:
    (plans_dir / ".mapgen-secret").write_text("short\n")
    result = run_mapgen("serve", str(plans_dir), "--port", str(free_port()))
    assert result.returncode == 2 and "fewer than 32" in result.stderr
    missing = run_mapgen("serve", str(plans_dir / "nope"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_real_server_with_two_workers(plans_dir: Path) -> None:
    """Workers share the secret file and render the same bytes, so URLs and ETags agree."""
    for base, process, _ in start_server(plans_dir, "--workers", "2"):
        secret = read_secret(plans_dir / ".mapgen-secret")
        url = f"{base}/p/{make_token(secret, 'minimal')}/minimal.ics"
        with httpx.Client(timeout=10) as client:
            etags = {client.get(url).headers["etag"] for _ in range(6)}
        assert len(etags) == 1
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert stderr.count("Finished server process") == 2


def test_cached_answers_still_see_changes_between_folder_scans(
    plans_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a long rescan interval, repeat requests skip the worker thread, yet a changed plan
    file or secret is seen on the very next request."""
    now = [0.0]
    config = ServeConfig(plans_dir, rescan_seconds=60)
    store = PlanStore(config, clock=lambda: now[0])
    client = TestClient(create_app(config, store))
    lookups: list[str] = []
    original = store.lookup
    monkeypatch.setattr(store, "lookup", lambda token, name: lookups.append(name) or original(token, name))
    secret = read_secret(plans_dir / ".mapgen-secret")
    url = f"/p/{make_token(secret, PLAN, feed_scope('jane'))}/{PLAN}.jane.ics"
    first = client.get(url)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    assert lookups == [f"{PLAN}.jane.ics"]  # only the first request needed the thread
    assert_not_found(client.get(url.replace("jane.ics", "tom.ics")))  # other file: not opened
    plan_file = plans_dir / PLAN / "plan.yaml"
    bump(plan_file, plan_file.read_text(encoding="utf-8").replace("revision: 4", "revision: 7"))
    changed = client.get(url)
    assert "SEQUENCE:7" in changed.text and changed.headers["etag"] != first.headers["etag"]
    (plans_dir / ".mapgen-secret").write_text(os.urandom(32).hex() + "\n")
    assert_not_found(client.get(url))
    # A new plan file appears at the next folder scan.
    shutil.copytree(SAMPLES_DIR / "sakura-northwind", plans_dir / "sakura")
    new_secret = read_secret(plans_dir / ".mapgen-secret")
    sakura = f"/p/{make_token(new_secret, 'sakura-northwind')}/sakura-northwind.ics"
    assert_not_found(client.get(sakura))
    now[0] += 61
    assert client.get(sakura).status_code == 200


def test_documents_render_again_when_the_theme_changes(
    plans_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "html" not in format_names():
        pytest.skip("no html format registered")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    server = make_server(plans_dir, theme=str(theme))
    calls = count_renders(server, monkeypatch)
    page, feed = server.url("minimal.html", plan="minimal"), server.url("minimal.ics", plan="minimal")
    first = server.get(page)
    assert first.status_code == 200 and server.get(feed).status_code == 200
    server.get(page)
    assert calls == ["html", "ics"]
    css = next(p for p in sorted(theme.rglob("*.css")))
    bump(css, css.read_text(encoding="utf-8") + "\n/* changed */\n")
    assert server.get(page).status_code == 200
    server.get(feed)
    assert calls == ["html", "ics", "html"]  # the page again; the feed does not use the theme


def test_the_newest_revision_is_served_when_older_ones_sit_beside_it(server: Server) -> None:
    """plan-r1.yaml sorts before plan.yaml; keeping earlier revisions for --since is normal."""
    older = server.plan_file.parent / "plan-r1.yaml"
    older.write_text(
        server.plan_file.read_text(encoding="utf-8").replace("revision: 4", "revision: 1"), "utf-8"
    )
    health = server.get("/healthz").json()
    assert health["status"] == "ok"
    old_report = next(f for f in health["files"] if f["file"].endswith("plan-r1.yaml"))
    assert old_report["served"] is False and "errors" not in old_report
    assert "SEQUENCE:4" in server.get(server.url(f"{PLAN}.ics")).text


def test_health_details_stay_on_this_machine(server: Server) -> None:
    """Error messages quote the plan, so only loopback clients see the per-file report."""
    from starlette.testclient import TestClient

    remote = TestClient(server.client.app, client=("203.0.113.7", 50000))
    report = remote.get("/healthz").json()
    assert set(report) == {"status", "plans", "errors"}
    assert "files" in server.get("/healthz").json()
