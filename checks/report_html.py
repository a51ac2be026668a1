"""The HTML conflict report: one self-contained, printable page per screening run.

The page is rendered with jinja2 (autoescape on) from
``checks/templates/report.html``; everything it shows comes from a
:class:`~checks.result.ScreeningResult`.  It has no scripts, no external
stylesheets or fonts, so it opens offline and prints on A4.  This module
imports neither folium nor matplotlib.

Every site with findings gets, after its findings table, the whole access list
(生态环境准入清单) of each control unit it lies in or overlaps, grouped by the
four dimensions; the clauses that matched that site's project are highlighted.
Each finding's rule code carries the title of the catalogue it came from (or
the access-list file for a clause).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import jinja2

from checks._version import __version__
from checks.i18n import (
    EM_DASH,
    action_label,
    check_lang,
    class_label,
    dimension_label,
    format_number,
    format_ratio,
    kind_label,
    relation_label,
    t,
    tag_label,
    verdict_text,
)
from checks.result import ScreeningResult
from zones.access_list import DIMENSIONS, Clause
from zones.industry import lookup
from zones.kinds import KINDS

__all__ = ["render_report_html"]

_BADGES = ("prohibited", "restricted", "review", "clear", "error")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("checks", "templates"),
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
            "kind": kind_label(layer.kind, lang),
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


def _site_rows(result: ScreeningResult, lang: str) -> list[dict[str, Any]]:
    sites = result.sites
    names = sites["name"] if "name" in sites else [None] * len(sites)
    geom_types = sites["geom_type"] if "geom_type" in sites else [None] * len(sites)
    rows = []
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
        rows.append(
            {
                "site_id": _text(site_id),
                "name": _text(name),
                "geom_type": _text(geom_type),
                "badge": _badge(v, lang),
                "n_findings": _text(n),
                "status": _text(error) if v == "error" else t("status.ok", lang),
            }
        )
    return rows


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
    return {
        "kind": kind_label(kind, lang),
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


def _details(result: ScreeningResult, lang: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    sites, findings = result.sites, result.findings
    keys = [str(s) for s in sites["site_id"]]
    has_findings = {str(s) for s in findings["site_id"]}
    wanted = [
        i
        for i, (key, status) in enumerate(zip(keys, sites["status"], strict=True))
        if status == "error" or key in has_findings
    ]
    shown = wanted[:limit]
    shown_keys = {keys[i] for i in shown}
    subset = findings[findings["site_id"].astype(str).isin(shown_keys)]
    by_site: dict[str, list[dict[str, Any]]] = {}
    for f in _records(subset, [c for c in subset.columns if c != subset.geometry.name]):
        by_site.setdefault(str(f["site_id"]), []).append(f)
    site_cols = [c for c in sites.columns if c != sites.geometry.name]
    site_records = _records(sites.iloc[shown], site_cols)
    details = []
    for n, row in enumerate(site_records, start=1):
        raw = by_site.get(str(row["site_id"]), [])
        detail = _detail(row, [_finding_row(f, result, lang) for f in raw], lang)
        detail["access_lists"] = _access_sections(raw, result, lang, f"site-{n}")
        details.append(detail)
    return details, len(wanted) - len(shown)


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


def render_report_html(result: ScreeningResult, *, lang: str = "zh", max_detail_sites: int = 500) -> str:
    """Render the conflict report of a screening run as one self-contained HTML document.

    Parameters
    ----------
    result : ScreeningResult
        The run to report.
    lang : str, default "zh"
        ``zh`` or ``en``: the language of the headings and labels (rule texts
        come as the run produced them).
    max_detail_sites : int, default 500
        At most this many sites with findings or errors get a detail section;
        the report says how many were left out.  The site table always lists
        every site.

    Returns
    -------
    str
        The HTML document: no scripts, no external resources, A4 print styles.

    Raises
    ------
    ValueError
        For an unsupported ``lang`` or a negative ``max_detail_sites``.

    Examples
    --------
    >>> html = render_report_html(result)  # doctest: +SKIP
    >>> Path("report.html").write_text(html, encoding="utf-8")  # doctest: +SKIP
    """
    check_lang(lang)
    if max_detail_sites < 0:
        raise ValueError(f"max_detail_sites must be 0 or more, got {max_detail_sites!r}")
    details, omitted = _details(result, lang, max_detail_sites)
    gettext: Callable[..., str] = lambda key, **fmt: t(key, lang, **fmt)  # noqa: E731
    template = _environment().get_template("report.html")
    return template.render(
        _=gettext,
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        illustrative=result.illustrative,
        header=_header(result, lang),
        summary=_summary(result, lang),
        sites=_site_rows(result, lang),
        details=details,
        omitted=omitted,
        limit=max_detail_sites,
        version=_text(result.meta.get("tool_version", __version__)),
    )
