"""Verdicts, worst first, and how to combine them."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["VERDICTS", "VERDICT_LABELS", "verdict_label", "worst"]

#: Contract order, worst first.
VERDICTS: tuple[str, ...] = ("prohibited", "restricted", "review", "clear")

VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "prohibited": ("禁止", "prohibited"),
    "restricted": ("限制/需论证", "restricted"),
    "review": ("需关注", "review"),
    "clear": ("未发现冲突", "clear"),
    "error": ("无法检查", "error"),
}

_RANK = {v: i for i, v in enumerate(VERDICTS)}


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
