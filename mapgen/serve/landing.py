"""Landing pages of `mapgen serve`: `/p/<token>/` for a plan's token and for a stakeholder's.

The plan's page (buyer or internal token) shows the status at a glance, the revision and what
changed since the previous revision kept beside it, links to the HTML plan, PDF and DOCX, and
the subscribe block for the whole plan and each side. A stakeholder's page (their own feed
token) shows their open actions soonest first, the key dates and their own feed, nothing else:
their token opens no other file. Side tokens have no page.

Pages come from the layout's `landing/*.j2` templates with the theme's CSS (so a user layout or
theme restyles them), need no JavaScript, and are cached until the plan, its previous revision,
the theme, the layout or the secret changes. Every value shown comes from the view.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from mapgen.audience import Audience
from mapgen.serve.config import ServeConfig
from mapgen.serve.store import PlanStore, PlanVersions, Resource, etag_of
from mapgen.serve.urls import feed_rows, google_calendar, outlook_calendar, webcal
from mapgen.spec import Side
from mapgen.tokens import INTERNAL, Grant

PAGE_TYPE = "text/html; charset=utf-8"
DOCUMENT_FORMATS = ("html", "pdf", "docx")
"""The documents a plan's page links to, when their formats are registered."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed with every way to subscribe to it."""

    title: str
    url: str
    webcal: str
    google: str
    outlook: str

    @classmethod
    def of(cls, title: str, url: str, calendar_name: str) -> Subscription:
        return cls(title, url, webcal(url), google_calendar(url), outlook_calendar(url, calendar_name))


@dataclass(frozen=True, slots=True)
class Document:
    label: str
    href: str
    """Relative to the page: the page's own token opens it."""
    kind: str


MAX_CACHED_PAGES = 1024
"""Landing pages kept rendered; without --base-url the key holds the request's Host header, which a
client chooses, so the oldest page goes when the cache is full."""


class LandingPages:
    """Renders and caches landing pages; safe to use from many threads."""

    def __init__(self, store: PlanStore, config: ServeConfig) -> None:
        self.store = store
        self.config = config
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[tuple[object, ...], Resource]] = {}

    def lookup(self, token: str, base_url: str) -> Resource | None:
        """The page `token` opens (None: no page, the same 404 as any unknown path)."""
        grant = self.store.grant(token)
        if grant is None or grant.feed in ("buyer", "seller"):
            return None
        versions = self.store.versions(grant.plan_id)
        if versions is None:
            return None
        base_url = self.config.base_url or base_url
        key = (token, base_url)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == versions.stamp:
            return cached[1]
        with self._lock:
            page = self._render(grant, versions, base_url)
            etag = etag_of(page)
            name = f"{grant.plan_id}.{grant.feed}.html" if grant.feed else f"{grant.plan_id}.html"
            resource = Resource(name, page, PAGE_TYPE, etag, versions.modified)
            if len(self._cache) >= MAX_CACHED_PAGES:  # the Host header is in the key: keep it bounded
                del self._cache[next(iter(self._cache))]
            self._cache[key] = (versions.stamp, resource)
            return resource

    def _render(self, grant: Grant, versions: PlanVersions, base_url: str) -> bytes:
        from mapgen.layouts import load_layout
        from mapgen.presentation import render_template, template_context, theme_style
        from mapgen.renderers.base import RenderContext, RenderOptions
        from mapgen.themes import load_theme
        from mapgen.view import build_view

        audience = Audience(grant.audience)
        plan = versions.current.plan
        view = build_view(plan, audience)
        changes = None
        if grant.feed is None and versions.previous is not None:
            from mapgen.diff import compare

            changes = compare(versions.previous.plan, plan, audience)
        theme, layout = load_theme(self.config.theme), load_layout(self.config.layout)
        ctx = RenderContext(view, RenderOptions(changes=changes), theme, layout, versions.current.base_dir)
        context = template_context(ctx)
        context["style"] = theme_style(theme)
        secret, l10n = versions.secret, context["l10n"]
        # The URLs of `mapgen feeds`, so a landing page and the feed list never disagree.
        feeds = {
            row.feed: row.url
            for row in feed_rows(secret, [versions.current], base_url, internal=grant.audience == INTERNAL)
        }
        if grant.feed is None:
            context["subscriptions"] = (
                Subscription.of(l10n.gettext("The whole plan"), feeds["plan"], plan.title),
                *(
                    Subscription.of(
                        f"{party.name} ({l10n.side_label(side)})",
                        feeds[side.value],
                        f"{plan.title} · {party.name}",
                    )
                    for side, party in ((Side.BUYER, plan.buyer), (Side.SELLER, plan.seller))
                ),
            )
            context["documents"] = _documents(plan.id, l10n.gettext)
            template = "landing/plan.j2"
        else:
            from mapgen.view import open_actions_of

            person = next(s for s in view.stakeholders if s.id == grant.feed)
            url = feeds[person.id]
            context["person"] = person
            context["person_actions"] = open_actions_of(view, person.id)
            context["subscriptions"] = (
                Subscription.of(
                    l10n.gettext("Your actions and the plan's milestones"),
                    url,
                    f"{plan.title} · {person.name}",
                ),
            )
            template = "landing/person.j2"
        return render_template(layout, template, context).encode("utf-8")


def _documents(plan_id: str, gettext: Callable[[str], str]) -> tuple[Document, ...]:
    """The plan's HTML page, PDF and DOCX, for the formats that are registered."""
    from mapgen.renderers import format_names, get_renderer

    labels = {
        "html": gettext("Read the plan"),
        "pdf": gettext("Download the PDF"),
        "docx": gettext("Download for Word (DOCX)"),
    }
    return tuple(
        Document(labels[fmt], f"{plan_id}{get_renderer(fmt).suffix}", fmt)
        for fmt in DOCUMENT_FORMATS
        if fmt in format_names()
    )
