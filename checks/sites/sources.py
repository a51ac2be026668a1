"""A sites file opened for reading: one reader per format, each handing out its rows in batches.

:func:`open_source` reads what the header says (columns, CRS, size) and refuses what is wrong
with the whole file; the source's :meth:`SiteSource.batches` then gives the rows, ready to
become sites.  Read whole (``chunk_size=None``, for :func:`~redline.checks.sites.reader.read_sites`),
every source gives one batch; opened to stream (for :func:`~redline.checks.sites.chunks.iter_sites`),
the formats that stream give ``chunk_size`` rows at a time:

- CSV/TXT and XLSX tables with lon/lat or WKT columns (:mod:`~redline.checks.sites.table_source`);
- GIS files GDAL reads: pyogrio's Arrow batches, or fiona record by record where GDAL's Arrow
  stream is broken (a FlatGeobuf without a spatial index; :mod:`~redline.checks.sites.gis_source`).

KML/KMZ, DXF drawings, XLS, 界址点 tables (a parcel spans rows) and 勘测定界 ``.txt`` files are
read whole: they are small by nature.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from redline.checks.sites import messages
from redline.checks.sites.columns import PROJECT_ROLES, ROLES
from redline.layers.crs import parse_crs

__all__ = ["Batch", "ReadOptions", "SiteSource", "open_source"]

_OPTIONS = ("crs", "layer", "industry", "tags", "action", "facts", *PROJECT_ROLES, "on_invalid", "near", "encoding")
#: The ``<role>_field`` options naming columns, in the order of :data:`ROLES` then :data:`PROJECT_ROLES`.
_FIELD_OPTIONS = tuple(f"{role}_field" for role in (*ROLES, *PROJECT_ROLES))
_VECTOR = {".shp", ".gpkg", ".geojson", ".json", ".fgb", ".gml", ".kml", ".kmz", ".dxf", ".dwg"}
_TABLE = {".csv", ".txt", ".xlsx", ".xls"}


@dataclass(frozen=True)
class ReadOptions:
    """How to read a sites file: the options of :func:`~redline.checks.sites.reader.read_sites`."""

    fields: dict[str, str | None] = field(default_factory=dict)
    crs: str | None = None
    layer: str | None = None
    industry: str | list[str] | None = None
    tags: str | list[str] | None = None
    action: str | None = None
    facts: Mapping[str, Any] | list[str] | str | None = None
    project_name: str | None = None
    builder: str | None = None
    project_no: str | None = None
    on_invalid: str = "raise"
    near: tuple[float, float] | None = None
    encoding: str | None = None

    @classmethod
    def of(cls, **options) -> ReadOptions:
        """Gather the keyword options of :func:`~redline.checks.sites.reader.read_sites` (checking ``on_invalid``).

        The ``<role>_field`` options (``id_field`` ... ``project_no_field``) name the columns of their role.
        """
        explicit = {name[: -len("_field")]: options.pop(name, None) for name in _FIELD_OPTIONS}
        made = cls(fields=explicit, **options)
        messages.check_policy(made.on_invalid)
        return made

    @classmethod
    def from_arguments(cls, arguments: dict) -> ReadOptions:
        """Gather the options from the arguments of a reading function (its ``locals()``; others are ignored)."""
        return cls.of(**{name: arguments[name] for name in (*_FIELD_OPTIONS, *_OPTIONS) if name in arguments})

    def defaults(self) -> dict:
        """Return the project defaults for rows whose own cells are empty (and the facts every row has)."""
        return {
            "industry": self.industry,
            "tags": self.tags,
            "action": self.action,
            "facts": self.facts,
            **{role: getattr(self, role) for role in PROJECT_ROLES},
        }


@dataclass
class Batch:
    """Rows of a sites file, ready for :func:`~redline.checks.sites.build.sites_from_geometries`.

    Attributes
    ----------
    df : pandas.DataFrame
        The rows' attributes.
    geoms : numpy.ndarray of object
        Their geometries, in the source's CRS (None where missing or unreadable).
    offset : int
        Rows of the file before these ones.
    row_errors : list, optional
        Why a row is an error row already (None where it is not).
    unclosed : numpy.ndarray of bool, optional
        Rows whose rings were closed on reading.
    site_ids, labels : list of str, optional
        Ids and names in messages, for sources whose rows are not the file's rows (parcels).
    """

    df: pd.DataFrame
    geoms: np.ndarray
    offset: int = 0
    row_errors: list | None = None
    unclosed: np.ndarray | None = None
    site_ids: list[str] | None = None
    labels: list[str] | None = None


class SiteSource:
    """A sites file opened for reading (see the module docstring).

    Attributes
    ----------
    path : Path
    name : str
        How messages name the file.
    crs : pyproj.CRS or str
        The CRS of the geometries the batches hold.
    crs_label : str
        As :func:`~redline.checks.sites.reader.read_sites` returns it.
    roles : dict
        The column holding each site attribute (``id``, ``name`` ...), None where absent.
    encoding_note : str
        How a Shapefile's text was decoded when that was detected (else "").
    total : int or None
        About how many rows there are (None when not known cheaply).
    streams : bool
        True when :meth:`batches` reads the file a chunk at a time.
    """

    streams = False

    def __init__(self, path: Path, options: ReadOptions, crs) -> None:
        self.path = path
        self.name = path.name
        self.options = options
        self.crs = crs
        self.crs_label = ""
        self.roles: dict[str, str | None] = dict.fromkeys(ROLES)
        self.encoding_note = ""
        self.total: int | None = None

    def batches(self, chunk_size: int | None) -> Iterator[Batch]:
        """Yield the rows: one batch when read whole, else ``chunk_size`` rows at a time (at least one batch)."""
        raise NotImplementedError

    def id_cells(self, chunk_size: int) -> Iterator[list[str]]:
        """Yield each chunk's cells of the id column (a source that streams reads only that column)."""
        raise NotImplementedError


class WholeSource(SiteSource):
    """A source read whole when opened: its one batch is handed out as it is."""

    def __init__(self, path: Path, options: ReadOptions, crs, batch: Batch) -> None:
        super().__init__(path, options, crs)
        self.batch = batch
        self.total = len(batch.geoms)

    def batches(self, chunk_size: int | None) -> Iterator[Batch]:
        yield self.batch


def open_source(path: str | Path, options: ReadOptions, *, chunk_size: int | None = None) -> SiteSource:
    """Open a sites file: SHP, GPKG, GeoJSON, FGB, GML, KML/KMZ, DXF, CSV/TXT, XLSX/XLS or a GDAL folder.

    Parameters
    ----------
    path : str or Path
    options : ReadOptions
    chunk_size : int, optional
        Open the formats that stream to be read this many rows at a time (the others are read
        whole); None to read whole.

    Raises
    ------
    SiteError, CRSError
        For a missing or unreadable file, and for what the header (or, read whole, the file) shows
        to be wrong with it.
    """
    from redline.checks.sites.gis_source import open_gis
    from redline.checks.sites.table_source import open_table

    path = Path(path)
    if not path.exists():
        raise messages.missing_file(path)
    given = parse_crs(options.crs) if options.crs else None
    suffix = path.suffix.lower()
    if suffix in _TABLE:
        return open_table(path, options, given, stream=chunk_size is not None)
    if suffix in _VECTOR or path.is_dir():
        return open_gis(path, options, given, chunk_size=chunk_size)
    raise messages.unsupported_format(path)
