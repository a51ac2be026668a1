"""A writer killed half-way (SIGKILL, mid-transaction) leaves the register exactly as it was."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from redline.checks.register import open_register
from redline.checks.screen import screen_sites
from redline.checks.sites.reader import read_sites
from redline.layers import load_layerset, sample_dir
from tests._postgres import cluster, fresh_database

# The writer records the sample screening, pausing (and saying so) when half its sites are written.
WRITER = """
import sys, time
from redline.checks.register import open_register, rows
from redline.checks.screen import screen_sites
from redline.checks.sites.reader import read_sites
from redline.layers import load_layerset, sample_dir

whole = rows.site_rows

def half_then_wait(result, run_id, encode):
    produced = list(whole(result, run_id, encode))
    yield from produced[: len(produced) // 2]
    print("HALF", flush=True)
    time.sleep(300)
    yield from produced[len(produced) // 2 :]

rows.site_rows = half_then_wait
register = open_register(sys.argv[1])
sites, _ = read_sites(sample_dir() / "sites.geojson")
register.record(screen_sites(sites, load_layerset("sample")), command="the killed run")
print("DONE", flush=True)
"""


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, tmp_path) -> str:
    if request.param == "gpkg":
        return str(tmp_path / "register.gpkg")
    return fresh_database("killed")


def _state(register) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return register.runs(), register.latest_sites().drop(columns="project"), register.latest_findings()


def _wait_for(proc: subprocess.Popen, word: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            line = proc.stdout.readline()
            if line.strip() == word:
                return
            if not line and proc.poll() is not None:
                break
    proc.kill()
    raise AssertionError(f"the writer never said {word}: {proc.stderr.read()[-2000:]}")


def test_a_writer_killed_half_way_records_nothing(target):
    register = open_register(target)
    layers = load_layerset("sample")
    sites, _ = read_sites(sample_dir() / "sites.geojson")
    register.record(screen_sites(sites.head(10), layers), command="the run before")
    before = _state(register)

    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, target], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(proc, "HALF", 180)
        if target.endswith(".gpkg"):  # the transaction is open: its journal is on disk
            assert os.path.exists(target + "-journal")
        else:  # the server has the writer's transaction open, the run's row inserted
            open_writes = cluster().psql(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'redline-checker' "
                "AND backend_xid IS NOT NULL",
                database=target.rsplit("/", 1)[1],
            )
            assert int(open_writes) == 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    after = _state(open_register(target))
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(old, new)
    if target.endswith(".gpkg"):
        with sqlite3.connect(target) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 10
    # and the register takes the next run as usual
    run_id = register.record(screen_sites(sites.head(3), layers), command="the run after")
    assert register.runs()["command"].tolist() == ["the run before", "the run after"]
    assert set(register.latest_sites()["run_id"]) == {before[0]["run_id"].iloc[0], run_id}
