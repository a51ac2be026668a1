"""GB/T 4754-2011 codes read as GB/T 4754-2017: the shipped correspondence, the loader, the API."""

from __future__ import annotations

import csv
from collections import Counter
from importlib import resources

import pytest

from redline.zones.errors import RuleError
from redline.zones.industry import industry_table
from redline.zones.industry_editions import (
    CLASS_RELATIONS,
    COLUMNS,
    classify_code,
    correspondence,
    differs_in_2011,
    load_correspondence,
    read_2011,
    relation_counts,
    unknown_code_note,
)

TEXT = resources.files("redline.zones").joinpath("data/gbt4754-2011-to-2017.csv").read_text("utf-8")
ROWS = list(csv.DictReader(line for line in TEXT.splitlines() if line.strip() and not line.startswith("#")))
CLASSES = [r for r in ROWS if r["level"] == "4"]
HEADER = ",".join(COLUMNS)


# ---------------------------------------------------------------- the shipped file


def test_file_parses_and_has_the_2011_edition_counts():
    assert tuple(ROWS[0].keys()) == COLUMNS
    levels = Counter(r["level"] for r in ROWS)
    # GB/T 4754-2011: 20 sections, 96 divisions, 432 groups, 1,094 classes
    assert levels == {"1": 20, "2": 96, "3": 432, "4": 1094}
    assert len(correspondence()) == len(ROWS)


def test_every_2011_code_appears_once():
    counts = Counter(r["code_2011"] for r in ROWS)
    assert [c for c, n in counts.items() if n > 1] == []


def test_file_states_its_sources():
    header = "\n".join(line for line in TEXT.splitlines() if line.startswith("#"))
    assert "wispiring/China-Economy-Classification" in header
    assert "gbt4754-2017.csv" in header
    assert "NOT the published correspondence" in header


def test_every_2017_target_is_a_class_of_the_2017_table():
    table = industry_table()
    targets = {t for r in CLASSES for t in r["code_2017"].split()}
    assert targets
    assert sorted(t for t in targets if t not in table or table[t].level != 4) == []


def test_relations_and_targets_agree():
    table = industry_table()
    for r in CLASSES:
        targets = r["code_2017"].split()
        assert r["relation"] in CLASS_RELATIONS
        assert (r["relation"] == "unmapped") == (not targets), r
        if r["relation"] == "same":
            assert targets == [r["code_2011"]] and table[r["code_2011"]].name == r["name_2011"]
        if r["relation"] == "moved":
            assert [table[t].name for t in targets] == [r["name_2011"]]
        if r["relation"] == "split":
            assert len(targets) >= 2


def test_relation_counts_add_up():
    counts = relation_counts()
    assert sum(counts.values()) == 1094
    assert counts == {"same": 723, "moved": 211, "renamed": 0, "split": 38, "merged": 2, "unmapped": 120}


# ---------------------------------------------------------------- known cases


def test_software_development_split_into_its_2017_classes():
    m = read_2011("I6510")
    assert (m.name_2011, m.relation, m.codes_2017) == ("软件开发", "split", ("I6511", "I6512", "I6513", "I6519"))
    assert m.note() == (
        "GB/T 4754-2011 代码 I6510（软件开发）按 2017 版对应为 I6511、I6512、I6513、I6519，按全部对应代码检查"
    )
    assert "screened with all of them" in m.note("en")


def test_unchanged_code():
    m = read_2011("C3360")
    assert (m.relation, m.codes_2017, m.complete) == ("same", ("C3360",), True)
    assert classify_code("C3360") == "2017"  # valid in both: read as 2017
    assert differs_in_2011("C3360") is None


def test_code_that_moved_section():
    m = read_2011("L7250")  # 知识产权服务: 2011 section L, 2017 section M
    assert (m.relation, m.codes_2017) == ("moved", ("M7520",))
    assert "门类由 L 改为 M" in m.note()
    assert classify_code("L7250") == "2011"


def test_code_reused_with_another_meaning():
    assert classify_code("I6550") == "2017"
    m = differs_in_2011("I6550")  # 2011 集成电路设计 -> 2017 I6520; 2017 I6550 is 信息处理和存储支持服务
    assert (m.name_2011, m.codes_2017) == ("集成电路设计", ("I6520",))
    assert "I6520" in m.reused_note() and "信息处理和存储支持服务" in m.reused_note()


def test_merged_classes():
    assert read_2011("J6891").codes_2017 == read_2011("J6899").codes_2017 == ("J6890",)
    assert "并入 J6890" in read_2011("J6891").note()


def test_unmapped_class_says_review_and_how_to_fix():
    m = read_2011("B1110")
    assert (m.relation, m.codes_2017, m.complete, m.unmapped) == ("unmapped", (), False, ("B1110",))
    assert "需关注" in m.note() and "请改填 GB/T 4754-2017 代码" in m.note()
    assert "review" in m.note("en")


def test_group_reads_as_its_classes():
    m = read_2011("I65")
    assert m.relation == "aggregate" and m.level == 2
    assert {"I6511", "I6520", "I6531"} <= set(m.codes_2017)
    assert m.unmapped == ("I6540",) and not m.complete
    assert "I6540" in m.note()


def test_bare_digits_take_the_2011_section():
    assert read_2011("6510").code_2011 == "I6510"
    assert read_2011(" 8311 ").code_2011 == "Q8311"  # 2011 division 83 is 卫生 (Q); in 2017 it is 教育 (P)
    assert classify_code("8311") == "2011"


@pytest.mark.parametrize("code", ["Z9999", "C9999", "I65100", "", "电镀", "软件"])
def test_unknown_codes(code):
    assert classify_code(code) == "unknown"
    assert read_2011(code) is None


def test_unknown_code_note_names_the_code_and_the_fix():
    zh, en = unknown_code_note(" Z9999 "), unknown_code_note("Z9999", "en")
    assert "Z9999" in zh and "需关注" in zh and "C3360" in zh
    assert "Z9999" in en and "review" in en


def test_bad_language_is_refused():
    with pytest.raises(RuleError) as err:
        read_2011("I6510").note("fr")
    assert err.value.param == "lang"


# ---------------------------------------------------------------- the loader refuses a malformed table


GOOD = [
    "# comment",
    HEADER,
    "C,1,制造业,,,",
    "C33,2,金属制品业,,,",
    "C331,3,结构性金属制品制造,,,",
    "C3311,4,金属结构制造,C3311,金属结构制造,same",
]


def _with(line: str) -> str:
    return "\n".join([*GOOD, line])


def test_loader_accepts_a_good_table():
    table = load_correspondence("\n".join(GOOD))
    assert table["C3311"].codes_2017 == ("C3311",)
    assert table["C"].relation == "aggregate" and table["C"].codes_2017 == ("C3311",)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("C3312,4,金属门窗制造,C3312,金属门窗制造,sideways", "relation 'sideways' is not one of"),
        ("C3312,4,金属门窗制造,C9999,不存在,moved", "code_2017 C9999 is not a class of GB/T 4754-2017"),
        ("C3312,4,金属门窗制造,C331,结构性金属制品制造,moved", "code_2017 C331 is not a class"),
        ("C3312,4,金属门窗制造,C3312,金属门窗制造", "5 fields, expected 6"),
        ("C3311,4,金属结构制造,C3311,金属结构制造,same", "appears again (first on line 6)"),
        ("C3412,4,金属切削机床制造,C3412,金属切削机床制造,same", "its parent C341 is not on a line above"),
        ("C3312,5,金属门窗制造,C3312,金属门窗制造,same", "level '5' is not 1, 2, 3 or 4"),
        ("C33X2,4,金属门窗制造,C3312,金属门窗制造,same", "'C33X2' is not a level-4 code"),
        ("C3312,4,金属门窗制造,C3311,金属结构制造,same", "relation same but code_2017 C3311 is not C3312"),
        ("C3312,4,金属门窗制造,C3312,金属门,same", "is not the 2017 names"),
        ("C3312,4,金属门窗制造,C3312 C3311,金属门窗制造；金属结构制造,moved", "needs 1..1 code_2017, got 2"),
        ("C3312,4,金属门窗制造,C3312,金属门窗制造,unmapped", "needs 0..0 code_2017, got 1"),
        ("C332,3,金属工具制造,C3321,切削工具制造,", "is not a class: code_2017, name_2017, relation stay empty"),
        ("C3312,4,,C3312,金属门窗制造,same", "has no name_2011"),
    ],
)
def test_loader_refuses_a_malformed_row_naming_its_line(line, message):
    with pytest.raises(RuleError) as err:
        load_correspondence(_with(line), "t.csv")
    assert str(err.value).startswith("t.csv line 7: ")
    assert message in str(err.value)


def test_loader_refuses_a_bad_header_or_no_rows():
    with pytest.raises(RuleError, match="line 1: the header must be"):
        load_correspondence("code,level,name\nC,1,制造业", "t.csv")
    with pytest.raises(RuleError, match="line 1: no rows"):
        load_correspondence(HEADER, "t.csv")
