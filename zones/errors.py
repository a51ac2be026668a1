"""The public error hierarchy of redline-checker.

Every error a user can cause by bad input (a file, an option, a manifest) is a
:class:`RedlineError`; the command line prints its message and exits with 2.
Input errors also subclass :class:`ValueError`, so plain ``except ValueError``
works in scripts.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "LayerError",
    "ManifestError",
    "RedlineError",
    "RuleError",
    "SiteError",
]


class RedlineError(ValueError):
    """Base class of every user-facing error of redline-checker.

    Examples
    --------
    >>> from checks import parse_site_text
    >>> try:
    ...     parse_site_text("not a site")
    ... except RedlineError as exc:
    ...     print(type(exc).__name__, isinstance(exc, ValueError))
    SiteError True
    """


class LayerError(RedlineError):
    """A zone layer cannot be read or normalised (file, field, format).

    Examples
    --------
    >>> from layers import load_layerset
    >>> load_layerset("no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    zones.errors.LayerError: layer set 'no/such/folder' does not exist; give a layerset.yaml, ...
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
        super().__init__(f"layer set manifest '{path}' has {n} problem{'s' if n != 1 else ''}:\n{lines}")


class CRSError(RedlineError):
    """A coordinate reference system is missing, unknown or ambiguous.

    Examples
    --------
    >>> from checks import parse_site_text
    >>> try:
    ...     parse_site_text("109.40,22.49", crs="EPSG:99999")
    ... except CRSError as exc:
    ...     print(str(exc)[:56])
    --crs: 'EPSG:99999' is not a coordinate reference system
    """


class SiteError(RedlineError):
    """A project site (coordinates, WKT, file or column) cannot be used.

    Examples
    --------
    >>> from checks import parse_site_text
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
    >>> from zones import make_project
    >>> try:
    ...     make_project("C3360", tags="no_such_tag")
    ... except RuleError as exc:
    ...     print(type(exc).__name__)
    RuleError
    """
