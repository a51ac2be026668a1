"""The checks on how zones fit together: control units tiling the region, 一级 zones inside 二级 ones.

``gap``: a part of the region no control unit covers (without a region outline, only holes
inside the units' union); ``outside_region``: a part of a unit beyond the region.
``water_not_surrounded`` / ``water_no_second``: how much of a 一级 zone's boundary no 二级 zone (or
other 一级 piece) borders within :data:`BORDER_M`, measured in a local transverse Mercator.
"""

from __future__ import annotations

import numpy as np
import shapely

from redline.layers.geodesy import geodesic_area
from redline.layers.validate.checks import BORDER_M
from redline.layers.validate.features import Features
from redline.layers.validate.geometry import local_frame, pieces
from redline.layers.validate.messages import area_text, msg, note, where
from redline.layers.validate.validator import Validator

__all__ = ["coverage", "water_surround"]


def coverage(v: Validator, region: object, region_label: str) -> list[str]:
    """Report the gaps in the control units' coverage of the region and the parts of units outside it.

    Returns the notes on what could not be checked (no control units; no region outline).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> v = Validator(load_layerset("sample"), "en", 0.0)
    >>> notes = coverage(v, None, "")
    >>> v.problems, notes[0][:31]
    ([], 'no region outline (⟨region⟩): o')
    """
    f = v.features.get("control_unit")
    notes = []
    if f is None or not len(f):
        if region is not None:
            notes.append(note("no_units", v.lang))
        return notes
    ok = ~shapely.is_missing(f.geoms)
    units = f.geoms[ok]
    union = shapely.union_all(units)
    if region is None:
        notes.append(note("no_region", v.lang))
        rings = [shapely.Polygon(r) for poly in shapely.get_parts(union) for r in poly.interiors]
        gaps = shapely.difference(shapely.union_all(rings), union) if rings else None
        _gaps(v, f, ok, gaps, "gap.hole")
    else:
        _gaps(v, f, ok, shapely.difference(region, union), "gap")
        _outside(v, f, ok, region, region_label)
    return notes


def _gaps(v: Validator, f: Features, ok: np.ndarray, gaps: object, key: str) -> None:
    """Report each polygon of ``gaps`` with the units next to it (message ``key``)."""
    units, unit_ids = f.geoms[ok], f.ids[ok]
    tree = shapely.STRtree(units)
    # a gap's outline is the units' boundary: secret when any unit is
    secret = bool(f.secret[ok].any())
    for gap in pieces(gaps):
        area = geodesic_area(gap)
        near = sorted(str(unit_ids[n]) for n in tree.query(gap, predicate="dwithin", distance=1e-7))
        text = msg(key, v.lang, area=area_text(area), where=where(gap, secret, v.lang), detail=", ".join(near) or "—")
        v.add_area(
            "gap",
            "control_unit",
            area,
            text,
            "gap",
            feature_id=";".join(near),
            geometry=gap,
            layer=str(f.layers[0]),
            secret=secret,
        )


def _outside(v: Validator, f: Features, ok: np.ndarray, region: object, region_label: str) -> None:
    """Report each part of a control unit that lies outside the region."""
    units, unit_ids, unit_secret = f.geoms[ok], f.ids[ok], f.secret[ok]
    shapely.prepare(region)
    for k in np.flatnonzero(~shapely.covers(region, units)):
        for piece in pieces(shapely.difference(units[k], region)):
            area = geodesic_area(piece)
            secret = bool(unit_secret[k])
            text = msg(
                "outside_region",
                v.lang,
                fid=unit_ids[k],
                area=area_text(area),
                where=where(piece, secret, v.lang),
            )
            v.add_area(
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


def water_surround(v: Validator) -> None:
    """Report the 一级 water-source zones that 二级 zones do not surround (when the set has 二级 zones).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> v = Validator(load_layerset("sample"), "en", 0.0)
    >>> water_surround(v)
    >>> v.problems
    []
    """
    f = v.features.get("water_source")
    if f is None:
        return
    first = np.flatnonzero((f.classes == "first") & ~shapely.is_missing(f.geoms))
    second = np.flatnonzero((f.classes == "second") & ~shapely.is_missing(f.geoms))
    if not len(first) or not len(second):
        return
    tree = shapely.STRtree(f.geoms)
    for a in first:
        _surround_one(v, f, tree, int(a))


def _surround_one(v: Validator, f: Features, tree: shapely.STRtree, a: int) -> None:
    """Check that the zones bordering the 一级 zone ``a`` within :data:`BORDER_M` surround it."""
    zone = f.geoms[a]
    fwd, inv = local_frame(round(float(shapely.centroid(zone).x) * 2) / 2)  # half-degree bands
    margin = 3 * BORDER_M / 100_000.0  # degrees, generously
    near = [int(n) for n in tree.query(shapely.buffer(shapely.envelope(zone), margin)) if n != a]
    boundary = shapely.boundary(shapely.transform(zone, fwd))
    seconds = []
    cover = []
    secret = bool(f.secret[a])
    for n in near:
        if f.classes[n] not in ("first", "second"):
            continue
        g = shapely.transform(f.geoms[n], fwd)
        if shapely.dwithin(g, boundary, BORDER_M):
            cover.append(g)
            secret = secret or bool(f.secret[n])
            if f.classes[n] == "second":
                seconds.append(str(f.ids[n]))
    fid = str(f.ids[a])
    common = {"feature_id": fid, "layer": str(f.layers[a]), "secret": secret}
    if not seconds:
        text = msg("water_no_second", v.lang, fid=fid)
        v.add("water_no_second", "water_source", message=text, geometry=shapely.transform(boundary, inv), **common)
        return
    open_part = shapely.difference(boundary, shapely.buffer(shapely.union_all(cover), BORDER_M))
    open_m = float(shapely.length(open_part))
    if open_m <= BORDER_M:
        return
    share = open_m / float(shapely.length(boundary))
    oid = sorted(seconds)
    text = msg(
        "water_not_surrounded", v.lang, fid=fid, open_m=f"{open_m:,.1f}", share=f"{share:.1%}", oid=", ".join(oid)
    )
    v.add(
        "water_not_surrounded",
        "water_source",
        other_kind="water_source",
        other_id=";".join(oid),
        message=text,
        geometry=shapely.transform(open_part, inv),
        **common,
    )
