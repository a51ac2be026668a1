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
    # 研判报告 (issue 18): title block, headings
    "report.batch_subtitle": ("共 {n} 个选址", "{n} sites"),
    "report.date": ("报告日期：{date}", "Date: {date}"),
    "report.footer_notice": (
        "选址生态环境敏感区冲突研判报告（示意数据，非官方）",
        "Site screening conflict report (illustrative data, not official)",
    ),
    "heading.numbered": ("{n}、{text}", "{n} {text}"),
    "heading.sub": ("{n}. {text}", "{n}. {text}"),
    "heading.kind_single": ("（{n}）", "3.{i} "),
    "heading.kind_batch": ("（{i}）", "({i}) "),
    "heading.info": ("项目基本信息", "Project information"),
    "heading.conclusion": ("研判结论与建议", "Conclusion and next steps"),
    "heading.analysis": ("符合性分析", "Conformity analysis"),
    "heading.opinion": ("审查意见", "Review opinion"),
    "heading.summary": ("总体情况", "Overview"),
    "heading.details": ("逐址研判", "Site by site"),
    "heading.appendix": ("附录　数据来源、规则与运行记录", "Appendix: data, rules and run record"),
    "heading.conclusion_label": ("研判结论：", "Conclusion: "),
    "heading.steps": ("建议", "Next steps"),
    "heading.overview": ("符合性分析一览", "Conformity at a glance"),
    "heading.rules": ("适用规则", "Rules applied"),
    "heading.layers": ("图层与指纹", "Layers and fingerprints"),
    "heading.catalogs": ("规则目录", "Rule catalogues"),
    "heading.run": ("运行记录", "Run record"),
    "heading.notices": ("说明", "Notes"),
    "heading.rule_texts": ("所引规则原文", "Rules cited"),
    "heading.by_kind": ("按区域类型统计", "By zone kind"),
    "heading.site_table": ("选址一览", "Sites"),
    # 项目基本信息
    "info.name": ("项目名称", "Project name"),
    "info.unnamed": ("未命名项目", "Unnamed project"),
    "info.not_given": ("（未提供）", "(not given)"),
    "info.project_no": ("项目编号", "Project number"),
    "info.site_id": ("选址编号", "Site ID"),
    "info.builder": ("建设单位", "Developer (建设单位)"),
    "info.industry": ("行业类别", "Industry"),
    "info.action": ("建设性质", "Action"),
    "info.tags": ("项目特征", "Project features"),
    "info.location": ("所在位置", "Location"),
    "info.unknown_place": ("未能确定", "not determined"),
    "info.place_source": ("据 {source} 确定", "from {source}"),
    "info.centre": ("中心坐标", "Centre"),
    "info.centre_note": (
        "{degrees}；CGCS2000（EPSG:4490），选址代表点",
        "{degrees}; CGCS2000 (EPSG:4490), representative point",
    ),
    "info.area": ("用地面积", "Site area"),
    "info.length": ("线路长度", "Route length"),
    "info.extent": ("用地范围", "Extent"),
    "info.point": ("点位（未提供用地范围）", "a point (no site boundary given)"),
    "info.eia": ("环评类别", "EIA category"),
    "info.note": ("备注", "Notes"),
    # conformity
    "conf.verdict.prohibited": ("不符合", "does not conform"),
    "conf.verdict.restricted": ("需论证", "needs justification"),
    "conf.verdict.review": ("需核实", "to be checked"),
    "conf.verdict.clear": ("符合", "conforms"),
    "conf.verdict.no_coverage": ("未能判断", "not determined"),
    "conf.verdict.error": ("无法检查", "not checked"),
    "conf.absent": ("未分析", "not analysed"),
    "conf.fails": ("不符合", "does not conform"),
    "conf.argue": ("需论证", "needs justification"),
    "conf.conforms": ("符合", "conforms"),
    "conf.na": ("不适用", "not applicable"),
    # overview of one site
    "col.category": ("类别", "Kind"),
    "col.situation": ("涉及情况", "Situation"),
    "col.conformity": ("符合性", "Conformity"),
    "col.reason": ("说明", "Why"),
    "col.location": ("所在位置", "Location"),
    "col.issues": ("主要问题", "Main issues"),
    "col.project_name": ("项目名称", "Project"),
    "col.sites_raised": ("其中需处理", "of which raised"),
    "col.area_total": ("重叠面积合计", "Total overlap"),
    "overview.none": ("不涉及（{buffer} m 范围内未发现）", "none within {buffer} m"),
    "overview.absent": ("图层集无此类图层，未作分析", "not analysed: no layer of this kind"),
    "overview.area": ("重叠 {area}，占选址面积 {share}，{n} 处", "overlap {area}, {share} of the site, {n} zone(s)"),
    "overview.length": (
        "穿越 {length}，占线路长度 {share}，{n} 处",
        "crosses {length}, {share} of the route, {n} zone(s)",
    ),
    "overview.inside": ("位于区内", "inside"),
    "overview.no_coverage": ("选址超出图层覆盖范围，未能判断", "outside the layers' coverage: not determined"),
    "overview.inside_class": ("位于{classes}内", "inside ({classes})"),
    "overview.near": ("邻近，最近约 {distance}", "nearby, {distance} at the closest"),
    # per-kind totals
    "tot.class": ("分类", "Class"),
    "tot.relation": ("关系", "Relation"),
    "tot.patches": ("图斑数", "Count"),
    "tot.zones": ("区域数", "Zones"),
    "tot.area_m2": ("重叠面积 (m²)", "Overlap (m²)"),
    "tot.area_ha": ("公顷", "ha"),
    "tot.area_mu": ("亩", "mu"),
    "tot.share": ("占选址面积", "Share of site"),
    "tot.length": ("穿越长度", "Length inside"),
    "tot.share_length": ("占线路长度", "Share of route"),
    "tot.distance": ("距离", "Distance"),
    "tot.nearby": ("邻近（最近 {distance}）", "nearby ({distance} at the closest)"),
    "details.rows": ("明细（{n} 条）", "Details ({n} rows)"),
    "details.rows_omitted": (
        "另有 {n} 条未列出，见 findings.csv / results.xlsx。",
        "{n} more rows are not listed; see findings.csv / results.xlsx.",
    ),
    "rule.basis": ("依据：{basis}", "Basis: {basis}"),
    "rule.count": ("（{n} 处）", " ({n} findings)"),
    "rule.informational": ("（说明性，不构成限制）", "(informational, no restriction)"),
    "section.kind.control_unit": ("生态环境分区管控（环境管控单元）", "Environmental zoning (control units)"),
    "access.judged": (
        "来源：{file}；共 {n} 条：不符合 {fails} 条，需论证 {argue} 条，符合 {ok} 条，不适用 {na} 条。"
        "「★」为筛查命中的条款。",
        "Source: {file}; {n} clauses: {fails} not conforming, {argue} to justify, {ok} conforming, "
        "{na} not applicable. ★ marks the clauses the screen matched.",
    ),
    "access.col.dimension": ("管控维度", "Dimension"),
    "access.hidden": (
        "其余 {n} 条为符合或不适用，未逐条列出（逐条结论见 results.xlsx「准入清单」表）。",
        "The other {n} clauses conform or do not apply and are not listed (results.xlsx has every clause).",
    ),
    "access.matched": ("★", "★"),
    "access.where": ("{scope} 第 {number} 条", "{scope}, clause {number}"),
    # narrative
    "narr.area": ("{ha} 公顷（{mu} 亩）", "{ha} ha ({mu} mu)"),
    "narr.and_more": ("{names} 等 {n} 处", "{names} and others ({n})"),
    "narr.touch.area": (
        "与{kind}重叠 {area}，占选址面积 {share}，涉及 {n} 处（{names}）",
        "overlaps the {kind} by {area} ({share} of the site) in {n} zone(s) ({names})",
    ),
    "narr.touch.length": (
        "穿越{kind} {length}，占线路长度 {share}，涉及 {n} 处（{names}）",
        "crosses the {kind} for {length} ({share} of the route) in {n} zone(s) ({names})",
    ),
    "narr.touch.point": ("位于{kind}（{names}）内", "lies inside the {kind} ({names})"),
    "narr.touch.point_class": ("位于{kind}{classes}（{names}）内", "lies inside the {kind}, {classes} ({names})"),
    "narr.near": ("距{kind}（{name}）最近约 {distance}", "lies {distance} from the {kind} ({name})"),
    "narr.near_also": ("另距{name}最近约 {distance}", "and {distance} from {name}"),
    "narr.no_coverage": (
        "项目选址位于图层集覆盖范围之外：图层未发现敏感区，并不说明选址处没有敏感区，须补充该区域的图层后研判。",
        "The site lies outside the layer set's coverage: finding no zone there does not mean there is none; "
        "the area's layers are needed before the site can be judged.",
    ),
    "narr.found_short": ("项目选址{phrases}。", "The site {phrases}."),
    "narr.clear_short": (
        "项目选址与所检查的生态环境敏感区均不相交，{buffer} m 范围内亦未发现。",
        "The site touches none of the zones screened, and none lies within {buffer} m.",
    ),
    "narr.found": (
        "经与「{layerset}」叠加分析，项目选址{phrases}。",
        "Overlaid on 「{layerset}」, the site {phrases}.",
    ),
    "narr.also_in": ("另位于{kinds}内（说明性，不构成限制）。", " It also lies in: {kinds} (informational)."),
    "narr.clear": (
        "经与「{layerset}」叠加分析，项目选址与所检查的生态环境敏感区均不相交，{buffer} m 范围内亦未发现。",
        "Overlaid on 「{layerset}」, the site touches none of the zones screened, and none lies within {buffer} m.",
    ),
    "narr.verdict_clear": ("研判结论：{verdict}。", "Conclusion: {verdict}."),
    "narr.verdict": ("研判结论：{verdict}。{reasons}。", "Conclusion: {verdict}. {reasons}."),
    "narr.kind_reason": ("{kind}——{reason}", "{kind}: {reason}"),
    "narr.rule_titled": ("{rule}「{title}」", "{rule} “{title}”"),
    "narr.clause": ("准入清单条款 {rule}「{text}」", "access-list clause {rule} “{text}”"),
    "narr.with_basis": ("{text}（{basis}）", "{text} ({basis})"),
    "narr.basis_only": ("依据{basis}", "under {basis}"),
    "narr.others": ("此外，{items}。", " Also: {items}."),
    "narr.other_item": ("{kind}为「{verdict}」", "{kind}: {verdict}"),
    "narr.section": (
        "经叠图分析，项目选址{phrase}；本项研判为「{verdict}」。",
        "The site {phrase}; verdict: {verdict}.",
    ),
    "narr.error": ("选址无法检查：{error}", "The site could not be checked: {error}"),
    # next steps
    "step.avoid": (
        "避让：调整选址，避让{kinds}，调整后重新研判。",
        "Avoid: move the site out of the {kinds}, then screen it again.",
    ),
    "step.exception": (
        "如属法律法规允许的例外情形（如国家重大项目、必要的民生基础设施），须取得相应证明材料，开展专题论证并依法报批。",
        "If the project is an exception the law allows (a national major project, necessary public "
        "infrastructure), obtain the proof, justify it in a dedicated study and seek approval as the law requires.",
    ),
    "step.unit": (
        "调整：调整选址或建设内容，使项目符合所在环境管控单元（{units}）的生态环境准入清单。",
        "Adjust: change the site or the project so that it meets the access list of its control units ({units}).",
    ),
    "step.argue": (
        "论证：就{kinds}开展专题论证（选址不可避让性、生态环境影响及减缓措施），论证可行后依法报批。",
        "Justify: study the {kinds} (why the site cannot avoid it, the impacts and mitigation), "
        "and seek approval if the study finds it feasible.",
    ),
    "step.check": ("核实：由审查人员核实{items}的相关情况。", "Check: a reviewer checks {items}."),
    "step.other": ("{kinds}：{verdict}，由审查人员确认。", "{kinds}: {verdict}; a reviewer confirms."),
    "step.access": (
        "落实管控单元 {unit} 生态环境准入清单要求：{fails} 条不符合、{argue} 条需论证（见逐条分析）。",
        "Meet the access list of control unit {unit}: {fails} clauses not conforming, {argue} to justify "
        "(see the clause table).",
    ),
    "step.eia": (
        "环评：按《建设项目环境影响评价分类管理名录》编制{label}。",
        "EIA: under the 名录 the project needs an {label}.",
    ),
    "step.eia_item": (
        "环评：按《建设项目环境影响评价分类管理名录》（{item}）编制{label}。",
        "EIA: under the 名录 ({item}) the project needs an {label}.",
    ),
    "step.no_coverage": (
        "补充选址所在区域的图层数据后重新研判。",
        "Screen the site again once the layer set covers where it lies.",
    ),
    "step.error": ("核实选址坐标或范围后重新研判。", "Check the site's coordinates or outline, then screen it again."),
    "step.clear": (
        "依法报批：未发现冲突，按规定办理用地、环境影响评价等审批手续。",
        "Approval: no conflict found; proceed with land-use, EIA and other approvals as required.",
    ),
    "step.rescreen": (
        "依法报批：调整选址并重新研判后，方可办理用地、环境影响评价等审批手续。",
        "Approval: only after the site is moved and screened again may land-use, EIA and other approvals proceed.",
    ),
    "step.approve": (
        "依法报批：落实上述要求后，依法办理用地、环境影响评价等审批手续。",
        "Approval: once the above is done, seek land-use, EIA and other approvals as the law requires.",
    ),
    # batch summary
    "summary.text": ("本次共研判 {n} 个选址：{counts}。", "{n} sites screened: {counts}."),
    "summary.issue_area": ("{kind} {area}", "{kind} {area}"),
    "summary.issue_near": ("邻近{kind}", "near {kind}"),
    "summary.site_detail": ("详见第二部分", "see part 2"),
    # opinion and signatures
    "opinion.hint": ("（由审查人员填写审查意见）", "(the reviewer writes the opinion here)"),
    "opinion.handler": ("经办人：", "Prepared by:"),
    "opinion.reviewer": ("审核人：", "Reviewed by:"),
    "opinion.date": ("日期：", "Date:"),
    "opinion.date_blank": ("　　　年　　月　　日", "____ / ____ / ______"),
    # appendix
    "appendix.catalog": ("{title}（{name}）版本 {version}", "{title} ({name}) version {version}"),
    "appendix.eia": ("环评分类名录", "EIA catalogue (名录)"),
    # results.xlsx
    "xl.sheet.sites": ("选址结果", "sites"),
    "xl.sheet.findings": ("发现明细", "findings"),
    "xl.sheet.rules": ("规则", "rules"),
    "xl.sheet.access_lists": ("准入清单", "access_lists"),
    "xl.sheet.about": ("说明", "about"),
    "xl.page": ("第 &P 页，共 &N 页", "Page &P of &N"),
    "xl.site_id": ("选址编号", "Site ID"),
    "xl.project_name": ("项目名称", "Project"),
    "xl.verdict": ("结论", "Verdict"),
    "xl.n_findings": ("发现数", "Findings"),
    "xl.status": ("状态", "Status"),
    "xl.error": ("错误信息", "Error"),
    "xl.industry": ("行业类别", "Industry"),
    "xl.tags": ("项目特征", "Features"),
    "xl.action": ("建设性质", "Action"),
    "xl.geom_type": ("几何类型", "Geometry"),
    "xl.area_m2": ("面积 (m²)", "Area (m²)"),
    "xl.area_ha": ("面积 (公顷)", "Area (ha)"),
    "xl.area_mu": ("面积 (亩)", "Area (mu)"),
    "xl.length_m": ("长度 (m)", "Length (m)"),
    "xl.lon": ("经度 (CGCS2000)", "Longitude (CGCS2000)"),
    "xl.lat": ("纬度 (CGCS2000)", "Latitude (CGCS2000)"),
    "xl.project_no": ("项目编号", "Project number"),
    "xl.builder": ("建设单位", "Developer"),
    "xl.eia_category": ("环评类别", "EIA category"),
    "xl.eia_item": ("名录条目", "名录 item"),
    "xl.note": ("备注", "Notes"),
    "xl.notice": ("数据说明", "Notice"),
    "xl.kind": ("类型", "Kind"),
    "xl.zone_id": ("区域编号", "Zone ID"),
    "xl.zone_name": ("区域名称", "Zone name"),
    "xl.zone_class": ("级别", "Class"),
    "xl.relation": ("关系", "Relation"),
    "xl.overlap_ratio": ("占选址比例", "Share of site"),
    "xl.distance_m": ("距离 (m)", "Distance (m)"),
    "xl.rule_id": ("规则编号", "Rule"),
    "xl.rule_title": ("规则标题", "Rule title"),
    "xl.rule_text": ("规则内容", "Rule text"),
    "xl.basis": ("依据", "Basis"),
    "xl.catalog": ("规则来源", "Rule source"),
    "xl.matched_rules": ("命中规则", "Rules matched"),
    "xl.n_cited": ("引用次数", "Findings citing it"),
    "xl.unit_code": ("单元编码", "Unit code"),
    "xl.unit_name": ("单元名称", "Unit name"),
    "xl.unit_class": ("单元类别", "Unit class"),
    "xl.dimension": ("管控维度", "Dimension"),
    "xl.number": ("序号", "No."),
    "xl.clause_id": ("条款编号", "Clause ID"),
    "xl.scope": ("适用范围", "Scope"),
    "xl.clause_verdict": ("结构化结论", "Structured verdict"),
    "xl.clause": ("条款内容", "Clause"),
    "xl.sites_touching": ("涉及选址数", "Sites touching"),
    "xl.sites_matched": ("命中选址数", "Sites matched"),
    "xl.item": ("项目", "Item"),
    "xl.value": ("内容", "Value"),
    "xl.geom.Point": ("点", "point"),
    "xl.geom.MultiPoint": ("多点", "multipoint"),
    "xl.geom.LineString": ("线", "line"),
    "xl.geom.MultiLineString": ("多线", "multiline"),
    "xl.geom.Polygon": ("面", "polygon"),
    "xl.geom.MultiPolygon": ("多面", "multipolygon"),
    "xl.about.notice": ("数据说明", "Notice"),
    "xl.about.report": ("报告", "Report"),
    "xl.about.layer": ("图层：{kind}", "Layer: {kind}"),
    "xl.about.zones": ("{n} 个区域", "{n} zones"),
    "xl.about.catalog": ("规则目录：{name}", "Rule catalogue: {name}"),
    "xl.about.disclaimer": ("声明", "Disclaimer"),
    "report.page_of": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
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
