"""fiona streams, record by record, the FlatGeobuf files whose Arrow stream GDAL gets wrong; the sites are the same."""

from __future__ import annotations

import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from redline.checks.sites.chunks import iter_sites
from redline.checks.sites.fiona_records import fiona_batches, geometry_wkb
from redline.checks.sites.reader import read_sites
from redline.zones.errors import CRSError, SiteError
from tests.checks.test_sites_chunks import assert_same_as_read_sites

WKT = [
    "POINT (109.41 22.41)",
    "POINT Z (109.42 22.42 15)",
    "POINT EMPTY",
    "LINESTRING (109.4 22.4, 109.41 22.41, 109.43 22.4)",
    "POLYGON ((109.4 22.4, 109.41 22.4, 109.41 22.41, 109.4 22.41, 109.4 22.4), "
    "(109.402 22.402, 109.402 22.404, 109.404 22.404, 109.402 22.402))",
    "MULTIPOINT ((109.4 22.4), (109.5 22.5))",
    "MULTILINESTRING ((109.4 22.4, 109.5 22.5), (109.45 22.4, 109.45 22.5))",
    "MULTIPOLYGON (((109.4 22.4, 109.41 22.4, 109.41 22.41, 109.4 22.4)), "
    "((109.5 22.5, 109.51 22.5, 109.51 22.51, 109.5 22.5)))",
    "GEOMETRYCOLLECTION (POINT (109.4 22.4), LINESTRING (109.4 22.4, 109.5 22.5))",
    "POLYGON ((109.4 22.4, 109.41 22.41, 109.41 22.4, 109.4 22.41, 109.4 22.4))",  # bow-tie
]


@pytest.mark.parametrize("wkt", WKT)
def test_geometry_wkb_writes_what_shapely_reads_back_in_2d(wkt):
    geom = shapely.from_wkt(wkt)
    mapping = shapely.geometry.mapping(geom)
    members = None
    if mapping["type"] == "GeometryCollection":
        members = [type("G", (), {"type": g["type"], "coordinates": g["coordinates"]}) for g in mapping["geometries"]]
    wkb = geometry_wkb(mapping["type"], mapping.get("coordinates"), members)
    back = shapely.from_wkb(wkb)
    assert shapely.equals_exact(back, shapely.force_2d(geom), tolerance=0) or (back.is_empty and geom.is_empty)
    assert not back.has_z


def _unindexed(tmp_path, n=40, crs="EPSG:4490", **extra) -> tuple:
    rng = np.random.default_rng(11)
    x, y = 109.40 + rng.uniform(0, 0.2, n), 22.40 + rng.uniform(0, 0.2, n)
    geoms = [shapely.box(a, b, a + 0.001, b + 0.001) for a, b in zip(x, y, strict=True)]
    geoms[3] = shapely.Polygon([(x[3], y[3]), (x[3] + 0.001, y[3] + 0.001), (x[3] + 0.001, y[3]), (x[3], y[3] + 0.001)])
    geoms[5] = None  # the null geometry GDAL's Arrow stream of an unindexed FlatGeobuf cannot take
    geoms[7] = shapely.MultiPolygon([shapely.box(109.5, 22.5, 109.51, 22.51), shapely.box(109.6, 22.6, 109.61, 22.61)])
    geoms[8] = shapely.Point(109.45, 22.45)
    geoms[9] = shapely.LineString([(109.45, 22.45), (109.46, 22.47)])
    table = {
        "XMBH": [f"项目{i}" if i != 12 else None for i in range(n)],
        "NO": np.arange(n, dtype="int64"),
        "HYDM": ["C3360" if i % 2 else None for i in range(n)],
        "DAY": [datetime.date(2024, 1, 1 + i % 28) for i in range(n)],
        **extra,
    }
    sites = gpd.GeoDataFrame(table, geometry=geoms, crs=crs)
    path = tmp_path / "sites.fgb"
    sites.to_file(path, engine="pyogrio", SPATIAL_INDEX="NO")
    return path, sites


@pytest.mark.parametrize("chunk_size", [1, 6, 1000])
def test_unindexed_flatgeobuf_streams_and_equals_read_sites(tmp_path, chunk_size):
    path, _ = _unindexed(tmp_path)
    reader = iter_sites(path, chunk_size=chunk_size)
    assert reader.streamed and reader.total == 40 and reader._source.by_record
    chunks = assert_same_as_read_sites(path, chunk_size, industry_field="HYDM")
    assert [len(c) for c in chunks][:-1] == [chunk_size] * (len(chunks) - 1)
    sites = pd.concat(chunks)
    assert sites.loc[5, "error"] == "row 6 (id 项目5): no geometry"
    assert sites.loc[12, "site_id"] == "13" and sites.loc[7, "status"] == "ok"
    assert "Self-intersection" in sites.loc[3, "error"]
    for on_invalid in ("warn", "fix"):
        assert_same_as_read_sites(path, chunk_size, on_invalid=on_invalid)
    # dates and numbers as columns: the same text as pyogrio gives
    assert_same_as_read_sites(path, chunk_size, id_field="NO", name_field="DAY")


def test_unindexed_flatgeobuf_in_gauss_kruger_and_without_crs(tmp_path):
    _, sites = _unindexed(tmp_path)
    projected = tmp_path / "gk.fgb"
    sites.to_crs("EPSG:4545").to_file(projected, engine="pyogrio", SPATIAL_INDEX="NO")
    assert iter_sites(projected, chunk_size=7).crs_label == "EPSG:4545"
    assert_same_as_read_sites(projected, chunk_size=7)
    bare = tmp_path / "bare.fgb"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        sites.to_crs("EPSG:4545").set_crs(None, allow_override=True).to_file(bare, engine="pyogrio", SPATIAL_INDEX="NO")
    with pytest.raises(CRSError, match=r"'bare\.fgb' has no CRS .*look like EPSG:4545") as info:
        iter_sites(bare, chunk_size=7, near=(108.6, 22.2))
    assert info.value.param == "crs"
    assert_same_as_read_sites(bare, chunk_size=7, crs="EPSG:4545")


def test_repeated_ids_are_found_by_reading_the_id_column_again_through_fiona(tmp_path):
    path, sites = _unindexed(tmp_path, n=30)
    sites.loc[25, "XMBH"] = "项目2"
    sites.to_file(path, engine="pyogrio", SPATIAL_INDEX="NO")
    reader = iter_sites(path, chunk_size=7)
    assert reader.repeated_ids() == ["项目2"]
    with pytest.raises(SiteError, match=r"site ids repeat \(项目2\)"):
        list(reader)
    assert_same_as_read_sites(path, chunk_size=7)


def test_fiona_batches_read_only_the_columns_asked_for(tmp_path):
    path, _ = _unindexed(tmp_path, n=10)
    (df, wkb), *rest = list(fiona_batches(path, batch_size=9, columns=["HYDM"]))
    assert list(df.columns) == ["HYDM"] and len(wkb) == 9 and [len(d) for d, _ in rest] == [1]
    assert wkb[5] is None and shapely.from_wkb(wkb[8]).equals(shapely.Point(109.45, 22.45))
    (df, wkb), _ = list(fiona_batches(path, batch_size=9, columns=["XMBH"], geometry=False))
    assert wkb is None and df["XMBH"].tolist()[:2] == ["项目0", "项目1"]
    (df, _), _ = list(fiona_batches(path, batch_size=9))
    assert list(df.columns) == ["XMBH", "NO", "HYDM", "DAY"]
    assert str(df["DAY"].iloc[0]) == str(read_sites(path, name_field="DAY")[0].loc[0, "name"])
