"""The ``redline`` argument parser: the program's options and every subcommand's, in the command line's language.

Each command group adds its own parsers (:mod:`redline.checks.app.cli.commands` and
:mod:`redline.checks.app.service.cli` for ``serve``) and sets ``run``, the function running the
command, and optionally ``flags``, its own words for parameters (see
:func:`redline.checks.app.cli_args.flag_namer`).  Help texts are Chinese unless the parser is
built for English (:func:`build_parser` ``lang="en"``); build and parse inside
:func:`~redline.checks.app.cli.i18n.argparse_language` for argparse's own words too.
"""

from __future__ import annotations

import argparse

from redline._version import __version__
from redline.checks.app.cli.commands import eia, industry, layers, maps, register, rules, screening, versions
from redline.checks.app.cli.i18n import Parser, Words

__all__ = ["build_parser"]


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """Return the parser of the ``redline`` command line, its help in ``lang``.

    Examples
    --------
    >>> args = build_parser().parse_args(["check", "109.4,22.5", "--buffer", "500"])
    >>> args.command, args.buffer, args.formats
    ('check', 500.0, 'all')
    >>> build_parser("en").description.startswith("Screen project sites")
    True
    """
    from redline.checks.app.service.cli import add_serve_parser

    w = Words(lang)
    parser = Parser(
        prog="redline",
        description=w(
            "项目选址生态环境分区管控筛查：对照生态保护红线、饮用水水源保护区、“三线一单”环境管控单元、"
            "永久基本农田等图层，给出禁止/限制/需关注的结论、依据和报告。",
            "Screen project sites against ecological red lines, drinking-water source zones, "
            "'三线一单' control units, permanent basic farmland and the other layers of a layer set.",
        ),
        epilog=w("各命令的说明：redline 命令 -h；英文：加 --lang en。", "Each command: redline COMMAND -h."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"redline-checker {__version__}",
        help=w("显示版本并退出", "show the version and exit"),
    )
    sub = parser.add_subparsers(dest="command", metavar=w("命令", "COMMAND"), required=True)
    screening.add_parsers(sub, w)
    layers.add_parsers(sub, w)
    rules.add_parsers(sub, w)
    industry.add_parsers(sub, w)
    eia.add_parsers(sub, w)
    register.add_parsers(sub, w)
    versions.add_parsers(sub, w)
    add_serve_parser(sub, w)
    maps.add_parsers(sub, w)
    return parser
