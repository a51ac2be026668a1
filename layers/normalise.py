"""Geometry that GEOS accepts but some of its operations crash on, normalised before anything else sees it."""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["drop_empty_parts"]


def _empty_part_counts(geoms: np.ndarray) -> np.ndarray:
    """Count each geometry's empty parts (members of a multi-geometry or collection, at any depth) and empty rings."""
    counts = np.zeros(len(geoms), dtype=np.int64)
    type_id = shapely.get_type_id(geoms)
    holed = np.flatnonzero((type_id == 3) & (shapely.get_num_interior_rings(geoms) > 0))
    if len(holed):
        rings, owner = shapely.get_rings(geoms[holed], return_index=True)
        np.add.at(counts, holed[owner], shapely.is_empty(rings))
    multi = np.flatnonzero(type_id >= 4)
    if len(multi):
        parts, owner = shapely.get_parts(geoms[multi], return_index=True)
        empty = shapely.is_empty(parts)
        np.add.at(counts, multi[owner], empty + _empty_part_counts(np.where(empty, None, parts)))
    return counts


def _without_empty_parts(geom):
    """Rebuild one geometry of the same type without its empty parts and rings (coordinates untouched)."""
    if geom is None or geom.is_empty:
        return geom
    if geom.geom_type == "Polygon":
        return shapely.Polygon(geom.exterior, [ring for ring in geom.interiors if not ring.is_empty])
    if hasattr(geom, "geoms"):
        return type(geom)([_without_empty_parts(part) for part in geom.geoms if not part.is_empty])
    return geom


def drop_empty_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop the empty parts and empty rings of geometries, which GEOS accepts but some operations crash on.

    ``MULTIPOLYGON (EMPTY, ((...)))`` is valid for GEOS and covers the same ground as its one
    polygon, but ``shapely.segmentize`` (and a GeoParquet round trip) kill the process with it; so
    does a polygon with an empty hole.  Each such geometry is rebuilt, same type and coordinates,
    without its empty members: the point set is unchanged.  Geometries that are wholly empty or
    missing are left as they are (they are reported as empty).

    Parameters
    ----------
    geoms : array of shapely geometries (or None)

    Returns
    -------
    geoms : array of shapely geometries
        A new array when any geometry changed, else the one given.
    dropped : array of int
        How many empty parts and rings each geometry lost (0: unchanged).

    Examples
    --------
    >>> zone = shapely.from_wkt("MULTIPOLYGON (EMPTY, ((108 22, 108.1 22, 108.1 22.1, 108 22)))")
    >>> fixed, dropped = drop_empty_parts(np.array([zone, shapely.Point(108, 22), None]))
    >>> fixed[0].wkt, dropped.tolist()
    ('MULTIPOLYGON (((108 22, 108.1 22, 108.1 22.1, 108 22)))', [1, 0, 0])
    """
    geoms = np.asarray(geoms, dtype=object)
    dropped = _empty_part_counts(geoms)
    changed = np.flatnonzero(dropped)
    if len(changed):
        geoms = geoms.copy()
        geoms[changed] = [_without_empty_parts(geoms[i]) for i in changed]
    return geoms, dropped
