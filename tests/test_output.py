"""Output sets: a kill at any step of the write, or a second render into the same folder, never
leaves files of two revisions that a reader cannot tell apart, nor temporaries for good."""

from __future__ import annotations

import errno
import json
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from mapgen import output
from mapgen.cli import main
from mapgen.errors import UsageError
from mapgen.output import STAGING, ArtifactSet, verify_set, write_sets
from mapgen.renderers.base import Artifact
from tests.conftest import SAMPLES_DIR

MINIMAL = SAMPLES_DIR / "minimal" / "plan.yaml"
NAMES = ("p.pdf", "p.html", "p.ics", "p.buyer.ics")


def revision(n: int, plan_id: str = "p", names: tuple[str, ...] = NAMES) -> ArtifactSet:
    names = tuple(name.replace("p.", f"{plan_id}.", 1) for name in names)
    files = tuple(Artifact(name, f"{name} of revision {n}\n".encode() * n, "text/plain") for name in names)
    return ArtifactSet(plan_id, n, f"fingerprint-{n}", "buyer", files)


def steps_of(out_dir: Path, sets: list[ArtifactSet]) -> list[str]:
    seen: list[str] = []
    output._fault = seen.append
    try:
        write_sets(out_dir, sets)
    finally:
        output._fault = None
    return seen


def killed_at(out_dir: Path, sets: list[ArtifactSet], step: str) -> None:
    """Write `sets` in a child process that SIGKILLs itself when it reaches `step`."""
    killed_during(lambda: write_sets(out_dir, sets), step)


def killed_during(write: Callable[[], object], step: str) -> None:
    """Run `write` in a child process that SIGKILLs itself when the write reaches `step`."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        try:

            def die(name: str) -> None:
                if name == step:
                    os.kill(os.getpid(), signal.SIGKILL)

            output._fault = die
            write()
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, step


def test_kill_at_every_step_leaves_a_set_a_reader_can_tell(tmp_path: Path) -> None:
    old, new = [revision(1), revision(1, "q")], [revision(2), revision(2, "q")]
    steps = steps_of(tmp_path / "probe", new)
    assert len(steps) == 2 + 2 * (2 * len(NAMES) + 3)  # locked, staged and renamed files, done
    for i, step in enumerate(steps):
        out_dir = tmp_path / f"step-{i}"
        write_sets(out_dir, old)
        killed_at(out_dir, new, step)
        expected = {a.name for s in new for a in s.artifacts} | {s.manifest_name for s in new}
        assert {p.name for p in out_dir.iterdir()} <= expected | {STAGING}, step
        for item in new:
            manifest = out_dir / item.manifest_name
            if manifest.exists():
                revision_seen = json.loads(manifest.read_text())["plan"]["revision"]
                assert verify_set(out_dir, item.plan_id) == [], step
                assert revision_seen in (1, 2)
        # The next run cleans up whatever the killed one left, and leaves a verified set.
        write_sets(out_dir, new)
        assert not (out_dir / STAGING).exists()
        assert sorted(p.name for p in out_dir.iterdir()) == sorted(
            [a.name for s in new for a in s.artifacts] + [s.manifest_name for s in new]
        )
        assert verify_set(out_dir, "p") == verify_set(out_dir, "q") == []


def test_a_file_from_another_render_fails_verification(tmp_path: Path) -> None:
    write_sets(tmp_path, [revision(1)])
    (tmp_path / "p.pdf").write_bytes(b"from revision 2")
    assert verify_set(tmp_path, "p") == [
        f"{tmp_path / 'p.pdf'}: does not match p.manifest.json (changed or from another render)"
    ]
    (tmp_path / "p.manifest.json").unlink()
    assert "no manifest" in verify_set(tmp_path, "p")[0]


def test_manifest_names_sizes_hashes_and_the_plan(tmp_path: Path) -> None:
    assert main_exit("render", str(MINIMAL), "-f", "json,csv", "-o", str(tmp_path), "-q") == 0
    manifest = json.loads((tmp_path / "minimal.manifest.json").read_text())
    assert manifest["plan"]["id"] == "minimal" and manifest["plan"]["audience"] == "buyer"
    assert len(manifest["plan"]["fingerprint"]) == 64 and manifest["plan"]["revision"] >= 1
    assert [f["name"] for f in manifest["files"]] == ["minimal.csv", "minimal.json"]
    assert all(f["size"] == (tmp_path / f["name"]).stat().st_size for f in manifest["files"])
    assert verify_set(tmp_path, "minimal") == []


def test_a_partial_render_keeps_unchanged_files_of_the_same_plan_content(tmp_path: Path) -> None:
    write_sets(tmp_path, [revision(1)])
    write_sets(tmp_path, [revision(1, names=("p.pdf",))])
    assert len(json.loads((tmp_path / "p.manifest.json").read_text())["files"]) == len(NAMES)
    write_sets(tmp_path, [revision(2, names=("p.pdf",))])
    # Files of revision 1 stay on disk but are not part of revision 2's set.
    assert [f["name"] for f in json.loads((tmp_path / "p.manifest.json").read_text())["files"]] == ["p.pdf"]
    assert verify_set(tmp_path, "p") == []


def test_a_second_render_into_the_same_folder_waits_then_fails_clearly(tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()

    def hold(step: str) -> None:
        if step == "locked":
            entered.set()
            release.wait(30)

    output._fault = hold
    first = threading.Thread(target=write_sets, args=(tmp_path, [revision(1)]))
    first.start()
    try:
        assert entered.wait(30)
        output._fault = None
        messages: list[str] = []
        with pytest.raises(UsageError, match="another mapgen render is writing into"):
            write_sets(tmp_path, [revision(2)], wait=0.2, on_wait=messages.append)
        assert messages == [f"waiting for another mapgen render into {tmp_path} to finish"]
    finally:
        release.set()
        first.join()
    assert verify_set(tmp_path, "p") == []
    assert json.loads((tmp_path / "p.manifest.json").read_text())["plan"]["revision"] == 1


def test_concurrent_renders_leave_one_whole_revision(tmp_path: Path) -> None:
    pids = []
    for n in range(2, 6):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 0
            try:
                write_sets(tmp_path, [revision(n)])
            except BaseException:
                code = 3
            os._exit(code)
        pids.append(pid)
    assert all(os.waitpid(pid, 0)[1] == 0 for pid in pids)
    assert verify_set(tmp_path, "p") == []
    manifest = json.loads((tmp_path / "p.manifest.json").read_text())
    n = manifest["plan"]["revision"]
    assert all(
        (tmp_path / name).read_bytes() == revision(n).artifacts[i].data for i, name in enumerate(NAMES)
    )


def test_a_folder_in_the_way_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    write_sets(tmp_path, [revision(1)])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    (tmp_path / "p.ics").unlink()
    (tmp_path / "p.ics").mkdir()
    with pytest.raises(UsageError, match=f"cannot write {tmp_path / 'p.ics'}: a folder of that name"):
        write_sets(tmp_path, [revision(2)])
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == {k: v for k, v in before.items() if k != "p.ics"}
    assert not (tmp_path / STAGING).exists()


def test_a_full_disk_leaves_the_previous_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_sets(tmp_path, [revision(1)])
    real = output._write_file

    def full(path: Path, data: bytes) -> None:
        if path.name == "p.ics":
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(output, "_write_file", full)
    with pytest.raises(UsageError, match=f"cannot write {tmp_path / 'p.ics'}: No space left on device"):
        write_sets(tmp_path, [revision(2)])
    assert verify_set(tmp_path, "p") == []
    assert not (tmp_path / STAGING).exists()


def main_exit(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return int(done.value.code or 0)


def test_two_mapgen_renders_of_different_revisions_into_one_folder(tmp_path: Path) -> None:
    """The issue's probe: revision 98 and 99 rendered into one folder at once used to mix files."""
    import subprocess
    import sys

    plans = []
    for n in (98, 99):
        plan = tmp_path / f"r{n}" / "plan.yaml"
        plan.parent.mkdir()
        plan.write_text(
            MINIMAL.read_text(encoding="utf-8").replace("revision: 1", f"revision: {n}"), encoding="utf-8"
        )
        plans.append(plan)
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "mapgen", "render", str(plan), "-f", "json,ics,csv", "-o", str(out), "-q"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for plan in plans
    ]
    assert all(run.wait() == 0 for run in runs), [run.stderr.read() for run in runs if run.stderr]
    assert verify_set(out, "minimal") == []
    revision = json.loads((out / "minimal.manifest.json").read_text())["plan"]["revision"]
    assert json.loads((out / "minimal.json").read_text())["plan"]["revision"] == revision
    assert not (out / STAGING).exists()


PLAN_COMMANDS = {
    "new": ["new", "--template", "mid-market", "--set", "deal.target_close=2027-06-30"],
    "import": ["import", str(Path(__file__).parent / "fixtures" / "sheets" / "clean.csv"), "--set", "buyer.name=Acme"],
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(PLAN_COMMANDS))
def test_new_and_import_replace_a_plan_whole_or_not_at_all(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mapgen new` and `import` write their one file like a render: a kill at any step leaves the
    previous plan or the new one, whole, and nothing the next write does not remove; a failed write
    (a full disk) exits 2 and leaves the previous plan and no temporary file."""
    out = tmp_path / "plan.yaml"
    args = [*PLAN_COMMANDS[command], "-o", str(out), "--force"]
    out.write_text("previous\n", encoding="utf-8")
    steps: list[str] = []
    output._fault = steps.append
    try:
        assert main_exit(*args) == 0
    finally:
        output._fault = None
    assert steps == ["locked", "staged plan.yaml", "renamed plan.yaml", "done"]
    written = out.read_text(encoding="utf-8")
    assert written.count("phases:") == 1
    for step in steps:
        out.write_text("previous\n", encoding="utf-8")
        killed_during(lambda: main(args), step)
        assert out.read_text(encoding="utf-8") in ("previous\n", written), step
        assert {p.name for p in tmp_path.iterdir()} <= {"plan.yaml", STAGING}, step

    out.write_text("previous\n", encoding="utf-8")

    def disk_full(step: str) -> None:
        if step.startswith("staged"):
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / STAGING / "plan.yaml"))

    output._fault = disk_full
    try:
        assert main_exit(*args) == 2
    finally:
        output._fault = None
    assert f"cannot write {out}: No space left on device" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]
    assert main_exit(*args) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"] and out.read_text(
        encoding="utf-8"
    ) == written


def test_a_plan_file_named_with_a_leading_dot_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / ".plan.yaml"
    assert main_exit(*PLAN_COMMANDS["new"], "-o", str(out)) == 2
    assert (
        f"cannot write {out}: mapgen does not write files named with a leading '.'" in capsys.readouterr().err
    )
    assert list(tmp_path.iterdir()) == []
