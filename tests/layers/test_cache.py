"""The layer cache: a hit gives the same layer, any change misses, and a damaged entry is never used."""

from __future__ import annotations

import os
import shutil
import warnings

import numpy as np
import pytest
import yaml
from shapely import MultiPolygon, Point, Polygon, box

from redline.checks.screen import screen_sites
from redline.checks.sites.reader import sites_from_geometries
from redline.layers import load_layerset
from redline.layers.cache import cache_dir, clear_cache
from tests.conftest import write_layerset


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def entries(folder):
    layers = folder / "layers"
    return (
        sorted(p.name for p in layers.iterdir() if p.is_dir() and not p.name.startswith(".")) if layers.exists() else []
    )


def test_second_load_opens_the_store_and_equals_the_first(tmp_path, own_cache):
    manifest = write_layerset(tmp_path / "l", {"water_source": [("W1", "first", box(109, 22, 109.1, 22.1))]})
    first = load_layerset(manifest).layers[0]
    assert len(entries(own_cache)) == 1
    second = load_layerset(manifest).layers[0]
    assert second.store is not None and second.__dict__.get("_gdf") is None  # (opened, not rebuilt)
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


def test_clear_and_no_cache(tmp_path, own_cache, monkeypatch):
    manifest = write_layerset(tmp_path / "l", {"basic_farmland": [("F", None, box(109, 22, 109.1, 22.1))]})
    load_layerset(manifest)
    assert clear_cache() == 1 and entries(own_cache) == []
    monkeypatch.setenv("REDLINE_NO_CACHE", "1")
    load_layerset(manifest)
    assert entries(own_cache) == []


def test_repair_warning_is_given_again_on_a_hit(tmp_path, own_cache):
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


def test_polygons_and_multipolygons_come_back_as_they_were_given(tmp_path, own_cache):
    holed = Polygon(
        [(109, 22), (109.1, 22), (109.1, 22.1), (109, 22.1)], [[(109.02, 22.02), (109.02, 22.05), (109.05, 22.02)]]
    )
    multi = MultiPolygon([box(109.2, 22, 109.25, 22.02), box(109.3, 22, 109.35, 22.02)])
    manifest = write_layerset(tmp_path / "l", {"basic_farmland": [("A", None, holed), ("B", None, multi)]})
    first = load_layerset(manifest).layers[0]
    hit = load_layerset(manifest).layers[0]
    assert hit.gdf.geometry.geom_type.tolist() == first.gdf.geometry.geom_type.tolist()
    assert hit.gdf.geometry.geom_equals_exact(first.gdf.geometry, 0).all()
    # the engine's vertices come straight from the stored arrays, the same as taken off the polygons
    from redline.checks.engine.index import index_of
    from redline.checks.engine.point_distances import vertices_of

    stored = index_of(hit).vertices
    expected = vertices_of(np.asarray(first.gdf.geometry.array))
    for name in ("coords", "start", "count", "joins", "edge_v", "edge_start", "edge_count"):
        np.testing.assert_array_equal(getattr(stored, name), getattr(expected, name))


def test_zone_areas_are_stored_with_the_entry_and_given_back_on_a_hit(tmp_path, own_cache):
    from pyproj import Geod

    zones = [("W1", "first", box(109, 22, 109.1, 22.1)), ("W2", "second", box(109.2, 22, 109.25, 22.02))]
    manifest = write_layerset(tmp_path / "l", {"water_source": zones})
    first = load_layerset(manifest).layers[0]
    second = load_layerset(manifest).layers[0]
    geod = Geod(ellps="GRS80")
    expected = [abs(geod.geometry_area_perimeter(geom)[0]) for _, _, geom in zones]
    np.testing.assert_allclose(first.zone_areas, expected, rtol=1e-7)
    np.testing.assert_array_equal(second.zone_areas, first.zone_areas)


# --------------------------------------------------------------------------- a verified cache (issue 20)

#: 300 parcels in a 15 x 20 grid, a point in each, and polygons over several
PARCELS = [
    (f"P{i:03d}", None, box(x, y, x + 0.009, y + 0.009))
    for i, (x, y) in enumerate((109 + 0.01 * (k % 15), 22 + 0.01 * (k // 15)) for k in range(300))
]


def _findings(manifest):
    sites = [Point(109.0045 + 0.01 * (i % 15), 22.0045 + 0.01 * (i // 15)) for i in range(0, 300, 7)]
    sites += [box(109.003 + 0.02 * k, 22.003 + 0.03 * k, 109.028 + 0.02 * k, 22.027 + 0.03 * k) for k in range(6)]
    result = screen_sites(sites_from_geometries(sites, "EPSG:4490"), load_layerset(manifest), buffer_m=300)
    columns = ["site_id", "zone_id", "relation", "overlap_area_m2", "distance_m"]
    return result.findings[columns].reset_index(drop=True)


@pytest.fixture
def cached_layers(tmp_path, own_cache):
    manifest = write_layerset(tmp_path / "l", {"basic_farmland": PARCELS})
    truth = _findings(manifest)  # (the first load makes the entry)
    (entry,) = entries(own_cache)
    return manifest, truth, own_cache / "layers" / entry


def _flip(path, offset):
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0x5A
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # (even with its modification time put back)


@pytest.mark.parametrize(
    "file", ["coords.npy", "ring_offsets.npy", "geom_offsets.npy", "bounds.npy", "areas.npy", "attributes.arrow"]
)
@pytest.mark.parametrize("where", [0.5, 0.9])
def test_a_flipped_byte_anywhere_in_an_entry_never_changes_a_finding(cached_layers, file, where):
    manifest, truth, entry = cached_layers
    path = entry / file
    _flip(path, int(path.stat().st_size * where))
    with pytest.warns(UserWarning, match="damaged .* rebuilt from the sources"):
        again = _findings(manifest)
    np.testing.assert_array_equal(again["zone_id"], truth["zone_id"])
    np.testing.assert_array_equal(again["relation"], truth["relation"])
    np.testing.assert_allclose(again["overlap_area_m2"], truth["overlap_area_m2"], rtol=0, equal_nan=True)
    np.testing.assert_allclose(again["distance_m"], truth["distance_m"], rtol=0, equal_nan=True)
    with warnings.catch_warnings():  # the rebuilt entry is whole again: no second warning
        warnings.simplefilter("error")
        _findings(manifest)


def test_a_tampered_areas_file_of_the_right_shape_is_found(cached_layers):
    manifest, truth, entry = cached_layers
    areas = np.load(entry / "areas.npy")
    np.save(entry / "areas.npy", areas * 1.5)
    with pytest.warns(UserWarning, match="areas.npy does not match its checksum"):
        again = _findings(manifest)
    np.testing.assert_allclose(again["overlap_area_m2"], truth["overlap_area_m2"], rtol=0, equal_nan=True)


def test_swapped_entries_are_found_by_their_keys(tmp_path, own_cache):
    one = write_layerset(tmp_path / "a", {"basic_farmland": PARCELS[:150]})
    two = write_layerset(tmp_path / "b", {"basic_farmland": PARCELS[150:]})
    truth_one, truth_two = _findings(one), _findings(two)
    first, second = (own_cache / "layers" / e for e in entries(own_cache))
    shutil.move(first, first.with_name("swap"))
    shutil.move(second, first)
    shutil.move(first.with_name("swap"), second)
    for manifest, truth in ((one, truth_one), (two, truth_two)):
        with pytest.warns(UserWarning, match="holds another layer"):
            assert _findings(manifest).equals(truth)


def test_a_missing_or_truncated_file_is_found(cached_layers):
    manifest, truth, entry = cached_layers
    (entry / "bounds.npy").unlink()
    with pytest.warns(UserWarning, match="bounds.npy is missing"):
        assert _findings(manifest).equals(truth)
    (entries_dir,) = [p for p in entry.parent.iterdir() if p.is_dir()]
    path = entries_dir / "coords.npy"
    path.write_bytes(path.read_bytes()[:-16])
    with pytest.warns(UserWarning, match="coords.npy has"):
        assert _findings(manifest).equals(truth)


def test_an_untouched_entry_is_opened_without_reading_its_data(cached_layers, monkeypatch):
    manifest, _, _ = cached_layers
    from redline.layers import store

    read = []
    monkeypatch.setattr(store, "_digest", lambda path: read.append(path) or "")
    load_layerset(manifest)
    assert read == []
