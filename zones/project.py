"""The project under review: industry codes, tags and action."""

from __future__ import annotations

import json
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
    facts : tuple of (str, str)
        What the user says of the project that no layer can tell (``装机容量=6万千瓦``), as given;
        the 名录's EIA category reads them (:mod:`redline.zones.eia`).
    unknown_industries : tuple of str
        Codes given that are in neither GB/T 4754 edition: rules that depend on the industry cannot
        be decided for them (their findings ask; see :func:`match_project`).
    notes : tuple of str
        How the codes were read, for the site's row (a GB/T 4754-2011 code read as its 2017 codes,
        an unknown code), in Chinese (``notes_en``: the same in English).

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
    facts: tuple[tuple[str, str], ...] = ()
    unknown_industries: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()

    def industry_names(self) -> list[str]:
        """Return ``"CODE 名称"`` for each industry code."""
        out = []
        for code in self.industries:
            ind = lookup(code)
            out.append(f"{code} {ind.name}" if ind else code)
        return out

    def to_text(self) -> str:
        """Return the project as one line of JSON, which :meth:`from_text` reads back as it was.

        ``str(project)`` gives the same text, so a frame whose Project objects were turned into
        text (Dask's string columns, a column stored in a file or a database) keeps them whole.

        Examples
        --------
        >>> p = make_project("C1713", "discharges_wastewater", "rebuild", {"工艺": "前处理;染色"})
        >>> p.to_text()
        '{"industries":["C1713"],"tags":["discharges_wastewater"],"action":"rebuild","facts":[["工艺","前处理;染色"]]}'
        >>> Project.from_text(str(p)) == p
        True
        """
        data = {
            "industries": list(self.industries),
            "tags": sorted(self.tags),
            "action": self.action,
            "facts": [list(pair) for pair in self.facts],
            "unknown_industries": list(self.unknown_industries),
            "notes": list(self.notes),
            "notes_en": list(self.notes_en),
        }
        kept = {k: v for k, v in data.items() if v or k == "action"}
        return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))

    __str__ = to_text

    @classmethod
    def from_text(cls, text: str) -> Project:
        """Return the project :meth:`to_text` wrote (as it was: no look-up, no check).

        Raises
        ------
        ValueError
            When ``text`` is not such a text.

        Examples
        --------
        >>> Project.from_text('{"industries":["C3360"],"action":"expand"}').action
        'expand'
        """
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError):
            data = None
        if not isinstance(data, dict) or not set(data) <= _TEXT_KEYS:
            raise ValueError(f"not the text of a project: {str(text)[:80]!r}")
        texts = lambda key: tuple(str(v) for v in data.get(key, ()))  # noqa: E731
        return cls(
            texts("industries"),
            frozenset(texts("tags")),
            str(data.get("action", "new")),
            tuple((str(k), str(v)) for k, v in data.get("facts", ())),
            texts("unknown_industries"),
            texts("notes"),
            texts("notes_en"),
        )


#: The keys of :meth:`Project.to_text`.
_TEXT_KEYS = frozenset({"industries", "tags", "action", "facts", "unknown_industries", "notes", "notes_en"})


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
    facts: Mapping[str, object] | Iterable[str] | str | None = None,
    *,
    lenient: bool = False,
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
    facts : mapping or iterable of ``KEY=VALUE`` str, optional
        Project facts for the 名录 (``{"装机容量": "6万千瓦"}`` or ``["装机容量=6万千瓦"]``).
    lenient : bool
        Keep an industry code that is in neither GB/T 4754 edition as unknown (the site is still
        screened; rules that depend on the industry then ask) instead of refusing it.  A batch row
        is read leniently; a code given on the command line is not.

    Raises
    ------
    RuleError
        For an unknown industry (unless ``lenient``), tag or action, or a fact that is not KEY=VALUE.

    Examples
    --------
    >>> make_project("C3360", "discharges_pollutants", "expand").action
    'expand'
    >>> p = make_project("I6510")  # a GB/T 4754-2011 code: read as its 2017 codes
    >>> p.industries, p.notes[0][:29]
    (('I6511', 'I6512', 'I6513', 'I6519'), 'GB/T 4754-2011 代码 I6510（软件开发）')
    >>> make_project("Z9999", lenient=True).unknown_industries
    ('Z9999',)
    >>> make_project(facts=["装机容量=6万千瓦"]).facts
    (('装机容量', '6万千瓦'),)
    """
    read = _read_industries(_split(industry), lenient)
    act = (action or "new").strip() or "new"
    act = {v: k for k, v in ACTION_LABELS.items()}.get(act, act).lower()
    if act not in ACTIONS:
        raise RuleError(
            f"unknown action {action!r}; use one of new, expand, rebuild",
            param="action",
            value=action,
            zh=f"未知的建设性质 {action!r}；请用 new（新建）、expand（扩建）、rebuild（改建）之一",
        )
    return Project(read.codes, check_tags(_split(tags)), act, _facts(facts), read.unknown, read.notes_zh, read.notes_en)


@dataclass
class _Read:
    codes: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()


def _read_industries(items: list[str], lenient: bool) -> _Read:
    """Resolve industry codes and names; a GB/T 4754-2011 code becomes its 2017 codes, with a note.

    An item that is neither is refused (:class:`RuleError`), or with ``lenient`` kept as unknown.
    """
    from redline.zones.industry_editions import classify_code, read_2011, unknown_code_note

    codes: list[str] = []
    unknown: list[str] = []
    zh: list[str] = []
    en: list[str] = []
    for item in items:
        try:
            codes.append(resolve(item))
            continue
        except RuleError:
            if classify_code(item) == "2011":
                match = read_2011(item)
                if match is not None and match.codes_2017:
                    codes.extend(match.codes_2017)
                    zh.append(match.note("zh"))
                    en.append(match.note("en"))
                    if match.complete:
                        continue
                    unknown.extend(match.unmapped)
                    continue
            if not lenient:
                raise
        unknown.append(item)
        zh.append(unknown_code_note(item, "zh"))
        en.append(unknown_code_note(item, "en"))
    return _Read(tuple(dict.fromkeys(codes)), tuple(dict.fromkeys(unknown)), tuple(zh), tuple(en))


def _facts(facts: Mapping[str, object] | Iterable[str] | str | None) -> tuple[tuple[str, str], ...]:
    """Project facts as sorted (key, value) pairs: from a mapping, or ``KEY=VALUE`` texts."""
    if not facts:
        return ()
    if isinstance(facts, Mapping):
        pairs = [(str(k).strip(), str(v).strip()) for k, v in facts.items()]
    else:
        items = [facts] if isinstance(facts, str) else list(facts)
        pairs = []
        for item in items:
            for part in str(item).replace("；", ";").split(";"):
                if not part.strip():
                    continue
                key, sep, value = part.partition("=")
                if not sep or not key.strip():
                    raise RuleError(
                        f"project fact {part.strip()!r} is not KEY=VALUE (e.g. 装机容量=6万千瓦)",
                        param="facts",
                        value=part,
                        zh=f"项目事实 {part.strip()!r} 不是 名称=值 的形式（如 装机容量=6万千瓦）",
                    )
                pairs.append((key.strip(), value.strip()))
    return tuple(sorted(dict(pairs).items()))


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
    unsure = _unknown_codes_question(project) if (industries or unless_industries) else None
    if not industries and not tags:
        return Match(QUESTION, (unsure,)) if unsure and unless_industries else Match(FULL)
    if tags & project.tags:
        return Match(FULL)
    found = _industry_match(project, industries, qualified)
    if found.kind == NONE and unsure and industries:
        return Match(QUESTION, (unsure,))
    if found.kind == FULL and unsure and unless_industries:
        return Match(QUESTION, (unsure,))
    return found


def _unknown_codes_question(project: Project) -> Qualifier | None:
    """Return the question a rule that depends on the industry asks of codes the standard does not know."""
    if not project.unknown_industries:
        return None
    codes = "、".join(project.unknown_industries)
    return Qualifier(
        "unknown_industry",
        frozenset(),
        f"行业代码 {codes} 无法识别（不在 GB/T 4754-2017 或 2011 中），须核实项目行业后判断本规则是否适用",
        f"industry code {', '.join(project.unknown_industries)} is in neither GB/T 4754 edition: "
        "check the project's industry to tell whether this rule applies",
    )
