"""The 生态环境准入清单 conformity table of a site: every clause of every control unit it touches.

An EIA's 生态环境分区管控符合性分析 lists each clause of the unit's access list with 符合 /
不符合 / 需论证 / 不适用 and why.  Each clause is judged here for the site's project at the
site's place (:meth:`redline.zones.access_list.Clause.judge`); the place is built from the
site's own findings (the kinds and classes it lies in, the least distance to each kind near it)
when the screen did not keep one.  Clauses the screen matched (``matched_rules`` of the unit's
finding) are marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redline.checks.outputs.units import missing
from redline.zones.access_list import DIMENSIONS, Clause
from redline.zones.access_text import Place
from redline.zones.errors import RedlineError
from redline.zones.kinds import KINDS
from redline.zones.labels import class_label, dimension_label, t
from redline.zones.project import Project, make_project

__all__ = [
    "CONFORMITY_CSS",
    "ClauseGroup",
    "ClauseRow",
    "UnitSection",
    "clause_scope",
    "compact_unit",
    "site_place",
    "site_project",
    "unit_sections",
]

#: Conformity (as :class:`~redline.zones.access_text.Judgement` gives it) -> the tag's style.
CONFORMITY_CSS: dict[str, str] = {"不符合": "prohibited", "需论证": "restricted", "符合": "clear", "不适用": "na"}
_CONFORMITY_KEYS = {"不符合": "conf.fails", "需论证": "conf.argue", "符合": "conf.conforms", "不适用": "conf.na"}


@dataclass
class ClauseRow:
    """One clause, judged: ``css`` styles its conformity tag; ``matched`` marks a clause the screen applied."""

    number: str
    where: str
    clause_id: str
    scope: str
    text: str
    conformity: str
    css: str
    reason: str
    matched: bool


@dataclass
class ClauseGroup:
    """The clauses of one dimension (空间布局约束 ...)."""

    label: str
    rows: list[ClauseRow] = field(default_factory=list)


@dataclass
class UnitSection:
    """The access list of one touched control unit, judged clause by clause."""

    code: str
    title: str
    summary: str
    groups: list[ClauseGroup]
    counts: dict[str, int]
    hidden: str = ""


def _split(value: Any) -> list[str]:
    if missing(value):
        return []
    return [p.strip() for p in str(value).replace("；", ";").split(";") if p.strip()]


def site_project(row: dict[str, Any]) -> Project:
    """Return the site's project: its ``project`` column, else built from industry, tags and action.

    Examples
    --------
    >>> site_project({"industry": "C3360", "tags": "heavy_metal", "action": "expand"}).action
    'expand'
    >>> site_project({"industry": "no such industry"}).industries
    ()
    """
    project = row.get("project")
    if isinstance(project, Project):
        return project
    try:
        action = None if missing(row.get("action")) else str(row["action"])
        return make_project(_split(row.get("industry")), _split(row.get("tags")), action)
    except RedlineError:
        return Project()


def site_place(findings: Iterable[dict[str, Any]], kinds: Iterable[str], buffer_m: Any) -> Place:
    """Return where a site is, from its findings: the kinds and classes it lies in, distances to the others.

    Examples
    --------
    >>> p = site_place([{"kind": "industrial_park", "zone_class": "", "relation": "inside", "zone_name": "园"}],
    ...                ["industrial_park", "water_source"], 1000)
    >>> p.within("industrial_park"), p.within("water_source"), p.near("water_source", 500)
    ('yes', 'no', 'no')
    """
    inside, names, distances = set(), set(), {}
    for f in findings:
        kind = str(f.get("kind"))
        if f.get("relation") in ("inside", "overlaps"):
            inside.add((kind, "" if missing(f.get("zone_class")) else str(f["zone_class"])))
            if not missing(f.get("zone_name")):
                names.add((kind, str(f["zone_name"])))
        elif not missing(f.get("distance_m")):
            distances[kind] = min(float(f["distance_m"]), distances.get(kind, float("inf")))
    buffer = None if missing(buffer_m) else float(buffer_m)
    return Place(frozenset(inside), distances, frozenset(names), frozenset(kinds), buffer)


def clause_scope(clause: Clause, unit_code: str, lang: str) -> str:
    """Return where a clause applies, seen from one unit: 本单元, 同类单元（…）, 全部单元 or the list's own words."""
    if clause.unit_code == unit_code:
        return t("access.scope.unit", lang)
    if clause.unit_code == "*":
        return t("access.scope.all", lang)
    if clause.unit_code in KINDS["control_unit"].classes:
        return t("access.scope.class", lang, cls=class_label("control_unit", clause.unit_code, lang))
    scope = getattr(clause, "scope", None)
    return getattr(scope, "label", "") or clause.unit_code


def _row(
    seq: int, clause: Clause, code: str, project: Project, place: Place, matched: set[str], lang: str
) -> ClauseRow:
    judgement = clause.judge(project, place)
    conformity = judgement.conformity
    key = _CONFORMITY_KEYS.get(conformity)
    scope = clause_scope(clause, code, lang)
    return ClauseRow(
        str(seq),
        t("access.where", lang, scope=scope, number=clause.number),
        clause.clause_id,
        scope,
        clause.text,
        t(key, lang) if key else conformity,
        CONFORMITY_CSS.get(conformity, "na"),
        judgement.reason_zh if lang == "zh" else judgement.reason_en,
        clause.clause_id in matched,
    )


def unit_sections(
    findings: list[dict[str, Any]],
    access_lists: dict[str, list[Clause]],
    project: Project,
    place: Place,
    lang: str,
) -> list[UnitSection]:
    """Return the judged access list of every control unit the site lies in or crosses.

    Parameters
    ----------
    findings : list of dict
        The site's findings (records of ``result.findings``).
    access_lists : dict
        ``result.access_lists``: unit code -> the clauses that bind it.
    project, place
        The site's project and place (:func:`site_project`, :func:`site_place`).
    lang : {"zh", "en"}
    """
    lists = {str(code): clauses for code, clauses in access_lists.items()}
    units: dict[str, dict[str, Any]] = {}
    for f in findings:
        code = str(f.get("zone_id"))
        if f.get("kind") != "control_unit" or f.get("relation") not in ("inside", "overlaps") or code not in lists:
            continue
        unit = units.setdefault(code, {"name": f.get("zone_name"), "class": f.get("zone_class"), "matched": set()})
        unit["matched"].update(_split(f.get("matched_rules")))
    out = []
    for code, unit in units.items():
        clauses = lists[code]
        dimensions = list(DIMENSIONS) + list(
            dict.fromkeys(c.dimension for c in clauses if c.dimension not in DIMENSIONS)
        )
        groups, seq = [], 0
        for dim in dimensions:
            rows = []
            for c in clauses:
                if c.dimension == dim:
                    seq += 1
                    rows.append(_row(seq, c, code, project, place, unit["matched"], lang))
            groups.append(ClauseGroup(dimension_label(dim, lang), rows))
        counts = {css: 0 for css in CONFORMITY_CSS.values()}
        for g in groups:
            for r in g.rows:
                counts[r.css] += 1
        name = "" if missing(unit["name"]) else str(unit["name"]).strip()
        label = f"{code} {name}" if name else code
        cls = class_label("control_unit", unit["class"], lang)
        title = t("access.title", lang, unit=label, cls=cls) if cls else t("access.title_no_class", lang, unit=label)
        sources = "、".join(dict.fromkeys(c.source for c in clauses if c.source)) or "—"
        summary = t(
            "access.judged",
            lang,
            file=sources,
            n=len(clauses),
            fails=counts["prohibited"],
            argue=counts["restricted"],
            ok=counts["clear"],
            na=counts["na"],
        )
        out.append(UnitSection(code, title, summary, groups, counts))
    return out


def compact_unit(unit: UnitSection, lang: str) -> UnitSection:
    """Return a unit's list with only the clauses that bind (不符合, 需论证) or that the screen matched.

    A batch report lists these; ``hidden`` says how many conforming or inapplicable clauses were left out.
    """
    groups, hidden = [], 0
    for g in unit.groups:
        rows = [r for r in g.rows if r.matched or r.css in ("prohibited", "restricted")]
        hidden += len(g.rows) - len(rows)
        if rows:
            groups.append(ClauseGroup(g.label, rows))
    note = t("access.hidden", lang, n=hidden) if hidden else ""
    return UnitSection(unit.code, unit.title, unit.summary, groups, unit.counts, note)
