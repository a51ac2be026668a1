"""Re-screening after a layer update (checks/register/rescreen.py): a red line moved, a forest park moved."""

from __future__ import annotations

import shutil

import pandas as pd
import pyogrio
import pytest
import shapely
from shapely import affinity

from redline.checks.register import open_register
from redline.checks.register.rescreen import CHANGE_COLUMNS, rescreen
from redline.checks.screen import screen_sites
from redline.checks.sites.reader import read_sites
from redline.layers import load_layerset, sample_dir
from tests._postgres import fresh_database

RED_LINE = ("ecological_redline.geojson", "HXBH", "HX450722-001", 0.02)
FOREST_PARK = ("forest_park.geojson", "ZRBHDBM", "ZRGY450722-001", 0.03)  # the confidential layer


def _moved_copy(folder, *moves):
    """Copy the sample layer set into ``folder`` with one polygon of each move shifted east."""
    shutil.copytree(sample_dir(), folder)
    for name, field, zone_id, dx in moves:
        gdf = pyogrio.read_dataframe(folder / name)
        i = gdf.index[gdf[field] == zone_id][0]
        gdf.loc[i, "geometry"] = affinity.translate(gdf.geometry[i], xoff=dx)
        pyogrio.write_dataframe(gdf, folder / name)
    return folder


@pytest.fixture(scope="module")
def sample():
    sites, _ = read_sites(sample_dir() / "sites.geojson")
    return sites, load_layerset("sample")


def _expected(sites, old, new) -> set[str]:
    before = screen_sites(sites, old).sites.set_index("site_id")["verdict"]
    after = screen_sites(sites, new).sites.set_index("site_id")["verdict"]
    return set(before.index[before != after])


@pytest.mark.parametrize("store", ["gpkg", "postgis"])
def test_a_moved_red_line_lists_exactly_the_sites_whose_verdict_changed(store, sample, tmp_path):
    sites, old = sample
    register = open_register(tmp_path / "register.gpkg" if store == "gpkg" else fresh_database("rescreen"))
    run_id = register.record(screen_sites(sites, old), command="redline batch sites.geojson")
    new = load_layerset(_moved_copy(tmp_path / "new", RED_LINE))
    expected = _expected(sites, old, new)
    assert expected  # the move matters to some sites

    out = rescreen(register, new, old_layerset=old)
    assert list(out.changes.columns) == CHANGE_COLUMNS
    assert set(out.changes["site_id"]) == expected and len(out.changes) == len(expected)
    assert out.unchanged == len(sites) - len(expected)
    assert set(out.changes["old_run"]) == {run_id}
    assert set(out.changes["changed_kinds"]) == {"ecological_redline"}
    tokens = ";".join(out.changes[["zones_added", "zones_dropped", "zones_changed"]].to_numpy().ravel())
    assert set(filter(None, tokens.split(";"))) == {"ecological_redline:HX450722-001"}
    direct = screen_sites(sites, new).sites.set_index("site_id")["verdict"]
    for row in out.changes.itertuples():
        assert row.new_verdict == direct[row.site_id] and row.old_verdict != row.new_verdict
    zones = out.zone_changes
    assert set(zones["site_id"]) == expected and set(zones["layer_change"]) == {"reshaped"}
    assert (zones["area_change_m2"].abs() < 1).all()  # moved, not resized

    written = pd.read_csv(out.write_csv(tmp_path / "changes.csv"), encoding="utf-8-sig", dtype=str)
    assert list(written.columns) == CHANGE_COLUMNS and set(written["site_id"]) == expected


def test_the_changes_page_never_draws_a_confidential_zone(sample, tmp_path):
    sites, old = sample
    register = open_register(tmp_path / "register.gpkg")
    register.record(screen_sites(sites, old), command="redline batch sites.geojson")
    new = load_layerset(_moved_copy(tmp_path / "new", RED_LINE, FOREST_PARK))
    out = rescreen(register, new, old_layerset=old)
    assert set(out.changes["site_id"]) == _expected(sites, old, new)
    data = out.page_data()
    zones = [z for site in data["sites"] for z in site["zones"]]
    secret = [z for z in zones if z["kind"] == "nature_reserve"]
    public = [z for z in zones if z["kind"] == "ecological_redline"]
    assert secret and public and data["confidential_kinds"] == ["nature_reserve"]
    assert all(z["confidential"] and z["old_outline"] is None and z["new_outline"] is None for z in secret)
    assert all(z["old_outline"] is not None and z["new_outline"] is not None for z in public)
    assert all(not z["old_outline"].equals(z["new_outline"]) for z in public)
    assert out.layer_diff.loc[out.layer_diff["kind"] == "nature_reserve", "new_geometry"].isna().all()

    page = out.write_html(tmp_path / "changes.html").read_text("utf-8")
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page  # Leaflet inline: opens offline
    assert all(site["site_id"] in page for site in data["sites"])
    for layers in (old, new):
        park = layers.zones("nature_reserve").geometry.iloc[0]
        for x, y in shapely.get_coordinates(park)[:50]:
            assert f"{x}, {y}" not in page and f"{x},{y}" not in page
            assert f"{round(x, 6)}" not in page
    red = new.zones("ecological_redline")
    moved = red.geometry[red["zone_id"] == "HX450722-001"].iloc[0]
    x, _ = shapely.get_coordinates(moved)[0]
    assert str(x)[:10] in page  # the public outline is drawn


def test_nothing_to_rescreen_since_tomorrow(sample, tmp_path):
    import datetime as dt

    from redline.checks.register.rows import BEIJING

    sites, old = sample
    register = open_register(tmp_path / "register.gpkg")
    register.record(screen_sites(sites.head(5), old), command="redline batch five.geojson")
    tomorrow = dt.datetime.now(BEIJING).date() + dt.timedelta(days=1)
    out = rescreen(register, old, since=tomorrow)
    assert out.changes.empty and out.unchanged == 0 and out.results == []
    same = rescreen(register, old)
    assert same.changes.empty and same.unchanged == 5 and same.findings_changed == 0
    assert "没有项目的研判结论发生变化" in same.write_html(tmp_path / "none.html").read_text("utf-8")
