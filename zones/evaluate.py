"""Turn a spatial finding and a project into a verdict, citing the rule."""

from __future__ import annotations

from dataclasses import dataclass

from redline.zones.kinds import KINDS
from redline.zones.project import Project
from redline.zones.rules import Catalog, Rule
from redline.zones.verdicts import rank

__all__ = ["Decision", "evaluate"]


@dataclass(frozen=True)
class Decision:
    """The verdict of one site-zone finding and the rules behind it.

    ``rule`` is the deciding rule (the worst verdict; on a tie, the first in
    catalogue order); ``matched`` lists every rule that applied.

    Examples
    --------
    >>> from redline.zones import evaluate, make_project, national_catalog
    >>> d = evaluate(national_catalog(), "water_source", "second", "inside", make_project("C3360"))
    >>> d.verdict, d.rule_id, [rule.code for rule in d.matched]
    ('prohibited', 'WS04', ['WS04', 'WS05'])
    """

    verdict: str
    rule: Rule | None
    matched: tuple[Rule, ...]

    @property
    def rule_id(self) -> str:
        """The deciding rule's code, or empty."""
        return self.rule.code if self.rule else ""

    @property
    def basis(self) -> str:
        """The deciding rule's legal basis (the kind's statute when no rule applied)."""
        return self.rule.basis if self.rule else ""


def evaluate(
    catalog: Catalog,
    kind: str,
    zone_class: str | None,
    relation: str,
    project: Project,
    distance_m: float | None = None,
) -> Decision:
    """Return the :class:`Decision` for one finding.

    Parameters
    ----------
    catalog : Catalog
        The rules in force (national, possibly with a regional layer).
    kind, zone_class : str
        The zone's kind and class.
    relation : str
        ``inside``, ``overlaps`` or ``nearby``.
    project : Project
        What is proposed.
    distance_m : float, optional
        Distance to the zone for ``nearby`` findings.

    Returns
    -------
    Decision
        ``review`` with no rule when no rule applies (a touched zone always
        needs a human look).

    Examples
    --------
    >>> from redline.zones.rules import national_catalog
    >>> from redline.zones.project import make_project
    >>> d = evaluate(national_catalog(), "water_source", "first", "inside", make_project())
    >>> d.verdict, d.rule_id
    ('prohibited', 'WS01')
    """
    matched = tuple(
        r
        for r in catalog.for_kind(kind)
        if r.applies_to_zone(kind, zone_class)
        and r.applies_to_relation(relation, distance_m)
        and r.applies_to_project(project)
    )
    if not matched:
        return Decision("review", None, ())
    decisive = min(matched, key=lambda r: rank(r.verdict))
    return Decision(decisive.verdict, decisive, matched)


def kind_basis(kind: str) -> str:
    """Return the core statute of ``kind`` (for findings no rule covers)."""
    return KINDS[kind].basis if kind in KINDS else ""
