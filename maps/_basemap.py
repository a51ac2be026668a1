"""The base maps of every interactive map page, and its metric scale.

A map opens on the blank base, so it needs no network: OpenStreetMap, 天地图 (when a key is
given) and 高德 (GCJ-02) are offered in the layer control, and the reader's choice is
remembered by the browser for the next map page opened (:func:`maps._js.basemap_js`).  The
scale is metric only (metres and kilometres).
"""

from __future__ import annotations

import html
import os
from urllib.parse import quote

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from redline.maps._assets import inline_leaflet
from redline.maps._js import basemap_js, runtime_css
from redline.maps._style import HATCH_SVG
from redline.zones.labels import t

__all__ = ["BASE_IDS", "GAODE_URL", "OSM_URL", "TIANDITU_URL", "BaseMaps", "new_map"]

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: 天地图 web-Mercator WMTS; ``{layer}`` is ``vec`` (roads) or ``cva``/``eva`` (Chinese/English labels).
TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)
#: 高德 road map tiles, in GCJ-02.
GAODE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang={lang}&size=1&scale=1&style=8&x={x}&y={y}&z={z}"

#: The bases in the layer control's order, by the id the page remembers them by; ``blank`` is the default.
BASE_IDS: tuple[str, ...] = ("blank", "osm", "tianditu", "gaode")


class BaseMaps(MacroElement):
    """The metric scale and the remembered base map (:func:`maps._js.basemap_js`) of a map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.code }}({{ this._parent.get_name() }}, {{ this.bases }});
        {% endmacro %}
        """
    )

    def __init__(self, bases: dict[str, str]) -> None:
        super().__init__()
        self._name = "RedlineBaseMaps"
        self.bases = "[" + ",".join(f'["{key}", "{name}"]' for key, name in bases.items()) + "]"
        self.code = basemap_js()


def _tianditu(lang: str, key: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=html.escape(t("map.base_tianditu", lang)), overlay=False, show=False)
    labels = "cva" if lang == "zh" else "eva"
    for layer in ("vec", labels):
        url = TIANDITU_URL.replace("{layer}", layer).replace("{key}", quote(key, safe=""))
        folium.TileLayer(
            url,
            attr="&copy; 天地图 (tianditu.gov.cn)",
            subdomains="01234567",
            max_zoom=18,
            name=f"tianditu-{layer}",
            control=False,
        ).add_to(group)
    return group


def _bases(lang: str, key: str) -> dict[str, folium.map.Layer]:
    """Return the base layers by id, in :data:`BASE_IDS` order (天地图 only with a key)."""
    bases: dict[str, folium.map.Layer] = {
        "blank": folium.FeatureGroup(name=html.escape(t("map.base_blank", lang)), overlay=False, show=True),
        "osm": folium.TileLayer(
            OSM_URL,
            name=html.escape(t("map.base_osm", lang)),
            max_zoom=19,
            attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
            show=False,
        ),
    }
    if key:
        bases["tianditu"] = _tianditu(lang, key)
    bases["gaode"] = folium.TileLayer(
        GAODE_URL.replace("{lang}", "zh_cn" if lang == "zh" else "en"),
        name=html.escape(t("map.base_gaode", lang)),
        attr="&copy; 高德地图 AutoNavi (GCJ-02)",
        subdomains="1234",
        max_zoom=18,
        show=False,
    )
    return bases


def new_map(lang: str, *, tianditu_key: str | None = None) -> tuple[folium.Map, str | None, bool]:
    """Return a map with the base layers, Leaflet inline, a metric scale, the runtime CSS and the hatch pattern.

    The blank base is shown; OpenStreetMap, 天地图 (with ``tianditu_key``, by default the
    ``TIANDITU_KEY`` environment variable) and 高德 are offered.  Returns ``(map, JS name of
    the 高德 base layer, whether 天地图 is offered)``.

    Examples
    --------
    >>> m, gaode, offered = new_map("zh", tianditu_key="")
    >>> page = m.get_root().render()
    >>> "imperial: false" in page, "tile.openstreetmap.org" in page, offered
    (True, True, False)
    """
    m = folium.Map(
        location=[35.0, 105.0], zoom_start=4, tiles=None, control_scale=False, max_zoom=19, zoom_snap=0.25, zoom_delta=1
    )
    inline_leaflet(m)
    key = (tianditu_key if tianditu_key is not None else os.environ.get("TIANDITU_KEY", "")).strip()
    bases = _bases(lang, key)
    for layer in bases.values():
        layer.add_to(m)
    BaseMaps({k: layer.get_name() for k, layer in bases.items()}).add_to(m)
    root = m.get_root()
    root.header.add_child(Element(runtime_css()), name="rc_css")
    root.html.add_child(Element(HATCH_SVG), name="rc_hatch")
    return m, bases["gaode"].get_name(), bool(key)
