"""The words an access-list clause names industries and project tags with, and how they are found.

The lexicon joins, in this order of precedence: the policy terms of
``zones/data/access_terms.yaml`` (each with its source), the generic heads (工业项目 = B, C, D),
the aliases of ``zones/data/industry_aliases.yaml``, the policy groups of
``zones/data/industry_groups.yaml`` and the names of GB/T 4754-2017 itself.  :func:`scan` finds
the longest term at each place of a text; :func:`residual_industry` tries a word no term covers
against the standard's names and class notes (:func:`redline.zones.industry.candidates`),
keeping it only when exactly one class answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from redline.zones.access_scope import vocabulary
from redline.zones.industry import aliases, groups, industry_table

__all__ = ["IndustryHit", "Term", "describe_codes", "lexicon", "residual_industry", "scan"]

#: names of the standard too common in clause text to stand for an industry by themselves
#: sections whose names (planning, management, consulting, public administration) clauses use as plain words
_SERVICE_SECTIONS = frozenset({"L", "M", "S", "T"})
_NAME_STOPWORDS = frozenset({"其他", "农业", "林业", "建筑业", "服务", "管理", "其他服务业"})


@dataclass(frozen=True)
class Term:
    """One word of the lexicon.

    Attributes
    ----------
    word : str
        The word as clauses write it.
    codes : tuple of str
        GB/T 4754-2017 codes it stands for (prefixes); empty for a pure tag word.
    tags : frozenset of str
        Project tags it stands for.
    via : str
        ``term`` (access_terms.yaml), ``generic`` (工业项目), ``generic_all`` (建设项目), ``alias``,
        ``group`` or ``name`` (a name of the standard).
    source : str
        Where the meaning comes from.
    """

    word: str
    codes: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    via: str = "term"
    source: str = ""


@dataclass(frozen=True)
class IndustryHit:
    """Industries (or tags) a clause names: the words found and the codes they stand for.

    Attributes
    ----------
    words : tuple of str
        The words of the clause.
    codes : tuple of str
        GB/T 4754-2017 codes (prefixes).
    tags : frozenset of str
        Project tags.
    via : str
        How the words were matched (see :class:`Term`).
    source : str
        The source of the meaning.
    """

    words: tuple[str, ...]
    codes: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    via: str = "term"
    source: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """``"CODE 名称"`` for each code."""
        return tuple(describe_codes(self.codes))

    def matches(self, codes: tuple[str, ...]) -> bool:
        """Return True when any project code falls under one of the hit's codes."""
        return any(p.startswith(c) for p in codes for c in self.codes)


def describe_codes(codes: tuple[str, ...] | list[str]) -> list[str]:
    """Return ``"CODE 名称"`` for each code (the bare code when unknown).

    Examples
    --------
    >>> describe_codes(("C3360", "B"))
    ['C3360 金属表面处理及热处理加工', 'B 采矿业']
    """
    table = industry_table()
    return [f"{c} {table[c].name}" if c in table else c for c in codes]


def _yaml_terms() -> list[Term]:
    out: list[Term] = []
    vocab = vocabulary()
    for entry in vocab["terms"]:
        codes = tuple(str(c) for c in entry.get("codes", ()))
        if entry.get("group"):
            codes += groups()[entry["group"]].codes
        tags = frozenset(entry.get("tags", ()))
        for word in entry["words"]:
            out.append(Term(str(word), codes, tags, "term", str(entry.get("source", ""))))
    generic = vocab["generic"]
    for word in generic["industrial"]["words"]:
        out.append(Term(str(word), tuple(generic["industrial"]["codes"]), frozenset(), "generic", "工业项目 = B, C, D"))
    for word in generic["all"]["words"]:
        out.append(Term(str(word), (), frozenset(), "generic_all", "every project"))
    return out


@cache
def lexicon() -> dict[str, Term]:
    """Return every word of the lexicon -> its :class:`Term`, the first source of a word winning.

    Examples
    --------
    >>> lexicon()["电镀"].codes, lexicon()["电镀"].via
    (('C3360',), 'alias')
    >>> lexicon()["工业项目"].codes
    ('B', 'C', 'D')
    """
    out: dict[str, Term] = {}

    def add(term: Term) -> None:
        if len(term.word) >= 2 and term.word not in out:
            out[term.word] = term

    for term in _yaml_terms():
        add(term)
    for alias in aliases():
        for word in alias.words:
            add(Term(word, (alias.code,), frozenset(), "alias", alias.why))
    for group in groups().values():
        for word in (group.name, *group.aliases):
            if re.search(r"[\u4e00-\u9fff]", word):
                add(Term(word, group.codes, frozenset(), "group", group.source))
    for ind in industry_table().values():
        name = ind.name
        if ind.section in _SERVICE_SECTIONS or name in _NAME_STOPWORDS or name.startswith("其他") or len(name) > 14:
            continue
        add(Term(name, (ind.code,), frozenset(), "name", f"GB/T 4754-2017 {ind.code} {name}"))
    return out


@cache
def _by_first_char() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for word in lexicon():
        index.setdefault(word[0], []).append(word)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


def scan(text: str) -> list[tuple[int, int, Term]]:
    """Return ``(start, end, term)`` of the longest term at each place, left to right, not overlapping.

    Examples
    --------
    >>> [(t.word, t.codes) for _, _, t in scan("禁止新建化学制浆、电镀、鞣革项目")]
    [('化学制浆', ('C221',)), ('电镀', ('C3360',)), ('鞣革', ('C1910',)), ('项目', ())]
    """
    index = _by_first_char()
    out: list[tuple[int, int, Term]] = []
    i = 0
    while i < len(text):
        for word in index.get(text[i], ()):
            if text.startswith(word, i):
                out.append((i, i + len(word), lexicon()[word]))
                i += len(word)
                break
        else:
            i += 1
    return out


_SUFFIX = re.compile(r"(项目|企业|行业|产业|产能|工程|设施|装置|生产线|生产|制造|加工|类|等|建设)+$")
_PREFIX = re.compile(r"^(新建|扩建|改建|新增|建设|发展|引进|引入|其他)+")


@lru_cache(maxsize=8192)
def residual_industry(word: str) -> IndustryHit | None:
    """Return the one class of the standard a left-over word names, or None.

    The word (without 项目, 企业, 生产 ...) must be part of the names of exactly one entry and its
    sub-entries (a class, or a group with its one class), or, from three characters on, a word in
    the note of exactly one class; shorter or looser words are left for a reviewer.

    Examples
    --------
    >>> hit = residual_industry("锌锰电池生产"); hit.codes if hit else None
    ('C3844',)
    >>> residual_industry("森林康养配套设施") is None, residual_industry("人为") is None
    (True, True)
    """
    core = _PREFIX.sub("", _SUFFIX.sub("", word.strip()))
    if len(core) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", core) or core in lexicon():
        return None
    table = industry_table()
    by_name = [ind for ind in table.values() if core in ind.name]
    classes = {ind.code for ind in by_name if ind.level == 4}
    if by_name and len(classes) == 1 and len(core) >= 3:
        code = classes.pop()
        if all(code.startswith(ind.code) for ind in by_name):
            return IndustryHit((word,), (code,), frozenset(), "name part", f"GB/T 4754-2017 {code} {table[code].name}")
    if by_name or len(core) < 3:
        return None
    if re.search(r"[为的以在和或等按对与及其之于把被将]", core):
        return None
    noted = [ind.code for ind in table.values() if ind.level == 4 and core in ind.note]
    if len(noted) == 1:
        code = noted[0]
        return IndustryHit(
            (word,), (code,), frozenset(), "class note", f"GB/T 4754-2017 {code} {table[code].name} (note)"
        )
    return None
