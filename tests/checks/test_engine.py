"""Relations, overlaps, distances and verdicts on zones whose answers are known by construction."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely import LineString, Point, box

from redline.checks.screen import check_site, screen_sites
from redline.checks.sites.reader import sites_from_geometries

GEOD = Geod(ellps="GRS80")
X0, Y0, X1, Y1 = 109.30, 22.20, 109.34, 22.24  # a 0.04 degree square zone
ZONE = box(X0, Y0, X1, Y1)


def area(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


@pytest.fixture
def square_layers(make_layerset):
    return make_layerset(
        {
            "water_source": [("WS-1", "first", ZONE)],
            "control_unit": [
                ("ZH45072110001", "priority", box(X0 - 0.1, Y0 - 0.1, X1, Y1 + 0.1)),
                ("ZH45072130001", "general", box(X1, Y0 - 0.1, X1 + 0.1, Y1 + 0.1)),
            ],
        }
    )


def finding(result, kind="water_source"):
    rows = result.findings[result.findings["kind"] == kind]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_polygon_exactly_half_inside(square_layers):
    site = box(X1 - 0.005, 22.21, X1 + 0.005, 22.22)  # straddles the zone's east edge symmetrically
    f = finding(check_site(site, square_layers))
    assert f["relation"] == "overlaps"
    assert f["overlap_ratio"] == pytest.approx(0.5, rel=1e-7)
    expected = area(box(X1 - 0.005, 22.21, X1, 22.22))
    assert f["overlap_area_m2"] == pytest.approx(expected, rel=1e-4)
    assert f["distance_m"] == 0
    assert f["verdict"] == "prohibited" and f["rule_id"] == "WS01"


def test_polygon_wholly_inside(square_layers):
    site = box(109.31, 22.21, 109.32, 22.22)
    f = finding(check_site(site, square_layers))
    assert f["relation"] == "inside"
    assert f["overlap_ratio"] == pytest.approx(1.0)
    assert f["overlap_area_m2"] == pytest.approx(area(site), rel=1e-4)


def test_zone_wholly_inside_site(square_layers):
    site = box(X0 - 0.01, Y0 - 0.01, X1 + 0.01, Y1 + 0.01)
    r = check_site(site, square_layers)
    f = finding(r)
    assert f["relation"] == "overlaps"
    assert f["overlap_area_m2"] == pytest.approx(area(ZONE), rel=1e-4)
    assert f["overlap_ratio"] == pytest.approx(area(ZONE) / area(site), rel=1e-4)


def test_point_inside_and_on_boundary(square_layers):
    assert finding(check_site(Point(109.32, 22.22), square_layers))["relation"] == "inside"
    f = finding(check_site(Point(X1, 22.22), square_layers))
    assert f["relation"] == "inside"
    assert math.isnan(f["overlap_area_m2"]) and math.isnan(f["overlap_ratio"])


@pytest.mark.parametrize("metres", [1.0, 600.0, 999.0])
def test_point_at_known_distance_is_nearby(square_layers, metres):
    lon, lat, _ = GEOD.fwd(X1, 22.22, 90, metres)
    f = finding(check_site(Point(lon, lat), square_layers))
    assert f["relation"] == "nearby"
    assert f["distance_m"] == pytest.approx(metres, abs=0.5)
    assert f["verdict"] == "review"
    assert math.isnan(f["overlap_area_m2"])


def test_buffer_limits_nearby(square_layers):
    lon, lat, _ = GEOD.fwd(X1, 22.22, 90, 1500.0)
    r = check_site(Point(lon, lat), square_layers)
    assert (r.findings["kind"] == "water_source").sum() == 0
    r = check_site(Point(lon, lat), square_layers, buffer_m=2000)
    assert finding(r)["distance_m"] == pytest.approx(1500.0, abs=0.5)
    r = check_site(Point(lon, lat), square_layers, buffer_m=0)
    assert (r.findings["kind"] == "water_source").sum() == 0


def test_line_crossing_zone_has_geodesic_overlap_length(square_layers):
    line = LineString([(X0 - 0.01, 22.22), (X1 + 0.01, 22.22)])
    f = finding(check_site(line, square_layers))
    assert f["relation"] == "overlaps"
    assert f["overlap_length_m"] == pytest.approx(GEOD.inv(X0, 22.22, X1, 22.22)[2], abs=0.01)
    assert math.isnan(f["overlap_ratio"])
    inside = LineString([(109.31, 22.21), (109.33, 22.23)])
    f = finding(check_site(inside, square_layers))
    assert f["relation"] == "inside"
    assert f["overlap_length_m"] == pytest.approx(GEOD.inv(109.31, 22.21, 109.33, 22.23)[2], abs=0.01)


def test_site_touching_an_edge_is_nearby_at_zero(square_layers):
    f = finding(check_site(box(X1, 22.21, X1 + 0.01, 22.22), square_layers))
    assert f["relation"] == "nearby" and f["distance_m"] == 0


def test_control_units_are_never_nearby(square_layers):
    r = check_site(Point(109.32, 22.22), square_layers)
    units = r.findings[r.findings["kind"] == "control_unit"]
    assert units["zone_id"].tolist() == ["ZH45072110001"]
    assert units["relation"].tolist() == ["inside"]


def test_site_verdict_is_worst_of_findings(square_layers):
    r = check_site(Point(109.32, 22.22), square_layers, industry="C2614")
    assert sorted(r.findings["verdict"]) == ["prohibited", "restricted"]
    assert r.sites.loc[0, "verdict"] == "prohibited"
    assert r.findings.iloc[0]["verdict"] == "prohibited"  # worst first


def test_exemption_by_tag(square_layers):
    r = check_site(Point(109.32, 22.22), square_layers, tags=["water_supply"])
    assert finding(r)["verdict"] == "restricted"
    assert finding(r)["rule_id"] == "WS02"


def test_far_site_is_outside_the_coverage_never_clear(square_layers):
    # (issue 16: the control units are the layer set's coverage; far outside them the layers cannot say)
    r = check_site(Point(110.5, 23.5), square_layers)
    assert r.sites.loc[0, "verdict"] == "no_coverage"
    assert r.sites.loc[0, "n_findings"] == 0
    assert len(r.findings) == 0


def test_bad_rows_are_kept_and_others_still_run(square_layers):
    geoms = [
        Point(109.32, 22.22),
        None,
        box(0, 0, 1, 1).union(box(2, 2, 3, 3)).symmetric_difference(box(0, 0, 3, 3)),
        Point(109.32, 22.22),
    ]
    bowtie = LineString([(0, 0), (1, 1)])  # valid line; a bow-tie polygon below is invalid
    from shapely import Polygon

    geoms[2] = Polygon([(109.31, 22.21), (109.33, 22.23), (109.33, 22.21), (109.31, 22.23)])
    geoms.append(bowtie)
    sites = sites_from_geometries(geoms, "EPSG:4490", site_ids=["a", "b", "c", "d", "e"], industry="C2614")
    r = screen_sites(sites, square_layers)
    assert r.sites["site_id"].tolist() == ["a", "b", "c", "d", "e"]
    assert r.sites["status"].tolist() == ["ok", "error", "error", "ok", "ok"]
    assert "no geometry" in r.sites.loc[1, "error"]
    assert "invalid geometry" in r.sites.loc[2, "error"] and "Self-intersection" in r.sites.loc[2, "error"]
    assert r.sites.loc[0, "verdict"] == "prohibited" and r.sites.loc[3, "verdict"] == "prohibited"
    assert r.verdict_counts()["error"] == 2


def test_findings_in_metres_match_every_format(make_layerset):
    site = box(X1 - 0.005, 22.21, X1 + 0.005, 22.22)
    areas = []
    for fmt in ("gpkg", "geojson", "shp", "fgb"):
        layers = make_layerset({"water_source": [("WS-1", "first", ZONE)]}, fmt=fmt)
        areas.append(finding(check_site(site, layers))["overlap_area_m2"])
    assert max(areas) - min(areas) < 1e-6


def test_projected_layer_gives_same_answer(tmp_path, make_layerset):
    from redline.layers import load_layerset
    from tests.conftest import write_layerset

    manifest = write_layerset(tmp_path / "gk", {"water_source": [("WS-1", "first", ZONE)]})
    gdf = gpd.read_file(tmp_path / "gk" / "water_source.gpkg").to_crs("EPSG:4545")
    gdf.to_file(tmp_path / "gk" / "water_source.gpkg", driver="GPKG")
    layers = load_layerset(manifest)
    assert layers.layers[0].source_crs.startswith("EPSG:4545")
    site = box(X1 - 0.005, 22.21, X1 + 0.005, 22.22)
    assert finding(check_site(site, layers))["overlap_ratio"] == pytest.approx(0.5, rel=1e-6)


def test_coordinates_out_of_range_are_a_row_error(square_layers):
    sites = sites_from_geometries([Point(200, 95), Point(109.32, 22.22)], "EPSG:4490", site_ids=["x", "y"])
    assert sites["status"].tolist() == ["error", "ok"]
    assert "not longitude/latitude" in sites.loc[0, "error"]


def test_nearest_mode_keeps_one_nearby_zone_per_class_and_the_same_verdicts(make_layerset):
    lon1, _, _ = GEOD.fwd(X1, 22.22, 90, 300.0)
    lon2, _, _ = GEOD.fwd(X1, 22.22, 90, 700.0)
    layers = make_layerset(
        {
            "basic_farmland": [
                ("F-near", None, box(lon1, 22.21, lon1 + 0.001, 22.23)),
                ("F-far", None, box(lon2, 22.21, lon2 + 0.001, 22.23)),
            ],
            "water_source": [
                ("W2", "second", box(lon1, 22.219, lon1 + 0.001, 22.221)),
                ("W3", "quasi", box(lon2, 22.219, lon2 + 0.001, 22.221)),
            ],
        }
    )
    site = Point(X1, 22.22)
    # (the tag answers the question the heavy-metal group asks of C3360: is it electroplating)
    nearest = check_site(site, layers, industry="C3360", tags="electroplating")
    every = check_site(site, layers, industry="C3360", tags="electroplating", nearby="all")
    farm = nearest.findings[nearest.findings["kind"] == "basic_farmland"]
    assert farm["zone_id"].tolist() == ["F-near"]
    assert farm["distance_m"].iloc[0] == pytest.approx(300.0, abs=0.5)
    assert sorted(every.findings["zone_id"]) == ["F-far", "F-near", "W2", "W3"]
    assert sorted(nearest.findings.loc[nearest.findings["kind"] == "water_source", "zone_id"]) == ["W2", "W3"]
    assert nearest.sites.loc[0, "verdict"] == every.sites.loc[0, "verdict"] == "restricted"


def test_chunked_screening_equals_one_pass(make_layerset):
    layers = make_layerset(
        {
            "water_source": [("WS-1", "first", ZONE)],
            "basic_farmland": [("F1", None, box(X1 + 0.002, Y0, X1 + 0.01, Y1))],
        }
    )
    geoms = [Point(X0 + 0.001 * i, 22.22) for i in range(60)] + [box(X1 - 0.004, 22.21, X1 + 0.004, 22.215)]
    sites = sites_from_geometries(geoms, "EPSG:4490", industry="C2614")
    whole = screen_sites(sites, layers)
    pieces = screen_sites(sites, layers, chunk_size=7)
    cols = ["site_id", "kind", "zone_id", "relation", "verdict", "rule_id"]
    assert whole.findings[cols].equals(pieces.findings[cols])
    assert whole.findings["distance_m"].to_numpy() == pytest.approx(pieces.findings["distance_m"].to_numpy())
    assert whole.sites["verdict"].tolist() == pieces.sites["verdict"].tolist()
    with pytest.raises(ValueError, match="chunk_size must be >= 1"):
        screen_sites(sites, layers, chunk_size=0)


def test_no_sites_screen_to_empty_tables(square_layers):
    sites = sites_from_geometries([], "EPSG:4490")
    assert list(sites.columns[:7]) == ["site_id", "name", "industry", "tags", "action", "status", "error"]
    result = screen_sites(sites, square_layers)
    assert len(result.sites) == 0 and len(result.findings) == 0
    counts = {"prohibited": 0, "restricted": 0, "review": 0, "no_coverage": 0, "clear": 0, "error": 0}
    assert result.verdict_counts() == counts


def _ring_zone(lon, lat, r, hole, n=200):
    """A 200-gon disc of radius ``r`` degrees with a concentric hole: many vertices, cut in pieces."""
    angle = [2 * math.pi * k / n for k in range(n)]
    outer = [(lon + r * math.cos(a), lat + r * math.sin(a)) for a in angle]
    inner = [(lon + hole * math.cos(a), lat + hole * math.sin(a)) for a in reversed(angle)]
    from shapely import Polygon

    return Polygon(outer, [inner])


def test_points_against_a_zone_cut_in_pieces_match_geos(make_layerset):
    import numpy as np
    import shapely

    from redline.checks.engine.index import index_of

    ring = _ring_zone(109.5, 22.5, 0.02, 0.008)
    ls = make_layerset({"ecological_redline": [("RL-1", "core", ring)], "water_source": [("WS-1", "first", ZONE)]})
    index = index_of(ls.layers[0]).point_index
    assert index.zone is not None and len(index.geoms) > 4  # the ring was cut
    b = ring.bounds
    mid_x, mid_y = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    points = [
        Point(mid_x + 0.015, mid_y),  # on the first cut (the box's middle), inside the ring
        Point(mid_x, mid_y + 0.014),  # on the other cut, inside
        Point(mid_x, mid_y),  # the centre: in the hole, on both cuts
        Point(mid_x + 0.0201, mid_y),  # just outside, a few metres off
        Point(mid_x - 0.03, mid_y + 0.001),  # outside, about a kilometre off
        *[Point(p) for p in shapely.get_coordinates(ring.exterior)[:5]],  # on vertices of the boundary
    ]
    rng = np.random.default_rng(11)
    points += [Point(x, y) for x, y in rng.uniform([b[0] - 0.01, b[1] - 0.01], [b[2] + 0.01, b[3] + 0.01], (200, 2))]
    sites = sites_from_geometries(points, "EPSG:4490")
    found = screen_sites(sites, ls, buffer_m=3000).findings
    edge = shapely.get_coordinates(shapely.segmentize(ring.boundary, 0.00001))
    red = found[found["kind"] == "ecological_redline"].set_index("site_id")
    for k, point in enumerate(points):
        site_id = sites["site_id"].iloc[k]
        inside = ring.intersects(point)
        if inside:
            assert red.loc[site_id, "relation"] == "inside", (k, point)
            continue
        # outside: the least geodesic distance to the ring's boundary, sampled every 0.00001 degree
        expected = float(
            GEOD.inv(np.full(len(edge), point.x), np.full(len(edge), point.y), edge[:, 0], edge[:, 1])[2].min()
        )
        if expected <= 3000:
            assert red.loc[site_id, "relation"] == "nearby"
            assert red.loc[site_id, "distance_m"] == pytest.approx(expected, abs=0.01), (k, point)
        else:
            assert site_id not in red.index


def test_access_lists_come_in_unit_order_whatever_the_threads():
    from redline.checks.sites.reader import read_sites
    from redline.layers import load_layerset, sample_dir

    layers = load_layerset("sample")
    sites, _ = read_sites(sample_dir() / "sites.geojson", near=layers.center())
    one = screen_sites(sites, layers, workers=1)
    many = screen_sites(sites, layers, workers=3, chunk_size=2)
    assert len(one.access_lists) > 1
    assert list(one.access_lists) == sorted(one.access_lists) == list(many.access_lists)
    assert one.findings.drop(columns="geometry").equals(many.findings.drop(columns="geometry"))
