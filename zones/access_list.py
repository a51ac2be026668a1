"""生态环境准入清单: the access lists of "三线一单" environmental control units.

Bureaus publish access lists as tables of free-text clauses per unit in four dimensions.  Two
ways in:

- :func:`access_list_from_frame` reads the tool's own long format (``unit_code, dimension,
  clause`` with optional structured columns ``verdict`` (prohibited, restricted, review),
  ``industries`` (GB/T 4754 codes, prefixes or policy groups, ``;``-separated), ``tags``,
  ``actions`` (new;expand;rebuild), ``unless_industries`` and ``unless_tags``), one clause a row.
  A ``unit_code`` of ``*`` applies a clause to every unit, a class name (``priority``, ``key``,
  ``general``, or 优先保护/重点管控/一般管控) to every unit of that class.
- :func:`access_list_from_table` reads the canonical long table that
  :func:`redline.layers.access_tables.read_access_list` makes of a list as bureaus publish it
  (wide or long, XLSX/XLS/CSV/DOCX, several sheets): provincial dimension names, numbered
  clauses cut apart, scopes for a class, a sub-type or an area, references resolved.

Every clause carries an :class:`~redline.zones.access_text.Interpretation` (from its structured
columns, a reviewer's correction, or its own text) and can :meth:`Clause.judge` a project.  A
clause is never dropped: one the screen cannot judge is ``review``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from redline.zones.access_scope import DIMENSIONS, Scope, parse_scope
from redline.zones.access_text import Interpretation, Judgement, Place, StructuredRule, interpret
from redline.zones.access_text import structured_interpretation as _structured
from redline.zones.access_units import UnitIndex, UnitInfo
from redline.zones.errors import RuleError, listed
from redline.zones.industry import expand_codes
from redline.zones.project import ACTIONS, Project, project_matches
from redline.zones.tags import TAGS

__all__ = [
    "DIMENSIONS",
    "AccessList",
    "AccessProblem",
    "Clause",
    "Place",
    "UnitInfo",
    "access_list_from_frame",
    "access_list_from_table",
    "validate_access_frame",
]

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
_CLASS_KEYS = ("priority", "key", "general")


def _scope_of_code(unit_code: str) -> Scope:
    if unit_code == "*":
        return Scope("all", "*", "*")
    if unit_code in _CLASS_KEYS:
        return Scope("class", unit_code, unit_code)
    return Scope("unit", unit_code, unit_code)


@dataclass(frozen=True)
class Clause:
    """One clause of an access list.

    ``number`` is the clause's printed number (``"2"``, ``"(1)"``, ``"一.2"``) or, for an
    unnumbered clause, its place among the clauses of the same scope and dimension, from 1;
    ``clause_id`` (e.g. ``ZH45072120001/空间布局约束/3``) is what findings cite as their
    ``rule_id``.  ``unit_code`` is the scope's id: a unit code, ``*``, a class key
    (``priority``, ``key``, ``general``), a class with its sub-type as printed, or an area.

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
    >>> text_only = Clause("ZH45072120001", "空间布局约束", 2, "禁止新建、扩建化学制浆、电镀、鞣革项目")
    >>> text_only.interpretation.source, text_only.judge(make_project("C3360"), Place()).verdict
    ('text', 'prohibited')
    """

    unit_code: str
    dimension: str
    number: int | str
    text: str
    verdict: str | None = None
    industries: tuple[str, ...] = ()
    unless_industries: tuple[str, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)
    unless_tags: frozenset[str] = field(default_factory=frozenset)
    actions: tuple[str, ...] = ()
    source: str = ""
    row: int = 0
    scope: Scope | None = None
    dimension_label: str = ""
    sheet: str = ""
    via: str = ""
    interpretation: Interpretation | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.scope is None:
            object.__setattr__(self, "scope", _scope_of_code(self.unit_code))
        if not self.dimension_label:
            object.__setattr__(self, "dimension_label", self.dimension)
        if self.interpretation is None:
            object.__setattr__(self, "interpretation", self._own_interpretation())

    def _own_interpretation(self) -> Interpretation:
        if self.structured:
            rule = StructuredRule(
                str(self.verdict),
                self.industries,
                self.unless_industries,
                self.tags,
                self.unless_tags,
                self.actions,
            )
            return _structured(rule, "structured")
        return interpret(self.text)

    @property
    def clause_id(self) -> str:
        """``unit_code/dimension/number``."""
        return f"{self.unit_code}/{self.dimension}/{self.number}"

    @property
    def structured(self) -> bool:
        """True when the clause carries a verdict in structured columns and can be evaluated."""
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

    def judge(self, project: Project, place: Place | None = None) -> Judgement:
        """Return what this clause means for ``project`` at ``place``: a :class:`Judgement`."""
        assert self.interpretation is not None
        return self.interpretation.judge(project, place or Place())


@dataclass(frozen=True)
class AccessProblem:
    """Something about an access list a reviewer should know; never a reason to drop a clause.

    Attributes
    ----------
    check : str
        ``unknown_dimension`` (kept as a dimension of its own), ``scope_unmatched`` (a scope that
        reaches no unit), ``unit_without_clause``, ``reference_unresolved``, ``area_assumed``
        (an area taken to be the one all units lie in), ``correction_unmatched`` (a correction
        for no clause), ``sheet_skipped`` (a sheet the reader could not read and was not asked for).
    message : str
        One line, in English, naming what and where.
    sheet, row : str, int
        Where in the file (row as a spreadsheet counts), when known.
    scope : str
        The scope concerned, when there is one.
    clause_id : str
        The clause concerned, when there is one.
    level : str
        ``warning`` (every check here) or ``error``.
    """

    check: str
    message: str
    sheet: str = ""
    row: int = 0
    scope: str = ""
    clause_id: str = ""
    level: str = "warning"


@dataclass
class AccessList:
    """All clauses of one access list, with the units it describes.

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
    index: UnitIndex = field(default_factory=UnitIndex)
    read_problems: list[AccessProblem] = field(default_factory=list)

    @property
    def units(self) -> dict[str, UnitInfo]:
        """The units the list's per-unit rows describe, by code."""
        return self.index.units

    def _scope_clauses(self, target: Scope) -> list[Clause]:
        """Return the clauses written for ``target`` (a reference's scope)."""
        from redline.zones.access_scope import area_variants

        out = []
        for c in self.clauses:
            s = c.scope
            assert s is not None
            if s.kind != target.kind:
                continue
            same_area = s.kind == "area" and bool(area_variants(s.key) & area_variants(target.key))
            if same_area or (s.kind != "area" and s.key == target.key and s.subtype == target.subtype):
                out.append(c)
        return out

    def for_unit(
        self, unit_code: str, unit_class: str | None, unit_fields: Mapping[str, Any] | None = None
    ) -> list[Clause]:
        """Return the clauses that bind one unit, with their scope.

        The unit's own clauses, its class's (and sub-type's), its county's, city's and
        province's, and the list-wide ones; a clause that refers to another scope's
        requirements (「执行灵山县总体管控要求」) brings that scope's clauses in after it, each
        with ``via`` set to the referring clause's id.  Ordered by dimension (as
        :data:`DIMENSIONS`, then other dimensions in table order), then scope (own, class,
        county, city, province, list-wide), then table order.

        Parameters
        ----------
        unit_code : str
        unit_class : str or None
            ``priority``, ``key`` or ``general`` (the layer's class); None: from the list's rows.
        unit_fields : mapping, optional
            The unit's attributes in the layer, for area scopes (fields named in the manifest) and
            class sub-types.
        """
        chosen: list[tuple[float, Clause]] = []
        for order, c in enumerate(self.clauses):
            assert c.scope is not None
            rank = self.index.rank(c.scope, unit_code, unit_class, unit_fields)
            if rank is not None:
                chosen.append((rank + order * 1e-7, c))
        out: dict[str, tuple[float, Clause]] = {c.clause_id: (rank, c) for rank, c in reversed(chosen)}
        for rank, c in chosen:
            ref = c.interpretation.reference if c.interpretation else ""
            for extra in self._scope_clauses(parse_scope(ref)) if ref else ():
                if extra.clause_id not in out:
                    out[extra.clause_id] = (rank + 0.5, replace(extra, via=c.clause_id))
        dims = list(dict.fromkeys([*DIMENSIONS, *(c.dimension for c in self.clauses)]))
        return [c for _, c in sorted(out.values(), key=lambda rc: (dims.index(rc[1].dimension), rc[0]))]

    def problems(self, units: Iterable[tuple[str, str | None, Mapping[str, Any]]] | None = None) -> list[AccessProblem]:
        """Return what a reviewer should know about the list, as typed records.

        Parameters
        ----------
        units : iterable of (unit_code, unit_class, unit_fields), optional
            The units of the layer; by default the units the list's own rows describe.
        """
        from redline.zones.access_checks import list_problems

        return list_problems(self, units)

    def __len__(self) -> int:
        return len(self.clauses)


def access_list_from_table(
    table: pd.DataFrame,
    source: str,
    *,
    corrections: Mapping[str, Mapping[str, Any]] | None = None,
    area_fields: Iterable[str] = (),
) -> AccessList:
    """Build an :class:`AccessList` from the canonical long table of a published list.

    See :func:`redline.zones.access_build.build_access_list` (this is its public name).
    """
    from redline.zones.access_build import build_access_list

    return build_access_list(table, source, corrections=corrections, area_fields=area_fields)


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
        raise RuleError(
            f"access list '{source}' has {len(problems)} problem(s):\n{listed(problems)}",
            zh=f"准入清单 '{source}' 有 {len(problems)} 处问题：\n{listed(problems, zh=True)}",
        )
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
    units = {c.unit_code: UnitInfo(c.unit_code) for c in clauses if c.scope is not None and c.scope.kind == "unit"}
    return AccessList(clauses, source, UnitIndex(units))
