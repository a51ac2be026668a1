"""Property-based: every web-map transform and its inverse agree everywhere in China (hypothesis)."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from redline.layers.webcoords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    transform_geometry,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")

# China's extent (73-136E, 3-54N) lies inside the published offset rectangle (72.004-137.8347E,
# 0.8293-55.8271N) with more than the largest offset (~0.02 degree) to spare, so no point and
# its image straddle the rectangle's edge.
LON = st.floats(73.0, 136.0, allow_nan=False)
LAT = st.floats(3.0, 54.0, allow_nan=False)

PAIRS = {
    "gcj02": (wgs84_to_gcj02, gcj02_to_wgs84),
    "bd09": (wgs84_to_bd09, bd09_to_wgs84),
    "gcj02->bd09": (gcj02_to_bd09, bd09_to_gcj02),
}


def _metres(lon1, lat1, lon2, lat2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@settings(max_examples=300, deadline=None)
@given(lon=LON, lat=LAT, pair=st.sampled_from(sorted(PAIRS)))
def test_forward_then_inverse_is_the_identity(lon, lat, pair):
    forward, inverse = PAIRS[pair]
    flon, flat = forward(lon, lat)
    blon, blat = inverse(flon, flat)
    assert _metres(lon, lat, float(blon), float(blat)) < 0.1


@settings(max_examples=300, deadline=None)
@given(lon=LON, lat=LAT, pair=st.sampled_from(sorted(PAIRS)))
def test_inverse_then_forward_is_the_identity(lon, lat, pair):
    forward, inverse = PAIRS[pair]
    ilon, ilat = inverse(lon, lat)
    flon, flat = forward(ilon, ilat)
    assert _metres(lon, lat, float(flon), float(flat)) < 0.1


@settings(max_examples=200, deadline=None)
@given(lon=LON, lat=LAT)
def test_offsets_are_real_and_bounded(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    blon, blat = gcj02_to_bd09(glon, glat)
    assert 1 < _metres(lon, lat, float(glon), float(glat)) < 1500
    assert 1 < _metres(float(glon), float(glat), float(blon), float(blat)) < 1500


@settings(max_examples=50, deadline=None)
@given(
    lon=st.floats(74.0, 134.0),
    lat=st.floats(4.0, 52.0),
    size=st.floats(1e-4, 0.5),
    source=st.sampled_from(["gcj02", "bd09"]),
)
def test_whole_geometries_round_trip(lon, lat, size, source):
    polygon = shapely.Polygon(
        shapely.box(lon, lat, lon + size, lat + size).exterior.coords,
        [shapely.box(lon + size / 4, lat + size / 4, lon + size / 2, lat + size / 2).exterior.coords],
    )
    there = transform_geometry(polygon, "wgs84", source)
    back = transform_geometry(there, source, "wgs84")
    assert back.geom_type == "Polygon" and len(back.interiors) == 1
    a, b = shapely.get_coordinates(polygon), shapely.get_coordinates(back)
    assert max(_metres(*a[i], *b[i]) for i in range(len(a))) < 0.1
    assert np.isfinite(b).all()
