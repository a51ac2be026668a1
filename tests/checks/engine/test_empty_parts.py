"""A zone (or a site) with an empty part, valid for GEOS, loads, screens and comes back from the cache.

``MULTIPOLYGON (EMPTY, ((...)))`` used to kill the process (SIGSEGV) in ``shapely.segmentize`` while
measuring a distance, and again when the cached layer was read back.  Each step runs in a
subprocess of its own, so a crash fails the test instead of ending the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import geopandas as gpd
import pytest
import shapely

from tests.conftest import REPO
from tests.layers._zones import FORMATS

ZONE_WKT = "MULTIPOLYGON (EMPTY, ((108 22, 108.01 22, 108.01 22.01, 108 22.01, 108 22)))"
HOLED_WKT = "MULTIPOLYGON (((108.1 22, 108.11 22, 108.11 22.01, 108.1 22.01, 108.1 22)), EMPTY, EMPTY)"

#: Screens point, line and polygon sites (one with an empty part itself) in both search modes, checks the answers.
SCREEN = textwrap.dedent(
    """
    import sys
    import shapely
    from redline.layers import load_layerset
    from redline.checks.screen import screen_sites
    from redline.checks.sites.reader import sites_from_geometries

    if sys.argv[2] == "cached":  # the layer must come from the cache, not from its source
        import redline.layers.reader as reader

        def refuse(*args, **kwargs):
            raise AssertionError("read from the source, not from the cache")

        reader.read_zone_layer = refuse
    layers = load_layerset(sys.argv[1])
    zones = layers.layers[0].gdf.geometry
    assert not any(shapely.is_empty(part) for zone in zones for part in shapely.get_parts(zone)), zones
    sites = {
        "inside": "POINT (108.005 22.005)",
        "on_edge": "POINT (108.01 22.005)",
        "near": "POINT (108.0145 22.005)",
        "crossing": "LINESTRING (107.995 22.005, 108.005 22.005)",
        "along_edge": "LINESTRING (108.01 22.0, 108.01 22.02)",
        "touching": "POLYGON ((108.01 22.0, 108.02 22.0, 108.02 22.01, 108.01 22.01, 108.01 22.0))",
        "within": "MULTIPOLYGON (EMPTY, ((108.002 22.002, 108.004 22.002, 108.004 22.004, 108.002 22.002)))",
    }
    expected = {
        "inside": ("inside", 0.0), "on_edge": ("inside", 0.0), "near": ("nearby", 464.66),
        "crossing": ("overlaps", 0.0), "along_edge": ("nearby", 0.0), "touching": ("nearby", 0.0),
        "within": ("inside", 0.0),
    }
    table = sites_from_geometries([shapely.from_wkt(w) for w in sites.values()], "EPSG:4490", site_ids=list(sites))
    for nearby in ("nearest", "all"):
        found = screen_sites(table, layers, buffer_m=1000, nearby=nearby).findings
        got = found[found["zone_id"] == "Z-1"].set_index("site_id")
        for site, (relation, metres) in expected.items():
            assert got.loc[site, "relation"] == relation, (nearby, site, got.loc[site, "relation"])
            assert abs(got.loc[site, "distance_m"] - metres) < 0.01, (nearby, site, got.loc[site, "distance_m"])
    print("screened", len(found))
    """
)


def _run(*args: str, cache: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, REDLINE_CACHE_DIR=cache, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-c", SCREEN, *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "fgb"])
def test_zone_with_an_empty_part_loads_screens_and_reloads_from_the_cache(tmp_path, fmt):
    gdf = gpd.GeoDataFrame(
        {"ZID": ["Z-1", "Z-2"], "ZCLASS": ["first", "second"]},
        geometry=[shapely.from_wkt(ZONE_WKT), shapely.from_wkt(HOLED_WKT)],
        crs="EPSG:4490",
    )
    path = tmp_path / f"water.{fmt}"
    gdf.to_file(path, driver=FORMATS[fmt], engine="pyogrio")
    manifest = tmp_path / "layerset.yaml"
    manifest.write_text(
        "name: empty parts\nlayers:\n"
        f"  - {{kind: water_source, path: {path.name}, id_field: ZID, class_field: ZCLASS}}\n",
        "utf-8",
    )
    cache = str(tmp_path / "cache")
    first = _run(str(manifest), "source", cache=cache)
    assert first.returncode == 0, (first.returncode, first.stderr[-3000:])
    assert any((p / "meta.json").is_file() for p in (tmp_path / "cache" / "layers").iterdir())  # (a stored layer)
    again = _run(str(manifest), "cached", cache=cache)
    assert again.returncode == 0, (again.returncode, again.stderr[-3000:])
    assert "screened" in again.stdout
