"""Site geometry: reading WKT and WKB, what makes a geometry unusable, and the move to EPSG:4490."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from redline.layers.crs import WEB_CRS
from redline.layers.layerset import TARGET_CRS
from redline.layers.source import normalise_geometries
from redline.layers.webcoords import transform_geometry

__all__ = [
    "decode_wkb",
    "geometry_problem",
    "geometry_problems",
    "in_china",
    "in_china_array",
    "is_geographic",
    "not_lonlat",
    "read_wkt",
    "to_target",
]


def in_china(lon: float, lat: float) -> bool:
    """Return True when (lon, lat) falls in the rough extent of China (73-136E, 3-54N)."""
    return 73.0 <= lon <= 136.0 and 3.0 <= lat <= 54.0


def in_china_array(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """:func:`in_china` for arrays (NaN is nowhere)."""
    return (lon >= 73.0) & (lon <= 136.0) & (lat >= 3.0) & (lat <= 54.0)


def is_geographic(src) -> bool:
    """Return True for a geographic CRS, and for the web-map offsets gcj02/bd09 (given as strings)."""
    return isinstance(src, str) or src.is_geographic


def not_lonlat(bounds: np.ndarray) -> np.ndarray:
    """For rows of (xmin, ymin, xmax, ymax): True where the box is not finite longitude/latitude."""
    bounds = np.atleast_2d(bounds)
    return (
        ~np.isfinite(bounds).all(axis=1)
        | (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1)
        | (np.abs(bounds[:, [1, 3]]) > 90).any(axis=1)
    )


def to_target(geoms: np.ndarray, crs) -> np.ndarray:
    """Convert geometries from ``crs`` (a pyproj CRS or gcj02/bd09) to EPSG:4490."""
    if isinstance(crs, str) and crs.lower() in WEB_CRS:
        return np.asarray(transform_geometry(geoms, crs.lower()), dtype=object)
    crs = CRS.from_user_input(crs)
    if crs.equals(CRS.from_user_input(TARGET_CRS)):
        return geoms
    return np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(TARGET_CRS).array, dtype=object)


def _close_wkt(text: str):
    """Parse WKT after closing the rings that do not end where they start; None when none needed it, or it fails."""
    closed_any = False

    def close(m: re.Match) -> str:
        nonlocal closed_any
        pts = [p.strip() for p in m.group(1).split(",")]
        if len(pts) >= 3 and pts[0].split() != pts[-1].split():
            pts.append(pts[0])
            closed_any = True
        return "(" + ", ".join(pts) + ")"

    text = re.sub(r"\(([^()]*)\)", close, text)
    if not closed_any:
        return None
    try:
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException:
        return None


def read_wkt(text: str) -> tuple[shapely.Geometry | None, bool, Exception | None]:
    """Parse WKT, closing unclosed rings.

    Returns
    -------
    (geometry, closed, error)
        ``closed`` is True when rings had to be closed for the text to parse (the geometry
        then counts as invalid: "ring not closed"); ``error`` is GEOS's when it does not parse
        (and the geometry is None).

    Examples
    --------
    >>> geom, closed, error = read_wkt("POLYGON ((0 0, 1 0, 1 1))")
    >>> geom.wkt, closed, error
    ('POLYGON ((0 0, 1 0, 1 1, 0 0))', True, None)
    """
    try:
        return shapely.from_wkt(text), False, None
    except shapely.errors.GEOSException as exc:
        closed = _close_wkt(text)
        if closed is not None:
            return closed, True, None
        return None, False, exc


def decode_wkb(wkb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geometries of WKB values as :func:`layers.source.read_vector` leaves them, and which had unclosed rings.

    WKB that GEOS refuses because a ring is not closed is read again with its rings closed (the
    row then counts as invalid, "ring not closed"); other unreadable WKB and null values are None.
    Z/M are dropped and one-type collections become Multi* geometries.
    """
    wkb = np.asarray(wkb, dtype=object)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    unclosed = np.zeros(len(geoms), dtype=bool)
    closed = np.full(len(geoms), None, dtype=object)
    missing = shapely.is_missing(geoms)
    if missing.any():
        try:
            fixed = shapely.from_wkb(wkb[missing], on_invalid="fix")
        except (ValueError, TypeError):  # shapely too old to close rings: they stay missing
            fixed = np.full(int(missing.sum()), None, dtype=object)
        repaired = np.flatnonzero(missing)[~shapely.is_missing(fixed)]
        unclosed[repaired] = True
        closed[repaired] = normalise_geometries(fixed[~shapely.is_missing(fixed)])
    geoms = normalise_geometries(geoms)
    geoms[unclosed] = closed[unclosed]
    return geoms, unclosed


def geometry_problem(geom) -> str | None:
    """Return why a site geometry cannot be checked (validity aside), or None when it can."""
    if geom is None or shapely.is_missing(geom):
        return "no geometry"
    if geom.is_empty:
        return "empty geometry"
    if geom.geom_type == "GeometryCollection" or geom.geom_type.endswith("Ring"):
        return f"unsupported geometry type {geom.geom_type}; use points, lines or polygons"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return "coordinates are not finite numbers"
    return None


def geometry_problems(geoms: np.ndarray) -> list[str | None]:
    """:func:`geometry_problem` of every geometry, the usual (usable) ones found vectorised."""
    out: list[str | None] = [None] * len(geoms)
    missing = shapely.is_missing(geoms)
    present = np.flatnonzero(~missing)
    flagged = np.flatnonzero(missing)
    if len(present):
        g = geoms[present]
        type_id = shapely.get_type_id(g)
        suspect = shapely.is_empty(g) | (type_id == 2) | (type_id == 7)  # 2 LinearRing, 7 GeometryCollection
        coords, index = shapely.get_coordinates(g, return_index=True)
        suspect[index[~np.isfinite(coords).all(axis=1)]] = True
        flagged = np.concatenate([flagged, present[suspect]])
    for i in flagged:
        out[i] = geometry_problem(geoms[i])
    return out
