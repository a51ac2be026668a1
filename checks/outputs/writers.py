"""Write a screening result into an output folder, atomically.

Every file is first written under a temporary name in the output folder and
moved into place with :func:`os.replace` only when complete, so a reader never
sees a half-written report; a failed run leaves the previous files untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from redline.checks.options import formats as parse_formats
from redline.checks.outputs.csv_out import write_csv
from redline.checks.result import FINDING_COLUMNS, SITE_COLUMNS, ScreeningResult
from redline.zones.errors import RedlineError, param_ref

__all__ = [
    "FORMATS",
    "GEOMETRY_FORMATS",
    "output_folder",
    "parse_formats",
    "unwritable",
    "write_outputs",
    "write_text",
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
SITE_EXTRA_COLUMNS = ["name", "industry", "tags", "action", "note"]
ILLUSTRATIVE_NOTICE = (
    "示意数据，非官方数据，不得用于实际审查 / illustrative data, not official; do not use for a real review"
)


#: Formats that store or draw the geometry of each finding's overlap (the others need only its area).
GEOMETRY_FORMATS = frozenset({"gpkg", "html", "map", "docx"})


def output_folder(out_dir: str | Path) -> Path:
    """Return the output folder as a Path, created when missing.

    Raises
    ------
    RedlineError
        When it cannot be created (``param="out_dir"``).

    Examples
    --------
    >>> output_folder("out").is_dir()
    True
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RedlineError(
            f"{param_ref('out_dir')}: cannot create folder '{out}' ({exc.strerror}); choose a writable folder",
            param="out_dir",
            value=str(out),
        ) from None
    return out


def unwritable(out: Path, exc: OSError) -> RedlineError:
    """Return the error for an output folder whose files cannot be written (``param="out_dir"``).

    Examples
    --------
    >>> print(unwritable(Path("out"), PermissionError(13, "Permission denied")))
    out_dir: cannot write into 'out' (Permission denied); choose a writable folder
    """
    return RedlineError(
        f"{param_ref('out_dir')}: cannot write into '{out}' ({exc.strerror}); choose a writable folder",
        param="out_dir",
        value=str(out),
    )


@contextmanager
def _atomic(target: Path):
    """Yield a temporary path beside ``target``; move it into place on success."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _with_notice(df: pd.DataFrame, result: ScreeningResult) -> pd.DataFrame:
    """Append a ``notice`` column when the layer set is illustrative, so the file says so itself."""
    if result.illustrative:  # (one text object in every row, not a copy per row)
        df = df.assign(
            notice=pd.Series(np.full(len(df), ILLUSTRATIVE_NOTICE, dtype=object), index=df.index, dtype=object)
        )
    return df


def sites_table(result: ScreeningResult) -> pd.DataFrame:
    """Return the ``sites.csv`` table (contract columns first; ``notice`` last for illustrative data)."""
    s = result.sites
    columns = [c for c in [*SITE_COLUMNS, *SITE_EXTRA_COLUMNS] if c in s.columns]
    return _with_notice(pd.DataFrame({c: s[c] for c in columns}), result)


#: Decimals of the numbers in ``findings.csv`` (m², ratio, m, m).
FINDING_DECIMALS: dict[str, int] = {"overlap_area_m2": 2, "overlap_ratio": 6, "overlap_length_m": 2, "distance_m": 2}


def findings_table(result: ScreeningResult) -> pd.DataFrame:
    """Return the ``findings.csv`` table: the contract columns (``notice`` last if illustrative).

    Numbers stay numbers; :data:`FINDING_DECIMALS` says how many decimals the CSV writes.
    """
    out = pd.DataFrame(result.findings[FINDING_COLUMNS])
    for name in FINDING_DECIMALS:
        out[name] = out[name].astype(float)
    return _with_notice(out, result)


def summary_dict(result: ScreeningResult, files: list[str]) -> dict:
    """Return the content of ``summary.json``."""
    per_kind: dict[str, dict[str, int]] = {}
    pairs = pd.DataFrame({"kind": result.findings["kind"].to_numpy(), "verdict": result.findings["verdict"].to_numpy()})
    for (kind, verdict), count in pairs.value_counts(sort=False).items():
        per_kind.setdefault(kind, {})[verdict] = int(count)
    ls = result.layerset
    summary = {
        "tool": "redline-checker",
        "tool_version": result.meta.get("tool_version"),
        "created": result.meta.get("created"),
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


def _write_gpkg(result: ScreeningResult, target: Path) -> None:
    sites = _with_notice(result.sites.drop(columns=["project"], errors="ignore"), result)
    findings = _with_notice(result.findings, result)
    secret = result.confidential_findings()
    if secret.any():  # 涉密: screen_sites gives them no geometry; never write one, whoever built the result
        findings = findings.copy()
        findings.loc[secret, findings.geometry.name] = None
    options = {"DESCRIPTION": ILLUSTRATIVE_NOTICE} if result.illustrative else {}
    with _atomic(target) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, frame in (("sites", sites), ("findings", findings)):
            pyogrio.write_dataframe(
                frame, tmp, layer=name, driver="GPKG", geometry_type="Unknown", layer_options=options
            )


def write_text(text: str, target: Path) -> None:
    """Write UTF-8 text into ``target`` atomically (a temporary file moved into place)."""
    with _atomic(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _write_docx(result: ScreeningResult, target: Path, lang: str, images: dict[str, bytes] | None) -> None:
    from redline.checks.outputs.report_docx import write_report_docx

    with _atomic(target) as tmp:
        write_report_docx(result, tmp, lang=lang, images=images)


def _write_xlsx(result: ScreeningResult, target: Path, lang: str) -> None:
    from redline.checks.outputs.results_xlsx import write_results_xlsx

    with _atomic(target) as tmp:
        write_results_xlsx(result, tmp, lang=lang)


def _report_images(result: ScreeningResult, lang: str) -> dict[str, bytes]:
    """Draw the static site maps once for both reports."""
    from redline.checks.outputs.report_html import detail_site_ids, draw_site_maps

    ids, _ = detail_site_ids(result)
    return draw_site_maps(result, ids, lang=lang) if ids else {}


def _write_map(result: ScreeningResult, target: Path, lang: str) -> None:
    from redline.maps import save_map, site_map

    m = site_map(result, lang=lang)
    with _atomic(target) as tmp:
        save_map(m, tmp)


def write_outputs(
    result: ScreeningResult,
    out_dir: str | Path,
    *,
    formats: list[str] | None = None,
    lang: str = "zh",
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the chosen outputs and ``summary.json`` into ``out_dir``.

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

    Returns
    -------
    list of Path
        The files written, ``summary.json`` last.

    Raises
    ------
    RedlineError
        When the folder cannot be created or written.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> from redline.checks import check_site
    >>> result = check_site("109.4015,22.4923", load_layerset("sample"), industry="H6210")
    >>> [path.name for path in write_outputs(result, "out", formats=["csv"])]
    ['sites.csv', 'findings.csv', 'summary.json']
    >>> files = write_outputs(result, "out")  # every format: report.html, map.html ...  # doctest: +SKIP
    """
    out = output_folder(out_dir)
    formats = formats or list(FORMATS)
    written: list[Path] = []

    def done(path: Path) -> None:
        written.append(path)
        if progress:
            progress(path.name)

    try:
        if "csv" in formats:
            write_csv(sites_table(result), out / "sites.csv")
            done(out / "sites.csv")
            write_csv(findings_table(result), out / "findings.csv", FINDING_DECIMALS)
            done(out / "findings.csv")
        if "gpkg" in formats:
            _write_gpkg(result, out / "results.gpkg")
            done(out / "results.gpkg")
        images = _report_images(result, lang) if {"html", "docx"} & set(formats) else None
        if "html" in formats:
            from redline.checks.outputs.report_html import render_report_html

            write_text(render_report_html(result, lang=lang, images=images), out / "report.html")
            done(out / "report.html")
        if "map" in formats:
            _write_map(result, out / "map.html", lang)
            done(out / "map.html")
        if "docx" in formats:
            _write_docx(result, out / "report.docx", lang, images)
            done(out / "report.docx")
        if "xlsx" in formats:
            _write_xlsx(result, out / "results.xlsx", lang)
            done(out / "results.xlsx")
        summary = summary_dict(result, [p.name for p in written] + ["summary.json"])
        write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", out / "summary.json")
        done(out / "summary.json")
    except PermissionError as exc:
        raise unwritable(out, exc) from None
    return written
