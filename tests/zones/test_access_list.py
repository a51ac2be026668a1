"""Access lists (生态环境准入清单): reading, validation, clause forms and their verdicts."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely import Point, box

from redline.checks.screen import check_site
from redline.zones.access_list import DIMENSIONS, access_list_from_frame, validate_access_frame
from redline.zones.errors import RuleError
from redline.zones.project import make_project
from tests.conftest import write_layerset

KEY, GENERAL, PRIORITY = "ZH45072120001", "ZH45072130001", "ZH45072110001"
UNITS = [
    (PRIORITY, "priority", box(109.20, 22.20, 109.30, 22.30)),
    (KEY, "key", box(109.30, 22.20, 109.40, 22.30)),
    (GENERAL, "general", box(109.40, 22.20, 109.50, 22.30)),
]
ROWS = [
    # unit_code, dimension, clause, verdict, industries, tags, actions, unless_industries
    (KEY, "空间布局约束", "园区内禁止引入化学制浆项目。", "prohibited", "C2211", "", "", ""),
    (KEY, "空间布局约束", "禁止新建电镀项目（电镀集中区除外）。", "prohibited", "C3360", "", "new", ""),
    (KEY, "污染物排放管控", "新建项目主要污染物排放执行特别排放限值。", "", "", "", "", ""),
    (KEY, "环境风险防控", "涉重金属企业须编制突发环境事件应急预案。", "restricted", "涉重金属", "", "", ""),
    (PRIORITY, "空间布局约束", "禁止新建工业项目，生态旅游除外。", "prohibited", "B;C;D", "", "", ""),
    ("general", "空间布局约束", "一般管控单元执行区域生态环境保护的基本要求。", "", "", "", "", ""),
    ("*", "资源开发效率要求", "新建项目单位产品水耗达到国内先进水平。", "", "", "", "", ""),
    ("*", "环境风险防控", "设置排污口的项目须开展环境风险评估。", "review", "", "sets_outfall", "", ""),
]


def frame(rows=ROWS) -> pd.DataFrame:
    cols = ["unit_code", "dimension", "clause", "verdict", "industries", "tags", "actions", "unless_industries"]
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture
def unit_layers(tmp_path):
    from redline.layers import load_layerset

    folder = tmp_path / "units"
    folder.mkdir()
    frame().to_csv(folder / "access_list.csv", index=False, encoding="gbk")
    manifest = write_layerset(
        folder, {"control_unit": UNITS}, extra={"control_unit": {"access_list": "access_list.csv"}}
    )
    return load_layerset(manifest)


def test_clause_ids_number_per_unit_and_dimension():
    access = access_list_from_frame(frame(), "list.csv")
    ids = [c.clause_id for c in access.clauses]
    assert ids[:4] == [
        f"{KEY}/空间布局约束/1",
        f"{KEY}/空间布局约束/2",
        f"{KEY}/污染物排放管控/1",
        f"{KEY}/环境风险防控/1",
    ]
    assert access.clauses[5].unit_code == "general"


def test_for_unit_gathers_own_class_and_general_clauses_in_dimension_order():
    access = access_list_from_frame(frame(), "list.csv")
    general = access.for_unit(GENERAL, "general")
    assert [c.text for c in general] == [ROWS[5][2], ROWS[7][2], ROWS[6][2]]
    key = access.for_unit(KEY, "key")
    assert [DIMENSIONS.index(c.dimension) for c in key] == sorted(DIMENSIONS.index(c.dimension) for c in key)
    assert len(key) == 6


def test_electroplating_in_key_unit_is_prohibited_citing_the_clause(unit_layers):
    r = check_site(Point(109.35, 22.25), unit_layers, industry="C3360")
    f = r.findings.iloc[0]
    assert (f["verdict"], f["rule_id"]) == ("prohibited", f"{KEY}/空间布局约束/2")
    # (issue 16: the basis cites the law and where the clause is; the clause's words are the rule text)
    assert f["basis"].startswith("《中华人民共和国生态环境法典》第六十七条")
    assert f"{KEY} 空间布局约束 第2条" in f["basis"]
    assert f["rule_text"] == "禁止新建电镀项目（电镀集中区除外）。"
    assert f"{KEY}/环境风险防控/1" in f["matched_rules"]  # 涉重金属 group clause matched too
    assert [c.clause_id for c in r.access_lists[KEY]][:2] == [f"{KEY}/空间布局约束/1", f"{KEY}/空间布局约束/2"]


def test_same_project_in_general_unit_is_judged_against_the_whole_list(unit_layers):
    # (issue 17: every clause is judged from its text; none binds an electroplating plant here, so
    # the list answers CU04's question and the finding is clear, with the whole list kept)
    r = check_site(Point(109.45, 22.25), unit_layers, industry="C3360")
    f = r.findings.iloc[0]
    assert f["verdict"] == "clear" and "逐条判定" in f["explanation"]
    assert f["rule_id"] == "CU04"
    assert [c.text for c in r.access_lists[GENERAL]] == [ROWS[5][2], ROWS[7][2], ROWS[6][2]]


def test_action_condition(unit_layers):
    r = check_site(Point(109.35, 22.25), unit_layers, industry="C3360", action="expand")
    f = r.findings.iloc[0]
    assert f["rule_id"] == f"{KEY}/环境风险防控/1" and f["verdict"] == "restricted"


def test_section_prefix_and_tag_clauses(unit_layers):
    r = check_site(Point(109.25, 22.25), unit_layers, industry="C1811")
    assert r.findings.iloc[0]["rule_id"] == f"{PRIORITY}/空间布局约束/1"
    r = check_site(Point(109.45, 22.25), unit_layers, tags=["sets_outfall"])
    f = r.findings.iloc[0]
    assert f["verdict"] == "review" and f["rule_id"] == "*/环境风险防控/1"


def test_unstructured_clauses_are_never_dropped(unit_layers):
    r = check_site(Point(109.35, 22.25), unit_layers)
    texts = [c.text for c in r.access_lists[KEY]]
    assert ROWS[2][2] in texts and ROWS[6][2] in texts
    # a project of no industry: the clauses that name industries cannot bind it, but 「新建项目…执行特别
    # 排放限值」 is an obligation on every new project, which a reviewer must check (issue 17: never clear)
    assert r.findings.iloc[0]["verdict"] == "review"


def test_validation_lists_every_problem_with_rows():
    bad = frame(
        [
            (KEY, "空间布局", "ok clause", "prohibited", "C3360", "", "", ""),
            (KEY, "噪声", "x", "maybe", "C9999", "nosuch", "build", ""),
            ("", "环境风险防控", "", "", "C26", "", "", ""),
        ]
    )
    problems = validate_access_frame(bad, "list.csv")
    text = "\n".join(problems)
    for piece in (
        "row 3: unknown dimension '噪声'",
        "row 3: bad verdict 'maybe'",
        "row 3: industries: 'C9999'",
        "row 3: tags: unknown tag 'nosuch'",
        "row 3: actions: unknown action 'build'",
        "row 4: empty unit_code",
        "row 4: empty clause text",
        "row 4: conditions given but no verdict",
    ):
        assert piece in text
    with pytest.raises(RuleError, match=r"access list 'list.csv' has 8 problem\(s\)"):
        access_list_from_frame(bad, "list.csv")


def test_missing_columns():
    with pytest.raises(RuleError, match=r"missing column.*dimension, clause"):
        access_list_from_frame(pd.DataFrame({"unit_code": ["x"]}), "t.csv")


def test_an_unknown_dimension_in_the_layer_sets_list_is_kept_with_a_warning(tmp_path):
    # (issue 17: a dimension name the tool does not know is its own dimension, never refused or dropped)
    from redline.layers import load_layerset

    folder = tmp_path / "u"
    folder.mkdir()
    frame([(KEY, "噪声", "x", "", "", "", "", "")]).to_csv(folder / "al.csv", index=False)
    manifest = write_layerset(folder, {"control_unit": UNITS}, extra={"control_unit": {"access_list": "al.csv"}})
    with pytest.warns(UserWarning, match="噪声"):
        layers = load_layerset(manifest)
    (units,) = layers.layers
    assert [(c.dimension, c.text) for c in units.access.clauses] == [("噪声", "x")]


def test_xlsx_access_list(tmp_path):
    from redline.layers import load_layerset

    folder = tmp_path / "x"
    folder.mkdir()
    frame().to_excel(folder / "al.xlsx", index=False)
    manifest = write_layerset(folder, {"control_unit": UNITS}, extra={"control_unit": {"access_list": "al.xlsx"}})
    layer = load_layerset(manifest).layers[0]
    assert len(layer.access) == len(ROWS)
    assert layer.access_fingerprint.startswith("sha256:")


def test_english_dimension_aliases_and_class_scope_words():
    access = access_list_from_frame(frame([("重点管控", "spatial_layout", "t", "", "", "", "", "")]), "a.csv")
    assert access.clauses[0].unit_code == "key" and access.clauses[0].dimension == "空间布局约束"
    assert access.for_unit("ZHX", "key")[0].text == "t"


def test_structured_clause_matching_rules():
    access = access_list_from_frame(frame(), "list.csv")
    plating = access.clauses[1]
    assert plating.applies_to_project(make_project("C3360", action="new"))
    assert not plating.applies_to_project(make_project("C3360", action="rebuild"))
    assert not plating.applies_to_project(make_project("C2614"))
    assert not access.clauses[2].applies_to_project(make_project("C3360"))  # unstructured: never "matches"


@pytest.mark.parametrize(
    ("row", "project", "applies"),
    [
        # verdict only: every project
        (("*", "空间布局约束", "禁止一切开发建设活动", "prohibited", "", "", "", ""), ("A0141", "", "new"), True),
        # industry prefix: C33 covers C3360
        (("*", "空间布局约束", "限制金属制品业", "restricted", "C33", "", "", ""), ("C3360", "", "new"), True),
        (("*", "空间布局约束", "限制金属制品业", "restricted", "C33", "", "", ""), ("C2614", "", "new"), False),
        # policy group
        (("*", "空间布局约束", "禁止新建两高项目", "prohibited", "两高", "", "new", ""), ("C3011", "", "new"), True),
        (
            ("*", "空间布局约束", "禁止新建两高项目", "prohibited", "两高", "", "new", ""),
            ("C3011", "", "rebuild"),
            False,
        ),
        # tags
        (
            ("*", "环境风险防控", "排污口须论证", "review", "", "sets_outfall", "", ""),
            ("", "sets_outfall", "new"),
            True,
        ),
        # unless_industries: industrial projects except water supply works
        (
            ("*", "空间布局约束", "禁止工业项目（供水除外）", "prohibited", "B;C;D", "", "", "D46"),
            ("D4610", "", "new"),
            False,
        ),
        (
            ("*", "空间布局约束", "禁止工业项目（供水除外）", "prohibited", "B;C;D", "", "", "D46"),
            ("D4411", "", "new"),
            True,
        ),
    ],
)
def test_clause_forms(row, project, applies):
    access = access_list_from_frame(frame([row]), "forms.csv")
    industry, tags, action = project
    assert access.clauses[0].applies_to_project(make_project(industry or None, tags or None, action)) is applies


def test_unless_tags_column():
    df = frame([("*", "空间布局约束", "禁止新建工业项目，生态旅游除外", "prohibited", "B;C", "", "", "")])
    df["unless_tags"] = ["ecotourism"]
    clause = access_list_from_frame(df, "t.csv").clauses[0]
    assert clause.applies_to_project(make_project("C1811"))
    assert not clause.applies_to_project(make_project("C1811", "ecotourism"))


def test_every_clause_carries_an_interpretation_and_judges_a_project():
    from redline.zones.access_text import Place

    access = access_list_from_frame(frame(), "list.csv")
    structured, loose = access.clauses[1], access.clauses[2]
    assert structured.interpretation.source == "structured"
    assert structured.judge(make_project("C3360"), Place()).verdict == "prohibited"
    assert structured.judge(make_project("C3360", action="rebuild")).verdict == "clear"
    assert loose.interpretation.source == "text" and loose.interpretation.verdict == "condition"
    judged = loose.judge(make_project("C3360"))  # 「新建项目…执行…」 binds every new project
    assert (judged.applies, judged.verdict, judged.conformity) == ("yes", "review", "需论证")
    assert loose.judge(make_project("C3360", action="rebuild")).verdict == "clear"


def test_the_explanation_table_lists_every_clause_with_its_reading():
    from redline.zones.access_explain import EXPLAIN_COLUMNS, JUDGE_COLUMNS, explain_access_list, problems_frame

    access = access_list_from_frame(frame(), "list.csv")
    table = explain_access_list(access)
    assert list(table.columns) == list(EXPLAIN_COLUMNS) and len(table) == len(ROWS)
    assert table.loc[1, "read_by"] == "structured" and "C3360" in table.loc[1, "industries"]
    judged = explain_access_list(access, make_project("C3360"), unit=(KEY, "key", None))
    assert list(judged.columns)[-len(JUDGE_COLUMNS) :] == list(JUDGE_COLUMNS)
    assert judged.loc[judged["clause_id"] == f"{KEY}/空间布局约束/2", "judgement"].item() == "prohibited"
    problems = problems_frame(access)
    assert list(problems["check"]) == ["scope_unmatched"] and problems.loc[0, "scope"] == "general"  # no class column


def test_for_unit_brings_referenced_requirements_in_with_via():
    from redline.zones.access_build import build_access_list

    table = pd.DataFrame(
        {
            "scope": [KEY, "灵山县", "灵山县"],
            "county": ["灵山县", "", ""],
            "unit_class": ["重点管控单元", "", ""],
            "dimension": ["空间布局约束", "空间布局约束", "资源开发效率要求"],
            "text": ["1.禁止新建电镀项目。2.执行浦北县总体管控要求。", "禁止新建化工项目。", "新建项目须清洁生产。"],
        }
    )
    access = build_access_list(table, "t.xlsx")
    clauses = access.for_unit(KEY, "key")
    assert [c.clause_id for c in clauses] == [
        f"{KEY}/空间布局约束/1",
        f"{KEY}/空间布局约束/2",
        "灵山县/空间布局约束/1",
        "灵山县/资源开发效率要求/1",
    ]
    assert [p.check for p in access.problems()] == ["reference_unresolved"]
