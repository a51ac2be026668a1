"""Screening: sites and a layer set in, verdicts and findings out."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from redline._version import __version__
from redline.checks import options
from redline.checks.eia_sites import eia_columns
from redline.checks.engine.index import index_of, prepare_layer
from redline.checks.engine.spatial import site_measures, spatial_columns
from redline.checks.result import FINDING_COLUMNS, ScreeningResult
from redline.checks.site_notes import Coverage, site_notes
from redline.checks.site_places import distance_kinds, site_places
from redline.checks.sites.reader import parse_site_text, sites_from_geometries
from redline.layers.crs import crs_label as _crs_text
from redline.layers.crs import parse_crs
from redline.layers.layerset import TARGET_CRS, LayerSet
from redline.zones.access_list import Clause
from redline.zones.errors import RedlineError, SiteError
from redline.zones.kinds import kind_names
from redline.zones.outcome import Outcomes, site_verdicts
from redline.zones.project import make_project
from redline.zones.rules import Catalog
from redline.zones.tag_labels import tags_from_labels

__all__ = ["check_site", "screen_sites"]

_EXTRA_FINDING_COLUMNS = ["rule_title", "rule_text", "catalog", "matched_rules", "undecided_clauses", "explanation"]


_KIND_ORDER = {k: i for i, k in enumerate(kind_names())}

_GEOM_TYPES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}

_OUTCOME_FIELDS = (
    "verdict",
    "rule_id",
    "basis",
    "rule_title",
    "rule_text",
    "catalog",
    "matched_rules",
    "undecided_clauses",
    "explanation",
)


def _unit_clauses(layer, zone: int, zone_id: str, zone_class: str, touched_units: dict) -> list:
    """Return the access-list clauses that bind a touched unit, gathered once into ``touched_units``."""
    clauses = touched_units.get(zone_id)
    if clauses is None:
        fields = layer.gdf.iloc[zone].to_dict()
        clauses = touched_units.setdefault(zone_id, layer.access.for_unit(zone_id, zone_class, fields))
    return clauses


def _outcomes(raw, layer, zone_id, zone_class, project_codes, projects, outcomes: Outcomes, touched_units, places):
    """Decide every finding of one layer, asking :class:`~redline.zones.outcome.Outcomes` once per situation.

    Returns ``(group, table, ranks)``: each finding's row of ``table`` (one row of the
    :data:`_OUTCOME_FIELDS` per situation, an object array) and the rank of each finding's verdict.

    A finding's outcome depends on the project, the zone class, the relation, the distance band
    and, for a touched control unit with an access list, the unit and where the site lies among
    the other layers (``places``: site position -> place number, and the places; see
    :mod:`redline.checks.site_places`); findings are grouped on those (as integers: project code,
    class code, relation, band, zone index, place) and each group is decided once.  The clauses of
    each touched unit are gathered into ``touched_units`` for the reports.
    """
    relation, distance, zone_idx = raw["relation"], raw["distance_m"], raw["zone_idx"]
    band = outcomes.distance_bands(layer.kind, distance)
    n_bands = len(outcomes.distance_limits(layer.kind)) + 1
    index = index_of(layer)
    classes, n_classes = index.class_codes, index.n_classes
    touching = (relation == "inside") | (relation == "overlaps")
    relation_code = np.where(touching, (relation == "overlaps").astype(np.int64), 2)
    key = ((project_codes.astype(np.int64) * n_classes + classes[zone_idx]) * 3 + relation_code) * n_bands
    key += band
    access = layer.access
    codes, found_places = places or ({}, [])
    if access is not None:  # the touched unit matters too, and where the site lies
        place = np.array([codes.get(int(site), -1) for site in raw["site_idx"]], dtype=np.int64)
        key = pd.factorize(key)[0].astype(np.int64) * (index.n + 1) + np.where(touching, zone_idx + 1, 0)
        key = pd.factorize(key)[0].astype(np.int64) * (len(found_places) + 1) + np.where(touching, place + 1, 0)
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    decided = []
    for i in first:
        clauses, where = None, None
        if access is not None and touching[i]:
            clauses = _unit_clauses(layer, int(zone_idx[i]), zone_id[i], zone_class[i], touched_units)
            code = codes.get(int(raw["site_idx"][i]), -1)
            where = found_places[code] if code >= 0 else None
        outcome = outcomes.decide(
            layer.kind,
            zone_class[i],
            relation[i],
            distance[i],
            projects[project_codes[i]],
            clauses,
            access.source if access is not None else "",
            where,
        )
        decided.append(outcome)
    table = np.empty((len(decided), len(_OUTCOME_FIELDS)), dtype=object)
    for row, o in enumerate(decided):
        matched, undecided = ";".join(o.matched), ";".join(o.undecided)
        table[row] = (o.verdict, o.rule_id, o.basis, o.title, o.text, o.catalog, matched, undecided, o.explanation)
    group = group.ravel()
    return group, table, np.array([o.rank for o in decided], dtype=np.int64)[group]


_RELATIONS = np.array(["inside", "overlaps", "nearby"], dtype=object)


def _findings_frame(raw, layer_no, layer, idx, project_codes, projects, outcomes, touched_units, places=None) -> dict:
    """Turn one layer's raw spatial findings into numbers that say their columns, with verdicts decided.

    The text columns (site id, kind, zone, relation, rule) are only numbers here: ``_site_row``
    (the site's row), ``_layer`` (``layer_no``), ``_zone``, ``_relation`` (in :data:`_RELATIONS`)
    and ``_outcome`` (a row of ``table``, the decided outcomes); :func:`_findings_table` fills the
    text in once, at the end.  ``_rank`` (verdict rank) and ``_kind`` (the kind's display order)
    are there for sorting; ``geometry`` is None where no finding has any.
    """
    zone_idx, site_idx, relation = raw["zone_idx"], raw["site_idx"], raw["relation"]
    n = len(zone_idx)
    columns = index_of(layer).columns
    group, table, ranks = _outcomes(
        raw,
        layer,
        columns["zone_id"][zone_idx],
        columns["zone_class"][zone_idx],
        project_codes[site_idx],
        projects,
        outcomes,
        touched_units,
        places,
    )
    geometry = raw["geometry"]
    # a confidential (涉密) layer's geometry never leaves the process: not even the overlap
    if layer.confidential or shapely.is_missing(geometry).all():
        geometry = None
    return {
        "_site_row": idx[site_idx],
        "_rank": ranks,
        "_kind": np.full(n, _KIND_ORDER.get(layer.kind, len(_KIND_ORDER)), dtype=np.int64),
        "_layer": np.full(n, layer_no, dtype=np.int64),
        "_zone": zone_idx,
        "_relation": np.where(relation == "inside", 0, np.where(relation == "overlaps", 1, 2)),
        "_outcome": group,
        "overlap_area_m2": raw["overlap_area_m2"],
        "overlap_ratio": raw["overlap_ratio"],
        "overlap_length_m": raw["overlap_length_m"],
        "distance_m": raw["distance_m"],
        "geometry": geometry,
        "table": table,
    }


def _joined_findings(frames: list[dict]) -> dict:
    """Join findings of :func:`_findings_frame` (or of this): tables stacked, outcome rows renumbered."""
    offsets = np.cumsum([0] + [len(frame["table"]) for frame in frames])
    joined = {
        name: np.concatenate([frame[name] for frame in frames])
        for name in frames[0]
        if name not in ("geometry", "table", "_outcome")
    }
    joined["_outcome"] = np.concatenate(
        [frame["_outcome"] + offset for frame, offset in zip(frames, offsets[:-1], strict=True)]
    )
    joined["table"] = np.concatenate([frame["table"] for frame in frames])
    if all(frame["geometry"] is None for frame in frames):
        joined["geometry"] = None
    else:
        joined["geometry"] = np.concatenate(
            [
                np.full(len(frame["_zone"]), None, dtype=object) if frame["geometry"] is None else frame["geometry"]
                for frame in frames
            ]
        )
    return joined


def _sorted_part(frames: list[dict], layers: list) -> dict:
    """Join one chunk's per-layer findings, sorted by site row, verdict (worst first), kind, distance, zone id.

    Chunks are runs of consecutive sites, so chunks sorted on their own (in the screening threads)
    and joined in order are sorted as a whole.
    """
    columns = _joined_findings(frames)
    table = columns.pop("table")
    keys = (columns["distance_m"], columns.pop("_kind"), columns["_rank"], columns["_site_row"])
    order = np.lexsort(keys)
    # rows equal in all four keys (a site inside two zones of a kind, a polygon over many parcels)
    # are put in zone id order; only they are compared as text
    ranked = [key[order] for key in keys]
    tied = np.flatnonzero(np.logical_and.reduce([k[1:] == k[:-1] for k in ranked])) + 1 if len(order) > 1 else []
    if len(tied):
        members = np.union1d(tied - 1, tied)  # positions in sorted order that belong to a run of ties
        run = np.cumsum(~np.isin(members, tied))  # which run each belongs to
        rows = order[members]
        (zone_ids,) = _zone_texts(columns["_layer"][rows], columns["_zone"][rows], layers, ("zone_id",))
        # (as fixed-width text, which sorts many times faster than Python strings, in the same order)
        by_zone = np.lexsort((pd.Series(zone_ids, dtype=object).fillna("").to_numpy().astype(str), run))
        order[members] = rows[by_zone]
    part = {name: values[order] for name, values in columns.items() if values is not None}
    part["geometry"] = None if columns["geometry"] is None else columns["geometry"][order]
    part["table"] = table
    return part


def _zone_texts(layer_no: np.ndarray, zone: np.ndarray, layers: list, names: tuple[str, ...]) -> list[np.ndarray]:
    """Return columns ``names`` (zone_id, zone_name, zone_class) of zone ``zone[k]`` of layer ``layer_no[k]``."""
    out = [np.empty(len(zone), dtype=object) for _ in names]
    order = np.argsort(layer_no, kind="stable")
    bounds = np.searchsorted(layer_no[order], np.arange(len(layers) + 1))
    for k, layer in enumerate(layers):
        mine = order[bounds[k] : bounds[k + 1]]
        if len(mine):
            columns, zones = index_of(layer).columns, zone[mine]
            for values, name in zip(out, names, strict=True):
                values[mine] = columns[name][zones]
    return out


def _findings_table(
    parts: list[dict], layers: list, site_ids: np.ndarray
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """Join the chunks' sorted findings (:func:`_sorted_part`), in chunk order, and fill in their text.

    Returns the findings (with ``_site_row``), and the site row and verdict rank of each finding.
    """
    columns = _joined_findings(parts)
    rows, ranks, layer_no, zone = columns["_site_row"], columns["_rank"], columns["_layer"], columns["_zone"]
    table = columns["table"]
    geometry = columns["geometry"]
    if geometry is None:
        geometry = np.full(len(rows), None, dtype=object)
    kinds = np.array([layer.kind for layer in layers], dtype=object)
    zone_names = ("zone_id", "zone_name", "zone_class")
    texts = {
        "site_id": site_ids[rows],
        "kind": kinds[layer_no],
        **dict(zip(zone_names, _zone_texts(layer_no, zone, layers, zone_names), strict=True)),
        "relation": _RELATIONS[columns["_relation"]],
    }
    # object columns stay object: their strings are shared with the layer and the rule table,
    # where an Arrow string column would copy every one
    data = {"_site_row": rows}
    data.update({name: pd.Series(values, dtype=object, copy=False) for name, values in texts.items()})
    for name in ("overlap_area_m2", "overlap_ratio", "overlap_length_m", "distance_m"):
        data[name] = columns[name]
    for k, name in enumerate(_OUTCOME_FIELDS):
        data[name] = pd.Series(table[:, k][columns["_outcome"]], dtype=object, copy=False)
    frame = pd.DataFrame(data, copy=False)  # (not consolidated into 2-D blocks: that would copy every column)
    geometry = gpd.GeoSeries(geometry, crs=TARGET_CRS).values
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=TARGET_CRS, copy=False), rows, ranks


def _factorize_projects(objects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return a code per site and the distinct projects; sites usually share a few Project objects.

    Objects are told apart by identity first (cheap), and only the distinct ones are hashed.
    """
    ids = np.fromiter(map(id, objects), dtype=np.int64, count=len(objects))
    _, first, by_identity = np.unique(ids, return_index=True, return_inverse=True)
    codes, projects = pd.factorize(objects[first])
    return codes[by_identity.ravel()], np.asarray(projects, dtype=object)


def _own_objects(geoms: np.ndarray) -> np.ndarray:
    """Return ``geoms`` with every repeated geometry object replaced by a copy of its own.

    The engine prepares each site it screens, and a prepared geometry must not be used by two
    threads at once; chunks of distinct objects never share one.
    """
    ids = np.fromiter(map(id, geoms), dtype=np.int64, count=len(geoms))
    _, first = np.unique(ids, return_index=True)
    if len(first) == len(geoms):
        return geoms
    repeated = np.setdiff1d(np.arange(len(geoms)), first)
    geoms = geoms.copy()
    geoms[repeated] = shapely.from_wkb(shapely.to_wkb(geoms[repeated]))
    return geoms


def _default_workers() -> int:
    """Return ``REDLINE_WORKERS``, else the number of usable CPU cores, at most 4."""
    env = os.environ.get("REDLINE_WORKERS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cores))


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


class _CallbackBar:
    """Report ``(done, total)`` to a callable after each chunk (the service's job progress)."""

    def __init__(self, total: int, callback) -> None:
        self.total, self.done, self.callback = total, 0, callback
        callback(0, total)

    def update(self, n: int) -> None:
        self.done += n
        self.callback(self.done, self.total)

    def close(self) -> None:
        pass


def _progress_bar(total: int, progress):
    """Return a tqdm bar (sites, rate, ETA) on stderr, a callback reporter, or a silent stand-in."""
    if callable(progress):
        return _CallbackBar(total, progress)
    if not progress or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="site", desc="screening", mininterval=0.5, leave=False, smoothing=0.1)


def _empty_findings() -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype=object) for c in [*FINDING_COLUMNS, *_EXTRA_FINDING_COLUMNS]}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=TARGET_CRS), crs=TARGET_CRS)


def screen_sites(
    sites: gpd.GeoDataFrame,
    layerset: LayerSet,
    *,
    catalog: Catalog | None = None,
    buffer_m: float = 1000.0,
    lang: str = "zh",
    meta: dict | None = None,
    nearby: str = "nearest",
    chunk_size: int = 20_000,
    progress: bool | Callable[[int, int], None] = False,
    workers: int | None = None,
    overlap_geometry: bool = True,
) -> ScreeningResult:
    """Screen every site against every layer of ``layerset``.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        As returned by :func:`redline.checks.sites.reader.read_sites`: columns ``site_id``,
        ``status``, ``error``, ``project`` (a :class:`zones.project.Project`) and
        geometry in EPSG:4490.  Rows with ``status="error"`` are carried through.
    layerset : LayerSet
    catalog : Catalog, optional
        Rules in force; by default the national catalogue with the layer set's regional ones.
    buffer_m : float
        Zones within this many metres are reported as ``nearby``.
    lang : {"zh", "en"}
        Language of the rule texts in the findings.
    meta : dict, optional
        Extra run metadata (``input_crs``, ``source``) kept in the result.
    nearby : {"nearest", "all"}
        Of the zones only near a site, report the nearest of each kind and class
        (default; the verdict is the same) or every one.
    chunk_size : int
        Sites are screened this many at a time, which bounds the memory taken by
        candidate pairs.
    progress : bool or callable
        ``True`` shows a progress bar (sites, rate, ETA) on stderr; a callable is called as
        ``progress(done, total)`` at the start and after each chunk.
    workers : int, optional
        Threads screening chunks at once (GEOS releases the GIL); by default the number of CPU
        cores, at most 4 (``REDLINE_WORKERS`` overrides).  The result does not depend on it.
    overlap_geometry : bool
        Keep the geometry of each finding's overlap.  The overlap of a polygon site and a zone
        it partly covers is built only for this (its area is measured without it); outputs
        that draw or store no findings geometry (CSV, JSON, XLSX) pass False, and those
        findings then have none.  Areas and verdicts do not depend on it.

    Returns
    -------
    ScreeningResult

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> from redline.checks.sites.reader import sites_from_geometries
    >>> from shapely import Point
    >>> s = sites_from_geometries([Point(109.4015, 22.4923), Point(0, 0)], "EPSG:4490", industry="H6210")
    >>> screen_sites(s, load_layerset("sample")).sites["verdict"].tolist()
    ['prohibited', 'no_coverage']
    """
    buffer_m = options.buffer_m(buffer_m)
    chunk_size = options.chunk_size(chunk_size)
    nearby = options.nearby(nearby)
    lang = options.lang(lang)
    catalog = catalog or layerset.catalog()
    sites = sites.reset_index(drop=True)
    ok = (sites["status"] == "ok").to_numpy()
    coverage = Coverage(layerset, np.asarray(sites.geometry.array, dtype=object), ok)
    idx = np.flatnonzero(ok & (coverage.covered != 0))  # (a site wholly outside the coverage is not screened)
    geoms = _own_objects(np.asarray(sites.geometry.array, dtype=object)[idx])
    dims, area, length = site_measures(geoms)
    project_codes, projects = _factorize_projects(sites["project"].to_numpy()[idx])
    outcomes = Outcomes(catalog, lang)
    touched_units: dict[str, list[Clause]] = {}
    site_ids = sites["site_id"].to_numpy(dtype=object)

    points = bool(buffer_m > 0 and nearby == "nearest" and (shapely.get_type_id(geoms) == 0).any())
    for layer in layerset.layers:
        prepare_layer(layer, points=points)  # built once, before the threads share them

    layers = list(layerset.layers)
    lists = any(layer.access is not None for layer in layers)
    kinds, measured = frozenset(layerset.kinds), distance_kinds(layers)

    def screen_chunk(start: int) -> tuple[list[dict], int]:
        chunk = slice(start, start + step)
        raws = []
        for layer_no, layer in enumerate(layers):
            raw = spatial_columns(
                geoms[chunk], dims[chunk], area[chunk], length[chunk], layer, buffer_m, nearby, overlap_geometry
            )
            if len(raw["site_idx"]):
                raw["site_idx"] += start
                raws.append((layer_no, layer, raw))
        # where each site touching a unit with an access list lies among the other layers
        places = site_places([(layer, raw) for _, layer, raw in raws], kinds, buffer_m, measured) if lists else None
        found = [
            _findings_frame(raw, layer_no, layer, idx, project_codes, projects, outcomes, touched_units, places)
            for layer_no, layer, raw in raws
        ]
        return ([_sorted_part(found, layers)] if found else []), len(geoms[chunk])

    # GEOS releases the GIL in index queries and predicates, so chunks screen in parallel threads;
    # with several workers, a batch is split into at least four pieces per worker, so that they all
    # have work until the end
    workers = max(1, min(workers or _default_workers(), -(-len(idx) // 1_000) or 1))
    step = chunk_size if workers == 1 else max(1, min(chunk_size, -(-len(idx) // (4 * workers))))
    parts: list[dict] = []
    bar = _progress_bar(len(idx), progress)
    starts = range(0, len(idx), step)
    if workers == 1 or len(starts) == 1:
        results = map(screen_chunk, starts)
    else:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redline-screen")
        results = pool.map(screen_chunk, starts)
    try:
        for found, done in results:
            parts.extend(found)
            bar.update(done)
    finally:
        if workers > 1 and len(starts) > 1:
            pool.shutdown(cancel_futures=True)
    bar.close()
    n = len(sites)
    if parts:
        findings, rows, ranks = _findings_table(parts, layers, site_ids)
    else:
        findings = _empty_findings()
        findings["_site_row"] = pd.Series(dtype=int)
        rows = ranks = np.zeros(0, dtype=np.int64)
    counts = np.bincount(rows, minlength=n)
    out = sites.copy()
    out["n_findings"] = counts
    verdicts = site_verdicts(n, rows, ranks, covered=coverage.covered, layer_gaps=coverage.layer_gaps())
    out["verdict"] = np.where(ok, verdicts, "")
    out["note"] = site_notes(
        out["project"].to_numpy(), coverage.notes(out["verdict"].to_numpy(), lang), rows, findings, lang
    )
    type_names = np.array([_GEOM_TYPES.get(i, "") for i in range(-1, 8)], dtype=object)
    out["geom_type"] = type_names[shapely.get_type_id(out.geometry.array) + 1]
    out["site_area_m2"] = np.nan
    out["site_length_m"] = np.nan
    out.loc[idx, "site_area_m2"] = area
    out.loc[idx, "site_length_m"] = length
    findings = findings.drop(columns=["_site_row"])
    eia = eia_columns(out, findings, layerset, lang)
    for name, values in eia["columns"].items():
        out[name] = values
    run_meta = {
        "buffer_m": float(buffer_m),
        "tool_version": __version__,
        "created": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "lang": lang,
        "input_crs": "EPSG:4490",
        "source": "",
        "nearby": nearby,
    }
    run_meta["eia"] = eia["meta"]
    run_meta.update(meta or {})
    # (threads touch the units in no set order: listed by unit code)
    access_lists = dict(sorted(touched_units.items()))
    return ScreeningResult(out, findings, layerset, catalog, run_meta, access_lists=access_lists)


def check_site(
    site,
    layerset: LayerSet,
    *,
    industry=None,
    tags=None,
    action: str | None = None,
    buffer_m: float = 1000.0,
    crs: str | None = None,
    site_id: str = "site",
    catalog: Catalog | None = None,
    lang: str = "zh",
    nearby: str = "nearest",
    on_invalid: str = "raise",
    facts: Mapping[str, Any] | list[str] | str | None = None,
    project_name: str | None = None,
    builder: str | None = None,
    project_no: str | None = None,
) -> ScreeningResult:
    """Screen one site.

    Parameters
    ----------
    site : str or shapely geometry
        ``"lon,lat"``, WKT, or a geometry (in EPSG:4490 unless ``crs`` says otherwise).
    layerset : LayerSet
    industry : str or list of str, optional
        GB/T 4754-2017 codes or exact names.
    tags : str or list of str, optional
        Tags, or their Chinese labels (``排放废水``).
    action : {"new", "expand", "rebuild"}, optional
    buffer_m : float
    crs : str, optional
        CRS of the coordinates in ``site`` (text or geometry); by default CGCS2000/WGS84 lon/lat.
    site_id : str
    catalog : Catalog, optional
    lang : {"zh", "en"}
    nearby : {"nearest", "all"}
        See :func:`screen_sites`.
    on_invalid : {"raise", "warn", "fix"}
        An invalid polygon is refused (``raise``/``warn``) or repaired with ``make_valid`` (``fix``).
    facts : mapping or list of ``KEY=VALUE`` str, optional
        Project facts for the 名录 (``{"装机容量": "6万千瓦"}``): the site's EIA category reads them.
    project_name, builder, project_no : str, optional
        The project's name, 建设单位 and 项目编号, kept in the site's row (columns of the same names).

    Returns
    -------
    ScreeningResult
        With exactly one site row.

    Raises
    ------
    SiteError, RuleError
        For an unusable site, industry, tag, action or fact (one that is not KEY=VALUE).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> r = check_site("109.52,22.49", load_layerset("sample"), industry="C3360")
    >>> r.sites.loc[0, "verdict"] in ("prohibited", "restricted", "review", "clear")
    True
    >>> check_site("100.0,30.0", load_layerset("sample")).sites.loc[0, "verdict"]  # far outside the layers
    'no_coverage'
    >>> one = check_site("109.52,22.49", load_layerset("sample"), industry="A0313", tags="畜禽规模养殖",
    ...     facts={"年出栏生猪": "6000头"}, builder="某牧业公司")
    >>> one.sites.loc[0, ["tags", "builder", "eia_category"]].tolist()
    ['livestock', '某牧业公司', 'report']
    """
    tags = tags_from_labels(tags)
    make_project(industry, tags, action, facts)  # raises RuleError naming a bad industry, tag, action or fact
    if isinstance(site, str):
        try:
            geom, crs_label = parse_site_text(site, crs=crs, on_invalid=on_invalid, near=layerset.center())
        except RedlineError as exc:  # (parse_site_text calls the site `text`; here it is `site`)
            if exc.param != "text":
                raise
            raise type(exc)(exc.raw_message, param="site", value=site, zh=getattr(exc, "zh", None)) from None
        geom_crs = TARGET_CRS
    else:
        geom_crs = parse_crs(crs, param="crs") if crs else TARGET_CRS
        crs_label = geom_crs if isinstance(geom_crs, str) else _crs_text(geom_crs)
    sites = sites_from_geometries(
        [geom if isinstance(site, str) else site],
        geom_crs,
        industry=industry,
        tags=tags,
        action=action,
        facts=facts,
        project_name=project_name,
        builder=builder,
        project_no=project_no,
        site_ids=[site_id],
        labels=["site"],
        on_invalid=on_invalid,
    )
    if sites.loc[0, "status"] == "error":
        error = sites.loc[0, "error"]  # the row's error cell: English data, quoted under a Chinese lead-in
        value = site if isinstance(site, str) else site.wkt
        raise SiteError(error, param="site", value=value, zh=f"选址无法筛查：{error}")
    return screen_sites(
        sites,
        layerset,
        catalog=catalog,
        buffer_m=buffer_m,
        lang=lang,
        nearby=nearby,
        meta={"input_crs": crs_label, "source": site if isinstance(site, str) else site.wkt},
    )
