"""map.html, zoning.html and report.html in a real browser (headless Chromium, driven over a pipe).

Each page is opened from disk with every http(s) request blocked (base-map
tiles fail, as they do offline); the tests assert no JavaScript error, a
screenshot that is not blank, that injected names stay text (no alert ever
runs), that the 高德 (GCJ-02) base shifts overlays exactly as
:func:`layers.webcoords.wgs84_to_gcj02`, the ruler, the full-screen button,
the sortable report table, printing, and that a 100,000-site map opens.

Skipped only when no Chromium is installed and ``CI`` is not set; under CI a
missing browser fails (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import io
import json
import re
import time

import numpy as np
import pytest
from PIL import Image
from pyproj import Geod

from redline.checks.outputs.report_html import render_report_html
from redline.layers import sample_dir
from redline.layers.webcoords import wgs84_to_gcj02
from redline.maps import save_map, site_map
from redline.maps.zoning_map import write_zoning_map
from tests.maps._chromium import browser_or_skip
from tests.maps._fake_result import EVIL, fake_result

IMG_EVIL = '<img src="x" onerror="alert(2)">'


@pytest.fixture(scope="module")
def browser():
    yield from browser_or_skip(1280, 800)


def _evil_result():
    r = fake_result()
    r.sites.loc[0, "name"] = IMG_EVIL  # S1: a name that runs script if it ever becomes markup
    r.findings.loc[0, "zone_name"] = IMG_EVIL
    r.findings.loc[3, "rule_text"] = f"{EVIL}{IMG_EVIL}"
    return r


def _coloured(png: bytes) -> float:
    """Return the fraction of pixels that are clearly coloured (not white, grey or black)."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return float(((rgb.max(axis=2) - rgb.min(axis=2)) > 40).mean())


def _distinct(png: bytes) -> int:
    return len(Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 24) or [])


@pytest.fixture(scope="module")
def map_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "map.html"
    save_map(site_map(_evil_result()), path)
    return path


@pytest.fixture
def page(browser):
    return browser.new_page()


def test_map_opens_with_no_errors_and_is_not_blank(page, map_file):
    page.open(map_file)
    page.settle(0.5)
    assert page.errors() == []
    state = page.evaluate("rc.state()")
    assert state == {"clusters": 0, "markers": 4, "rings": 4, "sites": 4}
    assert page.evaluate("rc.zoneLayers(0) + rc.zoneLayers(1) + rc.zoneLayers(2) + rc.zoneLayers(3)") == 6
    shot = page.screenshot()
    assert _coloured(shot) > 0.02 and _distinct(shot) > 50
    assert page.evaluate("document.querySelectorAll('#rc-legend, #rc-illustrative').length") == 2
    assert page.evaluate("document.querySelectorAll('.leaflet-control-layers-base input').length") == 3


def test_injected_names_stay_text(page, map_file):
    page.open(map_file)
    page.settle(0.3)
    red = page.evaluate("RC_DATA.kinds.map(function (k) { return k.k; }).indexOf('ecological_redline')")
    zone = page.evaluate(f"RC_DATA.zones.map(function (z) {{ return z.kind; }}).indexOf({red})")
    page.evaluate(f"rc.openZone({zone}, 0); 1")
    text = page.evaluate("document.querySelector('.leaflet-popup-content').textContent")
    assert EVIL in text
    for site in ("S1", "S2"):
        page.evaluate(f"rc.openSite(rc.siteIndex('{site}')); 1")
        page.settle(0.2)
        text = page.evaluate("document.querySelector('.leaflet-popup-content').textContent")
        assert (IMG_EVIL if site == "S1" else EVIL) in text
    # hover every site and zone so the tooltips are built too
    page.evaluate(
        "Object.values(window[RC_DATA.map]._layers).forEach(function (l) {"
        " if (l.getTooltip && l.getTooltip()) { l.openTooltip(); } }); 1"
    )
    page.settle(0.5)
    assert page.evaluate("document.querySelectorAll('.leaflet-popup-content img, .leaflet-tooltip img').length") == 0
    assert page.evaluate("document.querySelectorAll('body script').length") == page.evaluate(
        "document.querySelectorAll('script').length - document.querySelectorAll('head script').length"
    )
    assert page.dialogs() == []
    assert page.errors() == []


def test_gaode_base_shifts_overlays_to_gcj02(page, map_file):
    page.open(map_file)
    page.settle(0.3)
    i = page.evaluate("rc.siteIndex('S4')")
    lat, lon = page.evaluate(f"rc.siteLatLng({i})")
    assert (lat, lon) == pytest.approx((22.45, 109.45))
    _pick_base(page, "高德")
    page.settle(0.3)
    assert page.evaluate("rc.isShifted()") is True
    glon, glat = wgs84_to_gcj02(109.45, 22.45)
    lat2, lon2 = page.evaluate(f"rc.siteLatLng({i})")
    assert lon2 == pytest.approx(float(glon), abs=1e-9) and lat2 == pytest.approx(float(glat), abs=1e-9)
    # the drawn marker and a zone's vertex moved with it
    marker = page.evaluate(
        "(function () { var out = null;"
        " window[RC_DATA.sites.holder].eachLayer(function (g) { g.eachLayer(function (l) {"
        f" if (l.rcSite === {i}) {{ var p = l.getLatLng(); out = [p.lat, p.lng]; }} }}); }});"
        " return out; })()"
    )
    assert marker == pytest.approx([float(glat), float(glon)], abs=1e-9)
    vertex = page.evaluate(
        "(function () { var z = RC_DATA.zones[RC_DATA.zones.length - 1]; var p = null;"
        " window[z.holder].eachLayer(function (l) { if (!p) { var ll = l.getLatLngs();"
        " while (ll.length && ll[0].length !== undefined) { ll = ll[0]; } p = [ll[0].lat, ll[0].lng]; } });"
        " return p; })()"
    )
    first = _first_vertex(page)
    gx, gy = wgs84_to_gcj02(first[0], first[1])
    assert vertex == pytest.approx([float(gy), float(gx)], abs=1e-9)
    shift_m = Geod(ellps="GRS80").inv(109.45, 22.45, float(glon), float(glat))[2]
    assert 300 < shift_m < 700  # what would be off without the shift
    _pick_base(page, "空白底图")
    page.settle(0.2)
    assert page.evaluate("rc.isShifted()") is False
    assert page.evaluate(f"rc.siteLatLng({i})") == pytest.approx([22.45, 109.45])
    assert page.errors() == []


def _pick_base(page, name: str) -> None:
    """Click the base map whose name in the layer control contains ``name``."""
    page.evaluate(
        "Array.prototype.find.call(document.querySelectorAll('.leaflet-control-layers-base label'),"
        f" function (l) {{ return l.textContent.indexOf('{name}') >= 0; }}).querySelector('input').click(); 1"
    )


def _checked_base(page) -> str:
    return page.evaluate(
        "Array.prototype.find.call(document.querySelectorAll('.leaflet-control-layers-base label'),"
        " function (l) { return l.querySelector('input').checked; }).textContent.trim()"
    )


def _fresh(page, path) -> None:
    """Open ``path`` as a first-time reader would: no base map remembered from an earlier test."""
    page.open(path)
    page.evaluate("localStorage.removeItem('redline-checker.base-map'); 1")
    page.open(path)
    page.settle(0.5)


def _web_requests(page) -> list[str]:
    return [u for u in page.requests() if u.split(":", 1)[0] in ("http", "https", "ws", "wss")]


def test_opens_offline_on_the_blank_base_with_a_metric_scale(page, map_file):
    _fresh(page, map_file)
    assert page.errors() == []
    assert _web_requests(page) == []  # not one tile asked for
    assert _checked_base(page) == "空白底图（离线）"
    scale = page.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('.leaflet-control-scale-line'),"
        " function (e) { return e.textContent; })"
    )
    assert len(scale) == 1 and re.fullmatch(r"\d+ (m|km)", scale[0]), scale  # no feet, no miles
    for zoom in (5, 9, 13, 17):
        page.evaluate(f"window[RC_DATA.map].setZoom({zoom}, {{animate: false}}); 1")
        text = page.evaluate("document.querySelector('.leaflet-control-scale-line').textContent")
        assert re.fullmatch(r"\d+ (m|km)", text), text


def test_the_chosen_base_is_remembered(page, map_file):
    _fresh(page, map_file)
    _pick_base(page, "高德")
    page.settle(0.2)
    page.open(map_file)
    page.settle(0.5)
    assert _checked_base(page) == "高德地图（GCJ-02）" and page.evaluate("rc.isShifted()") is True
    assert any("autonavi.com" in u for u in _web_requests(page))  # the reader asked for tiles
    _pick_base(page, "空白底图")
    page.settle(0.2)
    page.open(map_file)
    page.settle(0.3)
    assert _checked_base(page) == "空白底图（离线）" and _web_requests(page) == []
    assert page.errors() == []


def _first_vertex(page) -> tuple[float, float]:
    """The first vertex (lon, lat) of the last zone layer's first feature, decoded from the payload."""
    x, y = page.evaluate(
        "(function () { var z = RC_DATA.zones[RC_DATA.zones.length - 1]; var g = z.f[0][0];"
        " var a = g[0] === 3 ? g[1][0][0] : g[1][0]; return [a[0], a[1]]; })()"
    )
    return x / 1e6, y / 1e6


def test_gcj_formula_matches_python_everywhere(page, map_file):
    page.open(map_file)
    rng = np.random.default_rng(3)
    pts = np.column_stack([rng.uniform(73, 135, 200), rng.uniform(18, 53, 200)])
    js = page.evaluate(f"{pts.tolist()}.map(function (p) {{ return rc.gcj(p[0], p[1]); }})")
    lon, lat = wgs84_to_gcj02(pts[:, 0], pts[:, 1])
    assert np.allclose(np.array(js), np.column_stack([lon, lat]), atol=1e-10)
    assert page.evaluate("rc.gcj(2.35, 48.85)") == [2.35, 48.85]  # outside China: no offset


def test_ruler_distances_and_areas_on_the_ellipsoid(page, map_file):
    page.open(map_file)
    geod = Geod(ellps="GRS80")
    for (lon1, lat1), (lon2, lat2) in [((109.3, 22.3), (109.31, 22.305)), ((109.3, 22.3), (110.2, 23.1))]:
        js = page.evaluate(f"rc.distance(L.latLng({lat1}, {lon1}), L.latLng({lat2}, {lon2}))")
        assert js == pytest.approx(geod.inv(lon1, lat1, lon2, lat2)[2], abs=0.001)
    square = [(109.3, 22.3), (109.31, 22.3), (109.31, 22.31), (109.3, 22.31)]
    js = page.evaluate("rc.area([" + ",".join(f"L.latLng({y}, {x})" for x, y in square) + "])")
    area, _ = geod.polygon_area_perimeter([p[0] for p in square], [p[1] for p in square])
    assert js == pytest.approx(abs(area), rel=1e-4)
    # the control itself: pick the distance tool, click twice on the map
    page.evaluate("document.querySelector('.rc-measure a[data-mode=line]').click(); 1")
    page.evaluate(
        "var m = window[RC_DATA.map]; [[22.30, 109.30], [22.31, 109.30]].forEach(function (p) {"
        " var ll = L.latLng(p[0], p[1]);"
        " m.fire('click', {latlng: ll, containerPoint: m.latLngToContainerPoint(ll)}); }); 1"
    )
    out = page.evaluate("document.querySelector('.rc-measure-out').textContent")
    expected = geod.inv(109.30, 22.30, 109.30, 22.31)[2]
    assert out.startswith("长度: ") and f"{expected / 1000:,.3f} km" in out
    assert page.errors() == []


def test_fullscreen_button(page, map_file):
    page.open(map_file)
    page.evaluate("document.querySelector('.rc-fullscreen a').click(); 1")
    page.settle(0.3)
    on = page.evaluate(
        "!!document.fullscreenElement || window[RC_DATA.map].getContainer().classList.contains('rc-fullscreen-css')"
    )
    assert on is True
    assert page.errors() == []


def test_report_opens_sorts_and_prints(page, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(render_report_html(_evil_result()), encoding="utf-8")
    page.open(path)
    page.settle(0.2)
    assert page.errors() == []
    shot = page.screenshot()
    assert _distinct(shot) > 20 and _coloured(shot) > 0.005
    assert page.evaluate("document.querySelectorAll('figure.site-map img').length") == 3
    assert page.evaluate("Array.prototype.every.call(document.images, function (i) { return i.naturalWidth === 880; })")
    order = (
        "Array.prototype.map.call(document.querySelectorAll('table.sortable tbody tr'),"
        " function (r) { return r.cells[0].textContent; })"
    )
    assert page.evaluate(order) == ["S1", "S2", "S3", "S4", "S5"]
    heading = "document.querySelectorAll('table.sortable th')[{}].click(); 1"
    page.evaluate(heading.format(3))
    page.evaluate(heading.format(3))
    assert page.evaluate(order) == ["S5", "S4", "S3", "S2", "S1"]  # verdict, worst last (error after clear)
    page.evaluate(heading.format(0))
    assert page.evaluate(order) == ["S1", "S2", "S3", "S4", "S5"]
    assert IMG_EVIL in page.evaluate("document.body.textContent")
    assert page.dialogs() == []
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
    assert page.errors() == []


def test_zoning_map_opens(page, tmp_path):
    from tests.maps._fake_result import fake_layerset

    path = write_zoning_map(fake_layerset(), tmp_path / "zoning.html")
    page.open(path)
    page.settle(0.3)
    assert page.errors() == []
    assert page.evaluate("document.querySelector('#rc-title').textContent").startswith("生态环境分区管控图")
    assert page.evaluate("document.querySelectorAll('.rc-north').length") == 1
    assert _coloured(page.screenshot()) > 0.01


@pytest.fixture(scope="module")
def demo_map(tmp_path_factory):
    from redline.checks.screen import screen_sites
    from redline.checks.sites.reader import read_sites
    from redline.layers import load_layerset, sample_dir

    sites, _ = read_sites(sample_dir() / "sites.geojson")
    result = screen_sites(sites, load_layerset("sample"))
    path = tmp_path_factory.mktemp("demo") / "map.html"
    save_map(site_map(result), path)
    return path, result


@pytest.fixture
def demo_page(browser, demo_map):
    """The demo's map.html in a 1400 × 1000 view, opened as a first-time reader would."""
    page = browser.new_page()
    page.resize(1400, 1000)
    _fresh(page, demo_map[0])
    return page


def test_demo_map_opens(demo_page, demo_map):
    page = demo_page
    assert page.errors() == [] and _web_requests(page) == []
    assert page.evaluate("rc.state().sites") == len(demo_map[1].sites)
    assert _coloured(page.screenshot()) > 0.02


#: [name in the layer control, what its layer draws] for every overlay listed.
_OVERLAY_COUNTS = """(function () {
  var D = RC_DATA, drawn = {};
  D.zones.forEach(function (z, k) { drawn[L.stamp(window[z.holder])] = rc.zoneLayers(k); });
  if (D.overlaps) { drawn[L.stamp(window[D.overlaps.holder])] = window[D.overlaps.holder].getLayers().length; }
  if (D.sites) { drawn[L.stamp(window[D.sites.holder])] = rc.state().sites; }
  if (D.rings) { drawn[L.stamp(window[D.rings.holder])] = rc.state().rings; }
  return Array.prototype.map.call(document.querySelectorAll('.leaflet-control-layers-overlays label'),
    function (l) { return [l.textContent.trim(), drawn[l.querySelector('input').layerId]]; });
})()"""


def test_demo_layer_counts_match_what_is_drawn_and_no_layer_is_empty(demo_page):
    overlays = demo_page.evaluate(_OVERLAY_COUNTS)
    assert len(overlays) >= 10
    for name, drawn in overlays:
        assert drawn is not None and drawn > 0, name  # every overlay listed draws something
        count = re.search(r"\((\d[\d,]*)", name)
        if count:  # the buffer rings are drawn one per site in view and carry no count
            assert int(count.group(1).replace(",", "")) == drawn, name
    farmland = next(name for name, _ in overlays if name.startswith("永久基本农田"))
    assert re.fullmatch(r"永久基本农田 \(\d[\d,]* / 3,012\)", farmland)  # says it is clipped to the sites
    assert "只显示选址 5,000 m 以内" in demo_page.evaluate("document.querySelector('#rc-legend').textContent")


def test_demo_legend_lists_only_classes_present(demo_page):
    from redline.zones.labels import class_label, kind_label

    page = demo_page
    data = page.evaluate("({kinds: RC_DATA.kinds.map(function (k) { return k.k; }), zones: RC_DATA.zones})")
    expected = set()
    for z in data["zones"]:
        kind = data["kinds"][z["kind"]]
        classes = {f[3] for f in z["f"]}
        expected |= {kind_label(kind)} | {class_label(kind, c) for c in classes if c}
    rows = page.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('#rc-legend .rc-kind, #rc-legend .rc-sub'),"
        " function (e) { return e.textContent; })"
    )
    zone_rows = {r for r in rows if not r.startswith(("选址与区域", "缓冲区边界"))}
    assert zone_rows == expected
    assert kind_label("nature_reserve") not in rows  # the confidential kind is never listed, only noted
    verdicts = page.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('#rc-legend .rc-verdict'),"
        " function (e) { return e.dataset.verdict; })"
    )
    site_verdicts = set(page.evaluate("RC_DATA.sites.v.map(function (v) { return RC_DATA.verdicts[v][0]; })"))
    assert set(verdicts) == site_verdicts


def _legend_box(page):
    return page.evaluate(
        "(function () { var r = document.getElementById('rc-legend').getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })()"
    )


def test_demo_legend_covers_no_site_and_folds_away(demo_page):
    page = demo_page
    x0, y0, x1, y1 = _legend_box(page)
    assert (x1 - x0) * (y1 - y0) < 0.15 * 1400 * 1000
    boxes = page.evaluate("rc.siteBoxes()")
    n_sites = len(json.loads((sample_dir() / "sites.geojson").read_text("utf-8"))["features"])
    assert len(boxes) == page.evaluate("rc.state().markers") == n_sites
    covered = [b for b in boxes if b[0] < x1 and b[2] > x0 and b[1] < y1 and b[3] > y0]
    assert covered == []
    # nor are sites under the layer control or the banner
    for sel in (".leaflet-control-layers", "#rc-illustrative"):
        r = page.evaluate(
            f"(function () {{ var r = document.querySelector('{sel}').getBoundingClientRect();"
            " return [r.left, r.top, r.right, r.bottom]; })()"
        )
        assert not [b for b in boxes if b[0] < r[2] and b[2] > r[0] and b[1] < r[3] and b[3] > r[1]], sel
    page.evaluate("document.querySelector('#rc-legend .rc-legend-toggle').click(); 1")
    page.settle(0.1)
    fx0, fy0, fx1, fy1 = _legend_box(page)
    assert (fy1 - fy0) < 40 and (fx1 - fx0) < (x1 - x0)
    assert page.evaluate("document.querySelector('#rc-legend .rc-legend-body').offsetHeight") == 0
    assert page.evaluate("document.querySelector('#rc-legend .rc-legend-toggle').getAttribute('aria-expanded')") == (
        "false"
    )
    page.evaluate("document.querySelector('#rc-legend .rc-legend-toggle').click(); 1")
    assert page.evaluate("document.querySelector('#rc-legend .rc-legend-body').offsetHeight") > 100
    # clicking the legend does not reach the map (no measuring point, no zoom)
    assert page.errors() == []


def test_a_small_window_folds_the_legend(browser, demo_map):
    page = browser.new_page()
    page.resize(640, 480)
    _fresh(page, demo_map[0])
    assert page.evaluate("document.getElementById('rc-legend').classList.contains('rc-collapsed')") is True
    assert page.errors() == []


@pytest.fixture(scope="module")
def big_map(tmp_path_factory):
    from tests.maps._big_result import big_result

    start = time.monotonic()
    result = big_result(100_000)
    m = site_map(result)
    path = tmp_path_factory.mktemp("big") / "map.html"
    save_map(m, path)
    return path, time.monotonic() - start


def test_100k_site_map_is_small_and_opens(page, big_map, record_property):
    path, build_s = big_map
    size = path.stat().st_size
    assert size < 50 * 1024 * 1024
    open_s = page.open(path, timeout=120)
    page.settle(0.5)
    record_property("size_mb", round(size / 1e6, 1))
    record_property("build_s", round(build_s, 1))
    record_property("open_s", round(open_s, 1))
    assert page.errors() == []
    state = page.evaluate("rc.state()")
    assert state["sites"] == 100_000 and 0 < state["clusters"] < 2000 and state["markers"] < 2000
    assert _coloured(page.screenshot()) > 0.02
    # zoom in on one site: individual markers, a popup with its findings
    start = time.monotonic()
    page.evaluate("var m = window[RC_DATA.map]; m.setView(L.latLng(rc.siteLatLng(5)), 16, {animate: false}); 1")
    page.settle(0.3)
    zoom_s = time.monotonic() - start
    state = page.evaluate("rc.state()")
    assert state["clusters"] == 0 and 0 < state["markers"] <= 1500 and state["rings"] == state["markers"]
    page.evaluate("rc.openSite(5); 1")
    assert "B000005" in page.evaluate("document.querySelector('.leaflet-popup-content').textContent")
    assert zoom_s < 5
    assert page.errors() == []
