"""Areas of the overlaps of polygon pairs, measured without building the overlaps.

A polygon site that partly covers a zone needs the area the two share.  Building each overlap
polygon (GEOS OverlayNG) costs tens of microseconds a pair; the area alone follows from the two
boundaries by Green's theorem.  With exteriors counter-clockwise and holes clockwise,

    area(A ∩ B) = ∮ (x dy − y dx) / 2  over  (∂A inside B) + (∂B inside A),

so it suffices to know which stretches of each boundary lie inside the other polygon.  Along an
edge, "inside" changes exactly where the edge properly crosses an edge of the other polygon:
entering when it crosses from the right of that (oriented) edge to its left, leaving otherwise.
Knowing whether the first vertex of a ring is inside (one point-in-polygon test), the rest follows
by counting crossings, all at once with numpy for every pair.

The crossings are found in lon/lat, as GEOS finds them, and the inside stretches are measured as
straight chords in a Lambert azimuthal equal-area projection of the ellipsoid, as
:func:`layers.geodesy.geodesic_areas` measures the polygon GEOS would have built; the two agree to
about 1e-15 of the area where both centre the projection in the same quarter-degree cell, and to
about 2e-8 where the overlap's box and the built overlap fall in neighbouring cells.

Pairs whose boundaries meet anywhere but in proper crossings (a vertex on the other's edge, edges
running along each other), whose overlap could be bigger than :data:`layers.geodesy._SMALL_DEG`,
or whose bookkeeping does not add up (a ring that leaves the other polygon more often than it
enters, which only a degenerate contact can cause) are not decided here: their area is NaN and
the caller builds their overlap the usual way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from redline.checks.engine.edges import EdgeTable, edge_table, ragged_arange, repeat_index
from redline.layers.geodesy import _SMALL_DEG, _equal_area

__all__ = ["overlap_areas"]

#: Contacts closer than this (degrees, about 0.1 mm) are degenerate: left to GEOS.
_EPS = 1e-9
#: Edges meeting at a smaller angle (sine) cross at an ill-conditioned point: left to GEOS if they come close.
_SIN_MIN = 1e-4
#: Edge pairs tested at once (bounds the memory: about 200 bytes each).
_BLOCK_COMBOS = 1_000_000
#: Pairs with more candidate edge pairs than this are left to GEOS (its overlay is n log n).
_MAX_COMBOS = 200_000


def _edges_in_box(edges: EdgeTable, geom_of_pair: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (pair, edge) for every edge of each pair's geometry that reaches into the pair's box.

    Only those edges can cross the other polygon or lie inside it (the box holds both polygons'
    common bounds).  The result is ordered by pair, then edge: each ring's edges in ring order.
    """
    counts = edges.count[geom_of_pair]
    pair = repeat_index(counts)
    edge = edges.first[geom_of_pair][pair] + ragged_arange(counts, pair)
    keep = (
        (edges.xmin[edge] <= box[pair, 2] + _EPS)
        & (edges.xmax[edge] >= box[pair, 0] - _EPS)
        & (edges.ymin[edge] <= box[pair, 3] + _EPS)
        & (edges.ymax[edge] >= box[pair, 1] - _EPS)
    )
    return pair[keep], edge[keep]


@dataclass
class _Crossings:
    """Proper crossings between the kept edges of A (rows ``ra``) and of B (rows ``rb``)."""

    ra: np.ndarray
    rb: np.ndarray
    t: np.ndarray  # where along A's edge (0 at its start, 1 at its end)
    u: np.ndarray  # where along B's edge
    x: np.ndarray
    y: np.ndarray
    sign_a: np.ndarray  # +1: A's edge enters B here; -1: leaves
    sign_b: np.ndarray  # +1: B's edge enters A here; -1: leaves


def _crossings(
    ea: EdgeTable,
    eb: EdgeTable,
    edge_a: np.ndarray,
    edge_b: np.ndarray,
    ra: np.ndarray,
    rb: np.ndarray,
    bad: np.ndarray,
    pair_of: np.ndarray,
) -> _Crossings:
    """Test edge pairs (A row ``ra``, B row ``rb``); mark the pairs with a degenerate contact in ``bad``."""
    a, b = edge_a[ra], edge_b[rb]
    meet = (
        (ea.xmin[a] <= eb.xmax[b] + _EPS)
        & (eb.xmin[b] <= ea.xmax[a] + _EPS)
        & (ea.ymin[a] <= eb.ymax[b] + _EPS)
        & (eb.ymin[b] <= ea.ymax[a] + _EPS)
    )
    ra, rb, a, b = ra[meet], rb[meet], a[meet], b[meet]
    ax, ay = ea.x0[a], ea.y0[a]
    dax, day = ea.x1[a] - ax, ea.y1[a] - ay
    bx, by = eb.x0[b], eb.y0[b]
    dbx, dby = eb.x1[b] - bx, eb.y1[b] - by
    rx, ry = bx - ax, by - ay
    d = dax * dby - day * dbx
    la, lb = np.hypot(dax, day), np.hypot(dbx, dby)
    with np.errstate(divide="ignore", invalid="ignore"):
        # distances (degrees) from each edge's start to where the lines cross
        along_a = (rx * dby - ry * dbx) / d * la
        along_b = (rx * day - ry * dax) / d * lb
        oblique = np.abs(d) > _SIN_MIN * la * lb
        proper = oblique & (along_a > _EPS) & (along_a < la - _EPS) & (along_b > _EPS) & (along_b < lb - _EPS)
        touching = oblique & (along_a >= -_EPS) & (along_a <= la + _EPS) & (along_b >= -_EPS) & (along_b <= lb + _EPS)
        # nearly parallel edges: degenerate when they come within _EPS (or cross) where they run side by side
        flat = ~oblique
        if flat.any():
            f = np.flatnonzero(flat)
            ux, uy = dax[f] / la[f], day[f] / la[f]
            side0 = ux * ry[f] - uy * rx[f]
            side1 = ux * (ry[f] + dby[f]) - uy * (rx[f] + dbx[f])
            s0 = ux * rx[f] + uy * ry[f]
            s1 = s0 + ux * dbx[f] + uy * dby[f]
            beside = (np.maximum(s0, s1) >= -_EPS) & (np.minimum(s0, s1) <= la[f] + _EPS)
            close = (np.minimum(np.abs(side0), np.abs(side1)) <= _EPS) | (np.sign(side0) != np.sign(side1))
            touching[f] = beside & close
    bad[pair_of[ra[touching & ~proper]]] = True
    p = np.flatnonzero(proper)
    t = along_a[p] / la[p]
    sd = np.sign(d[p]).astype(np.int64)
    return _Crossings(
        ra=ra[p],
        rb=rb[p],
        t=t,
        u=along_b[p] / lb[p],
        x=ax[p] + t * dax[p],
        y=ay[p] + t * day[p],
        sign_a=-eb.w[b[p]] * sd,
        sign_b=ea.w[a[p]] * sd,
    )


def _inside_stretches(
    edges: EdgeTable,
    vertex_offset: int,
    row_pair: np.ndarray,
    row_edge: np.ndarray,
    crossing_row: np.ndarray,
    crossing_at: np.ndarray,
    crossing_sign: np.ndarray,
    crossing_offset: int,
    other: np.ndarray,
    bad: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the stretches of one polygon's kept edges (rows) that lie inside the other polygon.

    Each stretch runs from one point to another of the pair's points: vertices (numbered from
    ``vertex_offset``) and crossings (numbered from ``crossing_offset``, in their original order).
    ``other[pair]`` is the other polygon of each pair.  Returns (pair, weight, first point, last
    point) of each stretch; pairs whose counts do not add up are marked in ``bad``.
    """
    n_rows = len(row_pair)
    ring = edges.ring[row_edge]
    first = np.r_[True, (row_pair[1:] != row_pair[:-1]) | (ring[1:] != ring[:-1])][:n_rows]  # (pair, ring) starts
    group = np.cumsum(first) - 1
    first_rows = np.flatnonzero(first)
    v = edges.v0[row_edge[first_rows]]
    inside0 = shapely.contains_xy(other[row_pair[first_rows]], edges.coords[v, 0], edges.coords[v, 1])
    row_sum = np.bincount(crossing_row, weights=crossing_sign, minlength=n_rows).astype(np.int64)
    before = np.cumsum(row_sum) - row_sum  # the crossings' signs summed over all earlier rows
    inside = inside0.astype(np.int64)[group] + before - before[first_rows][group]  # at each row's start
    # a ring's crossings balance, and it is always either inside or outside
    total = np.bincount(group, weights=row_sum, minlength=len(first_rows))
    odd = (total != 0)[group] | (inside < 0) | (inside > 1)
    # the crossings along each row, in order
    order = np.argsort(crossing_row + crossing_at, kind="stable")  # at is strictly between 0 and 1
    r, s = crossing_row[order], crossing_sign[order]
    row_start = np.r_[True, r[1:] != r[:-1]][: len(r)]
    run = np.cumsum(s)
    run_before = (run - s)[row_start][np.cumsum(row_start) - 1]
    after = inside[r] + run - run_before  # inside just after each crossing
    bad[row_pair[odd]] = True
    bad[row_pair[r[(after < 0) | (after > 1)]]] = True

    crossed = np.zeros(n_rows, dtype=bool)
    crossed[r] = True
    whole = np.flatnonzero(~crossed & (inside == 1))  # edges wholly inside
    heads = np.flatnonzero(row_start)
    heads = heads[inside[r[heads]] == 1]  # an edge's start to its first crossing
    tails = np.flatnonzero(after == 1)  # a crossing to the next on the edge, or to the edge's end
    point = crossing_offset + order
    last_of_row = np.r_[r[1:] != r[:-1], True][: len(r)]
    end = vertex_offset + edges.v0[row_edge[r]] + 1
    next_point = np.where(last_of_row, end, np.roll(point, -1))
    start_vertex = vertex_offset + edges.v0[row_edge]
    rows = np.concatenate([whole, r[heads], r[tails]])
    return (
        row_pair[rows],
        edges.w[row_edge[rows]],
        np.concatenate([start_vertex[whole], start_vertex[r[heads]], point[tails]]),
        np.concatenate([start_vertex[whole] + 1, point[heads], next_point[tails]]),
    )


def _measure(
    pair: np.ndarray,
    w: np.ndarray,
    p0: np.ndarray,
    p1: np.ndarray,
    points: np.ndarray,
    cell: np.ndarray,
    centres: np.ndarray,
    n: int,
) -> np.ndarray:
    """Sum w·(x0·y1 − x1·y0)/2 over the stretches of each pair, in the pair's equal-area projection.

    ``points`` holds every point a stretch may start or end at (lon/lat); each is projected once
    for each projection that needs it.
    """
    out = np.zeros(n)
    if len(pair) == 0:
        return out
    slot = np.empty(len(points), dtype=np.int64)
    stretch_cell = cell[pair]
    order = np.argsort(stretch_cell, kind="stable")
    for members in np.split(order, np.flatnonzero(np.diff(stretch_cell[order])) + 1):
        lon0, lat0 = centres[stretch_cell[members[0]]]
        m = len(members)
        ids = np.concatenate([p0[members], p1[members]])
        # each point once: of the stretch ends naming it, the one whose number stuck in its slot
        slot[ids] = np.arange(2 * m)
        kept = slot[ids] == np.arange(2 * m)
        x, y = _equal_area(float(lon0), float(lat0)).transform(points[ids[kept], 0], points[ids[kept], 1])
        at = (np.cumsum(kept) - 1)[slot[ids]]
        px, py = x[at], y[at]
        p = pair[members]
        # relative to a point of each pair, so that no digits are lost to the projection's offsets
        present, first = np.unique(p, return_index=True)
        origin = np.zeros(n, dtype=np.int64)
        origin[present] = first
        ox, oy = px[origin[p]], py[origin[p]]
        ax, ay, bx, by = px[:m] - ox, py[:m] - oy, px[m:] - ox, py[m:] - oy
        out += np.bincount(p, weights=w[members] * (ax * by - bx * ay), minlength=n)
    return out / 2


def overlap_areas(a: np.ndarray, b: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Return the area in m² on the CGCS2000 ellipsoid of ``a[ia[k]] ∩ b[ib[k]]`` for each pair ``k``.

    Parameters
    ----------
    a, b : array of shapely geometries
        Valid lon/lat polygons or multipolygons (others give NaN).  Nothing is prepared here
        (prepared geometries are not safe to share between threads); a prepared geometry makes
        its point-in-polygon tests, one per ring of the other polygon of each pair, faster.
    ia, ib : array of int
        The pairs, as indices into ``a`` and ``b``.

    Returns
    -------
    numpy.ndarray of float
        The areas; NaN for the pairs not decided here (see the module notes), which the caller
        measures from the overlap GEOS builds.  Pairs whose bounding boxes do not meet give 0.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> from redline.layers.geodesy import geodesic_areas
    >>> a = np.array([box(109.0, 22.0, 109.004, 22.004)])
    >>> b = np.array([box(109.0025, 22.0015, 109.01, 22.01)])
    >>> area = overlap_areas(a, b, np.array([0]), np.array([0]))[0]
    >>> bool(abs(area - geodesic_areas([a[0] & b[0]])[0]) < 1e-6)
    True
    """
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    ia = np.asarray(ia, dtype=np.int64)
    ib = np.asarray(ib, dtype=np.int64)
    out = np.full(len(ia), np.nan)
    if len(ia) == 0:
        return out
    # every geometry once: pairs share them (a site crosses dozens of parcels)
    ua, la = np.unique(ia, return_inverse=True)
    ub, lb = np.unique(ib, return_inverse=True)
    ga, gb = a[ua], b[ub]
    ba, bb = shapely.bounds(ga)[la], shapely.bounds(gb)[lb]
    box = np.column_stack(
        [
            np.maximum(ba[:, 0], bb[:, 0]),
            np.maximum(ba[:, 1], bb[:, 1]),
            np.minimum(ba[:, 2], bb[:, 2]),
            np.minimum(ba[:, 3], bb[:, 3]),
        ]
    )
    polygonal = np.isin(shapely.get_type_id(ga), (3, 6))[la] & np.isin(shapely.get_type_id(gb), (3, 6))[lb]
    apart = (box[:, 0] > box[:, 2]) | (box[:, 1] > box[:, 3])
    out[polygonal & apart] = 0.0
    small = ((box[:, 2] - box[:, 0]) < _SMALL_DEG) & ((box[:, 3] - box[:, 1]) < _SMALL_DEG)
    todo = np.flatnonzero(polygonal & ~apart & small)
    if len(todo) == 0:
        return out
    if len(todo) < len(ia):  # only the geometries of the pairs decided here
        ua_t, la = np.unique(la[todo], return_inverse=True)
        ub_t, lb = np.unique(lb[todo], return_inverse=True)
        ga, gb = ga[ua_t], gb[ub_t]
    ea, eb = edge_table(ga), edge_table(gb)
    box = box[todo]
    # each pair's projection: centred within a quarter of a degree of its overlap, as geodesic_areas does
    quarter = np.round((box[:, :2] + box[:, 2:]) * 2).astype(np.int64)  # centre in quarter degrees
    key = quarter[:, 0] * 4096 + quarter[:, 1]
    _, first_of_cell, cell = np.unique(key, return_index=True, return_inverse=True)
    centres = quarter[first_of_cell] / 4.0

    # the edges of each polygon that reach into the pair's box; every pair of them is a candidate
    pa, edge_a = _edges_in_box(ea, la, box)
    pb, edge_b = _edges_in_box(eb, lb, box)
    n = len(todo)
    ka, kb = np.bincount(pa, minlength=n), np.bincount(pb, minlength=n)
    combos = ka * kb
    bad = combos > _MAX_COMBOS
    sa, sb = np.cumsum(ka) - ka, np.cumsum(kb) - kb
    none = np.zeros(0, dtype=np.int64)
    parts = [_crossings(ea, eb, edge_a, edge_b, none, none, bad, pa)]  # (so that there is one)
    ends = np.cumsum(np.where(bad, 0, combos))
    block_of = ends // _BLOCK_COMBOS
    for blk in np.unique(block_of[~bad]):
        pairs = np.flatnonzero((block_of == blk) & ~bad)
        c = combos[pairs]
        owner = repeat_index(c)
        cp = pairs[owner]
        local = ragged_arange(c, owner)
        ra = sa[cp] + local // kb[cp]
        rb = sb[cp] + local % kb[cp]
        parts.append(_crossings(ea, eb, edge_a, edge_b, ra, rb, bad, pa))
    cr = _Crossings(*(np.concatenate([getattr(p, f) for p in parts]) for f in _Crossings.__dataclass_fields__))
    n_a, n_b = len(ea.coords), len(eb.coords)
    points = np.concatenate([ea.coords, eb.coords, np.column_stack([cr.x, cr.y])])
    stretches = [
        _inside_stretches(ea, 0, pa, edge_a, cr.ra, cr.t, cr.sign_a, n_a + n_b, gb[lb], bad),
        _inside_stretches(eb, n_a, pb, edge_b, cr.rb, cr.u, cr.sign_b, n_a + n_b, ga[la], bad),
    ]
    joined = [np.concatenate(column) for column in zip(*stretches, strict=True)]
    area = _measure(*joined, points, cell, centres, n)
    # a proper crossing means the interiors meet: an area that is not positive means a miscount
    crossed = np.zeros(n, dtype=bool)
    crossed[pa[cr.ra]] = True
    bad |= crossed & ~(area > 0)
    bad |= area < 0
    out[todo[~bad]] = np.maximum(area[~bad], 0.0)
    return out
