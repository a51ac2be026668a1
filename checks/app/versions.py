"""Versions of redline-checker and the libraries it rests on, for bug reports."""

from __future__ import annotations

import platform
import sys

__all__ = ["show_versions", "versions"]


def versions() -> dict[str, str]:
    """Return the versions of Python, the package, GEOS, PROJ, GDAL and the main libraries.

    Examples
    --------
    >>> "GEOS" in versions()
    True
    """
    import geopandas
    import pandas
    import pyogrio
    import pyproj
    import shapely

    from redline._version import __version__

    return {
        "redline-checker": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "geopandas": geopandas.__version__,
        "shapely": shapely.__version__,
        "GEOS": shapely.geos_version_string,
        "pyproj": pyproj.__version__,
        "PROJ": pyproj.proj_version_str,
        "pyogrio": pyogrio.__version__,
        "GDAL": pyogrio.__gdal_version_string__,
        "pandas": pandas.__version__,
    }


def show_versions() -> None:
    """Print :func:`versions`, one per line.

    Examples
    --------
    >>> show_versions()  # doctest: +ELLIPSIS
    redline-checker  ...
    GEOS             ...
    GDAL             ...
    """
    for key, value in versions().items():
        print(f"{key:<16} {value}")
