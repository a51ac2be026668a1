"""The conditions of the 名录's cells as data, evaluated in three values: yes, no, or open.

Each cell of a row (报告书, 报告表, 登记表) is written in ``conditions.yaml`` as its verbatim text
and a condition built from these nodes:

- ``true`` / ``false``: 「全部」, 「其他」 (the cells are tried in order, so 「其他」 is what is left);
- ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``;
- ``{unless: ...}``: a carve-out (「……除外」, 「不含……」) presumed not to apply when the facts do not
  say; the answer then states the presumption;
- ``sensitive``: 涉及 the row's 环境敏感区; ``{sensitive: [types]}`` a list of its own;
  ``{sensitive: {without: [types]}}`` the row's less some types;
- ``{fact: 装机容量, ge: 5万千瓦}`` (also ``gt``, ``le``, ``lt``, ``eq``; several are all required;
  a list of thresholds in different units, e.g. ``[65吨/小时, 45.5兆瓦]``, compares in the value's unit);
- ``{flag: 城市建成区}``: a yes/no fact;
- ``{type: 水泥粉磨站}``: the project is (one of) these kinds (fact 类型);
- ``{process: 电镀}``: the project has (one of) these processes (fact 工艺);
- ``{only_process: [分割, 焊接, 组装]}``: every process of the project is among these (「仅……的」, 「单纯……」);
- ``{industry: C3011}``: the project's GB/T 4754-2017 code is under one of these;
- ``{action: [new, expand]}``: 新建/扩建/改建/迁建/退役;
- a name from ``define:``: a condition written once and used in many rows.

A missing fact makes a leaf *open* (None), with the question to ask; ``all``/``any``/``not``
follow three-valued logic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from redline.zones.eia.facts import Facts, FactSpec, Quantity
from redline.zones.eia.sensitive import Scheme, Scope, SensitiveHit, in_scope
from redline.zones.industry import lookup

__all__ = [
    "ACTIONS",
    "OPERATORS",
    "Action",
    "All",
    "Amount",
    "AnyOf",
    "Condition",
    "Const",
    "Context",
    "Flag",
    "Industry",
    "Named",
    "Not",
    "OnlyProcess",
    "Process",
    "Question",
    "Sensitive",
    "Text",
    "Truth",
    "TypeIs",
    "Unless",
]

#: actions of a project: 新建, 扩建, 改建, 迁建, 退役
ACTIONS: dict[str, tuple[str, str]] = {
    "new": ("新建", "new"),
    "expand": ("扩建", "expansion"),
    "rebuild": ("改建", "rebuilding"),
    "relocate": ("迁建", "relocation"),
    "decommission": ("退役", "decommissioning"),
}
OPERATORS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "ge": ("≥", lambda a, b: a >= b),
    "gt": (">", lambda a, b: a > b),
    "le": ("≤", lambda a, b: a <= b),
    "lt": ("<", lambda a, b: a < b),
    "eq": ("=", lambda a, b: a == b),
}


class Text(NamedTuple):
    """A text in Chinese and English.

    Examples
    --------
    >>> Text("报告书", "report").get("en")
    'report'
    """

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` (``zh`` or ``en``)."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Question:
    """An open question: what to find out (zh and en), and the fact that answers it, if any.

    Examples
    --------
    >>> q = Question("fact:装机容量", Text("装机容量是多少？", "capacity?"), "装机容量")
    >>> str(q), q.fact
    ('装机容量是多少？', '装机容量')
    """

    key: str
    text: Text
    fact: str = ""

    def __str__(self) -> str:
        return self.text.zh


@dataclass(frozen=True)
class Truth:
    """The value of a condition: True, False or None (open), with why.

    ``because`` says what decided it, ``hits`` the sensitive zones that made it true, ``questions``
    what to find out when it is open, ``assumptions`` the carve-outs presumed not to apply.
    """

    value: bool | None
    because: tuple[Text, ...] = ()
    hits: tuple[SensitiveHit, ...] = ()
    questions: tuple[Question, ...] = ()
    assumptions: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Context:
    """What a condition is evaluated against: the facts, the zones touched, the project's code and action."""

    facts: Facts
    hits: tuple[SensitiveHit, ...]
    code: str | None
    action: str
    scope: Scope
    scheme: Scheme
    vocabulary: Mapping[str, FactSpec]
    processes: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _uniq(items: Any) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def _merge(truths: list[Truth], value: bool | None) -> Truth:
    return Truth(
        value,
        _uniq(b for t in truths for b in t.because),
        _uniq(h for t in truths for h in t.hits),
        _uniq(q for t in truths for q in t.questions),
        _uniq(a for t in truths for a in t.assumptions),
    )


class Condition:
    """A node of a cell's condition; subclasses implement ``_evaluate``, ``_describe`` and ``_children``."""

    def evaluate(self, ctx: Context) -> Truth:
        """Return the node's :class:`Truth` in ``ctx``."""
        return self._evaluate(ctx)

    def describe(self, lang: str = "zh") -> str:
        """Return the node in words (``zh`` or ``en``)."""
        return self._describe(lang)

    def children(self) -> tuple[Condition, ...]:
        """Return the sub-conditions."""
        return self._children()

    def walk(self) -> Iterator[Condition]:
        """Yield this node and every node below it."""
        yield self
        for c in self.children():
            yield from c.walk()

    def _evaluate(self, ctx: Context) -> Truth:
        raise NotImplementedError

    def _describe(self, lang: str) -> str:
        raise NotImplementedError

    def _children(self) -> tuple[Condition, ...]:
        return ()


@dataclass(frozen=True)
class Const(Condition):
    """Always true (「全部」, 「其他」) or never (「/」)."""

    value: bool

    def _evaluate(self, ctx: Context) -> Truth:
        return Truth(self.value)

    def _describe(self, lang: str = "zh") -> str:
        return ("是" if self.value else "否") if lang == "zh" else ("always" if self.value else "never")


@dataclass(frozen=True)
class _Many(Condition):
    """A node over several sub-conditions, joined by ``WORDS`` (zh, en) in words."""

    items: tuple[Condition, ...]
    WORDS: ClassVar[tuple[str, str]] = ("", "")

    def _children(self) -> tuple[Condition, ...]:
        return self.items

    def _describe(self, lang: str = "zh") -> str:
        word = self.WORDS[0] if lang == "zh" else self.WORDS[1]
        return "（" + word.join(c.describe(lang) for c in self.items) + "）"

    @staticmethod
    def _open(truths: list[Truth]) -> Truth | None:
        """Return the open result when some item is open, else None."""
        if any(t.value is None for t in truths):
            return Truth(None, questions=_uniq(q for t in truths if t.value is None for q in t.questions))
        return None


@dataclass(frozen=True)
class All(_Many):
    """Every item holds."""

    WORDS: ClassVar[tuple[str, str]] = (" 且 ", " and ")

    def _evaluate(self, ctx: Context) -> Truth:
        truths = [c.evaluate(ctx) for c in self.items]
        false = next((t for t in truths if t.value is False), None)
        if false is not None:
            return Truth(False, false.because)
        return self._open(truths) or _merge(truths, True)


@dataclass(frozen=True)
class AnyOf(_Many):
    """At least one item holds."""

    WORDS: ClassVar[tuple[str, str]] = (" 或 ", " or ")

    def _evaluate(self, ctx: Context) -> Truth:
        truths = [c.evaluate(ctx) for c in self.items]
        true = [t for t in truths if t.value is True]
        if true:
            return _merge(true, True)
        return self._open(truths) or Truth(False, _uniq(b for t in truths for b in t.because))


@dataclass(frozen=True)
class _Wrap(Condition):
    """A node about one sub-condition."""

    item: Condition

    def _children(self) -> tuple[Condition, ...]:
        return (self.item,)


@dataclass(frozen=True)
class Not(_Wrap):
    """The item does not hold."""

    def _evaluate(self, ctx: Context) -> Truth:
        t = self.item.evaluate(ctx)
        if t.value is None:
            return Truth(None, questions=t.questions)
        return Truth(not t.value, t.because, t.hits if not t.value else ())

    def _describe(self, lang: str = "zh") -> str:
        return ("非" if lang == "zh" else "not ") + self.item.describe(lang)


@dataclass(frozen=True)
class Unless(_Wrap):
    """A carve-out: false when the item holds, true when it does not, presumed true when open."""

    def _evaluate(self, ctx: Context) -> Truth:
        t = self.item.evaluate(ctx)
        if t.value is True:
            return Truth(False, t.because)
        if t.value is False:
            return Truth(True)
        zh, en = self.item.describe("zh"), self.item.describe("en")
        return Truth(True, assumptions=(Text(f"按不属于「{zh}」判定", f"presumed not: {en}"),))

    def _describe(self, lang: str = "zh") -> str:
        return ("除外：" if lang == "zh" else "except: ") + self.item.describe(lang)


@dataclass(frozen=True)
class Named(Condition):
    """A condition from ``define:``, shown by its text (or name)."""

    name: str
    item: Condition
    text: str = ""

    def _children(self) -> tuple[Condition, ...]:
        return (self.item,)

    def _evaluate(self, ctx: Context) -> Truth:
        return self.item.evaluate(ctx)

    def _describe(self, lang: str = "zh") -> str:
        return self.text or self.name


def _zone(hit: SensitiveHit) -> str:
    zone = " ".join(p for p in (hit.zone_id, hit.zone_name) if p)
    return f"「{zone}」" if zone else f"（{hit.kind}）"


@dataclass(frozen=True)
class Sensitive(Condition):
    """涉及环境敏感区: the row's types (``types`` None) or a list of its own, less ``without``."""

    types: frozenset[str] | None = None
    without: frozenset[str] = frozenset()
    shown: tuple[str, ...] = ()

    def scope_types(self, ctx: Context) -> frozenset[str]:
        """Return the types this node counts in ``ctx``."""
        base = ctx.scope.base if self.types is None else self.types
        return base - self.without

    def _evaluate(self, ctx: Context) -> Truth:
        types = self.scope_types(ctx)
        found, questions = [], []
        for hit in ctx.hits:
            counted = in_scope(ctx.scheme, types, hit)
            if counted:
                found.append(hit)
            elif counted is None:
                questions.append(self._question(ctx, hit, types))
        if found:
            because = tuple(self._because(ctx, h) for h in found)
            return Truth(True, because, tuple(found))
        if questions:
            return Truth(None, questions=tuple(questions))
        return Truth(False, (Text("未涉及本栏目环境敏感区", "touches none of this row's sensitive areas"),))

    @staticmethod
    def _because(ctx: Context, hit: SensitiveHit) -> Text:
        s = ctx.scheme
        return Text(
            f"涉及{hit.type}（{s.group_label(hit.group)}）{_zone(hit)}",
            f"touches {s.label(hit.type, 'en')} ({s.group_label(hit.group, 'en')}) {_zone(hit)}",
        )

    @staticmethod
    def _question(ctx: Context, hit: SensitiveHit, types: frozenset[str]) -> Question:
        key = f"hit:{hit.kind}:{hit.zone_id}:{hit.type}"
        if hit.question:
            return Question(
                key, Text(f"{_zone(hit)}：{hit.question}", f"{_zone(hit)}: {hit.question_en or hit.question}")
            )
        if hit.relation == "near":
            return Question(
                key,
                Text(
                    f"{hit.type}{_zone(hit)}邻近项目：项目是否涉及该区域（位于、穿越或环境影响范围涵盖）？",
                    f"{ctx.scheme.label(hit.type, 'en')} {_zone(hit)} is near: does the project touch it or reach it?",
                ),
            )
        narrower = sorted(t for t in types if hit.type in ctx.scheme.ancestors(t))
        return Question(
            key,
            Text(
                f"{_zone(hit)}为{hit.type}，本栏目只计其中的{'、'.join(narrower)}：该区是否属于其一？",
                f"{_zone(hit)} is a {ctx.scheme.label(hit.type, 'en')}; this row counts only "
                f"{', '.join(ctx.scheme.label(t, 'en') for t in narrower)}: is it one of them?",
            ),
        )

    def _describe(self, lang: str = "zh") -> str:
        if lang == "zh":
            what = "本栏目环境敏感区" if self.types is None else "、".join(self.shown or sorted(self.types))
            less = f"（{'、'.join(sorted(self.without))}除外）" if self.without else ""
            return f"涉及{what}{less}"
        what = "this row's sensitive areas" if self.types is None else ", ".join(self.shown or sorted(self.types))
        less = f" (except {', '.join(sorted(self.without))})" if self.without else ""
        return f"touches {what}{less}"


def _missing(ctx: Context, fact: str) -> Question:
    spec = ctx.vocabulary.get(fact)
    zh, en = spec.question() if spec else (f"{fact}？", f"{fact}?")
    return Question(f"fact:{fact}", Text(zh, en), fact)


@dataclass(frozen=True)
class Amount(Condition):
    """A quantity fact compared with thresholds: ``((op, (threshold, ...), raw text), ...)``, all required."""

    fact: str
    tests: tuple[tuple[str, tuple[Quantity, ...], str], ...]

    def _evaluate(self, ctx: Context) -> Truth:
        value = ctx.facts.quantities.get(self.fact)
        if value is None:
            return Truth(None, questions=(_missing(ctx, self.fact),))
        shown = ctx.facts.given.get(self.fact, str(value))
        results = []
        for op, thresholds, raw in self.tests:
            limit = next((q for q in thresholds if q.dim == value.dim), None)
            if limit is None:
                ask = Text(f"请以{raw}的单位给出{self.fact}", f"give {self.fact} in the unit of {raw}")
                return Truth(None, questions=(Question(f"fact:{self.fact}", ask, self.fact),))
            symbol, test = OPERATORS[op]
            ok = test(value.value, limit.value)
            sign = symbol if ok else {"≥": "<", ">": "≤", "≤": ">", "<": "≥", "=": "≠"}[symbol]
            results.append((ok, Text(f"{self.fact} {shown} {sign} {raw}", f"{self.fact} {shown} {sign} {raw}")))
        failed = [t for ok, t in results if not ok]
        return Truth(False, tuple(failed[:1])) if failed else Truth(True, tuple(t for _, t in results))

    def _describe(self, lang: str = "zh") -> str:
        return " 且 ".join(f"{self.fact} {OPERATORS[op][0]} {raw}" for op, _, raw in self.tests)


@dataclass(frozen=True)
class Flag(Condition):
    """A yes/no fact is yes."""

    fact: str

    def _evaluate(self, ctx: Context) -> Truth:
        value = ctx.facts.flags.get(self.fact)
        if value is None:
            return Truth(None, questions=(_missing(ctx, self.fact),))
        word = "是" if value else "否"
        return Truth(value, (Text(f"{self.fact}：{word}", f"{self.fact}: {'yes' if value else 'no'}"),))

    def _describe(self, lang: str = "zh") -> str:
        return f"{self.fact}=是" if lang == "zh" else f"{self.fact}=yes"


@dataclass(frozen=True)
class TypeIs(Condition):
    """The project is one of these kinds (fact 类型)."""

    names: tuple[str, ...]

    def _evaluate(self, ctx: Context) -> Truth:
        types = ctx.facts.types
        listed = "、".join(self.names)
        if types is None:
            ask = Text(f"项目是否为：{listed}？（以 类型=… 给出）", f"is the project: {listed}? (give 类型=…)")
            return Truth(None, questions=(Question(f"type:{listed}", ask, "类型"),))
        found = [n for n in self.names if n in types]
        if found:
            return Truth(True, (Text(f"类型：{'、'.join(found)}", f"类型: {'、'.join(found)}"),))
        return Truth(False, (Text(f"类型不含{listed}", f"类型 is not {listed}"),))

    def _describe(self, lang: str = "zh") -> str:
        return ("类型为 " if lang == "zh" else "类型 is ") + _either(self.names, lang)


def _either(names: tuple[str, ...], lang: str) -> str:
    if len(names) == 1:
        return names[0]
    return "、".join(names) + ("之一" if lang == "zh" else " (any)")


def _expand(ctx: Context, names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for n in names for w in ctx.processes.get(n, frozenset({n})))


@dataclass(frozen=True)
class Process(Condition):
    """The project has one of these processes (fact 工艺); a process includes its listed equivalents."""

    names: tuple[str, ...]

    def _evaluate(self, ctx: Context) -> Truth:
        have = ctx.facts.processes
        listed = "、".join(self.names)
        if have is None:
            ask = Text(
                f"项目有无{listed}工艺？（以 工艺=… 列出全部工艺）", f"does the project use {listed}? (list 工艺=…)"
            )
            return Truth(None, questions=(Question(f"process:{listed}", ask, "工艺"),))
        found = sorted(have & _expand(ctx, self.names))
        if found:
            return Truth(True, (Text(f"工艺：{'、'.join(found)}", f"工艺: {'、'.join(found)}"),))
        return Truth(False, (Text(f"无{listed}工艺", f"no {listed}"),))

    def _describe(self, lang: str = "zh") -> str:
        return ("工艺含 " if lang == "zh" else "工艺 includes ") + _either(self.names, lang)


@dataclass(frozen=True)
class OnlyProcess(Condition):
    """Every process of the project is among these (「仅分割、焊接、组装的」, 「单纯分装」)."""

    names: tuple[str, ...]

    def _evaluate(self, ctx: Context) -> Truth:
        have = ctx.facts.processes
        listed = "、".join(self.names)
        if have is None:
            ask = Text(
                f"项目是否仅有{listed}工艺？（以 工艺=… 列出全部工艺）",
                f"does the project only {listed}? (list 工艺=…)",
            )
            return Truth(None, questions=(Question(f"only:{listed}", ask, "工艺"),))
        allowed = _expand(ctx, self.names)
        other = sorted(have - allowed)
        if not other:
            return Truth(True, (Text(f"工艺仅为{listed}", f"工艺 only {listed}"),))
        return Truth(False, (Text(f"另有{'、'.join(other)}工艺", f"also {'、'.join(other)}"),))

    def _describe(self, lang: str = "zh") -> str:
        return ("工艺仅为 " if lang == "zh" else "工艺 only ") + "、".join(self.names)


@dataclass(frozen=True)
class Industry(Condition):
    """The project's GB/T 4754-2017 code is under one of these codes."""

    codes: tuple[str, ...]

    def _evaluate(self, ctx: Context) -> Truth:
        listed = "、".join(_code_name(c) for c in self.codes)
        code = ctx.code
        if code is not None and any(code.startswith(c) for c in self.codes):
            return Truth(True, (Text(f"行业{_code_name(code)}", f"industry {_code_name(code)}"),))
        if code is None or any(c.startswith(code) for c in self.codes):
            shown = f"（当前为{code}）" if code else ""
            ask = Text(
                f"项目的国民经济行业小类是否为{listed}？{shown}",
                f"is the project's GB/T 4754-2017 class one of {listed}? {code or ''}".strip(),
            )
            return Truth(None, questions=(Question(f"industry:{listed}", ask),))
        return Truth(False, (Text(f"行业不属{listed}", f"industry not {listed}"),))

    def _describe(self, lang: str = "zh") -> str:
        return ("行业属 " if lang == "zh" else "industry in ") + "、".join(_code_name(c) for c in self.codes)


def _code_name(code: str) -> str:
    ind = lookup(code)
    return f"{code} {ind.name}" if ind else code


@dataclass(frozen=True)
class Action(Condition):
    """The project's action is one of these (新建, 扩建, 改建, 迁建, 退役)."""

    actions: tuple[str, ...]

    def _evaluate(self, ctx: Context) -> Truth:
        zh, en = ACTIONS[ctx.action]
        if ctx.action in self.actions:
            return Truth(True, (Text(zh, en),))
        return Truth(False, (Text(f"{zh}（非{'、'.join(ACTIONS[a][0] for a in self.actions)}）", en),))

    def _describe(self, lang: str = "zh") -> str:
        i = 0 if lang == "zh" else 1
        return ("或" if lang == "zh" else " or ").join(ACTIONS[a][i] for a in self.actions)
