"""The spatial engine: which zones each site touches or lies near, and by how much.

One bulk STRtree query per layer finds every candidate (site, zone) pair; exact
geometry is computed only where needed: a site wholly inside a zone takes its own
area or length, a zone wholly inside a site takes the zone's, and only partial
overlaps are intersected.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from redline.checks.engine.box_grid import BoxGrid, box_grid
from redline.checks.engine.edges import repeat_index
from redline.checks.engine.overlap_areas import overlap_areas
from redline.checks.engine.pieces import cut_polygons
from redline.checks.engine.point_distances import Vertices, geodesic_to, locate_points, vertices_of
from redline.layers.geodesy import (
    LocalProjection,
    _lineal,
    band_of,
    degrees_covering,
    geodesic_areas,
    geodesic_length,
    metres_per_degree,
    polygonal_parts,
)
from redline.layers.layerset import ZoneLayer
from redline.zones.kinds import KINDS

__all__ = [
    "RAW_COLUMNS",
    "prepare_layer",
    "site_measures",
    "spatial_columns",
    "spatial_findings",
    "zone_class_codes",
    "zone_columns",
]

RAW_COLUMNS = [
    "site_idx",
    "zone_idx",
    "relation",
    "overlap_area_m2",
    "overlap_ratio",
    "overlap_length_m",
    "distance_m",
    "geometry",
]


def site_measures(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (geometry dimension, area m², length m) for each site geometry.

    Dimension is 0 for points, 1 for lines, 2 for polygons; area is NaN for
    non-polygons and length NaN for non-lines.
    """
    dims = shapely.get_dimensions(geoms)
    area = np.full(len(geoms), np.nan)
    length = np.full(len(geoms), np.nan)
    polys = np.flatnonzero(dims == 2)
    area[polys] = geodesic_areas(geoms[polys])
    for i in np.flatnonzero(dims == 1):
        length[i] = geodesic_length(geoms[i])
    return dims, area, length


def prepare_layer(layer: ZoneLayer, points: bool = True) -> None:
    """Build the layer's spatial index and the arrays screening uses now, rather than on first use.

    Each is built once and kept on the layer: the index, the zones' bounding boxes, classes and
    identifiers and, with ``points``, the zones' vertices (big zones cut in pieces) that point
    sites are located against.  A batch or a service calls it once after loading the layers,
    so that no screen pays for it; screening threads then share them.

    Parameters
    ----------
    layer : ZoneLayer
    points : bool
        Also build what locating point sites needs (skip it when no site is a point).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> for layer in load_layerset("sample").layers:
    ...     prepare_layer(layer)
    """
    _zone_tree(layer)
    _zone_bounds(layer)
    zone_class_codes(layer)
    zone_columns(layer)
    _zones_near(layer, 0.0)
    if points:
        _point_index(layer)


def zone_columns(layer: ZoneLayer) -> dict[str, np.ndarray]:
    """Return the layer's ``zone_id``, ``zone_name`` and ``zone_class`` as object arrays, converted once."""
    return _cached(
        layer,
        "_zone_columns",
        lambda _zones: {c: layer.gdf[c].to_numpy(dtype=object) for c in ("zone_id", "zone_name", "zone_class")},
    )


_CACHE_LOCK = threading.RLock()  # re-entrant: one build may use another (the spread uses the bounds)


def _cached(layer: ZoneLayer, name: str, build):
    """Return what ``build(zones)`` makes of the layer's zones, built once and kept on the layer.

    Built under a lock: screening threads share the layer.
    """
    value = getattr(layer, name, None)
    if value is None:
        with _CACHE_LOCK:
            value = getattr(layer, name, None)
            if value is None:
                value = build(np.asarray(layer.gdf.geometry.array))
                setattr(layer, name, value)
    return value


def _zone_geoms(layer: ZoneLayer) -> np.ndarray:
    """Return the layer's zones as an array of shapely geometries (``gdf.geometry`` makes a new series each time)."""
    return _cached(layer, "_geoms", lambda zones: zones)


def _zone_tree(layer: ZoneLayer) -> shapely.STRtree:
    # the zones are never prepared: threads screening different sites share them, and GEOS's
    # prepared geometries build their indexes lazily, unguarded (two threads asking the same
    # prepared zone at once can crash the process); predicates are asked of the site instead
    return _cached(layer, "_tree", shapely.STRtree)


def _projection(layer: ZoneLayer, band: float) -> tuple[LocalProjection, np.ndarray]:
    """Return the layer's cached projection for a longitude band and its array of projected zones.

    Zones are projected lazily, once each, as pairs first need them.
    """
    cache = _cached(layer, "_projections", lambda zones: {})
    if band not in cache:
        cache[band] = (LocalProjection(band), np.full(len(layer.gdf), None, dtype=object))
    return cache[band]


def _zone_areas(layer: ZoneLayer, zi: np.ndarray) -> np.ndarray:
    """Return the areas (m²) of zones ``zi`` of ``layer``, each measured once and kept on the layer."""

    def build(zones):  # measured when the layer cache made its entry, else as needed
        known = getattr(layer, "zone_areas", None)
        known_ok = known is not None and len(known) == len(zones)
        return np.array(known, dtype=float) if known_ok else np.full(len(zones), np.nan)

    cached = _cached(layer, "_zone_area", build)
    missing = np.unique(zi[np.isnan(cached[zi])])
    if len(missing):  # threads may measure the same zone at once: they write the same number
        cached[missing] = geodesic_areas(_zone_geoms(layer)[missing])
    return cached[zi]


def _box_within(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Whether each bounding box (minx, miny, maxx, maxy) ``inner`` lies within ``outer``."""
    return (
        (inner[:, 0] >= outer[:, 0])
        & (inner[:, 1] >= outer[:, 1])
        & (inner[:, 2] <= outer[:, 2])
        & (inner[:, 3] <= outer[:, 3])
    )


def _polygon_overlaps(
    site_geoms: np.ndarray, site_box: np.ndarray, si: np.ndarray, zi: np.ndarray, layer: ZoneLayer
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (interiors meet, overlap area m², overlap or None) of (polygon site, zone) pairs that meet.

    A zone wholly inside its site is its own overlap.  For the others the area is measured from the
    two boundaries (:func:`redline.checks.engine.overlap_areas.overlap_areas`) without building the overlap, whose
    geometry is then None; the few pairs that measurement leaves (boundaries that touch or run
    along each other) are intersected by GEOS.  ``site_box`` holds each site's bounds.
    """
    zones = _zone_geoms(layer)
    a, b = site_geoms[si], zones[zi]
    meets = np.zeros(len(si), dtype=bool)
    area = np.zeros(len(si))
    cut = np.full(len(si), None, dtype=object)
    inside = np.zeros(len(si), dtype=bool)
    maybe = np.flatnonzero(_box_within(_zone_bounds(layer)[zi], site_box[si]))
    inside[maybe] = shapely.covers(a[maybe], b[maybe])  # (a zone within a site lies within its box)
    cut[inside] = b[inside]
    area[inside] = _zone_areas(layer, zi[inside])
    meets[inside] = area[inside] > 0
    crossing = np.flatnonzero(~inside)
    area[crossing] = overlap_areas(site_geoms, zones, si[crossing], zi[crossing])
    left = crossing[np.isnan(area[crossing])]
    cut[left] = polygonal_parts(shapely.intersection(a[left], b[left]))
    area[left] = geodesic_areas(cut[left])
    meets[crossing] = area[crossing] > 0
    meets[left] = ~shapely.is_missing(cut[left])
    return meets, area, cut


def _far_distances(
    site_geoms: np.ndarray, s_idx: np.ndarray, z_idx: np.ndarray, layer: ZoneLayer, buffer_m: float, nearest: bool
) -> np.ndarray:
    """Geodesic distances of non-touching pairs; ``inf`` for pairs surely beyond the buffer or not nearest.

    Pairs are ranked by their planar distance in a local conformal projection (within 0.01 % of
    the geodesic one); only pairs that may be within the buffer (and, with ``nearest``, may be the
    nearest zone of their class for their site) are measured exactly on the ellipsoid.
    """
    out = np.full(len(s_idx), np.inf)
    sites_used, back_all = np.unique(s_idx, return_inverse=True)
    bands = band_of(site_geoms[sites_used])[back_all]
    classes = zone_class_codes(layer)[0]
    zones = _zone_geoms(layer)
    for band in np.unique(bands):
        sel = np.flatnonzero(bands == band)
        proj, projected = _projection(layer, float(band))
        need = np.unique(z_idx[sel])
        need = need[pd.isna(projected[need])]
        if len(need):
            projected[need] = proj.project(zones[need])
        sites_here, back = np.unique(s_idx[sel], return_inverse=True)
        pa = proj.project(site_geoms[sites_here])[back]
        pb = projected[z_idx[sel]]
        approx = proj.approx(pa, pb)
        cand = approx <= buffer_m * 1.001 + 1.0
        if nearest and cand.any():
            best = _group_min(s_idx[sel], classes[z_idx[sel]], np.where(cand, approx, np.inf))
            cand &= approx <= best * 1.001 + 1.0
        out[sel[cand]] = proj.geodesic(pa[cand], pb[cand])
    return out


def _nearest_of_class(
    si: np.ndarray, zi: np.ndarray, relation: np.ndarray, distance: np.ndarray, layer: ZoneLayer
) -> np.ndarray:
    """Mask keeping every touching pair and, per (site, zone class), the nearest nearby pair."""
    mask = relation != "nearby"
    near = np.flatnonzero(~mask)
    if len(near) == 0:
        return mask
    site, cls = si[near], zone_class_codes(layer)[0][zi[near]]
    order = np.lexsort((zi[near], distance[near], cls, site))
    site, cls = site[order], cls[order]
    first = np.r_[True, (site[1:] != site[:-1]) | (cls[1:] != cls[:-1])]
    mask[near[order[first]]] = True
    return mask


def _group_min(site: np.ndarray, cls: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return, for each element, the minimum of ``values`` over its (site, class) group."""
    if len(values) == 0:
        return np.zeros(0)
    order = np.lexsort((cls, site))
    s, c = site[order], cls[order]
    starts = np.flatnonzero(np.r_[True, (s[1:] != s[:-1]) | (c[1:] != c[:-1])])
    group_min = np.minimum.reduceat(values[order], starts)
    out = np.empty(len(values))
    out[order] = group_min[repeat_index(np.diff(np.r_[starts, len(order)]))]
    return out


def zone_class_codes(layer: ZoneLayer) -> tuple[np.ndarray, int]:
    """Return each zone's class as a small integer (cached on the layer) and the number of classes.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> water = [layer for layer in load_layerset("sample").layers if layer.kind == "water_source"][0]
    >>> codes, n = zone_class_codes(water)
    >>> n, bool(codes.max() < n)
    (3, True)
    """

    def build(_zones):
        codes, uniques = pd.factorize(layer.gdf["zone_class"].to_numpy(dtype=object), use_na_sentinel=False)
        return codes.astype(np.int64), len(uniques)

    return _cached(layer, "_class_codes", build)


def _examine(
    site_geoms: np.ndarray,
    site_dims: np.ndarray,
    si: np.ndarray,
    zi: np.ndarray,
    layer: ZoneLayer,
    buffer_m: float,
    *,
    nearby: bool,
    nearest: bool,
    inter_known: bool = False,
) -> dict[str, np.ndarray]:
    """Classify candidate (site, zone) pairs and keep those that are findings.

    Returns the kept pairs' ``si``, ``zi``, ``relation``, ``distance``, ``covered`` (site within
    zone), ``interior`` (interiors meet), ``areas`` (of the overlap of a polygon site that partly
    overlaps its zone) and ``cuts`` (that overlap where it was built, else None).  ``inter_known``
    says every pair is known to intersect (an ``intersects`` query).
    """
    zones = _zone_geoms(layer)
    a, b = site_geoms[si], zones[zi]
    inter = np.ones(len(si), dtype=bool) if inter_known else shapely.intersects(a, b)
    # a single point that meets a zone lies in it or on its edge: covered, no predicate needed;
    # otherwise the predicates are asked of the site, which is prepared (see spatial_findings)
    single_point = shapely.get_type_id(a) == 0
    covered = inter & single_point
    rest = inter & ~single_point
    # a site within a zone lies within the zone's bounding box: only those are asked
    site_box = shapely.bounds(site_geoms)
    rest = np.flatnonzero(rest)
    rest = rest[_box_within(site_box[si[rest]], _zone_bounds(layer)[zi[rest]])]
    covered[rest] = shapely.covered_by(a[rest], b[rest])
    partial = inter & ~covered
    interior = np.zeros(len(si), dtype=bool)
    polygon_site = site_dims[si] == 2
    # a point or line site and a zone that meet: the interiors meet unless they only touch
    other = partial & ~polygon_site
    interior[other] = ~shapely.touches(a[other], b[other])
    # a polygon site and a zone that meet share area exactly when their overlap has some,
    # which is needed anyway
    cuts = np.full(len(si), None, dtype=object)
    areas = np.full(len(si), np.nan)
    cut_pairs = np.flatnonzero(partial & polygon_site)
    if len(cut_pairs):
        interior[cut_pairs], areas[cut_pairs], cuts[cut_pairs] = _polygon_overlaps(
            site_geoms, site_box, si[cut_pairs], zi[cut_pairs], layer
        )
    relation = np.where(covered, "inside", np.where(interior, "overlaps", "nearby"))

    distance = np.zeros(len(si))
    keep = relation != "nearby"
    touching = inter & ~keep
    keep |= touching & nearby
    far = np.flatnonzero(~inter) if nearby else np.zeros(0, dtype=int)
    if len(far):
        distance[far] = _far_distances(site_geoms, si[far], zi[far], layer, buffer_m, nearest)
        keep[far] = distance[far] <= buffer_m
    if nearest:
        keep &= _nearest_of_class(si, zi, relation, distance, layer)
    return {
        "si": si[keep],
        "zi": zi[keep],
        "relation": relation[keep],
        "distance": distance[keep],
        "covered": covered[keep],
        "interior": interior[keep],
        "areas": areas[keep],
        "cuts": cuts[keep],
    }


#: Search radii (m) tried before the full buffer when only the nearest zone of each class is wanted.
_NEAREST_RADII = (30.0, 60.0, 120.0, 250.0, 500.0)
#: Fewer sites than this are searched over the whole buffer at once.
_OUTWARD_MIN_SITES = 500
#: So are all sites where fewer zones than this lie near a site, on average, within the buffer.
_OUTWARD_MIN_ZONES = 16.0


def _zones_near(layer: ZoneLayer, radius_m: float) -> float:
    """Return how many zones' bounding boxes meet a box of ``radius_m`` around a site, on average.

    Estimated from the zones' mean width and height and the layer's extent, as if spread evenly.
    """
    if len(layer.gdf) == 0:
        return 0.0

    def build(_zones):  # (count, mean width, mean height, extent's area, its highest |latitude|)
        bounds = _zone_bounds(layer)
        if not np.isfinite(bounds).all():  # (empty zones have no bounds)
            bounds = bounds[np.isfinite(bounds).all(axis=1)]
        if len(bounds) == 0:
            return 0, 0.0, 0.0, 1e-12, 0.0
        x0, y0 = bounds[:, :2].min(axis=0)
        x1, y1 = bounds[:, 2:].max(axis=0)
        mean_w, mean_h = (bounds[:, 2:] - bounds[:, :2]).mean(axis=0)
        return len(bounds), mean_w, mean_h, max((x1 - x0) * (y1 - y0), 1e-12), min(max(abs(y0), abs(y1)), 89.0)

    n, mean_w, mean_h, extent, lat = _cached(layer, "_spread", build)
    per_lon, per_lat = metres_per_degree(np.array([lat]))
    box = (mean_w + 2 * radius_m / per_lon[0]) * (mean_h + 2 * radius_m / per_lat[0])
    return float(n * min(box, extent) / extent)


def _nearest_search(site_geoms: np.ndarray, site_dims: np.ndarray, layer: ZoneLayer, buffer_m: float) -> dict:
    """Find the touching zones and the nearest nearby zone of each class, searching outwards.

    Sites are searched within 30 m, then 60, 120, 250 and 500 m, then the whole buffer.  A site whose nearest
    nearby zone of every class of the layer lies within the current radius is settled: any nearer
    zone lies within that radius too, so it was among the candidates (the degree radius errs wide).
    The others go on to the next radius.  The result equals a search of the whole buffer, with a
    small fraction of its candidate pairs (about 450 farmland parcels lie within 1 km of a point).
    """
    tree = _zone_tree(layer)
    codes, n_classes = zone_class_codes(layer)
    max_lat = float(np.nanmax(np.abs(shapely.bounds(site_geoms)[:, [1, 3]])))
    # one search of the whole buffer costs less than several rounds for a few sites, or where the
    # layer's zones are sparse (a few dozen red line areas, water sources)
    outward = len(site_geoms) >= _OUTWARD_MIN_SITES and _zones_near(layer, buffer_m) > _OUTWARD_MIN_ZONES
    radii = ([r for r in _NEAREST_RADII if r < buffer_m] if outward else []) + [buffer_m]
    pending = np.arange(len(site_geoms))
    single_point = shapely.get_type_id(site_geoms) == 0
    parts = []
    for radius in radii:
        points = pending[single_point[pending]]
        others = pending[~single_point[pending]]
        found = []
        if len(others) or not len(points):
            si, zi = tree.query(site_geoms[others], predicate="dwithin", distance=degrees_covering(radius, max_lat))
            found.append(_examine(site_geoms, site_dims, others[si], zi, layer, radius, nearby=True, nearest=True))
        if len(points):
            found.append(_examine_points(site_geoms, site_dims, points, layer, radius))
        found = found[0] if len(found) == 1 else _joined(found)
        if radius == radii[-1]:
            parts.append(found)
            break
        near = found["relation"] == "nearby"
        site_class = np.unique(found["si"][near] * n_classes + codes[found["zi"][near]])
        sites_near, classes_near = np.unique(site_class // n_classes, return_counts=True)
        settled = sites_near[classes_near >= n_classes]
        done = np.isin(found["si"], settled)
        parts.append({key: values[done] for key, values in found.items()})
        pending = pending[~np.isin(pending, settled)]
        if len(pending) == 0:
            break
    joined = _joined(parts)
    order = np.lexsort((joined["zi"], joined["si"]))
    return {key: values[order] for key, values in joined.items()}


def _joined(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


#: Zones with more vertices than this are measured by GEOS (the vectorised path takes every edge).
_VECTOR_MAX_VERTICES = 256


def _zone_vertices(layer: ZoneLayer) -> Vertices:
    def build(zones):  # read with the layer from the cache, else taken off the zones
        known = getattr(layer, "zone_vertices", None)
        return known if known is not None and len(known.count) == len(zones) else vertices_of(zones)

    return _cached(layer, "_vertices", build)


def _zone_bounds(layer: ZoneLayer) -> np.ndarray:
    return _cached(layer, "_bounds", shapely.bounds)


def _box_gaps(
    x: np.ndarray, y: np.ndarray, b: np.ndarray, per_lon: np.ndarray, per_lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the least and greatest distance (m, in each point's frame) from point ``k`` to box ``b[k]``.

    ``per_lon``, ``per_lat``: metres per degree at each point (:func:`metres_per_degree`).  A polygon
    is no nearer than its bounding box, and no farther than the box's farthest corner.
    """
    gap_x = np.maximum(np.maximum(b[:, 0] - x, x - b[:, 2]), 0.0) * per_lon
    gap_y = np.maximum(np.maximum(b[:, 1] - y, y - b[:, 3]), 0.0) * per_lat
    far = np.hypot(
        np.maximum(np.abs(x - b[:, 0]), np.abs(x - b[:, 2])) * per_lon,
        np.maximum(np.abs(y - b[:, 1]), np.abs(y - b[:, 3])) * per_lat,
    )
    return np.hypot(gap_x, gap_y), far


@dataclass(frozen=True)
class _PointIndex:
    """The polygons that points are located against: a layer's zones, its big ones cut in pieces.

    ``zone`` maps each polygon to its zone (None: the polygons are the zones themselves).
    """

    geoms: np.ndarray
    zone: np.ndarray | None
    grid: BoxGrid
    bounds: np.ndarray
    vertices: Vertices


#: Zones with more vertices than this are cut into pieces of at most this many to locate points.
_PIECE_VERTICES = 32


def _point_index(layer: ZoneLayer) -> _PointIndex:
    """Return the layer's :class:`_PointIndex`, built once (:func:`redline.checks.engine.pieces.cut_polygons`)."""

    def build(zones):
        many = np.flatnonzero(shapely.get_num_coordinates(zones) > _PIECE_VERTICES)
        if len(many) == 0:
            bounds = _zone_bounds(layer)
            return _PointIndex(zones, None, box_grid(bounds), bounds, _zone_vertices(layer))
        pieces, owner = cut_polygons(zones[many], _PIECE_VERTICES)
        whole = np.setdiff1d(np.arange(len(zones)), many)
        geoms = np.concatenate([zones[whole], pieces])
        zone = np.concatenate([whole, many[owner]])
        bounds = shapely.bounds(geoms)
        return _PointIndex(geoms, zone, box_grid(bounds), bounds, vertices_of(geoms))

    return _cached(layer, "_point_index", build)


def _locate(
    site_geoms: np.ndarray,
    points: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    qi: np.ndarray,
    pi: np.ndarray,
    index: _PointIndex,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Locate point ``qi[k]`` (of ``points``) against polygon ``pi[k]`` of ``index``; GEOS settles the boundary."""
    inside, approx, near_x, near_y = locate_points(x[qi], y[qi], index.vertices, pi)
    edge = np.flatnonzero(approx < 1e-6)  # on (or within a micrometre of) the boundary: GEOS decides
    inside[edge] = shapely.intersects(site_geoms[points[qi[edge]]], index.geoms[pi[edge]])
    return inside, approx, near_x, near_y


def _examine_points(
    site_geoms: np.ndarray, site_dims: np.ndarray, points: np.ndarray, layer: ZoneLayer, radius: float
) -> dict[str, np.ndarray]:
    """:func:`_examine` for single-point sites (indices ``points``), nearest mode, within ``radius``.

    Candidates come from a bounding-box query (boxes sized in metres at each point) of the
    layer's zones, the big ones cut in pieces (:func:`_point_index`), filed in grids
    (:mod:`redline.checks.engine.box_grid`: numpy, so screening threads run side by side).  Points are located
    (:func:`redline.checks.engine.point_distances.locate_points`: inside or not, the planar distance in the
    point's frame to rank, the nearest boundary point to measure on the ellipsoid) all at once, in
    two rounds:

    1. against the polygons whose bounding box holds the point: which zones the point lies in
       (in any of its pieces), and how far the others are;
    2. against the other polygons that may be the nearest of their class: those no farther than
       the radius, nor than the nearest zone of the class known so far (one located in round 1,
       or one whose box's farthest corner is nearer), leaving out the pieces of zones the point
       lies in.

    A zone is as far from a point as its nearest piece.  Polygons with very many vertices, and
    points within a micrometre of a boundary, are left to GEOS.
    """
    index = _point_index(layer)
    classes = zone_class_codes(layer)[0]
    x, y = shapely.get_x(site_geoms[points]), shapely.get_y(site_geoms[points])
    wide_lon, wide_lat = metres_per_degree(np.clip(np.abs(y) + 0.01, 0.0, 89.0))  # a little poleward: wider
    dx, dy = radius * 1.01 / wide_lon + 1e-9, radius * 1.01 / wide_lat + 1e-9
    qi, pi = index.grid.query(x - dx, y - dy, x + dx, y + dy)
    zi = pi if index.zone is None else index.zone[pi]
    big = index.vertices.count[pi] > _VECTOR_MAX_VERTICES
    if index.zone is not None and big.any():  # a zone goes wholly to GEOS, once a point
        big = np.isin(zi, zi[big])
        pairs = np.unique(np.c_[qi[big], zi[big]], axis=0)
        big_q, big_z = pairs[:, 0], pairs[:, 1]
    else:
        big_q, big_z = qi[big], zi[big]
    parts = [_examine(site_geoms, site_dims, points[big_q], big_z, layer, radius, nearby=True, nearest=True)]
    qi, pi, zi = qi[~big], pi[~big], zi[~big]

    per_lon, per_lat = metres_per_degree(y)  # measured once a point, not once a candidate
    low, high = _box_gaps(x[qi], y[qi], index.bounds[pi], per_lon[qi], per_lat[qi])
    first = np.flatnonzero(low == 0)
    inside1, approx1, near_x1, near_y1 = _locate(site_geoms, points, x, y, qi[first], pi[first], index)
    later = np.flatnonzero((low > 0) & (low <= radius * 1.001 + 1.0))
    key = qi.astype(np.int64) * len(layer.gdf) + zi
    holding = key[first[inside1]]  # (point, zone) pairs where the point lies in the zone
    if index.zone is not None and len(holding):
        later = later[~np.isin(key[later], holding)]
        nearby1 = ~np.isin(key[first], holding)
    else:
        nearby1 = ~inside1
    # the nearest zone of each class so far: located in round 1, or no farther than a box's far corner
    group_q = np.r_[qi[first], qi[later]]
    group_c = classes[np.r_[zi[first], zi[later]]]
    known = np.r_[np.where(nearby1, approx1, np.inf), high[later]]
    bound = _group_min(group_q, group_c, known)[len(first) :]
    later = later[low[later] <= bound * 1.001 + 1.0]
    inside2, approx2, near_x2, near_y2 = _locate(site_geoms, points, x, y, qi[later], pi[later], index)
    rows = np.r_[first, later]
    qi, zi = qi[rows], zi[rows]
    inside, approx = np.r_[inside1, inside2], np.r_[approx1, approx2]
    near_x, near_y = np.r_[near_x1, near_x2], np.r_[near_y1, near_y2]
    if index.zone is not None and len(qi):  # one pair a (point, zone): in any piece, else the nearest piece
        order = np.lexsort((approx, ~inside, zi, qi))
        q, z = qi[order], zi[order]
        one = order[np.r_[True, (q[1:] != q[:-1]) | (z[1:] != z[:-1])]]
        qi, zi, inside, approx, near_x, near_y = (v[one] for v in (qi, zi, inside, approx, near_x, near_y))
    si = points[qi]
    distance = np.zeros(len(si))
    far = np.flatnonzero(~inside)
    distance[far] = np.inf
    cand = far[approx[far] <= radius * 1.001 + 1.0]
    if len(cand):
        best = _group_min(si[cand], classes[zi[cand]], approx[cand])
        cand = cand[approx[cand] <= best * 1.001 + 1.0]
        distance[cand] = geodesic_to(x[qi[cand]], y[qi[cand]], near_x[cand], near_y[cand])
    k = np.flatnonzero(inside | (distance <= radius))
    relation = np.where(inside[k], "inside", "nearby")
    k = k[_nearest_of_class(si[k], zi[k], relation, distance[k], layer)]
    parts.append(
        {
            "si": si[k],
            "zi": zi[k],
            "relation": np.where(inside[k], "inside", "nearby"),
            "distance": distance[k],
            "covered": inside[k],
            "interior": np.zeros(len(k), dtype=bool),
            "areas": np.full(len(k), np.nan),
            "cuts": np.full(len(k), None, dtype=object),
        }
    )
    found = _joined(parts)
    # the GEOS part kept its own nearest of each class: keep the nearer of the two
    keep = _nearest_of_class(found["si"], found["zi"], found["relation"], found["distance"], layer)
    return {key: values[keep] for key, values in found.items()}


def spatial_findings(
    site_geoms: np.ndarray,
    site_dims: np.ndarray,
    site_area: np.ndarray,
    site_length: np.ndarray,
    layer: ZoneLayer,
    buffer_m: float,
    nearby_mode: str = "nearest",
    overlap_geometry: bool = True,
) -> pd.DataFrame:
    """Return one row per (site, zone) pair of ``layer`` that touches or lies within ``buffer_m``.

    Parameters
    ----------
    site_geoms : array of shapely geometries (EPSG:4490), all valid and non-empty
    site_dims, site_area, site_length : arrays from :func:`site_measures`
    layer : ZoneLayer
    buffer_m : float
        Zones this close (geodesic metres) but not touching are ``nearby``.
    nearby_mode : {"nearest", "all"}
        ``nearest`` keeps, of the zones only near a site, the nearest one of each
        class (ties: the first in the layer).  Every rule decides a nearby finding
        from the zone's kind, class and distance alone, so the nearest zone of a
        class carries the verdict of all of them; a reviewer gets one row ("farmland
        120 m away") instead of one per parcel.  ``all`` keeps every zone.
    overlap_geometry : bool
        Build the overlap of a polygon site and a zone it partly covers (the ``geometry``
        column).  Its area is measured without it; with False the column is None for those
        pairs, which saves most of the time of screening polygons (CSV output needs no geometry).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RAW_COLUMNS`; ``relation`` is ``inside`` (site wholly within
        the zone), ``overlaps`` (interiors intersect) or ``nearby`` (not sharing
        interior, within the buffer: a site that only touches a zone's edge is
        ``nearby`` at distance 0).
    """
    raw = spatial_columns(site_geoms, site_dims, site_area, site_length, layer, buffer_m, nearby_mode, overlap_geometry)
    raw["relation"] = pd.Series(raw["relation"].astype(object), dtype=object, copy=False)
    return pd.DataFrame(raw, columns=RAW_COLUMNS)


def spatial_columns(
    site_geoms: np.ndarray,
    site_dims: np.ndarray,
    site_area: np.ndarray,
    site_length: np.ndarray,
    layer: ZoneLayer,
    buffer_m: float,
    nearby_mode: str = "nearest",
    overlap_geometry: bool = True,
) -> dict[str, np.ndarray]:
    """:func:`spatial_findings` as a dict of arrays (:data:`RAW_COLUMNS`), without building a DataFrame.

    ``relation`` is an array of text.  Screening threads use this: a DataFrame is built holding Python's lock.
    """
    zones = _zone_geoms(layer)
    tree = _zone_tree(layer)
    if len(site_geoms) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return {
            "site_idx": empty,
            "zone_idx": empty,
            "relation": np.zeros(0, dtype="<U8"),
            **{name: np.zeros(0) for name in ("overlap_area_m2", "overlap_ratio", "overlap_length_m", "distance_m")},
            "geometry": np.zeros(0, dtype=object),
        }
    # each site is asked about many zones; a prepared site answers many times faster (the caller
    # gives each thread its own site objects)
    shapely.prepare(site_geoms[shapely.get_type_id(site_geoms) != 0])
    nearby = buffer_m > 0 and (layer.kind not in KINDS or KINDS[layer.kind].nearby)
    if not nearby:
        si, zi = tree.query(site_geoms, predicate="intersects")
        found = _examine(site_geoms, site_dims, si, zi, layer, 0.0, nearby=False, nearest=False, inter_known=True)
    elif nearby_mode == "all":
        max_lat = float(np.nanmax(np.abs(shapely.bounds(site_geoms)[:, [1, 3]])))
        si, zi = tree.query(site_geoms, predicate="dwithin", distance=degrees_covering(buffer_m, max_lat))
        found = _examine(site_geoms, site_dims, si, zi, layer, buffer_m, nearby=True, nearest=False)
    else:
        found = _nearest_search(site_geoms, site_dims, layer, buffer_m)
    si, zi, relation, distance = found["si"], found["zi"], found["relation"], found["distance"]
    covered, interior, cuts = found["covered"], found["interior"], found["cuts"]
    a, b = site_geoms[si], zones[zi]

    n = len(si)
    area = np.full(n, np.nan)
    ratio = np.full(n, np.nan)
    length = np.full(n, np.nan)
    overlap = np.full(n, None, dtype=object)
    dims = site_dims[si]
    overlap[covered] = a[covered]
    poly_inside = covered & (dims == 2)
    area[poly_inside] = site_area[si[poly_inside]]
    line_inside = covered & (dims == 1)
    length[line_inside] = site_length[si[line_inside]]
    polys = np.flatnonzero(interior & ~covered & (dims == 2))
    if len(polys):
        area[polys] = found["areas"][polys]
        overlap[polys] = cuts[polys]
        unbuilt = polys[shapely.is_missing(cuts[polys])]
        if overlap_geometry and len(unbuilt):
            overlap[unbuilt] = polygonal_parts(shapely.intersection(a[unbuilt], b[unbuilt]))
    lines = np.flatnonzero(interior & ~covered & (dims == 1))
    if len(lines):
        for k, geom in zip(lines, shapely.intersection(a[lines], b[lines]), strict=True):
            part = _lineal(geom)
            length[k] = geodesic_length(part) if part is not None else 0.0
            overlap[k] = part
    points = np.flatnonzero(interior & ~covered & (dims == 0))
    if len(points):  # a multipoint partly inside: the points inside
        overlap[points] = shapely.intersection(a[points], b[points])
    poly = dims == 2
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio[poly & (relation != "nearby")] = (area / site_area[si])[poly & (relation != "nearby")]
    area[poly & (relation == "nearby")] = np.nan
    return {
        "site_idx": si,
        "zone_idx": zi,
        "relation": relation,
        "overlap_area_m2": area,
        "overlap_ratio": ratio,
        "overlap_length_m": length,
        "distance_m": distance,
        "geometry": overlap,
    }
