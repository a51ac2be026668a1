"""The checks themselves: per layer, within a kind and across kinds (三区三线), collected as problems.

:class:`Validator` holds the features of every kind and the problems found so far; each method
runs one group of checks.  The coverage and water-level checks are in
:mod:`layers.validate.coverage`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import shapely

from redline.layers.layerset import LayerSet
from redline.layers.reader import LoadIssue, _secret_reason
from redline.layers.validate.checks import CROSS_PAIRS, DISJOINT_KINDS, Problem
from redline.layers.validate.features import Features, gather
from redline.layers.validate.geometry import overlap_areas, overlapping_pairs
from redline.layers.validate.messages import (
    area_text,
    class_label,
    kind_label,
    msg,
    row_at,
    sliver_what,
    type_name,
    where,
)
from redline.zones.kinds import KINDS

__all__ = ["Validator"]

_WATER_LEVELS = ("first", "second", "quasi")


def _level(cls: str) -> int:
    """Rank of a water-source class: 一级 0, 二级 1, 准保护区 2, anything else after them."""
    return _WATER_LEVELS.index(cls) if cls in _WATER_LEVELS else len(_WATER_LEVELS)


class Validator:
    """The state of one validation: the layer set, the features of each kind and the problems found.

    Parameters
    ----------
    layerset : LayerSet
    lang : {"zh", "en"}
        Language of the messages.
    tolerance_m2 : float
        Area problems smaller than this are ``sliver`` warnings.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> v = Validator(load_layerset("sample"), "en", 0.0)
    >>> v.overlaps()
    >>> v.cross()
    >>> v.problems
    []
    """

    def __init__(self, layerset: LayerSet, lang: str, tolerance_m2: float) -> None:
        self.layerset = layerset
        self.lang = lang
        self.tol = float(tolerance_m2)
        self.problems: list[Problem] = []
        self.bad_types: dict[tuple[str, int], str] = {}
        self.features: dict[str, Features] = {kind: gather(layerset, kind, self.bad_types) for kind in layerset.kinds}
        self.secret_layers = {layer.label for layer in layerset.layers if layer.confidential}

    # recording ---------------------------------------------------------------
    def kind_label(self, kind: str) -> str:
        """Return the display name of ``kind`` in the report's language."""
        return kind_label(kind, self.lang)

    def add(self, check: str, kind: str, *, secret: bool = False, **kw: object) -> None:
        """Record a problem; one that involves a confidential feature keeps no geometry."""
        if secret:
            kw["geometry"] = None
        self.problems.append(Problem(check, kind, **kw))  # type: ignore[arg-type]

    def add_area(self, check: str, kind: str, area: float, message: str, what: str, **kw: object) -> None:
        """Add an area problem, or a ``sliver`` warning when it is below the tolerance.

        ``what`` is the kind of area problem the message is about: ``overlap``, ``gap`` or ``outside``.
        """
        if self.tol > 0 and area < self.tol:
            message = msg(
                "sliver",
                self.lang,
                what=sliver_what(what, self.lang),
                area=area_text(area),
                tol=f"{self.tol:g}",
                detail=message,
            )
            check = "sliver"
        self.add(check, kind, area_m2=area, message=message, **kw)

    def add_overlap(
        self, check: str, fa: Features, a: int, fb: Features, b: int, area: float, geometry: object, message: str
    ) -> None:
        """Add the overlap of feature ``a`` of ``fa`` with feature ``b`` of ``fb`` (secret when either is)."""
        self.add_area(
            check,
            fa.kind,
            area,
            message,
            "overlap",
            feature_id=str(fa.ids[a]),
            other_kind=fb.kind,
            other_id=str(fb.ids[b]),
            geometry=geometry,
            layer=str(fa.layers[a]),
            secret=bool(fa.secret[a] or fb.secret[b]),
        )

    # per layer -----------------------------------------------------------------
    def load_issues(self, issues: Iterable[LoadIssue]) -> None:
        """Report what lenient reading collected: unreadable layers, invalid or empty geometry, ids, classes."""
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
                "where": where(issue.location, secret, self.lang),
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
                message=msg(issue.check, self.lang, **fmt),
                geometry=geom,
                layer=issue.layer,
                secret=secret,
            )

    def not_polygons(self) -> None:
        """Report the features that are points or lines: a zone must be an area."""
        for (label, row), gtype in sorted(self.bad_types.items()):
            layer = next(lyr for lyr in self.layerset.layers if lyr.label == label)
            zid = str(layer.gdf["zone_id"].iloc[row]) or f"{label}#{row + 1}"
            detail = type_name(gtype, self.lang)
            self.add(
                "not_polygon",
                layer.kind,
                feature_id=zid,
                message=msg("not_polygon", self.lang, kind_label=self.kind_label(layer.kind), fid=zid, detail=detail),
                geometry=layer.gdf.geometry.iloc[row],
                layer=label,
                secret=bool(layer.confidential),
            )

    def duplicate_ids(self) -> None:
        """Report each id used more than once within a kind (one problem per id, listing its rows)."""
        for kind, f in self.features.items():
            if not len(f):
                continue
            ids = pd.Series(f.raw_ids)
            dup = ids[(ids != "") & ids.duplicated(keep=False)]
            for zid, idx in dup.groupby(dup, sort=True).groups.items():
                idx = np.asarray(idx)
                rows = ", ".join(row_at(f.layers[i], f.rows[i] + 1, self.lang) for i in idx)
                polys = [g for g in f.geoms[idx] if g is not None]
                self.add(
                    "duplicate_id",
                    kind,
                    feature_id=str(zid),
                    message=msg(
                        "duplicate_id", self.lang, kind_label=self.kind_label(kind), fid=zid, n=len(idx), detail=rows
                    ),
                    geometry=shapely.union_all(polys) if polys else None,
                    layer=str(f.layers[idx[0]]),
                    secret=bool(f.secret[idx].any()),
                )

    # within a kind ---------------------------------------------------------------
    def overlaps(self) -> None:
        """Report the overlaps within each kind of :data:`DISJOINT_KINDS` (water levels apart)."""
        for kind in DISJOINT_KINDS:
            f = self.features.get(kind)
            if f is None or len(f) < 2:
                continue
            i, j = overlapping_pairs(f.geoms)
            inter, areas = overlap_areas(f.geoms[i], f.geoms[j])
            order = np.lexsort((f.ids[j].astype(str), f.ids[i].astype(str)))
            for k in order:
                a, b = int(i[k]), int(j[k])
                if str(f.ids[b]) < str(f.ids[a]):
                    a, b = b, a
                check, a, b, text = self._overlap_message(f, a, b, area_text(areas[k]))
                self.add_overlap(check, f, a, f, b, float(areas[k]), inter[k], text)

    def _overlap_message(self, f: Features, a: int, b: int, area: str) -> tuple[str, int, int, str]:
        """Return the check, the pair (the higher water level first) and the message of an overlap in ``f``."""
        kind = f.kind
        if kind == "water_source" and f.classes[a] != f.classes[b]:
            if _level(f.classes[b]) < _level(f.classes[a]):
                a, b = b, a
            text = msg(
                "water_level_overlap",
                self.lang,
                fid=str(f.ids[a]),
                oid=str(f.ids[b]),
                area=area,
                class_label=class_label(kind, f.classes[a], self.lang),
                other_class_label=class_label(kind, f.classes[b], self.lang),
            )
            return "water_level_overlap", a, b, text
        key = "overlap.control_unit" if kind == "control_unit" else "overlap"
        text = msg(key, self.lang, kind_label=self.kind_label(kind), fid=str(f.ids[a]), oid=str(f.ids[b]), area=area)
        return "overlap", a, b, text

    # across kinds ----------------------------------------------------------------
    def access_lists(self) -> None:
        """Report every access-list problem: scopes, units and references it could not match, dimensions, sheets."""
        for layer in self.layerset.layers:
            if getattr(layer, "access", None) is None:
                continue
            source = layer.access_list.name if getattr(layer, "access_list", None) else layer.label
            for p in layer.access_problems():
                at = f"（{p.sheet} 第 {p.row} 行）" if self.lang == "zh" and p.sheet else (
                    f" ({p.sheet} row {p.row})" if p.sheet else ""
                )
                what = _ACCESS_WHAT.get(p.check, p.check)
                message = msg("access_list", self.lang, layer=source, where=at, what=what, detail=p.message)
                self.add("access_list", layer.kind, feature_id=p.clause_id or p.scope, message=message, layer=source)

    def cross(self) -> None:
        """Report the overlaps between the kinds of each pair of :data:`CROSS_PAIRS` (三区三线)."""
        for kind_a, kind_b in CROSS_PAIRS:
            fa, fb = self.features.get(kind_a), self.features.get(kind_b)
            if fa is None or fb is None or not len(fa) or not len(fb):
                continue
            # query the larger layer's tree with the smaller layer
            if len(fa) <= len(fb):
                i, j = overlapping_pairs(fa.geoms, fb.geoms)
            else:
                j, i = overlapping_pairs(fb.geoms, fa.geoms)
            inter, areas = overlap_areas(fa.geoms[i], fb.geoms[j])
            order = np.lexsort((fb.ids[j].astype(str), fa.ids[i].astype(str)))
            for k in order:
                a, b = int(i[k]), int(j[k])
                text = msg(
                    "cross_overlap",
                    self.lang,
                    kind_label=self.kind_label(kind_a),
                    other_kind_label=self.kind_label(kind_b),
                    fid=fa.ids[a],
                    oid=fb.ids[b],
                    area=area_text(areas[k]),
                )
                self.add_overlap("cross_overlap", fa, a, fb, b, float(areas[k]), inter[k], text)


#: What each access-list problem means, in Chinese.
_ACCESS_WHAT: dict[str, str] = {
    "unknown_dimension": "未识别的管控维度（按原名保留）",
    "scope_unmatched": "适用范围未对应任何管控单元",
    "unit_without_clause": "管控单元在清单中没有条款",
    "reference_unresolved": "引用的上级或总体要求清单中没有",
    "area_assumed": "区域名称按全部单元所在区域处理",
    "correction_unmatched": "审查人修正未对应任何条款",
    "sheet_skipped": "工作表未读取",
}
