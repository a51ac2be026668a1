"""Word building blocks for the 研判报告: page setup, fonts, page numbers, tags.

python-docx writes what Word and LibreOffice lay out; these helpers fix what a filed report needs:
A4 pages with page numbers (``第 X 页，共 Y 页``), 宋体 body text and 黑体 headings, headings kept
with what follows, and verdicts as coloured tags (shaded runs) rather than filled cells.  Tables
are built by :mod:`redline.checks.outputs.docx_tables`.
"""

from __future__ import annotations

import io
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Mm, Pt, RGBColor

__all__ = [
    "CELL",
    "NOTE",
    "PAGE",
    "TAG_COLOURS",
    "add_field",
    "add_picture",
    "add_tag",
    "keep_with_next",
    "page_footer",
    "setup_document",
    "text_width_mm",
]

#: A4 portrait, in millimetres: page and margins (left wider, for binding).
PAGE = {"width": 210.0, "height": 297.0, "left": 25.0, "right": 20.0, "top": 22.0, "bottom": 20.0}
#: Style ids of the table text and the small grey notes (set by :func:`setup_document`).
CELL, NOTE = "RCCell", "RCNote"
_BODY_FONT = ("Times New Roman", "宋体")
_HEAD_FONT = ("Arial", "黑体")
TAG_COLOURS = {
    "prohibited": ("C0392B", "FFFFFF"),
    "restricted": ("D35400", "FFFFFF"),
    "review": ("F7DC6F", "1C2833"),
    "clear": ("1E8449", "FFFFFF"),
    "error": ("7F8C8D", "FFFFFF"),
    "na": ("EAEDED", "566573"),
}
OTHER_TAG = ("5D6D7E", "FFFFFF")


def text_width_mm(landscape: bool = False) -> float:
    """Return the width of the text block in mm (165 on A4 portrait, 252 landscape).

    Examples
    --------
    >>> text_width_mm(), text_width_mm(True)
    (165.0, 252.0)
    """
    page = PAGE["height"] if landscape else PAGE["width"]
    return page - PAGE["left"] - PAGE["right"]


def _fonts(style: Any, latin: str, east_asia: str) -> None:
    style.font.name = latin
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _paragraph_style(doc: Any, name: str, size: float, *, colour: str | None = None) -> Any:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.1
    fmt.first_line_indent = Pt(0)
    if colour:
        style.font.color.rgb = RGBColor.from_string(colour)
    return style


def setup_document(doc: Any) -> None:
    """Set A4 portrait, margins, the body and heading fonts, and the table and note styles."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE["width"]), Mm(PAGE["height"])
    section.left_margin, section.right_margin = Mm(PAGE["left"]), Mm(PAGE["right"])
    section.top_margin, section.bottom_margin = Mm(PAGE["top"]), Mm(PAGE["bottom"])
    section.footer_distance = Mm(10)
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal, *_BODY_FONT)
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.25
    for name, size, before, after in (
        ("Title", 18, 6, 4),
        ("Heading 1", 14, 12, 6),
        ("Heading 2", 12, 10, 4),
        ("Heading 3", 11, 8, 3),
        ("Heading 4", 10.5, 6, 3),
    ):
        st = styles[name]
        _fonts(st, *_HEAD_FONT)
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.italic = False
        st.font.color.rgb = RGBColor(0x1C, 0x28, 0x33)
        fmt = st.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.keep_with_next = True
        fmt.keep_together = True
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):  # the default Title has a rule under it
        title_ppr.remove(border)
    cell = _paragraph_style(doc, "RC Cell", 9)
    assert cell.style_id == CELL
    note = _paragraph_style(doc, "RC Note", 8.5, colour="566573")
    assert note.style_id == NOTE


def add_field(paragraph: Any, instruction: str, placeholder: str = "1") -> None:
    """Append a field (``PAGE``, ``NUMPAGES``) to a paragraph, showing ``placeholder`` until updated."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def page_footer(doc: Any, template: str, left: str = "") -> None:
    """Write ``left`` and the page numbers (``template`` with ``{page}`` and ``{pages}``) in the footer."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p._p.style = NOTE
    if left:
        p.add_run(left + "　　")
    pieces = template.replace("{page}", "\0PAGE\0").replace("{pages}", "\0NUMPAGES\0").split("\0")
    for i, piece in enumerate(pieces):
        if i % 2:
            add_field(p, piece)
        elif piece:
            p.add_run(piece)


def keep_with_next(paragraph: Any, keep: bool = True) -> None:
    """Keep a paragraph on the page of the next one."""
    paragraph.paragraph_format.keep_with_next = keep


def add_tag(paragraph: Any, css: str, label: str, *, size: float | None = None) -> Any:
    """Append a verdict tag: the label in bold on a coloured ground (a shaded run, not a filled cell)."""
    fill, ink = TAG_COLOURS.get(css, OTHER_TAG)
    run = paragraph.add_run(f"\u00a0{label}\u00a0")
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(ink)
    if size:
        run.font.size = Pt(size)
    rpr = run._r.get_or_add_rPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    rpr.append(shd)
    return run


def add_picture(doc: Any, png: bytes, width_mm: float) -> Any:
    """Add a centred paragraph holding a PNG ``width_mm`` wide; return the paragraph.

    python-docx numbers a new picture by searching the whole document for the largest id, which
    makes a report of hundreds of maps slow; the pictures here are numbered from a counter.
    """
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rid, image = doc.part.get_or_add_image(io.BytesIO(png))
    cx, cy = image.scaled_dimensions(Mm(width_mm), None)
    shape_id = getattr(doc, "_rc_shape_id", 1000) + 1
    doc._rc_shape_id = shape_id
    inline = CT_Inline.new_pic_inline(shape_id, rid, image.filename, cx, cy)
    paragraph.add_run()._r.add_drawing(inline)
    return paragraph
