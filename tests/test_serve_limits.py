"""`mapgen serve` under hostile clients and faults: escaped log lines, header and idle deadlines,
and a secret that disappears reported as a revocation instead of silently recreated."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.testclient import TestClient

from mapgen.serve.app import create_app
from mapgen.serve.config import ServeConfig
from mapgen.serve.guard import HeaderTimeoutProtocol
from mapgen.serve.logs import EscapingFormatter, loggable
from mapgen.tokens import make_token, read_secret
from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx2")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLES_DIR / "minimal", tmp_path / "minimal")
    return tmp_path


@pytest.fixture
def client(folder: Path) -> TestClient:
    return TestClient(create_app(ServeConfig(folder, rescan_seconds=0)))


def test_request_paths_cannot_forge_log_lines(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mapgen.serve.access"):
        client.get("/p/abcdef%0a127.0.0.1%20%22GET%20/forged%22%20200/x")
        client.get("/x%00y%1b[31m%E2%80%AEz")
    lines = [r.getMessage() for r in caplog.records if r.name == "mapgen.serve.access"]
    assert len(lines) == 2 and all(line.isprintable() for line in lines)
    assert '"GET /p/abcd…/forged\\" 200/x" 404' in lines[0]  # the token cut, the quote escaped
    assert '"GET /x\\x00y\\x1b[31m\\u202ez" 404' in lines[1]


def test_every_mapgen_log_message_is_one_line() -> None:
    record = logging.LogRecord(
        "mapgen.serve", logging.INFO, __file__, 1, "%s: removed", ("evil\nFAKE LINE",), None
    )
    assert EscapingFormatter("%(message)s").format(record) == "evil\\x0aFAKE LINE: removed"
    assert loggable('a "b" \\ c') == 'a \\"b\\" \\\\ c'


def test_a_removed_secret_is_a_revocation_not_recreated(
    folder: Path, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret_file = folder / ".mapgen-secret"
    url = f"/p/{make_token(read_secret(secret_file), 'minimal')}/minimal.ics"
    assert client.get(url).status_code == 200
    secret_file.unlink()
    with caplog.at_level(logging.ERROR, logger="mapgen.serve"):
        assert client.get(url).status_code == 404
        health = client.get("/healthz").json()
    assert not secret_file.exists()
    assert (
        health["status"] == "degraded" and health["secret"] == "missing or unreadable: every URL is revoked"
    )
    assert any("was removed: every URL is revoked" in r.getMessage() for r in caplog.records)
    secret_file.write_text("ab" * 32 + "\n")
    assert client.get(url).status_code == 404
    assert client.get(f"/p/{make_token(read_secret(secret_file), 'minimal')}/minimal.ics").status_code == 200
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["secret"].startswith("replaced 1 time(s)")


class _Quick(HeaderTimeoutProtocol):
    header_timeout = 0.5


@pytest.fixture
def live_server(folder: Path) -> Iterator[int]:
    config = uvicorn.Config(
        create_app(ServeConfig(folder, rescan_seconds=0)),
        host="127.0.0.1",
        port=0,
        http=_Quick,
        timeout_keep_alive=1,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(10)


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


def test_half_sent_headers_and_idle_connections_are_closed(live_server: int) -> None:
    silent = socket.create_connection(("127.0.0.1", live_server))
    partial = socket.create_connection(("127.0.0.1", live_server))
    partial.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    kept = socket.create_connection(("127.0.0.1", live_server))
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    kept.settimeout(10)
    assert kept.recv(4096).startswith(b"HTTP/1.1 200")
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # a second request, never finished
    for sock in (silent, partial, kept):
        assert _closed_within(sock, 10)
        sock.close()
