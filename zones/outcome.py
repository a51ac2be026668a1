"""How a finding gets its verdict, and a site its verdict: the one place where outcomes are decided.

The spatial engine (:mod:`redline.checks.engine`) only measures: which zones a site lies in,
overlaps or lies near, and by how much.  The screen (:mod:`redline.checks.screen`) only gathers:
it groups the measured findings by the situation they are in and asks this module once per
situation.  Here, and nowhere else, a situation becomes an :class:`Outcome`:

1. the **catalogue rules** that apply to the zone's kind and class, the relation (and distance)
   and the project (:func:`evaluate`; the worst verdict decides, the first in catalogue order on a
   tie).  A rule met only through an industry code broader than its source asks a question
   instead of deciding: it counts as ``review`` and its question is shown with its text.  An
   ``info`` rule gives ``clear``.  With no rule, a zone of an informational kind (industrial
   park, urban boundary, basin ...) gives ``clear`` with the kind's basis, any other ``review``;
2. for a control unit the site touches, the unit's **access-list clauses** (生态环境准入清单): a
   clause that applies to the project and is worse than the catalogue's verdict decides; on an
   equal verdict the clause wins (it is the more specific text); clauses the tool cannot evaluate
   count as ``review``;
3. a **site's verdict** is the worst of its findings' (:func:`site_verdicts`); a site with no
   finding is ``clear``.

Findings repeat the same situation many times (one project, a few classes); :class:`Outcomes`
remembers each decision, keyed by the distance *band* (how many of the kind's distance limits lie
below the distance), which is all a rule can tell of a distance.

Examples
--------
>>> from redline.zones import make_project, national_catalog
>>> outcomes = Outcomes(national_catalog())
>>> o = outcomes.decide("water_source", "first", "inside", 0.0, make_project("C3360"))
>>> o.verdict, o.rule_id, o.matched
('prohibited', 'WS01', ('WS01',))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from redline.zones.access_list import Clause
from redline.zones.kinds import KINDS
from redline.zones.project import QUESTION, Project
from redline.zones.rules import Catalog, Rule
from redline.zones.verdicts import VERDICTS, finding_verdict, rank

__all__ = [
    "Decision",
    "Outcome",
    "Outcomes",
    "clause_basis",
    "coverage_note",
    "evaluate",
    "kind_basis",
    "site_verdicts",
]

#: the relations of a site that touches a zone (shares area with it or lies in it)
TOUCHING = ("inside", "overlaps")


@dataclass(frozen=True)
class Decision:
    """The catalogue's verdict on one finding and the rules behind it.

    ``rule`` is the deciding rule (the worst verdict; on a tie, the first in
    catalogue order); ``matched`` lists every rule that applied, fully or with a
    question.  ``question_zh``/``question_en`` hold what a reviewer must check for
    the deciding rule: the questions its broad industry codes leave open (the
    verdict is then ``review``), or the rule's own question; empty otherwise.

    Examples
    --------
    >>> from redline.zones import evaluate, make_project, national_catalog
    >>> d = evaluate(national_catalog(), "water_source", "second", "inside", make_project("C3360"))
    >>> d.verdict, d.rule_id, [rule.code for rule in d.matched]
    ('prohibited', 'WS04', ['WS04', 'WS05'])
    >>> d = evaluate(national_catalog(), "basic_farmland", None, "nearby", make_project("C2614"), 50.0)
    >>> d.verdict, d.rule_id, d.question_zh
    ('review', 'BF05', '是否采用电石法（聚）氯乙烯工艺；是否排放重金属、持久性有机污染物等可能造成土壤污染的物质')
    """

    verdict: str
    rule: Rule | None
    matched: tuple[Rule, ...]
    question_zh: str = ""
    question_en: str = ""

    @property
    def rule_id(self) -> str:
        """The deciding rule's code, or empty."""
        return self.rule.code if self.rule else ""

    @property
    def basis(self) -> str:
        """The deciding rule's legal basis (empty when no rule applied)."""
        return self.rule.basis if self.rule else ""

    def question(self, lang: str = "zh") -> str:
        """Return what a reviewer must check, in ``lang`` (empty when nothing is open)."""
        return self.question_en if lang == "en" and self.question_en else self.question_zh


@dataclass(frozen=True)
class Outcome:
    """The outcome of one finding: its verdict, what decided it and what to cite.

    Attributes
    ----------
    verdict : str
        ``prohibited``, ``restricted``, ``review`` or ``clear`` (an informational finding).
    rule_id : str
        The deciding rule's code (``WS01``) or access-list clause id (``UNIT/维度/N``); empty when
        nothing applied.
    basis : str
        The legal basis cited.
    title : str
        The rule's title (the clause's dimension for a clause), in the run's language.
    text : str
        The rule's or the clause's own words, in the run's language where the rule has them.
    catalog : str
        The catalogue the rule came from, or the access list's source for a clause.
    matched : tuple of str
        The codes of every rule and clause that applied to the project.
    undecided : tuple of str
        The access-list clauses that may bind the project but that the tool could not judge from
        their text (left to the reviewer).
    explanation : str
        The tool's own words (说明), never the law's: the catalogue's explanation of a rule, the
        question a reviewer must answer, or how the interpreter read a clause.

    Examples
    --------
    >>> from redline.zones import make_project, national_catalog
    >>> o = Outcomes(national_catalog()).decide("water_source", "first", "inside", 0.0, make_project("H6210"))
    >>> o.verdict, o.rule_id, o.rank
    ('prohibited', 'WS01', 0)
    """

    verdict: str
    rule_id: str = ""
    basis: str = ""
    title: str = ""
    text: str = ""
    catalog: str = ""
    matched: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()
    explanation: str = ""

    @property
    def rank(self) -> int:
        """The verdict's rank: 0 for the worst (``prohibited``)."""
        return rank(self.verdict)


def evaluate(
    catalog: Catalog,
    kind: str,
    zone_class: str | None,
    relation: str,
    project: Project,
    distance_m: float | None = None,
) -> Decision:
    """Return the catalogue's :class:`Decision` for one finding.

    Parameters
    ----------
    catalog : Catalog
        The rules in force (national, possibly with a regional layer).
    kind, zone_class : str
        The zone's kind and class.
    relation : str
        ``inside``, ``overlaps`` or ``nearby``.
    project : Project
        What is proposed.
    distance_m : float, optional
        Distance to the zone for ``nearby`` findings.

    Returns
    -------
    Decision
        With no rule: ``clear`` for a kind marked informational in :mod:`redline.zones.kinds`
        (the finding is reported with the kind's basis and raises nothing), else ``review``.

    Examples
    --------
    >>> from redline.zones.rules import national_catalog
    >>> from redline.zones.project import make_project
    >>> d = evaluate(national_catalog(), "water_source", "first", "inside", make_project())
    >>> d.verdict, d.rule_id
    ('prohibited', 'WS01')
    >>> evaluate(national_catalog(), "industrial_park", None, "inside", make_project("C2614")).verdict
    'clear'
    """
    verdicts: list[tuple[int, Rule, str, str]] = []
    for r in catalog.for_kind(kind):
        if not (r.applies_to_zone(kind, zone_class) and r.applies_to_relation(relation, distance_m)):
            continue
        match = r.match(project)
        if not match.applies:
            continue
        if match.kind == QUESTION:
            # an open question never raises a rule above review, nor an info rule above clear
            verdict = max("review", finding_verdict(r.verdict), key=rank)
            question_zh, question_en = match.question("zh"), match.question("en")
        else:
            verdict, question_zh, question_en = finding_verdict(r.verdict), r.question_zh, r.question_en
        verdicts.append((rank(verdict), r, question_zh, question_en))
    if not verdicts:
        informational = kind in KINDS and KINDS[kind].informational
        return Decision("clear" if informational else "review", None, ())
    best, decisive, question_zh, question_en = min(verdicts, key=lambda v: v[0])
    return Decision(VERDICTS[best], decisive, tuple(v[1] for v in verdicts), question_zh, question_en)


def kind_basis(kind: str) -> str:
    """Return the core statute of ``kind`` (cited by findings no rule covers).

    Examples
    --------
    >>> kind_basis("no_such_kind")
    ''
    """
    return KINDS[kind].basis if kind in KINDS else ""


def _from_rule(decision: Decision, kind: str, lang: str) -> Outcome:
    rule = decision.rule
    if rule is None:
        return Outcome(decision.verdict, basis=kind_basis(kind), matched=())
    title = rule.title_en if lang == "en" and rule.title_en else rule.title_zh
    notes = []
    question = decision.question(lang)
    if question:
        notes.append(f"待核实：{question}" if lang == "zh" else f"to check: {question}")
    if rule.explanation(lang):
        notes.append(rule.explanation(lang))
    return Outcome(
        decision.verdict,
        rule.code,
        rule.basis or kind_basis(kind),
        title,
        rule.text(lang),  # the source's own words only: what the catalogue adds goes in the explanation
        rule.catalog,
        tuple(r.code for r in decision.matched),
        explanation=("；" if lang == "zh" else "; ").join(notes),
    )


#: The article that makes an access list binding, cited by every finding a clause decides.
ACCESS_LIST_BASIS_ZH = "《中华人民共和国生态环境法典》第六十七条（禁止违反生态环境准入清单规定进行生产建设活动）"
ACCESS_LIST_BASIS_EN = "Ecological Environment Code art. 67 (no production or construction that breaks the access list)"


def clause_basis(clause: Clause, source: str, lang: str = "zh") -> str:
    """Return what a finding decided by an access-list clause cites: 法典 art 67 and where the clause is.

    Examples
    --------
    >>> c = Clause("ZH45072120001", "空间布局约束", "1", "禁止新建电镀项目")
    >>> print(clause_basis(c, "准入清单.xlsx").split("；")[1])
    生态环境准入清单《准入清单.xlsx》ZH45072120001 空间布局约束 第1条
    """
    dimension = getattr(clause, "dimension_label", "") or clause.dimension
    if lang == "en":
        where = f"access list {source}, unit {clause.unit_code}, {dimension}, clause {clause.number}"
        return f"{ACCESS_LIST_BASIS_EN}; {where}"
    return f"{ACCESS_LIST_BASIS_ZH}；生态环境准入清单《{source}》{clause.unit_code} {dimension} 第{clause.number}条"


#: Catalogue rules whose only question is "does the project meet the unit's access list?": when the
#: list is there and every clause that binds the unit was judged, the list has answered them.
_LIST_QUESTIONS = frozenset({"CU02", "CU03", "CU04"})
_LIST_MET_ZH = "准入清单各条款已逐条判定：本项目未触及禁止、限制或须论证的条款"
_LIST_MET_EN = "every clause of the unit's access list was judged: none prohibits, restricts or questions the project"


def _from_clauses(
    outcome: Outcome, clauses: Sequence[Clause], project: Project, source: str, place: Any, lang: str
) -> Outcome:
    """Weigh a touched unit's access-list clauses, each judged from its text, against the catalogue's outcome.

    A clause that binds the project (:meth:`Clause.judge`) and is worse than the outcome decides,
    and so does one of equal verdict (it is the more specific text).  A clause that may bind but
    that the tool cannot judge counts as ``review`` (its id lands in ``undecided``).
    """
    best_key, best = (outcome.rank, 1), None
    matched, undecided = list(outcome.matched), []
    for clause in clauses:
        judgement = clause.judge(project, place)
        if judgement.applies == "no" or judgement.verdict == "clear":
            continue
        matched.append(clause.clause_id)
        verdict = judgement.verdict if judgement.applies == "yes" else "review"
        if judgement.applies == "unknown":
            undecided.append(clause.clause_id)
        key = (rank(verdict), 0 if judgement.applies == "yes" else 2)
        if key < best_key:
            best_key, best = key, (clause, verdict, judgement)
    if best is None:
        if clauses and not undecided and outcome.verdict == "review" and outcome.rule_id in _LIST_QUESTIONS:
            # the catalogue asked "does the project meet the unit's list?": judged clause by clause, it does
            return replace(
                outcome,
                verdict="clear",
                matched=tuple(matched),
                explanation=_LIST_MET_ZH if lang == "zh" else _LIST_MET_EN,
            )
        return replace(outcome, matched=tuple(matched), undecided=tuple(undecided))
    clause, verdict, judgement = best
    reason = judgement.reason_en if lang == "en" else judgement.reason_zh
    title = getattr(clause, "dimension_label", "") or clause.dimension
    return Outcome(
        verdict,
        clause.clause_id,
        clause_basis(clause, source, lang),
        title,
        clause.text,  # the list's own words; the interpreter's reading goes in the explanation
        source,
        tuple(matched),
        tuple(undecided),
        explanation=(f"判读：{reason}" if lang == "zh" else f"reading: {reason}") if reason else "",
    )


class Outcomes:
    """Decide outcomes under one catalogue, remembering each decision.

    Parameters
    ----------
    catalog : Catalog
        The rules in force.
    lang : {"zh", "en"}
        The language of the titles and texts.

    Examples
    --------
    >>> from redline.zones import make_project, national_catalog
    >>> outcomes = Outcomes(national_catalog())
    >>> outcomes.distance_limits("water_source").tolist()
    []
    >>> o = outcomes.decide("basic_farmland", "", "nearby", 50.0, make_project("C3360", "electroplating"))
    >>> o.verdict, o.rule_id
    ('restricted', 'BF05')
    """

    def __init__(self, catalog: Catalog, lang: str = "zh") -> None:
        self.catalog = catalog
        self.lang = lang
        self._limits: dict[str, np.ndarray] = {}
        self._memo: dict[tuple, Outcome] = {}

    def distance_limits(self, kind: str) -> np.ndarray:
        """Return the sorted distinct ``max_distance_m`` of the rules that may apply to ``kind``."""
        if kind not in self._limits:
            found = {r.max_distance_m for r in self.catalog.for_kind(kind) if r.max_distance_m is not None}
            self._limits[kind] = np.array(sorted(found), dtype=float)
        return self._limits[kind]

    def distance_bands(self, kind: str, distance_m: np.ndarray) -> np.ndarray:
        """Return each distance's band: how many of the kind's distance limits lie below it.

        Two findings in the same band get the same outcome from every rule.
        """
        limits = self.distance_limits(kind)
        if not len(limits):
            return np.zeros(len(distance_m), dtype=np.int64)
        return np.searchsorted(limits, distance_m, side="left")

    def decide(
        self,
        kind: str,
        zone_class: str | None,
        relation: str,
        distance_m: float,
        project: Project,
        clauses: Sequence[Clause] | None = None,
        clauses_source: str = "",
        place: Any = None,
    ) -> Outcome:
        """Return the :class:`Outcome` of one finding.

        Parameters
        ----------
        kind, zone_class : str
            The zone's kind and class.
        relation : {"inside", "overlaps", "nearby"}
        distance_m : float
            The distance to the zone (0 when touching).
        project : Project
        clauses : sequence of Clause, optional
            For a control unit the site touches: the clauses of its access list that bind it.
        clauses_source : str
            The access list's source (file), cited for a deciding clause.
        place : redline.zones.access_text.Place, optional
            Where the site is, as far as the screen knows (the zones it lies in, distances), for
            clauses whose conditions are places (「须进入化工园区」, 「100米」).
        """
        band = int(self.distance_bands(kind, np.array([distance_m], dtype=float))[0])
        key = (kind, zone_class, relation, project, band)
        outcome = self._memo.get(key)
        if outcome is None:
            decision = evaluate(self.catalog, kind, zone_class, relation, project, distance_m)
            outcome = self._memo[key] = _from_rule(decision, kind, self.lang)
        if clauses is not None and relation in TOUCHING:
            outcome = _from_clauses(outcome, clauses, project, clauses_source, place, self.lang)
        return outcome


def site_verdicts(
    n_sites: int,
    finding_sites: np.ndarray,
    finding_ranks: np.ndarray,
    *,
    covered: np.ndarray | None = None,
    layer_gaps: np.ndarray | None = None,
) -> np.ndarray:
    """Return each site's verdict: the worst of its findings', ``no_coverage`` or ``clear`` without any.

    A site wholly outside the layer set's coverage (``covered == 0``) is ``no_coverage``: the layers
    say nothing there, so nothing found is no answer.  A site partly outside keeps its findings'
    verdict.  A site that would be ``clear`` but lies wholly outside the own coverage of one of the
    layers (``layer_gaps``) is ``no_coverage`` too: that layer cannot say.

    Parameters
    ----------
    n_sites : int
    finding_sites : numpy.ndarray of int
        The site (row) of each finding.
    finding_ranks : numpy.ndarray of int
        The rank of each finding's verdict (:func:`redline.zones.verdicts.rank`).
    covered : numpy.ndarray of float, optional
        Each site's share within the layer set's coverage (NaN: the coverage is undeclared).
    layer_gaps : numpy.ndarray of bool, optional
        True for a site wholly outside some layer's own coverage.

    Returns
    -------
    numpy.ndarray of str (object)

    Examples
    --------
    >>> site_verdicts(3, np.array([0, 0, 2]), np.array([2, 0, 1])).tolist()
    ['prohibited', 'clear', 'restricted']
    >>> site_verdicts(3, np.array([2]), np.array([2]), covered=np.array([0.0, 1.0, 0.5])).tolist()
    ['no_coverage', 'clear', 'review']
    """
    best = np.full(n_sites, rank("clear"))
    if len(finding_sites):
        np.minimum.at(best, finding_sites, finding_ranks)
    unknown = np.zeros(n_sites, dtype=bool)
    if covered is not None:
        unknown |= covered == 0
    if layer_gaps is not None:
        unknown |= layer_gaps
    best = np.where(unknown, np.minimum(best, rank("no_coverage")), best)
    return np.asarray(VERDICTS, dtype=object)[best]


def _share_text(share: float, lang: str) -> str:
    """Write a share of a site as people do: never 100 % for a part, never 0 % for something."""
    pct = share * 100
    if pct > 99.9:
        return "超过 99.9%" if lang == "zh" else "over 99.9%"
    if pct < 0.1:
        return "不足 0.1%" if lang == "zh" else "under 0.1%"
    return f"约 {pct:.1f}%" if lang == "zh" else f"about {pct:.1f}%"


def coverage_note(verdict: str, covered: float, layer_shares: dict[str, float], lang: str = "zh") -> str:
    """Return what a site's row says of the layers' coverage (empty when there is nothing to say).

    Parameters
    ----------
    verdict : str
        The site's verdict.
    covered : float
        The site's share within the layer set's coverage; NaN when the coverage is undeclared.
    layer_shares : dict
        Kind label -> the site's share within that layer's own coverage, for layers that declare
        one and do not cover the whole site.
    lang : {"zh", "en"}

    Examples
    --------
    >>> coverage_note("no_coverage", 0.0, {})
    '选址位于图层覆盖范围之外，图层对此无法判断'
    >>> coverage_note("review", 0.25, {}, "en")
    "about 25.0% of the site lies within the layers' coverage; the rest has no layer data"
    >>> coverage_note("clear", float("nan"), {})
    '图层覆盖范围未声明：未发现冲突仅指图层范围内'
    >>> coverage_note("clear", 1.0, {"生态保护红线": 0.0})
    '生态保护红线图层未覆盖本选址'
    """
    zh = lang == "zh"
    notes = []
    if covered == 0:
        notes.append(
            "选址位于图层覆盖范围之外，图层对此无法判断"
            if zh
            else "the site lies outside the layers' coverage: they cannot say"
        )
    elif 0 < covered < 1:
        share = _share_text(covered, lang)
        notes.append(
            f"选址{share}位于图层覆盖范围内，其余部分无图层数据"
            if zh
            else f"{share} of the site lies within the layers' coverage; the rest has no layer data"
        )
    elif np.isnan(covered) and verdict == "clear":
        notes.append(
            "图层覆盖范围未声明：未发现冲突仅指图层范围内"
            if zh
            else "the layers' coverage is not declared: clear only within the layers"
        )
    for label, share in layer_shares.items():
        if share == 0:
            notes.append(f"{label}图层未覆盖本选址" if zh else f"the {label} layer does not cover the site")
        else:
            part = _share_text(share, lang)
            notes.append(f"{label}图层仅覆盖选址{part}" if zh else f"the {label} layer covers only {part} of the site")
    return "；".join(notes) if zh else "; ".join(notes)
