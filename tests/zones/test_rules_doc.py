"""docs/rules.md is generated from the catalogues and must not drift from them."""

from __future__ import annotations

from pathlib import Path

from redline.zones.rules import bundled_catalog_names, national_catalog, rules_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_doc_is_up_to_date():
    assert DOC.read_text("utf-8") == rules_markdown(), "regenerate with: redline rules docs > docs/rules.md"


def test_every_code_is_in_the_doc():
    text = rules_markdown()
    for rule in national_catalog():
        assert f"| {rule.code} |" in text
    assert "qinzhou_pilot" in bundled_catalog_names()
    assert "| QZ04 |" in text
