"""Build the bundled illustrative sample layer set (示意数据，非官方 / illustrative, not official).

Run from the repository root::

    python tools/generate_sample.py            # rebuild everything under layers/sample/data/
    python tools/generate_sample.py --check    # rebuild, then verify the invariants

The sample region is modelled on the 钦州城乡融合发展试验区 plan (seed 000): the towns 武利 and
伯劳 (灵山县 450721), 北通 and 白石水 (浦北县 450722) and the 五皇山片区, on the two counties'
shared border.  Every zone, river, site and name below is invented for the demo; only the county
border and the counties' northern outline are real (GCJ-02, from the data files of the PyPI
package ``cnmaps`` 1.1.7, BSD-3-Clause, Amap boundaries), used as if they were CGCS2000 to put
the invented geometry near the real place (GCJ-02 is offset a few hundred metres from CGCS2000).
Besides the four statutory layers it builds the regional zones the plan names (重点流域, 水源涵养区,
禁养区, 工业园区: the kinds of the regional catalogue ``qinzhou_pilot``), the urban development
boundary (城镇开发边界, for the 三区三线 check with the red line and the farmland), a confidential
(涉密) forest park (自然保护地, marked ``confidential: true`` in the manifest, modelled on the
forest park whose boundary the 柳州市城中区 plan of seed 002 leaves undrawn 因保密问题), an invented
access list (生态环境准入清单) for every control unit, written as bureaus publish it by the sibling
``tools/sample_access_list.py`` (access_list.xlsx, read by the screen from its text), the sample
sites with their project facts and expected answers (the manifest declares the coverage, the
control units: two sites test its edge), and ``tests/data/defective/``: a window of the
sample with one planted defect of every kind ``redline layers validate`` reports, and
``expected.csv`` listing them with their areas (computed here with pyproj.Geod).

Deterministic: fixed seeds, no network, fixed timestamps; re-running writes byte-identical files.
The geometry is built in metres in the basic-farmland CRS (EPSG:4546, CGCS2000 3-degree
Gauss-Kruger CM 111E) around a local origin, then written in EPSG:4490 (the farmland stays in
EPSG:4546 on purpose, so the readers must reproject it).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Geod, Transformer
from shapely import ops
from shapely.affinity import rotate, scale
from shapely.geometry import LineString, Point, Polygon, box

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sample_access_list as access  # the sibling tool that writes the access list

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "layers" / "sample" / "data"
#: the defective variant is a test fixture: it lives in the tests, not in the installed package
DEFECTIVE_TEST_DIR = REPO / "tests" / "data" / "defective"
GEO_CRS = "EPSG:4490"
WORK_CRS = "EPSG:4546"  # CGCS2000 / 3-degree Gauss-Kruger CM 111E: the region is east of 109.5E
ORIGIN_LONLAT = (109.525, 22.505)  # local origin of the km grid used below
SEED = 2025_01_00
REGION_AREA_KM2 = 960.0
BUFFER_M = 1000.0  # the checker's default search distance, used by --check
SJSM = "示意数据，非官方 illustrative, not official"
NOTICE = "示意数据（非官方）/ illustrative, not official data — never use for a real review"
FIXED_DATE = "2025-01-01"
LINGSHAN, PUBEI = "450721", "450722"
COUNTY_NAMES = {LINGSHAN: "灵山县", PUBEI: "浦北县"}
GEOD = Geod(ellps="GRS80")  # CGCS2000 ellipsoid to well below a millimetre

# The counties' shared border (north to south), lon/lat GCJ-02, cnmaps 1.1.7 450721 ∩ 450722,
# clipped to 22.33N and simplified to 0.0002 degrees.
_BORDER = """
    109.51796,22.63553 109.52002,22.63406 109.52071,22.63263 109.52067,22.63170
    109.51903,22.62742 109.51863,22.62328 109.51738,22.62095 109.51728,22.61830
    109.51544,22.61700 109.51393,22.61272 109.51393,22.61144 109.51517,22.60786
    109.51410,22.60534 109.51307,22.60524 109.50958,22.60737 109.50729,22.60795
    109.50573,22.60788 109.50477,22.60864 109.50344,22.60904 109.49933,22.60877
    109.49943,22.60773 109.50046,22.60668 109.50258,22.60266 109.50321,22.59992
    109.50477,22.59817 109.50604,22.59737 109.50791,22.59722 109.51717,22.59331
    109.51880,22.59174 109.51952,22.59014 109.52051,22.58894 109.52195,22.58772
    109.52411,22.58488 109.52528,22.58406 109.52817,22.58403 109.52929,22.58316
    109.53583,22.58237 109.53690,22.58235 109.53950,22.58309 109.54233,22.58293
    109.54947,22.57921 109.55474,22.57207 109.55336,22.56986 109.55209,22.56981
    109.55014,22.57129 109.54856,22.56648 109.54679,22.56530 109.54622,22.56447
    109.54639,22.56307 109.54918,22.56052 109.55087,22.55983 109.55366,22.56094
    109.55732,22.56110 109.55918,22.56099 109.56530,22.55897 109.56728,22.55759
    109.56763,22.55694 109.56602,22.55466 109.56619,22.55258 109.56729,22.55176
    109.56875,22.55146 109.56976,22.55190 109.57530,22.55134 109.57664,22.55049
    109.57657,22.54931 109.57444,22.54530 109.57385,22.54485 109.56395,22.53936
    109.56180,22.53842 109.56000,22.53803 109.55328,22.53439 109.55157,22.53406
    109.54985,22.53302 109.54745,22.52899 109.54598,22.52739 109.54481,22.52451
    109.54434,22.52147 109.54171,22.51890 109.53111,22.50446 109.51953,22.48635
    109.51190,22.47581 109.50277,22.46573 109.49044,22.45405 109.48650,22.44878
    109.48281,22.44557 109.47814,22.43319 109.48210,22.42125 109.48877,22.41184
    109.48977,22.40243 109.48510,22.38936 109.48214,22.38248 109.47598,22.38088
    109.46386,22.39328 109.45474,22.39742 109.44808,22.39076 109.44686,22.37998
    109.44736,22.37585 109.44763,22.36599 109.44319,22.36025 109.43776,22.35658
    109.41824,22.35404 109.40763,22.35035 109.39898,22.34047 109.39831,22.33424
    109.39892,22.33380 109.40137,22.33000
"""

# The northern outline of 灵山县 ∪ 浦北县 (west to east), same source, simplified to 0.0003 deg.
_NORTH_EDGE = """
    109.30000,22.57440 109.30285,22.57540 109.30455,22.57766 109.30673,22.58434
    109.30685,22.58621 109.31000,22.58715 109.32155,22.59683 109.32416,22.60125
    109.32406,22.60457 109.32464,22.60783 109.33150,22.60941 109.33714,22.61465
    109.33777,22.61550 109.33826,22.61792 109.33936,22.61891 109.34169,22.61947
    109.34310,22.62046 109.34672,22.62514 109.34859,22.62527 109.34997,22.62397
    109.35100,22.62382 109.35193,22.62510 109.35133,22.62639 109.35165,22.62810
    109.35366,22.62866 109.35968,22.62820 109.36707,22.62672 109.36832,22.62700
    109.37112,22.63041 109.37346,22.63567 109.37425,22.63638 109.38229,22.63975
    109.38353,22.63989 109.38692,22.63901 109.39673,22.63110 109.39811,22.62923
    109.39964,22.62822 109.40180,22.62764 109.40396,22.62805 109.40644,22.63031
    109.40863,22.63386 109.41048,22.63484 109.41248,22.63440 109.41615,22.63052
    109.41723,22.63008 109.41987,22.63263 109.42787,22.63414 109.42896,22.63162
    109.43704,22.63140 109.43957,22.63288 109.44071,22.63072 109.43852,22.62178
    109.43844,22.61611 109.43892,22.61342 109.44490,22.61106 109.44737,22.61152
    109.44838,22.61486 109.44678,22.61901 109.44782,22.62214 109.44611,22.62552
    109.45031,22.63066 109.45679,22.63147 109.45976,22.63101 109.46419,22.62949
    109.46727,22.63126 109.47227,22.63309 109.47316,22.63477 109.47414,22.63877
    109.47728,22.64251 109.47855,22.64341 109.48730,22.64694 109.48963,22.65100
    109.49165,22.65212 109.50896,22.64151 109.51288,22.63805 109.51566,22.63754
    109.51796,22.63553 109.51790,22.63831 109.51948,22.64176 109.52097,22.64280
    109.52184,22.64151 109.52606,22.64374 109.53114,22.64538 109.53431,22.64771
    109.53682,22.64874 109.53896,22.64931 109.54326,22.64951 109.54475,22.65021
    109.54886,22.64985 109.55112,22.65184 109.55458,22.65266 109.55587,22.65613
    109.55653,22.65966 109.56179,22.65782 109.56351,22.65604 109.56460,22.65588
    109.56741,22.65664 109.56844,22.65738 109.56933,22.65971 109.56879,22.66201
    109.56903,22.66564 109.57250,22.66938 109.57596,22.67179 109.57723,22.67197
    109.57772,22.67404 109.57667,22.67516 109.57699,22.67659 109.57848,22.67681
    109.58125,22.67888 109.58191,22.68114 109.58322,22.68139 109.59354,22.67794
    109.59665,22.67920 109.60060,22.67722 109.60359,22.67389 109.60451,22.67347
    109.60759,22.67417 109.60818,22.67326 109.61120,22.67244 109.61347,22.67100
    109.61438,22.66996 109.61293,22.66522 109.61302,22.66341 109.61400,22.66287
    109.61903,22.66228 109.62236,22.65891 109.62381,22.65608 109.62444,22.65337
    109.62580,22.65276 109.62776,22.65428 109.62948,22.65651 109.63212,22.65768
    109.63504,22.65855 109.64142,22.65875 109.64379,22.65988 109.64514,22.66004
    109.64659,22.65943 109.64733,22.65971 109.64838,22.66035 109.64851,22.66216
    109.64668,22.66471 109.65161,22.66804 109.65575,22.66545 109.66225,22.66240
    109.65980,22.66009 109.66114,22.63929 109.66288,22.62529 109.66613,22.61750
    109.67108,22.61039 109.67729,22.60398 109.69045,22.59666 109.70782,22.58935
    109.71476,22.58362 109.71442,22.58186 109.71712,22.58142 109.71840,22.58007
    109.71983,22.57951 109.72066,22.57815 109.72056,22.57730 109.71994,22.57695
    109.72002,22.57604 109.72163,22.57541 109.71999,22.57242 109.72019,22.57161
    109.72112,22.57160 109.72207,22.57035 109.72192,22.56775 109.71925,22.56380
    109.71905,22.56209 109.71791,22.56074 109.71865,22.55938 109.71995,22.55932
    109.72112,22.56031 109.72256,22.55875 109.72381,22.55854 109.72550,22.56103
    109.72631,22.56140 109.72835,22.56031 109.73067,22.55735 109.73269,22.55685
    109.73354,22.55565 109.73810,22.55656 109.73915,22.55601 109.74083,22.55617
    109.74238,22.55568 109.74300,22.55664 109.74442,22.55652 109.74585,22.55752
    109.74653,22.55820 109.74654,22.55966 109.74769,22.56092 109.75070,22.56197
    109.75062,22.56331 109.75298,22.56458 109.75501,22.56198 109.75632,22.56167
    109.75724,22.55884 109.76000,22.55786
"""

# --------------------------------------------------------------------------- coordinates

_TO_WORK = Transformer.from_crs(GEO_CRS, WORK_CRS, always_xy=True)
_TO_GEO = Transformer.from_crs(WORK_CRS, GEO_CRS, always_xy=True)
_X0, _Y0 = _TO_WORK.transform(*ORIGIN_LONLAT)


#: longest straight edge (m) where zone boundaries meet, so that edges stay straight enough
#: when reprojected between the work CRS and lon/lat
SEGMENT_M = 100.0
GRID_M = 0.01  # precision grid (m) of the overlays that cut the region into towns and units


def km(x: float, y: float) -> tuple[float, float]:
    """Work-CRS metres of a point given in km east and north of the local origin."""
    return (_X0 + 1000.0 * x, _Y0 + 1000.0 * y)


def km_line(points) -> LineString:
    """A work-CRS line through points given in local km."""
    return LineString([km(x, y) for x, y in points])


def to_work(geom):
    """Reproject a lon/lat (EPSG:4490) geometry to the work CRS."""
    return shapely.transform(geom, lambda c: np.column_stack(_TO_WORK.transform(c[:, 0], c[:, 1])))


def to_geo(geom):
    """Reproject a work-CRS geometry to EPSG:4490 lon/lat, rounded to 1e-9 degree (0.1 mm)."""
    return shapely.transform(geom, lambda c: np.round(np.column_stack(_TO_GEO.transform(c[:, 0], c[:, 1])), 9))


def round_work(geom):
    """Round work-CRS coordinates to the centimetre."""
    return shapely.transform(geom, lambda c: np.round(c, 2))


def parse_lonlat(text: str) -> list[tuple[float, float]]:
    """Parse the embedded ``lon,lat lon,lat ...`` outline strings."""
    return [(float(a), float(b)) for a, b in (item.split(",") for item in text.split())]


def largest(geom):
    """The largest polygon of a (multi)polygon, a collection or an array of geometries."""
    parts = shapely.get_parts(geom)
    return max((g for g in parts if g.geom_type == "Polygon"), key=lambda g: g.area)


# --------------------------------------------------------------------------- shapes


def blob(center, rx, ry, seed, *, wobble=0.08, angle=0.0, n=160) -> Polygon:
    """An irregular smooth shape: an ellipse (radii in km) with a few random low harmonics."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 7):
        r += wobble / k * rng.uniform(0.5, 1.0) * np.cos(k * t + rng.uniform(0.0, 2.0 * np.pi))
    x, y = rx * r * np.cos(t), ry * r * np.sin(t)
    a = math.radians(angle)
    xr, yr = x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)
    return Polygon([km(center[0] + u, center[1] + v) for u, v in zip(xr, yr, strict=True)])


def smooth_line(points, rounds: int = 4) -> LineString:
    """A Chaikin-smoothed work-CRS line through control points given in local km."""
    p = np.asarray(points, dtype=float)
    for _ in range(rounds):
        q = np.empty((2 * (len(p) - 1), 2))
        q[0::2] = 0.75 * p[:-1] + 0.25 * p[1:]
        q[1::2] = 0.25 * p[:-1] + 0.75 * p[1:]
        p = np.vstack([p[:1], q, p[-1:]])
    return km_line(p)


def north_of(points) -> Polygon:
    """The half-plane north of a west-to-east polyline given in local km."""
    pts = list(shapely.segmentize(km_line(points), SEGMENT_M).coords)
    return Polygon([*pts, km(points[-1][0], 90.0), km(points[0][0], 90.0)])


def west_of(points) -> Polygon:
    """The half-plane west of a south-to-north polyline given in local km."""
    pts = list(shapely.segmentize(km_line(points), SEGMENT_M).coords)
    return Polygon([*pts, km(-90.0, points[-1][1]), km(-90.0, points[0][1])])


def frame(line: LineString, s: float):
    """Point, unit tangent and unit left normal of ``line`` at arc length ``s`` (m)."""
    p0 = np.array(line.interpolate(max(s - 25.0, 0.0)).coords[0])
    p1 = np.array(line.interpolate(min(s + 25.0, line.length)).coords[0])
    t = (p1 - p0) / np.linalg.norm(p1 - p0)
    return np.array(line.interpolate(s).coords[0]), t, np.array([-t[1], t[0]])


def along(line: LineString, s: float, lateral: float = 0.0) -> Point:
    """The point ``lateral`` metres left of ``line`` at arc length ``s`` (negative: right)."""
    p, _, n = frame(line, s)
    return Point(p + lateral * n)


def rect(center: Point, width: float, height: float, angle: float = 0.0) -> Polygon:
    """A ``width`` x ``height`` metre rectangle centred on ``center``, rotated ``angle`` deg."""
    r = box(center.x - width / 2, center.y - height / 2, center.x + width / 2, center.y + height / 2)
    return rotate(r, angle, origin=center)


def river_rect(line: LineString, s: float, lateral: float, width: float, height: float) -> Polygon:
    """A rectangle aligned with ``line``: ``width`` along it, ``height`` across it."""
    c = along(line, s, lateral)
    _, t, _ = frame(line, s)
    return rect(c, width, height, math.degrees(math.atan2(t[1], t[0])))


def reach(line: LineString, s0: float, s1: float) -> LineString:
    """The part of ``line`` between arc lengths ``s0`` and ``s1``."""
    return ops.substring(line, max(s0, 0.0), min(s1, line.length))


# --------------------------------------------------------------------------- region


def build_region() -> Polygon:
    """The ~960 km² study region: an irregular shape cut by the counties' northern outline."""
    north = to_work(LineString(parse_lonlat(_NORTH_EDGE)))
    (wx, _), (ex, _) = north.coords[0], north.coords[-1]
    floor = min(y for _, y in north.coords) - 60_000.0
    clip = Polygon([*north.coords, (ex, floor), (wx, floor)])
    base = blob((0.0, 0.0), 19.5, 16.0, SEED + 1, wobble=0.10, n=240)
    lo, hi = 0.8, 1.3
    for _ in range(50):
        mid = (lo + hi) / 2
        shape = scale(base, mid, mid, origin=km(0, 0)).intersection(clip)
        area = abs(GEOD.geometry_area_perimeter(to_geo(shape))[0])
        lo, hi = (mid, hi) if area < REGION_AREA_KM2 * 1e6 else (lo, mid)
    region = largest(scale(base, lo, lo, origin=km(0, 0)).intersection(clip))
    return round_work(shapely.segmentize(region, SEGMENT_M))


def west_of_border() -> Polygon:
    """Everything west of the real 灵山/浦北 border, i.e. the 灵山 side (work CRS)."""
    border = parse_lonlat(_BORDER)
    (nx, _), (sx, _) = border[0], border[-1]
    west = Polygon([(nx, 22.8), *border, (sx, 22.2), (108.8, 22.2), (108.8, 22.8)])
    if not west.is_valid:
        raise ValueError("the embedded border does not close into a valid polygon")
    return to_work(shapely.segmentize(west, 0.0005))


# Town split lines in local km (west to east, or south to north for WUHUANG_EAST).
BOLAO_SOUTH = [(-40, 3.4), (-16, 4.2), (-11, 3.0), (-7, 3.6), (-3, 2.8), (12, 3.0)]
BEITONG_SOUTH = [(-12, -1.2), (0, -0.8), (6, -1.6), (12, -0.6), (40, -1.4)]
WUHUANG_EAST = [(8.6, -40), (8.0, -10), (9.0, -5), (8.4, 5)]

#: town -> county, kind, seat (local km)
TOWNS = {
    "武利镇": (LINGSHAN, "镇", (-9.2, 0.3)),
    "伯劳镇": (LINGSHAN, "镇", (-6.7, 5.6)),
    "北通镇": (PUBEI, "镇", (12.6, 4.7)),
    "白石水镇": (PUBEI, "镇", (12.4, -6.2)),
    "五皇山片区": (PUBEI, "片区", (2.2, -3.6)),
}


def town_of(face: Polygon, west: Polygon) -> str:
    """The town a face of the noded region, border and split lines belongs to."""
    p = face.representative_point()
    if west.contains(p):
        return "伯劳镇" if north_of(BOLAO_SOUTH).contains(p) else "武利镇"
    if north_of(BEITONG_SOUTH).contains(p):
        return "北通镇"
    return "五皇山片区" if west_of(WUHUANG_EAST).contains(p) else "白石水镇"


def absorb_slivers(towns: dict[str, Polygon]) -> dict[str, Polygon]:
    """Give each detached sliver of a town to the neighbour it shares most boundary with."""
    for name in list(towns):
        parts = sorted(shapely.get_parts(towns[name]), key=lambda g: g.area, reverse=True)
        towns[name] = parts[0]
        for part in parts[1:]:
            other = max(
                (t for t in towns if t != name),
                key=lambda t, part=part: part.boundary.intersection(towns[t].boundary).length,
            )
            towns[other] = shapely.coverage_union_all([towns[other], part])
    return towns


def build_towns(region: Polygon) -> dict[str, Polygon]:
    """The four towns and the 五皇山片区, tiling the region.

    The region outline, the county border and the split lines are noded together once and
    polygonized, so that neighbouring towns share every vertex of their common edges.
    """
    west = west_of_border()
    splits = [shapely.segmentize(km_line(pts), SEGMENT_M) for pts in (BOLAO_SOUTH, BEITONG_SOUTH, WUHUANG_EAST)]
    lines = shapely.get_parts(shapely.union_all([region.exterior, west.exterior, *splits]))
    shapely.prepare(region)
    groups: dict[str, list[Polygon]] = {t: [] for t in TOWNS}
    for face in shapely.get_parts(shapely.polygonize(lines)):
        if region.contains(face.representative_point()):
            groups[town_of(face, west)].append(face)
    towns = absorb_slivers({t: shapely.coverage_union_all(faces) for t, faces in groups.items()})
    towns = {t: shapely.set_precision(g, GRID_M) for t, g in towns.items()}  # shared edges snap alike
    for name, geom in towns.items():
        if geom.geom_type != "Polygon":
            raise ValueError(f"town {name} is not one polygon: {geom.geom_type}")
    if abs(sum(g.area for g in towns.values()) - region.area) > 1.0:
        raise ValueError("the towns do not add up to the region")
    return towns


# --------------------------------------------------------------------------- rivers

#: name -> control points in local km, upstream first
RIVERS = {
    "武利江": [
        (-24, -2.6),
        (-19, -2.0),
        (-15, -1.7),
        (-12, -1.2),
        (-9.5, -0.6),
        (-7, -0.4),
        (-4.5, -0.1),
        (-2, 0.4),
        (0.5, 0.9),
        (3, 1.4),
        (6, 2.2),
        (9, 3.2),
        (12, 4.3),
        (15, 5.0),
        (18, 5.6),
        (24, 6.5),
    ],
    "沙埠江": [
        (-10.8, 17.5),
        (-10.4, 14.0),
        (-9.7, 11.5),
        (-8.6, 9.6),
        (-7.6, 7.8),
        (-6.9, 6.0),
        (-6.4, 4.0),
        (-5.8, 1.8),
        (-5.3, -0.15),
    ],
    "张黄江": [(9.5, -1.5), (11, -4.0), (12.2, -6.5), (13.2, -9.5), (14.5, -13), (16, -19)],
    "大风江": [(3.2, -10.5), (2.6, -13), (1.6, -15.5), (0.6, -20)],
}

#: unnamed streams (小溪) whose valleys hold farmland, local km, upstream first
STREAMS = [
    [(-15, -12.5), (-12.5, -9.5), (-10, -7.5), (-8, -6.3), (-5.5, -6.0), (-4.5, -3.0)],
    [(-3.5, 12), (-3.0, 9), (-3.5, 6), (-4.5, 3.5), (-5.8, 2.0)],
    [(5, 13), (6.5, 10), (8, 7), (9, 3.3)],
    [(18, -3), (15.5, -5), (12.8, -7.5)],
    [(14, 11), (13.5, 8), (12.9, 4.6)],
    [(-17.5, 8.5), (-16, 4.5), (-15.5, 0.5), (-15.2, -1.6)],
]


def build_rivers() -> dict[str, LineString]:
    """The named rivers (work CRS, flowing from the first point); 沙埠江 joins 武利江."""
    rivers = {name: smooth_line(pts) for name, pts in RIVERS.items()}
    wuli = rivers["武利江"]
    mouth = wuli.interpolate(wuli.project(Point(rivers["沙埠江"].coords[-1])))
    rivers["沙埠江"] = LineString([*rivers["沙埠江"].coords[:-1], mouth.coords[0]])
    return {name: round_work(line) for name, line in rivers.items()}


def build_streams() -> list[LineString]:
    """Unnamed streams, used for the farmland valleys and drawn on maps."""
    return [round_work(smooth_line(pts)) for pts in STREAMS]


# --------------------------------------------------------------------------- water sources

#: key, name, county, town, river, intake (local km), intake name
SOURCE_SPECS = [
    ("WL", "武利镇武利江水源地", LINGSHAN, "武利镇", "武利江", (-12.3, -1.1), "武利镇水厂取水口"),
    ("BL", "伯劳镇沙埠江水源地", LINGSHAN, "伯劳镇", "沙埠江", (-8.1, 8.9), "伯劳镇水厂取水口"),
    ("BT", "北通镇武利江（北通河段）水源地", PUBEI, "北通镇", "武利江", (8.6, 3.0), "北通镇水厂取水口"),
]

#: class, label, reach start and end relative to the intake (m, + downstream), half-width (m)
LEVELS = [
    ("first", "一级保护区", -1000.0, 100.0, 100.0),
    ("second", "二级保护区", -2000.0, 300.0, 400.0),
    ("quasi", "准保护区", -3500.0, 500.0, 800.0),
]


@dataclass
class Source:
    """One river-type drinking-water source and its three nested protection levels."""

    key: str
    name: str
    county: str
    town: str
    river: LineString
    s: float
    intake_name: str
    zones: dict[str, Polygon] = field(default_factory=dict)
    outers: dict[str, Polygon] = field(default_factory=dict)  # each level with the levels inside it
    envelope: Polygon | None = None  # the outer edge of the 准保护区

    @property
    def intake(self) -> Point:
        """The intake point on the river."""
        return self.river.interpolate(self.s)


def build_sources(rivers: dict[str, LineString], towns: dict[str, Polygon]) -> list[Source]:
    """Three water sources: 一级 around the intake, 二级 and 准 as rings around it."""
    sources = []
    for key, name, county, town, river_name, intake, intake_name in SOURCE_SPECS:
        river = rivers[river_name]
        src = Source(key, name, county, town, river, river.project(Point(km(*intake))), intake_name)
        inner = None
        for cls, _, a, b, half in LEVELS:
            outer = reach(river, src.s + a, src.s + b).buffer(half, cap_style="flat")
            outer = round_work(shapely.segmentize(outer, SEGMENT_M))
            if inner is not None and not outer.contains(inner):
                raise ValueError(f"{name}: level {cls} does not contain the level inside it")
            src.zones[cls] = outer if inner is None else round_work(outer.difference(inner))
            src.outers[cls] = outer
            inner = outer
        src.envelope = inner
        if not towns[town].contains(inner):
            raise ValueError(f"{name}: the 准保护区 leaves {town}")
        sources.append(src)
    return sources


# --------------------------------------------------------------------------- red line


@dataclass
class Zone:
    """One zone polygon with its attributes (red line or control unit)."""

    code: str
    name: str
    cls: str
    county: str
    town: str
    geom: Polygon


def build_redline(rivers: dict[str, LineString], towns: dict[str, Polygon]) -> list[Zone]:
    """五皇山 (core + the ring around it), 罗阳山 and a 武利江 wetland strip."""
    outer = blob((2.6, -8.4), 4.2, 3.8, SEED + 11, wobble=0.12, angle=-15)
    core = blob((3.0, -8.8), 1.7, 1.4, SEED + 12, wobble=0.10, angle=20)
    if not outer.buffer(-300).contains(core):
        raise ValueError("the 五皇山 core is not well inside the red line")
    luoyang = blob((-14.2, 7.0), 2.4, 1.8, SEED + 13, wobble=0.14, angle=25)
    wuli = rivers["武利江"]
    s0 = wuli.project(Point(km(-4.2, 0)))
    wetland = reach(wuli, s0, s0 + 3000.0).buffer(150.0, cap_style="round")
    zones = [
        Zone("HX450722-001", "五皇山国家地质公园生态保护红线（核心保护区）", "核心保护区", PUBEI, "五皇山片区", core),
        Zone(
            "HX450722-002",
            "五皇山国家地质公园生态保护红线（一般控制区）",
            "一般控制区",
            PUBEI,
            "五皇山片区",
            outer.difference(core),
        ),
        Zone("HX450721-001", "罗阳山水源涵养生态保护红线", "一般控制区", LINGSHAN, "伯劳镇", luoyang),
        Zone("HX450721-002", "武利江湿地生态保护红线", "一般控制区", LINGSHAN, "武利镇", wetland),
    ]
    for z in zones:
        z.geom = round_work(shapely.segmentize(z.geom, SEGMENT_M))
        if not towns[z.town].contains(z.geom):
            raise ValueError(f"red line {z.code} leaves {z.town}")
    return zones


# --------------------------------------------------------------------------- park

PARK_NAME = "武利工业园"
PARK_AREA_KM2 = 5.96
PARK_OUTLINE = [(-8.7, -2.6), (-6.9, -2.2), (-5.4, -2.6), (-5.3, -3.6), (-5.9, -4.4), (-7.6, -4.5), (-8.6, -3.9)]


def build_park() -> Polygon:
    """武利工业园: an invented 5.96 km² outline south-east of 武利镇."""
    park = Polygon([km(x, y) for x, y in PARK_OUTLINE])
    f = math.sqrt(PARK_AREA_KM2 * 1e6 / abs(GEOD.geometry_area_perimeter(to_geo(park))[0]))
    return round_work(scale(park, f, f, origin=park.centroid))


#: 光达新材料产业园, the electroplating cluster: the part of 武利工业园 east of this line (local km,
#: south to north)
GUANGDA_NAME = "光达新材料产业园"
GUANGDA_CUT = [(-6.05, -5.0), (-6.25, -3.9), (-6.05, -3.0), (-6.35, -1.5)]


def build_guangda(park: Polygon) -> Polygon:
    """光达新材料产业园 (电镀集中区): the east end of 武利工业园, a park inside the park."""
    east = west_of(GUANGDA_CUT)
    return round_work(shapely.segmentize(park, SEGMENT_M).difference(east, grid_size=GRID_M))


# --------------------------------------------------------------------------- control units

CLASS_CODES = {"priority": "1", "key": "2", "general": "3"}
CLASS_LABELS = {"1": "优先保护单元", "2": "重点管控单元", "3": "一般管控单元"}

#: key units other than the park: name, town, centre (local km), radii (km), seed offset
TOWN_CENTRES = [
    ("武利镇镇区重点管控单元", "武利镇", (-9.2, 0.3), (1.5, 1.2), 21),
    ("伯劳镇镇区重点管控单元", "伯劳镇", (-6.7, 5.6), (1.3, 1.1), 22),
    ("北通镇镇区重点管控单元", "北通镇", (12.6, 4.7), (1.2, 1.0), 23),
    ("白石水镇镇区重点管控单元", "白石水镇", (12.4, -6.2), (1.1, 0.9), 24),
]


def inner_part(town: Polygon, gap: float = 100.0) -> Polygon:
    """``town`` without a ``gap``-wide strip along its edge.

    Priority and key units are carved from it, so they never reach a town or region border and
    every unit edge is shared exactly by two units (no vertex of one unit in the middle of
    another's edge, which would leave slivers after snapping or reprojection).
    """
    return town.buffer(-gap).intersection(town, grid_size=GRID_M)


def build_units(towns, redline, sources, park, guangda) -> list[Zone]:
    """Environmental control units tiling the region: priority, key, then general leftovers.

    光达新材料产业园 is a key unit of its own inside 武利工业园 (its access list allows
    electroplating, the park's does not); it comes last so that the older units keep their codes.
    """
    red = {z.code: z.geom for z in redline}
    wuhuang = red["HX450722-001"].union(red["HX450722-002"])
    luoyang, wetland = red["HX450721-001"], red["HX450721-002"]
    # name, town, unit outline, what the unit must cover
    priority = [
        ("五皇山优先保护单元", "五皇山片区", wuhuang.buffer(2000.0), wuhuang),
        ("罗阳山优先保护单元", "伯劳镇", luoyang.buffer(800.0), luoyang),
        ("武利江湿地优先保护单元", "武利镇", wetland.buffer(250.0), wetland),
    ] + [
        (f"{s.name.replace('（北通河段）', '')}优先保护单元", s.town, s.envelope.buffer(300.0), s.envelope)
        for s in sources
    ]
    park_rest = park.difference(guangda, grid_size=GRID_M)
    key = [
        ("武利工业园重点管控单元", "武利镇", park_rest, park_rest),
        *[
            (name, town, blob(c, rx, ry, SEED + k, wobble=0.12), Point(km(*c)))
            for name, town, c, (rx, ry), k in TOWN_CENTRES
        ],
        (f"{GUANGDA_NAME}重点管控单元", "武利镇", guangda, guangda),
    ]
    parts: list[tuple[str, str, str, Polygon]] = []
    taken = {t: Polygon() for t in towns}
    for cls, specs in (("priority", priority), ("key", key)):
        for name, town, geom, cover in specs:
            room = inner_part(towns[town])
            g = shapely.segmentize(geom, SEGMENT_M).intersection(room, grid_size=GRID_M)
            g = g.difference(taken[town], grid_size=GRID_M)
            if g.area < 0.98 * geom.intersection(room).area:
                raise ValueError(f"unit {name} overlaps an earlier unit")
            if not g.buffer(0.05).contains(cover):
                raise ValueError(f"unit {name} does not cover what it protects")
            parts.append((cls, name, town, g))
            taken[town] = taken[town].union(g, grid_size=GRID_M)
    for town, geom in towns.items():
        rest = geom.difference(taken[town], grid_size=GRID_M)
        parts.append(("general", f"{town}一般管控单元", town, rest))
    serial: dict[tuple[str, str], int] = {}
    units = []
    for cls, name, town, geom in parts:
        county = TOWNS[town][0]
        digit = CLASS_CODES[cls]
        serial[county, digit] = serial.get((county, digit), 0) + 1
        code = f"ZH{county}{digit}{serial[county, digit]:04d}"
        units.append(Zone(code, name, digit, county, town, geom))
    return units


# --------------------------------------------------------------------------- regional zones
# The kinds of the regional catalogue qinzhou_pilot (zones/catalog/qinzhou_pilot.yaml): 重点流域,
# 水源涵养区, 畜禽养殖禁养区 and 工业园区.  The plan names them without drawing them; every
# outline below is invented.

PARK_UNITS = ("武利工业园重点管控单元", f"{GUANGDA_NAME}重点管控单元")


@dataclass
class Area:
    """One regional zone polygon: code, name, class (or kind label) and extra attributes."""

    code: str
    name: str
    cls: str
    geom: Polygon
    attrs: dict[str, object] = field(default_factory=dict)


#: the 张黄江 catchment (not a key basin) and the 大风江 catchment, local km; the divides run over
#: the 五皇山 massif north of its summit and between 武利江 and 张黄江 south of 北通
ZHANGHUANG_CATCHMENT = [
    (8.6, -40.0),
    (8.2, -12.0),
    (7.6, -7.5),
    (7.2, -4.5),
    (7.4, -2.0),
    (9.0, -0.4),
    (12.0, 0.6),
    (15.5, 0.9),
    (19.0, 1.3),
    (40.0, 1.5),
    (40.0, -40.0),
]
DAFENG_CATCHMENT = [
    (-13.0, -40.0),
    (-8.0, -15.5),
    (-5.5, -11.8),
    (-2.8, -9.9),
    (0.5, -7.9),
    (3.0, -7.5),
    (5.5, -7.1),
    (7.6, -7.5),
    (8.2, -12.0),
    (8.6, -40.0),
]


def build_basins(region: Polygon) -> list[Area]:
    """重点流域: the 武利江 catchment (most of the region) and the 大风江 headwaters south of 五皇山."""
    zhanghuang = shapely.segmentize(Polygon([km(x, y) for x, y in ZHANGHUANG_CATCHMENT]), SEGMENT_M)
    dafeng = shapely.segmentize(Polygon([km(x, y) for x, y in DAFENG_CATCHMENT]), SEGMENT_M)
    dafeng = largest(region.intersection(dafeng.difference(zhanghuang), grid_size=GRID_M))
    wuli = largest(region.difference(zhanghuang, grid_size=GRID_M).difference(dafeng, grid_size=GRID_M))
    return [
        Area("LY-WLJ", "武利江流域", "重点流域", round_work(wuli), {"HLMC": "武利江", "SSSX": "南流江水系"}),
        Area(
            "LY-DFJ", "大风江流域（试验区段）", "重点流域", round_work(dafeng), {"HLMC": "大风江", "SSSX": "大风江水系"}
        ),
    ]


def build_eco_function(region: Polygon, units) -> list[Area]:
    """五皇山水源涵养区: the forested massif around and beyond the 五皇山 red line, off the towns."""
    hills = blob((2.6, -7.6), 7.4, 6.8, SEED + 60, wobble=0.07, angle=-10)
    towns = [u.geom.buffer(500.0) for u in units.values() if u.cls == "2"]
    area = largest(region.intersection(shapely.segmentize(hills, SEGMENT_M), grid_size=GRID_M))
    area = largest(area.difference(shapely.union_all(towns), grid_size=GRID_M))
    return [
        Area(
            "ST450722-001",
            "五皇山水源涵养区",
            "水源涵养",
            round_work(area),
            {"GNQLX": "水源涵养", "ZDGN": "水源涵养、生物多样性维护", "XZQDM": PUBEI},
        )
    ]


#: 三门岭森林公园 (invented): a forest park on the eastern hills, south of the 武利江/张黄江 divide.
#: Seed 002's plan (柳州市城中区) leaves 三门江国家森林公园 undrawn 「因保密问题」; this park stands
#: for such a layer: the manifest marks it ``confidential: true`` (涉密), so the checker screens
#: against it but never draws, caches or writes its boundary.
FOREST_PARK_NAME = "三门岭森林公园"
FOREST_PARK_CODE = "ZRGY450722-001"
FOREST_PARK_CENTRE = (15.0, -1.8)  # local km


def build_forest_park(region: Polygon) -> list[Area]:
    """三门岭森林公园: a 森林自然公园 (一般控制区 throughout, as nature parks are), about 5 km²."""
    hills = blob(FOREST_PARK_CENTRE, 1.5, 1.1, SEED + 70, wobble=0.08, angle=15)
    area = largest(region.intersection(shapely.segmentize(hills, SEGMENT_M), grid_size=GRID_M))
    attrs = {"ZRBHDLX": "森林自然公园", "JB": "自治区级", "XZQDM": PUBEI, "SSXZ": "白石水镇"}
    return [Area(FOREST_PARK_CODE, FOREST_PARK_NAME, "一般控制区", round_work(area), attrs)]


LIVESTOCK_TOWN_BUFFER_M = 400.0  # 禁养区 around a town's built-up area (its key unit)


def build_livestock_ban(region: Polygon, sources, units) -> list[Area]:
    """禁养区: the 一级 and 二级 zones of each water source, and each town's built-up area + 400 m."""
    out = []
    for src in sources:
        out.append(
            Area(
                "",
                f"{src.name.replace('（北通河段）', '')}禁养区",
                "饮用水水源保护区",
                src.outers["second"],
                {"XZQDM": src.county, "SSXZ": src.town},
            )
        )
    for name, town, *_ in TOWN_CENTRES:
        built = units[name].geom.buffer(LIVESTOCK_TOWN_BUFFER_M)
        geom = region.intersection(shapely.segmentize(built, SEGMENT_M), grid_size=GRID_M)
        out.append(
            Area("", f"{town}镇区禁养区", "城镇居民区", round_work(geom), {"XZQDM": TOWNS[town][0], "SSXZ": town})
        )
    serial: dict[str, int] = {}
    for a in out:
        county = str(a.attrs["XZQDM"])
        serial[county] = serial.get(county, 0) + 1
        a.code = f"JY{county}-{serial[county]:03d}"
    return out


def build_parks(units) -> list[Area]:
    """工业园区: 武利工业园 and, inside it, 光达新材料产业园 (its electroplating cluster).

    Drawn from the park's two control units (the cm grid they are cut on included), so that a
    site touches a park exactly where it touches the park's units.
    """
    rest, guangda = (units[name].geom for name in PARK_UNITS)
    park = shapely.coverage_union_all([rest, guangda])
    return [
        Area(
            "YQ450721-001",
            PARK_NAME,
            "工业园区",
            park,
            {"ZDCY": "精细化工新材料、木材深加工、五金、金属表面处理", "XZQDM": LINGSHAN},
        ),
        Area(
            "YQ450721-002",
            GUANGDA_NAME,
            "电镀集中区",
            guangda,
            {"ZDCY": "电镀、金属表面处理", "XZQDM": LINGSHAN},
        ),
    ]


def build_urban_boundary(units) -> list[Area]:
    """城镇开发边界: each town centre's key unit and 武利工业园, drawn from those units.

    Key control units are delineated from the urban development boundary and the industrial
    parks, so here the boundary is those units' outlines (the park's two units dissolved): it
    stays clear of the red line (inside priority units) and of the farmland (kept 300 m off the
    town centres and 150 m off the park), as 三区三线 must.
    """
    out = []
    for i, (name, town, *_) in enumerate(TOWN_CENTRES, start=1):
        county = TOWNS[town][0]
        out.append(
            Area(
                f"KFBJ{county}-{i:03d}",
                f"{town}城镇开发边界",
                "城镇集中建设区",
                units[name].geom,
                {"XZQDM": county, "SSXZ": town},
            )
        )
    park = shapely.coverage_union_all([units[name].geom for name in PARK_UNITS])
    out.append(
        Area(
            f"KFBJ{LINGSHAN}-{len(out) + 1:03d}",
            f"{PARK_NAME}城镇开发边界",
            "城镇集中建设区（产业园区）",
            park,
            {"XZQDM": LINGSHAN, "SSXZ": "武利镇"},
        )
    )
    return out


# --------------------------------------------------------------------------- farmland

FARM_SPACING_M = 230.0  # jittered grid: Voronoi cells of about 5 ha
FARM_DROP = 0.12  # share of cells left out (villages, ponds, orchards)
FARM_VALLEY_M = 1300.0  # farmland lies within this distance of a river or stream

#: town -> villages (local km); 汉塘, 大沙, 望坪, 那新, 良田, 清湖 are named in the plan,
#: the others are invented
VILLAGES = {
    "武利镇": [
        ("汉塘村", (-13.5, -4.5)),
        ("大沙村", (-4.0, -5.5)),
        ("望坪村", (-15.0, -8.5)),
        ("武东村", (-5.5, 1.5)),
        ("新塘村", (-10.5, -10.5)),
        ("长坡村", (-16.5, 1.5)),
    ],
    "伯劳镇": [
        ("伯劳村", (-7.5, 5.0)),
        ("沙埠村", (-10.5, 10.5)),
        ("高岭村", (-3.0, 10.0)),
        ("东岭村", (-2.5, 5.0)),
        ("莲塘村", (-16.0, 10.0)),
    ],
    "北通镇": [
        ("那新村", (5.5, 6.5)),
        ("清湖村", (10.0, 9.5)),
        ("北通村", (14.5, 3.0)),
        ("石祖村", (4.0, 11.5)),
        ("平田村", (16.0, 8.0)),
    ],
    "白石水镇": [
        ("良田村", (11.0, -3.0)),
        ("白石水村", (14.5, -8.0)),
        ("六湖村", (11.5, -12.0)),
        ("樟木村", (17.0, -4.0)),
    ],
    "五皇山片区": [("五皇村", (-1.5, -3.5)), ("山心村", (6.5, -2.5)), ("坪垌村", (0.5, -14.0))],
}

#: sites beside a water source: site -> (source, arc offset from the intake (m, + downstream),
#: offset across the river (m, + left bank))
RIVER_SITES = {
    "S01": ("WL", -450.0, 40.0),
    "S02": ("WL", 0.0, 0.0),
    "S03": ("BL", -300.0, -30.0),
    "S04": ("BT", -1500.0, 400.0),
    "S05": ("BT", -1300.0, -200.0),
    "S07": ("BL", -2600.0, 350.0),
    "S08": ("BL", -2700.0, -560.0),
    "S09": ("BL", -2700.0, 520.0),
    "S10": ("BT", -3200.0, 0.0),
    "S11": ("BT", -2600.0, -450.0),
    "S12": ("BT", -2700.0, -1400.0),
}
#: of those, the sites that stand in a village clearing (no farmland within this radius)
VILLAGE_SITES = ["S04", "S07", "S08", "S09", "S11", "S12"]
VILLAGE_RADIUS_M = 450.0
N_CLEARINGS = 30  # other villages, ponds and orchards breaking up the farmland


def river_site(sources: dict[str, Source], site_id: str) -> tuple[LineString, float, float]:
    """``(river, arc length, lateral offset)`` of a site placed beside a water source."""
    key, ds, lateral = RIVER_SITES[site_id]
    src = sources[key]
    return src.river, src.s + ds, lateral


def clearings(valleys, sources: dict[str, Source]) -> list[Polygon]:
    """Farmland-free village clearings: random ones, and one around each village site."""
    rng = np.random.default_rng(SEED + 50)
    x0, y0, x1, y1 = valleys.bounds
    shapely.prepare(valleys)
    out = [along(*river_site(sources, sid)).buffer(VILLAGE_RADIUS_M) for sid in VILLAGE_SITES]
    while len(out) < len(VILLAGE_SITES) + N_CLEARINGS:
        p = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        radius = rng.uniform(150.0, 350.0)
        if valleys.contains(p):
            out.append(p.buffer(radius))
    return out


def farmland_mask(region, towns, rivers, streams, redline, sources, park, units):
    """Where farmland may lie: river valleys, minus red line, water sources, park, towns, hills."""
    waters = [*rivers.values(), *streams]
    valleys = shapely.union_all([w.buffer(FARM_VALLEY_M) for w in waters])
    hills = [u.geom for u in units if u.name in ("五皇山优先保护单元", "罗阳山优先保护单元")]
    centres = [u.geom for u in units if u.cls == "2" and u.name not in PARK_UNITS] + [
        shapely.segmentize(park, SEGMENT_M)
    ]
    exclude = shapely.union_all(
        [z.geom.buffer(300.0) for z in redline]
        + hills
        + [s.zones[c].buffer(50.0) for s in sources for c in ("first", "second")]
        + [park.buffer(150.0)]
        + [g.buffer(300.0) for g in centres]
        + [r.buffer(40.0) for r in rivers.values()]
        + [s.buffer(20.0) for s in streams]
        + [t.boundary.buffer(15.0) for t in towns.values()]
        + clearings(valleys, {s.key: s for s in sources})
    )
    return valleys.intersection(region.buffer(-30.0)).difference(exclude)


def build_farmland(mask, towns) -> gpd.GeoDataFrame:
    """Permanent basic farmland parcels (1-10 ha) tessellating the valleys, EPSG:4546."""
    rng = np.random.default_rng(SEED + 100)
    x0, y0, x1, y1 = mask.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, FARM_SPACING_M), np.arange(y0, y1, FARM_SPACING_M))
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts += rng.uniform(-0.35, 0.35, pts.shape) * FARM_SPACING_M
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box(*mask.bounds)))
    shapely.prepare(mask)
    cells = cells[shapely.contains(mask, cells)]
    cells = cells[rng.random(len(cells)) >= FARM_DROP]
    cells = round_work(shapely.buffer(cells, -1.5, join_style="mitre"))
    area = shapely.area(cells)
    cells = cells[(area >= 1.0e4) & (area <= 1.0e5)]
    cent = shapely.centroid(cells)
    order = np.lexsort((np.round(shapely.get_x(cent), -1), -np.round(shapely.get_y(cent), -2)))
    cells, cent = cells[order], cent[order]
    rows, serial = [], {LINGSHAN: 0, PUBEI: 0}
    kinds = rng.choice(["水田", "水浇地", "旱地"], size=len(cells), p=[0.7, 0.1, 0.2])
    for cell, c, kind in zip(cells, cent, kinds, strict=True):
        town = next(t for t, g in towns.items() if g.contains(c))
        county = TOWNS[town][0]
        serial[county] += 1
        village = min(VILLAGES[town], key=lambda v: Point(km(*v[1])).distance(c))[0]
        area_m2 = abs(GEOD.geometry_area_perimeter(to_geo(cell))[0])
        rows.append(
            {
                "TBBH": f"TB{county}-{serial[county]:06d}",
                "ZLDWMC": village,
                "XZQDM": county,
                "SSXZ": town,
                "DLMC": str(kind),
                "TBMJ": round(area_m2, 2),
                "SJSM": SJSM,
            }
        )
    return gpd.GeoDataFrame(rows, geometry=list(cells), crs=WORK_CRS)


# --------------------------------------------------------------------------- access list
# 生态环境准入清单 of the control units: illustrative clauses written for this sample (after seed
# 000), laid out as a county list is published, by tools/sample_access_list.py: a 单元清单 sheet
# (one row per unit, the four dimensions as columns) and a 总体管控要求 sheet (every unit, each
# class, the 产业集聚 sub-type, 浦北县).  Not any bureau's text.  The screen reads every clause
# from its words; nothing is structured.

#: 适用范围 of the 总体管控要求 sheet -> the scope key the reader gives it (clause ids begin with it)
TOTAL_SCOPES = {
    "全部环境管控单元": "*",
    "优先保护单元": "priority",
    "重点管控单元": "key",
    "产业集聚类重点管控单元": "产业集聚类重点管控单元",
    "一般管控单元": "general",
    "浦北县": "浦北县",
}


def numbered(cell: str) -> list[str]:
    """The clauses of a cell printed as ``1.…`` lines (one clause when it is not numbered)."""
    parts = [line.split(".", 1)[1] if line[:1].isdigit() else line for line in cell.split("\n")]
    return [p for p in parts if p]


def access_clauses() -> dict[str, str]:
    """Every clause of the sample list by the id the reader gives it (``scope/维度/N``)."""
    out = {}
    for code, _, _, _, dims in access.UNITS:
        for dim, texts in dims.items():
            out.update((f"{code}/{dim}/{n}", text) for n, text in enumerate(texts, 1))
    for scope, dim, cell in access.TOTAL:
        out.update((f"{TOTAL_SCOPES[scope]}/{dim}/{n}", text) for n, text in enumerate(numbered(cell), 1))
    return out


def write_access_list(sample: Sample, out: Path) -> None:
    """access_list.xlsx: the list as bureaus publish it, its unit codes checked against the built units."""
    listed = {code: (name, town) for code, name, town, _, _ in access.UNITS}
    built = {u.code: (u.name, u.town) for u in sample.units.values()}
    if listed != built:
        raise ValueError(f"tools/sample_access_list.py lists other units than the sample has: {listed} vs {built}")
    access.write(out / "access_list.xlsx")


# --------------------------------------------------------------------------- the whole sample


@dataclass
class Sample:
    """Everything the generator builds, in the work CRS."""

    region: Polygon
    towns: dict[str, Polygon]
    rivers: dict[str, LineString]
    streams: list[LineString]
    sources: dict[str, Source]
    redline: dict[str, Zone]
    park: Polygon
    units: dict[str, Zone]
    farmland: gpd.GeoDataFrame
    guangda: Polygon | None = None
    basins: list[Area] = field(default_factory=list)
    eco: list[Area] = field(default_factory=list)
    forest: list[Area] = field(default_factory=list)
    bans: list[Area] = field(default_factory=list)
    parks: list[Area] = field(default_factory=list)
    urban: list[Area] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)


def build_sample() -> Sample:
    """Build every layer, then the sites placed against them."""
    region = build_region()
    towns = build_towns(region)
    rivers, streams = build_rivers(), build_streams()
    sources = build_sources(rivers, towns)
    redline = build_redline(rivers, towns)
    park = build_park()
    guangda = build_guangda(park)
    units = build_units(towns, redline, sources, park, guangda)
    mask = farmland_mask(region, towns, rivers, streams, redline, sources, park, units)
    farmland = build_farmland(mask, towns)
    sample = Sample(
        region,
        towns,
        rivers,
        streams,
        {s.key: s for s in sources},
        {z.code: z for z in redline},
        park,
        {u.name: u for u in units},
        farmland,
        guangda=guangda,
    )
    sample.basins = build_basins(region)
    sample.eco = build_eco_function(region, sample.units)
    sample.bans = build_livestock_ban(region, sources, sample.units)
    sample.parks = build_parks(sample.units)
    sample.urban = build_urban_boundary(sample.units)
    sample.forest = build_forest_park(region)
    sample.sites = build_sites(sample)
    return sample


# --------------------------------------------------------------------------- sites


@dataclass
class Site:
    """One sample project site and the answer it must get."""

    site_id: str
    name: str
    geometry: object  # work CRS
    industry: str
    tags: str
    action: str
    expected_verdict: str
    expected_relations: str
    expected_rule: str
    purpose: str
    facts: dict[str, str] = field(default_factory=dict)


def beyond(polygon: Polygon, x: float, y: float, d: float) -> Point:
    """The point ``d`` metres outside ``polygon``, towards a point given in local km."""
    target = np.array(km(x, y))
    edge = np.array(ops.nearest_points(polygon.exterior, Point(target))[0].coords[0])
    return Point(edge + d * (target - edge) / np.linalg.norm(target - edge))


def towards(a: Point, b: Point, d: float) -> Point:
    """The point ``d`` metres from ``a`` towards ``b``."""
    va, vb = np.array(a.coords[0]), np.array(b.coords[0])
    return Point(va + d * (vb - va) / np.linalg.norm(vb - va))


def translate_km(p: Point, dx: float, dy: float) -> Point:
    """``p`` moved ``dx``, ``dy`` km."""
    return Point(p.x + 1000.0 * dx, p.y + 1000.0 * dy)


def farm_parcel_near(sample: Sample, x: float, y: float):
    """The farmland parcel nearest to a point given in local km."""
    geoms = sample.farmland.geometry.values
    return geoms[int(np.argmin(shapely.distance(geoms, Point(km(x, y)))))]


def farm_edge_near(sample: Sample, x: float, y: float, inset: float = 60.0) -> Point:
    """A point ``inset`` m inside the farmland edge nearest to a point (local km) beside it."""
    target = Point(km(x, y))
    parcel = farm_parcel_near(sample, x, y)
    if parcel.contains(target):
        raise ValueError(f"({x}, {y}) km is on farmland; pick a point beside it")
    return towards(ops.nearest_points(parcel, target)[0], parcel.centroid, inset)


def edge_point(region: Polygon, x: float) -> Point:
    """The northernmost point of the region's outline on the meridian ``x`` km east of the origin."""
    cut = LineString([km(x, -40.0), km(x, 40.0)]).intersection(region.exterior)
    return max(shapely.get_parts(cut), key=lambda p: p.y)


def site_geometries(sample: Sample) -> dict[str, object]:
    """The geometry of every sample site (work CRS), built against the layers."""
    sources, bt = sample.sources, sample.sources["BT"]
    wuli, red = sample.rivers["武利江"], sample.redline
    core = red["HX450722-001"].geom
    luoyang = red["HX450721-001"].geom
    wetland_s = wuli.project(Point(km(-4.2, 0))) + 1500.0
    luoyang_edge = ops.nearest_points(luoyang.exterior, Point(km(-11.0, 7.0)))[0]
    farm = shapely.union_all(sample.farmland.geometry.values)
    park_near_farm = ops.nearest_points(sample.park.exterior, farm)[0]
    wuhuang = sample.units["五皇山优先保护单元"].geom
    wuhuang_edge = ops.nearest_points(wuhuang.exterior, Point(km(5.0, -1.5)))[0]
    bt_town = sample.units["北通镇镇区重点管控单元"].geom
    forest = sample.forest[0].geom
    forest_edge = ops.nearest_points(forest.exterior, Point(km(12.5, -1.4)))[0]
    baishishui = sample.units["白石水镇镇区重点管控单元"].geom
    n = 0
    pipe = [along(wuli, bt.s, 10.0)]
    while not bt_town.buffer(-200.0).contains(pipe[-1]):
        n += 1
        pipe.append(along(wuli, bt.s + 100.0 * n, 10.0))
    return {
        "S01": along(*river_site(sources, "S01")),
        "S02": along(*river_site(sources, "S02")),
        "S03": along(*river_site(sources, "S03")),
        "S04": river_rect(*river_site(sources, "S04"), 240.0, 240.0),
        "S05": river_rect(*river_site(sources, "S05"), 120.0, 120.0),
        "S06": LineString([p.coords[0] for p in pipe]),
        "S07": along(*river_site(sources, "S07")),
        "S08": river_rect(*river_site(sources, "S08"), 200.0, 150.0),
        "S09": river_rect(*river_site(sources, "S09"), 250.0, 200.0),
        "S10": along(*river_site(sources, "S10")),
        "S11": along(*river_site(sources, "S11")),
        "S12": along(*river_site(sources, "S12")),
        "S13": smooth_line(
            [(8.2, -5.75), (6.5, -6.35), (4.0, -6.65), (1.5, -6.95), (-1.0, -7.85), (-2.8, -9.05)], rounds=3
        ),
        "S14": core.representative_point(),
        "S15": rect(translate_km(core.representative_point(), -0.8, 0.1), 150.0, 100.0, 10.0),
        "S16": rect(Point(km(0.4, -10.6)), 300.0, 200.0, -20.0),
        "S17": rect(luoyang_edge, 500.0, 400.0, 15.0),
        "S18": river_rect(wuli, wetland_s, 0.0, 200.0, 100.0),
        "S19": beyond(red["HX450722-002"].geom, 2.6, -2.0, 500.0),
        "S20": smooth_line([(-17.5, 9.5), (-14.5, 7.2), (-11.5, 5.5), (-9.0, 4.0), (-7.0, 3.2)], rounds=2),
        "S21": farm_parcel_near(sample, 11.0, -3.0).representative_point(),
        "S22": rect(farm_edge_near(sample, 10.2, 9.0), 500.0, 500.0),
        "S23": rect(farm_edge_near(sample, 9.8, -8.5), 200.0, 150.0, 30.0),
        "S24": rect(towards(park_near_farm, sample.park.centroid, 300.0), 200.0, 150.0, 12.0),
        "S25": rect(farm_edge_near(sample, -6.0, 11.0), 400.0, 300.0, -10.0),
        "S26": rect(towards(park_near_farm, sample.park.centroid, -350.0), 1000.0, 800.0),
        "S27": rect(wuhuang_edge, 600.0, 400.0, 0.0),
        "S28": Point(km(*TOWNS["伯劳镇"][2])),
        # the clear controls: in 白石水镇's general unit, south of the 大风江/张黄江 divide (no basin),
        # more than 1 km from every zone; the county road runs NNE along the valley between them
        "S29": Point(km(10.75, -11.45)),
        "S30": km_line([(10.1, -12.4), (10.45, -11.5), (10.8, -10.5)]),
        # regional zones and access-list clauses
        "S31": rect(Point(km(-7.6, -3.6)), 200.0, 150.0, 8.0),
        "S32": rect(Point(km(1.5, 10.5)), 200.0, 150.0, -15.0),
        "S33": rect(beyond(baishishui, 14.0, -4.5, 200.0), 120.0, 90.0, 20.0),
        "S34": rect(Point(km(5.6, -2.35)), 300.0, 200.0, 10.0),
        "S35": rect(Point(km(1.0, 8.0)), 400.0, 300.0, 5.0),
        "S36": rect(Point(km(-8.0, -3.25)), 250.0, 150.0, -5.0),
        "S37": rect(Point(km(-2.0, -13.5)), 200.0, 120.0, 0.0),
        "S38": rect(Point(km(-8.6, -0.3)), 150.0, 100.0, 0.0),
        # the confidential (涉密) forest park: screened against, never drawn
        "S39": rect(towards(forest_edge, forest.centroid, -60.0), 500.0, 300.0, -20.0),
        "S40": beyond(forest, 15.5, 0.5, 450.0),  # north of it, 2.5 km from any farmland
        # coverage: a site beyond the two counties' northern border, and one across it
        "S41": Point(km(3.0, 19.0)),
        "S42": rect(translate_km(edge_point(sample.region, 13.0), 0.0, -0.08), 500.0, 400.0, -40.0),
    }


#: site id -> name, industry, tags, action, expected verdict, expected relations, expected rule, purpose
SITE_TABLE = {
    "S01": (
        "武利江畔农家乐",
        "H6210",
        "",
        "new",
        "prohibited",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;livestock_ban:inside;basin:inside",
        "WS01",
        "point in a 一级保护区, project unrelated to water supply: prohibited",
    ),
    "S02": (
        "武利镇水厂取水口改造",
        "D4610",
        "water_supply",
        "rebuild",
        "restricted",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;livestock_ban:inside;basin:inside",
        "WS02",
        "water-supply works at the intake in a 一级保护区: restricted, not prohibited",
    ),
    "S03": (
        "伯劳镇沙埠江水源地隔离防护网",
        "",
        "water_source_protection",
        "new",
        "restricted",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;livestock_ban:inside;basin:inside",
        "WS02",
        "water-source protection works in a 一级保护区: restricted; no industry code",
    ),
    "S04": (
        "北通镇农副产品加工厂",
        "C1371",
        "discharges_wastewater",
        "new",
        "prohibited",
        "water_source:overlaps;control_unit:inside;basic_farmland:nearby;livestock_ban:overlaps;basin:inside",
        "WS04",
        "polygon half in a 二级保护区, half in the 准保护区, discharging wastewater: prohibited (WS04);"
        " its 准保护区 finding asks whether vegetable processing is high-strength agro-food processing"
        " (an industry group's question, 待核实)",
    ),
    "S05": (
        "北通镇武利江滨河公园",
        "N7850",
        "",
        "new",
        "restricted",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;livestock_ban:inside;basin:inside",
        "WS05",
        "polygon wholly in a 二级保护区, nothing discharged: restricted",
    ),
    "S06": (
        "北通镇水厂供水管道工程",
        "E4852",
        "water_supply;linear_infrastructure",
        "new",
        "restricted",
        "water_source:overlaps;control_unit:overlaps;basic_farmland:nearby;urban_boundary:overlaps;livestock_ban:overlaps;"
        "basin:inside",
        "WS02",
        "pipeline from the intake through 一级, 二级 and 准 into the town: restricted",
    ),
    "S07": (
        "伯劳镇造纸厂",
        "C2221",
        "serious_water_pollution;discharges_wastewater",
        "new",
        "prohibited",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;basin:inside",
        "WS06",
        "new seriously water-polluting plant in a 准保护区: prohibited",
    ),
    "S08": (
        "伯劳镇印染厂技术改造",
        "C1713",
        "serious_water_pollution;discharges_wastewater",
        "rebuild",
        "prohibited",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;basin:inside",
        "QZ01",
        "dyeing plant rebuilt (改建) in a 准保护区: WS07 alone would restrict it, but water-hungry, "
        "heavily polluting industry is banned in the 武利江 basin: prohibited (QZ01)",
    ),
    "S09": (
        "伯劳镇生猪养殖场",
        "A0313",
        "livestock;discharges_pollutants",
        "new",
        "restricted",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;basin:inside",
        "QZ03",
        "scale pig farm (A0313, tag livestock) in a 准保护区:"
        " the 准保护区 lies outside the 饮用水水源保护区 (WS09 bans livestock farms in 一级/二级 only),"
        " so WS08 asks whether it pollutes the water seriously (review);"
        " new pig farms are restricted in the 武利江 basin: restricted (QZ03)",
    ),
    "S10": (
        "北通中小企业产业园污水处理厂入河排污口",
        "D4620",
        "sets_outfall;discharges_wastewater",
        "new",
        "prohibited",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;basin:inside",
        "ZH45072210002/空间布局约束/1",
        "a park's wastewater plant (D4620) with its outfall in a 准保护区: WS03 bans outfalls in 一级/二级 only,"
        " so WS08 asks (review); the source's priority unit bans industrial projects (工业: sections B,"
        " C and D) unrelated to water supply: prohibited by the access list",
    ),
    "S11": (
        "北通镇武利江畔民宿",
        "H6130",
        "",
        "new",
        "review",
        "water_source:inside;control_unit:inside;basic_farmland:nearby;basin:inside",
        "WS08",
        "ordinary project wholly inside a 准保护区: review",
    ),
    "S12": (
        "北通镇物流仓储中心",
        "G5990",
        "",
        "new",
        "review",
        "water_source:nearby;control_unit:inside;basic_farmland:nearby;basin:inside",
        "WS11",
        "point 600 m outside a 准保护区: nearby only, review",
    ),
    "S13": (
        "五皇山旅游公路",
        "E4812",
        "linear_infrastructure",
        "new",
        "restricted",
        "ecological_redline:overlaps;control_unit:overlaps;basin:overlaps;ecological_function:inside",
        "RL13",
        "road across the 五皇山 red line (一般控制区), 600 m from the core:"
        " linear infrastructure the red line allows when it cannot avoid it: restricted (RL13)",
    ),
    "S14": (
        "五皇山地质公园科研监测站",
        "N7712",
        "research_monitoring",
        "new",
        "restricted",
        "ecological_redline:inside;control_unit:inside;basin:inside;ecological_function:inside",
        "RL07",
        "research and monitoring station in the core area, one of the few activities the core allows:"
        " restricted (RL07)",
    ),
    "S15": (
        "五皇山景区游客服务中心",
        "N7861",
        "ecotourism",
        "new",
        "prohibited",
        "ecological_redline:inside;control_unit:inside;basin:inside;ecological_function:inside",
        "RL03",
        "eco-tourism is allowed in the red line but not in its core area: prohibited",
    ),
    "S16": (
        "五皇山森林康养基地",
        "N7862",
        "ecotourism",
        "new",
        "restricted",
        "ecological_redline:inside;control_unit:inside;basin:inside;ecological_function:inside",
        "RL12",
        "eco-tourism wholly in the 一般控制区: restricted (RL12)",
    ),
    "S17": (
        "罗阳山采石场",
        "B1019",
        "building_or_mining",
        "new",
        "prohibited",
        "ecological_redline:overlaps;control_unit:inside;basin:inside",
        "RL01",
        "quarry half inside the 罗阳山 red line: prohibited",
    ),
    "S18": (
        "武利江湿地生态修复工程",
        "N7711",
        "ecological_restoration",
        "new",
        "restricted",
        "ecological_redline:inside;control_unit:inside;basic_farmland:nearby;basin:inside",
        "RL15",
        "ecological restoration wholly inside a red line: restricted (RL15)",
    ),
    "S19": (
        "五皇山生态民宿",
        "H6130",
        "",
        "new",
        "review",
        "ecological_redline:nearby;control_unit:inside;basin:inside;ecological_function:inside",
        "RL06",
        "point 500 m outside the 五皇山 red line: nearby only, review",
    ),
    "S20": (
        "罗阳山220kV输电线路（国家重大项目）",
        "D4420",
        "national_major;linear_infrastructure",
        "new",
        "restricted",
        "ecological_redline:overlaps;control_unit:overlaps;basic_farmland:overlaps;basin:overlaps",
        "RL13",
        "national major line across the 罗阳山 red line and farmland: restricted (RL13 on the red line,"
        " BF02 on the farmland); it comes in from the west, and its note gives the share within the coverage",
    ),
    "S21": (
        "良田村农资仓库",
        "G5990",
        "",
        "new",
        "prohibited",
        "control_unit:inside;basic_farmland:inside",
        "BF01",
        "point on a basic-farmland parcel: prohibited",
    ),
    "S22": (
        "北通镇清湖村光伏电站",
        "D4416",
        "",
        "new",
        "prohibited",
        "control_unit:inside;basic_farmland:overlaps;basin:inside",
        "BF01",
        "solar farm half on basic farmland: prohibited",
    ),
    "S23": (
        "白石水镇公路施工临时堆场",
        "E4812",
        "temporary_land_use",
        "new",
        "restricted",
        "control_unit:inside;basic_farmland:overlaps",
        "BF03",
        "temporary land use on basic farmland: restricted",
    ),
    "S24": (
        "光达新材料电镀厂",
        "C3360",
        "electroplating;heavy_metal;discharges_wastewater",
        "new",
        "restricted",
        "control_unit:inside;basic_farmland:nearby;urban_boundary:inside;industrial_park:inside;basin:inside",
        "BF05",
        "electroplating in 光达新材料产业园, the plating park's own key unit:"
        " its list allows plating there and sets conditions (heavy-metal quotas, review);"
        " farmland within 1 km: restricted (BF05)",
    ),
    "S25": (
        "伯劳镇生活垃圾填埋场",
        "N7820",
        "landfill;solid_waste_facility",
        "new",
        "prohibited",
        "control_unit:inside;basic_farmland:overlaps;basin:inside",
        "BF06",
        "landfill on basic farmland: prohibited",
    ),
    "S26": (
        "武利工业园扩区（精细化工）",
        "C2614",
        "discharges_pollutants;discharges_wastewater",
        "expand",
        "prohibited",
        "control_unit:overlaps;basic_farmland:overlaps;urban_boundary:overlaps;industrial_park:overlaps;basin:inside;"
        "ecological_function:nearby",
        "BF01",
        "park extension across the plating park's key unit and a general unit onto farmland:"
        " occupying basic farmland is prohibited (BF01);"
        " C2614 is a soil-polluting key industry only by the calcium-carbide PVC route,"
        " which the story does not say, so the farmland findings ask 是否采用电石法（聚）氯乙烯工艺"
        " (the question shown)",
    ),
    "S27": (
        "五皇山片区燃煤电厂",
        "D4411",
        "coal_fired;discharges_pollutants",
        "new",
        "prohibited",
        "control_unit:overlaps;basin:inside;ecological_function:inside",
        "ZH45072210001/空间布局约束/1",
        "coal power plant (D4411, tag coal_fired) across a priority and a general unit:"
        " the priority unit's list bans new industrial projects: prohibited; coal power (两高)"
        " in the water-conservation area is restricted too (QZ04)",
    ),
    "S28": (
        "伯劳镇区商业综合体",
        "K7010",
        "",
        "new",
        "review",
        "control_unit:inside;urban_boundary:inside;livestock_ban:inside;basin:inside",
        "CU03",
        "a town-centre key unit, its urban boundary, its 禁养区 and the basin touched; no rule matches a shopping "
        "centre: review",
    ),
    "S29": (
        "区内对照点：白石水镇物流仓储项目",
        "G5990",
        "",
        "new",
        "clear",
        "control_unit:inside",
        "CU04",
        "logistics warehouse in 白石水镇's general unit, in no basin and more than 1 km from every zone:"
        " every clause that binds the unit was judged and none binds the project, so the list answers CU04:"
        " clear",
    ),
    "S30": (
        "区内对照线：白石水镇县道改扩建",
        "E4812",
        "linear_infrastructure",
        "expand",
        "clear",
        "control_unit:inside",
        "CU04",
        "county road widened in the same unit, away from every zone: clear",
    ),
    "S31": (
        "武利工业园五金厂配套电镀车间",
        "C3360",
        "electroplating;heavy_metal;discharges_wastewater",
        "new",
        "prohibited",
        "control_unit:inside;urban_boundary:inside;industrial_park:inside;basin:inside",
        "ZH45072120001/空间布局约束/1",
        "electroplating (C3360) new in 武利工业园 outside the plating park:"
        " the unit's clause 禁止新建电镀项目 prohibits it",
    ),
    "S32": (
        "北通镇石祖村电镀厂",
        "C3360",
        "electroplating;heavy_metal;discharges_wastewater",
        "new",
        "prohibited",
        "control_unit:inside;basin:inside",
        "general/空间布局约束/2",
        "the same plating project in 北通镇's general unit, outside every park:"
        " the general units' clause 禁止在工业园区外新建、扩建电镀、制革项目 prohibits it"
        " (the unit's whole list travels with the result)",
    ),
    "S33": (
        "白石水镇城郊生猪养殖场",
        "A0313",
        "livestock;discharges_pollutants",
        "new",
        "prohibited",
        "control_unit:inside;basic_farmland:nearby;livestock_ban:inside",
        "LB01",
        "scale pig farm (A0313, tag livestock) just outside 白石水镇's centre, inside the town's 禁养区:"
        " prohibited (LB01, and QZ05)",
    ),
    "S34": (
        "五皇山片区水泥厂",
        "C3011",
        "discharges_pollutants",
        "new",
        "restricted",
        "control_unit:inside;basin:inside;ecological_function:inside",
        "QZ04",
        "cement plant (C3011, 两高) in the 五皇山 water-conservation area outside the priority unit: restricted (QZ04)",
    ),
    "S35": (
        "伯劳镇东岭村纸业项目",
        "C2221",
        "serious_water_pollution;discharges_wastewater;high_water_use",
        "new",
        "prohibited",
        "control_unit:inside;basin:inside",
        "QZ01",
        "paper mill (C2221) in the 武利江 basin, in a general unit away from water sources and "
        "farmland: prohibited (QZ01)",
    ),
    "S36": (
        "武利工业园锯材加工厂",
        "C2011",
        "high_noise;discharges_pollutants",
        "new",
        "prohibited",
        "control_unit:inside;urban_boundary:inside;industrial_park:inside;basin:inside",
        "QZ06",
        "high-noise sawmill (tag high_noise) in 武利工业园: prohibited (QZ06)",
    ),
    "S37": (
        "五皇山片区坪垌村生猪养殖场",
        "A0313",
        "livestock;discharges_pollutants",
        "new",
        "restricted",
        "control_unit:inside;basin:inside;ecological_function:nearby",
        "QZ03",
        "pig farm in the 大风江 basin outside every 禁养区: restricted (QZ03); the general units' "
        "manure clause matches too (review)",
    ),
    "S38": (
        "武利镇危险化学品仓储项目",
        "G5942",
        "",
        "new",
        "restricted",
        "control_unit:inside;basic_farmland:nearby;urban_boundary:inside;livestock_ban:inside;basin:inside",
        "ZH45072120002/环境风险防控/1",
        "hazardous-chemicals warehouse (G5942) in 武利镇's centre: the town unit's 危险化学品 clause restricts it",
    ),
    "S39": (
        "三门岭森林康养步道及观景台",
        "N7869",
        "ecotourism",
        "new",
        "restricted",
        "control_unit:inside;nature_reserve:overlaps",
        "NR06",
        "trail and viewpoint across the edge of 三门岭森林公园, a confidential (涉密) layer: overlaps, with its area;"
        " eco-tourism in a nature park's 一般控制区: restricted (NR06); no output draws the park or the overlap",
    ),
    "S40": (
        "三门岭林场管护站",
        "A0220",
        "",
        "new",
        "review",
        "control_unit:inside;nature_reserve:nearby",
        "NR08",
        "forestry station 450 m north of 三门岭森林公园 (confidential): nearby, with its distance: review (NR08);"
        " its unit's list is judged in full (clear); nothing of the park drawn",
    ),
    "S41": (
        "县界外对照点：物流仓储项目",
        "G5990",
        "",
        "new",
        "no_coverage",
        "",
        "",
        "3 km beyond the two counties' northern border, outside the layers' coverage:"
        " no_coverage (the layers cannot speak for it), never clear",
    ),
    "S42": (
        "北通镇跨县界农产品加工厂",
        "C1371",
        "discharges_wastewater",
        "new",
        "review",
        "control_unit:overlaps;basic_farmland:nearby;basin:overlaps",
        "BF08",
        "vegetable processing plant across the counties' northern border, {share} inside the coverage:"
        " it keeps its findings' verdict, farmland within 1 km (review, BF08),"
        " and its note gives the covered share",
    ),
}


#: site id -> the project facts its story implies where the 名录 (the EIA category) asks for them,
#: named as the 名录's vocabulary names them (zones/data/minglu/2021); each is a column of sites.geojson
SITE_FACTS = {
    "S08": {"工艺": "前处理;染色"},
    "S09": {"年出栏生猪": "8000头", "规模化养殖": "是"},
    "S10": {"类型": "工业废水集中处理", "日处理能力": "5000吨"},
    "S13": {"类型": "三级公路"},
    "S20": {"电压等级": "220千伏"},
    "S22": {"类型": "地面集中光伏电站", "装机容量": "20兆瓦", "电压等级": "35千伏"},
    "S24": {"工艺": "电镀"},
    "S25": {"工艺": "填埋", "日处置能力": "150吨"},
    "S30": {"类型": "三级公路"},
    "S31": {"工艺": "电镀"},
    "S32": {"工艺": "电镀"},
    "S33": {"年出栏生猪": "3000头", "规模化养殖": "是"},
    "S36": {"工艺": "锯材加工", "年用溶剂型涂料": "0吨", "年用非溶剂型低VOCs含量涂料": "0吨"},
    "S37": {"年出栏生猪": "2000头", "规模化养殖": "是"},
    "S38": {"类型": "无"},  # a hazardous-chemicals store, none of the 名录's kinds (not an oil depot)
}


def covered_share(geom, region: Polygon) -> str:
    """The geodesic share of a work-CRS polygon inside the region, as the site's note writes it."""
    return f"约 {100.0 * geodesic_m2(geom.intersection(region)) / geodesic_m2(geom):.1f}%"


def build_sites(sample: Sample) -> list[Site]:
    """The sample sites, each placed so that its answer is known by construction."""
    geoms = {sid: round_work(g) for sid, g in site_geometries(sample).items()}
    share = covered_share(geoms["S42"], sample.region)
    return [
        Site(
            sid,
            name,
            geoms[sid],
            ind,
            tags,
            action,
            verdict,
            rel,
            rule,
            purpose.replace("{share}", share),
            SITE_FACTS.get(sid, {}),
        )
        for sid, (name, ind, tags, action, verdict, rel, rule, purpose) in SITE_TABLE.items()
    ]


# --------------------------------------------------------------------------- writing

LAYERSET_YAML = """\
# 示意数据（非官方）/ illustrative, not official data — never use for a real review.
# Built by tools/generate_sample.py (do not edit by hand); see README.md.
name: 示例 — 钦州城乡融合发展试验区（示意数据，非官方）/ Qinzhou pilot zone (illustrative, not official data)
crs: EPSG:4490
illustrative: true
catalogs: [qinzhou_pilot]             # the regional rules QZ01-QZ06 and RL01 (zones/catalog/qinzhou_pilot.yaml)
# Where the layers speak: the union of the control units, which tile the pilot zone (the four towns
# and the 五皇山片区 of region.geojson). A site wholly outside is no_coverage, never clear.
coverage: control_units
layers:
  - kind: ecological_redline
    path: ecological_redline.geojson   # GeoJSON, EPSG:4490 named in its "crs" member
    id_field: HXBH
    name_field: HXMC
    class_field: HXLX
    class_map: {核心保护区: core, 一般控制区: other}
  - kind: water_source
    path: water_source.gpkg            # GeoPackage, layer "zones", EPSG:4490
    layer: zones
    id_field: SYDBH
    name_field: SYDMC
    class_field: BHQJB
    class_map: {一级保护区: first, 二级保护区: second, 准保护区: quasi}
  - kind: control_unit
    path: control_units.shp            # Shapefile, GBK-encoded DBF, no .cpg, .prj EPSG:4490
    encoding: gbk
    id_field: HJZHGKDYBM
    name_field: HJZHGKDYMC
    class_field: ZHGKDYFL
    class_map: {"1": priority, "2": key, "3": general}
    access_list: access_list.xlsx      # 生态环境准入清单 (illustrative) as published: 单元清单 + 总体管控要求
  - kind: basic_farmland
    path: basic_farmland.fgb           # FlatGeobuf, EPSG:4546 (projected metres)
    id_field: TBBH
    name_field: ZLDWMC
  - kind: urban_boundary
    path: urban_boundary.geojson       # GeoJSON, EPSG:4490; 城镇开发边界 (三区三线 with red line and farmland)
    id_field: KFBJBH
    name_field: KFBJMC
  - kind: livestock_ban
    path: livestock_ban.fgb            # FlatGeobuf, EPSG:4490
    id_field: JYQBH
    name_field: JYQMC
  - kind: industrial_park
    path: industrial_park.geojson      # GeoJSON, EPSG:4490; 光达新材料产业园 lies inside 武利工业园
    id_field: YQBM
    name_field: YQMC
  - kind: basin
    path: basin.geojson                # GeoJSON, EPSG:4490
    id_field: LYBM
    name_field: LYMC
  - kind: ecological_function
    path: ecological_function.gpkg     # GeoPackage, layer "zones", EPSG:4490
    layer: zones
    id_field: GNQBH
    name_field: GNQMC
    class_field: GNQLX
    class_map: {水源涵养: water_conservation}
  - kind: nature_reserve
    path: forest_park.geojson          # GeoJSON, EPSG:4490; 三门岭森林公园 (invented), a nature park
    id_field: ZRBHDBM
    name_field: ZRBHDMC
    class_field: GKFQ
    class_map: {核心保护区: core, 一般控制区: general}
    # 涉密: protected-area boundaries are often withheld (seed 002's plan leaves its forest park
    # undrawn 因保密问题). Screened against like any layer, but its geometry never leaves the
    # process: no map, report, GeoPackage, cache entry or API answer draws or carries it.
    confidential: true
"""

OUTPUTS = [
    "layerset.yaml",
    "ecological_redline.geojson",
    "water_source.gpkg",
    "control_units.shp",
    "control_units.shx",
    "control_units.dbf",
    "control_units.prj",
    "control_units.cpg",
    "basic_farmland.fgb",
    "urban_boundary.geojson",
    "livestock_ban.fgb",
    "industrial_park.geojson",
    "basin.geojson",
    "ecological_function.gpkg",
    "forest_park.geojson",
    "access_list.xlsx",
    "sites.geojson",
    "region.geojson",
    "context.geojson",
    "README.md",
]

#: files earlier versions wrote, removed on a rebuild (the access list was a structured CSV)
FORMER_OUTPUTS = ["access_list.csv"]


def hectares(geom) -> float:
    """Geodesic area of a work-CRS polygon in hectares, rounded to 0.01 ha."""
    return round(abs(GEOD.geometry_area_perimeter(to_geo(geom))[0]) / 1e4, 2)


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """GeoJSON with the illustrative-data notice as its ``description``."""
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON", layer=layer, layer_options={"DESCRIPTION": NOTICE})


def write_redline(sample: Sample, out: Path) -> None:
    """ecological_redline.geojson: the red-line polygons, EPSG:4490."""
    zones = list(sample.redline.values())
    rows = [
        {
            "HXBH": z.code,
            "HXMC": z.name,
            "HXLX": z.cls,
            "XZQDM": z.county,
            "SSXZ": z.town,
            "MJ": hectares(z.geom),
            "SJSM": SJSM,
        }
        for z in zones
    ]
    gdf = gpd.GeoDataFrame(rows, geometry=[to_geo(z.geom) for z in zones], crs=GEO_CRS)
    write_geojson(gdf, out / "ecological_redline.geojson", "ecological_redline")


def write_water_sources(sample: Sample, out: Path) -> None:
    """water_source.gpkg, layer ``zones``: three sources x three levels, EPSG:4490."""
    rows, geoms = [], []
    for src in sample.sources.values():
        for i, (cls, label, *_) in enumerate(LEVELS, start=1):
            rows.append(
                {
                    "SYDBH": f"SY{src.county}-{src.key}-{i}",
                    "SYDMC": f"{src.name}{label}",
                    "BHQJB": label,
                    "SYMC": src.name,
                    "SYLX": "河流型",
                    "HLMC": next(n for n, r in sample.rivers.items() if r.equals(src.river)),
                    "QSKMC": src.intake_name,
                    "XZQDM": src.county,
                    "SSXZ": src.town,
                    "MJ": hectares(src.zones[cls]),
                    "SJSM": SJSM,
                }
            )
            geoms.append(to_geo(src.zones[cls]))
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=GEO_CRS)
    pyogrio.write_dataframe(
        gdf,
        out / "water_source.gpkg",
        driver="GPKG",
        layer="zones",
        layer_options={"DESCRIPTION": NOTICE, "IDENTIFIER": "饮用水水源保护区（示意）"},
    )


def write_control_units(sample: Sample, out: Path) -> None:
    """control_units.shp: GBK DBF without a .cpg (the manifest names the encoding)."""
    units = list(sample.units.values())
    rows = [
        {
            "HJZHGKDYBM": u.code,
            "HJZHGKDYMC": u.name,
            "ZHGKDYFL": u.cls,
            "GKDYLB": CLASS_LABELS[u.cls],
            "XZQDM": u.county,
            "SSXZ": u.town,
            "MJ": hectares(u.geom),
            "SJSM": SJSM,
        }
        for u in units
    ]
    gdf = gpd.GeoDataFrame(rows, geometry=[to_geo(u.geom) for u in units], crs=GEO_CRS)
    pyogrio.write_dataframe(
        gdf,
        out / "control_units.shp",
        driver="ESRI Shapefile",
        encoding="GBK",
        layer_options={"DBF_DATE_LAST_UPDATE": FIXED_DATE},
    )
    (out / "control_units.cpg").unlink(missing_ok=True)


def write_farmland(sample: Sample, out: Path) -> None:
    """basic_farmland.fgb: the parcels in EPSG:4546 (projected metres)."""
    pyogrio.write_dataframe(
        sample.farmland,
        out / "basic_farmland.fgb",
        driver="FlatGeobuf",
        layer="basic_farmland",
        layer_options={"TITLE": "永久基本农田（示意）", "DESCRIPTION": NOTICE},
    )


def area_frame(areas: list[Area], id_field: str, name_field: str, class_field: str) -> gpd.GeoDataFrame:
    """A regional zone layer: id, name, class, the extra attributes, area (ha) and the notice."""
    rows = [
        {id_field: a.code, name_field: a.name, class_field: a.cls, **a.attrs, "MJ": hectares(a.geom), "SJSM": SJSM}
        for a in areas
    ]
    return gpd.GeoDataFrame(rows, geometry=[to_geo(a.geom) for a in areas], crs=GEO_CRS)


def write_livestock_ban(sample: Sample, out: Path) -> None:
    """livestock_ban.fgb: 畜禽养殖禁养区, FlatGeobuf in EPSG:4490."""
    gdf = area_frame(sample.bans, "JYQBH", "JYQMC", "HDLX")
    pyogrio.write_dataframe(
        gdf,
        out / "livestock_ban.fgb",
        driver="FlatGeobuf",
        layer="livestock_ban",
        layer_options={"TITLE": "畜禽养殖禁养区（示意）", "DESCRIPTION": NOTICE},
    )


def write_urban_boundary(sample: Sample, out: Path) -> None:
    """urban_boundary.geojson: 城镇开发边界 of the four towns and 武利工业园, EPSG:4490."""
    write_geojson(
        area_frame(sample.urban, "KFBJBH", "KFBJMC", "KFBJLX"), out / "urban_boundary.geojson", "urban_boundary"
    )


def write_industrial_parks(sample: Sample, out: Path) -> None:
    """industrial_park.geojson: 武利工业园 and 光达新材料产业园 (which lies inside it)."""
    write_geojson(area_frame(sample.parks, "YQBM", "YQMC", "YQLX"), out / "industrial_park.geojson", "industrial_park")


def write_basins(sample: Sample, out: Path) -> None:
    """basin.geojson: the key basins 武利江流域 and 大风江流域 (the region's part)."""
    write_geojson(area_frame(sample.basins, "LYBM", "LYMC", "LYLX"), out / "basin.geojson", "basin")


def write_eco_function(sample: Sample, out: Path) -> None:
    """ecological_function.gpkg, layer ``zones``: 五皇山水源涵养区 (class field GNQLX)."""
    pyogrio.write_dataframe(
        area_frame(sample.eco, "GNQBH", "GNQMC", "GNQLX"),
        out / "ecological_function.gpkg",
        driver="GPKG",
        layer="zones",
        layer_options={"DESCRIPTION": NOTICE, "IDENTIFIER": "重点生态功能区（示意）"},
    )


def write_forest_park(sample: Sample, out: Path) -> None:
    """forest_park.geojson: 三门岭森林公园, the confidential (涉密) nature_reserve layer, EPSG:4490."""
    frame = area_frame(sample.forest, "ZRBHDBM", "ZRBHDMC", "GKFQ")
    write_geojson(frame, out / "forest_park.geojson", "nature_reserve")


def write_sites(sample: Sample, out: Path) -> None:
    """sites.geojson: the sample sites with their expected answers and facts, EPSG:4490 lon/lat.

    Each project fact (:data:`SITE_FACTS`) is a column named as the 名录 names it, as the site
    readers recognise it; empty where the story gives none.
    """
    cols = [
        "site_id",
        "name",
        "industry",
        "tags",
        "action",
        "expected_verdict",
        "expected_relations",
        "expected_rule",
        "purpose",
    ]
    facts = list(dict.fromkeys(name for s in sample.sites for name in s.facts))  # (first seen first)
    rows = [{c: getattr(s, c) for c in cols} | {f: s.facts.get(f) for f in facts} for s in sample.sites]
    gdf = gpd.GeoDataFrame(rows, geometry=[to_geo(s.geometry) for s in sample.sites], crs=GEO_CRS)
    write_geojson(gdf, out / "sites.geojson", "sites")


def write_region(sample: Sample, out: Path) -> None:
    """region.geojson: the four towns and the 五皇山片区 (not a zone layer; for maps)."""
    rows = [
        {
            "name": name,
            "kind": TOWNS[name][1],
            "county": COUNTY_NAMES[TOWNS[name][0]],
            "county_code": TOWNS[name][0],
            "area_km2": round(hectares(g) / 100.0, 2),
            "SJSM": SJSM,
        }
        for name, g in sample.towns.items()
    ]
    gdf = gpd.GeoDataFrame(rows, geometry=[to_geo(g) for g in sample.towns.values()], crs=GEO_CRS)
    write_geojson(gdf, out / "region.geojson", "region")


def write_context(sample: Sample, out: Path) -> None:
    """context.geojson: rivers, streams, intakes and town seats (for maps)."""
    feats = [("river", name, line) for name, line in sample.rivers.items()]
    feats += [("stream", "", line) for line in sample.streams]
    feats += [("intake", s.intake_name, s.intake) for s in sample.sources.values()]
    feats += [("town_seat", name, Point(km(*seat))) for name, (_, _, seat) in TOWNS.items()]
    rows = [{"kind": k, "name": n, "SJSM": SJSM} for k, n, _ in feats]
    gdf = gpd.GeoDataFrame(rows, geometry=[to_geo(g) for *_, g in feats], crs=GEO_CRS)
    write_geojson(gdf, out / "context.geojson", "context")


README_TEMPLATE = """\
# Sample layer set — 钦州城乡融合发展试验区（示意数据，非官方）

**示意数据，非官方 / illustrative, not official data.** Every zone, site, river course, village
position and access-list clause here is invented for the `redline demo`, the tests and the
notebooks. The files look like real zoning layers on purpose, but they are not any bureau's data
and must never be used for a real review (环评审查、选址论证).

## Files

| file | kind | format | CRS | features |
|---|---|---|---|---|
| `layerset.yaml` | manifest | YAML | — | 10 layers (one confidential), access list, coverage, catalogs |
| `ecological_redline.geojson` | `ecological_redline` | GeoJSON | EPSG:4490 (`"crs"` member) | {n_red} |
| `water_source.gpkg` (layer `zones`) | `water_source` | GeoPackage | EPSG:4490 | {n_water} |
| `control_units.shp` (+ `.shx .dbf .prj`) | `control_unit` | Shapefile, GBK DBF, no `.cpg` | EPSG:4490 | {n_units} |
| `access_list.xlsx` | 生态环境准入清单, as published | XLSX: 单元清单, 总体管控要求 | — | {n_clauses} clauses |
| `basic_farmland.fgb` | `basic_farmland` | FlatGeobuf | EPSG:4546 (metres) | {n_farm} |
| `urban_boundary.geojson` | `urban_boundary` | GeoJSON | EPSG:4490 | {n_urban} |
| `livestock_ban.fgb` | `livestock_ban` | FlatGeobuf | EPSG:4490 | {n_ban} |
| `industrial_park.geojson` | `industrial_park` | GeoJSON | EPSG:4490 | {n_park} |
| `basin.geojson` | `basin` | GeoJSON | EPSG:4490 | {n_basin} |
| `ecological_function.gpkg` (layer `zones`) | `ecological_function` | GeoPackage | EPSG:4490 | {n_eco} |
| `forest_park.geojson` | `nature_reserve`, **confidential** (涉密) | GeoJSON | EPSG:4490 | {n_forest} |
| `sites.geojson` | sample sites | GeoJSON | EPSG:4490 lon/lat | {n_sites} |
| `region.geojson` | towns (not a zone layer) | GeoJSON | EPSG:4490 | 5 |
| `context.geojson` | rivers, streams, intakes, seats (for maps) | GeoJSON | EPSG:4490 | {n_context} |
| `tests/data/defective/` | planted defects, for `redline layers validate` (repository only) | — | — | see below |

The formats differ on purpose, so that every reader path is exercised:

- the red line is GeoJSON with the pre-RFC 7946 `"crs"` member naming EPSG:4490 (GDAL writes it
  for any CRS other than WGS 84); coordinates are lon/lat;
- the control units are a Shapefile whose DBF is **GBK** with no `.cpg` and code-page byte 0, as
  many real Chinese shapefiles are: it reads correctly only with `encoding: gbk` from the
  manifest (GDAL otherwise assumes ISO-8859-1 and the names come out as mojibake);
- the farmland is in EPSG:4546 (CGCS2000 3-degree Gauss-Kruger zone 37, CM 111E: the region
  straddles 109.5°E, with its centroid at 109.525°E and 59 % of its area east of 109.5°E), in
  projected metres as county farmland data is delivered, so it must be reprojected to EPSG:4490;
- `sites.geojson` has lon/lat coordinates in RFC 7946 order and the same `"crs"` member, so GDAL
  reads it as EPSG:4490 (an RFC 7946-only reader takes it as WGS 84: under a metre apart);
- the access list is an Excel workbook laid out as county lists are printed: a title row, a
  two-row header with 管控要求 merged over the four dimensions, one row per unit with its clauses
  numbered inside a cell (`1.…` on its own line) and `/` where it has none, and a second sheet
  (总体管控要求) with the clauses for every unit, each class, the 产业集聚 sub-type and 浦北县;
- every sample site carries the project facts its story implies as columns named as the 名录
  names them (`年出栏生猪`, `装机容量`, `工艺`, `类型` …), empty where the story gives none;
- every layer has the attribute `SJSM` = `{sjsm}`, and the GeoJSON, GeoPackage and FlatGeobuf
  files also carry the notice as their layer description.

## Content

- **Region** (about {area:.0f} km², lon {lon0:.3f}–{lon1:.3f}°E, lat {lat0:.3f}–{lat1:.3f}°N):
  武利镇 and 伯劳镇 (灵山县 450721), 北通镇 and 白石水镇 (浦北县 450722) and the 五皇山片区;
  the towns' layout is schematic.
- **Coverage**: `coverage: control_units` in `layerset.yaml`: the layers speak for the union of
  the control units, which tile the region. A site wholly outside it is `no_coverage` (超出图层覆盖范围:
  not screened, no finding, never `clear`: S41, beyond the counties' northern border); a site partly
  outside keeps its findings' verdict and its note gives the share inside (S42 across that border,
  and the line S20, which comes in from the west).
- **ecological_redline**: 五皇山国家地质公园 (a 核心保护区 polygon and the 一般控制区 ring
  around it, not overlapping), 罗阳山 and a 武利江 wetland strip.
- **water_source**: 北通镇武利江（北通河段）水源地, 武利镇武利江水源地, 伯劳镇沙埠江水源地; each
  has a 一级保护区 along the river around the intake (1 km upstream to 100 m downstream, 100 m
  each side), a 二级保护区 ring around it and a 准保护区 ring around that: the levels do not
  overlap.
- **control_unit**: {n_units} 环境管控单元 ({n_priority} priority, {n_key} key, {n_general} general)
  tiling the region without gaps or overlaps (codes `ZH` + county code + class digit + serial,
  e.g. `ZH45072120001`); priority units cover the red lines and the water sources, key units cover
  武利工业园 (5.96 km²), the town centres and, as a unit of its own inside the park,
  光达新材料产业园 (`ZH45072120004`, the last unit, so the older codes did not move).
- **basic_farmland**: {n_farm} parcels of 1–10 ha (Voronoi cells of a jittered grid) in the
  river valleys, none touching the red line, a 一级/二级 zone, 武利工业园 or a town centre (some
  lie in the 准保护区, as farmland does in reality); village clearings break the valleys up, and
  the sample sites that stand in a 准保护区 stand in such a clearing, so that their farmland
  finding is `nearby` by construction. `ZLDWMC` is the village (汉塘、大沙、望坪、那新、良田、清湖
  are named in the plan, the others are invented); `TBMJ` is the geodesic area in m².
- **urban_boundary** (城镇开发边界): {n_urban} polygons, the four town centres and 武利工业园,
  drawn from their key control units (key units are delineated from the urban development
  boundary and the parks). With the red line and the basic farmland they are the 三区三线, and
  the three do not overlap: `redline layers validate` finds no problem in this layer set.

The regional zones, for the rules of the regional catalogue (below); the plan names them but
draws none of them:

- **basin** (重点流域, `LYLX`): 武利江流域, the river's catchment within the region (沙埠江 and the
  valleys draining to 武利江, {basin_wuli:.0f} km²), and 大风江流域（试验区段）, the headwaters
  south of the 五皇山 summit ({basin_dafeng:.0f} km²); the south-east drains to 张黄江, which the plan
  does not name as a key basin, so it lies in no basin.
- **ecological_function** (重点生态功能区): 五皇山水源涵养区 ({eco:.0f} km²), the forested massif
  around and beyond the 五皇山 red line and its priority unit, kept 500 m off the key units;
  `GNQLX` = 水源涵养 maps to the class `water_conservation`.
- **livestock_ban** (畜禽养殖禁养区, `HDLX`): drawn as real 禁养区 are, from the 一级 and 二级
  protection zones of the three water sources and the towns' built-up areas (each town centre's key
  unit and {ban_buffer:.0f} m around it); {n_ban} polygons, not overlapping.
- **industrial_park** (`YQLX`): 武利工业园 and 光达新材料产业园, its electroplating cluster
  (电镀集中区, {guangda:.2f} km² at the east end of the park); the two features overlap on purpose
  (a park within a park), and the plating park has its own control unit.

The confidential layer:

- **nature_reserve** (自然保护地, `GKFQ`), `confidential: true` in `layerset.yaml`: 三门岭森林公园
  ({forest:.2f} km², a 森林自然公园, 一般控制区 throughout as nature parks are) on the eastern
  hills of 白石水镇, just south of the 武利江/张黄江 divide and of 北通镇. The name and the park are
  invented; its boundary being withheld, the published control units do not follow it (it lies in
  白石水镇一般管控单元, where a drawn protected area would be a priority unit of its own); the layer
  stands for a boundary that is 涉密 in practice: the 柳州市城中区 plan of seed 002 leaves 三门江国家森林公园
  undrawn 「因保密问题」. The checker screens against it like any layer (findings give kind, id,
  name, relation, area and distance; a nature park is managed as a 一般控制区, whose rules NR05–NR07
  apply, and a park nearby is `review` by NR08), but its geometry never leaves the process:
  `map.html`, the zoning maps and the reports' site maps show a note instead of the park,
  `results.gpkg` has no geometry for its findings, the layer cache never stores it, and `redline
  layers validate` reports its problems without locations. S39 and S40 touch it and lie near it.

## Access list (生态环境准入清单)

`access_list.xlsx` is **illustrative and invented**: written for this sample (after seed 000,
whose plan asks to 落实钦州市“三线一单”生态环境分区管控 and 严禁引进不符合重点管控区准入要求的项目)
by `tools/sample_access_list.py`, laid out as Guangxi county lists are published; no clause is
quoted from an official list. The sheet 单元清单 has one row per unit (编码, 名称, 市, 县（区）,
乡镇（街道）, 管控单元类别, then the four dimensions 空间布局约束, 污染物排放管控, 环境风险防控,
资源开发效率要求); the sheet 总体管控要求 (适用范围, 管控维度, 管控要求) holds the clauses for every
unit, for each class, for the 产业集聚 sub-type of key units and for 浦北县. There is no structured
column: the screen reads every clause from its words (`zones/access_text.py`; `redline rules access
layers/sample/data/access_list.xlsx` prints how each clause is read). Clause ids are
`scope/维度/N`, the scope being a unit code, `*`, `priority`, `key`, `general` or the area or
sub-type as written.

| scope | units bound | clauses |
|---|---|---|
{clause_rows}

A clause the screen cannot judge for a project (a 淘汰类 ban, emission offsets, a clean-production
level, conformity with a plan, a place the layers do not hold) leaves the unit's finding at
`review`, and the site's note counts such clauses (「准入清单中 N 条条款无法自动判定」). The part for
every unit and the general units' part hold only clauses the interpreter can judge; the others sit
in the key units' part, the priority units' part and units' own clauses, where the plan puts the
weight (武利工业园 and the town centres, the water sources and the 五皇山 massif). So most units keep
clauses left to the reviewer, as real lists do, while 白石水镇一般管控单元, whose only clause of its
own concerns its agro-processing park's wastewater, is judged in full for the projects of S29 and
S30: every clause that binds it was judged and none binds them, so the list answers the catalogue's
question (CU04) and the finding is `clear`. The clauses that decide a sample site's verdict:

| clause id | clause | decides |
|---|---|---|
{structured_rows}

## Regional catalogue

`layerset.yaml` has `catalogs: [qinzhou_pilot]`, so screening this layer set applies the
regional rules of `zones/catalog/qinzhou_pilot.yaml` (quoted from the plan, a public-comment
draft) on top of the national ones: QZ01 (basin, water-hungry heavily polluting industries:
prohibited), QZ02 (basin, nitrogen/phosphorus: restricted), QZ03 (basin, livestock: restricted),
QZ04 (water-conservation area, 两高一资: restricted), QZ05 (禁养区, livestock: prohibited), QZ06
(park, high noise: prohibited), and RL01 reworded for the 五皇山 red line (same conditions and
verdict as the national rule). A touched regional zone whose rules do not match the project
gives `review`; of the regional kinds only `ecological_function` is reported when merely nearby.

## Provenance

- Modelled on the 钦州城乡融合发展试验区 ecological protection plan (public-comment draft,
  钦州市生态环境局, 2025; seed 000): its towns, rivers, the three named water sources,
  武利工业园, 光达新材料产业园, the 五皇山 red line, the key basins 武利江 and 大风江, the
  water-conservation area and the 禁养区. The plan has no maps or coordinates in text form; all
  geometry, every zone level, class and code, and every access-list clause here are invented.
- Placed with the real 灵山县/浦北县 border and the counties' northern outline from the data files
  of the PyPI package `cnmaps` 1.1.7 (BSD-3-Clause; boundaries from Amap), embedded, simplified,
  in `tools/generate_sample.py`. Those outlines are in **GCJ-02** and are used here as if they were CGCS2000:
  the sample sits a few hundred metres from where the same coordinates would be on a CGCS2000
  map, which is fine for illustration and another reason never to use it for a real review.

## Rebuild

```
python tools/generate_sample.py            # from the repository root; rewrites this folder
python tools/generate_sample.py --check    # rebuild, then verify the invariants and the sites
```

The generator is deterministic (fixed seeds, no network, fixed dates in the GeoPackage and DBF
headers): re-running it gives byte-identical files with the same libraries (built with shapely
2.2 / GEOS 3.14, pyogrio 0.13 / GDAL 3.12, pyproj 3.7 / PROJ 9.5; other versions may differ in
the last digits of some coordinates). `--check` verifies the files, the topology, the farmland,
every site's relations with shapely and geodesic distances, then screens the sites with the real
checker (`redline.checks.screen.screen_sites` on this folder) and compares verdict, relations and rule;
on the result it checks the access list (read from the workbook's text, every unit listed, the
clear controls' unit judged in full, most sites with clauses left to the reviewer), the coverage
(declared; S41 outside, S42's covered share in its note), that every verdict, relation, kind, class
and geometry type occurs, that a finding shows an industry group's question, that the facts reach
the projects, and that the confidential park's findings carry no geometry.
It also validates both layer sets with `layers.validate.validate_layerset`: nothing may be
reported here but the access list's reference to 钦州市's requirements, which it does not hold
(a warning), and in `tests/data/defective/` exactly the rows of its `expected.csv`, areas to 0.01 %.

## Validation

```
redline layers validate layers/sample/data --region layers/sample/data/region.geojson   # no problem
redline layers validate tests/data/defective \
    --region tests/data/defective/region.geojson --out validation --strict     # exit 1
```

`tests/data/defective/` (a test fixture of the repository) is a window of this layer set around
武利镇 with one planted defect of every kind
the validator reports (bow-tie, empty geometry, duplicate and missing id, unmapped class, two
overlapping control units, a gap at the region's edge and a hole, a 一级 drawn into its 二级, a
一级 its 二级 leaves open, red line ∩ farmland, red line ∩ urban boundary, farmland ∩ urban
boundary); its README and `expected.csv` list them with their areas.

## Sample sites

`sites.geojson` holds {n_sites} sites. `expected_relations` lists, per zone kind with findings,
the worst relation (inside > overlaps > nearby, search distance 1000 m; control units, urban
boundaries, 禁养区, parks and basins are never `nearby`); `expected_verdict` is the worst verdict over all findings;
`expected_rule` is the `rule_id` of the site's deciding finding (the first finding the checker
lists: worst verdict, then kind order, distance and zone id), a catalogue rule code or an
access-list clause id, empty for a site without findings. Sites are placed with a clear margin (relations
hold with at least 20 m to spare, distances are at least 150 m from the 1000 m limit).

The expected answers follow the rule catalogues (`docs/rules.md`: the national catalogue and
`qinzhou_pilot`) and the access list. In short: a zone only `nearby` gives `review`; in a water
source, 一级 is `prohibited` unless the project is water supply or source protection (`restricted`),
二级 is `prohibited` for a project that discharges pollutants and `restricted` otherwise, and
livestock farms and outfalls are `prohibited` in both; the 准保护区 lies outside the protection
zones proper: only a new or expanded project that pollutes water seriously is `prohibited` there
(`restricted` when rebuilt), anything else asks (`review`, WS08). In a red line a project is
`prohibited` unless it is one of the limited activities 自然资发〔2022〕142号 allows or a national
major project (`restricted`, RL07–RL15, RL02); the core area allows fewer. Basic farmland touched
is `prohibited` unless national major or temporary (`restricted`); soil-polluting projects are
`prohibited` on it and `restricted` near it. A nature park is a 一般控制区: eco-tourism there is
`restricted` (NR06). A touched control unit is `review` (CU02–CU04: does the project meet the
unit's list?) or `restricted` for an industrial project in a priority unit (CU01); the list's
clauses then decide: one that binds the project gives its verdict (on a tie it is the more specific
text), one that cannot be judged keeps `review`, and when every clause binding the unit was judged
and none binds the project, the finding is `clear`. Industry codes the source narrows by a process
(电镀 in C3360, the 电石法 route in C2614, coal firing in D4411, the scale of a livestock farm)
decide only with the tag that answers the question (`electroplating`, `calcium_carbide_pvc`,
`coal_fired`, `livestock`); without it the rule asks (`review`, 「待核实：…」 in the finding's
explanation): the sites carry the tags their stories imply, and where a story does not tell, the
question shows: S26's farmland findings (a fine-chemicals plant: is it the calcium-carbide PVC
route?) and S04's 准保护区 finding (vegetable processing: high-strength organic wastewater?). A tag
can only answer yes, so such a question stays open until a reviewer answers it. The site verdict is the
worst of its findings (prohibited > restricted > review > no_coverage > clear).

The project facts (for the 名录, the site's EIA category) are given where the 名录 asks and the
story tells: a pig farm's 年出栏生猪, a solar farm's 装机容量 and 电压等级, a process (`工艺`), what
is built (`类型`). The table gives each site's expected verdict, rule and relations.

| site | geometry | name | industry | tags | action | facts | verdict | rule | relations | purpose |
|---|---|---|---|---|---|---|---|---|---|---|
{site_rows}
"""


def clause_table(sample: Sample) -> tuple[str, str, int]:
    """README rows: clauses per scope, the clauses that decide a sample site; and the clause count."""
    clauses = access_clauses()
    units = list(sample.units.values())
    bound = {
        "*": len(units),
        **{cls: sum(u.cls == digit for u in units) for cls, digit in CLASS_CODES.items()},
        "产业集聚类重点管控单元": sum(cls == access.INDUSTRY for *_, cls, _ in access.UNITS),
        "浦北县": sum(u.county == PUBEI for u in units),
    }
    lines = []
    for scope, key in TOTAL_SCOPES.items():
        n = sum(cid.startswith(f"{key}/") for cid in clauses)
        lines.append(f"| {scope} (`{key}`) | {bound[key]} | {n} |")
    for digit in CLASS_CODES.values():
        codes = {u.code for u in units if u.cls == digit}
        n = sum(cid.split("/")[0] in codes for cid in clauses)
        lines.append(f"| each {CLASS_LABELS[digit]}'s own clauses | {len(codes)} | {n} |")
    decided: dict[str, list[str]] = {}
    for s in sample.sites:
        if s.expected_rule in clauses:
            decided.setdefault(s.expected_rule, []).append(s.site_id)
    deciding = [f"| `{cid}` | {clauses[cid]} | {', '.join(ids)} |" for cid, ids in sorted(decided.items())]
    return "\n".join(lines), "\n".join(deciding), len(clauses)


def write_readme(sample: Sample, out: Path) -> None:
    """README.md: what the files are, provenance, the access list, how to rebuild, the site table."""
    lon0, lat0, lon1, lat1 = to_geo(sample.region).bounds
    rows = "\n".join(
        f"| {s.site_id} | {s.geometry.geom_type} | {s.name} | {s.industry or '—'} | "
        f"{s.tags.replace(';', ', ') or '—'} | {s.action} | "
        f"{'; '.join(f'{k}={v}' for k, v in s.facts.items()) or '—'} | {s.expected_verdict} | "
        f"{f'`{s.expected_rule}`' if s.expected_rule else '—'} | "
        f"{s.expected_relations.replace(';', '; ') or '—'} | {s.purpose} |"
        for s in sample.sites
    )
    clause_rows, structured_rows, n_clauses = clause_table(sample)
    n_context = len(sample.rivers) + len(sample.streams) + len(sample.sources) + len(TOWNS)
    units = list(sample.units.values())
    text = README_TEMPLATE.format(
        n_red=len(sample.redline),
        n_water=3 * len(sample.sources),
        n_units=len(units),
        n_priority=sum(u.cls == "1" for u in units),
        n_key=sum(u.cls == "2" for u in units),
        n_general=sum(u.cls == "3" for u in units),
        n_clauses=n_clauses,
        n_farm=len(sample.farmland),
        n_ban=len(sample.bans),
        n_urban=len(sample.urban),
        n_park=len(sample.parks),
        n_basin=len(sample.basins),
        n_eco=len(sample.eco),
        n_sites=len(sample.sites),
        n_context=n_context,
        sjsm=SJSM,
        area=hectares(sample.region) / 100.0,
        lon0=lon0,
        lon1=lon1,
        lat0=lat0,
        lat1=lat1,
        basin_wuli=hectares(sample.basins[0].geom) / 100.0,
        basin_dafeng=hectares(sample.basins[1].geom) / 100.0,
        eco=hectares(sample.eco[0].geom) / 100.0,
        forest=hectares(sample.forest[0].geom) / 100.0,
        n_forest=len(sample.forest),
        ban_buffer=LIVESTOCK_TOWN_BUFFER_M,
        guangda=hectares(sample.guangda) / 100.0,
        clause_rows=clause_rows,
        structured_rows=structured_rows,
        site_rows=rows,
    )
    (out / "README.md").write_text(text, encoding="utf-8")


def write_all(sample: Sample, out: Path) -> None:
    """Write every file of the sample layer set into ``out`` (fixed GeoPackage timestamps)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in (*OUTPUTS, *FORMER_OUTPUTS):
        (out / name).unlink(missing_ok=True)
    (out / "layerset.yaml").write_text(LAYERSET_YAML, encoding="utf-8")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{FIXED_DATE}T00:00:00Z"})
    try:
        for write in (
            write_redline,
            write_water_sources,
            write_control_units,
            write_access_list,
            write_farmland,
            write_urban_boundary,
            write_livestock_ban,
            write_industrial_parks,
            write_basins,
            write_eco_function,
            write_forest_park,
            write_sites,
            write_region,
            write_context,
            write_readme,
            write_defective,
        ):
            write(sample, out)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


# --------------------------------------------------------------------------- the defective variant
# tests/data/defective/: a window of the sample around 武利镇 with one planted defect of
# every kind ``redline layers validate`` reports, and expected.csv listing each one with the area
# computed here from the planted shape (pyproj.Geod), independently of the validator.

DEFECTIVE_DIR = "defective"


def defective_dir(out: Path) -> Path:
    """Where the defective variant goes: the tests' fixture folder for the bundled sample, else beside ``out``."""
    return DEFECTIVE_TEST_DIR if out.resolve() == DATA_DIR.resolve() else out / DEFECTIVE_DIR


#: the window, local km (west, south, east, north): 武利镇, its water source, the park, the wetland
DEFECT_WINDOW = (-16.5, -5.5, -2.0, 2.4)
EXPECTED_COLUMNS = ["check", "kind", "feature_id", "other_kind", "other_id", "area_m2", "lon", "lat", "defect"]

DEFECTIVE_YAML = """\
# 示意数据（非官方）/ illustrative, not official data — with DELIBERATE DEFECTS, for `redline layers validate`.
# Built by tools/generate_sample.py (do not edit by hand); see README.md and expected.csv.
name: 示例（含故意缺陷）— 钦州城乡融合发展试验区武利镇片（示意数据，非官方）/ defective sample (illustrative)
crs: EPSG:4490
illustrative: true
layers:
  - kind: ecological_redline
    path: ecological_redline.geojson
    id_field: HXBH
    name_field: HXMC
    class_field: HXLX
    class_map: {核心保护区: core, 一般控制区: other}
  - kind: water_source
    path: water_source.gpkg
    layer: zones
    id_field: SYDBH
    name_field: SYDMC
    class_field: BHQJB
    class_map: {一级保护区: first, 二级保护区: second, 准保护区: quasi}
  - kind: control_unit
    path: control_units.shp
    encoding: gbk
    id_field: HJZHGKDYBM
    name_field: HJZHGKDYMC
    class_field: ZHGKDYFL
    class_map: {"1": priority, "2": key, "3": general}
  - kind: basic_farmland
    path: basic_farmland.fgb
    id_field: TBBH
    name_field: ZLDWMC
  - kind: urban_boundary
    path: urban_boundary.geojson
    id_field: KFBJBH
    name_field: KFBJMC
"""

DEFECTIVE_README = """\
# Defective sample — 武利镇片（示意数据，非官方；含故意缺陷）

**示意数据，非官方 / illustrative, not official data, with deliberate defects.** A window of the
sample layer set (`layers/sample/data/`, local km {window} around 武利镇: its water source, 武利工业园 and the
武利江 wetland red line), cut from the same generator run, with one planted defect of every kind
`redline layers validate` reports. The tests validate it against `region.geojson` and compare
`validation.csv` with `expected.csv`: every row, and each area to 0.01 %.

```
redline layers validate tests/data/defective --region tests/data/defective/region.geojson
```

`expected.csv` columns: `check, kind, feature_id, other_kind, other_id` as in `validation.csv`,
`area_m2` (geodesic area of the planted shape, computed by the generator with `pyproj.Geod`, not
by the validator; empty for defects without an area), `lon, lat` (where GEOS reports an invalid
geometry) and `defect` (what was planted).

| check | kind | feature | other | area m² | defect |
|---|---|---|---|---|---|
{rows}

Apart from these, the layers are the sample's, clipped to the window: the control units still
tile `region.geojson` (the union of the clipped units before the defects were planted), so the
clean parts validate clean.
"""


@dataclass
class Defective:
    """The defective variant: layers (work CRS), region and the expected problems."""

    region: Polygon
    redline: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    farmland: gpd.GeoDataFrame
    urban: gpd.GeoDataFrame
    expected: list[dict]


def geodesic_m2(geom) -> float:
    """Geodesic area (m²) of a work-CRS polygon, as written (lon/lat rounded to 1e-9 degree)."""
    return abs(GEOD.geometry_area_perimeter(to_geo(geom))[0])


def inside_point(geom, seed: int, margin: float) -> Point:
    """A random point of ``geom`` at least ``margin`` m from its boundary (deterministic)."""
    core = geom.buffer(-margin)
    rng = np.random.default_rng(SEED + seed)
    x0, y0, x1, y1 = core.bounds
    shapely.prepare(core)
    while True:
        p = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if core.contains(p):
            return p


def planted_rect(center: Point, w: float, h: float, angle: float = 0.0) -> Polygon:
    """A planted rectangle, rounded to the centimetre as every written shape is."""
    return round_work(rect(center, w, h, angle))


def build_defective(sample: Sample) -> Defective:
    """Cut the window out of the sample, then plant one defect of every kind."""
    window = shapely.segmentize(box(*km(*DEFECT_WINDOW[:2]), *km(*DEFECT_WINDOW[2:])), SEGMENT_M)
    expected: list[dict] = []

    def expect(check, kind, fid, other_kind="", other_id="", area=None, defect="", where=None):
        expected.append(
            {
                "check": check,
                "kind": kind,
                "feature_id": fid,
                "other_kind": other_kind,
                "other_id": other_id,
                "area_m2": "" if area is None else f"{area:.4f}",
                "lon": "" if where is None else f"{where[0]:.9f}",
                "lat": "" if where is None else f"{where[1]:.9f}",
                "defect": defect,
            }
        )

    # control units, clipped on the cm grid; the region is their union before the defects
    units = []
    for u in sample.units.values():
        g = u.geom.intersection(window, grid_size=GRID_M)
        if g.area > 1.0:
            units.append({"code": u.code, "name": u.name, "cls": u.cls, "county": u.county, "town": u.town, "geom": g})
    by_name = {u["name"]: u for u in units}
    general, town_unit = by_name["武利镇一般管控单元"], by_name["武利镇镇区重点管控单元"]
    park_unit, guangda_unit = by_name["武利工业园重点管控单元"], by_name[f"{GUANGDA_NAME}重点管控单元"]
    others = shapely.union_all([u["geom"] for u in units if u is not general])
    clear = others.buffer(400.0)
    # the notch (2, below) is noded into the general unit first, so that the region's outline,
    # the union of the units, has its corners too: the gap is then exactly the notch
    south = LineString([km(DEFECT_WINDOW[0], DEFECT_WINDOW[1]), km(DEFECT_WINDOW[2], DEFECT_WINDOW[1])])
    edge = south.difference(clear)
    centre = edge.interpolate(0.5, normalized=True) if edge.geom_type == "LineString" else largest_line(edge)
    notch = planted_rect(Point(centre.x, centre.y), 300.0, 240.0)
    gap = general["geom"].intersection(notch, grid_size=GRID_M)
    kept = general["geom"].difference(notch, grid_size=GRID_M)
    general["geom"] = shapely.coverage_union_all([kept, gap])
    region = shapely.coverage_union_all([u["geom"] for u in units])
    if region.geom_type != "Polygon" or abs(region.area - window.intersection(sample.region).area) > 1.0:
        raise ValueError("the clipped control units do not tile the window")
    # (1) overlap: the town-centre unit also claims a rectangle inside the general unit
    spot = inside_point(general["geom"].difference(others.buffer(300.0)), 201, 200.0)
    grab = planted_rect(spot, 200.0, 150.0, 20.0)
    town_unit["geom"] = shapely.MultiPolygon([*shapely.get_parts(town_unit["geom"]), grab])
    a, b = sorted([town_unit["code"], general["code"]])
    expect("overlap", "control_unit", a, "control_unit", b, geodesic_m2(grab), "unit drawn over its neighbour")
    # (2) gap at the region's edge: a notch cut out of the general unit along the window's south side
    general["geom"] = kept
    expect("gap", "control_unit", general["code"], area=geodesic_m2(gap), defect="notch at the region's edge")
    # (3) gap inside: a hole in the park's unit
    hole = planted_rect(inside_point(park_unit["geom"], 203, 150.0), 120.0, 90.0, -10.0)
    park_unit["geom"] = park_unit["geom"].difference(hole, grid_size=GRID_M)
    expect("gap", "control_unit", park_unit["code"], area=geodesic_m2(hole), defect="hole inside a unit")
    # (4) a class value class_map does not know
    guangda_unit["cls"] = "4"
    expect("unmapped_class", "control_unit", guangda_unit["code"], defect="class value 4")

    # water sources: 武利镇's three levels, plus an invented source whose 二级 leaves one side open
    wl = sample.sources["WL"]
    zones = []
    for i, (cls, label, *_) in enumerate(LEVELS, start=1):
        g = wl.zones[cls]
        if not window.contains(g):
            raise ValueError(f"{wl.name} {label} leaves the window")
        zones.append({"code": f"SY{wl.county}-WL-{i}", "name": f"{wl.name}{label}", "level": label, "geom": g})
    # (5) the 一级 zone reaches into its 二级 ring
    reach_s = wl.s - 600.0
    bulge = round_work(river_rect(wl.river, reach_s, 130.0, 160.0, 100.0))
    zones[0]["geom"] = round_work(zones[0]["geom"].union(bulge))
    into = bulge.difference(wl.zones["first"])
    if into.difference(wl.zones["second"]).area > 1e-6:
        raise ValueError("the planted 一级 bulge leaves the 二级 ring")
    expect(
        "water_level_overlap",
        "water_source",
        zones[0]["code"],
        "water_source",
        zones[1]["code"],
        geodesic_m2(into),
        "一级 drawn into its 二级",
    )
    # (6) a 一级 zone its 二级 does not surround: a U-shaped 二级, open to the east
    hub = inside_point(general["geom"].difference(clear), 206, 700.0)
    inner = planted_rect(hub, 300.0, 200.0)
    _, y0, x1, y1 = inner.bounds
    outer = planted_rect(hub, 900.0, 700.0)
    opening = box(x1, y0, outer.bounds[2] + 1.0, y1)
    ring = round_work(outer.difference(inner).difference(opening))
    for i, (geom, label) in enumerate(((inner, "一级保护区"), (ring, "二级保护区")), start=1):
        zones.append({"code": f"SY{LINGSHAN}-HT-{i}", "name": f"汉塘村山塘水源地{label}", "level": label, "geom": geom})
    expect(
        "water_not_surrounded",
        "water_source",
        f"SY{LINGSHAN}-HT-1",
        "water_source",
        f"SY{LINGSHAN}-HT-2",
        defect="二级 open along the 一级's east side (200 m)",
    )

    # farmland: the parcels wholly in the window
    farm = sample.farmland[sample.farmland.geometry.within(window.buffer(-1.0))].copy().reset_index(drop=True)
    farm = farm.sort_values("TBBH").reset_index(drop=True)
    pick = {
        name: int(i)
        for name, i in zip(
            ("host", "bowtie", "dup_a", "dup_b", "noid"), np.linspace(10, len(farm) - 10, 5), strict=True
        )
    }
    geoms = list(farm.geometry)
    # (7) a bow-tie: the parcel is a self-intersecting quadrilateral
    c = geoms[pick["bowtie"]].representative_point()
    bx0, by0, bx1, by1 = round_work(box(c.x - 30.0, c.y - 20.0, c.x + 30.0, c.y + 20.0)).bounds
    geoms[pick["bowtie"]] = Polygon([(bx0, by0), (bx1, by1), (bx1, by0), (bx0, by1)])
    where = to_geo(Point((bx0 + bx1) / 2, (by0 + by1) / 2)).coords[0]
    expect("invalid_geometry", "basic_farmland", farm.loc[pick["bowtie"], "TBBH"], defect="bow-tie", where=where)
    # (8) two parcels with one id
    farm.loc[pick["dup_b"], "TBBH"] = farm.loc[pick["dup_a"], "TBBH"]
    expect("duplicate_id", "basic_farmland", farm.loc[pick["dup_a"], "TBBH"], defect="two parcels, one TBBH")
    # (9) a parcel without an id
    farm.loc[pick["noid"], "TBBH"] = None
    expect("missing_id", "basic_farmland", "", defect="TBBH empty")
    # (10) red line ∩ farmland: a small red-line patch drawn on a parcel
    host = geoms[pick["host"]]
    patch = planted_rect(inside_point(host, 210, 40.0), 60.0, 45.0, 15.0)
    if not host.buffer(-2.0).contains(patch):
        raise ValueError("the planted red-line patch leaves its parcel")
    farm = gpd.GeoDataFrame(farm.drop(columns="geometry"), geometry=geoms, crs=WORK_CRS)
    host_id = farm.loc[pick["host"], "TBBH"]

    wetland = sample.redline["HX450721-002"]
    red_rows = [
        {
            "HXBH": wetland.code,
            "HXMC": wetland.name,
            "HXLX": wetland.cls,
            "geom": wetland.geom.intersection(window, grid_size=GRID_M),
        },
        {"HXBH": "HX450721-901", "HXMC": "武利江滩涂生态保护红线（补划图斑）", "HXLX": "一般控制区", "geom": patch},
    ]
    expect(
        "cross_overlap",
        "ecological_redline",
        "HX450721-901",
        "basic_farmland",
        host_id,
        geodesic_m2(patch),
        "red-line patch on a farmland parcel",
    )
    # (11) red line ∩ urban boundary: a development plot drawn inside the wetland red line
    wuli = sample.rivers["武利江"]
    s0 = wuli.project(Point(km(-4.2, 0))) + 600.0
    plot = round_work(river_rect(wuli, s0, 0.0, 120.0, 80.0))
    if not wetland.geom.buffer(-5.0).contains(plot) or not window.contains(plot):
        raise ValueError("the planted urban plot leaves the wetland red line")
    # (12) farmland ∩ urban boundary: a parcel drawn inside 武利镇's urban boundary
    town = next(a for a in sample.urban if a.name == "武利镇城镇开发边界")
    parcel = planted_rect(inside_point(town.geom, 212, 100.0), 110.0, 90.0, 5.0)
    urban_rows = [
        {"KFBJBH": a.code, "KFBJMC": a.name, "KFBJLX": a.cls, "geom": a.geom}
        for a in sample.urban
        if window.contains(a.geom)
    ]
    urban_rows += [
        {"KFBJBH": "KFBJ450721-901", "KFBJMC": "武利江滨水开发地块（越界）", "KFBJLX": "城镇集中建设区", "geom": plot},
        # (13) an urban-boundary feature with no geometry
        {"KFBJBH": "KFBJ450721-902", "KFBJMC": "待补绘地块（无几何）", "KFBJLX": "城镇集中建设区", "geom": None},
    ]
    expect(
        "cross_overlap",
        "ecological_redline",
        wetland.code,
        "urban_boundary",
        "KFBJ450721-901",
        geodesic_m2(plot),
        "development plot inside the wetland red line",
    )
    expect("empty_geometry", "urban_boundary", "KFBJ450721-902", defect="feature without geometry")
    extra = {
        "TBBH": "TB450721-900001",
        "ZLDWMC": "武东村",
        "XZQDM": LINGSHAN,
        "SSXZ": "武利镇",
        "DLMC": "水田",
        "TBMJ": round(geodesic_m2(parcel), 2),
        "SJSM": SJSM,
    }
    farm = pd_concat(farm, gpd.GeoDataFrame([extra], geometry=[parcel], crs=WORK_CRS))
    expect(
        "cross_overlap",
        "basic_farmland",
        "TB450721-900001",
        "urban_boundary",
        town.code,
        geodesic_m2(parcel),
        "farmland parcel inside the urban boundary",
    )

    red = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "geom"} | {"SJSM": SJSM} for r in red_rows],
        geometry=[to_geo(r["geom"]) for r in red_rows],
        crs=GEO_CRS,
    )
    water = gpd.GeoDataFrame(
        [{"SYDBH": z["code"], "SYDMC": z["name"], "BHQJB": z["level"], "SJSM": SJSM} for z in zones],
        geometry=[to_geo(z["geom"]) for z in zones],
        crs=GEO_CRS,
    )
    unit_frame = gpd.GeoDataFrame(
        [
            {
                "HJZHGKDYBM": u["code"],
                "HJZHGKDYMC": u["name"],
                "ZHGKDYFL": u["cls"],
                "XZQDM": u["county"],
                "SSXZ": u["town"],
                "SJSM": SJSM,
            }
            for u in units
        ],
        geometry=[to_geo(u["geom"]) for u in units],
        crs=GEO_CRS,
    )
    urban = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "geom"} | {"SJSM": SJSM} for r in urban_rows],
        geometry=[None if r["geom"] is None else to_geo(r["geom"]) for r in urban_rows],
        crs=GEO_CRS,
    )
    return Defective(region, red, water, unit_frame, farm, urban, expected)


def largest_line(lines):
    """The middle of the longest part of a multi-line."""
    longest = max(shapely.get_parts(lines), key=lambda g: g.length)
    return longest.interpolate(0.5, normalized=True)


def pd_concat(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Append the rows of ``b`` to ``a`` (same CRS)."""
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat([a, b], ignore_index=True), geometry="geometry", crs=a.crs)


def write_defective(sample: Sample, out: Path) -> None:
    """Write the defective variant into :func:`defective_dir` (the tests' fixture for the bundled sample)."""
    d = build_defective(sample)
    folder = defective_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    for p in folder.iterdir():
        p.unlink()
    (folder / "layerset.yaml").write_text(DEFECTIVE_YAML, encoding="utf-8")
    write_geojson(d.redline, folder / "ecological_redline.geojson", "ecological_redline")
    pyogrio.write_dataframe(
        d.water, folder / "water_source.gpkg", driver="GPKG", layer="zones", layer_options={"DESCRIPTION": NOTICE}
    )
    pyogrio.write_dataframe(
        d.units,
        folder / "control_units.shp",
        driver="ESRI Shapefile",
        encoding="GBK",
        layer_options={"DBF_DATE_LAST_UPDATE": FIXED_DATE},
    )
    (folder / "control_units.cpg").unlink(missing_ok=True)
    pyogrio.write_dataframe(
        d.farmland,
        folder / "basic_farmland.fgb",
        driver="FlatGeobuf",
        layer="basic_farmland",
        layer_options={"DESCRIPTION": NOTICE},
    )
    write_geojson(d.urban, folder / "urban_boundary.geojson", "urban_boundary")
    region = gpd.GeoDataFrame(
        {"name": ["武利镇片（示意窗口）"], "SJSM": [SJSM]}, geometry=[to_geo(d.region)], crs=GEO_CRS
    )
    write_geojson(region, folder / "region.geojson", "region")
    with open(folder / "expected.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=EXPECTED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(d.expected)
    rows = "\n".join(
        f"| `{e['check']}` | {e['kind']} | {e['feature_id'] or '—'} | {e['other_id'] or '—'} | "
        f"{float(e['area_m2']):,.2f} | {e['defect']} |".replace("| nan |", "| — |")
        if e["area_m2"]
        else f"| `{e['check']}` | {e['kind']} | {e['feature_id'] or '—'} | {e['other_id'] or '—'} | — | {e['defect']} |"
        for e in d.expected
    )
    window = ", ".join(f"{v:g}" for v in DEFECT_WINDOW)
    (folder / "README.md").write_text(DEFECTIVE_README.format(rows=rows, window=f"({window})"), encoding="utf-8")


# --------------------------------------------------------------------------- checking

KIND_ORDER = [
    "ecological_redline",
    "water_source",
    "control_unit",
    "basic_farmland",
    "urban_boundary",
    "nature_reserve",
    "livestock_ban",
    "industrial_park",
    "basin",
    "ecological_function",
]
#: kinds reported when a site is only near them (the others bind only where they are touched)
NEARBY_KINDS = ("ecological_redline", "water_source", "basic_farmland", "nature_reserve", "ecological_function")
RELATION_RANK = {"inside": 0, "overlaps": 1, "nearby": 2}
MARGIN_M = 20.0  # a touching relation must hold with this much room
DIST_MARGIN_M = 150.0  # a distance must be this far from the 1000 m limit


@dataclass
class ReadLayer:
    """A zone layer as read back: lon/lat and work-CRS geometries, classes, a tree."""

    gdf: gpd.GeoDataFrame
    geo: np.ndarray
    work: np.ndarray
    cls: np.ndarray
    tree: shapely.STRtree


def load_layers(out: Path) -> dict[str, ReadLayer]:
    """Read the zone layers back as the manifest describes them, in EPSG:4490."""
    frames = {
        "ecological_redline": gpd.read_file(out / "ecological_redline.geojson"),
        "water_source": gpd.read_file(out / "water_source.gpkg", layer="zones"),
        "control_unit": gpd.read_file(out / "control_units.shp", encoding="gbk"),
        "basic_farmland": gpd.read_file(out / "basic_farmland.fgb").to_crs(GEO_CRS),
        "urban_boundary": gpd.read_file(out / "urban_boundary.geojson"),
        "livestock_ban": gpd.read_file(out / "livestock_ban.fgb"),
        "industrial_park": gpd.read_file(out / "industrial_park.geojson"),
        "basin": gpd.read_file(out / "basin.geojson"),
        "ecological_function": gpd.read_file(out / "ecological_function.gpkg", layer="zones"),
        "nature_reserve": gpd.read_file(out / "forest_park.geojson"),
    }
    classes = {
        "ecological_redline": "HXLX",
        "water_source": "BHQJB",
        "control_unit": "ZHGKDYFL",
        "ecological_function": "GNQLX",
        "nature_reserve": "GKFQ",
    }
    layers = {}
    for kind, gdf in frames.items():
        work = gdf.geometry.to_crs(WORK_CRS).values
        cls = gdf[classes[kind]].to_numpy() if kind in classes else np.full(len(gdf), "")
        layers[kind] = ReadLayer(gdf, gdf.geometry.values, np.asarray(work), cls, shapely.STRtree(np.asarray(work)))
    return layers


def geodesic_distance(a, b) -> float:
    """Approximate geodesic distance (m) between two work-CRS geometries."""
    pa, pb = ops.nearest_points(a, b)
    (lon1, lat1), (lon2, lat2) = to_geo(pa).coords[0], to_geo(pb).coords[0]
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def measure(geom) -> float:
    """Area of polygons, length of lines, 0 for points."""
    return geom.area if geom.area > 0 else geom.length


def site_findings(site_geo, layers) -> tuple[list[tuple], list[str]]:
    """Findings (kind, class, relation, distance) of one site and any margin problems.

    Margins are checked per kind and class: a touched zone must be touched clearly, and
    when nothing of a class is touched, the nearest zone of it must be at least 20 m away
    and, for the kinds reported as nearby, not within 150 m of the 1000 m limit.
    """
    work = to_work(site_geo)
    findings, problems = [], []
    for kind in KIND_ORDER:
        lay = layers[kind]
        idx = lay.tree.query(work, predicate="dwithin", distance=BUFFER_M + 500.0)
        groups: dict[str, list[int]] = {}
        for i in idx:
            groups.setdefault(lay.cls[i], []).append(int(i))
        for cls, members in groups.items():
            touched = [i for i in members if site_geo.intersects(lay.geo[i])]
            for i in touched:
                zone_work = lay.work[i]
                rel = "inside" if site_geo.within(lay.geo[i]) else "overlaps"
                if rel == "inside" and not zone_work.contains(work.buffer(MARGIN_M)):
                    problems.append(f"{kind} {cls}: inside by less than {MARGIN_M} m")
                if rel == "overlaps" and work.geom_type != "Point":
                    part = measure(work.intersection(zone_work))
                    least = MARGIN_M if work.area == 0 else 400.0
                    if min(part, measure(work) - part) < least:
                        problems.append(f"{kind} {cls}: overlap too slight ({part:.0f})")
                findings.append((kind, cls, rel, 0.0))
            if touched:
                continue
            rest = np.array(members)
            planar = shapely.distance(lay.work[rest], work)
            if kind not in NEARBY_KINDS:  # no finding, but not touched by a hair either
                if planar.min() < MARGIN_M:
                    problems.append(f"{kind} {cls}: {planar.min():.0f} m away, too close to touching")
                continue
            d = geodesic_distance(work, lay.work[int(rest[np.argmin(planar)])])
            if d < MARGIN_M or BUFFER_M - DIST_MARGIN_M < d < BUFFER_M + DIST_MARGIN_M:
                problems.append(f"{kind} {cls}: distance {d:.0f} m too close to a limit")
            if d <= BUFFER_M:
                findings.append((kind, cls, "nearby", round(d, 1)))
    return findings, problems


def relations_string(findings) -> str:
    """``kind:relation;...``: the worst relation per kind, in the contract's kind order."""
    worst: dict[str, str] = {}
    for kind, _, rel, _ in findings:
        if kind not in worst or RELATION_RANK[rel] < RELATION_RANK[worst[kind]]:
            worst[kind] = rel
    return ";".join(f"{k}:{worst[k]}" for k in KIND_ORDER if k in worst)


def check_sites(out: Path, layers) -> list[str]:
    """Every site's computed relations must equal its expected_relations, with margins."""
    problems = []
    sites = gpd.read_file(out / "sites.geojson")
    for _, s in sites.iterrows():
        findings, margin = site_findings(s.geometry, layers)
        got = relations_string(findings)
        problems += [f"{s.site_id}: {p}" for p in margin]
        if got != s.expected_relations:
            problems.append(f"{s.site_id}: relations {got!r}, expected {s.expected_relations!r}")
    return problems


def overlap_area(geoms) -> float:
    """Total pairwise intersection area (m²) of work-CRS polygons."""
    tree = shapely.STRtree(geoms)
    total = 0.0
    for i, j in zip(*tree.query(geoms, predicate="intersects"), strict=True):
        if i < j:
            total += geoms[i].intersection(geoms[j]).area
    return total


def check_formats(out: Path) -> list[str]:
    """Each file reads back with the CRS it was written in; the DBF is GBK without a .cpg."""
    problems = []
    expect_crs = {
        "ecological_redline.geojson": "EPSG:4490",
        "water_source.gpkg": "EPSG:4490",
        "control_units.shp": "EPSG:4490",
        "basic_farmland.fgb": "EPSG:4546",
        "urban_boundary.geojson": "EPSG:4490",
        "livestock_ban.fgb": "EPSG:4490",
        "industrial_park.geojson": "EPSG:4490",
        "basin.geojson": "EPSG:4490",
        "ecological_function.gpkg": "EPSG:4490",
        "forest_park.geojson": "EPSG:4490",
        "sites.geojson": "EPSG:4490",
        "region.geojson": "EPSG:4490",
        "context.geojson": "EPSG:4490",
    }
    for name, crs in expect_crs.items():
        got = pyogrio.read_info(out / name)["crs"]
        if got != crs:
            problems.append(f"{name}: CRS {got}, expected {crs}")
    if (out / "control_units.cpg").exists():
        problems.append("control_units.cpg exists")
    dbf = (out / "control_units.dbf").read_bytes()
    if dbf[29] != 0:
        problems.append(f"DBF code-page byte is {dbf[29]}, expected 0")
    if "武利工业园重点管控单元".encode("gbk") not in dbf:
        problems.append("the DBF does not hold GBK-encoded names")
    names = gpd.read_file(out / "control_units.shp", encoding="gbk")["HJZHGKDYMC"].tolist()
    if not all(n.endswith("单元") for n in names):
        problems.append("control unit names are wrong when read with encoding=gbk")
    if gpd.read_file(out / "control_units.shp")["HJZHGKDYMC"].tolist() == names:
        problems.append("control units read correctly without encoding=gbk")
    with zipfile.ZipFile(out / "access_list.xlsx") as book:
        if "xl/workbook.xml" not in book.namelist():
            problems.append("access_list.xlsx is not an Excel workbook")
    if (out / "access_list.csv").exists():
        problems.append("access_list.csv is left from an earlier build")
    return problems


def check_topology(out: Path, layers) -> list[str]:
    """Control units tile the region; no zone layer overlaps itself."""
    problems = []
    region = to_work(shapely.union_all(gpd.read_file(out / "region.geojson").geometry.values))
    area_km2 = abs(GEOD.geometry_area_perimeter(to_geo(region))[0]) / 1e6
    if region.geom_type != "Polygon" or region.interiors or abs(area_km2 - REGION_AREA_KM2) > 1.0:
        problems.append(f"the towns do not make one {REGION_AREA_KM2} km² region: {area_km2:.2f}")
    cover = shapely.union_all(layers["control_unit"].work)
    if cover.symmetric_difference(region).area > 0.01:
        problems.append(f"control units do not tile the region: {cover.area} vs {region.area}")
    counts = layers["control_unit"].gdf["ZHGKDYFL"].value_counts()
    if any(counts.get(c, 0) < 3 for c in "123"):
        problems.append(f"fewer than 3 units in a class: {dict(counts)}")
    for kind in (
        "control_unit",
        "water_source",
        "ecological_redline",
        "livestock_ban",
        "basin",
        "urban_boundary",
        "nature_reserve",
    ):
        area = overlap_area(layers[kind].work)
        if area > 1.0:
            problems.append(f"{kind}: polygons overlap by {area:.1f} m²")
    for kind in ("livestock_ban", "industrial_park", "basin", "ecological_function", "nature_reserve"):
        outside = shapely.union_all(layers[kind].work).difference(region).area
        if outside > 1.0:
            problems.append(f"{kind}: {outside:.1f} m² outside the region")
    parks = dict(zip(layers["industrial_park"].gdf["YQMC"], layers["industrial_park"].work, strict=True))
    units = dict(zip(layers["control_unit"].gdf["HJZHGKDYMC"], layers["control_unit"].work, strict=True))
    guangda = parks[GUANGDA_NAME]
    if guangda.difference(parks[PARK_NAME]).area > 1.0:
        problems.append(f"{GUANGDA_NAME} is not inside {PARK_NAME}")
    if guangda.symmetric_difference(units[f"{GUANGDA_NAME}重点管控单元"]).area > 1.0:
        problems.append(f"{GUANGDA_NAME} and its control unit differ")
    park_units = shapely.union_all([units[name] for name in PARK_UNITS])
    if park_units.symmetric_difference(parks[PARK_NAME]).area > 1.0:
        problems.append(f"the two park units do not make up {PARK_NAME}")
    return problems


def check_farmland(out: Path, layers) -> list[str]:
    """Enough parcels of 1-10 ha, none touching the red line, 一级/二级 or the park."""
    problems = []
    farm = layers["basic_farmland"]
    if len(farm.geo) < 2000:
        problems.append(f"only {len(farm.geo)} farmland parcels")
    if not farm.gdf["TBMJ"].between(1e4, 1e5).all():
        problems.append("farmland parcel outside 1-10 ha")
    water = layers["water_source"]
    keep_out = [
        *layers["ecological_redline"].geo,
        *water.geo[np.isin(water.cls, ["一级保护区", "二级保护区"])],
        *layers["industrial_park"].geo,
    ]
    tree = shapely.STRtree(farm.geo)
    hits = sum(len(tree.query(g, predicate="intersects")) for g in keep_out)
    if hits:
        problems.append(f"{hits} farmland parcels touch the red line, 一级/二级 or the park")
    return problems


def site_answers(result) -> dict[str, tuple[str, str, str]]:
    """``site_id -> (verdict, relations, rule)`` from a screening result.

    ``relations`` is the worst relation per kind in :data:`KIND_ORDER`; ``rule`` is the
    ``rule_id`` of the site's first finding, which the checker sorts worst verdict first
    (then by kind, distance and zone id): the rule or clause that decides the verdict.
    """
    answers = {}
    findings = result.findings
    for _, s in result.sites.iterrows():
        found = findings[findings["site_id"] == s["site_id"]]
        rels = list(zip(found["kind"], found["zone_class"], found["relation"], found["distance_m"], strict=True))
        rule = str(found["rule_id"].iloc[0]) if len(found) else ""
        answers[s["site_id"]] = (s["verdict"], relations_string(rels), rule)
    return answers


def check_screening(out: Path) -> list[str]:
    """Screen the sites with the real checker; every site must get its expected answer.

    Then the access list, the coverage, what the sample covers, the questions, the facts, the
    confidential layer and the regional rules are checked on the result.
    """
    root = str(REPO)
    if root not in sys.path:
        sys.path.insert(0, root)
    from redline.checks.screen import screen_sites
    from redline.checks.sites.reader import read_sites
    from redline.layers import load_layerset

    problems = []
    layerset = load_layerset(out)
    sites, crs = read_sites(out / "sites.geojson")
    result = screen_sites(sites, layerset, meta={"input_crs": crs})
    expected = gpd.read_file(out / "sites.geojson").set_index("site_id")
    answers = site_answers(result)
    for site_id, (verdict, relations, rule) in answers.items():
        want = expected.loc[site_id]
        if result.sites.set_index("site_id").loc[site_id, "status"] != "ok":
            problems.append(f"{site_id}: the checker could not read the site")
        for what, got, exp in (
            ("verdict", verdict, want["expected_verdict"]),
            ("relations", relations, want["expected_relations"] or ""),
            ("rule", rule, want["expected_rule"] or ""),
        ):
            if got != exp:
                problems.append(f"{site_id}: checker gives {what} {got!r}, expected {exp!r}")
    deciding = {rule for _, _, rule in answers.values()}
    for code in ("QZ01", "QZ03", "QZ04", "QZ06", "LB01", "NR06"):
        if code not in deciding:
            problems.append(f"no site is decided by the rule {code}")
    return (
        problems
        + check_access_list(layerset, result)
        + check_coverage(out, layerset, result)
        + check_covered(result)
        + check_questions_and_facts(result)
        + check_confidential(layerset, result)
    )


#: the clear controls and the unit whose list the screen judges in full for them
CLEAR_SITES, CLEAR_UNIT = ("S29", "S30"), "白石水镇一般管控单元"


def check_access_list(layerset, result) -> list[str]:
    """The list is read from the workbook's text, every unit has clauses, the clear controls' unit is judged in full."""
    from redline.zones.access_list import DIMENSIONS

    problems = []
    units = next(layer for layer in layerset.layers if layer.kind == "control_unit")
    clauses = units.access.clauses if units.access is not None else []
    scopes = {c.unit_code for c in clauses}
    for code in units.gdf["zone_id"]:
        if code not in scopes:
            problems.append(f"access list: unit {code} has no clause of its own")
    if {c.dimension for c in clauses} != set(DIMENSIONS):
        problems.append("access list: not every dimension is used")
    if not set(TOTAL_SCOPES.values()) <= scopes:
        problems.append(f"access list: a scope of the 总体管控要求 is missing: {sorted(scopes)}")
    if any(c.structured for c in clauses):
        problems.append("access list: a clause is structured; every clause must be read from its text")
    if {c.clause_id: c.text for c in clauses} != access_clauses():
        problems.append("access list: the clauses read differ from tools/sample_access_list.py's")
    f, code = result.findings, units.gdf.set_index("zone_name").loc[CLEAR_UNIT, "zone_id"]
    mine = f[f["site_id"].isin(CLEAR_SITES) & (f["kind"] == "control_unit")]
    if sorted(mine["site_id"]) != sorted(CLEAR_SITES) or set(mine["zone_id"]) != {code}:
        problems.append(f"{', '.join(CLEAR_SITES)} must lie in {CLEAR_UNIT} alone")
    if (mine["verdict"] != "clear").any() or (mine["undecided_clauses"] != "").any():
        problems.append(f"{CLEAR_UNIT}: some clause binding it was not judged for {', '.join(CLEAR_SITES)}")
    undecided = f.loc[f["undecided_clauses"] != "", "site_id"].unique()
    notes = result.sites.set_index("site_id")["note"]
    if len(undecided) < len(result.sites) // 2 or not all("条条款无法自动判定" in notes[s] for s in undecided):
        problems.append("most sites must have clauses left to the reviewer, counted in their note")
    return problems


def check_coverage(out: Path, layerset, result) -> list[str]:
    """The manifest declares the coverage; S41 is outside it, S42 across its edge with its share in the note."""
    import yaml

    problems = []
    declared = yaml.safe_load((out / "layerset.yaml").read_text("utf-8")).get("coverage")
    if declared != "control_units" or layerset.coverage_kind() != "control_units":
        problems.append(f"layerset.yaml: coverage {declared!r}, expected control_units")
    by_id = result.sites.set_index("site_id")
    n_outside = result.findings["site_id"].eq("S41").sum()
    if by_id.loc["S41", "verdict"] != "no_coverage" or n_outside or "覆盖范围之外" not in by_id.loc["S41", "note"]:
        problems.append("S41 must be no_coverage, without findings, its note saying so")
    site = next(s for s in build_sample().sites if s.site_id == "S42")
    share = covered_share(site.geometry, build_region())
    if share not in by_id.loc["S42", "note"] or not 0.25 < float(share[2:-1]) / 100 < 0.75:
        problems.append(f"S42: note {by_id.loc['S42', 'note']!r} does not give {share} (or the share is slight)")
    return problems


def check_covered(result) -> list[str]:
    """The sample shows every verdict, relation, kind, class and geometry type."""
    from redline.zones.verdicts import VERDICTS

    problems = []
    f = result.findings
    if set(result.sites["verdict"]) != set(VERDICTS):
        problems.append(f"verdicts covered: {sorted(set(result.sites['verdict']))}")
    if set(f["relation"]) != {"inside", "overlaps", "nearby"}:
        problems.append(f"relations covered: {sorted(set(f['relation']))}")
    if set(f["kind"]) != set(KIND_ORDER):
        problems.append(f"kinds without a finding: {sorted(set(KIND_ORDER) - set(f['kind']))}")
    for kind, classes in (
        ("water_source", {"first", "second", "quasi"}),
        ("control_unit", {"priority", "key", "general"}),
        ("ecological_redline", {"core", "other"}),
    ):
        if set(f.loc[f["kind"] == kind, "zone_class"]) != classes:
            problems.append(f"{kind}: classes covered {sorted(set(f.loc[f['kind'] == kind, 'zone_class']))}")
    if set(result.sites["geom_type"].dropna()) != {"Point", "LineString", "Polygon"}:
        problems.append(f"geometry types covered: {sorted(set(result.sites['geom_type'].dropna()))}")
    return problems


def check_questions_and_facts(result) -> list[str]:
    """One site shows a group question (review, 待核实); the facts reach the projects; the EIA columns are there."""
    import yaml

    problems = []
    groups = yaml.safe_load((REPO / "zones" / "data" / "industry_groups.yaml").read_text("utf-8"))
    asked = [q["zh"] for q in groups["questions"].values()]
    f = result.findings
    shown = f[(f["verdict"] == "review") & f["explanation"].str.contains("待核实", regex=False)]
    if not any(q in text for text in shown["explanation"] for q in asked):
        problems.append("no finding shows a question of an industry group (review, 待核实)")
    for _, row in result.sites.iterrows():
        facts = dict(row["project"].facts) if row["project"] is not None else {}
        if facts != SITE_FACTS.get(row["site_id"], {}):
            problems.append(f"{row['site_id']}: facts read {facts}, expected {SITE_FACTS.get(row['site_id'], {})}")
    covered = result.sites[result.sites["verdict"] != "no_coverage"]
    if (covered["eia_category"] == "").any():
        problems.append("a covered site has no EIA category")
    return problems


def check_confidential(layerset, result) -> list[str]:
    """The forest park is the only confidential layer; its findings exist and carry no geometry."""
    problems = []
    secret = [layer for layer in layerset.layers if layer.confidential]
    if [layer.kind for layer in secret] != ["nature_reserve"]:
        problems.append(f"confidential layers: {[layer.label for layer in secret]}, expected the forest park only")
    f = result.findings
    hidden = f[f["kind"] == "nature_reserve"].geometry
    if len(hidden) == 0 or hidden.notna().any():
        problems.append("the forest park's findings must exist and carry no geometry (confidential)")
    return problems


def check_validation(out: Path) -> list[str]:
    """``redline layers validate``: nothing on the sample; on the defective variant, exactly expected.csv.

    Areas must agree to 0.01 % (the project's promise for areas), and the bow-tie's location to 1e-7°.
    """
    root = str(REPO)
    if root not in sys.path:
        sys.path.insert(0, root)
    from redline.layers.validate import validate_layerset

    problems = []
    for region in (out / "region.geojson", None):
        report = validate_layerset(out, region=region, lang="en")
        problems += [
            f"clean sample (region {region and region.name}): {p.check} {p.message}"
            for p in report.problems
            if (p.check, p.feature_id) != ("access_list", "*/空间布局约束/1")  # the reference to 钦州市's list
        ]
    folder = defective_dir(out)
    got = validate_layerset(folder, region=folder / "region.geojson", lang="en").to_frame()
    got = got.astype(object).where(got.notna(), "")
    with open(folder / "expected.csv", encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    key = ["check", "kind", "feature_id", "other_kind", "other_id"]
    found = {tuple(str(r[k]) for k in key): r for r in got.to_dict("records")}
    for e in expected:
        row = found.pop(tuple(e[k] for k in key), None)
        if row is None:
            problems.append(f"defective: not reported: {e['check']} {e['feature_id']} ({e['defect']})")
            continue
        if e["area_m2"] and abs(float(row["area_m2"]) - float(e["area_m2"])) > 1e-4 * float(e["area_m2"]):
            problems.append(
                f"defective: {e['check']} {e['feature_id']}: area {row['area_m2']}, expected {e['area_m2']}"
            )
        if e["lon"] and f"{float(e['lon']):.6f}, {float(e['lat']):.6f}" not in row["message"]:
            problems.append(f"defective: {e['check']} {e['feature_id']}: location not in {row['message']!r}")
    problems += [f"defective: unexpected {k[0]} {k[2]} {k[4]}" for k in found]
    return problems


def check_determinism(out: Path) -> list[str]:
    """Rebuild into a scratch folder and compare every file byte for byte."""

    def target(rel: Path) -> Path:  # the defective variant of the bundled sample lives in the tests
        return defective_dir(out) / rel.relative_to(DEFECTIVE_DIR) if rel.parts[0] == DEFECTIVE_DIR else out / rel

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        write_all(build_sample(), scratch)
        return [
            f"{p.relative_to(scratch)} differs on rebuild"
            for p in sorted(scratch.rglob("*"))
            if p.is_file()
            and (
                not target(p.relative_to(scratch)).exists()
                or p.read_bytes() != target(p.relative_to(scratch)).read_bytes()
            )
        ]


def check(out: Path) -> list[str]:
    """Every invariant of the sample layer set; returns the problems found."""
    layers = load_layers(out)
    problems = (
        check_formats(out)
        + check_topology(out, layers)
        + check_farmland(out, layers)
        + check_sites(out, layers)
        + check_screening(out)
        + check_validation(out)
        + check_determinism(out)
    )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    if size > 3 * 2**20:
        problems.append(f"data folder is {size / 2**20:.2f} MiB")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Rebuild the sample layer set; with --check, verify it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify after building")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    args = parser.parse_args(argv)
    write_all(build_sample(), args.out)
    if not args.check:
        return 0
    problems = check(args.out)
    for p in problems:
        print("FAIL", p, file=sys.stderr)
    print("check:", "ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
