"""The one policy word for bad geometry: ``on_invalid: raise | warn | fix``."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import Polygon, box

from redline.layers import load_layerset
from redline.layers.reader import repair_geometries
from redline.zones.errors import ManifestError
from tests.layers._zones import all_of, write_manifest, write_source

#: A bow-tie: the ring crosses itself at (109.305, 22.305).
BOW_TIE = Polygon([(109.30, 22.30), (109.31, 22.31), (109.31, 22.30), (109.30, 22.31)])
GOOD = box(109.32, 22.30, 109.33, 22.31)


def _bow_tie_layerset(folder, fmt="gpkg", **entry):
    gdf = gpd.GeoDataFrame({"ZID": ["OK-1", "BOW-1"]}, geometry=[GOOD, BOW_TIE], crs="EPSG:4490")
    assert not BOW_TIE.is_valid
    source = write_source(gdf, folder, "bow", fmt)
    return write_manifest(folder, [{"kind": "basic_farmland", "path": source.name, "id_field": "ZID", **entry}])


def test_invalid_geometry_is_refused_by_default(tmp_path, fmt):
    with pytest.raises(
        ManifestError,
        match=all_of(
            f"layers[0] (basic_farmland, bow.{fmt})",
            "1 invalid geometry: BOW-1 (Self-intersection[109.305 22.305])",
            "set `on_invalid: fix`",
        ),
    ) as info:
        load_layerset(_bow_tie_layerset(tmp_path, fmt))
    assert "OK-1" not in str(info.value)


def test_on_invalid_raise_is_the_default_spelled_out(tmp_path):
    with pytest.raises(ManifestError, match="BOW-1"):
        load_layerset(_bow_tie_layerset(tmp_path, on_invalid="raise"))


def test_on_invalid_fix_repairs_and_reports_it(tmp_path):
    manifest = _bow_tie_layerset(tmp_path, on_invalid="fix")
    # repaired geometry is reported, never silently changed
    with pytest.warns(UserWarning, match=all_of("repaired 1 invalid", "BOW-1 (Self-intersection")):
        (layer,) = load_layerset(manifest).layers
    gdf = layer.gdf.set_index("zone_id")
    assert gdf.is_valid.all()
    assert gdf.loc["OK-1", "geometry"].equals(GOOD)
    fixed = gdf.loc["BOW-1", "geometry"]
    assert fixed.geom_type == "MultiPolygon"
    assert len(fixed.geoms) == 2  # the two triangles of the bow-tie
    assert fixed.area == pytest.approx(0.5 * 0.01 * 0.01)


def test_on_invalid_warn_skips_invalid_features_with_a_warning(tmp_path):
    manifest = _bow_tie_layerset(tmp_path, on_invalid="warn")
    with pytest.warns(UserWarning, match=all_of("layers[0] (basic_farmland, bow.gpkg)", "skipped", "BOW-1")):
        (layer,) = load_layerset(manifest).layers
    assert len(layer.gdf) == 1
    assert "BOW-1" not in layer.gdf["zone_id"].tolist()
    assert layer.gdf.is_valid.all()


def _with_empty_rows(folder, fmt, **entry):
    gdf = gpd.GeoDataFrame(
        {"ZID": ["A", "B", "C", "D"]},
        geometry=[GOOD, None, Polygon(), box(109.34, 22.30, 109.35, 22.31)],
        crs="EPSG:4490",
    )
    options = {"SPATIAL_INDEX": "NO"} if fmt == "fgb" else {}  # FlatGeobuf's index refuses null geometry
    source = write_source(gdf, folder, "holes", fmt, **options)
    return write_manifest(folder, [{"kind": "basic_farmland", "path": source.name, "id_field": "ZID", **entry}])


def test_empty_geometry_rows_are_reported_by_row(tmp_path, fmt):
    with pytest.raises(
        ManifestError,
        match=all_of(
            f"layers[0] (basic_farmland, holes.{fmt})",
            "2 feature(s) with empty or no geometry (row 2, row 3)",
            "`on_invalid: warn`",
        ),
    ):
        load_layerset(_with_empty_rows(tmp_path, fmt))


def test_empty_geometry_rows_are_skipped_with_warn(tmp_path):
    manifest = _with_empty_rows(tmp_path, "gpkg", on_invalid="warn")
    with pytest.warns(UserWarning, match=r"skipped 2 empty feature\(s\): row 2, row 3"):
        (layer,) = load_layerset(manifest).layers
    assert list(layer.gdf.zone_id) == ["A", "D"]
    assert list(layer.gdf.index) == [0, 1]


# --- unclosed rings, and what a repair keeps --------------------------------------------------


def _unclosed_geojson(folder):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "open.geojson"
    ring = [[109.30, 22.30], [109.31, 22.30], [109.31, 22.31], [109.30, 22.31]]  # last point is not the first
    features = [
        {"type": "Feature", "properties": {"ZID": "OPEN-1"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"ZID": "OK-1"}, "geometry": GOOD.__geo_interface__},
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _unclosed_layerset(folder, **entry):
    source = _unclosed_geojson(folder)
    return write_manifest(folder, [{"kind": "basic_farmland", "path": source.name, "id_field": "ZID", **entry}])


def test_unclosed_ring_is_refused_by_id(tmp_path):
    with pytest.raises(ManifestError, match=all_of("open.geojson", "1 invalid geometry: OPEN-1 (ring not closed)")):
        load_layerset(_unclosed_layerset(tmp_path))


def test_unclosed_ring_is_closed_with_fix_and_listed(tmp_path):
    with pytest.warns(UserWarning, match=all_of("repaired 1 invalid geometry", "OPEN-1 (ring not closed)")):
        (layer,) = load_layerset(_unclosed_layerset(tmp_path, on_invalid="fix")).layers
    assert layer.repaired == ["OPEN-1"]
    fixed = layer.gdf.set_index("zone_id").loc["OPEN-1", "geometry"]
    assert fixed.equals(box(109.30, 22.30, 109.31, 22.31))


def test_unclosed_ring_is_skipped_with_warn(tmp_path):
    with pytest.warns(UserWarning, match=all_of("skipped 1 invalid geometry", "OPEN-1 (ring not closed)")):
        (layer,) = load_layerset(_unclosed_layerset(tmp_path, on_invalid="warn")).layers
    assert list(layer.gdf.zone_id) == ["OK-1"] and layer.repaired == []


def test_fix_keeps_only_the_area_of_a_polygon_with_a_spike(tmp_path):
    spike = Polygon(
        [(109.30, 22.30), (109.31, 22.30), (109.31, 22.31), (109.31, 22.32), (109.31, 22.31), (109.30, 22.31)]
    )
    assert not spike.is_valid
    assert shapely.make_valid(spike).geom_type == "GeometryCollection"  # polygon + the spike as a line
    gdf = gpd.GeoDataFrame({"ZID": ["SPIKE"]}, geometry=[spike], crs="EPSG:4490")
    source = write_source(gdf, tmp_path, "spike", "gpkg")
    manifest = write_manifest(
        tmp_path, [{"kind": "basic_farmland", "path": source.name, "id_field": "ZID", "on_invalid": "fix"}]
    )
    with pytest.warns(UserWarning, match="SPIKE"):
        (layer,) = load_layerset(manifest).layers
    (fixed,) = layer.gdf.geometry
    assert fixed.geom_type == "Polygon" and fixed.is_valid
    assert fixed.normalize().equals(box(109.30, 22.30, 109.31, 22.31).normalize())
    assert layer.repaired == ["SPIKE"]


def test_repair_geometries_reports_what_cannot_be_kept():
    flat = Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])  # no area at all
    fixed, problems = repair_geometries(np.array([flat, BOW_TIE], dtype=object))
    assert fixed[0] is None and problems[0] == "nothing of it is left after repair"
    assert fixed[1].geom_type == "MultiPolygon" and problems[1] is None


# --- empty parts: valid for GEOS, dropped at load -----------------------------------------------


def _polygon_with_an_empty_hole():
    """POLYGON ((109.30 22.30, ...), EMPTY): WKT cannot say it, WKB can."""
    import struct

    shell = shapely.get_coordinates(GOOD.exterior)
    wkb = struct.pack("<BII", 1, 3, 2) + struct.pack("<I", len(shell)) + shell.astype("<f8").tobytes()
    return shapely.from_wkb(wkb + struct.pack("<I", 0))


def test_drop_empty_parts_keeps_types_and_coordinates():
    from redline.layers.normalise import drop_empty_parts

    holed = _polygon_with_an_empty_hole()
    assert holed.is_valid and len(holed.interiors) == 1
    geoms = np.array(
        [
            shapely.from_wkt(f"MULTIPOLYGON (EMPTY, {GOOD.wkt[len('POLYGON ') :]}, EMPTY)"),
            holed,
            shapely.MultiPolygon([holed, box(109.34, 22.30, 109.35, 22.31)]),
            shapely.from_wkt("MULTILINESTRING (EMPTY, (109.3 22.3, 109.31 22.31))"),
            shapely.from_wkt("MULTIPOINT (EMPTY, (109.3 22.3))"),
            shapely.from_wkt("GEOMETRYCOLLECTION (POINT EMPTY, GEOMETRYCOLLECTION (POLYGON EMPTY, POINT (1 2)))"),
            GOOD,
            Polygon(),
            None,
        ],
        dtype=object,
    )
    fixed, dropped = drop_empty_parts(geoms)
    assert dropped.tolist() == [2, 1, 1, 1, 1, 2, 0, 0, 0]
    assert [g.geom_type if g is not None else None for g in fixed] == [
        g.geom_type if g is not None else None for g in geoms
    ]
    for before, after in zip(geoms[:6], fixed[:6], strict=True):
        assert not any(shapely.is_empty(p) for p in shapely.get_parts(after))
        assert np.array_equal(shapely.get_coordinates(after), shapely.get_coordinates(before))
    # (GEOS's own equals crashes on the geometries as they were: compare with what they should be)
    assert fixed[0].equals(shapely.MultiPolygon([GOOD])) and fixed[2].equals(
        shapely.MultiPolygon([GOOD, geoms[2].geoms[1]])
    )
    assert fixed[5].wkt == "GEOMETRYCOLLECTION (GEOMETRYCOLLECTION (POINT (1 2)))"
    assert fixed[1].wkt == GOOD.wkt and len(fixed[2].geoms[0].interiors) == 0
    assert fixed[6] is GOOD and fixed[7] is geoms[7] and fixed[8] is None
    unchanged = np.array([GOOD, None], dtype=object)
    assert drop_empty_parts(unchanged)[0] is unchanged


def _empty_part_layerset(folder, **entry):
    zone = shapely.from_wkt(f"MULTIPOLYGON (EMPTY, {GOOD.wkt[len('POLYGON ') :]})")
    gdf = gpd.GeoDataFrame(
        {"ZID": ["EMPTY-PART", "OK-1"]},
        geometry=[zone, shapely.MultiPolygon([box(109.34, 22.30, 109.35, 22.31)])],
        crs="EPSG:4490",
    )
    source = write_source(gdf, folder, "parts", "gpkg")
    return write_manifest(folder, [{"kind": "basic_farmland", "path": source.name, "id_field": "ZID", **entry}])


def test_empty_parts_are_dropped_quietly_when_screening(tmp_path, recwarn):
    (layer,) = load_layerset(_empty_part_layerset(tmp_path)).layers
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]
    zone = layer.gdf.set_index("zone_id").loc["EMPTY-PART", "geometry"]
    assert zone.geom_type == "MultiPolygon" and len(zone.geoms) == 1 and zone.geoms[0].equals(GOOD)
    assert layer.repaired == []


def test_empty_parts_are_an_issue_when_validating(tmp_path):
    from redline.layers.reader import LoadIssue

    issues: list[LoadIssue] = []
    (layer,) = load_layerset(_empty_part_layerset(tmp_path), collect=issues).layers
    (issue,) = issues
    assert (issue.check, issue.row, issue.feature_id, issue.detail) == ("empty_part", 0, "EMPTY-PART", "1")
    assert issue.location.equals(shapely.Point(GOOD.exterior.coords[0]))
    assert not any(shapely.is_empty(p) for p in shapely.get_parts(layer.gdf.geometry.iloc[0]))


def test_repair_leaves_no_empty_part():
    bow = shapely.MultiPolygon([BOW_TIE])
    fixed, problems = repair_geometries(np.array([bow], dtype=object))
    assert problems == [None] and not any(shapely.is_empty(p) for p in shapely.get_parts(fixed[0]))


def test_repair_refuses_coordinates_that_are_not_numbers():
    import warnings

    with warnings.catch_warnings():  # (shapely warns of the NaN it is asked to build)
        warnings.simplefilter("ignore", RuntimeWarning)
        broken = Polygon([(109.30, 22.30), (109.31, 22.30), (float("nan"), 22.31), (109.30, 22.31)])
    fixed, problems = repair_geometries(np.array([broken, BOW_TIE], dtype=object))
    assert fixed[0] is None and problems[0] == "coordinates are not finite numbers"
    assert fixed[1].geom_type == "MultiPolygon" and problems[1] is None
