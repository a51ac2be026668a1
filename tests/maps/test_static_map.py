"""Static site maps (PNG for the reports) and the shared matplotlib helpers.

The images are compared with the expected ones in ``baseline/`` with a
tolerance (root-mean-square difference of the RGB values); after an intended
change, regenerate them with ``REDLINE_UPDATE_BASELINE=1 pytest tests/maps``
and look at them before committing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pyproj import Geod

from redline.maps import _mpl
from redline.maps._mpl import nice_length, printable
from redline.maps.static_map import _local_transformer, site_map_png, site_map_pngs
from tests.maps._fake_result import fake_result

BASELINE = Path(__file__).parent / "baseline"
#: RMS difference allowed, on 0..255 RGB values (text anti-aliasing may differ a little between machines).
TOLERANCE = 6.0


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def _rms(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2)))


@pytest.fixture(scope="module")
def images():
    if _mpl.cjk_family() is None and not os.environ.get("CI"):
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk); the baselines have Chinese labels")
    assert _mpl.cjk_family() is not None, "CI must have a CJK font (fonts-noto-cjk, installed by .ci/run)"
    return site_map_pngs(fake_result(), ["S1", "S2", "S3", "S4", "S5"])


@pytest.mark.parametrize("site_id", ["S1", "S2", "S3"])
def test_matches_the_expected_image(images, site_id):
    png = images[site_id]
    expected = BASELINE / f"site_{site_id}.png"
    if os.environ.get("REDLINE_UPDATE_BASELINE"):
        BASELINE.mkdir(exist_ok=True)
        expected.write_bytes(png)
    assert expected.is_file(), f"no baseline {expected.name}; run with REDLINE_UPDATE_BASELINE=1"
    got, want = _rgb(png), _rgb(expected.read_bytes())
    assert got.shape == want.shape
    rms = _rms(got, want)
    assert rms < TOLERANCE, f"{site_id}: RMS difference {rms:.2f} >= {TOLERANCE}"


def test_a_different_map_does_not_match(images):
    assert _rms(_rgb(images["S1"]), _rgb(images["S2"])) > TOLERANCE * 2


def test_size_site_colour_and_skipped_rows(images):
    assert set(images) == {"S1", "S2", "S3", "S4"}  # S5 has no geometry
    rgb = _rgb(images["S1"])
    assert rgb.shape == (550, 880, 3)
    # the prohibited point is drawn at the centre of the map frame
    h, w = rgb.shape[:2]
    centre = rgb[int(h * 0.5) - 6 : int(h * 0.5) + 6, int(w * 0.297) - 6 : int(w * 0.297) + 6]
    red = np.array([0xC0, 0x39, 0x2B], dtype=float)
    assert (np.abs(centre - red).sum(axis=2) < 40).any()


def test_errors():
    r = fake_result()
    with pytest.raises(KeyError, match="no site with site_id 'nope'"):
        site_map_png(r, "nope")
    with pytest.raises(ValueError, match="site 'S5' has no geometry"):
        site_map_png(r, "S5")


def test_local_projection_gives_true_distances():
    tr = _local_transformer(109.3, 22.3)
    geod = Geod(ellps="GRS80")
    lon, lat, _ = geod.fwd(109.3, 22.3, 37.0, 4000.0)
    x, y = tr.transform(lon, lat)
    assert np.hypot(x, y) == pytest.approx(4000.0, abs=0.01)


def test_without_a_cjk_font_labels_are_english_and_nothing_warns(monkeypatch):
    monkeypatch.setattr(_mpl, "cjk_family", lambda: None)
    _mpl._charset.cache_clear()
    try:
        r = fake_result()
        r.sites.loc[0, "site_id"] = "S1"
        png = site_map_png(r, "S2")  # pytest turns any glyph-missing warning into an error
        assert png.startswith(b"\x89PNG")
        assert printable("电镀厂 S1") == "??? S1"
    finally:
        _mpl._charset.cache_clear()


def test_helpers():
    assert nice_length(740) == 500 and nice_length(3100) == 2000 and nice_length(0) == 1
    assert printable("a\tb\nc") == "ab\nc"
    assert printable(None) == ""
