"""Last touches on WeasyPrint's in-memory PDF (a pydyf object graph) before it is serialised.

WeasyPrint has no signature fields and tags running headers and footers as orphaned spans. Both
are fixed here, on the object graph, so that the result is written once by WeasyPrint: byte-stable,
tagged, and with the PDF/A metadata WeasyPrint added still describing the file.

Signature fields start as `<input type=checkbox name="signature-<stakeholder id>">` placeholders that WeasyPrint
lays out, tags (a /Form element with an /OBJR) and registers in the AcroForm; they are turned into
empty /FT /Sig fields here. No WeasyPrint import: this module only walks pydyf objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydyf

SIGNATURE_PREFIX = "signature-"
"""Name prefix of the placeholder inputs that become signature fields."""


PLAN_KEYS = {
    "plan": "MapgenPlan",
    "revision": "MapgenRevision",
    "fingerprint": "MapgenFingerprint",
    "audience": "MapgenAudience",
}
"""Document information keys naming the plan revision a PDF shows; `mapgen verify` reads them."""


def finish(document: Any, pdf: pydyf.PDF, stamp: Mapping[str, str] | None = None) -> None:
    """WeasyPrint `finisher`: signature fields, header and footer artifacts, one /AF entry per file,
    and the plan's id, revision, fingerprint and audience in the document information (`stamp`)."""
    make_signature_fields(pdf)
    for key, value in (stamp or {}).items():
        pdf.info[PLAN_KEYS[key]] = pydyf.String(value)
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
    if "StructTreeRoot" in pdf.catalog:
        mark_margin_content_as_artifacts(pdf)


def _field_name(obj: object) -> str | None:
    if not isinstance(obj, pydyf.Dictionary) or obj.get("Subtype") != "/Widget":
        return None
    name = obj.get("T")
    return name.string if isinstance(name, pydyf.String) else None


def _number(reference: object) -> int:
    """The object number of an indirect reference such as b'12 0 R'."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def make_signature_fields(pdf: pydyf.PDF) -> int:
    """Turn every placeholder widget into an empty, signable /Sig field; return how many."""
    count = 0
    signature_fields: set[int] = set()
    for obj in pdf.objects:
        name = _field_name(obj)
        if name is None or not name.startswith(SIGNATURE_PREFIX):
            continue
        assert isinstance(obj, pydyf.Dictionary)
        obj["FT"] = "/Sig"
        for key in ("V", "AS", "MK", "Ff"):
            obj.pop(key, None)
        appearances = obj["AP"]["N"]
        stream = pdf.objects[_number(next(iter(appearances.values())))]
        stream.stream = []
        obj["AP"] = pydyf.Dictionary({"N": stream.reference})
        obj["F"] = 1 << (3 - 1)
        signature_fields.add(obj.number)
        count += 1
    if signature_fields:
        point_form_elements_at_widgets(pdf, signature_fields)
    if count:
        form = pdf.catalog["AcroForm"]
        form.pop("NeedAppearances", None)
        form["SigFlags"] = 1
    return count


def point_form_elements_at_widgets(pdf: pydyf.PDF, widgets: set[int]) -> None:
    """Give each signature widget's /Form structure element its OBJR as /K itself, not in an array.

    Signing a field replaces the widget. pyHanko's modification analysis accepts that for a widget
    the structure tree reaches as `StructTreeRoot.K ... .K.Obj` and nowhere else; WeasyPrint writes
    `.K[0].Obj`, which makes every later signature an unexplained change to earlier ones
    (ModificationLevel.OTHER: "the document was changed after it was signed").
    """
    objrs = {
        obj.reference: obj
        for obj in pdf.objects
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/OBJR" and _number(obj["Obj"]) in widgets
    }
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/Form":
            continue
        kids = obj.get("K")
        if isinstance(kids, pydyf.Array) and len(kids) == 1 and kids[0] in objrs:
            obj["K"] = kids[0]


def mark_margin_content_as_artifacts(pdf: pydyf.PDF) -> None:
    """Re-mark the text of page-margin boxes (running header and footer) as pagination artifacts.

    WeasyPrint gives that text marked-content ids whose structure elements are never linked into
    the tree; screen readers would still meet them. Here they become `/Artifact` sequences and
    their parent-tree entries are cleared.
    """
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    reachable: set[int] = set()
    pending = [_number(ref) for ref in root["K"]]
    while pending:
        number = pending.pop()
        if number in reachable:
            continue
        reachable.add(number)
        kids = pdf.objects[number].get("K", ())
        pending.extend(_number(k) for k in kids if isinstance(k, bytes))

    parent_tree = pdf.objects[_number(root["ParentTree"])]
    nums = parent_tree["Nums"]
    for page_index, page_reference in enumerate(pdf.page_references):
        mapping = nums[2 * page_index + 1]
        orphans = {
            mcid
            for mcid, ref in enumerate(mapping)
            if isinstance(ref, bytes) and _number(ref) not in reachable
        }
        if not orphans:
            continue
        page = pdf.objects[_number(page_reference)]
        stream = pdf.objects[_number(page["Contents"])]
        ops = stream.stream
        for i in range(1, len(ops) - 1):
            item = ops[i]
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in orphans and ops[i + 1] == b"BDC":
                ops[i - 1] = "/Artifact"
                ops[i] = pydyf.Dictionary({"Type": "/Pagination"})
        for mcid in orphans:
            mapping[mcid] = "null"
