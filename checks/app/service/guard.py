"""The gate of ``/api``: the bearer token first, then the size of the request body while it streams in."""

from __future__ import annotations

import hmac

from fastapi.responses import JSONResponse

from redline.checks.app.service.errors import ApiError, error_body
from redline.checks.app.service.uploads import size_text

__all__ = ["FORM_MARGIN", "JSON_LIMIT", "Guard"]

#: Room for the form fields and multipart framing of an upload, on top of the file limit.
FORM_MARGIN = 64 * 1024
#: Largest body of a request that is not an upload (a JSON site): 32 MB or the upload limit.
JSON_LIMIT = 32 * 1024**2


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


class Guard:
    """ASGI middleware for ``/api``: the bearer token first, then the body size while it streams in.

    Parameters
    ----------
    app : ASGI application
    token : str or None
        Every ``/api`` call needs ``Authorization: Bearer TOKEN`` when given (checked before a
        byte of the body is read).
    max_upload_bytes : int
        Largest upload; a multipart body may be :data:`FORM_MARGIN` larger, any other body at
        most :data:`JSON_LIMIT`.
    """

    def __init__(self, app, *, token: str | None, max_upload_bytes: int) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token else None
        self.max_upload_bytes = max_upload_bytes
        self.max_body = max_upload_bytes + FORM_MARGIN

    def _authorized(self, headers: dict) -> bool:
        if self.token is None:
            return True
        scheme, _, given = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("latin-1"), self.token)

    async def __call__(self, scope, receive, send) -> None:
        """Pass a request on when it may go through; else answer 401 or 413 (or stop it mid-stream)."""
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/api" or path.startswith("/api/")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if not self._authorized(headers):
            await _unauthorized()(scope, receive, send)
            return
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/")
        limit = self.max_body if multipart else min(self.max_body, JSON_LIMIT)
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
