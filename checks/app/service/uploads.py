"""Uploaded site files: streamed to disk under a size limit, zip archives unpacked safely.

Nothing a client sends is used as a path.  An upload is saved as ``input<suffix>`` in the
job's folder, keeping only a known suffix of the client's file name.  A zip archive is
checked entry by entry before anything is written (no ``..``, absolute paths, drive letters,
symlinks, encrypted entries, too many files, too much unpacked size or a zip-bomb ratio),
then unpacked while counting the bytes actually written, and the one dataset in it is picked.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from redline.zones.errors import RedlineError

__all__ = [
    "DATASET_SUFFIXES",
    "UPLOAD_SUFFIXES",
    "ArchiveLimits",
    "UploadError",
    "UploadTooLargeError",
    "extract_archive",
    "find_dataset",
    "save_upload",
    "size_text",
    "upload_suffix",
]

#: Suffixes accepted for an uploaded file (``.zip`` holds a shapefile or one other dataset).
UPLOAD_SUFFIXES: tuple[str, ...] = (".zip", ".gpkg", ".geojson", ".json", ".csv", ".xlsx", ".fgb")
#: Suffixes of a dataset inside an archive (a ``.shp`` needs its ``.shx`` and ``.dbf``).
DATASET_SUFFIXES: tuple[str, ...] = (".shp", ".gpkg", ".geojson", ".json", ".csv", ".xlsx", ".fgb")
_SHP_NEEDS = (".shx", ".dbf")
_CHUNK = 1024 * 1024
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


class UploadError(RedlineError):
    """An upload that cannot be used (type, archive, dataset); ``field`` (its ``param``) names the form field."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message, param=field)

    @property
    def field(self) -> str:
        """The form field at fault (``file`` or ``member``)."""
        return self.param


class UploadTooLargeError(UploadError):
    """An upload over the size limit (HTTP 413)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits on a zip archive's content.

    Attributes
    ----------
    max_files : int
        Most entries (files and folders) an archive may hold.
    max_bytes : int
        Most bytes its files may hold once unpacked, declared and actually written.
    max_ratio : float
        Largest unpacked/packed ratio of the whole archive (a zip bomb compresses far better).
    ratio_floor : int
        Archives unpacking to fewer bytes than this are not held to ``max_ratio``
        (small files of blanks compress very well and are harmless).
    """

    max_files: int = 1000
    max_bytes: int = 1024**3
    max_ratio: float = 100.0
    ratio_floor: int = 16 * 1024**2


def size_text(n: int) -> str:
    """Return a size as people read it: ``12.5 MB``, or ``10,000 bytes`` under a megabyte.

    Examples
    --------
    >>> size_text(200 * 1024**2), size_text(10_000)
    ('200.0 MB', '10,000 bytes')
    """
    return f"{n / 1024**2:,.1f} MB" if n >= 1024**2 else f"{n:,} bytes"


def upload_suffix(filename: str | None) -> str:
    """Return the lower-case suffix of a client's file name when it is an accepted type.

    Only the suffix is kept; the rest of the name is never used.

    Raises
    ------
    UploadError
        For a missing name or a suffix not in :data:`UPLOAD_SUFFIXES`.

    Examples
    --------
    >>> upload_suffix("../../etc/地块.GeoJSON")
    '.geojson'
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".shp":
        raise UploadError(
            f"file {name[:80]!r}: a shapefile needs its .shx, .dbf and .prj; zip them together and upload the .zip"
        )
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(
            f"file {name[:80]!r}: unknown file type {suffix or '(no suffix)'!r}; upload one of "
            f"{', '.join(UPLOAD_SUFFIXES)} (a shapefile zipped with its sidecar files)"
        )
    return suffix


def save_upload(source: BinaryIO, target: Path, max_bytes: int) -> int:
    """Copy an upload stream to ``target`` in chunks, stopping once it passes ``max_bytes``.

    Returns
    -------
    int
        The number of bytes written.

    Raises
    ------
    UploadTooLargeError
        When the stream holds more than ``max_bytes``; the partial file is removed.
    """
    written = 0
    try:
        with open(target, "xb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise UploadTooLargeError(f"file: the upload is larger than the limit of {size_text(max_bytes)}")
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return written


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Return why one archive entry is refused, or None."""
    name = info.filename
    if "\x00" in name:
        return "has a NUL character in its name"
    if "\\" in name:
        return "uses '\\' in its path (write the archive with '/' separators)"
    if name.startswith("/"):
        return "is an absolute path"
    if _DRIVE_RE.match(name):
        return "starts with a drive letter"
    if any(part == ".." for part in name.split("/")):
        return "climbs out of the archive ('..')"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and stat.S_IFMT(mode):
        return "is not a regular file"
    if info.flag_bits & 0x1:
        return "is encrypted"
    return None


def _check_entries(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    if len(infos) > limits.max_files:
        raise UploadError(f"file: the archive holds {len(infos):,} entries, more than {limits.max_files:,}")
    problems = [f"{i.filename[:120]!r} {p}" for i in infos if (p := _entry_problem(i))]
    if problems:
        shown = "; ".join(problems[:5]) + (f" and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise UploadError(f"file: the archive is refused: {shown}")
    declared = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if declared > limits.max_bytes:
        raise UploadError(
            f"file: the archive unpacks to {size_text(declared)}, more than {size_text(limits.max_bytes)}"
        )
    if declared > limits.ratio_floor and declared > limits.max_ratio * max(packed, 1):
        raise UploadError(
            f"file: the archive unpacks to {size_text(declared)} from {size_text(packed)} "
            f"(more than {limits.max_ratio:g} times): refused as a zip bomb"
        )


def extract_archive(archive: Path, dest: Path, limits: ArchiveLimits | None = None) -> list[Path]:
    """Unpack a zip archive into ``dest`` safely; return the files written.

    Every entry is checked before anything is written (see the module docstring), then
    files are unpacked in chunks while the bytes are counted, so an entry lying about its
    size cannot write more than the limits.  On any refusal ``dest`` is removed.

    Raises
    ------
    UploadError
        Naming the entry and the reason.
    """
    limits = limits or ArchiveLimits()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadError(f"file: not a readable zip archive ({exc})") from None
    dest.mkdir(parents=True, exist_ok=False)
    root = dest.resolve()
    written: list[Path] = []
    try:
        with zf:
            infos = zf.infolist()
            _check_entries(infos, limits)
            total = packed = 0
            for info in infos:
                target = (root / info.filename).resolve()
                if target != root and root not in target.parents:
                    raise UploadError(f"file: the archive is refused: {info.filename[:120]!r} leaves the folder")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                size = 0
                packed += info.compress_size
                try:
                    with zf.open(info) as src, open(target, "xb") as out:
                        while chunk := src.read(_CHUNK):
                            size += len(chunk)
                            total += len(chunk)
                            if size > info.file_size or total > limits.max_bytes:
                                raise UploadError(
                                    f"file: the archive is refused: {info.filename[:120]!r} unpacks to more than it "
                                    "declares, or past the size limit"
                                )
                            if total > limits.ratio_floor and total > limits.max_ratio * max(packed, 1):
                                raise UploadError(
                                    f"file: the archive is refused: {info.filename[:120]!r} unpacks more than "
                                    f"{limits.max_ratio:g} times its packed size (zip bomb)"
                                )
                            out.write(chunk)
                except FileExistsError:
                    raise UploadError(f"file: the archive holds {info.filename[:120]!r} twice") from None
                except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError, NotImplementedError) as exc:
                    raise UploadError(f"file: cannot unpack {info.filename[:120]!r} ({exc})") from None
                written.append(target)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return written


def _ignored(path: PurePosixPath) -> bool:
    """Operating-system clutter that is never a dataset (``__MACOSX/``, ``._x``, hidden files)."""
    return any(p == "__MACOSX" or p.startswith(".") for p in path.parts)


def find_dataset(files: Iterable[Path], root: Path, member: str | None = None) -> Path:
    """Pick the one dataset among unpacked files.

    Parameters
    ----------
    files : iterable of Path
        Files unpacked under ``root``.
    root : Path
    member : str, optional
        The dataset's path inside the archive, when it holds several.

    Raises
    ------
    UploadError
        When there is none, several (listing them) or a shapefile misses a sidecar file.
    """
    root = root.resolve()
    rel = {PurePosixPath(p.resolve().relative_to(root).as_posix()): p for p in files}
    lower = {str(r).lower() for r in rel}
    found = []
    for r in sorted(rel):
        if _ignored(r) or r.suffix.lower() not in DATASET_SUFFIXES:
            continue
        if r.suffix.lower() == ".shp":
            stem = str(r.with_suffix("")).lower()
            missing = [s for s in _SHP_NEEDS if stem + s not in lower]
            if missing:
                raise UploadError(f"file: the shapefile {str(r)!r} in the archive has no {' or '.join(missing)}")
        found.append(r)
    if member:
        chosen = [r for r in found if str(r) == member.strip().lstrip("/")]
        if not chosen:
            listed = ", ".join(map(str, found)) or "none"
            raise UploadError(
                f"member {member[:120]!r} is not a dataset in the archive; its datasets: {listed}", "member"
            )
        return rel[chosen[0]]
    if not found:
        raise UploadError(
            "file: the archive holds no dataset; put one shapefile (.shp with .shx, .dbf, .prj) or one "
            f"{', '.join(s for s in DATASET_SUFFIXES if s != '.shp')} file in it"
        )
    if len(found) > 1:
        listed = ", ".join(map(str, found[:20])) + (" ..." if len(found) > 20 else "")
        raise UploadError(f"file: the archive holds {len(found)} datasets ({listed}); upload one, or name it in member")
    return rel[found[0]]
