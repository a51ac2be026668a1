"""``results.xlsx``: a batch's results as a workbook a reviewer can filter, sort and print.

Five sheets, in the run's language (Chinese by default: sheet names, headings and values;
``lang="en"`` for English): the sites (:data:`SHEETS` ``sites``: verdict, project, measures in m²,
公顷 and 亩, a representative point), the findings (``findings``: zone, relation, overlap in m²,
公顷 and 亩, share, distance, verdict, the rule's code and title), the rules they cite, each once
(``rules``: title, text, basis, catalogue, how many findings cite it), the
clauses of the access list of every control unit a site touches (``access_lists``, with how many
sites touch the unit and how many match the clause) and the run (``about``: layer set,
fingerprints, rule catalogues, buffer, tool version, time in Beijing time, notices).  The CSV files
keep the contract columns and codes; this workbook is for reading.

Every sheet: the heading row frozen and filtered, columns as wide as their content (long texts
wrapped), numbers stored as numbers with display formats, and a print setup: A4 landscape, fitted to
the page width (no column split across pages), the heading row repeated on each page, page
numbers in the footer and, for illustrative data, the notice in the header of every page.

Written with openpyxl in write-only mode (streamed, so 100,000 sites take seconds).  Text is always
stored as text, never as a formula, so a zone named ``=HYPERLINK(...)`` cannot run anything;
characters Excel does not allow are dropped.  A sheet longer than Excel's 1,048,576 rows
continues on a second sheet (``findings_2`` ...).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from redline.checks.outputs.report_clauses import clause_scope
from redline.checks.outputs.report_info import centre_point, project_name
from redline.checks.outputs.units import SQM_PER_HECTARE, SQM_PER_MU, format_datetime, missing
from redline.checks.result import ScreeningResult
from redline.zones.eia.answer import category_label
from redline.zones.industry import lookup
from redline.zones.labels import (
    STRINGS,
    action_label,
    check_lang,
    class_label,
    confidential_note,
    dimension_label,
    kind_label,
    relation_label,
    t,
    tag_label,
    verdict_text,
)

__all__ = [
    "ABOUT_COLUMNS",
    "ACCESS_COLUMNS",
    "FINDING_COLUMNS",
    "RULE_COLUMNS",
    "SHEETS",
    "SITE_COLUMNS",
    "Column",
    "sheet_name",
    "write_results_xlsx",
]

#: The sheets, in order, by their English names (``sheet_name`` gives the name in a language).
SHEETS: tuple[str, ...] = ("sites", "findings", "rules", "access_lists", "about")

_MAX_ROWS = 1_048_576
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="E5E8E8")
_HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_WRAP = Alignment(wrap_text=True)
_THIN = Side(style="thin", color="B3B6B7")
_HEAD_BORDER = Border(bottom=_THIN)
#: Rows read to size the columns (beyond, the widths hold).
_SAMPLE_ROWS = 2000
#: Width of a CJK character in column-width units (the width of a digit).
_CJK_WIDTH = 1.7
#: Height of a line of text in points, and the most lines a row is given.
_LINE_PT, _MAX_LINES = 15.0, 12


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its key, heading string key, number format, width limits, wrapping."""

    key: str
    label: str
    number_format: str = ""
    max_width: float = 30
    wrap: bool = False


def _col(key: str, fmt: str = "", width: float = 30, wrap: bool = False) -> Column:
    return Column(key, f"xl.{key}", fmt, width, wrap)


SITE_COLUMNS: tuple[Column, ...] = (
    _col("site_id", width=14),
    _col("project_name", width=22, wrap=True),
    _col("verdict", width=12, wrap=True),
    _col("n_findings", "0", 7),
    _col("error", width=20, wrap=True),
    _col("industry", width=22, wrap=True),
    _col("tags", width=16, wrap=True),
    _col("action", width=7),
    _col("geom_type", width=7),
    _col("area_m2", "#,##0.0", 13),
    _col("area_ha", "#,##0.00", 10),
    _col("area_mu", "#,##0.00", 10),
    _col("length_m", "#,##0.0", 11),
    _col("lon", "0.000000", 14),
    _col("lat", "0.000000", 14),
)
#: Site columns shown only when the run has them.
OPTIONAL_SITE_COLUMNS: tuple[Column, ...] = (
    _col("project_no", width=14),
    _col("builder", width=20, wrap=True),
    _col("eia_category", width=12, wrap=True),
    _col("eia_item", width=24, wrap=True),
    _col("note", width=30, wrap=True),
)
FINDING_COLUMNS: tuple[Column, ...] = (
    _col("site_id", width=12),
    _col("kind", width=14, wrap=True),
    _col("zone_id", width=16, wrap=True),
    _col("zone_name", width=18, wrap=True),
    _col("zone_class", width=10, wrap=True),
    _col("relation", width=8),
    _col("area_m2", "#,##0.0", 12),
    _col("area_ha", "#,##0.00", 9),
    _col("area_mu", "#,##0.00", 9),
    _col("overlap_ratio", "0.00%", 8),
    _col("length_m", "#,##0.0", 10),
    _col("distance_m", "#,##0.0", 9),
    _col("verdict", width=10, wrap=True),
    _col("rule_id", width=16, wrap=True),
    _col("rule_title", width=24, wrap=True),
    _col("matched_rules", width=16, wrap=True),
)
#: One row per rule the findings cite: the texts a findings row would otherwise repeat.
RULE_COLUMNS: tuple[Column, ...] = (
    _col("rule_id", width=16, wrap=True),
    _col("rule_title", width=24, wrap=True),
    _col("rule_text", width=60, wrap=True),
    _col("basis", width=36, wrap=True),
    _col("catalog", width=18, wrap=True),
    _col("n_cited", "0", 8),
)
ACCESS_COLUMNS: tuple[Column, ...] = (
    _col("unit_code", width=15),
    _col("unit_name", width=18, wrap=True),
    _col("unit_class", width=10, wrap=True),
    _col("dimension", width=10, wrap=True),
    _col("number", width=5),
    _col("clause_id", width=20, wrap=True),
    _col("scope", width=12, wrap=True),
    _col("clause_verdict", width=10, wrap=True),
    _col("clause", width=56, wrap=True),
    _col("sites_touching", "0", 8),
    _col("sites_matched", "0", 8),
)
ABOUT_COLUMNS: tuple[Column, ...] = (_col("item", width=24, wrap=True), _col("value", width=100, wrap=True))


def sheet_name(sheet: str, lang: str = "zh") -> str:
    """Return the name of a sheet (a key of :data:`SHEETS`) in ``lang``.

    Examples
    --------
    >>> [sheet_name(s) for s in SHEETS]
    ['选址结果', '发现明细', '规则', '准入清单', '说明']
    >>> sheet_name("findings", "en")
    'findings'
    """
    return t(f"xl.sheet.{sheet}", lang)


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


def _width(value: Any) -> float:
    """Return the display width of a value in character units (a CJK character counts :data:`_CJK_WIDTH`)."""
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    text = str(value)
    wide = sum(1 for ch in text if ord(ch) > 0x2E7F)
    return len(text) + wide * (_CJK_WIDTH - 1)


class _Sheet:
    """A write-only sheet: widths from a sample of the rows, heading, formats, print setup."""

    def __init__(self, wb: Workbook, name: str, columns: Sequence[Column], lang: str, notice: str = "") -> None:
        self.wb, self.name, self.columns, self.lang, self.notice = wb, name, list(columns), lang, notice

    def write(self, rows: Iterable[list[Any]]) -> None:
        rows = iter(rows)
        sample = [[_clean(v) for v in row] for _, row in zip(range(_SAMPLE_ROWS), rows, strict=False)]
        widths = self._widths(sample)
        part, ws, n = 1, None, 0
        for row in _chain(sample, rows):
            if ws is None or n >= _MAX_ROWS:
                if ws is not None:
                    self._close(ws, n)
                ws = self._new(self.name if part == 1 else f"{self.name}_{part}", widths)
                part, n = part + 1, 1
            cells, lines = [], 1
            for col, width, value in zip(self.columns, widths, row, strict=True):
                cell, used = self._cell(ws, col, width, value)
                cells.append(cell)
                lines = max(lines, used)
            n += 1
            if lines > 1:  # wrapped text: a reader does not always size the row itself
                ws.row_dimensions[n].height = _LINE_PT * min(lines, _MAX_LINES) + 2
            ws.append(cells)
        if ws is None:
            ws, n = self._new(self.name, widths), 1
        self._close(ws, n)

    def _widths(self, sample: list[list[Any]]) -> list[float]:
        out = []
        for j, col in enumerate(self.columns):
            head = _width(t(col.label, self.lang))
            longest = max((_width(row[j]) for row in sample), default=0)
            wanted = max(longest, min(head, 16)) + 2
            out.append(max(6.0, min(wanted, col.max_width)))
        return out

    def _cell(self, ws: Any, col: Column, width: float, value: Any) -> tuple[Any, int]:
        """Return a cell value (or a styled cell) and the lines it takes at ``width``."""
        value = _clean(value)
        if value is None:
            return None, 1
        if isinstance(value, str):
            lines = math.ceil(_width(value) / max(width - 1.5, 1)) if col.wrap else 1
            if not value.startswith("=") and lines <= 1:
                return value, 1
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # text, never a formula
            if lines > 1:
                cell.style = _WRAP_STYLE  # a named style: assigning one is cheaper than an alignment
            return cell, lines
        if col.number_format:
            cell = WriteOnlyCell(ws, value=value)
            cell.style = _number_style(col.number_format)
            return cell, 1
        return value, 1

    def _new(self, name: str, widths: list[float]) -> Any:
        ws = self.wb.create_sheet(name)
        ws.freeze_panes = "A2"
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        _print_setup(ws, self.lang, self.notice)  # before the first row: write-only sheets write their properties then
        head, lines = [], 1
        for col, width in zip(self.columns, widths, strict=True):
            label = t(col.label, self.lang)
            cell = WriteOnlyCell(ws, value=label)
            cell.font, cell.fill, cell.alignment, cell.border = _HEAD_FONT, _HEAD_FILL, _HEAD_ALIGN, _HEAD_BORDER
            head.append(cell)
            lines = max(lines, math.ceil(_width(label) / max(width - 1.5, 1)))
        if lines > 1:
            ws.row_dimensions[1].height = _LINE_PT * min(lines, 3) + 2
        ws.append(head)
        return ws

    def _close(self, ws: Any, n_rows: int) -> None:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{max(n_rows, 1)}"


_WRAP_STYLE = "rc_wrap"
_NUMBER_FORMATS: tuple[str, ...] = ("0", "#,##0.0", "#,##0.00", "0.00%", "0.000000")


def _number_style(number_format: str) -> str:
    return f"rc_number_{_NUMBER_FORMATS.index(number_format)}"


def _add_styles(wb: Workbook) -> None:
    """Register the named styles cells use: wrapped text and each number format."""
    wb.add_named_style(NamedStyle(_WRAP_STYLE, alignment=_WRAP))
    for fmt in _NUMBER_FORMATS:
        wb.add_named_style(NamedStyle(_number_style(fmt), number_format=fmt))


def _chain(first: list[list[Any]], rest: Iterator[list[Any]]) -> Iterator[list[Any]]:
    yield from first
    yield from rest


def _print_setup(ws: Any, lang: str, notice: str = "") -> None:
    """A4 landscape, fitted to the page width, heading row on every page, page numbers, the notice on top."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.center.text = "&A"
    if notice:
        ws.oddHeader.right.text = notice.replace("&", "&&")
    ws.oddFooter.center.text = t("xl.page", lang)


def _text(value: Any) -> str:
    return "" if missing(value) else str(value).strip()


def _split(value: Any) -> list[str]:
    return [p.strip() for p in _text(value).replace("；", ";").split(";") if p.strip()]


def _industries(value: Any) -> str:
    out = []
    for code in _split(value):
        ind = lookup(code)
        out.append(f"{code} {ind.name}" if ind else code)
    return "；".join(out)


def _geom_label(geom_type: Any, lang: str) -> str | None:
    key = f"xl.geom.{geom_type}"
    return t(key, lang) if key in STRINGS else (None if missing(geom_type) else str(geom_type))


def _area_cells(m2: Any) -> list[Any]:
    if missing(m2):
        return [None, None, None]
    value = float(m2)
    return [value, value / SQM_PER_HECTARE, value / SQM_PER_MU]


def _site_columns(result: ScreeningResult) -> list[Column]:
    s = result.sites
    extra = [c for c in OPTIONAL_SITE_COLUMNS if c.key in s.columns and s[c.key].map(_text).astype(bool).any()]
    return [*SITE_COLUMNS, *extra]


def _site_rows(result: ScreeningResult, columns: list[Column], lang: str) -> Iterator[list[Any]]:
    s = result.sites
    names = [c for c in s.columns if c != s.geometry.name]
    geoms = s.geometry.to_numpy()
    industries: dict[str, str] = {}  # sites of one project type share their labels
    tags: dict[str, str] = {}
    for row, geom in zip(s[names].itertuples(index=False, name=None), geoms, strict=True):
        r = dict(zip(names, row, strict=True))
        error = r.get("status") == "error"
        verdict = "error" if error else r.get("verdict")
        centre = centre_point(geom)
        industry, tag_text = _text(r.get("industry")), _text(r.get("tags"))
        if industry not in industries:
            industries[industry] = _industries(industry)
        if tag_text not in tags:
            tags[tag_text] = "；".join(tag_label(x, lang) for x in _split(tag_text))
        values = {
            "site_id": r.get("site_id"),
            "project_name": project_name(r),
            "verdict": verdict_text(verdict, lang),
            "n_findings": r.get("n_findings"),
            "status": t("status.error" if error else "status.ok", lang),
            "error": r.get("error") if error else None,
            "industry": industries[industry],
            "tags": tags[tag_text],
            "action": action_label(r.get("action"), lang),
            "geom_type": _geom_label(r.get("geom_type"), lang),
            "length_m": r.get("site_length_m"),
            "lon": centre[0] if centre else None,
            "lat": centre[1] if centre else None,
            "eia_category": category_label(_text(r.get("eia_category")), lang) or None,
        }
        values["area_m2"], values["area_ha"], values["area_mu"] = _area_cells(r.get("site_area_m2"))
        yield [values[c.key] if c.key in values else r.get(c.key) for c in columns]


def _catalog(result: ScreeningResult, catalog: Any, rule_id: Any, lang: str) -> str:
    name = _text(catalog)
    titles = result.catalog.titles
    if name in titles or name in result.catalog.versions:
        return titles.get(name, name)
    if "/" in _text(rule_id):
        return t("catalog.access_list", lang, file=name)
    return name


def _finding_rows(result: ScreeningResult, columns: list[Column], lang: str) -> Iterator[list[Any]]:
    f = result.findings
    names = [c for c in f.columns if c != f.geometry.name]
    secret = result.confidential_findings()
    for row, hidden in zip(f[names].itertuples(index=False, name=None), secret, strict=True):
        r = dict(zip(names, row, strict=True))
        kind = str(r.get("kind"))
        label = kind_label(kind, lang)
        values = {
            "kind": t("confidential.finding_kind", lang, kind=label) if hidden else label,
            "zone_class": class_label(kind, r.get("zone_class"), lang),
            "relation": relation_label(r.get("relation"), lang),
            "length_m": r.get("overlap_length_m"),
            "verdict": verdict_text(r.get("verdict"), lang),
        }
        values["area_m2"], values["area_ha"], values["area_mu"] = _area_cells(r.get("overlap_area_m2"))
        yield [values[c.key] if c.key in values else r.get(c.key) for c in columns]


def _rule_rows(result: ScreeningResult, lang: str) -> Iterator[list[Any]]:
    f = result.findings
    if not len(f):
        return
    cols = [c for c in ("rule_id", "rule_title", "rule_text", "basis", "catalog") if c in f.columns]
    cited = f[cols].assign(rule_id=f["rule_id"].map(_text))
    cited = cited[cited["rule_id"] != ""]
    counts = cited["rule_id"].value_counts()
    for r in cited.drop_duplicates("rule_id").sort_values("rule_id").to_dict("records"):
        catalog = _catalog(result, r.get("catalog"), r["rule_id"], lang)
        yield [r["rule_id"], r.get("rule_title"), r.get("rule_text"), r.get("basis"), catalog, counts[r["rule_id"]]]


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
        for code in _split(matched):
            u["matched"].setdefault(code, set()).add(str(site))
    for code, clauses in result.access_lists.items():
        u = units.get(str(code), {"name": None, "class": None, "sites": set(), "matched": {}})
        for c in clauses:
            yield [
                code,
                u["name"],
                class_label("control_unit", u["class"], lang) or u["class"],
                dimension_label(c.dimension, lang),
                c.number,
                c.clause_id,
                clause_scope(c, str(code), lang),
                verdict_text(c.verdict, lang) if c.verdict else t("access.unstructured", lang),
                c.text,
                len(u["sites"]),
                len(u["matched"].get(c.clause_id, ())),
            ]


def _about_rows(result: ScreeningResult, lang: str) -> Iterator[list[Any]]:
    meta, ls = result.meta, result.layerset
    if result.illustrative:
        yield [t("xl.about.notice", lang), t("illustrative_notice", lang)]
    yield [t("xl.about.report", lang), t("report_title", lang)]
    yield [t("header.layerset", lang), ls.name]
    for layer in ls.layers:
        mark = f" — {t('confidential.mark', lang)}" if getattr(layer, "confidential", False) else ""
        yield [
            t("xl.about.layer", lang, kind=kind_label(layer.kind, lang)),
            f"{layer.label} {layer.fingerprint} ({t('xl.about.zones', lang, n=len(layer.gdf))}){mark}",
        ]
    secret = ls.confidential_kinds()
    if secret:
        yield [t("confidential.mark", lang), confidential_note(secret, lang, key="confidential.outputs")]
    for name, version in result.catalog.versions.items():
        yield [t("xl.about.catalog", lang, name=name), f"{result.catalog.titles.get(name, name)} {version}"]
    yield [t("header.buffer", lang), meta.get("buffer_m")]
    yield [t("header.input_crs", lang), meta.get("input_crs")]
    yield [t("header.source", lang), meta.get("source")]
    yield [t("header.tool_version", lang), meta.get("tool_version")]
    yield [t("header.created", lang), format_datetime(meta.get("created"), lang)]
    yield [t("xl.about.disclaimer", lang), t("footer.disclaimer", lang)]


def write_results_xlsx(result: ScreeningResult, path: str | os.PathLike[str], *, lang: str = "zh") -> Path:
    """Write ``results.xlsx``: sites, findings, access-list clauses and the run, in ``lang``.

    Parameters
    ----------
    result : ScreeningResult
    path : str or os.PathLike
        The ``.xlsx`` file (written directly; the caller handles atomic replacement).
    lang : {"zh", "en"}, default "zh"
        Language of the sheet names, headings and values.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For an unsupported ``lang``.

    Examples
    --------
    >>> write_results_xlsx(result, "out/results.xlsx")  # doctest: +SKIP
    """
    check_lang(lang)
    wb = Workbook(write_only=True)
    _add_styles(wb)
    notice = t("illustrative_notice", lang) if result.illustrative else ""
    sites = _site_columns(result)
    sheets = (
        ("sites", sites, _site_rows(result, sites, lang)),
        ("findings", FINDING_COLUMNS, _finding_rows(result, list(FINDING_COLUMNS), lang)),
        ("rules", RULE_COLUMNS, _rule_rows(result, lang)),
        ("access_lists", ACCESS_COLUMNS, _access_rows(result, lang)),
        ("about", ABOUT_COLUMNS, _about_rows(result, lang)),
    )
    for key, columns, rows in sheets:
        _Sheet(wb, sheet_name(key, lang), columns, lang, notice).write(rows)
    target = Path(path)
    wb.properties.title = t("report_title", lang)
    wb.properties.creator = "redline-checker"
    wb.save(str(target))
    return target
