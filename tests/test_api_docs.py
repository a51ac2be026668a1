"""The Python API: docs/api.md is generated from its docstrings, and every function and class has an example.

The page is written by ``docs/generate_api.py`` from the ``__all__`` of ``layers``, ``checks``,
``maps``, ``zones`` (and ``layers.validate``, ``layers.inventory``); the examples themselves run in
tests/test_doctests.py.
"""

from __future__ import annotations

import doctest
import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GENERATOR = REPO / "docs" / "generate_api.py"
API_DOC = REPO / "docs" / "api.md"


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_api", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
PUBLIC = gen.public_names()
CALLABLES = [p for p in PUBLIC if p.category != "constant"]


def test_api_page_is_up_to_date():
    assert API_DOC.read_text("utf-8") == gen.render(), "docs/api.md is stale; regenerate: python docs/generate_api.py"
    assert gen.main(["--check"]) == 0


@pytest.mark.parametrize("public", CALLABLES, ids=lambda p: p.qualname)
def test_every_public_function_and_class_has_an_example(public):
    doc = inspect.getdoc(public.obj) or ""
    assert doc.strip(), f"{public.qualname} has no docstring"
    sections = re.split(r"^(\w[\w ]*)\n-{3,}$", doc, flags=re.MULTILINE)
    titles = sections[1::2]
    assert "Examples" in titles, f"{public.qualname}: its docstring has no numpydoc 'Examples' section"
    examples = sections[2 * titles.index("Examples") + 2]
    assert ">>> " in examples, f"{public.qualname}: its Examples section has no doctest example"


def test_the_page_documents_the_entry_points_users_start_from():
    names = {p.qualname for p in PUBLIC}
    for expected in (
        "redline.layers.load_layerset",
        "redline.layers.sample_dir",
        "redline.layers.validate_layerset",
        "redline.checks.check_site",
        "redline.checks.screen_sites",
        "redline.checks.read_sites",
        "redline.checks.write_outputs",
        "redline.checks.ScreeningResult",
        "redline.maps.site_map",
        "redline.maps.zoning_map",
        "redline.maps.zoning_figure",
        "redline.zones.RedlineError",
        "redline.layers.validate.ValidationReport",
        "redline.layers.inventory.inventory",
    ):
        assert expected in names, f"{expected} is not in the API reference"
    text = API_DOC.read_text("utf-8")
    for p in PUBLIC:
        assert f'<a id="{p.qualname}"></a>' in text
    assert "illustrative" in text and "示意数据" in text


def test_every_link_in_the_page_resolves():
    text = API_DOC.read_text("utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    internal = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert internal, "the page links nothing"
    assert internal <= anchors, f"links to missing anchors: {sorted(internal - anchors)}"
    for target in re.findall(r"\]\((\.\./[^)#]+)\)", text):
        assert (API_DOC.parent / target).resolve().exists(), f"docs/api.md links to a missing {target}"


def test_the_readme_links_the_api_reference_and_the_notebooks():
    readme = (REPO / "README.md").read_text("utf-8")
    assert "docs/api.md" in readme
    assert "notebooks/" in readme


def test_the_generator_renders_numpydoc():
    def sample(path, *, buffer_m=1000.0):
        """Do a thing with :func:`checks.check_site` and ``path``.

        Parameters
        ----------
        path : str
            Where.
        buffer_m : float
            How far.

        Returns
        -------
        list of str

        Examples
        --------
        >>> sample("a")  # doctest: +SKIP
        ['a']
        """

    text = gen.render_docstring(sample.__doc__, "checks", {"check_site": "redline.checks.check_site"})
    assert "[`checks.check_site`](#redline.checks.check_site)" in text
    assert "- **path** : *str* — Where." in text
    assert "- *list of str*" in text
    assert "```pycon\n>>> sample(\"a\")\n['a']\n```" in text
    assert gen.signature("sample", sample) == "sample(path, *, buffer_m=1000.0)"


def test_the_generator_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(gen, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_screening_loads_neither_folium_nor_matplotlib(tmp_path):
    """``import checks`` stays light, and so does a whole screening run that writes only tables."""
    code = (
        "import sys\n"
        "import redline.checks, redline.layers\n"
        "ls = redline.layers.load_layerset('sample')\n"
        "sites, _ = redline.checks.read_sites(redline.layers.sample_dir() / 'sites.geojson')\n"
        "result = redline.checks.screen_sites(sites, ls)\n"
        "redline.checks.check_site('109.4015,22.4923', ls, industry='H6210')\n"
        f"redline.checks.write_outputs(result, {str(tmp_path)!r}, formats=['csv', 'gpkg', 'xlsx'])\n"
        "print(sorted(m for m in ('folium', 'matplotlib', 'branca') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
