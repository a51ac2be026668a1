"""What validation says, in Chinese and English: one message per check, and the report's notes.

A message names the feature, the problem and, for a public layer, where it is; a note says what
could not be checked and why, and marks the parameter it names with :func:`~redline.zones.errors.param_ref`
(each interface names it its own way).
"""

from __future__ import annotations

import shapely

from redline.zones.errors import param_ref
from redline.zones.kinds import KINDS

__all__ = [
    "MESSAGES",
    "NOTES",
    "area_text",
    "class_label",
    "kind_label",
    "msg",
    "note",
    "row_at",
    "sliver_what",
    "type_name",
    "where",
]

#: One message per check (and per variant of a check), ``(zh, en)``, as ``str.format`` templates.
MESSAGES: dict[str, tuple[str, str]] = {
    "layer_error": ("{layer}：图层无法读取：{detail}", "{layer}: the layer cannot be read: {detail}"),
    "crs_missing": ("{layer}：没有坐标系，未校验：{detail}", "{layer}: no CRS, not validated: {detail}"),
    "crs_datum": ("{layer}：{detail}", "{layer}: {detail}"),
    "invalid_geometry": (
        "{kind_label} {fid}：几何无效（{detail}），位置 {where}",
        "{kind_label} {fid}: invalid geometry ({detail}) at {where}",
    ),
    "empty_geometry": (
        "{kind_label} {fid}：几何为空（{layer} 第 {row} 行）",
        "{kind_label} {fid}: empty geometry (row {row} of {layer})",
    ),
    "empty_part": (
        "{kind_label} {fid}：几何含 {detail} 个空部件，已删除（{layer} 第 {row} 行）",
        "{kind_label} {fid}: {detail} empty part(s) of its geometry dropped (row {row} of {layer})",
    ),
    "not_polygon": ("{kind_label} {fid}：是{detail}，分区应为面", "{kind_label} {fid}: a {detail}; zones are areas"),
    "duplicate_id": (
        "{kind_label}编号 {fid} 重复 {n} 次（{detail}）",
        "{kind_label} id {fid} used {n} times ({detail})",
    ),
    "missing_id": ("{kind_label}：{layer} 第 {row} 行缺少编号", "{kind_label}: row {row} of {layer} has no id"),
    "unmapped_class": (
        "{kind_label} {fid}：分类值 {detail!r} 不在 class_map 中（{kind} 的分类：{classes}）；"
        "在 layerset.yaml 中补充 class_map",
        "{kind_label} {fid}: class value {detail!r} is not in class_map (classes of {kind}: {classes}); "
        "add it to class_map",
    ),
    "missing_class": ("{kind_label} {fid}：缺少分类值", "{kind_label} {fid}: no class value"),
    "overlap": ("{kind_label} {fid} 与 {oid} 重叠 {area} m²", "{kind_label} {fid} and {oid} overlap by {area} m²"),
    "overlap.control_unit": (
        "环境管控单元 {fid} 与 {oid} 重叠 {area} m²（管控单元应无缝、无重叠地覆盖区域）",
        "control units {fid} and {oid} overlap by {area} m² (units must tile the region)",
    ),
    "gap": (
        "管控单元未覆盖的空隙 {area} m²，位于 {where}（相邻单元：{detail}）",
        "gap of {area} m² no control unit covers, at {where} (next to {detail})",
    ),
    "gap.hole": (
        "管控单元之间的空洞 {area} m²，位于 {where}（相邻单元：{detail}）",
        "hole of {area} m² between control units, at {where} (next to {detail})",
    ),
    "outside_region": (
        "环境管控单元 {fid} 超出区域边界 {area} m²，位于 {where}",
        "control unit {fid} reaches {area} m² beyond the region outline, at {where}",
    ),
    "water_level_overlap": (
        "{class_label} {fid} 与{other_class_label} {oid} 重叠 {area} m²（各级保护区不得重叠）",
        "{class_label} {fid} and {other_class_label} {oid} overlap by {area} m² (levels must not overlap)",
    ),
    "water_not_surrounded": (
        "一级保护区 {fid} 的边界有 {open_m} m（占 {share}）未被二级保护区包围（相邻二级：{oid}）",
        "first-level zone {fid}: {open_m} m of its boundary ({share}) is not bordered by a second-level zone "
        "(second-level zones next to it: {oid})",
    ),
    "water_no_second": (
        "一级保护区 {fid} 周边没有二级保护区（若该水源未划定二级保护区可忽略）",
        "no second-level zone borders the first-level zone {fid} (fine only if its source has none)",
    ),
    "access_list": ("{layer}：准入清单{where}：{what}（{detail}）", "{layer}: access list{where}: {detail}"),
    "cross_overlap": (
        "{kind_label} {fid} 与{other_kind_label} {oid} 重叠 {area} m²（三区三线不得重叠）",
        "{kind_label} {fid} and {other_kind_label} {oid} overlap by {area} m² (三区三线 must not overlap)",
    ),
    "sliver": (
        "细小{what} {area} m²（低于容差 {tol} m²）：{detail}",
        "sliver {what} of {area} m² (below the {tol} m² tolerance): {detail}",
    ),
}

#: What the report says it could not check, ``(zh, en)``; parameters are marked with ``param_ref``.
NOTES: dict[str, tuple[str, str]] = {
    "no_units": ("没有环境管控单元图层，未检查区域覆盖", "no control units: coverage not checked"),
    "no_region": (
        f"未给出区域边界（{param_ref('region')}）：只检查了管控单元之间的空洞，未检查外边界的覆盖",
        f"no region outline ({param_ref('region')}): only holes between control units were checked, "
        "not the coverage of the region's outer edge",
    ),
}

#: What a message says instead of a location that would reveal a confidential layer.
_SECRET_WHERE = {"zh": "（涉密图层，不显示位置）", "en": "(confidential layer: location not shown)"}

#: What a ``sliver`` is a sliver of, by the kind of area problem, ``(zh, en)``.
_SLIVER_WHAT = {"overlap": ("重叠", "overlap"), "gap": ("空隙", "gap"), "outside": ("超出", "overhang")}

#: Chinese names of the geometry types a zone must not be.
_TYPE_NAMES_ZH = {"Point": "点", "MultiPoint": "点", "LineString": "线", "MultiLineString": "线"}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def msg(key: str, lang: str, **fmt: object) -> str:
    """Return the message ``key`` of :data:`MESSAGES` in ``lang``, filled in with ``fmt``.

    Examples
    --------
    >>> msg("missing_class", "en", kind_label="control unit", fid="ZH01")
    'control unit ZH01: no class value'
    """
    return _pick(MESSAGES[key], lang).format(**fmt)


def note(key: str, lang: str) -> str:
    """Return the note ``key`` of :data:`NOTES` in ``lang`` (parameters still marked).

    Examples
    --------
    >>> from redline.zones.errors import render_refs
    >>> render_refs(note("no_region", "en"), {"region": "--region"})[:31]
    'no region outline (--region): o'
    """
    return _pick(NOTES[key], lang)


def sliver_what(what: str, lang: str) -> str:
    """Return the word for the kind of area problem (``overlap``, ``gap``, ``outside``) a sliver is."""
    return _pick(_SLIVER_WHAT[what], lang)


def type_name(gtype: str, lang: str) -> str:
    """Return how a message names a geometry type (``点``, ``线`` in Chinese)."""
    return _TYPE_NAMES_ZH.get(gtype, gtype) if lang == "zh" else gtype


def row_at(layer: str, row: int, lang: str) -> str:
    """Return "row ``row`` of ``layer``" (1-based) in ``lang``."""
    return f"{layer} 第 {row} 行" if lang == "zh" else f"{layer} row {row}"


def area_text(area: float) -> str:
    """Return an area in m² as a message writes it (``29,981.20``)."""
    return f"{area:,.2f}"


def where(geom: object, secret: bool = False, lang: str = "zh") -> str:
    """Return where ``geom`` is (lon, lat of a point on it), or a placeholder for a confidential layer.

    Examples
    --------
    >>> from shapely import box
    >>> where(box(109.0, 22.0, 109.1, 22.1)), where(box(109.0, 22.0, 109.1, 22.1), secret=True, lang="en")
    ('109.050000, 22.050000', '(confidential layer: location not shown)')
    """
    if secret:
        return _SECRET_WHERE[lang]
    if geom is None or shapely.is_empty(geom):
        return "—"
    p = shapely.point_on_surface(geom) if shapely.get_dimensions(geom) == 2 else shapely.centroid(geom)
    return f"{p.x:.6f}, {p.y:.6f}"


def kind_label(kind: str, lang: str) -> str:
    """Return the display name of a kind (the code itself for an unknown kind)."""
    return KINDS[kind].label(lang) if kind in KINDS else kind


def class_label(kind: str, cls: str, lang: str) -> str:
    """Return the display name of a class of ``kind`` (the value itself when it has none)."""
    return KINDS[kind].class_label(cls, lang) or cls or ("（无分类）" if lang == "zh" else "(no class)")
