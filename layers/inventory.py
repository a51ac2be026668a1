"""Inventory and area statistics of a layer set (``redline layers info``), per kind and class.

Planners state figures such as "生态保护红线 20.30 % of 连州" or "8,644.11 km² in 桂林": the area
each kind (and class) covers, in km² and as a share of the region, and per district.  Areas are
geodesic (m² on the CGCS2000 ellipsoid, :func:`layers.geodesy.geodesic_area`) of the *dissolved*
zones, so zones that overlap (nested parks, a class drawn twice) are counted once.

The region is the ``region`` outline when one is given, else the union of the control units
(which tile the region by definition); without either, shares of the region are left empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from redline.layers.layerset import LayerSet
from redline.layers.reader import repair_geometries
from redline.zones.errors import param_ref, render_refs
from redline.zones.kinds import KINDS

__all__ = ["INVENTORY_COLUMNS", "Inventory", "inventory"]

#: Columns of :meth:`Inventory.to_frame` (and ``inventory.csv``).
INVENTORY_COLUMNS: list[str] = [
    "district",
    "district_area_km2",
    "kind",
    "zone_class",
    "n_features",
    "area_km2",
    "share_pct",
]

ALL_CLASSES = "*"


@dataclass
class Inventory:
    """Area statistics of a layer set.

    Attributes
    ----------
    name : str
        The layer set's name.
    region : str
        What the region is (``region.geojson``, ``control units``), or empty when there is none.
    region_area_m2 : float or None
    rows : list of dict
        One per district (``""`` for the whole set), kind and class (``*`` for all classes of the
        kind), with the columns :data:`INVENTORY_COLUMNS`.
    districts : list of (str, float)
        The districts' names and areas (m²), when :func:`inventory` was given districts.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> from redline.layers.inventory import INVENTORY_COLUMNS, inventory
    >>> inv = inventory(load_layerset("sample"))
    >>> list(inv.to_frame().columns) == INVENTORY_COLUMNS
    True
    >>> print(inv.text("en"))  # doctest: +SKIP
    >>> inv.write("stats").name
    'inventory.csv'
    """

    name: str
    region: str = ""
    region_area_m2: float | None = None
    rows: list[dict] = field(default_factory=list)
    districts: list[tuple[str, float]] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """Return the statistics as a table (:data:`INVENTORY_COLUMNS`)."""
        return pd.DataFrame(self.rows, columns=INVENTORY_COLUMNS)

    def text(self, lang: str = "zh", *, names: Mapping[str, str] | Callable[[str], str] | None = None) -> str:
        """Return the statistics as a readable table for the terminal.

        Parameters
        ----------
        lang : {"zh", "en"}
        names : mapping or callable, optional
            What the interface calls the parameters the table names (the command line passes its
            options, ``{"region": "--region"}``); by default their Python names
            (:func:`~redline.zones.errors.render_refs`).
        """
        zh = lang == "zh"
        lines = []
        if self.region_area_m2:
            what = self.region
            if what == "control units":
                what = "管控单元合并范围" if zh else "union of the control units"
            km2 = f"{self.region_area_m2 / 1e6:,.2f} km²"
            lines.append(f"区域：{what}，{km2}" if zh else f"region: {what}, {km2}")
        else:
            region = param_ref("region")
            note = f"未给出区域（{region}），不计算占比" if zh else f"no region ({region}): no shares"
            lines.append(render_refs(note, names))
        for district, district_area in [("", self.region_area_m2), *self.districts]:
            rows = [r for r in self.rows if r["district"] == district]
            if district:
                lines.append("")
                lines.append(f"{district}  {district_area / 1e6:,.2f} km²")
            header = (
                ("类型", "分类", "要素", "面积 km²", "占比") if zh else ("kind", "class", "features", "km²", "share")
            )
            lines.append(
                f"  {_pad(header[0], 18)}{_pad(header[1], 22)}{_rpad(header[2], 9)}{_rpad(header[3], 14)}"
                f"{_rpad(header[4], 10)}"
            )
            for r in rows:
                kind = KINDS[r["kind"]].label(lang) if r["kind"] in KINDS else r["kind"]
                if r["zone_class"] == ALL_CLASSES:
                    cls = "（合计）" if zh else "(all)"
                else:
                    cls = KINDS[r["kind"]].class_label(r["zone_class"], lang) or r["zone_class"]
                    kind = ""
                share = "" if r["share_pct"] is None else f"{r['share_pct']:.2f} %"
                lines.append(
                    f"  {_pad(kind, 18)}{_pad(cls, 22)}{r['n_features']:>9,}{r['area_km2']:>14,.2f}{share:>10}"
                )
        return "\n".join(lines)

    def write(self, out_dir: str | Path) -> Path:
        """Write ``inventory.csv`` (UTF-8 with BOM) into ``out_dir``; return its path."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        path = out / "inventory.csv"
        self.to_frame().to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        return path


def _pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (CJK characters take two)."""
    cells = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(width - cells, 1)


def _rpad(text: str, width: int) -> str:
    """Right-align ``text`` in ``width`` terminal columns."""
    cells = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return " " * max(width - cells, 0) + text


def _class_order(kind: str, cls: str) -> tuple[int, str]:
    known = list(KINDS[kind].classes) if kind in KINDS else []
    return (known.index(cls) if cls in known else len(known), cls)


def _clean(geoms: np.ndarray) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object).copy()
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms) & (shapely.get_dimensions(geoms) == 2)
    geoms[~ok] = None
    bad = np.flatnonzero(ok & ~shapely.is_valid(geoms))
    if len(bad):
        geoms[bad] = repair_geometries(geoms[bad])[0]
    return geoms


def inventory(
    layerset: LayerSet,
    *,
    region=None,
    region_label: str = "",
    districts: list[tuple[str, object]] | None = None,
) -> Inventory:
    """Count and measure every kind and class of a layer set, over the region and per district.

    Parameters
    ----------
    layerset : LayerSet
    region : shapely geometry, optional
        The region's outline in EPSG:4490; default the union of the control units.
    region_label : str
        What the region is, for the report (e.g. its file name).
    districts : list of (name, geometry), optional
        District outlines in EPSG:4490 (see :func:`layers.outline.read_outline`): each kind and
        class is measured inside each district, with its share of the district.

    Returns
    -------
    Inventory

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> inv = inventory(load_layerset("sample"))
    >>> inv.region, round(inv.region_area_m2 / 1e6)
    ('control units', 960)
    >>> table = inv.to_frame()
    >>> water = table[(table["kind"] == "water_source") & (table["zone_class"] == "*")]
    >>> int(water["n_features"].iloc[0]), round(float(water["share_pct"].iloc[0]), 2)
    (9, 2.0)
    """
    from redline.layers.geodesy import geodesic_area

    groups: dict[tuple[str, str], np.ndarray] = {}
    for kind in layerset.kinds:
        zones = layerset.zones(kind)
        geoms = _clean(zones.geometry.values)
        classes = zones["zone_class"].astype(str).to_numpy()
        groups[(kind, ALL_CLASSES)] = geoms
        for cls in sorted(set(classes) - {""}, key=lambda c, k=kind: _class_order(k, c)):
            groups[(kind, cls)] = geoms[classes == cls]
    if region is None and "control_unit" in layerset.kinds:
        units = groups[("control_unit", ALL_CLASSES)]
        units = units[~shapely.is_missing(units)]
        if len(units):
            region, region_label = shapely.union_all(units), "control units"
    region_area = geodesic_area(region) if region is not None else None
    dissolved = {key: shapely.union_all(g[~shapely.is_missing(g)]) for key, g in groups.items()}
    inv = Inventory(layerset.name, region_label if region is not None else "", region_area)
    for (kind, cls), geoms in groups.items():
        area = geodesic_area(dissolved[(kind, cls)])
        inv.rows.append(
            {
                "district": "",
                "district_area_km2": None if region_area is None else round(region_area / 1e6, 4),
                "kind": kind,
                "zone_class": cls,
                "n_features": int((~shapely.is_missing(geoms)).sum()),
                "area_km2": area / 1e6,
                "share_pct": None if not region_area else 100.0 * area / region_area,
            }
        )
    for name, outline in districts or []:
        d_area = geodesic_area(outline)
        inv.districts.append((name, d_area))
        shapely.prepare(outline)
        for (kind, cls), geoms in groups.items():
            present = geoms[~shapely.is_missing(geoms)]
            touching = present[shapely.intersects(outline, present)] if len(present) else present
            n = int(shapely.relate_pattern(touching, outline, "T********").sum())  # interiors meet
            area = geodesic_area(shapely.intersection(dissolved[(kind, cls)], outline)) if n else 0.0
            inv.rows.append(
                {
                    "district": name,
                    "district_area_km2": round(d_area / 1e6, 4),
                    "kind": kind,
                    "zone_class": cls,
                    "n_features": n,
                    "area_km2": area / 1e6,
                    "share_pct": 100.0 * area / d_area if d_area else None,
                }
            )
    return inv
