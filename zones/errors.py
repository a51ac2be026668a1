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
    """Base class of every user-facing error of redline-checker."""


class LayerError(RedlineError):
    """A zone layer cannot be read or normalised (file, field, format)."""


class ManifestError(LayerError):
    """A ``layerset.yaml`` manifest has one or more mistakes.

    Parameters
    ----------
    path : str
        The manifest file.
    problems : list of str
        Every problem found; the message lists all of them.
    """

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        n = len(self.problems)
        super().__init__(f"layer set manifest '{path}' has {n} problem{'s' if n != 1 else ''}:\n{lines}")


class CRSError(RedlineError):
    """A coordinate reference system is missing, unknown or ambiguous."""


class SiteError(RedlineError):
    """A project site (coordinates, WKT, file or column) cannot be used."""


class RuleError(RedlineError):
    """A rule catalogue or a project description is invalid."""
