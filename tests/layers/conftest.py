"""Fixtures of the layers tests: one set of zones fanned out to every vector format."""

from __future__ import annotations

import pytest

from tests.layers._zones import FORMATS, water_entry, write_manifest, write_source, zones_frame


@pytest.fixture(params=list(FORMATS))
def fmt(request) -> str:
    """Each vector format a manifest may name (like pyogrio's ``prepare_testfile``)."""
    return request.param


@pytest.fixture
def water_layerset(tmp_path, fmt):
    """Write the known zones in ``fmt`` with a manifest; return (manifest path, source path)."""
    folder = tmp_path / fmt
    source = write_source(zones_frame(), folder, "water_source", fmt)
    return write_manifest(folder, [water_entry(source)]), source
