"""GCJ-02 and BD-09, the offset coordinates of Chinese web maps, and layers declared in them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from layers import load_layerset
from layers.webcoords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    transform_geometry,
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
        tmp_path, [{"kind": "ecological_redline", "path": str(ADMIN_450721), "crs": "gcj02"}], name="灵山县"
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
