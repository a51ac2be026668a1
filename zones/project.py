"""The project under review: industry codes, tags and action."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from redline.zones.errors import RuleError
from redline.zones.industry import Qualifier, lookup, matches, resolve
from redline.zones.tags import check_tags

__all__ = [
    "ACTIONS",
    "FULL",
    "NONE",
    "QUESTION",
    "Match",
    "Project",
    "make_project",
    "match_project",
    "project_matches",
]

#: new (新建), expand (扩建), rebuild (改建)
ACTIONS: tuple[str, ...] = ("new", "expand", "rebuild")
ACTION_LABELS = {"new": "新建", "expand": "扩建", "rebuild": "改建"}


@dataclass(frozen=True)
class Project:
    """What is proposed at a site.

    Parameters
    ----------
    industries : tuple of str
        GB/T 4754-2017 codes (any level), e.g. ``("C3360",)``.
    tags : frozenset of str
        Known tags (see :data:`zones.tags.TAGS`).
    action : str
        ``new`` (default), ``expand`` or ``rebuild``.

    Examples
    --------
    >>> project = make_project("电镀", "heavy_metal", "扩建")
    >>> project.industries, sorted(project.tags), project.action
    (('C3360',), ['heavy_metal'], 'expand')
    >>> project.industry_names()
    ['C3360 金属表面处理及热处理加工']
    """

    industries: tuple[str, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)
    action: str = "new"

    def industry_names(self) -> list[str]:
        """Return ``"CODE 名称"`` for each industry code."""
        out = []
        for code in self.industries:
            ind = lookup(code)
            out.append(f"{code} {ind.name}" if ind else code)
        return out


def _split(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.replace("；", ";").replace(",", ";").split(";")
    else:
        parts = [str(v) for v in value]
    return [p.strip() for p in parts if p and p.strip()]


def make_project(
    industry: str | Iterable[str] | None = None,
    tags: str | Iterable[str] | None = None,
    action: str | None = None,
) -> Project:
    """Build a checked :class:`Project` from loose user input.

    Parameters
    ----------
    industry : str or iterable of str, optional
        Codes or exact Chinese names; a string may hold several separated by ``;``.
    tags : str or iterable of str, optional
        Tags; a string may hold several separated by ``;``.
    action : str, optional
        ``new`` (default), ``expand`` or ``rebuild``; 新建/扩建/改建 are accepted.

    Raises
    ------
    RuleError
        For an unknown industry, tag or action.

    Examples
    --------
    >>> make_project("C3360", "discharges_pollutants", "expand").action
    'expand'
    """
    codes = tuple(dict.fromkeys(resolve(c) for c in _split(industry)))
    act = (action or "new").strip() or "new"
    act = {v: k for k, v in ACTION_LABELS.items()}.get(act, act).lower()
    if act not in ACTIONS:
        raise RuleError(f"unknown action {action!r}; use one of new, expand, rebuild", param="action", value=action)
    return Project(codes, check_tags(_split(tags)), act)


def project_matches(
    project: Project,
    *,
    industries: tuple[str, ...] = (),
    tags: frozenset[str] = frozenset(),
    unless_industries: tuple[str, ...] = (),
    unless_tags: frozenset[str] = frozenset(),
    actions: tuple[str, ...] = (),
) -> bool:
    """Return True when ``project`` meets a rule's or clause's project condition.

    Industries (code prefixes) and tags together form one any-of condition (with
    neither, every project matches); ``unless_industries`` and ``unless_tags`` exclude;
    ``actions`` limits to new/expand/rebuild.

    Examples
    --------
    >>> p = make_project("C3360", action="new")
    >>> project_matches(p, industries=("C33",)), project_matches(p, industries=("C33",), actions=("expand",))
    (True, False)
    """
    return match_project(
        project,
        industries=industries,
        tags=tags,
        unless_industries=unless_industries,
        unless_tags=unless_tags,
        actions=actions,
    ).applies

#: How a project meets a rule's project condition: the rule applies (``full``), the project's
#: industry code is broader than the rule's source and a question stands open (``question``), or
#: the rule does not apply (``none``).
FULL, QUESTION, NONE = "full", "question", "none"


@dataclass(frozen=True)
class Match:
    """How a project meets a rule's project condition.

    Attributes
    ----------
    kind : {"full", "question", "none"}
    questions : tuple of Qualifier
        For ``question``: what a reviewer must answer (each one answered yes would make it ``full``).

    Examples
    --------
    >>> Match(FULL).applies, Match(NONE).applies
    (True, False)
    """

    kind: str
    questions: tuple[Qualifier, ...] = ()

    @property
    def applies(self) -> bool:
        """True unless the rule does not apply at all."""
        return self.kind != NONE

    def question(self, lang: str = "zh") -> str:
        """Return the open questions joined into one sentence (empty for ``full`` and ``none``)."""
        return ("；" if lang == "zh" else "; ").join(q.question(lang) for q in self.questions)


def _industry_match(project: Project, codes: tuple[str, ...], qualified: Mapping[str, tuple[Qualifier, ...]]) -> Match:
    """Match the project's codes: a plain code decides; a qualified one decides if a tag answers it."""
    if matches(project.industries, tuple(c for c in codes if c not in qualified)):
        return Match(FULL)
    open_questions: list[Qualifier] = []
    for code, qualifiers in qualified.items():
        if not matches(project.industries, (code,)):
            continue
        if any(q.tags & project.tags for q in qualifiers):
            return Match(FULL)
        open_questions.extend(qualifiers)
    return Match(QUESTION, tuple(dict.fromkeys(open_questions))) if open_questions else Match(NONE)


def match_project(
    project: Project,
    *,
    industries: tuple[str, ...] = (),
    qualified: Mapping[str, tuple[Qualifier, ...]] | None = None,
    tags: frozenset[str] = frozenset(),
    unless_industries: tuple[str, ...] = (),
    unless_tags: frozenset[str] = frozenset(),
    actions: tuple[str, ...] = (),
) -> Match:
    """Return how ``project`` meets a rule's project condition (see :func:`project_matches`).

    ``qualified`` maps the codes of ``industries`` that are broader than the rule's source to
    their :class:`~redline.zones.industry.Qualifier` objects: a project whose only match is such a
    code gets a ``question`` match unless one of its tags answers it.  A listed tag of the project
    or a plain code decides (``full``).

    Examples
    --------
    >>> from redline.zones.industry import expand_qualified
    >>> codes, qualified = expand_qualified(["涉重金属"])
    >>> m = match_project(make_project("C2614"), industries=codes, qualified=qualified)
    >>> m.kind, m.question()
    ('question', '是否采用电石法（聚）氯乙烯工艺')
    >>> match_project(make_project("C2614", "calcium_carbide_pvc"), industries=codes, qualified=qualified).kind
    'full'
    >>> match_project(make_project("C1910"), industries=codes, qualified=qualified).kind
    'full'
    """
    qualified = qualified or {}
    if actions and project.action not in actions:
        return Match(NONE)
    if unless_tags & project.tags:
        return Match(NONE)
    if unless_industries and matches(project.industries, unless_industries):
        return Match(NONE)
    if not industries and not tags:
        return Match(FULL)
    if tags & project.tags:
        return Match(FULL)
    return _industry_match(project, industries, qualified)
