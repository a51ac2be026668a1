"""The register of screenings (checks/register): a round trip on the GeoPackage default and on PostGIS."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from redline.checks.register import RegisterError, open_register
from redline.checks.register.rows import BEIJING
from redline.checks.result import FINDING_COLUMNS
from redline.checks.screen import screen_sites
from redline.checks.sites.reader import read_sites
from redline.layers import load_layerset, sample_dir
from redline.zones.project import make_project
from tests._postgres import fresh_database

ISO_BEIJING = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


@pytest.fixture(scope="module")
def sample():
    layers = load_layerset("sample")
    sites, _ = read_sites(sample_dir() / "sites.geojson")
    return sites, layers, screen_sites(sites, layers)


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, tmp_path) -> str:
    if request.param == "gpkg":
        return str(tmp_path / "register.gpkg")
    return fresh_database("register")


def _same(a: pd.Series, b: pd.Series) -> bool:
    a, b = a.astype(object).to_numpy(), b.astype(object).to_numpy()
    return all((pd.isna(x) and pd.isna(y)) or x == y for x, y in zip(a, b, strict=True))


def test_a_run_is_recorded_and_read_back_whole(target, sample):
    sites, layers, result = sample
    register = open_register(target)
    run_id = register.record(result, command="redline batch sites.geojson --layers sample", client="desk-3")
    runs = register.runs()
    assert runs["run_id"].tolist() == [run_id]
    run = runs.iloc[0]
    assert ISO_BEIJING.match(run["recorded"])
    recorded = dt.datetime.fromisoformat(run["recorded"])
    assert abs((dt.datetime.now(BEIJING) - recorded).total_seconds()) < 120
    assert (run["command"], run["client"], run["layerset"]) == (
        "redline batch sites.geojson --layers sample",
        "desk-3",
        layers.name,
    )
    assert run["fingerprints"] == layers.fingerprints()
    assert run["catalog_versions"] == result.catalog.versions
    assert run["verdicts"] == result.verdict_counts()
    assert (run["n_sites"], run["n_findings"], run["buffer_m"]) == (len(sites), len(result.findings), 1000.0)

    latest = register.latest_sites()
    assert latest["site_id"].tolist() == result.sites["site_id"].tolist()
    assert latest["recorded_verdict"].tolist() == result.sites["verdict"].tolist()
    assert latest["project"].tolist() == result.sites["project"].tolist()
    assert latest["name"].tolist() == result.sites["name"].tolist()
    assert latest.crs.to_epsg() == 4490
    assert shapely.equals_exact(latest.geometry.values, result.sites.geometry.values, tolerance=0).all()
    assert set(latest["run_id"]) == {run_id}

    findings = register.findings(run_id)
    assert list(findings.columns) == ["run_id", *FINDING_COLUMNS] and len(findings) == len(result.findings)
    for column in FINDING_COLUMNS:
        assert _same(findings[column], result.findings[column]), column

    # the latest versions screen again as they are: the same verdicts
    again = screen_sites(latest, layers)
    assert again.sites["verdict"].tolist() == result.sites["verdict"].tolist()


def test_history_and_latest_versions_follow_the_runs(target, sample):
    sites, layers, result = sample
    register = open_register(target)
    first = register.record(result, command="redline batch sites.geojson")
    changed = sites[sites["site_id"].isin(["S01", "S02"])].copy()
    changed["project"] = [make_project("C3360", "heavy_metal", "expand")] * 2
    second = register.record(screen_sites(changed, layers), command="redline batch two.geojson", client=None)
    assert second > first
    history = register.site_history("S01")
    assert history["run_id"].tolist() == [first, second]
    assert history["command"].tolist() == ["redline batch sites.geojson", "redline batch two.geojson"]
    assert history["industry"].tolist() == ["H6210", "C3360"]
    assert history.geometry.iloc[0].equals(history.geometry.iloc[1])
    latest = register.latest_sites().set_index("site_id")
    assert len(latest) == len(sites)
    assert latest.loc["S01", "run_id"] == second and latest.loc["S03", "run_id"] == first
    assert latest.loc["S01", "project"] == make_project("C3360", "heavy_metal", "expand")
    today = dt.datetime.now(BEIJING).date()
    assert len(register.latest_sites(since=today)) == len(sites)
    assert register.latest_sites(since=today + dt.timedelta(days=1)).empty
    assert set(register.latest_findings()["run_id"]) == {first, second}


def test_error_rows_are_recorded_but_never_rescreened(tmp_path, sample):
    sites, layers, _ = sample
    broken = sites.head(3).copy()
    broken.loc[1, ["status", "error"]] = ["error", "no coordinates"]
    broken.loc[1, "geometry"] = None
    register = open_register(tmp_path / "register.gpkg")
    register.record(screen_sites(broken, layers), command="redline batch three.csv")
    history = register.site_history(broken.loc[1, "site_id"])
    assert history[["status", "error"]].values.tolist() == [["error", "no coordinates"]]
    assert history.geometry.iloc[0] is None
    assert broken.loc[1, "site_id"] not in set(register.latest_sites()["site_id"])


def test_no_secret_is_stored(tmp_path, sample):
    register = open_register(tmp_path / "register.gpkg")
    result = sample[2]
    with pytest.raises(RegisterError) as caught:
        register.record(result, command="POST /screen", client="Bearer " + "a1B2c3D4" * 6)
    assert caught.value.param == "client" and "a1B2c3D4" not in str(caught.value)
    register.record(result, command="redline batch s.geojson --register postgresql://u:hunter22@db/x --token abc")
    text = register.runs().iloc[0]["command"]
    assert "hunter22" not in text and "abc" not in text and "postgresql://u@db/x" in text


def test_the_geopackage_opens_in_gis_with_its_sites_layer(tmp_path, sample):
    path = tmp_path / "register.gpkg"
    register = open_register(path)
    register.record(sample[2], command="redline batch sites.geojson")
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"sites", "runs", "findings"} and layers["runs"] is None
    info = pyogrio.read_info(path, layer="sites")
    assert info["crs"] == "EPSG:4490" and info["features"] == len(sample[2].sites)
    sites = pyogrio.read_dataframe(path, layer="sites")
    assert sites["site_id"].tolist() == sample[2].sites["site_id"].tolist()
    assert shapely.equals_exact(sites.geometry.values, sample[2].sites.geometry.values, tolerance=0).all()
    bounds = np.array(info["total_bounds"])
    assert np.allclose(bounds, sample[2].sites.total_bounds)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_target_that_is_no_register_is_refused(tmp_path):
    with pytest.raises(RegisterError, match=r"not a \.gpkg file") as caught:
        open_register(tmp_path / "register.csv")
    assert caught.value.param == "register"
    with pytest.raises(RegisterError, match="does not exist; create it first"):
        open_register(tmp_path / "missing" / "register.gpkg")
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(RegisterError, match="cannot be"):
        open_register(junk)
    with pytest.raises(RegisterError, match="holds a password") as caught:
        open_register("postgresql://u:pw@127.0.0.1/db")
    assert "pw@" not in str(caught.value) and caught.value.param == "register"


def _drop_new_site_columns(target: str) -> None:
    """Make a register look written before its sites kept the project whole (and its name, builder, number)."""
    new = ("project_name", "builder", "project_no", "project")
    drops = [f"ALTER TABLE {{sites}} DROP COLUMN {name}" for name in new]
    if target.endswith(".gpkg"):
        with sqlite3.connect(target) as conn:
            for statement in drops:
                conn.execute(statement.format(sites="sites"))
        return
    import psycopg

    with psycopg.connect(target, autocommit=True) as conn:
        for statement in drops:
            conn.execute(statement.format(sites="redline.sites"))


def test_a_register_written_before_the_project_columns_is_read_and_extended(target, sample):
    result = sample[2]
    open_register(target).record(result, command="redline batch sites.geojson")
    _drop_new_site_columns(target)
    register = open_register(target)  # the missing columns are added, empty in the old rows
    old = register.latest_sites().set_index("site_id")
    rebuilt = make_project("C1713", "serious_water_pollution;discharges_wastewater", "rebuild")
    assert old.loc["S08", "project"] == rebuilt  # (its facts were not kept then)
    assert old.loc["S08", "builder"] == ""
    run_id = register.record(result, command="redline batch sites.geojson")
    latest = register.latest_sites()
    assert set(latest["run_id"]) == {run_id}
    assert latest["project"].tolist() == result.sites["project"].tolist()
    assert latest.set_index("site_id").loc["S08", "project"].facts == (("工艺", "前处理;染色"),)
