"""Batch screening at scale: our engine against geopandas, PostGIS, SedonaDB and DuckDB, with the targets.

Run:  python benchmarks/batch.py [--quick] [--sites N] [--polygons N] [--no-postgis] [--dask [W]] [--json FILE]
      python benchmarks/batch.py --province [--province-parcels N] [--sites N] [--json FILE]
      python benchmarks/batch.py --stream 10000000 [--chunk-size N] [--stream-buffer M] [--json FILE]

Nothing is installed by the script.  The embedded engines' columns need ``pip install ".[bench]"``
(``sedonadb``, ``duckdb`` and the ``duckdb-extension-spatial`` wheel, so DuckDB's spatial extension
loads offline); without them those columns say they were skipped and how to install them.

Data (``benchmarks/_data.py``, cached in ``benchmarks/.data/``, never committed): the 1M-parcel
layer set (farmland, red line, urban boundary, water sources, control units), 100,000 random point
sites and 10,000 polygon sites of 50–500 m radius (the 5 in 10,000 that ``polygon_sites`` makes
self-intersecting are repaired with ``make_valid``, so every engine screens the same valid shapes);
``--quick`` uses 100,000 parcels, 10,000 points, 1,000 polygons.  The peers read every layer from
one GeoParquet table and the polygons from GeoParquet; ``redline batch`` reads the points' CSV and
the polygons' FlatGeobuf.

Every phase runs in its own process, so each has its own peak memory: in a phase, the kernel's
resident-set high-water mark (``VmHWM``, reset per sub-phase through ``/proc/self/clear_refs``;
sampled when that is not allowed); for a whole program, its ``ru_maxrss`` from ``wait4``, read by a
small launcher (``benchmarks.peers.run_measured``: a child's ``ru_maxrss`` starts at the peak of
whoever spawned it, here a process holding geopandas and the data).  Phases:

- load the layer set, twice, with a fresh ``REDLINE_CACHE_DIR``: the first run reads the sources and
  writes each normalised layer as a verified, memory-mapped store (``redline.layers.cache``,
  ``redline.layers.store``); the second opens the stores.  Each then gets the engine's per-layer
  indexes (``redline.checks.engine.index.prepare_layer``: box grids, class codes, spread, the
  vertices and pieces points are located against), which the first run builds and keeps in the
  layer's store and the second reads back; counted in the load, as PostGIS's GiST indexes are not
  counted in its queries;
- our engine (``checks.screen_sites``): 100k points with the CLI's default buffer (1000 m) and with
  ``buffer_m=0``, 10k polygons with exact overlap areas (and with 1000 m), each followed by
  ``checks.write_outputs(result, dir, formats=["csv"])``;
- whole processes on the warm cache: ``redline batch POINTS.csv --formats csv`` (``--buffer 0``, the
  targets' comparison, and the default 1000 m), ``redline batch POLYGONS.fgb --formats csv
  --buffer 0`` (overlap areas), ``redline check LON,LAT`` of one point (twice), and a bare script
  doing the least the points job needs (read the farmland from GeoParquet, one STRtree, query every
  site, write the (site, zone) pairs to CSV);
- the peers (``benchmarks/peers.py``), SedonaDB and DuckDB spatial, as whole processes in the same
  run: the points' intersecting pairs, and the polygons' pairs with geodesic overlap areas, to CSV;
  their pairs are checked against our findings.csv (and DuckDB's ellipsoidal areas to 1e-4);
- plain geopandas: ``gpd.sjoin(points, zones, predicate="intersects")`` per layer, and
  ``gpd.overlay(polygons, zones, how="intersection")`` with areas in a local Albers equal-area
  projection;
- PostGIS (``benchmarks/postgis.py``): a throwaway local cluster, every layer in one GiST-indexed
  table, ``ST_Intersects`` for the points and ``ST_Area(ST_Intersection(...)::geography)`` for the
  polygons; skipped, with how to install it, when PostgreSQL/PostGIS are not on the machine;
- with ``--dask [W]``: the points through ``redline.checks.dask_screen.screen_sites_dask`` on a local
  cluster of W single-threaded worker processes.

Then a table (phase, ours, sites/s, geopandas, PostGIS, ratios, peak memory), a table of the whole
processes beside the peers' (time, peak memory, ours / peer), the pair counts and overlap areas of
all of them (they must agree), and the targets with pass/fail.  Exit 1 when a full run misses a target.

``--province`` instead builds a province-scale set (5,000,000 parcels, ``--province-parcels N``;
built in tiles, cached) and reports its load (cold and warm), a one-point check and a 100k-point
batch with their peak memory (``benchmarks/_province.py``).

``--stream N`` instead writes an N-point CSV (in chunks, cached) and runs ``redline batch`` on it
with ``--chunk-size``, sampling the resident memory of the process (psutil, else /proc) to show it
stays flat while millions of sites stream through; it is stopped when it passes
``--stream-max-rss`` GiB.  The report gives the RSS at every tenth of the run against the sites
written so far (estimated from the growing sites.csv), the RSS at the start, middle and end of
the streaming, and the sites/s; ``--json`` keeps every sample.

Not run in CI: it takes minutes (the full run about 10–15 min on 2 cores).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GIB = 1024**3
MARK = "@@"  # phase processes report one JSON object per line after this mark

TARGETS = {
    "points_s": 2.0,  # 100k points check + CSV after load
    "cli_ratio": 3.0,  # CLI process within 3x of the bare script
    "polygons_s": 3.0,  # 10k polygons with exact areas
    "cache_load_s": 5.0,  # load from cache
    "peak_bytes": 4 * GIB,
    "postgis_factor": 5.0,  # at least 5x faster than PostGIS
    # issue 19: whole processes beside the embedded engines, in the same run
    "peer_ratio": 1.0,  # redline batch --buffer 0 / the peer's process: SedonaDB on points, DuckDB on polygons
    "buffer_ratio": 2.0,  # redline batch with the default 1000 m buffer within 2x of --buffer 0
    "batch_peak_bytes": 0.5 * GIB,  # peak RSS of redline batch --buffer 0 on the 1M-parcel set
    "check_s": 1.0,  # one-point redline check, warm, whole process, on the 1M-parcel set
}

#: The peer whose time each whole-process job is held to (the issue's targets).
PEER_TARGETS = {"points": "sedonadb", "polygons": "duckdb"}
PEER_NAMES = {"sedonadb": "SedonaDB", "duckdb": "DuckDB"}


# --------------------------------------------------------------------------- memory


def _status_kb(field: str, pid: str = "self") -> int | None:
    try:
        m = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return None
    return int(m.group(1)) if m else None


def _rss_bytes() -> int:
    """Current resident set of this process."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import psutil

        return psutil.Process().memory_info().rss


class Peak:
    """Peak resident memory of this process over a ``with`` block (GEOS and numpy included).

    Resets the kernel's high-water mark (writing 5 to ``/proc/self/clear_refs``) and reads
    ``VmHWM`` afterwards; where that is not allowed, a thread samples the RSS every 5 ms.
    """

    def __init__(self) -> None:
        self.bytes = 0
        self.exact = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Peak:
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.exact = _status_kb("VmHWM") is not None
        except OSError:
            self.exact = False
        if not self.exact:
            self.bytes = _rss_bytes()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.bytes = max(self.bytes, _rss_bytes())

    def __exit__(self, *exc) -> None:
        if self.exact:
            self.bytes = (_status_kb("VmHWM") or 0) * 1024
        else:
            self._stop.set()
            self._thread.join()
            self.bytes = max(self.bytes, _rss_bytes())


def fmt_bytes(n: float | None) -> str:
    return "" if not n else f"{n / GIB:.2f} GiB"


def fmt_s(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


# --------------------------------------------------------------------------- data


def _data_folder(n_parcels: int) -> Path:
    from benchmarks._data import build_layerset

    return build_layerset(n_parcels=n_parcels).parent


def points_csv(folder: Path, n: int, seed: int) -> Path:
    """The point sites as a CSV table (``site_id,lon,lat``), as a batch user would hand them in."""
    from benchmarks._data import point_sites

    path = folder / f"points-{n}-{seed}.csv"
    if not path.is_file():
        import shapely

        pts = point_sites(n, seed)
        xy = shapely.get_coordinates(pts.geometry.array)
        tmp = path.with_suffix(".tmp")
        import pandas as pd

        pd.DataFrame({"site_id": pts["site_id"], "lon": xy[:, 0].round(7), "lat": xy[:, 1].round(7)}).to_csv(
            tmp, index=False
        )
        os.replace(tmp, path)
    return path


def _polygon_files(folder: Path, n: int, seed: int) -> tuple[Path, Path]:
    """The polygon sites for whole processes: FlatGeobuf for ``redline batch``, GeoParquet (WKB) for the peers."""
    fgb = folder / f"polygons-{n}-{seed}.fgb"
    parquet = fgb.with_suffix(".parquet")
    if not (fgb.is_file() and parquet.is_file()):
        import pyogrio

        gdf = _sites("polygons", n, seed)
        tmp = folder / f".{fgb.stem}.tmp"
        pyogrio.write_dataframe(gdf, tmp.with_suffix(".fgb"), driver="FlatGeobuf", layer=fgb.stem)
        os.replace(tmp.with_suffix(".fgb"), fgb)  # (GDAL writes a folder for a name not ending in .fgb)
        gdf.to_parquet(tmp, index=False, geometry_encoding="WKB")
        os.replace(tmp, parquet)
    return fgb, parquet


def _farmland_parquet(folder: Path) -> Path:
    """The farmland layer as GeoParquet (``zone_id``, geometry in GeoArrow encoding), for the bare-script baseline."""
    path = folder / "farmland-geoarrow.parquet"
    if not path.is_file():
        import pyogrio

        gdf = pyogrio.read_dataframe(folder / "basic_farmland.fgb").rename(columns={"TBBH": "zone_id"})
        tmp = path.with_suffix(".tmp")
        gdf.to_parquet(tmp, index=False, geometry_encoding="geoarrow")
        os.replace(tmp, path)
    return path


def _stream_csv(folder: Path, n: int, seed: int, chunk: int = 1_000_000) -> Path:
    """An ``n``-point CSV over the benchmark square, generated chunk by chunk (never all in memory)."""
    import numpy as np

    from benchmarks._data import BOUNDS

    path = folder / f"stream-points-{n}-{seed}.csv"
    if path.is_file():
        return path
    tmp = path.with_suffix(".tmp")
    x0, y0, x1, y1 = BOUNDS
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write("site_id,lon,lat\n")
        for start in range(0, n, chunk):
            k = min(chunk, n - start)
            rng = np.random.default_rng([seed, start])
            lon = rng.uniform(x0, x1, k)
            lat = rng.uniform(y0, y1, k)
            ids = np.char.add("S", np.char.zfill(np.arange(start, start + k).astype(str), 9))
            rows = np.char.add(np.char.add(np.char.add(ids, ","), np.char.mod("%.7f", lon)), ",")
            rows = np.char.add(np.char.add(rows, np.char.mod("%.7f", lat)), "\n")
            f.write("".join(rows.tolist()))
    os.replace(tmp, path)
    return path


BARE_SCRIPT = '''\
"""Bare baseline: farmland from GeoParquet, one STRtree, every site queried, (site, zone) pairs to CSV."""
import sys

import geopandas as gpd
import pandas as pd
import shapely

farm = gpd.read_parquet(sys.argv[1])
sites = pd.read_csv(sys.argv[2], dtype={"site_id": str})
points = shapely.points(sites["lon"].to_numpy(), sites["lat"].to_numpy())
tree = shapely.STRtree(farm.geometry.array)
si, zi = tree.query(points, predicate="intersects")
pairs = pd.DataFrame({"site_id": sites["site_id"].to_numpy()[si], "zone_id": farm["zone_id"].to_numpy()[zi]})
pairs.to_csv(sys.argv[3], index=False)
print(len(pairs))
'''


# --------------------------------------------------------------------------- phases (run in child processes)


def _emit(name: str, **values) -> None:
    print(MARK + json.dumps({"name": name, **values}), flush=True)


def _sites(kind: str, n: int, seed: int):
    """The benchmark's sites; the few self-intersecting polygons ``polygon_sites`` makes (5 in 10,000: all
    twelve vertices on one side of the centre) are repaired, so every engine screens the same valid shapes."""
    import shapely

    from benchmarks._data import point_sites, polygon_sites

    gdf = point_sites(n, seed) if kind == "points" else polygon_sites(n, seed, 50.0, 500.0)
    bad = ~shapely.is_valid(gdf.geometry.array)
    if bad.any():
        gdf.loc[bad, "geometry"] = shapely.make_valid(gdf.geometry.array[bad])
    return gdf


def _cache_entries() -> int:
    """The layer stores in ``$REDLINE_CACHE_DIR`` (one folder per cached layer, see ``layers/cache.py``)."""
    folder = os.environ.get("REDLINE_CACHE_DIR")
    layers = Path(folder) / "layers" if folder else None
    if layers is None or not layers.is_dir():
        return 0
    return sum((entry / "meta.json").is_file() for entry in layers.iterdir())


def _load(manifest: str, prepare: bool = True):
    """Load the layer set and get its indexes (``prepare_layer``), as ``redline batch`` and the service do.

    A layer opened from its store reads the indexes kept there; one read from its source builds them
    and keeps them in the store it just wrote.  Returns the layer set, the seconds of both, the peak
    memory, and the seconds of the indexes alone.
    """
    from redline.checks.engine.index import prepare_layer
    from redline.layers import load_layerset

    with Peak() as peak:
        t0 = time.perf_counter()
        ls = load_layerset(manifest)
        t1 = time.perf_counter()
        for layer in ls.layers if prepare else []:
            prepare_layer(layer)
        seconds = time.perf_counter() - t0
    return ls, seconds, peak.bytes, time.perf_counter() - t1


def phase_load(p: dict) -> None:
    before = _cache_entries()
    ls, seconds, peak, prepare = _load(p["manifest"])
    features = {layer.kind: layer.n_zones for layer in ls.layers}  # (n_zones: without building the frames)
    _emit(
        "load",
        seconds=seconds,
        prepare_seconds=prepare,
        peak=peak,
        features=features,
        stored=sum(layer.store is not None for layer in ls.layers),
        cache_before=before,
        cache_after=_cache_entries(),
    )


def phase_ours(p: dict) -> None:
    from redline.checks import screen_sites, sites_from_geometries, write_outputs

    ls, seconds, peak, _ = _load(p["manifest"])
    _emit("ours_load", seconds=seconds, peak=peak)
    out = Path(p["out"])
    for kind, n, buffers in (("points", p["n_points"], (1000.0, 0.0)), ("polygons", p["n_polygons"], (0.0, 1000.0))):
        gdf = _sites(kind, n, p["seed"])
        with Peak() as peak:
            t0 = time.perf_counter()
            sites = sites_from_geometries(gdf.geometry.array, "EPSG:4490", site_ids=gdf["site_id"].tolist())
            prep = time.perf_counter() - t0
        _emit(f"ours_prepare_{kind}", seconds=prep, peak=peak.bytes, n=n)
        for buffer_m in buffers:
            with Peak() as peak:
                t0 = time.perf_counter()
                result = screen_sites(sites, ls, buffer_m=buffer_m, overlap_geometry=False)  # as --formats csv
                screen_s = time.perf_counter() - t0
            with Peak() as peak_w:
                t0 = time.perf_counter()
                write_outputs(result, out / f"{kind}-{buffer_m:.0f}", formats=["csv"])
                csv_s = time.perf_counter() - t0
            f = result.findings
            touching = f[f["relation"] != "nearby"]
            _emit(
                f"ours_{kind}_{buffer_m:.0f}",
                seconds=screen_s,
                csv_seconds=csv_s,
                peak=max(peak.bytes, peak_w.bytes),
                n=n,
                findings=len(f),
                pairs=len(touching),
                area_m2=float(touching["overlap_area_m2"].fillna(0).sum()),
                verdicts=result.verdict_counts(),
            )
            del result, f, touching
            gc.collect()
        if kind == "polygons":  # outputs that store or draw overlaps (GPKG, maps, reports) have them built
            with Peak() as peak:
                t0 = time.perf_counter()
                result = screen_sites(sites, ls, buffer_m=0.0)
                _emit("ours_polygons_0_geometry", seconds=time.perf_counter() - t0, peak=peak.bytes, n=n)
            del result
            gc.collect()


def _albers(bounds) -> str:
    lon0, lat0, lon1, lat1 = bounds
    h = (lat1 - lat0) / 6
    return (
        f"+proj=aea +lat_1={lat0 + h:.6f} +lat_2={lat1 - h:.6f} +lat_0={(lat0 + lat1) / 2:.6f} "
        f"+lon_0={(lon0 + lon1) / 2:.6f} +ellps=GRS80 +units=m +no_defs"
    )


def phase_geopandas(p: dict) -> None:
    import warnings

    import geopandas as gpd
    import pandas as pd

    ls, *_ = _load(p["manifest"], prepare=False)
    zones = [(layer.kind, layer.gdf[["zone_id", "geometry"]]) for layer in ls.layers]
    out = Path(p["out"])
    out.mkdir(parents=True, exist_ok=True)
    points = _sites("points", p["n_points"], p["seed"])
    with Peak() as peak:
        t0 = time.perf_counter()
        parts = [gpd.sjoin(points, z, predicate="intersects").assign(kind=kind) for kind, z in zones]
        pairs = pd.concat(parts, ignore_index=True)
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        pairs[["site_id", "kind", "zone_id"]].to_csv(out / "points.csv", index=False)
        csv_s = time.perf_counter() - t0
    _emit("gpd_points_0", seconds=seconds, csv_seconds=csv_s, peak=peak.bytes, pairs=len(pairs))
    del parts, pairs
    gc.collect()
    polygons = _sites("polygons", p["n_polygons"], p["seed"])
    from benchmarks._data import BOUNDS

    equal_area = _albers(BOUNDS)
    with Peak() as peak, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        parts = []
        for kind, z in zones:
            inter = gpd.overlay(polygons, z, how="intersection", keep_geom_type=True)
            inter["area_m2"] = inter.geometry.to_crs(equal_area).area
            parts.append(pd.DataFrame(inter.drop(columns="geometry")).assign(kind=kind))
        pairs = pd.concat(parts, ignore_index=True)
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        pairs[["site_id", "kind", "zone_id", "area_m2"]].to_csv(out / "polygons.csv", index=False)
        csv_s = time.perf_counter() - t0
    _emit(
        "gpd_polygons_0",
        seconds=seconds,
        csv_seconds=csv_s,
        peak=peak.bytes,
        pairs=len(pairs),
        area_m2=float(pairs["area_m2"].sum()),
    )


def phase_postgis(p: dict) -> None:
    from benchmarks.postgis import POINTS_SQL, POLYGONS_SQL, ThrowawayCluster, find_postgres, load_sites, load_zones

    pg = find_postgres()
    ls, *_ = _load(p["manifest"], prepare=False)
    points = _sites("points", p["n_points"], p["seed"])
    polygons = _sites("polygons", p["n_polygons"], p["seed"])
    with ThrowawayCluster(pg) as db:
        _emit("pg_start", seconds=db.started_s, version=pg.message)
        t = load_zones(db, ls)
        _emit("pg_load_zones", seconds=t["copy_s"] + t["index_s"], **t)
        t = load_sites(db, "pts", points)
        t2 = load_sites(db, "polys", polygons)
        _emit("pg_load_sites", seconds=t["copy_s"] + t["index_s"] + t2["copy_s"] + t2["index_s"])
        seconds, _ = db.timed(POINTS_SQL.format(sites="pts"))
        pairs = int(db.psql("SELECT count(*) FROM r_pts"))
        _emit("pg_points_0", seconds=seconds, pairs=pairs)
        seconds, _ = db.timed(POLYGONS_SQL.format(sites="polys"))
        row = db.psql("SELECT count(*) FILTER (WHERE area_m2 > 0), sum(area_m2) FROM r_polys").strip().split("|")
        _emit("pg_polygons_0", seconds=seconds, pairs=int(row[0]), area_m2=float(row[1] or 0))


def _worker_hwm() -> int:
    return (_status_kb("VmHWM") or 0) * 1024


def phase_dask(p: dict) -> None:
    from distributed import Client, LocalCluster

    from redline.checks import sites_from_geometries
    from redline.checks.dask_screen import screen_sites_dask
    from redline.layers import load_layerset

    ls = load_layerset(p["manifest"])
    t0 = time.perf_counter()
    with (
        LocalCluster(n_workers=p["workers"], threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        gdf = _sites("points", p["n_points"], p["seed"])
        sites = sites_from_geometries(gdf.geometry.array, "EPSG:4490", site_ids=gdf["site_id"].tolist())
        screen_sites_dask(sites.iloc[:10], ls, scheduler=client)  # the workers load the layers
        _emit("dask_start", seconds=time.perf_counter() - t0, workers=p["workers"])
        for buffer_m in (1000.0, 0.0):
            t0 = time.perf_counter()
            result = screen_sites_dask(sites, ls, scheduler=client, buffer_m=buffer_m)
            seconds = time.perf_counter() - t0
            workers = client.run(_worker_hwm)
            _emit(
                f"dask_points_{buffer_m:.0f}",
                seconds=seconds,
                n=len(sites),
                findings=len(result.findings),
                worker_peaks=sorted(workers.values()),
            )
            del result
            gc.collect()


PHASES = {
    "load": phase_load,
    "ours": phase_ours,
    "geopandas": phase_geopandas,
    "postgis": phase_postgis,
    "dask": phase_dask,
}


# --------------------------------------------------------------------------- the parent process


def run_phase(name: str, params: dict, env: dict, results: dict, say) -> int:
    """Run one phase in a child process, collecting its reports into ``results``; return its exit code.

    (A phase measures its own peaks, sub-phase by sub-phase: see :class:`Peak`.)
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--params", json.dumps(params)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    for line in proc.stdout:
        if line.startswith(MARK):
            item = json.loads(line[len(MARK) :])
            results[item["name"]] = item
            say(
                f"  {item['name']:<22} {fmt_s(item.get('seconds'))}"
                + (f"  + csv {fmt_s(item['csv_seconds'])}" if "csv_seconds" in item else "")
                + (f"  peak {fmt_bytes(item['peak'])}" if item.get("peak") else "")
            )
        else:
            sys.stdout.write(line)
    code = proc.wait()
    if code:
        say(f"  phase {name} failed (exit {code})")
    return code


def _timed_process(cmd: list[str], env: dict) -> dict:
    """Run a whole program: wall time (start-up included), exit code, its own peak RSS, output.

    Through :func:`benchmarks.peers.run_measured`, so that the peak is the program's own, not this
    process's (which a child's ``ru_maxrss`` would otherwise start from).
    """
    from benchmarks.peers import run_measured

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        code, seconds, peak = run_measured(cmd, env=env, cwd=ROOT, stdout=out, stderr=err)
        out.seek(0)
        err.seek(0)
        return {
            "seconds": seconds,
            "code": code,
            "peak": peak,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }


def _redline() -> list[str]:
    script = Path(sys.executable).parent / "redline"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "redline.checks.app.cli"]


def _rows_in(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
    )
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a and b else ""


Check = tuple[str, "bool | None", str]


def _row(label, ours=None, n=None, gp=None, pg=None, peak=None, ratio_label=None) -> list[str]:
    """One row of the main table: ours, sites/s, geopandas, PostGIS, their ratios to ours, our peak."""
    return [
        label,
        fmt_s(ours),
        f"{n / ours:,.0f}" if n and ours else "",
        fmt_s(gp) if gp is not None else "—",
        fmt_s(pg) if pg is not None else "—",
        ratio_label if ratio_label is not None else _ratio(gp, ours),
        _ratio(pg, ours),
        fmt_bytes(peak),
    ]


def _engine_rows(r: dict, n_pts: int, n_pol: int) -> list[list[str]]:
    """The in-process rows: loading, our screens, and the same work in geopandas, PostGIS and Dask."""
    get = lambda name, key="seconds": r.get(name, {}).get(key)  # noqa: E731
    cold, warm = r.get("load_cold", {}), r.get("load_warm", {})
    cache_note = "" if warm.get("cache_after") else " (cache not used: no entries)"
    p1000, p0 = r.get("ours_points_1000", {}), r.get("ours_points_0", {})
    gp0, pg0 = r.get("gpd_points_0", {}), r.get("pg_points_0", {})
    q0, gq0, pq0 = r.get("ours_polygons_0", {}), r.get("gpd_polygons_0", {}), r.get("pg_polygons_0", {})
    qg, q1000 = r.get("ours_polygons_0_geometry", {}), r.get("ours_polygons_1000", {})
    rows = [
        _row("load layer set, 1st run (empty cache: sources → stores)", cold.get("seconds"), peak=cold.get("peak")),
        _row(f"load layer set, 2nd run (opens the stores){cache_note}", warm.get("seconds"), peak=warm.get("peak")),
        _row("    of which the engine's indexes (prepare_layer: kept in the stores)", warm.get("prepare_seconds")),
        _row(f"prepare {n_pts:,} point sites (sites_from_geometries)", get("ours_prepare_points"), n_pts),
        _row(f"{n_pts:,} points, buffer 1000 m: screen", p1000.get("seconds"), n_pts, peak=p1000.get("peak")),
        _row("    + sites.csv, findings.csv", p1000.get("csv_seconds")),
        _row(
            f"{n_pts:,} points, buffer 0: screen | sjoin | ST_Intersects",
            *(p0.get("seconds"), n_pts, gp0.get("seconds"), pg0.get("seconds")),
            peak=p0.get("peak"),
        ),
        _row("    + CSV", p0.get("csv_seconds"), gp=gp0.get("csv_seconds")),
        _row(f"prepare {n_pol:,} polygon sites", get("ours_prepare_polygons"), n_pol),
        _row(
            f"{n_pol:,} polygons, exact areas: screen | overlay+area | ST_Area",
            *(q0.get("seconds"), n_pol, gq0.get("seconds"), pq0.get("seconds")),
            peak=q0.get("peak"),
        ),
        _row("    + CSV", q0.get("csv_seconds"), gp=gq0.get("csv_seconds")),
        _row("    the same, overlap polygons built too (GPKG, maps)", qg.get("seconds"), n_pol, peak=qg.get("peak")),
        _row(f"{n_pol:,} polygons, buffer 1000 m: screen", q1000.get("seconds"), n_pol, peak=q1000.get("peak")),
        _row("    + CSV", q1000.get("csv_seconds")),
    ]
    for buffer_m in ("1000", "0"):
        d = r.get(f"dask_points_{buffer_m}")
        if d:
            label = f"{n_pts:,} points, buffer {buffer_m} m: dask, {r['dask_start']['workers']} workers"
            rows.append(_row(label, d["seconds"], n_pts, peak=sum(d.get("worker_peaks") or []) or None, ratio_label=""))
    return rows


def _process_rows(r: dict, n_pts: int, n_pol: int) -> list[list[str]]:
    """The whole-process rows (start-up, reading, screening, CSV): the bare script and our CLI."""
    bare, cli0, cli, poly = r.get("bare", {}), r.get("cli_0", {}), r.get("cli_1000", {}), r.get("cli_polygons_0", {})
    versus_bare = lambda d: f"{_ratio(d.get('seconds'), bare.get('seconds'))} bare" if bare else ""  # noqa: E731
    first, check = r.get("check_first", {}), r.get("check", {})
    return [
        [""] * 8,
        _row(f"bare script ({n_pts:,} points, farmland only)", bare.get("seconds"), n_pts, peak=bare.get("peak")),
        _row(
            "redline batch POINTS --buffer 0 (warm cache)",
            *(cli0.get("seconds"), n_pts),
            peak=cli0.get("peak"),
            ratio_label=versus_bare(cli0),
        ),
        _row(
            "redline batch POINTS (default buffer 1000 m)",
            *(cli.get("seconds"), n_pts),
            peak=cli.get("peak"),
            ratio_label=versus_bare(cli),
        ),
        _row("redline batch POLYGONS --buffer 0 (areas)", poly.get("seconds"), n_pol, peak=poly.get("peak")),
        _row("redline check LON,LAT: one point, 1st run", first.get("seconds"), peak=first.get("peak")),
        _row("    2nd run (warm)", check.get("seconds"), peak=check.get("peak")),
    ]


def _peer_table(r: dict, n_pts: int, n_pol: int) -> str:
    """Our whole ``redline batch`` processes beside the peers' (same jobs, same run), with ours/peer."""
    from benchmarks.peers import PEERS

    jobs = (
        ("points", "cli_0", f"{n_pts:,} points: intersecting pairs"),
        ("polygons", "cli_polygons_0", f"{n_pol:,} polygons: pairs, geodesic overlap areas"),
    )
    rows = []
    for job, ours_key, label in jobs:
        ours = r.get(ours_key, {})
        row = [label, fmt_s(ours.get("seconds")), fmt_bytes(ours.get("peak"))]
        for peer in PEERS:
            p = r.get(f"{peer}_{job}", {})
            row += [fmt_s(p.get("seconds")) if p.get("seconds") else "skipped", fmt_bytes(p.get("peak"))]
        for peer in PEERS:
            p = r.get(f"{peer}_{job}", {})
            mine, theirs = ours.get("seconds"), p.get("seconds")
            row.append(f"{mine / theirs:.2f}" if mine and theirs and not ours.get("code") else "")
        rows.append(row)
    names = [PEER_NAMES[p] for p in PEERS]
    header = ["whole process, CSV out, --buffer 0", "redline batch", "peak", *[x for n in names for x in (n, "peak")]]
    return table(rows, header + [f"ours/{n}" for n in names])


def _same_work(r: dict) -> list[str]:
    """Do the engines find the same pairs (and areas)?  One line per job."""
    from benchmarks.peers import ELLIPSOIDAL, PEERS

    p0, gp0, pg0, bare = (r.get(k, {}) for k in ("ours_points_0", "gpd_points_0", "pg_points_0", "bare"))
    q0, gq0, pq0 = (r.get(k, {}) for k in ("ours_polygons_0", "gpd_polygons_0", "pg_polygons_0"))
    lines = [
        "\nsame work? touching (site, zone) pairs and Σ overlap area, all layers:",
        f"  points, buffer 0:  ours {p0.get('pairs', '—')}  geopandas {gp0.get('pairs', '—')}  "
        f"PostGIS {pg0.get('pairs', '—')}  (bare script, farmland only: {bare.get('pairs', '—')})",
        f"  polygons, buffer 0: ours {q0.get('pairs', '—')}  geopandas {gq0.get('pairs', '—')}  "
        f"PostGIS {pq0.get('pairs', '—')} (area > 0)",
    ]
    areas = [(k, d.get("area_m2")) for k, d in (("ours", q0), ("geopandas", gq0), ("PostGIS", pq0)) if d]
    if areas and q0.get("area_m2"):
        ref = q0["area_m2"]
        lines.append(
            "  Σ area: " + ", ".join(f"{k} {a / 1e6:,.4f} km² ({(a - ref) / ref:+.1e})" for k, a in areas if a)
        )
    for job in ("points", "polygons"):
        said = []
        for peer in PEERS:
            same = r.get(f"{peer}_{job}", {}).get("same")
            if same:
                said.append(f"{PEER_NAMES[peer]} {_pairs_note(same, peer in ELLIPSOIDAL)}")
        if said:
            ours = next(r[f"{p}_{job}"]["same"]["ours"] for p in PEERS if r.get(f"{p}_{job}", {}).get("same"))
            lines.append(f"  {job}, whole processes: redline batch {ours:,} pairs; " + "; ".join(said))
    return lines


def _pairs_note(same: dict, ellipsoidal: bool) -> str:
    """``100,000 pairs (the same)``, or what differs; with the areas when the peer's are ellipsoidal."""
    differ = same["only_ours"] or same["only_peer"]
    note = f"{same['peer']:,} pairs " + (
        f"({same['only_ours']:,} only ours, {same['only_peer']:,} only theirs)" if differ else "(the same)"
    )
    if "area_rel" in same:
        kind = f"{same['area_off']:,} pairs off by > 1e-4" if ellipsoidal else "spherical, not compared"
        note += f", Σ area {same['area_peer'] / 1e6:,.4f} km² ({same['area_rel']:.1e} from ours; {kind})"
    return note


def _engine_checks(r: dict, n_pts: int, n_pol: int) -> list[Check]:
    """The in-process targets: screening times, the load from the cache, memory, PostGIS."""
    p0, p1000, q0, warm = (r.get(k, {}) for k in ("ours_points_0", "ours_points_1000", "ours_polygons_0", "load_warm"))
    checks = []
    for label, d in (("buffer 0: the work of the bare script, sjoin and ST_Intersects", p0), ("buffer 1000 m", p1000)):
        t_pts = (d.get("seconds") or 0) + (d.get("csv_seconds") or 0) if d else None
        name = f"{n_pts:,} points check + CSV after load, {label} < {TARGETS['points_s']:.0f} s"
        checks.append((name, None if t_pts is None else t_pts < TARGETS["points_s"], fmt_s(t_pts)))
    name = f"{n_pol:,} polygons with exact areas < {TARGETS['polygons_s']:.0f} s"
    checks.append((name, None if not q0 else q0["seconds"] < TARGETS["polygons_s"], fmt_s(q0.get("seconds"))))
    if warm:
        used = bool(warm.get("cache_after"))
        value = fmt_s(warm["seconds"]) + ("" if used else " (the cache was not used)")
        checks.append(
            (
                f"load from cache < {TARGETS['cache_load_s']:.0f} s",
                warm["seconds"] < TARGETS["cache_load_s"] and used,
                value,
            )
        )
    peaks = {k: v.get("peak") for k, v in r.items() if k.startswith(("ours", "load", "cli")) and v.get("peak")}
    if peaks:
        worst = max(peaks, key=peaks.get)
        name = f"peak memory < {TARGETS['peak_bytes'] / GIB:.0f} GiB (our processes)"
        checks.append((name, peaks[worst] < TARGETS["peak_bytes"], f"{fmt_bytes(peaks[worst])} ({worst})"))
    for label, ours_d, pg_d in (("points", p0, r.get("pg_points_0")), ("polygons", q0, r.get("pg_polygons_0"))):
        name = f"{label}: ≥{TARGETS['postgis_factor']:.0f}× faster than PostGIS"
        if pg_d and ours_d:
            f = pg_d["seconds"] / ours_d["seconds"]
            checks.append(
                (
                    name,
                    f >= TARGETS["postgis_factor"],
                    f"{f:.1f}× ({fmt_s(ours_d['seconds'])} vs {fmt_s(pg_d['seconds'])})",
                )
            )
        else:
            checks.append((name, None, "not measured"))
    return checks


def _times_within(name: str, a: dict, b: dict, limit: float, fmt: str = "{:.2f}") -> Check:
    """A check that process ``a`` took at most ``limit`` times as long as process ``b``."""
    if not (a.get("seconds") and b.get("seconds")) or a.get("code") or b.get("code"):
        return name, None, b.get("skipped") or "not measured"
    q = a["seconds"] / b["seconds"]
    return name, q <= limit, f"{fmt.format(q)} ({fmt_s(a['seconds'])} vs {fmt_s(b['seconds'])})"


def _process_checks(r: dict, n_pts: int, n_pol: int) -> list[Check]:
    """The whole-process targets of issue 19: the peers, the buffer, memory, one point, the same pairs."""
    from benchmarks.peers import AREA_RTOL, ELLIPSOIDAL, PEERS

    cli0, cli1000, poly, check = (r.get(k, {}) for k in ("cli_0", "cli_1000", "cli_polygons_0", "check"))
    limit = TARGETS["peer_ratio"]
    checks = [
        _times_within(
            f"{n_pts:,} points: redline batch --buffer 0 / the SedonaDB process ≤ {limit:.1f}",
            *(cli0, r.get("sedonadb_points", {}), limit),
        ),
        _times_within(
            f"{n_pol:,} polygons with geodesic areas: redline batch --buffer 0 / the DuckDB process ≤ {limit:.1f}",
            *(poly, r.get("duckdb_polygons", {}), limit),
        ),
        _times_within(
            f"redline batch with the default 1000 m buffer within {TARGETS['buffer_ratio']:.0f}× of --buffer 0",
            *(cli1000, cli0, TARGETS["buffer_ratio"]),
            fmt="{:.2f}×",
        ),
    ]
    if cli0.get("peak"):
        name = f"peak RSS of redline batch --buffer 0 < {TARGETS['batch_peak_bytes'] / GIB:.1f} GiB (1M parcels)"
        checks.append((name, cli0["peak"] < TARGETS["batch_peak_bytes"], fmt_bytes(cli0["peak"])))
    if check.get("seconds") and not check.get("code"):
        name = f"one-point redline check, warm, < {TARGETS['check_s']:.1f} s (1M parcels)"
        checks.append((name, check["seconds"] < TARGETS["check_s"], fmt_s(check["seconds"])))
    for peer in PEERS:
        for job in ("points", "polygons"):
            same = r.get(f"{peer}_{job}", {}).get("same")
            if same:
                ok = not (same["only_ours"] or same["only_peer"])
                if peer in ELLIPSOIDAL and "area_rel" in same:
                    ok = ok and same["area_off"] == 0 and same["area_rel"] <= AREA_RTOL
                what = f"{job}: the same pairs as {PEER_NAMES[peer]}" + (
                    f" (areas within {AREA_RTOL:.0e})" if peer in ELLIPSOIDAL and job == "polygons" else ""
                )
                checks.append((what, ok, _pairs_note(same, peer in ELLIPSOIDAL)))
    return checks


def checks_text(checks: list[Check], note: str = "") -> list[str]:
    """The targets' lines: PASS, FAIL or — (not measured), what, and the figure."""
    lines = ["\ntargets" + note]
    for label, ok, value in checks:
        mark = "—   " if ok is None else ("PASS" if ok else "FAIL")
        lines.append(f"  {mark}  {label}: {value}")
    return lines


def report(r: dict, args, sizes: dict) -> tuple[str, list[Check]]:
    """Build the printed tables and the target checks from the collected results."""
    n_pts, n_pol = sizes["points"], sizes["polygons"]
    header = ["phase", "ours", "sites/s", "geopandas", "PostGIS", "gpd/ours", "PG/ours", "peak RSS"]
    text = [table(_engine_rows(r, n_pts, n_pol) + _process_rows(r, n_pts, n_pol), header)]
    if any(k.startswith("dask_points") for k in r):
        text.append("(dask rows: wall time on the client; peak RSS summed over the worker processes)")
    text.append("\nwhole processes beside the embedded engines, same run (peak RSS: each process's own, from wait4):")
    text.append(_peer_table(r, n_pts, n_pol))
    text.extend(f"  {PEER_NAMES[k.split('_')[0]]} skipped: {v['skipped']}" for k, v in r.items() if _peer_skipped(k, v))
    text.extend(_same_work(r))
    if r.get("pg_load_zones"):
        text.append(
            f"\nPostGIS: {r.get('pg_start', {}).get('version', '')}; loading the layers took "
            f"{r['pg_load_zones']['copy_s']:.0f} s + {r['pg_load_zones']['index_s']:.0f} s GiST (not in the table)"
        )
    cli0, bare = r.get("cli_0", {}), r.get("bare", {})
    checks = _engine_checks(r, n_pts, n_pol)
    checks.insert(
        2,
        _times_within(
            f"CLI (--buffer 0, warm cache) within {TARGETS['cli_ratio']:.0f}× of the bare script",
            cli0,
            bare,
            TARGETS["cli_ratio"],
            "{:.1f}×",
        ),
    )
    checks += _process_checks(r, n_pts, n_pol)
    note = " (quick run: the targets are for the full size; for reference)" if args.quick else ""
    text.extend(checks_text(checks, note))
    return "\n".join(text), checks


def _peer_skipped(key: str, value: dict) -> bool:
    """True for a peer's points entry that was skipped (one note per peer)."""
    return key.endswith("_points") and key.split("_")[0] in PEER_NAMES and bool(value.get("skipped"))


def _say(text: str = "") -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------- whole processes


def run_loads(params: dict, env: dict, results: dict, say) -> None:
    """Load the layer set twice in a fresh cache: ``load_cold`` (from the sources) and ``load_warm`` (stores)."""
    for label in ("load_cold", "load_warm"):
        say(f"[{label}]")
        sub: dict[str, dict] = {}
        run_phase("load", params, env, sub, say)
        if "load" in sub:
            results[label] = sub["load"]


def run_batch(sites: Path, manifest: Path, out: Path, buffer_m: str, n: int, env: dict, say) -> dict:
    """Time one whole ``redline batch SITES --formats csv --buffer B`` process; check every site is in sites.csv."""
    cmd = [*_redline(), "batch", str(sites), "--layers", str(manifest), "--out", str(out)]
    c = _timed_process([*cmd, "--formats", "csv", "--buffer", buffer_m, "--quiet"], env)
    if c["code"]:
        say(f"  redline batch failed (exit {c['code']}): {c['stderr'].strip()[-1000:]}")
    elif (rows := _rows_in(out / "sites.csv")) != n:
        say(f"  sites.csv has {rows} rows, expected {n}")
    say(f"  redline batch {sites.name} --buffer {buffer_m:<5} {fmt_s(c['seconds'])}  peak {fmt_bytes(c['peak'])}")
    return c


def check_point() -> str:
    """The one site of the one-point check: ``LON,LAT`` of the middle of the benchmark square."""
    from benchmarks._data import BOUNDS

    x0, y0, x1, y1 = BOUNDS
    return f"{(x0 + x1) / 2:.6f},{(y0 + y1) / 2:.6f}"


def run_check(manifest: Path, env: dict, say, runs: int = 2) -> list[dict]:
    """Time ``runs`` whole ``redline check LON,LAT`` processes of one point (the last one is the warm figure)."""
    cmd = [*_redline(), "check", check_point(), "--layers", str(manifest), "--quiet"]
    out = []
    for k in range(runs):
        c = _timed_process(cmd, env)
        if c["code"]:
            say(f"  redline check failed (exit {c['code']}): {c['stderr'].strip()[-1000:]}")
        say(f"  redline check {check_point()} (run {k + 1})  {fmt_s(c['seconds'])}  peak {fmt_bytes(c['peak'])}")
        out.append(c)
    return out


def _run_bare(data: dict, work: Path, env: dict, results: dict, say) -> None:
    say("[bare script]")
    script = work / "bare_script.py"
    script.write_text(BARE_SCRIPT)
    cmd = [sys.executable, str(script), str(data["farmland"]), str(data["points_csv"]), str(work / "bare.csv")]
    b = _timed_process(cmd, env)
    if b["code"] == 0:
        b["pairs"] = int(b["stdout"].strip() or 0)
    results["bare"] = b
    say(f"  bare script            {fmt_s(b['seconds'])}  peak {fmt_bytes(b['peak'])}")


def _run_cli(data: dict, work: Path, env: dict, results: dict, say) -> None:
    """Our whole processes on the warm cache: the batches the targets time, and a one-point check."""
    say("[whole processes, warm cache: redline batch --formats csv, redline check]")
    manifest, n_pts = data["manifest"], data["n_points"]
    for buffer_m in ("0", "1000"):
        out = work / f"cli-points-{buffer_m}"
        results[f"cli_{buffer_m}"] = run_batch(data["points_csv"], manifest, out, buffer_m, n_pts, env, say)
    out = work / "cli-polygons-0"
    results["cli_polygons_0"] = run_batch(data["polygons_fgb"], manifest, out, "0", data["n_polygons"], env, say)
    results["check_first"], results["check"] = run_check(manifest, env, say)


def _run_peers(data: dict, work: Path, results: dict, say) -> None:
    """The embedded engines' whole processes on the same jobs; their pairs checked against ours."""
    from dataclasses import asdict

    from benchmarks.peers import PEERS, available, compare_pairs, read_pairs, run_peer

    say("[peers: SedonaDB, DuckDB spatial, whole processes]")
    why = available()
    jobs = {
        "points": (data["points_csv"], work / "cli-points-0" / "findings.csv"),
        "polygons": (data["polygons_parquet"], work / "cli-polygons-0" / "findings.csv"),
    }
    for job, (sites, findings) in jobs.items():
        ours = read_pairs(findings, findings=True) if findings.is_file() else None
        for peer in PEERS:
            if why[peer]:
                results[f"{peer}_{job}"] = {"skipped": why[peer]}
                continue
            out = work / f"{peer}-{job}.csv"
            run = asdict(run_peer(peer, job, data["zones_parquet"], sites, out))
            if not run["skipped"] and ours is not None:
                run["same"] = compare_pairs(ours, read_pairs(out))
            results[f"{peer}_{job}"] = run
            state = run["skipped"] or f"{fmt_s(run['seconds'])}  peak {fmt_bytes(run['peak'])}"
            say(f"  {PEER_NAMES[peer]:<9} {job:<9} {state}")
    for peer in PEERS:
        if why[peer]:
            say(f"  {PEER_NAMES[peer]} skipped: {why[peer]}")


def _benchmark_data(args, say) -> dict:
    """Build (or reuse, from ``benchmarks/.data/``) the run's layer set and sites; return sizes and paths."""
    import platform

    import shapely

    from benchmarks.peers import available, zones_parquet

    n_parcels = 100_000 if args.quick else args.parcels
    n_points = args.sites or (10_000 if args.quick else 100_000)
    n_polygons = args.polygons or max(1, n_points // 10)
    t0 = time.perf_counter()
    folder = _data_folder(n_parcels)
    data = {"folder": folder, "manifest": folder / "layerset.yaml", "n_points": n_points, "n_polygons": n_polygons}
    data["points_csv"] = points_csv(folder, n_points, args.seed)
    data["farmland"] = _farmland_parquet(folder)
    data["polygons_fgb"], data["polygons_parquet"] = _polygon_files(folder, n_polygons, args.seed)
    if not all(available().values()):  # some peer can run: every layer in one GeoParquet table for it
        data["zones_parquet"] = zones_parquet(data["manifest"], folder / "zones-wkb.parquet")
    say(
        f"data: {folder} ({n_parcels:,} parcels; {n_points:,} points; {n_polygons:,} polygons; "
        f"ready in {time.perf_counter() - t0:.1f} s)"
    )
    say(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string})"
    )
    return data


def run_env(work: Path) -> dict:
    """The environment of every process of a run: its own, fresh layer cache."""
    env = dict(os.environ, REDLINE_CACHE_DIR=str(work / "cache"), PYTHONPATH=str(ROOT))
    env.pop("REDLINE_NO_CACHE", None)
    return env


def _run_others(args, params: dict, work: Path, env: dict, results: dict, say) -> None:
    """The in-process columns: plain geopandas, Dask (``--dask``), PostGIS."""
    if not args.no_geopandas:
        say("[geopandas]")
        run_phase("geopandas", {**params, "out": str(work / "gpd")}, env, results, say)
    if args.dask:
        say(f"[dask: local cluster of {args.dask} worker processes]")
        run_phase("dask", {**params, "workers": args.dask}, env, results, say)
    if not args.no_postgis:
        from benchmarks.postgis import find_postgres

        pg = find_postgres()
        say("[PostGIS]")
        if pg.ok:
            run_phase("postgis", params, env, results, say)
        else:
            say(f"  skipped: {pg.message}")


@contextlib.contextmanager
def run_folder(parent: Path, prefix: str, keep: bool, say):
    """A fresh folder for a run's outputs and layer cache, removed afterwards unless ``keep``."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield work
    finally:
        if keep:
            say(f"outputs and layer cache kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def write_json(path: str, sizes: dict, results: dict) -> None:
    """Keep a run's raw figures (``--json``), without the processes' output."""
    slim = {k: {kk: vv for kk, vv in v.items() if kk not in ("stdout", "stderr")} for k, v in results.items()}
    Path(path).write_text(json.dumps({"sizes": sizes, "results": slim}, indent=1, default=str))


def main_benchmark(args) -> int:
    say = _say
    data = _benchmark_data(args, say)
    params = {
        "manifest": str(data["manifest"]),
        "n_points": data["n_points"],
        "n_polygons": data["n_polygons"],
        "seed": args.seed,
    }
    results: dict[str, dict] = {}
    with run_folder(data["folder"], "run-", args.keep, say) as work:
        env = run_env(work)
        run_loads(params, env, results, say)
        say("[ours]")
        run_phase("ours", {**params, "out": str(work / "ours")}, env, results, say)
        _run_bare(data, work, env, results, say)
        _run_cli(data, work, env, results, say)
        _run_peers(data, work, results, say)
        _run_others(args, params, work, env, results, say)
    say()
    text, checks = report(results, args, {"points": data["n_points"], "polygons": data["n_polygons"]})
    say(text)
    if args.json:
        write_json(args.json, params, results)
    failed = [c for c in checks if c[1] is False]
    return 1 if failed and not args.quick else 0


# --------------------------------------------------------------------------- streaming


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and its children (psutil when available, else /proc)."""
    try:
        import psutil

        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total
    except ImportError:
        kb = _status_kb("VmRSS", str(pid))
        return (kb or 0) * 1024
    except Exception:
        return 0


def _written_bytes(folder: Path) -> int:
    """Bytes of sites.csv written so far (the streamed table grows under a temporary name, then is moved)."""
    total = 0
    for path in [*folder.glob(".sites.csv.*"), folder / "sites.csv"]:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def _nearest(samples: list[tuple], key: int, value: float) -> tuple:
    return min(samples, key=lambda s: abs(s[key] - value))


def _stream_report(samples: list[tuple[float, int, int]], seconds: float, n: int, final_bytes: int, say) -> dict:
    """Print the RSS curve against time and against sites written; return it for --json.

    ``final_bytes`` is the size of the finished sites.csv (0 when the run did not finish).
    """
    rss = [s[1] for s in samples]
    peak = max(rss)
    curve = []
    say("  RSS over the run (sites: estimated from the bytes of sites.csv written so far):")
    say(f"  {'time':>8} {'% of run':>8} {'sites':>12} {'RSS GiB':>8}")
    for pct in range(0, 101, 10):
        t, r, b = _nearest(samples, 0, seconds * pct / 100)
        sites = round(n * b / final_bytes) if final_bytes else None
        curve.append({"pct_time": pct, "t_s": round(t, 1), "sites": sites, "rss_bytes": r})
        say(f"  {t:7.0f}s {pct:7d}% {sites if sites is not None else '—':>12,} {r / GIB:8.2f}")
    report = {"samples": len(samples), "wall_s": round(seconds, 1), "peak_rss_bytes": peak, "curve": curve}
    streaming = [s for s in samples if s[1] > 0 and s[2] > 0]  # the first chunk is out, the process alive
    if final_bytes and streaming:
        # by sites written: the first sample after the first chunk, the one nearest half-way, the last one
        start, middle, end = streaming[0], _nearest(streaming, 2, final_bytes * 0.5), streaming[-1]
        flowing = [s[1] for s in streaming]
        report.update(
            start_rss_bytes=start[1],
            middle_rss_bytes=middle[1],
            end_rss_bytes=end[1],
            max_streaming_rss_bytes=max(flowing),
            min_streaming_rss_bytes=min(flowing),
        )
        say(
            f"  RSS once sites flow: start {start[1] / GIB:.2f} GiB (t={start[0]:.0f} s), middle "
            f"{middle[1] / GIB:.2f} GiB (t={middle[0]:.0f} s), end {end[1] / GIB:.2f} GiB (t={end[0]:.0f} s); "
            f"min {min(flowing) / GIB:.2f}, max {max(flowing) / GIB:.2f} GiB"
        )
    return report


def main_stream(args) -> int:
    say = lambda s="": print(s, flush=True)  # noqa: E731
    n = args.stream
    n_parcels = 100_000 if args.quick else args.parcels
    t0 = time.perf_counter()
    folder = _data_folder(n_parcels)
    manifest = folder / "layerset.yaml"
    say(f"layer set: {manifest}")
    csv = _stream_csv(folder, n, args.seed)
    say(f"sites: {csv} ({n:,} points, {csv.stat().st_size / 1e9:.2f} GB; ready in {time.perf_counter() - t0:.0f} s)")
    help_text = subprocess.run([*_redline(), "batch", "--help"], capture_output=True, text=True).stdout
    if "--chunk-size" not in help_text:
        say("redline batch has no --chunk-size option: it does not stream yet; not run")
        return 1
    work = Path(tempfile.mkdtemp(prefix="stream-", dir=folder))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if args.cache_dir:
        env["REDLINE_CACHE_DIR"] = args.cache_dir
    cmd = [
        *_redline(),
        "batch",
        str(csv),
        "--layers",
        str(manifest),
        "--out",
        str(work / "out"),
        "--formats",
        "csv",
        "--buffer",
        str(args.stream_buffer),
        "--chunk-size",
        str(args.chunk_size),
        "--quiet",
    ]
    say("running: " + " ".join(cmd))
    limit = args.stream_max_rss * GIB
    samples: list[tuple[float, int, int]] = []  # (seconds, RSS, bytes of sites.csv written)
    stopped = ""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT, start_new_session=True
    )

    def stop() -> None:  # the CLI and whatever it started (e.g. a local Dask cluster): its own process group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)

    err_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    next_print = 0.0
    try:
        while proc.poll() is None:
            now = time.perf_counter() - t0
            rss = _tree_rss(proc.pid)
            samples.append((now, rss, _written_bytes(work / "out")))
            if rss > limit:
                stopped = (
                    f"stopped: resident memory {rss / GIB:.1f} GiB passed --stream-max-rss {args.stream_max_rss} GiB"
                )
                stop()
                break
            if args.stream_timeout and now > args.stream_timeout:
                stopped = f"stopped: over --stream-timeout {args.stream_timeout:.0f} s"
                stop()
                break
            if now >= next_print:
                say(f"  t={now:7.0f} s  rss {rss / GIB:6.2f} GiB  sites.csv {samples[-1][2] / 1e6:8.1f} MB")
                next_print += args.stream_report
            time.sleep(args.stream_interval)
    except BaseException:
        stop()
        raise
    finally:
        proc.wait()
        reader.join()
    seconds = time.perf_counter() - t0
    final_bytes = _written_bytes(work / "out") if not stopped and proc.returncode == 0 else 0
    say()
    if stopped:
        say(stopped)
    elif proc.returncode:
        say(f"redline batch failed (exit {proc.returncode}): {b''.join(err_chunks).decode(errors='replace')[-2000:]}")
    if samples:
        rss = [s[1] for s in samples]
        times = [s[0] for s in samples]
        peak = max(rss)
        rate = "" if stopped or proc.returncode else f" ({n / seconds:,.0f} sites/s)"
        say(f"wall {seconds:.0f} s{rate}; peak RSS {peak / GIB:.2f} GiB; samples {len(rss)}")
        # flat: once the layers are in and the first chunks through (the first quarter of the run),
        # the peak of the last part is no higher than that of the part before it (15 % slack)
        q = [i for i, t in enumerate(times) if t >= seconds / 4]
        if len(q) >= 4:
            half = len(q) // 2
            first, second = max(rss[q[0] : q[half]]), max(rss[q[half] :])
            ok = second <= first * 1.15
            say(
                f"max RSS over 25–62 % of the run {first / GIB:.2f} GiB, over 62–100 % {second / GIB:.2f} GiB: "
                f"{'FLAT' if ok else 'GROWING'}"
            )
        verdict = "PASS" if peak < TARGETS["peak_bytes"] else "FAIL"
        if stopped and verdict == "PASS":
            verdict = "— (stopped before the end)"
        say(f"target: peak < {TARGETS['peak_bytes'] / GIB:.0f} GiB: {verdict}")
        curve = _stream_report(samples, seconds, n, final_bytes, say)
        if args.json:
            curve.update(n=n, chunk_size=args.chunk_size, buffer_m=args.stream_buffer, stopped=stopped)
            curve["sites_per_s"] = None if stopped or proc.returncode else n / seconds
            curve["all_samples"] = [list(s) for s in samples]
            Path(args.json).write_text(json.dumps(curve, indent=1))
    ok = not stopped and proc.returncode == 0
    if ok:
        rows = _rows_in(work / "out" / "sites.csv")
        say(f"sites.csv: {rows:,} rows ({'all sites' if rows == n else f'EXPECTED {n:,}'})")
        ok = rows == n
    if args.keep:
        say(f"outputs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="100k parcels, 10k points, 1k polygons (a smoke run)")
    ap.add_argument("--parcels", type=int, default=1_000_000, help="farmland parcels (default 1,000,000)")
    ap.add_argument("--sites", type=int, help="point sites (default 100,000; --quick 10,000)")
    ap.add_argument("--polygons", type=int, help="polygon sites (default: a tenth of --sites)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-postgis", action="store_true", help="skip the PostGIS column")
    ap.add_argument("--no-geopandas", action="store_true", help="skip the geopandas column")
    ap.add_argument(
        "--dask",
        type=int,
        nargs="?",
        const=os.cpu_count() or 1,
        default=0,
        metavar="WORKERS",
        help="also time redline.checks.dask_screen on a local cluster of WORKERS processes (default: one per core)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the outputs and the layer cache of the run")
    ap.add_argument("--json", metavar="FILE", help="also write the raw timings as JSON")
    ap.add_argument("--stream", type=int, metavar="N", help="instead: stream N points through redline batch")
    ap.add_argument("--chunk-size", type=int, default=100_000, help="--chunk-size for the stream run")
    ap.add_argument("--stream-buffer", type=float, default=1000.0, help="--buffer for the stream run (default 1000)")
    ap.add_argument("--stream-max-rss", type=float, default=12.0, metavar="GIB", help="stop the stream run above this")
    ap.add_argument("--stream-timeout", type=float, default=0.0, metavar="S", help="stop the stream run after S s")
    ap.add_argument("--stream-interval", type=float, default=0.5, metavar="S", help="RSS sampling interval")
    ap.add_argument("--stream-report", type=float, default=30.0, metavar="S", help="print the RSS every S seconds")
    ap.add_argument("--cache-dir", help="REDLINE_CACHE_DIR for the stream run (default: the usual cache)")
    ap.add_argument("--province", action="store_true", help="instead: the province-scale set (benchmarks/_province.py)")
    ap.add_argument(
        "--province-parcels",
        type=int,
        metavar="N",
        help="parcels of the province set (default 5,000,000; implies --province)",
    )
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--params", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        PHASES[args.phase](json.loads(args.params))
        return 0
    if args.stream:
        return main_stream(args)
    if args.province or args.province_parcels:
        from benchmarks._province import main as main_province

        return main_province(args, _say)
    return main_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
