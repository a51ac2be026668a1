"""``layers diff OLD NEW`` as a library function (layers/diff.py): zones added, removed, reshaped, reclassed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely import Polygon, box

from redline.layers.diff import CHANGES, DIFF_COLUMNS, diff_layersets
from redline.layers.geodesy import geodesic_area
from tests.conftest import write_layerset

A = box(109.00, 22.00, 109.01, 22.01)
B = box(109.02, 22.00, 109.03, 22.01)
C = box(109.04, 22.00, 109.05, 22.01)
A_GROWN = box(109.00, 22.00, 109.012, 22.01)


def _rotated(square: Polygon) -> Polygon:
    """The same square with its ring starting at another vertex."""
    coords = list(square.exterior.coords)[:-1]
    return Polygon(coords[2:] + coords[:2])


@pytest.fixture
def versions(tmp_path):
    from redline.layers import load_layerset

    old = {
        "water_source": [("W1", "first", A), ("W2", "second", B), ("W3", "second", C)],
        "ecological_redline": [("R1", "", A)],
    }
    new = {
        "water_source": [("W1", "first", A_GROWN), ("W2", "first", _rotated(B)), ("W4", "quasi", C)],
        "ecological_redline": [("R1", "", _rotated(A))],
    }
    secret = {"ecological_redline": {"confidential": True}}
    old_ls = load_layerset(write_layerset(tmp_path / "old", old, extra=secret))
    new_ls = load_layerset(write_layerset(tmp_path / "new", new, extra=secret))
    return old_ls, new_ls


def test_added_removed_reshaped_and_reclassed_zones_by_kind_and_id(versions):
    diff = diff_layersets(*versions)
    assert list(diff.columns) == [*DIFF_COLUMNS, "old_geometry", "new_geometry"]
    rows = {(r.kind, r.zone_id): r for r in diff.itertuples()}
    assert sorted(rows) == [("water_source", z) for z in ("W1", "W2", "W3", "W4")]
    assert {k: rows[k].change for k in rows} == {
        ("water_source", "W1"): "reshaped",
        ("water_source", "W2"): "reclassed",  # the ring starts elsewhere: the same zone
        ("water_source", "W3"): "removed",
        ("water_source", "W4"): "added",
    }
    grown = rows[("water_source", "W1")]
    assert grown.old_area_m2 == pytest.approx(geodesic_area(A), rel=1e-6)
    assert grown.new_area_m2 == pytest.approx(geodesic_area(A_GROWN), rel=1e-6)
    assert grown.area_change_m2 == pytest.approx(geodesic_area(A_GROWN) - geodesic_area(A), rel=1e-6)
    assert grown.area_change_ha == pytest.approx(grown.area_change_m2 / 10_000)
    assert grown.area_change_ha == pytest.approx(0.2 * 114.3, rel=0.01)  # 0.002° x 0.01° at 22°N
    assert grown.new_geometry.equals(A_GROWN) and grown.old_geometry.equals(A)
    assert (rows[("water_source", "W2")].old_class, rows[("water_source", "W2")].new_class) == ("second", "first")
    removed, added = rows[("water_source", "W3")], rows[("water_source", "W4")]
    assert math.isnan(removed.new_area_m2) and removed.area_change_m2 == pytest.approx(-removed.old_area_m2)
    assert math.isnan(added.old_area_m2) and added.new_geometry.equals(C) and added.old_geometry is None
    assert set(diff["change"]) <= set(CHANGES)


def test_a_confidential_layer_is_diffed_without_its_geometry(versions, tmp_path):
    from shapely import affinity

    old, new = versions
    red = new.layers[1].gdf if new.layers[1].kind == "ecological_redline" else new.layers[0].gdf
    red.loc[0, "geometry"] = affinity.translate(A, xoff=0.001)
    diff = diff_layersets(old, new)
    secret = diff[diff["kind"] == "ecological_redline"]
    assert secret["change"].tolist() == ["reshaped"] and secret["confidential"].tolist() == [True]
    assert secret["old_geometry"].isna().all() and secret["new_geometry"].isna().all()
    assert not diff.loc[diff["kind"] == "water_source", "confidential"].any()


def test_identical_versions_differ_in_nothing_and_paths_are_loaded():
    diff = diff_layersets("sample", "sample")
    assert diff.empty and list(diff.columns)[: len(DIFF_COLUMNS)] == DIFF_COLUMNS
    assert np.issubdtype(diff["area_change_m2"].dtype, np.floating)
