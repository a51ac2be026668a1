"""The result of a validation: :class:`ValidationReport`, its table, its files and its terminal summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from redline.layers.layerset import TARGET_CRS
from redline.layers.validate.checks import CHECKS, CSV_COLUMNS, LayerReport, Problem
from redline.zones.errors import RedlineError, render_refs
from redline.zones.kinds import KINDS

__all__ = ["ValidationReport"]

#: The layers of ``validation.gpkg``: name, dimension of the geometries it holds, geometry type.
_GPKG_LAYERS = (
    ("problem_areas", 2, "MultiPolygon"),
    ("problem_lines", 1, "MultiLineString"),
    ("problem_points", 0, "Point"),
)


@dataclass
class ValidationReport:
    """The result of :func:`validate_layerset`.

    Attributes
    ----------
    name : str
        The layer set's name.
    manifest : pathlib.Path or None
    layers : list of LayerReport
        Every layer of the manifest, read or not.
    problems : list of Problem
        One per problem found, in check order.
    region : str
        Where the region outline came from, or empty when none was given.
    notes : list of str
        What could not be checked, and why (e.g. no region outline); a parameter they name is
        marked with :func:`~redline.zones.errors.param_ref` (:meth:`summary` names it).
    tolerance_m2 : float
    lang : str
    illustrative : bool
        True for the bundled sample (outputs then say so).
    timings : dict
        Seconds spent reading the layers (``load``), on the per-layer checks, the overlaps, the
        coverage and water levels, and across kinds.

    Examples
    --------
    >>> from redline.layers import sample_dir
    >>> from redline.layers.validate import validate_layerset
    >>> d = sample_dir()
    >>> report = validate_layerset(d, region=d / "region.geojson")
    >>> report.ok, len(report.errors), [p.check for p in report.warnings]
    (True, 0, ['access_list'])
    >>> [path.name for path in report.write("validation")]
    ['validation.csv', 'validation.gpkg']
    >>> print(report.summary(limit=3))  # doctest: +SKIP
    """

    name: str
    manifest: Path | None
    layers: list[LayerReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    region: str = ""
    notes: list[str] = field(default_factory=list)
    tolerance_m2: float = 0.0
    lang: str = "zh"
    illustrative: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity ``warning``."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when no error was found (warnings allowed)."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as the ``validation.csv`` table (:data:`CSV_COLUMNS`)."""
        rows = [
            {
                "check": p.check,
                "kind": p.kind,
                "feature_id": p.feature_id,
                "other_kind": p.other_kind,
                "other_id": p.other_id,
                "area_m2": None if p.area_m2 is None else round(float(p.area_m2), 2),
                "message": p.message,
            }
            for p in self.problems
        ]
        return pd.DataFrame(rows, columns=CSV_COLUMNS)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``validation.csv`` and ``validation.gpkg`` into ``out_dir``; return their paths.

        ``validation.csv`` is UTF-8 with a byte-order mark (as Excel wants; read it with
        ``encoding="utf-8-sig"``), one row per problem, columns :data:`CSV_COLUMNS`; ``area_m2``
        is empty for problems without an area.  ``validation.gpkg`` holds the same rows with
        their geometry (plus ``severity`` and ``layer``) in three layers by geometry type:
        ``problem_areas`` (overlaps, gaps, the features at fault), ``problem_lines`` (open
        boundaries of 一级 zones) and ``problem_points`` (where geometry is invalid; rows with no
        geometry, such as empty features, are here too).

        Raises
        ------
        RedlineError
            When the folder cannot be created or written.
        """
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
            csv_path = out / "validation.csv"
            self.to_frame().to_csv(csv_path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
            gpkg_path = out / "validation.gpkg"
            gpkg_path.unlink(missing_ok=True)
            self._write_gpkg(gpkg_path)
        except OSError as exc:
            raise RedlineError(
                f"cannot write the validation outputs into '{out}': {exc}",
                param="out_dir",
                value=str(out),
                zh=f"无法把校验结果写入 '{out}'：{exc}",
            ) from None
        return [csv_path, gpkg_path]

    def _write_gpkg(self, path: Path) -> None:
        frame = self.to_frame()
        frame["severity"] = [p.severity for p in self.problems]
        frame["layer"] = [p.layer for p in self.problems]
        geoms = np.array([p.geometry for p in self.problems], dtype=object)
        dims = np.array([_dimension(g) for g in geoms], dtype=int)
        description = "redline-checker layer validation" + (
            " — 示意数据（非官方）/ illustrative, not official data" if self.illustrative else ""
        )
        for name, dim, gtype in _GPKG_LAYERS:
            sel = dims == dim if dim != 0 else dims <= 0
            part = np.array([_as_multi(g, dim) for g in geoms[sel]], dtype=object)
            gdf = gpd.GeoDataFrame(frame[sel].reset_index(drop=True), geometry=list(part), crs=TARGET_CRS)
            pyogrio.write_dataframe(
                gdf,
                path,
                layer=name,
                driver="GPKG",
                geometry_type=gtype,
                append=path.exists(),
                layer_options={"DESCRIPTION": description},
            )

    def summary(self, *, limit: int = 20, names: Mapping[str, str] | Callable[[str], str] | None = None) -> str:
        """Return a readable summary for the terminal, in the report's language.

        Parameters
        ----------
        limit : int
            Rows shown per check; the rest are counted (they are all in ``validation.csv``).
        names : mapping or callable, optional
            What the interface calls the parameters the notes name (the command line passes its
            options, ``{"region": "--region"}``); by default their Python names
            (:func:`~redline.zones.errors.render_refs`).
        """
        zh = self.lang == "zh"
        lines = [(f"图层校验：{self.name}" if zh else f"Layer validation: {self.name}")]
        if self.manifest is not None:
            lines.append(f"manifest: {self.manifest}")
        if self.illustrative:
            lines.append("⚠ " + ("示意数据，非官方数据" if zh else "illustrative data, not official"))
        lines.append("")
        lines.extend(self._layer_lines())
        lines.extend(f"  ℹ {render_refs(note, names)}" for note in self.notes)
        secret = [layer.label for layer in self.layers if layer.confidential]
        if secret:
            lines.append(
                f"  ℹ 涉密图层（{'、'.join(secret)}）的问题只列出要素编号和问题，不给出位置或几何"
                if zh
                else f"  ℹ confidential layers ({', '.join(secret)}): problems name the feature and the problem, "
                "never a location or geometry"
            )
        lines.append("")
        if not self.problems:
            lines.append("未发现问题。" if zh else "No problems found.")
            return "\n".join(lines)
        n_err, n_warn = len(self.errors), len(self.warnings)
        lines.append(f"发现 {n_err} 个错误、{n_warn} 个警告：" if zh else f"{n_err} error(s), {n_warn} warning(s):")
        lines.extend(self._problem_lines(limit))
        return "\n".join(lines)

    def _layer_lines(self) -> list[str]:
        """Return two lines per layer of the manifest: kind and file, then features, CRS and problem count."""
        lang = self.lang
        zh = lang == "zh"
        counts: dict[str, int] = {}
        for p in self.problems:
            counts[p.layer] = counts.get(p.layer, 0) + 1
        lines = []
        for layer in self.layers:
            kind = KINDS[layer.kind].label(lang) if layer.kind in KINDS else layer.kind
            n = counts.get(layer.label, 0)
            status = ("无问题" if zh else "OK") if n == 0 else (f"{n} 个问题" if zh else f"{n} problem(s)")
            if not layer.loaded:
                status = "未能读取" if zh else "not read"
            features = "—" if layer.n_features is None else f"{layer.n_features:,}"
            secret = (" （涉密）" if zh else " (confidential)") if layer.confidential else ""
            lines.append(f"  {layer.kind:<19} {kind} — {layer.label}{secret}")
            feat_word = "要素" if zh else "features"
            lines.append(f"      {feat_word}: {features}   CRS: {layer.source_crs or '—'}   → {status}")
        return lines

    def _problem_lines(self, limit: int) -> list[str]:
        """Return a heading per check that found something, then at most ``limit`` of its messages."""
        zh = self.lang == "zh"
        lines = []
        for code, check in CHECKS.items():
            rows = [p for p in self.problems if p.check == code]
            if not rows:
                continue
            mark = "✗" if check.severity == "error" else "!"
            lines.append(f"{mark} {code} — {check.label(self.lang)} ({len(rows)})")
            lines.extend(f"    {p.message}" for p in rows[:limit])
            if len(rows) > limit:
                more = len(rows) - limit
                lines.append(
                    f"    … 另有 {more} 条（见 validation.csv）" if zh else f"    … {more} more (see validation.csv)"
                )
        return lines


def _dimension(geom: object) -> int:
    if geom is None or shapely.is_empty(geom):
        return -1
    return int(shapely.get_dimensions(geom))


def _as_multi(geom: object, dim: int) -> object:
    if geom is None or shapely.is_empty(geom):
        return None
    parts = [p for p in shapely.get_parts(geom) if shapely.get_dimensions(p) == dim]
    parts = [q for p in parts for q in shapely.get_parts(p)]
    if dim == 2:
        return shapely.MultiPolygon(parts)
    if dim == 1:
        return shapely.MultiLineString(parts)
    return shapely.centroid(shapely.MultiPoint(parts)) if len(parts) > 1 else parts[0]
