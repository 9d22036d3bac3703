"""`eml` format: `<id>.eml`, a ready-to-send MIME draft of the plan.

Text and HTML alternatives come from the `email` format, the PDF and the plan's calendar file
(`<id>.ics`) are attached, and `X-Unsent: 1` makes Outlook open it as a draft; Apple Mail and
Thunderbird open it as a message to forward or edit. It is addressed to the buyer's people who
have an email (for an internal copy, to the seller's team: an internal draft never goes to the
buyer), from the seller's account executive. Bytes are deterministic (see `mime`).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from mapgen.audience import Audience
from mapgen.i18n import localizer
from mapgen.renderers import get_renderer
from mapgen.renderers.base import Artifact, RenderContext
from mapgen.renderers.mime import MESSAGE_MEDIA_TYPE, Draft, mailbox, mailboxes
from mapgen.view import draft_recipients, plan_sender


def draft_subject(ctx: RenderContext) -> str:
    plan = ctx.view.plan
    l10n = localizer(plan.locale, plan.timezone)
    subject = l10n.gettext("%(title)s (revision %(n)s)") % {"title": plan.title, "n": plan.revision}
    if ctx.view.audience is Audience.INTERNAL:
        subject = l10n.gettext("Internal: %(subject)s") % {"subject": subject}
    return subject


def rendered_files(ctx: RenderContext, fmt: str, name: str, **options: str) -> list[Artifact]:
    """The files of format `fmt` among which is `name`: from this run when that format was
    rendered already (the pipeline renders pdf, email and ics before eml), else rendered now."""
    artifacts = ctx.rendered.get(fmt)
    if artifacts is None or not any(a.name == name for a in artifacts):
        own = dataclasses.replace(ctx, options=dataclasses.replace(ctx.options, **options), rendered={})
        artifacts = get_renderer(fmt).render(own)
    return artifacts


def rendered(ctx: RenderContext, fmt: str, name: str, **options: str) -> Artifact | None:
    """The file `name` of format `fmt` (see rendered_files)."""
    return next((a for a in rendered_files(ctx, fmt, name, **options) if a.name == name), None)


def attachments(ctx: RenderContext) -> tuple[Artifact, ...]:
    """The plan's PDF and its whole-plan calendar file, rendered for the same audience."""
    plan_id = ctx.view.plan.id
    found = (rendered(ctx, "pdf", f"{plan_id}.pdf"), rendered(ctx, "ics", f"{plan_id}.ics", feed="plan"))
    return tuple(a for a in found if a is not None)


class EmlRenderer:
    name: ClassVar[str] = "eml"
    suffix: ClassVar[str] = ".eml"
    media_type: ClassVar[str] = MESSAGE_MEDIA_TYPE
    uses_layout: ClassVar[bool] = True

    def render(self, ctx: RenderContext) -> list[Artifact]:
        view = ctx.view
        plan_id = view.plan.id
        email = {a.name: a for a in rendered_files(ctx, "email", f"{plan_id}.email.html")}
        document_file, text_file = email.get(f"{plan_id}.email.html"), email.get(f"{plan_id}.email.txt")
        if document_file is None or text_file is None:
            raise RuntimeError("the email format wrote no document or text")
        document, text = document_file.data.decode("utf-8"), text_file.data.decode("utf-8")
        sender = plan_sender(view)
        draft = Draft(
            subject=draft_subject(ctx),
            sender=mailbox(sender),
            to=mailboxes(draft_recipients(view)),
            text=text,
            html=document,
            day=view.plan.updated,
            timezone=view.plan.timezone,
            key=f"{view.plan.id}.r{view.plan.revision}.{view.audience.value}",
            language=localizer(view.plan.locale, view.plan.timezone).locale,
            attachments=attachments(ctx),
        )
        return [Artifact(f"{view.plan.id}{self.suffix}", draft.to_bytes(), self.media_type)]


RENDERER = EmlRenderer()
