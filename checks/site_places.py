"""Where each site is, as the access-list clauses ask it: the zones it lies in and how far the others are.

A clause such as 「新建化工项目须进入化工园区」 or 「距居民区100米范围内不得新建…」 binds a project
according to where its site lies among the *other* layers: inside an industrial park (of the right
type), within a distance of a kind of zone.  The screen measures every layer of a chunk first; this
module then gathers, for each site that touches a control unit with an access list, a
:class:`~redline.zones.access_text.Place`, and numbers the distinct places so that the outcome of a
(project, unit, place) is decided once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from redline.checks.engine.index import index_of
from redline.layers.layerset import ZoneLayer
from redline.zones.access_text import Place

__all__ = ["distance_kinds", "site_places"]


def distance_kinds(layers: Iterable[ZoneLayer]) -> frozenset[str]:
    """Return the kinds some access-list clause measures a distance to (「…100米范围内…」)."""
    kinds: set[str] = set()
    for layer in layers:
        if layer.access is None:
            continue
        for clause in layer.access.clauses:
            interpretation = getattr(clause, "interpretation", None)
            if interpretation is None:
                continue
            conditions = list(interpretation.conditions)
            for statement in interpretation.statements:
                conditions.extend(getattr(statement, "conditions", ()))
            kinds.update(c.kind for c in conditions if c.relation == "within")
    return frozenset(kinds)


def site_places(
    raws: Sequence[tuple[ZoneLayer, dict]], kinds: frozenset[str], buffer_m: float, measured: frozenset[str]
) -> tuple[dict[int, int], list[Place]]:
    """Return, for each site that touches a control unit with an access list, the number of its place.

    Parameters
    ----------
    raws : sequence of (layer, spatial columns)
        Every layer's measured findings of the chunk (:func:`redline.checks.engine.spatial.spatial_columns`,
        ``site_idx`` already offset to the batch's site positions).
    kinds : frozenset of str
        The kinds the layer set holds (a kind held and not touched is known to be absent).
    buffer_m : float
        The buffer the distances were measured within.
    measured : frozenset of str
        The kinds whose distance some clause asks (:func:`distance_kinds`); distances to the others
        are left out, so that sites in the same zones share one place.

    Returns
    -------
    codes : dict of int to int
        Site position -> the number of its place in ``places``.
    places : list of Place
    """
    wanted: set[int] = set()
    for layer, raw in raws:
        if layer.access is not None:
            touching = raw["relation"] != "nearby"
            wanted.update(int(s) for s in np.unique(raw["site_idx"][touching]))
    if not wanted:
        return {}, []
    inside: dict[int, set[tuple[str, str]]] = {s: set() for s in wanted}
    names: dict[int, set[tuple[str, str]]] = {s: set() for s in wanted}
    distances: dict[int, dict[str, float]] = {s: {} for s in wanted}
    for layer, raw in raws:
        columns = index_of(layer).columns
        mine = np.flatnonzero(np.isin(raw["site_idx"], list(wanted)))
        for k in mine:
            site, zone = int(raw["site_idx"][k]), int(raw["zone_idx"][k])
            if raw["relation"][k] != "nearby":
                inside[site].add((layer.kind, str(columns["zone_class"][zone] or "")))
                names[site].add((layer.kind, str(columns["zone_name"][zone] or "")))
                distance = 0.0
            else:
                distance = float(raw["distance_m"][k])
            if layer.kind in measured:
                known = distances[site].get(layer.kind)
                distances[site][layer.kind] = distance if known is None else min(known, distance)
    codes: dict[int, int] = {}
    numbered: dict[tuple, int] = {}
    places: list[Place] = []
    for site in sorted(wanted):
        key = (frozenset(inside[site]), frozenset(names[site]), tuple(sorted(distances[site].items())))
        code = numbered.get(key)
        if code is None:
            code = numbered[key] = len(places)
            places.append(Place(key[0], dict(key[2]), key[1], kinds, buffer_m))
        codes[site] = code
    return codes, places
