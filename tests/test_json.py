"""`json` format: snapshot per sample and audience, and byte-identical output across processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mapgen.audience import Audience
from tests.conftest import DISTINCT_ENVIRONMENTS, ROOT, SAMPLE_IDS, SAMPLES, render_sample


@pytest.mark.parametrize("plan", SAMPLES, ids=SAMPLE_IDS)
@pytest.mark.parametrize("audience", list(Audience), ids=[a.value for a in Audience])
def test_json_snapshot(plan: Path, audience: Audience, snapshot_text) -> None:
    (artifact,) = render_sample(plan, ["json"], audience=audience).values()
    assert artifact.name.endswith(".json")
    assert artifact.data.decode() == snapshot_text("json")


def test_buyer_json_has_no_internal_data() -> None:
    plan = ROOT / "samples" / "northwind-acme" / "plan.yaml"
    (artifact,) = render_sample(plan, ["json"]).values()
    document = json.loads(artifact.data)
    text = artifact.data.decode()
    assert document["plan"]["internal"] is None
    assert '"visibility": "internal"' not in text
    for secret in ("discount-approval", "forecast", "12% discount"):
        assert secret not in text


def test_json_is_byte_identical_across_processes(tmp_path: Path) -> None:
    outputs = []
    for n, env in enumerate(DISTINCT_ENVIRONMENTS):
        out = tmp_path / str(n)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "mapgen",
                "render",
                *map(str, SAMPLES),
                "-f",
                "json",
                "-o",
                str(out),
                "-q",
            ],
            check=True,
            env=env,
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 2 * len(SAMPLES)  # each with its manifest


def test_since_adds_the_changes_for_the_audience(tmp_path: Path) -> None:
    from mapgen.audience import Audience
    from mapgen.diff import changes_since
    from mapgen.load import load_plan
    from mapgen.renderers.base import RenderOptions

    old = ROOT / "samples" / "northwind-acme" / "plan.yaml"
    new = ROOT / "tests" / "fixtures" / "northwind-acme-rev5" / "plan.yaml"
    changes = changes_since(old, [load_plan(new).plan], Audience.BUYER)
    (artifact,) = render_sample(new, ["json"], options=RenderOptions(changes=changes)).values()
    document = json.loads(artifact.data)
    assert document["changes"]["from"]["revision"] == 4
    assert document["changes"]["changes"] and all(c["shared"] for c in document["changes"]["changes"])
    (plain,) = render_sample(new, ["json"]).values()
    assert "changes" not in json.loads(plain.data)
