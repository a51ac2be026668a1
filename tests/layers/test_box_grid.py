"""Bounding boxes in grids (redline.checks.engine.box_grid): the same pairs as an STRtree of the boxes."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from redline.checks.engine.box_grid import box_grid


def _pairs(q, b):
    return sorted(zip(q.tolist(), b.tolist(), strict=True))


def _strtree_pairs(bounds, queries):
    boxes = shapely.box(*bounds.T)
    boxes[~np.isfinite(bounds).all(axis=1)] = shapely.Polygon()  # empty: never found
    q, b = shapely.STRtree(boxes).query(shapely.box(*queries.T))
    return _pairs(q, b)


def _random_boxes(rng, n, lon, lat, size, spread):
    x, y = rng.uniform(lon, lon + spread, n), rng.uniform(lat, lat + spread, n)
    w, h = rng.lognormal(np.log(size), 0.8, n), rng.lognormal(np.log(size), 0.8, n)
    return np.c_[x, y, x + w, y + h]


@pytest.mark.parametrize("seed", range(4))
def test_grid_finds_the_same_pairs_as_an_strtree(seed):
    rng = np.random.default_rng(seed)
    bounds = _random_boxes(rng, 3000, 112.0, 28.0, 0.001, 0.5)
    bounds[:5] = [112.0, 28.0, 112.6, 28.6]  # a few covering nearly everything
    bounds[5:20] = _random_boxes(rng, 15, 112.0, 28.0, 0.05, 0.5)  # and some big ones
    bounds[20:23] = np.nan  # empty geometries
    points = rng.uniform([111.9, 27.9], [112.7, 28.7], (2000, 2))  # some outside the extent
    radius = rng.choice([0.0, 0.0003, 0.003, 0.03], 2000)
    queries = np.c_[points - radius[:, None], points + radius[:, None]]
    grid = box_grid(bounds)
    assert len(grid.levels) > 1  # the big boxes went to coarser grids
    q, b = grid.query(*queries.T)
    assert np.all(np.diff(q) >= 0)  # ordered by query
    assert _pairs(q, b) == _strtree_pairs(bounds, queries)


def test_boxes_that_only_touch_a_query_are_found():
    bounds = np.array([[0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 2.0, 2.0], [3.0, 0.0, 4.0, 1.0]])
    grid = box_grid(bounds)
    q, b = grid.query(np.array([1.0, 2.0]), np.array([1.0, 0.0]), np.array([1.0, 3.0]), np.array([1.0, 0.5]))
    assert _pairs(q, b) == [(0, 0), (0, 1), (1, 2)]


def test_sparse_boxes_over_a_wide_extent_make_a_small_grid():
    rng = np.random.default_rng(5)
    bounds = _random_boxes(rng, 50, 73.0, 18.0, 0.01, 60.0)  # fifty small zones across China
    grid = box_grid(bounds)
    assert all(level.nx * level.ny <= 2 * (4 * 50 + 1024) for level in grid.levels)  # not millions of cells
    queries = np.c_[rng.uniform(73, 133, (500, 1)), rng.uniform(18, 78, (500, 1))]
    queries = np.c_[queries - 2.0, queries + 2.0]
    assert _pairs(*grid.query(*queries.T)) == _strtree_pairs(bounds, queries)


def test_no_boxes_and_no_queries():
    grid = box_grid(np.zeros((0, 4)))
    q, b = grid.query(np.zeros(3), np.zeros(3), np.ones(3), np.ones(3))
    assert len(q) == len(b) == 0
    grid = box_grid(np.array([[0.0, 0.0, 1.0, 1.0]]))
    q, b = grid.query(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    assert len(q) == 0
