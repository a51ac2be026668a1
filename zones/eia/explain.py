"""How an industry's answer depends on the site and the facts: :func:`explain`.

For ``redline eia CODE_OR_NAME``: the rows the industry may be, each cell verbatim with its
condition in words, the row's 环境敏感区, the facts it asks for, and the answer when the site
touches none of those areas and when it touches one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.zones.eia.answer import EiaAnswer, category_label
from redline.zones.eia.catalogue import Edition, Row, load_edition
from redline.zones.eia.conditions import Amount, Flag, OnlyProcess, Process, TypeIs
from redline.zones.eia.decide import decide, parse_item
from redline.zones.eia.sensitive import GROUPS, SensitiveHit
from redline.zones.errors import RuleError
from redline.zones.industry import candidates, lookup

__all__ = ["EiaExplanation", "RowExplanation", "explain", "row_facts", "scope_text", "vocabulary_text"]

_SPACE = re.compile(r"\s+")
_CODE_LIKE = re.compile(r"^[A-Ta-t]?\d{2,4}$")


@dataclass(frozen=True)
class RowExplanation:
    """One row an industry may be, with the answers outside and inside its sensitive areas.

    Examples
    --------
    >>> row = explain("2021", "第97项").rows[0]
    >>> row.scope.split("；")[0], row.outside.category, row.inside.category
    ('第三条（一）全部区域', 'none', 'form')
    """

    row: Row
    code: str | None
    facts: tuple[str, ...]
    scope: str
    outside: EiaAnswer
    inside: EiaAnswer | None

    def text(self, edition: Edition, lang: str = "zh") -> str:
        """Return the row's explanation as lines of text."""
        zh = lang == "zh"
        r = self.row
        code = f"（{self.code} {lookup(self.code).name}）" if self.code and lookup(self.code) else ""
        lines = [f"{r.label(lang)}{code}"]
        if r.applies:
            cond = r.applies.condition.describe(lang) if r.applies.condition else ""
            lines.append(f"  {'适用' if zh else 'applies'}: 「{r.applies.text}」 — {cond}")
        for cell in r.cells:
            cond = f" — {cell.condition.describe(lang)}" if cell.condition else ""
            lines.append(f"  {category_label(cell.category, lang)}: 「{_SPACE.sub(' ', cell.text)}」{cond}")
        if self.scope:
            lines.append(f"  {'本栏目环境敏感区' if zh else 'sensitive areas of the row'}: {self.scope}")
        if self.facts:
            lines.append(f"  {'所需事实' if zh else 'facts'}: {'；'.join(self.facts)}")
        if r.codes_note:
            lines.append(f"  {'行业代码' if zh else 'codes'}: {r.codes_note}")
        if r.note:
            lines.append(f"  {'注' if zh else 'note'}: {r.note}")
        if self.inside is None:
            lines.append(f"  → {_short(self.outside, lang)}")
        else:
            lines.append(f"  {'不涉及环境敏感区' if zh else 'touching none of them'} → {_short(self.outside, lang)}")
            lines.append(f"  {'涉及环境敏感区' if zh else 'touching one'} → {_short(self.inside, lang)}")
        return "\n".join(lines)


def _short(answer: EiaAnswer, lang: str) -> str:
    if answer.category != "undetermined":
        extra = "; ".join(a.get(lang) for a in answer.assumptions)
        return answer.label(lang) + (f"（{extra}）" if extra else "")
    return answer.basis if lang == "zh" else answer.basis_en


@dataclass(frozen=True)
class EiaExplanation:
    """The rows an industry may be and how each one's answer depends on the site.

    Examples
    --------
    >>> ex = explain("2021", "C3011")
    >>> [r.row.number for r in ex.rows], ex.text().splitlines()[0]
    ([54], '名录第54项 水泥、石灰和石膏制造 301（C3011 水泥制造）')
    """

    query: str
    edition: Edition
    rows: tuple[RowExplanation, ...]
    not_listed: EiaAnswer | None = None

    def text(self, lang: str = "zh") -> str:
        """Return the explanation as text for the command line."""
        ed = self.edition
        parts = [r.text(ed, lang) for r in self.rows]
        if self.not_listed is not None:
            parts.append(self.not_listed.basis if lang == "zh" else self.not_listed.basis_en)
        source = ed.source if lang == "zh" else ed.source_en
        parts.append(f"{'名录版本' if lang == 'zh' else '名录 edition'} {ed.name}: {source}")
        return "\n\n".join(parts)


def scope_text(edition: Edition, row: Row, lang: str = "zh") -> str:
    """Return a row's sensitive areas by group, e.g. ``第三条（一）全部区域；第三条（二）永久基本农田、…``."""
    scheme = edition.scheme
    types = row.scope.base
    parts = []
    for group in GROUPS:
        mine = {t for t in types if scheme.types[t].group == group}
        if not mine:
            continue
        if mine == scheme.group_types(group):
            names = "全部区域" if lang == "zh" else "all"
        else:
            top = sorted(t for t in mine if scheme.types[t].parent not in mine)
            names = ("、" if lang == "zh" else ", ").join(scheme.label(t, lang) for t in top)
        parts.append(f"{scheme.group_label(group, lang)}{names if lang == 'zh' else ' ' + names}")
    for key, extra in row.scope.extra.items():
        top = sorted(t for t in extra if scheme.types[t].parent not in extra)
        parts.append(f"{key}另计：{'、'.join(top)}" if lang == "zh" else f"for {key} also: {', '.join(top)}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def row_facts(row: Row) -> tuple[str, ...]:
    """Return the facts a row's conditions use, as ``名称（单位）`` or ``类型：…`` entries."""
    out: dict[str, list[str]] = {}
    for cond in row.conditions():
        for node in cond.walk():
            if isinstance(node, Amount | Flag):
                out.setdefault(node.fact, [])
            elif isinstance(node, TypeIs):
                out.setdefault("类型", []).extend(node.names)
            elif isinstance(node, Process | OnlyProcess):
                out.setdefault("工艺", []).extend(node.names)
    return tuple(f"{k}：{'、'.join(dict.fromkeys(v))}" if v else k for k, v in out.items())


def _rows_for(edition: Edition, query: str) -> tuple[list[tuple[Row, str | None]], list[str]]:
    """Return the (row, code) pairs a query names, and the codes it resolved to that no row has.

    A row reference (``第97项``) names that row; a code names the rows of that code; a word is first
    looked up in the rows' 项目类别, then among the industry names of GB/T 4754-2017.
    """
    try:
        return [(parse_item(edition, query), None)], []
    except RuleError:
        pass
    key = _SPACE.sub("", query)
    if not _CODE_LIKE.match(query):
        by_text = [(r, None) for r in edition.rows.values() if key and key in _SPACE.sub("", r.item)]
        if by_text:
            return by_text, []
    pairs: dict[int, tuple[Row, str | None]] = {}
    unlisted = []
    for ind in candidates(query):
        found = edition.rows_for_code(ind.code)
        if not found:
            unlisted.append(ind.code)
        for row, _, _ in found:
            pairs.setdefault(row.number, (row, ind.code))
    return [pairs[n] for n in sorted(pairs)], unlisted


def _inside_hits(edition: Edition, row: Row) -> list[SensitiveHit]:
    return [SensitiveHit("explain", t, edition.scheme.types[t].group) for t in sorted(row.scope.all_types())]


def explain(
    edition: str | Path | Edition | None,
    code_or_name: str,
    facts: Mapping[str, Any] | None = None,
    *,
    action: str = "new",
) -> EiaExplanation:
    """Explain which rows an industry may be and how each answer depends on the site.

    Parameters
    ----------
    edition : str, Path or Edition, optional
        The edition; None: the newest in force.
    code_or_name : str
        A GB/T 4754-2017 code or name (``C3011``, ``水泥制造``), a word of a row's 项目类别
        (``宾馆``), or a row (``第97项``).
    facts : mapping, optional
        Project facts, as for :func:`decide`.
    action : str
        As for :func:`decide`.

    Raises
    ------
    RuleError
        If the query names no row and no industry code.

    Examples
    --------
    >>> ex = explain("2021", "第97项")
    >>> ex.rows[0].outside.category, ex.rows[0].inside.category
    ('none', 'form')
    >>> explain("2021", "C3011").rows[0].outside.category
    'report'
    """
    ed = load_edition(edition)
    query = str(code_or_name).strip()
    pairs, unlisted = _rows_for(ed, query)
    if not pairs and not unlisted:
        raise RuleError(
            f"{query!r} names no item of the 名录 ({ed.name}) and no GB/T 4754-2017 industry; "
            "give a code, a name or 第N项",
            param="industry",
            value=code_or_name,
            zh=f"{query!r} 既不是名录（{ed.name}）中的项目，也不是 GB/T 4754-2017 的行业；请填写代码、名称或 第N项",
        )
    rows = []
    for row, code in pairs:
        industries = [code] if code else []
        outside = decide(ed, industries, facts, (), action=action, items=[row.number])
        inside = None
        if row.depends_on_sensitivity:
            inside = decide(ed, industries, facts, _inside_hits(ed, row), action=action, items=[row.number])
        rows.append(RowExplanation(row, code, row_facts(row), scope_text(ed, row), outside, inside))
    not_listed = decide(ed, unlisted[:1], facts, (), action=action) if unlisted and not pairs else None
    return EiaExplanation(query, ed, tuple(rows), not_listed)


def vocabulary_text(edition: str | Path | Edition | None = None, lang: str = "zh") -> str:
    """Return the facts a user may give (``KEY=VALUE``), one per line, with units and aliases.

    Examples
    --------
    >>> lines = vocabulary_text("2021").splitlines()
    >>> next(line for line in lines if line.startswith("装机容量")).split(":")[0]
    '装机容量 [千瓦, 兆瓦] (总装机容量, 总装机, installed_capacity)'
    """
    ed = load_edition(edition)
    out = []
    for f in ed.facts:
        units = f" [{', '.join(f.units)}]" if f.units else (" [是/否]" if f.kind == "flag" else " [列表]")
        aliases = f" ({', '.join(f.aliases)})" if f.aliases else ""
        what = f.en if lang == "en" else (f.note or f.en)
        out.append(f"{f.name}{units}{aliases}: {what}")
    return "\n".join(out)
