"""The Word 研判报告 (``report.docx``) a bureau files: the same model as the HTML report.

It renders :func:`redline.checks.outputs.report_model.build_report` with python-docx on A4
portrait (every table has set column widths that fit the 165 mm text block), 宋体 body text and
黑体 headings, ``第 X 页，共 Y 页`` in the footer, header rows repeated on each page, headings kept
with their tables, verdicts as coloured tags.

One site: title block, 一、项目基本信息, 二、研判结论与建议, 三、符合性分析 (overview, site map, one
section per kind with totals in m²/公顷/亩, the rules applied once, the detail rows and, for
control units, the judged access list), 四、审查意见 with the 经办人/审核人/日期 lines, then the
appendix on a page of its own.  A batch: 一、总体情况 (totals and the site table), 二、逐址研判 (each
site on a new page), 三、审查意见, appendix.

The site table is capped lower than in the HTML report (:data:`MAX_DOCX_TABLE_SITES`): a Word
table of thousands of rows is slow to write and to open; sites.csv and results.xlsx hold every site.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from docx import Document
from docx.shared import Pt

from redline.checks.outputs.docx_parts import (
    NOTE,
    add_picture,
    keep_with_next,
    page_footer,
    setup_document,
    text_width_mm,
)
from redline.checks.outputs.docx_tables import Bold, Note, box, para_xml, paragraph, run, spacer, table, tag_run
from redline.checks.outputs.report_clauses import compact_unit
from redline.checks.outputs.report_html import MAX_DETAIL_SITES, report_model
from redline.checks.outputs.report_kinds import KindSection
from redline.checks.outputs.report_model import Report, SiteReport
from redline.checks.result import ScreeningResult
from redline.zones.labels import t

__all__ = ["MAX_DOCX_TABLE_SITES", "render_docx", "render_report_docx", "write_report_docx"]

#: The Word report's site table lists at most this many sites (the worst first).
MAX_DOCX_TABLE_SITES = 1000
_WIDTH = text_width_mm()
_TOTAL_WIDTHS = {
    "area": [22, 24, 13, 28, 19, 20, 19, 20],
    "length": [30, 32, 16, 37, 25, 25],
    "point": [40, 50, 20, 25, 30],
}
_DETAIL_WIDTHS = [40, 16, 17, 21, 14, 15, 26, 16]
_CLAUSE_WIDTHS = [12, 84, 21, 48]
_CLAUSE_WIDTHS_SHORT = [12, 130, 23]
_MAP_WIDTH_MM = 150
_MAP_WIDTH_BATCH_MM = 95


def _tag(tag: Any) -> dict[str, str]:
    return {"css": tag.css, "label": tag.label}


def _para(doc: Any, text: str = "", style: str = "Normal", **kwargs: Any) -> None:
    paragraph(doc, run(text) if text else "", style=style, **kwargs)


def _heading(doc: Any, text: str, level: int, tag: Any = None, *, page_break: bool = False) -> None:
    runs = run(text) + (run(" ") + tag_run(tag.css, tag.label, 9) if tag is not None else "")
    paragraph(doc, runs, style=f"Heading{level}", page_break=page_break)


def _fields(doc: Any, fields: list[Any], label_mm: float = 30, *, pairs: bool = False) -> None:
    """Add a label/value table; ``pairs`` puts two fields on a line (label, value, label, value)."""
    cells = [[Bold(f.label), Note(f.value, f.note)] for f in fields]
    if not pairs:
        table(doc, None, cells, [label_mm, _WIDTH - label_mm], shade_first_column=True, keep_together=20)
        return
    rows = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else [Bold(""), ""]) for i in range(0, len(cells), 2)]
    value = (_WIDTH - 2 * 22) / 2
    widths = [22, value, 22, value]
    table(doc, None, rows, widths, shade_first_column=True, keep_together=20, shade_columns=(0, 2))


def _title_block(doc: Any, report: Report) -> None:
    if report.illustrative:
        notice = run("⚠ " + t("illustrative_notice", report.lang), bold=True, colour="C0392B", size=12)
        paragraph(doc, notice, style="Normal", align="c")
    _para(doc, report.title, "Title")
    paragraph(doc, run(report.subtitle, bold=True, size=13), style="Normal", align="c")
    _para(doc, t("report.date", report.lang, date=report.date), align="c")


def _conclusion(doc: Any, site: SiteReport, lang: str) -> None:
    head = run(t("heading.conclusion_label", lang), bold=True) + tag_run(site.tag.css, site.tag.label, 11)
    body = para_xml(head, style="Normal", keep=True)
    body += "".join(para_xml(run(text), style="Normal", before=3) for text in site.conclusion)
    box(doc, _WIDTH, body)
    if site.steps:
        paragraph(doc, run(t("heading.steps", lang), bold=True), style="Normal", keep=True)
        for n, step in enumerate(site.steps, start=1):
            _para(doc, f"{n}. {step}", after=1, hanging_mm=6)


def _rules(doc: Any, section: KindSection, lang: str) -> None:
    _para(doc, t("heading.rules", lang), NOTE, keep=True, before=2)
    for r in section.rules:
        head = tag_run(r.tag.css, r.tag.label)
        if r.rule_id:
            head += run(f" {r.rule_id} {r.title}", bold=True)
        else:
            head += run(" " + t("rule.informational", lang), bold=True)
        extra = t("rule.count", lang, n=r.count) if r.count > 1 else ""
        extra += f"［{r.catalog}］" if r.catalog else ""
        head += run(extra, size=8.5) if extra else ""
        paragraph(doc, head, style="Normal", keep=True, after=0)
        if r.text and r.text != r.title:
            _para(doc, r.text, keep=bool(r.basis), after=0)
        if r.basis and r.basis != r.text:
            _para(doc, t("rule.basis", lang, basis=r.basis), NOTE, after=4)


def _totals(doc: Any, section: KindSection) -> None:
    widths = _TOTAL_WIDTHS[section.measure]
    rows = [[r.label, r.relation, str(r.count), *r.cells, _tag(r.tag) if r.tag else ""] for r in section.totals]
    align = [None, None] + ["r"] * (len(widths) - 3) + [None]
    totals = [i for i, r in enumerate(section.totals) if r.total]
    table(doc, section.columns, rows, widths, align=align, total_rows=totals)


def _details(doc: Any, section: KindSection, lang: str) -> None:
    if len(section.details) + section.details_omitted <= len(section.totals):
        return  # the totals say it all: one zone per line
    _para(doc, t("details.rows", lang, n=len(section.details) + section.details_omitted), NOTE, keep=True)
    measure = t("col.overlap_length" if section.measure == "length" else "col.overlap_area", lang)
    headers = (
        [t(k, lang) for k in ("col.zone", "col.class", "col.relation")]
        + [measure]
        + [t(k, lang) for k in ("col.overlap_ratio", "col.distance", "col.rule", "col.verdict")]
    )
    rows = [
        [d.zone, d.zone_class, d.relation, d.measure, d.share, d.distance, d.rule, _tag(d.tag)] for d in section.details
    ]
    table(doc, headers, rows, _DETAIL_WIDTHS, align=[None, None, None, "r", "r", "r", None, None])
    if section.details_omitted:
        _para(doc, t("details.rows_omitted", lang, n=section.details_omitted), NOTE)


def _units(doc: Any, section: KindSection, level: int, lang: str, *, reasons: bool = True) -> None:
    """Add the judged access list of each unit; a batch (``reasons`` False) lists only the clauses that bind."""
    for unit in section.units if reasons else [compact_unit(u, lang) for u in section.units]:
        _heading(doc, unit.title, min(level + 1, 4))
        _para(doc, unit.summary + (unit.hidden and " " + unit.hidden), NOTE, keep=True)
        rows = []
        for g in unit.groups:
            label = Bold(f"【{g.label}】")  # in the first clause's cell: a row of its own could end a page
            if not g.rows:
                rows.append([f"【{g.label}】{t('access.none', lang)}"])
            for n, c in enumerate(g.rows):
                number = f"{c.number}{t('access.matched', lang)}" if c.matched else c.number
                text = Note(c.text, f"{c.where} · {c.clause_id}", bold=c.matched)
                row = [number, [label, text] if n == 0 else text, {"css": c.css, "label": c.conformity}]
                rows.append([*row, Note("", c.reason)] if reasons else row)
        keys = ["access.col.number", "access.col.clause", "col.conformity"] + (["col.reason"] if reasons else [])
        widths = _CLAUSE_WIDTHS if reasons else _CLAUSE_WIDTHS_SHORT
        align = ["c"] + [None] * (len(keys) - 1)
        table(doc, [t(k, lang) for k in keys], rows, widths, align=align, keep_together=6)


def _section(doc: Any, section: KindSection, level: int, lang: str, *, full: bool = True) -> None:
    """Add a kind's section; a batch (``full`` False) leaves out the detail rows and the clauses' reasons."""
    _heading(doc, section.title, level, section.tag)
    if section.narrative:
        _para(doc, section.narrative, keep=True)
    if section.note:
        _para(doc, section.note, NOTE, keep=True)
    _totals(doc, section)
    if section.rules:
        _rules(doc, section, lang)
    _units(doc, section, level, lang, reasons=full)
    if full:
        _details(doc, section, lang)


def _site(doc: Any, site: SiteReport, level: int, lang: str, *, single: bool = True) -> None:
    _heading(doc, site.headings["info"], level)
    _fields(doc, site.info, pairs=not single)
    _heading(doc, site.headings["conclusion"], level)
    _conclusion(doc, site, lang)
    if site.image is not None and not single:  # a batch: the map fills the first page, the sections follow
        _figure(doc, site, _MAP_WIDTH_BATCH_MM)
    if site.overview:
        _heading(doc, site.headings["analysis"], level)
        rows = [[o.label, o.situation, _tag(o.tag)] for o in site.overview]
        headers = [t(k, lang) for k in ("col.category", "col.situation", "col.conformity")]
        table(doc, headers, rows, [38, 99, 28])
    if site.image is not None and single:
        _figure(doc, site, _MAP_WIDTH_MM)
    for section in site.sections:
        _section(doc, section, level + 1, lang, full=single)


def _figure(doc: Any, site: SiteReport, width_mm: float) -> None:
    if site.image is not None:
        picture = add_picture(doc, site.image.png, width_mm)
        keep_with_next(picture)
        picture.paragraph_format.space_before = Pt(6)
        _para(doc, site.image.caption, NOTE, align="c", after=6)


def _summary(doc: Any, report: Report, lang: str) -> None:
    s = report.summary
    assert s is not None
    _heading(doc, report.headings["summary"], 1)
    _para(doc, s.text)
    headers = [tag.label for tag, _ in s.verdicts] + [t("summary.total", lang)]
    width = _WIDTH / len(headers)
    row = [f"{n:,}" for _, n in s.verdicts] + [f"{s.n_sites:,}"]
    table(doc, headers, [row], [width] * len(headers), align=["c"] * len(headers))
    if s.kinds:
        _heading(doc, t("heading.by_kind", lang), 2)
        rows = [[k["label"], f"{k['sites']:,}", f"{k['sites_raised']:,}", k["area"]] for k in s.kinds]
        headers = [t(k, lang) for k in ("col.kind", "summary.sites_affected", "col.sites_raised", "col.area_total")]
        table(doc, headers, rows, [55, 30, 30, 50], align=[None, "r", "r", "r"])
    _heading(doc, t("heading.site_table", lang), 2)
    if s.table_total > len(s.rows):
        _para(doc, t("sites.capped", lang, total=f"{s.table_total:,}", shown=f"{len(s.rows):,}"), NOTE)
    headers = [t(k, lang) for k in ("col.site_id", "col.project_name", "col.location", "col.verdict", "col.issues")]
    rows = [[r.site_id, r.name, r.location, _tag(r.tag), r.status or r.issues] for r in s.rows]
    table(doc, headers, rows, [18, 40, 28, 27, 52], keep_together=0)


def _opinion(doc: Any, report: Report, *, page_break: bool) -> None:
    lang = report.lang
    _heading(doc, report.headings["opinion"], 1, page_break=page_break)
    hint = para_xml(run(t("opinion.hint", lang), colour="808B96"), style="Normal", keep=True)
    box(doc, _WIDTH, hint, height_mm=60)
    labels = [t("opinion.handler", lang), t("opinion.reviewer", lang)]
    labels.append(t("opinion.date", lang) + t("opinion.date_blank", lang))
    spacer(doc, 16)
    table(doc, None, [labels], [50, 50, 65], borders=False, gap=False)


def _appendix(doc: Any, report: Report) -> None:
    lang, a = report.lang, report.appendix
    _heading(doc, t("heading.appendix", lang), 1, page_break=True)
    _heading(doc, t("heading.run", lang), 2)
    _fields(doc, a.run)
    _heading(doc, t("heading.layers", lang), 2)
    headers = [t(k, lang) for k in ("header.layer", "header.kind", "header.zones", "header.fingerprint")]
    rows = [[x["label"], x["kind"], x["zones"], x["fingerprint"]] for x in a.layers]
    table(doc, headers, rows, [52, 50, 18, 45], align=[None, None, "r", None])
    for heading, items in ((t("heading.catalogs", lang), a.catalogs), (t("header.access_lists", lang), a.access_lists)):
        if items:
            _heading(doc, heading, 2)
            for item in items:
                _para(doc, f"• {item}")
    if a.rules:
        _heading(doc, t("heading.rule_texts", lang), 2)
        rows = [[Bold(r.rule_id), Note(r.title, r.text, bold=True), Note("", r.basis)] for r in a.rules]
        headers = [t(k, lang) for k in ("col.rule", "col.rule_text", "col.basis")]
        table(doc, headers, rows, [20, 95, 50], keep_together=0)
    _heading(doc, t("heading.notices", lang), 2)
    for notice in a.notices:
        _para(doc, f"• {notice}")
    _para(doc, t("footer.generated_by", lang, version=report.version), NOTE)


def render_docx(report: Report) -> Any:
    """Render a report model as a ``docx.Document``."""
    lang = report.lang
    doc = Document()
    setup_document(doc)
    left = t("report.footer_notice" if report.illustrative else "report_title", lang)
    page_footer(doc, t("report.page_of", lang), left)
    props = doc.core_properties
    props.title = report.title
    props.subject = report.subtitle
    props.author = "redline-checker"
    props.comments = t("illustrative_notice", lang) if report.illustrative else ""
    _title_block(doc, report)
    if report.single:
        _site(doc, report.sites[0], 1, lang)
    else:
        _summary(doc, report, lang)
        _heading(doc, report.headings["details"], 1, page_break=True)
        if not report.sites:
            _para(doc, t("details.none", lang))
        for n, site in enumerate(report.sites, start=1):
            _heading(doc, f"（{n}）{site.title}", 2, site.tag, page_break=n > 1)
            if site.error:
                _para(doc, t("details.error", lang, message=site.error))
            _site(doc, site, 3, lang, single=False)
        if report.omitted:
            _para(doc, t("details.omitted", lang, n=f"{report.omitted:,}", limit=f"{report.limit:,}"), NOTE)
    _opinion(doc, report, page_break=not report.single)
    _appendix(doc, report)
    return doc


def render_report_docx(
    result: ScreeningResult,
    *,
    lang: str = "zh",
    max_detail_sites: int = MAX_DETAIL_SITES,
    max_table_sites: int = MAX_DOCX_TABLE_SITES,
    site_maps: bool = True,
    images: dict[str, bytes] | None = None,
) -> Any:
    """Build the Word report of a screening run; return the ``docx.Document``.

    Parameters are those of :func:`redline.checks.outputs.report_html.render_report_html`
    (``max_table_sites`` defaults to :data:`MAX_DOCX_TABLE_SITES`).

    Raises
    ------
    ValueError
        For an unsupported ``lang`` or a negative cap.
    """
    report = report_model(
        result,
        lang=lang,
        max_detail_sites=max_detail_sites,
        max_table_sites=max_table_sites,
        site_maps=site_maps,
        images=images,
    )
    return render_docx(report)


def write_report_docx(result: ScreeningResult, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write the Word report to ``path`` (keyword arguments as for :func:`render_report_docx`).

    Examples
    --------
    >>> write_report_docx(result, "out/report.docx")  # doctest: +SKIP
    """
    doc = render_report_docx(result, **kwargs)
    target = Path(path)
    doc.save(str(target))
    return target
