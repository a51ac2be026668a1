"""Read the sheets of an access-list file as grids of text: XLSX, XLS, CSV and the tables of a DOCX.

Merged cells are filled with their value (a 管控要求 header merged over four dimension columns
reads 管控要求 in each; a unit code merged down its rows reads on every row), so that the layout
of the printed table survives as plain rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.zones.errors import LayerError

__all__ = ["GRID_SUFFIXES", "Grid", "read_grids"]

GRID_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".docx"})


@dataclass
class Grid:
    """One sheet (or DOCX table) as rows of text; ``name`` is the sheet name or the table's caption."""

    name: str
    rows: list[list[str]]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _fill(rows: list[list[str]], merges: list[tuple[int, int, int, int]]) -> list[list[str]]:
    """Fill merged ranges ``(first row, last row, first col, last col)``, inclusive, 0-based."""
    for r0, r1, c0, c1 in merges:
        value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1 + 1, len(rows))):
            for c in range(c0, min(c1 + 1, len(rows[r]))):
                rows[r][c] = value
    return rows


def _xlsx(path: Path) -> list[Grid]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    grids = []
    for ws in book.worksheets:
        rows = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        width = max((len(r) for r in rows), default=0)
        rows = [r + [""] * (width - len(r)) for r in rows]
        merges = [(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        grids.append(Grid(ws.title, _fill(rows, merges)))
    return grids


def _xls(path: Path) -> list[Grid]:
    try:
        import xlrd
    except ImportError:
        raise LayerError(
            f"{path}: reading .xls needs the xlrd package (pip install xlrd); or save the list as .xlsx",
            zh=f"{path}：读取 .xls 需要 xlrd 包（pip install xlrd）；也可把清单另存为 .xlsx",
        ) from None
    book = xlrd.open_workbook(str(path), formatting_info=True)
    grids = []
    for sheet in book.sheets():
        rows = [[_text(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        merges = [(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        grids.append(Grid(sheet.name, _fill(rows, merges)))
    return grids


def _csv(path: Path) -> list[Grid]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LayerError(
            f"{path}: text is neither UTF-8 nor GBK/GB18030; save the list as UTF-8",
            zh=f"{path}：文本既不是 UTF-8 也不是 GBK/GB18030 编码；请把清单另存为 UTF-8",
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = [[_text(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    width = max((len(r) for r in rows), default=0)
    return [Grid(path.stem, [r + [""] * (width - len(r)) for r in rows])]


def _docx(path: Path) -> list[Grid]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    grids: list[Grid] = []
    caption = ""
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text.strip()
            caption = text or caption
        elif tag == "tbl":
            table = Table(child, document)
            rows = [[_text(cell.text) for cell in row.cells] for row in table.rows]
            width = max((len(r) for r in rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in rows]
            grids.append(Grid(caption or f"表{len(grids) + 1}", rows))
            caption = ""
    return grids


def read_grids(path: str | Path) -> list[Grid]:
    """Return every sheet (XLSX, XLS), the one table (CSV) or every table (DOCX) of a file.

    Raises
    ------
    LayerError
        For a missing or unreadable file, naming it and what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise LayerError(
            f"access list '{path}' does not exist; check the path",
            zh=f"准入清单 '{path}' 不存在；请检查路径",
        )
    suffix = path.suffix.lower()
    readers = {".xlsx": _xlsx, ".xlsm": _xlsx, ".xls": _xls, ".csv": _csv, ".txt": _csv, ".docx": _docx}
    if suffix not in readers:
        raise LayerError(
            f"{path}: an access list must be .xlsx, .xls, .csv or .docx (got {suffix or 'no suffix'}); "
            "save it in one of those",
            zh=f"{path}：准入清单须为 .xlsx、.xls、.csv 或 .docx 文件（收到 {suffix or '无扩展名'}）；请另存为其中一种",
        )
    try:
        return readers[suffix](path)
    except LayerError:
        raise
    except Exception as exc:
        raise LayerError(
            f"{path}: cannot read the file ({exc}); save it again as .xlsx or .csv",
            zh=f"{path}：无法读取该文件（{exc}）；请重新另存为 .xlsx 或 .csv",
        ) from None
