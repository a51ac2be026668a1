"""A normalised layer kept on disk as columns, opened in milliseconds and read only where it is used.

One store is one folder: the zones' geometry as GeoArrow-style ragged arrays (``coords``, ring,
part and geometry offsets), their bounding boxes and areas as ``.npy`` files, the attribute
columns as one Arrow IPC file, and ``meta.json``.  Every large file is memory-mapped when opened
(small ones are read whole: a map holds a file descriptor while it lives), so a layer of a million
parcels costs the process memory only for the pages a screen actually reads;
the zones' shapely geometries are built only for the zones asked for (:meth:`LayerStore.geometries`).
Whoever screens against the layer may keep arrays of its own beside them (:meth:`LayerStore.put`),
so that indexes are built once per layer, not once per run.

**Verified, never trusted blindly.**  ``meta.json`` holds the key the store was written for and the
size and SHA-256 of each of its files.  A store is verified when it is opened: its key must be the
one asked for, every file listed must be there with its size and, unless the file is unchanged since
it was last verified, its SHA-256.  "Unchanged" is judged by the kernel's change time (``st_ctime``,
which every write, rename, ``touch`` or ``utime`` sets and no user can set back), with the size,
inode and modification time, as recorded in ``verified.json`` after the last full check.  So a
flipped byte, a file swapped in from another store, or a tampered areas file is found on the next
open, and the store is not used (:func:`open_store` returns None, after a warning); a store that
nobody touched is opened without reading its data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import shapely

__all__ = ["STORE_FORMAT", "LayerStore", "StoreDamagedError", "open_store", "write_store"]

#: The layout of a store; a store of another format is not opened.
STORE_FORMAT = 3

_META = "meta.json"
_VERIFIED = "verified.json"
_ATTRIBUTES = "attributes.arrow"
_GEOMETRY = ("coords", "ring_offsets", "part_offsets", "geom_offsets")
_CHUNK = 1 << 22


class StoreDamagedError(Exception):
    """A store on disk does not match its ``meta.json`` (what and where, in the message)."""


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def _save_array(folder: Path, name: str, array: np.ndarray) -> tuple[str, dict[str, Any]]:
    file = f"{name}.npy"
    target = folder / file
    target.parent.mkdir(parents=True, exist_ok=True)
    np.save(target, np.ascontiguousarray(array), allow_pickle=False)
    return file, {"size": target.stat().st_size, "sha256": _digest(target)}


def _ragged(geoms: np.ndarray) -> dict[str, np.ndarray]:
    """Return the zones' rings as multipolygon ragged arrays (every zone a multipolygon of one or more parts)."""
    polys = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(polys)
    filled = polys.copy()
    filled[missing] = shapely.from_wkt("MULTIPOLYGON EMPTY")
    filled = shapely.force_2d(filled)
    multi = shapely.get_type_id(filled) == 6
    single = np.flatnonzero(shapely.get_type_id(filled) == 3)
    if len(single):
        filled[single] = shapely.multipolygons(filled[single], indices=np.arange(len(single)))
    _, coords, offsets = shapely.to_ragged_array(filled)
    ring_offsets, part_offsets, geom_offsets = offsets
    return {
        "coords": np.asarray(coords, dtype=float),
        "ring_offsets": np.asarray(ring_offsets, dtype=np.int64),
        "part_offsets": np.asarray(part_offsets, dtype=np.int64),
        "geom_offsets": np.asarray(geom_offsets, dtype=np.int64),
        "missing": missing,
        "multi": multi,
    }


def write_store(
    folder: str | os.PathLike[str],
    key: str,
    geoms: np.ndarray,
    attributes: pa.Table,
    *,
    meta: Mapping[str, Any] | None = None,
    arrays: Mapping[str, np.ndarray] | None = None,
) -> LayerStore:
    """Write a store for ``key`` into ``folder`` (atomically: a new folder renamed into place).

    Parameters
    ----------
    folder : path
        The store's folder; an existing store there is replaced.
    key : str
        What the store holds (the cache key of the sources and options it was made from).
    geoms : array of shapely (multi)polygons
        The zones, in the order of ``attributes``' rows; None for a zone without geometry.
    attributes : pyarrow.Table
        One row per zone (``zone_id``, ``zone_name``, ``zone_class`` and the source's attributes).
    meta : mapping, optional
        More to keep in ``meta.json`` (the source CRS, encoding, warnings ...).
    arrays : mapping of name to array, optional
        More arrays to keep from the start (the zones' areas, ...).

    Returns
    -------
    LayerStore
        The store, opened.

    Examples
    --------
    >>> import tempfile, pyarrow as pa
    >>> from shapely import box
    >>> folder = Path(tempfile.mkdtemp()) / "entry"
    >>> zones = np.array([box(109, 22, 109.1, 22.1), None], dtype=object)
    >>> store = write_store(folder, "k1", zones, pa.table({"zone_id": ["A", "B"]}))
    >>> store.n, store.geometries(np.array([0]))[0].bounds, store.missing.tolist()
    (2, (109.0, 22.0, 109.1, 22.1), [False, True])
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        ragged = _ragged(geoms)
        files: dict[str, dict[str, Any]] = {}
        bounds = shapely.bounds(np.asarray(geoms, dtype=object))
        for name, array in {**ragged, "bounds": bounds, **(arrays or {})}.items():
            file, info = _save_array(staging, name, array)
            files[file] = info
        with pa.OSFile(str(staging / _ATTRIBUTES), "wb") as sink, pa.ipc.new_file(sink, attributes.schema) as writer:
            writer.write_table(attributes)
        files[_ATTRIBUTES] = {"size": (staging / _ATTRIBUTES).stat().st_size, "sha256": _digest(staging / _ATTRIBUTES)}
        document = {"format": STORE_FORMAT, "key": key, "n": len(attributes), "files": files, **dict(meta or {})}
        (staging / _META).write_text(json.dumps(document, ensure_ascii=False, sort_keys=True), "utf-8")
        _mark_verified(staging, files)
        if folder.exists():
            try:  # another process wrote the same store meanwhile: keep theirs (its readers may be using it)
                return LayerStore(folder, _verify(folder, key))
            except (StoreDamagedError, OSError, ValueError):
                shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    store = open_store(folder, key)
    if store is None:  # (just written: only a concurrent writer could spoil it)
        raise StoreDamagedError(f"store {folder} could not be read back after writing")
    return store


def _mark_verified(folder: Path, files: Mapping[str, Any]) -> None:
    stamps = {file: _stamp(folder / file) for file in files}
    tmp = folder / f".{_VERIFIED}.tmp"
    tmp.write_text(json.dumps(stamps, sort_keys=True), "utf-8")
    os.replace(tmp, folder / _VERIFIED)


def _verify(folder: Path, key: str) -> dict[str, Any]:
    """Return the store's meta after checking it against ``key`` and its files; raise StoreDamagedError."""
    try:
        meta = json.loads((folder / _META).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreDamagedError(f"{_META} unreadable ({exc})") from None
    if meta.get("format") != STORE_FORMAT:
        raise StoreDamagedError(f"format {meta.get('format')!r}, not {STORE_FORMAT}")
    if meta.get("key") != key:
        raise StoreDamagedError("it holds another layer (its key differs)")
    try:
        stamps = json.loads((folder / _VERIFIED).read_text("utf-8"))
    except (OSError, ValueError):
        stamps = {}
    changed = False
    for file, info in meta["files"].items():
        path = folder / file
        try:
            stamp = _stamp(path)
        except OSError:
            raise StoreDamagedError(f"file {file} is missing") from None
        if stamp[0] != info["size"]:
            raise StoreDamagedError(f"file {file} has {stamp[0]} bytes, not {info['size']}")
        if stamps.get(file) != stamp:
            if _digest(path) != info["sha256"]:
                raise StoreDamagedError(f"file {file} does not match its checksum")
            changed = True
    if changed or set(stamps) != set(meta["files"]):
        with contextlib.suppress(OSError):
            _mark_verified(folder, meta["files"])
    return meta


def open_store(folder: str | os.PathLike[str], key: str) -> LayerStore | None:
    """Open and verify the store in ``folder`` for ``key``; None when there is none or it is damaged.

    A damaged store (see the module notes) is reported in one warning and removed, so that the
    caller rebuilds it from the sources; it is never used.
    """
    folder = Path(folder)
    if not (folder / _META).is_file():
        return None
    try:
        meta = _verify(folder, key)
        return LayerStore(folder, meta)
    except (StoreDamagedError, OSError, ValueError) as exc:
        warnings.warn(
            f"layer cache entry {folder.name} is damaged ({exc}); it is rebuilt from the sources",
            UserWarning,
            stacklevel=2,
        )
        shutil.rmtree(folder, ignore_errors=True)
        return None


#: Files larger than this are memory-mapped; smaller ones are read whole (a map holds a descriptor while it lives).
_MAP_FROM_BYTES = 4 << 20


class LayerStore:
    """An opened, verified store (see :func:`write_store`): arrays memory-mapped, geometries built on demand."""

    def __init__(self, folder: Path, meta: dict[str, Any]) -> None:
        self.folder = folder
        self.meta = meta
        self.n = int(meta["n"])
        self._arrays: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"LayerStore({str(self.folder)!r}, n={self.n})"

    def _size(self, file: str) -> int:
        """Return a file's size as the verified meta records it."""
        return int(self.meta["files"][file]["size"])

    def has(self, name: str) -> bool:
        """Return True when the store holds array ``name``."""
        return f"{name}.npy" in self.meta["files"]

    def array(self, name: str) -> np.ndarray:
        """Return array ``name``, read-only: memory-mapped when large (pages read as they are used), else read whole."""
        found = self._arrays.get(name)
        if found is None:
            path = self.folder / f"{name}.npy"
            # A memory map holds a file descriptor as long as the array lives; small arrays are read whole, so
            # a process holding many layers does not run out of descriptors.
            mode = "r" if self._size(path.name) > _MAP_FROM_BYTES else None
            found = np.load(path, mmap_mode=mode, allow_pickle=False)
            if mode is None:
                found.flags.writeable = False
            self._arrays[name] = found
        return found

    def put(self, arrays: Mapping[str, np.ndarray]) -> None:
        """Keep more arrays in the store (checksummed like the rest); an existing name is replaced."""
        files = dict(self.meta["files"])
        for name, array in arrays.items():
            file, info = _save_array(self.folder, name, array)
            files[file] = info
            self._arrays.pop(name, None)
        meta = {**self.meta, "files": files}
        tmp = self.folder / f".{_META}.tmp"
        tmp.write_text(json.dumps(meta, ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(tmp, self.folder / _META)
        self.meta = meta
        _mark_verified(self.folder, files)

    def attributes(self, columns: Iterable[str] | None = None) -> pa.Table:
        """Return the attribute table (memory-mapped Arrow IPC), optionally only some columns."""
        path = self.folder / _ATTRIBUTES
        if self._size(_ATTRIBUTES) > _MAP_FROM_BYTES:
            source = pa.memory_map(str(path), "r")
        else:
            source = pa.py_buffer(path.read_bytes())
        table = pa.ipc.open_file(source).read_all()
        return table.select(list(columns)) if columns is not None else table

    @property
    def missing(self) -> np.ndarray:
        """True for zones without geometry."""
        return np.asarray(self.array("missing"), dtype=bool)

    @property
    def bounds(self) -> np.ndarray:
        """The zones' bounding boxes (xmin, ymin, xmax, ymax), NaN for zones without geometry."""
        return self.array("bounds")

    def frame(self):
        """Build the whole layer as a GeoDataFrame in EPSG:4490 (attributes, then ``geometry``)."""
        import geopandas as gpd

        frame = self.attributes().to_pandas()
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(self.geometries(), crs="EPSG:4490"), crs="EPSG:4490")

    def geometries(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Build the shapely geometries of zones ``idx`` (all when None), as polygons or multipolygons.

        Each comes back as the type it was written as (a polygon, or a multipolygon of any parts).
        """
        coords, rings, parts, geoms = (self.array(name) for name in _GEOMETRY)
        idx = np.arange(self.n) if idx is None else np.asarray(idx, dtype=np.int64)
        out = np.full(len(idx), None, dtype=object)
        if len(idx) == 0:
            return out
        g0, g1 = geoms[idx], geoms[idx + 1]
        p_count = g1 - g0
        part_ids = _ranges(g0, p_count)
        r0, r1 = parts[part_ids], parts[part_ids + 1]
        r_count = r1 - r0
        ring_ids = _ranges(r0, r_count)
        c0, c1 = rings[ring_ids], rings[ring_ids + 1]
        c_count = c1 - c0
        coord_ids = _ranges(c0, c_count)
        new_rings = np.r_[0, np.cumsum(c_count)]
        new_parts = np.r_[0, np.cumsum(r_count)]
        new_geoms = np.r_[0, np.cumsum(p_count)]
        built = shapely.from_ragged_array(
            shapely.GeometryType.MULTIPOLYGON, np.asarray(coords[coord_ids]), (new_rings, new_parts, new_geoms)
        )
        one = (p_count == 1) & ~np.asarray(self.array("multi"), dtype=bool)[idx]
        out[:] = built
        if one.any():
            out[one] = shapely.get_geometry(built[one], 0)
        out[self.missing[idx]] = None
        return out


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(starts[k], starts[k] + counts[k])`` for every k."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(counts)), counts)
    return np.asarray(starts, dtype=np.int64)[owner] + (
        np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    )
