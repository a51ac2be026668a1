"""User-interface strings in Chinese (the default) and English.

Every sentence a report, a map or the command line shows is a key of
:data:`STRINGS` mapping to a ``(zh, en)`` pair; :func:`t` picks one and fills
its ``{placeholders}``.  The small ``*_label`` helpers turn contract names
(kinds, classes, relations, verdicts, actions, tags) into display labels and
fall back to the raw name for anything they do not know, so a new kind or a
new class never breaks a report.  :func:`format_number` and
:func:`format_ratio` format measurements the same way everywhere (an em dash
for a missing value).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

from redline.zones.kinds import KINDS
from redline.zones.label_strings import DIMENSION_GLOSSES, STRINGS
from redline.zones.project import ACTION_LABELS
from redline.zones.tags import TAGS
from redline.zones.verdicts import VERDICT_LABELS

__all__ = [
    "DIMENSION_GLOSSES",
    "EM_DASH",
    "LANGS",
    "STRINGS",
    "action_label",
    "check_lang",
    "class_label",
    "confidential_note",
    "dimension_label",
    "format_number",
    "format_ratio",
    "kind_label",
    "relation_label",
    "t",
    "tag_label",
    "verdict_text",
]

#: Supported languages; ``zh`` is the default everywhere.
LANGS: tuple[str, ...] = ("zh", "en")

#: Shown for a missing (None/NaN/empty) value.
EM_DASH = "—"

def check_lang(lang: str) -> str:
    """Return ``lang`` when it is supported.

    Raises
    ------
    ValueError
        Naming the value and the supported languages.

    Examples
    --------
    >>> check_lang("en")
    'en'
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str = "zh", **fmt: Any) -> str:
    """Return the UI string ``key`` in ``lang``, with ``{placeholders}`` filled from ``fmt``.

    Parameters
    ----------
    key : str
        A key of :data:`STRINGS`.
    lang : str, default "zh"
        ``zh`` or ``en``.
    **fmt
        Values for the placeholders.

    Raises
    ------
    KeyError
        For an unknown key.
    ValueError
        For an unsupported language.

    Examples
    --------
    >>> t("relation.nearby")
    '邻近'
    >>> t("summary_line", "en", n=2, prohibited=1, restricted=0, review=0, clear=1, error=0)
    '2 sites checked: prohibited 1, restricted 0, review 0, clear 1, error 0'
    """
    try:
        pair = STRINGS[key]
    except KeyError:
        raise KeyError(f"no UI string {key!r}; see redline.zones.labels.STRINGS") from None
    text = pair[LANGS.index(check_lang(lang))]
    return text.format(**fmt) if fmt else text


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Real) and math.isnan(float(value))


def format_number(value: Any, decimals: int = 1) -> str:
    """Return ``value`` with thousands separators and ``decimals`` places, or an em dash.

    Examples
    --------
    >>> format_number(1234567.891)
    '1,234,567.9'
    >>> format_number(float("nan"))
    '—'
    """
    if _missing(value):
        return EM_DASH
    return f"{float(value):,.{decimals}f}"


def format_ratio(value: Any, decimals: int = 1) -> str:
    """Return a fraction (0.25) as a percentage (``25.0%``), or an em dash.

    Examples
    --------
    >>> format_ratio(0.1234)
    '12.3%'
    >>> format_ratio(None)
    '—'
    """
    if _missing(value):
        return EM_DASH
    return f"{float(value) * 100:,.{decimals}f}%"


def confidential_note(kinds: Iterable[str], lang: str = "zh", key: str = "confidential.note") -> str:
    """Return the note maps and reports show for confidential (涉密) layers of ``kinds`` (empty when none).

    Examples
    --------
    >>> confidential_note(["ecological_redline"])
    '涉密图层（生态保护红线）：边界不予显示'
    >>> confidential_note(["ecological_redline", "water_source"], "en")
    'confidential layer (ecological protection red line; drinking-water source protection zone): boundary not shown'
    >>> confidential_note([])
    ''
    """
    labels = [kind_label(k, lang) for k in dict.fromkeys(kinds)]
    if not labels:
        return ""
    return t(key, lang, kinds=("、" if lang == "zh" else "; ").join(labels))


def kind_label(kind: str, lang: str = "zh") -> str:
    """Return the display name of a zone kind (the raw name for an unknown kind).

    Examples
    --------
    >>> kind_label("water_source")
    '饮用水水源保护区'
    """
    known = KINDS.get(kind)
    return known.label(check_lang(lang)) if known else str(kind)


def class_label(kind: str, zone_class: Any, lang: str = "zh") -> str:
    """Return the display label of a zone class (empty for no class).

    Examples
    --------
    >>> class_label("water_source", "first", "en")
    'first-level zone'
    """
    if _missing(zone_class):
        return ""
    known = KINDS.get(kind)
    return known.class_label(str(zone_class), check_lang(lang)) if known else str(zone_class)


def relation_label(relation: Any, lang: str = "zh") -> str:
    """Return the display label of a finding's relation (``inside``, ``overlaps``, ``nearby``).

    Examples
    --------
    >>> relation_label("overlaps")
    '部分重叠'
    """
    key = f"relation.{relation}"
    return t(key, lang) if key in STRINGS else str(relation)


def verdict_text(verdict: Any, lang: str = "zh") -> str:
    """Return the display label of a verdict, including ``error``.

    Examples
    --------
    >>> verdict_text("prohibited")
    '禁止'
    """
    pair = VERDICT_LABELS.get(str(verdict))
    return pair[LANGS.index(check_lang(lang))] if pair else str(verdict)


def action_label(action: Any, lang: str = "zh") -> str:
    """Return 新建/扩建/改建 (or new/expand/rebuild); ``new`` when not given.

    Examples
    --------
    >>> action_label("expand")
    '扩建'
    """
    act = "new" if _missing(action) else str(action)
    if check_lang(lang) == "en":
        return act
    return ACTION_LABELS.get(act, act)


def tag_label(tag: str, lang: str = "zh") -> str:
    """Return the display label of a project tag (the tag itself when unknown).

    Examples
    --------
    >>> tag_label("water_supply")
    '供水设施'
    """
    pair = TAGS.get(tag)
    return pair[LANGS.index(check_lang(lang))] if pair else tag


def dimension_label(dimension: str, lang: str = "zh") -> str:
    """Return an access-list dimension as shown: the Chinese name, glossed in English for ``en``.

    Examples
    --------
    >>> dimension_label("环境风险防控", "en")
    '环境风险防控 (Environmental risk prevention)'
    """
    gloss = DIMENSION_GLOSSES.get(dimension)
    if check_lang(lang) == "en" and gloss:
        return f"{dimension} ({gloss})"
    return dimension
