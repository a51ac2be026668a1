"""A small hand-built ScreeningResult for the report and map tests.

Zones are squares near 109.3E 22.3N (EPSG:4490); the numbers in the findings
are made up (they only need the documented columns and plausible values).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString, Point, box

from redline.checks.result import ScreeningResult
from redline.layers.layerset import LayerSet, ZoneLayer
from redline.zones.rules import Catalog

EVIL = "<script>alert(1)</script>"
CRS = "EPSG:4490"


def _layer(kind: str, filename: str, rows: list[tuple[str, str, str, object]]) -> ZoneLayer:
    gdf = gpd.GeoDataFrame(
        {
            "zone_id": [r[0] for r in rows],
            "zone_name": [r[1] for r in rows],
            "zone_class": [r[2] for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs=CRS,
    )
    digest = (filename.encode().hex() * 8)[:64]
    return ZoneLayer(kind, Path(filename), gdf, f"sha256:{digest}", "EPSG:4490 (from file)")


def fake_layerset(*, illustrative: bool = True) -> LayerSet:
    # fmt: off
    layers = [
        _layer("water_source", "water_source.gpkg", [
            ("WS-1", "武利江水源一级保护区", "first", box(109.30, 22.30, 109.31, 22.31)),
            ("WS-2", "武利江水源二级保护区", "second", box(109.29, 22.29, 109.32, 22.32)),
            ("WS-3", "武利江水源准保护区", "quasi", box(109.28, 22.28, 109.33, 22.33)),
        ]),
        _layer("ecological_redline", "redline.shp", [
            ("ER-1", EVIL, "other", box(109.34, 22.30, 109.35, 22.31)),
        ]),
        _layer("control_unit", "units.shp", [
            ("ZH45072120001", "武利镇重点管控单元", "key", box(109.355, 22.28, 109.40, 22.32)),
        ]),
        _layer("basic_farmland", "farmland.gpkg", [
            ("BF-1", "伯劳镇永久基本农田", "", box(109.42, 22.43, 109.43, 22.44)),
            ("BF-FAR", "远处的农田", "", box(109.90, 22.90, 109.91, 22.91)),
        ]),
    ]
    # fmt: on
    name = "示例 — 钦州城乡融合发展试验区 (illustrative, not official data)"
    return LayerSet(name, layers, Path("layerset.yaml"), illustrative=illustrative)


def _sites() -> gpd.GeoDataFrame:
    # fmt: off
    rows = [
        # site_id, verdict, n, status, error, name, industry, tags, action, geom, area, length
        ("S1", "prohibited", 3, "ok", "", "电镀厂", "C3360", "discharges_wastewater", "new",
         Point(109.305, 22.305), float("nan"), float("nan")),
        ("S2", "restricted", 1, "ok", "", EVIL, "C2611", "", "expand",
         box(109.345, 22.305, 109.352, 22.312), 523456.78, float("nan")),
        ("S3", "review", 1, "ok", "", "输水管线", "", "linear_infrastructure;water_supply",
         "rebuild", LineString([(109.36, 22.30), (109.38, 22.30)]), float("nan"), 2057.3),
        ("S4", "clear", 0, "ok", "", "远处选址", "", "", "new",
         Point(109.45, 22.45), float("nan"), float("nan")),
        ("S5", "clear", 0, "error", "无法解析坐标 'abc'", "坏坐标", "", "", "new",
         None, float("nan"), float("nan")),
    ]
    cols = ["site_id", "verdict", "n_findings", "status", "error", "name", "industry", "tags",
            "action", "geometry", "site_area_m2", "site_length_m"]
    # fmt: on
    gdf = gpd.GeoDataFrame([dict(zip(cols, r, strict=True)) for r in rows], geometry="geometry", crs=CRS)
    gdf["geom_type"] = [g.geom_type if g is not None else None for g in gdf.geometry]
    return gdf


def _findings() -> gpd.GeoDataFrame:
    nan = float("nan")
    # fmt: off
    rows = [
        ("S1", "water_source", "WS-1", "武利江水源一级保护区", "first", "inside", nan, nan, nan,
         0.0, "prohibited", "WS01", "《中华人民共和国生态环境法典》第三百一十九条",
         "禁止在饮用水水源一级保护区内新建与供水设施和保护水源无关的建设项目", "一级保护区禁建",
         "national", "WS01", Point(109.305, 22.305)),
        ("S1", "water_source", "WS-2", "武利江水源二级保护区", "second", "inside", nan, nan, nan,
         0.0, "restricted", "WS02", "《中华人民共和国生态环境法典》第三百二十条",
         "禁止在二级保护区内新建排放污染物的建设项目", "", "national", "WS02",
         Point(109.305, 22.305)),
        ("S1", "water_source", "WS-3", "武利江水源准保护区", "quasi", "inside", nan, nan, nan,
         0.0, "review", "WS03", "《中华人民共和国生态环境法典》第三百二十一条",
         "准保护区内不得新建严重污染水体的项目", "", "national", "WS03", Point(109.305, 22.305)),
        ("S2", "ecological_redline", "ER-1", EVIL, "other", "overlaps", 1234567.891, 0.4567, nan,
         0.0, "restricted", "ER01", "《中华人民共和国生态环境法典》第六十条",
         f"红线内限制开发 {EVIL}", "", "national", "ER01;ER02",
         box(109.345, 22.305, 109.35, 22.31)),
        ("S3", "control_unit", "ZH45072120001", "武利镇重点管控单元", "key", "nearby", nan, nan,
         nan, 512.345, "review", "CU03", "《中华人民共和国生态环境法典》第六十七条",
         "邻近重点管控单元，核对准入清单", "", "national", "CU03", None),
    ]
    cols = ["site_id", "kind", "zone_id", "zone_name", "zone_class", "relation",
            "overlap_area_m2", "overlap_ratio", "overlap_length_m", "distance_m", "verdict",
            "rule_id", "basis", "rule_text", "rule_title", "catalog", "matched_rules", "geometry"]
    # fmt: on
    return gpd.GeoDataFrame([dict(zip(cols, r, strict=True)) for r in rows], geometry="geometry", crs=CRS)


def fake_result(*, illustrative: bool = True) -> ScreeningResult:
    catalog = Catalog(versions={"national": "2026-11"}, titles={"national": "国家法定规则"})
    meta = {
        "buffer_m": 1000,
        "tool_version": "0.1.0",
        "created": "2026-09-01T10:00:00+08:00",
        "input_crs": "EPSG:4490",
        "lang": "zh",
        "source": "sites.csv",
    }
    return ScreeningResult(_sites(), _findings(), fake_layerset(illustrative=illustrative), catalog, meta)
