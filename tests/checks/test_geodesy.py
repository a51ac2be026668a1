"""Areas, lengths and distances against pyproj.Geod, on geometry built for the purpose."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from pyproj import Geod
from shapely import LineString, MultiPolygon, Point, Polygon, box

from redline.layers.geodesy import geodesic_area, geodesic_distance, geodesic_distances, geodesic_length

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid has GRS 1980's size and flattening


@pytest.mark.parametrize("lat", [3.9, 22.3, 39.9, 53.5])
@pytest.mark.parametrize("size", [0.0005, 0.01, 0.2])
def test_area_matches_geod_within_0_01_percent(lat, size):
    poly = box(109.3, lat, 109.3 + size, lat + size)
    expected = abs(GEOD.polygon_area_perimeter(*poly.exterior.coords.xy)[0])
    assert geodesic_area(poly) == pytest.approx(expected, rel=1e-4)


def test_area_of_multipolygon_with_hole():
    outer = box(109.0, 22.0, 109.02, 22.02)
    hole = box(109.005, 22.005, 109.01, 22.01)
    poly = Polygon(outer.exterior.coords, [hole.exterior.coords])
    other = box(109.1, 22.0, 109.11, 22.01)
    expected = (
        abs(GEOD.polygon_area_perimeter(*outer.exterior.coords.xy)[0])
        - abs(GEOD.polygon_area_perimeter(*hole.exterior.coords.xy)[0])
        + abs(GEOD.polygon_area_perimeter(*other.exterior.coords.xy)[0])
    )
    assert geodesic_area(MultiPolygon([poly, other])) == pytest.approx(expected, rel=1e-9)


def test_area_of_points_and_lines_is_zero():
    assert geodesic_area(Point(109, 22)) == 0.0
    assert geodesic_area(LineString([(109, 22), (109.1, 22)])) == 0.0


def test_length_matches_geod():
    coords = [(109.0, 22.0), (109.03, 22.01), (109.05, 22.04)]
    expected = sum(GEOD.inv(*a, *b)[2] for a, b in itertools.pairwise(coords))
    assert geodesic_length(LineString(coords)) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("distance", [0.3, 10.0, 250.0, 999.0, 5000.0, 10000.0])
@pytest.mark.parametrize("azimuth", [90, 0, 270, 180])
def test_point_at_known_distance_from_square_edge(distance, azimuth):
    # The square's edges run along a meridian (x) and a parallel (y); a geodesic leaving an
    # edge's midpoint at a right angle meets the edge at its nearest point, so the distance
    # from the end point to the square is exactly `distance`.
    x0, y0, x1, y1 = 109.30, 22.20, 109.34, 22.24
    square = box(x0, y0, x1, y1)
    start = {90: (x1, 22.22), 270: (x0, 22.22), 0: (109.32, y1), 180: (109.32, y0)}[azimuth]
    lon, lat, _ = GEOD.fwd(*start, azimuth, distance)
    assert geodesic_distance(Point(lon, lat), square) == pytest.approx(distance, abs=0.5)
    assert geodesic_distance(Point(lon, lat), square) == pytest.approx(distance, abs=0.01)


def test_distance_to_corner_is_geodesic_to_the_corner():
    square = box(109.30, 22.20, 109.34, 22.24)
    lon, lat, _ = GEOD.fwd(109.34, 22.24, 45, 700.0)
    assert geodesic_distance(Point(lon, lat), square) == pytest.approx(700.0, abs=0.5)


def test_distance_between_polygons_and_lines():
    a = box(109.30, 22.20, 109.31, 22.21)
    lon, _, _ = GEOD.fwd(109.31, 22.205, 90, 432.1)
    b = box(lon, 22.204, lon + 0.01, 22.206)
    line = LineString([(lon, 22.19), (lon, 22.22)])
    got = geodesic_distances(np.array([a, a]), np.array([b, line]))
    assert got == pytest.approx([432.1, 432.1], abs=0.05)


def test_touching_and_overlapping_pairs_have_zero_distance():
    a = box(0, 0, 1, 1)
    assert geodesic_distance(a, box(1, 0, 2, 1)) == 0.0
    assert geodesic_distance(a, box(0.5, 0.5, 2, 2)) == 0.0


def _star(lon: float, lat: float, radius_deg: float, rng: np.random.Generator) -> Polygon:
    angles = np.sort(rng.uniform(0, 2 * np.pi, 9))
    radii = radius_deg * rng.uniform(0.3, 1.0, 9)
    return Polygon(np.column_stack([lon + radii * np.cos(angles), lat + radii * np.sin(angles)]))


def test_vectorised_areas_match_geod_polygon_by_polygon():
    """geodesic_areas (equal-area projection for small polygons, Geod for large) against pyproj.Geod."""
    from redline.layers.geodesy import geodesic_areas

    rng = np.random.default_rng(42)
    geod = Geod(ellps="GRS80")
    polys = [
        _star(lon, lat, r, rng)
        for lon, lat, r in zip(
            rng.uniform(74, 134, 400), rng.uniform(4, 53, 400), 10 ** rng.uniform(-4.5, -0.5, 400), strict=True
        )
    ]
    holed = box(109, 22, 109.01, 22.01).difference(box(109.003, 22.003, 109.006, 22.006))
    polys += [holed, MultiPolygon([box(100, 30, 100.001, 30.001), box(100.002, 30, 100.003, 30.001)])]
    expected = np.array([abs(geod.geometry_area_perimeter(p)[0]) for p in polys])
    found = geodesic_areas(np.array(polys, dtype=object))
    # within 1e-6 relative, or a thousandth of a square metre for the tiniest slivers
    assert np.all(np.abs(found - expected) <= 1e-6 * expected + 1e-3)
    assert found[-2] == pytest.approx(1143385.2 - 102905.0, rel=1e-6)  # the square minus its 0.003° hole


def test_vectorised_areas_of_collections_points_and_nothing():
    from shapely import GeometryCollection

    from redline.layers.geodesy import geodesic_area, geodesic_areas

    square = box(109, 22, 109.001, 22.001)
    mixed = GeometryCollection([square, LineString([(109, 22), (109.1, 22.1)]), Point(109, 22)])
    found = geodesic_areas(np.array([mixed, Point(1, 1), None, LineString([(0, 0), (1, 1)])], dtype=object))
    assert found[0] == pytest.approx(geodesic_area(square), rel=1e-9)
    assert found[1:].tolist() == [0.0, 0.0, 0.0]
