"""CSV output through Arrow's C++ writer: UTF-8 with BOM, CRLF, text quoted, numbers fixed-point.

pandas' ``to_csv`` formats and quotes cell by cell in Python (about 1.3 s for 200,000 findings);
Arrow's writer does the same work in C++ in a few hundredths of a second.  The files follow
RFC 4180: every text cell is quoted (``"S01"``, ``"禁止"``), a quote inside text is doubled, empty
cells are missing values, and numbers are written unquoted with a fixed number of decimals, so
Excel, pandas and the ``csv`` module read them back as before.  The BOM makes Excel open the
Chinese columns as UTF-8.

Text that Excel would run as a formula (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return: ``=HYPERLINK(…)``, ``@SUM(1)``, ``+cmd|…``) is written with a leading
``'`` in the columns the caller names (``escape``), as the OWASP advice on CSV injection says;
a cell that is a plain number (``-12``, ``+3.5``, ``-1e3``) is left as it is.  Only those cells
change, found column by column from the first byte of each cell (:func:`formula_safe`).

:class:`CsvAppender` writes a file in parts (a streamed batch); :func:`write_csv` writes one table.
Both write under a temporary name and move the file into place only when it is complete.
"""

from __future__ import annotations

import ctypes
import os
import secrets
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["BOM", "CsvAppender", "arrow_table", "formula_safe", "write_csv"]

BOM = b"\xef\xbb\xbf"
_OPTIONS = {"eol": "\r\n", "quoting_style": "needed"}


def _text(values: pd.Series) -> pa.Array:
    """Arrow strings of a column of text (None/NaN become missing cells)."""
    if hasattr(values.array, "__arrow_array__"):  # pandas' Arrow-backed strings: no copy through Python objects
        try:
            return pa.array(values.array).cast(pa.string())
        except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    try:
        cells = values.to_numpy(dtype=object)
        shared = _shared_texts(cells)
        if shared is not None:
            return shared
        # (Python keeps each string's UTF-8 once made, so this copies bytes rather than encoding them again)
        return pa.array(cells, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid, TypeError):  # numbers or other objects mixed into a text column
        cells = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]
        return pa.array(cells, type=pa.string())


def _shared_texts(cells: np.ndarray) -> pa.DictionaryArray | None:
    """Return the cells as a dictionary of their distinct objects, when a few text objects fill the column.

    Findings repeat a few texts (kinds, verdicts, the long rule bases) over and over, the same
    objects.  The CSV writer decodes a dictionary batch by batch, so the long texts are never
    copied out whole into a column of their own (hundreds of megabytes for a big batch).  Objects
    are told apart by identity (their pointers in the array), which costs no hashing of text;
    equal texts in different objects just take two entries.  None when the first thousand cells
    hold many objects (ids, names).
    """
    if len(cells) < 1000:
        return None
    cells = np.ascontiguousarray(cells)
    # an object array holds pointers to its objects: the same pointer, the same object
    pointers = np.ctypeslib.as_array((ctypes.c_ssize_t * len(cells)).from_address(cells.ctypes.data))
    if len(np.unique(pointers[:1000])) > 50:
        return None
    codes, distinct_pointers = pd.factorize(pointers)
    if len(distinct_pointers) * 8 > len(cells):
        return None
    first = np.empty(len(distinct_pointers), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(cells) - 1, -1, -1)  # (the last write wins: each code's first cell)
    distinct = cells[first]
    missing = pd.isna(distinct)
    dictionary = pa.array(np.where(missing, None, distinct), type=pa.string(), from_pandas=True)
    codes = codes.astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=missing[codes]), dictionary)


#: First characters that make Excel read a cell as a formula (= + - @ tab CR), as a table over bytes.
_FORMULA_STARTS = np.zeros(256, dtype=bool)
_FORMULA_STARTS[np.frombuffer(b"=+-@\t\r", dtype=np.uint8)] = True
#: A plain number (Excel reads it as one, it runs nothing): left unescaped.
_PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def _first_bytes(values: pa.Array) -> np.ndarray:
    """Return the first byte of each cell of a string array (0 for empty and missing cells), from its buffers."""
    wide = pa.types.is_large_string(values.type)
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64 if wide else np.int32)
    offsets = offsets[values.offset : values.offset + len(values) + 1]
    first = np.zeros(len(values), dtype=np.uint8)
    if data_buffer is None or not len(values):
        return first
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    starts = offsets[:-1]
    filled = offsets[1:] > starts
    first[filled] = data[starts[filled]]
    return first


def formula_safe(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Return text cells Excel would run as a formula with a leading ``'``; other cells unchanged.

    A cell is escaped when it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    and is not a plain number.  A dictionary array has only its dictionary checked.

    Examples
    --------
    >>> cells = ["=HYPERLINK(1)", "@SUM(1)", "+cmd|' /C calc'!A0", "-12", "-2+3", "S01", None]
    >>> formula_safe(pa.array(cells)).to_pylist()
    ["'=HYPERLINK(1)", "'@SUM(1)", "'+cmd|' /C calc'!A0", '-12', "'-2+3", 'S01', None]
    """
    if isinstance(values, pa.ChunkedArray):
        return pa.chunked_array([formula_safe(chunk) for chunk in values.chunks], values.type)
    if pa.types.is_dictionary(values.type):
        return pa.DictionaryArray.from_arrays(values.indices, formula_safe(values.dictionary))
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return values
    risky = _FORMULA_STARTS[_first_bytes(values)]
    if not risky.any():
        return values
    rows = np.flatnonzero(risky)
    candidates = values.take(pa.array(rows))
    number = pc.fill_null(pc.match_substring_regex(candidates, _PLAIN_NUMBER), True).to_numpy(zero_copy_only=False)
    risky[rows[number]] = False
    if not risky.any():
        return values
    quoted = pc.binary_join_element_wise("'", values, "")
    return pc.if_else(pa.array(risky), quoted, values)


def _fixed(values: pd.Series, decimals: int) -> pa.Array:
    """Arrow decimals rounded to ``decimals`` places (NaN becomes a missing cell)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    return pa.array(np.round(numbers, decimals), from_pandas=True).cast(pa.decimal128(38, decimals), safe=False)


def arrow_table(df: pd.DataFrame, decimals: dict[str, int] | None = None, escape: Collection[str] = ()) -> pa.Table:
    """Return ``df`` as an Arrow table ready for CSV: numbers of ``decimals`` columns fixed-point, text as text.

    Parameters
    ----------
    df : pandas.DataFrame
        No geometry column.
    decimals : dict, optional
        ``{column: number of decimals}`` for float columns; other numeric columns keep their type.
    escape : collection of str, optional
        Text columns whose cells Excel could run as formulas are escaped (:func:`formula_safe`);
        numbers are never escaped.

    Examples
    --------
    >>> t = arrow_table(pd.DataFrame({"a": ["x", None], "d": [1.234, float("nan")]}), {"d": 2})
    >>> t.column("d").to_pylist()
    [Decimal('1.23'), None]
    >>> arrow_table(pd.DataFrame({"a": ["=1+1", "-5"], "n": [-5, 2]}), escape=["a", "n"]).to_pylist()
    [{'a': "'=1+1", 'n': -5}, {'a': '-5', 'n': 2}]
    """
    decimals = decimals or {}
    arrays = []
    for name in df.columns:
        column = df[name]
        if name in decimals:
            arrays.append(_fixed(column, decimals[name]))
        elif pd.api.types.is_bool_dtype(column) or pd.api.types.is_integer_dtype(column):
            arrays.append(pa.array(column.to_numpy(), from_pandas=True))
        elif pd.api.types.is_float_dtype(column):
            arrays.append(pa.array(column.to_numpy(dtype=float), from_pandas=True))
        else:
            text = _text(column)
            arrays.append(formula_safe(text) if name in escape else text)
    return pa.Table.from_arrays(arrays, names=[str(c) for c in df.columns])


def _new_file(target: Path) -> tuple[int, Path]:
    """Create a new, empty file with a random name beside ``target``; return its descriptor and path.

    Created with the mode the user's umask gives (as the file itself would be), not ``mkstemp``'s
    owner-only mode, which ``os.replace`` would carry over to the finished file.
    """
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}{target.suffix}"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


class CsvAppender:
    """Write one CSV file in parts, under a temporary name, moved into place by :meth:`commit`.

    Parameters
    ----------
    target : Path
        The final file; its folder must exist.
    columns : list of str
        The header, written at once (so an empty result still has its columns).
    decimals, escape : optional
        As in :func:`arrow_table`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with CsvAppender(folder / "t.csv", ["a", "n"], {"n": 1}) as out:
    ...     out.append(pd.DataFrame({"a": ["x"], "n": [2.0]}))
    ...     out.append(pd.DataFrame({"a": ["a,b"], "n": [0.25]}))
    ...     path = out.commit()
    >>> path.read_bytes().decode("utf-8-sig").splitlines()
    ['"a","n"', '"x",2.0', '"a,b",0.2']
    """

    def __init__(
        self,
        target: str | Path,
        columns: list[str],
        decimals: dict[str, int] | None = None,
        escape: Collection[str] = (),
    ) -> None:
        self.target = Path(target)
        self.columns = list(columns)
        self.decimals = dict(decimals or {})
        self.escape = frozenset(escape)
        self.rows = 0
        fd, self._tmp = _new_file(self.target)
        self._fh = os.fdopen(fd, "wb")
        self._fh.write(BOM)
        header = pa.Table.from_arrays([pa.array([], pa.string()) for _ in self.columns], names=self.columns)
        pacsv.write_csv(header, self._fh, pacsv.WriteOptions(include_header=True, **_OPTIONS))

    def append(self, df: pd.DataFrame) -> None:
        """Append rows (columns in the header's order; extra columns are an error)."""
        if list(df.columns) != self.columns:
            raise ValueError(f"columns {list(df.columns)} differ from the header {self.columns}")
        if len(df):
            table = arrow_table(df, self.decimals, self.escape)
            pacsv.write_csv(table, self._fh, pacsv.WriteOptions(include_header=False, **_OPTIONS))
            self.rows += len(df)

    def commit(self) -> Path:
        """Close the file and move it into place; return the final path."""
        self._fh.close()
        os.replace(self._tmp, self.target)
        return self.target

    def abort(self) -> None:
        """Close and delete the temporary file (the previous target, if any, is untouched)."""
        if not self._fh.closed:
            self._fh.close()
        if self._tmp.exists():
            self._tmp.unlink()

    def __enter__(self) -> CsvAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()


def write_csv(
    df: pd.DataFrame, target: str | Path, decimals: dict[str, int] | None = None, escape: Collection[str] = ()
) -> Path:
    """Write ``df`` to ``target`` atomically (see the module notes on the format); return the path."""
    with CsvAppender(target, [str(c) for c in df.columns], decimals, escape) as out:
        out.append(df.set_axis([str(c) for c in df.columns], axis=1))
        return out.commit()
