"""A run's output files as one set: written aside, then swapped into the output folder together.

A run writes every file (``sites.csv``, ``findings.csv``, ``results.gpkg``, the reports,
``summary.json``) into a staging folder inside the output folder, ``OUT/.redline-staging-<run
id>/`` (the same file system, so each file moves into place with one rename).  Only when the last
file is complete is the set swapped into ``OUT`` (:mod:`redline.checks.outputs.set_swap`): the
previous ``summary.json`` leaves first, the files of the previous set that the new one does not
write leave next, then each new file replaces its namesake in one ``os.replace``, and the new
``summary.json`` comes last.  The folder therefore never mixes two runs: a file of the previous set
that the new set lacks is gone, the user's own files stay (a file is taken for part of the previous
set only when its ``summary.json`` lists it).

``summary.json`` carries the run id (``run_id``), the files of the set (``files``) and the
SHA-256 of each (``sha256``); the GeoPackage carries the run id in its metadata
(``redline_run_id``), the HTML pages in a ``<meta name="redline-run-id">`` tag, and every writer
finds it in ``result.meta["run_id"]``.  A CSV file cannot carry it without a new column: its
SHA-256 in ``summary.json`` ties it to its set.

What a reader can rely on (and the limits POSIX sets):

- A run that fails, is interrupted (SIGINT, SIGTERM, SIGHUP: handled like an error while the set
  is written) or killed (SIGKILL, power cut) before the swap leaves the previous set untouched,
  byte for byte.  Its staging folder is removed at once, or, when the process could not (SIGKILL),
  by the next run into the same folder (the staging folder's lock tells a dead run's folder from a
  live one; on a file system without file locks it is left, see :mod:`~redline.checks.outputs.set_swap`).
  Runs writing into the same folder at once each stage their own set; their swaps take turns.
- POSIX renames one file at a time: no single call replaces several files.  The swap is a handful
  of renames (well under a millisecond), but a reader that opens ``sites.csv`` and then
  ``findings.csv`` across it may get one of each set.  ``summary.json`` is absent during the swap
  and present, listing every file with its SHA-256, once the set is whole: a reader that wants a
  whole set reads ``summary.json`` first and checks the run id or the checksums.  (A set kept in a
  versioned subfolder behind a symbolic link would switch in one rename, but every output would then
  be a link into a hidden folder, which copies, ZIP archives, Windows shares and Excel treat
  unevenly; the files stay plain files.)
- A run killed in the middle of its swap leaves a journal; the next run into the folder finishes
  that swap before anything else, so the folder again holds one whole set.  An error in the middle
  of a swap (a file that cannot be replaced) puts the previous set back.
- Files are flushed to the disk (``fsync``) before the swap, so a power cut after it does not leave
  empty files behind their names.

Any ``OSError`` while the set is written (disk full, read-only file system, no permission, a file
too large) becomes one :class:`~redline.zones.errors.RedlineError` naming the file and the cause
(:func:`output_error`), with a Chinese text in its ``zh`` attribute.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import shutil
import signal
import threading
import time
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from redline.checks.outputs.set_swap import (
    JOURNAL,
    LOCK,
    STAGING_PREFIX,
    SUMMARY,
    clear_stale,
    folder_lock,
    hold_lock,
    previous_files,
    swap,
    write_json,
)
from redline.zones.errors import RedlineError, param_ref

__all__ = ["OutputSet", "new_run_id", "output_error", "output_folder", "unwritable"]

#: The parameter that names the output folder in errors (``--out`` on the command line).
PARAM = "out"

#: errno -> (cause in Chinese, what to do in English, what to do in Chinese).
_ADVICE: dict[int, tuple[str, str, str]] = {
    errno.ENOSPC: ("磁盘空间不足", "free some space or choose another folder", "请释放磁盘空间或另选文件夹"),
    errno.EDQUOT: ("超出磁盘配额", "free some space or choose another folder", "请释放磁盘空间或另选文件夹"),
    errno.EFBIG: ("文件超出大小限制", "choose another folder", "请另选文件夹"),
    errno.EROFS: ("只读文件系统", "choose a writable folder", "请另选可写的文件夹"),
    errno.EACCES: ("没有写入权限", "choose a writable folder", "请另选可写的文件夹"),
    errno.EPERM: ("不允许的操作", "choose a writable folder", "请另选可写的文件夹"),
}
_OTHER = ("", "choose another folder", "请另选文件夹")


def new_run_id() -> str:
    """Return a new run id: the UTC time and 8 random hex digits (sorts by time).

    Examples
    --------
    >>> len(new_run_id()), new_run_id()[8]
    (25, 'T')
    """
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(4)


def output_error(exc: OSError, path: Path, folder: Path | None = None) -> RedlineError:
    """Return the error for an output that cannot be written: the path, the cause and what to do.

    Parameters
    ----------
    exc : OSError
        What the system said.
    path : Path
        The file (or folder) that could not be written.
    folder : Path, optional
        The output folder, when ``path`` is the folder itself (the message then says "into").

    Returns
    -------
    RedlineError
        ``param="out"``, ``value`` the path; its ``zh`` attribute holds the message in Chinese
        (with the same parameter mark, see :func:`~redline.zones.errors.render_refs`).

    Examples
    --------
    >>> err = output_error(OSError(errno.ENOSPC, "No space left on device"), Path("out/sites.csv"))
    >>> print(err)
    out: cannot write 'out/sites.csv' (No space left on device); free some space or choose another folder
    >>> print(err.zh)
    ⟨out⟩：无法写入 'out/sites.csv'（磁盘空间不足：No space left on device），请释放磁盘空间或另选文件夹
    """
    cause = exc.strerror or str(exc) or type(exc).__name__
    cause_zh, advice, advice_zh = _ADVICE.get(exc.errno or 0, _OTHER)
    where = f"into '{path}'" if folder is not None and path == folder else f"'{path}'"
    return RedlineError(
        f"{param_ref(PARAM)}: cannot write {where} ({cause}); {advice}",
        param=PARAM,
        value=str(path),
        zh=f"{param_ref(PARAM)}：无法写入 '{path}'（{cause_zh + '：' if cause_zh else ''}{cause}），{advice_zh}",
    )


def unwritable(out: Path, exc: OSError) -> RedlineError:
    """Return the error for an output folder whose files cannot be written (see :func:`output_error`).

    Examples
    --------
    >>> print(unwritable(Path("out"), PermissionError(13, "Permission denied")))
    out: cannot write into 'out' (Permission denied); choose a writable folder
    """
    return output_error(exc, out, out)


def output_folder(out_dir: str | Path) -> Path:
    """Return the output folder as a Path, created when missing.

    Raises
    ------
    RedlineError
        When it cannot be created (``param="out"``).

    Examples
    --------
    >>> output_folder("out").is_dir()
    True
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        err = RedlineError(
            f"{param_ref(PARAM)}: cannot create folder '{out}' ({exc.strerror}); choose a writable folder",
            param=PARAM,
            value=str(out),
            zh=f"{param_ref(PARAM)}：无法创建文件夹 '{out}'（{exc.strerror}），请另选可写的文件夹",
        )
        raise err from None
    return out


class _Signals:
    """While a set is written, SIGTERM, SIGHUP and SIGINT raise (so the staging folder goes, as on an error).

    Only in the main thread, and only for signals whose handler is Python's default (an
    application's own handler is left alone).  SIGINT raises :class:`KeyboardInterrupt`, SIGTERM
    and SIGHUP :class:`SystemExit` with 128 + the signal's number.  During the swap a signal waits
    until the swap is through.
    """

    def __init__(self) -> None:
        self._saved: dict[int, Any] = {}
        self._deferring = False
        self._pending: int | None = None

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for name, default in (
            ("SIGTERM", signal.SIG_DFL),
            ("SIGHUP", signal.SIG_DFL),
            ("SIGINT", signal.default_int_handler),
        ):
            number = getattr(signal, name, None)
            if number is not None and signal.getsignal(number) is default:
                self._saved[number] = signal.signal(number, self._handle)

    def restore(self) -> None:
        for number, handler in self._saved.items():
            signal.signal(number, handler)
        self._saved.clear()

    def _handle(self, number: int, frame: object) -> None:
        if self._deferring:
            self._pending = number
            return
        self._raise(number)

    @staticmethod
    def _raise(number: int) -> None:
        if number == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + number)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self._pending is not None:
            number, self._pending = self._pending, None
            self._raise(number)


def _digest_and_flush(path: Path) -> str:
    """Return the SHA-256 of a file, after flushing it to the disk."""
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
        os.fsync(fh.fileno())
    return digest


def _flush_folder(folder: Path) -> None:
    """Flush a folder's entries (the renames into it) to the disk, where the system allows."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class OutputSet:
    """Write files into a staging folder and swap them into the output folder as one set.

    Use it as a context manager: leaving it without :meth:`commit` (an error, an interrupt)
    removes the staging folder and leaves the output folder as it was.

    Parameters
    ----------
    out_dir : str or Path
        The output folder; created when missing.
    outputs : collection of str
        The names a set may hold (with ``summary.json``): only these are ever taken away from the
        folder, and only when the previous ``summary.json`` lists them.
    replace : bool
        True (the default): the new set replaces the previous one whole; a file of the previous
        set that the new one does not write leaves the folder.  False: the new files are added
        to (or replace their namesakes among) the folder's files.
    run_id : str, optional
        The run's id (default: :func:`new_run_id`).

    Raises
    ------
    RedlineError
        When the folder cannot be created or written (``param="out"``).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with OutputSet(folder, {"a.txt", "summary.json"}) as files:
    ...     with files.writing("a.txt") as path:
    ...         _ = path.write_text("new")
    ...     [p.name for p in files.commit({"tool": "redline-checker", "files": []})]
    ['a.txt', 'summary.json']
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt', 'summary.json']
    """

    def __init__(
        self, out_dir: str | Path, outputs: Collection[str], *, replace: bool = True, run_id: str | None = None
    ) -> None:
        self.out = output_folder(out_dir)
        self.outputs = frozenset(outputs) | {SUMMARY}
        self.replace = replace
        self.run_id = run_id or new_run_id()
        self.staging = self.out / f"{STAGING_PREFIX}{self.run_id}"
        self.names: list[str] = []
        self._lock: int | None = None
        self._signals = _Signals()

    def __enter__(self) -> OutputSet:
        try:
            with folder_lock(self.out):
                clear_stale(self.out, self.outputs)
                self.staging.mkdir()
                self._lock = hold_lock(self.staging / LOCK)
        except OSError as exc:
            self._discard()
            raise unwritable(self.out, exc) from None
        self._signals.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self._signals.restore()
        self._discard()

    def _discard(self) -> None:
        """Remove the staging folder and let go of its lock."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _public(self, path: Path | str | None, name: str) -> Path:
        """Return the path an error names: a staged file by its place in the output folder."""
        if path is None:
            return self.out / name
        path = Path(os.fsdecode(path))
        return self.out / path.name if path.parent == self.staging else path

    @contextlib.contextmanager
    def guard(self, name: str) -> Iterator[None]:
        """Turn an ``OSError`` inside the block into the error naming output ``name`` (:func:`output_error`)."""
        try:
            yield
        except OSError as exc:
            raise output_error(exc, self._public(exc.filename, name)) from None

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        """Yield the staged path of output ``name``; once the block is through, the file is part of the set."""
        with self.guard(name):
            yield self.staging / name
        self.add(name)

    def add(self, name: str) -> None:
        """Count the complete staged file ``name`` in the set (in the order the files were written)."""
        if name not in self.names:
            self.names.append(name)

    def commit(self, summary: dict) -> list[Path]:
        """Write ``summary.json`` and swap the set into the output folder; return the files, ``summary.json`` last.

        ``summary`` gets (in place, keeping its keys' order) ``run_id``, ``files`` (the set's file
        names) and ``sha256`` (each file's checksum, ``summary.json`` aside).
        """
        names = [*self.names, SUMMARY]
        with self.guard(SUMMARY):
            checksums = {name: _digest_and_flush(self.staging / name) for name in self.names}
            summary.update(run_id=self.run_id, files=names, sha256=checksums)
            write_json(self.staging / SUMMARY, summary)
            _digest_and_flush(self.staging / SUMMARY)
        with self.guard(SUMMARY), folder_lock(self.out), self._signals.deferred():
            clear_stale(self.out, self.outputs)  # a swap a killed run began goes through before this one
            leaving = previous_files(self.out, self.outputs) if self.replace else []
            journal = {"run_id": self.run_id, "files": names, "remove": [n for n in leaving if n not in names]}
            write_json(self.staging / JOURNAL, journal)
            swap(self.out, self.staging, journal, backup=True)
            (self.staging / JOURNAL).unlink()  # through: nothing for a later run to finish
            _flush_folder(self.out)
        self._discard()
        return [self.out / name for name in names]
