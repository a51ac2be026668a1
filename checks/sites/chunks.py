"""Read a file of sites a chunk at a time, so millions of sites stream through with flat memory.

:func:`iter_sites` yields GeoDataFrames shaped exactly like the output of
:func:`redline.checks.sites.reader.read_sites` — the same columns, ``site_id`` defaults and row numbers in the
messages (both count from the top of the file, not of the chunk) and a global index — so the
chunks put together are what :func:`~redline.checks.sites.reader.read_sites` returns.

What streams
------------
- CSV/TXT tables with ``lon``/``lat`` or WKT columns: pandas' C parser, ``chunk_size`` rows at
  a time.  The encoding follows :func:`layers.tables.read_table` (UTF-8 when the whole file
  is, else GBK/GB18030), decided in one pass over the bytes, which also counts the lines for
  the progress bar; the delimiter is sniffed from the first line as pandas does for
  :func:`~redline.checks.sites.reader.read_sites`.
- XLSX: openpyxl's read-only rows, each chunk converted by pandas' own parser as
  :func:`pandas.read_excel` does (cells right of the header's last column are ignored).
- GPKG, SHP (DBF encoding detected as for :func:`~redline.checks.sites.reader.read_sites`), FlatGeobuf with
  a spatial index, GeoJSON, GML and folders GDAL reads: pyogrio's Arrow batches of the
  id/name/industry/tags/action columns and the geometry.

KML/KMZ, DXF/DWG, XLS, 界址点 tables (a parcel spans rows) and 勘测定界 ``.txt`` files are read
whole and handed out in chunks: they are small by nature.  So is a FlatGeobuf without a spatial
index (GDAL's Arrow stream of one breaks on its null geometries): write it with an index
(GDAL's default) to stream it.

Checks on the whole file
------------------------
- Site ids must not repeat.  When they come from a column, each chunk's ids are hashed to 64
  bits and kept in sorted runs (8 bytes a site: 80 MB for 10 million; nothing when the ids are
  row numbers).  When a hash repeats, the ids are read again to name the repeated ones exactly
  (:class:`~redline.zones.errors.SiteError`, the message of :func:`~redline.checks.sites.reader.read_sites`), or
  reading carries on when two ids merely shared a hash.
- Swapped lon/lat columns (every usable row holds a latitude in ``lon``) are decided after the
  last chunk; invalid or repaired rows get one warning each after the last chunk.
- A table whose coordinates are not longitude/latitude (no ``--crs``) and a GIS file without
  a CRS raise when met; the CRS the message proposes is guessed from that chunk
  (:func:`~redline.checks.sites.reader.read_sites` guesses from the whole file).

When a file has several such problems, the first one met is reported.  A consumer writing
outputs must therefore keep them unpublished until the iteration ends (as
:mod:`redline.checks.app.batch_stream` does).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from redline.checks.sites.reader import (
    _UNCLOSED,
    _VECTOR,
    RowNotes,
    _cells,
    _check_policy,
    _duplicate_ids_message,
    _find_column,
    _no_crs_message,
    _swapped_columns_message,
    _table_geometries,
    _warn_datum,
    read_sites,
    sites_from_geometries,
)
from redline.layers.cad import CAD_SUFFIXES
from redline.layers.crs import crs_label, parse_crs
from redline.layers.encoding import shapefile_encoding
from redline.layers.layerset import TARGET_CRS
from redline.layers.source import KML_SUFFIXES, normalise_geometries
from redline.layers.survey import find_parcel_columns, is_survey_txt
from redline.zones.errors import CRSError, SiteError

__all__ = ["SiteChunks", "iter_sites"]

_ROLES = ("id", "name", "industry", "tags", "action")
_SCAN_BLOCK = 1 << 24  # bytes read at a time when deciding a CSV's encoding


class _IdHashes:
    """64-bit hashes of the site ids seen so far, in sorted runs merged like a binary counter.

    About 8 bytes a site (twice that for a moment while the two largest runs merge); a lookup
    costs one binary search per run, of which there are at most log2 of the number of chunks.
    """

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []

    def add(self, ids: list[str]) -> bool:
        """Add a chunk's ids; return True when a hash was seen before (a repeat, or rarely a collision)."""
        hashes = np.sort(pd.util.hash_array(np.asarray(ids, dtype=object)))
        repeat = bool(len(hashes) > 1 and (hashes[1:] == hashes[:-1]).any())
        for run in self.runs:
            if repeat:
                break
            pos = np.minimum(np.searchsorted(run, hashes), len(run) - 1)
            repeat = bool((run[pos] == hashes).any())
        self.runs.append(hashes)
        while len(self.runs) > 1 and len(self.runs[-2]) <= len(self.runs[-1]):
            last = self.runs.pop()
            self.runs[-1] = np.sort(np.concatenate([self.runs[-1], last]), kind="stable")
        return repeat


def _chunk_ids(cells: list[str], offset: int) -> list[str]:
    """Site ids as :func:`~redline.checks.sites.reader.sites_from_geometries` makes them: the cell, else the row."""
    return [c or f"{offset + i + 1}" for i, c in enumerate(cells)]


def _scan_csv(path: Path) -> tuple[str, int]:
    """Return the encoding :func:`layers.tables.read_table` would use and the number of line breaks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    lines = 0
    with open(path, "rb") as f:
        while block := f.read(_SCAN_BLOCK):
            lines += block.count(b"\n")
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return ("utf-8-sig" if utf8 else "gb18030"), lines


def _unreadable_csv(path: Path, exc: Exception) -> str:
    """read_table's message (pandas' C parser words its errors with a prefix the Python one has not)."""
    text = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
    return f"{path}: not a readable CSV table ({text}); check the delimiter and quoting"


def _xlsx_value(cell):
    """Return a cell's value as pandas' openpyxl reader hands it on: blank as "", whole numbers as int."""
    from openpyxl.cell.cell import TYPE_ERROR, TYPE_NUMERIC

    value = cell.value
    if value is None:
        return ""
    if cell.data_type == TYPE_ERROR:
        return np.nan
    if cell.data_type == TYPE_NUMERIC:
        whole = int(value)
        return whole if whole == value else float(value)
    return value


def _trimmed(row) -> list:
    values = [_xlsx_value(cell) for cell in row]
    while values and values[-1] == "":
        values.pop()
    return values


class SiteChunks:
    """The sites of a file, read ``chunk_size`` rows at a time (see :func:`iter_sites`).

    Attributes
    ----------
    path : Path
    crs_label : str
        As the label :func:`~redline.checks.sites.reader.read_sites` returns.
    encoding_note : str
        How a Shapefile's text was decoded when that was detected (else "").
    total : int or None
        About how many sites there are, for a progress bar (None when not known cheaply).
    streamed : bool
        False for the formats read whole and handed out in chunks.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        chunk_size: int = 100_000,
        id_field: str | None = None,
        name_field: str | None = None,
        industry_field: str | None = None,
        tags_field: str | None = None,
        action_field: str | None = None,
        crs: str | None = None,
        layer: str | None = None,
        industry: str | None = None,
        tags: str | list[str] | None = None,
        action: str | None = None,
        on_invalid: str = "raise",
        near: tuple[float, float] | None = None,
        encoding: str | None = None,
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        _check_policy(on_invalid)
        self.path = Path(path)
        self.chunk_size = int(chunk_size)
        self._fields = dict(zip(_ROLES, (id_field, name_field, industry_field, tags_field, action_field), strict=True))
        self._defaults = {"industry": industry, "tags": tags, "action": action}
        self._on_invalid = on_invalid
        self._near = near
        self._layer = layer
        self._encoding = encoding
        self._whole: gpd.GeoDataFrame | None = None
        self.encoding_note = ""
        self.total: int | None = None
        self.streamed = True
        path = self.path
        if not path.exists():
            raise SiteError(f"sites file '{path}' does not exist; check the path")
        self._src_crs = parse_crs(crs) if crs else None
        suffix = path.suffix.lower()
        if suffix in (".csv", ".txt") and not is_survey_txt(path):
            self._kind = "csv"
            self._plan_csv()
        elif suffix == ".xlsx":
            self._kind = "xlsx"
            self._plan_xlsx()
        elif (suffix in _VECTOR or path.is_dir()) and suffix not in KML_SUFFIXES | CAD_SUFFIXES:
            self._kind = "vector"
            self._plan_vector()
        else:  # KML/KMZ, DXF, XLS, survey .txt and unsupported suffixes (read_sites words the message)
            self._kind = "whole"
        if self._kind in ("csv", "xlsx") and self._parcels:
            self._kind = "whole"
        if self._kind == "whole":
            self._read_whole(crs)

    # ------------------------------------------------------------------ planning (header only)

    def _read_whole(self, crs: str | None) -> None:
        self.streamed = False
        sites, self.crs_label = read_sites(
            self.path,
            **{f"{role}_field": field for role, field in self._fields.items()},
            crs=crs,
            layer=self._layer,
            **self._defaults,
            on_invalid=self._on_invalid,
            near=self._near,
            encoding=self._encoding,
        )
        self.encoding_note = sites.attrs.get("encoding", "")
        self._whole = sites
        self.total = len(sites)

    def _plan_table(self, columns: list[str]) -> None:
        """Decide the roles of a table's columns from its header, as read_sites does."""
        self._columns = columns
        parcel = find_parcel_columns(columns)
        self._parcels = bool(parcel["point"] and parcel["x"] and parcel["y"])
        if self._parcels:
            return
        path = self.path
        self._lon = _find_column(columns, "lon", None, path)
        self._lat = _find_column(columns, "lat", None, path)
        self._wkt = _find_column(columns, "wkt", None, path)
        header = pd.DataFrame({c: pd.Series(dtype=str) for c in columns})
        _, _, label = _table_geometries(header, path, self._lon, self._lat, self._wkt, self._src_crs, self._near)
        self._roles = {role: _find_column(columns, role, self._fields[role], path) for role in _ROLES}
        self._table_crs = self._src_crs
        if self._src_crs is None:
            self._src_crs = CRS.from_user_input(TARGET_CRS)
        self.crs_label = label or crs_label(self._src_crs)
        _warn_datum(self._src_crs, path.name)

    def _plan_csv(self) -> None:
        path = self.path
        self._csv_encoding, lines = _scan_csv(path)
        try:
            with open(path, encoding=self._csv_encoding, newline="") as f:
                first = f.readline()
            self._sep = csv.Sniffer().sniff(first).delimiter
            columns = list(self._read_csv(nrows=0).columns)
        except UnicodeDecodeError:
            raise SiteError(f"{path}: text is neither UTF-8 nor GBK/GB18030; save the table as UTF-8") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            raise SiteError(_unreadable_csv(path, exc)) from None
        self.total = max(lines - 1, 0)
        self._plan_table(columns)

    def _read_csv(self, **kwargs):
        return pd.read_csv(
            self.path,
            dtype=str,
            keep_default_na=False,
            encoding=self._csv_encoding,
            sep=self._sep,
            engine="c",
            **kwargs,
        )

    def _open_xlsx(self):
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:
            raise SiteError(f"{self.path}: cannot read the spreadsheet ({exc}); save it as .xlsx or CSV") from None
        sheet = book.worksheets[0]
        declared = sheet.max_row
        sheet.reset_dimensions()  # declared dimensions can be wrong: let openpyxl find the rows
        return book, sheet, declared

    def _plan_xlsx(self) -> None:
        book, sheet, declared = self._open_xlsx()
        try:
            header = next((_trimmed(row) for row in sheet.rows), [])
        finally:
            book.close()
        self._header = header
        self.total = max(declared - 1, 0) if declared else None
        columns = list(self._xlsx_frame([]).columns) if header else []
        self._plan_table(columns)

    def _xlsx_frame(self, rows: list[list]) -> pd.DataFrame:
        """Convert a chunk of spreadsheet rows as :func:`pandas.read_excel` (``dtype=str``) would."""
        from pandas.io.parsers import TextParser

        width = len(self._header)
        data = [self._header] + [(r + [""] * (width - len(r)))[:width] for r in rows]
        return TextParser(data, header=0, dtype=str, skip_blank_lines=False).read().fillna("")

    def _plan_vector(self) -> None:
        path = self.path
        kwargs: dict = {}
        try:
            if self._layer:
                kwargs["layer"] = self._layer
            elif not path.is_dir():
                names = [str(row[0]) for row in pyogrio.list_layers(path)]
                if len(names) > 1:
                    raise SiteError(
                        f"sites file '{path.name}' holds {len(names)} layers ({', '.join(names[:8])}); "
                        "choose one with --layer"
                    )
            choice = shapefile_encoding(path, self._encoding)
            if choice.encoding:
                kwargs["encoding"] = choice.encoding
            info = pyogrio.read_info(path, **kwargs)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise SiteError(f"sites file '{path}' cannot be read ({exc}); check the file and --layer") from None
        if path.suffix.lower() == ".fgb" and not info.get("capabilities", {}).get("fast_spatial_filter"):
            # GDAL's Arrow stream of a FlatGeobuf without a spatial index breaks on null geometries
            # (which only such files can hold): read it whole
            self._kind = "whole"
            return
        self._ogr_kwargs = kwargs
        self.encoding_note = choice.note if "detected" in choice.note else ""
        columns = [str(c) for c in info["fields"]]
        self._columns = columns
        self._roles = {role: _find_column(columns, role, self._fields[role], path) for role in _ROLES}
        self._parcels = False
        features = int(info.get("features", -1))
        self.total = features if features >= 0 else None
        if self._src_crs is None:
            if info["crs"] is None:
                geoms = next(iter(self._vector_batches()), (None, np.empty(0, dtype=object)))[1]
                ok = ~shapely.is_missing(geoms)
                xy = shapely.get_coordinates(geoms[ok]) if ok.any() else np.empty((0, 2))
                raise CRSError(
                    _no_crs_message(
                        f"sites file '{path.name}' has no CRS (no .prj or CRS metadata)",
                        xy[:, 0],
                        xy[:, 1],
                        self._near,
                        example="EPSG:4490",
                    ).replace("; they look like", "; the coordinates look like")
                )
            self._src_crs = CRS.from_user_input(info["crs"])
        self.crs_label = crs_label(self._src_crs)
        _warn_datum(self._src_crs, path.name)

    # ------------------------------------------------------------------ raw chunks

    def _csv_frames(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        path = self.path
        try:
            with self._read_csv(chunksize=self.chunk_size, usecols=columns) as reader:
                yield from reader
        except UnicodeDecodeError:
            raise SiteError(f"{path}: text is neither UTF-8 nor GBK/GB18030; save the table as UTF-8") from None
        except (pd.errors.ParserError, csv.Error) as exc:
            raise SiteError(_unreadable_csv(path, exc)) from None

    def _xlsx_frames(self) -> Iterator[pd.DataFrame]:
        book, sheet, _ = self._open_xlsx()
        try:
            rows: list[list] = []
            blank = 0  # empty rows held back: trailing ones are dropped, as pandas does
            for number, row in enumerate(sheet.rows):
                if number == 0:
                    continue
                values = _trimmed(row)
                if not values:
                    blank += 1
                    continue
                rows += [[] for _ in range(blank)]
                blank = 0
                rows.append(values)
                if len(rows) >= self.chunk_size:
                    yield self._xlsx_frame(rows[: self.chunk_size])
                    rows = rows[self.chunk_size :]
            if rows:
                yield self._xlsx_frame(rows)
        finally:
            book.close()

    def _vector_batches(self, columns: list[str] | None = None, geometry: bool = True):
        """Yield (attributes, geometries) per Arrow batch; geometries as read_vector leaves them."""
        import pyarrow as pa

        if columns is None:
            columns = sorted({c for c in self._roles.values() if c}, key=self._columns.index)
        path = self.path
        try:
            with pyogrio.open_arrow(
                path,
                columns=columns,
                read_geometry=geometry,
                batch_size=self.chunk_size,
                use_pyarrow=True,
                **self._ogr_kwargs,
            ) as (meta, reader):
                geom_col = meta["geometry_name"] or "wkb_geometry"
                for batch in reader:
                    table = pa.Table.from_batches([batch])
                    wkb = None
                    if geometry:
                        wkb = np.asarray(table.column(geom_col).to_numpy(zero_copy_only=False), dtype=object)
                        table = table.drop_columns([geom_col])
                    yield table.to_pandas(date_as_object=False), wkb
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise SiteError(f"sites file '{path}' cannot be read ({exc}); check the file and --layer") from None

    # ------------------------------------------------------------------ sites

    def _table_chunk(self, df: pd.DataFrame, offset: int, ids: list[str], notes: RowNotes, tally: dict):
        geoms, row_errors, _ = _table_geometries(
            df,
            self.path,
            self._lon,
            self._lat,
            self._wkt,
            self._table_crs,
            self._near,
            row_offset=offset,
            swap_tally=tally,
        )
        unclosed = np.array([e == _UNCLOSED for e in row_errors], dtype=bool)
        row_errors = [None if e == _UNCLOSED else e for e in row_errors]
        return self._sites(geoms, df, row_errors, unclosed, ids, offset, notes)

    def _vector_chunk(self, df: pd.DataFrame, wkb, offset: int, ids: list[str], notes: RowNotes):
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")
        unclosed = np.zeros(len(geoms), dtype=bool)
        closed = np.full(len(geoms), None, dtype=object)
        missing = shapely.is_missing(geoms)
        if missing.any():  # unreadable WKB (unclosed rings): read again closing rings, as read_vector does
            try:
                fixed = shapely.from_wkb(wkb[missing], on_invalid="fix")
            except (ValueError, TypeError):  # shapely too old to close rings: they stay missing
                fixed = np.full(int(missing.sum()), None, dtype=object)
            repaired = np.flatnonzero(missing)[~shapely.is_missing(fixed)]
            unclosed[repaired] = True
            closed[repaired] = normalise_geometries(fixed[~shapely.is_missing(fixed)])
        geoms = normalise_geometries(geoms)
        geoms[unclosed] = closed[unclosed]
        return self._sites(geoms, df, [None] * len(geoms), unclosed, ids, offset, notes)

    def _sites(self, geoms, df, row_errors, unclosed, ids, offset, notes) -> gpd.GeoDataFrame:
        sites = sites_from_geometries(
            geoms,
            self._src_crs,
            df=df,
            columns=self._roles,
            row_errors=row_errors,
            **self._defaults,
            source=self.path.name,
            site_ids=ids,
            on_invalid=self._on_invalid,
            unclosed=unclosed,
            row_offset=offset,
            notes=notes,
        )
        sites.index = pd.RangeIndex(offset, offset + len(sites))
        if self.encoding_note:
            sites.attrs["encoding"] = self.encoding_note
        return sites

    def _raw(self) -> Iterator[tuple[pd.DataFrame, object]]:
        if self._kind == "csv":
            return ((df, None) for df in self._csv_frames())
        if self._kind == "xlsx":
            return ((df, None) for df in self._xlsx_frames())
        return self._vector_batches()

    def _id_cells(self) -> Iterator[list[str]]:
        """Each chunk's id cells, reading only the id column."""
        col = self._roles["id"]
        if self._kind == "csv":
            frames = self._csv_frames(columns=[col])
        elif self._kind == "xlsx":
            frames = self._xlsx_frames()
        else:
            frames = (df for df, _ in self._vector_batches(columns=[col], geometry=False))
        for df in frames:
            yield _cells(df, col, len(df))

    def repeated_ids(self) -> list[str]:
        """Return the ids that occur more than once in the file, sorted (reads the id column twice)."""
        if self._kind == "whole" or self._roles["id"] is None:
            return []
        hashes = []
        offset = 0
        for cells in self._id_cells():
            hashes.append(pd.util.hash_array(np.asarray(_chunk_ids(cells, offset), dtype=object)))
            offset += len(cells)
        every = np.sort(np.concatenate(hashes)) if hashes else np.empty(0, dtype=np.uint64)
        shared = set(every[1:][every[1:] == every[:-1]].tolist())
        del hashes, every
        if not shared:
            return []
        counts: dict[str, int] = {}
        offset = 0
        for cells in self._id_cells():
            ids = _chunk_ids(cells, offset)
            offset += len(cells)
            hashed = pd.util.hash_array(np.asarray(ids, dtype=object))
            for i in np.flatnonzero(np.isin(hashed, list(shared))):
                counts[ids[i]] = counts.get(ids[i], 0) + 1
        return sorted(s for s, c in counts.items() if c > 1)

    def __iter__(self) -> Iterator[gpd.GeoDataFrame]:
        if self._whole is not None:
            whole = self._whole
            for start in range(0, max(len(whole), 1), self.chunk_size):
                chunk = whole.iloc[start : start + self.chunk_size]
                chunk.attrs = dict(whole.attrs)
                yield chunk
            return
        notes = RowNotes()
        tally: dict[str, int] = {}
        seen = _IdHashes() if self._roles["id"] else None
        offset = 0
        yielded = False
        for df, wkb in self._raw():
            n = len(df)
            ids = _chunk_ids(_cells(df, self._roles["id"], n), offset)
            if seen is not None and seen.add(ids):
                repeated = self.repeated_ids()
                if repeated:
                    raise SiteError(_duplicate_ids_message(self.path.name, repeated))
                seen = None  # the hashes collided, and now the whole file is known to have unique ids
            if wkb is None:
                sites = self._table_chunk(df, offset, ids, notes, tally)
            else:
                sites = self._vector_chunk(df, wkb, offset, ids, notes)
            offset += n
            yielded = True
            yield sites
        if tally.get("swapped") and tally["swapped"] == tally["usable"]:
            raise SiteError(_swapped_columns_message(self.path, self._lon, self._lat))
        notes.warn(self.path.name)
        if not yielded:  # an empty file still gives its (empty) table
            empty = pd.DataFrame({c: pd.Series(dtype=str) for c in self._columns})
            if self._kind == "vector":
                yield self._vector_chunk(empty, np.empty(0, dtype=object), 0, [], notes)
            else:
                yield self._table_chunk(empty, 0, [], notes, tally)


def iter_sites(path: str | Path, *, chunk_size: int = 100_000, **read_kwargs) -> SiteChunks:
    """Read a file of sites ``chunk_size`` rows at a time (see the module docstring).

    Parameters
    ----------
    path : str or Path
        As for :func:`redline.checks.sites.reader.read_sites`.
    chunk_size : int
        Rows per chunk (a chunk may be smaller: the last one, or an Arrow batch GDAL cuts).
    **read_kwargs
        As for :func:`redline.checks.sites.reader.read_sites`: ``id_field``, ``name_field``,
        ``industry_field``, ``tags_field``, ``action_field``, ``crs``, ``layer``,
        ``industry``, ``tags``, ``action``, ``on_invalid``, ``near``, ``encoding``.

    Returns
    -------
    SiteChunks
        Iterating it yields GeoDataFrames shaped like :func:`~redline.checks.sites.reader.read_sites`'
        output (at least one, empty for an empty file); ``crs_label``, ``encoding_note`` and
        ``total`` (an estimate for progress bars, or None) are known before the first chunk.

    Raises
    ------
    SiteError, CRSError
        For problems with the whole file: the header's problems here, the others while
        iterating (repeated ids, swapped columns, coordinates that are not longitude/latitude).

    Examples
    --------
    >>> from redline.layers import sample_dir
    >>> chunks = iter_sites(sample_dir() / "sites.geojson", chunk_size=10)
    >>> [len(c) for c in chunks], chunks.crs_label
    ([10, 10, 10, 10], 'EPSG:4490')
    """
    return SiteChunks(path, chunk_size=chunk_size, **read_kwargs)
