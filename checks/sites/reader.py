"""Project sites in: coordinate text, WKT, or a file of sites (GIS file, table, 界址点, KML, DXF).

Every input row (or parcel, or drawn shape) becomes one site.  A row that cannot be used
(no geometry, bad WKT, an unknown tag or action ...) is kept with ``status="error"`` and a
message; a row whose industry code no GB/T 4754 edition knows is still screened (its project
names the code, see :func:`read_sites`).  A problem with the whole input (missing file, unknown
column, coordinates with no CRS, swapped columns) raises :class:`~redline.zones.errors.SiteError`
or :class:`~redline.zones.errors.CRSError`.

Inputs
------
- text: ``"109.30,22.28"`` (``lon,lat``; ``lat,lon`` is detected when only that reading falls in
  China, and refused when neither does), degrees-minutes-seconds (``108°39'12.5"E 22°10'03"N``,
  ``108度39分12.5秒,22度10分3秒``, see :mod:`redline.checks.sites.coords`), or WKT
  (:mod:`redline.checks.sites.text`);
- GIS files: SHP (text encoding detected when there is no ``.cpg``), GPKG, GeoJSON, FGB, GML;
- KML/KMZ: every placemark of every folder (``layer`` picks one folder);
- DXF drawings: closed polylines, circles and hatches (``layer`` picks the drawing layer); the
  drawing's CRS must be given (``crs``);
- tables (CSV/TXT/XLSX): ``lon``/``lat`` (经度/纬度, decimal or DMS) or a WKT column, or a
  界址点 table (点号, X = northing, Y = easting, optional 圈号, 地块号/地块名称: one polygon per
  parcel, see :mod:`layers.survey`), or a 勘测定界 exchange-format ``.txt``.

A file is read by the reader of its format (:mod:`redline.checks.sites.sources`) and its rows
become sites (:mod:`redline.checks.sites.build`) exactly as :func:`~redline.checks.sites.chunks.iter_sites`
makes them a chunk at a time: :func:`read_sites` reads the file as one chunk.

What invalid geometry does to its row (``on_invalid``) is said in :mod:`redline.checks.sites.build`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from redline.checks.sites.build import sites_from_geometries
from redline.checks.sites.chunks import site_frames
from redline.checks.sites.columns import SITE_FIELDS
from redline.checks.sites.messages import ON_INVALID
from redline.checks.sites.sources import ReadOptions, open_source
from redline.checks.sites.text import parse_site_text
from redline.zones.errors import RedlineError

__all__ = [
    "ON_INVALID",
    "SITE_FIELDS",
    "load_layers_placed_by_sites",
    "parse_site_text",
    "read_sites",
    "read_sites_and_layers",
    "sites_center",
    "sites_from_geometries",
]


def sites_center(sites: gpd.GeoDataFrame) -> tuple[float, float] | None:
    """Return the (lon, lat) middle of the usable sites, or None (for :func:`layers.load_layerset` ``near``)."""
    geoms = np.asarray(sites.geometry.array, dtype=object)
    ok = ~shapely.is_missing(geoms)
    if not ok.any():
        return None
    b = shapely.bounds(geoms[ok])
    return float(np.nanmedian((b[:, 0] + b[:, 2]) / 2)), float(np.nanmedian((b[:, 1] + b[:, 3]) / 2))


def read_sites(
    path: str | Path,
    *,
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
) -> tuple[gpd.GeoDataFrame, str]:
    """Read a file of sites; every row (parcel, placemark, drawn shape) becomes one site.

    Parameters
    ----------
    path : str or Path
        SHP, GPKG, GeoJSON, FGB, GML, KML/KMZ, DXF, CSV/TXT or XLSX.  Tables need
        ``lon``/``lat`` (or 经度/纬度) columns, a WKT column, or 界址点 columns (点号, X, Y,
        optional 圈号, 地块号/地块名称; X is the northing).
    id_field, name_field, industry_field, tags_field, action_field : str, optional
        Column names; common names are detected when not given.
    crs : str, optional
        The coordinates' CRS when the file has none (or to override it); required for DXF
        drawings and projected tables.
    layer : str, optional
        Layer of a multi-layer source; a KML folder; a DXF drawing layer.
    industry, tags, action : optional
        Defaults for rows whose own column is empty (a tag may be given by its Chinese label).  A
        row's industry code that is in neither GB/T 4754 edition does not make it an error row: the
        site is screened, the rules that depend on the industry ask, and its ``project`` says so
        (``unknown_industries``, ``notes``; screening puts the note in the site's ``note``).
    on_invalid : {"raise", "warn", "fix"}
        What invalid geometry does to its row (see :mod:`redline.checks.sites.build`): ``raise`` keeps it
        as an error row, ``warn`` too and warns, ``fix`` repairs it and notes ``repaired: ...``.
    near : (lon, lat), optional
        Where the layers are (:meth:`layers.LayerSet.center`), to propose a central meridian
        when a CRS is missing.
    encoding : str, optional
        Text encoding of a Shapefile's DBF; by default its ``.cpg``, else detected (UTF-8 when
        valid, else GBK/GB18030; reported in ``attrs["encoding"]``).
    facts : mapping or list of ``KEY=VALUE`` str, optional
        Project facts for the 名录 (``装机容量=6万千瓦``) for every row; a column named as a fact of
        the 名录's vocabulary gives a row's own, which wins.
    project_name, builder, project_no : str, optional
        The project's name, 建设单位 and 项目编号: defaults for rows whose own column is empty.
    project_name_field, builder_field, project_no_field : str, optional
        Their columns; common names (项目名称, 建设单位, 项目编号 ...) are detected when not given.

    Returns
    -------
    (GeoDataFrame, str)
        Columns ``site_id, name, industry, tags, action, status, error, note, project,
        project_name, builder, project_no, geometry`` (``project`` a
        :class:`~redline.zones.project.Project`, None for error rows; geometry in EPSG:4490,
        None for error rows) and a label of the input CRS.  ``attrs["encoding"]``
        says how a Shapefile's text was decoded when that was detected.

    Raises
    ------
    SiteError, CRSError
        For problems with the whole file; ``err.param`` names the parameter at fault or to
        give (``path``, ``crs``, ``layer``, ``id_field`` ...).

    Examples
    --------
    >>> from redline.layers import sample_dir
    >>> sites, crs = read_sites(sample_dir() / "sites.geojson")
    >>> len(sites), crs
    (42, 'EPSG:4490')
    >>> sites.loc[0, ["site_id", "industry", "status"]].tolist()
    ['S01', 'H6210', 'ok']
    >>> sites, crs = read_sites("parcels.shp", id_field="XMBH", industry_field="HYDM")  # doctest: +SKIP
    """
    options = ReadOptions.from_arguments(locals())
    source = open_source(path, options)
    (sites,) = site_frames(source, None)
    return sites, source.crs_label


def read_sites_and_layers(sites_path: str | Path, layers_path: str | Path | None = "sample", **read_kwargs):
    """Load a layer set and read a sites file, each helping to place the other when a CRS is missing.

    The layer set is loaded first, and its centre goes to :func:`read_sites` (``near``) so a
    sites file with eastings but no CRS gets a central meridian proposed.  When a layer has
    no CRS and no other layer could place it, the sites (if they read) place the proposal.

    Parameters
    ----------
    sites_path : str or Path
    layers_path : str or Path, optional
        As for :func:`layers.load_layerset`.
    **read_kwargs
        Passed to :func:`read_sites` (``crs``, ``on_invalid``, ``id_field`` ...).

    Returns
    -------
    (GeoDataFrame, str, LayerSet)
        The sites, the label of their CRS, and the layer set.

    Raises
    ------
    ManifestError, SiteError, CRSError
        As :func:`layers.load_layerset` and :func:`read_sites` do.
    """
    layerset = load_layers_placed_by_sites(layers_path, lambda: sites_center(read_sites(sites_path, **read_kwargs)[0]))
    sites, label = read_sites(sites_path, near=layerset.center(), **read_kwargs)
    return sites, label, layerset


def _layer_waits_for_the_sites(layers_path: str | Path | None) -> bool:
    """Return True when a layer has no CRS and no other layer of the set is there to place its proposal.

    Decided from the layer set read leniently (a ``crs_missing`` issue, and no layer read with a
    place of its own), not from the words of the error.
    """
    from redline.layers import load_layerset
    from redline.zones.errors import ManifestError

    issues: list = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            placed = load_layerset(layers_path, collect=issues)
    except ManifestError:  # the manifest itself is wrong: the sites cannot help
        return False
    return placed.center() is None and any(issue.check == "crs_missing" for issue in issues)


def load_layers_placed_by_sites(layers_path: str | Path | None, center_of_sites):
    """Load a layer set; when a layer has no CRS that the others can place, let the sites place the proposal.

    Parameters
    ----------
    layers_path : str or Path, optional
        As for :func:`layers.load_layerset`.
    center_of_sites : callable
        Returns the sites' (lon, lat) middle (:func:`sites_center`) or None; called only
        when a layer needs it (its warnings are silenced; a :class:`RedlineError` from it
        leaves the layers' own error to be raised).

    Raises
    ------
    ManifestError
        As :func:`layers.load_layerset` does, with the central meridian the sites point to.
    """
    from redline.layers import load_layerset
    from redline.zones.errors import ManifestError

    try:
        return load_layerset(layers_path)
    except ManifestError as exc:
        if not _layer_waits_for_the_sites(layers_path):
            raise
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                center = center_of_sites()
        except RedlineError:
            raise exc from None
        if center is None:
            raise
        load_layerset(layers_path, near=center)  # raises again, the proposal placed by the sites
        raise
