"""The screening web service: a FastAPI application over the loaded layer set.

:func:`create_app` builds it; ``redline serve`` runs it with uvicorn.  The layer set is
loaded once by the caller and shared, read only, by every request and job.  Screening is
CPU-bound, so every screening endpoint is a plain ``def`` (FastAPI runs it in its thread
pool) and batch jobs run in their own bounded pool (:class:`redline.checks.app.service.jobs.JobManager`).

Safety: with a token every ``/api`` call needs ``Authorization: Bearer TOKEN`` (checked
before a byte of the body is read); request bodies are limited while they stream in;
uploads are saved under server-chosen names and archives unpacked by
:mod:`redline.checks.app.service.uploads`; every error is ``{"error": {"field", "message"}}`` JSON,
never a traceback.
"""

from __future__ import annotations

import codecs
import hmac
import json
import logging
import math
import shutil
import tempfile
import threading
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import shapely
from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Query, UploadFile
from fastapi import Path as FastApiPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from redline._version import __version__
from redline.checks.app.service.jobs import REPORT_FILES, BatchOptions, Job, JobManager, RecentChecks, new_id
from redline.checks.app.service.payloads import (
    CheckRequest,
    CheckResponse,
    ErrorResponse,
    Health,
    IndustriesResponse,
    JobAccepted,
    JobStatus,
    LayersResponse,
    TagsResponse,
    ZoneCollection,
    ZoneIndex,
    api_words,
    check_payload,
    error_body,
    layers_payload,
    search_industries,
    tags_payload,
)
from redline.checks.app.service.uploads import (
    ArchiveLimits,
    UploadError,
    UploadTooLargeError,
    extract_archive,
    find_dataset,
    save_upload,
    size_text,
    upload_suffix,
)
from redline.zones.errors import CRSError, RedlineError

__all__ = ["ApiError", "create_app"]

log = logging.getLogger("redline.service")

STATIC_DIR = Path(__file__).parent / "static"
#: Room for the form fields and multipart framing of an upload, on top of the file limit.
_FORM_MARGIN = 64 * 1024
#: Largest body of a request that is not an upload (a JSON site): 32 MB or the upload limit.
_JSON_LIMIT = 32 * 1024**2
_MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".gpkg": "application/geopackage+sqlite3",
    ".html": "text/html; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
}
_ERRORS = {
    400: {"model": ErrorResponse, "description": "bad input; `field` names it / 输入有误"},
    401: {"model": ErrorResponse, "description": "missing or wrong bearer token / 令牌无效"},
    404: {"model": ErrorResponse, "description": "unknown or expired id / 不存在或已过期"},
    413: {"model": ErrorResponse, "description": "upload over the size limit / 文件过大"},
    422: {"model": ErrorResponse, "description": "the request does not match the schema / 请求格式错误"},
}


class ApiError(HTTPException):
    """An error answered as ``{"error": {"field": field, "message": message}}`` with ``status``.

    Examples
    --------
    >>> err = ApiError(404, "job_id", "no such job")
    >>> err.status_code, err.field, err.detail
    (404, 'job_id', 'no such job')
    """

    def __init__(self, status: int, field: str | None, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.field = field


def _unauthorized() -> JSONResponse:
    return JSONResponse(
        error_body("Authorization", "this service needs a token: send the header 'Authorization: Bearer TOKEN'"),
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _too_large(limit: int) -> str:
    return f"file: the request is larger than the upload limit of {size_text(limit)}"


def _json_too_large(limit: int) -> str:
    return f"the request body is larger than {size_text(limit)}; send large sets of sites to /api/batch"


class _Guard:
    """ASGI middleware for ``/api``: the bearer token first, then the body size while it streams in."""

    def __init__(self, app, *, token: str | None, max_upload_bytes: int) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token else None
        self.max_upload_bytes = max_upload_bytes
        self.max_body = max_upload_bytes + _FORM_MARGIN

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/api" or path.startswith("/api/")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if self.token is not None:
            scheme, _, given = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("latin-1"), self.token):
                await _unauthorized()(scope, receive, send)
                return
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/")
        limit = self.max_body if multipart else min(self.max_body, _JSON_LIMIT)
        field = "file" if multipart else "body"
        refusal = _too_large(self.max_upload_bytes) if multipart else _json_too_large(limit)
        length = headers.get(b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > limit:
            await JSONResponse(error_body(field, refusal), status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise ApiError(413, field, refusal)
            return message

        await self.app(scope, counted, send)


def _warm_up(layerset, catalog) -> None:
    """Screen one point so every layer's spatial index and prepared zones exist before threads share them."""
    from redline.checks.screen import check_site

    center = layerset.center()
    if center is not None:
        check_site(f"{center[0]},{center[1]}", layerset, catalog=catalog)


def _site_text(site: str | dict) -> str:
    """Return the site as text for :func:`redline.checks.sites.reader.parse_site_text` (GeoJSON becomes WKT)."""
    if isinstance(site, str):
        if not site.strip():
            raise ApiError(400, "site", 'site is empty; give "lon,lat", WKT or a GeoJSON geometry')
        return site
    geometry = site.get("geometry") if site.get("type") == "Feature" else site
    try:
        geom = shapely.from_geojson(json.dumps(geometry))
    except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
        raise ApiError(
            400,
            "site",
            f'site is not a GeoJSON geometry ({exc}); give e.g. {{"type": "Point", "coordinates": [109.40, 22.49]}}',
        ) from None
    if geom is None or geom.is_empty:
        raise ApiError(400, "site", "site is an empty GeoJSON geometry; give one with coordinates")
    return shapely.to_wkt(geom, rounding_precision=-1)


def _check_project(industry, tags) -> None:
    """Check the industry and tags separately so the error names the field."""
    from redline.zones.project import make_project

    try:
        make_project(industry, None, None)
    except RedlineError as exc:
        raise ApiError(400, "industry", str(exc)) from None
    try:
        make_project(None, tags, None)
    except RedlineError as exc:
        raise ApiError(400, "tags", str(exc)) from None


def _check_crs(crs: str | None, field: str = "crs") -> None:
    if crs is None or not crs.strip():
        return
    from redline.layers.crs import parse_crs

    try:
        parse_crs(crs, what=field)
    except RedlineError as exc:
        raise ApiError(400, field, str(exc)) from None


def _split_tags(value) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    return [t.strip() for v in items for t in str(v).replace("；", ";").split(";") if t.strip()]


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None or not text.strip():
        return None
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ApiError(400, "bbox", f"bbox {text[:80]!r} is not four numbers minx,miny,maxx,maxy (lon/lat)")
    minx, miny, maxx, maxy = values
    if minx > maxx or miny > maxy:
        raise ApiError(400, "bbox", f"bbox {text[:80]!r}: minx must be <= maxx and miny <= maxy")
    return minx, miny, maxx, maxy


def _batch_options(form: dict[str, str | None], default_lang: str) -> BatchOptions:
    """Check the batch form fields; raise ApiError(400) naming the first bad one."""
    from redline.checks.outputs.writers import parse_formats

    def text(name: str) -> str | None:
        value = form.get(name)
        return value.strip() if value is not None and value.strip() else None

    buffer_m = 1000.0
    if text("buffer") is not None:
        try:
            buffer_m = float(text("buffer"))
        except ValueError:
            raise ApiError(400, "buffer", f"buffer {text('buffer')!r} is not a number of metres (e.g. 1000)") from None
        if not 0 <= buffer_m <= 100_000:
            raise ApiError(400, "buffer", f"buffer {buffer_m:g} is outside 0..100000 metres")
    action = text("action")
    if action is not None and action not in ("new", "expand", "rebuild"):
        raise ApiError(400, "action", f"action {action!r} is not one of new, expand, rebuild")
    lang = text("lang") or default_lang
    if lang not in ("zh", "en"):
        raise ApiError(400, "lang", f"lang {lang!r} is not one of zh, en")
    for name, allowed in (("on_invalid", ("raise", "warn", "fix")), ("nearby", ("nearest", "all"))):
        if text(name) is not None and text(name) not in allowed:
            raise ApiError(400, name, f"{name} {text(name)!r} is not one of {', '.join(allowed)}")
    try:
        formats = parse_formats(text("formats"))
    except RedlineError as exc:
        raise ApiError(400, "formats", str(exc).replace("--formats", "formats")) from None
    encoding = text("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ApiError(400, "encoding", f"encoding {encoding!r} is unknown; e.g. utf-8, gbk, gb18030") from None
    tags = _split_tags(text("tags") or "")
    industry = text("industry")
    _check_project(industry, tags)
    _check_crs(text("crs"))
    return BatchOptions(
        id_field=text("id_field"),
        name_field=text("name_field"),
        industry_field=text("industry_field"),
        tags_field=text("tags_field"),
        action_field=text("action_field"),
        industry=industry,
        tags=tags,
        action=action,
        buffer_m=buffer_m,
        crs=text("crs"),
        encoding=encoding,
        layer=text("layer"),
        lang=lang,
        formats=formats,
        on_invalid=text("on_invalid") or "raise",
        nearby=text("nearby") or "nearest",
    )


def _job_status(job: Job) -> dict:
    base = f"/api/jobs/{job.job_id}"
    return {
        "job_id": job.job_id,
        "status": job.status,
        "stage": job.stage,
        "progress": {"done": job.done, "total": job.total},
        "counts": job.counts if job.status == "done" else None,
        "error": job.error,
        "files": {name: f"{base}/files/{name}" for name in job.files} if job.status == "done" else {},
        "created": job.created,
        "finished": job.finished,
    }


def _fallback_page() -> str:
    return (
        '<!doctype html><html lang="zh"><meta charset="utf-8"><title>redline-checker</title>'
        "<p>redline-checker 筛查服务 / screening service. The web page is not installed; "
        'see <a href="/docs">/docs</a> for the API.</p></html>'
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc: StarletteHTTPException):
        field = getattr(exc, "field", None)
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, ensure_ascii=False)
        if exc.status_code == 404 and field is None and message == "Not Found":
            message = f"no such address: {request.url.path}"
        elif exc.status_code == 405 and message == "Method Not Allowed":
            message = f"{request.method} is not allowed on {request.url.path}"
        return JSONResponse(error_body(field, message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, exc: RequestValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ())]
        where = loc[0] if loc else ""
        field = loc[1] if where in ("body", "query", "path", "header", "form") and len(loc) > 1 else (where or None)
        if first.get("type") == "json_invalid":
            field = "body"
        messages = []
        for err in errors[:5]:
            name = ".".join(str(p) for p in err.get("loc", ())[1:]) or "body"
            messages.append(f"{name}: {err.get('msg', 'invalid')}")
        return JSONResponse(error_body(field, "; ".join(messages)), status_code=422)

    @app.exception_handler(UploadError)
    async def upload_error(request, exc: UploadError):
        status = 413 if isinstance(exc, UploadTooLargeError) else 400
        return JSONResponse(error_body(exc.field, str(exc)), status_code=status)

    @app.exception_handler(CRSError)
    async def crs_error(request, exc: CRSError):
        return JSONResponse(error_body("crs", str(exc)), status_code=400)

    @app.exception_handler(ValueError)
    async def value_error(request, exc: ValueError):
        return JSONResponse(error_body(getattr(exc, "field", None), str(exc)), status_code=400)

    @app.exception_handler(Exception)
    async def internal_error(request, exc: Exception):
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(error_body(None, "internal error (details are in the server log)"), status_code=500)


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

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> app = create_app(load_layerset("sample"), token="s3cret", work_dir="service-work")
    >>> sorted(path for path in app.openapi()["paths"] if path.startswith("/api/c"))
    ['/api/check', '/api/checks/{check_id}/{name}']
    """
    from redline.checks.screen import check_site

    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    if check_threads < 1:
        raise ValueError(f"check_threads must be at least 1, got {check_threads}")
    if max_upload_bytes < 1:
        raise ValueError(f"max_upload_bytes must be at least 1, got {max_upload_bytes}")
    default_lang = lang
    own_dir = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="redline-serve-")) if own_dir else Path(work_dir)
    root.mkdir(parents=True, exist_ok=True)
    catalog = layerset.catalog()
    _warm_up(layerset, catalog)
    jobs = JobManager(layerset, root, max_jobs=max_jobs, catalog=catalog)
    recent = RecentChecks(root / "checks", capacity=check_cache)
    zone_index = ZoneIndex(layerset)
    confidential_zones = layerset.confidential_zones()
    limits = archive_limits or ArchiveLimits()
    screen_slots = threading.BoundedSemaphore(check_threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        jobs.start()
        try:
            yield
        finally:
            jobs.close()
            if own_dir:
                shutil.rmtree(root, ignore_errors=True)

    app = FastAPI(
        title="redline-checker 生态环境分区管控筛查服务 / screening service",
        version=__version__,
        description=(
            "Screen project sites against ecological red lines, drinking-water source zones, control units "
            "(三线一单) and basic farmland.  项目选址生态环境分区管控筛查。\n\n"
            "With a token, every `/api` call needs `Authorization: Bearer TOKEN`.  Every error is "
            '`{"error": {"field": ..., "message": ...}}`.'
            + ("\n\n**示意数据，非官方 / illustrative data, not official.**" if layerset.illustrative else "")
        ),
        lifespan=lifespan,
        # FastAPI's Swagger UI and ReDoc load their scripts from CDNs; /docs is our own page instead
        docs_url=None,
        redoc_url=None,
    )
    app.state.layerset = layerset
    app.state.jobs = jobs
    app.state.recent = recent
    app.state.work_dir = root
    app.add_middleware(_Guard, token=token, max_upload_bytes=max_upload_bytes)
    _install_error_handlers(app)

    bearer = HTTPBearer(auto_error=False, description="the service's token (redline serve --token)")
    api = APIRouter(prefix="/api", dependencies=[Depends(bearer)], responses={401: _ERRORS[401]})

    @app.get("/healthz", response_model=Health, summary="Health check / 服务状态", tags=["service"])
    def healthz():
        """Report that the service is up and which layer set it screens against (always open, no token)."""
        return {"status": "ok", "version": __version__, "layerset": layerset.name}

    @app.get("/", response_class=HTMLResponse, summary="The web page / 网页", tags=["service"])
    def index():
        """Serve the screening page (``static/index.html``)."""
        page = STATIC_DIR / "index.html"
        if page.is_file():
            return FileResponse(page, media_type="text/html; charset=utf-8")
        return HTMLResponse(_fallback_page())

    @api.get("/layers", response_model=LayersResponse, summary="The layer set / 图层", tags=["reference"])
    def get_layers(lang_: Annotated[Literal["zh", "en"] | None, Query(alias="lang")] = None):
        """Describe the loaded layers: kinds, sources, feature and class counts, fingerprints, rule catalogues.

        Never geometry; ``bounds``/``center`` come from the non-confidential layers only.
        """
        return layers_payload(layerset, lang=lang_ or default_lang, catalog=catalog)

    @api.get(
        "/zones",
        response_model=ZoneCollection,
        responses={400: _ERRORS[400], 422: _ERRORS[422]},
        summary="Zones to draw / 分区范围",
        tags=["reference"],
    )
    def get_zones(
        kind: Annotated[str | None, Query(description="only this kind, e.g. water_source")] = None,
        bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in lon/lat (EPSG:4490)")] = None,
        limit: Annotated[int, Query(ge=1, le=50_000, description="most features returned")] = 5000,
    ):
        """Zones of the non-confidential layers intersecting ``bbox``, as GeoJSON (EPSG:4490).

        A confidential (涉密) kind answers an empty collection with ``"confidential": true``.
        """
        from redline.zones.kinds import KINDS

        if kind is not None and kind not in KINDS:
            raise ApiError(400, "kind", f"kind {kind!r} is unknown; kinds: {', '.join(KINDS)}")
        text = zone_index.collection_json(kind=kind, bbox=_parse_bbox(bbox), limit=limit)
        return Response(text, media_type="application/json")

    @api.get(
        "/industries",
        response_model=IndustriesResponse,
        responses={422: _ERRORS[422]},
        summary="Industry search / 行业代码检索",
        tags=["reference"],
    )
    def get_industries(
        q: Annotated[str, Query(max_length=100, description="code prefix, name fragment or alias, e.g. 电镀")] = "",
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ):
        """Search GB/T 4754-2017 (国民经济行业分类) as the user types: codes, names, aliases, notes."""
        return {"items": search_industries(q, limit)}

    @api.get("/tags", response_model=TagsResponse, summary="Project tags / 项目标签", tags=["reference"])
    def get_tags(lang_: Annotated[Literal["zh", "en"] | None, Query(alias="lang")] = None):
        """List the project tags rules may test, and the actions new/expand/rebuild (新建/扩建/改建)."""
        return tags_payload(lang_ or default_lang)

    @api.post(
        "/check",
        response_model=CheckResponse,
        responses={400: _ERRORS[400], 413: _ERRORS[413], 422: _ERRORS[422]},
        summary="Screen one site / 单个选址筛查",
        tags=["screening"],
    )
    def post_check(request: CheckRequest):
        """Screen one site for a project: verdict, findings (with rules and overlaps) and access lists.

        The report files in ``links`` are written on first request and kept while the result is
        among the recent ones.
        """
        check_lang = request.lang or default_lang
        text = _site_text(request.site)
        _check_crs(request.crs)
        tags = _split_tags(request.tags)
        _check_project(request.industry, tags)
        try:
            with screen_slots:
                result = check_site(
                    text,
                    layerset,
                    industry=request.industry,
                    tags=tags,
                    action=request.action,
                    buffer_m=request.buffer,
                    crs=request.crs or None,
                    site_id=request.site_id,
                    catalog=catalog,
                    lang=check_lang,
                    nearby=request.nearby,
                    on_invalid=request.on_invalid,
                )
        except CRSError as exc:
            raise ApiError(400, "crs", api_words(str(exc))) from None
        except RedlineError as exc:
            raise ApiError(400, "site", api_words(str(exc))) from None
        if request.name:
            result.sites.loc[0, "name"] = request.name
        check_id = new_id()
        recent.add(check_id, result, check_lang)
        return check_payload(result, check_id, lang=check_lang, confidential_zones=confidential_zones)

    @api.get(
        "/checks/{check_id}/{name}",
        responses={
            200: {"content": {"text/html": {}, _MEDIA_TYPES[".docx"]: {}}, "description": "the file"},
            404: _ERRORS[404],
        },
        response_class=Response,
        summary="A check's report / 筛查报告",
        tags=["screening"],
    )
    def get_check_file(
        check_id: str,
        name: Annotated[str, FastApiPath(description="report.html, map.html or report.docx")],
    ):
        """Return ``report.html``, ``map.html`` or ``report.docx`` of a recent check (written on first request)."""
        if name not in REPORT_FILES:
            raise ApiError(404, "name", f"no file {name[:80]!r}; a check has {', '.join(REPORT_FILES)}")
        path = recent.file(check_id, name)
        if path is None:
            raise ApiError(404, "check_id", f"check {check_id[:40]!r} is unknown or expired; run the check again")
        headers = {"Content-Disposition": f'attachment; filename="{name}"'} if name.endswith(".docx") else None
        return Response(path.read_bytes(), media_type=_MEDIA_TYPES[Path(name).suffix], headers=headers)

    @api.post(
        "/batch",
        status_code=202,
        response_model=JobAccepted,
        responses={400: _ERRORS[400], 413: _ERRORS[413], 422: _ERRORS[422]},
        summary="Screen a file of sites / 批量筛查",
        tags=["batch"],
    )
    def post_batch(
        file: Annotated[UploadFile, File(description="zipped shapefile, .gpkg, .geojson/.json, .csv, .xlsx or .fgb")],
        id_field: Annotated[str | None, Form()] = None,
        name_field: Annotated[str | None, Form()] = None,
        industry_field: Annotated[str | None, Form()] = None,
        tags_field: Annotated[str | None, Form()] = None,
        action_field: Annotated[str | None, Form()] = None,
        industry: Annotated[str | None, Form(description="default industry for rows without one")] = None,
        tags: Annotated[str | None, Form(description="default tags, ';'-separated")] = None,
        action: Annotated[str | None, Form(description="default action: new, expand or rebuild")] = None,
        buffer: Annotated[str | None, Form(description="metres (default 1000)")] = None,
        crs: Annotated[str | None, Form(description="CRS of the coordinates when the file has none")] = None,
        encoding: Annotated[str | None, Form(description="text encoding of a DBF or CSV (default: detected)")] = None,
        lang: Annotated[str | None, Form(description="zh or en")] = None,
        formats: Annotated[str | None, Form(description="csv,gpkg,html,map,docx,xlsx or all (default)")] = None,
        layer: Annotated[str | None, Form(description="layer of a multi-layer file (GeoPackage)")] = None,
        member: Annotated[str | None, Form(description="the dataset's path in a zip holding several")] = None,
        on_invalid: Annotated[str | None, Form(description="raise (default), warn or fix")] = None,
        nearby: Annotated[str | None, Form(description="nearest (default) or all")] = None,
    ):
        """Upload a file of sites; it is screened in the background (poll ``links.self``).

        Same options as ``redline batch``.  Archives are checked before unpacking (no paths out of
        the folder, no links, no encrypted entries, at most 1000 files, 1 GiB, 100× compression).
        """
        form = dict(
            id_field=id_field,
            name_field=name_field,
            industry_field=industry_field,
            tags_field=tags_field,
            action_field=action_field,
            industry=industry,
            tags=tags,
            action=action,
            buffer=buffer,
            crs=crs,
            encoding=encoding,
            lang=lang,
            formats=formats,
            on_invalid=on_invalid,
            nearby=nearby,
            layer=layer,
        )
        options = _batch_options(form, default_lang)
        suffix = upload_suffix(file.filename)
        job_id, folder = jobs.new_folder()
        try:
            upload = folder / "input" / f"upload{suffix}"
            size = save_upload(file.file, upload, max_upload_bytes)
            if size == 0:
                raise UploadError("file: the upload is empty")
            dataset, source = upload, f"upload{suffix}"
            if suffix == ".zip":
                unpacked = folder / "input" / "unpacked"
                dataset = find_dataset(extract_archive(upload, unpacked, limits), unpacked, member)
                source = f"upload.zip: {dataset.relative_to(unpacked.resolve()).as_posix()}"
                upload.unlink()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job = jobs.submit(Job(job_id=job_id, folder=folder, dataset=dataset, source=source, options=options))
        jobs.start()
        return {"job_id": job.job_id, "status": job.status, "links": {"self": f"/api/jobs/{job.job_id}"}}

    @api.get(
        "/jobs/{job_id}",
        response_model=JobStatus,
        responses={404: _ERRORS[404]},
        summary="A batch job's state / 任务状态",
        tags=["batch"],
    )
    def get_job(job_id: str):
        """Status, progress (sites screened of total), verdict counts and output files of a job."""
        job = jobs.get(job_id)
        if job is None:
            raise ApiError(404, "job_id", f"job {job_id[:40]!r} is unknown")
        return _job_status(job)

    @api.get(
        "/jobs/{job_id}/files/{name}",
        response_class=FileResponse,
        responses={200: {"description": "the file"}, 404: _ERRORS[404]},
        summary="A job's output file / 任务结果文件",
        tags=["batch"],
    )
    def get_job_file(job_id: str, name: str):
        """One output of a finished job: sites.csv, findings.csv, results.gpkg, report.html, ... (as listed)."""
        job = jobs.get(job_id)
        if job is None:
            raise ApiError(404, "job_id", f"job {job_id[:40]!r} is unknown")
        path = jobs.file(job, name) if job.status == "done" else None
        if path is None:
            listed = ", ".join(job.files) or "none yet"
            raise ApiError(404, "name", f"job {job_id} has no file {name[:80]!r}; its files: {listed}")
        return FileResponse(
            path, media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"), filename=path.name
        )

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs() -> HTMLResponse:
        from redline.checks.app.service.api_docs import render_api_docs

        return HTMLResponse(render_api_docs(app.openapi()))

    app.include_router(api)
    leaflet = resources.files("js_lib_leaflet").joinpath("static", "js_lib_leaflet")
    if leaflet.is_dir():
        app.mount("/static/leaflet", StaticFiles(directory=str(leaflet)), name="leaflet")
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR), check_dir=False), name="static")
    return app
