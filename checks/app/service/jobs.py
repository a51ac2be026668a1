"""Batch jobs and recent single-site checks of the screening service.

Jobs run in a bounded pool of worker threads (``max_jobs`` at once, the rest queued in
order).  Each job has its own folder under the work dir: ``input/`` (the upload, unpacked),
``out/`` (the outputs) and ``job.json`` (its state, rewritten atomically as it changes), so
a service restarted on the same work dir still lists finished jobs.

Recent check results are kept in a bounded LRU; their report files are written only when
first asked for, into ``checks/<check_id>/`` of the work dir, and removed with the entry.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import os
import queue
import re
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from redline.checks import options
from redline.checks.app.run import ScreenOptions, SiteOptions

__all__ = [
    "REPORT_FILES",
    "BatchOptions",
    "Job",
    "JobManager",
    "RecentChecks",
    "new_id",
    "valid_id",
]

log = logging.getLogger("redline.service")

_ID_RE = re.compile(r"^[0-9a-f]{32}$")

#: Report files of a single check: URL name -> ``write_outputs`` format.
REPORT_FILES: dict[str, str] = {"report.html": "html", "map.html": "map", "report.docx": "docx"}


def new_id() -> str:
    """Return a fresh random id (32 hex digits): job and check ids cannot be guessed.

    Examples
    --------
    >>> valid_id(new_id())
    True
    """
    return uuid.uuid4().hex


def valid_id(value: str) -> bool:
    """Return True when ``value`` has the form of an id from :func:`new_id`.

    Examples
    --------
    >>> valid_id("../etc"), valid_id("0" * 32)
    (False, True)
    """
    return bool(_ID_RE.match(value or ""))


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class BatchOptions(SiteOptions):
    """The options of one batch job (the form fields of ``POST /api/batch``), checked when made.

    The project and reading options of :class:`~redline.checks.app.run.SiteOptions`, and the
    buffer, language, output formats and nearby zones of the run.

    Examples
    --------
    >>> BatchOptions(buffer_m="500", formats="csv").screen_options(chunk_size=100).buffer_m
    500.0
    """

    buffer_m: float = 1000.0
    lang: str = "zh"
    formats: list[str] = field(default_factory=list)
    nearby: str = "nearest"

    def __post_init__(self) -> None:
        super().__post_init__()
        screen = self.screen_options(chunk_size=1)
        for name in ("buffer_m", "lang", "nearby"):
            object.__setattr__(self, name, getattr(screen, name))
        object.__setattr__(self, "formats", options.formats(self.formats))

    def site_options(self) -> SiteOptions:
        """Return the project and reading options of the job."""
        return SiteOptions(**{f.name: getattr(self, f.name) for f in dataclasses.fields(SiteOptions)})

    def screen_options(self, *, chunk_size: int) -> ScreenOptions:
        """Return the screening options of the job, screening ``chunk_size`` sites at a time."""
        return ScreenOptions(buffer_m=self.buffer_m, nearby=self.nearby, lang=self.lang, chunk_size=chunk_size)


@dataclass
class Job:
    """One batch job and its state.

    ``status`` is ``queued``, ``running``, ``done`` or ``error``; ``stage`` says what a running
    job is doing (``reading``, ``screening``, ``writing``).  ``done`` of ``total`` counts the sites
    screened of those to screen while screening; once it is over, every site of the upload (sites
    outside the layers' coverage and rows that cannot be read need no screening, so they are
    counted only then).
    """

    job_id: str
    folder: Path
    dataset: Path
    source: str
    options: BatchOptions
    status: str = "queued"
    stage: str = "queued"
    done: int = 0
    total: int = 0
    counts: dict[str, int] | None = None
    error: str | None = None
    files: list[str] = field(default_factory=list)
    created: str = field(default_factory=_now)
    finished: str | None = None
    client: str = ""

    @property
    def out_dir(self) -> Path:
        """Folder of the job's outputs."""
        return self.folder / "out"

    def to_json(self) -> dict:
        """Return the state saved in ``job.json``."""
        data = asdict(self)
        data["folder"] = str(self.folder)
        data["dataset"] = str(self.dataset)
        return data

    @classmethod
    def from_json(cls, data: dict) -> Job:
        """Rebuild a job from ``job.json``."""
        data = dict(data)
        data["folder"] = Path(data["folder"])
        data["dataset"] = Path(data["dataset"])
        data["options"] = BatchOptions(**data["options"])
        return cls(**data)


class _StoppedError(Exception):
    """Raised inside a running job when the service shuts down."""


class JobManager:
    """Queue and run batch jobs on a bounded pool of threads.

    Parameters
    ----------
    layerset : LayerSet
        Loaded once; shared by every job (read only).
    work_dir : Path
        Jobs live in ``work_dir / "jobs" / <job_id>``.
    max_jobs : int
        Jobs screening at the same time; later ones wait in order.
    catalog : Catalog, optional
        The rules in force (default: the layer set's).
    chunk_size : int
        Sites screened per chunk (progress is reported after each).
    confidential : set of (kind, zone_id), optional
        The zones of confidential layers: a finished job whose findings name one is passed to
        ``audit``.
    audit : callable, optional
        Called as ``audit(job, zones)`` (zones: kind, zone_id and sites of each confidential zone
        the job's findings name) once such a job is done.
    """

    def __init__(
        self,
        layerset,
        work_dir: Path,
        *,
        max_jobs: int = 2,
        catalog=None,
        chunk_size: int = 5000,
        confidential: set[tuple[str, str]] | None = None,
        audit: Callable[[Job, list[dict]], None] | None = None,
    ) -> None:
        max_jobs = options.at_least_one(max_jobs, "max_jobs")
        self.confidential = set(confidential or ())
        self.audit = audit
        self.layerset = layerset
        self.catalog = catalog or layerset.catalog()
        self.root = Path(work_dir) / "jobs"
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_jobs = max_jobs
        self.chunk_size = options.chunk_size(chunk_size)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._reload()

    # ------------------------------------------------------------------ lifecycle

    def _reload(self) -> None:
        """List the jobs a previous run left in the work dir; unfinished ones are marked as interrupted."""
        for path in sorted(self.root.glob("*/job.json")):
            if not valid_id(path.parent.name):
                continue
            try:
                job = Job.from_json(json.loads(path.read_text("utf-8")))
            except (OSError, ValueError, TypeError, KeyError) as exc:
                log.warning("ignoring unreadable %s: %s", path, exc)
                continue
            if job.job_id != path.parent.name:
                continue
            job.folder = path.parent
            if job.status in ("queued", "running"):
                self._finish(job, "error", error="the service stopped before the job finished; submit it again")
            self._jobs[job.job_id] = job

    def start(self) -> None:
        """Start the worker threads (idempotent)."""
        if self._threads:
            return
        self._stopping.clear()
        for i in range(self.max_jobs):
            thread = threading.Thread(target=self._work, name=f"redline-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self, timeout: float = 10.0) -> None:
        """Stop: running jobs stop at their next chunk, queued ones are marked as not run."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = []
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None and job.status == "queued":
                self._finish(job, "error", error="the service stopped before the job started; submit it again")

    # ------------------------------------------------------------------ jobs

    def new_folder(self) -> tuple[str, Path]:
        """Return a new job id and its (created) folder."""
        job_id = new_id()
        folder = self.root / job_id
        (folder / "input").mkdir(parents=True)
        return job_id, folder

    def submit(self, job: Job) -> Job:
        """Queue a job whose input is in place; return it."""
        with self._lock:
            self._jobs[job.job_id] = job
        self._save(job)
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        """Return the job, or None for an unknown id."""
        with self._lock:
            return self._jobs.get(job_id) if valid_id(job_id) else None

    def file(self, job: Job, name: str) -> Path | None:
        """Return the path of an output the job produced, or None (names are looked up, never joined)."""
        if name not in job.files:
            return None
        path = job.out_dir / job.files[job.files.index(name)]
        return path if path.is_file() else None

    def _save(self, job: Job) -> None:
        try:
            _write_json(job.folder / "job.json", job.to_json())
        except OSError as exc:  # the work dir vanished (shutdown); the state in memory stays right
            log.warning("cannot save job %s: %s", job.job_id, exc)

    def _finish(self, job: Job, status: str, *, error: str | None = None) -> None:
        job.status, job.stage, job.error, job.finished = status, status, error, _now()
        self._save(job)

    def _work(self) -> None:
        while not self._stopping.is_set():
            job = self._queue.get()
            if job is None:
                return
            if self._stopping.is_set():
                self._finish(job, "error", error="the service stopped before the job started; submit it again")
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        """Read, screen and write one job (:func:`redline.checks.app.run.run_screening`), saving its state."""
        from redline.checks.app.run import SitesFile, run_screening
        from redline.checks.app.service.errors import api_message, public_text
        from redline.zones.errors import RedlineError

        opts = job.options
        job.status, job.stage = "running", "reading"
        self._save(job)
        screened: list = []
        try:
            run = run_screening(
                SitesFile(job.dataset, label=job.source),
                self.layerset,
                sites=opts.site_options(),
                screen=opts.screen_options(chunk_size=self.chunk_size),
                out=job.out_dir,
                formats=opts.formats,
                stream=False,
                catalog=self.catalog,
                progress=_JobProgress(self, job),
                on_screened=lambda result: self._writing(job, result, screened),
            )
            job.files = [p.name for p in run.files]
            job.counts = run.verdicts
            self._finish(job, "done")
            self._audit(job, screened[0] if screened else None)
        except _StoppedError:
            self._finish(job, "error", error="the service stopped before the job finished; submit it again")
        except ValueError as exc:  # a RedlineError (bad file, column, CRS ...) or another bad value
            value = [exc.value] if isinstance(exc, RedlineError) else []
            self._finish(job, "error", error=public_text(api_message(exc), roots=[self.root.parent], values=value))
        except Exception:
            log.exception("job %s failed", job.job_id)
            self._finish(job, "error", error="internal error while running the job (details are in the server log)")

    def _writing(self, job: Job, result, screened: list) -> None:
        """Between screening and writing: stop if the service is stopping, else say the job writes."""
        if self._stopping.is_set():
            raise _StoppedError
        screened.append(result)
        job.stage = "writing"
        job.done = job.total = len(result.sites)  # (the screening counted only the sites it screened)
        self._save(job)

    def _touched(self, job: Job, result) -> list[dict]:
        """Return the confidential zones a done job's findings name, with the number of sites each."""
        if result is not None:
            pairs = zip(result.findings["kind"].astype(str), result.findings["zone_id"].astype(str), strict=True)
        else:  # streamed: the findings are in findings.csv only
            path = job.out_dir / "findings.csv"
            if not path.is_file():
                return []
            with open(path, encoding="utf-8-sig", newline="") as f:
                pairs = [(row.get("kind", ""), row.get("zone_id", "")) for row in csv.DictReader(f)]
        sites: dict[tuple[str, str], int] = {}
        for pair in pairs:
            if pair in self.confidential:
                sites[pair] = sites.get(pair, 0) + 1
        return [{"kind": k, "zone_id": z, "findings": n} for (k, z), n in sorted(sites.items())]

    def _audit(self, job: Job, result) -> None:
        if self.audit is None or not self.confidential:
            return
        zones = self._touched(job, result)
        if zones:
            self.audit(job, zones)


class _JobProgress:
    """A job's progress callback: the first call starts its screening stage; stops when the service stops."""

    def __init__(self, manager: JobManager, job: Job) -> None:
        self.manager, self.job = manager, job
        self.last_save = time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        if self.manager._stopping.is_set():
            raise _StoppedError
        job = self.job
        job.done, job.total = done, total or 0
        if job.stage == "reading":  # screening starts: the sites are read, their number known
            job.stage = "screening"
            self.manager._save(job)
        elif time.monotonic() - self.last_save > 1.0:
            self.last_save = time.monotonic()
            self.manager._save(job)


@dataclass
class _Check:
    result: object
    lang: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    files: dict[str, Path] = field(default_factory=dict)


class RecentChecks:
    """A bounded LRU of recent check results, whose report files are written on first request.

    Parameters
    ----------
    folder : Path
        Report files go to ``folder / <check_id> /``.
    capacity : int
        Results kept; the least recently used one (and its files) is dropped beyond it.
    """

    def __init__(self, folder: Path, capacity: int = 256) -> None:
        capacity = options.at_least_one(capacity, "capacity")
        self.folder = Path(folder)
        self.capacity = capacity
        self._items: OrderedDict[str, _Check] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, check_id: str, result, lang: str) -> None:
        """Keep a result under ``check_id``; drop the oldest beyond the capacity."""
        dropped = []
        with self._lock:
            self._items[check_id] = _Check(result, lang)
            while len(self._items) > self.capacity:
                dropped.append(self._items.popitem(last=False)[0])
        for old in dropped:
            shutil.rmtree(self.folder / old, ignore_errors=True)

    def file(self, check_id: str, name: str) -> Path | None:
        """Return the path of a report file of a kept check, writing it on first request; None if unknown."""
        fmt = REPORT_FILES.get(name)
        if fmt is None or not valid_id(check_id):
            return None
        with self._lock:
            entry = self._items.get(check_id)
            if entry is None:
                return None
            self._items.move_to_end(check_id)
        from redline.checks.outputs.writers import write_outputs

        with entry.lock:
            path = entry.files.get(name)
            if path is None or not path.is_file():
                written = write_outputs(entry.result, self.folder / check_id, formats=[fmt], lang=entry.lang)
                path = next(p for p in written if p.name == name)
                entry.files[name] = path
        return path
