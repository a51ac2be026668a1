"""How well the access-list interpreter reads clauses: precision and recall of prohibitions and industries.

Run:  python benchmarks/access_clauses.py [--list]

Reads ``tests/zones/access/clauses.yaml`` (clauses with their reading written by hand before the
interpreter ran on them, each with a project, a place and the expected judgement), interprets
every clause (:func:`redline.zones.access_text.interpret`), judges it for its project and
prints:

- prohibitions: precision and recall of the judgement ``prohibited`` (the target: precision 1.0,
  no clause that does not prohibit the project read as prohibiting it);
- prohibiting clauses that name industries: the share judged right (target: at least 85 %);
- clear precision: of the cases judged ``clear``, the share expected ``clear`` (target 1.0: a
  false "clear" is the most dangerous error, the screen then drops the clause), and every case
  judged clear that was expected otherwise;
- the clause verdict word (prohibited / restricted / condition ...) and the industries named
  (micro precision and recall over codes, policy groups expanded; tags as ``tag:<tag>``).

``--list`` also prints every case whose judgement differs from the expected one.  Exit 1 when a
target is missed (precision of ``prohibited``, prohibiting clauses judged right, clear precision).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redline.zones.access_text import Interpretation, Judgement, Place, interpret
from redline.zones.industry import expand_codes, is_group, normalize_code
from redline.zones.project import Project, make_project

CASES = Path(__file__).resolve().parents[1] / "tests" / "zones" / "access" / "clauses.yaml"
PRECISION_TARGET = 1.0
INDUSTRY_CLAUSES_TARGET = 0.85
CLEAR_PRECISION_TARGET = 1.0


@dataclass
class Case:
    """One clause of the test set with its project, place and the expected reading."""

    text: str
    source: str
    verdict: str
    industries: frozenset[str] | None
    actions: frozenset[str]
    project: Project
    place: Place
    judgement: str
    raw: dict[str, Any] = field(default_factory=dict)


def _expand(items: list[str] | None) -> frozenset[str] | None:
    if items is None:
        return None
    out: set[str] = set()
    for item in items:
        item = str(item)
        if item == "*" or item.startswith("tag:"):
            out.add(item)
        elif is_group(item):
            out.update(expand_codes([item]))
        else:
            out.add(normalize_code(item))
    return frozenset(out)


def _place(raw: dict[str, Any] | None) -> Place:
    raw = raw or {}
    kinds = raw.get("kinds")
    return Place(
        inside=frozenset(tuple(p) for p in raw.get("inside", ())),
        distances=dict(raw.get("distances", {})),
        names=frozenset(tuple(p) for p in raw.get("names", ())),
        kinds=frozenset(kinds) if kinds is not None else None,
        buffer_m=raw.get("buffer_m"),
    )


def load_cases(path: Path = CASES) -> list[Case]:
    """Return the cases of the test set."""
    out = []
    for raw in yaml.safe_load(path.read_text("utf-8"))["clauses"]:
        p = raw["project"]
        project = make_project(p.get("industry"), p.get("tags"), p.get("action"))
        out.append(
            Case(
                raw["text"],
                raw["source"],
                raw["verdict"],
                _expand(raw.get("industries")),
                frozenset(raw.get("actions", ())),
                project,
                _place(raw.get("place")),
                raw["judgement"],
                raw,
            )
        )
    return out


def found_industries(interp: Interpretation) -> frozenset[str]:
    """Return what the binding statements of a reading name: codes, ``*`` and ``tag:<tag>``."""
    out: set[str] = set()
    for s in interp.statements:
        if s.verdict in ("informational", "reference"):
            continue
        if s.generic_all:
            out.add("*")
        for hit in (*s.hits, *s.narrowing):
            out.update(hit.codes)
            out.update(f"tag:{t}" for t in hit.tags)
    return frozenset(out)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


@dataclass
class Scores:
    """The figures :func:`evaluate` returns."""

    n_cases: int
    n_clauses: int
    prohibited_precision: float
    prohibited_recall: float
    judgement_accuracy: float
    industry_clauses_right: float
    n_industry_clauses: int
    verdict_precision: float
    verdict_recall: float
    verdict_accuracy: float
    industry_precision: float
    industry_recall: float
    industry_exact: float
    actions_exact: float
    clear_precision: float
    false_prohibitions: list[tuple[Case, Judgement]]
    false_clears: list[tuple[Case, Judgement]]
    misses: list[tuple[Case, Judgement]]
    confusion: Counter


def evaluate(cases: list[Case]) -> Scores:
    """Interpret and judge every case; return the scores."""
    confusion: Counter = Counter()
    tp = fp = fn = 0
    v_tp = v_fp = v_fn = v_right = 0
    i_tp = i_fp = i_fn = i_exact = i_n = a_exact = 0
    ind_right = ind_n = 0
    false_prohibitions, false_clears, misses = [], [], []
    for case in cases:
        interp = interpret(case.text)
        j = interp.judge(case.project, case.place)
        confusion[(case.judgement, j.verdict)] += 1
        tp += j.verdict == "prohibited" and case.judgement == "prohibited"
        fp += j.verdict == "prohibited" and case.judgement != "prohibited"
        fn += j.verdict != "prohibited" and case.judgement == "prohibited"
        if j.verdict == "prohibited" and case.judgement != "prohibited":
            false_prohibitions.append((case, j))
        if j.verdict == "clear" and case.judgement != "clear":
            false_clears.append((case, j))
        if j.verdict != case.judgement:
            misses.append((case, j))
        v_right += interp.verdict == case.verdict
        v_tp += interp.verdict == "prohibited" and case.verdict == "prohibited"
        v_fp += interp.verdict == "prohibited" and case.verdict != "prohibited"
        v_fn += interp.verdict != "prohibited" and case.verdict == "prohibited"
        a_exact += frozenset(interp.actions) == case.actions
        if case.industries is not None:
            found = found_industries(interp)
            i_n += 1
            i_exact += found == case.industries
            i_tp += len(found & case.industries)
            i_fp += len(found - case.industries)
            i_fn += len(case.industries - found)
            if case.verdict == "prohibited" and case.industries - {"*"}:
                ind_n += 1
                ind_right += j.verdict == case.judgement
    n = len(cases)
    n_clear = sum(v for (_, p), v in confusion.items() if p == "clear")
    return Scores(
        n_cases=n,
        n_clauses=len({c.text for c in cases}),
        prohibited_precision=_ratio(tp, tp + fp),
        prohibited_recall=_ratio(tp, tp + fn),
        judgement_accuracy=_ratio(sum(v for (e, p), v in confusion.items() if e == p), n),
        industry_clauses_right=_ratio(ind_right, ind_n),
        n_industry_clauses=ind_n,
        verdict_precision=_ratio(v_tp, v_tp + v_fp),
        verdict_recall=_ratio(v_tp, v_tp + v_fn),
        verdict_accuracy=_ratio(v_right, n),
        industry_precision=_ratio(i_tp, i_tp + i_fp),
        industry_recall=_ratio(i_tp, i_tp + i_fn),
        industry_exact=_ratio(i_exact, i_n),
        actions_exact=_ratio(a_exact, n),
        clear_precision=_ratio(n_clear - len(false_clears), n_clear),
        false_prohibitions=false_prohibitions,
        false_clears=false_clears,
        misses=misses,
        confusion=confusion,
    )


def report(scores: Scores) -> str:
    """Return the scores as printable lines."""
    s = scores
    lines = [
        f"access-list clauses: {s.n_cases} cases, {s.n_clauses} distinct clauses ({CASES.name})",
        f"prohibitions (judgement for the case's project): precision {s.prohibited_precision:.3f} "
        f"(target {PRECISION_TARGET:.2f}), recall {s.prohibited_recall:.3f}",
        f"prohibiting clauses that name industries judged right: {s.industry_clauses_right:.1%} "
        f"of {s.n_industry_clauses} (target {INDUSTRY_CLAUSES_TARGET:.0%})",
        f"judgement accuracy (prohibited/restricted/review/clear): {s.judgement_accuracy:.1%}",
        f"verdict word: 'prohibited' precision {s.verdict_precision:.3f}, recall {s.verdict_recall:.3f}; "
        f"all verdicts right {s.verdict_accuracy:.1%}",
        f"industry matching: precision {s.industry_precision:.3f}, recall {s.industry_recall:.3f}, "
        f"exact set {s.industry_exact:.1%}; actions exact {s.actions_exact:.1%}",
        "judgement confusion (expected -> got): "
        + ", ".join(f"{e}->{p} {n}" for (e, p), n in sorted(s.confusion.items()) if e != p),
        f"clear precision (of the cases judged clear, the share expected clear): {s.clear_precision:.3f} "
        f"(target {CLEAR_PRECISION_TARGET:.2f}); judged clear but expected otherwise: {len(s.false_clears)}",
    ]
    lines += [
        f"  judged clear, expected {case.judgement}: {case.text[:60]}  [{' '.join(case.project.industries)}] "
        f"({j.reason_en[:90]})"
        for case, j in s.false_clears
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    scores = evaluate(load_cases())
    print(report(scores))
    if "--list" in argv:
        for case, j in scores.misses:
            print(f"  expected {case.judgement:<10} got {j.verdict:<10} {case.text[:60]}  ({j.reason_en[:90]})")
    ok = (
        scores.prohibited_precision >= PRECISION_TARGET
        and scores.industry_clauses_right >= INDUSTRY_CLAUSES_TARGET
        and scores.clear_precision >= CLEAR_PRECISION_TARGET
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
