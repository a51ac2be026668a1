"""``changes.html``: the sites whose verdict changed after a layer update, on a map, with the zone changes behind them.

One self-contained page (Leaflet written inline, see :mod:`redline.maps._assets`; only the base
map tiles need the network): the changed sites coloured by their new verdict, the old outline
(dashed grey) and the new outline of every zone behind a change, and a panel listing each site's
old and new verdict and its zone changes.  Zones of a confidential (涉密) layer are named but never
drawn: their outlines are not looked up at all.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from redline.layers.layerset import LayerSet, _id_text
from redline.zones.labels import confidential_note, kind_label, relation_label, verdict_text

if TYPE_CHECKING:
    from redline.checks.register.rescreen import Rescreen

__all__ = ["page_data", "write_changes_html"]

_TEXT = {
    "title": ("图层更新后的复核：研判结论变化的项目", "Re-screening after a layer update: sites whose verdict changed"),
    "counts": (
        "结论变化 {changed} 个；结论未变 {unchanged} 个（其中 {findings} 个的涉及区域有变化）",
        "{changed} changed; {unchanged} unchanged ({findings} of them with changed findings)",
    ),
    "layers": ("新图层：{new}；原图层：{old}", "new layers: {new}; old layers: {old}"),
    "unknown": ("（未提供）", "(not given)"),
    "run": ("原记录：第 {run} 次运行，{when}", "recorded by run {run}, {when}"),
    "added": ("新涉及", "now found"),
    "dropped": ("不再涉及", "no longer found"),
    "changed": ("关系或结论变化", "relation or verdict changed"),
    "layer.added": ("图层新增该区域", "zone added to the layer"),
    "layer.removed": ("图层删除该区域", "zone removed from the layer"),
    "layer.reshaped": ("边界调整 {ha} 公顷", "boundary redrawn, {ha} ha"),
    "layer.reclassed": ("级别/类别调整", "class changed"),
    "layer.unchanged": ("该区域本身未变", "the zone itself did not change"),
    "old_outline": ("原边界", "old outline"),
    "new_outline": ("新边界", "new outline"),
    "sites": ("结论变化的项目", "sites whose verdict changed"),
    "none": ("没有项目的研判结论发生变化。", "No site's verdict changed."),
}
_OLD_STYLE = {"color": "#566573", "weight": 2, "dashArray": "6 4", "fill": False}


def _s(key: str, lang: str, **fmt: Any) -> str:
    text = _TEXT[key][0 if lang == "zh" else 1]
    return text.format(**fmt) if fmt else text


def _outlines(layerset: LayerSet | None, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """Return the outline of each wanted (kind, zone id) found in the PUBLIC layers of ``layerset``."""
    if layerset is None or not keys:
        return {}
    found: dict[tuple[str, str], list] = {}
    for layer in layerset.layers:
        if layer.confidential:  # a confidential (涉密) layer's geometry never leaves the process
            continue
        ids = np.array([_id_text(z) for z in layer.gdf["zone_id"].to_numpy()], dtype=object)
        wanted = np.array([(layer.kind, z) in keys for z in ids], dtype=bool)
        geoms = np.asarray(layer.gdf.geometry.array, dtype=object)
        for i in np.flatnonzero(wanted):
            found.setdefault((layer.kind, ids[i]), []).append(geoms[i])
    return {k: v[0] if len(v) == 1 else shapely.union_all(v) for k, v in found.items()}


def _secret(layerset: LayerSet | None, kinds: list[str], ids: list[str]) -> np.ndarray:
    if layerset is None or not kinds:
        return np.zeros(len(kinds), dtype=bool)
    return layerset.confidential_mask(kinds, ids)


def _number(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def page_data(outcome: Rescreen) -> dict[str, Any]:
    """Return what ``changes.html`` shows (see :meth:`~redline.checks.register.rescreen.Rescreen.page_data`).

    Returns
    -------
    dict
        ``layerset``, ``old_layerset`` (names; None when not given), ``illustrative``, the counts
        ``changed``, ``unchanged`` and ``findings_changed``, ``confidential_kinds`` among the zones
        listed, and ``sites``: per changed site ``site_id``, ``name``, ``old_verdict``,
        ``new_verdict``, ``old_run``, ``old_recorded``, ``geometry`` and ``zones`` (each with
        ``kind``, ``zone_id``, ``zone_name``, ``finding``, relations and verdicts old and new,
        ``layer_change``, ``area_change_m2``, ``area_change_ha``, ``confidential``, ``old_outline``
        and ``new_outline``: None for confidential zones, and for a side that has no such zone).
    """
    zones = outcome.zone_changes
    kinds, ids = zones["kind"].tolist(), [_id_text(z) for z in zones["zone_id"]]
    secret = _secret(outcome.layerset, kinds, ids) | _secret(outcome.old_layerset, kinds, ids)
    public = {(k, z) for k, z, s in zip(kinds, ids, secret, strict=True) if not s}
    old_outlines = _outlines(outcome.old_layerset, public)
    new_outlines = _outlines(outcome.layerset, public)
    per_site: dict[str, list[dict[str, Any]]] = {}
    for row, key, is_secret in zip(zones.to_dict("records"), zip(kinds, ids, strict=True), secret, strict=True):
        entry = {k: row[k] for k in ("kind", "zone_name", "finding", "old_relation", "new_relation")}
        entry.update({k: row[k] for k in ("old_verdict", "new_verdict", "layer_change")})
        entry["zone_id"] = key[1]
        entry["area_change_m2"] = _number(row["area_change_m2"])
        entry["area_change_ha"] = _number(row["area_change_ha"])
        entry["confidential"] = bool(is_secret)
        entry["old_outline"] = None if is_secret else old_outlines.get(key)
        entry["new_outline"] = None if is_secret else new_outlines.get(key)
        per_site.setdefault(row["site_id"], []).append(entry)
    geometry = dict(zip(outcome.sites["site_id"], outcome.sites.geometry, strict=True))
    sites = []
    for row in outcome.changes.to_dict("records"):
        sites.append(
            {
                **{k: row[k] for k in ("site_id", "name", "old_verdict", "new_verdict", "old_recorded")},
                "old_run": int(row["old_run"]),
                "geometry": geometry.get(row["site_id"]),
                "zones": per_site.get(row["site_id"], []),
            }
        )
    return {
        "layerset": outcome.layerset.name,
        "old_layerset": outcome.old_layerset.name if outcome.old_layerset is not None else None,
        "illustrative": bool(outcome.layerset.illustrative),
        "changed": len(outcome.changes),
        "unchanged": int(outcome.unchanged),
        "findings_changed": int(outcome.findings_changed),
        "confidential_kinds": sorted({k for k, s in zip(kinds, secret, strict=True) if s}),
        "sites": sites,
    }


def _zone_line(zone: dict[str, Any], lang: str) -> str:
    esc = html.escape
    relation = " → ".join(relation_label(r, lang) if r else "—" for r in (zone["old_relation"], zone["new_relation"]))
    verdict = " → ".join(verdict_text(v, lang) if v else "—" for v in (zone["old_verdict"], zone["new_verdict"]))
    change = zone["layer_change"]
    layer = ""
    if change == "reshaped":
        ha = zone["area_change_ha"]
        layer = _s("layer.reshaped", lang, ha=f"{round(ha, 2) + 0.0:+,.2f}" if ha is not None else "?")
    elif change:
        layer = _s(f"layer.{change}", lang)
    note = f"；{esc(layer)}" if layer and lang == "zh" else f"; {esc(layer)}" if layer else ""
    secret = f" <i>{esc(confidential_note([zone['kind']], lang))}</i>" if zone["confidential"] else ""
    return (
        f"<li><b>{esc(kind_label(zone['kind'], lang))}</b> {esc(zone['zone_id'])} {esc(zone['zone_name'] or '')}: "
        f"{esc(_s(zone['finding'], lang))} ({esc(relation)}; {esc(verdict)}){note}{secret}</li>"
    )


def _panel(data: dict[str, Any], lang: str) -> str:
    esc = html.escape
    counts = _s("counts", lang, changed=data["changed"], unchanged=data["unchanged"], findings=data["findings_changed"])
    old = data["old_layerset"] or _s("unknown", lang)
    parts = [
        f"<h3>{esc(_s('title', lang))}</h3>",
        f"<p>{esc(counts)}</p>",
        f'<p class="rc-note">{esc(_s("layers", lang, new=data["layerset"], old=old))}</p>',
    ]
    if not data["sites"]:
        parts.append(f"<p>{esc(_s('none', lang))}</p>")
    for site in data["sites"]:
        verdicts = f"{verdict_text(site['old_verdict'], lang)} → {verdict_text(site['new_verdict'], lang)}"
        zones = "".join(_zone_line(z, lang) for z in site["zones"])
        run = _s("run", lang, run=site["old_run"], when=site["old_recorded"])
        parts.append(
            f'<div class="rc-change" data-site="{esc(site["site_id"])}"><b>{esc(site["site_id"])}</b> '
            f"{esc(site['name'] or '')}<br>{esc(verdicts)}<br><small>{esc(run)}</small><ul>{zones}</ul></div>"
        )
    return '<div id="rc-changes">' + "".join(parts) + "</div>"


_PANEL_CSS = (
    "<style>#rc-changes{position:fixed;top:10px;right:10px;bottom:30px;width:420px;overflow:auto;z-index:1000;"
    "background:rgba(255,255,255,.95);padding:8px 12px;border-radius:4px;font:13px/1.45 sans-serif;"
    "box-shadow:0 1px 5px rgba(0,0,0,.4)}#rc-changes h3{margin:4px 0;font-size:15px}"
    "#rc-changes .rc-change{border-top:1px solid #ddd;padding:6px 0}#rc-changes ul{margin:4px 0;padding-left:18px}"
    "#rc-changes .rc-note{color:#555;font-size:12px}</style>"
)


def _features(items: list[tuple[Any, dict[str, Any]]]) -> dict[str, Any]:
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": p}
        for g, p in items
        if g is not None and not g.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def write_changes_html(data: dict[str, Any], path: str | Path, *, lang: str = "zh") -> Path:
    """Write ``changes.html`` from :func:`page_data`; return its path."""
    import folium
    from branca.element import Element

    from redline.maps._leaflet import new_map, top_html
    from redline.maps._style import site_style, zone_style

    m, _, _ = new_map(lang)
    old, new, sites = [], [], []
    for site in data["sites"]:
        for zone in site["zones"]:
            tip = f"{kind_label(zone['kind'], lang)} {zone['zone_id']} {zone['zone_name'] or ''}"
            style = {**zone_style(zone["kind"], None), "fillOpacity": 0.15}
            old.append((zone["old_outline"], {"tip": f"{_s('old_outline', lang)}: {tip}", "style": _OLD_STYLE}))
            new.append((zone["new_outline"], {"tip": f"{_s('new_outline', lang)}: {tip}", "style": style}))
        geom = site["geometry"]
        tip = f"{site['site_id']} {site['name'] or ''}: {verdict_text(site['old_verdict'], lang)} → "
        tip += verdict_text(site["new_verdict"], lang)
        style = site_style(site["new_verdict"], geom.geom_type if geom is not None else "Point")
        sites.append((geom, {"tip": tip, "style": style}))
    for name, items in ((_s("old_outline", lang), old), (_s("new_outline", lang), new), (_s("sites", lang), sites)):
        collection = _features(items)
        if not collection["features"]:
            continue
        folium.GeoJson(
            collection,
            name=html.escape(name),
            style_function=lambda feature: feature["properties"]["style"],
            marker=folium.CircleMarker(),
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(m)
    bounds = [g.bounds for g, _ in [*old, *new, *sites] if g is not None and not g.is_empty]
    if bounds:
        box = np.array(bounds)
        corners = [[box[:, 1].min(), box[:, 0].min()], [box[:, 3].max(), box[:, 2].max()]]
        m.fit_bounds(corners, max_zoom=16, padding_bottom_right=(440, 20))  # clear of the panel
    folium.LayerControl(collapsed=False, position="bottomleft").add_to(m)
    root = m.get_root()
    root.header.add_child(Element(_PANEL_CSS), name="rc_changes_css")
    root.html.add_child(Element(top_html(lang, illustrative=data["illustrative"])), name="rc_top")
    root.html.add_child(Element(_panel(data, lang)), name="rc_changes")
    path = Path(path)
    m.save(str(path))
    return path
