"""Maps never draw a confidential (涉密) layer: the interactive maps, the reports' site maps, the zoning maps."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import shapely

from redline.checks import read_sites, screen_sites
from redline.layers import load_layerset
from redline.maps import site_map, zoning_figure, zoning_map
from redline.maps import static_map as static
from redline.maps._leaflet import drawable_kinds, public_zones
from redline.maps.site_map import _bounds, payload_json
from redline.zones.errors import RedlineError
from tests.checks.test_confidential_outputs import (
    SECRET_1,
    SECRET_2,
    SITE_A,
    SITE_B,
    SITE_C,
    SITE_D,
    WATER,
    assert_no_vertex,
    payload_coordinates,
    secret_vertices,
)
from tests.conftest import write_layerset

zoning = importlib.import_module("redline.maps.zoning_map")  # the package's zoning_map is the function

NOTE_ZH = "涉密图层（自然保护地）：边界不予显示"
NOTE_EN = "confidential layer (protected area (national park, nature reserve, nature park)): boundary not shown"


@pytest.fixture(scope="module")
def layerset(tmp_path_factory):
    manifest = write_layerset(
        tmp_path_factory.mktemp("maps") / "layers",
        {
            "nature_reserve": [("FP-SECRET-A", "general", SECRET_1), ("FP-SECRET-B", "core", SECRET_2)],
            "water_source": [("WS-PUBLIC", "first", WATER)],
        },
        extra={"nature_reserve": {"confidential": True}},
    )
    return load_layerset(manifest)


@pytest.fixture(scope="module")
def result(layerset, tmp_path_factory):
    import geopandas as gpd

    path = tmp_path_factory.mktemp("sites") / "sites.geojson"
    gpd.GeoDataFrame(
        {"site_id": ["A", "B", "C", "D"]}, geometry=[SITE_A, SITE_B, SITE_C, SITE_D], crs="EPSG:4490"
    ).to_file(path, driver="GeoJSON", engine="pyogrio")
    sites, _ = read_sites(path)
    return screen_sites(sites, layerset, buffer_m=1000)


def test_public_zones_and_drawable_kinds(layerset):
    assert public_zones(layerset, "nature_reserve").empty
    assert public_zones(layerset, "water_source")["zone_id"].tolist() == ["WS-PUBLIC"]
    assert drawable_kinds(layerset, ["nature_reserve", "water_source"]) == ["water_source"]
    assert len(layerset.zones("nature_reserve")) == 2  # the layer set itself still holds them


@pytest.mark.parametrize(("lang", "note"), [("zh", NOTE_ZH), ("en", NOTE_EN)])
def test_site_map_draws_no_confidential_zone_and_says_so(result, lang, note):
    m = site_map(result, lang=lang)
    payload = m.rc_payload
    assert [f[1] for z in payload["zones"] for f in z["f"]] == ["WS-PUBLIC"]
    assert_no_vertex(payload_coordinates(payload), secret_vertices(), 1.5e-6)
    overlaps = payload["overlaps"]["f"] if payload["overlaps"] else []
    assert len(overlaps) == 0  # A's and B's overlaps are confidential; D's overlap is a point (not drawn)
    html = m.get_root().render()
    assert note in html
    assert "FP-SECRET-A" in payload_json(m)  # the findings are still listed in the popups
    for zone in (SECRET_1, SECRET_2):
        x0, y0, x1, y1 = zone.bounds
        for v in (x0, y0, x1, y1):
            assert repr(round(v, 6)) not in html and repr(v) not in html


def test_a_map_without_sites_is_framed_by_the_public_layers_only(layerset):
    bounds = _bounds(np.zeros(0, dtype=object), layerset, 0.0)
    assert bounds == [[22.28, 109.20], [22.29, 109.21]]


def test_site_maps_in_reports_draw_no_confidential_zone_and_carry_a_note(result, monkeypatch):
    projected, figures = [], []
    real_project, real_png = static._project, static.png_bytes

    def record_project(geoms, tr):
        projected.extend(np.atleast_1d(np.asarray(geoms, dtype=object)))
        return real_project(geoms, tr)

    def record_png(fig, **kw):
        figures.append([t.get_text() for t in fig.texts])
        return real_png(fig, **kw)

    monkeypatch.setattr(static, "_project", record_project)
    monkeypatch.setattr(static, "png_bytes", record_png)
    images = static.site_map_pngs(result, ["A", "B", "C", "D"], lang="zh")
    assert sorted(images) == ["A", "B", "C", "D"]
    geoms = np.array([g for g in projected if g is not None], dtype=object)
    assert_no_vertex(shapely.get_coordinates(geoms), secret_vertices(), 1e-9)
    secret = shapely.union_all([SECRET_1, SECRET_2])
    meets = [g for g in geoms if shapely.intersects(g, secret)]
    assert meets and all(g.equals(SITE_A) or g.equals(SITE_B) for g in meets)  # only the sites A and B
    notes = [NOTE_ZH in texts for texts in figures]
    assert notes == [True, True, True, False]  # A, B, C have findings in it; D has none


def test_zoning_map_html_leaves_it_out_with_a_note(layerset):
    m = zoning_map(layerset)
    assert [f[1] for z in m.rc_payload["zones"] for f in z["f"]] == ["WS-PUBLIC"]
    html = m.get_root().render()
    assert NOTE_ZH in html
    only = zoning_map(layerset, kinds=["nature_reserve"], lang="en")
    assert only.rc_payload["zones"] == []
    assert NOTE_EN in only.get_root().render()


def test_zoning_figure_draws_only_the_public_zones(layerset, monkeypatch):
    drawn = []
    real = zoning.draw_polygons

    def record(ax, geoms, **kw):
        drawn.extend(np.atleast_1d(np.asarray(geoms, dtype=object)))
        return real(ax, geoms, **kw)

    monkeypatch.setattr(zoning, "draw_polygons", record)
    fig = zoning_figure(layerset)
    assert len(drawn) == 1  # the water-source zone; neither confidential zone
    texts = "\n".join(t.get_text() for t in fig.texts)
    assert NOTE_ZH in texts and "nature_reserve.gpkg" in texts and "涉密" in texts
    # the central meridian comes from the public layer only (109.205°E), not from the confidential ones
    assert "中央经线 109.20°E" in texts or "中央经线 109.21°E" in texts
    with pytest.raises(RedlineError, match=r"confidential: nature_reserve.gpkg"):
        zoning_figure(layerset, kinds=["nature_reserve"])
