"""The explanation table of an access list: every clause, its scope, how the screen reads it and why.

:func:`explain_access_list` is what ``redline rules access LIST`` prints and what the
``access_rules`` sheet of results.xlsx holds; :func:`problems_frame` lists the list's problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from redline.zones.access_list import AccessList, Clause
from redline.zones.access_terms import describe_codes
from redline.zones.access_text import Place
from redline.zones.project import Project

__all__ = ["EXPLAIN_COLUMNS", "JUDGE_COLUMNS", "explain_access_list", "problems_frame"]

#: The columns of :func:`explain_access_list`, in order.
EXPLAIN_COLUMNS = (
    "clause_id", "scope", "scope_kind", "dimension", "dimension_label", "number", "text", "sheet", "row",
    "via", "read_by", "verdict", "verdict_word", "actions", "industries", "matched_words", "exceptions",
    "conditions", "cannot_test", "interpreted", "why_zh", "why_en",
)  # fmt: skip
#: The columns added when a project is given.
JUDGE_COLUMNS = ("applies", "judgement", "conformity", "reason_zh", "reason_en")


def _row(c: Clause) -> dict[str, Any]:
    i = c.interpretation
    assert i is not None and c.scope is not None
    codes = tuple(dict.fromkeys(code for h in i.industries for code in h.codes))
    tags = sorted({t for h in i.industries for t in h.tags})
    return {
        "clause_id": c.clause_id,
        "scope": c.scope.label or c.scope.key,
        "scope_kind": c.scope.kind,
        "dimension": c.dimension,
        "dimension_label": c.dimension_label,
        "number": str(c.number),
        "text": c.text,
        "sheet": c.sheet,
        "row": c.row,
        "via": c.via,
        "read_by": i.source,
        "verdict": i.verdict,
        "verdict_word": i.verdict_word,
        "actions": ";".join(i.actions),
        "industries": "; ".join([*describe_codes(codes), *tags]),
        "matched_words": "、".join(dict.fromkeys(w for h in i.industries for w in h.words)),
        "exceptions": "；".join(e.words for e in i.exceptions),
        "conditions": "；".join(cond.describe("zh") for cond in i.conditions),
        "cannot_test": "；".join(f"{u.zh}「{u.words}」" for u in i.untestable),
        "interpreted": i.interpreted,
        "why_zh": i.why_zh,
        "why_en": i.why_en,
    }


def explain_access_list(
    access: AccessList,
    project: Project | None = None,
    place: Place | None = None,
    *,
    unit: tuple[str, str | None, Mapping[str, Any] | None] | None = None,
) -> pd.DataFrame:
    """Return one row per clause: scope, the interpretation and why; with a project, the judgement too.

    Parameters
    ----------
    access : AccessList
    project : Project, optional
        Adds :data:`JUDGE_COLUMNS` for this project.
    place : Place, optional
        Where the site is (for place conditions); default: nothing known.
    unit : (unit_code, unit_class, unit_fields), optional
        Only the clauses binding this unit (references resolved); default: every clause.

    Examples
    --------
    >>> import pandas as pd
    >>> from redline.zones.access_build import build_access_list
    >>> from redline.zones.project import make_project
    >>> table = pd.DataFrame({"scope": ["ZH45072120001"], "dimension": ["空间布局约束"],
    ...     "text": ["1.禁止新建、扩建化学制浆、电镀、鞣革项目；2.加强园区环境管理。"]})
    >>> df = explain_access_list(build_access_list(table, "a.csv"), make_project("C3360"))
    >>> df[["number", "verdict", "judgement", "conformity"]].values.tolist()
    [['1', 'prohibited', 'prohibited', '不符合'], ['2', 'informational', 'clear', '不适用']]
    """
    clauses: Iterable[Clause] = access.for_unit(*unit) if unit is not None else access.clauses
    rows = []
    for c in clauses:
        row = _row(c)
        if project is not None:
            j = c.judge(project, place)
            row.update(
                applies=j.applies,
                judgement=j.verdict,
                conformity=j.conformity,
                reason_zh=j.reason_zh,
                reason_en=j.reason_en,
            )
        rows.append(row)
    columns = [*EXPLAIN_COLUMNS, *(JUDGE_COLUMNS if project is not None else ())]
    return pd.DataFrame(rows, columns=columns)


def problems_frame(
    access: AccessList, units: Iterable[tuple[str, str | None, Mapping[str, Any]]] | None = None
) -> pd.DataFrame:
    """Return the list's problems (:meth:`AccessList.problems`) as a table.

    Examples
    --------
    >>> problems_frame(AccessList()).columns.tolist()
    ['check', 'level', 'message', 'sheet', 'row', 'scope', 'clause_id']
    """
    columns = ["check", "level", "message", "sheet", "row", "scope", "clause_id"]
    return pd.DataFrame([{k: getattr(p, k) for k in columns} for p in access.problems(units)], columns=columns)
