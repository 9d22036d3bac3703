"""Landing pages of `mapgen serve` (`/p/<token>/`): the plan's page under the buyer and internal
tokens, a stakeholder's page under their own token, 404 for side and forged tokens, what changed
since a previous revision kept beside the plan, and the Nu checker and axe at 1280 and 375 px."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mapgen.tokens import INTERNAL, feed_scope, make_token
from tests.conftest import ROOT, require_tool
from tests.test_serve import PLAN, Server, assert_not_found, make_server

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx2")

HREF = re.compile(r'href="([^"]+)"')
INTERNAL_TITLES = (
    "Move the opportunity to Commit in the forecast",
    "Northwind legal approval for a 2x liability cap",
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Server:
    directory = tmp_path_factory.mktemp("landing") / "plans"
    shutil.copytree(ROOT / "samples" / PLAN, directory / PLAN)
    older = (directory / PLAN / "plan.yaml").read_text(encoding="utf-8")
    older = older.replace("revision: 4", "revision: 3", 1).replace(
        "target_close: 2027-03-05", "target_close: 2027-02-26", 1
    )
    (directory / PLAN / "plan-r3.yaml").write_text(older, encoding="utf-8")
    return make_server(directory, base_url="https://plans.example.com")


def page(server: Server, token: str) -> str:
    response = server.get(f"/p/{token}/")
    assert response.status_code == 200
    return response.text


def links(html: str) -> list[str]:
    return [unescape(h) for h in HREF.findall(html)]


def test_plan_page_has_status_documents_changes_and_subscribe_links(served: Server) -> None:
    token = make_token(served.secret, PLAN)
    response = served.get(f"/p/{token}/")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for header, value in (
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
        ("cache-control", "private, no-cache"),
    ):
        assert response.headers[header] == value
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "noindex" in response.headers["x-robots-tag"]
    assert served.get(f"/p/{token}/", headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    html = response.text
    assert "<script" not in html.lower()
    assert "25%" in html and "Revision 4" in html and "Jan 12, 2027" in html
    # What changed since revision 3, kept beside the plan as plan-r3.yaml.
    assert "since revision 3" in html and "Target close" in html
    hrefs = links(html)
    for document in (f"{PLAN}.html", f"{PLAN}.pdf", f"{PLAN}.docx"):
        assert document in hrefs
        assert served.get(f"/p/{token}/{document}").status_code == 200
    # Subscribe: the whole plan and each side, each four ways.
    feeds = {
        f"https://plans.example.com/p/{token}/{PLAN}.ics",
        f"https://plans.example.com/p/{make_token(served.secret, PLAN, feed_scope('buyer'))}/{PLAN}.buyer.ics",
        f"https://plans.example.com/p/{make_token(served.secret, PLAN, feed_scope('seller'))}/{PLAN}.seller.ics",
    }
    for url in feeds:
        assert f"<code>{url}</code>" in html
        assert "webcal://" + url.removeprefix("https://") in hrefs
        assert served.get(url.removeprefix("https://plans.example.com")).status_code == 200
    google = [urlsplit(h) for h in hrefs if h.startswith("https://calendar.google.com/")]
    assert {parse_qs(g.query)["cid"][0] for g in google} == {
        "webcal://" + u.removeprefix("https://") for u in feeds
    }
    outlook = [
        parse_qs(urlsplit(h).query)
        for h in hrefs
        if h.startswith("https://outlook.live.com/calendar/0/addfromweb")
    ]
    assert {o["url"][0] for o in outlook} == feeds and all(o["name"][0] for o in outlook)
    assert "Google" in html and "Outlook.com" in html and "Apple Calendar" in html


def test_buyer_page_carries_nothing_internal_and_internal_page_says_so(served: Server) -> None:
    buyer = page(served, make_token(served.secret, PLAN))
    internal = page(served, make_token(served.secret, PLAN, audience=INTERNAL))
    assert "Internal: seller team only." in internal and "Internal: seller team only." not in buyer
    for text in ("Moves to Commit", "forecast", *INTERNAL_TITLES):
        assert text not in buyer
    assert make_token(served.secret, PLAN, audience=INTERNAL) not in buyer
    # The internal page subscribes with the internal token only.
    internal_token = make_token(served.secret, PLAN, audience=INTERNAL)
    assert f"/p/{internal_token}/{PLAN}.buyer.ics" in internal


def test_stakeholder_page_lists_their_open_actions_and_only_their_feed(served: Server) -> None:
    token = make_token(served.secret, PLAN, feed_scope("raj"))
    html = page(served, token)
    assert "Your actions, Raj Patel" in html
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>.*?<td data-label="Due" class="nowrap">([^<]+)', html)
    assert rows, "no actions listed"
    assert rows[0][0].startswith("Complete the questionnaire")  # stalled since Jan 4: soonest first
    feed = f"https://plans.example.com/p/{token}/{PLAN}.raj.ics"
    assert f"<code>{feed}</code>" in html and html.count("<code>") == 1
    hrefs = links(html)
    assert not [h for h in hrefs if h.endswith((".pdf", ".docx", ".html"))]  # their token opens no document
    assert "Key dates" in html and "Target close" in html
    assert served.get(feed.removeprefix("https://plans.example.com")).status_code == 200
    assert_not_found(served.get(f"/p/{token}/{PLAN}.pdf"))
    for text in INTERNAL_TITLES:
        assert text not in html


def test_side_forged_and_unknown_tokens_have_no_page(served: Server) -> None:
    real = make_token(served.secret, PLAN)
    for token in (
        make_token(served.secret, PLAN, feed_scope("buyer")),
        make_token(served.secret, PLAN, feed_scope("seller")),
        make_token(b"y" * 64, PLAN),
        ("A" if real[0] != "A" else "B") + real[1:],
        "not-a-token",
    ):
        assert_not_found(served.get(f"/p/{token}/"))


def test_without_base_url_links_follow_the_request(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "samples" / "minimal", tmp_path / "minimal")
    server = make_server(tmp_path)
    html = page(server, make_token(server.secret, "minimal"))
    assert f"http://testserver/p/{make_token(server.secret, 'minimal')}/minimal.ics" in html
    assert "since revision" not in html  # no earlier revision kept beside it


def test_pages_kept_for_any_host_stay_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --base-url the cache key holds the Host header a client sends: it must not grow."""
    from mapgen.serve import landing
    from mapgen.serve.config import ServeConfig

    monkeypatch.setattr(landing, "MAX_CACHED_PAGES", 3)
    shutil.copytree(ROOT / "samples" / "minimal", tmp_path / "minimal")
    server = make_server(tmp_path)
    server.get("/")  # loads the plans
    pages = landing.LandingPages(server.store, ServeConfig(tmp_path, rescan_seconds=0))
    token = make_token(server.secret, "minimal")
    for host in range(10):
        assert pages.lookup(token, f"http://host-{host}.example") is not None
    assert len(pages._cache) == 3


@pytest.mark.parametrize("width", [1280, 375])
def test_pages_pass_nu_and_axe(served: Server, tmp_path: Path, width: int) -> None:
    from tests.htmlcheck import axe_violations, browser, nu_errors

    pages = {
        "plan": page(served, make_token(served.secret, PLAN)),
        "internal": page(served, make_token(served.secret, PLAN, audience=INTERNAL)),
        "person": page(served, make_token(served.secret, PLAN, feed_scope("jane"))),
    }
    paths = []
    for name, html in pages.items():
        paths.append(tmp_path / f"{name}.html")
        paths[-1].write_text(html, encoding="utf-8")
    if width == 1280:
        assert nu_errors(*paths) == ""
    axe_js = Path(require_tool("MAPGEN_AXE_JS")).read_text(encoding="utf-8")
    playwright, chromium = browser()
    problems = []
    try:
        for path in paths:
            tab = chromium.new_page(viewport={"width": width, "height": 900})
            tab.goto(path.as_uri())
            problems += [f"{path.name}: {v}" for v in axe_violations(tab, axe_js)]
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path.name} scrolls sideways at {width}px"
            tab.close()
    finally:
        chromium.close()
        playwright.stop()
    assert problems == []
