"""Verdicts, worst first, and how to combine them."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["RULE_VERDICTS", "VERDICTS", "VERDICT_LABELS", "finding_verdict", "verdict_label", "worst"]

#: Contract order, worst first.  The only source of the order: everything else ranks by it.
#: ``no_coverage`` (超出图层覆盖范围): the site lies wholly outside where the layer set speaks, so the
#: tool cannot say; it is never a rule's verdict (see :func:`redline.zones.outcome.site_verdicts`).
VERDICTS: tuple[str, ...] = ("prohibited", "restricted", "review", "no_coverage", "clear")

#: What a catalogue rule may write as its ``verdict`` -> the verdict its findings get.  ``info``
#: marks an informational rule: it names the zone and cites its statute but raises nothing, so its
#: findings are ``clear`` (e.g. a project inside the urban development boundary).
RULE_VERDICTS: dict[str, str] = {
    "prohibited": "prohibited",
    "restricted": "restricted",
    "review": "review",
    "info": "clear",
}

VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "prohibited": ("禁止", "prohibited"),
    "restricted": ("限制/需论证", "restricted"),
    "review": ("需关注", "review"),
    "no_coverage": ("超出图层覆盖范围", "outside the layers' coverage"),
    "clear": ("未发现冲突", "clear"),
    "error": ("无法检查", "error"),
}

_RANK = {v: i for i, v in enumerate(VERDICTS)}


def finding_verdict(rule_verdict: str) -> str:
    """Return the verdict a finding gets from a rule whose catalogue verdict is ``rule_verdict``.

    Examples
    --------
    >>> finding_verdict("prohibited"), finding_verdict("info")
    ('prohibited', 'clear')
    """
    return RULE_VERDICTS[rule_verdict]


def worst(verdicts: Iterable[str]) -> str:
    """Return the worst of ``verdicts`` (``clear`` when there are none).

    Examples
    --------
    >>> worst(["review", "prohibited", "clear"])
    'prohibited'
    >>> worst([])
    'clear'
    """
    best = "clear"
    for v in verdicts:
        if _RANK[v] < _RANK[best]:
            best = v
    return best


def rank(verdict: str) -> int:
    """Return the rank of ``verdict``: 0 for the worst (``prohibited``)."""
    return _RANK[verdict]


def verdict_label(verdict: str, lang: str = "zh") -> str:
    """Return the display label of a verdict in ``lang``."""
    zh, en = VERDICT_LABELS[verdict]
    return zh if lang == "zh" else en
