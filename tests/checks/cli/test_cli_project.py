"""What is proposed, as the command line takes it: project information, facts, Chinese tags, default site ids."""

from __future__ import annotations

import csv

import pytest

SITE = "109.4015,22.4923"  # in the sample's first-level water-source zone


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_check_writes_project_information_and_names_the_site_by_it(cli, tmp_path):
    out = tmp_path / "out"
    status, text, err = cli(
        "check", SITE, "--industry", "H6210", "--project-name", "武利江畔农家乐", "--builder", "某旅游公司",
        "--project-no", "2024-450721-01", "--out", str(out), "--formats", "csv",
    )  # fmt: skip
    assert status == 0, err
    assert "选址 2024-450721-01（武利江畔农家乐）：禁止" in text
    assert "建设单位：某旅游公司" in text and "位于区内" in text and "邻近 62.3 米" in text
    (site,) = rows(out / "sites.csv")
    assert (site["site_id"], site["project_name"], site["builder"], site["project_no"]) == (
        "2024-450721-01", "武利江畔农家乐", "某旅游公司", "2024-450721-01",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "site_id"),
    [
        ([], "选址1"),
        (["--lang", "en"], "site-1"),
        (["--project-name", "某项目"], "某项目"),
        (["--site-id", "X9"], "X9"),
    ],
)
def test_the_default_site_id(cli, tmp_path, args, site_id):
    status, _, err = cli("check", SITE, "--out", str(tmp_path), "--formats", "csv", "--quiet", *args)
    assert status == 0, err
    assert rows(tmp_path / "sites.csv")[0]["site_id"] == site_id


def test_facts_decide_the_eia_category_and_chinese_tag_labels_are_tags(cli, tmp_path):
    status, text, err = cli(
        "check", "109.52,22.49", "--industry", "A0313", "--tag", "畜禽规模养殖", "--fact", "年出栏生猪=6000头",
        "--out", str(tmp_path), "--formats", "csv",
    )  # fmt: skip
    assert status == 0, err
    (site,) = rows(tmp_path / "sites.csv")
    assert site["tags"] == "livestock" and site["eia_category"] == "report"
    assert "标签：畜禽规模养殖" in text and "环评类别：环境影响报告书" in text


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ("装机容量", "is not KEY=VALUE"),
        ("风力=5", "--fact: unknown fact '风力'"),
        ("装机容量=6 furlongs", "unknown unit"),
    ],
)
def test_a_bad_fact_is_refused_before_anything_is_read(cli, fact, message):
    status, _, err = cli("check", SITE, "--fact", fact, "--layers", "/no/such/layers", "--lang", "en")
    assert status == 2 and message in err and "does not exist" not in err


def test_batch_reads_project_columns_and_fact_columns(cli, tmp_path):
    table = tmp_path / "sites.csv"
    table.write_text(
        "编号,项目名称,建设单位,项目代码,经度,纬度,行业代码,标签,年出栏生猪\n"
        "A1,某养猪场,某牧业公司,2024-450721-03,109.52,22.49,A0313,畜禽规模养殖,6000头\n"
        "A2,某养猪场二期,,,109.52,22.50,A0313,畜禽规模养殖,\n"
        "A3,,,,109.45,22.52,C3360,排放废水;heavy_metal,\n",
        "utf-8",
    )
    out = tmp_path / "out"
    status, text, err = cli("batch", str(table), "--out", str(out), "--formats", "csv")
    assert status == 0, err
    a1, a2, a3 = rows(out / "sites.csv")
    assert (a1["project_name"], a1["builder"], a1["project_no"]) == ("某养猪场", "某牧业公司", "2024-450721-03")
    assert a2["builder"] == "" and a3["tags"] == "discharges_wastewater;heavy_metal"
    assert a1["eia_category"] == "report" and a2["eia_category"] == "undetermined"  # no 年出栏生猪: asked
    assert "共检查 3 个选址" in text


def test_batch_fact_option_is_every_rows_default_and_a_cell_wins(cli, tmp_path):
    table = tmp_path / "sites.csv"
    table.write_text("id,lon,lat,industry,年出栏生猪\nA,109.52,22.49,A0313,100头\nB,109.52,22.50,A0313,\n", "utf-8")
    out = tmp_path / "out"
    status, _, err = cli(
        "batch", str(table), "--out", str(out), "--formats", "csv", "--fact", "年出栏生猪=8000头", "--tag", "livestock",
    )  # fmt: skip
    assert status == 0, err
    a, b = rows(out / "sites.csv")
    assert b["eia_category"] == "report" and a["eia_category"] != "report"


def test_batch_field_options_name_the_project_columns(cli, tmp_path):
    table = tmp_path / "sites.csv"
    table.write_text("id,lon,lat,XMMC2,DW,BH\nA,109.52,22.49,某项目,某单位,NO-1\n", "utf-8")
    out = tmp_path / "out"
    status, _, err = cli(
        "batch", str(table), "--out", str(out), "--formats", "csv", "--quiet",
        "--project-name-field", "XMMC2", "--builder-field", "DW", "--project-no-field", "BH",
    )  # fmt: skip
    assert status == 0, err
    (a,) = rows(out / "sites.csv")
    assert (a["project_name"], a["builder"], a["project_no"]) == ("某项目", "某单位", "NO-1")


def test_an_unknown_tag_label_is_refused(cli):
    status, _, err = cli("check", SITE, "--tag", "排放臭气")
    assert status == 2 and "排放臭气" in err
