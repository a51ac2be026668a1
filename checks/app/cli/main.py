"""Run the ``redline`` command line: parse, run the command, say an error in the command line's words."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence

from redline.checks.app.cli import console
from redline.checks.app.cli.i18n import Words, argparse_language, lang_of
from redline.checks.app.cli.parser import build_parser
from redline.checks.app.cli_args import flag_namer
from redline.zones.errors import RedlineError, render_refs

__all__ = ["error_text", "main"]


def error_text(exc: RedlineError, lang: str, names) -> str:
    """Return a library error as the command line says it: its Chinese text (``zh``) when there is one.

    Parameters are named by their flags (``names``, see :func:`~redline.checks.app.cli_args.flag_namer`).

    Examples
    --------
    >>> from redline.zones.errors import param_ref
    >>> err = RedlineError(f"{param_ref('buffer_m')} must be >= 0", param="buffer_m")
    >>> error_text(err, "zh", flag_namer())
    '--buffer must be >= 0'
    >>> err.zh = f"{param_ref('buffer_m')} 不能为负"
    >>> error_text(err, "zh", flag_namer()), error_text(err, "en", flag_namer())
    ('--buffer 不能为负', '--buffer must be >= 0')
    """
    zh = getattr(exc, "zh", None) if lang == "zh" else None
    return render_refs(str(zh), names) if zh else exc.render(names)


def _closed_pipe() -> int:
    """Stop quietly when the reader of stdout went away (``redline demo | head -1``), as Python's docs advise."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # (stdout is no file: nothing to flush into)
        pass
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``redline`` command line; return the exit status.

    Exit status: 0 when the run finished (whatever the verdicts), 2 with one message on stderr
    when the input cannot be used, 130 when interrupted, 1 when stdout was closed early (a
    pipe into ``head``: no message); ``redline layers validate --strict`` exits 1 when the
    layers have a problem.  Messages are in Chinese unless ``--lang en`` is given.

    Examples
    --------
    >>> main(["rules", "show", "XX99"])  # doctest: +SKIP
    2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = lang_of(argv)
    with argparse_language(lang):
        args = build_parser(lang).parse_args(argv)
    args.lang = getattr(args, "lang", None) or lang
    args.argv = argv
    w = Words(args.lang)
    names = flag_namer(getattr(args, "flags", None))
    warnings.showwarning = console.warning_printer(args.lang, names)
    try:
        status = args.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        return _closed_pipe()
    except RedlineError as exc:
        print(w("redline：错误：", "redline: error: ") + error_text(exc, args.lang, names), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(w("redline：已中断", "redline: interrupted"), file=sys.stderr)
        return 130
    return int(status or 0)
