"""The register in one GeoPackage file, written with sqlite3: a GIS opens its ``sites`` layer as it is.

The file follows the GeoPackage 1.3 layout (``gpkg_spatial_ref_sys``, ``gpkg_contents``,
``gpkg_geometry_columns``; geometry as GeoPackage binary: the ``GP`` header, the envelope,
then WKB).  ``sites`` is a feature table in EPSG:4490; ``runs`` and ``findings`` are attribute
tables.  A run is written in one SQLite transaction taken with ``BEGIN IMMEDIATE``: a process
killed half-way leaves a journal that SQLite rolls back on the next open, so the register is as
it was before that run.  Several processes may record into one file; each waits its turn.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS
from pyproj.enums import WktVersion

from redline.checks.register import rows
from redline.checks.register.base import Register, not_written
from redline.checks.register.rows import FINDING_FIELDS, RUN_FIELDS, SITE_FIELDS, RegisterError

if TYPE_CHECKING:
    from redline.checks.result import ScreeningResult

__all__ = ["GeoPackageRegister", "gpkg_blobs", "gpkg_geometries"]

_SRS_ID = 4490
_APPLICATION_ID = 0x47504B47  # "GPKG"
_USER_VERSION = 10300  # GeoPackage 1.3
_BUSY_TIMEOUT_S = 60.0
_SQL_TYPES = {"text": "TEXT", "integer": "INTEGER", "real": "REAL", "json": "TEXT", "time": "TEXT"}
# envelope indicator -> number of doubles in the envelope
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def gpkg_blobs(geoms: np.ndarray, srs_id: int = _SRS_ID) -> list[bytes | None]:
    r"""Return GeoPackage geometry blobs (little-endian, with an XY envelope except for points).

    Examples
    --------
    >>> from shapely import Point, box
    >>> blobs = gpkg_blobs(np.array([Point(1, 2), box(0, 0, 1, 1), None], dtype=object))
    >>> blobs[0][:4], len(blobs[0]), len(blobs[1]) - len(shapely.to_wkb(box(0, 0, 1, 1))), blobs[2]
    (b'GP\x00\x01', 29, 40, None)
    >>> [g.wkt for g in gpkg_geometries(blobs[:2])]
    ['POINT (1 2)', 'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))']
    """
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    wkb = shapely.to_wkb(geoms, byte_order=1, output_dimension=2, flavor="iso")
    bounds = shapely.bounds(geoms)
    empty = shapely.is_empty(geoms)
    points = shapely.get_type_id(geoms) == 0
    out: list[bytes | None] = []
    for i in range(len(geoms)):
        if not present[i]:
            out.append(None)
        elif empty[i] or points[i]:  # no envelope (an empty one is flagged)
            flags = 0b1 | (0b10000 if empty[i] else 0)
            out.append(struct.pack("<2sBBi", b"GP", 0, flags, srs_id) + wkb[i])
        else:
            minx, miny, maxx, maxy = bounds[i]
            out.append(struct.pack("<2sBBi4d", b"GP", 0, 0b011, srs_id, minx, maxx, miny, maxy) + wkb[i])
    return out


def gpkg_geometries(blobs: list) -> np.ndarray:
    """Return shapely geometries from GeoPackage geometry blobs (None stays None)."""
    wkb: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkb.append(None)
            continue
        blob = bytes(blob)
        if blob[:2] != b"GP":
            raise RegisterError("the register holds a geometry that is not GeoPackage binary", param="register")
        envelope = (blob[3] >> 1) & 0b111
        wkb.append(blob[8 + 8 * _ENVELOPE_DOUBLES.get(envelope, 0) :])
    return shapely.from_wkb(np.asarray(wkb, dtype=object)) if wkb else np.empty(0, dtype=object)


def _columns(fields: dict[str, str]) -> str:
    return ", ".join(f"{name} {_SQL_TYPES[kind]}" for name, kind in fields.items())


def _wkt1(code: int) -> str:
    return CRS.from_epsg(code).to_wkt(WktVersion.WKT1_GDAL)


_GPKG_TABLES = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"""


def _register_tables() -> list[str]:
    return [
        f"CREATE TABLE runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, {_columns(RUN_FIELDS)})",
        "CREATE TABLE sites (fid INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL REFERENCES runs(run_id), "
        f"{_columns(SITE_FIELDS)}, geom GEOMETRY)",
        "CREATE TABLE findings (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
        f"run_id INTEGER NOT NULL REFERENCES runs(run_id), {_columns(FINDING_FIELDS)})",
        "CREATE INDEX sites_site_run ON sites (site_id, run_id)",
        "CREATE INDEX sites_run ON sites (run_id)",
        "CREATE INDEX findings_run_site ON findings (run_id, site_id)",
    ]


def _add_new_columns(conn: sqlite3.Connection) -> None:
    """Add the ``sites`` columns a register written by an earlier version lacks (empty in its rows)."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(sites)")}
    for name, kind in SITE_FIELDS.items():
        if name not in have:
            conn.execute(f"ALTER TABLE sites ADD COLUMN {name} {_SQL_TYPES[kind]}")


class GeoPackageRegister(Register):
    """The register in a GeoPackage file (created on first use).

    Parameters
    ----------
    path : str or Path
        A ``.gpkg`` file; its folder must exist.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.target = str(self.path)
        if self.path.suffix.lower() != ".gpkg":
            raise RegisterError(
                f"register {self.target!r} is not a .gpkg file; give PATH.gpkg or a postgresql:// URL",
                param="register",
                value=self.target,
            )
        if not self.path.parent.is_dir():
            raise RegisterError(
                f"register {self.target!r}: folder {str(self.path.parent)!r} does not exist; create it first",
                param="register",
                value=self.target,
            )
        self._ensure()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise RegisterError(
                f"register {self.target!r} cannot be opened ({exc}); give a GeoPackage the register wrote",
                param="register",
                value=self.target,
            ) from None
        return conn

    def _ensure(self) -> None:
        """Create the GeoPackage tables and the register's tables when they are not there yet."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"runs", "sites", "findings"} <= have:
                self._create(conn, have)
            _add_new_columns(conn)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise RegisterError(
                f"register {self.target!r} cannot be used ({exc}); give a new .gpkg path or one the register wrote",
                param="register",
                value=self.target,
            ) from None
        finally:
            conn.close()

    def _create(self, conn: sqlite3.Connection, have: set[str]) -> None:
        if have & {"runs", "sites", "findings"}:
            raise sqlite3.DatabaseError("the file holds some of the register's tables but not all")
        if "gpkg_contents" not in have:
            conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {_USER_VERSION}")
            for statement in _GPKG_TABLES.split(";"):  # (executescript would commit first)
                if statement.strip():
                    conn.execute(statement)
        srs = [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
            ("WGS 84 geodetic", 4326, "EPSG", 4326, _wkt1(4326), "longitude/latitude coordinates in decimal degrees"),
            ("China Geodetic Coordinate System 2000", _SRS_ID, "EPSG", _SRS_ID, _wkt1(_SRS_ID), "CGCS2000"),
        ]
        conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", srs)
        for statement in _register_tables():
            conn.execute(statement)
        contents = [
            ("runs", "attributes", "register runs", "screening runs (台账)", None),
            ("sites", "features", "register sites", "every screened site of every run", _SRS_ID),
            ("findings", "attributes", "register findings", "the findings of every run", None),
        ]
        conn.executemany(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?, ?, ?, ?, ?)",
            contents,
        )
        conn.execute("INSERT INTO gpkg_geometry_columns VALUES ('sites', 'geom', 'GEOMETRY', ?, 0, 0)", [_SRS_ID])

    def _write(self, run: dict[str, Any], result: ScreeningResult) -> int:
        values = [rows.dumps(v) if RUN_FIELDS[k] == "json" else v for k, v in run.items()]
        values[0] = rows.beijing_time(run["recorded"])
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            marks = ", ".join("?" * len(RUN_FIELDS))
            run_id = conn.execute(f"INSERT INTO runs ({', '.join(RUN_FIELDS)}) VALUES ({marks})", values).lastrowid
            marks = ", ".join("?" * (len(SITE_FIELDS) + 2))
            conn.executemany(
                f"INSERT INTO sites (run_id, {', '.join(SITE_FIELDS)}, geom) VALUES ({marks})",
                rows.site_rows(result, run_id, gpkg_blobs),
            )
            marks = ", ".join("?" * (len(FINDING_FIELDS) + 1))
            conn.executemany(
                f"INSERT INTO findings (run_id, {', '.join(FINDING_FIELDS)}) VALUES ({marks})",
                rows.finding_rows(result, run_id),
            )
            self._touch(conn, result)
            conn.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise not_written(self.target, exc) from None
        finally:
            conn.close()
        return int(run_id)

    def _touch(self, conn: sqlite3.Connection, result: ScreeningResult) -> None:
        """Widen the sites layer's extent in ``gpkg_contents`` to the new sites, and date the change."""
        geoms = np.asarray(result.sites.geometry.array, dtype=object)
        geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
        now = "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
        conn.execute(f"UPDATE gpkg_contents SET last_change = {now} WHERE table_name IN ('runs', 'sites', 'findings')")
        if len(geoms) == 0:
            return
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        conn.execute(
            "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), min_y = min(coalesce(min_y, ?2), ?2), "
            "max_x = max(coalesce(max_x, ?3), ?3), max_y = max(coalesce(max_y, ?4), ?4) WHERE table_name = 'sites'",
            [float(minx), float(miny), float(maxx), float(maxy)],
        )

    def _query(self, sql: str, params: list) -> tuple[list[str], list[tuple]]:
        conn = self._connect()
        try:
            cur = conn.execute(sql, params)
            return [d[0] for d in cur.description], cur.fetchall()
        except sqlite3.Error as exc:
            raise RegisterError(
                f"register {self.target!r} cannot be read ({exc})", param="register", value=self.target
            ) from None
        finally:
            conn.close()

    def _geometries(self, values: list) -> np.ndarray:
        return gpkg_geometries(values)
