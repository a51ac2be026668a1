"""Bounding boxes filed in uniform grids, for many box queries at once in numpy.

Screening asks, for every point site and each search radius, which zones' bounding boxes meet a
box around the point.  An STRtree answers that too, but it needs a shapely geometry for each query
box and holds Python's lock while it builds and searches, so screening threads wait for each other.
Here everything is numpy arithmetic, which lets the threads run side by side.

Each box is filed once, under the grid cell that holds its lower-left corner.  A query box then
looks at the cells from its own lower-left corner less the widest (tallest) filed box, to its
upper-right corner: each row of cells is one run of the filing order.  The cells are about the
size of a typical box; boxes much bigger than most go to a coarser grid of their own (a level),
and so on, so that one big zone does not widen every query.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redline.checks.engine.edges import ragged_arange, repeat_index

__all__ = ["BoxGrid", "box_grid"]

#: Boxes up to this many times the level's typical size are filed in it; bigger ones go up a level.
_SPREAD = 4.0
#: At most this many cells per filed box (and a few more), so sparse boxes over a wide extent stay small.
_CELLS_PER_BOX = 4


@dataclass(frozen=True)
class _Level:
    x0: float
    y0: float
    cell_w: float
    cell_h: float
    nx: int
    ny: int
    reach_w: float  # the widest filed box
    reach_h: float  # the tallest
    offsets: np.ndarray  # boxes of cell c: items[offsets[c]:offsets[c + 1]]
    items: np.ndarray  # box numbers, by cell
    bounds: np.ndarray  # (4, n) their bounds in the same order, row by row (xmin, ymin, xmax, ymax)


def _level(bounds: np.ndarray, items: np.ndarray, last: bool) -> tuple[_Level, np.ndarray]:
    """File ``items`` (rows of ``bounds``) of about the typical size in one grid; return it and the rest."""
    b = bounds[items]
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    cell_w, cell_h = max(float(np.median(w)), 1e-9), max(float(np.median(h)), 1e-9)
    filed = np.ones(len(items), dtype=bool) if last else (w <= _SPREAD * cell_w) & (h <= _SPREAD * cell_h)
    rest = items[~filed]
    if len(rest):
        items, b = items[filed], b[filed]
    x0, y0 = float(b[:, 0].min()), float(b[:, 1].min())
    span_w, span_h = float(b[:, 0].max()) - x0, float(b[:, 1].max()) - y0
    # few boxes over a wide extent: bigger cells, at most about _CELLS_PER_BOX cells a box
    cells = (span_w / cell_w + 1) * (span_h / cell_h + 1)
    if cells > _CELLS_PER_BOX * len(items) + 1024:
        grow = np.sqrt(cells / (_CELLS_PER_BOX * len(items) + 1024))
        cell_w, cell_h = cell_w * grow, cell_h * grow
    nx, ny = int(span_w / cell_w) + 1, int(span_h / cell_h) + 1
    cx = np.minimum(((b[:, 0] - x0) / cell_w).astype(np.int64), nx - 1)
    cy = np.minimum(((b[:, 1] - y0) / cell_h).astype(np.int64), ny - 1)
    cell = cy * nx + cx
    order = np.argsort(cell, kind="stable")
    offsets = np.r_[0, np.cumsum(np.bincount(cell, minlength=nx * ny))]
    level = _Level(
        x0,
        y0,
        cell_w,
        cell_h,
        nx,
        ny,
        float((b[:, 2] - b[:, 0]).max()) * (1 + 1e-12) + 1e-12,  # (a hair wider: rounding never drops a box)
        float((b[:, 3] - b[:, 1]).max()) * (1 + 1e-12) + 1e-12,
        offsets,
        items[order],
        np.ascontiguousarray(b[order].T),
    )
    return level, rest


def _cells(lo: np.ndarray, hi: np.ndarray, origin: float, size: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the first and last cell (clipped to the grid) that ``lo``…``hi`` reach; first > last: none."""
    with np.errstate(invalid="ignore"):
        first = np.floor((lo - origin) / size)
        last = np.floor((hi - origin) / size)
    first = np.clip(np.nan_to_num(first, nan=n), 0, n)
    last = np.clip(np.nan_to_num(last, nan=-1), -1, n - 1)
    return first.astype(np.int64), last.astype(np.int64)


@dataclass(frozen=True)
class BoxGrid:
    """Bounding boxes in uniform grids (see the module notes); build with :func:`box_grid`."""

    levels: tuple[_Level, ...]
    size: int  # the number of boxes it was built from

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Return the grid as named arrays (to keep it in a layer's store; :meth:`from_arrays` reads them)."""
        out = {f"{prefix}size": np.array([self.size, len(self.levels)], dtype=np.int64)}
        for k, lv in enumerate(self.levels):
            scalars = [lv.x0, lv.y0, lv.cell_w, lv.cell_h, lv.nx, lv.ny, lv.reach_w, lv.reach_h]
            out[f"{prefix}{k}_scalars"] = np.array(scalars, dtype=float)
            out[f"{prefix}{k}_offsets"] = lv.offsets
            out[f"{prefix}{k}_items"] = lv.items
            out[f"{prefix}{k}_bounds"] = lv.bounds
        return out

    @classmethod
    def from_arrays(cls, get, prefix: str) -> BoxGrid:
        """Rebuild a grid from the arrays :meth:`to_arrays` gave (``get(name)`` returns one of them)."""
        size, n_levels = (int(v) for v in get(f"{prefix}size"))
        levels = []
        for k in range(n_levels):
            x0, y0, cell_w, cell_h, nx, ny, reach_w, reach_h = (float(v) for v in get(f"{prefix}{k}_scalars"))
            offsets, items, bounds = (get(f"{prefix}{k}_{name}") for name in ("offsets", "items", "bounds"))
            levels.append(_Level(x0, y0, cell_w, cell_h, int(nx), int(ny), reach_w, reach_h, offsets, items, bounds))
        return cls(tuple(levels), size)

    def query(
        self, xmin: np.ndarray, ymin: np.ndarray, xmax: np.ndarray, ymax: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (query, box) for every filed box that meets query box ``k`` (edges touching count).

        Parameters
        ----------
        xmin, ymin, xmax, ymax : array of float
            The query boxes.

        Returns
        -------
        query, box : array of int
            Ordered by query; each query's boxes in no set order.
        """
        xmin, ymin = np.asarray(xmin, dtype=float), np.asarray(ymin, dtype=float)
        xmax, ymax = np.asarray(xmax, dtype=float), np.asarray(ymax, dtype=float)
        found_q, found_b = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for lv in self.levels:
            cx0, cx1 = _cells(xmin - lv.reach_w, xmax, lv.x0, lv.cell_w, lv.nx)
            cy0, cy1 = _cells(ymin - lv.reach_h, ymax, lv.y0, lv.cell_h, lv.ny)
            rows = np.where(cx1 >= cx0, np.maximum(cy1 - cy0 + 1, 0), 0)
            q_row = repeat_index(rows)
            row = cy0[q_row] + ragged_arange(rows, q_row)
            start = lv.offsets[row * lv.nx + cx0[q_row]]
            count = lv.offsets[row * lv.nx + cx1[q_row] + 1] - start
            run = repeat_index(count)
            cand = start[run] + ragged_arange(count, run)
            q = q_row[run]
            bx = lv.bounds
            meet = (bx[0][cand] <= xmax[q]) & (bx[2][cand] >= xmin[q])
            meet &= (bx[1][cand] <= ymax[q]) & (bx[3][cand] >= ymin[q])
            found_q.append(q[meet])
            found_b.append(lv.items[cand[meet]])
        q, b = np.concatenate(found_q), np.concatenate(found_b)
        if len(self.levels) > 1:  # each level's results are ordered by query: merge them
            order = np.argsort(q, kind="stable")
            q, b = q[order], b[order]
        return q, b


def box_grid(bounds: np.ndarray, max_levels: int = 6) -> BoxGrid:
    """File bounding boxes in grids for :meth:`BoxGrid.query`.

    Parameters
    ----------
    bounds : array of float, shape (n, 4)
        ``xmin, ymin, xmax, ymax`` of each box (``shapely.bounds``); boxes with NaN (empty
        geometries) are left out and never found.
    max_levels : int
        Grids of ever bigger cells for ever bigger boxes; the last takes all that are left.

    Examples
    --------
    >>> bounds = np.array([[0, 0, 1, 1], [5, 5, 6, 6], [0, 0, 100, 100], [2, 2, 2.5, 2.5]], dtype=float)
    >>> grid = box_grid(bounds)
    >>> q, b = grid.query(np.array([0.5, 4.0]), np.array([0.5, 4.0]), np.array([0.6, 4.5]), np.array([0.6, 4.5]))
    >>> sorted(zip(q.tolist(), b.tolist()))
    [(0, 0), (0, 2), (1, 2)]
    """
    bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
    items = np.flatnonzero(np.isfinite(bounds).all(axis=1))
    levels = []
    while len(items) and len(levels) < max_levels:
        level, items = _level(bounds, items, last=len(levels) == max_levels - 1)
        levels.append(level)
    return BoxGrid(tuple(levels), len(bounds))
