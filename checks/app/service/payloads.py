"""The service's JSON answers, shaped from results and the layer set (models in :mod:`.models`).

Numbers that are NaN become ``null``; geometry is GeoJSON in EPSG:4490 (lon, lat).  Nothing
here ever puts geometry of a confidential (涉密) layer into a payload: ``/api/layers`` sends
no geometry, ``/api/zones`` skips confidential layers, and a finding of a confidential layer
carries ``"geometry": null`` whatever the result holds.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import shapely

from redline.checks.outputs.writers import ILLUSTRATIVE_NOTICE
from redline.zones.labels import action_label, class_label, kind_label, relation_label, tag_label, verdict_text

__all__ = [
    "ZoneIndex",
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


def _findings_out(f, lang: str, confidential_zones: set[tuple[str, str]]) -> tuple[list[dict], dict[str, set[str]]]:
    """Return the findings as the answer gives them, and the clauses matched in each control unit."""
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
    return findings, matched


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
    findings, matched = _findings_out(result.findings, lang, confidential_zones)
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
