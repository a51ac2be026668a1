"""Read tables users give us (CSV in UTF-8 or GBK, XLSX) as text columns, whole or a chunk of rows at a time."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from redline.zones.errors import RedlineError

__all__ = ["TABLE_SUFFIXES", "TableChunks", "open_table_chunks", "read_table"]

TABLE_SUFFIXES = frozenset({".csv", ".txt", ".xlsx", ".xls"})

_SCAN_BLOCK = 1 << 24  # bytes read at a time when deciding a CSV's encoding
_C_PARSER_PREFIX = "Error tokenizing data. C error: "  # pandas' C parser words its errors so; the Python one not


def _unreadable_csv(path: Path, exc: Exception, error: type[RedlineError]) -> RedlineError:
    text = str(exc).strip().removeprefix(_C_PARSER_PREFIX)
    return error(
        f"{path}: not a readable CSV table ({text}); check the delimiter and quoting",
        zh=f"{path}：不是可读的 CSV 表格（{text}）；请检查分隔符和引号",
    )


def _undecodable(path: Path, error: type[RedlineError]) -> RedlineError:
    return error(
        f"{path}: text is neither UTF-8 nor GBK/GB18030; save the table as UTF-8",
        zh=f"{path}：文本既不是 UTF-8 也不是 GBK/GB18030 编码；请把表格另存为 UTF-8",
    )


def _unreadable_spreadsheet(path: Path, exc: Exception, error: type[RedlineError]) -> RedlineError:
    return error(
        f"{path}: cannot read the spreadsheet ({exc}); save it as .xlsx or CSV",
        zh=f"{path}：无法读取该电子表格（{exc}）；请另存为 .xlsx 或 CSV",
    )


def read_table(path: str | Path, *, error: type[RedlineError] = RedlineError) -> pd.DataFrame:
    """Read a CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030; delimiter sniffed) or XLSX file as strings.

    Parameters
    ----------
    path : str or Path
    error : type
        The :class:`RedlineError` subclass to raise for an unreadable file.

    Returns
    -------
    pandas.DataFrame
        Every cell a string; empty cells are ``""``.

    Raises
    ------
    RedlineError
        (or ``error``) naming the file and what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise error(
            f"table '{path}' does not exist; check the path",
            param="path",
            value=str(path),
            zh=f"表格 '{path}' 不存在；请检查路径",
        )
    if path.suffix.lower() in (".xlsx", ".xls"):
        try:
            return pd.read_excel(path, dtype=str).fillna("")
        except Exception as exc:
            raise _unreadable_spreadsheet(path, exc, error) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, sep=None, engine="python")
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            raise _unreadable_csv(path, exc, error) from None
    raise _undecodable(path, error)


class TableChunks:
    """A CSV/TXT or XLSX table read ``chunk_size`` rows at a time, cell for cell as :func:`read_table` reads it.

    Attributes
    ----------
    path : Path
    columns : list of str
        The header (duplicate names made unique as pandas does).
    total : int or None
        About how many rows there are, for a progress bar (None when not known cheaply).
    """

    path: Path
    columns: list[str]
    total: int | None

    def chunks(self, chunk_size: int, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """Yield the rows ``chunk_size`` at a time (only ``columns`` when given and the format can skip others)."""
        raise NotImplementedError


class _CsvChunks(TableChunks):
    """pandas' C parser a chunk at a time; the encoding decided in one pass over the bytes."""

    def __init__(self, path: Path, error: type[RedlineError]) -> None:
        self.path, self._error = path, error
        self._encoding, lines = self._scan()
        try:
            with open(path, encoding=self._encoding, newline="") as f:
                first = f.readline()
            self._sep = csv.Sniffer().sniff(first).delimiter  # as read_table's Python parser sniffs it
            self.columns = list(self._read(nrows=0).columns)
        except UnicodeDecodeError:
            raise _undecodable(path, error) from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            raise _unreadable_csv(path, exc, error) from None
        self.total = max(lines - 1, 0)

    def _scan(self) -> tuple[str, int]:
        """Return the encoding :func:`read_table` would use and the number of line breaks."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = True
        lines = 0
        with open(self.path, "rb") as f:
            while block := f.read(_SCAN_BLOCK):
                lines += block.count(b"\n")
                if utf8:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
        return ("utf-8-sig" if utf8 else "gb18030"), lines

    def _read(self, **kwargs):
        return pd.read_csv(
            self.path, dtype=str, keep_default_na=False, encoding=self._encoding, sep=self._sep, engine="c", **kwargs
        )

    def chunks(self, chunk_size: int, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        try:
            with self._read(chunksize=chunk_size, usecols=columns) as reader:
                yield from reader
        except UnicodeDecodeError:
            raise _undecodable(self.path, self._error) from None
        except (pd.errors.ParserError, csv.Error) as exc:
            raise _unreadable_csv(self.path, exc, self._error) from None


def _xlsx_value(cell):
    """Return a cell's value as pandas' openpyxl reader hands it on: blank as "", whole numbers as int."""
    from openpyxl.cell.cell import TYPE_ERROR, TYPE_NUMERIC

    value = cell.value
    if value is None:
        return ""
    if cell.data_type == TYPE_ERROR:
        return np.nan
    if cell.data_type == TYPE_NUMERIC:
        whole = int(value)
        return whole if whole == value else float(value)
    return value


def _trimmed(row) -> list:
    values = [_xlsx_value(cell) for cell in row]
    while values and values[-1] == "":
        values.pop()
    return values


class _XlsxChunks(TableChunks):
    """openpyxl's read-only rows, each chunk converted by pandas' own parser as :func:`pandas.read_excel` does."""

    def __init__(self, path: Path, error: type[RedlineError]) -> None:
        self.path, self._error = path, error
        book, sheet, declared = self._open()
        try:
            self._header = next((_trimmed(row) for row in sheet.rows), [])
        finally:
            book.close()
        self.total = max(declared - 1, 0) if declared else None
        self.columns = list(self._frame([]).columns) if self._header else []

    def _open(self):
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:
            raise _unreadable_spreadsheet(self.path, exc, self._error) from None
        sheet = book.worksheets[0]
        declared = sheet.max_row
        sheet.reset_dimensions()  # declared dimensions can be wrong: let openpyxl find the rows
        return book, sheet, declared

    def _frame(self, rows: list[list]) -> pd.DataFrame:
        """Convert a chunk of spreadsheet rows as :func:`pandas.read_excel` (``dtype=str``) would."""
        from pandas.io.parsers import TextParser

        width = len(self._header)
        data = [self._header] + [(r + [""] * (width - len(r)))[:width] for r in rows]
        return TextParser(data, header=0, dtype=str, skip_blank_lines=False).read().fillna("")

    def chunks(self, chunk_size: int, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        book, sheet, _ = self._open()
        try:
            rows: list[list] = []
            blank = 0  # empty rows held back: trailing ones are dropped, as pandas does
            for number, row in enumerate(sheet.rows):
                if number == 0:
                    continue
                values = _trimmed(row)
                if not values:
                    blank += 1
                    continue
                rows += [[] for _ in range(blank)]
                blank = 0
                rows.append(values)
                if len(rows) >= chunk_size:
                    yield self._frame(rows[:chunk_size])
                    rows = rows[chunk_size:]
            if rows:
                yield self._frame(rows)
        finally:
            book.close()


def open_table_chunks(path: str | Path, *, error: type[RedlineError] = RedlineError) -> TableChunks:
    r"""Open a CSV/TXT or XLSX table to read a chunk of rows at a time (the header is read here).

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.txt`` (UTF-8 when the whole file is, else GBK/GB18030, as :func:`read_table`
        decides; the delimiter sniffed from the first line) or ``.xlsx`` file (its first sheet).
    error : type
        The :class:`RedlineError` subclass to raise for an unreadable file.

    Returns
    -------
    TableChunks
        ``columns`` and ``total`` known; :meth:`TableChunks.chunks` yields DataFrames of text cells.

    Raises
    ------
    RedlineError
        (or ``error``), worded as :func:`read_table` words it; also while reading the chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("id;lon\na;1\nb;2\nc;3\n", encoding="utf-8")
    >>> table = open_table_chunks(path)
    >>> table.columns, table.total, [len(c) for c in table.chunks(2)]
    (['id', 'lon'], 3, [2, 1])
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _XlsxChunks(path, error)
    return _CsvChunks(path, error)
