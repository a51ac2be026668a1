"""Text Excel would run as a formula is written safely into the CSV tables, raw into the GeoPackage (issue 20)."""

from __future__ import annotations

import csv

import pandas as pd
import pyogrio
import pytest

from redline.checks.app.batch_stream import stream_batch
from redline.checks.outputs.writers import write_outputs
from redline.checks.screen import screen_sites
from redline.checks.sites.chunks import iter_sites
from redline.checks.sites.reader import read_sites
from redline.layers import load_layerset

# (the sites reader trims spaces, tabs and carriage returns around a cell: those are checked below, in Arrow)
IDS = ['=HYPERLINK("http://evil.example","点我")', "@SUM(1)", "+cmd|' /C calc'!A0", "-12", "-A1+1", "S06"]
SAFE = ["'" + IDS[0], "'@SUM(1)", "'+cmd|' /C calc'!A0", "-12", "'-A1+1", "S06"]
NAMES = ["=1+1", "-2+3", "农家乐", "", "+86 123", "@名称"]


@pytest.fixture(scope="module")
def layers():
    return load_layerset("sample")


@pytest.fixture
def sites_file(tmp_path):
    path = tmp_path / "sites.csv"
    frame = pd.DataFrame(
        {
            "site_id": IDS,
            "name": NAMES,
            "lon": [109.4015, 109.45, 109.50, 109.55, 109.60, 109.65],
            "lat": [22.4923, 22.45, 22.50, 22.55, 22.40, 22.42],
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def _rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_formulas_are_escaped_in_the_csv_tables_and_raw_in_the_geopackage(layers, sites_file, tmp_path):
    sites, label = read_sites(sites_file, near=layers.center())
    result = screen_sites(sites, layers, meta={"input_crs": label, "source": str(sites_file)})
    out = tmp_path / "whole"
    write_outputs(result, out, formats=["csv", "gpkg"])
    rows = _rows(out / "sites.csv")
    assert [r["site_id"] for r in rows] == SAFE
    assert [r["name"] for r in rows] == ["'=1+1", "'-2+3", "农家乐", "", "'+86 123", "'@名称"]
    assert all(r["verdict"] in ("prohibited", "restricted", "review", "no_coverage", "clear") for r in rows)
    findings = _rows(out / "findings.csv")
    assert {f["site_id"] for f in findings} <= set(SAFE) and findings[0]["site_id"] == SAFE[0]
    assert findings[0]["distance_m"] == "0.00"  # numbers stay numbers
    gpkg = pyogrio.read_dataframe(out / "results.gpkg", layer="sites")
    assert gpkg["site_id"].tolist() == IDS and gpkg["name"].tolist()[:2] == NAMES[:2]
    # the streamed batch writes the same bytes
    chunks = iter_sites(sites_file, chunk_size=4, near=layers.center())
    stream_batch(chunks, layers, tmp_path / "streamed", meta={"input_crs": label, "source": str(sites_file)})
    for name in ("sites.csv", "findings.csv"):
        assert (tmp_path / "streamed" / name).read_bytes() == (out / name).read_bytes()


def test_a_plain_negative_number_in_a_text_column_is_left_as_it_is(layers, tmp_path):
    import pyarrow as pa

    from redline.checks.outputs.csv_out import formula_safe

    cells = ["-12", "+3.5", "-1e3", "-.5", "-", "--1", "-1-1", "=-1", None, "", "\tTAB", "\rCR", "a=b"]
    assert formula_safe(pa.array(cells)).to_pylist() == [
        "-12", "+3.5", "-1e3", "-.5", "'-", "'--1", "'-1-1", "'=-1", None, "", "'\tTAB", "'\rCR", "a=b"
    ]  # fmt: skip
    shared = pa.array(["=A1", "ok"]).dictionary_encode()
    assert formula_safe(shared).to_pylist() == ["'=A1", "ok"]
