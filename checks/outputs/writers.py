"""Write a screening result into an output folder, as one set of files.

Every file is written into a staging folder and the whole set is swapped into the output folder
only when complete (:class:`redline.checks.outputs.output_set.OutputSet`): a reader never sees a
half-written file, a failed or interrupted run leaves the previous set as it was, and the folder
never holds files of two runs.  ``summary.json`` names the run (``run_id``), lists the files and
their SHA-256.

The CSV tables are meant for Excel: a text cell that Excel would run as a formula is written with a
leading ``'`` (:func:`redline.checks.outputs.csv_out.formula_safe`); the GeoPackage keeps the value
as it was.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors

from redline.checks.options import formats as parse_formats
from redline.checks.outputs.csv_out import write_csv
from redline.checks.outputs.output_set import OutputSet, output_folder, unwritable
from redline.checks.result import FINDING_TABLE_COLUMNS, SITE_TABLE_COLUMNS, ScreeningResult

__all__ = [
    "FORMATS",
    "GEOMETRY_FORMATS",
    "OUTPUT_FILES",
    "output_folder",
    "parse_formats",
    "unwritable",
    "write_outputs",
]

#: Output formats of ``--formats``; ``summary.json`` is always written.
FORMATS: dict[str, str] = {
    "csv": "sites.csv, findings.csv",
    "gpkg": "results.gpkg",
    "html": "report.html",
    "map": "map.html",
    "docx": "report.docx",
    "xlsx": "results.xlsx",
}
#: Every file an output set may hold, ``summary.json`` last.
OUTPUT_FILES: tuple[str, ...] = (*(f for files in FORMATS.values() for f in files.split(", ")), "summary.json")
#: Columns of the CSV tables whose text is the tool's own words (verdicts, kinds ...): never escaped.
#: Every other text column may hold what a user or a layer wrote, and is made safe for Excel.
VOCABULARY_COLUMNS = frozenset({"verdict", "status", "kind", "relation", "eia_category", "notice"})
ILLUSTRATIVE_NOTICE = (
    "示意数据，非官方数据，不得用于实际审查 / illustrative data, not official; do not use for a real review"
)


#: Formats that store or draw the geometry of each finding's overlap (the others need only its area).
GEOMETRY_FORMATS = frozenset({"gpkg", "html", "map", "docx"})


def _with_notice(df: pd.DataFrame, result: ScreeningResult) -> pd.DataFrame:
    """Append a ``notice`` column when the layer set is illustrative, so the file says so itself."""
    if result.illustrative:  # (one text object in every row, not a copy per row)
        df = df.assign(
            notice=pd.Series(np.full(len(df), ILLUSTRATIVE_NOTICE, dtype=object), index=df.index, dtype=object)
        )
    return df


def _columns(frame: pd.DataFrame, columns: list[str]) -> dict[str, pd.Series]:
    """Return the ``columns`` of ``frame``, a column it lacks as empty text."""
    empty = None
    out = {}
    for c in columns:
        if c in frame.columns:
            out[c] = frame[c]
        else:
            if empty is None:  # (one text object in every row)
                empty = pd.Series(np.full(len(frame), "", dtype=object), index=frame.index, dtype=object)
            out[c] = empty
    return out


def sites_table(result: ScreeningResult) -> pd.DataFrame:
    """Return the ``sites.csv`` table.

    Its columns are :data:`~redline.checks.result.SITE_TABLE_COLUMNS` (``notice`` last if illustrative).
    """
    return _with_notice(pd.DataFrame(_columns(result.sites, SITE_TABLE_COLUMNS)), result)


#: Decimals of the numbers in ``findings.csv`` (m², ratio, m, m).
FINDING_DECIMALS: dict[str, int] = {"overlap_area_m2": 2, "overlap_ratio": 6, "overlap_length_m": 2, "distance_m": 2}


def findings_table(result: ScreeningResult) -> pd.DataFrame:
    """Return the ``findings.csv`` table.

    Its columns are :data:`~redline.checks.result.FINDING_TABLE_COLUMNS` (``notice`` last if illustrative).

    Numbers stay numbers; :data:`FINDING_DECIMALS` says how many decimals the CSV writes.
    """
    out = pd.DataFrame(_columns(result.findings, FINDING_TABLE_COLUMNS))
    for name in FINDING_DECIMALS:
        out[name] = out[name].astype(float)
    return _with_notice(out, result)


def escaped_columns(table: pd.DataFrame) -> list[str]:
    """Return the columns of a CSV table whose text may hold a user's or a layer's words (escaped for Excel)."""
    return [c for c in table.columns if c not in VOCABULARY_COLUMNS]


def summary_dict(result: ScreeningResult, files: list[str]) -> dict:
    """Return the content of ``summary.json``.

    ``run_id`` comes from ``result.meta``; :meth:`OutputSet.commit
    <redline.checks.outputs.output_set.OutputSet.commit>` fills in ``run_id``, ``files`` and
    ``sha256`` (every verdict of :data:`~redline.zones.verdicts.VERDICTS` and ``error`` are
    counted, zeros included).
    """
    per_kind: dict[str, dict[str, int]] = {}
    pairs = pd.DataFrame({"kind": result.findings["kind"].to_numpy(), "verdict": result.findings["verdict"].to_numpy()})
    for (kind, verdict), count in pairs.value_counts(sort=False).items():
        per_kind.setdefault(kind, {})[verdict] = int(count)
    ls = result.layerset
    summary = {
        "tool": "redline-checker",
        "tool_version": result.meta.get("tool_version"),
        "created": result.meta.get("created"),
        "run_id": result.meta.get("run_id"),
        "layerset": ls.name,
        "illustrative": ls.illustrative,
        "layers": [
            {
                "kind": lyr.kind,
                "source": lyr.label,
                "features": len(lyr.gdf),
                "crs": lyr.source_crs,
                "fingerprint": lyr.fingerprint,
                "confidential": bool(getattr(lyr, "confidential", False)),
            }
            for lyr in ls.layers
        ],
        "rule_catalogs": dict(result.catalog.versions),
        "buffer_m": result.meta.get("buffer_m"),
        "input_crs": result.meta.get("input_crs"),
        "input_encoding": result.meta.get("input_encoding", ""),
        "source": result.meta.get("source"),
        "n_sites": len(result.sites),
        "n_findings": len(result.findings),
        "verdicts": result.verdict_counts(),
        "findings_by_kind": per_kind,
        "files": files,
        "sha256": {},
    }
    if ls.illustrative:
        summary["notice"] = ILLUSTRATIVE_NOTICE
    secret = ls.confidential_kinds()
    if secret:
        from redline.zones.labels import confidential_note

        lang = result.meta.get("lang") if result.meta.get("lang") in ("zh", "en") else "zh"
        summary["confidential"] = {
            "kinds": secret,
            "n_findings": int(result.confidential_findings().sum()),
            "note": confidential_note(secret, lang, key="confidential.outputs"),
        }
    return summary


def _gpkg_frames(result: ScreeningResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the ``sites`` and ``findings`` layers: the CSV tables' columns first (raw values), then the rest."""
    frames = []
    for frame, columns in ((result.sites, SITE_TABLE_COLUMNS), (result.findings, FINDING_TABLE_COLUMNS)):
        frame = frame.drop(columns=["project"], errors="ignore")
        rest = [c for c in frame.columns if c not in columns]
        frames.append(_with_notice(frame.assign(**_columns(frame, columns))[[*columns, *rest]], result))
    return frames[0], frames[1]


def _gdal_failure(exc: Exception, target: Path) -> OSError:
    """Say a failed GeoPackage write as the ``OSError`` it was: a full disk, or GDAL's own words."""
    try:
        full = shutil.disk_usage(target.parent).free < 1 << 20
    except OSError:
        full = False
    if full:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
    words = " ".join(str(exc).split())
    return OSError(errno.EIO, f"GDAL: {words[-200:]}", str(target))


def _write_gpkg(result: ScreeningResult, target: Path) -> None:
    sites, findings = _gpkg_frames(result)
    secret = result.confidential_findings()
    if secret.any():  # 涉密: screen_sites gives them no geometry; never write one, whoever built the result
        findings = findings.copy()
        findings.loc[secret, findings.geometry.name] = None
    options = {"DESCRIPTION": ILLUSTRATIVE_NOTICE} if result.illustrative else {}
    metadata = {"redline_run_id": str(result.meta.get("run_id") or "")}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for name, frame in (("sites", sites), ("findings", findings)):
                pyogrio.write_dataframe(
                    frame,
                    target,
                    layer=name,
                    driver="GPKG",
                    geometry_type="Unknown",
                    layer_options=options,
                    dataset_metadata=metadata if name == "sites" else None,
                )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FeatureError) as exc:
        raise _gdal_failure(exc, target) from None


_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)


def _with_run_id(html: str, run_id: str) -> str:
    """Return an HTML page with the run id in a ``<meta name="redline-run-id">`` tag of its head.

    Examples
    --------
    >>> _with_run_id("<html><head><title>t</title></head></html>", "R1")
    '<html><head><meta name="redline-run-id" content="R1"><title>t</title></head></html>'
    """
    if 'name="redline-run-id"' in html:
        return html
    return _HEAD.sub(lambda m: f'{m.group(0)}<meta name="redline-run-id" content="{run_id}">', html, count=1)


def _report_images(result: ScreeningResult, lang: str) -> dict[str, bytes]:
    """Draw the static site maps once for both reports."""
    from redline.checks.outputs.report_html import detail_site_ids, draw_site_maps

    ids, _ = detail_site_ids(result)
    return draw_site_maps(result, ids, lang=lang) if ids else {}


def _write_html(result: ScreeningResult, target: Path, lang: str, images: dict[str, bytes] | None) -> None:
    from redline.checks.outputs.report_html import render_report_html

    html = render_report_html(result, lang=lang, images=images)
    target.write_text(_with_run_id(html, result.meta["run_id"]), encoding="utf-8")


def _write_map(result: ScreeningResult, target: Path, lang: str) -> None:
    import folium

    from redline.maps import save_map, site_map

    m = site_map(result, lang=lang)
    m.get_root().header.add_child(folium.Element(f'<meta name="redline-run-id" content="{result.meta["run_id"]}">'))
    save_map(m, target)


def _write_docx(result: ScreeningResult, target: Path, lang: str, images: dict[str, bytes] | None) -> None:
    from redline.checks.outputs.report_docx import write_report_docx

    write_report_docx(result, target, lang=lang, images=images)


def _write_xlsx(result: ScreeningResult, target: Path, lang: str) -> None:
    from redline.checks.outputs.results_xlsx import write_results_xlsx

    write_results_xlsx(result, target, lang=lang)


def _write_csv_tables(result: ScreeningResult, files: OutputSet) -> list[str]:
    sites = sites_table(result)
    with files.writing("sites.csv") as path:
        write_csv(sites, path, escape=escaped_columns(sites))
    findings = findings_table(result)
    with files.writing("findings.csv") as path:
        write_csv(findings, path, FINDING_DECIMALS, escape=escaped_columns(findings))
    return ["sites.csv", "findings.csv"]


def write_outputs(
    result: ScreeningResult,
    out_dir: str | Path,
    *,
    formats: list[str] | None = None,
    lang: str = "zh",
    progress: Callable[[str], None] | None = None,
    replace: bool = True,
) -> list[Path]:
    """Write the chosen outputs and ``summary.json`` into ``out_dir``, as one set.

    Parameters
    ----------
    result : ScreeningResult
    out_dir : str or Path
        Created when missing.
    formats : list of str, optional
        Keys of :data:`FORMATS`; all by default.
    lang : {"zh", "en"}
    progress : callable, optional
        Called with each file name as it is written.
    replace : bool
        True (the default): the files replace the folder's previous set whole (a file of the
        previous set that this one does not write leaves the folder).  False: they are added to
        the folder's files (a service writing one report after another for one result).

    Returns
    -------
    list of Path
        The files written, ``summary.json`` last.

    Raises
    ------
    RedlineError
        When the folder cannot be created or a file cannot be written (``param="out"``; full
        disk, read-only file system, no permission ...): the previous set is then untouched.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> from redline.checks import check_site
    >>> result = check_site("109.4015,22.4923", load_layerset("sample"), industry="H6210")
    >>> [path.name for path in write_outputs(result, "out", formats=["csv"])]
    ['sites.csv', 'findings.csv', 'summary.json']
    >>> files = write_outputs(result, "out")  # every format: report.html, map.html ...  # doctest: +SKIP
    """
    formats = formats or list(FORMATS)
    with OutputSet(out_dir, OUTPUT_FILES, replace=replace) as files:
        result = dataclasses.replace(result, meta={**result.meta, "run_id": files.run_id})
        images = _report_images(result, lang) if {"html", "docx"} & set(formats) else None
        writers: dict[str, tuple[str, Callable[[Path], object]]] = {
            "gpkg": ("results.gpkg", lambda path: _write_gpkg(result, path)),
            "html": ("report.html", lambda path: _write_html(result, path, lang, images)),
            "map": ("map.html", lambda path: _write_map(result, path, lang)),
            "docx": ("report.docx", lambda path: _write_docx(result, path, lang, images)),
            "xlsx": ("results.xlsx", lambda path: _write_xlsx(result, path, lang)),
        }
        for fmt in FORMATS:
            if fmt not in formats:
                continue
            if fmt == "csv":
                names = _write_csv_tables(result, files)
            else:
                name, write = writers[fmt]
                with files.writing(name) as path:
                    write(path)
                names = [name]
            for name in names:
                if progress:
                    progress(name)
        written = files.commit(summary_dict(result, []))
        if progress:
            progress(written[-1].name)
        return written
