"""The checker: project sites in, findings and verdicts out.

Examples
--------
>>> from redline.layers import load_layerset
>>> from redline.checks import check_site
>>> result = check_site("109.52,22.49", load_layerset("sample"), industry="C3360")
>>> result.sites.loc[0, "verdict"] in {"prohibited", "restricted", "review", "clear"}
True

``import checks`` loads neither folium nor matplotlib; maps are drawn by :mod:`maps`.
"""

from redline._version import __version__
from redline.checks.app.versions import show_versions, versions
from redline.checks.outputs.writers import FORMATS, write_outputs
from redline.checks.result import FINDING_COLUMNS, SITE_COLUMNS, ScreeningResult
from redline.checks.screen import check_site, screen_sites
from redline.checks.sites.reader import parse_site_text, read_sites, sites_from_geometries

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
