"""The benchmark layer set (``benchmarks/_data.py``) at a small size: built as promised, validated clean."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod

from benchmarks._data import BOUNDS, build_layerset, point_sites, polygon_sites
from redline.layers.validate import validate_layerset

GEOD = Geod(ellps="GRS80")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build_layerset(tmp_path_factory.mktemp("bench") / "set", n_parcels=3000, seed=7)


def test_square_is_100_km_on_a_side():
    x0, y0, x1, y1 = BOUNDS
    mid = (y0 + y1) / 2
    assert GEOD.inv(x0, mid, x1, mid)[2] == pytest.approx(100_000, rel=1e-3)
    assert GEOD.inv(x0, y0, x0, y1)[2] == pytest.approx(100_000, rel=1e-6)


def test_small_benchmark_set_is_built_and_clean(small):
    folder = small.parent
    assert pyogrio.read_info(folder / "basic_farmland.fgb")["features"] == 3000
    report = validate_layerset(small, region=folder / "region.geojson")
    assert report.problems == [], report.summary()
    kinds = {layer.kind for layer in report.layers}
    assert kinds == {"basic_farmland", "ecological_redline", "urban_boundary", "water_source", "control_unit"}
    assert all(layer.n_features for layer in report.layers)
    assert set(report.timings) == {"load", "layers", "overlaps", "coverage", "cross"}


def test_benchmark_set_is_cached_and_deterministic(small, tmp_path):
    stamp = small.stat().st_mtime_ns
    assert build_layerset(small.parent, n_parcels=3000, seed=7) == small
    assert small.stat().st_mtime_ns == stamp  # reused, not rebuilt
    again = build_layerset(tmp_path / "again", n_parcels=3000, seed=7)
    a = gpd.read_file(small.parent / "basic_farmland.fgb")
    b = gpd.read_file(again.parent / "basic_farmland.fgb")
    assert a["TBBH"].tolist() == b["TBBH"].tolist()
    assert shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=0).all()


def test_red_line_shares_edges_with_the_farmland(small):
    folder = small.parent
    red = gpd.read_file(folder / "ecological_redline.gpkg").geometry.values
    farm = gpd.read_file(folder / "basic_farmland.fgb").geometry.values
    tree = shapely.STRtree(farm)
    touching = tree.query(red, predicate="touches")
    assert touching.shape[1] > 0  # neighbours, sharing edges
    assert tree.query(red, predicate="overlaps").shape[1] == 0


def test_sites_for_the_batch_benchmark():
    points = point_sites(1000, seed=3)
    assert len(points) == 1000 and points.crs == "EPSG:4490" and points["site_id"].is_unique
    x0, y0, x1, y1 = BOUNDS
    xy = shapely.get_coordinates(points.geometry.values)
    assert ((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)).all()
    polys = polygon_sites(200, seed=3, r_min=50, r_max=500)
    assert polys.geometry.is_valid.all() and (polys.geom_type == "Polygon").all()
    centre = shapely.centroid(polys.geometry.values)
    coords = [np.asarray(p.exterior.coords) for p in polys.geometry]
    reach = [
        GEOD.inv(np.full(len(c), ctr.x), np.full(len(c), ctr.y), c[:, 0], c[:, 1])[2].max()
        for c, ctr in zip(coords, centre, strict=True)
    ]
    assert min(reach) > 30 and max(reach) < 560
    assert point_sites(10, seed=3).geometry.geom_equals(point_sites(10, seed=3).geometry).all()
