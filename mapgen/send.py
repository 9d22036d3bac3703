"""`mapgen send OUT_DIR`: deliver the `.eml` files that `digest` (and `eml`) wrote, over SMTP.

The server and credentials come from environment variables only (never from a plan, which the
buyer may have edited): MAPGEN_SMTP_HOST, MAPGEN_SMTP_PORT, MAPGEN_SMTP_SECURITY (starttls, tls or
none), MAPGEN_SMTP_USER, MAPGEN_SMTP_PASSWORD, MAPGEN_SMTP_FROM. Before delivery a message loses
`X-Unsent` and any `Bcc`, and is dated now (a draft is dated by its plan).

Delivery rules: a temporary failure (a 4xx reply, a dropped connection) is retried with bounded
backoff, for the recipients that did not get the message only; a permanent one (5xx) is reported
per recipient and not retried; within one run a message (by Message-ID) goes to each recipient
at most once, even when two files hold it.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import default as DEFAULT_POLICY
from email.utils import format_datetime, getaddresses, parseaddr
from enum import StrEnum
from pathlib import Path

from mapgen.errors import UsageError

ENV_PREFIX = "MAPGEN_SMTP_"
SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
MAX_BACKOFF_SECONDS = 60.0
DIGEST_SUFFIX = ".digest.eml"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    sender: str | None = None
    """Envelope sender, and From for a message that has none (MAPGEN_SMTP_FROM)."""
    timeout: float = 30.0

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> SmtpSettings:
        """Settings from MAPGEN_SMTP_*; a UsageError names what is missing or wrong."""

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name, "").strip()
            return value or None

        host = get("HOST")
        if host is None:
            raise UsageError(
                f"{ENV_PREFIX}HOST is not set: the SMTP server to send through (see docs/keep-the-plan-alive.md)"
            )
        security = (get("SECURITY") or "starttls").lower()
        if security not in SECURITY_PORTS:
            raise UsageError(f"{ENV_PREFIX}SECURITY must be starttls, tls or none, got {security!r}")
        port_text = get("PORT")
        try:
            port = int(port_text) if port_text else SECURITY_PORTS[security]
        except ValueError:
            raise UsageError(f"{ENV_PREFIX}PORT must be a number, got {port_text!r}") from None
        if not 0 < port < 65536:
            raise UsageError(f"{ENV_PREFIX}PORT must be between 1 and 65535, got {port}")
        user, password = get("USER"), env.get(ENV_PREFIX + "PASSWORD") or None
        if (user is None) != (password is None):
            raise UsageError(f"set both {ENV_PREFIX}USER and {ENV_PREFIX}PASSWORD, or neither")
        return cls(host, port, security, user, password, get("FROM"))


class Result(StrEnum):
    SENT = "sent"
    REFUSED = "refused"
    """Permanent failure (5xx) for this recipient."""
    GAVE_UP = "gave_up"
    """Still failing temporarily after every retry."""
    DUPLICATE = "duplicate"
    """Already sent to this recipient in this run."""


@dataclass(frozen=True, slots=True)
class Outcome:
    recipient: str
    result: Result
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One `.eml` file ready to send."""

    path: Path
    message: EmailMessage
    message_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str


class NoRecipient(UsageError):
    """A digest for someone without an email address in the plan: left out, not a failure."""


def collect(out_dir: Path, *, drafts: bool) -> list[Path]:
    """The digests in `out_dir` (and the plan drafts when asked), by name."""
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not a folder")
    files = sorted(p for p in out_dir.glob("*.eml") if p.is_file() and not p.name.startswith("."))
    return [p for p in files if drafts or p.name.endswith(DIGEST_SUFFIX)]


def stale_digests(paths: list[Path]) -> dict[Path, str]:
    """Digests older than the newest digest of the same plan in the folder, with why.

    A folder rendered into every week keeps last week's digest of a person who has nothing due
    this week; sending it again would nag them about done work. Digests are dated by their
    as-of date, and the plan id starts their file name (`<id>.<person>.digest.eml`).
    """
    from email.parser import BytesHeaderParser

    dated: dict[Path, tuple[str, date]] = {}
    for path in paths:
        if not path.name.endswith(DIGEST_SUFFIX):
            continue
        try:
            with path.open("rb") as handle:
                header = BytesHeaderParser(policy=DEFAULT_POLICY).parse(handle)
            day = header["Date"].datetime.date()
        except (OSError, TypeError, ValueError, AttributeError):
            continue  # unreadable or undated: `prepare` reports it
        dated[path] = (path.name.split(".", 1)[0], day)
    newest: dict[str, date] = {}
    for plan_id, day in dated.values():
        newest[plan_id] = max(day, newest.get(plan_id, day))
    return {
        path: f"as of {day.isoformat()}, older than this folder's digests of {plan_id} ({newest[plan_id].isoformat()})"
        for path, (plan_id, day) in dated.items()
        if day < newest[plan_id]
    }


def prepare(path: Path, settings_sender: str | None, now: Callable[[], float] = time.time) -> Outgoing:
    """Read one file and turn the draft into a message to deliver; a UsageError says why it cannot."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    message = message_from_bytes(data, policy=DEFAULT_POLICY)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise UsageError(f"{path}: not a MIME message")
    recipients = tuple(
        dict.fromkeys(
            address.lower()
            for _, address in getaddresses(
                message.get_all("To", []) + message.get_all("Cc", []) + message.get_all("Bcc", [])
            )
            if "@" in address
        )
    )
    if not recipients:
        raise NoRecipient(f"{path}: no recipient (the person has no email in the plan)")
    from_address = parseaddr(str(message.get("From", "")))[1]
    sender = settings_sender or from_address
    if not sender:
        raise UsageError(f"{path}: no From address: set {ENV_PREFIX}FROM")
    if not message["From"]:
        message["From"] = sender
    for header in ("X-Unsent", "Bcc"):
        del message[header]
    del message["Date"]
    message["Date"] = format_datetime(_local_now(now))
    message_id = str(message.get("Message-ID", "")).strip() or f"<{path.name}>"
    return Outgoing(path, message, message_id, sender, recipients, str(message.get("Subject", "")))


def _local_now(now: Callable[[], float]) -> datetime:
    return datetime.fromtimestamp(now()).astimezone()


class Mailer:
    """One SMTP connection, opened when first needed and reopened after a drop."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        retries: int = 3,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self._smtp: smtplib.SMTP | None = None
        self._delivered: dict[str, set[str]] = {}
        """Message-ID -> recipients that already have it (never send twice in one run)."""

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        context = ssl.create_default_context()
        if s.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=context)
        if s.user is not None and s.password is not None:
            smtp.login(s.user, s.password)
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        self._drop()

    def deliver(self, outgoing: Outgoing) -> list[Outcome]:
        """Send to every recipient that does not have it yet; one outcome per recipient."""
        done = self._delivered.setdefault(outgoing.message_id, set())
        outcomes = [Outcome(r, Result.DUPLICATE) for r in outgoing.recipients if r in done]
        pending = [r for r in outgoing.recipients if r not in done]
        data = outgoing.message.as_bytes(policy=SMTP_POLICY)
        attempt = 0
        last_error: dict[str, str] = {}
        while pending:
            temporary: list[str] = []
            try:
                smtp = self._connect()
                refused = smtp.sendmail(outgoing.sender, pending, data)
            except smtplib.SMTPAuthenticationError as exc:
                self._drop()
                raise UsageError(
                    f"the SMTP server refused the login: {_reply(exc.smtp_code, exc.smtp_error)}"
                ) from None
            except smtplib.SMTPNotSupportedError as exc:
                self._drop()
                raise UsageError(
                    f"the SMTP server does not support it: {exc} (check {ENV_PREFIX}SECURITY)"
                ) from None
            except ssl.SSLError as exc:
                self._drop()
                raise UsageError(f"TLS with the SMTP server failed: {exc}") from None
            except smtplib.SMTPRecipientsRefused as exc:
                refused = exc.recipients
            except smtplib.SMTPResponseException as exc:  # sender refused, data refused, auth...
                detail = _reply(exc.smtp_code, exc.smtp_error)
                if _is_temporary(exc.smtp_code):
                    self._drop()
                    temporary = pending
                    last_error = dict.fromkeys(pending, detail)
                else:
                    self._rset()
                    outcomes += [Outcome(r, Result.REFUSED, detail) for r in pending]
                    pending = []
                    break
                refused = None
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
                self._drop()
                temporary = pending
                last_error = dict.fromkeys(pending, f"connection: {exc}")
                refused = None
            if refused is not None:
                for recipient in pending:
                    if recipient not in refused:
                        done.add(recipient)
                        outcomes.append(Outcome(recipient, Result.SENT))
                for recipient, (code, reply) in refused.items():
                    detail = _reply(code, reply)
                    if _is_temporary(code):
                        temporary.append(recipient)
                        last_error[recipient] = detail
                    else:
                        outcomes.append(Outcome(recipient, Result.REFUSED, detail))
            pending = temporary
            if not pending:
                break
            if attempt >= self.retries:
                outcomes += [Outcome(r, Result.GAVE_UP, last_error.get(r, "")) for r in pending]
                break
            self.sleep(min(MAX_BACKOFF_SECONDS, self.backoff * 2**attempt))
            attempt += 1
        order = {r: i for i, r in enumerate(outgoing.recipients)}
        return sorted(outcomes, key=lambda o: order.get(o.recipient, 0))

    def _rset(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()


def _is_temporary(code: int) -> bool:
    return 400 <= code < 500


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"
