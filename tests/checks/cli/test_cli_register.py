"""The register on the command line: --register on check and batch, register list/show, rescreen, layers diff."""

from __future__ import annotations

import csv
import shutil

import geopandas as gpd
import pytest

from redline.layers import sample_dir

SITE = "109.4015,22.4923"  # in the first-level zone SY450721-WL-1


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def new_layers(tmp_path_factory):
    """The sample with the first-level zone SY450721-WL-1 removed."""
    folder = tmp_path_factory.mktemp("new") / "layers"
    shutil.copytree(sample_dir(), folder)
    zones = gpd.read_file(folder / "water_source.gpkg", layer="zones")
    zones[zones["SYDBH"] != "SY450721-WL-1"].to_file(folder / "water_source.gpkg", layer="zones", driver="GPKG")
    return folder


def test_check_and_batch_record_their_runs(cli, tmp_path):
    register = str(tmp_path / "台账.gpkg")
    status, out, err = cli("check", SITE, "--industry", "H6210", "--project-no", "XM-1", "--register", register)
    assert status == 0, err and "已记入台账" in out
    status, out, err = cli(
        "batch",
        str(sample_dir() / "sites.geojson"),
        "--out",
        str(tmp_path / "b"),
        "--formats",
        "csv",
        "--register",
        register,
    )
    assert status == 0, err
    assert "第 2 次运行" in out and (tmp_path / "b" / "sites.csv").is_file()
    status, out, _ = cli("register", "list", "--register", register)
    assert status == 0 and "2 次运行" in out and "redline check 109.4015,22.4923" in out and "禁止 1" in out
    status, out, _ = cli("register", "show", "XM-1", "--register", register)
    assert status == 0 and "禁止" in out and "SY450721-WL-1" in out and "位于区内" in out


def test_a_failed_run_records_nothing(cli, tmp_path):
    register = str(tmp_path / "r.gpkg")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    status, _, err = cli("check", SITE, "--register", register, "--out", str(blocker / "sub"))
    assert status == 2 and "redline：警告：未给出 --site-id" in err
    status, out, _ = cli("register", "list", "--register", register)
    assert "0 次运行" in out


def test_a_register_is_asked_for(cli, monkeypatch):
    monkeypatch.delenv("REDLINE_REGISTER", raising=False)
    status, _, err = cli("register", "list")
    assert status == 2 and "--register" in err and "REDLINE_REGISTER" in err
    status, _, err = cli("register", "show", "nope", "--register", "nope.txt")
    assert status == 2 and "Traceback" not in err


def test_rescreen_lists_the_changed_verdicts(cli, tmp_path, new_layers):
    register = str(tmp_path / "r.gpkg")
    cli("check", SITE, "--industry", "H6210", "--site-id", "S01", "--register", register, "--quiet")
    cli("check", "109.52,22.49", "--site-id", "FAR", "--register", register, "--quiet")
    out = tmp_path / "re"
    status, text, err = cli(
        "rescreen", "--register", register, "--layers", str(new_layers), "--old-layers", "sample",
        "--out", str(out), "--formats", "csv", "--record",
    )  # fmt: skip
    assert status == 0, err
    assert "重新筛查 2 个选址：结论变化 1 个，未变 1 个" in text and "禁止 → 需关注" in text
    (change,) = rows(out / "changes.csv")
    assert (change["site_id"], change["old_verdict"], change["new_verdict"]) == ("S01", "prohibited", "review")
    assert {"sites.csv", "findings.csv", "summary.json", "changes.html"} <= {p.name for p in out.iterdir()}
    status, text, _ = cli("register", "list", "--register", register)
    assert "3 次运行" in text and "redline rescreen" in text


def test_layers_diff(cli, tmp_path, new_layers):
    path = tmp_path / "diff.csv"
    status, out, err = cli("layers", "diff", "sample", str(new_layers), "--out", str(path))
    assert status == 0, err
    assert "SY450721-WL-1" in out and "删除" in out and "共 1 个区域有变化" in out
    (row,) = rows(path)
    assert (row["zone_id"], row["change"]) == ("SY450721-WL-1", "removed")
