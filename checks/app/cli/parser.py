"""The ``redline`` argument parser: the program's options and every subcommand's.

Each command group adds its own parsers (:mod:`redline.checks.app.cli.commands` and
:mod:`redline.checks.app.service.cli` for ``serve``) and sets ``run``, the function running the
command, and optionally ``flags``, its own words for parameters (see
:func:`redline.checks.app.cli_args.flag_namer`).
"""

from __future__ import annotations

import argparse

from redline._version import __version__
from redline.checks.app.cli.commands import layers, maps, rules, screening, versions

__all__ = ["build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``redline`` command line.

    Examples
    --------
    >>> args = build_parser().parse_args(["check", "109.4,22.5", "--buffer", "500"])
    >>> args.command, args.buffer, args.formats
    ('check', 500.0, 'all')
    """
    from redline.checks.app.service.cli import add_serve_parser

    parser = argparse.ArgumentParser(
        prog="redline",
        description="Screen project sites against ecological red lines, drinking-water source zones, "
        "'三线一单' control units and permanent basic farmland.",
    )
    parser.add_argument("--version", action="version", version=f"redline-checker {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    screening.add_parsers(sub)
    layers.add_parsers(sub)
    rules.add_parsers(sub)
    versions.add_parsers(sub)
    add_serve_parser(sub)
    maps.add_parsers(sub)
    return parser
