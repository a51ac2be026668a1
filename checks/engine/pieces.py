"""Big polygons cut into small pieces, so that a point is measured against a few dozen edges.

A red line area or a water-source ring has hundreds of vertices and spans kilometres; a point
near it is close to only a few of its edges.  Cut into pieces of at most a few dozen vertices
(halving each polygon's bounding box along its longer side until every piece is small enough),
the pieces' bounding boxes leave out the far side of the zone before any edge is measured.

The pieces of a polygon cover it and do not overlap, so a point lies in the polygon when it lies
in (or on) any of its pieces, and its distance to the polygon is the least of its distances to the
pieces.  They cover it to the last bits, not bit for bit: where a cut crosses an edge, the new
vertex is rounded (by about 1e-14°), so the piece's edges there are not quite the polygon's.  That
moves nothing a metre-scale measure can see, but it decides which side a point exactly on such an
edge falls: a point within a micrometre of a piece's boundary is located against the whole zone
(:func:`redline.checks.engine.points.examine_points`).
"""

from __future__ import annotations

import numpy as np
import shapely

from redline.layers.geodesy import polygonal_parts

__all__ = ["cut_polygons"]


def _halves(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the two boxes that halve each geometry's bounding box across its longer side.

    Widths are compared in metres' proportion (a degree of longitude shrinks with latitude).
    """
    b = shapely.bounds(geoms)
    x0, y0, x1, y1 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    wide = (x1 - x0) * np.cos(np.radians((y0 + y1) / 2)) >= (y1 - y0)
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    first = shapely.box(x0, y0, np.where(wide, mid_x, x1), np.where(wide, y1, mid_y))
    second = shapely.box(np.where(wide, mid_x, x0), np.where(wide, y0, mid_y), x1, y1)
    return first, second


def cut_polygons(polygons: np.ndarray, max_vertices: int = 32, max_rounds: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Cut polygons with more than ``max_vertices`` vertices into pieces that have at most that many.

    Parameters
    ----------
    polygons : array of shapely Polygon or MultiPolygon
        Valid and not empty.
    max_vertices : int
        Polygons (and pieces) with at most this many vertices (all rings) are left whole.
    max_rounds : int
        Halve at most this many times; a piece still bigger then (a ring of very many vertices
        packed in a tiny box) is kept as it is.

    Returns
    -------
    pieces : array of shapely geometries
        Polygons or multipolygons, the small polygons themselves among them, in no set order.
    owner : array of int
        The index in ``polygons`` of the polygon each piece was cut from.

    Examples
    --------
    >>> ring = shapely.Point(113.0, 28.0).buffer(0.01, quad_segs=64)    # 257 vertices
    >>> pieces, owner = cut_polygons(np.array([ring, shapely.box(0, 0, 1, 1)]), max_vertices=32)
    >>> bool((shapely.get_num_coordinates(pieces) <= 32).all()), sorted(set(owner.tolist()))
    (True, [0, 1])
    >>> round(float(shapely.area(pieces[owner == 0]).sum() / ring.area), 12)
    1.0
    """
    geoms = np.asarray(polygons, dtype=object)
    owner = np.arange(len(geoms))
    kept_geoms, kept_owner = [], []
    for _ in range(max_rounds):
        small = shapely.get_num_coordinates(geoms) <= max_vertices
        kept_geoms.append(geoms[small])
        kept_owner.append(owner[small])
        geoms, owner = geoms[~small], owner[~small]
        if len(geoms) == 0:
            break
        first, second = _halves(geoms)
        halves = polygonal_parts(
            np.concatenate([shapely.intersection(geoms, first), shapely.intersection(geoms, second)])
        )
        owner = np.concatenate([owner, owner])
        real = ~shapely.is_missing(halves)
        geoms, owner = halves[real], owner[real]
    kept_geoms.append(geoms)
    kept_owner.append(owner)
    return np.concatenate(kept_geoms), np.concatenate(kept_owner)
