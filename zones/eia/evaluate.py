"""Evaluating one row of the 名录 for a project, and combining rows the way 第四条 says.

A row's cells are tried strictest first (报告书, 报告表, 登记表); the first that holds decides.  A
cell that is open (a fact missing) keeps its category among the possible outcomes and the search
goes on as if it failed, so an open row yields every category it may come to, with the questions
that would settle it.  A project of several industries takes the strictest row (第四条第二款).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from redline.zones.eia.catalogue import CodeMap, Edition, Row
from redline.zones.eia.conditions import Context, Question, Text, Truth
from redline.zones.eia.facts import Facts
from redline.zones.eia.sensitive import SensitiveHit
from redline.zones.industry import industry_table, lookup

__all__ = ["RANK", "Outcome", "Proposal", "RowResult", "Unit", "combine", "evaluate_row", "evaluate_unit"]

_TRUE = Truth(True)
#: strictness of the answers
RANK: dict[str, int] = {"none": 0, "registration": 1, "form": 2, "report": 3}


@dataclass(frozen=True)
class Outcome:
    """One possible result of a row.

    ``kind``: ``cell`` (a cell holds, or is open), ``none`` (the row applies, no cell holds),
    ``not_applicable`` (the project is carved out of the row), ``not_listed`` (no row: 第五条).
    ``failed`` holds the stricter cells that did not hold, with why.
    """

    category: str
    kind: str
    row: Row | None
    cell_text: str = ""
    truth: Truth = _TRUE
    failed: tuple[tuple[str, str, Truth], ...] = ()
    code: str | None = None
    open: bool = False

    @property
    def rank(self) -> int:
        """How strict the category is (none 0 … report 3)."""
        return RANK[self.category]


@dataclass(frozen=True)
class RowResult:
    """What one row gives a project: its possible outcomes (strictest first) and open questions."""

    row: Row | None
    code: str | None
    outcomes: tuple[Outcome, ...]
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Unit:
    """One part of the project (an industry code or a pinned row) and the rows it may be."""

    code: str | None
    results: tuple[RowResult, ...]
    questions: tuple[Question, ...] = ()

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        """Every possible outcome of every alternative row."""
        return tuple(o for r in self.results for o in r.outcomes)


def _applicability(row: Row, cm: CodeMap | None, ctx: Context) -> Truth:
    truths: list[Truth] = []
    if row.applies is not None and row.applies.condition is not None:
        truths.append(row.applies.condition.evaluate(ctx))
    if cm is not None and cm.starred:
        flag = ctx.facts.flags.get("工业建筑")
        if flag is False:
            truths.append(
                Truth(False, (Text("不在工业建筑中生产（说明4）", "not produced in industrial buildings (说明4)"),))
            )
        elif flag is None:
            truths.append(
                Truth(
                    True,
                    assumptions=(
                        Text("按在工业建筑中生产判定（说明4）", "presumed produced in industrial buildings (说明4)"),
                    ),
                )
            )
    false = next((t for t in truths if t.value is False), None)
    if false is not None:
        return false
    if any(t.value is None for t in truths):
        return Truth(None, questions=tuple(q for t in truths for q in t.questions))
    return Truth(True, assumptions=tuple(a for t in truths for a in t.assumptions))


def _with_assumptions(t: Truth, more: tuple[Text, ...]) -> Truth:
    if not more:
        return t
    return Truth(t.value, t.because, t.hits, t.questions, tuple(dict.fromkeys((*more, *t.assumptions))))


@dataclass(frozen=True)
class Proposal:
    """What is known of the project besides its industry: facts, zones touched, action."""

    facts: Facts
    hits: tuple[SensitiveHit, ...]
    action: str


def _context(edition: Edition, row: Row, code: str | None, proposal: Proposal) -> Context:
    return Context(
        proposal.facts,
        proposal.hits,
        code,
        proposal.action,
        row.scope,
        edition.scheme,
        edition.vocabulary,
        edition.processes,
    )


def evaluate_row(edition: Edition, row: Row, code: str | None, cm: CodeMap | None, proposal: Proposal) -> RowResult:
    """Evaluate one row for the project: its possible outcomes (strictest first) and open questions."""
    ctx = _context(edition, row, code, proposal)
    outcomes: list[Outcome] = []
    questions: list[Question] = []
    applies = _applicability(row, cm, ctx)
    if applies.value is not True:
        outcomes.append(
            Outcome(
                "none",
                "not_applicable",
                row,
                row.applies.text if row.applies else "",
                applies,
                code=code,
                open=applies.value is None,
            )
        )
        if applies.value is False:
            return RowResult(row, code, tuple(outcomes))
        questions += applies.questions
    failed: list[tuple[str, str, Truth]] = []
    for cell in row.cells:
        if cell.condition is None:
            continue
        t = cell.condition.evaluate(ctx)
        if t.value is False:
            failed.append((cell.category, cell.text, t))
            continue
        t = _with_assumptions(t, applies.assumptions)
        outcomes.append(Outcome(cell.category, "cell", row, cell.text, t, tuple(failed), code, t.value is None))
        if t.value is True:
            return RowResult(row, code, tuple(outcomes), tuple(dict.fromkeys(questions)))
        questions += t.questions
        failed.append((cell.category, cell.text, t))
    outcomes.append(Outcome("none", "none", row, "", Truth(True, assumptions=applies.assumptions), tuple(failed), code))
    return RowResult(row, code, tuple(outcomes), tuple(dict.fromkeys(questions)))


def _excluded(result: RowResult) -> bool:
    """Tell whether the row's own restriction (applies, 说明4) rules the project out for certain."""
    return all(o.kind == "not_applicable" and not o.open for o in result.outcomes)


def _uncovered(code: str, rows: Iterable[Row]) -> bool:
    """Tell whether some class under ``code`` is in none of ``rows``."""
    row_codes = [cm.code for r in rows for cm in r.codes]
    classes = [c for c, ind in industry_table().items() if ind.level == 4 and c.startswith(code)]
    return any(not any(c.startswith(rc) for rc in row_codes) for c in classes)


def _code_label(code: str | None) -> str:
    ind = lookup(code) if code else None
    return f"{code} {ind.name}" if ind else (code or "")


def _which_item(code: str | None, rows: list[Row], unlisted: bool) -> Question:
    listed = "；".join(r.label() for r in rows)
    tail = "；或不属于其中任何一项" if unlisted else ""
    return Question(
        f"item:{code}:{','.join(str(r.number) for r in rows)}",
        Text(
            f"行业{_code_label(code)}可对应{listed}{tail}：项目属于哪一项？（以名录项号指定）",
            f"industry {_code_label(code)} may be {listed}{' or none of them' if unlisted else ''}: "
            "which item is it? (give the 名录 item number)",
        ),
    )


def evaluate_unit(edition: Edition, code: str | None, pinned: Mapping[int, Row], proposal: Proposal) -> Unit:
    """Evaluate every row a project code may be (only the pinned ones, if it falls under any).

    With ``code`` None, evaluate the pinned rows alone, as one part of the project each.
    """
    if code is None:
        return Unit(None, tuple(evaluate_row(edition, r, None, None, proposal) for r in pinned.values()))
    found = edition.rows_for_code(code)
    chosen = [f for f in found if f[0].number in pinned]
    if chosen:
        found = chosen
    results = [evaluate_row(edition, row, code, cm, proposal) for row, cm, _ in found]
    applicable = [r for r in results if not _excluded(r)]
    if applicable and len(applicable) < len(results):
        # a row whose own restriction rules the project out is no alternative when another row remains
        kept = {id(r) for r in applicable}
        found = [f for f, r in zip(found, results, strict=True) if id(r) in kept]
        results = applicable
    full = [f for f in found if f[2] == "full"]
    unlisted = not found or (
        not full and (any(f[2] == "partial" for f in found) or _uncovered(code, [f[0] for f in found]))
    )
    if chosen:
        unlisted = False
    if unlisted:
        results.append(RowResult(None, code, (Outcome("none", "not_listed", None, code=code, open=bool(found)),)))
    unit = Unit(code, tuple(results))
    categories = {o.category for o in unit.outcomes}
    if len(results) > 1 and len(categories) > 1:
        return Unit(code, unit.results, (_which_item(code, [f[0] for f in found], unlisted),))
    return unit


def combine(units: list[Unit]) -> tuple[str, list[Outcome], list[Question]]:
    """Combine the parts of a project, strictest wins (第四条第二款).

    Returns the category (or ``undetermined``), the deciding outcomes (one when determined; every
    outcome that may decide, strictest first, when not), and the questions still open.
    """
    lower = max(min(o.rank for o in u.outcomes) for u in units)
    upper = max(max(o.rank for o in u.outcomes) for u in units)
    if lower == upper:
        category = next(c for c, r in RANK.items() if r == lower)
        deciding = [o for u in units for o in u.outcomes if o.category == category and not o.open]
        sure = [u for u in units if {o.category for o in u.outcomes} == {category}]
        pick = next((o for u in sure for o in u.outcomes), deciding[0] if deciding else units[0].outcomes[0])
        return category, [pick], []
    candidates = sorted(
        (o for u in units for o in u.outcomes if o.rank >= lower), key=lambda o: (-o.rank, o.row.number if o.row else 0)
    )
    questions: list[Question] = []
    for u in units:
        if max(o.rank for o in u.outcomes) > lower:
            questions += u.questions
            questions += [q for r in u.results for q in r.questions]
    return "undetermined", candidates, list(dict.fromkeys(questions))
