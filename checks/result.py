"""The result of a screening run: sites, findings and the run's metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np

if TYPE_CHECKING:
    from redline.layers.layerset import LayerSet
    from redline.zones.access_list import Clause
    from redline.zones.rules import Catalog
from redline.zones.verdicts import VERDICTS

__all__ = ["FINDING_COLUMNS", "FINDING_TABLE_COLUMNS", "SITE_COLUMNS", "SITE_TABLE_COLUMNS", "ScreeningResult"]

#: Contract columns of ``sites.csv``: its first columns.
SITE_COLUMNS: list[str] = ["site_id", "verdict", "n_findings", "status", "error"]

#: Every column of ``sites.csv`` (and the first ones of the GeoPackage's ``sites`` layer), in order:
#: :data:`SITE_COLUMNS`, the project (``name``, ``industry``, ``tags``, ``action``), then the columns
#: appended since (new ones are appended, never inserted): the site's ``note``, the project's facts
#: (``project_name``, ``builder`` 建设单位, ``project_no`` 项目编号) and its EIA category under the
#: 名录 (``eia_category``, ``eia_item``, ``eia_basis``).  A column the screening did not give is
#: written empty.  ``notice`` follows for illustrative layer sets.
SITE_TABLE_COLUMNS: list[str] = [
    *SITE_COLUMNS,
    *("name", "industry", "tags", "action"),
    *("note", "project_name", "builder", "project_no", "eia_category", "eia_item", "eia_basis"),
]

#: Contract columns of ``findings.csv``.
FINDING_COLUMNS: list[str] = [
    "site_id",
    "kind",
    "zone_id",
    "zone_name",
    "zone_class",
    "relation",
    "overlap_area_m2",
    "overlap_ratio",
    "overlap_length_m",
    "distance_m",
    "verdict",
    "rule_id",
    "basis",
]

#: Every column of ``findings.csv`` (and the first ones of the GeoPackage's ``findings`` layer), in
#: order: :data:`FINDING_COLUMNS`, then ``rule_text`` (the rule's or clause's own words, appended).
#: ``notice`` follows for illustrative layer sets.
FINDING_TABLE_COLUMNS: list[str] = [*FINDING_COLUMNS, "rule_text"]


@dataclass
class ScreeningResult:
    """Everything a screening run produced.

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        One row per input site, in input order, EPSG:4490.  Columns
        :data:`SITE_COLUMNS` plus ``name``, ``industry`` (``;``-joined codes),
        ``tags`` (``;``-joined), ``action``, ``geom_type`` (Point, LineString,
        Polygon ...), ``site_area_m2`` and ``site_length_m`` (geodesic; NaN
        where not applicable), ``note`` (how the site's codes were read and what
        the layers' coverage means for the site, see :mod:`redline.layers.coverage`),
        ``project`` (the :class:`~redline.zones.project.Project`) and ``geometry``
        (None for error rows); when known, the project's facts ``project_name``,
        ``builder``, ``project_no`` and its EIA category ``eia_category``,
        ``eia_item``, ``eia_basis``.  The outputs write the columns of
        :data:`SITE_TABLE_COLUMNS` first, empty where a column is missing.
    findings : geopandas.GeoDataFrame
        One row per (site, zone) pair that touches or lies within the buffer.
        Columns :data:`FINDING_COLUMNS` plus ``rule_text`` (in the run's
        language; together :data:`FINDING_TABLE_COLUMNS`), ``rule_title``, ``catalog`` (which catalogue the rule came
        from), ``matched_rules`` (``;``-joined codes of every rule that applied)
        and ``geometry``: the overlap (site ∩ zone) for touching pairs, None
        for ``nearby`` ones.  Sorted by site order, then verdict (worst first).
    layerset : LayerSet
        The zone layers used.
    catalog : Catalog
        The rules in force.
    meta : dict
        ``buffer_m``, ``tool_version``, ``created`` (ISO time), ``input_crs``,
        ``lang``, ``source`` (sites file or the command-line site); while the
        outputs are written, ``run_id`` (the id that ties the files of one output
        set together, see :mod:`redline.checks.outputs.output_set`).
    access_lists : dict
        For every control unit a site touches: unit code -> the clauses of its
        access list that bind it (its own, its class's and the general ones), in
        print order.  A finding's ``matched_rules`` names the clause ids that
        matched the project, for highlighting.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> from redline.checks import check_site
    >>> result = check_site("109.4015,22.4923", load_layerset("sample"), industry="H6210")
    >>> result.sites.loc[0, "verdict"], result.verdict_counts()["prohibited"], result.illustrative
    ('prohibited', 1, True)
    >>> result.findings.loc[0, ["kind", "zone_id", "relation", "verdict", "rule_id"]].tolist()
    ['water_source', 'SY450721-WL-1', 'inside', 'prohibited', 'WS01']
    """

    sites: gpd.GeoDataFrame
    findings: gpd.GeoDataFrame
    layerset: LayerSet
    catalog: Catalog
    meta: dict[str, Any] = field(default_factory=dict)
    access_lists: dict[str, list[Clause]] = field(default_factory=dict)

    @property
    def illustrative(self) -> bool:
        """True when the layer set is marked as illustrative (not official) data."""
        return bool(self.layerset.illustrative)

    def confidential_findings(self) -> np.ndarray:
        """Return True for each finding of a confidential (涉密) layer (see :meth:`LayerSet.confidential_mask`).

        Examples
        --------
        >>> from redline.layers import load_layerset
        >>> from redline.checks import check_site
        >>> bool(check_site("109.4015,22.4923", load_layerset("sample")).confidential_findings().any())
        False
        """
        return self.layerset.confidential_mask(self.findings["kind"], self.findings["zone_id"])

    def verdict_counts(self) -> dict[str, int]:
        """Return the number of sites per verdict, including ``error``, worst first."""
        counts = {v: 0 for v in (*VERDICTS, "error")}
        error = (self.sites["status"] == "error").to_numpy()
        counts["error"] = int(error.sum())
        for verdict, count in self.sites["verdict"][~error].value_counts(sort=False).items():
            counts[verdict] += int(count)
        return counts
