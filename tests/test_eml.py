"""The `eml` draft: parsed back with Python's `email` package (structure, addresses, subject, the
email format's text and HTML, the PDF and calendar attached, X-Unsent), deterministic bytes, and
the internal copy addressed to the seller's team only."""

from __future__ import annotations

import io
from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest

from mapgen.audience import Audience
from mapgen.renderers import get_renderer
from mapgen.renderers.base import Artifact, RenderContext
from mapgen.renderers.mime import Draft, Mailbox
from tests.conftest import ROOT, render_sample

PLAN_FILE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
PLAN = "northwind-acme"
INTERNAL_TEXT = ("Move the opportunity to Commit", "Moves to Commit", "liability cap")


def parse(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=default)
    assert isinstance(message, EmailMessage)
    return message


PDF_RENDERS: list[str] = []


@pytest.fixture(scope="module")
def buyer() -> dict[str, Artifact]:
    """pdf, email and ics rendered first, as `mapgen render` does: eml reuses them (counted)."""
    pdf = get_renderer("pdf")
    original = type(pdf).render

    def counted(self: object, ctx: RenderContext) -> list[Artifact]:
        PDF_RENDERS.append(ctx.view.plan.id)
        return original(self, ctx)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(pdf), "render", counted)
        return render_sample(PLAN_FILE, ["pdf", "email", "ics", "eml"])


def test_draft_structure_addresses_and_parts(buyer: dict[str, Artifact]) -> None:
    assert buyer[f"{PLAN}.eml"].media_type == "message/rfc822"
    message = parse(buyer[f"{PLAN}.eml"].data)
    assert not message.defects and all(not part.defects for part in message.walk())
    assert message["X-Unsent"] == "1"
    assert message["Subject"] == "Acme x Northwind: Mutual Action Plan (revision 4)"
    assert message["From"].addresses[0].addr_spec == "sam.whitaker@northwind.example"
    to = [a.addr_spec for a in message["To"].addresses]
    assert to and all(a.endswith("@acme.example") for a in to)  # the buyer's people, nobody else
    assert "Sofía Álvarez" in [a.display_name for a in message["To"].addresses]  # non-ASCII names survive
    assert message["Date"].datetime.date() == date(2027, 1, 12)
    assert message["Message-ID"].endswith(".northwind-acme.r4.buyer@mapgen.invalid>")
    assert message["Content-Language"] == "en-US"
    assert message.get_content_type() == "multipart/mixed"
    alternative, *attachments = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content().replace("\r\n", "\n") == buyer[f"{PLAN}.email.txt"].data.decode()
    assert html.get_content().replace("\r\n", "\n") == buyer[f"{PLAN}.email.html"].data.decode()
    files = {part.get_filename(): part for part in attachments}
    assert set(files) == {f"{PLAN}.pdf", f"{PLAN}.ics"}
    assert files[f"{PLAN}.ics"].get_content_type() == "text/calendar"
    assert files[f"{PLAN}.ics"].get_content().replace("\r\n", "\n") == buyer[
        f"{PLAN}.ics"
    ].data.decode().replace("\r\n", "\n")
    pdf = files[f"{PLAN}.pdf"].get_content()
    assert pdf == buyer[f"{PLAN}.pdf"].data and PDF_RENDERS == [PLAN]  # the run's PDF, rendered once
    assert files[f"{PLAN}.pdf"].get_content_type() == "application/pdf" and pdf.startswith(b"%PDF-")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Acme" in text
    for internal in INTERNAL_TEXT:
        assert internal not in text
        assert internal not in plain.get_content() and internal not in html.get_content()


def test_internal_copy_goes_to_the_sellers_team() -> None:
    artifacts = render_sample(PLAN_FILE, ["eml"], audience=Audience.INTERNAL)
    message = parse(artifacts[f"{PLAN}.eml"].data)
    to = [a.addr_spec for a in message["To"].addresses]
    assert to and all(a.endswith("@northwind.example") for a in to)
    assert message["Subject"].startswith("Internal: ")
    assert message["Message-ID"].endswith(".internal@mapgen.invalid>")


def test_bytes_are_deterministic() -> None:
    first = render_sample(ROOT / "samples" / "minimal" / "plan.yaml", ["eml"])
    second = render_sample(ROOT / "samples" / "minimal" / "plan.yaml", ["eml"])
    assert {n: a.data for n, a in first.items()} == {n: a.data for n, a in second.items()}
    draft = Draft(
        subject="Ünïcode subject",
        sender=None,
        to=(Mailbox("O'Brien, Kevin", "kevin@example.com"),),
        text="text\n",
        html="<p>html</p>\n",
        day=date(2027, 1, 12),
        timezone="Asia/Tokyo",
        key="k",
        language="ja-JP",
        attachments=(
            Artifact("a.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar; charset=utf-8"),
        ),
    )
    data = draft.to_bytes()
    assert data == draft.to_bytes()
    message = parse(data)
    assert message["To"].addresses[0].display_name == "O'Brien, Kevin"
    assert message["Subject"] == "Ünïcode subject" and "From" not in message
    assert message["Date"].datetime.utcoffset().total_seconds() == 9 * 3600
    assert all(line.isascii() for line in data.split(b"\r\n"))  # 7-bit clean on the wire
