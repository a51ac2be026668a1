"""Build an access list from the canonical long table of a published list.

The table (made by :func:`redline.layers.access_tables.read_access_table`) has one row per cell
of the published list: ``sheet, row, scope, unit_code, unit_name, unit_class, province, city,
county, dimension, text`` and, where the list has them, the structured columns ``verdict,
industries, unless_industries, tags, unless_tags, actions``.  Each cell is cut into its numbered
clauses; dimensions are mapped to the four canonical ones (the printed name is kept); a
reviewer's corrections, keyed by clause id, replace the reading of a clause.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from redline.zones.access_list import AccessList, AccessProblem, Clause
from redline.zones.access_scope import canonical_dimension, parse_scope, split_clauses
from redline.zones.access_text import StructuredRule, structured_interpretation
from redline.zones.access_units import UnitIndex, UnitInfo
from redline.zones.errors import Bilingual, RuleError, listed
from redline.zones.industry import expand_codes
from redline.zones.project import ACTIONS
from redline.zones.tags import TAGS

__all__ = ["CANONICAL_COLUMNS", "STRUCTURED_COLUMNS", "build_access_list", "correction_rule"]

#: The columns of the canonical long table, in order.
CANONICAL_COLUMNS = (
    *("sheet", "row", "scope", "unit_code", "unit_name", "unit_class"),
    *("province", "city", "county", "dimension", "text"),
)
#: The optional structured columns a list may carry.
STRUCTURED_COLUMNS = ("verdict", "industries", "unless_industries", "tags", "unless_tags", "actions")
_VERDICTS = ("prohibited", "restricted", "review", "informational")


def _cell(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column, "")
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).replace("；", ";").replace("，", ";").replace(",", ";")
    return [p.strip() for p in text.split(";") if p.strip()]


def correction_rule(entry: Mapping[str, Any], where: str) -> StructuredRule:
    """Return the rule of one correction or structured row, refusing unknown values.

    Raises
    ------
    RuleError
        Naming ``where`` and the first bad value.

    Examples
    --------
    >>> correction_rule({"verdict": "prohibited", "industries": "C3360;两高", "actions": "new"}, "x").industries[:2]
    ('C3360', 'D4411')
    """
    verdict = str(entry.get("verdict") or "").strip()
    if verdict not in _VERDICTS:
        raise RuleError(
            f"{where}: verdict {verdict!r} is not one of {', '.join(_VERDICTS)}",
            param="verdict",
            value=verdict,
            zh=f"{where}：结论 verdict {verdict!r} 不是 {'、'.join(_VERDICTS)} 之一",
        )
    codes = {k: expand_codes(_items(entry.get(k))) for k in ("industries", "unless_industries")}
    tags = {k: frozenset(_items(entry.get(k))) for k in ("tags", "unless_tags")}
    for key, value in tags.items():
        unknown = sorted(value - TAGS.keys())
        if unknown:
            raise RuleError(
                f"{where}: {key}: unknown tag(s) {', '.join(unknown)}",
                param=key,
                value=unknown,
                zh=f"{where}：{key}：未知的标签 {'、'.join(unknown)}",
            )
    actions = tuple(_items(entry.get("actions")))
    bad = [a for a in actions if a not in (*ACTIONS, "upgrade")]
    if bad:
        raise RuleError(
            f"{where}: actions: unknown action(s) {', '.join(bad)}; use new, expand, rebuild",
            param="actions",
            value=bad,
            zh=f"{where}：actions：未知的建设性质 {'、'.join(bad)}；请用 new（新建）、expand（扩建）、rebuild（改建）",
        )
    return StructuredRule(
        verdict,
        codes["industries"],
        codes["unless_industries"],
        tags["tags"],
        tags["unless_tags"],
        actions,
        str(entry.get("note") or entry.get("reviewer") or ""),
    )


def _unit_info(row: Mapping[str, Any], code: str) -> UnitInfo:
    return UnitInfo(
        code,
        _cell(row, "unit_name"),
        _cell(row, "unit_class"),
        _cell(row, "province"),
        _cell(row, "city"),
        _cell(row, "county"),
    )


def _merge(old: UnitInfo | None, new: UnitInfo) -> UnitInfo:
    if old is None:
        return new
    return UnitInfo(*(a or b for a, b in zip(old.__dict__.values(), new.__dict__.values(), strict=True)))


class _Numbers:
    """Clause numbers per (scope, dimension): printed numbers kept, unnumbered clauses counted."""

    def __init__(self) -> None:
        self.count: dict[tuple[str, str], int] = {}
        self.used: dict[tuple[str, str], set[str]] = {}

    def next(self, scope: str, dimension: str, printed: str) -> str:
        key = (scope, dimension)
        self.count[key] = self.count.get(key, 0) + 1
        number = printed or str(self.count[key])
        used = self.used.setdefault(key, set())
        candidate, k = number, 1
        while candidate in used:
            k += 1
            candidate = f"{number}-{k}"
        used.add(candidate)
        return candidate


def _structured_rule(row: Mapping[str, Any], where: str, errors: list[str]) -> StructuredRule | None:
    if not any(_cell(row, c) for c in STRUCTURED_COLUMNS):
        return None
    try:
        return correction_rule({c: _cell(row, c) for c in STRUCTURED_COLUMNS}, where)
    except RuleError as exc:
        errors.append(Bilingual(str(exc), exc.zh))
        return None


def _dimension(raw: str, where: str, seen: set[str], problems: list[AccessProblem], sheet: str, row: int) -> str:
    canonical = canonical_dimension(raw)
    if canonical:
        return canonical
    name = raw.strip() or "未分维度"
    if name not in seen:
        seen.add(name)
        problems.append(
            AccessProblem(
                "unknown_dimension",
                f"{where}: dimension {name!r} is none of the four (空间布局约束, 污染物排放管控, 环境风险防控, "
                "资源开发效率要求); its clauses are kept as a dimension of their own",
                sheet,
                row,
            )
        )
    return name


def build_access_list(
    table: pd.DataFrame,
    source: str,
    *,
    corrections: Mapping[str, Mapping[str, Any]] | None = None,
    area_fields: Iterable[str] = (),
    problems: list[AccessProblem] | None = None,
) -> AccessList:
    """Build an :class:`~redline.zones.access_list.AccessList` from a canonical long table.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns :data:`CANONICAL_COLUMNS` (missing ones count as empty), any of
        :data:`STRUCTURED_COLUMNS`, and ``sheet_scope`` (non-empty where the row's scope is the
        sheet's own, e.g. a sheet named 灵山县总体管控要求: only such an area may be taken to be the
        list's own area when no unit row names it).
    source : str
        The file name, cited in findings and messages.
    corrections : mapping, optional
        Clause id -> structured fields (``verdict``, ``industries``, ``unless_industries``,
        ``tags``, ``unless_tags``, ``actions``, ``note``): a reviewer's reading, which wins over
        the list's own columns and the interpreter.
    area_fields : iterable of str
        Unit fields of the layer that hold area names (for area scopes).
    problems : list, optional
        Problems met while the file was read (a skipped sheet), kept with the list.

    Raises
    ------
    RuleError
        When a structured column or a correction holds a value that is not a verdict, code,
        tag or action: every such problem listed.

    Examples
    --------
    >>> table = pd.DataFrame({"scope": ["ZH45072120001", "灵山县"], "unit_class": ["重点管控单元", ""],
    ...     "county": ["灵山县", ""], "dimension": ["区域布局管控", "空间布局约束"],
    ...     "text": ["1.禁止新建电镀项目；2.执行灵山县总体管控要求。", "禁止新建化学制浆项目。"]})
    >>> access = build_access_list(table, "list.xlsx")
    >>> [c.clause_id for c in access.for_unit("ZH45072120001", "key")]
    ['ZH45072120001/空间布局约束/1', 'ZH45072120001/空间布局约束/2', '灵山县/空间布局约束/1']
    >>> access.clauses[0].dimension_label
    '区域布局管控'
    """
    problems = list(problems or [])
    errors: list[str] = []
    numbers = _Numbers()
    index = UnitIndex(area_fields=tuple(area_fields))
    clauses: list[Clause] = []
    seen_dims: set[str] = set()
    own_areas: set[str] = set()
    for record in table.to_dict("records"):
        sheet, row = _cell(record, "sheet"), int(_cell(record, "row") or 0)
        where = f"{source}" + (f" [{sheet}]" if sheet else "") + (f" row {row}" if row else "")
        scope = parse_scope(_cell(record, "scope") or _cell(record, "unit_code") or "*")
        if scope.kind == "unit":
            index.units[scope.key] = _merge(index.units.get(scope.key), _unit_info(record, scope.key))
        elif scope.kind == "area" and _cell(record, "sheet_scope"):
            own_areas.add(scope.key)
        raw_dim = _cell(record, "dimension")
        dim = _dimension(raw_dim, where, seen_dims, problems, sheet, row)
        rule = _structured_rule(record, where, errors)
        pieces = [("", _cell(record, "text"))] if rule else split_clauses(_cell(record, "text"))
        for printed, text in pieces:
            number = numbers.next(scope.id, dim, printed)
            clause = Clause(
                scope.id, dim, number, text, source=source, row=row, scope=scope, dimension_label=raw_dim or dim,
                sheet=sheet,
            )  # fmt: skip
            clauses.append(_with_rule(clause, rule, "structured") if rule else clause)
    clauses = _corrected(clauses, corrections or {}, source, errors, problems)
    if errors:
        raise RuleError(
            f"access list '{source}' has {len(errors)} problem(s):\n{listed(errors)}",
            zh=f"准入清单 '{source}' 有 {len(errors)} 处问题：\n{listed(errors, zh=True)}",
        )
    for name, prefix in index.learn(sorted(own_areas)):
        problems.append(
            AccessProblem(
                "area_assumed",
                f"{source}: area {name!r} is named by no unit row; taken to be the area every unit of the list "
                f"lies in (administrative code {prefix}); add the 市/县 columns or map a unit field to be sure",
                scope=name,
            )
        )
    return AccessList(clauses, source, index, problems)


def _corrected(
    clauses: list[Clause],
    corrections: Mapping[str, Mapping[str, Any]],
    source: str,
    errors: list[str],
    problems: list[AccessProblem],
) -> list[Clause]:
    """Apply a reviewer's corrections (by clause id); report corrections that match no clause."""
    if not corrections:
        return clauses
    ids = {c.clause_id for c in clauses}
    for clause_id in corrections:
        if clause_id not in ids:
            problems.append(
                AccessProblem(
                    "correction_unmatched",
                    f"{source}: correction for {clause_id!r} matches no clause of the list",
                    clause_id=clause_id,
                )
            )
    out = []
    for c in clauses:
        entry = corrections.get(c.clause_id)
        if entry is None:
            out.append(c)
            continue
        try:
            rule = correction_rule(entry, f"correction {c.clause_id}")
        except RuleError as exc:
            errors.append(Bilingual(str(exc), exc.zh))
            out.append(c)
            continue
        out.append(_with_rule(c, rule, "corrections"))
    return out


def _with_rule(clause: Clause, rule: StructuredRule, source: str) -> Clause:
    """Return ``clause`` read by ``rule``: its interpretation and its structured fields (for the screen)."""
    verdict = rule.verdict if rule.verdict != "informational" else None
    return replace(
        clause,
        verdict=verdict,
        industries=rule.industries,
        unless_industries=rule.unless_industries,
        tags=rule.tags,
        unless_tags=rule.unless_tags,
        actions=tuple(a for a in rule.actions if a != "upgrade"),
        interpretation=structured_interpretation(rule, source),
    )
