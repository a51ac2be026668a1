"""The examples in the docstrings run: every module of the four packages, through doctest."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("redline.zones", "redline.layers", "redline.checks", "redline.maps")


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        mod = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(mod.__path__, prefix=f"{package}."):
            names.append(info.name)
    return ["redline", *names]


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
