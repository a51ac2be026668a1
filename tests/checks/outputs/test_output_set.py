"""An output set is staged, then swapped in whole: the folder never mixes two runs (issue 20)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys

import pytest

from redline.checks.outputs import set_swap
from redline.checks.outputs.output_set import OutputSet, output_error
from redline.checks.outputs.set_swap import JOURNAL, LOCK, STAGING_PREFIX, clear_stale, swap
from redline.checks.outputs.writers import OUTPUT_FILES
from redline.zones.errors import RedlineError


def _previous_set(out, names=("sites.csv", "findings.csv", "results.gpkg", "report.html")) -> dict[str, bytes]:
    """Write a previous set (its summary.json lists its files); return every file's bytes."""
    out.mkdir(exist_ok=True)
    for name in names:
        (out / name).write_bytes(f"previous {name}".encode())
    summary = {"tool": "redline-checker", "run_id": "OLD", "files": [*names, "summary.json"]}
    (out / "summary.json").write_text(json.dumps(summary), "utf-8")
    return _contents(out)


def _contents(out) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def _write(files: OutputSet, name: str, text: str) -> None:
    with files.writing(name) as path:
        path.write_text(text, "utf-8")


def test_the_new_set_replaces_the_previous_one_whole_and_keeps_the_users_files(tmp_path):
    out = tmp_path / "out"
    _previous_set(out)
    (out / "notes.txt").write_text("mine", "utf-8")
    with OutputSet(out, OUTPUT_FILES) as files:
        _write(files, "sites.csv", "new sites")
        _write(files, "findings.csv", "new findings")
        assert sorted(_contents(out)) == [
            "findings.csv",
            "notes.txt",
            "report.html",
            "results.gpkg",
            "sites.csv",
            "summary.json",
        ]
        written = files.commit({"tool": "redline-checker", "files": []})
    assert [p.name for p in written] == ["sites.csv", "findings.csv", "summary.json"]
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "notes.txt", "sites.csv", "summary.json"]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["run_id"] == files.run_id and summary["files"] == ["sites.csv", "findings.csv", "summary.json"]
    for name in ("sites.csv", "findings.csv"):
        assert summary["sha256"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest()


def test_a_file_the_previous_summary_does_not_list_is_the_users(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "map.html").write_text("the user's own map", "utf-8")  # a folder this tool never wrote
    with OutputSet(out, OUTPUT_FILES) as files:
        _write(files, "sites.csv", "new")
        files.commit({"tool": "redline-checker"})
    assert (out / "map.html").read_text("utf-8") == "the user's own map"


def test_added_files_keep_the_others_when_asked(tmp_path):
    out = tmp_path / "out"
    _previous_set(out)
    with OutputSet(out, OUTPUT_FILES, replace=False) as files:
        _write(files, "map.html", "map")
        files.commit({"tool": "redline-checker"})
    assert sorted(p.name for p in out.iterdir()) == [
        "findings.csv", "map.html", "report.html", "results.gpkg", "sites.csv", "summary.json"
    ]  # fmt: skip


@pytest.mark.parametrize("failure", [ValueError("bad input"), KeyboardInterrupt()])
def test_a_failed_run_leaves_the_previous_set_byte_for_byte_and_no_staging_folder(tmp_path, failure):
    out = tmp_path / "out"
    before = _previous_set(out)
    with pytest.raises(type(failure)), OutputSet(out, OUTPUT_FILES) as files:
        _write(files, "sites.csv", "half of a new set")
        raise failure
    assert _contents(out) == before and sorted(p.name for p in out.iterdir()) == sorted(before)


def test_an_os_error_names_the_file_in_the_output_folder_and_the_cause(tmp_path):
    out = tmp_path / "out"
    before = _previous_set(out)
    with (
        pytest.raises(RedlineError) as caught,
        OutputSet(out, OUTPUT_FILES) as files,
        files.writing("findings.csv") as path,
    ):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    err = caught.value
    assert err.param == "out" and err.value == str(out / "findings.csv")
    target = out / "findings.csv"
    assert (
        str(err) == f"out: cannot write '{target}' (No space left on device); free some space or choose another folder"
    )
    assert "磁盘空间不足" in err.zh and str(out / "findings.csv") in err.zh
    assert _contents(out) == before


@pytest.mark.parametrize(
    ("code", "cause", "advice"),
    [
        (errno.EROFS, "Read-only file system", "choose a writable folder"),
        (errno.EACCES, "Permission denied", "choose a writable folder"),
        (errno.EFBIG, "File too large", "choose another folder"),
        (errno.EIO, "Input/output error", "choose another folder"),
    ],
)
def test_every_os_error_is_one_message(tmp_path, code, cause, advice):
    err = output_error(OSError(code, os.strerror(code)), tmp_path / "report.html")
    assert str(err) == f"out: cannot write '{tmp_path / 'report.html'}' ({cause}); {advice}"
    assert isinstance(err, RedlineError) and err.zh.startswith("⟨out⟩：无法写入")


def test_a_folder_that_takes_no_staging_folder_is_one_error_naming_it(tmp_path, monkeypatch):
    out = tmp_path / "out"
    files = OutputSet(out, OUTPUT_FILES)

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(type(out), "mkdir", read_only)
    with pytest.raises(RedlineError) as caught, files:
        pass
    assert str(caught.value) == f"out: cannot write into '{out}' (Read-only file system); choose a writable folder"


def test_a_stale_staging_folder_goes_a_live_one_stays(tmp_path):
    out = tmp_path / "out"
    before = _previous_set(out)
    dead = out / f"{STAGING_PREFIX}dead"
    dead.mkdir()
    (dead / LOCK).write_text("")
    (dead / "findings.csv").write_text("half")
    (out / ".sites.csv.0123456789ab.csv").write_text("left by an old version")
    (out / ".findings.csv.k2j3_4h5.csv").write_text("left by an old version")
    live = out / f"{STAGING_PREFIX}live"
    live.mkdir()
    holder = subprocess.Popen(  # another process writing into the folder: holds its lock
        [sys.executable, "-c", HOLD, str(live / LOCK)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "HELD"
        with OutputSet(out, OUTPUT_FILES) as files:
            assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
                files.staging.name, live.name
            ]  # fmt: skip
    finally:
        holder.kill()
        holder.communicate()
    assert _contents(out) == before and sorted(p.name for p in out.iterdir()) == sorted([*before, live.name])
    assert clear_stale(out) == [live.name]  # its process is gone now


HOLD = """
import sys, time
from pathlib import Path
from redline.checks.outputs.set_swap import hold_lock
hold_lock(Path(sys.argv[1]))
print("HELD", flush=True)
time.sleep(60)
"""


def _staged_swap(out, names, remove):
    """A staging folder whose swap was begun (its journal written) by a run that died."""
    staging = out / f"{STAGING_PREFIX}killed"
    staging.mkdir()
    for name in names:
        (staging / name).write_text(f"new {name}", "utf-8")
    journal = {"run_id": "killed", "files": names, "remove": remove}
    (staging / JOURNAL).write_text(json.dumps(journal), "utf-8")
    return staging, journal


def test_a_swap_killed_half_way_is_finished_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    _previous_set(out)
    names = ["sites.csv", "findings.csv", "summary.json"]
    staging, _ = _staged_swap(out, names, ["results.gpkg", "report.html"])
    # the run died after its first steps: the old summary and the gpkg gone, sites.csv moved in
    (out / "summary.json").unlink()
    (out / "results.gpkg").unlink()
    os.replace(staging / "sites.csv", out / "sites.csv")
    with OutputSet(out, OUTPUT_FILES):
        pass
    assert _contents(out) == {name: f"new {name}".encode() for name in names}


def test_an_error_in_the_middle_of_a_swap_puts_the_previous_set_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    before = _previous_set(out)
    names = ["sites.csv", "findings.csv", "map.html", "summary.json"]
    staging, journal = _staged_swap(out, names, ["results.gpkg", "report.html"])
    real, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if str(dst).endswith("map.html"):
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real(src, dst)

    monkeypatch.setattr(set_swap.os, "replace", failing)
    with pytest.raises(OSError):
        swap(out, staging, journal, backup=True)
    monkeypatch.setattr(set_swap.os, "replace", real)
    assert _contents(out) == before


def test_sigterm_while_writing_removes_the_staging_folder(tmp_path):
    out = tmp_path / "out"
    before = _previous_set(out)
    with pytest.raises(SystemExit) as stopped, OutputSet(out, OUTPUT_FILES) as files:
        _write(files, "sites.csv", "half")
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs between two bytecodes
            pass
    assert stopped.value.code == 128 + signal.SIGTERM
    assert _contents(out) == before and sorted(p.name for p in out.iterdir()) == sorted(before)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back
