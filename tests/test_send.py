"""`mapgen send` against a real SMTP server (aiosmtpd on 127.0.0.1): delivery and what the server
receives, a server that fails temporarily then accepts, a refused recipient, a recipient refused
for a while, retries that give up, credentials from the environment, and never sending twice."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from mapgen.errors import UsageError
from mapgen.load import load_plan
from mapgen.output import write_files
from mapgen.pipeline import RenderRequest, render_plan
from mapgen.renderers.base import RenderOptions
from mapgen.renderers.mime import Draft, Mailbox
from mapgen.send import Mailer, Result, SmtpSettings, collect, prepare
from tests.conftest import ROOT, render_sample, require_tool
from tests.test_serve import free_port

PLAN_FILE = ROOT / "samples" / "northwind-acme" / "plan.yaml"


class Recorder:
    """An SMTP server's behaviour: accepts, refuses some recipients, fails DATA a few times."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.busy: dict[str, int] = {}
        """Recipient -> how many more times RCPT gets a 451."""
        self.data_failures = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if self.busy.get(address, 0) > 0:
            self.busy[address] -= 1
            return "451 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_failures > 0:
            self.data_failures -= 1
            return "451 4.3.0 temporary local problem"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK queued"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mapgen", b"s3cret")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, authenticator=_authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def digests() -> list:  # type: ignore[type-arg]
    return [a for a in render_sample(PLAN_FILE, ["digest"]).values() if a.name.endswith(".eml")]


def environment(port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPGEN_SMTP_")}
    env.update(
        {"MAPGEN_SMTP_HOST": "127.0.0.1", "MAPGEN_SMTP_PORT": str(port), "MAPGEN_SMTP_SECURITY": "none"}
    )
    env.update(extra)
    return env


def run_send(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "mapgen", "send", *args], capture_output=True, text=True, timeout=120, env=env
    )


def draft_file(folder: Path, name: str, *addresses: str) -> Path:
    draft = Draft(
        subject="Plan",
        sender=Mailbox("Sam Whitaker", "sam@northwind.example"),
        to=tuple(Mailbox(a.split("@")[0], a) for a in addresses),
        text="Hello\n",
        html="<p>Hello</p>\n",
        day=date(2027, 1, 12),
        timezone="UTC",
        key=name,
        language="en",
    )
    path = folder / name
    path.write_bytes(draft.to_bytes())
    return path


def test_send_delivers_every_digest_once_without_draft_headers(
    smtp: tuple[Recorder, int],
    digests: list,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    recorder, port = smtp
    write_files(tmp_path, digests)
    shutil.copy(tmp_path / digests[0].name, tmp_path / "again.digest.eml")  # the same message twice
    (tmp_path / "northwind-acme.eml").write_bytes(digests[0].data)  # a draft: only sent with --drafts
    result = run_send(
        environment(port, MAPGEN_SMTP_USER="mapgen", MAPGEN_SMTP_PASSWORD="s3cret"), str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert len(recorder.received) == len(digests)
    for (sender, recipients, content), artifact in zip(
        recorder.received, sorted(digests, key=lambda a: a.name), strict=True
    ):
        original = message_from_bytes(artifact.data, policy=default)
        sent = message_from_bytes(content, policy=default)
        assert sender == "sam.whitaker@northwind.example"
        assert recipients == [original["To"].addresses[0].addr_spec]
        assert "X-Unsent" not in sent and sent["Message-ID"] == original["Message-ID"]
        assert sent["Date"].datetime.date() != date(2027, 1, 12)  # dated when sent, not by the plan
        assert sent.get_body(("plain",)).get_content() == original.get_body(("plain",)).get_content()
    assert f"sent {len(digests)}" in result.stderr and "already sent 1" in result.stderr


def test_wrong_password_is_a_clear_error(smtp: tuple[Recorder, int], digests: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    recorder, port = smtp
    write_files(tmp_path, digests[:1])
    result = run_send(
        environment(port, MAPGEN_SMTP_USER="mapgen", MAPGEN_SMTP_PASSWORD="nope"), str(tmp_path)
    )
    assert (
        result.returncode == 2 and "refused the login" in result.stderr and "Traceback" not in result.stderr
    )
    assert recorder.received == []


def test_temporary_failure_is_retried_then_succeeds(
    smtp: tuple[Recorder, int], digests: list, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    recorder, port = smtp
    recorder.data_failures = 1
    write_files(tmp_path, digests[:1])
    result = run_send(environment(port), str(tmp_path), "--retries", "2")
    assert result.returncode == 0, result.stderr
    assert len(recorder.received) == 1 and "sent 1," in result.stderr


def test_refused_recipient_is_reported_and_the_others_get_it(
    smtp: tuple[Recorder, int], tmp_path: Path
) -> None:
    recorder, port = smtp
    recorder.refuse = {"gone@acme.example"}
    draft_file(tmp_path, "x.digest.eml", "jane@acme.example", "gone@acme.example", "tom@acme.example")
    draft_file(tmp_path, "nobody.digest.eml")  # a person without an email: noted, not a failure
    result = run_send(environment(port), str(tmp_path))
    assert "left out" in result.stderr and "nobody.digest.eml: no recipient" in result.stderr
    assert "without an address 1" in result.stderr
    assert result.returncode == 2
    assert "refused x.digest.eml to gone@acme.example: 550 5.1.1 no such mailbox" in result.stderr
    assert [r for _, r, _ in recorder.received] == [["jane@acme.example", "tom@acme.example"]]
    assert "sent 2, refused 1" in result.stderr


def test_only_the_recipient_that_failed_is_retried(smtp: tuple[Recorder, int], tmp_path: Path) -> None:
    recorder, port = smtp
    recorder.busy = {"tom@acme.example": 2}
    path = draft_file(tmp_path, "x.digest.eml", "jane@acme.example", "tom@acme.example")
    pauses: list[float] = []
    mailer = Mailer(SmtpSettings("127.0.0.1", port, "none"), retries=3, sleep=pauses.append)
    outcomes = mailer.deliver(prepare(path, None))
    again = mailer.deliver(prepare(path, None))  # the same message again in this run: nothing sent
    mailer.close()
    assert [(o.recipient, o.result) for o in outcomes] == [
        ("jane@acme.example", Result.SENT),
        ("tom@acme.example", Result.SENT),
    ]
    assert [r for _, r, _ in recorder.received] == [["jane@acme.example"], ["tom@acme.example"]]
    assert pauses == [2.0, 4.0]
    assert {o.result for o in again} == {Result.DUPLICATE} and len(recorder.received) == 2


def test_retries_are_bounded(smtp: tuple[Recorder, int], tmp_path: Path) -> None:
    recorder, port = smtp
    recorder.data_failures = 100
    path = draft_file(tmp_path, "x.digest.eml", "jane@acme.example")
    pauses: list[float] = []
    mailer = Mailer(SmtpSettings("127.0.0.1", port, "none"), retries=3, sleep=pauses.append)
    [outcome] = mailer.deliver(prepare(path, None))
    mailer.close()
    assert outcome.result is Result.GAVE_UP and outcome.detail.startswith("451")
    assert pauses == [2.0, 4.0, 8.0] and recorder.received == []
    closed = Mailer(SmtpSettings("127.0.0.1", free_port(), "none", timeout=5), retries=1, sleep=pauses.append)
    [refused] = closed.deliver(prepare(path, None))
    assert refused.result is Result.GAVE_UP and refused.detail.startswith("connection")


def test_dry_run_and_settings_errors(digests: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    write_files(tmp_path, digests)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPGEN_SMTP_")}
    dry = run_send(env, str(tmp_path), "--dry-run")
    assert dry.returncode == 0
    assert dry.stdout.count("would send") == len(digests) and "jane@acme.example" in dry.stdout
    missing = run_send(env, str(tmp_path))
    assert (
        missing.returncode == 2 and "MAPGEN_SMTP_HOST" in missing.stderr and "Traceback" not in missing.stderr
    )
    for bad in (
        {"MAPGEN_SMTP_SECURITY": "ssl3"},
        {"MAPGEN_SMTP_PORT": "x"},
        {"MAPGEN_SMTP_USER": "only-user"},
    ):
        with pytest.raises(UsageError):
            SmtpSettings.from_environment({"MAPGEN_SMTP_HOST": "mail.example.com", **bad})
    settings = SmtpSettings.from_environment(
        {"MAPGEN_SMTP_HOST": "mail.example.com", "MAPGEN_SMTP_SECURITY": "tls"}
    )
    assert settings.port == 465 and "password" not in repr(settings)
    assert [p.name for p in collect(tmp_path, drafts=False)] == sorted(a.name for a in digests)
    (tmp_path / "junk.digest.eml").write_bytes(b"\x00 not mail")
    with pytest.raises(UsageError):
        prepare(tmp_path / "junk.digest.eml", None)


def test_last_weeks_digests_are_left_out(smtp: tuple[Recorder, int], tmp_path: Path) -> None:
    recorder, port = smtp
    plan = load_plan(PLAN_FILE)
    week1 = {a.name: a for a in render_plan(plan, RenderRequest(formats=["digest"], as_of=date(2027, 1, 12)))}
    narrow = RenderOptions(digest_days=0)  # a week later, only what is late or blocked
    week2 = {
        a.name: a
        for a in render_plan(plan, RenderRequest(formats=["digest"], as_of=date(2027, 1, 13), options=narrow))
    }
    write_files(tmp_path, [a for a in week1.values() if a.name.endswith(".eml")])
    write_files(tmp_path, [a for a in week2.values() if a.name.endswith(".eml")])
    only_last_week = {a.name for a in week1.values() if a.name.endswith(".eml")} - set(week2)
    assert only_last_week  # someone had something due on Jan 12 and nothing on Jan 13
    result = run_send(environment(port), str(tmp_path))
    assert result.returncode == 0, result.stderr
    sent = {message_from_bytes(c, policy=default)["Message-ID"] for _, _, c in recorder.received}
    expected = {
        message_from_bytes(a.data, policy=default)["Message-ID"]
        for a in week2.values()
        if a.name.endswith(".eml")
    }
    assert sent == expected
    for name in only_last_week:
        assert f"left out {name}: as of 2027-01-12" in result.stderr


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through SSL_CERT_FILE)."""
    import subprocess

    openssl = require_tool("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_implicit_tls(
    certificate: tuple[Path, Path], digests: list, tmp_path: Path, security: str
) -> None:  # type: ignore[type-arg]
    import ssl

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder, port = Recorder(), free_port()
    tls = (
        {"tls_context": context, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": context}
    )
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        # aiosmtpd knows only STARTTLS as TLS; under implicit TLS it would not offer AUTH at all
        auth_require_tls=security == "starttls",
        **tls,
    )
    controller.start()
    try:
        write_files(tmp_path, digests[:1])
        env = environment(
            port, MAPGEN_SMTP_SECURITY=security, MAPGEN_SMTP_USER="mapgen", MAPGEN_SMTP_PASSWORD="s3cret"
        )
        untrusted = run_send(env, str(tmp_path))
        assert untrusted.returncode == 2 and "TLS with the SMTP server failed" in untrusted.stderr
        assert recorder.received == []
        trusted = run_send({**env, "SSL_CERT_FILE": str(cert)}, str(tmp_path))
        assert trusted.returncode == 0, trusted.stderr
        assert len(recorder.received) == 1
    finally:
        controller.stop()


def test_a_person_without_email_is_not_a_failure(smtp: tuple[Recorder, int], tmp_path: Path) -> None:
    recorder, port = smtp
    draft_file(tmp_path, "a.digest.eml", "jane@acme.example")
    draft_file(tmp_path, "b.digest.eml")
    result = run_send(environment(port), str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len(recorder.received) == 1 and "without an address 1" in result.stderr
