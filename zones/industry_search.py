"""Finding GB/T 4754-2017 entries as a user types, and what one entry belongs to.

:func:`search` is the search of ``redline industry search`` and of the service's industry box:
codes by prefix, then names, aliases and the notes of classes.  :func:`lineage`,
:func:`sub_entries` and :func:`groups_of` give what ``redline industry show`` prints beside an
entry: its section, division and group, the entries under it, and the policy groups
(``industry_groups.yaml``) it falls under.
"""

from __future__ import annotations

import re

from redline.zones.industry import Group, Industry, aliases, groups, industry_table, lookup

__all__ = ["LEVEL_NAMES", "groups_of", "lineage", "search", "sub_entries"]

#: level -> what GB/T 4754 calls it (门类, 大类, 中类, 小类), in English.
LEVEL_NAMES: dict[int, str] = {1: "section", 2: "division", 3: "group", 4: "class"}

_LETTER_CODE = re.compile(r"^[A-Ta-t]\d{0,4}$")
_DIGIT_CODE = re.compile(r"^\d{1,4}$")


def search(text: str, limit: int = 20) -> list[Industry]:
    """Return the entries ``text`` may mean, best first, at most ``limit``.

    Order: codes starting with ``text`` (``C33``, or digits ``3360`` without the section letter),
    an exact name, aliases equal to then containing ``text`` (``电镀``), names starting with then
    containing it, words in the notes of classes.  An empty ``text`` lists the sections.

    Examples
    --------
    >>> [i.code for i in search("电镀", 3)][:1]
    ['C3360']
    >>> [(i.code, LEVEL_NAMES[i.level]) for i in search("C336", 2)]
    [('C336', 'group'), ('C3360', 'class')]
    >>> [i.code for i in search("")][:3]
    ['A', 'B', 'C']
    """
    table = industry_table()
    query = (text or "").strip()
    found: dict[str, None] = {}
    if not query:
        found.update((code, None) for code, ind in table.items() if ind.level == 1)
    elif _LETTER_CODE.match(query):
        found.update((c, None) for c in sorted(c for c in table if c.startswith(query.upper())))
    elif _DIGIT_CODE.match(query):
        found.update((c, None) for c in sorted(c for c in table if c[1:].startswith(query)))
    if query:
        key = query.casefold()
        steps = (
            (c for c, ind in table.items() if ind.name == query),
            (a.code for a in aliases() if any(w.casefold() == key for w in a.words)),
            (a.code for a in aliases() if any(key in w.casefold() for w in a.words)),
            (c for c, ind in table.items() if ind.name.startswith(query)),
            (c for c, ind in table.items() if query in ind.name),
            (c for c, ind in table.items() if ind.level == 4 and query in ind.note),
        )
        for codes in steps:
            for code in codes:
                found.setdefault(code, None)
    return [table[code] for code in found if code in table][: max(0, int(limit))]


def lineage(code: str) -> list[Industry]:
    """Return the entry of ``code`` and those above it, section first (empty for an unknown code).

    Examples
    --------
    >>> [i.code for i in lineage("3360")]
    ['C', 'C33', 'C336', 'C3360']
    """
    entry = lookup(code)
    if entry is None:
        return []
    prefixes = [entry.section, *(entry.code[: n + 1] for n in range(2, len(entry.code)))]
    table = industry_table()
    return [table[p] for p in dict.fromkeys(prefixes) if p in table]


def sub_entries(code: str) -> list[Industry]:
    """Return the entries one level below ``code``.

    Examples
    --------
    >>> [i.code for i in sub_entries("C336")]
    ['C3360']
    """
    entry = lookup(code)
    if entry is None:
        return []
    return [
        ind
        for ind in industry_table().values()
        if ind.level == entry.level + 1 and ind.code.startswith(entry.code) and ind.section == entry.section
    ]


def groups_of(code: str) -> list[Group]:
    """Return the policy groups whose codes hold ``code`` (a group code that is its prefix).

    Examples
    --------
    >>> "涉重金属" in [g.name for g in groups_of("C3360")]
    True
    """
    entry = lookup(code)
    if entry is None:
        return []
    return [g for g in groups().values() if any(entry.code.startswith(c) for c in g.codes)]
