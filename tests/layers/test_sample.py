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


def test_sample_declares_its_coverage_as_the_control_units(sample):
    import yaml

    manifest = yaml.safe_load((sample_dir() / "layerset.yaml").read_text("utf-8"))
    assert manifest["coverage"] == "control_units" and sample.coverage_kind() == "control_units"
    units = sample.zones("control_unit").geometry.union_all()
    assert sample.coverage().symmetric_difference(units).area < 1e-12


def test_sample_access_list_is_the_published_workbook_read_from_its_text(sample):
    units = next(layer for layer in sample.layers if layer.kind == "control_unit")
    assert units.access is not None and not (sample_dir() / "access_list.csv").exists()
    clauses = units.access.clauses
    assert {c.unit_code for c in clauses} >= set(units.gdf["zone_id"]) | {"*", "priority", "key", "general"}
    assert clauses and not any(c.structured for c in clauses)


def test_sample_sites_carry_their_project_facts():
    from redline.checks.sites.reader import read_sites

    sites, _ = read_sites(sample_dir() / "sites.geojson")
    facts = {row.site_id: dict(row.project.facts) for row in sites.itertuples()}
    assert facts["S09"] == {"年出栏生猪": "8000头", "规模化养殖": "是"}
    assert facts["S22"]["装机容量"] == "20兆瓦" and facts["S01"] == {}
