"""The notebooks in notebooks/ run from top to bottom, offline, on the bundled sample; they are stored without outputs.

Each notebook is executed by nbclient in a fresh ``python3`` kernel (ipykernel, started with
this interpreter), in an empty working folder and with ``TMPDIR`` pointing at another one;
execution stops at the first error.  A setup cell the stored notebook does not have refuses
every network connection from the kernel, so a notebook that needs the network fails here.
The maps a notebook shows are opened as Jupyter shows them (the output HTML) in headless
Chromium with all http(s) blocked, and must draw.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbclient  # the test extra installs nbclient, nbformat and ipykernel
import nbformat
import pytest

from tests.data import DEFECTIVE_DIR

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ["01_screen_a_site.ipynb", "02_batch_screening.ipynb", "03_zoning_maps_and_validation.ipynb"]
CELL_TIMEOUT_S = 120

#: Run before the notebook's own cells: connections anywhere but this machine fail.
OFFLINE_CELL = """
import socket as _socket

_LOCAL = {None, "", "localhost", "127.0.0.1", "::1"}
_connect, _connect_ex, _getaddrinfo = _socket.socket.connect, _socket.socket.connect_ex, _socket.getaddrinfo


def _check(address):
    host = address[0] if isinstance(address, tuple) else None  # str: a Unix socket
    if host not in _LOCAL:
        raise OSError(f"the notebooks must run offline; a connection to {address!r} was attempted")


def _offline_connect(self, address):
    _check(address)
    return _connect(self, address)


def _offline_connect_ex(self, address):
    _check(address)
    return _connect_ex(self, address)


def _offline_getaddrinfo(host, *args, **kwargs):
    _check((host,))
    return _getaddrinfo(host, *args, **kwargs)


_socket.socket.connect = _offline_connect
_socket.socket.connect_ex = _offline_connect_ex
_socket.getaddrinfo = _offline_getaddrinfo
"""


def _ids(paths):
    return [p.stem for p in paths]


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _code(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def _execute(path: Path, base: Path) -> dict:
    nb = _read(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(OFFLINE_CELL))
    cwd, tmp = base / "cwd", base / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    env = dict(os.environ)
    env.update({"TMPDIR": str(tmp), "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONWARNINGS": ""})
    env["REDLINE_DEFECTIVE"] = str(DEFECTIVE_DIR)  # (notebook 03 reads the repository's test fixture)
    env.pop("TIANDITU_KEY", None)  # the maps are the same on every machine
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",  # ipykernel's own kernelspec: this interpreter
        timeout=CELL_TIMEOUT_S,
        allow_errors=False,  # the first error stops the run and fails the test
        resources={"metadata": {"path": str(cwd)}},
    )
    started = time.perf_counter()
    client.execute(env=env)
    return {"nb": nb, "cwd": cwd, "tmp": tmp, "seconds": time.perf_counter() - started}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Execute each notebook once per test run; return its executed copy, folders and time."""
    done: dict[str, dict] = {}

    def run(path: Path) -> dict:
        if path.name not in done:
            done[path.name] = _execute(path, tmp_path_factory.mktemp(path.stem))
        return done[path.name]

    return run


def test_the_three_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stored_without_outputs(path):
    nb = _read(path)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in nb.metadata
    for n, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {n} has stored outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name}: cell {n} has an execution count; clear outputs"
        assert not ({"execution", "ExecuteTime"} & set(cell.metadata)), f"{path.name}: cell {n} stores run times"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_says_the_data_are_illustrative_and_uses_the_public_api(path):
    nb = _read(path)
    intro = nb.cells[0].source
    assert nb.cells[0].cell_type == "markdown"
    assert "示意数据" in intro and "illustrative" in intro
    for source in _code(nb):
        private = re.findall(r"\b(?:checks|layers|maps|zones)(?:\.\w+)*\._\w+", source)
        assert not private, f"{path.name} uses private names {private}; use the public API"
        assert "http://" not in source and "https://" not in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_offline_on_the_sample(path, executed):
    run = executed(path)
    nb = run["nb"]
    for n, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: cell {n} raised {out.get('ename')}"
            if out.output_type == "stream" and out.name == "stderr":
                pytest.fail(f"{path.name}: cell {n} wrote to stderr (a warning?):\n{out.text}")
    # every code cell ran, and the notebook's own cells produced something to look at
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")
    assert sum(len(cell.get("outputs", [])) for cell in nb.cells) >= 8
    assert list(run["cwd"].iterdir()) == [], f"{path.name} wrote into its working folder; use a temporary folder"
    assert any(p.name.startswith("redline-") for p in run["tmp"].iterdir()), "outputs go to tempfile.mkdtemp()"


def _map_outputs(nb) -> list[str]:
    """The HTML of every folium map a notebook shows (what Jupyter puts into the page)."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            if "<iframe" in html and "leaflet" in html:
                found.append(html)
    return found


@pytest.fixture(scope="module")
def browser():
    from tests.maps._chromium import browser_or_skip

    yield from browser_or_skip(1100, 800)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_maps_render_offline(path, executed, browser, tmp_path):
    maps_html = _map_outputs(executed(path)["nb"])
    assert maps_html, f"{path.name} shows no map"
    for n, html in enumerate(maps_html):
        page_file = tmp_path / f"output_{n}.html"
        page_file.write_text(f"<!DOCTYPE html><html><body>{html}</body></html>", encoding="utf-8")
        page = browser.new_page()
        page.open(page_file)
        page.settle(0.5)
        drawn = page.evaluate(
            "(() => { const d = document.querySelector('iframe').contentDocument;"
            " return [d.querySelectorAll('.leaflet-container').length,"
            " d.querySelectorAll('path.leaflet-interactive').length]; })()"
        )
        assert page.errors() == [], f"{path.name}, map {n}: JavaScript errors {page.errors()}"
        assert drawn[0] == 1 and drawn[1] > 0, f"{path.name}, map {n} drew nothing: {drawn}"
