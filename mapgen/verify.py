"""`mapgen verify`: who signed which revision of a returned PDF, and whether it changed since.

pyHanko reads and validates every signature field. A field counts as signed and intact only when
its signature is cryptographically intact and nothing after it goes beyond filling other fields
(pyHanko's modification analysis at FORM_FILLING or better). Trust is a separate question: a
certificate is trusted only when it chains to a root given with `--trust` (or the system store when
asked), so a self-signed signature is reported as intact but untrusted, never as valid.

The plan id, revision, fingerprint and audience come from the document information mapgen writes
(mapgen.pdf_finish.PLAN_KEYS), read from the revision the first signature covers when there is one.
Only `mapgen verify` imports this module (and with it pyHanko).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapgen.errors import UsageError, read_input
from mapgen.pdf_finish import PLAN_KEYS, SIGNATURE_PREFIX

if TYPE_CHECKING:
    from mapgen.spec import Plan

MAX_PDF_BYTES = 200 * 1024 * 1024
"""Larger files are refused before pyHanko parses them."""


class Outcome(IntEnum):
    """The verdict on the whole file; its value is the exit code of `mapgen verify`."""

    COMPLETE = 0
    """Every signatory's field is signed, intact and not modified beyond form filling since."""
    TAMPERED = 2
    """A signature is broken, the file changed after signing, or it is not a mapgen plan PDF."""
    INCOMPLETE = 3
    """Nothing is broken, but at least one signatory has not signed yet."""


@dataclass(frozen=True, slots=True)
class FieldReport:
    """One signature field: signed or not, by whom, when, and what became of it since."""

    field: str
    signatory: str | None
    """The stakeholder id the field belongs to (`signature-<id>`), or None for a foreign field."""
    signed: bool
    signer_name: str | None = None
    signer_subject: str | None = None
    signing_time: str | None = None
    """ISO 8601 in UTC: from a trusted timestamp token if there is one, else the signer's clock."""
    time_source: str | None = None
    intact: bool | None = None
    """The signed bytes are unchanged and the signature matches the signer's certificate."""
    trusted: bool | None = None
    """The certificate chains to a root given with --trust (or the system store)."""
    self_signed: bool | None = None
    modification: str | None = None
    """pyHanko's modification level since this signature: none, form_filling, annotations, other."""
    modified_after_signing: bool | None = None
    """True when later changes go beyond filling other form fields (what readers call 'changed')."""
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanMatch:
    """How the PDF's plan revision compares with a plan file (`--plan`)."""

    plan_file: str
    plan: str
    revision: int
    fingerprint: str
    same_plan: bool
    current: bool
    """The PDF shows exactly this plan file's content (same fingerprint for its audience)."""
    note: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything `mapgen verify` found in one file."""

    file: str
    outcome: Outcome
    summary: str
    plan: str | None
    revision: int | None
    fingerprint: str | None
    audience: str | None
    fields: tuple[FieldReport, ...]
    problems: tuple[str, ...] = ()
    match: PlanMatch | None = None
    record: tuple[dict[str, Any], ...] = field(default=())
    """Ready-to-paste `signatures:` entries for the plan (only with --plan)."""

    def as_json(self) -> str:
        data = asdict(self)
        data["outcome"] = self.outcome.name.lower()
        data["exit_code"] = int(self.outcome)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def load_trust_roots(paths: Sequence[Path]) -> list[Any]:
    """Certificates (PEM or DER) from `--trust` files; every one a UsageError if unreadable."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    roots = []
    for path in paths:
        try:
            data = path.read_bytes()
            if pem.detect(data):
                roots.extend(
                    asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)
                )
            else:
                certificate = asn1_x509.Certificate.load(data)
                certificate.native  # noqa: B018 - parses now, so a broken file fails here
                roots.append(certificate)
        except (OSError, ValueError, TypeError) as exc:
            raise UsageError(f"{path}: not a readable certificate ({exc})") from None
    return roots


def verify_pdf(
    path: Path,
    trust: Sequence[Any] = (),
    system_trust: bool = False,
    plan: Plan | None = None,
    plan_file: str = "",
) -> Report:
    """Read `path` and report on every signature field; `plan` adds the comparison and the record."""
    data = read_input(path)
    if len(data) > MAX_PDF_BYTES:
        return _unreadable(path, f"larger than {MAX_PDF_BYTES // (1024 * 1024)} MB")
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    try:
        return _verify(path, data, trust, system_trust, plan, plan_file)
    except Exception as exc:  # pyHanko raises many types for malformed files
        if isinstance(exc, UsageError):
            raise
        return _unreadable(path, f"not a readable PDF ({type(exc).__name__}: {exc})")


def _unreadable(path: Path, why: str) -> Report:
    return Report(str(path), Outcome.TAMPERED, why, None, None, None, None, (), (why,))


def _verify(
    path: Path, data: bytes, trust: Sequence[Any], system_trust: bool, plan: Plan | None, plan_file: str
) -> Report:
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko_certvalidator import ValidationContext

    reader = _reader(io.BytesIO(data))
    context = ValidationContext(trust_roots=None if system_trust else list(trust), allow_fetching=False)
    signatures = {sig.field_name: sig for sig in reader.embedded_signatures}
    reports = []
    for name, _value, _ref in enumerate_sig_fields(reader, filled_status=None):
        signature = signatures.get(name)
        signatory = name.removeprefix(SIGNATURE_PREFIX) if name.startswith(SIGNATURE_PREFIX) else None
        if signature is None:
            reports.append(FieldReport(name, signatory, signed=False))
        else:
            reports.append(_field_report(name, signatory, signature, context))

    problems: list[str] = []
    stamp = _stamp(reader, signatures.values(), problems)
    if not stamp.get("plan"):
        problems.append("not a mapgen plan PDF: its document information names no plan")
    if not reports:
        internal = stamp.get("audience") == "internal"
        problems.append(
            "an internal copy, not for signature (signatures go on the buyer's copy)"
            if internal
            else "the PDF has no signature fields"
        )
    for report in reports:
        problems.extend(f"{report.field}: {p}" for p in report.problems)

    revision = _int(stamp.get("revision"))
    match = record = None
    if plan is not None and stamp.get("plan"):
        match = _match(plan, plan_file, stamp, revision)
        if not match.same_plan:
            problems.append(match.note)
        record = _record(plan, reports, revision)

    unsigned = [r for r in reports if not r.signed and r.signatory is not None]
    if problems:
        outcome, summary = Outcome.TAMPERED, "TAMPERED or not a mapgen plan: " + "; ".join(problems)
    elif unsigned:
        outcome = Outcome.INCOMPLETE
        summary = f"INCOMPLETE: {len(reports) - len(unsigned)} of {len(reports)} signed, intact so far"
    else:
        outcome, summary = Outcome.COMPLETE, f"COMPLETE: all {len(reports)} signatures intact"
    return Report(
        file=str(path),
        outcome=outcome,
        summary=summary,
        plan=stamp.get("plan"),
        revision=revision,
        fingerprint=stamp.get("fingerprint"),
        audience=stamp.get("audience"),
        fields=tuple(reports),
        problems=tuple(problems),
        match=match,
        record=tuple(record or ()),
    )


def _reader(stream: io.BytesIO) -> Any:
    """pyHanko's reader, reading each object stream's header once.

    pyHanko re-parses the header of an object stream for every object it takes from it, and
    WeasyPrint puts all of a PDF's objects in one stream: the modification analysis of a tagged
    11-page plan read 2,756 objects that way, 7.9 million header tokens, about 250 s. Here each
    stream's header is parsed once per reader; anything unusual goes to pyHanko's own code.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.pdf_utils.reader import PdfFileReader

    class Reader(PdfFileReader):  # type: ignore[misc]
        _object_streams: dict[int, tuple[Any, bytes, int, dict[int, int]]]

        def _get_object_from_stream(self, idnum: int, stmnum: int, idx: int) -> Any:
            try:
                stream = generic.Reference(stmnum, 0, self).get_object()
                cached = self._object_streams.get(id(stream))
                if cached is None or cached[0] is not stream:
                    data = stream.read_data(DecodePurpose.OBJECT_STREAM)
                    first = int(stream["/First"])
                    tokens = data[:first].split()
                    offsets = {int(tokens[i]): int(tokens[i + 1]) for i in range(0, len(tokens) - 1, 2)}
                    cached = self._object_streams[id(stream)] = (stream, data, first, offsets)
                _, data, first, offsets = cached
                if idnum in offsets:
                    buffer = io.BytesIO(data)
                    buffer.seek(first + offsets[idnum])
                    obj = generic.read_object(buffer, generic.Reference(idnum, 0, self))
                    if not isinstance(obj, generic.StreamObject | generic.IndirectObject):
                        return obj
            except Exception:  # malformed: pyHanko's own reading reports it its way
                pass
            return super()._get_object_from_stream(idnum, stmnum, idx)

    reader = Reader.__new__(Reader)
    reader._object_streams = {}
    reader.__init__(stream, strict=False)
    return reader


def _field_report(name: str, signatory: str | None, signature: Any, context: Any) -> FieldReport:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature

    status = validate_pdf_signature(signature, context)
    cert = status.signing_cert
    subject = cert.subject
    problems = []
    level = status.modification_level
    modified = level is None or level > ModificationLevel.FORM_FILLING or not status.docmdp_ok
    if not status.intact or not status.valid:
        problems.append("the signature does not match the signed bytes (changed after signing)")
    if modified:
        problems.append("the document was changed after this signature beyond filling other fields")
    when, source = _signing_time(status)
    return FieldReport(
        field=name,
        signatory=signatory,
        signed=True,
        signer_name=subject.native.get("common_name") or subject.human_friendly,
        signer_subject=subject.human_friendly,
        signing_time=when,
        time_source=source,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        self_signed=cert.self_signed != "no",
        modification=level.name.lower() if level is not None else None,
        modified_after_signing=modified,
        problems=tuple(problems),
    )


def _signing_time(status: Any) -> tuple[str | None, str | None]:
    token = getattr(status, "timestamp_validity", None)
    if token is not None and token.intact and token.valid:
        return _utc(token.timestamp), "timestamp"
    if status.signer_reported_dt is not None:
        return _utc(status.signer_reported_dt), "signer"
    return None, None


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _stamp(reader: Any, signatures: Any, problems: list[str]) -> dict[str, str]:
    """The plan keys of the document information: from the revision the first signature covers
    (what the signatories saw), checked against the file's latest revision."""
    latest = _info_values(reader.trailer_view)
    signed_revisions = [sig.signed_revision for sig in signatures]
    if not signed_revisions:
        return latest
    original = _info_values(reader.get_historical_resolver(min(signed_revisions)).trailer_view)
    if original != latest:
        problems.append("the plan revision in the document information was changed after signing")
    return original


def _info_values(trailer: Any) -> dict[str, str]:
    info = trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    values = {}
    for key, name in PLAN_KEYS.items():
        value = info.get(f"/{name}")
        if value is not None:
            values[key] = str(value)
    return values


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _match(plan: Plan, plan_file: str, stamp: dict[str, str], revision: int | None) -> PlanMatch:
    from mapgen.audience import Audience, for_audience
    from mapgen.view import fingerprint

    audience = Audience(stamp.get("audience") or "buyer")
    current = fingerprint(for_audience(plan, audience))
    same_plan = stamp.get("plan") == plan.id
    is_current = same_plan and stamp.get("fingerprint") == current
    if not same_plan:
        note = f"the PDF is plan '{stamp.get('plan')}', not '{plan.id}'"
    elif is_current:
        note = f"the PDF shows the plan file's current content (revision {plan.revision})"
    elif revision == plan.revision:
        note = (
            f"the PDF says revision {revision}, like the plan file, but its content differs: "
            "the plan changed without a new revision number"
        )
    elif revision is not None and revision < plan.revision:
        note = f"the PDF shows revision {revision}; the plan file is at revision {plan.revision}"
    else:
        note = f"the PDF shows revision {revision}, newer than the plan file's revision {plan.revision}"
    return PlanMatch(plan_file, plan.id, plan.revision, current, same_plan, is_current, note)


def _record(plan: Plan, reports: Sequence[FieldReport], revision: int | None) -> list[dict[str, Any]]:
    """`signatures:` entries for every intact signature by one of the plan's signatories."""
    if revision is None:
        return []
    entries = []
    for report in reports:
        if (
            report.signed
            and report.intact
            and not report.modified_after_signing
            and report.signatory in plan.signoff
            and report.signing_time is not None
        ):
            entries.append({"who": report.signatory, "when": report.signing_time, "revision": revision})
    return entries


def record_yaml(record: Sequence[dict[str, Any]]) -> str:
    """The record as YAML to paste into the plan under `signatures:`."""
    lines = ["signatures:"]
    for entry in record:
        lines.append(f"  - who: {entry['who']}")
        lines.append(f"    when: {entry['when']}")
        lines.append(f"    revision: {entry['revision']}")
    return "\n".join(lines) + "\n"


def as_text(report: Report) -> str:
    """The report for a person reading a terminal."""
    lines = [f"{report.file}: {report.summary}"]
    if report.plan:
        lines.append(
            f"plan {report.plan}, revision {report.revision}, fingerprint {report.fingerprint}"
            f" ({report.audience} copy)"
        )
    if report.match is not None:
        lines.append(f"against {report.match.plan_file}: {report.match.note}")
    for item in report.fields:
        who = item.signatory or item.field
        if not item.signed:
            lines.append(f"  {who}: not signed")
            continue
        state = "intact" if item.intact and not item.modified_after_signing else "TAMPERED"
        trust = "trusted" if item.trusted else ("untrusted, self-signed" if item.self_signed else "untrusted")
        lines.append(
            f"  {who}: signed by {item.signer_name} on {item.signing_time} ({item.time_source} time)"
        )
        lines.append(f"      {state}; certificate {trust}; changes since: {item.modification}")
        lines.append(f"      subject: {item.signer_subject}")
        lines.extend(f"      problem: {p}" for p in item.problems)
    if report.record:
        lines.append("")
        lines.append("# Paste into the plan:")
        lines.append(record_yaml(report.record).rstrip("\n"))
    return "\n".join(lines) + "\n"
