"""The embedded columnar engines a user would pick for a batch join today: SedonaDB and DuckDB spatial.

Nothing is installed here.  :func:`available` says which peers this Python can import
(``pip install ".[bench]"`` brings ``sedonadb`` and ``duckdb`` with the ``duckdb-extension-spatial``
wheel, so the spatial extension loads offline; without it DuckDB would fetch the extension from its
own repository at run time, which a bureau's offline network cannot reach); the missing ones are
skipped with that note.

Each job is a whole process (Python's start, the imports, reading the data, the join, the CSV), as a
user would run it, timed from outside with its peak resident memory (``ru_maxrss``):

- ``points``: the parcels (GeoParquet) against the point sites (CSV ``site_id,lon,lat``), the
  (site, zone) pairs that intersect, to CSV;
- ``polygons``: the parcels against polygon sites (GeoParquet), the pairs that intersect with the
  geodesic area of their overlap (DuckDB: ``ST_Area_Spheroid`` on the WGS84 ellipsoid, as lon/lat
  degrees flipped to DuckDB's lat/lon order; SedonaDB has no ellipsoidal area: ``ST_Area`` of a
  geography is spherical, so it is timed but its areas are not compared), to CSV.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PEERS", "PeerRun", "available", "run_peer"]

PEERS = ("sedonadb", "duckdb")

SEDONA_POINTS = """\
import sys
import sedonadb
ctx = sedonadb.connect()
ctx.read_parquet(sys.argv[1]).to_view("zones")
import pyarrow.csv as pc
sites = pc.read_csv(sys.argv[2], convert_options=pc.ConvertOptions(column_types={"site_id": "string"}))
ctx.create_data_frame(sites).to_view("raw")
ctx.sql("SELECT site_id, ST_SetSRID(ST_Point(lon, lat), 4490) AS geom FROM raw").to_view("sites")
pairs = ctx.sql("SELECT s.site_id, z.zone_id FROM sites s JOIN zones z ON ST_Intersects(s.geom, z.geometry)")
pairs.to_csv(sys.argv[3])
"""

SEDONA_POLYGONS = """\
import sys
import sedonadb
ctx = sedonadb.connect()
ctx.read_parquet(sys.argv[1]).to_view("zones")
ctx.read_parquet(sys.argv[2]).to_view("sites")
pairs = ctx.sql(
    "SELECT s.site_id, z.zone_id, "
    "ST_Area(ST_GeogFromWKB(ST_AsBinary(ST_Intersection(s.geometry, z.geometry)))) AS area_m2 "
    "FROM sites s JOIN zones z ON ST_Intersects(s.geometry, z.geometry)"
)
pairs.to_csv(sys.argv[3])
"""

DUCKDB_SETUP = """\
import sys
import duckdb
try:
    import duckdb_extensions
    duckdb_extensions.import_extension("spatial")
except ImportError:
    pass
con = duckdb.connect()
con.execute("SET threads TO 2")
con.execute("LOAD spatial")
"""

DUCKDB_POINTS = (
    DUCKDB_SETUP
    + """\
con.execute(f"CREATE TABLE zones AS SELECT zone_id, geometry FROM read_parquet('{sys.argv[1]}')")
con.execute(f"CREATE TABLE sites AS SELECT site_id::VARCHAR AS site_id, ST_Point(lon, lat) AS geom "
            f"FROM read_csv('{sys.argv[2]}', types={{'site_id': 'VARCHAR'}})")
con.execute(
    f"COPY (SELECT s.site_id, z.zone_id FROM sites s JOIN zones z ON ST_Intersects(s.geom, z.geometry)) "
    f"TO '{sys.argv[3]}' (HEADER)"
)
"""
)

DUCKDB_POLYGONS = (
    DUCKDB_SETUP
    + """\
con.execute(f"CREATE TABLE zones AS SELECT zone_id, geometry FROM read_parquet('{sys.argv[1]}')")
con.execute(f"CREATE TABLE sites AS SELECT site_id, geometry FROM read_parquet('{sys.argv[2]}')")
con.execute(
    f"COPY (SELECT s.site_id, z.zone_id, "
    f"ST_Area_Spheroid(ST_FlipCoordinates(ST_Intersection(s.geometry, z.geometry))) AS area_m2 "
    f"FROM sites s JOIN zones z ON ST_Intersects(s.geometry, z.geometry)) TO '{sys.argv[3]}' (HEADER)"
)
"""
)

SCRIPTS = {
    ("sedonadb", "points"): SEDONA_POINTS,
    ("sedonadb", "polygons"): SEDONA_POLYGONS,
    ("duckdb", "points"): DUCKDB_POINTS,
    ("duckdb", "polygons"): DUCKDB_POLYGONS,
}


@dataclass
class PeerRun:
    """One whole-process run of a peer: seconds, peak resident bytes, rows written, or why not."""

    peer: str
    job: str
    seconds: float | None = None
    peak: int | None = None
    rows: int | None = None
    skipped: str = ""


def available() -> dict[str, str]:
    """Return ``{peer: ""}`` for the peers this Python can run, ``{peer: why not}`` for the others."""
    out = {}
    for peer in PEERS:
        if importlib.util.find_spec(peer) is None:
            out[peer] = f"{peer} is not installed (pip install '.[bench]')"
        elif peer == "duckdb" and importlib.util.find_spec("duckdb_extensions") is None:
            out[peer] = "duckdb's spatial extension is not installed (pip install duckdb-extension-spatial)"
        else:
            out[peer] = ""
    return out


def run_peer(peer: str, job: str, zones: Path, sites: Path, out: Path, *, timeout: float = 900) -> PeerRun:
    """Run one peer's job as a whole process; time it and read its own peak memory from ``wait4``."""
    why = available().get(peer, f"unknown peer {peer}")
    if why:
        return PeerRun(peer, job, skipped=why)
    script = out.parent / f"{peer}-{job}.py"
    script.write_text(SCRIPTS[(peer, job)], "utf-8")
    log = out.parent / f"{peer}-{job}.log"
    with open(log, "w", encoding="utf-8") as sink:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(script), str(zones), str(sites), str(out)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = log.read_text("utf-8", errors="replace").strip().splitlines()
    if proc.returncode != 0:
        return PeerRun(peer, job, skipped=f"failed ({proc.returncode}): {lines[-1] if lines else ''}")
    return PeerRun(peer, job, seconds, usage.ru_maxrss * 1024, _data_rows(out))


def _data_rows(csv: Path) -> int:
    """Count the rows of a CSV file below its header (the pairs a job wrote)."""
    with open(csv, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1
