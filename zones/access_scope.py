"""Where an access-list clause applies and how a cell is cut into clauses.

Published 生态环境准入清单 name the four dimensions in their own words (Guangdong's 区域布局管控,
Hangzhou's 空间布局引导, Guizhou's 布局约束), address rows to a unit (``ZH45072120001``), a
class (优先保护单元, 产业集聚类重点管控单元), an area (灵山县, ``450721``) or the whole list, and
number the clauses inside one cell (``1.…；2.…``, ``（1）``, ``①``, ``一、``).  This module turns
those into :class:`Scope` objects, canonical dimensions and numbered clause texts.  The words
come from ``zones/data/access_terms.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from redline.zones.yaml_text import load_yaml

__all__ = [
    "DIMENSIONS",
    "Scope",
    "admin_code",
    "canonical_dimension",
    "class_of",
    "parse_scope",
    "reference_target",
    "split_clauses",
    "vocabulary",
]

#: The four dimensions, in the order lists are printed.
DIMENSIONS: tuple[str, ...] = ("空间布局约束", "污染物排放管控", "环境风险防控", "资源开发效率要求")

#: Class words as lists print them -> the control_unit class key.
CLASS_WORDS: tuple[tuple[str, str], ...] = (("优先保护", "priority"), ("重点管控", "key"), ("一般管控", "general"))
_CLASS_KEYS = {"priority", "key", "general"}
_ALL_WORDS = ("*", "全部", "全域", "所有单元", "全部环境管控单元", "全部管控单元", "各单元", "all", "总体")
_SCOPE_SUFFIXES = re.compile(
    r"(的)?(生态环境)?(总体|普适性|通用)?(生态环境)?(管控|准入|管理)?(要求|清单)(清单)?$|(全域|范围内?|域内)$"
)
_AREA_RE = re.compile(
    r"^([\u4e00-\u9fff]{1,12}?(省|自治区|特别行政区|市|自治州|州|盟|地区|县|自治县|区|旗|自治旗|新区))"
)
_UNIT_CODE_RE = re.compile(r"^[A-Z]{1,4}\d{6,}[A-Z0-9]*$")
_ADMIN_IN_CODE = re.compile(r"^[A-Z]{1,4}(\d{6})")
_ADMIN_RE = re.compile(r"^\d{6}$")
_ALL_RE = re.compile(
    r"(全部|所有|各)?(环境管控单元|管控单元|单元)?(生态环境)?(总体|通用|普适性)?(生态环境)?(管控|准入)?(要求|清单)"
)


@cache
def vocabulary() -> dict[str, Any]:
    """Return the parsed ``zones/data/access_terms.yaml``.

    Examples
    --------
    >>> sorted(vocabulary()["verdict_words"])
    ['condition', 'prohibited', 'restricted']
    """
    text = resources.files("redline.zones").joinpath("data/access_terms.yaml").read_text("utf-8")
    return load_yaml(text)


def _norm(text: Any) -> str:
    """Return ``text`` without spaces and with ASCII parentheses and colons."""
    value = "" if text is None else str(text)
    value = value.translate(str.maketrans({"（": "(", "）": ")", "：": ":", "　": " "}))
    return re.sub(r"\s+", "", value)


@cache
def _dimension_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, entry in vocabulary()["dimensions"].items():
        if canonical == "keywords":
            continue
        for name in (canonical, *entry["names"]):
            out[_norm(name).lower()] = canonical
    return out


def canonical_dimension(name: Any) -> str | None:
    """Return the canonical dimension a printed dimension name means, or None.

    Examples
    --------
    >>> canonical_dimension("区域布局管控"), canonical_dimension("能源资源利用"), canonical_dimension("噪声")
    ('空间布局约束', '资源开发效率要求', None)
    >>> canonical_dimension("资源利用效率与能源开发效率")
    '资源开发效率要求'
    """
    key = _norm(name).lower()
    if not key:
        return None
    exact = _dimension_names().get(key)
    if exact:
        return exact
    if len(key) > 12 or not re.search(r"[\u4e00-\u9fff]", key):
        return None
    for word, canonical in vocabulary()["dimensions"]["keywords"]:
        if word in key:
            return canonical
    return None


@dataclass(frozen=True)
class Scope:
    """Where a row of an access list applies.

    Attributes
    ----------
    kind : str
        ``unit`` (one unit), ``class`` (every unit of a class, optionally of a sub-type), ``area``
        (every unit in a province, city or county) or ``all`` (every unit of the list).
    key : str
        The unit code, the class key (``priority``, ``key``, ``general``), the area's name or
        6-digit administrative code, or ``*``.
    label : str
        The scope as the list prints it.
    subtype : str
        For a class: the sub-type the list names (``产业集聚``), else empty.
    """

    kind: str
    key: str
    label: str = ""
    subtype: str = ""

    @property
    def id(self) -> str:
        """What clause ids start with: the unit code, class key, area, or ``*``.

        A class with a sub-type is written as the list prints it (``产业集聚类重点管控单元``).
        """
        if self.kind == "class" and self.subtype:
            return self.label or f"{self.key}:{self.subtype}"
        return self.key


def class_of(text: Any) -> tuple[str, str] | None:
    """Return ``(class key, sub-type)`` for a printed unit class, or None when it names none.

    Examples
    --------
    >>> class_of("产业集聚类重点管控单元"), class_of("重点管控单元（城镇生活类）"), class_of("优先保护单元")
    (('key', '产业集聚'), ('key', '城镇生活'), ('priority', ''))
    >>> class_of("2") is None, class_of("general")
    (True, ('general', ''))
    """
    value = _norm(text)
    if value.lower() in _CLASS_KEYS:
        return value.lower(), ""
    for word, key in CLASS_WORDS:
        if word in value:
            rest = value.replace(word, "")
            rest = re.sub(r"(单元|区域|区|类|型|[()\-—_/、:])", "", rest)
            return key, rest
    return None


def admin_code(unit_code: str) -> str:
    """Return the 6-digit administrative code embedded in a unit code (``ZH`` + code + ...), or "".

    Examples
    --------
    >>> admin_code("ZH45072120001"), admin_code("unit-7")
    ('450721', '')
    """
    m = _ADMIN_IN_CODE.match(str(unit_code).strip().upper())
    return m.group(1) if m else ""


def _area_name(value: str) -> str:
    """Return the area a scope text names (灵山县总体管控要求 -> 灵山县), or ""."""
    stripped = value
    for _ in range(3):
        shorter = _SCOPE_SUFFIXES.sub("", stripped)
        if shorter == stripped:
            break
        stripped = shorter
    m = _AREA_RE.match(stripped)
    if not m:
        return ""
    name = m.group(1)
    return name if len(name) >= 2 else ""


def parse_scope(text: Any) -> Scope:
    """Return the :class:`Scope` a row's scope text means.

    Examples
    --------
    >>> parse_scope("ZH45072120001").kind, parse_scope("*").kind, parse_scope("重点管控").key
    ('unit', 'all', 'key')
    >>> s = parse_scope("产业集聚类重点管控单元"); (s.kind, s.key, s.subtype, s.id)
    ('class', 'key', '产业集聚', '产业集聚类重点管控单元')
    >>> parse_scope("灵山县总体管控要求"), parse_scope("450721").kind
    (Scope(kind='area', key='灵山县', label='灵山县总体管控要求', subtype=''), 'area')
    """
    label = _norm(text)
    if _UNIT_CODE_RE.match(label.upper()):
        return Scope("unit", label.upper(), label)
    if _ADMIN_RE.match(label):
        return Scope("area", label, label)
    area = _area_name(label)
    cls = class_of(label)
    if not area and not cls and (label in _ALL_WORDS or label == "" or _ALL_RE.fullmatch(label)):
        return Scope("all", "*", label or "*")
    if cls and not area:
        return Scope("class", cls[0], label, cls[1])
    if area:
        return Scope("area", area, label)
    return Scope("unit", label, label)


def area_variants(name: str) -> set[str]:
    """Return ``name`` and the name without its level word (灵山县 -> 灵山), for loose matching.

    Examples
    --------
    >>> sorted(area_variants("灵山县"))
    ['灵山', '灵山县']
    """
    value = _norm(name)
    out = {value} if value else set()
    m = re.match(
        r"^(.{2,}?)(省|壮族自治区|回族自治区|维吾尔自治区|自治区|市|自治州|州|盟|地区|自治县|县|区|旗)$", value
    )
    if m:
        out.add(m.group(1))
    return out


# --------------------------------------------------------------------------- references

_REFERENCE_RE = re.compile(
    r"(?:执行|落实|遵守|按照|参照|符合)(?:《)?(?P<target>[\u4e00-\u9fffA-Za-z0-9()]{2,30}?)"
    r"(?:》)?(?:的)?(?:生态环境)?(?:总体|普适性|通用)?(?:生态环境)?(?:管控|准入)(?:要求|清单)"
)


def reference_target(text: str) -> Scope | None:
    """Return the scope a clause refers to (「执行灵山县总体管控要求」), or None.

    Only a clause that is nothing but the reference counts.

    Examples
    --------
    >>> reference_target("执行灵山县总体管控要求。").key
    '灵山县'
    >>> reference_target("执行一般管控单元总体准入要求。").key
    'general'
    >>> reference_target("禁止新建电镀项目") is None
    True
    """
    value = _norm(text).rstrip("。.;；")
    m = _REFERENCE_RE.fullmatch(value)
    if not m:
        return None
    target = m.group("target")
    for word in ("生态环境分区管控", "生态环境", "“三线一单”", "三线一单"):
        target = target.replace(word, "")
    scope = parse_scope(target)
    if scope.kind == "unit" and not _UNIT_CODE_RE.match(scope.key):
        scope = Scope("area", target, target) if target else scope
    return scope


# --------------------------------------------------------------------------- splitting a cell

_NUMERALS = "一二三四五六七八九十"
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"([{_NUMERALS}]{{1,3}})[、.．]")),
    (1, re.compile(rf"[(（]([{_NUMERALS}]{{1,3}})[)）]")),
    (2, re.compile(r"(\d{1,2})(?:[.．、](?!\d)|[)）](?!\d))")),
    (3, re.compile(r"[(（](\d{1,2})[)）]")),
    (4, re.compile(r"([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])")),
)
_BOUNDARY = re.compile(r"(?:^|(?<=[\n;；。:：]))[ \t\u3000]*")
_EMPTY = {"", "/", "／", "无", "—", "-", "--", "——", "暂无", "不涉及", "无要求", "/。"}
_CONTINUATION = re.compile(r"^(但|其中|除|另|同时|且|并)|除外[。.]?$|的除外|不在此限")


def _label(level: int, raw: str) -> str:
    return {0: raw, 1: f"({raw})", 2: raw, 3: f"({raw})", 4: raw}[level]


def _markers(text: str) -> list[tuple[int, int, int, str]]:
    """Return (start, end, level, label) of every clause number at a clause boundary."""
    found = []
    for b in _BOUNDARY.finditer(text):
        pos = b.end()
        for level, pattern in _MARKERS:
            m = pattern.match(text, pos)
            if m:
                found.append((pos, m.end(), level, _label(level, m.group(1))))
                break
    return found


def _clean(text: str) -> str:
    return text.strip().strip(";；").strip()


def _split_plain(text: str) -> list[str]:
    """Split an unnumbered cell at line breaks and 「；」, keeping exceptions with their clause."""
    parts = [p.strip() for p in re.split(r"[\n；;]+", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        if out and _CONTINUATION.search(part) and not re.search(r"禁止|严禁|不得|限制|严格控制", part.split("，")[0]):
            out[-1] = f"{out[-1]}；{part}"
        else:
            out.append(part)
    return out


def split_clauses(text: Any) -> list[tuple[str, str]]:
    r"""Cut one cell into ``(printed number, clause text)`` pairs.

    Numbers (``1.`` ``2、`` ``（1）`` ``①`` ``一、``) at the start of the cell or after a line
    break or 「；。：」 start clauses; a deeper number inside a numbered clause is joined to its
    parent (``2.(1)``).  An unnumbered cell is split at line breaks and 「；」, except that a part
    that only adds an exception (「…除外」, 「但…」) stays with the clause before it; its clauses
    have an empty number.  ``/``, ``无`` and empty cells give no clause.

    Examples
    --------
    >>> split_clauses("1.禁止新建电镀项目；2.严格控制化工项目。")
    [('1', '禁止新建电镀项目'), ('2', '严格控制化工项目。')]
    >>> split_clauses("（1）禁止A。\n（2）限制B。")
    [('(1)', '禁止A。'), ('(2)', '限制B。')]
    >>> split_clauses("一、总体要求：1.禁止A；2.禁止B")
    [('一', '总体要求'), ('一.1', '禁止A'), ('一.2', '禁止B')]
    >>> split_clauses("禁止新建工业项目；生态旅游设施除外。"), split_clauses("/")
    ([('', '禁止新建工业项目；生态旅游设施除外。')], [])
    """
    value = "" if text is None else str(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    if _norm(value) in _EMPTY:
        return []
    marks = _markers(value)
    if not marks:
        return [("", part) for part in _split_plain(value) if _norm(part) not in _EMPTY]
    out: list[tuple[str, str]] = []
    preamble = _clean(value[: marks[0][0]])
    if preamble and _norm(preamble) not in _EMPTY:
        out.append(("", preamble))
    stack: list[tuple[int, str]] = []
    for i, (_, end, level, label) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(value)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, label))
        body = _clean(value[end:stop]).rstrip(":：")
        if body and _norm(body) not in _EMPTY:
            out.append((".".join(lab for _, lab in stack), body))
    return out
