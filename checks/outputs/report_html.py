"""The HTML 研判报告: one self-contained page, printable on A4 portrait.

The page renders the report model (:func:`redline.checks.outputs.report_model.build_report`,
which the Word report renders too) with jinja2 (autoescape on) from ``templates/report.html``.
It has no external resources (no CDN, no fonts, no network): the site maps are PNG images
written into the page as data URIs and the only script is a few inline lines that make a
batch's site table sortable.

Layout, one site: title block, 一、项目基本信息, 二、研判结论与建议 (verdict, why, next steps),
三、符合性分析 (an overview of every kind, the site map, then one section per kind with its
totals, the rules applied and the detail rows folded under them; control units with the judged
access list), 四、审查意见 with the 经办人/审核人/日期 lines, and an appendix (layers and
fingerprints, catalogues, access lists, the run in Beijing time, notices).  A batch: 一、总体情况
(sites per verdict, per kind, the sortable site table), 二、逐址研判 (one article per site whose
verdict is not clear, each on a new printed page), 三、审查意见, appendix.

Print styles: A4 portrait, page numbers in the bottom margin, table columns of set widths, repeated
table headers, headings kept with what follows, no forced break that could leave a blank page.
This module imports neither folium nor matplotlib; the site maps are drawn by
:mod:`redline.maps.static_map`, imported only when a report is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import jinja2
from markupsafe import Markup

from redline.checks.outputs.report_model import (
    MAX_DETAIL_SITES,
    MAX_TABLE_SITES,
    Report,
    build_report,
    detail_site_ids,
)
from redline.checks.result import ScreeningResult
from redline.zones.labels import check_lang, t

__all__ = [
    "MAX_DETAIL_SITES",
    "MAX_TABLE_SITES",
    "detail_site_ids",
    "draw_site_maps",
    "render_html",
    "render_report_html",
    "report_model",
]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("redline.checks.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def draw_site_maps(result: ScreeningResult, site_ids: Iterable[str], *, lang: str = "zh") -> dict[str, bytes]:
    """Return ``{site_id: PNG}`` static maps of these sites (drawn by :mod:`redline.maps.static_map`).

    Sites without geometry are skipped.
    """
    from redline.maps.static_map import site_map_pngs

    return site_map_pngs(result, list(site_ids), lang=lang)


def report_model(
    result: ScreeningResult,
    *,
    lang: str = "zh",
    max_detail_sites: int = MAX_DETAIL_SITES,
    max_table_sites: int = MAX_TABLE_SITES,
    site_maps: bool = True,
    images: dict[str, bytes] | None = None,
) -> Report:
    """Return the report model, drawing the site maps first when asked and not given.

    Parameters are those of :func:`render_report_html`.
    """
    check_lang(lang)
    if images is None and site_maps:
        ids, _ = detail_site_ids(result, max(max_detail_sites, 0))
        images = draw_site_maps(result, ids, lang=lang) if ids else {}
    return build_report(
        result, lang=lang, max_detail_sites=max_detail_sites, max_table_sites=max_table_sites, images=images
    )


def _page_css(lang: str) -> Markup:
    """Return the CSS ``content`` of the page-number margin box: ``"第 " counter(page) " 页，共 " …``."""
    text = t("report.page_of", lang, page="\0page\0", pages="\0pages\0")
    parts = text.replace('"', "'").split("\0")
    css = " ".join(f"counter({p})" if i % 2 else f'"{p}"' for i, p in enumerate(parts) if p)
    return Markup(css)  # our own string table, no input text


def render_html(report: Report) -> str:
    """Render a report model as the HTML document."""
    gettext: Callable[..., str] = lambda key, **fmt: t(key, report.lang, **fmt)  # noqa: E731
    template = _environment().get_template("report.html")
    return template.render(
        _=gettext,
        report=report,
        page_css=_page_css(report.lang),
        html_lang="zh-CN" if report.lang == "zh" else "en",
    )


def render_report_html(
    result: ScreeningResult,
    *,
    lang: str = "zh",
    max_detail_sites: int = MAX_DETAIL_SITES,
    max_table_sites: int = MAX_TABLE_SITES,
    site_maps: bool = True,
    images: dict[str, bytes] | None = None,
) -> str:
    """Render the 研判报告 of a screening run as one self-contained HTML document.

    Parameters
    ----------
    result : ScreeningResult
        The run to report.
    lang : str, default "zh"
        ``zh`` or ``en``: the language of the headings, labels and generated text (rule texts
        come as the run produced them).
    max_detail_sites : int, default 200
        At most this many sites whose verdict is not clear get a section (worst first); the
        report says how many were left out.
    max_table_sites : int, default 5000
        A batch's site table lists every site up to this many; beyond, the worst ones, with a
        note pointing to sites.csv.
    site_maps : bool, default True
        Draw a static map of each detailed site (matplotlib).
    images : dict, optional
        ``{site_id: PNG bytes}`` already drawn (e.g. shared with the Word report); when given,
        nothing is drawn.

    Returns
    -------
    str
        The HTML document: no external resources, A4 print styles.

    Raises
    ------
    ValueError
        For an unsupported ``lang`` or a negative cap.

    Examples
    --------
    >>> html = render_report_html(result)  # doctest: +SKIP
    >>> Path("report.html").write_text(html, encoding="utf-8")  # doctest: +SKIP
    """
    report = report_model(
        result,
        lang=lang,
        max_detail_sites=max_detail_sites,
        max_table_sites=max_table_sites,
        site_maps=site_maps,
        images=images,
    )
    return render_html(report)
