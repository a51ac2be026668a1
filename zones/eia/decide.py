"""Deciding which EIA document a project needs: :func:`decide`, and sensitive hits from layer kinds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from redline.zones.eia.answer import Candidate, EiaAnswer, category_label, outcome_basis, outcome_if
from redline.zones.eia.catalogue import Edition, Row, load_edition
from redline.zones.eia.conditions import ACTIONS, Amount, Text
from redline.zones.eia.evaluate import Outcome, Proposal, Unit, combine, evaluate_unit
from redline.zones.eia.facts import normalize_facts
from redline.zones.eia.sensitive import SensitiveHit, normalize_group, normalize_hit
from redline.zones.errors import RuleError, param_ref, zh_text
from redline.zones.industry import resolve

__all__ = ["decide", "hit_for_kind", "normalize_action", "parse_item"]

_ITEM = re.compile(r"^(?:名录)?(?:第)?\s*(\d{1,3})\s*(?:项)?$|^#(\d{1,3})$|^(?:item|row)\s*(\d{1,3})$", re.IGNORECASE)
_ACTION_WORDS = {zh: key for key, (zh, _) in ACTIONS.items()} | {"增建": "expand"}


def normalize_action(action: str | None) -> str:
    """Return ``new``, ``expand``, ``rebuild``, ``relocate`` or ``decommission`` (新建/扩建/改建/迁建/退役 accepted).

    Raises
    ------
    RuleError
        For any other value.

    Examples
    --------
    >>> normalize_action("扩建"), normalize_action(None), normalize_action("Decommission")
    ('expand', 'new', 'decommission')
    """
    value = (action or "new").strip()
    key = _ACTION_WORDS.get(value, value.lower())
    if key not in ACTIONS:
        raise RuleError(
            f"unknown action {action!r}; use one of {', '.join(ACTIONS)} (新建/扩建/改建/迁建/退役)",
            param="action",
            value=action,
            zh=f"未知的建设性质 {action!r}；请用 {'、'.join(ACTIONS)}（新建/扩建/改建/迁建/退役）之一",
        )
    return key


def parse_item(edition: Edition, ref: int | str) -> Row:
    """Return the row a reference names: ``97``, ``第97项``, ``名录97``, ``#97``.

    Raises
    ------
    RuleError
        If it is not a row number of the edition.

    Examples
    --------
    >>> parse_item(load_edition("2021"), "第54项").number
    54
    """
    m = _ITEM.match(str(ref).strip())
    number = int(next(g for g in m.groups() if g)) if m else None
    if number is None or number not in edition.rows:
        raise RuleError(
            f"{ref!r} is not an item of the 名录 ({edition.name}); "
            f"give a number from 1 to {max(edition.rows)}, e.g. 第97项",
            param="items",
            value=ref,
            zh=f"{ref!r} 不是名录（{edition.name}）中的项目；请填写 1 到 {max(edition.rows)} 的序号，如 第97项",
        )
    return edition.rows[number]


def hit_for_kind(
    edition: str | Path | Edition | None,
    kind: str,
    zone_id: str = "",
    zone_name: str = "",
    *,
    zone_class: str | None = None,
    declared: Mapping[str, Any] | None = None,
    relation: str = "inside",
) -> SensitiveHit | None:
    """Return the :class:`SensitiveHit` for a zone of layer kind ``kind``, or None when the kind is no 环境敏感区.

    Parameters
    ----------
    edition : str, Path or Edition
        The edition of the 名录 (its 第三条 and its table of layer kinds).
    kind : str
        The layer kind, e.g. ``basic_farmland``.
    zone_id, zone_name : str
        The zone, for answers to name it.
    zone_class : str, optional
        The zone's class; some classes carry a question (the 准保护区 of a water source).
    declared : mapping, optional
        A layer set's own declaration, ``{"group": "二", "type": "重要湿地"}``, for a kind the table
        does not know (or to override it).
    relation : str
        ``inside`` or ``near``.

    Raises
    ------
    RuleError
        If ``declared`` names an unknown type or a group that is not the type's.

    Examples
    --------
    >>> hit_for_kind("2021", "basic_farmland", "BF-1").type
    '永久基本农田'
    >>> hit_for_kind("2021", "control_unit") is None
    True
    >>> hit_for_kind("2021", "wetlands", declared={"group": "二", "type": "重要湿地"}).group
    '二'
    """
    ed = load_edition(edition)
    if declared:
        try:
            group = normalize_group(declared.get("group", "")) if declared.get("group") else ""
            raw = SensitiveHit(kind, str(declared.get("type", "")), group, str(zone_id), str(zone_name), relation)
            return normalize_hit(ed.scheme, raw)
        except ValueError as exc:
            raise RuleError(
                f"layer kind {kind!r}: sensitive_area: {exc}",
                param="sensitive_area",
                value=dict(declared),
                zh=f"图层类型 {kind!r}：sensitive_area：{zh_text(exc)}",
            ) from None
    mapping = ed.scheme.kinds.get(kind)
    if mapping is None:
        return None
    t = ed.scheme.types[mapping.type]
    question, question_en = mapping.questions.get(zone_class or "", ("", ""))
    return SensitiveHit(kind, t.name, t.group, str(zone_id), str(zone_name), relation, question, question_en)


def _codes(industries: Iterable[str] | str) -> list[str]:
    items = [industries] if isinstance(industries, str) else list(industries)
    return list(dict.fromkeys(resolve(str(i)) for i in items if str(i).strip()))


def _facts(ed: Edition, facts: Mapping[str, Any] | None) -> Any:
    try:
        return normalize_facts(ed.facts, facts, type_names=ed.type_names)
    except ValueError as exc:
        raise RuleError(
            f"{param_ref('facts')}: {exc}",
            param="facts",
            value=dict(facts or {}),
            zh=f"{param_ref('facts')}：{zh_text(exc)}",
        ) from None


def _hits(ed: Edition, sensitive: Iterable[SensitiveHit]) -> tuple[SensitiveHit, ...]:
    out = []
    for hit in sensitive:
        try:
            out.append(normalize_hit(ed.scheme, hit))
        except ValueError as exc:
            raise RuleError(
                f"{param_ref('sensitive')}: {exc}",
                param="sensitive",
                value=hit,
                zh=f"{param_ref('sensitive')}：{zh_text(exc)}",
            ) from None
    return tuple(out)


def _units(ed: Edition, codes: list[str], pinned: dict[int, Row], proposal: Proposal) -> list[Unit]:
    units = [evaluate_unit(ed, code, pinned, proposal) for code in codes]
    used = {r.row.number for u in units for r in u.results if r.row is not None}
    rest = {n: row for n, row in pinned.items() if n not in used}
    if rest:
        units += [evaluate_unit(ed, None, {n: row}, proposal) for n, row in rest.items()]
    return units


def _notes(ed: Edition, rows: list[Row], action: str, screened: Iterable[str] | None) -> tuple[Text, ...]:
    notes: list[Text] = []
    if action == "expand" and any(isinstance(n, Amount) for r in rows for c in r.conditions() for n in c.walk()):
        ref, text = ed.cite("new_scale")
        notes.append(Text(f"{ref}：{text}", f"{ref}: scales are the new scale: {text}"))
    if action in ("expand", "rebuild"):
        ref, text = ed.cite("works_content")
        notes.append(Text(f"{ref}：{text}", f"{ref}: {text}"))
    if screened is not None:
        covered = set()
        for name in screened:
            m = ed.scheme.kinds.get(name)
            t = ed.scheme.get(m.type if m else name)
            if t is not None:
                covered.add(t.name)
        missing: list[str] = []
        for row in rows:
            if row.depends_on_sensitivity:
                for t in sorted(row.scope.all_types()):
                    up = {t, *ed.scheme.ancestors(t)}
                    if not up & covered and t not in missing and ed.scheme.types[t].parent not in row.scope.all_types():
                        missing.append(t)
        if missing:
            listed = "、".join(missing)
            notes.append(
                Text(
                    f"未核查的本栏目环境敏感区（图层未覆盖，按未涉及判定）：{listed}",
                    f"sensitive areas of the row not screened (no layer; taken as not touched): {listed}",
                )
            )
    return tuple(notes)


def _summary(unit: Unit, lang: str) -> str:
    cats = {o.category for o in unit.outcomes}
    head = unit.results[0].row.label(lang) if unit.results and unit.results[0].row else (unit.code or "")
    what = category_label(next(iter(cats)), lang) if len(cats) == 1 else category_label("undetermined", lang)
    return f"{head}{'：' if lang == 'zh' else ': '}{what}"


def decide(
    edition: str | Path | Edition | None = None,
    industries: Iterable[str] | str = (),
    facts: Mapping[str, Any] | None = None,
    sensitive: Iterable[SensitiveHit] = (),
    *,
    action: str = "new",
    items: Iterable[int | str] = (),
    screened: Iterable[str] | None = None,
) -> EiaAnswer:
    """Decide which EIA document the 名录 requires of a project at a site.

    Parameters
    ----------
    edition : str, Path or Edition, optional
        The edition of the 名录; None: the newest in force.
    industries : iterable of str
        GB/T 4754-2017 codes (or names, resolved like the rest of the tool).  Several: the strictest
        row decides (第四条第二款).
    facts : mapping, optional
        Project facts ``{name: value}`` in the edition's vocabulary (``装机容量``: ``6万千瓦``).
    sensitive : iterable of SensitiveHit
        The 环境敏感区 zones the site touches (see :func:`hit_for_kind`).
    action : str
        ``new`` (default), ``expand``, ``rebuild``, ``relocate``, ``decommission`` (or 新建…).
    items : iterable of int or str
        名录 rows the project is (``97``, ``第97项``): for projects no code pins down.
    screened : iterable of str, optional
        The layer kinds (or sensitive types) that were screened; the answer notes the row's sensitive
        types no layer covered.

    Returns
    -------
    EiaAnswer
        Always with the edition and source; ``undetermined`` with candidates and questions when a fact
        is missing.

    Raises
    ------
    RuleError
        For an unknown industry, fact, action, item or sensitive type (``param`` names which).

    Examples
    --------
    >>> from redline.zones.eia import SensitiveHit
    >>> farmland = SensitiveHit("basic_farmland", "永久基本农田", "二", "BF-1")
    >>> decide("2021", ["K7010"], sensitive=[farmland]).category
    'form'
    >>> decide("2021", ["K7010"]).category
    'none'
    >>> answer = decide("2021", ["D4415"], {"装机容量": "6万千瓦"})
    >>> answer.category, answer.item[:10]
    ('form', '名录第90项 陆上风')
    """
    ed = load_edition(edition)
    codes = _codes(industries)
    pinned = {r.number: r for r in (parse_item(ed, i) for i in items)}
    if not codes and not pinned:
        raise RuleError(
            f"give the project's industry ({param_ref('industries')}) or its 名录 item ({param_ref('items')})",
            param="industries",
            value=industries,
            zh=f"请给出项目的行业（{param_ref('industries')}）或其名录项目（{param_ref('items')}）",
        )
    proposal = Proposal(_facts(ed, facts), _hits(ed, sensitive), normalize_action(action))
    units = _units(ed, codes, pinned, proposal)
    category, outcomes, questions = combine(units)
    rows = [r.row for u in units for r in u.results if r.row is not None]
    citations = []
    if len(units) > 1:
        citations.append(ed.cite("strictest"))
    if any(o.kind in ("not_listed", "not_applicable") for o in outcomes):
        citations.append(ed.cite("not_listed"))
    base = dict(
        edition=ed.name,
        source=ed.source,
        source_en=ed.source_en,
        rows=tuple(dict.fromkeys(r.number for r in rows)),
        notes=_notes(ed, rows, proposal.action, screened),
        standing=ed.standing,
    )
    if category == "undetermined":
        return _undetermined(ed, outcomes, questions, citations, base)
    return _determined(ed, category, outcomes[0], units, citations, base)


def _determined(
    ed: Edition, category: str, o: Outcome, units: list[Unit], citations: list[tuple[str, str]], base: dict[str, Any]
) -> EiaAnswer:
    basis, basis_en = outcome_basis(ed, o, "zh"), outcome_basis(ed, o, "en")
    if len(units) > 1:
        ref = ed.cite("strictest")[0]
        parts = "；".join(_summary(u, "zh") for u in units)
        basis = f"建设内容涉及多个项目类别，按单项等级最高的确定（{ref}）：{parts}。{basis}"
        parts_en = "; ".join(_summary(u, "en") for u in units)
        basis_en = f"several items, the strictest decides ({ref}): {parts_en}. {basis_en}"
    if o.truth.hits:
        citations.append(ed.cite("sensitive_areas"))
    return EiaAnswer(
        category,
        o.row.label() if o.row else "",
        basis,
        basis_en,
        (),
        zones=o.truth.hits,
        assumptions=o.truth.assumptions,
        citations=tuple(dict.fromkeys(citations)),
        **base,
    )


def _undetermined(
    ed: Edition, outcomes: list[Outcome], questions: list[Any], citations: list[tuple[str, str]], base: dict[str, Any]
) -> EiaAnswer:
    candidates = tuple(Candidate(o.category, o.row.number if o.row else None, outcome_if(o)) for o in outcomes)
    candidates = tuple(dict.fromkeys(candidates))
    labels = list(
        dict.fromkeys(o.row.label() for o in sorted(outcomes, key=lambda o: o.row.number if o.row else 0) if o.row)
    )
    zh = "待定：" + "；".join(c.text("zh") for c in candidates)
    en = "undetermined: " + "; ".join(c.text("en") for c in candidates)
    return EiaAnswer(
        "undetermined",
        "；".join(labels),
        zh,
        en,
        tuple(questions),
        candidates=candidates,
        assumptions=tuple(dict.fromkeys(a for o in outcomes for a in o.truth.assumptions)),
        citations=tuple(dict.fromkeys(citations)),
        **base,
    )
