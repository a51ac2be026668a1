"""The ``layerset.yaml`` manifest: every mistake collected into one error, each message useful."""

from __future__ import annotations

import pytest

from redline.layers import load_layerset, resolve_layerset_path, sample_dir
from redline.layers.manifest import read_manifest
from redline.zones.errors import LayerError, ManifestError, RedlineError
from tests.layers._zones import all_of, water_entry, write_manifest, write_source, zones_frame


@pytest.fixture
def source(tmp_path):
    return write_source(zones_frame(), tmp_path, "zones", "gpkg")


def test_every_mistake_is_collected_into_one_error(tmp_path, source):
    layers = [
        {"kind": "forest", "path": source.name},
        {"kind": "water_source", "class_field": "BHQJB"},
        {"kind": "water_source", "path": "nothere.gpkg", "class_field": "BHQJB"},
        {"kind": "control_unit", "path": source.name, "class_field": "BHQJB", "class_map": {"1": "first"}},
        {"kind": "water_source", "path": source.name},
        {"kind": "basic_farmland", "path": source.name, "colour": "red"},
        {"kind": "basic_farmland", "path": source.name, "crs": "EPSG:999999"},
    ]
    expected = [
        "layers[0]: unknown kind 'forest'; use one of ecological_redline, water_source, control_unit, basic_farmland",
        "layers[1]: missing 'path'",
        f"layers[2] (water_source, nothere.gpkg): file {str(tmp_path / 'nothere.gpkg')!r} does not exist",
        "layers[3] (control_unit, zones.gpkg): class_map maps '1' to 'first', not a class of control_unit; "
        "classes are priority, key, general",
        "layers[4] (water_source, zones.gpkg): missing 'class_field': water_source zones need a class",
        "layers[5]: unknown key 'colour'; allowed keys are",
        "layers[6] (basic_farmland, zones.gpkg): crs: 'EPSG:999999' is not a coordinate reference system",
    ]
    manifest = write_manifest(tmp_path, layers)
    with pytest.raises(ManifestError, match=all_of(str(manifest), "has 7 problems", *expected)) as info:
        load_layerset(manifest)
    problems = info.value.problems
    assert len(problems) == len(expected)
    for text in expected:
        assert sum(text in p for p in problems) == 1, text
    assert info.value.path == str(manifest)


def test_top_level_mistakes_are_collected_too(tmp_path, source):
    manifest = tmp_path / "layerset.yaml"
    manifest.write_text(f"crs: bogus\nextra: 1\nlayers:\n  - kind: water_source\n    path: {source.name}\n", "utf-8")
    with pytest.raises(
        ManifestError,
        match=all_of(
            "has 4 problems",
            "unknown top-level key 'extra'",
            "missing 'name'",
            "crs: 'bogus' is not a coordinate reference system",
            "layers[0] (water_source, zones.gpkg): missing 'class_field'",
        ),
    ):
        read_manifest(manifest)


@pytest.mark.parametrize("layers", [None, [], "water_source.gpkg"])
def test_missing_or_empty_layers(tmp_path, layers):
    manifest = tmp_path / "layerset.yaml"
    manifest.write_text("name: x\n" + ("" if layers is None else f"layers: {layers!r}\n"), "utf-8")
    with pytest.raises(ManifestError, match=all_of(str(manifest), "missing 'layers'")):
        read_manifest(manifest)


def test_layer_entry_that_is_not_a_mapping(tmp_path):
    manifest = write_manifest(tmp_path, ["water_source.gpkg"])
    with pytest.raises(
        ManifestError, match=all_of("layers[0]: expected a mapping with kind and path", "'water_source.gpkg'")
    ):
        read_manifest(manifest)


@pytest.mark.parametrize("key", ["id_field", "name_field", "class_field"])
def test_a_named_field_that_does_not_exist_lists_the_fields(tmp_path, source, key):
    manifest = write_manifest(tmp_path, [water_entry(source, **{key: "NOPE"})])
    with pytest.raises(
        ManifestError,
        match=all_of(
            "layers[0] (water_source, zones.gpkg)",
            f"no field 'NOPE' for {key}",
            "the fields are SYDBH, SYDMC, BHQJB",
            f"set `{key}` in layerset.yaml",
        ),
    ):
        load_layerset(manifest)


def test_class_values_missing_from_class_map_are_named(tmp_path, source):
    manifest = write_manifest(tmp_path, [water_entry(source, class_map={"一级保护区": "first"})])
    with pytest.raises(
        ManifestError,
        match=all_of(
            "field 'BHQJB' has value(s) '二级保护区', '准保护区'", "first, second, quasi", "add them to class_map"
        ),
    ) as info:
        load_layerset(manifest)
    assert len(info.value.problems) == 1


def test_a_class_value_for_a_kind_without_classes_is_named(tmp_path, source):
    entry = {"kind": "basic_farmland", "path": source.name, "class_map": {"一级保护区": "first"}}
    with pytest.raises(ManifestError, match=all_of("not a class of basic_farmland", "none (this kind has no classes)")):
        read_manifest(write_manifest(tmp_path, [entry]))


def test_layer_problems_are_collected_across_layers(tmp_path, source):
    manifest = write_manifest(
        tmp_path, [water_entry(source, id_field="BH"), water_entry(source, class_map={}), water_entry(source)]
    )
    with pytest.raises(
        ManifestError, match=all_of("has 2 problems", "layers[0]", "no field 'BH'", "layers[1]")
    ) as info:
        load_layerset(manifest)
    assert [p[:9] for p in info.value.problems] == ["layers[0]", "layers[1]"]


def test_bad_on_invalid_and_access_list(tmp_path, source):
    manifest = write_manifest(tmp_path, [water_entry(source, on_invalid="ignore", access_list="nothere.csv")])
    with pytest.raises(
        ManifestError,
        match=all_of(
            "on_invalid 'ignore' is not one of raise, warn, fix",
            "access_list is only for control_unit layers",
            f"access_list file {str(tmp_path / 'nothere.csv')!r} does not exist",
        ),
    ):
        read_manifest(manifest)


def test_manifest_paths_are_relative_to_the_manifest(tmp_path):
    source = write_source(zones_frame(), tmp_path / "data", "zones", "gpkg")
    entry = {**water_entry(source), "path": "../data/zones.gpkg"}
    manifest = write_manifest(tmp_path / "config", [entry], allow_outside=True)
    (layer,) = load_layerset(manifest).layers
    assert layer.path == source.resolve()


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink"])
def test_paths_outside_the_manifest_folder_are_refused_unless_allowed(tmp_path, how):
    source = write_source(zones_frame(), tmp_path / "elsewhere", "zones", "gpkg")
    folder = tmp_path / "config"
    folder.mkdir()
    if how == "symlink":  # a link inside the folder that points out of it counts as outside
        (folder / "zones.gpkg").symlink_to(source)
        path = "zones.gpkg"
    else:
        path = "../elsewhere/zones.gpkg" if how == "parent" else str(source)
    manifest = write_manifest(folder, [{**water_entry(source), "path": path}])
    with pytest.raises(ManifestError, match=all_of(path, "outside the manifest's folder", "allow_outside: true")):
        load_layerset(manifest)
    write_manifest(folder, [{**water_entry(source), "path": path}], allow_outside=True)
    assert len(load_layerset(manifest).layers[0].gdf) == len(zones_frame())


# --- files that are not there or not what they say ----------------------------------------------


def test_missing_manifest_file(tmp_path):
    missing = tmp_path / "nope" / "layerset.yaml"
    with pytest.raises(LayerError, match=all_of(str(missing), "does not exist")):
        load_layerset(missing)
    with pytest.raises(ManifestError, match=all_of(str(missing), "file does not exist")):
        read_manifest(missing)


def test_folder_without_manifest(tmp_path):
    with pytest.raises(LayerError, match=all_of(str(tmp_path), "holds no layerset.yaml")):
        load_layerset(tmp_path)
    with pytest.raises(ManifestError, match=all_of(str(tmp_path / "layerset.yaml"), "file does not exist")):
        read_manifest(tmp_path)


def test_folder_with_manifest_resolves_to_it(tmp_path, source):
    manifest = write_manifest(tmp_path, [water_entry(source)])
    assert resolve_layerset_path(tmp_path) == manifest
    assert resolve_layerset_path(str(manifest)) == manifest
    assert load_layerset(tmp_path).path == manifest


@pytest.mark.parametrize("path", [None, "sample"])
def test_sample_resolves_to_the_bundled_manifest(path):
    assert resolve_layerset_path(path) == sample_dir() / "layerset.yaml"


def test_invalid_yaml(tmp_path):
    manifest = tmp_path / "layerset.yaml"
    manifest.write_text("name: [unclosed\nlayers: {\n", "utf-8")
    with pytest.raises(ManifestError, match=all_of(str(manifest), "not valid YAML", "line 1")):
        load_layerset(manifest)


def test_manifest_that_is_not_utf8(tmp_path):
    manifest = tmp_path / "layerset.yaml"
    manifest.write_bytes("name: 示例\nlayers: []\n".encode("gbk"))
    with pytest.raises(ManifestError, match=all_of(str(manifest), "not UTF-8 text")):
        load_layerset(manifest)


def test_manifest_that_is_not_a_mapping(tmp_path):
    manifest = tmp_path / "layerset.yaml"
    manifest.write_text("- just\n- a list\n", "utf-8")
    with pytest.raises(ManifestError, match=all_of(str(manifest), "expected a mapping with 'name' and 'layers'")):
        load_layerset(manifest)


def test_text_file_renamed_gpkg(tmp_path):
    fake = tmp_path / "zones.gpkg"
    fake.write_text("this is not a geopackage\n", "utf-8")
    manifest = write_manifest(tmp_path, [water_entry(fake)])
    with pytest.raises(
        ManifestError,
        match=all_of("layers[0] (water_source, zones.gpkg)", f"cannot read {str(fake)!r}", "not recognized"),
    ):
        load_layerset(manifest)


@pytest.mark.parametrize("name", ["zones.csv", "zones.txt", "zones.docx"])
def test_unsupported_format(tmp_path, name):
    (tmp_path / name).write_text("lon,lat\n109.3,22.3\n", "utf-8")
    manifest = write_manifest(tmp_path, [water_entry(name)])
    suffix = name.rsplit(".", 1)[1]
    with pytest.raises(
        ManifestError,
        match=all_of(str(manifest), f"(water_source, {name})", f"unsupported format '.{suffix}'", "GPKG, SHP"),
    ):
        load_layerset(manifest)


def test_manifest_error_is_a_layer_error_and_a_value_error():
    assert issubclass(ManifestError, LayerError)
    assert issubclass(ManifestError, RedlineError)
    assert issubclass(ManifestError, ValueError)
    err = ManifestError("m.yaml", ["one"])
    assert str(err) == "layer set manifest 'm.yaml' has 1 problem:\n  - one"


def test_multi_layer_geopackage_needs_layer(tmp_path):
    import geopandas as gpd
    import yaml
    from shapely import box

    from redline.layers import load_layerset
    from redline.zones.errors import ManifestError

    path = tmp_path / "two.gpkg"
    for name in ("zones", "labels"):
        gpd.GeoDataFrame({"ZID": ["a"]}, geometry=[box(109, 22, 109.1, 22.1)], crs="EPSG:4490").to_file(
            path, layer=name
        )
    manifest = tmp_path / "layerset.yaml"
    entry = {"kind": "basic_farmland", "path": "two.gpkg", "id_field": "ZID"}
    manifest.write_text(yaml.safe_dump({"name": "t", "layers": [entry]}), "utf-8")
    with pytest.raises(ManifestError, match=r"holds 2 layers \(zones, labels\); name the zone layer with `layer:`"):
        load_layerset(manifest)
    entry["layer"] = "labels"
    manifest.write_text(yaml.safe_dump({"name": "t", "layers": [entry]}), "utf-8")
    assert load_layerset(manifest).layers[0].layer == "labels"


def test_encoding_on_a_geopackage_is_a_problem(tmp_path):
    import geopandas as gpd
    import yaml
    from shapely import box

    from redline.layers import load_layerset
    from redline.zones.errors import ManifestError

    gpd.GeoDataFrame({"ZID": ["a"]}, geometry=[box(109, 22, 109.1, 22.1)], crs="EPSG:4490").to_file(tmp_path / "a.gpkg")
    entry = {"kind": "basic_farmland", "path": "a.gpkg", "id_field": "ZID", "encoding": "gbk"}
    (tmp_path / "layerset.yaml").write_text(yaml.safe_dump({"name": "t", "layers": [entry]}), "utf-8")
    with pytest.raises(ManifestError, match=r"encoding applies only to Shapefile DBF text .*remove `encoding:`"):
        load_layerset(tmp_path)
