"""Logo files checked from their bytes, before any decoder (WeasyPrint, python-docx) sees them.

A file that only starts like a PNG or JPEG used to reach the renderers: 300 MB of garbage behind a
PNG signature became a 400 MB HTML page, a broken header an internal error. Here the size is read
from the file system, the pixel dimensions from the header, and the structure walked (PNG chunks
with their checksums and a bounded inflate of the pixel data; JPEG segments up to the scan), so a
logo that passes is one the decoders can read within bounded memory. No image library is needed.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from mapgen.limits import MAX_LOGO_BYTES, MAX_LOGO_SIDE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class BadImage(ValueError):
    """Why an image file is refused."""


def image_problem(path: Path, ref: str) -> str | None:
    """Why the PNG, JPEG or SVG logo at `path` (written `ref` in the plan) is refused, or None."""
    size = path.stat().st_size
    if size > MAX_LOGO_BYTES:
        return f"'{ref}' is {size:,} bytes; a logo may have at most {MAX_LOGO_BYTES:,} (see docs/limits.md)"
    suffix = path.suffix.lower()
    data = path.read_bytes()
    try:
        if suffix == ".png":
            _check_png(data)
        elif suffix in (".jpg", ".jpeg"):
            _check_jpeg(data)
        elif suffix == ".svg":
            from mapgen.svg import sanitise_svg

            sanitise_svg(data)
    except BadImage as exc:
        return f"'{ref}': {exc}"
    return None


def _check_side(width: int, height: int) -> None:
    if not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
        raise BadImage(f"{width} x {height} pixels; a logo may have at most {MAX_LOGO_SIDE} pixels per side")


def _check_png(data: bytes) -> None:
    if not data.startswith(PNG_SIGNATURE):
        raise BadImage("not a PNG file")
    offset, first, pixels, seen_end = len(PNG_SIGNATURE), True, zlib.decompressobj(), False
    expected = inflated = 0
    while offset < len(data):
        if offset + 12 > len(data):
            raise BadImage("a broken PNG file (truncated chunk)")
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        if len(body) != length or offset + 12 + length > len(data):
            raise BadImage("a broken PNG file (truncated chunk)")
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise BadImage("a broken PNG file (checksum mismatch)")
        if first:
            if kind != b"IHDR" or length != 13:
                raise BadImage("a broken PNG file (no header)")
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            _check_side(width, height)
            if colour not in _PNG_CHANNELS or depth not in (1, 2, 4, 8, 16):
                raise BadImage("a broken PNG file (unknown colour type)")
            row = (width * _PNG_CHANNELS[colour] * depth + 7) // 8 + 1
            expected = row * height * 2 + 1024  # interlaced images take a little more
            first = False
        elif kind == b"IDAT":
            try:
                inflated += len(pixels.decompress(body, expected - inflated + 1))
            except zlib.error:
                raise BadImage("a broken PNG file (corrupt pixel data)") from None
            if inflated > expected or pixels.unconsumed_tail:
                raise BadImage("a broken PNG file (more pixel data than its size)")
        elif kind == b"IEND":
            seen_end = True
            break
        offset += 12 + length
    if first or not seen_end or not pixels.eof:
        raise BadImage("a broken PNG file (incomplete)")


def _check_jpeg(data: bytes) -> None:
    if not data.startswith(b"\xff\xd8\xff"):
        raise BadImage("not a JPEG file")
    offset, size = 2, None
    while True:
        if offset + 4 > len(data) or data[offset] != 0xFF:
            raise BadImage("a broken JPEG file (bad segment)")
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if length < 2 or offset + 2 + length > len(data):
            raise BadImage("a broken JPEG file (truncated segment)")
        if marker in _JPEG_SOF:
            if length < 7:
                raise BadImage("a broken JPEG file (short frame header)")
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            size = (width, height)
        if marker == 0xDA:
            break
        if marker == 0xD9:
            raise BadImage("a broken JPEG file (no image data)")
        offset += 2 + length
    if size is None:
        raise BadImage("a broken JPEG file (no frame header)")
    _check_side(*size)
    if b"\xff\xd9" not in data[offset:]:
        raise BadImage("a broken JPEG file (truncated image data)")
