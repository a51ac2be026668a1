"""Interactive map of a screening run (``map.html``): zones, overlaps, buffer rings and sites.

Only what :mod:`checks` returned is drawn.  The page is one self-contained file:
Leaflet is written inline (:mod:`maps._assets`) and the overlays are drawn by a
small runtime (:mod:`maps._js`) from one compact JSON payload, so it opens
offline (on its blank base; only a tiled base map needs the network) and stays usable for a batch of
100,000 sites:

- zones within :data:`DISPLAY_RADIUS_M` (or the buffer, if larger) of a site,
  one layer per kind, styled by kind and class, simplified for display (about
  5 m, coarser when a layer set is huge; the legend then says so); zones of a
  confidential (涉密) layer are never drawn, nor their overlaps with the sites:
  the legend says so, and the findings are listed in the popups as usual;
- the overlap of each site with each zone it touches;
- the buffer ring of each site (drawn for the sites in view when zoomed in);
- the sites coloured by verdict, grouped into clusters on a pixel grid when
  many are in view, each with a popup listing its findings;
- a blank base map by default (the page needs no network), OpenStreetMap, 天地图 (when
  ``TIANDITU_KEY`` is set) and 高德 (GCJ-02: overlays are shifted to match it) to choose from;
  a layer control that lists only the overlays with something to draw, each with the count of
  what it draws; a legend of what is drawn, which folds away and which the first view keeps clear
  of the sites; a full-screen button, a distance/area ruler and a metric scale.

Every text that comes from a layer or a site is shown as text, never markup.
"""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from redline.layers.geodesy import METRES_PER_DEGREE
from redline.layers.layerset import LayerSet
from redline.maps._leaflet import (
    base_payload,
    confidential_notes,
    count_notes,
    drawable_kinds,
    encode_geometry,
    finish_map,
    holder,
    js_json,
    legend_html,
    map_notes,
    new_map,
    simplify,
    top_html,
    zone_holders,
    zone_payload,
)
from redline.maps._legend import classes_present
from redline.maps._style import OVERLAP_STYLE, verdict_order
from redline.maps._texts import mt
from redline.zones.labels import check_lang, format_number, kind_label, relation_label, t

if TYPE_CHECKING:
    from redline.checks.result import ScreeningResult

__all__ = ["DISPLAY_RADIUS_M", "MAX_RING_GEOMETRIES", "SIMPLIFY_TOLERANCE_M", "save_map", "site_map"]

#: Zones farther than this from every site are left off the map.
DISPLAY_RADIUS_M = 5000.0
#: Display simplification of zones, overlaps and sites (metres); zones get coarser when huge.
SIMPLIFY_TOLERANCE_M = 5.0
#: Buffer rings of lines and polygons are precomputed for at most this many sites
#: (rings of points are drawn as circles by the page itself).
MAX_RING_GEOMETRIES = 5000

_RELATIONS = ("inside", "overlaps", "nearby")


def _valid_sites(sites: gpd.GeoDataFrame) -> np.ndarray:
    geoms = np.asarray(sites.geometry.array, dtype=object)
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok])
    return ok & (sites["status"] != "error").to_numpy()


def _verdict_codes(verdicts: Any) -> np.ndarray:
    """Return each verdict's index in :func:`maps._style.verdict_order` (``error`` for an unknown one)."""
    order = verdict_order()
    codes = {v: i for i, v in enumerate(order)}
    values = pd.Series(np.asarray(verdicts, dtype=object)).astype(str)
    return values.map(codes).fillna(codes["error"]).astype(int).to_numpy()


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _measure(area: Any, length: Any, distance: Any) -> tuple[float | None, int]:
    """Return the one measurement that matters for a finding: (value, 0 area | 1 length | 2 distance)."""
    if not _is_missing(area):
        return float(area), 0
    if not _is_missing(length):
        return float(length), 1
    if not _is_missing(distance):
        return float(distance), 2
    return None, 2


def _text(value: Any) -> str:
    return "" if _is_missing(value) else str(value)


def _text_column(values: pd.Series) -> np.ndarray:
    """Return a column as display strings ('' for None/NaN)."""
    return np.array(["" if _is_missing(v) else str(v) for v in values.to_numpy()], dtype=object)


def _local_buffer_rings(geoms: np.ndarray, buffer_m: float) -> np.ndarray:
    """Return the buffer outline of each geometry, computed in a local equirectangular frame (display only)."""
    if geoms.size == 0:
        return geoms
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    centres = shapely.get_coordinates(shapely.centroid(shapely.envelope(geoms)))
    coslat = np.cos(np.radians(centres[:, 1]))
    x0, y0 = centres[index, 0], centres[index, 1]
    local = np.column_stack(
        [(coords[:, 0] - x0) * METRES_PER_DEGREE * coslat[index], (coords[:, 1] - y0) * METRES_PER_DEGREE]
    )
    metric = shapely.set_coordinates(geoms.copy(), local)
    rings = shapely.boundary(shapely.buffer(metric, buffer_m, quad_segs=12))
    rc, ri = shapely.get_coordinates(rings, return_index=True)
    back = np.column_stack(
        [rc[:, 0] / (METRES_PER_DEGREE * coslat[ri]) + centres[ri, 0], rc[:, 1] / METRES_PER_DEGREE + centres[ri, 1]]
    )
    return shapely.set_coordinates(rings, back)


def _findings_payload(result: ScreeningResult, ids: pd.Index, lang: str) -> dict[str, Any]:
    """Return the findings of the sites ``ids`` grouped by site in their order (CSR offsets ``off``).

    Zones, relations and rule codes are interned (``Z``, ``rel``, ``R``); ``F`` holds one column
    per field.
    """
    f = result.findings
    site_pos = ids.get_indexer(f["site_id"].astype(str).to_numpy()).astype(np.int64)
    keep = np.flatnonzero(site_pos >= 0)
    order = keep[np.argsort(site_pos[keep], kind="stable")]
    counts = np.bincount(site_pos[order], minlength=len(ids)) if len(ids) else np.zeros(0, dtype=np.int64)
    kinds = kind_index(result)
    sel = f.iloc[order]
    text = {c: _text_column(sel[c]) for c in ("kind", "zone_id", "zone_name", "zone_class", "relation", "rule_id")}
    zkeys = pd.DataFrame({c: text[c] for c in ("kind", "zone_id", "zone_name", "zone_class")})
    fz = zkeys.groupby(list(zkeys.columns), sort=False).ngroup().to_numpy()
    zone_table = zkeys.drop_duplicates().to_numpy().tolist()
    relations = list(_RELATIONS) + sorted(set(text["relation"]) - set(_RELATIONS))
    frel = pd.Categorical(text["relation"], categories=relations).codes
    area, length, dist = (
        sel[c].astype(float).to_numpy() for c in ("overlap_area_m2", "overlap_length_m", "distance_m")
    )
    mtype = np.where(~np.isnan(area), 0, np.where(~np.isnan(length), 1, 2))
    value = np.where(mtype == 0, area, np.where(mtype == 1, length, dist))
    fm = [None if np.isnan(v) else v for v in np.round(value, 1).tolist()]
    fr, rules = pd.factorize(np.where(text["rule_id"] == "", "\u2014", text["rule_id"]), sort=False)
    fv = _verdict_codes(sel["verdict"].to_numpy())
    return {
        "off": np.r_[0, np.cumsum(counts)].astype(int).tolist(),
        "Z": [[kinds[z[0]], z[1], z[2], z[3]] for z in zone_table],
        "R": [str(r) for r in rules],
        "rel": [relation_label(r, lang) for r in relations],
        "F": {
            "z": fz.tolist(),
            "rel": frel.tolist(),
            "v": fv.tolist(),
            "m": fm,
            "mt": mtype.tolist(),
            "r": fr.tolist(),
        },
    }


def _sites_payload(result: ScreeningResult, valid: np.ndarray, holder: str, lang: str) -> dict[str, Any]:
    """Return the sites drawn (``valid``): ids, names, verdicts, points, shapes and their findings."""
    sites = result.sites
    rows = np.flatnonzero(valid)
    geoms = np.asarray(sites.geometry.array, dtype=object)[rows]
    is_point = shapely.get_type_id(geoms) == 0
    reps = np.where(is_point, geoms, shapely.point_on_surface(geoms)) if len(geoms) else geoms
    xy = shapely.get_coordinates(reps) if len(reps) else np.zeros((0, 2))
    ints = np.round(xy * 1_000_000).astype(np.int64)
    if len(ints) > 1:
        ints[1:] = np.diff(ints, axis=0)
    names = sites["name"].to_numpy()[rows] if "name" in sites else [None] * len(rows)
    shapes = {}
    non_point = np.flatnonzero(~is_point)
    if non_point.size:
        for i, g in zip(non_point, simplify(geoms[non_point], 1.0), strict=True):
            shapes[str(int(i))] = encode_geometry(g)
    status = sites["status"].to_numpy()[rows]
    verdicts = np.where(status == "error", "error", sites["verdict"].to_numpy()[rows].astype(str))
    errors = sites["error"].to_numpy()[rows] if "error" in sites else [""] * len(rows)
    ids = pd.Index(sites["site_id"].astype(str).to_numpy()[rows])
    return {
        "holder": holder,
        "id": [str(s) for s in sites["site_id"].to_numpy()[rows]],
        "name": [_text(n) for n in names],
        "v": _verdict_codes(verdicts).tolist(),
        "err": [_text(e) for e in errors],
        "pt": ints.ravel().tolist(),
        "g": shapes,
        **_findings_payload(result, ids, lang),
    }


def kind_index(result: ScreeningResult) -> dict[str, int]:
    """Return ``{kind: index}`` for every kind in the layer set or the findings."""
    kinds = list(dict.fromkeys([*result.layerset.kinds, *(str(k) for k in result.findings["kind"].unique())]))
    return {k: i for i, k in enumerate(kinds)}


def _overlaps_payload(result: ScreeningResult, valid_ids: set[str], lang: str) -> dict[str, Any] | None:
    """Return the overlaps of the sites drawn with the zones (lines and areas; points are not drawn)."""
    f = result.findings
    geoms = np.asarray(f.geometry.array, dtype=object)
    mask = ~shapely.is_missing(geoms)
    mask[mask] = shapely.get_dimensions(geoms[mask]) > 0
    idx = np.flatnonzero(mask & f["site_id"].astype(str).isin(valid_ids).to_numpy())
    features = []
    if idx.size:
        simplified = simplify(geoms[idx], 1.0)
        cols = {
            c: f[c].to_numpy()[idx]
            for c in ("site_id", "kind", "zone_id", "zone_name", "overlap_area_m2", "overlap_length_m", "distance_m")
        }
        for k, g in enumerate(simplified):
            enc = encode_geometry(g)
            if enc is None or enc[0] == 1:
                continue
            value, mtype = _measure(cols["overlap_area_m2"][k], cols["overlap_length_m"][k], cols["distance_m"][k])
            unit = ("m²", "m", "m")[mtype]
            tip = (
                f"{cols['site_id'][k]} × {kind_label(str(cols['kind'][k]), lang)} {_text(cols['zone_id'][k])} "
                f"{_text(cols['zone_name'][k])}: {format_number(value)} {unit}"
            )
            features.append([enc, tip])
    if not features:
        return None
    line = {"color": OVERLAP_STYLE["color"], "weight": 6, "opacity": 0.85}
    return {"holder": "", "f": features, "style": dict(OVERLAP_STYLE), "line": line}


def _rings_payload(result: ScreeningResult, valid: np.ndarray) -> dict[str, Any] | None:
    """Return the buffer rings of the sites drawn (None without a buffer or a site)."""
    buffer_m = float(result.meta.get("buffer_m") or 0.0)
    if buffer_m <= 0 or not valid.any():
        return None
    geoms = np.asarray(result.sites.geometry.array, dtype=object)[valid]
    non_point = np.flatnonzero(shapely.get_type_id(geoms) != 0)
    rings: dict[str, Any] = {}
    if 0 < non_point.size <= MAX_RING_GEOMETRIES:
        outlines = simplify(_local_buffer_rings(geoms[non_point], buffer_m), max(buffer_m / 200, 1.0))
        for i, g in zip(non_point, outlines, strict=True):
            rings[str(int(i))] = encode_geometry(g)
    return {"holder": "", "buffer": buffer_m, "g": rings}


def _bounds(site_geoms: np.ndarray, layerset: LayerSet, pad_m: float) -> list[list[float]] | None:
    """Return ``[[south, west], [north, east]]`` of the sites grown by ``pad_m`` (the layers without sites)."""
    if len(site_geoms):
        x0, y0, x1, y1 = shapely.total_bounds(site_geoms)
    else:  # a confidential layer's extent is never written, not even as the view
        boxes = [
            layer.gdf.total_bounds
            for layer in layerset.layers
            if not layer.gdf.empty and not getattr(layer, "confidential", False)
        ]
        if not boxes:
            return None
        b = np.array(boxes)
        x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
        pad_m = 0.0
    dlat = pad_m / METRES_PER_DEGREE
    dlon = pad_m / (METRES_PER_DEGREE * np.cos(np.radians(min(max(abs(y0), abs(y1)), 89.0))))
    return [[float(y0 - dlat), float(x0 - dlon)], [float(y1 + dlat), float(x1 + dlon)]]


def _site_overlays(m: folium.Map, result: ScreeningResult, valid: np.ndarray, lang: str) -> dict[str, Any]:
    """Return the payload's overlaps, rings and sites, each with its overlay on ``m`` (None when empty)."""
    sites = result.sites
    valid_ids = {str(s) for s in sites["site_id"].to_numpy()[valid]}
    overlaps = _overlaps_payload(result, valid_ids, lang)
    if overlaps is not None:
        overlaps["holder"] = holder(m, f"{t('map.overlaps', lang)} ({len(overlaps['f']):,})")
    rings = _rings_payload(result, valid)
    if rings is not None:
        rings["holder"] = holder(m, t("map.buffer_rings", lang))
    drawn, total = int(valid.sum()), len(sites)
    if not drawn:
        return {"overlaps": overlaps, "rings": rings, "sites": None}
    count = f"{drawn:,}" if drawn == total else mt("count.of", lang, shown=f"{drawn:,}", total=f"{total:,}")
    site_holder = holder(m, f"{t('map.sites', lang)} ({count})")
    return {"overlaps": overlaps, "rings": rings, "sites": _sites_payload(result, valid, site_holder, lang)}


def _site_legend(
    result: ScreeningResult, payload: dict[str, Any], notes: list[str], bases: list[str], lang: str
) -> str:
    """Return the legend of a site map: the zones, overlaps, rings and verdicts drawn, and the notes."""
    kinds = [k["k"] for k in payload["kinds"]]
    sites = payload["sites"]
    order = verdict_order()
    verdicts = {order[v] for v in sites["v"]} if sites else set()
    rings = payload["rings"]
    return legend_html(
        result.layerset.name,
        classes_present(payload["zones"], kinds),
        lang,
        overlap=payload["overlaps"] is not None,
        ring_m=rings["buffer"] if rings else None,
        verdicts=verdicts,
        clusters=bool(sites) and len(sites["id"]) > 1500,
        notes=notes,
        base_notes=bases,
    )


def site_map(result: ScreeningResult, *, lang: str = "zh", tianditu_key: str | None = None) -> folium.Map:
    """Draw a screening run on an interactive folium map.

    Parameters
    ----------
    result : ScreeningResult
        The run to draw; sites with ``status == "error"`` have no geometry and
        are left off (the legend says how many).
    lang : str, default "zh"
        ``zh`` or ``en`` for labels, popups and the legend.
    tianditu_key : str, optional
        A 天地图 API key; by default the ``TIANDITU_KEY`` environment variable.
        Without a key the 天地图 base map is not offered (the legend says how to
        get it).  The key is written into the page's tile URLs.

    Returns
    -------
    folium.Map
        Save it with :func:`save_map`.  ``m.rc_payload`` holds the data the
        page draws from.

    Raises
    ------
    ValueError
        For an unsupported ``lang``.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> from redline.checks import check_site
    >>> result = check_site("109.4015,22.4923", load_layerset("sample"), industry="H6210")
    >>> m = site_map(result)
    >>> type(m).__name__, len(m.rc_payload["kinds"]) > 0
    ('Map', True)
    >>> m  # in a notebook, the last expression of a cell shows the map  # doctest: +SKIP
    >>> save_map(m, "map.html")
    """
    check_lang(lang)
    buffer_m = float(result.meta.get("buffer_m") or 0.0)
    layerset = result.layerset
    valid = _valid_sites(result.sites)
    site_geoms = np.asarray(result.sites.geometry.array, dtype=object)[valid]
    m, gaode, tianditu = new_map(lang, tianditu_key=tianditu_key)
    kind_ids = kind_index(result)
    kinds = list(kind_ids)
    # confidential (涉密) layers are never drawn: their kinds get a note instead
    drawn_kinds = drawable_kinds(layerset, [k for k in kinds if k in layerset.kinds])
    radius = max(DISPLAY_RADIUS_M, buffer_m)
    zones, tolerance, counts = zone_payload(
        layerset, drawn_kinds, kind_ids, near=site_geoms, radius_m=radius, tolerance_m=SIMPLIFY_TOLERANCE_M
    )
    payload = {
        **base_payload(m, gaode, kinds, lang, north=False),
        "zones": zone_holders(m, zones, kinds, counts, lang),
        **_site_overlays(m, result, valid, lang),
    }
    notes, bases = map_notes(lang, tianditu=tianditu, tolerance_m=tolerance, simplify_m=SIMPLIFY_TOLERANCE_M)
    left_off = len(result.sites) - int(valid.sum())
    notes = [
        *confidential_notes(layerset, layerset.kinds, lang),
        *count_notes(counts, lang, radius_m=radius),
        *([mt("note.sites_not_drawn", lang, n=f"{left_off:,}")] if left_off else []),
        *notes,
    ]
    return finish_map(
        m,
        payload,
        legend=_site_legend(result, payload, notes, bases, lang),
        top=top_html(lang, illustrative=result.illustrative),
        bounds=_bounds(site_geoms, layerset, max(buffer_m, 200.0)),
    )


def save_map(m: folium.Map, path: str | PathLike[str]) -> None:
    """Write a map as a standalone HTML file at ``path``.

    The caller handles atomic replacement; this only writes.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`site_map` or :func:`maps.zoning_map`.
    path : str or os.PathLike
        The ``.html`` file to write.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> from redline.maps import zoning_map
    >>> save_map(zoning_map(load_layerset("sample"), kinds=["water_source"]), "zoning.html")
    >>> save_map(site_map(result), "map.html")  # doctest: +SKIP
    """
    m.save(str(path))


def payload_json(m: folium.Map) -> str:
    """Return the JSON payload of a map as written into the page (for tests and debugging)."""
    return js_json(m.rc_payload)  # type: ignore[attr-defined]
