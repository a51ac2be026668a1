"""GIS files of sites: read whole with :func:`layers.source.read_vector`, or streamed a batch at a time.

Streamed, the attributes the sites need and the geometries come from pyogrio's Arrow batches,
or record by record from fiona (:mod:`~redline.checks.sites.fiona_records`) for a FlatGeobuf
without a spatial index, whose Arrow stream GDAL gets wrong.  KML/KMZ and DXF drawings are
always read whole.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from redline.checks.sites import messages
from redline.checks.sites.columns import cell_texts, find_roles
from redline.checks.sites.fiona_records import fiona_batches, fiona_errors
from redline.checks.sites.geometry import decode_wkb
from redline.checks.sites.sources import Batch, ReadOptions, SiteSource, WholeSource
from redline.layers.cad import CAD_SUFFIXES
from redline.layers.crs import crs_label
from redline.layers.encoding import shapefile_encoding
from redline.layers.source import KML_SUFFIXES, ManyLayersError, read_vector
from redline.zones.errors import SiteError

__all__ = ["GisSource", "open_gis"]

_GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


def _xy(geoms: np.ndarray) -> np.ndarray:
    ok = ~shapely.is_missing(geoms)
    return shapely.get_coordinates(geoms[ok]) if ok.any() else np.empty((0, 2))


def _name_fields(options: ReadOptions, path: Path, columns: list[str]) -> dict[str, str | None]:
    """Return the explicit fields; a KML's placemark names (``Name``) name the sites unless a ``name`` column does."""
    fields = dict(options.fields)
    if path.suffix.lower() in KML_SUFFIXES and "name" not in {c.lower() for c in columns} and "Name" in columns:
        fields["name"] = fields.get("name") or "Name"
    return fields


def _read_whole(path: Path, options: ReadOptions, given) -> WholeSource:
    """Read a GIS file (KML/KMZ, DXF too) whole into one batch."""
    try:
        source = read_vector(path, layer=options.layer, encoding=options.encoding, error=SiteError)
    except ManyLayersError as many:
        raise messages.many_layers(path, many.names) from None
    except _GDAL_ERRORS as exc:
        raise messages.unreadable(path, exc) from None
    gdf = source.gdf
    geoms = np.asarray(gdf.geometry.array, dtype=object).copy()
    geoms[source.unclosed] = source.closed[source.unclosed]
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    crs = given
    if crs is None:
        if gdf.crs is None:
            raise messages.vector_without_crs(
                path, _xy(geoms), options.near, drawing=path.suffix.lower() in CAD_SUFFIXES
            )
        crs = gdf.crs
    whole = WholeSource(path, options, crs, Batch(df, geoms, 0, unclosed=source.unclosed))
    whole.crs_label = crs_label(crs)
    whole.roles = find_roles(list(df.columns), _name_fields(options, path, list(df.columns)), path.name)
    whole.encoding_note = source.encoding.note if source.encoding.how == "detected" else ""
    messages.warn_datum(crs, path.name, stacklevel=4)
    return whole


class GisSource(SiteSource):
    """A GIS file streamed a batch at a time (see the module docstring)."""

    streams = True

    def __init__(self, path: Path, options: ReadOptions, given, chunk_size: int) -> None:
        super().__init__(path, options, given)
        self._gdal = {}
        try:
            if options.layer:
                self._gdal["layer"] = options.layer
            elif not path.is_dir():
                names = [str(row[0]) for row in pyogrio.list_layers(path)]
                if len(names) > 1:
                    raise messages.many_layers(path, names)
            choice = shapefile_encoding(path, options.encoding)
            if choice.encoding:
                self._gdal["encoding"] = choice.encoding
            info = pyogrio.read_info(path, **self._gdal)
        except _GDAL_ERRORS as exc:
            raise messages.unreadable(path, exc) from None
        # GDAL's Arrow stream of a FlatGeobuf without a spatial index breaks on its null geometries
        self.by_record = path.suffix.lower() == ".fgb" and not info.get("capabilities", {}).get("fast_spatial_filter")
        self.columns = [str(c) for c in info["fields"]]
        features = int(info.get("features", -1))
        self.total = features if features >= 0 else None
        if self.crs is None:
            if info["crs"] is None:
                with closing(self._raw(chunk_size, columns=[])) as raw:
                    first = next(raw, (None, np.empty(0, dtype=object)))[1]
                raise messages.vector_without_crs(path, _xy(decode_wkb(first)[0]), options.near, drawing=False)
            self.crs = CRS.from_user_input(info["crs"])
        self.crs_label = crs_label(self.crs)
        self.roles = find_roles(self.columns, options.fields, self.name)
        self.encoding_note = choice.note if choice.how == "detected" else ""
        messages.warn_datum(self.crs, self.name, stacklevel=4)

    def _raw(self, batch_size: int, columns: list[str] | None = None, geometry: bool = True):
        """Yield (attributes, WKB or None) per batch: fiona's records or pyogrio's Arrow batches."""
        if columns is None:
            columns = sorted({c for c in self.roles.values() if c}, key=self.columns.index)
        if self.by_record:
            records = fiona_batches(self.path, batch_size=batch_size, columns=columns, geometry=geometry, **self._gdal)
            try:
                yield from records
            except fiona_errors() as exc:
                raise messages.unreadable(self.path, exc) from None
            return
        try:
            yield from _arrow_batches(self.path, batch_size, columns, geometry, self._gdal)
        except _GDAL_ERRORS as exc:
            raise messages.unreadable(self.path, exc) from None

    def batches(self, chunk_size: int | None) -> Iterator[Batch]:
        """Yield ``chunk_size`` features at a time (their geometries decoded as when read whole)."""
        offset, yielded = 0, False
        for df, wkb in self._raw(chunk_size or max(self.total or 0, 1)):
            geoms, unclosed = decode_wkb(wkb)
            yield Batch(df, geoms, offset, unclosed=unclosed)
            offset, yielded = offset + len(df), True
        if not yielded:  # an empty file still gives its (empty) batch
            yield Batch(pd.DataFrame({c: pd.Series(dtype=str) for c in self.columns}), np.empty(0, dtype=object))

    def id_cells(self, chunk_size: int) -> Iterator[list[str]]:
        """Yield each chunk's id cells, reading only the id column."""
        column = self.roles["id"]
        for df, _ in self._raw(chunk_size, columns=[column], geometry=False):
            yield cell_texts(df, column, len(df))


def _arrow_batches(path: Path, batch_size: int, columns: list[str], geometry: bool, gdal: dict):
    """Yield (attributes, WKB or None) per Arrow batch (GDAL's warnings about the data silenced, as when read whole)."""
    import pyarrow as pa

    def quietly(step):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return step()

    stream = quietly(
        lambda: pyogrio.open_arrow(
            path, columns=columns, read_geometry=geometry, batch_size=batch_size, use_pyarrow=True, **gdal
        )
    )
    with stream as (meta, reader):
        geom_col = meta["geometry_name"] or "wkb_geometry"
        batches = iter(reader)
        while (batch := quietly(lambda: next(batches, None))) is not None:
            table = pa.Table.from_batches([batch])
            wkb = None
            if geometry:
                wkb = np.asarray(table.column(geom_col).to_numpy(zero_copy_only=False), dtype=object)
                table = table.drop_columns([geom_col])
            yield table.to_pandas(date_as_object=False), wkb


def open_gis(path: Path, options: ReadOptions, given, *, chunk_size: int | None) -> SiteSource:
    """Open a GIS file of sites (see :func:`~redline.checks.sites.sources.open_source`)."""
    if chunk_size is not None and path.suffix.lower() not in KML_SUFFIXES | CAD_SUFFIXES:
        return GisSource(path, options, given, chunk_size)
    return _read_whole(path, options, given)
