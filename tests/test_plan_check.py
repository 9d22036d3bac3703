"""The check path of `mapgen validate` (a cached pydantic-core validator, no models) reports exactly
what the model path reports, and its cache is rebuilt whenever it is missing, stale or corrupt."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from mapgen import plan_check
from mapgen.errors import InvalidInput
from mapgen.load import check_plan_file, load_plan
from mapgen.resources import available
from tests.conftest import ROOT, SAMPLES, TEMPLATES

INVALID = sorted(
    p for p in (Path(__file__).parent / "fixtures" / "invalid").iterdir() if p.suffix in (".yaml", ".json")
)
SAMPLE = ROOT / "samples" / "northwind-acme" / "plan.yaml"

MUTATIONS = {
    "unknown top-level field": lambda d: d.update(titel="x"),
    "unknown nested field": lambda d: d["phases"][0]["actions"][0].update(owner_id="x"),
    "party not a mapping": lambda d: d.update(buyer="Acme"),
    "phases not a list": lambda d: d.update(phases={"a": 1}),
    "missing field": lambda d: d["deal"].pop("target_close"),
    "bad enum": lambda d: d["phases"][0]["actions"][0].update(status="finished"),
    "ambiguous date": lambda d: d["phases"][0]["actions"][0].update(due="12/03/2027"),
    "unknown anchor": lambda d: d["phases"][0]["actions"][0].update(due="discovry + 5bd"),
    "long title": lambda d: d.update(title="x" * 301),
    "bad id": lambda d: d["stakeholders"][0].update(id="Jane Doe"),
    "bad email": lambda d: d["stakeholders"][0].update(email="jane"),
    "negative money": lambda d: d["deal"].update(value={"amount": -1, "currency": "usd"}),
    "not a number": lambda d: d["metrics"][0].update(baseline="many"),
    "bad timezone and locale": lambda d: d.update(timezone="Mars/Base", locale="xx-YY"),
    "unknown owner": lambda d: d["phases"][0]["actions"][0].update(owner="nobody"),
    "spec version": lambda d: d.update(mapgen=2),
    "long unit": lambda d: d["metrics"][0].update(unit="u" * 41),
    "bad calendar": lambda d: d.update(calendar={"country": "us"}),
    "two owners": lambda d: d["phases"][0]["actions"][0].update(owner=["jane", "raj"]),
    "timezone is a folder of zones": lambda d: d.update(timezone="America"),
    "timezone too long for a file name": lambda d: d.update(timezone="A" * 300),
}


def outcome(load, path: Path) -> tuple[list[str], int | None]:
    """Every problem as printed (file, line, path, message, severity), and the action count."""
    try:
        loaded = load(path)
    except InvalidInput as exc:
        return [f"{p} {p.severity}" for p in exc.problems], None
    count = loaded.action_count if hasattr(loaded, "action_count") else len(loaded.plan.actions())
    return [f"{p} {p.severity}" for p in loaded.warnings], count


@pytest.mark.parametrize("path", SAMPLES + TEMPLATES + INVALID, ids=lambda p: p.name)
def test_check_path_reports_what_the_models_report(path: Path) -> None:
    assert outcome(check_plan_file, path) == outcome(load_plan, path)


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_check_path_reports_what_the_models_report_for_mistakes(name: str, tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    MUTATIONS[name](data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    problems, count = outcome(check_plan_file, path)
    assert count is None and problems
    assert (problems, count) == outcome(load_plan, path)


def test_strict_turns_warnings_into_errors_on_both_paths() -> None:
    warnings = Path(__file__).parent / "fixtures" / "invalid" / "warnings.yaml"
    strict = outcome(lambda p: check_plan_file(p, strict=True), warnings)
    assert strict[1] is None and strict == outcome(lambda p: load_plan(p, strict=True), warnings)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder with caching on (the suite runs with MAPGEN_NO_CACHE=1)."""
    monkeypatch.delenv("MAPGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("MAPGEN_CACHE", str(tmp_path))
    plan_check.plan_checker.cache_clear()
    yield tmp_path / "spec"
    plan_check.plan_checker.cache_clear()


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*"))


def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the checker builds from the models from now on."""
    count: list[int] = []
    real = plan_check.build_checker
    monkeypatch.setattr(plan_check, "build_checker", lambda: count.append(1) or real())
    return count


def test_cache_hit_gives_what_a_miss_gives(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = builds(monkeypatch)
    bad = INVALID[0].parent / "misspelt-keys.yaml"
    miss = [outcome(check_plan_file, p) for p in (SAMPLE, bad)]
    assert len(built) == 1 and len(cached_files(cache)) == 1
    plan_check.plan_checker.cache_clear()
    hit = [outcome(check_plan_file, p) for p in (SAMPLE, bad)]
    assert len(built) == 1, "the second run must read the cache, not rebuild"
    assert hit == miss == [outcome(load_plan, p) for p in (SAMPLE, bad)]


def stored_key(path: Path) -> object:
    """The key a cache file starts with (a pickle of its own, before the validator's)."""
    return pickle.loads(path.read_bytes())


def test_stale_cache_is_rebuilt(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan_check.plan_checker()
    [path] = cached_files(cache)
    payload = path.read_bytes()[len(pickle.dumps(plan_check.cache_key(), protocol=5)) :]
    path.write_bytes(pickle.dumps(("another mapgen",), protocol=5) + payload)
    plan_check.plan_checker.cache_clear()
    built = builds(monkeypatch)
    assert outcome(check_plan_file, SAMPLE) == outcome(load_plan, SAMPLE)
    assert len(built) == 1
    assert stored_key(path) == plan_check.cache_key()


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps(("k", 1, 2))[:-3], pickle.dumps(42)])
def test_corrupt_cache_is_ignored_and_rebuilt(
    content: bytes, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.mkdir(parents=True)
    path = plan_check.cache_file(plan_check.cache_key())
    path.write_bytes(content)
    built = builds(monkeypatch)
    assert outcome(check_plan_file, SAMPLE) == outcome(load_plan, SAMPLE)
    assert len(built) == 1
    assert stored_key(path) == plan_check.cache_key()


def test_cache_others_can_write_is_not_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan_check.plan_checker()
    path = plan_check.cache_file(plan_check.cache_key())
    path.chmod(0o666)
    plan_check.plan_checker.cache_clear()
    built = builds(monkeypatch)
    assert outcome(check_plan_file, SAMPLE) == outcome(load_plan, SAMPLE)
    assert len(built) == 1
    assert not path.stat().st_mode & 0o022, "the rebuilt file replaces it, writable by its owner only"


def test_cache_is_written_private_under_a_loose_umask(cache: Path) -> None:
    old = os.umask(0o002)
    try:
        plan_check.plan_checker()
    finally:
        os.umask(old)
    assert plan_check.cache_file(plan_check.cache_key()).stat().st_mode & 0o777 == 0o644


def test_no_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPGEN_NO_CACHE", "1")
    monkeypatch.setenv("MAPGEN_CACHE", str(tmp_path))
    plan_check.plan_checker.cache_clear()
    try:
        assert outcome(check_plan_file, SAMPLE)[1] == 48
    finally:
        plan_check.plan_checker.cache_clear()
    assert not list(tmp_path.rglob("*"))


def test_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.delenv("MAPGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("MAPGEN_CACHE", str(blocker))
    plan_check.plan_checker.cache_clear()
    try:
        assert outcome(check_plan_file, SAMPLE) == outcome(load_plan, SAMPLE)
    finally:
        plan_check.plan_checker.cache_clear()


def test_warm_validate_imports_neither_models_nor_base_model(tmp_path: Path) -> None:
    probe = (
        "import sys\nfrom mapgen.cli import main\n"
        f"try:\n    main(['validate', {str(SAMPLE)!r}])\nexcept SystemExit as exc:\n    assert not exc.code\n"
        "print(sorted(m for m in ('mapgen.spec', 'pydantic.main') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "MAPGEN_NO_CACHE"} | {"MAPGEN_CACHE": str(tmp_path)}
    runs = [
        subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert "valid (48 actions, 0 warnings)" in runs[1].stdout
    assert runs[0].stdout.splitlines()[-1] == "['mapgen.spec', 'pydantic.main']"  # the miss builds them
    assert runs[1].stdout.splitlines()[-1] == "[]"


class Hostile:
    """Unpickles into a call of `open`: the file it creates proves the code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_cache_runs_no_code_it_was_not_meant_to(cache: Path, tmp_path: Path, monkeypatch) -> None:
    marker = tmp_path / "ran"
    cache.mkdir(parents=True)
    path = plan_check.cache_file(plan_check.cache_key())
    path.write_bytes(
        pickle.dumps(plan_check.cache_key(), protocol=5) + pickle.dumps((Hostile(marker), {}), protocol=5)
    )
    built = builds(monkeypatch)
    assert outcome(check_plan_file, SAMPLE) == outcome(load_plan, SAMPLE)
    assert not marker.exists(), "unpickling the cache may only build a plan checker"
    assert len(built) == 1 and stored_key(path) == plan_check.cache_key()


def test_another_versions_cache_is_not_unpickled_past_its_key(cache: Path, monkeypatch) -> None:
    """A file from another mapgen, pydantic or Python never gets its validator built: its schema
    may not even be valid for this pydantic-core."""
    plan_check.plan_checker()
    path = plan_check.cache_file(plan_check.cache_key())
    payload = path.read_bytes()[len(pickle.dumps(plan_check.cache_key(), protocol=5)) :]
    path.write_bytes(pickle.dumps(("pydantic-core 1.0",), protocol=5) + payload)
    plan_check.plan_checker.cache_clear()
    names: list[tuple[str, str]] = []
    real = plan_check._allowed
    monkeypatch.setattr(plan_check, "_allowed", lambda m, n: names.append((m, n)) or real(m, n))
    assert plan_check._read(path, plan_check.cache_key()) is None
    assert names == []


def test_cache_behind_a_link_or_a_pipe_is_not_read(cache: Path, tmp_path: Path, monkeypatch) -> None:
    plan_check.plan_checker()
    path = plan_check.cache_file(plan_check.cache_key())
    elsewhere = tmp_path / "elsewhere.pickle"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    assert plan_check._read(path, plan_check.cache_key()) is None
    path.unlink()
    os.mkfifo(path)
    assert plan_check._read(path, plan_check.cache_key()) is None, "no wait for a writer"
    plan_check.plan_checker.cache_clear()
    built = builds(monkeypatch)
    assert outcome(check_plan_file, SAMPLE) == outcome(load_plan, SAMPLE)
    assert len(built) == 1 and path.is_file() and not path.is_symlink()


def test_cache_of_another_user_is_not_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan_check.plan_checker()
    path = plan_check.cache_file(plan_check.cache_key())
    assert plan_check._read(path, plan_check.cache_key()) is not None
    if os.getuid() == 0:
        os.chown(path, 4321, -1)
    else:
        uid = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: uid + 1)
    assert plan_check._read(path, plan_check.cache_key()) is None


def test_first_runs_at_once_leave_one_good_cache(cache: Path) -> None:
    checker = plan_check.build_checker()
    key = plan_check.cache_key()
    path = plan_check.cache_file(plan_check.cache_key())
    start = threading.Barrier(6)

    def write() -> None:
        start.wait()
        for _ in range(5):
            plan_check._write(path, key, checker)

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cached_files(cache) == [path], "no temporary file left behind"
    assert plan_check._read(path, key) is not None


def test_no_home_folder_means_no_cache_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without $HOME and a passwd entry (a service account, `env -i`), Path.home() raises."""
    from mapgen import holiday_cache

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    for name in ("MAPGEN_NO_CACHE", "MAPGEN_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    holiday_cache.holidays_in.cache_clear()
    plan_check.plan_checker.cache_clear()
    template = next(p for p in TEMPLATES if p.name == "enterprise-software.yaml")
    monkeypatch.delenv("MAPGEN_HOME", raising=False)
    try:
        assert outcome(check_plan_file, template)[1] == 29  # business days over US-NY holidays
        assert "default" in available("themes"), "no user folder, the built-ins still"
    finally:
        holiday_cache.holidays_in.cache_clear()
        plan_check.plan_checker.cache_clear()


def test_an_install_without_sources_checks_without_a_cache(cache: Path, monkeypatch) -> None:
    """The key is the spec modules' source: where only byte code is installed there is no key."""
    monkeypatch.setattr(plan_check, "SPEC_MODULES", (*plan_check.SPEC_MODULES, "gone.py"))
    assert outcome(check_plan_file, SAMPLE) == outcome(load_plan, SAMPLE)
    assert not cache.exists()


def test_two_installs_keep_a_cache_each(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout and a release (or two virtual environments) do not rebuild over each other."""
    plan_check.plan_checker()
    plan_check.plan_checker.cache_clear()
    real_key = plan_check.cache_key
    monkeypatch.setattr(plan_check, "cache_key", lambda: (*real_key(), "another install"))
    plan_check.plan_checker()
    assert len(cached_files(cache)) == 2
    plan_check.plan_checker.cache_clear()
    monkeypatch.setattr(plan_check, "cache_key", real_key)
    built = builds(monkeypatch)
    plan_check.plan_checker()
    assert built == [], "the first install's file is still there and still read"


def test_a_checker_that_cannot_be_built_leaves_the_models_to_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """A future pydantic whose core schema mapgen cannot rework: slower, never a crash."""

    def unknown_schema() -> plan_check.PlanChecker:
        raise KeyError("schema")

    monkeypatch.setattr(plan_check, "build_checker", unknown_schema)
    plan_check.plan_checker.cache_clear()
    try:
        for path in (SAMPLE, INVALID[0].parent / "misspelt-keys.yaml"):
            assert outcome(check_plan_file, path) == outcome(load_plan, path)
    finally:
        plan_check.plan_checker.cache_clear()
