"""The reference commands: redline eia, industry search/show, rules show/list/access/validate/tags."""

from __future__ import annotations

import csv
import re

import pytest

from redline.layers import load_layerset


@pytest.fixture(scope="module")
def sample_units():
    """The sample's control-unit layer (its access list and units)."""
    return next(layer for layer in load_layerset("sample").layers if layer.kind == "control_unit")


def test_eia_explains_an_industry_naming_the_edition(cli):
    status, out, err = cli("eia", "C3011")
    assert status == 0, err
    assert out.startswith("名录第54项 水泥、石灰和石膏制造") and "环境影响报告书" in out
    assert "名录版本 2021" in out and "2021年版" in out
    status, out, _ = cli("eia", "第97项")
    assert "不涉及环境敏感区" in out and "涉及环境敏感区" in out
    status, out, _ = cli("eia", "第97项", "--lang", "en")
    assert "touching none of them" in out and "名录 edition 2021" in out


def test_eia_takes_facts_and_lists_them(cli):
    status, out, _ = cli("eia", "A0313", "--fact", "年出栏生猪=6000头")
    assert status == 0 and "→ 环境影响报告书" in out
    status, out, _ = cli("eia", "--list-facts")
    assert status == 0 and "装机容量 [千瓦, 兆瓦]" in out
    status, _, err = cli("eia", "A0313", "--fact", "年出栏生猪=很多")
    assert status == 2 and "--fact" in err
    status, _, err = cli("eia")
    assert status == 2 and "--list-facts" in err


def test_industry_search_by_code_and_words(cli):
    status, out, _ = cli("industry", "search", "电镀")
    assert status == 0 and out.splitlines()[2].startswith("C3360  小类  金属表面处理及热处理加工")
    status, out, _ = cli("industry", "search", "336", "--lang", "en")
    assert "C336   group" in out and "C3360  class" in out
    status, out, _ = cli("industry", "search", "两高")
    assert "政策行业组" in out and "C26" in out
    status, out, _ = cli("industry", "search", "无此行业词语")
    assert status == 0 and "未找到" in out


def test_industry_show_gives_parents_groups_and_minglu_rows(cli):
    status, out, err = cli("industry", "show", "电镀")
    assert status == 0, err
    assert out.startswith("C3360 金属表面处理及热处理加工（小类）")
    for piece in (
        "门类：C 制造业",
        "大类：C33 金属制品业",
        "说明：",
        "涉重金属（须核实：是否含电镀工序）",
        "名录第67项",
    ):
        assert piece in out
    status, _, err = cli("industry", "show", "饲养")
    assert status == 2 and "A0313 猪的饲养" in err


def test_rules_show_finds_the_regional_codes_a_default_check_cites(cli):
    status, out, err = cli("rules", "show", "QZ03")
    assert status == 0, err
    assert "qinzhou_pilot" in out and "限制新增生猪" in out
    status, out, _ = cli("rules", "list", "--kind", "basin")
    assert "QZ01" in out and "WS01" not in out


def test_rules_tags_show_the_labels_that_tag_takes(cli):
    status, out, _ = cli("rules", "tags")
    assert status == 0 and "discharges_wastewater" in out and "排放废水" in out


def test_rules_access_explains_every_clause_against_the_layer_units(cli, tmp_path, sample_units):
    out_csv = tmp_path / "access.csv"
    path = str(sample_units.access_list)
    status, out, err = cli("rules", "access", path, "--layers", "sample", "--industry", "电镀", "--out", str(out_csv))
    assert status == 0, err
    n = len(sample_units.access)
    assert out.startswith(f"准入清单 {sample_units.access_list.name}：{n} 条条款")
    assert "【空间布局约束】" in out and re.search(r"范围：.+（.+） → ", out) and "解读：" in out and "本项目：" in out
    with open(out_csv, encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == n and {"scope", "why_zh", "judgement", "units"} <= set(table[0])
    by_unit = next(r for r in table if r["scope_kind"] == "unit")
    assert by_unit["units"] == by_unit["scope"]  # a unit's own clause reaches that unit only
    everywhere = [r for r in table if r["scope_kind"] == "all"]
    assert all(len(r["units"].split(";")) == len(sample_units.gdf) for r in everywhere)


def test_rules_access_of_the_layer_sets_own_list_and_a_bad_out(cli, sample_units):
    status, out, _ = cli("rules", "access")
    assert status == 0 and f"{len(sample_units.access)} 条条款" in out
    status, _, err = cli("rules", "access", "--out", "x.pdf")
    assert status == 2 and "--out" in err and ".xlsx" in err


def test_rules_validate_an_access_list_counts_its_clauses(cli, sample_units):
    status, out, _ = cli("rules", "validate", str(sample_units.access_list))
    assert status == 0 and f"通过，共 {len(sample_units.access)} 条条款" in out
