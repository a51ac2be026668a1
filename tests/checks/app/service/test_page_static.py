"""Fast checks of the service page's static files (checks/service/static/), no browser.

The page must work on a closed network: no CDN, no external script, style, font
or image; every asset is one of the service's own ``/static`` files.  Data is
put into the page as text, never as markup, and every string the HTML shows
has its Chinese and English entry in app.js.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[4] / "checks" / "app" / "service" / "static"
LEAFLET = resources.files("js_lib_leaflet").joinpath("static", "js_lib_leaflet")

#: The only absolute URLs the page may contain: the opt-in OpenStreetMap tile layer
#: (off by default; the default base is blank) and the SVG namespace (not a request).
ALLOWED_URLS = {
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "https://tile.openstreetmap.org",
    "http://www.w3.org/2000/svg",
}


class _Assets(HTMLParser):
    """Collect the asset references, ids, i18n keys and inline code of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()
        self.i18n: dict[str, str] = {}
        self.handlers: list[str] = []
        self.inline_scripts = 0
        self.csp = ""
        self._key: str | None = None
        self._text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href"):
            if a.get(name) is not None:
                self.refs.append((tag, name, a[name]))
        if a.get("id"):
            self.ids.add(a["id"])
        self.handlers += [name for name in a if name.startswith("on")]
        if tag == "script":
            self._in_script = True
            if not a.get("src"):
                self.inline_scripts += 1
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = a.get("content") or ""
        if "data-i18n" in a:
            self._key = a["data-i18n"]
            self._text = []

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        if self._key is not None:
            self.i18n[self._key] = "".join(self._text).strip()
            self._key = None

    def handle_data(self, data):
        if self._key is not None:
            self._text.append(data)


@pytest.fixture(scope="module")
def html() -> _Assets:
    parser = _Assets()
    parser.feed((STATIC / "index.html").read_text("utf-8"))
    return parser


@pytest.fixture(scope="module")
def js() -> str:
    return (STATIC / "app.js").read_text("utf-8")


def _strings(js: str) -> dict[str, tuple[str, str]]:
    """Return app.js's STRINGS table (key -> (zh, en)) read from its source."""
    block = js[js.index("var STRINGS = {") : js.index("};", js.index("var STRINGS = {"))]
    pairs = re.findall(r"'([\w.:-]+)':\s*\[\s*'((?:[^'\\]|\\.)*)',\s*(['\"])((?:(?!\3)[^\\]|\\.)*)\3\]", block)
    return {key: (zh, en) for key, zh, _, en in pairs}


def test_the_page_files_exist_and_are_package_data():
    for name in ("index.html", "app.js", "app.css"):
        assert (STATIC / name).stat().st_size > 500, name
    setup = (Path(__file__).resolve().parents[4] / "setup.cfg").read_text("utf-8")
    assert re.search(r"checks = .*service/static/\*", setup)


@pytest.mark.parametrize("name", ["index.html", "app.js", "app.css"])
def test_no_url_to_any_other_host(name):
    text = (STATIC / name).read_text("utf-8")
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s'\"<>);]*", text))
    assert urls <= ALLOWED_URLS, sorted(urls - ALLOWED_URLS)
    for marker in ("cdn", "unpkg", "jsdelivr", "googleapis", "cloudflare", "@import", "amap.com", "tianditu"):
        assert marker not in text.lower(), marker


def test_the_osm_tiles_are_opt_in_and_no_gcj02_base_is_offered(js):
    # the blank base is added to the map; the OSM layer only sits in the layer switcher
    assert "baseBlank.addTo(map)" in js and "baseOsm.addTo" not in js
    assert "autonavi" not in js.lower() and "webrd" not in js


def test_index_html_refers_only_to_static_assets_that_exist(html):
    assert html.refs, "no assets found"
    for tag, attr, ref in html.refs:
        if tag == "link" and ref == "data:,":  # the empty favicon, so the browser asks for none
            continue
        assert ref.startswith("/static/"), (tag, attr, ref)
        rel = ref.removeprefix("/static/")
        if rel.startswith("leaflet/"):
            assert LEAFLET.joinpath(rel.removeprefix("leaflet/")).is_file(), ref
        else:
            assert (STATIC / rel).is_file(), ref
    scripts = [ref for tag, _, ref in html.refs if tag == "script"]
    assert scripts == ["/static/leaflet/leaflet.js", "/static/app.js"]


def test_leaflet_css_images_are_served_from_the_package():
    css = LEAFLET.joinpath("leaflet.css").read_text("utf-8")
    for image in set(re.findall(r"url\((images/[\w.-]+)\)", css)):
        assert LEAFLET.joinpath(image).is_file(), image


def test_no_inline_script_no_inline_handlers_and_a_strict_csp(html):
    assert html.inline_scripts == 0
    assert html.handlers == []
    directives = dict(d.strip().split(" ", 1) for d in html.csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"


def test_app_js_never_parses_data_as_markup(js):
    code = re.sub(r"^\s*(//|\*|/\*).*$", "", js, flags=re.M)  # comments may mention what is avoided
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "setHTML",
        "createContextualFragment",
        "DOMParser",
        "bindPopup('",
        'bindPopup("',
    ):
        assert sink not in code, sink
    # Leaflet tooltips get DOM nodes built with el(), never strings
    for call in re.findall(r"bindTooltip\(([^,]+),", code):
        assert call.strip().startswith(("zoneTooltip(", "el(")), call


def test_every_element_the_script_looks_up_exists(html, js):
    wanted = set(re.findall(r"\$\('([\w-]+)'\)", js))
    missing = sorted(wanted - html.ids)
    assert not missing, missing


def test_every_html_label_has_both_languages_and_matches_the_chinese_default(html, js):
    strings = _strings(js)
    assert len(strings) > 100
    for key, shown in html.i18n.items():
        assert key in strings, key
        assert shown == strings[key][0], (key, shown, strings[key][0])
    for key, (zh, en) in strings.items():
        assert zh and en, key
        assert re.search(r"[\u4e00-\u9fff]", zh) or key.startswith("crs.") or zh == en or key.startswith("verdict"), key


def test_the_verdict_labels_are_those_of_the_reports(js):
    from redline.zones.verdicts import VERDICT_LABELS

    strings = _strings(js)
    for verdict, pair in VERDICT_LABELS.items():
        assert strings[f"verdict.{verdict}"] == pair, verdict


def test_every_verdict_has_the_colour_of_the_maps_and_its_own_style(js):
    """``no_coverage`` (outside the layers' coverage) too: its own grey-blue, label and badge style."""
    from redline.maps._style import VERDICT_COLORS
    from redline.zones.verdicts import VERDICTS

    listed = re.search(r"var VERDICTS = \[([^\]]*)\];", js).group(1)
    assert re.findall(r"'(\w+)'", listed) == [*VERDICTS, "error"]
    block = js[js.index("var VERDICT_COLORS = {") : js.index("};", js.index("var VERDICT_COLORS = {"))]
    assert dict(re.findall(r"(\w+): '(#[0-9a-f]{6})'", block)) == VERDICT_COLORS
    assert VERDICT_COLORS["no_coverage"] == "#7f8fa6"
    css = (STATIC / "app.css").read_text("utf-8")
    for verdict in VERDICT_COLORS:
        for element in ("rc-verdict", "rc-vchip"):
            assert f".{element}.v-{verdict} " in css, (element, verdict)
    assert "--no_coverage: #7f8fa6;" in css
    assert _strings(js)["verdict.no_coverage"] == ("超出图层覆盖范围", "outside the layers' coverage")
