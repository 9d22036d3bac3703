"""A team's theme (or $MAPGEN_HOME) carries the seller's brand; logo placement and paper size show."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

import mapgen
from mapgen.errors import InvalidInput
from mapgen.instantiate import instantiate
from mapgen.themes import load_theme, page_size_for
from tests.conftest import SAMPLES_DIR, require_tool

LOGO = SAMPLES_DIR / "northwind-acme" / "logos" / "northwind.png"
MINIMAL = SAMPLES_DIR / "minimal" / "plan.yaml"


def make_theme(folder: Path, placement: str = "left", extra: str = "") -> Path:
    folder.mkdir(parents=True)
    shutil.copy(LOGO, folder / "logo.png")
    (folder / "theme.yaml").write_text(
        "extends: default\n"
        "seller: {name: Northwind Analytics, website: 'https://northwind.example', logo: logo.png}\n"
        f"tokens:\n  logo: {{placement: {placement}}}\n{extra}",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    ("locale", "size"),
    [("en-US", "Letter"), ("en-CA", "Letter"), ("fr-CA", "Letter"), ("es-US", "Letter"), ("es-MX", "Letter"),
     ("en-GB", "A4"), ("de-DE", "A4"), ("ja-JP", "A4"), ("en", "A4")],
)  # fmt: skip
def test_paper_follows_the_locale(locale: str, size: str) -> None:
    assert page_size_for(locale) == size
    assert load_theme("default").for_locale(locale).tokens.page.size == size
    assert load_theme("executive").for_locale(locale).tokens.page.size == "Letter", "the theme says Letter"


def test_a_theme_brand_fills_new_plans_and_logos(tmp_path: Path) -> None:
    theme = load_theme(str(make_theme(tmp_path / "brand")))
    assert theme.seller is not None and theme.seller.logo == (tmp_path / "brand" / "logo.png").resolve()
    text = instantiate(
        SAMPLES_DIR / "templates" / "mid-market.yaml",
        ["deal.target_close=2027-06-30"],
        today=date(2027, 1, 4),
        brand=theme.seller,
    )
    assert "seller: {name: Northwind Analytics, website: https://northwind.example}" in text
    (docx,) = mapgen.render(MINIMAL, "docx", theme=str(tmp_path / "brand"))
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(docx.data)).namelist())
    (html,) = mapgen.render(MINIMAL, "html", theme=str(tmp_path / "brand"))
    assert b'src="data:image/png;base64,' in html.data


def test_the_user_brand_comes_from_mapgen_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(LOGO, tmp_path / "northwind.png")
    (tmp_path / "seller.yaml").write_text(
        "name: Northwind Analytics\nlogo: northwind.png\n", encoding="utf-8"
    )
    monkeypatch.setenv("MAPGEN_HOME", str(tmp_path))
    (html,) = mapgen.render(MINIMAL, "html")
    assert b'src="data:image/png;base64,' in html.data
    (tmp_path / "seller.yaml").write_text("logo: ../../etc/passwd.png\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        mapgen.render(MINIMAL, "html")
    assert "seller.logo: must be a relative path inside the folder of seller.yaml" in str(refused.value)


def first_ink_x(pdf: bytes, tmp_path: Path) -> float:
    """Where the cover's logo row starts, as a fraction of the page width."""
    from PIL import Image

    require_tool("pdftoppm")
    tmp_path.mkdir()
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "c")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("c*.png"))).convert("L")
    band = image.crop((0, 0, image.width, image.height // 8))
    xs = [x for x in range(band.width) for y in range(band.height) if band.getpixel((x, y)) < 200]
    return min(xs) / image.width


def test_logo_placement_moves_the_pdf_logos(tmp_path: Path) -> None:
    starts = {}
    for placement in ("left", "center", "right"):
        theme = make_theme(tmp_path / placement, placement)
        (pdf,) = mapgen.render(MINIMAL, "pdf", theme=str(theme))
        starts[placement] = first_ink_x(pdf.data, tmp_path / f"{placement}-png")
        if placement == "left":
            from pypdf import PdfReader

            box = PdfReader(io.BytesIO(pdf.data)).pages[0].mediabox
            assert (round(box.width), round(box.height)) == (612, 792), "en-US plans print on Letter"
    assert starts["left"] < 0.15 < starts["center"] < 0.5 < starts["right"]


EVIL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20"'
    ' onload="alert(1)"><script>alert(2)</script><image xlink:href="https://tracker.example/p.png"'
    ' width="1" height="1"/><rect width="40" height="20" fill="#123456"/></svg>'
)


def brand_theme(folder: Path, logo: str, data: bytes | None) -> Path:
    """A theme whose seller: block names `logo` (written with `data` when given)."""
    folder.mkdir(parents=True)
    if data is not None:
        (folder / logo).write_bytes(data)
    (folder / "theme.yaml").write_text(
        f"extends: default\n# the seller's brand\nseller:\n  name: Northwind\n  logo: {logo}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    ("logo", "data", "message"),
    [
        ("big.png", LOGO.read_bytes() + b"\0" * 1_000_001, "bytes; a logo may have at most 1,000,000"),
        ("fake.png", b"GIF89a" + b"\0" * 64, "'fake.png' is not a PNG file"),
        ("broken.png", LOGO.read_bytes()[:200], "'broken.png': a broken PNG file"),
        ("page.svg", b"<html><body>hi</body></html>", "'page.svg' is not an SVG file"),
        ("../outside.png", None, "must be a relative path inside the folder of theme.yaml"),
    ],
    ids=["oversized", "wrong-format", "broken", "not-svg", "outside"],
)  # fmt: skip
def test_a_theme_brand_logo_gets_the_plan_logo_checks(
    logo: str, data: bytes | None, message: str, tmp_path: Path
) -> None:
    folder = brand_theme(tmp_path / "brand", logo, data)
    with pytest.raises(InvalidInput) as refused:
        load_theme(str(folder))
    (problem,) = refused.value.problems
    assert (problem.file, problem.line, problem.path) == (str(folder / "theme.yaml"), 5, "seller.logo")
    assert message in problem.message


def test_a_brand_logo_symlinked_out_of_its_folder_is_refused(tmp_path: Path) -> None:
    shutil.copy(LOGO, tmp_path / "secret.png")
    folder = brand_theme(tmp_path / "brand", "logo.png", None)
    (folder / "logo.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(InvalidInput, match=r"resolves outside the folder of theme\.yaml"):
        load_theme(str(folder))


def test_a_brand_svg_logo_is_drawing_only(tmp_path: Path) -> None:
    folder = brand_theme(tmp_path / "brand", "logo.svg", EVIL_SVG.encode())
    (html,) = mapgen.render(MINIMAL, "html", theme=str(folder))
    start = html.data.index(b"data:image/svg+xml;base64,") + len(b"data:image/svg+xml;base64,")
    import base64

    svg = base64.b64decode(html.data[start : html.data.index(b'"', start)])
    assert b"#123456" in svg
    assert b"script" not in svg and b"onload" not in svg and b"tracker.example" not in svg


def test_a_bad_brand_logo_exits_2_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "seller.yaml").write_text("name: Northwind\nlogo: logo.png\n", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"not a png at all")
    monkeypatch.setenv("MAPGEN_HOME", str(tmp_path))
    done = subprocess.run(
        [str(Path(sys.executable).with_name("mapgen")), "render", str(MINIMAL), "-f", "html", "-o", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"{tmp_path / 'seller.yaml'}:2: seller.logo: 'logo.png' is not a PNG file"
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_a_brand_logo_replaced_after_loading_is_checked_again(tmp_path: Path) -> None:
    from mapgen.presentation import logo_data_uri

    theme = load_theme(str(make_theme(tmp_path / "brand")))
    assert theme.seller is not None and theme.seller.logo is not None
    seller = mapgen.load_plan(MINIMAL).plan.seller.model_copy(update={"logo": None})
    assert logo_data_uri(seller, None, theme.seller.logo) is not None
    theme.seller.logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 2_000_000)
    assert logo_data_uri(seller, None, theme.seller.logo) is None
