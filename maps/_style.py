"""Colours and Leaflet path styles: zones per kind and class, sites per verdict.

The same values drive the map layers and the legend, so the two never
disagree.  Styles are plain dicts of Leaflet path options.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redline.zones import verdicts as _verdicts

#: Site verdict colours (the HTML report uses the same ones).  ``no_coverage`` (the site lies
#: outside the layers' coverage) is a grey-blue: neither a conflict nor clear.
VERDICT_COLORS: dict[str, str] = {
    "prohibited": "#c0392b",
    "restricted": "#e67e22",
    "review": "#f1c40f",
    "no_coverage": "#7f8fa6",
    "clear": "#27ae60",
    "error": "#95a5a6",
}

#: Colours for a verdict the contract gains before it has one above (in the order they come).
_SPARE_COLORS: tuple[str, ...] = ("#2e86c1", "#af7ac5", "#a04000", "#16a085")

#: Overlap (site ∩ zone) geometry.
OVERLAP_STYLE: dict[str, Any] = {
    "color": "#8e44ad",
    "weight": 2,
    "fillColor": "#8e44ad",
    "fillOpacity": 0.55,
}

#: id of the SVG pattern that gives red-line zones a hatched fill.
HATCH_ID = "redline-hatch"

#: Hidden SVG holding the hatch pattern; Leaflet's SVG renderer accepts
#: ``fillColor: "url(#redline-hatch)"``.
HATCH_SVG = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
    f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="8" height="8" '
    'patternTransform="rotate(45)">'
    '<rect width="8" height="8" fill="#e74c3c" fill-opacity="0.18"></rect>'
    '<line x1="0" y1="0" x2="0" y2="8" stroke="#c0392b" stroke-width="2.5"></line>'
    "</pattern></defs></svg>"
)

#: CSS background imitating the hatch, for the legend swatch.
HATCH_CSS = "repeating-linear-gradient(45deg, #c0392b 0 2px, rgba(231,76,60,0.18) 2px 7px)"

_DEFAULT: dict[str, Any] = {
    "color": "#566573",
    "weight": 1.5,
    "fillColor": "#aab7b8",
    "fillOpacity": 0.25,
}

_REDLINE = {"color": "#c0392b", "fillColor": f"url(#{HATCH_ID})", "fillOpacity": 1.0}

#: kind -> zone class ("" for a kind without classes) -> style.
ZONE_STYLES: dict[str, dict[str, dict[str, Any]]] = {
    "ecological_redline": {
        "": {**_REDLINE, "weight": 2},
        "core": {**_REDLINE, "weight": 3},
        "other": {**_REDLINE, "weight": 2},
    },
    "water_source": {
        "first": {"color": "#08306b", "weight": 2, "fillColor": "#08519c", "fillOpacity": 0.55},
        "second": {"color": "#2171b5", "weight": 1.5, "fillColor": "#4292c6", "fillOpacity": 0.4},
        "quasi": {"color": "#6baed6", "weight": 1.5, "fillColor": "#9ecae1", "fillOpacity": 0.3},
        "": {"color": "#2171b5", "weight": 1.5, "fillColor": "#9ecae1", "fillOpacity": 0.3},
    },
    "control_unit": {
        "priority": {"color": "#1e8449", "weight": 2, "fillColor": "#27ae60", "fillOpacity": 0.08},
        "key": {"color": "#d35400", "weight": 2, "fillColor": "#e67e22", "fillOpacity": 0.08},
        "general": {"color": "#7f8c8d", "weight": 1.5, "fillColor": "#95a5a6", "fillOpacity": 0.08},
        "": {"color": "#7f8c8d", "weight": 1.5, "fillColor": "#95a5a6", "fillOpacity": 0.08},
    },
    "basic_farmland": {
        "": {"color": "#b7950b", "weight": 1, "fillColor": "#f4d03f", "fillOpacity": 0.45},
    },
    "nature_reserve": {
        "core": {"color": "#145a32", "weight": 2.5, "fillColor": "#1e8449", "fillOpacity": 0.35},
        "general": {"color": "#1e8449", "weight": 2, "fillColor": "#52be80", "fillOpacity": 0.2},
        "": {"color": "#1e8449", "weight": 2, "fillColor": "#52be80", "fillOpacity": 0.2},
    },
    "livestock_ban": {
        "": {"color": "#6e2c00", "weight": 1.5, "fillColor": "#a04000", "fillOpacity": 0.12, "dashArray": "6 3"},
    },
    "industrial_park": {
        "": {"color": "#5b2c6f", "weight": 2, "fillColor": "#a569bd", "fillOpacity": 0.1},
    },
    "basin": {
        "": {"color": "#5dade2", "weight": 1, "fillColor": "#d6eaf8", "fillOpacity": 0.15},
    },
    "ecological_function": {
        "water_conservation": {"color": "#138d75", "weight": 1, "fillColor": "#a3e4d7", "fillOpacity": 0.15},
        "soil_conservation": {"color": "#7d6608", "weight": 1, "fillColor": "#f9e79f", "fillOpacity": 0.15},
        "biodiversity": {"color": "#196f3d", "weight": 1, "fillColor": "#abebc6", "fillOpacity": 0.15},
        "": {"color": "#138d75", "weight": 1, "fillColor": "#a3e4d7", "fillOpacity": 0.15},
    },
}

#: Kinds drawn bottom to top: broad context areas first, the strict small zones last (on top,
#: clickable).  Kinds not listed are drawn first.
DRAW_ORDER: tuple[str, ...] = (
    "basin",
    "ecological_function",
    "control_unit",
    "industrial_park",
    "livestock_ban",
    "basic_farmland",
    "nature_reserve",
    "water_source",
    "ecological_redline",
)


def kind_order(kinds: Iterable[str]) -> list[str]:
    """Return ``kinds`` in drawing order (bottom first), see :data:`DRAW_ORDER`.

    Examples
    --------
    >>> kind_order(["ecological_redline", "control_unit", "new_kind"])
    ['new_kind', 'control_unit', 'ecological_redline']
    """
    rank = {k: i for i, k in enumerate(DRAW_ORDER)}
    return sorted(kinds, key=lambda k: rank.get(k, -1))


def zone_style(kind: str, zone_class: str | None) -> dict[str, Any]:
    """Return the Leaflet style of a zone of ``kind`` and ``zone_class``.

    Unknown kinds and classes get the kind's class-less style, then a neutral grey.

    Examples
    --------
    >>> zone_style("water_source", "first")["fillColor"]
    '#08519c'
    """
    classes = ZONE_STYLES.get(kind, {})
    return dict(classes.get(zone_class or "", classes.get("", _DEFAULT)))


def verdict_order() -> tuple[str, ...]:
    """Return every verdict a map may show, worst first: the contract's (read now), then ``error``.

    Examples
    --------
    >>> verdict_order()[0], verdict_order()[-1]
    ('prohibited', 'error')
    """
    return (*(v for v in _verdicts.VERDICTS if v != "error"), "error")


def verdict_color(verdict: str) -> str:
    """Return the colour of a site verdict (grey for ``error`` or anything unknown).

    A verdict of the contract without a colour of its own gets a spare one, so no two verdicts
    of a legend share a colour.

    Examples
    --------
    >>> verdict_color("prohibited"), verdict_color("no_coverage"), verdict_color("nonsense")
    ('#c0392b', '#7f8fa6', '#95a5a6')
    """
    if verdict in VERDICT_COLORS:
        return VERDICT_COLORS[verdict]
    extra = [v for v in verdict_order() if v not in VERDICT_COLORS]
    if verdict in extra:
        return _SPARE_COLORS[extra.index(verdict) % len(_SPARE_COLORS)]
    return VERDICT_COLORS["error"]


def site_style(verdict: str, geom_type: str) -> dict[str, Any]:
    """Return the Leaflet style of a site: a filled circle for points, a bold outline otherwise.

    Examples
    --------
    >>> site_style("clear", "Point")["radius"]
    7
    """
    color = verdict_color(verdict)
    if geom_type.endswith("Point"):
        return {"color": "#1c2833", "weight": 1.5, "fillColor": color, "fillOpacity": 0.95, "radius": 7}
    if geom_type.endswith("LineString"):
        return {"color": color, "weight": 5, "opacity": 0.95}
    return {"color": color, "weight": 3, "fillColor": color, "fillOpacity": 0.2}


def swatch_css(style: dict[str, Any]) -> str:
    """Return inline CSS for a legend swatch drawn like ``style``.

    Examples
    --------
    >>> swatch_css(zone_style("basic_farmland", None))
    'background:#f4d03f73;border:2px solid #b7950b'
    """
    fill = str(style.get("fillColor", style.get("color", "#999999")))
    if fill.startswith("url("):
        background = HATCH_CSS
    elif fill.startswith("#") and len(fill) == 7:
        alpha = min(1.0, float(style.get("fillOpacity", 0.3)))
        background = f"{fill}{round(alpha * 255):02x}"
    else:
        background = fill
    return f"background:{background};border:2px solid {style.get('color', '#999999')}"
