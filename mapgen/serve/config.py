"""The options of `mapgen serve`, passed as JSON to worker processes through one variable."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from mapgen.errors import UsageError
from mapgen.tokens import default_secret_path

CONFIG_VARIABLE = "MAPGEN_SERVE_CONFIG"
"""Where `mapgen serve --workers N` leaves the options for the workers uvicorn starts."""


@dataclass(frozen=True, slots=True)
class ServeConfig:
    directory: Path
    secret_file: Path | None = None
    """Default: DIR/.mapgen-secret."""
    base_url: str | None = None
    """Public URL of the server; when given, calendar descriptions link to the plan's HTML page."""
    layout: str = "standard"
    theme: str = "default"
    cache: bool = False
    """Use the render cache shared with `mapgen render` (`mapgen serve` turns it on unless --no-cache)."""
    cache_dir: str | None = None
    """Its folder (None: the user's cache folder)."""
    rescan_seconds: float = 2.0
    """How often the folder is listed for new or removed plans (each request still checks the
    file of the plan it asks for, and the secret file)."""

    @property
    def secret_path(self) -> Path:
        return self.secret_file or default_secret_path(self.directory)

    def to_json(self) -> str:
        data = asdict(self)
        data["directory"] = str(self.directory)
        data["secret_file"] = str(self.secret_file) if self.secret_file else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> ServeConfig:
        data = json.loads(text)
        data["directory"] = Path(data["directory"])
        data["secret_file"] = Path(data["secret_file"]) if data.get("secret_file") else None
        return cls(**data)

    @classmethod
    def from_environment(cls) -> ServeConfig:
        text = os.environ.get(CONFIG_VARIABLE)
        if not text:
            raise UsageError(f"{CONFIG_VARIABLE} is not set: start the server with `mapgen serve DIR`")
        return cls.from_json(text)


def normalise_base_url(url: str) -> str:
    """An http(s) base URL without a trailing slash; a UsageError otherwise."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"--base-url must be an http(s) URL such as https://plans.example.com, got {url!r}")
    return url.rstrip("/")
