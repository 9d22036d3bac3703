"""`mapgen verify` and `mapgen sign`: the signed-PDF half of the sign-off loop.

Kept apart from mapgen.cli so that pyHanko is imported only by these two commands.

Exit codes of `verify` (mapgen.verify.Outcome): 0 every signatory signed and every signature
intact; 3 nothing broken but not everyone has signed; 2 a signature is broken, the file changed
after signing beyond filling other fields, or the file is not a readable mapgen plan PDF.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mapgen.errors import UsageError, read_input

PASSPHRASE_VARIABLE = "MAPGEN_P12_PASSPHRASE"
"""Environment variable `mapgen sign` reads the PKCS#12 passphrase from before it prompts."""


@click.command()
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path), metavar="SIGNED.pdf")
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The plan file: says whether the PDF is its current revision and prints the record as YAML.",
)
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="CERT",
    help="A root certificate (PEM or DER) to trust signers against (repeatable).",
)
@click.option("--system-trust", is_flag=True, help="Also trust the operating system's root certificates.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(pdf: Path, plan_path: Path | None, trust: tuple[Path, ...], system_trust: bool, fmt: str) -> None:
    """Who signed which revision of a returned plan PDF, and whether it changed since.

    Exit codes: 0 all signatories signed and intact; 3 incomplete (unsigned fields, nothing broken);
    2 tampered, not a mapgen plan PDF, or unreadable.
    """
    from mapgen.verify import as_text, load_trust_roots, verify_pdf

    plan = None
    if plan_path is not None:
        from mapgen.load import load_plan

        plan = load_plan(plan_path).plan
    report = verify_pdf(pdf, load_trust_roots(trust), system_trust, plan, str(plan_path or ""))
    click.echo(report.as_json() if fmt == "json" else as_text(report), nl=False)
    sys.exit(int(report.outcome))


@click.command()
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--field", required=True, metavar="ID", help="The signatory's stakeholder id (or the field name)."
)
@click.option(
    "--p12",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help=f"PKCS#12 file with the key and certificate; passphrase from ${PASSPHRASE_VARIABLE} or a prompt.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: PDF itself).",
)
def sign(pdf: Path, field: str, p12: Path, output: Path | None) -> None:
    """Fill one signature field with a PAdES signature, keeping earlier signatures intact."""
    from mapgen.output import write_files
    from mapgen.renderers.base import Artifact
    from mapgen.sign import sign_pdf

    data = read_input(pdf)
    key = read_input(p12)
    passphrase = os.environ.get(PASSPHRASE_VARIABLE)
    if passphrase is None:
        passphrase = click.prompt(f"Passphrase for {p12}", hide_input=True, default="", show_default=False)
    try:
        signed = sign_pdf(data, field, key, passphrase.encode() if passphrase else None)
    except UsageError as exc:
        raise UsageError(f"{pdf}: {exc}") from None
    target = (output or pdf).resolve()
    write_files(target.parent, [Artifact(target.name, signed, "application/pdf")])
    click.echo(f"signed field '{field}' -> {target}", err=True)
