"""A batch's 总体情况: sites per verdict, sites and area per kind, and the site table.

Each row of the site table names the site, its project, its county and town (from its
representative point), its verdict as a tag and its main issues (the kinds that raise something,
with the overlap in 公顷 and 亩).  Findings are read once, grouped by site
(:func:`findings_by_site`), which the detailed sections use too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from redline.checks.outputs.report_info import project_name, summary_locations
from redline.checks.outputs.report_kinds import Tag, kind_stats, rank, section_order, site_verdict, tag
from redline.checks.outputs.report_narrative import short_area
from redline.checks.outputs.units import missing
from redline.checks.result import ScreeningResult
from redline.zones.labels import EM_DASH, kind_label, t, verdict_text

__all__ = ["Summary", "SummaryRow", "batch_summary", "findings_by_site"]


@dataclass
class SummaryRow:
    """A line of a batch's site table."""

    site_id: str
    anchor: str
    name: str
    location: str
    tag: Tag
    rank: int
    issues: str
    status: str


@dataclass
class Summary:
    """A batch's totals and its site table."""

    text: str
    verdicts: list[tuple[Tag, int]]
    n_sites: int
    kinds: list[dict[str, Any]]
    rows: list[SummaryRow]
    table_total: int


def _records(frame: Any, columns: Iterable[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in frame.columns]
    return frame[cols].to_dict("records")


def findings_by_site(
    result: ScreeningResult, keys: set[str], geometry: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Return the findings of these sites as records (``_secret`` set), grouped by site id."""
    findings = result.findings
    keep = findings["site_id"].astype(str).isin(keys).to_numpy()
    subset = findings[keep]
    secret = result.confidential_findings()[keep]
    columns = [c for c in subset.columns if geometry or c != subset.geometry.name]
    out: dict[str, list[dict[str, Any]]] = {}
    for f, hidden in zip(_records(subset, columns), secret, strict=True):
        f["_secret"] = bool(hidden)
        out.setdefault(str(f["site_id"]), []).append(f)
    return out


def _issues(findings: list[dict[str, Any]], lang: str) -> str:
    stats = kind_stats(findings)
    parts = []
    for s in sorted(stats.values(), key=lambda s: rank(s.verdict)):
        if s.verdict == "clear":
            continue
        label = kind_label(s.kind, lang)
        if s.touching and s.kind != "control_unit" and not missing(s.area_m2) and s.area_m2 > 0:
            parts.append(t("summary.issue_area", lang, kind=label, area=short_area(s.area_m2, lang)))
        elif s.touching:
            parts.append(label)
        else:
            parts.append(t("summary.issue_near", lang, kind=label))
    return ("；" if lang == "zh" else "; ").join(parts) or EM_DASH


def batch_summary(result: ScreeningResult, lang: str, limit: int, anchors: dict[str, str]) -> Summary:
    """Return a batch's totals and its site table (every site up to ``limit``, else the worst ones).

    ``anchors`` maps the ids of the detailed sites to their sections, for links.
    """
    sites = result.sites
    verdicts = [site_verdict(st, v) for st, v in zip(sites["status"], sites["verdict"], strict=True)]
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v] = counts.get(v, 0) + 1
    order = sorted(counts, key=rank)
    n = len(sites)
    rows = list(range(n)) if n <= limit else sorted(sorted(range(n), key=lambda i: (rank(verdicts[i]), i))[:limit])
    keys = [str(sites["site_id"].iloc[i]) for i in rows]
    by_site = findings_by_site(result, set(keys))
    locations = summary_locations(result, rows, by_site, lang)
    cols = [c for c in ("project_name", "name") if c in sites]
    names = sites.iloc[rows][cols].to_dict("records") if cols else [{} for _ in rows]
    table = []
    for i, key, where, named in zip(rows, keys, locations, names, strict=True):
        name = project_name(named)
        v = verdicts[i]
        error = sites["error"].iloc[i]
        status = str(error) if v == "error" and not missing(error) else ""
        table.append(
            SummaryRow(
                key,
                anchors.get(key, ""),
                name or EM_DASH,
                where,
                tag(v, lang),
                rank(v),
                _issues(by_site.get(key, []), lang),
                status,
            )
        )
    findings = result.findings
    kinds = []
    if len(findings):
        touching = findings["relation"].isin(["inside", "overlaps"]).to_numpy()
        raised = (findings["verdict"] != "clear").to_numpy()
        area = np.nan_to_num(findings["overlap_area_m2"].astype(float).to_numpy())
        for kind in section_order(findings["kind"].astype(str).unique()):
            mask = (findings["kind"] == kind).to_numpy()
            kinds.append(
                {
                    "label": kind_label(kind, lang),
                    "sites": int(findings.loc[mask, "site_id"].nunique()),
                    "sites_raised": int(findings.loc[mask & raised, "site_id"].nunique()),
                    "area": short_area(area[mask & touching].sum(), lang) if (mask & touching).any() else EM_DASH,
                }
            )
    text = t(
        "summary.text",
        lang,
        n=f"{n:,}",
        counts=("，" if lang == "zh" else ", ").join(f"{verdict_text(v, lang)} {counts[v]:,}" for v in order),
    )
    return Summary(text, [(tag(v, lang), counts[v]) for v in order], n, kinds, table, n)
