"""Where an access-list clause applies: parks, zones of the layer set, distances, unknown places.

「化工园区外」, 「饮用水水源一级保护区内」, 「饮用水水源保护区周边500米范围内」, 「须进入工业园区」 become
:class:`Condition` objects the screen can test against the site's :class:`~redline.zones.access_text.Place`;
places the layer set does not hold (「沿江两岸」, 「居民区周边」) become :class:`Untestable` reasons.
The words come from ``parks``, ``zones`` and ``self_places`` of ``zones/data/access_terms.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from redline.zones.access_scope import vocabulary

__all__ = ["Condition", "Untestable", "places_in", "strip_places"]

_IN_PLACE = re.compile(
    r"在([^,在]{1,24}?)(范围内|区域内|以内|以外|内|外|周边|两岸|两侧|沿岸|沿线|附近|地区|区域|流域"
    r"|(?=新建|扩建|改建|建设|布局|开展|从事|设置|投资))"
)
_RIVERSIDE = re.compile(
    r"沿江|沿河|沿湖|沿海|沿岸|沿线|岸线|两岸|干流|支流|上游|下游|汇水|集雨区|周边|附近|建成区|居民区|居住区|敏感区|人口密集区|敏感建筑"
)
_SEPARATORS = re.compile(r"[、,和及与或等以其他的]+")
_DISTANCE = re.compile(r"(\d+(?:\.\d+)?)(米|m|公里|千米|km)")
_REQUIRE_BEFORE = re.compile(
    r"(进入|进|入|迁入|搬入|搬迁至|集中|集聚|布局在|布局于|布设在|设在|位于|落户|向)[^,;在]{0,10}$"
)


@dataclass(frozen=True)
class Untestable:
    """Why a statement cannot be tested: Chinese and English reason and the words of the clause.

    ``place`` marks a place the layer set does not hold; ``alternative`` one listed beside places it
    does hold (「在生态保护红线、永久基本农田和生态空间内」): a site inside a known one settles it.
    """

    zh: str
    en: str
    words: str
    place: bool = False
    alternative: bool = False


@dataclass(frozen=True)
class Condition:
    """A place a statement is about: inside or outside a kind of zone, or within a distance of one.

    Attributes
    ----------
    relation : str
        ``inside``, ``outside`` or ``within``.
    kind : str
        The zone kind (``industrial_park``, ``water_source`` ...).
    zone_class : str
        The class or type required (``chemical`` park, ``first`` 一级保护区), or empty for any.
    metres : float or None
        For ``within``: the distance.
    name : str
        A named zone (光达新材料产业园), when the clause names one.
    words : str
        The words of the clause.
    """

    relation: str
    kind: str
    zone_class: str = ""
    metres: float | None = None
    name: str = ""
    words: str = ""

    def describe(self, lang: str = "zh") -> str:
        """Return the condition in words.

        Examples
        --------
        >>> Condition("outside", "industrial_park", "chemical").describe("en")
        'outside a chemical industrial_park'
        """
        what = f"{self.name}" if self.name else (f"{self.zone_class} {self.kind}" if self.zone_class else self.kind)
        if lang == "zh":
            if self.relation == "within":
                return f"{self.name or self.words or what} {self.metres or 0:g} 米范围内"
            return f"{'位于' if self.relation == 'inside' else '位于以外：'}{self.name or self.words or what}"
        if self.relation == "within":
            return f"within {self.metres or 0:g} m of {what}"
        return f"{self.relation} a {what}" if not self.name else f"{self.relation} {what}"


@cache
def _park_words() -> tuple[tuple[str, str], ...]:
    pairs = [(w, str(e["zone_class"] or "")) for e in vocabulary()["parks"] for w in e["words"]]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@cache
def _zone_words() -> tuple[tuple[str, str, str], ...]:
    triples = [(w, e["kind"], str(e["zone_class"] or "")) for e in vocabulary()["zones"] for w in e["words"]]
    return tuple(sorted(triples, key=lambda p: len(p[0]), reverse=True))


# --------------------------------------------------------------------------- places


def _relation(text: str, start: int, end: int) -> str:
    after, before = re.sub(r"^\([^()]*\)", "", text[end : end + 12])[:3], text[max(0, start - 14) : start]
    if after.startswith(("以外", "外")):
        return "outside"
    if _REQUIRE_BEFORE.search(before):
        return "require"
    if after.startswith(("内", "范围内", "区域内", "以内", "区内")) or re.search(r"在[^,;在]{0,8}$", before):
        return "inside"
    return ""


def _name_before(text: str, start: int) -> str:
    """Return a proper name right before a park word (光达新材料 + 产业园), or ""."""
    m = re.search(r"([\u4e00-\u9fff]{2,12})$", text[:start])
    if not m:
        return ""
    name = m.group(1)
    name = re.sub(r"^.*(进入|入|在|于|至|向|的|禁止|严禁|不得|除|须|应)", "", name)
    return name if len(name) >= 2 and not re.search(r"工业|化工|产业|依法|合规|设立|规划|省级|国家级", name) else ""


@cache
def _place_words() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """Return a pattern finding the longest park or zone word at every position, and word -> (kind, class)."""
    meaning = {w: ("industrial_park", cls) for w, cls in _park_words()}
    meaning.update({w: (kind, cls) for w, kind, cls in _zone_words()})
    words = sorted(meaning, key=len, reverse=True)
    return re.compile("(?=(" + "|".join(map(re.escape, words)) + "))"), meaning


def _place_spans(text: str) -> list[tuple[int, int, int, str, str, str]]:
    """Return (name start, start, end, kind, class, word) of each park or zone word, longest first."""
    pattern, meaning = _place_words()
    found = [(m.start(), m.start() + len(m.group(1)), *meaning[m.group(1)], m.group(1)) for m in pattern.finditer(text)]
    out: list[tuple[int, int, int, str, str, str]] = []
    taken: list[tuple[int, int]] = []
    for start, end, kind, cls, word in found:
        if any(s <= start < e for s, e in taken) or text[end : end + 1] == "域":
            continue
        taken.append((start, end))
        if start and text[start - 1] in "(（" and out and out[-1][2] == start - 1:
            if cls and not out[-1][4]:  # 「光达新材料产业园（电镀集中区）」: the same park, now with its type
                out[-1] = (*out[-1][:4], cls, out[-1][5])
            continue
        prefix = _name_before(text, start) if kind == "industrial_park" else ""
        out.append((start - len(prefix), start, end, kind, cls, word))
    return out


def strip_places(text: str) -> str:
    """Return ``text`` with its park and zone words (and the names before them) blanked out.

    Examples
    --------
    >>> strip_places("光达新材料产业园(电镀集中区)内")
    '、内'
    """
    for name_start, _, end, *_ in reversed(_place_spans(text)):
        tail = re.match(r"\([^()]*(园|区)\)", text[end:])
        text = text[:name_start] + "、" + text[end + (tail.end() if tail else 0) :]
    return _IN_PLACE.sub("、", text)


def places_in(
    text: str, verdict: str, default: str = "", after: str = ""
) -> tuple[list[Condition], Condition | None, list[Untestable]]:
    """Return the place conditions, the requirement (for conditions) and the untestable places of a text.

    Examples
    --------
    >>> conds, req, bad = places_in("化工园区外禁止新建化工项目", "prohibited"); conds[0].relation, conds[0].zone_class
    ('outside', 'chemical')
    >>> places_in("新建工业项目须进入武利工业园", "condition")[1].name
    '武利工业园'
    >>> places_in("禁止在居民区周边新建", "prohibited")[2][0].en
    'a place the layer set does not hold'
    """
    conds: list[Condition] = []
    requirement: Condition | None = None
    spans = _place_spans(text)
    for name_start, start, end, kind, cls, word in spans:
        rel = _relation(text, name_start, end) or default
        name = text[name_start:end] if name_start < start else ""
        near = _DISTANCE.search(
            text[max(0, name_start - 12) : end + 12] + (after[:12] if end + 12 >= len(text) else "")
        )
        if near and rel in ("inside", ""):
            metres = float(near.group(1)) * (1000 if near.group(2) in ("公里", "千米", "km") else 1)
            conds.append(Condition("within", kind, cls, metres, name, word))
        elif rel == "require" and verdict != "prohibited":
            requirement = Condition("inside", kind, cls, None, name, word)
        elif rel == "require":
            conds.append(Condition("inside", kind, cls, None, name, word))
        elif rel in ("inside", "outside"):
            conds.append(Condition(rel, kind, cls, None, name, word))
    if (
        requirement is None
        and re.search(r"入园|进园|进区入园|入园进区", text)
        and verdict in ("condition", "restricted")
    ):
        requirement = Condition("inside", "industrial_park", words="入园")
    bad = _unknown_places(text, [(n, e) for n, _, e, *_ in spans])
    return conds, requirement, bad


def _unknown_places(text: str, covered: list[tuple[int, int]]) -> list[Untestable]:
    """Places the layer set does not hold: alternatives listed beside known places, or narrowings."""
    self_words = vocabulary()["self_places"]
    bad: list[Untestable] = []
    for m in _IN_PLACE.finditer(text):
        phrase = m.group(1)
        if any(w in phrase for w in self_words):
            continue
        inner = [(s, e) for s, e in covered if m.start() <= s < m.end()]
        if not inner:
            bad.append(Untestable("位置条件", "a place the layer set does not hold", m.group(0), place=True))
            continue
        rest = list(re.sub(r"\([^()]*\)", lambda g: " " * len(g.group(0)), text[m.start(1) : m.end(1)]))
        for s, e in inner:
            rest[max(0, s - m.start(1)) : e - m.start(1)] = [" "] * (e - max(s, m.start(1)))
        left = [w for w in _SEPARATORS.split("".join(rest).replace(" ", "、")) if len(w) >= 2]
        left = [w for w in left if not re.fullmatch(r"(核心区|缓冲区|实验区|核心保护区|一般控制区|范围|区域)+", w)]
        if left:
            owned = any(text[e : e + 1] == "的" for _, e in inner)  # 「一级保护区的岸线」: a part of it
            bad.append(Untestable("位置条件", "a place the layer set does not hold", "、".join(left), True, not owned))
    for m in _RIVERSIDE.finditer(text):
        adjacent = any(s <= m.start() <= e + 1 for s, e in covered) and m.group(0) in ("周边", "附近")
        if not adjacent and not any(u.words.endswith(m.group(0)) or m.group(0) in u.words for u in bad):
            bad.append(Untestable("位置条件", "a place the layer set does not hold", m.group(0), place=True))
    return bad
