"""Access lists as bureaus publish them (tests/data/access_lists/, made by make_fixtures.py) read into clauses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from redline.layers.access_tables import read_access_list, read_access_table, read_corrections
from redline.zones.access_text import Place
from redline.zones.errors import RuleError
from redline.zones.project import make_project

DATA = Path(__file__).resolve().parents[1] / "data" / "access_lists"
PARK, TOWN, GENERAL, PRIORITY = "ZH45072120001", "ZH45072120002", "ZH45072130001", "ZH45072110001"


def ids(clauses):
    return [c.clause_id for c in clauses]


@pytest.fixture(scope="module")
def wide():
    return read_access_list(DATA / "lingshan_wide.xlsx")


def test_wide_xlsx_with_merged_two_row_header_and_provincial_dimension_names(wide):
    park = wide.for_unit(PARK, "key")
    own = [c for c in park if c.unit_code == PARK]
    assert ids(own) == [
        f"{PARK}/空间布局约束/1",
        f"{PARK}/空间布局约束/2",
        f"{PARK}/污染物排放管控/(1)",
        f"{PARK}/污染物排放管控/(2)",
        f"{PARK}/环境风险防控/①",
        f"{PARK}/环境风险防控/②",
        f"{PARK}/资源开发效率要求/1",
    ]
    assert own[0].dimension_label == "区域布局管控" and own[-1].dimension_label == "能源资源利用"
    assert own[0].text == "禁止新建、扩建化学制浆、电镀、鞣革项目。"
    assert (own[0].sheet, own[0].row) == ("单元清单", 5)
    assert wide.units[PARK].class_text == "产业集聚类重点管控单元" and wide.units[PARK].county == "灵山县"


def test_the_issue_case_is_prohibited_from_the_list_text(wide):
    clause = wide.for_unit(PARK, "key")[0]
    assert clause.judge(make_project("C3360"), Place()).verdict == "prohibited"
    assert not clause.structured and clause.interpretation.source == "text"


def test_slash_and_wu_cells_are_no_clause_and_one_cell_keeps_its_exception(wide):
    priority = [c for c in wide.clauses if c.unit_code == PRIORITY]
    assert [c.dimension for c in priority] == ["空间布局约束", "空间布局约束", "资源开发效率要求"]
    assert priority[0].text.endswith("确实无法避让的线性基础设施除外")


def test_county_class_and_subtype_scopes_reach_their_units(wide):
    park = wide.for_unit(PARK, "key")
    scopes = {c.unit_code for c in park}
    assert {"灵山县", "产业集聚类重点管控单元"} <= scopes
    town = {c.unit_code for c in wide.for_unit(TOWN, "key")}
    assert "产业集聚类重点管控单元" not in town and "灵山县" in town
    general = wide.for_unit(GENERAL, "general")
    assert ids(general)[:2] == [f"{GENERAL}/空间布局约束/1", "general/空间布局约束/1"]
    assert general[0].interpretation.reference == "一般管控单元"


def test_total_sheet_numbers_are_printed_chinese_numerals(wide):
    county = [c for c in wide.clauses if c.unit_code == "灵山县"]
    assert ids(county)[:2] == ["灵山县/空间布局约束/一", "灵山县/空间布局约束/二"]


def test_problems_name_the_skipped_sheet_and_the_scope_that_reaches_no_unit(wide):
    problems = {p.check: p for p in wide.problems()}
    assert set(problems) == {"sheet_skipped", "scope_unmatched"}
    assert problems["scope_unmatched"].scope == "浦北县" and problems["scope_unmatched"].sheet == "总体管控要求"
    assert "说明" in problems["sheet_skipped"].message


def test_layer_units_without_a_clause_and_unknown_unit_codes_are_reported(wide):
    units = [(PARK, "key", {}), ("ZH45072130099", "general", {}), ("ZH45099920009", "key", {})]
    checks = [(p.check, p.scope) for p in wide.problems(units)]
    assert ("scope_unmatched", PRIORITY) in checks  # a unit row for no unit of the layer
    assert ("unit_without_clause", "ZH45099920009") in checks  # another county, no class-wide clause
    assert ("unit_without_clause", "ZH45072130099") not in checks  # the general class and 灵山县 bind it
    assert ("scope_unmatched", "浦北县") in checks


def test_long_csv_with_chinese_headers_hangzhou_names_and_an_area_code():
    access = read_access_list(DATA / "hangzhou_long.csv")
    unit = "ZH33011020001"
    clauses = access.for_unit(unit, "key")
    assert [(c.dimension, c.dimension_label) for c in clauses] == [
        ("空间布局约束", "空间布局引导"),
        ("空间布局约束", "空间布局引导"),
        ("环境风险防控", "环境风险管控"),
        ("资源开发效率要求", "资源开发效率要求"),
    ]
    assert clauses[-1].unit_code == "330110" and clauses[-1].scope.kind == "area"
    noise = [c for c in access.clauses if c.dimension == "噪声管控"]
    assert len(noise) == 1 and noise[0].text == "禁止夜间施工。"
    assert [p.check for p in access.problems()] == ["unknown_dimension"]


def test_docx_tables_under_captions():
    access = read_access_list(DATA / "lingshan_tables.docx")
    county = [c for c in access.clauses if c.scope.kind == "area"]
    assert {c.unit_code for c in county} == {"灵山县"} and county[0].sheet == "附表3 灵山县总体管控要求"
    assert "灵山县/资源开发效率要求/1" in ids(access.for_unit(PRIORITY, "priority"))
    assert access.problems() == []


def test_xls_with_guizhou_names():
    access = read_access_list(DATA / "guizhou_wide.xls")
    labels = {c.dimension_label: c.dimension for c in access.clauses}
    assert labels["布局约束"] == "空间布局约束"
    assert labels["资源利用效率与能源开发效率"] == "资源开发效率要求"
    assert {p.check for p in access.problems()} == {"reference_unresolved"}


def test_a_mapping_names_unusual_headers_and_a_refusal_says_what_to_add(tmp_path):
    path = tmp_path / "odd.csv"
    pd.DataFrame({"单元": ["ZH45072120001"], "布局": ["禁止新建电镀项目"], "排放": ["/"]}).to_csv(
        path, index=False, encoding="utf-8-sig"
    )
    with pytest.raises(RuleError) as err:
        read_access_list(path)
    message = str(err.value)
    assert "sheet 'odd'" in message and "looked at row 1 (单元 | 布局 | 排放)" in message
    assert "access_list_columns" in message
    access = read_access_list(path, columns={"unit_code": "单元", "空间布局约束": "布局", "污染物排放管控": ["排放"]})
    assert ids(access.clauses) == ["ZH45072120001/空间布局约束/1"]


def test_sheets_are_chosen_and_scoped(tmp_path):
    table, problems = read_access_table(DATA / "lingshan_wide.xlsx", sheets={"总体管控要求": "灵山县"})
    assert set(table["sheet"]) == {"总体管控要求"} and problems == []
    with pytest.raises(RuleError, match=r"has no sheet '附表9'; its sheets are '单元清单', '总体管控要求', '说明'"):
        read_access_table(DATA / "lingshan_wide.xlsx", sheets=["附表9"])


def test_corrections_beside_the_list_win_over_the_interpreter(tmp_path):
    import shutil

    path = tmp_path / "list.xlsx"
    shutil.copy(DATA / "lingshan_wide.xlsx", path)
    (tmp_path / "list.corrections.yaml").write_text(
        "corrections:\n"
        f"  {PARK}/空间布局约束/2: {{verdict: restricted, industries: [C26], note: 审查人：限制化工}}\n"
        "  nosuch/空间布局约束/1: {verdict: informational}\n",
        "utf-8",
    )
    access = read_access_list(path)
    fixed = next(c for c in access.clauses if c.clause_id == f"{PARK}/空间布局约束/2")
    assert fixed.interpretation.source == "corrections" and fixed.verdict == "restricted"
    assert fixed.judge(make_project("C2614")).verdict == "restricted"
    assert "correction_unmatched" in {p.check for p in access.problems()}
    assert read_corrections(tmp_path / "list.corrections.yaml")["nosuch/空间布局约束/1"] == {"verdict": "informational"}


def test_the_old_long_csv_reads_with_its_structured_columns():
    # the sample's former list: the tool's long format, UTF-8 with BOM, structured columns
    access = read_access_list(Path(__file__).resolve().parents[1] / "data" / "access_lists" / "access_list_long.csv")
    plating = access.for_unit("ZH45072120001", "key")[0]
    assert plating.structured and plating.interpretation.source == "structured"
    assert plating.applies_to_project(make_project("C3360"))
    assert len(access) == 86  # 82 rows; the four list-wide rows with two sentences each are cut in two


def test_area_fields_of_the_layer_reach_area_scopes():
    table = pd.DataFrame(
        {"scope": ["UNIT-1", "灵山县"], "dimension": ["空间布局约束"] * 2, "text": ["/", "禁止新建化工项目。"]}
    )
    from redline.zones.access_build import build_access_list

    access = build_access_list(table, "t.csv", area_fields=["XZQMC"])
    assert ids(access.for_unit("UNIT-1", "key", {"XZQMC": "灵山县"})) == ["灵山县/空间布局约束/1"]
    assert access.for_unit("UNIT-1", "key", {"OTHER": "灵山县"}) == []
