"""Maps of screening results: the only package that imports folium (and matplotlib).

Examples
--------
>>> from maps import save_map, site_map
>>> save_map(site_map(result), "map.html")  # doctest: +SKIP
"""

from maps.site_map import save_map, site_map

__all__ = ["save_map", "site_map"]
