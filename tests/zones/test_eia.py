"""The 名录 as a catalogue and the decision "which EIA document" (redline.zones.eia)."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from redline.zones.eia import (
    EiaTableError,
    SensitiveHit,
    decide,
    default_edition,
    editions,
    explain,
    hit_for_kind,
    load_edition,
    parse_quantity,
)
from redline.zones.eia.sensitive import parse_scope
from redline.zones.errors import RuleError
from redline.zones.industry import lookup
from redline.zones.kinds import KINDS

ED = "2021"


def _farmland() -> SensitiveHit:
    return hit_for_kind(ED, "basic_farmland", "BF-1", "某村永久基本农田")


def _water() -> SensitiveHit:
    return hit_for_kind(ED, "water_source", "WS-1", "某水库", zone_class="second")


def _names_edition_and_source(answer) -> None:
    assert answer.edition == ED
    assert "建设项目环境影响评价分类管理名录（2021年版）" in answer.source
    assert "Fungwingwaa/cee" in answer.source and answer.source_en
    assert f"名录版本: {ED}" in answer.text()


# --------------------------------------------------------------------------- the "done when"


def test_hotel_over_basic_farmland_needs_a_form():
    answer = decide(ED, ["K7010"], sensitive=[_farmland()])
    assert answer.category == "form"
    assert answer.item.startswith("名录第97项 房地产开发")
    assert "永久基本农田" in answer.basis and "BF-1" in answer.basis and "涉及环境敏感区的" in answer.basis
    assert [z.zone_id for z in answer.zones] == ["BF-1"]
    _names_edition_and_source(answer)


def test_hotel_in_a_general_control_unit_needs_nothing():
    unit = hit_for_kind(ED, "control_unit", "CU-9", "一般管控单元", zone_class="general")
    assert unit is None
    answer = decide(ED, ["K7010"], sensitive=[])
    assert answer.category == "none"
    assert answer.item.startswith("名录第97项")
    assert "未涉及本栏目环境敏感区" in answer.basis
    _names_edition_and_source(answer)


def test_paper_mill_needs_a_report():
    answer = decide(ED, ["C2221"])
    assert (answer.category, answer.rows) == ("report", (37,))
    assert "全部（手工纸、加工纸制造除外）" in answer.basis
    _names_edition_and_source(answer)


def test_cement_plant_needs_a_report_and_says_what_it_presumed():
    answer = decide(ED, ["C3011"])
    assert answer.category == "report" and answer.item.startswith("名录第54项")
    assert "水泥制造（水泥粉磨站除外）" in answer.basis
    assert any("水泥粉磨站" in a.zh for a in answer.assumptions)
    assert decide(ED, ["C3011"], {"类型": "水泥粉磨站"}).category == "form"
    _names_edition_and_source(answer)


def test_wind_farm_60mw_report_in_water_source_form_outside():
    inside = decide(ED, ["D4415"], {"装机容量": "6万千瓦"}, [_water()])
    assert inside.category == "report" and inside.item.startswith("名录第90项")
    assert "饮用水水源保护区" in inside.basis and "装机容量 6万千瓦 ≥ 5万千瓦" in inside.basis
    outside = decide(ED, ["D4415"], {"装机容量": "6万千瓦"}, [])
    assert outside.category == "form" and outside.item.startswith("名录第90项")
    assert "其他风力发电" in outside.basis and "未涉及本栏目环境敏感区" in outside.basis
    for answer in (inside, outside):
        _names_edition_and_source(answer)


def test_missing_fact_is_undetermined_with_candidates_and_the_question():
    answer = decide(ED, ["A0313"])
    assert answer.category == "undetermined"
    assert answer.basis.startswith("待定：若「年出栏生猪5000头")
    assert [c.category for c in answer.candidates] == ["report", "registration", "none"]
    assert {"年出栏生猪", "规模化养殖"} <= {q.fact for q in answer.questions}
    assert decide(ED, ["A0313"], {"年出栏生猪": "6000头"}).category == "report"


# --------------------------------------------------------------------------- articles: strictest, not listed


def test_cross_industry_takes_the_strictest_row_citing_article_4():
    answer = decide(ED, ["C2720", "C2710"])
    assert answer.category == "report"
    assert "第四条第二款" in answer.basis
    assert (
        "第四条第二款",
        "建设内容涉及本名录中两个及以上项目类别的建设项目，其环境影响评价类别按照其中单项等级最高的确定。",
    ) in answer.citations


def test_cross_industry_decided_even_if_a_lesser_part_is_open():
    answer = decide(ED, ["C3011", "A0313"], {"规模化养殖": "否", "年出栏生猪": 100})
    assert answer.category == "report"
    assert decide(ED, ["C3012", "A0313"]).category == "undetermined"


def test_industry_in_no_row_is_none_citing_article_5():
    answer = decide(ED, ["F5211"])
    assert answer.category == "none" and answer.item == ""
    assert "本名录未作规定的建设项目，不纳入建设项目环境影响评价管理" in answer.basis
    assert answer.citations[0][0] == "第五条"


def test_restriction_of_the_item_cites_article_5():
    answer = decide(ED, ["B1019"], {"类型": "河道采砂"})
    assert answer.category == "none" and "不含河道采砂项目" in answer.basis and "第五条" in answer.basis


def test_partial_code_asks_which_item():
    answer = decide(ED, ["N7820"])
    assert answer.category == "undetermined"
    assert any(q.key.startswith("item:") and "名录第105项" in q.text.zh for q in answer.questions)
    assert decide(ED, ["N7820"], {"日转运能力": "300吨"}, items=[105]).category == "form"


def test_starred_rows_apply_only_in_industrial_buildings():
    assert decide(ED, ["C2221"], {"工业建筑": "否"}).category == "none"
    assert any("说明4" in a.zh for a in decide(ED, ["C2221"]).assumptions)


def test_expansion_notes_new_scale_and_works_content():
    answer = decide(ED, ["A0313"], {"年出栏生猪": "6000"}, action="扩建")
    refs = " ".join(n.zh for n in answer.notes)
    assert "说明2" in refs and "第四条第三款" in refs


def test_screened_layers_note_the_row_types_not_covered():
    answer = decide(ED, ["K7010"], screened=["ecological_redline", "water_source", "basic_farmland", "nature_reserve"])
    note = " ".join(n.zh for n in answer.notes)
    assert "重要湿地" in note and "永久基本农田" not in note


# --------------------------------------------------------------------------- facts


@pytest.mark.parametrize(
    ("text", "unit", "value", "dim"),
    [
        ("6万千瓦", "", 60000.0, "power"),
        ("60 MW", "", 60000.0, "power"),
        ("1.5亿立方米", "", 1.5e8, "volume"),
        ("300亩", "", 200000.0, "area"),
        ("5000", "头", 5000.0, "count"),
        ("65吨/小时", "", 65.0, "steam"),
        ("1/4", "", 0.25, "ratio"),
        ("25%", "", 0.25, "ratio"),
        ("1万吨级", "", 10000.0, "tonnage"),
        ("10万吨/日", "", 100000.0, "mass"),
    ],
)
def test_quantities_parse_with_chinese_multipliers(text, unit, value, dim):
    q = parse_quantity(text, unit)
    assert (q.value, q.dim) == (pytest.approx(value), dim)


def test_fact_errors_name_the_parameter():
    with pytest.raises(RuleError) as exc:
        decide(ED, ["D4415"], {"装机功率": "6万千瓦"})
    assert exc.value.param == "facts" and "unknown fact" in str(exc.value)
    with pytest.raises(RuleError, match="is not in 千瓦、兆瓦"):
        decide(ED, ["D4415"], {"装机容量": "6万吨"})
    with pytest.raises(RuleError, match="水泥粉磨站"):
        decide(ED, ["C3011"], {"类型": "水泥粉磨"})
    with pytest.raises(RuleError, match="counted per 日"):
        decide(ED, ["D4620"], {"日处理能力": "5万吨/年"})


def test_fact_aliases_and_english_keys():
    a = decide(ED, ["D4415"], {"installed_capacity": "60MW"}, [_water()])
    b = decide(ED, ["D4415"], {"总装机容量": 60000}, [_water()])
    assert a.category == b.category == "report"


def test_plating_includes_anodising_by_note_6():
    assert decide(ED, ["C3360"], {"工艺": "阳极氧化"}).category == "report"


# --------------------------------------------------------------------------- sensitive areas


def test_layer_kinds_map_to_article_3_groups():
    assert (_water().type, _water().group) == ("饮用水水源保护区", "一")
    assert hit_for_kind(ED, "nature_reserve").group == "一"
    assert (hit_for_kind(ED, "ecological_redline").type, hit_for_kind(ED, "ecological_redline").group) == (
        "生态保护红线管控范围",
        "二",
    )
    assert _farmland().group == "二"
    for kind in ("control_unit", "urban_boundary", "industrial_park", "basin", "livestock_ban", "ecological_function"):
        assert hit_for_kind(ED, kind) is None
    assert set(load_edition(ED).scheme.kinds) <= set(KINDS)


def test_a_manifest_may_declare_a_sensitive_type_for_its_own_kind():
    hit = hit_for_kind(ED, "wetlands", "W1", declared={"group": 2, "type": "important_wetland"})
    assert (hit.type, hit.group, hit.kind) == ("重要湿地", "二", "wetlands")
    assert decide(ED, ["B0711"], {"类型": "无"}, [hit]).category == "report"
    with pytest.raises(RuleError) as exc:
        hit_for_kind(ED, "wetlands", declared={"group": "一", "type": "重要湿地"})
    assert exc.value.param == "sensitive_area"
    with pytest.raises(RuleError):
        hit_for_kind(ED, "x", declared={"type": "沼泽"})


def test_quasi_protection_zone_is_an_open_question():
    quasi = hit_for_kind(ED, "water_source", "WS-Q", zone_class="quasi")
    answer = decide(ED, ["D4415"], {"装机容量": "6万千瓦"}, [quasi])
    assert answer.category == "undetermined"
    assert any("准保护区" in q.text.zh for q in answer.questions)


def test_a_broad_type_is_open_for_a_row_naming_narrower_ones():
    park = SensitiveHit("parks", "自然公园", "二", "P1")
    assert decide(ED, ["K7010"], sensitive=[park]).category == "undetermined"
    assert decide(ED, ["K7010"], sensitive=[SensitiveHit("parks", "森林公园", "二")]).category == "form"
    assert decide(ED, ["K7010"], sensitive=[SensitiveHit("parks", "海洋公园", "二")]).category == "none"


def test_unknown_sensitive_type_names_the_parameter():
    with pytest.raises(RuleError) as exc:
        decide(ED, ["K7010"], sensitive=[SensitiveHit("x", "沼泽地", "二")])
    assert exc.value.param == "sensitive"


def test_every_row_scope_reads_from_its_verbatim_wording():
    ed = load_edition(ED)
    rows = [r for r in ed.rows.values() if r.sensitive_text]
    assert len(rows) == 51
    for r in rows:
        assert parse_scope(ed.scheme, r.sensitive_text) == r.scope
    assert ed.rows[122].scope.base >= {"永久基本农田"}  # 「基本农田保护区」
    assert ed.rows[97].scope.extra["标准厂房"] >= {"居住区", "行政办公区"}


# --------------------------------------------------------------------------- the catalogue


def test_editions_and_default():
    assert "2021" in editions() and default_edition() == "2021"
    ed = load_edition()
    assert ed.name == "2021" and len(ed.rows) == 173 and ed.status == "in_force"
    with pytest.raises(RuleError) as exc:
        load_edition("1999")
    assert exc.value.param == "edition"


def test_every_code_is_a_gbt4754_2017_code_and_printed_names_match():
    ed = load_edition(ED)
    # where the 名录 prints a narrower name, or the name with other brackets, than GB/T 4754-2017
    differ = {("C194", 31), ("C278", 49), ("D4415", 90), ("Q8432", 108), ("Q8433", 108), ("Q8434", 108)}
    for row in ed.rows.values():
        assert row.codes_from in ("printed", "text")
        for cm in row.codes:
            ind = lookup(cm.code)
            assert ind is not None and ind.code == cm.code, (row.number, cm.code)
            if row.codes_from == "printed" and (cm.code, row.number) not in differ:
                assert re.sub(r"\s", "", ind.name) + cm.code[1:] in re.sub(r"\s", "", row.item), (row.number, cm.code)
        if row.codes_from == "text":
            assert row.codes_note.startswith(("未印代码", "本项在来源中未印代码", "项目类别只在")), row.number


def test_table_is_shipped_verbatim():
    folder = resources.files("redline.zones").joinpath("data/minglu/2021")
    names = {p.name for p in folder.iterdir()}
    assert {"minglu.csv", "articles.md", "README.md", "conditions.yaml", "sensitive.yaml"} <= names
    ed = load_edition(ED)
    assert ed.rows[97].cell("form").text == "涉及环境敏感区的"
    assert ed.cite("not_listed")[1].startswith("第五条　本名录未作规定的建设项目")


@pytest.fixture
def edition_copy(tmp_path) -> Path:
    src = Path(str(resources.files("redline.zones").joinpath("data/minglu/2021")))
    dst = tmp_path / "2021"
    shutil.copytree(src, dst)
    return dst


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_copied_edition_loads_from_its_folder(edition_copy):
    ed = load_edition(edition_copy)
    assert len(ed.rows) == 173
    assert decide(ed, ["C3011"]).category == "report"


@pytest.mark.parametrize(
    ("file", "old", "new", "row"),
    [
        (
            "conditions.yaml",
            "{all: [{industry: C3011}, {unless: {type: 水泥粉磨站}}]}",
            "{all: [{industry: C3011}, {unles: x}]}",
            "row 54",
        ),
        ("conditions.yaml", "{fact: 装机容量, ge: 5万千瓦}", "{fact: 装机容量, ge: 5万吨}", "row 90"),
        ("conditions.yaml", 'text: "水泥制造（水泥粉磨站除外）"', 'text: "水泥制造"', "row 54"),
        ("conditions.yaml", "codes: [C301]", "codes: [C302]", "row 54"),
        ("conditions.yaml", "types: [第三条（一）, 第三条（三）]", "types: [第三条（一）]", "row 3"),
        (
            "conditions.yaml",
            "{process: 电镀}, {all: [{process: 热镀锌}",
            "{process: 电渡}, {all: [{process: 热镀锌}",
            "row 67",
        ),
        (
            "minglu.csv",
            "第三条（一）中的全部区域；第三条（三）中的全部区域,031",
            "第三条（一）中的全部区域；第三条（三）中的全部地方,031",
            "row 3",
        ),
        ("conditions.yaml", "  - row: 173\n", "  - row: 174\n", "row 173"),
        ("conditions.yaml", "  - row: 54\n", "  - row: 54\n    colour: red\n", "row 54"),
    ],
)
def test_loader_refuses_a_row_that_does_not_parse_naming_it(edition_copy, file, old, new, row):
    _edit(edition_copy, file, old, new)
    with pytest.raises(EiaTableError) as exc:
        load_edition(edition_copy)
    assert any(p.startswith(row) for p in exc.value.problems), exc.value.problems
    assert exc.value.param == "edition"


# --------------------------------------------------------------------------- explain and output


def test_explain_shows_how_sensitivity_changes_the_answer():
    ex = explain(ED, "宾馆")
    (row,) = ex.rows
    assert row.row.number == 97 and (row.outside.category, row.inside.category) == ("none", "form")
    text = ex.text()
    assert "不涉及环境敏感区 → 无需编制环境影响评价文件" in text and "涉及环境敏感区 → 环境影响报告表" in text
    assert "名录版本 2021" in text and "第三条（一）全部区域" in text


def test_explain_by_code_row_and_facts():
    assert explain(ED, "C3011").rows[0].outside.category == "report"
    assert (
        explain(ED, "第90项", {"装机容量": "6万千瓦"}).rows[0].inside.category == "undetermined"
    )  # wind, solar or other?
    wind = explain(ED, "D4415", {"装机容量": "6万千瓦"})
    assert [(r.row.number, r.outside.category, r.inside.category) for r in wind.rows] == [(90, "form", "report")]
    assert "装机容量" in " ".join(wind.rows[0].facts)
    assert explain(ED, "F5211").not_listed.category == "none"
    with pytest.raises(RuleError) as exc:
        explain(ED, "C9999")
    assert exc.value.param == "industry"
    assert "environmental impact" in explain(ED, "C3011").text("en")


def test_every_row_answers_with_edition_and_source_and_serialises():
    ed = load_edition(ED)
    for n in ed.rows:
        answer = decide(ed, items=[n])
        assert answer.edition == ED and answer.source
        assert answer.category in ("report", "form", "registration", "none", "undetermined")
        assert (answer.category == "undetermined") == bool(answer.questions)
        json.dumps(answer.to_dict("en"), ensure_ascii=False)


def test_input_errors_name_their_parameter():
    for kwargs, param in (
        ({"industries": ["C99999"]}, "industry"),
        ({"industries": [], "items": []}, "industries"),
        ({"items": ["第999项"]}, "items"),
        ({"industries": ["C3011"], "action": "demolish"}, "action"),
    ):
        with pytest.raises(RuleError) as exc:
            decide(ED, **kwargs)
        assert exc.value.param == param, kwargs
