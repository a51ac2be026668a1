"""The gate of ``/api``: the bearer token first, then the client's quota, then the size of the body while it streams in.

The client (:class:`~redline.checks.app.service.clients.Client`) is left in the request's state
(``request.state.client``) for the audit log.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from redline.checks.app.service.clients import READ_FACTOR, Client, Clients, RateLimiter, retry_after
from redline.checks.app.service.errors import ApiError, error_body
from redline.checks.app.service.uploads import size_text

__all__ = ["FORM_MARGIN", "JSON_LIMIT", "SCREENING_CALLS", "Guard"]

#: The calls spent from a client's screening quota (the others from the larger quota of look-ups).
SCREENING_CALLS = frozenset({("POST", "/api/check"), ("POST", "/api/batch")})

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


def _too_many(client: Client, screening: bool, wait: float) -> JSONResponse:
    rate = client.rate
    what = "screening calls" if screening else "calls"
    per_minute = rate.per_minute() * (1 if screening else READ_FACTOR) if rate else 0
    message = (
        f"too many {what} from this client (at most {per_minute:g} a minute); try again in "
        f"{retry_after(wait)} s, send many sites at once to /api/batch, or ask the service's operator "
        "for a token with a higher quota"
    )
    return JSONResponse(error_body(None, message), status_code=429, headers={"Retry-After": retry_after(wait)})


def _too_large(limit: int) -> str:
    return f"file: the request is larger than the upload limit of {size_text(limit)}"


def _json_too_large(limit: int) -> str:
    return f"the request body is larger than {size_text(limit)}; send large sets of sites to /api/batch"


class Guard:
    """ASGI middleware for ``/api``: the token, the client's quota, then the body size while it streams in.

    Parameters
    ----------
    app : ASGI application
    clients : Clients
        Who may call (with tokens, every ``/api`` call needs ``Authorization: Bearer TOKEN``,
        checked before a byte of the body is read) and their quotas.
    limiter : RateLimiter
        The clients' buckets.
    max_upload_bytes : int
        Largest upload; a multipart body may be :data:`FORM_MARGIN` larger, any other body at
        most :data:`JSON_LIMIT`.
    """

    def __init__(self, app, *, clients: Clients, limiter: RateLimiter, max_upload_bytes: int) -> None:
        self.app = app
        self.clients = clients
        self.limiter = limiter
        self.max_upload_bytes = max_upload_bytes
        self.max_body = max_upload_bytes + FORM_MARGIN

    def _client(self, scope, headers: dict) -> Client | None:
        address = scope.get("client")
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        return self.clients.identify(authorization, address[0] if address else None)

    async def __call__(self, scope, receive, send) -> None:
        """Pass a request on when it may go through; else answer 401, 429 or 413 (or stop it mid-stream)."""
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/api" or path.startswith("/api/")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        client = self._client(scope, headers)
        if client is None:
            await _unauthorized()(scope, receive, send)
            return
        scope.setdefault("state", {})["client"] = client
        screening = (scope.get("method", ""), path.rstrip("/")) in SCREENING_CALLS
        rate = client.rate if screening or client.rate is None else client.rate.scaled(READ_FACTOR)
        wait = self.limiter.take(f"{client.label}|{'screen' if screening else 'read'}", rate)
        if wait:
            await _too_many(client, screening, wait)(scope, receive, send)
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
