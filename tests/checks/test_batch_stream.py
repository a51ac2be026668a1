"""Streamed batches write the same sites.csv, findings.csv and summary.json as the whole-result path."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from redline.checks.app.batch_stream import stream_batch
from redline.checks.outputs.writers import write_outputs
from redline.checks.screen import screen_sites
from redline.checks.sites.chunks import iter_sites
from redline.checks.sites.reader import read_sites
from redline.layers import load_layerset, sample_dir
from redline.zones.errors import SiteError
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def sample_layers():
    return load_layerset("sample")


def _whole(path, layers, out, **kwargs):
    sites, label = read_sites(path, near=layers.center(), **kwargs)
    meta = {"input_crs": label, "source": str(path), "input_encoding": sites.attrs.get("encoding", "")}
    write_outputs(screen_sites(sites, layers, meta=meta), out, formats=["csv"])


def _streamed(path, layers, out, chunk_size, **kwargs):
    chunks = iter_sites(path, chunk_size=chunk_size, near=layers.center(), **kwargs)
    meta = {"input_crs": chunks.crs_label, "source": str(path), "input_encoding": chunks.encoding_note}
    return stream_batch(chunks, layers, out, meta=meta)


def assert_same_outputs(whole, streamed, *, more_files=()):
    for name in ("sites.csv", "findings.csv"):
        assert (streamed / name).read_bytes() == (whole / name).read_bytes(), name
    a, b = (json.loads((folder / "summary.json").read_text("utf-8")) for folder in (whole, streamed))
    assert a.pop("created") and b.pop("created")
    assert a.pop("run_id") != b.pop("run_id")  # each run its own
    assert [f for f in a["files"] if f not in more_files] == b["files"]
    assert {f: h for f, h in a["sha256"].items() if f not in more_files} == b["sha256"]
    a["files"], a["sha256"] = b["files"], b["sha256"]
    assert list(b.items()) == list(a.items())  # same keys, same order, same counts


def test_sample_sites_in_chunks_of_seven_write_the_same_files(sample_layers, tmp_path):
    path = sample_dir() / "sites.geojson"
    _whole(path, sample_layers, tmp_path / "whole")
    run = _streamed(path, sample_layers, tmp_path / "streamed", chunk_size=7)
    n = len(read_sites(path)[0])
    assert run.chunks == -(-n // 7) and [p.name for p in run.files] == ["sites.csv", "findings.csv", "summary.json"]
    assert_same_outputs(tmp_path / "whole", tmp_path / "streamed")
    assert run.summary["n_sites"] == n and sum(run.summary["verdicts"].values()) == n
    assert (tmp_path / "streamed" / "sites.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def _generated_points(n: int, seed: int = 3) -> pd.DataFrame:
    """Points over the sample layers, with error rows in several chunks."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(109.33, 109.71, n)
    lat = rng.uniform(22.35, 22.66, n)
    df = pd.DataFrame(
        {
            "site_id": [f"G{i:05d}" for i in range(n)],
            "lon": [f"{v:.6f}" for v in lon],
            "lat": [f"{v:.6f}" for v in lat],
            "industry": np.where(np.arange(n) % 4 == 0, "C3360", np.where(np.arange(n) % 4 == 1, "H6210", "")),
            "tags": np.where(np.arange(n) % 7 == 0, "discharges_wastewater", ""),
        }
    )
    df.loc[10, "lon"] = "x"  # chunk 1
    if n > 2222:
        df.loc[777, "industry"] = "Z999"  # chunk 2: an unknown code keeps the site in the screen, with a note
        df.loc[1500, ["lon", "lat"]] = df.loc[1500, ["lat", "lon"]].to_numpy()  # chunk 4: swapped row
        df.loc[2222, "site_id"] = ""  # chunk 5: the row number becomes the id
    df.loc[n - 1, "lat"] = ""  # the last chunk
    return df


def test_thousands_of_points_across_chunks_with_error_rows(sample_layers, tmp_path):
    path = tmp_path / "points.csv"
    _generated_points(3000).to_csv(path, index=False)
    _whole(path, sample_layers, tmp_path / "whole")
    run = _streamed(path, sample_layers, tmp_path / "streamed", chunk_size=400)
    assert run.chunks == 8
    assert_same_outputs(tmp_path / "whole", tmp_path / "streamed")
    sites = pd.read_csv(tmp_path / "streamed" / "sites.csv", dtype=str, keep_default_na=False)
    assert (sites["status"] == "error").sum() == 3
    assert sites.loc[777, "status"] == "ok" and "Z999" in sites.loc[777, "note"]
    assert sites.loc[2222, "site_id"] == "2223"
    assert sites.loc[1500, "error"].startswith("row 1502: lon=")
    assert run.summary["verdicts"]["error"] == 3 and run.summary["n_findings"] > 3000


def test_a_failed_run_leaves_the_previous_outputs_and_no_temporary_file(sample_layers, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("sites.csv", "findings.csv", "summary.json"):
        (out / name).write_text(f"previous {name}", encoding="utf-8")
    table = _generated_points(600)
    table.loc[550, "site_id"] = "G00003"  # found in the last chunk, after five were written
    path = tmp_path / "dupes.csv"
    table.to_csv(path, index=False)
    with pytest.raises(SiteError, match=r"site ids repeat \(G00003\)"):
        _streamed(path, sample_layers, out, chunk_size=100)
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "sites.csv", "summary.json"]
    for name in ("sites.csv", "findings.csv", "summary.json"):
        assert (out / name).read_text("utf-8") == f"previous {name}"


def test_progress_is_reported_over_the_whole_file(sample_layers, tmp_path):
    path = tmp_path / "points.csv"
    _generated_points(250).to_csv(path, index=False)
    calls = []
    chunks = iter_sites(path, chunk_size=100, near=sample_layers.center())
    stream_batch(chunks, sample_layers, tmp_path / "out", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 250), (100, 250), (200, 250), (250, 250)]


def test_cli_streams_csv_and_matches_the_whole_result_path(tmp_path):
    path = tmp_path / "points.csv"
    _generated_points(300, seed=5).to_csv(path, index=False)
    streamed, whole = tmp_path / "streamed", tmp_path / "whole"
    proc = run_cli("batch", str(path), "--out", str(streamed), "--formats", "csv", "--chunk-size", "64", check=True)
    assert "共检查 300 个选址" in proc.stdout and "sites.csv, findings.csv, summary.json" in proc.stdout
    # with the GeoPackage asked for, the whole result is kept: same tables
    run_cli("batch", str(path), "--out", str(whole), "--formats", "csv,gpkg", "--quiet", check=True)
    assert (whole / "results.gpkg").is_file()
    assert_same_outputs(whole, streamed, more_files=["results.gpkg"])
    bad = tmp_path / "bad.csv"
    bad.write_text("site_id,lon,lat\nA,109.4,22.4\nA,109.5,22.5\n", encoding="utf-8")
    proc = run_cli("batch", str(bad), "--out", str(tmp_path / "bad"), "--formats", "csv", "--chunk-size", "1")
    assert proc.returncode == 2 and "选址编号重复（A）" in proc.stderr and "Traceback" not in proc.stderr
    assert not list((tmp_path / "bad").iterdir())
