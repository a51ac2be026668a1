"""Running the command line in this process: faster than a subprocess, with its output captured."""

from __future__ import annotations

import pytest


@pytest.fixture
def cli(capsys):
    """Return a function running ``redline ARGS`` in-process: (exit status, stdout, stderr)."""
    from redline.checks.app.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse's errors and --help
            status = exc.code
        out = capsys.readouterr()
        return status, out.out, out.err

    return run
