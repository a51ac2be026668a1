"""Screen a file of sites chunk by chunk, writing the tables as it goes: memory stays flat.

:func:`stream_batch` takes the chunks of :func:`redline.checks.sites.chunks.iter_sites`, screens each
with :func:`redline.checks.screen.screen_sites`, appends its rows to ``sites.csv`` and
``findings.csv`` (through :class:`redline.checks.outputs.csv_out.CsvAppender`, with the tables of
:func:`~redline.checks.outputs.writers.sites_table` and
:func:`~redline.checks.outputs.writers.findings_table`, so the files are byte for byte those
:func:`~redline.checks.outputs.writers.write_outputs` writes for the whole result), and keeps
only the counts ``summary.json`` needs.  Nothing of a site outlives its chunk, apart from the
8-byte hash of its id when the ids come from a column (see :mod:`redline.checks.sites.chunks`).

The tables are written into the staging folder of an output set
(:class:`~redline.checks.outputs.output_set.OutputSet`) and swapped into the output folder, with
``summary.json`` last, only when the last chunk is through: a run that fails (a bad file found
half-way, repeated ids, a full disk, an interrupt or SIGTERM) leaves no half-written file and
the previous set untouched; a run killed outright leaves a staging folder that the next run
removes.

Only the CSV tables stream.  The GeoPackage, the reports, the map, the Word and Excel files
need the whole result (the reports rank and draw every site; the GeoPackage's column types
come from the whole tables), so a run (:func:`redline.checks.app.run.run_screening`) takes the
whole-result path when its formats ask for any of them, and on the Dask engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from redline.checks.app.progress import Progress
from redline.checks.outputs.csv_out import CsvAppender
from redline.checks.outputs.output_set import OutputSet
from redline.checks.outputs.writers import (
    FINDING_DECIMALS,
    OUTPUT_FILES,
    escaped_columns,
    findings_table,
    sites_table,
    summary_dict,
)
from redline.checks.screen import screen_sites
from redline.layers.layerset import LayerSet

__all__ = ["StreamedBatch", "stream_batch"]

#: The counts of ``summary.json`` that add up over chunks (the rest is the same for every chunk).
_SUMMED = ("n_sites", "n_findings")


@dataclass
class StreamedBatch:
    """What :func:`stream_batch` wrote.

    Attributes
    ----------
    files : list of Path
        ``sites.csv``, ``findings.csv``, ``summary.json``.
    summary : dict
        The content of ``summary.json`` (``n_sites``, ``verdicts``, ``findings_by_kind`` ...).
    illustrative : bool
        Whether the layer set is illustrative (every output says so).
    chunks : int
        How many chunks were screened.
    """

    files: list[Path]
    summary: dict
    illustrative: bool
    chunks: int = 0


def _add_counts(total: dict, part: dict) -> None:
    """Add a chunk's ``summary.json`` counts to the running ones (order of first appearance kept)."""
    for key in _SUMMED:
        total[key] += part[key]
    for verdict, n in part["verdicts"].items():
        total["verdicts"][verdict] = total["verdicts"].get(verdict, 0) + n
    for kind, verdicts in part["findings_by_kind"].items():
        into = total["findings_by_kind"].setdefault(kind, {})
        for verdict, n in verdicts.items():
            into[verdict] = into.get(verdict, 0) + n
    if "confidential" in part:
        total["confidential"]["n_findings"] += part["confidential"]["n_findings"]


def stream_batch(
    chunks: Iterable[gpd.GeoDataFrame],
    layerset: LayerSet,
    out_dir: str | Path,
    *,
    buffer_m: float = 1000.0,
    nearby: str = "nearest",
    lang: str = "zh",
    meta: dict | None = None,
    chunk_size: int = 20_000,
    catalog=None,
    progress: bool | Callable[[int, int | None], None] = False,
) -> StreamedBatch:
    """Screen sites chunk by chunk into ``sites.csv``, ``findings.csv`` and ``summary.json``.

    Parameters
    ----------
    chunks : iterable of GeoDataFrame
        Sites as :func:`redline.checks.sites.reader.read_sites` gives them, a chunk at a time: usually
        :func:`redline.checks.sites.chunks.iter_sites` (whose ``total`` sizes the progress bar).  At
        least one chunk (it may be empty).
    layerset : LayerSet
    out_dir : str or Path
        Created when missing.
    buffer_m, nearby, lang, meta
        As for :func:`redline.checks.screen.screen_sites`.
    chunk_size : int
        Passed on to :func:`~redline.checks.screen.screen_sites` (sites screened at a time within a chunk).
    catalog : Catalog, optional
        The rules in force (default: the layer set's).
    progress : bool or callable
        ``True`` shows a progress bar on stderr; a callable is called as ``progress(done,
        total)`` after each chunk (``total`` None when unknown).

    Returns
    -------
    StreamedBatch

    Raises
    ------
    RedlineError
        When the folder cannot be created or written; and whatever reading the chunks raises
        (then nothing is written).

    Examples
    --------
    >>> from redline.layers import load_layerset, sample_dir
    >>> from redline.checks.sites.chunks import iter_sites
    >>> run = stream_batch(iter_sites(sample_dir() / "sites.geojson", chunk_size=10), load_layerset("sample"), "out")
    >>> [p.name for p in run.files], run.chunks == -(-run.summary["n_sites"] // 10)
    (['sites.csv', 'findings.csv', 'summary.json'], True)
    """
    bar = Progress(getattr(chunks, "total", None), progress)
    try:
        with OutputSet(out_dir, OUTPUT_FILES) as files:
            summary, n_chunks = _screen_into(
                files,
                chunks,
                layerset,
                bar,
                meta={**(meta or {}), "run_id": files.run_id},
                screen={
                    "catalog": catalog,
                    "buffer_m": buffer_m,
                    "lang": lang,
                    "nearby": nearby,
                    "chunk_size": chunk_size,
                },
            )
            written = files.commit(summary)
    finally:
        bar.close()
    return StreamedBatch(written, summary, bool(layerset.illustrative), n_chunks)


def _screen_into(
    files: OutputSet, chunks: Iterable[gpd.GeoDataFrame], layerset: LayerSet, bar: Progress, meta: dict, screen: dict
) -> tuple[dict, int]:
    """Screen the chunks into the staged ``sites.csv`` and ``findings.csv``; return the summary and the chunk count."""
    names = ("sites.csv", "findings.csv")
    tables: list[CsvAppender] = []
    summary: dict | None = None
    n_chunks = 0
    try:
        for chunk in chunks:
            # CSV tables hold no geometry: overlaps are measured, not built
            result = screen_sites(chunk, layerset, meta=meta, overlap_geometry=False, **screen)
            rows = (sites_table(result), findings_table(result))
            for name, table, decimals in zip(names, rows, ({}, FINDING_DECIMALS), strict=True):
                with files.guard(name):
                    if len(tables) < len(names):  # the header comes from the first chunk's tables
                        tables.append(
                            CsvAppender(files.staging / name, list(table.columns), decimals, escaped_columns(table))
                        )
                    tables[names.index(name)].append(table)
            part = summary_dict(result, [])
            if summary is None:
                summary = part
            else:
                _add_counts(summary, part)
            n_chunks += 1
            bar.update(len(chunk))
            del result, rows
        if summary is None:
            raise ValueError("stream_batch: no chunks of sites (iter_sites yields at least one)")
        for name, table in zip(names, tables, strict=True):
            with files.guard(name):
                table.commit()
            files.add(name)
    finally:
        for table in tables:
            table.abort()
    return summary, n_chunks
