"""Maps of screening results and layer sets: the only package that imports folium and matplotlib.

- :func:`site_map` / :func:`save_map`: the interactive ``map.html`` of a run (folium);
- :func:`site_map_png` / :func:`site_map_pngs`: static maps of sites for the reports (matplotlib);
- :func:`zoning_map` / :func:`zoning_figure` / :func:`write_zoning_map`: zoning maps of a layer set for
  planners (interactive, a printable matplotlib figure, or a file).

:mod:`checks` imports this package only when it writes a map or a report.

Examples
--------
>>> from redline.maps import save_map, site_map
>>> save_map(site_map(result), "map.html")  # doctest: +SKIP
"""

from redline.maps.site_map import save_map, site_map
from redline.maps.static_map import site_map_png, site_map_pngs
from redline.maps.zoning_map import write_zoning_map, zoning_figure, zoning_map

__all__ = [
    "save_map",
    "site_map",
    "site_map_png",
    "site_map_pngs",
    "write_zoning_map",
    "zoning_figure",
    "zoning_map",
]
