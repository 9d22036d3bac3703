"""Signing rendered PDFs field by field (pyHanko), `mapgen sign`, and `mapgen verify` on intact,
incomplete, tampered, self-signed and foreign files.

A throwaway certificate authority and signer certificates are made with `cryptography` for the
session; nothing here reads a system trust store or the network.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from mapgen.cli import main
from mapgen.sign import sign_pdf
from mapgen.verify import Outcome, verify_pdf

SAMPLES = Path(__file__).parent.parent / "samples"
PASSPHRASE = b"correct horse"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

PLAN = (
    (SAMPLES / "minimal" / "plan.yaml")
    .read_text(encoding="utf-8")
    .replace(
        "stakeholders:\n",
        "signoff: [jane, sam, lee]\n\nstakeholders:\n  - id: lee\n    name: Lee Park\n    side: buyer\n",
    )
)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Throwaway Test PKI"),
        ]
    )


def _certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signing_key, ca: bool):  # type: ignore[no-untyped-def]
    usage = x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(START)
        .not_valid_after(START + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(signing_key, hashes.SHA256())
    )


@dataclass(frozen=True)
class Pki:
    root_pem: Path
    p12: dict[str, bytes]
    """PKCS#12 files by stakeholder id (`self` is a self-signed certificate)."""

    @property
    def context(self) -> ValidationContext:
        from asn1crypto import pem
        from asn1crypto import x509 as asn1_x509

        _, _, der = pem.unarmor(self.root_pem.read_bytes())
        return ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate("Throwaway Root CA", ca_key, _name("Throwaway Root CA"), ca_key, ca=True)
    root_pem = folder / "root.pem"
    root_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    encryption = serialization.BestAvailableEncryption(PASSPHRASE)
    files = {}
    for who, common_name in (("jane", "Jane Doe"), ("sam", "Sam Whitaker"), ("lee", "Lee Park")):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(common_name, key, ca_cert.subject, ca_key, ca=False)
        files[who] = pkcs12.serialize_key_and_certificates(b"k", key, cert, [ca_cert], encryption)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate("Self Signer", key, _name("Self Signer"), key, ca=False)
    files["self"] = pkcs12.serialize_key_and_certificates(b"k", key, cert, None, encryption)
    return Pki(root_pem, files)


def _render(folder: Path, variant: str | None) -> Path:
    plan = folder / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    args = ["render", str(plan), "-f", "pdf", "-o", str(folder / "out"), "-q"]
    if variant:
        args += ["--pdf-variant", variant]
    _run(args)
    return folder / "out" / "minimal.pdf"


def _run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture(scope="module", params=[None, "pdf/a-3b"], ids=["standard", "pdf-a-3b"])
def signed_in_turn(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pki: Pki):  # type: ignore[no-untyped-def]
    """The plan PDF after each signatory has signed in turn: [unsigned, 1 signed, 2 signed, 3 signed]."""
    folder = tmp_path_factory.mktemp("signed")
    steps = [_render(folder, request.param).read_bytes()]
    for who in ("sam", "jane", "lee"):
        steps.append(sign_pdf(steps[-1], who, pki.p12[who], PASSPHRASE))
    return folder, steps


def _validate_all(data: bytes, pki: Pki) -> list[tuple[str, ModificationLevel, bool, bool]]:
    reader = PdfFileReader(io.BytesIO(data))
    results = []
    for signature in reader.embedded_signatures:
        status = validate_pdf_signature(signature, pki.context)
        results.append((signature.field_name, status.modification_level, status.intact, status.trusted))
    return results


def test_each_field_signs_after_the_others_as_form_filling(signed_in_turn, pki: Pki) -> None:  # type: ignore[no-untyped-def]
    _, steps = signed_in_turn
    for count, data in enumerate(steps[1:], start=1):
        results = _validate_all(data, pki)
        assert len(results) == count
        for field, level, intact, trusted in results:
            assert intact and trusted, field
            assert level <= ModificationLevel.FORM_FILLING, (field, level)


def test_signed_pdf_is_still_tagged_and_keeps_its_fields(signed_in_turn) -> None:  # type: ignore[no-untyped-def]
    _, steps = signed_in_turn
    root = PdfFileReader(io.BytesIO(steps[-1])).root
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    names = sorted(str(field.get_object()["/T"]) for field in root["/AcroForm"]["/Fields"])
    assert names == ["signature-jane", "signature-lee", "signature-sam"]


def test_every_font_of_a_signed_pdf_is_embedded(signed_in_turn) -> None:  # type: ignore[no-untyped-def]
    """The visible stamps too: an unembedded font (pyHanko's default Courier) breaks PDF/A."""
    _, steps = signed_in_turn
    reader = pypdf.PdfReader(io.BytesIO(steps[-1]))
    fonts: dict[str, bool] = {}
    for field in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        appearance = field.get_object()["/AP"]["/N"].get_object()
        _collect_fonts(appearance, fonts, set())
    for page in reader.pages:
        _collect_fonts(page, fonts, set())
    stamp_fonts = [name for name in fonts if "NotoSans" in name]
    assert len(stamp_fonts) >= 1
    assert {name: embedded for name, embedded in fonts.items() if not embedded} == {}


def _collect_fonts(obj: object, fonts: dict[str, bool], seen: set[int]) -> None:
    """Every font dictionary reachable from `obj`, with whether its program is embedded."""
    if isinstance(obj, pypdf.generic.IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, dict):
        if obj.get("/Type") == "/Font" and "/BaseFont" in obj:
            descriptor = obj.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in obj:
                descriptor = obj["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(obj["/BaseFont"])] = fonts.get(str(obj["/BaseFont"]), True) and embedded
        for key, value in obj.items():
            if key not in ("/Parent", "/P"):
                _collect_fonts(value, fonts, seen)
    elif isinstance(obj, list):
        for value in obj:
            _collect_fonts(value, fonts, seen)


def test_verify_reports_complete_intact_trusted_and_the_plan(
    signed_in_turn, pki: Pki, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _, steps = signed_in_turn
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(steps[-1])
    report = verify_pdf(pdf, _roots(pki))
    assert report.outcome is Outcome.COMPLETE
    assert (report.plan, report.revision, report.audience) == ("minimal", 1, "buyer")
    assert report.fingerprint is not None and len(report.fingerprint) == 64
    by_who = {f.signatory: f for f in report.fields}
    assert by_who["jane"].signer_name == "Jane Doe"
    assert "Throwaway Test PKI" in (by_who["jane"].signer_subject or "")
    for item in report.fields:
        assert item.signed and item.intact and item.trusted and not item.modified_after_signing
        assert item.signing_time and item.signing_time.endswith("Z")


def test_verify_without_trust_roots_says_intact_but_untrusted(signed_in_turn, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, steps = signed_in_turn
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(steps[2])
    report = verify_pdf(pdf)
    assert report.outcome is Outcome.INCOMPLETE
    signed = [f for f in report.fields if f.signed]
    assert len(signed) == 2 and all(f.intact and f.trusted is False for f in signed)


def _roots(pki: Pki) -> list:  # type: ignore[type-arg]
    from mapgen.verify import load_trust_roots

    return load_trust_roots([pki.root_pem])


def _append_page(data: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page = PageObject(
        contents=writer.add_object(generic.StreamObject(stream_data=b"")), media_box=[0, 0, 595, 842]
    )
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_text(data: bytes) -> bytes:
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    text = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (Revision 9) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(text))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _flip_byte(data: bytes) -> bytes:
    """One byte of the first revision's page content changed (a digit in the plan's text)."""
    position = data.index(b"stream", len(data) // 3) + 40
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


@pytest.mark.parametrize("tamper", [_flip_byte, _append_page, _add_text], ids=["byte", "page", "text"])
def test_changes_after_signing_are_reported_as_tampered(
    signed_in_turn, pki: Pki, tmp_path: Path, tamper, capsys
) -> None:  # type: ignore[no-untyped-def]
    _, steps = signed_in_turn
    pdf = tmp_path / "tampered.pdf"
    pdf.write_bytes(tamper(steps[2]))
    code = _run(["verify", str(pdf), "--trust", str(pki.root_pem), "--format", "json"])
    assert code == 2
    report = json.loads(capsys.readouterr().out)
    assert report["outcome"] == "tampered"
    assert report["problems"]


def test_verify_exit_codes_and_text(signed_in_turn, pki: Pki, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, steps = signed_in_turn
    pdf = tmp_path / "partly.pdf"
    pdf.write_bytes(steps[1])
    assert _run(["verify", str(pdf), "--trust", str(pki.root_pem)]) == 3
    out = capsys.readouterr().out
    assert "INCOMPLETE" in out and "sam: signed by Sam Whitaker" in out and "jane: not signed" in out
    pdf.write_bytes(steps[-1])
    assert _run(["verify", str(pdf), "--trust", str(pki.root_pem)]) == 0
    assert "certificate trusted" in capsys.readouterr().out
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.7\nnot really\n")
    assert _run(["verify", str(tmp_path / "junk.pdf")]) == 2
    assert "not a readable PDF" in capsys.readouterr().out


def test_verify_with_plan_prints_the_record_and_spots_a_newer_revision(
    signed_in_turn, pki: Pki, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    folder, steps = signed_in_turn
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(steps[2])
    assert _run(["verify", str(pdf), "--plan", str(folder / "plan.yaml")]) == 3
    out = capsys.readouterr().out
    assert "current content (revision 1)" in out
    assert (
        "signatures:\n  - who: " in out and "  - who: sam\n    when: " in out and "    revision: 1\n" in out
    )
    recorded = tmp_path / "recorded.yaml"
    recorded.write_text(PLAN + out.split("# Paste into the plan:\n")[1], encoding="utf-8")
    assert _run(["verify", str(pdf), "--plan", str(recorded)]) == 3
    assert "current content (revision 1)" in capsys.readouterr().out
    newer = tmp_path / "plan-r2.yaml"
    newer.write_text(PLAN.replace("revision: 1", "revision: 2"), encoding="utf-8")
    assert _run(["verify", str(pdf), "--plan", str(newer), "--format", "json"]) == 3
    match = json.loads(capsys.readouterr().out)["match"]
    assert match["current"] is False and "revision 1; the plan file is at revision 2" in match["note"]


def test_self_signed_certificate_is_intact_but_never_trusted(
    signed_in_turn, pki: Pki, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _, steps = signed_in_turn
    pdf = tmp_path / "self.pdf"
    pdf.write_bytes(sign_pdf(steps[0], "jane", pki.p12["self"], PASSPHRASE))
    (item,) = [f for f in verify_pdf(pdf, _roots(pki)).fields if f.signed]
    assert item.intact and item.self_signed and item.trusted is False


def test_sign_command_reads_the_passphrase_from_the_environment(
    signed_in_turn, pki: Pki, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    _, steps = signed_in_turn
    pdf, p12, out = tmp_path / "plan.pdf", tmp_path / "sam.p12", tmp_path / "signed.pdf"
    pdf.write_bytes(steps[0])
    p12.write_bytes(pki.p12["sam"])
    monkeypatch.setenv("MAPGEN_P12_PASSPHRASE", "wrong")
    assert _run(["sign", str(pdf), "--field", "sam", "--p12", str(p12), "-o", str(out)]) == 2
    assert "wrong passphrase" in capsys.readouterr().err and not out.exists()
    monkeypatch.setenv("MAPGEN_P12_PASSPHRASE", PASSPHRASE.decode())
    assert _run(["sign", str(pdf), "--field", "sam", "--p12", str(p12), "-o", str(out)]) == 0
    assert pdf.read_bytes() == steps[0]
    assert out.read_bytes().startswith(steps[0])
    assert _run(["sign", str(out), "--field", "sam", "--p12", str(p12)]) == 2
    assert "already signed; unsigned fields: jane, lee" in capsys.readouterr().err
    assert _run(["sign", str(out), "--field", "nobody", "--p12", str(p12)]) == 2


def test_an_internal_copy_is_not_for_signature(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    _run(["render", str(plan), "-f", "pdf", "--audience", "internal", "-o", str(tmp_path / "out"), "-q"])
    assert _run(["verify", str(tmp_path / "out" / "minimal.pdf")]) == 2
    assert "an internal copy, not for signature" in capsys.readouterr().out
