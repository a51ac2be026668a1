"""``redline serve``: the screening web service (FastAPI) and its web page.

:func:`create_app` builds the application over a loaded layer set; the endpoints are
described in the README ("Screening service") and served as OpenAPI at ``/openapi.json``
(browsable at ``/docs``).  FastAPI is imported only when :func:`create_app` is first used,
so ``redline`` commands other than ``serve`` do not pay for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from redline.checks.app.service.app import create_app

        return create_app
    raise AttributeError(f"module 'redline.checks.app.service' has no attribute {name!r}")
