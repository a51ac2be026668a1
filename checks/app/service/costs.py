"""What one ``/api/check`` will cost, estimated before it is screened.

The estimate counts the site's vertices and the **candidate zones**: those whose bounding box
comes within the buffer of the site's (a quick look at each layer's index, no geometry touched).
Screening a site costs about its vertices times the zones it is measured against, and with
``nearby="all"`` every candidate within the buffer becomes a finding of the answer, so:

``units = vertices × max(candidates, 1) + FINDING_UNITS × candidates`` (the last term only for
``nearby="all"``).

A check of at most :attr:`CostLimits.small` units is screened in the lane of small checks, beside
the one-point checks of the page; a larger one in the lane of big checks (its own process, with
a time limit); one over :attr:`CostLimits.max` is refused (422, naming the limit) and belongs in
``/api/batch``.  On the sample layers a point costs tens of units; a polygon some 6 km across
about 450 units a vertex: with 1,000 vertices 450 thousand (0.2 s, a small check), with 250,000
vertices 115 million (a big check of about 8 s), and the same with ``nearby="all"`` and a 100 km
buffer 765 million (refused: it held the service for 40 s and answered 25 MB).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from redline.layers.geodesy import degrees_covering

__all__ = ["FINDING_UNITS", "Cost", "CostLimits", "estimate"]

#: Units one finding of ``nearby="all"`` costs (measuring it, and its place in the answer).
FINDING_UNITS = 20


@dataclass(frozen=True)
class CostLimits:
    """Where a check is screened, by its estimated units (see the module docstring).

    Attributes
    ----------
    small : int
        Most units of a check screened in the lane of small checks.
    max : int
        Most units of a check the service screens at all (else 422).
    """

    small: int = 500_000
    max: int = 200_000_000


@dataclass(frozen=True)
class Cost:
    """The estimate of one check.

    Examples
    --------
    >>> Cost(vertices=5, candidates=3, units=15).text()
    '15 units (5 vertices × 3 candidate zones)'
    """

    vertices: int
    candidates: int
    units: int

    def text(self) -> str:
        """Return the estimate as the answers say it."""
        return f"{self.units:,} units ({self.vertices:,} vertices × {self.candidates:,} candidate zones)"


def _box_hits(bounds: np.ndarray, box: tuple[float, float, float, float]) -> int:
    if not len(bounds):
        return 0
    minx, miny, maxx, maxy = box
    return int(
        ((bounds[:, 0] <= maxx) & (bounds[:, 2] >= minx) & (bounds[:, 1] <= maxy) & (bounds[:, 3] >= miny)).sum()
    )


def estimate(geom, layerset, *, buffer_m: float, nearby: str) -> Cost:
    """Estimate the cost of screening ``geom`` (EPSG:4490) against ``layerset``.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> cost = estimate(shapely.Point(109.5, 22.5), load_layerset("sample"), buffer_m=1000, nearby="nearest")
    >>> cost.vertices, 0 < cost.candidates < 100
    (1, True)
    """
    from redline.checks.engine.index import index_of

    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(geom))
    pad = degrees_covering(float(buffer_m), max(abs(miny), abs(maxy)))
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    candidates = sum(_box_hits(np.asarray(index_of(layer).bounds), box) for layer in layerset.layers)
    vertices = int(shapely.get_num_coordinates(geom))
    units = vertices * max(candidates, 1) + (FINDING_UNITS * candidates if nearby == "all" else 0)
    return Cost(vertices=vertices, candidates=candidates, units=units)
