"""The report model both reports render: project information, conclusion, totals, places, times."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from shapely import Point, box

from redline.checks.outputs.location import Location, locate, town_from_name
from redline.checks.outputs.report_clauses import site_place
from redline.checks.outputs.report_model import build_report
from redline.checks.outputs.units import area_parts, format_area, format_datetime, format_share
from tests.maps._fake_result import fake_result


def _info(site) -> dict[str, str]:
    return {f.label: f.value for f in site.info}


@pytest.fixture(scope="module")
def sample_check():
    from redline.checks import check_site
    from redline.layers import load_layerset

    return check_site("109.4015,22.4923", load_layerset("sample"), industry="H6210")


def test_single_site_information_from_the_sample(sample_check):
    report = build_report(sample_check)
    assert report.single and report.summary is None
    site = report.sites[0]
    info = _info(site)
    assert info["项目名称"] == "（未提供）" and "选址编号" not in info  # the default id "site" is not shown
    assert site.title == "未命名项目" and report.subtitle == "未命名项目"
    assert info["行业类别"] == "H6210 正餐服务" and info["建设性质"] == "新建"
    assert info["所在位置"] == "灵山县武利镇"
    assert info["中心坐标"] == "东经 109°24′05.40″，北纬 22°29′32.28″"
    assert info["用地范围"] == "点位（未提供用地范围）"
    assert site.tag.label == "禁止"
    assert site.conclusion[-1].startswith("研判结论：禁止。饮用水水源保护区——WS01")
    assert site.steps[0] == "避让：调整选址，避让饮用水水源保护区，调整后重新研判。"
    assert site.sections[0].kind == "water_source"


def test_project_columns_when_given():
    r = fake_result()
    r.sites["project_name"] = ["武利江光伏电站", None, None, None, None]
    r.sites["builder"] = ["钦州某能源有限公司", None, None, None, None]
    r.sites["project_no"] = ["QZ-2026-001", None, None, None, None]
    r.sites["note"] = ["", "部分在图层覆盖范围外", "", "", ""]
    report = build_report(r)
    s1, s2 = report.sites[0], report.sites[1]
    info = _info(s1)
    assert info["项目名称"] == "武利江光伏电站" and info["建设单位"] == "钦州某能源有限公司"
    assert info["项目编号"] == "QZ-2026-001" and s1.title == "S1 武利江光伏电站"
    assert _info(s2)["备注"] == "部分在图层覆盖范围外" and "建设单位" not in _info(s2)
    assert report.summary.rows[0].name == "武利江光伏电站"


def test_eia_answer_when_present():
    r = fake_result()
    r.sites["eia_category"] = ["form", None, None, None, None]
    r.sites["eia_item"] = ["名录第97项", None, None, None, None]
    r.sites["eia_basis"] = ["依据说明", None, None, None, None]
    r.meta["eia"] = {"edition": "2021", "source": "生态环境部令第16号"}
    report = build_report(r)
    site = report.sites[0]
    eia = next(f for f in site.info if f.label == "环评类别")
    assert eia.value == "环境影响报告表（名录第97项）" and eia.note == "依据说明"
    assert any("环境影响报告表" in s for s in site.steps)
    assert any(f.label == "环评分类名录" and "2021" in f.value for f in report.appendix.run)


def test_totals_add_up_in_hectares_and_mu():
    r = fake_result()
    extra = r.findings.iloc[[3]].copy()
    extra["zone_id"], extra["overlap_area_m2"], extra["overlap_ratio"] = "ER-2", 4.7, 4.7 / 523456.78
    r.findings = type(r.findings)(pd.concat([r.findings, extra], ignore_index=True), crs=r.findings.crs)
    site = build_report(r).sites[1]
    section = site.sections[0]
    assert section.kind == "ecological_redline" and section.measure == "area"
    (row,) = [t for t in section.totals if not t.total]
    assert row.count == 2 and row.cells == [*area_parts(1234567.891 + 4.7), "45.7%"]
    assert [d.share for d in section.details] == ["45.7%", "<0.01%"]  # a real overlap never reads 0.0%
    assert len(section.rules) == 1 and section.rules[0].count == 2  # the rule once, cited twice


def test_overview_lists_every_core_kind_of_the_layer_set():
    site = build_report(fake_result()).sites[0]
    kinds = [o.kind for o in site.overview]
    assert kinds == ["ecological_redline", "water_source", "basic_farmland", "control_unit"]
    assert [o.tag.label for o in site.overview] == ["符合", "不符合", "符合", "符合"]


def test_no_coverage_is_not_reported_as_conforming():
    r = fake_result()
    r.sites.loc[3, "verdict"] = "no_coverage"
    r.sites["note"] = ["", "", "", "选址位于图层覆盖范围之外", ""]
    report = build_report(r)
    s4 = next(s for s in report.sites if s.site_id == "S4")  # detailed: its verdict is not clear
    assert {o.tag.css for o in s4.overview} == {"no_coverage"}
    assert "覆盖范围之外" in s4.conclusion[0]
    assert any("补充选址所在区域的图层" in s for s in s4.steps)


def test_an_unknown_verdict_does_not_break_the_report():
    r = fake_result()
    r.findings.loc[0, "verdict"] = "something_new"
    r.sites.loc[0, "verdict"] = "something_new"
    report = build_report(r)
    assert any(s.tag.label == "something_new" for s in report.sites)


def test_times_are_beijing_time():
    r = fake_result()
    r.meta["created"] = "2026-08-31T20:30:00+00:00"
    report = build_report(r)
    assert report.date == "2026年9月1日"
    created = next(f for f in report.appendix.run if f.label == "生成时间")
    assert created.value == "2026-09-01 04:30:00（北京时间）"


def test_batch_prints_rule_texts_once_in_the_appendix():
    report = build_report(fake_result())
    assert [r.rule_id for r in report.appendix.rules] == ["CU03", "ER01", "WS01", "WS02", "WS03"]
    cited = [ref for s in report.sites for sec in s.sections for ref in sec.rules]
    assert cited and all(ref.text == "" for ref in cited)


def test_english_model():
    report = build_report(fake_result(), lang="en")
    site = report.sites[1]
    assert _info(site)["Site area"] == "523,456.8 m² (52.35 ha, 785.19 mu)"
    assert site.headings["info"] == "1. Project information"
    assert report.headings["opinion"] == "3 Review opinion"
    assert site.conclusion[-1].startswith("Conclusion: restricted.")


def test_location_from_zone_names_and_unknown():
    assert town_from_name("北通镇镇区重点管控单元") == "北通镇"
    layerset = fake_result().layerset  # built in memory: no outline file
    assert locate(Point(0, 0), layerset) == Location()
    found = locate(Point(0, 0), layerset, [("control_unit", "ZH45072120001", "武利镇重点管控单元")])
    assert found == Location(("武利镇",), "zones")


def test_location_of_a_polygon_across_towns_largest_first():
    from redline.layers import load_layerset

    ls = load_layerset("sample")
    found = locate(box(109.40, 22.40, 109.60, 22.60), ls)
    assert len(found.names) >= 2 and found.source == "region.geojson"


def test_place_from_findings():
    place = site_place(
        [
            {"kind": "water_source", "zone_class": "quasi", "relation": "inside", "zone_name": "准保护区"},
            {"kind": "basic_farmland", "zone_class": None, "relation": "nearby", "distance_m": 15.0},
        ],
        ["water_source", "basic_farmland", "industrial_park"],
        1000,
    )
    assert place.within("water_source", "quasi") == "yes" and place.within("industrial_park") == "no"
    assert place.near("basic_farmland", 20) == "yes" and place.near("basic_farmland", 10) == "no"


def test_units():
    assert format_area(799514.2) == "799,514.2 m²（79.95 公顷，1,199.27 亩）"
    assert format_share(4.7 / 799514.2) == "<0.01%" and format_share(0.0296) == "3.0%"
    assert format_datetime("2026-01-01T00:00:00Z") == "2026-01-01 08:00:00（北京时间）"
    assert math.isclose(float(area_parts(666.6667)[2]), 1.0, abs_tol=1e-4)
