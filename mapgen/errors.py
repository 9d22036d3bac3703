"""Problems found in user input, and the exceptions that carry them to the CLI.

Every user-facing failure is a `Problem` with a file, a line and a field path, so that the CLI can
print one line per problem and exit 2 without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or suspicious) in an input file."""

    message: str
    path: str = ""
    file: str = ""
    line: int | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.path}:" if self.path else ""
        prefix = " warning:" if self.severity is Severity.WARNING else ""
        return f"{where}:{prefix}{field} {self.message}"


class MapgenError(Exception):
    """Base for errors caused by the user's input or options (exit code 2)."""

    exit_code = 2


class InvalidInput(MapgenError):
    """Raised with every problem found in one input, so they are all reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class UsageError(MapgenError):
    """A bad option value or an unknown layout, theme or format name."""


def read_input(path: Path) -> bytes:
    """The bytes of a file the user named; a UsageError (exit 2) saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc})") from None


def did_you_mean(word: str, choices: object) -> str:
    """A ' (did you mean 'x'?)' suffix for a misspelt key or id, or ''."""
    import difflib

    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)  # type: ignore[attr-defined]
    return f" (did you mean '{close[0]}'?)" if close else ""
