import copy
import html
import json
import re

import folium
import numpy as np
import pytest
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

from redline.maps import save_map, site_map
from redline.maps._leaflet import GAODE_URL, encode_geometry, js_json
from redline.maps._style import site_style, verdict_color, zone_style
from tests.maps._fake_result import EVIL, fake_result


def _groups(m: folium.Map) -> dict[str, str]:
    """Return {overlay name: JS variable} of the map's feature groups (the runtime fills them)."""
    return {
        c.layer_name: c.get_name() for c in m._children.values() if isinstance(c, folium.FeatureGroup) and c.overlay
    }


def _zones(m: folium.Map, kind: str) -> list[list]:
    payload = m.rc_payload
    idx = [k["k"] for k in payload["kinds"]].index(kind)
    return next(z["f"] for z in payload["zones"] if z["kind"] == idx)


def _decode(flat: list[int]) -> list[tuple[float, float]]:
    xy = np.cumsum(np.array(flat, dtype=np.int64).reshape(-1, 2), axis=0) / 1e6
    return [tuple(p) for p in xy]


@pytest.fixture(scope="module")
def result():
    return fake_result()


@pytest.fixture(scope="module")
def m(result):
    return site_map(result)


@pytest.fixture(scope="module")
def rendered(m):
    return m.get_root().render()


def test_one_layer_per_kind_and_for_overlaps_rings_and_sites(m):
    names = list(_groups(m))
    # BF-FAR is farther than 5 km from every site (1 of the layer's 2 drawn); the error site S5 has no geometry
    kinds = ["环境管控单元 (1)", "永久基本农田 (1 / 2)", "饮用水水源保护区 (3)", "生态保护红线 (1)"]
    assert names == [*kinds, "重叠部分 (1)", "缓冲区范围", "选址 (4 / 5)"]  # drawing order
    payload = m.rc_payload
    groups = _groups(m)
    assert {z["holder"] for z in payload["zones"]} == {groups[k] for k in kinds}
    assert payload["sites"]["holder"] == groups["选址 (4 / 5)"]
    assert payload["overlaps"]["holder"] == groups["重叠部分 (1)"]
    assert payload["rings"]["holder"] == groups["缓冲区范围"]


def _count(name: str) -> int:
    """The count of what an overlay draws, as its name in the layer control says: 'label (n ...)'."""
    return int(re.search(r"\((\d[\d,]*)", name).group(1).replace(",", ""))


def test_layer_counts_are_what_the_layers_draw(m):
    groups = {v: k for k, v in _groups(m).items()}
    payload = m.rc_payload
    for z in payload["zones"]:
        assert _count(groups[z["holder"]]) == len(z["f"]) > 0
    assert _count(groups[payload["overlaps"]["holder"]]) == len(payload["overlaps"]["f"])
    assert _count(groups[payload["sites"]["holder"]]) == len(payload["sites"]["id"])
    legend = m.get_root().render()
    assert "只显示选址 5,000 m 以内" in legend  # why the farmland says 1 / 2
    assert "1 个选址无法定位" in legend  # why the sites say 4 / 5


def test_no_empty_layer_is_listed():
    r = fake_result()
    r.meta["buffer_m"] = 0
    r.findings = r.findings.iloc[:0]
    farmland = r.layerset.layers[3]
    farmland.gdf = farmland.gdf[farmland.gdf["zone_id"] == "BF-FAR"]  # no farmland near any site
    m = site_map(r)
    names = list(_groups(m))
    assert names == ["环境管控单元 (1)", "饮用水水源保护区 (3)", "生态保护红线 (1)", "选址 (4 / 5)"]
    assert m.rc_payload["overlaps"] is None and m.rc_payload["rings"] is None
    assert [len(z["f"]) for z in m.rc_payload["zones"]] == [1, 3, 1]
    legend = re.search(r'<div id="rc-legend">.*?</div></div>', m.get_root().render()).group(0)
    assert "永久基本农田" not in legend and "缓冲区边界" not in legend and "重叠部分" not in legend


def test_layers_of_one_kind_are_counted_as_merged():
    r = fake_result()
    extra = copy.deepcopy(r.layerset.layers[0])
    extra.gdf = extra.gdf.iloc[:1].assign(zone_id="WS-9")
    r.layerset.layers.append(extra)
    names = list(_groups(site_map(r)))
    assert "饮用水水源保护区 (4，2 个图层合并)" in names
    assert "drinking-water source protection zone (4; 2 layers merged)" in list(_groups(site_map(r, lang="en")))


def test_far_zones_are_left_off(m, rendered):
    assert [f[1] for f in _zones(m, "basic_farmland")] == ["BF-1"]
    assert "BF-FAR" not in rendered


def test_zone_styles_by_class_and_big_zones_first(m):
    kinds = {k["k"]: k for k in m.rc_payload["kinds"]}
    water = kinds["water_source"]["classes"]
    assert water["first"][0] == "一级保护区"
    assert water["first"][1]["fillColor"] == zone_style("water_source", "first")["fillColor"]
    assert water["first"][1]["fillColor"] != water["quasi"][1]["fillColor"]
    assert [f[3] for f in _zones(m, "water_source")] == ["quasi", "second", "first"]  # biggest underneath
    assert kinds["ecological_redline"]["svg"] is True  # the hatch needs the SVG renderer
    assert kinds["ecological_redline"]["dflt"]["fillColor"].startswith("url(#")


def test_texts_are_data_not_markup(m, rendered):
    """Names travel as JSON strings; the page shows them with textContent-safe escaping (see test_browser)."""
    assert EVIL not in rendered
    assert "<script>alert" not in rendered.lower()
    redline = _zones(m, "ecological_redline")[0]
    assert redline[2] == EVIL  # raw in the payload ...
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in rendered  # ... and inert in the page
    sites = m.rc_payload["sites"]
    assert sites["name"][sites["id"].index("S2")] == EVIL
    # every </script> in the page closes one of our own scripts
    assert rendered.count("</script>") == rendered.count("<script")


def test_layer_names_are_escaped():
    r = fake_result()
    r.layerset.layers[1].kind = "<b>odd</b>"  # an unknown kind keeps its raw name as label
    r.findings = r.findings[r.findings["kind"] != "ecological_redline"]
    names = list(_groups(site_map(r)))
    assert "&lt;b&gt;odd&lt;/b&gt; (1)" in names
    assert not any("<b>" in n for n in names)


def test_js_json_cannot_close_the_script():
    text = js_json({"a": "</script><script>alert(1)</script>", "b": "x\u2028y", "c": "&amp;"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><script>alert(1)</script>", "b": "x\u2028y", "c": "&amp;"}


def test_javascript_template_characters_round_trip():
    r = fake_result()
    r.sites.loc[0, "name"] = "a`b${alert(2)}\\x"
    rendered = site_map(r).get_root().render()
    payload = re.search(r"var RC_DATA = (\{.*?\});\n", rendered).group(1)
    assert json.loads(payload)["sites"]["name"][0] == "a`b${alert(2)}\\x"


def _legend(rendered: str) -> str:
    return re.search(r'<div id="rc-legend">.*?</div></div>(?=\s*<)', rendered, re.S).group(0)


def test_legend_lists_only_what_is_drawn(rendered):
    legend = _legend(rendered)
    # the fake layer set's red line has only the class 'other', its control unit only 'key'
    for present in ("其他区域", "重点管控单元", "一级保护区", "二级保护区", "准保护区", "永久基本农田"):
        assert present in legend
    for absent in ("自然保护地核心保护区", "优先保护单元", "一般管控单元", "无法检查", "自然保护地"):
        assert absent not in legend
    # verdicts of the sites drawn, worst first
    verdicts = re.findall(r'data-verdict="(\w+)"', legend)
    assert verdicts == ["prohibited", "restricted", "review", "clear"]
    # one group per kind: a kind with classes is a heading, its classes indented under it
    assert re.search(r'<div class="rc-kind">饮用水水源保护区</div><div class="rc-sub">.*?一级保护区', legend)
    assert re.search(r'<div class="rc-kind"><span class="rc-sw"[^>]*></span>永久基本农田</div>', legend)
    # it folds away: a button in its head
    assert 'class="rc-legend-toggle" aria-expanded="true"' in legend


def test_legend_banner_and_notes(rendered):
    assert 'id="rc-legend"' in rendered
    for label in (
        "图例",
        "饮用水水源保护区",
        "一级保护区",
        "重点管控单元",
        "永久基本农田",
        "禁止",
        "未发现冲突",
        "缓冲区边界（1,000 m）",
        "GCJ-02",
        "TIANDITU_KEY",
    ):
        assert label in rendered
    assert verdict_color("prohibited") in rendered
    assert 'id="rc-illustrative"' in rendered
    assert "示意数据，非官方数据，不得用于实际审查" in rendered


def test_no_banner_for_official_data():
    rendered = site_map(fake_result(illustrative=False)).get_root().render()
    assert 'id="rc-illustrative"' not in rendered
    assert "示意数据" not in rendered


def test_site_popups_data(m):
    s = m.rc_payload["sites"]
    i = s["id"].index("S1")
    a, b = s["off"][i], s["off"][i + 1]
    assert b - a == 3
    assert [s["R"][r] for r in s["F"]["r"][a:b]] == ["WS01", "WS02", "WS03"]
    assert [s["rel"][r] for r in s["F"]["rel"][a:b]] == ["位于区内"] * 3
    j = s["id"].index("S2")
    k = s["off"][j]
    assert (s["F"]["m"][k], s["F"]["mt"][k]) == (1234567.9, 0)  # area
    j = s["id"].index("S3")
    k = s["off"][j]
    assert (s["F"]["m"][k], s["F"]["mt"][k]) == (512.3, 2)  # distance
    assert s["off"][s["id"].index("S4")] == s["off"][s["id"].index("S4") + 1]  # no findings
    zone = s["Z"][s["F"]["z"][s["off"][j]]]
    assert zone[1:] == ["ZH45072120001", "武利镇重点管控单元", "key"]
    assert [m.rc_payload["verdicts"][v][0] for v in s["v"]] == ["prohibited", "restricted", "review", "clear"]


def test_site_points_and_shapes(m):
    s = m.rc_payload["sites"]
    points = _decode(s["pt"])
    assert points[0] == pytest.approx((109.305, 22.305))
    assert s["id"].index("S2") == 1 and "1" in s["g"] and s["g"]["1"][0] == 3  # polygon site keeps its shape
    assert s["g"]["2"][0] == 2  # the line
    assert "0" not in s["g"]  # points need none


def test_buffer_rings(m):
    rings = m.rc_payload["rings"]
    assert rings["buffer"] == 1000.0
    ring = _decode(rings["g"]["1"][1][0])  # the polygon site's ring: a line about 1 km out
    site = box(109.345, 22.305, 109.352, 22.312)
    d = [site.distance(Point(p)) * 111_320 for p in ring]
    assert min(d) > 900 and max(d) < 1100
    r = fake_result()
    r.meta["buffer_m"] = 0
    assert site_map(r).rc_payload["rings"] is None


def test_the_blank_base_is_shown_and_the_scale_is_metric(m, rendered):
    bases = {c.layer_name: c for c in m._children.values() if isinstance(c, folium.map.Layer) and not c.overlay}
    assert list(bases) == [html.escape("空白底图（离线）"), "OpenStreetMap 底图", html.escape("高德地图（GCJ-02）")]
    assert [b.show for b in bases.values()] == [True, False, False]
    blank, *tiles = bases.values()
    assert re.search(rf"{blank.get_name()}\.addTo\(", rendered)  # the blank base is on the map
    for layer in tiles:
        assert not re.search(rf"{layer.get_name()}\.addTo\(", rendered)
    assert "L.control.scale({metric: true, imperial: false" in rendered
    assert "L.control.scale()" not in rendered  # Leaflet's default shows feet and miles too
    assert "redline-checker.base-map" in rendered  # the reader's choice is remembered


def test_base_maps_and_tianditu_only_with_a_key(monkeypatch, rendered):
    assert "tile.openstreetmap.org" in rendered
    assert "webrd0{s}.is.autonavi.com" in rendered and "\\u9ad8\\u5fb7" in rendered  # 高德
    assert "tianditu" not in rendered
    monkeypatch.setenv("TIANDITU_KEY", "k&y<1>")
    with_key = site_map(fake_result()).get_root().render()
    assert "t{s}.tianditu.gov.cn/vec_w/wmts" in with_key and "cva_w/wmts" in with_key
    assert "tk=k%26y%3C1%3E" in with_key  # the key is URL-quoted
    assert "TIANDITU_KEY" not in with_key  # the legend's how-to note is gone
    m = site_map(fake_result(), tianditu_key="abc")
    bases = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup) and not c.overlay]
    assert bases == [html.escape("空白底图（离线）"), "天地图 矢量"]


def test_gaode_base_is_the_one_that_shifts(m, rendered):
    gaode = m.rc_payload["gaode"]
    assert re.search(rf"var {gaode} = L\.tileLayer\(\s*\"https://webrd0", rendered)
    assert GAODE_URL.startswith("https://webrd0{s}.is.autonavi.com/appmaptile?")


def test_bounds_cover_the_sites(rendered):
    bounds = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", rendered)
    south, west, north, east = map(float, bounds.groups())
    assert south < 22.305 and north > 22.45 and west < 109.305 and east > 109.45
    assert south > 22.29  # sites plus ~1 km, not the whole layer


def test_encode_geometry_rounds_and_delta_encodes():
    assert encode_geometry(None) is None
    assert encode_geometry(Point(109.1234567, 22.9876543)) == [1, [109123457, 22987654]]
    poly = Polygon([(0, 0), (1, 0), (1, 1), (0, 0)], [[(0.2, 0.2), (0.5, 0.2), (0.5, 0.5), (0.2, 0.2)]])
    enc = encode_geometry(MultiPolygon([poly]))
    assert enc[0] == 3 and len(enc[1][0]) == 2  # one polygon, exterior and hole
    assert _decode(enc[1][0][1]) == [(0.2, 0.2), (0.5, 0.2), (0.5, 0.5)]  # closing point left to Leaflet
    mixed = GeometryCollection([box(0, 0, 1, 1), LineString([(0, 0), (2, 2)]), Point(5, 5)])
    assert encode_geometry(mixed)[0] == 3  # the highest dimension only


def test_coordinates_are_simplified():
    r = fake_result()
    wiggly = LineString([(109.36 + i * 1e-5, 22.3 + (i % 2) * 1e-6 + 1.23456789e-7) for i in range(200)])
    r.sites.loc[2, "geometry"] = wiggly
    enc = site_map(r).rc_payload["sites"]["g"]["2"]
    assert len(enc[1][0]) < 20


def test_overlap_collections_are_reduced_and_points_dropped():
    r = fake_result()
    r.findings.loc[3, "geometry"] = GeometryCollection(
        [box(109.345, 22.305, 109.35, 22.31), LineString([(109.35, 22.31), (109.36, 22.32)])]
    )
    overlaps = site_map(r).rc_payload["overlaps"]["f"]
    assert [f[0][0] for f in overlaps] == [3]  # S1's point overlaps are not drawn, S2's polygon is
    assert overlaps[0][1].startswith("S2 × 生态保护红线 ER-1 <script>")  # raw text; the page escapes it


def test_english(result):
    rendered = site_map(result, lang="en").get_root().render()
    assert "Legend" in rendered and "Site verdicts" in rendered
    assert "Illustrative data" in rendered
    assert "first-level zone" in rendered


def test_no_valid_sites():
    r = fake_result()
    r.sites["status"] = "error"
    m = site_map(r)
    assert not any(name.startswith("选址") for name in _groups(m))  # no empty layer
    assert m.rc_payload["sites"] is None and m.rc_payload["rings"] is None
    rendered = m.get_root().render()
    assert "fitBounds" in rendered and "5 个选址无法定位" in rendered


def test_no_findings():
    r = fake_result()
    r.findings = r.findings.iloc[:0]
    m = site_map(r)
    assert m.rc_payload["overlaps"] is None
    assert set(m.rc_payload["sites"]["off"]) == {0}


def test_save_map(m, tmp_path):
    path = tmp_path / "map.html"
    save_map(m, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'id="rc-legend"' in text


def test_bad_lang(result):
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        site_map(result, lang="fr")


def test_styles():
    assert site_style("prohibited", "Point")["fillColor"] == "#c0392b"
    assert site_style("review", "LineString")["color"] == "#f1c40f"
    assert verdict_color("whatever") == verdict_color("error")
    assert zone_style("no_such_kind", "x")["color"]
    assert zone_style("water_source", "odd")["fillColor"] == zone_style("water_source", "")["fillColor"]


def test_map_embeds_leaflet_and_links_no_cdn(rendered):
    assert "L.map(" in rendered and "leaflet" in rendered.lower()
    links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', rendered)
    assert links == [], links
    assert "cdn." not in rendered.lower()
    assert "L.Control.extend" in rendered  # our own full-screen and ruler controls, no plugins


def test_many_sites_payload_is_compact():
    from tests.maps._big_result import big_result

    r = big_result(20_000, polygons=100)
    m = site_map(r)
    rendered = m.get_root().render()
    assert len(m.rc_payload["sites"]["id"]) == 20_000
    assert len(rendered.encode()) < 5_000_000  # ~2.5 MB: about 250 bytes per site, findings and all
    assert "rc-clsw" in rendered  # the legend explains the clusters
