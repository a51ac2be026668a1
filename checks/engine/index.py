"""What the engine derives from one layer's zones: a declared, thread-safe index per layer.

Every derivative the spatial engine needs of a layer (its zones as a geometry array, their STRtree,
bounding boxes, class codes, identifier columns, spread, vertices, the index points are located
against, projections per longitude band and the zones' geodesic areas) is an attribute of one
:class:`LayerIndex`, built on first use under the index's lock and then shared by the screening
threads.  :func:`index_of` returns a layer's index, made once and kept in the layer's
``engine_index`` slot; :func:`prepare_layer` builds what a batch will need up front.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import shapely

from redline.checks.engine.box_grid import BoxGrid, box_grid
from redline.checks.engine.pieces import cut_polygons
from redline.checks.engine.point_distances import Vertices, vertices_from_rings, vertices_of
from redline.layers.geodesy import LocalProjection, geodesic_areas, metres_per_degree
from redline.layers.layerset import ZoneLayer

__all__ = ["LayerIndex", "PointIndex", "index_of", "prepare_layer"]

T = TypeVar("T")

#: Zones with more vertices than this are cut into pieces of at most this many to locate points.
PIECE_VERTICES = 32


@dataclass(frozen=True)
class PointIndex:
    """The polygons that points are located against: a layer's zones, its big ones cut in pieces.

    ``zone`` maps each polygon to its zone (None: the polygons are the zones themselves);
    ``geoms`` holds the pieces (None when no zone was cut).  A
    piece's edges are its zone's only to rounding where it was cut (:mod:`redline.checks.engine.pieces`):
    points on or next to a boundary are located against the whole zone.
    """

    geoms: np.ndarray | None
    zone: np.ndarray | None
    grid: BoxGrid
    bounds: np.ndarray
    vertices: Vertices


@dataclass(frozen=True)
class Spread:
    """How a layer's zones are spread: their count, mean width and height (degrees), the extent's area and latitude."""

    count: int
    mean_width: float
    mean_height: float
    extent_area: float
    max_abs_lat: float


class _Column:
    """A column of the zones' attributes that gives object arrays for fancy indexes (Arrow's ``take``)."""

    def __init__(self, values: Any) -> None:
        self.values = values

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(self.values, np.ndarray):
            return self.values[idx]
        if np.ndim(idx) == 0:
            return self.values[int(idx)].as_py()
        idx = np.asarray(idx, dtype=np.int64)
        return np.asarray(self.values.take(idx).to_numpy(zero_copy_only=False), dtype=object)

    def __len__(self) -> int:
        return len(self.values)


class LayerIndex:
    """The engine's derivatives of one layer's zones, each built once on first use.

    Parameters
    ----------
    layer : ZoneLayer

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> water = [layer for layer in load_layerset("sample").layers if layer.kind == "water_source"][0]
    >>> index = index_of(water)
    >>> index is index_of(water), index.n_classes, index.n == len(water.gdf)
    (True, 3, True)
    """

    def __init__(self, layer: ZoneLayer) -> None:
        self.layer = layer
        # re-entrant: one build may use another (the spread uses the bounds)
        self._lock = threading.RLock()
        self._built: dict[str, Any] = {}
        self._projections: dict[float, tuple[LocalProjection, np.ndarray]] = {}
        self._areas: np.ndarray | None = None

    def _once(self, name: str, build: Callable[[], T]) -> T:
        value = self._built.get(name)
        if value is None:
            with self._lock:
                value = self._built.get(name)
                if value is None:
                    value = self._built[name] = build()
        return value

    @property
    def n(self) -> int:
        """The number of zones."""
        return self.layer.n_zones

    @property
    def stored(self) -> bool:
        """True when the layer is read from its memory-mapped store (its zones built only as needed)."""
        return self.layer.store is not None

    @property
    def geoms(self) -> np.ndarray:
        """All the zones as an array of shapely geometries (a stored layer builds every one: avoid)."""
        return self.geoms_for(None)

    def geoms_for(self, idx: np.ndarray | None) -> np.ndarray:
        """Return the array of the zones' geometries with (at least) zones ``idx`` in it (None: all).

        A layer read from its store builds a zone's geometry the first time a screen asks for it;
        the array has None for zones no screen asked for yet.  A layer held in memory has them all.
        """
        if not self.stored:
            return self._once("geoms", lambda: np.asarray(self.layer.gdf.geometry.array))
        built = self._once("decoded", lambda: np.full(self.n, None, dtype=object))
        wanted = np.arange(self.n) if idx is None else np.unique(np.asarray(idx, dtype=np.int64))
        missing = wanted[shapely.is_missing(built[wanted])]
        if len(missing):  # threads may build the same zone at once: either copy does
            built[missing] = self.layer.store.geometries(missing)
        return built

    def _kept(self, name: str, build: Callable[[], T], save: Callable[[T], dict], load: Callable[[], T]) -> T:
        """Build ``name`` once; for a stored layer, keep its arrays in the store and read them back next time.

        A store is the layer cache's verified entry (:mod:`redline.layers.store`): the arrays kept there
        are checksummed like the layer's own, so the next process opens them instead of building them.
        """

        def made() -> T:
            store = self.layer.store
            if store is None:
                return build()
            if store.has(f"ix_{name}"):
                return load()
            value = build()
            with contextlib.suppress(OSError):  # (a read-only or full cache: built again next time)
                store.put({**save(value), f"ix_{name}": np.zeros(1, dtype=np.int8)})
            return value

        return self._once(name, made)

    @property
    def grid(self) -> BoxGrid:
        """The zones' bounding boxes filed in grids (:mod:`redline.checks.engine.box_grid`), kept in the store."""
        store = self.layer.store
        return self._kept(
            "grid",
            lambda: box_grid(self.bounds),
            lambda grid: grid.to_arrays("gr_"),
            lambda: BoxGrid.from_arrays(store.array, "gr_"),
        )

    def query(self, geoms: np.ndarray, distance: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Return the (site, zone) pairs that intersect (``distance`` 0) or lie within ``distance`` degrees.

        Candidates come from the zones' bounding boxes (:attr:`grid`); GEOS then asks each pair (of
        the site, which the caller may have prepared: the zones are never prepared, since threads
        share them).  Ordered by site, then zone.
        """
        b = shapely.bounds(geoms)
        qi, zi = self.grid.query(b[:, 0] - distance, b[:, 1] - distance, b[:, 2] + distance, b[:, 3] + distance)
        zones = self.geoms_for(zi)
        if distance > 0:
            keep = shapely.dwithin(geoms[qi], zones[zi], distance)
        else:
            keep = shapely.intersects(geoms[qi], zones[zi])
        qi, zi = qi[keep], zi[keep]
        order = np.lexsort((zi, qi))
        return qi[order], zi[order]

    @property
    def bounds(self) -> np.ndarray:
        """The zones' bounding boxes (minx, miny, maxx, maxy), one row each."""
        if self.stored:
            return self._once("bounds", lambda: np.asarray(self.layer.store.bounds))
        return self._once("bounds", lambda: shapely.bounds(self.geoms))

    @property
    def class_codes(self) -> np.ndarray:
        """Each zone's class as a small integer (see :attr:`n_classes`)."""
        return self._class_codes()[0]

    @property
    def n_classes(self) -> int:
        """The number of distinct classes (an empty class counts as one)."""
        return self._class_codes()[1]

    def _class_codes(self) -> tuple[np.ndarray, int]:
        def build() -> tuple[np.ndarray, int]:
            values = self._column("zone_class")
            values = values.to_numpy(zero_copy_only=False) if hasattr(values, "to_numpy") else values
            codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
            return codes.astype(np.int64), len(uniques)

        store = self.layer.store
        return self._kept(
            "class_codes",
            build,
            lambda made: {"cc_codes": made[0], "cc_n": np.array([made[1]], dtype=np.int64)},
            lambda: (store.array("cc_codes"), int(store.array("cc_n")[0])),
        )

    def _column(self, name: str):
        if self.stored and self.layer.__dict__.get("_gdf") is None:
            return self.layer.store.attributes([name]).column(name).combine_chunks()
        return self.layer.gdf[name].to_numpy(dtype=object)

    @property
    def columns(self) -> dict[str, Any]:
        """The layer's ``zone_id``, ``zone_name`` and ``zone_class``, indexable by zone numbers.

        Each is an object array, or for a stored layer a view that converts only the zones asked for
        (a million ids as Python strings would take a fifth of a second and 100 MB).
        """
        names = ("zone_id", "zone_name", "zone_class")
        return self._once("columns", lambda: {c: _Column(self._column(c)) for c in names})

    @property
    def spread(self) -> Spread:
        """How the zones are spread over the layer's extent (for :meth:`zones_near`)."""

        def build() -> Spread:
            bounds = self.bounds
            bounds = bounds[np.isfinite(bounds).all(axis=1)]  # (empty zones have no bounds)
            if len(bounds) == 0:
                return Spread(0, 0.0, 0.0, 1e-12, 0.0)
            x0, y0 = bounds[:, :2].min(axis=0)
            x1, y1 = bounds[:, 2:].max(axis=0)
            mean_w, mean_h = (bounds[:, 2:] - bounds[:, :2]).mean(axis=0)
            extent = max((x1 - x0) * (y1 - y0), 1e-12)
            return Spread(len(bounds), mean_w, mean_h, extent, min(max(abs(y0), abs(y1)), 89.0))

        store = self.layer.store
        return self._kept(
            "spread",
            build,
            lambda s: {"sp_values": np.array([s.count, s.mean_width, s.mean_height, s.extent_area, s.max_abs_lat])},
            lambda: Spread(*(lambda v: (int(v[0]), *map(float, v[1:])))(store.array("sp_values"))),
        )

    def zones_near(self, radius_m: float) -> float:
        """Return how many zones' bounding boxes meet a box of ``radius_m`` around a site, on average.

        Estimated from the zones' mean width and height and the layer's extent, as if spread evenly.
        """
        if self.n == 0:
            return 0.0
        s = self.spread
        per_lon, per_lat = metres_per_degree(np.array([s.max_abs_lat]))
        box = (s.mean_width + 2 * radius_m / per_lon[0]) * (s.mean_height + 2 * radius_m / per_lat[0])
        return float(s.count * min(box, s.extent_area) / s.extent_area)

    @property
    def vertices(self) -> Vertices:
        """The zones' vertices: from the rings read with the layer (cache), else taken off the zones."""
        store = self.layer.store

        def build() -> Vertices:
            if self.stored:  # straight from the stored coordinate and offset arrays (no zone is built)
                parts, geoms = store.array("part_offsets"), store.array("geom_offsets")
                return vertices_from_rings(store.array("coords"), store.array("ring_offsets"), parts[geoms])
            return vertices_of(self.geoms)

        def save(vertices: Vertices) -> dict:
            arrays = vertices.to_arrays("vx_")
            del arrays["vx_coords"]  # (the store's own coordinates)
            return arrays

        def load() -> Vertices:
            return Vertices.from_arrays(lambda name: store.array("coords" if name == "vx_coords" else name), "vx_")

        return self._kept("vertices", build, save, load)

    @property
    def point_index(self) -> PointIndex:
        """The polygons points are located against: big zones cut in pieces (:func:`cut_polygons`)."""
        store = self.layer.store

        def build() -> PointIndex:
            many = np.flatnonzero(self.vertices.count > PIECE_VERTICES)
            if len(many) == 0:
                return PointIndex(None, None, self.grid, self.bounds, self.vertices)
            zones = self.geoms_for(many)
            pieces, owner = cut_polygons(zones[many], PIECE_VERTICES)
            whole = np.setdiff1d(np.arange(self.n), many)
            # the whole zones keep their vertices and boxes; only the big ones are cut (and rebuilt)
            vertices = _joined_vertices(self.vertices, whole, vertices_of(pieces))
            bounds = np.concatenate([self.bounds[whole], shapely.bounds(pieces)])
            zone = np.concatenate([whole, many[owner]])
            return PointIndex(pieces, zone, box_grid(bounds), bounds, vertices)

        pre = f"p{PIECE_VERTICES}"

        def save(index: PointIndex) -> dict:
            if index.zone is None:
                return {f"{pre}whole": np.ones(1, dtype=np.int8)}
            return {
                f"{pre}zone": index.zone,
                f"{pre}bounds": index.bounds,
                **index.vertices.to_arrays(f"{pre}v_"),
                **index.grid.to_arrays(f"{pre}g_"),
            }

        def load() -> PointIndex:
            if store.has(f"{pre}whole"):
                return PointIndex(None, None, self.grid, self.bounds, self.vertices)
            grid = BoxGrid.from_arrays(store.array, f"{pre}g_")
            vertices = Vertices.from_arrays(store.array, f"{pre}v_")
            return PointIndex(None, store.array(f"{pre}zone"), grid, store.array(f"{pre}bounds"), vertices)

        # (kept under the cut's size: another size is another index)
        return self._kept(f"point_index_{PIECE_VERTICES}", build, save, load)

    def projection(self, band: float) -> tuple[LocalProjection, np.ndarray]:
        """Return the projection of a longitude band and the array of zones projected into it so far.

        Zones are projected lazily, once each, as pairs first need them (the caller fills the array).
        """
        found = self._projections.get(band)
        if found is None:
            with self._lock:
                found = self._projections.get(band)
                if found is None:
                    found = (LocalProjection(band), np.full(self.n, None, dtype=object))
                    self._projections[band] = found
        return found

    def zone_areas(self, zi: np.ndarray) -> np.ndarray:
        """Return the geodesic areas (m²) of zones ``zi``, each measured once (or taken from the layer cache)."""
        if self._areas is None:
            with self._lock:
                if self._areas is None:
                    known = self.layer.zone_areas
                    n = self.n
                    known_ok = known is not None and len(known) == n
                    self._areas = np.array(known, dtype=float) if known_ok else np.full(n, np.nan)
        areas = self._areas
        missing = np.unique(zi[np.isnan(areas[zi])])
        if len(missing):  # threads may measure the same zone at once: they write the same number
            areas[missing] = geodesic_areas(self.geoms_for(missing)[missing])
        return areas[zi]


def _joined_vertices(whole: Vertices, keep: np.ndarray, pieces: Vertices) -> Vertices:
    """Return the vertices of polygons ``keep`` of ``whole`` followed by every polygon of ``pieces``.

    Each polygon keeps its own run of coordinates (gathered, not rebuilt from geometries).
    """
    count = whole.count[keep]
    take = _ranges(whole.start[keep], count)
    edge_count = whole.edge_count[keep]
    coords = np.concatenate([whole.coords[take], pieces.coords])
    joins = np.concatenate([whole.joins[take], pieces.joins])
    counts = np.concatenate([count, pieces.count])
    edge_counts = np.concatenate([edge_count, pieces.edge_count])
    starts = np.cumsum(counts) - counts
    return Vertices(
        coords, starts, counts, joins, np.flatnonzero(joins), np.cumsum(edge_counts) - edge_counts, edge_counts
    )


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(starts[k], starts[k] + counts[k])`` for every k."""
    from redline.checks.engine.edges import ragged_arange, repeat_index

    owner = repeat_index(counts)
    return np.asarray(starts, dtype=np.int64)[owner] + ragged_arange(counts, owner)


_INDEX_LOCK = threading.Lock()


def index_of(layer: ZoneLayer) -> LayerIndex:
    """Return the layer's :class:`LayerIndex`, made on first use and kept in ``layer.engine_index``."""
    index = layer.engine_index
    if index is None:
        with _INDEX_LOCK:
            index = layer.engine_index
            if index is None:
                index = layer.engine_index = LayerIndex(layer)
    return index


def prepare_layer(layer: ZoneLayer, points: bool = True) -> LayerIndex:
    """Build the layer's index and the arrays screening uses now, rather than on first use.

    Each is built once and kept in the layer's index: the box grids, the zones' bounding boxes,
    classes and identifiers, their spread and, with ``points``, the zones' vertices (big zones cut
    in pieces) that point sites are located against.  A batch or a service calls it once after
    loading the layers, so that no screen pays for it; screening threads then share them.

    Parameters
    ----------
    layer : ZoneLayer
    points : bool
        Also build what locating point sites needs (skip it when no site is a point).

    Returns
    -------
    LayerIndex

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> for layer in load_layerset("sample").layers:
    ...     _ = prepare_layer(layer)
    """
    index = index_of(layer)
    _ = index.grid, index.bounds, index.class_codes, index.columns, index.spread
    if points:
        _ = index.point_index
    return index
