"""`mapgen sign`: fill one signature field of a plan PDF with a PAdES signature (pyHanko).

The signature is appended as an incremental update: the bytes earlier signatures cover stay as
they are, and the remaining empty fields stay signable (mapgen.pdf_finish builds the fields so
that filling one is form filling for pyHanko's modification analysis). The key comes from a
PKCS#12 file; its passphrase from the caller (an environment variable or a prompt, never the
command line). Only `mapgen sign` imports this module (and with it pyHanko).
"""

from __future__ import annotations

import io

from mapgen.errors import UsageError
from mapgen.pdf_finish import SIGNATURE_PREFIX
from mapgen.resources import builtin_dir


def field_name(requested: str, available: list[str]) -> str:
    """The field for `--field`: a stakeholder id (`jane`) or a full field name (`signature-jane`)."""
    for name in (f"{SIGNATURE_PREFIX}{requested}", requested):
        if name in available:
            return name
    known = ", ".join(n.removeprefix(SIGNATURE_PREFIX) for n in available) or "none"
    raise UsageError(f"no signature field '{requested}' in the PDF; its fields: {known}")


def sign_pdf(data: bytes, field: str, p12: bytes, passphrase: bytes | None) -> bytes:
    """`data` with `field` signed by the key and certificate in `p12`, as an incremental update."""
    import logging

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfError, ValueError, OSError) as exc:
        raise UsageError(f"not a readable PDF ({exc})") from None
    states = {name: value is not None for name, value, _ in fields.enumerate_sig_fields(writer.prev)}
    name = field_name(field, sorted(states))
    if states[name]:
        unsigned = ", ".join(n.removeprefix(SIGNATURE_PREFIX) for n, done in states.items() if not done)
        raise UsageError(f"'{name}' is already signed; unsigned fields: {unsigned or 'none'}")
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=passphrase)
    except ValueError:
        raise UsageError("cannot open the PKCS#12 file: wrong passphrase or not a PKCS#12 file") from None
    meta = signers.PdfSignatureMetadata(
        field_name=name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    output = signers.PdfSigner(meta, signer=signer, stamp_style=_stamp_style()).sign_pdf(writer)
    return output.getvalue()  # type: ignore[no-any-return]


def _stamp_style():  # type: ignore[no-untyped-def]
    """pyHanko's default visible stamp, set in an embedded font.

    The default draws with the standard Courier font, which is not embedded, so a signed PDF/A file
    would no longer conform. The built-in executive theme's Noto Sans embeds as a subset; Inter is
    avoided because pyHanko spaces the glyphs of a font whose em is not 1,000 units wrongly.
    """
    from dataclasses import replace

    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign.signers.constants import DEFAULT_SIGNING_STAMP_STYLE

    font = builtin_dir("themes") / "executive" / "fonts" / STAMP_FONT
    return replace(
        DEFAULT_SIGNING_STAMP_STYLE, text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font)))
    )


STAMP_FONT = "NotoSans-Regular.ttf"
