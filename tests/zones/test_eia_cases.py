"""Run the 名录 case files ``tests/zones/eia_cases/<family>.yaml`` (one per 一级类别) against the 2021 edition.

Each file holds cases for the rows of one family::

    family: 41
    name: 电力、热力生产和供应业
    cases:
      - id: wind_60mw_in_water_source
        industry: D4415            # codes or names; or items: [90]
        facts: {装机容量: 6万千瓦}
        touch: [饮用水水源保护区]   # sensitive types the site touches (near: [...] for zones only near it)
        action: new
        expect: report
        row: 90                    # the deciding row (null when no row decides)
    sensitivity:                   # every row whose answer depends on 涉及环境敏感区
      - {row: 90, industry: D4415, facts: {装机容量: 6万千瓦}, touch: report, miss: form}

For each ``sensitivity`` entry the test builds hits group by group: a type the row counts must give
``touch``; a type of the same group the row does not count, or no zone at all, must give ``miss``;
a counted zone that is only near the site leaves the answer open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from redline.zones.eia import SensitiveHit, decide, load_edition
from redline.zones.eia.sensitive import GROUPS

CASES_DIR = Path(__file__).parent / "eia_cases"
EDITION = "2021"
_CASE_KEYS = {"id", "industry", "items", "facts", "touch", "near", "action", "expect", "row", "asks", "why"}
_SENS_KEYS = {"row", "industry", "items", "facts", "action", "touch", "miss", "why"}


def _files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text("utf-8"))


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _hits(names: list[str], relation: str = "inside") -> list[SensitiveHit]:
    scheme = load_edition(EDITION).scheme
    return [SensitiveHit("case", n, scheme.get(n).group, f"Z{i}", n, relation) for i, n in enumerate(names)]


def _decide(case: dict[str, Any], hits: list[SensitiveHit]):
    return decide(
        EDITION,
        [str(c) for c in _list(case.get("industry"))],
        case.get("facts") or {},
        hits,
        action=case.get("action", "new"),
        items=_list(case.get("items")),
    )


def _params(section: str) -> list[Any]:
    """Return one pytest param per entry of ``section`` (``cases`` or ``sensitivity``) of every file."""
    out = []
    for path in _files():
        for entry in _load(path).get(section) or []:
            name = entry.get("id") if section == "cases" else f"row{entry.get('row')}"
            out.append(pytest.param(entry, id=f"{path.stem}::{name}"))
    return out


def test_one_file_per_family_and_well_formed():
    ed = load_edition(EDITION)
    families = {r.family: r.family_name for r in ed.rows.values()}
    seen_rows: set[int] = set()
    sens_rows: set[int] = set()
    problems = []
    for path in _files():
        data = _load(path)
        fam = data.get("family")
        if path.stem != f"{fam:02d}":
            problems.append(f"{path.name}: family {fam} (file must be named {fam:02d}.yaml)")
        ids = [c.get("id") for c in data.get("cases") or []]
        if len(ids) != len(set(ids)):
            problems.append(f"{path.name}: duplicate case ids")
        for case in data.get("cases") or []:
            problems += [f"{path.name}::{case.get('id')}: unknown key {k!r}" for k in set(case) - _CASE_KEYS]
            if case.get("row") is not None:
                seen_rows.add(int(case["row"]))
        for entry in data.get("sensitivity") or []:
            problems += [
                f"{path.name}: sensitivity row {entry.get('row')}: unknown key {k!r}" for k in set(entry) - _SENS_KEYS
            ]
            sens_rows.add(int(entry["row"]))
    assert not problems, problems
    assert {int(p.stem) for p in _files()} == set(families), "one case file per 一级类别"
    assert seen_rows == set(ed.rows), f"rows without a case deciding them: {sorted(set(ed.rows) - seen_rows)}"
    depends = {n for n, r in ed.rows.items() if r.depends_on_sensitivity}
    assert len(depends) == 51
    assert sens_rows == depends, f"missing {sorted(depends - sens_rows)}, extra {sorted(sens_rows - depends)}"


@pytest.mark.parametrize("case", _params("cases"))
def test_case(case):
    hits = _hits(_list(case.get("touch"))) + _hits(_list(case.get("near")), "near")
    answer = _decide(case, hits)
    assert answer.category == case["expect"], answer.text()
    assert answer.edition == EDITION and answer.source
    if "row" in case:
        want = case["row"]
        if want is None:
            assert answer.item == "", answer.text()
        else:
            assert answer.item.startswith(f"名录第{want}项"), answer.text()
    for fact in _list(case.get("asks")):
        assert fact in {q.fact for q in answer.questions}, answer.text()
    if answer.category == "undetermined":
        assert answer.questions and answer.candidates, answer.text()
    else:
        assert answer.basis and not answer.questions


def _counted_and_not(row_types: frozenset[str], group: str) -> tuple[list[str], list[str]]:
    scheme = load_edition(EDITION).scheme
    in_group = sorted(scheme.group_types(group))
    counted = [t for t in in_group if t in row_types]
    others = [t for t in in_group if t not in row_types and not any(t in scheme.ancestors(c) for c in row_types)]
    return counted, others


@pytest.mark.parametrize("entry", _params("sensitivity"))
def test_sensitivity_by_group(entry):
    ed = load_edition(EDITION)
    row = ed.rows[entry["row"]]
    case = {**entry, "items": _list(entry.get("items")) or [row.number]}
    touch, miss = entry["touch"], entry["miss"]
    assert touch != miss
    assert _decide(case, []).category == miss
    checked = 0
    for group in GROUPS:
        counted, others = _counted_and_not(row.scope.base, group)
        for t in counted:
            answer = _decide(case, _hits([t]))
            assert answer.category == touch, f"{t}: {answer.text()}"
            assert any(z.type == t for z in answer.zones) or answer.category == "undetermined"
            checked += 1
        for t in others:
            assert _decide(case, _hits([t])).category == miss, t
        if counted:
            assert _decide(case, _hits(counted[:1], "near")).category == "undetermined"
    assert checked
