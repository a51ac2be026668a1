"""Swap a staged output set into the output folder; finish or clear what killed runs left behind.

The low half of :mod:`redline.checks.outputs.output_set`: the staging folder and its lock, the
journal that makes a swap resumable, the swap itself, and the clearing of stale staging folders.

A staging folder ``OUT/.redline-staging-<run id>/`` holds a lock file (``.lock``), locked with
``flock`` by the run writing into it for as long as it lives; the kernel drops the lock when the
process ends, however it ends (SIGKILL included), so a staging folder whose lock is free belongs
to no live run.  Creating a staging folder and clearing stale ones both happen under a lock on
``OUT`` itself, so a run never takes a folder being created for a stale one.

A swap starts by writing the journal (``.commit.json``: the run id, the files of the new set in
order, ``summary.json`` last, and the files of the previous set to take away) into the staging
folder; from then on the swap is finished by whichever run comes next, should this one be killed
half-way (:func:`clear_stale`).  The steps (:func:`swap`), each an atomic rename:

1. the previous ``summary.json`` leaves the folder (from here until step 3 the folder says, by
   having no ``summary.json``, that its set is not whole);
2. the files of the previous set that the new set does not write leave the folder;
3. every new file replaces its namesake (``os.replace``: a reader opens the old file or the new
   one, never half of one), ``summary.json`` last.

In a live run the files that leave are moved into ``.previous/`` of the staging folder, and the
files that are replaced keep a hard link there, until the swap is through, so an error in the
middle of it puts the previous set back (:func:`swap` with ``backup``).

On a file system without ``flock`` (some network shares) a staging folder cannot be told dead
from live: it is then left in place (a hidden folder, safe to delete by hand when no run is
writing).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows: an open lock file cannot be deleted, which tells the same)
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "JOURNAL",
    "LOCK",
    "STAGING_PREFIX",
    "SUMMARY",
    "clear_stale",
    "folder_lock",
    "hold_lock",
    "previous_files",
    "read_journal",
    "swap",
    "write_json",
]

STAGING_PREFIX = ".redline-staging-"
LOCK = ".lock"
JOURNAL = ".commit.json"
SUMMARY = "summary.json"
_BACKUP = ".previous"


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` itself (none where the file system has no locks).

    Examples
    --------
    >>> import tempfile
    >>> with folder_lock(Path(tempfile.mkdtemp())):
    ...     pass
    """
    if fcntl is None:  # pragma: no cover
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):  # (a file system without locks: go on without)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def hold_lock(path: Path) -> int:
    """Create the lock file ``path`` and lock it for this process; return its descriptor (close it to let go)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise
        except OSError:  # a file system without locks: the folder is taken as live while its lock file is there
            pass
    return fd


def _held(path: Path) -> bool:
    """Whether a live process holds the lock file ``path`` (False when it is missing)."""
    if fcntl is None:  # pragma: no cover
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except PermissionError:
            return True
        return False
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return True  # cannot tell: leave it
    finally:
        os.close(fd)
    return False


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as indented UTF-8 JSON (a new line at the end) into ``path``."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_journal(staging: Path) -> dict | None:
    """Return the journal of a swap begun in ``staging``, or None when none was begun (or it is unreadable)."""
    try:
        journal = json.loads((staging / JOURNAL).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(journal, dict):
        return None
    files, remove = journal.get("files"), journal.get("remove")
    if not (_plain_names(files) and _plain_names(remove)):
        return None
    return journal


def _plain_names(names: object) -> bool:
    """Whether ``names`` is a list of plain file names (no folder, not hidden)."""
    return isinstance(names, list) and all(
        isinstance(n, str) and n and Path(n).name == n and not n.startswith(".") for n in names
    )


def previous_files(out: Path, known: Collection[str]) -> list[str]:
    """Return the files of the set now in ``out``: the names its ``summary.json`` lists, of ``known`` names.

    Only a file that a ``summary.json`` of this tool lists is taken for part of a previous set; any
    other file (the user's own ``map.html`` in a folder never written by this tool) is left alone.
    """
    try:
        summary = json.loads((out / SUMMARY).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(summary, dict) or summary.get("tool") != "redline-checker":
        return []
    files = summary.get("files")
    if not isinstance(files, list):
        return []
    return [n for n in files if isinstance(n, str) and n in known and n != SUMMARY]


def _take_out(path: Path, backup: Path | None, undo: list[Callable[[], object]]) -> None:
    """Take ``path`` out of the folder (into ``backup`` when given); missing is fine."""
    if backup is None:
        path.unlink(missing_ok=True)
        return
    kept = backup / path.name
    try:
        os.replace(path, kept)
    except FileNotFoundError:
        return
    undo.append(lambda: os.replace(kept, path))


def _put_in(staged: Path, target: Path, backup: Path | None, undo: list[Callable[[], object]]) -> None:
    """Move ``staged`` over ``target`` in one rename (keeping a hard link of the old one in ``backup``)."""
    if not staged.exists():  # moved in already (a swap resumed)
        return
    existed, kept = target.exists(), None
    if backup is not None and existed:
        kept = backup / target.name
        try:
            os.link(target, kept)
        except OSError:  # (no hard links on this file system: that file cannot be put back)
            kept = None
    os.replace(staged, target)
    if kept is not None:
        undo.append(lambda: os.replace(kept, target))
    elif backup is not None and not existed:
        undo.append(lambda: os.replace(target, staged))


def swap(out: Path, staging: Path, journal: dict, backup: bool = False) -> None:
    """Move the staged set into ``out`` as the journal says (see the module notes); resumable.

    Parameters
    ----------
    out : Path
        The output folder.
    staging : Path
        The staging folder holding the new files (those already moved in are skipped).
    journal : dict
        ``files`` (the new set, ``summary.json`` last) and ``remove`` (the previous set's files
        the new one does not write).
    backup : bool
        Keep what leaves the folder in ``staging/.previous`` and put it all back if a step fails.
    """
    if not (staging / SUMMARY).exists():  # summary.json moves last: with it gone, the swap was through
        return
    keep = None
    if backup:
        keep = staging / _BACKUP
        keep.mkdir(exist_ok=True)
    undo: list[Callable[[], object]] = []
    try:
        _take_out(out / SUMMARY, keep, undo)
        for name in journal["remove"]:
            _take_out(out / name, keep, undo)
        for name in journal["files"]:
            _put_in(staging / name, out / name, keep, undo)
    except BaseException:
        for step in reversed(undo):
            with contextlib.suppress(OSError):
                step()
        raise


#: Temporary files of earlier versions, which wrote each file under a hidden name beside it.
_OLD_TEMPORARY = re.compile(r"^\.(?P<name>[^/]+?)\.[A-Za-z0-9_]{6,16}(?P<suffix>\.[a-z]+)$")


def _old_temporary(name: str, known: Collection[str]) -> bool:
    """Whether ``name`` is a temporary file an earlier version left for one of the ``known`` outputs."""
    match = _OLD_TEMPORARY.match(name)
    return bool(match and match["name"] in known and match["name"].endswith(match["suffix"]))


def clear_stale(out: Path, known: Collection[str] = ()) -> list[str]:
    """Finish or remove what killed runs left in ``out``; return the names of the folders and files removed.

    Call it holding :func:`folder_lock` on ``out``.  A staging folder whose lock no live process
    holds is stale: when its swap had begun (a journal), the swap is finished first, so the folder
    holds that run's whole set; then the staging folder is removed.  Temporary files that earlier
    versions left beside the ``known`` outputs (``.sites.csv.<hex>.csv``) are removed too.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / ".redline-staging-killed").mkdir()
    >>> _ = (out / ".sites.csv.8f3a2b1c9d0e.csv").write_text("half")
    >>> clear_stale(out, known={"sites.csv"}), sorted(out.iterdir())
    (['.redline-staging-killed', '.sites.csv.8f3a2b1c9d0e.csv'], [])
    """
    removed = []
    for entry in sorted(os.scandir(out), key=lambda e: e.name):
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir(follow_symlinks=False):
            staging = Path(entry.path)
            if _held(staging / LOCK):
                continue
            journal = read_journal(staging)
            if journal is not None:
                with contextlib.suppress(OSError):
                    swap(out, staging, journal)
            shutil.rmtree(staging, ignore_errors=True)
            removed.append(entry.name)
        elif _old_temporary(entry.name, known) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed
