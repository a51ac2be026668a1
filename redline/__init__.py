"""redline-checker: screen project sites against Chinese ecological red lines and other protected zones.

``import redline`` is the public API.  The four packages of the design card are installed under it:

- :mod:`redline.zones`: what the zones mean (kinds, classes, rule catalogues, access lists, verdicts);
- :mod:`redline.layers`: getting zone layers in (manifests, sources, CRS, encodings, validation);
- :mod:`redline.checks`: the checker (sites in, findings and outputs out; the CLI and the service);
- :mod:`redline.maps`: interactive and static maps.

Importing :mod:`redline` loads nothing but this file: each public name loads its module when it is
first used, and none of them loads fastapi, uvicorn, python-docx, matplotlib or folium (the reports,
maps and the service load those when they are first used).

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
from typing import TYPE_CHECKING, Any

# In a source checkout the four folders sit beside this one (zones/ layers/ checks/ maps/ at the
# repository's top level); installed, they are this package's subfolders.  Extending the search
# path makes ``redline.zones`` etc. importable from a checkout without installing it.
_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "setup.cfg").is_file() and (_checkout / "zones" / "__init__.py").is_file():
    __path__.append(str(_checkout))

from redline._version import __version__  # noqa: E402

#: public name -> the module that defines it; loaded on first use (PEP 562), so that ``import redline``
#: costs nothing beyond this file and a command loads only the modules it needs
_LAZY: dict[str, str] = {
    "show_versions": "redline.checks.app.versions",
    "versions": "redline.checks.app.versions",
    "FORMATS": "redline.checks.outputs.writers",
    "write_outputs": "redline.checks.outputs.writers",
    "FINDING_COLUMNS": "redline.checks.result",
    "SITE_COLUMNS": "redline.checks.result",
    "ScreeningResult": "redline.checks.result",
    "check_site": "redline.checks.screen",
    "screen_sites": "redline.checks.screen",
    "parse_site_text": "redline.checks.sites.reader",
    "read_sites": "redline.checks.sites.reader",
    "sites_from_geometries": "redline.checks.sites.reader",
    "LayerSet": "redline.layers.layerset",
    "ZoneLayer": "redline.layers.layerset",
    "load_layerset": "redline.layers",
    "sample_dir": "redline.layers",
    "validate_layerset": "redline.layers.validate",
    "CRSError": "redline.zones.errors",
    "LayerError": "redline.zones.errors",
    "ManifestError": "redline.zones.errors",
    "RedlineError": "redline.zones.errors",
    "RuleError": "redline.zones.errors",
    "SiteError": "redline.zones.errors",
    "Project": "redline.zones.project",
    "make_project": "redline.zones.project",
    "Catalog": "redline.zones.rules",
    "Rule": "redline.zones.rules",
    "load_catalog": "redline.zones.rules",
    "national_catalog": "redline.zones.rules",
    "VERDICTS": "redline.zones.verdicts",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'redline' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # the names, for type checkers and IDEs
    from redline.checks.app.versions import show_versions, versions
    from redline.checks.outputs.writers import FORMATS, write_outputs
    from redline.checks.result import FINDING_COLUMNS, SITE_COLUMNS, ScreeningResult
    from redline.checks.screen import check_site, screen_sites
    from redline.checks.sites.reader import parse_site_text, read_sites, sites_from_geometries
    from redline.layers import load_layerset, sample_dir
    from redline.layers.layerset import LayerSet, ZoneLayer
    from redline.layers.validate import validate_layerset
    from redline.zones.errors import CRSError, LayerError, ManifestError, RedlineError, RuleError, SiteError
    from redline.zones.project import Project, make_project
    from redline.zones.rules import Catalog, Rule, load_catalog, national_catalog
    from redline.zones.verdicts import VERDICTS

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
