"""``redline batch`` killed, terminated, out of disk or on a read-only folder: the previous set stays whole (issue 20).

Each case runs the command line in a subprocess (``python -m redline.checks.app.cli``) over a folder
that holds a previous set, and compares that set byte for byte afterwards.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from redline.checks.outputs.set_swap import STAGING_PREFIX
from redline.layers import sample_dir
from tests.checks.test_batch_stream import _generated_points
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def points(tmp_path_factory) -> Path:
    """3000 points over the sample layers: a streamed batch of many chunks."""
    path = tmp_path_factory.mktemp("points") / "points.csv"
    _generated_points(3000, seed=11).to_csv(path, index=False)
    return path


def _previous_set(out: Path, formats: str = "csv,gpkg") -> dict[str, bytes]:
    """Write the sample sites' outputs into ``out``; return every entry's bytes."""
    run_cli(
        "batch", str(sample_dir() / "sites.geojson"), "--out", str(out), "--formats", formats, "--quiet", check=True
    )
    return _contents(out)


def _contents(out: Path) -> dict[str, bytes]:
    return {p.name: (p.read_bytes() if p.is_file() else b"<folder>") for p in sorted(out.iterdir())}


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    command = [sys.executable, "-m", "redline.checks.app.cli", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kwargs)


def _batch(points: Path, out: Path, **kwargs) -> subprocess.Popen:
    return _cli("batch", str(points), "--out", str(out), "--formats", "csv", "--chunk-size", "50", "--quiet", **kwargs)


def _wait_until_half_written(proc: subprocess.Popen, out: Path) -> None:
    """Return once the batch has appended rows to its staged findings.csv (it is then mid-write)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        for staging in out.glob(f"{STAGING_PREFIX}*"):
            if any("findings.csv" in p.name and p.stat().st_size > 4096 for p in staging.iterdir()):
                return
        if proc.poll() is not None:
            break
        time.sleep(0.005)
    proc.kill()
    _, stderr = proc.communicate()
    raise AssertionError(f"the batch was never caught half-way ({proc.returncode}): {stderr[-2000:]}")


def test_a_batch_killed_mid_write_leaves_the_previous_set_and_the_next_run_no_staging_folder(points, tmp_path):
    out = tmp_path / "out"
    before = _previous_set(out)
    proc = _batch(points, out)
    _wait_until_half_written(proc, out)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    left = _contents(out)
    assert [n for n in left if n.startswith(STAGING_PREFIX)]  # SIGKILL: nothing could clean up
    assert {n: b for n, b in left.items() if not n.startswith(STAGING_PREFIX)} == before
    # the next run clears the dead run's folder, and its set replaces the previous one whole
    run_cli("batch", str(points), "--out", str(out), "--formats", "csv", "--quiet", check=True)
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "sites.csv", "summary.json"]


def test_sigterm_and_sigint_mid_write_clean_up_like_an_error(points, tmp_path):
    out = tmp_path / "out"
    before = _previous_set(out)
    for sig, status in ((signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 130)):
        proc = _batch(points, out)
        _wait_until_half_written(proc, out)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == status, stderr
        assert "Traceback" not in stderr
        assert _contents(out) == before  # no staging folder, the previous set byte for byte


@pytest.fixture
def mount_tmpfs(request):
    """Return a function mounting a tmpfs on a folder (as root; False where this system does not allow it).

    Every mount is undone when the test ends, however it ends.
    """

    def mount(folder: Path, options: str) -> bool:
        if os.geteuid() != 0:
            return False
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
        if done.returncode == 0:
            request.addfinalizer(lambda: subprocess.run(["umount", "-l", str(folder)], check=False))
        return done.returncode == 0

    return mount


@pytest.fixture
def small_disk(tmp_path, mount_tmpfs):
    """A 400 KiB file system: room for a small set, not for a batch of thousands of sites."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if not mount_tmpfs(folder, "size=400k"):
        pytest.skip("mounting a tmpfs needs root (the file-size limit test covers the error path)")
    return folder


def _assert_one_clear_error(proc: subprocess.Popen, path: str, causes: tuple[str, ...]) -> str:
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr and path in stderr, stderr
    assert any(cause in stderr for cause in causes), stderr
    assert len([line for line in stderr.splitlines() if line.strip()]) == 1, stderr
    return stderr


def test_a_full_disk_is_exit_2_with_one_message_and_the_previous_set_whole(points, small_disk):
    out = small_disk / "out"
    before = _previous_set(out, "csv")
    proc = _batch(points, out)
    _assert_one_clear_error(proc, str(out), ("No space left on device", "磁盘空间不足"))
    assert _contents(out) == before


def test_a_file_size_limit_is_exit_2_with_one_message(points, tmp_path):
    out = tmp_path / "out"
    before = _previous_set(out, "csv")

    def limit() -> None:  # writes past 200 KiB fail with EFBIG (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200 * 1024, resource.RLIM_INFINITY))

    proc = _batch(points, out, preexec_fn=limit)
    _assert_one_clear_error(proc, str(out / "findings.csv"), ("File too large", "文件超出大小限制"))
    assert _contents(out) == before


def test_a_read_only_folder_is_exit_2_with_one_message(points, tmp_path, mount_tmpfs):
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = mount_tmpfs(folder, "size=4m")
    out = folder / "out"
    before = _previous_set(out, "csv")
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        causes: tuple[str, ...] = ("Read-only file system", "只读文件系统")
    elif os.geteuid() != 0:
        out.chmod(0o555)
        causes = ("Permission denied", "没有写入权限")
    else:
        pytest.skip("root may write anywhere and this system does not allow a read-only mount")
    try:
        _assert_one_clear_error(_batch(points, out), str(out), causes)
        assert _contents(out) == before
    finally:
        if not mounted:
            out.chmod(0o755)
