"""The service's JSON: request and response models (the OpenAPI schema) and the shaping of results.

Numbers that are NaN become ``null``; geometry is GeoJSON in EPSG:4490 (lon, lat).  Nothing
here ever puts geometry of a confidential (涉密) layer into a payload: ``/api/layers`` sends
no geometry, ``/api/zones`` skips confidential layers, and a finding of a confidential layer
carries ``"geometry": null`` whatever the result holds.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field

from redline.checks.outputs.writers import ILLUSTRATIVE_NOTICE
from redline.zones.labels import action_label, class_label, kind_label, relation_label, tag_label, verdict_text

__all__ = [
    "AccessListOut",
    "CheckLinks",
    "CheckRequest",
    "CheckResponse",
    "ClauseOut",
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
    "ZoneIndex",
    "api_words",
    "check_payload",
    "error_body",
    "layers_payload",
    "search_industries",
    "tags_payload",
]

Verdict = Literal["prohibited", "restricted", "review", "clear", "error", ""]

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


class LayerInfo(BaseModel):
    """One zone layer of the loaded layer set (never its geometry)."""

    kind: str
    kind_label: str = Field(description="the kind's display name (Chinese, or English with lang=en)")
    source: str = Field(description="file label, e.g. water_source.gpkg:zones")
    features: int
    fingerprint: str
    confidential: bool = Field(description="涉密: its zones' geometry never leaves the service")
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

    action: Literal["new", "expand", "rebuild"]
    label: str


class TagsResponse(BaseModel):
    """``GET /api/tags``: the project tags, and the actions (新建/扩建/改建)."""

    items: list[TagItem]
    actions: list[ActionItem]


# --------------------------------------------------------------------------- models: check


class CheckRequest(BaseModel):
    """``POST /api/check``: one site and the project on it."""

    model_config = ConfigDict(
        extra="forbid",
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

    site: str | dict[str, Any] = Field(
        description='"lon,lat" (also 度分秒), WKT, or a GeoJSON geometry (or Feature) object / 坐标、WKT 或 GeoJSON',
        max_length=20_000_000,
    )
    crs: str | None = Field(
        None, description="CRS of the coordinates: null (EPSG:4490), EPSG:4545, CGCS2000-GK3-36, gcj02, bd09 ..."
    )
    industry: str | list[str] | None = Field(
        None, description="GB/T 4754-2017 code(s) or name(s); a string may hold several with ';' / 行业代码"
    )
    tags: list[str] | str = Field(default_factory=list, description="project tags (see /api/tags); or ';'-separated")
    action: Literal["new", "expand", "rebuild"] | None = Field(None, description="新建/扩建/改建; null means new")
    buffer: float = Field(1000.0, ge=0, le=100_000, description="report zones within this many metres as nearby")
    lang: Literal["zh", "en"] | None = Field(None, description="language of labels and rule texts (default: server's)")
    site_id: str = Field("site", min_length=1, max_length=200)
    name: str = Field("", max_length=500, description="the project's name, shown in the reports")
    nearby: Literal["nearest", "all"] = Field(
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
    geometry: dict[str, Any] | None = Field(description="the site as GeoJSON in EPSG:4490")


class FindingOut(BaseModel):
    """One (site, zone) finding: the ``findings.csv`` columns plus labels."""

    site_id: str
    kind: str
    zone_id: str
    zone_name: str
    zone_class: str
    relation: Literal["inside", "overlaps", "nearby"]
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
    geometry: dict[str, Any] | None = Field(description="site ∩ zone as GeoJSON; null for nearby and confidential")


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
    """Sites screened so far."""

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


# --------------------------------------------------------------------------- shaping helpers


_OPTION_RE = re.compile(r"(?<![\w-])--([a-z][a-z]*(?:-[a-z]+)*)")


def api_words(message: str) -> str:
    """Say the API's field names where a message written for the command line names its options.

    Examples
    --------
    >>> api_words("give their CRS with --crs (e.g. --crs EPSG:4546), or use --on-invalid fix")
    'give their CRS with crs (e.g. crs EPSG:4546), or use on_invalid fix'
    """
    message = message.replace(", or give the path of an existing file", "")
    return _OPTION_RE.sub(lambda m: m.group(1).replace("-", "_"), message)


def error_body(field: str | None, message: str) -> dict:
    """Return the error payload ``{"error": {"field", "message"}}``.

    Examples
    --------
    >>> error_body("site", "bad")
    {'error': {'field': 'site', 'message': 'bad'}}
    """
    return {"error": {"field": field, "message": message}}


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _geojson(geom: Any) -> dict | None:
    if geom is None or shapely.is_missing(geom) or shapely.is_empty(geom):
        return None
    return json.loads(shapely.to_geojson(geom))


def _bounds(layers) -> list[float] | None:
    boxes = [np.asarray(layer.gdf.total_bounds, dtype=float) for layer in layers if len(layer.gdf)]
    boxes = [b for b in boxes if np.isfinite(b).all()]
    if not boxes:
        return None
    stack = np.vstack(boxes)
    return [float(stack[:, 0].min()), float(stack[:, 1].min()), float(stack[:, 2].max()), float(stack[:, 3].max())]


def layers_payload(layerset, *, lang: str = "zh", buffer_m: float = 1000.0, catalog=None) -> dict:
    """Return the ``/api/layers`` payload: the layer set's description, never geometry.

    ``bounds`` and ``center`` come from the non-confidential layers; when every layer is
    confidential they are the extent rounded outward to 0.1°, which shows the region without
    giving away any vertex.  ``catalog`` defaults to the layer set's rules.
    """
    public = [layer for layer in layerset.layers if not layer.confidential]
    bounds = _bounds(public)
    if bounds is None:
        coarse = _bounds(layerset.layers)
        if coarse is not None:
            bounds = [
                math.floor(coarse[0] * 10) / 10,
                math.floor(coarse[1] * 10) / 10,
                math.ceil(coarse[2] * 10) / 10,
                math.ceil(coarse[3] * 10) / 10,
            ]
    center = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2] if bounds else None
    layers = []
    for layer in layerset.layers:
        classes = layer.gdf["zone_class"].map(_text).value_counts(sort=False) if len(layer.gdf) else {}
        layers.append(
            {
                "kind": layer.kind,
                "kind_label": kind_label(layer.kind, lang),
                "source": layer.label,
                "features": len(layer.gdf),
                "fingerprint": layer.fingerprint,
                "confidential": bool(layer.confidential),
                "classes": {str(k): int(v) for k, v in dict(classes).items()},
            }
        )
    return {
        "name": layerset.name,
        "illustrative": bool(layerset.illustrative),
        "notice": ILLUSTRATIVE_NOTICE if layerset.illustrative else None,
        "center": center,
        "bounds": bounds,
        "buffer_m": buffer_m,
        "catalogs": {str(k): str(v) for k, v in (catalog or layerset.catalog()).versions.items()},
        "layers": layers,
    }


class ZoneIndex:
    """Spatial indexes of the non-confidential layers' zones, for ``/api/zones``.

    Built once; confidential layers are left out entirely, so their geometry cannot be sent.
    """

    def __init__(self, layerset) -> None:
        self.kinds = set(layerset.kinds)
        self.confidential_kinds = {
            k for k in self.kinds if all(lyr.confidential for lyr in layerset.layers if lyr.kind == k)
        }
        self._layers = []
        for layer in layerset.layers:
            if layer.confidential or not len(layer.gdf):
                continue
            geoms = np.asarray(layer.gdf.geometry.array, dtype=object)
            props = {c: layer.gdf[c].to_numpy() for c in ("zone_id", "zone_name", "zone_class")}
            self._layers.append((layer.kind, geoms, shapely.STRtree(geoms), props))

    def collection_json(self, *, kind: str | None, bbox: tuple[float, float, float, float] | None, limit: int) -> str:
        """Return the FeatureCollection as JSON text (assembled directly: it may hold thousands of zones)."""
        if kind is not None and kind in self.confidential_kinds:
            return json.dumps({"type": "FeatureCollection", "features": [], "truncated": False, "confidential": True})
        parts: list[str] = []
        truncated = False
        query = shapely.box(*bbox) if bbox else None
        for layer_kind, geoms, tree, props in self._layers:
            if kind is not None and layer_kind != kind:
                continue
            if truncated:
                break
            idx = np.sort(tree.query(query, predicate="intersects")) if query is not None else np.arange(len(geoms))
            room = limit - len(parts)
            if len(idx) > room:
                idx, truncated = idx[:room], True
            if not len(idx):
                continue
            texts = shapely.to_geojson(geoms[idx])
            for i, text in zip(idx, texts, strict=True):
                properties = {
                    "kind": layer_kind,
                    "zone_id": _text(props["zone_id"][i]),
                    "zone_name": _text(props["zone_name"][i]),
                    "zone_class": _text(props["zone_class"][i]),
                }
                parts.append(
                    '{"type":"Feature","geometry":'
                    + (text or "null")
                    + ',"properties":'
                    + json.dumps(properties, ensure_ascii=False)
                    + "}"
                )
        tail = f',"truncated":{json.dumps(truncated)},"confidential":false}}'
        return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]" + tail



def check_payload(result, check_id: str, *, lang: str, confidential_zones: set[tuple[str, str]]) -> dict:
    """Return the ``/api/check`` payload for a one-site result.

    Parameters
    ----------
    result : ScreeningResult
    check_id : str
    lang : {"zh", "en"}
    confidential_zones : set of (kind, zone_id)
        Zones of confidential layers: their findings say ``confidential: true`` and carry no geometry.
    """
    s = result.sites.iloc[0]
    verdict = "error" if s["status"] == "error" else _text(s["verdict"])
    site = {
        "site_id": _text(s["site_id"]),
        "name": _text(s.get("name", "")),
        "verdict": verdict,
        "verdict_label": verdict_text(verdict, lang),
        "status": _text(s["status"]),
        "geom_type": _text(s["geom_type"]),
        "site_area_m2": _num(s["site_area_m2"]),
        "site_length_m": _num(s["site_length_m"]),
        "geometry": _geojson(s.geometry),
    }
    f = result.findings
    findings = []
    matched: dict[str, set[str]] = {}
    geoms = np.asarray(f.geometry.array, dtype=object)
    columns = [c for c in f.columns if c != f.geometry.name]
    values = zip(*(f[c].tolist() for c in columns), strict=True)
    rows = (dict(zip(columns, row, strict=True)) for row in values)
    for row, geom in zip(rows, geoms, strict=True):
        kind, zone_id = _text(row["kind"]), _text(row["zone_id"])
        confidential = (kind, zone_id) in confidential_zones
        if kind == "control_unit":
            matched.setdefault(zone_id, set()).update(_text(row.get("matched_rules")).split(";"))
        findings.append(
            {
                "site_id": _text(row["site_id"]),
                "kind": kind,
                "zone_id": zone_id,
                "zone_name": _text(row["zone_name"]),
                "zone_class": _text(row["zone_class"]),
                "relation": _text(row["relation"]),
                "overlap_area_m2": _num(row["overlap_area_m2"]),
                "overlap_ratio": _num(row["overlap_ratio"]),
                "overlap_length_m": _num(row["overlap_length_m"]),
                "distance_m": _num(row["distance_m"]),
                "verdict": _text(row["verdict"]),
                "rule_id": _text(row["rule_id"]),
                "basis": _text(row["basis"]),
                "kind_label": kind_label(kind, lang),
                "class_label": class_label(kind, row["zone_class"], lang),
                "relation_label": relation_label(row["relation"], lang),
                "verdict_label": verdict_text(row["verdict"], lang),
                "rule_title": _text(row.get("rule_title")),
                "rule_text": _text(row.get("rule_text")),
                "catalog": _text(row.get("catalog")),
                "confidential": confidential,
                "geometry": None if confidential else _geojson(geom),
            }
        )
    access_lists = [
        {
            "unit": unit,
            "clauses": [
                {
                    "clause_id": c.clause_id,
                    "dimension": c.dimension,
                    "text": c.text,
                    "verdict": c.verdict,
                    "matched": c.clause_id in matched.get(unit, ()),
                }
                for c in clauses
            ],
        }
        for unit, clauses in result.access_lists.items()
    ]
    base = f"/api/checks/{check_id}"
    return {
        "check_id": check_id,
        "illustrative": bool(result.illustrative),
        "notice": ILLUSTRATIVE_NOTICE if result.illustrative else None,
        "site": site,
        "findings": findings,
        "access_lists": access_lists,
        "links": {"report": f"{base}/report.html", "map": f"{base}/map.html", "docx": f"{base}/report.docx"},
    }


def tags_payload(lang: str = "zh") -> dict:
    """Return the ``/api/tags`` payload: every project tag with its label, and the three actions.

    Examples
    --------
    >>> p = tags_payload("en")
    >>> p["items"][0]["tag"], [a["action"] for a in p["actions"]]
    ('water_supply', ['new', 'expand', 'rebuild'])
    """
    from redline.zones.tags import TAGS

    return {
        "items": [{"tag": tag, "label": tag_label(tag, lang)} for tag in TAGS],
        "actions": [{"action": a, "label": action_label(a, lang)} for a in ("new", "expand", "rebuild")],
    }


_LEVELS = {1: "section", 2: "division", 3: "group", 4: "class"}
_LETTER_CODE_RE = re.compile(r"^[A-Ta-t]\d{0,4}$")
_DIGIT_CODE_RE = re.compile(r"^\d{1,4}$")


def search_industries(q: str, limit: int = 20) -> list[dict]:
    """Search GB/T 4754-2017 as the user types: codes by prefix, then names, aliases and notes.

    Order: codes starting with ``q`` (``C33``, ``3360``), an exact name, aliases (``电镀``), names
    starting with then containing ``q``, words in the notes of classes.  An empty ``q`` lists
    the sections.

    Examples
    --------
    >>> [i["code"] for i in search_industries("电镀", 3)][:1]
    ['C3360']
    >>> [(i["code"], i["level"]) for i in search_industries("C336", 2)]
    [('C336', 'group'), ('C3360', 'class')]
    """
    from redline.zones.industry import aliases, industry_table

    table = industry_table()
    text = (q or "").strip()
    found: dict[str, None] = {}

    def add(codes) -> None:
        for code in codes:
            found.setdefault(code, None)

    if not text:
        add(code for code, ind in table.items() if ind.level == 1)
    elif _LETTER_CODE_RE.match(text):
        add(sorted(c for c in table if c.startswith(text.upper())))
    elif _DIGIT_CODE_RE.match(text):
        add(sorted(c for c in table if c[1:].startswith(text)))
    if text:
        key = text.casefold()
        add(c for c, ind in table.items() if ind.name == text)
        add(a.code for a in aliases() if any(w.casefold() == key for w in a.words))
        add(a.code for a in aliases() if any(key in w.casefold() for w in a.words))
        add(c for c, ind in table.items() if ind.name.startswith(text))
        add(c for c, ind in table.items() if text in ind.name)
        add(c for c, ind in table.items() if ind.level == 4 and text in ind.note)
    items = []
    for code in found:
        ind = table.get(code)
        if ind is None:
            continue
        items.append({"code": ind.code, "name": ind.name, "level": _LEVELS.get(ind.level, "class")})
        if len(items) >= limit:
            break
    return items
