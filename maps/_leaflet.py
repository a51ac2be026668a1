"""Building blocks of the interactive maps: the data payload, the overlays and their names.

The folium map holds the base maps (:mod:`maps._basemap`), one empty ``FeatureGroup`` per
overlay that has something to draw (so the layer control lists it, with the count of what it
draws) and the layer control.  The overlays' content is drawn by the runtime script
(:func:`maps._js.runtime_js`) from one JSON payload: geometries are simplified for display,
rounded to 1e-6 degree and delta-encoded as integers, which keeps a 100,000-site map to a few
megabytes.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from redline.layers.geodesy import METRES_PER_DEGREE
from redline.layers.layerset import LayerSet
from redline.maps._basemap import GAODE_URL, OSM_URL, TIANDITU_URL, new_map
from redline.maps._js import runtime_js
from redline.maps._legend import legend_html, top_html
from redline.maps._style import kind_order, verdict_color, verdict_order, zone_style
from redline.maps._texts import mt, verdict_name
from redline.zones.kinds import KINDS
from redline.zones.labels import class_label, confidential_note, kind_label, t

__all__ = [
    "GAODE_URL",
    "OSM_URL",
    "TIANDITU_URL",
    "KindCount",
    "Runtime",
    "base_payload",
    "confidential_notes",
    "count_notes",
    "drawable_kinds",
    "encode_geometry",
    "finish_map",
    "holder",
    "js_json",
    "legend_html",
    "map_notes",
    "new_map",
    "overlay_name",
    "public_zones",
    "top_html",
    "zone_holders",
    "zone_payload",
]

#: Coordinates are written as integers of 1e-6 degree (about 0.1 m).
_SCALE = 1_000_000


def js_json(obj: Any) -> str:
    r"""Return ``obj`` as compact JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` (and the JavaScript line separators) are written as
    ``\u`` escapes, so no text can close the script or start a comment.

    Examples
    --------
    >>> js_json({"n": "</script>"})
    '{"n":"\\u003c/script\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _delta(coords: np.ndarray) -> list[int]:
    ints = np.round(coords[:, :2] * _SCALE).astype(np.int64)
    if len(ints) > 1:
        ints[1:] = np.diff(ints, axis=0)
    return ints.ravel().tolist()


def encode_geometry(geom: Any) -> list | None:
    """Encode a geometry for the runtime: ``[1, pts]``, ``[2, [line, ...]]`` or ``[3, [[ring, ...], ...]]``.

    Every coordinate list is flat ``[x0, y0, dx1, dy1, ...]`` in integers of
    1e-6 degree.  Returns None for a missing or empty geometry.  Collections
    keep their highest-dimension parts.

    Examples
    --------
    >>> from shapely import Point, LineString
    >>> encode_geometry(Point(109.5, 22.5))
    [1, [109500000, 22500000]]
    >>> encode_geometry(LineString([(1, 1), (1.000002, 1.000001)]))
    [2, [[1000000, 1000000, 2, 1]]]
    """
    if geom is None or geom.is_empty:
        return None
    parts = shapely.get_parts(geom)
    parts = parts[~shapely.is_empty(parts)]
    if parts.size == 0:
        return None
    nested = shapely.get_type_id(parts) == 7
    while nested.any():
        parts = np.concatenate([parts[~nested], shapely.get_parts(parts[nested])])
        nested = shapely.get_type_id(parts) == 7
    dims = shapely.get_dimensions(parts)
    parts = parts[dims == dims.max()]
    dim = int(dims.max())
    if dim == 0:
        return [1, _delta(shapely.get_coordinates(parts))]
    if dim == 1:
        return [2, [_delta(shapely.get_coordinates(p)) for p in parts]]
    polys = []
    for p in parts:
        rings = [p.exterior, *p.interiors]
        polys.append([_delta(np.asarray(r.coords)[:-1]) for r in rings])
    return [3, polys]


def simplify(geoms: Iterable[Any], tolerance_m: float) -> np.ndarray:
    """Simplify for display (topology kept), tolerance in metres."""
    arr = np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)
    if arr.size == 0 or tolerance_m <= 0:
        return arr
    return shapely.simplify(arr, tolerance_m / METRES_PER_DEGREE, preserve_topology=True)


def _style_js(style: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in style.items() if k in ("color", "weight", "fillColor", "fillOpacity", "opacity", "dashArray")
    }


def kinds_payload(kinds: list[str], lang: str) -> list[dict[str, Any]]:
    """Return the kind table of the payload: label, class labels and styles, default style."""
    out = []
    for kind in kinds:
        classes = list(KINDS[kind].classes) if kind in KINDS else []
        dflt = zone_style(kind, None)
        out.append(
            {
                "k": kind,
                "label": kind_label(kind, lang),
                "classes": {c: [class_label(kind, c, lang), _style_js(zone_style(kind, c))] for c in classes},
                "dflt": _style_js(dflt),
                "svg": str(dflt.get("fillColor", "")).startswith("url("),
            }
        )
    return out


def public_zones(layerset: LayerSet, kind: str) -> Any:
    """Return the zones of ``kind`` from the layers that are not confidential (涉密 zones are never drawn).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> ls = load_layerset("sample")
    >>> len(public_zones(ls, "water_source")), len(public_zones(ls, "nature_reserve"))
    (9, 0)
    """
    layers = [layer for layer in layerset.layers if layer.kind == kind]
    public = [layer for layer in layers if not getattr(layer, "confidential", False)]
    if len(public) == len(layers):
        return layerset.zones(kind)
    return LayerSet(layerset.name, public).zones(kind)


def drawable_kinds(layerset: LayerSet, kinds: Iterable[str]) -> list[str]:
    """Return the kinds of ``kinds`` that have at least one layer that is not confidential."""
    public = {layer.kind for layer in layerset.layers if not getattr(layer, "confidential", False)}
    return [k for k in kinds if k in public]


def confidential_notes(layerset: LayerSet, kinds: Iterable[str], lang: str) -> list[str]:
    """Return the legend note for the confidential layers among ``kinds`` (an empty list when none)."""
    wanted = set(kinds)
    secret = [layer.kind for layer in layerset.layers if getattr(layer, "confidential", False) and layer.kind in wanted]
    note = confidential_note(secret, lang)
    return [note] if note else []


@dataclass(frozen=True)
class KindCount:
    """How many zones of a kind a map draws, of how many its public layers hold.

    ``drawn`` are the zones on the map; ``total`` those of the kind's public layers; ``near``
    those near the sites (all of them on a map without sites); ``layers`` the public layers
    merged into the one overlay.
    """

    drawn: int
    total: int
    near: int
    layers: int

    @property
    def no_geometry(self) -> int:
        """Zones left off because they have no geometry to draw."""
        return self.near - self.drawn


def zone_payload(
    layerset: LayerSet,
    kinds: list[str],
    kind_ids: dict[str, int],
    *,
    near: np.ndarray | None = None,
    radius_m: float = 0.0,
    tolerance_m: float = 5.0,
    max_vertices: int = 1_500_000,
) -> tuple[list[dict[str, Any]], float, dict[str, KindCount]]:
    """Return the zones of ``kinds`` (near the ``near`` geometries when given), simplified.

    The tolerance starts at ``tolerance_m`` and doubles until all zones together
    have at most ``max_vertices`` vertices, so a huge layer set still gives a
    map that opens.  Returns ``(payload, tolerance used, {kind: KindCount})``; the payload has
    one entry per kind, in drawing order (empty ones too).  Zones of confidential (涉密) layers
    are never in it.
    """
    frames, totals = {}, {}
    boxes = _search_boxes(near, radius_m) if near is not None else None
    for kind in kinds:
        zones = public_zones(layerset, kind)
        totals[kind] = len(zones)
        if boxes is not None:
            zones = _near(zones, boxes)
        if len(zones):
            zones = zones.iloc[np.argsort(-shapely.area(zones.geometry.array))]  # big ones underneath
        frames[kind] = zones
    raw = {k: np.asarray(z.geometry.array, dtype=object) for k, z in frames.items()}
    tolerance = tolerance_m
    while True:
        simplified = {k: simplify(g, tolerance) for k, g in raw.items()}
        total = sum(int(shapely.get_num_coordinates(g).sum()) for g in simplified.values() if g.size)
        if total <= max_vertices or tolerance > 5000:
            break
        tolerance *= 2
    payload, counts = [], {}
    for kind in kind_order(kinds):
        zones = frames[kind]
        features = []
        for g, zid, name, zc in zip(
            simplified[kind], zones["zone_id"], zones["zone_name"], zones["zone_class"], strict=True
        ):
            enc = encode_geometry(g)
            if enc is not None:
                features.append([enc, _str(zid), _str(name), _str(zc)])
        payload.append({"holder": "", "kind": kind_ids[kind], "f": features})
        layers = sum(1 for layer in layerset.layers if layer.kind == kind and not getattr(layer, "confidential", False))
        counts[kind] = KindCount(len(features), totals[kind], len(zones), layers)
    return payload, tolerance, counts


def overlay_name(label: str, count: KindCount, lang: str) -> str:
    """Return the layer control's name of a zone overlay: its label and the count of what it draws.

    "m / n" when it draws m of the n zones of the layer (only those near the sites, or some have
    no geometry), and how many layers were merged into it when more than one.

    Examples
    --------
    >>> overlay_name("永久基本农田", KindCount(2879, 3012, 2879, 1), "zh")
    '永久基本农田 (2,879 / 3,012)'
    >>> overlay_name("water", KindCount(9, 9, 9, 2), "en")
    'water (9; 2 layers merged)'
    """
    shown = f"{count.drawn:,}"
    if count.drawn != count.total:
        shown = mt("count.of", lang, shown=shown, total=f"{count.total:,}")
    if count.layers > 1:
        shown += ("，" if lang == "zh" else "; ") + mt("count.merged", lang, n=count.layers)
    return f"{label} ({shown})"


def holder(m: folium.Map, name: str) -> str:
    """Add an empty overlay named ``name`` (escaped: the layer control shows names as HTML); return its JS name."""
    group = folium.FeatureGroup(name=html.escape(name))
    group.add_to(m)
    return group.get_name()


def zone_holders(
    m: folium.Map, zones: list[dict[str, Any]], kinds: list[str], counts: dict[str, KindCount], lang: str
) -> list[dict[str, Any]]:
    """Give each zone overlay with something to draw its holder on ``m``; return those overlays."""
    kept = [z for z in zones if z["f"]]
    for z in kept:
        kind = kinds[z["kind"]]
        z["holder"] = holder(m, overlay_name(kind_label(kind, lang), counts[kind], lang))
    return kept


def count_notes(counts: dict[str, KindCount], lang: str, *, radius_m: float | None = None) -> list[str]:
    """Return the legend's notes on the counts: zones left off as far from the sites, or without geometry.

    Examples
    --------
    >>> count_notes({"basin": KindCount(1, 2, 2, 1)}, "en")
    ['key river basin: 1 zones have no geometry and are not drawn.']
    """
    notes = []
    if radius_m is not None and any(c.near < c.total for c in counts.values()):
        notes.append(mt("note.near_sites", lang, radius=f"{radius_m:,.0f}"))
    for kind, c in counts.items():
        if c.no_geometry:
            notes.append(mt("note.no_geometry", lang, kind=kind_label(kind, lang), n=f"{c.no_geometry:,}"))
    return notes


def _str(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _search_boxes(geoms: np.ndarray, radius_m: float) -> np.ndarray:
    """Return boxes covering every geometry grown by ``radius_m`` (degrees).

    Up to 2,000 geometries get one box each; more are gathered on a grid of
    ``radius_m`` cells first (one box per occupied cell, grown by the radius), so a
    100,000-site batch needs a few hundred index queries, not 100,000.
    """
    b = shapely.bounds(geoms)
    if len(b) == 0:
        return np.empty(0, dtype=object)
    if len(b) > 2000:
        cell_lat = max(radius_m, 100.0) / METRES_PER_DEGREE
        lat_ref = min(float(np.nanmax(np.abs(b[:, [1, 3]]))), 85.0)
        cell_lon = cell_lat / np.cos(np.radians(lat_ref))
        small = ((b[:, 2] - b[:, 0]) <= cell_lon) & ((b[:, 3] - b[:, 1]) <= cell_lat)
        ix = np.floor(b[small, 0] / cell_lon)
        iy = np.floor(b[small, 1] / cell_lat)
        cells = np.unique(np.column_stack([ix, iy]), axis=0)
        # a small geometry may reach one cell to the right/top: cover two cells per occupied cell
        grid = np.column_stack(
            [cells[:, 0] * cell_lon, cells[:, 1] * cell_lat, (cells[:, 0] + 2) * cell_lon, (cells[:, 1] + 2) * cell_lat]
        )
        b = np.vstack([grid, b[~small]])
    dlat = radius_m / METRES_PER_DEGREE
    lat = np.minimum(np.maximum(np.abs(b[:, 1]), np.abs(b[:, 3])) + dlat, 89.0)
    dlon = radius_m / (METRES_PER_DEGREE * np.cos(np.radians(lat)))
    return shapely.box(b[:, 0] - dlon, b[:, 1] - dlat, b[:, 2] + dlon, b[:, 3] + dlat)


def _near(zones: Any, boxes: np.ndarray) -> Any:
    """Return the zones that meet any of ``boxes`` (one bulk spatial-index query)."""
    if zones.empty or len(boxes) == 0:
        return zones.iloc[:0]
    hits = zones.sindex.query(boxes, predicate="intersects")[1]
    return zones.iloc[np.unique(hits)]


class Runtime(MacroElement):
    """The payload and the runtime script, rendered after every folium layer and the layer control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var RC_DATA = {{ this.payload }};
        {{ this.code }}
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "RedlineRuntime"
        self.data = payload
        self.payload = js_json(payload)
        self.code = runtime_js()


def js_strings(lang: str) -> dict[str, Any]:
    """Return the UI strings the runtime needs (plain text; the runtime escapes them)."""
    keys = {
        "zone_id": "col.zone",
        "zone_name": "map.zone_name",
        "zone_class": "col.class",
        "no_findings": "map.no_findings",
        "more_findings": "map.more_findings",
        "fullscreen": "map.fullscreen",
        "measure_distance": "map.measure_distance",
        "measure_area_button": "map.measure_area",
        "measure_clear": "map.measure_clear",
        "measure_hint": "map.measure_hint",
        "measure_length": "map.measure_length",
        "measure_area": "map.measure_area_label",
        "north": "map.north",
    }
    out: dict[str, Any] = {name: t(key, lang) for name, key in keys.items()}
    out["more_findings"] = t("map.more_findings", lang, n="{n}")
    out["cols"] = [
        t(k, lang)
        for k in ("col.kind", "col.zone", "col.class", "col.relation", "map.measure", "col.verdict", "col.rule")
    ]
    return out


def verdicts_payload(lang: str) -> list[list[str]]:
    """Return ``[[verdict, label, colour], ...]`` of every verdict (:func:`maps._style.verdict_order`).

    Examples
    --------
    >>> verdicts_payload("zh")[0]
    ['prohibited', '禁止', '#c0392b']
    """
    return [[v, verdict_name(v, lang), verdict_color(v)] for v in verdict_order()]


def base_payload(m: folium.Map, gaode: str | None, kinds: list[str], lang: str, *, north: bool) -> dict[str, Any]:
    """Return the payload's entries every map has: the map, the 高德 layer, strings, verdicts, kinds."""
    return {
        "map": m.get_name(),
        "gaode": gaode,
        "north": north,
        "strings": js_strings(lang),
        "verdicts": verdicts_payload(lang),
        "kinds": kinds_payload(kinds, lang),
    }


def map_notes(lang: str, *, tianditu: bool, tolerance_m: float, simplify_m: float) -> tuple[list[str], list[str]]:
    """Return the legend's notes (the display simplification) and its notes on the base maps.

    Examples
    --------
    >>> notes, bases = map_notes("en", tianditu=True, tolerance_m=5, simplify_m=5)
    >>> notes, [n[:15] for n in bases]
    ([], ['With the Gaode '])
    """
    bases = [t("map.gaode_note", lang)]
    if not tianditu:
        bases.append(t("map.tianditu_note", lang))
    notes = [t("map.simplified", lang, tol=f"{tolerance_m:,.0f}")] if tolerance_m > simplify_m else []
    return notes, bases


def finish_map(
    m: folium.Map, payload: dict[str, Any], *, legend: str, top: str, bounds: list[list[float]] | None
) -> folium.Map:
    """Add the layer control, the runtime with ``payload``, the legend and the top box; frame ``bounds``.

    The runtime frames the view again once the page is laid out, clear of the legend, the layer
    control and the top box (``payload["bounds"]``).
    """
    payload["bounds"] = bounds
    if bounds is not None:
        m.fit_bounds(bounds)  # before the runtime, which frames the view again clear of the legend
    folium.LayerControl(collapsed=False).add_to(m)
    Runtime(payload).add_to(m)
    root = m.get_root()
    root.html.add_child(Element(legend), name="rc_legend")
    if top:
        root.html.add_child(Element(top), name="rc_top")
    m.rc_payload = payload  # type: ignore[attr-defined]
    return m
