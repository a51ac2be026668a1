"""The register in a shared PostgreSQL/PostGIS database, for a bureau's several desks and the service.

The tables ``runs``, ``sites`` (``geometry(Geometry, 4490)``) and ``findings`` live in their own
schema (``redline`` by default) and are created on first use (under an advisory lock, so two
first users do not collide).  A run is one transaction: the run row, then the sites and the
findings streamed in with ``COPY``; a writer that dies half-way leaves nothing, as the server
rolls its transaction back.  The password comes from ``PGPASSWORD``, ``~/.pgpass`` or the
environment variable named by ``password_env``, never from the URL.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from redline.checks.register import rows
from redline.checks.register.base import Register, not_written
from redline.checks.register.rows import FINDING_FIELDS, RUN_FIELDS, SITE_FIELDS, RegisterError
from redline.layers.postgis import connect, parse_postgres_url

if TYPE_CHECKING:
    import psycopg

    from redline.checks.result import ScreeningResult

__all__ = ["PostgisRegister"]

_SRID = 4490
_SQL_TYPES = {
    "text": "text",
    "integer": "bigint",
    "real": "double precision",
    "json": "jsonb",
    "time": "timestamptz NOT NULL",
}
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_LOCK = "redline-checker register"


def _columns(fields: dict[str, str]) -> str:
    return ", ".join(f"{name} {_SQL_TYPES[kind]}" for name, kind in fields.items())


def _ewkb_hex(geoms: np.ndarray) -> list:
    return list(shapely.to_wkb(shapely.set_srid(geoms, _SRID), hex=True, include_srid=True, output_dimension=2))


class PostgisRegister(Register):
    """The register in a PostGIS database.

    Parameters
    ----------
    url : str
        ``postgresql://USER@HOST:PORT/DB`` without password.
    password_env : str, optional
        Environment variable holding the password (else ``PGPASSWORD`` or ``~/.pgpass``).
    schema : str
        The schema holding the register's tables (created when missing).
    """

    _P = "%s"
    _GEOM = "ST_AsBinary(s.geom)"

    def __init__(self, url: str, *, password_env: str | None = None, schema: str = "redline") -> None:
        self.url = parse_postgres_url(url, what="register", error=RegisterError, param="register")
        self.target = self.url.label
        self.password_env = password_env
        if not _SCHEMA_NAME.match(schema):
            raise RegisterError(
                f"register schema {schema!r} is not a plain lower-case name; use e.g. redline",
                param="schema",
                value=schema,
            )
        self.schema = schema
        self._TABLES = {k: f"{schema}.{k}" for k in ("runs", "sites", "findings")}
        self._ensure()

    def _connect(self) -> psycopg.Connection:
        return connect(
            self.url,
            password_env=self.password_env,
            what=f"register {self.target}",
            error=RegisterError,
            param="register",
        )

    def _ensure(self) -> None:
        """Create the schema, the tables and their indexes when they are not all there."""
        import psycopg

        t = self._TABLES
        conn = self._connect()
        try:
            with conn.transaction():
                found = conn.execute(
                    "SELECT to_regclass(%s), to_regclass(%s), to_regclass(%s)", [t["runs"], t["sites"], t["findings"]]
                ).fetchone()
                if all(found) and not self._missing_columns(conn):
                    return
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_LOCK])
                if conn.execute("SELECT to_regtype('geometry')").fetchone()[0] is None:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                for statement in self._ddl():
                    conn.execute(statement)
                for name in self._missing_columns(conn):  # a register written by an earlier version
                    conn.execute(
                        f"ALTER TABLE {t['sites']} ADD COLUMN IF NOT EXISTS {name} {_SQL_TYPES[SITE_FIELDS[name]]}"
                    )
        except psycopg.Error as exc:
            raise RegisterError(
                f"register {self.target}: cannot create its tables in schema {self.schema!r} "
                f"({' '.join(str(exc).split())[:300]}); have the database owner create them once "
                "(open the register as a user that may CREATE, with PostGIS available)",
                param="register",
                value=self.target,
            ) from None
        finally:
            conn.close()

    def _missing_columns(self, conn: psycopg.Connection) -> list[str]:
        """Return the :data:`~.rows.SITE_FIELDS` the ``sites`` table lacks (all of them when it is not there)."""
        have = {
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = 'sites'",
                [self.schema],
            ).fetchall()
        }
        return [name for name in SITE_FIELDS if name not in have]

    def _ddl(self) -> list[str]:
        s, t = self.schema, self._TABLES
        return [
            f"CREATE SCHEMA IF NOT EXISTS {s}",
            f"CREATE TABLE IF NOT EXISTS {t['runs']} (run_id bigserial PRIMARY KEY, {_columns(RUN_FIELDS)})",
            f"CREATE TABLE IF NOT EXISTS {t['sites']} (fid bigserial PRIMARY KEY, "
            f"run_id bigint NOT NULL REFERENCES {t['runs']} (run_id), {_columns(SITE_FIELDS)}, "
            f"geom geometry(Geometry, {_SRID}))",
            f"CREATE TABLE IF NOT EXISTS {t['findings']} (fid bigserial PRIMARY KEY, "
            f"run_id bigint NOT NULL REFERENCES {t['runs']} (run_id), {_columns(FINDING_FIELDS)})",
            f"CREATE INDEX IF NOT EXISTS sites_site_run ON {t['sites']} (site_id, run_id)",
            f"CREATE INDEX IF NOT EXISTS sites_run ON {t['sites']} (run_id)",
            f"CREATE INDEX IF NOT EXISTS sites_geom ON {t['sites']} USING gist (geom)",
            f"CREATE INDEX IF NOT EXISTS findings_run_site ON {t['findings']} (run_id, site_id)",
        ]

    def _write(self, run: dict[str, Any], result: ScreeningResult) -> int:
        import psycopg
        from psycopg.types.json import Jsonb

        t = self._TABLES
        values = [Jsonb(v) if RUN_FIELDS[k] == "json" else v for k, v in run.items()]
        conn = self._connect()
        try:
            with conn.transaction(), conn.cursor() as cur:
                marks = ", ".join(["%s"] * len(RUN_FIELDS))
                insert = f"INSERT INTO {t['runs']} ({', '.join(RUN_FIELDS)}) VALUES ({marks}) RETURNING run_id"
                cur.execute(insert, values)
                run_id = int(cur.fetchone()[0])
                with cur.copy(f"COPY {t['sites']} (run_id, {', '.join(SITE_FIELDS)}, geom) FROM STDIN") as copy:
                    for row in rows.site_rows(result, run_id, _ewkb_hex):
                        copy.write_row(row)
                with cur.copy(f"COPY {t['findings']} (run_id, {', '.join(FINDING_FIELDS)}) FROM STDIN") as copy:
                    for row in rows.finding_rows(result, run_id):
                        copy.write_row(row)
        except psycopg.Error as exc:
            raise not_written(self.target, exc) from None
        finally:
            conn.close()
        return run_id

    def _query(self, sql: str, params: list) -> tuple[list[str], list[tuple]]:
        import psycopg

        conn = self._connect()
        try:
            cur = conn.execute(sql, params)
            return [d.name for d in cur.description], cur.fetchall()
        except psycopg.Error as exc:
            raise RegisterError(
                f"register {self.target}: cannot be read ({' '.join(str(exc).split())[:300]})",
                param="register",
                value=self.target,
            ) from None
        finally:
            conn.close()

    def _time_param(self, moment: datetime) -> Any:
        return moment

    def _geometries(self, values: list) -> np.ndarray:
        return shapely.from_wkb(np.asarray(values, dtype=object))
