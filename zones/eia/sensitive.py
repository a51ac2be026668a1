"""环境敏感区 as the 名录 defines them (第三条) and as each row narrows them.

第三条 names the sensitive areas in three groups, （一）（二）（三); each row's
「本栏目环境敏感区含义」 says which of them count for that row.  An edition's ``sensitive.yaml``
lists the types by the names the 名录 prints (:class:`SensitiveType`), the phrases rows use for
several of them, and which layer kind of :mod:`redline.zones.kinds` is which type.
:func:`parse_scope` reads a row's wording into the set of types it counts (refusing wording it
cannot read completely), and :func:`in_scope` says whether a zone the site touches
(:class:`SensitiveHit`) is one of them: yes, no, or an open question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redline.zones.errors import value_error

__all__ = [
    "GROUPS",
    "RELATIONS",
    "KindMapping",
    "Scheme",
    "Scope",
    "SensitiveHit",
    "SensitiveType",
    "in_scope",
    "load_scheme",
    "parse_scope",
]

#: the three groups of 第三条
GROUPS: tuple[str, ...] = ("一", "二", "三")
_GROUP_WORDS = {"1": "一", "2": "二", "3": "三", "i": "一", "ii": "二", "iii": "三"}
#: how a site relates to a zone: ``inside`` (in, overlapping or crossing it: it counts) or
#: ``near`` (not touching, but within the project's reach: an open question for the reviewer)
RELATIONS: tuple[str, ...] = ("inside", "near")
_SEPARATORS = ("以及", "，", "、", "；", "和", "及", ",", " ")
_ALL = "全部区域"


@dataclass(frozen=True)
class SensitiveType:
    """One kind of 环境敏感区 named by 第三条.

    Parameters
    ----------
    name : str
        The name the 名录 prints, e.g. ``永久基本农田``.
    key : str
        ASCII name, e.g. ``basic_farmland``.
    group : str
        ``一``, ``二`` or ``三``.
    en : str
        English name.
    parent : str
        A broader type (``自然公园`` for ``森林公园``), or empty.
    extra : bool
        True for a type 第三条 covers by 「等」 without naming it.

    Examples
    --------
    >>> t = SensitiveType("森林公园", "forest_park", "二", "forest park", parent="自然公园")
    >>> t.group, t.parent
    ('二', '自然公园')
    """

    name: str
    key: str
    group: str
    en: str = ""
    parent: str = ""
    extra: bool = False


@dataclass(frozen=True)
class KindMapping:
    """Which sensitive type a layer kind is, with per-class open questions (e.g. the 准保护区)."""

    kind: str
    type: str
    questions: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class SensitiveHit:
    """A zone of a 环境敏感区 type that the site touches.

    Parameters
    ----------
    kind : str
        The layer kind (``basic_farmland``) or the manifest's own kind.
    type : str
        The sensitive type by name (``永久基本农田``) or key (``basic_farmland``).
    group : str
        ``一``, ``二`` or ``三`` (``1``/``2``/``3`` and ``（二）`` are accepted).
    zone_id, zone_name : str
        The zone, for the answer to name it.
    relation : str
        ``inside`` (the site is in, overlaps or crosses the zone) or ``near`` (the zone is within
        the project's reach but not touched: whether it counts is a question for the reviewer).
    question, question_en : str
        A question that makes this hit uncertain (set for the 准保护区), empty otherwise.

    Examples
    --------
    >>> SensitiveHit("basic_farmland", "永久基本农田", "二", "BF-1", "某村基本农田").zone_id
    'BF-1'
    """

    kind: str
    type: str
    group: str
    zone_id: str = ""
    zone_name: str = ""
    relation: str = "inside"
    question: str = ""
    question_en: str = ""


@dataclass(frozen=True)
class Scope:
    """The types a row counts: ``base``, plus ``extra`` types counted only for a named kind of project."""

    base: frozenset[str]
    extra: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def all_types(self) -> frozenset[str]:
        """Return every type the wording names, conditional ones included."""
        return self.base.union(*self.extra.values()) if self.extra else self.base


@dataclass(frozen=True)
class Scheme:
    """第三条 of one edition: its types, phrases and the layer kinds' types."""

    article: str
    wording: Mapping[str, str]
    types: Mapping[str, SensitiveType]
    phrases: Mapping[str, tuple[str, ...]]
    kinds: Mapping[str, KindMapping]

    def get(self, name_or_key: str) -> SensitiveType | None:
        """Return the type with this name or key, or None."""
        value = str(name_or_key).strip()
        if value in self.types:
            return self.types[value]
        return next((t for t in self.types.values() if t.key == value.lower()), None)

    def group_types(self, group: str) -> frozenset[str]:
        """Return every type of a group."""
        return frozenset(t.name for t in self.types.values() if t.group == group)

    def ancestors(self, name: str) -> list[str]:
        """Return the parents of a type, nearest first."""
        out: list[str] = []
        parent = self.types[name].parent if name in self.types else ""
        while parent and parent not in out:
            out.append(parent)
            parent = self.types[parent].parent if parent in self.types else ""
        return out

    def group_label(self, group: str, lang: str = "zh") -> str:
        """Return ``第三条（二）`` (zh) or ``art. 3 (2)`` style labels (en)."""
        if lang == "zh":
            return f"{self.article}（{group}）"
        return f"{self.article} ({GROUPS.index(group) + 1})"

    def label(self, name: str, lang: str = "zh") -> str:
        """Return a type's name (zh) or English name (en)."""
        t = self.types.get(name)
        return (t.en or t.name) if (t and lang == "en") else name


def normalize_group(value: Any) -> str:
    """Return ``一``/``二``/``三`` for ``1``, ``（二）``, ``第三条（三）``, ``ii`` ...; raise ValueError otherwise.

    Examples
    --------
    >>> normalize_group(2), normalize_group("（三）"), normalize_group("一")
    ('二', '三', '一')
    """
    text = str(value).strip().lower()
    text = re.sub(r"^第.条", "", text).strip("（）() ")
    text = _GROUP_WORDS.get(text, text)
    if text not in GROUPS:
        raise value_error(
            f"group {value!r} is not 一, 二 or 三 (第三条（一）（二）（三）)",
            f"类别 {value!r} 不是 一、二 或 三（第三条（一）（二）（三））",
        )
    return text


def _group_wording(article: str, articles: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for para in articles.get(article, ()):
        m = re.match(r"^（([一二三])）(.*?)[；。]?$", para)
        if m:
            out[m[1]] = m[2]
    return out


def load_scheme(
    raw: Mapping[str, Any], articles: Mapping[str, tuple[str, ...]], kinds: Any
) -> tuple[Scheme, list[str]]:
    """Build the :class:`Scheme` from ``sensitive.yaml`` and the articles; return it with the problems found.

    ``kinds`` is the collection of known layer kind names.
    """
    problems: list[str] = []
    article = str(raw.get("article") or "第三条")
    types: dict[str, SensitiveType] = {}
    for i, t in enumerate(raw.get("types") or []):
        try:
            st = SensitiveType(
                str(t["name"]),
                str(t["key"]),
                normalize_group(t["group"]),
                str(t.get("en") or ""),
                str(t.get("parent") or ""),
                bool(t.get("extra")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"sensitive.yaml types[{i}]: {exc}")
            continue
        types[st.name] = st
    problems += [
        f"sensitive.yaml type {t.name}: unknown parent {t.parent!r}"
        for t in types.values()
        if t.parent and t.parent not in types
    ]
    phrases = {str(k): tuple(str(v) for v in vs) for k, vs in (raw.get("phrases") or {}).items()}
    problems += [
        f"sensitive.yaml phrase {k}: unknown type {v!r}" for k, vs in phrases.items() for v in vs if v not in types
    ]
    mappings: dict[str, KindMapping] = {}
    for kind, spec in (raw.get("kinds") or {}).items():
        if kind not in kinds:
            problems.append(f"sensitive.yaml kinds: {kind!r} is not a zone kind")
        if spec.get("type") not in types:
            problems.append(f"sensitive.yaml kinds.{kind}: unknown type {spec.get('type')!r}")
        questions = {
            str(c): (str(q.get("question") or ""), str(q.get("question_en") or ""))
            for c, q in (spec.get("classes") or {}).items()
        }
        mappings[kind] = KindMapping(
            kind, str(spec.get("type")), questions, " ".join(str(spec.get("note") or "").split())
        )
    wording = _group_wording(article, articles)
    if set(wording) != set(GROUPS):
        problems.append(f"articles.md: {article} does not have the three groups （一）（二）（三）")
    scheme = Scheme(article, wording, types, phrases, mappings)
    for group, text in wording.items():
        try:
            found = _read_body(scheme, group, text)[0]
        except ValueError as exc:
            problems.append(f"{article}（{group}）: {exc}")
            continue
        named = {t.name for t in types.values() if t.group == group and not t.extra}
        if found - {t.name for t in types.values() if t.extra} != named:
            problems.append(f"{article}（{group}） names {sorted(found)} but sensitive.yaml lists {sorted(named)}")
    return scheme, problems


def _read_body(scheme: Scheme, group: str, body: str) -> tuple[set[str], dict[str, set[str]]]:
    """Read the body of one group's part of a row's wording; return (base types, {qualifier: types})."""
    base: set[str] = set()
    extra: dict[str, set[str]] = {}
    target = base
    words = {**{t.name: (t.name,) for t in scheme.types.values() if t.group == group}, **scheme.phrases}
    words = {w: ts for w, ts in words.items() if all(scheme.types[t].group == group for t in ts)}
    ordered = sorted(words, key=len, reverse=True)
    qualifier = re.compile(rf"针对(.+?)增加{scheme.article}（([一二三])）中的")
    i = 0
    while i < len(body):
        if body.startswith(_ALL, i):
            target.update(scheme.group_types(group))
            i += len(_ALL)
            continue
        word = next((w for w in ordered if body.startswith(w, i)), None)
        if word is not None:
            target.update(words[word])
            i += len(word)
            continue
        m = qualifier.match(body, i)
        if m:
            if m[2] != group:
                raise ValueError(f"cannot read {body[i:]!r}: the added types are of another group")
            target = extra.setdefault(m[1], set())
            i = m.end()
            continue
        sep = next((s for s in _SEPARATORS if body.startswith(s, i)), None)
        if sep is None:
            raise ValueError(f"cannot read {body[i:]!r} (not a type of {scheme.article}（{group}）)")
        i += len(sep)
    return base, extra


def parse_scope(scheme: Scheme, text: str) -> Scope:
    """Read a row's 「本栏目环境敏感区含义」 into the types it counts.

    Raises
    ------
    ValueError
        If any part of the wording is not a type, phrase or separator the scheme knows.

    Examples
    --------
    >>> from redline.zones.eia import load_edition
    >>> scheme = load_edition("2021").scheme
    >>> wording = "第三条（一）中的自然保护区；第三条（二）中的除（一）外的生态保护红线管控范围，基本农田保护区"
    >>> scope = parse_scope(scheme, wording)
    >>> sorted(scope.base)
    ['永久基本农田', '生态保护红线管控范围', '自然保护区']
    """
    base: set[str] = set()
    extra: dict[str, set[str]] = {}
    pattern = re.compile(rf"^{scheme.article}（([一二三])）中的(.+)$")
    for part in (p.strip() for p in text.split("；")):
        m = pattern.match(part)
        if not m:
            raise ValueError(f"cannot read {part!r}: expected {scheme.article}（一|二|三）中的…")
        found, more = _read_body(scheme, m[1], m[2])
        base |= found
        for k, v in more.items():
            extra.setdefault(k, set()).update(v)
    return Scope(frozenset(base), {k: frozenset(v) for k, v in extra.items()})


def in_scope(scheme: Scheme, types: frozenset[str], hit: SensitiveHit) -> bool | None:
    """Whether ``hit`` is one of ``types``: True, False, or None when it is an open question.

    A hit counts when its type or a broader type is named; a hit of a broad type of which the row
    names only some narrower types (a 自然公园 for a row naming 森林公园) is open, as is a hit that
    is only near the site or carries a question.

    Examples
    --------
    >>> from redline.zones.eia import load_edition
    >>> scheme = load_edition("2021").scheme
    >>> park = SensitiveHit("park", "自然公园", "二")
    >>> in_scope(scheme, frozenset({"森林公园"}), park), in_scope(scheme, frozenset({"自然公园"}), park)
    (None, True)
    >>> in_scope(scheme, frozenset({"永久基本农田"}), park)
    False
    """
    named = hit.type in types or any(a in types for a in scheme.ancestors(hit.type))
    if named:
        return None if (hit.relation == "near" or hit.question) else True
    narrower = any(hit.type in scheme.ancestors(t) for t in types)
    return None if narrower else False


def normalize_hit(scheme: Scheme, hit: SensitiveHit) -> SensitiveHit:
    """Return ``hit`` with its type by name and its group checked.

    Raises
    ------
    ValueError
        If the type is unknown, the group is not the type's, or the relation is unknown.
    """
    t = scheme.get(hit.type)
    if t is None:
        raise value_error(
            f"sensitive area type {hit.type!r} (zone {hit.zone_id or hit.kind}) is not one of {scheme.article}'s: "
            f"{'、'.join(scheme.types)}",
            f"环境敏感区类型 {hit.type!r}（区域 {hit.zone_id or hit.kind}）不是{scheme.article}所列的类型："
            f"{'、'.join(scheme.types)}",
        )
    group = normalize_group(hit.group) if str(hit.group).strip() else t.group
    if group != t.group:
        raise value_error(
            f"sensitive area type {t.name} is in {scheme.article}（{t.group}）, not （{group}）",
            f"环境敏感区类型 {t.name} 属于{scheme.article}（{t.group}），不属于（{group}）",
        )
    if hit.relation not in RELATIONS:
        raise value_error(
            f"relation {hit.relation!r} of zone {hit.zone_id or hit.kind} is not one of {', '.join(RELATIONS)}",
            f"区域 {hit.zone_id or hit.kind} 的位置关系 {hit.relation!r} 不是 {'、'.join(RELATIONS)} 之一",
        )
    if (t.name, group) == (hit.type, hit.group):
        return hit
    return SensitiveHit(
        hit.kind, t.name, group, hit.zone_id, hit.zone_name, hit.relation, hit.question, hit.question_en
    )
