"""The edges of polygons as flat numpy arrays, for measuring many polygon pairs at once.

Vectorised geometry (overlap areas, point-to-polygon distances) works on edges rather than on
shapely objects: each edge's end points and bounding box, its ring, and whether its ring runs the
way Green's theorem wants (exteriors counter-clockwise, holes clockwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

__all__ = ["EdgeTable", "edge_table", "ragged_arange", "repeat_index"]


@dataclass
class EdgeTable:
    """The edges of some polygonal geometries, each ring's edges in order, geometries contiguous."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    xmin: np.ndarray
    ymin: np.ndarray
    xmax: np.ndarray
    ymax: np.ndarray
    v0: np.ndarray  # index of each edge's first vertex in ``coords`` (its last is the next one)
    coords: np.ndarray  # the vertices, (n, 2)
    ring: np.ndarray  # ring number of each edge
    w: np.ndarray  # +1 where the edge's ring runs as Green's theorem wants (exterior CCW, hole CW), else -1
    first: np.ndarray  # per geometry: its first edge
    count: np.ndarray  # per geometry: its number of edges


def edge_table(geoms: np.ndarray) -> EdgeTable:
    """Return the edges of polygonal geometries as arrays (see :class:`EdgeTable`).

    Parameters
    ----------
    geoms : array of shapely Polygon or MultiPolygon

    Examples
    --------
    >>> from shapely import box
    >>> t = edge_table(np.array([box(0, 0, 1, 1), box(2, 0, 3, 1)]))
    >>> t.count.tolist(), t.first.tolist(), int(t.w.min())
    ([4, 4], [0, 4], 1)
    """
    simple = bool(np.all((shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)))
    if simple:  # the common case: each geometry is one ring, its exterior
        coords, vertex_ring = shapely.get_coordinates(geoms, return_index=True)
        n_rings = len(geoms)
        exterior = np.ones(n_rings, dtype=bool)
        ring_geom = np.arange(n_rings)
    else:
        parts, part_geom = shapely.get_parts(geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, vertex_ring = shapely.get_coordinates(rings, return_index=True)
        n_rings = len(rings)
        exterior = np.r_[True, ring_part[1:] != ring_part[:-1]]  # a part's first ring is its exterior
        ring_geom = part_geom[ring_part]
    k = np.flatnonzero(vertex_ring[1:] == vertex_ring[:-1])  # edge: vertex k to k + 1 of the same ring
    x0, y0, x1, y1 = coords[k, 0], coords[k, 1], coords[k + 1, 0], coords[k + 1, 1]
    ring = vertex_ring[k]
    ring_start = np.flatnonzero(np.r_[True, vertex_ring[1:] != vertex_ring[:-1]])
    ox, oy = coords[ring_start, 0][ring], coords[ring_start, 1][ring]
    twice_area = np.bincount(ring, (x0 - ox) * (y1 - oy) - (x1 - ox) * (y0 - oy), minlength=n_rings)
    w_ring = np.where(exterior == (twice_area > 0), 1, -1)
    count = np.bincount(ring_geom[ring], minlength=len(geoms))
    return EdgeTable(
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        xmin=np.minimum(x0, x1),
        ymin=np.minimum(y0, y1),
        xmax=np.maximum(x0, x1),
        ymax=np.maximum(y0, y1),
        v0=k,
        coords=coords,
        ring=ring,
        w=w_ring[ring],
        first=np.cumsum(count) - count,
        count=count,
    )


def repeat_index(counts: np.ndarray) -> np.ndarray:
    """Return 0 ``counts[0]`` times, then 1 ``counts[1]`` times, and so on: ``np.repeat(arange, counts)``.

    Built from a cumulative sum, which (unlike ``np.repeat``) lets other threads run meanwhile:
    screening threads spend much of their time repeating per-pair values over edges.

    Examples
    --------
    >>> repeat_index(np.array([2, 0, 3, 1])).tolist()
    [0, 0, 2, 2, 2, 3]
    """
    counts = np.asarray(counts, dtype=np.int64)
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    filled = np.flatnonzero(counts)
    marks = np.zeros(total, dtype=np.int64)
    marks[(ends - counts)[filled[1:]]] = 1
    return filled[np.cumsum(marks)] if total else np.zeros(0, dtype=np.int64)


def ragged_arange(counts: np.ndarray, owner: np.ndarray | None = None) -> np.ndarray:
    """Return 0, 1, …, counts[0] - 1, then 0, 1, …, counts[1] - 1, and so on.

    ``owner`` is :func:`repeat_index` of ``counts`` when the caller has it already.

    Examples
    --------
    >>> ragged_arange(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    counts = np.asarray(counts, dtype=np.int64)
    owner = repeat_index(counts) if owner is None else owner
    return np.arange(len(owner)) - (np.cumsum(counts) - counts)[owner]
