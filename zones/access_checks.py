"""What a reviewer should know about an access list.

Scopes that reach no unit, units without a clause, references that cannot be resolved: typed
records (:class:`~redline.zones.access_list.AccessProblem`), never a reason to refuse or drop
anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from redline.zones.access_scope import parse_scope

if TYPE_CHECKING:
    from redline.zones.access_list import AccessList, AccessProblem

__all__ = ["list_problems"]


def _first(clauses: list, scope_id: str):
    return next(c for c in clauses if c.scope.id == scope_id)


def list_problems(
    access: AccessList, units: Iterable[tuple[str, str | None, Mapping[str, Any]]] | None = None
) -> list[AccessProblem]:
    """Return the read-time problems of ``access`` and what its scopes and references reach.

    Parameters
    ----------
    access : AccessList
    units : iterable of (unit_code, unit_class, unit_fields), optional
        The layer's units; by default the units the list's own rows describe.

    Examples
    --------
    >>> import pandas as pd
    >>> from redline.zones.access_build import build_access_list
    >>> table = pd.DataFrame({"scope": ["ZH45072120001", "城镇生活类重点管控单元", "ZH45072130001"],
    ...     "unit_class": ["重点管控单元", "", "一般管控单元"], "dimension": ["空间布局约束"] * 3,
    ...     "text": ["执行浦北县总体管控要求。", "禁止新建化工项目。", "/"]})
    >>> [p.check for p in build_access_list(table, "a.xlsx").problems()]
    ['scope_unmatched', 'unit_without_clause', 'reference_unresolved']
    """
    from redline.zones.access_list import AccessProblem

    index = access.index
    out = list(access.read_problems)
    listed = list(units) if units is not None else [(code, info.class_key, {}) for code, info in index.units.items()]
    scopes = {c.scope.id: c.scope for c in access.clauses if c.scope is not None and c.scope.kind != "all"}
    for scope_id, scope in scopes.items():
        if not any(index.rank(scope, code, cls, fields) is not None for code, cls, fields in listed):
            first = _first(access.clauses, scope_id)
            out.append(
                AccessProblem(
                    "scope_unmatched",
                    f"{access.source}: scope {scope.label or scope.key!r} ({scope.kind}) reaches no unit"
                    + (" of the layer" if units is not None else " of the list")
                    + "; check the code or name, or map the unit field that holds it",
                    first.sheet,
                    first.row,
                    scope=scope_id,
                )
            )
    for code, cls, fields in listed:
        if not access.for_unit(code, cls, fields):
            out.append(AccessProblem("unit_without_clause", f"{access.source}: unit {code} has no clause", scope=code))
    for c in access.clauses:
        ref = c.interpretation.reference if c.interpretation else ""
        if ref and not access._scope_clauses(parse_scope(ref)):
            out.append(
                AccessProblem(
                    "reference_unresolved",
                    f"{access.source}: clause {c.clause_id} refers to {ref!r}, whose requirements the list does not "
                    "hold; add that sheet or the higher-level list",
                    c.sheet,
                    c.row,
                    scope=c.scope.id if c.scope else "",
                    clause_id=c.clause_id,
                )
            )
    return out
