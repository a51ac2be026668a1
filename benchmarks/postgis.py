"""PostGIS as a yardstick for the batch benchmark: a throwaway local cluster, the layers and sites loaded, timed joins.

Nothing is installed or started at import.  :func:`find_postgres` says whether a PostgreSQL server
with the PostGIS extension is on this machine (and how to install it when not);
:class:`ThrowawayCluster` runs ``initdb`` in a temporary folder and starts a server on a loopback
port (as the ``postgres`` user when run as root, since PostgreSQL refuses to run as root), with
settings for a benchmark (no fsync; the data is thrown away).  Data goes in through ``psql``'s
``\\copy ... FROM pstdin`` as hex EWKB, so neither a Python driver (psycopg) nor GDAL's PostgreSQL
driver (pyogrio's GDAL often lacks it) nor ``ogr2ogr`` is needed.  Queries are timed by ``psql``'s
``\\timing`` (server round trip, no client start-up).

Use::

    from benchmarks.postgis import find_postgres, ThrowawayCluster, load_zones, load_sites, POINTS_SQL
    pg = find_postgres()
    if pg.ok:
        with ThrowawayCluster(pg) as db:
            load_zones(db, layerset)
            load_sites(db, "pts", sites_gdf)
            seconds, out = db.timed(POINTS_SQL.format(sites="pts"))

Run on its own (``python benchmarks/postgis.py``) it prints what it found and, when it can, starts
and stops a cluster with PostGIS as a check.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

__all__ = [
    "INSTALL_HINT",
    "POINTS_SQL",
    "POLYGONS_SQL",
    "Postgres",
    "ThrowawayCluster",
    "find_postgres",
    "load_sites",
    "load_zones",
]

INSTALL_HINT = (
    "PostgreSQL with PostGIS is needed for the PostGIS column: on Debian/Ubuntu "
    "`apt-get install postgresql postgis` (or the versioned server extension, e.g. "
    "`apt-get install postgresql-15-postgis-3`; `apt-cache search postgis` names it)"
)

#: Every (site, zone) pair whose geometries intersect, materialised (as our engine materialises its findings).
POINTS_SQL = """
CREATE UNLOGGED TABLE r_{sites} AS
SELECT s.site_id, z.kind, z.zone_id
FROM {sites} s JOIN zones z ON ST_Intersects(s.geom, z.geom)
"""

#: Every intersecting pair with its exact (geodesic) overlap area in m².
POLYGONS_SQL = """
CREATE UNLOGGED TABLE r_{sites} AS
SELECT s.site_id, z.kind, z.zone_id, ST_Area(ST_Intersection(s.geom, z.geom)::geography) AS area_m2
FROM {sites} s JOIN zones z ON ST_Intersects(s.geom, z.geom)
"""

_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "shared_buffers": "1GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "1GB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_wal_size": "8GB",
    "jit": "off",  # JIT compilation only slows PostGIS joins down; give PostGIS its best shot
}


@dataclass
class Postgres:
    """What :func:`find_postgres` found."""

    ok: bool
    message: str
    bindir: Path | None = None
    version: str = ""
    postgis: str = ""


def _pg_bindirs() -> list[Path]:
    """Candidate server bin folders, newest version first: PATH, then Debian's /usr/lib/postgresql/*/bin."""
    found = []
    initdb = shutil.which("initdb")
    if initdb:
        found.append(Path(initdb).resolve().parent)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)] or [0],
        reverse=True,
    )
    found.extend(debian)
    out = []
    for d in found:
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file() and (d / "postgres").is_file() and d not in out:
            out.append(d)
    return out


def find_postgres() -> Postgres:
    """Find a PostgreSQL server (``initdb``, ``pg_ctl``) with the PostGIS extension; never installs anything."""
    if shutil.which("psql") is None:
        return Postgres(False, f"psql not found. {INSTALL_HINT}")
    bindirs = _pg_bindirs()
    if not bindirs:
        hint = " (pg_ctlcluster is there, but no server binaries)" if shutil.which("pg_ctlcluster") else ""
        return Postgres(False, f"no PostgreSQL server (initdb/pg_ctl) found{hint}. {INSTALL_HINT}")
    for bindir in bindirs:
        pg_config = bindir / "pg_config"
        if pg_config.is_file():
            share = Path(subprocess.run([pg_config, "--sharedir"], capture_output=True, text=True).stdout.strip())
        else:
            share = Path("/usr/share/postgresql") / bindir.parent.name
        control = share / "extension" / "postgis.control"
        version = subprocess.run([bindir / "postgres", "--version"], capture_output=True, text=True).stdout.strip()
        if control.is_file():
            m = re.search(r"default_version\s*=\s*'([^']+)'", control.read_text())
            return Postgres(
                True, f"{version}, PostGIS {m.group(1) if m else '?'}", bindir, version, m.group(1) if m else ""
            )
    return Postgres(False, f"PostgreSQL found ({bindirs[0]}) but not the PostGIS extension. {INSTALL_HINT}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_escape(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return r"\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@dataclass
class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder on a free loopback port, with PostGIS, removed on exit.

    Started with ``initdb``/``pg_ctl`` directly (any distribution; Debian's ``pg_ctlcluster`` is not
    needed).  As root, the server runs as the ``postgres`` user through ``runuser``.
    """

    pg: Postgres
    port: int = 0
    database: str = "bench"
    settings: dict[str, str] = field(default_factory=lambda: dict(_SERVER_SETTINGS))
    folder: Path | None = None
    started_s: float = 0.0

    def _as_server_user(self, argv: list) -> list:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *map(str, argv)]
        return [str(a) for a in argv]

    def __enter__(self) -> ThrowawayCluster:
        t0 = time.perf_counter()
        self.folder = Path(tempfile.mkdtemp(prefix="redline-pg-"))
        data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.folder.chmod(0o755)
        self.port = self.port or _free_port()
        run = dict(check=True, capture_output=True, text=True, cwd=self.folder)
        subprocess.run(
            self._as_server_user(
                [self.pg.bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
            ),
            **run,
        )
        opts = " ".join([f"-p {self.port}", f"-k {self.folder}", *(f"-c {k}={v}" for k, v in self.settings.items())])
        try:
            subprocess.run(
                self._as_server_user(
                    [self.pg.bindir / "pg_ctl", "-D", data, "-l", self.folder / "server.log", "-o", opts, "-w", "start"]
                ),
                **run,
            )
        except subprocess.CalledProcessError:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.is_file() else ""
            self._remove()
            raise RuntimeError(f"PostgreSQL did not start:\n{tail}") from None
        self.psql("CREATE DATABASE bench", database="postgres")
        self.psql("CREATE EXTENSION postgis")
        self.started_s = time.perf_counter() - t0
        return self

    def __exit__(self, *exc) -> None:
        if self.folder is not None:
            subprocess.run(
                self._as_server_user(
                    [self.pg.bindir / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "stop"]
                ),
                capture_output=True,
            )
            self._remove()

    def _remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _psql_argv(self, database: str | None = None) -> list[str]:
        return [
            "psql",
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database or self.database,
        ]

    def psql(self, sql: str, database: str | None = None) -> str:
        """Run SQL; return psql's unaligned output."""
        proc = subprocess.run([*self._psql_argv(database), "-c", sql], capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"psql failed: {proc.stderr.strip()}\nSQL: {sql[:500]}")
        return proc.stdout

    def timed(self, sql: str) -> tuple[float, str]:
        """Run one statement with ``\\timing``; return (server round-trip seconds, output)."""
        script = f"\\timing on\n{sql.strip().rstrip(';')};\n"
        proc = subprocess.run([*self._psql_argv(), "-f", "-"], input=script, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"psql failed: {proc.stderr.strip()}\nSQL: {sql[:500]}")
        times = [float(t) for t in re.findall(r"Time: ([\d.]+) ms", proc.stdout)]
        out = re.sub(r"Time: .*\n?", "", proc.stdout)
        return sum(times) / 1000.0, out

    def copy(self, table: str, columns: list[str], rows: Iterable[str]) -> None:
        """``\\copy table (columns) FROM pstdin``, streaming text-format ``rows`` (each ending in a newline)."""
        cmd = [*self._psql_argv(), "-c", f"\\copy {table} ({', '.join(columns)}) FROM pstdin"]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for chunk in rows:
                proc.stdin.write(chunk)
        except BrokenPipeError:  # psql stopped early: its message says why
            pass
        _, err = proc.communicate()  # flushes and closes stdin
        if proc.returncode:
            raise RuntimeError(f"COPY into {table} failed: {err.strip()}")


def _ewkb_rows(columns: list[np.ndarray], geoms: np.ndarray, srid: int = 4490, chunk: int = 50_000):
    """Yield text-format COPY chunks: the columns then the geometry as hex EWKB."""
    for start in range(0, len(geoms), chunk):
        stop = start + chunk
        hexes = shapely.to_wkb(shapely.set_srid(geoms[start:stop], srid), hex=True, include_srid=True)
        cols = [[_copy_escape(v) for v in c[start:stop]] for c in columns]
        yield "".join("\t".join([*vals, h]) + "\n" for *vals, h in zip(*cols, hexes, strict=True))


def load_zones(db: ThrowawayCluster, layerset) -> dict[str, float]:
    """Load every layer of a :class:`layers.LayerSet` into one ``zones`` table with a GiST index; return timings."""
    t0 = time.perf_counter()
    db.psql("CREATE TABLE zones (id serial, kind text, zone_id text, zone_class text, geom geometry(Geometry, 4490))")
    for layer in layerset.layers:
        gdf = layer.gdf
        db.copy(
            "zones",
            ["kind", "zone_id", "zone_class", "geom"],
            _ewkb_rows(
                [np.full(len(gdf), layer.kind, dtype=object), gdf["zone_id"].to_numpy(), gdf["zone_class"].to_numpy()],
                np.asarray(gdf.geometry.array, dtype=object),
            ),
        )
    loaded = time.perf_counter() - t0
    t1 = time.perf_counter()
    db.psql("CREATE INDEX zones_geom ON zones USING gist (geom)")
    db.psql("VACUUM ANALYZE zones")
    return {"copy_s": loaded, "index_s": time.perf_counter() - t1}


def load_sites(db: ThrowawayCluster, table: str, sites) -> dict[str, float]:
    """Load sites (``site_id`` and geometry, EPSG:4490) into ``table`` with a GiST index; return timings."""
    t0 = time.perf_counter()
    db.psql(f"CREATE TABLE {table} (site_id text, geom geometry(Geometry, 4490))")
    db.copy(
        table,
        ["site_id", "geom"],
        _ewkb_rows([sites["site_id"].to_numpy()], np.asarray(sites.geometry.array, dtype=object)),
    )
    loaded = time.perf_counter() - t0
    t1 = time.perf_counter()
    db.psql(f"CREATE INDEX {table}_geom ON {table} USING gist (geom)")
    db.psql(f"VACUUM ANALYZE {table}")
    return {"copy_s": loaded, "index_s": time.perf_counter() - t1}


def main() -> int:
    pg = find_postgres()
    print(("found: " if pg.ok else "not available: ") + pg.message)
    if not pg.ok:
        return 1
    with ThrowawayCluster(pg) as db:
        print(f"throwaway cluster on 127.0.0.1:{db.port} in {db.folder} (started in {db.started_s:.1f} s)")
        print(db.psql("SELECT postgis_full_version()").strip())
        seconds, out = db.timed("SELECT ST_Area(ST_MakeEnvelope(112, 28, 112.01, 28.01, 4490)::geography)")
        print(f"0.01° square at 28°N: {float(out):.1f} m² ({seconds * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
