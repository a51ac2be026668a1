"""Coordinate text as people write it: decimal degrees, degrees-minutes-seconds, hemispheres.

Accepted for one coordinate (longitude or latitude):

- decimal degrees: ``108.6535``, ``108.6535°``, ``-74.0``;
- degrees and decimal minutes: ``108°39.208'``;
- degrees, minutes and seconds: ``108°39'12.5"``, ``108°39′12.5″``, ``108度39分12.5秒``;
- with a hemisphere before or after: ``E``/``W``/``N``/``S``, ``东经``/``西经``/``北纬``/``南纬``,
  or ``东``/``西``/``南``/``北`` after the number (``W`` and ``S`` make it negative).

A pair is two of them separated by a comma (``,`` or ``，``), semicolon, slash or spaces.  With
hemispheres the pair may come in either order (``22°10'03"N 108°39'12.5"E``); without,
it is read as written and :mod:`redline.checks.sites.reader` decides whether it is ``lon,lat`` or ``lat,lon``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.zones.errors import SiteError

__all__ = ["CoordinatePair", "parse_angle", "parse_pair"]

_NUMBER = r"\d+(?:\.\d*)?|\.\d+"
_PREFIX = r"东经|西经|北纬|南纬|[NSEWnsew]"
_SUFFIX = r"东经|西经|北纬|南纬|[东西南北]|[NSEWnsew]"
_DEG = r"[°º˚]|度"
_MIN = r"['′’‘]|分"
_SEC = r"\"|″|”|“|''|′′|’’|秒"

_BODY = rf"""
    (?P<sign>[-+−])?
    (?P<deg>{_NUMBER})\s*(?P<dmark>{_DEG})?\s*
    (?:(?P<min>{_NUMBER})\s*(?:{_MIN})\s*)?
    (?:(?P<sec>{_NUMBER})\s*(?:{_SEC}))?
"""
#: Hemisphere words before the numbers (``N22°10'03" E108°39'``) ...
_PREFIXED = re.compile(rf"(?P<pre>{_PREFIX})\s*{_BODY}(?P<post>(?!))?", re.VERBOSE)
#: ... or after them (``108°39'12.5"E 22°10'03"N``, ``108.65 22.17``); one style per text.
_SUFFIXED = re.compile(rf"(?P<pre>(?!))?{_BODY}(?:\s*(?P<post>{_SUFFIX}))?", re.VERBOSE)
_STARTS_WITH_WORD = re.compile(rf"^\s*(?:{_PREFIX})")
_SEPARATOR = re.compile(r"^[\s,，;；/]*$")

_LON_WORDS = {"E": 1, "W": -1, "东经": 1, "西经": -1, "东": 1, "西": -1}
_LAT_WORDS = {"N": 1, "S": -1, "北纬": 1, "南纬": -1, "北": 1, "南": -1}


@dataclass(frozen=True)
class CoordinatePair:
    """Two numbers read from text.

    Attributes
    ----------
    first, second : float
        In the order written (degrees for angles; any unit for plain numbers).
    lonlat : bool or None
        True when hemisphere words say ``first`` is the longitude, False when they say it is
        the latitude, None when nothing says which is which.
    angular : bool
        True when degree/minute/second marks or hemispheres were used (so: degrees).
    """

    first: float
    second: float
    lonlat: bool | None
    angular: bool


def _value(m: re.Match, text: str) -> tuple[float, str | None, bool]:
    """Return (degrees, axis 'lon'/'lat'/None, angular) for one matched coordinate."""
    deg_text, minutes, seconds = m.group("deg"), m.group("min"), m.group("sec")
    angular = bool(m.group("dmark") or minutes or seconds or m.group("pre") or m.group("post"))
    if minutes and not m.group("dmark"):
        raise SiteError(
            f"{text!r}: minutes need a degree mark before them, e.g. 108°39'12.5\"",
            param="text",
            value=text,
            zh=f"{text!r}：分之前须有度的符号，如 108°39'12.5\"",
        )
    value = float(deg_text)
    if minutes is not None:
        if "." in deg_text:
            raise SiteError(
                f"{text!r}: degrees with minutes must be whole ({deg_text}°)",
                param="text",
                value=text,
                zh=f"{text!r}：带分的度须为整数（{deg_text}°）",
            )
        mins = float(minutes)
        if mins >= 60:
            raise SiteError(
                f"{text!r}: {minutes} minutes is not below 60",
                param="text",
                value=text,
                zh=f"{text!r}：{minutes} 分不小于 60",
            )
        value += mins / 60.0
        if seconds is not None:
            if "." in minutes:
                raise SiteError(
                    f"{text!r}: minutes with seconds must be whole ({minutes}')",
                    param="text",
                    value=text,
                    zh=f"{text!r}：带秒的分须为整数（{minutes}'）",
                )
            secs = float(seconds)
            if secs >= 60:
                raise SiteError(
                    f"{text!r}: {seconds} seconds is not below 60",
                    param="text",
                    value=text,
                    zh=f"{text!r}：{seconds} 秒不小于 60",
                )
            value += secs / 3600.0
    if m.group("sign") in ("-", "−"):
        value = -value
    axis = None
    word = m.group("pre") or m.group("post")  # one style per text: never both
    if word:
        key = word.upper() if word.isascii() else word
        axis = "lon" if key in _LON_WORDS else "lat"
        value = abs(value) * (_LON_WORDS.get(key) or _LAT_WORDS[key])
    return value, axis, angular


def _angles(text: str) -> list[re.Match] | None:
    """Split ``text`` into coordinate matches with only separators between them, or None."""
    matches, pos = [], 0
    pattern = _PREFIXED if _STARTS_WITH_WORD.match(text) else _SUFFIXED
    for m in pattern.finditer(text):
        if not m.group("deg"):
            continue
        if not _SEPARATOR.match(text[pos : m.start()]):
            return None
        matches.append(m)
        pos = m.end()
    if not _SEPARATOR.match(text[pos:]):
        return None
    return matches


def parse_angle(text: str) -> float | None:
    r"""Read one coordinate (decimal or DMS, optional hemisphere) as degrees; None if it is not one.

    Raises
    ------
    SiteError
        For malformed DMS such as 75 minutes.

    Examples
    --------
    >>> round(parse_angle("108°39'12.5\"E"), 8)
    108.65347222
    >>> parse_angle("22度10分3秒")
    22.1675
    >>> parse_angle("S 33.9")
    -33.9
    """
    matches = _angles(str(text).strip())
    if not matches or len(matches) != 1:
        return None
    return _value(matches[0], text)[0]


def parse_pair(text: str) -> CoordinatePair | None:
    r"""Read two coordinates from text; None when the text is not a pair of coordinates.

    Raises
    ------
    SiteError
        For malformed DMS, or hemispheres that contradict each other (two latitudes).

    Examples
    --------
    >>> p = parse_pair("22°10'03\"N, 108°39'12.5\"E")
    >>> round(p.first, 6), round(p.second, 6), p.lonlat
    (22.1675, 108.653472, False)
    >>> parse_pair("109.30,22.28")
    CoordinatePair(first=109.3, second=22.28, lonlat=None, angular=False)
    """
    text = str(text).strip()
    matches = _angles(text)
    if not matches or len(matches) != 2:
        return None
    (a, axis_a, ang_a), (b, axis_b, ang_b) = (_value(m, text) for m in matches)
    if axis_a and axis_b and axis_a == axis_b:
        word = "longitudes (east/west)" if axis_a == "lon" else "latitudes (north/south)"
        raise SiteError(
            f"{text!r}: both coordinates are marked as {word}; mark one E/东经 and the other N/北纬",
            param="text",
            value=text,
            zh=f"{text!r}：两个坐标都标为{'经度（东/西）' if axis_a == 'lon' else '纬度（南/北）'}；"
            "请一个标 E/东经，另一个标 N/北纬",
        )
    axis = axis_a or ({"lon": "lat", "lat": "lon"}[axis_b] if axis_b else None)
    lonlat = None if axis is None else axis == "lon"
    return CoordinatePair(a, b, lonlat, ang_a or ang_b)
