"""Read one zone layer from a vector source and normalise it to the standard columns."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from redline.layers.crs import crs_label, datum_caveat, guess_crs, proposed_code
from redline.layers.fingerprint import fingerprint
from redline.layers.layerset import STANDARD_COLUMNS, TARGET_CRS, ZoneLayer
from redline.layers.manifest import LayerSpec, _norm_value
from redline.layers.normalise import drop_empty_parts
from redline.layers.source import ManyLayersError, VectorSource, read_vector
from redline.layers.webcoords import transform_geometry
from redline.zones.access_list import AccessList
from redline.zones.errors import Bilingual, LayerError, RedlineError
from redline.zones.kinds import KINDS

__all__ = ["NO_CRS", "LoadIssue", "drop_empty_parts", "read_zone_layer", "repair_geometries"]

#: Words every "source has no CRS" problem contains (load_layerset re-words those with a proposal).
NO_CRS = "the source has no CRS"

_MAX_LISTED = 8
_CLASS_REQUIRED = frozenset({"water_source", "control_unit"})
_AT = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\]")


@dataclass
class LoadIssue:
    """A data problem met while a layer set was read leniently (``load_layerset(..., collect=[])``).

    Lenient reading keeps every feature as it is (invalid or empty geometry, unmapped class) and
    records what is wrong here instead of refusing the layer set, so that validation can report it.

    Attributes
    ----------
    check : str
        ``invalid_geometry``, ``empty_geometry``, ``empty_part`` (empty parts or rings, dropped: see
        :func:`drop_empty_parts`), ``unmapped_class``, ``missing_class``, ``missing_id``, ``crs_datum``
        (approximate datum shift), ``crs_missing`` or ``layer_error`` (the layer could not be read at
        all and is left out of the set).
    kind : str
        The layer's kind.
    layer : str
        ``file`` or ``file:layer``.
    row : int or None
        0-based row of the feature in the loaded layer's ``gdf`` (lenient reading drops no row).
    feature_id : str
        The feature's ``zone_id`` (empty when it has none).
    detail : str
        What is wrong: GEOS's reason for invalid geometry, the unmapped value, the number of empty
        parts dropped, or the reader's message.
    location : shapely.Point or None
        Where the geometry is invalid, in EPSG:4490 (from GEOS's reason, or a point of the feature).

    Examples
    --------
    >>> issue = LoadIssue("missing_id", "basic_farmland", "basic_farmland.fgb", row=12)
    >>> issue.check, issue.row
    ('missing_id', 12)
    """

    check: str
    kind: str
    layer: str
    row: int | None = None
    feature_id: str = ""
    detail: str = ""
    location: object = None


def _secret_reason(reason: str) -> str:
    """Drop the coordinates GEOS puts in a reason (``Self-intersection[x y]``): for confidential layers."""
    return _AT.sub("", reason or "")


def _listing(values: list[str]) -> str:
    shown = ", ".join(values[:_MAX_LISTED])
    return shown + (f" and {len(values) - _MAX_LISTED} more" if len(values) > _MAX_LISTED else "")


def _read_source(spec: LayerSpec) -> tuple[VectorSource, str]:
    """Read the layer's source: a file, or a PostGIS table or query; return it and its fingerprint."""
    if spec.postgis is None:
        source = read_vector(spec.path, layer=spec.layer, encoding=spec.encoding, error=LayerError)
        return source, fingerprint(spec.path)
    from redline.layers.postgis import read_postgis_layer

    gdf, meta = read_postgis_layer(spec.postgis.url, **postgis_arguments(spec))
    n = len(gdf)
    return VectorSource(gdf, unclosed=np.zeros(n, dtype=bool), closed=np.full(n, None, dtype=object)), meta.fingerprint


def postgis_arguments(spec: LayerSpec) -> dict[str, Any]:
    """Return the keyword arguments that name a PostGIS layer's rows (after its URL), for reading or fingerprinting."""
    pg = spec.postgis
    return {
        "table": pg.table,
        "sql": pg.sql,
        "geometry_column": pg.geometry_column,
        "password_env": pg.password_env,
        "columns": source_columns(spec),
        "layer": spec.where,
    }


def source_columns(spec: LayerSpec) -> list[str] | None:
    """Return the source fields a layer needs read (a database layer reads only those; None: every field)."""
    wanted = [f for f in (spec.id_field, spec.name_field, spec.class_field) if f]
    return list(dict.fromkeys(wanted)) or None


def _set_crs(
    gdf: gpd.GeoDataFrame,
    spec: LayerSpec,
    default_crs,
    problems: list[str],
    near: tuple[float, float] | None = None,
    near_what: str = "the other layers of the set",
) -> str | None:
    """Put the layer into EPSG:4490 in place; return how its CRS was set, or None on a problem."""
    declared = spec.crs
    how = "manifest"
    if declared is None and gdf.crs is not None:
        declared, how = gdf.crs, "source"
    if declared is None and default_crs is not None:
        declared, how = default_crs, "manifest default"
    if declared is None:
        coords = shapely.get_coordinates(gdf.geometry.values)
        if spec.confidential:  # the proposal would say where the layer's features are (to 0.01°)
            near = None
        hint = guess_crs(coords[:, 0], coords[:, 1], near=near, near_what=near_what) if len(coords) else None
        proposal = f"; the coordinates look like {hint}" if hint else ""
        example = proposed_code(hint) or "EPSG:4545"
        is_dxf = spec.path is not None and spec.path.suffix.lower() == ".dxf"
        drawing = " (a CAD drawing carries none)" if is_dxf else ""
        en = f"{spec.where}: {NO_CRS}{drawing} (no .prj or CRS metadata){proposal}; "
        zh = f"{spec.where}：数据源没有坐标系{'（CAD 图纸不带坐标系）' if is_dxf else ''}（没有 .prj 或坐标系元数据）"
        zh += f"；其坐标看起来是 {hint}" if hint else ""
        end = f"set `crs:` on this layer in layerset.yaml (e.g. crs: {example})"
        problems.append(Bilingual(en + end, f"{zh}；请在 layerset.yaml 中该图层上写 `crs:`（如 crs: {example}）"))
        return None
    if isinstance(declared, str):  # gcj02 / bd09
        gdf.geometry = gpd.GeoSeries(transform_geometry(gdf.geometry.values, declared), index=gdf.index)
        gdf.set_crs(TARGET_CRS, inplace=True, allow_override=True)
        return f"{declared} ({how}), converted"
    crs = CRS.from_user_input(declared)
    if gdf.crs is None or how == "manifest":
        gdf.set_crs(crs, inplace=True, allow_override=True)
    label = crs_label(crs)
    caveat = datum_caveat(crs)
    if not crs.equals(CRS.from_user_input(TARGET_CRS)):
        gdf.to_crs(TARGET_CRS, inplace=True)
    if caveat:
        warnings.warn(f"{spec.where}: {caveat}", UserWarning, stacklevel=4)
        return f"{label} ({how}; approximate: datum shift to CGCS2000 not applied)"
    return f"{label} ({how})"


def repair_geometries(geoms: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """Repair geometries with ``make_valid``, keeping their dimension.

    A polygon whose repair also yields stray lines or points keeps only its polygonal parts
    (a zone or a parcel is an area); no repaired geometry has an empty part.  Coordinates that
    are not finite numbers cannot be repaired (GEOS refuses them).

    Returns
    -------
    (array, list)
        The repaired geometries, and per geometry None or why it could not be repaired.
    """
    geoms = np.asarray(geoms, dtype=object)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    unusable = np.zeros(len(geoms), dtype=bool)
    unusable[owner[~np.isfinite(coords).all(axis=1)]] = True
    out = np.full(len(geoms), None, dtype=object)
    out[~unusable] = shapely.make_valid(geoms[~unusable])
    problems: list[str | None] = [None] * len(geoms)
    for i, (before, after) in enumerate(zip(geoms, out, strict=True)):
        if unusable[i]:
            problems[i] = "coordinates are not finite numbers"
            continue
        dim = shapely.get_dimensions(before)
        parts = [p for p in shapely.get_parts(after) if shapely.get_dimensions(p) == dim and not p.is_empty]
        if not parts:
            problems[i] = "nothing of it is left after repair"
            out[i] = None
        elif len(parts) == 1:
            out[i] = parts[0]
        elif dim == 2:
            polys = [q for p in parts for q in shapely.get_parts(p)]
            out[i] = shapely.MultiPolygon(polys)
        elif dim == 1:
            out[i] = shapely.MultiLineString([q for p in parts for q in shapely.get_parts(p)])
        else:
            out[i] = shapely.MultiPoint([q for p in parts for q in shapely.get_parts(p)])
    return drop_empty_parts(out)[0], problems


def _normalise_geometry(gdf: gpd.GeoDataFrame, unclosed: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """Put the rings the source left open closed, and drop empty parts and rings, in place; return the parts dropped.

    Runs first, on the source's coordinates: nothing GEOS crashes on (:func:`drop_empty_parts`)
    reaches the reprojection, the checks, the engine or the layer cache.  A closed ring is then
    judged by ``on_invalid`` (it counts as invalid); dropping empty parts changes no zone's ground,
    so it is done silently (lenient reading reports it as ``empty_part``).
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if unclosed.any():  # rings closed here are converted with the rest, then judged by on_invalid
        geoms = geoms.copy()
        geoms[unclosed] = closed[unclosed]
    fixed, dropped = drop_empty_parts(geoms)
    if unclosed.any() or dropped.any():
        gdf[gdf.geometry.name] = gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs)
    return dropped


def _check_geometry(
    gdf: gpd.GeoDataFrame,
    ids: pd.Series,
    spec: LayerSpec,
    problems: list[str],
    unclosed: np.ndarray | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Apply ``on_invalid``; return the layer without dropped features, and the ids repaired.

    ``unclosed`` marks features whose rings were read unclosed (and closed by the reader):
    they count as invalid, reason "ring not closed".
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object).copy()
    unclosed = np.zeros(len(gdf), dtype=bool) if unclosed is None else np.asarray(unclosed, dtype=bool)
    reasons_of: dict[int, str] = {int(i): "ring not closed" for i in np.flatnonzero(unclosed)}
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = ~missing & (~np.asarray(shapely.is_valid(geoms)) | unclosed)
    for i in np.flatnonzero(invalid):
        if int(i) not in reasons_of:
            reasons_of[int(i)] = shapely.is_valid_reason(geoms[i])
        elif not shapely.is_valid(geoms[i]):
            reasons_of[int(i)] += f", then {shapely.is_valid_reason(geoms[i])}"
    if spec.confidential:  # a 涉密 layer's messages name features, never coordinates
        reasons_of = {i: _secret_reason(r) for i, r in reasons_of.items()}
    repaired: list[str] = []
    if missing.any():
        rows = [f"row {i + 1}" for i in np.flatnonzero(missing)]
        if spec.on_invalid == "raise":
            en = f"{spec.where}: {missing.sum()} feature(s) with empty or no geometry ({_listing(rows)}); "
            zh = f"{spec.where}：有 {missing.sum()} 个要素的几何为空或缺失（{_listing(rows)}）；"
            end, end_zh = "remove them, or set `on_invalid: warn` to skip them", "请删去，或写 `on_invalid: warn` 跳过"
            problems.append(Bilingual(en + end, zh + end_zh))
        else:
            warnings.warn(
                f"{spec.where}: skipped {missing.sum()} empty feature(s): {_listing(rows)}", UserWarning, stacklevel=3
            )
    if invalid.any():
        n = int(invalid.sum())
        idx = np.flatnonzero(invalid)
        reasons = [f"{ids.iloc[i]} ({reasons_of[int(i)]})" for i in idx]
        what = f"{n} invalid geometr{'y' if n == 1 else 'ies'}"
        if spec.on_invalid == "raise":
            en = f"{spec.where}: {what}: {_listing(reasons)}; repair the data, or set `on_invalid: fix` to "
            zh = f"{spec.where}：{n} 个几何无效：{_listing(reasons)}；请修复数据，或写 `on_invalid: fix` 用 make_valid "
            end, end_zh = "repair with make_valid (or `warn` to skip them)", "修复（或写 `warn` 跳过）"
            problems.append(Bilingual(en + end, zh + end_zh))
        elif spec.on_invalid == "fix":
            fixed, failures = repair_geometries(geoms[idx])
            for j, i in enumerate(idx):
                if failures[j]:
                    missing[i] = True
                else:
                    geoms[i] = fixed[j]
                    repaired.append(str(ids.iloc[i]))
            gdf = gdf.copy()
            gdf[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
            lost = [reasons[j] for j in range(len(idx)) if failures[j]]
            warnings.warn(
                f"{spec.where}: repaired {len(repaired)} invalid geometr{'y' if len(repaired) == 1 else 'ies'} "
                f"with make_valid: {_listing([r for j, r in enumerate(reasons) if not failures[j]])}"
                + (f"; skipped {len(lost)} that nothing was left of: {_listing(lost)}" if lost else ""),
                UserWarning,
                stacklevel=3,
            )
        else:
            missing = missing | invalid
            warnings.warn(f"{spec.where}: skipped {what}: {_listing(reasons)}", UserWarning, stacklevel=3)
    return gdf.loc[~missing], repaired


def _blank(values: pd.Series) -> np.ndarray:
    """Mark the source values that are missing or only white space."""
    return np.asarray(values.isna() | values.astype(str).str.strip().eq(""), dtype=bool)


def _location(reason: str, geom) -> shapely.Point | None:
    """Return the point GEOS names in an invalid-geometry reason (``Self-intersection[x y]``), else a vertex."""
    m = _AT.search(reason or "")
    if m:
        return shapely.Point(float(m.group(1)), float(m.group(2)))
    if geom is None or shapely.is_empty(geom):
        return None
    return shapely.points(shapely.get_coordinates(geom)[:1])[0]


def _collect_geometry(
    gdf: gpd.GeoDataFrame,
    ids: pd.Series,
    spec: LayerSpec,
    unclosed: np.ndarray,
    issues: list,
    dropped: np.ndarray | None = None,
) -> None:
    """Lenient reading: record empty and invalid geometries (kept as they are) as issues.

    Runs after the layer is in EPSG:4490, as the strict check does, so locations are lon/lat.
    ``dropped`` counts the empty parts :func:`_normalise_geometry` dropped from each feature: each
    such feature is an ``empty_part`` issue (detail: the count), located at its first vertex.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    valid = np.asarray(shapely.is_valid(geoms))
    invalid = ~missing & (~valid | unclosed)
    emptied = ~missing & (np.zeros(len(geoms), dtype=bool) if dropped is None else np.asarray(dropped) > 0)
    for i in np.flatnonzero(missing | invalid | emptied):
        common = {"kind": spec.kind, "layer": _label(spec), "row": int(i), "feature_id": str(ids.iloc[i])}
        if missing[i]:
            issues.append(LoadIssue("empty_geometry", **common))
            continue
        if emptied[i]:
            where = None if spec.confidential else _location("", geoms[i])
            issues.append(LoadIssue("empty_part", **common, detail=str(int(dropped[i])), location=where))
            if not invalid[i]:
                continue
        reason = "" if valid[i] else shapely.is_valid_reason(geoms[i])
        if unclosed[i]:
            reason = "Ring not closed" + (f", then {reason}" if reason else "")
        if spec.confidential:  # 涉密: the feature and the problem, never where it is
            issues.append(LoadIssue("invalid_geometry", **common, detail=_secret_reason(reason)))
            continue
        issues.append(LoadIssue("invalid_geometry", **common, detail=reason, location=_location(reason, geoms[i])))


def _label(spec: LayerSpec) -> str:
    return spec.label


def _field(gdf: gpd.GeoDataFrame, spec: LayerSpec, key: str, problems: list[str]) -> pd.Series | None:
    name = getattr(spec, key)
    if name is None:
        return None
    if name not in gdf.columns:
        fields = [c for c in gdf.columns if c != gdf.geometry.name]
        en = f"{spec.where}: no field {name!r} for {key}; the fields are {', '.join(fields)}; "
        zh = f"{spec.where}：没有 {key} 所指的字段 {name!r}；现有字段为 {'、'.join(fields)}；"
        problems.append(Bilingual(en + f"set `{key}` in layerset.yaml", zh + f"请改正 layerset.yaml 中的 `{key}`"))
        return None
    return gdf[name]


def _classes(
    values: pd.Series, spec: LayerSpec, problems: list[str], ids: pd.Series | None = None, issues: list | None = None
) -> pd.Series:
    classes = KINDS[spec.kind].classes
    normalised = values.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else _norm_value(v))
    mapped = normalised.map(lambda v: spec.class_map.get(v, v if v in classes or v == "" else None))
    unmapped = sorted(set(normalised[mapped.isna()]))
    if issues is not None and ids is not None:  # lenient: one issue per feature, the class left empty
        for i in np.flatnonzero(mapped.isna().to_numpy()):
            issues.append(
                LoadIssue("unmapped_class", spec.kind, _label(spec), int(i), str(ids.iloc[i]), normalised.iloc[i])
            )
        if spec.kind in _CLASS_REQUIRED:
            for i in np.flatnonzero((normalised == "").to_numpy()):
                issues.append(LoadIssue("missing_class", spec.kind, _label(spec), int(i), str(ids.iloc[i])))
    elif unmapped:
        en = f"{spec.where}: field {spec.class_field!r} has value(s) {', '.join(map(repr, unmapped))} "
        zh = f"{spec.where}：字段 {spec.class_field!r} 中的取值 {'、'.join(map(repr, unmapped))} "
        en += f"that class_map does not map to a class of {spec.kind} ({', '.join(classes)}); add them to class_map"
        zh += f"没有被 class_map 映射为 {spec.kind} 的类别（{'、'.join(classes)}）；请把它们加入 class_map"
        problems.append(Bilingual(en, zh))
    return mapped.fillna("")


def _read_access_list(spec: LayerSpec, problems: list[str]) -> tuple[AccessList | None, str]:
    """Read the control units' access list as its bureau published it; return it and its fingerprint.

    The fingerprint covers the list and the reviewer's corrections beside it (they change findings).
    """
    if spec.access_list is None:
        return None, ""
    from redline.layers.access_tables import read_access_list, sidecar

    digest = fingerprint(spec.access_list) if Path(spec.access_list).is_file() else None
    try:
        access = read_access_list(
            spec.access_list,
            spec.access_list_columns or None,
            spec.access_list_sheets,
            corrections=spec.access_list_corrections,
            area_fields=spec.access_list_area_fields,
            digest=digest,
        )
    except RedlineError as exc:
        problems.append(Bilingual.of(exc, spec.where))
        return None, ""
    for problem in access.read_problems:
        if problem.check == "unknown_dimension":  # kept as a dimension of its own, but said
            warnings.warn(f"{spec.where}: {problem.message}", UserWarning, stacklevel=4)
    given = spec.access_list_corrections
    fixes = None if given is False else (Path(given) if given not in (None, True) else sidecar(spec.access_list))
    if fixes is not None and fixes.is_file():
        digest = f"{digest}+{fingerprint(fixes)}"
    return access, digest


def _open_source(spec: LayerSpec, problems: list[str]) -> tuple[VectorSource, str] | None:
    """Read the layer's source and its fingerprint; None (the problem appended) when it is unusable."""
    try:
        source, source_fp = _read_source(spec)
    except ManyLayersError as many:
        en = f"{spec.where}: the file holds {len(many.names)} layers ({_listing(many.names)}); "
        zh = f"{spec.where}：该文件含有 {len(many.names)} 个图层（{_listing(many.names)}）；"
        problems.append(Bilingual(en + "name the zone layer with `layer:`", zh + "请用 `layer:` 指定区域图层"))
        return None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        en = f"{spec.where}: cannot read {str(spec.path)!r}: {exc}; check the file and `layer`"
        problems.append(Bilingual(en, f"{spec.where}：无法读取 {str(spec.path)!r}：{exc}；请检查文件和 `layer`"))
        return None
    except UnicodeDecodeError as exc:
        en = f"{spec.where}: text fields are not {spec.encoding or 'UTF-8'} ({exc}); set `encoding:` (e.g. gbk)"
        zh = f"{spec.where}：文本字段不是 {spec.encoding or 'UTF-8'} 编码（{exc}）；请写 `encoding:`（如 gbk）"
        problems.append(Bilingual(en, zh))
        return None
    except RedlineError as exc:
        problems.append(Bilingual.of(exc, spec.where))
        return None
    if source.encoding.encoding is None and source.encoding.how == "unknown":
        en = f"{spec.where}: text encoding {source.encoding.note}"
        problems.append(Bilingual(en, f"{spec.where}：文字编码：{source.encoding.note}"))
        return None
    if source.gdf.empty:
        problems.append(Bilingual(f"{spec.where}: the layer has no features", f"{spec.where}：该图层没有要素"))
        return None
    return source, source_fp


def _zone_ids(
    values: pd.Series | None, gdf: gpd.GeoDataFrame, spec: LayerSpec, collect: list[LoadIssue] | None
) -> pd.Series:
    """Return the features' normalised ids: the id field's values, or ``kind-1``, ``kind-2`` ... without one."""
    if values is None:
        ids = pd.Series([f"{spec.kind}-{i + 1}" for i in range(len(gdf))], index=gdf.index)
    elif collect is not None:  # lenient: a missing id stays empty (and is reported)
        blank = _blank(values)
        ids = pd.Series(np.where(blank, "", values.map(lambda v: "" if v is None else _norm_value(v))), index=gdf.index)
        for i in np.flatnonzero(blank):
            collect.append(LoadIssue("missing_id", spec.kind, _label(spec), int(i), ""))
    else:
        ids = values
    return ids.map(_norm_value)


def _zone_fields(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[str], collect: list[LoadIssue] | None
) -> tuple[pd.Series, pd.Series | None, pd.Series]:
    """Read the id, name and class fields; return the zone ids, the names (None without) and the mapped classes."""
    ids = _field(gdf, spec, "id_field", problems)
    names = _field(gdf, spec, "name_field", problems)
    classes = _field(gdf, spec, "class_field", problems)
    ids = _zone_ids(ids, gdf, spec, collect)
    if classes is not None:
        zone_class = _classes(classes, spec, problems, ids if collect is not None else None, collect)
    else:
        zone_class = pd.Series("", index=gdf.index)
    return ids, names, zone_class


@contextmanager
def _datum_shifts_as_issues(spec: LayerSpec, collect: list[LoadIssue] | None) -> Iterator[None]:
    """Lenient reading: turn the warnings of the block (approximate datum shifts) into ``crs_datum`` issues."""
    if collect is None:
        yield
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        collect.append(LoadIssue("crs_datum", spec.kind, _label(spec), detail=str(w.message)))


def _standard_frame(
    gdf: gpd.GeoDataFrame, ids: pd.Series, names: pd.Series | None, zone_class: pd.Series
) -> gpd.GeoDataFrame:
    """Return the kept features with the standard columns first, then the source's other fields."""
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
    return out.rename_geometry("geometry") if out.geometry.name != "geometry" else out


def read_zone_layer(
    spec: LayerSpec,
    default_crs=None,
    problems: list[str] | None = None,
    *,
    near: tuple[float, float] | None = None,
    near_what: str = "the other layers of the set",
    collect: list[LoadIssue] | None = None,
) -> ZoneLayer | None:
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
    near : (lon, lat), optional
        Where the layer should be (the other layers, or the sites): used only to propose a
        central meridian when the source has no CRS.
    near_what : str
        What ``near`` is, for that proposal.
    collect : list of LoadIssue, optional
        Lenient reading (for validation): features with empty or invalid geometry, ids or classes
        that are missing or that ``class_map`` does not map are kept as they are (an unmapped
        class becomes ``""``; empty parts are dropped, as always), ``on_invalid`` is not applied,
        and each such problem is appended here as a :class:`LoadIssue`.  Problems that keep the
        whole layer from being read (file, fields, CRS) still go to ``problems``.

    Returns
    -------
    ZoneLayer or None
        None when the layer had a problem (listed in ``problems``).
    """
    own = problems if problems is not None else []
    n_before = len(own)
    opened = _open_source(spec, own)
    if opened is None:
        return None
    source, source_fp = opened
    gdf = source.gdf
    ids, names, zone_class = _zone_fields(gdf, spec, own, collect)
    if len(own) > n_before:
        return None
    dropped = _normalise_geometry(gdf, source.unclosed, source.closed)
    with _datum_shifts_as_issues(spec, collect):
        source_crs = _set_crs(gdf, spec, default_crs, own, near, near_what)
    if source_crs is None:
        return None
    if collect is None:
        gdf, repaired = _check_geometry(gdf, ids, spec, own, source.unclosed)
    else:
        _collect_geometry(gdf, ids, spec, np.asarray(source.unclosed, dtype=bool), collect, dropped)
        repaired = []
    if len(own) > n_before:
        return None
    out = _standard_frame(gdf, ids, names, zone_class)
    if collect is None:
        access, access_fp = _read_access_list(spec, own)
        if len(own) > n_before:
            return None
    else:  # lenient: a bad access list is reported, the zones are still validated
        found: list[str] = []
        access, access_fp = _read_access_list(spec, found)
        collect.extend(LoadIssue("layer_error", spec.kind, _label(spec), detail=p) for p in found)
    return ZoneLayer(
        kind=spec.kind,
        path=spec.path,
        source_label=spec.source_label,
        gdf=out.reset_index(drop=True),
        fingerprint=source_fp,
        source_crs=source_crs,
        layer=spec.layer,
        encoding=source.encoding.encoding,
        encoding_note=source.encoding.note,
        repaired=repaired,
        access_list=spec.access_list,
        access=access,
        access_fingerprint=access_fp,
        confidential=spec.confidential,
        coarsening=dict(spec.coarsening),
        sensitive_area=spec.sensitive_area,
    )
