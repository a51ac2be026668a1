"""The register of screenings (台账): every run recorded, and re-screening when the zones change.

:func:`open_register` opens (and creates) a register: a GeoPackage file (``PATH.gpkg``, the
default, which a GIS opens as it is) or a shared PostGIS database (``postgresql://...``).
:meth:`Register.record` records a run whole or not at all; :meth:`Register.runs`,
:meth:`Register.site_history` and :meth:`Register.latest_sites` read it back.
:func:`~redline.checks.register.rescreen.rescreen` screens the latest version of every recorded
site against a new layer set and lists the sites whose verdict changed.

Examples
--------
>>> import tempfile, pathlib
>>> from redline.layers import load_layerset
>>> from redline.checks import check_site
>>> register = open_register(pathlib.Path(tempfile.mkdtemp()) / "register.gpkg")
>>> result = check_site("109.4015,22.4923", load_layerset("sample"), industry="H6210")
>>> register.record(result, command="redline check 109.4015,22.4923 --industry H6210")
1
>>> register.runs()[["run_id", "command", "n_sites"]].values.tolist()
[[1, 'redline check 109.4015,22.4923 --industry H6210', 1]]
>>> register.latest_sites()[["site_id", "recorded_verdict"]].values.tolist()
[['site', 'prohibited']]
"""

from __future__ import annotations

from pathlib import Path

from redline.checks.register.base import Register
from redline.checks.register.rows import RegisterError

__all__ = ["Register", "RegisterError", "open_register"]

_URL_SCHEMES = ("postgresql://", "postgres://")


def open_register(target: str | Path, *, password_env: str | None = None, schema: str = "redline") -> Register:
    """Open a register, creating its tables on first use.

    Parameters
    ----------
    target : str or Path
        ``PATH.gpkg`` (a GeoPackage file) or ``postgresql://USER@HOST:PORT/DB`` (no password in it).
    password_env : str, optional
        For a database: the environment variable holding the password (else ``PGPASSWORD`` or
        ``~/.pgpass``).
    schema : str
        For a database: the schema of the register's tables.

    Returns
    -------
    Register

    Raises
    ------
    RegisterError
        The file or database cannot be opened or is not a register.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> register = open_register(pathlib.Path(tempfile.mkdtemp()) / "台账.gpkg")
    >>> register.runs().empty
    True
    >>> open_register("postgresql://gis:secret@db.bureau/registry")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    redline.checks.register.rows.RegisterError: register: the URL postgresql://gis@db.bureau/registry holds ...
    """
    text = str(target)
    if text.startswith(_URL_SCHEMES):
        from redline.checks.register.pg import PostgisRegister

        return PostgisRegister(text, password_env=password_env, schema=schema)
    from redline.checks.register.gpkg import GeoPackageRegister

    return GeoPackageRegister(Path(target))
