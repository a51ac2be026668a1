"""The HTML conflict report: one self-contained, printable page per screening run.

The page is rendered with jinja2 (autoescape on) from
``checks/templates/report.html``; everything it shows comes from a
:class:`~redline.checks.result.ScreeningResult`.  It has no external resources (no CDN,
no fonts, no network): the site maps are PNG images written into the page as
data URIs and the only script is a few inline lines that make the site table
sortable.  It prints on A4 (landscape).

Layout: header (layer set, fingerprints, rule catalogues and versions, buffer,
tool version, time; a banner for illustrative data), summary (sites per verdict,
findings per kind), the site table (sortable; for very large batches only the
worst :data:`MAX_TABLE_SITES` rows, with a note), then one detail section per
site whose verdict is not clear (worst first, at most ``max_detail_sites``, with
a note): verdict badge, project, findings table, the whole access list of every
control unit the site touches (matched clauses highlighted) and a static map.

:func:`report_context` builds the data both this page and the Word report
(:mod:`redline.checks.outputs.report_docx`) show.  This module imports neither folium nor
matplotlib; the site maps are drawn by :mod:`maps.static_map`, imported only
when a report is made.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import jinja2

from redline._version import __version__
from redline.checks.result import ScreeningResult
from redline.zones.access_list import DIMENSIONS, Clause
from redline.zones.industry import lookup
from redline.zones.kinds import KINDS
from redline.zones.labels import (
    EM_DASH,
    action_label,
    check_lang,
    class_label,
    confidential_note,
    dimension_label,
    format_number,
    format_ratio,
    kind_label,
    relation_label,
    t,
    tag_label,
    verdict_text,
)

__all__ = [
    "MAX_DETAIL_SITES",
    "MAX_TABLE_SITES",
    "detail_site_ids",
    "draw_site_maps",
    "render_report_html",
    "report_context",
]

_BADGES = ("prohibited", "restricted", "review", "clear", "error")
_RANK = {v: i for i, v in enumerate(_BADGES)}

#: Default cap on detailed sites (each with a static map): the worst ones come first.
MAX_DETAIL_SITES = 200
#: The site table lists at most this many sites (the worst first) when a batch is bigger.
MAX_TABLE_SITES = 5000


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("redline.checks.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _text(value: Any) -> str:
    """Return ``value`` as display text: an em dash for None, NaN or empty."""
    if value is None or (isinstance(value, float) and value != value):
        return EM_DASH
    text = str(value).strip()
    return text or EM_DASH


def _split(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in value.replace("；", ";").split(";") if p.strip()]


def _site_verdict(status: Any, verdict: Any) -> str:
    return "error" if status == "error" else str(verdict)


def _badge(verdict: str, lang: str) -> dict[str, str]:
    css = verdict if verdict in _BADGES else "error"
    return {"css": css, "label": verdict_text(verdict, lang)}


def _header(result: ScreeningResult, lang: str) -> dict[str, Any]:
    meta = result.meta
    layers = [
        {
            "label": layer.label,
            "kind": t("confidential.layer_kind", lang, kind=kind_label(layer.kind, lang))
            if getattr(layer, "confidential", False)
            else kind_label(layer.kind, lang),
            "fingerprint": layer.fingerprint.removeprefix("sha256:")[:16],
            "zones": len(layer.gdf),
        }
        for layer in result.layerset.layers
    ]
    catalogs = [
        {
            "name": name,
            "title": result.catalog.titles.get(name, name),
            "version": _text(result.catalog.versions.get(name)),
        }
        for name in _catalog_names(result)
    ]
    access_lists = [
        t(
            "header.access_list_item",
            lang,
            file=layer.access_list.name if layer.access_list is not None else _text(layer.access.source),
            layer=layer.label,
            n=len(layer.access),
            fingerprint=layer.access_fingerprint.removeprefix("sha256:")[:16] or EM_DASH,
        )
        for layer in result.layerset.layers
        if getattr(layer, "access", None) is not None
    ]
    buffer_m = meta.get("buffer_m")
    return {
        "layerset": result.layerset.name,
        "layers": layers,
        "catalogs": catalogs,
        "access_lists": access_lists,
        "buffer": format_number(buffer_m, 0) if buffer_m is not None else EM_DASH,
        "tool_version": _text(meta.get("tool_version", __version__)),
        "created": _text(meta.get("created")),
        "input_crs": _text(meta.get("input_crs")),
        "source": _text(meta.get("source")),
    }


def _catalog_names(result: ScreeningResult) -> list[str]:
    """Return every catalogue in force: the versioned ones in layering order, then any other a rule names."""
    names = dict.fromkeys(result.catalog.versions)
    names.update(dict.fromkeys(result.catalog.titles))
    names.update(dict.fromkeys(r.catalog for r in result.catalog if r.catalog))
    return list(names)


def _catalog_label(f: dict[str, Any], result: ScreeningResult, lang: str) -> str:
    """Return the catalogue a finding's rule came from: its title, or 准入清单 {file} for a clause."""
    name = "" if _text(f.get("catalog")) == EM_DASH else str(f.get("catalog")).strip()
    known = result.catalog.titles.keys() | result.catalog.versions.keys()
    if name in known:
        return result.catalog.titles.get(name, name)
    if "/" in str(f.get("rule_id") or ""):
        return t("catalog.access_list", lang, file=name or EM_DASH)
    return name


def _summary(result: ScreeningResult, lang: str) -> dict[str, Any]:
    counts = result.verdict_counts()
    verdicts = [{"badge": _badge(v, lang), "count": n} for v, n in counts.items()]
    findings = result.findings
    per_kind = Counter(findings["kind"])
    sites_per_kind = findings.groupby("kind")["site_id"].nunique().to_dict()
    order = [k for k in KINDS if k in per_kind] + sorted(k for k in per_kind if k not in KINDS)
    kinds = [{"label": kind_label(k, lang), "findings": per_kind[k], "sites": sites_per_kind[k]} for k in order]
    return {
        "verdicts": verdicts,
        "n_sites": sum(counts.values()),
        "kinds": kinds,
        "n_findings": len(findings),
        "n_sites_affected": findings["site_id"].nunique(),
    }


def _severity_order(result: ScreeningResult) -> list[int]:
    """Return site row numbers worst verdict first (errors after review), input order within a verdict."""
    sites = result.sites
    verdicts = [_site_verdict(st, v) for st, v in zip(sites["status"], sites["verdict"], strict=True)]
    return sorted(range(len(sites)), key=lambda i: (_RANK.get(verdicts[i], len(_BADGES)), i))


def _table_rows(result: ScreeningResult, limit: int) -> list[int]:
    """Return the rows of the site table: every site in input order, or the worst ``limit`` of them."""
    n = len(result.sites)
    if n <= limit:
        return list(range(n))
    return sorted(_severity_order(result)[:limit])


def _site_rows(result: ScreeningResult, lang: str, rows: list[int], anchors: dict[str, str]) -> list[dict[str, Any]]:
    sites = result.sites.iloc[rows]
    names = sites["name"] if "name" in sites else [None] * len(sites)
    geom_types = sites["geom_type"] if "geom_type" in sites else [None] * len(sites)
    out = []
    for site_id, name, geom_type, verdict, status, n, error in zip(
        sites["site_id"],
        names,
        geom_types,
        sites["verdict"],
        sites["status"],
        sites["n_findings"],
        sites["error"],
        strict=True,
    ):
        v = _site_verdict(status, verdict)
        out.append(
            {
                "site_id": _text(site_id),
                "anchor": anchors.get(str(site_id), ""),
                "name": _text(name),
                "geom_type": _text(geom_type),
                "badge": _badge(v, lang),
                "rank": _RANK.get(v, len(_BADGES)),
                "n_findings": _text(n),
                "status": _text(error) if v == "error" else t("status.ok", lang),
            }
        )
    return out


def _project(row: dict[str, Any], lang: str) -> dict[str, str]:
    industries = []
    for code in _split(row.get("industry")):
        ind = lookup(code)
        industries.append(f"{code} {ind.name}" if ind else code)
    tags = [tag_label(tag, lang) for tag in _split(row.get("tags"))]
    return {
        "industry": "；".join(industries) or EM_DASH,
        "tags": "；".join(tags) or EM_DASH,
        "action": action_label(row.get("action"), lang),
    }


def _finding_row(f: dict[str, Any], result: ScreeningResult, lang: str) -> dict[str, Any]:
    kind = str(f.get("kind", ""))
    zone_name = f.get("zone_name")
    zone = _text(f.get("zone_id"))
    if _text(zone_name) != EM_DASH:
        zone = f"{zone} {zone_name}"
    others = [c for c in _split(f.get("matched_rules")) if c != f.get("rule_id")]
    label = kind_label(kind, lang)
    return {
        "kind": t("confidential.finding_kind", lang, kind=label) if f.get("_secret") else label,
        "zone": zone,
        "zone_class": class_label(kind, f.get("zone_class"), lang) or EM_DASH,
        "relation": relation_label(f.get("relation"), lang),
        "area": format_number(f.get("overlap_area_m2")),
        "ratio": format_ratio(f.get("overlap_ratio")),
        "length": format_number(f.get("overlap_length_m")),
        "distance": format_number(f.get("distance_m")),
        "badge": _badge(str(f.get("verdict")), lang),
        "rule": _text(f.get("rule_id")),
        "catalog": _catalog_label(f, result, lang),
        "other_rules": "、".join(others),
        "rule_title": _text(f.get("rule_title")) if f.get("rule_title") else "",
        "rule_text": _text(f.get("rule_text")),
        "basis": _text(f.get("basis")),
    }


def _records(frame: Any, columns: Iterable[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in frame.columns]
    return frame[cols].to_dict("records")


def detail_site_ids(result: ScreeningResult, limit: int = MAX_DETAIL_SITES) -> tuple[list[str], int]:
    """Return the ids of the sites that get a detail section, worst first, and how many were left out.

    Every site whose verdict is not ``clear`` (``error`` rows included) is
    detailed; a run of one site always details it.
    """
    sites = result.sites
    order = _severity_order(result)
    if len(sites) == 1:
        wanted = order
    else:
        wanted = [i for i in order if _site_verdict(sites["status"].iloc[i], sites["verdict"].iloc[i]) != "clear"]
    ids = [str(sites["site_id"].iloc[i]) for i in wanted]
    return ids[:limit], max(len(ids) - limit, 0)


def draw_site_maps(result: ScreeningResult, site_ids: Iterable[str], *, lang: str = "zh") -> dict[str, bytes]:
    """Return ``{site_id: PNG}`` static maps of these sites (drawn by :mod:`maps.static_map`).

    Sites without geometry are skipped.
    """
    from redline.maps.static_map import site_map_pngs

    return site_map_pngs(result, list(site_ids), lang=lang)


def _details(result: ScreeningResult, lang: str, ids: list[str], images: dict[str, bytes]) -> list[dict[str, Any]]:
    sites, findings = result.sites, result.findings
    keys = [str(s) for s in sites["site_id"]]
    row_of = {k: i for i, k in enumerate(keys)}
    shown = [row_of[k] for k in ids if k in row_of]
    shown_keys = {keys[i] for i in shown}
    keep = findings["site_id"].astype(str).isin(shown_keys).to_numpy()
    subset = findings[keep]
    secret = result.confidential_findings()[keep]
    by_site: dict[str, list[dict[str, Any]]] = {}
    records = _records(subset, [c for c in subset.columns if c != subset.geometry.name])
    for f, hidden in zip(records, secret, strict=True):
        f["_secret"] = bool(hidden)  # a confidential (涉密) layer's finding: marked, its zone never drawn
        by_site.setdefault(str(f["site_id"]), []).append(f)
    site_cols = [c for c in sites.columns if c != sites.geometry.name]
    site_records = _records(sites.iloc[shown], site_cols)
    buffer_m = result.meta.get("buffer_m")
    details = []
    figure = 0
    for n, row in enumerate(site_records, start=1):
        key = str(row["site_id"])
        raw = by_site.get(key, [])
        detail = _detail(row, [_finding_row(f, result, lang) for f in raw], lang)
        detail["anchor"] = f"site-{n}"
        detail["access_lists"] = _access_sections(raw, result, lang, f"site-{n}")
        png = images.get(key)
        detail["image"] = None
        if png:
            figure += 1
            label = f"{detail['site_id']} {detail['name']}".strip()
            note = confidential_note([f["kind"] for f in raw if f["_secret"]], lang)
            caption = t(
                "details.map_caption",
                lang,
                n=figure,
                site=label,
                buffer=format_number(buffer_m, 0) if buffer_m is not None else EM_DASH,
            )
            detail["image"] = {
                "png": png,
                "data_uri": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
                "caption": f"{caption}{'；' if lang == 'zh' else '; '}{note}" if note else caption,
                "alt": t("details.map", lang) + f" — {label}",
            }
        details.append(detail)
    return details


def _scope(clause: Clause, unit_code: str, lang: str) -> str:
    if clause.unit_code == unit_code:
        return t("access.scope.unit", lang)
    if clause.unit_code == "*":
        return t("access.scope.all", lang)
    if clause.unit_code in KINDS["control_unit"].classes:
        return t("access.scope.class", lang, cls=class_label("control_unit", clause.unit_code, lang))
    return clause.unit_code


def _access_sections(
    findings: list[dict[str, Any]], result: ScreeningResult, lang: str, anchor: str
) -> list[dict[str, Any]]:
    """Return the access list of every control unit a site lies in or overlaps, matches marked.

    Only the clause ids in this site's own findings for that unit count as matched.
    """
    lists = {str(code): clauses for code, clauses in result.access_lists.items()}
    units: dict[str, dict[str, Any]] = {}
    for f in findings:
        code = str(f.get("zone_id"))
        if f.get("kind") != "control_unit" or f.get("relation") not in ("inside", "overlaps") or code not in lists:
            continue
        unit = units.setdefault(code, {"name": f.get("zone_name"), "class": f.get("zone_class"), "matched": set()})
        unit["matched"].update(_split(f.get("matched_rules")))
    sections = []
    for u, (code, unit) in enumerate(units.items(), start=1):
        clauses = lists[code]
        matched = unit["matched"]
        dimensions = list(DIMENSIONS) + list(
            dict.fromkeys(c.dimension for c in clauses if c.dimension not in DIMENSIONS)
        )
        groups = []
        for dim in dimensions:
            items = [
                {
                    "number": c.number,
                    "clause_id": c.clause_id,
                    "scope": _scope(c, code, lang),
                    "text": c.text,
                    "badge": _badge(c.verdict, lang) if c.structured else None,
                    "applies": c.clause_id in matched,
                }
                for c in clauses
                if c.dimension == dim
            ]
            groups.append({"label": dimension_label(dim, lang), "clauses": items})
        name = "" if _text(unit["name"]) == EM_DASH else str(unit["name"]).strip()
        label = f"{code} {name}" if name else code
        cls = class_label("control_unit", unit["class"], lang)
        sources = "、".join(dict.fromkeys(c.source for c in clauses if c.source)) or EM_DASH
        sections.append(
            {
                "anchor": f"{anchor}-unit-{u}",
                "title": t("access.title", lang, unit=label, cls=cls)
                if cls
                else t("access.title_no_class", lang, unit=label),
                "summary": t(
                    "access.summary",
                    lang,
                    file=sources,
                    n=len(clauses),
                    m=sum(c.clause_id in matched for c in clauses),
                ),
                "groups": groups,
            }
        )
    return sections


def _detail(row: dict[str, Any], findings: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    verdict = _site_verdict(row.get("status"), row.get("verdict"))
    measures = []
    if _text(row.get("site_area_m2")) != EM_DASH:
        measures.append(t("details.area", lang, area=format_number(row["site_area_m2"])))
    if _text(row.get("site_length_m")) != EM_DASH:
        measures.append(t("details.length", lang, length=format_number(row["site_length_m"])))
    return {
        "site_id": _text(row.get("site_id")),
        "name": _text(row.get("name")) if row.get("name") else "",
        "measures": ("，" if lang == "zh" else ", ").join([_text(row.get("geom_type")), *measures]),
        "badge": _badge(verdict, lang),
        "error": _text(row.get("error")) if verdict == "error" else "",
        "project": _project(row, lang),
        "findings": findings,
    }


def report_context(
    result: ScreeningResult,
    *,
    lang: str = "zh",
    max_detail_sites: int = MAX_DETAIL_SITES,
    max_table_sites: int = MAX_TABLE_SITES,
    site_maps: bool = True,
    images: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """Return what a report shows, as plain data (shared by the HTML and Word reports).

    Parameters are those of :func:`render_report_html`.  Keys: ``lang``,
    ``illustrative``, ``header``, ``summary``, ``sites`` (the table rows),
    ``table_total``, ``details`` (each with ``image``: ``png`` bytes, a
    ``data_uri``, ``caption`` and ``alt``, or None), ``omitted``, ``limit``,
    ``version``.

    Raises
    ------
    ValueError
        For an unsupported ``lang`` or a negative cap.
    """
    check_lang(lang)
    if max_detail_sites < 0:
        raise ValueError(f"max_detail_sites must be 0 or more, got {max_detail_sites!r}")
    if max_table_sites < 0:
        raise ValueError(f"max_table_sites must be 0 or more, got {max_table_sites!r}")
    ids, omitted = detail_site_ids(result, max_detail_sites)
    if images is None:
        images = draw_site_maps(result, ids, lang=lang) if site_maps and ids else {}
    details = _details(result, lang, ids, images)
    anchors = {d["site_id"]: d["anchor"] for d in details}
    rows = _table_rows(result, max_table_sites)
    return {
        "lang": lang,
        "illustrative": result.illustrative,
        "header": _header(result, lang),
        "summary": _summary(result, lang),
        "sites": _site_rows(result, lang, rows, anchors),
        "table_total": len(result.sites),
        "details": details,
        "n_detailed": len(details) + omitted,
        "omitted": omitted,
        "limit": max_detail_sites,
        "version": _text(result.meta.get("tool_version", __version__)),
    }


def render_report_html(
    result: ScreeningResult,
    *,
    lang: str = "zh",
    max_detail_sites: int = MAX_DETAIL_SITES,
    max_table_sites: int = MAX_TABLE_SITES,
    site_maps: bool = True,
    images: dict[str, bytes] | None = None,
) -> str:
    """Render the conflict report of a screening run as one self-contained HTML document.

    Parameters
    ----------
    result : ScreeningResult
        The run to report.
    lang : str, default "zh"
        ``zh`` or ``en``: the language of the headings and labels (rule texts
        come as the run produced them).
    max_detail_sites : int, default 200
        At most this many sites whose verdict is not clear get a detail section
        (worst first); the report says how many were left out.
    max_table_sites : int, default 5000
        The site table lists every site up to this many; beyond, the worst
        ones, with a note pointing to sites.csv.
    site_maps : bool, default True
        Draw a static map of each detailed site (matplotlib).
    images : dict, optional
        ``{site_id: PNG bytes}`` already drawn (e.g. shared with the Word
        report); when given, nothing is drawn.

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
    context = report_context(
        result,
        lang=lang,
        max_detail_sites=max_detail_sites,
        max_table_sites=max_table_sites,
        site_maps=site_maps,
        images=images,
    )
    gettext: Callable[..., str] = lambda key, **fmt: t(key, lang, **fmt)  # noqa: E731
    template = _environment().get_template("report.html")
    return template.render(
        _=gettext,
        html_lang="zh-CN" if lang == "zh" else "en",
        **context,
    )
