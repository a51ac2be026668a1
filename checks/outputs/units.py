"""Measures as a filed report writes them: areas in m², 公顷 and 亩, shares, lengths, coordinates, times.

A bureau reads land in 公顷 (hectares) and 亩 (1 亩 = 10,000/15 m² ≈ 666.67 m²); the screen
measures in square metres.  Every report and workbook formats through here, so a figure reads
the same everywhere.  A missing value (None, NaN) is an em dash.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from numbers import Real
from typing import Any

from redline.zones.labels import EM_DASH, check_lang

__all__ = [
    "BEIJING",
    "SQM_PER_HECTARE",
    "SQM_PER_MU",
    "area_parts",
    "beijing_time",
    "format_area",
    "format_date",
    "format_datetime",
    "format_degrees",
    "format_distance",
    "format_dms",
    "format_length",
    "format_share",
    "hectares",
    "missing",
    "mu",
]

#: Square metres in a 公顷 (hectare).
SQM_PER_HECTARE = 10_000.0
#: Square metres in a 亩 (市亩): 1 公顷 = 15 亩.
SQM_PER_MU = 10_000.0 / 15.0
#: Beijing time, UTC+08:00: the time every report gives.
BEIJING = timezone(timedelta(hours=8), "CST")


def missing(value: Any) -> bool:
    """Return True for None, NaN, an empty string or a value that is no number.

    Examples
    --------
    >>> missing(None), missing(float("nan")), missing(""), missing(0.0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Real):
        return math.isnan(float(value))
    return False


def hectares(m2: float) -> float:
    """Return square metres as 公顷.

    Examples
    --------
    >>> hectares(799514.2)
    79.95142
    """
    return float(m2) / SQM_PER_HECTARE


def mu(m2: float) -> float:
    """Return square metres as 亩.

    Examples
    --------
    >>> round(mu(666.6667), 3)
    1.0
    """
    return float(m2) / SQM_PER_MU


def _small(value: float, big: int, small: int, limit: float) -> str:
    return f"{value:,.{big if abs(value) >= limit or value == 0 else small}f}"


def area_parts(m2: Any) -> tuple[str, str, str]:
    """Return an area as three texts: m² (1 decimal), 公顷 and 亩 (2 decimals, 4 for small areas).

    Examples
    --------
    >>> area_parts(799514.2)
    ('799,514.2', '79.95', '1,199.27')
    >>> area_parts(4.7)
    ('4.7', '0.0005', '0.0071')
    >>> area_parts(None)
    ('—', '—', '—')
    """
    if missing(m2):
        return EM_DASH, EM_DASH, EM_DASH
    value = float(m2)
    return f"{value:,.1f}", _small(hectares(value), 2, 4, 0.1), _small(mu(value), 2, 4, 1.0)


def format_area(m2: Any, lang: str = "zh") -> str:
    """Return an area in m² with 公顷 and 亩 after it.

    Examples
    --------
    >>> format_area(799514.2)
    '799,514.2 m²（79.95 公顷，1,199.27 亩）'
    >>> format_area(799514.2, "en")
    '799,514.2 m² (79.95 ha, 1,199.27 mu)'
    """
    sqm, ha, mu_ = area_parts(m2)
    if sqm == EM_DASH:
        return EM_DASH
    if check_lang(lang) == "zh":
        return f"{sqm} m²（{ha} 公顷，{mu_} 亩）"
    return f"{sqm} m² ({ha} ha, {mu_} mu)"


def format_length(metres: Any, lang: str = "zh") -> str:
    """Return a length in metres, with kilometres after it from 1 km on.

    Examples
    --------
    >>> format_length(12345.67)
    '12,345.7 m（12.35 km）'
    >>> format_length(512.3, "en")
    '512.3 m'
    """
    if missing(metres):
        return EM_DASH
    value = float(metres)
    text = f"{value:,.1f} m"
    if value < 1000:
        return text
    km = f"{value / 1000:,.2f} km"
    return f"{text}（{km}）" if check_lang(lang) == "zh" else f"{text} ({km})"


def format_distance(metres: Any) -> str:
    """Return a distance in whole metres (one decimal under 10 m).

    Examples
    --------
    >>> format_distance(1523.4), format_distance(4.25), format_distance(None)
    ('1,523 m', '4.2 m', '—')
    """
    if missing(metres):
        return EM_DASH
    value = float(metres)
    return f"{value:,.1f} m" if value < 10 else f"{value:,.0f} m"


def format_share(ratio: Any) -> str:
    """Return a fraction as a percentage that never rounds a real overlap to nothing.

    One decimal from 0.1 % on, two below, ``<0.01%`` for less; ``>99.9%`` for an overlap
    just short of the whole.

    Examples
    --------
    >>> format_share(0.2961), format_share(0.00059), format_share(5.9e-6), format_share(1.0)
    ('29.6%', '0.06%', '<0.01%', '100%')
    >>> format_share(0.99996), format_share(0), format_share(None)
    ('>99.9%', '0%', '—')
    """
    if missing(ratio):
        return EM_DASH
    pct = float(ratio) * 100
    if pct <= 0:
        return "0%"
    if pct >= 100:
        return "100%"
    if pct >= 99.95:
        return ">99.9%"
    if pct >= 0.1:
        return f"{pct:.1f}%"
    if pct >= 0.01:
        return f"{pct:.2f}%"
    return "<0.01%"


def _dms(value: float) -> str:
    seconds = round(abs(value) * 3600, 2)
    d, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(d)}°{int(m):02d}′{s:05.2f}″"


def format_dms(lon: float, lat: float, lang: str = "zh") -> str:
    """Return a point as degrees, minutes and seconds.

    Examples
    --------
    >>> format_dms(109.502466, 22.505053)
    '东经 109°30′08.88″，北纬 22°30′18.19″'
    >>> format_dms(109.502466, -22.505053, "en")
    '109°30′08.88″E, 22°30′18.19″S'
    """
    if check_lang(lang) == "zh":
        ew = "东经" if lon >= 0 else "西经"
        ns = "北纬" if lat >= 0 else "南纬"
        return f"{ew} {_dms(lon)}，{ns} {_dms(lat)}"
    return f"{_dms(lon)}{'E' if lon >= 0 else 'W'}, {_dms(lat)}{'N' if lat >= 0 else 'S'}"


def format_degrees(lon: float, lat: float) -> str:
    """Return a point as decimal degrees (6 decimals, about 0.1 m).

    Examples
    --------
    >>> format_degrees(109.5024657, 22.5050536)
    '109.502466°E, 22.505054°N'
    """
    return f"{abs(lon):.6f}°{'E' if lon >= 0 else 'W'}, {abs(lat):.6f}°{'N' if lat >= 0 else 'S'}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def beijing_time(value: Any) -> datetime | None:
    """Return an ISO time (``2026-09-01T02:00:00+00:00``) in Beijing time; None when it is no time.

    A time without an offset is taken as UTC.

    Examples
    --------
    >>> beijing_time("2026-09-01T02:00:00+00:00").isoformat()
    '2026-09-01T10:00:00+08:00'
    >>> beijing_time("yesterday") is None
    True
    """
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING)


def format_datetime(value: Any, lang: str = "zh") -> str:
    """Return a time in Beijing time, saying so.

    Examples
    --------
    >>> format_datetime("2026-09-01T02:00:00+00:00")
    '2026-09-01 10:00:00（北京时间）'
    >>> format_datetime("2026-09-01T10:00:00+08:00", "en")
    '2026-09-01 10:00:00 (Beijing time, UTC+08:00)'
    >>> format_datetime(None)
    '—'
    """
    moment = beijing_time(value)
    if moment is None:
        return EM_DASH if missing(value) else str(value)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text}（北京时间）" if check_lang(lang) == "zh" else f"{text} (Beijing time, UTC+08:00)"


def format_date(value: Any, lang: str = "zh") -> str:
    """Return the date of a time in Beijing time: ``2026年9月1日`` or ``1 September 2026``.

    Examples
    --------
    >>> format_date("2026-08-31T20:00:00+00:00")
    '2026年9月1日'
    >>> format_date("2026-08-31T20:00:00+00:00", "en")
    '1 September 2026'
    """
    moment = beijing_time(value)
    if moment is None:
        return EM_DASH
    if check_lang(lang) == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"
