"""One run for every interface: one site or a file, whole or streamed, its options checked first."""

from __future__ import annotations

import pytest

from redline.checks.app.run import OneSite, Run, ScreenOptions, SiteOptions, SitesFile, run_screening, site_input
from redline.layers import load_layerset, sample_dir
from redline.zones.errors import RedlineError, RuleError

SITES = sample_dir() / "sites.geojson"


@pytest.fixture(scope="module")
def sample():
    return load_layerset("sample")


def test_streamed_and_whole_runs_write_the_same_tables(sample, tmp_path):
    streamed = run_screening(
        SitesFile(SITES), sample, out=tmp_path / "s", formats="csv", screen=ScreenOptions(chunk_size=7)
    )
    seen = []
    whole = run_screening(
        SitesFile(SITES), sample, out=tmp_path / "w", formats="csv", stream=False, on_screened=seen.append
    )
    assert streamed.streamed and streamed.result is None and seen[0] is not None
    assert not whole.streamed and whole.result is seen[0]
    assert (streamed.n_sites, streamed.verdicts, streamed.illustrative) == (whole.n_sites, whole.verdicts, True)
    for name in ("sites.csv", "findings.csv"):
        assert (tmp_path / "s" / name).read_bytes() == (tmp_path / "w" / name).read_bytes()
    assert (
        [p.name for p in streamed.files]
        == [p.name for p in whole.files]
        == ["sites.csv", "findings.csv", "summary.json"]
    )


def test_a_file_is_not_streamed_when_other_outputs_need_the_whole_result(sample, tmp_path):
    run = run_screening(SitesFile(SITES, label="sample"), sample, out=tmp_path, formats="csv,xlsx")
    assert not run.streamed and run.result.meta["source"] == "sample"
    assert [p.name for p in run.files][-2:] == ["results.xlsx", "summary.json"]
    with pytest.raises(ValueError, match="stream=True"):
        run_screening(SitesFile(SITES), sample, out=tmp_path, formats="csv,xlsx", stream=True)


def test_one_site_with_its_project(sample):
    run = run_screening(OneSite("109.4015,22.4923", "S01"), sample, sites=SiteOptions(industry="H6210"))
    assert isinstance(run, Run) and run.files == [] and run.n_sites == 1
    assert run.result.sites.loc[0, "site_id"] == "S01" and run.verdicts["prohibited"] == 1
    assert site_input(str(SITES)) == SitesFile(str(SITES)) and site_input("1,2", "a") == OneSite("1,2", "a")


def test_every_option_is_checked_before_anything_is_read(tmp_path):
    missing = SitesFile(tmp_path / "no-such-file.csv")
    with pytest.raises(RedlineError) as caught:
        run_screening(missing, "no/such/layers", formats="csv,pdf")
    assert caught.value.param == "formats"
    with pytest.raises(RuleError) as caught:
        SiteOptions(industry="Z123")
    assert caught.value.param == "industry"
    for bad in ({"buffer_m": -1}, {"chunk_size": 0}, {"nearby": "x"}, {"lang": "fr"}, {"engine": "spark"}):
        with pytest.raises(RedlineError) as caught:
            ScreenOptions(**bad)
        assert caught.value.param == next(iter(bad))
