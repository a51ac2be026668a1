"""Text encoding of Shapefile DBF tables that come without a ``.cpg`` file.

Chinese shapefiles are written in GBK by most desktop GIS and in UTF-8 by newer ones; a
``.cpg`` file says which, but is often lost.  Without one, the text fields are decoded as
UTF-8 when every value is valid UTF-8 (GBK text almost never is) and as GBK/GB18030
otherwise, and the choice is reported.  ``encoding:`` in the manifest always wins.
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["EncodingChoice", "detect_dbf_encoding", "shapefile_encoding"]

#: Records looked at (those with non-ASCII text); enough to tell UTF-8 from GBK.
_MAX_RECORDS = 200_000


@dataclass(frozen=True)
class EncodingChoice:
    """How the text of a source is decoded.

    Attributes
    ----------
    encoding : str or None
        Passed to the reader (``utf-8``, ``gbk``, ``gb18030``); None to let GDAL decide
        (a ``.cpg`` file, or a format that is always UTF-8).
    note : str
        For reports: e.g. ``"gbk (detected: no .cpg, the text is not UTF-8)"``; empty when
        there is nothing to say.
    how : str
        How the choice was made, for code to decide on: ``"declared"`` (given), ``"cpg"`` (the
        ``.cpg`` file), ``"detected"`` (from the text), ``"unknown"`` (the text is none of the
        encodings tried; ``encoding`` is None) or ``""`` (nothing to decide: not a Shapefile, or
        no text).

    Examples
    --------
    >>> shapefile_encoding("zones.gpkg")
    EncodingChoice(encoding=None, note='', how='')
    >>> shapefile_encoding("zones.shp", "gbk").how
    'declared'
    """

    encoding: str | None
    note: str = ""
    how: str = ""


def _text_fields(header: bytes) -> list[tuple[int, int]]:
    """Return (offset in record, length) of every character (C) field of a DBF header."""
    fields = []
    offset = 1  # the deletion flag
    for pos in range(32, len(header) - 31, 32):
        if header[pos] == 0x0D:
            break
        kind = chr(header[pos + 11])
        length = header[pos + 16]
        if kind == "C":
            length += header[pos + 17] * 256  # long character fields use the "decimal count" byte
        if kind == "C":
            fields.append((offset, length))
        offset += length
    return fields


def _decodes(values: list[bytes], encoding: str) -> bool:
    """Return True when every value decodes; a multi-byte character cut off at the field end is allowed."""
    for raw in values:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            decoder.decode(raw, final=False)
        except UnicodeDecodeError:
            return False
    return True


def detect_dbf_encoding(dbf: str | Path) -> EncodingChoice:
    """Decide how to decode the text fields of a DBF file that has no ``.cpg``.

    Parameters
    ----------
    dbf : str or Path
        The ``.dbf`` file.

    Returns
    -------
    EncodingChoice
        ``utf-8`` when all text is valid UTF-8 (or plain ASCII), else ``gbk`` or ``gb18030``;
        ``encoding=None`` with a note when the text is none of these.
    """
    dbf = Path(dbf)
    with dbf.open("rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return EncodingChoice(None, "")
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        header = head + f.read(max(header_len - 32, 0))
        fields = _text_fields(header)
        if not fields or record_len == 0:
            return EncodingChoice("utf-8", "")
        values: list[bytes] = []
        chunk_records = 20_000
        seen = 0
        while seen < n_records and len(values) < _MAX_RECORDS:
            count = min(chunk_records, n_records - seen)
            data = f.read(count * record_len)
            count = len(data) // record_len
            if count == 0:
                break
            rows = np.frombuffer(data[: count * record_len], dtype=np.uint8).reshape(count, record_len)
            seen += count
            for start, length in fields:
                block = rows[:, start : start + length]
                wide = np.flatnonzero((block >= 0x80).any(axis=1))
                values.extend(bytes(block[i]).rstrip(b" \x00") for i in wide)
    if not values:
        return EncodingChoice("utf-8", "")
    if _decodes(values, "utf-8"):
        return EncodingChoice("utf-8", "utf-8 (detected: no .cpg; the text is valid UTF-8)", "detected")
    for encoding in ("gbk", "gb18030"):
        if _decodes(values, encoding):
            return EncodingChoice(
                encoding,
                f"{encoding} (detected: no .cpg; the text is not UTF-8 but decodes as "
                f"{encoding.upper()}; if names look wrong set `encoding:`)",
                "detected",
            )
    return EncodingChoice(
        None,
        "unknown (no .cpg; the text is neither UTF-8 nor GBK/GB18030); set `encoding:` (e.g. big5, latin1)",
        "unknown",
    )


def shapefile_encoding(path: str | Path, declared: str | None = None) -> EncodingChoice:
    """Return how to decode the attributes of ``path``: as declared, by its ``.cpg``, or detected.

    Parameters
    ----------
    path : str or Path
        Any vector source; only Shapefiles (``.shp`` or ``.dbf``) are looked into.
    declared : str, optional
        ``encoding:`` from the manifest (or an option): always wins.
    """
    path = Path(path)
    if declared:
        return EncodingChoice(declared, f"{declared} (manifest)", "declared")
    if path.suffix.lower() not in (".shp", ".dbf"):
        return EncodingChoice(None, "")
    siblings = {p.name.lower(): p for p in path.parent.glob(path.stem + ".*")}
    cpg = siblings.get(f"{path.stem.lower()}.cpg")
    if cpg is not None:
        text = cpg.read_text("ascii", errors="replace").strip()
        return EncodingChoice(None, f"{text} (.cpg)" if text else "", "cpg")
    dbf = siblings.get(f"{path.stem.lower()}.dbf")
    if dbf is None:
        return EncodingChoice(None, "")
    return detect_dbf_encoding(dbf)
