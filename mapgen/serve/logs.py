"""Log lines that say only what they say: every logged value escaped.

A request path is the client's text: `%0a` used to write a forged line into the access log, `%00` a
NUL byte. Paths, methods, file names and error messages are written with control, bidi and other
non-printable characters (and `"` and `\\`) as escapes, so one event is always one line.
"""

from __future__ import annotations

import logging


def loggable(value: object, *, quotes: bool = True) -> str:
    """`value` as text with every non-printable character escaped (`\\n` -> `\\x0a`), and with
    `quotes`, `"` and `\\` too (for values quoted in a log line)."""
    text = str(value)
    special = '"\\' if quotes else ""
    if text.isprintable() and not any(ch in text for ch in special):
        return text
    out = []
    for ch in text:
        if ch in special:
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            out.append(
                f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
            )
    return "".join(out)


class EscapingFormatter(logging.Formatter):
    """mapgen's log format, with the message escaped (a traceback, when shown, keeps its lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = loggable(record.message, quotes=False)
        return super().formatMessage(record)
