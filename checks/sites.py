"""Project sites in: ``"lon,lat"``, WKT, or a file of sites (vector file, CSV, XLSX).

Every input row becomes one site.  A row that cannot be used (no geometry, bad
WKT, unknown industry code ...) is kept with ``status="error"`` and a message;
a problem with the whole input (missing file, unknown column, coordinates with
no CRS) raises :class:`~zones.errors.SiteError` or :class:`~zones.errors.CRSError`.
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

from layers.crs import WEB_CRS, guess_crs, parse_crs
from layers.layerset import TARGET_CRS
from layers.tables import read_table
from layers.webcoords import transform_geometry
from zones.errors import CRSError, RedlineError, SiteError
from zones.project import make_project

__all__ = ["SITE_FIELDS", "parse_site_text", "read_sites", "sites_from_geometries"]

_VECTOR = {".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml", ".gml"}
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


def _to_target(geoms: np.ndarray, crs) -> np.ndarray:
    """Convert geometries from ``crs`` (a pyproj CRS or gcj02/bd09) to EPSG:4490."""
    if isinstance(crs, str) and crs.lower() in WEB_CRS:
        return np.asarray(transform_geometry(geoms, crs.lower()), dtype=object)
    crs = CRS.from_user_input(crs)
    if crs.equals(CRS.from_user_input(TARGET_CRS)):
        return geoms
    return np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(TARGET_CRS).array, dtype=object)


def parse_site_text(text: str, *, crs=None) -> tuple[shapely.Geometry, str]:
    """Parse one site given as ``"lon,lat"`` or WKT into EPSG:4490.

    Parameters
    ----------
    text : str
        ``"109.30,22.28"`` or WKT such as ``"POLYGON ((...))"``.
    crs : str, optional
        The coordinates' CRS (``EPSG:4545``, ``gcj02`` ...); default EPSG:4490.

    Returns
    -------
    (geometry, crs_label)

    Raises
    ------
    SiteError
        For text that is neither, or a lat,lon pair written the wrong way round.

    Examples
    --------
    >>> g, crs = parse_site_text("109.3, 22.28")
    >>> g.wkt, crs
    ('POINT (109.3 22.28)', 'EPSG:4490')
    """
    src = parse_crs(crs) if crs else CRS.from_user_input(TARGET_CRS)
    label = src if isinstance(src, str) else f"EPSG:{src.to_epsg()}" if src.to_epsg() else src.name
    geographic = isinstance(src, str) or src.is_geographic
    m = _LONLAT_RE.match(text)
    if m:
        x, y = float(m.group(1)), float(m.group(2))
        if geographic:
            if not _in_china(x, y) and _in_china(y, x):
                raise SiteError(f'site {text!r} reads as latitude,longitude; write longitude first: "{y},{x}"')
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                hint = guess_crs(np.array([x]), np.array([y]))
                raise SiteError(
                    f"site {text!r}: {x}, {y} are not longitude/latitude"
                    + (f"; they look like {hint}; give --crs" if hint else "")
                )
        geom = shapely.Point(x, y)
    else:
        try:
            geom = shapely.from_wkt(text.strip())
        except shapely.errors.GEOSException as exc:
            raise SiteError(
                f'site {text!r} is neither "lon,lat" nor WKT ({exc}); write e.g. '
                '"109.30,22.28" or "POLYGON ((109.30 22.28, 109.31 22.28, 109.31 22.29, 109.30 22.28))", '
                "or give the path of an existing file"
            ) from None
    problem = _geometry_problem(geom)
    if problem:
        raise SiteError(f"site {text[:80]!r}: {problem}")
    return _to_target(np.array([geom], dtype=object), src)[0], label


def _geometry_problem(geom) -> str | None:
    """Return why a site geometry cannot be checked, or None when it can."""
    if geom is None or shapely.is_missing(geom):
        return "no geometry"
    if geom.is_empty:
        return "empty geometry"
    if geom.geom_type == "GeometryCollection" or geom.geom_type.endswith("Ring"):
        return f"unsupported geometry type {geom.geom_type}; use points, lines or polygons"
    if not geom.is_valid:
        return f"invalid geometry ({shapely.is_valid_reason(geom)}); repair it (e.g. in QGIS: Fix geometries)"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return "coordinates are not finite numbers"
    return None


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


def _table_geometries(df: pd.DataFrame, path: Path, lon_col, lat_col, wkt_col, crs) -> tuple[np.ndarray, list, str]:
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    errors: list[str | None] = [None] * n
    if wkt_col and not (lon_col and lat_col):
        for i, text in enumerate(df[wkt_col]):
            if not str(text).strip():
                errors[i] = f"row {i + 2}: column {wkt_col!r} is empty (no geometry)"
                continue
            try:
                geoms[i] = shapely.from_wkt(str(text))
            except shapely.errors.GEOSException as exc:
                errors[i] = f"row {i + 2}: {wkt_col!r} is not valid WKT ({exc})"
    elif lon_col and lat_col:
        xs = pd.to_numeric(df[lon_col].str.strip(), errors="coerce").to_numpy(dtype=float)
        ys = pd.to_numeric(df[lat_col].str.strip(), errors="coerce").to_numpy(dtype=float)
        for i in range(n):
            if np.isnan(xs[i]) or np.isnan(ys[i]):
                errors[i] = (
                    f"row {i + 2}: {lon_col}={df[lon_col].iloc[i]!r}, {lat_col}={df[lat_col].iloc[i]!r} are not numbers"
                )
            else:
                geoms[i] = shapely.Point(xs[i], ys[i])
    else:
        raise SiteError(
            f"{path.name}: no coordinate columns; the columns are {', '.join(df.columns)}; "
            "add lon and lat (经度/纬度) columns or a WKT column"
        )
    ok = np.array([g is not None for g in geoms])
    bounds = shapely.bounds(geoms[ok]) if ok.any() else np.empty((0, 4))
    if crs is None:
        if len(bounds) and not ((np.abs(bounds[:, [0, 2]]) <= 180).all() and (np.abs(bounds[:, [1, 3]]) <= 90).all()):
            hint = guess_crs(bounds[:, 0], bounds[:, 1])
            raise CRSError(
                f"{path.name}: the coordinates are not longitude/latitude"
                + (f"; they look like {hint}" if hint else "")
                + "; give their CRS with --crs (e.g. --crs EPSG:4545)"
            )
        return geoms, errors, "EPSG:4490 (default for longitude/latitude tables)"
    return geoms, errors, ""


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
) -> tuple[gpd.GeoDataFrame, str]:
    """Read a file of sites; every row becomes one site.

    Parameters
    ----------
    path : str or Path
        SHP, GPKG, GeoJSON, FGB, CSV or XLSX.  Tables need ``lon``/``lat``
        (or 经度/纬度) columns or a WKT column.
    id_field, name_field, industry_field, tags_field, action_field : str, optional
        Column names; common names are detected when not given.
    crs : str, optional
        The coordinates' CRS when the file has none (or to override it).
    layer : str, optional
        Layer of a multi-layer source.
    industry, tags, action : optional
        Defaults for rows whose own column is empty.

    Returns
    -------
    (GeoDataFrame, str)
        Columns ``site_id, name, industry, tags, action, status, error, geometry``
        (EPSG:4490; None for error rows) and a label of the input CRS.

    Raises
    ------
    SiteError, CRSError
        For problems with the whole file.
    """
    path = Path(path)
    if not path.exists():
        raise SiteError(f"sites file '{path}' does not exist; check the path")
    suffix = path.suffix.lower()
    src_crs = parse_crs(crs) if crs else None
    if suffix in _TABLE:
        df = read_table(path, error=SiteError)
        columns = list(df.columns)
        lon_col = _find_column(columns, "lon", None, path)
        lat_col = _find_column(columns, "lat", None, path)
        wkt_col = _find_column(columns, "wkt", None, path)
        geoms, row_errors, crs_label = _table_geometries(df, path, lon_col, lat_col, wkt_col, src_crs)
        if src_crs is None:
            src_crs = CRS.from_user_input(TARGET_CRS)
    elif suffix in _VECTOR or path.is_dir():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                gdf = pyogrio.read_dataframe(path, layer=layer) if layer else pyogrio.read_dataframe(path)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise SiteError(f"sites file '{path}' cannot be read ({exc}); check the file and --layer") from None
        geoms = np.asarray(gdf.geometry.array, dtype=object)
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        columns = list(df.columns)
        row_errors = [None] * len(df)
        crs_label = ""
        if src_crs is None:
            if gdf.crs is None:
                ok = ~shapely.is_missing(geoms)
                b = shapely.bounds(geoms[ok]) if ok.any() else np.empty((0, 4))
                hint = guess_crs(b[:, 0], b[:, 1]) if len(b) else None
                raise CRSError(
                    f"sites file '{path.name}' has no CRS (no .prj or CRS metadata)"
                    + (f"; the coordinates look like {hint}" if hint else "")
                    + "; give it with --crs (e.g. --crs EPSG:4490)"
                )
            src_crs = gdf.crs
    else:
        raise SiteError(
            f"sites file '{path.name}': unsupported format {suffix!r}; use SHP, GPKG, GeoJSON, FGB, CSV or XLSX"
        )
    if not crs_label:
        crs_label = (
            src_crs
            if isinstance(src_crs, str)
            else (
                f"EPSG:{CRS.from_user_input(src_crs).to_epsg()}"
                if CRS.from_user_input(src_crs).to_epsg()
                else CRS.from_user_input(src_crs).name
            )
        )
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
    )
    return sites, crs_label


def _cell(df: pd.DataFrame | None, col: str | None, i: int) -> str:
    if df is None or col is None:
        return ""
    value = df[col].iloc[i]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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
) -> gpd.GeoDataFrame:
    """Build the sites table from geometries and optional attribute columns.

    Rows with unusable geometry or project attributes get ``status="error"``.

    Raises
    ------
    SiteError
        When site ids repeat (findings are joined to sites by id).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    columns = columns or {}
    row_errors = list(row_errors) if row_errors is not None else [None] * n
    ids = site_ids or [_cell(df, columns.get("id"), i) or f"{i + 1}" for i in range(n)]
    dupes = sorted(s for s, c in Counter(ids).items() if c > 1)
    if dupes:
        raise SiteError(
            f"{source}: site ids repeat ({', '.join(dupes[:8])}); every site needs its own id; "
            "choose another column with --id-field, or make the ids unique"
        )
    records = []
    valid_geoms = np.full(n, None, dtype=object)
    for i in range(n):
        err = row_errors[i]
        row_label = f"row {i + 1}" if df is None else f"row {i + 1} (id {ids[i]})"
        ind = _cell(df, columns.get("industry"), i) or (
            industry if isinstance(industry, str) else ";".join(industry or [])
        )
        tg = _cell(df, columns.get("tags"), i) or (tags if isinstance(tags, str) else ";".join(tags or []))
        act = _cell(df, columns.get("action"), i) or (action or "new")
        project = None
        if err is None:
            problem = _geometry_problem(geoms[i])
            if problem:
                err = f"{row_label}: {problem}"
        if err is None:
            try:
                project = make_project(ind, tg, act)
            except RedlineError as exc:
                err = f"{row_label}: {exc}"
        if err is None:
            valid_geoms[i] = geoms[i]
        records.append(
            {
                "site_id": ids[i],
                "name": _cell(df, columns.get("name"), i),
                "industry": ";".join(project.industries) if project else ind,
                "tags": ";".join(sorted(project.tags)) if project else tg,
                "action": project.action if project else act,
                "status": "error" if err else "ok",
                "error": err or "",
                "project": project,
            }
        )
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
            records[j]["status"] = "error"
            records[j]["error"] = (
                f"row {j + 1}: coordinates are not longitude/latitude after conversion; check the CRS (--crs)"
            )
            valid_geoms[j] = None
    return gpd.GeoDataFrame(records, geometry=gpd.GeoSeries(valid_geoms, crs=TARGET_CRS), crs=TARGET_CRS)
