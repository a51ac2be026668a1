"""User-interface strings in Chinese (the default) and English.

Every sentence a report, a map or the command line shows is a key of
:data:`STRINGS` mapping to a ``(zh, en)`` pair; :func:`t` picks one and fills
its ``{placeholders}``.  The small ``*_label`` helpers turn contract names
(kinds, classes, relations, verdicts, actions, tags) into display labels and
fall back to the raw name for anything they do not know, so a new kind or a
new class never breaks a report.  :func:`format_number` and
:func:`format_ratio` format measurements the same way everywhere (an em dash
for a missing value).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

from redline.zones.kinds import KINDS
from redline.zones.project import ACTION_LABELS
from redline.zones.tags import TAGS
from redline.zones.verdicts import VERDICT_LABELS

__all__ = [
    "DIMENSION_GLOSSES",
    "EM_DASH",
    "LANGS",
    "STRINGS",
    "action_label",
    "check_lang",
    "class_label",
    "confidential_note",
    "dimension_label",
    "format_number",
    "format_ratio",
    "kind_label",
    "relation_label",
    "t",
    "tag_label",
    "verdict_text",
]

#: Supported languages; ``zh`` is the default everywhere.
LANGS: tuple[str, ...] = ("zh", "en")

#: Shown for a missing (None/NaN/empty) value.
EM_DASH = "—"

#: key -> (Chinese, English).
STRINGS: dict[str, tuple[str, str]] = {
    # notices
    "illustrative_notice": (
        "示意数据，非官方数据，不得用于实际审查",
        "Illustrative data — not official; do not use for a real review",
    ),
    # confidential (涉密) layers: screened against, never drawn or written
    "confidential.mark": ("涉密", "confidential"),
    "confidential.layer_kind": ("{kind}（涉密，边界不予显示）", "{kind} (confidential: boundary not shown)"),
    "confidential.finding_kind": ("{kind}（涉密）", "{kind} (confidential)"),
    "confidential.note": ("涉密图层（{kinds}）：边界不予显示", "confidential layer ({kinds}): boundary not shown"),
    "confidential.outputs": (
        "含涉密图层（{kinds}）：其边界、范围与重叠部分不写入任何输出；发现仍列出类型、编号、名称、关系、面积和距离。",
        "Confidential layers ({kinds}): their boundaries, extents and overlaps are in no output; findings still "
        "give kind, id, name, relation, area and distance.",
    ),
    # report header
    "report_title": ("选址生态环境敏感区冲突研判报告", "Site screening conflict report"),
    "header.layerset": ("图层集", "Layer set"),
    "header.layers": ("图层与指纹", "Layers and fingerprints"),
    "header.layer": ("图层", "Layer"),
    "header.kind": ("类型", "Kind"),
    "header.fingerprint": ("SHA-256 指纹（前 16 位）", "SHA-256 fingerprint (first 16 hex)"),
    "header.zones": ("区域数", "Zones"),
    "header.rules": ("规则目录", "Rule catalogues"),
    "header.catalog": ("目录", "Catalogue"),
    "header.version": ("版本", "Version"),
    "header.buffer": ("缓冲距离", "Buffer"),
    "header.buffer_note": (
        "与选址距离在 {buffer} m 以内但不相交的区域报告为「邻近」。",
        "Zones within {buffer} m of a site that do not touch it are reported as nearby.",
    ),
    "header.tool_version": ("工具版本", "Tool version"),
    "header.created": ("生成时间", "Created"),
    "header.input_crs": ("输入坐标系", "Input CRS"),
    "header.source": ("输入来源", "Input"),
    # summary
    "summary.title": ("汇总", "Summary"),
    "summary.by_verdict": ("按结论统计（选址数）", "Sites per verdict"),
    "summary.by_kind": ("按区域类型统计", "Findings per zone kind"),
    "summary.sites": ("选址数", "Sites"),
    "summary.findings": ("发现数", "Findings"),
    "summary.sites_affected": ("涉及选址数", "Sites affected"),
    "summary.total": ("合计", "Total"),
    "summary.no_findings": ("未发现任何敏感区。", "No zone was found near any site."),
    # site table
    "sites.title": ("选址一览", "Sites"),
    "col.site_id": ("选址编号", "Site ID"),
    "col.site_name": ("名称", "Name"),
    "col.geom_type": ("几何类型", "Geometry"),
    "col.n_findings": ("发现数", "Findings"),
    "col.status": ("状态/错误信息", "Status / error"),
    "status.ok": ("已检查", "checked"),
    "status.error": ("无法检查", "not checked"),
    # per-site details
    "details.title": ("逐址详情", "Site details"),
    "details.omitted": (
        "另有 {n} 个结论不是「未发现冲突」的选址未列出详情（上限 {limit} 个，按结论从重到轻），"
        "全部结果见 findings.csv / results.xlsx。",
        "{n} more sites whose verdict is not clear are not detailed here (limit {limit}, worst first); "
        "findings.csv / results.xlsx have them all.",
    ),
    "details.none": ("没有发现冲突或错误的选址。", "No site has conflicts or errors."),
    "details.error": ("无法检查：{message}", "Could not be checked: {message}"),
    "details.area": ("选址面积 {area} m²", "site area {area} m²"),
    "details.length": ("选址长度 {length} m", "site length {length} m"),
    "project.title": ("项目", "Project"),
    "project.industry": ("行业", "Industry"),
    "project.tags": ("项目特征", "Tags"),
    "project.action": ("建设性质", "Action"),
    # findings table
    "col.kind": ("类型", "Kind"),
    "col.zone": ("区域", "Zone"),
    "col.class": ("级别", "Class"),
    "col.relation": ("关系", "Relation"),
    "col.overlap_area": ("重叠面积 (m²)", "Overlap area (m²)"),
    "col.overlap_ratio": ("重叠比例", "Overlap ratio"),
    "col.overlap_length": ("重叠长度 (m)", "Overlap length (m)"),
    "col.distance": ("距离 (m)", "Distance (m)"),
    "col.verdict": ("结论", "Verdict"),
    "col.rule": ("规则", "Rule"),
    "col.rule_text": ("规则内容", "Rule text"),
    "col.basis": ("依据", "Basis"),
    "relation.inside": ("位于区内", "inside"),
    "relation.overlaps": ("部分重叠", "overlaps"),
    "relation.nearby": ("邻近", "nearby"),
    "catalog.access_list": ("准入清单 {file}", "access list {file}"),
    "header.access_lists": ("生态环境准入清单", "Access lists (生态环境准入清单)"),
    "header.access_list_item": (
        "{file}（{layer}，{n} 条，SHA-256 {fingerprint}）",
        "{file} ({layer}, {n} clauses, SHA-256 {fingerprint})",
    ),
    # access lists of the control units a site touches
    "access.title": (
        "管控单元 {unit}（{cls}）生态环境准入清单",
        "Control unit {unit} ({cls}): environmental access list (生态环境准入清单)",
    ),
    "access.title_no_class": (
        "管控单元 {unit} 生态环境准入清单",
        "Control unit {unit}: environmental access list (生态环境准入清单)",
    ),
    "access.summary": (
        "来源：{file}；共 {n} 条，其中 {m} 条适用于本项目（突出显示）。",
        "Source: {file}; {n} clauses, {m} of which apply to this project (highlighted).",
    ),
    "access.col.number": ("序号", "No."),
    "access.col.scope": ("适用范围", "Scope"),
    "access.col.clause": ("条款内容", "Clause"),
    "access.col.verdict": ("结论", "Verdict"),
    "access.none": ("（无）", "(none)"),
    "access.applies": ("✔ 适用于本项目", "✔ applies to this project"),
    "access.unstructured": ("未结构化，需人工核对", "unstructured: check by hand"),
    "access.scope.unit": ("本单元", "this unit"),
    "access.scope.class": ("同类单元（{cls}）", "every {cls}"),
    "access.scope.all": ("全部单元", "all units"),
    # footer
    "footer.basis": (
        "规则引用《中华人民共和国生态环境法典》（2026年8月15日起施行）。",
        "Rules cite 《中华人民共和国生态环境法典》 (the Ecological Environment Code, in force 2026-08-15).",
    ),
    "footer.disclaimer": (
        "本报告的研判结论是选址筛查的辅助参考，不是行政决定；以主管部门的审查意见为准。",
        "The tool's verdict is a screening aid, not an administrative decision; "
        "the competent authority's review prevails.",
    ),
    "footer.generated_by": (
        "由 redline-checker {version} 生成",
        "Made by redline-checker {version}",
    ),
    # map
    "map.sites": ("选址", "Sites"),
    "map.overlaps": ("重叠部分", "Overlaps"),
    "map.base_osm": ("OpenStreetMap 底图", "OpenStreetMap"),
    "map.base_blank": ("空白底图（离线）", "Blank (offline)"),
    "map.legend": ("图例", "Legend"),
    "map.legend_zones": ("敏感区", "Zones"),
    "map.legend_verdicts": ("选址结论", "Site verdicts"),
    "map.overlap": ("选址与区域的重叠部分", "site ∩ zone overlap"),
    "map.no_findings": ("未发现敏感区", "no zone found"),
    "map.zone_name": ("名称", "Name"),
    "map.measure": ("面积/长度/距离", "Area / length / distance"),
    "map.buffer_rings": ("缓冲区范围", "Buffer rings"),
    "map.buffer_ring": ("缓冲区边界（{buffer} m）", "buffer ring ({buffer} m)"),
    "map.cluster": ("选址聚合（数字为选址数，颜色为最严重结论）", "cluster of sites (count; colour = worst verdict)"),
    "map.base_tianditu": ("天地图 矢量", "Tianditu (vector)"),
    "map.base_gaode": ("高德地图（GCJ-02）", "Gaode / AutoNavi (GCJ-02)"),
    "map.gaode_note": (
        "选择高德底图时，叠加图层按 GCJ-02 偏移显示以与底图对齐；测量与结论均基于 CGCS2000。",
        "With the Gaode base, overlays are shifted to GCJ-02 to match it; measurements and verdicts use CGCS2000.",
    ),
    "map.tianditu_note": (
        "设置环境变量 TIANDITU_KEY（天地图密钥）后可使用天地图底图。",
        "Set TIANDITU_KEY (a Tianditu API key) to offer the Tianditu base map.",
    ),
    "map.simplified": (
        "区域边界为显示而简化（约 {tol} m），以检查结果为准。",
        "Zone outlines are simplified for display (about {tol} m); the findings are exact.",
    ),
    "map.fullscreen": ("全屏", "Full screen"),
    "map.measure_distance": ("测距", "Distance"),
    "map.measure_area": ("测面积", "Area"),
    "map.measure_clear": ("清除", "Clear"),
    "map.measure_hint": (
        "单击地图添加点，双击结束（椭球面近似计算）",
        "Click to add points, double-click to finish (computed on the ellipsoid, approximate)",
    ),
    "map.measure_length": ("长度", "Length"),
    "map.measure_area_label": ("面积", "Area"),
    "map.more_findings": ("另有 {n} 项发现，见 findings.csv", "{n} more findings in findings.csv"),
    "map.north": ("北", "N"),
    # static maps (PNG in the reports, zoning maps)
    "static.north": ("北", "N"),
    "static.buffer": ("缓冲区边界 {buffer} m", "buffer ring {buffer} m"),
    "static.site": ("选址（{verdict}）", "site ({verdict})"),
    "static.illustrative": ("示意数据，非官方", "Illustrative data, not official"),
    "static.caption": (
        "以选址为中心的方位等距投影（CGCS2000 椭球），比例尺真实",
        "Azimuthal equidistant projection centred on the site (CGCS2000 ellipsoid); true scale",
    ),
    "details.map": ("选址位置与周边敏感区示意图", "Site and nearby zones"),
    "details.map_caption": (
        "图 {n}　{site}：选址、周边敏感区、重叠部分与 {buffer} m 缓冲区",
        "Figure {n}. {site}: the site, nearby zones, the overlap and the {buffer} m buffer",
    ),
    "details.scope": (
        "以下列出 {n} 个结论不是「未发现冲突」的选址（最严重者在前）。",
        "The {n} sites whose verdict is not clear are detailed below (worst first).",
    ),
    "sites.capped": (
        "共 {total} 个选址，此处仅列出结论最严重的 {shown} 个；全部选址见 sites.csv / results.xlsx。",
        "{total} sites; only the {shown} with the worst verdicts are listed here; sites.csv / results.xlsx have all.",
    ),
    "sites.sort_hint": ("点击表头可排序", "Click a column heading to sort"),
    # zoning maps (redline map)
    "zoning.title_all": ("生态环境分区管控图", "Ecological and environmental zoning map"),
    "zoning.title_kind": ("{kind}分布图", "{kind}"),
    "zoning.source": ("数据来源：{name}", "Source: {name}"),
    "zoning.layers": ("图层：{layers}", "Layers: {layers}"),
    "zoning.crs": (
        "坐标系：CGCS2000（EPSG:4490）；投影：横轴墨卡托，中央经线 {lon}°E",
        "CRS: CGCS2000 (EPSG:4490); projection: transverse Mercator, central meridian {lon}°E",
    ),
    "zoning.made": ("制图：redline-checker {version}，{time}", "Made with redline-checker {version}, {time}"),
    # docx
    "docx.page": ("第 {page} 页", "Page {page}"),
    # terminal lines printed by the command line
    "summary_line": (
        "共检查 {n} 个选址：禁止 {prohibited}，限制 {restricted}，需关注 {review}，未发现冲突 {clear}，错误 {error}",
        "{n} sites checked: prohibited {prohibited}, restricted {restricted}, "
        "review {review}, clear {clear}, error {error}",
    ),
    "summary_site": ("{site_id}：{verdict}（{n} 项发现）", "{site_id}: {verdict} ({n} findings)"),
    "summary_finding": (
        "  - {kind} {zone}（{relation}）→ {verdict} [{rule}]",
        "  - {kind} {zone} ({relation}) → {verdict} [{rule}]",
    ),
    "summary_layerset": ("图层集：{name}", "Layer set: {name}"),
    "summary_written": ("结果已写入 {path}", "Results written to {path}"),
    "summary_errors": (
        "{n} 个选址无法检查，原因见 sites.csv 的 error 列",
        "{n} sites could not be checked; see the error column of sites.csv",
    ),
}


#: English glosses of the four access-list dimensions (the names themselves stay in Chinese).
DIMENSION_GLOSSES: dict[str, str] = {
    "空间布局约束": "Spatial layout constraints",
    "污染物排放管控": "Pollutant discharge control",
    "环境风险防控": "Environmental risk prevention",
    "资源开发效率要求": "Resource efficiency requirements",
}


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is supported.

    Raises
    ------
    ValueError
        Naming the value and the supported languages.

    Examples
    --------
    >>> check_lang("en")
    'en'
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str = "zh", **fmt: Any) -> str:
    """Return the UI string ``key`` in ``lang``, with ``{placeholders}`` filled from ``fmt``.

    Parameters
    ----------
    key : str
        A key of :data:`STRINGS`.
    lang : str, default "zh"
        ``zh`` or ``en``.
    **fmt
        Values for the placeholders.

    Raises
    ------
    KeyError
        For an unknown key.
    ValueError
        For an unsupported language.

    Examples
    --------
    >>> t("relation.nearby")
    '邻近'
    >>> t("summary_line", "en", n=2, prohibited=1, restricted=0, review=0, clear=1, error=0)
    '2 sites checked: prohibited 1, restricted 0, review 0, clear 1, error 0'
    """
    try:
        pair = STRINGS[key]
    except KeyError:
        raise KeyError(f"no UI string {key!r}; see redline.zones.labels.STRINGS") from None
    text = pair[LANGS.index(check_lang(lang))]
    return text.format(**fmt) if fmt else text


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Real) and math.isnan(float(value))


def format_number(value: Any, decimals: int = 1) -> str:
    """Return ``value`` with thousands separators and ``decimals`` places, or an em dash.

    Examples
    --------
    >>> format_number(1234567.891)
    '1,234,567.9'
    >>> format_number(float("nan"))
    '—'
    """
    if _missing(value):
        return EM_DASH
    return f"{float(value):,.{decimals}f}"


def format_ratio(value: Any, decimals: int = 1) -> str:
    """Return a fraction (0.25) as a percentage (``25.0%``), or an em dash.

    Examples
    --------
    >>> format_ratio(0.1234)
    '12.3%'
    >>> format_ratio(None)
    '—'
    """
    if _missing(value):
        return EM_DASH
    return f"{float(value) * 100:,.{decimals}f}%"


def confidential_note(kinds: Iterable[str], lang: str = "zh", key: str = "confidential.note") -> str:
    """Return the note maps and reports show for confidential (涉密) layers of ``kinds`` (empty when none).

    Examples
    --------
    >>> confidential_note(["ecological_redline"])
    '涉密图层（生态保护红线）：边界不予显示'
    >>> confidential_note(["ecological_redline", "water_source"], "en")
    'confidential layer (ecological protection red line; drinking-water source protection zone): boundary not shown'
    >>> confidential_note([])
    ''
    """
    labels = [kind_label(k, lang) for k in dict.fromkeys(kinds)]
    if not labels:
        return ""
    return t(key, lang, kinds=("、" if lang == "zh" else "; ").join(labels))


def kind_label(kind: str, lang: str = "zh") -> str:
    """Return the display name of a zone kind (the raw name for an unknown kind).

    Examples
    --------
    >>> kind_label("water_source")
    '饮用水水源保护区'
    """
    known = KINDS.get(kind)
    return known.label(check_lang(lang)) if known else str(kind)


def class_label(kind: str, zone_class: Any, lang: str = "zh") -> str:
    """Return the display label of a zone class (empty for no class).

    Examples
    --------
    >>> class_label("water_source", "first", "en")
    'first-level zone'
    """
    if _missing(zone_class):
        return ""
    known = KINDS.get(kind)
    return known.class_label(str(zone_class), check_lang(lang)) if known else str(zone_class)


def relation_label(relation: Any, lang: str = "zh") -> str:
    """Return the display label of a finding's relation (``inside``, ``overlaps``, ``nearby``).

    Examples
    --------
    >>> relation_label("overlaps")
    '部分重叠'
    """
    key = f"relation.{relation}"
    return t(key, lang) if key in STRINGS else str(relation)


def verdict_text(verdict: Any, lang: str = "zh") -> str:
    """Return the display label of a verdict, including ``error``.

    Examples
    --------
    >>> verdict_text("prohibited")
    '禁止'
    """
    pair = VERDICT_LABELS.get(str(verdict))
    return pair[LANGS.index(check_lang(lang))] if pair else str(verdict)


def action_label(action: Any, lang: str = "zh") -> str:
    """Return 新建/扩建/改建 (or new/expand/rebuild); ``new`` when not given.

    Examples
    --------
    >>> action_label("expand")
    '扩建'
    """
    act = "new" if _missing(action) else str(action)
    if check_lang(lang) == "en":
        return act
    return ACTION_LABELS.get(act, act)


def tag_label(tag: str, lang: str = "zh") -> str:
    """Return the display label of a project tag (the tag itself when unknown).

    Examples
    --------
    >>> tag_label("water_supply")
    '供水设施'
    """
    pair = TAGS.get(tag)
    return pair[LANGS.index(check_lang(lang))] if pair else tag


def dimension_label(dimension: str, lang: str = "zh") -> str:
    """Return an access-list dimension as shown: the Chinese name, glossed in English for ``en``.

    Examples
    --------
    >>> dimension_label("环境风险防控", "en")
    '环境风险防控 (Environmental risk prevention)'
    """
    gloss = DIMENSION_GLOSSES.get(dimension)
    if check_lang(lang) == "en" and gloss:
        return f"{dimension} ({gloss})"
    return dimension
