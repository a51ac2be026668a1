"""The contract columns of sites.csv and findings.csv, appended ones included (issues 16, 18, 21), and the run id."""

from __future__ import annotations

import csv
import json
import sqlite3

import pyogrio
import pytest

from redline.checks.outputs.writers import write_outputs
from redline.checks.result import FINDING_COLUMNS, FINDING_TABLE_COLUMNS, SITE_COLUMNS, SITE_TABLE_COLUMNS
from redline.zones.verdicts import VERDICTS
from tests.maps._fake_result import fake_result

APPENDED_SITE_COLUMNS = ["note", "project_name", "builder", "project_no", "eia_category", "eia_item", "eia_basis"]


def _header(path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def test_the_column_lists_are_the_contract():
    assert [*SITE_COLUMNS, "name", "industry", "tags", "action", *APPENDED_SITE_COLUMNS] == SITE_TABLE_COLUMNS
    assert [*FINDING_COLUMNS, "rule_text"] == FINDING_TABLE_COLUMNS


@pytest.mark.parametrize("illustrative", [True, False])
def test_every_column_is_written_empty_when_the_screening_gave_none(tmp_path, illustrative):
    result = fake_result(illustrative=illustrative)
    result.sites = result.sites.drop(columns=[c for c in APPENDED_SITE_COLUMNS if c in result.sites.columns])
    write_outputs(result, tmp_path, formats=["csv", "gpkg"])
    notice = ["notice"] if result.illustrative else []
    assert _header(tmp_path / "sites.csv") == [*SITE_TABLE_COLUMNS, *notice]
    assert _header(tmp_path / "findings.csv") == [*FINDING_TABLE_COLUMNS, *notice]
    with open(tmp_path / "sites.csv", encoding="utf-8-sig", newline="") as fh:
        assert all(row["eia_category"] == "" and row["builder"] == "" for row in csv.DictReader(fh))
    sites = pyogrio.read_dataframe(tmp_path / "results.gpkg", layer="sites")
    findings = pyogrio.read_dataframe(tmp_path / "results.gpkg", layer="findings")
    assert list(sites.columns[: len(SITE_TABLE_COLUMNS)]) == SITE_TABLE_COLUMNS
    assert list(findings.columns[: len(FINDING_TABLE_COLUMNS)]) == FINDING_TABLE_COLUMNS


def test_the_project_facts_and_eia_category_are_written_when_given(tmp_path):
    result = fake_result()
    facts = {
        "project_name": "武利镇光伏电站",
        "builder": "钦州某新能源有限公司",
        "project_no": "2025-450721-44-01-000001",
        "eia_category": "form",
        "eia_item": "四十一、电力、热力生产和供应业 90",
        "eia_basis": "《建设项目环境影响评价分类管理名录》",
    }
    result.sites = result.sites.assign(**{k: [v] * len(result.sites) for k, v in facts.items()})
    write_outputs(result, tmp_path, formats=["csv", "gpkg"])
    with open(tmp_path / "sites.csv", encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert {k: row[k] for k in facts} == facts
    gpkg = pyogrio.read_dataframe(tmp_path / "results.gpkg", layer="sites")
    assert gpkg.loc[0, "builder"] == facts["builder"] and gpkg.loc[0, "eia_category"] == "form"


def test_summary_counts_every_verdict_and_ties_the_set_by_its_run_id(tmp_path):
    result = fake_result()
    write_outputs(result, tmp_path, formats=["csv", "gpkg", "html"])
    summary = json.loads((tmp_path / "summary.json").read_text("utf-8"))
    assert list(summary["verdicts"]) == [*VERDICTS, "error"] and "no_coverage" in summary["verdicts"]
    assert sum(summary["verdicts"].values()) == len(result.sites)
    run_id = summary["run_id"]
    assert summary["files"] == ["sites.csv", "findings.csv", "results.gpkg", "report.html", "summary.json"]
    assert sorted(summary["sha256"]) == sorted(summary["files"][:-1])
    assert pyogrio.read_info(tmp_path / "results.gpkg", layer="sites")["dataset_metadata"]["redline_run_id"] == run_id
    with sqlite3.connect(tmp_path / "results.gpkg") as db:
        assert {r[0] for r in db.execute("select table_name from gpkg_contents")} == {"sites", "findings"}
    html = (tmp_path / "report.html").read_text("utf-8")
    assert f'<meta name="redline-run-id" content="{run_id}">' in html
    assert "run_id" not in result.meta  # the caller's result is not changed
