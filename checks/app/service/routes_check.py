"""``/api/check`` and ``/api/checks/{check_id}/{name}``: screen one site, and its report files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import shapely
from fastapi import APIRouter, Depends, Response
from fastapi import Path as FastApiPath

from redline.checks import options
from redline.checks.app.service.errors import RESPONSES, ApiError, api_message, error_field
from redline.checks.app.service.jobs import REPORT_FILES, new_id
from redline.checks.app.service.models import CheckRequest, CheckResponse
from redline.checks.app.service.payloads import check_payload
from redline.checks.app.service.state import MEDIA_TYPES, Service, service
from redline.zones.errors import RedlineError

__all__ = ["router", "site_text"]

router = APIRouter()


def site_text(site: str | dict) -> str:
    """Return the site as text for :func:`redline.checks.sites.reader.parse_site_text` (GeoJSON becomes WKT).

    Raises
    ------
    ApiError
        (400, ``site``) for an empty site or GeoJSON that is no geometry.

    Examples
    --------
    >>> site_text({"type": "Point", "coordinates": [109.4, 22.5]})
    'POINT (109.4 22.5)'
    """
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


def _check(svc: Service, request: CheckRequest, lang: str):
    """Screen the request's site (one at a time, see ``check_threads``); return the result."""
    from redline.checks.app.run import OneSite, ScreenOptions, SiteOptions, run_screening

    text = site_text(request.site)
    project = SiteOptions(
        crs=request.crs,
        industry=request.industry,
        tags=options.split_tags(request.tags),
        action=request.action,
        on_invalid=request.on_invalid,
    )
    screen = ScreenOptions(buffer_m=request.buffer, nearby=request.nearby, lang=lang)
    with svc.screen_slots:
        return run_screening(
            OneSite(text, request.site_id), svc.layerset, sites=project, screen=screen, catalog=svc.catalog
        ).result


@router.post(
    "/check",
    response_model=CheckResponse,
    responses={400: RESPONSES[400], 413: RESPONSES[413], 422: RESPONSES[422]},
    summary="Screen one site / 单个选址筛查",
    tags=["screening"],
)
def post_check(request: CheckRequest, svc: Annotated[Service, Depends(service)]):
    """Screen one site for a project: verdict, findings (with rules and overlaps) and access lists.

    The report files in ``links`` are written on first request and kept while the result is
    among the recent ones.
    """
    check_lang = request.lang or svc.lang
    try:
        result = _check(svc, request, check_lang)
    except RedlineError as exc:  # the field it names, else the site's (a CRS error: crs)
        raise ApiError(400, error_field(exc, "site"), api_message(exc)) from None
    if request.name:
        result.sites.loc[0, "name"] = request.name
    check_id = new_id()
    svc.recent.add(check_id, result, check_lang)
    return check_payload(result, check_id, lang=check_lang, confidential_zones=svc.confidential_zones)


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
