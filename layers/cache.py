"""An on-disk cache of normalised zone layers, keyed by their sources' fingerprints, opened not rebuilt.

A province's permanent basic farmland is millions of parcels; reading it from a shapefile,
decoding GBK and reprojecting from Gauss-Kruger takes far longer than opening the normalised
result.  Each normalised layer is kept as a :class:`~redline.layers.store.LayerStore`: its zones'
coordinates, ring offsets, bounding boxes and geodesic areas as memory-mapped arrays and its
attributes as an Arrow file, so that opening a cached layer of a million parcels takes
milliseconds and the process pays memory only for the zones a screen reads; the screening engine
keeps its indexes of the layer in the same store, built once.

Each entry is keyed by everything that shapes the layer: the sha256 of the source file(s) (or the
content digest a PostGIS server computes), the manifest entry (fields, class map, encoding, CRS,
geometry policy), the manifest's default CRS and the tool version.  Any change gives a new key, so
a stale entry is never used; old entries are simply left behind (``redline cache clear`` or
deleting the folder removes them).  An entry is verified when it is opened (its key, and each
file's size and SHA-256; see :mod:`redline.layers.store`): a damaged, swapped or tampered entry is
reported once, removed and rebuilt from the sources, never used.  Confidential layers
(``confidential: true``, 涉密) are never cached: their geometry is not copied into the cache folder.

The folder is ``$REDLINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/redline-checker``, else
``~/.cache/redline-checker``.  ``REDLINE_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from redline.layers.geodesy import geodesic_areas
from redline.layers.layerset import ZoneLayer
from redline.layers.store import LayerStore, open_store, write_store
from redline.zones.cache_folder import cache_dir, cache_enabled
from redline.zones.errors import RedlineError

__all__ = [
    "cache_dir",
    "cache_enabled",
    "cache_key",
    "clear_cache",
    "read_zone_layer_cached",
    "store_layer",
]

#: Part of every key: 3 since layers are kept as memory-mapped stores (2: GeoParquet without empty parts).
_FORMAT = 3


def cache_key(parts: dict[str, Any]) -> str:
    """Return a stable hex key for everything that shapes a normalised layer.

    Examples
    --------
    >>> k = cache_key({"fingerprint": "sha256:ab", "kind": "water_source"})
    >>> len(k), k == cache_key({"kind": "water_source", "fingerprint": "sha256:ab"})
    (64, True)
    """
    from redline._version import __version__

    payload = json.dumps({"format": _FORMAT, "tool": __version__, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _entry(key: str) -> Path:
    return cache_dir() / "layers" / key


def store_layer(key: str, layer: ZoneLayer, meta: dict[str, Any]) -> LayerStore | None:
    """Keep a normalised layer (and its zones' geodesic areas) as the store of entry ``key``.

    Failures (a read-only home, a full disk, attributes Arrow cannot hold) leave no entry and are
    otherwise ignored: the layer is then simply read from its source next time.
    """
    if not cache_enabled():
        return None
    import pyarrow as pa

    gdf = layer.gdf
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    areas = layer.zone_areas if layer.zone_areas is not None else geodesic_areas(geoms)
    try:
        attributes = pa.Table.from_pandas(gdf.drop(columns=gdf.geometry.name), preserve_index=False)
        return write_store(_entry(key), key, geoms, attributes, meta=meta, arrays={"areas": np.asarray(areas, float)})
    except (OSError, pa.ArrowException, ValueError, TypeError):
        shutil.rmtree(_entry(key), ignore_errors=True)
        return None


def clear_cache() -> int:
    """Delete every cached layer; return how many entries were removed."""
    folder = cache_dir() / "layers"
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
        else:  # (entries of earlier formats: <key>.parquet and its companions)
            path.unlink(missing_ok=True)
    return removed


def _spec_parts(spec, default_crs) -> dict[str, Any]:
    from pyproj import CRS

    def crs_text(crs) -> str:
        if crs is None or isinstance(crs, str):
            return str(crs)
        return CRS.from_user_input(crs).to_wkt()

    return {
        "kind": spec.kind,
        "path": str(spec.path) if spec.path is not None else spec.source_label,
        "source_sql": spec.postgis.sql if spec.postgis is not None else None,
        "layer": spec.layer,
        "id_field": spec.id_field,
        "name_field": spec.name_field,
        "class_field": spec.class_field,
        "class_map": dict(sorted(spec.class_map.items())),
        "encoding": spec.encoding,
        "crs": crs_text(spec.crs),
        "default_crs": crs_text(default_crs),
        "on_invalid": spec.on_invalid,
        "confidential": bool(getattr(spec, "confidential", False)),
    }


def _source_fingerprint(spec) -> str:
    """Return the fingerprint of a layer's source: its files' sha256, or a PostGIS server's content digest."""
    from redline.layers.fingerprint import fingerprint

    if spec.postgis is None:
        return fingerprint(spec.path)
    from redline.layers.postgis import postgis_fingerprint
    from redline.layers.reader import postgis_arguments

    return postgis_fingerprint(spec.postgis.url, **postgis_arguments(spec))


def _layer_from_store(spec, store: LayerStore, source_fp: str, access: Any, access_fp: str) -> ZoneLayer:
    meta = store.meta
    return ZoneLayer(
        kind=spec.kind,
        path=spec.path,
        source_label=spec.source_label,
        sensitive_area=spec.sensitive_area,
        gdf=None,
        store=store,
        zone_areas=store.array("areas"),
        fingerprint=source_fp,
        source_crs=meta["source_crs"],
        layer=spec.layer,
        encoding=meta.get("encoding"),
        encoding_note=meta.get("encoding_note", ""),
        repaired=list(meta.get("repaired", [])),
        access_list=spec.access_list,
        access=access,
        access_fingerprint=access_fp,
    )


def read_zone_layer_cached(spec, default_crs=None, problems: list[str] | None = None):
    """Read one manifest layer through the cache: a hit opens the stored layer instead of reading the source.

    Only layers that loaded without problems are stored; the warnings a first read gave
    (repairs, approximate datum) are stored too and given again on every hit.  A confidential
    layer (``confidential: true``) is always read from its source and never stored: the cache
    folder is ordinary user space, and a 涉密 layer's geometry must not be copied there.

    Returns
    -------
    ZoneLayer or None
        As :func:`redline.layers.reader.read_zone_layer`.
    """
    from redline.layers.reader import _read_access_list, read_zone_layer

    own = problems if problems is not None else []
    if not cache_enabled():
        return read_zone_layer(spec, default_crs, own)
    try:
        source_fp = _source_fingerprint(spec)
    except (OSError, RedlineError):  # (read_zone_layer reports it)
        return read_zone_layer(spec, default_crs, own)
    parts = {"fingerprint": source_fp, **_spec_parts(spec, default_crs)}
    if parts["confidential"]:
        # 涉密: never written to the cache folder (shared user space), never read from it; an entry
        # this source left while it was not confidential is removed
        shutil.rmtree(_entry(cache_key({**parts, "confidential": False})), ignore_errors=True)
        return read_zone_layer(spec, default_crs, own)
    key = cache_key(parts)
    store = open_store(_entry(key), key)
    if store is not None:
        access, access_fp = _read_access_list(spec, own)
        if access is None and spec.access_list is not None:
            return None
        for message in store.meta.get("warnings", []):
            warnings.warn(message, UserWarning, stacklevel=3)
        return _layer_from_store(spec, store, source_fp, access, access_fp)
    n_before = len(own)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = read_zone_layer(spec, default_crs, own)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if layer is not None and len(own) == n_before:
        layer.zone_areas = geodesic_areas(np.asarray(layer.gdf.geometry.array))
        meta = {
            "source_crs": layer.source_crs,
            "encoding": layer.encoding,
            "encoding_note": layer.encoding_note,
            "repaired": layer.repaired,
            "warnings": messages,
        }
        store = store_layer(key, layer, meta)
        if store is not None:
            layer.store = store
    return layer
