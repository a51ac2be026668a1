"""One site's findings per zone kind: totals, the rules that decided them, the detail rows.

The 研判报告 has one 符合性分析 section per kind (生态保护红线, 饮用水水源保护区, 永久基本农田,
自然保护地, ... and 生态环境分区管控 last): :func:`kind_stats` gathers a site's findings by
kind, and :func:`kind_section` turns one kind into what its section shows: totals per class
(area in m², 公顷 and 亩, share of the site, number of patches), every rule cited once (title,
text, basis) and the detail rows; for control units, the per-clause conformity table of every
touched unit's 生态环境准入清单 (:mod:`redline.checks.outputs.report_clauses`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redline.checks.outputs.units import area_parts, format_distance, format_length, format_share, missing
from redline.zones.kinds import KINDS
from redline.zones.labels import (
    EM_DASH,
    STRINGS,
    class_label,
    confidential_note,
    format_number,
    kind_label,
    relation_label,
    t,
    verdict_text,
)
from redline.zones.verdicts import VERDICTS

__all__ = [
    "CORE_KINDS",
    "DetailRow",
    "KindSection",
    "KindStats",
    "RuleRef",
    "Tag",
    "TotalRow",
    "kind_section",
    "kind_stats",
    "rank",
    "section_order",
    "site_verdict",
    "tag",
]

#: Kinds that always get a line in a site's overview when the layer set has them.
CORE_KINDS: tuple[str, ...] = ("ecological_redline", "water_source", "basic_farmland", "nature_reserve", "control_unit")
TOUCHING = ("inside", "overlaps")
#: A section lists at most this many detail rows (findings.csv and results.xlsx have them all).
MAX_DETAIL_ROWS = 40


def rank(verdict: Any) -> int:
    """Return a verdict's rank, worst first: the order of ``VERDICTS``, then ``error``, then anything else.

    Examples
    --------
    >>> rank("prohibited") < rank("clear") < rank("error") < rank("unheard-of")
    True
    """
    order = (*VERDICTS, "error")
    return order.index(verdict) if verdict in order else len(order)


def site_verdict(status: Any, verdict: Any) -> str:
    """Return a site's verdict as reported: ``error`` for a site that could not be checked."""
    return "error" if status == "error" else str(verdict)


@dataclass(frozen=True)
class Tag:
    """A verdict as a coloured tag: ``css`` is the verdict's name, ``label`` its display text."""

    css: str
    label: str


def tag(verdict: Any, lang: str) -> Tag:
    """Return the tag of a verdict.

    Examples
    --------
    >>> tag("prohibited", "zh")
    Tag(css='prohibited', label='禁止')
    """
    name = str(verdict) if not missing(verdict) else "clear"
    return Tag(name, verdict_text(name, lang))


def section_order(kinds: Iterable[str]) -> list[str]:
    """Return kinds in the order of the report's sections: the core ones, the others, control units last.

    Examples
    --------
    >>> section_order(["control_unit", "basin", "basic_farmland", "ecological_redline"])
    ['ecological_redline', 'basic_farmland', 'basin', 'control_unit']
    """
    kinds = list(dict.fromkeys(kinds))
    order = [k for k in CORE_KINDS if k != "control_unit"] + [k for k in KINDS if k not in CORE_KINDS]
    order += [*sorted(k for k in kinds if k not in order and k != "control_unit"), "control_unit"]
    return [k for k in order if k in kinds]


def _number(value: Any) -> float:
    return 0.0 if missing(value) else float(value)


@dataclass
class KindStats:
    """A site's findings of one kind.

    Attributes
    ----------
    kind : str
    verdict : str
        The worst verdict of the kind's findings.
    touching, nearby : list of dict
        The findings the site lies in or crosses, and those only near it.
    secret : bool
        The findings come from a confidential (涉密) layer.
    """

    kind: str
    verdict: str = "clear"
    touching: list[dict[str, Any]] = field(default_factory=list)
    nearby: list[dict[str, Any]] = field(default_factory=list)
    secret: bool = False

    @property
    def findings(self) -> list[dict[str, Any]]:
        """Every finding of the kind, touching ones first."""
        return self.touching + self.nearby

    @property
    def area_m2(self) -> float:
        """Total overlap area (NaN when no touching finding has an area)."""
        values = [f.get("overlap_area_m2") for f in self.touching]
        return math.nan if all(missing(v) for v in values) else sum(_number(v) for v in values)

    @property
    def length_m(self) -> float:
        """Total overlap length of a route (NaN when none has a length)."""
        values = [f.get("overlap_length_m") for f in self.touching]
        return math.nan if all(missing(v) for v in values) else sum(_number(v) for v in values)

    @property
    def share(self) -> float:
        """Share of the site (area or length) in zones of this kind (NaN when not measured)."""
        values = [f.get("overlap_ratio") for f in self.touching]
        return math.nan if all(missing(v) for v in values) else min(sum(_number(v) for v in values), 1.0)

    @property
    def patches(self) -> int:
        """Number of distinct zones (patches, 图斑) the site lies in or crosses."""
        return len({str(f.get("zone_id")) for f in self.touching})

    @property
    def nearest(self) -> dict[str, Any] | None:
        """The nearby finding closest to the site, or None."""
        near = [f for f in self.nearby if not missing(f.get("distance_m"))]
        return min(near, key=lambda f: float(f["distance_m"])) if near else None

    def zone_names(self, lang: str, limit: int = 3) -> str:
        """Return the names of the touched zones (``A、B 等 5 处`` beyond ``limit``)."""
        names = list(dict.fromkeys(_zone_name(f) for f in self.touching))
        text = ("、" if lang == "zh" else ", ").join(names[:limit])
        return t("narr.and_more", lang, names=text, n=len(names)) if len(names) > limit else text

    def classes(self, lang: str) -> list[str]:
        """Return the class labels of the touched zones, in order, each once."""
        out = [class_label(self.kind, f.get("zone_class"), lang) for f in self.touching]
        return list(dict.fromkeys(c for c in out if c))

    def decisive(self) -> list[dict[str, Any]]:
        """Return one finding per rule that gives the kind its verdict, in order."""
        seen: dict[str, dict[str, Any]] = {}
        for f in self.findings:
            if f.get("verdict") == self.verdict and str(f.get("rule_id") or "") not in seen:
                seen[str(f.get("rule_id") or "")] = f
        return list(seen.values())


def _zone_name(f: dict[str, Any]) -> str:
    name = "" if missing(f.get("zone_name")) else str(f["zone_name"]).strip()
    return name or str(f.get("zone_id"))


def kind_stats(findings: list[dict[str, Any]]) -> dict[str, KindStats]:
    """Return a site's findings gathered by kind, in section order (see :func:`section_order`).

    Each finding is a record of ``result.findings`` with ``_secret`` (bool) set.
    """
    stats: dict[str, KindStats] = {}
    for f in findings:
        kind = str(f.get("kind"))
        s = stats.setdefault(kind, KindStats(kind))
        (s.touching if f.get("relation") in TOUCHING else s.nearby).append(f)
        s.secret = s.secret or bool(f.get("_secret"))
        if rank(f.get("verdict")) < rank(s.verdict):
            s.verdict = str(f.get("verdict"))
    return {k: stats[k] for k in section_order(stats)}


@dataclass
class TotalRow:
    """A line of a kind's totals: one class (or the nearby zones, or 合计)."""

    label: str
    relation: str
    count: int
    cells: list[str]
    tag: Tag | None = None
    total: bool = False


@dataclass
class RuleRef:
    """A rule a kind's findings cite, once: its code, catalogue, title, text and basis."""

    rule_id: str
    catalog: str
    title: str
    text: str
    basis: str
    tag: Tag
    count: int


@dataclass
class DetailRow:
    """One finding, as a line under its kind's totals."""

    zone: str
    zone_class: str
    relation: str
    measure: str
    share: str
    distance: str
    rule: str
    tag: Tag


@dataclass
class KindSection:
    """What a kind's 符合性分析 section shows.

    ``measure`` says what the totals measure: ``area`` (polygon sites), ``length`` (routes)
    or ``point``; ``columns`` are the totals' column headings for it.
    """

    kind: str
    title: str
    narrative: str
    measure: str
    columns: list[str]
    totals: list[TotalRow]
    rules: list[RuleRef]
    details: list[DetailRow]
    details_omitted: int = 0
    note: str = ""
    units: list[Any] = field(default_factory=list)
    tag: Tag | None = None
    anchor: str = ""


def measure_of(geom_type: Any) -> str:
    """Return ``area``, ``length`` or ``point`` for a site's geometry type.

    Examples
    --------
    >>> measure_of("MultiPolygon"), measure_of("LineString"), measure_of(None)
    ('area', 'length', 'point')
    """
    text = str(geom_type or "")
    if text.endswith("Polygon"):
        return "area"
    if text.endswith("LineString"):
        return "length"
    return "point"


def total_columns(measure: str, lang: str) -> list[str]:
    """Return the headings of a kind's totals table for sites measured by ``measure``."""
    keys = {
        "area": ("tot.class", "tot.relation", "tot.patches", "tot.area_m2", "tot.area_ha", "tot.area_mu", "tot.share"),
        "length": ("tot.class", "tot.relation", "tot.zones", "tot.length", "tot.share_length"),
        "point": ("tot.class", "tot.relation", "tot.zones", "tot.distance"),
    }[measure]
    return [t(k, lang) for k in keys] + [t("col.verdict", lang)]


def _cells(measure: str, findings: list[dict[str, Any]], nearby: bool) -> list[str]:
    stats = KindStats("", touching=[] if nearby else findings, nearby=findings if nearby else [])
    near = stats.nearest
    if measure == "area":
        parts = list(area_parts(None if nearby else stats.area_m2))
        return [*parts, EM_DASH if nearby else format_share(stats.share)]
    if measure == "length":
        if nearby:
            return [EM_DASH, EM_DASH]
        return [format_length(stats.length_m), format_share(stats.share)]
    return [format_distance(near["distance_m"]) if near and nearby else EM_DASH]


def _totals(stats: KindStats, measure: str, lang: str) -> list[TotalRow]:
    rows: list[TotalRow] = []
    by_class: dict[str, list[dict[str, Any]]] = {}
    for f in stats.touching:
        by_class.setdefault(class_label(stats.kind, f.get("zone_class"), lang) or EM_DASH, []).append(f)
    for label, group in by_class.items():
        relations = "、".join(dict.fromkeys(relation_label(f.get("relation"), lang) for f in group))
        worst = min((str(f.get("verdict")) for f in group), key=rank)
        count = len({str(f.get("zone_id")) for f in group})
        rows.append(TotalRow(label, relations, count, _cells(measure, group, False), tag(worst, lang)))
    if len(rows) > 1:
        cells = _cells(measure, stats.touching, False)
        rows.append(
            TotalRow(t("summary.total", lang), "", stats.patches, cells, tag(_worst(stats.touching), lang), True)
        )
    if stats.nearby:
        near = stats.nearest
        relation = t("tot.nearby", lang, distance=format_distance(near["distance_m"])) if near else EM_DASH
        count = len({str(f.get("zone_id")) for f in stats.nearby})
        classes = "、".join(dict.fromkeys(class_label(stats.kind, f.get("zone_class"), lang) for f in stats.nearby))
        cells = _cells(measure, stats.nearby, True)
        rows.append(TotalRow(classes.strip("、") or EM_DASH, relation, count, cells, tag(_worst(stats.nearby), lang)))
    return rows


def _worst(findings: list[dict[str, Any]]) -> str:
    return min((str(f.get("verdict")) for f in findings), key=rank, default="clear")


def _rules(stats: KindStats, catalog_label: Any, lang: str) -> list[RuleRef]:
    refs: dict[str, RuleRef] = {}
    for f in stats.findings:
        rule_id = "" if missing(f.get("rule_id")) else str(f["rule_id"])
        basis = "" if missing(f.get("basis")) else str(f["basis"])
        if not rule_id and not basis:
            continue
        ref = refs.get(rule_id)
        if ref is None:
            refs[rule_id] = RuleRef(
                rule_id,
                catalog_label(f) if rule_id else "",
                "" if missing(f.get("rule_title")) else str(f["rule_title"]),
                "" if missing(f.get("rule_text")) else str(f["rule_text"]),
                basis,
                tag(f.get("verdict"), lang),
                1,
            )
        else:
            ref.count += 1
            if rank(f.get("verdict")) < rank(ref.tag.css):
                ref.tag = tag(f.get("verdict"), lang)
    return sorted(refs.values(), key=lambda r: rank(r.tag.css))


def _detail(f: dict[str, Any], measure: str, lang: str) -> DetailRow:
    zone = str(f.get("zone_id"))
    if not missing(f.get("zone_name")):
        zone = f"{zone} {f['zone_name']}"
    if measure == "length":
        amount = format_number(f.get("overlap_length_m"))
    else:
        amount = format_number(f.get("overlap_area_m2"))
    rules = [str(f.get("rule_id") or "")] if not missing(f.get("rule_id")) else []
    return DetailRow(
        zone,
        class_label(str(f.get("kind")), f.get("zone_class"), lang) or EM_DASH,
        relation_label(f.get("relation"), lang),
        amount,
        format_share(f.get("overlap_ratio")) if f.get("relation") in TOUCHING else EM_DASH,
        format_distance(f.get("distance_m")) if f.get("relation") not in TOUCHING else EM_DASH,
        "、".join(rules) or EM_DASH,
        tag(f.get("verdict"), lang),
    )


def section_title(kind: str, lang: str) -> str:
    """Return a kind's section title (control units: 生态环境分区管控)."""
    key = f"section.kind.{kind}"
    return t(key, lang) if key in STRINGS else kind_label(kind, lang)


def kind_section(
    stats: KindStats,
    *,
    measure: str,
    narrative: str,
    catalog_label: Any,
    lang: str,
    max_details: int = MAX_DETAIL_ROWS,
) -> KindSection:
    """Return the section of one kind: totals, rules cited once, and the detail rows.

    ``catalog_label`` is called with a finding and returns the catalogue its rule came from.
    """
    findings = stats.findings
    details = [_detail(f, measure, lang) for f in findings[:max_details]]
    note = confidential_note([stats.kind], lang) if stats.secret else ""
    return KindSection(
        stats.kind,
        section_title(stats.kind, lang),
        narrative,
        measure,
        total_columns(measure, lang),
        _totals(stats, measure, lang),
        _rules(stats, catalog_label, lang),
        details,
        max(len(findings) - max_details, 0),
        note,
        tag=tag(stats.verdict, lang),
    )
