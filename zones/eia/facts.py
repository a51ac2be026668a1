"""Project facts for the 名录: quantities with units, yes/no flags, and the lists 类型 and 工艺.

The 名录 decides many rows by what only the developer knows: a scale (``年出栏生猪5000头``), a
capacity (``总装机容量5万千瓦``), a process (``有电镀工艺的``), what is built (``水泥粉磨站``).
The user gives them as ``KEY=VALUE`` facts, named as the 名录 names them.  Each edition's
``conditions.yaml`` declares its vocabulary (:class:`FactSpec`); this module parses the values:

- a *quantity* is a number, optionally with 万 or 亿, and a unit (``6万千瓦`` is 60 000 kW,
  ``1.5亿立方米``, ``300亩``, ``65吨/小时``, ``1/4``, ``25%``); a bare number is in the fact's unit;
- a *flag* is yes or no (是/否, 有/无, yes/no, true/false, 1/0);
- a *list* holds names separated by ``;`` ``；`` ``,`` ``，`` or ``、`` (``工艺=电镀;喷涂``); ``无`` is the
  empty list.  A list given is taken as complete: what it does not name is absent.

Examples
--------
>>> q = parse_quantity("6万千瓦")
>>> q.value, q.dim
(60000.0, 'power')
>>> parse_quantity("45.5兆瓦").value, parse_quantity("300亩").dim
(45500.0, 'area')
>>> parse_quantity("1/4").value
0.25
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redline.zones.errors import value_error, zh_text

__all__ = [
    "DIMENSIONS",
    "FactSpec",
    "Facts",
    "Quantity",
    "normalize_facts",
    "parse_flag",
    "parse_quantity",
    "split_list",
]

#: dimension -> (canonical unit as printed, English name)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "power": ("千瓦", "power"),
    "mass": ("吨", "mass"),
    "volume": ("立方米", "volume"),
    "area": ("平方米", "area"),
    "length": ("公里", "length"),
    "count": ("", "count"),
    "voltage": ("千伏", "voltage"),
    "ratio": ("", "ratio"),
    "steam": ("吨/小时", "steam output"),
    "tonnage": ("吨级", "berth tonnage"),
}

#: unit -> (dimension, factor to the canonical unit); Latin units are matched case-insensitively
_UNITS: dict[str, tuple[str, float]] = {
    "瓦": ("power", 0.001),
    "w": ("power", 0.001),
    "千瓦": ("power", 1.0),
    "kw": ("power", 1.0),
    "兆瓦": ("power", 1000.0),
    "mw": ("power", 1000.0),
    "吉瓦": ("power", 1e6),
    "gw": ("power", 1e6),
    "吨": ("mass", 1.0),
    "t": ("mass", 1.0),
    "千克": ("mass", 0.001),
    "公斤": ("mass", 0.001),
    "kg": ("mass", 0.001),
    "立方米": ("volume", 1.0),
    "方": ("volume", 1.0),
    "m3": ("volume", 1.0),
    "m³": ("volume", 1.0),
    "千升": ("volume", 1.0),
    "kl": ("volume", 1.0),
    "升": ("volume", 0.001),
    "l": ("volume", 0.001),
    "平方米": ("area", 1.0),
    "m2": ("area", 1.0),
    "m²": ("area", 1.0),
    "亩": ("area", 10000.0 / 15.0),
    "公顷": ("area", 10000.0),
    "ha": ("area", 10000.0),
    "平方公里": ("area", 1e6),
    "平方千米": ("area", 1e6),
    "km2": ("area", 1e6),
    "km²": ("area", 1e6),
    "公里": ("length", 1.0),
    "千米": ("length", 1.0),
    "km": ("length", 1.0),
    "米": ("length", 0.001),
    "m": ("length", 0.001),
    "头": ("count", 1.0),
    "只": ("count", 1.0),
    "张": ("count", 1.0),
    "件": ("count", 1.0),
    "个": ("count", 1.0),
    "座": ("count", 1.0),
    "伏": ("voltage", 0.001),
    "v": ("voltage", 0.001),
    "千伏": ("voltage", 1.0),
    "kv": ("voltage", 1.0),
    "比": ("ratio", 1.0),
    "%": ("ratio", 0.01),
    "％": ("ratio", 0.01),
    "吨/小时": ("steam", 1.0),
    "t/h": ("steam", 1.0),
    "蒸吨/小时": ("steam", 1.0),
    "蒸吨": ("steam", 1.0),
    "吨级": ("tonnage", 1.0),
    "dwt": ("tonnage", 1.0),
}

#: a trailing period on a value, e.g. ``5万吨/日``: suffix -> period
_PERIODS: dict[str, str] = {
    "/日": "日",
    "/天": "日",
    "/d": "日",
    "每日": "日",
    "每天": "日",
    "/年": "年",
    "/a": "年",
    "每年": "年",
}
_MULTIPLIERS = {"万": 1e4, "亿": 1e8}
_NUMBER = re.compile(r"^(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<mult>[万亿])?\s*(?P<unit>.*)$")
_FRACTION = re.compile(r"^(?P<a>\d+(?:\.\d+)?)\s*/\s*(?P<b>\d+(?:\.\d+)?)$")
_LIST_SPLIT = re.compile(r"[;；,，、]")
_YES = {"是", "有", "yes", "y", "true", "t", "1", "涉及", "在"}
_NO = {"否", "无", "no", "n", "false", "f", "0", "不涉及", "不在"}
#: the value of a list fact meaning "none"
NONE_WORDS = frozenset({"无", "none", "没有"})


@dataclass(frozen=True)
class Quantity:
    """A parsed amount: ``value`` in the canonical unit of ``dim`` (see :data:`DIMENSIONS`).

    Examples
    --------
    >>> str(parse_quantity("6万千瓦")), str(parse_quantity("1/4"))
    ('60000千瓦', '0.25')
    """

    value: float
    dim: str
    period: str = ""

    def __str__(self) -> str:
        unit = DIMENSIONS.get(self.dim, ("", ""))[0]
        number = f"{self.value:g}" if abs(self.value) < 1e15 else str(self.value)
        if "e" in number:
            number = f"{self.value:.0f}"
        return f"{number}{unit}"


def parse_quantity(text: str | float | int, default_unit: str = "") -> Quantity:
    """Parse an amount such as ``6万千瓦``, ``1.5亿立方米``, ``65吨/小时``, ``1/4`` or ``25%``.

    Parameters
    ----------
    text : str or number
        The amount.  A number, or text without a unit, is in ``default_unit``.
    default_unit : str
        The unit of a bare number (one of the units above, or empty for a count or ratio).

    Raises
    ------
    ValueError
        If the text is not a non-negative amount with a known unit; the message says what is wrong.

    Examples
    --------
    >>> parse_quantity("5000", "头").value, parse_quantity(2.5, "兆瓦").value
    (5000.0, 2500.0)
    >>> parse_quantity("10万吨/日").period
    '日'
    >>> parse_quantity("5 furlongs")
    Traceback (most recent call last):
        ...
    ValueError: unknown unit 'furlongs' in '5 furlongs'; use one such as ...
    """
    if isinstance(text, bool):
        raise value_error(f"{text!r} is not an amount", f"{text!r} 不是数量")
    if isinstance(text, int | float):
        if not math.isfinite(text) or text < 0:
            raise value_error(f"{text!r} is not a non-negative amount", f"{text!r} 不是非负的数量")
        return _with_unit(float(text), default_unit, str(text))
    raw = str(text).strip()
    frac = _FRACTION.match(raw)
    if frac:
        b = float(frac["b"])
        if b == 0:
            raise value_error(f"{raw!r} divides by zero", f"{raw!r} 的分母为零")
        return Quantity(float(frac["a"]) / b, "ratio")
    m = _NUMBER.match(raw)
    if not m:
        raise value_error(
            f"{raw!r} is not an amount such as 6万千瓦, 5000头 or 1/4",
            f"{raw!r} 不是 6万千瓦、5000头 或 1/4 这样的数量",
        )
    value = float(m["num"].replace(",", "")) * _MULTIPLIERS.get(m["mult"] or "", 1.0)
    unit, period = _split_period(m["unit"].strip())
    q = _with_unit(value, unit or default_unit, raw)
    return Quantity(q.value, q.dim, period)


def _split_period(unit: str) -> tuple[str, str]:
    for suffix, period in _PERIODS.items():
        if unit.lower().endswith(suffix) and unit.lower() not in _UNITS:
            return unit[: -len(suffix)].strip(), period
    return unit, ""


def _with_unit(value: float, unit: str, raw: str) -> Quantity:
    if not unit:
        return Quantity(value, "count")
    found = _UNITS.get(unit) or _UNITS.get(unit.lower())
    if found is None:
        raise value_error(
            f"unknown unit {unit!r} in {raw!r}; use one such as 千瓦, 兆瓦, 吨, 立方米, 亩, 平方米, 公里, 头, 千伏",
            f"{raw!r} 中的单位 {unit!r} 无法识别；请用 千瓦、兆瓦、吨、立方米、亩、平方米、公里、头、千伏 等单位",
        )
    dim, factor = found
    return Quantity(value * factor, dim)


def unit_dimension(unit: str) -> str:
    """Return the dimension of ``unit`` (empty unit: ``count``).

    Examples
    --------
    >>> unit_dimension("兆瓦"), unit_dimension("亩"), unit_dimension("")
    ('power', 'area', 'count')
    """
    return _with_unit(1.0, unit, unit).dim


def parse_flag(value: Any) -> bool:
    """Parse a yes/no value (是/否, 有/无, yes/no, true/false, 1/0).

    Raises
    ------
    ValueError
        If ``value`` is neither.

    Examples
    --------
    >>> parse_flag("是"), parse_flag("no"), parse_flag(True)
    (True, False, True)
    """
    if isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise value_error(
        f"{value!r} is not yes or no (是/否, yes/no, true/false, 1/0)",
        f"{value!r} 不是“是”或“否”（是/否、yes/no、true/false、1/0）",
    )


def split_list(value: Any) -> frozenset[str]:
    """Split a list fact (``电镀;喷涂``, ``电镀、喷涂`` or a list) into names; ``无`` is the empty list.

    Examples
    --------
    >>> sorted(split_list("电镀；喷涂、 组装"))
    ['喷涂', '电镀', '组装']
    >>> split_list("无")
    frozenset()
    """
    items = [str(v) for v in value] if isinstance(value, list | tuple | set | frozenset) else [str(value)]
    names = {p.strip() for item in items for p in _LIST_SPLIT.split(item)} - {""}
    return frozenset(n for n in names if n.lower() not in NONE_WORDS)


@dataclass(frozen=True)
class FactSpec:
    """One fact of an edition's vocabulary (``facts:`` in ``conditions.yaml``).

    Parameters
    ----------
    name : str
        The name the 名录 uses, e.g. ``装机容量``.
    kind : str
        ``quantity``, ``flag`` or ``list``.
    units : tuple of str
        For a quantity: the units it may be given in, the first being the unit of a bare number.
    aliases : tuple of str
        Other names accepted, e.g. ``总装机容量``, ``installed_capacity``.
    en : str
        English name.
    ask : str
        The question to ask when it is missing (zh).
    note : str
        How to count it (e.g. ``其他畜禽种类折合猪的养殖量``).
    period : str
        ``日`` or ``年`` for a daily or annual amount.
    dims : frozenset of str
        The dimensions of its units.

    Examples
    --------
    >>> spec = FactSpec("装机容量", "quantity", ("千瓦", "兆瓦"), dims=frozenset({"power"}))
    >>> spec.unit, spec.question()[0]
    ('千瓦', '装机容量（千瓦、兆瓦）是多少？')
    """

    name: str
    kind: str
    units: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    en: str = ""
    ask: str = ""
    note: str = ""
    period: str = ""
    dims: frozenset[str] = field(default_factory=frozenset)

    @property
    def unit(self) -> str:
        """The unit of a bare number."""
        return self.units[0] if self.units else ""

    def question(self) -> tuple[str, str]:
        """Return the question for this fact when it is missing, as (zh, en)."""
        unit = f"（{'、'.join(self.units)}）" if self.units else ""
        what = self.en or self.name
        if self.kind == "flag":
            zh = self.ask or f"是否{self.name}？"
            en = f"{what}: yes or no? give {self.name}=是 or 否"
        else:
            zh = self.ask or f"{self.name}{unit}是多少？"
            en = f"{what}? give {self.name}=VALUE{unit}"
        return zh, en


@dataclass(frozen=True)
class Facts:
    """Project facts, parsed against an edition's vocabulary by :func:`normalize_facts`.

    ``types`` and ``processes`` are None when not given (unknown), else the complete set.
    """

    quantities: Mapping[str, Quantity] = field(default_factory=dict)
    flags: Mapping[str, bool] = field(default_factory=dict)
    types: frozenset[str] | None = None
    processes: frozenset[str] | None = None
    given: Mapping[str, str] = field(default_factory=dict)


def _index(vocabulary: Iterable[FactSpec]) -> dict[str, FactSpec]:
    out: dict[str, FactSpec] = {}
    for spec in vocabulary:
        for word in (spec.name, *spec.aliases):
            out[word.casefold()] = spec
    return out


def normalize_facts(
    vocabulary: Iterable[FactSpec],
    facts: Mapping[str, Any] | None,
    *,
    type_names: Iterable[str] = (),
    process_aliases: Mapping[str, str] | None = None,
) -> Facts:
    """Parse user facts against a vocabulary: names and aliases, units, yes/no, lists.

    Parameters
    ----------
    vocabulary : iterable of FactSpec
        The edition's facts.
    facts : mapping
        ``{name: value}``; values are text (``6万千瓦``), numbers (in the fact's unit), booleans or lists.
    type_names : iterable of str
        The 类型 names the edition knows; a 类型 not among them is refused.
    process_aliases : mapping, optional
        Other names of processes -> the 名录's name (``化学镀`` -> ``电镀``).

    Raises
    ------
    ValueError
        Naming the fact and what is wrong (unknown fact, bad value, unknown 类型).

    Examples
    --------
    >>> vocab = [FactSpec("装机容量", "quantity", ("千瓦", "兆瓦"), ("总装机容量",), dims=frozenset({"power"}))]
    >>> normalize_facts(vocab, {"总装机容量": "6万千瓦"}).quantities["装机容量"].value
    60000.0
    """
    index = _index(vocabulary)
    known_types = frozenset(type_names)
    quantities: dict[str, Quantity] = {}
    flags: dict[str, bool] = {}
    lists: dict[str, frozenset[str]] = {}
    given: dict[str, str] = {}
    for raw_name, value in (facts or {}).items():
        spec = index.get(str(raw_name).strip().casefold())
        if spec is None:
            raise value_error(
                f"unknown fact {raw_name!r}; known facts are {', '.join(s.name for s in vocabulary)}",
                f"未知的项目事实 {raw_name!r}；已知的事实有 {'、'.join(s.name for s in vocabulary)}",
            )
        if spec.name in given:
            raise value_error(
                f"fact {spec.name} is given twice (as {raw_name!r})",
                f"项目事实 {spec.name} 给了两次（作为 {raw_name!r}）",
            )
        given[spec.name] = str(value)
        if spec.kind == "quantity":
            quantities[spec.name] = _quantity_for(spec, value)
        elif spec.kind == "flag":
            try:
                flags[spec.name] = parse_flag(value)
            except ValueError as exc:
                raise value_error(f"fact {spec.name}: {exc}", f"项目事实 {spec.name}：{zh_text(exc)}") from None
        else:
            lists[spec.name] = split_list(value)
    types = lists.get("类型")
    if types is not None:
        unknown = sorted(types - known_types)
        if unknown:
            raise value_error(
                f"fact 类型: {'、'.join(unknown)} not among the 名录's kinds of project; "
                f"{_close(unknown[0], known_types)}",
                f"项目事实 类型：{'、'.join(unknown)} 不在名录的项目类型中；{_close(unknown[0], known_types, zh=True)}",
            )
    processes = lists.get("工艺")
    if processes is not None and process_aliases:
        processes = frozenset(process_aliases.get(p, p) for p in processes) | processes
    return Facts(quantities, flags, types, processes, given)


def _close(word: str, names: Iterable[str], zh: bool = False) -> str:
    import difflib

    near = difflib.get_close_matches(word, sorted(names), n=5, cutoff=0.3)
    near += [n for n in sorted(names) if word in n or n in word][:5]
    near = list(dict.fromkeys(near))[:6]
    if zh:
        return f"是否指 {'、'.join(near)}？" if near else "请查看说明中该项目的类型列表"
    return f"did you mean {'、'.join(near)}?" if near else "see the row's 类型 list in the explanation"


def _quantity_for(spec: FactSpec, value: Any) -> Quantity:
    try:
        q = parse_quantity(value, spec.unit)
    except ValueError as exc:
        raise value_error(f"fact {spec.name}: {exc}", f"项目事实 {spec.name}：{zh_text(exc)}") from None
    if spec.dims and q.dim not in spec.dims:
        raise value_error(
            f"fact {spec.name}: {value!r} is not in {'、'.join(spec.units)}",
            f"项目事实 {spec.name}：{value!r} 的单位不是 {'、'.join(spec.units)} 之一",
        )
    if q.period and q.period != spec.period:
        per = f"per {spec.period}" if spec.period else "without a period"
        per_zh = f"按{spec.period}计" if spec.period else "不按时段计"
        raise value_error(
            f"fact {spec.name} is counted {per}, got {value!r}", f"项目事实 {spec.name} {per_zh}，收到 {value!r}"
        )
    return q
