"""`digest` format: per person, an email of what they must act on (stalled, overdue, blocked, due soon).

Who gets one and what it lists comes from the view (`mapgen.view.digests`); nobody gets an empty
digest. Each digest is written three ways: `<id>.<person>.digest.html` (a full email document,
every style inlined, 600 px tables, like the `email` format), `.digest.txt` (plain text) and
`.digest.eml` (both as one MIME message addressed to the person, for `mapgen send`).
"""

from __future__ import annotations

from typing import ClassVar

from mapgen.i18n import Localizer
from mapgen.presentation import render_template, template_context, tidy_text
from mapgen.renderers.base import Artifact, RenderContext
from mapgen.renderers.email import DOCUMENT, check_link
from mapgen.renderers.mime import MESSAGE_MEDIA_TYPE, Draft, mailbox, mailboxes
from mapgen.view import DigestView, digests, plan_sender


def digest_subject(l10n: Localizer, title: str, digest: DigestView) -> str:
    """`<plan title>: 3 actions need your attention`, in the plan's language."""
    need = l10n.ngettext(
        "%(n)s action needs your attention", "%(n)s actions need your attention", digest.count
    )
    return f"{title}: {need}"


class DigestRenderer:
    name: ClassVar[str] = "digest"
    suffix: ClassVar[str] = ".digest.html"
    media_type: ClassVar[str] = "text/html; charset=utf-8"
    uses_layout: ClassVar[bool] = True
    per_person: ClassVar[bool] = True
    """Writes one file set per person (`<id>.<person>.digest.*`), none named `<id>.digest.html`."""

    def render(self, ctx: RenderContext) -> list[Artifact]:
        import css_inline
        from markupsafe import escape

        view = ctx.view
        options = ctx.options
        check_link(options.link)
        for _, url in options.person_links:
            check_link(url)
        people_links = dict(options.person_links)
        context = template_context(ctx)
        css = render_template(ctx.layout, "email.css.j2", context)
        phone_css = render_template(ctx.layout, "email.phone.css.j2", context).strip()
        inliner = css_inline.CSSInliner(
            load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False, extra_css=None
        )
        sender = plan_sender(view)
        l10n = context["l10n"]
        artifacts: list[Artifact] = []
        for digest in digests(view, options.digest_days):
            person = digest.stakeholder
            local = {**context, "digest": digest, "person_link": people_links.get(person.id)}
            subject = digest_subject(l10n, view.plan.title, digest)
            body = inliner.inline_fragment(render_template(ctx.layout, "digest.j2", local), css).strip()
            html = DOCUMENT.format(
                lang=l10n.locale, dir=l10n.direction, title=escape(subject), phone_css=phone_css, body=body
            )
            text = tidy_text(render_template(ctx.layout, "digest.txt.j2", local))
            stem = f"{view.plan.id}.{person.id}.digest"
            draft = Draft(
                subject=subject,
                sender=mailbox(sender),
                to=mailboxes([person]),
                text=text,
                html=html,
                day=view.as_of,
                timezone=view.plan.timezone,
                key=f"{stem}.r{view.plan.revision}.{view.as_of.isoformat()}",
                language=l10n.locale,
            )
            artifacts += [
                Artifact(f"{stem}.html", html.encode("utf-8"), self.media_type),
                Artifact(f"{stem}.txt", text.encode("utf-8"), "text/plain; charset=utf-8"),
                Artifact(f"{stem}.eml", draft.to_bytes(), MESSAGE_MEDIA_TYPE),
            ]
        return artifacts


RENDERER = DigestRenderer()
