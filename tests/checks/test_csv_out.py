"""CSV through Arrow (checks/outputs/csv_out.py): columns of a few shared texts give the same bytes as plain text."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from redline.checks.outputs.csv_out import _OPTIONS, arrow_table, write_csv


def _csv_bytes(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=True, **_OPTIONS))
    return out.getvalue()


def _column(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype=object, copy=False)


def test_shared_texts_become_a_dictionary_and_write_the_same_bytes():
    rng = np.random.default_rng(3)
    long_text = "《中华人民共和国生态环境法典》第六十条，" * 20
    shared = np.array(['禁止，"引号"', "a,b", "", None, float("nan"), long_text, "plain\r\nline"], dtype=object)
    rows = 6000
    df = pd.DataFrame(
        {
            "shared": _column(shared[rng.integers(0, len(shared), rows)]),
            "ids": _column(np.array([f"S{i:05d}" for i in range(rows)], dtype=object)),
            # equal texts in different objects: still one text each in the file
            "copies": _column(np.array(["".join(["禁", "止"]) for _ in range(rows)], dtype=object)),
        }
    )
    table = arrow_table(df)
    assert pa.types.is_dictionary(table.column("shared").type)
    assert not pa.types.is_dictionary(table.column("ids").type)
    plain = pa.table({c: pa.array(df[c].to_numpy(), type=pa.string(), from_pandas=True) for c in df.columns})
    assert _csv_bytes(table) == _csv_bytes(plain)
    back = list(csv.reader(io.StringIO(_csv_bytes(table).decode("utf-8"), newline="")))
    assert back[0] == ["shared", "ids", "copies"] and len(back) == rows + 1
    kept = {r[0] for r in back[1:]}
    assert long_text in kept and '禁止，"引号"' in kept and "plain\r\nline" in kept


def test_written_file_reads_back_and_is_readable_by_others(tmp_path):
    df = pd.DataFrame({"kind": _column(np.array(["farmland"] * 2000, dtype=object)), "d": np.arange(2000) / 3})
    path = write_csv(df, tmp_path / "t.csv", {"d": 2})
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["kind"].eq("farmland").all() and back["d"].iloc[2] == 0.67
    assert (path.stat().st_mode & 0o044) == 0o044  # group and others may read it, as any file the user writes
