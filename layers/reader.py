"""Read one zone layer from a vector source and normalise it to the standard columns."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from layers.crs import guess_crs
from layers.fingerprint import fingerprint
from layers.layerset import STANDARD_COLUMNS, TARGET_CRS, ZoneLayer
from layers.manifest import LayerSpec, _norm_value
from layers.tables import read_table
from layers.webcoords import transform_geometry
from zones.access_list import AccessList, access_list_from_frame
from zones.errors import LayerError, RedlineError
from zones.kinds import KINDS

__all__ = ["read_zone_layer"]

_MAX_LISTED = 8


def _listing(values: list[str]) -> str:
    shown = ", ".join(values[:_MAX_LISTED])
    return shown + (f" and {len(values) - _MAX_LISTED} more" if len(values) > _MAX_LISTED else "")


def _read_source(spec: LayerSpec) -> gpd.GeoDataFrame:
    kwargs = {}
    if spec.layer:
        kwargs["layer"] = spec.layer
    else:
        names = [str(row[0]) for row in pyogrio.list_layers(spec.path)]
        if len(names) > 1:
            raise _ManyLayersError(names)
    if spec.encoding:
        kwargs["encoding"] = spec.encoding
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return pyogrio.read_dataframe(spec.path, **kwargs)


class _ManyLayersError(Exception):
    def __init__(self, names: list[str]) -> None:
        self.names = names


def _set_crs(gdf: gpd.GeoDataFrame, spec: LayerSpec, default_crs, problems: list[str]) -> str | None:
    """Put the layer into EPSG:4490 in place; return how its CRS was set, or None on a problem."""
    declared = spec.crs
    how = "manifest"
    if declared is None and gdf.crs is not None:
        declared, how = gdf.crs, "source"
    if declared is None and default_crs is not None:
        declared, how = default_crs, "manifest default"
    if declared is None:
        bounds = shapely.bounds(gdf.geometry.values)
        hint = guess_crs(bounds[:, 0], bounds[:, 1])
        proposal = f"; the coordinates look like {hint}" if hint else ""
        problems.append(
            f"{spec.where}: the source has no CRS (no .prj or CRS metadata){proposal}; "
            "set `crs:` on this layer in layerset.yaml (e.g. crs: EPSG:4545)"
        )
        return None
    if isinstance(declared, str):  # gcj02 / bd09
        gdf.geometry = gpd.GeoSeries(transform_geometry(gdf.geometry.values, declared))
        gdf.set_crs(TARGET_CRS, inplace=True, allow_override=True)
        return f"{declared} ({how}), converted"
    crs = CRS.from_user_input(declared)
    if gdf.crs is None or how == "manifest":
        gdf.set_crs(crs, inplace=True, allow_override=True)
    label = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
    if not crs.equals(CRS.from_user_input(TARGET_CRS)):
        gdf.to_crs(TARGET_CRS, inplace=True)
    return f"{label} ({how})"


def _check_geometry(gdf: gpd.GeoDataFrame, ids: pd.Series, spec: LayerSpec, problems: list[str]) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.values
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = ~missing & ~np.asarray(shapely.is_valid(geoms))
    if missing.any():
        rows = [f"row {i + 1}" for i in np.flatnonzero(missing)]
        if spec.on_invalid == "raise":
            problems.append(
                f"{spec.where}: {missing.sum()} feature(s) with empty or no geometry ({_listing(rows)}); "
                "remove them, or set `on_invalid: warn` to skip them"
            )
        else:
            warnings.warn(
                f"{spec.where}: skipped {missing.sum()} empty feature(s): {_listing(rows)}", UserWarning, stacklevel=3
            )
    if invalid.any():
        n = int(invalid.sum())
        reasons = [f"{ids.iloc[i]} ({shapely.is_valid_reason(geoms[i])})" for i in np.flatnonzero(invalid)]
        what = f"{n} invalid geometr{'y' if n == 1 else 'ies'}"
        if spec.on_invalid == "raise":
            problems.append(
                f"{spec.where}: {what}: {_listing(reasons)}; repair the data, or set `on_invalid: fix` to "
                "repair with make_valid (or `warn` to skip them)"
            )
        elif spec.on_invalid == "fix":
            gdf.loc[invalid, gdf.geometry.name] = shapely.make_valid(geoms[invalid])
            warnings.warn(
                f"{spec.where}: repaired {what} with make_valid: {_listing(reasons)}", UserWarning, stacklevel=3
            )
        else:
            missing = missing | invalid
            warnings.warn(f"{spec.where}: skipped {what}: {_listing(reasons)}", UserWarning, stacklevel=3)
    return gdf.loc[~missing]


def _field(gdf: gpd.GeoDataFrame, spec: LayerSpec, key: str, problems: list[str]) -> pd.Series | None:
    name = getattr(spec, key)
    if name is None:
        return None
    if name not in gdf.columns:
        fields = [c for c in gdf.columns if c != gdf.geometry.name]
        problems.append(
            f"{spec.where}: no field {name!r} for {key}; the fields are {', '.join(fields)}; "
            f"set `{key}` in layerset.yaml"
        )
        return None
    return gdf[name]


def _classes(values: pd.Series, spec: LayerSpec, problems: list[str]) -> pd.Series:
    classes = KINDS[spec.kind].classes
    normalised = values.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else _norm_value(v))
    mapped = normalised.map(lambda v: spec.class_map.get(v, v if v in classes or v == "" else None))
    unmapped = sorted(set(normalised[mapped.isna()]))
    if unmapped:
        problems.append(
            f"{spec.where}: field {spec.class_field!r} has value(s) {', '.join(map(repr, unmapped))} "
            f"that class_map does not map to a class of {spec.kind} ({', '.join(classes)}); add them to class_map"
        )
    return mapped.fillna("")


def _read_access_list(spec: LayerSpec, problems: list[str]) -> tuple[AccessList | None, str]:
    if spec.access_list is None:
        return None, ""
    try:
        df = read_table(spec.access_list, error=LayerError)
        access = access_list_from_frame(df, spec.access_list.name)
    except RedlineError as exc:
        problems.append(f"{spec.where}: {exc}")
        return None, ""
    return access, fingerprint(spec.access_list)


def read_zone_layer(spec: LayerSpec, default_crs=None, problems: list[str] | None = None) -> ZoneLayer | None:
    """Read the layer described by ``spec`` and normalise it.

    Parameters
    ----------
    spec : LayerSpec
        One manifest entry.
    default_crs : pyproj.CRS or str, optional
        The manifest's top-level ``crs``, for sources that carry none.
    problems : list of str, optional
        Problems are appended here instead of raised, so a whole layer set is
        checked before anything is reported.

    Returns
    -------
    ZoneLayer or None
        None when the layer had a problem (listed in ``problems``).
    """
    own = problems if problems is not None else []
    n_before = len(own)
    try:
        gdf = _read_source(spec)
    except _ManyLayersError as many:
        own.append(
            f"{spec.where}: the file holds {len(many.names)} layers ({_listing(many.names)}); "
            "name the zone layer with `layer:`"
        )
        return None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        own.append(f"{spec.where}: cannot read {str(spec.path)!r}: {exc}; check the file and `layer`")
        return None
    except UnicodeDecodeError as exc:
        own.append(f"{spec.where}: text fields are not {spec.encoding or 'UTF-8'} ({exc}); set `encoding:` (e.g. gbk)")
        return None
    if gdf.empty:
        own.append(f"{spec.where}: the layer has no features")
        return None
    ids = _field(gdf, spec, "id_field", own)
    names = _field(gdf, spec, "name_field", own)
    classes = _field(gdf, spec, "class_field", own)
    if ids is None:
        ids = pd.Series([f"{spec.kind}-{i + 1}" for i in range(len(gdf))], index=gdf.index)
    ids = ids.map(_norm_value)
    zone_class = _classes(classes, spec, own) if classes is not None else pd.Series("", index=gdf.index)
    if len(own) > n_before:
        return None
    source_crs = _set_crs(gdf, spec, default_crs, own)
    if source_crs is None:
        return None
    gdf = _check_geometry(gdf, ids, spec, own)
    if len(own) > n_before:
        return None
    attrs = gdf.drop(columns=[c for c in STANDARD_COLUMNS if c in gdf.columns])
    out = gpd.GeoDataFrame(
        {
            "zone_id": ids.loc[gdf.index].to_numpy(),
            "zone_name": (
                names.loc[gdf.index].fillna("").astype(str).to_numpy()
                if names is not None
                else ids.loc[gdf.index].to_numpy()
            ),
            "zone_class": zone_class.loc[gdf.index].to_numpy(),
        },
        index=gdf.index,
    )
    out = gpd.GeoDataFrame(pd.concat([out, attrs], axis=1), geometry=gdf.geometry.name, crs=TARGET_CRS)
    out = out.rename_geometry("geometry") if out.geometry.name != "geometry" else out
    access, access_fp = _read_access_list(spec, own)
    if len(own) > n_before:
        return None
    return ZoneLayer(
        kind=spec.kind,
        path=spec.path,
        gdf=out.reset_index(drop=True),
        fingerprint=fingerprint(spec.path),
        source_crs=source_crs,
        layer=spec.layer,
        encoding=spec.encoding,
        access_list=spec.access_list,
        access=access,
        access_fingerprint=access_fp,
    )
