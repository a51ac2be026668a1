"""项目基本信息: a site's project, where it is and how big, as label/value lines.

Name, 项目编号 and 建设单位 come from the site's ``project_name`` (else ``name``), ``project_no``
and ``builder`` columns when the run has them; the industry with its GB/T 4754 name; the action;
the county and town (:mod:`.location`); the centre in CGCS2000, in degrees, minutes and seconds
and in decimal degrees; the area in m², 公顷 and 亩 or a route's length; the EIA category
(名录) and coverage notes when the run has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from redline.checks.outputs.location import Location, locate, read_towns
from redline.checks.outputs.units import format_area, format_degrees, format_dms, format_length, missing
from redline.zones.industry import lookup
from redline.zones.labels import EM_DASH, action_label, t, tag_label

if TYPE_CHECKING:
    from redline.checks.result import ScreeningResult

__all__ = ["DEFAULT_SITE_ID", "Field", "centre_point", "project_name", "site_info", "summary_locations"]

#: The id :func:`redline.checks.check_site` gives a site when none is named: not shown as a 选址编号.
DEFAULT_SITE_ID = "site"


@dataclass
class Field:
    """One line of a label/value table; ``note`` is a smaller remark under the value."""

    label: str
    value: str
    note: str = ""


def _text(value: Any) -> str:
    return "" if missing(value) else str(value).strip()


def _split(value: Any) -> list[str]:
    return [p.strip() for p in _text(value).replace("；", ";").split(";") if p.strip()]


def centre_point(geometry: Any) -> tuple[float, float] | None:
    """Return the site's representative point (lon, lat): on the surface of a polygon, midway along a route.

    Examples
    --------
    >>> from shapely import LineString, box
    >>> centre_point(box(0, 0, 2, 2)), centre_point(LineString([(0, 0), (4, 0)])), centre_point(None)
    ((1.0, 1.0), (2.0, 0.0), None)
    """
    if geometry is None or shapely.is_missing(geometry) or shapely.is_empty(geometry):
        return None
    dims = shapely.get_dimensions(geometry)
    if dims == 2:
        point = shapely.point_on_surface(geometry)
    elif dims == 1:
        lines = shapely.get_parts(geometry)
        longest = lines[int(np.argmax(shapely.length(lines)))]
        point = shapely.line_interpolate_point(longest, 0.5, normalized=True)
    else:
        point = shapely.get_parts(geometry)[0]
    return float(point.x), float(point.y)


def project_name(row: dict[str, Any]) -> str:
    """Return the project's name: ``project_name``, else the site's ``name`` (empty when neither).

    Examples
    --------
    >>> project_name({"project_name": "", "name": "武利镇光伏电站"})
    '武利镇光伏电站'
    """
    return _text(row.get("project_name")) or _text(row.get("name"))


def _industries(row: dict[str, Any]) -> str:
    out = []
    for code in _split(row.get("industry")):
        ind = lookup(code)
        out.append(f"{code} {ind.name}" if ind else code)
    return "；".join(out)


def _measure(row: dict[str, Any], measure: str, lang: str) -> Field:
    if measure == "area":
        return Field(t("info.area", lang), format_area(row.get("site_area_m2"), lang))
    if measure == "length":
        return Field(t("info.length", lang), format_length(row.get("site_length_m"), lang))
    return Field(t("info.extent", lang), t("info.point", lang))


def _eia(row: dict[str, Any], lang: str) -> Field | None:
    category = _text(row.get("eia_category"))
    if not category:
        return None
    from redline.zones.eia.answer import category_label

    label = category_label(category, lang)
    item = _text(row.get("eia_item"))
    return Field(
        t("info.eia", lang), f"{label}（{item}）" if item and lang == "zh" else label, _text(row.get("eia_basis"))
    )


def site_info(
    row: dict[str, Any], location: Location, measure: str, *, single: bool, lang: str
) -> tuple[list[Field], str]:
    """Return a site's 项目基本信息 lines and the title its section carries.

    ``row`` is the site's record (``result.sites``) with its geometry under ``geometry``.
    """
    site_id = _text(row.get("site_id"))
    name = project_name(row)
    show_id = not single or (site_id and site_id != DEFAULT_SITE_ID)
    title = name or (t("info.unnamed", lang) if single else "")
    if show_id:
        title = f"{site_id} {title}".strip()
    fields = [Field(t("info.name", lang), name or t("info.not_given", lang))]
    if _text(row.get("project_no")):
        fields.append(Field(t("info.project_no", lang), _text(row.get("project_no"))))
    if show_id:
        fields.append(Field(t("info.site_id", lang), site_id))
    if _text(row.get("builder")):
        fields.append(Field(t("info.builder", lang), _text(row.get("builder"))))
    fields.append(Field(t("info.industry", lang), _industries(row) or t("info.not_given", lang)))
    fields.append(Field(t("info.action", lang), action_label(row.get("action"), lang)))
    tags = [tag_label(x, lang) for x in _split(row.get("tags"))]
    if tags:
        fields.append(Field(t("info.tags", lang), "；".join(tags)))
    where = location.text() if location.known else t("info.unknown_place", lang)
    note = t("info.place_source", lang, source=location.source) if location.known else ""
    fields.append(Field(t("info.location", lang), where, note))
    centre = centre_point(row.get("geometry"))
    if centre is not None:
        fields.append(
            Field(
                t("info.centre", lang),
                format_dms(*centre, lang),
                t("info.centre_note", lang, degrees=format_degrees(*centre)),
            )
        )
    fields.append(_measure(row, measure, lang))
    eia = _eia(row, lang)
    if eia is not None:
        fields.append(eia)
    if _text(row.get("note")):
        fields.append(Field(t("info.note", lang), _text(row.get("note"))))
    return fields, title or EM_DASH


def summary_locations(
    result: ScreeningResult, rows: list[int], by_site: dict[str, list[dict[str, Any]]], lang: str = "zh"
) -> list[str]:
    """Return the county and town of each of these site rows (from its representative point), or 未能确定."""
    sites = result.sites
    geoms = np.asarray(sites.geometry.array, dtype=object)[rows]
    points = np.array([None] * len(rows), dtype=object)
    for i, g in enumerate(geoms):
        centre = centre_point(g)
        if centre is not None:
            points[i] = shapely.Point(centre)
    names: list[str] = [""] * len(rows)
    towns = read_towns(result.layerset)
    ok = ~shapely.is_missing(points)
    if towns is not None and ok.any():
        where = np.flatnonzero(ok)
        hit_in, hit_town = towns.sindex.query(points[ok], predicate="intersects")
        for i, j in zip(hit_in, hit_town, strict=True):
            if not names[where[i]]:
                names[where[i]] = str(towns["name"].iloc[j])
    ids = sites["site_id"].astype(str).to_numpy()[rows]
    for i, key in enumerate(ids):
        if names[i]:
            continue
        units = [
            (f["kind"], f.get("zone_id"), f.get("zone_name"))
            for f in by_site.get(key, [])
            if f.get("kind") == "control_unit" and f.get("relation") in ("inside", "overlaps")
        ]
        found = locate(None, result.layerset, units) if units else Location()
        names[i] = found.text() if found.known else t("info.unknown_place", lang)
    return names
