"""Tables of sites: lon/lat or WKT columns (CSV/TXT and XLSX stream), 界址点 parcels and 勘测定界 files (whole)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from pyproj import CRS

from redline.checks.sites import messages
from redline.checks.sites.columns import cell_texts, find_roles
from redline.checks.sites.sources import Batch, ReadOptions, SiteSource, WholeSource
from redline.checks.sites.table_rows import (
    DEFAULT_TABLE_LABEL,
    CoordinateColumns,
    SwapTally,
    parcel_rows,
    table_geometries,
)
from redline.layers.crs import crs_label
from redline.layers.layerset import TARGET_CRS
from redline.layers.survey import find_parcel_columns, is_survey_txt, read_survey_txt
from redline.layers.tables import TableChunks, open_table_chunks, read_table
from redline.zones.errors import RedlineError, SiteError

__all__ = ["TableSource", "open_table"]


class TableSource(SiteSource):
    """A table with lon/lat or WKT columns, read whole or (CSV/TXT, XLSX) a chunk at a time.

    Read whole, the geometries are read when the table is opened, so a table whose coordinates
    are not longitude/latitude (and no CRS given) or whose columns are swapped is refused there;
    streamed, the first chunk that shows it raises, and swapped columns are decided after the
    last chunk.
    """

    def __init__(
        self,
        path: Path,
        options: ReadOptions,
        given,
        columns: list[str],
        *,
        whole: pd.DataFrame | None = None,
        chunks: TableChunks | None = None,
    ) -> None:
        super().__init__(path, options, given if given is not None else CRS.from_user_input(TARGET_CRS))
        self._given = given
        self._coordinates = CoordinateColumns.find(columns, self.name)
        self._columns = columns
        self._chunks = chunks
        self._whole = None
        if whole is not None:
            tally = SwapTally()
            self._whole = self._batch(whole, 0, tally)
            tally.check(self.name, self._coordinates)
        else:
            self._coordinates.check(self.name, columns)
        self.roles = find_roles(columns, options.fields, self.name)
        self.crs_label = crs_label(given) if given is not None else DEFAULT_TABLE_LABEL
        self.total = chunks.total if chunks is not None else len(whole)
        self.streams = chunks is not None
        messages.warn_datum(self.crs, self.name, stacklevel=4)

    def _batch(self, df: pd.DataFrame, offset: int, tally: SwapTally) -> Batch:
        rows = table_geometries(
            df, self.name, self._coordinates, self._given, self.options.near, row_offset=offset, tally=tally
        )
        return Batch(df, rows.geoms, offset, row_errors=rows.errors, unclosed=rows.unclosed)

    def batches(self, chunk_size: int | None) -> Iterator[Batch]:
        """Yield the whole table, or ``chunk_size`` rows at a time."""
        if self._whole is not None:
            yield self._whole
            return
        offset, yielded = 0, False
        tally = SwapTally()  # swapped columns are decided over the whole table
        for df in self._chunks.chunks(chunk_size):
            yield self._batch(df, offset, tally)
            offset, yielded = offset + len(df), True
        if not yielded:  # an empty table still gives its (empty) batch
            yield self._batch(pd.DataFrame({c: pd.Series(dtype=str) for c in self._columns}), 0, tally)
        tally.check(self.name, self._coordinates)

    def id_cells(self, chunk_size: int) -> Iterator[list[str]]:
        """Yield each chunk's id cells (a CSV reads only the id column)."""
        column = self.roles["id"]
        for df in self._chunks.chunks(chunk_size, columns=[column]):
            yield cell_texts(df, column, len(df))


def _parcels(path: Path, options: ReadOptions, given, df: pd.DataFrame, declared: str | None) -> WholeSource:
    """Open a 界址点 table (or 勘测定界 file): one site per parcel, its id the parcel's."""
    rows = parcel_rows(df, path.name, path.stem, given, declared, options.near)
    columns = list(rows.attrs.columns)
    fields = dict(options.fields)
    if fields.get("name") is None and "_parcel_name" in columns:
        fields["name"] = "_parcel_name"
    batch = Batch(
        rows.attrs, rows.geoms, 0, row_errors=rows.errors, site_ids=rows.ids, labels=[f"parcel {p}" for p in rows.ids]
    )
    source = WholeSource(path, options, rows.crs, batch)
    source.roles = find_roles(columns, fields, path.name)
    source.roles["id"] = None  # the parcels' own ids
    source.crs_label = rows.label
    messages.warn_datum(rows.crs, path.name, stacklevel=4)
    return source


def _is_parcel_table(columns: list[str]) -> bool:
    found = find_parcel_columns(columns)
    return bool(found["point"] and found["x"] and found["y"])


def open_table(path: Path, options: ReadOptions, given, *, stream: bool) -> SiteSource:
    """Open a CSV/TXT, XLSX/XLS or 勘测定界 ``.txt`` file of sites (as :func:`.sources.open_source`)."""
    if is_survey_txt(path):
        try:
            df, declared, _ = read_survey_txt(path)
        except RedlineError as exc:
            raise messages.again_as(exc, SiteError) from None
        return _parcels(path, options, given, df, declared)
    if stream and path.suffix.lower() in (".csv", ".txt", ".xlsx"):
        chunks = open_table_chunks(path, error=SiteError)
        if not _is_parcel_table(chunks.columns):
            return TableSource(path, options, given, chunks.columns, chunks=chunks)
    df = read_table(path, error=SiteError)
    columns = list(df.columns)
    if _is_parcel_table(columns):
        return _parcels(path, options, given, df, None)
    return TableSource(path, options, given, columns, whole=df)
