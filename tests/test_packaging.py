"""The wheel puts one import root, ``redline``, into site-packages, with every package and data file it needs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"zones": "redline.zones", "layers": "redline.layers", "checks": "redline.checks", "maps": "redline.maps"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    leftovers = [ROOT / "build", *ROOT.glob("*.egg-info")]
    before = {path for path in leftovers if path.exists()}
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
            check=True,
            capture_output=True,
        )
    finally:  # setuptools builds in the checkout: leave it as it was
        for path in [ROOT / "build", *ROOT.glob("*.egg-info")]:
            if path not in before:
                shutil.rmtree(path, ignore_errors=True)
    (built,) = out.glob("redline_checker-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def _source_packages() -> set[str]:
    found = {"redline"}
    for folder, name in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join([name, *parts]))
    return found


def test_only_redline_lands_in_site_packages(wheel_names):
    tops = {name.split("/", 1)[0] for name in wheel_names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"redline"}


def test_every_source_package_is_in_the_wheel(wheel_names):
    packaged = {name.rsplit("/", 1)[0].replace("/", ".") for name in wheel_names if name.endswith("/__init__.py")}
    assert _source_packages() <= packaged, sorted(_source_packages() - packaged)


def test_data_files_ship_and_fixtures_do_not(wheel_names):
    names = set(wheel_names)
    for needed in (
        "redline/py.typed",
        "redline/zones/catalog/national.yaml",
        "redline/zones/data/gbt4754-2017.csv",
        "redline/layers/sample/data/layerset.yaml",
        "redline/layers/sample/data/sites.geojson",
        "redline/checks/outputs/templates/report.html",
        "redline/checks/app/service/static/index.html",
    ):
        assert needed in names, needed
    assert not [n for n in names if "defective" in n or "generate_sample" in n or n.startswith("redline/tests")]


def test_an_installed_wheel_imports_without_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    code = (
        "import sys, redline; print(redline.__path__[0], len(redline.__path__)); "
        "print(redline.check_site('109.52,22.49', redline.load_layerset('sample')).sites.loc[0, 'status'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(site)}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    (first, count), (status,) = (line.split() for line in out.stdout.splitlines())
    assert Path(first) == site / "redline" and count == "1" and status == "ok"
