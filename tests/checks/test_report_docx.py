"""The Word 研判报告: read back with python-docx and checked for what a filed report needs."""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from redline.checks.outputs.docx_parts import text_width_mm
from redline.checks.outputs.report_docx import render_report_docx, write_report_docx
from tests.maps._fake_result import EVIL, fake_result

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


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


def _single(site_id: str):
    r = fake_result()
    r.sites = r.sites[r.sites["site_id"] == site_id].reset_index(drop=True)
    r.findings = r.findings[r.findings["site_id"] == site_id].reset_index(drop=True)
    return r


def _headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def test_title_notice_and_a4_portrait_page(doc):
    texts = [p.text for p in doc.paragraphs]
    assert "⚠ 示意数据，非官方数据，不得用于实际审查" in texts[0]
    assert texts[1] == "选址生态环境敏感区冲突研判报告" and doc.paragraphs[1].style.name == "Title"
    assert texts[2] == "共 5 个选址" and texts[3] == "报告日期：2026年9月1日"
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.core_properties.title == "选址生态环境敏感区冲突研判报告"


def test_page_numbers_in_the_footer(doc):
    footer = doc.sections[0].footer.paragraphs[0]
    assert "示意数据" in footer.text and "第" in footer.text and "页，共" in footer.text
    assert 'w:instr="PAGE"' in footer._p.xml and 'w:instr="NUMPAGES"' in footer._p.xml


def test_batch_parts_in_order_with_a_page_per_site(doc):
    assert _headings(doc, 1) == ["一、总体情况", "二、逐址研判", "三、审查意见", "附录　数据来源、规则与运行记录"]
    sites = [h for h in _headings(doc, 2) if h.startswith("（")]
    assert [h.split()[0] for h in sites] == ["（1）S1", "（2）S2", "（3）S3", "（4）S5"]
    breaks = [p for p in doc.paragraphs if p.style.name == "Heading 2" and p.text.startswith("（")]
    assert [p.paragraph_format.page_break_before for p in breaks] == [None, True, True, True]
    assert doc.paragraphs[[p.text for p in doc.paragraphs].index("二、逐址研判")].paragraph_format.page_break_before


def test_headings_are_kept_with_what_follows(doc):
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        assert doc.styles[name].paragraph_format.keep_with_next is True


def test_content(doc):
    text = _text(doc)
    for needle in (
        "本次共研判 5 个选址：禁止 1，限制/需论证 1，需关注 1，未发现冲突 1，无法检查 1。",
        "C3360 金属表面处理及热处理加工",
        "523,456.8 m²（52.35 公顷，785.19 亩）",
        "东经 109°18′18.00″，北纬 22°18′18.00″",
        "研判结论：",
        "避让：调整选址，避让饮用水水源保护区，调整后重新研判。",
        "1,234,567.9",
        "45.7%",
        "WS01 一级保护区禁建",
        "无法解析坐标 'abc'",
        "（由审查人员填写审查意见）",
        "经办人：",
        "审核人：",
        "2026-09-01 10:00:00（北京时间）",
        "77617465725f736f",
        "《中华人民共和国生态环境法典》第三百一十九条",
    ):
        assert needle in text, needle


def test_every_table_fits_the_page_with_fixed_columns(docx_path):
    body = zipfile.ZipFile(docx_path).read("word/document.xml")
    from lxml import etree

    root = etree.fromstring(body)
    limit = Mm(text_width_mm()).twips + 5
    tables = root.iter(f"{W}tbl")
    n = 0
    for tbl in tables:
        n += 1
        grid = [int(c.get(f"{W}w")) for c in tbl.find(f"{W}tblGrid")]
        assert sum(grid) <= limit, sum(grid)
        assert tbl.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"
        assert min(grid) >= Mm(5).twips  # no one-character columns
    assert n > 10


def test_header_rows_repeat_and_rows_do_not_split(doc):
    headed = [
        t
        for t in doc.tables
        if t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    ]
    assert len(headed) > 5
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for t in headed for r in t.rows)


def test_verdicts_are_tags_not_filled_cells(doc):
    xml = doc.element.xml
    fills = {"C0392B", "D35400", "F7DC6F", "1E8449"}
    # the verdict colours shade runs (w:rPr/w:shd), never a whole cell (w:tcPr/w:shd)
    for tc_pr in doc.element.iter(qn("w:tcPr")):
        shd = tc_pr.find(qn("w:shd"))
        assert shd is None or shd.get(qn("w:fill")) not in fills
    assert any(f'w:fill="{c}"' in xml for c in fills)


def test_map_images_are_embedded(doc):
    pictures = doc.inline_shapes
    assert len(pictures) == 3  # S1, S2, S3; S5 has no geometry
    captions = [p.text for p in doc.paragraphs if p.text.startswith("图 ")]
    assert captions[0] == "图 1　S1 电镀厂：选址、周边敏感区、重叠部分与 1,000 m 缓冲区"


def test_names_are_text(doc, docx_path):
    assert EVIL in _text(doc)  # shown as the literal text ...
    body = zipfile.ZipFile(docx_path).read("word/document.xml").decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and EVIL not in body  # ... stored escaped


def test_single_site_report(tmp_path):
    doc = render_report_docx(_single("S2"), site_maps=False)
    assert _headings(doc, 1) == [
        "一、项目基本信息",
        "二、研判结论与建议",
        "三、符合性分析",
        "四、审查意见",
        "附录　数据来源、规则与运行记录",
    ]
    assert _headings(doc, 2)[0].startswith("（一）生态保护红线")
    text = _text(doc)
    assert "与生态保护红线重叠 123.46 公顷（1,851.85 亩），占选址面积 45.7%" in text
    assert "总体情况" not in text


def test_access_lists(tmp_path_factory):
    from tests.checks.test_report_html import KEY, PLATING, _access_result

    result = _access_result(tmp_path_factory)
    text = _text(render_report_docx(result, site_maps=False))
    assert f"管控单元 {KEY} {KEY} 区（重点管控单元）生态环境准入清单" in text
    assert PLATING in text and "不符合" in text
    assert "其余" in text  # a batch lists only the clauses that bind, and says how many it left out
    one = result.__class__(
        result.sites.iloc[[0]].reset_index(drop=True),
        result.findings[result.findings["site_id"] == "A"].reset_index(drop=True),
        result.layerset,
        result.catalog,
        result.meta,
        result.access_lists,
    )
    single = _text(render_report_docx(one, site_maps=False))
    assert "新建项目单位产品水耗达到国内先进水平。" in single and "说明" in single  # every clause, with why


def test_english_and_options():
    doc = render_report_docx(fake_result(illustrative=False), lang="en", site_maps=False, max_detail_sites=1)
    text = _text(doc)
    assert doc.paragraphs[0].text == "Site screening conflict report"
    assert "Illustrative" not in text and len(doc.inline_shapes) == 0
    assert "3 more sites whose verdict is not clear are not detailed here (limit 1, worst first)" in text
    assert "Page" in doc.sections[0].footer.paragraphs[0].text


def test_site_table_cap():
    doc = render_report_docx(fake_result(), site_maps=False, max_table_sites=2)
    assert "共 5 个选址，此处仅列出结论最严重的 2 个" in _text(doc)
