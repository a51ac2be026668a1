"""Re-screening after a layer update: which recorded projects now stand differently.

When zones change (分区管控 adjusted, a red line corrected, farmland re-surveyed) a bureau takes the
latest recorded version of every site from its register and screens it against the new layer
set, with the buffer and nearby mode its run used.  :func:`rescreen` compares each site's new
verdict and findings with those recorded, and returns:

- ``changes``: one row per site whose verdict changed (:data:`CHANGE_COLUMNS`, written as
  ``changes.csv``): the old and new verdict, the run that recorded the old one, the kinds whose
  findings changed and the zones added, dropped or changed among the site's findings;
- the number of sites whose verdict is unchanged (and of those whose findings changed all the same);
- the data for ``changes.html`` (:meth:`Rescreen.page_data`): the changed sites and, for each,
  the zone changes behind it, with the old and new outline of every zone of a public layer.
  A confidential (涉密) layer's geometry never leaves: its zones are named, never drawn.

Given the old layer set too, the zone changes say how each zone changed
(:func:`redline.layers.diff.diff_layersets`: added, removed, reshaped with the area change,
reclassed) and the page draws the old outlines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from redline.checks.screen import screen_sites
from redline.layers.diff import diff_layersets
from redline.layers.layerset import TARGET_CRS, LayerSet, _id_text
from redline.zones.kinds import kind_names

if TYPE_CHECKING:
    from redline.checks.register.base import Register
    from redline.checks.result import ScreeningResult
    from redline.zones.rules import Catalog

__all__ = ["CHANGE_COLUMNS", "Rescreen", "rescreen"]

#: Columns of ``changes.csv``: the contract ones, then the zones behind the change and the site's name.
CHANGE_COLUMNS: list[str] = [
    "site_id",
    "old_verdict",
    "new_verdict",
    "old_run",
    "changed_kinds",
    "zones_added",
    "zones_dropped",
    "zones_changed",
    "name",
    "old_recorded",
]

#: What a finding is compared on (the zone is its key with the site).
_COMPARED = ["relation", "verdict", "rule_id"]
_DEFAULT_BUFFER_M = 1000.0
_KIND_ORDER = {k: i for i, k in enumerate(kind_names())}


@dataclass
class Rescreen:
    """The outcome of :func:`rescreen`.

    Attributes
    ----------
    changes : pandas.DataFrame
        One row per site whose verdict changed, with :data:`CHANGE_COLUMNS`; zones are listed as
        ``kind:zone_id`` joined by ``;``.
    unchanged : int
        Sites whose verdict did not change.
    findings_changed : int
        Of those, the sites whose findings changed all the same (a zone added, dropped or changed).
    zone_changes : pandas.DataFrame
        Per changed site and zone: ``site_id``, ``kind``, ``zone_id``, ``zone_name``, ``finding``
        (added, dropped, changed), ``old_relation``, ``new_relation``, ``old_verdict``,
        ``new_verdict``, and ``layer_change`` (added, removed, reshaped, reclassed or unchanged as
        the layer diff says; empty without the old layer set) with ``area_change_m2`` and
        ``area_change_ha``.
    sites : geopandas.GeoDataFrame
        The re-screened sites: as recorded (:meth:`Register.latest_sites`) with ``new_verdict``.
    results : list of ScreeningResult
        The new screenings (one per buffer and nearby mode the recorded runs used).
    layerset, old_layerset : LayerSet
        The new layer set, and the old one when given.
    layer_diff : pandas.DataFrame or None
        :func:`~redline.layers.diff.diff_layersets` of the two, when the old one is given.

    Examples
    --------
    See :func:`rescreen`; ``rescreen(...).write_csv("changes.csv")`` and
    ``rescreen(...).write_html("changes.html")`` write the two outputs:

    >>> CHANGE_COLUMNS[:5]
    ['site_id', 'old_verdict', 'new_verdict', 'old_run', 'changed_kinds']
    """

    changes: pd.DataFrame
    unchanged: int
    findings_changed: int
    zone_changes: pd.DataFrame
    sites: gpd.GeoDataFrame
    results: list[ScreeningResult]
    layerset: LayerSet
    old_layerset: LayerSet | None = None
    layer_diff: pd.DataFrame | None = field(default=None, repr=False)

    def write_csv(self, path: str | Path) -> Path:
        """Write ``changes.csv`` (UTF-8 with BOM, as the other CSV outputs); return its path."""
        path = Path(path)
        self.changes.to_csv(path, index=False, encoding="utf-8-sig")
        return path

    def page_data(self) -> dict[str, Any]:
        """Return what ``changes.html`` shows: counts, and per changed site its zones with their outlines.

        Outlines are shapely geometries (EPSG:4490) of zones of public layers only: for a zone of a
        confidential layer both are None, whatever the layer diff holds.
        """
        from redline.checks.register.changes_html import page_data

        return page_data(self)

    def write_html(self, path: str | Path, *, lang: str = "zh") -> Path:
        """Write ``changes.html``: a self-contained page (Leaflet inline) mapping the changed sites."""
        from redline.checks.register.changes_html import write_changes_html

        return write_changes_html(self.page_data(), path, lang=lang)


def layerset_of(value: LayerSet | str | Path) -> LayerSet:
    """Return a loaded layer set (loading a manifest, folder or ``sample`` given instead)."""
    if isinstance(value, LayerSet):
        return value
    from redline.layers import load_layerset

    return load_layerset(value)


def _token(kind: Any, zone_id: Any) -> str:
    return f"{kind}:{_id_text(zone_id)}"


def _keyed(findings: pd.DataFrame) -> pd.DataFrame:
    """Return findings indexed by (site_id, kind, zone_id), one row per key (the worst, listed first)."""
    frame = findings[["site_id", "kind", "zone_id", "zone_name", *_COMPARED]].copy()
    frame["zone_id"] = frame["zone_id"].map(_id_text)
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.drop_duplicates(["site_id", "kind", "zone_id"]).set_index(["site_id", "kind", "zone_id"])


def _compare(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (site, kind, zone) whose finding was added, dropped or changed."""
    before, after = _keyed(old), _keyed(new)
    keys = before.index.union(after.index)
    a, b = before.reindex(keys), after.reindex(keys)
    in_old, in_new = keys.isin(before.index), keys.isin(after.index)
    differs = np.zeros(len(keys), dtype=bool)
    for column in _COMPARED:
        differs |= (a[column].fillna("").to_numpy(object) != b[column].fillna("").to_numpy(object)) & in_old & in_new
    finding = np.select([in_new & ~in_old, in_old & ~in_new, differs], ["added", "dropped", "changed"], "")
    out = pd.DataFrame(
        {
            "site_id": keys.get_level_values(0).to_numpy(object),
            "kind": keys.get_level_values(1).to_numpy(object),
            "zone_id": keys.get_level_values(2).to_numpy(object),
            "zone_name": b["zone_name"].fillna(a["zone_name"]).fillna("").to_numpy(object),
            "finding": finding,
            "old_relation": a["relation"].fillna("").to_numpy(object),
            "new_relation": b["relation"].fillna("").to_numpy(object),
            "old_verdict": a["verdict"].fillna("").to_numpy(object),
            "new_verdict": b["verdict"].fillna("").to_numpy(object),
        }
    )
    return out[out["finding"] != ""].reset_index(drop=True)


def _screen_groups(
    sites: gpd.GeoDataFrame, layerset: LayerSet, catalog: Catalog | None, workers: int | None
) -> list[ScreeningResult]:
    """Screen the sites with the buffer and nearby mode of the run that recorded each."""
    buffers = pd.to_numeric(sites["buffer_m"], errors="coerce").fillna(_DEFAULT_BUFFER_M)
    nearby = sites["nearby"].where(sites["nearby"].isin(["nearest", "all"]), "nearest")
    results = []
    for (buffer_m, mode), group in sites.groupby([buffers, nearby], sort=True):
        part = gpd.GeoDataFrame(group.reset_index(drop=True), geometry="geometry", crs=TARGET_CRS)
        results.append(
            screen_sites(
                part,
                layerset,
                catalog=catalog,
                buffer_m=float(buffer_m),
                nearby=str(mode),
                workers=workers,
                overlap_geometry=False,
                meta={"source": "register re-screen"},
            )
        )
    return results


def _sorted_kinds(kinds: Any) -> str:
    return ";".join(sorted(set(kinds), key=lambda k: (_KIND_ORDER.get(k, len(_KIND_ORDER)), k)))


def _zone_list(zones: pd.DataFrame, finding: str) -> pd.Series:
    part = zones[zones["finding"] == finding]
    return part.groupby("site_id")["token"].agg(";".join)


def _per_site(ids: pd.Series, texts: pd.Series) -> np.ndarray:
    """Return each site's text from ``texts`` (indexed by site id), empty where it has none."""
    found = dict(zip(texts.index, texts.to_numpy(object), strict=True))
    return np.array([found.get(i, "") for i in ids], dtype=object)


def _with_layer_change(zones: pd.DataFrame, layer_diff: pd.DataFrame | None) -> pd.DataFrame:
    zones = zones.copy()
    if layer_diff is None:
        zones["layer_change"] = ""
        zones["area_change_m2"] = np.nan
        zones["area_change_ha"] = np.nan
        return zones
    diff = layer_diff.set_index(["kind", "zone_id"])[["change", "area_change_m2", "area_change_ha"]]
    joined = zones.join(diff, on=["kind", "zone_id"])
    zones["layer_change"] = joined["change"].fillna("unchanged").to_numpy(object)
    zones["area_change_m2"] = joined["area_change_m2"].to_numpy(float)
    zones["area_change_ha"] = joined["area_change_ha"].to_numpy(float)
    return zones


def rescreen(
    register: Register,
    layerset: LayerSet | str | Path,
    *,
    since: date | None = None,
    old_layerset: LayerSet | str | Path | None = None,
    catalog: Catalog | None = None,
    workers: int | None = None,
) -> Rescreen:
    """Screen the latest recorded version of every site against ``layerset``; list the verdicts that changed.

    Parameters
    ----------
    register : Register
        The register (:func:`~redline.checks.register.open_register`).
    layerset : LayerSet or str or Path
        The new layer set (or its manifest, folder, or ``sample``).
    since : datetime.date, optional
        Only sites whose latest version was recorded on or after this day (Beijing time).
    old_layerset : LayerSet or str or Path, optional
        The layer set the sites were screened against, for how each zone changed and its old outline.
    catalog : Catalog, optional
        Rules in force; by default the new layer set's (national plus its regional catalogues).
    workers : int, optional
        Screening threads (see :func:`~redline.checks.screen.screen_sites`).

    Returns
    -------
    Rescreen
        Nothing is recorded: record ``rescreen(...).results`` with :meth:`Register.record` to keep them.

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> import geopandas as gpd
    >>> from redline.checks import check_site
    >>> from redline.checks.register import open_register
    >>> from redline.layers import load_layerset, sample_dir
    >>> old = load_layerset("sample")
    >>> register = open_register(pathlib.Path(tempfile.mkdtemp()) / "register.gpkg")
    >>> _ = register.record(check_site("109.4015,22.4923", old, industry="H6210"), command="redline check")
    >>> folder = shutil.copytree(sample_dir(), pathlib.Path(tempfile.mkdtemp()) / "layers")  # the new layers:
    >>> zones = gpd.read_file(folder / "water_source.gpkg", layer="zones")
    >>> zones[zones["SYDBH"] != "SY450721-WL-1"].to_file(folder / "water_source.gpkg", layer="zones")  # a zone dropped
    >>> out = rescreen(register, load_layerset(folder), old_layerset=old)
    >>> out.changes[["site_id", "old_verdict", "new_verdict", "zones_dropped"]].values.tolist()
    [['site', 'prohibited', 'review', 'water_source:SY450721-WL-1']]
    >>> out.zone_changes["layer_change"].tolist(), out.unchanged
    (['removed'], 0)
    """
    new_ls = layerset_of(layerset)
    old_ls = layerset_of(old_layerset) if old_layerset is not None else None
    sites = register.latest_sites(since)
    old_findings = register.latest_findings(since)
    results = _screen_groups(sites, new_ls, catalog, workers) if len(sites) else []
    new_verdicts = pd.concat([r.sites.set_index("site_id")["verdict"] for r in results]) if results else pd.Series()
    new_findings = pd.concat([r.findings for r in results], ignore_index=True) if results else old_findings.iloc[:0]
    sites = sites.assign(new_verdict=sites["site_id"].map(new_verdicts).fillna("").to_numpy(object))
    zones = _compare(old_findings, new_findings)
    zones["token"] = [_token(k, z) for k, z in zip(zones["kind"], zones["zone_id"], strict=True)]
    changed = sites[sites["recorded_verdict"] != sites["new_verdict"]]
    touched = set(zones["site_id"])
    layer_diff = diff_layersets(old_ls, new_ls) if old_ls is not None else None
    ids = changed["site_id"]
    changes = pd.DataFrame(
        {
            "site_id": ids.to_numpy(object),
            "old_verdict": changed["recorded_verdict"].to_numpy(object),
            "new_verdict": changed["new_verdict"].to_numpy(object),
            "old_run": changed["run_id"].astype("int64").to_numpy(),
            "changed_kinds": _per_site(ids, zones.groupby("site_id")["kind"].agg(_sorted_kinds)),
            "zones_added": _per_site(ids, _zone_list(zones, "added")),
            "zones_dropped": _per_site(ids, _zone_list(zones, "dropped")),
            "zones_changed": _per_site(ids, _zone_list(zones, "changed")),
            "name": changed["name"].fillna("").to_numpy(object),
            "old_recorded": changed["recorded"].to_numpy(object),
        },
        columns=CHANGE_COLUMNS,
    )
    same = sites[sites["recorded_verdict"] == sites["new_verdict"]]
    zone_changes = _with_layer_change(zones[zones["site_id"].isin(set(ids))].drop(columns="token"), layer_diff)
    return Rescreen(
        changes=changes.reset_index(drop=True),
        unchanged=len(same),
        findings_changed=int(same["site_id"].isin(touched).sum()),
        zone_changes=zone_changes.reset_index(drop=True),
        sites=sites,
        results=results,
        layerset=new_ls,
        old_layerset=old_ls,
        layer_diff=layer_diff,
    )
