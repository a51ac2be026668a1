"""GB/T 4754-2017 vocabulary: codes, names, aliases, policy groups, docs."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from redline.zones import industry
from redline.zones.errors import RuleError
from redline.zones.industry import (
    Alias,
    Group,
    aliases,
    candidates,
    describe,
    expand_codes,
    expand_qualified,
    groups,
    industry_table,
    is_group,
    lookup,
    matches,
    resolve,
    vocabulary_problems,
)
from redline.zones.industry_docs import industry_docs
from redline.zones.project import make_project

DOCS = Path(__file__).resolve().parents[2] / "docs" / "industry.md"
ALIAS_WORDS = [(w, a.code) for a in aliases() for w in a.words]
GROUP_CODES = [(g.name, c) for g in groups().values() for c in g.codes]


# ---------------------------------------------------------------- the data files


def test_vocabulary_files_have_no_problems():
    assert vocabulary_problems() == []


@pytest.mark.parametrize(("word", "code"), ALIAS_WORDS)
def test_every_alias_names_a_code_of_the_table_and_resolves_to_it(word, code):
    assert code in industry_table()
    assert word not in {ind.name for ind in industry_table().values()}
    assert resolve(word) == code
    assert [i.code for i in candidates(word)] == [code]


@pytest.mark.parametrize(("group", "code"), GROUP_CODES)
def test_every_group_code_is_in_the_table(group, code):
    assert code in industry_table(), f"{group}: {code}"


def test_every_alias_has_a_justification():
    assert all(a.why and "|" not in a.why for a in aliases())


def test_groups_are_the_documented_ones_with_sources_and_notes():
    assert list(groups()) == [
        "两高",
        "两高一资",
        "涉重金属",
        "危险化学品",
        "印染",
        "水污染重点行业",
        "土壤污染重点行业",
        "畜禽规模养殖",
    ]
    for g in groups().values():
        assert g.aliases and g.source and g.note and g.codes
        assert len(set(g.codes)) == len(g.codes)


def test_two_high_covers_the_six_categories_of_the_2021_opinion():
    codes = groups()["两高"].codes
    assert {"D4411", "D4412"} <= set(codes)  # 煤电
    assert "C251" in codes  # 石化
    assert {"C26", "C2521", "C2522", "C2523"} <= set(codes)  # 化工 incl. coal chemicals
    assert "C31" in codes  # 钢铁
    assert {"C321", "C322", "C323", "C324"} <= set(codes)  # 有色金属冶炼
    assert {"C301", "C303", "C304", "C307", "C308"} <= set(codes)  # 建材


def test_two_high_one_resource_is_two_high_plus_extraction():
    two_high = groups()["两高"].codes
    plus = groups()["两高一资"].codes
    assert plus[: len(two_high)] == two_high
    assert plus[len(two_high) :] == ("B06", "B07", "B08", "B09", "B10")


def test_heavy_metal_group_covers_the_2022_key_industries():
    codes = set(groups()["涉重金属"].codes)
    assert {"B0911", "B0912", "B0913", "B0914", "B0915", "B0919"} <= codes  # 重有色金属矿采选 (汞: B0919)
    assert {"C3211", "C3212", "C3213", "C3214", "C3215", "C3219"} <= codes  # 重有色金属冶炼 (汞: C3219)
    assert {"C3843", "C3360", "C1910"} <= codes
    assert {"C2613", "C2614", "C2651"} <= codes  # 铬盐/锌化合物, (聚)氯乙烯
    assert "C3216" not in codes  # aluminium is not a heavy non-ferrous metal


# ---------------------------------------------------------------- qualified codes (issue 16)


def test_broad_codes_are_qualified_where_the_source_names_a_process():
    heavy = groups()["涉重金属"].qualifiers
    assert {c: q.key for c, q in heavy.items()} == {
        "B0919": "mercury",
        "C3219": "mercury",
        "C3360": "electroplating",
        "C2614": "calcium_carbide_pvc",
        "C2651": "calcium_carbide_pvc",
        "C2613": "chromium_or_zinc",
    }
    assert heavy["C2613"].tags == {"chromium_salt", "zinc_from_solid_waste"}
    two_high = groups()["两高"].qualifiers
    assert set(two_high) == {"D4411", "D4412"} and two_high["D4411"].tags == {"coal_fired"}
    assert groups()["两高一资"].qualifiers.keys() == two_high.keys()  # inherited with the codes


def test_expand_qualified_keeps_a_plain_code_plain_and_merges_questions():
    codes, qualified = expand_qualified(["涉重金属", "土壤污染重点行业"])
    assert codes == expand_codes(["涉重金属", "土壤污染重点行业"])
    assert "C1910" not in qualified  # plain in 涉重金属, qualified in the soil group: plain wins
    assert [q.key for q in qualified["C3360"]] == ["electroplating", "soil_pollution"]
    assert "C3360" not in expand_qualified(["涉重金属", "C3360"])[1]


def test_water_polluting_group_is_narrower_than_the_old_quasi_zone_list():
    codes = groups()["水污染重点行业"].codes
    for code in ("C1340", "C1391", "C1351", "C2211", "C2221", "C1910", "C1713"):
        assert any(code.startswith(c) for c in codes), code
    for code in ("C1711", "C2231", "C3252", "C2614"):  # spinning, cartons, aluminium rolling, chemicals
        assert not any(code.startswith(c) for c in codes), code


def test_question_tags_are_known_tags():
    from redline.zones.tags import TAGS

    for g in groups().values():
        for q in g.qualifiers.values():
            assert q.tags and q.tags <= TAGS.keys() and q.question_zh and q.question_en


# ---------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    ("term", "code"),
    [
        ("C3360", "C3360"),
        (" c3360 ", "C3360"),
        ("3360", "C3360"),
        ("0313", "A0313"),
        ("C33", "C33"),
        ("33", "C33"),
        ("C", "C"),
        ("猪的饲养", "A0313"),
        ("纺织业", "C17"),
        ("电镀", "C3360"),
        ("制革", "C1910"),
        ("鞣革", "C1910"),
        ("造纸", "C222"),  # a name of the standard wins over any alias
        ("化学制浆", "C221"),
        ("火电", "D4411"),
        ("燃煤发电", "D4411"),
        ("热电", "D4412"),
        ("养猪", "A0313"),
        ("生猪养殖", "A0313"),
        ("水泥", "C3011"),
        ("炼钢", "C3120"),
        ("炼铁", "C3110"),
        ("炼焦", "C2521"),
        ("焦化", "C2521"),
        ("铅酸电池", "C3843"),
        ("铅蓄电池", "C3843"),
        ("垃圾焚烧发电", "D4417"),
        ("烧碱", "C2612"),  # the note of exactly one class
        ("铁合金", "C3140"),  # part of a name, repeated down the levels
        ("风电", "D4415"),  # not 家用通风电器具制造
    ],
)
def test_resolve(term, code):
    assert resolve(term) == code


def test_electroplating_needs_the_alias_because_two_notes_mention_it():
    assert "电镀" in lookup("C3360").note
    assert "电镀" in lookup("C2432").note
    assert resolve("电镀") == "C3360"


def test_a_name_repeated_down_the_levels_resolves_to_the_deepest_entry():
    by_name = defaultdict(list)
    for ind in industry_table().values():
        by_name[ind.name].append(ind.code)
    repeated = {name: codes for name, codes in by_name.items() if len(codes) > 1}
    assert len(repeated) > 100
    for name, codes in repeated.items():
        if name != "燃气生产和供应业":
            assert resolve(name) == max(codes, key=len), name


def test_a_repeated_name_of_different_scope_is_ambiguous():
    # D45 has two groups (D451 燃气生产和供应业, D452 生物质燃气生产和供应业): the names are equal, the scopes not.
    with pytest.raises(
        RuleError, match=r"matches 2 .* by name: D45 燃气生产和供应业; D451 燃气生产和供应业; give a code"
    ):
        resolve("燃气生产和供应业")


def test_every_code_resolves_to_itself():
    assert all(resolve(code) == code for code in industry_table())


def test_an_ambiguous_part_of_a_name_lists_the_candidates():
    with pytest.raises(
        RuleError,
        match=r"'饲养' matches 15 GB/T 4754-2017 entries by part of a name: "
        r"A031 牲畜饲养; A0311 牛的饲养; .*; A0329 其他家禽饲养 and 3 more; give a code",
    ):
        resolve("饲养")


def test_an_ambiguous_note_word_lists_the_classes():
    with pytest.raises(RuleError, match=r"'垃圾' matches 4 .* in their notes: C2541 .*; D4417 .*; N7723 .*; N7820 "):
        resolve("垃圾")


def test_a_short_ambiguous_list_has_no_and_more():
    with pytest.raises(RuleError, match=r"'鞣制' matches 3 .*: C1910 皮革鞣制加工; C193 .*; C1931 毛皮鞣制加工; give"):
        resolve("鞣制")


@pytest.mark.parametrize("term", ["C9999", "c9999", "9999", "C99"])
def test_a_code_not_in_the_standard(term):
    with pytest.raises(RuleError, match=r"is not in GB/T 4754-2017"):
        resolve(term)


@pytest.mark.parametrize("term", ["", "   "])
def test_empty(term):
    with pytest.raises(RuleError, match=r"industry is empty"):
        resolve(term)
    with pytest.raises(RuleError, match=r"industry is empty"):
        candidates(term)


def test_unknown_word():
    with pytest.raises(RuleError, match=r"industry 'Z123' is neither a GB/T 4754-2017 code nor the name"):
        resolve("Z123")
    with pytest.raises(RuleError, match=r"industry '石化' is neither"):
        resolve("石化")


@pytest.mark.parametrize("term", ["印染", "printing_and_dyeing", "两高", "TWO_HIGH", "涉重金属行业"])
def test_a_project_cannot_be_a_group(term):
    with pytest.raises(RuleError, match=r"is the policy group .* usable in rules but not for a project"):
        resolve(term)


def test_the_group_refusal_lists_its_codes():
    with pytest.raises(RuleError, match=r"policy group 印染 \(6 codes\).*C1713 棉印染精加工; C1723 毛染整精加工"):
        resolve("印染")


def test_make_project_accepts_aliases():
    assert make_project("电镀; 养猪").industries == ("C3360", "A0313")


# ---------------------------------------------------------------- candidates


def test_candidates_are_sorted_and_stable():
    first = [i.code for i in candidates("饲养")]
    assert first == sorted(first)
    assert first == [i.code for i in candidates("饲养")]
    assert first[:3] == ["A031", "A0311", "A0312"]
    assert [i.code for i in candidates("饲养") if not i.code.startswith("A03")] == ["O8221"]  # 宠物饲养


def test_candidates_by_step():
    assert [i.code for i in candidates("3360")] == ["C3360"]
    assert [i.code for i in candidates("炼铁")] == ["C3110"]
    assert [i.code for i in candidates("印染")] == ["C1713", "C1723", "C1733", "C1743", "C1752", "C1762"]
    assert candidates("C9999") == []
    assert candidates("没有这个行业") == []


# ---------------------------------------------------------------- groups and expand_codes


def test_is_group():
    assert is_group("两高") and is_group("two_high") and is_group(" Heavy_Metal_Industries ")
    assert not is_group("C26") and not is_group("电镀") and not is_group("")


def test_expand_codes_mixes_groups_and_codes():
    codes = expand_codes(["两高", "C3360", "c26", "2614"])
    assert codes[: len(groups()["两高"].codes)] == groups()["两高"].codes
    assert codes[-2:] == ("C3360", "C2614")
    assert codes.count("C26") == 1


def test_expand_codes_accepts_one_string_and_numbers():
    assert expand_codes("印染") == groups()["印染"].codes
    assert expand_codes([3360, "B"]) == ("C3360", "B")
    assert expand_codes([]) == ()


def test_expand_codes_overlapping_groups_are_deduplicated():
    codes = expand_codes(["两高", "两高一资", "危险化学品"])
    assert len(codes) == len(set(codes))
    assert set(codes) == set(groups()["两高一资"].codes) | set(groups()["危险化学品"].codes)


@pytest.mark.parametrize("item", ["电镀", "C9999", "heavy metals"])
def test_expand_codes_names_the_unknown_item_and_lists_the_groups(item):
    with pytest.raises(RuleError, match=rf"'{item}' is neither .*groups?: 两高 \(two_high, .*涉重金属 \(heavy_metal"):
        expand_codes(["C26", item])


def test_group_codes_match_as_prefixes():
    assert matches(("C3211",), expand_codes(["涉重金属"]))
    assert matches(("C2614",), expand_codes(["两高"]))  # under C26
    assert matches(("B0610",), expand_codes(["两高一资"]))
    assert not matches(("B0610",), expand_codes(["两高"]))
    assert not matches(("C3216",), expand_codes(["涉重金属"]))
    assert matches(("C3360",), ("C33",))


# ---------------------------------------------------------------- describe, docs


def test_describe():
    assert describe("C3360") == "C3360 金属表面处理及热处理加工"
    assert describe("3360") == "C3360 金属表面处理及热处理加工"
    assert describe("A03") == "A03 畜牧业"
    with pytest.raises(RuleError, match=r"'C9999' is not in GB/T 4754-2017"):
        describe("C9999")


def test_docs_are_generated_from_the_yaml():
    assert DOCS.read_text("utf-8") == industry_docs(), (
        "docs/industry.md is stale; regenerate with "
        "python -c \"from redline.zones.industry_docs import industry_docs; print(industry_docs(), end='')\" "
        "> docs/industry.md"
    )


def test_docs_list_every_alias_and_group_code():
    text = industry_docs()
    assert all(w in text for w, _ in ALIAS_WORDS)
    assert all(f"`{c}` {industry_table()[c].name}" in text for _, c in GROUP_CODES)


# ---------------------------------------------------------------- broken data files are refused


@pytest.fixture
def broken_vocabulary(monkeypatch):
    bad_alias = Alias(("猪的饲养", "风电"), "C9999", "")
    bad_group = Group("风电", ("two_high",), ("C26", "Q99"), "", "x")
    good_aliases, good_groups = industry._aliases(), industry._groups()
    monkeypatch.setattr(industry, "_aliases", lambda: (*good_aliases, bad_alias))
    monkeypatch.setattr(industry, "_groups", lambda: (*good_groups, bad_group))
    industry._checked.cache_clear()
    yield
    industry._checked.cache_clear()


def test_vocabulary_problems_are_all_reported(broken_vocabulary):
    problems = vocabulary_problems()
    assert "alias 猪的饲养/风电: 'C9999' is not a GB/T 4754-2017 code" in problems
    assert "alias 猪的饲养/风电: no justification ('why')" in problems
    assert any("'猪的饲养' is a name in GB/T 4754-2017" in p for p in problems)
    assert any("'风电' is also used by alias 风电" in p for p in problems)
    assert "group 风电: 'Q99' is not a GB/T 4754-2017 code" in problems
    assert "group 风电: no source" in problems
    assert any("group 风电: 'two_high' is also used by group 两高" in p for p in problems)
    with pytest.raises(RuleError, match=r"industry alias/group files have \d+ problem"):
        groups()
