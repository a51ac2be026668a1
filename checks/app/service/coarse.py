"""Coarsened confidential (涉密) layers: what the service screens against instead of their zones.

Answers computed from a zone's exact outline can trace it: bisecting along a ray between a site
inside and one outside, each answer halves the stretch the boundary is in, and a few hundred
calls place it to centimetres.  Rounding the numbers of the answer does not help, since the
moment an answer flips (inside to nearby, one band of distance to the next) is itself exact.
So the service never screens against a confidential zone's outline.  Each zone is replaced by
two outlines drawn on a fixed square grid of the layer's ``distance_step_m`` (in a transverse
Mercator projection of the layer's whole degree of longitude):

- the **outer** outline: every cell that comes within one step of the zone.  It holds the zone
  and reaches one to two steps (and a cell's diagonal) beyond it; this is the zone the engine
  screens against, so verdicts, relations, distances and areas all come from it;
- the **core**: every cell lying wholly more than one step inside the zone.  A site within the
  core is certainly inside; a site within the outer outline but not the core is reported as
  ``boundary`` ("within about two steps of the boundary, inside or out not told").

Both outlines are unions of whole grid cells picked by where the zone is, so no answer depends
on where the boundary runs within a cell: however the calls are chosen, they place it no finer
than one step.  A site the answers call inside is more than a step inside the zone; one they
call clear of it is more than a step away; bisecting between the two stops a step or more from
the boundary.  The verdict errs on the safe side: a site in the band gets the verdict of a site
inside the zone.

Examples
--------
>>> import shapely
>>> zone = shapely.box(109.0, 22.0, 109.02, 22.02)       # about 2 km square
>>> outer, core = coarse_outlines(zone, 100.0)
>>> outer.contains(zone), zone.contains(core)
(True, True)
>>> outer.contains(shapely.Point(109.0205, 22.01)), core.contains(shapely.Point(109.0195, 22.01))
(True, False)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from redline.layers.geodesy import local_projection

__all__ = ["ConfidentialView", "coarse_outlines", "coarsen_layerset", "grid_lon0"]

#: Neighbouring cells of a cell (3 x 3), to catch a boundary passing through a cell's corner.
_NEIGHBOURS = np.array([(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)], dtype=np.int64)
#: Edges are straight in lon/lat; densified so they stay straight in the projection (about 200 m).
_SEGMENT_DEG = 0.002


def grid_lon0(geom) -> float:
    """Return the central meridian of a zone's grid: the whole degree nearest the middle of its extent.

    Examples
    --------
    >>> import shapely
    >>> grid_lon0(shapely.box(109.6, 22.4, 109.7, 22.5))
    110.0
    """
    minx, _, maxx, _ = shapely.bounds(geom)
    return float(round((minx + maxx) / 2))


def _transform(geom, transformer):
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _cells_on(line, step: float) -> np.ndarray:
    """Return the grid cells (boxes of side ``step``, corners on multiples of it) that ``line`` meets."""
    if line is None or line.is_empty:
        return np.empty(0, dtype=object)
    points = shapely.get_coordinates(shapely.segmentize(line, step / 4))
    seen = np.unique(np.floor(points / step).astype(np.int64), axis=0)
    near = np.unique((seen[:, None, :] + _NEIGHBOURS[None, :, :]).reshape(-1, 2), axis=0)
    boxes = shapely.box(near[:, 0] * step, near[:, 1] * step, (near[:, 0] + 1) * step, (near[:, 1] + 1) * step)
    shapely.prepare(line)
    return boxes[shapely.intersects(line, boxes)]


def _outer_cells(region, step: float):
    """Return the union of the grid cells that meet ``region`` (the region and the cells on its boundary)."""
    cells = _cells_on(region.boundary, step)
    return shapely.union_all(np.concatenate([[region], cells]))


def _inner_cells(region, step: float):
    """Return the union of the grid cells wholly within ``region``."""
    if region.is_empty:
        return region
    cells = _cells_on(region.boundary, step)
    return region.difference(shapely.union_all(cells)) if len(cells) else region


def coarse_outlines(zone, step: float, lon0: float | None = None):
    """Return a zone's (outer, core) outlines on the grid of ``step`` metres (see the module docstring).

    Parameters
    ----------
    zone : shapely geometry
        A zone in EPSG:4490 (lon, lat).
    step : float
        The grid's cell side in metres (the layer's ``distance_step_m``).
    lon0 : float, optional
        The grid's central meridian (default: :func:`grid_lon0` of the zone).

    Returns
    -------
    (shapely geometry, shapely geometry)
        In EPSG:4490; the core may be empty (a zone too narrow to hold a cell a step inside it).
    """
    lon0 = grid_lon0(zone) if lon0 is None else lon0
    forward, back = local_projection(lon0), local_projection(lon0, inverse=True)
    metric = _transform(shapely.segmentize(zone, _SEGMENT_DEG), forward)
    outer = _outer_cells(metric.buffer(step, quad_segs=16), step)
    core = _inner_cells(metric.buffer(-step, quad_segs=16), step)
    return _transform(outer, back), _transform(core, back)


@dataclass
class ConfidentialView:
    """What the service's answers need about the coarsened confidential zones.

    Attributes
    ----------
    steps : dict
        ``(kind, zone_id)`` -> the layer's coarsening (``distance_step_m``, ``area_step_m2``).
    cores : dict
        ``(kind, zone_id)`` -> the zone's core outline (EPSG:4490).
    """

    steps: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    cores: dict[tuple[str, str], Any] = field(default_factory=dict)

    @property
    def zones(self) -> set[tuple[str, str]]:
        """``(kind, zone_id)`` of every confidential zone."""
        return set(self.steps)


def _coarse_layer(layer, view: ConfidentialView):
    from redline.layers.manifest import DEFAULT_COARSENING

    steps = {**DEFAULT_COARSENING, **(layer.coarsening or {})}
    step = float(steps["distance_step_m"])
    gdf = layer.gdf.copy()
    outers = []
    for zone_id, geom in zip(gdf["zone_id"].tolist(), gdf.geometry.array, strict=True):
        key = (layer.kind, "" if zone_id is None else str(zone_id))
        if geom is None or geom.is_empty:
            outers.append(geom)
            continue
        outer, core = coarse_outlines(geom, step)
        outers.append(outer)
        view.steps[key] = steps
        view.cores[key] = core
    gdf = gdf.set_geometry(gpd_array(outers, gdf.crs))
    # what the layer holds about its zones' own outlines (areas, stored columns, the engine's index) goes
    derived = {"zone_areas", "zone_rings", "store", "engine_index"} & {f.name for f in dataclasses.fields(layer)}
    return dataclasses.replace(layer, gdf=gdf, **dict.fromkeys(derived))


def gpd_array(geoms: list, crs):
    """Return ``geoms`` as a geometry array in ``crs``."""
    import geopandas as gpd

    return gpd.GeoSeries(geoms, crs=crs).values


def coarsen_layerset(layerset):
    """Return (the layer set with each confidential layer's zones coarsened, the :class:`ConfidentialView`).

    The public layers are the same objects; a layer set without a confidential layer is returned
    as it is.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> ls = load_layerset("sample")
    >>> coarse, view = coarsen_layerset(ls)
    >>> [kind for kind, _ in view.zones], coarse.layers[0] is ls.layers[0]
    (['nature_reserve'], True)
    >>> real = ls.zones("nature_reserve").geometry.iloc[0]
    >>> coarse.zones("nature_reserve").geometry.iloc[0].contains(real)
    True
    """
    view = ConfidentialView()
    if not any(layer.confidential for layer in layerset.layers):
        return layerset, view
    layers = [_coarse_layer(layer, view) if layer.confidential else layer for layer in layerset.layers]
    return dataclasses.replace(layerset, layers=layers), view


def step_floor(value: float | None, step: float) -> float | None:
    """Return ``value`` rounded down to a multiple of ``step`` (None stays None).

    Examples
    --------
    >>> step_floor(437.2, 100.0), step_floor(None, 100.0)
    (400.0, None)
    """
    if value is None or not math.isfinite(value):
        return value
    return math.floor(value / step) * step


def step_ceil(value: float | None, step: float) -> float | None:
    """Return ``value`` rounded up to a multiple of ``step`` (0 and None stay as they are).

    Examples
    --------
    >>> step_ceil(12.0, 10000.0), step_ceil(0.0, 10000.0)
    (10000.0, 0.0)
    """
    if value is None or not math.isfinite(value):
        return value
    return math.ceil(value / step) * step
