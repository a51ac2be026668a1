"""``redline versions``: the versions of redline-checker and its libraries, for bug reports."""

from __future__ import annotations

import argparse

from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli_args import add_lang

__all__ = ["add_parsers"]


def add_parsers(sub, w: Words) -> None:
    """Add ``versions`` to the ``redline`` subcommands."""
    p = sub.add_parser(
        "versions",
        help=w(
            "显示 redline-checker 及其依赖库的版本（报告问题时附上）",
            "print versions of redline-checker and its libraries (for bug reports)",
        ),
    )
    add_lang(p, w("提示的语言：zh（默认）或 en", "language of the messages (default zh)"))
    p.set_defaults(run=_versions)


def _versions(args: argparse.Namespace) -> None:
    from redline.checks.app.versions import show_versions

    show_versions()
