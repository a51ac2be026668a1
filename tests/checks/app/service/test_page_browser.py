"""The service page in a real browser: Playwright driving Debian's Chromium against the real service.

The service (``create_app``) runs under uvicorn in a background thread on a
free loopback port; every request the page makes to another host is aborted and
counted (there must be none).  The answers are known by construction: the
sample sites of ``layers/sample/data/sites.geojson`` carry their expected
verdict and rule, and the batch counts must equal those of ``redline batch``
on the same file.  Zone names and access-list clauses that are markup
(``<img onerror>``, ``<script>``) must show as text and never run.

Skipped only when no Chromium is installed and ``CI`` is not set.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import shapely

from redline.checks import check_site
from redline.layers import load_layerset
from redline.layers.webcoords import wgs84_to_gcj02
from redline.zones.verdicts import VERDICTS
from tests.conftest import REPO, run_cli

SITES = REPO / "layers" / "sample" / "data" / "sites.geojson"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "s3cret-token-for-the-page"
IMG_EVIL = "<img src=x onerror=alert(1)>"
SCRIPT_EVIL = "<script>alert(2)</script>"
SHOT = Path("/tmp/redline-page.png")
#: A self-intersecting polygon over the 一级保护区 of S01.
BOW_TIE = "POLYGON ((109.400 22.490, 109.404 22.494, 109.404 22.490, 109.400 22.494, 109.400 22.490))"


def _sample_sites() -> dict[str, dict]:
    data = json.loads(SITES.read_text("utf-8"))
    return {f["properties"]["site_id"]: f for f in data["features"]}


# ---------------------------------------------------------------- server and browser
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serve(app):
    """Run ``app`` with uvicorn in a thread on a free loopback port; yield its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the service did not start on {base}")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def sample():
    return load_layerset("sample")


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("service-work")


@pytest.fixture(scope="module")
def base(sample, work_dir):
    from redline.checks.app.service.app import create_app

    with _serve(create_app(sample, work_dir=work_dir / "open")) as url:
        yield url


@pytest.fixture(scope="module")
def token_base(sample, work_dir):
    from redline.checks.app.service.app import create_app

    with _serve(create_app(sample, token=TOKEN, work_dir=work_dir / "token")) as url:
        yield url


def _evil_layerset(sample):
    """A copy of the sample whose names and clauses are markup (the loaded sample is left as it is)."""
    layers = []
    for layer in sample.layers:
        gdf = layer.gdf.copy()
        access = layer.access
        if layer.kind == "water_source":
            gdf.loc[gdf["zone_id"] == "SY450721-WL-1", "zone_name"] = f"{IMG_EVIL}一级区"
        if layer.kind == "control_unit" and access is not None:
            firsts = {}  # the first clause of each unit (or other scope) gets the markup
            for i, c in enumerate(access.clauses):
                firsts.setdefault(c.unit_code, i)
            clauses = [
                dataclasses.replace(c, text=f"{SCRIPT_EVIL}{IMG_EVIL}{c.text}") if i in firsts.values() else c
                for i, c in enumerate(access.clauses)
            ]
            access = dataclasses.replace(access, clauses=clauses)
        # a layer in memory: without the sample's verified store and engine index, which hold (and
        # would answer with) the sample's own names
        layers.append(dataclasses.replace(layer, gdf=gdf, access=access, store=None, engine_index=None))
    return dataclasses.replace(sample, name=f"示例 {IMG_EVIL}{SCRIPT_EVIL}", layers=layers)


@pytest.fixture(scope="module")
def evil_base(sample, work_dir):
    from redline.checks.app.service.app import create_app

    with _serve(create_app(_evil_layerset(sample), work_dir=work_dir / "evil")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no {CHROMIUM} under CI: .ci/run installs Debian's chromium")
        pytest.skip(f"no {CHROMIUM} (Debian: apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Tab:
    """A fresh browser context and page that records errors, dialogs and requests to other hosts."""

    def __init__(self, browser, base: str, *, accept_statuses: tuple[int, ...] = ()) -> None:
        self.context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
        self.external: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.accept_statuses = accept_statuses
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)
        self.base = base

    def _route(self, route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            self.requests.append(url)
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        text = msg.text
        if any(f"status of {s}" in text for s in self.accept_statuses):
            return
        self.errors.append(f"console: {text}")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_selector("body[data-ready='1']", timeout=20_000)
        self.wait_zones()

    def wait_for(self, expression: str, timeout: float = 20) -> None:
        """Poll a JavaScript expression until it is truthy (wait_for_function would need CSP 'unsafe-eval')."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            self.page.wait_for_timeout(50)

    def wait_zones(self) -> None:
        self.wait_for("window.rcPage && rcPage.zonesLayer && rcPage.state.zonesCount > 0")

    def click_lonlat(self, lon: float, lat: float, *, zoom: int | None = None, double: bool = False) -> None:
        if zoom is not None:
            self.page.evaluate(f"void rcPage.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
        self.page.wait_for_timeout(50)
        x, y = self.page.evaluate(f"rcPage.pointOf({lon}, {lat})")
        box = self.page.locator("#map").bounding_box()
        assert box["x"] < x < box["x"] + box["width"] and box["y"] < y < box["y"] + box["height"], (lon, lat)
        # not under the legend, the zoom buttons or the layer switcher
        assert self.page.evaluate(f"!document.elementFromPoint({x}, {y}).closest('.leaflet-control')"), (lon, lat)
        if double:
            self.page.mouse.dblclick(x, y)
        else:
            self.page.mouse.click(x, y)

    def fit(self, coords: list[list[float]]) -> None:
        """Show ``coords`` (lon, lat pairs) on the map, clear of the controls at its corners."""
        xs, ys = zip(*coords, strict=True)
        self.page.evaluate(
            f"void rcPage.map.fitBounds([[{min(ys)}, {min(xs)}], [{max(ys)}, {max(xs)}]],"
            " {animate: false, paddingTopLeft: [60, 60], paddingBottomRight: [300, 60]})"
        )

    def pixel_deg(self) -> float:
        """Return the width of one screen pixel in degrees of longitude at the map's zoom."""
        return 360 / (256 * 2 ** self.page.evaluate("rcPage.map.getZoom()"))

    def pick_industry(self, typed: str, code: str, *, keyboard: bool) -> None:
        page = self.page
        page.fill("#industry-input", "")
        page.locator("#industry-input").press_sequentially(typed, delay=30)
        option = page.locator(f"#industry-list li[role=option][data-code='{code}']")
        option.wait_for()
        if keyboard:
            for _ in range(25):
                if page.get_attribute("#industry-input", "aria-activedescendant") == option.get_attribute("id"):
                    break
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
        else:
            option.click()
        page.wait_for_selector(f"#industry-chosen [data-code='{code}']")
        assert page.is_hidden("#industry-list")

    def check(self) -> dict:
        page = self.page
        with page.expect_response(lambda r: r.url.endswith("/api/check")) as answer:
            page.click("#check-button")
        self.wait_for("!document.getElementById('check-button').disabled")
        return answer.value.json()

    def verdict(self) -> str:
        return self.page.get_attribute("#verdict-badge", "data-verdict")

    def finding_rows(self) -> list[dict]:
        return self.page.eval_on_selector_all(
            "#findings-table tbody tr",
            "rows => rows.map(r => ({kind: r.dataset.kind, zone: r.dataset.zone,"
            " cells: Array.from(r.cells).map(c => c.textContent)}))",
        )

    def assert_clean(self) -> None:
        assert self.external == [], self.external
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, base):
    t = Tab(browser, base)
    yield t
    t.close()


# ---------------------------------------------------------------- tests
def test_page_loads_with_layers_banner_legend_and_zones(tab, sample):
    from redline.maps._style import DRAW_ORDER, OVERLAP_STYLE, VERDICT_COLORS, ZONE_STYLES
    from redline.zones.kinds import KINDS

    tab.open()
    page = tab.page
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.text_content("#layerset-name") == sample.name
    assert page.is_visible("#illustrative-banner")
    assert "示意数据" in page.text_content("#illustrative-banner")
    kinds = page.eval_on_selector_all("#layers-table tbody tr", "rows => rows.map(r => r.dataset.kind)")
    assert kinds == [layer.kind for layer in sample.layers]
    water = page.text_content("#layers-table tbody tr[data-kind='water_source']")
    assert "饮用水水源保护区" in water and str(len(sample.layers[1].gdf)) in water
    # the sample's 三门岭森林公园 (nature_reserve) is confidential: marked 涉密, never drawn, with the note
    secret = [layer.kind for layer in sample.layers if layer.confidential]
    assert secret == ["nature_reserve"]
    marked = page.eval_on_selector_all("#layers-table tr.rc-confidential", "rows => rows.map(r => r.dataset.kind)")
    assert marked == secret
    assert "涉密" in page.text_content("#layers-table tr[data-kind='nature_reserve']")
    assert page.is_visible("#layers-confidential-note")
    drawn_kinds = page.evaluate(
        "(() => { const k = new Set(); rcPage.zonesLayer.eachLayer(l => k.add(l.feature.properties.kind));"
        " return Array.from(k); })()"
    )
    assert "nature_reserve" not in drawn_kinds and "water_source" in drawn_kinds
    # zones of the view drawn, the legend has every kind, the map centre is the layer set's
    drawn = page.evaluate("rcPage.state.zonesCount")
    assert drawn > 0
    centre = page.evaluate("[rcPage.map.getCenter().lng, rcPage.map.getCenter().lat]")
    assert centre == pytest.approx(httpx.get(f"{tab.base}/api/layers").json()["center"], abs=1e-6)
    legend = page.text_content("#rc-legend")
    for label in ("生态保护红线", "饮用水水源保护区", "永久基本农田", "选址与区域的重叠部分", "禁止"):
        assert label in legend
    # the page's colours are those of the reports and map.html
    styles = page.evaluate("rcPage.styles")
    assert styles["VERDICT_COLORS"] == VERDICT_COLORS
    assert styles["OVERLAP_STYLE"] == OVERLAP_STYLE
    assert styles["DRAW_ORDER"] == list(DRAW_ORDER)
    assert styles["ZONE_STYLES"] == ZONE_STYLES
    assert styles["CLASS_LABELS"] == {
        k: {c: list(v) for c, v in d.classes.items()} for k, d in KINDS.items() if d.classes
    }
    assert "一级保护区 3" in water  # class labels in the layers list
    # the default base is blank: no tile was asked for, from anywhere
    assert not any(".png" in u and "/static/" not in u for u in tab.requests)
    tab.assert_clean()


def test_click_a_sample_site_on_the_map_and_check(tab):
    s01 = _sample_sites()["S01"]
    lon, lat = s01["geometry"]["coordinates"]
    tab.open()
    page = tab.page
    tab.click_lonlat(lon, lat, zoom=17)
    text = page.input_value("#site-text")
    got_lon, got_lat = (float(v) for v in text.split(","))
    assert (got_lon, got_lat) == pytest.approx((lon, lat), abs=3e-5)  # within a few metres (a pixel at zoom 17)
    assert page.input_value("#site-crs") == "EPSG:4490"
    tab.pick_industry("正餐", "H6210", keyboard=True)
    answer = tab.check()
    assert answer["site"]["verdict"] == s01["properties"]["expected_verdict"] == "prohibited"
    assert tab.verdict() == "prohibited"
    assert page.text_content("#verdict-badge") == "禁止"
    # the 名录 category beside the verdict (a restaurant: no row of the 名录 → no EIA document)
    assert "环评类别：无需编制环境影响评价文件" in page.text_content("#result-site")
    badge_colour = page.eval_on_selector("#verdict-badge", "e => getComputedStyle(e).backgroundColor")
    assert badge_colour == "rgb(192, 57, 43)"  # #c0392b
    rows = tab.finding_rows()
    first = rows[0]
    assert first["kind"] == "water_source" and first["zone"] == "SY450721-WL-1"
    assert "WS01" in first["cells"][6] and "禁止" in first["cells"][5]
    assert "一级保护区" in first["cells"][1] + first["cells"][2]
    # the site and its buffer ring are drawn on the map
    assert page.evaluate("rcPage.resultLayer.getLayers().length") >= 2
    # the verdict came into view: the result box's top is within the window
    page.wait_for_function(
        "() => { var r = document.getElementById('result').getBoundingClientRect();"
        " return r.top >= -1 && r.top < window.innerHeight; }",
        timeout=5000,
    )
    page.screenshot(path=str(SHOT), full_page=True)
    tab.assert_clean()


def test_paste_gcj02_coordinates_and_geojson(tab, sample):
    s01 = _sample_sites()["S01"]
    lon, lat = s01["geometry"]["coordinates"]
    glon, glat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    tab.open()
    page = tab.page
    # a 高德 (GCJ-02) coordinate, about 500 m off in WGS84 terms: the service converts it back
    page.fill("#site-text", f"{glon:.7f},{glat:.7f}")
    page.select_option("#site-crs", "gcj02")
    tab.pick_industry("正餐", "H6210", keyboard=False)
    answer = tab.check()
    assert answer["site"]["verdict"] == "prohibited" and tab.verdict() == "prohibited"
    assert answer["findings"][0]["rule_id"] == "WS01"
    site_geom = shapely.geometry.shape(answer["site"]["geometry"])
    assert (site_geom.x, site_geom.y) == pytest.approx((lon, lat), abs=1e-6)

    # a polygon pasted as a GeoJSON Feature, with 电镀 picked from the suggestions and two tags
    s31 = _sample_sites()["S31"]
    page.click("#draw-clear")
    page.click("#industry-chosen .rc-chip-x")
    page.fill("#site-text", json.dumps({"type": "Feature", "properties": {}, "geometry": s31["geometry"]}))
    page.select_option("#site-crs", "EPSG:4490")
    tab.pick_industry("电镀", "C3360", keyboard=False)
    for tag in s31["properties"]["tags"].split(";"):
        page.check(f"#tag-{tag}")
    page.select_option("#action", s31["properties"]["action"])
    answer = tab.check()
    expected = check_site(
        shapely.geometry.shape(s31["geometry"]),
        sample,
        industry="C3360",
        tags=s31["properties"]["tags"].split(";"),
        action="new",
    )
    assert answer["site"]["verdict"] == expected.sites.loc[0, "verdict"] == s31["properties"]["expected_verdict"]
    assert tab.verdict() == "prohibited"
    rule = s31["properties"]["expected_rule"]
    assert tab.finding_rows()[0]["cells"][6] == rule
    # the unit's access list, the matched clause highlighted
    unit = rule.split("/")[0]
    matched = page.eval_on_selector_all(
        f"#access-lists [data-unit='{unit}'] li.rc-matched", "items => items.map(i => i.dataset.clause)"
    )
    assert rule in matched
    assert page.locator(f"#access-lists [data-unit='{unit}'] li[data-clause='{rule}'] .rc-applies").count() == 1
    # overlaps drawn (the site lies inside its unit), and the report links answer
    overlaps = sum(1 for f in answer["findings"] if f["geometry"])
    assert overlaps > 0
    assert page.evaluate("rcPage.resultLayer.getLayers().length") == overlaps + 1
    hrefs = page.eval_on_selector_all("#result-links a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [answer["links"]["report"], answer["links"]["docx"], answer["links"]["map"]]
    report = httpx.get(tab.base + hrefs[0], timeout=60)
    assert report.status_code == 200 and "text/html" in report.headers["content-type"]
    assert "ZH45072120001" in report.text
    tab.assert_clean()


def test_paste_wkt_with_livestock_search_and_a_confidential_overlap(tab, sample):
    sites = _sample_sites()
    tab.open()
    page = tab.page
    # S09, a pig farm polygon in a water-source zone's 准保护区, as WKT; 畜 offers 其他牲畜饲养 among its
    # suggestions.  Restricted, as `redline check` says for the same outline, industry and tags: since
    # issue 16 the 准保护区 lies outside the 饮用水水源保护区 proper, so WS09's ban on livestock farms
    # (一级/二级 only) does not reach it and WS08 asks for review; the 武利江 basin's QZ03 restricts
    # new livestock farms, and that is the worst finding
    s09 = sites["S09"]
    page.fill("#site-text", shapely.geometry.shape(s09["geometry"]).wkt)
    tab.pick_industry("畜", "A0319", keyboard=True)
    tags = s09["properties"]["tags"].split(";")
    for tag in tags:
        page.check(f"#tag-{tag}")
    answer = tab.check()
    expected = check_site(shapely.geometry.shape(s09["geometry"]), sample, industry="A0319", tags=tags)
    assert answer["site"]["verdict"] == expected.sites.loc[0, "verdict"] == s09["properties"]["expected_verdict"]
    assert tab.verdict() == "restricted"
    assert tab.finding_rows()[0]["cells"][6] == s09["properties"]["expected_rule"] == "QZ03"
    for tag in tags:
        page.uncheck(f"#tag-{tag}")
    page.click("#industry-chosen .rc-chip-x")

    # S39 crosses the edge of the confidential 三门岭森林公园: found and marked 涉密, never drawn.
    # Restricted, as `redline check` says for the same outline, industry and tag: since issue 16 the
    # catalogue has rules for protected areas, and eco-tourism in a nature park's 一般控制区 is
    # restricted (NR06; it was review before)
    s39 = sites["S39"]
    page.fill("#site-text", json.dumps(s39["geometry"]))
    page.fill("#industry-input", s39["properties"]["industry"])
    page.check(f"#tag-{s39['properties']['tags']}")
    answer = tab.check()
    assert answer["site"]["verdict"] == s39["properties"]["expected_verdict"] == "restricted"
    secret = page.locator("#findings-table tbody tr[data-kind='nature_reserve']")
    assert secret.count() == 1 and secret.locator(".rc-secret").count() == 1
    (park_row,) = [row for row in tab.finding_rows() if row["kind"] == "nature_reserve"]
    assert park_row["cells"][6] == s39["properties"]["expected_rule"] == "NR06"
    assert [f["geometry"] for f in answer["findings"] if f["kind"] == "nature_reserve"] == [None]
    drawn = sum(1 for f in answer["findings"] if f["geometry"])
    assert page.evaluate("rcPage.resultLayer.getLayers().length") == drawn + 1
    kinds = page.evaluate(
        "(() => { const k = new Set(); rcPage.zonesLayer.eachLayer(l => k.add(l.feature.properties.kind));"
        " return Array.from(k); })()"
    )
    assert "nature_reserve" not in kinds
    tab.assert_clean()


def test_draw_a_polygon_and_a_line_with_the_draw_tool(tab, sample):
    s31 = _sample_sites()["S31"]
    ring = s31["geometry"]["coordinates"][0][:-1]  # a quadrilateral: 4 distinct vertices
    assert len(ring) == 4
    tab.open()
    page = tab.page
    page.click("[data-tool='polygon']")
    tab.fit(ring)
    for lon, lat in ring[:3]:
        tab.click_lonlat(lon, lat)
    tab.click_lonlat(0.5 * (ring[0][0] + ring[2][0]), 0.5 * (ring[0][1] + ring[2][1]))  # a stray vertex ...
    assert page.evaluate("rcPage.draw.vertices.length") == 4
    page.click("#draw-undo")  # ... taken back
    assert page.evaluate("rcPage.draw.vertices.length") == 3
    tab.click_lonlat(*ring[3], double=True)  # the last vertex, double-clicked to finish
    text = page.input_value("#site-text")
    drawn = shapely.from_wkt(text)
    assert drawn.geom_type == "Polygon" and len(drawn.exterior.coords) == 5
    assert drawn.hausdorff_distance(shapely.geometry.Polygon(ring)) < 2 * tab.pixel_deg()  # clicks land on pixels
    tab.pick_industry("电镀", "C3360", keyboard=True)
    for tag in s31["properties"]["tags"].split(";"):
        page.check(f"#tag-{tag}")
    answer = tab.check()
    expected = check_site(text, sample, industry="C3360", tags=s31["properties"]["tags"].split(";"))
    assert answer["site"]["verdict"] == expected.sites.loc[0, "verdict"] == "prohibited"
    assert [f["rule_id"] for f in answer["findings"]] == expected.findings["rule_id"].tolist()

    # a line: click, click, then the 完成 button; one click alone is not a line
    page.click("[data-tool='line']")
    s06 = _sample_sites()["S06"]
    line = s06["geometry"]["coordinates"][::5]  # every fifth vertex of the sample's access road
    tab.fit(line)
    tab.click_lonlat(*line[0])
    page.click("#draw-finish")
    assert "2" in page.text_content("#draw-hint")  # 线至少需要 2 个点
    for lon, lat in line[1:]:
        tab.click_lonlat(lon, lat)
    page.click("#draw-finish")
    drawn = shapely.from_wkt(page.input_value("#site-text"))
    assert drawn.geom_type == "LineString" and len(drawn.coords) == len(line)
    assert drawn.hausdorff_distance(shapely.geometry.LineString(line)) < 2 * tab.pixel_deg()
    page.click("#draw-clear")
    assert page.input_value("#site-text") == ""
    assert page.evaluate("rcPage.draw.vertices.length") == 0
    tab.assert_clean()


# the service repairs the bow-tie in its own thread, where the test run's "warnings are errors" also applies
@pytest.mark.filterwarnings("ignore:site .* repaired with make_valid:UserWarning")
def test_api_errors_show_next_to_the_field_they_name(browser, base, sample):
    tab = Tab(browser, base, accept_statuses=(400, 422))
    try:
        tab.open()
        page = tab.page
        page.click("#check-button")  # nothing entered: the page says so itself, no request
        assert "选址" in page.text_content("[data-error-for='site']")
        page.fill("#site-text", "this is not a place")
        answer = tab.check()
        assert answer["error"]["field"] == "site"
        assert page.text_content("#check-form [data-error-for='site']") == answer["error"]["message"]
        assert page.get_attribute("#site-text", "aria-invalid") == "true"
        assert page.is_hidden("#result")

        page.fill("#site-text", "109.4015,22.4923")
        page.fill("#industry-input", "Z9999")
        answer = tab.check()
        assert answer["error"]["field"] == "industry"
        assert page.text_content("#check-form [data-error-for='industry']") == answer["error"]["message"]
        assert page.text_content("#check-form [data-error-for='site']") == ""

        # a bow-tie polygon is refused next to the site box; with the repair box ticked it is checked
        page.fill("#industry-input", "H6210")
        page.fill("#site-text", BOW_TIE)
        answer = tab.check()
        assert answer["error"]["field"] == "site" and "Self-intersection" in answer["error"]["message"]
        assert "Self-intersection" in page.text_content("#check-form [data-error-for='site']")
        page.check("#site-fix")
        answer = tab.check()
        with pytest.warns(UserWarning, match="repaired with make_valid"):
            expected = check_site(BOW_TIE, sample, industry="H6210", on_invalid="fix")
        assert answer["site"]["verdict"] == expected.sites.loc[0, "verdict"] == "prohibited"
        assert answer["site"]["geom_type"] == "MultiPolygon"
        assert tab.verdict() == "prohibited" and page.is_visible("#result")
        tab.assert_clean()
    finally:
        tab.close()


def test_batch_upload_shows_progress_and_the_counts_of_redline_batch(tab, tmp_path):
    out = tmp_path / "cli"
    cli = threading.Thread(  # `redline batch` on the same file, meanwhile
        target=run_cli,
        args=("batch", str(SITES), "--layers", "sample", "--out", str(out), "--formats", "csv", "--quiet"),
        kwargs={"check": True},
    )
    cli.start()
    expected = Counter(f["properties"]["expected_verdict"] for f in _sample_sites().values())

    tab.accept_statuses = (400,)
    tab.open()
    page = tab.page
    page.click("#tab-batch")
    # a file type the service does not read: its message sits next to the file field
    bad = tmp_path / "notes.txt"
    bad.write_text("not sites", "utf-8")
    page.set_input_files("#batch-file", str(bad))
    with page.expect_response(lambda r: r.url.endswith("/api/batch")) as refused:
        page.click("#batch-button")
    assert refused.value.status == 400
    message = refused.value.json()["error"]
    assert message["field"] == "file"
    tab.wait_for("document.querySelector('#batch-form [data-error-for=file]').textContent.length > 0")
    assert page.text_content("#batch-form [data-error-for='file']") == message["message"]
    assert page.is_hidden("#batch-status")

    page.set_input_files("#batch-file", str(SITES))
    for slow in ("html", "docx", "map", "gpkg"):  # the reports with static maps take seconds; csv and xlsx do not
        page.uncheck(f"#batch-formats input[value='{slow}']")
    with page.expect_response(lambda r: r.url.endswith("/api/batch")) as posted:
        page.click("#batch-button")
    assert posted.value.status == 202
    page.wait_for_selector("#batch-status[data-status='done']", timeout=60_000)
    n = len(_sample_sites())
    bar = page.locator("#batch-progress")
    assert bar.evaluate("b => [b.value, b.max]") == [n, n]
    history = page.evaluate("rcPage.state.jobHistory")
    assert history[0][0] == "queued" and history[-1] == ["done", n, n]
    order = {"queued": 0, "running": 1, "done": 2}
    assert [order[h[0]] for h in history] == sorted(order[h[0]] for h in history)
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(history))
    assert str(n) in page.text_content("#batch-progress-text")
    shown = {
        row["verdict"]: int(row["n"])
        for row in page.eval_on_selector_all(
            "#batch-counts tr", "rows => rows.map(r => ({verdict: r.dataset.verdict, n: r.cells[1].textContent}))"
        )
    }
    cli.join(timeout=120)
    cli_counts = json.loads((out / "summary.json").read_text("utf-8"))
    assert shown == cli_counts["verdicts"]
    assert shown == {v: expected.get(v, 0) for v in (*VERDICTS, "error")}
    files = page.eval_on_selector_all(
        "#batch-files a", "links => links.map(a => [a.textContent, a.getAttribute('href')])"
    )
    names = [name for name, _ in files]
    assert {"sites.csv", "findings.csv", "results.xlsx"} <= set(names)
    assert not any(name.endswith((".docx", ".html", ".gpkg")) for name in names)
    sites_csv = httpx.get(tab.base + dict(files)["sites.csv"], timeout=30)
    assert sites_csv.status_code == 200 and sites_csv.text.count("\n") >= n + 1
    tab.assert_clean()


def test_token_prompt_and_token_in_the_url(browser, token_base, sample):
    tab = Tab(browser, token_base, accept_statuses=(401,))
    try:
        page = tab.page
        page.goto(token_base + "/")
        page.wait_for_selector("#token-dialog:not([hidden])")
        page.fill("#token-input", "口令 1")  # not sendable in a header: refused in the dialog itself
        page.click("#token-ok")
        assert page.is_visible("#token-dialog") and "ASCII" not in page.text_content("#token-error")
        assert "英文字母" in page.text_content("#token-error")
        page.fill("#token-input", "wrong")
        page.click("#token-ok")
        page.wait_for_selector("#token-dialog:not([hidden])")
        tab.wait_for("document.getElementById('token-error').textContent.length > 0")
        assert "令牌无效" in page.text_content("#token-error")
        page.fill("#token-input", TOKEN)
        page.click("#token-ok")
        page.wait_for_selector("body[data-ready='1']")
        tab.wait_zones()
        assert page.is_hidden("#token-dialog")
        assert page.text_content("#layerset-name") == sample.name
        assert page.evaluate("sessionStorage.getItem('redline-checker.token')") == TOKEN
        page.fill("#site-text", "109.4015,22.4923")
        page.fill("#industry-input", "H6210")
        answer = tab.check()
        assert answer["site"]["verdict"] == "prohibited"
        # a plain link cannot send the header: the page fetches the file with it and saves it
        assert httpx.get(token_base + answer["links"]["map"], timeout=30).status_code == 401
        with page.expect_download() as download:
            page.click(f"#result-links a[href='{answer['links']['map']}']")
        assert download.value.suggested_filename == "map.html"
        saved = Path(download.value.path()).read_text("utf-8")
        assert "L.map" in saved or "leaflet" in saved.lower()
        # a reload keeps the token of this tab: no prompt
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        assert page.is_hidden("#token-dialog")
        tab.assert_clean()
    finally:
        tab.close()

    tab = Tab(browser, token_base)  # a fresh context: no sessionStorage, no 401 expected
    try:
        tab.open(f"/?token={TOKEN}")
        page = tab.page
        assert page.is_hidden("#token-dialog")
        assert "token" not in page.url  # taken out of the address bar and history
        assert page.text_content("#layerset-name") == sample.name
        tab.assert_clean()
    finally:
        tab.close()


def test_markup_in_names_and_clauses_stays_text(browser, evil_base):
    tab = Tab(browser, evil_base)
    try:
        tab.open()
        page = tab.page
        assert page.text_content("#layerset-name") == f"示例 {IMG_EVIL}{SCRIPT_EVIL}"
        page.fill("#site-text", "109.4015,22.4923")
        page.fill("#industry-input", "H6210")
        answer = tab.check()
        assert answer["findings"][0]["zone_name"] == f"{IMG_EVIL}一级区"
        assert f"{IMG_EVIL}一级区" in tab.finding_rows()[0]["cells"][1]
        clauses = page.text_content("#access-lists")
        assert f"{SCRIPT_EVIL}{IMG_EVIL}" in clauses
        # the zone's tooltip on the map: opened, its text literal
        page.wait_for_function(  # (opened again on each poll: the zones are redrawn when the map moves)
            "() => { rcPage.zonesLayer.eachLayer(l => {"
            " if (l.feature.properties.zone_id === 'SY450721-WL-1') l.openTooltip(); });"
            " return document.querySelector('.leaflet-tooltip') !== null; }"
        )
        assert IMG_EVIL in page.text_content(".leaflet-tooltip")
        page.wait_for_timeout(300)  # time for an injected handler to fire, if there were one
        assert page.locator("img[src='x']").count() == 0
        assert page.evaluate("Array.from(document.scripts).filter(s => s.text.includes('alert')).length") == 0
        tab.assert_clean()
    finally:
        tab.close()


def test_english_switch(tab):
    tab.open()
    page = tab.page
    page.click("#lang-en")
    tab.wait_for("document.documentElement.lang === 'en'")
    assert page.text_content("#check-button") == "Check"
    assert page.text_content("[data-tool='polygon']") == "Polygon"
    page.fill("#site-text", "109.4015,22.4923")
    page.fill("#industry-input", "H6210")
    tab.check()
    assert page.text_content("#verdict-badge") == "prohibited"
    page.click("#lang-zh")
    tab.wait_for("document.documentElement.lang === 'zh-CN'")
    assert page.text_content("#check-button") == "检查"
    tab.assert_clean()
