"""Read a file of sites a chunk at a time, so millions of sites stream through with flat memory.

:func:`iter_sites` yields GeoDataFrames shaped exactly like the output of
:func:`redline.checks.sites.reader.read_sites` — the same columns, ``site_id`` defaults and row numbers in the
messages (both count from the top of the file, not of the chunk) and a global index — so the
chunks put together are what :func:`~redline.checks.sites.reader.read_sites` returns.  Both are
:func:`site_frames` over the same readers (:mod:`redline.checks.sites.sources`): read whole, a file
is one chunk.

What streams
------------
- CSV/TXT tables with ``lon``/``lat`` or WKT columns: pandas' C parser, ``chunk_size`` rows at
  a time.  The encoding follows :func:`layers.tables.read_table` (UTF-8 when the whole file
  is, else GBK/GB18030), decided in one pass over the bytes, which also counts the lines for
  the progress bar; the delimiter is sniffed from the first line as pandas does for
  :func:`~redline.checks.sites.reader.read_sites`.
- XLSX: openpyxl's read-only rows, each chunk converted by pandas' own parser as
  :func:`pandas.read_excel` does (cells right of the header's last column are ignored).
- GPKG, SHP (DBF encoding detected as for :func:`~redline.checks.sites.reader.read_sites`), FlatGeobuf,
  GeoJSON, GML and folders GDAL reads: pyogrio's Arrow batches of the id/name/industry/tags/action
  columns and the geometry.  A FlatGeobuf without a spatial index (whose Arrow stream GDAL gets
  wrong) streams record by record through fiona (:mod:`redline.checks.sites.fiona_records`).

KML/KMZ, DXF/DWG, XLS, 界址点 tables (a parcel spans rows) and 勘测定界 ``.txt`` files are read
whole and handed out in chunks: they are small by nature.

Checks on the whole file
------------------------
- Site ids must not repeat.  When they come from a column, each chunk's ids are hashed to 64
  bits and kept in sorted runs (8 bytes a site: 80 MB for 10 million; nothing when the ids are
  row numbers).  When a hash repeats, the ids are read again to name the repeated ones exactly
  (:class:`~redline.zones.errors.SiteError`, the message of :func:`~redline.checks.sites.reader.read_sites`), or
  reading carries on when two ids merely shared a hash.
- Swapped lon/lat columns (every usable row holds a latitude in ``lon``) are decided after the
  last chunk; invalid or repaired rows get one warning each after the last chunk.
- A table whose coordinates are not longitude/latitude (no ``crs``) and a GIS file without
  a CRS raise when met; the CRS the message proposes is guessed from that chunk
  (:func:`~redline.checks.sites.reader.read_sites` guesses from the whole file).

When a file has several such problems, the first one met is reported.  A consumer writing
outputs must therefore keep them unpublished until the iteration ends (as
:mod:`redline.checks.app.batch_stream` does).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from redline.checks.sites import messages
from redline.checks.sites.build import RowNotes, sites_from_geometries
from redline.checks.sites.columns import cell_texts, row_ids
from redline.checks.sites.sources import ReadOptions, SiteSource, open_source

__all__ = ["SiteChunks", "iter_sites", "site_frames"]


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


def _ids_by_chunk(source: SiteSource, chunk_size: int) -> Iterator[list[str]]:
    offset = 0
    for cells in source.id_cells(chunk_size):
        yield row_ids(cells, offset)
        offset += len(cells)


def repeated_ids(source: SiteSource, chunk_size: int) -> list[str]:
    """Return the ids that occur more than once in a streamed file, sorted (reads the id column twice)."""
    hashes = [pd.util.hash_array(np.asarray(ids, dtype=object)) for ids in _ids_by_chunk(source, chunk_size)]
    every = np.sort(np.concatenate(hashes)) if hashes else np.empty(0, dtype=np.uint64)
    shared = set(every[1:][every[1:] == every[:-1]].tolist())
    del hashes, every
    if not shared:
        return []
    counts: dict[str, int] = {}
    for ids in _ids_by_chunk(source, chunk_size):
        hashed = pd.util.hash_array(np.asarray(ids, dtype=object))
        for i in np.flatnonzero(np.isin(hashed, list(shared))):
            counts[ids[i]] = counts.get(ids[i], 0) + 1
    return sorted(s for s, c in counts.items() if c > 1)


def site_frames(source: SiteSource, chunk_size: int | None) -> Iterator[gpd.GeoDataFrame]:
    """Yield the sites of each batch of ``source`` (one for a file read whole, at least one in any case).

    Ids repeated across chunks raise when the chunk that repeats one is met; invalid and repaired
    rows are warned about once, after the last chunk.
    """
    options = source.options
    id_column = source.roles["id"]
    notes = RowNotes()
    seen = _IdHashes() if source.streams and id_column else None
    for batch in source.batches(chunk_size):
        n = len(batch.geoms)
        ids = (
            batch.site_ids if batch.site_ids is not None else row_ids(cell_texts(batch.df, id_column, n), batch.offset)
        )
        if seen is not None and seen.add(ids):
            repeated = repeated_ids(source, chunk_size)
            if repeated:
                raise messages.repeated_ids(source.name, repeated, id_column)
            seen = None  # the hashes collided, and now the whole file is known to have unique ids
        sites = sites_from_geometries(
            batch.geoms,
            source.crs,
            df=batch.df,
            columns=source.roles,
            row_errors=batch.row_errors,
            **options.defaults(),
            source=source.name,
            site_ids=ids,
            on_invalid=options.on_invalid,
            unclosed=batch.unclosed,
            labels=batch.labels,
            row_offset=batch.offset,
            notes=notes,
        )
        sites.index = pd.RangeIndex(batch.offset, batch.offset + len(sites))
        if source.encoding_note:
            sites.attrs["encoding"] = source.encoding_note
        yield sites
    notes.warn(source.name, stacklevel=2)


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
        facts: Mapping[str, Any] | list[str] | None = None,
        project_name: str | None = None,
        builder: str | None = None,
        project_no: str | None = None,
        project_name_field: str | None = None,
        builder_field: str | None = None,
        project_no_field: str | None = None,
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        options = ReadOptions.from_arguments(locals())
        self.path = Path(path)
        self.chunk_size = int(chunk_size)
        self._source = open_source(self.path, options, chunk_size=self.chunk_size)
        self.crs_label = self._source.crs_label
        self.encoding_note = self._source.encoding_note
        self.total = self._source.total
        self.streamed = self._source.streams
        self._whole: gpd.GeoDataFrame | None = None
        if not self.streamed:
            (self._whole,) = site_frames(self._source, None)

    def repeated_ids(self) -> list[str]:
        """Return the ids that occur more than once in the file, sorted (reads the id column twice)."""
        if not self.streamed or self._source.roles["id"] is None:
            return []
        return repeated_ids(self._source, self.chunk_size)

    def __iter__(self) -> Iterator[gpd.GeoDataFrame]:
        if self._whole is None:
            yield from site_frames(self._source, self.chunk_size)
            return
        whole = self._whole
        for start in range(0, max(len(whole), 1), self.chunk_size):
            chunk = whole.iloc[start : start + self.chunk_size]
            chunk.attrs = dict(whole.attrs)
            yield chunk


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
        ``industry``, ``tags``, ``action``, ``on_invalid``, ``near``, ``encoding``, ``facts``,
        ``project_name``, ``builder``, ``project_no`` and their ``*_field`` options.

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
    ([10, 10, 10, 10, 2], 'EPSG:4490')
    """
    return SiteChunks(path, chunk_size=chunk_size, **read_kwargs)
