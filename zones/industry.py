"""GB/T 4754-2017 国民经济行业分类: codes, names and prefix matching.

Codes are written with the section letter: ``C`` (section), ``C33`` (division),
``C336`` (group), ``C3360`` (class).  A rule naming ``C33`` matches every code
under it.  The full table ships in ``zones/data/gbt4754-2017.csv``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from zones.errors import RuleError

__all__ = ["Industry", "industry_table", "lookup", "matches", "normalize_code", "resolve"]

_CODE_RE = re.compile(r"^[A-T](\d{2}(\d(\d)?)?)?$")


@dataclass(frozen=True)
class Industry:
    """One row of GB/T 4754-2017."""

    code: str
    level: int
    section: str
    name: str
    note: str


@cache
def industry_table() -> dict[str, Industry]:
    """Return the whole GB/T 4754-2017 table, keyed by code."""
    text = resources.files("zones").joinpath("data/gbt4754-2017.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {r["code"]: Industry(r["code"], int(r["level"]), r["section"], r["name"], r["note"] or "") for r in rows}


def normalize_code(code: str) -> str:
    """Return ``code`` upper-cased and stripped; add the section letter to bare digits.

    Examples
    --------
    >>> normalize_code(" c3360 ")
    'C3360'
    >>> normalize_code("3360")
    'C3360'
    """
    c = code.strip().upper()
    if c.isdigit() and len(c) >= 2:
        division = c[:2]
        for ind in industry_table().values():
            if ind.level == 2 and ind.code[1:] == division:
                return ind.section + c
    return c


def lookup(code: str) -> Industry | None:
    """Return the :class:`Industry` with ``code`` (any level), or None."""
    return industry_table().get(normalize_code(code))


def resolve(code_or_name: str) -> str:
    """Resolve a GB/T 4754 code or an exact Chinese name to a code.

    Raises
    ------
    RuleError
        If the value is neither a code in the standard nor a name of one entry.

    Examples
    --------
    >>> resolve("C3360")
    'C3360'
    >>> resolve("猪的饲养")
    'A0313'
    """
    value = code_or_name.strip()
    code = normalize_code(value)
    table = industry_table()
    if code in table:
        return code
    by_name = [ind.code for ind in table.values() if ind.name == value]
    if len(by_name) == 1:
        return by_name[0]
    if _CODE_RE.match(code):
        raise RuleError(
            f"industry code {value!r} is not in GB/T 4754-2017; give a code such as C3360 "
            f"(金属表面处理及热处理加工) or a division such as C33"
        )
    raise RuleError(
        f"industry {value!r} is neither a GB/T 4754-2017 code nor the exact name of one; "
        f"give a code such as C3360 or a name such as 猪的饲养"
    )


def matches(project_codes: tuple[str, ...], rule_codes: tuple[str, ...]) -> bool:
    """Return True when any project code falls under any rule code (prefix match).

    Examples
    --------
    >>> matches(("C3360",), ("C33",))
    True
    >>> matches(("C3360",), ("C26", "B"))
    False
    """
    return any(p.startswith(r) for p in project_codes for r in rule_codes)
