import html
import re

import folium
import pytest
from shapely.geometry import GeometryCollection, LineString, box

from maps import save_map, site_map
from maps._style import site_style, verdict_color, zone_style
from tests.maps._fake_result import EVIL, fake_result


def _geojsons(m: folium.Map) -> dict[str, folium.GeoJson]:
    """Return {FeatureGroup name: GeoJson} for the groups that hold one."""
    out = {}
    for child in m._children.values():
        if isinstance(child, folium.FeatureGroup):
            for sub in child._children.values():
                if isinstance(sub, folium.GeoJson):
                    out[child.layer_name] = sub
    return out


def _props(layer: folium.GeoJson) -> list[dict]:
    return [f["properties"] for f in layer.data["features"]]


@pytest.fixture(scope="module")
def result():
    return fake_result()


@pytest.fixture(scope="module")
def m(result):
    return site_map(result)


@pytest.fixture(scope="module")
def rendered(m):
    return m.get_root().render()


def test_one_geojson_per_kind_with_nearby_zones(m):
    layers = _geojsons(m)
    names = set(layers)
    kinds = ("饮用水水源保护区 (3)", "生态保护红线 (1)", "环境管控单元 (1)", "永久基本农田 (1)")
    assert set(kinds) <= names
    assert "重叠部分" in names
    assert "选址 (4)" in names  # the error site has no geometry
    assert len(layers) == 6


def test_far_zones_are_left_off(m, rendered):
    farmland = _geojsons(m)["永久基本农田 (1)"]
    assert [p["id"] for p in _props(farmland)] == ["BF-1"]
    assert "BF-FAR" not in rendered


def test_zone_styles_by_class(m):
    water = _geojsons(m)["饮用水水源保护区 (3)"]
    styles = {f["properties"]["c"]: water.style_function(f) for f in water.data["features"]}
    assert styles["first"]["fillColor"] == zone_style("water_source", "first")["fillColor"]
    assert styles["first"]["fillColor"] != styles["quasi"]["fillColor"]
    # the biggest zone is drawn first (underneath)
    assert [f["properties"]["c"] for f in water.data["features"]] == ["quasi", "second", "first"]
    redline = _geojsons(m)["生态保护红线 (1)"]
    assert redline.style_function(redline.data["features"][0])["fillColor"].startswith("url(#")


def test_names_are_escaped_everywhere(m, rendered):
    assert "<script>alert(1)" not in rendered
    redline = _props(_geojsons(m)["生态保护红线 (1)"])[0]
    assert redline["name"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    sites = {p["tip"].split()[0]: p for p in _props(_geojsons(m)["选址 (4)"])}
    assert html.escape(EVIL) in sites["S2"]["tip"]
    assert html.escape(EVIL) in sites["S2"]["popup"]
    assert EVIL not in sites["S2"]["popup"]
    # in the page the JSON-encoded escaped text is there
    assert "\\u0026lt;script\\u0026gt;alert(1)" in rendered


def test_javascript_template_characters_are_neutralised():
    r = fake_result()
    r.sites.loc[0, "name"] = "a`b${alert(2)}\\x"
    props = _props(_geojsons(site_map(r))["选址 (4)"])
    text = props[0]["popup"] + props[0]["tip"]
    assert "`" not in text and "${" not in text and "\\" not in text
    assert "a&#96;b&#36;{alert(2)}&#92;x" in text


def test_legend_and_banner(rendered):
    assert 'id="rc-legend"' in rendered
    for label in (
        "图例",
        "饮用水水源保护区",
        "一级保护区",
        "二级保护区",
        "准保护区",
        "重点管控单元",
        "永久基本农田",
        "禁止",
        "未发现冲突",
    ):
        assert label in rendered
    assert verdict_color("prohibited") in rendered
    assert 'id="rc-illustrative"' in rendered
    assert "示意数据，非官方数据，不得用于实际审查" in rendered


def test_no_banner_for_official_data():
    rendered = site_map(fake_result(illustrative=False)).get_root().render()
    assert 'id="rc-illustrative"' not in rendered
    assert "示意数据" not in rendered


def test_site_popup_lists_findings(m):
    sites = {p["tip"].split()[0]: p for p in _props(_geojsons(m)["选址 (4)"])}
    popup = sites["S1"]["popup"]
    assert "禁止" in popup and "WS01" in popup and "位于区内" in popup
    assert "1,234,567.9 m²" in sites["S2"]["popup"]
    assert "512.3 m" in sites["S3"]["popup"]
    assert "未发现敏感区" in sites["S4"]["popup"]
    assert {p["v"] for p in sites.values()} == {"prohibited", "restricted", "review", "clear"}


def test_layer_control_base_maps_and_bounds(rendered):
    assert "L.control.layers" in rendered
    assert "tile.openstreetmap.org" in rendered
    assert "\\u7a7a\\u767d\\u5e95\\u56fe" in rendered  # 空白底图 as a base layer
    bounds = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", rendered)
    south, west, north, east = map(float, bounds.groups())
    assert south < 22.305 and north > 22.45 and west < 109.305 and east > 109.45
    assert south > 22.29  # sites plus ~1 km, not the whole layer


def test_coordinates_are_rounded_and_simplified():
    r = fake_result()
    wiggly = LineString([(109.36 + i * 1e-5, 22.3 + (i % 2) * 1e-6 + 1.23456789e-7) for i in range(200)])
    r.sites.loc[2, "geometry"] = wiggly
    sites = _geojsons(site_map(r))["选址 (4)"]
    line = next(f for f in sites.data["features"] if f["geometry"]["type"] == "LineString")
    coords = line["geometry"]["coordinates"]
    assert len(coords) < 10
    assert all(round(c, 6) == c for xy in coords for c in xy)


def test_overlap_collections_are_reduced():
    r = fake_result()
    r.findings.loc[3, "geometry"] = GeometryCollection(
        [box(109.345, 22.305, 109.35, 22.31), LineString([(109.35, 22.31), (109.36, 22.32)])]
    )
    overlaps = _geojsons(site_map(r))["重叠部分"]
    assert [f["geometry"]["type"] for f in overlaps.data["features"]] == ["Polygon"]


def test_english(result):
    rendered = site_map(result, lang="en").get_root().render()
    assert "Legend" in rendered and "Site verdicts" in rendered
    assert "Illustrative data" in rendered
    assert "first-level zone" in rendered


def test_no_valid_sites():
    r = fake_result()
    r.sites["status"] = "error"
    m = site_map(r)
    assert "选址 (0)" in [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert "fitBounds" in m.get_root().render()


def test_no_findings():
    r = fake_result()
    r.findings = r.findings.iloc[:0]
    layers = _geojsons(site_map(r))
    assert "重叠部分" not in layers
    assert all("未发现敏感区" in p["popup"] for p in _props(layers["选址 (4)"]))


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


def test_map_embeds_leaflet_and_links_no_cdn():
    import re

    from maps import site_map
    from tests.maps._fake_result import fake_result

    html = site_map(fake_result()).get_root().render()
    assert "L.map(" in html and "leaflet" in html.lower()
    links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
    assert links == [], links
