"""The fast engine equals the straightforward overlay, row by row, on a slice of the benchmark data.

The slice is the benchmark's own recipe (``benchmarks/_data.py``) at 5,000 parcels (with the red
line, urban boundary, water sources and control units), 2,000 random points, 300 polygons (half
of the benchmark's 50–500 m, half 1–4 km, so zones lie wholly inside sites too), 50 lines, and
sites made to sit on shared vertices and edges, to equal a parcel, or to touch one from outside.

The reference knows nothing of the engine's shortcuts (bulk index queries, "a site wholly inside a
zone takes its own area", ranking in a local projection):

- touching pairs: ``gpd.sjoin(..., predicate="intersects")``; the relation from the predicates
  (``inside`` = site covered by the zone; ``overlaps`` = not merely touching); the overlap as
  ``site ∩ zone`` measured with :func:`redline.layers.geodesy.geodesic_area` / ``geodesic_length``;
- nearby pairs: every (site, zone) pair of the slice (no index: bounding boxes in metres), the
  geodesic distance by brute force: from every vertex of each shape to every edge of the other
  (edges straight in lon/lat, as stored), minimised along the edge with ``pyproj.Geod`` by
  golden-section search.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from benchmarks._data import BOUNDS, build_layerset, point_sites, polygon_sites
from redline.checks.screen import screen_sites
from redline.checks.sites.reader import sites_from_geometries
from redline.layers import load_layerset
from redline.layers.geodesy import geodesic_area, geodesic_length
from redline.zones.kinds import KINDS

GEOD = Geod(ellps="GRS80")
BUFFER = 1000.0
DIST_TOL = 0.5  # m: the engine's promise for distances (DESIGN: within 0.5 m up to 10 km)
# The overlay's areas come from pyproj.Geod polygon by polygon; the engine measures overlaps under
# 2 km in a local equal-area projection, which agrees with Geod to about 1e-7 (the projection's own
# rounding); the promise to users is 1e-4.
AREA_RTOL = 1e-6
KEY = ["site_id", "kind", "zone_id"]
REF_COLUMNS = [
    "s",
    "kind",
    "z",
    "zone_id",
    "zone_class",
    "relation",
    "overlap_area_m2",
    "overlap_length_m",
    "distance_m",
]


# --------------------------------------------------------------------------- the slice


def _special_sites(farm: gpd.GeoDataFrame, rng: np.random.Generator) -> tuple[list, list]:
    """Sites on shared vertices and edges, equal to a parcel, touching a parcel from outside."""
    geoms, ids = [], []
    parcels = farm.geometry.array
    for k, i in enumerate(rng.choice(len(parcels), 12, replace=False)):
        ring = np.asarray(parcels[i].exterior.coords)
        geoms.append(shapely.Point(ring[0]))  # a Voronoi vertex: on the boundary of up to three parcels
        ids.append(f"XV{k:02d}")
        geoms.append(shapely.Point((ring[0] + ring[1]) / 2))  # on (or within rounding of) a shared edge
        ids.append(f"XE{k:02d}")
        geoms.append(parcels[i])  # the parcel itself: inside it, touching its neighbours
        ids.append(f"XP{k:02d}")
        a, b = ring[1], ring[2]
        c = shapely.centroid(parcels[i])
        out = (a + b) / 2 + ((a + b) / 2 - np.array([c.x, c.y])) * 0.3  # a triangle on an edge, outwards
        geoms.append(shapely.Polygon([a, out, b]))
        ids.append(f"XT{k:02d}")
        geoms.append(shapely.LineString([ring[0], ring[1]]))  # a line along a shared edge
        ids.append(f"XL{k:02d}")
    return geoms, ids


def _lines(rng: np.random.Generator, n: int) -> list:
    x0, y0, x1, y1 = BOUNDS
    out = []
    for _ in range(n):
        lon, lat = rng.uniform(x0 + 0.05, x1 - 0.05), rng.uniform(y0 + 0.05, y1 - 0.05)
        k = rng.integers(2, 5)
        az = rng.uniform(0, 360, k - 1)
        step = rng.uniform(300, 2000, k - 1)
        pts = [(lon, lat)]
        for a, s in zip(az, step, strict=True):
            lon, lat, _ = GEOD.fwd(lon, lat, a, s)
            pts.append((lon, lat))
        out.append(shapely.LineString(pts))
    return out


@pytest.fixture(scope="module")
def slice_(tmp_path_factory):
    manifest = build_layerset(tmp_path_factory.mktemp("overlay") / "set", n_parcels=5000, seed=11)
    ls = load_layerset(manifest)
    farm = next(layer.gdf for layer in ls.layers if layer.kind == "basic_farmland")
    rng = np.random.default_rng(5)
    pts = point_sites(2000, seed=3)
    small = polygon_sites(150, seed=4)  # the benchmark's 50–500 m
    large = polygon_sites(150, seed=5, r_min=1000.0, r_max=4000.0)
    special, special_ids = _special_sites(farm, rng)
    lines = _lines(rng, 50)
    geoms = [*pts.geometry.array, *small.geometry.array, *large.geometry.array, *lines, *special]
    ids = [
        *pts["site_id"],
        *small["site_id"],
        *(s.replace("G", "H") for s in large["site_id"]),
        *(f"L{i:03d}" for i in range(len(lines))),
        *special_ids,
    ]
    sites = sites_from_geometries(np.array(geoms, dtype=object), "EPSG:4490", site_ids=list(ids))
    assert (sites["status"] == "ok").all(), sites.loc[sites["status"] != "ok", "error"].tolist()
    return ls, sites


# --------------------------------------------------------------------------- brute-force distance


def _segments(geom) -> np.ndarray:
    """Every edge (lon0, lat0, lon1, lat1) of a geometry's boundary (of a line: its own edges)."""
    if geom.geom_type in ("Point", "MultiPoint"):
        return np.empty((0, 4))
    lines = geom if shapely.get_dimensions(geom) == 1 else shapely.boundary(geom)
    out = []
    for part in shapely.get_parts(lines):
        c = shapely.get_coordinates(part)
        out.append(np.column_stack([c[:-1], c[1:]]))
    return np.concatenate(out) if out else np.empty((0, 4))


def _metres(lon, lat, lat0):
    """Equirectangular metres (for ranking only, never for an answer)."""
    return lon * 111_320.0 * np.cos(np.radians(lat0)), lat * 110_574.0


def _point_segment_approx(v: np.ndarray, s: np.ndarray, lat0: np.ndarray) -> np.ndarray:
    px, py = _metres(v[:, 0], v[:, 1], lat0)
    ax, ay = _metres(s[:, 0], s[:, 1], lat0)
    bx, by = _metres(s[:, 2], s[:, 3], lat0)
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(len2 > 0, ((px - ax) * dx + (py - ay) * dy) / len2, 0.0), 0.0, 1.0)
    return np.hypot(px - ax - t * dx, py - ay - t * dy)


def _geodesic_to_segments(v: np.ndarray, s: np.ndarray, iterations: int = 48) -> np.ndarray:
    """Geodesic distance from points ``v`` to lon/lat-straight edges ``s``, by golden-section search along the edge."""
    g = (math.sqrt(5) - 1) / 2

    def dist(t):
        lon = s[:, 0] + t * (s[:, 2] - s[:, 0])
        lat = s[:, 1] + t * (s[:, 3] - s[:, 1])
        return GEOD.inv(v[:, 0], v[:, 1], lon, lat)[2]

    lo, hi = np.zeros(len(v)), np.ones(len(v))
    c, d = hi - g * (hi - lo), lo + g * (hi - lo)
    fc, fd = dist(c), dist(d)
    for _ in range(iterations):
        left = fc < fd
        hi = np.where(left, d, hi)
        lo = np.where(left, lo, c)
        c_new, d_new = hi - g * (hi - lo), lo + g * (hi - lo)
        # one new evaluation per step: the kept inner point moves over
        f_new = dist(np.where(left, c_new, d_new))
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = np.where(left, c_new, d), np.where(left, c, d_new)
    return np.minimum.reduce([fc, fd, dist(np.zeros(len(v))), dist(np.ones(len(v)))])


def brute_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Geodesic distance of each disjoint pair (a[i], b[i]): min over vertex-to-edge, both ways."""
    vs, ss, owner = [], [], []
    parts: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def parts_of(geom):
        if id(geom) not in parts:
            parts[id(geom)] = (shapely.get_coordinates(geom), _segments(geom))
        return parts[id(geom)]

    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        for p, q in ((x, y), (y, x)):
            verts, segs = parts_of(p)[0], parts_of(q)[1]
            if len(verts) and len(segs):
                vi = np.repeat(np.arange(len(verts)), len(segs))
                si = np.tile(np.arange(len(segs)), len(verts))
                vs.append(verts[vi])
                ss.append(segs[si])
                owner.append(np.full(len(vi), i))
    v, s, owner = np.concatenate(vs), np.concatenate(ss), np.concatenate(owner)
    approx = _point_segment_approx(v, s, v[:, 1])
    best = pd.Series(approx).groupby(owner).transform("min").to_numpy()
    keep = approx <= best * 1.01 + 5.0  # only edges that may hold the true minimum
    exact = _geodesic_to_segments(v[keep], s[keep])
    out = np.full(len(a), np.inf)
    np.minimum.at(out, owner[keep], exact)
    return out


# --------------------------------------------------------------------------- the reference


def _pairs_within(site_bounds: np.ndarray, zone_bounds: np.ndarray, metres: float) -> tuple[np.ndarray, np.ndarray]:
    """Every (site, zone) pair whose bounding boxes are less than ``metres`` apart (sites × zones, no index)."""
    lat = np.abs(np.concatenate([site_bounds[:, [1, 3]].ravel(), zone_bounds[:, [1, 3]].ravel()])).max()
    rx, ry = metres / (111_320.0 * math.cos(math.radians(lat))), metres / 110_574.0  # degrees, on the wide side
    s, z = site_bounds[:, None, :], zone_bounds[None, :, :]
    near = (z[..., 0] <= s[..., 2] + rx) & (z[..., 2] >= s[..., 0] - rx)
    near &= (z[..., 1] <= s[..., 3] + ry) & (z[..., 3] >= s[..., 1] - ry)
    return np.nonzero(near)


def reference(sites: gpd.GeoDataFrame, ls, buffer_m: float) -> pd.DataFrame:
    """Every finding the straightforward computation gives (``nearby="all"``)."""
    sgeoms = np.asarray(sites.geometry.array, dtype=object)
    dims = shapely.get_dimensions(sgeoms)
    site_area = np.array([geodesic_area(g) if d == 2 else np.nan for g, d in zip(sgeoms, dims, strict=True)])
    rows = []
    for layer in ls.layers:
        zones = layer.gdf[["zone_id", "zone_class", "geometry"]].reset_index(drop=True)
        zgeoms = np.asarray(zones.geometry.array, dtype=object)
        zone_id, zone_class = zones["zone_id"].to_numpy(), zones["zone_class"].to_numpy()
        joined = gpd.sjoin(
            gpd.GeoDataFrame({"s": np.arange(len(sites))}, geometry=sites.geometry.array, crs=sites.crs),
            zones.assign(z=np.arange(len(zones))),
            predicate="intersects",
        )
        si, zi = joined["s"].to_numpy(), joined["z"].to_numpy()
        for s, z in zip(si, zi, strict=True):
            site, zone = sgeoms[s], zgeoms[z]
            if site.covered_by(zone):
                relation = "inside"
            elif not site.touches(zone):
                relation = "overlaps"
            else:
                relation = "nearby"  # shares only boundary: nearby at 0 m when nearby counts
            nearby_kind = buffer_m > 0 and KINDS[layer.kind].nearby
            if relation == "nearby" and not nearby_kind:
                continue
            cut = site.intersection(zone)
            area = geodesic_area(cut) if dims[s] == 2 and relation != "nearby" else np.nan
            length = geodesic_length(cut) if dims[s] == 1 and relation != "nearby" else np.nan
            rows.append((s, layer.kind, z, zone_id[z], zone_class[z], relation, area, length, 0.0))
        if buffer_m > 0 and KINDS[layer.kind].nearby:
            touching = set(zip(si.tolist(), zi.tolist(), strict=True))
            cs, cz = _pairs_within(shapely.bounds(sgeoms), shapely.bounds(zgeoms), buffer_m + 50.0)
            todo = np.array([(s, z) for s, z in zip(cs, cz, strict=True) if (s, z) not in touching], dtype=int)
            if len(todo):
                d = brute_distances(sgeoms[todo[:, 0]], zgeoms[todo[:, 1]])
                for (s, z), dist in zip(todo, d, strict=True):
                    if dist <= buffer_m + DIST_TOL:
                        rows.append((s, layer.kind, z, zone_id[z], zone_class[z], "nearby", np.nan, np.nan, dist))
    ref = pd.DataFrame(rows, columns=REF_COLUMNS)
    ref["site_id"] = sites["site_id"].to_numpy()[ref["s"]]
    ref["overlap_ratio"] = ref["overlap_area_m2"] / site_area[ref["s"]]
    return ref


def _compare(found: pd.DataFrame, ref: pd.DataFrame, buffer_m: float) -> None:
    """Every (site, zone) pair, relation, overlap and distance equal.

    Pairs within ``DIST_TOL`` of the buffer may go either way.
    """
    found = pd.DataFrame(found.drop(columns="geometry"))
    assert not found.duplicated(KEY).any()
    merged = found.merge(ref, on=KEY, how="outer", suffixes=("", "_ref"), indicator=True)
    lo, hi = buffer_m - DIST_TOL, buffer_m + DIST_TOL
    edge = (buffer_m > 0) & (
        ((merged["relation"] == "nearby") & merged["distance_m"].between(lo, hi))
        | ((merged["relation_ref"] == "nearby") & merged["distance_m_ref"].between(lo, hi))
    )
    only_engine = merged[(merged["_merge"] == "left_only") & ~edge]
    only_ref = merged[(merged["_merge"] == "right_only") & ~edge & ~(merged["distance_m_ref"] > buffer_m)]
    shown = only_engine[[*KEY, "relation", "distance_m"]].head(20)
    assert only_engine.empty, f"{len(only_engine)} findings the overlay does not give:\n{shown}"
    shown = only_ref[[*KEY, "relation_ref", "distance_m_ref"]].head(20)
    assert only_ref.empty, f"{len(only_ref)} overlay pairs the engine missed:\n{shown}"
    both = merged[merged["_merge"] == "both"]
    problems = []
    for row in both.itertuples(index=False):
        r = row._asdict()
        if r["relation"] != r["relation_ref"]:
            problems.append((r["site_id"], r["zone_id"], "relation", r["relation"], r["relation_ref"]))
        for col, rtol, atol in (
            ("overlap_area_m2", AREA_RTOL, 1e-3),
            ("overlap_ratio", AREA_RTOL, 1e-9),  # a thousandth of a mm² per m² of site
            ("overlap_length_m", AREA_RTOL, 1e-6),
            ("distance_m", 0.0, DIST_TOL),
        ):
            a, b = float(r[col]), float(r[f"{col}_ref"])
            if np.isnan(a) != np.isnan(b) or (not np.isnan(a) and abs(a - b) > atol + rtol * abs(b)):
                problems.append((r["site_id"], r["zone_id"], col, a, b))
    assert not problems, f"{len(problems)} differences (site, zone, column, engine, overlay):\n" + "\n".join(
        map(str, problems[:30])
    )


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def with_buffer(slice_):
    """The engine's findings with every nearby zone, and the reference, at the CLI's default buffer."""
    ls, sites = slice_
    return screen_sites(sites, ls, buffer_m=BUFFER, nearby="all").findings, reference(sites, ls, BUFFER)


def test_without_buffer_every_row_equals_the_overlay(slice_):
    ls, sites = slice_
    result = screen_sites(sites, ls, buffer_m=0, nearby="all")
    ref = reference(sites, ls, 0.0)
    assert set(ref["relation"]) == {"inside", "overlaps"}
    assert len(ref) > 6000
    assert set(ref["kind"]) == {
        "basic_farmland",
        "ecological_redline",
        "urban_boundary",
        "water_source",
        "control_unit",
    }
    _compare(result.findings, ref, 0.0)
    # findings in site order, counted per site
    rows = result.findings["site_id"].map({s: i for i, s in enumerate(sites["site_id"])}).to_numpy()
    assert (np.diff(rows) >= 0).all()
    counts = ref.groupby("site_id").size().reindex(sites["site_id"], fill_value=0).to_numpy()
    assert result.sites["n_findings"].tolist() == counts.tolist()
    # the made-up cases are there: a point on a Voronoi vertex is inside (on the boundary of) three parcels,
    # a site equal to a parcel is inside it, a zone wholly inside a large site counts whole
    farm = ref[ref["kind"] == "basic_farmland"]
    assert farm[farm["site_id"].str.startswith("XV")].groupby("site_id").size().max() >= 3
    assert (farm[farm["site_id"].str.startswith("XP")].groupby("site_id")["relation"].first() == "inside").all()
    assert (farm[farm["site_id"].str.startswith("H")]["relation"] == "overlaps").sum() > 1000


def test_with_buffer_every_row_equals_the_overlay_and_brute_force_distance(slice_, with_buffer):
    found, ref = with_buffer
    near = ref[ref["relation"] == "nearby"]
    assert len(near) > 5000 and (near["distance_m"] == 0).sum() > 20  # touching pairs too, at 0 m
    assert set(near["kind"]) == {k for k in set(ref["kind"]) if KINDS[k].nearby}
    _compare(found, ref, BUFFER)


def test_nearest_keeps_the_nearest_zone_of_each_class(slice_, with_buffer):
    ls, sites = slice_
    every, ref = with_buffer
    nearest = screen_sites(sites, ls, buffer_m=BUFFER, nearby="nearest").findings
    touching = every[every["relation"] != "nearby"]
    kept = nearest[nearest["relation"] != "nearby"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(kept[KEY]).reset_index(drop=True), pd.DataFrame(touching[KEY]).reset_index(drop=True)
    )
    # of the zones only near a site (touching at 0 m included), one per (site, kind, class): the nearest
    near_ref = ref[(ref["relation"] == "nearby") & (ref["distance_m"] <= BUFFER - DIST_TOL)]
    best = near_ref.groupby(["site_id", "kind", "zone_class"])["distance_m"].min()
    chosen = nearest[nearest["relation"] == "nearby"].set_index(["site_id", "kind", "zone_class"])
    assert not chosen.index.duplicated().any()
    missing = best.index.difference(chosen.index)
    assert missing.empty, missing[:10]
    got = chosen.loc[best.index, "distance_m"].to_numpy(dtype=float)
    assert np.abs(got - best.to_numpy()).max() <= DIST_TOL


def test_without_overlap_geometry_only_the_polygon_cuts_are_left_out(slice_):
    ls, sites = slice_
    built = screen_sites(sites, ls, buffer_m=0, nearby="all").findings
    measured = screen_sites(sites, ls, buffer_m=0, nearby="all", overlap_geometry=False).findings
    columns = [c for c in built.columns if c != built.geometry.name]
    pd.testing.assert_frame_equal(pd.DataFrame(measured[columns]), pd.DataFrame(built[columns]))
    polygon_site = (
        measured["site_id"]
        .map(dict(zip(sites["site_id"], sites.geom_type, strict=True)))
        .isin(["Polygon", "MultiPolygon"])
    )
    missing = measured.geometry.isna().to_numpy()
    # only overlaps of polygon sites lack their geometry (zones wholly inside a site are their own
    # overlap; overlaps over 0.01 degree, or whose boundaries touch, are built to be measured)
    assert not (missing & ~(polygon_site & (measured["relation"] == "overlaps")).to_numpy()).any()
    # (this slice's parcels are about 1.4 km across, so many overlaps exceed 0.01 degree and are built)
    assert missing.sum() > 200
    kept = ~missing
    assert shapely.equals(measured.geometry.array[kept], built.geometry.array[kept]).all()


def test_threads_and_shared_site_objects_give_the_single_thread_result(slice_):
    ls, sites = slice_
    polygons = sites[sites.geom_type == "Polygon"]
    # the same geometry objects twice over, so that two threads would share them if they were not copied
    doubled = pd.concat([polygons, polygons.assign(site_id=polygons["site_id"] + "-2")], ignore_index=True)
    doubled = gpd.GeoDataFrame(doubled, geometry="geometry", crs=sites.crs)
    one = screen_sites(doubled, ls, buffer_m=BUFFER, workers=1).findings
    two = screen_sites(doubled, ls, buffer_m=BUFFER, workers=2, chunk_size=50).findings
    columns = [c for c in one.columns if c != one.geometry.name]
    pd.testing.assert_frame_equal(pd.DataFrame(two[columns]), pd.DataFrame(one[columns]))
    first = one[~one["site_id"].str.endswith("-2")].reset_index(drop=True)
    second = one[one["site_id"].str.endswith("-2")].reset_index(drop=True)
    assert (second["site_id"] == first["site_id"] + "-2").all()
    np.testing.assert_array_equal(second["overlap_area_m2"], first["overlap_area_m2"])


@pytest.mark.parametrize(
    "setting",
    [
        ("spatial", "_OUTWARD_MIN_ZONES", 0.0),  # every layer searched outwards, radius by radius
        ("spatial", "_OUTWARD_MIN_ZONES", 1e12),  # every layer searched over the whole buffer at once
        ("points", "_VECTOR_MAX_VERTICES", 0),  # every point measured by GEOS instead of the vectorised path
        ("index", "PIECE_VERTICES", 10**9),  # no zone cut in pieces: points located against whole zones
        ("index", "PIECE_VERTICES", 6),  # zones cut in very small pieces
    ],
)
def test_nearest_search_strategies_give_the_same_findings(slice_, monkeypatch, setting):
    import importlib

    module, name, value = setting
    engine = importlib.import_module(f"redline.checks.engine.{module}")
    ls, sites = slice_

    def forget_pieces():
        for layer in ls.layers:
            layer.engine_index = None

    base = screen_sites(sites, ls, buffer_m=BUFFER).findings
    monkeypatch.setattr(engine, name, value)
    forget_pieces()
    try:
        other = screen_sites(sites, ls, buffer_m=BUFFER).findings
        if name == "PIECE_VERTICES":  # the setting took effect
            cut = [layer.engine_index.point_index.zone is not None for layer in ls.layers if layer.engine_index]
            assert any(cut) == (value < 100)
    finally:
        forget_pieces()
    pd.testing.assert_frame_equal(
        pd.DataFrame(other[[*KEY, "relation"]]).reset_index(drop=True),
        pd.DataFrame(base[[*KEY, "relation"]]).reset_index(drop=True),
    )
    np.testing.assert_allclose(other["distance_m"], base["distance_m"], rtol=0, atol=1e-3)
    np.testing.assert_allclose(other["overlap_area_m2"], base["overlap_area_m2"], rtol=1e-9, atol=1e-6)
