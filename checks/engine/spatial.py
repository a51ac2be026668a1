"""The spatial engine: which zones each site touches or lies near, and by how much.

One bulk STRtree query per layer finds every candidate (site, zone) pair; exact
geometry is computed only where needed: a site wholly inside a zone takes its own
area or length, a zone wholly inside a site takes the zone's, and only partial
overlaps are intersected.

The boundary rule
-----------------
A site's relation to a zone follows from GEOS's DE-9IM matrix of the site against the zone,
the same for points, lines and polygons and in every search mode:

``inside``
    The site is covered by the zone (GEOS ``covered_by``; the matrix matches ``T*F**F***``,
    ``*TF**F***``, ``**FT*F***`` or ``**F*TF***``): no part of it lies outside.  Lying on the
    zone's boundary counts as covered: a point on the edge, a line running along the edge, a
    polygon inside the zone that shares part of its edge are all ``inside``.
``overlaps``
    The site's interior meets the zone's interior (II is not F) and the site is not covered:
    part of it lies outside.
``nearby`` at 0 m
    The site meets the zone but only on the zone's boundary (II is F, and not covered): a polygon
    sharing an edge or a vertex with the zone, a line touching the boundary or running along it
    and otherwise outside, a multipoint with points on the boundary and the others outside.  A
    single point that meets a zone is always ``inside``.
``nearby`` at its distance
    The site and the zone are disjoint and the zone lies within the buffer.

Nearby findings are reported only with a buffer greater than 0, and never for kinds whose zones
tile a region (control units): there, only ``inside`` and ``overlaps`` are.  The rule is tested
against GEOS's own relate test cases (``tests/checks/engine/test_geos_relate.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from redline.checks.engine.index import index_of, prepare_layer
from redline.checks.engine.pairs import examine
from redline.checks.engine.points import examine_points, joined
from redline.layers.geodesy import _lineal, degrees_covering, geodesic_areas, geodesic_length, polygonal_parts
from redline.layers.layerset import ZoneLayer
from redline.layers.normalise import drop_empty_parts
from redline.zones.kinds import KINDS

__all__ = [
    "RAW_COLUMNS",
    "prepare_layer",
    "site_measures",
    "spatial_columns",
    "spatial_findings",
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


#: Search radii (m) tried before the full buffer when only the nearest zone of each class is wanted.
_NEAREST_RADII = (30.0, 60.0, 120.0, 250.0, 500.0)
#: Fewer sites than this are searched over the whole buffer at once.
_OUTWARD_MIN_SITES = 500
#: So are all sites where fewer zones than this lie near a site, on average, within the buffer.
_OUTWARD_MIN_ZONES = 16.0


def _nearest_search(site_geoms: np.ndarray, site_dims: np.ndarray, layer: ZoneLayer, buffer_m: float) -> dict:
    """Find the touching zones and the nearest nearby zone of each class, searching outwards.

    Sites are searched within 30 m, then 60, 120, 250 and 500 m, then the whole buffer.  A site whose nearest
    nearby zone of every class of the layer lies within the current radius is settled: any nearer
    zone lies within that radius too, so it was among the candidates (the degree radius errs wide).
    The others go on to the next radius.  The result equals a search of the whole buffer, with a
    small fraction of its candidate pairs (about 450 farmland parcels lie within 1 km of a point).
    """
    index = index_of(layer)
    codes, n_classes = index.class_codes, index.n_classes
    max_lat = float(np.nanmax(np.abs(shapely.bounds(site_geoms)[:, [1, 3]])))
    # one search of the whole buffer costs less than several rounds for a few sites, or where the
    # layer's zones are sparse (a few dozen red line areas, water sources)
    outward = len(site_geoms) >= _OUTWARD_MIN_SITES and index.zones_near(buffer_m) > _OUTWARD_MIN_ZONES
    radii = ([r for r in _NEAREST_RADII if r < buffer_m] if outward else []) + [buffer_m]
    pending = np.arange(len(site_geoms))
    single_point = shapely.get_type_id(site_geoms) == 0
    parts = []
    for radius in radii:
        points = pending[single_point[pending]]
        others = pending[~single_point[pending]]
        found = []
        if len(others) or not len(points):
            si, zi = index.query(site_geoms[others], distance=degrees_covering(radius, max_lat))
            found.append(examine(site_geoms, site_dims, others[si], zi, layer, radius, nearby=True, nearest=True))
        if len(points):
            found.append(examine_points(site_geoms, site_dims, points, layer, radius))
        found = found[0] if len(found) == 1 else joined(found)
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
    together = joined(parts)
    order = np.lexsort((together["zi"], together["si"]))
    return {key: values[order] for key, values in together.items()}


def _touching(site_geoms: np.ndarray, site_dims: np.ndarray, type_id: np.ndarray, layer: ZoneLayer) -> dict:
    """Find the zones each site lies in or meets (no buffer): points with numpy, the rest with GEOS.

    Single points are located against the zones' vertices (:func:`examine_points` with a radius of
    0: the zones a point lies in, those on whose boundary it lies decided by GEOS); no zone need be
    built for them.  Other sites ask GEOS of their candidate zones.
    """
    points = np.flatnonzero(type_id == 0)
    others = np.flatnonzero(type_id != 0)
    found = []
    if len(points):
        located = examine_points(site_geoms, site_dims, points, layer, 0.0)
        inside = located["relation"] != "nearby"  # (without a buffer only what the point lies in counts)
        found.append({key: values[inside] for key, values in located.items()})
    if len(others) or not len(points):
        si, zi = index_of(layer).query(site_geoms[others])
        si = others[si]
        found.append(examine(site_geoms, site_dims, si, zi, layer, 0.0, nearby=False, nearest=False, inter_known=True))
    together = found[0] if len(found) == 1 else joined(found)
    order = np.lexsort((together["zi"], together["si"]))
    return {key: values[order] for key, values in together.items()}


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
        Columns :data:`RAW_COLUMNS`; ``relation`` is ``inside`` (the site is covered by
        the zone: within it or on its boundary), ``overlaps`` (the interiors meet, part of
        the site lies outside) or ``nearby`` (within the buffer, not sharing interior: a site
        that meets only the zone's boundary, such as a parcel sharing an edge, is ``nearby``
        at distance 0).  See the boundary rule in the module notes.
    """
    raw = spatial_columns(site_geoms, site_dims, site_area, site_length, layer, buffer_m, nearby_mode, overlap_geometry)
    raw["relation"] = pd.Series(raw["relation"].astype(object), dtype=object, copy=False)
    return pd.DataFrame(raw, columns=RAW_COLUMNS)


def _without_empty_parts(site_geoms: np.ndarray, type_id: np.ndarray) -> np.ndarray:
    """Return the sites without empty parts or rings (:func:`redline.layers.normalise.drop_empty_parts`).

    A site ``MULTIPOLYGON (EMPTY, ((...)))`` is valid, but GEOS's ``segmentize`` (measuring a
    distance) crashes the process on it; only polygons and multi-geometries are looked at.
    """
    maybe = np.flatnonzero(type_id >= 3)
    if len(maybe) == 0:
        return site_geoms
    fixed, dropped = drop_empty_parts(site_geoms[maybe])
    if not dropped.any():
        return site_geoms
    site_geoms = site_geoms.copy()
    site_geoms[maybe] = fixed
    return site_geoms


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
    index = index_of(layer)
    if len(site_geoms) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return {
            "site_idx": empty,
            "zone_idx": empty,
            "relation": np.zeros(0, dtype="<U8"),
            **{name: np.zeros(0) for name in ("overlap_area_m2", "overlap_ratio", "overlap_length_m", "distance_m")},
            "geometry": np.zeros(0, dtype=object),
        }
    type_id = shapely.get_type_id(site_geoms)
    site_geoms = _without_empty_parts(site_geoms, type_id)
    # each site is asked about many zones; a prepared site answers many times faster (the caller
    # gives each thread its own site objects)
    shapely.prepare(site_geoms[type_id != 0])
    nearby = buffer_m > 0 and (layer.kind not in KINDS or KINDS[layer.kind].nearby)
    if not nearby:
        found = _touching(site_geoms, site_dims, type_id, layer)
    elif nearby_mode == "all":
        max_lat = float(np.nanmax(np.abs(shapely.bounds(site_geoms)[:, [1, 3]])))
        si, zi = index.query(site_geoms, distance=degrees_covering(buffer_m, max_lat))
        found = examine(site_geoms, site_dims, si, zi, layer, buffer_m, nearby=True, nearest=False)
    else:
        found = _nearest_search(site_geoms, site_dims, layer, buffer_m)
    si, zi, relation, distance = found["si"], found["zi"], found["relation"], found["distance"]
    covered, interior, cuts = found["covered"], found["interior"], found["cuts"]
    zones = index.geoms_for(zi)
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
