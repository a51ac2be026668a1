r"""The JavaScript and CSS written into ``map.html`` and ``zoning.html`` (no CDN, no plugins).

They are files of the package, ``maps/static/runtime.js``, ``runtime.css`` and ``basemap.js``,
read once when a map is first drawn.  ``basemap.js`` (:func:`basemap_js`) gives every map page
its metric scale and its blank base map, or the base the reader chose on an earlier visit.  The
runtime script (:func:`runtime_js`) draws everything from one compact JSON payload (``RC_DATA``,
built by :mod:`maps._leaflet`): the zones, the overlaps, the buffer rings and the sites, with a
grid clustering of the sites so a 100,000-site batch stays usable.  It docks the legend in the
map's lower-left corner (it folds away) and frames the first view clear of the legend, the layer
control and the title.  It also holds the small Leaflet controls folium would otherwise pull
from CDNs: full screen (Fullscreen API, CSS fallback), a distance/area ruler
(Vincenty distances and an equal-area projection on the CGCS2000/GRS80
ellipsoid) and a north arrow.  When the 高德 (GCJ-02) base map is chosen, every
overlay is redrawn with the published WGS84→GCJ-02 formula (the same one as
:func:`layers.webcoords.wgs84_to_gcj02`), so nothing sits 500 m off.

Every text that comes from a layer or a site reaches the page through
``esc()`` (popups, tooltips) and never as markup; the payload itself is JSON
with ``<``, ``>`` and ``&`` written as ``\u`` escapes, so it cannot close its
``<script>`` element.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["basemap_js", "runtime_css", "runtime_js"]


def _static(name: str) -> str:
    return files("redline.maps").joinpath("static", name).read_text(encoding="utf-8")


@cache
def runtime_css() -> str:
    """Return the runtime's stylesheet as a ``<style>`` element.

    Examples
    --------
    >>> css = runtime_css()
    >>> css.startswith("<style>") and "#rc-legend" in css and css.endswith("</style>")
    True
    """
    return f"<style>\n{_static('runtime.css')}</style>"


@cache
def runtime_js() -> str:
    """Return the runtime's script (it reads the payload from ``RC_DATA``).

    Examples
    --------
    >>> "RC_DATA" in runtime_js()
    True
    """
    return "\n" + _static("runtime.js")


@cache
def basemap_js() -> str:
    """Return the base-map script: a function of the map and its ``[[id, layer variable], ...]``.

    Examples
    --------
    >>> basemap_js().lstrip().startswith("(function (map, bases)")
    True
    """
    return _static("basemap.js").strip()
