"""The zone kinds the checker knows and their classes.

A *kind* is a statutory zoning layer (``water_source``, ``control_unit`` ...);
its *classes* are the levels inside it (``first``/``second``/``quasi`` for
drinking-water source protection zones, ``priority``/``key``/``general`` for
"三线一单" environmental control units).  Kind and class names are part of the
manifest contract and never change spelling.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["KINDS", "STATUTORY_KINDS", "Kind", "get_kind", "kind_names"]


@dataclass(frozen=True)
class Kind:
    """One zone kind.

    Parameters
    ----------
    name : str
        Contract name, e.g. ``"water_source"``.
    zh, en : str
        Display names.
    classes : dict
        Class name -> (Chinese label, English label).  Empty when the kind has
        no classes; ``zone_class`` is then empty for every zone.
    basis : str
        The core statute, for reports.
    nearby : bool
        Whether zones of this kind are reported when a site is only near them.
        False for kinds whose rules bind only inside (control units tile a region,
        so a neighbouring unit is no finding; likewise ban zones, parks, basins).
    informational : bool
        Whether a finding of this kind that no rule covers is informational: it is
        reported with the kind's basis but raises nothing (verdict ``clear``).  True for
        kinds that are no prohibition or restriction by themselves (an industrial park,
        the urban development boundary, a key basin, a key ecological function area, a
        livestock ban zone for a project that keeps no livestock); False for kinds whose
        zones always need a human look when no rule decides.

    Examples
    --------
    >>> kind = KINDS["water_source"]
    >>> kind.label("zh"), kind.label("en")
    ('饮用水水源保护区', 'drinking-water source protection zone')
    >>> list(kind.classes), KINDS["control_unit"].nearby
    (['first', 'second', 'quasi'], False)
    >>> KINDS["industrial_park"].informational, KINDS["water_source"].informational
    (True, False)
    """

    name: str
    zh: str
    en: str
    classes: dict[str, tuple[str, str]] = field(default_factory=dict)
    basis: str = ""
    nearby: bool = True
    informational: bool = False

    def class_label(self, zone_class: str | None, lang: str = "zh") -> str:
        """Return the display label of a class (empty string for no class).

        Examples
        --------
        >>> get_kind("water_source").class_label("first")
        '一级保护区'
        """
        if not zone_class:
            return ""
        labels = self.classes.get(zone_class)
        if labels is None:
            return zone_class
        return labels[0] if lang == "zh" else labels[1]

    def label(self, lang: str = "zh") -> str:
        """Return the kind's display name in ``lang`` (``zh`` or ``en``)."""
        return self.zh if lang == "zh" else self.en


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "ecological_redline",
            "生态保护红线",
            "ecological protection red line",
            {"core": ("自然保护地核心保护区", "core protected area"), "other": ("其他区域", "other")},
            "《中华人民共和国生态环境法典》第六十条",
        ),
        Kind(
            "water_source",
            "饮用水水源保护区",
            "drinking-water source protection zone",
            {
                "first": ("一级保护区", "first-level zone"),
                "second": ("二级保护区", "second-level zone"),
                "quasi": ("准保护区", "quasi-protection zone"),
            },
            "《中华人民共和国生态环境法典》第三百一十七条至第三百二十一条",
        ),
        Kind(
            "control_unit",
            "环境管控单元",
            "environmental control unit",
            {
                "priority": ("优先保护单元", "priority protection unit"),
                "key": ("重点管控单元", "key control unit"),
                "general": ("一般管控单元", "general control unit"),
            },
            "《中华人民共和国生态环境法典》第六十七条",
            nearby=False,
        ),
        Kind(
            "basic_farmland",
            "永久基本农田",
            "permanent basic farmland",
            {},
            "《中华人民共和国土地管理法》第三十五条；《中华人民共和国生态环境法典》第七百六十六条",
        ),
        Kind(
            "urban_boundary",
            "城镇开发边界",
            "urban development boundary",
            {},
            "《中华人民共和国生态环境法典》第五十九条",
            nearby=False,
            informational=True,
        ),
        # Kinds used by regional catalogues (rules.md section 5 and the seed plans).
        Kind(
            "nature_reserve",
            "自然保护地",
            "protected area (national park, nature reserve, nature park)",
            {"core": ("核心保护区", "core protection area"), "general": ("一般控制区", "general control area")},
            "《中华人民共和国生态环境法典》第八百六十一条、第八百六十四条",
        ),
        Kind(
            "livestock_ban",
            "畜禽养殖禁养区",
            "livestock-farming ban zone",
            {},
            "《畜禽规模养殖污染防治条例》第十一条第四项",
            nearby=False,
            informational=True,
        ),
        Kind(
            "industrial_park",
            "工业园区",
            "industrial park",
            {},
            "《中华人民共和国生态环境法典》第六十七条（园区所在环境管控单元的生态环境准入清单）",
            nearby=False,
            informational=True,
        ),
        Kind(
            "basin",
            "重点流域",
            "key river basin",
            {},
            "《中华人民共和国生态环境法典》第六十七条（流域所在环境管控单元的生态环境准入清单）",
            nearby=False,
            informational=True,
        ),
        Kind(
            "ecological_function",
            "重点生态功能区",
            "key ecological function area",
            {
                "water_conservation": ("水源涵养区", "water conservation"),
                "soil_conservation": ("水土保持区", "soil conservation"),
                "biodiversity": ("生物多样性维护区", "biodiversity maintenance"),
            },
            "《全国主体功能区规划》（国发〔2010〕46号）",
            informational=True,
        ),
    )
}

#: The four statutory kinds every layer set is expected to have.
STATUTORY_KINDS: tuple[str, ...] = ("ecological_redline", "water_source", "control_unit", "basic_farmland")


def kind_names() -> list[str]:
    """Return the contract names of all kinds, in display order."""
    return list(KINDS)


def get_kind(name: str) -> Kind:
    """Return the :class:`Kind` called ``name``.

    Raises
    ------
    KeyError
        If ``name`` is not a known kind; the message lists the known ones.

    Examples
    --------
    >>> get_kind("basic_farmland").zh
    '永久基本农田'
    >>> get_kind("control_unit").class_label("key")
    '重点管控单元'
    """
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown zone kind {name!r}; known kinds are {', '.join(KINDS)}") from None
