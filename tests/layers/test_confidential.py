"""Confidential (涉密) layers: the manifest flag, the cache that never stores them, validation without locations."""

from __future__ import annotations

import dataclasses
import re

import pyogrio
import pytest
import yaml
from shapely import Polygon, box

from redline.layers import load_layerset
from redline.layers.cache import _spec_parts, cache_key, store_layer
from redline.layers.geodesy import geodesic_area
from redline.layers.manifest import read_manifest
from redline.layers.validate import validate_layerset
from redline.zones.errors import ManifestError
from tests.conftest import run_cli, write_layerset

#: A zone whose every coordinate is distinctive, so a search for it cannot match anything else.
SECRET = Polygon([(109.123456789, 22.187654321), (109.143456789, 22.187654321), (109.143456789, 22.207654321),
                  (109.123456789, 22.207654321)])  # fmt: skip
#: A bow-tie (invalid: the ring crosses itself at 109.1334..., 22.2476...).
BOWTIE = Polygon([(109.123456789, 22.237654321), (109.143456789, 22.257654321), (109.143456789, 22.237654321),
                  (109.123456789, 22.257654321)])  # fmt: skip
PUBLIC = box(109.30, 22.30, 109.31, 22.31)


def set_key(manifest, index: int, key: str, value) -> None:
    data = yaml.safe_load(manifest.read_text("utf-8"))
    if value is None:
        data["layers"][index].pop(key, None)
    else:
        data["layers"][index][key] = value
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "layers"


def cached(folder) -> list[str]:
    return (
        sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) if folder.exists() else []
    )


# --------------------------------------------------------------------------- the manifest


def test_manifest_reads_true_false_and_absent(tmp_path):
    manifest = write_layerset(
        tmp_path / "l",
        {"nature_reserve": [("FP-1", "general", SECRET)], "water_source": [("W1", "first", PUBLIC)]},
        extra={"nature_reserve": {"confidential": True}, "water_source": {"confidential": False}},
    )
    specs = read_manifest(manifest).layers
    assert [s.confidential for s in specs] == [True, False]
    ls = load_layerset(manifest)
    assert [(layer.kind, layer.confidential) for layer in ls.layers] == [
        ("nature_reserve", True),
        ("water_source", False),
    ]
    set_key(manifest, 1, "confidential", None)
    assert [s.confidential for s in read_manifest(manifest).layers] == [True, False]


@pytest.mark.parametrize("value", ["yes please", "true", 1, 0, None, [True]])
def test_manifest_refuses_a_value_that_is_not_true_or_false(tmp_path, value):
    manifest = write_layerset(tmp_path / "l", {"nature_reserve": [("FP-1", "general", SECRET)]})
    data = yaml.safe_load(manifest.read_text("utf-8"))
    data["layers"][0]["confidential"] = value
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ManifestError) as err:
        read_manifest(manifest)
    message = str(err.value)
    assert "layers[0] (nature_reserve, nature_reserve.gpkg)" in message
    assert f"confidential {value!r} is not true or false" in message
    proc = run_cli("layers", "info", str(manifest), "--lang", "en")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"confidential {value!r} is not true or false" in proc.stderr


def test_yaml_spellings_of_true_are_true(tmp_path):
    manifest = write_layerset(tmp_path / "l", {"nature_reserve": [("FP-1", "general", SECRET)]})
    text = manifest.read_text("utf-8").replace("kind: nature_reserve", "kind: nature_reserve\n  confidential: yes")
    manifest.write_text(text, "utf-8")
    assert read_manifest(manifest).layers[0].confidential is True


# --------------------------------------------------------------------------- the cache


def test_confidential_layer_is_never_written_to_the_cache(tmp_path, own_cache):
    manifest = write_layerset(
        tmp_path / "l",
        {"nature_reserve": [("FP-1", "general", SECRET)], "water_source": [("W1", "first", PUBLIC)]},
        extra={"nature_reserve": {"confidential": True}},
    )
    for _ in range(2):
        ls = load_layerset(manifest)
        assert ls.layers[0].gdf.geometry.iloc[0].equals(SECRET)
    assert len(cached(own_cache)) == 1  # the water source only
    from redline.layers.store import open_store

    (key,) = cached(own_cache)
    entry = open_store(own_cache / key, key).frame()
    assert entry["zone_id"].tolist() == ["W1"] and entry.geometry.iloc[0].equals(PUBLIC)
    assert [p.name for p in own_cache.iterdir()] == [key]  # nothing else was written


def test_cache_key_holds_the_flag_and_flipping_it_never_serves_a_stale_entry(tmp_path, own_cache):
    manifest = write_layerset(tmp_path / "l", {"nature_reserve": [("FP-1", "general", SECRET)]})
    public = load_layerset(manifest).layers[0]
    assert public.confidential is False and len(cached(own_cache)) == 1
    spec = read_manifest(manifest).layers[0]
    parts = _spec_parts(spec, None)
    assert parts["confidential"] is False
    assert cache_key({**parts, "confidential": True}) != cache_key(parts)

    set_key(manifest, 0, "confidential", True)
    secret = load_layerset(manifest).layers[0]
    assert secret.confidential is True
    assert cached(own_cache) == []  # the copy it left while public is gone, nothing new stored

    # an entry planted under the confidential key is never read
    spec = read_manifest(manifest).layers[0]
    from redline.layers.fingerprint import fingerprint

    key = cache_key({"fingerprint": fingerprint(spec.path), **_spec_parts(spec, None)})
    planted = dataclasses.replace(public, gdf=public.gdf.assign(zone_id="PLANTED"), store=None)
    store_layer(key, planted, {"source_crs": "x"})
    assert load_layerset(manifest).layers[0].gdf["zone_id"].tolist() == ["FP-1"]

    set_key(manifest, 0, "confidential", False)
    again = load_layerset(manifest).layers[0]
    assert again.confidential is False and again.gdf["zone_id"].tolist() == ["FP-1"]


# --------------------------------------------------------------------------- reading and validation


def test_strict_reading_names_the_feature_but_not_where_it_is(tmp_path):
    rows = {"nature_reserve": [("FP-BAD", "general", BOWTIE)], "basin": [("B-BAD", None, BOWTIE)]}
    manifest = write_layerset(tmp_path / "l", rows, extra={"nature_reserve": {"confidential": True}})
    with pytest.raises(ManifestError) as err:
        load_layerset(manifest)
    secret_part, public_part = str(err.value).split("layers[1]")
    assert "FP-BAD (Self-intersection)" in secret_part
    assert not re.search(r"109\.\d|22\.\d", secret_part)
    assert re.search(r"B-BAD \(Self-intersection\[109\.133", public_part)  # a public layer says where


INNER = box(109.13, 22.19, 109.135, 22.195)
FARM = Polygon([(109.140123456, 22.200123456), (109.150123456, 22.200123456), (109.150123456, 22.210123456),
                (109.140123456, 22.210123456)])  # fmt: skip


def make_validation_set(tmp_path):
    """A confidential red line with a bow-tie, an overlap within it, and one across to farmland."""
    return write_layerset(
        tmp_path / "v",
        {
            "ecological_redline": [("HX-1", "other", SECRET), ("HX-2", "other", INNER), ("HX-3", "other", BOWTIE)],
            "basic_farmland": [("F-1", None, FARM)],
        },
        extra={"ecological_redline": {"confidential": True}},
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_validation_of_a_confidential_layer_gives_ids_and_problems_only(tmp_path, lang):
    report = validate_layerset(make_validation_set(tmp_path), lang=lang)
    checks = sorted((p.check, p.feature_id, p.other_id) for p in report.problems)
    assert checks == [
        ("cross_overlap", "HX-1", "F-1"),
        ("invalid_geometry", "HX-3", ""),
        ("overlap", "HX-1", "HX-2"),
    ]
    for p in report.problems:
        assert p.geometry is None
        assert not re.search(r"109\.\d|22\.\d", p.message), p.message
    invalid = next(p for p in report.problems if p.check == "invalid_geometry")
    assert "Self-intersection" in invalid.message
    assert ("涉密" if lang == "zh" else "confidential") in invalid.message
    areas = {p.check: p.area_m2 for p in report.problems}
    assert areas["overlap"] == pytest.approx(geodesic_area(INNER), rel=1e-6)  # HX-2 lies inside HX-1
    assert areas["cross_overlap"] == pytest.approx(geodesic_area(SECRET.intersection(FARM)), rel=1e-6)
    assert report.layers[0].confidential and not report.layers[1].confidential
    text = report.summary()
    assert not re.search(r"109\.\d|22\.\d", text)
    assert ("（涉密）" if lang == "zh" else "(confidential)") in text
    note = "涉密图层（ecological_redline.gpkg）" if lang == "zh" else "confidential layers (ecological_redline.gpkg)"
    assert note in text
    assert report.notes == []  # what could not be checked: nothing (no control units, no region)


def test_validation_outputs_hold_no_geometry_of_a_confidential_layer(tmp_path):
    manifest = make_validation_set(tmp_path)
    out = tmp_path / "out"
    proc = run_cli("layers", "validate", str(manifest), "--out", str(out), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "3 error(s)" in proc.stdout and "(confidential)" in proc.stdout
    assert not re.search(r"109\.\d|22\.\d", proc.stdout)
    text = (out / "validation.csv").read_text("utf-8-sig")
    assert "HX-3" in text and not re.search(r"109\.\d|22\.\d", text)
    for layer, _ in pyogrio.list_layers(out / "validation.gpkg"):
        gdf = pyogrio.read_dataframe(out / "validation.gpkg", layer=layer)
        assert gdf.geometry.isna().all(), layer
    # the same set, public: the problems carry their geometry and location
    set_key(manifest, 0, "confidential", False)
    report = validate_layerset(manifest, lang="en")
    assert all(p.geometry is not None for p in report.problems)
    assert re.search(
        r"at 109\.133\d+, 22\.247", next(p.message for p in report.problems if p.check == "invalid_geometry")
    )


def test_layers_info_marks_a_confidential_layer_and_prints_no_coordinate(tmp_path):
    manifest = write_layerset(
        tmp_path / "l",
        {"nature_reserve": [("FP-1", "general", SECRET)], "water_source": [("W1", "first", PUBLIC)]},
        extra={"nature_reserve": {"confidential": True}},
    )
    proc = run_cli("layers", "info", str(manifest), "--out", str(tmp_path / "info"))
    assert proc.returncode == 0, proc.stderr
    block = proc.stdout.split("nature_reserve (自然保护地)")[1].split("water_source (")[0]
    assert "涉密：是" in block and "要素：1" in block  # Chinese by default
    assert not re.search(r"109\.\d|22\.\d", proc.stdout)
    assert not re.search(r"109\.\d|22\.\d", (tmp_path / "info" / "inventory.csv").read_text("utf-8-sig"))
