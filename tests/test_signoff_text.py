"""One sign-off text (mapgen.i18n.SIGNOFF_TEXT) in the PDF, the HTML page and the DOCX, in every
shipped language; no sign-off without signatories; internal copies marked and never signable."""

from __future__ import annotations

import io
import re
import shutil
from functools import cache
from pathlib import Path

import pypdf
import pytest
import yaml
from docx import Document

from mapgen.audience import Audience
from mapgen.i18n import SIGNOFF_TEXT, localizer
from mapgen.load import load_plan
from mapgen.markdown import to_plain
from mapgen.view import build_view
from tests.conftest import ROOT, render_sample

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
JAPANESE = ROOT / "samples" / "sakura-northwind" / "plan.yaml"


def squeezed(text: str) -> str:
    """Text without whitespace or soft hyphens, so wrapped lines still match."""
    return re.sub(r"[\s\u00ad]+", "", text)


@cache
def rendered(plan: Path, audience: Audience = Audience.BUYER) -> dict[str, bytes]:
    artifacts = render_sample(plan, ["pdf", "html", "docx"], audience=audience)
    return {name.rsplit(".", 1)[1]: artifact.data for name, artifact in artifacts.items()}


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def html_text(data: bytes) -> str:
    return to_plain(re.sub(r"<[^>]+>", " ", data.decode()))


def expected(plan: Path, audience: Audience = Audience.BUYER) -> tuple[str, ...]:
    view = build_view(load_plan(plan).plan, audience)
    return localizer(view.plan.locale, view.plan.timezone).signoff_text(view)


def enterprise_with(tmp_path: Path, **changes: object) -> Path:
    """A copy of the enterprise sample (logos included) with top-level fields replaced."""
    shutil.copytree(ENTERPRISE.parent, tmp_path / "plan")
    path = tmp_path / "plan" / "plan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("plan", [ENTERPRISE, JAPANESE], ids=["en", "ja"])
def test_pdf_html_and_docx_print_the_same_signoff_text(plan: Path) -> None:
    paragraphs = expected(plan)
    assert len(paragraphs) == len(SIGNOFF_TEXT)
    out = rendered(plan)
    texts = {
        "pdf": squeezed("".join(pdf_text(out["pdf"]))),
        "html": squeezed(html_text(out["html"])),
        "docx": squeezed(docx_text(out["docx"])),
    }
    for fmt, text in texts.items():
        missing = [p for p in paragraphs if squeezed(p) not in text]
        assert missing == [], fmt


def test_german_signoff_text_is_translated_and_complete(tmp_path: Path) -> None:
    plan = enterprise_with(tmp_path, locale="de-DE")
    paragraphs = expected(plan)
    assert "kein Vertrag" in paragraphs[1]
    docx = squeezed(docx_text(render_sample(plan, ["docx"])["northwind-acme.docx"].data))
    assert all(squeezed(p) in docx for p in paragraphs)


def test_signoff_text_names_revision_fingerprint_and_the_working_plan() -> None:
    view = build_view(load_plan(ENTERPRISE).plan)
    first, working, later = localizer("en-US", "UTC").signoff_text(view)
    assert f"revision {view.plan.revision}" in first and view.short_fingerprint in first
    assert "shared working plan" in working and "does not amend or replace any agreement" in working
    assert "later revision" in later and "signed again" in later
    assert not any("Two printed copies" in p for p in (first, working, later))


def test_plan_without_signatories_has_no_signoff(tmp_path: Path) -> None:
    out = render_sample(enterprise_with(tmp_path, signoff=[]), ["pdf", "html", "docx"])
    reader = pypdf.PdfReader(io.BytesIO(out["northwind-acme.pdf"].data))
    text = "".join(page.extract_text() for page in reader.pages)
    title = localizer("en-US", "UTC").section_title("signoff")
    assert title not in text and "By signing" not in text
    assert not reader.get_fields()
    assert "By signing" not in out["northwind-acme.html"].data.decode()
    assert "By signing" not in docx_text(out["northwind-acme.docx"].data)


def test_internal_copy_is_marked_on_every_page_and_not_signable() -> None:
    out = rendered(ENTERPRISE, Audience.INTERNAL)
    reader = pypdf.PdfReader(io.BytesIO(out["pdf"]))
    assert not reader.get_fields()
    mark = squeezed("Internal copy · not for the buyer")
    pages = [squeezed(t) for t in pdf_text(out["pdf"])]
    assert all(page.count(mark) >= 2 for page in pages), "header and footer mark on every page"
    view = build_view(load_plan(ENTERPRISE).plan, Audience.INTERNAL)
    internal = [a for a in view.actions if a.visibility == "internal"]
    assert internal
    body = squeezed("".join(pages))
    for action in internal:
        assert (
            squeezed(f"Internal {action.title}") in body
            or squeezed(f"InternalMilestone{action.title}") in body
        )


def test_buyer_copy_has_no_internal_mark() -> None:
    out = rendered(ENTERPRISE)
    assert "Internalcopy" not in squeezed("".join(pdf_text(out["pdf"])))
    assert len(pypdf.PdfReader(io.BytesIO(out["pdf"])).get_fields() or {}) == len(
        build_view(load_plan(ENTERPRISE).plan).signatories
    )
