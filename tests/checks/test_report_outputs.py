"""``--formats`` docx and xlsx are real now; the reports share one set of static maps; the demo writes all."""

from __future__ import annotations

import zipfile

import pytest

from redline.checks.outputs import writers
from redline.checks.outputs.writers import FORMATS, parse_formats, write_outputs
from tests.conftest import run_cli
from tests.maps._fake_result import fake_result


def test_formats_include_docx_and_xlsx():
    assert list(FORMATS) == ["csv", "gpkg", "html", "map", "docx", "xlsx"]
    assert parse_formats("docx,xlsx") == ["docx", "xlsx"]
    assert parse_formats("all") == list(FORMATS)


def test_write_docx_and_xlsx(tmp_path):
    files = write_outputs(fake_result(), tmp_path, formats=["docx", "xlsx"])
    assert [p.name for p in files] == ["report.docx", "results.xlsx", "summary.json"]
    for name in ("report.docx", "results.xlsx"):
        assert zipfile.is_zipfile(tmp_path / name)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_maps_are_drawn_once_for_both_reports(tmp_path, monkeypatch):
    calls = []
    real = writers._report_images

    def counting(result, lang):
        calls.append(lang)
        return real(result, lang)

    monkeypatch.setattr(writers, "_report_images", counting)
    write_outputs(fake_result(), tmp_path, formats=["html", "docx"])
    assert calls == ["zh"]
    html = (tmp_path / "report.html").read_text("utf-8")
    assert html.count("data:image/png;base64,") == 3
    write_outputs(fake_result(), tmp_path / "csv", formats=["csv"])
    assert calls == ["zh"]  # no report, no maps


def test_unknown_format_still_refused():
    from redline.zones.errors import RedlineError

    with pytest.raises(
        RedlineError, match=r"unknown format 'pdf'; use a comma list of csv, gpkg, html, map, docx, xlsx"
    ):
        parse_formats("csv,pdf")


def test_demo_writes_reports_workbook_and_map(tmp_path):
    out = tmp_path / "demo"
    proc = run_cli("demo", "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "report.docx", "results.xlsx", "map.html", "summary.json"} <= names
    import openpyxl

    wb = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert wb.sheetnames == ["选址结果", "发现明细", "规则", "准入清单", "说明"]
    wb.close()
    html = (out / "report.html").read_text("utf-8")
    assert html.count('<figure class="site-map">') >= 20 and "示意数据" in html
    assert "一、总体情况" in html and "三、审查意见" in html
