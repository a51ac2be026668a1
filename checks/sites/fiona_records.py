"""Stream a vector file record by record with fiona, for the sources whose Arrow stream GDAL cannot give.

GDAL's Arrow stream (pyogrio's fast path) of a FlatGeobuf written without a spatial index breaks
on its null geometries (the offsets of the geometry column come out corrupt), so such a file
could only be read whole.  fiona iterates the same OGR layer one feature at a time, in any
file GDAL reads sequentially; :func:`fiona_batches` gathers the features into batches of
attribute rows and WKB, as :mod:`redline.checks.sites.gis_source` takes them from Arrow, so the
rest of the reading is the same.

Each feature's geometry comes out of fiona as GeoJSON-like coordinates and is written back
as 2D WKB here (Z and M dropped, as :func:`layers.source.normalise_geometries` drops them),
rings exactly as stored, unclosed ones included, so that they are judged like WKB from GDAL.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["fiona_batches", "fiona_errors", "geometry_wkb"]

_KIND = {
    "Point": 1,
    "LineString": 2,
    "Polygon": 3,
    "MultiPoint": 4,
    "MultiLineString": 5,
    "MultiPolygon": 6,
    "GeometryCollection": 7,
}
_HEAD = struct.Struct("<BI")  # byte order (1: little-endian), geometry type
_COUNT = struct.Struct("<I")
_XY = struct.Struct("<dd")


def fiona_errors() -> tuple[type[Exception], ...]:
    """Return what fiona raises for a file or layer it cannot read (callers word the message)."""
    from fiona.errors import FionaError

    return (FionaError, OSError)


def _xy(coords) -> bytes:
    """Return the 2D points of a coordinate sequence as WKB doubles."""
    if not len(coords):
        return b""
    points = np.asarray(coords, dtype="<f8").reshape(len(coords), -1)[:, :2]
    return np.ascontiguousarray(points).tobytes()


def _point(coords) -> bytes:
    if not len(coords):
        return _HEAD.pack(1, 1) + _XY.pack(np.nan, np.nan)  # POINT EMPTY, as WKB writes it
    return _HEAD.pack(1, 1) + _XY.pack(coords[0], coords[1])


def _line(coords) -> bytes:
    return _HEAD.pack(1, 2) + _COUNT.pack(len(coords)) + _xy(coords)


def _polygon(rings) -> bytes:
    return _HEAD.pack(1, 3) + _COUNT.pack(len(rings)) + b"".join(_COUNT.pack(len(r)) + _xy(r) for r in rings)


_PART = {"MultiPoint": _point, "MultiLineString": _line, "MultiPolygon": _polygon}


def geometry_wkb(kind: str, coordinates=None, geometries=None) -> bytes:
    """Write a GeoJSON-like geometry as 2D little-endian WKB.

    Parameters
    ----------
    kind : str
        ``Point``, ``LineString``, ``Polygon``, ``MultiPoint``, ``MultiLineString``,
        ``MultiPolygon`` or ``GeometryCollection``.
    coordinates : sequence
        As GeoJSON nests them (not for a collection).
    geometries : sequence, optional
        The members of a ``GeometryCollection``: objects with ``type``, ``coordinates`` and
        (for nested collections) ``geometries``, as fiona gives them.

    Examples
    --------
    >>> import shapely
    >>> shapely.from_wkb(geometry_wkb("Polygon", [[(0, 0, 5), (1, 0, 5), (1, 1, 5), (0, 0, 5)]])).wkt
    'POLYGON ((0 0, 1 0, 1 1, 0 0))'
    """
    if kind == "Point":
        return _point(coordinates)
    if kind == "LineString":
        return _line(coordinates)
    if kind == "Polygon":
        return _polygon(coordinates)
    if kind in _PART:
        part = _PART[kind]
        return _HEAD.pack(1, _KIND[kind]) + _COUNT.pack(len(coordinates)) + b"".join(part(c) for c in coordinates)
    if kind == "GeometryCollection":
        members = [geometry_wkb(g.type, g.coordinates, getattr(g, "geometries", None)) for g in geometries or []]
        return _HEAD.pack(1, 7) + _COUNT.pack(len(members)) + b"".join(members)
    raise ValueError(f"geometry type {kind!r} cannot be written as WKB here")


def _feature_wkb(geometry) -> bytes | None:
    if geometry is None:
        return None
    try:
        return geometry_wkb(geometry.type, geometry.coordinates, getattr(geometry, "geometries", None))
    except (ValueError, TypeError, struct.error):  # a geometry fiona cannot describe: unreadable, as GDAL's WKB
        return b""


def _values(props, names: list[str]) -> list:
    """Return the values of the fields ``names`` of a fiona feature's properties."""
    data = getattr(props, "_data", None)  # fiona 1.x holds them in a dict: reading it skips building one per field
    if isinstance(data, dict):
        return [data.get(name) for name in names]
    return [props[name] for name in names]


def _frame(rows: list[list], columns: list[str], kinds: dict[str, str]) -> pd.DataFrame:
    """Attribute rows as pyogrio gives them: dates and datetimes as datetime64, missing values None/NaN."""
    df = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if kinds.get(column, "").split(":")[0] in ("date", "datetime"):
            df[column] = pd.to_datetime(df[column], errors="coerce")
    return df


def _open(path, columns: list[str] | None, geometry: bool, options: dict):
    """Open with fiona, asking GDAL to skip the fields (and geometry) not wanted where its driver can."""
    import fiona
    from fiona.errors import DriverError

    try:
        return fiona.open(path, include_fields=columns, ignore_geometry=not geometry, **options)
    except DriverError:  # a driver that cannot skip fields (GeoJSON): read them all, keep the wanted ones
        return fiona.open(path, **options)


def fiona_batches(
    path: str | Path,
    *,
    batch_size: int,
    columns: list[str] | None = None,
    geometry: bool = True,
    layer: str | None = None,
    encoding: str | None = None,
) -> Iterator[tuple[pd.DataFrame, np.ndarray | None]]:
    """Yield ``(attributes, wkb)`` for every ``batch_size`` features of a vector file, read one by one.

    Parameters
    ----------
    path : str or Path
    batch_size : int
        Features per batch (the last batch may be smaller; an empty file yields nothing).
    columns : list of str, optional
        The attribute columns to read (default: all).
    geometry : bool
        False to skip the geometries (``wkb`` is then None).
    layer, encoding : str, optional
        As for :func:`fiona.open`.

    Raises
    ------
    fiona.errors.FionaError, OSError
        (:func:`fiona_errors`) for a file or layer that cannot be read.

    Examples
    --------
    >>> from redline.layers import sample_dir
    >>> batches = fiona_batches(sample_dir() / "sites.geojson", batch_size=25, columns=["site_id"])
    >>> [(len(df), len(wkb)) for df, wkb in batches]
    [(25, 25), (17, 17)]
    """
    options = {"layer": layer, "encoding": encoding}
    with _open(path, columns, geometry, {k: v for k, v in options.items() if v}) as src:
        names = list(src.schema["properties"]) if columns is None else list(columns)
        kinds = dict(src.schema["properties"])
        rows: list[list] = []
        wkb: list[bytes | None] = []
        for feature in src:
            rows.append(_values(feature.properties, names))
            if geometry:
                wkb.append(_feature_wkb(feature.geometry))
            if len(rows) == batch_size:
                yield _frame(rows, names, kinds), (np.array(wkb, dtype=object) if geometry else None)
                rows, wkb = [], []
        if rows:
            yield _frame(rows, names, kinds), (np.array(wkb, dtype=object) if geometry else None)
