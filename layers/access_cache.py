"""The canonical long table of a published access list, kept in the cache folder as Arrow.

Reading a county's workbook (openpyxl, merged headers, numbered cells) takes most of a second;
the table it gives depends only on the file's bytes and the manifest's ``access_list_columns``
and ``access_list_sheets``.  So the table and the reader's problems are kept as one Arrow IPC file
named by the SHA-256 of those (and of the package version): a changed list or mapping is a new
name, never a stale answer.  Only data is kept (strings and integers, no pickle), so a file in
the cache folder can at worst be wrong, never run code; a file that cannot be read is a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from redline.zones.access_list import AccessProblem
from redline.zones.cache_folder import cache_dir, cache_enabled, write_atomically

__all__ = ["cached_access_table"]

_PROBLEMS = b"redline.problems"

Read = Callable[[], "tuple[pd.DataFrame, list[AccessProblem]]"]


def _key(source_digest: str, options: Any) -> str:
    from redline._version import __version__

    digest = hashlib.sha256(__version__.encode())
    digest.update(source_digest.encode())
    digest.update(json.dumps(options, ensure_ascii=False, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:40]


def _load(file: Path) -> tuple[pd.DataFrame, list[AccessProblem]] | None:
    import pyarrow as pa

    try:
        table = pa.ipc.open_file(pa.py_buffer(file.read_bytes())).read_all()
        problems = [AccessProblem(**p) for p in json.loads(table.schema.metadata[_PROBLEMS])]
        return table.to_pandas(), problems
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None


def _save(file: Path, frame: pd.DataFrame, problems: list[AccessProblem]) -> None:
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {**(table.schema.metadata or {}), _PROBLEMS: json.dumps([dataclasses.asdict(p) for p in problems])}
        table = table.replace_schema_metadata(meta)


        def write(fh) -> None:
            with pa.ipc.new_file(fh, table.schema) as writer:
                writer.write_table(table)

        write_atomically(file, write)
    except (OSError, TypeError, ValueError, pa.ArrowException):  # a cache that cannot be written is no cache
        pass


def cached_access_table(
    path: Path, options: Any, read: Read, digest: str | None = None
) -> tuple[pd.DataFrame, list[AccessProblem]]:
    """Return ``read()`` for the access list at ``path``, kept in the cache folder under its digest.

    Parameters
    ----------
    path : Path
        The published list (its bytes are part of the key).
    options : JSON-able
        Whatever else shapes the table (the columns' mapping, the sheets chosen).
    read : callable
        Reads the list: returns the canonical long table and the reader's problems.
    digest : str, optional
        The list's fingerprint (:func:`redline.layers.fingerprint.fingerprint`) when the caller
        has it already; by default it is computed here.

    Examples
    --------
    >>> from redline.layers import sample_dir
    >>> from redline.layers.access_tables import read_access_table
    >>> path = sample_dir() / "access_list.xlsx"
    >>> table, problems = cached_access_table(path, None, lambda: read_access_table(path))
    >>> len(table) > 0, problems
    (True, [])
    """
    if not cache_enabled():
        return read()
    if digest is None:
        from redline.layers.fingerprint import fingerprint

        digest = fingerprint(path)
    file = cache_dir() / "access" / f"{_key(digest, options)}.arrow"
    found = _load(file) if file.is_file() else None
    if found is not None:
        return found
    frame, problems = read()
    _save(file, frame, problems)
    return frame, problems
