"""Rows of a table to geometries: lon/lat (decimal or DMS) or WKT columns, and 界址点 parcels."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from redline.checks.sites import messages
from redline.checks.sites.columns import coordinate_column, find_column
from redline.checks.sites.geometry import in_china_array, is_geographic, not_lonlat, read_wkt
from redline.layers.crs import crs_label, parse_crs
from redline.layers.layerset import TARGET_CRS
from redline.layers.survey import parcels_from_table

__all__ = ["CoordinateColumns", "SwapTally", "parcel_rows", "table_geometries"]

#: The CRS label of a lon/lat table read without a CRS.
DEFAULT_TABLE_LABEL = "EPSG:4490 (default for longitude/latitude tables)"


@dataclass(frozen=True)
class CoordinateColumns:
    """The columns holding a table's coordinates (None where absent)."""

    lon: str | None
    lat: str | None
    wkt: str | None

    @classmethod
    def find(cls, columns: list[str], source: str) -> CoordinateColumns:
        """Find them among ``columns`` by their usual names (see :data:`~redline.checks.sites.columns.SITE_FIELDS`)."""
        return cls(*(find_column(columns, role, None, source) for role in ("lon", "lat", "wkt")))

    def check(self, source: str, columns) -> None:
        """Refuse a table with neither lon/lat nor WKT columns."""
        if not (self.lon and self.lat) and not self.wkt:
            raise messages.no_coordinate_columns(source, columns)


@dataclass
class SwapTally:
    """Rows of a lon/lat table holding a latitude in the longitude column, counted over the whole file."""

    swapped: int = 0
    usable: int = 0

    def check(self, source: str, cols: CoordinateColumns) -> None:
        """Refuse the table when every usable row is swapped (the columns are, not the rows)."""
        if self.swapped and self.swapped == self.usable:
            raise messages.swapped_columns(source, cols.lon, cols.lat)


@dataclass
class TableGeometries:
    """Geometries of a table's rows (in the table's CRS), with an error or None per row."""

    geoms: np.ndarray
    errors: list[str | None]
    unclosed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _wkt_rows(df: pd.DataFrame, wkt_col: str, row_offset: int) -> TableGeometries:
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    errors: list[str | None] = [None] * n
    unclosed = np.zeros(n, dtype=bool)
    texts = [str(text) for text in df[wkt_col].tolist()]
    blank = np.array([not t.strip() for t in texts], dtype=bool)
    filled = np.flatnonzero(~blank)
    if len(filled):  # one vectorised parse; the rows it cannot read are parsed again for their message
        geoms[filled] = shapely.from_wkt(np.array(texts, dtype=object)[filled], on_invalid="ignore")
    for i in np.flatnonzero(blank):
        errors[i] = f"row {row_offset + i + 2}: column {wkt_col!r} is empty (no geometry)"
    for i in filled[shapely.is_missing(geoms[filled])]:
        geoms[i], unclosed[i], error = read_wkt(texts[i])
        if error is not None:
            errors[i] = f"row {row_offset + i + 2}: {wkt_col!r} is not valid WKT ({error})"
    return TableGeometries(geoms, errors, unclosed)


def _lonlat_rows(df: pd.DataFrame, cols: CoordinateColumns, crs, row_offset: int, tally: SwapTally) -> TableGeometries:
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    errors: list[str | None] = [None] * n
    xs, ys = coordinate_column(df[cols.lon]), coordinate_column(df[cols.lat])
    usable = ~(np.isnan(xs) | np.isnan(ys))
    swapped = np.zeros(n, dtype=bool)
    if crs is None or is_geographic(crs):
        swapped = usable & ~in_china_array(xs, ys) & in_china_array(ys, xs)
    good = usable & ~swapped
    if good.any():
        geoms[good] = shapely.points(xs[good], ys[good])
    for i in np.flatnonzero(~good):
        lon_cell, lat_cell = df[cols.lon].iloc[i], df[cols.lat].iloc[i]
        if not usable[i]:
            errors[i] = f"row {row_offset + i + 2}: {cols.lon}={lon_cell!r}, {cols.lat}={lat_cell!r} are not numbers"
        else:
            errors[i] = (
                f"row {row_offset + i + 2}: {cols.lon}={lon_cell}, {cols.lat}={lat_cell} look swapped "
                f"(a latitude in the {cols.lon!r} column); check the row"
            )
    tally.swapped += int(swapped.sum())
    tally.usable += int(usable.sum())
    return TableGeometries(geoms, errors, np.zeros(n, dtype=bool))


def table_geometries(
    df: pd.DataFrame,
    source: str,
    cols: CoordinateColumns,
    crs,
    near,
    *,
    row_offset: int = 0,
    tally: SwapTally | None = None,
) -> TableGeometries:
    """Geometries of a table's rows from its lon/lat or (else) WKT columns.

    ``row_offset`` counts the rows before ``df`` (a chunk of a longer table) for the messages;
    swapped rows are counted in ``tally``, whose check is the caller's (once the whole table is read).

    Raises
    ------
    SiteError
        When the table has no coordinate columns.
    CRSError
        When ``crs`` is None and the coordinates are not longitude/latitude.
    """
    cols.check(source, df.columns)
    tally = tally if tally is not None else SwapTally()
    if cols.lon and cols.lat:
        out = _lonlat_rows(df, cols, crs, row_offset, tally)
    else:
        out = _wkt_rows(df, cols.wkt, row_offset)
    if crs is None:
        ok = ~shapely.is_missing(out.geoms) & ~shapely.is_empty(out.geoms)
        bounds = shapely.bounds(out.geoms[ok]) if ok.any() else np.empty((0, 4))
        if len(bounds) and not_lonlat(bounds).any():
            raise messages.table_not_lonlat(source, bounds, near)
    return out


@dataclass
class ParcelRows:
    """The parcels of a 界址点 table, one row each, ready to become sites."""

    geoms: np.ndarray
    attrs: pd.DataFrame
    errors: list[str | None]
    ids: list[str]
    crs: object
    label: str


def _parcel_crs(parcels, source: str, crs, declared: str | None, near) -> tuple[object, str]:
    """Return the parcels' CRS and its label: as given, as the file declares it, or lon/lat; else refuse."""
    if crs is not None:
        return crs, crs_label(crs)
    if declared:
        crs = parse_crs(declared)
        return crs, f"{crs_label(crs)} ({declared}, declared in the file)"
    if parcels.geographic:
        return CRS.from_user_input(TARGET_CRS), "EPSG:4490 (default for longitude/latitude)"
    ok = [g for g in parcels.geoms if g is not None]
    xy = shapely.get_coordinates(np.array(ok, dtype=object)) if ok else np.empty((0, 2))
    raise messages.parcels_without_crs(source, xy, near)


def parcel_rows(df: pd.DataFrame, source: str, default_id: str, crs, declared: str | None, near) -> ParcelRows:
    """One row per parcel of a 界址点 table: its polygon, and the first value of each column among its points.

    Raises
    ------
    SiteError
        When X/Y columns are missing or look swapped.
    CRSError
        When no CRS is given or declared and the coordinates are projected.
    """
    parcels = parcels_from_table(df, source=source, default_id=default_id)
    crs, label = _parcel_crs(parcels, source, crs, declared, near)
    attrs = df.iloc[[rows[0] for rows in parcels.rows]].reset_index(drop=True)
    for j, rows in enumerate(parcels.rows):  # first non-empty value of the parcel's rows
        block = df.iloc[rows]
        for col in df.columns:
            filled = block[col][block[col].astype(str).str.strip() != ""]
            if len(filled):
                attrs.loc[j, col] = filled.iloc[0]
    if any(parcels.names):
        attrs["_parcel_name"] = parcels.names
    return ParcelRows(parcels.geoms, attrs, parcels.errors, parcels.ids, crs, label)
