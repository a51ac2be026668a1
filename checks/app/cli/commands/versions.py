"""``redline versions``: the versions of redline-checker and its libraries, for bug reports."""

from __future__ import annotations

import argparse

__all__ = ["add_parsers"]


def add_parsers(sub) -> None:
    """Add ``versions`` to the ``redline`` subcommands."""
    sub.add_parser(
        "versions", help="print versions of redline-checker and its libraries (for bug reports)"
    ).set_defaults(run=_versions)


def _versions(args: argparse.Namespace) -> None:
    from redline.checks.app.versions import show_versions

    show_versions()
