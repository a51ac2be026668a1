"""Word tables for the 研判报告, written as WordprocessingML directly (fast for thousands of cells).

Every table has fixed column widths that fit the page (``tblLayout fixed``, the grid and every
cell's width set), its heading row repeated on each page (``tblHeader``), rows that never split
across pages (``cantSplit``), and small cell margins.  A short table is kept on one page with the
heading before it; a long one keeps its heading with its first rows.  Building the XML as text and
parsing it once is about twenty times faster than python-docx's cell-by-cell API, which keeps a
batch report of many sites quick to write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx.oxml import parse_xml

from redline.checks.outputs.docx_parts import CELL, NOTE, OTHER_TAG, TAG_COLOURS

__all__ = ["Bold", "Note", "box", "para_xml", "paragraph", "run", "spacer", "table", "tag_run"]

_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TWIPS_PER_MM = 56.6929
HEAD_FILL = "E5E8E8"
_ALIGN = {"r": "right", "c": "center"}
_ILLEGAL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


class Bold(str):
    """A table value written in bold."""


@dataclass(frozen=True)
class Note:
    """A table value with a smaller grey line (or several, one per line of ``note``) under it."""

    text: str
    note: str = ""
    bold: bool = False


def _twips(mm: float) -> int:
    return round(mm * _TWIPS_PER_MM)


def _text(value: Any) -> str:
    return escape(str(value).translate(_ILLEGAL))


def run(text: str, *, bold: bool = False, colour: str | None = None, size: float | None = None, fill: str = "") -> str:
    """Return a run (``w:r``) of text: bold, coloured, sized in points, on a shaded ground."""
    props = ("<w:b/>" if bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "")
    props += f'<w:sz w:val="{int(size * 2)}"/>' if size else ""
    props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{_text(text)}</w:t></w:r>'


def para_xml(
    runs: str,
    *,
    style: str = CELL,
    keep: bool = False,
    align: str | None = None,
    page_break: bool = False,
    before: float | None = None,
    after: float | None = None,
    hanging_mm: float = 0,
) -> str:
    """Return a paragraph (``w:p``) of ``runs`` in the style ``style`` (an id); spacing in points."""
    ppr = f'<w:pStyle w:val="{style}"/>' + ("<w:keepNext/>" if keep else "")
    ppr += "<w:pageBreakBefore/>" if page_break else ""
    if before is not None or after is not None:
        ppr += "<w:spacing" + (f' w:before="{int(before * 20)}"' if before is not None else "")
        ppr += (f' w:after="{int(after * 20)}"' if after is not None else "") + "/>"
    if hanging_mm:
        ppr += f'<w:ind w:left="{_twips(hanging_mm)}" w:hanging="{_twips(hanging_mm)}"/>'
    ppr += f'<w:jc w:val="{_ALIGN[align]}"/>' if align in _ALIGN else ""
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


_para = para_xml


def tag_run(css: str, label: str, size: float = 8.5) -> str:
    """Return a verdict tag as a run: the label in bold on its colour."""
    fill, ink = TAG_COLOURS.get(css, OTHER_TAG)
    return run(f"\u00a0{label}\u00a0", bold=True, colour=ink, size=size, fill=fill)


def paragraph(doc: Any, runs: str, **kwargs: Any) -> None:
    """Add a paragraph of ``runs`` (see :func:`para_xml` for the keywords)."""
    _insert(doc, para_xml(runs, **kwargs).replace("<w:p>", f"<w:p {_NS}>", 1))


def _content(value: Any, *, keep: bool, align: str | None, bold: bool = False) -> str:
    """Return the paragraphs of a cell: text, :class:`Bold`, :class:`Note`, a ``{css, label}`` tag, or a list."""
    if isinstance(value, list):
        return "".join(_content(v, keep=keep, align=align, bold=bold) for v in value)
    if isinstance(value, dict) and "css" in value:
        return _para(tag_run(value["css"], value["label"]), keep=keep, align=align)
    if isinstance(value, Note):
        lines = value.note.split("\n") if value.note else []
        out = ""
        if value.text or not lines:
            out = _para(run(value.text, bold=value.bold or bold), keep=keep, align=align)
        return out + "".join(_para(run(line), style=NOTE, keep=keep, align=align) for line in lines)
    lines = str(value).split("\n")
    strong = bold or isinstance(value, Bold)
    return "".join(_para(run(line, bold=strong), keep=keep, align=align) for line in lines)


def _cell(width: float, content: str, *, span: int = 1, fill: str = "") -> str:
    props = f'<w:tcW w:w="{_twips(width)}" w:type="dxa"/>'
    props += f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"


def _row(cells: str, *, header: bool = False, height_mm: float | None = None) -> str:
    props = "<w:cantSplit/>"
    props += f'<w:trHeight w:val="{_twips(height_mm)}" w:hRule="atLeast"/>' if height_mm else ""
    props += "<w:tblHeader/>" if header else ""
    return f"<w:tr><w:trPr>{props}</w:trPr>{cells}</w:tr>"


def _table_xml(rows: str, widths_mm: Sequence[float], *, borders: bool = True) -> str:
    margins = "".join(
        f'<w:{side} w:w="{twips}" w:type="dxa"/>'
        for side, twips in (("top", 20), ("left", 85), ("bottom", 20), ("right", 85))
    )
    style = '<w:tblStyle w:val="TableGrid"/>' if borders else ""
    props = (
        f'{style}<w:tblW w:w="{_twips(sum(widths_mm))}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{margins}</w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/>'
    )
    grid = "".join(f'<w:gridCol w:w="{_twips(w)}"/>' for w in widths_mm)
    return f"<w:tbl {_NS}><w:tblPr>{props}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"


def _insert(doc: Any, xml: str) -> Any:
    element = parse_xml(xml)
    anchor = getattr(doc, "_rc_sectpr", None)
    if anchor is None:  # found once: looking it up scans the whole body
        anchor = doc._rc_sectpr = doc.element.body.sectPr
    anchor.addprevious(element)  # before the section properties, which stay last
    return element


def spacer(doc: Any, points: float = 4) -> None:
    """Add an empty paragraph ``points`` high (the gap after a table)."""
    _insert(
        doc,
        f'<w:p {_NS}><w:pPr><w:pStyle w:val="{CELL}"/><w:spacing w:before="0" w:after="0" '
        f'w:line="{int(points * 20)}" w:lineRule="exact"/></w:pPr></w:p>',
    )


def box(doc: Any, width_mm: float, paragraphs: str, *, height_mm: float | None = None) -> None:
    """Add a framed one-cell table holding ``paragraphs`` (``w:p`` elements, see :func:`para_xml`)."""
    row = _row(_cell(width_mm, paragraphs or _para("", style="Normal")), height_mm=height_mm)
    _insert(doc, _table_xml(row, [width_mm]))
    spacer(doc)


def table(
    doc: Any,
    headers: Sequence[str] | None,
    rows: Iterable[Sequence[Any]],
    widths_mm: Sequence[float],
    *,
    align: Sequence[str | None] | None = None,
    keep_together: int = 12,
    shade_first_column: bool = False,
    shade_columns: Iterable[int] = (0,),
    total_rows: Iterable[int] = (),
    gap: bool = True,
    borders: bool = True,
) -> Any:
    """Add a table of fixed column widths (and a small gap after it); return the ``w:tbl`` element.

    Parameters
    ----------
    headers : sequence of str or None
        The heading row, repeated on every page; None for a label/value table.
    rows : iterable of sequences
        Cell values: text, :class:`Bold`, :class:`Note`, or ``{"css", "label"}`` for a tag.
        A list of values makes one cell of several parts (e.g. a bold group label above a text).
        A row of one value spans the whole table.
    widths_mm : sequence of float
        Column widths; their sum should not pass the text width.
    align : sequence, optional
        Per column ``"r"`` (right), ``"c"`` (centre) or None.
    keep_together : int
        A table of at most this many rows is kept on one page (and with the heading before it);
        a longer one keeps its heading with its first rows.
    total_rows : iterable of int
        Data rows (from 0) written in bold, as totals.
    shade_first_column : bool
        Shade the label columns, ``shade_columns`` (label/value tables).
    gap : bool
        Add a small empty paragraph after the table.
    borders : bool
        Draw the grid (a borderless table lines up text, e.g. the signature line).
    """
    rows = [list(r) for r in rows]
    ncols = len(widths_mm)
    align = list(align) if align else [None] * ncols
    keep_all = len(rows) + (1 if headers else 0) <= keep_together
    totals, shaded = set(total_rows), set(shade_columns)
    parts = []
    if headers:
        cells = "".join(
            _cell(w, _content(Bold(h), keep=True, align=a), fill=HEAD_FILL)
            for h, w, a in zip(headers, widths_mm, align, strict=True)
        )
        parts.append(_row(cells, header=True))
    for i, values in enumerate(rows):
        keep = (keep_all and i < len(rows) - 1) or (not keep_all and i < 2)
        if len(values) == 1 and ncols > 1:
            content = _content(values[0], keep=keep, align=None)
            parts.append(_row(_cell(sum(widths_mm), content, span=ncols)))
            continue
        cells = "".join(
            _cell(
                w,
                _content(v, keep=keep, align=a, bold=i in totals),
                fill=HEAD_FILL if shade_first_column and j in shaded else "",
            )
            for j, (v, w, a) in enumerate(zip(values, widths_mm, align, strict=True))
        )
        parts.append(_row(cells))
    element = _insert(doc, _table_xml("".join(parts), widths_mm, borders=borders))
    if gap:
        spacer(doc)
    return element
