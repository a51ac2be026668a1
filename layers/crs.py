"""Coordinate reference systems: parse what users write, and propose a CRS when one is missing.

The vocabulary (every code checked against PROJ's EPSG database by ``tests/layers/test_crs.py``):

============================  ===========  ===================  ===================
name                          CGCS2000     Xian 1980            Beijing 1954
============================  ===========  ===================  ===================
geographic (lon/lat)          4490         4610                 4214
GK 3-degree, zone in easting  4513-4533    2349-2369            2401-2421
GK 3-degree, CM only          4534-4554    2370-2390            2422-2442
GK 6-degree, zone in easting  4491-4501    2327-2337            21413-21423
GK 6-degree, CM only          4502-4512    2338-2348            21453-21463
============================  ===========  ===================  ===================

Names: ``CGCS2000``, ``XIAN80``, ``BEIJING54`` (also ``XIAN1980``, ``BEIJING1954``, ``BJ54``,
``国家2000``, ``西安80``, ``北京54``), each optionally followed by ``-GK3-<zone>`` (zones 25-45),
``-GK3-CM<meridian>`` (75E-135E), ``-GK6-<zone>`` (zones 13-23) or ``-GK6-CM<meridian>``;
``WGS84`` is EPSG:4326; ``gcj02`` and ``bd09`` name the offset coordinates of Chinese web maps.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError as _ProjCRSError

from redline.zones.errors import CRSError, param_ref

__all__ = [
    "CRS_ALIASES",
    "WEB_CRS",
    "crs_label",
    "crs_name",
    "datum_caveat",
    "guess_crs",
    "parse_crs",
    "proposed_code",
]

#: Offset coordinate systems of Chinese web maps (not real CRSs; see redline.layers.webcoords).
WEB_CRS: tuple[str, ...] = ("gcj02", "bd09")


@dataclass(frozen=True)
class _Datum:
    name: str  # canonical alias prefix
    title: str  # as PROJ names it
    geographic: int
    gk3_zone25: int  # 3-degree, zone number in the easting, zone 25
    gk3_cm75: int  # 3-degree, central meridian only, CM 75E
    gk6_zone13: int  # 6-degree, zone number in the easting, zone 13
    gk6_cm75: int  # 6-degree, central meridian only, CM 75E


_DATUMS: tuple[_Datum, ...] = (
    _Datum("CGCS2000", "CGCS2000", 4490, 4513, 4534, 4491, 4502),
    _Datum("XIAN80", "Xian 1980", 4610, 2349, 2370, 2327, 2338),
    _Datum("BEIJING54", "Beijing 1954", 4214, 2401, 2422, 21413, 21453),
)
_CGCS2000 = _DATUMS[0]

#: Spellings users write for each datum (upper case, separators removed) -> canonical name.
_DATUM_SPELLINGS: dict[str, str] = {
    "CGCS2000": "CGCS2000",
    "CGCS": "CGCS2000",
    "国家2000": "CGCS2000",
    "2000国家大地坐标系": "CGCS2000",
    "XIAN80": "XIAN80",
    "XIAN1980": "XIAN80",
    "XA80": "XIAN80",
    "西安80": "XIAN80",
    "西安1980": "XIAN80",
    "BEIJING54": "BEIJING54",
    "BEIJING1954": "BEIJING54",
    "BJ54": "BEIJING54",
    "北京54": "BEIJING54",
    "北京1954": "BEIJING54",
}


def _build_aliases() -> dict[str, int]:
    out: dict[str, int] = {"WGS84": 4326}
    for d in _DATUMS:
        out[d.name] = d.geographic
        for zone in range(25, 46):
            out[f"{d.name}-GK3-{zone}"] = d.gk3_zone25 + zone - 25
        for cm in range(75, 136, 3):
            out[f"{d.name}-GK3-CM{cm}"] = d.gk3_cm75 + (cm - 75) // 3
        for zone in range(13, 24):
            out[f"{d.name}-GK6-{zone}"] = d.gk6_zone13 + zone - 13
        for cm in range(75, 136, 6):
            out[f"{d.name}-GK6-CM{cm}"] = d.gk6_cm75 + (cm - 75) // 6
    return out


#: Every canonical CRS name and its EPSG code (``CGCS2000-GK3-CM108`` -> 4545 ...).
CRS_ALIASES: dict[str, int] = _build_aliases()
_NAME_OF: dict[int, str] = {code: name for name, code in CRS_ALIASES.items()}

_ALIAS_RE = re.compile(r"^(?P<datum>.+?)(?:-(?P<width>GK[36])-(?P<zone>CM\d+|\d+))?$")


def _alias(text: str) -> int | None:
    """Map names like ``CGCS2000-GK3-36`` / ``xian80_gk3_cm108`` / ``WGS84`` to an EPSG code."""
    t = re.sub(r"[\s_]+", "-", text.strip().upper()).replace("WGS-84", "WGS84")
    m = _ALIAS_RE.match(t)
    if not m:
        return None
    datum = _DATUM_SPELLINGS.get(m.group("datum").replace("-", ""), m.group("datum"))
    key = datum if not m.group("width") else f"{datum}-{m.group('width')}-{m.group('zone')}"
    return CRS_ALIASES.get(key)


def parse_crs(value: str | int | CRS, *, param: str = "crs", what: str | None = None) -> CRS | str:
    """Parse a CRS as users write it.

    Parameters
    ----------
    value : str, int or pyproj.CRS
        ``EPSG:4545``, ``4545``, a name such as ``CGCS2000-GK3-36``, ``CGCS2000-GK3-CM108``,
        ``XIAN80-GK3-36``, ``BEIJING54-GK6-CM111``, ``CGCS2000`` or ``WGS84`` (see the module
        docstring for the whole vocabulary), a WKT or PROJ string, or ``gcj02`` / ``bd09``
        (returned as that lower-case string).
    param : str
        The parameter the value was given as (``crs``); the error names it and carries it.
    what : str, optional
        Where the value came from when that is not the parameter itself, for the error message
        (a manifest entry such as ``layers[2]: crs``; it may hold :func:`~redline.zones.errors.param_ref`
        marks).  By default the message names ``param``.

    Raises
    ------
    CRSError
        When the value names no CRS; the message shows the accepted forms, ``err.param`` is
        ``param`` and ``err.value`` the value.

    Examples
    --------
    >>> parse_crs("CGCS2000-GK3-CM108").to_epsg()
    4545
    >>> parse_crs("xian80-gk3-36").to_epsg()
    2360
    >>> parse_crs("gcj02")
    'gcj02'
    >>> try:
    ...     parse_crs("EPSG:99999")
    ... except CRSError as exc:
    ...     print(str(exc)[:54], exc.param, exc.value)
    crs: 'EPSG:99999' is not a coordinate reference system crs EPSG:99999
    """
    if isinstance(value, CRS):
        return value
    text = str(value).strip()
    if text.lower().replace("-", "") in WEB_CRS:
        return text.lower().replace("-", "")
    alias = _alias(text) if text else None
    if alias is not None:
        return CRS.from_epsg(alias)
    try:
        if text.isdigit():
            return CRS.from_epsg(int(text))
        return CRS.from_user_input(text)
    except _ProjCRSError:
        raise CRSError(
            f"{what or param_ref(param)}: {text!r} is not a coordinate reference system; use an EPSG code "
            "(EPSG:4490 CGCS2000, EPSG:4326 WGS84, EPSG:4545 CGCS2000 / 3-degree Gauss-Kruger CM 108E), a name "
            "such as CGCS2000-GK3-36 or CGCS2000-GK3-CM108 (also XIAN80-… and BEIJING54-…, GK6 for "
            "6-degree zones), or gcj02 / bd09 for coordinates copied from a web map",
            param=param,
            value=value,
            zh=f"{what or param_ref(param)}：{text!r} 不是坐标系；请用 EPSG 代码（EPSG:4490 CGCS2000、"
            "EPSG:4326 WGS84、EPSG:4545 CGCS2000 3度带高斯-克吕格 中央经线 108°E），或 CGCS2000-GK3-36、"
            "CGCS2000-GK3-CM108 这样的名称（也可用 XIAN80-… 和 BEIJING54-…，6度带用 GK6）；"
            "从网络地图复制的坐标用 gcj02 / bd09",
        ) from None


def crs_name(crs: CRS | str | int) -> str | None:
    """Return the short name of a CRS of the vocabulary (``CGCS2000-GK3-CM108``), or None.

    Examples
    --------
    >>> crs_name(4524)
    'CGCS2000-GK3-36'
    """
    if isinstance(crs, str) and crs in WEB_CRS:
        return crs
    code = crs if isinstance(crs, int) else CRS.from_user_input(crs).to_epsg()
    return _NAME_OF.get(code) if code else None


def crs_label(crs: CRS | str) -> str:
    """Return ``EPSG:4545``, ``gcj02`` or the CRS name when it has no EPSG code."""
    if isinstance(crs, str) and crs.lower() in WEB_CRS:
        return crs.lower()
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.name


_LEGACY = {4214: "Beijing 1954", 4610: "Xian 1980"}


def datum_caveat(crs: CRS | str) -> str | None:
    """Say how approximate the conversion of ``crs`` to CGCS2000 is, or None when it is exact.

    PROJ has no datum transformation from Beijing 1954 or Xian 1980 to CGCS2000 (the official
    parameters are local); it converts them with a "ballpark" step that ignores the datum shift,
    which leaves errors of tens of metres up to about 100 m.

    Examples
    --------
    >>> datum_caveat("EPSG:2381")[:22]
    'Xian 1980 to CGCS2000:'
    >>> datum_caveat("EPSG:4545") is None
    True
    """
    if isinstance(crs, str) and crs.lower() in WEB_CRS:
        return None
    crs = CRS.from_user_input(crs)
    geodetic = crs.geodetic_crs.to_epsg() if crs.geodetic_crs is not None else None
    if geodetic not in _LEGACY:
        return None
    return (
        f"{_LEGACY[geodetic]} to CGCS2000: PROJ knows no datum transformation, so the datum shift is "
        "ignored and positions may be off by tens of metres (up to about 100 m); for exact work convert the data "
        "to CGCS2000 with the local transformation parameters first"
    )


# --- proposals --------------------------------------------------------------------------------

#: Rough extent of China (lon 73-136E, lat 3-54N), for telling lon/lat apart from metres.
_LON_RANGE, _LAT_RANGE = (73.0, 136.0), (3.0, 54.0)
_NORTHING = (3.0e5, 6.1e6)  # Gauss-Kruger northings across China (lat 3-54N)
_EASTING = (1.0e5, 9.0e5)  # eastings without zone number (false easting 500 km)


def _is_easting(v: float) -> bool:
    return _EASTING[0] <= v <= _EASTING[1] or (1.3e7 <= v < 4.6e7 and _EASTING[0] <= v % 1e6 <= _EASTING[1])


@lru_cache(maxsize=32)
def _gk_transformer(cm: int) -> Transformer:
    crs = CRS.from_epsg(_CGCS2000.gk3_cm75 + (cm - 75) // 3)
    return Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)


def _gk_inverse(cm: int, x: float, y: float) -> tuple[float, float]:
    lon, lat = _gk_transformer(cm).transform(x, y)
    return float(lon), float(lat)


_GEOD = Geod(ellps="GRS80")


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(_GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def _nearest_cm(x: float, y: float, near: tuple[float, float], near_what: str) -> str:
    best = min(range(75, 136, 3), key=lambda cm: _km(*_gk_inverse(cm, x, y), *near))
    lon, lat = _gk_inverse(best, x, y)
    dist = _km(lon, lat, *near)
    epsg = _CGCS2000.gk3_cm75 + (best - 75) // 3
    text = (
        f"EPSG:{epsg} (CGCS2000 3-degree Gauss-Kruger, central meridian {best}E, no zone number in the easting: "
        f"the central meridian that puts them at {lon:.2f}E {lat:.2f}N, {dist:.0f} km from {near_what} "
        f"at {near[0]:.2f}E {near[1]:.2f}N"
    )
    if dist > 200:
        text += "; no central meridian puts them within 200 km, so check the data"
    text += ")"
    # a 6-degree zone shares the central meridian of every other 3-degree zone
    half_width_m = 1.5 * 111_320 * math.cos(math.radians(lat))
    if abs(x - 500_000) > 1.1 * half_width_m and (best - 3) % 6 == 0:
        six = _CGCS2000.gk6_cm75 + (best - 75) // 6
        text += (
            f"; the eastings reach beyond a 3-degree zone, so it is probably the 6-degree zone with this "
            f"central meridian, EPSG:{six}, the same projection"
        )
    return text


def guess_crs(
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    near: tuple[float, float] | None = None,
    near_what: str = "the other data",
) -> str | None:
    """Propose a CRS from coordinate values alone (never applied, only suggested).

    Parameters
    ----------
    xs, ys : array
        The x (first, easting or longitude) and y coordinates, e.g. bounds or vertices.
    near : (lon, lat), optional
        Where the data should be (the other layers of the set, or the sites): used to
        propose the central meridian of eastings that carry no zone number.
    near_what : str
        What ``near`` is, for the message ("the other layers").

    Returns
    -------
    str or None
        Starting with the EPSG code when one CRS fits, e.g. ``"EPSG:4524 (CGCS2000
        3-degree Gauss-Kruger zone 36, ...)"``; None when nothing fits.

    Examples
    --------
    >>> import numpy as np
    >>> guess_crs(np.array([36512345.0]), np.array([2468000.0]))[:10]
    'EPSG:4524 '
    >>> guess_crs(np.array([560000.0]), np.array([2430000.0]), near=(108.6, 22.0))[:10]
    'EPSG:4545 '
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return None
    x = float(np.median(xs[ok]))
    y = float(np.median(ys[ok]))
    if _LON_RANGE[0] <= x <= _LON_RANGE[1] and _LAT_RANGE[0] <= y <= _LAT_RANGE[1]:
        return (
            "EPSG:4490 (CGCS2000 longitude/latitude; EPSG:4326 WGS84 is the same within a metre; "
            "gcj02 or bd09 if they were copied from a web map such as Amap/Tencent or Baidu)"
        )
    if _LAT_RANGE[0] <= x <= _LAT_RANGE[1] and _LON_RANGE[0] <= y <= _LON_RANGE[1]:
        return "no CRS: x and y look swapped (latitude first, then longitude); write longitude first"
    twins = "; the Xian 1980 and Beijing 1954 twins have the same values, use XIAN80-… or BEIJING54-… for those"
    if 1e7 <= x < 1e8 and _NORTHING[0] <= y <= _NORTHING[1]:
        zone = int(x // 1e6)
        if 25 <= zone <= 45:
            return (
                f"EPSG:{_CGCS2000.gk3_zone25 + zone - 25} (CGCS2000 3-degree Gauss-Kruger zone {zone}, "
                f"central meridian {zone * 3}E, zone number in the easting: CGCS2000-GK3-{zone}{twins})"
            )
        if 13 <= zone <= 23:
            return (
                f"EPSG:{_CGCS2000.gk6_zone13 + zone - 13} (CGCS2000 6-degree Gauss-Kruger zone {zone}, "
                f"central meridian {zone * 6 - 3}E, zone number in the easting: CGCS2000-GK6-{zone}{twins})"
            )
    if 1e6 <= x <= _NORTHING[1] and _is_easting(y):
        return (
            "no CRS: x and y look swapped (x looks like a northing, y like an easting); in Chinese surveying "
            "X is the northing, so swap the columns or the axis order"
        )
    if _EASTING[0] <= x <= _EASTING[1] and _NORTHING[0] <= y <= _NORTHING[1]:
        if near is not None:
            return _nearest_cm(x, y, near, near_what)
        return (
            "a CGCS2000 Gauss-Kruger CRS without zone number (EPSG:4534-4554 for 3-degree zones, "
            "central meridians 75E-135E, e.g. CGCS2000-GK3-CM108 = EPSG:4545; the central meridian cannot be "
            "read from the values)"
        )
    if -180 <= x <= 180 and -90 <= y <= 90:
        return "EPSG:4326 or EPSG:4490 (longitude/latitude, but outside China)"
    return None


def proposed_code(hint: str | None) -> str | None:
    """Return the ``EPSG:nnnn`` a :func:`guess_crs` hint starts with, or None."""
    m = re.match(r"EPSG:\d+ ", hint or "")
    return m.group(0).strip() if m else None
