"""``import redline`` stays light: no folium, matplotlib, fastapi, uvicorn or python-docx until used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("folium", "matplotlib", "branca", "fastapi", "uvicorn", "starlette", "docx", "ezdxf", "dask", "openpyxl")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys; {code}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return eval(out.strip())  # a printed list of names


def test_import_redline_loads_no_heavy_module():
    assert _loaded_after("import redline; redline.check_site") == []


def test_import_of_the_non_drawing_packages_loads_no_heavy_module():
    # (redline.maps is the drawing package: importing it loads folium and matplotlib, on purpose)
    assert _loaded_after("import redline.zones, redline.layers, redline.checks, redline.checks.app.cli") == []


def test_the_check_command_loads_no_heavy_module(tmp_path):
    # the whole command in-process: parse, read, screen, print, write the CSV tables
    out = tmp_path / "out"
    # the sample's access list is a workbook: the first read needs openpyxl, later ones find its table in the cache
    _loaded_after("import redline; redline.load_layerset('sample')")
    for args in (["check", "109.52,22.49", "--formats", "csv"], ["check", "109.52,22.49", "--formats", "csv", "--out"]):
        argv = [*args, str(out)] if args[-1] == "--out" else args
        code = (  # (what the command prints is kept from the printed list of modules)
            "import contextlib, io; from redline.checks.app.cli import main; "
            "quiet = contextlib.redirect_stdout(io.StringIO()); quiet.__enter__(); "
            f"status = main({argv!r}); quiet.__exit__(None, None, None); assert status == 0"
        )
        assert _loaded_after(code) == []
    assert (out / "findings.csv").is_file()


def test_check_site_loads_no_heavy_module():
    _loaded_after("import redline; redline.load_layerset('sample')")  # (the workbook's table cached)
    code = "import redline; redline.check_site('109.52,22.49', redline.load_layerset('sample'), industry='C3360')"
    assert _loaded_after(code) == []


def test_public_names_are_exported_sorted_and_documented():
    import redline
    from redline import checks, layers, maps, zones

    assert redline.__all__ == sorted(
        redline.__all__, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    for package in (redline, checks, layers, zones, maps):
        assert len(set(package.__all__)) == len(package.__all__)
        for name in package.__all__:
            obj = getattr(package, name)
            if callable(obj) and not isinstance(obj, type(sys)):
                assert (obj.__doc__ or "").strip(), f"{package.__name__}.{name} has no docstring"
