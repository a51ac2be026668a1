"""Overlap areas from the two boundaries (``redline.checks.engine.overlap_areas``) against overlaps built by GEOS.

Every decided area is compared with :func:`layers.geodesy.geodesic_areas` of the overlap GEOS
builds (or of the rectangles it is known to consist of), and in places with ``pyproj.Geod``.
Coordinates are given in thousandths of a degree (about 100 m) from 109°E 22°N; the same
arithmetic builds every polygon, so corners meant to coincide coincide exactly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely import LineString, MultiPolygon, Point, Polygon

import redline.checks.engine.overlap_areas as overlap_module
from redline.checks.engine.overlap_areas import overlap_areas
from redline.layers.geodesy import geodesic_areas

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid
LON, LAT = 109.0, 22.0
MD = 1e-3  # a thousandth of a degree
#: Sums of rectangles match an overlap that has an extra vertex on one of their edges only to this
#: (relative): a 0.002° stretch of the parallel at 22°N bows 0.3 mm from its chord in the projection,
#: so the vertex halfway along adds a sliver of 0.03 m² to a 34,000 m² overlap.
CHORDS = 2e-6


def _xy(x: float, y: float, lon: float = LON, lat: float = LAT) -> tuple[float, float]:
    return (lon + x * MD, lat + y * MD)


def _box(x0: float, y0: float, x1: float, y1: float, lon: float = LON, lat: float = LAT) -> Polygon:
    return shapely.box(*_xy(x0, y0, lon, lat), *_xy(x1, y1, lon, lat))


def _poly(points, holes=()) -> Polygon:
    return Polygon([_xy(x, y) for x, y in points], [[_xy(x, y) for x, y in hole] for hole in holes])


def _ring(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _array(geoms) -> np.ndarray:
    out = np.empty(len(geoms), dtype=object)
    out[:] = list(geoms)
    return out


def _one(a, b) -> float:
    return float(overlap_areas(_array([a]), _array([b]), np.array([0]), np.array([0]))[0])


def _area(*geoms) -> float:
    """Sum of the areas geodesic_areas gives the geometries."""
    return float(geodesic_areas(_array(geoms)).sum())


def _geos(a, b) -> float:
    return _area(shapely.intersection(a, b))


def _geod(geom) -> float:
    return GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]


def _star(cx: float, cy: float, r_out: float, r_in: float, points: int, turn_deg: float) -> Polygon:
    angles = np.radians(turn_deg) + np.arange(2 * points) * np.pi / points
    radii = np.where(np.arange(2 * points) % 2 == 0, r_out, r_in)
    return _poly(np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)]))


#: Two boxes whose boundaries cross, measured beside pairs without a crossing (see ``measure``).
WITNESS_A, WITNESS_B = _box(30, 30, 34, 34), _box(32, 31, 36, 35)


@pytest.fixture(params=["alone", "beside_a_crossing_pair"])
def measure(request):
    """Measure one pair whose boundaries do not cross: in a call of its own, and beside a pair that crosses.

    (A call in which no pair had a proper crossing once raised IndexError.)
    """

    def run(a, b) -> float:
        if request.param == "alone":
            return _one(a, b)
        found = overlap_areas(_array([a, WITNESS_A]), _array([b, WITNESS_B]), np.array([0, 1]), np.array([0, 1]))
        assert found[1] == pytest.approx(_area(_box(32, 31, 34, 34)), rel=1e-9)
        return float(found[0])

    return run


# --- crossing boundaries: rectangles, swapped roles, orientation ---------------------------------


@pytest.mark.parametrize(("lon", "lat"), [(109.0, 22.0), (75.3, 39.6), (126.6, 45.7), (121.1, 31.2), (98.7, 4.1)])
def test_overlapping_boxes_measure_their_common_rectangle(lon, lat):
    a = _box(0, 0, 4, 4, lon, lat)
    b = _box(2.5, 1.5, 10, 10, lon, lat)
    rectangle = _box(2.5, 1.5, 4, 4, lon, lat)
    found = _one(a, b)
    assert found == pytest.approx(_area(rectangle), rel=1e-9)
    assert found == pytest.approx(_geod(rectangle), rel=1e-6)
    assert found == pytest.approx(_geos(a, b), rel=1e-9)


def test_quarter_of_a_square_site_over_a_zone_corner_either_way_round():
    zone = _box(0, 0, 6, 6)
    site = _poly([(5, 5), (6.5, 5), (7, 5), (7, 6.5), (7, 7), (5, 7), (5, 6.5)])  # the square 5..7, extra vertices
    quarter = _area(_box(5, 5, 6, 6))
    assert _one(zone, site) == pytest.approx(quarter, rel=1e-9)
    assert _one(site, zone) == pytest.approx(_one(zone, site), rel=1e-12)
    assert quarter == pytest.approx(_area(site) / 4, rel=1e-3)


def test_swapped_roles_give_the_same_areas_pair_by_pair():
    sites = [_box(5, 5, 7, 7), _star(3, 3, 2.5, 1.1, 7, 10.0), _box(-1, 2, 3, 2.5)]
    zones = [_box(0, 0, 6, 6), _box(2, 1, 4, 5.3)]
    ia, ib = np.array([0, 1, 1, 2, 2, 0]), np.array([0, 0, 1, 0, 1, 1])
    forward = overlap_areas(_array(sites), _array(zones), ia, ib)
    backward = overlap_areas(_array(zones), _array(sites), ib, ia)
    np.testing.assert_allclose(forward, backward, rtol=1e-12)
    expected = [_geos(sites[i], zones[j]) for i, j in zip(ia, ib, strict=True)]
    np.testing.assert_allclose(forward, expected, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize(("reverse_a", "reverse_b"), list(itertools.product([False, True], repeat=2)))
def test_clockwise_and_counter_clockwise_rings_give_the_same_area(reverse_a, reverse_b):
    a = _star(0, 0, 3, 1.2, 5, 7.0)
    b = _poly([(-1, -4), (4, 1.3), (-2.2, 2.9)])
    expected = _geos(a, b)
    assert shapely.is_ccw(a.exterior) != shapely.is_ccw(shapely.reverse(a).exterior)
    if reverse_a:
        a = shapely.reverse(a)
    if reverse_b:
        b = shapely.reverse(b)
    assert expected > 0
    assert _one(a, b) == pytest.approx(expected, rel=1e-9)


def test_repeated_vertices_change_nothing():
    zone = _box(0, 0, 4, 4)
    site = _box(2.5, 1.5, 10, 10)
    expected = _one(zone, site)
    # zero-length edges: at the corner inside the site, and at corners outside it
    zone_repeats = _poly([(0, 0), (4, 0), (4, 0), (4, 4), (4, 4), (4, 4), (0, 4), (0, 4)])
    assert zone_repeats.is_valid
    assert _one(zone_repeats, site) == pytest.approx(expected, rel=1e-12)
    assert _one(site, zone_repeats) == pytest.approx(expected, rel=1e-12)


# --- holes and multipolygons --------------------------------------------------------------------


def _zone_with_hole(hole_orientation: str) -> Polygon:
    hole = _ring(2, 2, 4, 4)
    if hole_orientation == "like_the_exterior":
        hole = hole[::-1]
    zone = _poly(_ring(0, 0, 6, 6)[::-1], [hole])  # exterior clockwise
    assert zone.is_valid
    assert shapely.is_ccw(zone.interiors[0]) == (hole_orientation == "ccw")
    return zone


@pytest.mark.parametrize("hole_orientation", ["ccw", "like_the_exterior"])
def test_site_partly_over_a_zone_hole_counts_only_the_zone(hole_orientation):
    zone = _zone_with_hole(hole_orientation)
    site = _box(3, 1, 5, 3)
    found = _one(zone, site)
    assert found == pytest.approx(_geos(zone, site), rel=1e-9)
    assert _one(site, zone) == pytest.approx(found, rel=1e-12)
    assert found == pytest.approx(_area(site) - _area(_box(3, 2, 4, 3)), rel=CHORDS)


@pytest.mark.parametrize("hole_orientation", ["ccw", "like_the_exterior"])
def test_site_covering_a_zone_hole_and_crossing_the_zone_edge(hole_orientation):
    zone = _zone_with_hole(hole_orientation)
    site = _box(1, 1, 7, 5)
    found = _one(zone, site)
    assert found == pytest.approx(_geos(zone, site), rel=1e-9)
    assert _one(site, zone) == pytest.approx(found, rel=1e-12)
    assert found == pytest.approx(_area(_box(1, 1, 6, 5)) - _area(_box(2, 2, 4, 4)), rel=1e-9)


def test_site_covering_a_zone_hole_inside_the_zone(measure):
    zone = _zone_with_hole("ccw")
    site = _box(1, 1, 5, 5)
    assert measure(zone, site) == pytest.approx(_area(site) - _area(_box(2, 2, 4, 4)), rel=1e-9)


def test_site_inside_a_zone_hole_overlaps_nothing(measure):
    assert measure(_zone_with_hole("ccw"), _box(2.5, 2.5, 3.5, 3.5)) == 0.0


def test_site_with_a_hole_crossed_by_a_zone():
    site = _poly(_ring(0, 0, 6, 6), [_ring(2, 2, 4, 4)])
    zone = _box(3, -1, 7, 3)
    found = _one(site, zone)
    assert found == pytest.approx(_geos(site, zone), rel=1e-9)
    assert _one(zone, site) == pytest.approx(found, rel=1e-12)
    assert found == pytest.approx(_area(_box(3, 0, 6, 3)) - _area(_box(3, 2, 4, 3)), rel=CHORDS)


def test_multipolygon_zone_with_two_parts_each_partly_overlapped():
    zone = MultiPolygon([_box(0, 0, 2, 4), _box(3, 0, 5, 4)])
    site = _box(1, 1, 4, 3)
    expected = _area(_box(1, 1, 2, 3), _box(3, 1, 4, 3))
    assert _one(zone, site) == pytest.approx(expected, rel=1e-9)
    assert _one(site, zone) == pytest.approx(expected, rel=1e-9)
    assert _one(zone, site) == pytest.approx(_geos(zone, site), rel=1e-9)


def test_multipolygon_against_multipolygon():
    zone = MultiPolygon([_box(0, 0, 2, 4), _box(3, 0, 5, 4)])
    site = MultiPolygon([_box(1, 1, 4, 2), _box(1, 2.5, 4, 3.5)])
    expected = _area(_box(1, 1, 2, 2), _box(3, 1, 4, 2), _box(1, 2.5, 2, 3.5), _box(3, 2.5, 4, 3.5))
    assert _one(zone, site) == pytest.approx(expected, rel=1e-9)
    assert _one(site, zone) == pytest.approx(expected, rel=1e-9)


def test_multipolygon_with_a_far_part_counts_only_the_near_one():
    zone = MultiPolygon([_box(0, 0, 2, 2), _box(50, 50, 52, 52)])  # the zone's box is 0.052°, the overlap's 0.002°
    site = _box(1, 1, 3, 3)
    assert _one(zone, site) == pytest.approx(_area(_box(1, 1, 2, 2)), rel=1e-9)


# --- non-convex polygons: an edge entering and leaving the other polygon several times ----------

#: Four teeth standing on a base: x 0..1, 2..3, 4..5, 6..7, up to y = 5; the base is y 0..1.
COMB = _poly(
    [(0, 0), (7, 0), (7, 5), (6, 5), (6, 1), (5, 1), (5, 5), (4, 5), (4, 1), (3, 1), (3, 5), (2, 5), (2, 1), (1, 1),
     (1, 5), (0, 5)]
)  # fmt: skip


def test_bar_across_the_teeth_of_a_comb():
    bar = _box(-1, 2, 8, 3)  # each long edge enters and leaves the comb four times
    expected = _area(*(_box(x, 2, x + 1, 3) for x in (0, 2, 4, 6)))
    assert _one(COMB, bar) == pytest.approx(expected, rel=1e-9)
    assert _one(bar, COMB) == pytest.approx(expected, rel=1e-9)


def test_two_interleaved_combs():
    # teeth hanging down from y = 6, x 0.5..1.5, 2.5..3.5, 4.5..5.5, down to y = 2
    down = _poly(
        [(-0.5, 7), (-0.5, 6), (0.5, 6), (0.5, 2), (1.5, 2), (1.5, 6), (2.5, 6), (2.5, 2), (3.5, 2), (3.5, 6), (4.5, 6),
         (4.5, 2), (5.5, 2), (5.5, 6), (7.5, 6), (7.5, 7)]
    )  # fmt: skip
    assert down.is_valid
    # each hanging tooth meets the standing tooth it half covers in a 0.5 x 3 strip
    found = _one(COMB, down)
    assert found == pytest.approx(_geos(COMB, down), rel=1e-9)
    assert _one(down, COMB) == pytest.approx(found, rel=1e-12)
    assert found == pytest.approx(_area(*(_box(x, 2, x + 0.5, 5) for x in (0.5, 2.5, 4.5))), rel=1e-9)


def test_l_shaped_zone_and_a_box_over_its_inner_corner():
    zone = _poly([(0, 0), (4, 0), (4, 2), (2, 2), (2, 4), (0, 4)])
    site = _box(1, 1, 3, 3)
    found = _one(zone, site)
    assert found == pytest.approx(_geos(zone, site), rel=1e-9)
    assert _one(site, zone) == pytest.approx(found, rel=1e-12)
    assert found == pytest.approx(_area(site) - _area(_box(2, 2, 3, 3)), rel=CHORDS)


@pytest.mark.parametrize(
    ("points", "turn", "shift"), [(5, 17.0, (0.3, -0.2)), (9, 11.3, (0.1, 0.2)), (12, 4.1, (1, 1))]
)
def test_two_stars_crossing_many_times(points, turn, shift):
    a = _star(0, 0, 3, 1.3, points, 0.0)
    b = _star(*shift, 2.7, 1.1, points, turn)
    expected = _geos(a, b)
    crossings = shapely.get_num_coordinates(shapely.intersection(a.boundary, b.boundary))
    assert crossings >= 2 * points
    assert _one(a, b) == pytest.approx(expected, rel=1e-9)
    assert _one(b, a) == pytest.approx(expected, rel=1e-9)
    assert _one(a, b) == pytest.approx(_geod(shapely.intersection(a, b)), rel=1e-6)


# --- no crossing: containment and disjoint polygons ----------------------------------------------


def test_site_wholly_inside_a_zone_gives_the_site_area(measure):
    zone = _box(0, 0, 6, 6)
    site = _star(3, 3, 2, 1, 6, 3.0)
    assert measure(zone, site) == pytest.approx(_area(site), rel=1e-9)
    assert measure(site, zone) == pytest.approx(_area(site), rel=1e-9)


def test_small_site_inside_a_one_degree_zone(measure):
    zone = Polygon([(108.5, 21.5), (109.6, 21.7), (109.1, 22.6)])
    site = _star(3, 3, 2, 1, 6, 3.0)
    assert zone.contains(site)
    assert measure(zone, site) == pytest.approx(_area(site), rel=1e-9)


def test_small_site_across_the_edges_of_large_zones():
    site = _box(0, 0, 6, 6)
    straight = shapely.box(108.5, 21.5, LON + 3 * MD, 22.5)  # its east edge, 1° long, halves the site
    assert _one(straight, site) == pytest.approx(_area(_box(0, 0, 3, 6)), rel=1e-9)
    slanted = Polygon([(108.3, 21.4), (109.7, 21.6), (108.31, 22.41)])  # its long edge crosses the site
    assert slanted.boundary.intersects(site.boundary)
    assert _one(slanted, site) == pytest.approx(_geos(slanted, site), rel=1e-9)


def test_disjoint_bounding_boxes_give_exactly_zero():
    a = _array([_box(0, 0, 1, 1), _box(0, 0, 1, 1), Polygon([(120, 30), (121, 30), (120, 31)])])
    b = _array([_box(2, 0, 3, 1), _box(0, 1.5, 1, 2)])
    found = overlap_areas(a, b, np.array([0, 1, 2, 2]), np.array([0, 1, 0, 1]))
    assert found.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_disjoint_triangles_with_overlapping_bounding_boxes_give_zero(measure):
    a = _poly([(0, 0), (4, 0), (0, 4)])
    b = _poly([(4, 4), (1, 4), (4, 1)])
    assert not a.intersects(b)
    assert measure(a, b) == 0.0


# --- degenerate contacts and declined pairs: NaN -------------------------------------------------


def test_boxes_touching_along_an_edge_are_left_to_geos(measure):
    assert np.isnan(measure(_box(0, 0, 2, 2), _box(2, 0, 4, 2)))


def test_identical_polygons_are_left_to_geos(measure):
    star = _star(0, 0, 3, 1.2, 5, 7.0)
    assert np.isnan(measure(star, star))


def test_vertex_touching_an_edge_from_outside_is_left_to_geos(measure):
    assert np.isnan(measure(_box(0, 0, 3, 2), _poly([(1.5, 2), (2.5, 4), (0.5, 4)])))


def test_overlapping_boxes_with_edges_on_one_line_are_left_to_geos():
    a, b = _box(0, 0, 3, 2), _box(1, 0, 4, 3)  # both bottoms on y = 0
    assert _geos(a, b) > 0
    assert np.isnan(_one(a, b))
    assert np.isnan(_one(b, a))


def test_vertex_exactly_on_an_edge_of_a_crossing_polygon_is_left_to_geos():
    a = _box(0, 0, 3, 2)
    b = _poly([(1.5, 2), (4, 1), (4, 3)])  # its first vertex on a's top edge, its edges across a's east edge
    assert _geos(a, b) > 0
    assert np.isnan(_one(a, b))
    assert np.isnan(_one(b, a))


@pytest.mark.parametrize(("offset_deg", "decided"), [(1e-10, False), (-1e-10, False), (1e-7, True), (-1e-7, True)])
def test_vertex_near_an_edge_is_decided_only_beyond_a_tenth_of_a_millimetre(offset_deg, decided):
    a = _box(0, 0, 3, 2)
    lon, lat = _xy(1.5, 2)
    b = Polygon([(lon, lat + offset_deg), _xy(4, 1), _xy(4, 3)])
    found = _one(a, b)
    if decided:
        assert found == pytest.approx(_geos(a, b), rel=1e-9)
    else:
        assert np.isnan(found)


@pytest.mark.parametrize(("rise_deg", "decided"), [(2e-8, False), (2e-6, True)])
def test_edges_crossing_at_a_tiny_angle_are_left_to_geos(rise_deg, decided):
    a = _box(0, 0, 4, 2)
    (x0, y), (x1, _) = _xy(1, 2), _xy(3, 2)
    # b's bottom edge crosses a's top edge at x = 2, rising rise_deg over each thousandth of a degree
    b = Polygon([(x0, y - rise_deg), (x1, y + rise_deg), _xy(3, 3), _xy(1, 3)])
    assert _geos(a, b) > 0
    found = _one(a, b)
    if decided:
        assert found == pytest.approx(_geos(a, b), rel=1e-6, abs=1e-4)
    else:
        assert np.isnan(found)


def test_overlaps_bigger_than_a_hundredth_of_a_degree_are_declined():
    a = _array([_box(0, 0, 50, 50), _box(0, 0, 15, 2), _box(0, 0, 9.9, 9.9)])
    b = _array([_box(10, 10, 60, 60), _box(1, 1, 16, 3), _box(0.5, 0.5, 10.5, 10.5)])
    found = overlap_areas(a, b, np.arange(3), np.arange(3))
    assert np.isnan(found[0])  # 0.04° square
    assert np.isnan(found[1])  # 0.014° by 0.001°
    assert found[2] == pytest.approx(_area(_box(0.5, 0.5, 9.9, 9.9)), rel=1e-9)  # 0.0094°: decided


def test_points_lines_and_empty_geometries_give_nan():
    site = _box(0, 0, 4, 4)
    others = [
        Point(_xy(1, 1)),
        LineString([_xy(-1, -1), _xy(5, 5)]),
        Polygon(),
        None,
        shapely.GeometryCollection([_box(1, 1, 2, 2)]),
        _box(2, 2, 6, 6),
    ]
    found = overlap_areas(_array([site]), _array(others), np.zeros(len(others), dtype=int), np.arange(len(others)))
    assert np.isnan(found[:5]).all()
    assert found[5] == pytest.approx(_area(_box(2, 2, 4, 4)), rel=1e-9)
    swapped = overlap_areas(_array(others), _array([site]), np.arange(len(others)), np.zeros(len(others), dtype=int))
    np.testing.assert_array_equal(swapped, found)


# --- many pairs: shared geometries, unsorted and repeated indices ------------------------------


def _grid():
    """Nine 2 x 2 zones tiling 0..6, two sites across them, and their overlaps' known areas."""
    zones = [_box(2 * i, 2 * j, 2 * i + 2, 2 * j + 2) for j in range(3) for i in range(3)]
    zones.append(_box(40, 40, 42, 42))  # far from both sites
    sites = [_box(1, 1, 5, 5), _star(3.3, 2.9, 2.6, 1.4, 8, 5.0)]
    pairs = [(s, z) for s in range(2) for z in range(len(zones))]
    expected = np.array([_geos(sites[s], zones[z]) for s, z in pairs])
    centre = _box(2, 2, 4, 4)
    assert expected[4] == pytest.approx(_area(centre), rel=1e-12)  # the middle zone lies inside the first site
    assert expected[9] == 0.0
    return _array(sites), _array(zones), np.array(pairs), expected


def test_shared_geometries_in_shuffled_repeated_pairs():
    sites, zones, pairs, expected = _grid()
    rng = np.random.default_rng(7)
    pick = rng.integers(0, len(pairs), 200)
    found = overlap_areas(sites, zones, pairs[pick, 0], pairs[pick, 1])
    np.testing.assert_allclose(found, expected[pick], rtol=1e-9, atol=1e-6)
    in_order = overlap_areas(sites, zones, pairs[:, 0], pairs[:, 1])
    np.testing.assert_allclose(found, in_order[pick], rtol=1e-12, atol=0)
    # pair by pair, for the pairs whose boundaries cross or whose boxes are apart
    crossing = shapely.intersects(shapely.boundary(sites[pairs[:, 0]]), shapely.boundary(zones[pairs[:, 1]]))
    for k in np.flatnonzero(crossing | (pairs[:, 1] == 9)):
        assert _one(sites[pairs[k, 0]], zones[pairs[k, 1]]) == pytest.approx(in_order[k], rel=1e-12, abs=0)


def test_pairs_mixed_with_declined_and_non_polygonal_ones():
    sites, zones, pairs, expected = _grid()
    sites = _array([*sites, _box(-20, -20, 30, 30)])  # a site 0.05° across
    zones = _array([*zones, Point(_xy(3, 3)), _box(-30, -30, 30, 30)])  # a point, and a zone 0.06° across
    extra = {
        (0, 10): np.nan,  # a point
        (1, 10): np.nan,
        (2, 11): np.nan,  # a 0.05° overlap
        (2, 9): 0.0,  # boxes apart
        (0, 11): _area(sites[0]),  # small sites inside the big zone
        (1, 11): _area(sites[1]),
    }
    ia = np.r_[pairs[:, 0], [s for s, _ in extra]]
    ib = np.r_[pairs[:, 1], [z for _, z in extra]]
    order = np.random.default_rng(3).permutation(len(ia))
    found = overlap_areas(sites, zones, ia[order], ib[order])
    back = np.empty_like(found)
    back[order] = found
    np.testing.assert_allclose(back, np.r_[expected, list(extra.values())], rtol=1e-9, atol=1e-6)


def test_empty_pair_list_gives_an_empty_float_array():
    none = np.zeros(0, dtype=np.int64)
    found = overlap_areas(_array([_box(0, 0, 1, 1)]), _array([_box(0, 0, 2, 2)]), none, none)
    assert found.dtype == np.float64
    assert found.shape == (0,)
    assert overlap_areas(_array([]), _array([]), [], []).shape == (0,)


# --- random sites over a tessellation -----------------------------------------------------------


def _tessellation_and_sites(seed: int, x0: float, y0: float, n_cells: int = 600, n_sites: int = 300):
    """Voronoi parcels over a 0.05° square and star-shaped 12-gons of radius 50–500 m, rounded to 1e-9°."""
    x1, y1 = x0 + 0.05, y0 + 0.05
    rng = np.random.default_rng(seed)
    seeds = np.column_stack([rng.uniform(x0, x1, n_cells), rng.uniform(y0, y1, n_cells)])
    frame = shapely.box(x0, y0, x1, y1)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame))
    cells = shapely.transform(shapely.intersection(cells, frame), lambda c: np.round(c, 9))
    centres = np.column_stack(
        [rng.uniform(x0 + 0.005, x1 - 0.005, n_sites), rng.uniform(y0 + 0.005, y1 - 0.005, n_sites)]
    )
    k = 12
    azimuths = (np.arange(k) * 30.0)[None, :] + rng.uniform(0.0, 30.0, (n_sites, k))
    distances = rng.uniform(50.0, 500.0, n_sites)[:, None] * rng.uniform(0.7, 1.0, (n_sites, k))
    lon, lat, _ = GEOD.fwd(
        np.repeat(centres[:, 0], k), np.repeat(centres[:, 1], k), azimuths.ravel(), distances.ravel()
    )
    rings = np.round(np.column_stack([lon, lat]).reshape(n_sites, k, 2), 9)
    sites = shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1))
    sites[::2] = shapely.reverse(sites[::2])  # both orientations
    cells[1::2] = shapely.reverse(cells[1::2])
    assert shapely.is_valid(sites).all()
    assert shapely.is_valid(cells).all()
    ia, ib = shapely.STRtree(cells).query(sites)
    return sites, cells, ia, ib


@pytest.mark.parametrize(
    ("seed", "x0", "y0", "rtol"),
    [
        (1, 109.05, 22.05, 1e-9),  # within one quarter-degree cell: the same projection as geodesic_areas
        (2, 109.10, 22.10, 1e-7),  # across 109.125°E and 22.125°N: projections may differ between the two
    ],
)
def test_random_sites_over_voronoi_parcels_agree_with_geos(seed, x0, y0, rtol):
    sites, cells, ia, ib = _tessellation_and_sites(seed, x0, y0)
    found = overlap_areas(sites, cells, ia, ib)
    overlaps = shapely.intersection(sites[ia], cells[ib])
    expected = geodesic_areas(overlaps)
    decided = ~np.isnan(found)
    np.testing.assert_allclose(found[decided], expected[decided], rtol=rtol, atol=1e-4)
    crossing = shapely.intersects(shapely.boundary(sites[ia]), shapely.boundary(cells[ib]))
    assert crossing.sum() > 1000
    assert decided[crossing].mean() >= 0.95
    inside = ~crossing & (expected > 0)  # sites inside a parcel, parcels inside a site
    assert inside.sum() > 20
    assert decided[~crossing].all()
    # against pyproj.Geod too, on a sample
    sample = np.flatnonzero(decided & (expected > 0))[::10]
    geod = np.array([_geod(g) for g in overlaps[sample]])
    np.testing.assert_allclose(found[sample], geod, rtol=1e-6, atol=1e-3)


def test_random_pairs_do_not_depend_on_how_they_are_split_into_blocks(monkeypatch):
    sites, cells, ia, ib = _tessellation_and_sites(4, 109.05, 22.05, n_cells=200, n_sites=60)
    whole = overlap_areas(sites, cells, ia, ib)
    assert np.isnan(whole).sum() <= len(whole) // 20
    for block in (1, 97):
        monkeypatch.setattr(overlap_module, "_BLOCK_COMBOS", block)
        np.testing.assert_allclose(overlap_areas(sites, cells, ia, ib), whole, rtol=1e-12, atol=0)


def test_pairs_with_too_many_candidate_edge_pairs_are_declined(monkeypatch):
    sites, zones, pairs, expected = _grid()
    monkeypatch.setattr(overlap_module, "_MAX_COMBOS", 0)
    found = overlap_areas(sites, zones, pairs[:, 0], pairs[:, 1])
    # only pairs where one polygon has no edge near the other keep an answer: containment and apart boxes
    assert found[4] == pytest.approx(expected[4], rel=1e-12)
    assert found[9] == 0.0
    assert found[19] == 0.0
    others = np.setdiff1d(np.arange(len(pairs)), [4, 9, 19])
    assert np.isnan(found[others]).all()


@pytest.mark.parametrize(("lon", "lat"), [(109.0, -22.0), (-70.0, -22.0), (-70.0, 22.0), (0.01, -0.01)])
def test_any_hemisphere_agrees_with_geodesic_areas(lon, lat):
    a = shapely.box(lon, lat, lon + 0.004, lat + 0.004)
    b = shapely.box(lon + 0.0025, lat + 0.0015, lon + 0.01, lat + 0.01)
    got = overlap_areas(np.array([a]), np.array([b]), [0], [0])[0]
    assert got == pytest.approx(geodesic_areas([a & b])[0], rel=1e-9)
