"""Run the per-rule case files in ``tests/zones/cases/<CODE>.yaml`` against the national catalogue.

Each file holds readable cases for one rule::

    rule: WS01
    cases:
      - id: factory_inside_first_level_prohibited
        finding: {kind: water_source, zone_class: first, relation: inside}
        project: {industry: C2614, tags: [], action: new}
        expect: {verdict: prohibited, rule_id: WS01}

Regional catalogues have their cases in ``cases/<catalog name>/<CODE>.yaml``, evaluated against
the national catalogue with that regional one layered on top.

``expect.rule_id`` is the deciding rule (``null`` when no rule applies); ``matched`` lists codes
that must be among the matched rules, ``not_matched`` codes that must not be; ``question`` is a
part of the question a reviewer must answer (the decision's ``question_zh``), ``""`` for none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from redline.zones.outcome import evaluate
from redline.zones.project import make_project
from redline.zones.rules import Catalog, bundled_catalog_names, bundled_catalog_path, catalog_with, national_catalog

CASES_DIR = Path(__file__).parent / "cases"

_FILE_KEYS = {"rule", "cases"}
_CASE_KEYS = {"id", "finding", "project", "expect", "why"}
_FINDING_KEYS = {"kind", "zone_class", "relation", "distance_m"}
_PROJECT_KEYS = {"industry", "tags", "action"}
_EXPECT_KEYS = {"verdict", "rule_id", "matched", "not_matched", "question"}


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise ValueError(f"{path.name}: expected a mapping with 'rule' and a 'cases' list")
    return data


def _case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml")) + sorted(CASES_DIR.glob("*/*.yaml"))


def _catalog_for(path: Path) -> Catalog:
    """The national catalogue, or it with the regional catalogue the case file's folder names."""
    if path.parent == CASES_DIR:
        return national_catalog()
    return catalog_with([bundled_catalog_path(path.parent.name)])


def _all_cases() -> list[Any]:
    params = []
    for path in _case_files():
        data = _load(path)
        prefix = "" if path.parent == CASES_DIR else f"{path.parent.name}/"
        for case in data["cases"]:
            params.append(
                pytest.param(path, data.get("rule"), case, id=f"{prefix}{data.get('rule')}::{case.get('id')}")
            )
    return params


def _problems(path: Path, data: dict[str, Any]) -> list[str]:
    """Return every structural problem of one case file."""
    out: list[str] = []
    codes = set(_catalog_for(path).rules)
    rule = data.get("rule")
    if rule != path.stem:
        out.append(f"{path.name}: 'rule' is {rule!r}, expected {path.stem!r} (the file name)")
    out += [f"{path.name}: unknown key {k!r}" for k in sorted(set(data) - _FILE_KEYS)]
    if not 2 <= len(data["cases"]) <= 8:
        out.append(f"{path.name}: has {len(data['cases'])} cases; write 2 to 8")
    seen: set[str] = set()
    for i, case in enumerate(data["cases"], start=1):
        where = f"{path.name}: case #{i} ({case.get('id')!r})"
        if not case.get("id"):
            out.append(f"{where}: missing 'id'")
        elif case["id"] in seen:
            out.append(f"{where}: duplicate id")
        seen.add(case.get("id"))
        out += [f"{where}: unknown key {k!r}" for k in sorted(set(case) - _CASE_KEYS)]
        for key, allowed in (
            ("finding", _FINDING_KEYS),
            ("project", _PROJECT_KEYS),
            ("expect", _EXPECT_KEYS),
        ):
            part = case.get(key) or {}
            if not isinstance(part, dict):
                out.append(f"{where}: '{key}' must be a mapping")
                continue
            out += [f"{where}: {key}: unknown key {k!r}" for k in sorted(set(part) - allowed)]
        finding, expect = case.get("finding") or {}, case.get("expect") or {}
        for key in ("kind", "relation"):
            if not finding.get(key):
                out.append(f"{where}: finding: missing {key!r}")
        if "verdict" not in expect or "rule_id" not in expect:
            out.append(f"{where}: expect needs 'verdict' and 'rule_id' (null when no rule applies)")
        named = [expect.get("rule_id"), *expect.get("matched", []), *expect.get("not_matched", [])]
        out += [f"{where}: names unknown rule {c!r}" for c in named if c and c not in codes]
    return out


@pytest.mark.parametrize(("path", "rule", "case"), _all_cases())
def test_rule_case(path: Path, rule: str, case: dict[str, Any]) -> None:
    finding = case["finding"]
    spec = case.get("project") or {}
    expect = case["expect"]
    project = make_project(spec.get("industry"), spec.get("tags"), spec.get("action"))
    decision = evaluate(
        _catalog_for(path),
        finding["kind"],
        finding.get("zone_class"),
        finding["relation"],
        project,
        finding.get("distance_m"),
    )
    matched = [r.code for r in decision.matched]
    got = f"got {decision.verdict} by {decision.rule_id or '(no rule)'}; matched {matched}"
    assert decision.verdict == expect["verdict"], got
    assert decision.rule_id == (expect["rule_id"] or ""), got
    missing = [c for c in expect.get("matched", []) if c not in matched]
    assert not missing, f"expected {missing} among the matched rules; {got}"
    unwanted = [c for c in expect.get("not_matched", []) if c in matched]
    assert not unwanted, f"expected {unwanted} not to match; {got}"
    if "question" in expect:
        if expect["question"]:
            assert expect["question"] in decision.question_zh, f"question {decision.question_zh!r}; {got}"
        else:
            assert decision.question_zh == "", f"expected no question, got {decision.question_zh!r}; {got}"


def test_case_files_are_well_formed() -> None:
    problems = [p for path in _case_files() for p in _problems(path, _load(path))]
    assert not problems, "\n".join(problems)


def test_every_rule_has_a_case_file() -> None:
    files = {p.stem for p in CASES_DIR.glob("*.yaml")}
    missing = [code for code in national_catalog().rules if code not in files]
    assert not missing, f"rules without a case file in {CASES_DIR}: {missing}"
    for name in bundled_catalog_names():
        own = [r.code for r in catalog_with([bundled_catalog_path(name)]) if r.catalog == name]
        files = {p.stem for p in (CASES_DIR / name).glob("*.yaml")}
        missing = [code for code in own if code not in files]
        assert not missing, f"{name} rules without a case file in {CASES_DIR / name}: {missing}"


def test_every_case_file_names_an_existing_rule() -> None:
    orphans = [p.name for p in _case_files() if _load(p).get("rule") not in _catalog_for(p).rules]
    assert not orphans, f"case files naming no rule of the catalogue: {orphans}"


def test_each_rule_decides_one_of_its_cases_and_has_a_negative_case() -> None:
    problems = []
    for path in _case_files():
        data = _load(path)
        rule, cases = data.get("rule"), data["cases"]
        if not any((c.get("expect") or {}).get("rule_id") == rule for c in cases):
            problems.append(f"{path.name}: no case where {rule} is the deciding rule")
        if not any(rule in (c.get("expect") or {}).get("not_matched", []) for c in cases):
            problems.append(f"{path.name}: no negative case (with {rule} in not_matched)")
    assert not problems, "\n".join(problems)
