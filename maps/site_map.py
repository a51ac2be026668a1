"""Interactive folium map of a screening run: the zones near the sites, the overlaps, the sites.

Only what :mod:`checks` returned is drawn.  To keep ``map.html`` small the map
shows only zones within :data:`DISPLAY_RADIUS_M` of a site, simplified (about
5 m) and rounded to 6 decimals, one ``folium.GeoJson`` per kind.  Every text
that comes from a layer or a site is HTML-escaped before it reaches a popup,
a tooltip or the legend (folium does not escape popup HTML).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable
from os import PathLike
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element
from shapely.geometry import mapping

from checks.i18n import (
    EM_DASH,
    check_lang,
    class_label,
    format_number,
    kind_label,
    relation_label,
    t,
    verdict_text,
)
from checks.result import ScreeningResult
from layers.layerset import LayerSet
from maps._assets import inline_leaflet
from maps._style import (
    HATCH_SVG,
    OVERLAP_STYLE,
    VERDICT_COLORS,
    site_style,
    swatch_css,
    verdict_color,
    zone_style,
)
from zones.kinds import KINDS

__all__ = ["COORD_DECIMALS", "DISPLAY_RADIUS_M", "SIMPLIFY_TOLERANCE_DEG", "save_map", "site_map"]

#: Zones farther than this from every site are left off the map.
DISPLAY_RADIUS_M = 5000.0
#: About 5 m, for display only.
SIMPLIFY_TOLERANCE_DEG = 5.0 / 111_320.0
#: Coordinates are rounded to 6 decimals (about 0.1 m).
COORD_DECIMALS = 6

_M_PER_DEG = 111_320.0
#: Big, coarse layers first so the small, strict zones stay on top and clickable.
_DRAW_ORDER = ("control_unit", "basic_farmland", "water_source", "ecological_redline")

_CSS = """<style>
.rc-pop { max-height: 320px; overflow: auto; font-size: 12px; }
.rc-pop table { border-collapse: collapse; margin-top: 4px; }
.rc-pop th, .rc-pop td { border: 1px solid #ccc; padding: 2px 4px; text-align: left; }
.rc-badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; }
.rc-badge.review { color: #1c2833; }
#rc-legend { position: fixed; bottom: 28px; left: 10px; z-index: 1000; background: #fff;
  padding: 8px 10px; border: 1px solid #999; border-radius: 4px; font-size: 12px;
  line-height: 1.6; max-height: 70vh; overflow: auto; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
#rc-legend .rc-h { font-weight: bold; margin-top: 4px; }
#rc-legend .rc-sub { padding-left: 14px; }
#rc-legend .rc-sw { display: inline-block; width: 16px; height: 11px; margin-right: 5px;
  vertical-align: middle; box-sizing: border-box; }
#rc-legend .rc-dot { display: inline-block; width: 11px; height: 11px; margin-right: 5px;
  border-radius: 50%; border: 1px solid #1c2833; vertical-align: middle; }
#rc-legend .rc-caption { color: #555; max-width: 240px; }
#rc-illustrative { position: fixed; top: 10px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: #c0392b; color: #fff; padding: 6px 14px; border-radius: 4px;
  font-weight: bold; font-size: 14px; box-shadow: 0 1px 4px rgba(0,0,0,.4); }
</style>"""


def _esc(value: Any) -> str:
    """HTML-escape ``value`` for popups, tooltips and the legend (empty for None/NaN).

    Backticks, ``$`` and backslashes become entities too, so the text is also
    inert inside the JavaScript template literals folium writes.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value)).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _valid_sites(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geoms = sites.geometry
    ok = geoms.notna() & ~geoms.is_empty & (sites["status"] != "error")
    return sites[ok.to_numpy()]


def _search_boxes(geoms: np.ndarray, radius_m: float) -> np.ndarray:
    """Return each geometry's bounding box grown by ``radius_m`` (in degrees)."""
    b = shapely.bounds(geoms)
    dlat = radius_m / _M_PER_DEG
    lat = np.minimum(np.maximum(np.abs(b[:, 1]), np.abs(b[:, 3])) + dlat, 89.0)
    dlon = radius_m / (_M_PER_DEG * np.cos(np.radians(lat)))
    return shapely.box(b[:, 0] - dlon, b[:, 1] - dlat, b[:, 2] + dlon, b[:, 3] + dlat)


def _near(zones: gpd.GeoDataFrame, site_geoms: np.ndarray, radius_m: float) -> gpd.GeoDataFrame:
    """Return the zones whose geometry meets a site's bounding box grown by ``radius_m``."""
    if zones.empty or len(site_geoms) == 0:
        return zones.iloc[:0]
    hits = zones.sindex.query(_search_boxes(site_geoms, radius_m), predicate="intersects")[1]
    return zones.iloc[np.unique(hits)]


def _collapse(geom: Any) -> Any:
    """Reduce a GeometryCollection to its highest-dimension parts (Leaflet popups dislike them)."""
    if geom is None or geom.geom_type != "GeometryCollection":
        return geom
    parts = shapely.get_parts(geom)
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return None
    dims = shapely.get_dimensions(parts)
    keep = parts[dims == dims.max()]
    return keep[0] if len(keep) == 1 else shapely.union_all(keep)


def _display_geometries(geoms: Iterable[Any]) -> np.ndarray:
    """Return geometries collapsed, simplified (~5 m) and rounded to 6 decimals."""
    arr = np.array([_collapse(g) for g in geoms], dtype=object)
    arr = shapely.simplify(arr, SIMPLIFY_TOLERANCE_DEG, preserve_topology=True)
    return shapely.transform(arr, lambda c: np.round(c, COORD_DECIMALS))


def _feature_collection(geoms: np.ndarray, props: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection; None and empty geometries are skipped."""
    features = [
        {"type": "Feature", "id": i, "geometry": mapping(g), "properties": p}
        for i, (g, p) in enumerate(zip(geoms, props, strict=True))
        if g is not None and not g.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def _zone_layer(zones: gpd.GeoDataFrame, kind: str, lang: str) -> folium.GeoJson | None:
    if zones.empty:
        return None
    zones = zones.iloc[np.argsort(-shapely.area(zones.geometry.array))]  # big ones underneath
    props = [
        {
            "id": _esc(zid),
            "name": _esc(name) or EM_DASH,
            "cls": _esc(class_label(kind, zc, lang)) or EM_DASH,
            "c": _esc(zc),
        }
        for zid, name, zc in zip(zones["zone_id"], zones["zone_name"], zones["zone_class"], strict=True)
    ]
    data = _feature_collection(_display_geometries(zones.geometry.array), props)
    if not data["features"]:
        return None
    aliases = [_esc(kind_label(kind, lang)), _esc(t("map.zone_name", lang)), _esc(t("col.class", lang))]
    return folium.GeoJson(
        data,
        name=kind_label(kind, lang),
        control=False,
        style_function=_zone_styler(kind),
        tooltip=folium.GeoJsonTooltip(["id", "name", "cls"], labels=False),
        popup=folium.GeoJsonPopup(["id", "name", "cls"], aliases=aliases, localize=False),
    )


def _zone_styler(kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return zone_style(kind, html.unescape(feature["properties"]["c"]))

    return style


def _kind_order(kinds: list[str]) -> list[str]:
    rank = {k: i for i, k in enumerate(_DRAW_ORDER)}
    return sorted(kinds, key=lambda k: rank.get(k, -1))


def _add_zones(m: folium.Map, layerset: LayerSet, site_geoms: np.ndarray, radius_m: float, lang: str) -> None:
    for kind in _kind_order(layerset.kinds):
        zones = _near(layerset.zones(kind), site_geoms, radius_m)
        group = folium.FeatureGroup(name=f"{kind_label(kind, lang)} ({len(zones)})")
        layer = _zone_layer(zones, kind, lang)
        if layer is not None:
            layer.add_to(group)
        group.add_to(m)


def _measure(f: dict[str, Any]) -> str:
    """Return the one measurement that matters for a finding: area, length or distance."""
    area, length = f.get("overlap_area_m2"), f.get("overlap_length_m")
    if format_number(area) != EM_DASH:
        return f"{format_number(area)} m²"
    if format_number(length) != EM_DASH:
        return f"{format_number(length)} m"
    return f"{format_number(f.get('distance_m'))} m"


def _add_overlaps(m: folium.Map, findings: gpd.GeoDataFrame, lang: str) -> None:
    group = folium.FeatureGroup(name=t("map.overlaps", lang))
    has_geom = findings.geometry.notna().to_numpy()
    touching = findings[has_geom]
    geoms = _display_geometries(touching.geometry.array)
    keep = np.array([g is not None and not g.geom_type.endswith("Point") for g in geoms], dtype=bool)
    if keep.any():
        records = touching.drop(columns=touching.geometry.name).to_dict("records")
        props = [
            {
                "tip": _esc(
                    f"{f.get('site_id')} × {kind_label(str(f.get('kind')), lang)} "
                    f"{f.get('zone_id')} {f.get('zone_name') or ''}: {_measure(f)}"
                )
            }
            for f, k in zip(records, keep, strict=True)
            if k
        ]
        data = _feature_collection(geoms[keep], props)
        folium.GeoJson(
            data,
            control=False,
            style_function=lambda _f: dict(OVERLAP_STYLE),
            tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
        ).add_to(group)
    group.add_to(m)


def _site_popup(site: dict[str, Any], verdict: str, findings: list[dict[str, Any]], lang: str) -> str:
    title = _esc(f"{site.get('site_id')} {site.get('name') or ''}".strip())
    badge = (
        f'<span class="rc-badge {_esc(verdict)}" style="background:{verdict_color(verdict)}">'
        f"{_esc(verdict_text(verdict, lang))}</span>"
    )
    head = f'<div class="rc-pop"><b>{title}</b> {badge}'
    if not findings:
        return f"{head}<br>{_esc(t('map.no_findings', lang))}</div>"
    cols = ["col.kind", "col.zone", "col.relation", "map.measure", "col.verdict", "col.rule"]
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{_esc(c)}</td>"
            for c in (
                kind_label(str(f.get("kind")), lang),
                f"{f.get('zone_id')} {f.get('zone_name') or ''}",
                relation_label(f.get("relation"), lang),
                _measure(f),
                verdict_text(f.get("verdict"), lang),
                f.get("rule_id") or EM_DASH,
            )
        )
        + "</tr>"
        for f in findings
    )
    header = "".join(f"<th>{_esc(t(c, lang))}</th>" for c in cols)
    return f"{head}<table><tr>{header}</tr>{rows}</table></div>"


def _add_sites(m: folium.Map, result: ScreeningResult, sites: gpd.GeoDataFrame, lang: str) -> None:
    group = folium.FeatureGroup(name=f"{t('map.sites', lang)} ({len(sites)})")
    if not sites.empty:
        findings = result.findings.drop(columns=result.findings.geometry.name)
        by_site: dict[str, list[dict[str, Any]]] = {}
        for f in findings.to_dict("records"):
            by_site.setdefault(str(f.get("site_id")), []).append(f)
        props = []
        for site in sites.drop(columns=sites.geometry.name).to_dict("records"):
            verdict = str(site.get("verdict"))
            tip = f"{site.get('site_id')} {site.get('name') or ''} — {verdict_text(verdict, lang)}"
            popup = _site_popup(site, verdict, by_site.get(str(site.get("site_id")), []), lang)
            props.append({"tip": _esc(tip), "popup": popup, "v": verdict})
        data = _feature_collection(_display_geometries(sites.geometry.array), props)
        folium.GeoJson(
            data,
            control=False,
            marker=folium.CircleMarker(),
            style_function=lambda f: site_style(f["properties"]["v"], f["geometry"]["type"]),
            tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
            popup=folium.GeoJsonPopup(["popup"], labels=False, localize=False, max_width=520),
        ).add_to(group)
    group.add_to(m)


def _legend_html(layerset: LayerSet, lang: str) -> str:
    rows = [
        f"<b>{_esc(t('map.legend', lang))}</b>",
        f'<div class="rc-caption">{_esc(layerset.name)}</div>',
        f'<div class="rc-h">{_esc(t("map.legend_zones", lang))}</div>',
    ]
    for kind in layerset.kinds:
        classes = list(KINDS[kind].classes) if kind in KINDS else []
        style = zone_style(kind, classes[0] if classes else None)
        sw = f'<span class="rc-sw" style="{swatch_css(style)}"></span>'
        rows.append(f"<div>{'' if classes else sw}{_esc(kind_label(kind, lang))}</div>")
        for c in classes:
            sw = f'<span class="rc-sw" style="{swatch_css(zone_style(kind, c))}"></span>'
            rows.append(f'<div class="rc-sub">{sw}{_esc(class_label(kind, c, lang))}</div>')
    sw = f'<span class="rc-sw" style="{swatch_css(OVERLAP_STYLE)}"></span>'
    rows.append(f"<div>{sw}{_esc(t('map.overlap', lang))}</div>")
    rows.append(f'<div class="rc-h">{_esc(t("map.legend_verdicts", lang))}</div>')
    for verdict, color in VERDICT_COLORS.items():
        rows.append(
            f'<div><span class="rc-dot" style="background:{color}"></span>{_esc(verdict_text(verdict, lang))}</div>'
        )
    return '<div id="rc-legend">' + "".join(rows) + "</div>"


def _bounds(site_geoms: np.ndarray, layerset: LayerSet, pad_m: float) -> list[list[float]] | None:
    """Return ``[[south, west], [north, east]]`` of the sites grown by ``pad_m``."""
    if len(site_geoms):
        x0, y0, x1, y1 = shapely.total_bounds(site_geoms)
    else:
        boxes = [layer.gdf.total_bounds for layer in layerset.layers if not layer.gdf.empty]
        if not boxes:
            return None
        b = np.array(boxes)
        x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
        pad_m = 0.0
    dlat = pad_m / _M_PER_DEG
    dlon = pad_m / (_M_PER_DEG * math.cos(math.radians(min(max(abs(y0), abs(y1)), 89.0))))
    return [[float(y0 - dlat), float(x0 - dlon)], [float(y1 + dlat), float(x1 + dlon)]]


def _new_map(lang: str) -> folium.Map:
    m = folium.Map(location=[35.0, 105.0], zoom_start=4, tiles=None, control_scale=True)
    inline_leaflet(m)
    folium.TileLayer("OpenStreetMap", name=t("map.base_osm", lang)).add_to(m)
    folium.FeatureGroup(name=t("map.base_blank", lang), overlay=False, show=False).add_to(m)
    root = m.get_root()
    root.header.add_child(Element(_CSS), name="rc_css")
    root.html.add_child(Element(HATCH_SVG), name="rc_hatch")
    return m


def site_map(result: ScreeningResult, *, lang: str = "zh") -> folium.Map:
    """Draw a screening run on an interactive folium map.

    The map has an OpenStreetMap base and a blank base (no tiles), one layer
    per zone kind (only zones within :data:`DISPLAY_RADIUS_M`, or the buffer
    if larger, of a site), the overlap geometries, the sites coloured by
    verdict with their findings in a popup, a layer control, a legend and,
    for illustrative data, a banner saying so.

    Parameters
    ----------
    result : ScreeningResult
        The run to draw; sites with ``status == "error"`` have no geometry and
        are left off.
    lang : str, default "zh"
        ``zh`` or ``en`` for labels, popups and the legend.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        For an unsupported ``lang``.

    Examples
    --------
    >>> m = site_map(result)  # doctest: +SKIP
    >>> save_map(m, "out/map.html")  # doctest: +SKIP
    """
    check_lang(lang)
    buffer_m = float(result.meta.get("buffer_m") or 0.0)
    sites = _valid_sites(result.sites)
    site_geoms = np.asarray(sites.geometry.array, dtype=object)
    m = _new_map(lang)
    _add_zones(m, result.layerset, site_geoms, max(DISPLAY_RADIUS_M, buffer_m), lang)
    _add_overlaps(m, result.findings, lang)
    _add_sites(m, result, sites, lang)
    folium.LayerControl(collapsed=False).add_to(m)
    root = m.get_root()
    root.html.add_child(Element(_legend_html(result.layerset, lang)), name="rc_legend")
    if result.illustrative:
        banner = f'<div id="rc-illustrative">⚠ {_esc(t("illustrative_notice", lang))}</div>'
        root.html.add_child(Element(banner), name="rc_illustrative")
    bounds = _bounds(site_geoms, result.layerset, max(buffer_m, 200.0))
    if bounds is not None:
        m.fit_bounds(bounds)
    return m


def save_map(m: folium.Map, path: str | PathLike[str]) -> None:
    """Write a map as a standalone HTML file at ``path``.

    The caller handles atomic replacement; this only writes.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`site_map`.
    path : str or os.PathLike
        The ``.html`` file to write.

    Examples
    --------
    >>> save_map(site_map(result), "map.html")  # doctest: +SKIP
    """
    m.save(str(path))
