"""results.xlsx: in Chinese by default, numbers as numbers, text never a formula, set up to print."""

from __future__ import annotations

import openpyxl
import pytest

from redline.checks.outputs import results_xlsx
from redline.checks.outputs.results_xlsx import SHEETS, sheet_name, write_results_xlsx
from tests.maps._fake_result import EVIL, fake_result

FORMULA = '=HYPERLINK("http://example.invalid","点我")'
ZH = ["选址结果", "发现明细", "规则", "准入清单", "说明"]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    r = fake_result()
    r.findings.loc[0, "zone_name"] = FORMULA
    r.sites.loc[3, "name"] = "a\x01b"  # a control character Excel refuses
    path = tmp_path_factory.mktemp("xlsx") / "results.xlsx"
    write_results_xlsx(r, path)
    return openpyxl.load_workbook(path)


def _rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_sheets_and_headings_in_chinese(workbook):
    assert workbook.sheetnames == ZH == [sheet_name(s) for s in SHEETS]
    sites = [c.value for c in workbook["选址结果"][1]]
    assert sites[:5] == ["选址编号", "项目名称", "结论", "发现数", "错误信息"]
    assert "面积 (公顷)" in sites and "面积 (亩)" in sites and "经度 (CGCS2000)" in sites
    findings = [c.value for c in workbook["发现明细"][1]]
    assert findings[:6] == ["选址编号", "类型", "区域编号", "区域名称", "级别", "关系"]
    assert [c.value for c in workbook["规则"][1]][:4] == ["规则编号", "规则标题", "规则内容", "依据"]
    assert not any(h and h.isascii() and "_" in h for h in sites + findings)  # no contract names


def test_values_in_chinese(workbook):
    sites = _rows(workbook["选址结果"])
    assert [s["选址编号"] for s in sites] == ["S1", "S2", "S3", "S4", "S5"]
    assert [s["结论"] for s in sites] == ["禁止", "限制/需论证", "需关注", "未发现冲突", "无法检查"]
    assert sites[0]["行业类别"] == "C3360 金属表面处理及热处理加工" and sites[0]["建设性质"] == "新建"
    assert sites[2]["项目特征"] == "必要的线性基础设施；供水设施" and sites[2]["几何类型"] == "线"
    assert sites[1]["项目名称"] == EVIL and sites[3]["项目名称"] == "ab"
    assert sites[4]["错误信息"] == "无法解析坐标 'abc'"
    assert sites[0]["经度 (CGCS2000)"] == pytest.approx(109.305) and sites[4]["经度 (CGCS2000)"] is None
    findings = _rows(workbook["发现明细"])
    assert findings[0]["类型"] == "饮用水水源保护区" and findings[0]["级别"] == "一级保护区"
    assert findings[0]["结论"] == "禁止" and findings[4]["关系"] == "邻近"
    assert "prohibited" not in str(findings) and "water_source" not in str(findings)


def test_numbers_are_numbers_with_formats(workbook):
    sites = _rows(workbook["选址结果"])
    assert sites[1]["面积 (m²)"] == pytest.approx(523456.78)
    assert sites[1]["面积 (公顷)"] == pytest.approx(52.345678)
    assert sites[1]["面积 (亩)"] == pytest.approx(785.18517, rel=1e-6)
    findings = _rows(workbook["发现明细"])
    assert findings[3]["面积 (m²)"] == pytest.approx(1234567.891) and findings[3]["占选址比例"] == pytest.approx(0.4567)
    assert findings[4]["距离 (m)"] == pytest.approx(512.345)
    ws = workbook["发现明细"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=5, column=header.index("面积 (m²)") + 1).number_format == "#,##0.0"
    assert ws.cell(row=5, column=header.index("占选址比例") + 1).number_format == "0.00%"


def test_rules_are_listed_once(workbook):
    rules = _rows(workbook["规则"])
    assert [r["规则编号"] for r in rules] == ["CU03", "ER01", "WS01", "WS02", "WS03"]
    ws01 = rules[2]
    assert ws01["规则标题"] == "一级保护区禁建" and ws01["规则来源"] == "国家法定规则" and ws01["引用次数"] == 1
    assert "第三百一十九条" in ws01["依据"]


def test_text_is_never_a_formula(workbook):
    ws = workbook["发现明细"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("区域名称") + 1)
    assert cell.value == FORMULA and cell.data_type == "s"
    assert not any(
        c.data_type == "f" for name in workbook.sheetnames for row in workbook[name].iter_rows() for c in row
    )


def test_print_setup_freeze_filter_and_widths(workbook):
    for name in workbook.sheetnames:
        ws = workbook[name]
        assert ws.freeze_panes == "A2", name
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_title_rows == "$1:$1"
        assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
        assert "&P" in ws.oddFooter.center.text
        widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, ws.max_column + 1)]
        assert min(widths) >= 5 and max(widths) <= 100
    assert "示意数据" in workbook["选址结果"].oddHeader.right.text


def test_about_sheet(workbook):
    about = dict(workbook["说明"].iter_rows(values_only=True))
    assert about["数据说明"].startswith("示意数据")
    assert about["图层集"].startswith("示例")
    assert about["缓冲距离"] == 1000 and about["规则目录：national"] == "国家法定规则 2026-11"
    assert about["图层：饮用水水源保护区"].startswith("water_source.gpkg sha256:")
    assert about["生成时间"] == "2026-09-01 10:00:00（北京时间）"


def test_english(tmp_path):
    wb = openpyxl.load_workbook(write_results_xlsx(fake_result(), tmp_path / "en.xlsx", lang="en"))
    assert wb.sheetnames == list(SHEETS)
    sites = _rows(wb["sites"])
    assert sites[0]["Verdict"] == "prohibited" and sites[0]["Action"] == "new"
    findings = _rows(wb["findings"])
    assert findings[0]["Kind"] == "drinking-water source protection zone"


def test_access_lists_sheet(tmp_path_factory, tmp_path):
    from tests.checks.test_report_html import KEY, PLATING, _access_result

    path = write_results_xlsx(_access_result(tmp_path_factory), tmp_path / "a.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    rows = _rows(wb["access_lists"])
    key_rows = [r for r in rows if r["Unit code"] == KEY]
    assert len(key_rows) == 6  # its own 4 clauses and the 2 for every unit
    plating = next(r for r in key_rows if r["Clause"] == PLATING)
    assert plating["Clause ID"] == f"{KEY}/空间布局约束/2" and plating["Scope"] == "this unit"
    assert plating["Structured verdict"] == "prohibited"
    assert (plating["Sites touching"], plating["Sites matched"]) == (2, 1)  # sites A and B; only A matches
    assert "Notice" not in [c.value for c in wb["sites"][1]]


def test_optional_site_columns_appear_when_given(tmp_path):
    r = fake_result()
    r.sites["project_no"] = ["P-1", "", None, "", ""]
    r.sites["builder"] = ["某某公司", None, None, None, None]
    r.sites["eia_category"] = None
    wb = openpyxl.load_workbook(write_results_xlsx(r, tmp_path / "o.xlsx"))
    header = [c.value for c in wb["选址结果"][1]]
    assert "项目编号" in header and "建设单位" in header and "环评类别" not in header  # an empty column is left out
    assert _rows(wb["选址结果"])[0]["建设单位"] == "某某公司"


def test_long_sheets_continue_on_a_second_sheet(monkeypatch, tmp_path):
    monkeypatch.setattr(results_xlsx, "_MAX_ROWS", 3)  # header + 2 rows per sheet
    wb = openpyxl.load_workbook(write_results_xlsx(fake_result(), tmp_path / "r.xlsx"))
    assert wb.sheetnames[:5] == ["选址结果", "选址结果_2", "选址结果_3", "发现明细", "发现明细_2"]
    ids = [r["选址编号"] for name in ("选址结果", "选址结果_2", "选址结果_3") for r in _rows(wb[name])]
    assert ids == ["S1", "S2", "S3", "S4", "S5"]


def test_empty_result(tmp_path):
    r = fake_result()
    r.findings = r.findings.iloc[:0]
    wb = openpyxl.load_workbook(write_results_xlsx(r, tmp_path / "e.xlsx"))
    assert wb["发现明细"].max_row == 1 and wb["准入清单"].max_row == 1 and wb["规则"].max_row == 1


def test_bad_language(tmp_path):
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        write_results_xlsx(fake_result(), tmp_path / "x.xlsx", lang="fr")
