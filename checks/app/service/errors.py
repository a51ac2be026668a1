"""The service's errors: every one answered as ``{"error": {"field", "message"}}`` JSON, never a traceback.

A :class:`~redline.zones.errors.RedlineError` names the parameter at fault (``param``) by its
Python name and marks the parameters its message mentions; the service says both in its
request's words (:func:`api_field`: ``buffer`` for ``buffer_m``), so the message and ``field``
name what the client sent.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from redline.checks.app.service.models import ErrorResponse
from redline.checks.app.service.uploads import UploadTooLargeError
from redline.zones.errors import CRSError, RedlineError

__all__ = ["API_FIELDS", "RESPONSES", "ApiError", "api_field", "api_message", "error_body", "install_error_handlers"]

log = logging.getLogger("redline.service")

#: Python parameter name -> the request field the service takes it as, where the two differ.
API_FIELDS: dict[str, str] = {"buffer_m": "buffer"}

#: The documented error answers of the operations (OpenAPI ``responses``).
RESPONSES = {
    400: {"model": ErrorResponse, "description": "bad input; `field` names it / 输入有误"},
    401: {"model": ErrorResponse, "description": "missing or wrong bearer token / 令牌无效"},
    404: {"model": ErrorResponse, "description": "unknown or expired id / 不存在或已过期"},
    413: {"model": ErrorResponse, "description": "upload over the size limit / 文件过大"},
    422: {"model": ErrorResponse, "description": "the request does not match the schema / 请求格式错误"},
}


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


def _validation_body(exc: RequestValidationError) -> dict:
    """Return the error payload of a request that does not match the schema: the first field, up to five messages."""
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
    return error_body(field, "; ".join(messages))


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as the JSON error payload."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc: StarletteHTTPException):
        field = exc.field if isinstance(exc, ApiError) else None
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, ensure_ascii=False)
        if not isinstance(exc, ApiError):  # the router's and the static files' own answers
            if exc.status_code == 404:
                message = f"no such address: {request.url.path}"
            elif exc.status_code == 405:
                message = f"{request.method} is not allowed on {request.url.path}"
        return JSONResponse(error_body(field, message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, exc: RequestValidationError):
        return JSONResponse(_validation_body(exc), status_code=422)

    @app.exception_handler(RedlineError)
    async def redline_error(request, exc: RedlineError):
        status = 413 if isinstance(exc, UploadTooLargeError) else 400
        return JSONResponse(error_body(error_field(exc), api_message(exc)), status_code=status)

    @app.exception_handler(ValueError)
    async def value_error(request, exc: ValueError):
        return JSONResponse(error_body(None, str(exc)), status_code=400)

    @app.exception_handler(Exception)
    async def internal_error(request, exc: Exception):
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(error_body(None, "internal error (details are in the server log)"), status_code=500)
