"""Numeric command-line options: one parser shape for ``--buffer``, ``--port``, ``--jobs`` and the rest."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["number_option"]


def number_option(
    convert: Callable[[str], float],
    accept: Callable[[float], bool],
    not_a_number: str,
    out_of_range: str,
) -> Callable[[str], float]:
    """Return an argparse ``type`` that converts a value and checks its range.

    Parameters
    ----------
    convert : callable
        ``int`` or ``float``.
    accept : callable
        True for the numbers the option allows.
    not_a_number, out_of_range : str
        Messages, formatted with ``value`` (the text given) and, for the second, ``number``.

    Examples
    --------
    >>> port = number_option(int, lambda n: 1 <= n <= 65535, "{value!r}: no port", "--port: {number} outside 1..65535")
    >>> port("8765")
    8765
    >>> port("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: --port: 0 outside 1..65535
    """

    def parse(value: str) -> float:
        try:
            number = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(not_a_number.format(value=value)) from None
        if not accept(number):
            raise argparse.ArgumentTypeError(out_of_range.format(value=value, number=number))
        return number

    return parse
