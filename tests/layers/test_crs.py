"""CRS: what users write (parse_crs), what is proposed when a CRS is missing (guess_crs), and
projected sources normalised back to EPSG:4490."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS
from shapely import box

from redline.layers import load_layerset
from redline.layers.crs import CRS_ALIASES, crs_label, crs_name, datum_caveat, guess_crs, parse_crs, proposed_code
from redline.zones.errors import CRSError, ManifestError, RedlineError
from tests.layers._zones import all_of, assert_is_truth, water_entry, write_manifest, write_source, zones_frame

# --- parse_crs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "epsg"),
    [
        ("EPSG:4490", 4490),
        ("epsg:4545", 4545),
        ("  EPSG:4545 ", 4545),
        (4545, 4545),
        ("4524", 4524),
        ("urn:ogc:def:crs:EPSG::4545", 4545),
        ("CGCS2000-GK3-36", 4524),
        ("CGCS2000-GK3-CM108", 4545),
        ("cgcs2000_gk3_cm108", 4545),
        ("CGCS2000-GK6-19", 4497),
        ("CGCS2000-GK6-CM111", 4508),
    ],
)
def test_parse_crs_codes_and_aliases(value, epsg):
    crs = parse_crs(value)
    assert isinstance(crs, CRS)
    assert crs.to_epsg() == epsg


def test_parse_crs_passes_a_crs_through():
    crs = CRS.from_epsg(4545)
    assert parse_crs(crs) is crs


@pytest.mark.parametrize(("value", "expected"), [("gcj02", "gcj02"), ("GCJ02", "gcj02"), (" BD09 ", "bd09")])
def test_parse_crs_web_offsets_are_strings(value, expected):
    assert parse_crs(value) == expected


_FORMS = ("EPSG:4490", "EPSG:4545", "CGCS2000-GK3-36", "CGCS2000-GK3-CM108", "gcj02 / bd09")


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "EPSG:999999",
        "CGCS2000-GK3-46",  # 3-degree zones are 25..45
        "CGCS2000-GK3-CM107",  # not a 3-degree central meridian
        "CGCS2000-GK6-CM108",  # not a 6-degree central meridian
        "CGCS2000-GK6-24",  # 6-degree zones are 13..23
        "wgs-84-ish",
    ],
)
def test_parse_crs_garbage_lists_the_accepted_forms(value):
    with pytest.raises(CRSError, match=all_of("--site-crs:", repr(value.strip()), *_FORMS)):
        parse_crs(value, what="--site-crs")


def test_crs_error_is_a_value_error():
    assert issubclass(CRSError, RedlineError)
    with pytest.raises(ValueError, match="is not a coordinate reference system"):
        parse_crs("nonsense")


def _gk_params(crs: CRS) -> tuple[float, float]:
    params = {p.code: p.value for p in crs.coordinate_operation.params}
    return params["8802"], params["8806"]  # longitude of natural origin, false easting


_GK_ALIASES = (
    [(f"CGCS2000-GK3-{z}", 3 * z, z * 1e6 + 500_000) for z in range(25, 46)]
    + [(f"CGCS2000-GK3-CM{cm}", cm, 500_000) for cm in range(75, 136, 3)]
    + [(f"CGCS2000-GK6-{z}", 6 * z - 3, z * 1e6 + 500_000) for z in range(13, 24)]
    + [(f"CGCS2000-GK6-CM{cm}", cm, 500_000) for cm in range(75, 136, 6)]
)


@pytest.mark.parametrize(("alias", "central_meridian", "false_easting"), _GK_ALIASES)
def test_gk_alias_arithmetic_matches_pyproj(alias, central_meridian, false_easting):
    crs = parse_crs(alias)
    assert crs.is_projected
    assert crs.geodetic_crs.to_epsg() == 4490
    assert crs.coordinate_operation.method_name == "Transverse Mercator"
    assert _gk_params(crs) == (central_meridian, false_easting)


# --- guess_crs --------------------------------------------------------------------------------


def _bounds(gdf):
    b = shapely.bounds(gdf.geometry.values)
    return b[:, 0], b[:, 1]


def test_guess_lon_lat_in_china():
    assert guess_crs(*_bounds(zones_frame())).startswith("EPSG:4490")


def test_guess_gk_without_zone_number_proposes_the_gk_range():
    hint = guess_crs(*_bounds(zones_frame("EPSG:4545")))
    assert "Gauss-Kruger" in hint
    assert "EPSG:4534-4554" in hint


def test_guess_zone_prefixed_easting_names_the_zone():
    xs, ys = _bounds(zones_frame("EPSG:4524"))
    assert (xs > 36e6).all() and (xs < 37e6).all()  # zone 36 in the easting
    hint = guess_crs(xs, ys)
    assert hint.startswith("EPSG:4524 ")
    assert "zone 36" in hint and "central meridian 108E" in hint


def test_guess_6_degree_zone_prefixed_easting():
    assert guess_crs(*_bounds(zones_frame("EPSG:4497"))).startswith("EPSG:4497 ")


@pytest.mark.parametrize(
    ("xs", "ys", "expected"),
    [
        ([-0.13], [51.5], "outside China"),
        ([], [], None),
        ([np.nan], [np.nan], None),
        ([1e12], [1e12], None),
    ],
)
def test_guess_other_cases(xs, ys, expected):
    hint = guess_crs(np.array(xs, dtype=float), np.array(ys, dtype=float))
    if expected is None:
        assert hint is None
    else:
        assert expected in hint


# --- projected sources ------------------------------------------------------------------------


def test_projected_source_loads_back_to_4490(tmp_path, fmt):
    source = write_source(zones_frame("EPSG:4545"), tmp_path, "gk", fmt)
    (layer,) = load_layerset(write_manifest(tmp_path, [water_entry(source)])).layers
    assert layer.source_crs == "EPSG:4545 (source)"
    assert_is_truth(layer.gdf, tol=1e-7)


@pytest.fixture
def shapefile_without_prj(tmp_path):
    source = write_source(zones_frame("EPSG:4545"), tmp_path, "gk", "shp")
    source.with_suffix(".prj").unlink()
    return source


def test_shapefile_without_prj_is_refused_with_a_proposal(shapefile_without_prj):
    manifest = write_manifest(shapefile_without_prj.parent, [water_entry(shapefile_without_prj)])
    with pytest.raises(
        ManifestError,
        match=all_of("layers[0] (water_source, gk.shp)", "no CRS", "Gauss-Kruger", "set `crs:`", "layerset.yaml"),
    ) as info:
        load_layerset(manifest)
    assert len(info.value.problems) == 1


@pytest.mark.parametrize("crs", ["EPSG:4545", "CGCS2000-GK3-CM108", 4545])
def test_crs_in_the_manifest_makes_it_load(shapefile_without_prj, crs):
    manifest = write_manifest(shapefile_without_prj.parent, [water_entry(shapefile_without_prj, crs=crs)])
    (layer,) = load_layerset(manifest).layers
    assert layer.source_crs == "EPSG:4545 (manifest)"
    assert_is_truth(layer.gdf, tol=1e-7)


def test_top_level_crs_is_only_for_sources_without_one(shapefile_without_prj):
    folder = shapefile_without_prj.parent
    lonlat = write_source(zones_frame(), folder, "lonlat", "gpkg")
    manifest = write_manifest(
        folder, [water_entry(shapefile_without_prj), water_entry(lonlat)], crs="CGCS2000-GK3-CM108"
    )
    gk, ll = load_layerset(manifest).layers
    assert gk.source_crs == "EPSG:4545 (manifest default)"
    assert ll.source_crs == "EPSG:4490 (source)"
    assert_is_truth(gk.gdf, tol=1e-7)
    assert_is_truth(ll.gdf, tol=1e-9)


def test_zone_prefixed_shapefile_without_prj_is_refused_naming_the_zone(tmp_path):
    source = write_source(zones_frame("EPSG:4524"), tmp_path, "gk36", "shp")
    source.with_suffix(".prj").unlink()
    with pytest.raises(ManifestError, match=all_of("gk36.shp", "EPSG:4524", "zone 36", "set `crs:`")):
        load_layerset(write_manifest(tmp_path, [water_entry(source)]))
    (layer,) = load_layerset(write_manifest(tmp_path, [water_entry(source, crs="CGCS2000-GK3-36")])).layers
    assert layer.source_crs == "EPSG:4524 (manifest)"
    assert_is_truth(layer.gdf, tol=1e-7)


# --- the whole vocabulary, checked against PROJ -----------------------------------------------

_DATUM_OF = {"CGCS2000": 4490, "XIAN80": 4610, "BEIJING54": 4214}
_TITLE_OF = {"CGCS2000": "CGCS2000", "XIAN80": "Xian 1980", "BEIJING54": "Beijing 1954"}


def _every_gk_alias():
    for datum in _DATUM_OF:
        for z in range(25, 46):
            yield f"{datum}-GK3-{z}", datum, 3 * z, z * 1e6 + 500_000
        for cm in range(75, 136, 3):
            yield f"{datum}-GK3-CM{cm}", datum, cm, 500_000
        for z in range(13, 24):
            yield f"{datum}-GK6-{z}", datum, 6 * z - 3, z * 1e6 + 500_000
        for cm in range(75, 136, 6):
            yield f"{datum}-GK6-CM{cm}", datum, cm, 500_000


@pytest.mark.parametrize(("alias", "datum", "central_meridian", "false_easting"), list(_every_gk_alias()))
def test_every_gk_alias_of_every_datum_matches_pyproj(alias, datum, central_meridian, false_easting):
    crs = parse_crs(alias)
    assert crs.is_projected
    assert crs.geodetic_crs.to_epsg() == _DATUM_OF[datum]
    assert crs.name.startswith(_TITLE_OF[datum] + " / ")
    assert "Gauss-Kruger" in crs.name
    assert crs.coordinate_operation.method_name == "Transverse Mercator"
    assert _gk_params(crs) == (central_meridian, false_easting)
    params = {p.code: p.value for p in crs.coordinate_operation.params}
    assert params["8805"] == 1.0 and params["8801"] == 0.0 and params["8807"] == 0.0  # k0, lat0, false northing
    assert crs_name(crs) == alias  # the table reads both ways


def test_the_alias_table_is_complete_and_one_to_one():
    assert len(CRS_ALIASES) == 1 + 3 * (1 + 21 + 21 + 11 + 11)
    assert len(set(CRS_ALIASES.values())) == len(CRS_ALIASES)


@pytest.mark.parametrize(
    ("value", "epsg"),
    [
        ("CGCS2000", 4490),
        ("WGS84", 4326),
        ("wgs 84", 4326),
        ("EPSG:4214", 4214),
        ("BEIJING54", 4214),
        ("Beijing1954", 4214),
        ("XIAN80", 4610),
        ("xian1980", 4610),
        ("EPSG:4610", 4610),
        ("XIAN80-GK3-36", 2360),
        ("xian80_gk3_cm108", 2381),
        ("XIAN80-GK6-19", 2333),
        ("XIAN80-GK6-CM111", 2344),
        ("BEIJING54-GK3-36", 2412),
        ("BEIJING54-GK3-CM108", 2433),
        ("BJ54-GK6-19", 21419),
        ("BEIJING54-GK6-CM111", 21459),
        ("西安80-GK3-36", 2360),
        ("北京54-GK3-CM108", 2433),
        ("国家2000-GK3-CM108", 4545),
    ],
)
def test_datum_names_and_their_gk_zones(value, epsg):
    assert parse_crs(value).to_epsg() == epsg


@pytest.mark.parametrize(("value", "expected"), [("gcj-02", "gcj02"), ("BD-09", "bd09")])
def test_web_offsets_with_hyphens(value, expected):
    assert parse_crs(value) == expected


@pytest.mark.parametrize("value", ["XIAN80-GK3-46", "BEIJING54-GK6-CM108", "XIAN80-GK9-36", "TOKYO-GK3-36"])
def test_unknown_zones_of_other_datums_are_refused(value):
    with pytest.raises(CRSError, match=all_of(repr(value), "XIAN80", "BEIJING54", "gcj02")):
        parse_crs(value)


def test_crs_label_and_name():
    assert crs_label(parse_crs("CGCS2000-GK3-CM108")) == "EPSG:4545"
    assert crs_label("gcj02") == "gcj02"
    assert crs_name(4545) == "CGCS2000-GK3-CM108"
    assert crs_name("EPSG:2360") == "XIAN80-GK3-36"
    assert crs_name(3857) is None


@pytest.mark.parametrize("value", ["EPSG:4214", "BEIJING54-GK3-CM108", "XIAN80-GK3-36", "EPSG:4610"])
def test_legacy_datums_say_their_conversion_is_approximate(value):
    caveat = datum_caveat(parse_crs(value))
    assert caveat is not None and "datum shift is ignored" in caveat and "100 m" in caveat


@pytest.mark.parametrize("value", ["EPSG:4490", "EPSG:4326", "EPSG:4545", "gcj02"])
def test_cgcs2000_and_wgs84_need_no_caveat(value):
    assert datum_caveat(parse_crs(value)) is None


def test_legacy_layer_loads_with_a_warning_and_a_marked_source_crs(tmp_path):
    source = write_source(zones_frame("EPSG:2433"), tmp_path, "bj54", "gpkg")
    manifest = write_manifest(tmp_path, [water_entry(source)])
    expected = all_of("layers[0] (water_source, bj54.gpkg)", "Beijing 1954", "tens of metres")
    with pytest.warns(UserWarning, match=expected):
        (layer,) = load_layerset(manifest).layers
    assert layer.source_crs == "EPSG:2433 (source; approximate: datum shift to CGCS2000 not applied)"


# --- proposals from coordinate values ---------------------------------------------------------


def test_guess_without_zone_number_uses_where_the_other_data_are():
    xs, ys = _bounds(zones_frame("EPSG:4545"))  # zones near 109.3E
    hint = guess_crs(xs, ys, near=(109.3, 22.3), near_what="the other layers")
    assert hint.startswith("EPSG:4545 ")
    assert all(p in hint for p in ("central meridian 108E", "the other layers", "109.3"))
    # the same eastings near 112E would be in the zone of 111E
    assert guess_crs(xs, ys, near=(112.3, 22.3)).startswith("EPSG:4546 ")


def test_guess_far_from_everything_says_so():
    hint = guess_crs(np.array([500_000.0]), np.array([2_460_000.0]), near=(80.0, 45.0))
    assert "no central meridian puts them within 200 km" in hint


def test_guess_wide_eastings_mention_the_6_degree_zone():
    hint = guess_crs(np.array([240_000.0]), np.array([2_460_000.0]), near=(108.5, 22.2))
    assert hint.startswith("EPSG:4546 ") and "EPSG:4508" in hint


@pytest.mark.parametrize(
    ("xs", "ys"),
    [([2_468_000.0], [36_512_345.0]), ([2_468_000.0], [512_345.0]), ([22.3], [109.3])],
    ids=["northing-then-prefixed-easting", "northing-then-easting", "lat-then-lon"],
)
def test_guess_spots_swapped_axes(xs, ys):
    hint = guess_crs(np.array(xs), np.array(ys))
    assert hint.startswith("no CRS: x and y look swapped")


def test_guess_names_the_datum_twins():
    hint = guess_crs(np.array([36_512_345.0]), np.array([2_468_000.0]))
    assert "CGCS2000-GK3-36" in hint and "XIAN80" in hint and "BEIJING54" in hint


def test_proposed_code():
    assert proposed_code("EPSG:4545 (CGCS2000 ...)") == "EPSG:4545"
    assert proposed_code("a CGCS2000 Gauss-Kruger CRS without zone number") is None
    assert proposed_code(None) is None


# --- the "done when" case: a layer set whose GK layer lost its .prj ----------------------------


def _zones_near_108_6() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"ZID": ["R1", "R2"]},
        geometry=[box(108.55, 21.95, 108.60, 22.00), box(108.62, 21.96, 108.66, 22.02)],
        crs="EPSG:4490",
    )


@pytest.fixture
def layerset_with_lost_prj(tmp_path):
    redline = write_source(_zones_near_108_6(), tmp_path, "redline", "gpkg")
    farmland = write_source(_zones_near_108_6().to_crs("EPSG:4545"), tmp_path, "farmland", "shp")
    farmland.with_suffix(".prj").unlink()
    return write_manifest(
        tmp_path,
        [
            {"kind": "basic_farmland", "path": farmland.name, "id_field": "ZID"},
            {"kind": "ecological_redline", "path": redline.name, "id_field": "ZID"},
        ],
    )


def test_layer_without_prj_gets_the_central_meridian_of_the_other_layers(layerset_with_lost_prj):
    with pytest.raises(
        ManifestError,
        match=all_of(
            "layers[0] (basic_farmland, farmland.shp)",
            "no CRS",
            "look like EPSG:4545",
            "central meridian 108E",
            "the other layers of the set",
            "e.g. crs: EPSG:4545",
        ),
    ) as info:
        load_layerset(layerset_with_lost_prj)
    assert len(info.value.problems) == 1


def test_layers_info_exits_2_proposing_epsg_4545(layerset_with_lost_prj, capsys):
    from redline.checks.app.cli import main

    assert main(["layers", "info", str(layerset_with_lost_prj), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "farmland.shp" in err and "EPSG:4545" in err and "set `crs:`" in err


def test_without_other_layers_the_sites_place_the_proposal(tmp_path):
    farmland = write_source(_zones_near_108_6().to_crs("EPSG:4545"), tmp_path, "farmland", "shp")
    farmland.with_suffix(".prj").unlink()
    manifest = write_manifest(tmp_path, [{"kind": "basic_farmland", "path": farmland.name, "id_field": "ZID"}])
    with pytest.raises(ManifestError, match=r"EPSG:4534-4554"):
        load_layerset(manifest)
    with pytest.raises(ManifestError, match=all_of("look like EPSG:4545", "from the sites")):
        load_layerset(manifest, near=(108.6, 22.0))


def test_parse_crs_errors_carry_their_parameter_and_name_it_per_interface():
    with pytest.raises(CRSError) as info:
        parse_crs("EPSG:999999")
    assert (info.value.param, info.value.value) == ("crs", "EPSG:999999")
    assert str(info.value).startswith("crs: 'EPSG:999999' is not a coordinate reference system; use an EPSG code")
    assert info.value.render({"crs": "--crs"}).startswith("--crs: 'EPSG:999999' is not")
    with pytest.raises(CRSError) as info:
        parse_crs("nope", param="region_crs")
    assert info.value.param == "region_crs" and str(info.value).startswith("region_crs: 'nope'")
    with pytest.raises(CRSError, match=r"^layers\[2\]: crs: 'nope' is not") as info:
        parse_crs("nope", what="layers[2]: crs")  # a manifest key is no parameter: said as it is
    assert info.value.param == "crs"
