"""The maps' own interface strings (Chinese and English), until they join :mod:`redline.zones.labels`.

:func:`mt` picks a string as :func:`redline.zones.labels.t` does; :func:`verdict_name` labels any
verdict, including one :mod:`redline.zones.verdicts` lists before it has a display label.
"""

from __future__ import annotations

from typing import Any

from redline.zones.labels import LANGS, check_lang, verdict_text

__all__ = ["MAP_STRINGS", "mt", "verdict_name"]

#: key -> (Chinese, English).
MAP_STRINGS: dict[str, tuple[str, str]] = {
    "legend.hide": ("收起图例", "Hide the legend"),
    "legend.show": ("图例", "Legend"),
    "legend.base_notes": ("底图说明", "About the base maps"),
    "legend.unclassified": ("未分级", "no class"),
    "count.of": ("{shown} / {total}", "{shown} of {total}"),
    "count.merged": ("{n} 个图层合并", "{n} layers merged"),
    "note.near_sites": (
        "图层名后的数字为显示的区域数；「m / n」表示只显示选址 {radius} m 以内的 m 个（图层共 n 个）。",
        "Counts in the layer list are the zones shown; 'm of n': only the m zones within {radius} m of a site "
        "are shown (the layer has n).",
    ),
    "note.no_geometry": (
        "{kind}：{n} 个区域无几何图形，未绘制。",
        "{kind}: {n} zones have no geometry and are not drawn.",
    ),
    "note.sites_not_drawn": (
        "{n} 个选址无法定位（见 sites.csv 的错误说明），未绘制。",
        "{n} sites could not be placed (see the error in sites.csv) and are not drawn.",
    ),
    "note.no_coverage": (
        "超出图层覆盖范围：选址完全位于图层集的覆盖范围之外，无法判断，不等于未发现冲突。",
        "Outside the layers' coverage: the site lies wholly outside where the layer set speaks, so the "
        "tool cannot say; this is not the same as clear.",
    ),
    "verdict.no_coverage": ("超出图层覆盖范围", "outside the layers' coverage"),
    "zoning.labels_left_off": (
        "{n} 个区域名称因图面空间不足未标注。",
        "{n} zone names are left off for lack of room.",
    ),
}


def mt(key: str, lang: str = "zh", **fmt: Any) -> str:
    """Return the map string ``key`` in ``lang``, with its ``{placeholders}`` filled from ``fmt``.

    Examples
    --------
    >>> mt("count.merged", "en", n=2)
    '2 layers merged'
    """
    text = MAP_STRINGS[key][LANGS.index(check_lang(lang))]
    return text.format(**fmt) if fmt else text


def verdict_name(verdict: Any, lang: str = "zh") -> str:
    """Return the display label of a verdict (``error`` and any verdict of the contract included).

    Examples
    --------
    >>> verdict_name("prohibited"), verdict_name("no_coverage"), verdict_name("no_coverage", "en")
    ('禁止', '超出图层覆盖范围', "outside the layers' coverage")
    """
    text = verdict_text(verdict, lang)
    if text == str(verdict) and f"verdict.{verdict}" in MAP_STRINGS:
        return mt(f"verdict.{verdict}", lang)
    return text
