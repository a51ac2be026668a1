"""Validate a layer set before anyone screens against it (``redline layers validate``).

The layers are read leniently (:func:`layers.load_layerset` with ``collect=``): nothing is
refused, every problem is collected, then reported once.  Checks, each with a stable code
(the ``check`` column of ``validation.csv``, a **contract** data producers script against):

per layer
    ``layer_error`` (file, fields or access list cannot be read), ``crs_missing`` (no CRS; the
    layer is left out), ``crs_datum`` (warning: Xian 1980 / Beijing 1954 converted without the
    datum shift), ``invalid_geometry`` (GEOS's reason and the location it names),
    ``empty_geometry``, ``not_polygon`` (a zone must be an area), ``duplicate_id`` (one row per id
    used more than once within a kind), ``missing_id``, ``unmapped_class`` (a class value
    ``class_map`` does not map), ``missing_class`` (water sources and control units need one).
within a kind
    ``overlap``: two features whose interiors intersect, with the overlap area, for the kinds
    whose zones must not overlap (:data:`DISJOINT_KINDS`; parks, basins, ban zones and
    function areas may nest).  Sharing an edge or a corner is not an overlap; any positive
    overlap is, however thin.  ``gap``: a part of the region no control unit covers (the units
    must tile the region); ``outside_region``: a part of a control unit outside the region.
    Without a region outline only holes inside the units' union are found, and the outer
    coverage is not checked (the report says so).
water-source levels
    ``water_level_overlap``: zones of different levels (一级 and 二级, 二级 and 准保护区 ...)
    overlap.  ``water_not_surrounded``: a 一级 zone is *surrounded* when every point of its
    boundary lies within :data:`BORDER_M` (1 m) of a 二级 zone or of another 一级 zone (one
    source's 一级 may be drawn in several pieces); a 一级 that a 二级 borders only along part of
    its boundary is reported with the open length.  ``water_no_second`` (warning): no 二级 zone
    borders a 一级 at all, which is right only for a source with no 二级 zone drawn.  Sources
    are matched spatially, so no naming convention is assumed.  Only checked when the set has
    二级 zones at all.
across kinds (三区三线)
    ``cross_overlap``: ecological red line ∩ permanent basic farmland, red line ∩ urban
    development boundary, farmland ∩ urban development boundary, with the overlap area.

``tolerance_m2`` (``--tolerance``): an overlap, gap or outside part smaller than this is
reported as a ``sliver`` warning instead (the default 0 reports every one as an error).
Warnings (``sliver``, ``crs_datum``, ``water_no_second``) never fail ``--strict``; everything
else is an error.

Areas are geodesic, in m² on the CGCS2000 ellipsoid (:func:`layers.geodesy.geodesic_area`).

Confidential layers (``confidential: true``, 涉密) are validated like the others, but what is
reported about them names the feature and the problem only: no location in the message, no
coordinates in GEOS's reason, and no geometry in ``validation.gpkg`` for any problem that
involves one of their features (an overlap with a public layer included).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from redline.layers.layerset import TARGET_CRS, LayerSet
from redline.layers.reader import LoadIssue, _secret_reason, repair_geometries
from redline.zones.errors import LayerError, RedlineError
from redline.zones.kinds import KINDS

__all__ = [
    "BORDER_M",
    "CHECKS",
    "CROSS_PAIRS",
    "CSV_COLUMNS",
    "DISJOINT_KINDS",
    "Check",
    "LayerReport",
    "Problem",
    "ValidationReport",
    "validate_layerset",
]

#: Columns of ``validation.csv`` (**contract**), in this order.
CSV_COLUMNS: list[str] = ["check", "kind", "feature_id", "other_kind", "other_id", "area_m2", "message"]

#: Kinds whose zones must not overlap one another.
DISJOINT_KINDS: tuple[str, ...] = (
    "ecological_redline",
    "water_source",
    "control_unit",
    "basic_farmland",
    "urban_boundary",
    "nature_reserve",
)

#: The pairs of kinds that must not overlap (三区三线: red line, farmland, urban development boundary).
CROSS_PAIRS: tuple[tuple[str, str], ...] = (
    ("ecological_redline", "basic_farmland"),
    ("ecological_redline", "urban_boundary"),
    ("basic_farmland", "urban_boundary"),
)

#: How close (m) a 二级 zone must come to a 一级's boundary to count as bordering it.
BORDER_M = 1.0

_WATER_LEVELS = ("first", "second", "quasi")
_CHUNK = 50_000  # pairs per exact-predicate call (threads share the chunks)


@dataclass(frozen=True)
class Check:
    """One validation check: stable code, severity and what it means.

    Examples
    --------
    >>> from redline.layers.validate import CHECKS
    >>> check = CHECKS["cross_overlap"]
    >>> check.severity, check.label("zh"), check.label("en")
    ('error', '三区三线重叠', 'red line / farmland / urban boundary overlap')
    """

    code: str
    severity: str  # "error" or "warning"
    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        """Return the check's display name in ``lang``."""
        return self.zh if lang == "zh" else self.en


#: Every check, by code, in report order.
CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check("layer_error", "error", "图层无法读取", "layer cannot be read"),
        Check("crs_missing", "error", "缺少坐标系", "no CRS"),
        Check("crs_datum", "warning", "坐标系近似转换", "approximate datum shift"),
        Check("invalid_geometry", "error", "几何无效", "invalid geometry"),
        Check("empty_geometry", "error", "几何为空", "empty geometry"),
        Check("not_polygon", "error", "不是面要素", "not a polygon"),
        Check("duplicate_id", "error", "编号重复", "duplicate id"),
        Check("missing_id", "error", "缺少编号", "missing id"),
        Check("unmapped_class", "error", "分类值未映射", "class value not in class_map"),
        Check("missing_class", "error", "缺少分类", "missing class"),
        Check("overlap", "error", "同类图斑重叠", "features overlap"),
        Check("gap", "error", "管控单元覆盖空隙", "gap in control-unit coverage"),
        Check("outside_region", "error", "管控单元超出区域", "control unit outside the region"),
        Check("water_level_overlap", "error", "水源保护区级别重叠", "water-source levels overlap"),
        Check(
            "water_not_surrounded", "error", "一级保护区未被二级保护区包围", "first-level zone not surrounded by second"
        ),
        Check("water_no_second", "warning", "一级保护区周边无二级保护区", "no second-level zone borders a first"),
        Check("cross_overlap", "error", "三区三线重叠", "red line / farmland / urban boundary overlap"),
        Check("sliver", "warning", "细小重叠或空隙（低于容差）", "sliver below the tolerance"),
    )
}


@dataclass
class Problem:
    """One row of ``validation.csv`` (and ``validation.gpkg``).

    Examples
    --------
    >>> problem = Problem("invalid_geometry", "basic_farmland", "TB450721-000776", message="Self-intersection")
    >>> problem.check, problem.kind, problem.feature_id, problem.severity
    ('invalid_geometry', 'basic_farmland', 'TB450721-000776', 'error')
    """

    check: str
    kind: str
    feature_id: str = ""
    other_kind: str = ""
    other_id: str = ""
    area_m2: float | None = None
    message: str = ""
    geometry: object = None
    layer: str = ""

    @property
    def severity(self) -> str:
        """``error`` or ``warning``."""
        return CHECKS[self.check].severity


@dataclass
class LayerReport:
    """What validation says about one layer of the manifest.

    Examples
    --------
    >>> from redline.layers.validate import validate_layerset
    >>> layer = validate_layerset("sample").layers[0]
    >>> layer.kind, layer.label, layer.n_features, layer.loaded
    ('ecological_redline', 'ecological_redline.geojson', 4, True)
    """

    kind: str
    label: str
    n_features: int | None
    source_crs: str
    loaded: bool = True
    encoding: str = ""
    confidential: bool = False


@dataclass
class ValidationReport:
    """The result of :func:`validate_layerset`.

    Attributes
    ----------
    name : str
        The layer set's name.
    manifest : pathlib.Path or None
    layers : list of LayerReport
        Every layer of the manifest, read or not.
    problems : list of Problem
        One per problem found, in check order.
    region : str
        Where the region outline came from, or empty when none was given.
    notes : list of str
        What could not be checked, and why (e.g. no region outline).
    tolerance_m2 : float
    lang : str
    illustrative : bool
        True for the bundled sample (outputs then say so).
    timings : dict
        Seconds spent reading the layers (``load``), on the per-layer checks, the overlaps, the
        coverage and water levels, and across kinds.

    Examples
    --------
    >>> from redline.layers import sample_dir
    >>> d = sample_dir()
    >>> report = validate_layerset(d, region=d / "region.geojson")
    >>> report.ok, len(report.errors), len(report.warnings)
    (True, 0, 0)
    >>> [path.name for path in report.write("validation")]
    ['validation.csv', 'validation.gpkg']
    >>> print(report.summary(limit=3))  # doctest: +SKIP
    """

    name: str
    manifest: Path | None
    layers: list[LayerReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    region: str = ""
    notes: list[str] = field(default_factory=list)
    tolerance_m2: float = 0.0
    lang: str = "zh"
    illustrative: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity ``warning``."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when no error was found (warnings allowed)."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as the ``validation.csv`` table (:data:`CSV_COLUMNS`)."""
        rows = [
            {
                "check": p.check,
                "kind": p.kind,
                "feature_id": p.feature_id,
                "other_kind": p.other_kind,
                "other_id": p.other_id,
                "area_m2": None if p.area_m2 is None else round(float(p.area_m2), 2),
                "message": p.message,
            }
            for p in self.problems
        ]
        return pd.DataFrame(rows, columns=CSV_COLUMNS)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``validation.csv`` and ``validation.gpkg`` into ``out_dir``; return their paths.

        ``validation.csv`` is UTF-8 with a byte-order mark (as Excel wants; read it with
        ``encoding="utf-8-sig"``), one row per problem, columns :data:`CSV_COLUMNS`; ``area_m2``
        is empty for problems without an area.  ``validation.gpkg`` holds the same rows with
        their geometry (plus ``severity`` and ``layer``) in three layers by geometry type:
        ``problem_areas`` (overlaps, gaps, the features at fault), ``problem_lines`` (open
        boundaries of 一级 zones) and ``problem_points`` (where geometry is invalid; rows with no
        geometry, such as empty features, are here too).

        Raises
        ------
        RedlineError
            When the folder cannot be created or written.
        """
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
            csv_path = out / "validation.csv"
            self.to_frame().to_csv(csv_path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
            gpkg_path = out / "validation.gpkg"
            gpkg_path.unlink(missing_ok=True)
            self._write_gpkg(gpkg_path)
        except OSError as exc:
            raise RedlineError(f"cannot write the validation outputs into '{out}': {exc}") from None
        return [csv_path, gpkg_path]

    def _write_gpkg(self, path: Path) -> None:
        frame = self.to_frame()
        frame["severity"] = [p.severity for p in self.problems]
        frame["layer"] = [p.layer for p in self.problems]
        geoms = np.array([p.geometry for p in self.problems], dtype=object)
        dims = np.array([_dimension(g) for g in geoms], dtype=int)
        description = "redline-checker layer validation" + (
            " — 示意数据（非官方）/ illustrative, not official data" if self.illustrative else ""
        )
        for name, dim, gtype in (
            ("problem_areas", 2, "MultiPolygon"),
            ("problem_lines", 1, "MultiLineString"),
            ("problem_points", 0, "Point"),
        ):
            sel = dims == dim if dim != 0 else dims <= 0
            part = np.array([_as_multi(g, dim) for g in geoms[sel]], dtype=object)
            gdf = gpd.GeoDataFrame(frame[sel].reset_index(drop=True), geometry=list(part), crs=TARGET_CRS)
            pyogrio.write_dataframe(
                gdf,
                path,
                layer=name,
                driver="GPKG",
                geometry_type=gtype,
                append=path.exists(),
                layer_options={"DESCRIPTION": description},
            )

    def summary(self, *, limit: int = 20) -> str:
        """Return a readable summary for the terminal, in the report's language.

        Parameters
        ----------
        limit : int
            Rows shown per check; the rest are counted (they are all in ``validation.csv``).
        """
        lang = self.lang
        zh = lang == "zh"
        lines = [(f"图层校验：{self.name}" if zh else f"Layer validation: {self.name}")]
        if self.manifest is not None:
            lines.append(f"manifest: {self.manifest}")
        if self.illustrative:
            lines.append("⚠ " + ("示意数据，非官方数据" if zh else "illustrative data, not official"))
        counts: dict[str, int] = {}
        for p in self.problems:
            counts[p.layer] = counts.get(p.layer, 0) + 1
        lines.append("")
        for layer in self.layers:
            kind = KINDS[layer.kind].label(lang) if layer.kind in KINDS else layer.kind
            n = counts.get(layer.label, 0)
            status = ("无问题" if zh else "OK") if n == 0 else (f"{n} 个问题" if zh else f"{n} problem(s)")
            if not layer.loaded:
                status = "未能读取" if zh else "not read"
            features = "—" if layer.n_features is None else f"{layer.n_features:,}"
            secret = (" （涉密）" if zh else " (confidential)") if layer.confidential else ""
            lines.append(f"  {layer.kind:<19} {kind} — {layer.label}{secret}")
            feat_word = "要素" if zh else "features"
            lines.append(f"      {feat_word}: {features}   CRS: {layer.source_crs or '—'}   → {status}")
        for note in self.notes:
            lines.append(f"  ℹ {note}")
        secret = [layer.label for layer in self.layers if layer.confidential]
        if secret:
            lines.append(
                f"  ℹ 涉密图层（{'、'.join(secret)}）的问题只列出要素编号和问题，不给出位置或几何"
                if zh
                else f"  ℹ confidential layers ({', '.join(secret)}): problems name the feature and the problem, "
                "never a location or geometry"
            )
        lines.append("")
        n_err, n_warn = len(self.errors), len(self.warnings)
        if not self.problems:
            lines.append("未发现问题。" if zh else "No problems found.")
            return "\n".join(lines)
        lines.append(f"发现 {n_err} 个错误、{n_warn} 个警告：" if zh else f"{n_err} error(s), {n_warn} warning(s):")
        for code, check in CHECKS.items():
            rows = [p for p in self.problems if p.check == code]
            if not rows:
                continue
            mark = "✗" if check.severity == "error" else "!"
            lines.append(f"{mark} {code} — {check.label(lang)} ({len(rows)})")
            for p in rows[:limit]:
                lines.append(f"    {p.message}")
            if len(rows) > limit:
                more = len(rows) - limit
                lines.append(
                    f"    … 另有 {more} 条（见 validation.csv）" if zh else f"    … {more} more (see validation.csv)"
                )
        return "\n".join(lines)


def _dimension(geom) -> int:
    if geom is None or shapely.is_empty(geom):
        return -1
    return int(shapely.get_dimensions(geom))


def _as_multi(geom, dim: int):
    if geom is None or shapely.is_empty(geom):
        return None
    parts = [p for p in shapely.get_parts(geom) if shapely.get_dimensions(p) == dim]
    parts = [q for p in parts for q in shapely.get_parts(p)]
    if dim == 2:
        return shapely.MultiPolygon(parts)
    if dim == 1:
        return shapely.MultiLineString(parts)
    return shapely.centroid(shapely.MultiPoint(parts)) if len(parts) > 1 else parts[0]


# --------------------------------------------------------------------------- messages

_MESSAGES: dict[str, tuple[str, str]] = {
    "layer_error": ("{layer}：图层无法读取：{detail}", "{layer}: the layer cannot be read: {detail}"),
    "crs_missing": ("{layer}：没有坐标系，未校验：{detail}", "{layer}: no CRS, not validated: {detail}"),
    "crs_datum": ("{layer}：{detail}", "{layer}: {detail}"),
    "invalid_geometry": (
        "{kind_label} {fid}：几何无效（{detail}），位置 {where}",
        "{kind_label} {fid}: invalid geometry ({detail}) at {where}",
    ),
    "empty_geometry": (
        "{kind_label} {fid}：几何为空（{layer} 第 {row} 行）",
        "{kind_label} {fid}: empty geometry (row {row} of {layer})",
    ),
    "not_polygon": ("{kind_label} {fid}：是{detail}，分区应为面", "{kind_label} {fid}: a {detail}; zones are areas"),
    "duplicate_id": (
        "{kind_label}编号 {fid} 重复 {n} 次（{detail}）",
        "{kind_label} id {fid} used {n} times ({detail})",
    ),
    "missing_id": ("{kind_label}：{layer} 第 {row} 行缺少编号", "{kind_label}: row {row} of {layer} has no id"),
    "unmapped_class": (
        "{kind_label} {fid}：分类值 {detail!r} 不在 class_map 中（{kind} 的分类：{classes}）；"
        "在 layerset.yaml 中补充 class_map",
        "{kind_label} {fid}: class value {detail!r} is not in class_map (classes of {kind}: {classes}); "
        "add it to class_map",
    ),
    "missing_class": ("{kind_label} {fid}：缺少分类值", "{kind_label} {fid}: no class value"),
    "overlap": ("{kind_label} {fid} 与 {oid} 重叠 {area} m²", "{kind_label} {fid} and {oid} overlap by {area} m²"),
    "overlap.control_unit": (
        "环境管控单元 {fid} 与 {oid} 重叠 {area} m²（管控单元应无缝、无重叠地覆盖区域）",
        "control units {fid} and {oid} overlap by {area} m² (units must tile the region)",
    ),
    "gap": (
        "管控单元未覆盖的空隙 {area} m²，位于 {where}（相邻单元：{detail}）",
        "gap of {area} m² no control unit covers, at {where} (next to {detail})",
    ),
    "gap.hole": (
        "管控单元之间的空洞 {area} m²，位于 {where}（相邻单元：{detail}）",
        "hole of {area} m² between control units, at {where} (next to {detail})",
    ),
    "outside_region": (
        "环境管控单元 {fid} 超出区域边界 {area} m²，位于 {where}",
        "control unit {fid} reaches {area} m² beyond the region outline, at {where}",
    ),
    "water_level_overlap": (
        "{class_label} {fid} 与{other_class_label} {oid} 重叠 {area} m²（各级保护区不得重叠）",
        "{class_label} {fid} and {other_class_label} {oid} overlap by {area} m² (levels must not overlap)",
    ),
    "water_not_surrounded": (
        "一级保护区 {fid} 的边界有 {open_m} m（占 {share}）未被二级保护区包围（相邻二级：{oid}）",
        "first-level zone {fid}: {open_m} m of its boundary ({share}) is not bordered by a second-level zone "
        "(second-level zones next to it: {oid})",
    ),
    "water_no_second": (
        "一级保护区 {fid} 周边没有二级保护区（若该水源未划定二级保护区可忽略）",
        "no second-level zone borders the first-level zone {fid} (fine only if its source has none)",
    ),
    "cross_overlap": (
        "{kind_label} {fid} 与{other_kind_label} {oid} 重叠 {area} m²（三区三线不得重叠）",
        "{kind_label} {fid} and {other_kind_label} {oid} overlap by {area} m² (三区三线 must not overlap)",
    ),
    "sliver": (
        "细小{what} {area} m²（低于容差 {tol} m²）：{detail}",
        "sliver {what} of {area} m² (below the {tol} m² tolerance): {detail}",
    ),
}


def _msg(key: str, lang: str, **fmt) -> str:
    zh, en = _MESSAGES[key]
    return (zh if lang == "zh" else en).format(**fmt)


def _area_text(area: float) -> str:
    return f"{area:,.2f}"


#: What a message says instead of a location that would reveal a confidential layer.
_SECRET_WHERE = {"zh": "（涉密图层，不显示位置）", "en": "(confidential layer: location not shown)"}


def _where(geom, secret: bool = False, lang: str = "zh") -> str:
    if secret:
        return _SECRET_WHERE[lang]
    if geom is None or shapely.is_empty(geom):
        return "—"
    p = shapely.point_on_surface(geom) if shapely.get_dimensions(geom) == 2 else shapely.centroid(geom)
    return f"{p.x:.6f}, {p.y:.6f}"


# --------------------------------------------------------------------------- features


@dataclass
class _Features:
    """All features of one kind, over its layers, ready for the spatial checks."""

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


def _polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygonal part of each geometry; None where there is none."""
    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    odd = np.flatnonzero((types != 3) & (types != 6) & ~shapely.is_missing(geoms))
    for i in odd:
        parts = [
            q for p in shapely.get_parts(geoms[i]) if shapely.get_type_id(p) in (3, 6) for q in shapely.get_parts(p)
        ]
        out[i] = None if not parts else (parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    return out


def _gather(layerset: LayerSet, kind: str, bad: dict[tuple[str, int], str]) -> _Features:
    parts = []
    for layer in layerset.layers:
        if layer.kind != kind:
            continue
        n = len(layer.gdf)
        raw = layer.gdf["zone_id"].astype(str).to_numpy(dtype=object)
        rows = np.arange(n)
        ids = raw.copy()
        for i in np.flatnonzero(raw == ""):
            ids[i] = f"{layer.label}#{i + 1}"
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
        parts.append(
            (
                ids.astype(object),
                layer.gdf["zone_class"].astype(str).to_numpy(dtype=object),
                np.full(n, layer.label, dtype=object),
                _polygonal_parts(geoms),
                raw.astype(object),
                rows,
                np.full(n, bool(layer.confidential)),
            )
        )
    if not parts:
        empty_o = np.zeros(0, dtype=object)
        return _Features(
            kind, empty_o, empty_o, empty_o, empty_o, empty_o, np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
        )
    cols = [np.concatenate([p[k] for p in parts]) for k in range(7)]
    return _Features(kind, *cols)


# --------------------------------------------------------------------------- pair finding


def _interiors_intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact test, pair by pair, that the interiors of ``a[k]`` and ``b[k]`` intersect (chunked, threaded)."""
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=bool)
    out = np.zeros(n, dtype=bool)
    chunks = [slice(s, min(s + _CHUNK, n)) for s in range(0, n, _CHUNK)]

    def run(sl: slice) -> None:
        out[sl] = shapely.relate_pattern(a[sl], b[sl], "T********")

    workers = min(len(chunks), os.cpu_count() or 1)
    if workers <= 1:
        for sl in chunks:
            run(sl)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, chunks))
    return out


def _box_overlap(bounds_a: np.ndarray, bounds_b: np.ndarray) -> np.ndarray:
    """Mark the pairs of boxes that overlap with positive area (only there can interiors meet)."""
    return (np.minimum(bounds_a[:, 2], bounds_b[:, 2]) > np.maximum(bounds_a[:, 0], bounds_b[:, 0])) & (
        np.minimum(bounds_a[:, 3], bounds_b[:, 3]) > np.maximum(bounds_a[:, 1], bounds_b[:, 1])
    )


def _overlapping_pairs(a: np.ndarray, b: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return the indices ``(i, j)`` of the pairs whose interiors intersect: within ``a`` (i < j), or ``a`` × ``b``.

    One bulk bounding-box query of an STRtree, then the exact test on the candidates only.
    """
    if b is None:
        tree = shapely.STRtree(a)
        i, j = tree.query(a)
        keep = i < j
        i, j = i[keep], j[keep]
        bounds_a = bounds_b = shapely.bounds(a)
        other = a
    else:
        tree = shapely.STRtree(b)
        i, j = tree.query(a)
        bounds_a, bounds_b = shapely.bounds(a), shapely.bounds(b)
        other = b
    keep = _box_overlap(bounds_a[i], bounds_b[j])
    i, j = i[keep], j[keep]
    hit = _interiors_intersect(a[i], other[j])
    return i[hit], j[hit]


def _overlap_areas(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Overlap geometry (polygonal part) and geodesic area of each pair."""
    from redline.layers.geodesy import geodesic_area

    if len(a) == 0:
        return np.zeros(0, dtype=object), np.zeros(0)
    inter = _polygonal_parts(np.asarray(shapely.intersection(a, b), dtype=object))
    areas = np.array([geodesic_area(g) if g is not None else 0.0 for g in inter])
    return inter, areas


# --------------------------------------------------------------------------- the checks


class _Validator:
    def __init__(self, layerset: LayerSet, lang: str, tolerance_m2: float) -> None:
        self.layerset = layerset
        self.lang = lang
        self.tol = float(tolerance_m2)
        self.problems: list[Problem] = []
        self.bad_types: dict[tuple[str, int], str] = {}
        self.features = {kind: _gather(layerset, kind, self.bad_types) for kind in layerset.kinds}
        self.secret_layers = {layer.label for layer in layerset.layers if layer.confidential}

    # helpers ---------------------------------------------------------------
    def kind_label(self, kind: str) -> str:
        return KINDS[kind].label(self.lang) if kind in KINDS else kind

    def add(self, check: str, kind: str, *, secret: bool = False, **kw) -> None:
        """Record a problem; one that involves a confidential feature keeps no geometry."""
        if secret:
            kw["geometry"] = None
        self.problems.append(Problem(check, kind, **kw))

    def add_area(self, check: str, kind: str, area: float, message: str, what: str, **kw) -> None:
        """Add an area problem, or a ``sliver`` warning when it is below the tolerance."""
        if self.tol > 0 and area < self.tol:
            zh_what, en_what = {
                "overlap": ("重叠", "overlap"),
                "gap": ("空隙", "gap"),
                "outside": ("超出", "overhang"),
            }[what]
            message = _msg(
                "sliver",
                self.lang,
                what=zh_what if self.lang == "zh" else en_what,
                area=_area_text(area),
                tol=f"{self.tol:g}",
                detail=message,
            )
            check = "sliver"
        self.add(check, kind, area_m2=area, message=message, **kw)

    # per layer -------------------------------------------------------------
    def load_issues(self, issues: Iterable[LoadIssue]) -> None:
        geoms = {layer.label: layer.gdf.geometry.values for layer in self.layerset.layers}
        for issue in issues:
            row = issue.row
            fid = issue.feature_id or (f"{issue.layer}#{row + 1}" if row is not None else "")
            secret = issue.layer in self.secret_layers
            fmt = {
                "layer": issue.layer,
                "detail": _secret_reason(issue.detail) if secret else issue.detail,
                "kind": issue.kind,
                "kind_label": self.kind_label(issue.kind),
                "fid": fid,
                "row": "" if row is None else row + 1,
                "where": _where(issue.location, secret, self.lang),
                "classes": ", ".join(KINDS[issue.kind].classes) if issue.kind in KINDS else "",
            }
            geom = issue.location
            if geom is None and row is not None and issue.layer in geoms:
                g = geoms[issue.layer][row]
                geom = None if g is None or shapely.is_empty(g) else g
            self.add(
                issue.check,
                issue.kind,
                feature_id="" if issue.check == "missing_id" else fid,
                message=_msg(issue.check, self.lang, **fmt),
                geometry=geom,
                layer=issue.layer,
                secret=secret,
            )

    def not_polygons(self) -> None:
        for (label, row), gtype in sorted(self.bad_types.items()):
            layer = next(lyr for lyr in self.layerset.layers if lyr.label == label)
            zid = str(layer.gdf["zone_id"].iloc[row]) or f"{label}#{row + 1}"
            names = {"Point": "点", "MultiPoint": "点", "LineString": "线", "MultiLineString": "线"}
            detail = names.get(gtype, gtype) if self.lang == "zh" else gtype
            self.add(
                "not_polygon",
                layer.kind,
                feature_id=zid,
                message=_msg("not_polygon", self.lang, kind_label=self.kind_label(layer.kind), fid=zid, detail=detail),
                geometry=layer.gdf.geometry.iloc[row],
                layer=label,
                secret=bool(layer.confidential),
            )

    def duplicate_ids(self) -> None:
        for kind, f in self.features.items():
            if not len(f):
                continue
            ids = pd.Series(f.raw_ids)
            dup = ids[(ids != "") & ids.duplicated(keep=False)]
            for zid, idx in dup.groupby(dup, sort=True).groups.items():
                idx = np.asarray(idx)
                row_at = "{layer} 第 {row} 行" if self.lang == "zh" else "{layer} row {row}"
                where = ", ".join(row_at.format(layer=f.layers[i], row=f.rows[i] + 1) for i in idx)
                polys = [g for g in f.geoms[idx] if g is not None]
                self.add(
                    "duplicate_id",
                    kind,
                    feature_id=str(zid),
                    message=_msg(
                        "duplicate_id", self.lang, kind_label=self.kind_label(kind), fid=zid, n=len(idx), detail=where
                    ),
                    geometry=shapely.union_all(polys) if polys else None,
                    layer=str(f.layers[idx[0]]),
                    secret=bool(f.secret[idx].any()),
                )

    # within a kind -----------------------------------------------------------
    def overlaps(self) -> None:
        for kind in DISJOINT_KINDS:
            f = self.features.get(kind)
            if f is None or len(f) < 2:
                continue
            i, j = _overlapping_pairs(f.geoms)
            inter, areas = _overlap_areas(f.geoms[i], f.geoms[j])
            order = np.lexsort((f.ids[j].astype(str), f.ids[i].astype(str)))
            for k in order:
                a, b = int(i[k]), int(j[k])
                if str(f.ids[b]) < str(f.ids[a]):
                    a, b = b, a
                fid, oid = str(f.ids[a]), str(f.ids[b])
                if kind == "water_source" and f.classes[a] != f.classes[b]:
                    check = "water_level_overlap"
                    if _level(f.classes[b]) < _level(f.classes[a]):
                        a, b = b, a
                        fid, oid = oid, fid
                    text = _msg(
                        check,
                        self.lang,
                        fid=fid,
                        oid=oid,
                        area=_area_text(areas[k]),
                        class_label=_class_label(kind, f.classes[a], self.lang),
                        other_class_label=_class_label(kind, f.classes[b], self.lang),
                    )
                else:
                    check = "overlap"
                    key = "overlap.control_unit" if kind == "control_unit" else "overlap"
                    text = _msg(
                        key, self.lang, kind_label=self.kind_label(kind), fid=fid, oid=oid, area=_area_text(areas[k])
                    )
                self.add_area(
                    check,
                    kind,
                    float(areas[k]),
                    text,
                    "overlap",
                    feature_id=fid,
                    other_kind=kind,
                    other_id=oid,
                    geometry=inter[k],
                    layer=str(f.layers[a]),
                    secret=bool(f.secret[a] or f.secret[b]),
                )

    def coverage(self, region, region_label: str) -> list[str]:
        """Gaps in the control units' coverage of the region; parts of units outside it."""
        from redline.layers.geodesy import geodesic_area

        f = self.features.get("control_unit")
        notes = []
        if f is None or not len(f):
            if region is not None:
                notes.append(
                    "没有环境管控单元图层，未检查区域覆盖"
                    if self.lang == "zh"
                    else "no control units: coverage not checked"
                )
            return notes
        ok = ~shapely.is_missing(f.geoms)
        units = f.geoms[ok]
        unit_ids = f.ids[ok]
        unit_secret = f.secret[ok]
        union = shapely.union_all(units)
        tree = shapely.STRtree(units)
        if region is None:
            notes.append(
                "未给出区域边界（--region）：只检查了管控单元之间的空洞，未检查外边界的覆盖"
                if self.lang == "zh"
                else "no region outline (--region): only holes between control units were checked, "
                "not the coverage of the region's outer edge"
            )
            rings = [shapely.Polygon(r) for poly in shapely.get_parts(union) for r in poly.interiors]
            gaps = shapely.difference(shapely.union_all(rings), union) if rings else None
            key = "gap.hole"
        else:
            gaps = shapely.difference(region, union)
            key = "gap"
        for gap in _pieces(gaps):
            area = geodesic_area(gap)
            near = tree.query(gap, predicate="dwithin", distance=1e-7)
            detail = ", ".join(sorted(str(unit_ids[n]) for n in near)) or "—"
            # a gap's outline is the units' boundary: secret when any unit is
            secret = bool(unit_secret.any())
            text = _msg(key, self.lang, area=_area_text(area), where=_where(gap, secret, self.lang), detail=detail)
            self.add_area(
                "gap",
                "control_unit",
                area,
                text,
                "gap",
                feature_id=";".join(sorted(str(unit_ids[n]) for n in near)),
                geometry=gap,
                layer=str(f.layers[0]),
                secret=secret,
            )
        if region is not None:
            shapely.prepare(region)
            outside = np.flatnonzero(~shapely.covers(region, units))
            for k in outside:
                for piece in _pieces(shapely.difference(units[k], region)):
                    area = geodesic_area(piece)
                    secret = bool(unit_secret[k])
                    text = _msg(
                        "outside_region",
                        self.lang,
                        fid=unit_ids[k],
                        area=_area_text(area),
                        where=_where(piece, secret, self.lang),
                    )
                    self.add_area(
                        "outside_region",
                        "control_unit",
                        area,
                        text,
                        "outside",
                        feature_id=str(unit_ids[k]),
                        other_id=region_label,
                        geometry=piece,
                        layer=str(f.layers[ok][k]),
                        secret=secret,
                    )
        return notes

    def water_surround(self) -> None:
        f = self.features.get("water_source")
        if f is None:
            return
        first = np.flatnonzero((f.classes == "first") & ~shapely.is_missing(f.geoms))
        second = np.flatnonzero((f.classes == "second") & ~shapely.is_missing(f.geoms))
        if not len(first) or not len(second):
            return
        tree = shapely.STRtree(f.geoms)
        for a in first:
            zone = f.geoms[a]
            fwd, inv = _local(round(float(shapely.centroid(zone).x) * 2) / 2)  # half-degree bands
            margin = 3 * BORDER_M / 100_000.0  # degrees, generously
            near = [int(n) for n in tree.query(shapely.buffer(shapely.envelope(zone), margin)) if n != a]
            neighbours = [n for n in near if f.classes[n] in ("first", "second")]
            local = shapely.transform(zone, fwd)
            boundary = shapely.boundary(local)
            seconds = []
            cover = []
            secret = bool(f.secret[a])
            for n in neighbours:
                g = shapely.transform(f.geoms[n], fwd)
                if shapely.dwithin(g, boundary, BORDER_M):
                    cover.append(g)
                    secret = secret or bool(f.secret[n])
                    if f.classes[n] == "second":
                        seconds.append(str(f.ids[n]))
            fid = str(f.ids[a])
            if not seconds:
                self.add(
                    "water_no_second",
                    "water_source",
                    feature_id=fid,
                    message=_msg("water_no_second", self.lang, fid=fid),
                    geometry=shapely.transform(boundary, inv),
                    layer=str(f.layers[a]),
                    secret=secret,
                )
                continue
            open_part = shapely.difference(boundary, shapely.buffer(shapely.union_all(cover), BORDER_M))
            open_m = float(shapely.length(open_part))
            if open_m <= BORDER_M:
                continue
            share = open_m / float(shapely.length(boundary))
            self.add(
                "water_not_surrounded",
                "water_source",
                feature_id=fid,
                other_kind="water_source",
                other_id=";".join(sorted(seconds)),
                message=_msg(
                    "water_not_surrounded",
                    self.lang,
                    fid=fid,
                    open_m=f"{open_m:,.1f}",
                    share=f"{share:.1%}",
                    oid=", ".join(sorted(seconds)),
                ),
                geometry=shapely.transform(open_part, inv),
                layer=str(f.layers[a]),
                secret=secret,
            )

    # across kinds ------------------------------------------------------------
    def cross(self) -> None:
        for kind_a, kind_b in CROSS_PAIRS:
            fa, fb = self.features.get(kind_a), self.features.get(kind_b)
            if fa is None or fb is None or not len(fa) or not len(fb):
                continue
            # query the larger layer's tree with the smaller layer
            if len(fa) <= len(fb):
                i, j = _overlapping_pairs(fa.geoms, fb.geoms)
            else:
                j, i = _overlapping_pairs(fb.geoms, fa.geoms)
            inter, areas = _overlap_areas(fa.geoms[i], fb.geoms[j])
            order = np.lexsort((fb.ids[j].astype(str), fa.ids[i].astype(str)))
            for k in order:
                a, b = int(i[k]), int(j[k])
                text = _msg(
                    "cross_overlap",
                    self.lang,
                    kind_label=self.kind_label(kind_a),
                    other_kind_label=self.kind_label(kind_b),
                    fid=fa.ids[a],
                    oid=fb.ids[b],
                    area=_area_text(areas[k]),
                )
                self.add_area(
                    "cross_overlap",
                    kind_a,
                    float(areas[k]),
                    text,
                    "overlap",
                    feature_id=str(fa.ids[a]),
                    other_kind=kind_b,
                    other_id=str(fb.ids[b]),
                    geometry=inter[k],
                    layer=str(fa.layers[a]),
                    secret=bool(fa.secret[a] or fb.secret[b]),
                )


def _level(cls: str) -> int:
    return _WATER_LEVELS.index(cls) if cls in _WATER_LEVELS else len(_WATER_LEVELS)


def _class_label(kind: str, cls: str, lang: str) -> str:
    return KINDS[kind].class_label(cls, lang) or cls or ("（无分类）" if lang == "zh" else "(no class)")


def _pieces(geom) -> list:
    """Return the polygons of a (multi)polygon or collection, without empty ones."""
    if geom is None or shapely.is_empty(geom):
        return []
    return [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) == 3 and not p.is_empty]


@lru_cache(maxsize=64)
def _local(lon0: float):
    """Forward and inverse coordinate functions of a transverse Mercator centred on ``lon0`` (metres)."""
    proj = CRS.from_proj4(f"+proj=tmerc +lat_0=0 +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs")
    fwd = Transformer.from_crs(TARGET_CRS, proj, always_xy=True)
    inv = Transformer.from_crs(proj, TARGET_CRS, always_xy=True)

    def f(xy, t=fwd):
        return np.column_stack(t.transform(xy[:, 0], xy[:, 1]))

    def g(xy, t=inv):
        return np.column_stack(t.transform(xy[:, 0], xy[:, 1]))

    return f, g


def _region_geometry(region, crs: str | None) -> tuple[object, str]:
    if region is None:
        return None, ""
    if isinstance(region, shapely.Geometry):
        return region, "geometry"
    from redline.layers.outline import read_outline

    outline = read_outline(region, crs=crs, what="--region")
    return shapely.union_all(outline.geometry.values), Path(region).name


def validate_layerset(
    layers: str | Path | LayerSet | None = "sample",
    *,
    region: str | Path | shapely.Geometry | None = None,
    crs: str | None = None,
    tolerance_m2: float = 0.0,
    lang: str = "zh",
) -> ValidationReport:
    """Validate a layer set: each layer, each kind, the water-source levels and 三区三线.

    Parameters
    ----------
    layers : str, Path or LayerSet
        A ``layerset.yaml``, a folder holding one, ``"sample"``, or a loaded :class:`LayerSet`.
        A path is read leniently, so invalid, empty and unmapped features are reported rather
        than refused (see the module docstring for the checks).
    region : str, Path or shapely geometry, optional
        The region's outline (a vector file, or a polygon in EPSG:4490): control units must cover
        it without gaps.  Without it only holes between units are found.
    crs : str, optional
        The CRS of the region file when it carries none or to override it (``gcj02`` for web-map
        outlines).
    tolerance_m2 : float
        Overlaps, gaps and overhangs smaller than this many m² are ``sliver`` warnings, not
        errors (default 0: every one is an error).
    lang : {"zh", "en"}
        Language of the messages.

    Returns
    -------
    ValidationReport

    Raises
    ------
    ManifestError
        When the manifest itself cannot be used (the layers' data problems are reported, not raised).
    LayerError, CRSError
        When the region file cannot be used.

    Examples
    --------
    >>> report = validate_layerset("sample")
    >>> report.ok, len(report.problems)
    (True, 0)
    """
    from redline.layers import load_layerset

    if lang not in ("zh", "en"):
        raise RedlineError(f"lang {lang!r} is not one of zh, en")
    if not (isinstance(tolerance_m2, int | float) and math.isfinite(tolerance_m2) and tolerance_m2 >= 0):
        raise RedlineError(f"tolerance {tolerance_m2!r} is not a non-negative number of m²")
    started = time.perf_counter()
    issues: list[LoadIssue] = []
    if isinstance(layers, LayerSet):
        layerset = layers
    else:
        layerset = load_layerset(layers, collect=issues)
    region_geom, region_label = _region_geometry(region, crs)
    if region_geom is not None and shapely.is_empty(region_geom):
        raise LayerError("the region outline is empty")
    timings = {"load": time.perf_counter() - started}
    v = _Validator(layerset, lang, tolerance_m2)
    v.load_issues(issues)
    v.not_polygons()
    v.duplicate_ids()
    timings["layers"] = time.perf_counter() - started - sum(timings.values())
    v.overlaps()
    timings["overlaps"] = time.perf_counter() - started - sum(timings.values())
    notes = v.coverage(region_geom, region_label)
    v.water_surround()
    timings["coverage"] = time.perf_counter() - started - sum(timings.values())
    v.cross()
    timings["cross"] = time.perf_counter() - started - sum(timings.values())
    order = {code: n for n, code in enumerate(CHECKS)}
    problems = sorted(v.problems, key=lambda p: order[p.check])  # stable: within a check, as found
    return ValidationReport(
        name=layerset.name,
        manifest=layerset.path,
        layers=_layer_reports(layerset),
        problems=problems,
        region=region_label,
        notes=notes,
        tolerance_m2=float(tolerance_m2),
        lang=lang,
        illustrative=layerset.illustrative,
        timings=timings,
    )


def _layer_reports(layerset: LayerSet) -> list[LayerReport]:
    """Every layer of the manifest, in its order: those read, and those that could not be."""
    from redline.layers.manifest import read_manifest

    if layerset.path is None:
        return [
            LayerReport(lyr.kind, lyr.label, len(lyr.gdf), lyr.source_crs, True, lyr.encoding_note, lyr.confidential)
            for lyr in layerset.layers
        ]
    loaded = list(layerset.layers)  # in manifest order, less the layers that could not be read
    out = []
    for spec in read_manifest(layerset.path).layers:
        label = f"{spec.path.name}:{spec.layer}" if spec.layer else spec.path.name
        layer = loaded[0] if loaded else None
        if layer is not None and (layer.kind, layer.path, layer.layer) == (spec.kind, spec.path, spec.layer):
            loaded.pop(0)
            out.append(
                LayerReport(
                    layer.kind, label, len(layer.gdf), layer.source_crs, True, layer.encoding_note, spec.confidential
                )
            )
        else:
            out.append(LayerReport(spec.kind, label, None, "", False, confidential=spec.confidential))
    return out
