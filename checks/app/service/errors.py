"""The service's errors: every one answered as ``{"error": {"field", "message"}}`` JSON, never a traceback.

A :class:`~redline.zones.errors.RedlineError` names the parameter at fault (``param``) by its
Python name and marks the parameters its message mentions; the service says both in its
request's words (:func:`api_field`: ``buffer`` for ``buffer_m``), so the message and ``field``
name what the client sent.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from redline.checks.app.service.models import ErrorResponse
from redline.checks.app.service.uploads import UploadTooLargeError
from redline.zones.errors import CRSError, RedlineError

__all__ = [
    "API_FIELDS",
    "MESSAGE_LIMIT",
    "RESPONSES",
    "ApiError",
    "api_field",
    "api_message",
    "api_message_zh",
    "error_body",
    "excerpt",
    "install_error_handlers",
    "public_text",
    "service_roots",
]

log = logging.getLogger("redline.service")

#: Python parameter name -> the request field the service takes it as, where the two differ.
API_FIELDS: dict[str, str] = {"buffer_m": "buffer"}

#: The documented error answers of the operations (OpenAPI ``responses``).
RESPONSES = {
    400: {"model": ErrorResponse, "description": "bad input; `field` names it / 输入有误"},
    401: {"model": ErrorResponse, "description": "missing or wrong bearer token / 令牌无效"},
    404: {"model": ErrorResponse, "description": "unknown or expired id / 不存在或已过期"},
    413: {"model": ErrorResponse, "description": "upload over the size limit / 文件过大"},
    422: {"model": ErrorResponse, "description": "not as the schema says, or too costly / 请求格式错误"},
    429: {"model": ErrorResponse, "description": "over the client's quota; see Retry-After / 请求过于频繁"},
    503: {"model": ErrorResponse, "description": "the lane of big checks is full; see Retry-After / 服务繁忙"},
    504: {"model": ErrorResponse, "description": "the check took longer than the time limit / 筛查超时"},
}

#: Longest message an answer carries; a longer one keeps its start and its end.
MESSAGE_LIMIT = 400
#: Longest value a message quotes whole; a longer one is shown as an excerpt.
_QUOTE_LIMIT = 60


def excerpt(text: str, n: int = _QUOTE_LIMIT) -> str:
    """Return the start of a long text and its length (the whole text when short).

    Examples
    --------
    >>> excerpt("POINT (1 2)"), excerpt("x" * 100, 5)
    ('POINT (1 2)', 'xxxxx… (100 characters)')
    """
    return text if len(text) <= n else f"{text[:n]}… ({len(text):,} characters)"


def _roots(roots: Iterable[str | Path]) -> list[str]:
    """Return the folders whose paths answers never show, longest first (each as given and resolved)."""
    found = {str(tempfile.gettempdir())}
    for root in roots:
        found |= {str(root), str(Path(root).resolve())}
    return sorted((r.rstrip("/") for r in found if r.strip("/")), key=len, reverse=True)


def public_text(message: str, *, roots: Iterable[str | Path] = (), values: Iterable[object] = ()) -> str:
    """Return a message fit for an answer: no server path, no long echo of what the client sent.

    A path under one of ``roots`` (or the temporary folder) is shown by its file name; a text
    value longer than 60 characters is shown as an excerpt; a message longer than
    :data:`MESSAGE_LIMIT` keeps its start and its end.

    Examples
    --------
    >>> public_text("/srv/w/jobs/1f/input/upload.gpkg: no layer 'x'", roots=["/srv/w"])
    "upload.gpkg: no layer 'x'"
    >>> public_text("site 'POINT (" + "1 " * 50 + ")' is bad", values=["POINT (" + "1 " * 50 + ")"])
    "site 'POINT (1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1… (108 characters)' is bad"
    """
    for root in _roots(roots):
        message = re.sub(re.escape(root) + r"/[^\s'\"]*", lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], message)
    for value in values:
        if isinstance(value, str) and len(value) > _QUOTE_LIMIT:
            message = message.replace(repr(value), repr(excerpt(value))).replace(value, excerpt(value))
    if len(message) > MESSAGE_LIMIT:
        half = MESSAGE_LIMIT // 2 - 2
        message = f"{message[:half]} … {message[-half:]}"
    return message


def api_field(param: str) -> str:
    """Return the request field of a Python parameter name.

    Examples
    --------
    >>> api_field("buffer_m"), api_field("crs")
    ('buffer', 'crs')
    """
    return API_FIELDS.get(param, param)


def api_message(exc: BaseException) -> str:
    """Return an error's message in the request's words (its marked parameters named as fields).

    Examples
    --------
    >>> from redline.zones.errors import param_ref
    >>> api_message(RedlineError(f"{param_ref('buffer_m')}: -5 is outside 0..100000 metres"))
    'buffer: -5 is outside 0..100000 metres'
    """
    return exc.render(api_field) if isinstance(exc, RedlineError) else str(exc)


def api_message_zh(exc: RedlineError) -> str:
    """Return an error's Chinese text (when it has one, else its message) with parameters named as fields.

    Examples
    --------
    >>> from redline.zones.errors import param_ref
    >>> api_message_zh(RedlineError(f"{param_ref('buffer_m')}: bad", zh=f"{param_ref('buffer_m')}：不能为负"))
    'buffer：不能为负'
    """
    from redline.zones.errors import render_refs

    return render_refs(exc.zh, api_field) if getattr(exc, "zh", None) else api_message(exc)


def error_field(exc: RedlineError, default: str | None = None) -> str | None:
    """Return the request field an error is about: its parameter's, else ``crs`` for a CRS, else ``default``.

    Examples
    --------
    >>> error_field(RedlineError("x", param="buffer_m")), error_field(CRSError("x")), error_field(RedlineError("x"))
    ('buffer', 'crs', None)
    """
    if exc.param:
        return api_field(exc.param)
    return "crs" if isinstance(exc, CRSError) else default


def error_body(field: str | None, message: str) -> dict:
    """Return the error payload ``{"error": {"field", "message"}}``.

    Examples
    --------
    >>> error_body("site", "bad")
    {'error': {'field': 'site', 'message': 'bad'}}
    """
    return {"error": {"field": field, "message": message}}


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


def _shown_input(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) or value == value else "NaN"
    return excerpt(text, 40)


def _validation_message(err: dict) -> str:
    """Return one schema error as the answer says it: what was sent, what is wanted."""
    kind, given = err.get("type", ""), err.get("input")
    loc = [str(p) for p in err.get("loc", ())[1:]]
    if loc[:1] == ["site"] and kind in ("string_too_short", "string_pattern_mismatch"):
        return 'the site is empty; give "lon,lat", WKT or a GeoJSON geometry'
    if loc[:1] == ["site"] and kind not in ("missing", "string_too_long"):
        return f'{_shown_input(given)} is not a site; give "lon,lat" or WKT as text, or a GeoJSON geometry object'
    if kind == "finite_number":
        return "NaN and infinity are not numbers; give a number"
    if kind in ("float_type", "int_type", "float_parsing", "int_parsing") and given is not None:
        return f"{_shown_input(given)} is not a number; give a JSON number such as 1000 (not text, not true/false)"
    if kind == "string_type" and given is not None:
        return f"{_shown_input(given)} is not text; give a string"
    return str(err.get("msg", "invalid"))


def _validation_body(exc: RequestValidationError) -> dict:
    """Return the error payload of a request that does not match the schema: the first field, up to five messages."""
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    loc = [str(p) for p in first.get("loc", ())]
    where = loc[0] if loc else ""
    field = loc[1] if where in ("body", "query", "path", "header", "form") and len(loc) > 1 else (where or None)
    if first.get("type") == "json_invalid":
        field = "body"
    messages: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for err in errors:
        path = tuple(str(p) for p in err.get("loc", ())[1:])
        if path[:1] == ("site",) and ("site",) in seen:
            continue  # one message for the site, whichever form it failed as
        seen.add(path[:1] if path[:1] == ("site",) else path)
        name = (path[0] if path[:1] == ("site",) else ".".join(path)) or "body"
        messages.append(f"{name}: {_validation_message(err)}")
        if len(messages) == 5:
            break
    return error_body(field, public_text("; ".join(messages)))


def service_roots(request) -> list[Path]:
    """Return the folders of the service's own files (work dir, layer set), which no answer shows."""
    svc = getattr(request.app.state, "service", None)
    if svc is None:
        return []
    roots = [svc.work_dir]
    path = getattr(svc.layerset, "path", None)
    if path is not None:
        roots.append(Path(path).parent)
    return roots


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as the JSON error payload (no server path, no long echo)."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc: StarletteHTTPException):
        field = exc.field if isinstance(exc, ApiError) else None
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, ensure_ascii=False)
        if not isinstance(exc, ApiError):  # the router's and the static files' own answers
            if exc.status_code == 404:
                message = f"no such address: {excerpt(request.url.path, 200)}"
            elif exc.status_code == 405:
                message = f"{request.method} is not allowed on {excerpt(request.url.path, 200)}"
        message = public_text(message, roots=service_roots(request))
        return JSONResponse(error_body(field, message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, exc: RequestValidationError):
        return JSONResponse(_validation_body(exc), status_code=422)

    @app.exception_handler(RedlineError)
    async def redline_error(request, exc: RedlineError):
        status = 413 if isinstance(exc, UploadTooLargeError) else 400
        message = public_text(api_message(exc), roots=service_roots(request), values=[exc.value])
        body = error_body(error_field(exc), message)
        if getattr(exc, "zh", None):  # the Chinese text, for the page and Chinese clients
            zh = api_message_zh(exc)
            body["error"]["message_zh"] = public_text(zh, roots=service_roots(request), values=[exc.value])
        return JSONResponse(body, status_code=status)

    @app.exception_handler(ValueError)
    async def value_error(request, exc: ValueError):
        return JSONResponse(error_body(None, public_text(str(exc), roots=service_roots(request))), status_code=400)

    @app.exception_handler(Exception)
    async def internal_error(request, exc: Exception):
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(error_body(None, "internal error (details are in the server log)"), status_code=500)
