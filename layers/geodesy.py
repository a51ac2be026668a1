"""Metres on the CGCS2000 ellipsoid: areas, lengths and distances of lon/lat geometries.

Areas and lengths are computed by pyproj's geodesic routines (Karney's algorithms)
on the CGCS2000 ellipsoid, so they agree with ``pyproj.Geod`` by construction.
Distances between a site and a zone are found in two steps: the nearest pair of
points is located in a transverse Mercator projection centred within half a
degree of the site (conformal, so the nearest pair is the true one to well under a
millimetre at screening distances), then the geodesic distance between that pair
is measured on the ellipsoid.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer

__all__ = [
    "GEOD",
    "METRES_PER_DEGREE",
    "LocalProjection",
    "band_of",
    "degrees_covering",
    "geodesic_area",
    "geodesic_areas",
    "geodesic_distance",
    "geodesic_distances",
    "geodesic_length",
    "local_projection",
    "metres_per_degree",
    "polygonal_parts",
]

#: The CGCS2000 ellipsoid (identical in size and flattening to GRS 1980).
GEOD: Geod = CRS.from_epsg(4490).get_geod()

#: Metres in one degree of longitude on the equator of the CGCS2000 ellipsoid (2πa / 360), the
#: usual rough scale of a degree; :func:`metres_per_degree` gives the exact scale at a latitude.
METRES_PER_DEGREE: float = np.pi * GEOD.a / 180.0

_E2 = GEOD.es  # CGCS2000 (GRS 1980) eccentricity squared


def metres_per_degree(lat):
    """Return (metres per degree of longitude, metres per degree of latitude) on the ellipsoid at ``lat``.

    Exact for the CGCS2000 ellipsoid (the radii of curvature of the parallel and the meridian);
    vectorised over ``lat`` (degrees).

    Examples
    --------
    >>> kx, ky = metres_per_degree(0.0)
    >>> round(float(kx), 1), round(float(ky), 1)
    (111319.5, 110574.3)
    """
    phi = np.radians(lat)
    w = 1.0 - _E2 * np.sin(phi) ** 2
    return np.radians(1.0) * GEOD.a * np.cos(phi) / np.sqrt(w), np.radians(1.0) * GEOD.a * (1.0 - _E2) / w**1.5


def degrees_covering(metres: float, max_abs_lat: float) -> float:
    """Return a radius in degrees that surely covers ``metres`` in every direction up to latitude ``max_abs_lat``.

    Takes the shorter of the degree of longitude and the degree of latitude at a latitude one degree
    beyond ``max_abs_lat`` (a search box may reach that far), so it errs on the wide side.

    Examples
    --------
    >>> r = degrees_covering(1000.0, 22.5)
    >>> round(r * float(min(metres_per_degree(23.5))), 6), round(r, 5)
    (1000.0, 0.00979)
    """
    lat = min(abs(float(max_abs_lat)) + 1.0, 89.0)
    kx, ky = metres_per_degree(lat)
    return float(metres / min(float(kx), float(ky)))


@lru_cache(maxsize=256)
def local_projection(lon0: float, lat0: float = 0.0, *, kind: str = "tmerc", inverse: bool = False) -> Transformer:
    """Return a transformer between lon/lat (degrees, CGCS2000) and a local projection in metres.

    The one way this package builds a local projection: a PROJ pipeline on CGCS2000's ellipsoid
    (GRS 1980), which takes a fraction of a millisecond where a transformer between two CRSs takes
    tens.  ``kind`` is ``tmerc`` (transverse Mercator, conformal: nearest points and shapes),
    ``laea`` (Lambert azimuthal equal-area: areas) or ``aeqd`` (azimuthal equidistant: maps drawn
    in metres around a site).  ``inverse`` gives the way back to lon/lat.  pyproj's transformers are
    thread-safe.

    Examples
    --------
    >>> x, y = local_projection(109.0).transform(109.0, 22.0)
    >>> round(x, 6), round(y)
    (0.0, 2433800)
    >>> lon, lat = local_projection(109.0, inverse=True).transform(x, y)
    >>> round(lon, 9), round(lat, 9)
    (109.0, 22.0)
    """
    if kind not in ("tmerc", "laea", "aeqd"):
        raise ValueError(f"kind must be 'tmerc', 'laea' or 'aeqd', got {kind!r}")
    extra = " +k=1" if kind == "tmerc" else ""
    proj = f"+proj={kind} +lat_0={lat0} +lon_0={lon0}{extra} +x_0=0 +y_0=0 +ellps=GRS80"
    if inverse:
        return Transformer.from_pipeline(
            f"+proj=pipeline +step +inv {proj} +step +proj=unitconvert +xy_in=rad +xy_out=deg"
        )
    return Transformer.from_pipeline(f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {proj}")


# Edges are straight in lon/lat; densify before projecting so they stay straight to within a
# millimetre in the projection (0.002 degree is about 200 m: a straight lon/lat line of that length
# bows from the projected chord by well under a millimetre within a degree of the centre).
_SEGMENT_DEG = 0.002


def _polygonal(geom):
    """Return only the polygonal part of a geometry (collections from intersections)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts) if parts else None
    return None


def _lineal(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("LineString", "MultiLineString", "LinearRing"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("LineString", "MultiLineString")]
        return shapely.line_merge(shapely.union_all(parts)) if parts else None
    return None


def geodesic_area(geom) -> float:
    """Return the area in m² of the polygonal part of a lon/lat geometry.

    Examples
    --------
    >>> from shapely import box
    >>> round(geodesic_area(box(109.0, 22.0, 109.01, 22.01)))
    1143385
    """
    poly = _polygonal(geom)
    if poly is None:
        return 0.0
    # pyproj sums signed ring areas: exteriors must run counter-clockwise, holes clockwise.
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(poly))[0])


# Polygons smaller than this (degrees, each side of the bounding box) are measured in a local
# Lambert azimuthal equal-area projection; bigger ones with pyproj.Geod, polygon by polygon.
_SMALL_DEG = 0.01


@lru_cache(maxsize=1024)
def _equal_area(lon0: float, lat0: float) -> Transformer:
    """Return a transformer from lon/lat to a Lambert azimuthal equal-area projection centred on (lon0, lat0)."""
    return local_projection(lon0, lat0, kind="laea")


def polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """Return the polygonal part of each geometry (None where there is none), as an object array.

    Polygons and multipolygons pass through untouched; collections (from intersections that also
    touch along an edge) keep only their polygons; points, lines and empties give None.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.full(len(geoms), None, dtype=object)
    if len(geoms) == 0:
        return out
    types = shapely.get_type_id(geoms)
    keep = ((types == 3) | (types == 6)) & ~shapely.is_empty(geoms)
    out[keep] = geoms[keep]
    for i in np.flatnonzero(types == 7):
        out[i] = _polygonal(geoms[i])
    return out


def geodesic_areas(geoms: np.ndarray) -> np.ndarray:
    """Return the area in m² of the polygonal part of each lon/lat geometry, vectorised.

    Polygons within :data:`_SMALL_DEG` (about 1 km) are projected, all at once, into a Lambert
    azimuthal equal-area projection of the ellipsoid centred within a quarter of a degree of them,
    where planar area is ellipsoidal area; their edges are short enough that straight edges in
    the projection and geodesic edges enclose the same area to within 2e-8 of it (the difference
    grows as the square of the size; tests compare with ``pyproj.Geod``).  Larger polygons go
    through :func:`geodesic_area`.

    Examples
    --------
    >>> from shapely import box
    >>> [round(a) for a in geodesic_areas([box(109.0, 22.0, 109.01, 22.01), box(109, 22, 109.2, 22.2)])]
    [1143385, 457054104]
    """
    polys = polygonal_parts(geoms)
    out = np.zeros(len(polys), dtype=float)
    present = np.flatnonzero(~shapely.is_missing(polys))
    if len(present) == 0:
        return out
    bounds = shapely.bounds(polys[present])
    small = ((bounds[:, 2] - bounds[:, 0]) < _SMALL_DEG) & ((bounds[:, 3] - bounds[:, 1]) < _SMALL_DEG)
    for i in present[~small]:
        out[i] = geodesic_area(polys[i])
    if small.any():
        idx = present[small]
        centre_lon = np.round((bounds[small, 0] + bounds[small, 2]) * 2) / 4
        centre_lat = np.round((bounds[small, 1] + bounds[small, 3]) * 2) / 4
        key = np.round(centre_lon * 4).astype(np.int64) * 4096 + np.round(centre_lat * 4).astype(np.int64)
        order = np.argsort(key, kind="stable")
        for members in np.split(order, np.flatnonzero(np.diff(key[order])) + 1):
            lon0, lat0 = centre_lon[members[0]], centre_lat[members[0]]
            sel = idx[members]
            out[sel] = _projected_areas(polys[sel], _equal_area(float(lon0), float(lat0)))
    return out


def _projected_areas(polys: np.ndarray, fwd: Transformer) -> np.ndarray:
    """Return the planar areas of lon/lat polygons after projecting their vertices with ``fwd``.

    The shoelace sums run over all rings at once: each polygon's exterior counts positive and
    its holes negative, whatever their orientation; coordinates are taken relative to each
    ring's first vertex, so no precision is lost to large eastings and northings.
    """
    out = np.zeros(len(polys))
    # most polygons have one ring: their vertices are read straight off them
    simple = (shapely.get_type_id(polys) == 3) & (shapely.get_num_interior_rings(polys) == 0)
    if simple.any():
        coords, polygon_of = shapely.get_coordinates(polys[simple], return_index=True)
        rings = _ring_areas(coords, polygon_of, fwd)
        out[simple] = np.bincount(np.unique(polygon_of), weights=rings, minlength=int(simple.sum()))
    if (~simple).any():
        parts, polygon_of_part = shapely.get_parts(polys[~simple], return_index=True)
        rings, part_of_ring = shapely.get_rings(parts, return_index=True)
        coords, ring_of_vertex = shapely.get_coordinates(rings, return_index=True)
        areas = _ring_areas(coords, ring_of_vertex, fwd)
        exterior = np.r_[True, part_of_ring[1:] != part_of_ring[:-1]]  # each part's first ring
        signed = np.where(exterior, areas, -areas)
        out[~simple] = np.bincount(polygon_of_part[part_of_ring], weights=signed, minlength=int((~simple).sum()))
    return out


def _ring_areas(coords: np.ndarray, ring_of: np.ndarray, fwd: Transformer) -> np.ndarray:
    """Return the unsigned planar area of each closed ring (vertices grouped by ``ring_of``) after ``fwd``."""
    x, y = fwd.transform(coords[:, 0], coords[:, 1])
    starts = np.flatnonzero(np.r_[True, ring_of[1:] != ring_of[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(ring_of)]))
    x, y = x - x[first], y - y[first]
    # rings are closed (last vertex = first), so consecutive pairs within a ring cover every edge
    same = np.r_[ring_of[1:] == ring_of[:-1], False]
    cross = np.where(same, x * np.roll(y, -1) - np.roll(x, -1) * y, 0.0)
    return np.abs(np.add.reduceat(cross, starts)) / 2


def geodesic_length(geom) -> float:
    """Return the length in m of the lineal part of a lon/lat geometry.

    Examples
    --------
    >>> from shapely import LineString
    >>> round(geodesic_length(LineString([(109.0, 22.0), (109.0, 22.01)])), 1)
    1107.3
    """
    line = _lineal(geom)
    if line is None:
        return 0.0
    return float(GEOD.geometry_length(line))


class LocalProjection:
    """A transverse Mercator centred on ``lon0``, for locating nearest points.

    The projection is conformal, so within a few degrees of ``lon0`` the nearest pair
    of points of two geometries is the same as on the ellipsoid (the scale varies by
    less than 4e-5 within half a degree, uniformly in every direction); the distance
    itself is then measured on the ellipsoid between that pair.  Planar distances in
    the projection (:meth:`approx`) are within 0.01 % of the geodesic ones and serve to
    rank and pre-filter pairs cheaply.
    """

    def __init__(self, lon0: float) -> None:
        self.lon0 = float(lon0)
        self._fwd = local_projection(self.lon0)
        self._inv = local_projection(self.lon0, inverse=True)

    def _forward(self, coords: np.ndarray) -> np.ndarray:
        x, y = self._fwd.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    def project(self, geoms: np.ndarray) -> np.ndarray:
        """Project lon/lat geometries, densified so straight lon/lat edges stay straight to millimetres."""
        geoms = np.asarray(geoms, dtype=object)
        bounds = shapely.bounds(geoms)
        long_edges = np.flatnonzero(np.nanmax(bounds[:, 2:] - bounds[:, :2], axis=1, initial=0.0) > _SEGMENT_DEG)
        if len(long_edges):  # a geometry smaller than a segment has no edge to densify
            geoms = geoms.copy()
            geoms[long_edges] = shapely.segmentize(geoms[long_edges], _SEGMENT_DEG)
        return shapely.transform(geoms, self._forward)

    @staticmethod
    def approx(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
        """Planar distance in the projection between projected pairs (within 0.01 % of geodesic)."""
        return shapely.distance(pa, pb)

    def geodesic(self, pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
        """Geodesic distance between the nearest points of projected pairs (which must not intersect)."""
        if len(pa) == 0:
            return np.zeros(0)
        coords = shapely.get_coordinates(shapely.shortest_line(pa, pb)).reshape(-1, 2, 2)
        lon1, lat1 = self._inv.transform(coords[:, 0, 0], coords[:, 0, 1])
        lon2, lat2 = self._inv.transform(coords[:, 1, 0], coords[:, 1, 1])
        return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2], dtype=float)


def band_of(geoms: np.ndarray) -> np.ndarray:
    """Return the half-degree longitude band (projection centre) of each geometry."""
    geoms = np.asarray(geoms, dtype=object)
    points = shapely.get_type_id(geoms) == 0
    x = np.empty(len(geoms))
    x[points] = shapely.get_x(geoms[points])
    x[~points] = shapely.get_x(shapely.centroid(geoms[~points]))
    return np.round(x * 2) / 2


def geodesic_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the geodesic distance in m between each pair ``a[i]``, ``b[i]``.

    Parameters
    ----------
    a, b : array of shapely geometries (lon/lat, EPSG:4490), same length
        Pairs that intersect get 0.

    Returns
    -------
    numpy.ndarray of float

    Examples
    --------
    >>> from shapely import Point, box
    >>> import numpy as np
    >>> d = geodesic_distances(np.array([Point(109.0, 22.0)]), np.array([box(109.01, 21.9, 109.02, 22.1)]))
    >>> round(float(d[0]), 1)
    1032.6
    """
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    out = np.zeros(len(a), dtype=float)
    if len(a) == 0:
        return out
    idx = np.flatnonzero(~shapely.intersects(a, b))
    if len(idx) == 0:
        return out
    bands = band_of(a[idx])
    for band in np.unique(bands):
        sel = idx[bands == band]
        proj = LocalProjection(float(band))
        out[sel] = proj.geodesic(proj.project(a[sel]), proj.project(b[sel]))
    return out


def geodesic_distance(a, b) -> float:
    """Return the geodesic distance in m between two lon/lat geometries (0 if they touch)."""
    return float(geodesic_distances(np.array([a], dtype=object), np.array([b], dtype=object))[0])
