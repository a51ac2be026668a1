"""Text tables for the terminal, and the measures they show.

A Chinese character takes two columns of a terminal (:func:`text_width` reads
:func:`unicodedata.east_asian_width`), so columns are padded by width, not by the number of
characters.  Areas are shown in m² with 公顷 and 亩 beside them (:func:`area_text`), geometry
types as 点/线/面 (:func:`geometry_label`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["area_text", "format_table", "geometry_label", "length_text", "pad", "text_width", "wrap"]

_M2_PER_HA = 10_000.0
_M2_PER_MU = 10_000.0 / 15.0

_GEOMETRY_LABELS: dict[str, tuple[str, str]] = {
    "Point": ("点", "point"),
    "MultiPoint": ("多点", "multipoint"),
    "LineString": ("线", "line"),
    "MultiLineString": ("多线", "multiline"),
    "Polygon": ("面", "polygon"),
    "MultiPolygon": ("多面", "multipolygon"),
    "GeometryCollection": ("几何集合", "collection"),
}


def text_width(text: str) -> int:
    """Return how many terminal columns ``text`` takes (wide and full-width characters two, marks none).

    Examples
    --------
    >>> text_width("S01"), text_width("禁止"), text_width("m²"), text_width("（）")
    (3, 4, 2, 4)
    """
    width = 0
    for ch in str(text):
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


#: Characters that never begin a line (they close what came before).
_NO_LINE_START = set("，。；：、）」』》！？,.;:!?)]%")
_TOKENS = re.compile(r"\s+|[^\s\u1100-\uffff]+|.")


def wrap(text: str, width: int) -> list[str]:
    """Wrap ``text`` into lines of at most ``width`` terminal columns, breaking at spaces or between Chinese characters.

    A closing punctuation mark stays at the end of its line rather than begin the next one.

    Examples
    --------
    >>> wrap("报告此距离（米）以内的相邻区域（默认 1000）", 16)
    ['报告此距离（米）', '以内的相邻区域（', '默认 1000）']
    >>> wrap("report zones within this distance", 12)
    ['report zones', 'within this', 'distance']
    """
    lines: list[str] = []
    line, used = "", 0
    for token in _TOKENS.findall(" ".join(str(text).split())):
        size = text_width(token)
        if used + size > width and line and not (token[0] in _NO_LINE_START and len(token) == 1):
            lines.append(line.rstrip())
            line, used = "", 0
            if token.isspace():
                continue
        if not line and token.isspace():
            continue
        line += token
        used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def pad(text: str, width: int, align: str = "<") -> str:
    """Pad ``text`` with spaces to ``width`` terminal columns, left (``<``) or right (``>``) aligned.

    Examples
    --------
    >>> pad("禁止", 6) + "|", pad("7", 3, ">") + "|"
    ('禁止  |', '  7|')
    """
    fill = " " * max(0, width - text_width(text))
    return fill + str(text) if align == ">" else str(text) + fill


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], aligns: str = "", indent: str = "  ") -> str:
    """Return a table: the header, a rule under it, and the rows, columns padded to their widest cell.

    ``aligns`` holds ``<`` or ``>`` per column (default: left); the last column is not padded.

    Examples
    --------
    >>> print(format_table(["编号", "结论", "发现"], [["S01", "禁止", 7], ["S02", "未发现冲突", 0]], "<<>"))
      编号  结论        发现
      ────  ──────────  ────
      S01   禁止           7
      S02   未发现冲突     0
    """
    cells = [[str(c) for c in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(text_width(row[i]) for row in cells) for i in range(len(headers))]
    aligns = aligns[: len(headers)].ljust(len(headers), "<")
    lines = []
    for n, row in enumerate(cells):
        parts = [pad(cell, widths[i], aligns[i]) for i, cell in enumerate(row)]
        if aligns[-1] == "<":
            parts[-1] = row[-1]
        lines.append(indent + "  ".join(parts).rstrip())
        if n == 0:
            lines.append((indent + "  ".join("─" * w for w in widths)).rstrip())
    return "\n".join(lines)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def area_text(m2: Any, lang: str = "zh") -> str:
    """Return an area in m² with 公顷 and 亩 (ha and mu) beside it; empty for no area.

    Examples
    --------
    >>> area_text(12000.0)
    '12,000.0 m²（1.20 公顷，18.00 亩）'
    >>> area_text(12000.0, "en"), area_text(float("nan"))
    ('12,000.0 m² (1.20 ha, 18.00 mu)', '')
    """
    value = _number(m2)
    if value is None:
        return ""
    ha, mu = value / _M2_PER_HA, value / _M2_PER_MU
    if lang == "zh":
        return f"{value:,.1f} m²（{ha:,.2f} 公顷，{mu:,.2f} 亩）"
    return f"{value:,.1f} m² ({ha:,.2f} ha, {mu:,.2f} mu)"


def length_text(metres: Any, lang: str = "zh") -> str:
    """Return a length or distance in metres (米 in Chinese); empty for none.

    Examples
    --------
    >>> length_text(62.34), length_text(1500, "en"), length_text(None)
    ('62.3 米', '1,500.0 m', '')
    """
    value = _number(metres)
    if value is None:
        return ""
    return f"{value:,.1f} 米" if lang == "zh" else f"{value:,.1f} m"


def geometry_label(geom_type: Any, lang: str = "zh") -> str:
    """Return a geometry type in words: 点, 线, 面 (point, line, polygon) ...; the name itself when unknown.

    Examples
    --------
    >>> geometry_label("Polygon"), geometry_label("MultiLineString", "en"), geometry_label("")
    ('面', 'multiline', '')
    """
    pair = _GEOMETRY_LABELS.get(str(geom_type or ""))
    if pair is None:
        return "" if not geom_type or geom_type != geom_type else str(geom_type)
    return pair[0] if lang == "zh" else pair[1]
