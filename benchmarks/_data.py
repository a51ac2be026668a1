"""Benchmark data: a 1M-parcel layer set over 100 km × 100 km, and random sites on it.

Built deterministically (fixed seed) and fast, then cached (``benchmarks/.data/``, not committed):

- ``basic_farmland.fgb``: ``n_parcels`` parcels (about 0.9 ha each), Voronoi cells of random
  points over the square, of which the red line and the urban boundary took some (the cells
  left over, about 1 %, are holes);
- ``ecological_redline.gpkg``: 60 clusters of cells (dissolved), so they share their edges with
  the farmland exactly, as 三区三线 drawn on one base map do: touching, never overlapping;
- ``urban_boundary.gpkg``: 20 clusters of cells, likewise;
- ``water_source.gpkg``: 40 river-less sources, each a 一级 disc (300 m) inside a 二级 ring (1 km);
- ``control_units.gpkg``: 2,000 units (Voronoi cells of their own) tiling the square;
- ``region.geojson``: the square, the control units' region.

The set is clean: validating it reports nothing, so the benchmark times the full work of
finding that out.  API for the benchmarks (``validate.py`` here; the batch benchmark)::

    from benchmarks._data import build_layerset, point_sites, polygon_sites
    manifest = build_layerset(Path("benchmarks/.data/parcels-1m"))   # -> layerset.yaml
    sites = polygon_sites(10_000, seed=1)                             # GeoDataFrame, EPSG:4490
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Geod

__all__ = ["BOUNDS", "CACHE", "build_layerset", "point_sites", "polygon_sites"]

GEOD = Geod(ellps="GRS80")
CACHE = Path(__file__).resolve().parent / ".data"
_VERSION = 1  # bump when the layer set's recipe changes (invalidates the caches)
_SPARE = 1.15  # cells per parcel: the red line and the urban boundary take about 12 % of them


def _square(lon0: float = 112.0, lat0: float = 28.0, side_m: float = 100_000.0) -> tuple[float, float, float, float]:
    """Lon/lat bounds of a square ``side_m`` on a side (measured along its middle), SW corner given."""
    _, lat1, _ = GEOD.fwd(lon0, lat0, 0.0, side_m)
    lon1, _, _ = GEOD.fwd(lon0, (lat0 + lat1) / 2, 90.0, side_m)
    return (lon0, lat0, round(float(lon1), 9), round(float(lat1), 9))


#: The benchmark square (lon0, lat0, lon1, lat1), EPSG:4490, in 湖南 (about 112–113°E, 28–28.9°N).
BOUNDS = _square()


def _round(geoms: np.ndarray) -> np.ndarray:
    """Round to 1e-9 degree (0.1 mm), so shared vertices computed twice coincide exactly."""
    return shapely.transform(geoms, lambda c: np.round(c, 9))


def _voronoi(points: np.ndarray) -> np.ndarray:
    """Voronoi cells of ``points`` clipped to :data:`BOUNDS` (GEOS's order, deterministic)."""
    x0, y0, x1, y1 = BOUNDS
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=shapely.box(*BOUNDS)))
    b = shapely.bounds(cells)
    edge = (b[:, 0] < x0) | (b[:, 1] < y0) | (b[:, 2] > x1) | (b[:, 3] > y1)
    cells[edge] = shapely.clip_by_rect(cells[edge], x0, y0, x1, y1)
    return _round(cells)


def _random_points(rng: np.random.Generator, n: int, inset: float = 0.0) -> np.ndarray:
    x0, y0, x1, y1 = BOUNDS
    return np.column_stack([rng.uniform(x0 + inset, x1 - inset, n), rng.uniform(y0 + inset, y1 - inset, n)])


def _discs(centres: np.ndarray, radius_m: float, n: int = 64) -> np.ndarray:
    """Geodesic circles (polygons with ``n`` vertices) of ``radius_m`` around lon/lat centres."""
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    out = []
    for lon, lat in centres:
        x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_m))
        out.append(shapely.Polygon(np.column_stack([x, y])))
    return _round(np.array(out, dtype=object))


def _clusters(cells, centroids, taken, rng, n, r_min, r_max):
    """Dissolve the untaken cells within random circles into ``n`` polygons; mark them taken."""
    tree = shapely.STRtree(centroids)
    out = []
    for centre in _random_points(rng, n, inset=0.05):
        radius = rng.uniform(r_min, r_max)
        disc = _discs(centre[None, :], radius)[0]
        idx = tree.query(disc, predicate="contains")
        idx = idx[~taken[idx]]
        if len(idx) == 0:
            continue
        taken[idx] = True
        merged = shapely.coverage_union_all(cells[idx])
        out.extend(p for p in shapely.get_parts(merged) if p.area > 0)
    return np.array(out, dtype=object)


def _write(gdf: gpd.GeoDataFrame, path: Path) -> None:
    driver = "FlatGeobuf" if path.suffix == ".fgb" else "GPKG" if path.suffix == ".gpkg" else "GeoJSON"
    pyogrio.write_dataframe(gdf, path, driver=driver, layer=path.stem)


_MANIFEST = """\
name: benchmark — {n:,} parcels over 100 km × 100 km (synthetic)
crs: EPSG:4490
layers:
  - kind: basic_farmland
    path: basic_farmland.fgb
    id_field: TBBH
  - kind: ecological_redline
    path: ecological_redline.gpkg
    id_field: HXBH
  - kind: urban_boundary
    path: urban_boundary.gpkg
    id_field: KFBJBH
  - kind: water_source
    path: water_source.gpkg
    id_field: SYDBH
    class_field: BHQJB
    class_map: {{一级保护区: first, 二级保护区: second}}
  - kind: control_unit
    path: control_units.gpkg
    id_field: DYBM
    class_field: DYLB
    class_map: {{"1": priority, "2": key, "3": general}}
"""


def build_layerset(folder: str | Path | None = None, n_parcels: int = 1_000_000, seed: int = 20250101) -> Path:
    """Build (or reuse from the cache) the benchmark layer set; return its ``layerset.yaml``.

    Parameters
    ----------
    folder : str or Path, optional
        Where to write it; default ``benchmarks/.data/parcels-<n>-<seed>``.  Reused when it holds
        a set built with the same arguments.
    n_parcels : int
        Farmland parcels: Voronoi cells over the square not taken by the red line and the urban
        boundary.
    seed : int
    """
    folder = Path(folder) if folder is not None else CACHE / f"parcels-{n_parcels}-{seed}"
    manifest = folder / "layerset.yaml"
    stamp = {"version": _VERSION, "n_parcels": n_parcels, "seed": seed, "bounds": list(BOUNDS)}
    meta = folder / "build.json"
    if manifest.is_file() and meta.is_file() and json.loads(meta.read_text())["stamp"] == stamp:
        return manifest
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cells = _voronoi(_random_points(rng, int(n_parcels * _SPARE)))
    centroids = shapely.centroid(cells)
    taken = np.zeros(len(cells), dtype=bool)
    red = _clusters(cells, centroids, taken, rng, 60, 1000.0, 3500.0)  # about 10 % of the square
    urban = _clusters(cells, centroids, taken, rng, 20, 1000.0, 2500.0)  # about 2 %
    free = np.flatnonzero(~taken)
    if len(free) > n_parcels:  # the cells left over become holes (ponds, roads, villages)
        free = np.sort(rng.choice(free, n_parcels, replace=False))
    farm = cells[free]
    _write(
        gpd.GeoDataFrame({"TBBH": [f"TB{i:07d}" for i in range(len(farm))]}, geometry=farm, crs="EPSG:4490"),
        folder / "basic_farmland.fgb",
    )
    _write(
        gpd.GeoDataFrame({"HXBH": [f"HX{i:04d}" for i in range(len(red))]}, geometry=red, crs="EPSG:4490"),
        folder / "ecological_redline.gpkg",
    )
    _write(
        gpd.GeoDataFrame({"KFBJBH": [f"KF{i:04d}" for i in range(len(urban))]}, geometry=urban, crs="EPSG:4490"),
        folder / "urban_boundary.gpkg",
    )
    # water sources on a jittered 8 x 5 grid (discs 1 km: never touching each other)
    gx, gy = np.meshgrid(np.linspace(0.08, 0.92, 8), np.linspace(0.1, 0.9, 5))
    x0, y0, x1, y1 = BOUNDS
    centres = np.column_stack([x0 + gx.ravel() * (x1 - x0), y0 + gy.ravel() * (y1 - y0)])
    centres += rng.uniform(-0.01, 0.01, centres.shape)
    first = _discs(centres, 300.0)
    second = shapely.difference(_discs(centres, 1000.0), first)
    water = gpd.GeoDataFrame(
        {
            "SYDBH": [f"SY{i:03d}-{lv}" for lv in (1, 2) for i in range(len(centres))],
            "BHQJB": ["一级保护区"] * len(centres) + ["二级保护区"] * len(centres),
        },
        geometry=[*first, *second],
        crs="EPSG:4490",
    )
    _write(water, folder / "water_source.gpkg")
    units = _voronoi(_random_points(rng, 2000))
    _write(
        gpd.GeoDataFrame(
            {"DYBM": [f"ZH{i:05d}" for i in range(len(units))], "DYLB": rng.choice(["1", "2", "3"], len(units))},
            geometry=units,
            crs="EPSG:4490",
        ),
        folder / "control_units.gpkg",
    )
    _write(
        gpd.GeoDataFrame({"name": ["benchmark square"]}, geometry=[shapely.box(*BOUNDS)], crs="EPSG:4490"),
        folder / "region.geojson",
    )
    manifest.write_text(_MANIFEST.format(n=len(farm)), encoding="utf-8")
    counts = {"basic_farmland": len(farm), "ecological_redline": len(red), "urban_boundary": len(urban)}
    meta.write_text(
        json.dumps({"stamp": stamp, "counts": counts, "build_s": round(time.perf_counter() - started, 1)}, indent=1)
    )
    return manifest


def point_sites(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` random point sites over the benchmark square: columns ``site_id``, geometry (EPSG:4490)."""
    rng = np.random.default_rng(seed)
    pts = shapely.points(_random_points(rng, n))
    return gpd.GeoDataFrame({"site_id": [f"P{i:07d}" for i in range(n)]}, geometry=pts, crs="EPSG:4490")


def polygon_sites(n: int, seed: int = 1, r_min: float = 50.0, r_max: float = 500.0) -> gpd.GeoDataFrame:
    """``n`` random polygon sites: irregular 12-gons of radius ``r_min``–``r_max`` m, EPSG:4490."""
    rng = np.random.default_rng(seed)
    centres = _random_points(rng, n, inset=0.01)
    radii = rng.uniform(r_min, r_max, n)
    k = 12
    # one vertex per 30-degree sector, jittered inside it: a star-shaped, never self-intersecting ring
    az = (np.arange(k) * (360.0 / k))[None, :] + rng.uniform(0.0, 360.0 / k, (n, k))
    dist = radii[:, None] * rng.uniform(0.7, 1.0, (n, k))
    lon, lat, _ = GEOD.fwd(np.repeat(centres[:, 0], k), np.repeat(centres[:, 1], k), az.ravel(), dist.ravel())
    rings = np.column_stack([lon, lat]).reshape(n, k, 2)
    polys = shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1))
    return gpd.GeoDataFrame({"site_id": [f"G{i:07d}" for i in range(n)]}, geometry=polys, crs="EPSG:4490")
