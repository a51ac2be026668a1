"""Zones whose answers are known by construction, and writers for every vector format.

Three drinking-water source zones near 109.3E 22.3N (the sample region), in EPSG:4490:
a first-level square, a second-level square ring around it (a polygon with a hole, so ring
orientation and holes go through every format) and a quasi zone beside them.  Field names are
the ones of the manifest contract example (SYDBH id, SYDMC name, BHQJB class in Chinese).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import shapely
import yaml
from shapely import Polygon, box

#: file extension -> GDAL driver, the formats a manifest may name.
FORMATS: dict[str, str] = {"gpkg": "GPKG", "shp": "ESRI Shapefile", "geojson": "GeoJSON", "fgb": "FlatGeobuf"}

_FIRST = box(109.300, 22.300, 109.310, 22.310)

#: (zone_id, zone_name, source class value, contract class, geometry in EPSG:4490)
ZONES: list[tuple[str, str, str, str, Polygon]] = [
    ("WS-001", "武利江一级保护区", "一级保护区", "first", _FIRST),
    (
        "WS-002",
        "武利江二级保护区",
        "二级保护区",
        "second",
        Polygon(box(109.290, 22.290, 109.320, 22.320).exterior.coords, [_FIRST.exterior.coords[::-1]]),
    ),
    ("WS-003", "沙埠江准保护区", "准保护区", "quasi", box(109.330, 22.280, 109.350, 22.300)),
]
CLASS_MAP: dict[str, str] = {"一级保护区": "first", "二级保护区": "second", "准保护区": "quasi"}
TRUTH: dict[str, tuple[str, str, Polygon]] = {zid: (name, cls, geom) for zid, name, _, cls, geom in ZONES}


def zones_frame(crs: str = "EPSG:4490") -> gpd.GeoDataFrame:
    """Return the zones with source fields, in ``crs`` (transformed from EPSG:4490)."""
    gdf = gpd.GeoDataFrame(
        {
            "SYDBH": [z[0] for z in ZONES],
            "SYDMC": [z[1] for z in ZONES],
            "BHQJB": [z[2] for z in ZONES],
        },
        geometry=[z[4] for z in ZONES],
        crs="EPSG:4490",
    )
    return gdf if crs == "EPSG:4490" else gdf.to_crs(crs)


def write_source(gdf: gpd.GeoDataFrame, folder: Path, stem: str, fmt: str, **options) -> Path:
    """Write ``gdf`` as ``folder/stem.fmt``; ``options`` go to pyogrio (encoding, creation options)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.{fmt}"
    gdf.to_file(path, driver=FORMATS[fmt], engine="pyogrio", **options)
    return path


def water_entry(path: Path | str, **extra) -> dict:
    """Return a manifest ``layers[]`` entry for the zones written at ``path``."""
    entry = {
        "kind": "water_source",
        "path": Path(path).name,
        "id_field": "SYDBH",
        "name_field": "SYDMC",
        "class_field": "BHQJB",
        "class_map": dict(CLASS_MAP),
    }
    entry.update(extra)
    return entry


def write_manifest(folder: Path, layers: list, **top) -> Path:
    """Write ``folder/layerset.yaml`` with ``layers`` and top-level keys; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"name": "test layers", **top, "layers": layers}
    path = folder / "layerset.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def all_of(*parts: str) -> str:
    """Return a regex (for ``match=``) that needs every literal part, in any order, across lines."""
    return "(?s)" + "".join(f"(?=.*{re.escape(p)})" for p in parts)


def assert_geometry_close(got, want, tol: float) -> None:
    """Assert same type, rings and vertex count, and boundaries within ``tol`` (Hausdorff)."""
    assert got.geom_type == want.geom_type
    assert shapely.get_num_interior_rings(got) == shapely.get_num_interior_rings(want)
    assert shapely.get_num_coordinates(got) == shapely.get_num_coordinates(want)
    assert shapely.hausdorff_distance(got.boundary, want.boundary) <= tol
    assert got.is_valid


def assert_is_truth(gdf: gpd.GeoDataFrame, tol: float) -> None:
    """Assert a loaded layer holds exactly the zones of :data:`ZONES`, geometry within ``tol`` degrees."""
    assert gdf.crs == "EPSG:4490"
    assert list(gdf.columns[:3]) == ["zone_id", "zone_name", "zone_class"]
    by_id = gdf.set_index("zone_id")
    assert sorted(by_id.index) == sorted(TRUTH)
    for zid, (name, cls, geom) in TRUTH.items():
        assert by_id.loc[zid, "zone_name"] == name
        assert by_id.loc[zid, "zone_class"] == cls
        assert_geometry_close(by_id.loc[zid, "geometry"], geom, tol)
