"""``layers.inventory`` and ``layers.outline``: areas per kind, class and district, against pyproj.Geod."""

from __future__ import annotations

import csv

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely import box

from redline.layers import load_layerset
from redline.layers.inventory import INVENTORY_COLUMNS, inventory
from redline.layers.outline import read_districts, read_outline
from redline.layers.webcoords import transform_geometry
from redline.zones.errors import CRSError, LayerError

GEOD = Geod(ellps="GRS80")


def geod_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e6


REGION = box(109.30, 22.30, 109.40, 22.40)
WEST, EAST = box(109.30, 22.30, 109.35, 22.40), box(109.35, 22.30, 109.40, 22.40)


@pytest.fixture
def layerset(make_layerset):
    return make_layerset(
        {
            "ecological_redline": [
                ("R1", "core", box(109.31, 22.31, 109.33, 22.33)),
                ("R2", "other", box(109.32, 22.32, 109.34, 22.34)),  # overlaps R1: counted once in the total
                ("R3", "other", box(109.36, 22.36, 109.38, 22.38)),
            ],
            "control_unit": [("U1", "priority", WEST), ("U2", "general", EAST)],
        }
    )


def row(inv, kind, cls="*", district=""):
    (r,) = [r for r in inv.rows if (r["district"], r["kind"], r["zone_class"]) == (district, kind, cls)]
    return r


def test_areas_per_kind_and_class_are_geodesic_and_dissolved(layerset):
    inv = inventory(layerset, region=REGION, region_label="region.geojson")
    red = shapely.union_all([box(109.31, 22.31, 109.33, 22.33), box(109.32, 22.32, 109.34, 22.34)])
    total = shapely.union_all([red, box(109.36, 22.36, 109.38, 22.38)])
    assert row(inv, "ecological_redline")["area_km2"] == pytest.approx(geod_km2(total), rel=1e-6)
    assert row(inv, "ecological_redline")["n_features"] == 3
    other = shapely.union_all([box(109.32, 22.32, 109.34, 22.34), box(109.36, 22.36, 109.38, 22.38)])
    assert row(inv, "ecological_redline", "other")["area_km2"] == pytest.approx(geod_km2(other), rel=1e-6)
    assert row(inv, "ecological_redline", "core")["n_features"] == 1
    assert inv.region_area_m2 / 1e6 == pytest.approx(geod_km2(REGION), rel=1e-9)
    share = row(inv, "ecological_redline")["share_pct"]
    assert share == pytest.approx(100 * geod_km2(total) / geod_km2(REGION), rel=1e-6)
    # the units' union keeps a vertex mid-edge, and geodesic edges through it enclose a hair more
    assert row(inv, "control_unit")["share_pct"] == pytest.approx(100.0, abs=1e-4)
    classes = [r["zone_class"] for r in inv.rows if r["kind"] == "ecological_redline"]
    assert classes == ["*", "core", "other"]  # the kind's own order


def test_region_defaults_to_the_control_units(layerset, make_layerset):
    inv = inventory(layerset)
    assert inv.region == "control units"
    assert inv.region_area_m2 / 1e6 == pytest.approx(geod_km2(shapely.union_all([WEST, EAST])), rel=1e-9)
    no_units = make_layerset({"basic_farmland": [("F", None, box(109.3, 22.3, 109.31, 22.31))]}, fmt="geojson")
    inv = inventory(no_units)
    assert inv.region_area_m2 is None and row(inv, "basic_farmland")["share_pct"] is None
    assert "--region" in inv.text(names={"region": "--region"})


def test_per_district_areas_shares_and_counts(layerset):
    inv = inventory(layerset, districts=[("西区", WEST), ("东区", EAST)])
    red = shapely.union_all(
        [box(109.31, 22.31, 109.33, 22.33), box(109.32, 22.32, 109.34, 22.34), box(109.36, 22.36, 109.38, 22.38)]
    )
    for name, outline in (("西区", WEST), ("东区", EAST)):
        r = row(inv, "ecological_redline", district=name)
        assert r["area_km2"] == pytest.approx(geod_km2(red.intersection(outline)), rel=1e-6)
        assert r["share_pct"] == pytest.approx(100 * r["area_km2"] / geod_km2(outline), rel=1e-9)
        assert r["district_area_km2"] == pytest.approx(geod_km2(outline), rel=1e-6)
    assert row(inv, "ecological_redline", district="西区")["n_features"] == 2
    assert row(inv, "ecological_redline", district="东区")["n_features"] == 1
    # U1 touches 东区 along its edge only: not counted there
    assert row(inv, "control_unit", "priority", district="东区")["n_features"] == 0
    assert row(inv, "control_unit", "general", district="东区")["share_pct"] == pytest.approx(100.0)
    text = inv.text()
    assert "西区" in text and "生态保护红线" in text and "%" in text
    assert "ecological protection red line" in inv.text("en")


def test_inventory_csv(layerset, tmp_path):
    inv = inventory(layerset, districts=[("西区", WEST)])
    path = inv.write(tmp_path / "out")
    with open(path, encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == INVENTORY_COLUMNS
    assert {r["district"] for r in table} == {"", "西区"}
    assert list(inv.to_frame().columns) == INVENTORY_COLUMNS


def test_sample_inventory_figures():
    inv = inventory(load_layerset("sample"))
    assert inv.region_area_m2 / 1e6 == pytest.approx(960.0, abs=0.5)  # the generator's target
    assert row(inv, "control_unit")["share_pct"] == pytest.approx(100.0, abs=1e-6)
    assert row(inv, "urban_boundary")["n_features"] == 5
    assert 0 < row(inv, "ecological_redline")["share_pct"] < 20


# --- outlines --------------------------------------------------------------------------------


def write(tmp_path, name, data: dict, geoms, crs="EPSG:4490"):
    path = tmp_path / name
    gpd.GeoDataFrame(data, geometry=list(geoms), crs=crs).to_file(path)
    return path


@pytest.mark.parametrize("field", ["NAME", "名称", "XZQMC", "name"])
def test_district_names_are_detected(tmp_path, field):
    path = write(tmp_path, "d.geojson", {field: ["西区", "东区"], "CODE": ["1", "2"]}, [WEST, EAST])
    out = read_outline(path, param="by")
    assert out["name"].tolist() == ["西区", "东区"]
    assert out.crs == "EPSG:4490"


def test_district_name_field_given_or_missing(tmp_path):
    path = write(tmp_path, "d.geojson", {"QHDM": ["450721", "450722"], "MC": ["a", "b"]}, [WEST, EAST])
    assert read_outline(path, name_field="QHDM")["name"].tolist() == ["450721", "450722"]
    with pytest.raises(LayerError, match=r"no name field found.*QHDM, MC.*by_field") as err:
        read_outline(path, param="by")
    assert "--by-field" in err.value.render(lambda name: "--" + name.replace("_", "-"))
    with pytest.raises(LayerError, match=r"no field 'NOPE'; the fields are QHDM, MC"):
        read_outline(path, name_field="NOPE")


def test_outline_without_fields_is_named_after_its_file(tmp_path):
    path = tmp_path / "450721.geojson"
    path.write_text(shapely.to_geojson(WEST), "utf-8")  # a bare geometry, as the public outlines are
    assert read_outline(path)["name"].tolist() == ["450721"]


def test_gcj02_outline_is_converted(tmp_path):
    gcj = transform_geometry(shapely.segmentize(WEST, 0.01), "wgs84", "gcj02")
    path = tmp_path / "west.geojson"
    path.write_text(shapely.to_geojson(gcj), "utf-8")
    back = read_outline(path, crs="gcj02").geometry.iloc[0]
    assert shapely.hausdorff_distance(back, shapely.segmentize(WEST, 0.01)) < 1e-7
    shifted = read_outline(path).geometry.iloc[0]  # read as WGS 84 it is hundreds of metres off
    assert shapely.hausdorff_distance(shifted, WEST) > 0.002


def test_outline_problems(tmp_path):
    with pytest.raises(LayerError, match="does not exist"):
        read_outline(tmp_path / "nope.geojson")
    lines = write(tmp_path, "l.gpkg", {"name": ["x"]}, [shapely.LineString([(109.3, 22.3), (109.4, 22.4)])])
    with pytest.raises(LayerError, match="no polygon"):
        read_outline(lines)
    gdf = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(500000, 2460000, 510000, 2470000)], crs="EPSG:4545")
    gdf.to_file(tmp_path / "p.shp")
    (tmp_path / "p.prj").unlink()
    with pytest.raises(CRSError, match="give it with crs") as err:
        read_outline(tmp_path / "p.shp")
    assert err.value.param == "crs" and "--crs" in err.value.render({"crs": "--crs"})
    projected = read_outline(tmp_path / "p.shp", crs="EPSG:4545").geometry.iloc[0]
    assert np.allclose(projected.centroid.x, 108.05, atol=0.1)


def test_districts_sharing_a_name_are_dissolved(tmp_path):
    first = write(tmp_path, "a.geojson", {"name": ["西区", "东区"]}, [WEST, EAST])
    second = write(tmp_path, "b.geojson", {"name": ["西区"]}, [box(109.30, 22.40, 109.35, 22.45)])
    districts = read_districts([first, second])
    assert [name for name, _ in districts] == ["西区", "东区"]
    assert districts[0][1].equals(box(109.30, 22.30, 109.35, 22.45))
