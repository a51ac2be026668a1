"""Points on the boundary of a zone the engine cuts in pieces are located as GEOS locates them on the whole zone.

Zones of more than 32 vertices are cut in pieces to locate point sites (``LayerIndex.point_index``);
the cut moves the zone's edges where it crosses them by about 1e-14°.  A point exactly on such an
edge must still come out as ``shapely.covers(zone, point)`` says, in every search mode.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.checks.engine.index import PIECE_VERTICES, index_of
from redline.checks.engine.spatial import site_measures, spatial_findings
from redline.layers.layerset import ZoneLayer

CASES = Path(__file__).resolve().parents[2] / "data" / "geos_relate" / "cases.json"


def star_zone(lon: float, lat: float, radius: float, n: int, hole: bool, decimals: int, seed: int) -> shapely.Polygon:
    """A star polygon of ``n`` vertices around (lon, lat), its coordinates rounded to ``decimals`` places."""
    rng = np.random.default_rng(seed)
    angles = np.sort(rng.uniform(0.0, 2 * np.pi, n))
    reach = radius * rng.uniform(0.3, 1.0, n)
    squash = np.cos(np.radians(lat))
    shell = np.round(np.c_[lon + reach * np.cos(angles) / squash, lat + reach * np.sin(angles)], decimals)
    holes = []
    if hole:  # well inside the star's kernel (every vertex is at least 0.3 radius away)
        turns = np.sort(rng.uniform(0.0, 2 * np.pi, int(rng.integers(5, 60))))
        size = radius * rng.uniform(0.05, 0.2)
        ring = np.c_[lon + size * np.cos(turns) / squash, lat + size * np.sin(turns)]
        holes.append(np.round(ring, decimals)[::-1])
    return shapely.Polygon(shell, holes)


def boundary_points(zone: shapely.Polygon) -> np.ndarray:
    """Points on every vertex, edge midpoint and quarter point of the zone's rings (as floating point makes them)."""
    found = []
    for ring in (zone.exterior, *zone.interiors):
        c = np.asarray(ring.coords)
        p0, p1 = c[:-1], c[1:]
        found += [p0, (p0 + p1) / 2, p0 + (p1 - p0) * 0.25]
    return shapely.points(np.concatenate(found))


def layer_of(zones: list) -> ZoneLayer:
    gdf = gpd.GeoDataFrame(
        {"zone_id": [f"Z{i}" for i in range(len(zones))], "zone_name": "", "zone_class": "first"},
        geometry=zones,
        crs="EPSG:4490",
    )
    return ZoneLayer("water_source", Path("zones.gpkg"), gdf, "sha256:-", "EPSG:4490")


def located(points: np.ndarray, layer: ZoneLayer, buffer_m: float, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Return each point's relation ("" when not reported) and distance (m, NaN when not reported)."""
    dims, area, length = site_measures(points)
    found = spatial_findings(points, dims, area, length, layer, buffer_m, mode)
    assert found["site_idx"].is_unique
    relation = np.full(len(points), "", dtype=object)
    distance = np.full(len(points), np.nan)
    relation[found["site_idx"]] = found["relation"]
    distance[found["site_idx"]] = found["distance_m"]
    return relation, distance


@settings(max_examples=40, deadline=None)
@given(
    lon=st.floats(73.6, 134.7),
    lat=st.floats(18.2, 53.5),
    radius=st.floats(0.002, 0.05),
    n=st.integers(50, 500),
    hole=st.booleans(),
    decimals=st.integers(6, 10),
    seed=st.integers(0, 2**32 - 1),
)
def test_points_on_the_edges_of_a_cut_zone_are_located_as_geos_does(lon, lat, radius, n, hole, decimals, seed):
    zone = star_zone(lon, lat, radius, n, hole, decimals, seed)
    if not zone.is_valid:  # rounding can fold two close vertices of a thin spike: not a zone
        return
    layer = layer_of([zone])
    points = boundary_points(zone)
    covered = shapely.covers(zone, points)
    nearest, nearest_m = located(points, layer, 1000.0, "nearest")
    every, every_m = located(points, layer, 1000.0, "all")
    plain, _ = located(points, layer, 0.0, "nearest")
    expected = np.where(covered, "inside", "nearby")
    assert (nearest == expected).all(), points[nearest != expected][:5]
    assert (every == expected).all(), points[every != expected][:5]
    assert (plain == np.where(covered, "inside", "")).all(), points[plain != np.where(covered, "inside", "")][:5]
    # a point a rounding error off the edge is nearby at (practically) 0 m in both modes
    assert (nearest_m[covered] == 0).all() and (every_m[covered] == 0).all()
    # (the whole buffer is measured in a projection whose edges are straight to a millimetre)
    assert (nearest_m[~covered] < 1e-6).all() and (every_m[~covered] < 1e-3).all()
    if n <= 256:  # zones of more vertices go wholly to GEOS; these were cut
        assert index_of(layer).point_index.zone is not None


def _geos_big_zones() -> list[shapely.Polygon]:
    """The three zones of GEOS's relate suite with more vertices than a piece (validate/TestRelateAA.xml #54, #55)."""
    cases = json.loads(CASES.read_text("utf-8"))["cases"]
    found = {}
    for case in cases:
        for wkt in (case["a"], case["b"]):
            geom = shapely.from_wkt(wkt)
            if geom.geom_type == "Polygon" and shapely.get_num_coordinates(geom) > PIECE_VERTICES:
                found[geom.wkt] = geom
    return list(found.values())


@pytest.mark.parametrize("placing", ["dyadic", "decimal"])
def test_edge_points_of_the_big_geos_zones_are_located_as_geos(placing):
    """1,095 points: the vertices, edge midpoints and quarter points of the three big GEOS test zones."""
    zones = _geos_big_zones()
    assert len(zones) == 3
    placed = []
    for k, zone in enumerate(zones):  # each its own spot, a few km wide
        c = shapely.get_coordinates(zone)
        if placing == "dyadic":  # exact: x / 2**13
            moved = np.c_[108.0 + 0.25 * k + c[:, 0] / 8192, 22.0 + c[:, 1] / 8192]
        else:  # arbitrary decimals, as surveyed coordinates are
            moved = np.round(np.c_[108.1234567 + 0.25 * k + c[:, 0] * 1.3e-4, 22.0765 + c[:, 1] * 1.1e-4], 9)
        placed.append(shapely.set_coordinates(zone, moved))
    assert all(z.is_valid for z in placed)
    layer = layer_of(placed)
    points = np.concatenate([boundary_points(z) for z in placed])
    assert len(points) == 1095
    covered = shapely.covers(shapely.union_all(placed), points)
    for mode in ("nearest", "all"):
        relation, distance = located(points, layer, 1000.0, mode)
        assert ((relation == "inside") == covered).all(), (mode, int(((relation == "inside") != covered).sum()))
        assert ((relation == "nearby") == ~covered).all()
        assert (distance < (1e-6 if mode == "nearest" else 1e-3)).all()
    assert index_of(layer).point_index.zone is not None  # the zones were cut
