"""The layer cache: a hit gives the same layer, any change of source or manifest misses, damage is a miss."""

from __future__ import annotations

import json
import warnings

import pytest
import yaml
from shapely import box

from redline.layers import load_layerset
from redline.layers.cache import cache_dir, clear_cache
from tests.conftest import write_layerset


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def entries(folder):
    return sorted(p.name for p in (folder / "layers").glob("*.parquet")) if (folder / "layers").exists() else []


def test_second_load_hits_and_equals_the_first(tmp_path, own_cache):
    manifest = write_layerset(tmp_path / "l", {"water_source": [("W1", "first", box(109, 22, 109.1, 22.1))]})
    first = load_layerset(manifest).layers[0]
    assert len(entries(own_cache)) == 1
    second = load_layerset(manifest).layers[0]
    assert second.gdf.drop(columns="geometry").equals(first.gdf.drop(columns="geometry"))
    assert second.gdf.geometry.geom_equals_exact(first.gdf.geometry, 0).all()
    assert (second.fingerprint, second.source_crs) == (first.fingerprint, first.source_crs)
    assert cache_dir() == own_cache


def test_changed_source_or_manifest_is_a_miss(tmp_path, own_cache):
    folder = tmp_path / "l"
    manifest = write_layerset(folder, {"water_source": [("W1", "first", box(109, 22, 109.1, 22.1))]})
    load_layerset(manifest)
    write_layerset(folder, {"water_source": [("W1", "second", box(109, 22, 109.1, 22.1))]})
    assert load_layerset(manifest).layers[0].gdf["zone_class"].tolist() == ["second"]
    data = yaml.safe_load(manifest.read_text("utf-8"))
    data["layers"][0]["class_map"] = {"second": "quasi"}
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    assert load_layerset(manifest).layers[0].gdf["zone_class"].tolist() == ["quasi"]
    assert len(entries(own_cache)) == 3


def test_damaged_entry_is_a_miss_and_no_cache_bypasses(tmp_path, own_cache, monkeypatch):
    manifest = write_layerset(tmp_path / "l", {"basic_farmland": [("F", None, box(109, 22, 109.1, 22.1))]})
    load_layerset(manifest)
    for path in (own_cache / "layers").glob("*.parquet"):
        path.write_bytes(b"garbage")
    assert load_layerset(manifest).layers[0].gdf["zone_id"].tolist() == ["F"]
    assert clear_cache() == 1 and entries(own_cache) == []
    monkeypatch.setenv("REDLINE_NO_CACHE", "1")
    load_layerset(manifest)
    assert entries(own_cache) == []


def test_repair_warning_is_given_again_on_a_hit(tmp_path, own_cache):
    from shapely import Polygon

    bowtie = Polygon([(109, 22), (109.1, 22.1), (109.1, 22), (109, 22.1)])
    manifest = write_layerset(
        tmp_path / "l", {"basic_farmland": [("BOW", None, bowtie)]}, extra={"basic_farmland": {"on_invalid": "fix"}}
    )
    for _ in range(2):
        with pytest.warns(UserWarning, match="BOW"):
            layer = load_layerset(manifest).layers[0]
        assert layer.repaired == ["BOW"] and layer.gdf.is_valid.all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(entries(own_cache)) == 1


def test_geoarrow_for_one_geometry_type_and_wkb_for_mixed_types(tmp_path, monkeypatch):
    """The cache stores GeoArrow when it can and gives back exactly the geometries it was given."""
    import geopandas as gpd
    import pyarrow.parquet as pq
    from shapely import MultiPolygon, box

    from redline.layers import cache

    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("REDLINE_NO_CACHE", raising=False)
    one = gpd.GeoDataFrame({"zone_id": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(2, 2, 3, 3)], crs="EPSG:4490")
    mixed = gpd.GeoDataFrame(
        {"zone_id": ["a", "b"]},
        geometry=[box(0, 0, 1, 1), MultiPolygon([box(2, 2, 3, 3), box(4, 4, 5, 5)])],
        crs="EPSG:4490",
    )
    for key, frame, encoding in (("k1", one, "polygon"), ("k2", mixed, "WKB")):  # GeoArrow names the type
        cache.store_cached(key, frame, {"note": key})
        stored = tmp_path / "layers" / f"{key}.parquet"
        meta = json.loads(pq.read_schema(stored).metadata[b"geo"])
        assert meta["columns"]["geometry"]["encoding"].lower() == encoding.lower()
        back, note = cache.load_cached(key)
        assert note == {"note": key}
        assert back.geometry.geom_type.tolist() == frame.geometry.geom_type.tolist()
        assert back.geometry.geom_equals_exact(frame.geometry, 0).all()


def test_zone_areas_are_stored_with_the_entry_and_given_back_on_a_hit(tmp_path, own_cache):
    import numpy as np
    from pyproj import Geod

    zones = [("W1", "first", box(109, 22, 109.1, 22.1)), ("W2", "second", box(109.2, 22, 109.25, 22.02))]
    manifest = write_layerset(tmp_path / "l", {"water_source": zones})
    first = load_layerset(manifest).layers[0]
    stored = sorted(p.name for p in (own_cache / "layers").iterdir() if p.name.endswith(".areas.npy"))
    assert len(stored) == 1
    second = load_layerset(manifest).layers[0]
    geod = Geod(ellps="GRS80")
    expected = [abs(geod.geometry_area_perimeter(geom)[0]) for _, _, geom in zones]
    np.testing.assert_allclose(first.zone_areas, expected, rtol=1e-7)
    np.testing.assert_array_equal(second.zone_areas, first.zone_areas)
    # a damaged or missing areas file: the entry still loads, and the areas are measured as needed
    (own_cache / "layers" / stored[0]).write_bytes(b"garbage")
    third = load_layerset(manifest).layers[0]
    assert third.zone_areas is None and third.gdf["zone_id"].tolist() == ["W1", "W2"]
    assert clear_cache() == 1 and list((own_cache / "layers").iterdir()) == []


def test_a_hit_of_polygons_gives_their_vertices_and_the_same_frame_as_geopandas(tmp_path, own_cache):
    import geopandas as gpd
    import numpy as np
    from shapely import Polygon

    from redline.checks.engine.point_distances import vertices_from_rings, vertices_of

    holed = Polygon(
        [(109, 22), (109.1, 22), (109.1, 22.1), (109, 22.1)], [[(109.02, 22.02), (109.02, 22.05), (109.05, 22.02)]]
    )
    zones = [("W1", "first", holed), ("W2", "second", box(109.2, 22, 109.25, 22.02))]
    manifest = write_layerset(tmp_path / "l", {"water_source": zones})
    load_layerset(manifest)
    hit = load_layerset(manifest).layers[0]
    assert hit.zone_rings is not None
    vertices = vertices_from_rings(hit.zone_rings.coords, hit.zone_rings.ring_offsets, hit.zone_rings.geom_offsets)
    expected = vertices_of(np.asarray(hit.gdf.geometry.array))
    for name in ("coords", "start", "count", "joins", "edge_v", "edge_start", "edge_count"):
        np.testing.assert_array_equal(getattr(vertices, name), getattr(expected, name))
    (stored,) = (own_cache / "layers").glob("*.parquet")
    plain = gpd.read_parquet(stored)
    assert hit.gdf.crs == plain.crs and list(hit.gdf.columns) == list(plain.columns)
    assert hit.gdf.drop(columns="geometry").equals(plain.drop(columns="geometry"))
    assert hit.gdf.geometry.geom_equals_exact(plain.geometry, 0).all()
