"""Shared fixtures: layer sets built from geometry whose answers are known by construction."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    """Keep the layer cache of the test run in a fresh folder of its own (inherited by CLI subprocesses)."""
    import tempfile

    os.environ["REDLINE_CACHE_DIR"] = tempfile.mkdtemp(prefix="redline-test-cache-")


def pytest_report_header(config):
    from redline.checks.app.versions import versions

    v = versions()
    return [f"redline-checker {v['redline-checker']}: GEOS {v['GEOS']}, PROJ {v['PROJ']}, GDAL {v['GDAL']}"]


def write_layerset(
    folder: Path,
    layers: dict[str, list[tuple]],
    *,
    fmt: str = "gpkg",
    name: str = "test layers",
    extra: dict[str, dict] | None = None,
    top: dict | None = None,
) -> Path:
    """Write a layer set with one file per kind; return the manifest path.

    ``layers`` maps kind -> list of (zone_id, zone_class, geometry) in EPSG:4490.
    """
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    driver = {"gpkg": "GPKG", "geojson": "GeoJSON", "shp": "ESRI Shapefile", "fgb": "FlatGeobuf"}[fmt]
    for kind, rows in layers.items():
        gdf = gpd.GeoDataFrame(
            {"ZID": [r[0] for r in rows], "ZNAME": [f"{r[0]} 区" for r in rows], "ZCLASS": [r[1] for r in rows]},
            geometry=[r[2] for r in rows],
            crs="EPSG:4490",
        )
        path = folder / f"{kind}.{fmt}"
        gdf.to_file(path, driver=driver, engine="pyogrio")
        entry = {"kind": kind, "path": path.name, "id_field": "ZID", "name_field": "ZNAME"}
        if any(r[1] for r in rows):
            entry["class_field"] = "ZCLASS"
        entry.update((extra or {}).get(kind, {}))
        entries.append(entry)
    manifest = folder / "layerset.yaml"
    manifest.write_text(yaml.safe_dump({"name": name, **(top or {}), "layers": entries}, allow_unicode=True), "utf-8")
    return manifest


@pytest.fixture
def make_layerset(tmp_path):
    """Return a function building and loading a layer set from (id, class, geometry) rows."""
    from redline.layers import load_layerset

    def build(layers: dict[str, list[tuple]], fmt: str = "gpkg"):
        return load_layerset(write_layerset(tmp_path / f"layers-{fmt}", layers, fmt=fmt))

    return build


def run_cli(*args: str, cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run ``redline`` in a subprocess (the installed console script's module)."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "redline.checks.app.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"redline {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc
