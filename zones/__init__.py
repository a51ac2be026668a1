"""What the zones mean: kinds and classes, rule catalogues, access lists, industries, verdicts.

Examples
--------
>>> from redline.zones import national_catalog, make_project, evaluate
>>> evaluate(national_catalog(), "water_source", "first", "inside", make_project("C3360")).verdict
'prohibited'
"""

from redline.zones.access_list import DIMENSIONS, AccessList, Clause
from redline.zones.errors import CRSError, LayerError, ManifestError, RedlineError, RuleError, SiteError
from redline.zones.industry import resolve as resolve_industry
from redline.zones.kinds import KINDS, STATUTORY_KINDS, Kind, get_kind
from redline.zones.outcome import Decision, Outcome, Outcomes, evaluate
from redline.zones.project import ACTIONS, Project, make_project
from redline.zones.rules import Catalog, Rule, catalog_with, load_catalog, national_catalog
from redline.zones.tags import TAGS
from redline.zones.verdicts import VERDICTS, worst

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
    "Outcome",
    "Outcomes",
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
