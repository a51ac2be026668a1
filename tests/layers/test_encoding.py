"""Shapefile text encodings: a DBF without .cpg is decoded as UTF-8 when valid, else GBK/GB18030."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pytest
from shapely import Point

from redline.layers import load_layerset, sample_dir
from redline.layers.encoding import detect_dbf_encoding, shapefile_encoding
from tests.layers._zones import assert_is_truth, water_entry, write_manifest, write_source, zones_frame


def _without_cpg(folder, stem, encoding):
    source = write_source(zones_frame(), folder, stem, "shp", encoding=encoding)
    source.with_suffix(".cpg").unlink(missing_ok=True)
    return source


@pytest.mark.parametrize(("written", "detected"), [("GBK", "gbk"), ("UTF-8", "utf-8")])
def test_shapefile_without_cpg_is_decoded_and_the_choice_reported(tmp_path, written, detected):
    source = _without_cpg(tmp_path, "zones", written)
    (layer,) = load_layerset(write_manifest(tmp_path, [water_entry(source)])).layers
    assert layer.encoding == detected
    assert layer.encoding_note.startswith(f"{detected} (detected: no .cpg")
    assert_is_truth(layer.gdf, tol=1e-9)  # names and class values decoded right


def test_manifest_encoding_wins_over_detection(tmp_path):
    source = _without_cpg(tmp_path, "zones", "GBK")
    (layer,) = load_layerset(write_manifest(tmp_path, [water_entry(source, encoding="gbk")])).layers
    assert (layer.encoding, layer.encoding_note) == ("gbk", "gbk (manifest)")


def test_cpg_is_reported_and_trusted(tmp_path):
    source = write_source(zones_frame(), tmp_path, "zones", "shp")
    (layer,) = load_layerset(write_manifest(tmp_path, [water_entry(source)])).layers
    assert layer.encoding is None and layer.encoding_note == "UTF-8 (.cpg)"


def test_formats_that_are_always_utf8_report_nothing(tmp_path):
    source = write_source(zones_frame(), tmp_path, "zones", "gpkg")
    (layer,) = load_layerset(write_manifest(tmp_path, [water_entry(source)])).layers
    assert layer.encoding is None and layer.encoding_note == ""


def test_gb18030_only_characters_fall_back_to_gb18030(tmp_path):
    # "㐀" (U+3400) is in GB18030 but not in GBK
    gdf = gpd.GeoDataFrame({"NAME": ["㐀水源", "二级"]}, geometry=[Point(109.3, 22.3)] * 2, crs="EPSG:4490")
    source = tmp_path / "rare.shp"
    gdf.to_file(source, encoding="GB18030")
    source.with_suffix(".cpg").unlink(missing_ok=True)
    choice = detect_dbf_encoding(source.with_suffix(".dbf"))
    assert choice.encoding == "gb18030" and "not UTF-8" in choice.note


def test_ascii_only_needs_no_note(tmp_path):
    gdf = gpd.GeoDataFrame({"NAME": ["a", "b"]}, geometry=[Point(109.3, 22.3)] * 2, crs="EPSG:4490")
    gdf.to_file(tmp_path / "plain.shp")
    (tmp_path / "plain.cpg").unlink(missing_ok=True)
    assert shapefile_encoding(tmp_path / "plain.shp").note == ""


def test_undecodable_text_is_a_layer_problem(tmp_path):
    source = _without_cpg(tmp_path, "zones", "GBK")
    dbf = source.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    at = data.index("武利江".encode("gbk"))
    data[at : at + 2] = b"\xff\xff"  # neither UTF-8 nor GBK
    dbf.write_bytes(bytes(data))
    from redline.zones.errors import ManifestError

    with pytest.raises(ManifestError, match=r"text encoding unknown .*set `encoding:`"):
        load_layerset(write_manifest(tmp_path, [water_entry(source)]))


def test_bundled_gbk_control_units_are_detected_without_encoding(tmp_path):
    for part in sample_dir().glob("control_units.*"):
        shutil.copy(part, tmp_path / part.name)
    assert not (tmp_path / "control_units.cpg").exists()
    choice = shapefile_encoding(tmp_path / "control_units.shp")
    assert choice.encoding == "gbk"
    declared = next(lyr for lyr in load_layerset("sample").layers if lyr.kind == "control_unit")
    assert declared.encoding_note == "gbk (manifest)"
    detected = gpd.read_file(tmp_path / "control_units.shp", encoding=choice.encoding, engine="pyogrio")
    assert sorted(detected["HJZHGKDYMC"]) == sorted(declared.gdf["zone_name"])
    assert any(ord(c) > 127 for c in "".join(detected["HJZHGKDYMC"]))


def test_how_the_encoding_was_chosen_is_data(tmp_path):
    gbk = _without_cpg(tmp_path, "zones", "GBK")
    assert shapefile_encoding(gbk).how == "detected"
    assert shapefile_encoding(gbk, "gbk").how == "declared"
    assert shapefile_encoding(write_source(zones_frame(), tmp_path, "cpg", "shp")).how == "cpg"
    assert shapefile_encoding(write_source(zones_frame(), tmp_path, "zones", "gpkg")).how == ""
    data = bytearray(gbk.with_suffix(".dbf").read_bytes())
    at = data.index("武利江".encode("gbk"))
    data[at : at + 2] = b"\xff\xff"  # neither UTF-8 nor GBK
    gbk.with_suffix(".dbf").write_bytes(bytes(data))
    unknown = shapefile_encoding(gbk)
    assert (unknown.encoding, unknown.how) == (None, "unknown")
