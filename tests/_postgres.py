"""A throwaway PostgreSQL/PostGIS server for the tests, shared by every test module of one run.

The server is ``benchmarks/postgis.py``'s :class:`ThrowawayCluster` (``initdb`` in a temporary
folder, a free loopback port, trust authentication), started once per test process on first use
and stopped when the process exits.  Tests that need it call :func:`cluster`: it skips ONLY when
this machine has no PostgreSQL server binaries (CI installs them); a server without PostGIS, or
one that does not start, fails the test.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from benchmarks.postgis import ThrowawayCluster, _pg_bindirs, find_postgres

__all__ = ["SKIP_REASON", "add_password_role", "cluster", "fresh_database", "load_frame", "url"]

SKIP_REASON = (
    "no PostgreSQL server binaries (initdb, pg_ctl) on this machine: .ci/run installs them "
    "(apt-get install postgresql postgresql-15-postgis-3); install them to run the PostGIS tests"
)

#: Light settings: a test server, its data thrown away.
_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "shared_buffers": "128MB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "jit": "off",
}

_shared: dict[str, ThrowawayCluster] = {}
_names = itertools.count(1)


def _stop() -> None:
    db = _shared.pop("db", None)
    if db is not None:
        db.__exit__(None, None, None)


def cluster() -> ThrowawayCluster:
    """Return the process's throwaway server (started on first call); skip without server binaries."""
    if "db" in _shared:
        return _shared["db"]
    if shutil.which("psql") is None or not _pg_bindirs():
        pytest.skip(SKIP_REASON)
    pg = find_postgres()
    if not pg.ok:
        pytest.fail(f"PostgreSQL is here but cannot serve the tests: {pg.message}")
    db = ThrowawayCluster(pg, settings=dict(_SETTINGS))
    db.__enter__()
    _shared["db"] = db
    atexit.register(_stop)
    return db


def url(db: ThrowawayCluster, database: str | None = None, user: str = "postgres") -> str:
    """Return the URL of a database of the server (no password)."""
    return f"postgresql://{user}@127.0.0.1:{db.port}/{database or db.database}"


def fresh_database(prefix: str = "t") -> str:
    """Create a new database with PostGIS on the shared server; return its URL."""
    db = cluster()
    name = f"{prefix}{os.getpid()}_{next(_names)}"
    db.psql(f"CREATE DATABASE {name}", database="postgres")
    db.psql("CREATE EXTENSION postgis", database=name)
    return url(db, name)


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    return "text"


def load_frame(target: str, table: str, gdf: gpd.GeoDataFrame, *, srid: int, geom_type: str = "Geometry") -> None:
    """Create ``table`` from a GeoDataFrame's columns and COPY its rows in (geometry as EWKB hex).

    ``geom_type`` is the column's type modifier; ``srid=0`` makes an untyped ``geometry`` column
    holding geometries without SRID.
    """
    import psycopg
    from psycopg import sql as q

    attrs = [c for c in gdf.columns if c != gdf.geometry.name]
    parts = table.split(".")
    column_defs = [q.SQL("{} {}").format(q.Identifier(c), q.SQL(_sql_type(gdf[c]))) for c in attrs]
    geom_sql = f"geometry({geom_type}, {srid})" if srid else "geometry"
    column_defs.append(q.SQL("geom " + geom_sql))
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    if srid:
        geoms = shapely.set_srid(geoms, srid)
    hexes = shapely.to_wkb(geoms, hex=True, include_srid=bool(srid))
    with psycopg.connect(target) as conn:
        if len(parts) == 2:
            conn.execute(q.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(q.Identifier(parts[0])))
        conn.execute(q.SQL("CREATE TABLE {} ({})").format(q.Identifier(*parts), q.SQL(", ").join(column_defs)))
        names = q.SQL(", ").join(q.Identifier(c) for c in [*attrs, "geom"])
        with conn.cursor().copy(q.SQL("COPY {} ({}) FROM STDIN").format(q.Identifier(*parts), names)) as copy:
            values = [gdf[c].astype(object).where(gdf[c].notna(), None).tolist() for c in attrs]
            for row in zip(*values, hexes, strict=True):
                copy.write_row(row)


def add_password_role(target: str, role: str, password: str) -> None:
    """Create a login role that must give its password (scram) over TCP, ahead of the trust rule."""
    db = cluster()
    db.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'", database="postgres")
    db.psql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}", database=target.rsplit("/", 1)[1])
    hba = Path(db.folder) / "data" / "pg_hba.conf"
    rule = f"host all {role} 127.0.0.1/32 scram-sha-256\n"
    if rule not in hba.read_text():
        hba.write_text(rule + hba.read_text())
    db.psql("SELECT pg_reload_conf()", database="postgres")
