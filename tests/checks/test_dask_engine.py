"""The Dask engine gives the local engine's result, row for row, on a local cluster of two worker processes."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import shapely

pytest.importorskip("distributed")
pytest.importorskip("dask_geopandas")

import dask_geopandas
from distributed import Client, LocalCluster

from redline.checks import dask_screen as dask_engine
from redline.checks import read_sites, screen_sites, sites_from_geometries, write_outputs
from redline.checks.dask_screen import screen_sites_dask
from redline.layers import load_layerset, sample_dir
from redline.zones.errors import LayerError


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def layers():
    return load_layerset("sample")


@pytest.fixture(scope="module")
def public_folder(tmp_path_factory):
    """The sample with its confidential forest park made public: a confidential layer is never shipped."""
    folder = tmp_path_factory.mktemp("public") / "layers"
    shutil.copytree(sample_dir(), folder)
    manifest = folder / "layerset.yaml"
    manifest.write_text(manifest.read_text("utf-8").replace("confidential: true", "confidential: false"), "utf-8")
    return folder


@pytest.fixture(scope="module")
def public_layers(public_folder):
    return load_layerset(public_folder)


@pytest.fixture(scope="module")
def sites(layers):
    """The sample sites, 400 random points and 60 random squares over the sample region, and error rows."""
    sample, _ = read_sites(sample_dir() / "sites.geojson")
    x0, y0, x1, y1 = np.concatenate([layer.gdf.total_bounds for layer in layers.layers]).reshape(-1, 4).T
    box = (x0.min(), y0.min(), x1.max(), y1.max())
    rng = np.random.default_rng(3)
    pts = shapely.points(rng.uniform(box[0], box[2], 400), rng.uniform(box[1], box[3], 400))
    cx, cy = rng.uniform(box[0], box[2], 60), rng.uniform(box[1], box[3], 60)
    size = rng.uniform(0.001, 0.03, 60)
    squares = shapely.box(cx, cy, cx + size, cy + size)
    bowtie = shapely.Polygon([(109.4, 22.4), (109.5, 22.5), (109.5, 22.4), (109.4, 22.5), (109.4, 22.4)])
    geoms = np.array([*pts, *squares, bowtie, None], dtype=object)
    extra = sites_from_geometries(
        geoms,
        "EPSG:4490",
        site_ids=[f"R{i:04d}" for i in range(len(geoms))],
        industry="C3360",
        tags="discharges_wastewater",
    )
    both = pd.concat([sample, extra], ignore_index=True)
    return both.set_geometry("geometry", crs="EPSG:4490")


def _assert_same(a, b, *, check_dtype: bool = True) -> None:
    """Sites and findings equal row by row: every column, and the geometry by its WKB."""
    for name in ("sites", "findings"):
        x, y = getattr(a, name), getattr(b, name)
        assert list(x.columns) == list(y.columns)
        assert x.index.equals(y.index)
        pd.testing.assert_frame_equal(
            pd.DataFrame(x.drop(columns="geometry")),
            pd.DataFrame(y.drop(columns="geometry")),
            check_exact=True,
            check_dtype=check_dtype,
        )
        assert x.crs == y.crs
        wkb = lambda g: shapely.to_wkb(np.asarray(g.geometry.array, dtype=object))  # noqa: E731
        assert (wkb(x) == wkb(y)).all(), name
    assert a.access_lists == b.access_lists


def test_loaded_on_the_workers_same_as_local(client, layers, sites, tmp_path):
    local = screen_sites(sites, layers, buffer_m=1000)
    assert (local.sites["status"] == "error").sum() == 2
    assert len(local.findings) > 500 and local.findings["relation"].nunique() == 3
    result = screen_sites_dask(sites, layers, scheduler=client, npartitions=5, buffer_m=1000)
    assert result.meta["engine"] == "dask"
    assert result.meta["layers_on_workers"] == "loaded"
    assert result.meta["npartitions"] == 5
    _assert_same(result, local)
    # and the files a batch writes are byte for byte the same
    write_outputs(local, tmp_path / "local", formats=["csv"])
    write_outputs(result, tmp_path / "dask", formats=["csv"])
    for name in ("sites.csv", "findings.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_shipped_layers_and_options_same_as_local(client, public_layers, sites):
    layers = public_layers
    options = {"buffer_m": 0, "nearby": "all", "lang": "en", "meta": {"source": "test"}}
    local = screen_sites(sites, layers, **options)
    result = screen_sites_dask(sites, layers, scheduler=client, npartitions=3, ship_layers=True, **options)
    assert result.meta["layers_on_workers"] == "shipped"
    assert result.meta["source"] == "test" and result.meta["buffer_m"] == 0
    _assert_same(result, local)
    assert set(result.findings["relation"]) == {"inside", "overlaps"}
    # a second run (the next chunk of a stream) with the same client and layer set sends nothing again
    sent = {key: held[1].key for key, held in dask_engine._SHIPPED.items()}
    again = screen_sites_dask(sites.iloc[:40], layers, scheduler=client, ship_layers=True, **options)
    assert {key: held[1].key for key, held in dask_engine._SHIPPED.items()} == sent
    _assert_same(again, screen_sites(sites.iloc[:40], layers, **options))


def test_a_manifest_path_and_a_dask_geopandas_frame(client, layers, sites):
    local = screen_sites(sites, layers, buffer_m=500, nearby="all")
    seen = []
    parts = dask_geopandas.from_geopandas(sites, npartitions=4, sort=False)  # project objects become strings
    result = screen_sites_dask(
        parts, "sample", scheduler=client, buffer_m=500, nearby="all", progress=lambda done, total: seen.append(done)
    )
    assert result.meta["npartitions"] == 4
    assert seen[-1] == len(sites) and seen == sorted(seen)
    _assert_same(result, local, check_dtype=False)  # text columns keep the dtype Dask gave them


def test_workers_holding_other_layer_files_are_refused(client, public_folder, tmp_path):
    folder = tmp_path / "layers"
    shutil.copytree(public_folder, folder)
    here = load_layerset(folder)
    (folder / "basin.geojson").write_text(
        (folder / "basin.geojson").read_text("utf-8") + "\n", "utf-8"
    )  # the files change after this machine loaded them: the workers would see others
    sites = sites_from_geometries([shapely.Point(109.4, 22.45)], "EPSG:4490")
    with pytest.raises(LayerError, match="differ"):
        screen_sites_dask(sites, here, scheduler=client, ship_layers=False)
    shipped = screen_sites_dask(sites, here, scheduler=client)  # by default: shipped instead
    assert shipped.meta["layers_on_workers"] == "shipped"
    _assert_same(shipped, screen_sites(sites, here))


def test_layers_without_a_manifest_cannot_be_loaded_by_workers(client, public_layers):
    layers = public_layers
    from dataclasses import replace

    adrift = replace(layers, path=None)
    sites = sites_from_geometries([shapely.Point(109.4, 22.45)], "EPSG:4490")
    with pytest.raises(LayerError, match="ship"):
        screen_sites_dask(sites, adrift, scheduler=client, ship_layers=False)
    result = screen_sites_dask(sites, adrift, scheduler=client)
    assert result.meta["layers_on_workers"] == "shipped"
    _assert_same(result, screen_sites(sites, layers))


def test_no_sites(client, layers, sites):
    empty = sites.iloc[:0]
    result = screen_sites_dask(empty, layers, scheduler=client)
    assert len(result.sites) == 0 and len(result.findings) == 0
