"""Layouts: built-in section lists, every section has a template, user layouts extend and override."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mapgen.errors import UsageError
from mapgen.layouts import load_layout
from tests.conftest import ROOT, render_sample

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"


def html_of(layout: str) -> str:
    (artifact,) = render_sample(ENTERPRISE, ["html"], layout=layout).values()
    return artifact.data.decode("utf-8")


def user_layout(tmp_path: Path, files: dict[str, str], yaml: str = "extends: standard\n") -> Path:
    folder = tmp_path / "my-layout"
    (folder / "sections").mkdir(parents=True)
    (folder / "layout.yaml").write_text(yaml, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_builtin_section_lists() -> None:
    assert load_layout("standard").sections == (
        "cover", "changes", "summary", "objectives", "timeline", "actions",
        "responsibilities", "stakeholders", "metrics", "signoff",
    )  # fmt: skip
    one_page = load_layout("one-page")
    assert one_page.sections == (
        "cover", "changes", "objectives", "progress", "next_milestones", "next_actions", "key_dates"
    )  # fmt: skip
    assert [d.name for d in one_page.dirs] == ["one-page", "standard"]


@pytest.mark.parametrize("name", ["standard", "one-page"])
def test_every_section_has_a_template(name: str) -> None:
    layout = load_layout(name)
    for section in layout.sections:
        assert layout.has_template(f"sections/{section}.j2"), section
    for template in ("html.j2", "email.j2", "email.css.j2", "email.txt.j2"):
        assert layout.has_template(template)


def test_one_page_overrides_only_what_differs() -> None:
    html = html_of("one-page")
    assert "Executive summary" in html
    assert 'id="next-actions"' in html and 'id="key-dates"' in html
    assert 'id="actions"' not in html and 'id="signoff"' not in html


def test_user_layout_overrides_a_single_section(tmp_path: Path) -> None:
    folder = user_layout(
        tmp_path,
        {"sections/summary.j2": '<section id="summary" aria-labelledby="h-s"><h2 id="h-s">Why now</h2>'
                                "<p>{{ plan.deal.compelling_event }}</p></section>\n"},
    )  # fmt: skip
    html = html_of(str(folder))
    assert '<h2 id="h-s">Why now</h2><p>Board review of reporting costs on 2027-03-15</p>' in html
    assert 'id="h-timeline"' in html, "other sections still come from the built-in layout"


def test_user_layout_can_reorder_sections_and_use_cli(tmp_path: Path) -> None:
    folder = user_layout(tmp_path, {}, "extends: standard\nsections: [cover, timeline, signoff]\n")
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "mapgen", "render", str(ENTERPRISE), "-f", "html", "--layout", str(folder),
         "-o", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    html = (out / "northwind-acme.html").read_text(encoding="utf-8")
    assert html.index('id="timeline"') < html.index('id="signoff"')
    assert 'id="actions"' not in html


def test_broken_user_template_is_a_clean_error(tmp_path: Path) -> None:
    folder = user_layout(tmp_path, {"sections/summary.j2": "{{ no_such_variable }}"})
    with pytest.raises(UsageError, match="no_such_variable"):
        html_of(str(folder))
    result = subprocess.run(
        [sys.executable, "-m", "mapgen", "render", str(ENTERPRISE), "-f", "html", "--layout", str(folder),
         "-o", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_templates_autoescape(tmp_path: Path) -> None:
    folder = user_layout(tmp_path, {"sections/summary.j2": "<p>{{ '<b>x</b>' }}</p>"})
    assert "<p>&lt;b&gt;x&lt;/b&gt;</p>" in html_of(str(folder))


def test_a_user_layout_may_shadow_and_extend_the_builtin_of_the_same_name(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "layouts" / "standard"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("description: ours\nextends: standard\n", encoding="utf-8")
    monkeypatch.setenv("MAPGEN_HOME", str(tmp_path))
    from mapgen.layouts import load_layout

    layout = load_layout("standard")
    assert layout.description == "ours"
    assert layout.dirs[0] == folder and layout.dirs[1].name == "standard" and layout.dirs[1] != folder
    assert "actions" in layout.sections
