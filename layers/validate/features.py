"""The features of one kind, over all its layers, ready for the spatial checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from redline.layers.layerset import LayerSet, ZoneLayer
from redline.layers.reader import repair_geometries
from redline.layers.validate.geometry import polygonal_parts

__all__ = ["Features", "gather"]


@dataclass
class Features:
    """All features of one kind, over its layers, ready for the spatial checks.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> f = gather(load_layerset("sample"), "water_source", {})
    >>> len(f), sorted(set(f.classes))
    (9, ['first', 'quasi', 'second'])
    """

    kind: str
    ids: np.ndarray  # display id: zone_id, or "<layer>#<row>" when it has none
    classes: np.ndarray
    layers: np.ndarray  # layer label per feature
    geoms: np.ndarray  # polygonal geometry (invalid ones repaired), None where unusable
    raw_ids: np.ndarray  # zone_id as read
    rows: np.ndarray  # 0-based row in the layer
    secret: np.ndarray  # True for the features of a confidential layer

    def __len__(self) -> int:
        return len(self.ids)


def _usable_geometries(layer: ZoneLayer, bad: dict[tuple[str, int], str]) -> np.ndarray:
    """Return the layer's geometries, repaired where invalid; None where empty or not an area (noted in ``bad``)."""
    geoms = np.asarray(layer.gdf.geometry.values, dtype=object).copy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    geoms[empty] = None
    not_area = ~empty & (shapely.get_dimensions(geoms) != 2)
    for i in np.flatnonzero(not_area):
        bad[(layer.label, int(i))] = str(geoms[i].geom_type)
    geoms[not_area] = None
    invalid = np.flatnonzero(~empty & ~not_area & ~shapely.is_valid(geoms))
    if len(invalid):  # the spatial checks see the repaired shape; the defect itself is reported
        fixed, _ = repair_geometries(geoms[invalid])
        geoms[invalid] = fixed
    return polygonal_parts(geoms)


def gather(layerset: LayerSet, kind: str, bad: dict[tuple[str, int], str]) -> Features:
    """Return the features of ``kind`` over every layer of it; record in ``bad`` the rows that are not areas.

    ``bad`` maps (layer label, 0-based row) to the geometry type of each feature that is not a
    polygon; such features, and empty ones, get None for their geometry.
    """
    parts = []
    for layer in layerset.layers:
        if layer.kind != kind:
            continue
        n = len(layer.gdf)
        raw = layer.gdf["zone_id"].astype(str).to_numpy(dtype=object)
        ids = raw.copy()
        for i in np.flatnonzero(raw == ""):
            ids[i] = f"{layer.label}#{i + 1}"
        parts.append(
            (
                ids.astype(object),
                layer.gdf["zone_class"].astype(str).to_numpy(dtype=object),
                np.full(n, layer.label, dtype=object),
                _usable_geometries(layer, bad),
                raw.astype(object),
                np.arange(n),
                np.full(n, bool(layer.confidential)),
            )
        )
    if not parts:
        empty_o = np.zeros(0, dtype=object)
        return Features(
            kind, empty_o, empty_o, empty_o, empty_o, empty_o, np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
        )
    cols = [np.concatenate([p[k] for p in parts]) for k in range(7)]
    return Features(kind, *cols)
