"""A loaded layer set: zone layers normalised to EPSG:4490 with standard columns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from redline.zones.access_list import AccessList
from redline.zones.rules import Catalog, catalog_with

__all__ = ["STANDARD_COLUMNS", "TARGET_CRS", "LayerSet", "ZoneLayer"]

#: Every zone layer is stored in CGCS2000 geographic coordinates.
TARGET_CRS = "EPSG:4490"

#: Columns every normalised layer has first (the source's own attributes follow).
STANDARD_COLUMNS: list[str] = ["zone_id", "zone_name", "zone_class"]


def _id_text(value: Any) -> str:
    """Return a zone id as text (missing ids as empty), as findings carry it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


@dataclass
class ZoneLayer:
    """One normalised zone layer.

    Attributes
    ----------
    kind : str
        Contract kind name (``water_source`` ...).
    path : pathlib.Path or None
        The source file (None for a layer read from PostGIS).
    layer : str or None
        The layer inside a multi-layer source.
    gdf : geopandas.GeoDataFrame
        Zones in EPSG:4490 with ``zone_id``, ``zone_name``, ``zone_class``
        (contract class names, or empty), the source attributes and geometry.  A layer opened
        from the cache builds it from its store on first use (``store``): screening never needs it.
    fingerprint : str
        ``sha256:`` hex digest of the source file(s).
    source_crs : str
        The CRS the source was in (e.g. ``EPSG:4545``) and how it was set.
    encoding : str or None
        The text encoding used for a Shapefile DBF (declared or detected); None when GDAL
        decided (a ``.cpg`` file, or a format that is always UTF-8).
    encoding_note : str
        How the encoding was chosen, for reports: ``"gbk (manifest)"``, ``"UTF-8 (.cpg)"``,
        ``"gbk (detected: no .cpg; ...)"``; empty for formats that are always UTF-8.
    repaired : list of str
        Zone ids whose geometry was repaired with ``make_valid`` (``on_invalid: fix``).
    access_list : pathlib.Path or None
        For control units: the access-list table named in the manifest.
    access : redline.zones.access_list.AccessList or None
        The parsed access list.
    access_fingerprint : str
        ``sha256:`` of the access-list table, or empty.
    confidential : bool
        ``confidential: true`` in the manifest (涉密): the layer's geometry never leaves the
        process. Findings keep kind, id, name, relation, area and distance, but no overlap
        geometry; maps, GeoPackages and API answers never draw or carry its zones.
    source_label : str
        The source's name in reports: the file name, or the PostGIS server and table.
    sensitive_area : dict or None
        The manifest's ``sensitive_area: {group, type}``: which 环境敏感区 of the 名录's 第三条 the
        layer's zones are (for kinds the 名录 table does not know, or to override it).
    coarsening : dict
        For a confidential layer: how coarse the service's answers about it are (``distance_step_m``,
        ``area_step_m2``; see :data:`redline.layers.manifest.DEFAULT_COARSENING`).
    zone_areas : numpy.ndarray or None
        The geodesic area (m²) of each zone, row by row, when the layer cache holds it
        (:mod:`layers.cache`); screening measures the zones it needs otherwise.
    store : redline.layers.store.LayerStore or None
        The layer as memory-mapped columns, when it came from (or went into) the layer cache: its
        zones' coordinates, offsets, bounding boxes and areas, read only where a screen needs them.
    coverage : shapely geometry or None
        The layer's own ``coverage:`` (the area it was drawn for), when the manifest gives one; the
        layer set's coverage applies otherwise (see :mod:`redline.layers.coverage`).
    engine_index : object or None
        The spatial engine's index of this layer (:class:`redline.checks.engine.index.LayerIndex`),
        made by the engine on first use; None until then.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> layer = load_layerset("sample").layers[1]
    >>> layer.kind, layer.label
    ('water_source', 'water_source.gpkg:zones')
    >>> list(layer.gdf.columns[:3]), layer.gdf.crs.to_string()
    (['zone_id', 'zone_name', 'zone_class'], 'EPSG:4490')
    """

    kind: str
    path: Path | None
    gdf: gpd.GeoDataFrame = field(repr=False, compare=False)
    fingerprint: str
    source_crs: str
    layer: str | None = None
    encoding: str | None = None
    access_list: Path | None = None
    access: AccessList | None = None
    access_fingerprint: str = ""
    encoding_note: str = ""
    repaired: list[str] = field(default_factory=list)
    confidential: bool = False
    coarsening: dict[str, float] = field(default_factory=dict)
    source_label: str = ""
    sensitive_area: dict[str, str] | None = None
    zone_areas: np.ndarray | None = field(default=None, repr=False)
    store: Any = field(default=None, repr=False, compare=False)
    engine_index: Any = field(default=None, repr=False, compare=False)
    coverage: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        # (the engine's index and the memory-mapped store are this process's: a copy sent elsewhere
        # carries the zones themselves and builds its own index)
        state = {**self.__dict__, "engine_index": None, "store": None}
        state["_gdf"] = self.gdf
        return state

    @property
    def n_zones(self) -> int:
        """The number of zones (without building the frame of a stored layer)."""
        if self.__dict__.get("_gdf") is None and self.store is not None:
            return self.store.n
        return len(self.gdf)

    def total_bounds(self) -> np.ndarray:
        """Return the zones' extent ``(xmin, ymin, xmax, ymax)`` (NaN without zones)."""
        if self.__dict__.get("_gdf") is None and self.store is not None:
            bounds = np.asarray(self.store.bounds)
            finite = bounds[np.isfinite(bounds).all(axis=1)]
            if not len(finite):
                return np.full(4, np.nan)
            return np.r_[finite[:, :2].min(axis=0), finite[:, 2:].max(axis=0)]
        return np.asarray(self.gdf.total_bounds, dtype=float)

    @property
    def label(self) -> str:
        """``file.ext`` or ``file.ext:layer`` (the server and table for PostGIS) for messages and reports."""
        name = self.source_label or (self.path.name if self.path is not None else self.kind)
        return f"{name}:{self.layer}" if self.layer else name

    def unit_records(self) -> list[tuple[str, str | None, dict[str, Any]]]:
        """Return the zones as access lists take their units: (code, class, text fields).

        Examples
        --------
        >>> from redline.layers import load_layerset
        >>> units = next(lyr for lyr in load_layerset("sample").layers if lyr.kind == "control_unit")
        >>> units.unit_records()[0][:2]
        ('ZH45072210001', 'priority')
        """
        gdf = self.gdf
        fields = [c for c in gdf.columns if c not in ("zone_id", "zone_class", "geometry")]
        out = []
        for row in gdf[["zone_id", "zone_class", *fields]].itertuples(index=False, name=None):
            code, cls, *values = row
            text = {f: v for f, v in zip(fields, values, strict=True) if isinstance(v, str) and v.strip()}
            out.append((str(code), cls or None, text))
        return out

    def access_problems(self) -> list[Any]:
        """Return every problem of the layer's access list (scopes, units, references), judged against its units."""
        if self.access is None:
            return []
        return self.access.problems(self.unit_records())


def _get_gdf(self: ZoneLayer) -> gpd.GeoDataFrame:
    frame = self.__dict__.get("_gdf")
    if frame is None and self.__dict__.get("store") is not None:
        frame = self.__dict__["_gdf"] = self.store.frame()
    return frame


def _set_gdf(self: ZoneLayer, frame: gpd.GeoDataFrame | None) -> None:
    had = self.__dict__.get("_gdf") is not None or self.__dict__.get("store") is not None
    self.__dict__["_gdf"] = frame
    if had:  # zones replaced in memory: what was derived from the old ones no longer holds
        self.__dict__.update(store=None, engine_index=None, zone_areas=None)


# the zones' frame is built from the store on first use (a stored layer screens without it)
ZoneLayer.gdf = property(_get_gdf, _set_gdf, doc="The zones as a GeoDataFrame (see the class notes).")  # type: ignore[method-assign, assignment]


@dataclass
class LayerSet:
    """Named zone layers (several layers may share a kind).

    Attributes
    ----------
    name : str
        The manifest's ``name``.
    layers : list of ZoneLayer
        In manifest order.
    path : pathlib.Path or None
        The manifest file.
    illustrative : bool
        True for invented sample data; reports and maps then say so.
    catalogs : list of pathlib.Path
        Regional rule catalogues layered over the national one (manifest ``catalogs:``).
    coverage_source : pathlib.Path or str or None
        The manifest's ``coverage:`` (an outline file, or ``control_units``), or None when it gives
        none (see :meth:`coverage`).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> ls = load_layerset("sample")
    >>> ls.illustrative, ls.kinds[:2]
    (True, ['ecological_redline', 'water_source'])
    >>> sorted(set(ls.zones("water_source")["zone_class"]))
    ['first', 'quasi', 'second']
    >>> ls.catalog().get("QZ01").catalog
    'qinzhou_pilot'
    """

    name: str
    layers: list[ZoneLayer] = field(default_factory=list)
    path: Path | None = None
    illustrative: bool = False
    catalogs: list[Path] = field(default_factory=list)
    coverage_source: Path | str | None = None
    _coverage: Any = field(default=None, init=False, repr=False, compare=False)

    def catalog(self) -> Catalog:
        """Return the rules in force for this layer set: national plus its regional catalogues."""
        return catalog_with(self.catalogs)

    @property
    def kinds(self) -> list[str]:
        """The kinds present, in manifest order, each once."""
        return list(dict.fromkeys(layer.kind for layer in self.layers))

    def center(self) -> tuple[float, float] | None:
        """Return the (lon, lat) middle of the layers' extents, or None without features.

        Used to propose a central meridian for sources and sites whose eastings carry no zone number.
        Confidential layers are left out unless every layer is confidential.
        """
        public = [layer for layer in self.layers if not layer.confidential] or self.layers
        boxes = [layer.total_bounds() for layer in public if layer.n_zones]
        boxes = [b for b in boxes if all(map(math.isfinite, b))]
        if not boxes:
            return None
        return (
            sum((b[0] + b[2]) / 2 for b in boxes) / len(boxes),
            sum((b[1] + b[3]) / 2 for b in boxes) / len(boxes),
        )

    def coverage_kind(self) -> str:
        """Say where :meth:`coverage` comes from: ``outline``, ``control_units`` or ``undeclared``.

        Examples
        --------
        >>> from redline.layers import load_layerset
        >>> load_layerset("sample").coverage_kind()
        'control_units'
        """
        from redline.layers.coverage import UNDECLARED
        from redline.layers.manifest import COVERAGE_CONTROL_UNITS

        if isinstance(self.coverage_source, Path):
            return "outline"
        if self.coverage_source == COVERAGE_CONTROL_UNITS or "control_unit" in self.kinds:
            return COVERAGE_CONTROL_UNITS
        return UNDECLARED

    def coverage(self) -> Any:
        """Return where the layer set speaks, as one geometry in EPSG:4490 (None when undeclared).

        The manifest's ``coverage:`` outline, else the union of the control units (which tile their
        region); built once (see :mod:`redline.layers.coverage`).

        Examples
        --------
        >>> from redline.layers import load_layerset
        >>> from shapely import Point
        >>> area = load_layerset("sample").coverage()
        >>> area.covers(Point(109.52, 22.49)), area.covers(Point(116.40, 39.90))
        (True, False)
        """
        if self._coverage is None:
            from redline.layers.coverage import read_coverage, union_of

            kind = self.coverage_kind()
            if kind == "outline":
                self._coverage = read_coverage(self.coverage_source) or False
            elif kind == "control_units":
                units = [np.asarray(lyr.gdf.geometry.array) for lyr in self.layers if lyr.kind == "control_unit"]
                self._coverage = union_of(np.concatenate(units)) or False
            else:
                self._coverage = False
        return self._coverage or None

    def confidential_kinds(self) -> list[str]:
        """Return the kinds that have a confidential (涉密) layer, in manifest order, each once.

        Examples
        --------
        >>> from redline.layers import load_layerset
        >>> load_layerset("sample").confidential_kinds()
        ['nature_reserve']
        """
        return list(dict.fromkeys(layer.kind for layer in self.layers if layer.confidential))

    def confidential_zones(self) -> set[tuple[str, str]]:
        """Return ``(kind, zone_id)`` of every zone of the confidential layers (ids as text).

        Examples
        --------
        >>> from redline.layers import load_layerset
        >>> sorted(load_layerset("sample").confidential_zones())[0][0]
        'nature_reserve'
        """
        return {
            (layer.kind, _id_text(zone_id))
            for layer in self.layers
            if layer.confidential
            for zone_id in layer.gdf["zone_id"].to_numpy()
        }

    def confidential_mask(self, kinds: Any, zone_ids: Any) -> np.ndarray:
        """Return True for each (kind, zone id) pair that belongs to a confidential layer.

        A finding is matched to its layer by kind and zone id; when a public and a confidential
        layer of one kind share a zone id, the finding counts as confidential.

        Examples
        --------
        >>> from redline.layers import load_layerset
        >>> ls = load_layerset("sample")
        >>> zone = sorted(ls.confidential_zones())[0][1]
        >>> ls.confidential_mask(["nature_reserve", "water_source"], [zone, zone]).tolist()
        [True, False]
        """
        kinds, zone_ids = list(kinds), list(zone_ids)
        secret = self.confidential_zones()
        if not secret or not kinds:
            return np.zeros(len(kinds), dtype=bool)
        secret_kinds = {kind for kind, _ in secret}
        return np.array(
            [k in secret_kinds and (k, _id_text(z)) in secret for k, z in zip(kinds, zone_ids, strict=True)],
            dtype=bool,
        )

    def fingerprints(self) -> dict[str, str]:
        """Return ``{source label: fingerprint}`` for every layer and access-list table."""
        out = {layer.label: layer.fingerprint for layer in self.layers}
        for layer in self.layers:
            if layer.access_list is not None:
                out[layer.access_list.name] = layer.access_fingerprint
        return out

    def zones(self, kind: str | None = None) -> gpd.GeoDataFrame:
        """Return the zones of one kind (or all) as one GeoDataFrame with a ``kind`` column."""
        parts = [
            layer.gdf[[*STANDARD_COLUMNS, "geometry"]].assign(kind=layer.kind)
            for layer in self.layers
            if kind is None or layer.kind == kind
        ]
        if not parts:
            return gpd.GeoDataFrame({c: [] for c in [*STANDARD_COLUMNS, "kind"]}, geometry=[], crs=TARGET_CRS)
        import pandas as pd

        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=TARGET_CRS)
