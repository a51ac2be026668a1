"""Site input: coordinate text, WKT, tables and vector files; bad rows kept, bad files refused."""

from __future__ import annotations

import re
from contextlib import contextmanager

import geopandas as gpd
import pandas as pd
import pytest
from shapely import Point, box

from redline.checks.screen import screen_sites
from redline.checks.sites.reader import parse_site_text, read_sites
from redline.layers import load_layerset
from redline.layers.webcoords import wgs84_to_gcj02
from redline.zones.errors import CRSError, RuleError, SiteError


def as_flag(name: str) -> str:
    """Name a parameter as the command line does (``on_invalid`` -> ``--on-invalid``)."""
    return "--" + name.replace("_", "-")


@contextmanager
def raises_naming(kind, cli_pattern: str, param: str):
    """Expect a ``kind`` error naming ``param``: rendered for the command line it reads as it always did
    (``cli_pattern``), and in Python it names parameters by their Python names."""
    with pytest.raises(kind) as info:
        yield info
    assert re.search(cli_pattern, info.value.render(as_flag)), info.value.render(as_flag)
    assert info.value.param == param
    assert "--" not in str(info.value) and "⟨" not in str(info.value)


def test_lonlat_text():
    geom, crs = parse_site_text("109.30, 22.28")
    assert (geom.x, geom.y) == (109.30, 22.28)
    assert crs == "EPSG:4490"
    assert parse_site_text("109.30，22.28")[0].equals(Point(109.30, 22.28))


def test_latlon_is_detected_when_only_that_reading_falls_in_china():
    with pytest.warns(
        UserWarning, match=r"'22.28,109.30' read as latitude,longitude: only that reading falls in China"
    ):
        geom, _ = parse_site_text("22.28,109.30")
    assert geom.equals(Point(109.30, 22.28))


@pytest.mark.parametrize("text", ["-0.13, 51.5", "10,20", "-33.9, 151.2"])
def test_pair_outside_china_either_way_round_is_refused_as_ambiguous(text):
    with pytest.raises(SiteError, match=r"falls outside China whichever way it is read .*ambiguous"):
        parse_site_text(text)


def test_wkt_text():
    geom, _ = parse_site_text("LINESTRING (109.3 22.2, 109.4 22.3)")
    assert geom.geom_type == "LineString"


@pytest.mark.parametrize("text", ["not a site", "POLYGON ((1 2, 3", "109.3;22.2;5"])
def test_garbage_is_refused_with_examples(text):
    with pytest.raises(SiteError, match=r"neither \"lon,lat\" nor WKT .*109.30,22.28"):
        parse_site_text(text)


def test_projected_text_needs_crs():
    with pytest.raises(SiteError, match=r"not longitude/latitude; they look like EPSG:4524"):
        parse_site_text("36512345,2468000")
    geom, crs = parse_site_text("36512345,2468000", crs="EPSG:4524")
    assert crs == "EPSG:4524"
    assert 108 < geom.x < 108.2 and 22 < geom.y < 22.4


def test_invalid_polygon_text_is_refused():
    with pytest.raises(SiteError, match=r"invalid geometry .*Self-intersection"):
        parse_site_text("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")


def test_gcj02_text_is_converted():
    glon, glat = wgs84_to_gcj02(109.3, 22.28)
    geom, crs = parse_site_text(f"{float(glon)!r},{float(glat)!r}", crs="gcj02")
    assert crs == "gcj02"
    assert geom.x == pytest.approx(109.3, abs=1e-8) and geom.y == pytest.approx(22.28, abs=1e-8)


def test_csv_with_chinese_columns_in_gbk(tmp_path):
    path = tmp_path / "sites.csv"
    df = pd.DataFrame(
        {
            "编号": ["A1", "A2", "A3", "A4"],
            "项目名称": ["电镀厂", "养猪场", "坏行", "无坐标"],
            "经度": ["109.3", "109.31", "abc", ""],
            "纬度": ["22.2", "22.21", "22.2", ""],
            "行业代码": ["C3360", "A0313", "", "C9999"],
        }
    )
    df.to_csv(path, index=False, encoding="gbk")
    sites, crs = read_sites(path)
    assert sites["site_id"].tolist() == ["A1", "A2", "A3", "A4"]
    assert sites["name"].tolist()[:2] == ["电镀厂", "养猪场"]
    assert sites["industry"].tolist()[:2] == ["C3360", "A0313"]
    assert sites["status"].tolist() == ["ok", "ok", "error", "error"]
    assert "row 4" in sites.loc[2, "error"] and "not numbers" in sites.loc[2, "error"]
    assert "EPSG:4490" in crs


def test_unknown_industry_in_a_row_keeps_the_site_and_says_so(tmp_path):
    # (issue 16: a row's unknown code is no error row: the site is screened, its rules that depend
    # on the industry ask, and its note names the code and how to fix it)
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a", "b"], "lon": [109.3, 109.3], "lat": [22.2, 22.3], "industry": ["C3360", "Z99"]}).to_csv(
        path, index=False
    )
    sites, _ = read_sites(path)
    assert sites["status"].tolist() == ["ok", "ok"]
    assert sites.loc[1, "industry"] == "Z99" and sites.loc[1, "project"].unknown_industries == ("Z99",)
    assert "Z99" in sites.loc[1, "project"].notes[0]
    screened = screen_sites(sites, load_layerset("sample")).sites
    assert screened.loc[1, "status"] == "ok" and "Z99" in screened.loc[1, "note"]


def test_wkt_column_and_explicit_fields(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame(
        {
            "XMBH": ["p1", "p2"],
            "WKT": [box(109.3, 22.2, 109.31, 22.21).wkt, "POLYGON ((oops"],
            "HY": ["C2614", ""],
            "BQ": ["discharges_pollutants;sets_outfall", ""],
        }
    ).to_csv(path, index=False)
    sites, _ = read_sites(path, id_field="XMBH", industry_field="HY", tags_field="BQ", industry="A0313")
    assert sites.loc[0, "tags"] == "discharges_pollutants;sets_outfall"
    assert sites.loc[0, "industry"] == "C2614"
    assert sites.loc[1, "status"] == "error" and "not valid WKT" in sites.loc[1, "error"]


def test_missing_named_field_lists_columns(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a"], "lon": [109.3], "lat": [22.2]}).to_csv(path, index=False)
    with raises_naming(
        SiteError, r"no column 'HYDM' .*the columns are id, lon, lat; fix --industry-field$", "industry_field"
    ) as info:
        read_sites(path, industry_field="HYDM")
    assert str(info.value).endswith("fix industry_field") and info.value.value == "HYDM"


def test_table_without_coordinates(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a"], "where": ["here"]}).to_csv(path, index=False)
    with pytest.raises(SiteError, match="no coordinate columns; the columns are id, where"):
        read_sites(path)


def test_projected_table_without_crs_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a"], "x": [36512345.0], "y": [2468000.0]}).to_csv(path, index=False)
    with raises_naming(
        CRSError, r"s.csv: the coordinates are not longitude/latitude; they look like EPSG:4524.*--crs", "crs"
    ) as info:
        read_sites(path)
    assert str(info.value).endswith("give their CRS with crs (e.g. crs EPSG:4524)")
    sites, crs = read_sites(path, crs="EPSG:4524")
    assert crs == "EPSG:4524" and sites.loc[0, "status"] == "ok"


def test_duplicate_ids_are_refused(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a", "a"], "lon": [109.3, 109.4], "lat": [22.2, 22.3]}).to_csv(path, index=False)
    with raises_naming(SiteError, r"site ids repeat \(a\).*--id-field", "id_field") as info:
        read_sites(path)
    assert info.value.value == "id"


def test_xlsx(tmp_path):
    path = tmp_path / "s.xlsx"
    pd.DataFrame({"site_id": ["x1"], "lon": [109.3], "lat": [22.2], "tags": ["livestock"]}).to_excel(path, index=False)
    sites, _ = read_sites(path)
    assert sites.loc[0, "tags"] == "livestock" and sites.loc[0, "status"] == "ok"


def test_shapefile_without_prj_is_refused_with_a_guess(tmp_path):
    gdf = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[Point(109.3, 22.2)], crs="EPSG:4490")
    path = tmp_path / "s.shp"
    gdf.to_file(path)
    path.with_suffix(".prj").unlink()
    with raises_naming(CRSError, r"'s.shp' has no CRS .*look like EPSG:4490.*--crs", "crs"):
        read_sites(path)
    sites, _crs = read_sites(path, crs="EPSG:4490")
    assert sites.loc[0, "status"] == "ok"


def test_vector_file_in_gauss_kruger_is_converted(tmp_path):
    gdf = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[Point(109.3, 22.2)], crs="EPSG:4490").to_crs("EPSG:4545")
    path = tmp_path / "s.gpkg"
    gdf.to_file(path)
    sites, crs = read_sites(path)
    assert crs == "EPSG:4545"
    assert sites.geometry.iloc[0].x == pytest.approx(109.3, abs=1e-9)


def test_null_geometry_rows_are_kept(tmp_path):
    gdf = gpd.GeoDataFrame({"site_id": ["a", "b"]}, geometry=[Point(109.3, 22.2), None], crs="EPSG:4490")
    path = tmp_path / "s.gpkg"
    gdf.to_file(path)
    sites, _ = read_sites(path)
    assert sites["status"].tolist() == ["ok", "error"]
    assert "no geometry" in sites.loc[1, "error"]


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(SiteError, match="does not exist"):
        read_sites(tmp_path / "nope.shp")
    bad = tmp_path / "sites.docx"
    bad.write_text("x")
    with pytest.raises(SiteError, match=r"unsupported format '.docx'; use SHP, GPKG"):
        read_sites(bad)
    broken = tmp_path / "broken.gpkg"
    broken.write_text("not a geopackage")
    with pytest.raises(SiteError, match="cannot be read"):
        read_sites(broken)


def test_unknown_tag_and_action_messages():
    from redline.zones.project import make_project

    with pytest.raises(RuleError, match=r"unknown project tag 'livestok'; known tags are: .*livestock"):
        make_project(tags="livestok")
    with pytest.raises(RuleError, match="unknown action 'demolish'; use one of new, expand, rebuild"):
        make_project(action="demolish")
    assert make_project(action="扩建").action == "expand"
