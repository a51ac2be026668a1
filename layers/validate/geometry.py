"""Geometry for validation: the pairs of features whose interiors meet, their overlaps, local metres.

Pairs are found with one bulk query of an STRtree, then the exact DE-9IM test on the candidates
only (in chunks, on threads); the area of an overlap is geodesic (:mod:`layers.geodesy`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

from redline.layers.geodesy import geodesic_area, local_projection

__all__ = ["local_frame", "overlap_areas", "overlapping_pairs", "pieces", "polygonal_parts"]

_CHUNK = 50_000  # pairs per exact-predicate call (threads share the chunks)

Coords = Callable[[np.ndarray], np.ndarray]


def polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygonal part of each geometry (its polygons, as one multipolygon); None where there is none.

    Examples
    --------
    >>> from shapely import GeometryCollection, LineString, box
    >>> mixed = GeometryCollection([box(0, 0, 1, 1), LineString([(1, 1), (2, 2)])])
    >>> [None if g is None else g.geom_type for g in polygonal_parts(np.array([mixed, box(0, 0, 1, 1)]))]
    ['Polygon', 'Polygon']
    """
    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    odd = np.flatnonzero((types != 3) & (types != 6) & ~shapely.is_missing(geoms))
    for i in odd:
        parts = [
            q for p in shapely.get_parts(geoms[i]) if shapely.get_type_id(p) in (3, 6) for q in shapely.get_parts(p)
        ]
        out[i] = None if not parts else (parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    return out


def pieces(geom: object) -> list:
    """Return the polygons of a (multi)polygon or collection, without empty ones."""
    if geom is None or shapely.is_empty(geom):
        return []
    return [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) == 3 and not p.is_empty]


def _interiors_intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact test, pair by pair, that the interiors of ``a[k]`` and ``b[k]`` intersect (chunked, threaded)."""
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=bool)
    out = np.zeros(n, dtype=bool)
    chunks = [slice(s, min(s + _CHUNK, n)) for s in range(0, n, _CHUNK)]

    def run(sl: slice) -> None:
        out[sl] = shapely.relate_pattern(a[sl], b[sl], "T********")

    workers = min(len(chunks), os.cpu_count() or 1)
    if workers <= 1:
        for sl in chunks:
            run(sl)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, chunks))
    return out


def _box_overlap(bounds_a: np.ndarray, bounds_b: np.ndarray) -> np.ndarray:
    """Mark the pairs of boxes that overlap with positive area (only there can interiors meet)."""
    return (np.minimum(bounds_a[:, 2], bounds_b[:, 2]) > np.maximum(bounds_a[:, 0], bounds_b[:, 0])) & (
        np.minimum(bounds_a[:, 3], bounds_b[:, 3]) > np.maximum(bounds_a[:, 1], bounds_b[:, 1])
    )


def overlapping_pairs(a: np.ndarray, b: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return the indices ``(i, j)`` of the pairs whose interiors intersect: within ``a`` (i < j), or ``a`` × ``b``.

    One bulk bounding-box query of an STRtree, then the exact test on the candidates only.  Sharing
    an edge or a corner is not an overlap.

    Examples
    --------
    >>> from shapely import box
    >>> a = np.array([box(0, 0, 2, 2), box(1, 1, 3, 3), box(2, 0, 3, 1)])
    >>> [(int(i), int(j)) for i, j in zip(*overlapping_pairs(a))]
    [(0, 1)]
    """
    if b is None:
        tree = shapely.STRtree(a)
        i, j = tree.query(a)
        keep = i < j
        i, j = i[keep], j[keep]
        bounds_a = bounds_b = shapely.bounds(a)
        other = a
    else:
        tree = shapely.STRtree(b)
        i, j = tree.query(a)
        bounds_a, bounds_b = shapely.bounds(a), shapely.bounds(b)
        other = b
    keep = _box_overlap(bounds_a[i], bounds_b[j])
    i, j = i[keep], j[keep]
    hit = _interiors_intersect(a[i], other[j])
    return i[hit], j[hit]


def overlap_areas(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the overlap of each pair ``a[k]``, ``b[k]`` (its polygonal part) and its geodesic area in m²."""
    if len(a) == 0:
        return np.zeros(0, dtype=object), np.zeros(0)
    inter = polygonal_parts(np.asarray(shapely.intersection(a, b), dtype=object))
    areas = np.array([geodesic_area(g) if g is not None else 0.0 for g in inter])
    return inter, areas


def local_frame(lon0: float) -> tuple[Coords, Coords]:
    """Return coordinate functions (for ``shapely.transform``) to and from a transverse Mercator centred on ``lon0``.

    Metres on the CGCS2000 ellipsoid (:func:`layers.geodesy.local_projection`), for measuring
    lengths and distances near ``lon0``.

    Examples
    --------
    >>> from shapely import Point
    >>> to_m, to_deg = local_frame(109.0)
    >>> p = shapely.transform(Point(109.001, 22.0), to_m)
    >>> round(p.x, 2), shapely.transform(p, to_deg).equals_exact(Point(109.001, 22.0), 1e-12)
    (103.26, True)
    """
    fwd = local_projection(lon0)
    inv = local_projection(lon0, inverse=True)

    def forward(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(fwd.transform(xy[:, 0], xy[:, 1]))

    def inverse(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(inv.transform(xy[:, 0], xy[:, 1]))

    return forward, inverse
