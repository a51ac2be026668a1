"""Points located against polygons all at once: inside or not, distance, nearest boundary point."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import MultiPolygon, Polygon, box

from redline.checks.engine.point_distances import geodesic_to, locate_points, metres_per_degree, vertices_of
from redline.layers.geodesy import geodesic_distances

RING = box(109.0, 22.0, 109.01, 22.01)
HOLED = Polygon(RING.exterior.coords, [box(109.004, 22.004, 109.006, 22.006).exterior.coords[::-1]])
PAIR = MultiPolygon([box(109.0, 22.0, 109.002, 22.002), box(109.006, 22.0, 109.008, 22.002)])


def locate(points, polygons, pi):
    xy = np.array(points, dtype=float)
    return locate_points(xy[:, 0], xy[:, 1], vertices_of(polygons), np.asarray(pi))


def test_metres_per_degree_match_the_geodesic_lengths_of_short_steps():
    for lat in (0.0, 22.0, 45.0, 60.0):
        per_lon, per_lat = metres_per_degree(np.array([lat]))
        step = 1e-4
        d = geodesic_distances(
            np.array([shapely.Point(109.0, lat), shapely.Point(109.0, lat)]),
            np.array([shapely.Point(109.0 + step, lat), shapely.Point(109.0, lat + step)]),
        )
        assert per_lon[0] * step == pytest.approx(d[0], rel=1e-6)
        assert per_lat[0] * step == pytest.approx(d[1], rel=1e-6)


def test_inside_outside_and_holes_and_parts():
    points = [
        (109.005, 22.002),  # inside the ring
        (109.005, 22.005),  # inside RING, in HOLED's hole
        (109.02, 22.005),  # east of everything
        (109.001, 22.001),  # PAIR's first part
        (109.004, 22.001),  # between PAIR's parts
        (109.007, 22.001),  # PAIR's second part
    ]
    polygons = np.array([RING, HOLED, PAIR], dtype=object)
    pi = [0, 1, 0, 2, 2, 2]
    inside, distance, _, _ = locate(points, polygons, pi)
    assert inside.tolist() == [True, False, False, True, False, True]
    want = shapely.contains_xy(polygons[pi], *np.array(points).T)
    assert inside.tolist() == want.tolist()
    # the distance is to the boundary, holes included: 0.001 degree of latitude from the hole's edge
    per_lon, per_lat = metres_per_degree(np.array([22.005]))
    assert distance[1] == pytest.approx(0.001 * min(per_lon[0], per_lat[0]), rel=1e-3)


def test_distances_and_nearest_points_agree_with_the_geodesic_distance():
    rng = np.random.default_rng(7)
    centres = rng.uniform([109.0, 22.0], [109.1, 22.1], (40, 2))
    zones = shapely.buffer(shapely.points(centres), 0.002, quad_segs=3)
    points = rng.uniform([109.0, 22.0], [109.1, 22.1], (400, 2))
    pi = rng.integers(0, len(zones), len(points))
    inside, approx, qx, qy = locate(points, zones, pi)
    pts = shapely.points(points)
    assert inside.tolist() == shapely.contains(zones[pi], pts).tolist()
    exact = geodesic_distances(pts, zones[pi])
    outside = ~inside
    measured = geodesic_to(points[outside, 0], points[outside, 1], qx[outside], qy[outside])
    np.testing.assert_allclose(measured, exact[outside], rtol=0, atol=1e-3)
    # the planar distance in the point's frame is within 0.02 % up to 10 km (the engine ranks with a 0.1 % margin)
    assert np.all(np.abs(approx[outside] - exact[outside]) <= 2e-4 * exact[outside] + 1e-3)
    # the nearest point lies on the zone's boundary
    near = shapely.points(qx[outside], qy[outside])
    assert np.all(shapely.distance(near, shapely.boundary(zones[pi][outside])) < 1e-12)


def test_empty_and_single_edge_cases():
    inside, d, qx, qy = locate_points(np.zeros(0), np.zeros(0), vertices_of([RING]), np.zeros(0, dtype=int))
    assert len(inside) == len(d) == len(qx) == len(qy) == 0
    # a point on a vertex: distance 0 (the engine asks GEOS about such points)
    _, d, qx, qy = locate([(109.0, 22.0)], np.array([RING]), [0])
    assert d[0] == 0.0 and (qx[0], qy[0]) == (109.0, 22.0)
