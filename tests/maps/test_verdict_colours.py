"""Every verdict the contract lists (read at run time) has a colour and a label on every map.

``no_coverage`` (超出图层覆盖范围: the site lies wholly outside where the layer set speaks) sits
between ``review`` and ``clear``; these tests set :data:`redline.zones.verdicts.VERDICTS` themselves,
so they do not depend on how the contract's list grows.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from redline.maps import site_map
from redline.maps._leaflet import verdicts_payload
from redline.maps._style import VERDICT_COLORS, verdict_color, verdict_order
from redline.maps._texts import verdict_name
from redline.zones import verdicts
from tests.maps._fake_result import fake_result

GREY_BLUE = "#7f8fa6"


@pytest.fixture
def with_no_coverage(monkeypatch):
    monkeypatch.setattr(verdicts, "VERDICTS", ("prohibited", "restricted", "review", "no_coverage", "clear"))


def test_order_follows_the_contract(with_no_coverage):
    assert verdict_order() == ("prohibited", "restricted", "review", "no_coverage", "clear", "error")
    assert verdict_color("no_coverage") == GREY_BLUE
    assert verdict_name("no_coverage") == "超出图层覆盖范围"
    assert ["no_coverage", "超出图层覆盖范围", GREY_BLUE] in verdicts_payload("zh")


def test_a_new_verdict_gets_a_colour_of_its_own(monkeypatch):
    monkeypatch.setattr(verdicts, "VERDICTS", (*verdicts.VERDICTS, "pending"))
    colours = [verdict_color(v) for v in verdict_order()]
    assert len(set(colours)) == len(colours)
    assert verdict_color("not a verdict") == VERDICT_COLORS["error"]


def test_site_map_colours_and_explains_no_coverage(with_no_coverage):
    r = fake_result()
    r.sites.loc[r.sites["site_id"] == "S4", "verdict"] = "no_coverage"
    m = site_map(r)
    payload = m.rc_payload
    sites = payload["sites"]
    code = sites["v"][sites["id"].index("S4")]
    assert payload["verdicts"][code] == ["no_coverage", "超出图层覆盖范围", GREY_BLUE]
    page = m.get_root().render()
    legend = re.search(r'<div id="rc-legend">.*?</div></div>(?=\s*<)', page, re.S).group(0)
    assert re.findall(r'data-verdict="(\w+)"', legend) == ["prohibited", "restricted", "review", "no_coverage"]
    assert f"background:{GREY_BLUE}" in legend and "超出图层覆盖范围：" in legend  # the swatch and the note
    english = site_map(r, lang="en").get_root().render()
    assert "outside the layers&#x27; coverage" in english  # the label (escaped), and the note
    assert "Outside the layers&#x27; coverage: the site lies wholly outside where the layer set speaks" in english


def test_without_no_coverage_sites_the_legend_has_no_such_note():
    page = site_map(fake_result()).get_root().render()
    assert "超出图层覆盖范围" not in page.split('id="rc-legend"')[1].split("</details>")[0]


def test_static_site_map_draws_no_coverage_grey_blue(with_no_coverage):
    from redline.maps import _mpl
    from redline.maps.static_map import site_map_png

    if _mpl.cjk_family() is None:
        pytest.skip("no CJK font installed")
    r = fake_result()
    r.sites.loc[r.sites["site_id"] == "S4", "verdict"] = "no_coverage"
    rgb = np.asarray(Image.open(io.BytesIO(site_map_png(r, "S4"))).convert("RGB"), dtype=float)
    h, w = rgb.shape[:2]
    centre = rgb[int(h * 0.5) - 6 : int(h * 0.5) + 6, int(w * 0.297) - 6 : int(w * 0.297) + 6]
    target = np.array([0x7F, 0x8F, 0xA6], dtype=float)
    assert (np.abs(centre - target).sum(axis=2) < 30).any()
