"""``results.xlsx``: a batch's results as a workbook a reviewer can filter and sort.

Sheets (**contract**): ``sites`` (one row per input site, the ``sites.csv``
columns plus the verdict's label, the site's measures and a representative
point), ``findings`` (the ``findings.csv`` columns plus the rule's title and
text, its catalogue and every matched rule), ``access_lists`` (each clause of
the access list of every control unit a site touches, with how many sites
touch the unit and how many match the clause); then ``about`` (layer set,
fingerprints, rule catalogues, buffer, tool version, time, the illustrative
notice).  Numbers are stored as numbers, with display formats.

Written with openpyxl in write-only mode (streamed, so 100,000 sites take
seconds).  Text is always stored as text, never as a formula, so a zone named
``=HYPERLINK(...)`` cannot run anything; characters Excel does not allow are
dropped.  A sheet longer than Excel's 1,048,576 rows continues on ``findings_2``
and so on.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from redline.checks.result import FINDING_COLUMNS, SITE_COLUMNS, ScreeningResult
from redline.zones.labels import class_label, confidential_note, kind_label, relation_label, t, verdict_text

__all__ = ["ACCESS_COLUMNS", "FINDING_SHEET_COLUMNS", "SHEETS", "SITE_SHEET_COLUMNS", "write_results_xlsx"]

#: The contract sheets, in order (``about`` follows them).
SHEETS: tuple[str, ...] = ("sites", "findings", "access_lists")

SITE_SHEET_COLUMNS: list[str] = [
    *SITE_COLUMNS,
    "verdict_label",
    "name",
    "industry",
    "tags",
    "action",
    "geom_type",
    "site_area_m2",
    "site_length_m",
    "lon",
    "lat",
]
FINDING_SHEET_COLUMNS: list[str] = [
    *FINDING_COLUMNS,
    "kind_label",
    "class_label",
    "relation_label",
    "verdict_label",
    "rule_title",
    "rule_text",
    "catalog",
    "matched_rules",
]
ACCESS_COLUMNS: list[str] = [
    "unit_code",
    "unit_name",
    "unit_class",
    "dimension",
    "number",
    "clause_id",
    "scope",
    "verdict",
    "clause",
    "sites_touching",
    "sites_matched",
]

_MAX_ROWS = 1_048_576
_FORMATS = {
    "overlap_area_m2": "#,##0.00",
    "overlap_ratio": "0.00%",
    "overlap_length_m": "#,##0.00",
    "distance_m": "#,##0.00",
    "site_area_m2": "#,##0.00",
    "site_length_m": "#,##0.00",
    "lon": "0.000000",
    "lat": "0.000000",
}
_WIDTHS = {"rule_text": 60, "clause": 80, "basis": 40, "error": 40, "name": 24, "zone_name": 24, "unit_name": 24}
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="EAEDED")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _clean(value: Any) -> Any:
    """Return a cell value: numbers as numbers, NaN/None as empty, text without illegal characters."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:32767] if text else None


def _cell(ws: Any, column: str, value: Any) -> Any:
    value = _clean(value)
    if isinstance(value, str):
        if value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # text, never a formula
            return cell
        return value
    if value is not None and column in _FORMATS:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = _FORMATS[column]
        return cell
    return value


class _Writer:
    def __init__(self, wb: Workbook) -> None:
        self.wb = wb

    def sheet(self, name: str, columns: list[str], rows: Iterable[list[Any]]) -> None:
        part, ws, n = 1, None, 0
        for row in rows:
            if ws is None or n >= _MAX_ROWS:
                ws = self._new(name if part == 1 else f"{name}_{part}", columns)
                part, n = part + 1, 1
            ws.append([_cell(ws, c, v) for c, v in zip(columns, row, strict=True)])
            n += 1
        if ws is None:
            self._new(name, columns)

    def _new(self, name: str, columns: list[str]) -> Any:
        ws = self.wb.create_sheet(name)
        ws.freeze_panes = "A2"
        for i, c in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(c, max(10, min(len(c) + 2, 20)))
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{_MAX_ROWS}"
        head = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=c)
            cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
            head.append(cell)
        ws.append(head)
        return ws


def _site_rows(result: ScreeningResult, lang: str, notice: str | None) -> Iterator[list[Any]]:
    s = result.sites
    geoms = np.asarray(s.geometry.array, dtype=object)
    xy = np.full((len(s), 2), np.nan)
    ok = ~shapely.is_missing(geoms)
    if ok.any():
        ok[ok] = ~shapely.is_empty(geoms[ok])
    if ok.any():
        pts = geoms[ok].copy()
        non_point = shapely.get_type_id(pts) != 0
        pts[non_point] = shapely.point_on_surface(pts[non_point])
        xy[ok] = shapely.get_coordinates(pts)
    cols = {c: (s[c].to_numpy() if c in s else np.full(len(s), None)) for c in SITE_SHEET_COLUMNS[:13]}
    for i in range(len(s)):
        status = cols["status"][i]
        verdict = "error" if status == "error" else cols["verdict"][i]
        row = [cols[c][i] for c in SITE_COLUMNS]
        row.append(verdict_text(verdict, lang))
        row += [
            cols[c][i] for c in ("name", "industry", "tags", "action", "geom_type", "site_area_m2", "site_length_m")
        ]
        row += [xy[i, 0], xy[i, 1]]
        if notice:
            row.append(notice)
        yield row


def _finding_rows(result: ScreeningResult, lang: str, notice: str | None) -> Iterator[list[Any]]:
    f = result.findings
    cols = {c: (f[c].to_numpy() if c in f else np.full(len(f), None)) for c in FINDING_COLUMNS + FINDING_SHEET_COLUMNS}
    secret = result.confidential_findings()
    for i in range(len(f)):
        kind = str(cols["kind"][i])
        row = [cols[c][i] for c in FINDING_COLUMNS]
        label = kind_label(kind, lang)
        row += [
            t("confidential.finding_kind", lang, kind=label) if secret[i] else label,
            class_label(kind, cols["zone_class"][i], lang),
            relation_label(cols["relation"][i], lang),
            verdict_text(cols["verdict"][i], lang),
        ]
        row += [cols[c][i] for c in ("rule_title", "rule_text", "catalog", "matched_rules")]
        if notice:
            row.append(notice)
        yield row


def _access_rows(result: ScreeningResult, lang: str) -> Iterator[list[Any]]:
    f = result.findings
    units: dict[str, dict[str, Any]] = {}
    mask = (f["kind"] == "control_unit") & f["relation"].isin(["inside", "overlaps"])
    for zid, name, zc, site, matched in zip(
        f.loc[mask, "zone_id"],
        f.loc[mask, "zone_name"],
        f.loc[mask, "zone_class"],
        f.loc[mask, "site_id"],
        f.loc[mask, "matched_rules"],
        strict=True,
    ):
        u = units.setdefault(str(zid), {"name": name, "class": zc, "sites": set(), "matched": {}})
        u["sites"].add(str(site))
        for code in str(matched or "").replace("；", ";").split(";"):
            if code.strip():
                u["matched"].setdefault(code.strip(), set()).add(str(site))
    for code, clauses in result.access_lists.items():
        u = units.get(str(code), {"name": None, "class": None, "sites": set(), "matched": {}})
        for c in clauses:
            if c.unit_code == code:
                scope = t("access.scope.unit", lang)
            elif c.unit_code == "*":
                scope = t("access.scope.all", lang)
            else:
                scope = t("access.scope.class", lang, cls=class_label("control_unit", c.unit_code, lang))
            yield [
                code,
                u["name"],
                class_label("control_unit", u["class"], lang) or u["class"],
                c.dimension,
                c.number,
                c.clause_id,
                scope,
                verdict_text(c.verdict, lang) if c.verdict else t("access.unstructured", lang),
                c.text,
                len(u["sites"]),
                len(u["matched"].get(c.clause_id, ())),
            ]


def _about_rows(result: ScreeningResult, lang: str) -> Iterator[list[Any]]:
    meta, ls = result.meta, result.layerset
    if result.illustrative:
        yield ["notice", t("illustrative_notice", lang)]
    yield ["report", t("report_title", lang)]
    yield ["layerset", ls.name]
    for layer in ls.layers:
        mark = f" — {t('confidential.mark', lang)}" if getattr(layer, "confidential", False) else ""
        yield [f"layer:{layer.kind}", f"{layer.label} {layer.fingerprint} ({len(layer.gdf)} zones){mark}"]
    secret = ls.confidential_kinds()
    if secret:
        yield ["confidential", confidential_note(secret, lang, key="confidential.outputs")]
    for name, version in result.catalog.versions.items():
        yield [f"rule_catalog:{name}", f"{result.catalog.titles.get(name, name)} {version}"]
    for key in ("buffer_m", "input_crs", "source", "tool_version", "created"):
        yield [key, meta.get(key)]
    yield ["disclaimer", t("footer.disclaimer", lang)]


def write_results_xlsx(result: ScreeningResult, path: str | os.PathLike[str], *, lang: str = "zh") -> Path:
    """Write ``results.xlsx`` with the sheets ``sites``, ``findings``, ``access_lists`` and ``about``.

    Parameters
    ----------
    result : ScreeningResult
    path : str or os.PathLike
        The ``.xlsx`` file (written directly; the caller handles atomic replacement).
    lang : str, default "zh"
        Language of the label columns (``verdict_label`` ...) and of ``about``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> write_results_xlsx(result, "out/results.xlsx")  # doctest: +SKIP
    """
    notice = t("illustrative_notice", lang) if result.illustrative else None
    extra = ["notice"] if notice else []
    wb = Workbook(write_only=True)
    w = _Writer(wb)
    w.sheet("sites", SITE_SHEET_COLUMNS + extra, _site_rows(result, lang, notice))
    w.sheet("findings", FINDING_SHEET_COLUMNS + extra, _finding_rows(result, lang, notice))
    w.sheet("access_lists", ACCESS_COLUMNS, _access_rows(result, lang))
    about = wb.create_sheet("about")
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 100
    for key, value in _about_rows(result, lang):
        about.append([_cell(about, "key", key), _cell(about, "value", value)])
    target = Path(path)
    wb.properties.title = t("report_title", lang)
    wb.properties.creator = "redline-checker"
    wb.save(str(target))
    return target
