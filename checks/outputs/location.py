"""Where a site is: the county and town (乡镇) a report names in 项目基本信息.

Three sources, first that answers wins:

1. an outline of the region's towns or districts beside the layer set's manifest
   (``region.geojson``, ``districts.*``, ``towns.*``, ``乡镇*.*``, ``行政区*.*``): the polygons the
   site lies in or crosses, largest share first, named by their county and town fields;
2. the zones the site lies in: a town or county attribute of the zone's source row
   (``SSXZ`` 所属乡镇, ``XZMC``, ``XZQMC`` ...), else a town or county named in the zone's name
   (control units are often named by town: ``武利镇镇区重点管控单元``);
3. nothing: :data:`Location.known` is False and the report says 未能确定.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from redline.layers.layerset import TARGET_CRS

if TYPE_CHECKING:
    from redline.layers.layerset import LayerSet

__all__ = ["Location", "locate", "outline_file", "read_towns", "town_from_name"]

_OUTLINE_STEMS = ("region", "regions", "districts", "towns", "乡镇", "行政区", "行政区划")
_OUTLINE_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")
#: Fields naming a town (乡镇/街道) or a district, first match wins (any case).
TOWN_FIELDS = ("town", "乡镇", "乡镇名称", "XZMC", "SSXZ", "XZQMC", "name", "名称", "NAME")
#: Fields naming the county the town lies in.
COUNTY_FIELDS = ("county", "区县", "县区", "所属区县", "QXMC", "XMC", "SSQX", "SSXQ")
_TOWN_RE = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|片区)")
_COUNTY_RE = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:自治县|县|市)")


@dataclass(frozen=True)
class Location:
    """The administrative names of a site.

    Attributes
    ----------
    names : tuple of str
        ``灵山县武利镇`` ..., largest share of the site first; empty when unknown.
    source : str
        Where the names come from: the outline file's name, ``zones`` or empty.
    """

    names: tuple[str, ...] = ()
    source: str = ""

    @property
    def known(self) -> bool:
        """True when at least one name was found."""
        return bool(self.names)

    def text(self) -> str:
        """Return the names joined by 、 (empty when unknown).

        Examples
        --------
        >>> Location(("灵山县武利镇", "灵山县伯劳镇")).text()
        '灵山县武利镇、灵山县伯劳镇'
        """
        return "、".join(self.names)


def outline_file(layerset: LayerSet) -> Path | None:
    """Return the towns or districts outline beside the layer set's manifest, or None.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> outline_file(load_layerset("sample")).name
    'region.geojson'
    """
    manifest = getattr(layerset, "path", None)
    if manifest is None:
        return None
    if not Path(manifest).is_file():  # a layer set built in memory has no folder of its own
        return None
    folder = Path(manifest).parent
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in _OUTLINE_SUFFIXES and path.stem.lower().startswith(_OUTLINE_STEMS):
            return path
    return None


def _field(columns: Iterable[str], wanted: Sequence[str]) -> str | None:
    lower = {c.lower(): c for c in columns}
    return next((lower[w.lower()] for w in wanted if w.lower() in lower), None)


def _join(county: Any, town: Any) -> str:
    county = "" if county is None else str(county).strip()
    town = "" if town is None else str(town).strip()
    if county and town.startswith(county):
        return town
    return f"{county}{town}"


@lru_cache(maxsize=8)
def _read_towns(path: str, mtime: float) -> gpd.GeoDataFrame | None:
    try:
        gdf = gpd.read_file(path)
    except Exception:  # an outline the reader cannot use is no location, never a failed report
        return None
    if gdf.crs is None or gdf.empty:
        return None
    gdf = gdf.to_crs(TARGET_CRS)
    town, county = _field(gdf.columns, TOWN_FIELDS), _field(gdf.columns, COUNTY_FIELDS)
    if town is None:
        return None
    names = [_join(c, n) for c, n in zip(gdf[county] if county else [None] * len(gdf), gdf[town], strict=True)]
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    ok = ~shapely.is_missing(geoms) & (shapely.get_dimensions(geoms) == 2)
    ok &= np.array([bool(n) for n in names])
    out = gpd.GeoDataFrame(
        {"name": np.asarray(names, dtype=object)[ok]}, geometry=shapely.make_valid(geoms[ok]), crs=TARGET_CRS
    )
    out.sindex  # noqa: B018 - built once, before threads or many queries share it
    return out


def read_towns(layerset: LayerSet) -> gpd.GeoDataFrame | None:
    """Return the town outlines of a layer set (``name``, geometry in EPSG:4490), or None.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> read_towns(load_layerset("sample"))["name"].tolist()[:2]
    ['灵山县武利镇', '灵山县伯劳镇']
    """
    path = outline_file(layerset)
    if path is None:
        return None
    return _read_towns(str(path), path.stat().st_mtime)


def town_from_name(name: Any) -> str:
    """Return the county and town a zone's name starts with (``武利镇镇区重点管控单元`` → ``武利镇``).

    Examples
    --------
    >>> town_from_name("武利镇镇区重点管控单元"), town_from_name("灵山县武利镇一般管控单元")
    ('武利镇', '灵山县武利镇')
    >>> town_from_name("武利工业园重点管控单元")
    ''
    """
    text = "" if name is None else str(name).strip()
    county = _COUNTY_RE.match(text)
    rest = text[county.end() :] if county else text
    town = _TOWN_RE.match(rest)
    if not town:
        return county.group(0) if county and len(text) > county.end() + 2 else ""
    return (county.group(0) if county else "") + town.group(0)


def _from_outline(geometry: Any, towns: gpd.GeoDataFrame) -> tuple[str, ...]:
    hits = towns.sindex.query(geometry, predicate="intersects")
    if len(hits) == 0:
        return ()
    if len(hits) == 1 or shapely.get_dimensions(geometry) == 0:
        return tuple(dict.fromkeys(towns["name"].iloc[hits]))
    parts = shapely.intersection(np.asarray(towns.geometry.array, dtype=object)[hits], geometry)
    size = shapely.area(parts) if shapely.get_dimensions(geometry) == 2 else shapely.length(parts)
    order = np.argsort(-size, kind="stable")
    return tuple(dict.fromkeys(towns["name"].iloc[hits[order]]))


def _from_zones(zones: Iterable[tuple[str, Any, Any]], layerset: LayerSet) -> tuple[str, ...]:
    """Return names from the zones a site lies in: ``(kind, zone_id, zone_name)`` triples."""
    zones = list(zones)
    attributes: dict[tuple[str, str], str] = {}
    for layer in layerset.layers:
        ids = {str(z) for k, z, _ in zones if k == layer.kind}
        if not ids or getattr(layer, "confidential", False):
            continue
        gdf = layer.gdf
        town, county = _field(gdf.columns, TOWN_FIELDS[:6]), _field(gdf.columns, COUNTY_FIELDS)
        if town is None and county is None:
            continue
        rows = gdf[gdf["zone_id"].astype(str).isin(ids)]
        for zid, c, n in zip(
            rows["zone_id"],
            rows[county] if county else [""] * len(rows),
            rows[town] if town else [""] * len(rows),
            strict=True,
        ):
            attributes.setdefault((layer.kind, str(zid)), _join(c, n))
    names: dict[str, None] = {}
    for kind, zone_id, zone_name in zones:
        found = attributes.get((kind, str(zone_id))) or town_from_name(zone_name)
        if found:
            names[found] = None
    return tuple(names)


def locate(geometry: Any, layerset: LayerSet, zones: Iterable[tuple[str, Any, Any]] = ()) -> Location:
    """Return the county and town of a site.

    Parameters
    ----------
    geometry : shapely geometry or None
        The site, EPSG:4490.
    layerset : LayerSet
        Its outline file (if any) and zone layers are read.
    zones : iterable of (kind, zone_id, zone_name)
        The zones the site lies in or crosses (its ``inside``/``overlaps`` findings), control
        units first is best: used when there is no outline or the site lies outside it.

    Examples
    --------
    >>> from shapely import Point
    >>> from redline.layers import load_layerset
    >>> ls = load_layerset("sample")
    >>> locate(Point(109.4015, 22.4923), ls)
    Location(names=('灵山县武利镇',), source='region.geojson')
    >>> locate(None, ls, [("control_unit", "X", "北通镇镇区重点管控单元")])
    Location(names=('北通镇',), source='zones')
    >>> locate(Point(0, 0), ls).known
    False
    """
    towns = read_towns(layerset)
    if towns is not None and geometry is not None and not shapely.is_empty(geometry):
        names = _from_outline(geometry, towns)
        if names:
            return Location(names, outline_file(layerset).name)  # type: ignore[union-attr]
    names = _from_zones(zones, layerset)
    return Location(names, "zones") if names else Location()
