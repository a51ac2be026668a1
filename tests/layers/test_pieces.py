"""Big polygons cut into small pieces (redline.checks.engine.pieces): the pieces tile each polygon exactly."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from redline.checks.engine.pieces import cut_polygons
from redline.checks.engine.point_distances import locate_points, vertices_of


def _ring(lon: float, lat: float, r: float, hole: float | None = None, n: int = 200) -> shapely.Geometry:
    """A disc of ``n`` vertices (radius ``r`` degrees), with a concentric hole of radius ``hole``."""
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    outer = np.c_[lon + r * np.cos(angle), lat + r * np.sin(angle)]
    holes = [np.c_[lon + hole * np.cos(angle), lat + hole * np.sin(angle)][::-1]] if hole else None
    return shapely.Polygon(outer, holes)


def _comb(lon: float, lat: float, teeth: int = 40) -> shapely.Geometry:
    """A comb: a bar with ``teeth`` narrow teeth, many vertices in a long thin box."""
    top = []
    for k in reversed(range(teeth)):  # right to left along the bar's top, up and down each tooth
        x = lon + k * 0.002
        top += [(x + 0.001, lat), (x + 0.001, lat + 0.01), (x, lat + 0.01), (x, lat)]
    return shapely.Polygon([(lon, lat - 0.002), (lon + teeth * 0.002, lat - 0.002), (lon + teeth * 0.002, lat), *top])


@pytest.fixture(scope="module")
def shapes():
    multi = shapely.MultiPolygon([_ring(113.0, 28.0, 0.01), _ring(113.05, 28.0, 0.01, hole=0.005)])
    return np.array(
        [
            _ring(113.0, 28.0, 0.02),  # 200 vertices
            _ring(109.5, 22.5, 0.01, hole=0.004),  # a ring with a hole: 400 vertices
            multi,  # two parts
            _comb(112.0, 30.0),  # 163 vertices in a long thin box
            shapely.box(100.0, 30.0, 100.01, 30.01),  # small: left whole
            _ring(-70.0, -33.0, 0.01),  # the other hemispheres
        ],
        dtype=object,
    )


@pytest.mark.parametrize("max_vertices", [8, 16, 32, 64])
def test_pieces_are_small_and_tile_their_polygon_exactly(shapes, max_vertices):
    pieces, owner = cut_polygons(shapes, max_vertices)
    assert shapely.is_valid(pieces).all()
    assert (shapely.get_num_coordinates(pieces) <= max_vertices).all()
    assert set(owner.tolist()) == set(range(len(shapes)))
    for i, shape in enumerate(shapes):
        mine = pieces[owner == i]
        # together they are the polygon, and no two overlap
        assert shapely.symmetric_difference(shapely.union_all(mine), shape).area < shape.area * 1e-12
        assert np.isclose(shapely.area(mine).sum(), shape.area, rtol=1e-12)
    small = np.flatnonzero(shapely.get_num_coordinates(shapes) <= max_vertices)
    for i in small:  # a small polygon is its own piece, the same object
        assert list(pieces[owner == i]) == [shapes[i]]


def test_a_point_is_in_a_polygon_exactly_when_it_is_in_one_of_its_pieces(shapes):
    pieces, owner = cut_polygons(shapes, 16)
    rng = np.random.default_rng(7)
    boxes = shapely.bounds(shapes)
    for i, shape in enumerate(shapes):
        x0, y0, x1, y1 = boxes[i]
        xs, ys = rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)
        mine = np.flatnonzero(owner == i)
        pairs_x = np.repeat(xs, len(mine))
        pairs_y = np.repeat(ys, len(mine))
        inside, distance, _, _ = locate_points(pairs_x, pairs_y, vertices_of(pieces), np.tile(mine, len(xs)))
        in_any = inside.reshape(len(xs), len(mine)).any(axis=1)
        expected = shapely.contains_xy(shape, xs, ys)
        np.testing.assert_array_equal(in_any, expected)
        # outside, the distance to the polygon is the least distance to its pieces
        nearest = distance.reshape(len(xs), len(mine)).min(axis=1)
        outside = ~expected
        whole_inside, whole_distance, _, _ = locate_points(
            xs[outside], ys[outside], vertices_of(np.array([shape])), np.zeros(outside.sum(), dtype=int)
        )
        assert not whole_inside.any()
        np.testing.assert_allclose(nearest[outside], whole_distance, rtol=1e-9, atol=1e-6)


def test_a_piece_still_too_big_after_the_last_round_is_kept_whole():
    dense = _ring(113.0, 28.0, 1e-9, n=500)  # 500 vertices in a nanodegree
    dense = shapely.make_valid(dense)
    pieces, owner = cut_polygons(np.array([dense]), 8, max_rounds=2)
    assert (owner == 0).all()
    assert np.isclose(shapely.area(pieces).sum(), dense.area, rtol=1e-9)
    assert shapely.get_num_coordinates(pieces).max() > 8
