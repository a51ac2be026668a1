"""The checker: project sites in, findings and verdicts out.

Examples
--------
>>> from layers import load_layerset
>>> from checks import check_site
>>> result = check_site("109.52,22.49", load_layerset("sample"), industry="C3360")
>>> result.sites.loc[0, "verdict"] in {"prohibited", "restricted", "review", "clear"}
True

``import checks`` loads neither folium nor matplotlib; maps are drawn by :mod:`maps`.
"""

from checks._version import __version__
from checks.result import FINDING_COLUMNS, SITE_COLUMNS, ScreeningResult
from checks.screen import check_site, screen_sites
from checks.sites import parse_site_text, read_sites, sites_from_geometries
from checks.versions import show_versions, versions
from checks.writers import FORMATS, write_outputs

__all__ = [
    "FINDING_COLUMNS",
    "FORMATS",
    "SITE_COLUMNS",
    "ScreeningResult",
    "__version__",
    "check_site",
    "parse_site_text",
    "read_sites",
    "screen_sites",
    "show_versions",
    "sites_from_geometries",
    "versions",
    "write_outputs",
]
