"""A layer set whose layers live in PostGIS screens like the same layers as files, and is cached by content."""

from __future__ import annotations

import shutil

import pandas as pd
import pyogrio
import yaml

from redline.checks.screen import screen_sites
from redline.checks.sites.reader import read_sites
from redline.layers import load_layerset, sample_dir
from tests._postgres import cluster, fresh_database, load_frame

#: (manifest kind, sample file, table, SRID as stored)
TABLES = [
    ("ecological_redline", "ecological_redline.geojson", "zones.redline", 4490),
    ("basic_farmland", "basic_farmland.fgb", "public.farmland", 4546),
]


def _database_manifest(tmp_path, url: str):
    """Copy the sample, with its red line and farmland layers pointed at the database instead of the files."""
    folder = tmp_path / "pg-sample"
    shutil.copytree(sample_dir(), folder)
    manifest = yaml.safe_load((folder / "layerset.yaml").read_text("utf-8"))
    tables = {kind: table for kind, _, table, _ in TABLES}
    for entry in manifest["layers"]:
        if entry["kind"] in tables:
            entry.pop("path")
            entry.pop("encoding", None)
            entry.pop("crs", None)  # (the CRS comes from the column's SRID)
            entry["source"] = url
            entry["table"] = tables[entry["kind"]]
    (folder / "layerset.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


def test_layers_from_postgis_give_the_same_findings_as_the_files_and_are_cached_by_content(tmp_path, monkeypatch):
    url = fresh_database("lset")
    for _, file, table, srid in TABLES:
        load_frame(url, table, pyogrio.read_dataframe(sample_dir() / file), srid=srid, geom_type="Polygon")
    folder = _database_manifest(tmp_path, url)
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))

    from_db = load_layerset(folder)
    labels = {layer.kind: layer.label for layer in from_db.layers}
    assert (
        labels["ecological_redline"].startswith("postgresql://postgres@127.0.0.1")
        and "zones.redline" in labels["ecological_redline"]
    )
    sites, _ = read_sites(sample_dir() / "sites.geojson")
    columns = ["site_id", "kind", "zone_id", "relation", "verdict", "rule_id"]
    got = screen_sites(sites, from_db).findings[[*columns, "overlap_area_m2", "distance_m"]]
    want = screen_sites(sites, load_layerset("sample")).findings[[*columns, "overlap_area_m2", "distance_m"]]
    pd.testing.assert_frame_equal(got[columns].reset_index(drop=True), want[columns].reset_index(drop=True))
    pd.testing.assert_frame_equal(
        got.drop(columns=columns).reset_index(drop=True), want.drop(columns=columns).reset_index(drop=True), rtol=1e-9
    )
    assert from_db.fingerprints()[labels["basic_farmland"]].startswith("postgis-sha256:")

    # a second load with no row changed is served from the cache: the tables are not read again
    import redline.layers.reader as reader

    reads = []
    real = reader._read_source
    monkeypatch.setattr(reader, "_read_source", lambda spec: reads.append(spec.kind) or real(spec))
    again = load_layerset(folder)
    secret = {layer.kind for layer in again.layers if layer.confidential}  # (never cached: always read)
    assert set(reads) == secret and again.fingerprints() == from_db.fingerprints()
    reads.clear()
    # one changed row changes the fingerprint, and that layer is read again
    name = url.rsplit("/", 1)[1]
    cluster().psql("UPDATE public.farmland SET geom = ST_Translate(geom, 1, 0) WHERE ctid = '(0,1)'", name)
    changed = load_layerset(folder)
    assert set(reads) - secret == {"basic_farmland"}
    assert changed.fingerprints()[labels["basic_farmland"]] != from_db.fingerprints()[labels["basic_farmland"]]
