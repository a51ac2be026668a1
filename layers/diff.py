"""What changed between two versions of a layer set: zones added, removed, reshaped or reclassed.

Zones are matched by kind and ``zone_id`` (the manifest's ``id_field``).  A zone whose geometry
differs is *reshaped*, with its area before and after (geodesic, m² and 公顷); one whose geometry
is the same but whose class differs (二级保护区 → 一级保护区) is *reclassed*.  Geometry of a
confidential (涉密) layer never leaves the process, so the rows of such a layer carry no
geometry, only what changed.

Examples
--------
>>> from redline.layers import load_layerset
>>> ls = load_layerset("sample")
>>> diff_layersets(ls, ls).empty
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from redline.layers.geodesy import geodesic_areas
from redline.layers.layerset import LayerSet, _id_text
from redline.zones.kinds import kind_names

__all__ = ["CHANGES", "DIFF_COLUMNS", "diff_layersets"]

#: The kinds of change, in the order rows are listed.
CHANGES: tuple[str, ...] = ("added", "removed", "reshaped", "reclassed")

#: The text and number columns of a diff (the geometry columns ``old_geometry`` and ``new_geometry`` follow).
DIFF_COLUMNS: list[str] = [
    "kind",
    "zone_id",
    "change",
    "zone_name",
    "old_class",
    "new_class",
    "old_area_m2",
    "new_area_m2",
    "area_change_m2",
    "area_change_ha",
    "layer",
    "confidential",
]

#: Two geometries are the same when every vertex agrees to this many degrees (about 0.1 mm).
_SAME_DEG = 1e-9
_M2_PER_HA = 10_000.0


def _as_layerset(value: LayerSet | str | Path) -> LayerSet:
    if isinstance(value, LayerSet):
        return value
    from redline.layers import load_layerset

    return load_layerset(value)


def _zones(layerset: LayerSet) -> pd.DataFrame:
    """Return one row per (kind, zone id): its name, class, geometry, layer label and secrecy.

    Rows of one kind and id in several features (or several layers of a kind) are merged: the
    geometry is their union, the first name and class are kept.
    """
    parts = []
    for layer in layerset.layers:
        gdf = layer.gdf
        parts.append(
            pd.DataFrame(
                {
                    "kind": layer.kind,
                    "zone_id": [_id_text(z) for z in gdf["zone_id"].to_numpy()],
                    "zone_name": gdf["zone_name"].astype(object).to_numpy(),
                    "zone_class": gdf["zone_class"].astype(object).to_numpy(),
                    "geometry": np.asarray(gdf.geometry.array, dtype=object),
                    "layer": layer.label,
                    "confidential": bool(layer.confidential),
                }
            )
        )
    if not parts:
        columns = ["kind", "zone_id", "zone_name", "zone_class", "geometry", "layer", "confidential"]
        return pd.DataFrame(columns=columns).set_index(["kind", "zone_id"])
    zones = pd.concat(parts, ignore_index=True)
    repeated = zones.duplicated(["kind", "zone_id"], keep=False).to_numpy()
    if repeated.any():
        merged = zones[repeated].groupby(["kind", "zone_id"], sort=False)
        first = merged.first()
        first["geometry"] = merged["geometry"].agg(lambda g: shapely.union_all(np.asarray(g, dtype=object)))
        first["confidential"] = merged["confidential"].any()
        single = zones[~repeated].set_index(["kind", "zone_id"])
        return pd.concat([single, first])
    return zones.set_index(["kind", "zone_id"])


def _same_geometry(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Return True where two geometries are the same (vertex by vertex, else as point sets)."""
    same = shapely.equals_exact(old, new, tolerance=_SAME_DEG)
    same |= shapely.is_missing(old) & shapely.is_missing(new)
    rest = np.flatnonzero(~same & ~shapely.is_missing(old) & ~shapely.is_missing(new))
    if len(rest):  # a ring that starts at another vertex, or parts in another order
        same[rest] = shapely.equals(old[rest], new[rest])
    return same


def diff_layersets(old: LayerSet | str | Path, new: LayerSet | str | Path) -> pd.DataFrame:
    """Return the zones added, removed, reshaped and reclassed from ``old`` to ``new``.

    Parameters
    ----------
    old, new : LayerSet or str or Path
        Two versions of a layer set (loaded, or a manifest / folder / ``sample`` to load).

    Returns
    -------
    pandas.DataFrame
        One row per changed zone, by kind (in contract order) then zone id, with
        :data:`DIFF_COLUMNS`: ``change`` is one of :data:`CHANGES` (a zone both reshaped and
        reclassed is ``reshaped``, its classes in ``old_class``/``new_class``); areas are
        geodesic (``old_area_m2`` NaN for an added zone, ``new_area_m2`` NaN for a removed one;
        ``area_change_m2`` = new - old, counting a missing side as 0); ``layer`` is the source's
        label; ``confidential`` is True when either version's layer is confidential.  Then
        ``old_geometry`` and ``new_geometry`` (EPSG:4490), None on the rows of confidential layers.

    Examples
    --------
    >>> from shapely import affinity
    >>> from redline.layers import load_layerset
    >>> old = load_layerset("sample")
    >>> new = load_layerset("sample")
    >>> red = new.layers[0].gdf
    >>> red.loc[0, "geometry"] = affinity.translate(red.geometry[0], xoff=0.001)
    >>> diff = diff_layersets(old, new)
    >>> diff[["kind", "zone_id", "change"]].values.tolist()
    [['ecological_redline', 'HX450722-001', 'reshaped']]
    >>> bool(abs(diff.loc[0, "area_change_ha"]) < 1)
    True
    """
    before, after = _zones(_as_layerset(old)), _zones(_as_layerset(new))
    keys = before.index.union(after.index, sort=False)
    b, a = before.reindex(keys), after.reindex(keys)
    in_old = keys.isin(before.index)
    in_new = keys.isin(after.index)
    both = in_old & in_new
    old_geoms = np.array(b["geometry"].to_numpy(), dtype=object)
    new_geoms = np.array(a["geometry"].to_numpy(), dtype=object)
    old_geoms[~in_old] = None  # (reindexing filled the missing side with NaN)
    new_geoms[~in_new] = None
    same = np.ones(len(keys), dtype=bool)
    same[both] = _same_geometry(old_geoms[both], new_geoms[both])
    class_old, class_new = b["zone_class"].fillna("").to_numpy(), a["zone_class"].fillna("").to_numpy()
    change = np.full(len(keys), "", dtype=object)
    change[both & (class_old != class_new)] = "reclassed"
    change[both & ~same] = "reshaped"
    change[in_old & ~in_new] = "removed"
    change[in_new & ~in_old] = "added"
    rows = np.flatnonzero(change != "")
    keys, b, a = keys[rows], b.iloc[rows], a.iloc[rows]
    old_geoms, new_geoms, change = old_geoms[rows], new_geoms[rows], change[rows]
    old_area = np.where(in_old[rows], geodesic_areas(old_geoms), np.nan)
    new_area = np.where(in_new[rows], geodesic_areas(new_geoms), np.nan)
    area_change = np.nan_to_num(new_area) - np.nan_to_num(old_area)
    secret = (b["confidential"].fillna(False).to_numpy(bool)) | (a["confidential"].fillna(False).to_numpy(bool))
    out = pd.DataFrame(
        {
            "kind": keys.get_level_values(0).to_numpy(object),
            "zone_id": keys.get_level_values(1).to_numpy(object),
            "change": change,
            "zone_name": a["zone_name"].fillna(b["zone_name"]).fillna("").to_numpy(object),
            "old_class": b["zone_class"].fillna("").to_numpy(object),
            "new_class": a["zone_class"].fillna("").to_numpy(object),
            "old_area_m2": old_area,
            "new_area_m2": new_area,
            "area_change_m2": area_change,
            "area_change_ha": area_change / _M2_PER_HA,
            "layer": a["layer"].fillna(b["layer"]).to_numpy(object),
            "confidential": secret,
            # a confidential (涉密) layer's geometry never leaves the process
            "old_geometry": np.where(secret, None, old_geoms),
            "new_geometry": np.where(secret, None, new_geoms),
        }
    )
    order = {k: i for i, k in enumerate(kind_names())}
    out["_kind"] = out["kind"].map(lambda k: order.get(k, len(order)))
    out["_change"] = out["change"].map(CHANGES.index)
    out = out.sort_values(["_kind", "zone_id", "_change"], kind="stable").drop(columns=["_kind", "_change"])
    return out.reset_index(drop=True)
