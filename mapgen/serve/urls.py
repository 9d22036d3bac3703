"""The public URLs of a served plan: feeds, landing pages and subscribe links, from the secret.

`mapgen feeds` prints them, landing pages show them and `mapgen render --base-url` puts them into
digests, all from these functions, so the three never disagree. No web framework is imported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from mapgen.errors import UsageError
from mapgen.load import LoadedPlan
from mapgen.spec import Plan
from mapgen.tokens import BUYER, INTERNAL, SECRET_FILE_NAME, feed_scope, make_token, read_secret


def webcal(url: str) -> str:
    """The webcal:// form of a feed URL: a hint that makes desktop clients offer to subscribe."""
    return "webcal://" + url.split("://", 1)[1]


def google_calendar(url: str) -> str:
    """Google Calendar's "add by URL" link; Google fetches the feed itself, so it needs the
    public https (or webcal) URL."""
    return "https://calendar.google.com/calendar/r?cid=" + quote(webcal(url), safe="")


def outlook_calendar(url: str, name: str) -> str:
    """Outlook.com's "subscribe from web" link."""
    return (
        "https://outlook.live.com/calendar/0/addfromweb?url="
        + quote(url, safe="")
        + "&name="
        + quote(name, safe="")
    )


def landing_url(
    secret: bytes, base_url: str, plan_id: str, person: str | None = None, *, internal: bool = False
) -> str:
    """The plan's landing page, or one stakeholder's (their own token opens only their page and feed)."""
    if person is not None:
        return f"{base_url}/p/{make_token(secret, plan_id, feed_scope(person))}/"
    return f"{base_url}/p/{make_token(secret, plan_id, audience=INTERNAL if internal else BUYER)}/"


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One feed, with whom it is for: a row of `mapgen feeds` (text, CSV or JSON)."""

    plan: str
    feed: str
    """`plan`, `buyer`, `seller` or a stakeholder id."""
    file: str
    url: str
    webcal: str
    landing: str
    """The landing page to send with it: the stakeholder's own page, else the plan's."""
    name: str
    """The stakeholder's name; the plan's title or the side's organisation for the other feeds."""
    email: str
    side: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in self.__slots__}  # type: ignore[attr-defined]


FEED_COLUMNS = tuple(FeedRow.__slots__)  # type: ignore[attr-defined]


def feed_rows(
    secret: bytes, plans: Iterable[LoadedPlan], base_url: str, *, internal: bool = False
) -> list[FeedRow]:
    """Every plan's, side's and stakeholder's feed, in that order per plan.

    With `internal`, every URL uses the plan's internal token (it opens all internal files);
    otherwise each side and stakeholder feed has its own token.
    """
    from mapgen.renderers.ics import feed_file_name

    rows = []
    for loaded in plans:
        plan: Plan = loaded.plan
        plan_token = make_token(secret, plan.id, audience=INTERNAL if internal else BUYER)
        plan_page = f"{base_url}/p/{plan_token}/"
        url = f"{base_url}/p/{plan_token}/{plan.id}.ics"
        rows.append(FeedRow(plan.id, "plan", feed_file_name(plan.id, "plan"), url, webcal(url), plan_page,
                            plan.title, "", "", ""))  # fmt: skip
        for side, party in (("buyer", plan.buyer), ("seller", plan.seller)):
            name = feed_file_name(plan.id, side)
            token = plan_token if internal else make_token(secret, plan.id, feed_scope(side))
            url = f"{base_url}/p/{token}/{name}"
            rows.append(FeedRow(plan.id, side, name, url, webcal(url), plan_page, party.name, "", side, ""))
        for person in plan.stakeholders:
            name = feed_file_name(plan.id, person.id)
            token = plan_token if internal else make_token(secret, plan.id, feed_scope(person.id))
            url = f"{base_url}/p/{token}/{name}"
            page = plan_page if internal else landing_url(secret, base_url, plan.id, person.id)
            rows.append(FeedRow(plan.id, person.id, name, url, webcal(url), page, person.name,
                                person.email or "", person.side.value, person.role.value))  # fmt: skip
    return rows


def find_secret(plan_path: Path, secret_file: Path | None) -> bytes:
    """The secret of the folder a plan is served from: `--secret-file`, else `.mapgen-secret` beside
    the plan or one folder up (`mapgen serve` reads plans in its folder and one folder down).
    Never created here: links to a server that does not know the secret would not open."""
    if secret_file is not None:
        return read_secret(secret_file)
    folder = plan_path.resolve().parent
    for candidate in (folder / SECRET_FILE_NAME, folder.parent / SECRET_FILE_NAME):
        if candidate.is_file():
            return read_secret(candidate)
    raise UsageError(
        f"no {SECRET_FILE_NAME} beside {plan_path} or one folder up: pass --secret-file with the "
        "served folder's secret (mapgen serve creates it)"
    )


def document_urls(
    secret: bytes, plans: Iterable[LoadedPlan], base_url: str, *, internal: bool = False
) -> list[tuple[str, str]]:
    """(file name, URL) of each plan's main file in every registered format but the per-person ones."""
    from mapgen.renderers import format_names, get_renderer

    audience = INTERNAL if internal else BUYER
    rows = []
    for loaded in plans:
        plan_id = loaded.plan.id
        token = make_token(secret, plan_id, audience=audience)
        for fmt in format_names():
            renderer = get_renderer(fmt)
            if fmt == "ics" or getattr(renderer, "per_person", False):
                continue
            name = f"{plan_id}{renderer.suffix}"
            rows.append((name, f"{base_url}/p/{token}/{name}"))
    return rows


def served_links(
    loaded: LoadedPlan, base_url: str, secret_file: Path | None, *, internal: bool = False
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """For `mapgen render --base-url`: the plan's landing page and each stakeholder's."""
    secret = find_secret(loaded.path, secret_file)
    plan = loaded.plan
    people = tuple((s.id, landing_url(secret, base_url, plan.id, s.id)) for s in plan.stakeholders)
    return landing_url(secret, base_url, plan.id, internal=internal), people
