"""Project tags given by their Chinese labels: ``排放废水`` for ``discharges_wastewater``.

``redline rules tags`` shows every tag with its Chinese label (:data:`redline.zones.tags.TAGS`);
a user who copies the label back (``--tag 排放废水``, a 标签 cell of a sites table) means the tag.
:func:`tag_from_label` reads one word, :func:`tags_from_labels` a list of them, leaving words that
are neither a tag nor a label as they are, for :func:`~redline.zones.tags.check_tags` to refuse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from redline.zones.tags import TAGS

__all__ = ["split_tag_text", "tag_from_label", "tags_from_labels"]

_SPLIT = re.compile(r"[;；,，]")


@cache
def _by_label() -> dict[str, str]:
    """Tag name and Chinese label (case-folded, without spaces) -> tag."""
    out: dict[str, str] = {}
    for tag, (zh, _) in TAGS.items():
        out.setdefault(_key(tag), tag)
        out.setdefault(_key(zh), tag)
    return out


def _key(word: str) -> str:
    return "".join(str(word).split()).casefold()


def tag_from_label(word: str) -> str | None:
    """Return the tag a word names: the tag itself or its Chinese label (as ``redline rules tags`` shows it); else None.

    Examples
    --------
    >>> tag_from_label("排放废水"), tag_from_label("Heavy_Metal"), tag_from_label("防洪设施 ")
    ('discharges_wastewater', 'heavy_metal', 'flood_control')
    >>> tag_from_label("no such tag") is None
    True
    """
    return _by_label().get(_key(word)) if word and str(word).strip() else None


def split_tag_text(text: str) -> list[str]:
    """Split a tags cell or option value at ``;`` ``；`` ``,`` ``，`` (labels may hold ``、``).

    Examples
    --------
    >>> split_tag_text("排放废水；heavy_metal, 临时用地")
    ['排放废水', 'heavy_metal', '临时用地']
    """
    return [part.strip() for part in _SPLIT.split(str(text)) if part.strip()]


def tags_from_labels(items: str | Iterable[str] | None) -> list[str]:
    """Return the tags of ``items`` (a text to split, or words), labels read as their tags.

    A word that names no tag is kept as given, so that :func:`~redline.zones.tags.check_tags`
    refuses it with the list of known tags.

    Examples
    --------
    >>> tags_from_labels("排放废水;heavy_metal")
    ['discharges_wastewater', 'heavy_metal']
    >>> tags_from_labels(["建窑、建房、建坟、挖砂、采石、采矿、取土", "typo"])
    ['building_or_mining', 'typo']
    """
    if items is None:
        return []
    words = split_tag_text(items) if isinstance(items, str) else [w for i in items for w in split_tag_text(i)]
    return [tag_from_label(w) or w for w in words]
