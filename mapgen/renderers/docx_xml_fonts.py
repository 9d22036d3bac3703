"""The DOCX font table and embedded fonts, as raw WordprocessingML (part of the docx_xml layer).

Word and LibreOffice both read fonts embedded in a DOCX: obfuscated TrueType parts related from
word/fontTable.xml, each XOR-ed with a key named in the table (ECMA-376 Part 1, 17.8.1), and used
only when `w:embedTrueTypeFonts` is set. The table also gives each family a fallback (`w:altName`),
its PANOSE class and generic family, which is what Word substitutes by when a font is missing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn

if TYPE_CHECKING:
    from docx.document import Document

FONT_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FACES = ("Regular", "Bold", "Italic", "BoldItalic")
"""Word's four embedding slots, in the schema's order."""


@dataclass(frozen=True, slots=True)
class FontEntry:
    """One family in Word's font table, with its fallback and the TrueType faces to embed."""

    name: str
    fallback: str | None = None
    generic: str = "swiss"
    """Word's generic family: swiss (sans-serif), roman (serif), modern (monospace)."""
    panose: str | None = None
    """Ten PANOSE bytes as 20 hex digits, from the font's OS/2 table."""
    faces: dict[str, bytes] = field(default_factory=dict)
    """Face slot (Regular, Bold, Italic, BoldItalic) -> TrueType data."""


def font_key(data: bytes) -> str:
    """A GUID for the obfuscation key, derived from the font so the output stays reproducible."""
    digest = hashlib.sha256(data).hexdigest().upper()[:32]
    return f"{{{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}}}"


def obfuscate(data: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the key's 16 bytes, read from the GUID's last digit pair backwards."""
    digits = key.strip("{}").replace("-", "")
    secret = bytes.fromhex(digits)[::-1]
    head = bytes(b ^ secret[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def install_fonts(document: Document, entries: list[FontEntry]) -> None:
    """Replace the template's font table with `entries`, embedding their faces."""
    table = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    for rel_id in list(table.rels):
        del table.rels[rel_id]
    rows = []
    number = 0
    for entry in entries:
        embeds = []
        for face in FACES:
            data = entry.faces.get(face)
            if data is None:
                continue
            number += 1
            key = font_key(data)
            part = Part(
                PackURI(f"/word/fonts/font{number}.odttf"),
                OBFUSCATED_FONT,
                obfuscate(data, key),
                document.part.package,
            )
            rel_id = table.relate_to(part, FONT_RELATIONSHIP)
            embeds.append(f'<w:embed{face} r:id="{rel_id}" w:fontKey="{key}"/>')
        alt = f"<w:altName w:val={quoteattr(entry.fallback)}/>" if entry.fallback else ""
        panose = f'<w:panose1 w:val="{entry.panose}"/>' if entry.panose else ""
        pitch = "fixed" if entry.generic == "modern" else "variable"
        rows.append(
            f'<w:font w:name={quoteattr(entry.name)}>{alt}{panose}<w:charset w:val="00"/>'
            f'<w:family w:val="{entry.generic}"/><w:pitch w:val="{pitch}"/>{"".join(embeds)}</w:font>'
        )
    table._blob = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f"<w:fonts {nsdecls('w', 'r')}>{''.join(rows)}</w:fonts>"
    ).encode()
    if number:
        _embed_setting(document)


def _embed_setting(document: Document) -> None:
    """`w:embedTrueTypeFonts` and `w:saveSubsetFonts`, placed where the schema orders them (after zoom)."""
    settings = document.settings.element
    anchor = settings.find(qn("w:zoom"))
    for name in ("w:saveSubsetFonts", "w:embedTrueTypeFonts"):
        flag = OxmlElement(name)
        if anchor is not None:
            anchor.addnext(flag)
        else:
            settings.insert(0, flag)
