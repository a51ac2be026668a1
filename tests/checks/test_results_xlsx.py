"""results.xlsx: the contract sheets, numbers as numbers, text never a formula."""

from __future__ import annotations

import openpyxl
import pytest

from redline.checks.outputs import results_xlsx
from redline.checks.outputs.results_xlsx import ACCESS_COLUMNS, SHEETS, write_results_xlsx
from redline.checks.result import FINDING_COLUMNS, SITE_COLUMNS
from tests.maps._fake_result import EVIL, fake_result

FORMULA = '=HYPERLINK("http://example.invalid","点我")'


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


def test_sheets_and_headers(workbook):
    assert workbook.sheetnames == [*SHEETS, "about"]
    sites = [c.value for c in workbook["sites"][1]]
    assert sites[: len(SITE_COLUMNS)] == SITE_COLUMNS and sites[-1] == "notice"
    findings = [c.value for c in workbook["findings"][1]]
    assert findings[: len(FINDING_COLUMNS)] == FINDING_COLUMNS and "rule_text" in findings
    assert [c.value for c in workbook["access_lists"][1]] == ACCESS_COLUMNS
    assert workbook["sites"].freeze_panes == "A2"


def test_one_row_per_site_and_finding(workbook):
    sites = _rows(workbook["sites"])
    assert [s["site_id"] for s in sites] == ["S1", "S2", "S3", "S4", "S5"]
    assert sites[0]["verdict_label"] == "禁止" and sites[4]["verdict_label"] == "无法检查"
    assert sites[1]["name"] == EVIL and sites[3]["name"] == "ab"
    assert sites[0]["lon"] == pytest.approx(109.305) and sites[4]["lon"] is None
    assert all(s["notice"].startswith("示意数据") for s in sites)
    findings = _rows(workbook["findings"])
    assert len(findings) == 5
    assert findings[3]["overlap_area_m2"] == pytest.approx(1234567.891)  # a number, not text
    assert findings[3]["overlap_ratio"] == pytest.approx(0.4567)
    assert findings[0]["kind_label"] == "饮用水水源保护区" and findings[0]["class_label"] == "一级保护区"
    assert findings[4]["relation_label"] == "邻近" and findings[4]["distance_m"] == pytest.approx(512.345)


def test_number_formats(workbook):
    ws = workbook["findings"]
    header = [c.value for c in ws[1]]
    area = ws.cell(row=5, column=header.index("overlap_area_m2") + 1)
    ratio = ws.cell(row=5, column=header.index("overlap_ratio") + 1)
    assert area.number_format == "#,##0.00" and ratio.number_format == "0.00%"


def test_text_is_never_a_formula(workbook):
    ws = workbook["findings"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("zone_name") + 1)
    assert cell.value == FORMULA and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_about_sheet(workbook):
    about = dict(workbook["about"].iter_rows(values_only=True))
    assert about["notice"].startswith("示意数据")
    assert about["layerset"].startswith("示例")
    assert about["buffer_m"] == 1000 and about["rule_catalog:national"] == "国家法定规则 2026-11"
    assert about["layer:water_source"].startswith("water_source.gpkg sha256:")


def test_access_lists_sheet(tmp_path_factory, tmp_path):
    from tests.checks.test_report_html import KEY, PLATING, _access_result

    path = write_results_xlsx(_access_result(tmp_path_factory), tmp_path / "a.xlsx", lang="en")
    rows = _rows(openpyxl.load_workbook(path)["access_lists"])
    key_rows = [r for r in rows if r["unit_code"] == KEY]
    assert len(key_rows) == 6  # its own 4 clauses and the 2 for every unit
    plating = next(r for r in key_rows if r["clause"] == PLATING)
    assert plating["clause_id"] == f"{KEY}/空间布局约束/2" and plating["scope"] == "this unit"
    assert plating["verdict"] == "prohibited"
    assert (plating["sites_touching"], plating["sites_matched"]) == (2, 1)  # sites A and B; only A matches
    assert {r["scope"] for r in rows} >= {"this unit", "all units"}
    assert "notice" not in [c.value for c in openpyxl.load_workbook(path)["sites"][1]]  # not illustrative


def test_long_sheets_continue_on_a_second_sheet(monkeypatch, tmp_path):
    monkeypatch.setattr(results_xlsx, "_MAX_ROWS", 3)  # header + 2 rows per sheet
    path = write_results_xlsx(fake_result(), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:5] == ["sites", "sites_2", "sites_3", "findings", "findings_2"]
    ids = [r["site_id"] for name in ("sites", "sites_2", "sites_3") for r in _rows(wb[name])]
    assert ids == ["S1", "S2", "S3", "S4", "S5"]


def test_empty_result(tmp_path):
    r = fake_result()
    r.findings = r.findings.iloc[:0]
    wb = openpyxl.load_workbook(write_results_xlsx(r, tmp_path / "e.xlsx"))
    assert wb["findings"].max_row == 1 and wb["access_lists"].max_row == 1
