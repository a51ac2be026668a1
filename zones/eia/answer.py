"""The answer to "which EIA document": :class:`EiaAnswer`, and how outcomes are put in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from redline.zones.eia.catalogue import CATEGORY_LABELS, Edition
from redline.zones.eia.conditions import Question, Text
from redline.zones.eia.evaluate import Outcome
from redline.zones.eia.sensitive import SensitiveHit

_SPACE = re.compile(r"\s+")

__all__ = ["Candidate", "EiaAnswer", "category_label", "outcome_basis", "outcome_if"]


def category_label(category: str, lang: str = "zh") -> str:
    """Return the document's name: ``环境影响报告表`` (zh) or ``environmental impact form (报告表)`` (en).

    A category this edition does not name is returned as it is.

    Examples
    --------
    >>> category_label("form"), category_label("none", "en"), category_label("other")
    ('环境影响报告表', 'no EIA document', 'other')
    """
    pair = CATEGORY_LABELS.get(category)
    if pair is None:
        return category
    return pair[0] if lang == "zh" else pair[1]


@dataclass(frozen=True)
class Candidate:
    """A possible answer of an undetermined project: the category, the row, and when it applies.

    Examples
    --------
    >>> from redline.zones.eia import decide
    >>> first = decide("2021", ["A0313"]).candidates[0]
    >>> first.category, first.row
    ('report', 3)
    """

    category: str
    row: int | None
    when: Text

    def text(self, lang: str = "zh") -> str:
        """Return ``若…：环境影响报告书`` style text."""
        return f"{self.when.get(lang)}{'：' if lang == 'zh' else ': '}{category_label(self.category, lang)}"


@dataclass(frozen=True)
class EiaAnswer:
    """Which EIA document a project needs under one edition of the 名录.

    Parameters
    ----------
    category : str
        ``report`` (报告书), ``form`` (报告表), ``registration`` (登记表), ``none`` or ``undetermined``.
    item : str
        The deciding row, e.g. ``名录第97项 房地产开发、…`` (several joined by ``；`` when undetermined;
        empty when the project is in no row).
    basis, basis_en : str
        Why: the cell and what made it hold (facts, the sensitive zones), or why nothing applies.
    questions : tuple of Question
        What to find out when undetermined (each names the fact that answers it, if any).
    edition, source, source_en : str
        The edition of the 名录 and where its text comes from.
    rows : tuple of int
        Every row considered.
    zones : tuple of SensitiveHit
        The sensitive zones that decided it.
    candidates : tuple of Candidate
        When undetermined: each possible category and when it applies, strictest first.
    assumptions : tuple of Text
        Carve-outs presumed not to apply, which would change the answer if they did.
    citations : tuple of (str, str)
        Articles relied on: reference and verbatim text.
    notes : tuple of Text
        Other things a reviewer should know (新增规模, sensitive types not screened ...).
    standing : str
        The edition's legal standing.

    Examples
    --------
    >>> from redline.zones.eia import decide
    >>> answer = decide("2021", ["C2221"])
    >>> answer.category, answer.rows, answer.label("en")
    ('report', (37,), 'environmental impact report (报告书)')
    """

    category: str
    item: str
    basis: str
    basis_en: str
    questions: tuple[Question, ...]
    edition: str
    source: str
    source_en: str = ""
    rows: tuple[int, ...] = ()
    zones: tuple[SensitiveHit, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    assumptions: tuple[Text, ...] = ()
    citations: tuple[tuple[str, str], ...] = ()
    notes: tuple[Text, ...] = ()
    standing: str = ""

    def label(self, lang: str = "zh") -> str:
        """Return the category's name in ``lang``."""
        return category_label(self.category, lang)

    def text(self, lang: str = "zh") -> str:
        """Return the answer as lines of text for a report or the command line."""
        zh = lang == "zh"
        lines = [f"{'环评类别' if zh else 'EIA category'}: {self.label(lang)}"]
        lines.append(f"{'依据' if zh else 'basis'}: {self.basis if zh else self.basis_en}")
        lines += [f"{'待明确' if zh else 'open question'}: {q.text.get(lang)}" for q in self.questions]
        lines += [f"{'推定' if zh else 'presumed'}: {a.get(lang)}" for a in self.assumptions]
        lines += [f"{'注' if zh else 'note'}: {n.get(lang)}" for n in self.notes]
        lines.append(f"{'名录版本' if zh else '名录 edition'}: {self.edition}; {self.source if zh else self.source_en}")
        return "\n".join(lines)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return the answer as plain data (for JSON)."""
        return {
            "category": self.category,
            "category_label": self.label(lang),
            "item": self.item,
            "rows": list(self.rows),
            "basis": self.basis if lang == "zh" else self.basis_en,
            "questions": [{"text": q.text.get(lang), "fact": q.fact} for q in self.questions],
            "candidates": [{"category": c.category, "row": c.row, "when": c.when.get(lang)} for c in self.candidates],
            "assumptions": [a.get(lang) for a in self.assumptions],
            "zones": [
                {"kind": h.kind, "type": h.type, "group": h.group, "zone_id": h.zone_id, "zone_name": h.zone_name}
                for h in self.zones
            ],
            "citations": [{"ref": r, "text": t} for r, t in self.citations],
            "notes": [n.get(lang) for n in self.notes],
            "edition": self.edition,
            "source": self.source if lang == "zh" else self.source_en,
        }


def _cited(ref: str, text: str) -> str:
    return text if text.startswith(ref) else f"{ref}：{text}"


def _join(texts: tuple[Text, ...], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(t.get(lang) for t in texts)


def _failed(o: Outcome, lang: str) -> str:
    parts = []
    for category, text, truth in o.failed:
        why = _join(truth.because, lang) or ("条件不满足" if lang == "zh" else "not met")
        name = category_label(category, lang)
        parts.append(f"不符合{name}「{text}」：{why}" if lang == "zh" else f"not {name} 「{text}」: {why}")
    return ("；" if lang == "zh" else "; ").join(parts)


def outcome_basis(edition: Edition, o: Outcome, lang: str = "zh") -> str:
    """Return why an outcome holds, in words: the row, the cell and its reasons, or why nothing applies."""
    zh = lang == "zh"
    sep = "；" if zh else "; "
    if o.kind == "not_listed":
        ref, text = edition.cite("not_listed")
        code = o.code or ""
        if zh:
            return f"行业 {code} 不属于名录所列任何项目类别；{_cited(ref, text)}"
        return f"industry {code} is in no row of the 名录; {_cited(ref, text)}"
    assert o.row is not None
    label = o.row.label(lang)
    if o.kind == "not_applicable":
        ref, text = edition.cite("not_listed")
        why = _join(o.truth.because, lang)
        if zh:
            return f"{label}：本项不含「{o.cell_text}」（{why}）；{_cited(ref, text)}"
        return f"{label}: the item excludes 「{o.cell_text}」 ({why}); {_cited(ref, text)}"
    if o.kind == "none":
        failed = _failed(o, lang)
        if zh:
            return f"{label}：{category_label('none')}（{failed or '本项各类别均为「/」'}）"
        return f"{label}: {category_label('none', 'en')} ({failed or 'every cell of the item is 「/」'})"
    because = _join(o.truth.because, lang)
    head = f"{label}{'：' if zh else ': '}{category_label(o.category, lang)}"
    cell = f"「{o.cell_text}」" + (f"{'：' if zh else ': '}{because}" if because else "")
    parts = [head, cell]
    failed = _failed(o, lang)
    if failed:
        parts.append(failed)
    return sep.join(parts)


def outcome_if(o: Outcome, lang: str = "zh") -> Text:
    """Return the condition under which an outcome of an undetermined project holds."""
    row = f"第{o.row.number}项" if o.row else ""
    row_en = f"item {o.row.number}" if o.row else ""
    if o.kind == "not_listed":
        return Text("若不属于名录所列项目类别（第五条）", "if in no row of the 名录 (art. 5)")
    if o.kind == "not_applicable":
        return Text(
            f"若属{row}所不含的「{o.cell_text}」（第五条）", f"if excluded from {row_en} as 「{o.cell_text}」 (art. 5)"
        )
    cell = _SPACE.sub(" ", o.cell_text)
    if o.kind == "none":
        return Text(f"否则（{row}）", f"otherwise ({row_en})")
    return Text(f"若「{cell}」（{row}）", f"if 「{cell}」 ({row_en})")
