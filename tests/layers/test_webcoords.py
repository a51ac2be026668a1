"""GCJ-02 and BD-09, the offset coordinates of Chinese web maps, and layers declared in them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from redline.layers import load_layerset
from redline.layers.webcoords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    transform_geometry,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from tests.layers._zones import ZONES, write_manifest, write_source

GEOD = Geod(ellps="WGS84")

#: ../shared beside the repository (CI has it there).
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
ADMIN_450721 = SHARED / "data" / "admin-gcj02" / "450721.geojson"

# A grid across China, clear of the edges of the published "in China" rectangle.
_LON, _LAT = np.meshgrid(np.arange(74.0, 135.0, 3.7), np.arange(18.0, 54.0, 2.3))
GRID_LON, GRID_LAT = _LON.ravel(), _LAT.ravel()


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def _worst_vertex_miss(want, got) -> float:
    """Metres from the worst-placed vertex of either geometry to the nearest vertex of the other.

    Ring start and orientation may differ by format (shapefiles turn rings clockwise).
    """
    a, b = shapely.get_coordinates(want), shapely.get_coordinates(got)
    i, j = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
    d = _metres(a[i.ravel(), 0], a[i.ravel(), 1], b[j.ravel(), 0], b[j.ravel(), 1]).reshape(len(a), len(b))
    return float(max(d.min(axis=1).max(), d.min(axis=0).max()))


# The test points of the public eviltransform suite (github.com/googollee/eviltransform,
# python/test.py and the same table in its Go, Rust, Ruby, Haskell ... tests), as
# (wgs_lat, wgs_lng, gcj_lat, gcj_lng).  Its forward test asserts 6 decimals and its exact
# inverse 0.5 m; ours reproduces the forward values to the last digit.
EVILTRANSFORM = {
    "shanghai": (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    "shenzhen": (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    "beijing": (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
}


@pytest.mark.parametrize("city", list(EVILTRANSFORM))
def test_published_gcj02_test_points(city):
    wlat, wlon, glat, glon = EVILTRANSFORM[city]
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert float(lon) == pytest.approx(glon, abs=1e-9) and float(lat) == pytest.approx(glat, abs=1e-9)
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert _metres(wlon, wlat, float(lon), float(lat)) < 0.01  # eviltransform's own bar is 0.5 m
    # the offset: east everywhere; north at Beijing, south at Shanghai and Shenzhen
    assert glon > wlon
    assert (glat > wlat) == (city == "beijing")
    assert 300 < _metres(wlon, wlat, glon, glat) < 700


@pytest.mark.parametrize("city", list(EVILTRANSFORM))
def test_published_points_round_trip_as_geometries(city):
    wlat, wlon, _, _ = EVILTRANSFORM[city]
    square = shapely.box(wlon, wlat, wlon + 0.01, wlat + 0.01)
    there = transform_geometry(square, "wgs84", "gcj02")
    first = shapely.get_coordinates(square)[0]
    assert tuple(shapely.get_coordinates(there)[0]) == tuple(map(float, wgs84_to_gcj02(*first)))
    back = transform_geometry(there, "gcj02")
    assert _worst_vertex_miss(square, back) < 0.5
    via_bd = transform_geometry(transform_geometry(square, "wgs84", "bd09"), "bd09", "wgs84")
    assert _worst_vertex_miss(square, via_bd) < 0.5
    between = transform_geometry(transform_geometry(there, "gcj02", "bd09"), "bd09", "gcj02")
    assert _worst_vertex_miss(there, between) < 0.5


def test_transform_geometry_names_the_frames():
    p = shapely.Point(116.4, 39.9)
    assert transform_geometry(p, "wgs84", "wgs84").equals(p)
    with pytest.raises(ValueError, match=r"unknown coordinate frame 'mars'; use one of wgs84, gcj02, bd09"):
        transform_geometry(p, "mars")


def test_gcj02_round_trip_across_china():
    glon, glat = wgs84_to_gcj02(GRID_LON, GRID_LAT)
    assert (np.abs(glon - GRID_LON) > 1e-4).all()  # every grid point is really offset
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert np.abs(lon - GRID_LON).max() < 1e-8
    assert np.abs(lat - GRID_LAT).max() < 1e-8


def test_gcj02_offset_is_hundreds_of_metres_across_china():
    glon, glat = wgs84_to_gcj02(GRID_LON, GRID_LAT)
    d = _metres(GRID_LON, GRID_LAT, glon, glat)
    assert d.min() > 1 and d.max() < 1500


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(139.69, 35.69), (-0.13, 51.5), (-74.0, 40.7), (151.2, -33.9), (37.6, 55.75), (0.0, 0.0)],
    ids=["tokyo", "london", "new-york", "sydney", "moscow", "null-island"],
)
def test_outside_china_the_offset_is_zero(lon, lat):
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)
    assert gcj02_to_bd09(lon, lat) == (lon, lat)
    assert bd09_to_gcj02(lon, lat) == (lon, lat)
    assert wgs84_to_bd09(lon, lat) == (lon, lat)
    assert bd09_to_wgs84(lon, lat) == (lon, lat)


def test_gcj02_offset_at_beijing():
    lon, lat = 116.397, 39.908  # 天安门
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 100 < _metres(lon, lat, glon, glat) < 700
    assert glon > lon and glat > lat  # the published offset at Beijing is to the north-east


def test_bd09_round_trip():
    glon, glat = wgs84_to_gcj02(GRID_LON, GRID_LAT)
    blon, blat = gcj02_to_bd09(glon, glat)
    d = _metres(glon, glat, blon, blat)
    assert d.min() > 300 and d.max() < 1500  # BD-09 adds roughly (0.0065, 0.006) degrees
    lon, lat = bd09_to_gcj02(blon, blat)
    assert np.abs(lon - glon).max() < 1e-8 and np.abs(lat - glat).max() < 1e-8
    lon, lat = bd09_to_wgs84(blon, blat)
    assert np.abs(lon - GRID_LON).max() < 1e-8 and np.abs(lat - GRID_LAT).max() < 1e-8


def test_transform_geometry_keeps_structure():
    polygon = ZONES[1][4]  # square ring with a hole

    def to_gcj(coords):
        return np.column_stack(wgs84_to_gcj02(coords[:, 0], coords[:, 1]))

    back = transform_geometry(shapely.transform(polygon, to_gcj), "gcj02")
    assert back.geom_type == "Polygon" and len(back.interiors) == 1
    assert shapely.hausdorff_distance(back.boundary, polygon.boundary) < 1e-8
    arr = transform_geometry(np.array([polygon, None]), "bd09")
    assert arr[1] is None


# --- layers declared in web-map coordinates ---------------------------------------------------

_FORWARD = {
    "gcj02": lambda lon, lat: wgs84_to_gcj02(lon, lat),
    "bd09": lambda lon, lat: gcj02_to_bd09(*wgs84_to_gcj02(lon, lat)),
}


@pytest.mark.parametrize("web", ["gcj02", "bd09"])
def test_layer_in_web_coordinates_lands_on_the_truth(tmp_path, web):
    truth = [z[4] for z in ZONES]

    def forward(coords):
        return np.column_stack(_FORWARD[web](coords[:, 0], coords[:, 1]))

    gdf = gpd.GeoDataFrame(
        {"ZID": [z[0] for z in ZONES]}, geometry=[shapely.transform(g, forward) for g in truth], crs="EPSG:4326"
    )
    source = write_source(gdf, tmp_path, "web", "geojson")
    entry = {"kind": "basic_farmland", "path": source.name, "id_field": "ZID", "crs": web}
    (layer,) = load_layerset(write_manifest(tmp_path, [entry])).layers
    assert layer.source_crs == f"{web} (manifest), converted"
    assert layer.gdf.crs == "EPSG:4490"
    for want, got in zip(truth, layer.gdf.geometry, strict=True):
        assert shapely.get_num_coordinates(got) == shapely.get_num_coordinates(want)
        assert _worst_vertex_miss(want, got) < 0.5


def test_top_level_gcj02_applies_to_a_shapefile_without_prj(tmp_path):
    def forward(coords):
        return np.column_stack(wgs84_to_gcj02(coords[:, 0], coords[:, 1]))

    gdf = gpd.GeoDataFrame({"ZID": ["A"]}, geometry=[shapely.transform(ZONES[0][4], forward)], crs="EPSG:4490")
    source = write_source(gdf, tmp_path, "web", "shp")
    source.with_suffix(".prj").unlink()
    manifest = write_manifest(tmp_path, [{"kind": "basic_farmland", "path": source.name}], crs="gcj02")
    (layer,) = load_layerset(manifest).layers
    assert layer.source_crs == "gcj02 (manifest default), converted"
    assert _worst_vertex_miss(ZONES[0][4], layer.gdf.geometry.iloc[0]) < 0.5


@pytest.mark.skipif(not ADMIN_450721.is_file(), reason=f"shared test data not found at {ADMIN_450721}")
def test_real_county_outline_in_gcj02(tmp_path):
    raw = json.loads(ADMIN_450721.read_text("utf-8"))
    assert raw["type"] == "MultiPolygon"  # a bare GeoJSON geometry, no features, no id field
    manifest = write_manifest(
        tmp_path,
        [{"kind": "ecological_redline", "path": str(ADMIN_450721), "crs": "gcj02"}],
        name="灵山县",
        allow_outside=True,
    )
    (layer,) = load_layerset(manifest).layers
    assert layer.source_crs == "gcj02 (manifest), converted"
    assert list(layer.gdf.zone_id) == ["ecological_redline-1"]
    outline = layer.gdf.geometry.iloc[0]
    assert outline.geom_type == "MultiPolygon" and outline.is_valid
    assert len(outline.geoms) == len(raw["coordinates"])

    src = np.array([xy for poly in raw["coordinates"] for ring in poly for xy in ring], dtype=float)
    got = shapely.get_coordinates(outline)
    assert got.shape == src.shape
    want_lon, want_lat = gcj02_to_wgs84(src[:, 0], src[:, 1])
    assert _metres(want_lon, want_lat, got[:, 0], got[:, 1]).max() < 1.0
    # the first vertex, explicitly: moved by the GCJ-02 offset, onto its WGS84 position
    lon0, lat0 = gcj02_to_wgs84(src[0, 0], src[0, 1])
    assert _metres(lon0, lat0, got[0, 0], got[0, 1]) < 1.0
    assert 100 < _metres(src[0, 0], src[0, 1], got[0, 0], got[0, 1]) < 1000
    assert 108.3 < outline.centroid.x < 109.6 and 21.9 < outline.centroid.y < 22.8


ADMIN = sorted((SHARED / "data" / "admin-gcj02").glob("*.geojson")) if SHARED.is_dir() else []


@pytest.mark.skipif(not ADMIN, reason="shared test data not found")
@pytest.mark.parametrize("path", ADMIN, ids=[p.stem for p in ADMIN])
def test_every_gcj02_county_outline_lands_on_its_wgs84_conversion(tmp_path, path):
    raw = json.loads(path.read_text("utf-8"))
    manifest = write_manifest(
        tmp_path, [{"kind": "ecological_redline", "path": str(path), "crs": "gcj02"}], allow_outside=True
    )
    (layer,) = load_layerset(manifest).layers
    assert layer.source_crs == "gcj02 (manifest), converted"
    got = shapely.get_coordinates(layer.gdf.geometry.values)
    polys = raw["coordinates"] if raw["type"] == "MultiPolygon" else [raw["coordinates"]]
    src = np.array([xy for poly in polys for ring in poly for xy in ring], dtype=float)
    assert got.shape == src.shape
    want_lon, want_lat = gcj02_to_wgs84(src[:, 0], src[:, 1])
    assert _metres(want_lon, want_lat, got[:, 0], got[:, 1]).max() < 1.0
    moved = _metres(src[:, 0], src[:, 1], got[:, 0], got[:, 1])
    assert moved.min() > 100 and moved.max() < 1000  # every vertex really moved by the offset
    # and back: the converted outline, offset again, is the published one
    again = transform_geometry(layer.gdf.geometry.values, "wgs84", "gcj02")
    back = shapely.get_coordinates(again)
    assert _metres(src[:, 0], src[:, 1], back[:, 0], back[:, 1]).max() < 0.5
