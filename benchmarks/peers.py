"""The embedded columnar engines a user would pick for a batch join today: SedonaDB and DuckDB spatial.

Nothing is installed here.  :func:`available` says which peers this Python can import
(``pip install ".[bench]"`` brings ``sedonadb`` and ``duckdb`` with the ``duckdb-extension-spatial``
wheel, so the spatial extension loads offline; without it DuckDB would fetch the extension from its
own repository at run time, which a bureau's offline network cannot reach); the missing ones are
skipped with that note.

Each job is a whole process (Python's start, the imports, reading the data, the join, the CSV), as a
user would run it, timed from outside with its own peak resident memory (``ru_maxrss``, through a
small launcher: :func:`run_measured`):

- ``points``: the parcels (GeoParquet) against the point sites (CSV ``site_id,lon,lat``), the
  (site, zone) pairs that intersect, to CSV;
- ``polygons``: the parcels against polygon sites (GeoParquet), the pairs that intersect with the
  geodesic area of their overlap (DuckDB: ``ST_Area_Spheroid`` on the WGS84 ellipsoid, as lon/lat
  degrees flipped to DuckDB's lat/lon order; SedonaDB has no ellipsoidal area: ``ST_Area`` of a
  geography is spherical, so it is timed but its areas are not compared), to CSV.

The zones they join are every layer of the benchmark's set in one GeoParquet table
(:func:`zones_parquet`: ``kind``, ``zone_id``, WKB geometry, read from the set's source files), so
their pairs are the touching findings of ``redline batch --buffer 0`` over the same layers, which
:func:`compare_pairs` checks pair by pair (and the overlap areas, to 1e-4 relative).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "AREA_RTOL",
    "ELLIPSOIDAL",
    "PEERS",
    "PeerRun",
    "available",
    "compare_pairs",
    "read_pairs",
    "run_measured",
    "run_peer",
    "zones_parquet",
]

PEERS = ("sedonadb", "duckdb")

#: How far an overlap area may differ from a peer's (relative; the issue's promise for geodesic areas).
AREA_RTOL = 1e-4
#: Half the 0.01 m² our findings.csv rounds areas to (m²): allowed on top of :data:`AREA_RTOL` per pair.
_CSV_ROUNDING_M2 = 0.005
#: The peers whose areas are ellipsoidal like ours (SedonaDB's geography area is spherical).
ELLIPSOIDAL = ("duckdb",)

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
        elif peer == "duckdb" and not all(importlib.util.find_spec(m) for m in _DUCKDB_SPATIAL):
            out[peer] = (
                "duckdb's spatial extension is not installed for offline use "
                "(pip install duckdb-extensions duckdb-extension-spatial, or '.[bench]')"
            )
        else:
            out[peer] = ""
    return out


#: The wheels that bring DuckDB's spatial extension without DuckDB's own extension repository.
_DUCKDB_SPATIAL = ("duckdb_extensions", "duckdb_extension_spatial")


def run_peer(peer: str, job: str, zones: Path, sites: Path, out: Path, *, timeout: float = 900) -> PeerRun:
    """Run one peer's job as a whole process; time it with its own peak memory (:func:`run_measured`)."""
    why = available().get(peer, f"unknown peer {peer}")
    if why:
        return PeerRun(peer, job, skipped=why)
    script = out.parent / f"{peer}-{job}.py"
    script.write_text(SCRIPTS[(peer, job)], "utf-8")
    log = out.parent / f"{peer}-{job}.log"
    cmd = [sys.executable, str(script), str(zones), str(sites), str(out)]
    with open(log, "w", encoding="utf-8") as sink:
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        code, seconds, peak = run_measured(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT, timeout=timeout)
    lines = log.read_text("utf-8", errors="replace").strip().splitlines()
    if code != 0:
        return PeerRun(peer, job, skipped=f"failed ({code}): {lines[-1] if lines else ''}")
    return PeerRun(peer, job, seconds, peak, _data_rows(out))


#: Run by :func:`run_measured` in a fresh interpreter without site packages (a few MB): it starts the
#: command, waits for it and writes its exit code, wall time and ``ru_maxrss`` (KiB) to the file named first.
_LAUNCHER = """\
import json, os, sys, time
t0 = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as fh:
    json.dump({"code": code, "seconds": seconds, "maxrss_kb": usage.ru_maxrss}, fh)
sys.exit(code if 0 <= code <= 255 else 1)
"""


def run_measured(cmd: list[str], *, timeout: float | None = None, **popen) -> tuple[int, float, int | None]:
    """Run ``cmd`` as a whole process; return its exit code, wall seconds and its own peak RSS in bytes.

    Linux starts a child's ``ru_maxrss`` at the high-water mark of the process that spawned it
    (``exec`` keeps the old address space's peak): timed straight from the benchmark, whose own
    resident set holds geopandas and the data, every process would seem at least that big.  So a
    small launcher (:data:`_LAUNCHER`, a few MB) starts the command and reads its ``wait4``.
    ``popen`` goes to :class:`subprocess.Popen` (``env``, ``cwd``, ``stdout``, ``stderr``); after
    ``timeout`` seconds the command is killed (code -9, no peak).
    """
    with tempfile.TemporaryDirectory(prefix="measured-") as tmp:
        report = Path(tmp) / "rusage.json"
        t0 = time.perf_counter()
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(report), *cmd]
        proc = subprocess.Popen(launcher, start_new_session=True, **popen)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the command: their own session
            proc.wait()
            return -9, time.perf_counter() - t0, None
        if not report.is_file():  # (the launcher could not start the command)
            return proc.returncode or 1, time.perf_counter() - t0, None
        got = json.loads(report.read_text())
    return got["code"], got["seconds"], got["maxrss_kb"] * 1024


def _data_rows(csv: Path) -> int:
    """Count the rows of a CSV file below its header (the pairs a job wrote)."""
    with open(csv, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1


def zones_parquet(manifest: Path, out: Path) -> Path:
    """Write every layer of a benchmark set to one GeoParquet table (``kind``, ``zone_id``, WKB geometry).

    Read from the set's source files (the manifest's ``path`` and ``id_field``), as a user of a
    peer would load them; kept at ``out`` and reused.
    """
    if out.is_file():
        return out
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    import yaml

    spec = yaml.safe_load(manifest.read_text("utf-8"))
    parts = []
    for layer in spec["layers"]:
        gdf = pyogrio.read_dataframe(manifest.parent / layer["path"], columns=[layer["id_field"]])
        gdf = gdf.rename(columns={layer["id_field"]: "zone_id"}).assign(kind=layer["kind"])
        parts.append(gdf[["kind", "zone_id", "geometry"]])
    zones = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=parts[0].crs)
    tmp = out.with_suffix(".tmp")
    zones.to_parquet(tmp, index=False, geometry_encoding="WKB")
    os.replace(tmp, out)
    return out


def read_pairs(csv: Path, *, findings: bool = False):
    """Read the (site, zone) pairs a job wrote, with ``area_m2`` when it has areas.

    ``findings``: ``csv`` is our ``findings.csv``, whose touching rows (relation other than
    ``nearby``) are the pairs and ``overlap_area_m2`` their areas.
    """
    import pandas as pd

    ids = {"site_id": str, "zone_id": str}
    if not findings:
        return pd.read_csv(csv, dtype=ids)
    columns = ["site_id", "zone_id", "relation", "overlap_area_m2"]
    rows = pd.read_csv(csv, encoding="utf-8-sig", usecols=columns, dtype=ids)
    rows = rows[rows["relation"] != "nearby"]
    return rows.drop(columns="relation").rename(columns={"overlap_area_m2": "area_m2"})


def compare_pairs(ours, peer) -> dict:
    """Compare our pairs with a peer's: counts, pairs only one side found, and the areas both give.

    Returns ``ours``, ``peer`` (pair counts), ``only_ours``, ``only_peer`` and, when both have areas,
    ``area_ours``/``area_peer`` (m², over the common pairs), ``area_rel`` (their relative difference)
    and ``area_off``: the common pairs whose areas differ by more than :data:`AREA_RTOL` relative
    (beyond the 0.01 m² our CSV rounds to).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"site_id": ["1", "1"], "zone_id": ["a", "b"], "area_m2": [10.0, 2.0]})
    >>> b = pd.DataFrame({"site_id": ["1", "2"], "zone_id": ["a", "c"], "area_m2": [10.0001, 5.0]})
    >>> c = compare_pairs(a, b)
    >>> c["ours"], c["peer"], c["only_ours"], c["only_peer"], c["area_off"]
    (2, 2, 1, 1, 0)
    """
    key = ["site_id", "zone_id"]
    both = ours.merge(peer, on=key, how="outer", suffixes=("_ours", "_peer"), indicator=True)
    side = both["_merge"].value_counts()
    out = {
        "ours": len(ours),
        "peer": len(peer),
        "only_ours": int(side.get("left_only", 0)),
        "only_peer": int(side.get("right_only", 0)),
    }
    if "area_m2_ours" in both and "area_m2_peer" in both:
        common = both[both["_merge"] == "both"]
        a, b = common["area_m2_ours"].fillna(0.0), common["area_m2_peer"].fillna(0.0)
        off = (a - b).abs() > AREA_RTOL * b.abs() + _CSV_ROUNDING_M2
        total = float(b.sum())
        out.update(
            area_ours=float(a.sum()),
            area_peer=total,
            area_rel=abs(float(a.sum()) - total) / total if total else 0.0,
            area_off=int(off.sum()),
        )
    return out
