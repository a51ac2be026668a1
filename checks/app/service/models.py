"""The service's request and response models: the OpenAPI schema of ``/api``.

Numbers that are NaN are ``null``; geometry is GeoJSON in EPSG:4490 (lon, lat).  The choices and
ranges of the options come from :mod:`redline.checks.options`, as they do for the command line.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from redline.checks import options
from redline.zones.project import ACTIONS

__all__ = [
    "AccessListOut",
    "ActionItem",
    "CheckLinks",
    "CheckRequest",
    "CheckResponse",
    "ClauseOut",
    "Coarsening",
    "ErrorDetail",
    "ErrorResponse",
    "FindingOut",
    "Health",
    "IndustriesResponse",
    "IndustryItem",
    "JobAccepted",
    "JobLinks",
    "JobStatus",
    "LayerInfo",
    "LayersResponse",
    "Progress",
    "SiteOut",
    "TagItem",
    "TagsResponse",
    "ZoneCollection",
]

Verdict = Literal["prohibited", "restricted", "review", "no_coverage", "clear", "error", ""]

# --------------------------------------------------------------------------- models: errors and health


class ErrorDetail(BaseModel):
    """What went wrong, and with which field (``null`` when no one field is to blame)."""

    field: str | None = Field(description="the request field at fault (site, crs, industry, file ...) or null")
    message: str = Field(description="one message naming the value and the fix / 错误说明")


class ErrorResponse(BaseModel):
    """Every error response: ``{"error": {"field": ..., "message": ...}}``."""

    error: ErrorDetail


class Health(BaseModel):
    """``GET /healthz``."""

    status: Literal["ok"]
    version: str = Field(description="redline-checker version")
    layerset: str = Field(description="name of the layer set loaded at startup")


# --------------------------------------------------------------------------- models: layers, zones, vocab


class Coarsening(BaseModel):
    """How coarse the answers about a confidential (涉密) layer are (manifest ``confidential:``)."""

    distance_step_m: float = Field(description="grid step of the coarsened outline; distances are given in these steps")
    area_step_m2: float = Field(description="areas are rounded up to this many square metres")
    band_m: float = Field(description="a `boundary` finding lies within this many metres of the zone's boundary")


class LayerInfo(BaseModel):
    """One zone layer of the loaded layer set (never its geometry)."""

    kind: str
    kind_label: str = Field(description="the kind's display name (Chinese, or English with lang=en)")
    source: str = Field(description="file label, e.g. water_source.gpkg:zones")
    features: int
    fingerprint: str
    confidential: bool = Field(description="涉密: its zones' geometry never leaves the service")
    coarsening: Coarsening | None = Field(description="for a confidential layer: how coarse the answers about it are")
    classes: dict[str, int] = Field(description="zone class -> number of zones ('' for zones without a class)")


class LayersResponse(BaseModel):
    """``GET /api/layers``: what the service screens against."""

    name: str
    illustrative: bool = Field(description="示意数据: invented sample data, never for a real review")
    notice: str | None
    center: list[float] | None = Field(description="[lon, lat] (EPSG:4490) of the non-confidential layers' extent")
    bounds: list[float] | None = Field(description="[minx, miny, maxx, maxy] (EPSG:4490), see center")
    buffer_m: float = Field(description="default buffer of /api/check in metres")
    catalogs: dict[str, str] = Field(description="rule catalogue -> version")
    layers: list[LayerInfo]


class ZoneCollection(BaseModel):
    """``GET /api/zones``: a GeoJSON FeatureCollection of non-confidential zones."""

    model_config = ConfigDict(json_schema_extra={"description": "properties: kind, zone_id, zone_name, zone_class"})

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]
    truncated: bool = Field(description="true when more zones matched than limit")
    confidential: bool = Field(description="true when the kind asked for is confidential (no features sent)")


class IndustryItem(BaseModel):
    """One GB/T 4754-2017 entry."""

    code: str = Field(examples=["C3360"])
    name: str = Field(examples=["金属表面处理及热处理加工"])
    level: Literal["section", "division", "group", "class"]


class IndustriesResponse(BaseModel):
    """``GET /api/industries``."""

    items: list[IndustryItem]


class TagItem(BaseModel):
    """One project tag rules may test."""

    tag: str
    label: str


class ActionItem(BaseModel):
    """One project action."""

    action: Literal[ACTIONS]
    label: str


class TagsResponse(BaseModel):
    """``GET /api/tags``: the project tags, and the actions (新建/扩建/改建)."""

    items: list[TagItem]
    actions: list[ActionItem]


# --------------------------------------------------------------------------- models: check

#: A site as text: not blank, at most 20 million characters.
SiteText = Annotated[str, StringConstraints(min_length=1, max_length=20_000_000, pattern=r"\S")]


class CheckRequest(BaseModel):
    """``POST /api/check``: one site and the project on it."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"site": "109.4015,22.4923", "industry": "H6210", "tags": [], "action": "new"},
                {
                    "site": {
                        "type": "Polygon",
                        "coordinates": [[[109.40, 22.49], [109.41, 22.49], [109.41, 22.50], [109.40, 22.49]]],
                    },
                    "crs": "gcj02",
                    "industry": ["C3360"],
                    "tags": ["heavy_metal"],
                    "lang": "en",
                },
            ]
        },
    )

    site: SiteText | dict[str, Any] = Field(
        description='"lon,lat" (also 度分秒), WKT, or a GeoJSON geometry (or Feature) object / 坐标、WKT 或 GeoJSON'
    )
    crs: str | None = Field(
        None, description="CRS of the coordinates: null (EPSG:4490), EPSG:4545, CGCS2000-GK3-36, gcj02, bd09 ..."
    )
    industry: str | list[str] | None = Field(
        None, description="GB/T 4754-2017 code(s) or name(s); a string may hold several with ';' / 行业代码"
    )
    tags: list[str] | str = Field(default_factory=list, description="project tags (see /api/tags); or ';'-separated")
    action: Literal[ACTIONS] | None = Field(None, description="新建/扩建/改建; null means new")
    buffer: float = Field(
        1000.0,
        ge=0,
        le=options.BUFFER_M_MAX,
        allow_inf_nan=False,
        description="report zones within this many metres as nearby (a JSON number, not text)",
    )
    lang: Literal[options.LANGS] | None = Field(
        None, description="language of labels and rule texts (default: server's)"
    )
    site_id: str = Field("site", min_length=1, max_length=200)
    name: str = Field("", max_length=500, description="the project's name, shown in the reports")
    nearby: Literal[options.NEARBY] = Field(
        "nearest", description="of zones only near the site: the nearest of each kind and class, or all"
    )
    on_invalid: Literal["raise", "fix"] = Field(
        "raise", description="an invalid polygon is refused (raise) or repaired with make_valid (fix)"
    )


class SiteOut(BaseModel):
    """The screened site."""

    site_id: str
    name: str
    verdict: Verdict
    verdict_label: str
    status: str
    geom_type: str
    site_area_m2: float | None
    site_length_m: float | None
    note: str = Field("", description="what a reviewer should know: coverage share, industry codes read, clauses left")
    eia_category: str = Field(
        "", description="the EIA document the 名录 asks for: report, form, register, none, or review (a fact missing)"
    )
    eia_label: str = Field("", description="eia_category as the document's name, in the answer's language")
    eia_item: str = Field("", description="the 名录 row (名录第N项 …)")
    eia_basis: str = Field("", description="the row's cell verbatim and why (the sensitive area touched)")
    geometry: dict[str, Any] | None = Field(description="the site as GeoJSON in EPSG:4490")


class FindingOut(BaseModel):
    """One (site, zone) finding: the ``findings.csv`` columns plus labels."""

    site_id: str
    kind: str
    zone_id: str
    zone_name: str
    zone_class: str
    relation: Literal["inside", "overlaps", "nearby", "boundary"] = Field(
        description="boundary: near a confidential zone's boundary, inside or out not told (see coarsened)"
    )
    overlap_area_m2: float | None
    overlap_ratio: float | None
    overlap_length_m: float | None
    distance_m: float | None
    verdict: Verdict
    rule_id: str
    basis: str
    kind_label: str
    class_label: str
    relation_label: str
    verdict_label: str
    rule_title: str
    rule_text: str
    catalog: str
    confidential: bool
    coarsened: Coarsening | None = Field(
        description="for a confidential zone: the steps its distance (rounded down, to the coarsened outline) "
        "and areas (rounded up) are given in"
    )
    geometry: dict[str, Any] | None = Field(
        description="site ∩ zone as GeoJSON; null for nearby and confidential, and beyond the answer's vertex limit"
    )


class ClauseOut(BaseModel):
    """One clause of a control unit's access list (生态环境准入清单)."""

    clause_id: str
    dimension: str
    text: str
    verdict: str | None
    matched: bool = Field(description="the clause applies to this project")


class AccessListOut(BaseModel):
    """The access list binding one touched control unit."""

    unit: str
    clauses: list[ClauseOut]


class CheckLinks(BaseModel):
    """Report files of this check, written on first request."""

    report: str
    map: str
    docx: str


class CheckResponse(BaseModel):
    """``POST /api/check`` answer."""

    check_id: str
    illustrative: bool
    notice: str | None
    site: SiteOut
    findings: list[FindingOut]
    findings_total: int = Field(description="findings of the check; the answer carries at most 500")
    truncated: bool = Field(description="true when findings_total is more than the findings carried")
    geometries_omitted: int = Field(description="geometries left null to keep the answer under 20,000 vertices")
    warnings: list[str] = Field(description="what the service noticed about the input, e.g. lat,lon read swapped")
    access_lists: list[AccessListOut]
    links: CheckLinks


# --------------------------------------------------------------------------- models: jobs


class JobLinks(BaseModel):
    """Where to poll."""

    self: str


class JobAccepted(BaseModel):
    """``POST /api/batch`` answer (202)."""

    job_id: str
    status: Literal["queued", "running", "done", "error"]
    links: JobLinks


class Progress(BaseModel):
    """Sites screened so far, of those to screen; when screening is over, every site of the upload.

    Sites outside the layers' coverage and rows that cannot be read need no screening: they count
    once it is over.
    """

    done: int
    total: int


class JobStatus(BaseModel):
    """``GET /api/jobs/{id}``."""

    job_id: str
    status: Literal["queued", "running", "done", "error"]
    stage: Literal["queued", "reading", "screening", "writing", "done", "error"]
    progress: Progress
    counts: dict[str, int] | None = Field(description="sites per verdict, when done")
    error: str | None
    files: dict[str, str] = Field(description="output file name -> its URL")
    created: str
    finished: str | None
