"""CRS: what users write (parse_crs), what is proposed when a CRS is missing (guess_crs), and
projected sources normalised back to EPSG:4490."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS

from layers import load_layerset
from layers.crs import guess_crs, parse_crs
from tests.layers._zones import all_of, assert_is_truth, water_entry, write_manifest, write_source, zones_frame
from zones.errors import CRSError, ManifestError, RedlineError

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
