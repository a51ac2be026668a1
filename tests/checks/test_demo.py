"""The bundled sample: every sample site gets the answer it was built for; `redline demo` writes everything."""

from __future__ import annotations

import csv
import json
import sqlite3

import geopandas as gpd
import pytest

from redline.checks.screen import screen_sites
from redline.checks.sites.reader import read_sites
from redline.layers import load_layerset, sample_dir
from redline.layers.geodesy import geodesic_area
from tests.conftest import run_cli

RELATION_ORDER = {"inside": 0, "overlaps": 1, "nearby": 2}


@pytest.fixture(scope="module")
def demo_result():
    sites, crs = read_sites(sample_dir() / "sites.geojson")
    return screen_sites(sites, load_layerset("sample"), meta={"input_crs": crs})


def expected_sites():
    gdf = gpd.read_file(sample_dir() / "sites.geojson")
    return list(gdf[["site_id", "expected_verdict", "expected_relations", "expected_rule"]].itertuples(index=False))


@pytest.mark.parametrize(("site_id", "verdict", "relations", "rule"), expected_sites(), ids=lambda v: str(v)[:12])
def test_sample_site_gets_its_known_answer(demo_result, site_id, verdict, relations, rule):
    row = demo_result.sites.set_index("site_id").loc[site_id]
    assert row["status"] == "ok"
    assert row["verdict"] == verdict
    found = demo_result.findings[demo_result.findings["site_id"] == site_id]
    worst = {}
    for kind, relation in zip(found["kind"], found["relation"], strict=True):
        if kind not in worst or RELATION_ORDER[relation] < RELATION_ORDER[worst[kind]]:
            worst[kind] = relation
    expected = dict(pair.split(":") for pair in relations.split(";")) if relations else {}
    assert worst == expected
    assert (found["rule_id"].iloc[0] if len(found) else "") == (rule or "")


def test_sample_covers_every_verdict_relation_kind_and_class(demo_result):
    assert set(demo_result.sites["verdict"]) >= {"prohibited", "restricted", "review", "no_coverage", "clear"}
    f = demo_result.findings
    assert set(f["relation"]) == {"inside", "overlaps", "nearby"}
    assert set(f["kind"]) >= {"ecological_redline", "water_source", "control_unit", "basic_farmland"}
    for kind, classes in (
        ("water_source", {"first", "second", "quasi"}),
        ("control_unit", {"priority", "key", "general"}),
    ):
        assert set(f.loc[f["kind"] == kind, "zone_class"]) >= classes
    assert {"Point", "LineString", "Polygon"} <= set(demo_result.sites["geom_type"])


def test_demo_command_writes_six_files_and_says_illustrative(tmp_path):
    out = tmp_path / "demo"
    proc = run_cli("demo", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "示意数据" in proc.stdout and "共检查 42 个选址" in proc.stdout
    names = {"sites.csv", "findings.csv", "results.gpkg", "summary.json", "report.html", "map.html"}
    assert names <= {p.name for p in out.iterdir()}
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"
    for name in ("sites.csv", "findings.csv"):
        with open(out / name, encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        assert rows and all(r["notice"].startswith("示意数据") for r in rows)
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["illustrative"] is True and "示意数据" in summary["notice"]
    assert summary["n_sites"] == 42 and sum(summary["verdicts"].values()) == 42
    for name in ("report.html", "map.html"):
        assert "示意数据" in (out / name).read_text("utf-8")
    with sqlite3.connect(out / "results.gpkg") as db:
        descriptions = [r[0] for r in db.execute("select description from gpkg_contents")]
    assert descriptions and all("示意数据" in d for d in descriptions)


def test_demo_in_english(tmp_path):
    proc = run_cli("demo", "--out", str(tmp_path / "en"), "--lang", "en", "--formats", "html")
    assert proc.returncode == 0, proc.stderr
    assert "Illustrative" in (tmp_path / "en" / "report.html").read_text("utf-8")


def test_sample_access_lists_decide_the_issue_cases(demo_result):
    by_id = demo_result.sites.set_index("site_id")
    f = demo_result.findings
    s31 = f[(f["site_id"] == "S31") & (f["kind"] == "control_unit")].iloc[0]
    assert s31["verdict"] == "prohibited" and s31["rule_id"].startswith("ZH45072120001/空间布局约束/")
    assert "电镀" in s31["rule_text"] and "第六十七条" in s31["basis"]  # the clause's words; 法典 art 67
    s32 = f[(f["site_id"] == "S32") & (f["kind"] == "control_unit")].iloc[0]
    assert (s32["verdict"], s32["rule_id"]) == ("prohibited", "general/空间布局约束/2")  # plating outside a park
    assert len(demo_result.access_lists[s32["zone_id"]]) > 1  # the whole list travels with the result
    assert by_id.loc["S24", "verdict"] == "restricted"  # plating inside the plating park: not banned
    catalogs = set(f["catalog"])
    assert {"national", "qinzhou_pilot", "access_list.xlsx"} <= catalogs


def test_sample_confidential_forest_park_is_screened_but_never_drawn(demo_result):
    """S39 crosses the confidential 三门岭森林公园, S40 lies 450 m north of it (tools/generate_sample.py)."""
    park = next(layer for layer in demo_result.layerset.layers if layer.kind == "nature_reserve")
    assert park.confidential and park.label == "forest_park.geojson"
    f = demo_result.findings
    found = f[f["kind"] == "nature_reserve"].set_index("site_id")
    assert sorted(found.index) == ["S39", "S40"]
    assert found["zone_id"].tolist() == ["ZRGY450722-001"] * 2
    assert set(found["zone_name"]) == {"三门岭森林公园"} and set(found["zone_class"]) == {"general"}
    assert found.geometry.isna().all()  # not even the overlap with the site
    s39, s40 = found.loc["S39"], found.loc["S40"]
    assert (s39["relation"], s39["verdict"], s39["rule_id"]) == ("overlaps", "restricted", "NR06")
    site = demo_result.sites.set_index("site_id").loc["S39"]
    exact = geodesic_area(site.geometry.intersection(park.gdf.geometry.iloc[0]))
    assert s39["overlap_area_m2"] == pytest.approx(exact, rel=1e-6)
    assert s39["overlap_ratio"] == pytest.approx(exact / site["site_area_m2"], rel=1e-6)
    assert (s40["relation"], s40["verdict"], s40["rule_id"]) == ("nearby", "review", "NR08")
    assert s40["distance_m"] == pytest.approx(450.0, abs=1.0)  # placed 450 m (EPSG:4546) outside it
