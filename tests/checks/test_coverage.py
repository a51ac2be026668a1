"""A site outside where the layers speak is never "clear": coverage, no_coverage and the notes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely import LineString, Point, box

from redline.checks.screen import check_site, screen_sites
from redline.checks.sites.reader import sites_from_geometries
from redline.layers import load_layerset
from redline.zones.verdicts import VERDICTS
from tests.conftest import write_layerset

GEOD = Geod(ellps="GRS80")
UNITS = [
    ("ZH45072130001", "general", box(109.0, 22.0, 109.1, 22.1)),
    ("ZH45072130002", "general", box(109.1, 22.0, 109.2, 22.1)),
]
FARM = [("F1", None, box(109.02, 22.02, 109.03, 22.03))]


def _area(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0])


def test_the_verdict_order_puts_no_coverage_between_review_and_clear():
    assert VERDICTS == ("prohibited", "restricted", "review", "no_coverage", "clear")


def test_a_site_far_from_the_sample_layers_is_no_coverage_never_clear():
    result = check_site("116.40,39.90", load_layerset("sample"), industry="C3360")  # Beijing
    row = result.sites.iloc[0]
    assert (row["verdict"], row["n_findings"], row["status"]) == ("no_coverage", 0, "ok")
    assert "覆盖范围之外" in row["note"] and len(result.findings) == 0


def test_batch_rows_in_paris_and_new_york_are_no_coverage():
    sites = sites_from_geometries([Point(2.35, 48.85), Point(-74.0, 40.7)], "EPSG:4490", industry="C3360")
    out = screen_sites(sites, load_layerset("sample")).sites
    assert out["verdict"].tolist() == ["no_coverage", "no_coverage"] and (out["status"] == "ok").all()


def test_the_control_units_are_the_coverage_when_the_manifest_names_none(tmp_path):
    ls = load_layerset(write_layerset(tmp_path / "l", {"control_unit": UNITS, "basic_farmland": FARM}))
    assert ls.coverage_kind() == "control_units"
    sites = sites_from_geometries(
        [Point(109.05, 22.05), Point(109.5, 22.5), box(109.15, 22.05, 109.25, 22.06)], "EPSG:4490"
    )
    out = screen_sites(sites, ls, buffer_m=0).sites
    assert out.loc[0, "verdict"] != "no_coverage" and out.loc[1, "verdict"] == "no_coverage"
    # the polygon half outside keeps its findings' verdict, and its row says how much is covered
    half = box(109.15, 22.05, 109.2, 22.06)
    share = _area(half) / _area(box(109.15, 22.05, 109.25, 22.06))
    assert out.loc[2, "verdict"] != "no_coverage"
    assert f"约 {share * 100:.1f}%" in out.loc[2, "note"]


def test_without_coverage_a_clear_verdict_says_the_coverage_is_undeclared(tmp_path):
    ls = load_layerset(write_layerset(tmp_path / "l", {"basic_farmland": FARM}))
    assert ls.coverage_kind() == "undeclared" and ls.coverage() is None
    out = screen_sites(sites_from_geometries([Point(120, 30)], "EPSG:4490"), ls).sites
    assert out.loc[0, "verdict"] == "clear" and "覆盖范围未声明" in out.loc[0, "note"]


def test_an_outline_in_the_manifest_is_the_coverage(tmp_path):
    folder = tmp_path / "l"
    folder.mkdir()
    gpd.GeoDataFrame(geometry=[box(109.0, 22.0, 109.05, 22.1)], crs="EPSG:4490").to_file(folder / "area.geojson")
    ls = load_layerset(write_layerset(folder, {"basic_farmland": FARM}, top={"coverage": "area.geojson"}))
    assert ls.coverage_kind() == "outline"
    out = screen_sites(sites_from_geometries([Point(109.02, 22.05), Point(109.15, 22.05)], "EPSG:4490"), ls).sites
    assert out["verdict"].tolist() == ["clear", "no_coverage"]


def test_a_layer_with_a_coverage_of_its_own_cannot_clear_a_site_outside_it(tmp_path):
    folder = tmp_path / "l"
    folder.mkdir()
    gpd.GeoDataFrame(geometry=[box(109.0, 22.0, 109.1, 22.1)], crs="EPSG:4490").to_file(folder / "county.geojson")
    gpd.GeoDataFrame(geometry=[box(109.0, 22.0, 109.2, 22.1)], crs="EPSG:4490").to_file(folder / "city.geojson")
    manifest = write_layerset(
        folder,
        {"basic_farmland": FARM, "ecological_redline": [("R1", "other", box(109.01, 22.01, 109.02, 22.02))]},
        extra={"ecological_redline": {"coverage": "county.geojson"}},
        top={"coverage": "city.geojson"},
    )
    ls = load_layerset(manifest)
    line = LineString([(109.05, 22.05), (109.15, 22.05)])  # half in the red line layer's county
    sites = sites_from_geometries([Point(109.15, 22.05), line, Point(109.05, 22.05)], "EPSG:4490")
    out = screen_sites(sites, ls, buffer_m=0).sites
    assert out["verdict"].tolist() == ["no_coverage", "clear", "clear"]
    assert "生态保护红线图层未覆盖本选址" in out.loc[0, "note"]
    assert "生态保护红线图层仅覆盖选址约 50.0%" in out.loc[1, "note"]
    assert out.loc[2, "note"] == ""


def test_coverage_control_units_needs_a_control_unit_layer(tmp_path):
    from redline.zones.errors import ManifestError

    manifest = write_layerset(tmp_path / "l", {"basic_farmland": FARM}, top={"coverage": "control_units"})
    with pytest.raises(ManifestError, match="no control_unit layer"):
        load_layerset(manifest)


def test_sites_wholly_outside_are_not_screened_and_the_rest_are(tmp_path):
    ls = load_layerset("sample")
    inside = ls.coverage().representative_point()
    sites = sites_from_geometries([inside, Point(116.4, 39.9)] * 3, "EPSG:4490")
    out = screen_sites(sites, ls).sites
    assert out["verdict"].tolist()[1::2] == ["no_coverage"] * 3
    assert (out["n_findings"].to_numpy()[1::2] == 0).all() and (out["verdict"].to_numpy()[::2] != "no_coverage").all()
    assert np.isnan(out["site_area_m2"]).all()
