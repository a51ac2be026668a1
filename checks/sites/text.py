"""One site given as text: a coordinate pair (decimal or DMS) or WKT, placed in EPSG:4490."""

from __future__ import annotations

import re
import warnings

import numpy as np
import shapely
from pyproj import CRS

from redline.checks.sites import messages
from redline.checks.sites.coords import CoordinatePair, parse_pair
from redline.checks.sites.geometry import geometry_problem, in_china, is_geographic, not_lonlat, read_wkt, to_target
from redline.layers.crs import crs_label, parse_crs
from redline.layers.layerset import TARGET_CRS
from redline.layers.reader import repair_geometries
from redline.zones.errors import param_ref

__all__ = ["parse_site_text"]

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LONLAT_RE = re.compile(rf"^\s*({_NUM})\s*[,，\s]\s*({_NUM})\s*$")


def _reading_in_china(a: float, b: float, src, area) -> bool:
    """Return True when the point (a, b) in ``src`` falls in China (and in the CRS's area of use)."""
    try:
        lonlat = shapely.get_coordinates(to_target(np.array([shapely.Point(a, b)], dtype=object), src)[0])[0]
    except Exception:  # a reading PROJ cannot place is simply not in China
        return False
    lon, lat = float(lonlat[0]), float(lonlat[1])
    inside = bool(np.isfinite(lonlat).all()) and in_china(lon, lat)
    if inside and area is not None:
        inside = area.west - 1.5 <= lon <= area.east + 1.5 and area.south - 1.5 <= lat <= area.north + 1.5
    return inside


def _read_point(pair: CoordinatePair, text: str, src, crs, near) -> shapely.Point:
    """Place a coordinate pair: hemispheres decide the order; otherwise the reading that falls in China."""
    given = bool(crs)
    if pair.angular and not is_geographic(src):
        raise messages.degrees_with_projected_crs(text, crs_label(src), crs)
    if pair.lonlat is not None:
        lon, lat = (pair.first, pair.second) if pair.lonlat else (pair.second, pair.first)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise messages.text_out_of_range(text, lon, lat)
        return shapely.Point(lon, lat)
    x, y = pair.first, pair.second
    lonlat_x = -180 <= x <= 180 and -90 <= y <= 90
    if not given and not lonlat_x and not (-180 <= y <= 180 and -90 <= x <= 90):  # neither x,y nor y,x
        what = f"{x}, {y} are not longitude/latitude"
        raise messages.text_not_lonlat(text, what, np.array([x]), np.array([y]), near, cut=None)
    area = None if is_geographic(src) else src.area_of_use  # a projected reading must fall in its zone too
    if _reading_in_china(x, y, src, area):
        return shapely.Point(x, y)
    if _reading_in_china(y, x, src, area):
        first, second = ("latitude", "longitude") if is_geographic(src) else ("northing (X)", "easting (Y)")
        warnings.warn(
            f"site {text!r} read as {first},{second}: only that reading falls in China; the site is at {y},{x}",
            UserWarning,
            stacklevel=4,
        )
        return shapely.Point(y, x)
    crs_text = crs_label(src) if given else "EPSG:4490 longitude/latitude"
    raise messages.ambiguous_pair(text, x, y, crs_text, given)


def _text_geometry(text: str, src, crs, on_invalid: str, near) -> tuple[shapely.Geometry, str]:
    """Return the geometry the text writes (in ``src``) and the repair it needs ("ring not closed" or "")."""
    m = _LONLAT_RE.match(text)
    pair = CoordinatePair(float(m.group(1)), float(m.group(2)), None, False) if m else parse_pair(text)
    if pair is not None:
        return _read_point(pair, text, src, crs, near), ""
    geom, closed, error = read_wkt(text.strip())
    if error is not None:
        raise messages.not_a_site(text, error) from None
    if closed and on_invalid != "fix":
        raise messages.text_ring_not_closed(text)
    if not crs and geom is not None and not geom.is_empty:
        b = shapely.bounds(geom)
        if np.isfinite(b).all() and not_lonlat(b)[0]:
            xy = shapely.get_coordinates(geom)
            raise messages.text_not_lonlat(text, "the coordinates are not longitude/latitude", xy[:, 0], xy[:, 1], near)
    return geom, "ring not closed" if closed else ""


def parse_site_text(
    text: str,
    *,
    crs=None,
    on_invalid: str = "raise",
    near: tuple[float, float] | None = None,
) -> tuple[shapely.Geometry, str]:
    r"""Parse one site given as coordinate text or WKT into EPSG:4490.

    Parameters
    ----------
    text : str
        ``"109.30,22.28"``, ``"22.28,109.30"`` (read as lat,lon with a warning, since only
        that reading falls in China), ``108°39'12.5"E 22°10'03"N``, ``108度39分12.5秒,22度10分3秒``,
        or WKT such as ``"POLYGON ((...))"``.
    crs : str, optional
        The coordinates' CRS (``EPSG:4545``, ``CGCS2000-GK3-36``, ``gcj02`` ...); default
        EPSG:4490.  With a projected CRS, ``"X,Y"`` written northing first is detected the same way.
    on_invalid : {"raise", "warn", "fix"}
        For an invalid polygon (self-intersection, unclosed ring): ``fix`` repairs it with
        ``make_valid`` and warns; ``raise`` and ``warn`` refuse it.
    near : (lon, lat), optional
        Where the layers are, to propose a central meridian when a CRS is missing.

    Returns
    -------
    (geometry, crs_label)

    Raises
    ------
    SiteError
        For text that is none of these, a pair outside China either way round, or bad geometry
        (``err.param`` is ``text``, or ``crs`` for degrees given with a projected CRS).
    CRSError
        For a ``crs`` that names no CRS.

    Examples
    --------
    >>> g, crs = parse_site_text("109.3, 22.28")
    >>> g.wkt, crs
    ('POINT (109.3 22.28)', 'EPSG:4490')
    >>> g, _ = parse_site_text("108°39'12.5\"E 22°10'03\"N")
    >>> round(g.x, 6), round(g.y, 6)
    (108.653472, 22.1675)
    """
    messages.check_policy(on_invalid)
    src = parse_crs(crs) if crs else CRS.from_user_input(TARGET_CRS)
    label = crs_label(src)
    geom, note = _text_geometry(text, src, crs, on_invalid, near)
    problem = geometry_problem(geom)
    if problem is None and (note or not geom.is_valid):
        reason = note or shapely.is_valid_reason(geom)
        if on_invalid != "fix":
            raise messages.text_invalid(text, reason)
        fixed, failures = repair_geometries(np.array([geom], dtype=object))
        if failures[0]:
            raise messages.text_unrepairable(text, reason)
        geom = fixed[0]
        warnings.warn(f"site {text[:80]!r}: repaired with make_valid ({reason})", UserWarning, stacklevel=2)
    elif problem:
        raise messages.text_unusable(text, problem)
    messages.warn_datum(src, param_ref("crs"))
    return to_target(np.array([geom], dtype=object), src)[0], label
