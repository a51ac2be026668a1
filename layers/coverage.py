"""Where a layer set speaks: its coverage, and how much of each site lies within it.

A layer set covers the area its bureau drew it for.  Outside that area the layers say nothing, and
"no finding" there means "no data", not "no constraint".  The coverage is, in order:

1. the manifest's ``coverage:``: an outline file (any vector format the layers may be in), or
   ``control_units``;
2. with no ``coverage:`` and a control-unit layer present: the union of the control units, which
   tile their region (环境管控单元 cover their province without gaps);
3. otherwise none: the coverage is undeclared, and a ``clear`` verdict then says so.

A layer may declare its own ``coverage:`` (a red line layer drawn for one county in a set that
covers a city): a site outside it is not covered by that layer, whatever the set covers.

:func:`covered_shares` measures, for each site, the share of it within a coverage: 1 for a site
wholly inside, 0 for one wholly outside, and the geodesic area (or length) share between.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely

from redline.layers.geodesy import geodesic_areas, geodesic_length

__all__ = ["UNDECLARED", "covered_shares", "read_coverage", "union_of"]

#: The coverage source of a layer set that declares none and has no control units.
UNDECLARED = "undeclared"


def union_of(geoms: np.ndarray) -> shapely.Geometry | None:
    """Return the union of polygons (None when there are none), prepared for repeated predicates.

    Examples
    --------
    >>> from shapely import box
    >>> union_of(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)])).bounds
    (0.0, 0.0, 2.0, 1.0)
    """
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms)]
    geoms = geoms[~shapely.is_empty(geoms)]
    if not len(geoms):
        return None
    union = shapely.union_all(shapely.make_valid(geoms))
    shapely.prepare(union)
    return union


def read_coverage(path: str | Path, crs: str | None = None) -> shapely.Geometry | None:
    """Read an outline file as one coverage geometry in EPSG:4490 (the union of its polygons).

    Raises
    ------
    LayerError
        When the file cannot be read or holds no polygon (from :func:`redline.layers.outline.read_outline`).
    """
    from redline.layers.outline import read_outline

    outline = read_outline(path, crs=crs, param="coverage")
    return union_of(np.asarray(outline.geometry.array, dtype=object))


def covered_shares(sites: np.ndarray, coverage: shapely.Geometry | None) -> np.ndarray:
    """Return the share (0 to 1) of each site within ``coverage``; NaN everywhere when it is None.

    Points count as 1 or 0; a line by the geodesic length of its part inside; a polygon by the
    geodesic area of its part inside.  A site on the coverage's edge counts as inside.

    Examples
    --------
    >>> from shapely import Point, box
    >>> area = box(109, 22, 110, 23)
    >>> sites = np.array([Point(109.5, 22.5), Point(111, 22.5), box(109.9, 22.4, 110.1, 22.6)])
    >>> [round(float(s), 2) for s in covered_shares(sites, area)]
    [1.0, 0.0, 0.5]
    """
    sites = np.asarray(sites, dtype=object)
    out = np.full(len(sites), np.nan)
    if coverage is None or not len(sites):
        return out
    inside = shapely.covered_by(sites, coverage)
    meets = shapely.intersects(sites, coverage)
    out[inside] = 1.0
    out[~meets] = 0.0
    partial = np.flatnonzero(meets & ~inside)
    if len(partial):
        dims = shapely.get_dimensions(sites[partial])
        parts = shapely.intersection(sites[partial], coverage)
        shares = np.full(len(partial), 1.0)  # (a multipoint partly inside: at least one point in)
        polys = dims == 2
        if polys.any():
            shares[polys] = geodesic_areas(parts[polys]) / geodesic_areas(sites[partial][polys])
        for k in np.flatnonzero(dims == 1):
            whole = geodesic_length(sites[partial][k])
            shares[k] = geodesic_length(parts[k]) / whole if whole > 0 else 1.0
        out[partial] = np.clip(shares, 0.0, 1.0)
    return out
