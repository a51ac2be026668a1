"""``redline layers validate`` and ``redline layers info --by``: output, files and exit codes."""

from __future__ import annotations

import csv

import pytest

from redline.layers import sample_dir
from redline.layers.validate import CSV_COLUMNS
from tests.conftest import run_cli
from tests.data import DEFECTIVE_DIR

DEFECTIVE = str(DEFECTIVE_DIR)
REGION = str(DEFECTIVE_DIR / "region.geojson")


def expected_rows() -> list[dict]:
    with open(DEFECTIVE_DIR / "expected.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_validate_clean_sample_exits_0_even_strict():
    proc = run_cli("layers", "validate", "sample", "--region", str(sample_dir() / "region.geojson"), "--strict")
    assert proc.returncode == 0, proc.stderr  # a warning never fails --strict
    assert "发现 0 个错误、1 个警告" in proc.stdout and "引用的上级或总体要求清单中没有" in proc.stdout
    assert "城镇开发边界" in proc.stdout and "示意数据" in proc.stdout


def test_validate_defective_writes_csv_and_gpkg_and_exits_0(tmp_path):
    out = tmp_path / "v"
    proc = run_cli("layers", "validate", DEFECTIVE, "--region", REGION, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    n = len(expected_rows())
    assert f"发现 {n} 个错误" in proc.stdout
    for check in ("invalid_geometry", "overlap", "gap", "water_level_overlap", "cross_overlap"):
        assert check in proc.stdout
    assert "validation.csv, validation.gpkg" in proc.stdout
    with open(out / "validation.csv", encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == CSV_COLUMNS and len(table) == n
    assert (out / "validation.gpkg").stat().st_size > 0


@pytest.mark.parametrize("quiet", [False, True], ids=["loud", "quiet"])
def test_validate_strict_exits_1_on_defects(quiet):
    args = ["layers", "validate", DEFECTIVE, "--region", REGION, "--strict", "--lang", "en"]
    proc = run_cli(*args, *(["--quiet"] if quiet else []))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    if quiet:
        assert proc.stdout == ""
    else:
        assert "--strict:" in proc.stdout and "error(s)" in proc.stdout and "overlap by" in proc.stdout


def test_validate_tolerance_and_limit(tmp_path):
    proc = run_cli("layers", "validate", DEFECTIVE, "--tolerance", "20000", "--limit", "1", "--strict")
    assert proc.returncode == 1  # the defects with no area (and the big overlap) are still errors
    assert "sliver" in proc.stdout and "低于容差 20000 m²" in proc.stdout
    assert "另有" in proc.stdout  # more rows than --limit, counted


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--region", "/nonexistent/region.geojson"], "不存在"),
        (["--tolerance", "-3"], "--tolerance"),
        (["--tolerance", "lots"], "--tolerance"),
    ],
)
def test_validate_bad_input_exits_2(args, pattern):
    proc = run_cli("layers", "validate", DEFECTIVE, *args)
    assert proc.returncode == 2
    assert pattern in proc.stderr


def test_info_by_districts(tmp_path):
    towns = str(sample_dir() / "region.geojson")
    proc = run_cli("layers", "info", "sample", "--by", towns, "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "指纹：sha256:" in proc.stdout  # the inventory of layers is still there
    for town in ("武利镇", "伯劳镇", "北通镇", "白石水镇", "五皇山片区"):
        assert town in proc.stdout
    assert "区域：管控单元合并范围，960.00 km²" in proc.stdout
    with open(tmp_path / "inventory.csv", encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    red = [r for r in table if r["kind"] == "ecological_redline" and r["zone_class"] == "*"]
    assert {r["district"] for r in red} == {"", "武利镇", "伯劳镇", "北通镇", "白石水镇", "五皇山片区"}
    whole = next(float(r["area_km2"]) for r in red if r["district"] == "")
    assert sum(float(r["area_km2"]) for r in red if r["district"]) == pytest.approx(whole, rel=1e-6)


def test_info_by_field_and_region_in_english(tmp_path):
    towns = str(sample_dir() / "region.geojson")
    proc = run_cli("layers", "info", "sample", "--by", towns, "--by-field", "county", "--region", towns, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "region: region.geojson" in proc.stdout
    assert proc.stdout.count("灵山县  ") == 1 and proc.stdout.count("浦北县  ") == 1  # towns dissolved by county
    proc = run_cli("layers", "info", "sample", "--by", towns, "--by-field", "NOPE")
    assert proc.returncode == 2 and "没有字段 'NOPE'" in proc.stderr  # Chinese by default
