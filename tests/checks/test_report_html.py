"""The HTML 研判报告: structure, escaping, self-containment, print styles, access lists, English."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from redline.checks.outputs.report_html import detail_site_ids, render_report_html, report_model
from redline.zones.labels import STRINGS, action_label, format_number, format_ratio, kind_label, relation_label, t
from tests.maps._fake_result import EVIL, fake_result


@pytest.fixture(scope="module")
def html_zh() -> str:
    return render_report_html(fake_result())


def _single(site_id: str = "S2"):
    r = fake_result()
    r.sites = r.sites[r.sites["site_id"] == site_id].reset_index(drop=True)
    r.findings = r.findings[r.findings["site_id"] == site_id].reset_index(drop=True)
    return r


def test_title_verdict_tags_and_language(html_zh):
    assert "<h1>选址生态环境敏感区冲突研判报告</h1>" in html_zh
    for label in ("禁止", "限制/需论证", "需关注", "未发现冲突", "无法检查"):
        assert label in html_zh
    assert '<span class="tag prohibited">禁止</span>' in html_zh
    assert '<html lang="zh-CN">' in html_zh
    assert "报告日期：2026年9月1日" in html_zh


def test_batch_layout_summary_first_then_sites_opinion_appendix(html_zh):
    order = [
        html_zh.index("<h2>一、总体情况</h2>"),
        html_zh.index("<h2>二、逐址研判</h2>"),
        html_zh.index("<h2>三、审查意见</h2>"),
        html_zh.index("<h2>附录　数据来源、规则与运行记录</h2>"),
    ]
    assert order == sorted(order)
    assert "本次共研判 5 个选址：禁止 1，限制/需论证 1，需关注 1，未发现冲突 1，无法检查 1。" in html_zh
    # one article per site whose verdict is not clear, worst first; the clear S4 has none
    assert re.findall(r'<article class="site" id="site-\d+">\s*<h3>（\d+）(S\d)', html_zh) == ["S1", "S2", "S3", "S5"]
    assert "以下列出" not in html_zh


def test_single_site_layout_numbers_the_parts():
    html = render_report_html(_single(), site_maps=False)
    parts = [
        "一、项目基本信息",
        "二、研判结论与建议",
        "三、符合性分析",
        "四、审查意见",
        "附录　数据来源、规则与运行记录",
    ]
    positions = [html.index(f"<h2>{p}</h2>") for p in parts]
    assert positions == sorted(positions)
    assert "总体情况" not in html and "选址一览" not in html  # one site: no batch summary
    assert '<p class="subtitle">S2 &lt;script&gt;' in html
    assert "（一）生态保护红线" in html  # the kind's section


def test_project_information(html_zh):
    info = html_zh.split('id="site-1"')[1].split("</table>")[0]
    for label, value in (
        ("项目名称", "电镀厂"),
        ("选址编号", "S1"),
        ("行业类别", "C3360 金属表面处理及热处理加工"),
        ("建设性质", "新建"),
        ("所在位置", "未能确定"),
        ("中心坐标", "东经 109°18′18.00″，北纬 22°18′18.00″"),
    ):
        assert re.search(rf"<th>{label}</th><td>{re.escape(value)}", info), label
    assert "109.305000°E, 22.305000°N；CGCS2000（EPSG:4490）" in info
    s2 = html_zh.split('id="site-2"')[1].split("</table>")[0]
    assert "523,456.8 m²（52.35 公顷，785.19 亩）" in s2
    s3 = html_zh.split('id="site-3"')[1].split("</table>")[0]
    assert "2,057.3 m（2.06 km）" in s3 and "必要的线性基础设施；供水设施" in s3


def test_conclusion_first_with_reasons_and_next_steps(html_zh):
    s2 = html_zh.split('id="site-2"')[1].split('id="site-3"')[0]
    conclusion = s2.index("研判结论：")
    assert conclusion < s2.index("三、符合性分析") if "三、符合性分析" in s2 else True
    assert "与生态保护红线重叠 123.46 公顷（1,851.85 亩），占选址面积 45.7%" in s2
    assert "研判结论：限制/需论证。生态保护红线——ER01" in s2
    assert "论证：就生态保护红线开展专题论证" in s2 and "依法报批" in s2
    s1 = html_zh.split('id="site-1"')[1].split('id="site-2"')[0]
    assert "避让：调整选址，避让饮用水水源保护区" in s1


def test_overview_and_kind_totals(html_zh):
    s2 = html_zh.split('id="site-2"')[1].split('id="site-3"')[0]
    overview = s2.split('<table class="overview">')[1].split("</table>")[0]
    assert "重叠 123.46 公顷（1,851.85 亩），占选址面积 45.7%，1 处" in overview
    assert '<span class="tag restricted">需论证</span>' in overview
    assert "不涉及（1,000 m 范围内未发现）" in overview  # the core kinds it does not touch
    totals = s2.split('<table class="totals">')[1].split("</table>")[0]
    for cell in ("1,234,567.9", "123.46", "1,851.85", "45.7%"):
        assert f'<td class="num">{cell}</td>' in totals
    assert "<details" in s2 and "明细（1 条）" in s2


def test_rule_text_once_per_kind():
    r = fake_result()
    extra = r.findings.iloc[[0]].copy()
    extra["zone_id"] = "WS-9"
    r.findings = type(r.findings)(
        __import__("pandas").concat([r.findings, extra], ignore_index=True), crs=r.findings.crs
    )
    html = render_report_html(r, site_maps=False)
    assert html.count("禁止在饮用水水源一级保护区内新建与供水设施和保护水源无关的建设项目") == 1
    assert "（2 处）" in html  # the rule, cited by two findings, is printed once


def test_times_in_beijing_time():
    r = fake_result()
    r.meta["created"] = "2026-09-01T02:00:00+00:00"
    html = render_report_html(r, site_maps=False)
    assert "2026-09-01 10:00:00（北京时间）" in html
    assert "+00:00" not in html


def test_opinion_box_and_signatures(html_zh):
    opinion = html_zh.split('<section class="opinion">')[1].split("</section>")[0]
    assert '<div class="opinion-box">（由审查人员填写审查意见）</div>' in opinion
    for label in ("经办人：", "审核人：", "日期："):
        assert label in opinion


def test_appendix_records_layers_rules_and_run(html_zh):
    appendix = html_zh.split('<section class="appendix">')[1]
    for needle in (
        "示例 — 钦州城乡融合发展试验区",
        "water_source.gpkg",
        "77617465725f736f",  # first 16 hex of the fingerprint
        "国家法定规则（national）版本 2026-11",
        "与选址距离在 1,000 m 以内但不相交的区域报告为「邻近」",
        "EPSG:4490",
        "redline-checker 0.1.0",
        "2026-09-01 10:00:00（北京时间）",
        "示意数据，非官方数据，不得用于实际审查",
        "不是行政决定",
    ):
        assert needle in appendix, needle
    assert "sha256:" not in html_zh
    # a batch prints the rules it cites once, in the appendix
    assert "所引规则原文" in appendix and "一级保护区禁建" in appendix


def test_illustrative_banner_only_when_illustrative(html_zh):
    notice = "示意数据，非官方数据，不得用于实际审查"
    assert 'class="banner"' in html_zh and notice in html_zh
    official = render_report_html(fake_result(illustrative=False), site_maps=False)
    assert notice not in official and 'class="banner"' not in official


def _scripts(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.DOTALL | re.IGNORECASE)


def test_script_injection_is_escaped(html_zh):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_zh
    assert EVIL not in html_zh
    scripts = _scripts(html_zh)
    assert len(scripts) == 1 and "sortable" in scripts[0] and "alert" not in scripts[0]


def test_numbers_are_formatted(html_zh):
    assert "1,234,567.9" in html_zh and "45.7%" in html_zh and "512 m" in html_zh
    assert not re.search(r">\s*nan\s*<", html_zh, re.IGNORECASE)


def test_no_findings_at_all():
    r = fake_result()
    r.findings = r.findings.iloc[:0]
    r.sites = r.sites[r.sites["status"] == "ok"]
    r.sites["n_findings"] = 0
    r.sites["verdict"] = "clear"
    html = render_report_html(r)
    assert "未发现任何敏感区。" in html and "没有发现冲突或错误的选址。" in html


def test_a_single_clear_site_is_reported_without_a_batch_sentence():
    r = _single("S4")
    assert detail_site_ids(r) == (["S4"], 0)
    html = render_report_html(r)
    assert "研判结论：未发现冲突。" in html
    assert "以下列出" not in html and "个结论不是" not in html
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 1


def test_detail_cap_says_how_many_were_left_out():
    html = render_report_html(fake_result(), max_detail_sites=1, site_maps=False)
    assert "另有 3 个结论不是「未发现冲突」的选址未列出详情（上限 1 个，按结论从重到轻）" in html
    assert 'id="site-2"' not in html


def test_self_contained_and_printable(html_zh):
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html_zh)
    assert "http://" not in html_zh and "https://" not in html_zh
    assert "<link" not in html_zh and "@import" not in html_zh
    assert "@media print" in html_zh and "size: A4 portrait" in html_zh
    assert 'content: "第 " counter(page) " 页，共 " counter(pages) " 页"' in html_zh
    assert "table-layout: fixed" in html_zh and "<colgroup>" in html_zh  # no one-character columns
    assert "thead { display: table-header-group; }" in html_zh


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lang": "fr"}, "unknown language 'fr'; use one of zh, en"),
        ({"max_detail_sites": -1}, "max_detail_sites must be 0 or more, got -1"),
        ({"max_table_sites": -1}, "max_table_sites must be 0 or more, got -1"),
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
    assert relation_label("inside") == "位于区内" and relation_label("overlaps", "en") == "overlaps"
    assert format_number(1234.56) == "1,234.6" and format_ratio(0.5) == "50.0%"
    assert kind_label("no_such_kind") == "no_such_kind" and action_label(None) == "新建"
    assert all(len(pair) == 2 and all(pair) for pair in STRINGS.values())


def test_i18n_errors():
    with pytest.raises(KeyError, match="no UI string 'nope'"):
        t("nope")
    with pytest.raises(ValueError, match="unknown language 'de'"):
        t("report_title", "de")


def test_english():
    html = render_report_html(fake_result(), lang="en", site_maps=False)
    assert "Site screening conflict report" in html and '<html lang="en">' in html
    for text in ("1 Overview", "2 Site by site", "3 Review opinion", "Project information", "Conclusion"):
        assert text in html, text
    assert "Illustrative data — not official; do not use for a real review" in html
    assert '<span class="tag prohibited">prohibited</span>' in html
    assert "523,456.8 m² (52.35 ha, 785.19 mu)" in html
    assert "Prepared by:" in html and "Reviewed by:" in html
    assert "选址生态环境敏感区冲突研判报告" not in html and "北京时间" not in html


# ---------------------------------------------------------------------------
# Access lists (生态环境准入清单) judged clause by clause, on a real screening run.

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
    for block in html.split('<article class="site"')[1:]:
        if re.search(rf"<h3>（\d+）{site_id} ", block):
            return block.split("</article>")[0]
    raise AssertionError(f"no section for site {site_id}")


def _clause_rows(block: str) -> list[tuple[str, str, bool]]:
    """(clause id, conformity, matched) of every clause row in a site's access-list tables."""
    rows = re.findall(
        r'<tr class="clause( matched)?">.*?<code>(.*?)</code>.*?<span class="tag \w+">(.*?)</span>', block, re.DOTALL
    )
    return [(cid, conformity, bool(matched)) for matched, cid, conformity in rows]


def test_each_clause_of_the_touched_unit_is_judged(access_html):
    block = _site_block(access_html, "A")
    assert f"管控单元 {KEY} {KEY} 区（重点管控单元）生态环境准入清单" in block
    rows = dict((cid, (conf, matched)) for cid, conf, matched in _clause_rows(block))
    assert rows[f"{KEY}/空间布局约束/2"] == ("不符合", True)  # 禁止新建电镀项目, matched by the screen
    assert rows[f"{KEY}/空间布局约束/1"][0] in ("不适用", "符合")  # 化学制浆 is not electroplating
    assert len(rows) == 6  # its own 4 clauses and the 2 for every unit
    for dimension in ("空间布局约束", "污染物排放管控", "环境风险防控", "资源开发效率要求"):
        assert f'<th class="dimension" colspan="4">{dimension}</th>' in block
    assert "「★」为筛查命中的条款" in block


def test_clause_matched_only_for_the_matching_site(access_html):
    b = _clause_rows(_site_block(access_html, "B"))
    assert not any(matched for cid, _, matched in b if cid == f"{KEY}/空间布局约束/2")  # a starch plant is no plating
    assert PLATING in _site_block(access_html, "B")


def test_class_scope_and_escaping_in_clauses(access_html):
    c = _site_block(access_html, "C")
    assert "同类单元（一般管控单元） 第 1 条" in c
    d = _site_block(access_html, "D")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in d and EVIL not in access_html
    assert access_html.lower().count("<script") == 1


def test_catalogue_labels_in_rules_and_appendix(access_html):
    from redline.zones.rules import bundled_catalog_path, load_catalog

    pilot = load_catalog(bundled_catalog_path("qinzhou_pilot"))
    title, version = pilot.titles["qinzhou_pilot"], pilot.versions["qinzhou_pilot"]
    appendix = access_html.split('<section class="appendix">')[1]
    assert f"{title}（qinzhou_pilot）版本 {version}" in appendix
    assert "access_list.csv（control_unit.gpkg，8 条，SHA-256 " in appendix
    d = _site_block(access_html, "D")
    assert re.search(r"<code>RL01</code>.*?［" + re.escape(title) + "］", d, re.DOTALL)


def test_access_list_in_english(access_result):
    html = render_report_html(access_result, lang="en", site_maps=False)
    assert f"Control unit {KEY} {KEY} 区 (key control unit): environmental access list (生态环境准入清单)" in html
    assert '<th class="dimension" colspan="4">空间布局约束 (Spatial layout constraints)</th>' in html
    assert "does not conform" in html and "this unit, clause 2" in html


# ---------------------------------------------------------------------------
# Site maps and the sortable site table.


def _images(html: str) -> list[bytes]:
    import base64

    return [base64.b64decode(m) for m in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def test_each_detailed_site_with_geometry_has_a_map_image(html_zh):
    images = _images(html_zh)
    assert len(images) == 3  # S1, S2, S3 (S5 has no geometry; S4 is clear)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in images)
    assert "图 1　S1 电镀厂：选址、周边敏感区、重叠部分与 1,000 m 缓冲区" in html_zh
    assert 'alt="选址位置与周边敏感区示意图 — S2 &lt;script&gt;' in html_zh


def test_images_are_reused_not_redrawn():
    html = render_report_html(fake_result(), images={"S1": b"\x89PNG-fake"})
    assert len(_images(html)) == 1
    assert render_report_html(fake_result(), site_maps=False).count("<img") == 0


def test_site_table_is_sortable_and_links_to_sections(html_zh):
    table = html_zh.split('<table class="sites sortable">')[1].split("</table>")[0]
    assert '<th data-type="num">结论</th>' in table
    assert '<td data-v="0"><span class="tag prohibited">禁止</span></td>' in table
    assert '<a href="#site-1">S1</a>' in table and ">S4<" in table
    assert "饮用水水源保护区" in table  # its main issue
    assert "点击表头可排序" in html_zh


def test_site_table_is_capped_worst_first_with_a_note():
    html = render_report_html(fake_result(), max_table_sites=2, site_maps=False)
    assert "共 5 个选址，此处仅列出结论最严重的 2 个" in html
    table = html.split('<table class="sites sortable">')[1].split("</table>")[0]
    assert re.findall(r'<tr><td><a href="#site-\d+">(S\d)</a>', table) == ["S1", "S2"]


def test_report_model_is_plain_data():
    report = report_model(fake_result(), site_maps=False)
    assert [s.site_id for s in report.sites] == ["S1", "S2", "S3", "S5"]
    assert report.summary.table_total == 5 and report.omitted == 0 and report.illustrative is True
    assert report.sites[1].info[0].value == EVIL  # raw here: the template and the docx writer escape
