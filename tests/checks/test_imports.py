"""``import checks`` stays light: no folium, no matplotlib (only maps/ draws)."""

from __future__ import annotations

import subprocess
import sys


def test_import_checks_does_not_import_folium_or_matplotlib():
    code = (
        "import sys, checks, layers, zones; "
        "print(sorted(m for m in ('folium', 'matplotlib', 'branca') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_public_names_are_exported_and_documented():
    import checks
    import layers
    import maps
    import zones

    for package in (checks, layers, zones, maps):
        assert len(set(package.__all__)) == len(package.__all__)
        for name in package.__all__:
            obj = getattr(package, name)
            if callable(obj) and not isinstance(obj, type(sys)):
                assert (obj.__doc__ or "").strip(), f"{package.__name__}.{name} has no docstring"
