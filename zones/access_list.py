"""生态环境准入清单: the access lists of "三线一单" environmental control units.

Bureaus publish access lists as tables of free-text clauses per unit in four
dimensions.  The contract columns are ``unit_code, dimension, clause``; optional
structured columns make a clause testable: ``verdict`` (prohibited, restricted,
review), ``industries`` (GB/T 4754 codes, prefixes or policy groups,
``;``-separated), ``tags``, ``actions`` (new;expand;rebuild), and the exclusions
``unless_industries`` and ``unless_tags``.  A ``unit_code`` of ``*`` applies a
clause to every unit, a class name (``priority``, ``key``, ``general``, or
优先保护/重点管控/一般管控) to every unit of that class.

A clause with a verdict is evaluated against the project; a clause without one
is never dropped: it is shown in full for every touched unit, verdict ``review``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from redline.zones.errors import RuleError
from redline.zones.industry import expand_codes
from redline.zones.project import ACTIONS, Project, project_matches
from redline.zones.tags import TAGS

__all__ = [
    "DIMENSIONS",
    "AccessList",
    "Clause",
    "access_list_from_frame",
    "validate_access_frame",
]

#: The four dimensions, in the order lists are printed.
DIMENSIONS: tuple[str, ...] = ("空间布局约束", "污染物排放管控", "环境风险防控", "资源开发效率要求")

_DIMENSION_ALIASES: dict[str, str] = {
    "spatial_layout": "空间布局约束",
    "space": "空间布局约束",
    "kjbjys": "空间布局约束",
    "空间布局": "空间布局约束",
    "pollutant_discharge": "污染物排放管控",
    "pollution": "污染物排放管控",
    "pwwpfgk": "污染物排放管控",
    "污染物排放": "污染物排放管控",
    "environmental_risk": "环境风险防控",
    "risk": "环境风险防控",
    "hjfxfk": "环境风险防控",
    "环境风险": "环境风险防控",
    "resource_efficiency": "资源开发效率要求",
    "resources": "资源开发效率要求",
    "zykfxlyq": "资源开发效率要求",
    "资源开发效率": "资源开发效率要求",
    "资源利用效率要求": "资源开发效率要求",
}

#: unit_code values that address every unit of a class.
UNIT_SCOPES: dict[str, str] = {
    "priority": "priority",
    "key": "key",
    "general": "general",
    "优先保护": "priority",
    "优先保护单元": "priority",
    "重点管控": "key",
    "重点管控单元": "key",
    "一般管控": "general",
    "一般管控单元": "general",
}

REQUIRED_COLUMNS = ("unit_code", "dimension", "clause")
OPTIONAL_COLUMNS = ("verdict", "industries", "unless_industries", "tags", "unless_tags", "actions")
_VERDICTS = ("prohibited", "restricted", "review")


@dataclass(frozen=True)
class Clause:
    """One clause of an access list.

    ``number`` counts the clauses of the same ``unit_code`` and ``dimension`` in
    table order, from 1; ``clause_id`` (e.g. ``ZH45072120001/空间布局约束/3``) is
    what findings cite as their ``rule_id``.

    Examples
    --------
    >>> from redline.zones import make_project
    >>> clause = Clause(
    ...     "ZH45072120001", "空间布局约束", 1, "禁止新建电镀项目", verdict="prohibited", industries=("C3360",)
    ... )
    >>> clause.clause_id
    'ZH45072120001/空间布局约束/1'
    >>> clause.applies_to_project(make_project("C3360")), clause.applies_to_project(make_project("G5990"))
    (True, False)
    """

    unit_code: str
    dimension: str
    number: int
    text: str
    verdict: str | None = None
    industries: tuple[str, ...] = ()
    unless_industries: tuple[str, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)
    unless_tags: frozenset[str] = field(default_factory=frozenset)
    actions: tuple[str, ...] = ()
    source: str = ""
    row: int = 0

    @property
    def clause_id(self) -> str:
        """``unit_code/dimension/number``."""
        return f"{self.unit_code}/{self.dimension}/{self.number}"

    @property
    def structured(self) -> bool:
        """True when the clause carries a verdict and can be evaluated."""
        return self.verdict is not None

    def applies_to_project(self, project: Project) -> bool:
        """Return True when a structured clause's conditions hold for ``project``.

        Industries and tags together form one any-of condition (with neither,
        every project matches); ``unless_*`` exclude; ``actions`` limit.
        """
        return self.structured and project_matches(
            project,
            industries=self.industries,
            tags=self.tags,
            unless_industries=self.unless_industries,
            unless_tags=self.unless_tags,
            actions=self.actions,
        )


@dataclass
class AccessList:
    """All clauses of one access-list table.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> units = next(layer for layer in load_layerset("sample").layers if layer.kind == "control_unit")
    >>> clauses = units.access.for_unit("ZH45072120001", "key")
    >>> clauses[0].clause_id, clauses[0].dimension
    ('ZH45072120001/空间布局约束/1', '空间布局约束')
    """

    clauses: list[Clause] = field(default_factory=list)
    source: str = ""

    def for_unit(self, unit_code: str, unit_class: str | None) -> list[Clause]:
        """Return the clauses that bind one unit: its own, its class's and the general ones.

        Ordered by dimension (as :data:`DIMENSIONS`), then the unit's own clauses,
        the class-wide ones and the ``*`` ones, each in table order.
        """
        scope_rank = {unit_code: 0, unit_class or "": 1, "*": 2}
        chosen = [c for c in self.clauses if c.unit_code in scope_rank and c.unit_code != ""]
        return sorted(chosen, key=lambda c: (DIMENSIONS.index(c.dimension), scope_rank[c.unit_code], c.row))

    def __len__(self) -> int:
        return len(self.clauses)


def _split(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    text = str(value).replace("；", ";").replace("，", ";").replace(",", ";")
    return [p.strip() for p in text.split(";") if p.strip()]


def _dimension(value: str) -> str | None:
    v = value.strip()
    if v in DIMENSIONS:
        return v
    return _DIMENSION_ALIASES.get(v.lower())


def _codes(items: Iterable[str]) -> tuple[list[str], list[str]]:
    """Return (codes, unknown items), policy groups expanded to their codes."""
    codes: list[str] = []
    unknown: list[str] = []
    for item in items:
        try:
            codes.extend(expand_codes([item]))
        except RuleError:
            unknown.append(item)
    return codes, unknown


def _cell(row: pd.Series, column: str) -> str:
    if column not in row.index:
        return ""
    value = row[column]
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def validate_access_frame(df: pd.DataFrame, source: str) -> list[str]:
    """Return every problem in an access-list table, each naming the file and row.

    Row numbers count as a spreadsheet does: the header is row 1.
    """
    problems: list[str] = []
    columns = [str(c).strip() for c in df.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return [
            f"{source}: missing column(s) {', '.join(missing)}; the columns are {', '.join(columns)}; "
            f"an access list needs {', '.join(REQUIRED_COLUMNS)}"
        ]
    for i, row in df.iterrows():
        where = f"{source}: row {int(i) + 2}"
        if not _cell(row, "unit_code"):
            problems.append(f"{where}: empty unit_code; give a unit code, a class (key ...) or *")
        dim = _cell(row, "dimension")
        if _dimension(dim) is None:
            problems.append(f"{where}: unknown dimension {dim!r}; use one of {', '.join(DIMENSIONS)}")
        if not _cell(row, "clause"):
            problems.append(f"{where}: empty clause text")
        verdict = _cell(row, "verdict")
        if verdict and verdict not in _VERDICTS:
            problems.append(f"{where}: bad verdict {verdict!r}; use prohibited, restricted, review or leave empty")
        for column in ("industries", "unless_industries"):
            _, unknown = _codes(_split(_cell(row, column)))
            for item in unknown:
                problems.append(f"{where}: {column}: {item!r} is not a GB/T 4754-2017 code or a policy group")
        for column in ("tags", "unless_tags"):
            for tag in _split(_cell(row, column)):
                if tag not in TAGS:
                    problems.append(f"{where}: {column}: unknown tag {tag!r}; see `redline rules tags`")
        for action in _split(_cell(row, "actions")):
            if action not in ACTIONS:
                problems.append(f"{where}: actions: unknown action {action!r}; use new, expand, rebuild")
        has_conditions = any(_cell(row, c) for c in ("industries", "tags", "actions", "unless_industries"))
        if has_conditions and not verdict:
            problems.append(f"{where}: conditions given but no verdict; add a verdict or clear the conditions")
    return problems


def access_list_from_frame(df: pd.DataFrame, source: str) -> AccessList:
    """Build an :class:`AccessList` from a table, refusing it with every problem listed.

    Raises
    ------
    RuleError
        Listing every problem with file and row.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit_code": ["ZH45072120001"], "dimension": ["空间布局约束"],
    ...                    "clause": ["禁止新建电镀项目"], "verdict": ["prohibited"], "industries": ["C3360"]})
    >>> access_list_from_frame(df, "list.csv").clauses[0].clause_id
    'ZH45072120001/空间布局约束/1'
    """
    df = df.rename(columns=lambda c: str(c).strip())
    problems = validate_access_frame(df, source)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise RuleError(f"access list '{source}' has {len(problems)} problem(s):\n{lines}")
    counters: dict[tuple[str, str], int] = {}
    clauses = []
    for i, row in df.iterrows():
        unit = _cell(row, "unit_code")
        unit = UNIT_SCOPES.get(unit, unit)
        dim = _dimension(_cell(row, "dimension"))
        assert dim is not None
        counters[(unit, dim)] = counters.get((unit, dim), 0) + 1
        clauses.append(
            Clause(
                unit_code=unit,
                dimension=dim,
                number=counters[(unit, dim)],
                text=_cell(row, "clause"),
                verdict=_cell(row, "verdict") or None,
                industries=tuple(_codes(_split(_cell(row, "industries")))[0]),
                unless_industries=tuple(_codes(_split(_cell(row, "unless_industries")))[0]),
                tags=frozenset(_split(_cell(row, "tags"))),
                unless_tags=frozenset(_split(_cell(row, "unless_tags"))),
                actions=tuple(_split(_cell(row, "actions"))),
                source=source,
                row=int(i) + 2,
            )
        )
    return AccessList(clauses, source)
