"""Read any vector source the same way for zone layers and for sites.

GIS formats go through pyogrio; KML/KMZ (every folder, or the one named) through GDAL's
KML drivers, a KMZ read inside its zip; DXF drawings through :mod:`layers.cad`.  Shapefiles
without ``.cpg`` get their text encoding detected (:mod:`layers.encoding`).  Rings that are not
closed are not repaired here: they are reported back so the ``on_invalid`` policy decides.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from redline.layers.cad import CAD_SUFFIXES, read_dxf
from redline.layers.encoding import EncodingChoice, shapefile_encoding
from redline.zones.errors import LayerError, RedlineError

__all__ = ["KML_SUFFIXES", "ManyLayersError", "VectorSource", "normalise_geometries", "read_vector"]

KML_SUFFIXES = frozenset({".kml", ".kmz"})


class ManyLayersError(Exception):
    """A multi-layer source was given without naming the layer (callers turn this into a message)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


@dataclass
class VectorSource:
    """What :func:`read_vector` read.

    Attributes
    ----------
    gdf : geopandas.GeoDataFrame
        Attributes and geometry (2D); None where the geometry is missing or unreadable.
    encoding : EncodingChoice
        How text was decoded (and the note to report).
    unclosed : numpy.ndarray of bool
        Rows whose polygon rings were not closed (their geometry is None in ``gdf``).
    closed : numpy.ndarray of object
        For those rows, the geometry with its rings closed (for ``on_invalid: fix``).
    """

    gdf: gpd.GeoDataFrame
    encoding: EncodingChoice = field(default_factory=lambda: EncodingChoice(None))
    unclosed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    closed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))


def normalise_geometries(geoms) -> np.ndarray:
    """Drop Z/M and turn one-type GeometryCollections (KML MultiGeometry) into Multi* geometries."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    present = ~shapely.is_missing(geoms)
    if not present.any():
        return out
    out[present] = shapely.force_2d(geoms[present])
    for i in np.flatnonzero(present & (shapely.get_type_id(out) == 7)):
        parts = shapely.get_parts(out[i])
        kinds = set(shapely.get_type_id(parts).tolist())
        if kinds <= {3, 6}:  # polygons
            polys = [q for p in parts for q in shapely.get_parts(p)]
            out[i] = shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]
        elif kinds <= {1, 5}:
            lines = [q for p in parts for q in shapely.get_parts(p)]
            out[i] = shapely.MultiLineString(lines) if len(lines) > 1 else lines[0]
        elif kinds <= {0, 4}:
            points = [q for p in parts for q in shapely.get_parts(p)]
            out[i] = shapely.MultiPoint(points) if len(points) > 1 else points[0]
    return out


def _pyogrio(path: str, **kwargs) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return pyogrio.read_dataframe(path, **kwargs)


def _kml_path(path: Path, error: type[RedlineError]) -> str:
    if path.suffix.lower() != ".kmz":
        return str(path)
    try:
        with zipfile.ZipFile(path) as z:
            members = [n for n in z.namelist() if n.lower().endswith(".kml")]
    except zipfile.BadZipFile:
        raise error(
            f"{path.name}: not a KMZ (zip) file; save it again from the mapping program",
            zh=f"{path.name}：不是 KMZ（zip）文件；请用制图软件重新保存",
        ) from None
    if not members:
        raise error(f"{path.name}: the KMZ holds no .kml document", zh=f"{path.name}：该 KMZ 中没有 .kml 文档")
    doc = "doc.kml" if "doc.kml" in members else members[0]
    return f"/vsizip/{path.resolve()}/{doc}"


def _read_kml(path: Path, layer: str | None, error: type[RedlineError]) -> gpd.GeoDataFrame:
    source = _kml_path(path, error)
    names = [str(row[0]) for row in pyogrio.list_layers(source)]
    if layer:
        if layer not in names:
            raise error(
                f"{path.name}: no folder (layer) {layer!r}; the folders are {', '.join(names)}",
                param="layer",
                value=layer,
                zh=f"{path.name}：没有文件夹（图层）{layer!r}；它的文件夹有 {'、'.join(names)}",
            )
        names = [layer]
    parts = []
    for name in names:
        gdf = _pyogrio(source, layer=name, on_invalid="ignore")
        if len(gdf):
            parts.append(gdf.assign(folder=name))
    if not parts:
        raise error(f"{path.name}: the KML holds no placemarks", zh=f"{path.name}：该 KML 中没有地标")
    gdf = pd.concat(parts, ignore_index=True)
    keep = [c for c in gdf.columns if c not in ("timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude")]
    keep = [c for c in keep if c not in ("visibility", "drawOrder", "icon")]
    return gpd.GeoDataFrame(gdf[keep], geometry=gdf.geometry.name, crs=parts[0].crs)


def read_vector(
    path: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    error: type[RedlineError] = LayerError,
) -> VectorSource:
    """Read a vector source: SHP, GPKG, GeoJSON, FGB, GML, KML/KMZ or DXF.

    Parameters
    ----------
    path : str or Path
    layer : str, optional
        The layer of a multi-layer source; a KML folder; a DXF drawing layer.
    encoding : str, optional
        Text encoding of a Shapefile's DBF (wins over ``.cpg`` and detection).
    error : type
        The :class:`RedlineError` subclass to raise for unreadable files.

    Raises
    ------
    ManyLayersError
        A multi-layer GIS source (not KML) and no ``layer``.
    pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError
        Unreadable GIS source (callers word the message).
    RedlineError
        (or ``error``) for unreadable KML/KMZ and DXF files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CAD_SUFFIXES:
        gdf = read_dxf(path, layers=layer, error=error)
        n = len(gdf)
        return VectorSource(gdf, EncodingChoice(None), np.zeros(n, dtype=bool), np.full(n, None, dtype=object))
    choice = EncodingChoice(None)
    if suffix in KML_SUFFIXES:
        gdf = _read_kml(path, layer, error)
        source, kwargs = _kml_path(path, error), {}
    else:
        kwargs: dict = {}
        if layer:
            kwargs["layer"] = layer
        elif not path.is_dir():
            names = [str(row[0]) for row in pyogrio.list_layers(path)]
            if len(names) > 1:
                raise ManyLayersError(names)
        choice = shapefile_encoding(path, encoding)
        if choice.encoding:
            kwargs["encoding"] = choice.encoding
        gdf = _pyogrio(str(path), on_invalid="ignore", **kwargs)
        source = str(path)
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    unclosed = np.zeros(len(gdf), dtype=bool)
    closed = np.full(len(gdf), None, dtype=object)
    missing = shapely.is_missing(geoms)
    if missing.any() and suffix not in KML_SUFFIXES:
        # unreadable WKB (unclosed rings) came back as None: read the geometry again, closing rings
        kwargs.pop("encoding", None)
        try:
            again = _pyogrio(source, columns=[], on_invalid="fix", **kwargs)
        except (ValueError, TypeError):  # pyogrio or shapely too old to close rings: they stay missing
            again = gdf.iloc[:0]
        fixed = np.asarray(again.geometry.array, dtype=object)
        if len(fixed) == len(geoms):
            unclosed = missing & ~shapely.is_missing(fixed)
            closed[unclosed] = normalise_geometries(fixed[unclosed])
    gdf[gdf.geometry.name] = gpd.GeoSeries(normalise_geometries(geoms), index=gdf.index, crs=gdf.crs)
    return VectorSource(gdf, choice, unclosed, closed)
