"""Point sites located against a layer's zones all at once, with numpy.

Candidates come from a bounding-box query (boxes sized in metres at each point) of the layer's
zones, the big ones cut in pieces (:attr:`redline.checks.engine.index.LayerIndex.point_index`),
filed in grids (:mod:`redline.checks.engine.box_grid`: numpy, so screening threads run side by
side).  See :func:`examine_points`.
"""

from __future__ import annotations

import numpy as np
import shapely

from redline.checks.engine.index import LayerIndex, PointIndex, index_of
from redline.checks.engine.pairs import examine, group_min, nearest_of_class
from redline.checks.engine.point_distances import geodesic_to, locate_points
from redline.layers.geodesy import metres_per_degree
from redline.layers.layerset import ZoneLayer

__all__ = ["examine_points", "joined"]


def joined(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Join dicts of arrays with the same keys, array by array."""
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


#: Zones with more vertices than this are measured by GEOS (the vectorised path takes every edge).
_VECTOR_MAX_VERTICES = 256


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


def _locate(
    site_geoms: np.ndarray,
    points: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    qi: np.ndarray,
    pi: np.ndarray,
    index: PointIndex,
    layer_index: LayerIndex,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Locate point ``qi[k]`` (of ``points``) against polygon ``pi[k]`` of ``index``; GEOS settles the boundary.

    A point within a micrometre of the polygon's boundary is located by GEOS against the whole zone
    (built by ``layer_index``), not the piece: a piece's edges where it was cut are the zone's to about
    1e-14°, not bit for bit, so a point exactly on the zone's edge may fall a hair outside every
    piece (or inside one when it is outside the zone).  On the whole zone it lies where GEOS puts it.
    """
    inside, approx, near_x, near_y = locate_points(x[qi], y[qi], index.vertices, pi)
    edge = np.flatnonzero(approx < 1e-6)  # on (or within a micrometre of) the boundary: GEOS decides
    if len(edge):
        whole = pi[edge] if index.zone is None else index.zone[pi[edge]]
        inside[edge] = shapely.intersects(site_geoms[points[qi[edge]]], layer_index.geoms_for(whole)[whole])
    return inside, approx, near_x, near_y


def examine_points(
    site_geoms: np.ndarray, site_dims: np.ndarray, points: np.ndarray, layer: ZoneLayer, radius: float
) -> dict[str, np.ndarray]:
    """Examine single-point sites (indices ``points``) in nearest mode, within ``radius``, as ``examine`` does.

    Candidates come from a bounding-box query (boxes sized in metres at each point) of the
    layer's zones, the big ones cut in pieces (``LayerIndex.point_index``), filed in grids
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
    points within a micrometre of a boundary, are left to GEOS (the latter located against the
    whole zone, never a piece, whose cut edges are the zone's only to rounding).
    """
    layer_index = index_of(layer)
    index = layer_index.point_index
    classes = layer_index.class_codes
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
    parts = [examine(site_geoms, site_dims, points[big_q], big_z, layer, radius, nearby=True, nearest=True)]
    qi, pi, zi = qi[~big], pi[~big], zi[~big]

    per_lon, per_lat = metres_per_degree(y)  # measured once a point, not once a candidate
    low, high = _box_gaps(x[qi], y[qi], index.bounds[pi], per_lon[qi], per_lat[qi])
    first = np.flatnonzero(low == 0)
    inside1, approx1, near_x1, near_y1 = _locate(site_geoms, points, x, y, qi[first], pi[first], index, layer_index)
    later = np.flatnonzero((low > 0) & (low <= radius * 1.001 + 1.0))
    key = qi.astype(np.int64) * layer_index.n + zi
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
    bound = group_min(group_q, group_c, known)[len(first) :]
    later = later[low[later] <= bound * 1.001 + 1.0]
    inside2, approx2, near_x2, near_y2 = _locate(site_geoms, points, x, y, qi[later], pi[later], index, layer_index)
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
        best = group_min(si[cand], classes[zi[cand]], approx[cand])
        cand = cand[approx[cand] <= best * 1.001 + 1.0]
        distance[cand] = geodesic_to(x[qi[cand]], y[qi[cand]], near_x[cand], near_y[cand])
    k = np.flatnonzero(inside | (distance <= radius))
    relation = np.where(inside[k], "inside", "nearby")
    k = k[nearest_of_class(si[k], zi[k], relation, distance[k], layer)]
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
    found = joined(parts)
    # the GEOS part kept its own nearest of each class: keep the nearer of the two
    keep = nearest_of_class(found["si"], found["zi"], found["relation"], found["distance"], layer)
    return {key: values[keep] for key, values in found.items()}
