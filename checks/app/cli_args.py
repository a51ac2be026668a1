"""The command line's words for the options, and argparse types that check them.

The library and the service name an option by its Python name (``buffer_m``); the command line
by its flag (``--buffer``).  :data:`FLAGS` holds the flags that are not simply ``--`` and the
name with dashes; :func:`flag_namer` gives the function that :meth:`RedlineError.render
<redline.zones.errors.RedlineError.render>` takes, so an error reads with the flags the user typed.
:func:`option_type` turns a check of :mod:`redline.checks.options` into an argparse ``type``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from redline.checks import options
from redline.zones.errors import RedlineError, render_refs

__all__ = ["FLAGS", "add_lang", "add_layers", "flag_namer", "option_type"]

if TYPE_CHECKING:
    from redline.checks.app.cli.i18n import Words

T = TypeVar("T")

#: Python parameter name -> command-line flag, where the flag is not ``--`` + the name with dashes.
FLAGS: dict[str, str] = {
    "buffer_m": "--buffer",
    "tags": "--tag",
    "tolerance_m2": "--tolerance",
    "out_dir": "--out",
    "max_jobs": "--jobs",
    "districts": "--by",
    "kinds": "--kind",
    "facts": "--fact",
    "layerset": "--layers",
    "old_layerset": "--old-layers",
    "target": "--register",
}


def flag_namer(overrides: Mapping[str, str] | None = None) -> Callable[[str], str]:
    """Return the function naming a parameter by its flag (a command's ``overrides`` first).

    Examples
    --------
    >>> name = flag_namer({"name_field": "--by-field"})
    >>> name("buffer_m"), name("on_invalid"), name("name_field")
    ('--buffer', '--on-invalid', '--by-field')
    """
    names = {**FLAGS, **(overrides or {})}
    return lambda param: names.get(param) or "--" + param.replace("_", "-")


def option_type(check: Callable[[str], T], lang: str = "en") -> Callable[[str], T]:
    """Return an argparse ``type`` that checks a value with ``check`` and says the error with the flags.

    With ``lang="zh"`` an error that has a Chinese text (``zh``) says that one.

    Examples
    --------
    >>> port = option_type(options.port)
    >>> port("8765")
    8765
    >>> port("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: --port: 0 is outside 1..65535
    """

    def parse(value: str) -> T:
        try:
            return check(value)
        except RedlineError as exc:
            zh = getattr(exc, "zh", None) if lang == "zh" else None
            text = render_refs(str(zh), flag_namer()) if zh else exc.render(flag_namer())
            raise argparse.ArgumentTypeError(text) from None

    parse.__name__ = check.__name__
    return parse


def add_layers(p: argparse.ArgumentParser, w: Words | None = None) -> None:
    """Add ``--layers`` (default ``sample``), its help in the language of ``w`` (English without)."""
    en = "layerset.yaml, a folder holding one, or 'sample' (default)"
    p.add_argument(
        "--layers",
        default="sample",
        metavar="PATH",
        help=w("图层集：layerset.yaml、含 layerset.yaml 的文件夹，或 sample（默认，内置示意数据）", en) if w else en,
    )


def add_lang(p: argparse.ArgumentParser, text: str | None = "language of reports and maps (default zh)") -> None:
    """Add ``--lang`` (``zh`` or ``en``, default ``zh``) with the help ``text``."""
    p.add_argument("--lang", choices=options.LANGS, default="zh", help=text)
