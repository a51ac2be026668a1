"""Which units a scope of an access list reaches: units, classes and sub-types, areas.

A list knows its units from its own per-unit rows (:class:`UnitInfo`: code, name, printed class,
province, city, county); the layer knows them from its features.  An area scope (灵山县,
``450721``) reaches a unit through the list's own 省/市/县 columns, the 6-digit administrative
code inside the unit code (``ZH`` + ``450721`` + class digit + serial) or a field of the unit
(named in the manifest).  :class:`UnitIndex` holds what the list taught it about areas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redline.zones.access_scope import Scope, admin_code, area_variants, class_of

__all__ = ["UnitIndex", "UnitInfo", "area_prefix"]

#: rank of a scope in a unit's list: its own rows first, then class, county, city, province, list-wide
RANK = {"unit": 0, "class": 1, "county": 2, "city": 3, "province": 4, "area": 4, "all": 6}


@dataclass(frozen=True)
class UnitInfo:
    """A unit as the access list describes it in its per-unit rows."""

    code: str
    name: str = ""
    class_text: str = ""
    province: str = ""
    city: str = ""
    county: str = ""

    @property
    def class_key(self) -> str | None:
        """``priority``, ``key`` or ``general`` from the printed class, or None."""
        cls = class_of(self.class_text)
        return cls[0] if cls else None


def area_prefix(code: str) -> tuple[str, str]:
    """Return (prefix of unit admin codes, level) for a 6-digit administrative code.

    Examples
    --------
    >>> area_prefix("450000"), area_prefix("450700"), area_prefix("450721")
    (('45', 'province'), ('4507', 'city'), ('450721', 'county'))
    """
    if code.endswith("0000"):
        return code[:2], "province"
    if code.endswith("00"):
        return code[:4], "city"
    return code, "county"


def _level(name: str) -> str:
    if name.endswith(("省", "自治区", "特别行政区")):
        return "province"
    if name.endswith(("市", "州", "盟", "地区")) and not name.endswith(("县级市",)):
        return "city"
    return "county"


@dataclass
class UnitIndex:
    """The units of a list and the areas they lie in.

    Attributes
    ----------
    units : dict
        Unit code -> :class:`UnitInfo`, from the list's per-unit rows.
    area_codes : dict
        Area name -> admin-code prefixes, learned from units whose 省/市/县 column names the area.
    assumed : dict
        Area name -> admin-code prefix assumed because every unit of the list lies in one area.
    area_fields : tuple of str
        Unit fields that hold area names (the manifest's mapping); empty: every field is looked at.
    """

    units: dict[str, UnitInfo] = field(default_factory=dict)
    area_codes: dict[str, set[str]] = field(default_factory=dict)
    assumed: dict[str, str] = field(default_factory=dict)
    area_fields: tuple[str, ...] = ()

    def learn(self, area_names: Iterable[str]) -> list[tuple[str, str]]:
        """Learn area codes from the units; assume the list's own area for names still unknown.

        ``area_names`` are the areas the list names for itself (a sheet named after a county):
        one that no unit row names is taken to be the one area all units lie in, when they do.
        Returns the ``(name, prefix)`` pairs that were assumed.
        """
        for info in self.units.values():
            code = admin_code(info.code)
            if not code:
                continue
            for name, prefix in ((info.county, code), (info.city, code[:4]), (info.province, code[:2])):
                for variant in area_variants(name):
                    self.area_codes.setdefault(variant, set()).add(prefix)
        codes = {admin_code(c) for c in self.units} - {""}
        assumed: list[tuple[str, str]] = []
        for name in area_names:
            if any(v in self.area_codes for v in area_variants(name)) or not codes:
                continue
            level = _level(name)
            width = {"county": 6, "city": 4, "province": 2}[level]
            prefixes = {c[:width] for c in codes}
            if len(prefixes) == 1:
                self.assumed[name] = prefixes.pop()
                assumed.append((name, self.assumed[name]))
        return assumed

    def names_of(self, unit_code: str, unit_fields: Mapping[str, Any] | None) -> set[str]:
        """Return every area name a unit is known to lie in (with and without the level word)."""
        names: set[str] = set()
        info = self.units.get(unit_code)
        if info:
            for value in (info.province, info.city, info.county):
                names |= area_variants(value)
        for key, value in (unit_fields or {}).items():
            if (not self.area_fields or key in self.area_fields) and isinstance(value, str):
                names |= area_variants(value)
        return names

    def area_level(self, scope: Scope, unit_code: str, names: set[str]) -> str | None:
        """Return the level (county, city, province) at which an area scope reaches a unit, or None."""
        key = scope.key
        code = admin_code(unit_code)
        if key.isdigit() and len(key) == 6:
            prefix, level = area_prefix(key)
            return level if code.startswith(prefix) else None
        level = _level(key)
        if area_variants(key) & names:
            return level
        prefixes = set().union(*(self.area_codes.get(v, set()) for v in area_variants(key)))
        if key in self.assumed:
            prefixes.add(self.assumed[key])
        if code and any(code.startswith(p) for p in prefixes):
            return level
        return None

    def rank(
        self,
        scope: Scope,
        unit_code: str,
        unit_class: str | None,
        unit_fields: Mapping[str, Any] | None = None,
    ) -> int | None:
        """Return the rank of ``scope`` in a unit's list (see :data:`RANK`), or None when it does not reach it.

        Examples
        --------
        >>> from redline.zones.access_scope import parse_scope
        >>> unit = UnitInfo("ZH45072120001", class_text="产业集聚类重点管控单元", county="灵山县")
        >>> index = UnitIndex({unit.code: unit})
        >>> scopes = ("ZH45072120001", "产业集聚类重点管控单元", "灵山县", "450700", "*")
        >>> [index.rank(parse_scope(s), "ZH45072120001", "key") for s in scopes]
        [0, 1, 2, 3, 6]
        >>> index.rank(parse_scope("城镇生活类重点管控单元"), "ZH45072120001", "key") is None
        True
        """
        if scope.kind == "all":
            return RANK["all"]
        if scope.kind == "unit":
            return RANK["unit"] if scope.key == unit_code else None
        if scope.kind == "class":
            info = self.units.get(unit_code)
            cls = unit_class or (info.class_key if info else None)
            if cls != scope.key:
                return None
            if scope.subtype:
                printed = " ".join([info.class_text if info else "", *map(str, (unit_fields or {}).values())])
                if scope.subtype not in printed:
                    return None
            return RANK["class"]
        level = self.area_level(scope, unit_code, self.names_of(unit_code, unit_fields))
        return RANK[level] if level else None
