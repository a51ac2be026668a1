"""The 研判报告 as data: the one model the HTML and the Word report both render.

:func:`build_report` turns a :class:`~redline.checks.result.ScreeningResult` into a
:class:`Report` of plain, language-resolved text (nothing escaped: each renderer escapes):

- a title block (the project's name for one site, the number of sites for a batch, the date
  in Beijing time, the illustrative-data notice);
- for a batch, :class:`Summary` (:mod:`.report_batch`): sites per verdict, sites and area per
  kind, then one row per site;
- one :class:`SiteReport` per detailed site (every site whose verdict is not clear or rests on a
  judged access list, worst first; a run of one site always): 项目基本信息 (:mod:`.report_info`), 研判结论 and 建议
  (:mod:`.report_narrative`), an overview of every kind, one 符合性分析 section per kind it
  touches (:mod:`.report_kinds`; control units with their judged access lists,
  :mod:`.report_clauses`) and its static map;
- the headings, numbered as a filed report numbers them;
- :class:`Appendix` (:mod:`.report_appendix`): layers with fingerprints, rule catalogues and versions, access lists, the
  run (buffer, input, tool version, time), notices and the disclaimer.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from redline._version import __version__
from redline.checks.outputs.location import locate
from redline.checks.outputs.report_appendix import Appendix, rules_once
from redline.checks.outputs.report_appendix import appendix as make_appendix
from redline.checks.outputs.report_batch import Summary, SummaryRow, batch_summary, findings_by_site
from redline.checks.outputs.report_clauses import site_place, site_project, unit_sections
from redline.checks.outputs.report_info import Field, site_info
from redline.checks.outputs.report_kinds import (
    CORE_KINDS,
    KindSection,
    KindStats,
    Tag,
    kind_section,
    kind_stats,
    measure_of,
    rank,
    section_order,
    site_verdict,
    tag,
)
from redline.checks.outputs.report_narrative import conclusion, kind_phrase, next_steps, situation
from redline.checks.outputs.units import format_date, missing
from redline.checks.result import ScreeningResult
from redline.zones.labels import (
    EM_DASH,
    STRINGS,
    check_lang,
    confidential_note,
    format_number,
    kind_label,
    t,
    verdict_text,
)

__all__ = [
    "MAX_DETAIL_SITES",
    "MAX_TABLE_SITES",
    "Appendix",
    "Figure",
    "OverviewRow",
    "Report",
    "SiteReport",
    "Summary",
    "SummaryRow",
    "build_report",
    "detail_site_ids",
    "site_verdict",
]

#: Default cap on detailed sites (each with a static map): the worst ones come first.
MAX_DETAIL_SITES = 200
#: The site table lists at most this many sites (the worst first) when a batch is bigger.
MAX_TABLE_SITES = 5000


@dataclass
class Figure:
    """A site's static map: PNG bytes, a data URI for the HTML page, caption and alt text."""

    png: bytes
    data_uri: str
    caption: str
    alt: str


@dataclass
class OverviewRow:
    """A line of a site's 符合性分析一览: a kind, how the site touches it, the conformity as a tag."""

    kind: str
    label: str
    situation: str
    tag: Tag
    anchor: str = ""


@dataclass
class SiteReport:
    """Everything the report says about one site (see the module docstring)."""

    anchor: str
    site_id: str
    title: str
    tag: Tag
    measure: str
    headings: dict[str, str]
    info: list[Field]
    conclusion: list[str]
    steps: list[str]
    overview: list[OverviewRow]
    sections: list[KindSection]
    image: Figure | None = None
    error: str = ""


@dataclass
class Report:
    """The whole report; :attr:`single` is True for a run of one site."""

    lang: str
    title: str
    subtitle: str
    date: str
    illustrative: bool
    single: bool
    headings: dict[str, str]
    summary: Summary | None
    sites: list[SiteReport]
    n_detailed: int
    omitted: int
    limit: int
    appendix: Appendix
    version: str


def _numeral(n: int, lang: str) -> str:
    digits = "零一二三四五六七八九"
    if lang != "zh":
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _headings(single: bool, lang: str) -> dict[str, str]:
    """Return the report's numbered headings: one site ``一、项目基本信息``; a batch ``二、逐址研判``."""
    keys = ["info", "conclusion", "analysis"]
    if single:
        out = {
            k: t("heading.numbered", lang, n=_numeral(i, lang), text=t(f"heading.{k}", lang))
            for i, k in enumerate(keys, 1)
        }
        out["opinion"] = t("heading.numbered", lang, n=_numeral(4, lang), text=t("heading.opinion", lang))
        return out
    out = {
        "summary": t("heading.numbered", lang, n=_numeral(1, lang), text=t("heading.summary", lang)),
        "details": t("heading.numbered", lang, n=_numeral(2, lang), text=t("heading.details", lang)),
        "opinion": t("heading.numbered", lang, n=_numeral(3, lang), text=t("heading.opinion", lang)),
    }
    return out


def _site_headings(single: bool, lang: str) -> dict[str, str]:
    if single:
        return _headings(True, lang)
    return {
        k: t("heading.sub", lang, n=i, text=t(f"heading.{k}", lang))
        for i, k in enumerate(("info", "conclusion", "analysis"), 1)
    }


def _kind_number(i: int, single: bool, lang: str) -> str:
    if single:
        return t("heading.kind_single", lang, n=_numeral(i, lang), i=i)
    return t("heading.kind_batch", lang, i=i)


def detail_site_ids(result: ScreeningResult, limit: int = MAX_DETAIL_SITES) -> tuple[list[str], int]:
    """Return the ids of the sites that get a section, worst first, and how many were left out.

    Every site whose verdict is not ``clear`` (``error`` rows included) is detailed, and so is a
    ``clear`` site that is clear because a control unit's access list was judged clause by clause
    (the report must show those clauses); a run of one site always details it.
    """
    sites = result.sites
    verdicts = [site_verdict(st, v) for st, v in zip(sites["status"], sites["verdict"], strict=True)]
    order = sorted(range(len(sites)), key=lambda i: (rank(verdicts[i]), i))
    findings = result.findings
    judged = set(findings.loc[findings["kind"] == "control_unit", "site_id"].astype(str)) if len(findings) else set()
    site_ids = sites["site_id"].astype(str).tolist()
    wanted = order if len(sites) == 1 else [i for i in order if verdicts[i] != "clear" or site_ids[i] in judged]
    ids = [site_ids[i] for i in wanted]
    return ids[:limit], max(len(ids) - limit, 0)


def _catalog_labeller(result: ScreeningResult, lang: str):
    known = result.catalog.titles.keys() | result.catalog.versions.keys()

    def label(f: dict[str, Any]) -> str:
        name = "" if missing(f.get("catalog")) else str(f["catalog"]).strip()
        if name in known:
            return result.catalog.titles.get(name, name)
        if "/" in str(f.get("rule_id") or ""):
            return t("catalog.access_list", lang, file=name or EM_DASH)
        return name

    return label


def _conformity(verdict: str, lang: str) -> Tag:
    key = f"conf.verdict.{verdict}"
    return Tag(verdict, t(key, lang) if key in STRINGS else verdict_text(verdict, lang))


def _overview(
    stats: dict[str, KindStats],
    measure: str,
    result: ScreeningResult,
    lang: str,
    anchors: dict[str, str],
    verdict: str,
) -> list[OverviewRow]:
    """Return the site's overview: every core kind of the layer set and every kind it has findings of.

    A site outside the layers' coverage (``no_coverage``) conforms to nothing it was not screened
    against: the kinds without findings say so instead of 符合.
    """
    present = set(result.layerset.kinds)
    kinds = section_order([k for k in CORE_KINDS if k in present] + list(stats))
    rows = []
    for kind in kinds:
        s = stats.get(kind)
        label = kind_label(kind, lang)
        if s is not None and s.secret:
            label = t("confidential.finding_kind", lang, kind=label)
        text = situation(s, measure, lang, present=kind in present, buffer_m=result.meta.get("buffer_m"))
        if verdict == "no_coverage" and (s is None or not s.findings):
            text, row_tag = t("overview.no_coverage", lang), _conformity("no_coverage", lang)
        elif kind not in present and s is None:
            row_tag = Tag("na", t("conf.absent", lang))
        elif s is None or not s.findings:
            row_tag = _conformity("clear", lang)
        else:
            row_tag = _conformity(s.verdict, lang)
        rows.append(OverviewRow(kind, label, text, row_tag, anchors.get(kind, "")))
    return rows


def _figure(
    png: bytes | None, number: int, title: str, secret: list[str], result: ScreeningResult, lang: str
) -> Figure | None:
    if not png:
        return None
    buffer_m = result.meta.get("buffer_m")
    caption = t(
        "details.map_caption",
        lang,
        n=number,
        site=title,
        buffer=EM_DASH if missing(buffer_m) else format_number(buffer_m, 0),
    )
    note = confidential_note(secret, lang)
    if note:
        caption = f"{caption}{'；' if lang == 'zh' else '; '}{note}"
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return Figure(png, uri, caption, t("details.map", lang) + f" — {title}")


def _site_report(
    row: dict[str, Any],
    findings: list[dict[str, Any]],
    result: ScreeningResult,
    lang: str,
    *,
    n: int,
    single: bool,
    png: bytes | None,
    figure: int,
) -> SiteReport:
    verdict = site_verdict(row.get("status"), row.get("verdict"))
    measure = measure_of(row.get("geom_type"))
    anchor = f"site-{n}"
    stats = kind_stats(findings)
    touching = [
        (f["kind"], f.get("zone_id"), f.get("zone_name"))
        for f in findings
        if f.get("relation") in ("inside", "overlaps")
    ]
    touching.sort(key=lambda z: z[0] != "control_unit")
    location = locate(row.get("geometry"), result.layerset, touching)
    info, title = site_info(row, location, measure, single=single, lang=lang)
    project = site_project(row)
    place = site_place(findings, result.layerset.kinds, result.meta.get("buffer_m"))
    units = unit_sections(findings, result.access_lists, project, place, lang)
    labeller = _catalog_labeller(result, lang)
    sections = []
    shown = [s for s in stats.values() if s.verdict != "clear" or s.kind in CORE_KINDS]
    for i, s in enumerate(shown, start=1):
        phrase = kind_phrase(s, measure, lang)
        narrative = t("narr.section", lang, phrase=phrase, verdict=verdict_text(s.verdict, lang)) if phrase else ""
        section = kind_section(s, measure=measure, narrative=narrative, catalog_label=labeller, lang=lang)
        section.title = f"{_kind_number(i, single, lang)}{section.title}"
        section.anchor = f"{anchor}-{s.kind}"
        if s.kind == "control_unit":
            section.units = units
        sections.append(section)
    secret = [s.kind for s in stats.values() if s.secret]
    layerset = result.layerset.name if single else ""
    error = "" if missing(row.get("error")) or verdict != "error" else str(row["error"])
    return SiteReport(
        anchor,
        str(row.get("site_id")),
        title,
        tag(verdict, lang),
        measure,
        _site_headings(single, lang),
        info,
        conclusion(stats, verdict, measure, lang, layerset=layerset, buffer_m=result.meta.get("buffer_m"), error=error),
        next_steps(stats, verdict, lang, row=row, units=units),
        _overview(stats, measure, result, lang, {x.kind: x.anchor for x in sections}, verdict)
        if verdict != "error"
        else [],
        sections,
        _figure(png, figure, title, secret, result, lang),
        error,
    )


def _sites(result: ScreeningResult, ids: list[str], images: dict[str, bytes], lang: str) -> list[SiteReport]:
    sites = result.sites
    keys = [str(s) for s in sites["site_id"]]
    row_of = {k: i for i, k in enumerate(keys)}
    shown = [row_of[k] for k in ids if k in row_of]
    by_site = findings_by_site(result, {keys[i] for i in shown})
    records = sites.iloc[shown].to_dict("records")
    geometry = sites.geometry.name
    single = len(sites) == 1
    out, figure = [], 0
    for n, row in enumerate(records, start=1):
        row["geometry"] = row.get(geometry)
        png = images.get(str(row["site_id"]))
        figure += bool(png)
        out.append(
            _site_report(
                row, by_site.get(str(row["site_id"]), []), result, lang, n=n, single=single, png=png, figure=figure
            )
        )
    return out


def build_report(
    result: ScreeningResult,
    *,
    lang: str = "zh",
    max_detail_sites: int = MAX_DETAIL_SITES,
    max_table_sites: int = MAX_TABLE_SITES,
    images: dict[str, bytes] | None = None,
) -> Report:
    """Return the report of a screening run as a :class:`Report`.

    Parameters
    ----------
    result : ScreeningResult
    lang : {"zh", "en"}
    max_detail_sites : int
        At most this many sites get a section (worst first); the report says how many more.
    max_table_sites : int
        A batch's site table lists every site up to this many, else the worst ones.
    images : dict, optional
        ``{site_id: PNG}`` static maps of the detailed sites.

    Raises
    ------
    ValueError
        For an unsupported ``lang`` or a negative cap.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> from redline.checks import check_site
    >>> report = build_report(check_site("109.4015,22.4923", load_layerset("sample"), industry="H6210"))
    >>> report.single, report.sites[0].tag.label, report.sites[0].info[0].label
    (True, '禁止', '项目名称')
    """
    check_lang(lang)
    if max_detail_sites < 0:
        raise ValueError(f"max_detail_sites must be 0 or more, got {max_detail_sites!r}")
    if max_table_sites < 0:
        raise ValueError(f"max_table_sites must be 0 or more, got {max_table_sites!r}")
    ids, omitted = detail_site_ids(result, max_detail_sites)
    sites = _sites(result, ids, images or {}, lang)
    single = len(result.sites) == 1
    created = result.meta.get("created")
    summary = None
    if not single:
        summary = batch_summary(result, lang, max_table_sites, {s.site_id: s.anchor for s in sites})
    appendix = make_appendix(result, lang)
    if not single:
        appendix.rules = rules_once(sites)
    subtitle = sites[0].title if single and sites else t("report.batch_subtitle", lang, n=f"{len(result.sites):,}")
    return Report(
        lang,
        t("report_title", lang),
        subtitle,
        format_date(created, lang),
        result.illustrative,
        single,
        _headings(single, lang),
        summary,
        sites,
        len(sites) + omitted,
        omitted,
        max_detail_sites,
        appendix,
        str(result.meta.get("tool_version", __version__)),
    )
