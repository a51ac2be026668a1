"""Run every check on a layer set: :func:`validate_layerset`."""

from __future__ import annotations

import math
import time
from pathlib import Path

import shapely

from redline.layers.layerset import LayerSet
from redline.layers.reader import LoadIssue
from redline.layers.validate.checks import CHECKS, LayerReport
from redline.layers.validate.coverage import coverage, water_surround
from redline.layers.validate.report import ValidationReport
from redline.layers.validate.validator import Validator
from redline.zones.errors import LayerError, RedlineError, param_ref

__all__ = ["validate_layerset"]


def _check_arguments(lang: str, tolerance_m2: float) -> None:
    if lang not in ("zh", "en"):
        raise RedlineError(
            f"{param_ref('lang')} {lang!r} is not one of zh, en",
            param="lang",
            value=lang,
            zh=f"{param_ref('lang')} {lang!r} 不是 zh、en 之一",
        )
    if not (isinstance(tolerance_m2, int | float) and math.isfinite(tolerance_m2) and tolerance_m2 >= 0):
        raise RedlineError(
            f"{param_ref('tolerance_m2')} {tolerance_m2!r} is not a non-negative number of m²",
            param="tolerance_m2",
            value=tolerance_m2,
            zh=f"{param_ref('tolerance_m2')} {tolerance_m2!r} 不是非负的 m² 数",
        )


def _region_geometry(region: str | Path | shapely.Geometry | None, crs: str | None) -> tuple[object, str]:
    """Return the region outline as one geometry (None without one) and what to call it."""
    if region is None:
        return None, ""
    if isinstance(region, shapely.Geometry):
        geom, label = region, "geometry"
    else:
        from redline.layers.outline import read_outline

        outline = read_outline(region, crs=crs, param="region")
        geom, label = shapely.union_all(outline.geometry.values), Path(region).name
    if shapely.is_empty(geom):
        raise LayerError("the region outline is empty", param="region", value=label, zh="区域边界为空")
    return geom, label


class _Laps:
    """Seconds spent on each step of a validation, measured from one start."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, key: str) -> None:
        """Record under ``key`` the seconds since the previous lap (or the start)."""
        self.timings[key] = time.perf_counter() - self.started - sum(self.timings.values())


def validate_layerset(
    layers: str | Path | LayerSet | None = "sample",
    *,
    region: str | Path | shapely.Geometry | None = None,
    crs: str | None = None,
    tolerance_m2: float = 0.0,
    lang: str = "zh",
) -> ValidationReport:
    """Validate a layer set: each layer, each kind, the water-source levels and 三区三线.

    Parameters
    ----------
    layers : str, Path or LayerSet
        A ``layerset.yaml``, a folder holding one, ``"sample"``, or a loaded :class:`LayerSet`.
        A path is read leniently, so invalid, empty and unmapped features are reported rather
        than refused (see the module docstring for the checks).
    region : str, Path or shapely geometry, optional
        The region's outline (a vector file, or a polygon in EPSG:4490): control units must cover
        it without gaps.  Without it only holes between units are found.
    crs : str, optional
        The CRS of the region file when it carries none or to override it (``gcj02`` for web-map
        outlines).
    tolerance_m2 : float
        Overlaps, gaps and overhangs smaller than this many m² are ``sliver`` warnings, not
        errors (default 0: every one is an error).
    lang : {"zh", "en"}
        Language of the messages.

    Returns
    -------
    ValidationReport

    Raises
    ------
    ManifestError
        When the manifest itself cannot be used (the layers' data problems are reported, not raised).
    LayerError, CRSError
        When the region file cannot be used.

    Examples
    --------
    >>> report = validate_layerset("sample")
    >>> report.ok, [p.check for p in report.problems]  # the sample's list refers to a city list it lacks
    (True, ['access_list'])
    """
    from redline.layers import load_layerset

    _check_arguments(lang, tolerance_m2)
    laps = _Laps()
    issues: list[LoadIssue] = []
    layerset = layers if isinstance(layers, LayerSet) else load_layerset(layers, collect=issues)
    region_geom, region_label = _region_geometry(region, crs)
    laps.lap("load")
    v = Validator(layerset, lang, tolerance_m2)
    v.load_issues(issues)
    v.not_polygons()
    v.duplicate_ids()
    laps.lap("layers")
    v.overlaps()
    laps.lap("overlaps")
    notes = coverage(v, region_geom, region_label)
    water_surround(v)
    laps.lap("coverage")
    v.cross()
    laps.lap("cross")
    v.access_lists()
    order = {code: n for n, code in enumerate(CHECKS)}
    problems = sorted(v.problems, key=lambda p: order[p.check])  # stable: within a check, as found
    return ValidationReport(
        name=layerset.name,
        manifest=layerset.path,
        layers=_layer_reports(layerset),
        problems=problems,
        region=region_label,
        notes=notes,
        tolerance_m2=float(tolerance_m2),
        lang=lang,
        illustrative=layerset.illustrative,
        timings=laps.timings,
    )


def _layer_reports(layerset: LayerSet) -> list[LayerReport]:
    """Every layer of the manifest, in its order: those read, and those that could not be."""
    from redline.layers.manifest import read_manifest

    if layerset.path is None:
        return [
            LayerReport(lyr.kind, lyr.label, len(lyr.gdf), lyr.source_crs, True, lyr.encoding_note, lyr.confidential)
            for lyr in layerset.layers
        ]
    loaded = list(layerset.layers)  # in manifest order, less the layers that could not be read
    out = []
    for spec in read_manifest(layerset.path).layers:
        label = spec.label
        layer = loaded[0] if loaded else None
        if layer is not None and (layer.kind, layer.path, layer.layer) == (spec.kind, spec.path, spec.layer):
            loaded.pop(0)
            out.append(
                LayerReport(
                    layer.kind, label, len(layer.gdf), layer.source_crs, True, layer.encoding_note, spec.confidential
                )
            )
        else:
            out.append(LayerReport(spec.kind, label, None, "", False, confidential=spec.confidential))
    return out
