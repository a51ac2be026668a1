"""Benchmark data: a 1M-parcel layer set over 100 km × 100 km, and random sites on it.

Built deterministically (fixed seed) and fast, then cached (``benchmarks/.data/``, not committed):

- ``basic_farmland.fgb``: ``n_parcels`` parcels (about 0.9 ha each at 1M), Voronoi cells of
  random points over the square, of which the red line and the urban boundary took some (the
  cells left over, about 1 %, are holes);
- ``ecological_redline.gpkg``: 60 clusters of cells (dissolved), so they share their edges with
  the farmland exactly, as 三区三线 drawn on one base map do: touching, never overlapping;
- ``urban_boundary.gpkg``: 20 clusters of cells, likewise;
- ``water_source.gpkg``: 40 river-less sources, each a 一级 disc (300 m) inside a 二级 ring (1 km);
- ``control_units.gpkg``: 2,000 units (Voronoi cells of their own) tiling the square;
- ``region.geojson``: the square, the control units' region.

A province-scale set (millions of parcels: ``benchmarks/batch.py --province``) is built the same
way in tiles, each its own Voronoi diagram cut at the tile's edges and streamed to disk, in the
memory of one tile (see :func:`build_layerset`); sets up to :data:`ONE_PIECE_CELLS` cells are built
in one piece, as they always were.

The set is clean: validating it reports nothing, so the benchmark times the full work of
finding that out.  API for the benchmarks (``validate.py`` here; the batch benchmark)::

    from benchmarks._data import build_layerset, point_sites, polygon_sites
    manifest = build_layerset(Path("benchmarks/.data/parcels-1m"))   # -> layerset.yaml
    sites = polygon_sites(10_000, seed=1)                             # GeoDataFrame, EPSG:4490
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Geod

__all__ = ["BOUNDS", "CACHE", "ONE_PIECE_CELLS", "TILE_CELLS", "build_layerset", "point_sites", "polygon_sites"]

GEOD = Geod(ellps="GRS80")
CACHE = Path(__file__).resolve().parent / ".data"
_VERSION = 1  # bump when the layer set's recipe changes (invalidates the caches)
_SPARE = 1.15  # cells per parcel: the red line and the urban boundary take about 12 % of them
#: Sets of more Voronoi cells than this (a province) are built in tiles of about :data:`TILE_CELLS` each.
ONE_PIECE_CELLS = 1_500_000
TILE_CELLS = 500_000
_FARM, _HOLE = -1, -2  # a cell's owner in a tiled build (clusters are 0, 1, …)


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


def _voronoi(points: np.ndarray, box: tuple[float, float, float, float] = BOUNDS, ordered: bool = False) -> np.ndarray:
    """Voronoi cells of ``points`` clipped to ``box`` (GEOS's order, deterministic; ``ordered``: the points')."""
    x0, y0, x1, y1 = box
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=shapely.box(*box), ordered=ordered)
    cells = shapely.get_parts(diagram)
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


def _claim(points: np.ndarray, owner: np.ndarray, rng, n, r_min, r_max, first: int) -> None:
    """Give the farmland points within ``n`` random discs to clusters ``first``, ``first + 1``, ….

    As :func:`_clusters` (same draws), but a cell goes with its generating point, known before any
    cell is built, rather than with its centroid.
    """
    for k, centre in enumerate(_random_points(rng, n, inset=0.05)):
        disc = _discs(centre[None, :], rng.uniform(r_min, r_max))[0]
        x0, y0, x1, y1 = disc.bounds
        x, y = points[:, 0], points[:, 1]
        near = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & (owner == _FARM))
        owner[near[shapely.contains_xy(disc, x[near], y[near])]] = first + k


def _tile_boxes(k: int) -> list[tuple[float, float, float, float]]:
    """The k × k tiles of :data:`BOUNDS`, row by row from the south-west."""
    x0, y0, x1, y1 = BOUNDS
    xs, ys = np.linspace(x0, x1, k + 1), np.linspace(y0, y1, k + 1)
    return [(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(k) for i in range(k)]


def _tile_of(points: np.ndarray, k: int) -> np.ndarray:
    """The tile (as numbered by :func:`_tile_boxes`) each point lies in."""
    x0, y0, x1, y1 = BOUNDS
    i = np.clip(((points[:, 0] - x0) / (x1 - x0) * k).astype(np.int64), 0, k - 1)
    j = np.clip(((points[:, 1] - y0) / (y1 - y0) * k).astype(np.int64), 0, k - 1)
    return j * k + i


def _tiles(points: np.ndarray, owner: np.ndarray, k: int, pieces: dict[int, list]):
    """Yield the farmland cells tile by tile as Arrow batches (``TBBH``, WKB); keep the clusters' pieces.

    Each tile's cells are the Voronoi cells of its own points, clipped to it (cells that would
    cross a tile's edge are cut there); the cells a cluster took in a tile are dissolved at once.
    """
    import pyarrow as pa

    tile = _tile_of(points, k)
    first = 0
    for t, box in enumerate(_tile_boxes(k)):
        idx = np.flatnonzero(tile == t)
        cells = _voronoi(points[idx], box, ordered=True)
        who = owner[idx]
        for c in np.unique(who[who >= 0]):
            pieces.setdefault(int(c), []).append(shapely.coverage_union_all(cells[who == c]))
        farm = cells[who == _FARM]
        ids = [f"TB{i:07d}" for i in range(first, first + len(farm))]
        first += len(farm)
        yield pa.record_batch(
            {"TBBH": pa.array(ids, pa.string()), "geometry": pa.array(shapely.to_wkb(farm), pa.binary())}
        )


def _tiled(rng: np.random.Generator, n_parcels: int, k: int, path: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Build a big set's farmland in k × k tiles (memory of one tile), streamed to ``path``.

    Returns the red line's and the urban boundary's polygons and the number of parcels written.
    """
    import pyarrow as pa

    points = _random_points(rng, int(n_parcels * _SPARE))
    owner = np.full(len(points), _FARM, dtype=np.int64)
    _claim(points, owner, rng, 60, 1000.0, 3500.0, 0)  # the red line, about 10 % of the square
    _claim(points, owner, rng, 20, 1000.0, 2500.0, 60)  # the urban boundary, about 2 %
    free = np.flatnonzero(owner == _FARM)
    if len(free) > n_parcels:  # the cells left over become holes (ponds, roads, villages)
        owner[np.setdiff1d(free, rng.choice(free, n_parcels, replace=False))] = _HOLE
    pieces: dict[int, list] = {}
    schema = pa.schema([("TBBH", pa.string()), ("geometry", pa.binary())])
    stream = pa.RecordBatchReader.from_batches(schema, _tiles(points, owner, k, pieces))
    layer = {"layer": path.stem, "driver": "FlatGeobuf", "geometry_type": "Polygon", "crs": "EPSG:4490"}
    pyogrio.write_arrow(stream, path, geometry_name="geometry", **layer)

    def dissolved(clusters: range) -> np.ndarray:
        merged = [shapely.union_all(pieces[c]) for c in clusters if c in pieces]
        return np.array([p for m in merged for p in shapely.get_parts(m) if p.area > 0], dtype=object)

    return dissolved(range(60)), dissolved(range(60, 80)), int((owner == _FARM).sum())


def _one_piece(rng: np.random.Generator, n_parcels: int, path: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Build the farmland of a set that fits in memory at once (one Voronoi diagram); write it to ``path``.

    Returns the red line's and the urban boundary's polygons and the number of parcels written.
    """
    cells = _voronoi(_random_points(rng, int(n_parcels * _SPARE)))
    centroids = shapely.centroid(cells)
    taken = np.zeros(len(cells), dtype=bool)
    red = _clusters(cells, centroids, taken, rng, 60, 1000.0, 3500.0)  # about 10 % of the square
    urban = _clusters(cells, centroids, taken, rng, 20, 1000.0, 2500.0)  # about 2 %
    free = np.flatnonzero(~taken)
    if len(free) > n_parcels:  # the cells left over become holes (ponds, roads, villages)
        free = np.sort(rng.choice(free, n_parcels, replace=False))
    farm = cells[free]
    _write(gpd.GeoDataFrame({"TBBH": [f"TB{i:07d}" for i in range(len(farm))]}, geometry=farm, crs="EPSG:4490"), path)
    return red, urban, len(farm)


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


def _other_layers(rng: np.random.Generator, folder: Path) -> None:
    """Write the water sources, the control units and the region (after the farmland: same draws)."""
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


def build_layerset(
    folder: str | Path | None = None, n_parcels: int = 1_000_000, seed: int = 20250101, tiles: int | None = None
) -> Path:
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
    tiles : int, optional
        Build the farmland in ``tiles`` × ``tiles`` tiles, each its own Voronoi diagram cut at the
        tile's edges, streamed to disk, so that building it takes the memory of one tile; the
        clusters then take the cells whose generating points they hold.  Default: one piece up to
        :data:`ONE_PIECE_CELLS` cells, else tiles of about :data:`TILE_CELLS` cells (a province).
    """
    folder = Path(folder) if folder is not None else CACHE / f"parcels-{n_parcels}-{seed}"
    manifest = folder / "layerset.yaml"
    n_cells = int(n_parcels * _SPARE)
    k = tiles or (1 if n_cells <= ONE_PIECE_CELLS else math.ceil(math.sqrt(n_cells / TILE_CELLS)))
    stamp = {"version": _VERSION, "n_parcels": n_parcels, "seed": seed, "bounds": list(BOUNDS)}
    if k > 1:
        stamp["tiles"] = k
    meta = folder / "build.json"
    if manifest.is_file() and meta.is_file() and json.loads(meta.read_text())["stamp"] == stamp:
        return manifest
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    farmland = folder / "basic_farmland.fgb"
    red, urban, n_farm = _one_piece(rng, n_parcels, farmland) if k == 1 else _tiled(rng, n_parcels, k, farmland)
    _write(
        gpd.GeoDataFrame({"HXBH": [f"HX{i:04d}" for i in range(len(red))]}, geometry=red, crs="EPSG:4490"),
        folder / "ecological_redline.gpkg",
    )
    _write(
        gpd.GeoDataFrame({"KFBJBH": [f"KF{i:04d}" for i in range(len(urban))]}, geometry=urban, crs="EPSG:4490"),
        folder / "urban_boundary.gpkg",
    )
    _other_layers(rng, folder)
    manifest.write_text(_MANIFEST.format(n=n_farm), encoding="utf-8")
    counts = {"basic_farmland": n_farm, "ecological_redline": len(red), "urban_boundary": len(urban)}
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
