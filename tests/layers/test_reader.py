"""Reading zone layers: every format, shapefile encodings, field mapping, multi-layer sources."""

from __future__ import annotations

import pytest

from redline.layers import load_layerset
from redline.zones.errors import ManifestError
from tests.layers._zones import (
    TRUTH,
    all_of,
    assert_is_truth,
    water_entry,
    write_manifest,
    write_source,
    zones_frame,
)

# --- one fixture, every format ---------------------------------------------------------------


def test_every_format_loads_the_same_zones(water_layerset, fmt):
    manifest, source = water_layerset
    ls = load_layerset(manifest)
    assert ls.kinds == ["water_source"]
    (layer,) = ls.layers
    assert layer.path == source.resolve()
    assert layer.source_crs == "EPSG:4490 (source)"
    assert_is_truth(layer.gdf, tol=1e-9)


def test_source_attributes_follow_the_standard_columns(water_layerset):
    manifest, _ = water_layerset
    gdf = load_layerset(manifest).layers[0].gdf
    assert list(gdf.columns) == ["zone_id", "zone_name", "zone_class", "SYDBH", "SYDMC", "BHQJB", "geometry"]
    by_id = gdf.set_index("zone_id")
    assert by_id.loc["WS-002", "BHQJB"] == "二级保护区"


def test_zones_of_a_layerset_carry_their_kind(water_layerset):
    manifest, _ = water_layerset
    zones = load_layerset(manifest).zones("water_source")
    assert list(zones.columns) == ["zone_id", "zone_name", "zone_class", "geometry", "kind"]
    assert set(zones["kind"]) == {"water_source"}
    assert len(zones) == len(TRUTH)
    assert load_layerset(manifest).zones("control_unit").empty


def test_numeric_class_codes_match_class_map_keys_written_any_way(tmp_path):
    gdf = zones_frame().assign(GKDYLB=[1, 2, 3]).drop(columns="BHQJB")
    source = write_source(gdf, tmp_path, "units", "gpkg")
    entry = {
        "kind": "control_unit",
        "path": source.name,
        "id_field": "SYDBH",
        "class_field": "GKDYLB",
        "class_map": {"1": "priority", 2: "key", 3.0: "general"},
    }
    gdf = load_layerset(write_manifest(tmp_path, [entry])).layers[0].gdf
    assert dict(zip(gdf.zone_id, gdf.zone_class, strict=True)) == {
        "WS-001": "priority",
        "WS-002": "key",
        "WS-003": "general",
    }
    # without name_field the id stands in for the name
    assert list(gdf.zone_name) == list(gdf.zone_id)


def test_without_id_field_ids_are_numbered_by_kind(tmp_path):
    source = write_source(zones_frame(), tmp_path, "farmland", "gpkg")
    gdf = load_layerset(write_manifest(tmp_path, [{"kind": "basic_farmland", "path": source.name}])).layers[0].gdf
    assert list(gdf.zone_id) == ["basic_farmland-1", "basic_farmland-2", "basic_farmland-3"]
    assert set(gdf.zone_class) == {""}


def test_layer_option_picks_a_layer_of_a_multi_layer_gpkg(tmp_path):
    source = write_source(zones_frame().iloc[:1], tmp_path, "multi", "gpkg", layer="other")
    write_source(zones_frame(), tmp_path, "multi", "gpkg", layer="zones")
    ls = load_layerset(write_manifest(tmp_path, [water_entry(source, layer="zones")]))
    assert ls.layers[0].label == "multi.gpkg:zones"
    assert_is_truth(ls.layers[0].gdf, tol=1e-9)


def test_unknown_layer_name_is_refused(tmp_path):
    source = write_source(zones_frame(), tmp_path, "multi", "gpkg", layer="zones")
    manifest = write_manifest(tmp_path, [water_entry(source, layer="nope")])
    with pytest.raises(ManifestError, match=all_of("multi.gpkg", "'nope'", "check the file and `layer`")):
        load_layerset(manifest)


def test_layer_without_features_is_refused(tmp_path):
    source = write_source(zones_frame().iloc[:0], tmp_path, "empty", "gpkg")
    with pytest.raises(ManifestError, match=all_of("layers[0] (water_source, empty.gpkg)", "has no features")):
        load_layerset(write_manifest(tmp_path, [water_entry(source)]))


# --- shapefile encodings ----------------------------------------------------------------------


def _gbk_shapefile_without_cpg(folder):
    source = write_source(zones_frame(), folder, "gbk_zones", "shp", encoding="GBK")
    source.with_suffix(".cpg").unlink(missing_ok=True)
    assert not any(p.suffix.lower() == ".cpg" for p in folder.iterdir())
    # the bytes really are GBK: the UTF-8 name is not in the DBF, the GBK one is
    dbf = source.with_suffix(".dbf").read_bytes()
    assert "武利江一级保护区".encode("gbk") in dbf
    assert "武利江一级保护区".encode() not in dbf
    return source


def test_gbk_shapefile_without_cpg_loads_with_encoding_gbk(tmp_path):
    source = _gbk_shapefile_without_cpg(tmp_path)
    ls = load_layerset(write_manifest(tmp_path, [water_entry(source, encoding="gbk")]))
    assert ls.layers[0].encoding == "gbk"
    assert_is_truth(ls.layers[0].gdf, tol=1e-9)


def test_utf8_shapefile_with_cpg_loads_without_encoding(tmp_path):
    source = write_source(zones_frame(), tmp_path, "utf8_zones", "shp")
    assert source.with_suffix(".cpg").read_text().strip().upper() in {"UTF-8", "UTF8"}
    assert "武利江一级保护区".encode() in source.with_suffix(".dbf").read_bytes()
    ls = load_layerset(write_manifest(tmp_path, [water_entry(source)]))
    assert ls.layers[0].encoding is None
    assert_is_truth(ls.layers[0].gdf, tol=1e-9)


def test_unknown_encoding_is_a_manifest_problem(tmp_path):
    source = write_source(zones_frame(), tmp_path, "zones", "gpkg")
    manifest = write_manifest(tmp_path, [water_entry(source, encoding="gbkk")])
    with pytest.raises(ManifestError, match=all_of("layers[0]", "encoding 'gbkk' is not a known text encoding", "gbk")):
        load_layerset(manifest)
