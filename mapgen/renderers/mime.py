"""Standard MIME messages with deterministic bytes, for the `eml` and `digest` formats.

Python's `email` package picks random multipart boundaries and callers usually stamp the current
time; here every boundary, the Message-ID and the Date derive from the message itself, so the same
plan gives the same `.eml` bytes on every machine. Lines end in CRLF (the wire format mail clients
and `mapgen send` expect). `X-Unsent: 1` makes Outlook open the file as a draft to send; `mapgen send`
removes it before delivery.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from mapgen.renderers.base import Artifact

if TYPE_CHECKING:
    from mapgen.view import StakeholderView

MESSAGE_MEDIA_TYPE = "message/rfc822"
MESSAGE_HOUR = time(9, 0)
"""A message dated by a plan's day is dated 09:00 in the plan's zone (no clock is read)."""


@dataclass(frozen=True, slots=True)
class Mailbox:
    name: str
    address: str

    def header(self) -> str:
        return formataddr((self.name, self.address), charset="utf-8")


@dataclass(frozen=True, slots=True)
class Draft:
    """Everything a message says; `to_bytes` turns it into the same bytes every time."""

    subject: str
    sender: Mailbox | None
    to: tuple[Mailbox, ...]
    text: str
    html: str
    day: date
    timezone: str
    key: str
    """What makes this message unique (plan, revision, recipient...): seeds the Message-ID."""
    language: str
    attachments: tuple[Artifact, ...] = ()

    def to_bytes(self) -> bytes:
        seed = hashlib.sha256(
            "\0".join((self.key, self.subject, self.text, self.html)).encode()
            + b"".join(hashlib.sha256(a.data).digest() for a in self.attachments)
        ).hexdigest()
        message = EmailMessage(policy=SMTP)
        if self.sender is not None:
            message["From"] = self.sender.header()
        if self.to:
            message["To"] = ", ".join(m.header() for m in self.to)
        message["Subject"] = self.subject
        message["Date"] = format_datetime(datetime.combine(self.day, MESSAGE_HOUR, ZoneInfo(self.timezone)))
        message["Message-ID"] = f"<{seed[:32]}.{self.key}@mapgen.invalid>"
        message["X-Unsent"] = "1"
        message["X-Mailer"] = "mapgen"
        message.set_content(self.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        message.add_alternative(self.html, subtype="html", charset="utf-8", cte="quoted-printable")
        for artifact in self.attachments:
            media_type, *parameters = (p.strip() for p in artifact.media_type.split(";"))
            maintype, subtype = media_type.split("/", 1)
            message.add_attachment(
                artifact.data,
                maintype=maintype,
                subtype=subtype,
                filename=artifact.name,
                params=dict(p.split("=", 1) for p in parameters if "=" in p),
            )
        for index, part in enumerate(message.walk()):
            if part is not message:
                del part["MIME-Version"]  # the email package repeats it on parts it moves
            if part.is_multipart():
                part.set_boundary(f"=_mapgen_{seed[:24]}_{index}")
        message["Content-Language"] = self.language
        return message.as_bytes(policy=SMTP)


def mailbox(person: StakeholderView | None) -> Mailbox | None:
    """The person's mailbox, or None without a person or an email address."""
    return Mailbox(person.name, person.email) if person is not None and person.email else None


def mailboxes(people: Sequence[StakeholderView]) -> tuple[Mailbox, ...]:
    """Mailboxes of the people who have an email address, in order."""
    return tuple(Mailbox(p.name, p.email) for p in people if p.email)
