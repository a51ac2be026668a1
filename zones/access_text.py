"""Judge an access-list clause from its own text: what it says, and what it means for one project.

:func:`interpret` reads a clause (:func:`redline.zones.access_parse.parse_statements`) into an
:class:`Interpretation`: the verdict word, the actions, the industries it names (GB/T 4754-2017
codes with their names and the words that matched), its exceptions, the place conditions it sets
and what the screen cannot test.  :meth:`Interpretation.judge` weighs it for one
:class:`~redline.zones.project.Project` at one :class:`Place` and returns a :class:`Judgement`.

The reading is deterministic and conservative: a clause is judged ``prohibited`` only when its
verdict word prohibits, it names the project's industry, the project's action is among those it
names, no exception may cover the project and every condition it sets can be tested and holds.
Anything the screen cannot test (a scale threshold, an emission total, a place the layer set does
not hold) makes the clause ``review`` with the reason.

Examples
--------
>>> from redline.zones.project import make_project
>>> clause = interpret("禁止新建、扩建化学制浆、电镀、鞣革项目")
>>> clause.verdict, [h.codes for h in clause.industries]
('prohibited', [('C221',), ('C3360',), ('C1910',)])
>>> clause.judge(make_project("C3360"), Place()).verdict
'prohibited'
>>> clause.judge(make_project("C3360", action="rebuild"), Place()).applies
'no'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from redline.zones.access_judge import ACTION_ZH
from redline.zones.access_parse import (
    VERDICT_RANK,
    Condition,
    Exemption,
    Statement,
    Untestable,
    parse_statements,
)
from redline.zones.access_terms import IndustryHit, describe_codes
from redline.zones.project import Project

__all__ = [
    "Condition",
    "Exemption",
    "IndustryHit",
    "Interpretation",
    "Judgement",
    "Place",
    "Statement",
    "Untestable",
    "interpret",
    "structured_interpretation",
]

Applies = Literal["yes", "no", "unknown"]
_VERDICT_ZH = {
    "prohibited": "禁止",
    "restricted": "限制",
    "condition": "条件",
    "informational": "说明",
    "reference": "引用",
}


@dataclass(frozen=True)
class Place:
    """Where the site is, as far as the screen knows.

    Attributes
    ----------
    inside : frozenset of (str, str)
        ``(kind, zone_class)`` pairs the site lies in or overlaps, e.g. ``("industrial_park", "chemical")``;
        a park whose layer gives no type is ``("industrial_park", "")``.
    distances : mapping of str to float
        Least distance in metres to each kind within the buffer.
    names : frozenset of (str, str)
        ``(kind, zone_name)`` of the zones the site lies in or overlaps, for clauses that name one.
    kinds : frozenset of str or None
        The kinds the layer set holds; a kind listed here and not in ``inside`` is known to be
        absent.  None: not known, so only what ``inside`` says counts.
    buffer_m : float or None
        The buffer the distances were measured within: a kind absent from ``distances`` is known
        to be farther than this.

    Examples
    --------
    >>> Place(inside=frozenset({("industrial_park", "chemical")})).within("industrial_park", "chemical")
    'yes'
    >>> Place(kinds=frozenset({"industrial_park"})).within("industrial_park", "")
    'no'
    >>> Place().within("industrial_park", "")
    'unknown'
    """

    inside: frozenset[tuple[str, str]] = frozenset()
    distances: Mapping[str, float] = field(default_factory=dict, hash=False, compare=False)
    names: frozenset[tuple[str, str]] = frozenset()
    kinds: frozenset[str] | None = None
    buffer_m: float | None = None

    def within(self, kind: str, zone_class: str = "", name: str = "") -> Applies:
        """Return whether the site lies in a zone of ``kind`` (of ``zone_class``; named ``name``)."""
        if name and any(k == kind and (n == name or name in n or n in name) for k, n in self.names if n):
            return "yes"
        classes = {zc for k, zc in self.inside if k == kind}
        if classes and not name:
            if not zone_class or zone_class in classes:
                return "yes"
            return "unknown" if "" in classes else "no"
        if classes and name:
            return "unknown" if not self.names else "no"
        if self.kinds is not None and kind in self.kinds:
            return "no"
        return "unknown"

    def near(self, kind: str, metres: float) -> Applies:
        """Return whether the site lies within ``metres`` of a zone of ``kind``."""
        if any(k == kind for k, _ in self.inside):
            return "yes"
        if kind in self.distances:
            return "yes" if self.distances[kind] <= metres else "no"
        if self.kinds is not None and kind in self.kinds and self.buffer_m is not None and self.buffer_m >= metres:
            return "no"
        return "unknown"

    def test(self, condition: Condition) -> Applies:
        """Return whether the site meets a place condition."""
        if condition.relation == "within":
            return self.near(condition.kind, condition.metres or 0.0)
        found = self.within(condition.kind, condition.zone_class, condition.name)
        if condition.relation == "outside":
            return {"yes": "no", "no": "yes"}.get(found, "unknown")  # type: ignore[return-value]
        return found


@dataclass(frozen=True)
class Judgement:
    """What one clause means for one project at one place.

    Attributes
    ----------
    applies : {"yes", "no", "unknown"}
        Whether the clause binds the project ("unknown": it may, and a reviewer must say).
    verdict : str
        ``prohibited``, ``restricted``, ``review`` or ``clear``.
    reason_zh, reason_en : str
        Why, in Chinese and English.
    conformity : {"符合", "不符合", "需论证", "不适用"}
        The conformity column of an EIA's 准入清单 table.
    """

    applies: Applies
    verdict: str
    reason_zh: str
    reason_en: str
    conformity: Literal["符合", "不符合", "需论证", "不适用"]


@dataclass(frozen=True)
class StructuredRule:
    """The structured columns of a clause (or a reviewer's correction) as one rule."""

    verdict: str
    industries: tuple[str, ...] = ()
    unless_industries: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    unless_tags: frozenset[str] = frozenset()
    actions: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Interpretation:
    """What a clause says, as the screen reads it.

    Attributes
    ----------
    verdict : str
        The strongest statement: ``prohibited``, ``restricted``, ``condition``, ``reference`` or
        ``informational`` (``review`` for a structured clause that says so).
    verdict_word : str
        The word that decided it (禁止 ...).
    actions : tuple of str
        ``new``, ``expand``, ``rebuild``, ``upgrade``; empty: any.
    industries : tuple of IndustryHit
        The industries (and tags) named, with the words that matched.
    exceptions : tuple of Exemption
    conditions : tuple of Condition
        Place conditions and requirements.
    untestable : tuple of Untestable
        What the screen cannot test.
    why_zh, why_en : str
        The reading in one line.
    source : str
        ``structured`` (the list's own columns), ``corrections`` (a reviewer's) or ``text``.
    statements : tuple of Statement
    rule : StructuredRule or None
        For ``structured`` and ``corrections``.
    """

    verdict: str
    verdict_word: str = ""
    actions: tuple[str, ...] = ()
    industries: tuple[IndustryHit, ...] = ()
    exceptions: tuple[Exemption, ...] = ()
    conditions: tuple[Condition, ...] = ()
    untestable: tuple[Untestable, ...] = ()
    why_zh: str = ""
    why_en: str = ""
    source: str = "text"
    statements: tuple[Statement, ...] = ()
    rule: StructuredRule | None = None

    @property
    def interpreted(self) -> bool:
        """False when a binding statement names nothing the screen can match, or holds untestable parts."""
        binding = [s for s in self.statements if s.verdict in ("prohibited", "restricted", "condition")]
        return self.rule is not None or all(
            (s.hits or s.generic_all) and not s.untestable and not s.conduct for s in binding
        )

    @property
    def reference(self) -> str:
        """The scope a reference statement names, or ""."""
        return next((s.reference for s in self.statements if s.reference), "")

    def judge(self, project: Project, place: Place | None = None) -> Judgement:
        """Return what the clause means for ``project`` at ``place``.

        Examples
        --------
        >>> from redline.zones.project import make_project
        >>> text = interpret("化工园区外禁止新建、扩建化工项目")
        >>> outside = Place(kinds=frozenset({"industrial_park"}))
        >>> text.judge(make_project("C2614"), outside).conformity
        '不符合'
        >>> park = Place(inside=frozenset({("industrial_park", "chemical")}))
        >>> text.judge(make_project("C2614"), park).applies
        'no'
        """
        from redline.zones.access_judge import judge_rule, judge_statements

        if self.rule is not None:
            return judge_rule(self.rule, project)
        return judge_statements(self.statements, project, place or Place())


# --------------------------------------------------------------------------- reading


def _hit_text(hit: IndustryHit, lang: str) -> str:
    names = describe_codes(hit.codes)
    if len(names) > 4:
        more = len(names) - 3
        names = [*names[:3], f"等{len(hit.codes)}个代码" if lang == "zh" else f"and {more} more codes"]
    return f"{'/'.join(hit.words)} {', '.join(names) or '+'.join(sorted(hit.tags))}"


def _why(statements: tuple[Statement, ...], lang: str) -> str:
    parts = []
    for s in statements:
        if s.verdict == "informational":
            continue
        if s.verdict == "reference":
            parts.append(f"引用：{s.reference}" if lang == "zh" else f"refers to {s.reference}")
            continue
        acts = "、".join(ACTION_ZH[a] for a in s.actions) if lang == "zh" else ", ".join(s.actions)
        what = "; ".join(_hit_text(h, lang) for h in s.hits)
        if s.generic_all and not what:
            what = "一切建设项目" if lang == "zh" else "every project"
        head = f"{s.verdict_word}（{_VERDICT_ZH.get(s.verdict, s.verdict)}）" if lang == "zh" else s.verdict
        line = f"{head} {acts} {what or ('未识别行业' if lang == 'zh' else 'no industry recognised')}".strip()
        if s.exemptions:
            words = "；".join(e.words for e in s.exemptions)
            line += f"；例外：{words}" if lang == "zh" else f"; except: {words}"
        if s.conditions or s.requirement:
            conds = [c.describe(lang) for c in (*s.conditions, *((s.requirement,) if s.requirement else ()))]
            line += f"；条件：{'，'.join(conds)}" if lang == "zh" else f"; where: {', '.join(conds)}"
        if s.untestable or s.conduct:
            bad = [f"{u.zh if lang == 'zh' else u.en}「{u.words}」" for u in s.untestable]
            if s.conduct:
                bad.append("规范行为而非选址" if lang == "zh" else "regulates conduct, not siting")
            line += f"；无法判断：{'，'.join(bad)}" if lang == "zh" else f"; cannot test: {', '.join(bad)}"
        parts.append(line)
    if not parts:
        return "说明性条款，未含准入要求词" if lang == "zh" else "informational: no requirement word"
    return " | ".join(parts)


@lru_cache(maxsize=65536)
def interpret(text: str) -> Interpretation:
    """Read a clause's text into an :class:`Interpretation` (source ``text``).

    Examples
    --------
    >>> interpret("推广节水灌溉。").verdict
    'informational'
    >>> interpret("禁止新建每小时10蒸吨以下的燃煤锅炉").untestable[0].en
    'a scale threshold'
    """
    statements = tuple(parse_statements(text))
    strongest = max(statements, key=lambda s: VERDICT_RANK[s.verdict], default=None)
    verdict = strongest.verdict if strongest else "informational"
    return Interpretation(
        verdict=verdict,
        verdict_word=strongest.verdict_word if strongest else "",
        actions=tuple(dict.fromkeys(a for s in statements for a in s.actions)),
        industries=tuple(h for s in statements for h in s.hits),
        exceptions=tuple(e for s in statements for e in s.exemptions),
        conditions=tuple(c for s in statements for c in (*s.conditions, *((s.requirement,) if s.requirement else ()))),
        untestable=tuple(u for s in statements for u in s.untestable),
        why_zh=_why(statements, "zh"),
        why_en=_why(statements, "en"),
        source="text",
        statements=statements,
    )


def structured_interpretation(rule: StructuredRule, source: str = "structured") -> Interpretation:
    """Return the :class:`Interpretation` of structured columns or a reviewer's correction.

    Examples
    --------
    >>> i = structured_interpretation(StructuredRule("prohibited", ("C3360",), actions=("new",)))
    >>> i.source, i.industries[0].names
    ('structured', ('C3360 金属表面处理及热处理加工',))
    """
    hits = tuple(IndustryHit((c,), (c,), frozenset(), source) for c in rule.industries)
    if rule.tags:
        hits += (IndustryHit(tuple(sorted(rule.tags)), (), rule.tags, source),)
    unless = ()
    if rule.unless_industries or rule.unless_tags:
        words = "; ".join((*rule.unless_industries, *sorted(rule.unless_tags)))
        ex_hits = tuple(IndustryHit((c,), (c,), frozenset(), source) for c in rule.unless_industries)
        if rule.unless_tags:
            ex_hits += (IndustryHit(tuple(sorted(rule.unless_tags)), (), rule.unless_tags, source),)
        unless = (Exemption(words, ex_hits),)
    what = ", ".join([*describe_codes(rule.industries), *sorted(rule.tags)]) or "every project"
    label = {"structured": "清单结构化列", "corrections": "审查人更正"}.get(source, source)
    return Interpretation(
        verdict=rule.verdict,
        actions=rule.actions,
        industries=hits,
        exceptions=unless,
        why_zh=f"{label}：{rule.verdict} {what}" + (f"（{rule.note}）" if rule.note else ""),
        why_en=f"{source}: {rule.verdict} {what}" + (f" ({rule.note})" if rule.note else ""),
        source=source,
        rule=rule,
    )
