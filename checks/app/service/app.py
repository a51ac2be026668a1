"""The screening web service: a FastAPI application over the loaded layer set.

:func:`create_app` builds it; ``redline serve`` runs it with uvicorn.  The layer set is
loaded once by the caller and shared, read only, by every request and job.  Screening is
CPU-bound, so every screening endpoint is a plain ``def`` (FastAPI runs it in its thread
pool) and batch jobs run in their own bounded pool (:class:`redline.checks.app.service.jobs.JobManager`).

The endpoints live in a module a job: :mod:`.routes_reference` (layers, zones, industries,
tags), :mod:`.routes_check` (one site), :mod:`.routes_batch` (uploads and jobs), :mod:`.pages`
(health, the web page, the API reference, static files).

Safety: with a token every ``/api`` call needs ``Authorization: Bearer TOKEN`` (checked
before a byte of the body is read, :mod:`.guard`); request bodies are limited while they
stream in; uploads are saved under server-chosen names and archives unpacked by
:mod:`redline.checks.app.service.uploads`; every error is ``{"error": {"field", "message"}}``
JSON, never a traceback (:mod:`.errors`).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.security import HTTPBearer

from redline._version import __version__
from redline.checks import options
from redline.checks.app.service import pages, routes_batch, routes_check, routes_reference
from redline.checks.app.service.errors import RESPONSES, ApiError, install_error_handlers
from redline.checks.app.service.guard import Guard
from redline.checks.app.service.jobs import JobManager, RecentChecks
from redline.checks.app.service.payloads import ZoneIndex
from redline.checks.app.service.state import Service
from redline.checks.app.service.uploads import ArchiveLimits

__all__ = ["ApiError", "create_app"]

_DESCRIPTION = (
    "Screen project sites against ecological red lines, drinking-water source zones, control units "
    "(三线一单) and basic farmland.  项目选址生态环境分区管控筛查。\n\n"
    "With a token, every `/api` call needs `Authorization: Bearer TOKEN`.  Every error is "
    '`{"error": {"field": ..., "message": ...}}`.'
)


def _warm_up(layerset, catalog) -> None:
    """Screen one point so every layer's spatial index and prepared zones exist before threads share them."""
    from redline.checks.screen import check_site

    center = layerset.center()
    if center is not None:
        check_site(f"{center[0]},{center[1]}", layerset, catalog=catalog)


def _api_router() -> APIRouter:
    """Return the ``/api`` operations, each behind the bearer token when the service has one."""
    bearer = HTTPBearer(auto_error=False, description="the service's token (redline serve --token)")
    api = APIRouter(prefix="/api", dependencies=[Depends(bearer)], responses={401: RESPONSES[401]})
    for module in (routes_reference, routes_check, routes_batch):
        api.include_router(module.router)
    return api


def create_app(
    layerset,
    *,
    token: str | None = None,
    max_upload_bytes: int = 200 * 1024**2,
    work_dir: Path | None = None,
    max_jobs: int = 2,
    lang: str = "zh",
    check_cache: int = 256,
    archive_limits: ArchiveLimits | None = None,
    check_threads: int = 1,
) -> FastAPI:
    """Build the screening service for a loaded layer set.

    Parameters
    ----------
    layerset : LayerSet
        From :func:`layers.load_layerset`; shared read only by every request.
    token : str, optional
        When given, every ``/api`` call needs ``Authorization: Bearer TOKEN`` (else 401).
    max_upload_bytes : int
        Largest upload of ``POST /api/batch`` (else 413); request bodies are limited to it too.
    work_dir : Path, optional
        Folder for jobs and report files; by default a temporary folder removed at shutdown.
    max_jobs : int
        Batch jobs running at once; more are queued.
    lang : {"zh", "en"}
        Default language of labels, rule texts and reports.
    check_cache : int
        Recent check results kept for their report links.
    archive_limits : ArchiveLimits, optional
        Limits on uploaded zip archives (files, unpacked size, ratio).
    check_threads : int
        Single-site checks screened at the same time (others wait their turn).  Screening is
        mostly Python holding the GIL, so more threads only contend: with one, the load benchmark
        used about 30 % less CPU per request and answered faster than with one thread per request.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    RedlineError
        For a bad option (``param`` names it).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> app = create_app(load_layerset("sample"), token="s3cret", work_dir="service-work")
    >>> sorted(path for path in app.openapi()["paths"] if path.startswith("/api/c"))
    ['/api/check', '/api/checks/{check_id}/{name}']
    """
    lang = options.lang(lang)
    screen_slots = threading.BoundedSemaphore(options.at_least_one(check_threads, "check_threads"))
    max_upload_bytes = options.max_upload_bytes(max_upload_bytes)
    own_dir = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="redline-serve-")) if own_dir else Path(work_dir)
    root.mkdir(parents=True, exist_ok=True)
    catalog = layerset.catalog()
    _warm_up(layerset, catalog)
    svc = Service(
        layerset=layerset,
        catalog=catalog,
        jobs=JobManager(layerset, root, max_jobs=max_jobs, catalog=catalog),
        recent=RecentChecks(root / "checks", capacity=check_cache),
        zone_index=ZoneIndex(layerset),
        confidential_zones=layerset.confidential_zones(),
        screen_slots=screen_slots,
        lang=lang,
        max_upload_bytes=max_upload_bytes,
        archive_limits=archive_limits or ArchiveLimits(),
        work_dir=root,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        svc.jobs.start()
        try:
            yield
        finally:
            svc.jobs.close()
            if own_dir:
                shutil.rmtree(root, ignore_errors=True)

    app = FastAPI(
        title="redline-checker 生态环境分区管控筛查服务 / screening service",
        version=__version__,
        description=_DESCRIPTION
        + ("\n\n**示意数据，非官方 / illustrative data, not official.**" if layerset.illustrative else ""),
        lifespan=lifespan,
        # FastAPI's Swagger UI and ReDoc load their scripts from CDNs; /docs is our own page instead
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = svc
    app.state.layerset, app.state.jobs, app.state.recent, app.state.work_dir = layerset, svc.jobs, svc.recent, root
    app.add_middleware(Guard, token=token, max_upload_bytes=max_upload_bytes)
    install_error_handlers(app)
    app.include_router(pages.router)
    app.include_router(_api_router())
    pages.mount_static(app)
    return app
