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

access lists
    ``access_list`` (warning): a scope that reaches no unit, a unit with no clause, a reference
    the list cannot resolve, an unknown dimension, a skipped sheet, a correction for no clause.

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

from redline.layers.validate.checks import (
    BORDER_M,
    CHECKS,
    CROSS_PAIRS,
    CSV_COLUMNS,
    DISJOINT_KINDS,
    Check,
    LayerReport,
    Problem,
)
from redline.layers.validate.report import ValidationReport
from redline.layers.validate.run import validate_layerset

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
