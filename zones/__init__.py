"""What the zones mean: kinds and classes, rule catalogues, access lists, industries, verdicts.

Examples
--------
>>> from zones import national_catalog, make_project, evaluate
>>> evaluate(national_catalog(), "water_source", "first", "inside", make_project("C3360")).verdict
'prohibited'
"""

from zones.access_list import DIMENSIONS, AccessList, Clause
from zones.errors import CRSError, LayerError, ManifestError, RedlineError, RuleError, SiteError
from zones.evaluate import Decision, evaluate
from zones.industry import resolve as resolve_industry
from zones.kinds import KINDS, STATUTORY_KINDS, Kind, get_kind
from zones.project import ACTIONS, Project, make_project
from zones.rules import Catalog, Rule, catalog_with, load_catalog, national_catalog
from zones.tags import TAGS
from zones.verdicts import VERDICTS, worst

__all__ = [
    "ACTIONS",
    "DIMENSIONS",
    "KINDS",
    "STATUTORY_KINDS",
    "TAGS",
    "VERDICTS",
    "AccessList",
    "CRSError",
    "Catalog",
    "Clause",
    "Decision",
    "Kind",
    "LayerError",
    "ManifestError",
    "Project",
    "RedlineError",
    "Rule",
    "RuleError",
    "SiteError",
    "catalog_with",
    "evaluate",
    "get_kind",
    "load_catalog",
    "make_project",
    "national_catalog",
    "resolve_industry",
    "worst",
]
