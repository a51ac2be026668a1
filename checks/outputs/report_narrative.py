"""The words of a 研判报告: what the site touches, the conclusion and why, what the project must do next.

Everything is generated from the findings (through :class:`~redline.checks.outputs.report_kinds.KindStats`):
a phrase per kind (``与永久基本农田重叠 2.37 公顷（35.55 亩，占选址面积 3.0%），涉及 4 处``), the
conclusion (the overall verdict, the rules that decided it and their basis) and the next steps
(避让 and 调整选址 for what is prohibited, 论证 for what is restricted, 核实 for what needs a
look, the access-list clauses to meet, the EIA document when known, then 依法报批).
"""

from __future__ import annotations

from typing import Any

from redline.checks.outputs.report_kinds import KindStats, rank
from redline.checks.outputs.units import area_parts, format_distance, format_length, format_share, missing
from redline.zones.labels import EM_DASH, format_number, kind_label, t, verdict_text

__all__ = ["conclusion", "kind_phrase", "next_steps", "short_area", "situation"]


def short_area(m2: Any, lang: str) -> str:
    """Return an area as 公顷 with 亩 after it (the way a bureau states land).

    Examples
    --------
    >>> short_area(23716.0, "zh"), short_area(23716.0, "en")
    ('2.37 公顷（35.57 亩）', '2.37 ha (35.57 mu)')
    """
    _, ha, mu = area_parts(m2)
    return t("narr.area", lang, ha=ha, mu=mu)


def _sep(lang: str) -> str:
    return "；" if lang == "zh" else "; "


def _list(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def _measured(stats: KindStats, measure: str, lang: str) -> tuple[str, dict[str, Any]] | None:
    """Return how much of the site lies in zones of a kind, or None when it has no measure (a point).

    ``("area", {area, share, n})`` for a polygon site, ``("length", {length, share, n})`` for a route.
    """
    common = {"share": format_share(stats.share), "n": stats.patches}
    if measure == "area" and not missing(stats.area_m2):
        return "area", {"area": short_area(stats.area_m2, lang), **common}
    if measure == "length" and not missing(stats.length_m):
        return "length", {"length": format_length(stats.length_m, lang), **common}
    return None


def kind_phrase(stats: KindStats, measure: str, lang: str) -> str:
    """Return what the site does with one kind: overlaps it by so much, lies in it, or lies so far from it."""
    label = kind_label(stats.kind, lang)
    parts = []
    if stats.touching:
        names = stats.zone_names(lang)
        measured = _measured(stats, measure, lang)
        if measured is not None:
            parts.append(t(f"narr.touch.{measured[0]}", lang, kind=label, names=names, **measured[1]))
        else:
            classes = _list(stats.classes(lang), lang)
            key = "narr.touch.point_class" if classes else "narr.touch.point"
            parts.append(t(key, lang, kind=label, classes=classes, names=names))
    near = stats.nearest
    if near is not None:
        name = str(near.get("zone_name") or near.get("zone_id"))
        key = "narr.near_also" if stats.touching else "narr.near"
        parts.append(t(key, lang, kind=label, name=name, distance=format_distance(near["distance_m"])))
    return ("，" if lang == "zh" else ", ").join(parts)


def situation(stats: KindStats | None, measure: str, lang: str, *, present: bool, buffer_m: Any) -> str:
    """Return the overview's line for a kind: how the site touches it, or that it does not.

    Examples
    --------
    >>> situation(None, "area", "zh", present=True, buffer_m=1000)
    '不涉及（1,000 m 范围内未发现）'
    >>> situation(None, "area", "en", present=False, buffer_m=1000)
    'not analysed: no layer of this kind'
    """
    if stats is None or not stats.findings:
        if not present:
            return t("overview.absent", lang)
        buffer = EM_DASH if missing(buffer_m) else format_number(buffer_m, 0)
        return t("overview.none", lang, buffer=buffer)
    parts = []
    if stats.touching:
        measured = _measured(stats, measure, lang)
        if measured is not None:
            parts.append(t(f"overview.{measured[0]}", lang, **measured[1]))
        else:
            classes = _list(stats.classes(lang), lang)
            parts.append(t("overview.inside_class" if classes else "overview.inside", lang, classes=classes))
    near = stats.nearest
    if near is not None:
        parts.append(t("overview.near", lang, distance=format_distance(near["distance_m"])))
    return _sep(lang).join(parts)


def _rule_reason(stats: KindStats, lang: str) -> str:
    reasons = []
    for f in stats.decisive()[:2]:
        rule = "" if missing(f.get("rule_id")) else str(f["rule_id"])
        title = "" if missing(f.get("rule_title")) else str(f["rule_title"])
        basis = "" if missing(f.get("basis")) else str(f["basis"])
        text = "" if missing(f.get("rule_text")) else str(f["rule_text"])
        if "/" in rule and text:  # an access-list clause: its own words, not its dimension
            head = t("narr.clause", lang, rule=rule, text=text if len(text) <= 60 else text[:58] + "…")
            basis = ""
        else:
            head = t("narr.rule_titled", lang, rule=rule, title=title) if rule and title else rule
        if basis:
            head = (
                t("narr.with_basis", lang, text=head, basis=basis) if head else t("narr.basis_only", lang, basis=basis)
            )
        if head:
            reasons.append(head)
    return ("，" if lang == "zh" else ", ").join(reasons)


def conclusion(
    stats: dict[str, KindStats],
    verdict: str,
    measure: str,
    lang: str,
    *,
    layerset: str,
    buffer_m: Any,
    error: str = "",
) -> list[str]:
    """Return the 研判结论 as paragraphs: what the site touches, then the verdict and the rules behind it.

    ``verdict`` is the site's (``error`` for a site that could not be checked); ``layerset`` names
    the layer set the site was overlaid on (empty: not named, as in a batch, which names it once).
    """
    label = verdict_text(verdict, lang)
    if verdict == "error":
        return [t("narr.error", lang, error=error or EM_DASH)]
    buffer = EM_DASH if missing(buffer_m) else format_number(buffer_m, 0)
    raised = [s for s in stats.values() if s.verdict != "clear"]
    quiet = [s for s in stats.values() if s.verdict == "clear" and s.touching]
    if not raised and verdict == "no_coverage":
        return [t("narr.no_coverage", lang), t("narr.verdict_clear", lang, verdict=label)]
    if not raised:
        first = t("narr.clear" if layerset else "narr.clear_short", lang, layerset=layerset, buffer=buffer)
        if quiet:
            first += t("narr.also_in", lang, kinds=_list([kind_label(s.kind, lang) for s in quiet], lang))
        return [first, t("narr.verdict_clear", lang, verdict=label)]
    phrases = [kind_phrase(s, measure, lang) for s in raised]
    joined = _sep(lang).join(p for p in phrases if p)
    first = t("narr.found" if layerset else "narr.found_short", lang, layerset=layerset, phrases=joined)
    if quiet:
        first += t("narr.also_in", lang, kinds=_list([kind_label(s.kind, lang) for s in quiet], lang))
    decisive = [s for s in raised if s.verdict == verdict] or sorted(raised, key=lambda s: rank(s.verdict))[:1]
    reasons = [
        t("narr.kind_reason", lang, kind=kind_label(s.kind, lang), reason=_rule_reason(s, lang)) for s in decisive
    ]
    second = t("narr.verdict", lang, verdict=label, reasons=_sep(lang).join(r for r in reasons if r))
    others = sorted((s for s in raised if s.verdict != verdict), key=lambda s: rank(s.verdict))
    if others:
        second += t(
            "narr.others",
            lang,
            items=_sep(lang).join(
                t("narr.other_item", lang, kind=kind_label(s.kind, lang), verdict=verdict_text(s.verdict, lang))
                for s in others
            ),
        )
    return [first, second]


def _eia_step(row: dict[str, Any], lang: str) -> str:
    category = row.get("eia_category")
    if missing(category):
        return ""
    from redline.zones.eia.answer import category_label

    label = category_label(str(category), lang)
    item = "" if missing(row.get("eia_item")) else str(row["eia_item"])
    return t("step.eia_item" if item else "step.eia", lang, label=label, item=item)


def next_steps(
    stats: dict[str, KindStats], verdict: str, lang: str, *, row: dict[str, Any], units: list[Any]
) -> list[str]:
    """Return what the project must do next: 避让/调整选址, 论证, 核实, the access list, the EIA, 依法报批."""
    if verdict == "error":
        return [t("step.error", lang)]
    by_verdict: dict[str, list[KindStats]] = {}
    for s in stats.values():
        by_verdict.setdefault(s.verdict, []).append(s)
    steps = []
    labels = {v: _list([kind_label(s.kind, lang) for s in by_verdict.get(v, [])], lang) for v in by_verdict}
    banned = [s for s in by_verdict.get("prohibited", []) if s.kind != "control_unit"]
    if banned:
        steps.append(t("step.avoid", lang, kinds=_list([kind_label(s.kind, lang) for s in banned], lang)))
    units_banned = [s for s in by_verdict.get("prohibited", []) if s.kind == "control_unit"]
    if units_banned:
        names = _list([str(f.get("zone_name") or f.get("zone_id")) for f in units_banned[0].decisive()], lang)
        steps.append(t("step.unit", lang, units=names))
    if "prohibited" in by_verdict:
        steps.append(t("step.exception", lang))
    if "restricted" in by_verdict:
        steps.append(t("step.argue", lang, kinds=labels["restricted"]))
    if "review" in by_verdict:
        items = []
        for s in by_verdict["review"]:
            titles = [str(f.get("rule_title")) for f in s.decisive() if not missing(f.get("rule_title"))]
            items.append(
                f"{kind_label(s.kind, lang)}（{titles[0]}）" if titles and lang == "zh" else kind_label(s.kind, lang)
            )
        steps.append(t("step.check", lang, items=_list(items, lang)))
    for v, group in by_verdict.items():
        if v not in ("prohibited", "restricted", "review", "clear"):
            steps.append(
                t(
                    "step.other",
                    lang,
                    kinds=_list([kind_label(s.kind, lang) for s in group], lang),
                    verdict=verdict_text(v, lang),
                )
            )
    for unit in units:
        if unit.counts.get("prohibited") or unit.counts.get("restricted"):
            steps.append(
                t(
                    "step.access",
                    lang,
                    unit=unit.code,
                    fails=unit.counts.get("prohibited", 0),
                    argue=unit.counts.get("restricted", 0),
                )
            )
    eia = _eia_step(row, lang)
    if eia:
        steps.append(eia)
    if verdict == "no_coverage":
        steps.append(t("step.no_coverage", lang))
    elif verdict == "clear":
        steps.append(t("step.clear", lang))
    elif verdict == "prohibited":
        steps.append(t("step.rescreen", lang))
    else:
        steps.append(t("step.approve", lang))
    return steps
