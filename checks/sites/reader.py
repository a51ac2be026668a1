"""Project sites in: coordinate text, WKT, or a file of sites (GIS file, table, 界址点, KML, DXF).

Every input row (or parcel, or drawn shape) becomes one site.  A row that cannot be used
(no geometry, bad WKT, unknown industry code ...) is kept with ``status="error"`` and a
message; a problem with the whole input (missing file, unknown column, coordinates with no
CRS, swapped columns) raises :class:`~redline.zones.errors.SiteError` or :class:`~redline.zones.errors.CRSError`.

Inputs
------
- text: ``"109.30,22.28"`` (``lon,lat``; ``lat,lon`` is detected when only that reading falls in
  China, and refused when neither does), degrees-minutes-seconds (``108°39'12.5"E 22°10'03"N``,
  ``108度39分12.5秒,22度10分3秒``, see :mod:`redline.checks.sites.coords`), or WKT;
- GIS files: SHP (text encoding detected when there is no ``.cpg``), GPKG, GeoJSON, FGB, GML;
- KML/KMZ: every placemark of every folder (``layer`` picks one folder);
- DXF drawings: closed polylines, circles and hatches (``layer`` picks the drawing layer); the
  drawing's CRS must be given (``crs``);
- tables (CSV/TXT/XLSX): ``lon``/``lat`` (经度/纬度, decimal or DMS) or a WKT column, or a
  界址点 table (点号, X = northing, Y = easting, optional 圈号, 地块号/地块名称: one polygon per
  parcel, see :mod:`layers.survey`), or a 勘测定界 exchange-format ``.txt``.

Invalid geometry (``on_invalid``)
---------------------------------
``"raise"`` (default): the row becomes an error row (``status="error"``) saying why — a batch
never aborts for one bad row.  ``"warn"``: the same, plus one warning listing those rows.
``"fix"``: the geometry is repaired with ``make_valid`` (unclosed rings are closed), the row
stays ``ok`` and its ``note`` column says ``repaired: <reason>``; one warning lists the
repaired sites.  Empty and null geometries are error rows under every policy.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from redline.checks.sites.coords import CoordinatePair, parse_angle, parse_pair
from redline.layers.crs import WEB_CRS, crs_label, datum_caveat, guess_crs, parse_crs, proposed_code
from redline.layers.layerset import TARGET_CRS
from redline.layers.reader import repair_geometries
from redline.layers.source import KML_SUFFIXES, ManyLayersError, read_vector
from redline.layers.survey import find_parcel_columns, is_survey_txt, parcels_from_table, read_survey_txt
from redline.layers.tables import read_table
from redline.layers.webcoords import transform_geometry
from redline.zones.errors import CRSError, RedlineError, SiteError
from redline.zones.project import make_project

__all__ = [
    "ON_INVALID",
    "SITE_FIELDS",
    "parse_site_text",
    "read_sites",
    "read_sites_and_layers",
    "sites_center",
    "sites_from_geometries",
]

#: The policy words for invalid geometry, as for layers (``on_invalid`` in layerset.yaml).
ON_INVALID: tuple[str, ...] = ("raise", "warn", "fix")

_VECTOR = {".shp", ".gpkg", ".geojson", ".json", ".fgb", ".gml", ".kml", ".kmz", ".dxf", ".dwg"}
_TABLE = {".csv", ".txt", ".xlsx", ".xls"}

#: Column names recognised when no ``--*-field`` option is given (case-insensitive).
SITE_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("site_id", "id", "siteid", "编号", "项目编号", "序号", "xmbh", "code"),
    "name": ("name", "site_name", "project", "project_name", "项目名称", "名称", "xmmc"),
    "industry": ("industry", "industry_code", "gbt4754", "行业代码", "行业", "行业类别", "hydm"),
    "tags": ("tags", "tag", "标签"),
    "action": ("action", "建设性质", "建设类型"),
    "lon": ("lon", "lng", "longitude", "long", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "wkt": ("wkt", "geometry", "geom", "the_geom", "shape"),
}

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LONLAT_RE = re.compile(rf"^\s*({_NUM})\s*[,，\s]\s*({_NUM})\s*$")


def _in_china(lon: float, lat: float) -> bool:
    return 73.0 <= lon <= 136.0 and 3.0 <= lat <= 54.0


def _in_china_array(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """:func:`_in_china` for arrays (NaN is nowhere)."""
    return (lon >= 73.0) & (lon <= 136.0) & (lat >= 3.0) & (lat <= 54.0)


def _check_policy(on_invalid: str) -> None:
    if on_invalid not in ON_INVALID:
        raise SiteError(f"on_invalid {on_invalid!r} is not one of {', '.join(ON_INVALID)}")


def _to_target(geoms: np.ndarray, crs) -> np.ndarray:
    """Convert geometries from ``crs`` (a pyproj CRS or gcj02/bd09) to EPSG:4490."""
    if isinstance(crs, str) and crs.lower() in WEB_CRS:
        return np.asarray(transform_geometry(geoms, crs.lower()), dtype=object)
    crs = CRS.from_user_input(crs)
    if crs.equals(CRS.from_user_input(TARGET_CRS)):
        return geoms
    return np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(TARGET_CRS).array, dtype=object)


def _warn_datum(crs, where: str) -> None:
    caveat = None if crs is None else datum_caveat(crs)
    if caveat:
        warnings.warn(f"{where}: {caveat}", UserWarning, stacklevel=3)


def _is_geographic(src) -> bool:
    return isinstance(src, str) or src.is_geographic


def _no_crs_message(what: str, xs, ys, near, *, example: str = "EPSG:4545") -> str:
    hint = guess_crs(xs, ys, near=near, near_what="the layers") if len(xs) else None
    return (
        f"{what}" + (f"; they look like {hint}" if hint else "") + f"; give their CRS with --crs (e.g. --crs "
        f"{proposed_code(hint) or example})"
    )


def _read_point(pair, text: str, src, given: bool, near) -> shapely.Point:
    """Place a coordinate pair: hemispheres decide the order; otherwise the reading that falls in China."""
    where = f"site {text!r}"
    if pair.angular and not _is_geographic(src):
        raise SiteError(f"{where} is in degrees, but --crs {crs_label(src)} is projected; drop --crs or fix it")
    if pair.lonlat is not None:
        lon, lat = (pair.first, pair.second) if pair.lonlat else (pair.second, pair.first)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise SiteError(f"{where}: longitude {lon} / latitude {lat} are out of range")
        return shapely.Point(lon, lat)
    x, y = pair.first, pair.second
    if not given and not (-180 <= x <= 180 and -90 <= y <= 90):
        if -180 <= y <= 180 and -90 <= x <= 90:
            pass  # may be lat,lon: decided below
        else:
            raise SiteError(
                _no_crs_message(f"{where}: {x}, {y} are not longitude/latitude", np.array([x]), np.array([y]), near)
            )
    readings = []
    area = None if _is_geographic(src) else src.area_of_use  # a projected reading must fall in its zone too
    for a, b in ((x, y), (y, x)):
        try:
            lonlat = shapely.get_coordinates(_to_target(np.array([shapely.Point(a, b)], dtype=object), src)[0])[0]
        except Exception:  # a reading PROJ cannot place is simply not in China
            lonlat = np.array([np.nan, np.nan])
        lon, lat = float(lonlat[0]), float(lonlat[1])
        inside = bool(np.isfinite(lonlat).all()) and _in_china(lon, lat)
        if inside and area is not None:
            inside = area.west - 1.5 <= lon <= area.east + 1.5 and area.south - 1.5 <= lat <= area.north + 1.5
        readings.append(inside)
    if readings[0]:
        return shapely.Point(x, y)
    if readings[1]:
        first, second = ("latitude", "longitude") if _is_geographic(src) else ("northing (X)", "easting (Y)")
        warnings.warn(
            f"{where} read as {first},{second}: only that reading falls in China; the site is at {y},{x}",
            UserWarning,
            stacklevel=3,
        )
        return shapely.Point(y, x)
    crs_text = crs_label(src) if given else "EPSG:4490 longitude/latitude"
    raise SiteError(
        f"{where} falls outside China whichever way it is read ({x},{y} or {y},{x} in {crs_text}), so which is "
        "the longitude is ambiguous; check the numbers"
        + ("" if given else ", and give --crs if they are not CGCS2000/WGS84 longitude/latitude")
    )


def _close_wkt(text: str):
    """Parse polygon WKT whose rings do not end where they start, closing them; None if it still fails."""

    def close(m: re.Match) -> str:
        pts = [p.strip() for p in m.group(1).split(",")]
        if len(pts) >= 3 and pts[0].split() != pts[-1].split():
            pts.append(pts[0])
        return "(" + ", ".join(pts) + ")"

    try:
        return shapely.from_wkt(re.sub(r"\(([^()]*)\)", close, text))
    except shapely.errors.GEOSException:
        return None


def parse_site_text(
    text: str,
    *,
    crs=None,
    on_invalid: str = "raise",
    near: tuple[float, float] | None = None,
) -> tuple[shapely.Geometry, str]:
    r"""Parse one site given as coordinate text or WKT into EPSG:4490.

    Parameters
    ----------
    text : str
        ``"109.30,22.28"``, ``"22.28,109.30"`` (read as lat,lon with a warning, since only
        that reading falls in China), ``108°39'12.5"E 22°10'03"N``, ``108度39分12.5秒,22度10分3秒``,
        or WKT such as ``"POLYGON ((...))"``.
    crs : str, optional
        The coordinates' CRS (``EPSG:4545``, ``CGCS2000-GK3-36``, ``gcj02`` ...); default
        EPSG:4490.  With a projected CRS, ``"X,Y"`` written northing first is detected the same way.
    on_invalid : {"raise", "warn", "fix"}
        For an invalid polygon (self-intersection, unclosed ring): ``fix`` repairs it with
        ``make_valid`` and warns; ``raise`` and ``warn`` refuse it.
    near : (lon, lat), optional
        Where the layers are, to propose a central meridian when a CRS is missing.

    Returns
    -------
    (geometry, crs_label)

    Raises
    ------
    SiteError
        For text that is none of these, a pair outside China either way round, or bad geometry.

    Examples
    --------
    >>> g, crs = parse_site_text("109.3, 22.28")
    >>> g.wkt, crs
    ('POINT (109.3 22.28)', 'EPSG:4490')
    >>> g, _ = parse_site_text("108°39'12.5\"E 22°10'03\"N")
    >>> round(g.x, 6), round(g.y, 6)
    (108.653472, 22.1675)
    """
    _check_policy(on_invalid)
    given = bool(crs)
    src = parse_crs(crs) if crs else CRS.from_user_input(TARGET_CRS)
    label = crs_label(src)
    m = _LONLAT_RE.match(text)
    pair = parse_pair(text) if not m else None
    if m:
        pair = CoordinatePair(float(m.group(1)), float(m.group(2)), None, False)
    note = ""
    if pair is not None:
        geom = _read_point(pair, text, src, given, near)
    else:
        try:
            geom = shapely.from_wkt(text.strip())
        except shapely.errors.GEOSException as exc:
            closed = _close_wkt(text.strip()) if "closed linestring" in str(exc) else None
            if closed is not None and on_invalid == "fix":
                geom = closed
                note = "ring not closed"
            elif closed is not None:
                raise SiteError(
                    f"site {text[:80]!r}: a polygon ring is not closed (its last point is not its first); "
                    "close it, or use --on-invalid fix"
                ) from None
            else:
                raise SiteError(
                    f'site {text!r} is neither "lon,lat" nor WKT ({exc}); write e.g. '
                    '"109.30,22.28", 108°39\'12.5"E 22°10\'03"N or '
                    '"POLYGON ((109.30 22.28, 109.31 22.28, 109.31 22.29, 109.30 22.28))", '
                    "or give the path of an existing file"
                ) from None
        if not given and geom is not None and not geom.is_empty:
            b = shapely.bounds(geom)
            if np.isfinite(b).all() and not ((np.abs(b[[0, 2]]) <= 180).all() and (np.abs(b[[1, 3]]) <= 90).all()):
                xy = shapely.get_coordinates(geom)
                raise SiteError(
                    _no_crs_message(
                        f"site {text[:80]!r}: the coordinates are not longitude/latitude", xy[:, 0], xy[:, 1], near
                    )
                )
    problem = _geometry_problem(geom)
    if problem is None and (note or not geom.is_valid):
        reason = note or shapely.is_valid_reason(geom)
        if on_invalid != "fix":
            raise SiteError(
                f"site {text[:80]!r}: invalid geometry ({reason}); repair it (e.g. in QGIS: Fix geometries), "
                "or use --on-invalid fix"
            )
        fixed, failures = repair_geometries(np.array([geom], dtype=object))
        if failures[0]:
            raise SiteError(f"site {text[:80]!r}: invalid geometry ({reason}) that cannot be repaired")
        geom = fixed[0]
        warnings.warn(f"site {text[:80]!r}: repaired with make_valid ({reason})", UserWarning, stacklevel=2)
    elif problem:
        raise SiteError(f"site {text[:80]!r}: {problem}")
    _warn_datum(src, "--crs")
    return _to_target(np.array([geom], dtype=object), src)[0], label


def _geometry_problem(geom) -> str | None:
    """Return why a site geometry cannot be checked (validity aside), or None when it can."""
    if geom is None or shapely.is_missing(geom):
        return "no geometry"
    if geom.is_empty:
        return "empty geometry"
    if geom.geom_type == "GeometryCollection" or geom.geom_type.endswith("Ring"):
        return f"unsupported geometry type {geom.geom_type}; use points, lines or polygons"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return "coordinates are not finite numbers"
    return None


def sites_center(sites: gpd.GeoDataFrame) -> tuple[float, float] | None:
    """Return the (lon, lat) middle of the usable sites, or None (for :func:`layers.load_layerset` ``near``)."""
    geoms = np.asarray(sites.geometry.array, dtype=object)
    ok = ~shapely.is_missing(geoms)
    if not ok.any():
        return None
    b = shapely.bounds(geoms[ok])
    return float(np.nanmedian((b[:, 0] + b[:, 2]) / 2)), float(np.nanmedian((b[:, 1] + b[:, 3]) / 2))


def _find_column(columns: list[str], role: str, explicit: str | None, path: Path) -> str | None:
    if explicit:
        if explicit in columns:
            return explicit
        raise SiteError(
            f"{path.name}: no column {explicit!r} (given for the site {role}); the columns are "
            f"{', '.join(columns)}; fix --{role}-field"
        )
    lower = {c.lower(): c for c in columns}
    for name in SITE_FIELDS[role]:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def _coordinate_column(series: pd.Series) -> np.ndarray:
    """Numbers of a lon or lat column; cells in DMS (108°39'12.5") are read too."""
    values = np.array(pd.to_numeric(series.astype(str).str.strip(), errors="coerce"), dtype=float)
    for i in np.flatnonzero(np.isnan(values)):
        cell = str(series.iloc[i]).strip()
        if cell:
            try:
                angle = parse_angle(cell)
            except SiteError:
                angle = None
            if angle is not None:
                values[i] = angle
    return values


def _swapped_columns_message(path: Path, lon_col: str, lat_col: str) -> str:
    return (
        f"{path.name}: the columns {lon_col!r} and {lat_col!r} look swapped: every row holds a latitude in "
        f"{lon_col!r} and a longitude in {lat_col!r}; swap the column names"
    )


def _table_geometries(
    df: pd.DataFrame,
    path: Path,
    lon_col,
    lat_col,
    wkt_col,
    crs,
    near,
    *,
    row_offset: int = 0,
    swap_tally: dict[str, int] | None = None,
) -> tuple[np.ndarray, list, str]:
    """Geometries of a table's rows, an error (or None) per row, and the CRS label ("" when ``crs`` is given).

    ``row_offset`` counts the rows before ``df`` (a chunk of a longer table) for the messages; with
    ``swap_tally`` the swapped-columns check of the whole table is left to the caller, which gets
    the counts of swapped and usable rows added to it instead.
    """
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    errors: list[str | None] = [None] * n
    if wkt_col and not (lon_col and lat_col):
        texts = [str(text) for text in df[wkt_col].tolist()]
        blank = np.array([not t.strip() for t in texts], dtype=bool)
        filled = np.flatnonzero(~blank)
        if len(filled):  # one vectorised parse; the rows it cannot read are parsed again for their message
            geoms[filled] = shapely.from_wkt(np.array(texts, dtype=object)[filled], on_invalid="ignore")
        for i in np.flatnonzero(blank):
            errors[i] = f"row {row_offset + i + 2}: column {wkt_col!r} is empty (no geometry)"
        for i in filled[shapely.is_missing(geoms[filled])]:
            try:
                geoms[i] = shapely.from_wkt(texts[i])
            except shapely.errors.GEOSException as exc:
                closed = _close_wkt(texts[i]) if "closed linestring" in str(exc) else None
                if closed is not None:
                    geoms[i] = closed
                    errors[i] = _UNCLOSED
                else:
                    errors[i] = f"row {row_offset + i + 2}: {wkt_col!r} is not valid WKT ({exc})"
    elif lon_col and lat_col:
        xs = _coordinate_column(df[lon_col])
        ys = _coordinate_column(df[lat_col])
        geographic = crs is None or _is_geographic(crs)
        usable = ~(np.isnan(xs) | np.isnan(ys))
        swapped = np.zeros(n, dtype=bool)
        if geographic:
            swapped = usable & ~_in_china_array(xs, ys) & _in_china_array(ys, xs)
        good = usable & ~swapped
        if good.any():
            geoms[good] = shapely.points(xs[good], ys[good])
        for i in np.flatnonzero(~good):
            lon_cell, lat_cell = df[lon_col].iloc[i], df[lat_col].iloc[i]
            if not usable[i]:
                errors[i] = f"row {row_offset + i + 2}: {lon_col}={lon_cell!r}, {lat_col}={lat_cell!r} are not numbers"
            else:
                errors[i] = (
                    f"row {row_offset + i + 2}: {lon_col}={lon_cell}, {lat_col}={lat_cell} look swapped "
                    f"(a latitude in the {lon_col!r} column); check the row"
                )
        if swap_tally is not None:
            swap_tally["swapped"] = swap_tally.get("swapped", 0) + int(swapped.sum())
            swap_tally["usable"] = swap_tally.get("usable", 0) + int(usable.sum())
        elif swapped.any() and swapped[usable].all():
            raise SiteError(_swapped_columns_message(path, lon_col, lat_col))
    else:
        raise SiteError(
            f"{path.name}: no coordinate columns; the columns are {', '.join(df.columns)}; "
            "add lon and lat (经度/纬度) columns, a WKT column, or 界址点 columns (点号, X, Y)"
        )
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    bounds = shapely.bounds(geoms[ok]) if ok.any() else np.empty((0, 4))
    if crs is None:
        if len(bounds) and not ((np.abs(bounds[:, [0, 2]]) <= 180).all() and (np.abs(bounds[:, [1, 3]]) <= 90).all()):
            raise CRSError(
                _no_crs_message(
                    f"{path.name}: the coordinates are not longitude/latitude", bounds[:, 0], bounds[:, 1], near
                )
            )
        return geoms, errors, "EPSG:4490 (default for longitude/latitude tables)"
    return geoms, errors, ""


#: Marks a row whose ring was closed on reading (judged by on_invalid like any invalid geometry).
_UNCLOSED = "\x00unclosed"


def _parcel_sites(df: pd.DataFrame, path: Path, crs, declared: str | None, near):
    """Parcels of a 界址点 table: (geometries, one attribute row per parcel, errors, ids, crs label, crs)."""
    default_id = path.stem
    parcels = parcels_from_table(df, source=path.name, default_id=default_id)
    label = ""
    if crs is None and declared:
        crs = parse_crs(declared)
        label = f"{crs_label(crs)} ({declared}, declared in the file)"
    if crs is None:
        if parcels.geographic:
            crs = CRS.from_user_input(TARGET_CRS)
            label = "EPSG:4490 (default for longitude/latitude)"
        else:
            ok = [g for g in parcels.geoms if g is not None]
            xy = shapely.get_coordinates(np.array(ok, dtype=object)) if ok else np.empty((0, 2))
            raise CRSError(
                _no_crs_message(
                    f"{path.name}: the 界址点 table has no CRS (X northing, Y easting)",
                    xy[:, 0],
                    xy[:, 1],
                    near,
                    example="CGCS2000-GK3-36",
                )
            )
    first_rows = [rows[0] for rows in parcels.rows]
    attrs = df.iloc[first_rows].reset_index(drop=True)
    for j, rows in enumerate(parcels.rows):  # first non-empty value of the parcel's rows
        block = df.iloc[rows]
        for col in df.columns:
            filled = block[col][block[col].astype(str).str.strip() != ""]
            if len(filled):
                attrs.loc[j, col] = filled.iloc[0]
    if any(parcels.names):
        attrs["_parcel_name"] = parcels.names
    return parcels.geoms, attrs, parcels.errors, parcels.ids, label, crs


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
        Defaults for rows whose own column is empty.
    on_invalid : {"raise", "warn", "fix"}
        What invalid geometry does to its row (see the module docstring): ``raise`` keeps it
        as an error row, ``warn`` too and warns, ``fix`` repairs it and notes ``repaired: ...``.
    near : (lon, lat), optional
        Where the layers are (:meth:`layers.LayerSet.center`), to propose a central meridian
        when a CRS is missing.
    encoding : str, optional
        Text encoding of a Shapefile's DBF; by default its ``.cpg``, else detected (UTF-8 when
        valid, else GBK/GB18030; reported in ``attrs["encoding"]``).

    Returns
    -------
    (GeoDataFrame, str)
        Columns ``site_id, name, industry, tags, action, status, error, note, geometry``
        (EPSG:4490; None for error rows) and a label of the input CRS.  ``attrs["encoding"]``
        says how a Shapefile's text was decoded when that was detected.

    Raises
    ------
    SiteError, CRSError
        For problems with the whole file.

    Examples
    --------
    >>> from redline.layers import sample_dir
    >>> sites, crs = read_sites(sample_dir() / "sites.geojson")
    >>> len(sites), crs
    (40, 'EPSG:4490')
    >>> sites.loc[0, ["site_id", "industry", "status"]].tolist()
    ['S01', 'H6210', 'ok']
    >>> sites, crs = read_sites("parcels.shp", id_field="XMBH", industry_field="HYDM")  # doctest: +SKIP
    """
    _check_policy(on_invalid)
    path = Path(path)
    if not path.exists():
        raise SiteError(f"sites file '{path}' does not exist; check the path")
    suffix = path.suffix.lower()
    src_crs = parse_crs(crs) if crs else None
    site_ids = None
    labels = None
    unclosed = None
    encoding_note = ""
    if suffix in _TABLE:
        declared = None
        if is_survey_txt(path):
            try:
                df, declared, _ = read_survey_txt(path)
            except RedlineError as exc:
                raise SiteError(str(exc)) from None
        else:
            df = read_table(path, error=SiteError)
        columns = list(df.columns)
        parcel_cols = find_parcel_columns(columns)
        if declared is not None or (parcel_cols["point"] and parcel_cols["x"] and parcel_cols["y"]):
            geoms, df, row_errors, site_ids, crs_label_, src_crs = _parcel_sites(df, path, src_crs, declared, near)
            labels = [f"parcel {pid}" for pid in site_ids]
            columns = list(df.columns)
            if name_field is None and "_parcel_name" in columns:
                name_field = "_parcel_name"
        else:
            lon_col = _find_column(columns, "lon", None, path)
            lat_col = _find_column(columns, "lat", None, path)
            wkt_col = _find_column(columns, "wkt", None, path)
            geoms, row_errors, crs_label_ = _table_geometries(df, path, lon_col, lat_col, wkt_col, src_crs, near)
            unclosed = np.array([e == _UNCLOSED for e in row_errors], dtype=bool)
            row_errors = [None if e == _UNCLOSED else e for e in row_errors]
            if src_crs is None:
                src_crs = CRS.from_user_input(TARGET_CRS)
    elif suffix in _VECTOR or path.is_dir():
        try:
            source = read_vector(path, layer=layer, encoding=encoding, error=SiteError)
        except ManyLayersError as many:
            raise SiteError(
                f"sites file '{path.name}' holds {len(many.names)} layers ({', '.join(many.names[:8])}); "
                "choose one with --layer"
            ) from None
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise SiteError(f"sites file '{path}' cannot be read ({exc}); check the file and --layer") from None
        gdf = source.gdf
        encoding_note = source.encoding.note if "detected" in source.encoding.note else ""
        geoms = np.asarray(gdf.geometry.array, dtype=object).copy()
        unclosed = source.unclosed
        geoms[unclosed] = source.closed[unclosed]
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        columns = list(df.columns)
        row_errors = [None] * len(df)
        crs_label_ = ""
        if src_crs is None:
            if gdf.crs is None:
                ok = ~shapely.is_missing(geoms)
                xy = shapely.get_coordinates(geoms[ok]) if ok.any() else np.empty((0, 2))
                drawing = suffix in (".dxf", ".dwg")
                what = (
                    f"drawing '{path.name}' has no CRS (CAD drawings carry none)"
                    if drawing
                    else f"sites file '{path.name}' has no CRS (no .prj or CRS metadata)"
                )
                raise CRSError(
                    _no_crs_message(
                        what, xy[:, 0], xy[:, 1], near, example="EPSG:4545" if drawing else "EPSG:4490"
                    ).replace("; they look like", "; the coordinates look like")
                )
            src_crs = gdf.crs
        if suffix in KML_SUFFIXES and "name" not in {c.lower() for c in columns} and "Name" in columns:
            name_field = name_field or "Name"
    else:
        raise SiteError(
            f"sites file '{path.name}': unsupported format {suffix!r}; use SHP, GPKG, GeoJSON, FGB, KML/KMZ, DXF, "
            "CSV or XLSX"
        )
    if not crs_label_:
        crs_label_ = crs_label(src_crs)
    cols = {
        role: _find_column(columns, role, explicit, path)
        for role, explicit in (
            ("id", id_field),
            ("name", name_field),
            ("industry", industry_field),
            ("tags", tags_field),
            ("action", action_field),
        )
    }
    if site_ids is not None:
        cols["id"] = None
    _warn_datum(src_crs, path.name)
    sites = sites_from_geometries(
        geoms,
        src_crs,
        df=df,
        columns=cols,
        row_errors=row_errors,
        industry=industry,
        tags=tags,
        action=action,
        source=path.name,
        site_ids=site_ids,
        on_invalid=on_invalid,
        unclosed=unclosed,
        labels=labels,
    )
    if encoding_note:
        sites.attrs["encoding"] = encoding_note
    return sites, crs_label_


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
    from redline.layers.reader import NO_CRS
    from redline.zones.errors import ManifestError

    try:
        return load_layerset(layers_path)
    except ManifestError as exc:
        if not any(NO_CRS in p and "central meridian that puts" not in p for p in exc.problems):
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


def _cell(df: pd.DataFrame | None, col: str | None, i: int) -> str:
    if df is None or col is None:
        return ""
    value = df[col].iloc[i]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cells(df: pd.DataFrame | None, col: str | None, n: int) -> list[str]:
    """:func:`_cell` of every row of a column (read once: row-by-row lookups are slow for big tables)."""
    if df is None or col is None:
        return [""] * n
    out = []
    for value in df[col].tolist():
        if value is None or (isinstance(value, float) and np.isnan(value)):
            out.append("")
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(str(value).strip())
    return out


def _geometry_problems(geoms: np.ndarray) -> list[str | None]:
    """:func:`_geometry_problem` of every geometry, the usual (usable) ones found vectorised."""
    out: list[str | None] = [None] * len(geoms)
    missing = shapely.is_missing(geoms)
    present = np.flatnonzero(~missing)
    flagged = np.flatnonzero(missing)
    if len(present):
        g = geoms[present]
        type_id = shapely.get_type_id(g)
        suspect = shapely.is_empty(g) | (type_id == 2) | (type_id == 7)  # 2 LinearRing, 7 GeometryCollection
        coords, index = shapely.get_coordinates(g, return_index=True)
        suspect[index[~np.isfinite(coords).all(axis=1)]] = True
        flagged = np.concatenate([flagged, present[suspect]])
    for i in flagged:
        out[i] = _geometry_problem(geoms[i])
    return out


def _duplicate_ids_message(source: str, dupes: list[str]) -> str:
    return (
        f"{source}: site ids repeat ({', '.join(dupes[:8])}); every site needs its own id; "
        "choose another column with --id-field, or make the ids unique"
    )


class RowNotes:
    """Invalid and repaired rows of a file read in chunks, for one warning each at the end.

    Keeps only the first few descriptions and the counts, so memory does not grow with the file.
    """

    def __init__(self) -> None:
        self.kept_invalid: list[str] = []
        self.n_kept_invalid = 0
        self.repaired: list[str] = []
        self.n_repaired = 0

    def add(self, kept_invalid: list[str], repaired: list[str]) -> None:
        """Count a chunk's rows (keeping the first eight of each kind, as the warnings list them)."""
        self.kept_invalid += kept_invalid[: max(0, 8 - len(self.kept_invalid))]
        self.n_kept_invalid += len(kept_invalid)
        self.repaired += repaired[: max(0, 8 - len(self.repaired))]
        self.n_repaired += len(repaired)

    def warn(self, source: str, stacklevel: int = 2) -> None:
        """Issue the warnings :func:`sites_from_geometries` issues for a whole file."""
        _warn_rows(source, self.kept_invalid, self.n_kept_invalid, self.repaired, self.n_repaired, stacklevel + 1)


def _warn_rows(source: str, kept: list[str], n_kept: int, repaired: list[str], n_repaired: int, stacklevel: int):
    def listing(values: list[str], n: int) -> str:
        return ", ".join(values[:8]) + (f" and {n - 8} more" if n > 8 else "")

    if n_kept:
        warnings.warn(
            f"{source}: {n_kept} site(s) with invalid geometry kept as error rows: "
            f"{listing(kept, n_kept)}; use --on-invalid fix to repair them",
            UserWarning,
            stacklevel=stacklevel + 1,
        )
    if n_repaired:
        warnings.warn(
            f"{source}: repaired {n_repaired} site geometr{'y' if n_repaired == 1 else 'ies'} with "
            f"make_valid: {listing(repaired, n_repaired)}",
            UserWarning,
            stacklevel=stacklevel + 1,
        )


_SITE_RECORD_COLUMNS = ["site_id", "name", "industry", "tags", "action", "status", "error", "note", "project"]


def sites_from_geometries(
    geoms,
    crs,
    *,
    df: pd.DataFrame | None = None,
    columns: dict[str, str | None] | None = None,
    row_errors: list | None = None,
    industry=None,
    tags=None,
    action=None,
    source: str = "input",
    site_ids: list[str] | None = None,
    on_invalid: str = "raise",
    unclosed=None,
    labels: list[str] | None = None,
    row_offset: int = 0,
    notes: RowNotes | None = None,
) -> gpd.GeoDataFrame:
    """Build the sites table from geometries and optional attribute columns.

    Rows with unusable geometry or project attributes get ``status="error"``; invalid
    geometry follows ``on_invalid`` (see the module docstring).

    Parameters
    ----------
    geoms : array of shapely geometries
        In ``crs``.
    crs : pyproj.CRS or str
        Their CRS (``gcj02``/``bd09`` too).
    unclosed : array of bool, optional
        Rows whose rings were closed on reading (they count as invalid: "ring not closed").
    labels : list of str, optional
        How messages name each row (default ``row N (id X)``).
    row_offset : int
        Rows before these ones (when they are a chunk of a longer file): row numbers in messages
        and default ids (``row_offset + 1`` ...) continue from there.
    notes : RowNotes, optional
        Collect the invalid and repaired rows there (one warning for a whole file read in
        chunks) instead of warning here.

    Raises
    ------
    SiteError
        When site ids repeat (findings are joined to sites by id).

    Examples
    --------
    >>> from shapely import Point
    >>> sites = sites_from_geometries([Point(109.40, 22.49), None], "EPSG:4490", industry="C3360")
    >>> sites["status"].tolist(), sites.loc[1, "error"]
    (['ok', 'error'], 'row 2: no geometry')
    """
    _check_policy(on_invalid)
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    columns = columns or {}
    row_errors = list(row_errors) if row_errors is not None else [None] * n
    unclosed = np.zeros(n, dtype=bool) if unclosed is None else np.asarray(unclosed, dtype=bool)
    ids = site_ids or [c or f"{row_offset + i + 1}" for i, c in enumerate(_cells(df, columns.get("id"), n))]
    dupes = sorted(s for s, c in Counter(ids).items() if c > 1)
    if dupes:
        raise SiteError(_duplicate_ids_message(source, dupes))
    names = _cells(df, columns.get("name"), n)
    industries = _cells(df, columns.get("industry"), n)
    tag_cells = _cells(df, columns.get("tags"), n)
    actions = _cells(df, columns.get("action"), n)
    default_industry = industry if isinstance(industry, str) else ";".join(industry or [])
    default_tags = tags if isinstance(tags, str) else ";".join(tags or [])
    problems = _geometry_problems(geoms)
    valid = np.zeros(n, dtype=bool)
    usable = np.array([p is None for p in problems], dtype=bool)
    valid[usable] = shapely.is_valid(geoms[usable])
    # most rows repeat a few projects: each (industry, tags, action) is made and written out once
    projects: dict[tuple[str, str, str], tuple] = {}
    columns_out: dict[str, list] = {c: [] for c in _SITE_RECORD_COLUMNS}
    valid_geoms = np.full(n, None, dtype=object)
    kept_invalid: list[str] = []
    repaired: list[str] = []

    def row_label(i: int) -> str:
        if labels is not None:
            return labels[i]
        return f"row {row_offset + i + 1}" if df is None else f"row {row_offset + i + 1} (id {ids[i]})"

    for i in range(n):
        err = row_errors[i]
        ind = industries[i] or default_industry
        tg = tag_cells[i] or default_tags
        act = actions[i] or (action or "new")
        project = None
        note = ""
        geom = geoms[i]
        if err is None:
            problem = problems[i]
            if problem:
                err = f"{row_label(i)}: {problem}"
        if err is None and (unclosed[i] or not valid[i]):
            reason = "ring not closed" if unclosed[i] else shapely.is_valid_reason(geom)
            if unclosed[i] and not geom.is_valid:
                reason += f", then {shapely.is_valid_reason(geom)}"
            if on_invalid == "fix":
                fixed, failures = repair_geometries(np.array([geom], dtype=object))
                if failures[0]:
                    err = f"{row_label(i)}: invalid geometry ({reason}) that cannot be repaired: {failures[0]}"
                else:
                    geom = fixed[0]
                    note = f"repaired: {reason}"
                    repaired.append(f"{ids[i]} ({reason})")
            else:
                err = (
                    f"{row_label(i)}: invalid geometry ({reason}); repair it (e.g. in QGIS: Fix geometries), "
                    "or use --on-invalid fix"
                )
                if on_invalid == "warn":
                    kept_invalid.append(f"{ids[i]} ({reason})")
        texts = (ind, tg, act)
        if err is None:
            made = projects.get((ind, tg, act))
            if made is None:
                try:
                    built = make_project(ind, tg, act)
                    made = (built, ";".join(built.industries), ";".join(sorted(built.tags)), built.action)
                except RedlineError as exc:
                    made = (exc,)
                projects[(ind, tg, act)] = made
            if isinstance(made[0], RedlineError):
                err = f"{row_label(i)}: {made[0]}"
            else:
                project, texts = made[0], made[1:]
        if err is None:
            valid_geoms[i] = geom
        columns_out["site_id"].append(ids[i])
        columns_out["name"].append(names[i])
        columns_out["industry"].append(texts[0])
        columns_out["tags"].append(texts[1])
        columns_out["action"].append(texts[2])
        columns_out["status"].append("error" if err else "ok")
        columns_out["error"].append(err or "")
        columns_out["note"].append(note)
        columns_out["project"].append(project)
    if notes is not None:
        notes.add(kept_invalid, repaired)
    else:
        _warn_rows(source, kept_invalid, len(kept_invalid), repaired, len(repaired), 2)
    ok = np.array([g is not None for g in valid_geoms], dtype=bool)
    if ok.any():
        converted = _to_target(valid_geoms[ok], crs)
        valid_geoms[ok] = converted
        b = shapely.bounds(converted)
        bad = (
            ~np.isfinite(b).all(axis=1)
            | (np.abs(b[:, [0, 2]]) > 180).any(axis=1)
            | (np.abs(b[:, [1, 3]]) > 90).any(axis=1)
        )
        for j in np.flatnonzero(ok)[bad]:
            columns_out["status"][j] = "error"
            columns_out["error"][j] = (
                f"row {row_offset + j + 1}: coordinates are not longitude/latitude after conversion; "
                "check the CRS (--crs)"
            )
            valid_geoms[j] = None
    frame = pd.DataFrame(columns_out if n else [], columns=_SITE_RECORD_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(valid_geoms, crs=TARGET_CRS), crs=TARGET_CRS)
