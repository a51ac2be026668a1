"""Zone layers from PostgreSQL/PostGIS: a table or a query instead of a file.

In ``layerset.yaml`` a layer may name ``source: postgresql://USER@HOST:PORT/DB`` with ``table:
SCHEMA.TABLE`` (or ``sql: SELECT ...`` returning a geometry column) instead of ``path:``.  This
module reads such a source: the rows with their geometry (fetched as WKB and built with
:func:`shapely.from_wkb`, so GDAL's PostgreSQL driver is not needed), the CRS from the geometry
column's SRID, and a fingerprint of the content computed by the server, so that an unchanged
table is recognised without transferring its rows.

The password never appears in a manifest, a message or a report: a URL holding one is refused.
libpq takes it from ``PGPASSWORD`` or ``~/.pgpass`` (``PGPASSFILE``), or from the environment
variable the manifest names with ``password_env:``.  Every problem (server unreachable, table or
column missing, a geometry column without SRID) is a :class:`~redline.zones.errors.LayerError`
naming the layer, the server (without password) and the fix.

The driver is psycopg 3 (``psycopg[binary]``), imported only when a server is contacted.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from redline.zones.errors import LayerError, RedlineError

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgisMeta", "PostgresURL", "connect", "parse_postgres_url", "postgis_fingerprint", "read_postgis_layer"]

#: Where the password may come from, for messages.
PASSWORD_SOURCES = "PGPASSWORD, ~/.pgpass or an environment variable named by `password_env:`"
_PASSWORD_SOURCES_ZH = "PGPASSWORD、~/.pgpass 或由 `password_env:` 指定的环境变量"
_SCHEMES = ("postgresql", "postgres")
_FETCH = 20_000
_CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class PostgresURL:
    """A ``postgresql://`` URL without password, split into its parts.

    Examples
    --------
    >>> url = parse_postgres_url("postgresql://gis@db.example:5433/zones?sslmode=require")
    >>> url.user, url.host, url.port, url.dbname, url.label
    ('gis', 'db.example', 5433, 'zones', 'postgresql://gis@db.example:5433/zones')
    """

    url: str
    user: str
    host: str
    port: int | None
    dbname: str

    @property
    def label(self) -> str:
        """``postgresql://user@host:port/db``: the server for messages and reports (never a password)."""
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"postgresql://{user}{self.host or 'localhost'}{port}/{self.dbname}"


def parse_postgres_url(
    url: str, *, what: str = "source", error: type[RedlineError] = LayerError, param: str = "layers"
) -> PostgresURL:
    """Check a ``postgresql://`` URL and split it; refuse one that holds a password.

    Parameters
    ----------
    url : str
        ``postgresql://USER@HOST:PORT/DB`` (libpq's URL form; query options such as ``sslmode``
        are allowed, ``password`` is not).
    what : str
        What the URL is, for messages (the layer, or the register).
    error : type
        The error class to raise.
    param : str
        The parameter named by errors.

    Raises
    ------
    LayerError
        Not a PostgreSQL URL, or a password in it (the message never repeats the password).

    Examples
    --------
    >>> parse_postgres_url("postgresql://gis@localhost/zones").label
    'postgresql://gis@localhost/zones'
    >>> parse_postgres_url("postgresql://gis:secret@localhost/zones")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    redline.zones.errors.LayerError: source: the URL postgresql://gis@localhost/zones holds a password; ...
    """
    parts = urlsplit(str(url))
    if parts.scheme not in _SCHEMES:
        raise error(
            f"{what}: {parts.scheme or str(url)[:20]!r} is not a PostgreSQL URL; "
            "write postgresql://USER@HOST:PORT/DATABASE",
            param=param,
            zh=f"{what}：{parts.scheme or str(url)[:20]!r} 不是 PostgreSQL 网址；"
            "请写成 postgresql://用户名@主机:端口/数据库",
        )
    try:
        port = parts.port
    except ValueError:
        raise error(
            f"{what}: the port in the PostgreSQL URL is not a number",
            param=param,
            zh=f"{what}：PostgreSQL 网址中的端口不是数字",
        ) from None
    found = PostgresURL(
        url=str(url),
        user=unquote(parts.username or ""),
        host=unquote(parts.hostname or ""),
        port=port,
        dbname=unquote(parts.path.lstrip("/")),
    )
    query = dict(parse_qsl(parts.query))
    if parts.password is not None or "password" in query:
        raise error(
            f"{what}: the URL {found.label} holds a password; remove it from the URL and give the password "
            f"in {PASSWORD_SOURCES}",
            param=param,
            value=found.label,
            zh=f"{what}：网址 {found.label} 中含有密码；请从网址中去掉密码，改由 {_PASSWORD_SOURCES_ZH} 提供",
        )
    return found


def _psycopg():
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        raise LayerError(
            "reading PostgreSQL needs the psycopg driver; install it with pip install 'psycopg[binary]>=3.1'",
            param="layers",
            zh="读取 PostgreSQL 需要 psycopg 驱动；请用 pip install 'psycopg[binary]>=3.1' 安装",
        ) from None
    return psycopg


def _reason(exc: Exception, secret: str | None) -> str:
    """Return a driver error on one line, with any password blotted out."""
    text = " ".join(str(exc).split())
    if secret:
        text = text.replace(secret, "***")
    return text[:400]


def _reachable(url: PostgresURL) -> bool:
    """Return True when something accepts TCP connections at the URL's host and port."""
    if not url.host or url.host.startswith("/") or "," in url.host:
        return False
    try:
        with socket.create_connection((url.host, url.port or 5432), timeout=3):
            return True
    except OSError:
        return False


def _connect_hint(exc: Exception, url: PostgresURL) -> tuple[str, str]:
    """Return what to check after a failed connection, in English and in Chinese."""
    if getattr(exc, "sqlstate", None) == "3D000" or _reachable(url):  # the server answered: the login failed
        return (
            f"check the user name and the database name in the URL, and the password ({PASSWORD_SOURCES})",
            f"请检查网址中的用户名和数据库名，以及密码（{_PASSWORD_SOURCES_ZH}）",
        )
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    return (
        f"check that the server runs and accepts connections at {where} and that the URL is right",
        f"请检查服务器是否在运行、是否在 {where} 接受连接，以及网址是否正确",
    )


def connect(
    url: str | PostgresURL,
    *,
    password_env: str | None = None,
    what: str = "source",
    error: type[RedlineError] = LayerError,
    param: str = "layers",
) -> psycopg.Connection:
    """Open a connection (not in autocommit) with the password from the environment.

    Parameters
    ----------
    url : str or PostgresURL
        The server; checked with :func:`parse_postgres_url`.
    password_env : str, optional
        Name of the environment variable holding the password; without it libpq looks at
        ``PGPASSWORD`` and ``~/.pgpass``.
    what : str
        What is being opened, for messages.
    error : type
        The error class to raise.
    param : str
        The parameter named by errors.

    Raises
    ------
    LayerError
        The password variable is not set, or the server cannot be reached or refuses the login.

    Examples
    --------
    >>> connect("postgresql://gis@127.0.0.1:5432/zones", password_env="NO_SUCH_VARIABLE")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    redline.zones.errors.LayerError: source: the environment variable 'NO_SUCH_VARIABLE' named by ... is not set; ...
    """
    parsed = url if isinstance(url, PostgresURL) else parse_postgres_url(url, what=what, error=error, param=param)
    psycopg = _psycopg()
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise error(
                f"{what}: the environment variable {password_env!r} named by `password_env:` is not set; "
                f"set it to the password of {parsed.label} before the run",
                param=param,
                value=parsed.label,
                zh=f"{what}：`password_env:` 指定的环境变量 {password_env!r} 未设置；"
                f"请在运行前把它设为 {parsed.label} 的密码",
            )
    kwargs: dict[str, Any] = {"application_name": "redline-checker"}
    if "connect_timeout" not in parsed.url:
        kwargs["connect_timeout"] = _CONNECT_TIMEOUT_S
    if password is not None:
        kwargs["password"] = password
    try:
        return psycopg.connect(parsed.url, **kwargs)
    except psycopg.Error as exc:
        hint, hint_zh = _connect_hint(exc, parsed)
        raise error(
            f"{what}: cannot connect to {parsed.label}: {_reason(exc, password)}; {hint}",
            param=param,
            value=parsed.label,
            zh=f"{what}：无法连接 {parsed.label}：{_reason(exc, password)}；{hint_zh}",
        ) from None


@dataclass(frozen=True)
class PostgisMeta:
    """What was read from a PostGIS source.

    Attributes
    ----------
    server : str
        ``postgresql://user@host:port/db`` (never a password).
    source : str
        ``table schema.table`` or ``sql``.
    geometry_column : str
        The geometry column read.
    srid : int
        Its SRID.
    crs : str
        The CRS of that SRID (``EPSG:4490``, or WKT for a non-EPSG entry of ``spatial_ref_sys``).
    fingerprint : str
        :func:`postgis_fingerprint` of the rows read, taken in the same snapshot.
    rows : int
        Rows read.

    Examples
    --------
    >>> meta = PostgisMeta("postgresql://gis@db:5432/zones", "table zones.redline", "geom", 4490, "EPSG:4490",
    ...                    "postgis-sha256:" + "0" * 64, 4)
    >>> meta.crs, meta.rows
    ('EPSG:4490', 4)
    """

    server: str
    source: str
    geometry_column: str
    srid: int
    crs: str
    fingerprint: str
    rows: int


@dataclass(frozen=True)
class _Source:
    """A resolved source: what to select from, which columns, which geometry."""

    relation: Any  # psycopg.sql.Composable: SELECT ... giving the rows
    describe: str  # "table x.y" or "sql"
    columns: list[str]
    geometry: str
    typmod_srid: int  # 0 unless the column is typed with an SRID
    as_text: frozenset[str] = frozenset()  # columns of types the driver cannot load in binary: read as text


def _fail(what: str, server: str, text: str, zh: str) -> LayerError:
    """Return the error of a PostGIS layer: ``what`` it is, then ``text`` (English) or ``zh`` (Chinese)."""
    return LayerError(f"{what}: {text}", param="layers", value=server, zh=f"{what}：{zh}")


def _split_table(table: str) -> list[str]:
    parts = [p.strip().strip('"') for p in str(table).split(".")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise LayerError(
            f"table {table!r} is not SCHEMA.TABLE or TABLE; fix `table:`",
            param="layers",
            value=table,
            zh=f"表 {table!r} 不是 SCHEMA.TABLE 或 TABLE 的形式；请改正 `table:`",
        )
    return parts


def _relation(conn: psycopg.Connection, table: str | None, sql: str | None, what: str, server: str) -> tuple:
    """Return ``(SELECT giving the rows, description, table oid or None)``; raise when the table is missing."""
    from psycopg import sql as q

    if (table is None) == (sql is None):
        raise _fail(
            what,
            server,
            "give either `table:` (SCHEMA.TABLE) or `sql:` (a SELECT), not both or neither",
            "`table:`（SCHEMA.TABLE）和 `sql:`（一条 SELECT）须给且只给一个",
        )
    if table is None:
        return q.SQL(str(sql).strip().rstrip(";")), "sql", None  # the manifest's own query, run as given
    parts = _split_table(table)
    ident = q.Identifier(*parts)
    oid = conn.execute("SELECT to_regclass(%s)::oid", [ident.as_string(conn)]).fetchone()[0]
    if oid is None:
        raise _fail(
            what,
            server,
            f"table {table!r} does not exist in {server}; fix `table:` (SCHEMA.TABLE)",
            f"{server} 中没有表 {table!r}；请改正 `table:`（SCHEMA.TABLE）",
        )
    return q.SQL("SELECT * FROM {}").format(ident), f"table {'.'.join(parts)}", oid


def _pick_geometry(geoms: list[str], names: list[str], wanted: str | None, source: str, what: str, server: str) -> str:
    """Return the geometry column to read; raise when it is missing or when it is not clear which."""
    if wanted is not None and wanted not in geoms:
        kind, kind_zh = ("is not a geometry column", "不是几何列") if wanted in names else ("does not exist", "不存在")
        listed = ", ".join(geoms) or "none"
        text = f"column {wanted!r} of {source} {kind}; its geometry columns are {listed}; fix `geometry_column:`"
        zh = f"{source} 的列 {wanted!r} {kind_zh}；它的几何列有 {'、'.join(geoms) or '（无）'}；"
        zh += "请改正 `geometry_column:`"
    elif wanted is None and not geoms:
        text = f"{source} has no geometry column; return one (e.g. geom::geometry) or name another table"
        zh = f"{source} 没有几何列；请返回一个几何列（如 geom::geometry），或指定另一张表"
    elif wanted is None and len(geoms) > 1:
        text = f"{source} has {len(geoms)} geometry columns ({', '.join(geoms)}); name one with `geometry_column:`"
        zh = f"{source} 有 {len(geoms)} 个几何列（{'、'.join(geoms)}）；请用 `geometry_column:` 指定其中一个"
    else:
        return wanted or geoms[0]
    raise _fail(what, server, text, zh)


def _typmod_srid(conn: psycopg.Connection, oid: int | None, geometry: str) -> int:
    """Return the SRID a table's geometry column is typed with (0 when untyped, or for a query)."""
    if oid is None:
        return 0
    found = conn.execute(
        "SELECT g.srid FROM geometry_columns g JOIN pg_class c ON c.relname = g.f_table_name "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = g.f_table_schema "
        "WHERE c.oid = %s AND g.f_geometry_column = %s",
        [oid, geometry],
    ).fetchone()
    return int(found[0] or 0) if found else 0


def _resolve(
    conn: psycopg.Connection,
    *,
    table: str | None,
    sql: str | None,
    geometry_column: str | None,
    columns: list[str] | None,
    what: str,
    server: str,
) -> _Source:
    """Find the relation, its geometry column and the columns to read; raise on every mismatch."""
    from psycopg import sql as q

    psycopg = _psycopg()
    geom_oid = conn.execute("SELECT to_regtype('geometry')::oid").fetchone()[0]
    if geom_oid is None:
        raise _fail(
            what,
            server,
            "the database has no PostGIS extension; run CREATE EXTENSION postgis there",
            "该数据库没有 PostGIS 扩展；请在其中执行 CREATE EXTENSION postgis",
        )
    relation, describe, oid = _relation(conn, table, sql, what, server)
    try:
        columns_of = conn.execute(q.SQL("SELECT * FROM ({}) AS src LIMIT 0").format(relation)).description
    except psycopg.Error as exc:
        fix, fix_zh = (
            ("fix `sql:`", "请改正 `sql:`")
            if table is None
            else (
                "check that the URL's user may read it (GRANT SELECT)",
                "请检查网址中的用户有读取权限（GRANT SELECT）",
            )
        )
        reason = _reason(exc, None)
        raise _fail(
            what, server, f"cannot read {describe}: {reason}; {fix}", f"无法读取 {describe}：{reason}；{fix_zh}"
        ) from None
    names = [d.name for d in columns_of]
    geoms = [d.name for d in columns_of if d.type_code == geom_oid]
    binary = psycopg.pq.Format.BINARY
    as_text = frozenset(d.name for d in columns_of if conn.adapters.get_loader(d.type_code, binary) is None)
    source = describe if table is None else f"table {table!r}"
    geometry = _pick_geometry(geoms, names, geometry_column, source, what, server)
    attrs = [n for n in names if n not in geoms]
    if columns is not None:
        missing = [c for c in columns if c not in attrs]
        if missing:
            raise _fail(
                what,
                server,
                f"{source} has no column {', '.join(map(repr, missing))}; its columns are {', '.join(attrs)}; "
                "fix the field names (id_field, name_field, class_field) in layerset.yaml",
                f"{source} 没有列 {'、'.join(map(repr, missing))}；它的列有 {'、'.join(attrs)}；"
                "请改正 layerset.yaml 中的字段名（id_field、name_field、class_field）",
            )
        attrs = list(dict.fromkeys(columns))
    return _Source(relation, describe, attrs, geometry, _typmod_srid(conn, oid, geometry), as_text)


def _digest_sql(src: _Source) -> Any:
    """Server-side digest: sha256 over the sorted sha256 of every row (EWKB geometry, attributes read).

    A row's hash covers its geometry as EWKB (so the SRID too; NULL marked apart from any
    geometry) followed by the text of its attribute columns; the row hashes are sorted (so the
    physical order does not count) and hashed together with the row count.
    """
    from psycopg import sql as q

    attrs = q.SQL(", ").join(q.Identifier("src", c) for c in src.columns)
    geom = q.Identifier("src", src.geometry)
    return q.SQL(
        "SELECT count(*), encode(sha256(coalesce(string_agg(h, ''::bytea ORDER BY h), ''::bytea) "
        "|| int8send(count(*))), 'hex') "
        "FROM (SELECT sha256(coalesce('\\x01'::bytea || ST_AsEWKB({}), '\\x00'::bytea) "
        "|| convert_to(ROW({})::text, 'UTF8')) AS h FROM ({}) AS src) AS hashed"
    ).format(geom, attrs, src.relation)


def _fingerprint(conn: psycopg.Connection, src: _Source, what: str, server: str) -> tuple[str, int]:
    try:
        count, digest = conn.execute(_digest_sql(src)).fetchone()
    except _psycopg().Error as exc:
        raise _unreadable(what, server, src, exc) from None
    return f"postgis-sha256:{digest}", int(count)


def _crs_of(conn: psycopg.Connection, srid: int, what: str, server: str) -> CRS:
    row = conn.execute("SELECT auth_name, auth_srid, srtext FROM spatial_ref_sys WHERE srid = %s", [srid]).fetchone()
    if row is None:
        raise _fail(
            what,
            server,
            f"SRID {srid} is not in spatial_ref_sys; give the geometry a known SRID",
            f"SRID {srid} 不在 spatial_ref_sys 中；请给几何一个已知的 SRID",
        )
    auth, code, wkt = row
    if auth and str(auth).upper() == "EPSG" and code:
        return CRS.from_epsg(int(code))
    return CRS.from_wkt(wkt)


def _unreadable(what: str, server: str, src: _Source, exc: Exception) -> LayerError:
    reason = _reason(exc, None)
    return _fail(what, server, f"cannot read {src.describe}: {reason}", f"无法读取 {src.describe}：{reason}")


def _no_srid(what: str, server: str, src: _Source, srids: set[int]) -> LayerError:
    if srids == {0}:
        how, how_zh = "has no SRID (0)", "没有 SRID（为 0）"
    else:
        how = f"mixes SRIDs {', '.join(map(str, sorted(srids)))}"
        how_zh = f"混有多个 SRID：{'、'.join(map(str, sorted(srids)))}"
    update = f"SELECT UpdateGeometrySRID('schema', 'table', '{src.geometry}', 4490)"
    return _fail(
        what,
        server,
        f"geometry column {src.geometry!r} of {src.describe} {how}; set the SRID on the server "
        f"({update} for a table, or ST_SetSRID(geom, 4490) in `sql:`)",
        f"{src.describe} 的几何列 {src.geometry!r} {how_zh}；请在服务器上设定 SRID"
        f"（表用 {update}，`sql:` 中用 ST_SetSRID(geom, 4490)）",
    )


def _plain(values: list) -> list:
    """Return numeric values (Decimal) as int when whole, else float; other values unchanged."""
    if not any(isinstance(v, Decimal) for v in values):
        return values
    whole = all(v is None or (isinstance(v, Decimal) and v == v.to_integral_value()) for v in values)
    return [None if v is None else (int(v) if whole else float(v)) for v in values]


def _read_rows(conn: psycopg.Connection, src: _Source, check_srid: bool) -> tuple[dict[str, list], list, set[int]]:
    from psycopg import sql as q

    geom = q.Identifier(src.geometry)
    select = [q.SQL("{}::text" if c in src.as_text else "{}").format(q.Identifier(c)) for c in src.columns]
    select.append(q.SQL("ST_AsBinary({})").format(geom))
    if check_srid:
        select.append(q.SQL("ST_SRID({})").format(geom))
    query = q.SQL("SELECT {} FROM ({}) AS src").format(q.SQL(", ").join(select), src.relation)
    n = len(src.columns)
    data: dict[str, list] = {c: [] for c in src.columns}
    wkb: list = []
    srids: set[int] = set()
    with conn.cursor(name="redline_layer", binary=True) as cur:
        cur.execute(query)
        while rows := cur.fetchmany(_FETCH):
            for i, c in enumerate(src.columns):
                data[c].extend(r[i] for r in rows)
            wkb.extend(r[n] for r in rows)
            if check_srid:
                srids.update(r[n + 1] for r in rows if r[n] is not None)
    return data, wkb, srids


@dataclass
class _Opened:
    """A read-only connection in one snapshot, with the source resolved."""

    conn: Any
    src: _Source
    what: str
    server: str


@contextmanager
def _opened(
    url: str,
    *,
    table: str | None,
    sql: str | None,
    geometry_column: str | None,
    password_env: str | None,
    columns: list[str] | None,
    layer: str | None,
) -> Iterator[_Opened]:
    """Connect read-only (fingerprint and rows from one snapshot), resolve the source, close at the end."""
    what = layer or (f"table {table}" if table else "sql")
    parsed = parse_postgres_url(url, what=what)
    conn = connect(parsed, password_env=password_env, what=what)
    try:
        conn.read_only = True
        conn.isolation_level = _psycopg().IsolationLevel.REPEATABLE_READ
        with conn.transaction():
            found = dict(table=table, sql=sql, geometry_column=geometry_column, columns=columns)
            src = _resolve(conn, **found, what=what, server=parsed.label)
            yield _Opened(conn, src, what, parsed.label)
    finally:
        conn.close()


def read_postgis_layer(
    url: str,
    *,
    table: str | None = None,
    sql: str | None = None,
    geometry_column: str | None = None,
    password_env: str | None = None,
    columns: list[str] | None = None,
    layer: str | None = None,
) -> tuple[gpd.GeoDataFrame, PostgisMeta]:
    """Read a PostGIS table or query: its rows with geometry in the CRS of the column's SRID.

    Parameters
    ----------
    url : str
        ``postgresql://USER@HOST:PORT/DB`` without password.
    table : str, optional
        ``SCHEMA.TABLE`` (or ``TABLE`` on the search path).
    sql : str, optional
        A ``SELECT`` returning a geometry column, instead of ``table``.
    geometry_column : str, optional
        The geometry column, when the source has several.
    password_env : str, optional
        Environment variable holding the password (else ``PGPASSWORD`` or ``~/.pgpass``).
    columns : list of str, optional
        The attribute columns to read (by default all).
    layer : str, optional
        The layer's name in messages, e.g. ``layers[0] (ecological_redline)``.

    Returns
    -------
    (geopandas.GeoDataFrame, PostgisMeta)
        The attribute columns then ``geometry`` (rows in the source's order; NULL geometry as
        None), and what was read.  The fingerprint is taken in the same snapshot as the rows.

    Raises
    ------
    LayerError
        The server cannot be reached, the table, a column or the geometry column is missing,
        or the geometry has no SRID (``param="layers"``).

    Examples
    --------
    >>> gdf, meta = read_postgis_layer(  # doctest: +SKIP
    ...     "postgresql://gis@db.bureau:5432/zones", table="zones.redline", columns=["HXBH", "HXMC", "HXLX"],
    ...     password_env="ZONES_PASSWORD", layer="layers[0] (ecological_redline)")
    >>> meta.crs, meta.fingerprint[:15]  # doctest: +SKIP
    ('EPSG:4490', 'postgis-sha256:')

    A password in the URL is refused before anything is sent:

    >>> read_postgis_layer("postgresql://gis:secret@db.bureau/zones", table="zones.redline")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    redline.zones.errors.LayerError: table zones.redline: the URL postgresql://gis@db.bureau/zones holds a password; ...
    """
    psycopg = _psycopg()
    source = dict(table=table, sql=sql, geometry_column=geometry_column, columns=columns, layer=layer)
    with _opened(url, password_env=password_env, **source) as opened:
        conn, src, what, server = opened.conn, opened.src, opened.what, opened.server
        fingerprint, _ = _fingerprint(conn, src, what, server)
        try:
            data, wkb, srids = _read_rows(conn, src, check_srid=src.typmod_srid == 0)
        except psycopg.Error as exc:
            raise _unreadable(what, server, src, exc) from None
        srid = src.typmod_srid
        if not srid and (len(srids) > 1 or srids == {0}):
            raise _no_srid(what, server, src, srids)
        srid = srid or (srids.pop() if srids else 0)
        # (no row with geometry and an untyped column: no SRID to know, and no zone to place)
        crs = _crs_of(conn, srid, what, server) if srid else None
    frame = pd.DataFrame({c: _plain(v) for c, v in data.items()}, columns=src.columns)
    geometry = shapely.from_wkb(np.asarray(wkb, dtype=object)) if wkb else np.asarray([], dtype=object)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)
    label = "" if crs is None else crs.to_string() if crs.to_epsg() is None else f"EPSG:{crs.to_epsg()}"
    meta = PostgisMeta(server, src.describe, src.geometry, srid, label, fingerprint, len(gdf))
    return gdf, meta


def postgis_fingerprint(
    url: str,
    *,
    table: str | None = None,
    sql: str | None = None,
    geometry_column: str | None = None,
    password_env: str | None = None,
    columns: list[str] | None = None,
    layer: str | None = None,
) -> str:
    """Return a fingerprint of a PostGIS source's content, computed by the server.

    The server hashes every row (the geometry as EWKB, so its SRID counts too, and the attribute
    columns read), sorts the row hashes and hashes them with the row count: no row is
    transferred, the physical order of the rows does not matter, and any changed, added or
    removed row changes the result.  Columns not read (outside ``columns``) do not count.

    Parameters are those of :func:`read_postgis_layer`.

    Returns
    -------
    str
        ``postgis-sha256:<64 hex digits>``, equal to ``read_postgis_layer(...)[1].fingerprint`` for
        the same content.

    Raises
    ------
    LayerError
        As :func:`read_postgis_layer`.

    Examples
    --------
    >>> url = "postgresql://gis@db.bureau:5432/zones"
    >>> before = postgis_fingerprint(url, table="zones.redline")  # doctest: +SKIP
    >>> postgis_fingerprint(url, table="zones.redline") == before  # nothing changed  # doctest: +SKIP
    True
    """
    source = dict(table=table, sql=sql, geometry_column=geometry_column, columns=columns, layer=layer)
    with _opened(url, password_env=password_env, **source) as opened:
        return _fingerprint(opened.conn, opened.src, opened.what, opened.server)[0]
