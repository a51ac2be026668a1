"""redline-checker: screen project sites against Chinese ecological red lines and other protected zones.

``import redline`` is the public API.  The four packages of the design card are installed under it:

- :mod:`redline.zones`: what the zones mean (kinds, classes, rule catalogues, access lists, verdicts);
- :mod:`redline.layers`: getting zone layers in (manifests, sources, CRS, encodings, validation);
- :mod:`redline.checks`: the checker (sites in, findings and outputs out; the CLI and the service);
- :mod:`redline.maps`: interactive and static maps.

Importing :mod:`redline` loads none of fastapi, uvicorn, python-docx, matplotlib or folium: the
reports, maps and the service load them when they are first used.

Examples
--------
>>> import redline
>>> layerset = redline.load_layerset("sample")
>>> result = redline.check_site("109.52,22.49", layerset, industry="C3360")
>>> result.sites.loc[0, "verdict"] in redline.VERDICTS
True
"""

from __future__ import annotations

from pathlib import Path as _Path

# In a source checkout the four folders sit beside this one (zones/ layers/ checks/ maps/ at the
# repository's top level); installed, they are this package's subfolders.  Extending the search
# path makes ``redline.zones`` etc. importable from a checkout without installing it.
_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "setup.cfg").is_file() and (_checkout / "zones" / "__init__.py").is_file():
    __path__.append(str(_checkout))

from redline._version import __version__  # noqa: E402
from redline.checks.app.versions import show_versions, versions  # noqa: E402
from redline.checks.outputs.writers import FORMATS, write_outputs  # noqa: E402
from redline.checks.result import FINDING_COLUMNS, SITE_COLUMNS, ScreeningResult  # noqa: E402
from redline.checks.screen import check_site, screen_sites  # noqa: E402
from redline.checks.sites.reader import parse_site_text, read_sites, sites_from_geometries  # noqa: E402
from redline.layers import LayerSet, ZoneLayer, load_layerset, sample_dir, validate_layerset  # noqa: E402
from redline.zones.errors import (  # noqa: E402
    CRSError,
    LayerError,
    ManifestError,
    RedlineError,
    RuleError,
    SiteError,
)
from redline.zones.project import Project, make_project  # noqa: E402
from redline.zones.rules import Catalog, Rule, load_catalog, national_catalog  # noqa: E402
from redline.zones.verdicts import VERDICTS  # noqa: E402

__all__ = [
    "FINDING_COLUMNS",
    "FORMATS",
    "SITE_COLUMNS",
    "VERDICTS",
    "CRSError",
    "Catalog",
    "LayerError",
    "LayerSet",
    "ManifestError",
    "Project",
    "RedlineError",
    "Rule",
    "RuleError",
    "ScreeningResult",
    "SiteError",
    "ZoneLayer",
    "__version__",
    "check_site",
    "load_catalog",
    "load_layerset",
    "make_project",
    "national_catalog",
    "parse_site_text",
    "read_sites",
    "sample_dir",
    "screen_sites",
    "show_versions",
    "sites_from_geometries",
    "validate_layerset",
    "versions",
    "write_outputs",
]
