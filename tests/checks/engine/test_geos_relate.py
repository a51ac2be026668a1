"""The engine's relation of a site to a zone, against GEOS's own relate test cases.

The boundary rule (``redline.checks.engine.spatial``): a site covered by its zone (inside it or on its
boundary) is ``inside``; a site whose interior meets the zone's interior without being covered
``overlaps``; a site that only meets the zone's boundary is ``nearby`` at 0 m; the rest is
``nearby`` at its distance (within the buffer) or not reported.

Each case of ``tests/data/geos_relate/cases.json`` (GEOS's XML suite: the geometries A and B and
the DE-9IM matrix GEOS's authors give for them) with a polygonal geometry is screened with that
polygon as the zone and the other as the site, both ways round where both are polygonal.  Cases
are placed in China by an exact power-of-two map (each its own spot on a grid of 0.25°), so the
topology of the file is the topology screened.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from redline.checks.screen import screen_sites
from redline.checks.sites.reader import sites_from_geometries
from redline.layers import load_layerset
from tests.conftest import write_layerset

CASES = Path(__file__).resolve().parents[2] / "data" / "geos_relate" / "cases.json"

#: Site geometry types the tool screens (a GeometryCollection is refused as a site).
SITE_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
#: Each case fits within about this many degrees (a few km) once placed.
FIT_DEG = 0.03
#: Grid spacing of the placed cases (degrees): far beyond the buffer from one another.
SPACING = 0.25
#: DE-9IM patterns of "A is covered by B".
COVERED_BY = ("T*F**F***", "*TF**F***", "**FT*F***", "**F*TF***")


def transposed(matrix: str) -> str:
    """The matrix of B against A, given that of A against B."""
    return "".join(matrix[3 * j + i] for i in range(3) for j in range(3))


def matches(matrix: str, pattern: str) -> bool:
    return all(p == "*" or (p == "T" and m != "F") or p == m for m, p in zip(matrix, pattern, strict=True))


def expected_relation(matrix: str) -> str:
    """What the boundary rule makes of the site-against-zone matrix: inside, overlaps, touches or disjoint."""
    if any(matches(matrix, p) for p in COVERED_BY):
        return "inside"
    if matrix[0] != "F":
        return "overlaps"
    if any(matrix[k] != "F" for k in (0, 1, 3, 4)):
        return "touches"
    return "disjoint"


def placed(geom, slot: int, k: int):
    """Return the geometry moved to slot ``slot`` of the grid, scaled by 2**-k (exact), or None if inexact."""
    x0, y0 = 100.0 + SPACING * (slot % 48), 20.0 + SPACING * (slot // 48)
    scale = 2.0**-k
    out = shapely.transform(geom, lambda c: np.column_stack([x0 + c[:, 0] * scale, y0 + c[:, 1] * scale]))
    before, after = shapely.get_coordinates(geom), shapely.get_coordinates(out)
    exact = np.array_equal((after - [x0, y0]) * 2.0**k, before)
    return out if exact else None


def _scale(*geoms) -> int:
    bounds = np.array([g.bounds for g in geoms])
    extent = max(bounds[:, 2].max() - bounds[:, 0].min(), bounds[:, 3].max() - bounds[:, 1].min(), 1e-9)
    return math.ceil(math.log2(extent / FIT_DEG))


def _build() -> tuple[list[dict], Counter]:
    """Return the screenable (site, zone) pairs and a count of the cases left out, by reason."""
    data = json.loads(CASES.read_text("utf-8"))
    pairs, skipped = [], Counter()
    for case in data["cases"]:
        a, b = shapely.from_wkt(case["a"]), shapely.from_wkt(case["b"])
        ways = [(a, b, case["relate"], "A in B")]
        if a.geom_type in ("Polygon", "MultiPolygon"):
            ways.append((b, a, transposed(case["relate"]), "B in A"))
        for site, zone, matrix, way in ways:
            if zone.geom_type not in ("Polygon", "MultiPolygon"):
                continue
            why = None
            if site.geom_type not in SITE_TYPES:
                why = f"site is a {site.geom_type}"
            elif site.is_empty or zone.is_empty:
                why = "empty geometry"
            elif not (site.is_valid and zone.is_valid):
                why = "invalid geometry (the tool repairs or refuses it)"
            if why is None:
                k = _scale(site, zone)
                moved = placed(site, len(pairs), k), placed(zone, len(pairs), k)
                if moved[0] is None or moved[1] is None:
                    why = "coordinates not exact once placed"
            if why:
                skipped[why] += 1
                continue
            pairs.append(
                {
                    "name": f"{case['file']}#{case['case']} {way}: {case['desc']}",
                    "site": moved[0],
                    "zone": moved[1],
                    "matrix": matrix,
                    "expected": expected_relation(matrix),
                }
            )
    return pairs, skipped


PAIRS, SKIPPED = _build()


def _reference_distance(site, zone) -> float:
    """Metres between site and zone in an azimuthal equidistant projection at the zone (within 0.01 %)."""
    c = zone.centroid
    to_local = Transformer.from_crs(
        "EPSG:4490", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=GRS80 +units=m", always_xy=True
    )
    project = lambda g: shapely.transform(g, lambda xy: np.column_stack(to_local.transform(xy[:, 0], xy[:, 1])))  # noqa: E731
    return float(shapely.distance(project(site), project(zone)))


@pytest.fixture(scope="module")
def relate_layers(tmp_path_factory):
    rows = [(f"Z{i:04d}", "first", pair["zone"]) for i, pair in enumerate(PAIRS)]
    return load_layerset(write_layerset(tmp_path_factory.mktemp("geos-relate"), {"water_source": rows}))


@pytest.fixture(scope="module")
def relate_sites():
    ids = [f"S{i:04d}" for i in range(len(PAIRS))]
    return sites_from_geometries([p["site"] for p in PAIRS], "EPSG:4490", site_ids=ids)


def test_the_cases_cover_every_site_type():
    """The data file holds the polygonal cases of GEOS's relate suite; what is left out is counted."""
    kinds = Counter((p["site"].geom_type, p["expected"]) for p in PAIRS)
    assert len(PAIRS) >= 300, (len(PAIRS), SKIPPED)
    for site_type in ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"):
        assert any(t == site_type for t, _ in kinds), site_type
    for relation in ("inside", "overlaps", "touches", "disjoint"):
        assert sum(n for (_, r), n in kinds.items() if r == relation) >= 10, (relation, kinds)
    assert dict(SKIPPED) == {
        "site is a GeometryCollection": 9,  # GEOS's GC and AC cases
        "coordinates not exact once placed": 4,  # validate/TestRelateAA-big.xml: 1e15 wide
        "empty geometry": 1,  # general/TestRelateEmpty.xml
    }


@pytest.mark.parametrize("buffer_m", [0.0, 1000.0])
@pytest.mark.parametrize("nearby", ["nearest", "all"])
def test_relation_follows_the_boundary_rule_on_geos_cases(relate_layers, relate_sites, nearby, buffer_m):
    findings = screen_sites(relate_sites, relate_layers, buffer_m=buffer_m, nearby=nearby).findings
    assert (relate_sites["status"] == "ok").all()
    by_site = dict(tuple(findings.groupby("site_id")))
    wrong = []
    for i, pair in enumerate(PAIRS):
        rows = by_site.get(f"S{i:04d}")
        got = [] if rows is None else list(zip(rows["zone_id"], rows["relation"], rows["distance_m"], strict=True))
        zone_id, expected = f"Z{i:04d}", pair["expected"]
        if expected in ("inside", "overlaps"):
            ok = got == [(zone_id, expected, 0.0)]
        elif expected == "touches":  # nearby at 0 m (no nearby zone at all with no buffer)
            ok = got == ([(zone_id, "nearby", 0.0)] if buffer_m > 0 else [])
        else:
            metres = _reference_distance(pair["site"], pair["zone"])
            if buffer_m == 0 or metres > buffer_m * 1.0002:
                ok = got == []
            elif metres < buffer_m * 0.9998:
                ok = (
                    len(got) == 1 and got[0][:2] == (zone_id, "nearby") and got[0][2] == pytest.approx(metres, rel=2e-4)
                )
            else:
                ok = True  # at the buffer's edge: either way
        if not ok:
            wrong.append((pair["name"], pair["matrix"], expected, got))
    assert not wrong, f"{len(wrong)} of {len(PAIRS)} cases disagree:\n" + "\n".join(map(str, wrong[:20]))


#: The module notes' examples on the unit square zone (0 0, 1 1), placed like the cases: (site, relation, at 0 m).
NAMED = {
    "point on an edge": ("POINT (1 0.5)", "inside"),
    "point on a vertex": ("POINT (1 1)", "inside"),
    "line along an edge": ("LINESTRING (1 0.25, 1 0.75)", "inside"),
    "line along an edge, then inside": ("LINESTRING (1 0.25, 1 0.75, 0.5 0.5)", "inside"),
    "line along an edge, then outside": ("LINESTRING (1 0.25, 1 0.75, 1.5 0.5)", "nearby"),
    "line from outside to an edge": ("LINESTRING (1.5 0.5, 1 0.5)", "nearby"),
    "line through": ("LINESTRING (0.5 0.5, 1.5 0.5)", "overlaps"),
    "polygon sharing an edge": ("POLYGON ((1 0, 2 0, 2 1, 1 1, 1 0))", "nearby"),
    "polygon sharing a vertex": ("POLYGON ((1 1, 2 1, 2 2, 1 1))", "nearby"),
    "polygon inside, sharing an edge": ("POLYGON ((0.5 0, 1 0, 1 1, 0.5 1, 0.5 0))", "inside"),
    "polygon equal to the zone": ("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))", "inside"),
    "polygon across an edge": ("POLYGON ((0.5 0, 1.5 0, 1.5 1, 0.5 1, 0.5 0))", "overlaps"),
    "points on an edge and outside": ("MULTIPOINT ((1 0.5), (1.5 0.5))", "nearby"),
    "points on an edge and inside": ("MULTIPOINT ((1 0.5), (0.5 0.5))", "inside"),
    "points inside and outside": ("MULTIPOINT ((0.5 0.5), (1.5 0.5))", "overlaps"),
}


@pytest.mark.parametrize("nearby", ["nearest", "all"])
def test_the_rule_on_the_shapes_the_notes_name(make_layerset, nearby):
    zone = placed(shapely.box(0, 0, 1, 1), 0, 11)
    layers = make_layerset({"water_source": [("Z", "first", zone)]})
    names = list(NAMED)
    shapes = [placed(shapely.from_wkt(NAMED[n][0]), 0, 11) for n in names]
    assert all(shape is not None for shape in shapes)  # (dyadic coordinates: placed exactly)
    sites = sites_from_geometries(shapes, "EPSG:4490", site_ids=names)
    found = screen_sites(sites, layers, buffer_m=1000, nearby=nearby).findings.set_index("site_id")
    got = {n: (found.loc[n, "relation"], found.loc[n, "distance_m"]) for n in names}
    assert got == {n: (relation, 0.0) for n, (_, relation) in NAMED.items()}
    for n in names:  # and each agrees with what GEOS's matrix says under the rule
        site = shapely.from_wkt(NAMED[n][0])
        matrix = shapely.relate(site, shapely.box(0, 0, 1, 1))
        assert {"touches": "nearby"}.get(expected_relation(matrix), expected_relation(matrix)) == NAMED[n][1], n
