"""Embed Leaflet into map files so they open with no network.

folium links Leaflet, jQuery and Bootstrap from CDNs; a reviewer on a bureau's
closed network would then see a blank page.  The maps here use nothing but Leaflet,
so its script and stylesheet (from the ``django-js-lib-leaflet`` distribution, which
packages Leaflet 1.9.4 as plain static files) are written into the HTML itself, with
the control images as data URIs.  Only basemap tiles still need the network.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources

import folium
from branca.element import Element

__all__ = ["inline_leaflet"]

_PACKAGE = "js_lib_leaflet"


def _static(name: str) -> bytes:
    return resources.files(_PACKAGE).joinpath("static", _PACKAGE, name).read_bytes()


@cache
def _leaflet_css() -> str:
    css = _static("leaflet.css").decode("utf-8")

    def data_uri(match: re.Match[str]) -> str:
        png = base64.b64encode(_static(match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{png})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


@cache
def _leaflet_js() -> str:
    return _static("leaflet.js").decode("utf-8")


def inline_leaflet(m: folium.Map) -> None:
    """Replace the map's CDN links with Leaflet's script and stylesheet written inline.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> inline_leaflet(m)
    >>> "cdn.jsdelivr" in m.get_root().render()
    False
    """
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    header.add_child(Element(f"<style>{_leaflet_css()}</style>"), name="leaflet_css")
    header.add_child(Element(f"<script>{_leaflet_js()}</script>"), name="leaflet_js")
