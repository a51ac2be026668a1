import re
import subprocess
import sys
from pathlib import Path

import pytest

from redline.checks.outputs.report_html import render_report_html
from redline.zones.labels import (
    STRINGS,
    action_label,
    format_number,
    format_ratio,
    kind_label,
    relation_label,
    t,
)
from tests.maps._fake_result import EVIL, fake_result


@pytest.fixture(scope="module")
def html_zh() -> str:
    return render_report_html(fake_result())


def test_title_and_verdicts_in_chinese(html_zh):
    assert "选址生态环境敏感区冲突研判报告" in html_zh
    for label in ("禁止", "限制/需论证", "需关注", "未发现冲突", "无法检查"):
        assert label in html_zh
    assert '<span class="badge prohibited">禁止</span>' in html_zh
    assert '<html lang="zh-CN">' in html_zh


def test_header_records_layers_rules_and_run(html_zh):
    assert "示例 — 钦州城乡融合发展试验区" in html_zh
    assert "water_source.gpkg" in html_zh
    assert "77617465725f736f" in html_zh  # first 16 hex of the fingerprint
    assert "sha256:" not in html_zh
    assert "国家法定规则" in html_zh and "2026-11" in html_zh
    assert "与选址距离在 1,000 m 以内但不相交的区域报告为「邻近」" in html_zh
    assert "EPSG:4490" in html_zh
    assert "0.1.0" in html_zh
    assert "2026-09-01T10:00:00+08:00" in html_zh


def test_illustrative_banner_only_when_illustrative(html_zh):
    notice = "示意数据，非官方数据，不得用于实际审查"
    assert 'class="banner"' in html_zh and notice in html_zh
    official = render_report_html(fake_result(illustrative=False), site_maps=False)
    assert notice not in official
    assert 'class="banner"' not in official


def _scripts(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.DOTALL | re.IGNORECASE)


def test_script_injection_is_escaped(html_zh):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_zh
    assert EVIL not in html_zh
    # the only script is the table sorter, and no text from a layer or a site is inside it
    scripts = _scripts(html_zh)
    assert len(scripts) == 1 and "sortable" in scripts[0]
    assert html_zh.lower().count("<script") == 1
    assert "alert" not in scripts[0]


def test_numbers_are_formatted(html_zh):
    assert "1,234,567.9" in html_zh  # overlap area, thousands separators, 1 decimal
    assert "45.7%" in html_zh  # ratio as a percentage
    assert "512.3" in html_zh  # distance
    assert "523,456.8" in html_zh  # site area
    assert not re.search(r">\s*nan\s*<", html_zh, re.IGNORECASE)
    assert '<td class="num">—</td>' in html_zh  # missing values show as em dash


def test_findings_table_labels(html_zh):
    for header in (
        "类型",
        "区域",
        "级别",
        "关系",
        "重叠面积 (m²)",
        "重叠比例",
        "重叠长度 (m)",
        "距离 (m)",
        "结论",
        "规则",
        "规则内容",
        "依据",
    ):
        assert f">{header}</th>" in html_zh
    for label in ("位于区内", "部分重叠", "邻近", "一级保护区", "重点管控单元"):
        assert label in html_zh
    assert "WS-1 武利江水源一级保护区" in html_zh
    assert "WS01" in html_zh and "第三百一十九条" in html_zh


def test_project_and_error_shown(html_zh):
    assert "C3360 金属表面处理及热处理加工" in html_zh
    assert "必要的线性基础设施；供水设施" in html_zh
    for action in ("新建", "扩建", "改建"):
        assert action in html_zh
    assert "无法解析坐标 &#39;abc&#39;" in html_zh


def test_summary_counts_per_verdict_and_kind(html_zh):
    summary = html_zh.split('<section class="summary">')[1].split("</section>")[0]
    counts = re.findall(r'<td class="num">(\d+)</td>', summary)
    assert counts[:6] == ["1", "1", "1", "1", "1", "5"]
    assert "生态保护红线" in summary and "饮用水水源保护区" in summary
    assert "永久基本农田" not in summary  # no findings of that kind


def test_clear_sites_have_no_detail(html_zh):
    details = html_zh.split('<section class="details">')[1]
    headings = re.findall(r"<h3>(S\d)", details)
    assert headings == ["S1", "S2", "S3", "S5"]  # errors are detailed, clear S4 is not


def test_english(html_zh):
    html_en = render_report_html(fake_result(), lang="en", site_maps=False)
    assert "Site screening conflict report" in html_en
    for header in (
        "Kind",
        "Zone",
        "Class",
        "Relation",
        "Overlap area (m²)",
        "Verdict",
        "Rule text",
        "Basis",
        "Site ID",
    ):
        assert f">{header}</th>" in html_en
    assert "Illustrative data — not official; do not use for a real review" in html_en
    assert ">prohibited</span>" in html_en
    assert "first-level zone" in html_en
    assert "选址生态环境敏感区冲突研判报告" not in html_en


def test_no_findings_at_all():
    r = fake_result()
    r.findings = r.findings.iloc[:0]
    r.sites = r.sites[r.sites["status"] == "ok"]
    r.sites["n_findings"] = 0
    r.sites["verdict"] = "clear"
    html = render_report_html(r)
    assert "未发现任何敏感区。" in html
    assert "没有发现冲突或错误的选址。" in html


def test_detail_cap_says_how_many_were_left_out():
    html = render_report_html(fake_result(), max_detail_sites=1, site_maps=False)
    assert "另有 3 个结论不是「未发现冲突」的选址未列出详情（上限 1 个，按结论从重到轻）" in html
    details = html.split('<section class="details">')[1]
    assert "S1" in details and 'id="site-2"' not in details


def test_self_contained_and_printable(html_zh):
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html_zh)
    assert "http://" not in html_zh and "https://" not in html_zh
    assert "<link" not in html_zh and "@import" not in html_zh
    assert "@media print" in html_zh and "size: A4" in html_zh
    assert "page-break" in html_zh


def test_footer(html_zh):
    assert "《中华人民共和国生态环境法典》（2026年8月15日起施行）" in html_zh
    assert "不是行政决定" in html_zh


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lang": "fr"}, "unknown language 'fr'; use one of zh, en"),
        ({"max_detail_sites": -1}, "max_detail_sites must be 0 or more, got -1"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        render_report_html(fake_result(), site_maps=False, **kwargs)


def test_checks_does_not_import_folium():
    code = (
        "import sys, redline.checks.outputs.report_html, redline.zones.labels; "
        "assert 'folium' not in sys.modules and 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_i18n_strings_and_labels():
    assert t("summary_line", n=5, prohibited=1, restricted=1, review=1, clear=1, error=1) == (
        "共检查 5 个选址：禁止 1，限制 1，需关注 1，未发现冲突 1，错误 1"
    )
    assert t("illustrative_notice", "en") == ("Illustrative data — not official; do not use for a real review")
    assert relation_label("inside") == "位于区内"
    assert relation_label("overlaps", "en") == "overlaps"
    assert format_number(1234.56) == "1,234.6"
    assert format_number(None) == format_number(float("nan")) == format_number("") == "—"
    assert format_ratio(0.5) == "50.0%"
    assert kind_label("no_such_kind") == "no_such_kind"
    assert action_label(None) == "新建"
    assert set(STRINGS) >= {"col.kind", "col.zone", "col.class", "col.relation", "col.basis"}
    assert all(len(pair) == 2 and all(pair) for pair in STRINGS.values())


def test_i18n_errors():
    with pytest.raises(KeyError, match="no UI string 'nope'"):
        t("nope")
    with pytest.raises(ValueError, match="unknown language 'de'"):
        t("report_title", "de")


# ---------------------------------------------------------------------------
# Access lists (生态环境准入清单) and catalogue labels, on a real screening run.

KEY, GENERAL, PRIORITY = "ZH45072120001", "ZH45072130001", "ZH45072110001"
PLATING = "禁止新建电镀项目（电镀集中区除外）。"
ACCESS_ROWS = [
    # unit_code, dimension, clause, verdict, industries, tags, actions
    (KEY, "空间布局约束", "园区内禁止引入化学制浆项目。", "prohibited", "C2211", "", ""),
    (KEY, "空间布局约束", PLATING, "prohibited", "C3360", "", "new"),
    (KEY, "污染物排放管控", "新建项目主要污染物排放执行特别排放限值。", "", "", "", ""),
    (KEY, "环境风险防控", "涉重金属企业须编制突发环境事件应急预案。", "restricted", "涉重金属", "", ""),
    (PRIORITY, "空间布局约束", EVIL, "", "", "", ""),
    ("general", "空间布局约束", "一般管控单元执行区域生态环境保护的基本要求。", "", "", "", ""),
    ("*", "资源开发效率要求", "新建项目单位产品水耗达到国内先进水平。", "", "", "", ""),
    ("*", "环境风险防控", "设置排污口的项目须开展环境风险评估。", "review", "", "sets_outfall", ""),
]
SITES = [
    # site id, name, point, industry
    ("A", "电镀厂", (109.33, 22.25), "C3360"),
    ("B", "淀粉厂", (109.37, 22.25), "C1391"),
    ("C", "一般单元项目", (109.45, 22.25), "C1391"),
    ("D", "红线内项目", (109.25, 22.25), "C1391"),
]


def _access_result(tmp_path_factory):
    import pandas as pd
    from shapely import Point, box

    from redline.checks.screen import screen_sites
    from redline.checks.sites.reader import sites_from_geometries
    from redline.layers import load_layerset
    from tests.conftest import write_layerset

    folder = tmp_path_factory.mktemp("units")
    cols = ["unit_code", "dimension", "clause", "verdict", "industries", "tags", "actions"]
    pd.DataFrame(ACCESS_ROWS, columns=cols).to_csv(folder / "access_list.csv", index=False)
    units = [
        (PRIORITY, "priority", box(109.20, 22.20, 109.30, 22.30)),
        (KEY, "key", box(109.30, 22.20, 109.40, 22.30)),
        (GENERAL, "general", box(109.40, 22.20, 109.50, 22.30)),
    ]
    manifest = write_layerset(
        folder,
        {"control_unit": units, "ecological_redline": [("RL-1", "other", box(109.24, 22.24, 109.26, 22.26))]},
        extra={"control_unit": {"access_list": "access_list.csv"}},
        top={"catalogs": ["qinzhou_pilot"]},
    )
    layerset = load_layerset(manifest)
    df = pd.DataFrame({"id": [s[0] for s in SITES], "name": [s[1] for s in SITES], "industry": [s[3] for s in SITES]})
    sites = sites_from_geometries(
        [Point(*s[2]) for s in SITES], "EPSG:4490", df=df, columns={"id": "id", "name": "name", "industry": "industry"}
    )
    return screen_sites(sites, layerset, buffer_m=0)


@pytest.fixture(scope="module")
def access_result(tmp_path_factory):
    return _access_result(tmp_path_factory)


@pytest.fixture(scope="module")
def access_html(access_result):
    return render_report_html(access_result, site_maps=False)


def _site_block(html: str, site_id: str) -> str:
    details = html.split('<section class="details">')[1].split("</section>")[0]
    for block in details.split('<div class="site"')[1:]:
        if re.search(rf">{site_id}( |<)", block.split("</h3>")[0]):
            return block
    raise AssertionError(f"no detail block for site {site_id}")


def _unit_sections(block: str) -> dict[str, str]:
    """Unit code -> its access-list section within one site block."""
    out = {}
    for part in block.split('<div class="access-list"')[1:]:
        title = re.search(r"<h4>(.*?)</h4>", part).group(1)
        out[title.split()[1]] = part
    return out


def _groups(section: str) -> dict[str, list[tuple[str, str, str, bool]]]:
    """Dimension label -> [(number, scope, clause id, highlighted)]; a （无） group is empty."""
    groups = {}
    for part in section.split('<th class="dimension" colspan="4">')[1:]:
        label, body = part.split("</th>", 1)
        rows = re.findall(
            r'<tr class="clause( applies)?">\s*<td class="num clause-no">(\d+)</td>\s*<td class="scope">(.*?)</td>'
            r'.*?<code class="muted">(.*?)</code>',
            body.split("</tbody>")[0],
            re.DOTALL,
        )
        groups[label] = [(n, scope, cid, bool(hl)) for hl, n, scope, cid in rows]
        if not rows:
            assert '<td class="none" colspan="4">（无）</td>' in body
    return groups


def test_access_list_by_dimension_with_numbers_and_scopes(access_html):
    sections = _unit_sections(_site_block(access_html, "B"))
    assert list(sections) == [KEY]
    assert "<h4>管控单元 ZH45072120001 ZH45072120001 区（重点管控单元）生态环境准入清单</h4>" in access_html
    groups = _groups(sections[KEY])
    assert list(groups) == ["空间布局约束", "污染物排放管控", "环境风险防控", "资源开发效率要求"]
    assert [(n, s) for n, s, _, _ in groups["空间布局约束"]] == [("1", "本单元"), ("2", "本单元")]
    assert [(n, s) for n, s, _, _ in groups["污染物排放管控"]] == [("1", "本单元")]
    assert [(n, s, c) for n, s, c, _ in groups["环境风险防控"]] == [
        ("1", "本单元", f"{KEY}/环境风险防控/1"),
        ("1", "全部单元", "*/环境风险防控/1"),
    ]
    assert [(n, s) for n, s, _, _ in groups["资源开发效率要求"]] == [("1", "全部单元")]
    # unstructured clauses are shown in full, with a note instead of a badge
    assert "新建项目主要污染物排放执行特别排放限值。" in sections[KEY]
    assert "未结构化，需人工核对" in sections[KEY]
    assert '<span class="badge prohibited">禁止</span>' in sections[KEY]


def test_highlight_only_the_matched_clause_for_the_matching_site(access_html, access_result):
    matched_a = access_result.findings.set_index("site_id").loc["A", "matched_rules"]
    assert f"{KEY}/空间布局约束/2" in matched_a
    plating_id = f"{KEY}/空间布局约束/2"

    a = _groups(_unit_sections(_site_block(access_html, "A"))[KEY])
    highlighted_a = {cid for rows in a.values() for _, _, cid, hl in rows if hl}
    assert plating_id in highlighted_a
    assert f"{KEY}/空间布局约束/1" not in highlighted_a  # 化学制浆 does not apply to electroplating
    assert highlighted_a <= set(matched_a.split(";"))
    section_a = _unit_sections(_site_block(access_html, "A"))[KEY]
    row = re.search(r'<tr class="clause applies">(?:(?!</tr>).)*' + re.escape(PLATING), section_a, re.DOTALL)
    assert row and "✔ 适用于本项目" in row.group(0)

    b = _groups(_unit_sections(_site_block(access_html, "B"))[KEY])
    assert not any(hl for rows in b.values() for *_, hl in rows)
    section_b = _unit_sections(_site_block(access_html, "B"))[KEY]
    assert PLATING in section_b and "✔ 适用于本项目" not in section_b
    assert "共 6 条，其中 0 条适用于本项目" in section_b


def test_empty_dimension_shows_none(access_html):
    sections = _unit_sections(_site_block(access_html, "C"))
    assert list(sections) == [GENERAL]
    groups = _groups(sections[GENERAL])
    assert groups["污染物排放管控"] == []
    assert [(n, s) for n, s, _, _ in groups["空间布局约束"]] == [("1", "同类单元（一般管控单元）")]
    assert "（一般管控单元）生态环境准入清单" in sections[GENERAL].split("</h4>")[0]


def test_only_touched_units_of_detailed_sites_get_a_section(access_html):
    assert access_html.count('<div class="access-list"') == 4  # one unit per site
    html = render_report_html(fake_result(), site_maps=False)  # S3 is only near its unit: no access list
    assert 'class="access-list"' not in html


def test_access_list_clause_text_is_escaped(access_html):
    section = _unit_sections(_site_block(access_html, "D"))[PRIORITY]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert EVIL not in access_html
    assert access_html.lower().count("<script") == 1  # the table sorter only


def test_catalogue_labels_and_regional_catalogue_in_header(access_html, access_result):
    from redline.zones.rules import bundled_catalog_path, load_catalog

    pilot = load_catalog(bundled_catalog_path("qinzhou_pilot"))
    title, version = pilot.titles["qinzhou_pilot"], pilot.versions["qinzhou_pilot"]
    header = access_html.split("</header>")[0]
    assert "<code>qinzhou_pilot</code>" in header and title in header and version in header
    assert "<code>national</code>" in header and "国家法定规则" in header
    assert "access_list.csv（control_unit.gpkg，8 条，SHA-256 " in header
    # RL01 comes from the regional catalogue, the electroplating clause from the access list
    d = _site_block(access_html, "D")
    assert re.search(r'<code>RL01</code><br><span class="catalog">' + re.escape(title) + "</span>", d)
    a = _site_block(access_html, "A").split('<div class="access-list"')[0]
    assert f'<code>{KEY}/空间布局约束/2</code><br><span class="catalog">准入清单 access_list.csv</span>' in a
    html = render_report_html(fake_result(), site_maps=False)
    assert '<code>WS01</code><br><span class="catalog">国家法定规则</span>' in html


def test_access_list_in_english(access_result):
    html = render_report_html(access_result, lang="en")
    assert (
        f"<h4>Control unit {KEY} {KEY} 区 (key control unit): environmental access list (生态环境准入清单)</h4>" in html
    )
    for label in (
        "空间布局约束 (Spatial layout constraints)",
        "污染物排放管控 (Pollutant discharge control)",
        "环境风险防控 (Environmental risk prevention)",
        "资源开发效率要求 (Resource efficiency requirements)",
    ):
        assert f'<th class="dimension" colspan="4">{label}</th>' in html
    assert "✔ applies to this project" in html and "✔ 适用于本项目" not in html
    assert "every general control unit" in html and "all units" in html and "this unit" in html
    assert '<td class="none" colspan="4">(none)</td>' in html
    assert '<span class="catalog">access list access_list.csv</span>' in html


def test_access_report_self_contained_and_printable(access_html):
    assert "http://" not in access_html and "https://" not in access_html
    assert "<link" not in access_html and access_html.lower().count("<script") == 1
    assert "tr.applies td" in access_html and "print-color-adjust: exact" in access_html


# ---------------------------------------------------------------------------
# Static site maps, detail selection, the sortable and capped site table.


def _images(html: str) -> list[bytes]:
    import base64

    return [base64.b64decode(m) for m in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def test_each_detailed_site_with_geometry_has_a_map_image(html_zh):
    images = _images(html_zh)
    assert len(images) == 3  # S1, S2, S3 (S5 has no geometry; S4 is clear)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in images)
    assert html_zh.count('<figure class="site-map">') == 3
    assert "图 1　S1 电镀厂：选址、周边敏感区、重叠部分与 1,000 m 缓冲区" in html_zh
    assert 'alt="选址位置与周边敏感区示意图 — S2 &lt;script&gt;' in html_zh  # alt text escaped too
    assert "break-inside: avoid" in html_zh


def test_images_are_reused_not_redrawn():
    html = render_report_html(fake_result(), images={"S1": b"\x89PNG-fake"})
    assert len(_images(html)) == 1
    assert render_report_html(fake_result(), site_maps=False).count("<img") == 0


def test_details_cover_non_clear_sites_worst_first():
    from redline.checks.outputs.report_html import detail_site_ids

    ids, omitted = detail_site_ids(fake_result())
    assert ids == ["S1", "S2", "S3", "S5"] and omitted == 0  # prohibited, restricted, review, error; S4 is clear
    assert detail_site_ids(fake_result(), 2) == (["S1", "S2"], 2)


def test_a_single_clear_site_is_still_detailed():
    from redline.checks.outputs.report_html import detail_site_ids

    r = fake_result()
    r.sites = r.sites[r.sites["site_id"] == "S4"].reset_index(drop=True)
    r.findings = r.findings.iloc[:0]
    assert detail_site_ids(r) == (["S4"], 0)
    html = render_report_html(r)
    assert 'id="site-1"' in html and len(_images(html)) == 1


def test_site_table_is_sortable_and_links_to_details(html_zh):
    table = html_zh.split('<table class="sites sortable">')[1].split("</table>")[0]
    assert '<th data-type="num">结论</th>' in table
    assert '<td data-v="0"><span class="badge prohibited">禁止</span></td>' in table
    assert '<a href="#site-1">S1</a>' in table and '<a href="#site-2">S2</a>' in table
    assert ">S4<" in table and 'href="#site-5"' not in table  # S4 is clear: no detail to link to
    assert "点击表头可排序" in html_zh and ".screen-only { display: none; }" in html_zh


def test_site_table_is_capped_worst_first_with_a_note():
    html = render_report_html(fake_result(), max_table_sites=2, site_maps=False)
    assert "共 5 个选址，此处仅列出结论最严重的 2 个" in html
    table = html.split('<table class="sites sortable">')[1].split("</table>")[0]
    assert re.findall(r'<tr><td><a href="#site-\d+">(S\d)</a>', table) == ["S1", "S2"]
    assert render_report_html(fake_result(), site_maps=False).count("此处仅列出") == 0
    with pytest.raises(ValueError, match="max_table_sites must be 0 or more, got -1"):
        render_report_html(fake_result(), max_table_sites=-1)


def test_report_context_is_plain_data():
    from redline.checks.outputs.report_html import report_context

    ctx = report_context(fake_result(), site_maps=False)
    assert [d["site_id"] for d in ctx["details"]] == ["S1", "S2", "S3", "S5"]
    assert ctx["table_total"] == 5 and ctx["omitted"] == 0 and ctx["illustrative"] is True
    assert ctx["details"][1]["name"] == EVIL  # raw here: the template and the docx writer escape


def test_english_report_maps_and_captions():
    html = render_report_html(fake_result(), lang="en")
    assert "Figure 1. S1 电镀厂: the site, nearby zones, the overlap and the 1,000 m buffer" in html
    assert "Click a column heading to sort" in html
