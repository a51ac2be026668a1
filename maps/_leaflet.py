"""Building blocks of the interactive maps: base maps, layer holders, the data payload, the legend.

The folium map holds the base maps (OpenStreetMap, 天地图 when ``TIANDITU_KEY``
is set, 高德 in GCJ-02, and a blank one), one empty ``FeatureGroup`` per overlay
(so the layer control lists them) and the layer control.  The overlays' content
is drawn by :data:`maps._js.RUNTIME_JS` from one JSON payload: geometries are
simplified for display, rounded to 1e-6 degree and delta-encoded as integers,
which keeps a 100,000-site map to a few megabytes.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from redline.layers.layerset import LayerSet
from redline.maps._assets import inline_leaflet
from redline.maps._js import RUNTIME_CSS, RUNTIME_JS
from redline.maps._style import HATCH_SVG, OVERLAP_STYLE, VERDICT_COLORS, kind_order, swatch_css, zone_style
from redline.zones.kinds import KINDS
from redline.zones.labels import class_label, confidential_note, kind_label, t, verdict_text

__all__ = [
    "GAODE_URL",
    "OSM_URL",
    "TIANDITU_URL",
    "VERDICT_ORDER",
    "confidential_notes",
    "drawable_kinds",
    "encode_geometry",
    "js_json",
    "new_map",
    "public_zones",
    "zone_payload",
]

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: 天地图 web-Mercator WMTS; ``{layer}`` is ``vec`` (roads) or ``cva``/``eva`` (Chinese/English labels).
TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)
#: 高德 road map tiles, in GCJ-02.
GAODE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang={lang}&size=1&scale=1&style=8&x={x}&y={y}&z={z}"

#: Verdict codes in the payload: index into this tuple (worst first).
VERDICT_ORDER: tuple[str, ...] = ("prohibited", "restricted", "review", "clear", "error")

#: Coordinates are written as integers of 1e-6 degree (about 0.1 m).
_SCALE = 1_000_000
_M_PER_DEG = 111_320.0


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
    return shapely.simplify(arr, tolerance_m / _M_PER_DEG, preserve_topology=True)


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


def zone_payload(
    layerset: LayerSet,
    kinds: list[str],
    kind_ids: dict[str, int],
    *,
    near: np.ndarray | None = None,
    radius_m: float = 0.0,
    tolerance_m: float = 5.0,
    max_vertices: int = 1_500_000,
) -> tuple[list[dict[str, Any]], float, dict[str, int]]:
    """Return the zones of ``kinds`` (near the ``near`` geometries when given), simplified.

    The tolerance starts at ``tolerance_m`` and doubles until all zones together
    have at most ``max_vertices`` vertices, so a huge layer set still gives a
    map that opens.  Returns ``(payload, tolerance used, {kind: zone count})``.  Zones of
    confidential (涉密) layers are never in it.
    """
    frames = {}
    boxes = _search_boxes(near, radius_m) if near is not None else None
    for kind in kinds:
        zones = public_zones(layerset, kind)
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
    payload = []
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
    return payload, tolerance, {k: len(z) for k, z in frames.items()}


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
        cell_lat = max(radius_m, 100.0) / _M_PER_DEG
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
    dlat = radius_m / _M_PER_DEG
    lat = np.minimum(np.maximum(np.abs(b[:, 1]), np.abs(b[:, 3])) + dlat, 89.0)
    dlon = radius_m / (_M_PER_DEG * np.cos(np.radians(lat)))
    return shapely.box(b[:, 0] - dlon, b[:, 1] - dlat, b[:, 2] + dlon, b[:, 3] + dlat)


def _near(zones: Any, boxes: np.ndarray) -> Any:
    """Return the zones that meet any of ``boxes`` (one bulk spatial-index query)."""
    if zones.empty or len(boxes) == 0:
        return zones.iloc[:0]
    hits = zones.sindex.query(boxes, predicate="intersects")[1]
    return zones.iloc[np.unique(hits)]


def new_map(lang: str, *, tianditu_key: str | None = None) -> tuple[folium.Map, str | None, bool]:
    """Return a map with the base layers, Leaflet inline, the runtime CSS and the hatch pattern.

    Returns ``(map, JS name of the 高德 base layer, whether 天地图 is offered)``.
    """
    m = folium.Map(location=[35.0, 105.0], zoom_start=4, tiles=None, control_scale=True, max_zoom=19)
    inline_leaflet(m)
    folium.TileLayer(
        OSM_URL,
        name=html.escape(t("map.base_osm", lang)),
        max_zoom=19,
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ).add_to(m)
    key = tianditu_key if tianditu_key is not None else os.environ.get("TIANDITU_KEY", "")
    key = key.strip()
    if key:
        group = folium.FeatureGroup(name=html.escape(t("map.base_tianditu", lang)), overlay=False, show=False)
        labels = "cva" if lang == "zh" else "eva"
        for layer in ("vec", labels):
            url = TIANDITU_URL.replace("{layer}", layer).replace("{key}", quote(key, safe=""))
            folium.TileLayer(
                url,
                attr="&copy; 天地图 (tianditu.gov.cn)",
                subdomains="01234567",
                max_zoom=18,
                name=f"tianditu-{layer}",
                control=False,
            ).add_to(group)
        group.add_to(m)
    gaode = folium.TileLayer(
        GAODE_URL.replace("{lang}", "zh_cn" if lang == "zh" else "en"),
        name=html.escape(t("map.base_gaode", lang)),
        attr="&copy; 高德地图 AutoNavi (GCJ-02)",
        subdomains="1234",
        max_zoom=18,
        show=False,
    )
    gaode.add_to(m)
    folium.FeatureGroup(name=html.escape(t("map.base_blank", lang)), overlay=False, show=False).add_to(m)
    root = m.get_root()
    root.header.add_child(Element(RUNTIME_CSS), name="rc_css")
    root.html.add_child(Element(HATCH_SVG), name="rc_hatch")
    return m, gaode.get_name(), bool(key)


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
        self.code = RUNTIME_JS


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
    """Return ``[[verdict, label, colour], ...]`` in :data:`VERDICT_ORDER`."""
    return [[v, verdict_text(v, lang), VERDICT_COLORS[v]] for v in VERDICT_ORDER]


def legend_html(
    layerset_name: str,
    kinds: list[str],
    lang: str,
    *,
    overlap: bool = True,
    ring_m: float | None = None,
    verdicts: bool = True,
    clusters: bool = False,
    notes: Iterable[str] = (),
) -> str:
    """Return the legend (every text escaped)."""
    esc = html.escape
    rows = [
        f"<b>{esc(t('map.legend', lang))}</b>",
        f'<div class="rc-caption">{esc(layerset_name)}</div>',
        f'<div class="rc-h">{esc(t("map.legend_zones", lang))}</div>',
    ]
    for kind in reversed(kind_order(kinds)):
        classes = list(KINDS[kind].classes) if kind in KINDS else []
        style = zone_style(kind, classes[0] if classes else None)
        sw = f'<span class="rc-sw" style="{swatch_css(style)}"></span>'
        rows.append(f"<div>{'' if classes else sw}{esc(kind_label(kind, lang))}</div>")
        for c in classes:
            sw = f'<span class="rc-sw" style="{swatch_css(zone_style(kind, c))}"></span>'
            rows.append(f'<div class="rc-sub">{sw}{esc(class_label(kind, c, lang))}</div>')
    if overlap:
        sw = f'<span class="rc-sw" style="{swatch_css(OVERLAP_STYLE)}"></span>'
        rows.append(f"<div>{sw}{esc(t('map.overlap', lang))}</div>")
    if ring_m:
        rows.append(
            f'<div><span class="rc-ring"></span>{esc(t("map.buffer_ring", lang, buffer=f"{ring_m:,.0f}"))}</div>'
        )
    if verdicts:
        rows.append(f'<div class="rc-h">{esc(t("map.legend_verdicts", lang))}</div>')
        for verdict, color in VERDICT_COLORS.items():
            rows.append(
                f'<div><span class="rc-dot" style="background:{color}"></span>{esc(verdict_text(verdict, lang))}</div>'
            )
    if clusters:
        rows.append(f'<div><span class="rc-clsw">12</span>{esc(t("map.cluster", lang))}</div>')
    rows.extend(f'<div class="rc-note">{esc(n)}</div>' for n in notes)
    return '<div id="rc-legend">' + "".join(rows) + "</div>"


def top_html(lang: str, *, illustrative: bool, title: str | None = None, subtitle: str | None = None) -> str:
    """Return the title box and the illustrative-data banner shown at the top (escaped)."""
    parts = []
    if title:
        sub = f'<div class="rc-subtitle">{html.escape(subtitle)}</div>' if subtitle else ""
        parts.append(f'<div id="rc-title">{html.escape(title)}{sub}</div>')
    if illustrative:
        parts.append(f'<div id="rc-illustrative">⚠ {html.escape(t("illustrative_notice", lang))}</div>')
    return f'<div id="rc-top">{"".join(parts)}</div>' if parts else ""
