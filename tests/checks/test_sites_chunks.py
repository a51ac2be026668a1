"""iter_sites: the chunks of a file put together are exactly what read_sites returns."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook

from redline.checks.sites.chunks import _IdHashes, iter_sites
from redline.checks.sites.reader import read_sites
from redline.layers import sample_dir
from redline.zones.errors import CRSError, SiteError

RNG = np.random.default_rng(7)


def _read_both(path, chunk_size=7, **kwargs):
    """read_sites and iter_sites on one file: (result or error, warnings) of each."""
    out = []
    for read in (lambda: read_sites(path, **kwargs), lambda: iter_sites(path, chunk_size=chunk_size, **kwargs)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                got = read()
                if not isinstance(got, tuple):
                    chunks = list(got)
                    got = (chunks, got.crs_label)
            except (SiteError, CRSError) as exc:
                got = exc
        out.append((got, [str(w.message) for w in caught]))
    return out


def assert_same_as_read_sites(path, chunk_size=7, **kwargs) -> list[gpd.GeoDataFrame]:
    (whole, whole_warnings), (chunked, chunk_warnings) = _read_both(path, chunk_size, **kwargs)
    assert chunk_warnings == whole_warnings
    if isinstance(whole, Exception):
        assert type(chunked) is type(whole) and str(chunked) == str(whole)
        return []
    sites, label = whole
    chunks, chunk_label = chunked
    assert chunk_label == label
    assert all(len(c) <= chunk_size for c in chunks)
    got = pd.concat(chunks)
    pd.testing.assert_frame_equal(got.drop(columns="project"), sites.drop(columns="project"))
    assert got["project"].tolist() == sites["project"].tolist()
    assert [c.attrs for c in chunks] == [sites.attrs] * len(chunks)
    return chunks


def _points_table(n: int) -> pd.DataFrame:
    lon = 109.40 + RNG.uniform(0, 0.2, n)
    lat = 22.40 + RNG.uniform(0, 0.2, n)
    df = pd.DataFrame(
        {
            "编号": [f"P{i:03d}" for i in range(n)],
            "项目名称": [f"项目{i}" for i in range(n)],
            "经度": [f"{v:.6f}" for v in lon],
            "纬度": [f"{v:.6f}" for v in lat],
            "行业代码": ["C3360" if i % 3 else "" for i in range(n)],
            "tags": ["heavy_metal" if i % 5 == 0 else "" for i in range(n)],
        }
    )
    df.loc[3, "经度"] = "abc"  # chunk 1: not a number
    df.loc[11, "编号"] = ""  # chunk 2: id from the row number
    df.loc[16, ["经度", "纬度"]] = df.loc[16, ["纬度", "经度"]].to_numpy()  # chunk 3: one swapped row
    df.loc[20, "经度"] = "109°27'00\""  # DMS
    df.loc[25, "行业代码"] = "Z999"  # chunk 4: unknown industry (the site is kept in the screen)
    df.loc[30, "纬度"] = ""  # chunk 5
    return df


def test_csv_chunks_equal_read_sites_with_global_row_numbers_and_ids(tmp_path):
    path = tmp_path / "sites.csv"
    _points_table(40).to_csv(path, index=False)
    chunks = assert_same_as_read_sites(path, chunk_size=7)
    assert [len(c) for c in chunks] == [7, 7, 7, 7, 7, 5]
    sites = pd.concat(chunks)
    assert sites.loc[11, "site_id"] == "12"  # the row number, counted from the top of the file
    assert sites.loc[16, "error"].startswith("row 18: ")  # file line 18 (header is line 1)
    # (issue 16: an unknown code keeps its row in the screen, its project naming the code)
    assert sites.loc[25, "status"] == "ok" and sites.loc[25, "industry"] == "Z999"
    assert sites.loc[25, "project"].unknown_industries == ("Z999",) and "Z999" in sites.loc[25, "project"].notes[0]
    assert sites.loc[30, "error"].startswith("row 32: 经度='") and sites.loc[30, "error"].endswith(
        "纬度='' are not numbers"
    )
    assert (sites["status"] == "error").sum() == 3
    assert iter_sites(path, chunk_size=7).total == 40


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
def test_gbk_semicolon_csv_and_field_options(tmp_path, chunk_size):
    path = tmp_path / "gbk.csv"
    _points_table(40).to_csv(path, index=False, sep=";", encoding="gbk")
    assert_same_as_read_sites(path, chunk_size, name_field="项目名称", industry="C3360", tags=["heavy_metal"])
    assert_same_as_read_sites(path, chunk_size, id_field="项目名称", action="expand")


def _wkt_table(n: int) -> pd.DataFrame:
    rows = []
    for i in range(n):
        x, y, d = 109.45 + 0.003 * i, 22.45, 0.002
        wkt = f"POLYGON (({x} {y}, {x + d} {y}, {x + d} {y + d}, {x} {y + d}, {x} {y}))"
        kind = i % 9
        if kind == 1:
            wkt = f"POLYGON (({x} {y}, {x + d} {y + d}, {x + d} {y}, {x} {y + d}, {x} {y}))"  # bow-tie
        elif kind == 2:
            wkt = f"POLYGON (({x} {y}, {x + d} {y}, {x + d} {y + d}, {x} {y + d}))"  # ring not closed
        elif kind == 3:
            wkt = "POLYGON EMPTY"
        elif kind == 4:
            wkt = "not wkt"
        elif kind == 5:
            wkt = ""
        elif kind == 6:
            wkt = f"LINESTRING ({x} {y}, {x + d} {y + d})"
        rows.append({"site_id": f"W{i}", "wkt": wkt, "industry": "C3360"})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("on_invalid", ["raise", "warn", "fix"])
def test_wkt_csv_invalid_geometry_policies_give_one_warning_for_the_file(tmp_path, on_invalid):
    path = tmp_path / "wkt.csv"
    _wkt_table(30).to_csv(path, index=False)
    chunks = assert_same_as_read_sites(path, chunk_size=4, on_invalid=on_invalid)
    assert len(chunks) == 8


def test_xlsx_chunks_equal_read_sites(tmp_path):
    path = tmp_path / "sites.xlsx"
    table = pd.DataFrame(
        {
            "编号": ["a", "b", "NA", 5, 6.5, None, "g", "h"],
            "经度": [109.41, "109.42", "109.43", None, 109.44, 109.45, "109°27'", 109.46],
            "纬度": [22.41, 22.42, 22.43, 22.44, 22.45, 22.46, 22.47, 22.48],
            "行业": ["C3360", "", None, "H6210", "", "", "", "C3360"],
        }
    )
    table.to_excel(path, index=False)
    book = load_workbook(path)
    sheet = book.active
    sheet.insert_rows(4)  # a blank row in the middle is a row; blank rows at the end are not
    sheet.cell(row=14, column=1).value = None
    book.save(path)
    chunks = assert_same_as_read_sites(path, chunk_size=3)
    assert sum(len(c) for c in chunks) == 9


def _vector_sites(n: int) -> gpd.GeoDataFrame:
    x = 109.40 + RNG.uniform(0, 0.2, n)
    y = 22.40 + RNG.uniform(0, 0.2, n)
    geoms = [shapely.box(a, b, a + 0.001, b + 0.001) for a, b in zip(x, y, strict=True)]
    geoms[3] = shapely.Polygon([(x[3], y[3]), (x[3] + 0.001, y[3] + 0.001), (x[3] + 0.001, y[3]), (x[3], y[3] + 0.001)])
    ids = [f"项目{i}" for i in range(n)]
    ids[9] = None
    return gpd.GeoDataFrame(
        {"XMBH": ids, "名称": [f"名{i}" for i in range(n)], "HYDM": ["C3360" if i % 2 else None for i in range(n)]},
        geometry=geoms,
        crs="EPSG:4490",
    )


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "fgb"])
def test_gis_files_stream_in_arrow_batches(tmp_path, fmt):
    sites = _vector_sites(30)
    if fmt != "fgb":
        sites.loc[5, "geometry"] = None  # a FlatGeobuf with a spatial index holds no null geometry
    path = tmp_path / f"sites.{fmt}"
    sites.to_file(path, engine="pyogrio", **({"encoding": "gbk"} if fmt == "shp" else {}))
    if fmt == "shp":
        path.with_suffix(".cpg").unlink(missing_ok=True)  # GBK detected, as read_sites does
    chunks = assert_same_as_read_sites(path, chunk_size=7, industry_field="HYDM")
    assert len(chunks) == 5
    reader = iter_sites(path, chunk_size=7)
    assert reader.streamed and reader.total == 30
    if fmt == "shp":
        assert "gbk" in reader.encoding_note.lower() or "gb18030" in reader.encoding_note.lower()
    assert_same_as_read_sites(path, chunk_size=7, on_invalid="fix")


def test_projected_gpkg_and_the_sample_sites(tmp_path):
    path = tmp_path / "projected.gpkg"
    _vector_sites(12).to_crs("EPSG:4545").to_file(path, engine="pyogrio")
    assert_same_as_read_sites(path, chunk_size=5)
    assert_same_as_read_sites(sample_dir() / "sites.geojson", chunk_size=7)


def test_flatgeobuf_without_spatial_index_streams_record_by_record_through_fiona(tmp_path):
    sites = _vector_sites(10)
    sites.loc[2, "geometry"] = None  # GDAL's Arrow stream of such a file breaks on null geometries
    path = tmp_path / "noindex.fgb"
    sites.to_file(path, engine="pyogrio", SPATIAL_INDEX="NO")
    reader = iter_sites(path, chunk_size=4)
    assert reader.streamed and reader.total == 10
    assert len(assert_same_as_read_sites(path, chunk_size=4, industry_field="HYDM")) == 3
    assert_same_as_read_sites(path, chunk_size=3, on_invalid="fix")


def test_repeated_ids_in_different_chunks_are_named_as_read_sites_names_them(tmp_path):
    table = _points_table(30)
    table.loc[25, "编号"] = "P002"
    table.loc[28, "编号"] = "4"  # the row-number id of row 4, whose cell is empty
    table.loc[3, "编号"] = ""
    path = tmp_path / "dupes.csv"
    table.to_csv(path, index=False)
    assert_same_as_read_sites(path, chunk_size=7)
    with pytest.raises(SiteError, match=r"dupes.csv: site ids repeat \(4, P002\)"):
        list(iter_sites(path, chunk_size=7))
    assert iter_sites(path, chunk_size=7).repeated_ids() == ["4", "P002"]
    gis = _vector_sites(20)
    gis.loc[17, "XMBH"] = "项目1"
    gis.to_file(tmp_path / "dupes.gpkg", engine="pyogrio")
    assert_same_as_read_sites(tmp_path / "dupes.gpkg", chunk_size=6)


def test_id_hashes_find_repeats_across_runs_and_stay_few():
    seen = _IdHashes()
    for start in range(0, 64_000, 1000):
        assert not seen.add([f"S{i}" for i in range(start, start + 1000)])
    assert len(seen.runs) <= 7  # merged like a binary counter: at most log2(64) + 1 runs
    assert sum(len(r) for r in seen.runs) == 64_000
    assert seen.add(["new", "S12345"])
    assert seen.add(["twice", "twice"])


def test_whole_file_problems(tmp_path):
    swapped = tmp_path / "swapped.csv"
    pd.DataFrame({"lon": [22.41 + i / 100 for i in range(20)], "lat": [109.4] * 20}).to_csv(swapped, index=False)
    assert_same_as_read_sites(swapped, chunk_size=6)  # every row swapped: found after the last chunk
    with pytest.raises(SiteError, match="look swapped: every row"):
        list(iter_sites(swapped, chunk_size=6))
    partly = tmp_path / "partly.csv"
    pd.DataFrame({"lon": [22.41, 109.4, 109.5], "lat": [109.4, 22.41, 22.5]}).to_csv(partly, index=False)
    assert_same_as_read_sites(partly, chunk_size=1)
    projected = tmp_path / "projected.csv"
    pd.DataFrame({"x": [500000.0, 510000.0], "y": [2480000.0, 2490000.0]}).to_csv(projected, index=False)
    assert_same_as_read_sites(projected, chunk_size=1)
    with pytest.raises(CRSError, match="not longitude/latitude"):
        iter_sites(projected, chunk_size=1).__iter__().__next__()
    assert_same_as_read_sites(projected, chunk_size=1, crs="EPSG:4545")
    long_row = tmp_path / "long.csv"
    long_row.write_text("site_id,lon,lat\nA,109.4,22.4\nB,109.5,22.5,9\n", encoding="utf-8")
    assert_same_as_read_sites(long_row, chunk_size=1)
    header = tmp_path / "header.csv"
    header.write_text("site_id,lon,lat\n", encoding="utf-8")
    assert [len(c) for c in assert_same_as_read_sites(header)] == [0]
    for name, text in (("empty.csv", ""), ("nocoords.csv", "a,b\n1,2\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert_same_as_read_sites(tmp_path / name)
    assert_same_as_read_sites(tmp_path / "missing.csv")
    assert_same_as_read_sites(tmp_path / "header.csv", id_field="nope")
