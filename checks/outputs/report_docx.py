"""The Word conflict report (研判报告, ``report.docx``) a reviewer attaches to the file.

Same content as the HTML report (:func:`redline.checks.outputs.report_html.report_context`):
header (layer set, fingerprints, rule catalogues, buffer, tool version, time),
the illustrative-data notice, the summary, the site table, then for each
detailed site its verdict, project, static map, findings (rule code, text and
basis) and the access lists of the control units it touches.  A4 landscape,
宋体/黑体 for Chinese text, page numbers in the footer; written with python-docx.

The site table is capped lower than in the HTML report (:data:`MAX_DOCX_TABLE_SITES`):
a Word table of thousands of rows is slow to write and to open; sites.csv and
results.xlsx hold every site.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from redline.checks.outputs.report_html import MAX_DETAIL_SITES, report_context
from redline.checks.result import ScreeningResult
from redline.zones.labels import t

__all__ = ["MAX_DOCX_TABLE_SITES", "render_report_docx", "write_report_docx"]

#: The Word report's site table lists at most this many sites (the worst first).
MAX_DOCX_TABLE_SITES = 1000

_COLORS = {
    "prohibited": "C0392B",
    "restricted": "E67E22",
    "review": "F1C40F",
    "clear": "27AE60",
    "error": "95A5A6",
}
_BODY_FONT = ("Times New Roman", "宋体")
_HEAD_FONT = ("Arial", "黑体")
_TABLE_STYLE = "Table Grid"
_CELL_STYLE = "RC Table Text"
_CELL_STYLE_ID = "RCTableText"
_SMALL_STYLE = "RC Small"


def _fonts(style: Any, latin: str, east_asia: str) -> None:
    style.font.name = latin
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _setup(doc: Any, lang: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(15))
    section.top_margin = section.bottom_margin = Mm(14)
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal, *_BODY_FONT)
    normal.font.size = Pt(10.5)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 12.5), ("Heading 3", 11)):
        st = styles[name]
        _fonts(st, *_HEAD_FONT)
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x1C, 0x28, 0x33)
    from docx.enum.style import WD_STYLE_TYPE

    cell = styles.add_style(_CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    assert cell.style_id == _CELL_STYLE_ID
    cell.base_style = normal
    cell.font.size = Pt(8)
    cell.paragraph_format.space_after = Pt(0)
    cell.paragraph_format.space_before = Pt(0)
    small = styles.add_style(_SMALL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = normal
    small.font.size = Pt(8.5)
    small.font.color.rgb = RGBColor(0x5D, 0x6D, 0x7E)


def _footer(doc: Any, context: dict[str, Any], lang: str) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.style = doc.styles[_SMALL_STYLE]
    text = t("report_title", lang)
    if context["illustrative"]:
        text += " · " + t("illustrative_notice", lang)
    p.add_run(text + " · ")
    before, _, after = t("docx.page", lang, page="\0").partition("\0")
    p.add_run(before)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    txt = OxmlElement("w:t")
    txt.text = "1"
    run.append(txt)
    fld.append(run)
    p._p.append(fld)
    p.add_run(after)


def _shade(cell: Any, hex_color: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_color)
    tcpr.append(shd)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _write_cell(cell: Any, text: str, *, bold: bool = False, color: str | None = None) -> None:
    para = cell.paragraphs[0]
    para._p.style = _CELL_STYLE_ID  # by id: python-docx looks a style name up among all styles each time
    run = para.add_run(text)
    if bold:
        run.bold = True
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _badge_cell(cell: Any, badge: dict[str, str]) -> None:
    css = badge["css"]
    _shade(cell, _COLORS.get(css, _COLORS["error"]))
    _write_cell(cell, badge["label"], bold=True, color="1C2833" if css == "review" else "FFFFFF")


def _table(doc: Any, headers: list[str], rows: Iterable[list[Any]], *, widths_mm: list[float] | None = None) -> Any:
    """Add a table; a cell value is text or ``{"badge": ...}`` for a coloured verdict cell."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles[_TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, headers, strict=True):
        _shade(cell, "EAEDED")
        _write_cell(cell, text, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            if isinstance(value, dict) and "badge" in value:
                _badge_cell(cell, value["badge"])
            else:
                _write_cell(cell, str(value), bold=isinstance(value, _Bold), color=getattr(value, "color", None))
    if widths_mm:
        for row in table.rows:
            for cell, w in zip(row.cells, widths_mm, strict=False):
                cell.width = Mm(w)
    return table


class _Bold(str):
    """A table value written in bold."""

    color: str | None = None


def _meta_table(doc: Any, rows: list[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles[_TABLE_STYLE]
    for label, value in rows:
        cells = table.add_row().cells
        _shade(cells[0], "EAEDED")
        _write_cell(cells[0], label, bold=True)
        _write_cell(cells[1], value)
        cells[0].width, cells[1].width = Mm(45), Mm(222)


def _header(doc: Any, context: dict[str, Any], lang: str) -> None:
    h = context["header"]
    catalogs = "\n".join(
        f"{c['title']} ({c['name']}) {t('header.version', lang)} {c['version']}" for c in h["catalogs"]
    )
    rows = [(t("header.layerset", lang), h["layerset"]), (t("header.rules", lang), catalogs or "—")]
    if h["access_lists"]:
        rows.append((t("header.access_lists", lang), "\n".join(h["access_lists"])))
    rows += [
        (t("header.buffer", lang), f"{h['buffer']} m — {t('header.buffer_note', lang, buffer=h['buffer'])}"),
        (t("header.source", lang), h["source"]),
        (t("header.input_crs", lang), h["input_crs"]),
        (t("header.tool_version", lang), f"redline-checker {h['tool_version']}"),
        (t("header.created", lang), h["created"]),
    ]
    _meta_table(doc, rows)
    doc.add_paragraph(t("header.layers", lang), style="Heading 3")
    _table(
        doc,
        [t("header.layer", lang), t("header.kind", lang), t("header.fingerprint", lang), t("header.zones", lang)],
        ([x["label"], x["kind"], x["fingerprint"], f"{x['zones']:,}"] for x in h["layers"]),
    )


def _summary(doc: Any, context: dict[str, Any], lang: str) -> None:
    s = context["summary"]
    doc.add_paragraph(t("summary.title", lang), style="Heading 1")
    doc.add_paragraph(t("summary.by_verdict", lang), style="Heading 3")
    table = doc.add_table(rows=2, cols=len(s["verdicts"]) + 1)
    table.style = doc.styles[_TABLE_STYLE]
    for cell, v in zip(table.rows[0].cells, s["verdicts"], strict=False):
        _badge_cell(cell, v["badge"])
    _shade(table.rows[0].cells[-1], "EAEDED")
    _write_cell(table.rows[0].cells[-1], t("summary.total", lang), bold=True)
    for cell, v in zip(table.rows[1].cells, s["verdicts"], strict=False):
        _write_cell(cell, f"{v['count']:,}")
    _write_cell(table.rows[1].cells[-1], f"{s['n_sites']:,}", bold=True)
    doc.add_paragraph(t("summary.by_kind", lang), style="Heading 3")
    if s["kinds"]:
        rows = [[k["label"], f"{k['findings']:,}", f"{k['sites']:,}"] for k in s["kinds"]]
        rows.append(
            [_Bold(t("summary.total", lang)), _Bold(f"{s['n_findings']:,}"), _Bold(f"{s['n_sites_affected']:,}")]
        )
        _table(doc, [t("col.kind", lang), t("summary.findings", lang), t("summary.sites_affected", lang)], rows)
    else:
        doc.add_paragraph(t("summary.no_findings", lang))


def _sites(doc: Any, context: dict[str, Any], lang: str) -> None:
    doc.add_paragraph(t("sites.title", lang), style="Heading 1")
    if context["table_total"] > len(context["sites"]):
        doc.add_paragraph(
            t("sites.capped", lang, total=f"{context['table_total']:,}", shown=f"{len(context['sites']):,}"),
            style=_SMALL_STYLE,
        )
    headers = [
        t(k, lang)
        for k in ("col.site_id", "col.site_name", "col.geom_type", "col.verdict", "col.n_findings", "col.status")
    ]
    rows = (
        [s["site_id"], s["name"], s["geom_type"], {"badge": s["badge"]}, s["n_findings"], s["status"]]
        for s in context["sites"]
    )
    _table(doc, headers, rows, widths_mm=[30, 80, 25, 28, 18, 86])


def _finding_rows(findings: list[dict[str, Any]]) -> Iterable[list[Any]]:
    for f in findings:
        rule = f["rule"]
        if f["catalog"]:
            rule += f"\n{f['catalog']}"
        if f["other_rules"]:
            rule += f"\n+ {f['other_rules']}"
        text = f"{f['rule_title']}\n{f['rule_text']}" if f["rule_title"] else f["rule_text"]
        yield [
            f["kind"],
            f["zone"],
            f["zone_class"],
            f["relation"],
            f["area"],
            f["ratio"],
            f["length"],
            f["distance"],
            {"badge": f["badge"]},
            rule,
            text,
            f["basis"],
        ]


def _detail(doc: Any, d: dict[str, Any], lang: str) -> None:
    heading = doc.add_paragraph(style="Heading 2")
    heading.add_run(f"{d['site_id']} {d['name']}".strip() + "　")
    run = heading.add_run(f" {d['badge']['label']} ")
    run.font.color.rgb = RGBColor.from_string(_COLORS.get(d["badge"]["css"], _COLORS["error"]))
    doc.add_paragraph(d["measures"], style=_SMALL_STYLE)
    if d["error"]:
        p = doc.add_paragraph()
        r = p.add_run(t("details.error", lang, message=d["error"]))
        r.font.color.rgb = RGBColor.from_string(_COLORS["prohibited"])
    _meta_table(
        doc,
        [
            (t("project.industry", lang), d["project"]["industry"]),
            (t("project.tags", lang), d["project"]["tags"]),
            (t("project.action", lang), d["project"]["action"]),
        ],
    )
    if d["image"]:
        doc.add_picture(io.BytesIO(d["image"]["png"]), width=Mm(176))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cap = doc.add_paragraph(d["image"]["caption"], style=_SMALL_STYLE)
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if d["findings"]:
        headers = [
            t(k, lang)
            for k in (
                "col.kind",
                "col.zone",
                "col.class",
                "col.relation",
                "col.overlap_area",
                "col.overlap_ratio",
                "col.overlap_length",
                "col.distance",
                "col.verdict",
                "col.rule",
                "col.rule_text",
                "col.basis",
            )
        ]
        _table(doc, headers, _finding_rows(d["findings"]), widths_mm=[18, 34, 16, 13, 18, 14, 16, 14, 16, 22, 54, 32])
    for a in d["access_lists"]:
        doc.add_paragraph(a["title"], style="Heading 3")
        doc.add_paragraph(a["summary"], style=_SMALL_STYLE)
        rows = []
        for g in a["groups"]:
            rows.append([_Bold(g["label"]), "", "", ""])
            if not g["clauses"]:
                rows.append(["", "", t("access.none", lang), ""])
            for c in g["clauses"]:
                text = f"{t('access.applies', lang)} {c['text']}" if c["applies"] else c["text"]
                clause = _Bold(f"{text}\n{c['clause_id']}") if c["applies"] else f"{text}\n{c['clause_id']}"
                verdict = {"badge": c["badge"]} if c["badge"] else t("access.unstructured", lang)
                rows.append([str(c["number"]), c["scope"], clause, verdict])
        headers = [
            t(k, lang) for k in ("access.col.number", "access.col.scope", "access.col.clause", "access.col.verdict")
        ]
        _table(doc, headers, rows, widths_mm=[12, 38, 180, 37])


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
    context = report_context(
        result,
        lang=lang,
        max_detail_sites=max_detail_sites,
        max_table_sites=max_table_sites,
        site_maps=site_maps,
        images=images,
    )
    doc = Document()
    _setup(doc, lang)
    _footer(doc, context, lang)
    props = doc.core_properties
    props.title = t("report_title", lang)
    props.author = "redline-checker"
    props.comments = t("illustrative_notice", lang) if context["illustrative"] else ""
    doc.add_paragraph(t("report_title", lang), style="Title")
    if context["illustrative"]:
        p = doc.add_paragraph()
        run = p.add_run("⚠ " + t("illustrative_notice", lang))
        run.bold = True
        run.font.size = Pt(14)
        run.font.color.rgb = RGBColor.from_string(_COLORS["prohibited"])
    _header(doc, context, lang)
    _summary(doc, context, lang)
    _sites(doc, context, lang)
    doc.add_page_break()
    doc.add_paragraph(t("details.title", lang), style="Heading 1")
    if context["details"]:
        doc.add_paragraph(t("details.scope", lang, n=f"{context['n_detailed']:,}"), style=_SMALL_STYLE)
    else:
        doc.add_paragraph(t("details.none", lang))
    for d in context["details"]:
        _detail(doc, d, lang)
    if context["omitted"]:
        doc.add_paragraph(
            t("details.omitted", lang, n=f"{context['omitted']:,}", limit=f"{context['limit']:,}"), style=_SMALL_STYLE
        )
    doc.add_paragraph()
    if context["illustrative"]:
        p = doc.add_paragraph()
        p.add_run(t("illustrative_notice", lang)).bold = True
    for key in ("footer.basis", "footer.disclaimer"):
        doc.add_paragraph(t(key, lang), style=_SMALL_STYLE)
    doc.add_paragraph(t("footer.generated_by", lang, version=context["version"]), style=_SMALL_STYLE)
    return doc


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
