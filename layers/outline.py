"""Read outlines that are not zone layers: a region (``region``) and districts (``by``).

Any vector source the zone layers accept (SHP, GPKG, GeoJSON, FGB, KML/KMZ ...), in any CRS,
including the offset web-map coordinates GCJ-02 and BD-09 (``crs="gcj02"``), which public
administrative outlines often come in.  Everything is returned in EPSG:4490.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from redline.layers.crs import WEB_CRS, guess_crs, parse_crs, proposed_code
from redline.layers.layerset import TARGET_CRS
from redline.layers.source import ManyLayersError, read_vector
from redline.layers.webcoords import transform_geometry
from redline.zones.errors import CRSError, LayerError, param_ref

__all__ = ["NAME_FIELDS", "read_districts", "read_outline"]

#: Field names taken as a district's name when ``name_field`` is not given (first match, any case).
NAME_FIELDS: tuple[str, ...] = (
    "name",
    "名称",
    "XZQMC",
    "XZQHMC",
    "QXMC",
    "XZMC",
    "XZQ",
    "NAME_CHN",
    "NAME_ZH",
    "district",
    "county",
    "行政区",
    "区县",
    "乡镇",
)


def _name_column(gdf: gpd.GeoDataFrame, path: Path, name_field: str | None, param: str) -> str | None:
    fields = [c for c in gdf.columns if c != gdf.geometry.name]
    if name_field is not None:
        if name_field not in fields:
            raise LayerError(
                f"{param_ref(param)} '{path.name}' has no field {name_field!r}; the fields are "
                f"{', '.join(fields) or '(none)'}",
                param="by_field",
                value=name_field,
                zh=f"{param_ref(param)} '{path.name}' 没有字段 {name_field!r}；"
                f"它的字段有 {'、'.join(fields) or '（无）'}",
            )
        return name_field
    lower = {str(c).lower(): c for c in fields}
    for candidate in NAME_FIELDS:
        if candidate.lower() in lower:
            return lower[candidate.lower()]
    text = [c for c in fields if not pd.api.types.is_numeric_dtype(gdf[c])]
    if text and len(gdf) > 1:
        raise LayerError(
            f"{param_ref(param)} '{path.name}': no name field found (looked for {', '.join(NAME_FIELDS)}); "
            f"the fields are {', '.join(fields)}; name the field with {param_ref('by_field')}",
            param="by_field",
            value=None,
            zh=f"{param_ref(param)} '{path.name}'：找不到名称字段（查找了 {'、'.join(NAME_FIELDS)}）；"
            f"它的字段有 {'、'.join(fields)}；请用 {param_ref('by_field')} 指定名称字段",
        )
    return None


def read_outline(
    path: str | Path,
    *,
    crs: str | None = None,
    layer: str | None = None,
    name_field: str | None = None,
    param: str = "region",
) -> gpd.GeoDataFrame:
    """Read a region or district outline file into EPSG:4490.

    Parameters
    ----------
    path : str or Path
        Any vector source the zone layers accept.
    crs : str, optional
        The outline's CRS when the file carries none, or to override it: an EPSG code, a
        name (``CGCS2000-GK3-CM111``), or ``gcj02`` / ``bd09`` for web-map outlines (a GeoJSON
        always claims WGS 84, so GCJ-02 outlines need ``crs="gcj02"``).
    layer : str, optional
        The layer of a multi-layer source.
    name_field : str, optional
        The field naming each polygon (district); detected from :data:`NAME_FIELDS` when not given.
        A file with no name field is named after the file (``450721``; ``450721-2`` for its
        second polygon).
    param : str
        The parameter the file was given as (``region``, ``by``): messages name it, errors carry it.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name`` and ``geometry`` (polygonal, valid), EPSG:4490; features without area dropped.

    Raises
    ------
    LayerError, CRSError
        Unreadable file, unknown field, no CRS, or no polygon.  Messages mark the parameters they name
        with :func:`~redline.zones.errors.param_ref`: ``param``, ``crs``, and ``by_field`` for the name
        field (``--by-field`` on the command line).
    """
    path = Path(path)
    if not path.exists():
        raise LayerError(
            f"{param_ref(param)} file '{path}' does not exist; give a vector file (GeoJSON, SHP, GPKG ...)",
            param=param,
            value=str(path),
            zh=f"{param_ref(param)} 文件 '{path}' 不存在；请给出矢量文件（GeoJSON、SHP、GPKG 等）",
        )
    try:
        source = read_vector(path, layer=layer)
    except ManyLayersError as many:
        raise LayerError(
            f"{param_ref(param)} '{path.name}' holds several layers ({', '.join(many.names)}); name one",
            param=param,
            value=str(path),
            zh=f"{param_ref(param)} '{path.name}' 含有多个图层（{'、'.join(many.names)}）；请指定其中一个",
        ) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise LayerError(
            f"{param_ref(param)} '{path}' cannot be read: {exc}",
            param=param,
            value=str(path),
            zh=f"{param_ref(param)} '{path}' 无法读取：{exc}",
        ) from None
    gdf = source.gdf
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    declared = parse_crs(crs, what=f"{param_ref(param)} crs") if crs else None
    if declared is None and gdf.crs is None:
        xy = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
        hint = guess_crs(xy[:, 0], xy[:, 1]) if len(xy) else None
        raise CRSError(
            f"{param_ref(param)} '{path.name}' has no CRS"
            + (f"; the coordinates look like {hint}" if hint else "")
            + f"; give it with {param_ref('crs')} (e.g. {param_ref('crs')} {proposed_code(hint) or 'EPSG:4490'})",
            param="crs",
            value=None,
            zh=f"{param_ref(param)} '{path.name}' 没有坐标系"
            + (f"；其坐标看起来是 {hint}" if hint else "")
            + f"；请用 {param_ref('crs')} 指定（如 {param_ref('crs')} {proposed_code(hint) or 'EPSG:4490'}）",
        )
    if isinstance(declared, str) and declared in WEB_CRS:
        geoms = np.asarray(transform_geometry(geoms, declared), dtype=object)
    else:
        source_crs = declared if declared is not None else gdf.crs
        if not CRS.from_user_input(source_crs).equals(CRS.from_user_input(TARGET_CRS)):
            geoms = np.asarray(gpd.GeoSeries(geoms, crs=source_crs).to_crs(TARGET_CRS).array, dtype=object)
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    geoms[ok & ~shapely.is_valid(geoms)] = shapely.make_valid(geoms[ok & ~shapely.is_valid(geoms)])
    polys = np.array([_polygonal(g) if k else None for g, k in zip(geoms, ok, strict=True)], dtype=object)
    keep = ~shapely.is_missing(polys)
    if not keep.any():
        raise LayerError(
            f"{param_ref(param)} '{path.name}' holds no polygon; give an area outline",
            param=param,
            value=str(path),
            zh=f"{param_ref(param)} '{path.name}' 中没有多边形；请给出区域的边界面",
        )
    column = _name_column(gdf, path, name_field, param)
    if column is not None:
        names = [str(v).strip() if v is not None else "" for v in gdf[column]]
    elif keep.sum() == 1:
        names = [path.stem] * len(gdf)
    else:
        names = [f"{path.stem}-{i + 1}" for i in range(len(gdf))]
    return gpd.GeoDataFrame(
        {"name": [n for n, k in zip(names, keep, strict=True) if k]}, geometry=list(polys[keep]), crs=TARGET_CRS
    )


def _polygonal(geom):
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    parts = [q for p in parts for q in shapely.get_parts(p)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def read_districts(
    paths: list[str | Path], *, crs: str | None = None, name_field: str | None = None
) -> list[tuple[str, object]]:
    """Read district outlines from one or more files, one entry per district name.

    Polygons sharing a name (a county stored in several rows, or towns grouped by their county
    with ``name_field="county"``) are dissolved into one district; districts keep the order in
    which they first appear.

    Returns
    -------
    list of (str, shapely geometry)
        Names and outlines in EPSG:4490, for :func:`layers.inventory.inventory`.
    """
    parts: dict[str, list] = {}
    for path in paths:
        outlines = read_outline(path, crs=crs, name_field=name_field, param="by")
        for name, geom in zip(outlines["name"], outlines.geometry.values, strict=True):
            parts.setdefault(name, []).append(geom)
    return [(name, geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)) for name, geoms in parts.items()]
