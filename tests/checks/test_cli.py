"""The redline command line, run as a user runs it: in a subprocess."""

from __future__ import annotations

import csv
import json
import sqlite3

import geopandas as gpd
import pytest
from shapely import Point, box

from redline.checks.result import FINDING_COLUMNS, FINDING_TABLE_COLUMNS, SITE_COLUMNS
from tests.conftest import run_cli, write_layerset

ZONE = box(109.30, 22.20, 109.34, 22.24)


@pytest.fixture(scope="module")
def layers_yaml(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layers")
    return write_layerset(
        folder,
        {
            "water_source": [("WS-1", "first", ZONE), ("WS-2", "second", box(109.34, 22.20, 109.38, 22.24))],
            "basic_farmland": [("BF-1", None, box(109.40, 22.20, 109.41, 22.21))],
        },
    )


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("redline-checker ")


def test_check_point_prints_verdict(layers_yaml):
    proc = run_cli("check", "109.32,22.22", "--layers", str(layers_yaml), "--industry", "C3360")
    assert proc.returncode == 0, proc.stderr
    assert "禁止" in proc.stdout and "WS01" in proc.stdout


def test_check_writes_outputs_in_english(layers_yaml, tmp_path):
    out = tmp_path / "out"
    proc = run_cli(
        "check",
        "109.32,22.22",
        "--layers",
        str(layers_yaml),
        "--out",
        str(out),
        "--lang",
        "en",
        "--formats",
        "csv,gpkg",
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "results.gpkg", "sites.csv", "summary.json"]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["verdicts"]["prohibited"] == 1
    assert summary["layers"][0]["fingerprint"].startswith("sha256:")


def test_batch_contract_columns_and_numbers(layers_yaml, tmp_path):
    sites = gpd.GeoDataFrame(
        {"XMBH": ["half", "far", "near", "empty"], "HYDM": ["C2614", "", "", ""]},
        geometry=[box(109.335, 22.21, 109.345, 22.22), Point(111, 24), Point(109.4155, 22.205), None],
        crs="EPSG:4490",
    )
    path = tmp_path / "sites.gpkg"
    sites.to_file(path)
    out = tmp_path / "out"
    proc = run_cli(
        "batch",
        str(path),
        "--layers",
        str(layers_yaml),
        "--out",
        str(out),
        "--id-field",
        "XMBH",
        "--industry-field",
        "HYDM",
    )
    assert proc.returncode == 0, proc.stderr
    rows = read_csv(out / "sites.csv")
    assert list(rows[0])[: len(SITE_COLUMNS)] == SITE_COLUMNS
    assert [r["site_id"] for r in rows] == ["half", "far", "near", "empty"]
    assert [r["verdict"] for r in rows[:3]] == ["prohibited", "clear", "review"]
    assert rows[3]["status"] == "error" and "no geometry" in rows[3]["error"]
    findings = read_csv(out / "findings.csv")
    assert list(findings[0])[: len(FINDING_COLUMNS)] == FINDING_COLUMNS
    assert list(findings[0]) == FINDING_TABLE_COLUMNS  # new columns are appended, never inserted
    half = [f for f in findings if f["site_id"] == "half"]
    assert {f["zone_id"]: float(f["overlap_ratio"]) for f in half} == pytest.approx(
        {"WS-1": 0.5, "WS-2": 0.5}, rel=1e-6
    )
    near = next(f for f in findings if f["site_id"] == "near")
    assert near["relation"] == "nearby" and 500 < float(near["distance_m"]) < 600
    assert near["overlap_area_m2"] == "" and near["overlap_ratio"] == ""
    with sqlite3.connect(out / "results.gpkg") as db:
        tables = {r[0] for r in db.execute("select table_name from gpkg_contents")}
    assert tables == {"sites", "findings"}
    for name in ("report.html", "map.html", "summary.json"):
        assert (out / name).stat().st_size > 0
    assert (out / "sites.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["check", "not-a-site"], r"neither \"lon,lat\" nor WKT"),
        (["check", "POLYGON ((1 2, 3"], r"neither \"lon,lat\" nor WKT"),
        (["check", "109.3,22.2", "--industry", "Z123"], r"industry 'Z123' is neither"),
        (["check", "109.3,22.2", "--tag", "nosuchtag"], r"unknown project tag 'nosuchtag'"),
        (["check", "109.3,22.2", "--layers", "/nonexistent/layerset.yaml"], r"does not exist"),
        (["check", "109.3,22.2", "--crs", "EPSG:999999"], r"--crs: 'EPSG:999999' is not a coordinate reference system"),
        (["check", "109.3,22.2", "--formats", "csv,pdf"], r"unknown format 'pdf'"),
        (["check", "36512345,2468000"], r"look like EPSG:4524"),
        (["batch", "/nonexistent/sites.shp", "--out", "x"], r"sites file '/nonexistent/sites.shp' does not exist"),
        (["rules", "show", "XX99"], r"no rule with code 'XX99'"),
        (["check", "109.3,22.2", "--buffer", "-5"], r"--buffer: -5 is outside"),
    ],
)
def test_bad_input_exits_2_with_one_message(args, pattern, layers_yaml):
    if "--layers" not in args and args[0] == "check":
        args = [*args, "--layers", str(layers_yaml)]
    proc = run_cli(*args, "--lang", "en")  # (the Chinese texts: tests/zones/test_error_chinese.py)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    import re

    assert re.search(pattern, proc.stderr), proc.stderr


def test_manifest_with_several_mistakes_lists_all(tmp_path):
    (tmp_path / "layerset.yaml").write_text(
        "name: bad\nlayers:\n  - kind: wetland\n    path: a.gpkg\n  - kind: water_source\n    path: b.gpkg\n"
        "    class_map: {一级: top}\n",
        "utf-8",
    )
    proc = run_cli("check", "109.3,22.2", "--layers", str(tmp_path), "--lang", "en")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    for piece in ("unknown kind 'wetland'", "a.gpkg' does not exist", "'top', not a class", "missing 'class_field'"):
        assert piece in proc.stderr
    assert proc.stderr.count("\n  - ") == 5


def test_rules_list_show_validate(tmp_path):
    proc = run_cli("rules", "list")
    assert proc.returncode == 0 and "WS01" in proc.stdout and "BF01" in proc.stdout
    proc = run_cli("rules", "show", "ws01")
    assert "第三百一十九条" in proc.stdout
    bad = tmp_path / "cat.yaml"
    bad.write_text(
        "catalog: x\nversion: '1'\nrules:\n  - {code: A1, kind: water_source, verdict: maybe, text_zh: t, basis: b}\n"
        "  - {code: A1, kind: moon, verdict: review, text_zh: t, basis: b, tags: [nope]}\n",
        "utf-8",
    )
    proc = run_cli("rules", "validate", str(bad))
    assert proc.returncode == 2
    for piece in ("bad verdict 'maybe'", "duplicate code", "unknown kind 'moon'", "unknown tag 'nope'"):
        assert piece in proc.stderr
    proc = run_cli("rules", "validate", "zones/catalog/national.yaml")
    assert proc.returncode == 0 and "通过，共" in proc.stdout and "条规则" in proc.stdout
    proc = run_cli("rules", "validate", "zones/catalog/national.yaml", "--lang", "en")
    assert proc.returncode == 0 and ": OK, " in proc.stdout


def test_layers_info(layers_yaml):
    proc = run_cli("layers", "info", str(layers_yaml))
    assert proc.returncode == 0, proc.stderr
    assert "water_source" in proc.stdout and "sha256:" in proc.stdout and "km²" in proc.stdout


def test_unwritable_out_is_a_clear_error(layers_yaml, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    args = ("check", "109.32,22.22", "--layers", str(layers_yaml), "--out", str(blocker / "sub"))
    proc = run_cli(*args)
    assert proc.returncode == 2 and proc.stderr.startswith("redline：错误：--out") and "Traceback" not in proc.stderr
    proc = run_cli(*args, "--lang", "en")
    assert proc.returncode == 2 and "redline: error: --out: cannot create folder" in proc.stderr


def test_access_list_through_the_cli(tmp_path):
    from tests.zones.test_access_list import UNITS, frame

    folder = tmp_path / "units"
    folder.mkdir()
    frame().to_csv(folder / "access_list.csv", index=False, encoding="gbk")
    manifest = write_layerset(
        folder, {"control_unit": UNITS}, extra={"control_unit": {"access_list": "access_list.csv"}}
    )
    proc = run_cli("check", "109.35,22.25", "--layers", str(manifest), "--industry", "电镀")
    assert proc.returncode == 0, proc.stderr
    assert "ZH45072120001/空间布局约束/2" in proc.stdout and "禁止" in proc.stdout
    assert "✔ ZH45072120001/空间布局约束/2" in proc.stdout
    assert "新建项目主要污染物排放执行特别排放限值" in proc.stdout  # unstructured clause shown too
    proc = run_cli("check", "109.45,22.25", "--layers", str(manifest), "--industry", "C3360")
    assert "CU04" in proc.stdout and "一般管控单元执行区域生态环境保护的基本要求" in proc.stdout
    proc = run_cli("rules", "validate", str(folder / "access_list.csv"))
    assert proc.returncode == 0 and "通过，共 8 条条款" in proc.stdout
    proc = run_cli("rules", "validate", str(folder / "access_list.csv"), "--lang", "en")
    assert proc.returncode == 0 and "OK, 8 clauses" in proc.stdout


def test_ambiguous_industry_name_lists_candidates():
    proc = run_cli("check", "109.3,22.2", "--industry", "饲养")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "A0313 猪的饲养" in proc.stderr


def test_bad_access_list_table_is_reported_with_rows(tmp_path):
    bad = tmp_path / "al.csv"
    bad.write_text("unit_code,dimension,clause,verdict,industries\nZH1,噪声,x,maybe,C9999\n", "utf-8")
    proc = run_cli("rules", "validate", str(bad))
    assert proc.returncode == 2
    for piece in ("row 2: unknown dimension '噪声'", "row 2: bad verdict 'maybe'", "row 2: industries: 'C9999'"):
        assert piece in proc.stderr


def test_batch_on_the_dask_engine_writes_the_same_tables(tmp_path):
    from redline.layers import sample_dir

    sites = str(sample_dir() / "sites.geojson")
    local, dask = tmp_path / "local", tmp_path / "dask"
    run_cli("batch", sites, "--out", str(local), "--formats", "csv", "--quiet", check=True)
    run_cli("batch", sites, "--out", str(dask), "--formats", "csv", "--quiet", "--engine", "dask", check=True)
    for name in ("sites.csv", "findings.csv"):
        assert (local / name).read_bytes() == (dask / name).read_bytes()
