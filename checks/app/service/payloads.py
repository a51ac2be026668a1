"""The service's JSON answers, shaped from results and the layer set (models in :mod:`.models`).

Numbers that are NaN become ``null``; geometry is GeoJSON in EPSG:4490 (lon, lat).  Nothing
here ever puts geometry of a confidential (涉密) layer into a payload: ``/api/layers`` sends
no geometry, ``/api/zones`` skips confidential layers, and a finding of a confidential layer
carries ``"geometry": null`` whatever the result holds, and is said only as finely as its
layer's coarsening (:mod:`redline.checks.app.service.coarse`).  An answer of ``/api/check``
carries at most :data:`MAX_FINDINGS` findings and :data:`MAX_VERTICES` vertices of geometry.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import shapely

from redline.checks.app.service.coarse import ConfidentialView, step_ceil, step_floor
from redline.checks.outputs.writers import ILLUSTRATIVE_NOTICE
from redline.zones.eia.answer import category_label
from redline.zones.labels import action_label, class_label, kind_label, relation_label, tag_label, verdict_text

__all__ = [
    "MAX_FINDINGS",
    "MAX_VERTICES",
    "ZoneIndex",
    "band_m",
    "check_payload",
    "layers_payload",
    "search_industries",
    "tags_payload",
]


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


def _coarsening(layer) -> dict | None:
    """Return how coarse the answers about a confidential layer are (None for a public layer)."""
    if not layer.confidential:
        return None
    from redline.layers.manifest import DEFAULT_COARSENING

    steps = {**DEFAULT_COARSENING, **(layer.coarsening or {})}
    return {**{k: float(v) for k, v in steps.items()}, "band_m": band_m(float(steps["distance_step_m"]))}


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
                "coarsening": _coarsening(layer),
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


#: Most findings one answer carries (``findings_total`` says how many there were).
MAX_FINDINGS = 500
#: Most vertices of geometry one answer carries (the site's and the overlaps'); the rest are null.
MAX_VERTICES = 20_000

_BOUNDARY_LABELS = {
    "zh": "涉密分区边界附近（约 {band:g} 米内，不区分内外）",
    "en": "near a confidential zone's boundary (within about {band:g} m; inside or out not told)",
}


def band_m(step: float) -> float:
    """Return how far from a confidential zone's boundary a ``boundary`` answer may be, in metres.

    A site in the coarsened outline but not its core lies within a step and a cell's diagonal of
    the boundary (see :mod:`redline.checks.app.service.coarse`), said rounded up to 10 m.

    Examples
    --------
    >>> band_m(100.0)
    250.0
    """
    return float(math.ceil((1 + math.sqrt(2)) * step / 10) * 10)


def _coarsened(finding: dict, steps: dict[str, float], core, site, measure: float | None, lang: str) -> dict:
    """Say a finding of a confidential zone as coarsely as its layer's steps (relation, distance, areas)."""
    step, area_step = float(steps["distance_step_m"]), float(steps["area_step_m2"])
    relation = finding["relation"]
    if relation in ("inside", "overlaps"):
        in_core = core is not None and not core.is_empty and site is not None
        if in_core and core.covers(site):
            relation = "inside"
        elif relation == "inside" or not (in_core and core.intersects(site)):
            relation = "boundary"
    area = step_ceil(finding["overlap_area_m2"], area_step)
    length = step_ceil(finding["overlap_length_m"], step)
    part = area if area is not None else length
    ratio = None if part is None or not measure else min(1.0, round(part / measure, 2))
    band = band_m(step)
    finding.update(
        relation=relation,
        distance_m=step_floor(finding["distance_m"], step),
        overlap_area_m2=area,
        overlap_length_m=length,
        overlap_ratio=ratio if finding["overlap_ratio"] is not None else None,
        geometry=None,
        coarsened={"distance_step_m": step, "area_step_m2": area_step, "band_m": band},
    )
    if relation == "boundary":
        finding["relation_label"] = _BOUNDARY_LABELS.get(lang, _BOUNDARY_LABELS["en"]).format(band=band)
    return finding


def _finding(row: dict, geom, kind: str, zone_id: str, lang: str, confidential: bool) -> dict:
    return {
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
        "coarsened": None,
        "geometry": None if confidential else geom,
    }


def _findings_out(f, lang: str, view: ConfidentialView, site, measure) -> tuple[list[dict], dict[str, set[str]]]:
    """Return the findings as the answer gives them, and the clauses matched in each control unit.

    Findings of confidential zones are coarsened (:func:`_coarsened`); geometry stays as shapely
    objects here (the caller turns what fits the answer into GeoJSON).
    """
    findings = []
    matched: dict[str, set[str]] = {}
    geoms = np.asarray(f.geometry.array, dtype=object)
    columns = [c for c in f.columns if c != f.geometry.name]
    values = zip(*(f[c].tolist() for c in columns), strict=True)
    rows = (dict(zip(columns, row, strict=True)) for row in values)
    for row, geom in zip(rows, geoms, strict=True):
        kind, zone_id = _text(row["kind"]), _text(row["zone_id"])
        steps = view.steps.get((kind, zone_id))
        if kind == "control_unit":
            matched.setdefault(zone_id, set()).update(_text(row.get("matched_rules")).split(";"))
        finding = _finding(row, geom, kind, zone_id, lang, steps is not None)
        if steps is not None:
            finding = _coarsened(finding, steps, view.cores.get((kind, zone_id)), site, measure, lang)
        findings.append(finding)
    return findings, matched


def _fit_geometry(site: dict, findings: list[dict], max_vertices: int) -> int:
    """Turn the site's and findings' geometry into GeoJSON while the answer's vertices last; return those left out."""
    room, omitted = max_vertices, 0
    for holder in [site, *findings]:
        geom = holder["geometry"]
        if geom is None or shapely.is_missing(geom) or shapely.is_empty(geom):
            holder["geometry"] = None
            continue
        n = int(shapely.get_num_coordinates(geom))
        if n > room:
            holder["geometry"], omitted = None, omitted + 1
            continue
        room -= n
        holder["geometry"] = _geojson(geom)
    return omitted


def _access_lists(result, matched: dict[str, set[str]]) -> list[dict]:
    return [
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


def check_payload(
    result,
    check_id: str,
    *,
    lang: str,
    view: ConfidentialView | None = None,
    warnings: list[str] | None = None,
    max_findings: int = MAX_FINDINGS,
    max_vertices: int = MAX_VERTICES,
) -> dict:
    """Return the ``/api/check`` payload for a one-site result.

    Parameters
    ----------
    result : ScreeningResult
    check_id : str
    lang : {"zh", "en"}
    view : ConfidentialView, optional
        The confidential zones: their findings say ``confidential: true``, carry no geometry and
        are coarsened to their layer's steps (``coarsened`` says how).
    warnings : list of str, optional
        What the service noticed about the input (e.g. a pair read as latitude, longitude).
    max_findings, max_vertices : int
        The answer carries at most this many findings (``truncated``, ``findings_total``) and
        vertices of geometry (``geometries_omitted`` counts the geometries left out).
    """
    view = view or ConfidentialView()
    s = result.sites.iloc[0]
    verdict = "error" if s["status"] == "error" else _text(s["verdict"])
    measure = _num(s["site_area_m2"]) or _num(s["site_length_m"])
    site = {
        "site_id": _text(s["site_id"]),
        "name": _text(s.get("name", "")),
        "verdict": verdict,
        "verdict_label": verdict_text(verdict, lang),
        "status": _text(s["status"]),
        "geom_type": _text(s["geom_type"]),
        "site_area_m2": _num(s["site_area_m2"]),
        "site_length_m": _num(s["site_length_m"]),
        **{name: _text(s.get(name, "")) for name in ("note", "eia_category", "eia_item", "eia_basis")},
        "eia_label": category_label(_text(s.get("eia_category", "")), lang),
        "geometry": s.geometry,
    }
    findings, matched = _findings_out(result.findings, lang, view, s.geometry, measure)
    total = len(findings)
    findings = findings[:max_findings]
    omitted = _fit_geometry(site, findings, max_vertices)
    base = f"/api/checks/{check_id}"
    return {
        "check_id": check_id,
        "illustrative": bool(result.illustrative),
        "notice": ILLUSTRATIVE_NOTICE if result.illustrative else None,
        "site": site,
        "findings": findings,
        "findings_total": total,
        "truncated": total > len(findings),
        "geometries_omitted": omitted,
        "warnings": list(warnings or []),
        "access_lists": _access_lists(result, matched),
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
