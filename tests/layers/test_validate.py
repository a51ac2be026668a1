"""``layers.validate``: every check on layers whose problems are known by construction.

The bundled sample must validate clean; its defective variant (``layers/sample/data/defective``)
must report exactly the defects ``expected.csv`` lists, each area to 0.01 %.
"""

from __future__ import annotations

import csv
import math
import re
import sqlite3
import warnings

import geopandas as gpd
import pyogrio
import pytest
import shapely
import yaml
from pyproj import Geod
from shapely import Point, Polygon, box

from redline.layers import LoadIssue, load_layerset, sample_dir
from redline.layers.validate import CHECKS, CSV_COLUMNS, validate_layerset
from redline.zones.errors import ManifestError, RedlineError, param_ref
from tests.conftest import write_layerset
from tests.data import DEFECTIVE_DIR

GEOD = Geod(ellps="GRS80")
KEY = ("check", "kind", "feature_id", "other_kind", "other_id")


def geod_area(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0])


def rows(report, check=None):
    return [p for p in report.problems if check is None or p.check == check]


def checks(report):
    return sorted(p.check for p in report.problems)


# --- the bundled sample and its defective variant --------------------------------------------


@pytest.mark.parametrize("region", [True, False], ids=["with-region", "without-region"])
def test_clean_sample_reports_nothing(region):
    report = validate_layerset("sample", region=sample_dir() / "region.geojson" if region else None)
    # the layers are clean; the access list refers to 钦州市's requirements, which it does not hold (a warning)
    assert [(p.check, p.feature_id) for p in report.problems] == [("access_list", "*/空间布局约束/1")], report.summary()
    assert report.ok
    assert "urban_boundary" in {layer.kind for layer in report.layers}
    assert all(layer.loaded and layer.n_features for layer in report.layers)
    assert bool(report.notes) is not region  # without a region the outer coverage is not checked


@pytest.fixture(scope="module")
def defective():
    folder = DEFECTIVE_DIR
    report = validate_layerset(folder, region=folder / "region.geojson", lang="en")
    with open(folder / "expected.csv", encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    return report, expected


def test_defective_sample_reports_every_planted_defect_and_nothing_else(defective):
    report, expected = defective
    got = [tuple(str(getattr(p, k)) for k in KEY) for p in report.problems]
    assert sorted(got) == sorted(tuple(e[k] for k in KEY) for e in expected)
    planted = {e["check"] for e in expected}
    assert planted >= {
        "invalid_geometry",
        "empty_geometry",
        "duplicate_id",
        "unmapped_class",
        "missing_id",
        "overlap",
        "gap",
        "water_level_overlap",
        "water_not_surrounded",
        "cross_overlap",
    }
    pairs = {(e["kind"], e["other_kind"]) for e in expected if e["check"] == "cross_overlap"}
    assert pairs == {
        ("ecological_redline", "basic_farmland"),
        ("ecological_redline", "urban_boundary"),
        ("basic_farmland", "urban_boundary"),
    }


def test_defective_sample_areas_agree_to_a_hundredth_of_a_percent(defective):
    report, expected = defective
    by_key = {tuple(str(getattr(p, k)) for k in KEY): p for p in report.problems}
    measured = 0
    for e in expected:
        p = by_key[tuple(e[k] for k in KEY)]
        if e["area_m2"]:
            assert p.area_m2 == pytest.approx(float(e["area_m2"]), rel=1e-4), e["defect"]
            measured += 1
        else:
            assert p.area_m2 is None
    assert measured >= 7


def test_defective_sample_locates_the_bow_tie(defective):
    report, expected = defective
    (e,) = [e for e in expected if e["check"] == "invalid_geometry"]
    (p,) = rows(report, "invalid_geometry")
    assert "Self-intersection" in p.message
    assert p.geometry.x == pytest.approx(float(e["lon"]), abs=1e-7)
    assert p.geometry.y == pytest.approx(float(e["lat"]), abs=1e-7)
    assert f"{float(e['lon']):.6f}, {float(e['lat']):.6f}" in p.message


def test_defective_sample_without_region_finds_only_the_hole(defective):
    folder = DEFECTIVE_DIR
    report = validate_layerset(folder)
    gaps = rows(report, "gap")
    assert [g.feature_id for g in gaps] == ["ZH45072120001"]  # the hole; the notch needs the outline
    assert "空洞" in gaps[0].message
    assert report.notes and param_ref("region") in report.notes[0]


def test_default_loading_still_refuses_the_defective_sample():
    with pytest.raises(ManifestError, match=r"invalid geometr|empty|class_map"):
        load_layerset(DEFECTIVE_DIR)


def test_lenient_loading_keeps_every_feature_and_collects_the_problems():
    issues: list[LoadIssue] = []
    ls = load_layerset(DEFECTIVE_DIR, collect=issues)
    farmland = next(layer for layer in ls.layers if layer.kind == "basic_farmland")
    raw = pyogrio.read_info(DEFECTIVE_DIR / "basic_farmland.fgb")["features"]
    assert len(farmland.gdf) == raw  # nothing dropped
    found = {(i.check, i.kind) for i in issues}
    assert found == {
        ("invalid_geometry", "basic_farmland"),
        ("missing_id", "basic_farmland"),
        ("empty_geometry", "urban_boundary"),
        ("unmapped_class", "control_unit"),
    }
    bow = next(i for i in issues if i.check == "invalid_geometry")
    assert not farmland.gdf.geometry.iloc[bow.row].is_valid  # kept as it is, not repaired
    unmapped = next(i for i in issues if i.check == "unmapped_class")
    assert unmapped.detail == "4"
    units = next(layer for layer in ls.layers if layer.kind == "control_unit")
    assert units.gdf["zone_class"].iloc[unmapped.row] == ""


# --- overlaps within a kind ------------------------------------------------------------------


def test_touching_is_not_an_overlap_and_a_sliver_is(make_layerset):
    a = box(109.30, 22.30, 109.31, 22.31)
    b = box(109.31, 22.30, 109.32, 22.31)  # shares an edge with a
    c = box(109.32, 22.31, 109.33, 22.32)  # shares a corner with b
    d = box(109.32 - 1e-7, 22.30, 109.33, 22.3099)  # overlaps b by a 1 cm sliver
    report = validate_layerset(make_layerset({"basic_farmland": [("A", None, a), ("B", None, b), ("C", None, c)]}))
    assert report.problems == []
    report = validate_layerset(make_layerset({"basic_farmland": [("A", None, a), ("B", None, b), ("D", None, d)]}))
    (p,) = report.problems
    assert (p.check, p.feature_id, p.other_id) == ("overlap", "B", "D")
    truth = geod_area(box(109.32 - 1e-7, 22.30, 109.32, 22.3099))
    assert 10 < truth < 15
    assert p.area_m2 == pytest.approx(truth, rel=1e-4)


def test_tolerance_makes_small_overlaps_sliver_warnings(make_layerset):
    a = box(109.30, 22.30, 109.31, 22.31)
    b = box(109.31 - 1e-7, 22.30, 109.32, 22.31)  # sliver, about 11 m²
    c = box(109.315, 22.305, 109.33, 22.32)  # real overlap with b, about 0.14 km²
    ls = make_layerset({"ecological_redline": [("A", None, a), ("B", None, b), ("C", None, c)]})
    report = validate_layerset(ls, tolerance_m2=50.0)
    assert [(p.check, p.feature_id, p.other_id) for p in report.problems] == [
        ("overlap", "B", "C"),
        ("sliver", "A", "B"),
    ]
    assert CHECKS["sliver"].severity == "warning"
    assert len(report.errors) == 1 and len(report.warnings) == 1
    assert "50" in report.problems[1].message


def test_overlap_area_is_geodesic(make_layerset):
    a = box(109.30, 22.30, 109.32, 22.32)
    b = box(109.31, 22.31, 109.33, 22.33)
    report = validate_layerset(make_layerset({"urban_boundary": [("U2", None, b), ("U1", None, a)]}))
    (p,) = report.problems
    assert (p.feature_id, p.other_id) == ("U1", "U2")  # ordered by id
    assert p.area_m2 == pytest.approx(geod_area(box(109.31, 22.31, 109.32, 22.32)), rel=1e-6)
    assert p.geometry.equals(box(109.31, 22.31, 109.32, 22.32))


def test_nested_parks_are_not_overlaps(make_layerset):
    park = box(109.30, 22.30, 109.32, 22.32)
    inner = box(109.305, 22.305, 109.31, 22.31)
    report = validate_layerset(make_layerset({"industrial_park": [("P1", None, park), ("P2", None, inner)]}))
    assert report.problems == []


def test_duplicate_features_overlap_wholly(make_layerset):
    a = box(109.30, 22.30, 109.31, 22.31)
    report = validate_layerset(make_layerset({"basic_farmland": [("A", None, a), ("B", None, a)]}))
    (p,) = report.problems
    assert p.check == "overlap" and p.area_m2 == pytest.approx(geod_area(a), rel=1e-6)


# --- control-unit coverage -------------------------------------------------------------------


def unit_rows():
    """Four units tiling 109.30-109.34 x 22.30-22.32, less a hole and a notch."""
    hole = box(109.305, 22.305, 109.306, 22.306)
    notch = box(109.325, 22.30, 109.327, 22.301)
    u1 = box(109.30, 22.30, 109.31, 22.32).difference(hole)
    u2 = box(109.31, 22.30, 109.32, 22.32)
    u3 = box(109.32, 22.30, 109.33, 22.32).difference(notch)
    u4 = box(109.33, 22.30, 109.345, 22.32)  # reaches 0.005 degree beyond the region
    return [("U1", "1", u1), ("U2", "2", u2), ("U3", "3", u3), ("U4", "3", u4)], hole, notch


def units_layerset(tmp_path):
    units, hole, notch = unit_rows()
    manifest = write_layerset(
        tmp_path / "units",
        {"control_unit": units},
        extra={"control_unit": {"class_map": {"1": "priority", "2": "key", "3": "general"}}},
    )
    return manifest, hole, notch


def test_gaps_without_a_region_are_holes_only(tmp_path):
    manifest, hole, _ = units_layerset(tmp_path)
    report = validate_layerset(manifest)
    (p,) = report.problems
    assert (p.check, p.feature_id) == ("gap", "U1")
    assert p.area_m2 == pytest.approx(geod_area(hole), rel=1e-6)
    assert report.notes


def test_gaps_and_overhangs_against_a_region(tmp_path):
    manifest, hole, notch = units_layerset(tmp_path)
    region = box(109.30, 22.30, 109.34, 22.32)
    path = tmp_path / "region.geojson"
    gpd.GeoDataFrame({"name": ["r"]}, geometry=[region], crs="EPSG:4490").to_file(path)
    for given in (path, region):
        report = validate_layerset(manifest, region=given)
        got = {(p.check, p.feature_id): p.area_m2 for p in report.problems}
        assert set(got) == {("gap", "U1"), ("gap", "U3"), ("outside_region", "U4")}
        assert got["gap", "U1"] == pytest.approx(geod_area(hole), rel=1e-6)
        assert got["gap", "U3"] == pytest.approx(geod_area(notch), rel=1e-6)
        assert got["outside_region", "U4"] == pytest.approx(geod_area(box(109.34, 22.30, 109.345, 22.32)), rel=1e-6)
        assert not report.notes


def test_region_in_gcj02(tmp_path):
    """A web-map outline is converted (GCJ-02 is offset by some hundred metres here)."""
    from redline.layers.webcoords import transform_geometry

    manifest, *_ = units_layerset(tmp_path)
    region = box(109.30, 22.30, 109.34, 22.32)
    gcj = transform_geometry(shapely.segmentize(region, 0.001), "wgs84", "gcj02")
    path = tmp_path / "region_gcj.geojson"
    gpd.GeoDataFrame({"name": ["r"]}, geometry=[gcj], crs="EPSG:4326").to_file(path)
    as_is = validate_layerset(manifest, region=path, tolerance_m2=100.0)
    converted = validate_layerset(manifest, region=path, crs="gcj02", tolerance_m2=100.0)
    # converted back, the outline's vertices differ from the units' by a hair: slivers, below the tolerance
    assert {(p.check, p.feature_id) for p in converted.errors} == {
        ("gap", "U1"),
        ("gap", "U3"),
        ("outside_region", "U4"),
    }
    assert all(p.area_m2 < 100.0 for p in converted.warnings)
    # read as is, the outline is some hundred metres off: a strip of the region is not covered
    assert max(p.area_m2 for p in as_is.errors if p.check == "gap") > 500_000


# --- water-source levels ---------------------------------------------------------------------


def test_nested_water_levels_are_clean(tmp_path):
    from tests.layers._zones import water_entry, write_manifest, write_source, zones_frame

    source = write_source(zones_frame(), tmp_path, "water_source", "gpkg")
    report = validate_layerset(write_manifest(tmp_path, [water_entry(source)]))
    assert report.problems == []


def water_layerset(tmp_path, zones):
    return write_layerset(
        tmp_path / "water",
        {"water_source": zones},
        extra={"water_source": {"class_map": {"一级": "first", "二级": "second", "准": "quasi"}}},
    )


def test_first_level_overlapping_second_level(tmp_path):
    first = box(109.30, 22.30, 109.31, 22.31)
    ring = box(109.29, 22.29, 109.32, 22.32).difference(first)
    bulge = box(109.305, 22.305, 109.315, 22.308)  # reaches 0.005 degree into the ring
    zones = [("S-1", "一级", first.union(bulge)), ("S-2", "二级", ring)]
    report = validate_layerset(water_layerset(tmp_path, zones))
    (p,) = report.problems
    assert (p.check, p.feature_id, p.other_id) == ("water_level_overlap", "S-1", "S-2")
    assert p.area_m2 == pytest.approx(geod_area(box(109.31, 22.305, 109.315, 22.308)), rel=1e-6)
    assert "一级保护区" in p.message and "二级保护区" in p.message


def test_first_level_open_on_one_side(tmp_path):
    first = box(109.30, 22.30, 109.31, 22.31)
    u_ring = box(109.29, 22.29, 109.32, 22.32).difference(first).difference(box(109.31, 22.30, 109.33, 22.31))
    report = validate_layerset(water_layerset(tmp_path, [("S-1", "一级", first), ("S-2", "二级", u_ring)]))
    (p,) = report.problems
    assert (p.check, p.feature_id, p.other_id) == ("water_not_surrounded", "S-1", "S-2")
    east_side = GEOD.inv(109.31, 22.30, 109.31, 22.31)[2]
    open_m = float(re.search(r"有 ([\d,.]+) m", p.message).group(1).replace(",", ""))
    assert open_m == pytest.approx(east_side - 2.0, abs=1.0)  # less a metre at each end, where the ring touches
    assert p.geometry.geom_type in ("LineString", "MultiLineString")


def test_first_level_pieces_and_a_lone_first_level(tmp_path):
    west, east = box(109.30, 22.30, 109.305, 22.31), box(109.305, 22.30, 109.31, 22.31)
    ring = box(109.29, 22.29, 109.32, 22.32).difference(box(109.30, 22.30, 109.31, 22.31))
    lone = box(109.40, 22.40, 109.41, 22.41)
    zones = [("S-1a", "一级", west), ("S-1b", "一级", east), ("S-2", "二级", ring), ("T-1", "一级", lone)]
    report = validate_layerset(water_layerset(tmp_path, zones))
    assert [(p.check, p.feature_id) for p in report.problems] == [("water_no_second", "T-1")]
    assert report.ok  # a warning only


def test_first_level_alone_in_a_set_without_second_levels(tmp_path):
    report = validate_layerset(water_layerset(tmp_path, [("T-1", "一级", box(109.40, 22.40, 109.41, 22.41))]))
    assert report.problems == []


# --- 三区三线 ----------------------------------------------------------------------------------


def test_red_line_farmland_and_urban_boundary_must_not_overlap(make_layerset):
    red = box(109.30, 22.30, 109.32, 22.32)
    farm_touching = box(109.32, 22.30, 109.33, 22.31)  # shares red's east edge
    farm_in_red = box(109.31, 22.31, 109.325, 22.315)
    urban = box(109.318, 22.295, 109.35, 22.3005)
    ls = make_layerset(
        {
            "ecological_redline": [("R", None, red)],
            "basic_farmland": [("F1", None, farm_touching), ("F2", None, farm_in_red)],
            "urban_boundary": [("U", None, urban)],
        }
    )
    report = validate_layerset(ls)
    got = {(p.kind, p.feature_id, p.other_kind, p.other_id): p.area_m2 for p in report.problems}
    assert all(p.check == "cross_overlap" for p in report.problems)
    expected = {
        ("ecological_redline", "R", "basic_farmland", "F2"): red.intersection(farm_in_red),
        ("ecological_redline", "R", "urban_boundary", "U"): red.intersection(urban),
        ("basic_farmland", "F1", "urban_boundary", "U"): farm_touching.intersection(urban),
    }
    assert farm_in_red.intersection(urban).is_empty
    assert set(got) == set(expected)
    for key, shape in expected.items():
        assert got[key] == pytest.approx(geod_area(shape), rel=1e-6), key


# --- per-layer problems ----------------------------------------------------------------------


def test_per_layer_problems_are_reported_not_raised(tmp_path):
    bow = Polygon([(109.30, 22.30), (109.31, 22.31), (109.31, 22.30), (109.30, 22.31)])
    rows_ = [
        ("Z1", "1", box(109.40, 22.30, 109.41, 22.31)),
        ("Z1", "2", box(109.41, 22.30, 109.42, 22.31)),  # duplicate id
        ("Z3", "9", box(109.42, 22.30, 109.43, 22.31)),  # class 9 is not mapped
        ("Z4", "", box(109.43, 22.30, 109.44, 22.31)),  # no class
        ("Z5", "1", bow),  # bow-tie
        ("Z6", "1", None),  # no geometry
        ("Z7", "1", Point(109.45, 22.30)),  # not an area
        ("", "1", box(109.44, 22.30, 109.45, 22.31)),  # no id
    ]
    manifest = write_layerset(
        tmp_path / "bad",
        {"control_unit": rows_},
        extra={"control_unit": {"class_map": {"1": "priority", "2": "key", "3": "general"}}},
    )
    with pytest.raises(ManifestError):
        load_layerset(manifest)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = validate_layerset(manifest)
    got = {(p.check, p.feature_id) for p in report.problems}
    assert got == {
        ("duplicate_id", "Z1"),
        ("unmapped_class", "Z3"),
        ("missing_class", "Z4"),
        ("invalid_geometry", "Z5"),
        ("empty_geometry", "Z6"),
        ("not_polygon", "Z7"),
        ("missing_id", ""),
    }
    inv = next(p for p in report.problems if p.check == "invalid_geometry")
    assert inv.geometry.equals(Point(109.305, 22.305))
    assert "Self-intersection" in inv.message and "109.305000, 22.305000" in inv.message
    assert "'9'" in next(p.message for p in report.problems if p.check == "unmapped_class")
    assert "第 8 行" in next(p.message for p in report.problems if p.check == "missing_id")


def test_unreadable_layers_are_reported_and_the_rest_validated(tmp_path):
    folder = tmp_path / "mixed"
    manifest = write_layerset(folder, {"ecological_redline": [("R", None, box(109.30, 22.30, 109.31, 22.31))]})
    gdf = gpd.GeoDataFrame({"ZID": ["F"]}, geometry=[box(109.30, 22.30, 109.31, 22.31)], crs="EPSG:4490")
    gdf.to_file(folder / "nocrs.shp")
    (folder / "nocrs.prj").unlink()
    data = yaml.safe_load(manifest.read_text("utf-8"))
    data["layers"] += [
        {"kind": "basic_farmland", "path": "nocrs.shp", "id_field": "ZID"},
        {"kind": "urban_boundary", "path": "ecological_redline.gpkg", "id_field": "NOPE"},
    ]
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    report = validate_layerset(manifest, lang="en")
    assert checks(report) == ["crs_missing", "layer_error"]
    assert "crs:" in next(p.message for p in report.problems if p.check == "crs_missing")  # how to fix it
    assert "NOPE" in next(p.message for p in report.problems if p.check == "layer_error")
    assert [(layer.kind, layer.loaded) for layer in report.layers] == [
        ("ecological_redline", True),
        ("basic_farmland", False),
        ("urban_boundary", False),
    ]
    assert "not read" in report.summary()


def test_approximate_datum_is_a_warning_not_an_exception(tmp_path):
    folder = tmp_path / "xian80"
    folder.mkdir()
    gdf = gpd.GeoDataFrame({"ZID": ["R"]}, geometry=[box(109.30, 22.30, 109.31, 22.31)], crs="EPSG:4490")
    gdf.to_crs("EPSG:2360").to_file(folder / "red.gpkg")
    (folder / "layerset.yaml").write_text(
        "name: x\nlayers:\n  - kind: ecological_redline\n    path: red.gpkg\n    id_field: ZID\n    crs: EPSG:2360\n",
        "utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = validate_layerset(folder)
    (p,) = report.problems
    assert p.check == "crs_datum" and p.severity == "warning" and report.ok


# --- outputs ---------------------------------------------------------------------------------


def test_outputs_csv_contract_and_gpkg(defective, tmp_path):
    report, _ = defective
    files = report.write(tmp_path / "out")
    assert [f.name for f in files] == ["validation.csv", "validation.gpkg"]
    raw = (tmp_path / "out" / "validation.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "out" / "validation.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == CSV_COLUMNS
    assert len(table) - 1 == len(report.problems)
    areas = [r[5] for r in table[1:]]
    assert all(a == "" or math.isfinite(float(a)) for a in areas)
    gpkg = tmp_path / "out" / "validation.gpkg"
    layers = {name: pyogrio.read_info(gpkg, layer=name)["features"] for name, _ in pyogrio.list_layers(gpkg)}
    assert set(layers) == {"problem_areas", "problem_lines", "problem_points"}
    assert sum(layers.values()) == len(report.problems)
    assert layers["problem_lines"] == 1  # the open side of the 一级 zone
    areas_gdf = gpd.read_file(gpkg, layer="problem_areas")
    assert areas_gdf.crs == "EPSG:4490"
    assert set(areas_gdf.columns) >= {*CSV_COLUMNS, "severity", "layer"}
    with sqlite3.connect(gpkg) as db:
        descriptions = [r[0] for r in db.execute("select description from gpkg_contents")]
    assert descriptions and all("示意数据" in d for d in descriptions)


def test_messages_follow_the_language(make_layerset):
    a, b = box(109.30, 22.30, 109.32, 22.32), box(109.31, 22.31, 109.33, 22.33)
    ls = make_layerset({"basic_farmland": [("A", None, a), ("B", None, b)]})
    zh, en = validate_layerset(ls), validate_layerset(ls, lang="en")
    assert "重叠" in zh.problems[0].message and "overlap by" in en.problems[0].message
    assert "发现 1 个错误" in zh.summary() and "1 error(s)" in en.summary()


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"lang": "fr"}, "lang 'fr'"), ({"tolerance_m2": -1}, "tolerance"), ({"region": "/nonexistent.geojson"}, "exist")],
)
def test_bad_arguments(kwargs, pattern):
    with pytest.raises(RedlineError, match=pattern):
        validate_layerset("sample", **kwargs)
