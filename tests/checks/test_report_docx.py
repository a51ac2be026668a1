"""The Word report: read back with python-docx and checked for the same content as the HTML report."""

from __future__ import annotations

import pytest
from docx import Document
from docx.shared import Mm

from redline.checks.outputs.report_docx import render_report_docx, write_report_docx
from tests.maps._fake_result import EVIL, fake_result


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    write_report_docx(fake_result(), path)
    return path


@pytest.fixture(scope="module")
def doc(docx_path):
    return Document(str(docx_path))


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_title_notice_and_page_setup(doc):
    assert doc.paragraphs[0].text == "选址生态环境敏感区冲突研判报告"
    assert doc.paragraphs[0].style.name == "Title"
    assert "⚠ 示意数据，非官方数据，不得用于实际审查" in doc.paragraphs[1].text
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)  # A4 landscape
    footer = section.footer.paragraphs[0]
    assert "示意数据" in footer.text and "第" in footer.text
    assert 'w:instr="PAGE"' in footer._p.xml
    assert doc.core_properties.title == "选址生态环境敏感区冲突研判报告"


def test_header_records_layers_rules_and_run(doc):
    text = _text(doc)
    for needle in (
        "示例 — 钦州城乡融合发展试验区",
        "water_source.gpkg",
        "77617465725f736f",
        "国家法定规则",
        "2026-11",
        "1,000 m",
        "redline-checker 0.1.0",
        "2026-09-01T10:00:00+08:00",
        "EPSG:4490",
    ):
        assert needle in text, needle


def test_summary_sites_and_details(doc):
    text = _text(doc)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert [h.split()[0] for h in headings] == ["S1", "S2", "S3", "S5"]  # non-clear sites, worst first
    assert "禁止" in headings[0]
    for needle in (
        "WS01",
        "《中华人民共和国生态环境法典》第三百一十九条",
        "1,234,567.9",
        "45.7%",
        "512.3",
        "C3360 金属表面处理及热处理加工",
        "无法解析坐标 'abc'",
        "未发现冲突",
    ):
        assert needle in text, needle


def test_map_images_are_embedded(doc):
    pictures = doc.inline_shapes
    assert len(pictures) == 3  # S1, S2, S3; S5 has no geometry
    assert all(abs(p.width - Mm(176)) < Mm(1) for p in pictures)
    captions = [p.text for p in doc.paragraphs if p.text.startswith("图 ")]
    assert captions[0] == "图 1　S1 电镀厂：选址、周边敏感区、重叠部分与 1,000 m 缓冲区"


def test_verdict_cells_are_coloured(doc):
    xml = doc.element.xml
    assert 'w:fill="C0392B"' in xml and 'w:fill="F1C40F"' in xml


def test_names_are_text(doc, docx_path):
    assert EVIL in _text(doc)  # shown as the literal text ...
    import zipfile

    body = zipfile.ZipFile(docx_path).read("word/document.xml").decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and EVIL not in body  # ... stored escaped


def test_access_lists(tmp_path_factory):
    from tests.checks.test_report_html import KEY, PLATING, _access_result

    doc = render_report_docx(_access_result(tmp_path_factory), site_maps=False)
    text = _text(doc)
    assert f"管控单元 {KEY} {KEY} 区（重点管控单元）生态环境准入清单" in text
    assert "✔ 适用于本项目 " + PLATING in text
    assert "空间布局约束" in text and "未结构化，需人工核对" in text


def test_english_and_options():
    doc = render_report_docx(fake_result(illustrative=False), lang="en", site_maps=False, max_detail_sites=1)
    text = _text(doc)
    assert doc.paragraphs[0].text == "Site screening conflict report"
    assert "Illustrative" not in text and len(doc.inline_shapes) == 0
    assert "3 more sites whose verdict is not clear are not detailed here (limit 1, worst first)" in text


def test_site_table_cap():
    doc = render_report_docx(fake_result(), site_maps=False, max_table_sites=2)
    assert "共 5 个选址，此处仅列出结论最严重的 2 个" in _text(doc)
