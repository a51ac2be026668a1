"""Run the ``redline`` command line: parse, run the command, say an error in the command line's words."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

from redline.checks.app.cli import console
from redline.checks.app.cli.parser import build_parser
from redline.checks.app.cli_args import flag_namer
from redline.zones.errors import RedlineError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``redline`` command line; return the exit status.

    Exit status: 0 when the run finished (whatever the verdicts), 2 with one message on stderr
    when the input cannot be used, 130 when interrupted; ``redline layers validate --strict``
    exits 1 when the layers have a problem.

    Examples
    --------
    >>> main(["rules", "show", "XX99"])  # doctest: +SKIP
    2
    """
    args = build_parser().parse_args(argv)
    warnings.showwarning = console.show_warning
    try:
        status = args.run(args)
    except RedlineError as exc:
        print(f"redline: error: {exc.render(flag_namer(getattr(args, 'flags', None)))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("redline: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)
