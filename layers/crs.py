"""Coordinate reference systems: parse what users write, and propose a CRS when one is missing."""

from __future__ import annotations

import math

import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError as _ProjCRSError

from zones.errors import CRSError

__all__ = ["WEB_CRS", "guess_crs", "parse_crs"]

#: Offset coordinate systems of Chinese web maps (not real CRSs; see layers.webcoords).
WEB_CRS: tuple[str, ...] = ("gcj02", "bd09")

# CGCS2000 / Gauss-Kruger: 3-degree zones CM 75..135 E without zone prefix are
# EPSG:4534..4554; with the zone number in the easting EPSG:4513..4533 (zones 25..45).
# 6-degree zones 13..23: with prefix EPSG:4491..4501, without EPSG:4502..4512.
_GK3_NOPREFIX_FIRST, _GK3_PREFIX_FIRST = 4534, 4513
_GK6_PREFIX_FIRST, _GK6_NOPREFIX_FIRST = 4491, 4502


def _gk_alias(text: str) -> int | None:
    """Map names like ``CGCS2000-GK3-36`` / ``CGCS2000-GK3-CM108`` to an EPSG code."""
    t = text.upper().replace("_", "-").replace(" ", "")
    for prefix, width in (("CGCS2000-GK3-", 3), ("CGCS2000-GK6-", 6)):
        if not t.startswith(prefix):
            continue
        rest = t[len(prefix) :]
        if rest.startswith("CM") and rest[2:].isdigit():
            cm = int(rest[2:])
            if width == 3 and cm % 3 == 0 and 75 <= cm <= 135:
                return _GK3_NOPREFIX_FIRST + (cm - 75) // 3
            if width == 6 and (cm - 3) % 6 == 0 and 75 <= cm <= 135:
                return _GK6_NOPREFIX_FIRST + (cm - 75) // 6
        elif rest.isdigit():
            zone = int(rest)
            if width == 3 and 25 <= zone <= 45:
                return _GK3_PREFIX_FIRST + zone - 25
            if width == 6 and 13 <= zone <= 23:
                return _GK6_PREFIX_FIRST + zone - 13
    return None


def parse_crs(value: str | int | CRS, *, what: str = "--crs") -> CRS | str:
    """Parse a CRS as users write it.

    Parameters
    ----------
    value : str, int or pyproj.CRS
        ``EPSG:4545``, ``4545``, ``CGCS2000-GK3-36``, ``CGCS2000-GK3-CM108``, a WKT or
        PROJ string, or ``gcj02`` / ``bd09`` (returned as that lower-case string).
    what : str
        Where the value came from, for the error message.

    Raises
    ------
    CRSError
        When the value names no CRS; the message shows the accepted forms.

    Examples
    --------
    >>> parse_crs("CGCS2000-GK3-CM108").to_epsg()
    4545
    >>> parse_crs("gcj02")
    'gcj02'
    """
    if isinstance(value, CRS):
        return value
    text = str(value).strip()
    if text.lower() in WEB_CRS:
        return text.lower()
    alias = _gk_alias(text)
    if alias is not None:
        return CRS.from_epsg(alias)
    try:
        if text.isdigit():
            return CRS.from_epsg(int(text))
        return CRS.from_user_input(text)
    except _ProjCRSError:
        raise CRSError(
            f"{what}: {text!r} is not a coordinate reference system; use an EPSG code "
            "(EPSG:4490 CGCS2000, EPSG:4545 CGCS2000 / 3-degree Gauss-Kruger CM 108E), a name "
            "such as CGCS2000-GK3-36 or CGCS2000-GK3-CM108, or gcj02 / bd09"
        ) from None


def guess_crs(xs: np.ndarray, ys: np.ndarray) -> str | None:
    """Propose a CRS from coordinate values alone (never applied, only suggested).

    Returns
    -------
    str or None
        e.g. ``"EPSG:4490 (longitude/latitude)"`` or ``"EPSG:4524 (CGCS2000 3-degree
        Gauss-Kruger zone 36, zone number in the easting)"``; None when nothing fits.

    Examples
    --------
    >>> import numpy as np
    >>> guess_crs(np.array([36512345.0]), np.array([2468000.0]))[:10]
    'EPSG:4524 '
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    if xs.size == 0 or not np.isfinite(xs).any():
        return None
    x = float(np.nanmedian(xs))
    y = float(np.nanmedian(ys))
    if 73 <= x <= 136 and 3 <= y <= 54:
        return "EPSG:4490 (CGCS2000 longitude/latitude)"
    if 1e7 <= x < 1e8 and 3e5 <= y <= 6.1e6:
        zone = int(x // 1e6)
        if 25 <= zone <= 45:
            return (
                f"EPSG:{_GK3_PREFIX_FIRST + zone - 25} (CGCS2000 3-degree Gauss-Kruger zone {zone}, "
                f"central meridian {zone * 3}E, zone number in the easting)"
            )
        if 13 <= zone <= 23:
            return (
                f"EPSG:{_GK6_PREFIX_FIRST + zone - 13} (CGCS2000 6-degree Gauss-Kruger zone {zone}, "
                f"central meridian {zone * 6 - 3}E, zone number in the easting)"
            )
    if 1e5 <= x <= 9e5 and 3e5 <= y <= 6.1e6:
        return (
            "a CGCS2000 Gauss-Kruger CRS without zone number (EPSG:4534-4554 for 3-degree zones, "
            "central meridians 75E-135E; the central meridian cannot be read from the values)"
        )
    if math.isfinite(x) and -180 <= x <= 180 and -90 <= y <= 90:
        return "EPSG:4326 or EPSG:4490 (longitude/latitude, but outside China)"
    return None
