"""One check per option, for the command line, the service and the library; errors name the option per interface."""

from __future__ import annotations

import argparse

import pytest

from redline.checks import options
from redline.checks.app.cli_args import flag_namer, option_type
from redline.checks.app.service.errors import api_field, api_message, error_field
from redline.zones.errors import CRSError, RedlineError, SiteError, param_ref

CLI = flag_namer()


@pytest.mark.parametrize(
    ("check", "value", "param", "cli", "api"),
    [
        (options.buffer_m, "-5", "buffer_m", "--buffer: -5 is outside 0..100000 metres", "buffer: -5 is outside"),
        (options.buffer_m, "far", "buffer_m", "--buffer: 'far' is not a number of metres", "buffer: 'far'"),
        (options.chunk_size, 0, "chunk_size", "--chunk-size must be >= 1, got 0", "chunk_size must be >= 1"),
        (options.tolerance_m2, "lots", "tolerance_m2", "--tolerance: 'lots' is not a number of m²", "tolerance_m2:"),
        (options.port, "70000", "port", "--port: 70000 is outside 1..65535", "port: 70000"),
        (options.max_upload_mb, "-1", "max_upload_mb", "--max-upload-mb: -1 must be more than 0", "max_upload_mb:"),
        (options.jobs, "65", "jobs", "--jobs: 65 is outside 1..64", "jobs: 65"),
        (options.formats, "csv,pdf", "formats", "--formats: unknown format 'pdf'", "formats: unknown format"),
        (options.nearby, "some", "nearby", "--nearby 'some' is not one of nearest, all", "nearby 'some'"),
        (options.lang, "fr", "lang", "--lang 'fr' is not one of zh, en", "lang 'fr'"),
        (options.engine, "spark", "engine", "--engine 'spark' is not one of local, dask", "engine 'spark'"),
        (options.encoding, "klingon", "encoding", "--encoding 'klingon' is unknown", "encoding 'klingon'"),
        (
            options.token,
            " ",
            "token",
            "--token: the token is empty; give a long random string, or leave --token out",
            "",
        ),
    ],
)
def test_each_option_names_itself_in_each_interface(check, value, param, cli, api):
    with pytest.raises(RedlineError) as caught:
        check(value)
    err = caught.value
    assert (err.param, err.value) == (param, value)
    assert err.render(CLI).startswith(cli), err.render(CLI)
    assert api_message(err).startswith(api), api_message(err)
    assert error_field(err) == api_field(param)
    assert "⟨" not in str(err) and "--" not in str(err)  # Python names in the library's own words


def test_the_checks_return_the_values_in_their_types():
    assert options.buffer_m("250") == 250.0 and options.buffer_m(0) == 0.0
    assert options.chunk_size("64") == 64 and options.chunk_size(64.0) == 64
    assert options.formats("CSV, html,csv") == ["csv", "html"]
    assert options.formats("all") == options.formats(None) == options.formats([]) == options.formats("")
    assert options.encoding(" ") is None and options.crs("") is None and options.crs("gcj02") == "gcj02"
    assert options.split_tags(["a; b", "c；", " "]) == ["a", "b", "c"]
    for bad in (2.5, True, "2.5"):
        with pytest.raises(RedlineError, match="is not a whole number"):
            options.chunk_size(bad)


def test_option_errors_keep_their_kind():
    with pytest.raises(SiteError, match="on_invalid 'repair' is not one of raise, warn, fix"):
        options.on_invalid("repair")
    with pytest.raises(CRSError) as caught:
        options.crs("EPSG:999999")
    assert caught.value.param == "crs" and caught.value.render(CLI).startswith("--crs: 'EPSG:999999'")


def test_the_argparse_type_says_the_flag_as_before():
    parser = argparse.ArgumentParser(prog="redline", exit_on_error=False)
    parser.add_argument("--buffer", type=option_type(options.buffer_m))
    assert parser.parse_args(["--buffer", "500"]).buffer == 500.0
    with pytest.raises(argparse.ArgumentError, match=r"--buffer: -5 is outside 0\.\.100000 metres"):
        parser.parse_args(["--buffer", "-5"])


def test_rendering_takes_marked_and_literal_flags():
    """A message still spelling ``--crs`` reads as it is; a marked parameter reads as each interface names it."""
    legacy = RedlineError("give their CRS with --crs (e.g. --crs EPSG:4546)")
    assert legacy.render(CLI) == "give their CRS with --crs (e.g. --crs EPSG:4546)"
    marked = RedlineError(f"use {param_ref('on_invalid')} fix or {param_ref('buffer_m')} 0", param="on_invalid")
    assert marked.render(CLI) == "use --on-invalid fix or --buffer 0"
    assert api_message(marked) == "use on_invalid fix or buffer 0" and error_field(marked) == "on_invalid"
    assert flag_namer({"path": "--out"})("path") == "--out" and CLI("out_dir") == "--out" and CLI("tags") == "--tag"
