"""Screening: sites and a layer set in, verdicts and findings out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from checks._version import __version__
from checks.engine import site_measures, spatial_findings
from checks.result import FINDING_COLUMNS, ScreeningResult
from checks.sites import parse_site_text, sites_from_geometries
from layers.layerset import TARGET_CRS, LayerSet
from zones.access_list import Clause
from zones.errors import SiteError
from zones.evaluate import Decision, evaluate, kind_basis
from zones.kinds import kind_names
from zones.project import Project, make_project
from zones.rules import Catalog
from zones.verdicts import VERDICTS, rank

__all__ = ["check_site", "screen_sites"]

_EXTRA_FINDING_COLUMNS = ["rule_title", "rule_text", "catalog", "matched_rules"]


class _Evaluator:
    """Evaluate findings with a memo: most findings repeat the same (kind, class, relation, project)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.distance_matters = {
            k: any(r.max_distance_m is not None for r in catalog.for_kind(k)) for k in kind_names()
        }
        self.memo: dict[tuple, Decision] = {}

    def __call__(self, kind: str, zone_class: str, relation: str, project: Project, distance: float) -> Decision:
        key = (kind, zone_class, relation, project, distance if self.distance_matters.get(kind, True) else None)
        decision = self.memo.get(key)
        if decision is None:
            decision = evaluate(self.catalog, kind, zone_class, relation, project, distance)
            self.memo[key] = decision
        return decision


_GEOM_TYPES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}

_OUTCOME_FIELDS = ("verdict", "rule_id", "basis", "rule_title", "rule_text", "catalog", "matched_rules")


def _outcome(
    evaluator: _Evaluator,
    layer,
    zone_id: str,
    zone_class: str,
    relation: str,
    project: Project,
    distance: float,
    lang: str,
    touched_units: dict[str, list[Clause]],
) -> tuple[str, str, str, str, str, str, str]:
    """Decide one finding from the catalogue and, for control units, the unit's access list.

    A matched structured clause wins over a national rule of the same verdict (it is
    the more specific text); unstructured clauses count as ``review``.
    """
    decision = evaluator(layer.kind, zone_class, relation, project, distance)
    rule = decision.rule
    best = (
        rank(decision.verdict),
        1,
        decision.verdict,
        decision.rule_id,
        decision.basis or kind_basis(layer.kind),
        (rule.title_en if lang == "en" and rule.title_en else rule.title_zh) if rule else "",
        rule.text(lang) if rule else "",
        rule.catalog if rule else "",
    )
    matched = [r.code for r in decision.matched]
    access = getattr(layer, "access", None)
    if access is not None and relation in ("inside", "overlaps"):
        clauses = access.for_unit(zone_id, zone_class)
        touched_units.setdefault(zone_id, clauses)
        hits = [c for c in clauses if c.applies_to_project(project)]
        matched += [c.clause_id for c in hits]
        options = [(rank(c.verdict), 0, c) for c in hits]
        loose = [c for c in clauses if not c.structured]
        if loose:
            options.append((rank("review"), 2, loose[0]))
        for r, order, clause in options:
            if (r, order) < best[:2]:
                verdict = clause.verdict or "review"
                best = (r, order, verdict, clause.clause_id, clause.text, clause.dimension, clause.text, access.source)
    return (*best[2:], ";".join(matched))


def _findings_frame(raw, layer, sites, idx, projects, evaluator, lang, touched_units) -> pd.DataFrame:
    """Turn one layer's raw spatial findings into finding rows with verdicts and rules."""
    zones = layer.gdf.iloc[raw["zone_idx"].to_numpy()]
    zone_class = zones["zone_class"].to_numpy()
    outcomes = [
        _outcome(evaluator, layer, zid, zc, rel, projects[s], dist, lang, touched_units)
        for zid, zc, rel, s, dist in zip(
            zones["zone_id"], zone_class, raw["relation"], raw["site_idx"], raw["distance_m"], strict=True
        )
    ]
    columns = dict(zip(_OUTCOME_FIELDS, zip(*outcomes, strict=True), strict=True))
    rows = idx[raw["site_idx"].to_numpy()]
    return pd.DataFrame(
        {
            "_site_row": rows,
            "site_id": sites["site_id"].to_numpy()[rows],
            "kind": layer.kind,
            "zone_id": zones["zone_id"].to_numpy(),
            "zone_name": zones["zone_name"].to_numpy(),
            "zone_class": zone_class,
            "relation": raw["relation"].to_numpy(),
            "overlap_area_m2": raw["overlap_area_m2"].to_numpy(),
            "overlap_ratio": raw["overlap_ratio"].to_numpy(),
            "overlap_length_m": raw["overlap_length_m"].to_numpy(),
            "distance_m": raw["distance_m"].to_numpy(),
            **{name: list(values) for name, values in columns.items()},
            # a confidential (涉密) layer's geometry never leaves the process: not even the overlap
            "geometry": np.full(len(raw), None, dtype=object) if layer.confidential else raw["geometry"].to_numpy(),
        }
    )


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
) -> ScreeningResult:
    """Screen every site against every layer of ``layerset``.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        As returned by :func:`checks.sites.read_sites`: columns ``site_id``,
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

    Returns
    -------
    ScreeningResult

    Examples
    --------
    >>> from layers import load_layerset
    >>> from checks.sites import sites_from_geometries
    >>> from shapely import Point
    >>> s = sites_from_geometries([Point(0, 0)], "EPSG:4490")
    >>> screen_sites(s, load_layerset("sample")).sites["verdict"].tolist()
    ['clear']
    """
    if buffer_m < 0:
        raise ValueError(f"buffer_m must be >= 0, got {buffer_m}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    if nearby not in ("nearest", "all"):
        raise ValueError(f"nearby must be 'nearest' or 'all', got {nearby!r}")
    catalog = catalog or layerset.catalog()
    sites = sites.reset_index(drop=True)
    ok = (sites["status"] == "ok").to_numpy()
    idx = np.flatnonzero(ok)
    geoms = np.asarray(sites.geometry.array, dtype=object)[idx]
    dims, area, length = site_measures(geoms)
    projects = sites["project"].to_numpy()[idx]
    evaluator = _Evaluator(catalog)
    touched_units: dict[str, list[Clause]] = {}

    parts = []
    bar = _progress_bar(len(idx), progress)
    for start in range(0, len(idx), chunk_size):
        chunk = slice(start, start + chunk_size)
        for layer in layerset.layers:
            raw = spatial_findings(geoms[chunk], dims[chunk], area[chunk], length[chunk], layer, buffer_m, nearby)
            if raw.empty:
                continue
            raw["site_idx"] += start
            parts.append(_findings_frame(raw, layer, sites, idx, projects, evaluator, lang, touched_units))
        bar.update(len(geoms[chunk]))
    bar.close()
    if parts:
        findings = pd.concat(parts, ignore_index=True)
        kind_order = {k: i for i, k in enumerate(kind_names())}
        findings["_rank"] = findings["verdict"].map(rank)
        findings["_kind"] = findings["kind"].map(lambda k: kind_order.get(k, 99))
        findings = findings.sort_values(["_site_row", "_rank", "_kind", "distance_m", "zone_id"], kind="stable")
        findings = gpd.GeoDataFrame(
            findings.drop(columns=["_rank", "_kind"]).reset_index(drop=True),
            geometry=gpd.GeoSeries(findings["geometry"].to_numpy(), crs=TARGET_CRS),
            crs=TARGET_CRS,
        )
    else:
        findings = _empty_findings()
        findings["_site_row"] = pd.Series(dtype=int)

    n = len(sites)
    rows = findings["_site_row"].to_numpy(dtype=np.int64)
    counts = np.bincount(rows, minlength=n)
    best = np.full(n, rank("clear"))
    if len(rows):
        np.minimum.at(best, rows, findings["verdict"].map(rank).to_numpy(dtype=np.int64))
    out = sites.copy()
    out["n_findings"] = counts
    out["verdict"] = np.where(ok, np.asarray(VERDICTS, dtype=object)[best], "")
    out["geom_type"] = pd.Series(shapely.get_type_id(out.geometry.array), index=out.index).map(_GEOM_TYPES).fillna("")
    out["site_area_m2"] = np.nan
    out["site_length_m"] = np.nan
    out.loc[idx, "site_area_m2"] = area
    out.loc[idx, "site_length_m"] = length
    findings = findings.drop(columns=["_site_row"])
    run_meta = {
        "buffer_m": float(buffer_m),
        "tool_version": __version__,
        "created": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "lang": lang,
        "input_crs": "EPSG:4490",
        "source": "",
        "nearby": nearby,
    }
    run_meta.update(meta or {})
    return ScreeningResult(out, findings, layerset, catalog, run_meta, access_lists=touched_units)


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
) -> ScreeningResult:
    """Screen one site.

    Parameters
    ----------
    site : str or shapely geometry
        ``"lon,lat"``, WKT, or a geometry in EPSG:4490.
    layerset : LayerSet
    industry : str or list of str, optional
        GB/T 4754-2017 codes or exact names.
    tags : str or list of str, optional
    action : {"new", "expand", "rebuild"}, optional
    buffer_m : float
    crs : str, optional
        CRS of the coordinates in ``site`` when it is text.
    site_id : str
    catalog : Catalog, optional
    lang : {"zh", "en"}
    nearby : {"nearest", "all"}
        See :func:`screen_sites`.
    on_invalid : {"raise", "warn", "fix"}
        An invalid polygon is refused (``raise``/``warn``) or repaired with ``make_valid`` (``fix``).

    Returns
    -------
    ScreeningResult
        With exactly one site row.

    Raises
    ------
    SiteError, RuleError
        For an unusable site, industry, tag or action.

    Examples
    --------
    >>> from layers import load_layerset
    >>> r = check_site("100.0,30.0", load_layerset("sample"), industry="C3360")
    >>> r.sites.loc[0, "verdict"]
    'clear'
    """
    make_project(industry, tags, action)  # raises RuleError naming a bad industry, tag or action
    if isinstance(site, str):
        geom, crs_label = parse_site_text(site, crs=crs, on_invalid=on_invalid, near=layerset.center())
    else:
        geom, crs_label = site, "EPSG:4490"
    sites = sites_from_geometries([geom], TARGET_CRS, industry=industry, tags=tags, action=action, site_ids=[site_id])
    if sites.loc[0, "status"] == "error":
        raise SiteError(sites.loc[0, "error"].replace("row 1: ", "site: "))
    return screen_sites(
        sites,
        layerset,
        catalog=catalog,
        buffer_m=buffer_m,
        lang=lang,
        nearby=nearby,
        meta={"input_crs": crs_label, "source": site if isinstance(site, str) else site.wkt},
    )
