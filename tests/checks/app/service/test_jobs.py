"""Batch jobs: a bounded pool (max_jobs at once, the rest queued), progress, job.json, restart, shutdown."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import redline.checks.screen
from redline.layers import sample_dir

from .conftest import make_client, wait_job

SAMPLE = json.loads((sample_dir() / "sites.geojson").read_text("utf-8"))["features"]
EXPECTED = {f["properties"]["site_id"]: f["properties"]["expected_verdict"] for f in SAMPLE}


def collection(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


def verdicts(client, job) -> dict[str, str]:
    import csv
    import io

    text = client.get(job["files"]["sites.csv"]).content.decode("utf-8-sig")
    return {r["site_id"]: r["verdict"] for r in csv.DictReader(io.StringIO(text))}


@pytest.fixture
def gate(monkeypatch):
    """Hold every job at the start of screening until the returned event is set; record progress calls."""
    real = redline.checks.screen.screen_sites
    release = threading.Event()
    release.calls = {}

    def held(sites, layerset, **kwargs):
        if not callable(kwargs.get("progress")):  # not a job (the service's warm-up check)
            return real(sites, layerset, **kwargs)
        assert release.wait(30), "the test never released the jobs"
        report = kwargs["progress"]
        calls = release.calls.setdefault(threading.get_ident(), [])

        def progress(done, total):
            calls.append((done, total))
            report(done, total)

        return real(sites, layerset, **{**kwargs, "progress": progress})

    monkeypatch.setattr(redline.checks.screen, "screen_sites", held)
    return release


def states(client, ids) -> list[str]:
    return [client.get(f"/api/jobs/{i}").json()["status"] for i in ids]


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_five_jobs_submitted_at_once_run_two_at_a_time_and_each_is_right(sample_layers, tmp_path, gate):
    groups = [[f for i, f in enumerate(SAMPLE) if i % 5 == k] for k in range(5)]
    with make_client(sample_layers, work_dir=tmp_path, max_jobs=2) as c:

        def post(k):
            return c.post(
                "/api/batch",
                files={"file": (f"group{k}.geojson", collection(groups[k]))},
                data={"formats": "csv"},
            )

        with ThreadPoolExecutor(5) as pool:
            answers = list(pool.map(post, range(5)))
        assert [a.status_code for a in answers] == [202] * 5
        ids = [a.json()["job_id"] for a in answers]
        assert len(set(ids)) == 5
        wait_for(lambda: sorted(states(c, ids)) == ["queued"] * 3 + ["running"] * 2)
        time.sleep(0.2)  # still held: no third job starts while two run
        assert sorted(states(c, ids)) == ["queued"] * 3 + ["running"] * 2
        running = [c.get(f"/api/jobs/{i}").json() for i in ids if states(c, [i]) == ["running"]]
        assert all(j["stage"] == "reading" or j["stage"] == "screening" for j in running)
        gate.set()
        jobs = [wait_job(c, i) for i in ids]
        for k, job in enumerate(jobs):
            assert job["status"] == "done", job
            expected = {f["properties"]["site_id"]: EXPECTED[f["properties"]["site_id"]] for f in groups[k]}
            assert verdicts(c, job) == expected
            assert job["progress"] == {"done": len(groups[k]), "total": len(groups[k])}
            saved = json.loads((tmp_path / "jobs" / job["job_id"] / "job.json").read_text("utf-8"))
            assert saved["status"] == "done" and saved["files"] == ["sites.csv", "findings.csv", "summary.json"]
            assert saved["counts"] == job["counts"]
    assert len(gate.calls) == 2  # two worker threads ran the five jobs
    assert sum(len(calls) for calls in gate.calls.values()) == 5 * 2  # (0, n) and (n, n) per job


def test_progress_is_reported_after_each_chunk(sample_layers, tmp_path, gate):
    from redline.checks.app.service.jobs import BatchOptions, Job, JobManager

    manager = JobManager(sample_layers, tmp_path, max_jobs=1, chunk_size=10)
    job_id, folder = manager.new_folder()
    dataset = folder / "input" / "upload.geojson"
    dataset.write_bytes(collection(SAMPLE))
    manager.submit(Job(job_id, folder, dataset, "upload.geojson", BatchOptions(formats=["csv"])))
    manager.start()
    gate.set()
    wait_for(lambda: manager.get(job_id).status in ("done", "error"), 60)
    manager.close()
    job = manager.get(job_id)
    assert job.status == "done", job.error
    (calls,) = gate.calls.values()
    # the screening counts the sites it screens: a site outside the layers' coverage is not screened
    n = sum(f["properties"]["expected_verdict"] != "no_coverage" for f in SAMPLE)
    assert 0 < n < len(SAMPLE)
    assert calls == [(done, n) for done in [0, *range(10, n, 10), n]]
    assert (job.done, job.total) == (len(SAMPLE), len(SAMPLE))  # the job's progress: every site of the upload


def test_finished_jobs_survive_a_restart_and_unfinished_ones_are_marked(sample_layers, tmp_path):
    with make_client(sample_layers, work_dir=tmp_path) as c:
        accepted = c.post(
            "/api/batch", files={"file": ("s.geojson", collection(SAMPLE[:4]))}, data={"formats": "csv"}
        ).json()
        done = wait_job(c, accepted["job_id"])
        assert done["status"] == "done"
        sites_csv = c.get(done["files"]["sites.csv"]).content
    # a job that was running when the process died
    stale = tmp_path / "jobs" / ("a" * 32)
    (stale / "input").mkdir(parents=True)
    state = json.loads((tmp_path / "jobs" / done["job_id"] / "job.json").read_text("utf-8"))
    state.update(job_id="a" * 32, folder=str(stale), status="running", stage="screening", files=[], counts=None)
    (stale / "job.json").write_text(json.dumps(state), "utf-8")
    (tmp_path / "jobs" / "not-a-job").mkdir()

    with make_client(sample_layers, work_dir=tmp_path) as c:
        again = c.get(f"/api/jobs/{done['job_id']}").json()
        assert again["status"] == "done" and again["counts"] == done["counts"]
        assert c.get(again["files"]["sites.csv"]).content == sites_csv
        interrupted = c.get(f"/api/jobs/{'a' * 32}").json()
        assert interrupted["status"] == "error" and "stopped before the job finished" in interrupted["error"]
    assert tmp_path.is_dir()  # a work dir given by the user is kept


def test_shutdown_stops_running_and_queued_jobs(sample_layers, tmp_path, gate):
    from redline.checks.app.service.jobs import BatchOptions, Job, JobManager

    manager = JobManager(sample_layers, tmp_path, max_jobs=1)
    ids = []
    for _ in range(2):
        job_id, folder = manager.new_folder()
        dataset = folder / "input" / "upload.geojson"
        dataset.write_bytes(collection(SAMPLE[:3]))
        manager.submit(Job(job_id, folder, dataset, "upload.geojson", BatchOptions(formats=["csv"])))
        ids.append(job_id)
    manager.start()
    wait_for(lambda: manager.get(ids[0]).status == "running")
    threading.Timer(0.2, gate.set).start()  # the running job reaches its first progress report after close()
    manager.close(timeout=20)
    first, second = (manager.get(i) for i in ids)
    assert first.status == "error" and "stopped before the job finished" in first.error
    assert second.status == "error" and "stopped before the job started" in second.error
    for job in (first, second):
        assert json.loads((job.folder / "job.json").read_text("utf-8"))["status"] == "error"


def test_the_default_work_dir_is_temporary(sample_layers):
    from redline.checks.app.service import create_app

    from .conftest import TestClient

    app = create_app(sample_layers)
    root = app.state.work_dir
    with TestClient(app) as c:
        job = wait_job(
            c,
            c.post("/api/batch", files={"file": ("s.geojson", collection(SAMPLE[:2]))}, data={"formats": "csv"}).json()[
                "job_id"
            ],
        )
        assert job["status"] == "done" and (root / "jobs" / job["job_id"] / "out" / "sites.csv").is_file()
    assert not root.exists()


def test_job_and_check_ids_are_checked(sample_layers, tmp_path):
    from redline.checks.app.service.jobs import JobManager, RecentChecks, valid_id

    manager = JobManager(sample_layers, tmp_path)
    assert manager.get("../../etc") is None and manager.get("A" * 32) is None
    recent = RecentChecks(tmp_path / "checks", capacity=1)
    assert recent.file("0" * 32, "report.html") is None
    assert recent.file("../x", "report.html") is None
    assert not valid_id("0" * 31) and valid_id("0123456789abcdef" * 2)
    with pytest.raises(ValueError, match="max_jobs must be at least 1"):
        JobManager(sample_layers, tmp_path, max_jobs=0)
