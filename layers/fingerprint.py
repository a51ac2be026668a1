"""Fingerprints of zone-layer sources: sha256 over the bytes of every file of a source."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["fingerprint", "source_files"]

#: Shapefile sidecars that change what is read.
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def source_files(path: Path) -> list[Path]:
    """Return the files that make up a vector source (a shapefile's sidecars included)."""
    if path.suffix.lower() == ".shp":
        parts = []
        for ext in _SHAPEFILE_PARTS:
            for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
                if candidate.exists():
                    parts.append(candidate)
                    break
        return parts
    return [path]


def fingerprint(path: str | Path) -> str:
    """Return ``"sha256:<hex>"`` over the bytes of every file of the source at ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.geojson"
    >>> _ = p.write_text("{}")
    >>> fp = fingerprint(p)
    >>> fp.startswith("sha256:"), len(fp), fp == fingerprint(p)
    (True, 71, True)
    """
    digest = hashlib.sha256()
    for part in source_files(Path(path)):
        digest.update(part.suffix.lower().encode())
        with open(part, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return "sha256:" + digest.hexdigest()
