"""Coordinate text forms: decimal, degrees-minutes-seconds, hemispheres in either order."""

from __future__ import annotations

import pytest

from redline.checks.sites.coords import CoordinatePair, parse_angle, parse_pair
from redline.zones.errors import SiteError

LON = 108 + 39 / 60 + 12.5 / 3600
LAT = 22 + 10 / 60 + 3 / 3600


@pytest.mark.parametrize(
    ("text", "first", "second", "lonlat"),
    [
        ("109.30,22.28", 109.30, 22.28, None),
        ("109.30 22.28", 109.30, 22.28, None),
        ("109.30；22.28", 109.30, 22.28, None),
        ("108°39'12.5\"E 22°10'03\"N", LON, LAT, True),
        ("108°39′12.5″E, 22°10′03″N", LON, LAT, True),
        ("108º39’12.5”E 22º10’03”N", LON, LAT, True),
        ("108°39'12.5''E 22°10'03''N", LON, LAT, True),
        ("22°10'03\"N 108°39'12.5\"E", LAT, LON, False),
        ("N22°10'03\" E108°39'12.5\"", LAT, LON, False),
        ("E 108°39'12.5\", N 22°10'03\"", LON, LAT, True),
        ("108度39分12.5秒,22度10分3秒", LON, LAT, None),
        ("东经108度39分12.5秒，北纬22度10分3秒", LON, LAT, True),
        ("北纬22°10′03″ 东经108°39′12.5″", LAT, LON, False),
        ("108°39′12.5″东 22°10′03″北", LON, LAT, True),
        ("108.6534722°E 22.1675°N", 108.6534722, 22.1675, True),
        ("108°39.2083' 22°10.05'", 108 + 39.2083 / 60, 22 + 10.05 / 60, None),
        ("74°0'W 40°42'N", -74.0, 40.7, True),
        ("S33°54' E151°12'", -33.9, 151.2, False),
    ],
)
def test_pairs(text, first, second, lonlat):
    pair = parse_pair(text)
    assert pair.first == pytest.approx(first, abs=1e-9)
    assert pair.second == pytest.approx(second, abs=1e-9)
    assert pair.lonlat is lonlat


def test_plain_numbers_are_not_angular():
    assert parse_pair("36512345,2468000") == CoordinatePair(36512345.0, 2468000.0, None, False)
    assert parse_pair("108°39' 22°10'").angular


@pytest.mark.parametrize("text", ["", "not a site", "109.3", "109.3;22.2;5", "POINT (109.3 22.2)", "12'30\" 22°"])
def test_not_pairs(text):
    assert parse_pair(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("108°60' 22°", "60 minutes is not below 60"),
        ("108°59'60\" 22°", "60 seconds is not below 60"),
        ("108.5°30' 22°", r"degrees with minutes must be whole \(108.5°\)"),
        ("108°30.5'10\" 22°", "minutes with seconds must be whole"),
        ("22°N 23°S", r"both coordinates are marked as latitudes \(north/south\)"),
    ],
)
def test_malformed(text, message):
    with pytest.raises(SiteError, match=message):
        parse_pair(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("108°39'12.5\"E", LON), ("22度10分3秒", LAT), ("S 33.9", -33.9), ("12.5", 12.5), ("-0.5°", -0.5)],
)
def test_single_angles(text, value):
    assert parse_angle(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "", "108 22"])
def test_not_single_angles(text):
    assert parse_angle(text) is None
