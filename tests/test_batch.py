"""Batch rendering: folders of plans, worker processes, the render cache, and a Dask cluster.

Every test compares bytes with what a single-plan render writes: a batch must write exactly that.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mapgen.batch import EXIT_SOME_FAILED
from mapgen.cache import Cache, parse_duration, parse_size
from mapgen.cli import main
from mapgen.source import find_plans, is_plan_file
from tests.conftest import IN_CI, SAMPLES_DIR

ENTERPRISE = SAMPLES_DIR / "northwind-acme"
MINIMAL = SAMPLES_DIR / "minimal" / "plan.yaml"
INVALID = Path(__file__).parent / "fixtures" / "invalid"
QUICK = "json,ics,csv"
"""Formats that render in milliseconds, for tests about the batch rather than the bytes."""


def call(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return int(done.value.code or 0)


def files(folder: Path) -> dict[str, bytes]:
    """The files a reader sees (hidden temporary files of an interrupted write are not output)."""
    return {
        p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """A folder as a team keeps it: plans in sub-folders with logos, other YAML and JSON, one invalid plan."""
    root = tmp_path / "plans"
    shutil.copytree(ENTERPRISE, root / "acme", ignore=shutil.ignore_patterns("*.md"))
    (root / "small").mkdir()
    shutil.copy(MINIMAL, root / "small" / "minimal.yaml")
    (root / "docker-compose.yaml").write_text("services: {web: {image: nginx}}\n")
    (root / "package.json").write_text('{"name": "x", "tools": {"mapgen": 1}}')
    (root / "broken.yaml").write_text("mapgen: 1\nid: Broken\n")
    return root


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The render cache on, in a folder of its own."""
    monkeypatch.delenv("MAPGEN_NO_CACHE", raising=False)
    return tmp_path / "cache"


FULL = "json,ics,csv,html,docx"
"""What tests render of the enterprise plan: its 11-page PDF alone would take most of the time."""


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference bytes, one plan per run: every format of the minimal plan, FULL of the enterprise one."""
    out = tmp_path_factory.mktemp("single")
    assert call("render", str(ENTERPRISE / "plan.yaml"), "-o", str(out), "-f", FULL, "-q", "--no-cache") == 0
    assert call("render", str(MINIMAL), "-o", str(out), "-q", "--no-cache") == 0
    return out


def test_plan_files_are_those_with_a_top_level_mapgen_key(plans: Path) -> None:
    found, folders = find_plans([plans])
    assert folders
    assert [p.relative_to(plans).as_posix() for p in found] == [
        "acme/plan.yaml",
        "broken.yaml",
        "small/minimal.yaml",
    ]
    assert not is_plan_file(plans / "docker-compose.yaml")
    (plans / "flow.json").write_text('{"id": "x", "mapgen": 1}')
    assert is_plan_file(plans / "flow.json")


def test_folder_writes_every_valid_plan_and_reports_the_invalid_one(
    plans: Path, tmp_path: Path, single: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        call("render", str(plans), "-o", str(out), "-f", QUICK, "--no-cache", "--jobs", "1")
        == EXIT_SOME_FAILED
    )
    err = capsys.readouterr().err
    assert "mapgen: 3 plans: 2 rendered, 0 reused, 1 failed, 0 skipped" in err
    assert f"  failed: {plans / 'broken.yaml'}:" in err
    assert "Traceback" not in err
    written = {n: d for n, d in files(out).items() if not n.endswith(".manifest.json")}  # other formats
    assert written and all(data == (single / name).read_bytes() for name, data in written.items())
    assert {n.split(".")[0] for n in written} == {"northwind-acme", "minimal"}


def test_plans_named_one_by_one_stay_all_or_nothing(plans: Path, tmp_path: Path) -> None:
    named = [str(plans / "small" / "minimal.yaml"), str(plans / "broken.yaml")]
    out = tmp_path / "out"
    assert call("render", *named, "-o", str(out), "-f", QUICK, "--no-cache") == 2
    assert not out.exists() or not any(out.iterdir())
    assert (
        call("render", *named, "-o", str(out), "-f", QUICK, "--no-cache", "--keep-going") == EXIT_SOME_FAILED
    )
    assert {name.split(".")[0] for name in files(out)} == {"minimal"}


def test_output_folder_inside_the_plans_folder_is_not_searched(plans: Path) -> None:
    out = plans / "out"
    assert (
        call("render", str(plans), "-o", str(out), "-f", "json", "--no-cache", "-j", "1") == EXIT_SOME_FAILED
    )
    found, _ = find_plans([plans], skip=[out])
    assert all(out not in p.parents for p in found)


def test_two_jobs_write_the_same_bytes_as_one_and_as_single_renders(
    plans: Path, tmp_path: Path, single: Path
) -> None:
    (plans / "broken.yaml").unlink()
    one, two = tmp_path / "one", tmp_path / "two"
    assert call("render", str(plans), "-o", str(one), "-f", FULL, "-q", "--no-cache", "--jobs", "1") == 0
    assert call("render", str(plans), "-o", str(two), "-f", FULL, "-q", "--no-cache", "--jobs", "2") == 0
    assert files(one) == files(two)
    assert {n: d for n, d in files(one).items() if n in files(single) and n != "minimal.manifest.json"} == {
        n: d for n, d in files(single).items() if n in files(one) and n != "minimal.manifest.json"
    }, "the manifest of the minimal plan lists other formats in `single`"
    shutil.rmtree(plans / "acme")
    (plans / "twin.yaml").write_text(MINIMAL.read_text().replace("id: minimal", "id: twin", 1))
    every = tmp_path / "every"
    assert call("render", str(plans), "-o", str(every), "-q", "--no-cache", "--jobs", "2") == 0
    minimal = {n: d for n, d in files(single).items() if n.startswith("minimal.")}
    assert {n: d for n, d in files(every).items() if n.startswith("minimal.")} == minimal
    assert any(n.endswith(".pdf") for n in minimal), "every format, the PDF included"


def test_cache_reuses_unchanged_plans_and_renders_what_changed(
    plans: Path, tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (plans / "broken.yaml").unlink()
    out = tmp_path / "out"
    args = ["render", str(plans), "-o", str(out), "-f", "json,html", "--cache", str(cached), "-j", "1"]
    assert call(*args) == 0
    first = files(out)
    assert "2 rendered, 0 reused" in capsys.readouterr().err
    shutil.rmtree(out)
    assert call(*args) == 0
    assert "0 rendered, 2 reused" in capsys.readouterr().err
    assert files(out) == first
    logo = plans / "acme" / "logos" / "acme.png"
    logo.write_bytes(logo.read_bytes() + b"\0")  # the same PNG with a trailing byte: another input
    assert call(*args) == 0
    assert "1 rendered, 1 reused" in capsys.readouterr().err
    assert call(*args, "--as-of", "2027-02-01") == 0
    assert "2 rendered, 0 reused" in capsys.readouterr().err
    assert call(*args[:-4], "-f", "json", "--cache", str(cached), "-j", "1") == 0
    assert "0 rendered, 2 reused" in capsys.readouterr().err, "one format of a cached plan is reused alone"


def test_a_damaged_or_half_written_entry_is_never_reused(
    plans: Path, tmp_path: Path, cached: Path, single: Path
) -> None:
    (plans / "broken.yaml").unlink()
    out = tmp_path / "out"
    args = ["render", str(plans), "-o", str(out), "-f", "json,csv", "--cache", str(cached), "-j", "1", "-q"]
    assert call(*args) == 0
    entries = sorted((cached / "entries").glob("*/*-json"))
    assert len(entries) == 2
    (entries[0] / "0").write_bytes(b'{"truncated')  # as a disk or another tool might leave it
    staging = cached / "tmp" / "killed-run"
    staging.mkdir(parents=True)
    (staging / "0").write_bytes(b"half")  # what a run killed while storing leaves: never under entries/
    shutil.rmtree(out)
    assert call(*args) == 0
    rendered = {n: d for n, d in files(out).items() if not n.endswith(".manifest.json")}
    assert rendered == {n: (single / n).read_bytes() for n in rendered}


def test_a_run_killed_mid_way_then_rerun_writes_what_a_clean_run_writes(
    plans: Path, tmp_path: Path, cached: Path, single: Path
) -> None:
    (plans / "broken.yaml").unlink()
    for n in range(3):
        copy = plans / f"copy{n}"
        shutil.copytree(plans / "acme", copy)
        text = (copy / "plan.yaml").read_text().replace("id: northwind-acme", f"id: acme-copy-{n}", 1)
        (copy / "plan.yaml").write_text(text)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mapgen", "render", str(plans), "-o", str(out), "-f", "json,html,docx"]
    command += ["--cache", str(cached), "-q", "-j", "2"]
    env = {k: v for k, v in os.environ.items() if k != "MAPGEN_NO_CACHE"}
    victim = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(cached.glob("entries/*/*")):
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    again = tmp_path / "clean"
    assert (
        call("render", str(plans), "-o", str(again), "-f", "json,html,docx", "-q", "--no-cache", "-j", "1")
        == 0
    )
    assert files(out) == files(again)
    assert files(out)["northwind-acme.html"] == (single / "northwind-acme.html").read_bytes()


def test_concurrent_runs_share_one_cache(plans: Path, tmp_path: Path, cached: Path) -> None:
    (plans / "broken.yaml").unlink()
    env = {k: v for k, v in os.environ.items() if k != "MAPGEN_NO_CACHE"}
    runs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "mapgen", "render", str(plans), "-o", str(tmp_path / f"out{n}")),
                *("-f", "json,html", "--cache", str(cached), "-q", "-j", "1"),
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    assert [r.wait() for r in runs] == [0, 0], [r.stderr.read() for r in runs if r.stderr]
    assert files(tmp_path / "out0") == files(tmp_path / "out1")
    assert len(list(cached.glob("entries/*/*"))) == 4
    assert not list((cached / "tmp").iterdir())


def test_unusable_default_cache_folder_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only home (the default cache folder cannot be made) still renders, without the
    cache; a --cache folder that cannot be used stays an error."""
    monkeypatch.delenv("MAPGEN_NO_CACHE", raising=False)
    monkeypatch.delenv("MAPGEN_CACHE_DIR", raising=False)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    out = tmp_path / "out"
    assert call("render", str(MINIMAL), "-o", str(out), "-f", "json", "-q") == 0
    assert (out / "minimal.json").is_file()
    assert "rendering without the cache" in capsys.readouterr().err
    assert call("render", str(MINIMAL), "-o", str(out), "-f", "json", "--cache", str(blocker / "c")) == 2


def test_prune_removes_old_entries_then_the_least_recently_used(
    plans: Path, tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (plans / "broken.yaml").unlink()
    assert (
        call("render", str(plans), "-o", str(tmp_path / "out"), "-f", "json", "--cache", str(cached), "-q")
        == 0
    )
    store = Cache(cached)
    entries = sorted(cached.glob("entries/*/*"))
    old = time.time() - 40 * 86400
    os.utime(entries[0] / "meta.json", (old, old))
    stale = cached / "tmp" / "left-by-a-kill"
    stale.mkdir(parents=True)
    os.utime(stale, (old, old))
    assert call("cache", "prune", "--cache", str(cached)) == 0
    assert "removed 1 entries" in capsys.readouterr().out
    assert not entries[0].exists() and entries[1].exists() and not stale.exists()
    assert store.prune(max_size=1)[0] == 1
    assert not list(cached.glob("entries/*/*"))


def test_durations_and_sizes() -> None:
    assert parse_duration("30d") == 30 * 86400
    assert parse_duration("90m") == 5400
    assert parse_size("500M") == 500 * 1024**2
    assert parse_size("2GiB") == 2 * 1024**3
    assert call("cache", "prune", "--older-than", "soon") == 2


def test_dask_cluster_writes_what_a_local_run_writes(plans: Path, tmp_path: Path, single: Path) -> None:
    try:
        from distributed import LocalCluster
    except ImportError:
        if IN_CI:
            raise
        pytest.skip("Dask distributed is not installed (pip install 'mapgen[cluster]')")
    local, remote = tmp_path / "local", tmp_path / "remote"
    formats = "json,ics,html,docx"  # the HTML embeds the logos: they travelled as bytes
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB", dashboard_address=None
    ) as cluster:
        code = call(
            "render",
            str(plans),
            "-o",
            str(remote),
            "-f",
            formats,
            "--no-cache",
            "--scheduler",
            cluster.scheduler_address,
        )
    assert code == EXIT_SOME_FAILED
    assert (
        call("render", str(plans), "-o", str(local), "-f", formats, "--no-cache", "-j", "1")
        == EXIT_SOME_FAILED
    )
    assert files(remote) == files(local)
    assert files(remote)["northwind-acme.html"] == (single / "northwind-acme.html").read_bytes()


def test_unreachable_scheduler_is_a_usage_error(
    plans: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr("mapgen.cluster.CONNECT_TIMEOUT", "2s")
    (plans / "broken.yaml").unlink()
    assert call("render", str(plans), "-f", "json", "--no-cache", "--scheduler", "tcp://127.0.0.1:9") == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


def test_a_worker_with_other_code_or_theme_refuses_the_job(plans: Path) -> None:
    from mapgen.pipeline import RenderRequest
    from mapgen.worker import Job, work

    path = plans / "small" / "minimal.yaml"
    done = work(Job("minimal.yaml", str(path), ("json",)), RenderRequest(formats=["json"]), "another-digest")
    assert not done.by_format and "install the same versions everywhere" in done.problems[0].message
    assert done.problems[0].file == "minimal.yaml"


def test_serve_renders_only_what_is_asked_and_a_restart_reuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_serve import make_server

    plans = tmp_path / "served"
    shutil.copytree(ENTERPRISE, plans / "acme")
    cache = tmp_path / "cache"
    first = make_server(plans, cache=True, cache_dir=str(cache))
    page = first.get(first.url("northwind-acme.html"))
    data = first.get(first.url("northwind-acme.json"))
    assert page.status_code == data.status_code == 200
    assert sorted(p.name.rsplit("-", 1)[1] for p in cache.glob("entries/*/*")) == ["html", "json"]

    def no_render(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("rendered again although nothing changed")

    monkeypatch.setattr("mapgen.pipeline.render_set", no_render)
    restarted = make_server(plans, cache=True, cache_dir=str(cache))
    assert restarted.get(restarted.url("northwind-acme.html")).content == page.content
    assert restarted.get(restarted.url("northwind-acme.json")).content == data.content


def test_an_older_revision_beside_the_current_one_is_skipped(
    plans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (plans / "broken.yaml").unlink()
    current = plans / "small" / "minimal.yaml"
    (plans / "small" / "minimal-r0.yaml").write_text(current.read_text())  # same id, same revision
    out = tmp_path / "out"
    assert (
        call("render", str(plans), "-o", str(out), "-f", "json", "--no-cache", "-j", "1") == EXIT_SOME_FAILED
    )
    assert "same plan id 'minimal' and revision 1" in capsys.readouterr().err
    current.write_text(current.read_text().replace("revision: 1", "revision: 2", 1))
    assert call("render", str(plans), "-o", str(out), "-f", "json", "--no-cache", "-j", "1") == 0
    err = capsys.readouterr().err
    assert "2 rendered, 0 reused, 0 failed, 1 skipped" in err
    assert f"{plans / 'small' / 'minimal-r0.yaml'}: skipped: revision 1 of 'minimal', older than" in err
    assert '"revision": 2' in (out / "minimal.json").read_text()


def test_ready_in_a_folder_fails_only_the_plan_that_is_not_ready(
    plans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (plans / "broken.yaml").unlink()
    small = plans / "small" / "minimal.yaml"
    small.write_text(small.read_text().replace("name: Acme Corp", "name: <<Buyer>>", 1))
    out = tmp_path / "out"
    code = call("render", str(plans), "--ready", "-o", str(out), "-f", "json", "--no-cache", "-j", "1")
    err = capsys.readouterr().err
    assert "buyer.name: placeholder <<Buyer>>" in err
    assert code == EXIT_SOME_FAILED
    assert (out / "northwind-acme.json").exists() and not (out / "minimal.json").exists()


def test_every_render_option_is_part_of_the_cache_key() -> None:
    import dataclasses

    from mapgen.cache import run_digest
    from mapgen.pipeline import RenderRequest
    from mapgen.renderers.base import RenderOptions

    base = run_digest(RenderRequest())
    assert run_digest(RenderRequest(formats=["pdf"])) == base, "formats are entries of their own"
    for options in (
        RenderOptions(digest_days=30),
        RenderOptions(link="https://x.example"),
        RenderOptions(feed="jane"),
    ):
        assert run_digest(RenderRequest(options=options)) != base, options
    assert run_digest(dataclasses.replace(RenderRequest(), strict=True)) != base


def test_the_user_brand_file_is_part_of_the_cache_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mapgen.cache import run_digest
    from mapgen.pipeline import RenderRequest

    monkeypatch.setenv("MAPGEN_HOME", str(tmp_path))
    before = run_digest(RenderRequest())
    (tmp_path / "seller.yaml").write_text("name: Northwind Analytics\n")
    assert run_digest(RenderRequest()) != before
