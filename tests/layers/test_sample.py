"""The bundled illustrative sample layer set (``layers/sample/data``), as ``redline demo`` uses it."""

from __future__ import annotations

import re

import pytest

from redline.layers import load_layerset, sample_dir
from redline.zones.kinds import KINDS, STATUTORY_KINDS

_CJK = re.compile(r"[\u4e00-\u9fff]")
#: GBK bytes read as Latin-1 (the mojibake of a DBF without .cpg read with the wrong encoding).
_MOJIBAKE = re.compile(r"[\u0080-\u00ff\ufffd]")


@pytest.fixture(scope="module")
def sample():
    return load_layerset("sample")


def test_sample_is_the_bundled_manifest(sample):
    assert sample.path == sample_dir() / "layerset.yaml"
    assert sample.name
    assert sample.illustrative is True


def test_sample_has_every_kind_with_features(sample):
    assert set(STATUTORY_KINDS) <= set(sample.kinds)
    for layer in sample.layers:
        assert len(layer.gdf) >= 1, layer.label
        assert layer.gdf.crs == "EPSG:4490"
        assert layer.gdf.is_valid.all(), layer.label
        assert layer.source_crs, f"{layer.label}: source_crs not recorded"
        assert layer.fingerprint.startswith("sha256:")


def test_sample_farmland_is_many_parcels(sample):
    assert len(sample.zones("basic_farmland")) >= 2000


def test_sample_control_units_have_every_class(sample):
    units = sample.zones("control_unit")
    counts = units["zone_class"].value_counts()
    for cls in KINDS["control_unit"].classes:
        assert counts.get(cls, 0) >= 3, f"{cls}: {counts.get(cls, 0)} units"


def test_sample_control_unit_names_are_chinese(sample):
    names = sample.zones("control_unit")["zone_name"]
    for name in names:
        assert _CJK.search(name), name
        assert not _MOJIBAKE.search(name), f"{name!r}: GBK read wrong"


def test_sample_water_sources_have_every_class(sample):
    classes = set(sample.zones("water_source")["zone_class"])
    assert set(KINDS["water_source"].classes) <= classes
