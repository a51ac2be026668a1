"""Candidate (site, zone) pairs classified exactly: inside, overlapping or nearby, and by how much.

The engine's exact step (:func:`examine`): given candidate pairs from an index query, GEOS
predicates decide which pairs meet and whether the site is covered by its zone; polygon sites
that partly overlap a zone get their overlap area (:func:`redline.checks.engine.overlap_areas.overlap_areas`
without building the overlap, GEOS where that declines); pairs that do not meet get a geodesic
distance, measured only where it may be within the buffer (and, in nearest mode, may be the
nearest zone of its class).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from redline.checks.engine.edges import repeat_index
from redline.checks.engine.index import index_of
from redline.checks.engine.overlap_areas import overlap_areas
from redline.layers.geodesy import band_of, geodesic_areas, polygonal_parts
from redline.layers.layerset import ZoneLayer

__all__ = ["box_within", "examine", "group_min", "nearest_of_class"]


def box_within(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Whether each bounding box (minx, miny, maxx, maxy) ``inner`` lies within ``outer``."""
    return (
        (inner[:, 0] >= outer[:, 0])
        & (inner[:, 1] >= outer[:, 1])
        & (inner[:, 2] <= outer[:, 2])
        & (inner[:, 3] <= outer[:, 3])
    )


def _polygon_overlaps(
    site_geoms: np.ndarray, site_box: np.ndarray, si: np.ndarray, zi: np.ndarray, layer: ZoneLayer
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (interiors meet, overlap area m², overlap or None) of (polygon site, zone) pairs that meet.

    A zone wholly inside its site is its own overlap.  For the others the area is measured from the
    two boundaries (:func:`redline.checks.engine.overlap_areas.overlap_areas`) without building the overlap, whose
    geometry is then None; the few pairs that measurement leaves (boundaries that touch or run
    along each other) are intersected by GEOS.  ``site_box`` holds each site's bounds.
    """
    index = index_of(layer)
    zones = index.geoms_for(zi)
    a, b = site_geoms[si], zones[zi]
    meets = np.zeros(len(si), dtype=bool)
    area = np.zeros(len(si))
    cut = np.full(len(si), None, dtype=object)
    inside = np.zeros(len(si), dtype=bool)
    maybe = np.flatnonzero(box_within(index.bounds[zi], site_box[si]))
    inside[maybe] = shapely.covers(a[maybe], b[maybe])  # (a zone within a site lies within its box)
    cut[inside] = b[inside]
    area[inside] = index.zone_areas(zi[inside])
    meets[inside] = area[inside] > 0
    crossing = np.flatnonzero(~inside)
    area[crossing] = overlap_areas(site_geoms, zones, si[crossing], zi[crossing])
    left = crossing[np.isnan(area[crossing])]
    cut[left] = polygonal_parts(shapely.intersection(a[left], b[left]))
    area[left] = geodesic_areas(cut[left])
    meets[crossing] = area[crossing] > 0
    meets[left] = ~shapely.is_missing(cut[left])
    return meets, area, cut


def _far_distances(
    site_geoms: np.ndarray, s_idx: np.ndarray, z_idx: np.ndarray, layer: ZoneLayer, buffer_m: float, nearest: bool
) -> np.ndarray:
    """Geodesic distances of non-touching pairs; ``inf`` for pairs surely beyond the buffer or not nearest.

    Pairs are ranked by their planar distance in a local conformal projection (within 0.01 % of
    the geodesic one); only pairs that may be within the buffer (and, with ``nearest``, may be the
    nearest zone of their class for their site) are measured exactly on the ellipsoid.
    """
    out = np.full(len(s_idx), np.inf)
    sites_used, back_all = np.unique(s_idx, return_inverse=True)
    bands = band_of(site_geoms[sites_used])[back_all]
    index = index_of(layer)
    classes = index.class_codes
    zones = index.geoms_for(z_idx)
    for band in np.unique(bands):
        sel = np.flatnonzero(bands == band)
        proj, projected = index.projection(float(band))
        need = np.unique(z_idx[sel])
        need = need[pd.isna(projected[need])]
        if len(need):
            projected[need] = proj.project(zones[need])
        sites_here, back = np.unique(s_idx[sel], return_inverse=True)
        pa = proj.project(site_geoms[sites_here])[back]
        pb = projected[z_idx[sel]]
        approx = proj.approx(pa, pb)
        cand = approx <= buffer_m * 1.001 + 1.0
        if nearest and cand.any():
            best = group_min(s_idx[sel], classes[z_idx[sel]], np.where(cand, approx, np.inf))
            cand &= approx <= best * 1.001 + 1.0
        out[sel[cand]] = proj.geodesic(pa[cand], pb[cand])
    return out


def nearest_of_class(
    si: np.ndarray, zi: np.ndarray, relation: np.ndarray, distance: np.ndarray, layer: ZoneLayer
) -> np.ndarray:
    """Mask keeping every touching pair and, per (site, zone class), the nearest nearby pair."""
    mask = relation != "nearby"
    near = np.flatnonzero(~mask)
    if len(near) == 0:
        return mask
    site, cls = si[near], index_of(layer).class_codes[zi[near]]
    order = np.lexsort((zi[near], distance[near], cls, site))
    site, cls = site[order], cls[order]
    first = np.r_[True, (site[1:] != site[:-1]) | (cls[1:] != cls[:-1])]
    mask[near[order[first]]] = True
    return mask


def group_min(site: np.ndarray, cls: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return, for each element, the minimum of ``values`` over its (site, class) group."""
    if len(values) == 0:
        return np.zeros(0)
    order = np.lexsort((cls, site))
    s, c = site[order], cls[order]
    starts = np.flatnonzero(np.r_[True, (s[1:] != s[:-1]) | (c[1:] != c[:-1])])
    group_min = np.minimum.reduceat(values[order], starts)
    out = np.empty(len(values))
    out[order] = group_min[repeat_index(np.diff(np.r_[starts, len(order)]))]
    return out


def examine(
    site_geoms: np.ndarray,
    site_dims: np.ndarray,
    si: np.ndarray,
    zi: np.ndarray,
    layer: ZoneLayer,
    buffer_m: float,
    *,
    nearby: bool,
    nearest: bool,
    inter_known: bool = False,
) -> dict[str, np.ndarray]:
    """Classify candidate (site, zone) pairs and keep those that are findings.

    Returns the kept pairs' ``si``, ``zi``, ``relation``, ``distance``, ``covered`` (site within
    zone), ``interior`` (interiors meet), ``areas`` (of the overlap of a polygon site that partly
    overlaps its zone) and ``cuts`` (that overlap where it was built, else None).  ``inter_known``
    says every pair is known to intersect (an ``intersects`` query).
    """
    index = index_of(layer)
    zones = index.geoms_for(zi)
    a, b = site_geoms[si], zones[zi]
    inter = np.ones(len(si), dtype=bool) if inter_known else shapely.intersects(a, b)
    # a single point that meets a zone lies in it or on its edge: covered, no predicate needed;
    # otherwise the predicates are asked of the site, which is prepared (see spatial_columns)
    single_point = shapely.get_type_id(a) == 0
    covered = inter & single_point
    rest = inter & ~single_point
    # a site within a zone lies within the zone's bounding box: only those are asked
    site_box = shapely.bounds(site_geoms)
    rest = np.flatnonzero(rest)
    rest = rest[box_within(site_box[si[rest]], index.bounds[zi[rest]])]
    covered[rest] = shapely.covered_by(a[rest], b[rest])
    partial = inter & ~covered
    interior = np.zeros(len(si), dtype=bool)
    polygon_site = site_dims[si] == 2
    # a point or line site and a zone that meet: the interiors meet unless they only touch
    other = partial & ~polygon_site
    interior[other] = ~shapely.touches(a[other], b[other])
    # a polygon site and a zone that meet share area exactly when their overlap has some,
    # which is needed anyway
    cuts = np.full(len(si), None, dtype=object)
    areas = np.full(len(si), np.nan)
    cut_pairs = np.flatnonzero(partial & polygon_site)
    if len(cut_pairs):
        interior[cut_pairs], areas[cut_pairs], cuts[cut_pairs] = _polygon_overlaps(
            site_geoms, site_box, si[cut_pairs], zi[cut_pairs], layer
        )
    relation = np.where(covered, "inside", np.where(interior, "overlaps", "nearby"))

    distance = np.zeros(len(si))
    keep = relation != "nearby"
    touching = inter & ~keep
    keep |= touching & nearby
    far = np.flatnonzero(~inter) if nearby else np.zeros(0, dtype=int)
    if len(far):
        distance[far] = _far_distances(site_geoms, si[far], zi[far], layer, buffer_m, nearest)
        keep[far] = distance[far] <= buffer_m
    if nearest:
        keep &= nearest_of_class(si, zi, relation, distance, layer)
    return {
        "si": si[keep],
        "zi": zi[keep],
        "relation": relation[keep],
        "distance": distance[keep],
        "covered": covered[keep],
        "interior": interior[keep],
        "areas": areas[keep],
        "cuts": cuts[keep],
    }
