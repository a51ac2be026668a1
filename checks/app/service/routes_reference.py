"""``/api/layers``, ``/api/zones``, ``/api/industries``, ``/api/tags``: what the service screens against."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from redline.checks import options
from redline.checks.app.service.errors import RESPONSES, ApiError
from redline.checks.app.service.models import IndustriesResponse, LayersResponse, TagsResponse, ZoneCollection
from redline.checks.app.service.payloads import layers_payload, search_industries, tags_payload
from redline.checks.app.service.state import Service, service

__all__ = ["parse_bbox", "router"]

router = APIRouter()

Lang = Annotated[Literal[options.LANGS] | None, Query(alias="lang")]


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """Return ``minx,miny,maxx,maxy`` as four numbers, or None when not given.

    Raises
    ------
    ApiError
        (400, ``bbox``) for anything else.

    Examples
    --------
    >>> parse_bbox("109.3,22.2,109.5,22.6")
    (109.3, 22.2, 109.5, 22.6)
    """
    if text is None or not text.strip():
        return None
    try:
        values = tuple(float(p) for p in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ApiError(400, "bbox", f"bbox {text[:80]!r} is not four numbers minx,miny,maxx,maxy (lon/lat)")
    minx, miny, maxx, maxy = values
    if minx > maxx or miny > maxy:
        raise ApiError(400, "bbox", f"bbox {text[:80]!r}: minx must be <= maxx and miny <= maxy")
    return minx, miny, maxx, maxy


@router.get("/layers", response_model=LayersResponse, summary="The layer set / 图层", tags=["reference"])
def get_layers(svc: Annotated[Service, Depends(service)], lang_: Lang = None):
    """Describe the loaded layers: kinds, sources, feature and class counts, fingerprints, rule catalogues.

    Never geometry; ``bounds``/``center`` come from the non-confidential layers only.
    """
    return layers_payload(svc.layerset, lang=lang_ or svc.lang, catalog=svc.catalog)


@router.get(
    "/zones",
    response_model=ZoneCollection,
    responses={400: RESPONSES[400], 422: RESPONSES[422]},
    summary="Zones to draw / 分区范围",
    tags=["reference"],
)
def get_zones(
    svc: Annotated[Service, Depends(service)],
    kind: Annotated[str | None, Query(description="only this kind, e.g. water_source (blank: every kind)")] = None,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in lon/lat (EPSG:4490)")] = None,
    limit: Annotated[int, Query(ge=1, le=50_000, description="most features returned")] = 5000,
):
    """Zones of the non-confidential layers intersecting ``bbox``, as GeoJSON (EPSG:4490).

    A confidential (涉密) kind answers an empty collection with ``"confidential": true``.
    """
    from redline.zones.kinds import KINDS

    kind = kind.strip() if kind and kind.strip() else None  # blank: every kind, as when not given
    if kind is not None and kind not in KINDS:
        raise ApiError(400, "kind", f"kind {kind[:80]!r} is unknown; kinds: {', '.join(KINDS)}")
    text = svc.zone_index.collection_json(kind=kind, bbox=parse_bbox(bbox), limit=limit)
    return Response(text, media_type="application/json")


@router.get(
    "/industries",
    response_model=IndustriesResponse,
    responses={422: RESPONSES[422]},
    summary="Industry search / 行业代码检索",
    tags=["reference"],
)
def get_industries(
    q: Annotated[str, Query(max_length=100, description="code prefix, name fragment or alias, e.g. 电镀")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
):
    """Search GB/T 4754-2017 (国民经济行业分类) as the user types: codes, names, aliases, notes."""
    return {"items": search_industries(q, limit)}


@router.get("/tags", response_model=TagsResponse, summary="Project tags / 项目标签", tags=["reference"])
def get_tags(svc: Annotated[Service, Depends(service)], lang_: Lang = None):
    """List the project tags rules may test, and the actions new/expand/rebuild (新建/扩建/改建)."""
    return tags_payload(lang_ or svc.lang)
