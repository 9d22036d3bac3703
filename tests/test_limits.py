"""Limits (docs/limits.md) and hostile assets: each refused with exit 2, the file, the line, the
field, and how to lift the limit; nothing decoded or laid out before its limit is checked."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest

from mapgen.cli import main
from mapgen.errors import InvalidInput
from mapgen.limits import MAX_LOGO_BYTES, MAX_LOGO_SIDE, Limits
from mapgen.load import load_plan
from mapgen.svg import sanitise_svg
from tests.conftest import SAMPLES_DIR, render_sample

MINIMAL = SAMPLES_DIR / "minimal" / "plan.yaml"
ENTERPRISE = SAMPLES_DIR / "northwind-acme" / "plan.yaml"
LOGOS = SAMPLES_DIR / "northwind-acme" / "logos"


def call(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return int(done.value.code or 0)


def plan_with_logo(folder: Path, name: str, data: bytes) -> Path:
    (folder / name).write_bytes(data)
    plan = folder / "plan.yaml"
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  name: Acme Corp", f"  name: Acme Corp\n  logo: {name}"
    )
    plan.write_text(text, encoding="utf-8")
    return plan


def logo_problem(folder: Path, name: str, data: bytes) -> str:
    plan = plan_with_logo(folder, name, data)
    with pytest.raises(InvalidInput) as caught:
        load_plan(plan)
    (problem,) = caught.value.problems
    assert problem.path == "buyer.logo" and problem.line == 13
    return problem.message


def png(width: int, height: int, pixels: bytes | None = None) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = pixels if pixels is not None else b"\x00\x00\x00\x00" * height
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_plan_size_limits_name_the_limit_and_how_to_lift_it(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_plan(plan, limits=Limits(actions=1, stakeholders=1))
    assert [str(p) for p in caught.value.problems] == [
        f"{plan}:19: stakeholders: 2 stakeholders, more than the limit of 1; lift it with --limit stakeholders=2",
        f"{plan}:27: phases: 2 actions, more than the limit of 1; lift it with --limit actions=2",
    ]
    assert load_plan(plan, limits=Limits(actions=2, stakeholders=2)).plan.id == "minimal"


def test_limit_option_lifts_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call("validate", str(MINIMAL), "--limit", "actions=1") == 2
    assert "lift it with --limit actions=2" in capsys.readouterr().err
    assert call("validate", str(MINIMAL), "--limit", "actions=2") == 0
    assert call("validate", str(MINIMAL), "--limit", "rows=2") == 2
    assert (
        "NAME one of actions, stakeholders, phases, objectives, metrics, pdf-pages" in capsys.readouterr().err
    )


def test_pdf_page_budget_stops_the_layout_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The enterprise sample's text alone fits in 2 pages (no refusal before layout); its 7 pages do not."""
    args = ("render", str(ENTERPRISE), "-f", "pdf", "-o", str(tmp_path), "-q", "--limit", "pdf-pages=2")
    assert call(*args) == 2
    assert "northwind-acme.pdf: the PDF needs more than 2 pages, the limit; lift it with --limit pdf-pages=4" in (
        capsys.readouterr().err
    )
    assert list(tmp_path.iterdir()) == []


def test_the_sample_logos_pass() -> None:
    for path in LOGOS.iterdir():
        from mapgen.images import image_problem

        assert image_problem(path, path.name) is None


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES, "a logo may have at most 1,000,000"),
        ("wide.png", png(MAX_LOGO_SIDE + 1, 1), f"a logo may have at most {MAX_LOGO_SIDE} pixels per side"),
        ("zero.png", png(0, 1), "0 x 1 pixels"),
        ("garbage.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "a broken PNG file"),
        ("cut.png", png(4, 4)[:-20], "a broken PNG file"),
        ("bomb.png", png(1, 1, b"\0" * 10_000_000), "more pixel data than its size"),
        ("crc.png", png(2, 2)[:30] + b"X" + png(2, 2)[31:], "checksum mismatch"),
        ("wide.jpg", b"\xff\xd8\xff\xc0\x00\x0b\x08\xff\xff\xff\xff\x01\x01\x11\x00\xff\xda\x00\x02\xff\xd9", "65535 x 65535"),
        ("garbage.jpg", b"\xff\xd8\xff" + b"\x00" * 100, "a broken JPEG file"),
        ("entity.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE"),
        ("broken.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "not a well-formed SVG"),
        ("many.svg", b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 6000 + b"</svg>", "at most 5,000"),
    ],
)  # fmt: skip
def test_hostile_logos_are_refused_before_decoding(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    assert message in logo_problem(tmp_path, name, data)


HOSTILE_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  width="10" height="10" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(https://tracker.example/a.css);</style>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <a href="javascript:alert(3)"><rect width="5" height="5"/></a>
  <use xlink:href="https://evil.example/sprite.svg#x"/>
  <use href="#dot"/>
  <circle id="dot" r="2" fill="url(#grad)" style="fill: url(https://tracker.example/f); stroke: red" onclick="x()"/>
  <rect width="2" height="2" fill="url(data:image/png;base64,AAAA)"/>
  <text x="1" y="9">Acme<tspan> Corp</tspan></text>
</svg>"""


def test_svg_keeps_the_drawing_and_drops_everything_else() -> None:
    clean = sanitise_svg(HOSTILE_SVG).decode()
    for gone in ("script", "alert", "onload", "onclick", "@import", "foreignObject", "iframe", "image",
                 "tracker", "evil", "javascript", "data:"):  # fmt: skip
        assert gone not in clean, gone
    assert '<use href="#dot"/>' in clean and 'fill="url(#grad)"' in clean and 'style="stroke: red"' in clean
    assert ">Acme<tspan> Corp</tspan></text>" in clean
    assert sanitise_svg(clean.encode()).decode() == clean


def test_an_svg_logo_reaches_the_html_sanitised(tmp_path: Path) -> None:
    plan = plan_with_logo(tmp_path, "logo.svg", HOSTILE_SVG)
    html = render_sample(plan, ["html"])["minimal.html"].data.decode()
    (uri,) = [part.split('"')[0] for part in html.split('src="data:image/svg+xml;base64,')[1:]]
    embedded = base64.b64decode(uri).decode()
    assert "<circle" in embedded and "script" not in embedded and "tracker" not in embedded


def test_bidi_overrides_never_reach_the_calendar(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "title: Send the proposal", 'title: "Send the \\u202Egnp.exe\\u202C proposal \\u2067x\\u2069"'
    )
    plan.write_text(text.replace("title: Minimal plan", 'title: "Plan \\u202Eevil"'), encoding="utf-8")
    feed = render_sample(plan, ["ics"])["minimal.ics"].data.decode()
    assert "SUMMARY:Send the gnp.exe proposal x" in feed
    assert not any(ch in feed for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_far_business_day_moves_equal_counting_day_by_day() -> None:
    import random
    from datetime import date, timedelta

    from mapgen.dates import BusinessCalendar

    def by_day(calendar: BusinessCalendar, day: date, count: int) -> date:
        step, remaining = (1 if count >= 0 else -1), abs(count)
        while remaining:
            day += timedelta(days=step)
            remaining -= calendar.is_business_day(day)
        return day

    rng = random.Random(13)
    for country in (None, "US", "JP"):
        calendar = BusinessCalendar(country)
        for _ in range(60):
            day = date(2000, 1, 1) + timedelta(days=rng.randint(0, 15000))
            count = rng.randint(-2500, 2500)
            assert calendar.add_business_days(day, count) == by_day(calendar, day, count), (
                country,
                day,
                count,
            )


def test_lists_inside_one_entry_are_capped(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "        due: 2027-02-26",
        "        due: 2027-02-26\n        depends_on: [" + ", ".join(["proposal"] * 51) + "]",
    )
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(
        InvalidInput, match=r"phases\[0\].actions\[1\].depends_on: list should have at most 50 items"
    ):
        load_plan(plan)


def test_a_plan_whose_text_exceeds_the_page_budget_is_refused_before_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "plan.yaml"
    summary = "Words and more words. " * 900
    plan.write_text(MINIMAL.read_text(encoding="utf-8") + f"summary: {summary}\n", encoding="utf-8")
    monkeypatch.setattr("mapgen.renderers.pdf.fitted_document", lambda *_a: pytest.fail("laid out"))
    assert (
        call("render", str(plan), "-f", "pdf", "-o", str(tmp_path / "out"), "-q", "--limit", "pdf-pages=2")
        == 2
    )
    assert "the plan's text needs at least 3 PDF pages, more than the limit of 2" in capsys.readouterr().err
