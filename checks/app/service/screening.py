"""One ``/api/check``, from the request's values to its answer: the work a screening lane does.

A :class:`CheckTask` holds the request's values (it is sent as it is to the worker process of the
big lane); :meth:`Screener.run` checks the project, reads the site, estimates its cost
(:mod:`.costs`), screens it against the (coarsened) layer set and shapes the answer
(:func:`.payloads.check_payload`), returning a :class:`CheckOutcome`: the answer, or the error
to answer with, or word that the check is too big for the lane it was sent to.
"""

from __future__ import annotations

import json
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import shapely

from redline.checks.app.service.audit import site_digest
from redline.checks.app.service.coarse import ConfidentialView
from redline.checks.app.service.costs import Cost, CostLimits, estimate
from redline.checks.app.service.errors import api_message, error_field, excerpt, public_text
from redline.checks.app.service.payloads import check_payload
from redline.zones.errors import RedlineError

__all__ = ["SMALL_VERTICES", "CheckOutcome", "CheckTask", "Screener", "rough_vertices", "site_text"]

#: A site with more vertices than this (counted roughly from the request) goes straight to the big lane.
SMALL_VERTICES = 2_000

_WARNINGS_LOCK = threading.Lock()


class SiteInputError(ValueError):
    """A site that is no geometry (answered 400 naming ``site``)."""


def site_text(site: str | dict) -> str:
    """Return the site as text for :func:`redline.checks.sites.text.parse_site_text` (GeoJSON becomes WKT).

    Raises
    ------
    SiteInputError
        For an empty site or GeoJSON that is no geometry.

    Examples
    --------
    >>> site_text({"type": "Point", "coordinates": [109.4, 22.5]})
    'POINT (109.4 22.5)'
    """
    if isinstance(site, str):
        if not site.strip():
            raise SiteInputError('site is empty; give "lon,lat", WKT or a GeoJSON geometry')
        return site
    geometry = site.get("geometry") if site.get("type") == "Feature" else site
    try:
        geom = shapely.from_geojson(json.dumps(geometry))
    except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
        raise SiteInputError(
            f"site is not a GeoJSON geometry ({excerpt(str(exc), 120)}); give e.g. "
            '{"type": "Point", "coordinates": [109.40, 22.49]}'
        ) from None
    if geom is None or geom.is_empty:
        raise SiteInputError("site is an empty GeoJSON geometry; give one with coordinates")
    return shapely.to_wkt(geom, rounding_precision=-1)


def rough_vertices(site: str | dict) -> int:
    """Count a site's vertices roughly, without reading it: commas of text, coordinate pairs of GeoJSON.

    Examples
    --------
    >>> rough_vertices("POLYGON ((0 0, 1 0, 1 1, 0 0))"), rough_vertices({"type": "Point", "coordinates": [1, 2]})
    (4, 1)
    """
    if isinstance(site, str):
        return site.count(",") + 1
    count, stack = 0, [site]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list) and item:
            if isinstance(item[0], list | dict):
                stack.extend(item)
            else:
                count += 1
    return count


@dataclass(frozen=True)
class CheckTask:
    """The values of one ``/api/check`` (as sent, checked by the request model)."""

    check_id: str
    site: str | dict
    site_id: str = "site"
    name: str = ""
    crs: str | None = None
    industry: str | list[str] | None = None
    tags: list[str] | str = field(default_factory=list)
    action: str | None = None
    buffer: float = 1000.0
    nearby: str = "nearest"
    lang: str = "zh"
    on_invalid: str = "raise"


@dataclass
class CheckOutcome:
    """What a lane made of a task: ``payload`` and ``result``, or ``error`` (status, field, message).

    ``promote`` says the check is too big for the lane of small checks; ``touched`` lists the
    confidential zones the answer names (for the audit log).
    """

    payload: dict | None = None
    result: Any = None
    error: tuple[int, str | None, str] | None = None
    promote: bool = False
    cost: Cost | None = None
    digest: str = ""
    touched: list[dict] = field(default_factory=list)


class Screener:
    """Screen one-site checks against a layer set (in this process, or in the big lane's worker).

    Parameters
    ----------
    layerset : LayerSet
        The layer set screened against: confidential layers coarsened (:mod:`.coarse`).
    catalog : Catalog
    view : ConfidentialView
    limits : CostLimits
    roots : list of str
        Folders whose paths no message shows.
    """

    def __init__(self, layerset, catalog, view: ConfidentialView, limits: CostLimits, roots: list[str]) -> None:
        self.layerset, self.catalog, self.view, self.limits, self.roots = layerset, catalog, view, limits, roots

    def _error(self, status: int, fld: str | None, message: str, value: object = None) -> CheckOutcome:
        return CheckOutcome(error=(status, fld, public_text(message, roots=self.roots, values=[value])))

    def _read(self, task: CheckTask, text: str):
        """Return (geometry in EPSG:4490, CRS label, warnings about the site)."""
        from redline.checks import options
        from redline.checks.sites.text import parse_site_text

        crs = options.crs(task.crs)
        with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            geom, label = parse_site_text(text, crs=crs, on_invalid=task.on_invalid, near=self.layerset.center())
        mine = repr(text[:80])[:-1]
        notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning) and mine in str(w.message)]
        return geom, label, [public_text(n, values=[text]) for n in notes]

    def warm_up(self) -> None:
        """Build every layer's index and screen one point, so the first check does not pay for them."""
        from redline.checks.engine.spatial import prepare_layer

        for layer in self.layerset.layers:
            prepare_layer(layer)
        center = self.layerset.center()
        if center is not None:
            self.run(CheckTask(check_id="warm-up", site=f"{center[0]},{center[1]}"), "big")

    def run(self, task: CheckTask, lane: str) -> CheckOutcome:
        """Screen a task in ``lane`` (``small`` or ``big``); never raises for the client's mistakes."""
        from redline.checks.app.run import OneSite, ScreenOptions, SiteOptions, run_screening

        try:
            text = site_text(task.site)
            project = SiteOptions(
                industry=task.industry, tags=_tags(task.tags), action=task.action, on_invalid=task.on_invalid
            )
            screen = ScreenOptions(buffer_m=task.buffer, nearby=task.nearby, lang=task.lang)
            geom, label, notes = self._read(task, text)
        except SiteInputError as exc:
            return self._error(400, "site", str(exc))
        except RedlineError as exc:
            fld = "site" if exc.param == "text" else error_field(exc, "site")
            return self._error(400, fld, api_message(exc), exc.value)
        cost = estimate(geom, self.layerset, buffer_m=screen.buffer_m, nearby=screen.nearby)
        if cost.units > self.limits.max:
            return self._error(
                422,
                "site",
                f"site: screening it would cost {cost.text()}, over the limit of {self.limits.max:,} units of "
                "one check; give a smaller buffer, nearby=nearest or a simpler outline, or send it to /api/batch",
            )
        if lane == "small" and cost.units > self.limits.small:
            return CheckOutcome(promote=True, cost=cost)
        try:
            result = run_screening(
                OneSite(geom, task.site_id), self.layerset, sites=project, screen=screen, catalog=self.catalog
            ).result
        except RedlineError as exc:
            return self._error(400, error_field(exc, "site"), api_message(exc), exc.value)
        result.meta["input_crs"] = label
        if task.name:
            result.sites.loc[0, "name"] = task.name
        payload = check_payload(result, task.check_id, lang=task.lang, view=self.view, warnings=notes)
        touched = [
            {"kind": f["kind"], "zone_id": f["zone_id"], "relation": f["relation"]}
            for f in payload["findings"]
            if f["confidential"]
        ]
        digest = site_digest(shapely.to_wkt(geom, rounding_precision=-1))
        return CheckOutcome(payload=payload, result=result, cost=cost, digest=digest, touched=touched)


def _tags(tags: list[str] | str) -> list[str]:
    from redline.checks import options

    return options.split_tags(tags)
