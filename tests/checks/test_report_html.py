import re
import subprocess
import sys
from pathlib import Path

import pytest

from checks.i18n import (
    STRINGS,
    action_label,
    format_number,
    format_ratio,
    kind_label,
    relation_label,
    t,
)
from checks.report_html import render_report_html
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
    official = render_report_html(fake_result(illustrative=False))
    assert notice not in official
    assert 'class="banner"' not in official


def test_script_injection_is_escaped(html_zh):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_zh
    assert EVIL not in html_zh
    assert "<script" not in html_zh.lower()


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
    assert "S4" not in details
    assert "S5" in details  # errors are detailed


def test_english(html_zh):
    html_en = render_report_html(fake_result(), lang="en")
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
    html = render_report_html(fake_result(), max_detail_sites=1)
    assert "另有 3 个有发现或错误的选址未列出详情（上限 1 个）" in html
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
        render_report_html(fake_result(), **kwargs)


def test_checks_does_not_import_folium():
    code = (
        "import sys, checks.report_html, checks.i18n; "
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
