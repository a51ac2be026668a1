"""``/api/check`` and ``/api/checks/{check_id}/{name}``: screen one site, and its report files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as FastApiPath

from redline.checks.app.service.errors import RESPONSES, ApiError
from redline.checks.app.service.jobs import REPORT_FILES, new_id
from redline.checks.app.service.models import CheckRequest, CheckResponse
from redline.checks.app.service.screening import CheckOutcome, CheckTask
from redline.checks.app.service.state import MEDIA_TYPES, Service, service

__all__ = ["router"]

router = APIRouter()


def _task(request: CheckRequest, check_id: str, lang: str) -> CheckTask:
    return CheckTask(
        check_id=check_id,
        site=request.site,
        site_id=request.site_id,
        name=request.name,
        crs=request.crs,
        industry=request.industry,
        tags=request.tags,
        action=request.action,
        buffer=request.buffer,
        nearby=request.nearby,
        lang=lang,
        on_invalid=request.on_invalid,
    )


def _audit(svc: Service, http: Request, outcome: CheckOutcome, check_id: str) -> None:
    client = getattr(http.state, "client", None)
    svc.audit.write(
        client=client.label if client is not None else "unknown",
        call="check",
        ref=check_id,
        site_digest=outcome.digest,
        zones=outcome.touched,
        verdict=outcome.payload["site"]["verdict"],
    )


@router.post(
    "/check",
    response_model=CheckResponse,
    responses={code: RESPONSES[code] for code in (400, 413, 422, 429, 503, 504)},
    summary="Screen one site / 单个选址筛查",
    tags=["screening"],
)
async def post_check(request: CheckRequest, http: Request, svc: Annotated[Service, Depends(service)]):
    """Screen one site for a project: verdict, findings (with rules and overlaps) and access lists.

    The report files in ``links`` are written on first request and kept while the result is
    among the recent ones.  A site is estimated before it is screened: one that would cost too
    much is refused (422, naming the limit); a large one is screened apart from the small ones,
    with a time limit (504).  Findings of a confidential (涉密) layer are coarsened (``coarsened``).
    At most 500 findings and 20,000 vertices of geometry are sent (``truncated``,
    ``geometries_omitted``).
    """
    check_id = new_id()
    outcome = await svc.lanes.run(_task(request, check_id, request.lang or svc.lang))
    if outcome.error is not None:
        status, fld, message = outcome.error
        raise ApiError(status, fld, message)
    result = outcome.result
    result.layerset, result.catalog = svc.layerset, svc.catalog
    svc.recent.add(check_id, result, request.lang or svc.lang)
    if outcome.touched:
        _audit(svc, http, outcome, check_id)
    return outcome.payload


@router.get(
    "/checks/{check_id}/{name}",
    responses={
        200: {"content": {"text/html": {}, MEDIA_TYPES[".docx"]: {}}, "description": "the file"},
        404: RESPONSES[404],
    },
    response_class=Response,
    summary="A check's report / 筛查报告",
    tags=["screening"],
)
def get_check_file(
    svc: Annotated[Service, Depends(service)],
    check_id: str,
    name: Annotated[str, FastApiPath(description="report.html, map.html or report.docx")],
):
    """Return ``report.html``, ``map.html`` or ``report.docx`` of a recent check (written on first request)."""
    if name not in REPORT_FILES:
        raise ApiError(404, "name", f"no file {name[:80]!r}; a check has {', '.join(REPORT_FILES)}")
    path = svc.recent.file(check_id, name)
    if path is None:
        raise ApiError(404, "check_id", f"check {check_id[:40]!r} is unknown or expired; run the check again")
    headers = {"Content-Disposition": f'attachment; filename="{name}"'} if name.endswith(".docx") else None
    return Response(path.read_bytes(), media_type=MEDIA_TYPES[Path(name).suffix], headers=headers)
