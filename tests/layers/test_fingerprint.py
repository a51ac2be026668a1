"""Fingerprints: sha256 over every file of a source, recorded by every report."""

from __future__ import annotations

import hashlib
import re

import pytest

from redline.layers import load_layerset
from redline.layers.fingerprint import fingerprint, source_files
from tests.layers._zones import water_entry, write_manifest, write_source, zones_frame

_SHA = re.compile(r"sha256:[0-9a-f]{64}")


def _flip_byte(path, offset=-1):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_fingerprint_is_sha256_and_stable_across_reads(water_layerset):
    manifest, source = water_layerset
    before = _digests(source.parent)
    first = load_layerset(manifest)
    second = load_layerset(manifest)
    fp = first.layers[0].fingerprint
    assert _SHA.fullmatch(fp)
    assert fp == second.layers[0].fingerprint == fingerprint(source) == fingerprint(str(source))
    assert first.fingerprints() == {source.name: fp}
    assert _digests(source.parent) == before  # reading wrote nothing


def test_fingerprint_changes_with_one_byte(water_layerset):
    _, source = water_layerset
    before = fingerprint(source)
    _flip_byte(source)
    assert fingerprint(source) != before


@pytest.mark.parametrize("part", [".dbf", ".shx", ".prj", ".cpg"])
def test_shapefile_fingerprint_covers_its_sidecars(tmp_path, part):
    source = write_source(zones_frame(), tmp_path, "zones", "shp")
    before = fingerprint(source)
    _flip_byte(source.with_suffix(part))
    assert fingerprint(source) != before


def test_shapefile_fingerprint_ignores_unrelated_files(tmp_path):
    source = write_source(zones_frame(), tmp_path, "zones", "shp")
    before = fingerprint(source)
    source.with_suffix(".shp.xml").write_text("<metadata/>", "utf-8")
    (tmp_path / "notes.txt").write_text("hello", "utf-8")
    assert fingerprint(source) == before
    assert [p.suffix for p in source_files(source)] == [".shp", ".shx", ".dbf", ".prj", ".cpg"]


def test_shapefile_without_cpg_has_its_own_fingerprint(tmp_path):
    source = write_source(zones_frame(), tmp_path, "zones", "shp")
    before = fingerprint(source)
    source.with_suffix(".cpg").unlink()
    assert [p.suffix for p in source_files(source)] == [".shp", ".shx", ".dbf", ".prj"]
    assert fingerprint(source) != before


def test_an_edited_attribute_changes_the_loaded_fingerprint(tmp_path, fmt):
    folder = tmp_path / fmt
    source = write_source(zones_frame(), folder, "zones", fmt)
    manifest = write_manifest(folder, [water_entry(source)])
    before = load_layerset(manifest).layers[0].fingerprint
    for part in source_files(source):
        part.unlink()
    write_source(zones_frame().assign(SYDMC=["甲", "乙", "丙"]), folder, "zones", fmt)
    after = load_layerset(manifest).layers[0]
    assert sorted(after.gdf.zone_name) == ["丙", "乙", "甲"]
    assert after.fingerprint != before


def test_same_bytes_same_fingerprint(tmp_path):
    a = write_source(zones_frame(), tmp_path / "a", "zones", "gpkg")
    b = tmp_path / "b" / "zones.gpkg"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != "sha256:" + hashlib.sha256(b"").hexdigest()
