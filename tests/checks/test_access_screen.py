"""A list in the shape its bureau publishes, loaded with just ``access_list: FILE``, decides verdicts from its text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shapely import Point, box

from redline.checks.screen import check_site, screen_sites
from redline.checks.sites.reader import sites_from_geometries
from redline.layers import load_layerset
from tests.conftest import write_layerset

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "access_lists"

# the units of the fixture list (lingshan_wide.xlsx: 灵山县 450721), side by side, and a park in the industrial one
UNITS = [
    ("ZH45072110001", "priority", box(109.00, 22.0, 109.01, 22.01)),  # 罗阳山优先保护单元
    ("ZH45072120001", "key", box(109.01, 22.0, 109.02, 22.01)),  # 武利工业园 (产业集聚类)
    ("ZH45072120002", "key", box(109.02, 22.0, 109.03, 22.01)),  # 武利镇镇区 (城镇生活类)
    ("ZH45072130001", "general", box(109.03, 22.0, 109.04, 22.01)),  # 武利镇一般管控单元
]
PARK = [("P1", None, box(109.012, 22.002, 109.018, 22.008))]


@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("published-list")
    shutil.copy(FIXTURES / "lingshan_wide.xlsx", folder / "lingshan_wide.xlsx")
    manifest = write_layerset(
        folder,
        {"control_unit": UNITS, "industrial_park": PARK},
        extra={"control_unit": {"class_field": "ZCLASS", "access_list": "lingshan_wide.xlsx"}},
    )
    return load_layerset(manifest)


def unit_finding(result):
    rows = result.findings[result.findings["kind"] == "control_unit"]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_the_published_wide_xlsx_loads_from_the_manifest_with_no_structured_column(layers):
    (units,) = [layer for layer in layers.layers if layer.kind == "control_unit"]
    clauses = units.access.for_unit("ZH45072120001", "key", units.gdf.iloc[1].to_dict())
    texts = [c.text for c in clauses]
    assert any("禁止新建、扩建化学制浆、电镀、鞣革项目" in t for t in texts)
    assert any("工业项目原则上进入依法合规设立的工业园区" in t for t in texts)  # the county-wide sheet


def test_electroplating_banned_by_the_units_own_text_is_prohibited_citing_art_67_and_the_list(layers):
    f = unit_finding(check_site(Point(109.015, 22.005), layers, industry="C3360", tags="electroplating"))
    assert f["verdict"] == "prohibited"
    assert f["rule_id"].startswith("ZH45072120001/")
    assert "第六十七条" in f["basis"] and "lingshan_wide.xlsx" in f["basis"] and "ZH45072120001" in f["basis"]
    assert "电镀" in f["rule_text"]


def test_an_existing_plants_technical_upgrade_is_not_the_new_plant_the_clause_bans(layers):
    f = unit_finding(check_site(Point(109.015, 22.005), layers, industry="C2221", action="rebuild"))
    assert f["verdict"] != "prohibited"


def test_a_town_list_bans_two_high_projects_by_name(layers):
    f = unit_finding(check_site(Point(109.025, 22.005), layers, industry="C3011"))  # cement, in the town unit
    assert f["verdict"] == "prohibited" and f["rule_id"].startswith("ZH45072120002/")


def test_an_industrial_project_outside_any_park_where_the_county_says_parks_is_not_left_low(layers):
    inside = unit_finding(check_site(Point(109.015, 22.005), layers, industry="C3391"))
    outside = unit_finding(check_site(Point(109.035, 22.005), layers, industry="C3391"))
    from redline.zones.verdicts import rank

    assert rank(outside["verdict"]) <= rank("restricted") < rank(inside["verdict"]) or inside["verdict"] == "review"
    assert rank(outside["verdict"]) < rank(inside["verdict"])


def test_clauses_the_tool_cannot_judge_raise_the_site_to_review_and_are_counted(layers):
    sites = sites_from_geometries([Point(109.035, 22.005)], "EPSG:4490", industry="G5920")  # a warehouse
    out = screen_sites(sites, layers)
    assert out.sites.loc[0, "verdict"] in ("review", "restricted", "prohibited")
    assert "条条款无法自动判定" in out.sites.loc[0, "note"]
