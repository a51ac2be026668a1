"""Read tables users give us (CSV in UTF-8 or GBK, XLSX) as text columns."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from redline.zones.errors import RedlineError

__all__ = ["TABLE_SUFFIXES", "read_table"]

TABLE_SUFFIXES = frozenset({".csv", ".txt", ".xlsx", ".xls"})


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
        raise error(f"table '{path}' does not exist; check the path")
    if path.suffix.lower() in (".xlsx", ".xls"):
        try:
            return pd.read_excel(path, dtype=str).fillna("")
        except Exception as exc:
            raise error(f"{path}: cannot read the spreadsheet ({exc}); save it as .xlsx or CSV") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, sep=None, engine="python")
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            raise error(f"{path}: not a readable CSV table ({exc}); check the delimiter and quoting") from None
    raise error(f"{path}: text is neither UTF-8 nor GBK/GB18030; save the table as UTF-8")
