"""Unguessable, revocable URL tokens for published plans and feeds.

Calendar clients cannot log in, so a feed URL is its own credential. Each token is an HMAC-SHA256
of a server secret over the audience, the plan id and the scope (the whole plan, a side or one
stakeholder), so the server needs no token database: it recomputes the tokens of the plans it
serves and looks the request's token up. Replacing the secret file changes every token, which
revokes every URL at once. The internal audience uses a distinct label in the HMAC message, so no
buyer token can ever be turned into an internal one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from mapgen.errors import UsageError

SECRET_FILE_NAME = ".mapgen-secret"
SECRET_BYTES = 32
MIN_SECRET_CHARS = 32
"""A secret written by hand must carry at least 128 bits (32 hex digits)."""
TOKEN_BYTES = 18
"""144 bits of the HMAC: 24 url-safe base64 characters, no padding; far beyond guessing."""
TOKEN_LENGTH = 24
_DOMAIN = b"mapgen-url-token/v1"

BUYER = "buyer"
INTERNAL = "internal"
PLAN_SCOPE = "plan"


def default_secret_path(directory: Path) -> Path:
    return directory / SECRET_FILE_NAME


def read_secret(path: Path) -> bytes:
    """The secret in `path`; a UsageError says what is wrong with the file otherwise."""
    try:
        text = path.read_bytes().strip()
    except FileNotFoundError:
        raise UsageError(f"secret file {path} does not exist") from None
    except OSError as exc:
        raise UsageError(f"cannot read secret file {path}: {exc.strerror or exc}") from None
    if len(text) < MIN_SECRET_CHARS:
        raise UsageError(f"secret file {path} holds fewer than {MIN_SECRET_CHARS} characters")
    return text


def load_or_create_secret(path: Path) -> bytes:
    """Read the secret, creating the file (mode 0600, never readable by others) when it is missing.

    Created atomically: the secret is written to a private temporary file that is then linked to
    its name, so several workers starting together all end up with the same, complete secret.
    """
    if path.exists():
        return read_secret(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder of secret file {path}: {exc.strerror or exc}") from None
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(SECRET_BYTES).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: use theirs
            os.link(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot create secret file {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return read_secret(path)


def secret_is_private(path: Path) -> bool:
    """False when group or others may read the secret (a warning, not an error: some secret
    stores mount files read-only for everyone inside a container)."""
    try:
        return path.stat().st_mode & 0o077 == 0
    except OSError:
        return True


def feed_scope(feed: str) -> str:
    """The scope of one feed: `side:buyer`, `side:seller` or `stakeholder:<id>` (never `plan`)."""
    return f"side:{feed}" if feed in (BUYER, "seller") else f"stakeholder:{feed}"


def make_token(secret: bytes, plan_id: str, scope: str = PLAN_SCOPE, *, audience: str = BUYER) -> str:
    """The URL token for one audience, plan and scope (`plan` or a `feed_scope`)."""
    message = b"\0".join((_DOMAIN, audience.encode(), plan_id.encode(), scope.encode()))
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def looks_like_token(text: str) -> bool:
    return len(text) == TOKEN_LENGTH and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)


@dataclass(frozen=True, slots=True)
class Grant:
    """What one token opens: one plan, one audience, and the whole plan or a single feed."""

    plan_id: str
    audience: str
    feed: str | None
    """None for the whole plan (every format and feed); else `buyer`, `seller` or a stakeholder id."""


def grants_for(secret: bytes, plan_id: str, stakeholders: list[str]) -> dict[str, Grant]:
    """Every token of one plan: the buyer-audience plan, sides and stakeholders, and the internal plan."""
    grants = {make_token(secret, plan_id): Grant(plan_id, BUYER, None)}
    for feed in (BUYER, "seller", *stakeholders):
        grants[make_token(secret, plan_id, feed_scope(feed))] = Grant(plan_id, BUYER, feed)
    grants[make_token(secret, plan_id, audience=INTERNAL)] = Grant(plan_id, INTERNAL, None)
    return grants
