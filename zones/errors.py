"""The public error hierarchy of redline-checker.

Every error a user can cause by bad input (a file, an option, a manifest) is a
:class:`RedlineError`; the command line prints its message and exits with 2.
Input errors also subclass :class:`ValueError`, so plain ``except ValueError``
works in scripts.

An error names the parameter it concerns (``param``, e.g. ``"crs"``) and the value at fault.  A
message that points the user to a parameter marks it with :func:`param_ref` instead of spelling
an interface's name for it, so that each interface renders it in its own words
(:meth:`RedlineError.render`): ``crs`` in Python and in the service's JSON, ``--crs`` on the
command line.  No code needs to read a message's text to learn what went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "CRSError",
    "LayerError",
    "ManifestError",
    "RedlineError",
    "RuleError",
    "SiteError",
    "param_ref",
    "render_refs",
]

_REF = re.compile(r"⟨([A-Za-z_][A-Za-z0-9_]*)⟩")

#: what a message says for a parameter when no interface renders it: its Python name
class _Unset:
    """The default of ``value``: no value given (a stable repr, for the API page)."""

    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


def param_ref(name: str) -> str:
    """Mark parameter ``name`` inside a message, for :meth:`RedlineError.render` to name per interface.

    Examples
    --------
    >>> err = RedlineError(f"unknown CRS; give one with {param_ref('crs')}", param="crs")
    >>> str(err)
    'unknown CRS; give one with crs'
    >>> err.render({"crs": "--crs"})
    'unknown CRS; give one with --crs'
    """
    return f"⟨{name}⟩"


def render_refs(text: str, names: Mapping[str, str] | Callable[[str], str] | None = None) -> str:
    """Replace the :func:`param_ref` marks in ``text`` by each parameter's name in ``names``.

    ``names`` maps a parameter to what an interface calls it (a mapping or a function); parameters
    it does not name keep their Python name.

    Examples
    --------
    >>> render_refs(f"use {param_ref('buffer_m')}", lambda name: "--" + name.replace("_", "-"))
    'use --buffer-m'
    """
    if names is None:
        lookup: Callable[[str], str] = lambda name: name  # noqa: E731
    elif callable(names):
        lookup = names
    else:
        lookup = lambda name: names.get(name, name)  # noqa: E731
    return _REF.sub(lambda m: lookup(m.group(1)), text)


class RedlineError(ValueError):
    """Base class of every user-facing error of redline-checker.

    Parameters
    ----------
    message : str
        What is wrong, the value, and the fix; parameters it mentions are marked with
        :func:`param_ref`.
    param : str, optional
        The parameter (argument, option, request field) at fault, by its Python name.
    value : object, optional
        The value at fault.

    Examples
    --------
    >>> from redline.checks import parse_site_text
    >>> try:
    ...     parse_site_text("not a site")
    ... except RedlineError as exc:
    ...     print(type(exc).__name__, isinstance(exc, ValueError))
    SiteError True
    >>> err = RedlineError(f"{param_ref('buffer_m')} must be >= 0, got -1", param="buffer_m", value=-1)
    >>> err.param, err.value, str(err)
    ('buffer_m', -1, 'buffer_m must be >= 0, got -1')
    """

    def __init__(self, message: str = "", *, param: str | None = None, value: Any = _UNSET) -> None:
        super().__init__(message)
        self.param = param
        self.value = None if value is _UNSET else value
        self.has_value = value is not _UNSET

    @property
    def raw_message(self) -> str:
        """The message with its parameter marks, as raised."""
        return str(self.args[0]) if self.args else ""

    def render(self, names: Mapping[str, str] | Callable[[str], str] | None = None) -> str:
        """Return the message with each marked parameter named as ``names`` says (see :func:`render_refs`)."""
        return render_refs(self.raw_message, names)

    def __str__(self) -> str:
        return self.render()


class LayerError(RedlineError):
    """A zone layer cannot be read or normalised (file, field, format).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> load_layerset("no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    redline.zones.errors.LayerError: layer set 'no/such/folder' does not exist; give a layerset.yaml, ...
    """


class ManifestError(LayerError):
    """A ``layerset.yaml`` manifest has one or more mistakes.

    Parameters
    ----------
    path : str
        The manifest file.
    problems : list of str
        Every problem found; the message lists all of them.

    Examples
    --------
    >>> err = ManifestError("layerset.yaml", ["layers[0]: no path", "layers[1]: unknown kind 'forest'"])
    >>> print(err)
    layer set manifest 'layerset.yaml' has 2 problems:
      - layers[0]: no path
      - layers[1]: unknown kind 'forest'
    >>> err.problems[1], isinstance(err, LayerError)
    ("layers[1]: unknown kind 'forest'", True)
    """

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        n = len(self.problems)
        header = f"layer set manifest '{path}' has {n} problem{'s' if n != 1 else ''}"
        super().__init__(f"{header}:\n{lines}", param="layers", value=path)


class CRSError(RedlineError):
    """A coordinate reference system is missing, unknown or ambiguous.

    Examples
    --------
    >>> from redline.checks import parse_site_text
    >>> try:
    ...     parse_site_text("109.40,22.49", crs="EPSG:99999")
    ... except CRSError as exc:
    ...     print(str(exc)[:54], exc.param)
    crs: 'EPSG:99999' is not a coordinate reference system crs
    """


class SiteError(RedlineError):
    """A project site (coordinates, WKT, file or column) cannot be used.

    Examples
    --------
    >>> from redline.checks import parse_site_text
    >>> try:
    ...     parse_site_text("200,100")
    ... except SiteError as exc:
    ...     print(str(exc)[:50])
    site '200,100': 200.0, 100.0 are not longitude/lat
    """


class RuleError(RedlineError):
    """A rule catalogue or a project description is invalid.

    Examples
    --------
    >>> from redline.zones import make_project
    >>> try:
    ...     make_project("C3360", tags="no_such_tag")
    ... except RuleError as exc:
    ...     print(type(exc).__name__)
    RuleError
    """
