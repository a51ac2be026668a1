"""The screening web service: a FastAPI application over the loaded layer set.

:func:`create_app` builds it; ``redline serve`` runs it with uvicorn.  The layer set is
loaded once by the caller and shared, read only, by every request and job.  Batch jobs
run in their own bounded pool (:class:`redline.checks.app.service.jobs.JobManager`).

The endpoints live in a module a job: :mod:`.routes_reference` (layers, zones, industries,
tags), :mod:`.routes_check` (one site), :mod:`.routes_batch` (uploads and jobs), :mod:`.pages`
(health, the web page, the API reference, static files).

Safety: with tokens every ``/api`` call needs ``Authorization: Bearer TOKEN`` (checked
before a byte of the body is read, :mod:`.guard`); every client has a quota (:mod:`.clients`,
429 past it); request bodies are limited while they stream in; uploads are saved under
server-chosen names and archives unpacked by :mod:`redline.checks.app.service.uploads`; every
error is ``{"error": {"field", "message"}}`` JSON, never a traceback, a server path or a long
echo of the request (:mod:`.errors`).

Confidential (涉密) layers: checks and jobs screen against them coarsened to their declared
steps (:mod:`.coarse`), so answers cannot trace a boundary finer than that, and every call whose
answer names one of their zones is written to the audit log (:mod:`.audit`).

Checks: each is estimated before it is screened (:mod:`.costs`: refused over the limit) and
screened in one of two lanes (:mod:`.lanes`): small checks in a thread, big ones in a worker
process with a time limit, so a big one never holds up the small ones.  ``/healthz`` waits for
neither.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.security import HTTPBearer

from redline._version import __version__
from redline.checks import options
from redline.checks.app.service import pages, routes_batch, routes_check, routes_reference
from redline.checks.app.service.audit import AuditLog, file_digest
from redline.checks.app.service.clients import DEFAULT_RATE, Clients, RateLimiter, load_tokens, parse_rate
from redline.checks.app.service.coarse import coarsen_layerset
from redline.checks.app.service.costs import CostLimits
from redline.checks.app.service.errors import RESPONSES, ApiError, install_error_handlers
from redline.checks.app.service.guard import Guard
from redline.checks.app.service.jobs import JobManager, RecentChecks
from redline.checks.app.service.lanes import BIG_LANE_MODES, Lanes
from redline.checks.app.service.payloads import ZoneIndex
from redline.checks.app.service.screening import Screener
from redline.checks.app.service.state import Service
from redline.checks.app.service.uploads import ArchiveLimits
from redline.zones.errors import RedlineError, param_ref

__all__ = ["ApiError", "create_app"]

_DESCRIPTION = (
    "Screen project sites against ecological red lines, drinking-water source zones, control units "
    "(三线一单) and basic farmland.  项目选址生态环境分区管控筛查。\n\n"
    "With a token, every `/api` call needs `Authorization: Bearer TOKEN`.  Every error is "
    '`{"error": {"field": ..., "message": ...}}`.'
)


def _api_router() -> APIRouter:
    """Return the ``/api`` operations, each behind the bearer token when the service has one."""
    bearer = HTTPBearer(auto_error=False, description="the service's token (redline serve --token or --tokens)")
    api = APIRouter(prefix="/api", dependencies=[Depends(bearer)], responses={401: RESPONSES[401], 429: RESPONSES[429]})
    for module in (routes_reference, routes_check, routes_batch):
        api.include_router(module.router)
    return api


def _token_optional(app: FastAPI) -> None:
    """Declare the bearer token optional in the OpenAPI schema (a service without tokens needs none).

    The schema's operations keep the ``HTTPBearer`` requirement and get the empty one beside it
    (OpenAPI's way to say "or no authentication"), so a client generated from it, or a fuzzer,
    does not expect 401 where the service answers.
    """
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            for operations in build()["paths"].values():
                for operation in operations.values():
                    if operation.get("security"):
                        operation["security"].append({})
        return app.openapi_schema

    app.openapi = openapi


def _clients(token: str | None, tokens, rate_limit: str | None) -> Clients:
    rate = parse_rate(rate_limit)
    named = load_tokens(tokens, rate) if isinstance(tokens, str | Path) else tokens
    return Clients(token=options.token(token), tokens=named, rate=rate)


def _job_auditor(audit: AuditLog):
    """Return the jobs' audit hook: one line for a done job whose findings name confidential zones."""

    def write(job, zones: list[dict]) -> None:
        digest = file_digest(job.dataset) if job.dataset.is_file() else ""
        audit.write(client=job.client or "unknown", call="batch", ref=job.job_id, site_digest=digest, zones=zones)

    return write


def create_app(
    layerset,
    *,
    token: str | None = None,
    tokens: str | Path | dict | None = None,
    rate_limit: str | None = DEFAULT_RATE,
    max_upload_bytes: int = 200 * 1024**2,
    work_dir: Path | None = None,
    audit_log: Path | None = None,
    max_jobs: int = 2,
    lang: str = "zh",
    check_cache: int = 256,
    archive_limits: ArchiveLimits | None = None,
    check_threads: int = 1,
    check_timeout: float = 30.0,
    big_lane: str = "process",
    big_waiting: int = 4,
    cost_limits: CostLimits | None = None,
) -> FastAPI:
    """Build the screening service for a loaded layer set.

    Parameters
    ----------
    layerset : LayerSet
        From :func:`layers.load_layerset`; shared read only by every request.  Its confidential
        layers are screened against coarsened (:mod:`.coarse`).
    token : str, optional
        When given, every ``/api`` call needs ``Authorization: Bearer TOKEN`` (else 401); the
        client is called ``token``.
    tokens : str, Path or dict, optional
        A tokens file (:mod:`.clients`: names, SHA-256 and quotas), or what
        :func:`.clients.load_tokens` read from one.
    rate_limit : str or None
        The quota of screening calls of each client (``30/min``, ``2/s``; ``"off"`` or None for
        none); other ``/api`` calls get 20 times as many.  Over it: 429 with ``Retry-After``.
    max_upload_bytes : int
        Largest upload of ``POST /api/batch`` (else 413); request bodies are limited to it too.
    work_dir : Path, optional
        Folder for jobs and report files; by default a temporary folder removed at shutdown.
    audit_log : Path, optional
        The audit log of calls touching confidential layers (default ``work_dir/audit.jsonl``).
    max_jobs : int
        Batch jobs running at once; more are queued.
    lang : {"zh", "en"}
        Default language of labels, rule texts and reports.
    check_cache : int
        Recent check results kept for their report links.
    archive_limits : ArchiveLimits, optional
        Limits on uploaded zip archives (files, unpacked size, ratio).
    check_threads : int
        Threads of the lane of small checks.  Screening is mostly Python holding the GIL, so
        more threads only contend: with one, the load benchmark used about 30 % less CPU per
        request and answered faster than with one thread per request.
    check_timeout : float
        Time limit of one check in seconds (504 past it; a big check is stopped).
    big_lane : {"process", "thread"}
        Where big checks are screened (:mod:`.lanes`).
    big_waiting : int
        Big checks that may wait for the big lane (503 beyond).
    cost_limits : CostLimits, optional
        Which checks are big, and the most one check may cost (:mod:`.costs`).

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
    clients = _clients(token, tokens, rate_limit)
    check_threads = options.at_least_one(check_threads, "check_threads")
    max_upload_bytes = options.max_upload_bytes(max_upload_bytes)
    if big_lane not in BIG_LANE_MODES:
        raise RedlineError(
            f"{param_ref('big_lane')} {big_lane!r} is not one of {', '.join(BIG_LANE_MODES)}",
            param="big_lane",
            value=big_lane,
            zh=f"{param_ref('big_lane')} {big_lane!r} 不是 {'、'.join(BIG_LANE_MODES)} 之一",
        )
    own_dir = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="redline-serve-")) if own_dir else Path(work_dir)
    root.mkdir(parents=True, exist_ok=True)
    coarse, view = coarsen_layerset(layerset)
    catalog = coarse.catalog()
    roots = [str(root), str(Path(layerset.path).parent)] if layerset.path else [str(root)]
    screener = Screener(coarse, catalog, view, cost_limits or CostLimits(), roots)
    screener.warm_up()  # every layer's index and prepared zones exist before threads share them
    audit = AuditLog(Path(audit_log) if audit_log else root / "audit.jsonl")
    svc = Service(
        layerset=coarse,
        catalog=catalog,
        jobs=JobManager(
            coarse, root, max_jobs=max_jobs, catalog=catalog, confidential=view.zones, audit=_job_auditor(audit)
        ),
        recent=RecentChecks(root / "checks", capacity=check_cache),
        zone_index=ZoneIndex(layerset),
        view=view,
        lanes=Lanes(
            screener,
            check_threads=check_threads,
            big_lane=big_lane,
            timeout=float(check_timeout),
            max_waiting=options.at_least_one(big_waiting, "big_waiting"),
        ),
        audit=audit,
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
            svc.lanes.close()
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
    app.state.layerset, app.state.jobs, app.state.recent, app.state.work_dir = coarse, svc.jobs, svc.recent, root
    app.add_middleware(Guard, clients=clients, limiter=RateLimiter(), max_upload_bytes=max_upload_bytes)
    install_error_handlers(app)
    app.include_router(pages.router)
    app.include_router(_api_router())
    pages.mount_static(app)
    if not clients.needs_token:
        _token_optional(app)
    return app
