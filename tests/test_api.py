"""The public Python API, used only through the names `mapgen` exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

import mapgen
from tests.conftest import SAMPLES_DIR

MINIMAL = SAMPLES_DIR / "minimal" / "plan.yaml"


def test_the_public_surface_is_small_and_importable() -> None:
    assert sorted(mapgen.__all__) == sorted(dir(mapgen))
    for name in mapgen.__all__:
        assert getattr(mapgen, name) is not None
    assert (Path(mapgen.__file__).parent / "py.typed").is_file()


def test_load_validate_render_write(tmp_path: Path) -> None:
    plan = mapgen.load_plan(MINIMAL)
    assert isinstance(plan, mapgen.LoadedPlan)
    assert mapgen.validate(MINIMAL) == []
    artifacts = mapgen.render(plan, ["json", "ics"], feed="plan")
    assert all(isinstance(a, mapgen.Artifact) for a in artifacts)
    assert [a.name for a in artifacts] == [f"{plan.plan.id}.json", f"{plan.plan.id}.ics"]
    assert artifacts[1].media_type.startswith("text/calendar")
    written = mapgen.write(artifacts, tmp_path / "out")
    assert [p.read_bytes() for p in written] == [a.data for a in artifacts]
    rendered = mapgen.render_set(plan, "json")
    assert isinstance(rendered, mapgen.ArtifactSet) and rendered.plan_id == plan.plan.id
    mapgen.write(rendered, tmp_path / "set")
    assert (tmp_path / "set" / f"{plan.plan.id}.manifest.json").is_file()
    assert "pdf" in mapgen.formats()


def test_data_in_and_problems_out() -> None:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    assert mapgen.load_plan(data).plan.id == mapgen.load_plan(MINIMAL).plan.id
    data["phases"][0]["actions"][0]["owner"] = "nobody"
    problems = mapgen.validate(data)
    assert problems and all(isinstance(p, mapgen.Problem) for p in problems)
    assert "unknown stakeholder 'nobody'" in problems[0].message
    try:
        mapgen.render(data, "json")
    except mapgen.InvalidInput as exc:
        assert exc.problems[0].path.endswith(".owner")
    else:
        raise AssertionError("an invalid plan rendered")


def test_ready_is_checked_through_the_api() -> None:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    data["buyer"]["name"] = "<<Buyer>>"
    assert any("placeholder <<Buyer>>" in p.message for p in mapgen.validate(data, ready=True))
    try:
        mapgen.render(data, "json", ready=True)
    except mapgen.InvalidInput as exc:
        assert any(p.path == "buyer.name" for p in exc.problems)
    else:
        raise AssertionError("a plan with a placeholder rendered with ready=True")


def test_import_mapgen_is_cheap_and_ics_does_not_load_weasyprint() -> None:
    code = (
        "import sys, mapgen; assert 'pydantic' not in sys.modules, 'import mapgen loaded pydantic';"
        f"mapgen.render({str(MINIMAL)!r}, 'ics');"
        "assert 'weasyprint' not in sys.modules, 'ics loaded weasyprint'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_web_app_example_serves_only_its_own_plans(tmp_path: Path) -> None:
    """docs/api.md's Starlette handler, run as written: `..` and unknown deals are 404, a plan
    that is not ready is 422 without the server's folders in the body."""
    import re
    import warnings

    with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx is what the project installs
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    text = (Path(__file__).parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(from starlette.*?|import re\n.*?)```", text, re.S).group(1)
    plans = tmp_path / "plans"
    (plans / "small").mkdir(parents=True)
    (plans / "small" / "plan.yaml").write_bytes(MINIMAL.read_bytes())
    (tmp_path / "plan.yaml").write_bytes(MINIMAL.read_bytes())  # one folder up: must stay unreachable
    namespace: dict[str, object] = {}
    exec(compile(code.replace('Path("/srv/plans")', f"Path({str(plans)!r})"), "api.md", "exec"), namespace)
    client = TestClient(namespace["app"])
    assert client.get("/plans/nope.pdf").status_code == 404
    assert client.get("/plans/...pdf").status_code == 404
    refused = client.get("/plans/small.pdf")
    assert refused.status_code == 422 and "objectives: no objectives" in refused.text
    assert str(tmp_path) not in refused.text
