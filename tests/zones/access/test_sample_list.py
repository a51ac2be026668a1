"""tools/sample_access_list.py: the sample's access list in the published shape reads and judges as intended."""

from __future__ import annotations

import runpy
from pathlib import Path

import geopandas as gpd
import pytest

from redline.layers.access_tables import read_access_list
from redline.zones.access_text import Place
from redline.zones.project import make_project

REPO = Path(__file__).resolve().parents[3]
CLASSES = {"1": "priority", "2": "key", "3": "general"}


@pytest.fixture(scope="module")
def sample_list(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "access_list.xlsx"
    runpy.run_path(str(REPO / "tools" / "sample_access_list.py"))["write"](path)
    return read_access_list(path)


@pytest.fixture(scope="module")
def units():
    gdf = gpd.read_file(REPO / "layers" / "sample" / "data" / "control_units.shp", encoding="gbk")
    return [(r.HJZHGKDYBM, CLASSES[str(r.ZHGKDYFL)], {"XZQDM": r.XZQDM}) for r in gdf.itertuples()]


def test_every_unit_of_the_sample_layer_is_in_the_list(sample_list, units):
    assert sorted(sample_list.units) == sorted(code for code, _, _ in units)
    checks = [(p.check, p.scope) for p in sample_list.problems(units)]
    assert checks == [("reference_unresolved", "*")]  # 钦州市's own list is not bundled
    assert not any(c.structured for c in sample_list.clauses)


def test_the_demo_cases_read_from_the_text(sample_list):
    park = Place(
        inside=frozenset({("industrial_park", "")}),
        names=frozenset({("industrial_park", "武利工业园")}),
        kinds=frozenset({"industrial_park"}),
    )
    plating = [c.judge(make_project("C3360"), park).verdict for c in sample_list.for_unit("ZH45072120001", "key")]
    assert "prohibited" in plating  # S31: plating in 武利工业园 outside the 光达 plating park
    guangda = Place(inside=park.inside, names=frozenset({("industrial_park", "光达新材料产业园")}))
    first = sample_list.for_unit("ZH45072120001", "key")[0]
    assert first.judge(make_project("C3360"), guangda).conformity == "符合"
    county = {c.unit_code for c in sample_list.for_unit("ZH45072230003", "general")}
    assert "浦北县" in county and "浦北县" not in {
        c.unit_code for c in sample_list.for_unit("ZH45072130001", "general")
    }
