"""The service's own pages and files: ``/healthz``, the web page ``/``, the API reference ``/docs``, ``/static``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from redline._version import __version__
from redline.checks.app.service.models import Health
from redline.checks.app.service.state import Service, service

__all__ = ["STATIC_DIR", "mount_static", "router"]

#: The web page's files (``index.html``, ``app.js``, ``app.css``).
STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter()


def _fallback_page() -> str:
    return (
        '<!doctype html><html lang="zh"><meta charset="utf-8"><title>redline-checker</title>'
        "<p>redline-checker 筛查服务 / screening service. The web page is not installed; "
        'see <a href="/docs">/docs</a> for the API.</p></html>'
    )


@router.get("/healthz", response_model=Health, summary="Health check / 服务状态", tags=["service"])
async def healthz(svc: Annotated[Service, Depends(service)]):
    """Report that the service is up and which layer set it screens against (always open, no token).

    Answered on the server's event loop: it never waits for a thread, a check or a job.
    """
    return {"status": "ok", "version": __version__, "layerset": svc.layerset.name}


@router.get("/", response_class=HTMLResponse, summary="The web page / 网页", tags=["service"])
def index():
    """Serve the screening page (``static/index.html``)."""
    page = STATIC_DIR / "index.html"
    if page.is_file():
        return FileResponse(page, media_type="text/html; charset=utf-8")
    return HTMLResponse(_fallback_page())


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Serve the API reference, rendered from the OpenAPI schema (no script, no CDN)."""
    from redline.checks.app.service.api_docs import render_api_docs

    return HTMLResponse(render_api_docs(request.app.openapi()))


def mount_static(app: FastAPI) -> None:
    """Serve Leaflet (from django-js-lib-leaflet, when installed) and the page's files under ``/static``."""
    leaflet = resources.files("js_lib_leaflet").joinpath("static", "js_lib_leaflet")
    if leaflet.is_dir():
        app.mount("/static/leaflet", StaticFiles(directory=str(leaflet)), name="leaflet")
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR), check_dir=False), name="static")
