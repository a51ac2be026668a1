"""An on-disk cache of normalised zone layers, keyed by their sources' fingerprints.

A province's permanent basic farmland is millions of parcels; reading it from a
shapefile, decoding GBK and reprojecting from Gauss-Kruger takes far longer than
reading the normalised result back from GeoParquet.  Each normalised layer is stored
under a key made of everything that shapes it: the sha256 of the source file(s) and of
the access-list table, the manifest entry (fields, class map, encoding, CRS, geometry
policy), the manifest's default CRS and the tool version.  Any change gives a new key,
so a stale entry is never used; old entries are simply left behind (``redline cache
clear`` or deleting the folder removes them).  Beside each layer the cache keeps the geodesic
area of every zone (``<key>.areas.npy``), measured once when the entry is made: screening a
polygon site that covers whole zones takes their areas from it.  Confidential layers (``confidential: true``,
涉密) are never cached: their geometry is not copied into the cache folder.

The folder is ``$REDLINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/redline-checker``, else
``~/.cache/redline-checker``.  ``REDLINE_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from redline.layers.geodesy import geodesic_areas
from redline.layers.layerset import ZoneLayer, ZoneRings
from redline.zones.errors import RedlineError

__all__ = [
    "cache_dir",
    "cache_enabled",
    "cache_key",
    "clear_cache",
    "load_cached",
    "load_cached_areas",
    "read_zone_layer_cached",
    "store_cached",
]

#: Part of every key; 2 since the reader drops empty parts (an entry of 1 may hold some: reading it back crashes).
_FORMAT = 2


def cache_enabled() -> bool:
    """Return False when ``REDLINE_NO_CACHE`` is set to a true value."""
    return os.environ.get("REDLINE_NO_CACHE", "").strip().lower() not in ("1", "true", "yes", "on")


def cache_dir() -> Path:
    """Return the cache folder (not created)."""
    if os.environ.get("REDLINE_CACHE_DIR"):
        return Path(os.environ["REDLINE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "redline-checker"


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


_SUFFIXES = (".parquet", ".json", ".areas.npy")


def _read_polygons(path: Path) -> tuple[gpd.GeoDataFrame, ZoneRings] | None:
    """Read an entry of polygons (GeoArrow ``polygon`` encoding), and keep their coordinate and ring arrays.

    The polygons are built from the file's coordinate and ring arrays; the screening engine takes
    the zones' vertices (for locating point sites) from the same arrays, since taking them off a
    million polygons again takes longer than reading the layer.  None for other entries.
    """
    geo = json.loads((pq.read_schema(path).metadata or {}).get(b"geo", b"{}"))
    column = geo.get("columns", {}).get("geometry", {})
    if geo.get("primary_column") != "geometry" or column.get("encoding") != "polygon":
        return None
    table = pq.read_table(path)
    polygons = table.column("geometry").combine_chunks()
    if polygons.null_count or polygons.offset:
        return None
    rings = polygons.values
    points = rings.values
    geom_offsets = np.asarray(polygons.offsets, dtype=np.int64)
    ring_offsets = np.asarray(rings.offsets, dtype=np.int64)
    coords = np.column_stack([points.field("x").to_numpy(), points.field("y").to_numpy()])
    geoms = shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords, (ring_offsets, geom_offsets))
    crs = CRS.from_json_dict(column["crs"]) if "crs" in column else "OGC:CRS84"
    frame = table.drop_columns(["geometry"]).to_pandas()
    frame.insert(table.column_names.index("geometry"), "geometry", gpd.GeoSeries(geoms, crs=crs).values)
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
    return gdf, ZoneRings(coords, ring_offsets, geom_offsets)


def load_cached(key: str) -> tuple[gpd.GeoDataFrame, dict[str, Any]] | None:
    """Return the cached (layer, metadata) for ``key``, or None when absent or unreadable."""
    entry = _load_entry(key)
    return None if entry is None else entry[:2]


def _load_entry(key: str) -> tuple[gpd.GeoDataFrame, dict[str, Any], ZoneRings | None] | None:
    """:func:`load_cached`, and the zones' coordinate and ring arrays when the entry holds polygons (else None)."""
    if not cache_enabled():
        return None
    folder = cache_dir() / "layers"
    data, meta = folder / f"{key}.parquet", folder / f"{key}.json"
    if not (data.is_file() and meta.is_file()):
        return None
    try:
        metadata = json.loads(meta.read_text("utf-8"))
        polygons = _read_polygons(data)
        if polygons is None:
            return gpd.read_parquet(data), metadata, None
        return polygons[0], metadata, polygons[1]
    except Exception:  # a damaged cache entry is a miss, never an error
        return None


def load_cached_areas(key: str, n: int) -> np.ndarray | None:
    """Return the zones' areas (m²) stored with entry ``key``, or None when absent, unreadable or not ``n``."""
    path = cache_dir() / "layers" / f"{key}.areas.npy"
    try:
        areas = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return areas if areas.shape == (n,) and areas.dtype == np.float64 else None


def _encoding(gdf: gpd.GeoDataFrame) -> str:
    """GeoArrow (read back without parsing WKB, about twice as fast) when every geometry has one type.

    GeoArrow stores one geometry type per column, so a layer mixing polygons and multipolygons
    keeps WKB, which gives back exactly the types it was given.
    """
    types = set(gdf.geometry.geom_type.dropna().unique())
    return "geoarrow" if len(types) == 1 and gdf.geometry.notna().all() else "WKB"


def store_cached(key: str, gdf: gpd.GeoDataFrame, meta: dict[str, Any], areas: np.ndarray | None = None) -> None:
    """Store a normalised layer (and its zones' areas, m²); failures (read-only home, full disk) are ignored.

    The areas are written before the layer, so an entry that is found always has them.
    """
    if not cache_enabled():
        return
    folder = cache_dir() / "layers"
    writers = [(".areas.npy", lambda p: np.save(p, np.asarray(areas, dtype=np.float64)))] if areas is not None else []
    writers += [
        (".parquet", lambda p: gdf.to_parquet(p, index=False, geometry_encoding=_encoding(gdf))),
        (".json", lambda p: p.write_text(json.dumps(meta, ensure_ascii=False, default=str), "utf-8")),
    ]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for suffix, write in writers:
            fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=suffix, dir=folder)
            os.close(fd)
            try:
                write(Path(tmp))
                os.replace(tmp, folder / f"{key}{suffix}")
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    except OSError:
        return


def clear_cache() -> int:
    """Delete every cached layer; return how many entries were removed."""
    folder = cache_dir() / "layers"
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.name.endswith(_SUFFIXES):
            path.unlink(missing_ok=True)
            removed += path.suffix == ".parquet"
    return removed


def _forget(key: str) -> None:
    """Delete one cache entry, if it is there."""
    folder = cache_dir() / "layers"
    for suffix in _SUFFIXES:
        with contextlib.suppress(OSError):
            (folder / f"{key}{suffix}").unlink(missing_ok=True)


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
    from redline.layers.reader import source_columns

    pg = spec.postgis
    return postgis_fingerprint(
        pg.url,
        table=pg.table,
        sql=pg.sql,
        geometry_column=pg.geometry_column,
        password_env=pg.password_env,
        columns=source_columns(spec),
        layer=spec.where,
    )


def read_zone_layer_cached(spec, default_crs=None, problems: list[str] | None = None):
    """Read one manifest layer through the cache: a hit skips reading, decoding and reprojecting.

    Only layers that loaded without problems are stored; the warnings a first read gave
    (repairs, approximate datum) are stored too and given again on every hit.  A confidential
    layer (``confidential: true``) is always read from its source and never stored: the cache
    folder is ordinary user space, and a 涉密 layer's geometry must not be copied there.

    Returns
    -------
    ZoneLayer or None
        As :func:`layers.reader.read_zone_layer`.
    """
    import warnings

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
        _forget(cache_key({**parts, "confidential": False}))
        return read_zone_layer(spec, default_crs, own)
    key = cache_key(parts)
    hit = _load_entry(key)
    if hit is not None:
        gdf, meta, rings = hit
        access, access_fp = _read_access_list(spec, own)
        if access is None and spec.access_list is not None:
            return None
        for message in meta.get("warnings", []):
            warnings.warn(message, UserWarning, stacklevel=3)
        return ZoneLayer(
            kind=spec.kind,
            path=spec.path,
            source_label=spec.source_label,
            sensitive_area=spec.sensitive_area,
            gdf=gdf,
            zone_areas=load_cached_areas(key, len(gdf)),
            zone_rings=rings,
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
    n_before = len(own)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = read_zone_layer(spec, default_crs, own)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if layer is not None and len(own) == n_before:
        layer.zone_areas = geodesic_areas(np.asarray(layer.gdf.geometry.array))
        store_cached(
            key,
            layer.gdf,
            {
                "source_crs": layer.source_crs,
                "encoding": layer.encoding,
                "encoding_note": layer.encoding_note,
                "repaired": layer.repaired,
                "warnings": messages,
            },
            layer.zone_areas,
        )
    return layer
