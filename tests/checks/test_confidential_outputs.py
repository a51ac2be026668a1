"""A confidential (涉密) layer is screened against, but no coordinate of it reaches any output.

The confidential zones have distinctive coordinates (109.2123456781 ...), so a search for them in
every file the command line writes cannot match anything else; the findings still give kind, id,
name, relation, area and distance, with values known by construction.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import zipfile
from dataclasses import replace
from html import unescape
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Geod
from shapely import Point, box

from redline.checks import read_sites, screen_sites
from redline.layers import load_layerset, sample_dir
from redline.layers.geodesy import geodesic_area
from redline.maps.zoning_map import write_zoning_map
from redline.zones.errors import RedlineError
from tests.conftest import run_cli, write_layerset

X0, X1 = 109.2123456781, 109.2323456783
Y0, Y1 = 22.3123456785, 22.3323456787
#: the confidential zones: one the sites touch and lie near, one far from every site
SECRET_1 = box(X0, Y0, X1, Y1)
SECRET_2 = box(109.5123456781, 22.6123456783, 109.5223456785, 22.6223456787)
#: a public zone, disjoint from the confidential ones
WATER = box(109.20, 22.28, 109.21, 22.29)

#: site A: a rectangle whose west quarter lies in SECRET_1 (across its east edge); a lon/lat box's
#: geodesic area is proportional to its width in longitude, so the overlap is a quarter of the site
#: (not centred on the edge, so that not even the site's marker sits on the zone's boundary)
SITE_A = box(X1 - 0.001, 22.320, X1 + 0.003, 22.324)
A_INSIDE = box(X1 - 0.001, 22.320, X1, 22.324)
#: site B: a point inside SECRET_1; site C: a point due north of it; site D: in the public zone
SITE_B = Point(109.222, 22.322)
SITE_C = Point(109.222, Y1 + 0.0045)
SITE_D = Point(109.205, 22.285)
GEOD = Geod(ellps="GRS80")


def secret_vertices(zones=(SECRET_1, SECRET_2)) -> np.ndarray:
    return np.unique(shapely.get_coordinates(list(zones)), axis=0)


def vertex_strings(vertices: np.ndarray, roundings=(6, 5), ints: bool = True) -> set[str]:
    """How a vertex's numbers may be written: repr, rounded to 6 and 5 decimals, as 1e-6 integers."""
    out = set()
    for v in vertices.ravel():
        out.add(repr(float(v)))
        for n in roundings:
            out.add(repr(round(float(v), n)))
            out.add(f"{v:.{n}f}")
        if ints:
            out.add(str(round(float(v) * 1_000_000)))
    return out


def text_of(path: Path) -> list[tuple[str, str]]:
    """The text of an output file: itself, or every XML part of a zip (docx, xlsx)."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            parts = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
            return [(f"{path.name}:{n}", unescape(z.read(n).decode("utf-8"))) for n in parts]
    if path.suffix in (".gpkg", ".png", ".pdf"):
        return [(path.name, path.read_bytes().decode("latin-1"))]
    return [(path.name, path.read_text("utf-8-sig"))]


def assert_no_strings(paths, strings: set[str]) -> None:
    for path in paths:
        for where, text in text_of(path):
            found = sorted(s for s in strings if s in text)
            assert not found, f"{where} holds {found[:5]}"


def _points(flat: list[int]) -> np.ndarray:
    return np.cumsum(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0) / 1_000_000


def decode(enc) -> np.ndarray:
    """Coordinates of a geometry as the map runtime gets it (:func:`maps._leaflet.encode_geometry`)."""
    if enc is None:
        return np.zeros((0, 2))
    kind, body = enc
    if kind == 1:
        return _points(body)
    parts = body if kind == 2 else [ring for poly in body for ring in poly]
    return np.vstack([_points(p) for p in parts]) if parts else np.zeros((0, 2))


def map_payload(html: str) -> dict:
    start = html.index("var RC_DATA = ") + len("var RC_DATA = ")
    return json.JSONDecoder().raw_decode(html[start:])[0]


def payload_coordinates(payload: dict) -> np.ndarray:
    """Every coordinate the page can draw: zones, overlaps, sites, rings."""
    found = [np.zeros((0, 2))]
    for z in payload.get("zones") or []:
        found += [decode(f[0]) for f in z["f"]]
    found += [decode(f[0]) for f in (payload.get("overlaps") or {}).get("f", [])]
    sites = payload.get("sites") or {}
    if sites.get("pt"):
        found.append(_points(sites["pt"]))
    found += [decode(g) for g in (sites.get("g") or {}).values()]
    found += [decode(g) for g in ((payload.get("rings") or {}).get("g") or {}).values()]
    return np.vstack(found)


def assert_no_vertex(coords: np.ndarray, vertices: np.ndarray, tol: float) -> None:
    if len(coords) == 0:
        return
    close = (np.abs(coords[:, None, 0] - vertices[None, :, 0]) <= tol) & (
        np.abs(coords[:, None, 1] - vertices[None, :, 1]) <= tol
    )
    assert not close.any(), f"{int(close.any(axis=1).sum())} coordinates are confidential vertices"


# --------------------------------------------------------------------------- the layer set and the run


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("confidential")
    manifest = write_layerset(
        root / "layers",
        {
            "nature_reserve": [("FP-SECRET-A", "general", SECRET_1), ("FP-SECRET-B", "core", SECRET_2)],
            "water_source": [("WS-PUBLIC", "first", WATER)],
        },
        extra={"nature_reserve": {"confidential": True}},
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["A", "B", "C", "D"], "name": ["跨界地块", "区内点", "区外点", "水源地内点"]},
        geometry=[SITE_A, SITE_B, SITE_C, SITE_D],
        crs="EPSG:4490",
    )
    sites.to_file(root / "sites.geojson", driver="GeoJSON", engine="pyogrio")
    return root, manifest


@pytest.fixture(scope="module")
def result(folder):
    root, manifest = folder
    sites, _ = read_sites(root / "sites.geojson")
    return screen_sites(sites, load_layerset(manifest), buffer_m=1000)


@pytest.fixture(scope="module")
def batch_out(folder):
    root, manifest = folder
    out = root / "out"
    proc = run_cli(
        "batch", str(root / "sites.geojson"), "--layers", str(manifest), "--out", str(out), "--formats", "all"
    )
    assert proc.returncode == 0, proc.stderr
    assert not re.search(r"109\.2[13]\d{3}|22\.3[1-3]\d{3}", proc.stdout + proc.stderr)
    return out


def test_findings_still_report_kind_id_name_relation_area_and_distance(result):
    f = result.findings
    secret = f[f["kind"] == "nature_reserve"].set_index("site_id")
    assert sorted(secret.index) == ["A", "B", "C"]  # FP-SECRET-B is far from every site
    assert set(secret["zone_id"]) == {"FP-SECRET-A"} and set(secret["zone_name"]) == {"FP-SECRET-A 区"}
    assert secret.geometry.isna().all()
    sites = result.sites.set_index("site_id")
    a, b, c = secret.loc["A"], secret.loc["B"], secret.loc["C"]
    # a project in a general control area: restricted by the national catch-all NR07
    assert (a["relation"], a["verdict"], a["zone_class"], a["rule_id"]) == ("overlaps", "restricted", "general", "NR07")
    assert a["overlap_area_m2"] == pytest.approx(sites.loc["A", "site_area_m2"] / 4, rel=1e-6)
    assert a["overlap_area_m2"] == pytest.approx(geodesic_area(A_INSIDE), rel=1e-6)
    assert a["overlap_ratio"] == pytest.approx(0.25, rel=1e-6)
    assert a["distance_m"] == 0
    assert (b["relation"], b["distance_m"]) == ("inside", 0)
    north = GEOD.inv(109.222, Y1 + 0.0045, 109.222, Y1)[2]  # due north of the edge: along the meridian
    assert c["relation"] == "nearby" and c["distance_m"] == pytest.approx(north, abs=0.01)
    assert np.isnan(c["overlap_area_m2"])
    d = f[f["site_id"] == "D"].iloc[0]
    assert (d["kind"], d["relation"], d["verdict"]) == ("water_source", "inside", "prohibited")
    assert d.geometry is not None  # a public zone's overlap keeps its geometry
    assert result.confidential_findings().tolist() == (f["kind"] == "nature_reserve").tolist()
    assert result.layerset.confidential_kinds() == ["nature_reserve"]


def test_no_coordinate_of_a_confidential_zone_in_any_batch_output(batch_out):
    names = sorted(p.name for p in batch_out.iterdir())
    assert names == [
        "findings.csv",
        "map.html",
        "report.docx",
        "report.html",
        "results.gpkg",
        "results.xlsx",
        "sites.csv",
        "summary.json",
    ]
    vertices = secret_vertices()
    assert_no_strings([batch_out / n for n in names], vertex_strings(vertices))
    payload = map_payload((batch_out / "map.html").read_text("utf-8"))
    assert_no_vertex(payload_coordinates(payload), vertices, 1.5e-6)
    drawn_ids = {f[1] for z in payload["zones"] for f in z["f"]}
    assert drawn_ids == {"WS-PUBLIC"}  # the public zone is drawn, the confidential ones are not


def test_results_gpkg_has_no_confidential_geometry(batch_out):
    vertices = secret_vertices()
    secret = shapely.union_all([SECRET_1, SECRET_2])
    layers = [name for name, _ in pyogrio.list_layers(batch_out / "results.gpkg")]
    assert sorted(layers) == ["findings", "sites"]
    for layer in layers:
        gdf = gpd.read_file(batch_out / "results.gpkg", layer=layer)
        geoms = gdf.geometry[gdf.geometry.notna()]
        assert_no_vertex(shapely.get_coordinates(geoms.values), vertices, 1e-9)
        if layer == "findings":
            assert gdf.loc[gdf["kind"] == "nature_reserve"].geometry.isna().all()
            assert not shapely.intersects(geoms.values, secret).any()
        else:
            assert set(gdf.loc[shapely.intersects(gdf.geometry.values, secret), "site_id"]) == {"A", "B"}
    with sqlite3.connect(batch_out / "results.gpkg") as db:
        extents = db.execute("select min_x, min_y, max_x, max_y from gpkg_contents").fetchall()
    assert_no_vertex(np.array([[e[0], e[1]] for e in extents] + [[e[2], e[3]] for e in extents]), vertices, 1e-9)


def test_csv_summary_and_reports_keep_the_findings_and_say_confidential(batch_out):
    with open(batch_out / "findings.csv", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == "nature_reserve"]
    assert [(r["site_id"], r["zone_id"], r["zone_name"], r["relation"]) for r in rows] == [
        ("A", "FP-SECRET-A", "FP-SECRET-A 区", "overlaps"),
        ("B", "FP-SECRET-A", "FP-SECRET-A 区", "inside"),
        ("C", "FP-SECRET-A", "FP-SECRET-A 区", "nearby"),
    ]
    assert float(rows[0]["overlap_area_m2"]) == pytest.approx(geodesic_area(A_INSIDE), abs=0.006)
    assert float(rows[0]["overlap_ratio"]) == pytest.approx(0.25, abs=1e-6)
    north = GEOD.inv(109.222, Y1 + 0.0045, 109.222, Y1)[2]
    assert float(rows[2]["distance_m"]) == pytest.approx(north, abs=0.006)
    summary = json.loads((batch_out / "summary.json").read_text("utf-8"))
    assert [(lyr["kind"], lyr["confidential"]) for lyr in summary["layers"]] == [
        ("nature_reserve", True),
        ("water_source", False),
    ]
    assert summary["confidential"]["kinds"] == ["nature_reserve"]
    assert summary["confidential"]["n_findings"] == 3
    assert "自然保护地" in summary["confidential"]["note"]
    report = (batch_out / "report.html").read_text("utf-8")
    assert "自然保护地（涉密，边界不予显示）" in report  # the layers table
    assert report.count("自然保护地（涉密）") == 3  # each finding of it
    assert "涉密图层（自然保护地）：边界不予显示" in report  # under the site maps of A, B and C
    assert "涉密图层（自然保护地）：边界不予显示" in (batch_out / "map.html").read_text("utf-8")
    docx = "".join(text for _, text in text_of(batch_out / "report.docx"))
    assert docx.count("自然保护地（涉密）") == 3 and "涉密图层（自然保护地）：边界不予显示" in docx
    xlsx = "".join(text for _, text in text_of(batch_out / "results.xlsx"))
    assert xlsx.count("自然保护地（涉密）") == 3  # kind_label of each finding
    assert "nature_reserve.gpkg" in xlsx and "含涉密图层（自然保护地）" in xlsx  # the about sheet


def test_zoning_maps_leave_the_confidential_layer_out(folder):
    root, manifest = folder
    vertices = secret_vertices()
    html = root / "zoning.html"
    proc = run_cli("map", str(manifest), "--out", str(html))
    assert proc.returncode == 0, proc.stderr
    text = html.read_text("utf-8")
    assert_no_strings([html], vertex_strings(vertices))
    payload = map_payload(text)
    assert {f[1] for z in payload["zones"] for f in z["f"]} == {"WS-PUBLIC"}
    assert_no_vertex(payload_coordinates(payload), vertices, 1.5e-6)
    assert "涉密图层（自然保护地）：边界不予显示" in text
    layerset = load_layerset(manifest)
    only = write_zoning_map(layerset, root / "only.html", kinds=["nature_reserve"])
    payload = map_payload(only.read_text("utf-8"))
    assert payload["zones"] == [] and "涉密图层（自然保护地）" in only.read_text("utf-8")
    assert_no_strings([only], vertex_strings(vertices))
    # the printed map (.png, and .pdf from the same figure) draws the public zone only: see
    # tests/maps/test_confidential_maps.py, which records what the figure draws
    assert write_zoning_map(layerset, root / "zoning.png", dpi=72).read_bytes().startswith(b"\x89PNG")
    with pytest.raises(RedlineError, match=r"confidential: nature_reserve\.gpkg"):
        write_zoning_map(layerset, root / "only.png", kinds=["nature_reserve"])


def test_sample_demo_writes_nothing_of_the_confidential_forest_park(tmp_path):
    park = gpd.read_file(sample_dir() / "forest_park.geojson").geometry.iloc[0]
    vertices = secret_vertices([park])
    out = tmp_path / "demo"
    # report.html and report.docx are left out here (their site maps take most of a demo's time);
    # the batch above writes every format, and tests/maps covers the reports' site maps
    proc = run_cli("demo", "--out", str(out), "--formats", "csv,gpkg,map,xlsx")
    assert proc.returncode == 0, proc.stderr
    # the sample's vertices are not distinctive at 1e-5 or 1e-6 (a farmland parcel may share one
    # number with the park): search their full repr, and decode the map's pairs of numbers
    assert_no_strings(sorted(out.iterdir()), vertex_strings(vertices, roundings=(), ints=False))
    payload = map_payload((out / "map.html").read_text("utf-8"))
    assert_no_vertex(payload_coordinates(payload), vertices, 1.5e-6)
    assert "ZRGY450722-001" not in {f[1] for z in payload["zones"] for f in z["f"]}
    sites = gpd.read_file(out / "results.gpkg", layer="sites")
    s39 = sites.set_index("site_id").geometry["S39"]
    assert set(sites.loc[sites.geometry.intersects(park), "site_id"]) == {"S39"}
    findings = gpd.read_file(out / "results.gpkg", layer="findings")
    assert findings.loc[findings["kind"] == "nature_reserve"].geometry.isna().all()
    meets = findings[findings.geometry.notna() & findings.geometry.intersects(park)]
    # S39 lies inside its control unit: that (public) overlap is the whole site, nothing of the park
    assert meets[["site_id", "kind", "relation"]].values.tolist() == [["S39", "control_unit", "inside"]]
    assert meets.geometry.iloc[0].equals(s39)
    for frame in (sites, findings):
        assert_no_vertex(shapely.get_coordinates(frame.geometry[frame.geometry.notna()].values), vertices, 1e-9)
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["confidential"]["kinds"] == ["nature_reserve"] and summary["confidential"]["n_findings"] == 2


def test_dask_engine_never_ships_a_confidential_layer(folder, result):
    from distributed import Client, LocalCluster

    from redline.checks.dask_screen import screen_sites_dask

    sites, _ = read_sites(folder[0] / "sites.geojson")
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        with pytest.raises(RedlineError, match=r"confidential \(涉密\) layers \(nature_reserve.gpkg\)"):
            screen_sites_dask(sites, result.layerset, scheduler=client, ship_layers=True)
        adrift = replace(result.layerset, path=None)  # the workers could not load it themselves
        with pytest.raises(RedlineError, match="cannot be shipped to the Dask workers"):
            screen_sites_dask(sites, adrift, scheduler=client)
        loaded = screen_sites_dask(sites, result.layerset, scheduler=client, buffer_m=1000)  # from the manifest
    assert loaded.meta["layers_on_workers"] == "loaded"
    pd.testing.assert_frame_equal(
        pd.DataFrame(loaded.findings.drop(columns="geometry")),
        pd.DataFrame(result.findings.drop(columns="geometry")),
        check_dtype=False,
    )
    assert loaded.findings.loc[loaded.findings["kind"] == "nature_reserve"].geometry.isna().all()
