"""GB/T 4754-2011 industry codes read as GB/T 4754-2017, and codes of neither edition.

The project reads industries as GB/T 4754-2017 codes (:mod:`redline.zones.industry`).
Many project lists still carry codes of the 2011 edition (``I6510`` 软件开发, split
into ``I6511``-``I6519`` in 2017), or codes of no edition at all.  This module
tells them apart (:func:`classify_code`), reads a 2011 code as the 2017 code(s)
it corresponds to (:func:`read_2011`), and words the note a site's row carries
(:meth:`Edition2011Match.note`, :func:`unknown_code_note`).

The correspondence ships in ``zones/data/gbt4754-2011-to-2017.csv``: one row
per 2011 code of any level.  It is *derived* from the two editions' class lists
by name identity (no published 新旧类目对照表 was found), and each class row
says how in ``relation``:

``same``
    code and name unchanged;
``moved``
    new code, same name;
``split``
    the 2011 class became a 2017 group of several classes (screen with all);
``merged``
    several 2011 classes became one 2017 class;
``renamed``
    a same-scope rename confirmed by a cited source (no row yet);
``unmapped``
    no correspondence that name identity proves: rules that depend on the
    industry cannot be decided and give ``review``.

A 2011 section, division or group reads as all of its classes (relation
``aggregate``).  The file's header gives the sources and the exact rules.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from redline.zones.errors import RuleError
from redline.zones.industry import industry_table, lookup
from redline.zones.verdicts import verdict_label

__all__ = [
    "CLASS_RELATIONS",
    "COLUMNS",
    "Edition",
    "Edition2011Match",
    "classify_code",
    "correspondence",
    "differs_in_2011",
    "load_correspondence",
    "read_2011",
    "relation_counts",
    "unknown_code_note",
]

#: Which edition a code belongs to (see :func:`classify_code`).
Edition = Literal["2017", "2011", "unknown"]

#: The columns of the correspondence file, in order.
COLUMNS: tuple[str, ...] = ("code_2011", "level", "name_2011", "code_2017", "name_2017", "relation")

#: Relations a class row (level 4) may have.
CLASS_RELATIONS: tuple[str, ...] = ("same", "moved", "renamed", "split", "merged", "unmapped")

#: Path of the correspondence file inside ``redline.zones``.
_DATA_FILE = "data/gbt4754-2011-to-2017.csv"

_CODE_RE = {1: re.compile(r"^[A-T]$"), 2: re.compile(r"^[A-T]\d{2}$"), 3: re.compile(r"^[A-T]\d{3}$")}
_CODE_RE[4] = re.compile(r"^[A-T]\d{4}$")

#: How many 2017 codes a note lists before "and N more".
_MAX_LISTED = 8

#: Separator of the ``name_2017`` column.
_NAME_SEP = "；"


# --------------------------------------------------------------------------- the match


@dataclass(frozen=True)
class Edition2011Match:
    """A GB/T 4754-2011 code and the GB/T 4754-2017 classes it is screened with.

    Parameters
    ----------
    code_2011 : str
        The 2011 code, with its section letter (``I6510``).
    name_2011 : str
        Its name in the 2011 edition.
    level : int
        1 section, 2 division, 3 group, 4 class.
    codes_2017 : tuple of str
        The 2017 classes to screen with; empty when none is verified.
    relation : str
        One of :data:`CLASS_RELATIONS` for a class, ``aggregate`` for a section,
        division or group (the union of its classes).
    unmapped : tuple of str
        The 2011 classes under this code that have no verified 2017 class.

    Examples
    --------
    >>> m = read_2011("I6510")
    >>> m.codes_2017, m.relation, m.complete
    (('I6511', 'I6512', 'I6513', 'I6519'), 'split', True)
    """

    code_2011: str
    name_2011: str
    level: int
    codes_2017: tuple[str, ...]
    relation: str
    unmapped: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every 2011 class under this code has a verified 2017 class."""
        return not self.unmapped

    def note(self, lang: str = "zh") -> str:
        """Return the sentence a site's row carries: the 2011 code, its 2017 reading and how it is screened.

        Parameters
        ----------
        lang : {"zh", "en"}
            Language of the sentence.

        Examples
        --------
        >>> print(read_2011("I6510").note())
        GB/T 4754-2011 代码 I6510（软件开发）按 2017 版对应为 I6511、I6512、I6513、I6519，按全部对应代码检查
        >>> print(read_2011("L7250").note("en"))
        GB/T 4754-2011 code L7250 (知识产权服务) corresponds to M7520 (知识产权服务; section L → M) ...
        """
        return _note(self, _lang(lang))

    def reused_note(self, lang: str = "zh") -> str:
        """Return the warning for a code that is also a 2017 code, of another name (see :func:`differs_in_2011`).

        Examples
        --------
        >>> print(differs_in_2011("I6550").reused_note())
        I6550 按 GB/T 4754-2017 读作「信息处理和存储支持服务」；它在 GB/T 4754-2011 中是「集成电路设计」，...改填 I6520
        """
        lang = _lang(lang)
        ind = lookup(self.code_2011)
        name_2017 = ind.name if ind else ""
        fix = _listed(self.codes_2017, lang) if self.codes_2017 else _T["a_2017_code"][lang == "en"]
        return _T["reused"][lang == "en"].format(
            code=self.code_2011, name_2017=name_2017, name_2011=self.name_2011, fix=fix
        )


# --------------------------------------------------------------------------- notes

#: key -> (zh, en).
_T: dict[str, tuple[str, str]] = {
    "head": ("GB/T 4754-2011 代码 {code}（{name}）", "GB/T 4754-2011 code {code} ({name})"),
    "same": (
        "{head}在 2017 版中代码和名称不变，按 {targets} 检查",
        "{head} is unchanged in the 2017 edition; screened as {targets}",
    ),
    "moved": (
        "{head}按 2017 版对应为 {targets}（{names}），按 {targets} 检查",
        "{head} corresponds to {targets} ({names}) in the 2017 edition; screened as {targets}",
    ),
    "renamed": (
        "{head}在 2017 版中更名为 {targets}（{names}），按 {targets} 检查",
        "{head} is renamed {targets} ({names}) in the 2017 edition; screened as {targets}",
    ),
    "split": (
        "{head}按 2017 版对应为 {targets}，按全部对应代码检查",
        "{head} corresponds to {targets} in the 2017 edition; screened with all of them",
    ),
    "merged": (
        "{head}在 2017 版中并入 {targets}（{names}），按 {targets} 检查",
        "{head} is merged into {targets} ({names}) in the 2017 edition; screened as {targets}",
    ),
    "aggregate": (
        "{head}按其 {n} 个小类对应为 2017 版 {targets}，按全部对应代码检查",
        "{head} corresponds, through its {n} classes, to {targets} in the 2017 edition; screened with all of them",
    ),
    "section": ("门类由 {old} 改为 {new}", "section {old} → {new}"),
    "unmapped": (
        "{head}没有已核实的 2017 版对应代码：依赖行业的规则判为「{review}」；请改填 GB/T 4754-2017 代码",
        "{head} has no verified 2017 correspondence: rules that depend on the industry give “{review}”; "
        "give a GB/T 4754-2017 code",
    ),
    "partly": (
        "；其中 {codes} 没有已核实的 2017 版对应代码，依赖行业的规则判为「{review}」，请改填 GB/T 4754-2017 代码",
        "; no verified 2017 correspondence for {codes}, so rules that depend on the industry give “{review}”: "
        "give a GB/T 4754-2017 code",
    ),
    "unknown": (
        "行业代码 {code} 既不是 GB/T 4754-2017 代码，也不是 GB/T 4754-2011 代码：不依赖行业的规则照常检查，"
        "依赖行业的规则判为「{review}」；请改填 GB/T 4754-2017 代码（如 C3360）或行业名称",
        "industry code {code} is neither a GB/T 4754-2017 nor a GB/T 4754-2011 code: rules that do not depend "
        "on the industry apply as usual, rules that do give “{review}”; give a GB/T 4754-2017 code "
        "(e.g. C3360) or an industry name",
    ),
    "reused": (
        "{code} 按 GB/T 4754-2017 读作「{name_2017}」；它在 GB/T 4754-2011 中是「{name_2011}」，"
        "若按 2011 版填写，请改填 {fix}",
        "{code} is read as GB/T 4754-2017 “{name_2017}”; in GB/T 4754-2011 it is “{name_2011}”: "
        "if it was meant as a 2011 code, give {fix}",
    ),
    "a_2017_code": ("2017 版代码", "a 2017 code"),
    "more": (" 等 {total} 个", " and {rest} more"),
}


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise RuleError(
            f"language must be 'zh' or 'en', got {lang!r}",
            param="lang",
            value=lang,
            zh=f"语言须为 'zh' 或 'en'，收到 {lang!r}",
        )
    return lang


def _listed(codes: Sequence[str], lang: str) -> str:
    """Join codes with 、 (zh) or , (en), listing at most :data:`_MAX_LISTED`."""
    shown = ("、" if lang == "zh" else ", ").join(codes[:_MAX_LISTED])
    rest = len(codes) - _MAX_LISTED
    return shown + (_T["more"][lang == "en"].format(total=len(codes), rest=rest) if rest > 0 else "")


def _names_2017(codes: Sequence[str], lang: str) -> str:
    table = industry_table()
    names = [table[c].name if c in table else c for c in codes]
    return ("、" if lang == "zh" else ", ").join(names)


def _note(match: Edition2011Match, lang: str) -> str:
    en = lang == "en"
    review = verdict_label("review", lang)
    head = _T["head"][en].format(code=match.code_2011, name=match.name_2011)
    if not match.codes_2017:
        return _T["unmapped"][en].format(head=head, review=review)
    names = _names_2017(match.codes_2017, lang)
    first = match.codes_2017[0]
    if match.relation == "moved" and first[0] != match.code_2011[0]:
        names += ("，" if not en else "; ") + _T["section"][en].format(old=match.code_2011[0], new=first[0])
    count = _class_count(match.code_2011) if match.relation == "aggregate" else 1
    text = _T[match.relation][en].format(head=head, targets=_listed(match.codes_2017, lang), names=names, n=count)
    if match.unmapped:
        text += _T["partly"][en].format(codes=_listed(match.unmapped, lang), review=review)
    return text


def unknown_code_note(text: str, lang: str = "zh") -> str:
    """Return the note for a site whose industry code is of neither edition: the code and how to fix it.

    Parameters
    ----------
    text : str
        The code as the user wrote it.
    lang : {"zh", "en"}
        Language of the note.

    Examples
    --------
    >>> print(unknown_code_note(" Z9999 "))
    行业代码 Z9999 既不是 GB/T 4754-2017 代码，也不是 GB/T 4754-2011 代码：...依赖行业的规则判为「需关注」；...
    """
    lang = _lang(lang)
    return _T["unknown"][lang == "en"].format(code=str(text).strip(), review=verdict_label("review", lang))


# --------------------------------------------------------------------------- loading and checking the file


def _fail(source: str, line: int, message: str) -> RuleError:
    """Return the error of a line of the correspondence file (a file of the package: the detail stays English)."""
    return RuleError(f"{source} line {line}: {message}", zh=f"{source} 第 {line} 行有误：{message}")


def _data_lines(text: str) -> Iterable[tuple[int, list[str]]]:
    """Yield ``(line number, fields)`` for each line that is neither blank nor a ``#`` comment."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, next(csv.reader([line]))


def _check_code(row: dict[str, str], seen: dict[str, int], source: str, line: int) -> int:
    """Check code, level, name and parent of one row; return its level."""
    code, level_text = row["code_2011"], row["level"]
    level = int(level_text) if level_text in ("1", "2", "3", "4") else 0
    if not level:
        raise _fail(source, line, f"level {level_text!r} is not 1, 2, 3 or 4")
    if not _CODE_RE[level].match(code):
        raise _fail(source, line, f"code_2011 {code!r} is not a level-{level} code (section letter + digits)")
    if code in seen:
        raise _fail(source, line, f"code_2011 {code} appears again (first on line {seen[code]})")
    parent = code[:-1] if level > 2 else code[0]
    if level > 1 and parent not in seen:
        raise _fail(source, line, f"code_2011 {code}: its parent {parent} is not on a line above")
    if not row["name_2011"]:
        raise _fail(source, line, f"code_2011 {code} has no name_2011")
    return level


#: relation -> (smallest, largest) number of 2017 classes.
_TARGET_COUNTS: dict[str, tuple[int, int]] = {
    "same": (1, 1),
    "moved": (1, 1),
    "renamed": (1, 1),
    "merged": (1, 1),
    "split": (2, 10_000),
    "unmapped": (0, 0),
}


def _check_targets(row: dict[str, str], level: int, source: str, line: int) -> tuple[str, ...]:
    """Check relation, code_2017 and name_2017 of one row; return its 2017 classes."""
    code, relation, targets = row["code_2011"], row["relation"], tuple(row["code_2017"].split())
    if level < 4:
        if relation or targets or row["name_2017"]:
            raise _fail(source, line, f"code_2011 {code} is not a class: code_2017, name_2017, relation stay empty")
        return ()
    if relation not in CLASS_RELATIONS:
        raise _fail(source, line, f"relation {relation!r} is not one of {', '.join(CLASS_RELATIONS)}")
    low, high = _TARGET_COUNTS[relation]
    if not low <= len(targets) <= high:
        raise _fail(source, line, f"relation {relation} needs {low}..{high} code_2017, got {len(targets)}")
    if relation == "same" and targets != (code,):
        raise _fail(source, line, f"relation same but code_2017 {targets[0]} is not {code}")
    if relation == "moved" and targets == (code,):
        raise _fail(source, line, f"relation moved but code_2017 is {code} itself")
    table = industry_table()
    for target in targets:
        if target not in table or table[target].level != 4:
            raise _fail(source, line, f"code_2017 {target} is not a class of GB/T 4754-2017")
    names = _NAME_SEP.join(table[t].name for t in targets)
    if row["name_2017"] != names:
        raise _fail(source, line, f"name_2017 {row['name_2017']!r} is not the 2017 names {names!r}")
    return targets


def _read_rows(text: str, source: str) -> list[tuple[dict[str, str], int, tuple[str, ...]]]:
    """Parse and check every row; return ``(row, level, 2017 classes)`` in file order."""
    lines = iter(_data_lines(text))
    header = next(lines, None)
    if header is None or tuple(header[1]) != COLUMNS:
        where = header[0] if header else 1
        raise _fail(source, where, f"the header must be {','.join(COLUMNS)}")
    seen: dict[str, int] = {}
    out = []
    for line, fields in lines:
        if len(fields) != len(COLUMNS):
            raise _fail(source, line, f"{len(fields)} fields, expected {len(COLUMNS)}")
        row = dict(zip(COLUMNS, (f.strip() for f in fields), strict=True))
        level = _check_code(row, seen, source, line)
        out.append((row, level, _check_targets(row, level, source, line)))
        seen[row["code_2011"]] = line
    if not out:
        raise _fail(source, 1, "no rows")
    return out


def load_correspondence(text: str, source: str = "gbt4754-2011-to-2017.csv") -> dict[str, Edition2011Match]:
    r"""Parse and check a correspondence table; return every 2011 code's match, keyed by 2011 code.

    Parameters
    ----------
    text : str
        The table (``#`` lines are comments), columns :data:`COLUMNS`.
    source : str
        Name used in error messages.

    Raises
    ------
    RuleError
        Naming the line and what is wrong: bad header, field count, code, level, parent,
        duplicate, relation, or a 2017 code or name that is not in the 2017 table.

    Examples
    --------
    >>> text = "code_2011,level,name_2011,code_2017,name_2017,relation\nC,1,制造业,,,\nC33,2,金属制品业,,,"
    >>> load_correspondence(text)["C33"].relation
    'aggregate'
    >>> load_correspondence(text + "\nC331,3,结构性金属制品制造,,,\nC3311,4,金属结构制造,C3311,金属结构制造,sme")
    Traceback (most recent call last):
    ...
    redline.zones.errors.RuleError: gbt4754-2011-to-2017.csv line 5: relation 'sme' is not one of same, moved, ...
    """
    rows = _read_rows(text, source)
    classes = {
        row["code_2011"]: Edition2011Match(
            row["code_2011"],
            row["name_2011"],
            4,
            targets,
            row["relation"],
            (row["code_2011"],) if row["relation"] == "unmapped" else (),
        )
        for row, level, targets in rows
        if level == 4
    }
    out: dict[str, Edition2011Match] = {}
    for row, level, _ in rows:
        code = row["code_2011"]
        out[code] = classes[code] if level == 4 else _aggregate(code, row["name_2011"], level, classes)
    return out


def _aggregate(code: str, name: str, level: int, classes: dict[str, Edition2011Match]) -> Edition2011Match:
    """Read a 2011 section, division or group as the union of its classes."""
    under = [m for c, m in classes.items() if c.startswith(code)]
    targets = tuple(dict.fromkeys(t for m in under for t in m.codes_2017))
    unmapped = tuple(m.code_2011 for m in under if not m.codes_2017)
    return Edition2011Match(code, name, level, targets, "aggregate", unmapped)


@cache
def correspondence() -> dict[str, Edition2011Match]:
    """Return the shipped correspondence (``zones/data/gbt4754-2011-to-2017.csv``), keyed by 2011 code.

    Examples
    --------
    >>> len(correspondence()), sum(m.level == 4 for m in correspondence().values())
    (1642, 1094)
    """
    text = resources.files("redline.zones").joinpath(_DATA_FILE).read_text("utf-8")
    return load_correspondence(text, _DATA_FILE.rsplit("/", 1)[-1])


@cache
def _divisions_2011() -> dict[str, str]:
    """Map a 2011 division's two digits to its section letter."""
    return {m.code_2011[1:]: m.code_2011[0] for m in correspondence().values() if m.level == 2}


def _class_count(code: str) -> int:
    return sum(1 for c, m in correspondence().items() if m.level == 4 and c.startswith(code))


def relation_counts() -> dict[str, int]:
    """Return how many 2011 classes have each relation, in :data:`CLASS_RELATIONS` order.

    Examples
    --------
    >>> relation_counts()
    {'same': 723, 'moved': 211, 'renamed': 0, 'split': 38, 'merged': 2, 'unmapped': 120}
    """
    counts = dict.fromkeys(CLASS_RELATIONS, 0)
    for match in correspondence().values():
        if match.level == 4:
            counts[match.relation] += 1
    return counts


# --------------------------------------------------------------------------- reading a code


def _normalize_2011(code: str) -> str:
    """Upper-case and strip ``code``; add the 2011 section letter to bare digits."""
    value = str(code).strip().upper()
    if value.isdigit() and len(value) >= 2 and value[:2] in _divisions_2011():
        return _divisions_2011()[value[:2]] + value
    return value


def read_2011(code: str) -> Edition2011Match | None:
    """Read ``code`` as a GB/T 4754-2011 code; return its 2017 reading, or None if it is not a 2011 code.

    Parameters
    ----------
    code : str
        A 2011 code of any level, with or without its section letter (``I6510``, ``6510``).

    Examples
    --------
    >>> read_2011("6510").codes_2017
    ('I6511', 'I6512', 'I6513', 'I6519')
    >>> read_2011("C3360").relation, read_2011("Z9999") is None
    ('same', True)
    >>> m = read_2011("B1110")
    >>> m.relation, m.codes_2017, m.complete
    ('unmapped', (), False)
    """
    return correspondence().get(_normalize_2011(code))


def classify_code(text: str) -> Edition:
    """Return which edition a code belongs to: ``"2017"``, else ``"2011"``, else ``"unknown"``.

    A code of both editions is ``"2017"`` (the edition the project reads); see
    :func:`differs_in_2011` for the codes whose 2011 meaning differs.  Names and
    aliases are not codes: resolve them with :func:`redline.zones.industry.resolve`.

    Examples
    --------
    >>> classify_code("C3360"), classify_code("I6510"), classify_code("Z9999"), classify_code("电镀")
    ('2017', '2011', 'unknown', 'unknown')
    >>> classify_code("8311")  # 2011 Q8311 综合医院; 2017 division 83 is 教育
    '2011'
    """
    value = str(text).strip()
    if not value:
        return "unknown"
    if lookup(value) is not None:
        return "2017"
    return "2011" if read_2011(value) is not None else "unknown"


def differs_in_2011(code: str) -> Edition2011Match | None:
    """Return the 2011 reading of a 2017 code whose 2011 name differs, else None.

    Such a code is screened as 2017; a list written in the 2011 edition meant
    something else by it (``I6550`` is 信息处理和存储支持服务 in 2017, 集成电路设计
    in 2011).  :meth:`Edition2011Match.reused_note` words the warning.

    Examples
    --------
    >>> differs_in_2011("I6550").codes_2017
    ('I6520',)
    >>> differs_in_2011("C3360") is None, differs_in_2011("I6511") is None
    (True, True)
    """
    ind = lookup(code)
    match = correspondence().get(ind.code) if ind else None
    return match if match is not None and match.name_2011 != ind.name else None
