"""GCJ-02 and BD-09, the offset coordinates of Chinese web maps, to and from WGS84/CGCS2000.

GCJ-02 (高德, 腾讯) adds a published, deterministic, non-linear offset of a few hundred
metres to WGS84 longitude/latitude inside China; BD-09 (百度) adds a further
rotation-and-shift to GCJ-02.  The forward formulas are the published ones; the
inverses are solved iteratively to well under 0.1 m (1e-9 degree, about 0.1 mm).  Outside
China (the published rectangle test: 72.004-137.8347E, 0.8293-55.8271N) both offsets are
zero, as in the reference implementations (e.g. eviltransform).  CGCS2000 and WGS84 differ by centimetres, below
what these formulas resolve, so CGCS2000 stands in for WGS84 here.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = [
    "WEB_FRAMES",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "out_of_china",
    "transform_geometry",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

#: The frames :func:`transform_geometry` converts between (``wgs84`` stands for CGCS2000 too).
WEB_FRAMES: tuple[str, ...] = ("wgs84", "gcj02", "bd09")

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def out_of_china(lon, lat) -> np.ndarray:
    """Return True where (lon, lat) is outside the published rectangle that gets an offset."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _dlat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _dlon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon, lat):
    """Return GCJ-02 (lon, lat) for WGS84/CGCS2000 (lon, lat); arrays or scalars.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.397, 39.908)
    >>> round(float(lon - 116.397), 4), round(float(lat - 39.908), 4)
    (0.0062, 0.0014)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = lon - 105.0, lat - 35.0
    dlat, dlon = _dlat(x, y), _dlon(x, y)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def _invert(forward, x, y, x0, y0, tol_deg: float, max_iter: int):
    """Solve ``forward(u, v) == (x, y)`` by fixed-point iteration from ``(x0, y0)``.

    Both offsets are small and smooth, so subtracting the residual converges in a few steps.
    """
    u, v = x0, y0
    for _ in range(max_iter):
        fx, fy = forward(u, v)
        ex, ey = fx - x, fy - y
        u, v = u - ex, v - ey
        if np.all(np.abs(ex) < tol_deg) and np.all(np.abs(ey) < tol_deg):
            break
    return u, v


def gcj02_to_wgs84(lon, lat, *, tol_deg: float = 1e-9, max_iter: int = 30):
    """Return WGS84/CGCS2000 (lon, lat) for GCJ-02 (lon, lat), solved iteratively.

    The fixed-point iteration converges to ``tol_deg`` (1e-9 degree is about 0.1 mm).

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02(121.4737, 31.2304))
    >>> abs(float(lon) - 121.4737) < 1e-8 and abs(float(lat) - 31.2304) < 1e-8
    True
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    return _invert(wgs84_to_gcj02, glon, glat, glon.copy(), glat.copy(), tol_deg, max_iter)


def gcj02_to_bd09(lon, lat):
    """Return BD-09 (lon, lat) for GCJ-02 (lon, lat); unchanged outside China."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    outside = out_of_china(x, y)
    return np.where(outside, x, z * np.cos(theta) + 0.0065), np.where(outside, y, z * np.sin(theta) + 0.006)


def bd09_to_gcj02(lon, lat, *, tol_deg: float = 1e-9, max_iter: int = 30):
    """Return GCJ-02 (lon, lat) for BD-09 (lon, lat), solved iteratively; unchanged outside China."""
    blon = np.asarray(lon, dtype=float)
    blat = np.asarray(lat, dtype=float)
    outside = out_of_china(blon, blat)
    start = np.where(outside, blon, blon - 0.0065), np.where(outside, blat, blat - 0.006)
    return _invert(gcj02_to_bd09, blon, blat, *start, tol_deg, max_iter)


def bd09_to_wgs84(lon, lat):
    """Return WGS84/CGCS2000 (lon, lat) for BD-09 (lon, lat)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat):
    """Return BD-09 (lon, lat) for WGS84/CGCS2000 (lon, lat)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _identity(lon, lat):
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


_FUNCS = {
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("bd09", "wgs84"): bd09_to_wgs84,
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
}
_SYNONYMS = {"cgcs2000": "wgs84", "epsg:4490": "wgs84", "epsg:4326": "wgs84"}


def _frame(name: str) -> str:
    key = str(name).strip().lower().replace("-", "")
    key = _SYNONYMS.get(key, _SYNONYMS.get(str(name).strip().lower(), key))
    if key not in WEB_FRAMES:
        raise ValueError(f"unknown coordinate frame {name!r}; use one of {', '.join(WEB_FRAMES)} (or cgcs2000)")
    return key


def transform_geometry(geom, source: str, target: str = "wgs84"):
    """Convert whole geometries between WGS84/CGCS2000, GCJ-02 and BD-09 lon/lat, vertex by vertex.

    Parameters
    ----------
    geom : shapely geometry or array of geometries
        Missing geometries stay missing; rings, holes and parts keep their structure.
    source, target : {"wgs84", "gcj02", "bd09"}
        ``cgcs2000`` (or ``EPSG:4490``/``EPSG:4326``) is a synonym of ``wgs84``.  The default
        target converts web-map coordinates to CGCS2000.

    Examples
    --------
    >>> from shapely import Point
    >>> p = transform_geometry(Point(116.4, 39.9), "gcj02")
    >>> round(p.x, 3), round(p.y, 3)
    (116.394, 39.899)
    """
    src, dst = _frame(source), _frame(target)
    func = _identity if src == dst else _FUNCS[(src, dst)]

    def _apply(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, _apply)
